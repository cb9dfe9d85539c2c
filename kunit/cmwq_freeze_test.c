// SPDX-License-Identifier: GPL-2.0
/*
 * cmwq_freeze_test.c - KUnit: freezable queues across a real suspend
 *
 * Each case suspends the guest to idle with /sys/power/pm_test set to
 * "devices": the PM core freezes the tasks, prepares and suspends every
 * device, waits pm_test_delay seconds and resumes by itself.  Nothing
 * here calls into cmwq's freezing directly.
 *
 * The suite registers a platform device of its own after cmwq's (cmwq.ko
 * is loaded first), so its ->prepare runs after cmwq's and its ->complete
 * before cmwq's: between the two, cmwq's freezable queues are frozen.
 * Works and callbacks take their numbers from one counter, so "ran inside
 * that window" is exact, not a comparison of clocks.  A PM notifier
 * called before cmwq's marks PM_SUSPEND_PREPARE, before tasks freeze.
 *
 * The user tasks are real: writing a debugfs file of this suite flushes
 * or destroys a freezable queue, and /bin/sh of the guest's initramfs,
 * started through call_usermodehelper(), writes it.
 *
 * KUnit runs the cases on behalf of insmod, which waits for each in an
 * uninterruptible sleep that the freezer cannot freeze; the suite marks
 * insmod PF_NOFREEZE while it runs (suite_init runs in insmod itself).
 */
#include <kunit/test.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/freezer.h>
#include <linux/kthread.h>
#include <linux/platform_device.h>
#include <linux/string.h>
#include <linux/suspend.h>
#include <linux/umh.h>

#include "cmwq_kunit.h"

#define FZ_DIR			"cmwq_freeze_test"
#define PM_TEST			"/sys/power/pm_test"
#define PM_TEST_DELAY		"/sys/module/suspend/parameters/pm_test_delay"
#define PM_FREEZE_TIMEOUT	"/sys/power/pm_freeze_timeout"
#define CMWQ_FREEZE_TIMEOUT	"/sys/module/cmwq/parameters/freeze_timeout_ms"

/* a freezable work that has not finished after this is reported stuck */
#define STUCK_MS		"300"

struct fitem {
	struct cmwq_work		work;
	struct cmwq_delayed_work	dwork;
	struct completion		started;
	struct completion		done;
	atomic_t			runs;
	int				start_seq;
	int				end_seq;
	unsigned long			end_jiffies;
	bool				saw_freezer;
};

/* What one case sets up; the PM callbacks reach it only through here. */
static struct {
	atomic_t		seq;
	bool			armed;		/* a case is suspending */
	bool			queue_in_window; /* ->prepare queues works */
	int			prepare_seq;	/* PM_SUSPEND_PREPARE */
	int			win_start;	/* this suite's ->prepare */
	unsigned long		win_start_jiffies;
	int			win_end;	/* this suite's ->complete */
	int			win_active;	/* fwq's cwq at ->complete */
	int			win_inactive;
	int			late_max_active; /* late's, inside the window */
	struct completion	go;		/* at PM_SUSPEND_PREPARE */
	struct completion	release;	/* lets the stuck work end */

	struct cmwq_workqueue	*fwq;		/* freezable */
	struct cmwq_workqueue	*userq;		/* freezable, the user task's */
	struct cmwq_workqueue	*nwq;		/* not freezable */
	struct cmwq_workqueue	*late;		/* created while frozen */
	struct fitem		running;	/* asleep as the freeze starts */
	struct fitem		before;		/* on userq, released by go */
	struct fitem		behind;		/* on userq, held back by it */
	struct fitem		inwin;		/* queued while frozen */
	struct fitem		delayed;	/* its timer fires while frozen */
	struct fitem		plain;		/* on nwq, while frozen */
	struct fitem		stuck;		/* never ends by itself */

	struct task_struct	*freezable_thread;
	struct completion	thread_ready;
	bool			user_started;
	struct completion	user_entered;
	struct completion	user_returned;
	int			user_seq;	/* its flush or destroy returned */
	bool			timeout_changed;
} fz;

static int fz_cpu;
static struct platform_device *fz_pdev;
static bool fz_driver_registered, fz_notifier_registered, fz_pm_test_set;
static bool fz_insmod_was_nofreeze;
static struct dentry *fz_dir;
static char fz_saved_delay[16], fz_saved_freeze_timeout[16];
static char fz_saved_cmwq_timeout[16];
static DECLARE_WAIT_QUEUE_HEAD(fz_thread_wait);

static int next_seq(void)
{
	return atomic_inc_return(&fz.seq);
}

static int sysfs_write(const char *path, const char *val)
{
	struct file *f = filp_open(path, O_WRONLY, 0);
	loff_t pos = 0;
	ssize_t ret;

	if (IS_ERR(f))
		return PTR_ERR(f);
	ret = kernel_write(f, val, strlen(val), &pos);
	filp_close(f, NULL);
	return ret < 0 ? ret : 0;
}

static void fitem_init(struct fitem *it, cmwq_func_t fn)
{
	memset(it, 0, sizeof(*it));
	CMWQ_INIT_WORK(&it->work, fn);
	CMWQ_INIT_DELAYED_WORK(&it->dwork, fn);
	init_completion(&it->started);
	init_completion(&it->done);
}

static struct fitem *work_fitem(struct cmwq_work *work)
{
	return container_of(work, struct fitem, work);
}

static void fitem_end(struct fitem *it)
{
	it->end_seq = next_seq();
	it->end_jiffies = jiffies;
	atomic_inc(&it->runs);
	complete(&it->done);
}

static void mark_fn(struct cmwq_work *work)
{
	struct fitem *it = work_fitem(work);

	it->start_seq = next_seq();
	fitem_end(it);
}

static void dmark_fn(struct cmwq_work *work)
{
	struct fitem *it = container_of(cmwq_to_delayed_work(work),
					struct fitem, dwork);

	it->start_seq = next_seq();
	fitem_end(it);
}

/* Runs until the suspend has started, then a little longer. */
static void gated_fn(struct cmwq_work *work)
{
	struct fitem *it = work_fitem(work);

	it->start_seq = next_seq();
	complete(&it->started);
	wait_for_completion_timeout(&fz.go, CMWQ_KUNIT_TIMEOUT);
	msleep(200);
	fitem_end(it);
}

/*
 * Still running, asleep, when the freezer has frozen user space and
 * reaches kernel threads: cmwq's ->prepare comes right after that.
 */
static void running_fn(struct cmwq_work *work)
{
	struct fitem *it = work_fitem(work);

	it->start_seq = next_seq();
	complete(&it->started);
	it->saw_freezer = cmwq_poll(freezing(fz.freezable_thread),
				    CMWQ_KUNIT_TIMEOUT / 2);
	msleep(300);
	fitem_end(it);
}

static void stuck_fn(struct cmwq_work *work)
{
	struct fitem *it = work_fitem(work);

	it->start_seq = next_seq();
	complete(&it->started);
	wait_for_completion_timeout(&fz.release, CMWQ_KUNIT_TIMEOUT);
	fitem_end(it);
}

/* Frozen with the kernel threads, which the freezer freezes after user space. */
static int freezable_thread_fn(void *arg)
{
	set_freezable();
	complete(&fz.thread_ready);
	while (!kthread_should_stop())
		wait_event_freezable(fz_thread_wait, kthread_should_stop());
	return 0;
}

static int fz_pm_notify(struct notifier_block *nb, unsigned long action,
			void *data)
{
	if (action == PM_SUSPEND_PREPARE && READ_ONCE(fz.armed)) {
		fz.prepare_seq = next_seq();
		complete_all(&fz.go);
	}
	return NOTIFY_DONE;
}

/* called before cmwq's notifier, were cmwq to act at PM_SUSPEND_PREPARE */
static struct notifier_block fz_pm_nb = {
	.notifier_call	= fz_pm_notify,
	.priority	= INT_MAX,
};

static int fz_prepare(struct device *dev)
{
	if (!READ_ONCE(fz.armed))
		return 0;
	fz.win_start = next_seq();
	fz.win_start_jiffies = jiffies;
	if (fz.queue_in_window) {
		cmwq_queue_work_on(fz_cpu, fz.fwq, &fz.inwin.work);
		/* fires long before the resume: pm_test_delay is seconds */
		cmwq_queue_delayed_work_on(fz_cpu, fz.fwq, &fz.delayed.dwork,
					   msecs_to_jiffies(100));
		cmwq_queue_work(fz.nwq, &fz.plain.work);
		fz.late = cmwq_alloc_workqueue("freeze_test_late",
					       CMWQ_FREEZABLE, 3);
		if (fz.late)
			fz.late_max_active = cmwq_test_max_active(fz.late,
								  fz_cpu);
	}
	return 0;
}

/* fwq's works on fz_cpu now; true once both window works are held back */
static bool fz_window_counted(void)
{
	cmwq_test_cwq_counts(fz.fwq, fz_cpu, &fz.win_active, &fz.win_inactive);
	return fz.win_inactive >= 2;
}

static void fz_complete(struct device *dev)
{
	if (!READ_ONCE(fz.armed))
		return;
	/*
	 * The delayed work's 100 ms timer is meant to fire inside the
	 * window, during pm_test_delay.  That is an mdelay(), which under
	 * TCG may take a small part of its guest time: keep the window
	 * open (cmwq's ->complete, which thaws, runs after this one) until
	 * the timer has queued its work, or a bound passes.
	 */
	if (fz.fwq && fz.queue_in_window)
		cmwq_poll(fz_window_counted(), CMWQ_KUNIT_TIMEOUT);
	else if (fz.fwq)
		cmwq_test_cwq_counts(fz.fwq, fz_cpu, &fz.win_active,
				     &fz.win_inactive);
	fz.win_end = next_seq();
}

static const struct dev_pm_ops fz_pm_ops = {
	.prepare	= fz_prepare,
	.complete	= fz_complete,
};

static struct platform_driver fz_driver = {
	.driver = {
		.name		= FZ_DIR,
		.pm		= &fz_pm_ops,
		.probe_type	= PROBE_FORCE_SYNCHRONOUS,
	},
};

/* The user task's write: flush or destroy userq, from user context. */
static ssize_t user_op_write(struct file *file, const char __user *buf,
			     size_t len, loff_t *ppos)
{
	complete(&fz.user_entered);
	if (file->private_data) {
		cmwq_destroy_workqueue(fz.userq);
		fz.userq = NULL;
	} else {
		cmwq_flush_workqueue(fz.userq);
	}
	fz.user_seq = next_seq();
	/* for the case and for its exit */
	complete_all(&fz.user_returned);
	return len;
}

static const struct file_operations user_op_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.write	= user_op_write,
};

/* Start /bin/sh writing debugfs file @name; returns once it runs. */
static int start_user_task(const char *name)
{
	char cmd[80], *argv[4], *envp[2];

	snprintf(cmd, sizeof(cmd), "echo 1 > /sys/kernel/debug/%s/%s",
		 FZ_DIR, name);
	argv[0] = "/bin/sh";
	argv[1] = "-c";
	argv[2] = cmd;
	argv[3] = NULL;
	envp[0] = "PATH=/bin";
	envp[1] = NULL;
	fz.user_started = true;
	return call_usermodehelper(argv[0], argv, envp, UMH_WAIT_EXEC);
}

static int suspend_to_idle(void)
{
	int ret;

	WRITE_ONCE(fz.armed, true);
	ret = pm_suspend(PM_SUSPEND_TO_IDLE);
	WRITE_ONCE(fz.armed, false);
	return ret;
}

static int fz_init(struct kunit *test)
{
	memset(&fz, 0, sizeof(fz));
	init_completion(&fz.go);
	init_completion(&fz.release);
	init_completion(&fz.thread_ready);
	init_completion(&fz.user_entered);
	init_completion(&fz.user_returned);
	fitem_init(&fz.running, running_fn);
	fitem_init(&fz.before, gated_fn);
	fitem_init(&fz.behind, mark_fn);
	fitem_init(&fz.inwin, mark_fn);
	fitem_init(&fz.delayed, dmark_fn);
	fitem_init(&fz.plain, mark_fn);
	fitem_init(&fz.stuck, stuck_fn);
	return 0;
}

static void fz_exit(struct kunit *test)
{
	WRITE_ONCE(fz.armed, false);
	complete_all(&fz.go);
	complete_all(&fz.release);
	/* the global knob first, whatever else is stuck */
	if (fz.timeout_changed)
		sysfs_write(CMWQ_FREEZE_TIMEOUT, fz_saved_cmwq_timeout);
	if (fz.freezable_thread)
		kthread_stop(fz.freezable_thread);
	cmwq_cancel_delayed_work_sync(&fz.delayed.dwork);
	/* fwq and nwq are the case's resources, destroyed after this */
	if (fz.late)
		cmwq_destroy_workqueue(fz.late);
	if (fz.user_started &&
	    !wait_for_completion_timeout(&fz.user_returned, CMWQ_KUNIT_TIMEOUT))
		return;	/* the user task still uses userq: leak it */
	if (fz.userq)
		cmwq_destroy_workqueue(fz.userq);
}

/*
 * The whole picture: a user task flushes a freezable queue as the suspend
 * starts, a freezable work is asleep when the freezer reaches kernel
 * threads, works are queued and a delayed work's timer fires while the
 * queues are frozen.  The flush returns before the freeze, the freeze
 * waits for the running work, nothing freezable runs while frozen but
 * non-freezable works do, and the held-back works run once after resume.
 */
static void suspend_freezes_after_tasks(struct kunit *test)
{
	int cpu = fz_cpu;

	fz.fwq = cmwq_kunit_alloc_wq(test, "freeze_test", CMWQ_FREEZABLE, 4);
	/* the user task destroys it in the other case: the exit hook's own */
	fz.userq = cmwq_alloc_workqueue("freeze_test_user", CMWQ_FREEZABLE, 1);
	fz.nwq = cmwq_kunit_alloc_wq(test, "freeze_test_plain", 0, 0);
	KUNIT_ASSERT_NOT_NULL(test, fz.fwq);
	KUNIT_ASSERT_NOT_NULL(test, fz.userq);
	KUNIT_ASSERT_NOT_NULL(test, fz.nwq);
	fz.freezable_thread = kthread_run(freezable_thread_fn, NULL,
					  "cmwq_freeze_test");
	KUNIT_ASSERT_FALSE(test, IS_ERR(fz.freezable_thread));
	KUNIT_ASSERT_COMPLETES(test, &fz.thread_ready);

	/* the user task's flush waits for a work held back behind another */
	KUNIT_ASSERT_TRUE(test, cmwq_queue_work_on(cpu, fz.userq,
						   &fz.before.work));
	KUNIT_ASSERT_TRUE(test, cmwq_queue_work_on(cpu, fz.userq,
						   &fz.behind.work));
	KUNIT_ASSERT_COMPLETES(test, &fz.before.started);
	KUNIT_ASSERT_EQ(test, start_user_task("flush"), 0);
	KUNIT_ASSERT_COMPLETES(test, &fz.user_entered);

	KUNIT_ASSERT_TRUE(test, cmwq_queue_work_on(cpu, fz.fwq,
						   &fz.running.work));
	KUNIT_ASSERT_COMPLETES(test, &fz.running.started);

	fz.queue_in_window = true;
	KUNIT_ASSERT_EQ(test, suspend_to_idle(), 0);
	KUNIT_ASSERT_GT(test, fz.win_start, 0);
	KUNIT_ASSERT_GT(test, fz.win_end, fz.win_start);

	kunit_info(test, "suspend %d, flush returned %d, running work ended %d, frozen %d..%d\n",
		   fz.prepare_seq, fz.user_seq, fz.running.end_seq,
		   fz.win_start, fz.win_end);

	/* the user task finished its flush, then froze */
	KUNIT_ASSERT_COMPLETES(test, &fz.user_returned);
	KUNIT_EXPECT_LT(test, fz.prepare_seq, fz.before.end_seq);
	KUNIT_EXPECT_LT(test, fz.before.end_seq, fz.behind.start_seq);
	KUNIT_EXPECT_LT(test, fz.behind.end_seq, fz.user_seq);
	KUNIT_EXPECT_LT(test, fz.user_seq, fz.win_start);

	/* the freeze waited for the work running when it began */
	KUNIT_EXPECT_TRUE(test, fz.running.saw_freezer);
	KUNIT_EXPECT_LT(test, fz.running.end_seq, fz.win_start);
	/* and ended with it, long before freeze_timeout_ms (20 s) */
	KUNIT_EXPECT_LT(test, fz.win_start_jiffies - fz.running.end_jiffies,
			2UL * HZ);

	/* while frozen: nothing freezable active, both works held back... */
	KUNIT_EXPECT_EQ(test, fz.win_active, 0);
	KUNIT_EXPECT_EQ(test, fz.win_inactive, 2);
	KUNIT_EXPECT_NOT_NULL(test, fz.late);
	KUNIT_EXPECT_EQ(test, fz.late_max_active, 0);
	/* ...while a non-freezable work ran */
	KUNIT_EXPECT_GT(test, fz.plain.end_seq, fz.win_start);
	KUNIT_EXPECT_LT(test, fz.plain.end_seq, fz.win_end);

	/* after the thaw the held-back works ran, once */
	KUNIT_ASSERT_COMPLETES(test, &fz.inwin.done);
	KUNIT_ASSERT_COMPLETES(test, &fz.delayed.done);
	KUNIT_EXPECT_GT(test, fz.inwin.start_seq, fz.win_end);
	KUNIT_EXPECT_GT(test, fz.delayed.start_seq, fz.win_end);
	cmwq_flush_workqueue(fz.fwq);
	cmwq_flush_workqueue(fz.nwq);
	KUNIT_EXPECT_EQ(test, atomic_read(&fz.inwin.runs), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&fz.delayed.runs), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&fz.running.runs), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&fz.before.runs), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&fz.behind.runs), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&fz.plain.runs), 1);
	if (fz.late)
		KUNIT_EXPECT_EQ(test, cmwq_test_max_active(fz.late, cpu), 3);
}

/*
 * A user task destroying a freezable queue when the suspend starts: the
 * queue must drain, with a work held back behind another, before the
 * freezer's timeout, or the task cannot freeze and the suspend fails.
 * Freezing the queues before the tasks made exactly that happen.
 */
static void user_destroy_does_not_abort_suspend(struct kunit *test)
{
	int cpu = fz_cpu;

	fz.userq = cmwq_alloc_workqueue("freeze_test_user", CMWQ_FREEZABLE, 1);
	KUNIT_ASSERT_NOT_NULL(test, fz.userq);
	KUNIT_ASSERT_TRUE(test, cmwq_queue_work_on(cpu, fz.userq,
						   &fz.before.work));
	KUNIT_ASSERT_TRUE(test, cmwq_queue_work_on(cpu, fz.userq,
						   &fz.behind.work));
	KUNIT_ASSERT_COMPLETES(test, &fz.before.started);
	KUNIT_ASSERT_EQ(test, start_user_task("destroy"), 0);
	KUNIT_ASSERT_COMPLETES(test, &fz.user_entered);

	KUNIT_EXPECT_EQ(test, suspend_to_idle(), 0);
	KUNIT_ASSERT_COMPLETES(test, &fz.user_returned);
	KUNIT_EXPECT_GT(test, fz.win_start, 0);
	KUNIT_EXPECT_LT(test, fz.user_seq, fz.win_start);
	KUNIT_EXPECT_LT(test, fz.behind.end_seq, fz.user_seq);
	KUNIT_EXPECT_EQ(test, atomic_read(&fz.before.runs), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&fz.behind.runs), 1);
}

/*
 * A freezable work that does not finish within freeze_timeout_ms fails
 * the suspend at cmwq's device, before this suite's, and the queues are
 * thawed at once: another work of the same queue runs while it is stuck.
 */
static void stuck_work_aborts_suspend(struct kunit *test)
{
	int cpu = fz_cpu;

	fz.fwq = cmwq_kunit_alloc_wq(test, "freeze_test", CMWQ_FREEZABLE, 2);
	KUNIT_ASSERT_NOT_NULL(test, fz.fwq);
	KUNIT_ASSERT_EQ(test, cmwq_kunit_read_text(CMWQ_FREEZE_TIMEOUT,
						   fz_saved_cmwq_timeout,
						   sizeof(fz_saved_cmwq_timeout)),
			0);
	KUNIT_ASSERT_EQ(test, sysfs_write(CMWQ_FREEZE_TIMEOUT, STUCK_MS), 0);
	fz.timeout_changed = true;
	KUNIT_ASSERT_TRUE(test, cmwq_queue_work_on(cpu, fz.fwq,
						   &fz.stuck.work));
	KUNIT_ASSERT_COMPLETES(test, &fz.stuck.started);

	KUNIT_EXPECT_EQ(test, suspend_to_idle(), -EBUSY);
	KUNIT_EXPECT_EQ(test, fz.win_start, 0);

	KUNIT_EXPECT_EQ(test, cmwq_test_max_active(fz.fwq, cpu), 2);
	KUNIT_ASSERT_TRUE(test, cmwq_queue_work_on(cpu, fz.fwq,
						   &fz.inwin.work));
	KUNIT_EXPECT_COMPLETES(test, &fz.inwin.done);
	KUNIT_EXPECT_EQ(test, atomic_read(&fz.stuck.runs), 0);
	complete(&fz.release);
	KUNIT_EXPECT_COMPLETES(test, &fz.stuck.done);
}

static void fz_teardown(void)
{
	if (fz_pm_test_set) {
		sysfs_write(PM_TEST, "none");
		sysfs_write(PM_TEST_DELAY, fz_saved_delay);
		sysfs_write(PM_FREEZE_TIMEOUT, fz_saved_freeze_timeout);
		fz_pm_test_set = false;
	}
	debugfs_remove_recursive(fz_dir);
	fz_dir = NULL;
	if (fz_notifier_registered)
		unregister_pm_notifier(&fz_pm_nb);
	fz_notifier_registered = false;
	if (!IS_ERR_OR_NULL(fz_pdev))
		platform_device_unregister(fz_pdev);
	fz_pdev = NULL;
	if (fz_driver_registered)
		platform_driver_unregister(&fz_driver);
	fz_driver_registered = false;
	if (!fz_insmod_was_nofreeze)
		current->flags &= ~PF_NOFREEZE;
}

static int fz_suite_init(struct kunit_suite *suite)
{
	int ret;

	fz_cpu = cpumask_first(cpu_online_mask);
	fz_insmod_was_nofreeze = current->flags & PF_NOFREEZE;
	current->flags |= PF_NOFREEZE;

	ret = cmwq_kunit_read_text(PM_TEST_DELAY, fz_saved_delay,
				   sizeof(fz_saved_delay));
	if (!ret)
		ret = cmwq_kunit_read_text(PM_FREEZE_TIMEOUT,
					   fz_saved_freeze_timeout,
					   sizeof(fz_saved_freeze_timeout));
	if (ret)
		goto fail;

	/*
	 * suite_init runs while this module is still coming, before its
	 * /sys/module directory exists: no owner, so no link is made there.
	 */
	ret = __platform_driver_register(&fz_driver, NULL);
	if (ret)
		goto fail;
	fz_driver_registered = true;
	fz_pdev = platform_device_register_simple(FZ_DIR, PLATFORM_DEVID_NONE,
						  NULL, 0);
	if (IS_ERR(fz_pdev)) {
		ret = PTR_ERR(fz_pdev);
		goto fail;
	}
	if (!fz_pdev->dev.driver) {
		ret = -ENODEV;
		goto fail;
	}
	ret = register_pm_notifier(&fz_pm_nb);
	if (ret)
		goto fail;
	fz_notifier_registered = true;

	fz_dir = debugfs_create_dir(FZ_DIR, NULL);
	debugfs_create_file("flush", 0200, fz_dir, NULL, &user_op_fops);
	/* any non-NULL private data says "destroy" */
	debugfs_create_file("destroy", 0200, fz_dir, &fz, &user_op_fops);

	fz_pm_test_set = true;
	ret = sysfs_write(PM_TEST, "devices");
	/* devices stay suspended this many seconds */
	if (!ret)
		ret = sysfs_write(PM_TEST_DELAY, "2");
	/* freezing the tasks takes well under a second here */
	if (!ret)
		ret = sysfs_write(PM_FREEZE_TIMEOUT, "10000");
	if (ret)
		goto fail;
	return 0;

fail:
	fz_teardown();
	return ret;
}

static void fz_suite_exit(struct kunit_suite *suite)
{
	fz_teardown();
}

static struct kunit_case cmwq_freeze_cases[] = {
	KUNIT_CASE(suspend_freezes_after_tasks),
	KUNIT_CASE(user_destroy_does_not_abort_suspend),
	KUNIT_CASE(stuck_work_aborts_suspend),
	{}
};

static struct kunit_suite cmwq_freeze_suite = {
	.name		= "cmwq_freeze",
	.suite_init	= fz_suite_init,
	.suite_exit	= fz_suite_exit,
	.init		= fz_init,
	.exit		= fz_exit,
	.test_cases	= cmwq_freeze_cases,
};

kunit_test_suites(&cmwq_freeze_suite);

MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_DESCRIPTION("KUnit tests of cmwq's freezable queues across suspend");
