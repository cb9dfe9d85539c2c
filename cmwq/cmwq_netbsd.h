/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cmwq_netbsd.h - NetBSD's threadpool(9), task(9), mutex(9) and condvar(9)
 * on cmwq
 *
 * The cmwq_ side of the NetBSD interface that the headers under
 * compat/netbsd/sys/ map NetBSD's names onto.  A thread pool is a cmwq
 * workqueue, one per priority (and per kind: unbound or per-CPU), shared
 * by everyone asking for that priority; a job is a work item that runs
 * once at a time, interlocked by the caller's kmutex.  A task (task(9),
 * from Taylor R. Campbell's proposal) is a job with a lock of its own, run
 * by a task queue: per-CPU pools of a priority.  The kmutex and the
 * kcondvar are NetBSD's own locking primitives, which jobs are written
 * against; see cmwq/netbsd_sync.c, cmwq/threadpool.c and cmwq/task.c.
 */
#ifndef _CMWQ_NETBSD_H
#define _CMWQ_NETBSD_H

#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include "cmwq.h"

struct task_struct;

/* NetBSD's priorities (sys/param.h): higher is more urgent */
enum {
	CMWQ_PRI_NONE		= -1,	/* the default timesharing priority */
	CMWQ_PRI_USER		= 0,
	CMWQ_PRI_KERNEL		= 64,
	CMWQ_PRI_KTHREAD	= 96,
	CMWQ_PRI_USER_RT	= 128,
	CMWQ_PRI_KERNEL_RT	= 192,
	CMWQ_MAXPRI_KERNEL_RT	= 223,
	CMWQ_PRI_COUNT		= 224,
};

/* mutex_init() types, with NetBSD's values */
enum cmwq_kmutex_type {
	CMWQ_MUTEX_ADAPTIVE	= 0,
	CMWQ_MUTEX_SPIN		= 1,
	CMWQ_MUTEX_DEFAULT	= 2,
	CMWQ_MUTEX_DRIVER	= 3,
};

/* interrupt priority levels, in NetBSD's order: above NONE means spin */
enum {
	CMWQ_IPL_NONE		= 0,
	CMWQ_IPL_SOFTCLOCK	= 1,
	CMWQ_IPL_SOFTBIO	= 2,
	CMWQ_IPL_SOFTNET	= 3,
	CMWQ_IPL_SOFTSERIAL	= 4,
	CMWQ_IPL_VM		= 5,
	CMWQ_IPL_SCHED		= 6,
	CMWQ_IPL_HIGH		= 7,
};

/*
 * A NetBSD mutex.  A spin mutex is @lock itself, taken with interrupts
 * off; an adaptive one is @owner, guarded by @lock, with its sleepers
 * on @waiters.  Either way releasing it ends with the release of @lock:
 * nothing touches the mutex after that, so whoever takes it next may
 * destroy it at once, as NetBSD allows.
 */
struct cmwq_kmutex {
	raw_spinlock_t		lock;
	struct task_struct	*owner;		/* current, or NULL */
	struct list_head	waiters;	/* adaptive: first in, first served */
	bool			spin;
	bool			dead;		/* destroyed */
#ifdef CONFIG_DEBUG_LOCK_ALLOC
	struct lockdep_map	dep_map;	/* adaptive: held while owned */
#endif
};

/* A NetBSD condition variable: its waiters, each on its own stack. */
struct cmwq_kcondvar {
	raw_spinlock_t		lock;
	struct list_head	waiters;
	const char		*name;
};

void cmwq_mutex_init_key(struct cmwq_kmutex *m, enum cmwq_kmutex_type type,
			 int ipl, const char *name, struct lock_class_key *key);
void cmwq_mutex_destroy(struct cmwq_kmutex *m);
void cmwq_mutex_enter(struct cmwq_kmutex *m);
void cmwq_mutex_exit(struct cmwq_kmutex *m);
int cmwq_mutex_owned(struct cmwq_kmutex *m);

/* Each call site gets its own lockdep class, as for Linux's locks. */
#define cmwq_mutex_init(m, type, ipl)					\
	do {								\
		static struct lock_class_key __key;			\
									\
		cmwq_mutex_init_key((m), (type), (ipl), #m, &__key);	\
	} while (0)

void cmwq_cv_init(struct cmwq_kcondvar *cv, const char *name);
void cmwq_cv_destroy(struct cmwq_kcondvar *cv);
void cmwq_cv_wait(struct cmwq_kcondvar *cv, struct cmwq_kmutex *m);
int cmwq_cv_timedwait(struct cmwq_kcondvar *cv, struct cmwq_kmutex *m,
		      int ticks);
void cmwq_cv_signal(struct cmwq_kcondvar *cv);
void cmwq_cv_broadcast(struct cmwq_kcondvar *cv);

struct cmwq_threadpool;
struct cmwq_threadpool_percpu;
struct cmwq_threadpool_job;
struct cmwq_threadpool_run;

/* a job's function; a function type, as NetBSD declares it */
typedef void cmwq_threadpool_job_fn_t(struct cmwq_threadpool_job *job);

/* the job names NetBSD keeps, and as long (MAXCOMLEN) */
#define CMWQ_THREADPOOL_JOB_NAME_LEN	16

/*
 * A job, embedded in the caller's object.  Every field but @work is
 * under the job's lock (@lock), which the caller holds around every call
 * but threadpool_job_init() and threadpool_job_destroy().
 */
struct cmwq_threadpool_job {
	struct cmwq_work		work;
	struct cmwq_kmutex		*lock;
	cmwq_threadpool_job_fn_t	*fn;
	unsigned int			state;	/* CMWQ_TP_JOB_*, threadpool.c */
	unsigned int			runner;	/* the work's function, of 4 */
	struct cmwq_threadpool_run	*run;	/* the running instance */
	struct cmwq_kcondvar		cv;	/* the job is done */
	bool				onstack;
	char				name[CMWQ_THREADPOOL_JOB_NAME_LEN];
};

int cmwq_threadpool_get(struct cmwq_threadpool **poolp, int pri);
void cmwq_threadpool_put(struct cmwq_threadpool *pool, int pri);
int cmwq_threadpool_percpu_get(struct cmwq_threadpool_percpu **ppp, int pri);
void cmwq_threadpool_percpu_put(struct cmwq_threadpool_percpu *pp, int pri);
struct cmwq_threadpool *
cmwq_threadpool_percpu_ref(struct cmwq_threadpool_percpu *pp);
struct cmwq_threadpool *
cmwq_threadpool_percpu_ref_remote(struct cmwq_threadpool_percpu *pp, int cpu);

__printf(4, 5) void
cmwq_threadpool_job_init(struct cmwq_threadpool_job *job,
			 cmwq_threadpool_job_fn_t *fn, struct cmwq_kmutex *lock,
			 const char *fmt, ...);
void cmwq_threadpool_job_destroy(struct cmwq_threadpool_job *job);
void cmwq_threadpool_job_done(struct cmwq_threadpool_job *job);
void cmwq_threadpool_schedule_job(struct cmwq_threadpool *pool,
				  struct cmwq_threadpool_job *job);
void cmwq_threadpool_cancel_job(struct cmwq_threadpool *pool,
				struct cmwq_threadpool_job *job);
bool cmwq_threadpool_cancel_job_async(struct cmwq_threadpool *pool,
				      struct cmwq_threadpool_job *job);

struct cmwq_task;
struct cmwq_taskqueue;

/* a task's action (task(9)) */
typedef void cmwq_task_fn_t(struct cmwq_task *task);

/*
 * A task(9) task, embedded in the caller's object: a threadpool job with
 * a spin mutex of its own as the job's lock (J), so that it is scheduled
 * from any context without one of the caller's.  See cmwq/task.c.
 */
struct cmwq_task {
	struct cmwq_threadpool_job	job;	/* J */
	struct cmwq_kmutex		lock;	/* J itself */
	cmwq_task_fn_t			*fn;	/* I */
	struct cmwq_taskqueue		*tq;	/* J: where it runs next */
	struct task_struct		*running; /* J: runs fn, not yet done */
	bool				*donep;	/* J: that run's "done" */
	bool				pending; /* J: queued, not yet begun */
	bool				again;	/* J: scheduled while running */
	unsigned int			state;	/* R: CMWQ_TASK_*, task.c */
};

extern struct cmwq_taskqueue *cmwq_system_taskqueue;

void cmwq_task_init(struct cmwq_task *task, cmwq_task_fn_t *fn);
void cmwq_task_destroy(struct cmwq_task *task);
void cmwq_task_schedule(struct cmwq_task *task);
void cmwq_task_done(struct cmwq_task *task);
bool cmwq_task_cancel(struct cmwq_task *task, struct cmwq_kmutex *interlock);
bool cmwq_task_cancel_async(struct cmwq_task *task);
void cmwq_task_drain(void);

int cmwq_taskqueue_get(struct cmwq_taskqueue **tqp, int pri);
void cmwq_taskqueue_put(struct cmwq_taskqueue *tq);
int cmwq_taskqueue_create(struct cmwq_taskqueue **tqp, const char *name,
			  int pri, int ipl, int flags);
void cmwq_taskqueue_destroy(struct cmwq_taskqueue *tq);
void cmwq_taskqueue_schedule(struct cmwq_taskqueue *tq,
			     struct cmwq_task *task);
void cmwq_taskqueue_drain(struct cmwq_taskqueue *tq);

#endif /* _CMWQ_NETBSD_H */
