// SPDX-License-Identifier: GPL-2.0
/*
 * pool.c - global_cwqs, worker pools and their workers
 *
 * Every possible CPU has a global_cwq holding two worker pools, normal
 * and high priority, and one more global_cwq serves unbound queues.  All
 * workqueues feed the same pools; a pool's workers take works off its one
 * worklist in order.
 *
 * A worker leaves the idle list to process works.  If it was the last idle
 * one it first becomes the pool's manager and creates another, so that a
 * pool always has an idle worker ready for the moment its running workers
 * all block (sched.c wakes it).  A pool wakes one idle worker at a time:
 * until the one woken has left the idle list, the wake-ups asked for are
 * its to cover (wake_up_worker()).  Idle workers beyond the ratio in
 * too_many_workers() are reaped by the manager after cmwq_idle_timeout:
 * it takes every expired one out of the pool in one pass under the pool's
 * lock, gives the role back, and only then stops their threads, which
 * takes a context switch each; a burst arriving meanwhile finds the role
 * free to create workers.  Only one worker manages a pool at a time
 * (POOL_MANAGER_ACTIVE).
 *
 * This file owns the pools and the workers' lives: the idle list, creation
 * and destruction, the manager role and the idle timer.  What a worker
 * does between waking and going idle again is in worker.c.
 *
 * Creation failures can be injected with the kernel's fault injection
 * framework (the fail_create_worker knob in cmwq's debugfs directory, or
 * the module parameter of the same name at load time), to exercise the
 * mayday timer and the rescuers (rescuer.c).
 */
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/fault-inject.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sched/task.h>
#include <linux/slab.h>

#include "internal.h"
#include "trace.h"

struct global_cwq *cmwq_gcwqs;		/* I */
int cmwq_nr_pools;			/* I */
unsigned long cmwq_idle_timeout;	/* R: set at load, and by tests */

#ifdef CONFIG_FAULT_INJECTION
/* R: the fault injection framework's own atomics and knobs */
static DECLARE_FAULT_ATTR(fail_create_worker);

static char fail_create_worker_param[64];	/* I */
module_param_string(fail_create_worker, fail_create_worker_param,
		    sizeof(fail_create_worker_param), 0444);
MODULE_PARM_DESC(fail_create_worker,
		 "make worker creation fail: <interval>,<probability>,<space>,<times>");

/**
 * cmwq_should_fail_create_worker - should this worker creation fail?
 *
 * Context: Might sleep (called before creating a worker).
 * Return: %true when fault injection says so.
 */
bool cmwq_should_fail_create_worker(void)
{
	return should_fail(&fail_create_worker, 1);
}

/**
 * cmwq_fault_attr - the fault attribute behind fail_create_worker
 *
 * Context: Any context.
 * Return: the attribute, for the test interface to drive.
 */
struct fault_attr *cmwq_fault_attr(void)
{
	return &fail_create_worker;
}

/**
 * cmwq_fault_init - apply the load-time fail_create_worker parameter
 *
 * Context: Module init, before the first worker is created, so that the
 * parameter reaches the creations made while loading too.
 */
void cmwq_fault_init(void)
{
	if (fail_create_worker_param[0])
		setup_fault_attr(&fail_create_worker, fail_create_worker_param);
}

/**
 * cmwq_fault_debugfs_init - add the fail_create_worker debugfs knob
 *
 * Context: Module init, after cmwq_debugfs_init().
 */
void cmwq_fault_debugfs_init(void)
{
	fault_create_debugfs_attr("fail_create_worker", cmwq_debugfs_dir,
				  &fail_create_worker);
}
#else
bool cmwq_should_fail_create_worker(void)
{
	return false;
}

void cmwq_fault_init(void)
{
}

void cmwq_fault_debugfs_init(void)
{
}
#endif

/**
 * wake_up_worker - wake the pool's most recently idle worker
 * @pool: the pool
 *
 * A worker woken earlier and still on the idle list is on its way: when
 * it leaves the list, under pool->lock, it looks at the pool afresh (works
 * waiting, nobody running, managing to do) and covers whatever woke it and
 * whatever came since.  So it is not woken again and no other is woken
 * beside it.  Otherwise each work queued before the woken worker gets its
 * CPU would call wake_up_process() on it once more, for nothing but its
 * task's locks, and a worker going idle meanwhile would be woken too: two
 * runnable workers where one will do.
 *
 * Context: pool->lock held.
 * Return: the worker woken or on its way, or %NULL if none was idle.
 */
struct worker *wake_up_worker(struct worker_pool *pool)
{
	struct worker *worker;

	lockdep_assert_held(&pool->lock);
	if (pool->waking)
		return pool->waking;
	worker = list_first_entry_or_null(&pool->idle_list, struct worker,
					  entry);
	if (likely(worker)) {
		pool->waking = worker;
		pool->nr_wakeups++;
		wake_up_process(worker->task);
	}
	return worker;
}

void worker_enter_idle(struct worker *worker)
{
	struct worker_pool *pool = worker->pool;

	lockdep_assert_held(&pool->lock);
	if (WARN_ON_ONCE(worker->flags & WORKER_IDLE))
		return;

	worker->flags |= WORKER_IDLE;
	pool->nr_idle++;
	worker->last_active = jiffies;
	list_add(&worker->entry, &pool->idle_list);

	if (too_many_workers(pool) && !timer_pending(&pool->idle_timer))
		mod_timer(&pool->idle_timer,
			  jiffies + READ_ONCE(cmwq_idle_timeout));

	/* a dead CPU's trustee waits for its pools to go idle */
	if (unlikely(pool->flags & POOL_DISASSOCIATED))
		rcuwait_wake_up(&pool->gcwq->trustee_rcuwait);
}

void worker_leave_idle(struct worker *worker)
{
	struct worker_pool *pool = worker->pool;

	lockdep_assert_held(&pool->lock);
	if (!(worker->flags & WORKER_IDLE))
		return;
	worker->flags &= ~WORKER_IDLE;
	pool->nr_idle--;
	list_del_init(&worker->entry);
	/* woken, or reaped before it ran: the next wake-up wakes another */
	if (pool->waking == worker)
		pool->waking = NULL;
}

static struct worker *alloc_worker(void)
{
	struct worker *worker = kzalloc(sizeof(*worker), GFP_KERNEL);

	if (worker) {
		INIT_LIST_HEAD(&worker->entry);
		INIT_LIST_HEAD(&worker->scheduled);
		INIT_LIST_HEAD(&worker->node);
		worker->flags = WORKER_PREP;
		preempt_notifier_init(&worker->notifier, &cmwq_preempt_ops);
	}
	return worker;
}

/**
 * create_worker - create a worker, start it and make it idle
 * @pool: the pool it serves
 * @reason: who asks, for the trace
 *
 * A worker of a disassociated pool (its CPU is down) starts rogue, free
 * to run anywhere until the CPU returns and rebinds it.
 *
 * Context: Might sleep.  Called by the pool's manager and, for a pool
 * with no worker at all, at start-up and before its CPU comes up; none of
 * them holds pool->lock.
 * Return: the worker, or %NULL when it could not be created.
 */
static struct worker *create_worker(struct worker_pool *pool,
				    enum cmwq_worker_reason reason)
{
	struct global_cwq *gcwq = pool->gcwq;
	const char *pri = pool->highpri ? "H" : "";
	struct worker *worker;
	int id, err = -ENOMEM;

	if (cmwq_should_fail_create_worker())
		goto fail;

	id = ida_alloc(&pool->worker_ida, GFP_KERNEL);
	if (id < 0) {
		err = id;
		goto fail;
	}

	worker = alloc_worker();
	if (!worker)
		goto free_id;
	worker->pool = pool;
	worker->id = id;

	if (gcwq->cpu == CMWQ_CPU_UNBOUND)
		worker->task = kthread_create(worker_thread, worker,
					      "cmwq/u:%d%s", id, pri);
	else
		worker->task = kthread_create_on_node(worker_thread, worker,
						      cpu_to_node(gcwq->cpu),
						      "cmwq/%d:%d%s",
						      gcwq->cpu, id, pri);
	if (IS_ERR(worker->task)) {
		err = PTR_ERR(worker->task);
		goto free_worker;
	}

	if (pool->highpri)
		set_user_nice(worker->task, HIGHPRI_NICE_LEVEL);
	/* also shields a bound worker's affinity from user space */
	if (gcwq->cpu != CMWQ_CPU_UNBOUND)
		kthread_bind(worker->task, gcwq->cpu);

	/* the pool's association cannot change while the worker joins */
	mutex_lock(&pool->attach_mutex);
	if (gcwq->cpu == CMWQ_CPU_UNBOUND) {
		worker->flags |= WORKER_UNBOUND;
	} else if (READ_ONCE(pool->flags) & POOL_DISASSOCIATED) {
		/* not yet running: free to run anywhere until rebound */
		worker->flags |= WORKER_ROGUE;
		set_cpus_allowed_ptr(worker->task, cpu_possible_mask);
	}
	raw_spin_lock_irq(&pool->lock);
	list_add_tail(&worker->node, &pool->workers);
	pool->nr_workers++;
	pool->nr_created++;
	pool->create_failing = false;
	worker_enter_idle(worker);
	trace_cmwq_worker_create(pool, worker, reason, 0);
	wake_up_process(worker->task);
	raw_spin_unlock_irq(&pool->lock);
	mutex_unlock(&pool->attach_mutex);
	return worker;

free_worker:
	kfree(worker);
free_id:
	ida_free(&pool->worker_ida, id);
fail:
	trace_cmwq_worker_create(pool, NULL, reason, err);
	raw_spin_lock_irq(&pool->lock);
	pool->nr_create_failed++;
	pool->create_failing = true;
	raw_spin_unlock_irq(&pool->lock);
	return NULL;
}

/*
 * Take an idle worker out of its pool for good and queue it on @dying for
 * reap_dying_workers(): off the idle list and out of the counts, nobody
 * can wake it for work or count on it any more, so its thread can be
 * stopped later without the pool's lock or its manager role.  It stays
 * in pool->workers until then, where the hotplug code may still set its
 * affinity.
 *
 * Context: pool->lock held, by the holder of the manager role (which
 * keeps two of them from taking the same worker).
 */
static void set_worker_dying(struct worker *worker, struct list_head *dying,
			     enum cmwq_worker_reason reason)
{
	struct worker_pool *pool = worker->pool;

	lockdep_assert_held(&pool->lock);
	if (WARN_ON_ONCE(!(worker->flags & WORKER_IDLE) ||
			 worker->current_work))
		return;

	trace_cmwq_worker_destroy(worker, reason);
	worker_leave_idle(worker);
	pool->nr_workers--;
	pool->nr_dying++;
	worker->flags |= WORKER_DIE;
	/*
	 * A stray wake-up before kthread_stop() lets the thread exit on its
	 * own, and an exited kthread's task_struct may be freed: pin it.
	 */
	get_task_struct(worker->task);
	list_add_tail(&worker->entry, dying);
}

/*
 * Stop the threads of the workers set_worker_dying() queued on @dying and
 * free them.  Each stop waits for a context switch to the thread and its
 * exit, which adds up over hundreds of workers; they are out of the pool
 * already, so this needs no manager role and a reaping manager gives the
 * role back first (manage_workers()).
 *
 * Context: Process context, pool->lock not held; might sleep.
 */
static void reap_dying_workers(struct worker_pool *pool,
			       struct list_head *dying)
{
	struct worker *worker, *next;
	int nr = 0;

	list_for_each_entry_safe(worker, next, dying, entry) {
		list_del_init(&worker->entry);

		mutex_lock(&pool->attach_mutex);
		raw_spin_lock_irq(&pool->lock);
		list_del_init(&worker->node);
		raw_spin_unlock_irq(&pool->lock);
		mutex_unlock(&pool->attach_mutex);

		kthread_stop(worker->task);
		put_task_struct(worker->task);
		ida_free(&pool->worker_ida, worker->id);
		kfree(worker);
		nr++;
	}
	if (!nr)
		return;

	raw_spin_lock_irq(&pool->lock);
	pool->nr_dying -= nr;
	raw_spin_unlock_irq(&pool->lock);
	/* claim_manager() waits for the last thread of the pool to stop */
	wake_up(&pool->manager_wait);
}

/*
 * The worker of a pool with surplus idle ones that has waited longest, if
 * it has waited long enough; else the idle timer is set for when it will
 * have.
 */
static struct worker *idle_worker_to_reap(struct worker_pool *pool)
{
	/* the idle list is newest first: the tail waited longest */
	struct worker *worker = list_last_entry(&pool->idle_list,
						struct worker, entry);
	unsigned long expires = worker->last_active +
				READ_ONCE(cmwq_idle_timeout);

	lockdep_assert_held(&pool->lock);
	if (time_before(jiffies, expires)) {
		mod_timer(&pool->idle_timer, expires);
		return NULL;
	}
	return worker;
}

static void idle_worker_timeout(struct timer_list *t)
{
	struct worker_pool *pool = from_timer(pool, t, idle_timer);

	raw_spin_lock_irq(&pool->lock);
	if (too_many_workers(pool) && idle_worker_to_reap(pool)) {
		pool->flags |= POOL_MANAGE_REAP;
		wake_up_worker(pool);
	}
	raw_spin_unlock_irq(&pool->lock);
}

/*
 * Take every surplus worker that has been idle long enough out of the
 * pool in one pass under pool->lock, onto @dying: the caller stops them
 * once it has given the manager role back.
 */
static void maybe_destroy_workers(struct worker_pool *pool,
				  struct list_head *dying)
{
	struct worker *worker;

	lockdep_assert_held(&pool->lock);
	pool->flags &= ~POOL_MANAGE_REAP;
	while (too_many_workers(pool) &&
	       (worker = idle_worker_to_reap(pool))) {
		set_worker_dying(worker, dying, CMWQ_WORKER_REAP);
		pool->nr_reaped++;
	}
}

static void maybe_create_worker(struct worker_pool *pool)
	__releases(&pool->lock) __acquires(&pool->lock)
{
	lockdep_assert_held(&pool->lock);
	if (!need_to_create_worker(pool))
		return;
restart:
	raw_spin_unlock_irq(&pool->lock);

	/* if creation keeps failing, rescuers are summoned (rescuer.c) */
	mod_timer(&pool->mayday_timer, jiffies + MAYDAY_INITIAL_TIMEOUT);

	for (;;) {
		if (create_worker(pool, CMWQ_WORKER_MANAGER)) {
			raw_spin_lock_irq(&pool->lock);
			pool->nr_created_by_manager++;
			raw_spin_unlock_irq(&pool->lock);
			break;
		}
		if (!need_to_create_worker(pool))
			break;
		schedule_timeout_interruptible(CREATE_COOLDOWN);
		if (!need_to_create_worker(pool))
			break;
	}

	del_timer_sync(&pool->mayday_timer);
	raw_spin_lock_irq(&pool->lock);
	/*
	 * The new worker may have been taken by someone else already; keep
	 * one idle worker in reserve as long as works are waiting.
	 */
	if (need_to_create_worker(pool))
		goto restart;
}

/**
 * claim_manager - take a pool's manager role from outside its workers
 * @pool: the pool
 *
 * Waits for a manager at work to finish, and for the threads of workers
 * reaped earlier to be stopped: a reaping manager stops them after giving
 * the role back.  destroy_idle_workers() uses it to keep workers from
 * being created or destroyed under it, and so that no thread of the pool
 * is left running when the module unloads.
 *
 * Context: Process context; might sleep.
 */
static void claim_manager(struct worker_pool *pool)
{
	raw_spin_lock_irq(&pool->lock);
	while ((pool->flags & POOL_MANAGER_ACTIVE) || pool->nr_dying) {
		raw_spin_unlock_irq(&pool->lock);
		wait_event(pool->manager_wait,
			   !(READ_ONCE(pool->flags) & POOL_MANAGER_ACTIVE) &&
			   !READ_ONCE(pool->nr_dying));
		raw_spin_lock_irq(&pool->lock);
	}
	pool->flags |= POOL_MANAGER_ACTIVE;
	raw_spin_unlock_irq(&pool->lock);
}

/**
 * release_manager - give a pool's manager role back
 * @pool: the pool, whose role the caller holds
 *
 * Wakes whoever waits in claim_manager(), and a worker if works wait with
 * nobody running them: the next worker to leave idle manages again.
 *
 * Context: Process context, pool->lock not held: manager_wait's lock is
 * a spinlock_t, which must not nest inside the raw pool->lock.
 */
static void release_manager(struct worker_pool *pool)
{
	raw_spin_lock_irq(&pool->lock);
	pool->flags &= ~POOL_MANAGER_ACTIVE;
	if (need_more_worker(pool))
		wake_up_worker(pool);
	if (unlikely(pool->flags & POOL_DISASSOCIATED))
		rcuwait_wake_up(&pool->gcwq->trustee_rcuwait);
	raw_spin_unlock_irq(&pool->lock);
	wake_up(&pool->manager_wait);
}

/*
 * Become the pool's manager if nobody is, and create or reap workers as
 * the pool needs.  Returns %true if pool->lock was dropped meanwhile, so
 * that the caller rechecks the pool.
 */
bool manage_workers(struct worker *worker)
{
	struct worker_pool *pool = worker->pool;
	LIST_HEAD(dying);

	lockdep_assert_held(&pool->lock);
	if (pool->flags & POOL_MANAGER_ACTIVE)
		return false;
	pool->flags |= POOL_MANAGER_ACTIVE;

	maybe_destroy_workers(pool, &dying);
	maybe_create_worker(pool);

	raw_spin_unlock_irq(&pool->lock);
	release_manager(pool);
	/*
	 * Stopping hundreds of surplus threads after a burst takes tens of
	 * milliseconds.  Out of the role, a worker that finds no idle one
	 * behind it meanwhile can become manager and create one.
	 */
	reap_dying_workers(pool, &dying);
	raw_spin_lock_irq(&pool->lock);
	return true;
}

/**
 * start_gcwq_workers - give each pool of a gcwq its first idle worker
 * @gcwq: the gcwq
 * @reason: module load or a CPU coming up, for the trace
 *
 * Context: Might sleep.
 * Return: 0, or -ENOMEM if a pool got no worker.
 */
int start_gcwq_workers(struct global_cwq *gcwq,
		       enum cmwq_worker_reason reason)
{
	struct worker_pool *pool;

	for (pool = gcwq->pools; pool < gcwq->pools + NR_STD_WORKER_POOLS;
	     pool++) {
		raw_spin_lock_irq(&pool->lock);
		if (pool->nr_workers) {
			raw_spin_unlock_irq(&pool->lock);
			continue;
		}
		raw_spin_unlock_irq(&pool->lock);
		if (!create_worker(pool, reason))
			return -ENOMEM;
	}
	return 0;
}

/**
 * destroy_idle_workers - destroy every idle worker of a pool
 * @pool: the pool
 * @reason: its CPU died or the module unloads, for the trace
 *
 * Takes the manager role for it, so no worker is created meanwhile.
 *
 * Context: Process context; might sleep.  For a pool no work can come to:
 * its CPU is dead and the pool idle, or the module is unloading.
 */
void destroy_idle_workers(struct worker_pool *pool,
			  enum cmwq_worker_reason reason)
{
	struct worker *worker;
	LIST_HEAD(dying);

	claim_manager(pool);
	raw_spin_lock_irq(&pool->lock);
	while ((worker = list_first_entry_or_null(&pool->idle_list,
						  struct worker, entry)))
		set_worker_dying(worker, &dying, reason);
	raw_spin_unlock_irq(&pool->lock);
	/* in the role: nothing may be created before they are all gone */
	reap_dying_workers(pool, &dying);
	release_manager(pool);
}

/**
 * destroy_pool_workers - stop every worker of a pool
 * @pool: an idle pool
 *
 * Context: Might sleep; module teardown, no workqueue left.
 */
static void destroy_pool_workers(struct worker_pool *pool)
{
	destroy_idle_workers(pool, CMWQ_WORKER_UNLOAD);
	raw_spin_lock_irq(&pool->lock);
	WARN_ON_ONCE(pool->nr_workers || !list_empty(&pool->workers));
	raw_spin_unlock_irq(&pool->lock);

	del_timer_sync(&pool->idle_timer);
	del_timer_sync(&pool->mayday_timer);
	cmwq_hog_pool_exit(pool);
	irq_work_sync(&pool->wake_work);
	ida_destroy(&pool->worker_ida);
}

static void init_pool(struct worker_pool *pool, struct global_cwq *gcwq,
		      int id, bool highpri)
{
	raw_spin_lock_init(&pool->lock);
	mutex_init(&pool->attach_mutex);
	pool->gcwq = gcwq;
	pool->id = id;
	pool->highpri = highpri;
	INIT_LIST_HEAD(&pool->worklist);
	atomic_set(&pool->nr_running, 0);
	/* hard: PREEMPT_RT would otherwise defer it to a thread, too late */
	pool->wake_work = IRQ_WORK_INIT_HARD(pool_wake_work_fn);
	INIT_LIST_HEAD(&pool->idle_list);
	INIT_LIST_HEAD(&pool->workers);
	timer_setup(&pool->idle_timer, idle_worker_timeout, 0);
	timer_setup(&pool->mayday_timer, pool_mayday_timeout, 0);
	cmwq_hog_pool_init(pool);
	hash_init(pool->busy_hash);
	ida_init(&pool->worker_ida);
	init_waitqueue_head(&pool->manager_wait);
	/* a CPU's pools are bound when the hotplug callbacks see it online */
	if (gcwq->cpu != CMWQ_CPU_UNBOUND)
		pool->flags |= POOL_DISASSOCIATED;
}

/**
 * cmwq_pools_init - set up every gcwq and start the unbound workers
 *
 * Context: Might sleep; module init.  The CPUs' pools get their workers
 * from the hotplug callbacks.
 * Return: 0 or a negative errno.
 */
int cmwq_pools_init(void)
{
	struct global_cwq *gcwq;
	int i, ret;

	cmwq_nr_pools = (nr_cpu_ids + 1) * NR_STD_WORKER_POOLS;
	cmwq_gcwqs = kcalloc(nr_cpu_ids + 1, sizeof(*cmwq_gcwqs), GFP_KERNEL);
	if (!cmwq_gcwqs)
		return -ENOMEM;

	for (i = 0; i <= nr_cpu_ids; i++) {
		gcwq = &cmwq_gcwqs[i];
		gcwq->cpu = i < nr_cpu_ids ? i : CMWQ_CPU_UNBOUND;
		mutex_init(&gcwq->trustee_mutex);
		rcuwait_init(&gcwq->trustee_rcuwait);
		init_waitqueue_head(&gcwq->trustee_wait);
		init_pool(&gcwq->pools[0], gcwq, i * NR_STD_WORKER_POOLS, false);
		init_pool(&gcwq->pools[1], gcwq, i * NR_STD_WORKER_POOLS + 1,
			  true);
	}

	ret = start_gcwq_workers(get_gcwq(CMWQ_CPU_UNBOUND),
				 CMWQ_WORKER_STARTUP);
	if (ret)
		goto destroy_workers;
	return 0;

destroy_workers:
	for (i = 0; i < cmwq_nr_pools; i++)
		destroy_pool_workers(pool_by_id(i));
	kfree(cmwq_gcwqs);
	return ret;
}

/**
 * cmwq_pools_exit - stop every worker and free the gcwqs
 *
 * Context: Might sleep; module exit, after every workqueue is gone.
 */
void cmwq_pools_exit(void)
{
	int i;

	for (i = 0; i < cmwq_nr_pools; i++)
		destroy_pool_workers(pool_by_id(i));
	kfree(cmwq_gcwqs);
}
