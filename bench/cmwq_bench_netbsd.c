// SPDX-License-Identifier: GPL-2.0
/*
 * cmwq_bench_netbsd.c - NetBSD thread pools on cmwq against the kernel's
 * workqueue doing the same thing
 *
 * Loaded by `make bench` after cmwq_bench_taskq.ko.  The cmwq side is
 * written against NetBSD's names of <sys/threadpool.h> only, as NetBSD
 * code would be: jobs interlocked by a kmutex, scheduled with it held,
 * each calling threadpool_job_done() under it.  Its peer is what that
 * code would be on the kernel's own workqueue: a work item per job,
 * queued holding a lock its function takes too, on a per-CPU queue for
 * threadpool_percpu_get()'s pools and an unbound one for
 * threadpool_get()'s (both with the default max_active, at nice 0 as
 * PRI_NONE's pools are).  The interlock is either an adaptive kmutex
 * (IPL_NONE) against a struct mutex, or a spin kmutex (IPL_VM) against a
 * spinlock_t taken with interrupts off; every job shares it, so the
 * lock's behaviour under contention counts as much as the pool's.  Two
 * workloads, on each kind of pool and lock:
 *
 *  - jobs per second: NBB_NR_JOBS distinct jobs scheduled back to back
 *    by one thread, from the first schedule until the last job ran.
 *  - schedule-to-start: from just before scheduling one job on an idle
 *    pool to its function starting, one job at a time, p50 and p99 of
 *    NBB_NR_LATENCY samples.
 *
 * The benchmark runs in the insmod task, kept on its CPU with
 * migrate_disable(): the per-CPU jobs go to that CPU's pool.  Rounds
 * alternate, kernel then cmwq, so that whatever drifts during the boot
 * hits both sides alike; each round prints one "cmwq-bench: " line per
 * side, then each metric its median and the ratio cmwq/kernel (above
 * 1.00 is better for jobs per second, below 1.00 for the latencies).
 * Every wait is bounded; on a timeout the module prints "FAILED <what>",
 * waits for the jobs it scheduled (their code goes away with it) and
 * fails to load.
 */
#define pr_fmt(fmt) "cmwq-bench: " fmt

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/workqueue.h>

#include <sys/mutex.h>
#include <sys/param.h>
#include <sys/threadpool.h>

#define NBB_NR_ROUNDS		5
#define NBB_NR_JOBS		16384
#define NBB_NR_LATENCY		2000
#define NBB_TIMEOUT		(30 * HZ)

/* A job of either side. */
struct nbb_job {
	struct threadpool_job	job;
	kmutex_t		*lock;		/* the job's */
	struct work_struct	work;
};

/* A kind of pool and of interlock. */
enum nbb_pool {
	NBB_PERCPU, NBB_UNBOUND, NBB_PERCPU_SPIN, NBB_UNBOUND_SPIN,
	NBB_NR_POOLS
};

static const char * const nbb_pool_names[NBB_NR_POOLS] = {
	[NBB_PERCPU]		= "percpu",
	[NBB_UNBOUND]		= "unbound",
	[NBB_PERCPU_SPIN]	= "percpu_spin",
	[NBB_UNBOUND_SPIN]	= "unbound_spin",
};

static bool nbb_unbound(enum nbb_pool pool)
{
	return pool == NBB_UNBOUND || pool == NBB_UNBOUND_SPIN;
}

static bool nbb_spin(enum nbb_pool pool)
{
	return pool >= NBB_PERCPU_SPIN;
}

enum nbb_metric { NBB_JOBS_PER_SEC, NBB_START_P50, NBB_START_P99, NBB_NR_METRICS };

static const char * const nbb_metric_names[NBB_NR_METRICS] = {
	[NBB_JOBS_PER_SEC]	= "jobs_per_sec",
	[NBB_START_P50]		= "schedule_to_start_p50_ns",
	[NBB_START_P99]		= "schedule_to_start_p99_ns",
};

enum { NBB_KERNEL, NBB_CMWQ, NBB_NR_SIDES };

static const char * const nbb_side_names[NBB_NR_SIDES] = {
	[NBB_KERNEL]	= "kernel",
	[NBB_CMWQ]	= "cmwq",
};

/* cmwq's side: the shared pools of PRI_NONE and the jobs' interlocks */
static struct threadpool_percpu *nbb_tp_percpu;
static struct threadpool *nbb_tp_unbound;
static kmutex_t nbb_kmutex;
static kmutex_t nbb_kmutex_spin;

/* the kernel's side: per-CPU and unbound queues */
static struct workqueue_struct *nbb_wq[2];
static DEFINE_MUTEX(nbb_mutex);
static DEFINE_SPINLOCK(nbb_spinlock);
/* I: while a batch runs */
static bool nbb_kern_spin;

/* The jobs of one batch count down; every start is stamped. */
static atomic_t nbb_remaining;
static u64 nbb_started_ns;
static u64 nbb_done_ns;
static DECLARE_COMPLETION(nbb_batch_done);

/* by metric, pool, side and round */
static u64 nbb_results[NBB_NR_METRICS][NBB_NR_POOLS][NBB_NR_SIDES][NBB_NR_ROUNDS];

static void nbb_job_started(void)
{
	WRITE_ONCE(nbb_started_ns, ktime_get_ns());
}

static void nbb_job_ended(void)
{
	if (atomic_dec_and_test(&nbb_remaining)) {
		nbb_done_ns = ktime_get_ns();
		complete(&nbb_batch_done);
	}
}

static void nbb_tp_fn(struct threadpool_job *job)
{
	kmutex_t *lock = container_of(job, struct nbb_job, job)->lock;

	nbb_job_started();
	mutex_enter(lock);
	threadpool_job_done(job);
	mutex_exit(lock);
	nbb_job_ended();
}

static void nbb_work_fn(struct work_struct *work)
{
	unsigned long flags;

	nbb_job_started();
	if (nbb_kern_spin) {
		spin_lock_irqsave(&nbb_spinlock, flags);
		spin_unlock_irqrestore(&nbb_spinlock, flags);
	} else {
		mutex_lock(&nbb_mutex);
		mutex_unlock(&nbb_mutex);
	}
	nbb_job_ended();
}

static void nbb_kern_queue(enum nbb_pool pool, struct nbb_job *j)
{
	if (nbb_unbound(pool))
		queue_work(nbb_wq[1], &j->work);
	else
		queue_work_on(raw_smp_processor_id(), nbb_wq[0], &j->work);
}

static void nbb_schedule(int side, enum nbb_pool pool, struct nbb_job *j)
{
	unsigned long flags;

	if (side == NBB_KERNEL && nbb_kern_spin) {
		spin_lock_irqsave(&nbb_spinlock, flags);
		nbb_kern_queue(pool, j);
		spin_unlock_irqrestore(&nbb_spinlock, flags);
	} else if (side == NBB_KERNEL) {
		mutex_lock(&nbb_mutex);
		nbb_kern_queue(pool, j);
		mutex_unlock(&nbb_mutex);
	} else {
		mutex_enter(j->lock);
		threadpool_schedule_job(nbb_unbound(pool) ? nbb_tp_unbound :
					threadpool_percpu_ref(nbb_tp_percpu),
					&j->job);
		mutex_exit(j->lock);
	}
}

/* Give cmwq's jobs the pool's kind of interlock. */
static void nbb_init_jobs(enum nbb_pool pool, struct nbb_job *jobs)
{
	int i;

	for (i = 0; i < NBB_NR_JOBS; i++) {
		jobs[i].lock = nbb_spin(pool) ? &nbb_kmutex_spin : &nbb_kmutex;
		threadpool_job_init(&jobs[i].job, nbb_tp_fn, jobs[i].lock,
				    "nbb%d", i);
	}
}

/* Wait for every job that may still run (after a timeout), and end them. */
static void nbb_fini_jobs(struct nbb_job *jobs)
{
	int i;

	for (i = 0; i < NBB_NR_JOBS; i++) {
		flush_work(&jobs[i].work);
		mutex_enter(jobs[i].lock);
		threadpool_cancel_job(nbb_tp_unbound, &jobs[i].job);
		mutex_exit(jobs[i].lock);
		threadpool_job_destroy(&jobs[i].job);
	}
}

static void nbb_arm(int nr_jobs)
{
	reinit_completion(&nbb_batch_done);
	atomic_set(&nbb_remaining, nr_jobs);
}

static int nbb_wait(int side, enum nbb_pool pool, const char *what)
{
	if (wait_for_completion_timeout(&nbb_batch_done, NBB_TIMEOUT))
		return 0;
	pr_err("FAILED %s %s %s: no completion within %d s\n",
	       nbb_side_names[side], nbb_pool_names[pool], what,
	       NBB_TIMEOUT / HZ);
	return -ETIMEDOUT;
}

static int nbb_throughput(int side, enum nbb_pool pool, struct nbb_job *jobs,
			  u64 *res)
{
	u64 start;
	int i, ret;

	nbb_arm(NBB_NR_JOBS);
	start = ktime_get_ns();
	for (i = 0; i < NBB_NR_JOBS; i++)
		nbb_schedule(side, pool, &jobs[i]);
	ret = nbb_wait(side, pool, "jobs");
	if (!ret)
		*res = div64_u64((u64)NBB_NR_JOBS * NSEC_PER_SEC,
				 max_t(u64, nbb_done_ns - start, 1));
	return ret;
}

static int nbb_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static int nbb_latency(int side, enum nbb_pool pool, struct nbb_job *j,
		       u64 *samples, u64 *p50, u64 *p99)
{
	u64 start;
	int i, ret = 0;

	for (i = 0; i < NBB_NR_LATENCY && !ret; i++) {
		nbb_arm(1);
		start = ktime_get_ns();
		nbb_schedule(side, pool, j);
		ret = nbb_wait(side, pool, "schedule-to-start");
		samples[i] = READ_ONCE(nbb_started_ns) - start;
		/* let it return, so that the next finds the pool idle */
		if (side == NBB_KERNEL)
			flush_work(&j->work);
	}
	if (ret)
		return ret;
	sort(samples, NBB_NR_LATENCY, sizeof(*samples), nbb_cmp_u64, NULL);
	*p50 = samples[NBB_NR_LATENCY / 2];
	*p99 = samples[NBB_NR_LATENCY * 99 / 100];
	return 0;
}

static int nbb_run(struct nbb_job *jobs, u64 *samples)
{
	u64 *r, *p50, *p99;
	int round, side, pool, ret = 0;

	pr_info("netbsd: %d rounds on %d CPUs\n", NBB_NR_ROUNDS,
		num_online_cpus());
	for (round = 0; round < NBB_NR_ROUNDS && !ret; round++) {
		for (side = 0; side < NBB_NR_SIDES && !ret; side++) {
			for (pool = 0; pool < NBB_NR_POOLS && !ret; pool++) {
				r = &nbb_results[NBB_JOBS_PER_SEC][pool][side][round];
				p50 = &nbb_results[NBB_START_P50][pool][side][round];
				p99 = &nbb_results[NBB_START_P99][pool][side][round];
				nbb_kern_spin = nbb_spin(pool);
				nbb_init_jobs(pool, jobs);
				ret = nbb_throughput(side, pool, jobs, r) ?:
				      nbb_latency(side, pool, jobs, samples,
						  p50, p99);
				nbb_fini_jobs(jobs);
				if (!ret)
					pr_info("netbsd round %d %-6s %-7s jobs/s=%llu start=%llu/%llu\n",
						round + 1, nbb_side_names[side],
						nbb_pool_names[pool], *r, *p50,
						*p99);
			}
		}
	}
	return ret;
}

/* Each metric: the medians of the rounds and their ratio cmwq/kernel. */
static void nbb_report(void)
{
	u64 med[NBB_NR_SIDES], ratio;
	u32 hundredths;
	int m, pool, side;

	pr_info("netbsd: median of %d rounds, ratio = cmwq/kernel\n",
		NBB_NR_ROUNDS);
	for (m = 0; m < NBB_NR_METRICS; m++) {
		for (pool = 0; pool < NBB_NR_POOLS; pool++) {
			for (side = 0; side < NBB_NR_SIDES; side++) {
				u64 *v = nbb_results[m][pool][side];

				sort(v, NBB_NR_ROUNDS, sizeof(*v), nbb_cmp_u64,
				     NULL);
				med[side] = v[NBB_NR_ROUNDS / 2];
			}
			ratio = div_u64_rem(div64_u64(med[NBB_CMWQ] * 100 +
						      med[NBB_KERNEL] / 2,
						      max_t(u64, med[NBB_KERNEL], 1)),
					    100, &hundredths);
			pr_info("threadpool_%s_%s kernel=%llu cmwq=%llu ratio=%llu.%02u\n",
				nbb_pool_names[pool], nbb_metric_names[m],
				med[NBB_KERNEL], med[NBB_CMWQ], ratio,
				hundredths);
		}
	}
	pr_info("netbsd: done\n");
}

static int nbb_get_pools(void)
{
	int err;

	nbb_wq[0] = alloc_workqueue("nbb_percpu", 0, 0);
	nbb_wq[1] = alloc_workqueue("nbb_unbound", WQ_UNBOUND, 0);
	if (!nbb_wq[0] || !nbb_wq[1])
		return -ENOMEM;
	err = threadpool_percpu_get(&nbb_tp_percpu, PRI_NONE);
	if (err)
		return -err;
	err = threadpool_get(&nbb_tp_unbound, PRI_NONE);
	if (err) {
		threadpool_percpu_put(nbb_tp_percpu, PRI_NONE);
		nbb_tp_percpu = NULL;
		return -err;
	}
	return 0;
}

static void nbb_put_pools(void)
{
	if (nbb_tp_unbound)
		threadpool_put(nbb_tp_unbound, PRI_NONE);
	if (nbb_tp_percpu)
		threadpool_percpu_put(nbb_tp_percpu, PRI_NONE);
	if (nbb_wq[1])
		destroy_workqueue(nbb_wq[1]);
	if (nbb_wq[0])
		destroy_workqueue(nbb_wq[0]);
}

static int __init cmwq_bench_netbsd_init(void)
{
	struct nbb_job *jobs;
	u64 *samples;
	int i, ret = -ENOMEM;

	mutex_init(&nbb_kmutex, MUTEX_DEFAULT, IPL_NONE);
	mutex_init(&nbb_kmutex_spin, MUTEX_DEFAULT, IPL_VM);
	jobs = kvcalloc(NBB_NR_JOBS, sizeof(*jobs), GFP_KERNEL);
	samples = kcalloc(NBB_NR_LATENCY, sizeof(*samples), GFP_KERNEL);
	if (!jobs || !samples)
		goto out;
	for (i = 0; i < NBB_NR_JOBS; i++)
		INIT_WORK(&jobs[i].work, nbb_work_fn);
	ret = nbb_get_pools();
	if (!ret) {
		migrate_disable();
		ret = nbb_run(jobs, samples);
		migrate_enable();
		if (!ret)
			nbb_report();
	}
	nbb_put_pools();
out:
	kfree(samples);
	kvfree(jobs);
	mutex_destroy(&nbb_kmutex_spin);
	mutex_destroy(&nbb_kmutex);
	return ret;
}
module_init(cmwq_bench_netbsd_init);

/* Everything was torn down at load; this only lets the module unload. */
static void __exit cmwq_bench_netbsd_exit(void)
{
}
module_exit(cmwq_bench_netbsd_exit);

MODULE_DESCRIPTION("cmwq's NetBSD thread pools against the kernel's workqueue");
MODULE_LICENSE("GPL");
