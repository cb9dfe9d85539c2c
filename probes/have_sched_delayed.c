// SPDX-License-Identifier: GPL-2.0
/*
 * have_sched_delayed - the fair class may leave a blocking task queued
 *
 * From 6.12, with the DELAY_DEQUEUE scheduler feature (on by default), a
 * fair task that blocks while it has run past its share is not taken off
 * the runqueue at once: it stays with task->on_rq set and
 * task->se.sched_delayed marking it, until its lag is spent or it is
 * woken.  cmwq's sched_out hook tells a worker going to sleep from one
 * preempted by on_rq; where this field exists it must read it too
 * (cmwq_task_blocking() in cmwq/compat.h).
 */
#include <linux/sched.h>

int cmwq_probe_sched_delayed(struct task_struct *p);

int cmwq_probe_sched_delayed(struct task_struct *p)
{
	return p->se.sched_delayed;
}
