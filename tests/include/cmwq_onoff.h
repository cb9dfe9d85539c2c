/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cmwq_onoff.h - CPUs going down and up, the way rcutorture's onoff does
 *
 * Shared by the stress and torture modules.  Each step takes a random CPU
 * but CPU 0 down if it is up and up if it is down, and counts attempts
 * and successes; -EBUSY (hotplug busy or disabled for a moment) is only
 * a retry, any other failure is logged.  At the end every CPU is brought
 * back.
 */
#ifndef _CMWQ_ONOFF_H
#define _CMWQ_ONOFF_H

#include <linux/cpu.h>
#include <linux/delay.h>
#include <linux/random.h>

struct cmwq_onoff {
	const char	*who;		/* prefix of the log lines */
	int		attempts;
	int		offlines;
	int		onlines;
	int		busy;		/* -EBUSY: tried again later */
	int		failed;		/* refused otherwise */
};

/* A random possible CPU, as a target for queueing. */
static inline int cmwq_random_cpu(void)
{
	int cpu = get_random_u32_below(nr_cpu_ids);

	return cpu_possible(cpu) ? cpu : 0;
}

/* One transition of a random CPU, if the one drawn may go down at all. */
static inline void cmwq_onoff_step(struct cmwq_onoff *o)
{
	int cpu = cmwq_random_cpu(), ret;
	bool down;

	if (!cpu || !cpu_present(cpu))
		return;
	o->attempts++;
	down = cpu_online(cpu);
	if (down) {
		ret = remove_cpu(cpu);
		o->offlines += !ret;
	} else {
		ret = add_cpu(cpu);
		o->onlines += !ret;
	}
	o->busy += ret == -EBUSY;
	o->failed += ret && ret != -EBUSY;
	if (ret && ret != -EBUSY)
		pr_info("%s: CPU %d %s failed: %d\n", o->who, cpu,
			down ? "offline" : "online", ret);
}

/*
 * Bring every present CPU back up, retrying -EBUSY for a while.
 * Returns how many stayed down.
 */
static inline int cmwq_onoff_all_online(struct cmwq_onoff *o)
{
	int cpu, tries, ret, down = 0;

	for_each_present_cpu(cpu) {
		for (tries = 0; !cpu_online(cpu) && tries < 100; tries++) {
			ret = add_cpu(cpu);
			if (ret == -EBUSY)
				msleep(20);
			else if (ret)
				break;
		}
		if (!cpu_online(cpu)) {
			pr_err("%s: CPU %d stays offline\n", o->who, cpu);
			down++;
		}
	}
	return down;
}

#endif /* _CMWQ_ONOFF_H */
