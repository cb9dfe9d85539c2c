// SPDX-License-Identifier: GPL-2.0
/*
 * workqueue.c - workqueues: creation, max_active, draining, destruction
 *
 * A workqueue owns no thread.  It is a set of cpu_workqueue_structs
 * (cwqs), one per pool it feeds: one per possible CPU for a bound queue,
 * one on the unbound gcwq otherwise.  A bound queue's cwqs are one percpu
 * allocation, as mainline's per-CPU pool_workqueues are: creating a queue
 * allocates the queue and that, whatever the number of CPUs.  The queue
 * carries its statistics, and its cwqs what they count (stats.c).  The cwq enforces the queue's
 * max_active: works beyond it wait on cwq->inactive_works, in order, and
 * move to the pool's worklist as active ones finish (worker.c).  An
 * ordered queue is an unbound queue with max_active 1.
 *
 * Draining marks the queue __CMWQ_DRAINING, which makes queue.c refuse
 * every work but those the queue's own works queue, and flushes it until
 * no cwq has anything in flight.  Destruction drains for good, stops the
 * rescuer and frees the cwqs after an RCU grace period, as get_work_pool()
 * may still be looking at one.  It does not wait for that grace period,
 * which takes milliseconds and would make a driver that creates a queue
 * per device or per request pay them at each destroy: an RCU callback
 * frees the queue, as mainline's frees a per-CPU queue.  With lockdep the
 * callback queues the release on cmwq_system_unbound_wq instead, as the
 * queue's lockdep key can only be unregistered by a task (mainline
 * releases its unbound pool_workqueues with an rcu_work likewise).
 *
 * A destroy first makes sure its argument is a live queue: the live ones
 * are hashed by address, so that this costs the same with ten queues or
 * ten thousand.
 *
 * The four system workqueues drivers share, and the helpers that run a
 * function on a CPU through them, are here too.
 */
#include <linux/cpu.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "internal.h"

/* W: protects cmwq_workqueues, the list of live workqueues */
DEFINE_MUTEX(cmwq_wq_mutex);
LIST_HEAD(cmwq_workqueues);			/* W */

/*
 * A second destroy is recognised by looking the pointer up among the live
 * queues, which is sound only as long as no newer queue sits at the same
 * address.  Keeping the memory of destroyed queues guarantees that, at the
 * price of one struct cmwq_workqueue per destroyed queue until cmwq
 * unloads: debug kernels pay it, others get a best-effort refusal.
 */
bool cmwq_keep_destroyed = IS_ENABLED(CONFIG_DEBUG_OBJECTS);	/* R */
/* W: what is left of the destroyed queues cmwq_keep_destroyed kept */
static LIST_HEAD(cmwq_destroyed_workqueues);

/* I: the queues, and the cwqs of unbound ones (bound ones': percpu) */
static struct kmem_cache *wq_cache;
static struct kmem_cache *cwq_cache;

/*
 * W: the live queues by address, for cmwq_destroy_workqueue() to find a
 * queue in constant time whatever the number of queues.
 */
static DEFINE_HASHTABLE(live_wq_hash, 8);

static void init_cwq(struct cmwq_cwq *cwq, struct cmwq_workqueue *wq,
		     struct worker_pool *pool, int max_active)
{
	cwq->pool = pool;
	cwq->wq = wq;
	cwq->max_active = max_active;
	INIT_LIST_HEAD(&cwq->inactive_works);
	INIT_LIST_HEAD(&cwq->mayday_node);
	list_add_tail(&cwq->node, &wq->cwqs);
}

/* A bound queue's cwqs, one per possible CPU. */
static int alloc_cpu_cwqs(struct cmwq_workqueue *wq, int pri, int max_active)
{
	int cpu;

	wq->cpu_cwqs = alloc_percpu(struct cmwq_cwq);
	if (!wq->cpu_cwqs)
		return -ENOMEM;
	for_each_possible_cpu(cpu)
		init_cwq(per_cpu_ptr(wq->cpu_cwqs, cpu), wq,
			 &get_gcwq(cpu)->pools[pri], max_active);
	return 0;
}

/* An unbound queue's one cwq. */
static int alloc_unbound_cwq(struct cmwq_workqueue *wq, int pri,
			     int max_active)
{
	wq->unbound_cwq = kmem_cache_zalloc(cwq_cache, GFP_KERNEL);
	if (!wq->unbound_cwq)
		return -ENOMEM;
	init_cwq(wq->unbound_cwq, wq, &get_gcwq(CMWQ_CPU_UNBOUND)->pools[pri],
		 max_active);
	return 0;
}

/* Free what the queue allocated beside itself, all of it or some of it. */
static void free_wq_parts(struct cmwq_workqueue *wq)
{
	cmwq_stats_free(wq);
	if (wq->unbound_cwq)
		kmem_cache_free(cwq_cache, wq->unbound_cwq);
	free_percpu(wq->cpu_cwqs);
	wq->unbound_cwq = NULL;
	wq->cpu_cwqs = NULL;
	INIT_LIST_HEAD(&wq->cwqs);
#ifdef CONFIG_LOCKDEP
	lockdep_unregister_key(&wq->key);
#endif
}

static void free_wq(struct cmwq_workqueue *wq)
{
	free_wq_parts(wq);
	kmem_cache_free(wq_cache, wq);
}

static int clamp_max_active(int max_active, const char *name)
{
	if (CMWQ_REFUSE(max_active < 1 || max_active > CMWQ_MAX_ACTIVE,
			"max_active %d for %s out of range, clamped to [1, %d]",
			max_active, name, CMWQ_MAX_ACTIVE))
		return clamp_val(max_active, 1, CMWQ_MAX_ACTIVE);
	return max_active;
}

static void cwq_set_max_active(struct cmwq_cwq *cwq, int max_active)
{
	raw_spin_lock_irq(&cwq->pool->lock);
	cwq->max_active = max_active;
	while (!list_empty(&cwq->inactive_works) &&
	       cwq->nr_active < cwq->max_active) {
		cwq_activate_inactive_work(cwq);
		/* the pool may have run dry of running workers meanwhile */
		if (need_more_worker(cwq->pool))
			wake_up_worker(cwq->pool);
	}
	raw_spin_unlock_irq(&cwq->pool->lock);
}

/**
 * wq_apply_max_active - set the max_active of every cwq of a queue
 * @wq: the workqueue
 * @max_active: the limit, 0 to hold every new work back
 *
 * Context: @wq->mutex held.
 */
void wq_apply_max_active(struct cmwq_workqueue *wq, int max_active)
{
	struct cmwq_cwq *cwq;

	lockdep_assert_held(&wq->mutex);
	for_each_cwq(cwq, wq)
		cwq_set_max_active(cwq, max_active);
}

/**
 * cmwq_set_max_active - change how many works of a queue run at once
 * @wq: the workqueue, not an ordered one
 * @max_active: new limit, 1 to %CMWQ_MAX_ACTIVE (clamped, with a warning)
 *
 * The limit applies per CPU for bound queues and in total for unbound
 * ones.  Works held back by the old limit start at once if the new one
 * allows.
 *
 * Context: Process context; might sleep.
 */
void cmwq_set_max_active(struct cmwq_workqueue *wq, int max_active)
{
	if (queue_refused(wq, CMWQ_CPU_UNBOUND, __func__, (void *)_RET_IP_) ||
	    CMWQ_REFUSE(wq->flags & __CMWQ_ORDERED,
			"%s: %s is ordered: max_active stays 1", __func__,
			wq->name))
		return;

	max_active = clamp_max_active(max_active, wq->name);
	mutex_lock(&cmwq_wq_mutex);
	mutex_lock(&wq->mutex);
	wq->saved_max_active = max_active;
	wq_apply_max_active(wq, wq_effective_max_active(wq));
	mutex_unlock(&wq->mutex);
	mutex_unlock(&cmwq_wq_mutex);
}
EXPORT_SYMBOL_GPL(cmwq_set_max_active);

/**
 * cmwq_alloc_workqueue - create a workqueue
 * @fmt: printf format for its name
 * @flags: %CMWQ_UNBOUND, %CMWQ_HIGHPRI, %CMWQ_CPU_INTENSIVE,
 *	   %CMWQ_MEM_RECLAIM, %CMWQ_FREEZABLE
 * @max_active: works in flight at once per CPU (unbound: in total);
 *		0 for %CMWQ_DFL_ACTIVE
 * @...: arguments for @fmt
 *
 * The queue owns no thread: its works run on the shared pools.
 *
 * Context: Process context; might sleep.
 * Return: the workqueue, or %NULL on allocation failure.
 */
struct cmwq_workqueue *cmwq_alloc_workqueue(const char *fmt,
					    unsigned int flags,
					    int max_active, ...)
{
	struct cmwq_workqueue *wq;
	int pri = flags & CMWQ_HIGHPRI ? 1 : 0;
	va_list args;

	wq = kmem_cache_zalloc(wq_cache, GFP_KERNEL);
	if (!wq)
		return NULL;

	va_start(args, max_active);
	vsnprintf(wq->name, sizeof(wq->name), fmt, args);
	va_end(args);

	if (!max_active)
		max_active = CMWQ_DFL_ACTIVE;
	max_active = clamp_max_active(max_active, wq->name);

	wq->flags = flags;
	wq->saved_max_active = max_active;
	INIT_LIST_HEAD(&wq->cwqs);
	INIT_LIST_HEAD(&wq->list);
	INIT_LIST_HEAD(&wq->maydays);
	mutex_init(&wq->mutex);
	wq_flush_init(wq);
#ifdef CONFIG_LOCKDEP
	lockdep_register_key(&wq->key);
	lockdep_init_map(&wq->lockdep_map, wq->name, &wq->key, 0);
#endif

	cmwq_stats_init(wq);
	if (flags & CMWQ_UNBOUND ? alloc_unbound_cwq(wq, pri, max_active) :
	    alloc_cpu_cwqs(wq, pri, max_active))
		goto free_wq;

	if ((flags & CMWQ_MEM_RECLAIM) && init_rescuer(wq))
		goto free_wq;

	/*
	 * Under the mutex: a freeze in progress sees the queue, or it sees
	 * it; the global timing switch goes on before, or after it is live.
	 */
	mutex_lock(&cmwq_wq_mutex);
	if (cmwq_stats_live(wq))
		goto unlock_destroy_rescuer;
	mutex_lock(&wq->mutex);
	wq_apply_max_active(wq, wq_effective_max_active(wq));
	mutex_unlock(&wq->mutex);
	list_add_tail(&wq->list, &cmwq_workqueues);
	hash_add(live_wq_hash, &wq->hash_node, (unsigned long)wq);
	cmwq_stats_debugfs_add(wq);
	mutex_unlock(&cmwq_wq_mutex);
	return wq;

unlock_destroy_rescuer:
	mutex_unlock(&cmwq_wq_mutex);
	destroy_rescuer(wq);
free_wq:
	free_wq(wq);
	return NULL;
}
EXPORT_SYMBOL_GPL(cmwq_alloc_workqueue);

/**
 * cwq_busy - does a cwq have works in flight?
 * @cwq: the cwq
 *
 * Context: pool->lock held.
 * Return: %true if any work of @cwq is queued, inactive or running.
 */
bool cwq_busy(struct cmwq_cwq *cwq)
{
	int i;

	lockdep_assert_held(&cwq->pool->lock);
	for (i = 0; i < CMWQ_NR_COLORS; i++)
		if (cwq->nr_in_flight[i])
			return true;
	return cwq->nr_active || !list_empty(&cwq->inactive_works);
}

/**
 * wq_start_draining - refuse new works on a queue but chained ones
 * @wq: the workqueue
 *
 * Context: Process context.
 */
void wq_start_draining(struct cmwq_workqueue *wq)
{
	mutex_lock(&wq->mutex);
	if (!wq->nr_drainers++)
		WRITE_ONCE(wq->flags, wq->flags | __CMWQ_DRAINING);
	mutex_unlock(&wq->mutex);
}

static void wq_stop_draining(struct cmwq_workqueue *wq)
{
	mutex_lock(&wq->mutex);
	if (!--wq->nr_drainers)
		WRITE_ONCE(wq->flags, wq->flags & ~__CMWQ_DRAINING);
	mutex_unlock(&wq->mutex);
}

/* Is any work of @wq queued, inactive or running? */
static bool wq_busy(struct cmwq_workqueue *wq)
{
	struct cmwq_cwq *cwq;
	bool busy = false;

	for_each_cwq(cwq, wq) {
		raw_spin_lock_irq(&cwq->pool->lock);
		busy |= cwq_busy(cwq);
		raw_spin_unlock_irq(&cwq->pool->lock);
	}
	return busy;
}

/* Flush until empty; see cmwq_drain_workqueue_timeout(). */
static int drain_wq(struct cmwq_workqueue *wq, long timeout, const char *what,
		    unsigned long caller)
{
	struct cmwq_flush_wait fw = {
		.what = what, .caller = caller, .start = jiffies,
	};
	bool plain = timeout == MAX_SCHEDULE_TIMEOUT;
	unsigned long deadline = jiffies + (plain ? 0 : timeout);
	unsigned int flush_cnt = 0;
	int ret;

	/* nothing to drain: as for an idle flush, no mutex and no sleep */
	if (wq_nothing_in_flight(wq))
		return 0;

	wq_start_draining(wq);
	do {
		ret = wq_flush(wq, plain ? MAX_SCHEDULE_TIMEOUT :
			       time_after(deadline, jiffies) ?
			       deadline - jiffies : 0, &fw, true);
		if (ret || !wq_busy(wq))
			break;
		if (++flush_cnt == 10 ||
		    (flush_cnt % 100 == 0 && flush_cnt <= 1000))
			pr_warn("cmwq: %s isn't draining after %u tries\n",
				wq->name, flush_cnt);
	} while (true);
	wq_stop_draining(wq);
	return ret;
}

static bool drain_refused(struct cmwq_workqueue *wq, const char *what,
			  void *ret_ip)
{
	return queue_refused(wq, CMWQ_CPU_UNBOUND, what, ret_ip) ||
	       CMWQ_REFUSE(is_chained_work(wq),
			   "%s: %s drained from its own work", what, wq->name);
}

/**
 * cmwq_drain_workqueue - wait until a workqueue is empty
 * @wq: the workqueue
 *
 * Flushes @wq until no work is left.  Meanwhile only its own works may
 * queue works on it (chains); other queueing is refused with a warning.
 * A flush of the drain that waits longer than the flush_report_secs
 * parameter is reported once.
 *
 * Context: Process context; might sleep.  Not from a work of @wq.
 */
void cmwq_drain_workqueue(struct cmwq_workqueue *wq)
{
	if (drain_refused(wq, __func__, (void *)_RET_IP_))
		return;
	might_sleep();
	drain_wq(wq, MAX_SCHEDULE_TIMEOUT, __func__, _RET_IP_);
}
EXPORT_SYMBOL_GPL(cmwq_drain_workqueue);

/**
 * cmwq_drain_workqueue_timeout - wait a while for a workqueue to empty
 * @wq: the workqueue
 * @timeout: how long to wait, in jiffies
 *
 * As cmwq_drain_workqueue(), but gives up after @timeout and then reports
 * every work of @wq still queued or running (function, pool and CPU,
 * state, who queued it where works record it, the worker and its stack).  Queueing on @wq is
 * allowed again on return either way.
 *
 * Context: Process context; might sleep.  Not from a work of @wq.
 * Return: 0 when drained, -%ETIMEDOUT after @timeout, -%EINVAL if
 * refused.
 */
int cmwq_drain_workqueue_timeout(struct cmwq_workqueue *wq,
				 unsigned long timeout)
{
	if (drain_refused(wq, __func__, (void *)_RET_IP_))
		return -EINVAL;
	might_sleep();
	return drain_wq(wq, min_t(unsigned long, timeout,
				  MAX_SCHEDULE_TIMEOUT - 1), __func__, _RET_IP_);
}
EXPORT_SYMBOL_GPL(cmwq_drain_workqueue_timeout);

/*
 * Free a destroyed queue, a grace period after its destroy: all of it, or
 * with cmwq_keep_destroyed all but the struct, which stays, still
 * draining, so that queueing on it is refused.
 */
static void release_wq(struct cmwq_workqueue *wq)
{
	if (wq->kept)
		free_wq_parts(wq);
	else
		free_wq(wq);
}

static void release_wq_workfn(struct cmwq_work *work)
{
	/* the work frees the queue it is embedded in: nothing uses it after */
	release_wq(container_of(work, struct cmwq_workqueue, release_work));
}

/*
 * Policy: must a task free a destroyed queue, rather than the RCU
 * callback?  Only to unregister its lockdep key, which sleeps.
 */
static bool wq_release_needs_task(void)
{
	return IS_ENABLED(CONFIG_LOCKDEP);
}

/* The grace period is over: release @wq, or have a work release it. */
static void release_wq_rcu(struct rcu_head *rcu)
{
	struct cmwq_workqueue *wq = container_of(rcu, struct cmwq_workqueue,
						 rcu);

	if (!wq_release_needs_task()) {
		release_wq(wq);
		return;
	}
	/* over the rcu head, done with now */
	CMWQ_INIT_WORK(&wq->release_work, release_wq_workfn);
	/* unbound: no CPU's pool sees it, nor waits behind a CPU hog there */
	cmwq_queue_work(cmwq_system_unbound_wq, &wq->release_work);
}

/*
 * Is @wq released after a grace period, without waiting for it?  Not the
 * system queues: they go when cmwq unloads, after the releases queued so
 * far, and cmwq_system_unbound_wq may be the one that runs them.
 */
static bool wq_released_later(struct cmwq_workqueue *wq)
{
	return !(wq->flags & __CMWQ_SYSTEM);
}

/* Is @wq a live queue, or a pointer to something else, freed maybe? */
static bool wq_is_live(struct cmwq_workqueue *wq)
{
	struct cmwq_workqueue *pos;

	lockdep_assert_held(&cmwq_wq_mutex);
	hash_for_each_possible(live_wq_hash, pos, hash_node, (unsigned long)wq)
		if (pos == wq)
			return true;
	return false;
}

/* Destroy a live queue; cmwq_destroy_workqueue() checked the caller. */
static void destroy_wq(struct cmwq_workqueue *wq)
{
	bool keep;

	/* the queue stays draining for good: nothing more gets in */
	wq_start_draining(wq);
	cmwq_drain_workqueue(wq);

	/* never free a queue that still has work: leak it instead */
	if (WARN(wq_busy(wq), "cmwq: %s still busy after draining, not freed\n",
		 wq->name))
		return;

	cmwq_stats_debugfs_remove(wq);
	keep = READ_ONCE(cmwq_keep_destroyed);
	mutex_lock(&cmwq_wq_mutex);
	hash_del(&wq->hash_node);
	if (keep)
		list_move(&wq->list, &cmwq_destroyed_workqueues);
	else
		list_del(&wq->list);
	mutex_unlock(&cmwq_wq_mutex);

	destroy_rescuer(wq);
	wq_flush_exit(wq);
	wq->kept = keep;
	/* get_work_pool() may still be looking at a cwq under RCU */
	if (wq_released_later(wq)) {
		call_rcu(&wq->rcu, release_wq_rcu);
		return;
	}
	synchronize_rcu();
	release_wq(wq);
}

/**
 * cmwq_destroy_workqueue - drain a workqueue and free it
 * @wq: the workqueue
 *
 * Works queued before the call run first; works they queue on @wq in turn
 * run too.  Other queueing on @wq meanwhile is refused.  Delayed works
 * whose timer is still armed are not waited for: cancel them first, as
 * with the kernel's destroy_workqueue().
 *
 * Context: Process context; might sleep.  Not from a work of @wq.
 */
void cmwq_destroy_workqueue(struct cmwq_workqueue *wq)
{
	bool found;

	mutex_lock(&cmwq_wq_mutex);
	found = wq_is_live(wq);
	mutex_unlock(&cmwq_wq_mutex);

	/* look the queue up before touching it: it may be freed already */
	if (CMWQ_REFUSE(!found,
			"%s: %p from %pS is not a live workqueue (destroyed twice?)",
			__func__, wq, (void *)_RET_IP_) ||
	    CMWQ_REFUSE(wq->flags & __CMWQ_SYSTEM,
			"%s: %s is a system workqueue", __func__, wq->name) ||
	    CMWQ_REFUSE(is_chained_work(wq),
			"%s: %s destroyed from its own work", __func__,
			wq->name))
		return;
	destroy_wq(wq);
}
EXPORT_SYMBOL_GPL(cmwq_destroy_workqueue);

struct cmwq_workqueue *cmwq_system_wq __read_mostly;	/* I */
EXPORT_SYMBOL_GPL(cmwq_system_wq);

struct cmwq_workqueue *cmwq_system_highpri_wq __read_mostly;	/* I */
EXPORT_SYMBOL_GPL(cmwq_system_highpri_wq);

struct cmwq_workqueue *cmwq_system_long_wq __read_mostly;	/* I */
EXPORT_SYMBOL_GPL(cmwq_system_long_wq);

struct cmwq_workqueue *cmwq_system_unbound_wq __read_mostly;	/* I */
EXPORT_SYMBOL_GPL(cmwq_system_unbound_wq);

/* I */
static struct cmwq_workqueue **const system_wqs[] = {
	&cmwq_system_wq, &cmwq_system_highpri_wq,
	&cmwq_system_long_wq, &cmwq_system_unbound_wq,
};

void destroy_system_wqs(void)
{
	int i;

	/*
	 * Every queue destroyed so far is released by its RCU callback, or
	 * with lockdep has its release queued on cmwq_system_unbound_wq by
	 * it: wait for those, so that its drain below, the first, runs the
	 * releases.
	 */
	rcu_barrier();

	for (i = ARRAY_SIZE(system_wqs) - 1; i >= 0; i--) {
		struct cmwq_workqueue *wq = *system_wqs[i];

		if (!wq)
			continue;
		destroy_wq(wq);
		*system_wqs[i] = NULL;
	}
}

int create_system_wqs(void)
{
	/* flagged from the start: drivers may not destroy them */
	cmwq_system_wq = cmwq_alloc_workqueue("cmwq_events", __CMWQ_SYSTEM, 0);
	cmwq_system_highpri_wq = cmwq_alloc_workqueue("cmwq_events_highpri",
						      __CMWQ_SYSTEM |
						      CMWQ_HIGHPRI, 0);
	cmwq_system_long_wq = cmwq_alloc_workqueue("cmwq_events_long",
						   __CMWQ_SYSTEM, 0);
	cmwq_system_unbound_wq = cmwq_alloc_workqueue("cmwq_events_unbound",
						      __CMWQ_SYSTEM |
						      CMWQ_UNBOUND,
						      CMWQ_MAX_ACTIVE);
	if (!cmwq_system_wq || !cmwq_system_highpri_wq ||
	    !cmwq_system_long_wq || !cmwq_system_unbound_wq) {
		destroy_system_wqs();
		return -ENOMEM;
	}
	return 0;
}

/**
 * cmwq_schedule_on_each_cpu - run a function on every online CPU
 * @func: the function, run from a work of cmwq_system_wq on each CPU
 *
 * Context: Process context; might sleep.  CPUs stay online meanwhile.
 * Return: 0, or -ENOMEM.
 */
int cmwq_schedule_on_each_cpu(cmwq_func_t func)
{
	struct cmwq_work *works;
	int cpu;

	if (CMWQ_REFUSE(!func, "%s: NULL function from %pS", __func__,
			(void *)_RET_IP_))
		return -EINVAL;

	works = kcalloc(nr_cpu_ids, sizeof(*works), GFP_KERNEL);
	if (!works)
		return -ENOMEM;

	cpus_read_lock();
	for_each_online_cpu(cpu) {
		CMWQ_INIT_WORK(&works[cpu], func);
		cmwq_queue_work_on(cpu, cmwq_system_wq, &works[cpu]);
	}
	for_each_online_cpu(cpu)
		cmwq_flush_work(&works[cpu]);
	cpus_read_unlock();

	kfree(works);
	return 0;
}
EXPORT_SYMBOL_GPL(cmwq_schedule_on_each_cpu);

struct work_for_cpu {
	struct cmwq_work	work;
	long			(*fn)(void *arg);
	void			*arg;
	long			ret;
};

static void work_for_cpu_fn(struct cmwq_work *work)
{
	struct work_for_cpu *wfc = container_of(work, struct work_for_cpu,
						work);

	wfc->ret = wfc->fn(wfc->arg);
}

/**
 * cmwq_work_on_cpu - run a function on a CPU and wait for its result
 * @cpu: a possible CPU; the caller keeps it online
 * @fn: the function
 * @arg: its argument
 *
 * Context: Process context; might sleep.
 * Return: what @fn returned, or -EINVAL if the call was refused.
 */
long cmwq_work_on_cpu(int cpu, long (*fn)(void *), void *arg)
{
	struct work_for_cpu wfc = { .fn = fn, .arg = arg };

	if (CMWQ_REFUSE(!fn, "%s: NULL function from %pS", __func__,
			(void *)_RET_IP_) ||
	    CMWQ_REFUSE(cpu < 0 || cpu >= nr_cpu_ids || !cpu_possible(cpu),
			"%s: impossible CPU %d", __func__, cpu))
		return -EINVAL;

	CMWQ_INIT_WORK_ONSTACK(&wfc.work, work_for_cpu_fn);
	cmwq_queue_work_on(cpu, cmwq_system_wq, &wfc.work);
	cmwq_flush_work(&wfc.work);
	cmwq_destroy_work_on_stack(&wfc.work);
	return wfc.ret;
}
EXPORT_SYMBOL_GPL(cmwq_work_on_cpu);

/**
 * cmwq_workqueue_init - create the cwq cache
 *
 * Context: Module init.
 * Return: 0 or -ENOMEM.
 */
int cmwq_workqueue_init(void)
{
	wq_cache = KMEM_CACHE(cmwq_workqueue, 0);
	if (!wq_cache)
		return -ENOMEM;
	cwq_cache = KMEM_CACHE(cmwq_cwq, 0);
	if (!cwq_cache)
		goto destroy_wq_cache;
	return 0;

destroy_wq_cache:
	kmem_cache_destroy(wq_cache);
	return -ENOMEM;
}

/**
 * cmwq_workqueue_exit - free the destroyed queues kept and the cwq cache
 *
 * Context: Module exit, after every workqueue is gone.
 */
void cmwq_workqueue_exit(void)
{
	struct cmwq_workqueue *wq, *n;

	list_for_each_entry_safe(wq, n, &cmwq_destroyed_workqueues, list)
		kmem_cache_free(wq_cache, wq);
	kmem_cache_destroy(cwq_cache);
	kmem_cache_destroy(wq_cache);
}
