/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sys/condvar.h - NetBSD's condvar(9) on cmwq
 *
 * cv_timedwait() takes ticks (hz a second) and returns EWOULDBLOCK,
 * positive as in NetBSD, when they run out.  Include it after every Linux
 * header, as <sys/mutex.h>.
 */
#ifndef _CMWQ_COMPAT_NETBSD_SYS_CONDVAR_H
#define _CMWQ_COMPAT_NETBSD_SYS_CONDVAR_H

#include <linux/errno.h>

#include "mutex.h"

typedef struct cmwq_kcondvar	kcondvar_t;

#define cv_init			cmwq_cv_init
#define cv_destroy		cmwq_cv_destroy
#define cv_wait			cmwq_cv_wait
#define cv_timedwait		cmwq_cv_timedwait
#define cv_signal		cmwq_cv_signal
#define cv_broadcast		cmwq_cv_broadcast

#endif /* _CMWQ_COMPAT_NETBSD_SYS_CONDVAR_H */
