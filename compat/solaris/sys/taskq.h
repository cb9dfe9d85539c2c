/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sys/taskq.h - the Solaris task queue interface, as OpenZFS SPL 2.1 has it
 *
 * For Solaris-style code built against cmwq: add
 * "ccflags-y += -I<cmwq>/compat/solaris" and include <sys/taskq.h>.
 * The names are SPL's, and nothing else of SPL is provided; each maps
 * onto cmwq.ko's cmwq_taskq_* export, so that cmwq loads beside spl.ko.
 * Priorities are kernel static priorities, as in SPL (lower is higher).
 */
#ifndef _CMWQ_COMPAT_SYS_TASKQ_H
#define _CMWQ_COMPAT_SYS_TASKQ_H

#include <linux/sched/prio.h>

#include "../../../cmwq/cmwq_taskq.h"

typedef struct cmwq_taskq	taskq_t;
typedef struct cmwq_taskq_ent	taskq_ent_t;
typedef unsigned long		taskqid_t;
typedef cmwq_task_func_t	task_func_t;
typedef short			pri_t;

#define TASKQID_INVALID		((taskqid_t)0)

#define maxclsyspri		MAX_RT_PRIO
#define defclsyspri		DEFAULT_PRIO
#define minclsyspri		(MAX_PRIO - 1)

#define TASKQ_PREPOPULATE	CMWQ_TASKQ_PREPOPULATE
#define TASKQ_DYNAMIC		CMWQ_TASKQ_DYNAMIC
#define TASKQ_THREADS_CPU_PCT	CMWQ_TASKQ_THREADS_CPU_PCT
#define TASKQ_DC_BATCH		CMWQ_TASKQ_DC_BATCH

#define TQ_SLEEP		CMWQ_TQ_SLEEP
#define TQ_NOSLEEP		CMWQ_TQ_NOSLEEP
#define TQ_PUSHPAGE		CMWQ_TQ_PUSHPAGE
#define TQ_NOQUEUE		CMWQ_TQ_NOQUEUE
#define TQ_NOALLOC		CMWQ_TQ_NOALLOC
#define TQ_FRONT		CMWQ_TQ_FRONT

#define system_taskq		cmwq_system_taskq
#define system_delay_taskq	cmwq_system_delay_taskq

#define taskq_create		cmwq_taskq_create
#define taskq_destroy		cmwq_taskq_destroy
#define taskq_dispatch		cmwq_taskq_dispatch
#define taskq_dispatch_ent	cmwq_taskq_dispatch_ent
#define taskq_dispatch_delay	cmwq_taskq_dispatch_delay
#define taskq_init_ent		cmwq_taskq_init_ent
#define taskq_empty_ent		cmwq_taskq_empty_ent
#define taskq_wait		cmwq_taskq_wait
#define taskq_wait_id		cmwq_taskq_wait_id
#define taskq_wait_outstanding	cmwq_taskq_wait_outstanding
#define taskq_cancel_id		cmwq_taskq_cancel_id
#define taskq_member		cmwq_taskq_member
#define taskq_of_curthread	cmwq_taskq_of_curthread

#endif /* _CMWQ_COMPAT_SYS_TASKQ_H */
