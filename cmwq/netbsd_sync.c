// SPDX-License-Identifier: GPL-2.0
/*
 * netbsd_sync.c - NetBSD's mutex(9) and condvar(9), for threadpool(9) jobs
 *
 * NetBSD code interlocks its jobs with a kmutex_t and waits with a
 * kcondvar_t; both behave in ways Linux's own locks do not, so they are
 * built here from a raw spinlock and the scheduler.
 *
 * A mutex initialised above IPL_NONE is a spin mutex: a raw spinlock taken
 * with interrupts off, so that hard interrupt handlers may take it (and
 * schedule jobs under it), as they take NetBSD's at IPL_VM.  The
 * interrupt state is saved per CPU when the first spin mutex is taken and
 * restored when the last is released, as NetBSD's spl handling does, so
 * that spin mutexes may be released in any order.  Linux's soft
 * interrupts are not threads as NetBSD's are, so the soft IPLs give spin
 * mutexes too: a timer callback may take them.
 *
 * At IPL_NONE a mutex is adaptive: its holder may sleep and be preempted.
 * Linux's struct mutex would do, but for one promise NetBSD makes and it
 * does not: a thread may destroy (and free) a mutex as soon as it has
 * taken and released it, while the previous owner is still returning
 * from mutex_exit().  struct mutex's unlock may touch the mutex after
 * another task took it.  Here the owner and the sleepers are kept under
 * the raw spinlock, and mutex_exit() frees the mutex and wakes its first
 * sleeper before releasing that spinlock: its last access is the
 * release, which the next owner must pass to get the mutex.
 *
 * As NetBSD's, an adaptive mutex whose owner is running on a CPU is
 * waited for by spinning, and only one whose owner is off CPU by
 * sleeping: the owner will release it soon, and a sleeper costs a
 * wake-up and a switch.  A release does not hand the mutex to the
 * sleeper it wakes, which competes for it again: handed over, the mutex
 * would belong to a thread that is not running yet, and every thread
 * that wants it meanwhile, the previous owner included, would queue
 * behind (a convoy: threadpool jobs sharing an adaptive interlock ran at
 * a twentieth of the kernel workqueue's rate).  So sleepers are woken
 * in order but not served in order, as in NetBSD.
 *
 * A condition variable queues its waiter under its own raw spinlock
 * before the interlock is dropped: a signal sent by whoever takes the
 * interlock next finds the waiter.  cv_signal() dequeues the waiter and
 * wakes it under that spinlock, and the waiter looks at its queue entry
 * under it too, so the waiter (its entry is on its stack) returns only
 * after the signaller is done with it.  A wake-up for any other reason
 * makes the waiter sleep again: only a signal or the timeout ends a wait.
 */
#include <linux/errno.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/sched.h>

#include "cmwq_netbsd.h"
#include "internal.h"

/* C: spin mutexes this CPU holds, and its interrupt state before the first */
static DEFINE_PER_CPU(unsigned int, spin_depth);
static DEFINE_PER_CPU(unsigned long, spin_irqflags);

/* An adaptive mutex's sleeper, on its own stack. */
struct kmutex_waiter {
	struct list_head	node;		/* in m->waiters while queued */
	struct task_struct	*task;
	bool			queued;		/* on m->waiters */
};

/* A condition variable's waiter, on its own stack. */
struct kcondvar_waiter {
	struct list_head	node;		/* in cv->waiters until signalled */
	struct task_struct	*task;
};

/**
 * cmwq_mutex_init_key - initialise a NetBSD mutex (mutex_init())
 * @m: the mutex
 * @type: %CMWQ_MUTEX_DEFAULT or %CMWQ_MUTEX_DRIVER (adaptive at
 *        %CMWQ_IPL_NONE, spin above), %CMWQ_MUTEX_ADAPTIVE or
 *        %CMWQ_MUTEX_SPIN
 * @ipl: the highest interrupt level that takes it, %CMWQ_IPL_*
 * @name: its name for lockdep
 * @key: its lockdep class, one per call site (see cmwq_mutex_init())
 *
 * An adaptive mutex above %CMWQ_IPL_NONE and an unknown type or level
 * are refused with a warning; the mutex is then a spin mutex, which is
 * safe wherever it is taken.
 *
 * Context: Any context.
 */
void cmwq_mutex_init_key(struct cmwq_kmutex *m, enum cmwq_kmutex_type type,
			 int ipl, const char *name, struct lock_class_key *key)
{
	bool bad_ipl = ipl < CMWQ_IPL_NONE || ipl > CMWQ_IPL_HIGH;

	memset(m, 0, sizeof(*m));
	raw_spin_lock_init(&m->lock);
	INIT_LIST_HEAD(&m->waiters);
	switch (type) {
	case CMWQ_MUTEX_ADAPTIVE:
		m->spin = CMWQ_REFUSE(ipl != CMWQ_IPL_NONE,
				      "mutex_init: adaptive mutex %s at IPL %d from %pS",
				      name, ipl, __builtin_return_address(0));
		break;
	case CMWQ_MUTEX_SPIN:
		m->spin = true;
		break;
	case CMWQ_MUTEX_DEFAULT:
	case CMWQ_MUTEX_DRIVER:
		m->spin = ipl != CMWQ_IPL_NONE;
		break;
	default:
		m->spin = true;
		bad_ipl = true;
		break;
	}
	if (CMWQ_REFUSE(bad_ipl, "mutex_init: mutex %s of type %d at IPL %d from %pS",
			name, type, ipl, __builtin_return_address(0)))
		m->spin = true;
#ifdef CONFIG_DEBUG_LOCK_ALLOC
	/*
	 * One call site may make both kinds (the type or level being a
	 * variable): they are different lockdep classes, a sleeping and a
	 * spinning one, through different subclasses of the site's key.
	 */
	if (m->spin)
		lockdep_init_map_wait(&m->lock.dep_map, name, key, 1,
				      LD_WAIT_SPIN);
	else
		lockdep_init_map_wait(&m->dep_map, name, key, 0, LD_WAIT_SLEEP);
#endif
}
EXPORT_SYMBOL_GPL(cmwq_mutex_init_key);

/**
 * cmwq_mutex_destroy - end the life of a NetBSD mutex (mutex_destroy())
 * @m: the mutex, not held
 *
 * A held mutex, or one with sleepers, is refused with a warning and left
 * alone.  Once destroyed, taking it is refused.
 *
 * Context: Any context.
 */
void cmwq_mutex_destroy(struct cmwq_kmutex *m)
{
	if (CMWQ_REFUSE(READ_ONCE(m->owner) || !list_empty(&m->waiters),
			"mutex_destroy: held mutex %p from %pS", m,
			__builtin_return_address(0)))
		return;
	m->dead = true;
}
EXPORT_SYMBOL_GPL(cmwq_mutex_destroy);

static void kmutex_spin_enter(struct cmwq_kmutex *m)
	__acquires(m)
{
	unsigned long flags;

	local_irq_save(flags);
	raw_spin_lock(&m->lock);
	if (this_cpu_inc_return(spin_depth) == 1)
		this_cpu_write(spin_irqflags, flags);
	WRITE_ONCE(m->owner, current);
}

static void kmutex_spin_exit(struct cmwq_kmutex *m)
	__releases(m)
{
	WRITE_ONCE(m->owner, NULL);
	raw_spin_unlock(&m->lock);
	/* @m is no longer touched: its next owner may destroy it */
	if (this_cpu_dec_return(spin_depth) == 0)
		local_irq_restore(this_cpu_read(spin_irqflags));
}

/*
 * Is an adaptive mutex's owner running on a CPU, so that waiting for it
 * is best done spinning?  Not if the waiter should give its CPU up.
 *
 * Context: rcu_read_lock() held: the owner's task_struct stays.
 */
static bool kmutex_owner_running(struct task_struct *owner)
{
	return owner && owner_on_cpu(owner) && !need_resched();
}

/*
 * Spin while @m's owner runs.  @m is read without its lock, as a hint:
 * the caller takes the lock to take the mutex.
 */
static void kmutex_spin_on_owner(struct cmwq_kmutex *m)
{
	rcu_read_lock();
	while (kmutex_owner_running(READ_ONCE(m->owner)))
		cpu_relax();
	rcu_read_unlock();
}

/**
 * cmwq_mutex_enter - take a NetBSD mutex (mutex_enter())
 * @m: the mutex
 *
 * A spin mutex spins with interrupts off; an adaptive one spins while
 * its owner runs on a CPU and sleeps while it does not, until a release
 * wakes it.  Taking a destroyed mutex is refused with a warning and
 * leaves it as it is.
 *
 * Context: A spin mutex: any context.  An adaptive one: process context
 * that may sleep, not holding @m already.
 */
void cmwq_mutex_enter(struct cmwq_kmutex *m)
	__acquires(m)
{
	struct kmutex_waiter waiter;
	unsigned long flags;

	/* for sparse, every way out holds @m: a refused call changes nothing */
	if (CMWQ_REFUSE(READ_ONCE(m->dead), "mutex_enter: destroyed mutex %p from %pS",
			m, __builtin_return_address(0))) {
		__acquire(m);
		return;
	}
	if (m->spin) {
		kmutex_spin_enter(m);
		return;
	}

	might_sleep();
	lock_map_acquire(&m->dep_map);
	__acquire(m);
	waiter.task = current;
	waiter.queued = false;
	raw_spin_lock_irqsave(&m->lock, flags);
	while (m->owner) {
		bool spin;

		rcu_read_lock();
		spin = kmutex_owner_running(m->owner);
		rcu_read_unlock();
		if (spin) {
			raw_spin_unlock_irqrestore(&m->lock, flags);
			kmutex_spin_on_owner(m);
			raw_spin_lock_irqsave(&m->lock, flags);
			continue;
		}
		/* a release, which takes m->lock, finds us queued */
		waiter.queued = true;
		list_add_tail(&waiter.node, &m->waiters);
		set_current_state(TASK_UNINTERRUPTIBLE);
		raw_spin_unlock_irqrestore(&m->lock, flags);
		schedule();
		raw_spin_lock_irqsave(&m->lock, flags);
		/* woken for another reason: queue again if it is still held */
		if (waiter.queued) {
			list_del(&waiter.node);
			waiter.queued = false;
		}
	}
	WRITE_ONCE(m->owner, current);
	raw_spin_unlock_irqrestore(&m->lock, flags);
}
EXPORT_SYMBOL_GPL(cmwq_mutex_enter);

/**
 * cmwq_mutex_exit - release a NetBSD mutex (mutex_exit())
 * @m: the mutex, held by the caller
 *
 * An adaptive mutex wakes its first sleeper, if any, which competes for
 * it with whoever else wants it.  The last access to @m is the release
 * of its spinlock: whoever gets it next may destroy it at once.
 * Releasing a mutex the caller does not hold is refused with a warning
 * and leaves it as it is.
 *
 * Context: The context that took @m.
 */
void cmwq_mutex_exit(struct cmwq_kmutex *m)
	__releases(m)
{
	struct kmutex_waiter *next;
	unsigned long flags;

	if (CMWQ_REFUSE(READ_ONCE(m->owner) != current,
			"mutex_exit: mutex %p not held, from %pS", m,
			__builtin_return_address(0))) {
		__release(m);
		return;
	}
	if (m->spin) {
		kmutex_spin_exit(m);
		return;
	}

	lock_map_release(&m->dep_map);
	__release(m);
	raw_spin_lock_irqsave(&m->lock, flags);
	WRITE_ONCE(m->owner, NULL);
	next = list_first_entry_or_null(&m->waiters, struct kmutex_waiter,
					node);
	if (next) {
		list_del(&next->node);
		/* it looks at queued under m->lock: it waits for the release */
		next->queued = false;
		wake_up_process(next->task);
	}
	raw_spin_unlock_irqrestore(&m->lock, flags);
}
EXPORT_SYMBOL_GPL(cmwq_mutex_exit);

/**
 * cmwq_mutex_owned - does the caller hold a NetBSD mutex? (mutex_owned())
 * @m: the mutex
 *
 * For diagnostics, as in NetBSD.  A spin mutex taken by a hard interrupt
 * handler counts as held by the task it interrupted, until it is
 * released: the handler and that task see it held, no one else does.
 *
 * Context: Any context.
 * Return: nonzero if the current context holds @m.
 */
int cmwq_mutex_owned(struct cmwq_kmutex *m)
{
	return READ_ONCE(m->owner) == current;
}
EXPORT_SYMBOL_GPL(cmwq_mutex_owned);

/**
 * cmwq_cv_init - initialise a NetBSD condition variable (cv_init())
 * @cv: the condition variable
 * @name: its name (wait message), kept for diagnostics
 *
 * Context: Any context.
 */
void cmwq_cv_init(struct cmwq_kcondvar *cv, const char *name)
{
	raw_spin_lock_init(&cv->lock);
	INIT_LIST_HEAD(&cv->waiters);
	cv->name = name;
}
EXPORT_SYMBOL_GPL(cmwq_cv_init);

/**
 * cmwq_cv_destroy - end the life of a NetBSD condition variable
 * @cv: the condition variable, with no waiters
 *
 * Destroying one with waiters is refused with a warning.
 *
 * Context: Any context.
 */
void cmwq_cv_destroy(struct cmwq_kcondvar *cv)
{
	unsigned long flags;
	bool waiters;

	raw_spin_lock_irqsave(&cv->lock, flags);
	waiters = !list_empty(&cv->waiters);
	raw_spin_unlock_irqrestore(&cv->lock, flags);
	CMWQ_REFUSE(waiters, "cv_destroy: condvar %s has waiters, from %pS",
		    cv->name, __builtin_return_address(0));
}
EXPORT_SYMBOL_GPL(cmwq_cv_destroy);

/*
 * Wait on @cv for a signal or @timeout jiffies, with @m released.
 * Return: true if signalled.
 */
static bool cv_wait_common(struct cmwq_kcondvar *cv, struct cmwq_kmutex *m,
			   long timeout)
{
	struct kcondvar_waiter waiter = { .task = current };
	unsigned long flags;
	bool signalled;

	/* queued before the interlock goes: the next holder's signal finds it */
	raw_spin_lock_irqsave(&cv->lock, flags);
	list_add_tail(&waiter.node, &cv->waiters);
	raw_spin_unlock_irqrestore(&cv->lock, flags);
	cmwq_mutex_exit(m);

	for (;;) {
		raw_spin_lock_irqsave(&cv->lock, flags);
		signalled = list_empty(&waiter.node);
		if (signalled || !timeout) {
			if (!signalled)
				list_del(&waiter.node);
			raw_spin_unlock_irqrestore(&cv->lock, flags);
			break;
		}
		set_current_state(TASK_UNINTERRUPTIBLE);
		raw_spin_unlock_irqrestore(&cv->lock, flags);
		timeout = schedule_timeout(timeout);
	}

	cmwq_mutex_enter(m);
	return signalled;
}

/* Is the caller allowed to wait on @cv with @m? */
static bool cv_wait_refused(struct cmwq_kcondvar *cv, struct cmwq_kmutex *m,
			    const char *caller, void *ret_ip)
{
	return CMWQ_REFUSE(!cmwq_mutex_owned(m),
			   "%s: on %s without holding its mutex, from %pS",
			   caller, cv->name, ret_ip);
}

/**
 * cmwq_cv_wait - wait for a NetBSD condition variable (cv_wait())
 * @cv: the condition variable
 * @m: the interlock, held by the caller
 *
 * Releases @m, sleeps until cv_signal() or cv_broadcast() picks the
 * caller, and takes @m again.  The caller is queued before @m is
 * released.  Waiting without holding @m is refused with a warning and
 * returns at once.
 *
 * Context: Process context that may sleep, apart from holding @m (which
 * may be a spin mutex).
 */
void cmwq_cv_wait(struct cmwq_kcondvar *cv, struct cmwq_kmutex *m)
{
	if (cv_wait_refused(cv, m, "cv_wait", __builtin_return_address(0)))
		return;
	cv_wait_common(cv, m, MAX_SCHEDULE_TIMEOUT);
}
EXPORT_SYMBOL_GPL(cmwq_cv_wait);

/**
 * cmwq_cv_timedwait - wait for a NetBSD condition variable, with a timeout
 * @cv: the condition variable
 * @m: the interlock, held by the caller
 * @ticks: the longest wait, in ticks (jiffies; hz a second); 0 waits as
 *         long as it takes, as in NetBSD, and a negative count not at all
 *
 * As cmwq_cv_wait(), giving up after @ticks.
 *
 * Context: Process context that may sleep, apart from holding @m.
 * Return: 0 if signalled, %EWOULDBLOCK (positive, as in NetBSD) if the
 * time ran out or the wait was refused.
 */
int cmwq_cv_timedwait(struct cmwq_kcondvar *cv, struct cmwq_kmutex *m,
		      int ticks)
{
	long timeout = ticks ? max(ticks, 0) : MAX_SCHEDULE_TIMEOUT;
	int timed_out = EWOULDBLOCK;

	if (cv_wait_refused(cv, m, "cv_timedwait",
			    __builtin_return_address(0)))
		return timed_out;
	return cv_wait_common(cv, m, timeout) ? 0 : timed_out;
}
EXPORT_SYMBOL_GPL(cmwq_cv_timedwait);

/* Wake the first waiter.  Context: cv->lock held. */
static bool cv_wake_one(struct cmwq_kcondvar *cv)
{
	struct kcondvar_waiter *waiter;

	waiter = list_first_entry_or_null(&cv->waiters, struct kcondvar_waiter,
					  node);
	if (!waiter)
		return false;
	/* it looks at its entry under cv->lock: it waits for us to finish */
	list_del_init(&waiter->node);
	wake_up_process(waiter->task);
	return true;
}

/**
 * cmwq_cv_signal - wake one waiter of a NetBSD condition variable
 * @cv: the condition variable
 *
 * Wakes the longest waiting one, if any.  NetBSD asks the caller to hold
 * the waiters' interlock; it is not needed here, but a waiter that has
 * not yet been queued is missed without it.
 *
 * Context: Any context.
 */
void cmwq_cv_signal(struct cmwq_kcondvar *cv)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&cv->lock, flags);
	cv_wake_one(cv);
	raw_spin_unlock_irqrestore(&cv->lock, flags);
}
EXPORT_SYMBOL_GPL(cmwq_cv_signal);

/**
 * cmwq_cv_broadcast - wake every waiter of a NetBSD condition variable
 * @cv: the condition variable
 *
 * Context: Any context.
 */
void cmwq_cv_broadcast(struct cmwq_kcondvar *cv)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&cv->lock, flags);
	while (cv_wake_one(cv))
		;
	raw_spin_unlock_irqrestore(&cv->lock, flags);
}
EXPORT_SYMBOL_GPL(cmwq_cv_broadcast);
