// SPDX-License-Identifier: GPL-2.0
/*
 * diag.c - works and workers described for people
 *
 * One line per work or worker, printed the same wherever cmwq shows
 * them: debugfs' "workqueues" dump (into a seq_file) and the reports on
 * the console (@m NULL).  A work's line names its function and, where
 * works record their origin (CMWQ_WORK_ORIGIN in cmwq.h), who queued it
 * (the return address of the queueing call, as %pS) and how long it has
 * waited; a running work's line names its worker, how long it has run
 * and whether the worker sleeps.  The other reports name the origin with
 * cmwq_diag_origin(), so that every line leaves it out the same way
 * where works do not record it.
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
 * cmwq_diag_origin - who queued a work, for a line of a report
 * @o: where to write it
 * @caller: the work's caller (work_caller())
 * @age_ms: how long ago (work_age_ms()), or -1 to leave it out
 *
 * Context: Any context.
 * Return: ", queued by <caller>" and ", <age_ms> ms ago", or "" where
 * works do not record their origin.
 */
const char *cmwq_diag_origin(struct cmwq_origin *o, unsigned long caller,
			     long age_ms)
{
	int n;

	if (!CMWQ_WORK_ORIGIN)
		return "";
	n = scnprintf(o->s, sizeof(o->s), ", queued by %pS", (void *)caller);
	if (age_ms >= 0)
		scnprintf(o->s + n, sizeof(o->s) - n, ", %ld ms ago", age_ms);
	return o->s;
}

/**
 * cmwq_diag_show_work - print a work that waits on a list
 * @m: where, as cmwq_diag_printf()
 * @work: the work, on a worklist or an inactive list
 * @state: what it waits for ("pending", "inactive", ...)
 *
 * Context: the pool->lock of @work's list held.
 */
void cmwq_diag_show_work(struct seq_file *m, struct cmwq_work *work,
			 const char *state)
{
	struct cmwq_origin o;

	cmwq_diag_printf(m, "    %-8s %ps%s\n", state, work->func,
			 cmwq_diag_origin(&o, work_caller(work),
					  work_age_ms(work)));
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
	struct cmwq_origin o;

	cmwq_diag_printf(m, "    running  %ps%s, on %s/%d for %u ms, %s\n",
			 worker->current_func,
			 cmwq_diag_origin(&o, worker->current_queued_by, -1),
			 worker->task->comm,
			 task_pid_nr(worker->task),
			 jiffies_to_msecs(jiffies - worker->current_at),
			 worker->sleeping ? "sleeping" : "on a CPU");
}
