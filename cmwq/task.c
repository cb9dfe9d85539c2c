// SPDX-License-Identifier: GPL-2.0
/*
 * task.c - task(9) and taskqueue(9), as Taylor R. Campbell proposed them
 * for NetBSD in 2014, on cmwq's shared pools
 *
 * A task is an action run once, asynchronously, as soon as it can on the
 * CPU that scheduled it; scheduling it again before it ran does nothing,
 * scheduling it once it began runs it once more after it returned or
 * called task_done().  A task queue is where tasks run: one shared by
 * everyone for each priority (taskqueue_get(), system_taskqueue at
 * PRI_NONE), or a caller's own (taskqueue_create()).
 *
 * The proposal's sketch keeps per-CPU task workers for every priority,
 * spawning one when all are busy: threadpool(9)'s per-CPU pools, and
 * cmwq's.  So a task queue here is a set of per-CPU pools built as
 * threadpool.c builds threadpool_percpu_get()'s, with the same priority
 * mapping (netbsd_internal.h), on a bound cmwq queue of its own: a
 * task sleeping does not hold up the others, and draining one queue does
 * not wait for another's tasks.
 *
 * A task is a threadpool job whose lock (J) is a spin mutex of the
 * task's own, so that it may be scheduled from any context without a
 * lock of the caller's.  The job runs task_run(), which runs the task's
 * action.  The job's "run once at a time until done" is what the task
 * needs but for one thing: a task scheduled while running runs again.
 * So the task keeps its own state under J: pending (its job is queued
 * and task_run() has not begun), running (task_run() is in the action,
 * which has not said it is done) and again (scheduled while running).
 * The action's end, or task_done(), ends the job and, if the task is to
 * run again, queues it on the CPU it ran on.
 *
 * Cancelling takes back a schedule not yet begun: the pending job (with
 * threadpool_cancel_job_async(), which fails once a worker took the job)
 * or the "again".  task_cancel() then waits for a running task, without
 * the caller's interlock, which the action may need: as NetBSD's
 * threadpool_cancel_job() waits for a job, on the job's condvar.
 *
 * Draining flushes the queue twice: a task running when the drain began,
 * and scheduled again before that, is queued again only when it is
 * done, after the first flush began; the second waits for that run too.
 */
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "cmwq_netbsd.h"
#include "internal.h"
#include "netbsd_internal.h"

/* task->state; 0 is a task cmwq_task_init() never saw */
enum {
	CMWQ_TASK_LIVE	= 1,
	CMWQ_TASK_DEAD,			/* task_destroy()ed */
};

/* A task queue: per-CPU pools of a priority, shared or a caller's own. */
struct cmwq_taskqueue {
	struct cmwq_threadpool_percpu	*pools;		/* I */
	int				pri;		/* I */
	bool				shared;		/* I: taskqueue_get()'s */
	unsigned int			refcnt;		/* N: shared only */
};

static DEFINE_MUTEX(tq_lock);
/* N: the shared queues by priority; PRI_NONE's last */
static struct cmwq_taskqueue *tq_shared[CMWQ_PRI_COUNT + 1];

/* I: the shared queue of PRI_NONE, referenced from load to unload */
struct cmwq_taskqueue *cmwq_system_taskqueue;
EXPORT_SYMBOL_GPL(cmwq_system_taskqueue);

static struct cmwq_taskqueue *tq_alloc(int pri, const char *name)
{
	struct cmwq_taskqueue *tq;

	tq = kzalloc(sizeof(*tq), GFP_KERNEL);
	if (!tq)
		return NULL;
	tq->pools = cmwq_tp_percpu_create(pri, name);
	if (!tq->pools) {
		kfree(tq);
		return NULL;
	}
	tq->pri = pri;
	return tq;
}

/* Destroy a queue, after its tasks still queued ran. */
static void tq_free(struct cmwq_taskqueue *tq)
{
	cmwq_tp_percpu_destroy(tq->pools);
	kfree(tq);
}

/**
 * cmwq_taskqueue_get - get a reference to the shared task queue of a priority
 * @tqp: where to store the task queue
 * @pri: %CMWQ_PRI_NONE, or from %CMWQ_PRI_USER up to below %CMWQ_PRI_COUNT
 *
 * The same priority gives the same queue, created by the first caller;
 * %CMWQ_PRI_NONE's is cmwq_system_taskqueue.  An invalid priority is
 * refused with a warning.
 *
 * Context: Process context; might sleep.
 * Return: 0, or a positive errno as in NetBSD: %EINVAL for an invalid
 * priority, %ENOMEM if the queue could not be created, %EBUSY if it has
 * as many references as it can count.
 */
int cmwq_taskqueue_get(struct cmwq_taskqueue **tqp, int pri)
{
	struct cmwq_taskqueue **slot;
	int err = EINVAL;

	if (CMWQ_REFUSE(!tqp || !cmwq_netbsd_pri_valid(pri),
			"taskqueue_get: priority %d into %p from %pS", pri, tqp,
			__builtin_return_address(0)))
		return err;

	err = 0;
	mutex_lock(&tq_lock);
	slot = &tq_shared[cmwq_netbsd_pri_index(pri)];
	if (!*slot) {
		*slot = tq_alloc(pri, "taskqueue");
		if (*slot)
			(*slot)->shared = true;
		else
			err = ENOMEM;
	} else if ((*slot)->refcnt == UINT_MAX) {
		err = EBUSY;
	}
	if (!err) {
		(*slot)->refcnt++;
		*tqp = *slot;
	}
	mutex_unlock(&tq_lock);
	return err;
}
EXPORT_SYMBOL_GPL(cmwq_taskqueue_get);

/* Drop a reference to a shared queue; the last destroys it. */
static void tq_put(struct cmwq_taskqueue *tq)
{
	bool last;

	mutex_lock(&tq_lock);
	last = !--tq->refcnt;
	if (last)
		tq_shared[cmwq_netbsd_pri_index(tq->pri)] = NULL;
	mutex_unlock(&tq_lock);
	if (last)
		tq_free(tq);
}

/**
 * cmwq_taskqueue_put - release a reference to a shared task queue
 * @tq: the task queue, from cmwq_taskqueue_get()
 *
 * The last reference destroys the queue, which waits for the tasks still
 * queued on it; there should be none.  A NULL queue, one of
 * cmwq_taskqueue_create(), or the reference cmwq holds on
 * cmwq_system_taskqueue itself is refused with a warning.
 *
 * Context: Process context; might sleep.  Not from a task of @tq.
 */
void cmwq_taskqueue_put(struct cmwq_taskqueue *tq)
{
	if (CMWQ_REFUSE(!tq || !tq->shared ||
			(tq == cmwq_system_taskqueue &&
			 READ_ONCE(tq->refcnt) == 1),
			"taskqueue_put: task queue %p not got, from %pS", tq,
			__builtin_return_address(0)))
		return;
	tq_put(tq);
}
EXPORT_SYMBOL_GPL(cmwq_taskqueue_put);

/**
 * cmwq_taskqueue_create - create a task queue of one's own
 * @tqp: where to store the task queue
 * @name: its name, for its cmwq queue
 * @pri: %CMWQ_PRI_NONE, or from %CMWQ_PRI_USER up to below %CMWQ_PRI_COUNT
 * @ipl: the highest interrupt level scheduling on it, %CMWQ_IPL_*; any
 *       level may schedule here, so it is only checked
 * @flags: NetBSD's creation flags; none changes anything here
 *
 * Its tasks run on per-CPU pools of their own, of the workers of @pri
 * (as a shared queue's), and cmwq_taskqueue_drain() of it waits for its
 * tasks only.  A NULL @tqp or @name, an invalid priority or level is
 * refused with a warning.
 *
 * Context: Process context; might sleep.
 * Return: 0, or a positive errno: %EINVAL, or %ENOMEM.
 */
int cmwq_taskqueue_create(struct cmwq_taskqueue **tqp, const char *name,
			  int pri, int ipl, int flags)
{
	int err = EINVAL;

	if (CMWQ_REFUSE(!tqp || !name || !cmwq_netbsd_pri_valid(pri) ||
			ipl < CMWQ_IPL_NONE || ipl > CMWQ_IPL_HIGH,
			"taskqueue_create: %s of priority %d, IPL %d from %pS",
			name ?: "(null)", pri, ipl,
			__builtin_return_address(0)))
		return err;

	*tqp = tq_alloc(pri, name);
	return *tqp ? 0 : ENOMEM;
}
EXPORT_SYMBOL_GPL(cmwq_taskqueue_create);

/**
 * cmwq_taskqueue_destroy - destroy a task queue of cmwq_taskqueue_create()
 * @tq: the task queue
 *
 * The tasks still queued on @tq run first; none may be scheduled on it
 * from now on (cmwq refuses to queue them).  A NULL or shared queue is
 * refused with a warning.
 *
 * Context: Process context; might sleep.  Not from a task of @tq.
 */
void cmwq_taskqueue_destroy(struct cmwq_taskqueue *tq)
{
	if (CMWQ_REFUSE(!tq || tq->shared,
			"taskqueue_destroy: task queue %p not created, from %pS",
			tq, __builtin_return_address(0)))
		return;
	tq_free(tq);
}
EXPORT_SYMBOL_GPL(cmwq_taskqueue_destroy);

/**
 * cmwq_taskqueue_drain - wait for the tasks scheduled on a task queue
 * @tq: the task queue
 *
 * Returns once every task scheduled on @tq before the call, including
 * the runs of tasks scheduled again while they ran, has completed (or
 * called cmwq_task_done()).  Tasks scheduled meanwhile may still run.
 * A NULL queue is refused with a warning.
 *
 * Context: Process context; might sleep.  Not from a task of @tq.
 */
void cmwq_taskqueue_drain(struct cmwq_taskqueue *tq)
{
	if (CMWQ_REFUSE(!tq, "taskqueue_drain: NULL task queue from %pS",
			__builtin_return_address(0)))
		return;
	might_sleep();
	/* the second flush: runs queued again as the first ran (see the top) */
	cmwq_flush_workqueue(tq->pools->wq);
	cmwq_flush_workqueue(tq->pools->wq);
}
EXPORT_SYMBOL_GPL(cmwq_taskqueue_drain);

/**
 * cmwq_task_drain - cmwq_taskqueue_drain() of cmwq_system_taskqueue
 *
 * Context: Process context; might sleep.  Not from a task of that queue.
 */
void cmwq_task_drain(void)
{
	cmwq_taskqueue_drain(cmwq_system_taskqueue);
}
EXPORT_SYMBOL_GPL(cmwq_task_drain);

/* Refuse a task that is NULL, was never initialised or was destroyed. */
static bool task_refused(struct cmwq_task *task, const char *caller,
			 void *ret_ip)
{
	unsigned int state;

	if (CMWQ_REFUSE(!task, "%s: NULL task from %pS", caller, ret_ip))
		return true;
	state = READ_ONCE(task->state);
	return CMWQ_REFUSE(state != CMWQ_TASK_LIVE, "%s: task %p %s, from %pS",
			   caller, task,
			   state == CMWQ_TASK_DEAD ? "destroyed" :
			   "never initialised", ret_ip);
}

/* Queue a task on its queue's pool of this CPU.  Context: J held. */
static void task_queue(struct cmwq_task *task)
{
	if (task->pending)
		return;
	task->pending = true;
	/* J is a spin mutex: this CPU is the one we run on */
	cmwq_threadpool_schedule_job(cmwq_threadpool_percpu_ref(task->tq->pools),
				     &task->job);
}

/* The running action is done: the task may run again.  Context: J held. */
static void task_end(struct cmwq_task *task)
{
	*task->donep = true;
	task->donep = NULL;
	task->running = NULL;
	cmwq_threadpool_job_done(&task->job);
	if (task->again) {
		task->again = false;
		task_queue(task);
	}
}

/* The job of a task: its action, and its end unless the action ended it. */
static void task_run(struct cmwq_threadpool_job *job)
{
	struct cmwq_task *task = container_of(job, struct cmwq_task, job);
	bool done = false;

	cmwq_mutex_enter(&task->lock);
	task->pending = false;
	task->running = current;
	task->donep = &done;
	cmwq_mutex_exit(&task->lock);

	task->fn(task);

	/*
	 * Done (task_done() set it, in this thread), the task may have been
	 * freed: only if not may it be touched.
	 */
	if (!done) {
		cmwq_mutex_enter(&task->lock);
		task_end(task);
		cmwq_mutex_exit(&task->lock);
	}
}

/**
 * cmwq_task_init - initialise a task
 * @task: the task, embedded in the caller's object (on the stack too)
 * @fn: its action
 *
 * A NULL task or action is refused with a warning.
 *
 * Context: Any context.
 */
void cmwq_task_init(struct cmwq_task *task, cmwq_task_fn_t *fn)
{
	if (CMWQ_REFUSE(!task || !fn, "task_init: task %p, action %ps from %pS",
			task, fn, __builtin_return_address(0)))
		return;
	memset(task, 0, sizeof(*task));
	cmwq_mutex_init(&task->lock, CMWQ_MUTEX_SPIN, CMWQ_IPL_HIGH);
	cmwq_threadpool_job_init(&task->job, task_run, &task->lock, "task");
	task->fn = fn;
	WRITE_ONCE(task->state, CMWQ_TASK_LIVE);
}
EXPORT_SYMBOL_GPL(cmwq_task_init);

/**
 * cmwq_taskqueue_schedule - run a task on a task queue
 * @tq: the task queue
 * @task: the task
 *
 * The task runs on the calling CPU's pool of @tq.  Scheduled again before
 * it runs, it runs once; scheduled once its action began, it runs once
 * more after the action returned or called cmwq_task_done(), on the CPU
 * it ran on.  A task must not be scheduled on two queues at once without
 * a cmwq_task_cancel() between (NetBSD leaves that undefined; here the
 * first queue runs it).  A NULL queue, or a task NULL, not initialised
 * or destroyed, is refused with a warning.
 *
 * Context: Any context, including hard IRQ.
 */
void cmwq_taskqueue_schedule(struct cmwq_taskqueue *tq,
			     struct cmwq_task *task)
{
	void *ret_ip = __builtin_return_address(0);

	if (task_refused(task, "taskqueue_schedule", ret_ip))
		return;
	if (CMWQ_REFUSE(!tq, "taskqueue_schedule: NULL task queue from %pS",
			ret_ip))
		return;

	cmwq_mutex_enter(&task->lock);
	if (!task->pending)
		task->tq = tq;
	if (task->running)
		task->again = true;
	else
		task_queue(task);
	cmwq_mutex_exit(&task->lock);
}
EXPORT_SYMBOL_GPL(cmwq_taskqueue_schedule);

/**
 * cmwq_task_schedule - run a task on the system task queue
 * @task: the task
 *
 * cmwq_taskqueue_schedule() on cmwq_system_taskqueue.
 *
 * Context: Any context, including hard IRQ.
 */
void cmwq_task_schedule(struct cmwq_task *task)
{
	cmwq_taskqueue_schedule(cmwq_system_taskqueue, task);
}
EXPORT_SYMBOL_GPL(cmwq_task_schedule);

/**
 * cmwq_task_done - a task's action says it is done
 * @task: the task, whose action calls this
 *
 * From now on @task may run again (if scheduled, at once, while this
 * action still returns), be cancelled without waiting, destroyed and
 * freed.  Calling it for a task not running in the caller is refused
 * with a warning.
 *
 * Context: The task's action.
 */
void cmwq_task_done(struct cmwq_task *task)
{
	void *ret_ip = __builtin_return_address(0);

	if (task_refused(task, "task_done", ret_ip))
		return;
	cmwq_mutex_enter(&task->lock);
	if (!CMWQ_REFUSE(task->running != current,
			 "task_done: task %p not running here, from %pS", task,
			 ret_ip))
		task_end(task);
	cmwq_mutex_exit(&task->lock);
}
EXPORT_SYMBOL_GPL(cmwq_task_done);

/*
 * Take back a schedule of @task that has not begun: its queued job, or a
 * run again.  Context: J held.  Return: whether there was one.
 */
static bool task_unschedule(struct cmwq_task *task)
{
	bool cancelled = task->again;

	task->again = false;
	if (task->pending &&
	    cmwq_threadpool_cancel_job_async(NULL, &task->job)) {
		task->pending = false;
		cancelled = true;
	}
	return cancelled;
}

/**
 * cmwq_task_cancel - cancel a task, waiting for it if it runs
 * @task: the task
 * @interlock: the caller's lock, which the task's action may take, held;
 *             or %NULL if there is none
 *
 * A schedule of @task that has not begun is taken back: the task will
 * not run for it.  Then, if its action runs (and has not called
 * cmwq_task_done()), waits for it to be done, releasing @interlock
 * meanwhile.  On return @task neither waits to run nor runs, unless
 * scheduled again meanwhile, and @interlock is held.  A task that is
 * NULL, not initialised or destroyed, an interlock not held, or a task
 * cancelling itself is refused with a warning, without waiting.
 *
 * Context: Process context that may sleep, apart from holding
 * @interlock (which may be a spin mutex).
 * Return: %true if a schedule was taken back: the caller takes over
 * what that run was to do.  %false if there was none: the task was idle,
 * or its run began (and is now done).
 */
bool cmwq_task_cancel(struct cmwq_task *task, struct cmwq_kmutex *interlock)
{
	void *ret_ip = __builtin_return_address(0);
	bool cancelled;

	if (task_refused(task, "task_cancel", ret_ip) ||
	    CMWQ_REFUSE(interlock && !cmwq_mutex_owned(interlock),
			"task_cancel: task %p without its interlock held, from %pS",
			task, ret_ip))
		return false;

	cmwq_mutex_enter(&task->lock);
	if (CMWQ_REFUSE(task->running == current,
			"task_cancel: task %p cancels itself, from %pS", task,
			ret_ip)) {
		cmwq_mutex_exit(&task->lock);
		return false;
	}
	cancelled = task_unschedule(task);
	/* pending still: a worker took its job and is starting it */
	if (!task->running && !task->pending) {
		cmwq_mutex_exit(&task->lock);
		return cancelled;
	}
	if (interlock)
		cmwq_mutex_exit(interlock);
	cmwq_threadpool_cancel_job(NULL, &task->job);
	cmwq_mutex_exit(&task->lock);
	if (interlock)
		cmwq_mutex_enter(interlock);
	return cancelled;
}
EXPORT_SYMBOL_GPL(cmwq_task_cancel);

/**
 * cmwq_task_cancel_async - cancel a task without waiting for it
 * @task: the task
 *
 * A schedule of @task that has not begun is taken back, as by
 * cmwq_task_cancel(); a running action goes on.  A task that is NULL,
 * not initialised or destroyed is refused with a warning.
 *
 * Context: Any context, including hard IRQ.
 * Return: %true if a schedule was taken back, %false if there was none
 * (the task was idle, or its run began).
 */
bool cmwq_task_cancel_async(struct cmwq_task *task)
{
	bool cancelled;

	if (task_refused(task, "task_cancel_async",
			 __builtin_return_address(0)))
		return false;
	cmwq_mutex_enter(&task->lock);
	cancelled = task_unschedule(task);
	cmwq_mutex_exit(&task->lock);
	return cancelled;
}
EXPORT_SYMBOL_GPL(cmwq_task_cancel_async);

/**
 * cmwq_task_destroy - end the life of a task
 * @task: the task, neither scheduled nor running
 *
 * Destroying a task still scheduled or running is refused with a warning,
 * and cancels it (waiting for it) first.  After this, scheduling it is
 * refused.
 *
 * Context: Process context; might sleep.  Or the task's own action,
 * once it called cmwq_task_done() (it may then free the task).
 */
void cmwq_task_destroy(struct cmwq_task *task)
{
	void *ret_ip = __builtin_return_address(0);
	bool busy;

	if (task_refused(task, "task_destroy", ret_ip))
		return;
	cmwq_mutex_enter(&task->lock);
	busy = task->pending || task->running || task->again;
	cmwq_mutex_exit(&task->lock);
	if (CMWQ_REFUSE(busy, "task_destroy: task %p still scheduled, from %pS",
			task, ret_ip))
		cmwq_task_cancel(task, NULL);

	WRITE_ONCE(task->state, CMWQ_TASK_DEAD);
	cmwq_threadpool_job_destroy(&task->job);
	cmwq_mutex_destroy(&task->lock);
}
EXPORT_SYMBOL_GPL(cmwq_task_destroy);

/* At load: the system task queue.  Return: 0 or -ENOMEM. */
int cmwq_netbsd_tasks_init(void)
{
	return cmwq_taskqueue_get(&cmwq_system_taskqueue, CMWQ_PRI_NONE) ?
	       -ENOMEM : 0;
}

/*
 * At unload: the system task queue goes, after its tasks, and so does
 * any shared queue whose puts are missing (its modules are gone), with
 * a warning.
 */
void cmwq_netbsd_tasks_exit(void)
{
	unsigned int i;

	tq_put(cmwq_system_taskqueue);
	mutex_lock(&tq_lock);
	for (i = 0; i <= CMWQ_PRI_COUNT; i++) {
		if (!tq_shared[i])
			continue;
		pr_warn("cmwq: taskqueue_get() of priority %d: %u never put\n",
			tq_shared[i]->pri, tq_shared[i]->refcnt);
		tq_free(tq_shared[i]);
		tq_shared[i] = NULL;
	}
	mutex_unlock(&tq_lock);
}
