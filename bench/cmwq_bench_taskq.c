// SPDX-License-Identifier: GPL-2.0
/*
 * cmwq_bench_taskq.c - Solaris task queues on cmwq against the kernel's
 * workqueue doing the same thing
 *
 * Loaded by `make bench` after cmwq_bench.ko.  The cmwq side is written
 * against the Solaris names of <sys/taskq.h> only, as Solaris-style code
 * would be.  Its peer is what that code would be on the kernel's own
 * workqueue: an unbound reclaim queue (WQ_UNBOUND | WQ_MEM_RECLAIM: one
 * limit for the whole queue, as a taskq's thread count is) whose
 * max_active is the taskq's thread count, with a kmalloc()'d work item
 * per task where the taskq allocates its entry (taskq_dispatch()), and a
 * work item set up in advance where the caller provides the entry
 * (taskq_dispatch_ent()).  Each workload prints one
 * "cmwq-bench: " line per side and round, then the median of the rounds
 * and the ratio cmwq/kernel, as cmwq_bench.ko does:
 *
 *  - contention: SPL's SPLAT "contention" case timed.  One queue of 100
 *    threads (priority maxclsyspri, minalloc 1, maxalloc 100,
 *    TASKQ_PREPOPULATE, as SPLAT creates it; WQ_HIGHPRI for the kernel,
 *    as maxclsyspri is nice -20), 131072 empty tasks dispatched by one
 *    thread (SPLAT dispatches from its test thread alone), the time per
 *    task from the first dispatch until the last task ran.  Once with
 *    taskq_dispatch() and once with taskq_dispatch_ent().
 *  - dispatch-to-start: from just before dispatching one task on an idle
 *    8-thread queue to its function starting, one task at a time, p50 and
 *    p99 of TQB_NR_LATENCY samples.
 *  - sleepers: 64 tasks that each sleep 20 ms on a 64-thread queue: the
 *    wall time until all are done, and how many threads ran them.
 *  - idle queues: the kernel threads that 20 idle queues of 16 threads
 *    hold, counted as the kernel threads alive before and after creating
 *    them (SPL gives each such taskq 16 threads of its own, 320 in all).
 *
 * Rounds alternate, kernel then cmwq, so that whatever drifts during the
 * boot hits both sides alike.  Every wait for a task is bounded; on a
 * timeout the module prints "FAILED <what>", still destroys its queues
 * (which waits for the tasks it dispatched: their code goes away with the
 * module) and fails to load.
 */
#define pr_fmt(fmt) "cmwq-bench: " fmt

#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/workqueue.h>
#include <sys/taskq.h>

#define TQB_NR_ROUNDS		5
#define TQB_NR_CONTENTION	131072
#define TQB_NR_LATENCY		2000
#define TQB_NR_SLEEPERS		64
#define TQB_SLEEP_MS		20
#define TQB_NR_IDLE		20
#define TQB_TIMEOUT		(30 * HZ)

/* The shape of a queue: what taskq_create() is given. */
struct tqb_shape {
	const char	*name;
	int		nthreads;
	bool		highpri;	/* maxclsyspri; else defclsyspri */
	int		minalloc;
	int		maxalloc;
};

static const struct tqb_shape tqb_contention_shape = {
	.name = "bench_tq_cont", .nthreads = 100, .highpri = true,
	.minalloc = 1, .maxalloc = 100,
};

static const struct tqb_shape tqb_latency_shape = {
	.name = "bench_tq_lat", .nthreads = 8,
	.minalloc = 8, .maxalloc = INT_MAX,
};

static const struct tqb_shape tqb_sleepers_shape = {
	.name = "bench_tq_sleep", .nthreads = TQB_NR_SLEEPERS,
	.minalloc = TQB_NR_SLEEPERS, .maxalloc = INT_MAX,
};

static const struct tqb_shape tqb_idle_shape = {
	.name = "bench_tq_idle", .nthreads = 16,
	.minalloc = 16, .maxalloc = INT_MAX,
};

enum tqb_metric {
	M_CONT_DISPATCH_NS,
	M_CONT_ENT_NS,
	M_LAT_P50,
	M_LAT_P99,
	M_SLEEP_WALL_US,
	M_SLEEP_THREADS,
	M_IDLE_THREADS,
	TQB_NR_METRICS,
};

static const char * const tqb_metric_names[TQB_NR_METRICS] = {
	[M_CONT_DISPATCH_NS]	= "taskq_contention_dispatch_ns_per_task",
	[M_CONT_ENT_NS]		= "taskq_contention_dispatch_ent_ns_per_task",
	[M_LAT_P50]		= "taskq_dispatch_to_start_p50_ns",
	[M_LAT_P99]		= "taskq_dispatch_to_start_p99_ns",
	[M_SLEEP_WALL_US]	= "taskq_sleep64_wall_us",
	[M_SLEEP_THREADS]	= "taskq_sleep64_threads",
	[M_IDLE_THREADS]	= "taskq_idle20x16_kthreads",
};

/* One queue of either side. */
struct tqb_queue {
	taskq_t			*tq;
	struct workqueue_struct	*wq;
};

/* A task on the kernel's workqueue: what a taskq entry holds. */
struct kern_task {
	struct work_struct	work;
	task_func_t		*func;
	void			*arg;
	bool			allocated;	/* freed as it starts */
};

/* An entry the caller provides, to either side. */
union tqb_ent {
	taskq_ent_t		tqent;
	struct kern_task	ktask;
};

/* What the benchmark needs of either side. */
struct tqb_side {
	const char *name;
	int (*create)(struct tqb_queue *q, const struct tqb_shape *shape,
		      int nr);
	void (*destroy)(struct tqb_queue *q);
	/* allocate the task's entry, as taskq_dispatch() does */
	bool (*dispatch)(struct tqb_queue *q, task_func_t *func, void *arg);
	void (*init_ent)(union tqb_ent *ent);
	bool (*dispatch_ent)(struct tqb_queue *q, union tqb_ent *ent,
			     task_func_t *func, void *arg);
	/* wait for every task dispatched */
	void (*wait)(struct tqb_queue *q);
};

/* The tasks of one batch count down; the last one stamps and completes. */
static atomic_t tqb_remaining;
static u64 tqb_done_ns;
static u64 tqb_started_ns;
static DECLARE_COMPLETION(tqb_batch_done);

static void tqb_task_done(void)
{
	if (atomic_dec_and_test(&tqb_remaining)) {
		tqb_done_ns = ktime_get_ns();
		complete(&tqb_batch_done);
	}
}

static void tqb_empty_fn(void *arg)
{
	tqb_task_done();
}

static void tqb_stamp_fn(void *arg)
{
	tqb_started_ns = ktime_get_ns();
	tqb_task_done();
}

static void tqb_sleep_fn(void *arg)
{
	struct task_struct **thread = arg;

	*thread = current;
	msleep(TQB_SLEEP_MS);
	tqb_task_done();
}

/* The kernel's workqueue. */

static int kern_create(struct tqb_queue *q, const struct tqb_shape *shape,
		       int nr)
{
	unsigned int flags = WQ_UNBOUND | WQ_MEM_RECLAIM;

	if (shape->highpri)
		flags |= WQ_HIGHPRI;
	q->wq = alloc_workqueue("%s_k%d", flags, shape->nthreads, shape->name,
				nr);
	return q->wq ? 0 : -ENOMEM;
}

static void kern_destroy(struct tqb_queue *q)
{
	destroy_workqueue(q->wq);
	q->wq = NULL;
}

/* Like taskq_run(): nothing touches the entry once the function runs. */
static void kern_task_fn(struct work_struct *work)
{
	struct kern_task *task = container_of(work, struct kern_task, work);
	task_func_t *func = task->func;
	void *arg = task->arg;

	if (task->allocated)
		kfree(task);
	func(arg);
}

static bool kern_dispatch(struct tqb_queue *q, task_func_t *func, void *arg)
{
	struct kern_task *task = kmalloc(sizeof(*task), GFP_KERNEL);

	if (!task)
		return false;
	INIT_WORK(&task->work, kern_task_fn);
	task->func = func;
	task->arg = arg;
	task->allocated = true;
	return queue_work(q->wq, &task->work);
}

static void kern_init_ent(union tqb_ent *ent)
{
	INIT_WORK(&ent->ktask.work, kern_task_fn);
	ent->ktask.allocated = false;
}

static bool kern_dispatch_ent(struct tqb_queue *q, union tqb_ent *ent,
			      task_func_t *func, void *arg)
{
	ent->ktask.func = func;
	ent->ktask.arg = arg;
	return queue_work(q->wq, &ent->ktask.work);
}

static void kern_wait(struct tqb_queue *q)
{
	flush_workqueue(q->wq);
}

/* cmwq, through the Solaris names. */

static int tq_create(struct tqb_queue *q, const struct tqb_shape *shape,
		     int nr)
{
	char name[32];

	snprintf(name, sizeof(name), "%s_c%d", shape->name, nr);
	q->tq = taskq_create(name, shape->nthreads,
			     shape->highpri ? maxclsyspri : defclsyspri,
			     shape->minalloc, shape->maxalloc,
			     TASKQ_PREPOPULATE | 0x1000);
	return q->tq ? 0 : -ENOMEM;
}

static void tq_destroy(struct tqb_queue *q)
{
	taskq_destroy(q->tq);
	q->tq = NULL;
}

static bool tq_dispatch(struct tqb_queue *q, task_func_t *func, void *arg)
{
	return taskq_dispatch(q->tq, func, arg, TQ_SLEEP) != TASKQID_INVALID;
}

static void tq_init_ent(union tqb_ent *ent)
{
	taskq_init_ent(&ent->tqent);
}

static bool tq_dispatch_ent(struct tqb_queue *q, union tqb_ent *ent,
			    task_func_t *func, void *arg)
{
	taskq_dispatch_ent(q->tq, func, arg, TQ_SLEEP, &ent->tqent);
	return ent->tqent.tqent_id != TASKQID_INVALID;
}

static void tq_wait(struct tqb_queue *q)
{
	taskq_wait(q->tq);
}

enum { SIDE_KERNEL, SIDE_CMWQ, TQB_NR_SIDES };

static const struct tqb_side tqb_sides[TQB_NR_SIDES] = {
	[SIDE_KERNEL] = {
		.name		= "kernel",
		.create		= kern_create,
		.destroy	= kern_destroy,
		.dispatch	= kern_dispatch,
		.init_ent	= kern_init_ent,
		.dispatch_ent	= kern_dispatch_ent,
		.wait		= kern_wait,
	},
	[SIDE_CMWQ] = {
		.name		= "cmwq",
		.create		= tq_create,
		.destroy	= tq_destroy,
		.dispatch	= tq_dispatch,
		.init_ent	= tq_init_ent,
		.dispatch_ent	= tq_dispatch_ent,
		.wait		= tq_wait,
	},
};

/* What every workload shares. */
struct tqb_ctx {
	union tqb_ent		*ents;		/* TQB_NR_CONTENTION */
	u64			*samples;	/* TQB_NR_LATENCY */
	struct task_struct	*threads[TQB_NR_SLEEPERS];
	struct tqb_queue	idle[TQB_NR_IDLE];
};

/* By side, metric and round. */
static u64 tqb_results[TQB_NR_SIDES][TQB_NR_METRICS][TQB_NR_ROUNDS];

static void tqb_arm(int nr_tasks)
{
	reinit_completion(&tqb_batch_done);
	atomic_set(&tqb_remaining, nr_tasks);
}

static int tqb_wait(const struct tqb_side *side, const char *what)
{
	if (wait_for_completion_timeout(&tqb_batch_done, TQB_TIMEOUT))
		return 0;
	pr_err("FAILED %s taskq %s: no completion within %d s\n", side->name,
	       what, TQB_TIMEOUT / HZ);
	return -ETIMEDOUT;
}

static int tqb_dispatch_failed(const struct tqb_side *side, const char *what)
{
	pr_err("FAILED %s taskq %s: a dispatch failed\n", side->name, what);
	return -ENOMEM;
}

static int tqb_contention(const struct tqb_side *side, struct tqb_ctx *ctx,
			  bool ent, u64 *res)
{
	const char *what = ent ? "contention (entries)" : "contention";
	struct tqb_queue q = {};
	bool queued = true;
	u64 start;
	int i, ret;

	ret = side->create(&q, &tqb_contention_shape, 0);
	if (ret)
		return ret;
	/* set up once, as a consumer's embedded entries are */
	if (ent)
		for (i = 0; i < TQB_NR_CONTENTION; i++)
			side->init_ent(&ctx->ents[i]);
	tqb_arm(TQB_NR_CONTENTION);

	start = ktime_get_ns();
	for (i = 0; i < TQB_NR_CONTENTION && queued; i++)
		queued = ent ? side->dispatch_ent(&q, &ctx->ents[i],
						  tqb_empty_fn, NULL) :
			       side->dispatch(&q, tqb_empty_fn, NULL);
	ret = queued ? tqb_wait(side, what) : tqb_dispatch_failed(side, what);
	if (!ret)
		*res = div_u64(tqb_done_ns - start, TQB_NR_CONTENTION);
	/* after a timeout too: the queue is drained before it goes */
	side->destroy(&q);
	return ret;
}

static int tqb_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static int tqb_latency(const struct tqb_side *side, struct tqb_ctx *ctx,
		       u64 *res)
{
	struct tqb_queue q = {};
	u64 start;
	int i, ret;

	ret = side->create(&q, &tqb_latency_shape, 0);
	if (ret)
		return ret;
	for (i = 0; i < TQB_NR_LATENCY && !ret; i++) {
		tqb_arm(1);
		start = ktime_get_ns();
		if (!side->dispatch(&q, tqb_stamp_fn, NULL)) {
			ret = tqb_dispatch_failed(side, "dispatch-to-start");
			break;
		}
		ret = tqb_wait(side, "dispatch-to-start");
		/* let the task return, so the next one finds the queue idle */
		side->wait(&q);
		ctx->samples[i] = tqb_started_ns - start;
	}
	side->destroy(&q);
	if (ret)
		return ret;
	sort(ctx->samples, TQB_NR_LATENCY, sizeof(*ctx->samples), tqb_cmp_u64,
	     NULL);
	res[M_LAT_P50] = ctx->samples[TQB_NR_LATENCY / 2];
	res[M_LAT_P99] = ctx->samples[TQB_NR_LATENCY * 99 / 100];
	return 0;
}

static int tqb_sleepers(const struct tqb_side *side, struct tqb_ctx *ctx,
			u64 *res)
{
	struct tqb_queue q = {};
	bool queued = true;
	int i, j, ret, nr_threads = 0;
	u64 start;

	ret = side->create(&q, &tqb_sleepers_shape, 0);
	if (ret)
		return ret;
	memset(ctx->threads, 0, sizeof(ctx->threads));
	tqb_arm(TQB_NR_SLEEPERS);

	start = ktime_get_ns();
	for (i = 0; i < TQB_NR_SLEEPERS && queued; i++)
		queued = side->dispatch(&q, tqb_sleep_fn, &ctx->threads[i]);
	ret = queued ? tqb_wait(side, "sleepers") :
		       tqb_dispatch_failed(side, "sleepers");
	side->destroy(&q);
	if (ret)
		return ret;

	/* count each thread at its first appearance */
	for (i = 0; i < TQB_NR_SLEEPERS; i++) {
		for (j = 0; j < i && ctx->threads[j] != ctx->threads[i]; j++)
			;
		nr_threads += j == i;
	}
	res[M_SLEEP_WALL_US] = div_u64(tqb_done_ns - start, NSEC_PER_USEC);
	res[M_SLEEP_THREADS] = nr_threads;
	return 0;
}

/*
 * Kernel threads alive, not counting those exiting: a thread stopped by
 * a queue destroyed just before may not have left the task list yet.
 */
static int tqb_nr_kthreads(void)
{
	struct task_struct *p;
	int nr = 0;

	rcu_read_lock();
	for_each_process(p)
		nr += (p->flags & (PF_KTHREAD | PF_EXITING)) == PF_KTHREAD;
	rcu_read_unlock();
	return nr;
}

static int tqb_idle(const struct tqb_side *side, struct tqb_ctx *ctx,
		    u64 *res)
{
	int i, nr, before, after, ret = 0;

	before = tqb_nr_kthreads();
	for (nr = 0; nr < TQB_NR_IDLE && !ret; nr++)
		ret = side->create(&ctx->idle[nr], &tqb_idle_shape, nr);
	after = tqb_nr_kthreads();
	/* the last create failed if ret: it left nothing to destroy */
	for (i = 0; i < nr - !!ret; i++)
		side->destroy(&ctx->idle[i]);
	if (ret)
		return ret;
	res[M_IDLE_THREADS] = max(after - before, 0);
	return 0;
}

static int tqb_round(const struct tqb_side *side, struct tqb_ctx *ctx,
		     u64 *res)
{
	int ret;

	/* first: the others leave idle workers behind, none are created */
	ret = tqb_idle(side, ctx, res);
	if (!ret)
		ret = tqb_contention(side, ctx, false,
				     &res[M_CONT_DISPATCH_NS]);
	if (!ret)
		ret = tqb_contention(side, ctx, true, &res[M_CONT_ENT_NS]);
	if (!ret)
		ret = tqb_latency(side, ctx, res);
	if (!ret)
		ret = tqb_sleepers(side, ctx, res);
	return ret;
}

static int tqb_run(struct tqb_ctx *ctx)
{
	u64 res[TQB_NR_METRICS];
	int round, side, m, ret = 0;

	pr_info("taskq: %d rounds on %d CPUs\n", TQB_NR_ROUNDS,
		num_online_cpus());
	for (round = 0; round < TQB_NR_ROUNDS && !ret; round++) {
		for (side = 0; side < TQB_NR_SIDES; side++) {
			ret = tqb_round(&tqb_sides[side], ctx, res);
			if (ret)
				break;
			for (m = 0; m < TQB_NR_METRICS; m++)
				tqb_results[side][m][round] = res[m];
			pr_info("taskq round %d %-6s contention=%llu/%llu lat=%llu/%llu sleep64=%lluus/%llu idle20x16=%llu\n",
				round + 1, tqb_sides[side].name,
				res[M_CONT_DISPATCH_NS], res[M_CONT_ENT_NS],
				res[M_LAT_P50], res[M_LAT_P99],
				res[M_SLEEP_WALL_US], res[M_SLEEP_THREADS],
				res[M_IDLE_THREADS]);
		}
	}
	return ret;
}

static u64 tqb_median(int side, int metric)
{
	u64 v[TQB_NR_ROUNDS];

	memcpy(v, tqb_results[side][metric], sizeof(v));
	sort(v, TQB_NR_ROUNDS, sizeof(*v), tqb_cmp_u64, NULL);
	return v[TQB_NR_ROUNDS / 2];
}

static void tqb_report(void)
{
	u64 kern, cm, ratio;
	u32 hundredths;
	int m;

	pr_info("taskq: median of %d rounds, ratio = cmwq/kernel\n",
		TQB_NR_ROUNDS);
	for (m = 0; m < TQB_NR_METRICS; m++) {
		kern = tqb_median(SIDE_KERNEL, m);
		cm = tqb_median(SIDE_CMWQ, m);
		if (!kern) {
			pr_info("%s kernel=%llu cmwq=%llu ratio=n/a\n",
				tqb_metric_names[m], kern, cm);
			continue;
		}
		ratio = div_u64_rem(div64_u64(cm * 100 + kern / 2, kern), 100,
				    &hundredths);
		pr_info("%s kernel=%llu cmwq=%llu ratio=%llu.%02u\n",
			tqb_metric_names[m], kern, cm, ratio, hundredths);
	}
	pr_info("taskq: done\n");
}

static int __init cmwq_bench_taskq_init(void)
{
	struct tqb_ctx *ctx;
	int ret = -ENOMEM;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	ctx->ents = kvcalloc(TQB_NR_CONTENTION, sizeof(*ctx->ents),
			     GFP_KERNEL);
	ctx->samples = kcalloc(TQB_NR_LATENCY, sizeof(*ctx->samples),
			       GFP_KERNEL);
	if (ctx->ents && ctx->samples)
		ret = tqb_run(ctx);
	if (!ret)
		tqb_report();
	kfree(ctx->samples);
	kvfree(ctx->ents);
	kfree(ctx);
	return ret;
}
module_init(cmwq_bench_taskq_init);

/* Everything was torn down at load; this only lets the module unload. */
static void __exit cmwq_bench_taskq_exit(void)
{
}
module_exit(cmwq_bench_taskq_exit);

MODULE_DESCRIPTION("cmwq's Solaris task queues against the kernel's workqueue");
MODULE_LICENSE("GPL");
