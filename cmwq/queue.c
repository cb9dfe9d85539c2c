// SPDX-License-Identifier: GPL-2.0
/*
 * queue.c - workqueues, work items and queueing
 *
 * A workqueue is a set of cpu_workqueue_structs (cwqs), one per pool it
 * feeds: one per possible CPU for a bound queue, one on the unbound gcwq
 * otherwise.  The cwq enforces the queue's max_active: works beyond it wait
 * on cwq->inactive_works, in order, and move to the pool's worklist as
 * active ones finish.  Every work in flight carries the flush color it was
 * queued with, counted in cwq->nr_in_flight[], which is what
 * cmwq_flush_workqueue() waits on (flush.c).
 *
 * A work's PENDING bit is its ownership token: whoever sets it queues the
 * work, and the work sits on exactly one list until a worker clears the
 * bit as it starts running it.  Queueing a work that is still running
 * elsewhere sends it to the pool running it (non-reentrancy), so one work
 * never runs on two workers at once anywhere in the system.
 */
#include <linux/debugobjects.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "internal.h"

/* protects cmwq_workqueues, the list of live workqueues */
DEFINE_MUTEX(cmwq_wq_mutex);
LIST_HEAD(cmwq_workqueues);

/*
 * A second destroy is recognised by looking the pointer up among the live
 * queues, which is sound only as long as no newer queue sits at the same
 * address.  Keeping the memory of destroyed queues guarantees that, at the
 * price of one struct cmwq_workqueue per destroyed queue until cmwq
 * unloads: debug kernels pay it, others get a best-effort refusal.
 */
bool cmwq_keep_destroyed = IS_ENABLED(CONFIG_DEBUG_OBJECTS);
/* W: what is left of the destroyed queues cmwq_keep_destroyed kept */
static LIST_HEAD(cmwq_destroyed_workqueues);

static struct kmem_cache *cwq_cache;

#ifdef CONFIG_DEBUG_OBJECTS_WORK

static void *work_debug_hint(void *addr)
{
	return ((struct cmwq_work *)addr)->func;
}

/*
 * Debug objects meets a work it was never told about: one declared with
 * CMWQ_DECLARE_WORK() still looks exactly as its initializer left it,
 * while a zeroed or garbage one does not.
 */
static bool work_is_static_object(void *addr)
{
	struct cmwq_work *work = addr;

	return (atomic_long_read(&work->data) & ~CMWQ_WORK_PENDING) ==
	       CMWQ_WORK_DATA_INIT &&
	       work->func && work->entry.next == &work->entry &&
	       work->entry.prev == &work->entry;
}

static bool work_fixup_init(void *addr, enum debug_obj_state state)
{
	struct cmwq_work *work = addr;

	if (state == ODEBUG_STATE_ACTIVE) {
		cmwq_cancel_work_sync(work);
		debug_object_init(work, &cmwq_work_debug_descr);
		return true;
	}
	return false;
}

static bool work_fixup_free(void *addr, enum debug_obj_state state)
{
	struct cmwq_work *work = addr;

	if (state == ODEBUG_STATE_ACTIVE) {
		cmwq_cancel_work_sync(work);
		debug_object_free(work, &cmwq_work_debug_descr);
		return true;
	}
	return false;
}

const struct debug_obj_descr cmwq_work_debug_descr = {
	.name		= "cmwq_work",
	.debug_hint	= work_debug_hint,
	.is_static_object = work_is_static_object,
	.fixup_init	= work_fixup_init,
	.fixup_free	= work_fixup_free,
};

static void debug_work_init(struct cmwq_work *work, bool onstack)
{
	if (onstack)
		debug_object_init_on_stack(work, &cmwq_work_debug_descr);
	else
		debug_object_init(work, &cmwq_work_debug_descr);
}

static void debug_work_destroy(struct cmwq_work *work)
{
	debug_object_free(work, &cmwq_work_debug_descr);
}

#else
static void debug_work_init(struct cmwq_work *work, bool onstack) { }
static void debug_work_destroy(struct cmwq_work *work) { }
#endif

/**
 * __cmwq_init_work - initialise a work item
 * @work: the work item
 * @func: the function it runs
 * @onstack: @work lives on the stack (debug objects track it as such)
 * @name: lockdep name
 * @key: lockdep class, one per call site
 *
 * Use CMWQ_INIT_WORK() or CMWQ_INIT_WORK_ONSTACK() instead.
 *
 * Context: Any context.
 */
void __cmwq_init_work(struct cmwq_work *work, cmwq_func_t func, bool onstack,
		      const char *name, struct lock_class_key *key)
{
	debug_work_init(work, onstack);
	atomic_long_set(&work->data, CMWQ_WORK_DATA_INIT);
	INIT_LIST_HEAD(&work->entry);
	work->func = func;
	lockdep_init_map(&work->lockdep_map, name, key, 0);
}
EXPORT_SYMBOL_GPL(__cmwq_init_work);

/**
 * __cmwq_init_delayed_work - initialise a delayed work item
 * @dwork: the delayed work item
 * @func: the function it runs
 * @onstack: @dwork lives on the stack
 * @name: lockdep name
 * @key: lockdep class of the work, one per call site
 * @timer_key: lockdep class of the timer, one per call site
 *
 * Use CMWQ_INIT_DELAYED_WORK() or CMWQ_INIT_DELAYED_WORK_ONSTACK().
 *
 * Context: Any context.
 */
void __cmwq_init_delayed_work(struct cmwq_delayed_work *dwork,
			      cmwq_func_t func, bool onstack,
			      const char *name, struct lock_class_key *key,
			      struct lock_class_key *timer_key)
{
	__cmwq_init_work(&dwork->work, func, onstack, name, key);
	if (onstack)
		init_timer_on_stack_key(&dwork->timer,
					cmwq_delayed_work_timer_fn,
					TIMER_IRQSAFE, name, timer_key);
	else
		init_timer_key(&dwork->timer, cmwq_delayed_work_timer_fn,
			       TIMER_IRQSAFE, name, timer_key);
}
EXPORT_SYMBOL_GPL(__cmwq_init_delayed_work);

/**
 * cmwq_destroy_work_on_stack - end the life of an on-stack work item
 * @work: a work item set up with CMWQ_INIT_WORK_ONSTACK()
 *
 * Context: Any context; @work must be idle.
 */
void cmwq_destroy_work_on_stack(struct cmwq_work *work)
{
	debug_work_destroy(work);
}
EXPORT_SYMBOL_GPL(cmwq_destroy_work_on_stack);

/**
 * cmwq_destroy_delayed_work_on_stack - end an on-stack delayed work item
 * @dwork: a delayed work set up with CMWQ_INIT_DELAYED_WORK_ONSTACK()
 *
 * Context: Any context; @dwork must be idle.
 */
void cmwq_destroy_delayed_work_on_stack(struct cmwq_delayed_work *dwork)
{
	destroy_timer_on_stack(&dwork->timer);
	debug_work_destroy(&dwork->work);
}
EXPORT_SYMBOL_GPL(cmwq_destroy_delayed_work_on_stack);

/**
 * is_chained_work - is current running a work of @wq?
 * @wq: the workqueue
 *
 * Context: Any context.
 * Return: %true when called from a work item of @wq.
 */
bool is_chained_work(struct cmwq_workqueue *wq)
{
	struct worker *worker = current_worker();

	return worker && worker->current_cwq && worker->current_cwq->wq == wq;
}

static struct cmwq_cwq *wq_cwq(struct cmwq_workqueue *wq, int cpu)
{
	if (wq->flags & CMWQ_UNBOUND)
		return wq->unbound_cwq;
	return wq->cpu_cwqs[cpu];
}

/**
 * __queue_work - queue a work whose PENDING bit the caller owns
 * @cpu: target CPU or %CMWQ_CPU_UNBOUND
 * @wq: the workqueue
 * @work: the work
 *
 * Context: Interrupts disabled.
 * Return: %true if queued, %false if @wq refused it (draining), in which
 * case PENDING is given back.
 */
bool __queue_work(int cpu, struct cmwq_workqueue *wq, struct cmwq_work *work)
{
	struct cmwq_cwq *cwq;
	struct worker_pool *last_pool, *pool;
	struct worker *worker = NULL;
	struct list_head *worklist;
	unsigned int work_flags;

	lockdep_assert_irqs_disabled();

	if (unlikely(READ_ONCE(wq->flags) & __CMWQ_DRAINING) &&
	    CMWQ_REFUSE(!is_chained_work(wq),
			"%s: queueing on %s while it is drained or destroyed",
			__func__, wq->name)) {
		clear_bit(CMWQ_WORK_PENDING_BIT, cmwq_work_bits(work));
		return false;
	}

	rcu_read_lock();
	if (cpu == CMWQ_CPU_UNBOUND)
		cpu = raw_smp_processor_id();
retry:
	cwq = wq_cwq(wq, cpu);
	pool = cwq->pool;

	/*
	 * A work still running on another pool goes to that pool, behind
	 * the running instance, so it never runs twice at once.
	 */
	last_pool = get_work_pool(work);
	if (last_pool && last_pool != pool) {
		raw_spin_lock(&last_pool->lock);
		worker = find_worker_executing_work(last_pool, work);
		if (worker && worker->current_cwq->wq == wq) {
			cwq = worker->current_cwq;
			pool = last_pool;
		} else {
			worker = NULL;
			raw_spin_unlock(&last_pool->lock);
			raw_spin_lock(&pool->lock);
		}
	} else {
		raw_spin_lock(&pool->lock);
	}

	/*
	 * A CPU that is down or going down takes no new work: it goes to an
	 * active CPU instead (active CPUs' pools are always associated).
	 * Only a work still running on the pool may follow itself there.
	 */
	if (unlikely(pool->flags & POOL_DISASSOCIATED) && !worker) {
		raw_spin_unlock(&pool->lock);
		cpu = cpu_active(raw_smp_processor_id()) ?
		      raw_smp_processor_id() : cpumask_first(cpu_active_mask);
		goto retry;
	}

	if (WARN_ON_ONCE(!list_empty(&work->entry))) {
		raw_spin_unlock(&pool->lock);
		rcu_read_unlock();
		return false;
	}

	cwq->nr_in_flight[cwq->work_color]++;
	work_flags = cwq->work_color << CMWQ_WORK_COLOR_SHIFT;

	if (likely(cwq->nr_active < cwq->max_active)) {
		cwq->nr_active++;
		worklist = &pool->worklist;
	} else {
		work_flags |= CMWQ_WORK_INACTIVE;
		worklist = &cwq->inactive_works;
		pool->nr_inactive++;
	}

	debug_work_activate(work);
	insert_work(cwq, work, worklist, work_flags);

	raw_spin_unlock(&pool->lock);
	rcu_read_unlock();
	return true;
}

static bool cpu_is_refused(int cpu, const char *caller)
{
	return CMWQ_REFUSE(cpu != CMWQ_CPU_UNBOUND &&
			   (cpu < 0 || cpu >= nr_cpu_ids || !cpu_possible(cpu)),
			   "%s: impossible CPU %d", caller, cpu);
}

static bool work_is_refused(struct cmwq_work *work, const char *caller,
			    void *ret_ip)
{
	if (CMWQ_REFUSE(!work, "%s: NULL work from %pS", caller, ret_ip))
		return true;
	return CMWQ_REFUSE(!work->func || !work->entry.next,
			   "%s: uninitialised work %p from %pS", caller, work,
			   ret_ip);
}

/* The checks of a queueing call but the work's own NULL check. */
static bool queue_is_refused(int cpu, struct cmwq_workqueue *wq,
			     struct cmwq_work *work, const char *caller,
			     void *ret_ip)
{
	return CMWQ_REFUSE(!work->func || !work->entry.next,
			   "%s: uninitialised work %p from %pS", caller, work,
			   ret_ip) ||
	       CMWQ_REFUSE(!wq, "%s: NULL workqueue from %pS", caller,
			   ret_ip) ||
	       cpu_is_refused(cpu, caller);
}

static noinline bool refuse_null_work(const char *caller, void *ret_ip)
{
	return !CMWQ_REFUSE(true, "%s: NULL work from %pS", caller, ret_ip);
}

/* Check and queue a work whose PENDING bit the caller just took. */
static noinline bool queue_grabbed_work(int cpu, struct cmwq_workqueue *wq,
					struct cmwq_work *work, void *ret_ip)
{
	if (likely(!queue_is_refused(cpu, wq, work, "cmwq_queue_work_on",
				     ret_ip)))
		return __queue_work(cpu, wq, work);
	clear_bit(CMWQ_WORK_PENDING_BIT, cmwq_work_bits(work));
	return false;
}

/**
 * cmwq_queue_work_on - queue a work item on a CPU
 * @cpu: a possible CPU, or %CMWQ_CPU_UNBOUND for the local one
 * @wq: the workqueue
 * @work: the work item
 *
 * @cpu only picks the pool of a bound queue; unbound queues ignore it.
 * The work runs on @cpu unless it is still running elsewhere, in which case
 * it runs after that instance, on its CPU.
 *
 * Context: Any context, including hard IRQ.
 * Return: %false if @work was already pending or was refused (bad input,
 * @wq draining), %true if it is now queued.
 */
bool cmwq_queue_work_on(int cpu, struct cmwq_workqueue *wq,
			struct cmwq_work *work)
{
	unsigned long flags;
	bool ret = false;

	if (unlikely(!work))
		return refuse_null_work(__func__, (void *)_RET_IP_);

	local_irq_save(flags);
	/*
	 * Requeueing a pending work is the common case: it costs just the
	 * atomic.  The other checks run only for a work about to be queued,
	 * out of line so that the fast path stays small.
	 */
	if (!test_and_set_bit(CMWQ_WORK_PENDING_BIT, cmwq_work_bits(work)))
		ret = queue_grabbed_work(cpu, wq, work, (void *)_RET_IP_);
	local_irq_restore(flags);
	return ret;
}
EXPORT_SYMBOL_GPL(cmwq_queue_work_on);

/**
 * cmwq_delayed_work_timer_fn - a delayed work's timer expired: queue it
 * @t: the timer inside a &struct cmwq_delayed_work
 *
 * Exported for CMWQ_DECLARE_DELAYED_WORK(); not for direct use.
 *
 * Context: Timer (softirq, interrupts off: the timer is IRQ-safe).
 */
void cmwq_delayed_work_timer_fn(struct timer_list *t)
{
	struct cmwq_delayed_work *dwork = from_timer(dwork, t, timer);

	__queue_work(dwork->cpu, dwork->wq, &dwork->work);
}
EXPORT_SYMBOL_GPL(cmwq_delayed_work_timer_fn);

static bool __queue_delayed_work(int cpu, struct cmwq_workqueue *wq,
				 struct cmwq_delayed_work *dwork,
				 unsigned long delay)
{
	struct timer_list *timer = &dwork->timer;
	struct cmwq_work *work = &dwork->work;

	WARN_ON_ONCE(timer->function != cmwq_delayed_work_timer_fn);
	WARN_ON_ONCE(timer_pending(timer));
	WARN_ON_ONCE(!list_empty(&work->entry));

	if (!delay)
		return __queue_work(cpu, wq, work);

	if (unlikely(READ_ONCE(wq->flags) & __CMWQ_DRAINING) &&
	    CMWQ_REFUSE(!is_chained_work(wq),
			"%s: delaying work on %s while it is drained or destroyed",
			__func__, wq->name)) {
		clear_bit(CMWQ_WORK_PENDING_BIT, cmwq_work_bits(work));
		return false;
	}

	dwork->wq = wq;
	dwork->cpu = cpu;
	timer->expires = jiffies + delay;
	/*
	 * A timer on an offline CPU would wait for it to come back; the work
	 * is redirected when it fires anyway.  A CPU going down later
	 * migrates its timers.
	 */
	if (cpu == CMWQ_CPU_UNBOUND || !cpu_online(cpu))
		add_timer(timer);
	else
		add_timer_on(timer, cpu);
	return true;
}

/**
 * cmwq_queue_delayed_work_on - queue a work item on a CPU after a delay
 * @cpu: a possible CPU, or %CMWQ_CPU_UNBOUND for the CPU the timer fires on
 * @wq: the workqueue
 * @dwork: the delayed work item
 * @delay: jiffies to wait; 0 queues at once
 *
 * Context: Any context, including hard IRQ.
 * Return: %false if @dwork was already pending or was refused, %true if it
 * is now pending.
 */
bool cmwq_queue_delayed_work_on(int cpu, struct cmwq_workqueue *wq,
				struct cmwq_delayed_work *dwork,
				unsigned long delay)
{
	unsigned long flags;
	bool ret = false;

	if (CMWQ_REFUSE(!dwork, "%s: NULL work from %pS", __func__,
			(void *)_RET_IP_) ||
	    work_is_refused(&dwork->work, __func__, (void *)_RET_IP_) ||
	    CMWQ_REFUSE(!wq, "%s: NULL workqueue from %pS", __func__,
			(void *)_RET_IP_) ||
	    cpu_is_refused(cpu, __func__))
		return false;

	local_irq_save(flags);
	if (!test_and_set_bit(CMWQ_WORK_PENDING_BIT,
			      cmwq_work_bits(&dwork->work)))
		ret = __queue_delayed_work(cpu, wq, dwork, delay);
	local_irq_restore(flags);
	return ret;
}
EXPORT_SYMBOL_GPL(cmwq_queue_delayed_work_on);

/**
 * cmwq_mod_delayed_work_on - queue a delayed work item or change its delay
 * @cpu: a possible CPU, or %CMWQ_CPU_UNBOUND
 * @wq: the workqueue
 * @dwork: the delayed work item
 * @delay: jiffies to wait from now; 0 queues at once
 *
 * Whether @dwork was idle, waiting for its timer or queued, it ends up
 * pending with the new delay, unless a sync cancel owns it: then it stays
 * cancelled.
 *
 * Context: Any context, including hard IRQ.
 * Return: %true if @dwork was pending (including when a sync cancel owns
 * it), %false if it was idle (or refused).
 */
bool cmwq_mod_delayed_work_on(int cpu, struct cmwq_workqueue *wq,
			      struct cmwq_delayed_work *dwork,
			      unsigned long delay)
{
	unsigned long flags;
	int ret;

	if (CMWQ_REFUSE(!dwork, "%s: NULL work from %pS", __func__,
			(void *)_RET_IP_) ||
	    work_is_refused(&dwork->work, __func__, (void *)_RET_IP_) ||
	    CMWQ_REFUSE(!wq, "%s: NULL workqueue from %pS", __func__,
			(void *)_RET_IP_) ||
	    cpu_is_refused(cpu, __func__))
		return false;

	do {
		ret = try_to_grab_pending(&dwork->work, true, &flags);
	} while (unlikely(ret == -EAGAIN));

	if (likely(ret >= 0)) {
		__queue_delayed_work(cpu, wq, dwork, delay);
		local_irq_restore(flags);
	}
	/*
	 * -ENOENT: a canceler owns it and it stays cancelled; it was pending
	 * all the same, which is what the kernel's mod_delayed_work_on() says.
	 */
	return ret;
}
EXPORT_SYMBOL_GPL(cmwq_mod_delayed_work_on);

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

static int clamp_max_active(int max_active, const char *name)
{
	if (CMWQ_REFUSE(max_active < 1 || max_active > CMWQ_MAX_ACTIVE,
			"max_active %d for %s out of range, clamped to [1, %d]",
			max_active, name, CMWQ_MAX_ACTIVE))
		return clamp_val(max_active, 1, CMWQ_MAX_ACTIVE);
	return max_active;
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
	if (CMWQ_REFUSE(!wq, "%s: NULL workqueue from %pS", __func__,
			(void *)_RET_IP_) ||
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

static struct cmwq_cwq *alloc_cwq(struct cmwq_workqueue *wq,
				  struct worker_pool *pool, int max_active)
{
	struct cmwq_cwq *cwq = kmem_cache_zalloc(cwq_cache, GFP_KERNEL);

	if (!cwq)
		return NULL;
	cwq->pool = pool;
	cwq->wq = wq;
	cwq->flush_color = -1;
	cwq->max_active = max_active;
	INIT_LIST_HEAD(&cwq->inactive_works);
	INIT_LIST_HEAD(&cwq->mayday_node);
	list_add_tail(&cwq->node, &wq->cwqs);
	return cwq;
}

static void free_wq_parts(struct cmwq_workqueue *wq)
{
	struct cmwq_cwq *cwq, *n;

	list_for_each_entry_safe(cwq, n, &wq->cwqs, node)
		kmem_cache_free(cwq_cache, cwq);
	kfree(wq->cpu_cwqs);
#ifdef CONFIG_LOCKDEP
	lockdep_unregister_key(&wq->key);
#endif
}

static void free_wq(struct cmwq_workqueue *wq)
{
	free_wq_parts(wq);
	kfree(wq);
}

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
	int cpu;

	wq = kzalloc(sizeof(*wq), GFP_KERNEL);
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
	mutex_init(&wq->flush_mutex);
#ifdef CONFIG_LOCKDEP
	lockdep_register_key(&wq->key);
	lockdep_init_map(&wq->lockdep_map, wq->name, &wq->key, 0);
#endif

	if (flags & CMWQ_UNBOUND) {
		wq->unbound_cwq = alloc_cwq(wq,
					    &get_gcwq(CMWQ_CPU_UNBOUND)->pools[pri],
					    max_active);
		if (!wq->unbound_cwq)
			goto free_wq;
	} else {
		wq->cpu_cwqs = kcalloc(nr_cpu_ids, sizeof(*wq->cpu_cwqs),
				       GFP_KERNEL);
		if (!wq->cpu_cwqs)
			goto free_wq;
		for_each_possible_cpu(cpu) {
			wq->cpu_cwqs[cpu] = alloc_cwq(wq,
						      &get_gcwq(cpu)->pools[pri],
						      max_active);
			if (!wq->cpu_cwqs[cpu])
				goto free_wq;
		}
	}

	if ((flags & CMWQ_MEM_RECLAIM) && init_rescuer(wq))
		goto free_wq;

	/* under the mutex: a freeze in progress sees the queue, or it sees it */
	mutex_lock(&cmwq_wq_mutex);
	mutex_lock(&wq->mutex);
	wq_apply_max_active(wq, wq_effective_max_active(wq));
	mutex_unlock(&wq->mutex);
	list_add_tail(&wq->list, &cmwq_workqueues);
	mutex_unlock(&cmwq_wq_mutex);
	return wq;

free_wq:
	free_wq(wq);
	return NULL;
}
EXPORT_SYMBOL_GPL(cmwq_alloc_workqueue);

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
	struct cmwq_workqueue *pos;
	struct cmwq_cwq *cwq;
	bool found = false, busy = false, keep;

	mutex_lock(&cmwq_wq_mutex);
	list_for_each_entry(pos, &cmwq_workqueues, list) {
		if (pos == wq) {
			found = true;
			break;
		}
	}
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

	/* the queue stays draining for good: nothing more gets in */
	wq_start_draining(wq);
	cmwq_drain_workqueue(wq);

	for_each_cwq(cwq, wq) {
		raw_spin_lock_irq(&cwq->pool->lock);
		busy |= cwq_busy(cwq);
		raw_spin_unlock_irq(&cwq->pool->lock);
	}
	/* never free a queue that still has work: leak it instead */
	if (WARN(busy, "cmwq: %s still busy after draining, not freed\n",
		 wq->name))
		return;

	keep = READ_ONCE(cmwq_keep_destroyed);
	mutex_lock(&cmwq_wq_mutex);
	if (keep)
		list_move(&wq->list, &cmwq_destroyed_workqueues);
	else
		list_del(&wq->list);
	mutex_unlock(&cmwq_wq_mutex);

	destroy_rescuer(wq);
	/* get_work_pool() may still be looking at a cwq under RCU */
	synchronize_rcu();
	if (!keep) {
		free_wq(wq);
		return;
	}
	/* only the struct stays, still draining: queueing on it is refused */
	free_wq_parts(wq);
	INIT_LIST_HEAD(&wq->cwqs);
	wq->cpu_cwqs = NULL;
	wq->unbound_cwq = NULL;
}
EXPORT_SYMBOL_GPL(cmwq_destroy_workqueue);

/**
 * cmwq_queue_init - create the cwq cache
 *
 * Context: Module init.
 * Return: 0 or -ENOMEM.
 */
int cmwq_queue_init(void)
{
	cwq_cache = kmem_cache_create("cmwq_cwq", sizeof(struct cmwq_cwq),
				      __alignof__(struct cmwq_cwq), 0, NULL);
	return cwq_cache ? 0 : -ENOMEM;
}

/**
 * cmwq_queue_exit - free the destroyed queues kept and the cwq cache
 *
 * Context: Module exit, after every workqueue is gone.
 */
void cmwq_queue_exit(void)
{
	struct cmwq_workqueue *wq, *n;

	list_for_each_entry_safe(wq, n, &cmwq_destroyed_workqueues, list)
		kfree(wq);
	kmem_cache_destroy(cwq_cache);
}
