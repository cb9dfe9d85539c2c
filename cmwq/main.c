// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - cmwq module set-up and teardown, refusals of bad input
 *
 * cmwq.ko sets up the pools of every CPU and the unbound gcwq (pool.c),
 * registers the CPU hotplug callbacks, which give the online CPUs' pools
 * their workers (hotplug.c), then creates the four system workqueues
 * drivers share (workqueue.c), the two system taskqs (taskq.c) and
 * NetBSD's system_taskqueue (task.c).
 * Teardown runs in reverse; by then every driver using cmwq is unloaded,
 * so every queue of theirs is gone.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>

#include "internal.h"
#include "netbsd_internal.h"

static unsigned int idle_timeout_secs = 300;	/* I */
module_param(idle_timeout_secs, uint, 0444);
MODULE_PARM_DESC(idle_timeout_secs,
		 "seconds an idle surplus worker lives before it is reaped (default 300)");

atomic_t cmwq_nr_refusals = ATOMIC_INIT(0);	/* R: shown in debugfs */

/**
 * __cmwq_refuse - report a refusal of bad input; see CMWQ_REFUSE()
 * @warned: the call site's once-only flag
 * @fmt: what was refused, naming the caller
 * @...: arguments for @fmt
 *
 * Context: Any context.
 * Return: %true, so that CMWQ_REFUSE() evaluates to its condition.
 */
bool __cmwq_refuse(bool *warned, const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	atomic_inc(&cmwq_nr_refusals);
	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	if (cmwq_refusal_expected()) {
		pr_info("cmwq: refused as expected: %pV\n", &vaf);
	} else if (!*warned) {
		*warned = true;
		WARN(1, "cmwq: %pV\n", &vaf);
	}
	va_end(args);
	return true;
}

/**
 * __work_refused - the checks of work_refused(), out of line
 * @work: the work item, or %NULL (a NULL delayed work's work is %NULL too)
 * @waits: the caller waits for @work, which must not be its own
 * @caller: the API function, for the message
 * @ret_ip: its caller, for the message
 *
 * Context: Any context.
 * Return: %true if @work is NULL, was never initialised, or (with @waits)
 * is the work the current worker is running, which would wait for itself.
 */
bool __work_refused(struct cmwq_work *work, bool waits, const char *caller,
		    void *ret_ip)
{
	struct worker *worker;

	if (CMWQ_REFUSE(!work, "%s: NULL work from %pS", caller, ret_ip) ||
	    CMWQ_REFUSE(!work->func || !work->entry.next,
			"%s: uninitialised work %p from %pS", caller, work,
			ret_ip))
		return true;
	if (!waits)
		return false;
	worker = current_worker();
	return CMWQ_REFUSE(worker && worker->current_work == work,
			   "%s: work %ps waits for itself", caller, work->func);
}

/**
 * __queue_refused - the checks of queue_refused(), out of line
 * @wq: the workqueue, or %NULL
 * @cpu: the CPU asked for, or %CMWQ_CPU_UNBOUND when the call takes none
 * @caller: the API function, for the message
 * @ret_ip: its caller, for the message
 *
 * Context: Any context.
 * Return: %true if @wq is NULL or @cpu is not a possible CPU.
 */
bool __queue_refused(struct cmwq_workqueue *wq, int cpu, const char *caller,
		     void *ret_ip)
{
	return CMWQ_REFUSE(!wq, "%s: NULL workqueue from %pS", caller,
			   ret_ip) ||
	       CMWQ_REFUSE(cpu != CMWQ_CPU_UNBOUND &&
			   (cpu < 0 || cpu >= nr_cpu_ids || !cpu_possible(cpu)),
			   "%s: impossible CPU %d", caller, cpu);
}

static int __init cmwq_init(void)
{
	int ret;

	WRITE_ONCE(cmwq_idle_timeout, idle_timeout_secs * HZ);
	cmwq_fault_init();
	preempt_notifier_inc();

	ret = cmwq_workqueue_init();
	if (ret)
		goto dec_notifiers;
	ret = cmwq_pools_init();
	if (ret)
		goto exit_workqueues;
	ret = cmwq_hotplug_init();
	if (ret)
		goto exit_pools;
	ret = create_system_wqs();
	if (ret)
		goto exit_hotplug;
	ret = cmwq_taskq_init();
	if (ret)
		goto destroy_wqs;
	ret = cmwq_netbsd_tasks_init();
	if (ret)
		goto exit_taskqs;
	ret = cmwq_freeze_init();
	if (ret)
		goto exit_tasks;
	cmwq_debugfs_init();
	cmwq_fault_debugfs_init();
	cmwq_watchdog_init();
	pr_info("cmwq: %d CPU pools and the unbound pools ready\n",
		num_online_cpus() * NR_STD_WORKER_POOLS);
	return 0;

exit_tasks:
	cmwq_netbsd_tasks_exit();
	cmwq_netbsd_pools_exit();
exit_taskqs:
	cmwq_taskq_exit();
destroy_wqs:
	destroy_system_wqs();
exit_hotplug:
	cmwq_hotplug_exit();
exit_pools:
	cmwq_pools_exit();
exit_workqueues:
	cmwq_workqueue_exit();
dec_notifiers:
	preempt_notifier_dec();
	return ret;
}

static void __exit cmwq_exit(void)
{
	cmwq_watchdog_exit();
	cmwq_freeze_exit();
	cmwq_debugfs_exit();
	cmwq_netbsd_tasks_exit();
	cmwq_netbsd_pools_exit();
	cmwq_taskq_exit();
	destroy_system_wqs();
	cmwq_hotplug_exit();
	cmwq_pools_exit();
	cmwq_workqueue_exit();
	preempt_notifier_dec();
}

module_init(cmwq_init);
module_exit(cmwq_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Concurrency-managed workqueues for drivers");
/* CMWQ_VERSION: ./VERSION, passed by the top Kbuild */
MODULE_VERSION(CMWQ_VERSION);
