// SPDX-License-Identifier: GPL-2.0
/*
 * cmwq_stats_test.c - KUnit: the per-queue statistics, timing, histograms
 *
 * Each case runs a known workload on a queue of its own and checks the
 * numbers debugfs would show for it (the test interface hands over the
 * same snapshots as the files print), exactly wherever the workload
 * makes them exact.  Works that must stay pending are held behind a
 * blocker on a max_active == 1 queue, or behind a CPU-bound work on a
 * bound pool; every wait is a completion or a poll with a deadline.  The
 * only sleeps are the works' own, as the run time being measured.
 * Timing is off for every case unless the case switches it on (the
 * suite's init and exit save and restore the global switch).
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/namei.h>
#include <linux/string.h>
#include <linux/timekeeping.h>

#include "cmwq_kunit.h"

#define NR_WORKS	10
#define SLEEP_MS	20

struct item {
	struct cmwq_work	work;
	struct completion	started;
	struct completion	go;
	struct completion	done;
	atomic_t		runs;
	bool			stop;
	unsigned int		sleep_ms;
	u64			slept_ns;	/* the sleep, as ktime saw it */
};

static void item_init(struct item *it, cmwq_func_t fn)
{
	memset(it, 0, sizeof(*it));
	CMWQ_INIT_WORK(&it->work, fn);
	init_completion(&it->started);
	init_completion(&it->go);
	init_completion(&it->done);
}

static struct item *work_item(struct cmwq_work *work)
{
	return container_of(work, struct item, work);
}

static void count_fn(struct cmwq_work *work)
{
	struct item *it = work_item(work);

	atomic_inc(&it->runs);
	complete(&it->done);
}

/* Runs, then waits for its go (bounded), then sleeps its sleep_ms. */
static void block_fn(struct cmwq_work *work)
{
	struct item *it = work_item(work);

	complete(&it->started);
	wait_for_completion_timeout(&it->go, CMWQ_KUNIT_TIMEOUT);
	if (it->sleep_ms) {
		/* under QEMU a jiffy may pass in less than its length */
		u64 start = ktime_get_ns();

		msleep(it->sleep_ms);
		it->slept_ns = ktime_get_ns() - start;
	}
	atomic_inc(&it->runs);
	complete(&it->done);
}

/* Stays runnable, never sleeping, until told to stop (or a deadline). */
static void spin_fn(struct cmwq_work *work)
{
	struct item *it = work_item(work);
	unsigned long deadline = jiffies + CMWQ_KUNIT_TIMEOUT;

	complete(&it->started);
	while (!READ_ONCE(it->stop) && time_before(jiffies, deadline)) {
		cond_resched();
		cpu_relax();
	}
	atomic_inc(&it->runs);
	complete(&it->done);
}

static struct cmwq_stats_snapshot *snap(struct kunit *test,
					struct cmwq_workqueue *wq)
{
	struct cmwq_stats_snapshot *s = kunit_kzalloc(test, sizeof(*s),
						      GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, s);
	cmwq_test_queue_stats(wq, s);
	return s;
}

static struct cmwq_stats_latency *latency(struct kunit *test,
					  struct cmwq_workqueue *wq)
{
	struct cmwq_stats_latency *lat = kunit_kzalloc(test, sizeof(*lat),
						       GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, lat);
	cmwq_test_queue_latency(wq, lat);
	return lat;
}

/* The bucket stats.c puts @ns in: see CMWQ_STATS_NR_BUCKETS. */
static int bucket_of(u64 ns)
{
	u64 us = div_u64(ns, NSEC_PER_USEC);

	return us ? min_t(int, fls64(us), CMWQ_STATS_NR_BUCKETS - 1) : 0;
}

/*
 * Ten works on a fresh queue: ten queued, started and completed.  Timing
 * is off, so no time is taken: the time fields stay 0.
 */
static void counts_queued_started_completed(struct kunit *test)
{
	struct cmwq_stats_snapshot *s;
	struct cmwq_workqueue *wq;
	struct item *it;
	u64 before;
	int i, cpu;

	wq = cmwq_alloc_workqueue("stats_counts", 0, 4);
	it = kunit_kcalloc(test, NR_WORKS, sizeof(*it), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, wq && it);

	s = snap(test, wq);
	KUNIT_EXPECT_EQ(test, s->queued, 0ULL);
	KUNIT_EXPECT_EQ(test, s->max_active, 4);
	before = s->crtime;
	KUNIT_EXPECT_GE(test, s->snaptime, s->crtime);

	for (i = 0; i < NR_WORKS; i++) {
		item_init(&it[i], count_fn);
		cpu = i % 2 ? cpumask_last(cpu_online_mask) :
			      cpumask_first(cpu_online_mask);
		KUNIT_EXPECT_TRUE(test, cmwq_queue_work_on(cpu, wq, &it[i].work));
	}
	for (i = 0; i < NR_WORKS; i++)
		KUNIT_EXPECT_COMPLETES(test, &it[i].done);
	/* the counts of a work are final once a flush has waited for it */
	cmwq_flush_workqueue(wq);

	s = snap(test, wq);
	KUNIT_EXPECT_EQ(test, s->queued, (u64)NR_WORKS);
	KUNIT_EXPECT_EQ(test, s->started, (u64)NR_WORKS);
	KUNIT_EXPECT_EQ(test, s->completed, (u64)NR_WORKS);
	KUNIT_EXPECT_EQ(test, s->cancelled, 0ULL);
	KUNIT_EXPECT_EQ(test, s->flushes, 1ULL);
	KUNIT_EXPECT_EQ(test, s->pending, 0ULL);
	KUNIT_EXPECT_EQ(test, s->active, 0ULL);
	KUNIT_EXPECT_GE(test, s->max_pending, 1ULL);
	KUNIT_EXPECT_EQ(test, s->rescued, 0ULL);
	KUNIT_EXPECT_EQ(test, s->maydays, 0ULL);
	KUNIT_EXPECT_EQ(test, s->crtime, before);
	KUNIT_EXPECT_FALSE(test, s->timing);
	KUNIT_EXPECT_EQ(test, s->run_total_ns, 0ULL);
	KUNIT_EXPECT_EQ(test, s->run_max_ns, 0ULL);
	KUNIT_EXPECT_EQ(test, s->wait_total_ns, 0ULL);
	KUNIT_EXPECT_EQ(test, s->wait_max_ns, 0ULL);
	cmwq_destroy_workqueue(wq);
}

/*
 * max_active 1: one work runs, blocked; five more wait.  Pending 5 (the
 * most at once), active 1; cancelling three leaves two pending.
 */
static void pending_active_cancelled(struct kunit *test)
{
	int cpu = cpumask_first(cpu_online_mask), i;
	struct cmwq_stats_snapshot *s;
	struct cmwq_workqueue *wq;
	struct item *blocker, *it;

	wq = cmwq_alloc_workqueue("stats_pending", 0, 1);
	blocker = kunit_kzalloc(test, sizeof(*blocker), GFP_KERNEL);
	it = kunit_kcalloc(test, 5, sizeof(*it), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, wq && blocker && it);

	item_init(blocker, block_fn);
	cmwq_queue_work_on(cpu, wq, &blocker->work);
	KUNIT_ASSERT_COMPLETES(test, &blocker->started);
	for (i = 0; i < 5; i++) {
		item_init(&it[i], count_fn);
		cmwq_queue_work_on(cpu, wq, &it[i].work);
	}
	s = snap(test, wq);
	KUNIT_EXPECT_EQ(test, s->queued, 6ULL);
	KUNIT_EXPECT_EQ(test, s->started, 1ULL);
	KUNIT_EXPECT_EQ(test, s->pending, 5ULL);
	KUNIT_EXPECT_EQ(test, s->max_pending, 5ULL);
	KUNIT_EXPECT_EQ(test, s->active, 1ULL);
	KUNIT_EXPECT_EQ(test, s->max_active, 1);

	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_TRUE(test, cmwq_cancel_work(&it[i].work));
	s = snap(test, wq);
	KUNIT_EXPECT_EQ(test, s->cancelled, 3ULL);
	KUNIT_EXPECT_EQ(test, s->pending, 2ULL);
	KUNIT_EXPECT_EQ(test, s->max_pending, 5ULL);

	complete(&blocker->go);
	KUNIT_EXPECT_COMPLETES(test, &it[3].done);
	KUNIT_EXPECT_COMPLETES(test, &it[4].done);
	cmwq_flush_workqueue(wq);
	s = snap(test, wq);
	KUNIT_EXPECT_EQ(test, s->queued, 6ULL);
	KUNIT_EXPECT_EQ(test, s->started, 3ULL);
	KUNIT_EXPECT_EQ(test, s->completed, 3ULL);
	KUNIT_EXPECT_EQ(test, s->cancelled, 3ULL);
	KUNIT_EXPECT_EQ(test, s->pending, 0ULL);
	KUNIT_EXPECT_EQ(test, s->active, 0ULL);
	KUNIT_EXPECT_EQ(test, s->max_pending, 5ULL);
	cmwq_destroy_workqueue(wq);
}

/*
 * A work sleeping 20 ms: run max and total at least that, in the run
 * histogram's bucket for it; the work queued behind it waited as long.
 */
static void run_and_wait_times(struct kunit *test)
{
	int cpu = cpumask_first(cpu_online_mask), b;
	struct cmwq_stats_latency *lat;
	struct cmwq_stats_snapshot *s;
	struct cmwq_workqueue *wq;
	struct item *sleeper, *next;

	wq = cmwq_alloc_workqueue("stats_times", 0, 1);
	sleeper = kunit_kzalloc(test, sizeof(*sleeper), GFP_KERNEL);
	next = kunit_kzalloc(test, sizeof(*next), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, wq && sleeper && next);
	KUNIT_EXPECT_FALSE(test, cmwq_test_set_timing(wq, true));

	item_init(sleeper, block_fn);
	sleeper->sleep_ms = SLEEP_MS;
	item_init(next, count_fn);
	cmwq_queue_work_on(cpu, wq, &sleeper->work);
	KUNIT_ASSERT_COMPLETES(test, &sleeper->started);
	/* queued before the sleep starts: it waits through all of it */
	cmwq_queue_work_on(cpu, wq, &next->work);
	complete(&sleeper->go);
	KUNIT_EXPECT_COMPLETES(test, &sleeper->done);
	KUNIT_EXPECT_COMPLETES(test, &next->done);
	cmwq_flush_workqueue(wq);

	s = snap(test, wq);
	KUNIT_EXPECT_GE(test, s->run_max_ns, sleeper->slept_ns);
	KUNIT_EXPECT_GE(test, s->run_total_ns, s->run_max_ns);
	KUNIT_EXPECT_GE(test, s->wait_max_ns, sleeper->slept_ns);
	KUNIT_EXPECT_GE(test, s->wait_total_ns, s->wait_max_ns);
	KUNIT_EXPECT_TRUE(test, s->timing);

	lat = latency(test, wq);
	KUNIT_EXPECT_EQ(test, lat->run.count, 2ULL);
	KUNIT_EXPECT_EQ(test, lat->wait.count, 2ULL);
	KUNIT_EXPECT_EQ(test, lat->run.max_ns, s->run_max_ns);
	KUNIT_EXPECT_EQ(test, lat->wait.max_ns, s->wait_max_ns);
	b = bucket_of(s->run_max_ns);
	/* 20 ms is in [16.4 ms, 32.8 ms): bucket 15, or later if it overslept */
	KUNIT_EXPECT_GE(test, b, 15);
	KUNIT_EXPECT_EQ(test, lat->run.bucket[b], 1ULL);
	KUNIT_EXPECT_EQ(test, lat->wait.bucket[bucket_of(s->wait_max_ns)],
			1ULL);
	/* both functions in the table, one run each */
	KUNIT_EXPECT_EQ(test, lat->nr_funcs, 2);
	KUNIT_EXPECT_EQ(test, lat->funcs[0].run.count, 1ULL);
	KUNIT_EXPECT_EQ(test, lat->funcs[1].run.count, 1ULL);
	KUNIT_EXPECT_TRUE(test, (lat->funcs[0].func == block_fn &&
				 lat->funcs[0].run.bucket[b] == 1) ||
				(lat->funcs[1].func == block_fn &&
				 lat->funcs[1].run.bucket[b] == 1));
	KUNIT_EXPECT_EQ(test, lat->evicted, 0ULL);
	cmwq_destroy_workqueue(wq);
}

struct releaser {
	struct cmwq_work	work;
	struct cmwq_workqueue	*wq;	/* whose flushes to watch */
	u64			flushes;	/* release at this many */
	struct completion	*go;
};

static bool flushes_reached(struct releaser *r)
{
	struct cmwq_stats_snapshot s;

	cmwq_test_queue_stats(r->wq, &s);
	return s.flushes >= r->flushes;
}

/* Lets a blocked work go once its queue counted a flush (or a deadline). */
static void release_fn(struct cmwq_work *work)
{
	struct releaser *r = container_of(work, struct releaser, work);

	cmwq_poll(flushes_reached(r), CMWQ_KUNIT_TIMEOUT);
	complete(r->go);
}

/*
 * Two flushes of the queue and one flush of a running work count three;
 * flushing an idle work counts nothing, and the barrier is no work.
 */
static void flushes_counted(struct kunit *test)
{
	struct cmwq_workqueue *wq, *other;
	struct cmwq_stats_snapshot *s;
	struct item *it, *idle;
	struct releaser *r;

	wq = cmwq_alloc_workqueue("stats_flushes", 0, 0);
	other = cmwq_alloc_workqueue("stats_releaser", 0, 0);
	it = kunit_kzalloc(test, sizeof(*it), GFP_KERNEL);
	idle = kunit_kzalloc(test, sizeof(*idle), GFP_KERNEL);
	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, wq && other && it && idle && r);

	cmwq_flush_workqueue(wq);
	cmwq_flush_workqueue(wq);
	item_init(idle, count_fn);
	KUNIT_EXPECT_FALSE(test, cmwq_flush_work(&idle->work));

	item_init(it, block_fn);
	cmwq_queue_work(wq, &it->work);
	KUNIT_ASSERT_COMPLETES(test, &it->started);
	/* released only once the flush below is under way */
	CMWQ_INIT_WORK(&r->work, release_fn);
	r->wq = wq;
	r->flushes = 3;
	r->go = &it->go;
	cmwq_queue_work(other, &r->work);
	KUNIT_EXPECT_TRUE(test, cmwq_flush_work(&it->work));
	KUNIT_EXPECT_EQ(test, atomic_read(&it->runs), 1);
	s = snap(test, wq);
	KUNIT_EXPECT_EQ(test, s->flushes, 3ULL);
	/* the flush barrier ran as a work, but is not counted as one */
	KUNIT_EXPECT_EQ(test, s->queued, 1ULL);
	KUNIT_EXPECT_EQ(test, s->started, 1ULL);
	cmwq_destroy_workqueue(other);
	cmwq_destroy_workqueue(wq);
}

/*
 * Waits are sampled, one work of a cwq at a time: a blocker (its wait
 * timed, the cwq timing none), then four works queued behind it while it
 * blocks: only the first of them is timed, and it waited through the
 * blocker's sleep.  Once all ran, the next work queued is timed again.
 */
static void waits_sampled_one_per_cwq(struct kunit *test)
{
	int cpu = cpumask_first(cpu_online_mask), i;
	struct cmwq_stats_snapshot *s;
	struct cmwq_workqueue *wq;
	struct item *blocker, *it;

	wq = cmwq_alloc_workqueue("stats_sampled", 0, 1);
	blocker = kunit_kzalloc(test, sizeof(*blocker), GFP_KERNEL);
	it = kunit_kcalloc(test, 5, sizeof(*it), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, wq && blocker && it);
	KUNIT_EXPECT_FALSE(test, cmwq_test_set_timing(wq, true));

	item_init(blocker, block_fn);
	blocker->sleep_ms = SLEEP_MS;
	cmwq_queue_work_on(cpu, wq, &blocker->work);
	KUNIT_ASSERT_COMPLETES(test, &blocker->started);
	for (i = 0; i < 4; i++) {
		item_init(&it[i], count_fn);
		cmwq_queue_work_on(cpu, wq, &it[i].work);
	}
	complete(&blocker->go);
	KUNIT_EXPECT_COMPLETES(test, &blocker->done);
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_COMPLETES(test, &it[i].done);
	cmwq_flush_workqueue(wq);
	s = snap(test, wq);
	KUNIT_EXPECT_EQ(test, s->started, 5ULL);
	KUNIT_EXPECT_EQ(test, s->runs_timed, 5ULL);
	KUNIT_EXPECT_EQ(test, s->waits_timed, 2ULL);
	KUNIT_EXPECT_GE(test, s->wait_max_ns, blocker->slept_ns);

	item_init(&it[4], count_fn);
	cmwq_queue_work_on(cpu, wq, &it[4].work);
	KUNIT_EXPECT_COMPLETES(test, &it[4].done);
	cmwq_flush_workqueue(wq);
	KUNIT_EXPECT_EQ(test, snap(test, wq)->waits_timed, 3ULL);
	cmwq_destroy_workqueue(wq);
}

/*
 * The work whose wait is timed is cancelled: the cwq forgets it and
 * times the next one queued, which waits through a blocker's sleep; the
 * cancelled one, queued again later, is not taken for a work queued long
 * ago.
 */
static void wait_sample_cancelled(struct kunit *test)
{
	int cpu = cpumask_first(cpu_online_mask);
	struct item *blocker, *cancelled, *next;
	struct cmwq_stats_snapshot *s;
	struct cmwq_workqueue *wq;

	wq = cmwq_alloc_workqueue("stats_sample_cancel", 0, 1);
	blocker = kunit_kzalloc(test, sizeof(*blocker), GFP_KERNEL);
	cancelled = kunit_kzalloc(test, sizeof(*cancelled), GFP_KERNEL);
	next = kunit_kzalloc(test, sizeof(*next), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, wq && blocker && cancelled && next);

	item_init(blocker, block_fn);
	item_init(cancelled, count_fn);
	item_init(next, count_fn);
	blocker->sleep_ms = SLEEP_MS;
	/* untimed: its wait is not timed, the cwq picks none */
	cmwq_queue_work_on(cpu, wq, &blocker->work);
	KUNIT_ASSERT_COMPLETES(test, &blocker->started);
	KUNIT_EXPECT_FALSE(test, cmwq_test_set_timing(wq, true));
	cmwq_queue_work_on(cpu, wq, &cancelled->work);
	KUNIT_EXPECT_TRUE(test, cmwq_cancel_work(&cancelled->work));
	cmwq_queue_work_on(cpu, wq, &next->work);
	complete(&blocker->go);
	KUNIT_EXPECT_COMPLETES(test, &blocker->done);
	KUNIT_EXPECT_COMPLETES(test, &next->done);
	cmwq_flush_workqueue(wq);
	s = snap(test, wq);
	KUNIT_EXPECT_EQ(test, s->cancelled, 1ULL);
	KUNIT_EXPECT_EQ(test, s->waits_timed, 1ULL);
	KUNIT_EXPECT_GE(test, s->wait_max_ns, blocker->slept_ns);

	/* it was first queued before the blocker's sleep: its wait is less */
	cmwq_queue_work_on(cpu, wq, &cancelled->work);
	KUNIT_EXPECT_COMPLETES(test, &cancelled->done);
	cmwq_flush_workqueue(wq);
	s = snap(test, wq);
	KUNIT_EXPECT_EQ(test, s->waits_timed, 2ULL);
	KUNIT_EXPECT_LT(test, s->wait_total_ns - s->wait_max_ns,
			blocker->slept_ns);
	cmwq_destroy_workqueue(wq);
}

/*
 * A work stuck behind a CPU-bound one on a bound pool waits on the
 * worklist: the pool's oldest wait grows, and is 0 once it ran.  Timing
 * is off: the work's jiffies stamp (where works record their origin) or
 * the pool's last progress is enough for it.
 */
static void pool_oldest_wait(struct kunit *test)
{
	int cpu = cmwq_first_other_cpu(raw_smp_processor_id());
	struct cmwq_test_pool_stats before, ps;
	struct cmwq_workqueue *wq;
	struct item *spinner, *it;
	u64 queued, waited;

	if (cpu < 0)
		kunit_skip(test, "needs two online CPUs");
	wq = cmwq_alloc_workqueue("stats_oldest", 0, 0);
	spinner = kunit_kzalloc(test, sizeof(*spinner), GFP_KERNEL);
	it = kunit_kzalloc(test, sizeof(*it), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, wq && spinner && it);

	cmwq_test_pool_stats(cpu, false, &before);
	KUNIT_EXPECT_EQ(test, before.oldest_wait_ns, 0ULL);
	item_init(spinner, spin_fn);
	item_init(it, count_fn);
	cmwq_queue_work_on(cpu, wq, &spinner->work);
	KUNIT_ASSERT_COMPLETES(test, &spinner->started);
	queued = ktime_get_ns();
	cmwq_queue_work_on(cpu, wq, &it->work);
	KUNIT_EXPECT_TRUE(test,
			  cmwq_poll((cmwq_test_pool_stats(cpu, false, &ps),
				     ps.oldest_wait_ns >= 10 * NSEC_PER_MSEC),
				    CMWQ_KUNIT_TIMEOUT));
	/*
	 * Never more than since it was queued, but for the jiffies stamp's
	 * rounding (a tick, more if the tick is late); far less than the
	 * uptime a missing stamp would show.
	 */
	waited = ktime_get_ns() - queued;
	KUNIT_EXPECT_LE(test, ps.oldest_wait_ns, waited + NSEC_PER_SEC / 10);
	KUNIT_EXPECT_EQ(test, atomic_read(&it->runs), 0);
	WRITE_ONCE(spinner->stop, true);
	KUNIT_EXPECT_COMPLETES(test, &it->done);
	cmwq_flush_workqueue(wq);
	cmwq_test_pool_stats(cpu, false, &ps);
	KUNIT_EXPECT_EQ(test, ps.oldest_wait_ns, 0ULL);
	/* other queues may run works there too, never fewer than ours */
	KUNIT_EXPECT_GE(test, ps.nr_works - before.nr_works, 2UL);
	KUNIT_EXPECT_EQ(test, snap(test, wq)->wait_max_ns, 0ULL);
	cmwq_destroy_workqueue(wq);
}

#define LATER_DIR	"/sys/kernel/debug/cmwq/queues/stats_later"

/* kernel_read() cannot read debugfs' files: look the directory up */
static bool later_dir_exists(void)
{
	struct path path;

	if (kern_path(LATER_DIR, LOOKUP_DIRECTORY, &path))
		return false;
	path_put(&path);
	return true;
}

/*
 * A queue gets its directory a while after its allocation (a tenth of a
 * second), so that a queue destroyed sooner, one per request, never pays
 * for one; a queue that lives on gets it, and loses it when destroyed.
 */
static void queue_dir_made_later(struct kunit *test)
{
	unsigned long start = jiffies;
	struct cmwq_workqueue *wq;
	bool exists;

	wq = cmwq_alloc_workqueue("stats_later", 0, 0);
	KUNIT_ASSERT_NOT_NULL(test, wq);
	exists = later_dir_exists();
	/* unless this task was kept off its CPU for half the delay */
	if (time_before(jiffies, start + HZ / 20))
		KUNIT_EXPECT_FALSE(test, exists);
	KUNIT_EXPECT_TRUE(test, cmwq_poll(later_dir_exists(),
					  CMWQ_KUNIT_TIMEOUT));
	cmwq_destroy_workqueue(wq);
	KUNIT_EXPECT_FALSE(test, later_dir_exists());
}

/* Two live queues of one name get name and name#2; '/' becomes '_'. */
static void unique_names(struct kunit *test)
{
	struct cmwq_workqueue *a, *b, *c, *slash;
	char name[40];

	a = cmwq_alloc_workqueue("stats_dup", 0, 0);
	b = cmwq_alloc_workqueue("stats_dup", 0, 0);
	slash = cmwq_alloc_workqueue("stats/slash", 0, 0);
	KUNIT_ASSERT_TRUE(test, a && b && slash);
	cmwq_test_queue_dname(a, name, sizeof(name));
	KUNIT_EXPECT_STREQ(test, name, "stats_dup");
	cmwq_test_queue_dname(b, name, sizeof(name));
	KUNIT_EXPECT_STREQ(test, name, "stats_dup#2");
	cmwq_test_queue_dname(slash, name, sizeof(name));
	KUNIT_EXPECT_STREQ(test, name, "stats_slash");

	/* a destroyed queue's name is free again */
	cmwq_destroy_workqueue(a);
	c = cmwq_alloc_workqueue("stats_dup", 0, 0);
	KUNIT_ASSERT_NOT_NULL(test, c);
	cmwq_test_queue_dname(c, name, sizeof(name));
	KUNIT_EXPECT_STREQ(test, name, "stats_dup");
	cmwq_destroy_workqueue(c);
	cmwq_destroy_workqueue(b);
	cmwq_destroy_workqueue(slash);
}

/*
 * A new queue takes the lowest index free: with name, name#2 and name#3
 * live, name#2 destroyed goes to the next one; a queue named "name#4"
 * keeps name#4 from the queues named name, which go on at name#5.
 */
static void unique_names_lowest_free(struct kunit *test)
{
	static const char * const want[] = {
		"stats_low", "stats_low#2", "stats_low#3",
	};
	struct cmwq_workqueue *q[ARRAY_SIZE(want)], *lit, *d, *e;
	char name[40];
	int i;

	for (i = 0; i < ARRAY_SIZE(want); i++) {
		q[i] = cmwq_kunit_alloc_wq(test, "stats_low", 0, 0);
		KUNIT_ASSERT_NOT_NULL(test, q[i]);
		cmwq_test_queue_dname(q[i], name, sizeof(name));
		KUNIT_EXPECT_STREQ(test, name, want[i]);
	}
	lit = cmwq_kunit_alloc_wq(test, "stats_low#4", 0, 0);
	KUNIT_ASSERT_NOT_NULL(test, lit);
	cmwq_test_queue_dname(lit, name, sizeof(name));
	KUNIT_EXPECT_STREQ(test, name, "stats_low#4");

	cmwq_kunit_destroy_wq(test, q[1]);
	d = cmwq_kunit_alloc_wq(test, "stats_low", 0, 0);
	KUNIT_ASSERT_NOT_NULL(test, d);
	cmwq_test_queue_dname(d, name, sizeof(name));
	KUNIT_EXPECT_STREQ(test, name, "stats_low#2");
	e = cmwq_kunit_alloc_wq(test, "stats_low", 0, 0);
	KUNIT_ASSERT_NOT_NULL(test, e);
	cmwq_test_queue_dname(e, name, sizeof(name));
	KUNIT_EXPECT_STREQ(test, name, "stats_low#5");
}

/* Nine functions through an eight-slot table: the least run goes. */
#define FN(n)							\
static void fn##n(struct cmwq_work *work)			\
{								\
	count_fn(work);						\
}

FN(0)
FN(1)
FN(2)
FN(3)
FN(4)
FN(5)
FN(6)
FN(7)
FN(8)
#undef FN

static void function_table_eviction(struct kunit *test)
{
	static const cmwq_func_t fns[] = {
		fn0, fn1, fn2, fn3, fn4, fn5, fn6, fn7, fn8,
	};
	struct cmwq_stats_latency *lat;
	struct cmwq_workqueue *wq;
	struct item *it;
	int i, f, runs;

	wq = cmwq_alloc_workqueue("stats_funcs", CMWQ_UNBOUND, 1);
	it = kunit_kzalloc(test, sizeof(*it), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, wq && it);
	cmwq_test_set_timing(wq, true);

	/* fn0 once, fn1..fn7 twice: fn0 is the least run when fn8 comes */
	for (f = 0; f < ARRAY_SIZE(fns); f++) {
		runs = f == 0 || f == 8 ? 1 : 2;
		for (i = 0; i < runs; i++) {
			item_init(it, fns[f]);
			cmwq_queue_work(wq, &it->work);
			KUNIT_ASSERT_COMPLETES(test, &it->done);
			cmwq_flush_workqueue(wq);
		}
	}
	lat = latency(test, wq);
	KUNIT_EXPECT_EQ(test, lat->nr_funcs, CMWQ_STATS_NR_FUNCS);
	KUNIT_EXPECT_EQ(test, lat->evicted, 1ULL);
	KUNIT_EXPECT_EQ(test, lat->run.count, 16ULL);
	for (i = 0; i < lat->nr_funcs; i++) {
		KUNIT_EXPECT_PTR_NE(test, (void *)lat->funcs[i].func, (void *)fn0);
		KUNIT_EXPECT_EQ(test, lat->funcs[i].run.count,
				lat->funcs[i].func == fn8 ? 1ULL : 2ULL);
	}
	/* busiest first: fn8, with one run, is last */
	KUNIT_EXPECT_PTR_EQ(test,
			    (void *)lat->funcs[CMWQ_STATS_NR_FUNCS - 1].func,
			    (void *)fn8);
	cmwq_destroy_workqueue(wq);
}

/* Run one work of count_fn on @wq and wait for it and the queue. */
static void run_one(struct kunit *test, struct cmwq_workqueue *wq,
		    struct item *it)
{
	item_init(it, count_fn);
	cmwq_queue_work(wq, &it->work);
	KUNIT_ASSERT_COMPLETES(test, &it->done);
	cmwq_flush_workqueue(wq);
}

/*
 * The per-CPU area timed works write to is allocated when a switch first
 * times the queue: its own switch, or the global one, for the queues
 * live then and for those made while it is on.
 */
static void timing_area_made_when_switched_on(struct kunit *test)
{
	struct cmwq_workqueue *a, *b, *c;
	struct cmwq_stats_snapshot *s;
	struct item *it;

	a = cmwq_alloc_workqueue("stats_area_a", 0, 1);
	b = cmwq_alloc_workqueue("stats_area_b", 0, 1);
	it = kunit_kzalloc(test, sizeof(*it), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, a && b && it);
	run_one(test, a, it);
	KUNIT_EXPECT_FALSE(test, cmwq_test_has_timing_area(a));
	KUNIT_EXPECT_FALSE(test, cmwq_test_has_timing_area(b));

	KUNIT_EXPECT_EQ(test, cmwq_test_switch_timing(a, true), 0);
	KUNIT_EXPECT_TRUE(test, cmwq_test_has_timing_area(a));
	KUNIT_EXPECT_FALSE(test, cmwq_test_has_timing_area(b));

	KUNIT_EXPECT_EQ(test, cmwq_test_switch_timing(NULL, true), 0);
	KUNIT_EXPECT_TRUE(test, cmwq_test_has_timing_area(b));
	c = cmwq_alloc_workqueue("stats_area_c", 0, 1);
	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_EXPECT_TRUE(test, cmwq_test_has_timing_area(c));
	/* the new queue's first work is timed */
	run_one(test, c, it);
	s = snap(test, c);
	KUNIT_EXPECT_TRUE(test, s->timing);
	KUNIT_EXPECT_EQ(test, s->runs_timed, 1ULL);
	KUNIT_EXPECT_EQ(test, s->waits_timed, 1ULL);

	cmwq_test_switch_timing(NULL, false);
	cmwq_destroy_workqueue(c);
	cmwq_destroy_workqueue(b);
	cmwq_destroy_workqueue(a);
}

/*
 * Switching timing on allocates.  When that fails the switch says so and
 * stays off, and nothing is timed; a queue made while the global switch
 * is on fails to be made rather than be left untimed.
 */
static void timing_switch_fails_without_memory(struct kunit *test)
{
	struct cmwq_stats_snapshot *s;
	struct cmwq_workqueue *wq;
	struct item *it;

	wq = cmwq_alloc_workqueue("stats_area_fail", 0, 1);
	it = kunit_kzalloc(test, sizeof(*it), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, wq && it);

	cmwq_test_fail_stats_allocs(true);
	KUNIT_EXPECT_EQ(test, cmwq_test_switch_timing(wq, true), -ENOMEM);
	KUNIT_EXPECT_EQ(test, cmwq_test_switch_timing(NULL, true), -ENOMEM);
	cmwq_test_fail_stats_allocs(false);
	/* both switches are still off */
	KUNIT_EXPECT_FALSE(test, cmwq_test_set_timing(NULL, false));
	KUNIT_EXPECT_FALSE(test, cmwq_test_set_timing(wq, false));
	run_one(test, wq, it);
	s = snap(test, wq);
	KUNIT_EXPECT_FALSE(test, s->timing);
	KUNIT_EXPECT_EQ(test, s->completed, 1ULL);
	KUNIT_EXPECT_EQ(test, s->runs_timed, 0ULL);

	KUNIT_EXPECT_EQ(test, cmwq_test_switch_timing(NULL, true), 0);
	cmwq_test_fail_stats_allocs(true);
	KUNIT_EXPECT_NULL(test, cmwq_alloc_workqueue("stats_area_none", 0, 1));
	cmwq_test_fail_stats_allocs(false);
	cmwq_test_switch_timing(NULL, false);
	cmwq_destroy_workqueue(wq);
}

/*
 * A queue that is never timed never allocates its function table: the
 * first timed run makes it, and that run is in it.
 */
static void func_table_made_at_first_timed_run(struct kunit *test)
{
	struct cmwq_stats_latency *lat;
	struct cmwq_workqueue *wq;
	struct item *it;
	int i;

	wq = cmwq_alloc_workqueue("stats_table", 0, 1);
	it = kunit_kzalloc(test, sizeof(*it), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, wq && it);

	for (i = 0; i < 3; i++)
		run_one(test, wq, it);
	KUNIT_EXPECT_FALSE(test, cmwq_test_has_func_table(wq));

	cmwq_test_set_timing(wq, true);
	run_one(test, wq, it);
	KUNIT_EXPECT_TRUE(test, cmwq_test_has_func_table(wq));
	lat = latency(test, wq);
	KUNIT_EXPECT_EQ(test, lat->nr_funcs, 1);
	KUNIT_EXPECT_PTR_EQ(test, (void *)lat->funcs[0].func, (void *)count_fn);
	KUNIT_EXPECT_EQ(test, lat->funcs[0].run.count, 1ULL);
	KUNIT_EXPECT_EQ(test, lat->evicted, 0ULL);
	cmwq_destroy_workqueue(wq);
}

/*
 * A timed run whose queue cannot get a table is still timed, and
 * counted in "evicted"; the next timed run tries again.
 */
static void func_table_failure_counted(struct kunit *test)
{
	struct cmwq_stats_latency *lat;
	struct cmwq_workqueue *wq;
	struct item *it;
	int i;

	wq = cmwq_alloc_workqueue("stats_table_fail", 0, 1);
	it = kunit_kzalloc(test, sizeof(*it), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, wq && it);
	cmwq_test_set_timing(wq, true);

	cmwq_test_fail_stats_allocs(true);
	for (i = 0; i < 2; i++)
		run_one(test, wq, it);
	cmwq_test_fail_stats_allocs(false);
	KUNIT_EXPECT_FALSE(test, cmwq_test_has_func_table(wq));
	lat = latency(test, wq);
	KUNIT_EXPECT_EQ(test, lat->nr_funcs, 0);
	KUNIT_EXPECT_EQ(test, lat->evicted, 2ULL);
	KUNIT_EXPECT_EQ(test, lat->run.count, 2ULL);

	run_one(test, wq, it);
	lat = latency(test, wq);
	KUNIT_EXPECT_EQ(test, lat->nr_funcs, 1);
	KUNIT_EXPECT_EQ(test, lat->funcs[0].run.count, 1ULL);
	KUNIT_EXPECT_EQ(test, lat->evicted, 2ULL);
	KUNIT_EXPECT_EQ(test, lat->run.count, 3ULL);
	cmwq_destroy_workqueue(wq);
}

/*
 * Off by default; the global switch turns timing on for every queue.  A
 * work started with timing off is not timed when it returns with timing
 * on: only the works started after the switch are.
 */
static void timing_switches(struct kunit *test)
{
	struct cmwq_stats_snapshot *s;
	struct cmwq_stats_latency *lat;
	struct cmwq_workqueue *wq;
	struct item *it, *blocker;
	int i;

	wq = cmwq_alloc_workqueue("stats_switch", CMWQ_UNBOUND, 1);
	it = kunit_kzalloc(test, sizeof(*it), GFP_KERNEL);
	blocker = kunit_kzalloc(test, sizeof(*blocker), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, wq && it && blocker);
	KUNIT_EXPECT_FALSE(test, cmwq_test_set_timing(wq, false));
	KUNIT_EXPECT_FALSE(test, cmwq_test_set_timing(NULL, false));

	for (i = 0; i < 3; i++) {
		item_init(it, count_fn);
		cmwq_queue_work(wq, &it->work);
		KUNIT_ASSERT_COMPLETES(test, &it->done);
		cmwq_flush_workqueue(wq);
	}
	item_init(blocker, block_fn);
	cmwq_queue_work(wq, &blocker->work);
	KUNIT_ASSERT_COMPLETES(test, &blocker->started);
	lat = latency(test, wq);
	KUNIT_EXPECT_EQ(test, lat->run.count, 0ULL);
	KUNIT_EXPECT_EQ(test, lat->wait.count, 0ULL);
	KUNIT_EXPECT_EQ(test, lat->nr_funcs, 0);
	KUNIT_EXPECT_FALSE(test, snap(test, wq)->timing);

	/* the blocker returns with timing on, after two timed works */
	KUNIT_EXPECT_FALSE(test, cmwq_test_set_timing(NULL, true));
	KUNIT_EXPECT_TRUE(test, snap(test, wq)->timing);
	complete(&blocker->go);
	KUNIT_EXPECT_COMPLETES(test, &blocker->done);
	for (i = 0; i < 2; i++) {
		item_init(it, count_fn);
		cmwq_queue_work(wq, &it->work);
		KUNIT_ASSERT_COMPLETES(test, &it->done);
		cmwq_flush_workqueue(wq);
	}
	KUNIT_EXPECT_TRUE(test, cmwq_test_set_timing(NULL, false));
	lat = latency(test, wq);
	KUNIT_EXPECT_EQ(test, lat->run.count, 2ULL);
	KUNIT_EXPECT_EQ(test, lat->wait.count, 2ULL);
	KUNIT_EXPECT_EQ(test, lat->nr_funcs, 1);
	KUNIT_EXPECT_PTR_EQ(test, (void *)lat->funcs[0].func, (void *)count_fn);
	s = snap(test, wq);
	KUNIT_EXPECT_EQ(test, s->completed, 6ULL);
	KUNIT_EXPECT_GT(test, s->run_total_ns, 0ULL);
	/* two tiny works, not the blocker's whole life nor the uptime */
	KUNIT_EXPECT_LT(test, s->run_max_ns, (u64)NSEC_PER_SEC);
	KUNIT_EXPECT_EQ(test, s->run_max_ns, lat->run.max_ns);
	cmwq_destroy_workqueue(wq);
}

static bool pool_stuck(int cpu, unsigned long failed_before)
{
	struct cmwq_test_pool_stats ps;

	cmwq_test_pool_stats(cpu, false, &ps);
	return ps.managing && ps.nr_create_failed > failed_before &&
	       ps.nr_running == 0;
}

/*
 * Every worker of a pool blocked and creation failing (as in
 * cmwq_rescuer): the reclaim queue's three works are rescued, and it
 * received maydays.  Cleans up even when an expectation fails.
 */
static void rescued_and_maydays(struct kunit *test)
{
	int cpu = cpumask_last(cpu_online_mask), nr, i;
	struct cmwq_workqueue *blockq, *reclaim;
	struct cmwq_test_pool_stats ps;
	struct cmwq_stats_snapshot *s;
	struct item *blockers, *it;

	if (cmwq_test_fail_create_worker(true))
		kunit_skip(test, "no fault injection in this kernel");
	cmwq_test_fail_create_worker(false);
	blockq = cmwq_alloc_workqueue("stats_blockers", 0, 0);
	reclaim = cmwq_alloc_workqueue("stats_reclaim", CMWQ_MEM_RECLAIM, 0);
	blockers = kunit_kcalloc(test, 64, sizeof(*blockers), GFP_KERNEL);
	it = kunit_kcalloc(test, 3, sizeof(*it), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, blockq && reclaim && blockers && it);

	cmwq_test_pool_stats(cpu, false, &ps);
	nr = min(ps.nr_workers + 1, 64);
	cmwq_test_fail_create_worker(true);
	for (i = 0; i < nr; i++) {
		item_init(&blockers[i], block_fn);
		cmwq_queue_work_on(cpu, blockq, &blockers[i].work);
	}
	KUNIT_EXPECT_TRUE(test, cmwq_poll(pool_stuck(cpu, ps.nr_create_failed),
					  CMWQ_KUNIT_TIMEOUT));
	for (i = 0; i < 3; i++) {
		item_init(&it[i], count_fn);
		cmwq_queue_work_on(cpu, reclaim, &it[i].work);
	}
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_COMPLETES(test, &it[i].done);
	s = snap(test, reclaim);
	KUNIT_EXPECT_EQ(test, s->rescued, 3ULL);
	KUNIT_EXPECT_GE(test, s->maydays, 1ULL);
	KUNIT_EXPECT_EQ(test, snap(test, blockq)->rescued, 0ULL);

	cmwq_test_fail_create_worker(false);
	for (i = 0; i < nr; i++)
		complete(&blockers[i].go);
	for (i = 0; i < nr; i++)
		KUNIT_EXPECT_COMPLETES(test, &blockers[i].done);
	cmwq_destroy_workqueue(reclaim);
	cmwq_destroy_workqueue(blockq);
}

static struct kunit_case cmwq_stats_cases[] = {
	KUNIT_CASE(counts_queued_started_completed),
	KUNIT_CASE(pending_active_cancelled),
	KUNIT_CASE(run_and_wait_times),
	KUNIT_CASE(waits_sampled_one_per_cwq),
	KUNIT_CASE(wait_sample_cancelled),
	KUNIT_CASE(flushes_counted),
	KUNIT_CASE(pool_oldest_wait),
	KUNIT_CASE(queue_dir_made_later),
	KUNIT_CASE(unique_names),
	KUNIT_CASE(unique_names_lowest_free),
	KUNIT_CASE(function_table_eviction),
	KUNIT_CASE(timing_area_made_when_switched_on),
	KUNIT_CASE(timing_switch_fails_without_memory),
	KUNIT_CASE(func_table_made_at_first_timed_run),
	KUNIT_CASE(func_table_failure_counted),
	KUNIT_CASE(timing_switches),
	KUNIT_CASE(rescued_and_maydays),
	{}
};

static bool saved_timing;
static unsigned int saved_hog_thresh;

/*
 * Every case starts with the global switch off, whatever it was, and
 * CPU-hog detection off, so that a CPU-bound work holds back its CPU.
 */
static int cmwq_stats_init(struct kunit *test)
{
	saved_timing = cmwq_test_set_timing(NULL, false);
	saved_hog_thresh = cmwq_test_set_hog_thresh(0);
	return 0;
}

static void cmwq_stats_exit(struct kunit *test)
{
	cmwq_test_set_timing(NULL, saved_timing);
	cmwq_test_set_hog_thresh(saved_hog_thresh);
	/* a case stopped half-way leaves no allocation failing */
	cmwq_test_fail_stats_allocs(false);
}

static struct kunit_suite cmwq_stats_suite = {
	.name = "cmwq_stats",
	.init = cmwq_stats_init,
	.exit = cmwq_stats_exit,
	.test_cases = cmwq_stats_cases,
};

kunit_test_suites(&cmwq_stats_suite);

MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_DESCRIPTION("KUnit tests of cmwq's per-queue statistics");
