// SPDX-License-Identifier: GPL-2.0
/*
 * freeze.c - CMWQ_FREEZABLE queues stand still while the system sleeps
 *
 * Before the system suspends or hibernates, the works of freezable queues
 * must stop: their cwqs' max_active drops to zero, so new works wait as
 * inactive ones, and the PM notifier waits until the works already
 * active have finished.  After resume max_active is restored and the
 * waiting works start.  Flushing a frozen queue waits for the thaw, as
 * with the kernel's own freezable workqueues.
 *
 * A module cannot join the freezer itself, so this runs from the PM
 * notifier chain, before tasks are frozen and after they are thawed.
 */
#include <linux/delay.h>
#include <linux/suspend.h>

#include "internal.h"

/* W: set between freeze_workqueues_begin() and thaw_workqueues() */
static bool cmwq_freezing;

enum {
	FREEZE_TIMEOUT	= 20 * HZ,	/* as the kernel's freezer */
};

/**
 * wq_effective_max_active - what a queue's cwqs may run now
 * @wq: the workqueue
 *
 * Context: cmwq_wq_mutex held, or @wq not yet visible.
 * Return: 0 for a freezable queue while the system freezes, else the
 * queue's max_active.
 */
int wq_effective_max_active(struct cmwq_workqueue *wq)
{
	if ((wq->flags & CMWQ_FREEZABLE) && READ_ONCE(cmwq_freezing))
		return 0;
	return wq->saved_max_active;
}

static void set_freezing(bool freezing)
{
	struct cmwq_workqueue *wq;

	mutex_lock(&cmwq_wq_mutex);
	WRITE_ONCE(cmwq_freezing, freezing);
	list_for_each_entry(wq, &cmwq_workqueues, list) {
		if (!(wq->flags & CMWQ_FREEZABLE))
			continue;
		mutex_lock(&wq->mutex);
		wq_apply_max_active(wq, wq_effective_max_active(wq));
		mutex_unlock(&wq->mutex);
	}
	mutex_unlock(&cmwq_wq_mutex);
}

static bool freezable_works_active(void)
{
	struct cmwq_workqueue *wq;
	struct cmwq_cwq *cwq;
	bool busy = false;

	mutex_lock(&cmwq_wq_mutex);
	list_for_each_entry(wq, &cmwq_workqueues, list) {
		if (!(wq->flags & CMWQ_FREEZABLE))
			continue;
		for_each_cwq(cwq, wq) {
			raw_spin_lock_irq(&cwq->pool->lock);
			busy |= cwq->nr_active > 0;
			raw_spin_unlock_irq(&cwq->pool->lock);
		}
	}
	mutex_unlock(&cmwq_wq_mutex);
	return busy;
}

/**
 * cmwq_freeze - stop the works of every freezable queue
 * @timeout: jiffies to wait for the active ones to finish
 *
 * Context: Process context; might sleep.
 * Return: 0 once no freezable work is active, or -EBUSY after @timeout,
 * in which case the queues are thawed again.
 */
int cmwq_freeze(unsigned long timeout)
{
	unsigned long deadline = jiffies + timeout;

	set_freezing(true);
	while (freezable_works_active()) {
		if (time_after(jiffies, deadline)) {
			set_freezing(false);
			return -EBUSY;
		}
		msleep(20);
	}
	return 0;
}

/**
 * cmwq_thaw - let the works of freezable queues run again
 *
 * Context: Process context; might sleep.
 */
void cmwq_thaw(void)
{
	set_freezing(false);
}

static int cmwq_pm_notify(struct notifier_block *nb, unsigned long action,
			  void *data)
{
	switch (action) {
	case PM_HIBERNATION_PREPARE:
	case PM_SUSPEND_PREPARE:
		return notifier_from_errno(cmwq_freeze(FREEZE_TIMEOUT));
	case PM_POST_HIBERNATION:
	case PM_POST_SUSPEND:
		cmwq_thaw();
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block cmwq_pm_nb = {
	.notifier_call = cmwq_pm_notify,
};

/**
 * cmwq_freeze_init - follow system suspend and hibernation
 *
 * Context: Module init.
 * Return: 0 or a negative errno.
 */
int cmwq_freeze_init(void)
{
	return register_pm_notifier(&cmwq_pm_nb);
}

/**
 * cmwq_freeze_exit - stop following them
 *
 * Context: Module exit.
 */
void cmwq_freeze_exit(void)
{
	unregister_pm_notifier(&cmwq_pm_nb);
}
