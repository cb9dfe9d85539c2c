// SPDX-License-Identifier: GPL-2.0
/*
 * testif.c - the test-only window into cmwq (see cmwq_test.h)
 *
 * Built only for kernels with KUnit, and exported only to modules that
 * import the EXPORTED_FOR_KUNIT_TESTING namespace: a cmwq.ko built for a
 * production kernel has none of it.
 *
 * Snapshots taken under pool->lock, so that a test compares consistent
 * numbers; nothing here changes how the engine behaves except the idle
 * timeout, the announcement of refusals a test provokes on purpose,
 * whether destroyed queues' memory is kept, a queue's flushers held up on
 * purpose, and a CPU's online callback held half-way through rebinding a
 * pool.
 */
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/seq_file.h>

#include <linux/fault-inject.h>
#include <kunit/visibility.h>

#include "internal.h"
#include "cmwq_test.h"

static_assert(CMWQ_TEST_NR_COLORS == CMWQ_NR_COLORS);

/**
 * cmwq_test_pool_stats - snapshot a pool
 * @cpu: a possible CPU or %CMWQ_CPU_UNBOUND
 * @highpri: the high-priority pool instead of the normal one
 * @stats: filled in
 *
 * Context: Any context.
 * Return: 0, or -EINVAL for an impossible CPU.
 */
int cmwq_test_pool_stats(int cpu, bool highpri,
			 struct cmwq_test_pool_stats *stats)
{
	struct worker_pool *pool;
	struct list_head *pos;
	struct worker *worker;
	unsigned long flags;

	if (cpu != CMWQ_CPU_UNBOUND && (cpu < 0 || cpu >= nr_cpu_ids))
		return -EINVAL;
	pool = &get_gcwq(cpu)->pools[highpri];

	raw_spin_lock_irqsave(&pool->lock, flags);
	stats->nr_workers = pool->nr_workers;
	stats->nr_idle = pool->nr_idle;
	stats->nr_running = atomic_read(&pool->nr_running);
	stats->nr_pending = 0;
	list_for_each(pos, &pool->worklist)
		stats->nr_pending++;
	stats->managing = pool->flags & POOL_MANAGER_ACTIVE;
	stats->nr_created = pool->nr_created;
	stats->nr_created_by_manager = pool->nr_created_by_manager;
	stats->nr_reaped = pool->nr_reaped;
	stats->nr_create_failed = pool->nr_create_failed;
	stats->nr_maydays = pool->nr_maydays;
	stats->nr_works = pool->nr_works;
	stats->nr_wakeups = pool->nr_wakeups;
	stats->waking = !!pool->waking;
	stats->nr_stalls = pool->nr_stalls;
	stats->create_failing = pool->create_failing;
	stats->mayday_timer_armed = timer_pending(&pool->mayday_timer);
	stats->disassociated = pool->flags & POOL_DISASSOCIATED;
	stats->nr_attached = 0;
	stats->nr_rogue = 0;
	stats->all_bound = cpu != CMWQ_CPU_UNBOUND;
	for_each_pool_worker(worker, pool) {
		stats->nr_attached++;
		stats->nr_rogue += !!(worker->flags & WORKER_ROGUE);
		if (cpu != CMWQ_CPU_UNBOUND &&
		    ((worker->flags & (WORKER_ROGUE | WORKER_REBIND)) ||
		     !cpumask_equal(worker->task->cpus_ptr, cpumask_of(cpu))))
			stats->all_bound = false;
	}
	stats->trustee_state = READ_ONCE(pool->gcwq->trustee_state);
	stats->oldest_wait_ns = pool_oldest_wait_us(pool) * NSEC_PER_USEC;
	raw_spin_unlock_irqrestore(&pool->lock, flags);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(cmwq_test_pool_stats);

/**
 * cmwq_test_set_idle_timeout - change how long surplus idle workers live
 * @timeout: jiffies
 *
 * Idle timers armed under the old timeout are fired now, so the new one
 * applies to workers already idle.
 *
 * Context: Any context.
 * Return: the previous timeout.
 */
unsigned long cmwq_test_set_idle_timeout(unsigned long timeout)
{
	unsigned long old = xchg(&cmwq_idle_timeout, timeout);
	struct worker_pool *pool;
	unsigned long flags;
	int i;

	for (i = 0; i < cmwq_nr_pools; i++) {
		pool = pool_by_id(i);
		raw_spin_lock_irqsave(&pool->lock, flags);
		if (timer_pending(&pool->idle_timer))
			mod_timer(&pool->idle_timer, jiffies);
		raw_spin_unlock_irqrestore(&pool->lock, flags);
	}
	return old;
}
EXPORT_SYMBOL_IF_KUNIT(cmwq_test_set_idle_timeout);

/* R: the online callback cmwq_test_pause_rebind() holds next, or NULL */
static struct cmwq_test_rebind_pause *rebind_pause;

/**
 * cmwq_test_pause_rebind - hold the next rebinding of a CPU's normal pool
 * @pause: the CPU and the completions, or %NULL to withdraw a pause not
 *	   taken yet
 *
 * The online callback of @pause->cpu, once it has moved the pool's idle
 * workers to the CPU and before it reassociates the pool, completes
 * @pause->paused and waits for @pause->resume: lets a test make a busy
 * worker go idle in between, as one finishing its work then would.
 * Taken once.
 *
 * Context: Process context.  Armed before the CPU comes up; the caller
 * completes @pause->resume and keeps @pause until that online returns.
 */
void cmwq_test_pause_rebind(struct cmwq_test_rebind_pause *pause)
{
	WRITE_ONCE(rebind_pause, pause);
}
EXPORT_SYMBOL_IF_KUNIT(cmwq_test_pause_rebind);

/**
 * cmwq_rebind_pause_point - where rebind_workers() may be held by a test
 * @pool: the pool being rebound
 *
 * Context: Process context, the pool's attach_mutex held; might sleep.
 */
void cmwq_rebind_pause_point(struct worker_pool *pool)
{
	struct cmwq_test_rebind_pause *pause = READ_ONCE(rebind_pause);

	if (likely(!pause) || pool != &get_gcwq(pause->cpu)->pools[0] ||
	    cmpxchg(&rebind_pause, pause, NULL) != pause)
		return;
	complete(&pause->paused);
	wait_for_completion(&pause->resume);
}

/*
 * The task that announced refusals, and how many more it expects.  Only
 * that task's refusals are downgraded: one provoked by anybody else still
 * warns.
 */
static struct task_struct *refusals_task;	/* R: announcing task */
static atomic_t refusals_expected = ATOMIC_INIT(0);	/* R */

/**
 * cmwq_test_expect_refusals - announce refusals a test provokes
 * @nr: how many of the next refusals made in the calling task are expected
 *
 * Those are logged at info level instead of warning, so that a WARN on
 * the console always means a bug.  Refusals made in any other task still
 * warn.  @nr of 0 ends the announcement.
 *
 * Context: Process context, in the task that will make the calls.
 */
void cmwq_test_expect_refusals(int nr)
{
	WRITE_ONCE(refusals_task, nr ? current : NULL);
	atomic_set(&refusals_expected, nr);
}
EXPORT_SYMBOL_IF_KUNIT(cmwq_test_expect_refusals);

/*
 * Called by __cmwq_refuse(): whether this refusal was announced by the
 * task making it, consuming one announcement if so.
 */
bool cmwq_refusal_expected(void)
{
	return READ_ONCE(refusals_task) == current &&
	       atomic_add_unless(&refusals_expected, -1, 0);
}

/* R: a test provokes the watchdog's reports on purpose */
static bool reports_expected;

/**
 * cmwq_test_expect_reports - announce reports a test provokes
 * @expect: whether the reports from now on are expected
 *
 * The reports come from timers, not from the test's task, so the
 * announcement holds for all of them until it is withdrawn: a suite
 * that makes one withdraws it in its exit hook.  Expected reports say so
 * at info level, so that the console verdict fails only on others.
 *
 * Context: Any context.
 * Return: the previous announcement.
 */
bool cmwq_test_expect_reports(bool expect)
{
	return xchg(&reports_expected, expect);
}
EXPORT_SYMBOL_IF_KUNIT(cmwq_test_expect_reports);

/* Called by the reports: whether a test announced them. */
bool cmwq_report_expected(void)
{
	return READ_ONCE(reports_expected);
}

/* R: a test provokes timed-out flushes, and only those, on purpose */
static bool flush_reports_expected;

/**
 * cmwq_test_expect_flush_reports - announce the flush reports a test makes
 * @expect: whether the blocked-flush reports from now on are expected
 *
 * For a test that makes timed flushes time out at random (the torture)
 * while every other report, a stall or a wait cycle, must still fail
 * the run.  cmwq_test_expect_reports() announces them all.
 *
 * Context: Any context.
 * Return: the previous announcement.
 */
bool cmwq_test_expect_flush_reports(bool expect)
{
	return xchg(&flush_reports_expected, expect);
}
EXPORT_SYMBOL_IF_KUNIT(cmwq_test_expect_flush_reports);

/* Called by the blocked-flush reports: whether a test announced them. */
bool cmwq_flush_report_expected(void)
{
	return READ_ONCE(flush_reports_expected) || cmwq_report_expected();
}

/**
 * cmwq_test_set_watchdog_thresh - set the stall watchdog's threshold
 * @secs: seconds; 0 switches the watchdog off
 *
 * Context: Process context.
 * Return: the previous threshold.
 */
unsigned int cmwq_test_set_watchdog_thresh(unsigned int secs)
{
	return cmwq_watchdog_set_thresh(secs);
}
EXPORT_SYMBOL_IF_KUNIT(cmwq_test_set_watchdog_thresh);

/**
 * cmwq_test_set_flush_report_secs - set when plain flushes report
 * @secs: seconds; 0 switches the reports off
 *
 * Context: Any context.
 * Return: the previous value.
 */
unsigned int cmwq_test_set_flush_report_secs(unsigned int secs)
{
	return cmwq_flush_set_report_secs(secs);
}
EXPORT_SYMBOL_IF_KUNIT(cmwq_test_set_flush_report_secs);

/**
 * cmwq_test_set_hog_thresh - set the CPU-hog threshold
 * @us: microseconds; 0 switches the detection off
 *
 * Context: Any context.
 * Return: the previous threshold.
 */
unsigned int cmwq_test_set_hog_thresh(unsigned int us)
{
	return cmwq_hog_set_thresh(us);
}
EXPORT_SYMBOL_IF_KUNIT(cmwq_test_set_hog_thresh);

/**
 * cmwq_test_nr_refusals - how many refusals cmwq has made
 *
 * Context: Any context.
 * Return: the count since load.
 */
int cmwq_test_nr_refusals(void)
{
	return atomic_read(&cmwq_nr_refusals);
}
EXPORT_SYMBOL_IF_KUNIT(cmwq_test_nr_refusals);

/**
 * cmwq_test_keep_destroyed - keep destroyed queues' memory, or stop
 * @keep: keep it from now on, as debug kernels do by default
 *
 * Lets a test check on any kernel that a second destroy is refused even
 * when the slab would hand the queue's address to a newer queue.
 *
 * Context: Any context.
 * Return: the previous setting.
 */
bool cmwq_test_keep_destroyed(bool keep)
{
	return xchg(&cmwq_keep_destroyed, keep);
}
EXPORT_SYMBOL_IF_KUNIT(cmwq_test_keep_destroyed);

/**
 * cmwq_test_hold_flushers - hold what a queue's flushers and drainers take
 * @wq: the workqueue
 * @hold: %true to take its mutex and the mutex that closes its colors,
 *	  %false to give them back
 *
 * What a flush or a drain in progress takes, for a while: lets a test
 * check that flushing or draining an idle queue waits for neither.
 *
 * Context: Process context; the task that held them gives them back.
 */
void cmwq_test_hold_flushers(struct cmwq_workqueue *wq, bool hold)
{
	if (hold) {
		mutex_lock(&wq->mutex);
		mutex_lock(&wq->flush_mutex);
		return;
	}
	mutex_unlock(&wq->flush_mutex);
	mutex_unlock(&wq->mutex);
}
EXPORT_SYMBOL_IF_KUNIT(cmwq_test_hold_flushers);

/**
 * cmwq_test_flush_colors - how many colors a queue's flushers closed
 * @wq: the workqueue
 * @nr_waiting: set to how many flushers wait for their color
 *
 * Context: Any context but hard IRQ.
 * Return: the colors closed by flushes of @wq so far.
 */
unsigned long cmwq_test_flush_colors(struct cmwq_workqueue *wq,
				     int *nr_waiting)
{
	struct list_head *pos;

	*nr_waiting = 0;
	raw_spin_lock_irq(&wq->flush_lock);
	list_for_each(pos, &wq->flushers)
		(*nr_waiting)++;
	raw_spin_unlock_irq(&wq->flush_lock);
	return READ_ONCE(wq->flush_started);
}
EXPORT_SYMBOL_IF_KUNIT(cmwq_test_flush_colors);

/**
 * cmwq_test_flush_report_timer - when a queue's report timer fires
 * @wq: the workqueue
 * @expires: set to the timer's expiry, in jiffies, if it is armed
 *
 * Context: Any context but hard IRQ.
 * Return: %true if the timer that times the reports of @wq's plain
 * flushes is armed.
 */
bool cmwq_test_flush_report_timer(struct cmwq_workqueue *wq,
				  unsigned long *expires)
{
	bool armed;

	raw_spin_lock_irq(&wq->flush_lock);
	armed = timer_pending(&wq->flush_report_timer);
	*expires = wq->flush_report_timer.expires;
	raw_spin_unlock_irq(&wq->flush_lock);
	return armed;
}
EXPORT_SYMBOL_IF_KUNIT(cmwq_test_flush_report_timer);

/**
 * cmwq_test_cwq_counts - a queue's active and inactive works on a CPU
 * @wq: the workqueue
 * @cpu: a possible CPU (ignored for unbound queues)
 * @nr_active: works counted against max_active
 * @nr_inactive: works held back by max_active
 *
 * Context: Any context.
 */
void cmwq_test_cwq_counts(struct cmwq_workqueue *wq, int cpu,
			  int *nr_active, int *nr_inactive)
{
	struct cmwq_cwq *cwq = wq_cwq(wq, cpu);
	struct list_head *pos;
	unsigned long flags;

	raw_spin_lock_irqsave(&cwq->pool->lock, flags);
	*nr_active = cwq->nr_active;
	*nr_inactive = 0;
	list_for_each(pos, &cwq->inactive_works)
		(*nr_inactive)++;
	raw_spin_unlock_irqrestore(&cwq->pool->lock, flags);
}
EXPORT_SYMBOL_IF_KUNIT(cmwq_test_cwq_counts);

/**
 * cmwq_test_max_active - a queue's max_active on a CPU
 * @wq: the workqueue
 * @cpu: a possible CPU (ignored for unbound queues)
 *
 * Context: Any context.
 * Return: the cwq's max_active.
 */
int cmwq_test_max_active(struct cmwq_workqueue *wq, int cpu)
{
	return READ_ONCE(wq_cwq(wq, cpu)->max_active);
}
EXPORT_SYMBOL_IF_KUNIT(cmwq_test_max_active);

/**
 * cmwq_test_wq_stats - a queue's rescue counters
 * @wq: the workqueue
 * @stats: filled in
 *
 * Context: Process context.
 */
void cmwq_test_wq_stats(struct cmwq_workqueue *wq,
			struct cmwq_test_wq_stats *stats)
{
	struct cmwq_cwq *cwq;

	raw_spin_lock_irq(&cmwq_mayday_lock);
	stats->nr_maydays = wq->nr_maydays;
	raw_spin_unlock_irq(&cmwq_mayday_lock);

	stats->nr_rescued = 0;
	for_each_cwq(cwq, wq) {
		raw_spin_lock_irq(&cwq->pool->lock);
		stats->nr_rescued += cwq->nr_rescued;
		raw_spin_unlock_irq(&cwq->pool->lock);
	}
	stats->rescuer = wq->rescuer ? wq->rescuer->task : NULL;
}
EXPORT_SYMBOL_IF_KUNIT(cmwq_test_wq_stats);

/**
 * cmwq_test_fail_create_worker_rate - make worker creation fail at a rate
 * @probability: the percentage of creations that fail, 0 to 100
 *
 * Drives the same fault attribute as the fail_create_worker knob, with
 * its reports off: a torture that fails thousands of creations would
 * otherwise flood the console with a stack dump for each.
 *
 * Context: Any context.
 * Return: 0, -EINVAL above 100, or -EOPNOTSUPP on a kernel without fault
 * injection.
 */
int cmwq_test_fail_create_worker_rate(unsigned int probability)
{
#ifdef CONFIG_FAULT_INJECTION
	struct fault_attr *attr = cmwq_fault_attr();

	if (probability > 100)
		return -EINVAL;
	attr->interval = 1;
	attr->verbose = 0;
	atomic_set(&attr->times, -1);
	WRITE_ONCE(attr->probability, probability);
	return 0;
#else
	return -EOPNOTSUPP;
#endif
}
EXPORT_SYMBOL_IF_KUNIT(cmwq_test_fail_create_worker_rate);

/**
 * cmwq_test_fail_create_worker - make every worker creation fail, or none
 * @fail: fail every creation from now on, or stop failing
 *
 * Context: Any context.
 * Return: 0, or -EOPNOTSUPP on a kernel without fault injection.
 */
int cmwq_test_fail_create_worker(bool fail)
{
	return cmwq_test_fail_create_worker_rate(fail ? 100 : 0);
}
EXPORT_SYMBOL_IF_KUNIT(cmwq_test_fail_create_worker);

/**
 * cmwq_test_freeze - freeze the freezable queues as system suspend does
 * @timeout: jiffies to wait for active freezable works
 *
 * Context: Process context; might sleep.
 * Return: 0, or -EBUSY if works stayed active (the queues are thawed).
 */
int cmwq_test_freeze(unsigned long timeout)
{
	return cmwq_freeze(timeout);
}
EXPORT_SYMBOL_IF_KUNIT(cmwq_test_freeze);

/**
 * cmwq_test_thaw - thaw them as resume does
 *
 * Context: Process context; might sleep.
 */
void cmwq_test_thaw(void)
{
	cmwq_thaw();
}
EXPORT_SYMBOL_IF_KUNIT(cmwq_test_thaw);

/**
 * cmwq_test_queue_stats - a queue's statistics, as debugfs shows them
 * @wq: a live workqueue
 * @s: filled in
 *
 * Context: Process context.
 */
void cmwq_test_queue_stats(struct cmwq_workqueue *wq,
			   struct cmwq_stats_snapshot *s)
{
	cmwq_stats_snapshot(wq, s);
}
EXPORT_SYMBOL_IF_KUNIT(cmwq_test_queue_stats);

/**
 * cmwq_test_queue_latency - a queue's histograms, as debugfs shows them
 * @wq: a live workqueue
 * @lat: filled in
 *
 * Context: Any context.
 */
void cmwq_test_queue_latency(struct cmwq_workqueue *wq,
			     struct cmwq_stats_latency *lat)
{
	cmwq_stats_latency(wq, lat);
}
EXPORT_SYMBOL_IF_KUNIT(cmwq_test_queue_latency);

/**
 * cmwq_test_set_timing - switch timing for a queue or globally
 * @wq: the workqueue, or %NULL for the global switch
 * @on: time works: run and wait times, histograms
 *
 * Context: Process context; might sleep.
 * Return: the switch's previous value; the switch is left alone, with a
 * warning, if it could not be switched on for want of memory.
 */
bool cmwq_test_set_timing(struct cmwq_workqueue *wq, bool on)
{
	bool was = false;

	WARN_ON_ONCE(cmwq_stats_set_timing(wq, on, &was));
	return was;
}
EXPORT_SYMBOL_IF_KUNIT(cmwq_test_set_timing);

/**
 * cmwq_test_has_func_table - has a queue allocated its function table?
 * @wq: a live workqueue
 *
 * Context: Any context.
 * Return: whether it has, which it does at its first timed run.
 */
bool cmwq_test_has_func_table(struct cmwq_workqueue *wq)
{
	return READ_ONCE(wq->stats.funcs);
}
EXPORT_SYMBOL_IF_KUNIT(cmwq_test_has_func_table);

/**
 * cmwq_test_has_timing_area - has a queue allocated its timing area?
 * @wq: a live workqueue
 *
 * Context: Any context.
 * Return: whether it has, which it does when a switch first times it.
 */
bool cmwq_test_has_timing_area(struct cmwq_workqueue *wq)
{
	return READ_ONCE(wq->stats.timing_pcpu);
}
EXPORT_SYMBOL_IF_KUNIT(cmwq_test_has_timing_area);

/**
 * cmwq_test_switch_timing - switch timing as the debugfs files do
 * @wq: the workqueue, or %NULL for the global switch
 * @on: time works
 *
 * Context: Process context; might sleep.
 * Return: 0, or -ENOMEM with the switch unchanged.
 */
int cmwq_test_switch_timing(struct cmwq_workqueue *wq, bool on)
{
	return cmwq_stats_set_timing(wq, on, NULL);
}
EXPORT_SYMBOL_IF_KUNIT(cmwq_test_switch_timing);

/* R: the statistics' own allocations fail (stats.c) */
static bool stats_allocs_fail;

/**
 * cmwq_test_fail_stats_allocs - make the statistics' allocations fail
 * @fail: fail each from now on, or stop failing
 *
 * The timing areas and the function tables of queues, which are
 * allocated when first needed and may fail then.
 *
 * Context: Any context.
 * Return: the previous setting.
 */
bool cmwq_test_fail_stats_allocs(bool fail)
{
	return xchg(&stats_allocs_fail, fail);
}
EXPORT_SYMBOL_IF_KUNIT(cmwq_test_fail_stats_allocs);

/* Called by stats.c before each of its allocations: should it fail? */
bool cmwq_stats_alloc_fails(void)
{
	return READ_ONCE(stats_allocs_fail);
}

/**
 * cmwq_test_queue_dname - the name of a queue's debugfs directory
 * @wq: a live workqueue
 * @buf: where to copy it
 * @size: size of @buf
 *
 * Context: Process context.
 */
void cmwq_test_queue_dname(struct cmwq_workqueue *wq, char *buf, size_t size)
{
	mutex_lock(&cmwq_wq_mutex);
	cmwq_stats_debugfs_make(wq);
	strscpy(buf, cmwq_stats_dname(wq), size);
	mutex_unlock(&cmwq_wq_mutex);
}
EXPORT_SYMBOL_IF_KUNIT(cmwq_test_queue_dname);

/**
 * cmwq_test_show_workqueues - what debugfs' "workqueues" would show now
 * @buf: filled in, NUL-terminated, cut short if @size is too small
 * @size: its size, at least 1
 *
 * Context: Process context.
 * Return: %true if it all fitted.
 */
bool cmwq_test_show_workqueues(char *buf, size_t size)
{
	struct seq_file m = { .buf = buf, .size = size };

	cmwq_debugfs_show_workqueues(&m);
	buf[min(m.count, size - 1)] = '\0';
	return m.count < size;
}
EXPORT_SYMBOL_IF_KUNIT(cmwq_test_show_workqueues);

/**
 * cmwq_test_show_cpu_hogs - what debugfs' "cpu_hogs" would show now
 * @buf: filled in, NUL-terminated, cut short if @size is too small
 * @size: its size, at least 1
 *
 * Context: Process context.
 * Return: %true if it all fitted.
 */
bool cmwq_test_show_cpu_hogs(char *buf, size_t size)
{
	struct seq_file m = { .buf = buf, .size = size };

	cmwq_hog_show(&m);
	buf[min(m.count, size - 1)] = '\0';
	return m.count < size;
}
EXPORT_SYMBOL_IF_KUNIT(cmwq_test_show_cpu_hogs);

/**
 * cmwq_test_taskq_kstat - a taskq's kstat, as debugfs shows it
 * @tq: a live taskq
 * @ks: filled in
 *
 * Context: Any context.
 */
void cmwq_test_taskq_kstat(struct cmwq_taskq *tq, struct cmwq_taskq_kstat *ks)
{
	cmwq_taskq_kstat(tq, ks);
}
EXPORT_SYMBOL_IF_KUNIT(cmwq_test_taskq_kstat);

/**
 * cmwq_test_taskq_dname - the name of a taskq's debugfs directory
 * @tq: a live taskq
 * @buf: where to copy it
 * @size: size of @buf
 *
 * Context: Process context.
 */
void cmwq_test_taskq_dname(struct cmwq_taskq *tq, char *buf, size_t size)
{
	mutex_lock(&cmwq_wq_mutex);
	strscpy(buf, cmwq_taskq_dname(tq), size);
	mutex_unlock(&cmwq_wq_mutex);
}
EXPORT_SYMBOL_IF_KUNIT(cmwq_test_taskq_dname);

/**
 * cmwq_test_show_taskq_kstat - what a taskq's debugfs "kstat" shows now
 * @tq: a live taskq
 * @buf: filled in, NUL-terminated, cut short if @size is too small
 * @size: its size, at least 1
 *
 * Context: Any context.
 * Return: %true if it all fitted.
 */
bool cmwq_test_show_taskq_kstat(struct cmwq_taskq *tq, char *buf, size_t size)
{
	struct seq_file m = { .buf = buf, .size = size };

	cmwq_taskq_show_kstat(&m, tq);
	buf[min(m.count, size - 1)] = '\0';
	return m.count < size;
}
EXPORT_SYMBOL_IF_KUNIT(cmwq_test_show_taskq_kstat);

/**
 * cmwq_test_show_taskq_summary - what debugfs' "taskq_summary" shows now
 * @buf: filled in, NUL-terminated, cut short if @size is too small
 * @size: its size, at least 1
 *
 * Context: Process context.
 * Return: %true if it all fitted.
 */
bool cmwq_test_show_taskq_summary(char *buf, size_t size)
{
	struct seq_file m = { .buf = buf, .size = size };

	cmwq_taskq_show_summary(&m);
	buf[min(m.count, size - 1)] = '\0';
	return m.count < size;
}
EXPORT_SYMBOL_IF_KUNIT(cmwq_test_show_taskq_summary);
