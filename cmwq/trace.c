// SPDX-License-Identifier: GPL-2.0
/*
 * trace.c - creates the cmwq trace events declared in trace.h
 *
 * The events are defined once, here; the files that own the data fire
 * them (queue.c, worker.c, pool.c, sched.c, rescuer.c, hotplug.c,
 * watchdog.c, hog.c, waits.c, taskq.c).  Each tracepoint is exported so
 * that a module can attach a probe with register_trace_cmwq_*(): cmwq's
 * KUnit suites do, to check the events' fields.  From user space the events
 * are the "cmwq" system of tracefs, perf and trace-cmd (README.md,
 * Documentation/cmwq.rst).
 */
#include "internal.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

atomic_t cmwq_exec_traced = ATOMIC_INIT(0);

/*
 * The register callbacks of cmwq_execute_start and cmwq_execute_end: the
 * tracepoint core calls them, under its mutex, when an event gets its
 * first probe and loses its last.
 */
int cmwq_exec_trace_reg(void)
{
	atomic_inc(&cmwq_exec_traced);
	return 0;
}

void cmwq_exec_trace_unreg(void)
{
	atomic_dec(&cmwq_exec_traced);
}

EXPORT_TRACEPOINT_SYMBOL_GPL(cmwq_queue_work);
EXPORT_TRACEPOINT_SYMBOL_GPL(cmwq_activate_work);
EXPORT_TRACEPOINT_SYMBOL_GPL(cmwq_execute_start);
EXPORT_TRACEPOINT_SYMBOL_GPL(cmwq_execute_end);
EXPORT_TRACEPOINT_SYMBOL_GPL(cmwq_worker_create);
EXPORT_TRACEPOINT_SYMBOL_GPL(cmwq_worker_destroy);
EXPORT_TRACEPOINT_SYMBOL_GPL(cmwq_worker_sleep);
EXPORT_TRACEPOINT_SYMBOL_GPL(cmwq_worker_wake);
EXPORT_TRACEPOINT_SYMBOL_GPL(cmwq_mayday);
EXPORT_TRACEPOINT_SYMBOL_GPL(cmwq_rescue);
EXPORT_TRACEPOINT_SYMBOL_GPL(cmwq_trustee_state);
EXPORT_TRACEPOINT_SYMBOL_GPL(cmwq_stall);
EXPORT_TRACEPOINT_SYMBOL_GPL(cmwq_stall_work);
EXPORT_TRACEPOINT_SYMBOL_GPL(cmwq_stall_worker);
EXPORT_TRACEPOINT_SYMBOL_GPL(cmwq_cpu_hog);
EXPORT_TRACEPOINT_SYMBOL_GPL(cmwq_flush_blocked);
EXPORT_TRACEPOINT_SYMBOL_GPL(cmwq_blocked_work);
EXPORT_TRACEPOINT_SYMBOL_GPL(cmwq_wait_cycle);
EXPORT_TRACEPOINT_SYMBOL_GPL(cmwq_wait_cycle_worker);
EXPORT_TRACEPOINT_SYMBOL_GPL(cmwq_taskq_enqueue);
EXPORT_TRACEPOINT_SYMBOL_GPL(cmwq_taskq_exec_start);
EXPORT_TRACEPOINT_SYMBOL_GPL(cmwq_taskq_exec_end);
