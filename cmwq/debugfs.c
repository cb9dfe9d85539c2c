// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs.c - /sys/kernel/debug/cmwq: a dump of every pool and queue
 *
 * "version" is the tree's version (./VERSION), as modinfo shows it, so
 * that a report taken from debugfs alone names the cmwq that made it.
 * "pools" has one line per pool that has workers: where it is, its
 * flags, its workers, idle ones, nr_running, pending works, lifetime
 * counters, how long its oldest pending work has waited so far and the
 * stalls the watchdog reported.
 * "workqueues" has one line per queue (with its rescue counters) and,
 * under it, the active, inactive and rescued works of each cwq that has
 * any, then each of those works (diag.c): running, pending or inactive,
 * with who queued it and how long it has waited (where works record their
 * origin, CMWQ_WORK_ORIGIN in cmwq.h) or run.  "refusals"
 * counts the calls refused as bad input since load (each call site also
 * warns once).  "cpu_hogs" counts, by function, the works found hogging
 * their CPU (hog.c).  "fail_create_worker" is the fault injection knob
 * of pool.c.  The per-queue statistics (the
 * queues/ directory, "summary" and "timing") are stats.c's, the taskqs'
 * kstats (the taskq/ directory and "taskq_summary") taskq.c's.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "internal.h"

struct dentry *cmwq_debugfs_dir;	/* I */

static int pools_show(struct seq_file *m, void *v)
{
	struct worker_pool *pool;
	struct list_head *pos;
	int i, pending;

	seq_puts(m, "pool cpu       pri flags workers idle running pending created by_manager reaped create_failed maydays works wakeups oldest_wait_us stalls\n");
	for (i = 0; i < cmwq_nr_pools; i++) {
		pool = pool_by_id(i);
		raw_spin_lock_irq(&pool->lock);
		if (!pool->nr_workers && list_empty(&pool->worklist)) {
			raw_spin_unlock_irq(&pool->lock);
			continue;
		}
		pending = 0;
		list_for_each(pos, &pool->worklist)
			pending++;
		if (pool->gcwq->cpu == CMWQ_CPU_UNBOUND)
			seq_printf(m, "%4d unbound  ", pool->id);
		else
			seq_printf(m, "%4d cpu%-5d ", pool->id, pool->gcwq->cpu);
		seq_printf(m, "%-3s 0x%03x %7d %4d %7d %7d %7lu %10lu %6lu %13lu %7lu %5lu %7lu %14llu %6lu\n",
			   pool->highpri ? "H" : "N", pool->flags,
			   pool->nr_workers, pool->nr_idle,
			   atomic_read(&pool->nr_running), pending,
			   pool->nr_created, pool->nr_created_by_manager,
			   pool->nr_reaped, pool->nr_create_failed,
			   pool->nr_maydays, pool->nr_works,
			   pool->nr_wakeups,
			   pool_oldest_wait_us(pool),
			   pool->nr_stalls);
		raw_spin_unlock_irq(&pool->lock);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pools);

/* Each work of @cwq: running, on the worklist, held back by max_active. */
static void show_cwq_works(struct seq_file *m, struct cmwq_cwq *cwq)
{
	struct worker_pool *pool = cwq->pool;
	struct cmwq_work *work;
	struct worker *worker;
	int bkt;

	lockdep_assert_held(&pool->lock);
	hash_for_each(pool->busy_hash, bkt, worker, hentry)
		if (worker->current_cwq == cwq)
			cmwq_diag_show_worker(m, worker);
	list_for_each_entry(work, &pool->worklist, entry)
		if (get_work_cwq(work) == cwq)
			cmwq_diag_show_work(m, work,
					    work_data_is_barrier(*cmwq_work_bits(work)) ?
					    "barrier" : "pending");
	list_for_each_entry(work, &cwq->inactive_works, entry)
		cmwq_diag_show_work(m, work, "inactive");
}

/**
 * cmwq_debugfs_show_workqueues - what debugfs' "workqueues" shows
 * @m: where to print it
 *
 * Context: Process context; takes cmwq_wq_mutex and the pools' locks.
 */
void cmwq_debugfs_show_workqueues(struct seq_file *m)
{
	struct cmwq_workqueue *wq;
	struct cmwq_cwq *cwq;
	struct list_head *pos;
	unsigned long maydays;
	int inactive;

	mutex_lock(&cmwq_wq_mutex);
	for_each_workqueue(wq) {
		raw_spin_lock_irq(&cmwq_mayday_lock);
		maydays = wq->nr_maydays;
		raw_spin_unlock_irq(&cmwq_mayday_lock);
		seq_printf(m, "%s flags=0x%x max_active=%d rescuer=%s maydays=%lu\n",
			   wq->name, wq->flags, wq->saved_max_active,
			   wq->rescuer ? "yes" : "no", maydays);
		for_each_cwq(cwq, wq) {
			raw_spin_lock_irq(&cwq->pool->lock);
			inactive = 0;
			list_for_each(pos, &cwq->inactive_works)
				inactive++;
			if (cwq->nr_active || inactive || cwq->nr_rescued) {
				seq_printf(m, "  pool %d: active=%d inactive=%d rescued=%lu\n",
					   cwq->pool->id, cwq->nr_active,
					   inactive, cwq->nr_rescued);
				show_cwq_works(m, cwq);
			}
			raw_spin_unlock_irq(&cwq->pool->lock);
		}
	}
	mutex_unlock(&cmwq_wq_mutex);
}

static int workqueues_show(struct seq_file *m, void *v)
{
	cmwq_debugfs_show_workqueues(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(workqueues);

static int cpu_hogs_show(struct seq_file *m, void *v)
{
	cmwq_hog_show(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cpu_hogs);

static int version_show(struct seq_file *m, void *v)
{
	seq_puts(m, CMWQ_VERSION "\n");
	return 0;
}

static int version_open(struct inode *inode, struct file *file)
{
	return single_open(file, version_show, NULL);
}

/*
 * read_iter, not read: the KUnit suite reads this file with kernel_read(),
 * which takes only read_iter.  Hence created without debugfs' removal
 * proxy too (it has no read_iter): the file shows a constant, and an open
 * file holds the module (.owner), so there is nothing removal could free
 * under a reader.
 */
static const struct file_operations version_fops = {
	.owner		= THIS_MODULE,
	.open		= version_open,
	.read_iter	= seq_read_iter,
	.llseek		= seq_lseek,
	.release	= single_release,
};

/**
 * cmwq_debugfs_init - create /sys/kernel/debug/cmwq
 *
 * Context: Module init.  A debugfs failure is not fatal, as cmwq works
 * without its dump.
 */
void cmwq_debugfs_init(void)
{
	cmwq_debugfs_dir = debugfs_create_dir("cmwq", NULL);
	debugfs_create_file_unsafe("version", 0444, cmwq_debugfs_dir, NULL,
				   &version_fops);
	debugfs_create_file("pools", 0444, cmwq_debugfs_dir, NULL,
			    &pools_fops);
	debugfs_create_file("workqueues", 0444, cmwq_debugfs_dir, NULL,
			    &workqueues_fops);
	debugfs_create_atomic_t("refusals", 0444, cmwq_debugfs_dir,
				&cmwq_nr_refusals);
	debugfs_create_file("cpu_hogs", 0444, cmwq_debugfs_dir, NULL,
			    &cpu_hogs_fops);
	cmwq_stats_debugfs_init(cmwq_debugfs_dir);
	cmwq_taskq_debugfs_init(cmwq_debugfs_dir);
}

/**
 * cmwq_debugfs_exit - remove /sys/kernel/debug/cmwq
 *
 * Context: Module exit.
 */
void cmwq_debugfs_exit(void)
{
	cmwq_taskq_debugfs_exit();
	cmwq_stats_debugfs_exit();
	debugfs_remove_recursive(cmwq_debugfs_dir);
}
