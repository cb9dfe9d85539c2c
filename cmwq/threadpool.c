// SPDX-License-Identifier: GPL-2.0
/*
 * threadpool.c - NetBSD's threadpool(9) on cmwq's shared pools
 *
 * NetBSD's thread pools are shared by priority: threadpool_get(pri) gives
 * everyone asking for a priority the same pool, unbound, and
 * threadpool_percpu_get(pri) the same set of per-CPU pools, each CPU's
 * with threads of its own.  A pool creates threads while jobs wait and
 * reaps them when idle: what cmwq's worker pools do for every queue.
 *
 * So a pool here is a cmwq workqueue: an unbound queue for threadpool_get(),
 * a bound one for threadpool_percpu_get(), whose per-CPU pools are the
 * queue's CPUs (a job scheduled on CPU n's pool is queued on CPU n).  One
 * queue per priority and kind, created by the first get, counted, and
 * destroyed by the last put.  cmwq has two priorities of workers, nice 0
 * and nice -20 (CMWQ_HIGHPRI); NetBSD's real-time priorities, from
 * PRI_USER_RT up (which include the soft-interrupt priorities NetBSD's
 * own task queues use), go to the nice -20 workers, which run before any
 * nice 0 thread as NetBSD's real-time threads run before timesharing
 * ones.  PRI_NONE and the timesharing and kernel priorities below go to
 * the nice 0 ones.  The queues take CMWQ_MAX_ACTIVE jobs at once (per CPU
 * for the bound one): NetBSD's pools have no limit.  A job that sleeps
 * leaves its CPU to the pool's next job; one that runs without sleeping
 * holds back the bound pool's others on that CPU (concurrency
 * management), and is taken out of it by cmwq's hog detection.
 *
 * A job is a work item with a state, under the job's lock (the caller's
 * kmutex): IDLE, PENDING (queued) or RUNNING (taken by a worker, until the
 * job calls threadpool_job_done()).  Scheduling an IDLE job queues its
 * work; scheduling a PENDING or RUNNING one does nothing, so a job runs
 * once at a time.  A job is done before its function returns, and may
 * run again at once, but cmwq never runs a work while an instance of it
 * still runs: it queues the work behind that instance, on its pool (on
 * another CPU, for a per-CPU job scheduled on the next CPU's pool).  It
 * tells instances apart by the work's address and function: so each
 * schedule gives the work the next of four functions, all running the
 * job.
 *
 * The worker's function takes the job's lock, marks it RUNNING and calls
 * the job's function without it.  It never touches the job after that
 * function returns: once done, the job may be scheduled again, cancelled,
 * destroyed and freed.  Whether threadpool_job_done() was called is kept
 * on the worker's stack (struct cmwq_threadpool_run) for the check that
 * it was.
 *
 * Cancelling a PENDING job takes its work off the queue with
 * cmwq_cancel_work(), which works from any context.  When that fails the
 * worker has dequeued it and is about to take the job's lock: the job is
 * as good as RUNNING, and a waiting cancel waits on the job's condvar for
 * threadpool_job_done(), dropping and taking the job's lock again.
 *
 * Locking letters are internal.h's: G is tp_lock, J the job's lock.
 */
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched/task_stack.h>
#include <linux/slab.h>

#include "cmwq_netbsd.h"
#include "internal.h"
#include "netbsd_internal.h"

/* job->state; 0 is a job threadpool_job_init() never saw */
enum {
	CMWQ_TP_JOB_IDLE	= 1,
	CMWQ_TP_JOB_PENDING,
	CMWQ_TP_JOB_RUNNING,
	CMWQ_TP_JOB_DEAD,		/* threadpool_job_destroy()ed */
};

/* A job running, on its worker's stack. */
struct cmwq_threadpool_run {
	struct task_struct		*task;		/* I */
	bool				done;		/* J: job_done() called */
};

static DEFINE_MUTEX(tp_lock);
/* G: by priority; PRI_NONE's last */
static struct cmwq_threadpool *tp_unbound[CMWQ_PRI_COUNT + 1];
static struct cmwq_threadpool_percpu *tp_percpu[CMWQ_PRI_COUNT + 1];

/**
 * cmwq_threadpool_get - get a reference to the unbound pool of a priority
 * @poolp: where to store the pool
 * @pri: %CMWQ_PRI_NONE, or from %CMWQ_PRI_USER up to below %CMWQ_PRI_COUNT
 *
 * The same priority gives the same pool, created by the first caller.
 * An invalid priority is refused with a warning.
 *
 * Context: Process context; might sleep.
 * Return: 0, or a positive errno as in NetBSD: %EINVAL for an invalid
 * priority, %ENOMEM if the pool could not be created, %EBUSY if it has
 * as many references as it can count.
 */
int cmwq_threadpool_get(struct cmwq_threadpool **poolp, int pri)
{
	struct cmwq_threadpool *pool;
	int err = EINVAL;

	if (CMWQ_REFUSE(!cmwq_netbsd_pri_valid(pri),
			"threadpool_get: invalid priority %d from %pS", pri,
			__builtin_return_address(0)))
		return err;

	err = 0;
	mutex_lock(&tp_lock);
	pool = tp_unbound[cmwq_netbsd_pri_index(pri)];
	if (!pool) {
		err = ENOMEM;
		pool = kzalloc(sizeof(*pool), GFP_KERNEL);
		if (!pool)
			goto out;
		pool->wq = cmwq_alloc_workqueue("threadpool/%d",
						CMWQ_UNBOUND | cmwq_netbsd_wq_flags(pri),
						CMWQ_MAX_ACTIVE, pri);
		if (!pool->wq) {
			kfree(pool);
			goto out;
		}
		pool->cpu = CMWQ_CPU_UNBOUND;
		pool->pri = pri;
		tp_unbound[cmwq_netbsd_pri_index(pri)] = pool;
		err = 0;
	} else if (pool->refcnt == UINT_MAX) {
		err = EBUSY;
		goto out;
	}
	pool->refcnt++;
	*poolp = pool;
out:
	mutex_unlock(&tp_lock);
	return err;
}
EXPORT_SYMBOL_GPL(cmwq_threadpool_get);

/* Destroy an unbound pool no one refers to any more, after its jobs. */
static void tp_unbound_destroy(struct cmwq_threadpool *pool)
{
	cmwq_destroy_workqueue(pool->wq);
	kfree(pool);
}

/**
 * cmwq_threadpool_put - release a reference to an unbound pool
 * @pool: the pool, from cmwq_threadpool_get()
 * @pri: the priority it was got with
 *
 * The last reference destroys the pool, which waits for the jobs still
 * queued on it; there should be none.  A NULL or per-CPU pool, or the
 * wrong priority, is refused with a warning.
 *
 * Context: Process context; might sleep.  Not from a job of @pool.
 */
void cmwq_threadpool_put(struct cmwq_threadpool *pool, int pri)
{
	bool last;

	if (CMWQ_REFUSE(!pool || pool->percpu || pool->pri != pri,
			"threadpool_put: pool %p of priority %d from %pS",
			pool, pri, __builtin_return_address(0)))
		return;

	mutex_lock(&tp_lock);
	last = !--pool->refcnt;
	if (last)
		tp_unbound[cmwq_netbsd_pri_index(pri)] = NULL;
	mutex_unlock(&tp_lock);
	if (last)
		tp_unbound_destroy(pool);
}
EXPORT_SYMBOL_GPL(cmwq_threadpool_put);

/**
 * cmwq_tp_percpu_create - a new set of per-CPU pools: one bound queue
 * @pri: a valid priority, which gives the queue's workers (see the top)
 * @name: the queue's name, followed by "/" and @pri
 *
 * Context: Process context; might sleep.
 * Return: the pools, unreferenced, or %NULL if out of memory.
 */
struct cmwq_threadpool_percpu *cmwq_tp_percpu_create(int pri, const char *name)
{
	struct cmwq_threadpool_percpu *pp;
	int cpu;

	pp = kzalloc(sizeof(*pp), GFP_KERNEL);
	if (!pp)
		return NULL;
	pp->pools = kcalloc(nr_cpu_ids, sizeof(*pp->pools), GFP_KERNEL);
	if (!pp->pools)
		goto fail;
	pp->wq = cmwq_alloc_workqueue("%s/%d", cmwq_netbsd_wq_flags(pri),
				      CMWQ_MAX_ACTIVE, name, pri);
	if (!pp->wq)
		goto fail;
	pp->pri = pri;
	for (cpu = 0; cpu < nr_cpu_ids; cpu++) {
		pp->pools[cpu].wq = pp->wq;
		pp->pools[cpu].cpu = cpu;
		pp->pools[cpu].pri = pri;
		pp->pools[cpu].percpu = pp;
	}
	return pp;

fail:
	kfree(pp->pools);
	kfree(pp);
	return NULL;
}

/**
 * cmwq_tp_percpu_destroy - destroy per-CPU pools no one refers to any more
 * @pp: the pools, from cmwq_tp_percpu_create()
 *
 * Waits for the jobs still queued, as cmwq_destroy_workqueue() does.
 *
 * Context: Process context; might sleep.  Not from a job of @pp.
 */
void cmwq_tp_percpu_destroy(struct cmwq_threadpool_percpu *pp)
{
	cmwq_destroy_workqueue(pp->wq);
	kfree(pp->pools);
	kfree(pp);
}

/**
 * cmwq_threadpool_percpu_get - get a reference to the per-CPU pools of a priority
 * @ppp: where to store the per-CPU pools
 * @pri: %CMWQ_PRI_NONE, or from %CMWQ_PRI_USER up to below %CMWQ_PRI_COUNT
 *
 * As cmwq_threadpool_get(), for the pools of every CPU at once.
 *
 * Context: Process context; might sleep.
 * Return: 0, or a positive errno: %EINVAL, %ENOMEM or %EBUSY.
 */
int cmwq_threadpool_percpu_get(struct cmwq_threadpool_percpu **ppp, int pri)
{
	struct cmwq_threadpool_percpu *pp;
	int err = EINVAL;

	if (CMWQ_REFUSE(!cmwq_netbsd_pri_valid(pri),
			"threadpool_percpu_get: invalid priority %d from %pS",
			pri, __builtin_return_address(0)))
		return err;

	err = 0;
	mutex_lock(&tp_lock);
	pp = tp_percpu[cmwq_netbsd_pri_index(pri)];
	if (!pp) {
		err = ENOMEM;
		pp = cmwq_tp_percpu_create(pri, "threadpool_percpu");
		if (!pp)
			goto out;
		tp_percpu[cmwq_netbsd_pri_index(pri)] = pp;
		err = 0;
	} else if (pp->refcnt == UINT_MAX) {
		err = EBUSY;
		goto out;
	}
	pp->refcnt++;
	*ppp = pp;
out:
	mutex_unlock(&tp_lock);
	return err;
}
EXPORT_SYMBOL_GPL(cmwq_threadpool_percpu_get);

/**
 * cmwq_threadpool_percpu_put - release a reference to per-CPU pools
 * @pp: the per-CPU pools, from cmwq_threadpool_percpu_get()
 * @pri: the priority they were got with
 *
 * As cmwq_threadpool_put().
 *
 * Context: Process context; might sleep.  Not from a job of @pp.
 */
void cmwq_threadpool_percpu_put(struct cmwq_threadpool_percpu *pp, int pri)
{
	bool last;

	if (CMWQ_REFUSE(!pp || pp->pri != pri,
			"threadpool_percpu_put: pools %p of priority %d from %pS",
			pp, pri, __builtin_return_address(0)))
		return;

	mutex_lock(&tp_lock);
	last = !--pp->refcnt;
	if (last)
		tp_percpu[cmwq_netbsd_pri_index(pri)] = NULL;
	mutex_unlock(&tp_lock);
	if (last)
		cmwq_tp_percpu_destroy(pp);
}
EXPORT_SYMBOL_GPL(cmwq_threadpool_percpu_put);

/**
 * cmwq_threadpool_percpu_ref - the current CPU's pool of per-CPU pools
 * @pp: the per-CPU pools
 *
 * The pool lives as long as the caller's reference to @pp.
 *
 * Context: Any context; does not sleep.
 * Return: the pool of the CPU the caller runs on (it may have moved on
 * since, unless it cannot migrate), or %NULL if @pp is NULL (refused).
 */
struct cmwq_threadpool *
cmwq_threadpool_percpu_ref(struct cmwq_threadpool_percpu *pp)
{
	if (CMWQ_REFUSE(!pp, "threadpool_percpu_ref: NULL pools from %pS",
			__builtin_return_address(0)))
		return NULL;
	return &pp->pools[raw_smp_processor_id()];
}
EXPORT_SYMBOL_GPL(cmwq_threadpool_percpu_ref);

/**
 * cmwq_threadpool_percpu_ref_remote - a given CPU's pool of per-CPU pools
 * @pp: the per-CPU pools
 * @cpu: a possible CPU (a Linux CPU number: NetBSD takes a cpu_info)
 *
 * Context: Any context; does not sleep.
 * Return: the pool of @cpu, or %NULL if @pp is NULL or @cpu impossible
 * (refused with a warning).
 */
struct cmwq_threadpool *
cmwq_threadpool_percpu_ref_remote(struct cmwq_threadpool_percpu *pp, int cpu)
{
	if (CMWQ_REFUSE(!pp || cpu < 0 || cpu >= nr_cpu_ids ||
			!cpu_possible(cpu),
			"threadpool_percpu_ref_remote: pools %p, CPU %d from %pS",
			pp, cpu, __builtin_return_address(0)))
		return NULL;
	return &pp->pools[cpu];
}
EXPORT_SYMBOL_GPL(cmwq_threadpool_percpu_ref_remote);

/* A job's end, under its lock: it may be scheduled again. */
static void tp_job_end(struct cmwq_threadpool_job *job)
{
	job->run->done = true;
	job->run = NULL;
	job->state = CMWQ_TP_JOB_IDLE;
	cmwq_cv_broadcast(&job->cv);
}

/* What a worker runs for a job: the job's function, once at a time. */
static void __tp_job_run(struct cmwq_work *work)
{
	struct cmwq_threadpool_job *job =
		container_of(work, struct cmwq_threadpool_job, work);
	struct cmwq_threadpool_run run = { .task = current };

	cmwq_mutex_enter(job->lock);
	job->state = CMWQ_TP_JOB_RUNNING;
	job->run = &run;
	cmwq_mutex_exit(job->lock);

	job->fn(job);

	/*
	 * A job that did not say it is done is still RUNNING: nobody may
	 * have freed it.  End it, or it could never run or be cancelled;
	 * unless another run took it over, after a refused call.
	 */
	if (CMWQ_REFUSE(!run.done,
			"threadpool job %s returned without threadpool_job_done()",
			job->name)) {
		cmwq_mutex_enter(job->lock);
		if (job->run == &run)
			tp_job_end(job);
		cmwq_mutex_exit(job->lock);
	}
}

/*
 * The same, under several names.  cmwq runs a work queued while it still
 * runs on the same pool after that instance returns; it recognises the
 * instance by the work's address and function.  A job done may run again
 * before its function returned, as in NetBSD: each schedule gives the
 * work the next of these functions, so only a run outliving the next
 * CMWQ_TP_RUNNERS - 1 runs' starts holds up the one after them.
 */
#define CMWQ_TP_RUNNERS		4

static void tp_job_run0(struct cmwq_work *work)
{
	__tp_job_run(work);
}

static void tp_job_run1(struct cmwq_work *work)
{
	__tp_job_run(work);
}

static void tp_job_run2(struct cmwq_work *work)
{
	__tp_job_run(work);
}

static void tp_job_run3(struct cmwq_work *work)
{
	__tp_job_run(work);
}

static const cmwq_func_t tp_job_runners[CMWQ_TP_RUNNERS] = {
	tp_job_run0, tp_job_run1, tp_job_run2, tp_job_run3,
};

/**
 * cmwq_threadpool_job_init - initialise a job
 * @job: the job, embedded in the caller's object (on the stack too)
 * @fn: its function, which calls cmwq_threadpool_job_done() before returning
 * @lock: its interlock, a kmutex held around scheduling and cancelling it
 * @fmt: printf format for its name
 * @...: arguments for @fmt
 *
 * Context: Any context.
 */
void cmwq_threadpool_job_init(struct cmwq_threadpool_job *job,
			      cmwq_threadpool_job_fn_t *fn,
			      struct cmwq_kmutex *lock, const char *fmt, ...)
{
	static struct lock_class_key key;
	va_list args;

	memset(job, 0, sizeof(*job));
	job->onstack = object_is_on_stack(job);
	__cmwq_init_work(&job->work, tp_job_runners[0], job->onstack,
			 "threadpool_job", &key);
	job->lock = lock;
	job->fn = fn;
	job->state = CMWQ_TP_JOB_IDLE;
	cmwq_cv_init(&job->cv, "jobcv");
	va_start(args, fmt);
	vsnprintf(job->name, sizeof(job->name), fmt, args);
	va_end(args);
}
EXPORT_SYMBOL_GPL(cmwq_threadpool_job_init);

/*
 * Refuse a job that is NULL, was never initialised or was destroyed, or
 * whose lock the caller does not hold.  Context: job's lock held.
 */
static bool tp_job_refused(struct cmwq_threadpool_job *job,
			   const char *caller, void *ret_ip)
{
	return CMWQ_REFUSE(!job, "%s: NULL job from %pS", caller, ret_ip) ||
	       CMWQ_REFUSE(job->state < CMWQ_TP_JOB_IDLE ||
			   job->state > CMWQ_TP_JOB_RUNNING,
			   "%s: job %p %s from %pS", caller, job,
			   job->state == CMWQ_TP_JOB_DEAD ? "destroyed" :
			   "never initialised", ret_ip) ||
	       CMWQ_REFUSE(!cmwq_mutex_owned(job->lock),
			   "%s: job %s without its lock held, from %pS",
			   caller, job->name, ret_ip);
}

/**
 * cmwq_threadpool_schedule_job - run a job on a pool
 * @pool: the pool
 * @job: the job; its lock held
 *
 * Does nothing if @job is already scheduled or running: until its
 * function calls cmwq_threadpool_job_done(), it runs once.  A NULL pool,
 * or a job that is not initialised, destroyed or not locked by the
 * caller, is refused with a warning.
 *
 * Context: Any context, including hard IRQ (with a spin mutex as the
 * job's lock).
 */
void cmwq_threadpool_schedule_job(struct cmwq_threadpool *pool,
				  struct cmwq_threadpool_job *job)
{
	void *ret_ip = __builtin_return_address(0);

	if (tp_job_refused(job, "threadpool_schedule_job", ret_ip) ||
	    CMWQ_REFUSE(!pool, "threadpool_schedule_job: NULL pool from %pS",
			ret_ip))
		return;
	if (job->state != CMWQ_TP_JOB_IDLE)
		return;

	job->state = CMWQ_TP_JOB_PENDING;
	/* not behind its last runs, which may still be returning */
	job->runner = (job->runner + 1) % CMWQ_TP_RUNNERS;
	job->work.func = tp_job_runners[job->runner];
	cmwq_queue_work_on(pool->cpu, pool->wq, &job->work);
}
EXPORT_SYMBOL_GPL(cmwq_threadpool_schedule_job);

/**
 * cmwq_threadpool_job_done - a job's function says it is done
 * @job: the job; its lock held
 *
 * From now on @job may be scheduled again, and cancelling it does not
 * wait.  Called by the job's function, before it returns.  Calling it for
 * a job not running in the caller is refused with a warning.
 *
 * Context: The job's function, holding the job's lock.
 */
void cmwq_threadpool_job_done(struct cmwq_threadpool_job *job)
{
	void *ret_ip = __builtin_return_address(0);

	if (tp_job_refused(job, "threadpool_job_done", ret_ip) ||
	    CMWQ_REFUSE(job->state != CMWQ_TP_JOB_RUNNING ||
			job->run->task != current,
			"threadpool_job_done: job %s not running here, from %pS",
			job->name, ret_ip))
		return;
	tp_job_end(job);
}
EXPORT_SYMBOL_GPL(cmwq_threadpool_job_done);

/* Take @job off its queue if it has not started.  Context: job's lock held. */
static bool tp_cancel_async(struct cmwq_threadpool_job *job)
{
	switch (job->state) {
	case CMWQ_TP_JOB_IDLE:
		return true;
	case CMWQ_TP_JOB_PENDING:
		if (!cmwq_cancel_work(&job->work))
			return false;	/* dequeued: its worker is starting it */
		job->state = CMWQ_TP_JOB_IDLE;
		return true;
	default:
		return false;
	}
}

/**
 * cmwq_threadpool_cancel_job_async - cancel a job unless it is running
 * @pool: the pool it was scheduled on (any pool will do here)
 * @job: the job; its lock held
 *
 * A job not yet started will not run (for this schedule).  A job that is
 * not initialised, destroyed or not locked by the caller is refused with
 * a warning; the call then answers as if it were running.
 *
 * Context: Any context, including hard IRQ (with a spin mutex as the
 * job's lock).
 * Return: %true if @job is not running (and now not scheduled either),
 * %false if it is running: it will call cmwq_threadpool_job_done().
 */
bool cmwq_threadpool_cancel_job_async(struct cmwq_threadpool *pool,
				      struct cmwq_threadpool_job *job)
{
	if (tp_job_refused(job, "threadpool_cancel_job_async",
			   __builtin_return_address(0)))
		return false;
	return tp_cancel_async(job);
}
EXPORT_SYMBOL_GPL(cmwq_threadpool_cancel_job_async);

/**
 * cmwq_threadpool_cancel_job - cancel a job, waiting for it if it runs
 * @pool: the pool it was scheduled on (any pool will do here)
 * @job: the job; its lock held
 *
 * On return @job is neither scheduled nor running.  Waiting for a running
 * job releases its lock and takes it again.  A job that is not
 * initialised, destroyed or not locked by the caller, or that cancels
 * itself, is refused with a warning, without waiting.
 *
 * Context: Process context that may sleep, apart from holding the job's
 * lock (which may be a spin mutex).
 */
void cmwq_threadpool_cancel_job(struct cmwq_threadpool *pool,
				struct cmwq_threadpool_job *job)
{
	void *ret_ip = __builtin_return_address(0);

	if (tp_job_refused(job, "threadpool_cancel_job", ret_ip) ||
	    CMWQ_REFUSE(job->run && job->run->task == current,
			"threadpool_cancel_job: job %s cancels itself, from %pS",
			job->name, ret_ip))
		return;
	if (tp_cancel_async(job))
		return;
	while (job->state != CMWQ_TP_JOB_IDLE)
		cmwq_cv_wait(&job->cv, job->lock);
}
EXPORT_SYMBOL_GPL(cmwq_threadpool_cancel_job);

/**
 * cmwq_threadpool_job_destroy - end the life of a job
 * @job: the job, neither scheduled nor running; its lock not held
 *
 * Destroying a job still scheduled or running is refused with a warning,
 * and cancels it (waiting for it) first.  After this, scheduling it is
 * refused.
 *
 * Context: Process context; might sleep.
 */
void cmwq_threadpool_job_destroy(struct cmwq_threadpool_job *job)
{
	void *ret_ip = __builtin_return_address(0);

	if (CMWQ_REFUSE(!job || job->state < CMWQ_TP_JOB_IDLE ||
			job->state > CMWQ_TP_JOB_RUNNING,
			"threadpool_job_destroy: job %p not initialised or destroyed, from %pS",
			job, ret_ip))
		return;

	cmwq_mutex_enter(job->lock);
	if (CMWQ_REFUSE(job->state != CMWQ_TP_JOB_IDLE,
			"threadpool_job_destroy: job %s still scheduled, from %pS",
			job->name, ret_ip))
		cmwq_threadpool_cancel_job(NULL, job);
	job->state = CMWQ_TP_JOB_DEAD;
	cmwq_mutex_exit(job->lock);

	cmwq_cv_destroy(&job->cv);
	if (job->onstack)
		cmwq_destroy_work_on_stack(&job->work);
}
EXPORT_SYMBOL_GPL(cmwq_threadpool_job_destroy);

/*
 * At unload, destroy the pools whose puts are missing.  Every module that
 * got a pool is gone by now (each holds cmwq.ko while loaded): a pool
 * still here was got and never put.  It is destroyed, after its jobs
 * still queued, with a warning naming its priority and the references
 * left, rather than leaked with its queue.  Context: module exit.
 */
void cmwq_netbsd_pools_exit(void)
{
	unsigned int i;

	mutex_lock(&tp_lock);
	for (i = 0; i <= CMWQ_PRI_COUNT; i++) {
		if (tp_unbound[i]) {
			pr_warn("cmwq: threadpool_get() of priority %d: %u never put\n",
				tp_unbound[i]->pri, tp_unbound[i]->refcnt);
			tp_unbound_destroy(tp_unbound[i]);
			tp_unbound[i] = NULL;
		}
		if (tp_percpu[i]) {
			pr_warn("cmwq: threadpool_percpu_get() of priority %d: %u never put\n",
				tp_percpu[i]->pri, tp_percpu[i]->refcnt);
			cmwq_tp_percpu_destroy(tp_percpu[i]);
			tp_percpu[i] = NULL;
		}
	}
	mutex_unlock(&tp_lock);
}
