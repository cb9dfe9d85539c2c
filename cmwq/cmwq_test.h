/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cmwq_test.h - what cmwq's own tests may see of its insides
 *
 * Not for drivers.  The KUnit suites in kunit/ check the engine against
 * the pools' state through these calls instead of copying private
 * structures.
 */
#ifndef _CMWQ_TEST_H
#define _CMWQ_TEST_H

#include <linux/completion.h>

#include "cmwq.h"
#include "stats.h"

struct cmwq_taskq;

/* A queue's flush colors (CMWQ_NR_COLORS): all but one may be closed */
#define CMWQ_TEST_NR_COLORS	15

struct cmwq_test_pool_stats {
	int		nr_workers;
	int		nr_idle;
	int		nr_running;
	int		nr_pending;	/* works on the worklist */
	bool		managing;
	bool		waking;		/* one woken, not yet out of idle */
	unsigned long	nr_created;
	unsigned long	nr_created_by_manager;
	unsigned long	nr_reaped;
	unsigned long	nr_create_failed;
	unsigned long	nr_maydays;	/* maydays the pool sent */
	unsigned long	nr_works;
	unsigned long	nr_wakeups;	/* idle workers woken */
	unsigned long	nr_stalls;	/* stalls the watchdog reported */
	bool		create_failing;	/* the last creation failed */
	bool		mayday_timer_armed;
	bool		disassociated;	/* its CPU is down */
	bool		all_bound;	/* every worker bound to the CPU */
	int		nr_attached;	/* workers, and reaped ones not yet
					 * stopped
					 */
	int		nr_rogue;	/* workers running anywhere */
	int		trustee_state;	/* 0 when no trustee */
	u64		oldest_wait_ns;	/* oldest work on the worklist */
};

/* where cmwq_test_pause_rebind() holds a CPU's online callback */
struct cmwq_test_rebind_pause {
	int			cpu;	/* whose normal pool */
	struct completion	paused;	/* the callback waits */
	struct completion	resume;	/* completed by the test */
};

struct cmwq_test_wq_stats {
	unsigned long	nr_maydays;	/* maydays the queue received */
	unsigned long	nr_rescued;	/* works its rescuer ran */
	struct task_struct *rescuer;	/* NULL without CMWQ_MEM_RECLAIM */
};

int cmwq_test_pool_stats(int cpu, bool highpri,
			 struct cmwq_test_pool_stats *stats);
unsigned long cmwq_test_set_idle_timeout(unsigned long timeout);
void cmwq_test_pause_rebind(struct cmwq_test_rebind_pause *pause);
void cmwq_test_expect_refusals(int nr);
int cmwq_test_nr_refusals(void);
bool cmwq_test_keep_destroyed(bool keep);
void cmwq_test_hold_flushers(struct cmwq_workqueue *wq, bool hold);
unsigned long cmwq_test_flush_colors(struct cmwq_workqueue *wq,
				     int *nr_waiting);
void cmwq_test_cwq_counts(struct cmwq_workqueue *wq, int cpu,
			  int *nr_active, int *nr_inactive);
int cmwq_test_max_active(struct cmwq_workqueue *wq, int cpu);
void cmwq_test_wq_stats(struct cmwq_workqueue *wq,
			struct cmwq_test_wq_stats *stats);
int cmwq_test_fail_create_worker_rate(unsigned int probability);
int cmwq_test_fail_create_worker(bool fail);
int cmwq_test_freeze(unsigned long timeout);
void cmwq_test_thaw(void);
void cmwq_test_queue_stats(struct cmwq_workqueue *wq,
			   struct cmwq_stats_snapshot *s);
void cmwq_test_queue_latency(struct cmwq_workqueue *wq,
			     struct cmwq_stats_latency *lat);
bool cmwq_test_set_timing(struct cmwq_workqueue *wq, bool on);
int cmwq_test_switch_timing(struct cmwq_workqueue *wq, bool on);
bool cmwq_test_has_timing_area(struct cmwq_workqueue *wq);
bool cmwq_test_has_func_table(struct cmwq_workqueue *wq);
bool cmwq_test_fail_stats_allocs(bool fail);
void cmwq_test_queue_dname(struct cmwq_workqueue *wq, char *buf, size_t size);
bool cmwq_test_show_workqueues(char *buf, size_t size);
bool cmwq_test_show_cpu_hogs(char *buf, size_t size);
bool cmwq_test_expect_reports(bool expect);
bool cmwq_test_expect_flush_reports(bool expect);
unsigned int cmwq_test_set_watchdog_thresh(unsigned int secs);
unsigned int cmwq_test_set_flush_report_secs(unsigned int secs);
bool cmwq_test_flush_report_timer(struct cmwq_workqueue *wq,
				  unsigned long *expires);
unsigned int cmwq_test_set_hog_thresh(unsigned int us);
void cmwq_test_taskq_kstat(struct cmwq_taskq *tq, struct cmwq_taskq_kstat *ks);
void cmwq_test_taskq_dname(struct cmwq_taskq *tq, char *buf, size_t size);
bool cmwq_test_show_taskq_kstat(struct cmwq_taskq *tq, char *buf, size_t size);
bool cmwq_test_show_taskq_summary(char *buf, size_t size);

#endif /* _CMWQ_TEST_H */
