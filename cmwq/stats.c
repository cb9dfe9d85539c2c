// SPDX-License-Identifier: GPL-2.0
/*
 * stats.c - per-queue statistics and latency histograms, and their files
 *
 * Every queue counts what happens to its works: queued, started,
 * completed, cancelled, flushes, run and wait (queue to start) times,
 * and, with timing on, their log2 histograms.  Documentation/cmwq.rst
 * lists each field and when it changes; debugfs shows them under
 * /sys/kernel/debug/cmwq/ (queues/<name>/{stats,latency,timing},
 * summary, timing), and scripts/cmwq-stat reads them.
 *
 * Cost on the hot path.  The counters a work bumps as it is queued,
 * started, completed or cancelled are its cwq's (struct cmwq_cwq), beside
 * the cwq fields the same paths write already under the same pool->lock,
 * as mainline's pool_workqueue counts them: no other cache line is
 * written for them, and a queue needs no memory of its own per CPU for
 * them.  A reader sums them over the cwqs.  Those counts are inline
 * (internal.h), so that counting an untimed work makes no call.  Flushes
 * are counted in one atomic per queue: a flush waits anyway.
 *
 * Timing, off by default.  Run and wait times need clock reads (a work
 * started and returned, and queued for a timed wait), which make bench
 * shows as the statistics' cost (Documentation/cmwq.rst, "The cost of
 * the statistics and of timing").  So they are taken only while a
 * queue's "timing" switch or the global one is on; then each work also
 * bumps one run bucket of its CPU, and the run bucket of its function in
 * the queue's function table, and a timed wait one wait bucket.  The
 * per-CPU area of those buckets (struct stats_timing, 464 bytes per CPU)
 * is allocated by the switch that first times the queue, as most queues
 * never are: a switch is written only through cmwq_stats_set_timing(),
 * which allocates it first for the queue or for every live queue, under
 * cmwq_wq_mutex, and fails if it cannot; a queue made while the global
 * switch is on gets it as it goes live.  A work times its run only if it
 * was started timed (worker->current_start set).
 *
 * Wait times are sampled: with timing on, each cwq times the wait of one
 * work at a time.  A wait needs the time the work was queued, and there
 * is no room for it in the work: a work is 32 bytes, as the kernel's, and
 * the field that could hold it exists only where works record their
 * origin for debugging (CMWQ_WORK_ORIGIN in cmwq.h).  Nor can the cwq
 * keep a time for each work waiting: works do not leave in the order
 * they arrived (flush barriers are inserted mid-list, a requeue follows a
 * running instance onto its worker, the rescuer takes works from the
 * middle of a worklist, max_active holds some back), so a ring of times
 * would not match them.  So the cwq keeps the time of one work it picks
 * as it is queued, the first queued while it times none
 * (cwq->timed_work, under pool->lock, compared by address), and counts
 * its wait when it starts, or forgets it if it is cancelled; the next
 * work queued is picked then.  A queue whose works do not overlap has
 * every wait timed; one that queues bursts has one wait per cwq timed at
 * a time, the first of each burst among them.  "waits_timed" says how
 * many were.
 *
 * The oldest wait on a pool's worklist ("pools") is the age of its
 * oldest work where works record when they were queued, found by walking
 * the worklist when "pools" is read; elsewhere, the time since the pool
 * last made progress, which the stall watchdog keeps anyway
 * (pool_oldest_wait_us()).
 *
 * Flush barriers are not counted: a work running with
 * CMWQ_WORK_INACTIVE still set is a barrier (work_data_is_barrier()), so
 * queued = started + cancelled + pending always holds.
 *
 * The function table is one per queue, under its own lock (H), as it is
 * searched by function and must keep the busiest ones.  Most queues are
 * never timed, so a queue allocates its table (1.8 KB) only when its
 * first timed run returns: the worker does it before it takes the pool's
 * raw lock to count the run, as nothing can be allocated under that lock
 * (cmwq_stats_alloc_funcs()).  When the table is full, a function not
 * in it replaces the one with the fewest runs, whose runs are counted in
 * "evicted", as are the runs of a queue that could not get a table
 * (allocation failed; the next timed run tries again).  Nothing is ever
 * reset: counters live as long as their queue; switching timing off
 * keeps what was collected.
 *
 * The per-queue directories come and go with the queues, but a queue gets
 * its directory once it is STATS_DIR_DELAY old, from a work that makes
 * those of every queue that old and waiting for one: making and removing a
 * directory and its three files costs several times what allocating and
 * destroying the queue costs otherwise, and a driver that makes a queue
 * per request or per connection, destroyed within milliseconds, should
 * pay neither.  A reader of "summary", a taskq (its kstat's directory is
 * named after its queue's) and the system queues (which exist before
 * debugfs is set up: cmwq_stats_debugfs_init()) have theirs made at
 * once.  A directory is removed as its queue is destroyed, before its
 * statistics are freed.  debugfs_remove() waits for a reader inside a
 * file of the directory to leave it, and later reads of a file still
 * open fail, so a reader never sees a freed queue.  Two queues of one
 * name get name, name#2, name#3...
 */
#include <linux/bitmap.h>
#include <linux/ctype.h>
#include <linux/debugfs.h>
#include <linux/kallsyms.h>
#include <linux/kstrtox.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>

#include "internal.h"

/*
 * The global switch: W to write, through cmwq_stats_set_timing() (the
 * parameter and the debugfs "timing" file go through it too); R to read.
 */
bool cmwq_timing;

static int timing_param_set(const char *val, const struct kernel_param *kp)
{
	bool on;
	int ret;

	/* "timing" alone means on, as for any bool parameter */
	ret = kstrtobool(val ?: "1", &on);
	return ret ?: cmwq_stats_set_timing(NULL, on, NULL);
}

static const struct kernel_param_ops timing_param_ops = {
	.flags	= KERNEL_PARAM_OPS_FL_NOARG,
	.set	= timing_param_set,
	.get	= param_get_bool,
};
module_param_cb(timing, &timing_param_ops, &cmwq_timing, 0644);
MODULE_PARM_DESC(timing, "time every queue's works: run and wait times, histograms (default off)");

static struct dentry *queues_dir;	/* W: /sys/kernel/debug/cmwq/queues */

/* How long a new queue waits for its directory (see the top comment). */
#define STATS_DIR_DELAY		(HZ / 10)

static void stats_dirs_workfn(struct cmwq_work *work);
/* I: queued, on cmwq_system_unbound_wq, while a queue waits for its dir */
static CMWQ_DECLARE_DELAYED_WORK(stats_dirs_work, stats_dirs_workfn);

static int ns_to_bucket(u64 ns)
{
	u64 us = div_u64(ns, NSEC_PER_USEC);

	return us ? min_t(int, fls64(us), CMWQ_STATS_NR_BUCKETS - 1) : 0;
}

static void hist_add(u64 *hist, u64 *max_ns, u64 ns)
{
	hist[ns_to_bucket(ns)]++;
	if (ns > *max_ns)
		*max_ns = ns;
}

/**
 * cmwq_stats_clock - the clock of timed works
 *
 * Context: Any context.
 * Return: CLOCK_MONOTONIC ns.
 */
u64 cmwq_stats_clock(void)
{
	return ktime_get_ns();
}

/**
 * cmwq_stats_time_start - time the run of a work a worker takes, and its wait
 * @worker: the worker about to run it
 * @cwq: the work's cwq, its queue timed
 * @queued_at: when the work was queued if it was its cwq's timed work
 *	(cwq->timed_work), else 0: its wait is not timed
 *
 * Context: pool->lock held, interrupts off.
 */
void cmwq_stats_time_start(struct worker *worker, struct cmwq_cwq *cwq,
			   u64 queued_at)
{
	struct stats_timing __percpu *timing;
	struct stats_timing *pc;
	u64 now, wait;

	timing = READ_ONCE(cwq->wq->stats.timing_pcpu);
	/* a switch seen before the area it was turned on after: not yet */
	if (unlikely(!timing))
		return;
	now = cmwq_stats_clock();
	worker->current_start = now;
	if (!queued_at)
		return;
	pc = this_cpu_ptr(timing);
	wait = now > queued_at ? now - queued_at : 0;
	pc->wait_total_ns += wait;
	if (wait > pc->wait_max_ns)
		pc->wait_max_ns = wait;
	hist_add(pc->wait_hist, &pc->wait_hist_max_ns, wait);
}

/**
 * cmwq_stats_alloc_funcs - give a queue its function table
 * @st: its statistics, with no table yet as last seen
 *
 * Called by a worker after the first timed run of the queue returns and
 * before its pool->lock is taken again to count it, as nothing can be
 * allocated under that raw lock.  Failing is allowed: the run is counted
 * in "evicted" and the next timed run tries again.  No reclaim: the run
 * may be the one that reclaim waits for.
 *
 * Context: Process context, no lock held.
 */
void cmwq_stats_alloc_funcs(struct cmwq_wq_stats *st)
{
	struct stats_func_table *table;

	if (cmwq_stats_alloc_fails())
		return;
	table = kzalloc(sizeof(*table), GFP_NOWAIT | __GFP_NOWARN);
	if (!table)
		return;
	raw_spin_lock_irq(&st->func_lock);
	if (!st->funcs) {
		WRITE_ONCE(st->funcs, table);
		table = NULL;
	}
	raw_spin_unlock_irq(&st->func_lock);
	/* another worker's run of the queue got there first */
	kfree(table);
}

/* Add a run of @func to @st's function table; see the top comment. */
static void func_add(struct cmwq_wq_stats *st, cmwq_func_t func, u64 ns)
{
	struct stats_func_table *table;
	struct cmwq_stats_func *f = NULL;
	int i;

	raw_spin_lock(&st->func_lock);
	table = st->funcs;
	if (!table) {
		st->evicted++;
		goto unlock;
	}
	for (i = 0; i < table->nr_funcs; i++) {
		if (table->funcs[i].func == func) {
			f = &table->funcs[i];
			break;
		}
	}
	if (!f && table->nr_funcs < CMWQ_STATS_NR_FUNCS) {
		f = &table->funcs[table->nr_funcs++];
		f->func = func;
	} else if (!f) {
		/* full: the function with the fewest runs makes room */
		f = &table->funcs[0];
		for (i = 1; i < CMWQ_STATS_NR_FUNCS; i++)
			if (table->funcs[i].run.count < f->run.count)
				f = &table->funcs[i];
		st->evicted += f->run.count;
		memset(f, 0, sizeof(*f));
		f->func = func;
	}
	hist_add(f->run.bucket, &f->run.max_ns, ns);
	f->run.count++;
unlock:
	raw_spin_unlock(&st->func_lock);
}

/**
 * cmwq_stats_time_end - time the run of a work started timed
 * @worker: the worker that ran it, current_func and current_start set
 * @st: its queue's statistics
 *
 * Context: pool->lock held, interrupts off.
 */
void cmwq_stats_time_end(struct worker *worker, struct cmwq_wq_stats *st)
{
	/* set before the run started timed, and for as long as the queue */
	struct stats_timing *pc = this_cpu_ptr(st->timing_pcpu);
	u64 now = cmwq_stats_clock(), run;

	run = now > worker->current_start ? now - worker->current_start : 0;
	pc->run_total_ns += run;
	if (run > pc->run_max_ns)
		pc->run_max_ns = run;
	hist_add(pc->run_hist, &pc->run_hist_max_ns, run);
	func_add(st, worker->current_func, run);
}

/**
 * cmwq_stats_cancelled - count a queued work taken off its cwq unrun
 * @cwq: the cwq it was on
 * @work: the work; if its wait was being timed, the cwq times the next
 *	one queued instead
 *
 * Context: @cwq's pool->lock held, interrupts off.
 */
void cmwq_stats_cancelled(struct cmwq_cwq *cwq, struct cmwq_work *work)
{
	lockdep_assert_held(&cwq->pool->lock);
	cwq->nr_cancelled++;
	cwq->nr_pending--;
	if (cwq->timed_work == work)
		cwq->timed_work = NULL;
}

/**
 * cmwq_stats_flush - count a flush of a queue or of one of its works
 * @wq: the queue
 *
 * Context: Any context.
 */
void cmwq_stats_flush(struct cmwq_workqueue *wq)
{
	atomic_long_inc(&wq->stats.flushes);
}

/**
 * pool_oldest_wait_us - how long the oldest work on a worklist has waited
 * @pool: the pool
 *
 * Where works record when they were queued (CMWQ_WORK_ORIGIN), the oldest
 * of their ages.  Elsewhere, the time since the pool last started a work
 * or since the first of those on its worklist arrived, whichever came
 * later (pool->watchdog_ts): the oldest work has waited at least that,
 * and exactly that when none started since it was queued.
 *
 * Context: pool->lock held.
 * Return: microseconds, in jiffies; 0 when the worklist is empty.
 */
u64 pool_oldest_wait_us(struct worker_pool *pool)
{
	struct cmwq_work *work;
	long oldest = 0;

	lockdep_assert_held(&pool->lock);
	if (list_empty(&pool->worklist))
		return 0;
	if (!CMWQ_WORK_ORIGIN)
		return jiffies_to_usecs(jiffies - pool->watchdog_ts);
	list_for_each_entry(work, &pool->worklist, entry)
		oldest = max(oldest, work_age_ms(work));
	return (u64)oldest * USEC_PER_MSEC;
}

/**
 * cmwq_stats_snapshot - a queue's counters, summed over CPUs and cwqs
 * @wq: a live queue
 * @s: filled in
 *
 * Context: Process context; takes @wq->mutex and the pools' locks.
 */
void cmwq_stats_snapshot(struct cmwq_workqueue *wq,
			 struct cmwq_stats_snapshot *s)
{
	struct cmwq_wq_stats *st = &wq->stats;
	struct stats_timing __percpu *timing = READ_ONCE(st->timing_pcpu);
	struct cmwq_cwq *cwq;
	int cpu, i;

	memset(s, 0, sizeof(*s));
	s->crtime = st->crtime;
	s->snaptime = ktime_get_ns();
	s->timing = cmwq_stats_timing(st);
	s->flushes = atomic_long_read(&st->flushes);
	for_each_possible_cpu(cpu) {
		struct stats_timing *pc;

		if (!timing)
			break;
		pc = per_cpu_ptr(timing, cpu);
		s->run_total_ns += READ_ONCE(pc->run_total_ns);
		s->run_max_ns = max(s->run_max_ns, READ_ONCE(pc->run_max_ns));
		s->wait_total_ns += READ_ONCE(pc->wait_total_ns);
		s->wait_max_ns = max(s->wait_max_ns,
				     READ_ONCE(pc->wait_max_ns));
		/* every timed run or wait is in exactly one bucket */
		for (i = 0; i < CMWQ_STATS_NR_BUCKETS; i++) {
			s->runs_timed += READ_ONCE(pc->run_hist[i]);
			s->waits_timed += READ_ONCE(pc->wait_hist[i]);
		}
	}
	for_each_cwq(cwq, wq) {
		raw_spin_lock_irq(&cwq->pool->lock);
		s->queued += cwq->nr_queued;
		s->started += cwq->nr_started;
		s->completed += cwq->nr_completed;
		s->cancelled += cwq->nr_cancelled;
		s->cpu_hogs += cwq->nr_hogs;
		s->pending += cwq->nr_pending;
		s->max_pending = max_t(u64, s->max_pending, cwq->max_pending);
		s->active += cwq->nr_active;
		s->rescued += cwq->nr_rescued;
		raw_spin_unlock_irq(&cwq->pool->lock);
	}
	raw_spin_lock_irq(&cmwq_mayday_lock);
	s->maydays = wq->nr_maydays;
	raw_spin_unlock_irq(&cmwq_mayday_lock);
	mutex_lock(&wq->mutex);
	s->max_active = wq->saved_max_active;
	mutex_unlock(&wq->mutex);
}

static void hist_sum(struct cmwq_stats_hist *h, const u64 *bucket, u64 max_ns)
{
	int i;

	for (i = 0; i < CMWQ_STATS_NR_BUCKETS; i++) {
		u64 n = READ_ONCE(bucket[i]);

		h->bucket[i] += n;
		h->count += n;
	}
	h->max_ns = max(h->max_ns, max_ns);
}

/**
 * cmwq_stats_latency - a queue's histograms, summed over CPUs
 * @wq: a live queue
 * @lat: filled in; the functions busiest first
 *
 * Context: Any context.
 */
void cmwq_stats_latency(struct cmwq_workqueue *wq,
			struct cmwq_stats_latency *lat)
{
	struct cmwq_wq_stats *st = &wq->stats;
	struct stats_timing __percpu *timing = READ_ONCE(st->timing_pcpu);
	unsigned long flags;
	int cpu, i, j;

	memset(lat, 0, sizeof(*lat));
	for_each_possible_cpu(cpu) {
		struct stats_timing *pc;

		if (!timing)
			break;
		pc = per_cpu_ptr(timing, cpu);
		hist_sum(&lat->wait, pc->wait_hist,
			 READ_ONCE(pc->wait_hist_max_ns));
		hist_sum(&lat->run, pc->run_hist,
			 READ_ONCE(pc->run_hist_max_ns));
	}
	raw_spin_lock_irqsave(&st->func_lock, flags);
	if (st->funcs) {
		lat->nr_funcs = st->funcs->nr_funcs;
		memcpy(lat->funcs, st->funcs->funcs, sizeof(lat->funcs));
	}
	lat->evicted = st->evicted;
	raw_spin_unlock_irqrestore(&st->func_lock, flags);

	/* busiest first: at most eight, insertion sort */
	for (i = 1; i < lat->nr_funcs; i++) {
		struct cmwq_stats_func f = lat->funcs[i];

		for (j = i; j > 0 && lat->funcs[j - 1].run.count < f.run.count; j--)
			lat->funcs[j] = lat->funcs[j - 1];
		lat->funcs[j] = f;
	}
}

/* Give @wq its timing area, before a switch times it.  Context: W held. */
static int stats_alloc_timing(struct cmwq_workqueue *wq)
{
	struct stats_timing __percpu *timing;

	lockdep_assert_held(&cmwq_wq_mutex);
	if (wq->stats.timing_pcpu)
		return 0;
	if (cmwq_stats_alloc_fails())
		return -ENOMEM;
	timing = alloc_percpu(struct stats_timing);
	if (!timing)
		return -ENOMEM;
	/* zeroed before seen; pairs with the address dependency of readers */
	smp_store_release(&wq->stats.timing_pcpu, timing);
	return 0;
}

/**
 * cmwq_stats_set_timing - switch a queue's timing, or all queues'
 * @wq: the queue, or %NULL for the global switch
 * @on: time works: run and wait times, histograms
 * @was: if not %NULL, set to the switch's previous value
 *
 * Switching on first gives the queue, or every live queue, the per-CPU
 * area its times go to; switching off keeps what was collected.  Under
 * cmwq_wq_mutex, so that a queue made meanwhile gets its area too
 * (cmwq_stats_live()).
 *
 * Context: Process context; might sleep.
 * Return: 0, or -ENOMEM, the switch unchanged.
 */
int cmwq_stats_set_timing(struct cmwq_workqueue *wq, bool on, bool *was)
{
	bool *sw = wq ? &wq->stats.timing : &cmwq_timing;
	struct cmwq_workqueue *pos;
	bool prev;
	int ret = 0;

	mutex_lock(&cmwq_wq_mutex);
	if (on && wq) {
		ret = stats_alloc_timing(wq);
	} else if (on) {
		for_each_workqueue(pos) {
			ret = stats_alloc_timing(pos);
			if (ret)
				break;
		}
	}
	if (!ret) {
		prev = xchg(sw, on);
		if (was)
			*was = prev;
	}
	mutex_unlock(&cmwq_wq_mutex);
	return ret;
}

/**
 * cmwq_stats_live - a queue is about to be live: time it if all are
 * @wq: the queue, not on the list of live queues yet
 *
 * Context: cmwq_wq_mutex held.
 * Return: 0, or -ENOMEM.
 */
int cmwq_stats_live(struct cmwq_workqueue *wq)
{
	lockdep_assert_held(&cmwq_wq_mutex);
	return READ_ONCE(cmwq_timing) ? stats_alloc_timing(wq) : 0;
}

/**
 * cmwq_stats_dname - the name of a queue's debugfs directory
 * @wq: a live queue
 *
 * Context: cmwq_wq_mutex held.
 * Return: the name, empty before debugfs is set up.
 */
const char *cmwq_stats_dname(struct cmwq_workqueue *wq)
{
	lockdep_assert_held(&cmwq_wq_mutex);
	return wq->stats.dname;
}

/**
 * cmwq_stats_init - set up a new queue's statistics
 * @wq: the queue, zeroed, not yet visible
 *
 * Context: Process context.
 */
void cmwq_stats_init(struct cmwq_workqueue *wq)
{
	struct cmwq_wq_stats *st = &wq->stats;

	st->crtime = ktime_get_ns();
	raw_spin_lock_init(&st->func_lock);
}

/**
 * cmwq_stats_free - free a queue's timing area and function table
 * @wq: the queue, its directory removed, or never made visible
 *
 * Context: Process context.
 */
void cmwq_stats_free(struct cmwq_workqueue *wq)
{
	free_percpu(wq->stats.timing_pcpu);
	wq->stats.timing_pcpu = NULL;
	kfree(wq->stats.funcs);
	wq->stats.funcs = NULL;
}

/*
 * A "timing" file, a queue's (private data: the queue) or the global one
 * (NULL): Y or N, as a debugfs bool file reads, and written as one, but
 * through cmwq_stats_set_timing(), which may fail for want of memory.
 */
static ssize_t timing_read(struct file *file, char __user *ubuf,
			   size_t count, loff_t *ppos)
{
	struct cmwq_workqueue *wq = file->private_data;
	bool on = READ_ONCE(*(wq ? &wq->stats.timing : &cmwq_timing));
	char buf[2] = { on ? 'Y' : 'N', '\n' };

	return simple_read_from_buffer(ubuf, count, ppos, buf, sizeof(buf));
}

static ssize_t timing_write(struct file *file, const char __user *ubuf,
			    size_t count, loff_t *ppos)
{
	bool on;
	int ret;

	ret = kstrtobool_from_user(ubuf, count, &on);
	if (!ret)
		ret = cmwq_stats_set_timing(file->private_data, on, NULL);
	return ret ?: count;
}

static const struct file_operations timing_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.read	= timing_read,
	.write	= timing_write,
	.llseek	= default_llseek,
};

/* The width of a name in "summary", and its format, for the header too. */
#define SUMMARY_FMT	"%-28s %10llu %10llu %10llu %9llu %7llu %7llu %8llu %6llu %7d %14llu %14llu %12llu %12llu %10llu %11llu %7llu %7llu %8llu\n"
#define SUMMARY_HDR	"%-28s %10s %10s %10s %9s %7s %7s %8s %6s %7s %14s %14s %12s %12s %10s %11s %7s %7s %8s\n"

static void stats_print(struct seq_file *m, const char *name,
			struct cmwq_stats_snapshot *s)
{
	const struct {
		const char	*key;
		u64		val;
	} kv[] = {
		{ "crtime", s->crtime },
		{ "snaptime", s->snaptime },
		{ "queued", s->queued },
		{ "started", s->started },
		{ "completed", s->completed },
		{ "cancelled", s->cancelled },
		{ "flushes", s->flushes },
		{ "cpu_hogs", s->cpu_hogs },
		{ "pending", s->pending },
		{ "max_pending", s->max_pending },
		{ "active", s->active },
		{ "max_active", s->max_active },
		{ "run_total_ns", s->run_total_ns },
		{ "run_max_ns", s->run_max_ns },
		{ "wait_total_ns", s->wait_total_ns },
		{ "wait_max_ns", s->wait_max_ns },
		{ "runs_timed", s->runs_timed },
		{ "waits_timed", s->waits_timed },
		{ "rescued", s->rescued },
		{ "maydays", s->maydays },
		{ "timing", s->timing },
	};
	int i;

	seq_printf(m, "%-16s %s\n", "name", name);
	for (i = 0; i < ARRAY_SIZE(kv); i++)
		seq_printf(m, "%-16s %llu\n", kv[i].key, kv[i].val);
}

static int stats_show(struct seq_file *m, void *v)
{
	struct cmwq_workqueue *wq = m->private;
	struct cmwq_stats_snapshot s;

	cmwq_stats_snapshot(wq, &s);
	/* dname is W; the directory's name cannot change while it is read */
	stats_print(m, wq->stats.dname, &s);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stats);

/* The upper bound of bucket @i in microseconds; U64_MAX for the last. */
static u64 bucket_top_us(int i)
{
	return i < CMWQ_STATS_NR_BUCKETS - 1 ? 1ULL << i : U64_MAX;
}

/*
 * The @pct percentile of @h in microseconds: the top of the bucket it
 * falls in (at most twice the true value), never above the maximum as
 * printed (whole microseconds, rounded down).
 */
static u64 hist_percentile_us(const struct cmwq_stats_hist *h, int pct)
{
	u64 target = div_u64(h->count * pct + 99, 100), sum = 0;
	u64 max_us = div_u64(h->max_ns, NSEC_PER_USEC);
	int i;

	for (i = 0; i < CMWQ_STATS_NR_BUCKETS; i++) {
		sum += h->bucket[i];
		if (sum >= target)
			return min(bucket_top_us(i), max_us);
	}
	return max_us;
}

static void hist_print(struct seq_file *m, const char *what,
		       const struct cmwq_stats_hist *h)
{
	int first = -1, last = -1, i, bar;
	u64 peak = 0;

	seq_printf(m, "%s: %llu works", what, h->count);
	if (!h->count) {
		seq_puts(m, "\n\n");
		return;
	}
	seq_printf(m, ", p50 <= %llu us, p90 <= %llu us, p99 <= %llu us, max %llu us\n",
		   hist_percentile_us(h, 50), hist_percentile_us(h, 90),
		   hist_percentile_us(h, 99), div_u64(h->max_ns, NSEC_PER_USEC));
	for (i = 0; i < CMWQ_STATS_NR_BUCKETS; i++) {
		if (!h->bucket[i])
			continue;
		if (first < 0)
			first = i;
		last = i;
		peak = max(peak, h->bucket[i]);
	}
	seq_printf(m, "%22s : %-10s %s\n", "usecs", "count", "distribution");
	for (i = first; i <= last; i++) {
		bar = div64_u64(h->bucket[i] * 40 + peak - 1, peak);
		if (i == CMWQ_STATS_NR_BUCKETS - 1)
			seq_printf(m, "%10llu -> %-9s : %-10llu |", 1ULL << (i - 1),
				   "inf", h->bucket[i]);
		else
			seq_printf(m, "%10llu -> %-9llu : %-10llu |",
				   i ? 1ULL << (i - 1) : 0, bucket_top_us(i) - 1,
				   h->bucket[i]);
		seq_printf(m, "%-40.*s|\n", bar,
			   "****************************************");
	}
	seq_putc(m, '\n');
}

static int latency_show(struct seq_file *m, void *v)
{
	struct cmwq_workqueue *wq = m->private;
	struct cmwq_stats_latency *lat;
	char what[KSYM_SYMBOL_LEN + 16];
	int i;

	lat = kmalloc(sizeof(*lat), GFP_KERNEL);
	if (!lat)
		return -ENOMEM;
	cmwq_stats_latency(wq, lat);
	seq_printf(m, "timing %s (queue %d, global %d)\n\n",
		   cmwq_stats_timing(&wq->stats) ? "on" : "off",
		   READ_ONCE(wq->stats.timing), READ_ONCE(cmwq_timing));
	hist_print(m, "wait (queued to started)", &lat->wait);
	hist_print(m, "run", &lat->run);
	seq_printf(m, "run by function (%d kept at most, busiest first; %llu runs of evicted functions)\n\n",
		   CMWQ_STATS_NR_FUNCS, lat->evicted);
	for (i = 0; i < lat->nr_funcs; i++) {
		snprintf(what, sizeof(what), "function %ps",
			 lat->funcs[i].func);
		hist_print(m, what, &lat->funcs[i].run);
	}
	kfree(lat);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(latency);

static int summary_show(struct seq_file *m, void *v)
{
	struct cmwq_stats_snapshot s;
	struct cmwq_workqueue *wq;

	seq_printf(m, SUMMARY_HDR, "queue", "queued", "started", "completed",
		   "cancelled", "flushes", "pending", "max_pend", "active",
		   "max_act", "run_total_ns", "wait_total_ns", "run_max_ns",
		   "wait_max_ns", "runs_timed", "waits_timed", "rescued",
		   "maydays", "cpu_hogs");
	mutex_lock(&cmwq_wq_mutex);
	for_each_workqueue(wq) {
		/* every live queue has its line, however young */
		cmwq_stats_debugfs_make(wq);
		if (!wq->stats.dname[0])
			continue;
		cmwq_stats_snapshot(wq, &s);
		seq_printf(m, SUMMARY_FMT, wq->stats.dname, s.queued,
			   s.started, s.completed, s.cancelled, s.flushes,
			   s.pending, s.max_pending, s.active, s.max_active,
			   s.run_total_ns, s.wait_total_ns, s.run_max_ns,
			   s.wait_max_ns, s.runs_timed, s.waits_timed,
			   s.rescued, s.maydays, s.cpu_hogs);
	}
	mutex_unlock(&cmwq_wq_mutex);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(summary);

/*
 * The index of directory name @dname among those made from @base: 1 for
 * @base itself, N for "@base#N" (N >= 2), 0 for any other name.
 */
static int dname_index(const char *dname, const char *base)
{
	size_t len = strlen(base);
	int n;

	if (strncmp(dname, base, len))
		return 0;
	if (!dname[len])
		return 1;
	if (dname[len] != '#' || kstrtoint(dname + len + 1, 10, &n) || n < 2)
		return 0;
	return n;
}

/*
 * The lowest index free for a directory made from @base, for @self: one
 * walk of the live queues to count and bound the indices taken, and one
 * to mark them, so that many queues of one name (a queue per device or
 * per request) do not make each allocation quadratic.  Should the bitmap
 * not be allocated, the index past the highest taken is free too.
 */
static int dname_free_index(struct cmwq_workqueue *self, const char *base)
{
	struct cmwq_workqueue *wq;
	unsigned long *taken;
	int nr = 0, highest = 0, idx;

	for_each_workqueue(wq) {
		idx = wq == self ? 0 : dname_index(wq->stats.dname, base);
		if (idx) {
			nr++;
			highest = max(highest, idx);
		}
	}
	/* nr indices taken: one of 1..nr + 1 is free */
	taken = bitmap_zalloc(nr + 2, GFP_KERNEL);
	if (!taken)
		return highest + 1;
	for_each_workqueue(wq) {
		idx = wq == self ? 0 : dname_index(wq->stats.dname, base);
		if (idx && idx <= nr + 1)
			__set_bit(idx, taken);
	}
	idx = find_next_zero_bit(taken, nr + 2, 1);
	bitmap_free(taken);
	return idx;
}

/*
 * Make @wq's directory, picking a name no other live queue's directory
 * has: the queue's name with '/' and blanks made '_', then name#2, name#3
 * and so on.  A debugfs failure is not fatal: the queue works without
 * its files.  Called with cmwq_wq_mutex held.
 */
static void stats_make_dir(struct cmwq_workqueue *wq)
{
	struct cmwq_wq_stats *st = &wq->stats;
	char base[sizeof(st->dname) - 8];
	int i;

	if (!queues_dir)
		return;
	strscpy(base, wq->name, sizeof(base));
	for (i = 0; base[i]; i++)
		if (base[i] == '/' || isspace(base[i]))
			base[i] = '_';
	i = dname_free_index(wq, base);
	if (i == 1)
		strscpy(st->dname, base, sizeof(st->dname));
	else
		snprintf(st->dname, sizeof(st->dname), "%s#%d", base, i);
	/* name#N is the N-th: a taskq's kstat instance is N - 1 */
	st->instance = i - 1;

	st->dir = debugfs_create_dir(st->dname, queues_dir);
	debugfs_create_file("stats", 0444, st->dir, wq, &stats_fops);
	debugfs_create_file("latency", 0444, st->dir, wq, &latency_fops);
	debugfs_create_file("timing", 0644, st->dir, wq, &timing_fops);
}

/**
 * cmwq_stats_debugfs_make - make a queue's directory now, if it waits for one
 * @wq: a live queue
 *
 * For whoever needs the directory or its name before the work that makes
 * them comes around: a taskq names its own directory after it.
 *
 * Context: cmwq_wq_mutex held.
 */
void cmwq_stats_debugfs_make(struct cmwq_workqueue *wq)
{
	lockdep_assert_held(&cmwq_wq_mutex);
	if (!wq->stats.dir_wanted)
		return;
	wq->stats.dir_wanted = false;
	stats_make_dir(wq);
}

/* Policy: has @wq lived long enough to be worth a directory? */
static bool stats_dir_due(struct cmwq_workqueue *wq, u64 now)
{
	return now - wq->stats.crtime >= jiffies_to_nsecs(STATS_DIR_DELAY);
}

/*
 * Make the directories of the queues STATS_DIR_DELAY old, and come back
 * for the younger ones: a queue made just before a run is not caught by
 * it, so that short-lived queues made all the time pay for none.
 */
static void stats_dirs_workfn(struct cmwq_work *work)
{
	struct cmwq_workqueue *wq;
	u64 now = ktime_get_ns();
	bool young = false;

	mutex_lock(&cmwq_wq_mutex);
	for_each_workqueue(wq) {
		if (!wq->stats.dir_wanted)
			continue;
		if (stats_dir_due(wq, now))
			cmwq_stats_debugfs_make(wq);
		else
			young = true;
	}
	if (young)
		cmwq_queue_delayed_work(cmwq_system_unbound_wq,
					&stats_dirs_work, STATS_DIR_DELAY);
	mutex_unlock(&cmwq_wq_mutex);
}

/**
 * cmwq_stats_debugfs_add - give a new queue its debugfs directory, later
 * @wq: the queue, on the list of live queues
 *
 * The directory is made %STATS_DIR_DELAY later, unless the queue is gone
 * by then or cmwq_stats_debugfs_make() makes it first.
 *
 * Context: cmwq_wq_mutex held.
 */
void cmwq_stats_debugfs_add(struct cmwq_workqueue *wq)
{
	lockdep_assert_held(&cmwq_wq_mutex);
	if (!queues_dir)
		return;
	wq->stats.dir_wanted = true;
	/* pending already: that run makes it, or comes back for it */
	cmwq_queue_delayed_work(cmwq_system_unbound_wq, &stats_dirs_work,
				STATS_DIR_DELAY);
}

/**
 * cmwq_stats_debugfs_remove - remove a queue's debugfs directory
 * @wq: the queue, being destroyed
 *
 * Waits for readers inside its files; the files fail to read afterwards.
 *
 * Context: Process context; might sleep.
 */
void cmwq_stats_debugfs_remove(struct cmwq_workqueue *wq)
{
	struct cmwq_wq_stats *st = &wq->stats;
	struct dentry *dir;

	mutex_lock(&cmwq_wq_mutex);
	st->dir_wanted = false;
	dir = st->dir;
	st->dir = NULL;
	mutex_unlock(&cmwq_wq_mutex);
	/* a queue gone before its directory was made leaves no name either */
	if (!dir)
		return;
	/* the name stays taken until the directory is gone */
	debugfs_remove_recursive(dir);
	mutex_lock(&cmwq_wq_mutex);
	st->dname[0] = '\0';
	mutex_unlock(&cmwq_wq_mutex);
}

/**
 * cmwq_stats_debugfs_init - create the queues' files under @root
 * @root: /sys/kernel/debug/cmwq
 *
 * Also gives the queues that exist already (the system ones) their
 * directories.
 *
 * Context: Module init.
 */
void cmwq_stats_debugfs_init(struct dentry *root)
{
	struct cmwq_workqueue *wq;

	debugfs_create_file("summary", 0444, root, NULL, &summary_fops);
	debugfs_create_file("timing", 0644, root, NULL, &timing_fops);
	mutex_lock(&cmwq_wq_mutex);
	queues_dir = debugfs_create_dir("queues", root);
	for_each_workqueue(wq)
		stats_make_dir(wq);
	mutex_unlock(&cmwq_wq_mutex);
}

/**
 * cmwq_stats_debugfs_exit - remove every queue's directory
 *
 * Context: Module exit, before the debugfs root is removed; the queues
 * that outlive it, the system ones, forget their directory.
 */
void cmwq_stats_debugfs_exit(void)
{
	struct cmwq_workqueue *wq;

	mutex_lock(&cmwq_wq_mutex);
	for_each_workqueue(wq) {
		debugfs_remove_recursive(wq->stats.dir);
		wq->stats.dir = NULL;
		wq->stats.dir_wanted = false;
		wq->stats.dname[0] = '\0';
	}
	debugfs_remove_recursive(queues_dir);
	queues_dir = NULL;
	mutex_unlock(&cmwq_wq_mutex);
	/* a run waiting for the mutex finds no queue wanting a directory */
	cmwq_cancel_delayed_work_sync(&stats_dirs_work);
}
