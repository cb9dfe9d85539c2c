/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sys/param.h - the part of NetBSD's sys/param.h that threadpool(9),
 * mutex(9), condvar(9) and task(9) callers need: priorities and hz
 *
 * For NetBSD-style code built against cmwq: add
 * "ccflags-y += -I<cmwq>/compat/netbsd" and include these headers after
 * every Linux header (hz, and mutex_init() and mutex_destroy() in
 * <sys/mutex.h>, are macros that would rename Linux's own).
 */
#ifndef _CMWQ_COMPAT_NETBSD_SYS_PARAM_H
#define _CMWQ_COMPAT_NETBSD_SYS_PARAM_H

#include <linux/jiffies.h>

#include "../../../cmwq/cmwq_netbsd.h"

typedef int		pri_t;

#define PRI_NONE		CMWQ_PRI_NONE
#define PRI_USER		CMWQ_PRI_USER
#define PRI_KERNEL		CMWQ_PRI_KERNEL
#define PRI_KTHREAD		CMWQ_PRI_KTHREAD
#define PRI_USER_RT		CMWQ_PRI_USER_RT
#define PRI_KERNEL_RT		CMWQ_PRI_KERNEL_RT
#define MAXPRI_KERNEL_RT	CMWQ_MAXPRI_KERNEL_RT
#define PRI_COUNT		CMWQ_PRI_COUNT

/* ticks a second: NetBSD's tick is Linux's jiffy */
#define hz			HZ

#endif /* _CMWQ_COMPAT_NETBSD_SYS_PARAM_H */
