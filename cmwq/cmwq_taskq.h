/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cmwq_taskq.h - Solaris-style task queues on cmwq's shared pools
 *
 * The cmwq_ side of the Solaris taskq interface that compat/solaris/
 * sys/taskq.h maps its names onto.  A taskq's tasks run on the shared
 * per-CPU workers, at most its thread count at once, taken off its list
 * by runners, works of a cmwq workqueue; workers exist only while tasks
 * need them.  Each task is an entry holding the function, its argument
 * and the id the dispatch returned; see cmwq/taskq.c.
 */
#ifndef _CMWQ_TASKQ_H
#define _CMWQ_TASKQ_H

#include "cmwq.h"

struct cmwq_taskq;
struct task_struct;

/* a task's function; a function type, as Solaris declares it */
typedef void (cmwq_task_func_t)(void *arg);

/* cmwq_taskq_create() flags: the values Solaris and SPL use */
enum {
	CMWQ_TASKQ_PREPOPULATE		= 0x01,	/* preallocate minalloc entries */
	CMWQ_TASKQ_DYNAMIC		= 0x04,	/* accepted: every taskq is */
	CMWQ_TASKQ_THREADS_CPU_PCT	= 0x08,	/* nthreads: % of online CPUs */
	CMWQ_TASKQ_DC_BATCH		= 0x10,	/* accepted, no meaning here */
};

/* dispatch flags: the values Solaris and SPL use */
enum {
	CMWQ_TQ_SLEEP		= 0x00,		/* may sleep; never fails */
	CMWQ_TQ_NOSLEEP		= 0x01,		/* never sleeps; may fail */
	CMWQ_TQ_PUSHPAGE	= 0x02,		/* allocate without I/O */
	CMWQ_TQ_NOQUEUE		= 0x04,		/* fail rather than wait */
	CMWQ_TQ_NOALLOC		= 0x08,		/* only cached entries */
	CMWQ_TQ_FRONT		= 0x08000000,	/* ahead of pending tasks */
};

/*
 * A task: one the taskq allocates for cmwq_taskq_dispatch(), or one the
 * caller embeds in its own object for cmwq_taskq_dispatch_ent().  Fields
 * follow the locking legend of cmwq/internal.h (K: the taskq's lock).
 */
struct cmwq_taskq_ent {
	struct timer_list	timer;		/* K to arm or cancel: delayed */
	/* K: on one of the taskq's lists; empty once it runs */
	struct list_head	node;
	unsigned long		tqent_id;	/* K: its id, once dispatched */
	cmwq_task_func_t	*func;		/* K */
	void			*arg;		/* K */
	struct cmwq_taskq	*tq;		/* K */
	unsigned int		flags;		/* K: CMWQ_TQENT_* (taskq.c) */
};

struct cmwq_taskq *cmwq_taskq_create(const char *name, int nthreads, int pri,
				     int minalloc, int maxalloc,
				     unsigned int flags);
void cmwq_taskq_destroy(struct cmwq_taskq *tq);
unsigned long cmwq_taskq_dispatch(struct cmwq_taskq *tq,
				  cmwq_task_func_t *func, void *arg,
				  unsigned int flags);
unsigned long cmwq_taskq_dispatch_delay(struct cmwq_taskq *tq,
					cmwq_task_func_t *func, void *arg,
					unsigned int flags,
					unsigned long expire_time);
void cmwq_taskq_dispatch_ent(struct cmwq_taskq *tq, cmwq_task_func_t *func,
			     void *arg, unsigned int flags,
			     struct cmwq_taskq_ent *ent);
void cmwq_taskq_init_ent(struct cmwq_taskq_ent *ent);
int cmwq_taskq_empty_ent(struct cmwq_taskq_ent *ent);
void cmwq_taskq_wait(struct cmwq_taskq *tq);
void cmwq_taskq_wait_id(struct cmwq_taskq *tq, unsigned long id);
void cmwq_taskq_wait_outstanding(struct cmwq_taskq *tq, unsigned long id);
int cmwq_taskq_cancel_id(struct cmwq_taskq *tq, unsigned long id);
int cmwq_taskq_member(struct cmwq_taskq *tq, struct task_struct *thread);
struct cmwq_taskq *cmwq_taskq_of_curthread(void);

extern struct cmwq_taskq *cmwq_system_taskq;
extern struct cmwq_taskq *cmwq_system_delay_taskq;

#endif /* _CMWQ_TASKQ_H */
