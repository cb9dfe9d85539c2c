/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compat.h - the one place where cmwq meets the kernels it builds for
 *
 * cmwq builds from one tree against Debian's 6.1 and 6.12 kernels, plain
 * and PREEMPT_RT, and the test kernels. Where their interfaces differ,
 * the code uses a cmwq_ name defined here, never a version check: what
 * the target kernel has is measured at build time by the feature probes
 * (probes/, compiled against it by kbuild before anything else), whose
 * verdicts are the CMWQ_HAVE_ macros of the generated cmwq_probes.h.
 * The probes also stop the build when the kernel lacks something cmwq
 * cannot do without (preempt notifiers, exported symbols), so the code
 * need not check again. Documentation/cmwq.rst lists the probes and the
 * kernels that have each.
 */
#ifndef _CMWQ_COMPAT_H
#define _CMWQ_COMPAT_H

/* made by the probes: a build of the whole tree (make -C KDIR M=<tree>) */
#include <linux/sched.h>

#include "cmwq_probes.h"

/*
 * cmwq_assign_str - fill a trace event's __string() field
 * @field: the field
 * @src: the string it was declared with in __string(); since 6.10 the
 *	field keeps it and __assign_str() takes the field only
 */
#ifdef CMWQ_HAVE_ASSIGN_STR_ONE_ARG
#define cmwq_assign_str(field, src)	__assign_str(field)
#else
#define cmwq_assign_str(field, src)	__assign_str(field, src)
#endif

/**
 * cmwq_task_blocking - is a task the scheduler switches out going to sleep?
 * @p: the task, current in a preempt notifier's sched_out
 *
 * A task dequeued by __schedule() is going to sleep; one still queued was
 * preempted.  Since 6.12 a blocking fair task may stay queued, marked
 * se.sched_delayed (DELAY_DEQUEUE): it is going to sleep all the same.
 *
 * Return: %true if @p blocks, %false if it was preempted.
 */
static inline bool cmwq_task_blocking(struct task_struct *p)
{
#ifdef CMWQ_HAVE_SCHED_DELAYED
	if (READ_ONCE(p->se.sched_delayed))
		return true;
#endif
	return !READ_ONCE(p->on_rq);
}

#endif /* _CMWQ_COMPAT_H */
