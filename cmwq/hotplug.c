// SPDX-License-Identifier: GPL-2.0
/*
 * hotplug.c - CPU hotplug: the trustee
 *
 * A CPU's pools are bound to it; when it goes down they must keep running
 * elsewhere until every work on them has run, and when it returns they
 * must be bound to it again.  A trustee thread takes charge of the CPU's
 * gcwq while it goes down:
 *
 *   DONE --(going down)--> START --> IN_CHARGE --(dead)--> BUTCHER
 *     ^                                 |  ^                   |
 *     |             (online, or offline |  | (coming up)       |
 *     |              cancelled)         v  +-------------------+
 *     +------------------------------ RELEASE                  |
 *     +---------------(idle: workers destroyed)----------------+
 *
 * START: the trustee unbinds every pool of the gcwq: it marks the pools
 *   disassociated and every worker rogue (out of concurrency management),
 *   waits until every scheduler hook sees that, zeroes nr_running and
 *   lets the workers run on any CPU.
 * IN_CHARGE: the pools drain themselves.  With nr_running at zero every
 *   waiting work gets a worker of its own, and the pool's manager creates
 *   more as usual (new workers of a disassociated pool start rogue), with
 *   the mayday timer and the rescuers behind it when creation fails.  The
 *   trustee never holds the manager role meanwhile, so nothing it waits
 *   for waits for it.
 * BUTCHER: the CPU is dead.  The trustee sleeps until its pools are idle
 *   (no work waiting, running or held back inactive, every worker idle),
 *   then destroys their workers (DONE).  If the CPU starts coming up
 *   first, it stands down to IN_CHARGE.
 * RELEASE: the CPU is online again, or its offline was cancelled: the
 *   trustee leaves and the online callback binds the workers again (DONE).
 *
 * The trustee sleeps on gcwq->trustee_rcuwait: the hotplug callbacks wake
 * it when they change its state, and a worker of a disassociated pool
 * wakes it whenever it goes idle.  A trustee that is done waits to be
 * reaped with kthread_stop() by the next callback of its CPU or by the
 * module's exit, so the module never leaves a thread behind.
 *
 * The module's callbacks run at CPUHP_BP_PREPARE_DYN (before a CPU comes
 * up: a first idle worker per pool; after it is dead: BUTCHER) and at
 * CPUHP_AP_ONLINE_DYN (online: RELEASE, rebind, reassociate; going down:
 * start the trustee, wait until it is IN_CHARGE).  The online callback
 * never fails, so no rollback of it can strand a trustee.
 *
 * The scheduler deactivates a CPU going down before these callbacks run,
 * and from then on pushes cmwq's workers off it whenever they run there,
 * widening their affinity.  Until the trustee unbinds the pools, works of
 * the CPU may so run on other CPUs.  If the offline is then aborted by a
 * step above cmwq's, the kernel rolls back without calling cmwq: each
 * worker notices it is no longer bound when it next wakes or finishes a
 * work, and moves itself back (worker_maybe_rebind()).
 *
 * Works queued for a disassociated pool are sent to an active CPU instead
 * (queue.c), unless the work is still running on that pool, in which case
 * it runs after itself there, on a rogue worker.
 */
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/kthread.h>
#include <linux/sched.h>

#include "internal.h"
#include "trace.h"

static enum cpuhp_state cmwq_online_state;	/* I */
static enum cpuhp_state cmwq_prepare_state;	/* I */

static enum trustee_state trustee_state(struct global_cwq *gcwq)
{
	return READ_ONCE(gcwq->trustee_state);
}

static void set_trustee_state(struct global_cwq *gcwq,
			      enum trustee_state state)
{
	lockdep_assert_held(&gcwq->trustee_mutex);
	trace_cmwq_trustee_state(gcwq->cpu, gcwq->trustee_state, state);
	WRITE_ONCE(gcwq->trustee_state, state);
	rcuwait_wake_up(&gcwq->trustee_rcuwait);
	wake_up_all(&gcwq->trustee_wait);
}

/*
 * Make every worker of @pool rogue and let them run anywhere.
 */
static void unbind_workers(struct worker_pool *pool)
{
	struct worker *worker;

	mutex_lock(&pool->attach_mutex);
	raw_spin_lock_irq(&pool->lock);
	pool->flags |= POOL_DISASSOCIATED;
	for_each_pool_worker(worker, pool) {
		worker->flags |= WORKER_ROGUE;
		worker->flags &= ~WORKER_REBIND;
	}
	raw_spin_unlock_irq(&pool->lock);

	/*
	 * The scheduler hooks run with interrupts off inside __schedule(),
	 * an RCU read-side section: after a grace period every hook sees
	 * WORKER_ROGUE, so none touches nr_running again and it can be
	 * zeroed for good.
	 */
	synchronize_rcu();

	raw_spin_lock_irq(&pool->lock);
	atomic_set(&pool->nr_running, 0);
	raw_spin_unlock_irq(&pool->lock);

	for_each_pool_worker(worker, pool)
		set_cpus_allowed_ptr(worker->task, cpu_possible_mask);
	mutex_unlock(&pool->attach_mutex);

	/* nobody counts as running any more: works waiting need a worker */
	raw_spin_lock_irq(&pool->lock);
	if (need_more_worker(pool))
		wake_up_worker(pool);
	raw_spin_unlock_irq(&pool->lock);
}

/*
 * Bind every worker of @pool to its CPU again and reassociate the pool.
 * Idle workers are moved now; busy ones are asked to move themselves as
 * soon as their work ends, or when they next wake (worker_maybe_rebind()),
 * and one that went idle between the two passes is woken to do so.  The
 * CPU is online.
 */
static void rebind_workers(struct worker_pool *pool)
{
	const struct cpumask *mask = cpumask_of(pool->gcwq->cpu);
	struct worker *worker;

	mutex_lock(&pool->attach_mutex);
	/* while disassociated, nothing new comes here: move idle ones first */
	for_each_pool_worker(worker, pool)
		if (worker->flags & WORKER_IDLE)
			set_cpus_allowed_ptr(worker->task, mask);
	/* a test may make a busy worker go idle here (testif.c) */
	cmwq_rebind_pause_point(pool);

	raw_spin_lock_irq(&pool->lock);
	for_each_pool_worker(worker, pool) {
		if ((worker->flags & WORKER_IDLE) &&
		    cpumask_equal(worker->task->cpus_ptr, mask)) {
			/* idle workers are PREP: nr_running is unaffected */
			worker->flags &= ~WORKER_ROGUE;
		} else if (worker->flags & WORKER_ROGUE) {
			/*
			 * Busy: it moves itself before it takes another work
			 * or goes idle.  Gone idle since the pass above, while
			 * the pool was still disassociated: nothing may wake
			 * it for long, so wake it now to move itself.
			 */
			worker->flags |= WORKER_REBIND;
			if (worker->flags & WORKER_IDLE)
				wake_up_process(worker->task);
		}
	}
	pool->flags &= ~POOL_DISASSOCIATED;
	raw_spin_unlock_irq(&pool->lock);
	mutex_unlock(&pool->attach_mutex);
}

/*
 * Policy: a dead CPU's pool may lose its workers once nothing of it is
 * left: no work waiting, held back inactive (a frozen queue's) or running
 * (a rescuer may run one), and every worker idle.
 */
static bool pool_all_idle(struct worker_pool *pool)
{
	lockdep_assert_held(&pool->lock);
	return pool->nr_workers == pool->nr_idle &&
	       list_empty(&pool->worklist) && !pool->nr_inactive &&
	       hash_empty(pool->busy_hash);
}

static bool gcwq_all_idle(struct global_cwq *gcwq)
{
	struct worker_pool *pool;
	bool idle = true;
	int i;

	for (i = 0; i < NR_STD_WORKER_POOLS; i++) {
		pool = &gcwq->pools[i];
		raw_spin_lock_irq(&pool->lock);
		idle &= pool_all_idle(pool);
		raw_spin_unlock_irq(&pool->lock);
	}
	return idle;
}

static void gcwq_pools_do(struct global_cwq *gcwq,
			  void (*fn)(struct worker_pool *pool))
{
	int i;

	for (i = 0; i < NR_STD_WORKER_POOLS; i++)
		fn(&gcwq->pools[i]);
}

/* A dead CPU's idle workers go: gcwq_pools_do() takes a one-argument fn. */
static void destroy_dead_workers(struct worker_pool *pool)
{
	destroy_idle_workers(pool, CMWQ_WORKER_CPU_DEAD);
}

static bool trustee_has_work(struct global_cwq *gcwq)
{
	enum trustee_state state = trustee_state(gcwq);

	return state == TRUSTEE_RELEASE ||
	       (state == TRUSTEE_BUTCHER && gcwq_all_idle(gcwq));
}

/* Act on the state if there is something to do; %true when done. */
static bool trustee_try_finish(struct global_cwq *gcwq)
{
	bool done = false;

	mutex_lock(&gcwq->trustee_mutex);
	switch (gcwq->trustee_state) {
	case TRUSTEE_RELEASE:
		done = true;
		break;
	case TRUSTEE_BUTCHER:
		/* the pools cannot get busy again: nothing comes to them */
		if (gcwq_all_idle(gcwq)) {
			gcwq_pools_do(gcwq, destroy_dead_workers);
			done = true;
		}
		break;
	default:
		break;
	}
	if (done)
		set_trustee_state(gcwq, TRUSTEE_DONE);
	mutex_unlock(&gcwq->trustee_mutex);
	return done;
}

static int trustee_thread(void *arg)
{
	struct global_cwq *gcwq = arg;

	gcwq_pools_do(gcwq, unbind_workers);
	mutex_lock(&gcwq->trustee_mutex);
	set_trustee_state(gcwq, TRUSTEE_IN_CHARGE);
	mutex_unlock(&gcwq->trustee_mutex);

	do {
		rcuwait_wait_event(&gcwq->trustee_rcuwait,
				   trustee_has_work(gcwq), TASK_IDLE);
	} while (!trustee_try_finish(gcwq));

	/* done: wait to be reaped, so the module knows when it is gone */
	for (;;) {
		set_current_state(TASK_IDLE);
		if (kthread_should_stop())
			break;
		schedule();
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

/* Stop a trustee that is done, if one is left. */
static void reap_trustee(struct global_cwq *gcwq)
{
	struct task_struct *trustee;

	mutex_lock(&gcwq->trustee_mutex);
	WARN_ON_ONCE(gcwq->trustee_state != TRUSTEE_DONE);
	trustee = gcwq->trustee;
	gcwq->trustee = NULL;
	mutex_unlock(&gcwq->trustee_mutex);
	if (trustee)
		kthread_stop(trustee);
}

/*
 * Before a CPU comes up: a trustee still waiting to butcher stands down
 * (one already butchering is waited for), and each pool gets a first idle
 * worker if it has none.
 */
static int cmwq_cpu_prepare(unsigned int cpu)
{
	struct global_cwq *gcwq = get_gcwq(cpu);
	bool done;

	mutex_lock(&gcwq->trustee_mutex);
	if (gcwq->trustee_state == TRUSTEE_BUTCHER)
		set_trustee_state(gcwq, TRUSTEE_IN_CHARGE);
	done = gcwq->trustee_state == TRUSTEE_DONE;
	mutex_unlock(&gcwq->trustee_mutex);
	if (done)
		reap_trustee(gcwq);
	return start_gcwq_workers(gcwq, CMWQ_WORKER_PREPARE);
}

/*
 * The CPU is online, not yet active: end any trustee, bind the workers
 * and reassociate the pools.  Also the rollback of a failed offline.
 * Never fails: the prepare step gave every pool its workers.
 */
static int cmwq_cpu_online(unsigned int cpu)
{
	struct global_cwq *gcwq = get_gcwq(cpu);

	mutex_lock(&gcwq->trustee_mutex);
	if (gcwq->trustee_state != TRUSTEE_DONE)
		set_trustee_state(gcwq, TRUSTEE_RELEASE);
	mutex_unlock(&gcwq->trustee_mutex);
	wait_event(gcwq->trustee_wait, trustee_state(gcwq) == TRUSTEE_DONE);
	reap_trustee(gcwq);

	gcwq_pools_do(gcwq, rebind_workers);
	return 0;
}

/*
 * The CPU is going down (already inactive): put a trustee in charge.
 * Also the rollback of a failed online.
 */
static int cmwq_cpu_down_prepare(unsigned int cpu)
{
	struct global_cwq *gcwq = get_gcwq(cpu);
	struct task_struct *trustee;

	trustee = kthread_create(trustee_thread, gcwq, "cmwq_trustee/%d", cpu);
	if (IS_ERR(trustee))
		return PTR_ERR(trustee);

	mutex_lock(&gcwq->trustee_mutex);
	gcwq->trustee = trustee;
	set_trustee_state(gcwq, TRUSTEE_START);
	mutex_unlock(&gcwq->trustee_mutex);
	wake_up_process(trustee);
	wait_event(gcwq->trustee_wait,
		   trustee_state(gcwq) == TRUSTEE_IN_CHARGE);
	return 0;
}

/*
 * The CPU is dead (or never came up): its workers go, through the
 * trustee once its pools are idle, else right here (no trustee: nothing
 * ever ran on them).
 */
static int cmwq_cpu_dead(unsigned int cpu)
{
	struct global_cwq *gcwq = get_gcwq(cpu);

	mutex_lock(&gcwq->trustee_mutex);
	if (gcwq->trustee_state == TRUSTEE_IN_CHARGE)
		set_trustee_state(gcwq, TRUSTEE_BUTCHER);
	else
		gcwq_pools_do(gcwq, destroy_dead_workers);
	mutex_unlock(&gcwq->trustee_mutex);
	return 0;
}

/**
 * cmwq_hotplug_init - register cmwq's CPU hotplug callbacks
 *
 * Context: Module init; might sleep.  Every pool starts disassociated;
 * registering runs the prepare and online callbacks for each online CPU,
 * which give its pools their first workers and bind them.  CPUs offline
 * at load get theirs when they come up.
 * Return: 0 or a negative errno.
 */
int cmwq_hotplug_init(void)
{
	int ret;

	ret = cpuhp_setup_state(CPUHP_BP_PREPARE_DYN, "cmwq:prepare",
				cmwq_cpu_prepare, cmwq_cpu_dead);
	if (ret < 0)
		return ret;
	cmwq_prepare_state = ret;

	ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "cmwq:online",
				cmwq_cpu_online, cmwq_cpu_down_prepare);
	if (ret < 0)
		goto remove_prepare;
	cmwq_online_state = ret;
	return 0;

remove_prepare:
	cpuhp_remove_state_nocalls(cmwq_prepare_state);
	return ret;
}

/**
 * cmwq_hotplug_exit - unregister the callbacks, wait out the trustees
 *
 * Context: Module exit; might sleep.
 */
void cmwq_hotplug_exit(void)
{
	int cpu;

	cpuhp_remove_state_nocalls(cmwq_online_state);
	cpuhp_remove_state_nocalls(cmwq_prepare_state);

	/* no hotplug runs now: a trustee left can only be butchering */
	for_each_possible_cpu(cpu) {
		struct global_cwq *gcwq = get_gcwq(cpu);

		wait_event(gcwq->trustee_wait,
			   trustee_state(gcwq) == TRUSTEE_DONE);
		reap_trustee(gcwq);
	}
}
