/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cmwq.h - concurrency-managed workqueues for drivers
 *
 * The public interface of cmwq.ko.  It mirrors the kernel's own
 * <linux/workqueue.h> under a cmwq_ prefix so that a driver can switch by
 * renaming: a work item is embedded in the driver's own object, queued on a
 * workqueue and run later in process context by a worker thread shared by
 * every workqueue on that CPU.  See Documentation/cmwq.rst.
 */
#ifndef _CMWQ_H
#define _CMWQ_H

#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/cpumask.h>
#include <linux/lockdep.h>
#include <linux/list.h>
#include <linux/timer.h>
#include <linux/types.h>

struct cmwq_work;
struct cmwq_workqueue;
typedef void (*cmwq_func_t)(struct cmwq_work *work);

/*
 * work->data: the low bits are flags, the rest points at the
 * cpu_workqueue_struct the work is queued on (CMWQ_WORK_CWQ set) or, once
 * it left the queue, holds the id of the pool that ran it last.
 */
enum {
	CMWQ_WORK_PENDING_BIT	= 0,	/* queued or timer armed */
	CMWQ_WORK_INACTIVE_BIT	= 1,	/* held back by max_active */
	CMWQ_WORK_CWQ_BIT	= 2,	/* data points at a cwq */
	CMWQ_WORK_LINKED_BIT	= 3,	/* next entry is a flush barrier */
	CMWQ_WORK_COLOR_SHIFT	= 4,
	CMWQ_WORK_COLOR_BITS	= 4,
	CMWQ_WORK_FLAG_BITS	= CMWQ_WORK_COLOR_SHIFT + CMWQ_WORK_COLOR_BITS,

	/* off queue: CANCELING and the last pool's id */
	CMWQ_OFFQ_CANCELING_BIT	= CMWQ_WORK_COLOR_SHIFT,
	CMWQ_OFFQ_POOL_SHIFT	= CMWQ_OFFQ_CANCELING_BIT + 1,
};

#define CMWQ_WORK_PENDING	BIT(CMWQ_WORK_PENDING_BIT)
#define CMWQ_WORK_INACTIVE	BIT(CMWQ_WORK_INACTIVE_BIT)
#define CMWQ_WORK_CWQ		BIT(CMWQ_WORK_CWQ_BIT)
#define CMWQ_WORK_LINKED	BIT(CMWQ_WORK_LINKED_BIT)
#define CMWQ_OFFQ_CANCELING	BIT(CMWQ_OFFQ_CANCELING_BIT)
#define CMWQ_WORK_NO_POOL	(~0UL << CMWQ_OFFQ_POOL_SHIFT)
#define CMWQ_WORK_DATA_INIT	CMWQ_WORK_NO_POOL

/*
 * Whether a work records its origin: who queued it and when, for the
 * reports and dumps.  That is 16 bytes more per work, which most kernels
 * should not pay for every work embedded in every object: a work is 32
 * bytes on 64-bit, as a work_struct.  Kernels built to debug work items
 * (CONFIG_DEBUG_OBJECTS_WORK) get it.  It is decided by the kernel's
 * configuration alone, as cmwq.ko and every driver built against this
 * header must agree on the layout.
 */
#define CMWQ_WORK_ORIGIN	IS_ENABLED(CONFIG_DEBUG_OBJECTS_WORK)

struct cmwq_work {
	atomic_long_t data;
	struct list_head entry;
	cmwq_func_t func;
#if CMWQ_WORK_ORIGIN
	/*
	 * who queued it: the return address of the queueing call (for a
	 * delayed work, of the call that armed its timer), and the jiffies
	 * when it was last put on a list
	 */
	unsigned long queued_by;
	unsigned long queued_at;
#endif
#ifdef CONFIG_LOCKDEP
	struct lockdep_map lockdep_map;
#endif
};

struct cmwq_delayed_work {
	struct cmwq_work work;
	struct timer_list timer;
	/* target of the timer, set when it is armed */
	struct cmwq_workqueue *wq;
	int cpu;
};

/* Workqueue flags for cmwq_alloc_workqueue(). */
enum {
	CMWQ_UNBOUND		= 1 << 1, /* not bound to any CPU */
	CMWQ_FREEZABLE		= 1 << 2, /* freeze during suspend */
	CMWQ_MEM_RECLAIM	= 1 << 3, /* may be used for memory reclaim */
	CMWQ_RESCUER		= CMWQ_MEM_RECLAIM, /* the 2009 name */
	CMWQ_HIGHPRI		= 1 << 4, /* served by the nice -20 pools */
	CMWQ_CPU_INTENSIVE	= 1 << 5, /* outside concurrency management */

	__CMWQ_DRAINING		= 1 << 16, /* internal: being drained */
	__CMWQ_ORDERED		= 1 << 17, /* internal: ordered queue */
	__CMWQ_SYSTEM		= 1 << 18, /* internal: a cmwq_system_* queue */

	CMWQ_MAX_ACTIVE		= 512,
	CMWQ_DFL_ACTIVE		= CMWQ_MAX_ACTIVE / 2,
};

/* cmwq_work_busy() bits */
enum {
	CMWQ_BUSY_PENDING	= 1 << 0,
	CMWQ_BUSY_RUNNING	= 1 << 1,
};

/* "any CPU": the local CPU for bound queues */
#define CMWQ_CPU_UNBOUND	NR_CPUS

void cmwq_delayed_work_timer_fn(struct timer_list *t);

#ifdef CONFIG_LOCKDEP
#define __CMWQ_WORK_LOCKDEP_MAP_INIT(n)					\
	.lockdep_map = STATIC_LOCKDEP_MAP_INIT(#n, &(n).lockdep_map),
#else
#define __CMWQ_WORK_LOCKDEP_MAP_INIT(n)
#endif

#define __CMWQ_WORK_INITIALIZER(n, f) {					\
	.data = ATOMIC_LONG_INIT(CMWQ_WORK_DATA_INIT),			\
	.entry = LIST_HEAD_INIT((n).entry),				\
	.func = (f),							\
	__CMWQ_WORK_LOCKDEP_MAP_INIT(n)					\
	}

#define __CMWQ_DELAYED_WORK_INITIALIZER(n, f) {				\
	.work = __CMWQ_WORK_INITIALIZER((n).work, (f)),			\
	.timer = __TIMER_INITIALIZER(cmwq_delayed_work_timer_fn,	\
				     TIMER_IRQSAFE),			\
	}

#define CMWQ_DECLARE_WORK(n, f)						\
	struct cmwq_work n = __CMWQ_WORK_INITIALIZER(n, f)

#define CMWQ_DECLARE_DELAYED_WORK(n, f)					\
	struct cmwq_delayed_work n = __CMWQ_DELAYED_WORK_INITIALIZER(n, f)

void __cmwq_init_work(struct cmwq_work *work, cmwq_func_t func, bool onstack,
		      const char *name, struct lock_class_key *key);
void __cmwq_init_delayed_work(struct cmwq_delayed_work *dwork,
			      cmwq_func_t func, bool onstack,
			      const char *name, struct lock_class_key *key,
			      struct lock_class_key *timer_key);

/* Each call site gets its own lockdep class, as INIT_WORK() does. */
#define __CMWQ_INIT_WORK(w, f, onstack)					\
	do {								\
		static struct lock_class_key __key;			\
									\
		__cmwq_init_work((w), (f), (onstack), #w, &__key);	\
	} while (0)

#define __CMWQ_INIT_DELAYED_WORK(dw, f, onstack)			\
	do {								\
		static struct lock_class_key __key, __timer_key;	\
									\
		__cmwq_init_delayed_work((dw), (f), (onstack), #dw,	\
					 &__key, &__timer_key);		\
	} while (0)

#define CMWQ_INIT_WORK(w, f)		__CMWQ_INIT_WORK((w), (f), false)
#define CMWQ_INIT_WORK_ONSTACK(w, f)	__CMWQ_INIT_WORK((w), (f), true)
#define CMWQ_INIT_DELAYED_WORK(dw, f)	__CMWQ_INIT_DELAYED_WORK((dw), (f), false)
#define CMWQ_INIT_DELAYED_WORK_ONSTACK(dw, f)				\
	__CMWQ_INIT_DELAYED_WORK((dw), (f), true)

void cmwq_destroy_work_on_stack(struct cmwq_work *work);
void cmwq_destroy_delayed_work_on_stack(struct cmwq_delayed_work *dwork);

static inline struct cmwq_delayed_work *
cmwq_to_delayed_work(struct cmwq_work *work)
{
	return container_of(work, struct cmwq_delayed_work, work);
}

/**
 * cmwq_work_pending - is a work item queued or about to be queued?
 * @work: the work item
 *
 * Context: Any context.
 * Return: %true if @work is pending (queued, or its timer is armed).
 */
static inline bool cmwq_work_pending(struct cmwq_work *work)
{
	return test_bit(CMWQ_WORK_PENDING_BIT,
			(unsigned long *)&work->data);
}

/**
 * cmwq_delayed_work_pending - is a delayed work item pending?
 * @dwork: the delayed work item
 *
 * Context: Any context.
 * Return: %true if @dwork's timer is armed or its work is queued.
 */
static inline bool cmwq_delayed_work_pending(struct cmwq_delayed_work *dwork)
{
	return cmwq_work_pending(&dwork->work);
}

__printf(1, 4) struct cmwq_workqueue *
cmwq_alloc_workqueue(const char *fmt, unsigned int flags, int max_active, ...);

#define cmwq_alloc_ordered_workqueue(fmt, flags, args...)		\
	cmwq_alloc_workqueue(fmt, CMWQ_UNBOUND | __CMWQ_ORDERED | (flags), \
			     1, ##args)

void cmwq_destroy_workqueue(struct cmwq_workqueue *wq);
void cmwq_set_max_active(struct cmwq_workqueue *wq, int max_active);

bool cmwq_queue_work_on(int cpu, struct cmwq_workqueue *wq,
			struct cmwq_work *work);
bool cmwq_queue_delayed_work_on(int cpu, struct cmwq_workqueue *wq,
				struct cmwq_delayed_work *dwork,
				unsigned long delay);
bool cmwq_mod_delayed_work_on(int cpu, struct cmwq_workqueue *wq,
			      struct cmwq_delayed_work *dwork,
			      unsigned long delay);

bool cmwq_flush_work(struct cmwq_work *work);
int cmwq_flush_work_timeout(struct cmwq_work *work, unsigned long timeout);
bool cmwq_flush_delayed_work(struct cmwq_delayed_work *dwork);
int cmwq_flush_delayed_work_timeout(struct cmwq_delayed_work *dwork,
				    unsigned long timeout);
bool cmwq_cancel_work(struct cmwq_work *work);
bool cmwq_cancel_work_sync(struct cmwq_work *work);
bool cmwq_cancel_delayed_work(struct cmwq_delayed_work *dwork);
bool cmwq_cancel_delayed_work_sync(struct cmwq_delayed_work *dwork);
void cmwq_flush_workqueue(struct cmwq_workqueue *wq);
int cmwq_flush_workqueue_timeout(struct cmwq_workqueue *wq,
				 unsigned long timeout);
void cmwq_drain_workqueue(struct cmwq_workqueue *wq);
int cmwq_drain_workqueue_timeout(struct cmwq_workqueue *wq,
				 unsigned long timeout);

unsigned int cmwq_work_busy(struct cmwq_work *work);
struct cmwq_work *cmwq_current_work(void);
int cmwq_schedule_on_each_cpu(cmwq_func_t func);
long cmwq_work_on_cpu(int cpu, long (*fn)(void *), void *arg);

extern struct cmwq_workqueue *cmwq_system_wq;
extern struct cmwq_workqueue *cmwq_system_highpri_wq;
extern struct cmwq_workqueue *cmwq_system_long_wq;
extern struct cmwq_workqueue *cmwq_system_unbound_wq;

/**
 * cmwq_queue_work - queue a work item on the local CPU
 * @wq: the workqueue
 * @work: the work item
 *
 * Context: Any context.
 * Return: %false if @work was already pending, %true otherwise.
 */
static inline bool cmwq_queue_work(struct cmwq_workqueue *wq,
				   struct cmwq_work *work)
{
	return cmwq_queue_work_on(CMWQ_CPU_UNBOUND, wq, work);
}

/**
 * cmwq_queue_delayed_work - queue a work item after a delay
 * @wq: the workqueue
 * @dwork: the delayed work item
 * @delay: jiffies to wait; 0 queues at once
 *
 * Context: Any context.
 * Return: %false if @dwork was already pending, %true otherwise.
 */
static inline bool cmwq_queue_delayed_work(struct cmwq_workqueue *wq,
					   struct cmwq_delayed_work *dwork,
					   unsigned long delay)
{
	return cmwq_queue_delayed_work_on(CMWQ_CPU_UNBOUND, wq, dwork, delay);
}

/**
 * cmwq_mod_delayed_work - queue a delayed work item or change its delay
 * @wq: the workqueue
 * @dwork: the delayed work item
 * @delay: jiffies to wait from now
 *
 * Context: Any context.
 * Return: %true if @dwork was pending and got its delay changed (or a sync
 * cancel owns it, and it stays cancelled), %false if it was idle and is
 * now queued.
 */
static inline bool cmwq_mod_delayed_work(struct cmwq_workqueue *wq,
					 struct cmwq_delayed_work *dwork,
					 unsigned long delay)
{
	return cmwq_mod_delayed_work_on(CMWQ_CPU_UNBOUND, wq, dwork, delay);
}

#endif /* _CMWQ_H */
