// SPDX-License-Identifier: GPL-2.0
/*
 * sched.c - the scheduler hooks that keep pool->nr_running exact
 *
 * A pool needs exactly one runnable worker while it has works.  The pool
 * learns when its running workers block through a preempt notifier each
 * worker registers on itself.  The kernel calls sched_out inside
 * __schedule() with the runqueue lock held and interrupts off, on every
 * switch: a worker no longer on the runqueue is going to sleep, one still
 * on it was merely preempted (since 6.12 a blocking task may stay queued,
 * marked delayed: cmwq_task_blocking() in compat.h knows).  Going to
 * sleep drops nr_running; when that reaches zero with works pending,
 * another worker must run.  A wake-up
 * cannot be issued under the runqueue lock, so the hook queues the pool's
 * irq_work, whose handler runs in hard IRQ right after the switch and
 * wakes an idle worker under pool->lock.  The irq_work is marked hard:
 * PREEMPT_RT runs the others in a thread, which would leave the pool
 * without a running worker until that thread is scheduled.  sched_in restores the count of a
 * worker that slept.
 *
 * The hooks take no lock: nr_running is atomic and the worklist is peeked
 * at without pool->lock, ordered against insert_work() (see queue.c) so
 * that one of the two sides always sees the other.
 *
 * Workers outside concurrency management (WORKER_NOT_RUNNING: preparing,
 * CPU-intensive, unbound, rogue) are skipped by both hooks.  Their flags
 * change in their own context, where worker_set_flags() and
 * worker_clr_flags() move nr_running by hand, so every decrement is paired
 * with one increment.  The one exception is the trustee making every
 * worker of a CPU going down rogue: it waits until every hook sees the
 * flag and then zeroes nr_running, and a worker that slept through it
 * does not count itself back in (hotplug.c).
 */
#include <linux/preempt.h>
#include <linux/sched.h>

#include "compat.h"
#include "internal.h"
#include "trace.h"

static void worker_sched_out(struct preempt_notifier *notifier,
			     struct task_struct *next)
{
	struct worker *worker = container_of(notifier, struct worker,
					     notifier);
	struct worker_pool *pool = worker->pool;

	/* preempted, not sleeping: it still counts as running */
	if (!cmwq_task_blocking(current))
		return;
	if (worker->flags & WORKER_NOT_RUNNING)
		return;

	worker->sleeping = true;
	/*
	 * atomic_dec_and_test() is a full barrier: it pairs with the smp_mb()
	 * in insert_work() between adding a work and reading nr_running.
	 */
	if (atomic_dec_and_test(&pool->nr_running) &&
	    !list_empty(&pool->worklist)) {
		/* takes no lock: it copies the ids */
		trace_cmwq_worker_sleep(worker);
		irq_work_queue(&pool->wake_work);
	}
}

static void worker_sched_in(struct preempt_notifier *notifier, int cpu)
{
	struct worker *worker = container_of(notifier, struct worker,
					     notifier);

	if (!worker->sleeping)
		return;
	worker->sleeping = false;
	/* it slept: its time on the CPU without sleeping starts again */
	worker->current_runtime = current->se.sum_exec_runtime;
	/* made rogue while asleep: nr_running was zeroed without it */
	if (!(worker->flags & WORKER_NOT_RUNNING))
		atomic_inc(&worker->pool->nr_running);
}

struct preempt_ops cmwq_preempt_ops = {
	.sched_in = worker_sched_in,
	.sched_out = worker_sched_out,
};

/**
 * pool_wake_work_fn - wake an idle worker for a pool whose workers sleep
 * @work: the pool's wake_work
 *
 * Context: Hard IRQ, queued by worker_sched_out().
 */
void pool_wake_work_fn(struct irq_work *work)
{
	struct worker_pool *pool = container_of(work, struct worker_pool,
						wake_work);
	struct worker *woken;

	raw_spin_lock(&pool->lock);
	if (need_more_worker(pool)) {
		woken = wake_up_worker(pool);
		trace_cmwq_worker_wake(pool, woken);
	}
	raw_spin_unlock(&pool->lock);
}

/**
 * worker_set_flags - set flags on the current worker
 * @worker: the worker, which must be current
 * @flags: WORKER_* flags
 *
 * Leaving concurrency management drops the worker from nr_running; the
 * pool may then need another worker, which the caller arranges.
 *
 * Context: pool->lock held, in @worker's own context.
 */
void worker_set_flags(struct worker *worker, unsigned int flags)
{
	struct worker_pool *pool = worker->pool;

	lockdep_assert_held(&pool->lock);
	WARN_ON_ONCE(worker->task != current);

	if ((flags & WORKER_NOT_RUNNING) &&
	    !(worker->flags & WORKER_NOT_RUNNING))
		atomic_dec(&pool->nr_running);
	worker->flags |= flags;
}

/**
 * worker_clr_flags - clear flags on the current worker
 * @worker: the worker, which must be current
 * @flags: WORKER_* flags
 *
 * Context: pool->lock held, in @worker's own context.
 */
void worker_clr_flags(struct worker *worker, unsigned int flags)
{
	struct worker_pool *pool = worker->pool;
	unsigned int oflags = worker->flags;

	lockdep_assert_held(&pool->lock);
	WARN_ON_ONCE(worker->task != current);

	worker->flags &= ~flags;
	/* only the last NOT_RUNNING flag going brings the worker back */
	if ((flags & WORKER_NOT_RUNNING) && (oflags & WORKER_NOT_RUNNING) &&
	    !(worker->flags & WORKER_NOT_RUNNING))
		atomic_inc(&pool->nr_running);
}
