// SPDX-License-Identifier: GPL-2.0
/*
 * taskq.c - Solaris task queues on cmwq's shared pools
 *
 * A Solaris taskq owns a set of threads; OpenZFS' SPL gives each taskq
 * its own kernel threads, which exist whether or not there is work.  Here
 * a taskq owns a list of tasks and nthreads runners: works of a cmwq
 * workqueue that take tasks off that list and run them.  The runners run
 * on the shared per-CPU workers, which cmwq creates while tasks wait and
 * sleep, and reaps when idle; nthreads is a limit, not threads held.
 *
 * A dispatch puts its task on the list (tq->pending, or tq->front for
 * TQ_FRONT) and queues a runner only if none is queued and not yet
 * started: a runner that starts takes tasks until the list is empty, and
 * if tasks still wait when it takes one, queues the next runner, up to
 * nthreads (taskq_wants_runner()).  So a burst of tasks costs a worker
 * wake-up per runner, not per task, and tq->lock is taken once per task
 * by each side: the dispatch, and the runner between two tasks.  With
 * one thread, one runner takes the tasks in dispatch order.
 *
 * The workqueue is bound: runners go to per-CPU pools, whose concurrency
 * management starts the next runner queued on a CPU as soon as the one
 * running there sleeps, and not before.  Where each goes is
 * taskq_runner_cpu()'s choice: the first on the dispatching CPU, which
 * wakes no other CPU (a dispatch-to-start latency a fifth of a wake-up on
 * an unbound pool under TCG), the others round the CPUs, so that busy
 * tasks spread over them.  An unbound queue, as SPL's threads are, would
 * wake a worker on another CPU for every runner, and could not tell a
 * runner that blocks from one that runs.
 *
 * The queue is also a reclaim queue (CMWQ_MEM_RECLAIM): its rescuer is
 * the forward-progress guarantee SPL's dedicated threads give, so that a
 * taskq's tasks still run when no worker can be created.  That is one
 * thread per taskq, held while it exists, instead of nthreads.
 *
 * Priority: cmwq has two pools per CPU, nice 0 and nice -20
 * (CMWQ_HIGHPRI).  A taskq goes to the one nearer its priority: a kernel
 * static priority at or above nice -10 (maxclsyspri is nice -20) runs on
 * the high-priority pools, anything lower, down to minclsyspri (nice 19),
 * on the normal ones.
 *
 * Ids are given out under the taskq's lock, from 1 upwards.  A task not
 * started is on tq->front, tq->pending or tq->delayed (waiting for its
 * timer), each in id order (an expired delayed task goes to tq->front by
 * its id, as SPL puts it ahead of the pending ones); a task running is
 * its runner's id.  Waiting for ids is then comparing with the lowest of
 * those, and the finishing tasks wake the waiters.  Nothing touches a
 * caller's entry once its function runs: a task may free the object its
 * entry is embedded in, as SPL allows.  An entry of the taskq's own goes
 * back to its cache when its task returns.
 *
 * tq->lock is a raw spinlock, as a pool's lock is: a dispatch may come
 * from hard IRQ, on PREEMPT_RT too, where a spinlock_t sleeps.  So
 * nothing under it allocates, frees or wakes a wait queue (whose lock
 * sleeps on RT): entries are freed and waiters woken once it is dropped,
 * and on RT a dispatch that cannot call the allocator uses cached entries
 * only.  Its longest holds are the id lookups of a cancel or a wait,
 * which walk the tasks not yet started.
 *
 * Cancelling an id takes its entry off its list under the taskq's lock,
 * which also holds off the runners: either the cancel wins and the task
 * never runs, or a runner has it and the cancel waits for it to finish.
 * A delayed task whose timer already fired is left to taskq_expire(),
 * which drops it instead of queueing it.
 *
 * Entries the taskq allocates are cached on tq->free up to minalloc
 * (preallocated with TASKQ_PREPOPULATE); past maxalloc a dispatch that
 * may sleep waits a little for entries to come back, then allocates
 * anyway.
 *
 * Kstats and probes.  Each taskq has Solaris' "taskq" kstat, read with
 * cat from debugfs (cmwq/taskq/<name>/kstat, <name> being its queue's
 * directory name under cmwq/queues/), and the one-line-per-taskq
 * cmwq/taskq_summary, shaped after SPL's /proc/spl/taskq; the fields
 * are in Documentation/taskq.rst.  Every counter is one that dispatch
 * and the runners keep anyway under tq->lock, which they take for the
 * ids: "tasks" is the last id given out, "maxtasks" the most in flight.
 * So the kstats add no write to the hot path but "totaltime", which
 * needs two clock reads per task and is kept, like cmwq's other times,
 * only while the taskq's queue is timed (its "timing" switch or the
 * global one).  The probes are Solaris' taskq-enqueue, taskq-exec-start
 * and taskq-exec-end, as the trace events cmwq_taskq_* (trace.h).
 */
#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/sched/prio.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>

#include "cmwq_taskq.h"
#include "internal.h"
#include "stats.h"
#include "trace.h"

/* ent->flags */
enum {
	CMWQ_TQENT_PREALLOC	= 1 << 0,	/* the caller's: never freed */
	CMWQ_TQENT_DELAYED	= 1 << 1,	/* on tq->delayed, timer armed */
	CMWQ_TQENT_CANCELLED	= 1 << 2,	/* cancelled while its timer fired */
};

/*
 * What cmwq_taskq_cancel_id() returns: errnos, positive as Solaris and
 * SPL return them (Linux code returns them negated).
 */
enum {
	TASKQ_CANCELLED	= 0,
	TASKQ_EINVAL	= EINVAL,
	TASKQ_ENOENT	= ENOENT,
	TASKQ_EBUSY	= EBUSY,
};

/* How long a dispatch past maxalloc waits for an entry to come back. */
#define TASKQ_THROTTLE		(HZ / 100 ? HZ / 100 : 1)

/*
 * A runner: one of the taskq's nthreads works, which takes tasks off the
 * taskq's lists and runs them, one after the other, until none is left.
 */
struct taskq_runner {
	struct cmwq_work	work;		/* K to queue */
	struct cmwq_taskq	*tq;		/* I */
	struct list_head	node;		/* K: in tq->idle, while idle */
	unsigned long		id;		/* K: its task's, 0 between tasks */
	struct task_struct	*task;		/* K: its worker, while it runs */
};

struct cmwq_taskq {
	raw_spinlock_t		lock;		/* K itself */
	struct cmwq_workqueue	*wq;		/* I */
	struct taskq_runner	*runners;	/* I: nthreads of them */
	int			nthreads;	/* I: its runners */
	int			pri;		/* I: as asked */
	int			minalloc;	/* I: entries kept cached */
	int			maxalloc;	/* I: entries before throttling */
	unsigned int		flags;		/* I: CMWQ_TASKQ_* */
	bool			system;		/* I: not for taskq_destroy() */

	unsigned long		next_id;	/* K: the next dispatch's id */
	struct list_head	front;		/* K: to run first, by id */
	struct list_head	pending;	/* K: to run next, by id */
	struct list_head	delayed;	/* K: waiting for a timer, by id */
	struct list_head	idle;		/* K: runners not queued */
	struct list_head	free;		/* K: cached entries */
	int			nr_runners;	/* K: queued or running */
	int			last_cpu;	/* K: where the last one went */
	int			dispatch_cpu;	/* K: the last dispatch's */
	int			nr_spare;	/* K: queued, not started yet */
	int			nr_free;	/* K */
	int			nr_alloc;	/* K: entries allocated, free too */
	int			nr_queued;	/* K: on front and pending */
	int			nr_delayed;	/* K: on delayed */
	int			nr_running;	/* K: tasks running */
	int			max_tasks;	/* K: most tasks in flight */
	unsigned long		nr_executed;	/* K: tasks that ran */
	unsigned long		nr_cancelled;	/* K */
	u64			totaltime;	/* K: ns in timed tasks */
	u64			crtime;		/* I: CLOCK_MONOTONIC ns */
	bool			destroying;	/* K: only its own tasks dispatch */
	bool			dead;		/* R: destroyed (memory kept) */

	wait_queue_head_t	wait;		/* R: tasks finished */
	wait_queue_head_t	alloc_wait;	/* R: entries came back */
	struct list_head	destroyed;	/* W: in cmwq_destroyed_taskqs */
	struct list_head	list;		/* W: in cmwq_taskqs, while live */
	struct dentry		*dir;		/* W: debugfs taskq/<name> */
	int			instance;	/* W: its kstat's instance */
	struct rcu_head		rcu;		/* D: frees it, see taskq_expire() */
};

/*
 * The first of @tq's runners; every runner is taken from here to
 * taskq_runners_end(), idle or not.  Their ids and tasks are tq->lock's,
 * which this asserts.
 */
static inline struct taskq_runner *taskq_runners(struct cmwq_taskq *tq)
{
	lockdep_assert_held(&tq->lock);
	return tq->runners;
}

/* Just past @tq's last runner. */
static inline struct taskq_runner *taskq_runners_end(struct cmwq_taskq *tq)
{
	return tq->runners + tq->nthreads;
}

struct cmwq_taskq *cmwq_system_taskq;		/* I */
EXPORT_SYMBOL_GPL(cmwq_system_taskq);
struct cmwq_taskq *cmwq_system_delay_taskq;	/* I */
EXPORT_SYMBOL_GPL(cmwq_system_delay_taskq);

/* W: taskqs destroyed while cmwq_keep_destroyed, freed at unload */
static LIST_HEAD(cmwq_destroyed_taskqs);
/* W: every live taskq, for the summary and the debugfs directories */
static LIST_HEAD(cmwq_taskqs);
/* W: /sys/kernel/debug/cmwq/taskq, NULL before debugfs is set up */
static struct dentry *taskq_dir;

static void taskq_expire(struct timer_list *timer);

/* Set up an entry the taskq allocated or the caller provides. */
static void taskq_ent_setup(struct cmwq_taskq_ent *ent)
{
	memset(ent, 0, sizeof(*ent));
	timer_setup(&ent->timer, taskq_expire, 0);
	INIT_LIST_HEAD(&ent->node);
}

/*
 * Refuse a NULL or destroyed taskq.  A destroyed one is recognised only
 * while cmwq_keep_destroyed keeps its memory, as for workqueues.
 */
static bool taskq_refused(struct cmwq_taskq *tq, const char *caller,
			  void *ret_ip)
{
	return CMWQ_REFUSE(!tq, "%s: NULL taskq from %pS", caller, ret_ip) ||
	       CMWQ_REFUSE(READ_ONCE(tq->dead),
			   "%s: destroyed taskq %p from %pS", caller, tq,
			   ret_ip);
}

/* The first id of a list kept in id order, or ULONG_MAX. */
static unsigned long taskq_first_id(struct list_head *list)
{
	struct cmwq_taskq_ent *ent;

	ent = list_first_entry_or_null(list, struct cmwq_taskq_ent, node);
	return ent ? ent->tqent_id : ULONG_MAX;
}

/* The lowest id in flight, or next_id if none.  Context: tq->lock held. */
static unsigned long taskq_lowest_id(struct cmwq_taskq *tq)
{
	unsigned long lowest = tq->next_id;
	struct taskq_runner *r;

	lowest = min(lowest, taskq_first_id(&tq->front));
	lowest = min(lowest, taskq_first_id(&tq->pending));
	lowest = min(lowest, taskq_first_id(&tq->delayed));
	for (r = taskq_runners(tq); r < taskq_runners_end(tq); r++)
		if (r->id)
			lowest = min(lowest, r->id);
	return lowest;
}

/* The entry of @id on @list, kept in id order, or NULL. */
static struct cmwq_taskq_ent *taskq_find_on(struct list_head *list,
					    unsigned long id)
{
	struct cmwq_taskq_ent *ent;

	list_for_each_entry(ent, list, node) {
		if (ent->tqent_id == id)
			return ent;
		/* in id order: it is not there */
		if (ent->tqent_id > id)
			break;
	}
	return NULL;
}

/* The entry of @id not started yet, or NULL.  Context: tq->lock held. */
static struct cmwq_taskq_ent *taskq_find_waiting(struct cmwq_taskq *tq,
						 unsigned long id)
{
	struct cmwq_taskq_ent *ent;

	lockdep_assert_held(&tq->lock);
	ent = taskq_find_on(&tq->front, id);
	if (!ent)
		ent = taskq_find_on(&tq->pending, id);
	if (!ent)
		ent = taskq_find_on(&tq->delayed, id);
	return ent;
}

/* The runner running the task of @id, or NULL.  Context: tq->lock held. */
static struct taskq_runner *taskq_find_runner(struct cmwq_taskq *tq,
					      unsigned long id)
{
	struct taskq_runner *r;

	for (r = taskq_runners(tq); r < taskq_runners_end(tq); r++)
		if (r->id == id)
			return r;
	return NULL;
}

/* Have all tasks with ids up to @id finished (or been cancelled)? */
static bool taskq_done_upto(struct cmwq_taskq *tq, unsigned long id)
{
	unsigned long flags;
	bool done;

	raw_spin_lock_irqsave(&tq->lock, flags);
	done = taskq_lowest_id(tq) > id;
	raw_spin_unlock_irqrestore(&tq->lock, flags);
	return done;
}

/* Has the task of @id finished (or been cancelled, or never existed)? */
static bool taskq_id_done(struct cmwq_taskq *tq, unsigned long id)
{
	unsigned long flags;
	bool done;

	raw_spin_lock_irqsave(&tq->lock, flags);
	done = !taskq_find_waiting(tq, id) && !taskq_find_runner(tq, id);
	raw_spin_unlock_irqrestore(&tq->lock, flags);
	return done;
}

/* Is nothing dispatched left, not even a delayed task? */
static bool taskq_idle(struct cmwq_taskq *tq)
{
	unsigned long flags;
	bool idle;

	raw_spin_lock_irqsave(&tq->lock, flags);
	idle = !tq->nr_queued && !tq->nr_delayed && !tq->nr_running;
	raw_spin_unlock_irqrestore(&tq->lock, flags);
	return idle;
}

/*
 * Would the current task wait for itself, waiting for ids up to @id (or
 * for @id alone, with @only)?  Its own task finishes only after the wait.
 */
static bool taskq_waits_for_itself(struct cmwq_taskq *tq, unsigned long id,
				   bool only)
{
	struct taskq_runner *r;
	unsigned long flags;
	bool self = false;

	raw_spin_lock_irqsave(&tq->lock, flags);
	for (r = taskq_runners(tq); r < taskq_runners_end(tq); r++)
		if (r->id && r->task == current &&
		    (only ? r->id == id : r->id <= id))
			self = true;
	raw_spin_unlock_irqrestore(&tq->lock, flags);
	return self;
}

/*
 * Give back an entry of the taskq's own: cached up to minalloc, freed
 * beyond.  The caller's entries stay the caller's.  The caller frees
 * what this returns once it has dropped tq->lock, which every dispatch
 * and every task start takes: kfree() need not lengthen its hold.
 *
 * Context: tq->lock held.
 * Return: the entry to kfree(), or %NULL.
 */
static struct cmwq_taskq_ent *taskq_ent_release(struct cmwq_taskq *tq,
						struct cmwq_taskq_ent *ent)
{
	lockdep_assert_held(&tq->lock);
	if (ent->flags & CMWQ_TQENT_PREALLOC)
		return NULL;
	if (tq->nr_free < tq->minalloc) {
		list_add(&ent->node, &tq->free);
		tq->nr_free++;
		return NULL;
	}
	tq->nr_alloc--;
	return ent;
}

/* Free the cached entries of a taskq nothing dispatches on any more. */
static void taskq_free_cached(struct cmwq_taskq *tq)
{
	struct cmwq_taskq_ent *ent, *next;

	list_for_each_entry_safe(ent, next, &tq->free, node)
		kfree(ent);
	INIT_LIST_HEAD(&tq->free);
	tq->nr_alloc -= tq->nr_free;
	tq->nr_free = 0;
}

/* A cached entry, or NULL.  Context: tq->lock held. */
static struct cmwq_taskq_ent *taskq_ent_cached(struct cmwq_taskq *tq)
{
	struct cmwq_taskq_ent *ent;

	lockdep_assert_held(&tq->lock);
	ent = list_first_entry_or_null(&tq->free, struct cmwq_taskq_ent, node);
	if (ent) {
		list_del_init(&ent->node);
		tq->nr_free--;
	}
	return ent;
}

/*
 * May a dispatch throttled at maxalloc go on?  Once half the entries are
 * back, or one is cached: a dispatcher woken for each entry coming back
 * would take turns with the runners task by task.
 *
 * Context: tq->lock held.
 */
static bool taskq_unthrottled(struct cmwq_taskq *tq)
{
	lockdep_assert_held(&tq->lock);
	return tq->nr_free || tq->nr_alloc <= tq->maxalloc / 2;
}

/* taskq_unthrottled(), for a throttled dispatch to wait on. */
static bool taskq_may_alloc(struct cmwq_taskq *tq)
{
	unsigned long flags;
	bool may;

	raw_spin_lock_irqsave(&tq->lock, flags);
	may = taskq_unthrottled(tq);
	raw_spin_unlock_irqrestore(&tq->lock, flags);
	return may;
}

/* What taskq_wake() wakes */
enum {
	TASKQ_WAKE_DONE		= 1 << 0,	/* waits for tasks: tq->wait */
	TASKQ_WAKE_ALLOC	= 1 << 1,	/* throttled: tq->alloc_wait */
};

/*
 * Who is to be woken, once tq->lock is dropped, after a task finished or
 * an entry came back.  Every waiter queues itself before it tests its
 * condition under tq->lock: either it is seen here, under that lock, or
 * it sees what the caller changed.  Most tasks end with nobody waiting,
 * and then no wait queue's lock is taken.
 *
 * Context: tq->lock held.
 * Return: TASKQ_WAKE_* flags for taskq_wake().
 */
static unsigned int taskq_wakes(struct cmwq_taskq *tq)
{
	unsigned int wakes = 0;

	lockdep_assert_held(&tq->lock);
	/* tq->lock orders this with the waiter's test, see above */
	if (waitqueue_active(&tq->wait))
		wakes |= TASKQ_WAKE_DONE;
	/* and with taskq_may_alloc()'s, which takes it too */
	if (waitqueue_active(&tq->alloc_wait) && taskq_unthrottled(tq))
		wakes |= TASKQ_WAKE_ALLOC;
	return wakes;
}

/* Wake whom taskq_wakes() named. */
static void taskq_wake(struct cmwq_taskq *tq, unsigned int wakes)
{
	if (wakes & TASKQ_WAKE_DONE)
		wake_up_all(&tq->wait);
	if (wakes & TASKQ_WAKE_ALLOC)
		wake_up_all(&tq->alloc_wait);
}

/*
 * A dispatch throttled at maxalloc waits a little for entries to come
 * back, then takes one cached or allocates anyway: TQ_SLEEP never drops
 * a task.
 *
 * Context: Process context; sleeps.
 * Return: a cached entry, or %NULL with one more entry counted, for the
 * caller to allocate.
 */
static struct cmwq_taskq_ent *taskq_ent_throttled(struct cmwq_taskq *tq)
{
	struct cmwq_taskq_ent *ent;
	unsigned long flags;

	wait_event_timeout(tq->alloc_wait, taskq_may_alloc(tq),
			   TASKQ_THROTTLE);
	raw_spin_lock_irqsave(&tq->lock, flags);
	ent = taskq_ent_cached(tq);
	if (!ent)
		tq->nr_alloc++;
	raw_spin_unlock_irqrestore(&tq->lock, flags);
	return ent;
}

/*
 * Allocate an entry already counted in nr_alloc.
 *
 * Context: Any context with %CMWQ_TQ_NOSLEEP; otherwise might sleep.
 * Return: the entry, or %NULL (only with %CMWQ_TQ_NOSLEEP), uncounted.
 */
static struct cmwq_taskq_ent *taskq_ent_new(struct cmwq_taskq *tq,
					    unsigned int tqflags)
{
	struct cmwq_taskq_ent *ent;
	unsigned long flags;
	gfp_t gfp;

	if (tqflags & CMWQ_TQ_NOSLEEP)
		gfp = GFP_ATOMIC | __GFP_NOWARN;
	else if (tqflags & CMWQ_TQ_PUSHPAGE)
		gfp = GFP_NOIO | __GFP_HIGH | __GFP_NOFAIL;
	else
		gfp = GFP_KERNEL | __GFP_NOFAIL;
	ent = kmalloc(sizeof(*ent), gfp);
	if (!ent) {
		raw_spin_lock_irqsave(&tq->lock, flags);
		tq->nr_alloc--;
		raw_spin_unlock_irqrestore(&tq->lock, flags);
		return NULL;
	}
	taskq_ent_setup(ent);
	return ent;
}

/*
 * Does @tq need one more runner queued?  Only if tasks wait and no runner
 * queued already is about to take them: a runner that starts takes tasks
 * until none is left.  One queued at a time is enough, for the runner
 * that starts queues the next if tasks still wait (taskq_runner_fn()):
 * runners are added as fast as cmwq gives them workers, up to nthreads.
 *
 * Context: tq->lock held.
 */
static bool taskq_wants_runner(struct cmwq_taskq *tq)
{
	return tq->nr_queued && !tq->nr_spare && tq->nr_runners < tq->nthreads;
}

/* The online CPU after @cpu, round the online ones. */
static int taskq_next_cpu(int cpu)
{
	int next = cpumask_next(cpu, cpu_online_mask);

	return next < nr_cpu_ids ? next : cpumask_first(cpu_online_mask);
}

/*
 * Which CPU's pool a runner goes to.  The first runner of an idle taskq
 * goes to the dispatching CPU: its worker starts there without waking
 * another CPU, and a dispatcher that keeps the CPU is not preempted by
 * a worker of its own nice, which takes the batch when it blocks.  A
 * high-priority worker would preempt it at each dispatch instead, so a
 * high-priority taskq's first runner goes to the next CPU.  Further
 * runners go round the CPUs from there, past the last dispatcher's: a
 * CPU's pool runs one runner while it does not block and starts the next
 * queued there when it does (concurrency management), so tasks that keep
 * their CPU busy spread over the CPUs instead of waiting behind each
 * other on one, and a dispatcher that keeps dispatching keeps its CPU
 * (a worker woken there would preempt it, or take turns with it).
 *
 * Context: tq->lock held (interrupts off: the CPU is stable).
 */
static int taskq_runner_cpu(struct cmwq_taskq *tq, bool first)
{
	int cpu = raw_smp_processor_id();

	if (first && !(tq->wq->flags & CMWQ_HIGHPRI))
		return cpu;
	cpu = taskq_next_cpu(first ? cpu : tq->last_cpu);
	if (cpu == tq->dispatch_cpu)
		cpu = taskq_next_cpu(cpu);
	return cpu;
}

/* Queue an idle runner on @tq's workqueue.  Context: tq->lock held. */
static void taskq_start_runner(struct cmwq_taskq *tq, unsigned long caller)
{
	struct taskq_runner *r;
	int cpu;

	lockdep_assert_held(&tq->lock);
	cpu = taskq_runner_cpu(tq, !tq->nr_runners);
	tq->last_cpu = cpu;
	r = list_first_entry(&tq->idle, struct taskq_runner, node);
	list_del_init(&r->node);
	tq->nr_runners++;
	tq->nr_spare++;
	/* an idle runner's PENDING bit is free: only tq->lock takes it */
	set_bit(CMWQ_WORK_PENDING_BIT, cmwq_work_bits(&r->work));
	__queue_work(cpu, tq->wq, &r->work, caller);
}

/* Put @ent in @list, kept in id order, from the end, where it belongs. */
static void taskq_insert_by_id(struct list_head *list,
			       struct cmwq_taskq_ent *ent)
{
	struct cmwq_taskq_ent *pos;

	list_for_each_entry_reverse(pos, list, node)
		if (pos->tqent_id < ent->tqent_id)
			break;
	list_add(&ent->node, &pos->node);
}

/*
 * A delayed task's timer: queue it ahead of the pending tasks, in id
 * order, as SPL does, so that it does not wait behind tasks dispatched
 * after it.  Everything is done under tq->lock: the taskq may be freed
 * as soon as this entry leaves its lists (taskq_destroy() waits for it).
 *
 * Context: Softirq (timer).
 */
static void taskq_expire(struct timer_list *timer)
{
	struct cmwq_taskq_ent *ent = from_timer(ent, timer, timer);
	struct cmwq_taskq *tq = ent->tq;
	struct cmwq_taskq_ent *unused = NULL;
	unsigned int wakes = 0;
	unsigned long flags;

	raw_spin_lock_irqsave(&tq->lock, flags);
	list_del_init(&ent->node);
	ent->flags &= ~CMWQ_TQENT_DELAYED;
	tq->nr_delayed--;
	if (ent->flags & CMWQ_TQENT_CANCELLED) {
		/* cmwq_taskq_cancel_id() counted it, and left it to us */
		unused = taskq_ent_release(tq, ent);
		wakes = taskq_wakes(tq);
	} else {
		taskq_insert_by_id(&tq->front, ent);
		tq->nr_queued++;
		if (taskq_wants_runner(tq))
			taskq_start_runner(tq, _THIS_IP_);
	}
	/*
	 * Once tq->lock is dropped, taskq_destroy() may see the last delayed
	 * task gone and free tq; it frees it after a grace period, which
	 * this read-side section holds off until the wake is done.  The wake
	 * cannot be made under tq->lock: a wait queue's lock sleeps on
	 * PREEMPT_RT.
	 */
	rcu_read_lock();
	raw_spin_unlock_irqrestore(&tq->lock, flags);
	kfree(unused);
	taskq_wake(tq, wakes);
	rcu_read_unlock();
}

/*
 * Give @ent an id and queue it, at once or after @delay jiffies.
 *
 * Context: tq->lock held.
 * Return: the id, or 0 if it was refused (destroying taskq, TQ_NOQUEUE
 * with every thread busy); the caller then releases @ent.
 */
static unsigned long taskq_queue_locked(struct cmwq_taskq *tq,
					struct cmwq_taskq_ent *ent,
					cmwq_task_func_t *func, void *arg,
					unsigned int tqflags,
					unsigned long delay,
					unsigned long caller)
{
	unsigned long id;
	int tasks;

	lockdep_assert_held(&tq->lock);
	if (CMWQ_REFUSE(tq->destroying && !is_chained_work(tq->wq),
			"taskq_dispatch: taskq %s is being destroyed, from %pS",
			tq->wq->name, (void *)caller))
		return 0;
	if ((tqflags & CMWQ_TQ_NOQUEUE) &&
	    tq->nr_queued + tq->nr_running >= tq->nthreads)
		return 0;

	id = tq->next_id++;
	tq->dispatch_cpu = raw_smp_processor_id();
	ent->tqent_id = id;
	ent->func = func;
	ent->arg = arg;
	ent->tq = tq;
	ent->flags &= CMWQ_TQENT_PREALLOC;
	trace_cmwq_taskq_enqueue(tq->wq->name, id, func, arg, delay);

	if (delay) {
		ent->flags |= CMWQ_TQENT_DELAYED;
		list_add_tail(&ent->node, &tq->delayed);
		tq->nr_delayed++;
		/* armed under tq->lock, which cancel and expiry take first */
		ent->timer.expires = jiffies + delay;
		add_timer(&ent->timer);
	} else {
		/* ids grow: the tail is where a new one belongs */
		list_add_tail(&ent->node, tqflags & CMWQ_TQ_FRONT ?
			      &tq->front : &tq->pending);
		tq->nr_queued++;
		if (taskq_wants_runner(tq))
			taskq_start_runner(tq, caller);
	}
	tasks = tq->nr_queued + tq->nr_delayed + tq->nr_running;
	tq->max_tasks = max(tq->max_tasks, tasks);
	return id;
}

/*
 * Queue @ent, given or allocated, with tq->lock taken here.
 *
 * Context: Any context.
 * Return: the id, or 0 if it was refused; @ent is then released.
 */
static unsigned long taskq_queue(struct cmwq_taskq *tq,
				 struct cmwq_taskq_ent *ent,
				 cmwq_task_func_t *func, void *arg,
				 unsigned int tqflags, unsigned long delay,
				 unsigned long caller)
{
	unsigned int wakes = 0;
	unsigned long flags, id;

	raw_spin_lock_irqsave(&tq->lock, flags);
	id = taskq_queue_locked(tq, ent, func, arg, tqflags, delay, caller);
	if (!id) {
		/* a caller's entry tells the failure by its id */
		ent->tqent_id = 0;
		ent = taskq_ent_release(tq, ent);
		wakes = taskq_wakes(tq);
	}
	raw_spin_unlock_irqrestore(&tq->lock, flags);
	if (!id) {
		kfree(ent);
		taskq_wake(tq, wakes);
	}
	return id;
}

/* The next task to run, taken off its list.  Context: tq->lock held. */
static struct cmwq_taskq_ent *taskq_next(struct cmwq_taskq *tq)
{
	struct cmwq_taskq_ent *ent;

	ent = list_first_entry_or_null(&tq->front, struct cmwq_taskq_ent,
				       node);
	if (!ent)
		ent = list_first_entry_or_null(&tq->pending,
					       struct cmwq_taskq_ent, node);
	if (ent) {
		list_del_init(&ent->node);
		tq->nr_queued--;
	}
	return ent;
}

/*
 * A runner's work: take the next task and run it, until none is left.
 * Each start queues the next runner if tasks still wait, so that they
 * run on as many workers as cmwq gives, up to nthreads; cmwq's
 * concurrency management starts one queued on a CPU where another runs
 * only when that one's task sleeps.  tq->lock is taken once per task: the end
 * of one and the start of the next.  A caller's entry is not touched
 * once its function runs; the taskq's own goes back after.
 */
static void taskq_runner_fn(struct cmwq_work *work)
{
	struct taskq_runner *r = container_of(work, struct taskq_runner, work);
	struct cmwq_taskq_ent *ent, *unused = NULL;
	struct cmwq_taskq *tq = r->tq;
	unsigned long flags, id;
	cmwq_task_func_t *func;
	unsigned int wakes = 0;
	bool own, timed;
	u64 start = 0, ns = 0;
	void *arg;

	raw_spin_lock_irqsave(&tq->lock, flags);
	tq->nr_spare--;
	r->task = current;
	while ((ent = taskq_next(tq))) {
		id = ent->tqent_id;
		func = ent->func;
		arg = ent->arg;
		own = !(ent->flags & CMWQ_TQENT_PREALLOC);
		r->id = id;
		tq->nr_running++;
		if (taskq_wants_runner(tq))
			taskq_start_runner(tq, (unsigned long)func);
		raw_spin_unlock_irqrestore(&tq->lock, flags);
		kfree(unused);
		taskq_wake(tq, wakes);

		/* totaltime: two clock reads, only while the queue is timed */
		timed = cmwq_stats_timing(&tq->wq->stats);
		if (timed)
			start = cmwq_stats_clock();
		trace_cmwq_taskq_exec_start(tq->wq->name, id, func, arg);
		func(arg);
		trace_cmwq_taskq_exec_end(tq->wq->name, id, func, arg);
		if (timed)
			ns = cmwq_stats_clock() - start;

		raw_spin_lock_irqsave(&tq->lock, flags);
		/* a caller's entry may be gone: it is not looked at */
		unused = own ? taskq_ent_release(tq, ent) : NULL;
		r->id = 0;
		tq->nr_running--;
		tq->nr_executed++;
		tq->totaltime += ns;
		wakes = taskq_wakes(tq);
	}
	r->task = NULL;
	tq->nr_runners--;
	/*
	 * Last in line: the next dispatch takes the runner idle longest.
	 * This one's work still returns, and queued again now it would
	 * follow itself to this CPU's pool (cmwq never runs a work twice
	 * at once) instead of going where taskq_runner_cpu() sends it.
	 */
	list_add_tail(&r->node, &tq->idle);
	raw_spin_unlock_irqrestore(&tq->lock, flags);
	kfree(unused);
	/* tq outlives this: taskq_destroy() drains the runners' queue */
	taskq_wake(tq, wakes);
}

static int taskq_kstat_show(struct seq_file *m, void *v)
{
	cmwq_taskq_show_kstat(m, m->private);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(taskq_kstat);

/*
 * Give a taskq its debugfs directory, named as its queue's directory
 * (unique among live queues, so among taskqs too), with its kstat; its
 * instance is that name's number.  A debugfs failure is not fatal.
 *
 * Context: cmwq_wq_mutex held.
 */
static void taskq_debugfs_add(struct cmwq_taskq *tq)
{
	const char *name;

	lockdep_assert_held(&cmwq_wq_mutex);
	cmwq_stats_debugfs_make(tq->wq);
	name = cmwq_stats_dname(tq->wq);
	if (!taskq_dir || !name[0])
		return;
	tq->instance = tq->wq->stats.instance;
	tq->dir = debugfs_create_dir(name, taskq_dir);
	debugfs_create_file("kstat", 0444, tq->dir, tq, &taskq_kstat_fops);
}

/**
 * cmwq_taskq_create - create a Solaris task queue
 * @name: its name, shown in cmwq's debugfs and reports
 * @nthreads: how many of its tasks may run at once; with
 *	%CMWQ_TASKQ_THREADS_CPU_PCT, a percentage of the online CPUs
 * @pri: a kernel static priority; at or above nice -10 its tasks run on
 *	the high-priority pools
 * @minalloc: task entries kept allocated for reuse (preallocated with
 *	%CMWQ_TASKQ_PREPOPULATE)
 * @maxalloc: entries past which a dispatch throttles or fails
 * @flags: %CMWQ_TASKQ_* flags
 *
 * The taskq holds no thread for its tasks: they run on cmwq's shared
 * per-CPU workers, at most @nthreads at once, and with @nthreads 1 one at
 * a time in dispatch order.  The taskq holds one rescuer thread, which
 * runs its tasks when no worker can be created.
 *
 * Context: Process context; might sleep.
 * Return: the taskq, or %NULL on allocation failure or bad arguments.
 */
struct cmwq_taskq *cmwq_taskq_create(const char *name, int nthreads, int pri,
				     int minalloc, int maxalloc,
				     unsigned int flags)
{
	unsigned int wqflags = CMWQ_MEM_RECLAIM;
	struct cmwq_taskq *tq;
	int i;

	if (CMWQ_REFUSE(!name || nthreads < 0 || minalloc < 0 ||
			maxalloc < minalloc,
			"%s: bad arguments from %pS", __func__,
			(void *)_RET_IP_))
		return NULL;
	might_sleep();

	if (flags & CMWQ_TASKQ_THREADS_CPU_PCT)
		nthreads = DIV_ROUND_UP(nthreads * num_online_cpus(), 100);
	nthreads = clamp(nthreads, 1, (int)CMWQ_MAX_ACTIVE);
	/* the nearer of the two pools' nices: 0 and HIGHPRI_NICE_LEVEL */
	if (PRIO_TO_NICE(pri) <= HIGHPRI_NICE_LEVEL / 2)
		wqflags |= CMWQ_HIGHPRI;

	tq = kzalloc(sizeof(*tq), GFP_KERNEL);
	if (!tq)
		return NULL;
	raw_spin_lock_init(&tq->lock);
	tq->nthreads = nthreads;
	tq->pri = pri;
	tq->minalloc = minalloc;
	tq->maxalloc = maxalloc;
	tq->flags = flags;
	tq->next_id = 1;
	INIT_LIST_HEAD(&tq->front);
	INIT_LIST_HEAD(&tq->pending);
	INIT_LIST_HEAD(&tq->delayed);
	INIT_LIST_HEAD(&tq->idle);
	INIT_LIST_HEAD(&tq->free);
	INIT_LIST_HEAD(&tq->destroyed);
	INIT_LIST_HEAD(&tq->list);
	init_waitqueue_head(&tq->wait);
	init_waitqueue_head(&tq->alloc_wait);
	tq->crtime = ktime_get_ns();

	tq->runners = kcalloc(nthreads, sizeof(*tq->runners), GFP_KERNEL);
	if (!tq->runners)
		goto free_tq;
	for (i = 0; i < nthreads; i++) {
		struct taskq_runner *r = &tq->runners[i];

		CMWQ_INIT_WORK(&r->work, taskq_runner_fn);
		r->tq = tq;
		list_add_tail(&r->node, &tq->idle);
	}

	if (flags & CMWQ_TASKQ_PREPOPULATE) {
		for (i = 0; i < minalloc; i++) {
			struct cmwq_taskq_ent *ent = kmalloc(sizeof(*ent),
							     GFP_KERNEL);

			if (!ent)
				goto free_cached;
			taskq_ent_setup(ent);
			list_add(&ent->node, &tq->free);
			tq->nr_free++;
			tq->nr_alloc++;
		}
	}

	tq->wq = cmwq_alloc_workqueue("%s", wqflags, nthreads, name);
	if (!tq->wq)
		goto free_cached;
	tq->wq->taskq = tq;
	mutex_lock(&cmwq_wq_mutex);
	list_add_tail(&tq->list, &cmwq_taskqs);
	taskq_debugfs_add(tq);
	mutex_unlock(&cmwq_wq_mutex);
	return tq;

free_cached:
	taskq_free_cached(tq);
	kfree(tq->runners);
free_tq:
	kfree(tq);
	return NULL;
}
EXPORT_SYMBOL_GPL(cmwq_taskq_create);

/**
 * cmwq_taskq_destroy - wait for a taskq's tasks, then free it
 * @tq: the taskq
 *
 * Every task dispatched, delayed ones included, runs first, and so do the
 * tasks they dispatch on @tq in turn; other dispatches on @tq meanwhile
 * are refused.
 *
 * Context: Process context; might sleep.  Not from a task of @tq.
 */
void cmwq_taskq_destroy(struct cmwq_taskq *tq)
{
	struct dentry *dir;
	unsigned long flags;
	bool keep;

	if (taskq_refused(tq, __func__, (void *)_RET_IP_) ||
	    CMWQ_REFUSE(tq->system, "%s: system taskq %s from %pS", __func__,
			tq->wq->name, (void *)_RET_IP_) ||
	    CMWQ_REFUSE(is_chained_work(tq->wq),
			"%s: taskq %s destroyed by its own task %pS",
			__func__, tq->wq->name, (void *)_RET_IP_))
		return;
	might_sleep();

	raw_spin_lock_irqsave(&tq->lock, flags);
	tq->destroying = true;
	raw_spin_unlock_irqrestore(&tq->lock, flags);
	wait_event(tq->wait, taskq_idle(tq));

	/* its kstat goes before its queue's directory frees their name */
	mutex_lock(&cmwq_wq_mutex);
	list_del_init(&tq->list);
	dir = tq->dir;
	tq->dir = NULL;
	mutex_unlock(&cmwq_wq_mutex);
	debugfs_remove_recursive(dir);

	/* the last runner may still be returning: drain it */
	cmwq_destroy_workqueue(tq->wq);
	taskq_free_cached(tq);
	WARN_ON_ONCE(tq->nr_alloc);
	kfree(tq->runners);

	keep = READ_ONCE(cmwq_keep_destroyed);
	WRITE_ONCE(tq->dead, true);
	if (!keep) {
		/* after taskq_expire()'s wake: see there */
		kfree_rcu(tq, rcu);
		return;
	}
	mutex_lock(&cmwq_wq_mutex);
	list_add(&tq->destroyed, &cmwq_destroyed_taskqs);
	mutex_unlock(&cmwq_wq_mutex);
}
EXPORT_SYMBOL_GPL(cmwq_taskq_destroy);

/* The checks every dispatch makes of its caller's input. */
static bool dispatch_refused(struct cmwq_taskq *tq, cmwq_task_func_t *func,
			     const char *caller, void *ret_ip)
{
	return taskq_refused(tq, caller, ret_ip) ||
	       CMWQ_REFUSE(!func, "%s: NULL function from %pS", caller,
			   ret_ip);
}

/*
 * May a dispatch call the allocator from here?  Everywhere on a kernel
 * without PREEMPT_RT (TQ_NOSLEEP allocates with GFP_ATOMIC).  On
 * PREEMPT_RT the slab allocator takes sleeping locks, so not in hard IRQ
 * nor with interrupts or preemption off: there only a cached entry will
 * do, as if TQ_NOALLOC were given.
 */
static bool taskq_may_allocate_here(void)
{
	return !IS_ENABLED(CONFIG_PREEMPT_RT) || preemptible();
}

/*
 * A dispatch on an entry the taskq finds or allocates: a cached entry is
 * taken and queued under one hold of tq->lock; a new one is counted
 * under it (TQ_NOSLEEP and TQ_NOALLOC fail past maxalloc, TQ_SLEEP
 * throttles), allocated, and queued under a second.  Where
 * taskq_may_allocate_here() says no, the dispatch fails unless an entry
 * is cached.
 */
static unsigned long taskq_dispatch_new(struct cmwq_taskq *tq,
					cmwq_task_func_t *func, void *arg,
					unsigned int tqflags,
					unsigned long delay, const char *caller,
					unsigned long ret_ip)
{
	struct cmwq_taskq_ent *ent;
	unsigned long flags, id;
	bool over, alloc;

	if (dispatch_refused(tq, func, caller, (void *)ret_ip))
		return 0;
	if (!(tqflags & CMWQ_TQ_NOSLEEP))
		might_sleep();
	alloc = !(tqflags & CMWQ_TQ_NOALLOC) && taskq_may_allocate_here();

	raw_spin_lock_irqsave(&tq->lock, flags);
	ent = taskq_ent_cached(tq);
	if (ent) {
		id = taskq_queue_locked(tq, ent, func, arg, tqflags, delay,
					ret_ip);
		if (!id)
			ent = taskq_ent_release(tq, ent);
		raw_spin_unlock_irqrestore(&tq->lock, flags);
		/* released past minalloc: only if a dispatch freed some */
		if (!id)
			kfree(ent);
		return id;
	}
	over = tq->nr_alloc >= tq->maxalloc;
	if (!over && alloc)
		tq->nr_alloc++;
	raw_spin_unlock_irqrestore(&tq->lock, flags);

	if (!alloc)
		return 0;
	if (over) {
		if (tqflags & CMWQ_TQ_NOSLEEP)
			return 0;
		ent = taskq_ent_throttled(tq);
	}
	if (!ent)
		ent = taskq_ent_new(tq, tqflags);
	if (!ent)
		return 0;
	return taskq_queue(tq, ent, func, arg, tqflags, delay, ret_ip);
}

/**
 * cmwq_taskq_dispatch - run a function on a taskq
 * @tq: the taskq
 * @func: the function
 * @arg: its argument
 * @flags: %CMWQ_TQ_SLEEP or %CMWQ_TQ_NOSLEEP, with %CMWQ_TQ_PUSHPAGE,
 *	%CMWQ_TQ_NOQUEUE, %CMWQ_TQ_NOALLOC or %CMWQ_TQ_FRONT
 *
 * The task runs once, after the pending ones (with %CMWQ_TQ_FRONT, ahead
 * of them).  %CMWQ_TQ_SLEEP may sleep for memory and never fails;
 * %CMWQ_TQ_NOSLEEP never sleeps and may fail; %CMWQ_TQ_NOQUEUE fails
 * when all of @tq's threads are taken; %CMWQ_TQ_NOALLOC uses only entries
 * @tq has cached.  On PREEMPT_RT, where the allocator cannot be called
 * with interrupts or preemption off, a dispatch from there (hard IRQ
 * included) uses only cached entries too: give such a taskq
 * %CMWQ_TASKQ_PREPOPULATE and a minalloc, or dispatch with the caller's
 * entries (cmwq_taskq_dispatch_ent()).
 *
 * Context: Any context with %CMWQ_TQ_NOSLEEP, including hard IRQ;
 * otherwise process context, might sleep.
 * Return: the task's id (ids start at 1 and grow by one per dispatch), or
 * 0 if it was not dispatched.
 */
unsigned long cmwq_taskq_dispatch(struct cmwq_taskq *tq,
				  cmwq_task_func_t *func, void *arg,
				  unsigned int flags)
{
	return taskq_dispatch_new(tq, func, arg, flags, 0, __func__, _RET_IP_);
}
EXPORT_SYMBOL_GPL(cmwq_taskq_dispatch);

/**
 * cmwq_taskq_dispatch_delay - run a function on a taskq at a given time
 * @tq: the taskq
 * @func: the function
 * @arg: its argument
 * @flags: as for cmwq_taskq_dispatch(); %CMWQ_TQ_FRONT is ignored
 * @expire_time: in jiffies, absolute: the task is queued then, not before
 *	(at once if it is already past)
 *
 * Until it is queued, the task counts as pending: waits for its id and
 * taskq_destroy() wait for it, and cmwq_taskq_cancel_id() stops it.
 *
 * Context: Any context with %CMWQ_TQ_NOSLEEP; otherwise process context,
 * might sleep.
 * Return: the task's id, or 0 if it was not dispatched.
 */
unsigned long cmwq_taskq_dispatch_delay(struct cmwq_taskq *tq,
					cmwq_task_func_t *func, void *arg,
					unsigned int flags,
					unsigned long expire_time)
{
	long delay = (long)(expire_time - jiffies);

	return taskq_dispatch_new(tq, func, arg, flags & ~CMWQ_TQ_FRONT,
				  max(delay, 0L), __func__, _RET_IP_);
}
EXPORT_SYMBOL_GPL(cmwq_taskq_dispatch_delay);

/**
 * cmwq_taskq_dispatch_ent - run a function on a taskq with the caller's entry
 * @tq: the taskq
 * @func: the function
 * @arg: its argument
 * @flags: %CMWQ_TQ_FRONT or 0; the others concern allocation, which
 *	does not happen here
 * @ent: an entry set up by cmwq_taskq_init_ent() and empty
 *	(cmwq_taskq_empty_ent())
 *
 * Like cmwq_taskq_dispatch() without allocating: it never fails on good
 * input, and sets @ent->tqent_id to the task's id (0 when refused).  @ent
 * is @tq's until the task starts; from then on the caller may dispatch it
 * again or free it, even from the task.
 *
 * Context: Any context.
 */
void cmwq_taskq_dispatch_ent(struct cmwq_taskq *tq, cmwq_task_func_t *func,
			     void *arg, unsigned int flags,
			     struct cmwq_taskq_ent *ent)
{
	if (dispatch_refused(tq, func, __func__, (void *)_RET_IP_) ||
	    CMWQ_REFUSE(!ent || !ent->node.next || !list_empty(&ent->node),
			"%s: entry %p not set up or in use, from %pS",
			__func__, ent, (void *)_RET_IP_)) {
		if (ent)
			ent->tqent_id = 0;
		return;
	}
	ent->flags = CMWQ_TQENT_PREALLOC;
	taskq_queue(tq, ent, func, arg, flags & CMWQ_TQ_FRONT, 0, _RET_IP_);
}
EXPORT_SYMBOL_GPL(cmwq_taskq_dispatch_ent);

/**
 * cmwq_taskq_init_ent - set up an entry for cmwq_taskq_dispatch_ent()
 * @ent: the entry, embedded in the caller's object
 *
 * Context: Any context; @ent must not be in use.
 */
void cmwq_taskq_init_ent(struct cmwq_taskq_ent *ent)
{
	taskq_ent_setup(ent);
}
EXPORT_SYMBOL_GPL(cmwq_taskq_init_ent);

/**
 * cmwq_taskq_empty_ent - is an entry free for a dispatch?
 * @ent: an entry set up by cmwq_taskq_init_ent()
 *
 * The answer may be stale by the time the caller looks at it, unless the
 * caller owns the entry's task.
 *
 * Context: Any context.
 * Return: nonzero if @ent is not waiting in a taskq (never dispatched, or
 * its task has started).
 */
int cmwq_taskq_empty_ent(struct cmwq_taskq_ent *ent)
{
	return list_empty_careful(&ent->node);
}
EXPORT_SYMBOL_GPL(cmwq_taskq_empty_ent);

/**
 * cmwq_taskq_wait_outstanding - wait for the tasks up to an id
 * @tq: the taskq
 * @id: the highest id waited for; 0 for every task dispatched so far
 *
 * Returns once every task of @tq with an id up to @id has run or been
 * cancelled, delayed ones included.  Tasks dispatched meanwhile with
 * higher ids are not waited for.
 *
 * Context: Process context; might sleep.  Not from a task with an id
 * up to @id.
 */
void cmwq_taskq_wait_outstanding(struct cmwq_taskq *tq, unsigned long id)
{
	unsigned long flags;

	if (taskq_refused(tq, __func__, (void *)_RET_IP_))
		return;
	if (!id) {
		raw_spin_lock_irqsave(&tq->lock, flags);
		id = tq->next_id - 1;
		raw_spin_unlock_irqrestore(&tq->lock, flags);
	}
	if (CMWQ_REFUSE(taskq_waits_for_itself(tq, id, false),
			"%s: a task of %s waits for itself, from %pS",
			__func__, tq->wq->name, (void *)_RET_IP_))
		return;
	might_sleep();
	wait_event(tq->wait, taskq_done_upto(tq, id));
}
EXPORT_SYMBOL_GPL(cmwq_taskq_wait_outstanding);

/**
 * cmwq_taskq_wait - wait for every task dispatched so far
 * @tq: the taskq
 *
 * cmwq_taskq_wait_outstanding() for every id given out before the call.
 *
 * Context: Process context; might sleep.  Not from a task of @tq.
 */
void cmwq_taskq_wait(struct cmwq_taskq *tq)
{
	cmwq_taskq_wait_outstanding(tq, 0);
}
EXPORT_SYMBOL_GPL(cmwq_taskq_wait);

/**
 * cmwq_taskq_wait_id - wait for one task
 * @tq: the taskq
 * @id: the task's id, as its dispatch returned it
 *
 * Returns once the task has run or been cancelled; at once if it already
 * has, or if @id was never given out.
 *
 * Context: Process context; might sleep.  Not from the task itself.
 */
void cmwq_taskq_wait_id(struct cmwq_taskq *tq, unsigned long id)
{
	if (taskq_refused(tq, __func__, (void *)_RET_IP_) ||
	    CMWQ_REFUSE(!id, "%s: id 0 from %pS", __func__,
			(void *)_RET_IP_) ||
	    CMWQ_REFUSE(taskq_waits_for_itself(tq, id, true),
			"%s: task %lu of %s waits for itself", __func__, id,
			tq->wq->name))
		return;
	might_sleep();
	wait_event(tq->wait, taskq_id_done(tq, id));
}
EXPORT_SYMBOL_GPL(cmwq_taskq_wait_id);

/**
 * cmwq_taskq_cancel_id - cancel a task
 * @tq: the taskq
 * @id: the task's id
 *
 * A task queued or waiting for its timer is taken off at once and never
 * runs.  A task already running is waited for (unless the caller is that
 * task), never one still pending.
 *
 * Context: Process context; might sleep, only when the task runs.
 * Return: 0 if the task was cancelled before it ran; %ENOENT if there is
 * no such task (finished, or never dispatched); %EBUSY if it was running,
 * and has finished by now.  Positive, as Solaris and SPL return them;
 * %EINVAL for a refused taskq.
 */
int cmwq_taskq_cancel_id(struct cmwq_taskq *tq, unsigned long id)
{
	struct cmwq_taskq_ent *ent;
	struct taskq_runner *r;
	unsigned int wakes;
	unsigned long flags;
	bool running, self;

	if (taskq_refused(tq, __func__, (void *)_RET_IP_))
		return TASKQ_EINVAL;
	if (CMWQ_REFUSE(!id, "%s: id 0 from %pS", __func__, (void *)_RET_IP_))
		return TASKQ_ENOENT;

	raw_spin_lock_irqsave(&tq->lock, flags);
	ent = taskq_find_waiting(tq, id);
	if (ent && (ent->flags & CMWQ_TQENT_CANCELLED)) {
		/* cancelled already, its timer still firing */
		ent = NULL;
	} else if (ent && (ent->flags & CMWQ_TQENT_DELAYED) &&
		   !del_timer(&ent->timer)) {
		/*
		 * Its timer fired and taskq_expire() waits for tq->lock: let
		 * it drop and release the entry, always the taskq's own (only
		 * cmwq_taskq_dispatch_delay() arms a timer, on an entry it
		 * allocated), so that nothing waits for the timer here.
		 */
		ent->flags |= CMWQ_TQENT_CANCELLED;
		tq->nr_cancelled++;
		raw_spin_unlock_irqrestore(&tq->lock, flags);
		return TASKQ_CANCELLED;
	} else if (ent) {
		list_del_init(&ent->node);
		if (ent->flags & CMWQ_TQENT_DELAYED)
			tq->nr_delayed--;
		else
			tq->nr_queued--;
		tq->nr_cancelled++;
		ent = taskq_ent_release(tq, ent);
		wakes = taskq_wakes(tq);
		raw_spin_unlock_irqrestore(&tq->lock, flags);
		kfree(ent);
		taskq_wake(tq, wakes);
		return TASKQ_CANCELLED;
	}
	r = taskq_find_runner(tq, id);
	running = r;
	self = r && r->task == current;
	raw_spin_unlock_irqrestore(&tq->lock, flags);
	if (!running)
		return TASKQ_ENOENT;
	if (self)
		return TASKQ_EBUSY;
	might_sleep();
	wait_event(tq->wait, taskq_id_done(tq, id));
	return TASKQ_EBUSY;
}
EXPORT_SYMBOL_GPL(cmwq_taskq_cancel_id);

/**
 * cmwq_taskq_member - is a thread running a task of a taskq?
 * @tq: the taskq
 * @thread: the thread, usually current
 *
 * Context: Any context.
 * Return: nonzero if @thread is running one of @tq's tasks now.
 */
int cmwq_taskq_member(struct cmwq_taskq *tq, struct task_struct *thread)
{
	struct taskq_runner *r;
	unsigned long flags;
	int member = 0;

	if (taskq_refused(tq, __func__, (void *)_RET_IP_))
		return 0;
	raw_spin_lock_irqsave(&tq->lock, flags);
	for (r = taskq_runners(tq); r < taskq_runners_end(tq); r++)
		if (r->id && r->task == thread)
			member = 1;
	raw_spin_unlock_irqrestore(&tq->lock, flags);
	return member;
}
EXPORT_SYMBOL_GPL(cmwq_taskq_member);

/**
 * cmwq_taskq_of_curthread - the taskq whose task the current thread runs
 *
 * Context: Any context.
 * Return: the taskq, or %NULL if current is not running a task.
 */
struct cmwq_taskq *cmwq_taskq_of_curthread(void)
{
	struct worker *worker = current_worker();

	/* a worker writes its own current_cwq: reading it here is stable */
	if (!worker || !worker->current_cwq)
		return NULL;
	return worker->current_cwq->wq->taskq;
}
EXPORT_SYMBOL_GPL(cmwq_taskq_of_curthread);

/**
 * cmwq_taskq_kstat - a taskq's kstat, as debugfs shows it
 * @tq: a live taskq
 * @ks: filled in
 *
 * Context: Any context.
 */
void cmwq_taskq_kstat(struct cmwq_taskq *tq, struct cmwq_taskq_kstat *ks)
{
	unsigned long flags;

	memset(ks, 0, sizeof(*ks));
	ks->instance = READ_ONCE(tq->instance);
	ks->crtime = tq->crtime;
	ks->priority = tq->pri;
	ks->threads = tq->nthreads;
	ks->minalloc = tq->minalloc;
	ks->maxalloc = tq->maxalloc;
	ks->flags = tq->flags;
	raw_spin_lock_irqsave(&tq->lock, flags);
	/* ids are given out from 1, one per task dispatched */
	ks->tasks = tq->next_id - 1;
	ks->executed = tq->nr_executed;
	ks->maxtasks = tq->max_tasks;
	ks->nactive = tq->nr_running;
	ks->nalloc = tq->nr_alloc;
	ks->totaltime = tq->totaltime;
	ks->pending = tq->nr_queued;
	ks->delayed = tq->nr_delayed;
	ks->cancelled = tq->nr_cancelled;
	raw_spin_unlock_irqrestore(&tq->lock, flags);
	ks->snaptime = ktime_get_ns();
}

/**
 * cmwq_taskq_dname - the name of a taskq's debugfs directory
 * @tq: a live taskq
 *
 * Context: cmwq_wq_mutex held.
 * Return: the name, that of its queue's directory; empty before debugfs
 * is set up.
 */
const char *cmwq_taskq_dname(struct cmwq_taskq *tq)
{
	return cmwq_stats_dname(tq->wq);
}

/**
 * cmwq_taskq_show_kstat - what a taskq's kstat file shows
 * @m: where to print it
 * @tq: a live taskq
 *
 * The header kstat(1M) prints (module, instance, name, class), then
 * Solaris' fields in its order, alphabetical: one "key value" per line.
 *
 * Context: Any context.
 */
void cmwq_taskq_show_kstat(struct seq_file *m, struct cmwq_taskq *tq)
{
	struct cmwq_taskq_kstat ks;

	cmwq_taskq_kstat(tq, &ks);
	seq_printf(m, "%-10s %s\n", "module", "cmwq");
	seq_printf(m, "%-10s %d\n", "instance", ks.instance);
	seq_printf(m, "%-10s %s\n", "name", tq->wq->name);
	seq_printf(m, "%-10s %s\n", "class", "taskq");
	seq_printf(m, "%-10s %llu\n", "crtime", ks.crtime);
	seq_printf(m, "%-10s %llu\n", "executed", ks.executed);
	seq_printf(m, "%-10s %llu\n", "maxtasks", ks.maxtasks);
	seq_printf(m, "%-10s %llu\n", "nactive", ks.nactive);
	seq_printf(m, "%-10s %llu\n", "nalloc", ks.nalloc);
	seq_printf(m, "%-10s %d\n", "priority", ks.priority);
	seq_printf(m, "%-10s %llu\n", "snaptime", ks.snaptime);
	seq_printf(m, "%-10s %llu\n", "tasks", ks.tasks);
	seq_printf(m, "%-10s %llu\n", "threads", ks.threads);
	seq_printf(m, "%-10s %llu\n", "totaltime", ks.totaltime);
}

/**
 * cmwq_taskq_show_summary - what debugfs' "taskq_summary" shows
 * @m: where to print it
 *
 * One line per taskq that has a debugfs directory, named by it, under a
 * header naming the columns, as SPL's /proc/spl/taskq-all.
 *
 * Context: Process context; takes cmwq_wq_mutex.
 */
void cmwq_taskq_show_summary(struct seq_file *m)
{
	struct cmwq_taskq_kstat ks;
	struct cmwq_taskq *tq;

	seq_printf(m, "%-28s %5s %5s %4s %5s %10s %6s %6s %6s %10s %10s %8s %9s %5s\n",
		   "taskq", "act", "nthr", "pri", "mina", "maxa", "cura",
		   "pend", "delay", "tasks", "executed", "maxtasks",
		   "cancelled", "flags");
	mutex_lock(&cmwq_wq_mutex);
	list_for_each_entry(tq, &cmwq_taskqs, list) {
		if (!tq->dir)
			continue;
		cmwq_taskq_kstat(tq, &ks);
		seq_printf(m, "%-28s %5llu %5llu %4d %5d %10d %6llu %6llu %6llu %10llu %10llu %8llu %9llu 0x%03x\n",
			   cmwq_taskq_dname(tq), ks.nactive, ks.threads,
			   ks.priority, ks.minalloc, ks.maxalloc, ks.nalloc,
			   ks.pending, ks.delayed, ks.tasks, ks.executed,
			   ks.maxtasks, ks.cancelled, ks.flags);
	}
	mutex_unlock(&cmwq_wq_mutex);
}

static int taskq_summary_show(struct seq_file *m, void *v)
{
	cmwq_taskq_show_summary(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(taskq_summary);

/**
 * cmwq_taskq_debugfs_init - create the taskqs' files under @root
 * @root: /sys/kernel/debug/cmwq, its queues' directories made
 *
 * Also gives the taskqs that exist already (the system ones) theirs.
 *
 * Context: Module init.
 */
void cmwq_taskq_debugfs_init(struct dentry *root)
{
	struct cmwq_taskq *tq;

	debugfs_create_file("taskq_summary", 0444, root, NULL,
			    &taskq_summary_fops);
	mutex_lock(&cmwq_wq_mutex);
	taskq_dir = debugfs_create_dir("taskq", root);
	list_for_each_entry(tq, &cmwq_taskqs, list)
		taskq_debugfs_add(tq);
	mutex_unlock(&cmwq_wq_mutex);
}

/**
 * cmwq_taskq_debugfs_exit - remove every taskq's directory
 *
 * Context: Module exit, before the queues' directories go; the taskqs
 * that outlive it, the system ones, forget their directory.
 */
void cmwq_taskq_debugfs_exit(void)
{
	struct cmwq_taskq *tq;

	mutex_lock(&cmwq_wq_mutex);
	list_for_each_entry(tq, &cmwq_taskqs, list) {
		debugfs_remove_recursive(tq->dir);
		tq->dir = NULL;
	}
	debugfs_remove_recursive(taskq_dir);
	taskq_dir = NULL;
	mutex_unlock(&cmwq_wq_mutex);
}

/* Create the system taskqs, after the system workqueues. */
int cmwq_taskq_init(void)
{
	/* as many threads as SPL gives it: 64, or more CPUs than that */
	cmwq_system_taskq = cmwq_taskq_create("cmwq_system_taskq",
					      max(64U, num_possible_cpus()),
					      DEFAULT_PRIO, 64, INT_MAX,
					      CMWQ_TASKQ_PREPOPULATE |
					      CMWQ_TASKQ_DYNAMIC);
	cmwq_system_delay_taskq = cmwq_taskq_create("cmwq_system_delay_taskq",
						    4, DEFAULT_PRIO, 4,
						    INT_MAX,
						    CMWQ_TASKQ_PREPOPULATE |
						    CMWQ_TASKQ_DYNAMIC);
	if (!cmwq_system_taskq || !cmwq_system_delay_taskq) {
		cmwq_taskq_exit();
		return -ENOMEM;
	}
	cmwq_system_taskq->system = true;
	cmwq_system_delay_taskq->system = true;
	return 0;
}

/* Destroy the system taskqs and free what destroyed taskqs left. */
void cmwq_taskq_exit(void)
{
	struct cmwq_taskq *tq, *next;

	if (cmwq_system_delay_taskq) {
		cmwq_system_delay_taskq->system = false;
		cmwq_taskq_destroy(cmwq_system_delay_taskq);
		cmwq_system_delay_taskq = NULL;
	}
	if (cmwq_system_taskq) {
		cmwq_system_taskq->system = false;
		cmwq_taskq_destroy(cmwq_system_taskq);
		cmwq_system_taskq = NULL;
	}
	mutex_lock(&cmwq_wq_mutex);
	list_for_each_entry_safe(tq, next, &cmwq_destroyed_taskqs, destroyed)
		kfree_rcu(tq, rcu);
	INIT_LIST_HEAD(&cmwq_destroyed_taskqs);
	mutex_unlock(&cmwq_wq_mutex);
}
