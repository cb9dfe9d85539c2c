// SPDX-License-Identifier: GPL-2.0
/*
 * need_preempt_notifiers - CONFIG_PREEMPT_NOTIFIERS: preempt notifiers with 6.1's callbacks
 *
 * cmwq's scheduler hooks (cmwq/sched.c) are preempt notifiers: a worker
 * registers one on itself and hears every switch out and in. The
 * notifiers exist only with CONFIG_PREEMPT_NOTIFIERS, which KVM selects;
 * without them cmwq cannot count a pool's running workers.
 */
#include <linux/preempt.h>
#include <linux/sched.h>

void cmwq_probe(void);

static void probe_sched_in(struct preempt_notifier *notifier, int cpu)
{
}

static void probe_sched_out(struct preempt_notifier *notifier,
			    struct task_struct *next)
{
}

static struct preempt_ops probe_ops = {
	.sched_in = probe_sched_in,
	.sched_out = probe_sched_out,
};

void cmwq_probe(void)
{
	struct preempt_notifier notifier;

	preempt_notifier_inc();
	preempt_notifier_init(&notifier, &probe_ops);
	preempt_disable();
	preempt_notifier_register(&notifier);
	preempt_notifier_unregister(&notifier);
	preempt_enable();
	preempt_notifier_dec();
}
