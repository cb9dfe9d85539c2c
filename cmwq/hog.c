// SPDX-License-Identifier: GPL-2.0
/*
 * hog.c - works that hog a CPU leave concurrency management by themselves
 *
 * On a per-CPU pool one runnable worker holds back every other work of
 * its CPU: concurrency management wakes another worker only when the
 * running one sleeps.  A work that stays on the CPU for long without
 * sleeping (and whose queue is not CMWQ_CPU_INTENSIVE) therefore delays
 * everything queued behind it.  As mainline does since 6.5, a work on
 * the CPU for more than cpu_intensive_thresh_us (module parameter,
 * default 10 ms, 0 off) without sleeping is treated as CPU-intensive for
 * the rest of that execution: its worker leaves nr_running, and an idle
 * worker is woken for the works behind it.
 *
 * How a module sees it.  Mainline checks from the scheduler tick, which
 * a module cannot hook; the preempt notifiers fire only when the hog is
 * switched out, which a spinning work on an otherwise idle CPU never is.
 * What a module has: a timer pinned to the CPU, firing in hard IRQ.  It
 * interrupts whatever runs there; when that is one of the pool's busy
 * workers, current is that worker, and its task's CPU time
 * (task->se.sum_exec_runtime, which the scheduler keeps) since the timer
 * first saw it in the work it runs, or since it last woke up (noted in
 * worker->current_runtime by its sched_in hook), whichever is later, is
 * how long it has been on the CPU without sleeping.  sum_exec_runtime is
 * brought up to date at each tick and switch, so it lags by a tick at
 * most.  The timer (pool->hog_timer) runs only while the pool has busy
 * workers: a worker coming out of its idle sleep arms it if it is not
 * armed, it fires every half threshold, re-arming itself, and it stops
 * when the pool has no busy worker.  Running a work costs it one
 * increment, of the worker's count of works.  A hog is found between
 * one and two thresholds (plus a tick) after it started.  A new
 * threshold takes effect when the timer next fires, or, if it is off,
 * when a worker of the pool next wakes.
 *
 * The timer may fire up to a tick before its half threshold is up
 * (hog_early_ns()): on a CPU whose tick runs, it then expires in the tick's
 * interrupt instead of raising one of its own.  A pool whose workers
 * keep waking for short works keeps the timer armed, and an interrupt of
 * its own every half threshold would hit the CPU while it is idle too,
 * delaying the next wake-up of a worker there.  Firing earlier finds no
 * hog sooner (the threshold is measured, not counted in firings), and
 * firings stay at most a half threshold apart.
 *
 * Setting WORKER_CPU_INTENSIVE from the timer is setting it in the
 * worker's own context: the timer interrupted the worker on its CPU, so
 * neither the worker nor its scheduler hooks run meanwhile, and the pool
 * lock orders it against everything else.  process_one_work() clears it
 * when the work returns.
 *
 * Each hog is counted in its queue's statistics (cpu_hogs) and by
 * function in the table debugfs shows as "cpu_hogs" (HOG_NR_FUNCS kept;
 * more are counted in its last line), and traced (cmwq_cpu_hog).  A
 * function is reported on the console the first time it hogs, so that
 * its author learns to mark its queue CMWQ_CPU_INTENSIVE or to make it
 * sleep; functions past the table are reported at a limited rate.
 */
#include <linux/hrtimer.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/seq_file.h>

#include "internal.h"
#include "trace.h"

/* R: microseconds; 0 switches the detection off */
static unsigned int cpu_intensive_thresh_us = 10000;
module_param(cpu_intensive_thresh_us, uint, 0644);
MODULE_PARM_DESC(cpu_intensive_thresh_us,
		 "a work on a CPU this long without sleeping leaves concurrency management (default 10000, 0: off)");

#define HOG_NR_FUNCS	32

/* G: the functions that hogged a CPU, for debugfs */
static DEFINE_RAW_SPINLOCK(hog_lock);
static struct {
	cmwq_func_t	func;
	unsigned long	hogs;
} hog_funcs[HOG_NR_FUNCS];			/* G */
static unsigned long hog_others;		/* G: hogs of functions past the table */

/* Count a hog of @func; return whether it is the function's first. */
static bool hog_count(cmwq_func_t func)
{
	bool first = false;
	int i;

	raw_spin_lock(&hog_lock);
	for (i = 0; i < HOG_NR_FUNCS; i++) {
		if (hog_funcs[i].func == func || !hog_funcs[i].func) {
			first = !hog_funcs[i].func;
			hog_funcs[i].func = func;
			hog_funcs[i].hogs++;
			break;
		}
	}
	if (i == HOG_NR_FUNCS)
		hog_others++;
	raw_spin_unlock(&hog_lock);
	return first || i == HOG_NR_FUNCS;
}

/* @worker, current, has hogged its CPU for @ns.  Context: pool->lock. */
static void hog_found(struct worker_pool *pool, struct worker *worker, u64 ns)
{
	struct cmwq_workqueue *wq = worker->current_cwq->wq;
	struct cmwq_origin o;

	worker_set_flags(worker, WORKER_CPU_INTENSIVE);
	if (need_more_worker(pool))
		wake_up_worker(pool);
	cmwq_stats_hog(worker->current_cwq);
	trace_cmwq_cpu_hog(pool, worker, ns);
	if (!hog_count(worker->current_func))
		return;
	if (cmwq_report_expected())
		pr_info("cmwq: expected CPU hog: %ps of %s%s, on its CPU for %llu us without sleeping\n",
			worker->current_func, wq->name,
			cmwq_diag_origin(&o, worker->current_queued_by, -1),
			div_u64(ns, NSEC_PER_USEC));
	else
		pr_warn_ratelimited("cmwq: CPU hog: %ps of %s%s, on its CPU for %llu us without sleeping: treated as CMWQ_CPU_INTENSIVE until it returns\n",
				    worker->current_func, wq->name,
				    cmwq_diag_origin(&o, worker->current_queued_by,
						     -1),
				    div_u64(ns, NSEC_PER_USEC));
}

/*
 * How early the timer may fire, before its half threshold @thresh_ns / 2
 * is up: a tick, so that any tick in that window expires it, but firings
 * stay at least a tenth of the threshold apart when ticks are long.
 */
static u64 hog_early_ns(u64 thresh_ns)
{
	return min_t(u64, TICK_NSEC, thresh_ns / 2 - thresh_ns / 10);
}

/*
 * The CPU time @worker has spent in its current work without sleeping,
 * as far as the timer saw: since the timer first saw it in that work,
 * or since it last woke, whichever is later.  The worker's count of the
 * works it took tells one execution from the next, even of one work
 * requeued and run again within a jiffy.  Context: pool->lock held.
 */
static u64 hog_runtime(struct worker *worker, u64 now)
{
	if (worker->hog_seq != worker->nr_works) {
		worker->hog_seq = worker->nr_works;
		worker->hog_runtime = now;
		return 0;
	}
	return now - max(worker->hog_runtime, worker->current_runtime);
}

static enum hrtimer_restart hog_timer_fn(struct hrtimer *timer)
{
	struct worker_pool *pool = container_of(timer, struct worker_pool,
						hog_timer);
	u64 thresh = (u64)READ_ONCE(cpu_intensive_thresh_us) * NSEC_PER_USEC;
	struct worker *worker, *hog = NULL;
	bool busy;
	u64 ns = 0, early;
	int bkt;

	raw_spin_lock(&pool->lock);
	busy = !hash_empty(pool->busy_hash);
	hash_for_each(pool->busy_hash, bkt, worker, hentry) {
		if (worker->task != current)
			continue;
		/*
		 * A worker switched back in after sleeping runs with
		 * interrupts on before its sched_in hook counts it running
		 * again: still "sleeping", it is not in nr_running, and
		 * taking it out again would leave nr_running one short for
		 * good (the pool would stop waking workers).
		 */
		ns = hog_runtime(worker, current->se.sum_exec_runtime);
		if (thresh && ns >= thresh && !worker->sleeping &&
		    !(worker->flags & WORKER_NOT_RUNNING))
			hog = worker;
		break;
	}
	if (hog)
		hog_found(pool, hog, ns);
	raw_spin_unlock(&pool->lock);

	if (!busy || !thresh)
		return HRTIMER_NORESTART;
	/* every half threshold (of the one read above), or a little earlier */
	early = hog_early_ns(thresh);
	hrtimer_set_expires_range_ns(timer,
				     ktime_add_ns(hrtimer_cb_get_time(timer),
						  thresh / 2 - early),
				     early);
	return HRTIMER_RESTART;
}

/**
 * cmwq_hog_watch - watch a pool whose worker goes to work
 * @worker: the worker, current, just out of its idle sleep
 *
 * Arms the pool's timer, which then re-arms itself for as long as the
 * pool has busy workers: a worker running works back to back pays for
 * no watching per work.
 *
 * Context: pool->lock held.
 */
void cmwq_hog_watch(struct worker *worker)
{
	struct worker_pool *pool = worker->pool;
	unsigned int thresh = READ_ONCE(cpu_intensive_thresh_us);
	u64 thresh_ns, early;

	lockdep_assert_held(&pool->lock);
	/*
	 * Unbound and rogue workers hold back no CPU's works; the timer is
	 * pinned to the CPU that starts it, which must be the pool's.
	 */
	if (!thresh || worker->flags & (WORKER_UNBOUND | WORKER_ROGUE) ||
	    hrtimer_is_queued(&pool->hog_timer) ||
	    raw_smp_processor_id() != pool->gcwq->cpu)
		return;
	thresh_ns = (u64)thresh * NSEC_PER_USEC;
	early = hog_early_ns(thresh_ns);
	hrtimer_start_range_ns(&pool->hog_timer,
			       ns_to_ktime(thresh_ns / 2 - early), early,
			       HRTIMER_MODE_REL_PINNED_HARD);
}

/**
 * cmwq_hog_pool_init - set up a pool's hog timer
 * @pool: the pool
 *
 * Context: Module init or a pool's setup.
 */
void cmwq_hog_pool_init(struct worker_pool *pool)
{
	hrtimer_init(&pool->hog_timer, CLOCK_MONOTONIC,
		     HRTIMER_MODE_REL_PINNED_HARD);
	pool->hog_timer.function = hog_timer_fn;
}

/**
 * cmwq_hog_pool_exit - stop a pool's hog timer
 * @pool: the pool, its workers gone
 *
 * Context: Process context.
 */
void cmwq_hog_pool_exit(struct worker_pool *pool)
{
	hrtimer_cancel(&pool->hog_timer);
}

/**
 * cmwq_hog_set_thresh - set cpu_intensive_thresh_us, as the parameter does
 * @us: microseconds; 0 switches the detection off
 *
 * Context: Any context.
 * Return: the previous value.
 */
unsigned int cmwq_hog_set_thresh(unsigned int us)
{
	return xchg(&cpu_intensive_thresh_us, us);
}

/**
 * cmwq_hog_show - the functions that hogged a CPU, for debugfs
 * @m: where
 *
 * Context: Process context.
 */
void cmwq_hog_show(struct seq_file *m)
{
	unsigned long flags;
	int i;

	seq_puts(m, "hogs function\n");
	raw_spin_lock_irqsave(&hog_lock, flags);
	for (i = 0; i < HOG_NR_FUNCS && hog_funcs[i].func; i++)
		seq_printf(m, "%4lu %ps\n", hog_funcs[i].hogs, hog_funcs[i].func);
	if (hog_others)
		seq_printf(m, "%4lu (functions past the first %d)\n",
			   hog_others, HOG_NR_FUNCS);
	raw_spin_unlock_irqrestore(&hog_lock, flags);
}
