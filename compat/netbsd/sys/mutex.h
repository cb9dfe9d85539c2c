/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sys/mutex.h - NetBSD's mutex(9) on cmwq
 *
 * kmutex_t is cmwq's NetBSD mutex: adaptive (may sleep holding it) at
 * IPL_NONE, a spin mutex usable from hard interrupts above.  Include it
 * after every Linux header: mutex_init() and mutex_destroy() are renamed
 * here to NetBSD's, so Linux code after it cannot use struct mutex's.
 */
#ifndef _CMWQ_COMPAT_NETBSD_SYS_MUTEX_H
#define _CMWQ_COMPAT_NETBSD_SYS_MUTEX_H

/* first, so that its mutex_init() is defined before being replaced */
#include <linux/mutex.h>

#include "param.h"

typedef struct cmwq_kmutex	kmutex_t;
typedef enum cmwq_kmutex_type	kmutex_type_t;

#define MUTEX_ADAPTIVE		CMWQ_MUTEX_ADAPTIVE
#define MUTEX_SPIN		CMWQ_MUTEX_SPIN
#define MUTEX_DEFAULT		CMWQ_MUTEX_DEFAULT
#define MUTEX_DRIVER		CMWQ_MUTEX_DRIVER

#define IPL_NONE		CMWQ_IPL_NONE
#define IPL_SOFTCLOCK		CMWQ_IPL_SOFTCLOCK
#define IPL_SOFTBIO		CMWQ_IPL_SOFTBIO
#define IPL_SOFTNET		CMWQ_IPL_SOFTNET
#define IPL_SOFTSERIAL		CMWQ_IPL_SOFTSERIAL
#define IPL_VM			CMWQ_IPL_VM
#define IPL_SCHED		CMWQ_IPL_SCHED
#define IPL_HIGH		CMWQ_IPL_HIGH

#undef mutex_init
#define mutex_init		cmwq_mutex_init
#define mutex_destroy		cmwq_mutex_destroy
#define mutex_enter		cmwq_mutex_enter
#define mutex_exit		cmwq_mutex_exit
#define mutex_owned		cmwq_mutex_owned

#endif /* _CMWQ_COMPAT_NETBSD_SYS_MUTEX_H */
