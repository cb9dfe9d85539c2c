// SPDX-License-Identifier: GPL-2.0
/*
 * freeze.c - CMWQ_FREEZABLE queues stand still while the system sleeps
 *
 * The kernel freezes its own freezable workqueues only once user space is
 * frozen (freeze_kernel_threads()), so that a task flushing or destroying
 * one on its way into the freezer still sees it drain.  A module cannot
 * join the freezer, but device PM callbacks run after it: cmwq registers
 * a platform device, and its ->prepare callback, which the PM core calls
 * once every task is frozen, drops the max_active of every freezable
 * queue's cwqs to zero, so new works wait as inactive ones, and waits,
 * up to freeze_timeout_ms, for the works already active to finish.  If
 * they do not, it thaws again and fails, which aborts the transition.
 * Freezable queues created meanwhile start frozen.
 *
 * Thawing restores max_active and the waiting works start.  After a
 * suspend ->complete thaws, just before the PM core thaws the tasks, as
 * the kernel thaws its workqueues.  ->complete also runs right after a
 * hibernation snapshot, while the kernel keeps its freezable workqueues
 * frozen until the image is written, so during a hibernation or a
 * restore (which the PM notifiers bracket) the thaw waits for
 * PM_POST_HIBERNATION or PM_POST_RESTORE instead.
 *
 * Unlike the kernel, cmwq freezes from a device callback: devices
 * registered before cmwq's are prepared before its queues freeze, and
 * their ->complete runs after the thaw.
 *
 * The freeze waits for an event: when the last active work of a frozen
 * cwq (max_active 0) leaves, cwq_dec_nr_in_flight() calls
 * wq_freeze_note_dec(), whose wq_freeze_cwq_idle() completes
 * cmwq_freeze_idle.  A completion's lock is raw, so this is valid under
 * the raw pool->lock.  cmwq_test_freeze() and cmwq_test_thaw() run the
 * same cmwq_freeze() and cmwq_thaw() for tests that hold a freeze.
 */
#include <linux/completion.h>
#include <linux/jiffies.h>
#include <linux/moduleparam.h>
#include <linux/platform_device.h>
#include <linux/suspend.h>

#include "internal.h"

static unsigned int freeze_timeout_ms = 20000;	/* R: a writable param */
module_param(freeze_timeout_ms, uint, 0644);
MODULE_PARM_DESC(freeze_timeout_ms,
		 "milliseconds a suspend waits for active freezable works before it fails (default 20000, as the task freezer)");

/* W, R: set between a freeze and its thaw, read locklessly by queueing */
static bool cmwq_freezing;

/*
 * Set from PM_HIBERNATION_PREPARE or PM_RESTORE_PREPARE to the matching
 * PM_POST_*; the PM core runs the notifiers and device callbacks of one
 * transition at a time, from one task.
 */
static bool cmwq_hibernating;			/* P */

/* R: completed each time a frozen cwq's last active work leaves */
static DECLARE_COMPLETION(cmwq_freeze_idle);

static struct platform_device *cmwq_pm_pdev;	/* I */

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

/**
 * wq_freeze_cwq_idle - tell a waiting freeze that a frozen cwq emptied
 *
 * Context: pool->lock held; complete() takes only a raw lock.
 */
void wq_freeze_cwq_idle(void)
{
	complete(&cmwq_freeze_idle);
}

static void set_freezing(bool freezing)
{
	struct cmwq_workqueue *wq;

	mutex_lock(&cmwq_wq_mutex);
	WRITE_ONCE(cmwq_freezing, freezing);
	for_each_workqueue(wq) {
		if (!(wq->flags & CMWQ_FREEZABLE))
			continue;
		mutex_lock(&wq->mutex);
		wq_apply_max_active(wq, wq_effective_max_active(wq));
		mutex_unlock(&wq->mutex);
	}
	mutex_unlock(&cmwq_wq_mutex);
}

/* Count the active works of freezable queues; name the busy queues if @report. */
static int freezable_works_active(bool report)
{
	struct cmwq_workqueue *wq;
	struct cmwq_cwq *cwq;
	int total = 0, nr;

	mutex_lock(&cmwq_wq_mutex);
	for_each_workqueue(wq) {
		if (!(wq->flags & CMWQ_FREEZABLE))
			continue;
		nr = 0;
		for_each_cwq(cwq, wq) {
			raw_spin_lock_irq(&cwq->pool->lock);
			nr += cwq->nr_active;
			raw_spin_unlock_irq(&cwq->pool->lock);
		}
		if (nr && report)
			pr_warn("cmwq: freezable queue %s still has %d active works\n",
				wq->name, nr);
		total += nr;
	}
	mutex_unlock(&cmwq_wq_mutex);
	return total;
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
	long left;

	/* before max_active drops, so that no completion is missed */
	reinit_completion(&cmwq_freeze_idle);
	set_freezing(true);
	while (freezable_works_active(false)) {
		left = (long)(deadline - jiffies);
		if (left <= 0 ||
		    !wait_for_completion_timeout(&cmwq_freeze_idle, left)) {
			if (!freezable_works_active(true))
				break;
			set_freezing(false);
			return -EBUSY;
		}
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

static int cmwq_pm_prepare(struct device *dev)
{
	unsigned int timeout_ms = READ_ONCE(freeze_timeout_ms);
	int ret;

	ret = cmwq_freeze(msecs_to_jiffies(timeout_ms));
	if (ret)
		pr_err("cmwq: freezable works still active after %u ms, aborting the transition\n",
		       timeout_ms);
	return ret;
}

static void cmwq_pm_complete(struct device *dev)
{
	if (!cmwq_hibernating)
		cmwq_thaw();
}

static const struct dev_pm_ops cmwq_pm_ops = {
	.prepare	= cmwq_pm_prepare,
	.complete	= cmwq_pm_complete,
};

static struct platform_driver cmwq_pm_driver = {
	.driver = {
		.name		= "cmwq",
		.pm		= &cmwq_pm_ops,
		/* bound before cmwq_freeze_init() returns */
		.probe_type	= PROBE_FORCE_SYNCHRONOUS,
	},
};

static int cmwq_pm_notify(struct notifier_block *nb, unsigned long action,
			  void *data)
{
	switch (action) {
	case PM_HIBERNATION_PREPARE:
	case PM_RESTORE_PREPARE:
		cmwq_hibernating = true;
		break;
	case PM_POST_HIBERNATION:
	case PM_POST_RESTORE:
		cmwq_hibernating = false;
		cmwq_thaw();
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block cmwq_pm_nb = {
	.notifier_call = cmwq_pm_notify,
};

/**
 * cmwq_freeze_init - register the device whose PM callbacks freeze and thaw
 *
 * Context: Module init.
 * Return: 0 or a negative errno.
 */
int cmwq_freeze_init(void)
{
	int ret;

	ret = platform_driver_register(&cmwq_pm_driver);
	if (ret)
		return ret;
	cmwq_pm_pdev = platform_device_register_simple("cmwq",
						       PLATFORM_DEVID_NONE,
						       NULL, 0);
	if (IS_ERR(cmwq_pm_pdev)) {
		ret = PTR_ERR(cmwq_pm_pdev);
		goto unregister_driver;
	}
	/* the callbacks are the driver's: without it nothing would freeze */
	if (!cmwq_pm_pdev->dev.driver) {
		ret = -ENODEV;
		goto unregister_device;
	}
	ret = register_pm_notifier(&cmwq_pm_nb);
	if (ret)
		goto unregister_device;
	return 0;

unregister_device:
	platform_device_unregister(cmwq_pm_pdev);
unregister_driver:
	platform_driver_unregister(&cmwq_pm_driver);
	return ret;
}

/**
 * cmwq_freeze_exit - unregister it
 *
 * Context: Module exit.  Tasks are thawed whenever a module can be
 * unloaded, so no freeze is in progress.
 */
void cmwq_freeze_exit(void)
{
	unregister_pm_notifier(&cmwq_pm_nb);
	platform_device_unregister(cmwq_pm_pdev);
	platform_driver_unregister(&cmwq_pm_driver);
}
