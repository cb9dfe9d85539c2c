/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netbsd_internal.h - what threadpool.c shares with task.c
 *
 * NetBSD's task queues (task.c) run on sets of per-CPU pools built as
 * threadpool(9)'s are (threadpool.c), with the same priority mapping: a
 * priority is valid, indexes a table of pools, and chooses the workers'
 * nice level in one place, here.  Locking letters as in internal.h.
 */
#ifndef _CMWQ_NETBSD_INTERNAL_H
#define _CMWQ_NETBSD_INTERNAL_H

#include "cmwq_netbsd.h"

/* A pool: an unbound queue, or one CPU of a per-CPU set. */
struct cmwq_threadpool {
	struct cmwq_workqueue		*wq;		/* I */
	int				cpu;		/* I: or CMWQ_CPU_UNBOUND */
	int				pri;		/* I */
	struct cmwq_threadpool_percpu	*percpu;	/* I: NULL if unbound */
	unsigned int			refcnt;		/* G: unbound only */
};

/* The per-CPU pools of a priority: one bound queue. */
struct cmwq_threadpool_percpu {
	struct cmwq_workqueue		*wq;		/* I */
	int				pri;		/* I */
	unsigned int			refcnt;		/* G */
	struct cmwq_threadpool		*pools;		/* I: nr_cpu_ids of them */
};

/* NetBSD's valid priorities: PRI_NONE, and PRI_USER up to PRI_COUNT */
static inline bool cmwq_netbsd_pri_valid(int pri)
{
	return pri == CMWQ_PRI_NONE ||
	       (pri >= CMWQ_PRI_USER && pri < CMWQ_PRI_COUNT);
}

/* index of a valid priority in a table of CMWQ_PRI_COUNT + 1; PRI_NONE last */
static inline unsigned int cmwq_netbsd_pri_index(int pri)
{
	return pri == CMWQ_PRI_NONE ? CMWQ_PRI_COUNT : pri;
}

/* the real-time priorities get the nice -20 workers, the others nice 0 */
static inline unsigned int cmwq_netbsd_wq_flags(int pri)
{
	return pri >= CMWQ_PRI_USER_RT ? CMWQ_HIGHPRI : 0;
}

struct cmwq_threadpool_percpu *cmwq_tp_percpu_create(int pri,
						     const char *name);
void cmwq_tp_percpu_destroy(struct cmwq_threadpool_percpu *pp);
void cmwq_netbsd_pools_exit(void);

/* task.c: system_taskqueue, from the module's load to its unload */
int cmwq_netbsd_tasks_init(void);
void cmwq_netbsd_tasks_exit(void);

#endif /* _CMWQ_NETBSD_INTERNAL_H */
