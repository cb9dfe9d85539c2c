// SPDX-License-Identifier: GPL-2.0
/*
 * hotplug.c - CPU hotplug: the trustee
 *
 * A CPU's pools are bound to it; when it goes down they must keep running
 * elsewhere until every work on them has run, and when it returns they
 * must be bound to it again.  A trustee thread takes charge of the CPU's
 * gcwq while it goes down:
 *
 *   DONE ---(going down)---> START ---> IN_CHARGE --(dead)--> BUTCHER
 *     ^                                    |                    |
 *     |                         (offline cancelled)      (online again)
 *     |                                    v                    v
 *     +-------------------------------- RELEASE <---------------+
 *     +------------------(all idle workers destroyed)-----------+
 *
 * START: the trustee claims the manager role of every pool of the gcwq.
 * IN_CHARGE: it has made every worker rogue (out of concurrency
 *   management), zeroed nr_running, marked the pools disassociated and
 *   unbound the workers, so they run on the remaining CPUs.  It then
 *   drains: wakes as many idle workers as works wait, creates workers
 *   while needed and sends maydays, until the CPU is dead or back.
 * BUTCHER: the CPU is dead; once every worker is idle the trustee
 *   destroys them and leaves (DONE).
 * RELEASE: the CPU is back (or never left); the trustee stops, rebinds
 *   every idle worker, asks every busy one to rebind as soon as its
 *   current work ends, and hands the manager role back (DONE).
 *
 * The module's callbacks run at CPUHP_BP_PREPARE_DYN (before a CPU comes
 * up: a first idle worker per pool; after it is dead: BUTCHER) and at
 * CPUHP_AP_ONLINE_DYN (online: RELEASE, rebind, reassociate; going
 * down: start the trustee, wait until it is IN_CHARGE).  By the time the
 * going-down callback runs the scheduler has already deactivated the CPU
 * and pushes the bound workers away as they run there, so the hooks in
 * sched.c never assume they run on their pool's CPU, and the trustee runs
 * on any other CPU.
 *
 * Works queued for a disassociated pool (CPU down or going down) are sent
 * to an active CPU instead (queue.c), unless the work is still running on
 * that pool, in which case it runs after itself there, on a rogue worker.
 * Nothing is ever left on a pool without workers.
 */
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/kthread.h>
#include <linux/sched.h>

#include "internal.h"

enum {
	TRUSTEE_COOLDOWN	= HZ / 10,	/* between drain passes */
};

static enum cpuhp_state cmwq_online_state;
static enum cpuhp_state cmwq_prepare_state;

static void set_trustee_state(struct global_cwq *gcwq,
			      enum trustee_state state)
{
	spin_lock(&gcwq->trustee_lock);
	gcwq->trustee_state = state;
	spin_unlock(&gcwq->trustee_lock);
	wake_up_all(&gcwq->trustee_wait);
}

static enum trustee_state trustee_state(struct global_cwq *gcwq)
{
	return READ_ONCE(gcwq->trustee_state);
}

static void release_manager(struct worker_pool *pool)
{
	raw_spin_lock_irq(&pool->lock);
	pool->flags &= ~POOL_MANAGER_ACTIVE;
	/* a pool left without runner gets one; the next worker manages */
	if (need_more_worker(pool) || need_to_manage_workers(pool))
		wake_up_worker(pool);
	raw_spin_unlock_irq(&pool->lock);
	wake_up(&pool->manager_wait);
}

/*
 * Make every worker of @pool rogue and let them run anywhere.  The caller
 * holds the manager role, so the worker list cannot change.
 */
static void unbind_workers(struct worker_pool *pool)
{
	struct worker *worker;

	raw_spin_lock_irq(&pool->lock);
	pool->flags |= POOL_DISASSOCIATED;
	list_for_each_entry(worker, &pool->workers, node) {
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

	list_for_each_entry(worker, &pool->workers, node)
		set_cpus_allowed_ptr(worker->task, cpu_possible_mask);

	raw_spin_lock_irq(&pool->lock);
	if (need_more_worker(pool))
		wake_up_worker(pool);
	raw_spin_unlock_irq(&pool->lock);
}

/*
 * Bind every worker of @pool to its CPU again and reassociate the pool.
 * Idle workers are moved now; busy ones are asked to move themselves as
 * soon as their work ends, or when they next wake (worker_maybe_rebind()).
 * The caller holds the manager role and the CPU is online.
 */
static void rebind_workers(struct worker_pool *pool)
{
	const struct cpumask *mask = cpumask_of(pool->gcwq->cpu);
	struct worker *worker;

	/* while disassociated, nothing new comes here: move idle ones first */
	list_for_each_entry(worker, &pool->workers, node)
		if (worker->flags & WORKER_IDLE)
			set_cpus_allowed_ptr(worker->task, mask);

	raw_spin_lock_irq(&pool->lock);
	list_for_each_entry(worker, &pool->workers, node) {
		if ((worker->flags & WORKER_IDLE) &&
		    cpumask_equal(worker->task->cpus_ptr, mask)) {
			/* idle workers are PREP: nr_running is unaffected */
			worker->flags &= ~WORKER_ROGUE;
		} else if (worker->flags & WORKER_ROGUE) {
			/*
			 * Busy, or went idle after the pass above: it moves
			 * itself before it takes another work or goes idle.
			 */
			worker->flags |= WORKER_REBIND;
		}
	}
	pool->flags &= ~POOL_DISASSOCIATED;
	raw_spin_unlock_irq(&pool->lock);
}

/**
 * worker_maybe_rebind - a worker asked to rebind does so
 * @worker: the current worker, between two works or just woken
 *
 * Context: pool->lock held; dropped while moving.
 */
void worker_maybe_rebind(struct worker *worker)
	__releases(&pool->lock) __acquires(&pool->lock)
{
	struct worker_pool *pool = worker->pool;

	lockdep_assert_held(&pool->lock);
	if (likely(!(worker->flags & WORKER_REBIND)))
		return;

	worker->flags &= ~WORKER_REBIND;
	raw_spin_unlock_irq(&pool->lock);
	set_cpus_allowed_ptr(current, cpumask_of(pool->gcwq->cpu));
	raw_spin_lock_irq(&pool->lock);
	if (!(pool->flags & POOL_DISASSOCIATED)) {
		worker_clr_flags(worker, WORKER_ROGUE);
		return;
	}
	/* the CPU went down again meanwhile: stay rogue, run anywhere */
	raw_spin_unlock_irq(&pool->lock);
	set_cpus_allowed_ptr(current, cpu_possible_mask);
	raw_spin_lock_irq(&pool->lock);
}

static bool gcwq_all_idle(struct global_cwq *gcwq)
{
	struct worker_pool *pool;
	bool idle = true;
	int i;

	for (i = 0; i < NR_STD_WORKER_POOLS; i++) {
		pool = &gcwq->pools[i];
		raw_spin_lock_irq(&pool->lock);
		idle &= pool->nr_workers == pool->nr_idle &&
			list_empty(&pool->worklist);
		raw_spin_unlock_irq(&pool->lock);
	}
	return idle;
}

/* One drain pass over a disassociated pool the trustee manages. */
static void drain_pool(struct worker_pool *pool)
{
	struct worker *worker;
	struct cmwq_work *work;
	bool create;
	int nr_works = 0;

	raw_spin_lock_irq(&pool->lock);
	raw_spin_lock(&cmwq_mayday_lock);
	list_for_each_entry(work, &pool->worklist, entry) {
		send_mayday(work);
		nr_works++;
	}
	raw_spin_unlock(&cmwq_mayday_lock);

	list_for_each_entry(worker, &pool->idle_list, entry) {
		if (!nr_works--)
			break;
		wake_up_process(worker->task);
	}
	create = need_to_create_worker(pool);
	raw_spin_unlock_irq(&pool->lock);

	if (create && create_worker(pool)) {
		raw_spin_lock_irq(&pool->lock);
		pool->nr_created_by_manager++;
		raw_spin_unlock_irq(&pool->lock);
	}
}

/* Destroy the idle workers of a pool whose CPU is dead. */
static void butcher_pool(struct worker_pool *pool)
{
	struct worker *worker;

	raw_spin_lock_irq(&pool->lock);
	while ((worker = list_first_entry_or_null(&pool->idle_list,
						  struct worker, entry)))
		destroy_worker(worker);
	raw_spin_unlock_irq(&pool->lock);
}

static void gcwq_pools_do(struct global_cwq *gcwq,
			  void (*fn)(struct worker_pool *pool))
{
	int i;

	for (i = 0; i < NR_STD_WORKER_POOLS; i++)
		fn(&gcwq->pools[i]);
}

static int trustee_thread(void *arg)
{
	struct global_cwq *gcwq = arg;
	enum trustee_state state;

	gcwq_pools_do(gcwq, claim_manager);
	gcwq_pools_do(gcwq, unbind_workers);
	set_trustee_state(gcwq, TRUSTEE_IN_CHARGE);

	/*
	 * Drain until the CPU is dead and every worker idle, or until the
	 * CPU is back.  Other CPUs' hotplug callbacks may still flush works
	 * queued here, so the pools keep running meanwhile.
	 */
	for (;;) {
		state = trustee_state(gcwq);
		if (state == TRUSTEE_RELEASE ||
		    (state == TRUSTEE_BUTCHER && gcwq_all_idle(gcwq)))
			break;
		gcwq_pools_do(gcwq, drain_pool);
		wait_event_timeout(gcwq->trustee_wait,
				   trustee_state(gcwq) != state,
				   TRUSTEE_COOLDOWN);
	}

	if (state == TRUSTEE_BUTCHER)
		gcwq_pools_do(gcwq, butcher_pool);
	else
		gcwq_pools_do(gcwq, rebind_workers);
	gcwq_pools_do(gcwq, release_manager);

	spin_lock(&gcwq->trustee_lock);
	gcwq->trustee = NULL;
	gcwq->trustee_state = TRUSTEE_DONE;
	spin_unlock(&gcwq->trustee_lock);
	wake_up_all(&gcwq->trustee_wait);
	return 0;
}

static void wait_trustee_state(struct global_cwq *gcwq,
			       enum trustee_state state)
{
	wait_event(gcwq->trustee_wait, trustee_state(gcwq) == state);
}

/* Before a CPU comes up: each pool gets a first idle worker. */
static int cmwq_cpu_prepare(unsigned int cpu)
{
	return start_gcwq_workers(get_gcwq(cpu));
}

/*
 * The CPU is online, not yet active: end any trustee, bind the workers
 * and reassociate the pools.  Also the rollback of a failed offline.
 */
static int cmwq_cpu_online(unsigned int cpu)
{
	struct global_cwq *gcwq = get_gcwq(cpu);

	spin_lock(&gcwq->trustee_lock);
	if (gcwq->trustee_state != TRUSTEE_DONE) {
		gcwq->trustee_state = TRUSTEE_RELEASE;
		spin_unlock(&gcwq->trustee_lock);
		wake_up_all(&gcwq->trustee_wait);
		wait_trustee_state(gcwq, TRUSTEE_DONE);
	} else {
		spin_unlock(&gcwq->trustee_lock);
	}

	/*
	 * The trustee may have butchered the pools before it saw the CPU
	 * come back (and the prepare step found workers still there): make
	 * sure each pool has a worker, then bind them all.
	 */
	if (start_gcwq_workers(gcwq))
		return -ENOMEM;
	gcwq_pools_do(gcwq, claim_manager);
	gcwq_pools_do(gcwq, rebind_workers);
	gcwq_pools_do(gcwq, release_manager);
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

	/* a trustee of an earlier offline may still be butchering */
	wait_trustee_state(gcwq, TRUSTEE_DONE);

	trustee = kthread_create(trustee_thread, gcwq, "cmwq_trustee/%d", cpu);
	if (IS_ERR(trustee))
		return PTR_ERR(trustee);

	spin_lock(&gcwq->trustee_lock);
	gcwq->trustee = trustee;
	gcwq->trustee_state = TRUSTEE_START;
	spin_unlock(&gcwq->trustee_lock);
	wake_up_process(trustee);
	wait_trustee_state(gcwq, TRUSTEE_IN_CHARGE);
	return 0;
}

/*
 * The CPU is dead (or never came up): its idle workers go, through the
 * trustee if one is draining, else right here.
 */
static int cmwq_cpu_dead(unsigned int cpu)
{
	struct global_cwq *gcwq = get_gcwq(cpu);

	spin_lock(&gcwq->trustee_lock);
	if (gcwq->trustee_state != TRUSTEE_DONE) {
		gcwq->trustee_state = TRUSTEE_BUTCHER;
		spin_unlock(&gcwq->trustee_lock);
		wake_up_all(&gcwq->trustee_wait);
		return 0;
	}
	spin_unlock(&gcwq->trustee_lock);

	gcwq_pools_do(gcwq, claim_manager);
	gcwq_pools_do(gcwq, butcher_pool);
	gcwq_pools_do(gcwq, release_manager);
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
	for_each_possible_cpu(cpu)
		wait_trustee_state(get_gcwq(cpu), TRUSTEE_DONE);
}
