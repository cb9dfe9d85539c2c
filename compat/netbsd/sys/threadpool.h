/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sys/threadpool.h - NetBSD 10's threadpool(9) on cmwq
 *
 * The names and types of NetBSD's sys/threadpool.h, mapped onto cmwq.ko's
 * cmwq_threadpool_* exports, with one difference:
 * threadpool_percpu_ref_remote() takes a Linux CPU number where NetBSD
 * takes a struct cpu_info.  The struct tags are macros for cmwq's own,
 * so "struct threadpool_job" is complete, to embed.  Include it after
 * every Linux header (see <sys/mutex.h>).
 */
#ifndef _CMWQ_COMPAT_NETBSD_SYS_THREADPOOL_H
#define _CMWQ_COMPAT_NETBSD_SYS_THREADPOOL_H

#include "condvar.h"
#include "mutex.h"
#include "param.h"

#define threadpool		cmwq_threadpool
#define threadpool_percpu	cmwq_threadpool_percpu
#define threadpool_job		cmwq_threadpool_job

typedef void threadpool_job_fn_t(struct threadpool_job *job);

#define threadpool_get			cmwq_threadpool_get
#define threadpool_put			cmwq_threadpool_put
#define threadpool_percpu_get		cmwq_threadpool_percpu_get
#define threadpool_percpu_put		cmwq_threadpool_percpu_put
#define threadpool_percpu_ref		cmwq_threadpool_percpu_ref
#define threadpool_percpu_ref_remote	cmwq_threadpool_percpu_ref_remote
#define threadpool_job_init		cmwq_threadpool_job_init
#define threadpool_job_destroy		cmwq_threadpool_job_destroy
#define threadpool_job_done		cmwq_threadpool_job_done
#define threadpool_schedule_job		cmwq_threadpool_schedule_job
#define threadpool_cancel_job		cmwq_threadpool_cancel_job
#define threadpool_cancel_job_async	cmwq_threadpool_cancel_job_async

#endif /* _CMWQ_COMPAT_NETBSD_SYS_THREADPOOL_H */
