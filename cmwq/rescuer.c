// SPDX-License-Identifier: GPL-2.0
/*
 * rescuer.c - forward progress when no worker can be created
 *
 * A pool makes progress as long as its manager can create a worker when
 * the last idle one starts working.  Under memory pressure creation can
 * fail, and if the works that would free memory wait on that same pool,
 * nothing moves.  A CMWQ_MEM_RECLAIM queue therefore owns a rescuer
 * thread.  While a pool's manager fails to create a worker, the pool's
 * mayday timer fires (MAYDAY_INITIAL_TIMEOUT after the first attempt,
 * then every MAYDAY_INTERVAL) and sends a mayday to the rescuer of every
 * queue with works waiting on the pool.  The rescuer moves to the pool's
 * CPU when that CPU is up and active (see rescuer_bind_and_lock()), takes
 * the first of that queue's works (and only those) off the pool's
 * worklist while the pool still cannot run it, runs it, and goes on to
 * the next pool that called it, coming back to this one later for the
 * queue's next work (see rescue_cwq()).
 *
 * Creation failures can be injected to exercise all this (pool.c).
 */
#include <linux/kthread.h>
#include <linux/slab.h>

#include "internal.h"
#include "trace.h"

/* MD: the maydays lists and counters */
DEFINE_RAW_SPINLOCK(cmwq_mayday_lock);

/**
 * send_mayday - ask a work's queue's rescuer, if any, to come to its pool
 * @work: a work on a pool's worklist
 *
 * Context: pool->lock and cmwq_mayday_lock held.
 */
static void send_mayday(struct cmwq_work *work)
{
	struct cmwq_cwq *cwq = get_work_cwq(work);
	struct cmwq_workqueue *wq = cwq->wq;

	lockdep_assert_held(&cmwq_mayday_lock);
	if (!wq->rescuer)
		return;

	/* a cwq already waiting for the rescuer needs no second call */
	if (list_empty(&cwq->mayday_node)) {
		trace_cmwq_mayday(cwq, work);
		list_add_tail(&cwq->mayday_node, &wq->maydays);
		wq->nr_maydays++;
		cwq->pool->nr_maydays++;
		wake_up_process(wq->rescuer->task);
	}
}

/**
 * pool_mayday_timeout - creation is failing: summon the rescuers
 * @t: the pool's mayday_timer
 *
 * Context: Timer (softirq).
 */
void pool_mayday_timeout(struct timer_list *t)
{
	struct worker_pool *pool = from_timer(pool, t, mayday_timer);
	struct cmwq_work *work;

	raw_spin_lock_irq(&pool->lock);
	raw_spin_lock(&cmwq_mayday_lock);

	if (need_to_create_worker(pool)) {
		/*
		 * Works of every queue may be what frees the memory the
		 * manager needs: call every rescuer that has works here.
		 */
		list_for_each_entry(work, &pool->worklist, entry)
			send_mayday(work);
	}

	raw_spin_unlock(&cmwq_mayday_lock);
	raw_spin_unlock_irq(&pool->lock);

	mod_timer(&pool->mayday_timer, jiffies + MAYDAY_INTERVAL);
}

/*
 * Move the rescuer to @pool's CPU if the CPU can have it, and lock the
 * pool.  A CPU that is going down (inactive, the trustee not yet in
 * charge) pushes away whatever is not a per-CPU kthread, which a module's
 * thread never is: the rescuer then runs the works where it is, as the
 * pool's own workers do in that window.  Nothing here waits for the
 * hotplug callbacks, which may be waiting for these very works.
 */
static void rescuer_bind_and_lock(struct worker *rescuer,
				  struct worker_pool *pool)
	__acquires(&pool->lock)
{
	int cpu = pool->gcwq->cpu;

	mutex_lock(&pool->attach_mutex);
	if (cpu != CMWQ_CPU_UNBOUND && cpu_active(cpu) &&
	    !(READ_ONCE(pool->flags) & POOL_DISASSOCIATED))
		set_cpus_allowed_ptr(current, cpumask_of(cpu));
	else
		set_cpus_allowed_ptr(current, cpu_possible_mask);
	mutex_unlock(&pool->attach_mutex);

	raw_spin_lock_irq(&pool->lock);
	rescuer->pool = pool;
}

/*
 * Run the first of @cwq's works on its pool's worklist, if the pool still
 * cannot run it itself, and come back for the next one through the
 * maydays list while that lasts.
 *
 * One work per call: the queue's other works stay on the worklist, where
 * a worker of the pool that frees up or is created takes them, instead of
 * waiting behind a rescued work that sleeps, perhaps for one of them.
 * Coming back through the list also takes turns with the other pools
 * that called this rescuer.
 */
static void rescue_cwq(struct worker *rescuer, struct cmwq_cwq *cwq)
{
	struct worker_pool *pool = cwq->pool;
	struct cmwq_work *work, *found = NULL;

	rescuer_bind_and_lock(rescuer, pool);

	if (need_to_create_worker(pool)) {
		list_for_each_entry(work, &pool->worklist, entry) {
			if (get_work_cwq(work) == cwq) {
				found = work;
				break;
			}
		}
	}
	if (found) {
		trace_cmwq_rescue(cwq, found);
		move_linked_works(found, &rescuer->scheduled, NULL);
		cwq->nr_rescued++;
		process_scheduled_works(rescuer);

		/* still stuck: on call for the queue's next work, if any */
		if (need_to_create_worker(pool)) {
			raw_spin_lock(&cmwq_mayday_lock);
			list_for_each_entry(work, &pool->worklist, entry) {
				if (get_work_cwq(work) == cwq) {
					send_mayday(work);
					break;
				}
			}
			raw_spin_unlock(&cmwq_mayday_lock);
		}
	}

	/* leaving: whatever is left needs a worker running */
	if (need_more_worker(pool))
		wake_up_worker(pool);

	rescuer->pool = NULL;
	raw_spin_unlock_irq(&pool->lock);
}

/**
 * cmwq_rescuer_thread - a reclaim queue's rescuer
 * @arg: the rescuer's &struct worker
 *
 * Context: Kernel thread; sleeps until a mayday arrives.
 * Return: 0 when stopped.
 */
int cmwq_rescuer_thread(void *arg)
{
	struct worker *rescuer = arg;
	struct cmwq_workqueue *wq = rescuer->rescue_wq;
	struct cmwq_cwq *cwq;
	bool should_stop;

	set_user_nice(current, RESCUER_NICE_LEVEL);
repeat:
	set_current_state(TASK_IDLE);

	/*
	 * Stop only after every mayday that arrived before the stop request
	 * is served: destroy drains the queue first, so none is left for
	 * works, but a late one may still point at our cwqs.
	 */
	should_stop = kthread_should_stop();

	raw_spin_lock_irq(&cmwq_mayday_lock);
	while ((cwq = list_first_entry_or_null(&wq->maydays, struct cmwq_cwq,
					       mayday_node))) {
		__set_current_state(TASK_RUNNING);
		list_del_init(&cwq->mayday_node);
		raw_spin_unlock_irq(&cmwq_mayday_lock);

		rescue_cwq(rescuer, cwq);

		raw_spin_lock_irq(&cmwq_mayday_lock);
	}
	raw_spin_unlock_irq(&cmwq_mayday_lock);

	if (should_stop) {
		__set_current_state(TASK_RUNNING);
		return 0;
	}
	schedule();
	goto repeat;
}

/**
 * init_rescuer - give a reclaim queue its rescuer thread
 * @wq: the workqueue, not yet visible to anyone
 *
 * Context: Process context; might sleep.
 * Return: 0 or a negative errno.
 */
int init_rescuer(struct cmwq_workqueue *wq)
{
	struct worker *rescuer;

	rescuer = kzalloc(sizeof(*rescuer), GFP_KERNEL);
	if (!rescuer)
		return -ENOMEM;
	INIT_LIST_HEAD(&rescuer->scheduled);
	INIT_LIST_HEAD(&rescuer->entry);
	INIT_LIST_HEAD(&rescuer->node);
	/* PREP for good: a rescuer is never concurrency managed */
	rescuer->flags = WORKER_PREP;
	rescuer->rescue_wq = wq;

	rescuer->task = kthread_create(cmwq_rescuer_thread, rescuer, "%s",
				       wq->name);
	if (IS_ERR(rescuer->task)) {
		int ret = PTR_ERR(rescuer->task);

		kfree(rescuer);
		return ret;
	}
	wq->rescuer = rescuer;
	wake_up_process(rescuer->task);
	return 0;
}

/**
 * destroy_rescuer - stop a reclaim queue's rescuer
 * @wq: the workqueue, drained
 *
 * Context: Process context; might sleep.
 */
void destroy_rescuer(struct cmwq_workqueue *wq)
{
	struct worker *rescuer = wq->rescuer;

	if (!rescuer)
		return;
	kthread_stop(rescuer->task);
	wq->rescuer = NULL;
	kfree(rescuer);
}
