// SPDX-License-Identifier: GPL-2.0
/*
 * watchdog.c - the stall watchdog: pools whose works stopped starting
 *
 * A pool makes progress when one of its works starts.  Each pool keeps
 * the time of its last progress, pool->watchdog_ts: set as a worker takes
 * a work (process_one_work()), and as a work arrives on an empty
 * worklist, so that a pool idle for an hour does not look stuck the
 * moment a work comes.  Both are a store of the jiffies on paths that
 * hold pool->lock already.
 *
 * One timer, every watchdog_thresh / 4, looks at every pool: works on
 * the worklist and no progress for watchdog_thresh seconds is a stall.
 * It is reported once: the report remembers the watchdog_ts it was made
 * for (pool->watchdog_reported), and a new report needs new progress
 * first.  The report says what a person needs to find the culprit: how
 * long the pool is stuck, its pending works (function, and who queued
 * them and how long ago where works record it, CMWQ_WORK_ORIGIN in
 * cmwq.h), its busy workers (function, for how long, sleeping or on a
 * CPU, and each one's stack), its worker counts and whether creating
 * workers fails.  The same facts go to the cmwq_stall* trace events, and
 * each stall counts in the pool's "stalls" (debugfs "pools").
 *
 * The usual culprits: a work spinning on a CPU without sleeping holds
 * back every work queued behind it on that CPU (concurrency management
 * starts no second worker while one runs); a pool whose workers all
 * sleep and which cannot create another (memory, or kthreadd) with no
 * rescuer to turn to.
 *
 * On a test kernel, a test that provokes stalls on purpose announces it
 * (cmwq_report_expected()): the report then says "expected stall" at
 * info level, so that the console verdict keeps failing on any other.
 */
#include <linux/module.h>
#include <linux/sched/debug.h>
#include <linux/timer.h>

#include "internal.h"
#include "trace.h"

/* R: seconds; 0 disables.  Its setter re-arms the timer. */
static unsigned int watchdog_thresh = 30;

/*
 * D: arming the timer, from its callback and from the parameter's
 * setter, against module init and exit.
 */
static DEFINE_SPINLOCK(watchdog_lock);
static struct timer_list watchdog_timer;	/* D: armed while on */
static bool watchdog_ready;			/* D: set up, not torn down */

static void watchdog_arm(void)
{
	unsigned int thresh = READ_ONCE(watchdog_thresh);

	spin_lock_bh(&watchdog_lock);
	if (watchdog_ready && thresh)
		mod_timer(&watchdog_timer, jiffies + thresh * HZ / 4);
	else if (watchdog_ready)
		del_timer(&watchdog_timer);
	spin_unlock_bh(&watchdog_lock);
}

static int watchdog_thresh_set(const char *val, const struct kernel_param *kp)
{
	int ret = param_set_uint(val, kp);

	if (!ret)
		watchdog_arm();
	return ret;
}

static const struct kernel_param_ops watchdog_thresh_ops = {
	.set = watchdog_thresh_set,
	.get = param_get_uint,
};
module_param_cb(watchdog_thresh, &watchdog_thresh_ops, &watchdog_thresh,
		0644);
MODULE_PARM_DESC(watchdog_thresh,
		 "seconds without a work starting on a pool with works pending before cmwq reports a stall (default 30, 0: off)");

/* Report @pool's stall; see the top comment.  Context: pool->lock held. */
static void report_stall(struct worker_pool *pool, unsigned long stuck)
{
	bool expected = cmwq_report_expected();
	int nr_pending = 0, nr_busy = 0, bkt;
	struct cmwq_work *work;
	struct worker *worker;

	lockdep_assert_held(&pool->lock);
	list_for_each_entry(work, &pool->worklist, entry)
		nr_pending++;
	hash_for_each(pool->busy_hash, bkt, worker, hentry)
		nr_busy++;

	trace_cmwq_stall(pool, jiffies_to_msecs(stuck), nr_pending, nr_busy);
	if (expected)
		pr_info("cmwq: expected stall: pool %d stuck for %u ms\n",
			pool->id, jiffies_to_msecs(stuck));
	else
		pr_warn("cmwq: stall: pool %d stuck for %u ms\n", pool->id,
			jiffies_to_msecs(stuck));
	cmwq_diag_printf(NULL, "  pool %d: %d pending, %d busy, %d idle, %d workers, creation %s\n",
			 pool->id, nr_pending, nr_busy, pool->nr_idle,
			 pool->nr_workers,
			 pool->create_failing ? "failing" : "working");
	list_for_each_entry(work, &pool->worklist, entry) {
		trace_cmwq_stall_work(pool, work);
		cmwq_diag_show_work(NULL, work,
				    work_data_is_barrier(*cmwq_work_bits(work)) ?
				    "barrier" : "pending");
	}
	hash_for_each(pool->busy_hash, bkt, worker, hentry) {
		trace_cmwq_stall_worker(pool, worker);
		cmwq_diag_show_worker(NULL, worker);
		sched_show_task(worker->task);
	}
}

static void watchdog_fn(struct timer_list *timer)
{
	unsigned long thresh = READ_ONCE(watchdog_thresh) * HZ, flags, ts;
	struct worker_pool *pool;
	int i;

	if (!thresh)
		return;
	for (i = 0; i < cmwq_nr_pools; i++) {
		pool = pool_by_id(i);
		raw_spin_lock_irqsave(&pool->lock, flags);
		ts = pool->watchdog_ts;
		if (!list_empty(&pool->worklist) &&
		    time_after(jiffies, ts + thresh) &&
		    pool->watchdog_reported != ts) {
			pool->watchdog_reported = ts;
			pool->nr_stalls++;
			report_stall(pool, jiffies - ts);
		}
		raw_spin_unlock_irqrestore(&pool->lock, flags);
	}
	watchdog_arm();
}

/**
 * cmwq_watchdog_set_thresh - set watchdog_thresh, as the parameter does
 * @secs: seconds; 0 switches the watchdog off
 *
 * Context: Process context.
 * Return: the previous value.
 */
unsigned int cmwq_watchdog_set_thresh(unsigned int secs)
{
	unsigned int old = xchg(&watchdog_thresh, secs);

	watchdog_arm();
	return old;
}

/**
 * cmwq_watchdog_init - start watching the pools
 *
 * Context: Module init, the pools set up.
 */
void cmwq_watchdog_init(void)
{
	timer_setup(&watchdog_timer, watchdog_fn, 0);
	spin_lock_bh(&watchdog_lock);
	watchdog_ready = true;
	spin_unlock_bh(&watchdog_lock);
	watchdog_arm();
}

/**
 * cmwq_watchdog_exit - stop watching
 *
 * Context: Module exit, before the pools go.
 */
void cmwq_watchdog_exit(void)
{
	spin_lock_bh(&watchdog_lock);
	watchdog_ready = false;
	spin_unlock_bh(&watchdog_lock);
	/* nobody arms it any more; a running callback is waited for */
	del_timer_sync(&watchdog_timer);
}
