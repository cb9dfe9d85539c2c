// SPDX-License-Identifier: GPL-2.0
/*
 * diag.c - works and workers described for people
 *
 * One line per work or worker, printed the same wherever cmwq shows
 * them: debugfs' "workqueues" dump (into a seq_file) and the reports on
 * the console (@m NULL).  A work's line names its function, who queued
 * it (work->queued_by, the return address of the queueing call, as
 * %pS) and how long it has waited; a running work's line names its
 * worker, how long it has run and whether the worker sleeps.
 *
 * The callers hold the pool->lock of what they print, which keeps the
 * works and workers alive and their fields still; nothing here sleeps.
 */
#include <linux/sched.h>
#include <linux/seq_file.h>

#include "internal.h"

/**
 * cmwq_diag_printf - print one line of a dump or of a report
 * @m: the seq_file of a debugfs file, or %NULL for the console
 * @fmt: printf format, without a log level
 * @...: arguments for @fmt
 *
 * Context: Any context.
 */
void cmwq_diag_printf(struct seq_file *m, const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	va_start(args, fmt);
	if (m) {
		seq_vprintf(m, fmt, args);
	} else {
		vaf.fmt = fmt;
		vaf.va = &args;
		pr_warn("%pV", &vaf);
	}
	va_end(args);
}

/**
 * cmwq_diag_show_work - print a work that waits on a list
 * @m: where, as cmwq_diag_printf()
 * @work: the work, on a worklist or an inactive list
 * @state: what it waits for ("pending", "inactive", ...)
 * @now: cmwq_stats_clock() when the dump or report began
 *
 * Context: the pool->lock of @work's list held.
 */
void cmwq_diag_show_work(struct seq_file *m, struct cmwq_work *work,
			 const char *state, u64 now)
{
	cmwq_diag_printf(m, "    %-8s %ps, queued by %pS, %llu ms ago\n", state,
			 work->func, (void *)work->queued_by,
			 div_u64(cmwq_stamp_age_ns(work->queued_at, now),
				 NSEC_PER_MSEC));
}

/**
 * cmwq_diag_show_worker - print a worker running a work
 * @m: where, as cmwq_diag_printf()
 * @worker: the worker, busy
 *
 * Context: @worker's pool->lock held.
 */
void cmwq_diag_show_worker(struct seq_file *m, struct worker *worker)
{
	cmwq_diag_printf(m, "    running  %ps, queued by %pS, on %s/%d for %u ms, %s\n",
			 worker->current_func,
			 (void *)worker->current_queued_by, worker->task->comm,
			 task_pid_nr(worker->task),
			 jiffies_to_msecs(jiffies - worker->current_at),
			 worker->sleeping ? "sleeping" : "on a CPU");
}
