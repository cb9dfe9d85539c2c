// SPDX-License-Identifier: GPL-2.0
/*
 * cmwq_bench_reap.c - a burst of sleeping works, and the idle workers it
 * leaves behind, on cmwq and on the kernel's own workqueue
 *
 * For `make bench-reap`.  At load, on each side in turn (the kernel's
 * workqueue, then cmwq; cmwq first with `cmwq_first`, to see what the
 * order does), `works` (default 256) works that each sleep
 * REAP_SLEEP_MS are queued at once on one CPU, on a per-CPU queue with the
 * default flags and max_active, as bench/cmwq_bench.c's sleeping works
 * are.  Every sleep makes the pool wake or create another worker, so the
 * burst shows how fast the pool's manager creates workers.  Then the
 * module watches the workers of that CPU's normal pool for
 * REAP_LAST_SAMPLE_S seconds after each burst ended, to see when the
 * surplus idle workers are reaped.  Both sides share that watch, so the
 * whole run takes a little over REAP_LAST_SAMPLE_S seconds of guest time.
 *
 * Per side it prints, one "cmwq-bench-reap: " line each:
 *
 *  - the burst: its wall time (queueing the first work to the last one
 *    finishing), the distinct workers that ran the works, the workers the
 *    pool had before and after it, how many it created, when the first
 *    and the last of those were created (from the burst's start: the last
 *    is when the pool reached its peak, as nothing is reaped this early)
 *    and the creation rate up to the peak, in workers per millisecond.
 *  - samples of the pool at reap_samples_s seconds after the burst ended:
 *    its workers and how many of them are idle.
 *  - the reaping, watched every REAP_WATCH_STEP_US from REAP_WATCH_FROM_S
 *    to REAP_LAST_SAMPLE_S: the first and the last time the number of
 *    worker threads changed, and the numbers before and after.
 *
 * then a ratio line per figure, cmwq/kernel, as `make bench` prints them.
 *
 * Counting workers.  The kernel's pools are private to it, so its side is
 * counted from the task list: a kernel worker is a task with PF_WQ_WORKER
 * named "kworker/<cpu>:<id>" (create_worker() in kernel/workqueue.c); the
 * high-priority pool's workers end in "H", the unbound pools' start with
 * "u", and rescuers carry their queue's name, so the exact pattern keeps
 * only the CPU's normal pool.  An idle kernel worker sleeps in TASK_IDLE
 * (worker_thread()), a busy one runs or sleeps in its work (here
 * msleep(), TASK_UNINTERRUPTIBLE), so the task's state tells the idle ones
 * apart; a work that itself sleeps in TASK_IDLE would count as idle, and
 * none of this module's does.  When a task was created is its start_time
 * (CLOCK_MONOTONIC at fork, the clock ktime_get_ns() reads).  cmwq's side
 * is read from the pool itself through cmwq's test interface
 * (cmwq_test_pool_stats(), test kernels only), and counted from the task
 * list too ("cmwq/<cpu>:<id>", kthreads): where the two agree, the way
 * the kernel's side is counted is checked against a pool's own numbers.
 * Creation times come from the task list on both sides.
 *
 * The module runs in the insmod task, kept with migrate_disable() on a
 * CPU other than the burst's, so that counting does not take the burst's
 * CPU.  A burst that does not finish within REAP_TIMEOUT prints "FAILED"
 * and fails the load, after its queues are destroyed (which waits for
 * the works).  Otherwise the module stays loaded with nothing left: its
 * exit does nothing.
 */
#define pr_fmt(fmt) "cmwq-bench-reap: " fmt

#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/ctype.h>
#include <linux/delay.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "cmwq.h"
#include "cmwq_test.h"

static unsigned int works = 256;
module_param(works, uint, 0444);
MODULE_PARM_DESC(works, "works in each burst (default 256, at most 4096)");

static bool cmwq_first;
module_param(cmwq_first, bool, 0444);
MODULE_PARM_DESC(cmwq_first, "cmwq's burst first, then the kernel's");

#define REAP_MAX_WORKS		4096
#define REAP_SLEEP_MS		20
#define REAP_TIMEOUT		(30 * HZ)
/*
 * Both sides reap surplus idle workers 300 s after they went idle, from a
 * timer armed for 300 s.  The timer wheel files a timer that far out in a
 * level whose granularity is 4096 jiffies (16.4 s at HZ=250) and fires it
 * at the next boundary of that level, so the reaping comes 300 to 317 s
 * after the burst: the last sample is taken past that.
 */
#define REAP_LAST_SAMPLE_S	330
/* when the pools are sampled, in seconds after each burst ended */
static const unsigned int reap_samples_s[] = {
	1, 10, 60, 150, 310, REAP_LAST_SAMPLE_S
};

#define REAP_NR_SAMPLES		ARRAY_SIZE(reap_samples_s)
#define REAP_WATCH_FROM_S	295
#define REAP_WATCH_STEP_US	2000

/* One work item for either side; both dispatch to reap_work_body(). */
struct reap_item {
	struct work_struct	kwork;
	struct cmwq_work	cwork;
	struct task_struct	*task;		/* the worker that ran it */
};

/* The works of a burst count down; the last one completes it. */
static atomic_t reap_remaining;
static DECLARE_COMPLETION(reap_done);
static u64 reap_last_done_ns;

static void reap_work_body(struct reap_item *item)
{
	item->task = current;
	msleep(REAP_SLEEP_MS);
	if (atomic_dec_and_test(&reap_remaining)) {
		WRITE_ONCE(reap_last_done_ns, ktime_get_ns());
		complete(&reap_done);
	}
}

/* The workers of a pool at one moment. */
struct reap_count {
	int	workers;
	int	idle;
	/* from the task list; on the kernel's side the only source */
	int	tasks;
	int	tasks_idle;
	/* tasks started at or after the given time, and when */
	int	new_tasks;
	u64	first_start_ns;
	u64	last_start_ns;
	/* cmwq's pool counters; 0 on the kernel's side */
	unsigned long	created;
	unsigned long	reaped;
};

/* @comm is @prefix followed by one or more digits and nothing else. */
static bool reap_comm_match(const char *comm, const char *prefix)
{
	size_t len = strlen(prefix);

	if (strncmp(comm, prefix, len))
		return false;
	comm += len;
	if (!*comm)
		return false;
	for (; *comm; comm++)
		if (!isdigit(*comm))
			return false;
	return true;
}

/*
 * Count the tasks of @flag whose name is @fmt for @cpu, and those of them
 * started at or after @since_ns.  The task list is walked under RCU, as
 * for_each_process() allows: a worker created or exiting meanwhile may
 * be missed or counted, which only matters while the pool changes.
 */
static void reap_count_tasks(const char *fmt, unsigned int flag, int cpu,
			     u64 since_ns, struct reap_count *c)
{
	char prefix[TASK_COMM_LEN];
	struct task_struct *p;

	snprintf(prefix, sizeof(prefix), fmt, cpu);
	c->tasks = 0;
	c->tasks_idle = 0;
	c->new_tasks = 0;
	c->first_start_ns = 0;
	c->last_start_ns = 0;
	rcu_read_lock();
	for_each_process(p) {
		if (!(READ_ONCE(p->flags) & flag) ||
		    !reap_comm_match(p->comm, prefix))
			continue;
		c->tasks++;
		if (READ_ONCE(p->__state) == TASK_IDLE)
			c->tasks_idle++;
		if (p->start_time < since_ns)
			continue;
		if (!c->new_tasks++ || p->start_time < c->first_start_ns)
			c->first_start_ns = p->start_time;
		if (p->start_time > c->last_start_ns)
			c->last_start_ns = p->start_time;
	}
	rcu_read_unlock();
}

/* What the benchmark needs of a workqueue implementation. */
struct reap_side {
	const char *name;
	/* count() reads the pool's own counters too */
	bool pool_counters;
	int (*create)(void);
	void (*destroy)(void);
	void (*init_item)(struct reap_item *item);
	void (*queue)(int cpu, struct reap_item *item);
	void (*flush)(void);
	/* the workers of @cpu's normal pool, new ones since @since_ns */
	void (*count)(int cpu, u64 since_ns, struct reap_count *c);
};

/* The kernel's workqueue. */

static struct workqueue_struct *kern_wq;

static int kern_create(void)
{
	kern_wq = alloc_workqueue("bench_reap_kwq", 0, 0);
	return kern_wq ? 0 : -ENOMEM;
}

static void kern_destroy(void)
{
	if (kern_wq)
		destroy_workqueue(kern_wq);
	kern_wq = NULL;
}

static void kern_work_fn(struct work_struct *work)
{
	reap_work_body(container_of(work, struct reap_item, kwork));
}

static void kern_init_item(struct reap_item *item)
{
	INIT_WORK(&item->kwork, kern_work_fn);
}

static void kern_queue(int cpu, struct reap_item *item)
{
	queue_work_on(cpu, kern_wq, &item->kwork);
}

static void kern_flush(void)
{
	flush_workqueue(kern_wq);
}

static void kern_count(int cpu, u64 since_ns, struct reap_count *c)
{
	reap_count_tasks("kworker/%d:", PF_WQ_WORKER, cpu, since_ns, c);
	c->workers = c->tasks;
	c->idle = c->tasks_idle;
	c->created = 0;
	c->reaped = 0;
}

/* cmwq. */

static struct cmwq_workqueue *cm_wq;

static int cm_create(void)
{
	cm_wq = cmwq_alloc_workqueue("bench_reap_cwq", 0, 0);
	return cm_wq ? 0 : -ENOMEM;
}

static void cm_destroy(void)
{
	if (cm_wq)
		cmwq_destroy_workqueue(cm_wq);
	cm_wq = NULL;
}

static void cm_work_fn(struct cmwq_work *work)
{
	reap_work_body(container_of(work, struct reap_item, cwork));
}

static void cm_init_item(struct reap_item *item)
{
	CMWQ_INIT_WORK(&item->cwork, cm_work_fn);
}

static void cm_queue(int cpu, struct reap_item *item)
{
	cmwq_queue_work_on(cpu, cm_wq, &item->cwork);
}

static void cm_flush(void)
{
	cmwq_flush_workqueue(cm_wq);
}

static void cm_count(int cpu, u64 since_ns, struct reap_count *c)
{
	struct cmwq_test_pool_stats stats;

	reap_count_tasks("cmwq/%d:", PF_KTHREAD, cpu, since_ns, c);
	/* a possible CPU: cannot fail */
	cmwq_test_pool_stats(cpu, false, &stats);
	c->workers = stats.nr_workers;
	c->idle = stats.nr_idle;
	c->created = stats.nr_created;
	c->reaped = stats.nr_reaped;
}

enum { SIDE_KERNEL, SIDE_CMWQ, REAP_NR_SIDES };

static const struct reap_side reap_sides[REAP_NR_SIDES] = {
	[SIDE_KERNEL] = {
		.name		= "kernel",
		.create		= kern_create,
		.destroy	= kern_destroy,
		.init_item	= kern_init_item,
		.queue		= kern_queue,
		.flush		= kern_flush,
		.count		= kern_count,
	},
	[SIDE_CMWQ] = {
		.name		= "cmwq",
		.pool_counters	= true,
		.create		= cm_create,
		.destroy	= cm_destroy,
		.init_item	= cm_init_item,
		.queue		= cm_queue,
		.flush		= cm_flush,
		.count		= cm_count,
	},
};

/* What one side's burst and the watch after it found. */
struct reap_result {
	u64	start_ns;		/* the first work queued */
	u64	end_ns;			/* the last work done */
	int	used;			/* distinct workers that ran works */
	struct reap_count before;	/* the pool before the burst */
	struct reap_count after;	/* and right after it */
	struct reap_count samples[REAP_NR_SAMPLES];
	u64	sample_ns[REAP_NR_SAMPLES];	/* when, from end_ns */
	/* the reaping watch */
	bool	watching;		/* the watch began */
	int	watch_before;		/* workers at its first look */
	int	watch_after;		/* at its last one so far */
	u64	first_change_ns;	/* from end_ns; 0: no change */
	u64	last_change_ns;
};

static struct reap_result reap_results[REAP_NR_SIDES];

/* Microseconds, never rounded to zero for something that took time. */
static u64 reap_us(u64 ns)
{
	return div_u64(ns + NSEC_PER_USEC - 1, NSEC_PER_USEC);
}

/* @ns printed as seconds with milliseconds: "%llu.%03u", these two */
static u64 reap_secs(u64 ns)
{
	return div_u64(ns, NSEC_PER_SEC);
}

static u32 reap_msecs(u64 ns)
{
	u32 rem;

	div_u64_rem(div_u64(ns, NSEC_PER_MSEC), MSEC_PER_SEC, &rem);
	return rem;
}

static int reap_burst(const struct reap_side *side, struct reap_item *items,
		      int cpu, struct reap_result *res)
{
	int i, j, ret = 0;
	u64 peak_ns;
	u32 rate_hundredths;

	for (i = 0; i < works; i++) {
		side->init_item(&items[i]);
		items[i].task = NULL;
	}
	reinit_completion(&reap_done);
	atomic_set(&reap_remaining, works);

	side->count(cpu, 0, &res->before);
	res->start_ns = ktime_get_ns();
	for (i = 0; i < works; i++)
		side->queue(cpu, &items[i]);
	if (!wait_for_completion_timeout(&reap_done, REAP_TIMEOUT)) {
		pr_err("FAILED %s: %u works not done within %d s\n", side->name,
		       works, REAP_TIMEOUT / HZ);
		ret = -ETIMEDOUT;
	}
	/* on a timeout too: the works still sleeping finish meanwhile */
	side->flush();
	if (ret)
		return ret;
	res->end_ns = READ_ONCE(reap_last_done_ns);
	side->count(cpu, res->start_ns, &res->after);

	/* count each worker at its first appearance */
	res->used = 0;
	for (i = 0; i < works; i++) {
		for (j = 0; j < i && items[j].task != items[i].task; j++)
			;
		res->used += j == i;
	}

	peak_ns = res->after.new_tasks ?
		  res->after.last_start_ns - res->start_ns : 0;
	rate_hundredths = peak_ns ?
		div64_u64((u64)res->after.new_tasks * 100 * NSEC_PER_MSEC,
			  peak_ns) : 0;
	pr_info("%s burst works=%u wall_us=%llu used=%d workers=%d->%d idle=%d->%d created=%d first_us=%llu peak_us=%llu rate=%u.%02u/ms\n",
		side->name, works, reap_us(res->end_ns - res->start_ns),
		res->used, res->before.workers, res->after.workers,
		res->before.idle, res->after.idle, res->after.new_tasks,
		res->after.new_tasks ?
		reap_us(res->after.first_start_ns - res->start_ns) : 0,
		reap_us(peak_ns), rate_hundredths / 100, rate_hundredths % 100);
	if (side->pool_counters)
		pr_info("%s burst pool: created=%lu reaped=%lu tasks=%d->%d\n",
			side->name, res->after.created - res->before.created,
			res->after.reaped - res->before.reaped,
			res->before.tasks, res->after.tasks);
	return 0;
}

static void reap_sample(int side, int cpu, int s, u64 now)
{
	const struct reap_side *sd = &reap_sides[side];
	struct reap_result *res = &reap_results[side];
	struct reap_count *c = &res->samples[s];

	sd->count(cpu, res->start_ns, c);
	res->sample_ns[s] = now - res->end_ns;
	if (sd->pool_counters)
		pr_info("%s t=%llu.%03u workers=%d idle=%d tasks=%d tasks_idle=%d reaped=%lu\n",
			sd->name, reap_secs(res->sample_ns[s]),
			reap_msecs(res->sample_ns[s]), c->workers,
			c->idle, c->tasks, c->tasks_idle,
			c->reaped - res->before.reaped);
	else
		pr_info("%s t=%llu.%03u workers=%d idle=%d\n",
			sd->name, reap_secs(res->sample_ns[s]),
			reap_msecs(res->sample_ns[s]), c->workers,
			c->idle);
}

/*
 * A look at @side's pool during its watch: note when its worker threads
 * change.  Threads, not cmwq's nr_workers: cmwq takes its reaped workers
 * out of the count at once and stops their threads afterwards, while the
 * kernel's side can only be counted by its threads.
 */
static void reap_look(int side, int cpu, u64 now)
{
	struct reap_result *res = &reap_results[side];
	struct reap_count c;

	reap_sides[side].count(cpu, 0, &c);
	if (!res->watching) {
		res->watching = true;
		res->watch_before = c.tasks;
	} else if (c.tasks != res->watch_after) {
		res->last_change_ns = now - res->end_ns;
		if (!res->first_change_ns)
			res->first_change_ns = res->last_change_ns;
	}
	res->watch_after = c.tasks;
}

/*
 * After the bursts: each side's samples at reap_samples_s, and from
 * REAP_WATCH_FROM_S after its burst ended until its last sample, a look
 * every REAP_WATCH_STEP_US.  The sides in @order, their bursts' order, so
 * that the earlier one's events come first.
 */
static void reap_follow(const int *order, int cpu)
{
	unsigned int next[REAP_NR_SIDES] = {};
	u64 now, due, wake;
	struct reap_result *res;
	bool watching, more;
	int i, side;

	do {
		now = ktime_get_ns();
		wake = U64_MAX;
		watching = false;
		more = false;
		for (i = 0; i < REAP_NR_SIDES; i++) {
			side = order[i];
			res = &reap_results[side];
			if (next[side] >= REAP_NR_SAMPLES)
				continue;
			if (now >= res->end_ns + REAP_WATCH_FROM_S * NSEC_PER_SEC) {
				reap_look(side, cpu, now);
				watching = true;
			} else {
				wake = min(wake, res->end_ns +
					   REAP_WATCH_FROM_S * NSEC_PER_SEC);
			}
			due = res->end_ns +
			      reap_samples_s[next[side]] * NSEC_PER_SEC;
			if (now >= due)
				reap_sample(side, cpu, next[side]++, now);
			if (next[side] < REAP_NR_SAMPLES) {
				more = true;
				wake = min(wake, res->end_ns +
					   reap_samples_s[next[side]] *
					   NSEC_PER_SEC);
			}
		}
		if (watching)
			usleep_range(REAP_WATCH_STEP_US,
				     REAP_WATCH_STEP_US + REAP_WATCH_STEP_US / 10);
		else if (more)
			/* a second at most at a time */
			msleep(min_t(u64, div_u64(wake - now, NSEC_PER_MSEC) + 1,
				     MSEC_PER_SEC));
	} while (more);

	for (i = 0; i < REAP_NR_SIDES; i++) {
		res = &reap_results[order[i]];
		pr_info("%s reaping: workers=%d->%d first_change=%llu.%03u last_change=%llu.%03u\n",
			reap_sides[order[i]].name, res->watch_before,
			res->watch_after, reap_secs(res->first_change_ns),
			reap_msecs(res->first_change_ns),
			reap_secs(res->last_change_ns),
			reap_msecs(res->last_change_ns));
	}
}

static void reap_print(const char *name, u64 kern, u64 cm)
{
	u64 ratio;
	u32 hundredths;

	if (!kern) {
		pr_info("%s kernel=%llu cmwq=%llu ratio=n/a\n", name, kern, cm);
		return;
	}
	ratio = div_u64_rem(div64_u64(cm * 100 + kern / 2, kern), 100,
			    &hundredths);
	pr_info("%s kernel=%llu cmwq=%llu ratio=%llu.%02u\n", name, kern, cm,
		ratio, hundredths);
}

static void reap_report(void)
{
	const struct reap_result *k = &reap_results[SIDE_KERNEL];
	const struct reap_result *c = &reap_results[SIDE_CMWQ];
	char name[32];
	int s;

	pr_info("one run, ratio = cmwq/kernel\n");
	reap_print("burst_wall_us", reap_us(k->end_ns - k->start_ns),
		   reap_us(c->end_ns - c->start_ns));
	reap_print("burst_workers_used", k->used, c->used);
	reap_print("burst_workers_created", k->after.new_tasks,
		   c->after.new_tasks);
	reap_print("burst_peak_workers", k->after.workers, c->after.workers);
	reap_print("burst_us_to_peak",
		   k->after.new_tasks ?
		   reap_us(k->after.last_start_ns - k->start_ns) : 0,
		   c->after.new_tasks ?
		   reap_us(c->after.last_start_ns - c->start_ns) : 0);
	for (s = 0; s < REAP_NR_SAMPLES; s++) {
		snprintf(name, sizeof(name), "idle_workers_at_%us",
			 reap_samples_s[s]);
		reap_print(name, k->samples[s].idle, c->samples[s].idle);
	}
	reap_print("reaping_first_change_ms",
		   div_u64(k->first_change_ns, NSEC_PER_MSEC),
		   div_u64(c->first_change_ns, NSEC_PER_MSEC));
	reap_print("reaping_last_change_ms",
		   div_u64(k->last_change_ns, NSEC_PER_MSEC),
		   div_u64(c->last_change_ns, NSEC_PER_MSEC));
	pr_info("done\n");
}

static int reap_run(struct reap_item *items)
{
	int this_cpu, cpu, i, ret = 0;
	/* the sides in the order of their bursts, sampled in that order too */
	int order[REAP_NR_SIDES] = { SIDE_KERNEL, SIDE_CMWQ };

	if (cmwq_first)
		swap(order[0], order[1]);
	migrate_disable();
	this_cpu = smp_processor_id();
	cpu = cpumask_any_but(cpu_online_mask, this_cpu);
	if (cpu >= nr_cpu_ids)
		cpu = this_cpu;
	pr_info("%u works sleeping %d ms, queued on CPU %d from CPU %d, %s first, watched for %d s\n",
		works, REAP_SLEEP_MS, cpu, this_cpu,
		reap_sides[order[0]].name, REAP_LAST_SAMPLE_S);

	for (i = 0; i < REAP_NR_SIDES && !ret; i++)
		ret = reap_burst(&reap_sides[order[i]], items, cpu,
				 &reap_results[order[i]]);
	if (!ret) {
		reap_follow(order, cpu);
		reap_report();
	}
	migrate_enable();
	return ret;
}

static int __init cmwq_bench_reap_init(void)
{
	struct reap_item *items;
	int side, ret = 0;

	if (!works || works > REAP_MAX_WORKS) {
		pr_err("works=%u: 1 to %d\n", works, REAP_MAX_WORKS);
		return -EINVAL;
	}
	items = kvcalloc(works, sizeof(*items), GFP_KERNEL);
	if (!items)
		return -ENOMEM;
	for (side = 0; side < REAP_NR_SIDES && !ret; side++)
		ret = reap_sides[side].create();
	if (!ret)
		ret = reap_run(items);
	/* waits for every work still queued, even after a timeout */
	for (side = 0; side < REAP_NR_SIDES; side++)
		reap_sides[side].destroy();
	kvfree(items);
	return ret;
}
module_init(cmwq_bench_reap_init);

/* Everything was torn down at load; this only lets the module unload. */
static void __exit cmwq_bench_reap_exit(void)
{
}
module_exit(cmwq_bench_reap_exit);

MODULE_DESCRIPTION("cmwq benchmark: a burst of sleeping works, then the reaping");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
