// SPDX-License-Identifier: GPL-2.0
/*
 * cmwq_bench.c - cmwq against the kernel's own workqueue, side by side
 *
 * At load the module runs the same workloads on the kernel's workqueue
 * and on cmwq and prints what it measured, one "cmwq-bench: " line each:
 *
 *  - tiny works: wall time per work for BENCH_NR_TINY empty works queued
 *    on every online CPU in turn, until the last one ran and the queue is
 *    flushed.  The cost of queueing, dispatching and running a work.
 *  - bursts: BENCH_NR_BURST empty works queued on the benchmark's own
 *    CPU with preemption off, as an interrupt handler would queue them,
 *    so that none runs before the last is queued: the time per work to
 *    queue them, then the time per work from preemption coming back on
 *    until the last one ran.  Each path apart (queueing; dispatching and
 *    running), without the race of the tiny works between a worker and
 *    the CPU feeding it, which decides how often the worker runs dry and
 *    has to be woken and makes that metric swing from boot to boot.
 *  - queue-to-start latency: from just before queueing one work to its
 *    function starting, on the queueing CPU and on another one, one work
 *    at a time, p50 and p99 of BENCH_NR_LATENCY samples.  How fast an idle
 *    worker gets going.
 *  - sleeping works: BENCH_NR_SLEEPERS (64), then BENCH_NR_SLEEPERS_MANY
 *    (256) and BENCH_NR_SLEEPERS_MOST (1024) works that each sleep
 *    BENCH_SLEEP_MS, all queued at once on one CPU: the wall time until
 *    all are done and the number of distinct worker threads that ran
 *    them.  Whether concurrency management starts another worker as soon
 *    as one blocks, and how many workers that takes.  Both sides' queues
 *    have the default max_active of 256, so the 1024 works sleep in at
 *    least four waves, and a worker can serve more than one of them.
 *  - requeueing a pending work: the cost of a queue call that finds the
 *    work already pending and returns false, the path a driver takes when
 *    it kicks the same work from every interrupt.  The work is held
 *    pending behind a blocker on a max_active = 1 queue.
 *  - idle flush, drain and cancel: flushing and draining the per-CPU
 *    queue BENCH_NR_IDLE_FLUSH times, and cancelling a work
 *    BENCH_NR_IDLE_CANCEL times with cancel_work_sync(), when the queue
 *    and the work ran once and have nothing left in flight: the time per
 *    call of a teardown or reset path that usually finds nothing to do.
 *  - concurrent flushes: BENCH_NR_FLUSHERS threads on the benchmark's
 *    CPU, started together, each flush the per-CPU queue
 *    BENCH_NR_FLUSHES times while a work on the other CPU keeps it busy
 *    (it spins BENCH_FEED_NS and requeues itself): the wall time per
 *    flush.  Whether flushers that arrive together share one wait, as
 *    mainline batches them, or queue up.
 *  - queue lifecycle: BENCH_NR_LIFECYCLE queues allocated with the
 *    defaults, all alive at once, then destroyed: the time per queue,
 *    what a driver making a queue per device or per request pays.
 *  - memory per queue: the growth of slab memory (reclaimable or not,
 *    read to the page with each CPU's unfolded share) as
 *    BENCH_NR_MEM_QUEUES queues with the defaults are allocated, after as
 *    many others used up the free objects the caches held, per queue.
 *    With it, the size of a work and of a delayed work on each side.
 *  - percpu memory per queue: the growth of the percpu allocator's
 *    populated pages, the Percpu: line of /proc/meminfo, as
 *    BENCH_NR_PCPU_QUEUES queues are allocated (per-CPU queues with the
 *    defaults, then unbound ones), after as many others used up the
 *    populated space that earlier frees left, per queue.  Both sides keep
 *    a per-CPU queue's per-CPU part there (the kernel its
 *    pool_workqueues, cmwq its cwqs).  It counts pages on every possible
 *    CPU, so it grows with their number.  pcpu_nr_pages(), which the
 *    line shows, is not exported; the file is read with kernel_read()
 *    (see bench_proc_value()).
 *
 * Each side gets its own queues, created with the same flags and
 * max_active: a per-CPU queue with the defaults, and the max_active = 1
 * queue.  Whatever drifts during the boot (the host's load and the speed
 * it gives a QEMU guest's vCPUs, which moves every figure of both sides
 * by up to 2x within seconds; worker pools filling up; caches) must hit
 * both sides alike, so the sides are interleaved shape by shape: in each
 * round every shape runs on one side, then at once on the other, and the
 * side that goes first alternates from round to round (kernel first in
 * the odd rounds).  The shapes that swung most between boots (tiny
 * works, concurrent flushes, queue lifecycle) run BENCH_SWING_RUNS times
 * per side, A B B A A B B A, and count the median of each side's runs,
 * which leaves out a run that a stall of the host hit and cancels a
 * drift that is steady over the runs.  A warm-up round that is not
 * counted comes first (the first sleeping works of a boot also create
 * the pools' workers), then BENCH_NR_ROUNDS counted ones.
 *
 * Each metric is printed as each round ends, then as the median of its
 * rounds on each side (of an even number: the mean of the middle two),
 * the ratio of those medians, cmwq/kernel, and the median and range of
 * the rounds' own ratios (each round's cmwq figure over the same round's
 * kernel figure, measured moments apart): below 1.00 cmwq took less time,
 * or for the worker count used fewer threads (one per work if all slept
 * at once).
 *
 * The benchmark runs in the insmod task, kept on its CPU with
 * migrate_disable() so that "same CPU" is the queueing CPU.  Every wait
 * for a work is bounded.  On a timeout the module prints "FAILED <what>",
 * still destroys its queues, which waits for the works it queued since
 * their code and memory go away with the module, and fails to load.
 */
#define pr_fmt(fmt) "cmwq-bench: " fmt

#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/nodemask.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/vmstat.h>
#include <linux/workqueue.h>

#include "cmwq.h"

/* even, so that each side goes first in as many rounds */
#define BENCH_NR_ROUNDS		10
#define BENCH_NR_TINY		20000
#define BENCH_NR_BURST		5000
#define BENCH_NR_LATENCY	2000
#define BENCH_NR_SLEEPERS	64
#define BENCH_NR_SLEEPERS_MANY	256
#define BENCH_NR_SLEEPERS_MOST	1024
#define BENCH_SLEEP_MS		20
#define BENCH_NR_REQUEUE	100000
#define BENCH_NR_LIFECYCLE	100
#define BENCH_NR_MEM_QUEUES	200
#define BENCH_NR_PCPU_QUEUES	1000
#define BENCH_NR_EXTRA_QUEUES	(2 * BENCH_NR_PCPU_QUEUES)
/* /proc/meminfo is about 1.5 KB, /proc/stat a few KB; room to spare */
#define BENCH_PROC_BUF		(32 * 1024)
#define BENCH_NR_IDLE_FLUSH	20000
#define BENCH_NR_IDLE_CANCEL	100000
#define BENCH_NR_FLUSHERS	8
#define BENCH_NR_FLUSHES	50	/* by each flusher */
#define BENCH_FEED_NS		(30 * NSEC_PER_USEC)
#define BENCH_TIMEOUT		(10 * HZ)

enum bench_queue {
	BENCH_Q_MAIN,		/* default flags and max_active */
	BENCH_Q_SERIAL,		/* max_active = 1, holds works back */
	BENCH_NR_QUEUES,
};

enum bench_metric {
	M_TINY_NS,
	M_BURST_QUEUE_NS,
	M_BURST_RUN_NS,
	M_LAT_SAME_P50,
	M_LAT_SAME_P99,
	M_LAT_OTHER_P50,
	M_LAT_OTHER_P99,
	M_SLEEP_WALL_US,
	M_SLEEP_WORKERS,
	M_SLEEP256_WALL_US,
	M_SLEEP256_WORKERS,
	M_SLEEP1024_WALL_US,
	M_SLEEP1024_WORKERS,
	M_PENDING_NS,
	M_IDLE_FLUSH_NS,
	M_IDLE_DRAIN_NS,
	M_IDLE_CANCEL_NS,
	M_CFLUSH_NS,
	M_LIFECYCLE_NS,
	M_QUEUE_SLAB_BYTES,
	M_QUEUE_PCPU_BYTES,
	M_UNBOUND_PCPU_BYTES,
	/* what drives the figures above, not figures to hold against it */
	M_DIAG_TINY_EARLY,
	M_DIAG_TINY_PREEMPT,
	M_DIAG_TINY_CTXT,
	M_DIAG_CFLUSH_FEEDS,
	M_DIAG_CFLUSH_CTXT,
	M_DIAG_CFLUSH_CPU_NS,
	M_DIAG_LIFE_PCPU_KB,
	M_DIAG_LIFE_CTXT,
	BENCH_NR_METRICS,
};

static const char * const bench_metric_names[BENCH_NR_METRICS] = {
	[M_TINY_NS]		= "tiny_ns_per_work",
	[M_BURST_QUEUE_NS]	= "burst_queue_ns_per_work",
	[M_BURST_RUN_NS]	= "burst_run_ns_per_work",
	[M_LAT_SAME_P50]	= "latency_same_cpu_p50_ns",
	[M_LAT_SAME_P99]	= "latency_same_cpu_p99_ns",
	[M_LAT_OTHER_P50]	= "latency_other_cpu_p50_ns",
	[M_LAT_OTHER_P99]	= "latency_other_cpu_p99_ns",
	[M_SLEEP_WALL_US]	= "sleep64_wall_us",
	[M_SLEEP_WORKERS]	= "sleep64_workers",
	[M_SLEEP256_WALL_US]	= "sleep256_wall_us",
	[M_SLEEP256_WORKERS]	= "sleep256_workers",
	[M_SLEEP1024_WALL_US]	= "sleep1024_wall_us",
	[M_SLEEP1024_WORKERS]	= "sleep1024_workers",
	[M_PENDING_NS]		= "pending_requeue_ns_per_call",
	[M_IDLE_FLUSH_NS]	= "idle_flush_ns_per_call",
	[M_IDLE_DRAIN_NS]	= "idle_drain_ns_per_call",
	[M_IDLE_CANCEL_NS]	= "idle_cancel_sync_ns_per_call",
	[M_CFLUSH_NS]		= "concurrent_flush_ns_per_flush",
	[M_LIFECYCLE_NS]	= "queue_lifecycle_ns_per_queue",
	[M_QUEUE_SLAB_BYTES]	= "queue_slab_bytes",
	[M_QUEUE_PCPU_BYTES]	= "queue_percpu_bytes",
	[M_UNBOUND_PCPU_BYTES]	= "unbound_queue_percpu_bytes",
	[M_DIAG_TINY_EARLY]	= "diag_tiny_done_while_queueing",
	[M_DIAG_TINY_PREEMPT]	= "diag_tiny_queuer_preempted",
	[M_DIAG_TINY_CTXT]	= "diag_tiny_context_switches",
	[M_DIAG_CFLUSH_FEEDS]	= "diag_flush8_feeder_runs",
	[M_DIAG_CFLUSH_CTXT]	= "diag_flush8_context_switches",
	[M_DIAG_CFLUSH_CPU_NS]	= "diag_flush8_flusher_cpu_ns",
	[M_DIAG_LIFE_PCPU_KB]	= "diag_lifecycle_percpu_kb_populated",
	[M_DIAG_LIFE_CTXT]	= "diag_lifecycle_context_switches",
};

/*
 * One work item for either side: each side queues its own member and
 * both dispatch to the same body, so the work functions do the same
 * thing at the same cost.
 */
struct bench_item {
	struct work_struct	kwork;
	struct cmwq_work	cwork;
	void			(*body)(struct bench_item *item);
	u64			queued_ns;
	u64			started_ns;
	struct task_struct	*task;
	/* where a feeder requeues itself */
	const struct bench_side	*side;
	int			cpu;
};

/* The works of one batch count down; the last one completes the batch. */
static atomic_t bench_remaining;
static DECLARE_COMPLETION(bench_batch_done);
/* Lets the blocker of the pending test return. */
static DECLARE_COMPLETION(bench_release);
/* Tells the feeder of the concurrent flushes to stop requeueing. */
static bool bench_feed_stop;
/* How many times the feeder ran. */
static atomic_t bench_feeds;

static void bench_work_done(void)
{
	if (atomic_dec_and_test(&bench_remaining))
		complete(&bench_batch_done);
}

static void tiny_body(struct bench_item *item)
{
	bench_work_done();
}

static void stamp_body(struct bench_item *item)
{
	item->started_ns = ktime_get_ns();
	bench_work_done();
}

static void sleep_body(struct bench_item *item)
{
	item->task = current;
	msleep(BENCH_SLEEP_MS);
	bench_work_done();
}

static void blocker_body(struct bench_item *item)
{
	/* bounded, so that a failing benchmark cannot wedge the queue */
	wait_for_completion_timeout(&bench_release, BENCH_TIMEOUT);
	bench_work_done();
}

/* What the benchmark needs of a workqueue implementation. */
struct bench_side {
	const char *name;
	int (*create)(void);
	void (*destroy)(void);
	void (*init_item)(struct bench_item *item,
			  void (*body)(struct bench_item *item));
	bool (*queue)(enum bench_queue q, int cpu, struct bench_item *item);
	/* queue @item @n times on BENCH_Q_SERIAL, return how many queued */
	unsigned int (*requeue)(int cpu, struct bench_item *item,
				unsigned int n);
	void (*flush_item)(struct bench_item *item);
	void (*flush)(enum bench_queue q);
	void (*drain)(enum bench_queue q);
	void (*cancel_sync)(struct bench_item *item);
	/*
	 * allocate queues @from to @to - 1 of its own, with the defaults,
	 * unbound if @unbound, kept until free_queues(); 0 or -ENOMEM
	 */
	int (*make_queues)(unsigned int from, unsigned int to, bool unbound);
	/* destroy every queue make_queues() made */
	void (*free_queues)(void);
	/* wait until the queues destroyed so far are freed */
	void (*settle)(void);
};

/* The kernel's workqueue. */

static struct workqueue_struct *kern_queues[BENCH_NR_QUEUES];

static void kern_destroy(void)
{
	int q;

	for (q = 0; q < BENCH_NR_QUEUES; q++) {
		if (kern_queues[q])
			destroy_workqueue(kern_queues[q]);
		kern_queues[q] = NULL;
	}
}

static int kern_create(void)
{
	kern_queues[BENCH_Q_MAIN] = alloc_workqueue("bench_kwq", 0, 0);
	kern_queues[BENCH_Q_SERIAL] = alloc_workqueue("bench_kwq1", 0, 1);
	if (kern_queues[BENCH_Q_MAIN] && kern_queues[BENCH_Q_SERIAL])
		return 0;
	kern_destroy();
	return -ENOMEM;
}

static void kern_work_fn(struct work_struct *work)
{
	struct bench_item *item = container_of(work, struct bench_item,
					       kwork);

	item->body(item);
}

static void kern_init_item(struct bench_item *item,
			   void (*body)(struct bench_item *item))
{
	INIT_WORK(&item->kwork, kern_work_fn);
	item->body = body;
}

static bool kern_queue(enum bench_queue q, int cpu, struct bench_item *item)
{
	return queue_work_on(cpu, kern_queues[q], &item->kwork);
}

static unsigned int kern_requeue(int cpu, struct bench_item *item,
				 unsigned int n)
{
	struct workqueue_struct *wq = kern_queues[BENCH_Q_SERIAL];
	unsigned int i, queued = 0;

	for (i = 0; i < n; i++)
		queued += queue_work_on(cpu, wq, &item->kwork);
	return queued;
}

static void kern_flush_item(struct bench_item *item)
{
	flush_work(&item->kwork);
}

static void kern_flush(enum bench_queue q)
{
	flush_workqueue(kern_queues[q]);
}

static void kern_drain(enum bench_queue q)
{
	drain_workqueue(kern_queues[q]);
}

static void kern_cancel_sync(struct bench_item *item)
{
	cancel_work_sync(&item->kwork);
}

static struct workqueue_struct *kern_extra_wqs[BENCH_NR_EXTRA_QUEUES];

static int kern_make_queues(unsigned int from, unsigned int to, bool unbound)
{
	for (; from < to; from++) {
		kern_extra_wqs[from] = alloc_workqueue("bench_klife",
						       unbound ? WQ_UNBOUND : 0,
						       0);
		if (!kern_extra_wqs[from])
			return -ENOMEM;
	}
	return 0;
}

static void kern_free_queues(void)
{
	int i;

	for (i = 0; i < BENCH_NR_EXTRA_QUEUES; i++) {
		if (kern_extra_wqs[i])
			destroy_workqueue(kern_extra_wqs[i]);
		kern_extra_wqs[i] = NULL;
	}
}

static void kern_settle(void)
{
	/*
	 * 6.1 frees a per-CPU queue from an RCU callback.  Later kernels
	 * first put its pool_workqueues on a kthread_worker of their own,
	 * which a module cannot wait for.
	 */
	rcu_barrier();
}

/* cmwq. */

static struct cmwq_workqueue *cm_queues[BENCH_NR_QUEUES];

static void cm_destroy(void)
{
	int q;

	for (q = 0; q < BENCH_NR_QUEUES; q++) {
		if (cm_queues[q])
			cmwq_destroy_workqueue(cm_queues[q]);
		cm_queues[q] = NULL;
	}
}

static int cm_create(void)
{
	cm_queues[BENCH_Q_MAIN] = cmwq_alloc_workqueue("bench_cwq", 0, 0);
	cm_queues[BENCH_Q_SERIAL] = cmwq_alloc_workqueue("bench_cwq1", 0, 1);
	if (cm_queues[BENCH_Q_MAIN] && cm_queues[BENCH_Q_SERIAL])
		return 0;
	cm_destroy();
	return -ENOMEM;
}

static void cm_work_fn(struct cmwq_work *work)
{
	struct bench_item *item = container_of(work, struct bench_item,
					       cwork);

	item->body(item);
}

static void cm_init_item(struct bench_item *item,
			 void (*body)(struct bench_item *item))
{
	CMWQ_INIT_WORK(&item->cwork, cm_work_fn);
	item->body = body;
}

static bool cm_queue(enum bench_queue q, int cpu, struct bench_item *item)
{
	return cmwq_queue_work_on(cpu, cm_queues[q], &item->cwork);
}

static unsigned int cm_requeue(int cpu, struct bench_item *item,
			       unsigned int n)
{
	struct cmwq_workqueue *wq = cm_queues[BENCH_Q_SERIAL];
	unsigned int i, queued = 0;

	for (i = 0; i < n; i++)
		queued += cmwq_queue_work_on(cpu, wq, &item->cwork);
	return queued;
}

static void cm_flush_item(struct bench_item *item)
{
	cmwq_flush_work(&item->cwork);
}

static void cm_flush(enum bench_queue q)
{
	cmwq_flush_workqueue(cm_queues[q]);
}

static void cm_drain(enum bench_queue q)
{
	cmwq_drain_workqueue(cm_queues[q]);
}

static void cm_cancel_sync(struct bench_item *item)
{
	cmwq_cancel_work_sync(&item->cwork);
}

static struct cmwq_workqueue *cm_extra_wqs[BENCH_NR_EXTRA_QUEUES];

static int cm_make_queues(unsigned int from, unsigned int to, bool unbound)
{
	for (; from < to; from++) {
		cm_extra_wqs[from] =
			cmwq_alloc_workqueue("bench_clife",
					     unbound ? CMWQ_UNBOUND : 0, 0);
		if (!cm_extra_wqs[from])
			return -ENOMEM;
	}
	return 0;
}

static void cm_free_queues(void)
{
	int i;

	for (i = 0; i < BENCH_NR_EXTRA_QUEUES; i++) {
		if (cm_extra_wqs[i])
			cmwq_destroy_workqueue(cm_extra_wqs[i]);
		cm_extra_wqs[i] = NULL;
	}
}

static void cm_settle(void)
{
	/*
	 * An RCU callback frees a destroyed queue, or with lockdep queues
	 * the work that does
	 */
	rcu_barrier();
	cmwq_flush_workqueue(cmwq_system_unbound_wq);
}

enum { SIDE_KERNEL, SIDE_CMWQ, BENCH_NR_SIDES };

static const struct bench_side bench_sides[BENCH_NR_SIDES] = {
	[SIDE_KERNEL] = {
		.name		= "kernel",
		.create		= kern_create,
		.destroy	= kern_destroy,
		.init_item	= kern_init_item,
		.queue		= kern_queue,
		.requeue	= kern_requeue,
		.flush_item	= kern_flush_item,
		.flush		= kern_flush,
		.drain		= kern_drain,
		.cancel_sync	= kern_cancel_sync,
		.make_queues	= kern_make_queues,
		.free_queues	= kern_free_queues,
		.settle		= kern_settle,
	},
	[SIDE_CMWQ] = {
		.name		= "cmwq",
		.create		= cm_create,
		.destroy	= cm_destroy,
		.init_item	= cm_init_item,
		.queue		= cm_queue,
		.requeue	= cm_requeue,
		.flush_item	= cm_flush_item,
		.flush		= cm_flush,
		.drain		= cm_drain,
		.cancel_sync	= cm_cancel_sync,
		.make_queues	= cm_make_queues,
		.free_queues	= cm_free_queues,
		.settle		= cm_settle,
	},
};

/* What every workload shares. */
struct bench_ctx {
	struct bench_item	*items;		/* BENCH_NR_TINY */
	u64			*samples;	/* BENCH_NR_LATENCY */
	int			*cpus;		/* the online CPUs */
	int			nr_cpus;
	int			this_cpu;	/* where the benchmark runs */
	int			other_cpu;	/* another online CPU */
	char			*proc_buf;	/* BENCH_PROC_BUF */
};

/* By side, metric and round. */
static u64 bench_results[BENCH_NR_SIDES][BENCH_NR_METRICS][BENCH_NR_ROUNDS];

static void bench_arm(int nr_works)
{
	reinit_completion(&bench_batch_done);
	atomic_set(&bench_remaining, nr_works);
}

static int bench_wait(const struct bench_side *side, const char *what)
{
	if (wait_for_completion_timeout(&bench_batch_done, BENCH_TIMEOUT))
		return 0;
	pr_err("FAILED %s %s: no completion within %d s\n", side->name, what,
	       BENCH_TIMEOUT / HZ);
	return -ETIMEDOUT;
}

static int bench_burst(const struct bench_side *side, struct bench_ctx *ctx,
		       u64 *res)
{
	u64 start, queued, ran;
	int i, ret;

	BUILD_BUG_ON(BENCH_NR_BURST > BENCH_NR_TINY);
	for (i = 0; i < BENCH_NR_BURST; i++)
		side->init_item(&ctx->items[i], tiny_body);
	bench_arm(BENCH_NR_BURST);

	preempt_disable();
	start = ktime_get_ns();
	for (i = 0; i < BENCH_NR_BURST; i++)
		side->queue(BENCH_Q_MAIN, ctx->this_cpu, &ctx->items[i]);
	queued = ktime_get_ns();
	preempt_enable();
	ret = bench_wait(side, "burst");
	if (ret)
		return ret;
	ran = ktime_get_ns();
	side->flush(BENCH_Q_MAIN);
	res[M_BURST_QUEUE_NS] = div_u64(queued - start, BENCH_NR_BURST);
	res[M_BURST_RUN_NS] = div_u64(ran - queued, BENCH_NR_BURST);
	return 0;
}

static int bench_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/*
 * The number after @key at the start of a line of the proc file @path,
 * such as "Percpu:" in /proc/meminfo.  Read through the file as a task
 * would, since what the file shows is not exported: pcpu_nr_pages() for
 * the percpu line.  The guest's /init mounted /proc before loading us.
 */
static int bench_proc_value(struct bench_ctx *ctx, const char *path,
			    const char *key, u64 *val)
{
	size_t keylen = strlen(key), len = 0;
	char *buf = ctx->proc_buf, *line;
	struct file *file;
	loff_t pos = 0;
	ssize_t n;

	file = filp_open(path, O_RDONLY, 0);
	if (IS_ERR(file))
		return PTR_ERR(file);
	do {
		n = kernel_read(file, buf + len, BENCH_PROC_BUF - 1 - len, &pos);
		if (n > 0)
			len += n;
	} while (n > 0 && len < BENCH_PROC_BUF - 1);
	filp_close(file, NULL);
	if (n < 0)
		return n;
	buf[len] = '\0';

	for (line = buf; line; line = strchr(line, '\n')) {
		if (*line == '\n')
			line++;
		if (!strncmp(line, key, keylen))
			return sscanf(line + keylen, " %llu", val) == 1 ?
				0 : -EINVAL;
	}
	return -ENOENT;
}

/*
 * The percpu allocator's populated memory in KB, once it stopped moving.
 * Allocating and freeing percpu memory schedules its balance work, which
 * populates pages ahead of atomic allocations and depopulates the empty
 * pages of chunks that frees left at least a quarter empty; read until
 * two reads BENCH_PCPU_SETTLE_MS apart agree.
 */
#define BENCH_PCPU_SETTLE_MS	20
static int bench_percpu_kb(struct bench_ctx *ctx, u64 *kb)
{
	u64 prev;
	int tries = 10, ret;

	ret = bench_proc_value(ctx, "/proc/meminfo", "Percpu:", kb);
	if (ret)
		return ret;
	do {
		prev = *kb;
		msleep(BENCH_PCPU_SETTLE_MS);
		ret = bench_proc_value(ctx, "/proc/meminfo", "Percpu:", kb);
	} while (!ret && *kb != prev && --tries);
	return ret;
}

/*
 * Context switches on all CPUs since boot (the ctxt line of /proc/stat),
 * or 0 if the file cannot be read: wake-ups and sleeps are what separate
 * a cheap run of a shape from a costly one.
 */
static u64 bench_ctxt(struct bench_ctx *ctx)
{
	u64 ctxt;

	return bench_proc_value(ctx, "/proc/stat", "ctxt", &ctxt) ? 0 : ctxt;
}

static int bench_tiny(const struct bench_side *side, struct bench_ctx *ctx,
		      u64 *res)
{
	u64 start, ctxt, nivcsw;
	int i, ret;

	for (i = 0; i < BENCH_NR_TINY; i++)
		side->init_item(&ctx->items[i], tiny_body);
	bench_arm(BENCH_NR_TINY);

	ctxt = bench_ctxt(ctx);
	nivcsw = current->nivcsw;
	start = ktime_get_ns();
	for (i = 0; i < BENCH_NR_TINY; i++)
		side->queue(BENCH_Q_MAIN, ctx->cpus[i % ctx->nr_cpus],
			    &ctx->items[i]);
	/* how far the workers kept up, and how often ours took our CPU */
	res[M_DIAG_TINY_EARLY] = BENCH_NR_TINY - atomic_read(&bench_remaining);
	res[M_DIAG_TINY_PREEMPT] = current->nivcsw - nivcsw;
	ret = bench_wait(side, "tiny works");
	if (ret)
		return ret;
	side->flush(BENCH_Q_MAIN);
	res[M_TINY_NS] = div_u64(ktime_get_ns() - start, BENCH_NR_TINY);
	res[M_DIAG_TINY_CTXT] = bench_ctxt(ctx) - ctxt;
	return 0;
}

static int bench_latency(const struct bench_side *side, struct bench_ctx *ctx,
			 int cpu, const char *what, u64 *p50, u64 *p99)
{
	struct bench_item *item = &ctx->items[0];
	int i, ret;

	side->init_item(item, stamp_body);
	for (i = 0; i < BENCH_NR_LATENCY; i++) {
		bench_arm(1);
		item->queued_ns = ktime_get_ns();
		side->queue(BENCH_Q_MAIN, cpu, item);
		ret = bench_wait(side, what);
		if (ret)
			return ret;
		/* let the worker finish, so the next sample finds it idle */
		side->flush_item(item);
		ctx->samples[i] = item->started_ns - item->queued_ns;
	}
	sort(ctx->samples, BENCH_NR_LATENCY, sizeof(*ctx->samples),
	     bench_cmp_u64, NULL);
	*p50 = ctx->samples[BENCH_NR_LATENCY / 2];
	*p99 = ctx->samples[BENCH_NR_LATENCY * 99 / 100];
	return 0;
}

static int bench_sleepers(const struct bench_side *side, struct bench_ctx *ctx,
			  int nr, u64 *wall_us, u64 *workers)
{
	struct bench_item *items = ctx->items;
	u64 start, wall;
	int i, j, ret, nr_tasks = 0;

	for (i = 0; i < nr; i++) {
		side->init_item(&items[i], sleep_body);
		items[i].task = NULL;
	}
	bench_arm(nr);

	start = ktime_get_ns();
	for (i = 0; i < nr; i++)
		side->queue(BENCH_Q_MAIN, ctx->other_cpu, &items[i]);
	ret = bench_wait(side, "sleeping works");
	if (ret)
		return ret;
	wall = ktime_get_ns() - start;
	side->flush(BENCH_Q_MAIN);

	/* count each task at its first appearance */
	for (i = 0; i < nr; i++) {
		for (j = 0; j < i && items[j].task != items[i].task; j++)
			;
		nr_tasks += j == i;
	}
	*wall_us = div_u64(wall, NSEC_PER_USEC);
	*workers = nr_tasks;
	return 0;
}

static int bench_pending(const struct bench_side *side, struct bench_ctx *ctx,
			 u64 *res)
{
	struct bench_item *blocker = &ctx->items[0];
	struct bench_item *pending = &ctx->items[1];
	unsigned int queued;
	u64 start, elapsed;
	int ret;

	side->init_item(blocker, blocker_body);
	side->init_item(pending, tiny_body);
	reinit_completion(&bench_release);
	bench_arm(2);

	/* max_active = 1: @pending waits behind @blocker until released */
	side->queue(BENCH_Q_SERIAL, ctx->this_cpu, blocker);
	side->queue(BENCH_Q_SERIAL, ctx->this_cpu, pending);
	start = ktime_get_ns();
	queued = side->requeue(ctx->this_cpu, pending, BENCH_NR_REQUEUE);
	elapsed = ktime_get_ns() - start;
	complete(&bench_release);

	ret = bench_wait(side, "pending requeue");
	if (ret)
		return ret;
	side->flush(BENCH_Q_SERIAL);
	if (queued) {
		pr_err("FAILED %s pending requeue: %u of %d calls queued a pending work\n",
		       side->name, queued, BENCH_NR_REQUEUE);
		return -EINVAL;
	}
	res[M_PENDING_NS] = div_u64(elapsed, BENCH_NR_REQUEUE);
	return 0;
}

/*
 * Flush, drain and cancel with nothing to wait for, as a driver's
 * teardown or reset path calls them most of the time: what each call
 * costs by itself.
 */
static int bench_idle(const struct bench_side *side, struct bench_ctx *ctx,
		      u64 *res)
{
	struct bench_item *item = &ctx->items[0];
	u64 start;
	int i, ret;

	/* a work that ran once, on a queue that ran it */
	side->init_item(item, tiny_body);
	bench_arm(1);
	side->queue(BENCH_Q_MAIN, ctx->this_cpu, item);
	ret = bench_wait(side, "idle work");
	if (ret)
		return ret;
	side->flush_item(item);

	start = ktime_get_ns();
	for (i = 0; i < BENCH_NR_IDLE_FLUSH; i++)
		side->flush(BENCH_Q_MAIN);
	res[M_IDLE_FLUSH_NS] = div_u64(ktime_get_ns() - start,
				       BENCH_NR_IDLE_FLUSH);

	start = ktime_get_ns();
	for (i = 0; i < BENCH_NR_IDLE_FLUSH; i++)
		side->drain(BENCH_Q_MAIN);
	res[M_IDLE_DRAIN_NS] = div_u64(ktime_get_ns() - start,
				       BENCH_NR_IDLE_FLUSH);

	start = ktime_get_ns();
	for (i = 0; i < BENCH_NR_IDLE_CANCEL; i++)
		side->cancel_sync(item);
	res[M_IDLE_CANCEL_NS] = div_u64(ktime_get_ns() - start,
					BENCH_NR_IDLE_CANCEL);
	return 0;
}

/* Keeps the queue busy on its CPU until told to stop. */
static void feed_body(struct bench_item *item)
{
	u64 end = ktime_get_ns() + BENCH_FEED_NS;

	while (ktime_get_ns() < end)
		cpu_relax();
	atomic_inc(&bench_feeds);
	if (READ_ONCE(bench_feed_stop))
		bench_work_done();
	else
		item->side->queue(BENCH_Q_MAIN, item->cpu, item);
}

/*
 * The concurrent flushers: each says it is ready, waits for the word to
 * go, flushes BENCH_NR_FLUSHES times and counts itself out.
 */
static const struct bench_side *bench_flushers_side;
static atomic_t bench_flushers_unready;
static atomic_t bench_flushers_running;
static DECLARE_COMPLETION(bench_flushers_ready);
static DECLARE_COMPLETION(bench_flushers_go);
static DECLARE_COMPLETION(bench_flushers_done);
static bool bench_flushers_abort;

static int bench_flusher_fn(void *unused)
{
	const struct bench_side *side = bench_flushers_side;
	int i;

	if (atomic_dec_and_test(&bench_flushers_unready))
		complete(&bench_flushers_ready);
	/* the benchmark always says go, if only to abort: bounded all the same */
	if (!wait_for_completion_timeout(&bench_flushers_go, BENCH_TIMEOUT) ||
	    READ_ONCE(bench_flushers_abort))
		return 0;
	for (i = 0; i < BENCH_NR_FLUSHES; i++)
		side->flush(BENCH_Q_MAIN);
	if (atomic_dec_and_test(&bench_flushers_running))
		complete(&bench_flushers_done);
	return 0;
}

/*
 * Start the flushers on @cpu; 0 when all are waiting for the word to go.
 * @threads gets a reference on each, for kthread_stop().
 */
static int bench_flushers_start(const struct bench_side *side, int cpu,
				struct task_struct **threads)
{
	struct task_struct *t;
	int i;

	bench_flushers_side = side;
	WRITE_ONCE(bench_flushers_abort, false);
	atomic_set(&bench_flushers_unready, BENCH_NR_FLUSHERS);
	atomic_set(&bench_flushers_running, BENCH_NR_FLUSHERS);
	reinit_completion(&bench_flushers_ready);
	reinit_completion(&bench_flushers_go);
	reinit_completion(&bench_flushers_done);
	for (i = 0; i < BENCH_NR_FLUSHERS; i++) {
		t = kthread_create(bench_flusher_fn, NULL, "bench_flush/%d", i);
		if (IS_ERR(t)) {
			pr_err("FAILED %s concurrent flush: no thread (%ld)\n",
			       side->name, PTR_ERR(t));
			return PTR_ERR(t);
		}
		/* for kthread_stop(), even if it returned long before */
		get_task_struct(t);
		threads[i] = t;
		kthread_bind(t, cpu);
		wake_up_process(t);
	}
	if (wait_for_completion_timeout(&bench_flushers_ready, BENCH_TIMEOUT))
		return 0;
	pr_err("FAILED %s concurrent flush: flushers not started within %d s\n",
	       side->name, BENCH_TIMEOUT / HZ);
	return -ETIMEDOUT;
}

/*
 * BENCH_NR_FLUSHERS threads flush the per-CPU queue at once while a
 * feeder keeps it busy, requeueing itself after spinning BENCH_FEED_NS:
 * each flush has a work in flight to wait for.  The feeder spins on the
 * other CPU and the flushers run on the benchmark's, so that a flush
 * waits for the work and not for a CPU that the feeder holds.  The wall
 * time from the word to go to the last flush returning, per flush.
 */
static int bench_concurrent_flush(const struct bench_side *side,
				  struct bench_ctx *ctx, u64 *res)
{
	struct task_struct *threads[BENCH_NR_FLUSHERS] = {};
	struct bench_item *feeder = &ctx->items[0];
	u64 start, elapsed = 0, ctxt, cpu = 0;
	int i, ret, fed, feeds;

	WRITE_ONCE(bench_feed_stop, false);
	bench_arm(1);
	side->init_item(feeder, feed_body);
	feeder->side = side;
	feeder->cpu = ctx->other_cpu;
	side->queue(BENCH_Q_MAIN, feeder->cpu, feeder);

	ret = bench_flushers_start(side, ctx->this_cpu, threads);
	if (ret)
		WRITE_ONCE(bench_flushers_abort, true);
	/* all asleep until the word to go: their CPU time so far is still */
	for (i = 0; i < BENCH_NR_FLUSHERS && threads[i]; i++)
		cpu -= READ_ONCE(threads[i]->se.sum_exec_runtime);
	ctxt = bench_ctxt(ctx);
	feeds = atomic_read(&bench_feeds);
	start = ktime_get_ns();
	complete_all(&bench_flushers_go);
	if (!ret) {
		if (wait_for_completion_timeout(&bench_flushers_done,
						BENCH_TIMEOUT)) {
			elapsed = ktime_get_ns() - start;
			feeds = atomic_read(&bench_feeds) - feeds;
			ctxt = bench_ctxt(ctx) - ctxt;
		} else {
			pr_err("FAILED %s concurrent flush: flushes not done within %d s\n",
			       side->name, BENCH_TIMEOUT / HZ);
			ret = -ETIMEDOUT;
		}
	}

	/* whatever happened: with the feeder gone the flushers finish */
	WRITE_ONCE(bench_feed_stop, true);
	fed = bench_wait(side, "concurrent flush feeder");
	for (i = 0; i < BENCH_NR_FLUSHERS && threads[i]; i++) {
		kthread_stop(threads[i]);
		/* exited: the CPU time their flushes took is final */
		cpu += READ_ONCE(threads[i]->se.sum_exec_runtime);
		put_task_struct(threads[i]);
	}
	if (ret || fed)
		return ret ?: fed;
	side->flush(BENCH_Q_MAIN);
	res[M_CFLUSH_NS] = div_u64(elapsed,
				   BENCH_NR_FLUSHERS * BENCH_NR_FLUSHES);
	res[M_DIAG_CFLUSH_FEEDS] = feeds;
	res[M_DIAG_CFLUSH_CTXT] = ctxt;
	res[M_DIAG_CFLUSH_CPU_NS] = div_u64(cpu,
					    BENCH_NR_FLUSHERS * BENCH_NR_FLUSHES);
	return 0;
}

/*
 * BENCH_NR_LIFECYCLE queues allocated, then destroyed.  What the queues
 * destroyed just before (by the other side, in the run before) leave to
 * do is waited for first, so that no side pays for the other's: their
 * RCU callbacks, and the percpu allocator's balance work that the frees
 * scheduled, which depopulates pages.  The same queues are made and
 * destroyed once untimed before: the percpu memory shape before this one
 * has reclaim depopulate pages, and whichever side ran first in a round
 * had to populate them again (24 KB at 2 CPUs, the only run with context
 * switches), while the other found them populated.  So both sides are
 * timed with the pages that the queues take populated, which is what a
 * driver making queues again and again meets.
 */
static int bench_lifecycle(const struct bench_side *side,
			   struct bench_ctx *ctx, u64 *res)
{
	u64 start, end, kb = 0, kb_after = 0, ctxt;
	int i, ret;

	ret = side->make_queues(0, BENCH_NR_LIFECYCLE, false);
	side->free_queues();
	if (ret) {
		pr_err("FAILED %s queue lifecycle: out of memory\n", side->name);
		return ret;
	}
	for (i = 0; i < BENCH_NR_SIDES; i++)
		bench_sides[i].settle();
	bench_percpu_kb(ctx, &kb);
	ctxt = bench_ctxt(ctx);
	start = ktime_get_ns();
	BUILD_BUG_ON(BENCH_NR_LIFECYCLE > BENCH_NR_EXTRA_QUEUES);
	ret = side->make_queues(0, BENCH_NR_LIFECYCLE, false);
	side->free_queues();
	end = ktime_get_ns();
	if (ret) {
		pr_err("FAILED %s queue lifecycle: out of memory\n", side->name);
		return ret;
	}
	/* the frees wait for RCU: what the allocations had to populate */
	bench_proc_value(ctx, "/proc/meminfo", "Percpu:", &kb_after);
	res[M_DIAG_LIFE_PCPU_KB] = kb_after > kb ? kb_after - kb : 0;
	res[M_DIAG_LIFE_CTXT] = bench_ctxt(ctx) - ctxt;
	res[M_LIFECYCLE_NS] = div_u64(end - start,
				      BENCH_NR_LIFECYCLE);
	return 0;
}

/*
 * Slab pages in use, reclaimable or not.  The global counters lag behind
 * by what each CPU has not folded into them yet, up to its stat_threshold
 * (tens of pages), so add that, as zone_page_state_snapshot() does for
 * the zone counters.
 */
static long bench_slab_pages_once(void)
{
	static const enum node_stat_item items[] = {
		NR_SLAB_RECLAIMABLE_B, NR_SLAB_UNRECLAIMABLE_B,
	};
	struct per_cpu_nodestat *pcp;
	long pages = 0;
	unsigned int i;
	int nid, cpu;

	for (i = 0; i < ARRAY_SIZE(items); i++) {
		pages += global_node_page_state_pages(items[i]);
		for_each_online_node(nid) {
			for_each_possible_cpu(cpu) {
				pcp = per_cpu_ptr(NODE_DATA(nid)->per_cpu_nodestats,
						  cpu);
				pages += READ_ONCE(pcp->vm_node_stat_diff[items[i]]);
			}
		}
	}
	return pages;
}

/* Read until two reads agree: a fold in between could count pages twice. */
static long bench_slab_pages(void)
{
	long prev, pages = bench_slab_pages_once();
	int tries = 10;

	do {
		prev = pages;
		pages = bench_slab_pages_once();
	} while (pages != prev && --tries);
	return pages;
}

/*
 * How much slab memory a queue with the defaults takes.  The first
 * BENCH_NR_MEM_QUEUES queues use up the free objects that the slab caches
 * kept from queues destroyed earlier (by the lifecycle shape, by the other
 * side); the next BENCH_NR_MEM_QUEUES grow the caches by what they take.
 * The queues are freed before the next shape, on either side, runs.
 */
static int bench_queue_bytes(const struct bench_side *side,
			     struct bench_ctx *ctx, u64 *res)
{
	long before = 0, after = 0;
	int ret;

	side->settle();
	ret = side->make_queues(0, BENCH_NR_MEM_QUEUES, false);
	if (!ret) {
		before = bench_slab_pages();
		ret = side->make_queues(BENCH_NR_MEM_QUEUES,
					2 * BENCH_NR_MEM_QUEUES, false);
		after = bench_slab_pages();
	}
	side->free_queues();
	side->settle();
	if (ret) {
		pr_err("FAILED %s queue memory: out of memory\n", side->name);
		return ret;
	}
	/* a shrink meanwhile (someone else freeing slabs) reads as 0 */
	res[M_QUEUE_SLAB_BYTES] = after > before ?
		div_u64((after - before) * PAGE_SIZE, BENCH_NR_MEM_QUEUES) : 0;
	return 0;
}

/*
 * How much percpu memory a queue takes, per-CPU (@unbound false) or
 * unbound.  Percpu memory is populated a page per possible CPU at a time,
 * so the figure is the growth over BENCH_NR_PCPU_QUEUES queues.  The
 * first BENCH_NR_PCPU_QUEUES queues use up the populated space that frees
 * left (by the other side, by earlier shapes, up to a quarter of a chunk
 * that reclaim leaves populated); the next ones populate what they take.
 * Both the queue's destruction (an RCU callback frees the per-CPU part)
 * and the allocator's reclaim are waited for before and after.  Without
 * /proc/meminfo the figure is 0 and the bench goes on.
 */
static int bench_queue_percpu(const struct bench_side *side,
			      struct bench_ctx *ctx, bool unbound, u64 *res)
{
	u64 before = 0, after = 0;
	int ret, err;

	side->settle();
	ret = side->make_queues(0, BENCH_NR_PCPU_QUEUES, unbound);
	if (!ret) {
		err = bench_percpu_kb(ctx, &before);
		ret = side->make_queues(BENCH_NR_PCPU_QUEUES,
					2 * BENCH_NR_PCPU_QUEUES, unbound);
		if (!err)
			err = bench_percpu_kb(ctx, &after);
		if (err)
			pr_warn("%s percpu memory: no Percpu: line in /proc/meminfo (%d)\n",
				side->name, err);
	}
	side->free_queues();
	side->settle();
	if (ret) {
		pr_err("FAILED %s queue percpu memory: out of memory\n",
		       side->name);
		return ret;
	}
	/* a shrink meanwhile (reclaim of others' frees) reads as 0 */
	*res = after > before ?
		div_u64((after - before) * 1024, BENCH_NR_PCPU_QUEUES) : 0;
	return 0;
}

static int bench_latency_same(const struct bench_side *side,
			      struct bench_ctx *ctx, u64 *res)
{
	return bench_latency(side, ctx, ctx->this_cpu, "same-CPU latency",
			     &res[M_LAT_SAME_P50], &res[M_LAT_SAME_P99]);
}

static int bench_latency_other(const struct bench_side *side,
			       struct bench_ctx *ctx, u64 *res)
{
	return bench_latency(side, ctx, ctx->other_cpu, "other-CPU latency",
			     &res[M_LAT_OTHER_P50], &res[M_LAT_OTHER_P99]);
}

static int bench_sleep64(const struct bench_side *side, struct bench_ctx *ctx,
			 u64 *res)
{
	return bench_sleepers(side, ctx, BENCH_NR_SLEEPERS,
			      &res[M_SLEEP_WALL_US], &res[M_SLEEP_WORKERS]);
}

static int bench_sleep256(const struct bench_side *side,
			  struct bench_ctx *ctx, u64 *res)
{
	return bench_sleepers(side, ctx, BENCH_NR_SLEEPERS_MANY,
			      &res[M_SLEEP256_WALL_US],
			      &res[M_SLEEP256_WORKERS]);
}

static int bench_sleep1024(const struct bench_side *side,
			   struct bench_ctx *ctx, u64 *res)
{
	return bench_sleepers(side, ctx, BENCH_NR_SLEEPERS_MOST,
			      &res[M_SLEEP1024_WALL_US],
			      &res[M_SLEEP1024_WORKERS]);
}

static int bench_percpu_bound(const struct bench_side *side,
			      struct bench_ctx *ctx, u64 *res)
{
	return bench_queue_percpu(side, ctx, false, &res[M_QUEUE_PCPU_BYTES]);
}

static int bench_percpu_unbound(const struct bench_side *side,
				struct bench_ctx *ctx, u64 *res)
{
	return bench_queue_percpu(side, ctx, true, &res[M_UNBOUND_PCPU_BYTES]);
}

/* The median of @n values, of an even number the mean of the middle two. */
static u64 bench_median_of(u64 *v, int n)
{
	sort(v, n, sizeof(*v), bench_cmp_u64, NULL);
	return n % 2 ? v[n / 2] : div_u64(v[n / 2 - 1] + v[n / 2] + 1, 2);
}

/*
 * How many times per side and round the shapes that swing most run: two
 * A B B A blocks, so that a stall of the host in one run is left out of
 * each side's figure for the round (the median of four).
 */
#define BENCH_SWING_RUNS	4

/* A workload, as a round runs it on each side. */
struct bench_shape {
	int	(*run)(const struct bench_side *side, struct bench_ctx *ctx,
		       u64 *res);
	u64	metrics;	/* BIT_ULL() of each metric it fills */
	int	runs;		/* per side and round, if more than one */
};

static const struct bench_shape bench_shapes[] = {
	{ bench_tiny, BIT_ULL(M_TINY_NS) | BIT_ULL(M_DIAG_TINY_EARLY) |
		      BIT_ULL(M_DIAG_TINY_PREEMPT) | BIT_ULL(M_DIAG_TINY_CTXT),
	  BENCH_SWING_RUNS },
	{ bench_burst, BIT_ULL(M_BURST_QUEUE_NS) | BIT_ULL(M_BURST_RUN_NS) },
	{ bench_latency_same, BIT_ULL(M_LAT_SAME_P50) | BIT_ULL(M_LAT_SAME_P99) },
	{ bench_latency_other,
	  BIT_ULL(M_LAT_OTHER_P50) | BIT_ULL(M_LAT_OTHER_P99) },
	{ bench_idle, BIT_ULL(M_IDLE_FLUSH_NS) | BIT_ULL(M_IDLE_DRAIN_NS) |
		      BIT_ULL(M_IDLE_CANCEL_NS) },
	{ bench_sleep64, BIT_ULL(M_SLEEP_WALL_US) | BIT_ULL(M_SLEEP_WORKERS) },
	{ bench_sleep256,
	  BIT_ULL(M_SLEEP256_WALL_US) | BIT_ULL(M_SLEEP256_WORKERS) },
	{ bench_sleep1024,
	  BIT_ULL(M_SLEEP1024_WALL_US) | BIT_ULL(M_SLEEP1024_WORKERS) },
	{ bench_concurrent_flush, BIT_ULL(M_CFLUSH_NS) |
				  BIT_ULL(M_DIAG_CFLUSH_FEEDS) |
				  BIT_ULL(M_DIAG_CFLUSH_CTXT) |
				  BIT_ULL(M_DIAG_CFLUSH_CPU_NS),
	  BENCH_SWING_RUNS },
	{ bench_pending, BIT_ULL(M_PENDING_NS) },
	{ bench_lifecycle, BIT_ULL(M_LIFECYCLE_NS) |
			   BIT_ULL(M_DIAG_LIFE_PCPU_KB) |
			   BIT_ULL(M_DIAG_LIFE_CTXT),
	  BENCH_SWING_RUNS },
	{ bench_queue_bytes, BIT_ULL(M_QUEUE_SLAB_BYTES) },
	{ bench_percpu_bound, BIT_ULL(M_QUEUE_PCPU_BYTES) },
	{ bench_percpu_unbound, BIT_ULL(M_UNBOUND_PCPU_BYTES) },
};

/* By side, run and metric: the runs of one shape in one round. */
static u64 bench_runs[BENCH_NR_SIDES][BENCH_SWING_RUNS][BENCH_NR_METRICS];

/*
 * One round: each shape on side @first, then on the other, or for a
 * shape of several runs A B B A, A B B A..., into @res by side and
 * metric: a shape's one run, or the median of its runs.
 */
static int bench_round(struct bench_ctx *ctx, int first,
		       u64 res[BENCH_NR_SIDES][BENCH_NR_METRICS])
{
	const struct bench_shape *shape;
	int i, step, runs, side, run, m, ret;
	u64 v[BENCH_SWING_RUNS];

	BUILD_BUG_ON(BENCH_NR_METRICS > 64);
	memset(res, 0, sizeof(u64) * BENCH_NR_SIDES * BENCH_NR_METRICS);
	for (i = 0; i < ARRAY_SIZE(bench_shapes); i++) {
		shape = &bench_shapes[i];
		runs = shape->runs ?: 1;
		for (step = 0; step < 2 * runs; step++) {
			/* steps 1 and 2 of each four go to the other side */
			side = step % 4 == 1 || step % 4 == 2 ? !first : first;
			ret = shape->run(&bench_sides[side], ctx,
					 bench_runs[side][step / 2]);
			if (ret)
				return ret;
		}
		for (m = 0; m < BENCH_NR_METRICS; m++) {
			if (!(shape->metrics & BIT_ULL(m)))
				continue;
			for (side = 0; side < BENCH_NR_SIDES; side++) {
				for (run = 0; run < runs; run++)
					v[run] = bench_runs[side][run][m];
				res[side][m] = bench_median_of(v, runs);
			}
		}
	}
	return 0;
}

static void bench_print_round(const char *round, int side, const u64 *res)
{
	pr_info("round %s %-6s tiny=%llu burst=%llu/%llu lat_same=%llu/%llu lat_other=%llu/%llu sleep64=%lluus/%llu pending=%llu lifecycle=%llu\n",
		round, bench_sides[side].name,
		res[M_TINY_NS], res[M_BURST_QUEUE_NS], res[M_BURST_RUN_NS],
		res[M_LAT_SAME_P50], res[M_LAT_SAME_P99],
		res[M_LAT_OTHER_P50], res[M_LAT_OTHER_P99],
		res[M_SLEEP_WALL_US], res[M_SLEEP_WORKERS], res[M_PENDING_NS],
		res[M_LIFECYCLE_NS]);
	pr_info("round %s %-6s idle_flush=%llu idle_drain=%llu idle_cancel=%llu sleep256=%lluus/%llu sleep1024=%lluus/%llu flush8=%llu queue_slab=%llu queue_percpu=%llu/%llu\n",
		round, bench_sides[side].name,
		res[M_IDLE_FLUSH_NS], res[M_IDLE_DRAIN_NS],
		res[M_IDLE_CANCEL_NS], res[M_SLEEP256_WALL_US],
		res[M_SLEEP256_WORKERS], res[M_SLEEP1024_WALL_US],
		res[M_SLEEP1024_WORKERS], res[M_CFLUSH_NS],
		res[M_QUEUE_SLAB_BYTES], res[M_QUEUE_PCPU_BYTES],
		res[M_UNBOUND_PCPU_BYTES]);
	pr_info("round %s %-6s diag tiny_early=%llu tiny_preempt=%llu tiny_ctxt=%llu flush8_feeds=%llu flush8_ctxt=%llu flush8_cpu=%llu life_pcpu_kb=%llu life_ctxt=%llu\n",
		round, bench_sides[side].name,
		res[M_DIAG_TINY_EARLY], res[M_DIAG_TINY_PREEMPT],
		res[M_DIAG_TINY_CTXT], res[M_DIAG_CFLUSH_FEEDS],
		res[M_DIAG_CFLUSH_CTXT], res[M_DIAG_CFLUSH_CPU_NS],
		res[M_DIAG_LIFE_PCPU_KB],
		res[M_DIAG_LIFE_CTXT]);
}

static int bench_run(struct bench_ctx *ctx)
{
	u64 res[BENCH_NR_SIDES][BENCH_NR_METRICS];
	char name[16];
	int round, first, side, m, ret = 0;

	migrate_disable();
	ctx->this_cpu = smp_processor_id();
	ctx->other_cpu = cpumask_any_but(cpu_online_mask, ctx->this_cpu);
	if (ctx->other_cpu >= nr_cpu_ids)
		ctx->other_cpu = ctx->this_cpu;
	pr_info("a warm-up round and %d counted rounds on %d CPUs, queueing from CPU %d, other CPU %d\n",
		BENCH_NR_ROUNDS, ctx->nr_cpus, ctx->this_cpu, ctx->other_cpu);

	/* round 0 warms up and is not counted */
	for (round = 0; round <= BENCH_NR_ROUNDS && !ret; round++) {
		first = round % 2 ? SIDE_KERNEL : SIDE_CMWQ;
		if (!round)
			first = SIDE_KERNEL;
		ret = bench_round(ctx, first, res);
		if (ret)
			break;
		snprintf(name, sizeof(name), round ? "%d" : "%d (warm-up)",
			 round);
		for (side = first; ; side = !side) {
			bench_print_round(name, side, res[side]);
			if (side != first)
				break;
		}
		for (side = 0; round && side < BENCH_NR_SIDES; side++)
			for (m = 0; m < BENCH_NR_METRICS; m++)
				bench_results[side][m][round - 1] =
					res[side][m];
	}
	migrate_enable();
	return ret;
}

static u64 bench_median(int side, int metric)
{
	u64 v[BENCH_NR_ROUNDS];

	memcpy(v, bench_results[side][metric], sizeof(v));
	return bench_median_of(v, BENCH_NR_ROUNDS);
}

/* cmwq/kernel in hundredths, rounded; false without a kernel figure */
static bool bench_ratio(u64 kern, u64 cm, u64 *hundredths)
{
	if (!kern)
		return false;
	*hundredths = div64_u64(cm * 100 + kern / 2, kern);
	return true;
}

static void bench_print(const char *name, u64 kern, u64 cm,
			int metric)
{
	u64 ratio, paired[BENCH_NR_ROUNDS], lo, hi;
	int round, n = 0;
	char buf[128] = "";

	for (round = 0; metric >= 0 && round < BENCH_NR_ROUNDS; round++)
		n += bench_ratio(bench_results[SIDE_KERNEL][metric][round],
				 bench_results[SIDE_CMWQ][metric][round],
				 &paired[n]);
	if (n) {
		ratio = bench_median_of(paired, n);
		lo = paired[0];
		hi = paired[n - 1];
		snprintf(buf, sizeof(buf),
			 " paired=%llu.%02llu (%llu.%02llu-%llu.%02llu, %d rounds)",
			 ratio / 100, ratio % 100, lo / 100, lo % 100,
			 hi / 100, hi % 100, n);
	}
	if (!bench_ratio(kern, cm, &ratio)) {
		pr_info("%s kernel=%llu cmwq=%llu ratio=n/a%s\n", name, kern,
			cm, buf);
		return;
	}
	pr_info("%s kernel=%llu cmwq=%llu ratio=%llu.%02llu%s\n", name, kern,
		cm, ratio / 100, ratio % 100, buf);
}

static void bench_report(void)
{
	int m;

	pr_info("median of %d rounds, ratio = cmwq/kernel of the medians, paired = median (range) of the rounds' cmwq/kernel\n",
		BENCH_NR_ROUNDS);
	for (m = 0; m < BENCH_NR_METRICS; m++)
		bench_print(bench_metric_names[m], bench_median(SIDE_KERNEL, m),
			    bench_median(SIDE_CMWQ, m), m);
	bench_print("work_bytes", sizeof(struct work_struct),
		    sizeof(struct cmwq_work), -1);
	bench_print("delayed_work_bytes", sizeof(struct delayed_work),
		    sizeof(struct cmwq_delayed_work), -1);
	pr_info("done\n");
}

static int bench_ctx_init(struct bench_ctx *ctx)
{
	int cpu;

	ctx->items = kvcalloc(BENCH_NR_TINY, sizeof(*ctx->items), GFP_KERNEL);
	ctx->samples = kcalloc(BENCH_NR_LATENCY, sizeof(*ctx->samples),
			       GFP_KERNEL);
	ctx->cpus = kcalloc(nr_cpu_ids, sizeof(*ctx->cpus), GFP_KERNEL);
	ctx->proc_buf = kvmalloc(BENCH_PROC_BUF, GFP_KERNEL);
	if (!ctx->items || !ctx->samples || !ctx->cpus || !ctx->proc_buf)
		return -ENOMEM;
	for_each_online_cpu(cpu)
		ctx->cpus[ctx->nr_cpus++] = cpu;
	return 0;
}

static void bench_ctx_free(struct bench_ctx *ctx)
{
	kvfree(ctx->proc_buf);
	kfree(ctx->cpus);
	kfree(ctx->samples);
	kvfree(ctx->items);
}

static int __init cmwq_bench_init(void)
{
	struct bench_ctx ctx = {};
	int side, ret;

	ret = bench_ctx_init(&ctx);
	for (side = 0; side < BENCH_NR_SIDES && !ret; side++)
		ret = bench_sides[side].create();
	if (!ret)
		ret = bench_run(&ctx);
	if (!ret)
		bench_report();

	/* waits for every work still queued, even after a timeout */
	for (side = 0; side < BENCH_NR_SIDES; side++)
		bench_sides[side].destroy();
	bench_ctx_free(&ctx);
	return ret;
}
module_init(cmwq_bench_init);

/* Everything was torn down at load; this only lets the module unload. */
static void __exit cmwq_bench_exit(void)
{
}
module_exit(cmwq_bench_exit);

MODULE_DESCRIPTION("cmwq benchmark against the kernel's workqueue");
MODULE_LICENSE("GPL");
