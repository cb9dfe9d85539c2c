/* SPDX-License-Identifier: GPL-2.0 */
/*
 * internal.h - cmwq's private structures, shared by its files
 *
 * Locking legend, used on every field below and on every global of the
 * module's files:
 *
 * I: Set at initialisation, read-only afterwards.
 *
 * L: pool->lock (raw, IRQ-safe: works are queued from hard IRQ).
 *
 * X: Written by the worker itself under pool->lock, or by the trustee
 *    under pool->lock followed by synchronize_rcu() before anything
 *    depends on it (hotplug.c); read locklessly by the worker's own
 *    scheduler hooks.
 *
 * T: gcwq->trustee_mutex; read locklessly with READ_ONCE() where noted.
 *
 * B: pool->attach_mutex (which workers belong to the pool and where they
 *    may run) and pool->lock, both held to change; either held to read.
 *
 * S: Touched only by the worker's own scheduler hooks.
 *
 * A: Set at creation for a pool worker; a rescuer sets its own under
 *    the lock of the pool it visits.
 *
 * MD: cmwq_mayday_lock (raw, IRQ-safe; nests inside pool->lock).
 *
 * F: wq->flush_lock (raw, IRQ-safe; nests inside pool->lock): which of a
 *    queue's closed colors are flushed, and its flushers waiting for
 *    theirs (flush.c).
 *
 * O: wq->flush_mutex (closing a queue's work color, as flushers arrive;
 *    taken before pool->lock).
 *
 * Q: wq->mutex.
 *
 * W: cmwq_wq_mutex (the list of workqueues, the freezing state; taken
 *    before wq->mutex).  for_each_workqueue() asserts it.
 *
 * R: No lock: an atomic, or a word written with WRITE_ONCE() or xchg()
 *    and read with READ_ONCE(), whose readers tolerate either value.
 *
 * P: Owned by the PM core's one transition at a time (freeze.c).
 *
 * C: Per CPU: written only by its own CPU, with interrupts off (under a
 *    pool->lock) or with a this_cpu operation; readers sum the CPUs with
 *    READ_ONCE() and tolerate a value one update old (stats.c).
 *
 * E: pool->lock to write, with WRITE_ONCE(); read under it, or without it
 *    with READ_ONCE() by a queue flush's fast path (flush.c), which needs
 *    only what its caller's own queueing wrote or a finished work's
 *    decrement released.
 *
 * H: a queue's statistics func_lock (raw; nests inside pool->lock).
 *
 * V: cmwq_waits_lock (raw, IRQ-safe; nests inside pool->lock): what each
 *    waiting worker waits for (waits.c).
 *
 * K: tq->lock of a Solaris taskq (taskq.c; raw and IRQ-safe, for tasks
 *    are dispatched from hard IRQ, on PREEMPT_RT too; taken before
 *    pool->lock and the timer locks, never inside them; nothing is
 *    allocated, freed or woken from a wait queue under it).
 *
 * D: The destroyer's: used once, by the one destroy of the object
 *    (cmwq_destroy_workqueue(), cmwq_taskq_destroy()), when nothing else
 *    uses it any more.
 *
 * G: tp_lock, the tables of NetBSD thread pools by priority (threadpool.c;
 *    a mutex: creating a pool's queue sleeps).
 *
 * J: a NetBSD threadpool job's lock, job->lock: the caller's kmutex, or
 *    for a task(9) task its own spin kmutex (threadpool.c, task.c; taken
 *    before pool->lock).
 *
 * N: tq_lock, the table of NetBSD's shared task queues by priority
 *    (task.c; a mutex, taken before G).
 */
#ifndef _CMWQ_INTERNAL_H
#define _CMWQ_INTERNAL_H

#include <linux/hashtable.h>
#include <linux/hrtimer.h>
#include <linux/idr.h>
#include <linux/irq_work.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/mutex.h>
#include <linux/preempt.h>
#include <linux/rcuwait.h>
#include <linux/sched/clock.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <linux/wait.h>

#include "cmwq.h"
#include "stats.h"

enum {
	/* pool->flags */
	POOL_MANAGER_ACTIVE	= 1 << 0, /* a worker is managing */
	POOL_MANAGE_REAP	= 1 << 1, /* idle timer asks for reaping */
	POOL_DISASSOCIATED	= 1 << 2, /* CPU down: workers are rogue */

	/* worker->flags */
	WORKER_DIE		= 1 << 1, /* exit at next wake-up */
	WORKER_IDLE		= 1 << 2, /* on the idle list */
	WORKER_PREP		= 1 << 3, /* not yet processing works */
	WORKER_CPU_INTENSIVE	= 1 << 6, /* running a CPU-intensive work */
	WORKER_UNBOUND		= 1 << 7, /* serves the unbound pool */
	WORKER_ROGUE		= 1 << 8, /* its CPU is down: runs anywhere */
	WORKER_REBIND		= 1 << 9, /* rebind after this work */

	/* workers with any of these do not count in nr_running */
	WORKER_NOT_RUNNING	= WORKER_PREP | WORKER_CPU_INTENSIVE |
				  WORKER_UNBOUND | WORKER_ROGUE,

	NR_STD_WORKER_POOLS	= 2,	/* normal and high priority */
	BUSY_HASH_ORDER		= 6,
	CMWQ_NR_COLORS		= (1 << CMWQ_WORK_COLOR_BITS) - 1,

	/* idle workers beyond this ratio of busy ones are reaped */
	MAX_IDLE_WORKERS_RATIO	= 4,

	MAYDAY_INITIAL_TIMEOUT	= HZ / 100 >= 2 ? HZ / 100 : 2,
	MAYDAY_INTERVAL		= HZ / 10,
	CREATE_COOLDOWN		= HZ,

	HIGHPRI_NICE_LEVEL	= MIN_NICE,
	RESCUER_NICE_LEVEL	= MIN_NICE,
};

struct global_cwq;

/* Why a pool worker is created or destroyed, for the trace (trace.h). */
enum cmwq_worker_reason {
	CMWQ_WORKER_MANAGER,	/* the pool's manager needed one */
	CMWQ_WORKER_STARTUP,	/* the unbound pools' first, at load */
	CMWQ_WORKER_PREPARE,	/* a CPU's pools' first, as it comes up */
	CMWQ_WORKER_REAP,	/* idle for too long */
	CMWQ_WORKER_CPU_DEAD,	/* its CPU went down */
	CMWQ_WORKER_UNLOAD,	/* the module goes */
};

enum trustee_state {
	TRUSTEE_DONE = 0,	/* no trustee: the CPU owns its pools */
	TRUSTEE_START,		/* unbinding the workers */
	TRUSTEE_IN_CHARGE,	/* workers rogue: the pools drain */
	TRUSTEE_BUTCHER,	/* CPU dead: destroy workers once idle */
	TRUSTEE_RELEASE,	/* CPU back: the trustee leaves */
};

/*
 * A worker pool: the shared workers of one CPU and priority (or of the
 * unbound gcwq).  Every workqueue's cwq on this CPU feeds the same
 * worklist.
 */
struct worker_pool {
	raw_spinlock_t		lock;		/* L itself */
	struct global_cwq	*gcwq;		/* I: owning gcwq */
	int			id;		/* I: index in cmwq_pools */
	bool			highpri;	/* I: nice -20 workers */
	unsigned int		flags;		/* L: POOL_*; B for DISASSOCIATED */

	struct list_head	worklist;	/* L: works ready to run */
	/*
	 * L: jiffies of the last progress, for the stall watchdog
	 * (watchdog.c).  In the lock's cache line: queueing a work on an
	 * idle pool from another CPU writes it, and so does the worker
	 * taking the work, so a line of its own would travel between the
	 * two CPUs on top of the lock's.
	 */
	unsigned long		watchdog_ts;

	/*
	 * nr_running is changed by the scheduler hooks under the runqueue
	 * lock, where pool->lock cannot be taken, so it is atomic (R).
	 */
	atomic_t		nr_running ____cacheline_aligned_in_smp;
	struct irq_work		wake_work;	/* I: wake from sched_out */

	int			nr_workers;	/* L: total workers */
	int			nr_idle;	/* L: idle workers */
	struct list_head	idle_list;	/* L: newest first */
	/* L: woken from idle_list by wake_up_worker(), not yet out of it */
	struct worker		*waking;
	/* L, read with READ_ONCE() by claim_manager(): reaped, not yet stopped */
	int			nr_dying;
	struct list_head	workers;	/* B: all, dying until stopped */
	struct mutex		attach_mutex;	/* B: workers and binding */
	int			nr_inactive;	/* L: works held back */
	struct timer_list	idle_timer;	/* L: reap idle workers */
	struct timer_list	mayday_timer;	/* R: armed by the manager */
	struct hrtimer		hog_timer;	/* R: hog.c's, on the pool's CPU */
	DECLARE_HASHTABLE(busy_hash, BUSY_HASH_ORDER); /* L: running works */

	struct ida		worker_ida;	/* R: worker ids, locked inside */
	wait_queue_head_t	manager_wait;	/* L: role released, nr_dying 0 */

	/* L: statistics, shown in debugfs and read by the tests */
	unsigned long		nr_created;	/* workers ever created */
	unsigned long		nr_created_by_manager;
	unsigned long		nr_reaped;	/* idle workers reaped */
	unsigned long		nr_create_failed;
	unsigned long		nr_maydays;	/* MD: maydays sent */
	unsigned long		nr_works;	/* works executed */
	unsigned long		nr_wakeups;	/* idle workers woken */
	unsigned long		nr_stalls;	/* stalls reported */
	bool			create_failing;	/* the last creation failed */

	/* L: the watchdog_ts the stall watchdog reported (watchdog.c) */
	unsigned long		watchdog_reported;
} ____cacheline_aligned_in_smp;

/*
 * The global cpu workqueue: the pools of one CPU, or of no CPU in
 * particular for the unbound gcwq.
 */
struct global_cwq {
	int			cpu;		/* I: CMWQ_CPU_UNBOUND if unbound */
	struct worker_pool	pools[NR_STD_WORKER_POOLS]; /* I */

	struct mutex		trustee_mutex;	/* T: protects the T fields */
	struct task_struct	*trustee;	/* T: until reaped */
	enum trustee_state	trustee_state;	/* T; read with READ_ONCE */
	wait_queue_head_t	trustee_wait;	/* R: trustee_state changes */
	struct rcuwait		trustee_rcuwait; /* R: the trustee sleeps here */
};

/* A workqueue's presence on one pool. */
struct cmwq_cwq {
	struct worker_pool	*pool;		/* I */
	struct cmwq_workqueue	*wq;		/* I */
	int			work_color;	/* L: color of new works */
	unsigned int		flush_colors;	/* L: a bit per closed color
						 * with works here, counted
						 * in wq->nr_flush_cwqs
						 */
	int			nr_in_flight[CMWQ_NR_COLORS]; /* E */
	int			nr_active;	/* L: works on the worklist */
	int			max_active;	/* L */
	/*
	 * L: what went through the cwq, for the statistics (stats.c).  The
	 * counters a work moves as it is queued and run come first, in the
	 * cache lines of the counters above, which queueing and running it
	 * write anyway: counting a work queued on another CPU's pool makes
	 * no more lines travel between the two CPUs.
	 */
	int			nr_pending;	/* queued, not yet started */
	int			max_pending;	/* most nr_pending ever */
	u64			nr_queued;
	u64			nr_started;
	u64			nr_completed;
	u64			nr_cancelled;
	u64			nr_hogs;	/* found hogging their CPU */

	struct list_head	inactive_works;	/* L: held by max_active */
	struct list_head	node;		/* I: in wq->cwqs */
	struct list_head	mayday_node;	/* MD: in wq->maydays */
	unsigned long		nr_rescued;	/* L: works the rescuer ran */
	/*
	 * L: with timing on, the one work of the cwq whose wait is timed,
	 * and when it was queued (stats.c)
	 */
	struct cmwq_work	*timed_work;
	u64			timed_work_at;
} __aligned(1 << CMWQ_WORK_FLAG_BITS);

/* The target of a drain's waits: every color, whatever its number. */
#define CMWQ_FLUSH_ALL		ULONG_MAX

/*
 * What a worker waits for while it flushes, kept for the wait-for walk
 * (waits.c).  @work is an address to look for in busy hashes, never
 * dereferenced: the work may be gone by the time someone looks.
 */
struct cmwq_wait_for {
	struct cmwq_work	*work;	/* the work flushed, NULL for a queue */
	struct cmwq_workqueue	*wq;	/* its queue, or the queue flushed */
	struct cmwq_cwq		*cwq;	/* where @work was inactive, or NULL */
	cmwq_func_t		func;	/* @work's function then */
	int			pool;	/* @work's pool id then */
	unsigned long		target;	/* a queue flush: the number of
					 * the last color waited for;
					 * CMWQ_FLUSH_ALL: every color
					 */
};

struct worker {
	union {
		struct list_head	entry;	/* L: on the idle list; once
						 * dying, its reaper's alone
						 */
		struct hlist_node	hentry;	/* L: in the busy hash */
	};
	/*
	 * I.  Next to the idle list entry: a CPU queueing a work on this
	 * worker's pool reads both to wake it, and finds them in one line.
	 */
	struct task_struct	*task;
	struct cmwq_work	*current_work;	/* L: work being run */
	cmwq_func_t		current_func;	/* L */
	struct cmwq_cwq		*current_cwq;	/* L */
	int			current_color;	/* L: its flush color */
	u64			current_start;	/* L: when it took it (stats.c) */
	unsigned long		current_at;	/* L: jiffies when it took it */
	unsigned long		current_queued_by; /* L: its work's caller, 0 if
						    * not recorded (cmwq.h)
						    */
	u64			current_runtime; /* S: its task's sum_exec_runtime
						  * when it last woke; read by the
						  * hog timer, which interrupts it
						  * on its CPU (hog.c)
						  */
	unsigned long		nr_works;	/* L: works it took */
	/* L: the hog timer's: nr_works and its CPU time when last seen */
	unsigned long		hog_seq;
	u64			hog_runtime;
	struct list_head	scheduled;	/* L: works to run next */
	struct worker_pool	*pool;		/* A */
	struct list_head	node;		/* B: in pool->workers */
	unsigned long		last_active;	/* L: when it went idle */
	unsigned int		flags;		/* X: WORKER_* */
	int			id;		/* I */
	bool			sleeping;	/* S: nr_running dropped */
	struct preempt_notifier	notifier;	/* I */
	struct cmwq_workqueue	*rescue_wq;	/* I: rescuers only */
	struct cmwq_wait_for	waiting_for;	/* V: while it flushes */
};

struct dentry;

/*
 * What one CPU timed for one queue (stats.c).  Allocated when a switch
 * first turns timing on for the queue, as most queues are never timed.
 */
struct stats_timing {
	u64	run_total_ns;		/* C */
	u64	run_max_ns;		/* C */
	u64	wait_total_ns;		/* C */
	u64	wait_max_ns;		/* C */
	u64	wait_hist[CMWQ_STATS_NR_BUCKETS];	/* C */
	u64	wait_hist_max_ns;	/* C */
	u64	run_hist[CMWQ_STATS_NR_BUCKETS];	/* C */
	u64	run_hist_max_ns;	/* C */
};

/*
 * The run times of a queue's busiest functions (stats.c).  Allocated at
 * the queue's first timed run.
 */
struct stats_func_table {
	int			nr_funcs;	/* H */
	struct cmwq_stats_func	funcs[CMWQ_STATS_NR_FUNCS]; /* H */
};

/*
 * A queue's statistics (stats.c), part of the queue; what is counted per
 * cwq is in struct cmwq_cwq.
 */
struct cmwq_wq_stats {
	/* W to set, once, before a switch times the queue; R to read */
	struct stats_timing __percpu *timing_pcpu;
	atomic_long_t		flushes;	/* R */
	u64			crtime;		/* I */
	bool			timing;		/* W+R: this queue's switch */
	struct dentry		*dir;		/* W */
	bool			dir_wanted;	/* W: dirs_work makes it */
	char			dname[40];	/* W: unique among live queues */
	int			instance;	/* W: 0, or N - 1 for name#N */

	raw_spinlock_t		func_lock;	/* H itself; inside pool->lock */
	/* H; set once.  Read without it only to skip cmwq_stats_alloc_funcs() */
	struct stats_func_table	*funcs;
	u64			evicted;	/* H: runs no longer in @funcs,
						 * or that found none
						 */
};

struct cmwq_workqueue {
	unsigned int		flags;		/* I; __CMWQ_DRAINING: Q+R */
	struct cmwq_cwq __percpu *cpu_cwqs;	/* I: bound queues */
	struct cmwq_cwq		*unbound_cwq;	/* I: unbound queues */
	struct list_head	cwqs;		/* I: every cwq of the queue */
	struct list_head	list;		/* W: in cmwq_workqueues */
	struct hlist_node	hash_node;	/* W: in the live queues' hash */

	struct mutex		mutex;		/* Q: drainers, max_active */
	int			nr_drainers;	/* Q */
	int			saved_max_active; /* Q */

	struct mutex		flush_mutex;	/* O: closes colors */
	raw_spinlock_t		flush_lock;	/* F: flushes colors */
	struct list_head	flushers;	/* F: struct wq_flusher, by
						 * their color's number
						 */
	int			work_color;	/* O to write; O or F
						 * without flush_closing
						 * to read
						 */
	int			flush_color;	/* F: color numbered
						 * flush_finished + 1
						 */
	unsigned int		flush_drained;	/* F: closed colors without
						 * works, not flushed yet
						 */
	/* F: the cwqs with works of each closed color */
	u16			nr_flush_cwqs[CMWQ_NR_COLORS];
	bool			flush_closing;	/* F: work_color changing */
	bool			flush_reporting; /* F: a flusher is woken
						  * to make the reports due
						  */
	/* F to write; R: the report timer was ever armed */
	bool			flush_report_armed;
	unsigned long		flush_started;	/* O to write; R: colors
						 * closed
						 */
	unsigned long		flush_finished;	/* F to write; R: colors
						 * flushed, in order
						 */
	/* F to arm: fires for the next report of a plain flush */
	struct timer_list	flush_report_timer;

	struct worker		*rescuer;	/* I: CMWQ_MEM_RECLAIM only */
	struct list_head	maydays;	/* MD: cwqs calling the rescuer */
	unsigned long		nr_maydays;	/* MD: maydays received */
	struct cmwq_wq_stats	stats;		/* as marked there */
	/* I: the taskq this queue carries (taskq.c), set before its first task */
	struct cmwq_taskq	*taskq;

#ifdef CONFIG_LOCKDEP
	struct lock_class_key	key;		/* I */
	struct lockdep_map	lockdep_map;	/* I */
#endif
	char			name[32];	/* I */

	/*
	 * D: freeing it, after a grace period (workqueue.c, destroy_wq()):
	 * the RCU callback queues the work, which is set up only then
	 */
	union {
		struct rcu_head		rcu;
		struct cmwq_work	release_work;
	};
	bool			kept;		/* D: cmwq_keep_destroyed's */
};

/*
 * work->data encoding
 *
 * While a work is queued, its data holds its cwq (cwqs are aligned so
 * that the low CMWQ_WORK_FLAG_BITS are free) with CMWQ_WORK_CWQ, its
 * flush color and its flags.  Off queue, it holds the id of the pool it
 * last ran on, so that a flush or a requeue can find it running there,
 * and CMWQ_OFFQ_CANCELING while a sync cancel owns it.  PENDING is set
 * by whoever owns the work until a worker starts running it.
 */
extern struct global_cwq *cmwq_gcwqs;	/* I: nr_cpu_ids + 1, unbound last */
extern int cmwq_nr_pools;		/* I */

static inline unsigned long *cmwq_work_bits(struct cmwq_work *work)
{
	return (unsigned long *)&work->data;
}

/**
 * get_gcwq - the global_cwq of a CPU
 * @cpu: a possible CPU, or %CMWQ_CPU_UNBOUND for the unbound gcwq
 *
 * Context: Any context.
 * Return: the gcwq; never %NULL.
 */
static inline struct global_cwq *get_gcwq(int cpu)
{
	if (cpu == CMWQ_CPU_UNBOUND)
		return &cmwq_gcwqs[nr_cpu_ids];
	return &cmwq_gcwqs[cpu];
}

/**
 * pool_by_id - the pool recorded in an idle work's data
 * @id: pool id
 *
 * Context: Any context.  Pools live as long as the module.
 * Return: the pool, or %NULL if @id names none.
 */
static inline struct worker_pool *pool_by_id(int id)
{
	if (id < 0 || id >= cmwq_nr_pools)
		return NULL;
	return &cmwq_gcwqs[id / NR_STD_WORKER_POOLS].pools[id % NR_STD_WORKER_POOLS];
}

static inline void set_work_data(struct cmwq_work *work, unsigned long data,
				 unsigned long flags)
{
	WARN_ON_ONCE(!cmwq_work_pending(work));
	atomic_long_set(&work->data, data | flags);
}

static inline void set_work_cwq(struct cmwq_work *work, struct cmwq_cwq *cwq,
				unsigned long extra_flags)
{
	set_work_data(work, (unsigned long)cwq,
		      CMWQ_WORK_PENDING | CMWQ_WORK_CWQ | extra_flags);
}

/**
 * set_work_pool_and_clear_pending - release a work as it starts running
 * @work: the work, off every list
 * @pool_id: the pool about to run it
 *
 * Context: pool->lock held.
 */
static inline void set_work_pool_and_clear_pending(struct cmwq_work *work,
						   int pool_id)
{
	/*
	 * The work's fields must be seen as updated by whoever sees it no
	 * longer pending and queues it again; pairs with the
	 * test_and_set_bit() in cmwq_queue_work_on().
	 */
	smp_wmb();
	atomic_long_set(&work->data,
			(unsigned long)pool_id << CMWQ_OFFQ_POOL_SHIFT);
	/*
	 * And its function must not start before the bit is seen clear, or
	 * a requeue racing with the start could be lost.
	 */
	smp_mb();
}

/**
 * get_work_cwq - the cwq a work is queued on
 * @work: the work
 *
 * Context: Any context.
 * Return: the cwq, or %NULL if @work is not on a cwq.
 */
static inline struct cmwq_cwq *get_work_cwq(struct cmwq_work *work)
{
	unsigned long data = atomic_long_read(&work->data);

	if (data & CMWQ_WORK_CWQ)
		return (void *)(data & ~((1UL << CMWQ_WORK_FLAG_BITS) - 1));
	return NULL;
}

/**
 * get_work_pool - the pool a work is queued on or last ran on
 * @work: the work
 *
 * Context: RCU read lock or a pool->lock held, which keeps a cwq
 * @work points at from being freed.
 * Return: the pool, or %NULL if @work never ran.
 */
static inline struct worker_pool *get_work_pool(struct cmwq_work *work)
{
	unsigned long data = atomic_long_read(&work->data);

	if (data & CMWQ_WORK_CWQ)
		return ((struct cmwq_cwq *)
			(data & ~((1UL << CMWQ_WORK_FLAG_BITS) - 1)))->pool;
	return pool_by_id(data >> CMWQ_OFFQ_POOL_SHIFT);
}

/* The data bits of a work carrying flush color @color. */
static inline unsigned long work_color_to_flags(int color)
{
	return (unsigned long)color << CMWQ_WORK_COLOR_SHIFT;
}

/* The flush color recorded in a queued work's @data. */
static inline int work_data_color(unsigned long data)
{
	return (data >> CMWQ_WORK_COLOR_SHIFT) &
	       ((1 << CMWQ_WORK_COLOR_BITS) - 1);
}

/**
 * get_work_color - the flush color a queued work carries
 * @work: a work on a cwq
 *
 * Context: pool->lock held.
 * Return: the color.
 */
static inline int get_work_color(struct cmwq_work *work)
{
	return work_data_color(atomic_long_read(&work->data));
}

/**
 * work_next_color - the flush color after @color
 * @color: a flush color
 *
 * Context: Any context.
 * Return: the next color, wrapping after the last one.
 */
static inline int work_next_color(int color)
{
	return (color + 1) % CMWQ_NR_COLORS;
}

static inline bool work_is_canceling(struct cmwq_work *work)
{
	unsigned long data = atomic_long_read(&work->data);

	return !(data & CMWQ_WORK_CWQ) && (data & CMWQ_OFFQ_CANCELING);
}

static inline int work_offq_pool_id(struct cmwq_work *work)
{
	return atomic_long_read(&work->data) >> CMWQ_OFFQ_POOL_SHIFT;
}

/* Queued and run nowhere since its initialisation or its last sync cancel? */
static inline bool work_on_no_pool(struct cmwq_work *work)
{
	unsigned long data = atomic_long_read(&work->data);

	return !(data & CMWQ_WORK_CWQ) &&
	       (data >> CMWQ_OFFQ_POOL_SHIFT) ==
	       (CMWQ_WORK_NO_POOL >> CMWQ_OFFQ_POOL_SHIFT);
}

/*
 * Off queue, still owned: a grabbed work keeps its pool for flushes and
 * its PENDING bit, plus CMWQ_OFFQ_CANCELING while a sync cancel waits.
 */
static inline void set_work_pool_and_keep_pending(struct cmwq_work *work,
						  int pool_id,
						  unsigned long offq_flags)
{
	atomic_long_set(&work->data,
			((unsigned long)pool_id << CMWQ_OFFQ_POOL_SHIFT) |
			offq_flags | CMWQ_WORK_PENDING);
}

/* pool.c */
extern unsigned long cmwq_idle_timeout;	/* R: jiffies */

int cmwq_pools_init(void);
void cmwq_pools_exit(void);
struct worker *wake_up_worker(struct worker_pool *pool);
int start_gcwq_workers(struct global_cwq *gcwq,
		       enum cmwq_worker_reason reason);
void destroy_idle_workers(struct worker_pool *pool,
			  enum cmwq_worker_reason reason);
void worker_enter_idle(struct worker *worker);
void worker_leave_idle(struct worker *worker);
bool manage_workers(struct worker *worker);
bool cmwq_should_fail_create_worker(void);
void cmwq_fault_init(void);
void cmwq_fault_debugfs_init(void);
struct fault_attr *cmwq_fault_attr(void);

/* A pool's workers, for a caller holding attach_mutex or pool->lock. */
static inline struct list_head *pool_workers(struct worker_pool *pool)
{
	lockdep_assert(lockdep_is_held(&pool->attach_mutex) ||
		       lockdep_is_held(&pool->lock));
	return &pool->workers;
}

#define for_each_pool_worker(worker, pool)				\
	list_for_each_entry((worker), pool_workers(pool), node)

/*
 * Policy
 *
 * What the pools decide, apart from the mechanism that carries it out:
 * small predicates, read under pool->lock (nr_running is atomic).
 */

/* Nobody in the pool is running: a new work needs a worker woken. */
static inline bool __need_more_worker(struct worker_pool *pool)
{
	return !atomic_read(&pool->nr_running);
}

/* Works are waiting and nobody is running them. */
static inline bool need_more_worker(struct worker_pool *pool)
{
	return !list_empty(&pool->worklist) && __need_more_worker(pool);
}

/* A worker leaving idle may start only if another stays idle behind it. */
static inline bool may_start_working(struct worker_pool *pool)
{
	return pool->nr_idle;
}

/* Keep going while works wait and nobody else is running. */
static inline bool keep_working(struct worker_pool *pool)
{
	return !list_empty(&pool->worklist) &&
	       atomic_read(&pool->nr_running) <= 1;
}

/* Works wait for a worker and none is idle to take them: create one. */
static inline bool need_to_create_worker(struct worker_pool *pool)
{
	return need_more_worker(pool) && !may_start_working(pool);
}

/* The manager has something to do: create a worker, or reap idle ones. */
static inline bool need_to_manage_workers(struct worker_pool *pool)
{
	return need_to_create_worker(pool) ||
	       (pool->flags & POOL_MANAGE_REAP);
}

/* Idle workers beyond two and the ratio to busy ones are surplus. */
static inline bool too_many_workers(struct worker_pool *pool)
{
	bool managing = pool->flags & POOL_MANAGER_ACTIVE;
	int nr_idle = pool->nr_idle + managing;
	int nr_busy = pool->nr_workers - nr_idle;

	return nr_idle > 2 && (nr_idle - 2) * MAX_IDLE_WORKERS_RATIO >= nr_busy;
}

/* A bound worker runs on its CPU whenever the CPU can have it. */
static inline bool worker_should_rebind(struct worker *worker)
{
	if (worker->flags & WORKER_REBIND)
		return true;
	/* pushed off a CPU whose offline was then rolled back */
	return !(worker->flags & (WORKER_ROGUE | WORKER_UNBOUND)) &&
	       current->nr_cpus_allowed != 1 &&
	       cpu_active(worker->pool->gcwq->cpu);
}

/* worker.c */
int worker_thread(void *arg);
struct worker *current_worker(void);
void insert_work(struct cmwq_cwq *cwq, struct cmwq_work *work,
		 struct list_head *head, unsigned int extra_flags);
struct worker *find_worker_executing_work(struct worker_pool *pool,
					  struct cmwq_work *work);
void move_linked_works(struct cmwq_work *work, struct list_head *head,
		       struct cmwq_work **nextp);
void process_scheduled_works(struct worker *worker);
void cwq_activate_work(struct cmwq_cwq *cwq, struct cmwq_work *work);
void cwq_activate_inactive_work(struct cmwq_cwq *cwq);
void cwq_dec_nr_in_flight(struct cmwq_cwq *cwq, unsigned long work_data);
void worker_maybe_rebind(struct worker *worker);

/* sched.c */
extern struct preempt_ops cmwq_preempt_ops;
void worker_set_flags(struct worker *worker, unsigned int flags);
void worker_clr_flags(struct worker *worker, unsigned int flags);
void pool_wake_work_fn(struct irq_work *work);

/* queue.c */
bool __queue_work(int cpu, struct cmwq_workqueue *wq, struct cmwq_work *work,
		  unsigned long caller);
bool is_chained_work(struct cmwq_workqueue *wq);

/* workqueue.c */
extern struct mutex cmwq_wq_mutex;		/* W */
extern struct list_head cmwq_workqueues;	/* W */
extern bool cmwq_keep_destroyed;		/* R */

void wq_apply_max_active(struct cmwq_workqueue *wq, int max_active);
bool cwq_busy(struct cmwq_cwq *cwq);
void wq_start_draining(struct cmwq_workqueue *wq);
int create_system_wqs(void);
void destroy_system_wqs(void);
int cmwq_workqueue_init(void);
void cmwq_workqueue_exit(void);

#define for_each_cwq(cwq, wq) list_for_each_entry((cwq), &(wq)->cwqs, node)

/* The cwq of @wq that feeds @cpu's pools (any CPU: unbound queues have one). */
static inline struct cmwq_cwq *wq_cwq(struct cmwq_workqueue *wq, int cpu)
{
	if (wq->flags & CMWQ_UNBOUND)
		return wq->unbound_cwq;
	return per_cpu_ptr(wq->cpu_cwqs, cpu);
}

/* The live workqueues, for a caller holding cmwq_wq_mutex. */
static inline struct list_head *live_workqueues(void)
{
	lockdep_assert_held(&cmwq_wq_mutex);
	return &cmwq_workqueues;
}

#define for_each_workqueue(wq)						\
	list_for_each_entry((wq), live_workqueues(), list)

#ifdef CONFIG_DEBUG_OBJECTS_WORK
#include <linux/debugobjects.h>

extern const struct debug_obj_descr cmwq_work_debug_descr;

/* a work is active for debug objects while it is queued */
static inline void debug_work_activate(struct cmwq_work *work)
{
	debug_object_activate(work, &cmwq_work_debug_descr);
}

static inline void debug_work_deactivate(struct cmwq_work *work)
{
	debug_object_deactivate(work, &cmwq_work_debug_descr);
}
#else
static inline void debug_work_activate(struct cmwq_work *work) { }
static inline void debug_work_deactivate(struct cmwq_work *work) { }
#endif

/* freeze.c */
int wq_effective_max_active(struct cmwq_workqueue *wq);
void wq_freeze_cwq_idle(void);
int cmwq_freeze(unsigned long timeout);
void cmwq_thaw(void);
int cmwq_freeze_init(void);
void cmwq_freeze_exit(void);

/*
 * Called as a cwq's nr_active drops, under pool->lock: only a freeze sets
 * max_active to 0, and it waits for the frozen cwqs' active works.
 */
static inline void wq_freeze_note_dec(struct cmwq_cwq *cwq)
{
	if (unlikely(!cwq->max_active && !cwq->nr_active))
		wq_freeze_cwq_idle();
}

/* flush.c */
struct cmwq_flush_wait;
void cmwq_barrier_func(struct cmwq_work *work);
void wq_flush_init(struct cmwq_workqueue *wq);
void wq_flush_exit(struct cmwq_workqueue *wq);
bool wq_nothing_in_flight(struct cmwq_workqueue *wq);
void cwq_color_left(struct cmwq_cwq *cwq, int color);
bool wq_color_waited(struct cmwq_workqueue *wq, int color,
		     unsigned long target);
int wq_flush(struct cmwq_workqueue *wq, long timeout,
	     struct cmwq_flush_wait *fw, bool all);
int try_to_grab_pending(struct cmwq_work *work, bool is_dwork,
			unsigned long *flags);

/* rescuer.c */
extern raw_spinlock_t cmwq_mayday_lock;	/* MD */
void pool_mayday_timeout(struct timer_list *t);
int cmwq_rescuer_thread(void *arg);
int init_rescuer(struct cmwq_workqueue *wq);
void destroy_rescuer(struct cmwq_workqueue *wq);

/* hotplug.c */
int cmwq_hotplug_init(void);
void cmwq_hotplug_exit(void);

/*
 * A work run with CMWQ_WORK_INACTIVE still set is a flush barrier: works
 * are activated before they reach a worklist, barriers never are.
 */
static inline bool work_data_is_barrier(unsigned long work_data)
{
	return work_data & CMWQ_WORK_INACTIVE;
}

/*
 * stats.c.  What every work counts is done inline here, so that an
 * untimed work (timing is off by default) makes no call for it; timing
 * is out of line in stats.c.
 */
extern bool cmwq_timing;			/* W to write; R */

u64 cmwq_stats_clock(void);

static inline bool cmwq_stats_timing(struct cmwq_wq_stats *st)
{
	return unlikely(READ_ONCE(cmwq_timing) || READ_ONCE(st->timing));
}

/*
 * A work's origin (cmwq.h, CMWQ_WORK_ORIGIN): who queued it and when, in
 * the work where the kernel's configuration gives it room, else nothing;
 * the reports then leave it out (cmwq_diag_origin()).
 */
#if CMWQ_WORK_ORIGIN
static inline void work_set_caller(struct cmwq_work *work,
				   unsigned long caller)
{
	work->queued_by = caller;
}

static inline unsigned long work_caller(struct cmwq_work *work)
{
	return work->queued_by;
}

/* It is put on a list now.  Context: its pool->lock held. */
static inline void work_stamp(struct cmwq_work *work)
{
	work->queued_at = jiffies;
}

/* Milliseconds since it was put on its list; -1 if that is not known. */
static inline long work_age_ms(struct cmwq_work *work)
{
	return jiffies_to_msecs(jiffies - work->queued_at);
}
#else
static inline void work_set_caller(struct cmwq_work *work,
				   unsigned long caller)
{
}

static inline unsigned long work_caller(struct cmwq_work *work)
{
	return 0;
}

static inline void work_stamp(struct cmwq_work *work)
{
}

static inline long work_age_ms(struct cmwq_work *work)
{
	return -1;
}
#endif

/*
 * Count @work queued on @cwq.  With timing on, it is the one whose wait
 * is timed if no other work of @cwq is (stats.c).  Context: its
 * pool->lock held.
 */
static inline void cmwq_stats_queued(struct cmwq_cwq *cwq,
				     struct cmwq_work *work)
{
	lockdep_assert_held(&cwq->pool->lock);
	cwq->nr_queued++;
	if (++cwq->nr_pending > cwq->max_pending)
		cwq->max_pending = cwq->nr_pending;
	if (cmwq_stats_timing(&cwq->wq->stats) && !cwq->timed_work) {
		cwq->timed_work = work;
		cwq->timed_work_at = cmwq_stats_clock();
	}
}

/* Count a work of @cwq found hogging its CPU (hog.c).  Context: pool->lock. */
static inline void cmwq_stats_hog(struct cmwq_cwq *cwq)
{
	lockdep_assert_held(&cwq->pool->lock);
	cwq->nr_hogs++;
}

void cmwq_stats_time_start(struct worker *worker, struct cmwq_cwq *cwq,
			   u64 queued_at);
void cmwq_stats_time_end(struct worker *worker, struct cmwq_wq_stats *st);

/*
 * Count a work @worker takes (not a barrier: @work_data is its data as
 * queued); with timing on, time its run, and its wait if it is the one
 * whose wait is timed.  Context: pool->lock held.
 */
static inline void cmwq_stats_start(struct worker *worker,
				    struct cmwq_cwq *cwq,
				    struct cmwq_work *work,
				    unsigned long work_data)
{
	u64 queued_at = 0;

	lockdep_assert_held(&cwq->pool->lock);
	if (work_data_is_barrier(work_data))
		return;
	cwq->nr_pending--;
	cwq->nr_started++;
	worker->current_start = 0;
	if (unlikely(work == cwq->timed_work)) {
		queued_at = cwq->timed_work_at;
		cwq->timed_work = NULL;
	}
	if (cmwq_stats_timing(&cwq->wq->stats))
		cmwq_stats_time_start(worker, cwq, queued_at);
}

/*
 * Count a work that returned, and time its run if it was started timed
 * (worker->current_start set).  Context: pool->lock held.
 */
static inline void cmwq_stats_end(struct worker *worker, struct cmwq_cwq *cwq,
				  unsigned long work_data)
{
	struct cmwq_wq_stats *st = &cwq->wq->stats;

	lockdep_assert_held(&cwq->pool->lock);
	if (work_data_is_barrier(work_data))
		return;
	cwq->nr_completed++;
	if (unlikely(worker->current_start))
		cmwq_stats_time_end(worker, st);
}

void cmwq_stats_alloc_funcs(struct cmwq_wq_stats *st);

/*
 * A timed run has returned: make sure its queue has a function table to
 * count it in.  Context: Process context, no lock held.
 */
static inline void cmwq_stats_run_returned(struct worker *worker,
					   struct cmwq_cwq *cwq)
{
	if (unlikely(worker->current_start) &&
	    !READ_ONCE(cwq->wq->stats.funcs))
		cmwq_stats_alloc_funcs(&cwq->wq->stats);
}

void cmwq_stats_init(struct cmwq_workqueue *wq);
int cmwq_stats_live(struct cmwq_workqueue *wq);
void cmwq_stats_free(struct cmwq_workqueue *wq);
void cmwq_stats_cancelled(struct cmwq_cwq *cwq, struct cmwq_work *work);
void cmwq_stats_flush(struct cmwq_workqueue *wq);
u64 pool_oldest_wait_us(struct worker_pool *pool);
void cmwq_stats_snapshot(struct cmwq_workqueue *wq,
			 struct cmwq_stats_snapshot *s);
void cmwq_stats_latency(struct cmwq_workqueue *wq,
			struct cmwq_stats_latency *lat);
int cmwq_stats_set_timing(struct cmwq_workqueue *wq, bool on, bool *was);
const char *cmwq_stats_dname(struct cmwq_workqueue *wq);
void cmwq_stats_debugfs_add(struct cmwq_workqueue *wq);
void cmwq_stats_debugfs_make(struct cmwq_workqueue *wq);
void cmwq_stats_debugfs_remove(struct cmwq_workqueue *wq);
void cmwq_stats_debugfs_init(struct dentry *root);
void cmwq_stats_debugfs_exit(void);

/* diag.c */
struct seq_file;
__printf(2, 3) void cmwq_diag_printf(struct seq_file *m, const char *fmt, ...);

/* ", queued by <symbol+off/size [module]>, <n> ms ago", cut to fit */
struct cmwq_origin {
	char			s[160];
};

const char *cmwq_diag_origin(struct cmwq_origin *o, unsigned long caller,
			     long age_ms);
void cmwq_diag_show_work(struct seq_file *m, struct cmwq_work *work,
			 const char *state);
void cmwq_diag_show_worker(struct seq_file *m, struct worker *worker);

/* hog.c */
struct seq_file;
void cmwq_hog_watch(struct worker *worker);
void cmwq_hog_pool_init(struct worker_pool *pool);
void cmwq_hog_pool_exit(struct worker_pool *pool);
unsigned int cmwq_hog_set_thresh(unsigned int us);
void cmwq_hog_show(struct seq_file *m);

/* waits.c */

/* A flush as its report describes it; filled by flush.c. */
struct cmwq_flush_wait {
	const char		*what;	/* the API function */
	unsigned long		caller;	/* its caller */
	unsigned long		start;	/* jiffies when it began */
	struct cmwq_workqueue	*wq;	/* the queue flushed, or @work's */
	/* a work flush: */
	struct cmwq_work	*work;	/* the work, looked for by address */
	cmwq_func_t		func;	/* its function when the flush began */
	struct worker_pool	*pool;	/* the pool of the barrier */
	/* a queue flush: */
	unsigned long		target;	/* as in struct cmwq_wait_for */
};

bool cmwq_flush_wait(struct completion *done, long timeout,
		     const struct cmwq_flush_wait *fw);
void cmwq_flush_report(const struct cmwq_flush_wait *fw, bool timed_out);
void cmwq_wait_begin(struct worker *worker, const struct cmwq_wait_for *wf,
		     unsigned long caller);
void cmwq_wait_end(struct worker *worker);
unsigned int cmwq_flush_set_report_secs(unsigned int secs);
unsigned long cmwq_flush_report_jiffies(void);

/* taskq.c */
struct cmwq_taskq;
struct cmwq_taskq_kstat;
int cmwq_taskq_init(void);
void cmwq_taskq_exit(void);
void cmwq_taskq_kstat(struct cmwq_taskq *tq, struct cmwq_taskq_kstat *ks);
const char *cmwq_taskq_dname(struct cmwq_taskq *tq);
void cmwq_taskq_show_kstat(struct seq_file *m, struct cmwq_taskq *tq);
void cmwq_taskq_show_summary(struct seq_file *m);
void cmwq_taskq_debugfs_init(struct dentry *root);
void cmwq_taskq_debugfs_exit(void);

/* watchdog.c */
void cmwq_watchdog_init(void);
void cmwq_watchdog_exit(void);
unsigned int cmwq_watchdog_set_thresh(unsigned int secs);

/* debugfs.c */
void cmwq_debugfs_init(void);
void cmwq_debugfs_show_workqueues(struct seq_file *m);
void cmwq_debugfs_exit(void);
extern struct dentry *cmwq_debugfs_dir;	/* I */

/* main.c: refusals of bad input */
extern atomic_t cmwq_nr_refusals;		/* R */
__printf(2, 3) bool __cmwq_refuse(bool *warned, const char *fmt, ...);
bool __work_refused(struct cmwq_work *work, bool waits, const char *caller,
		    void *ret_ip);
bool __queue_refused(struct cmwq_workqueue *wq, int cpu, const char *caller,
		     void *ret_ip);

/*
 * The refusal pair every API call checks its arguments with.  What good
 * input passes is tested inline, so that queueing a work costs no call;
 * anything else goes out of line to be refused or, for a waiting call,
 * to check it is not the caller's own work.
 */
static inline bool work_refused(struct cmwq_work *work, bool waits,
				const char *caller, void *ret_ip)
{
	if (likely(!waits && work && work->func && work->entry.next))
		return false;
	return __work_refused(work, waits, caller, ret_ip);
}

static inline bool queue_refused(struct cmwq_workqueue *wq, int cpu,
				 const char *caller, void *ret_ip)
{
	if (likely(wq && (cpu == CMWQ_CPU_UNBOUND ||
			  ((unsigned int)cpu < nr_cpu_ids && cpu_possible(cpu)))))
		return false;
	return __queue_refused(wq, cpu, caller, ret_ip);
}

/* The work of a delayed work, or %NULL for a NULL one, to be refused. */
static inline struct cmwq_work *dwork_work(struct cmwq_delayed_work *dwork)
{
	return dwork ? &dwork->work : NULL;
}

/* testif.c, built for test kernels only */
#if IS_ENABLED(CONFIG_KUNIT)
bool cmwq_refusal_expected(void);
bool cmwq_report_expected(void);
bool cmwq_flush_report_expected(void);
bool cmwq_stats_alloc_fails(void);
void cmwq_rebind_pause_point(struct worker_pool *pool);
#else
static inline bool cmwq_refusal_expected(void)
{
	return false;
}

static inline bool cmwq_report_expected(void)
{
	return false;
}

static inline bool cmwq_flush_report_expected(void)
{
	return false;
}

static inline bool cmwq_stats_alloc_fails(void)
{
	return false;
}

static inline void cmwq_rebind_pause_point(struct worker_pool *pool)
{
}
#endif

/*
 * CMWQ_REFUSE - refuse bad input from a caller
 *
 * Evaluates to @cond.  When true, warns once per call site (naming the
 * caller through the message) and counts the refusal.  On a test kernel,
 * a test that provokes a refusal on purpose announces it first, and the
 * refusal made in that test's task is then logged at info level instead,
 * so that a WARN on the console always means a real bug.
 */
#define CMWQ_REFUSE(cond, fmt, ...)					\
({									\
	static bool __section(".data.once") __cmwq_warned;		\
									\
	unlikely(cond) && __cmwq_refuse(&__cmwq_warned, fmt, ##__VA_ARGS__); \
})

#endif /* _CMWQ_INTERNAL_H */
