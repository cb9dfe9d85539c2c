// SPDX-License-Identifier: GPL-2.0
/*
 * cmwq_threadpool_test.c - KUnit: NetBSD's threadpool(9) on cmwq
 *
 * Written against NetBSD's names only (compat/netbsd), as NetBSD code
 * would be, apart from cmwq's test helpers: bounded waits and the
 * announcement of the refusals a case provokes.  The first cases are
 * NetBSD's own tests: the rump kernel's threadpool cases
 * (tests/rump/kernspace/threadpool.c: pool lifecycles, one job scheduled
 * 12345 times, cancelling a running job, 10000 rounds of cancel thrash)
 * and the sequence of the threadpool_tester module (get, run, run again,
 * cancel and put).  The rest check each promise of the interface.
 *
 * Every wait is bounded: the test's own through cv_timedwait() with
 * CMWQ_KUNIT_TIMEOUT, and so are the jobs' that wait for the test.
 */
#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/cpu.h>
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/slab.h>

#include "cmwq_kunit.h"

#include <sys/condvar.h>
#include <sys/mutex.h>
#include <sys/param.h>
#include <sys/threadpool.h>

#define FINAL_COUNT	12345
/*
 * The debug kernel (KASAN, lockdep) takes about 3 ms a round under TCG:
 * 12345 rounds would keep insmod, which waits for each case, blocked past
 * the 30 s hung-task bound.  It runs fewer.
 */
#define SCHEDULE_ROUNDS	(IS_ENABLED(CONFIG_KASAN) ? 4000 : FINAL_COUNT)
#define THRASH_COUNT	10000

/* The rump tests' job data, with what the cases below look at. */
struct tp_data {
	kmutex_t		mutex;
	kcondvar_t		cond;
	struct threadpool_job	job;
	unsigned int		count;		/* mutex */
	/* job_done_again and cancel_async_consistent */
	unsigned int		started;	/* mutex */
	unsigned int		returned;	/* mutex */
	unsigned int		phase;		/* mutex: set by the case */
	bool			in_fn;		/* mutex */
	/* no_concurrent_runs */
	atomic_t		running;
	atomic_t		overlaps;
	/* percpu_jobs_on_their_cpu, priorities_to_nice */
	int			cpu;		/* mutex */
	int			nice;		/* mutex */
};

/*
 * Wait on @d->cond (holding @d->mutex) until @pred or the time is up.
 * Evaluates to the final @pred.
 */
#define tp_wait_until(d, pred)						\
({									\
	typeof(d) __d = (d);						\
	unsigned long __end = jiffies + CMWQ_KUNIT_TIMEOUT;		\
	bool __ok;							\
									\
	for (;;) {							\
		__ok = (pred);						\
		if (__ok || !time_before(jiffies, __end))		\
			break;						\
		cv_timedwait(&__d->cond, &__d->mutex,			\
			     max_t(long, __end - jiffies, 1));		\
	}								\
	__ok;								\
})

static void tp_data_init(struct tp_data *d, threadpool_job_fn_t *fn, int ipl)
{
	mutex_init(&d->mutex, MUTEX_DEFAULT, ipl);
	cv_init(&d->cond, "tpdata");
	threadpool_job_init(&d->job, fn, &d->mutex, "tptest");
}

/* Cancel whatever is left, so that the memory may go. */
static void tp_data_fini(struct tp_data *d, struct threadpool *pool)
{
	mutex_enter(&d->mutex);
	threadpool_cancel_job(pool, &d->job);
	mutex_exit(&d->mutex);
	threadpool_job_destroy(&d->job);
	cv_destroy(&d->cond);
	mutex_destroy(&d->mutex);
}

static struct tp_data *tp_data_alloc(struct kunit *test,
				     threadpool_job_fn_t *fn, int ipl)
{
	struct tp_data *d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, d);
	tp_data_init(d, fn, ipl);
	return d;
}

/* rump: threadpool_unbound_lifecycle */
static void unbound_lifecycle(struct kunit *test)
{
	struct threadpool *pool0, *pool1, *pool2;

	KUNIT_ASSERT_EQ(test, threadpool_get(&pool0, PRI_NONE), 0);
	KUNIT_ASSERT_EQ(test, threadpool_get(&pool1, PRI_NONE), 0);
	KUNIT_EXPECT_PTR_EQ(test, pool0, pool1);
	KUNIT_ASSERT_EQ(test, threadpool_get(&pool2, PRI_KERNEL_RT), 0);
	KUNIT_EXPECT_PTR_NE(test, pool0, pool2);
	threadpool_put(pool0, PRI_NONE);
	threadpool_put(pool1, PRI_NONE);
	threadpool_put(pool2, PRI_KERNEL_RT);
}

/* rump: threadpool_percpu_lifecycle */
static void percpu_lifecycle(struct kunit *test)
{
	struct threadpool_percpu *pcpu0, *pcpu1, *pcpu2;
	struct threadpool *pool;
	int cpu;

	KUNIT_ASSERT_EQ(test, threadpool_percpu_get(&pcpu0, PRI_NONE), 0);
	KUNIT_ASSERT_EQ(test, threadpool_percpu_get(&pcpu1, PRI_NONE), 0);
	KUNIT_EXPECT_PTR_EQ(test, pcpu0, pcpu1);
	KUNIT_ASSERT_EQ(test, threadpool_percpu_get(&pcpu2, PRI_KERNEL_RT), 0);
	KUNIT_EXPECT_PTR_NE(test, pcpu0, pcpu2);

	/* the current CPU's pool, and a different pool for every CPU */
	cpu = get_cpu();
	pool = threadpool_percpu_ref(pcpu0);
	KUNIT_EXPECT_PTR_EQ(test, pool, threadpool_percpu_ref_remote(pcpu0, cpu));
	put_cpu();
	for_each_online_cpu(cpu) {
		int other = cmwq_first_other_cpu(cpu);

		KUNIT_EXPECT_NOT_NULL(test, threadpool_percpu_ref_remote(pcpu0, cpu));
		if (other >= 0)
			KUNIT_EXPECT_PTR_NE(test,
					    threadpool_percpu_ref_remote(pcpu0, cpu),
					    threadpool_percpu_ref_remote(pcpu0, other));
		KUNIT_EXPECT_PTR_NE(test, threadpool_percpu_ref_remote(pcpu0, cpu),
				    threadpool_percpu_ref_remote(pcpu2, cpu));
	}

	threadpool_percpu_put(pcpu0, PRI_NONE);
	threadpool_percpu_put(pcpu1, PRI_NONE);
	threadpool_percpu_put(pcpu2, PRI_KERNEL_RT);
}

/* rump: test_job_func_schedule */
static void job_schedule_fn(struct threadpool_job *job)
{
	struct tp_data *d = container_of(job, struct tp_data, job);

	mutex_enter(&d->mutex);
	d->count++;
	cv_broadcast(&d->cond);
	threadpool_job_done(job);
	mutex_exit(&d->mutex);
}

/* rump: schedule one job SCHEDULE_ROUNDS times, each waiting for its run */
static void schedule_final_count(struct kunit *test, struct threadpool *pool)
{
	struct tp_data data = {};	/* on the stack, as in NetBSD's test */
	int error = 0;

	tp_data_init(&data, job_schedule_fn, IPL_NONE);
	mutex_enter(&data.mutex);
	while (data.count != SCHEDULE_ROUNDS && !error) {
		threadpool_schedule_job(pool, &data.job);
		error = cv_timedwait(&data.cond, &data.mutex,
				     CMWQ_KUNIT_TIMEOUT);
	}
	mutex_exit(&data.mutex);
	KUNIT_EXPECT_EQ(test, error, 0);
	KUNIT_EXPECT_EQ(test, data.count, SCHEDULE_ROUNDS);
	tp_data_fini(&data, pool);
}

/* rump: threadpool_unbound_schedule */
static void unbound_schedule(struct kunit *test)
{
	struct threadpool *pool;

	KUNIT_ASSERT_EQ(test, threadpool_get(&pool, PRI_NONE), 0);
	schedule_final_count(test, pool);
	threadpool_put(pool, PRI_NONE);
}

/* rump: threadpool_percpu_schedule */
static void percpu_schedule(struct kunit *test)
{
	struct threadpool_percpu *pcpu;

	KUNIT_ASSERT_EQ(test, threadpool_percpu_get(&pcpu, PRI_NONE), 0);
	schedule_final_count(test, threadpool_percpu_ref(pcpu));
	threadpool_percpu_put(pcpu, PRI_NONE);
}

/* rump: test_job_func_cancel, its waits bounded */
static void job_cancel_fn(struct threadpool_job *job)
{
	struct tp_data *d = container_of(job, struct tp_data, job);

	mutex_enter(&d->mutex);
	if (d->count == 0) {
		d->count = 1;
		cv_broadcast(&d->cond);
	}
	tp_wait_until(d, d->count == FINAL_COUNT - 1);
	d->count = FINAL_COUNT;
	cv_broadcast(&d->cond);
	threadpool_job_done(job);
	mutex_exit(&d->mutex);
}

/* rump: threadpool_job_cancel, with an adaptive or a spin interlock */
static void cancel_running(struct kunit *test, int ipl)
{
	struct threadpool *pool;
	struct tp_data *d = tp_data_alloc(test, job_cancel_fn, ipl);

	KUNIT_ASSERT_EQ(test, threadpool_get(&pool, PRI_NONE), 0);
	mutex_enter(&d->mutex);
	threadpool_schedule_job(pool, &d->job);
	KUNIT_EXPECT_TRUE(test, tp_wait_until(d, d->count != 0));
	KUNIT_EXPECT_EQ(test, d->count, 1U);
	/* running, not finished: it cannot be cancelled */
	KUNIT_EXPECT_FALSE(test, threadpool_cancel_job_async(pool, &d->job));
	d->count = FINAL_COUNT - 1;
	cv_broadcast(&d->cond);
	/* waits for it, dropping the interlock, and returns holding it */
	threadpool_cancel_job(pool, &d->job);
	KUNIT_EXPECT_TRUE(test, mutex_owned(&d->mutex));
	KUNIT_EXPECT_EQ(test, d->count, FINAL_COUNT);
	mutex_exit(&d->mutex);
	tp_data_fini(d, pool);
	threadpool_put(pool, PRI_NONE);
}

static void cancel_running_adaptive(struct kunit *test)
{
	cancel_running(test, IPL_NONE);
}

static void cancel_running_spin(struct kunit *test)
{
	cancel_running(test, IPL_VM);
}

/* rump: threadpool_job_cancelthrash: schedule and cancel, over and over */
static void cancel_thrash(struct kunit *test)
{
	struct threadpool *pool;
	struct tp_data *d = tp_data_alloc(test, job_schedule_fn, IPL_NONE);
	unsigned int i;

	KUNIT_ASSERT_EQ(test, threadpool_get(&pool, PRI_NONE), 0);
	mutex_enter(&d->mutex);
	for (i = 0; i < THRASH_COUNT; i++) {
		threadpool_schedule_job(pool, &d->job);
		if (i % 3 == 0) {
			/* let it start, sometimes */
			mutex_exit(&d->mutex);
			mutex_enter(&d->mutex);
		}
		threadpool_cancel_job(pool, &d->job);
	}
	/* every run ended before its cancel returned: none is left */
	KUNIT_EXPECT_LE(test, d->count, THRASH_COUNT);
	mutex_exit(&d->mutex);
	tp_data_fini(d, pool);
	threadpool_put(pool, PRI_NONE);
}

/*
 * threadpool_tester: get, run, run again, cancel and put, on an unbound
 * pool and on the current CPU's per-CPU pool.
 */
static void tester_sequence(struct kunit *test, struct threadpool *pool)
{
	struct tp_data *d = tp_data_alloc(test, job_schedule_fn, IPL_NONE);

	mutex_enter(&d->mutex);
	threadpool_schedule_job(pool, &d->job);
	KUNIT_EXPECT_TRUE(test, tp_wait_until(d, d->count == 1));
	threadpool_schedule_job(pool, &d->job);
	KUNIT_EXPECT_TRUE(test, tp_wait_until(d, d->count == 2));
	threadpool_cancel_job(pool, &d->job);
	mutex_exit(&d->mutex);
	tp_data_fini(d, pool);
}

static void tester_get_run_put(struct kunit *test)
{
	struct threadpool_percpu *pcpu;
	struct threadpool *pool;

	KUNIT_ASSERT_EQ(test, threadpool_get(&pool, PRI_KTHREAD), 0);
	tester_sequence(test, pool);
	threadpool_put(pool, PRI_KTHREAD);

	KUNIT_ASSERT_EQ(test, threadpool_percpu_get(&pcpu, PRI_KTHREAD), 0);
	tester_sequence(test, threadpool_percpu_ref(pcpu));
	threadpool_percpu_put(pcpu, PRI_KTHREAD);
}

static const pri_t tp_pris[] = {
	PRI_NONE, PRI_USER, PRI_KERNEL, PRI_KTHREAD, PRI_USER_RT,
	PRI_KERNEL_RT, MAXPRI_KERNEL_RT,
};

/* Each priority its own pool, the same one every time it is asked for. */
static void distinct_pools_per_priority(struct kunit *test)
{
	struct threadpool *pools[ARRAY_SIZE(tp_pris)], *again;
	struct threadpool_percpu *pcpus[ARRAY_SIZE(tp_pris)];
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(tp_pris); i++) {
		KUNIT_ASSERT_EQ(test, threadpool_get(&pools[i], tp_pris[i]), 0);
		KUNIT_ASSERT_EQ(test, threadpool_percpu_get(&pcpus[i], tp_pris[i]), 0);
	}
	for (i = 0; i < ARRAY_SIZE(tp_pris); i++) {
		KUNIT_ASSERT_EQ(test, threadpool_get(&again, tp_pris[i]), 0);
		KUNIT_EXPECT_PTR_EQ(test, again, pools[i]);
		threadpool_put(again, tp_pris[i]);
		for (j = 0; j < i; j++) {
			KUNIT_EXPECT_PTR_NE(test, pools[i], pools[j]);
			KUNIT_EXPECT_PTR_NE(test, pcpus[i], pcpus[j]);
			KUNIT_EXPECT_PTR_NE(test,
					    threadpool_percpu_ref_remote(pcpus[i], 0),
					    threadpool_percpu_ref_remote(pcpus[j], 0));
		}
		KUNIT_EXPECT_PTR_NE(test, pools[i],
				    threadpool_percpu_ref_remote(pcpus[i], 0));
	}
	for (i = 0; i < ARRAY_SIZE(tp_pris); i++) {
		threadpool_put(pools[i], tp_pris[i]);
		threadpool_percpu_put(pcpus[i], tp_pris[i]);
	}
}

/* A job that records the CPU it runs on, and its nice level. */
static void job_cpu_fn(struct threadpool_job *job)
{
	struct tp_data *d = container_of(job, struct tp_data, job);
	int cpu = raw_smp_processor_id();

	mutex_enter(&d->mutex);
	d->cpu = cpu;
	d->nice = task_nice(current);
	d->count++;
	cv_broadcast(&d->cond);
	threadpool_job_done(job);
	mutex_exit(&d->mutex);
}

/* Run @d's job once on @pool; its nice level, or INT_MIN if it did not run. */
static int tp_nice_on(struct tp_data *d, struct threadpool *pool)
{
	int nice = INT_MIN;

	mutex_enter(&d->mutex);
	d->count = 0;
	threadpool_schedule_job(pool, &d->job);
	if (tp_wait_until(d, d->count == 1))
		nice = d->nice;
	threadpool_cancel_job(pool, &d->job);
	mutex_exit(&d->mutex);
	return nice;
}

/*
 * The real-time priorities run on the nice -20 workers, the others at
 * nice 0, on unbound and per-CPU pools.
 */
static void priorities_to_nice(struct kunit *test)
{
	struct tp_data *d = tp_data_alloc(test, job_cpu_fn, IPL_NONE);
	struct threadpool_percpu *pcpu;
	struct threadpool *pool;
	unsigned int i;
	int nice;

	for (i = 0; i < ARRAY_SIZE(tp_pris); i++) {
		nice = tp_pris[i] >= PRI_USER_RT ? -20 : 0;
		KUNIT_ASSERT_EQ(test, threadpool_get(&pool, tp_pris[i]), 0);
		KUNIT_EXPECT_EQ_MSG(test, tp_nice_on(d, pool), nice,
				    "unbound, priority %d", tp_pris[i]);
		threadpool_put(pool, tp_pris[i]);
		KUNIT_ASSERT_EQ(test, threadpool_percpu_get(&pcpu, tp_pris[i]), 0);
		KUNIT_EXPECT_EQ_MSG(test, tp_nice_on(d, threadpool_percpu_ref(pcpu)),
				    nice, "per-CPU, priority %d", tp_pris[i]);
		threadpool_percpu_put(pcpu, tp_pris[i]);
	}
	tp_data_fini(d, NULL);
}

/*
 * A job scheduled on a CPU's pool runs on that CPU, also when scheduled
 * on one CPU after the other as soon as its run on the last is done.
 */
static void percpu_jobs_on_their_cpu(struct kunit *test)
{
	struct tp_data *d = tp_data_alloc(test, job_cpu_fn, IPL_NONE);
	struct threadpool_percpu *pcpu;
	unsigned int expected = 0;
	int round, cpu;

	KUNIT_ASSERT_EQ(test, threadpool_percpu_get(&pcpu, PRI_NONE), 0);
	mutex_enter(&d->mutex);
	for (round = 0; round < 50; round++) {
		for_each_online_cpu(cpu) {
			threadpool_schedule_job(threadpool_percpu_ref_remote(pcpu, cpu),
						&d->job);
			expected++;
			if (!tp_wait_until(d, d->count == expected)) {
				KUNIT_FAIL(test, "job on CPU %d did not run", cpu);
				goto out;
			}
			if (d->cpu != cpu) {
				KUNIT_FAIL(test, "job of CPU %d ran on CPU %d",
					   cpu, d->cpu);
				goto out;
			}
		}
	}
out:
	mutex_exit(&d->mutex);
	tp_data_fini(d, NULL);
	threadpool_percpu_put(pcpu, PRI_NONE);
}

/* A job that notes when two of its runs overlap. */
static void job_overlap_fn(struct threadpool_job *job)
{
	struct tp_data *d = container_of(job, struct tp_data, job);

	if (atomic_inc_return(&d->running) > 1)
		atomic_inc(&d->overlaps);
	udelay(5);
	mutex_enter(&d->mutex);
	atomic_dec(&d->running);
	d->count++;
	threadpool_job_done(job);
	mutex_exit(&d->mutex);
}

struct tp_hammer {
	struct tp_data		*d;
	struct threadpool	*pool;
	struct completion	done;
};

static int tp_hammer_thread(void *arg)
{
	struct tp_hammer *h = arg;
	int i;

	for (i = 0; i < 1000; i++) {
		mutex_enter(&h->d->mutex);
		threadpool_schedule_job(h->pool, &h->d->job);
		mutex_exit(&h->d->mutex);
		cond_resched();
	}
	complete(&h->done);
	return 0;
}

/* One job scheduled from every CPU on its own pool never runs twice at once. */
static void no_concurrent_runs(struct kunit *test)
{
	struct tp_data *d = tp_data_alloc(test, job_overlap_fn, IPL_NONE);
	struct threadpool_percpu *pcpu;
	struct tp_hammer *h;
	struct task_struct *task;
	int cpu, n = 0;

	h = kunit_kcalloc(test, nr_cpu_ids, sizeof(*h), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, h);
	KUNIT_ASSERT_EQ(test, threadpool_percpu_get(&pcpu, PRI_NONE), 0);
	for_each_online_cpu(cpu) {
		h[cpu].d = d;
		h[cpu].pool = threadpool_percpu_ref_remote(pcpu, cpu);
		init_completion(&h[cpu].done);
		task = kthread_create(tp_hammer_thread, &h[cpu], "tp_hammer/%d", cpu);
		if (IS_ERR(task)) {
			complete(&h[cpu].done);
			continue;
		}
		kthread_bind(task, cpu);
		wake_up_process(task);
		n++;
	}
	for_each_online_cpu(cpu)
		KUNIT_EXPECT_COMPLETES(test, &h[cpu].done);
	tp_data_fini(d, NULL);
	KUNIT_EXPECT_GT(test, n, 1);
	KUNIT_EXPECT_GT(test, d->count, 0U);
	KUNIT_EXPECT_EQ(test, atomic_read(&d->overlaps), 0);
	threadpool_percpu_put(pcpu, PRI_NONE);
}

/*
 * The first run waits for the case before and after threadpool_job_done();
 * later runs go straight through.
 */
static void job_done_fn(struct threadpool_job *job)
{
	struct tp_data *d = container_of(job, struct tp_data, job);
	unsigned int me;

	mutex_enter(&d->mutex);
	me = ++d->started;
	cv_broadcast(&d->cond);
	if (me == 1)
		tp_wait_until(d, d->phase >= 1);
	d->count++;
	threadpool_job_done(job);
	cv_broadcast(&d->cond);
	if (me == 1)
		tp_wait_until(d, d->phase >= 2);
	d->returned++;
	cv_broadcast(&d->cond);
	mutex_exit(&d->mutex);
}

/*
 * Scheduling a running job does nothing; once it called
 * threadpool_job_done() it may be scheduled again, and runs again, even
 * before its function returned.
 */
static void job_done_schedulable_again(struct kunit *test)
{
	struct tp_data *d = tp_data_alloc(test, job_done_fn, IPL_NONE);
	struct threadpool *pool;

	KUNIT_ASSERT_EQ(test, threadpool_get(&pool, PRI_NONE), 0);
	mutex_enter(&d->mutex);
	threadpool_schedule_job(pool, &d->job);
	KUNIT_EXPECT_TRUE(test, tp_wait_until(d, d->started == 1));
	/* running: no effect */
	threadpool_schedule_job(pool, &d->job);
	KUNIT_EXPECT_FALSE(test, threadpool_cancel_job_async(pool, &d->job));
	d->phase = 1;
	cv_broadcast(&d->cond);
	KUNIT_EXPECT_TRUE(test, tp_wait_until(d, d->count == 1));
	/* done, though not returned: schedulable again */
	threadpool_schedule_job(pool, &d->job);
	KUNIT_EXPECT_TRUE(test, tp_wait_until(d, d->count == 2));
	KUNIT_EXPECT_EQ(test, d->started, 2U);
	KUNIT_EXPECT_EQ(test, d->returned, 1U);	/* the second run only */
	d->phase = 2;
	cv_broadcast(&d->cond);
	KUNIT_EXPECT_TRUE(test, tp_wait_until(d, d->returned == 2));
	mutex_exit(&d->mutex);
	/* the schedule made while it ran left no run behind */
	KUNIT_EXPECT_FALSE(test, cmwq_poll(READ_ONCE(d->started) > 2, HZ / 10));
	tp_data_fini(d, pool);
	threadpool_put(pool, PRI_NONE);
}

/* A job that holds its lock between two halves, to be caught running. */
static void job_async_fn(struct threadpool_job *job)
{
	struct tp_data *d = container_of(job, struct tp_data, job);

	mutex_enter(&d->mutex);
	d->in_fn = true;
	d->count++;
	cv_broadcast(&d->cond);
	mutex_exit(&d->mutex);
	mutex_enter(&d->mutex);
	d->in_fn = false;
	threadpool_job_done(job);
	mutex_exit(&d->mutex);
}

/*
 * threadpool_cancel_job_async() answers true only for a job that is not
 * running and then does not run; false only for one that runs and then
 * ends; over thousands of rounds caught at every point of a run.
 */
static void cancel_async_consistent(struct kunit *test)
{
	struct tp_data *d = tp_data_alloc(test, job_async_fn, IPL_NONE);
	unsigned int i, before, ran = 0, trues = 0, falses = 0;
	struct threadpool *pool;

	KUNIT_ASSERT_EQ(test, threadpool_get(&pool, PRI_NONE), 0);
	mutex_enter(&d->mutex);
	for (i = 0; i < 5000; i++) {
		before = d->count;
		threadpool_schedule_job(pool, &d->job);
		if (i % 3 == 1) {
			mutex_exit(&d->mutex);
			mutex_enter(&d->mutex);
		} else if (i % 3 == 2) {
			/* caught in the middle, or done */
			tp_wait_until(d, d->count != before);
		}
		if (threadpool_cancel_job_async(pool, &d->job)) {
			trues++;
			if (d->in_fn) {
				KUNIT_FAIL(test, "round %u: true while running", i);
				break;
			}
			/* it ran to its end already, or it never runs */
			ran += d->count != before;
		} else {
			falses++;
			threadpool_cancel_job(pool, &d->job);
			if (d->count == before || d->in_fn) {
				KUNIT_FAIL(test, "round %u: false, and no whole run", i);
				break;
			}
			ran++;
		}
	}
	mutex_exit(&d->mutex);
	/* a run cancelled by a true would show up here */
	KUNIT_EXPECT_FALSE(test, cmwq_poll(READ_ONCE(d->count) != ran, HZ / 10));
	KUNIT_EXPECT_EQ(test, d->count, ran);
	KUNIT_EXPECT_GT(test, trues, 0U);
	kunit_info(test, "%u rounds: %u cancelled or done, %u waited for, %u runs",
		   i, trues, falses, ran);
	tp_data_fini(d, pool);
	threadpool_put(pool, PRI_NONE);
}

#define TP_SLEEPERS	16
#define TP_SLEEP_MS	50

struct tp_sleeper {
	struct tp_data		d;
	struct completion	done;
};

static void job_sleep_fn(struct threadpool_job *job)
{
	struct tp_sleeper *s = container_of(job, struct tp_sleeper, d.job);

	msleep(TP_SLEEP_MS);
	mutex_enter(&s->d.mutex);
	threadpool_job_done(job);
	mutex_exit(&s->d.mutex);
	complete(&s->done);
}

/* Jobs that sleep leave the pool to the others: 16 x 50 ms in far less. */
static void sleeping_jobs(struct kunit *test, struct threadpool *pool)
{
	struct tp_sleeper *s;
	ktime_t start;
	s64 ms;
	int i;

	s = kunit_kcalloc(test, TP_SLEEPERS, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	for (i = 0; i < TP_SLEEPERS; i++) {
		tp_data_init(&s[i].d, job_sleep_fn, IPL_NONE);
		init_completion(&s[i].done);
	}
	start = ktime_get();
	for (i = 0; i < TP_SLEEPERS; i++) {
		mutex_enter(&s[i].d.mutex);
		threadpool_schedule_job(pool, &s[i].d.job);
		mutex_exit(&s[i].d.mutex);
	}
	for (i = 0; i < TP_SLEEPERS; i++)
		KUNIT_EXPECT_COMPLETES(test, &s[i].done);
	ms = ktime_ms_delta(ktime_get(), start);
	kunit_info(test, "%d jobs sleeping %d ms each: %lld ms",
		   TP_SLEEPERS, TP_SLEEP_MS, ms);
	KUNIT_EXPECT_LT(test, ms, (s64)TP_SLEEPERS * TP_SLEEP_MS / 2);
	for (i = 0; i < TP_SLEEPERS; i++)
		tp_data_fini(&s[i].d, pool);
}

static void sleeping_jobs_unbound(struct kunit *test)
{
	struct threadpool *pool;

	KUNIT_ASSERT_EQ(test, threadpool_get(&pool, PRI_NONE), 0);
	sleeping_jobs(test, pool);
	threadpool_put(pool, PRI_NONE);
}

/* All on one CPU's pool: cmwq's concurrency management at work. */
static void sleeping_jobs_one_cpu(struct kunit *test)
{
	struct threadpool_percpu *pcpu;

	KUNIT_ASSERT_EQ(test, threadpool_percpu_get(&pcpu, PRI_NONE), 0);
	sleeping_jobs(test, threadpool_percpu_ref_remote(pcpu, cpumask_first(cpu_online_mask)));
	threadpool_percpu_put(pcpu, PRI_NONE);
}

struct tp_irq {
	struct tp_data		d;
	struct hrtimer		timer;
	struct threadpool	*pool;
	struct completion	ran;
	bool			in_hardirq;
};

static enum hrtimer_restart tp_irq_timer_fn(struct hrtimer *timer)
{
	struct tp_irq *t = container_of(timer, struct tp_irq, timer);

	t->in_hardirq = in_hardirq();
	mutex_enter(&t->d.mutex);
	threadpool_schedule_job(t->pool, &t->d.job);
	mutex_exit(&t->d.mutex);
	return HRTIMER_NORESTART;
}

static void job_irq_fn(struct threadpool_job *job)
{
	struct tp_irq *t = container_of(job, struct tp_irq, d.job);

	mutex_enter(&t->d.mutex);
	t->d.count++;
	threadpool_job_done(job);
	mutex_exit(&t->d.mutex);
	complete(&t->ran);
}

/* A hard-IRQ hrtimer schedules a job under a spin mutex (IPL_VM). */
static void schedule_from_hardirq(struct kunit *test)
{
	struct tp_irq *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	struct threadpool_percpu *pcpu;
	struct threadpool *pool;

	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_ASSERT_EQ(test, threadpool_get(&pool, PRI_NONE), 0);
	KUNIT_ASSERT_EQ(test, threadpool_percpu_get(&pcpu, PRI_NONE), 0);
	tp_data_init(&t->d, job_irq_fn, IPL_VM);
	hrtimer_init(&t->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	t->timer.function = tp_irq_timer_fn;

	t->pool = pool;
	init_completion(&t->ran);
	hrtimer_start(&t->timer, ms_to_ktime(5), HRTIMER_MODE_REL_HARD);
	KUNIT_EXPECT_COMPLETES(test, &t->ran);
	KUNIT_EXPECT_TRUE(test, t->in_hardirq);
	hrtimer_cancel(&t->timer);

	/* and on a per-CPU pool */
	t->pool = threadpool_percpu_ref(pcpu);
	reinit_completion(&t->ran);
	hrtimer_start(&t->timer, ms_to_ktime(5), HRTIMER_MODE_REL_HARD);
	KUNIT_EXPECT_COMPLETES(test, &t->ran);
	hrtimer_cancel(&t->timer);

	KUNIT_EXPECT_EQ(test, t->d.count, 2U);
	tp_data_fini(&t->d, pool);
	threadpool_percpu_put(pcpu, PRI_NONE);
	threadpool_put(pool, PRI_NONE);
}

/* A job that signals the condvar a case waits on. */
static void job_signal_fn(struct threadpool_job *job)
{
	struct tp_data *d = container_of(job, struct tp_data, job);

	mutex_enter(&d->mutex);
	d->count++;
	cv_signal(&d->cond);
	threadpool_job_done(job);
	mutex_exit(&d->mutex);
}

/* cv_timedwait() gives EWOULDBLOCK after its ticks, 0 when signalled. */
static void condvar_timeouts(struct kunit *test, int ipl)
{
	struct tp_data *d = tp_data_alloc(test, job_signal_fn, ipl);
	struct threadpool *pool;
	unsigned long start;
	int error;

	KUNIT_ASSERT_EQ(test, threadpool_get(&pool, PRI_NONE), 0);
	mutex_enter(&d->mutex);
	start = jiffies;
	error = cv_timedwait(&d->cond, &d->mutex, hz / 10);
	KUNIT_EXPECT_EQ(test, error, EWOULDBLOCK);
	KUNIT_EXPECT_GE(test, jiffies - start, (unsigned long)hz / 10);
	KUNIT_EXPECT_TRUE(test, mutex_owned(&d->mutex));

	threadpool_schedule_job(pool, &d->job);
	error = cv_timedwait(&d->cond, &d->mutex, CMWQ_KUNIT_TIMEOUT);
	KUNIT_EXPECT_EQ(test, error, 0);
	KUNIT_EXPECT_EQ(test, d->count, 1U);
	KUNIT_EXPECT_TRUE(test, mutex_owned(&d->mutex));
	mutex_exit(&d->mutex);
	tp_data_fini(d, pool);
	threadpool_put(pool, PRI_NONE);
}

static void condvar_timeouts_adaptive(struct kunit *test)
{
	condvar_timeouts(test, IPL_NONE);
}

static void condvar_timeouts_spin(struct kunit *test)
{
	condvar_timeouts(test, IPL_VM);
}

/* A mutex and its waiter, for mutex_destroy_after_release. */
struct tp_handoff {
	kmutex_t		*mutex;
	struct completion	waiting;
	struct completion	done;
};

static int tp_handoff_thread(void *arg)
{
	struct tp_handoff *h = arg;
	kmutex_t *m = h->mutex;

	complete(&h->waiting);
	mutex_enter(m);
	mutex_exit(m);
	/* the previous owner may still be in mutex_exit() */
	mutex_destroy(m);
	kfree(m);
	complete(&h->done);
	return 0;
}

/*
 * A thread may destroy and free a mutex as soon as it took and released
 * it, while its previous owner is returning from mutex_exit() (on the
 * debug kernel, KASAN sees any access after that).
 */
static void mutex_destroy_after_release(struct kunit *test)
{
	struct tp_handoff h;
	struct task_struct *task;
	int i;

	for (i = 0; i < 200; i++) {
		h.mutex = kzalloc(sizeof(*h.mutex), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, h.mutex);
		mutex_init(h.mutex, MUTEX_DEFAULT, IPL_NONE);
		init_completion(&h.waiting);
		init_completion(&h.done);
		mutex_enter(h.mutex);
		task = kthread_run(tp_handoff_thread, &h, "tp_handoff");
		if (IS_ERR(task)) {
			mutex_exit(h.mutex);
			kfree(h.mutex);
			KUNIT_FAIL(test, "no thread");
			return;
		}
		KUNIT_EXPECT_COMPLETES(test, &h.waiting);
		if (i % 2)
			usleep_range(100, 200);	/* let it sleep on the mutex */
		mutex_exit(h.mutex);
		KUNIT_ASSERT_COMPLETES(test, &h.done);
	}
}

/*
 * An adaptive mutex is waited for spinning while its owner runs on a
 * CPU, and sleeping while it does not, as in NetBSD.  A thread bound to
 * another CPU holds it for TP_HOLD_MS, busy or asleep, while this one
 * takes it: its voluntary switches tell whether it slept.  Spinning, it
 * does not queue behind the owner's release either, the convoy a
 * hand-over to sleepers made.
 */
#define TP_HOLD_MS	5

struct tp_holder {
	kmutex_t		mutex;
	struct completion	held;
	struct completion	done;
	bool			sleep;
};

static int tp_holder_thread(void *arg)
{
	struct tp_holder *h = arg;

	mutex_enter(&h->mutex);
	complete(&h->held);
	if (h->sleep)
		msleep(TP_HOLD_MS);
	else
		mdelay(TP_HOLD_MS);
	mutex_exit(&h->mutex);
	complete(&h->done);
	return 0;
}

/* Take a mutex another CPU's thread holds; return the switches it cost. */
static unsigned long adaptive_wait(struct kunit *test, bool sleep)
{
	struct tp_holder *h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);
	struct task_struct *task;
	unsigned long nvcsw = 0;
	int cpu;

	KUNIT_ASSERT_NOT_NULL(test, h);
	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two CPUs");
	mutex_init(&h->mutex, MUTEX_DEFAULT, IPL_NONE);
	init_completion(&h->held);
	init_completion(&h->done);
	h->sleep = sleep;
	migrate_disable();
	cpu = cpumask_any_but(cpu_online_mask, smp_processor_id());
	task = kthread_create(tp_holder_thread, h, "tp_holder");
	if (IS_ERR(task)) {
		migrate_enable();
		KUNIT_FAIL(test, "no thread");
		return 0;
	}
	kthread_bind(task, cpu);
	wake_up_process(task);
	if (wait_for_completion_timeout(&h->held, CMWQ_KUNIT_TIMEOUT)) {
		nvcsw = current->nvcsw;
		mutex_enter(&h->mutex);
		nvcsw = current->nvcsw - nvcsw;
		mutex_exit(&h->mutex);
	} else {
		KUNIT_FAIL(test, "the holder did not take the mutex");
	}
	migrate_enable();
	KUNIT_EXPECT_COMPLETES(test, &h->done);
	mutex_destroy(&h->mutex);
	return nvcsw;
}

static void adaptive_spins_on_running_owner(struct kunit *test)
{
	KUNIT_EXPECT_EQ_MSG(test, adaptive_wait(test, false), 0UL,
			    "slept while the owner ran");
}

static void adaptive_sleeps_on_sleeping_owner(struct kunit *test)
{
	KUNIT_EXPECT_GT_MSG(test, adaptive_wait(test, true), 0UL,
			    "spun while the owner slept");
}

/* Invalid priorities get EINVAL; each refusal counted. */
static void invalid_priority(struct kunit *test)
{
	static const pri_t bad[] = { PRI_NONE - 1, PRI_COUNT, 1000 };
	struct threadpool_percpu *pcpu;
	struct threadpool *pool;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		int before = cmwq_test_nr_refusals();

		cmwq_test_expect_refusals(2);
		KUNIT_EXPECT_EQ(test, threadpool_get(&pool, bad[i]), EINVAL);
		KUNIT_EXPECT_EQ(test, threadpool_percpu_get(&pcpu, bad[i]), EINVAL);
		KUNIT_EXPECT_EQ(test, cmwq_test_nr_refusals(), before + 2);
		cmwq_test_expect_refusals(0);
	}
}

/* Scheduling a destroyed job is refused, and it does not run. */
static void schedule_destroyed_job(struct kunit *test)
{
	struct tp_data *d = tp_data_alloc(test, job_schedule_fn, IPL_NONE);
	struct threadpool *pool;
	int before;

	KUNIT_ASSERT_EQ(test, threadpool_get(&pool, PRI_NONE), 0);
	threadpool_job_destroy(&d->job);
	before = cmwq_test_nr_refusals();
	cmwq_test_expect_refusals(1);
	mutex_enter(&d->mutex);
	threadpool_schedule_job(pool, &d->job);
	mutex_exit(&d->mutex);
	KUNIT_EXPECT_EQ(test, cmwq_test_nr_refusals(), before + 1);
	cmwq_test_expect_refusals(0);
	KUNIT_EXPECT_FALSE(test, cmwq_poll(READ_ONCE(d->count) != 0, HZ / 10));
	cv_destroy(&d->cond);
	mutex_destroy(&d->mutex);
	threadpool_put(pool, PRI_NONE);
}

/* Scheduling or cancelling without the job's lock is refused. */
static void without_the_lock(struct kunit *test)
{
	struct tp_data *d = tp_data_alloc(test, job_schedule_fn, IPL_NONE);
	struct threadpool *pool;
	int before;

	KUNIT_ASSERT_EQ(test, threadpool_get(&pool, PRI_NONE), 0);
	before = cmwq_test_nr_refusals();
	cmwq_test_expect_refusals(3);
	threadpool_schedule_job(pool, &d->job);
	KUNIT_EXPECT_FALSE(test, threadpool_cancel_job_async(pool, &d->job));
	threadpool_cancel_job(pool, &d->job);
	KUNIT_EXPECT_EQ(test, cmwq_test_nr_refusals(), before + 3);
	cmwq_test_expect_refusals(0);
	KUNIT_EXPECT_FALSE(test, cmwq_poll(READ_ONCE(d->count) != 0, HZ / 10));
	tp_data_fini(d, pool);
	threadpool_put(pool, PRI_NONE);
}

static void tp_exit(struct kunit *test)
{
	cmwq_test_expect_refusals(0);
}

static struct kunit_case cmwq_threadpool_cases[] = {
	KUNIT_CASE(unbound_lifecycle),
	KUNIT_CASE(percpu_lifecycle),
	KUNIT_CASE(unbound_schedule),
	KUNIT_CASE(percpu_schedule),
	KUNIT_CASE(cancel_running_adaptive),
	KUNIT_CASE(cancel_running_spin),
	KUNIT_CASE(cancel_thrash),
	KUNIT_CASE(tester_get_run_put),
	KUNIT_CASE(distinct_pools_per_priority),
	KUNIT_CASE(priorities_to_nice),
	KUNIT_CASE(percpu_jobs_on_their_cpu),
	KUNIT_CASE(no_concurrent_runs),
	KUNIT_CASE(job_done_schedulable_again),
	KUNIT_CASE(cancel_async_consistent),
	KUNIT_CASE(sleeping_jobs_unbound),
	KUNIT_CASE(sleeping_jobs_one_cpu),
	KUNIT_CASE(adaptive_spins_on_running_owner),
	KUNIT_CASE(adaptive_sleeps_on_sleeping_owner),
	KUNIT_CASE(schedule_from_hardirq),
	KUNIT_CASE(condvar_timeouts_adaptive),
	KUNIT_CASE(condvar_timeouts_spin),
	KUNIT_CASE(mutex_destroy_after_release),
	KUNIT_CASE(invalid_priority),
	KUNIT_CASE(schedule_destroyed_job),
	KUNIT_CASE(without_the_lock),
	{}
};

static struct kunit_suite cmwq_threadpool_suite = {
	.name = "cmwq_threadpool",
	.exit = tp_exit,
	.test_cases = cmwq_threadpool_cases,
};

kunit_test_suites(&cmwq_threadpool_suite);

MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_DESCRIPTION("KUnit tests of NetBSD's threadpool(9) on cmwq");
