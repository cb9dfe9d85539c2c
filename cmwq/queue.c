// SPDX-License-Identifier: GPL-2.0
/*
 * queue.c - work items and queueing them
 *
 * A work is queued on the cwq of its queue for the chosen CPU (or the
 * unbound one): onto the pool's worklist if the cwq is below max_active,
 * else onto the cwq's inactive list.  It carries the flush color current
 * when it was queued, counted in cwq->nr_in_flight[], which is what
 * cmwq_flush_workqueue() waits on (flush.c).  Delayed works are queued the
 * same way when their timer fires.
 *
 * A work's PENDING bit is its ownership token: whoever sets it queues the
 * work, and the work sits on exactly one list until a worker clears the
 * bit as it starts running it.  Queueing a work that is still running
 * elsewhere for the same queue sends it to the pool running it
 * (non-reentrancy), so it never runs on two workers of that queue at once.
 *
 * Work initialisation and the debug objects glue live here too.
 */
#include <linux/debugobjects.h>
#include <linux/module.h>

#include "internal.h"
#include "trace.h"

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

/*
 * A draining (or destroyed) queue takes only the works its own works
 * queue: refuse any other, giving its PENDING bit back.
 */
static noinline bool draining_refused(struct cmwq_workqueue *wq,
				      struct cmwq_work *work,
				      const char *caller)
{
	if (!CMWQ_REFUSE(!is_chained_work(wq),
			 "%s: queueing on %s while it is drained or destroyed",
			 caller, wq->name))
		return false;
	clear_bit(CMWQ_WORK_PENDING_BIT, cmwq_work_bits(work));
	return true;
}

/**
 * __queue_work - queue a work whose PENDING bit the caller owns
 * @cpu: target CPU or %CMWQ_CPU_UNBOUND
 * @wq: the workqueue
 * @work: the work
 * @caller: the return address of the API call queueing it, for reports
 *
 * Context: Interrupts disabled.
 * Return: %true if queued, %false if @wq refused it (draining), in which
 * case PENDING is given back.
 */
bool __queue_work(int cpu, struct cmwq_workqueue *wq, struct cmwq_work *work,
		  unsigned long caller)
{
	struct cmwq_cwq *cwq;
	struct worker_pool *last_pool, *pool;
	struct worker *worker = NULL;
	struct list_head *worklist;
	unsigned int work_flags;
	int req_cpu = cpu;

	lockdep_assert_irqs_disabled();

	if (unlikely(READ_ONCE(wq->flags) & __CMWQ_DRAINING) &&
	    draining_refused(wq, work, __func__))
		return false;

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

	trace_cmwq_queue_work(req_cpu, cwq, work, caller);
	WRITE_ONCE(cwq->nr_in_flight[cwq->work_color],
		   cwq->nr_in_flight[cwq->work_color] + 1);
	work_flags = work_color_to_flags(cwq->work_color);

	if (likely(cwq->nr_active < cwq->max_active)) {
		trace_cmwq_activate_work(work, pool);
		cwq->nr_active++;
		worklist = &pool->worklist;
		/* a pool idle until now is not stuck for the watchdog */
		if (list_empty(worklist))
			pool->watchdog_ts = jiffies;
	} else {
		work_flags |= CMWQ_WORK_INACTIVE;
		worklist = &cwq->inactive_works;
		pool->nr_inactive++;
	}

	debug_work_activate(work);
	cmwq_stats_queued(cwq, work);
	work_set_caller(work, caller);
	insert_work(cwq, work, worklist, work_flags);

	raw_spin_unlock(&pool->lock);
	rcu_read_unlock();
	return true;
}

/* Check and queue a work whose PENDING bit the caller just took. */
static noinline bool queue_grabbed_work(int cpu, struct cmwq_workqueue *wq,
					struct cmwq_work *work, void *ret_ip)
{
	if (likely(!work_refused(work, false, "cmwq_queue_work_on", ret_ip) &&
		   !queue_refused(wq, cpu, "cmwq_queue_work_on", ret_ip)))
		return __queue_work(cpu, wq, work, (unsigned long)ret_ip);
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

	if (unlikely(!work)) {
		work_refused(work, false, __func__, (void *)_RET_IP_);
		return false;
	}

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

	/* who armed the timer queued the work, where works record it */
	__queue_work(dwork->cpu, dwork->wq, &dwork->work,
		     work_caller(&dwork->work));
}
EXPORT_SYMBOL_GPL(cmwq_delayed_work_timer_fn);

static bool __queue_delayed_work(int cpu, struct cmwq_workqueue *wq,
				 struct cmwq_delayed_work *dwork,
				 unsigned long delay, unsigned long caller)
{
	struct timer_list *timer = &dwork->timer;
	struct cmwq_work *work = &dwork->work;

	WARN_ON_ONCE(timer->function != cmwq_delayed_work_timer_fn);
	WARN_ON_ONCE(timer_pending(timer));
	WARN_ON_ONCE(!list_empty(&work->entry));

	if (!delay)
		return __queue_work(cpu, wq, work, caller);

	if (unlikely(READ_ONCE(wq->flags) & __CMWQ_DRAINING) &&
	    draining_refused(wq, work, __func__))
		return false;

	dwork->wq = wq;
	dwork->cpu = cpu;
	work_set_caller(work, caller);
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

	if (work_refused(dwork_work(dwork), false, __func__, (void *)_RET_IP_) ||
	    queue_refused(wq, cpu, __func__, (void *)_RET_IP_))
		return false;

	local_irq_save(flags);
	if (!test_and_set_bit(CMWQ_WORK_PENDING_BIT,
			      cmwq_work_bits(&dwork->work)))
		ret = __queue_delayed_work(cpu, wq, dwork, delay, _RET_IP_);
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

	if (work_refused(dwork_work(dwork), false, __func__, (void *)_RET_IP_) ||
	    queue_refused(wq, cpu, __func__, (void *)_RET_IP_))
		return false;

	do {
		ret = try_to_grab_pending(&dwork->work, true, &flags);
	} while (unlikely(ret == -EAGAIN));

	if (likely(ret >= 0)) {
		__queue_delayed_work(cpu, wq, dwork, delay, _RET_IP_);
		local_irq_restore(flags);
	}
	/*
	 * -ENOENT: a canceler owns it and it stays cancelled; it was pending
	 * all the same, which is what the kernel's mod_delayed_work_on() says.
	 */
	return ret;
}
EXPORT_SYMBOL_GPL(cmwq_mod_delayed_work_on);

/**
 * cmwq_work_busy - is a work item pending or running?
 * @work: the work item
 *
 * The answer may be stale by the time the caller looks at it.
 *
 * Context: Any context.
 * Return: %CMWQ_BUSY_PENDING and/or %CMWQ_BUSY_RUNNING, or 0.
 */
unsigned int cmwq_work_busy(struct cmwq_work *work)
{
	struct worker_pool *pool;
	unsigned long flags;
	unsigned int ret = 0;

	if (work_refused(work, false, __func__, (void *)_RET_IP_))
		return 0;

	if (cmwq_work_pending(work))
		ret |= CMWQ_BUSY_PENDING;

	rcu_read_lock();
	pool = get_work_pool(work);
	if (pool) {
		raw_spin_lock_irqsave(&pool->lock, flags);
		if (find_worker_executing_work(pool, work))
			ret |= CMWQ_BUSY_RUNNING;
		raw_spin_unlock_irqrestore(&pool->lock, flags);
	}
	rcu_read_unlock();
	return ret;
}
EXPORT_SYMBOL_GPL(cmwq_work_busy);
