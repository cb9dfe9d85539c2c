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
 * in its cwq.  A flush closes the queue's work color as it arrives, so
 * that works queued after its call get the next color and are not waited
 * for (they cannot livelock it either).  Closing a color counts the cwqs
 * that have works of it (wq->nr_flush_cwqs); the last work of the color
 * to leave a cwq counts the cwq out, and the color is drained when no
 * cwq is left.  Colors are numbered as they are closed
 * (wq->flush_started) and flushed in that order (wq->flush_finished): a
 * color is flushed once it and every color closed before it are drained,
 * so a flush of color number N has waited for everything queued before
 * it, whatever flushes timed out meanwhile.
 *
 * A flusher sleeps on wq->flushers, in the order of its color's number,
 * and is woken once, when its color is flushed:
 * nobody holds a role, so flushers never wait for each other, and a
 * timed flush that gives up only takes itself off the list.  Flushers
 * are batched: one arriving when nothing was queued since the last color
 * closed shares that color rather than closing an empty one, so eight
 * flushers of a busy queue arriving together close one color and are
 * woken together.  Sharing takes flush_lock alone; only closing a color
 * takes wq->flush_mutex, which orders the closes (the pools' locks are
 * taken in turn under it, so flush_lock cannot cover them), and a close
 * in progress (wq->flush_closing) sends arriving flushers to the mutex.
 * Whoever flushes a color (the worker whose work left last, or a flusher
 * closing an empty color) wakes the first flusher of it, the leader,
 * under the locks; the leader takes every other flusher whose color is
 * flushed off the list under flush_lock and wakes them after dropping
 * it.  So no spinlock is held while more than one task is woken, and the
 * flushers the leader wakes return without taking a lock.  There are
 * CMWQ_NR_COLORS colors: when all but the work color are closed and not
 * flushed, an arriving flusher waits for the oldest to be flushed before
 * it closes its own.
 *
 * waits.c reports a flush that waits long or times out, and a worker's
 * wait that can never end.  A work flush waits there, with a timer for
 * its report; the plain flushers of a queue sleep here without one: the
 * queue's report timer, armed by the first of them and kept armed while
 * any waits to be reported, wakes one of them to make the reports due
 * (struct wq_flusher).  A busy queue's flushers cost no timer each, and
 * none is armed or cancelled as they come and go.
 *
 * Cancelling grabs the PENDING bit, taking the work off its list if it was
 * queued, and the sync variants mark it CANCELING while they wait for a
 * running instance, so that requeueing (even by the work itself) fails
 * until they are done.
 */
#include <linux/module.h>
#include <linux/slab.h>

#include "internal.h"

/* R: sync cancelers waiting for another one; locked inside */
static DECLARE_WAIT_QUEUE_HEAD(cancel_waitq);

/*
 * A flush barrier.  A plain flush keeps it on its stack, as it waits for
 * it to run whatever happens.  A timed flush may return first, so its
 * barrier is on the heap with two references, the flusher's and the
 * barrier's own, and whichever is dropped last frees it.
 */
struct wq_barrier {
	struct cmwq_work	work;
	struct completion	done;
	refcount_t		ref;	/* R: on the heap only */
	bool			on_heap; /* I */
};

/**
 * cmwq_barrier_func - the function of flush barriers
 * @work: the barrier's work
 *
 * Also how the dumps tell a barrier from a work.
 *
 * Context: A worker, in process_one_work().
 */
void cmwq_barrier_func(struct cmwq_work *work)
{
	struct wq_barrier *barr = container_of(work, struct wq_barrier, work);

	/* a barrier on the flusher's stack may be gone once completed */
	if (!barr->on_heap) {
		complete(&barr->done);
		return;
	}
	complete(&barr->done);
	if (refcount_dec_and_test(&barr->ref))
		kfree(barr);
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

	__set_bit(CMWQ_WORK_PENDING_BIT, cmwq_work_bits(&barr->work));
	/* the dumps name the flush that queued it */
	work_set_caller(&barr->work, caller);

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

	WRITE_ONCE(cwq->nr_in_flight[color], cwq->nr_in_flight[color] + 1);
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

/*
 * Queue @barr behind @work if it is pending or running.  @fw and @wf are
 * filled for the report and the wait-for record of the flush.
 */
static bool start_flush_work(struct cmwq_work *work, struct wq_barrier *barr,
			     bool from_cancel, struct cmwq_flush_wait *fw,
			     struct cmwq_wait_for *wf)
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
	insert_wq_barrier(cwq, barr, work, worker, fw->caller);
	cmwq_stats_flush(cwq->wq);

	fw->wq = cwq->wq;
	fw->work = work;
	fw->func = work->func;
	fw->pool = pool;
	wf->work = work;
	wf->wq = cwq->wq;
	/* held back by max_active: it waits for a running work of @cwq */
	wf->cwq = !worker && (*cmwq_work_bits(work) & CMWQ_WORK_INACTIVE) ?
		  cwq : NULL;
	wf->func = work->func;
	wf->pool = pool->id;
	wf->target = CMWQ_FLUSH_ALL;
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

/*
 * Flush @work: 1 if it waited, 0 if @work was idle, -ETIMEDOUT when
 * @timeout (jiffies, or MAX_SCHEDULE_TIMEOUT) ran out, -ENOMEM when a
 * timed flush had no memory for its barrier.
 */
/* Whatever the caller of a flush holds must not be taken by the work. */
static void flush_work_lockdep(struct cmwq_work *work)
{
	lock_map_acquire(&work->lockdep_map);
	lock_map_release(&work->lockdep_map);
}

static int __flush_work(struct cmwq_work *work, bool from_cancel,
			const char *what, unsigned long caller, long timeout)
{
	struct cmwq_flush_wait fw = {
		.what = what, .caller = caller, .start = jiffies,
	};
	struct worker *me = current_worker();
	struct wq_barrier stack_barr, *barr;
	struct cmwq_wait_for wf;
	bool done;

	flush_work_lockdep(work);

	/* no pool to look on: spare the barrier (an idle sync cancel) */
	if (work_on_no_pool(work))
		return 0;

	if (timeout == MAX_SCHEDULE_TIMEOUT) {
		barr = &stack_barr;
		CMWQ_INIT_WORK_ONSTACK(&barr->work, cmwq_barrier_func);
		barr->on_heap = false;
	} else {
		barr = kmalloc(sizeof(*barr), GFP_KERNEL);
		if (!barr)
			return -ENOMEM;
		CMWQ_INIT_WORK(&barr->work, cmwq_barrier_func);
		barr->on_heap = true;
		refcount_set(&barr->ref, 2);
	}
	init_completion(&barr->done);

	if (!start_flush_work(work, barr, from_cancel, &fw, &wf)) {
		if (barr->on_heap)
			kfree(barr);
		else
			cmwq_destroy_work_on_stack(&barr->work);
		return 0;
	}

	if (me)
		cmwq_wait_begin(me, &wf, caller);
	done = cmwq_flush_wait(&barr->done, timeout, &fw);
	if (me)
		cmwq_wait_end(me);

	if (!barr->on_heap)
		cmwq_destroy_work_on_stack(&barr->work);
	else if (refcount_dec_and_test(&barr->ref))
		kfree(barr);
	return done ? 1 : -ETIMEDOUT;
}

/**
 * cmwq_flush_work - wait for a work item to finish its last queueing
 * @work: the work item
 *
 * Waits until @work, as last queued before the call, has run to
 * completion.  A work cannot wait for itself: that is refused.  A wait
 * longer than the flush_report_secs parameter is reported (once), as is
 * a wait that can never end (Documentation/cmwq.rst, "Debugging").
 *
 * Context: Process context; might sleep.
 * Return: %true if it waited, %false if @work was idle (or refused).
 */
bool cmwq_flush_work(struct cmwq_work *work)
{
	if (work_refused(work, true, __func__, (void *)_RET_IP_))
		return false;
	might_sleep();
	return __flush_work(work, false, __func__, _RET_IP_,
			    MAX_SCHEDULE_TIMEOUT) > 0;
}
EXPORT_SYMBOL_GPL(cmwq_flush_work);

/**
 * cmwq_flush_work_timeout - wait for a work item, for a limited time
 * @work: the work item
 * @timeout: how long to wait, in jiffies
 *
 * As cmwq_flush_work(), but gives up after @timeout, and then reports
 * what the flush waits for: the work, its state, who queued it (where
 * works record it: see cmwq.h) and the stack of the worker running it.
 * The work is not cancelled.
 *
 * Context: Process context; might sleep.
 * Return: 1 if it waited for @work to finish, 0 if @work was idle,
 * -%ETIMEDOUT if it still runs or waits to after @timeout, -%ENOMEM if
 * there was no memory for the flush, -%EINVAL if refused.
 */
int cmwq_flush_work_timeout(struct cmwq_work *work, unsigned long timeout)
{
	if (work_refused(work, true, __func__, (void *)_RET_IP_))
		return -EINVAL;
	might_sleep();
	return __flush_work(work, false, __func__, _RET_IP_,
			    min_t(unsigned long, timeout,
				  MAX_SCHEDULE_TIMEOUT - 1));
}
EXPORT_SYMBOL_GPL(cmwq_flush_work_timeout);

/* A pending timer is cut short: the work is queued now. */
static void flush_delayed_timer(struct cmwq_delayed_work *dwork)
{
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
			     work_caller(&dwork->work));
	local_irq_enable();
}

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
	flush_delayed_timer(dwork);
	return __flush_work(&dwork->work, false, __func__, _RET_IP_,
			    MAX_SCHEDULE_TIMEOUT) > 0;
}
EXPORT_SYMBOL_GPL(cmwq_flush_delayed_work);

/**
 * cmwq_flush_delayed_work_timeout - run a delayed work now and wait a while
 * @dwork: the delayed work item
 * @timeout: how long to wait, in jiffies
 *
 * As cmwq_flush_delayed_work(), but gives up after @timeout, reporting
 * what it waits for as cmwq_flush_work_timeout() does.
 *
 * Context: Process context; might sleep.
 * Return: as cmwq_flush_work_timeout().
 */
int cmwq_flush_delayed_work_timeout(struct cmwq_delayed_work *dwork,
				    unsigned long timeout)
{
	if (work_refused(dwork_work(dwork), true, __func__,
			 (void *)_RET_IP_))
		return -EINVAL;

	might_sleep();
	flush_delayed_timer(dwork);
	return __flush_work(&dwork->work, false, __func__, _RET_IP_,
			    min_t(unsigned long, timeout,
				  MAX_SCHEDULE_TIMEOUT - 1));
}
EXPORT_SYMBOL_GPL(cmwq_flush_delayed_work_timeout);

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
		cmwq_stats_cancelled(cwq, work);
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
			       const char *what, unsigned long caller)
{
	unsigned long flags;
	int ret;

	/*
	 * Not queued since its last sync cancel finished, or ever: it is not
	 * pending, not running, and nobody else is cancelling it, so there is
	 * nothing to take off or wait for.  A queueing racing with this read
	 * is after the cancel, as it could have been anyway.  Acquire: pairs
	 * with the release below, so that the caller sees what the work did
	 * when that cancel waited for it.
	 */
	if (atomic_long_read_acquire(&work->data) == CMWQ_WORK_NO_POOL) {
		flush_work_lockdep(work);
		return false;
	}

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

	__flush_work(work, true, what, caller, MAX_SCHEDULE_TIMEOUT);

	/* release: pairs with the acquire of a later sync cancel's read */
	atomic_long_set_release(&work->data, CMWQ_WORK_NO_POOL);
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
 * the caller is running.  A sync cancel that finds another one under way
 * on @work sleeps until that one is done.
 *
 * Context: Process context; might sleep.
 * Return: %true if @work was pending.
 */
bool cmwq_cancel_work_sync(struct cmwq_work *work)
{
	if (work_refused(work, true, __func__, (void *)_RET_IP_))
		return false;
	might_sleep();
	return __cancel_work_sync(work, false, __func__, _RET_IP_);
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
 * itself.  A sync cancel that finds another one under way on @dwork
 * sleeps until that one is done.
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
	return __cancel_work_sync(&dwork->work, true, __func__, _RET_IP_);
}
EXPORT_SYMBOL_GPL(cmwq_cancel_delayed_work_sync);

/*
 * A flusher waiting for its color.  It is on wq->flushers, ordered by
 * @target, until the color numbered @target is flushed.  Then it is
 * taken off (@detached) under flush_lock and woken (@flushed): the one
 * who flushed the color wakes the first flusher of it, the @leader,
 * under the lock, and the leader wakes the rest after dropping it, so
 * that nobody holds a spinlock while more than one task is woken and
 * the others return without taking a lock.
 *
 * Plain flushers sleep without a timer.  The reports of those that wait
 * long (flush_report_secs) are timed by the queue's report timer
 * (wq->flush_report_timer), armed for the earliest report due while any
 * plain flusher waits unreported: when it fires, it wakes (@kicked) one
 * flusher still on the list, which makes the reports due, its own and
 * the others', and sleeps again.  A timed flush keeps its own timer and
 * reports when it gives up.
 */
struct wq_flusher {
	struct list_head	node;	/* F: in wq->flushers, or a leader's
					 * batch once @detached
					 */
	unsigned long		target;	/* F: the number of its color */
	bool			detached; /* F: off the list, to be woken */
	bool			leader;	/* F: wakes the others flushed */
	bool			reported; /* F: reported, or reports itself */
	bool			flushed; /* R: woken; set with release */
	bool			kicked;	/* F+R: told to make the reports */
	struct task_struct	*task;	/* I */
	struct cmwq_flush_wait	*fw;	/* I; its ->target: F */
	unsigned long		report_at; /* I: jiffies, for a plain flush */
};

/* Jiffies left before @deadline; MAX_SCHEDULE_TIMEOUT for a plain wait. */
static long time_left(unsigned long deadline, bool plain)
{
	if (plain)
		return MAX_SCHEDULE_TIMEOUT;
	return time_after(deadline, jiffies) ? deadline - jiffies : 0;
}

/* Is the color of @f flushed?  Every color numbered up to flush_finished is. */
static bool wq_flusher_flushed(struct cmwq_workqueue *wq,
			       struct wq_flusher *f)
{
	lockdep_assert_held(&wq->flush_lock);
	return (long)(wq->flush_finished - f->target) >= 0;
}

/* Take @f off the flushers, to be woken. */
static void wq_detach_flusher(struct cmwq_workqueue *wq, struct wq_flusher *f)
{
	lockdep_assert_held(&wq->flush_lock);
	f->detached = true;
}

/*
 * Wake the first flusher waiting, if its color is flushed, as the leader.
 * It takes flush_lock before it returns (wq_wake_flushed()), so its task
 * is still there while we hold the lock.
 */
static void wq_wake_flusher(struct cmwq_workqueue *wq)
{
	struct wq_flusher *f;

	lockdep_assert_held(&wq->flush_lock);
	f = list_first_entry_or_null(&wq->flushers, struct wq_flusher, node);
	if (f && wq_flusher_flushed(wq, f)) {
		list_del_init(&f->node);
		wq_detach_flusher(wq, f);
		f->leader = true;
		/* pairs with the acquire in wq_flusher_sleep() */
		smp_store_release(&f->flushed, true);
		wake_up_process(f->task);
	}
}

/*
 * The leader's part: wake every flusher whose color is flushed.  They are
 * taken off under the lock and marked detached, so that a timed one
 * giving up meanwhile waits to be woken instead of taking itself off;
 * then they are woken without it.  A woken flusher may return at once:
 * the batch is walked one step ahead, and each task is held until woken.
 */
static void wq_wake_flushed(struct cmwq_workqueue *wq)
{
	struct wq_flusher *f, *next;
	struct task_struct *task;
	LIST_HEAD(batch);

	raw_spin_lock_irq(&wq->flush_lock);
	list_for_each_entry_safe(f, next, &wq->flushers, node) {
		if (!wq_flusher_flushed(wq, f))
			break;
		wq_detach_flusher(wq, f);
		list_move_tail(&f->node, &batch);
	}
	raw_spin_unlock_irq(&wq->flush_lock);

	list_for_each_entry_safe(f, next, &batch, node) {
		task = get_task_struct(f->task);
		/* pairs with the acquire in wq_flusher_sleep() */
		smp_store_release(&f->flushed, true);
		wake_up_process(task);
		put_task_struct(task);
	}
}

/*
 * No work of closed color @color is left on any cwq.  The colors are
 * flushed in the order they were closed: this one, and any drained after
 * it, when every color closed before it is.
 */
static void wq_color_drained(struct cmwq_workqueue *wq, int color)
{
	unsigned long finished = wq->flush_finished;

	lockdep_assert_held(&wq->flush_lock);
	wq->flush_drained |= BIT(color);
	while (wq->flush_drained & BIT(wq->flush_color)) {
		wq->flush_drained &= ~BIT(wq->flush_color);
		wq->flush_color = work_next_color(wq->flush_color);
		finished++;
	}
	if (finished == wq->flush_finished)
		return;
	/*
	 * A flusher learns that its color is flushed under flush_lock or
	 * through its completion, both ordered after what the works did; the
	 * lockless read is wq_add_flusher()'s count of the colors in use.
	 */
	WRITE_ONCE(wq->flush_finished, finished);
	wq_wake_flusher(wq);
}

/**
 * cwq_color_left - the last work of a closed color left a cwq
 * @cwq: the cwq
 * @color: the color, one of @cwq->flush_colors
 *
 * Context: pool->lock of @cwq held; takes wq->flush_lock.
 */
void cwq_color_left(struct cmwq_cwq *cwq, int color)
{
	struct cmwq_workqueue *wq = cwq->wq;

	lockdep_assert_held(&cwq->pool->lock);
	cwq->flush_colors &= ~BIT(color);
	raw_spin_lock(&wq->flush_lock);
	if (!--wq->nr_flush_cwqs[color])
		wq_color_drained(wq, color);
	raw_spin_unlock(&wq->flush_lock);
}

/**
 * wq_color_waited - does a queue flush wait for the works of a color?
 * @wq: the workqueue
 * @color: the color of a work in flight on @wq
 * @target: the flush's, as in struct cmwq_wait_for
 *
 * Colors are reused once flushed, so a color stands for the works of a
 * flush only while its number is not flushed: this looks at what is
 * flushed now.
 *
 * Context: Any; takes wq->flush_lock, so not under it.
 * Return: %true if the flush waits for the works of @color.
 */
bool wq_color_waited(struct cmwq_workqueue *wq, int color,
		     unsigned long target)
{
	unsigned long flags, left;
	int behind;

	if (target == CMWQ_FLUSH_ALL)
		return true;
	raw_spin_lock_irqsave(&wq->flush_lock, flags);
	/* the colors not flushed are numbered from flush_finished + 1 on */
	left = target - wq->flush_finished;
	behind = (color - wq->flush_color + CMWQ_NR_COLORS) % CMWQ_NR_COLORS;
	raw_spin_unlock_irqrestore(&wq->flush_lock, flags);
	return (long)left > 0 && behind < left;
}

/*
 * While a color is being closed, wq->nr_flush_cwqs[] of it holds this
 * bias instead of the count of cwqs with works of it: cwqs counted in by
 * the close may count themselves out before the close adds them up, and
 * the bias keeps the count from reaching zero until the close is over.
 * It is more than the number of cwqs of any queue.
 */
#define FLUSH_CLOSE_BIAS	U16_MAX

/*
 * Close the work color: new works get the next one.  Each cwq with works
 * of it is counted, and the color is flushed once the last of them has
 * none left.  There is room for it: the next color was flushed, so no
 * work carries it.  The caller finishes with wq_close_color_end() under
 * flush_lock, with the number of cwqs returned.
 */
static int wq_close_color_begin(struct cmwq_workqueue *wq)
{
	int color = wq->work_color, next_color = work_next_color(color);
	struct cmwq_cwq *cwq;
	int nr_cwqs = 0;

	lockdep_assert_held(&wq->flush_mutex);
	/* a count per cwq, below the bias: a bound queue has one per CPU */
	BUILD_BUG_ON(CONFIG_NR_CPUS >= FLUSH_CLOSE_BIAS);
	raw_spin_lock_irq(&wq->flush_lock);
	WARN_ON_ONCE(wq->nr_flush_cwqs[color] ||
		     wq->flush_drained & BIT(color));
	wq->nr_flush_cwqs[color] = FLUSH_CLOSE_BIAS;
	/* wq->work_color changes: flushers that share a color stay out */
	wq->flush_closing = true;
	raw_spin_unlock_irq(&wq->flush_lock);

	for_each_cwq(cwq, wq) {
		raw_spin_lock_irq(&cwq->pool->lock);
		WARN_ON_ONCE(cwq->nr_in_flight[next_color]);
		if (cwq->nr_in_flight[color]) {
			cwq->flush_colors |= BIT(color);
			nr_cwqs++;
		}
		cwq->work_color = next_color;
		raw_spin_unlock_irq(&cwq->pool->lock);
	}
	wq->work_color = next_color;
	return nr_cwqs;
}

/*
 * Number @color, just closed with works on @nr_cwqs cwqs, and count
 * those in: the ones that counted themselves out meanwhile took the
 * count below the bias.
 */
static void wq_close_color_end(struct cmwq_workqueue *wq, int color,
			       int nr_cwqs)
{
	lockdep_assert_held(&wq->flush_mutex);
	lockdep_assert_held(&wq->flush_lock);
	wq->nr_flush_cwqs[color] -= FLUSH_CLOSE_BIAS - nr_cwqs;
	wq->flush_closing = false;
	WRITE_ONCE(wq->flush_started, wq->flush_started + 1);
	if (!wq->nr_flush_cwqs[color])
		wq_color_drained(wq, color);
}

/* Does the work color have works in flight on any cwq? */
static bool wq_work_color_used(struct cmwq_workqueue *wq)
{
	struct cmwq_cwq *cwq;

	/* as in wq_nothing_in_flight(): a work queued before us is seen */
	for_each_cwq(cwq, wq)
		if (READ_ONCE(cwq->nr_in_flight[wq->work_color]))
			return true;
	return false;
}

/*
 * Have the report timer fire by @when: armed while a plain flusher waits
 * unreported, for the earliest report due, and moved only to fire
 * earlier, so that flushers coming and going on a busy queue find it
 * armed and leave it.
 */
static void wq_arm_reports(struct cmwq_workqueue *wq, unsigned long when)
{
	struct timer_list *timer = &wq->flush_report_timer;

	lockdep_assert_held(&wq->flush_lock);
	if (!timer_pending(timer) || time_before(when, timer->expires)) {
		mod_timer(timer, when);
		WRITE_ONCE(wq->flush_report_armed, true);
	}
}

/*
 * The report timer: wake a flusher to make the reports due, unless one
 * is at it already, and fire again for the next report.  A flusher on
 * the list has not returned (it takes itself off, or is taken off, under
 * flush_lock), so its task is there while the lock is held.
 */
static void wq_report_timer_fn(struct timer_list *timer)
{
	struct cmwq_workqueue *wq = from_timer(wq, timer, flush_report_timer);
	unsigned long now = jiffies, next = 0, flags;
	struct wq_flusher *f, *kick = NULL;
	bool later = false;

	raw_spin_lock_irqsave(&wq->flush_lock, flags);
	list_for_each_entry(f, &wq->flushers, node) {
		if (f->reported)
			continue;
		if (time_before(now, f->report_at)) {
			if (!later || time_before(f->report_at, next))
				next = f->report_at;
			later = true;
		} else if (!kick) {
			kick = f;
		}
	}
	if (kick && !wq->flush_reporting) {
		wq->flush_reporting = true;
		WRITE_ONCE(kick->kicked, true);
		wake_up_process(kick->task);
	}
	if (later)
		wq_arm_reports(wq, next);
	raw_spin_unlock_irqrestore(&wq->flush_lock, flags);
}

/**
 * wq_flush_init - set up what a queue's flushes use
 * @wq: the workqueue being created
 *
 * Context: Process context.
 */
void wq_flush_init(struct cmwq_workqueue *wq)
{
	mutex_init(&wq->flush_mutex);
	raw_spin_lock_init(&wq->flush_lock);
	INIT_LIST_HEAD(&wq->flushers);
	timer_setup(&wq->flush_report_timer, wq_report_timer_fn, 0);
}

/**
 * wq_flush_exit - the last flush of a queue being destroyed is over
 * @wq: the workqueue, drained, with no flusher left
 *
 * The report timer re-arms itself only while flushers wait: stopped now,
 * it stays stopped.  A queue whose flushes never waited to be reported,
 * most queues, never armed it and skips the stop: its flushers returned
 * before the destroy, their flush_lock sections ordered before it.
 *
 * Context: Process context; might sleep.
 */
void wq_flush_exit(struct cmwq_workqueue *wq)
{
	WARN_ON_ONCE(!list_empty(&wq->flushers));
	if (READ_ONCE(wq->flush_report_armed))
		del_timer_sync(&wq->flush_report_timer);
}

/*
 * Put @f on the flushers for @f->target, unless that color is flushed
 * already.  Return: 1 if added, 0 if flushed.
 */
static int wq_insert_flusher(struct cmwq_workqueue *wq, struct wq_flusher *f)
{
	struct wq_flusher *pos;

	lockdep_assert_held(&wq->flush_lock);
	if (wq_flusher_flushed(wq, f))
		return 0;
	/* after the last whose color is numbered no later than ours */
	list_for_each_entry_reverse(pos, &wq->flushers, node)
		if ((long)(pos->target - f->target) <= 0)
			break;
	list_add(&f->node, &pos->node);
	f->detached = false;
	f->leader = false;
	WRITE_ONCE(f->flushed, false);
	/* a drain's report covers every color */
	if (f->fw->target != CMWQ_FLUSH_ALL)
		f->fw->target = f->target;
	if (!f->reported)
		wq_arm_reports(wq, f->report_at);
	return 1;
}

/*
 * Nothing was queued since the last color was closed: that color flushes
 * what was queued before the call, and @f shares it, under flush_lock
 * alone.  Return: as wq_add_flusher(), or -%EBUSY if the work color has
 * works (or is being closed): @f must close it.
 */
static int wq_share_color(struct cmwq_workqueue *wq, struct wq_flusher *f)
{
	int ret = -EBUSY;

	raw_spin_lock_irq(&wq->flush_lock);
	/* not closing: wq->work_color and flush_started hold still */
	if (!wq->flush_closing && !wq_work_color_used(wq)) {
		f->target = wq->flush_started;
		ret = wq_insert_flusher(wq, f);
	}
	raw_spin_unlock_irq(&wq->flush_lock);
	return ret;
}

/*
 * Put @f on the queue's flushers for the color that flushes what was
 * queued before the call: the work color, closed now so that works
 * queued from now on are not waited for.  If none was queued in it since
 * the last color was closed, that last one does, and flushers arriving
 * together share it without taking the mutex.  If every other color is
 * closed and not flushed, the work color cannot be closed yet: @f waits
 * for the oldest instead, for room to close it then.
 *
 * Context: Process context; takes wq->flush_lock, and wq->flush_mutex to
 * close a color.
 * Return: 1 if @f waits for its color, 0 if that color is flushed
 * already (@f not added), -%EAGAIN if @f waits for room.
 */
static int wq_add_flusher(struct cmwq_workqueue *wq, struct wq_flusher *f)
{
	int color, nr_cwqs = -1;
	int ret;

	ret = wq_share_color(wq, f);
	if (ret != -EBUSY)
		return ret;

	mutex_lock(&wq->flush_mutex);
	/* another flusher may have closed it meanwhile */
	if (wq_work_color_used(wq) &&
	    wq->flush_started - READ_ONCE(wq->flush_finished) <
	    CMWQ_NR_COLORS - 1) {
		color = wq->work_color;
		nr_cwqs = wq_close_color_begin(wq);
	}

	raw_spin_lock_irq(&wq->flush_lock);
	if (nr_cwqs >= 0)
		wq_close_color_end(wq, color, nr_cwqs);
	if (nr_cwqs >= 0 || !wq_work_color_used(wq)) {
		f->target = wq->flush_started;
		ret = wq_insert_flusher(wq, f);
	} else {
		/* no room: wait for the oldest color */
		f->target = wq->flush_finished + 1;
		ret = wq_insert_flusher(wq, f) ? -EAGAIN : 0;
	}
	raw_spin_unlock_irq(&wq->flush_lock);
	mutex_unlock(&wq->flush_mutex);
	return ret;
}

/*
 * Sleep until @f is flushed or kicked, or @timeout (jiffies, or
 * MAX_SCHEDULE_TIMEOUT: no timer) runs out.  Return: the jiffies left.
 */
static long wq_flusher_sleep(struct wq_flusher *f, long timeout)
{
	for (;;) {
		set_current_state(TASK_UNINTERRUPTIBLE);
		/* pairs with the release of whoever woke us */
		if (smp_load_acquire(&f->flushed) || READ_ONCE(f->kicked) ||
		    !timeout)
			break;
		timeout = schedule_timeout(timeout);
	}
	__set_current_state(TASK_RUNNING);
	return timeout;
}

#define NR_REPORTS	4	/* reports copied out per pass */

/*
 * Woken by the report timer: report the plain flushes on the list whose
 * report is due, a few per pass, until none is left; the timer fires
 * again for the others.  The flushes are copied under flush_lock, as a
 * flusher may leave once the lock is dropped; the queue stays, as the
 * caller is one of its flushers.
 */
static void wq_report_flushers(struct cmwq_workqueue *wq)
{
	struct cmwq_flush_wait due[NR_REPORTS];
	struct wq_flusher *f;
	int i, nr;

	do {
		nr = 0;
		raw_spin_lock_irq(&wq->flush_lock);
		list_for_each_entry(f, &wq->flushers, node) {
			if (f->reported || time_before(jiffies, f->report_at))
				continue;
			if (nr == NR_REPORTS)
				break;
			f->reported = true;
			due[nr++] = *f->fw;
		}
		/* none left due: the timer wakes a flusher for the next */
		if (nr < NR_REPORTS)
			wq->flush_reporting = false;
		raw_spin_unlock_irq(&wq->flush_lock);
		for (i = 0; i < nr; i++)
			cmwq_flush_report(&due[i], false);
	} while (nr == NR_REPORTS);
}

/*
 * Wait until @f is woken, or until @timeout runs out for a timed flush,
 * which then reports what it waits for.  A plain flush kicked by the
 * report timer makes the reports due before it goes on waiting or
 * returns.  Return: %true if woken, %false if the timed flush gave up
 * first (then off the flushers).
 */
static bool wq_flusher_wait(struct cmwq_workqueue *wq, struct wq_flusher *f,
			    long timeout)
{
	bool plain = timeout == MAX_SCHEDULE_TIMEOUT, flushed;

	for (;;) {
		timeout = wq_flusher_sleep(f, timeout);
		/*
		 * Pairs with the release of whoever woke us; a kick, given
		 * under flush_lock while we were on the list, is seen with it.
		 */
		flushed = smp_load_acquire(&f->flushed);
		if (plain && READ_ONCE(f->kicked)) {
			WRITE_ONCE(f->kicked, false);
			wq_report_flushers(wq);
		}
		if (flushed)
			break;
		if (plain || timeout)
			continue;

		cmwq_flush_report(f->fw, true);
		raw_spin_lock_irq(&wq->flush_lock);
		if (!f->detached)
			list_del(&f->node);
		raw_spin_unlock_irq(&wq->flush_lock);
		if (!f->detached)
			return false;
		/* taken off meanwhile: whoever did wakes us, soon */
		wq_flusher_sleep(f, MAX_SCHEDULE_TIMEOUT);
		/* reported as timed out: it fails all the same */
		if (f->leader)
			wq_wake_flushed(wq);
		return false;
	}
	/* a leader wakes the others whose color is flushed */
	if (f->leader)
		wq_wake_flushed(wq);
	return true;
}

/**
 * wq_nothing_in_flight - has every work queued on a queue so far left it?
 * @wq: the workqueue
 *
 * Policy for the fast paths of a flush and a drain.  Read without the
 * pools' locks, so that flushing an idle queue takes no lock and does not
 * wait behind another flusher: a driver flushing at every close or
 * suspend mostly finds its queue idle.  A work whose queueing the caller
 * saw (or did) has raised its count where the caller can see it; one that
 * decremented its count back has left its cwq, its function returned.
 *
 * Context: Any.
 * Return: %true if no work of @wq is queued, inactive or running.
 */
bool wq_nothing_in_flight(struct cmwq_workqueue *wq)
{
	struct cmwq_cwq *cwq;
	int i;

	for_each_cwq(cwq, wq)
		for (i = 0; i < CMWQ_NR_COLORS; i++)
			if (READ_ONCE(cwq->nr_in_flight[i]))
				return false;
	/*
	 * Pairs with the release of pool->lock after cwq_dec_nr_in_flight():
	 * what the works did before they left is seen by our caller.
	 */
	smp_rmb();
	return true;
}

/*
 * The waits of wq_flush(), apart so that an idle queue's flush does not
 * set up their frame (zeroed where the kernel zeroes stack variables).
 */
static noinline int wq_flush_wait(struct cmwq_workqueue *wq, long timeout,
				  struct cmwq_flush_wait *fw, bool all)
{
	bool plain = timeout == MAX_SCHEDULE_TIMEOUT;
	unsigned long deadline = jiffies + (plain ? 0 : timeout);
	unsigned long report = cmwq_flush_report_jiffies();
	struct worker *me = current_worker();
	struct cmwq_wait_for wf = { .wq = wq };
	struct wq_flusher f = {
		.task = current, .fw = fw,
		/* reports off, or a timed flush reporting when it gives up */
		.reported = !plain || !report,
		.report_at = jiffies + report,
	};
	bool woken;
	int ret;

	fw->wq = wq;
	fw->target = all ? CMWQ_FLUSH_ALL : 0;
	do {
		ret = wq_add_flusher(wq, &f);
		if (!ret)
			break;
		if (me) {
			wf.target = fw->target;
			cmwq_wait_begin(me, &wf, fw->caller);
		}
		woken = wq_flusher_wait(wq, &f, time_left(deadline, plain));
		if (me)
			cmwq_wait_end(me);
		/* a flush reported as timed out fails, even if woken since */
		if (!woken)
			return -ETIMEDOUT;
	} while (ret < 0);
	return 0;
}

/**
 * wq_flush - wait for the works queued on a queue so far
 * @wq: the workqueue
 * @timeout: jiffies, or %MAX_SCHEDULE_TIMEOUT to wait as long as it takes
 * @fw: the flush for its report: what, caller and start filled in
 * @all: a drain: the report and the wait-for record cover every color
 *
 * The flush closes the work color as it arrives (or shares the color
 * closed last, if nothing was queued since) and sleeps until that color
 * and every one closed before it are flushed.  Nothing holds a role or a
 * lock while it waits, so a timed flush that gives up only leaves the
 * flushers' list; its color is flushed all the same and the next flush
 * waits for what it left.  A queue with nothing in flight is flushed
 * already: the flush returns without a lock or a color.
 *
 * Context: Process context; sleeps.
 * Return: 0 when flushed, -%ETIMEDOUT when @timeout ran out (reported).
 */
int wq_flush(struct cmwq_workqueue *wq, long timeout,
	     struct cmwq_flush_wait *fw, bool all)
{
	if (wq_nothing_in_flight(wq))
		return 0;
	return wq_flush_wait(wq, timeout, fw, all);
}

/* The checks of a queue flush, and its lockdep annotation. */
static bool wq_flush_refused(struct cmwq_workqueue *wq, const char *what,
			     void *ret_ip)
{
	if (queue_refused(wq, CMWQ_CPU_UNBOUND, what, ret_ip) ||
	    CMWQ_REFUSE(is_chained_work(wq),
			"%s: %s flushed from its own work %ps", what,
			wq->name, current_worker()->current_func))
		return true;

	might_sleep();
	cmwq_stats_flush(wq);
	lock_map_acquire(&wq->lockdep_map);
	lock_map_release(&wq->lockdep_map);
	check_flush_dependency(wq, NULL);
	return false;
}

/**
 * cmwq_flush_workqueue - wait for the works queued so far
 * @wq: the workqueue
 *
 * Waits for every work queued on @wq before the call, on every CPU, to
 * finish.  Works queued after the call are not waited for.  Refused from
 * a work of @wq, which would wait for itself.  A wait longer than the
 * flush_report_secs parameter is reported once, and so is a wait that
 * can never end (Documentation/cmwq.rst, "Debugging").
 *
 * Context: Process context; might sleep.
 */
void cmwq_flush_workqueue(struct cmwq_workqueue *wq)
{
	struct cmwq_flush_wait fw = {
		.what = __func__, .caller = _RET_IP_, .start = jiffies,
	};

	if (wq_flush_refused(wq, __func__, (void *)_RET_IP_))
		return;
	wq_flush(wq, MAX_SCHEDULE_TIMEOUT, &fw, false);
}
EXPORT_SYMBOL_GPL(cmwq_flush_workqueue);

/**
 * cmwq_flush_workqueue_timeout - wait for the works queued so far, a while
 * @wq: the workqueue
 * @timeout: how long to wait, in jiffies
 *
 * As cmwq_flush_workqueue(), but gives up after @timeout and then reports
 * the works the flush still waits for: for each, its function, pool and
 * CPU, state, who queued it and how long ago (where works record it: see
 * cmwq.h), and the worker running it with its stack.  The next flush of @wq waits for them too.
 *
 * Context: Process context; might sleep.
 * Return: 0 when flushed, -%ETIMEDOUT after @timeout, -%EINVAL if refused.
 */
int cmwq_flush_workqueue_timeout(struct cmwq_workqueue *wq,
				 unsigned long timeout)
{
	struct cmwq_flush_wait fw = {
		.what = __func__, .caller = _RET_IP_, .start = jiffies,
	};

	if (wq_flush_refused(wq, __func__, (void *)_RET_IP_))
		return -EINVAL;
	return wq_flush(wq, min_t(unsigned long, timeout,
				  MAX_SCHEDULE_TIMEOUT - 1), &fw, false);
}
EXPORT_SYMBOL_GPL(cmwq_flush_workqueue_timeout);
