// SPDX-License-Identifier: GPL-2.0
/*
 * worker.c - running works: the worker loop and the cwq accounting
 *
 * A pool's worklist is fed by insert_work() and emptied by its workers.
 * A worker woken from the idle list takes the first work, runs it and
 * keeps going while works wait and no other worker of the pool is
 * running (keep_working()); the scheduler hooks (sched.c) wake the next
 * idle worker the moment the last running one blocks.  Before it starts,
 * a worker that was the last idle one becomes the pool's manager and
 * creates another (pool.c), so that one is always ready.
 *
 * While running a work, a worker is in the pool's busy hash keyed by the
 * work's address, so that a work queued again while it runs is handed to
 * the same worker instead of running twice in parallel (queue.c).  Flush
 * barriers linked behind a work (CMWQ_WORK_LINKED) move with it onto the
 * worker's scheduled list.
 *
 * When a work leaves its cwq, cwq_dec_nr_in_flight() accounts for it: it
 * lets the next work held back by max_active start and completes a
 * flush of the queue waiting for the work's color (flush.c).
 *
 * A bound worker checks between works whether it must move back to its
 * CPU (worker_maybe_rebind()); hotplug.c asks it to.
 */
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>

#include "internal.h"
#include "trace.h"

/**
 * insert_work - put a work on a list and wake a worker if needed
 * @cwq: the cwq the work belongs to
 * @work: the work, PENDING and owned by the caller
 * @head: the pool worklist, the cwq's inactive list or a position in one
 * @extra_flags: flags to set in the work's data besides the cwq
 *
 * Context: @cwq's pool->lock held.
 */
void insert_work(struct cmwq_cwq *cwq, struct cmwq_work *work,
		 struct list_head *head, unsigned int extra_flags)
{
	struct worker_pool *pool = cwq->pool;

	lockdep_assert_held(&pool->lock);
	set_work_cwq(work, cwq, extra_flags);
	work_stamp(work);
	list_add_tail(&work->entry, head);

	/*
	 * Held back by max_active: no worker can run it before it is
	 * activated, by a worker finishing one of the cwq's works, which
	 * goes on to the worklist itself, or by a max_active change, which
	 * wakes one.  A burst past max_active pays no barrier per work.
	 */
	if (head == &cwq->inactive_works)
		return;

	/*
	 * Pairs with atomic_dec_and_test() in worker_sched_out(): either the
	 * worker going to sleep sees this work, or we see it gone from
	 * nr_running and wake another one.
	 */
	smp_mb();
	if (__need_more_worker(pool))
		wake_up_worker(pool);
}

/**
 * find_worker_executing_work - the worker running a work on a pool
 * @pool: the pool to look in
 * @work: the work
 *
 * A work's memory may be freed and reused while it runs, so the function
 * must match too before calling the worker busy with it.
 *
 * Context: pool->lock held.
 * Return: the worker, or %NULL.
 */
struct worker *find_worker_executing_work(struct worker_pool *pool,
					  struct cmwq_work *work)
{
	struct worker *worker;

	lockdep_assert_held(&pool->lock);
	hash_for_each_possible(pool->busy_hash, worker, hentry,
			       (unsigned long)work)
		if (worker->current_work == work &&
		    worker->current_func == work->func)
			return worker;
	return NULL;
}

/**
 * move_linked_works - move a work and the barriers linked behind it
 * @work: the first work
 * @head: where to append them
 * @nextp: if not %NULL, set to the entry after the last one moved
 *
 * Context: pool->lock held.
 */
void move_linked_works(struct cmwq_work *work, struct list_head *head,
		       struct cmwq_work **nextp)
{
	struct cmwq_work *n;

	list_for_each_entry_safe_from(work, n, NULL, entry) {
		list_move_tail(&work->entry, head);
		if (!(*cmwq_work_bits(work) & CMWQ_WORK_LINKED))
			break;
	}
	if (nextp)
		*nextp = n;
}

/**
 * cwq_activate_work - move an inactive work to the pool's worklist
 * @cwq: its cwq
 * @work: a work on @cwq->inactive_works
 *
 * Context: pool->lock held.
 */
void cwq_activate_work(struct cmwq_cwq *cwq, struct cmwq_work *work)
{
	lockdep_assert_held(&cwq->pool->lock);
	trace_cmwq_activate_work(work, cwq->pool);
	/* a pool idle until now is not stuck for the watchdog */
	if (list_empty(&cwq->pool->worklist))
		cwq->pool->watchdog_ts = jiffies;
	move_linked_works(work, &cwq->pool->worklist, NULL);
	__clear_bit(CMWQ_WORK_INACTIVE_BIT, cmwq_work_bits(work));
	cwq->nr_active++;
	cwq->pool->nr_inactive--;
}

/**
 * cwq_activate_inactive_work - activate the oldest inactive work
 * @cwq: the cwq
 *
 * Context: pool->lock held.
 */
void cwq_activate_inactive_work(struct cmwq_cwq *cwq)
{
	struct cmwq_work *work = list_first_entry(&cwq->inactive_works,
						  struct cmwq_work, entry);

	cwq_activate_work(cwq, work);
}

/**
 * cwq_dec_nr_in_flight - account a work that left the cwq
 * @cwq: the cwq
 * @work_data: the work's data as it was queued
 *
 * Completes a flush waiting for the work's color.  A work that counted
 * against max_active also lets the next inactive one start; flush
 * barriers are queued marked inactive so that they count in their color
 * without counting against max_active.
 *
 * Context: pool->lock held.
 */
void cwq_dec_nr_in_flight(struct cmwq_cwq *cwq, unsigned long work_data)
{
	int color = work_data_color(work_data);

	lockdep_assert_held(&cwq->pool->lock);

	if (!(work_data & CMWQ_WORK_INACTIVE)) {
		cwq->nr_active--;
		wq_freeze_note_dec(cwq);
		if (!list_empty(&cwq->inactive_works) &&
		    cwq->nr_active < cwq->max_active)
			cwq_activate_inactive_work(cwq);
	}

	/* released by pool->lock for wq_nothing_in_flight()'s smp_rmb() */
	WRITE_ONCE(cwq->nr_in_flight[color], cwq->nr_in_flight[color] - 1);
	if (likely(!(cwq->flush_colors & BIT(color))) ||
	    cwq->nr_in_flight[color])
		return;
	cwq_color_left(cwq, color);
}

/* Report a work that returned holding a lock, preemption or RCU. */
static void check_work_leaks(struct worker *worker, struct cmwq_work *work)
{
	if (unlikely(preempt_count() || lockdep_depth(current) > 0 ||
		     rcu_preempt_depth() > 0)) {
		pr_err("BUG: cmwq leaked lock or atomic: %s/%d\n"
		       "     preempt=0x%08x lock=%d rcu=%d last function: %ps\n",
		       current->comm, task_pid_nr(current), preempt_count(),
		       lockdep_depth(current), rcu_preempt_depth(),
		       worker->current_func);
		debug_show_held_locks(current);
		dump_stack();
	}
}

/**
 * process_one_work - run one work
 * @worker: the worker running it
 * @work: the work, first on @worker's pool worklist or on
 *	  @worker->scheduled
 *
 * If another worker of the pool is running @work already, @work is handed
 * to it instead, so a work never runs twice at once.
 *
 * Context: pool->lock held; dropped while the work runs.
 */
static void process_one_work(struct worker *worker, struct cmwq_work *work)
	__releases(&pool->lock) __acquires(&pool->lock)
{
	struct cmwq_cwq *cwq = get_work_cwq(work);
	struct worker_pool *pool = worker->pool;
	bool cpu_intensive = cwq->wq->flags & CMWQ_CPU_INTENSIVE;
	unsigned long work_data = *cmwq_work_bits(work);
	struct worker *collision;
	u64 start = 0;
	int traced;
#ifdef CONFIG_LOCKDEP
	/*
	 * The work may free itself; keep a copy of its map so the release
	 * below does not touch it.
	 */
	struct lockdep_map lockdep_map;

	lockdep_copy_map(&lockdep_map, &work->lockdep_map);
#endif
	lockdep_assert_held(&pool->lock);

	collision = find_worker_executing_work(pool, work);
	if (unlikely(collision)) {
		move_linked_works(work, &collision->scheduled, NULL);
		return;
	}

	debug_work_deactivate(work);
	hash_add(pool->busy_hash, &worker->hentry, (unsigned long)work);
	worker->current_work = work;
	worker->current_func = work->func;
	worker->current_cwq = cwq;
	worker->current_color = get_work_color(work);
	worker->current_at = jiffies;
	worker->current_queued_by = work_caller(work);
	/* tells the hog timer one execution from the next (hog.c) */
	worker->nr_works++;
	list_del_init(&work->entry);

	if (unlikely(cpu_intensive))
		worker_set_flags(worker, WORKER_CPU_INTENSIVE);

	/*
	 * Unbound and CPU-intensive workers do not hold back the others:
	 * wake the next idle worker for whatever is left.
	 */
	if (need_more_worker(pool))
		wake_up_worker(pool);

	/*
	 * From here the work may be queued again, even on another pool: its
	 * data then records this pool, where the requeue finds it running.
	 */
	set_work_pool_and_clear_pending(work, pool->id);
	pool->nr_works++;
	pool->watchdog_ts = jiffies;
	cmwq_stats_start(worker, cwq, work, work_data);
	raw_spin_unlock_irq(&pool->lock);

	lock_map_acquire(&cwq->wq->lockdep_map);
	lock_map_acquire(&lockdep_map);
	/*
	 * One test for both events (trace.c), kept across the call: a work
	 * pays one load for them while they are disabled.
	 */
	traced = atomic_read(&cmwq_exec_traced);
	if (unlikely(traced)) {
		trace_cmwq_execute_start(work, worker->current_func);
		/* the clock is read only for an enabled end event */
		start = trace_cmwq_execute_end_enabled() ? local_clock() : 0;
	}
	worker->current_func(work);
	/* @work may be freed: the event keeps only its address */
	if (unlikely(traced))
		trace_cmwq_execute_end(work, worker->current_func, start);
	lock_map_release(&lockdep_map);
	lock_map_release(&cwq->wq->lockdep_map);

	check_work_leaks(worker, work);
	cmwq_stats_run_returned(worker, cwq);
	cond_resched();

	raw_spin_lock_irq(&pool->lock);
	/* from its queue's flags, or found hogging its CPU (hog.c) */
	if (unlikely(worker->flags & WORKER_CPU_INTENSIVE))
		worker_clr_flags(worker, WORKER_CPU_INTENSIVE);

	cmwq_stats_end(worker, cwq, work_data);
	hash_del(&worker->hentry);
	worker->current_work = NULL;
	worker->current_func = NULL;
	worker->current_cwq = NULL;
	cwq_dec_nr_in_flight(cwq, work_data);
}

/**
 * process_scheduled_works - run the works handed to a worker
 * @worker: the worker
 *
 * Context: pool->lock held; dropped while works run.
 */
void process_scheduled_works(struct worker *worker)
{
	while (!list_empty(&worker->scheduled)) {
		struct cmwq_work *work = list_first_entry(&worker->scheduled,
							  struct cmwq_work,
							  entry);
		process_one_work(worker, work);
	}
}

/**
 * worker_maybe_rebind - a worker that should be bound binds itself
 * @worker: the current worker, between two works or just woken
 *
 * A busy worker is asked to rebind when its CPU comes back; a bound one
 * finds itself pushed off its CPU by an offline that was rolled back.
 *
 * Context: pool->lock held; dropped while moving.
 */
void worker_maybe_rebind(struct worker *worker)
	__releases(&pool->lock) __acquires(&pool->lock)
{
	struct worker_pool *pool = worker->pool;

	lockdep_assert_held(&pool->lock);
	if (likely(!worker_should_rebind(worker)))
		return;

	worker->flags &= ~WORKER_REBIND;
	raw_spin_unlock_irq(&pool->lock);
	set_cpus_allowed_ptr(current, cpumask_of(pool->gcwq->cpu));
	raw_spin_lock_irq(&pool->lock);
	if (!(pool->flags & POOL_DISASSOCIATED)) {
		if (worker->flags & WORKER_ROGUE)
			worker_clr_flags(worker, WORKER_ROGUE);
		return;
	}
	/* the CPU went down again meanwhile: stay rogue, run anywhere */
	raw_spin_unlock_irq(&pool->lock);
	set_cpus_allowed_ptr(current, cpu_possible_mask);
	raw_spin_lock_irq(&pool->lock);
}

int worker_thread(void *arg)
{
	struct worker *worker = arg;
	struct worker_pool *pool = worker->pool;

	preempt_disable();
	preempt_notifier_register(&worker->notifier);
	preempt_enable();
woke_up:
	raw_spin_lock_irq(&pool->lock);
	if (unlikely(worker->flags & WORKER_DIE)) {
		raw_spin_unlock_irq(&pool->lock);
		preempt_disable();
		preempt_notifier_unregister(&worker->notifier);
		preempt_enable();
		return 0;
	}
	worker_leave_idle(worker);
	worker_maybe_rebind(worker);
	cmwq_hog_watch(worker);
recheck:
	if (!need_more_worker(pool))
		goto sleep;

	if (unlikely(!may_start_working(pool)) && manage_workers(worker))
		goto recheck;

	WARN_ON_ONCE(!list_empty(&worker->scheduled));

	/* from now on our sleeps count: the pool may wake another worker */
	worker_clr_flags(worker, WORKER_PREP);

	do {
		struct cmwq_work *work = list_first_entry(&pool->worklist,
							  struct cmwq_work,
							  entry);

		if (likely(!(*cmwq_work_bits(work) & CMWQ_WORK_LINKED))) {
			process_one_work(worker, work);
			if (unlikely(!list_empty(&worker->scheduled)))
				process_scheduled_works(worker);
		} else {
			move_linked_works(work, &worker->scheduled, NULL);
			process_scheduled_works(worker);
		}
		/* asked to go back to its CPU: before taking another work */
		worker_maybe_rebind(worker);
	} while (keep_working(pool));

	worker_set_flags(worker, WORKER_PREP);
sleep:
	/* never idle while still bound elsewhere than the pool's CPU */
	worker_maybe_rebind(worker);
	if (unlikely(need_to_manage_workers(pool)) && manage_workers(worker))
		goto recheck;

	worker_enter_idle(worker);
	__set_current_state(TASK_IDLE);
	raw_spin_unlock_irq(&pool->lock);
	schedule();
	goto woke_up;
}

/**
 * current_worker - the worker running in the current task
 *
 * Context: Any context.
 * Return: the worker (pool worker or rescuer), or %NULL if current is not
 * one of cmwq's threads.
 */
struct worker *current_worker(void)
{
	void *fn;

	if (in_task() && (current->flags & PF_KTHREAD)) {
		fn = kthread_func(current);
		if (fn == worker_thread || fn == cmwq_rescuer_thread)
			return kthread_data(current);
	}
	return NULL;
}

/**
 * cmwq_current_work - the work item the current task is running
 *
 * Context: Any context.
 * Return: the work, or %NULL when current is not running a cmwq work.
 */
struct cmwq_work *cmwq_current_work(void)
{
	struct worker *worker = current_worker();

	return worker ? worker->current_work : NULL;
}
EXPORT_SYMBOL_GPL(cmwq_current_work);
