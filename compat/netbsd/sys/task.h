/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sys/task.h - task(9) and taskqueue(9) of Taylor R. Campbell's 2014
 * NetBSD proposal, on cmwq
 *
 * The names and signatures of the proposal's man pages, mapped onto
 * cmwq.ko's cmwq_task_* and cmwq_taskqueue_* exports (its delayed tasks
 * are not here).  "struct task" and "struct taskqueue" are macros for
 * cmwq's own, so that struct task is complete, to embed: the macro
 * renames every later identifier "task" too, which is why this header,
 * as <sys/mutex.h>, is included after every Linux header (a Linux
 * structure's member named task could not be reached after it).
 */
#ifndef _CMWQ_COMPAT_NETBSD_SYS_TASK_H
#define _CMWQ_COMPAT_NETBSD_SYS_TASK_H

#include "mutex.h"
#include "param.h"

#define task			cmwq_task
#define taskqueue		cmwq_taskqueue

#define system_taskqueue	cmwq_system_taskqueue

#define task_init		cmwq_task_init
#define task_destroy		cmwq_task_destroy
#define task_schedule		cmwq_task_schedule
#define task_done		cmwq_task_done
#define task_cancel		cmwq_task_cancel
#define task_cancel_async	cmwq_task_cancel_async
#define task_drain		cmwq_task_drain

#define taskqueue_get		cmwq_taskqueue_get
#define taskqueue_put		cmwq_taskqueue_put
#define taskqueue_create	cmwq_taskqueue_create
#define taskqueue_destroy	cmwq_taskqueue_destroy
#define taskqueue_schedule	cmwq_taskqueue_schedule
#define taskqueue_drain		cmwq_taskqueue_drain

#endif /* _CMWQ_COMPAT_NETBSD_SYS_TASK_H */
