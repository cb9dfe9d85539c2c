// SPDX-License-Identifier: GPL-2.0
/*
 * waits.c - what a flush waits for: reports of blocked flushes
 *
 * Blocked flushes.  Every flush waits here, in cmwq_flush_wait().  A
 * *_timeout() flush that runs out of time, and a plain one that has
 * waited flush_report_secs (default 120, as the hung-task detector; 0
 * disables), prints one report of what holds it: for each work it still
 * waits for, the queue, pool and CPU, the function, who queued it, its
 * state (running, pending, inactive behind max_active, or a barrier of
 * another flush) and for how long, and for a running one its worker and
 * the worker's stack.  The plain flush then keeps waiting; the timed one
 * returns -ETIMEDOUT.  The same facts go to the cmwq_flush_blocked and
 * cmwq_blocked_work trace events.
 *
 * On a test kernel, a test that provokes these reports announces them
 * (cmwq_report_expected()) and they say "expected" at info level, so
 * that the console verdict keeps failing on any other.
 */
#include <linux/module.h>
#include <linux/sched/debug.h>

#include "internal.h"
#include "trace.h"

/* R: seconds a plain flush waits before it reports; 0 disables */
static unsigned int flush_report_secs = 120;
module_param(flush_report_secs, uint, 0644);
MODULE_PARM_DESC(flush_report_secs,
		 "seconds a flush waits before cmwq reports what it waits for (default 120, 0: off)");

/* The report's first line, at warning level unless a test expects it. */
static void report_head(const char *kind, const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	if (cmwq_report_expected())
		pr_info("cmwq: expected %s: %pV", kind, &vaf);
	else
		pr_warn("cmwq: %s: %pV", kind, &vaf);
	va_end(args);
}

static void show_pool_head(struct worker_pool *pool, struct cmwq_workqueue *wq,
			   bool *shown)
{
	if (*shown)
		return;
	*shown = true;
	if (pool->gcwq->cpu == CMWQ_CPU_UNBOUND)
		cmwq_diag_printf(NULL, "  queue %s, pool %d (unbound):\n",
				 wq->name, pool->id);
	else
		cmwq_diag_printf(NULL, "  queue %s, pool %d (CPU %d):\n",
				 wq->name, pool->id, pool->gcwq->cpu);
}

static void show_blocked_worker(struct worker *worker)
{
	struct worker_pool *pool = worker->pool;

	trace_cmwq_blocked_work(pool, worker->current_func,
				worker->current_cwq->wq->name,
				worker->current_queued_by, "running",
				task_pid_nr(worker->task),
				jiffies_to_msecs(jiffies - worker->current_at),
				worker->sleeping);
	cmwq_diag_show_worker(NULL, worker);
	sched_show_task(worker->task);
}

static void show_blocked_work(struct worker_pool *pool,
			      struct cmwq_workqueue *wq,
			      struct cmwq_work *work, const char *state, u64 now)
{
	trace_cmwq_blocked_work(pool, work->func, wq->name, work->queued_by,
				state, 0,
				div_u64(cmwq_stamp_age_ns(work->queued_at, now),
					NSEC_PER_MSEC), false);
	cmwq_diag_show_work(NULL, work, state, now);
}

static const char *queued_state(struct cmwq_work *work, bool inactive_list)
{
	if (work->func == cmwq_barrier_func)
		return "barrier";
	return inactive_list ? "inactive" : "pending";
}

/* What holds back an inactive work of @cwq: its running works. */
static void show_held_behind(struct cmwq_cwq *cwq)
{
	struct worker *worker;
	int bkt;

	lockdep_assert_held(&cwq->pool->lock);
	cmwq_diag_printf(NULL, "    held back by max_active %d behind:\n",
			 cwq->max_active);
	hash_for_each(cwq->pool->busy_hash, bkt, worker, hentry)
		if (worker->current_cwq == cwq)
			show_blocked_worker(worker);
}

/* Is @entry on @head?  Compares addresses only. */
static bool list_holds(struct list_head *head, struct list_head *entry)
{
	struct list_head *pos;

	list_for_each(pos, head)
		if (pos == entry)
			return true;
	return false;
}

/*
 * Show the work a work flush waits for.  It is found by address only:
 * running in the pool's busy hash, or on one of the pool's lists, where
 * it is alive; anywhere else it has finished and the barrier is about to
 * complete.
 */
static void report_work(const struct cmwq_flush_wait *fw, u64 now)
{
	struct worker_pool *pool = fw->pool;
	struct cmwq_work *work = fw->work;
	struct worker *worker;
	struct cmwq_cwq *cwq;
	bool shown = false;
	int bkt;

	raw_spin_lock_irq(&pool->lock);
	hash_for_each(pool->busy_hash, bkt, worker, hentry) {
		if (worker->current_work == work) {
			show_pool_head(pool, worker->current_cwq->wq, &shown);
			show_blocked_worker(worker);
		}
		if (list_holds(&worker->scheduled, &work->entry)) {
			show_pool_head(pool, fw->wq, &shown);
			show_blocked_work(pool, fw->wq, work, "pending", now);
		}
	}
	if (!shown && list_holds(&pool->worklist, &work->entry)) {
		show_pool_head(pool, fw->wq, &shown);
		show_blocked_work(pool, fw->wq, work,
				  queued_state(work, false), now);
	}
	for_each_cwq(cwq, fw->wq) {
		if (shown || cwq->pool != pool ||
		    !list_holds(&cwq->inactive_works, &work->entry))
			continue;
		show_pool_head(pool, fw->wq, &shown);
		show_blocked_work(pool, fw->wq, work,
				  queued_state(work, true), now);
		show_held_behind(cwq);
	}
	raw_spin_unlock_irq(&pool->lock);
	if (!shown)
		cmwq_diag_printf(NULL, "  %ps has just finished\n", fw->func);
}

static bool color_waited(int color, int flushed)
{
	return flushed < 0 || color == flushed;
}

/* Show what a queue flush (or a drain, color -1) waits for. */
static void report_queue(const struct cmwq_flush_wait *fw, u64 now)
{
	struct cmwq_workqueue *wq = fw->wq;
	struct worker_pool *pool;
	struct cmwq_work *work;
	struct worker *worker;
	struct cmwq_cwq *cwq;
	int bkt;

	for_each_cwq(cwq, wq) {
		bool shown = false;

		pool = cwq->pool;
		raw_spin_lock_irq(&pool->lock);
		hash_for_each(pool->busy_hash, bkt, worker, hentry) {
			if (worker->current_cwq != cwq ||
			    !color_waited(worker->current_color, fw->color))
				continue;
			show_pool_head(pool, wq, &shown);
			show_blocked_worker(worker);
		}
		list_for_each_entry(work, &pool->worklist, entry) {
			if (get_work_cwq(work) != cwq ||
			    !color_waited(get_work_color(work), fw->color))
				continue;
			show_pool_head(pool, wq, &shown);
			show_blocked_work(pool, wq, work,
					  queued_state(work, false), now);
		}
		list_for_each_entry(work, &cwq->inactive_works, entry) {
			if (!color_waited(get_work_color(work), fw->color))
				continue;
			show_pool_head(pool, wq, &shown);
			show_blocked_work(pool, wq, work,
					  queued_state(work, true), now);
		}
		raw_spin_unlock_irq(&pool->lock);
	}
}

/**
 * cmwq_flush_report - report what a flush waits for
 * @fw: the flush
 * @timed_out: it gives up, else it goes on waiting
 *
 * Context: Process context.
 */
void cmwq_flush_report(const struct cmwq_flush_wait *fw, bool timed_out)
{
	unsigned int waited = jiffies_to_msecs(jiffies - fw->start);

	trace_cmwq_flush_blocked(fw, waited, timed_out);
	if (fw->work)
		report_head("flush blocked", "%s from %pS %s after %u ms, waiting for %ps of %s\n",
			    fw->what, (void *)fw->caller,
			    timed_out ? "timed out" : "still waits", waited,
			    fw->func, fw->wq->name);
	else
		report_head("flush blocked", "%s from %pS %s after %u ms, waiting for %s\n",
			    fw->what, (void *)fw->caller,
			    timed_out ? "timed out" : "still waits", waited,
			    fw->wq->name);
	if (fw->work)
		report_work(fw, cmwq_stats_clock());
	else
		report_queue(fw, cmwq_stats_clock());
}

/**
 * cmwq_flush_wait - wait for a flush, reporting it when it takes long
 * @done: completed when the flush is over
 * @timeout: jiffies to wait, %MAX_SCHEDULE_TIMEOUT for as long as it takes
 * @fw: the flush, for the report
 *
 * A plain flush (@timeout %MAX_SCHEDULE_TIMEOUT) reports once after
 * flush_report_secs and goes on waiting; a timed one reports when it
 * gives up.
 *
 * Context: Process context; sleeps.
 * Return: %true when @done completed, %false when @timeout ran out.
 */
bool cmwq_flush_wait(struct completion *done, long timeout,
		     const struct cmwq_flush_wait *fw)
{
	unsigned long report = READ_ONCE(flush_report_secs) * HZ;

	if (timeout != MAX_SCHEDULE_TIMEOUT) {
		if (wait_for_completion_timeout(done, timeout))
			return true;
		cmwq_flush_report(fw, true);
		return false;
	}
	if (!report || wait_for_completion_timeout(done, report))
		return true;
	cmwq_flush_report(fw, false);
	wait_for_completion(done);
	return true;
}

/**
 * cmwq_flush_set_report_secs - set flush_report_secs
 * @secs: seconds; 0 switches the reports of plain flushes off
 *
 * Context: Any context.  Flushes already waiting keep the old value.
 * Return: the previous value.
 */
unsigned int cmwq_flush_set_report_secs(unsigned int secs)
{
	return xchg(&flush_report_secs, secs);
}
