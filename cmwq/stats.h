/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stats.h - the shape of a queue's statistics, as stats.c reports them
 *
 * Shared by stats.c, which fills these snapshots for debugfs, and by the
 * test interface (cmwq_test.h), which hands them to the KUnit suites, so
 * that the tests check exactly the numbers a reader of debugfs sees.
 */
#ifndef _CMWQ_STATS_H
#define _CMWQ_STATS_H

#include <linux/types.h>

#include "cmwq.h"

/*
 * Latency buckets: bucket 0 holds times under 1 us, bucket i (1 to
 * CMWQ_STATS_NR_BUCKETS - 2) times in [2^(i-1), 2^i) us, the last one
 * everything from 2^(CMWQ_STATS_NR_BUCKETS - 2) us (about 16.8 s) up.
 * Bucket 24, [8.4 s, 16.8 s), is the first to hold 10 s.
 */
#define CMWQ_STATS_NR_BUCKETS	26

/* The functions whose run times a queue keeps apart, busiest kept. */
#define CMWQ_STATS_NR_FUNCS	8

/* A queue's counters summed over the CPUs; see Documentation/cmwq.rst. */
struct cmwq_stats_snapshot {
	u64		crtime;		/* CLOCK_MONOTONIC ns at creation */
	u64		snaptime;	/* CLOCK_MONOTONIC ns of the snapshot */
	u64		queued;
	u64		started;
	u64		completed;
	u64		cancelled;
	u64		flushes;
	u64		cpu_hogs;	/* works found hogging a CPU */
	u64		pending;	/* queued, not started, now */
	u64		max_pending;	/* most pending on one cwq at once */
	u64		active;		/* counted against max_active now */
	int		max_active;
	u64		run_total_ns;
	u64		run_max_ns;
	u64		wait_total_ns;
	u64		wait_max_ns;
	u64		runs_timed;	/* runs in run_total_ns */
	u64		waits_timed;	/* waits in wait_total_ns */
	u64		rescued;
	u64		maydays;
	bool		timing;		/* timing works now */
};

/*
 * A Solaris taskq's kstat (taskq.c): the fields of Solaris' "taskq"
 * class, then what the one-line summary adds; Documentation/taskq.rst.
 */
struct cmwq_taskq_kstat {
	int		instance;	/* 0, or N - 1 for a directory name#N */
	u64		crtime;		/* CLOCK_MONOTONIC ns at creation */
	u64		snaptime;	/* CLOCK_MONOTONIC ns of the snapshot */
	u64		executed;	/* tasks whose function returned */
	u64		maxtasks;	/* most tasks in flight at once */
	u64		nactive;	/* tasks running now */
	u64		nalloc;		/* entries the taskq allocated */
	int		priority;	/* as given to taskq_create() */
	u64		tasks;		/* tasks dispatched (ids given out) */
	u64		threads;	/* nthreads: how many may run at once */
	u64		totaltime;	/* ns in the functions of timed tasks */
	/* the summary's */
	u64		pending;	/* queued, not started */
	u64		delayed;	/* waiting for their timer */
	u64		cancelled;	/* taken off before they started */
	int		minalloc;
	int		maxalloc;
	unsigned int	flags;		/* CMWQ_TASKQ_* */
};

struct cmwq_stats_hist {
	u64		bucket[CMWQ_STATS_NR_BUCKETS];
	u64		count;		/* sum of the buckets */
	u64		max_ns;
};

struct cmwq_stats_func {
	cmwq_func_t		func;
	struct cmwq_stats_hist	run;
};

struct cmwq_stats_latency {
	struct cmwq_stats_hist	wait;
	struct cmwq_stats_hist	run;
	int			nr_funcs;
	struct cmwq_stats_func	funcs[CMWQ_STATS_NR_FUNCS];
	u64			evicted;	/* runs of evicted functions */
};

#endif /* _CMWQ_STATS_H */
