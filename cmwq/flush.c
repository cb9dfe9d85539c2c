// SPDX-License-Identifier: GPL-2.0
/*
 * flush.c - waiting for works: flush and cancel
 *
 * Flushing one work inserts a barrier work right behind it: on the
 * worklist linked to the pending work (CMWQ_WORK_LINKED makes them move
 * together), or at the head of the scheduled list of the worker running
 * it.  The barrier completes when it runs, which is after the work.
 *
 * Flushing a workqueue uses flush colors.  Every work in flight carries
 * the color that was current when it was queued and is counted per color
 * in its cwq.  A flush advances the queue's color and waits until no work
 * of the old color is left on any cwq; works queued meanwhile have the new
 * color, so they cannot livelock it.  Flushes of one queue are serialised
 * by wq->flush_mutex, so at most one color is ever being flushed: a second
 * flusher waits for the first, then flushes what was queued before it.
 *
 * Cancelling grabs the PENDING bit, taking the work off its list if it was
 * queued, and the sync variants mark it CANCELING while they wait for a
 * running instance, so that requeueing (even by the work itself) fails
 * until they are done.
 */
#include <linux/module.h>

#include "internal.h"

/* R: sync cancelers waiting for another one; locked inside */
static DECLARE_WAIT_QUEUE_HEAD(cancel_waitq);

struct wq_barrier {
	struct cmwq_work	work;
	struct completion	done;
};

static void wq_barrier_func(struct cmwq_work *work)
{
	struct wq_barrier *barr = container_of(work, struct wq_barrier, work);

	complete(&barr->done);
}

/*
 * Queue @barr to run right after @target: behind it on its list if it is
 * pending, first on @worker's scheduled list if @worker is running it.
 * @caller, the flush's caller, is who queued it for the dumps.
 *
 * The barrier belongs to @target's queue until it has run: it takes
 * @target's flush color and counts in @cwq->nr_in_flight, so a flush or
 * a drain of the queue (and so its destruction) waits for it even when
 * @target itself is cancelled meanwhile.  It is marked inactive so that
 * it does not count against max_active (cwq_dec_nr_in_flight()).
 */
static void insert_wq_barrier(struct cmwq_cwq *cwq, struct wq_barrier *barr,
			      struct cmwq_work *target, struct worker *worker,
			      unsigned long caller)
{
	unsigned int linked = 0;
	struct list_head *head;
	int color;

	lockdep_assert_held(&cwq->pool->lock);

	CMWQ_INIT_WORK_ONSTACK(&barr->work, wq_barrier_func);
	__set_bit(CMWQ_WORK_PENDING_BIT, cmwq_work_bits(&barr->work));
	init_completion(&barr->done);
	/* the dumps name the flush that queued it */
	barr->work.queued_by = caller;

	if (worker) {
		head = worker->scheduled.next;
		color = worker->current_color;
	} else {
		unsigned long *bits = cmwq_work_bits(target);

		head = target->entry.next;
		color = get_work_color(target);
		/* a barrier already linked behind the target stays linked */
		linked = *bits & CMWQ_WORK_LINKED;
		__set_bit(CMWQ_WORK_LINKED_BIT, bits);
	}

	cwq->nr_in_flight[color]++;
	debug_work_activate(&barr->work);
	insert_work(cwq, &barr->work, head,
		    work_color_to_flags(color) | CMWQ_WORK_INACTIVE |
		    linked);
}

/**
 * check_flush_dependency - warn when a reclaim work waits on a non-reclaim
 * queue
 * @target_wq: the queue being flushed (or holding @target_work)
 * @target_work: the work being flushed, or %NULL for a queue flush
 *
 * A work of a %CMWQ_MEM_RECLAIM queue is guaranteed to progress only as
 * long as everything it waits for is too; waiting for a queue without a
 * rescuer defeats that.
 *
 * Context: Process context.
 */
static void check_flush_dependency(struct cmwq_workqueue *target_wq,
				   struct cmwq_work *target_work)
{
	cmwq_func_t target_func = target_work ? target_work->func : NULL;
	struct worker *worker;

	if (target_wq->flags & CMWQ_MEM_RECLAIM)
		return;

	worker = current_worker();
	WARN_ONCE(worker && worker->current_cwq &&
		  (worker->current_cwq->wq->flags & CMWQ_MEM_RECLAIM),
		  "cmwq: CMWQ_MEM_RECLAIM %s:%ps is flushing !CMWQ_MEM_RECLAIM %s:%ps",
		  worker->current_cwq->wq->name, worker->current_func,
		  target_wq->name, target_func);
}

static bool start_flush_work(struct cmwq_work *work, struct wq_barrier *barr,
			     bool from_cancel, unsigned long caller)
{
	struct worker *worker = NULL;
	struct worker_pool *pool;
	struct cmwq_cwq *cwq;

	rcu_read_lock();
	pool = get_work_pool(work);
	if (!pool) {
		rcu_read_unlock();
		return false;
	}

	raw_spin_lock_irq(&pool->lock);
	cwq = get_work_cwq(work);
	if (cwq) {
		/* it moved on since we looked */
		if (unlikely(cwq->pool != pool))
			goto already_gone;
	} else {
		worker = find_worker_executing_work(pool, work);
		if (!worker)
			goto already_gone;
		cwq = worker->current_cwq;
	}

	check_flush_dependency(cwq->wq, work);
	insert_wq_barrier(cwq, barr, work, worker, caller);
	cmwq_stats_flush(cwq->wq);
	raw_spin_unlock_irq(&pool->lock);

	/*
	 * Waiting for a work of an ordered queue from another of its works
	 * deadlocks whatever the work does, and so does it on a reclaim
	 * queue once only its rescuer, which runs one work at a time, makes
	 * progress: tell lockdep about the queue.
	 */
	if (!from_cancel &&
	    (cwq->wq->saved_max_active == 1 || cwq->wq->rescuer)) {
		lock_map_acquire(&cwq->wq->lockdep_map);
		lock_map_release(&cwq->wq->lockdep_map);
	}
	rcu_read_unlock();
	return true;

already_gone:
	raw_spin_unlock_irq(&pool->lock);
	rcu_read_unlock();
	return false;
}

static bool __flush_work(struct cmwq_work *work, bool from_cancel,
			 unsigned long caller)
{
	struct wq_barrier barr;

	/* whatever the caller holds must not be taken by the work */
	lock_map_acquire(&work->lockdep_map);
	lock_map_release(&work->lockdep_map);

	if (!start_flush_work(work, &barr, from_cancel, caller))
		return false;

	wait_for_completion(&barr.done);
	cmwq_destroy_work_on_stack(&barr.work);
	return true;
}

/**
 * cmwq_flush_work - wait for a work item to finish its last queueing
 * @work: the work item
 *
 * Waits until @work, as last queued before the call, has run to
 * completion.  A work cannot wait for itself: that is refused.
 *
 * Context: Process context; might sleep.
 * Return: %true if it waited, %false if @work was idle (or refused).
 */
bool cmwq_flush_work(struct cmwq_work *work)
{
	if (work_refused(work, true, __func__, (void *)_RET_IP_))
		return false;
	might_sleep();
	return __flush_work(work, false, _RET_IP_);
}
EXPORT_SYMBOL_GPL(cmwq_flush_work);

/**
 * cmwq_flush_delayed_work - run a delayed work now and wait for it
 * @dwork: the delayed work item
 *
 * A pending timer is cut short: the work is queued at once on the
 * queue and CPU it was meant for.
 *
 * Context: Process context; might sleep.
 * Return: %true if it waited, %false if @dwork was idle (or refused).
 */
bool cmwq_flush_delayed_work(struct cmwq_delayed_work *dwork)
{
	if (work_refused(dwork_work(dwork), true, __func__,
			 (void *)_RET_IP_))
		return false;

	might_sleep();
	/*
	 * The timer leaves the wheel before its callback queues the work:
	 * del_timer() alone could see it gone while the work is not queued
	 * yet, and the flush would find nothing to wait for.  Waiting for a
	 * running callback is fine with interrupts off, as the timer is
	 * IRQ-safe: its callback never needs this CPU to finish.
	 */
	local_irq_disable();
	if (del_timer_sync(&dwork->timer))
		__queue_work(dwork->cpu, dwork->wq, &dwork->work,
			     dwork->work.queued_by);
	local_irq_enable();
	return __flush_work(&dwork->work, false, _RET_IP_);
}
EXPORT_SYMBOL_GPL(cmwq_flush_delayed_work);

/**
 * try_to_grab_pending - take ownership of a work's PENDING bit
 * @work: the work
 * @is_dwork: @work is the work of a &struct cmwq_delayed_work
 * @flags: where to save the interrupt state
 *
 * On success the work is off every list and timer, PENDING is set and
 * owned by the caller, and interrupts are disabled until the caller
 * restores @flags.
 *
 * Context: Any context.
 * Return: 1 if @work was pending and is now grabbed, 0 if it was idle and
 * is now grabbed, -EAGAIN if it is changing state (retry), -ENOENT if
 * someone else is cancelling it.  Interrupts are restored on failure.
 */
int try_to_grab_pending(struct cmwq_work *work, bool is_dwork,
			unsigned long *flags)
{
	struct worker_pool *pool;
	struct cmwq_cwq *cwq;

	local_irq_save(*flags);

	if (is_dwork) {
		struct cmwq_delayed_work *dwork = cmwq_to_delayed_work(work);

		/* IRQ-safe timer: its callback is not half-way on this CPU */
		if (likely(del_timer(&dwork->timer)))
			return 1;
	}

	if (!test_and_set_bit(CMWQ_WORK_PENDING_BIT, cmwq_work_bits(work)))
		return 0;

	rcu_read_lock();
	pool = get_work_pool(work);
	if (!pool)
		goto fail;

	raw_spin_lock(&pool->lock);
	/*
	 * Queued works point at their cwq under pool->lock; if this one does
	 * and the cwq is on this pool, it is on one of this pool's lists.
	 */
	cwq = get_work_cwq(work);
	if (cwq && cwq->pool == pool) {
		debug_work_deactivate(work);
		/*
		 * Activate an inactive work first, so that barriers linked
		 * behind it go to the worklist instead of staying inactive.
		 */
		if (*cmwq_work_bits(work) & CMWQ_WORK_INACTIVE)
			cwq_activate_work(cwq, work);
		list_del_init(&work->entry);
		cmwq_stats_cancelled(cwq);
		cwq_dec_nr_in_flight(cwq, *cmwq_work_bits(work));
		set_work_pool_and_keep_pending(work, pool->id, 0);
		raw_spin_unlock(&pool->lock);
		rcu_read_unlock();
		return 1;
	}
	raw_spin_unlock(&pool->lock);
fail:
	rcu_read_unlock();
	local_irq_restore(*flags);
	if (work_is_canceling(work))
		return -ENOENT;
	cpu_relax();
	return -EAGAIN;
}

static bool __cancel_work(struct cmwq_work *work, bool is_dwork)
{
	unsigned long flags;
	int ret;

	do {
		ret = try_to_grab_pending(work, is_dwork, &flags);
	} while (unlikely(ret == -EAGAIN));

	if (unlikely(ret < 0))
		return false;

	set_work_pool_and_clear_pending(work, work_offq_pool_id(work));
	local_irq_restore(flags);
	return ret;
}

static bool __cancel_work_sync(struct cmwq_work *work, bool is_dwork,
			       unsigned long caller)
{
	unsigned long flags;
	int ret;

	do {
		ret = try_to_grab_pending(work, is_dwork, &flags);
		/* another canceler owns it: wait for it to finish */
		if (unlikely(ret == -ENOENT))
			wait_event(cancel_waitq, !work_is_canceling(work));
	} while (unlikely(ret < 0));

	/* keep PENDING so that nobody can queue it until we are done */
	set_work_pool_and_keep_pending(work, work_offq_pool_id(work),
				       CMWQ_OFFQ_CANCELING);
	local_irq_restore(flags);

	__flush_work(work, true, caller);

	atomic_long_set(&work->data, CMWQ_WORK_NO_POOL);
	/*
	 * Pairs with the barrier in prepare_to_wait() inside wait_event(): a
	 * waiter either sees the work no longer CANCELING or is on the queue.
	 */
	smp_mb();
	/* only a waiter the barrier above lets us see needs waking */
	if (waitqueue_active(&cancel_waitq))
		wake_up_all(&cancel_waitq);
	return ret;
}

/**
 * cmwq_cancel_work - take a work item off its queue
 * @work: the work item
 *
 * Does not wait for a running instance, which may then still be running
 * on return.
 *
 * Context: Any context.
 * Return: %true if @work was pending and is now cancelled.
 */
bool cmwq_cancel_work(struct cmwq_work *work)
{
	if (work_refused(work, false, __func__, (void *)_RET_IP_))
		return false;
	return __cancel_work(work, false);
}
EXPORT_SYMBOL_GPL(cmwq_cancel_work);

/**
 * cmwq_cancel_work_sync - cancel a work item and wait for it to finish
 * @work: the work item
 *
 * On return @work is neither pending nor running, even if it requeues
 * itself; it may be queued again afterwards.  The work must not be one
 * the caller is running.
 *
 * Context: Process context; might sleep.
 * Return: %true if @work was pending.
 */
bool cmwq_cancel_work_sync(struct cmwq_work *work)
{
	if (work_refused(work, true, __func__, (void *)_RET_IP_))
		return false;
	might_sleep();
	return __cancel_work_sync(work, false, _RET_IP_);
}
EXPORT_SYMBOL_GPL(cmwq_cancel_work_sync);

/**
 * cmwq_cancel_delayed_work - cancel a delayed work item
 * @dwork: the delayed work item
 *
 * Stops its timer or takes it off its queue; does not wait for a running
 * instance.
 *
 * Context: Any context.
 * Return: %true if @dwork was pending and is now cancelled.
 */
bool cmwq_cancel_delayed_work(struct cmwq_delayed_work *dwork)
{
	if (work_refused(dwork_work(dwork), false, __func__,
			 (void *)_RET_IP_))
		return false;
	return __cancel_work(&dwork->work, true);
}
EXPORT_SYMBOL_GPL(cmwq_cancel_delayed_work);

/**
 * cmwq_cancel_delayed_work_sync - cancel a delayed work and wait for it
 * @dwork: the delayed work item
 *
 * On return @dwork is neither pending nor running, even if it requeues
 * itself.
 *
 * Context: Process context; might sleep.
 * Return: %true if @dwork was pending.
 */
bool cmwq_cancel_delayed_work_sync(struct cmwq_delayed_work *dwork)
{
	if (work_refused(dwork_work(dwork), true, __func__,
			 (void *)_RET_IP_))
		return false;
	might_sleep();
	return __cancel_work_sync(&dwork->work, true, _RET_IP_);
}
EXPORT_SYMBOL_GPL(cmwq_cancel_delayed_work_sync);

/**
 * cmwq_flush_workqueue - wait for the works queued so far
 * @wq: the workqueue
 *
 * Waits for every work queued on @wq before the call, on every CPU, to
 * finish.  Works queued after the call are not waited for.  Refused from
 * a work of @wq, which would wait for itself.
 *
 * Context: Process context; might sleep.
 */
void cmwq_flush_workqueue(struct cmwq_workqueue *wq)
{
	DECLARE_COMPLETION_ONSTACK(done);
	struct cmwq_cwq *cwq;
	int flush_color, next_color;

	if (queue_refused(wq, CMWQ_CPU_UNBOUND, __func__, (void *)_RET_IP_) ||
	    CMWQ_REFUSE(is_chained_work(wq),
			"%s: %s flushed from its own work %ps", __func__,
			wq->name, current_worker()->current_func))
		return;

	might_sleep();
	cmwq_stats_flush(wq);
	lock_map_acquire(&wq->lockdep_map);
	lock_map_release(&wq->lockdep_map);
	check_flush_dependency(wq, NULL);

	mutex_lock(&wq->flush_mutex);
	flush_color = wq->work_color;
	next_color = work_next_color(flush_color);
	wq->flush_done = &done;
	/* our own count keeps the completion from firing half-way */
	atomic_set(&wq->nr_cwqs_to_flush, 1);

	for_each_cwq(cwq, wq) {
		raw_spin_lock_irq(&cwq->pool->lock);
		WARN_ON_ONCE(cwq->flush_color != -1);
		if (cwq->nr_in_flight[flush_color]) {
			cwq->flush_color = flush_color;
			atomic_inc(&wq->nr_cwqs_to_flush);
		}
		cwq->work_color = next_color;
		raw_spin_unlock_irq(&cwq->pool->lock);
	}
	wq->work_color = next_color;

	if (atomic_dec_and_test(&wq->nr_cwqs_to_flush))
		complete(&done);
	wait_for_completion(&done);
	wq->flush_done = NULL;
	mutex_unlock(&wq->flush_mutex);
}
EXPORT_SYMBOL_GPL(cmwq_flush_workqueue);
