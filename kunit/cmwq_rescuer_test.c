// SPDX-License-Identifier: GPL-2.0
/*
 * cmwq_rescuer_test.c - KUnit: forward progress through rescuers
 *
 * Worker creation is made to fail through the fail_create_worker fault
 * attribute, and every worker of a pool is blocked; the pool's manager
 * then keeps failing, its mayday timer summons the rescuers, and works of
 * CMWQ_MEM_RECLAIM queues must complete (on the pool's CPU, run by their
 * queue's rescuer) while other works wait until creation works again.
 * The suite's exit hook stops the fault injection and lifts the blockade
 * whatever happened in the case.
 */
#include <kunit/test.h>
#include <linux/kthread.h>
#include <linux/smp.h>
#include <linux/string.h>

#include "cmwq_kunit.h"

#define NR_RESCUE	4

struct rescue_item {
	struct cmwq_work	work;
	struct completion	done;
	struct completion	*release;
	atomic_t		*started;
	atomic_t		runs;
	int			cpu;
	bool			released;
	char			comm[TASK_COMM_LEN];
};

static void rescue_item_init(struct rescue_item *it, cmwq_func_t fn)
{
	memset(it, 0, sizeof(*it));
	CMWQ_INIT_WORK(&it->work, fn);
	init_completion(&it->done);
}

static void record_fn(struct cmwq_work *work)
{
	struct rescue_item *it = container_of(work, struct rescue_item, work);

	it->cpu = raw_smp_processor_id();
	get_task_comm(it->comm, current);
	atomic_inc(&it->runs);
	/* for good: a case and the blockade's lift may both wait for it */
	complete_all(&it->done);
}

static void blocker_fn(struct cmwq_work *work)
{
	struct rescue_item *it = container_of(work, struct rescue_item, work);

	atomic_inc(it->started);
	it->released = wait_for_completion_timeout(it->release,
						   3 * CMWQ_KUNIT_TIMEOUT);
	record_fn(work);
}

/*
 * The pools a case blocked and the blockers that block them; and a work
 * a case holds apart from them (released with them at the latest).
 */
struct blockade {
	struct cmwq_workqueue	*wq;
	struct rescue_item	*blockers;
	int			nr;
	struct completion	release;
	atomic_t		started;
	struct completion	release_held;
	atomic_t		held_started;
};

static bool pool_stuck(int cpu, unsigned long failed_before)
{
	struct cmwq_test_pool_stats st;

	cmwq_test_pool_stats(cpu, false, &st);
	return st.managing && st.nr_create_failed > failed_before &&
	       st.nr_running == 0;
}

/*
 * Make creation fail and occupy every worker of @cpu's normal pool: all
 * but the manager run blockers, the manager keeps failing to create more.
 */
static void block_pool(struct kunit *test, struct blockade *b, int cpu)
{
	struct cmwq_test_pool_stats st;
	int i, first = b->nr;

	cmwq_test_pool_stats(cpu, false, &st);
	b->nr += st.nr_workers + 1;
	for (i = first; i < b->nr; i++) {
		rescue_item_init(&b->blockers[i], blocker_fn);
		b->blockers[i].release = &b->release;
		b->blockers[i].started = &b->started;
		cmwq_queue_work_on(cpu, b->wq, &b->blockers[i].work);
	}
	KUNIT_EXPECT_TRUE(test, cmwq_poll(pool_stuck(cpu, st.nr_create_failed),
					  CMWQ_KUNIT_TIMEOUT));
}

/*
 * The case's blockade is the suite's test->priv, so that the exit hook
 * lifts it and stops the fault injection even after a failed assertion.
 */
static struct blockade *blockade_init(struct kunit *test)
{
	struct blockade *b = test->priv;

	if (cmwq_test_fail_create_worker(true))
		kunit_skip(test, "no fault injection in this kernel");
	b->wq = cmwq_kunit_alloc_wq(test, "rescue_block", 0, 0);
	KUNIT_ASSERT_NOT_NULL(test, b->wq);
	return b;
}

static void blockade_lift(struct kunit *test, struct blockade *b)
{
	int i;

	cmwq_test_fail_create_worker(false);
	complete_all(&b->release_held);
	if (!b->wq)
		return;
	complete_all(&b->release);
	for (i = 0; i < b->nr; i++)
		KUNIT_EXPECT_COMPLETES(test, &b->blockers[i].done);
}

static int rescuer_test_init(struct kunit *test)
{
	struct blockade *b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);

	if (!b)
		return -ENOMEM;
	b->blockers = kunit_kcalloc(test, 64, sizeof(*b->blockers),
				    GFP_KERNEL);
	if (!b->blockers)
		return -ENOMEM;
	init_completion(&b->release);
	atomic_set(&b->started, 0);
	init_completion(&b->release_held);
	atomic_set(&b->held_started, 0);
	test->priv = b;
	return 0;
}

/* Whatever happened in the case, worker creation works again after it. */
static void rescuer_test_exit(struct kunit *test)
{
	blockade_lift(test, test->priv);
}

static bool no_mayday_timer_armed(void)
{
	struct cmwq_test_pool_stats st;
	int cpu, pri;

	for (pri = 0; pri < 2; pri++) {
		for_each_online_cpu(cpu) {
			cmwq_test_pool_stats(cpu, pri, &st);
			if (st.mayday_timer_armed)
				return false;
		}
		cmwq_test_pool_stats(CMWQ_CPU_UNBOUND, pri, &st);
		if (st.mayday_timer_armed)
			return false;
	}
	return true;
}

static void expect_rescued(struct kunit *test, struct rescue_item *it,
			   struct cmwq_workqueue *wq, int cpu)
{
	struct cmwq_test_wq_stats ws;

	cmwq_test_wq_stats(wq, &ws);
	KUNIT_EXPECT_COMPLETES(test, &it->done);
	KUNIT_EXPECT_EQ(test, atomic_read(&it->runs), 1);
	KUNIT_EXPECT_EQ(test, it->cpu, cpu);
	KUNIT_ASSERT_NOT_NULL(test, ws.rescuer);
	KUNIT_EXPECT_STREQ(test, it->comm, ws.rescuer->comm);
}

/* NR_RESCUE works each of a reclaim and a plain queue on a blocked pool */
struct rescue_run {
	struct cmwq_workqueue	*reclaim, *plain;
	struct rescue_item	*r, *n;
	struct cmwq_test_pool_stats before;
	int			cpu;
};

static struct rescue_run *block_and_queue(struct kunit *test)
{
	struct rescue_run *run = kunit_kzalloc(test, sizeof(*run), GFP_KERNEL);
	struct blockade *b;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, run);
	run->cpu = cpumask_last(cpu_online_mask);
	run->r = kunit_kcalloc(test, NR_RESCUE, sizeof(*run->r), GFP_KERNEL);
	run->n = kunit_kcalloc(test, NR_RESCUE, sizeof(*run->n), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, run->r);
	KUNIT_ASSERT_NOT_NULL(test, run->n);
	b = blockade_init(test);
	run->reclaim = cmwq_kunit_alloc_wq(test, "rescue_reclaim",
					   CMWQ_MEM_RECLAIM, 0);
	KUNIT_ASSERT_NOT_NULL(test, run->reclaim);
	run->plain = cmwq_kunit_alloc_wq(test, "rescue_plain", 0, 0);
	KUNIT_ASSERT_NOT_NULL(test, run->plain);
	cmwq_test_pool_stats(run->cpu, false, &run->before);

	block_pool(test, b, run->cpu);
	for (i = 0; i < NR_RESCUE; i++) {
		rescue_item_init(&run->r[i], record_fn);
		rescue_item_init(&run->n[i], record_fn);
		cmwq_queue_work_on(run->cpu, run->plain, &run->n[i].work);
		cmwq_queue_work_on(run->cpu, run->reclaim, &run->r[i].work);
	}
	return run;
}

/*
 * With creation failing and the pool blocked, reclaim works are rescued
 * on the pool's CPU, after maydays to their queue.
 */
static void reclaim_works_rescued(struct kunit *test)
{
	struct rescue_run *run = block_and_queue(test);
	struct cmwq_test_pool_stats after;
	struct cmwq_test_wq_stats ws;
	int i;

	for (i = 0; i < NR_RESCUE; i++)
		expect_rescued(test, &run->r[i], run->reclaim, run->cpu);
	cmwq_test_wq_stats(run->reclaim, &ws);
	KUNIT_EXPECT_EQ(test, ws.nr_rescued, (unsigned long)NR_RESCUE);
	KUNIT_EXPECT_GE(test, ws.nr_maydays, 1UL);
	cmwq_test_pool_stats(run->cpu, false, &after);
	KUNIT_EXPECT_GE(test, after.nr_maydays - run->before.nr_maydays,
			ws.nr_maydays);
	KUNIT_EXPECT_GT(test, after.nr_create_failed,
			run->before.nr_create_failed);
}

/*
 * Meanwhile a plain queue's works wait, unrescued, and run once creation
 * works again; no mayday timer is left armed after.
 */
static void plain_works_wait_for_creation(struct kunit *test)
{
	struct rescue_run *run = block_and_queue(test);
	struct blockade *b = test->priv;
	struct cmwq_test_wq_stats ws;
	int i;

	/* the rescue had its chance: the reclaim works are done */
	for (i = 0; i < NR_RESCUE; i++)
		KUNIT_ASSERT_COMPLETES(test, &run->r[i].done);
	for (i = 0; i < NR_RESCUE; i++)
		KUNIT_EXPECT_EQ(test, atomic_read(&run->n[i].runs), 0);
	cmwq_test_wq_stats(run->plain, &ws);
	KUNIT_EXPECT_NULL(test, ws.rescuer);
	KUNIT_EXPECT_EQ(test, ws.nr_rescued, 0UL);

	blockade_lift(test, b);
	for (i = 0; i < NR_RESCUE; i++) {
		KUNIT_EXPECT_COMPLETES(test, &run->n[i].done);
		KUNIT_EXPECT_EQ(test, atomic_read(&run->n[i].runs), 1);
	}
	cmwq_kunit_destroy_wq(test, run->plain);
	cmwq_kunit_destroy_wq(test, run->reclaim);
	cmwq_kunit_destroy_wq(test, b->wq);
	KUNIT_EXPECT_TRUE(test, cmwq_poll(no_mayday_timer_armed(),
					  CMWQ_KUNIT_TIMEOUT));
}

/* One rescuer serves two blocked CPUs at once, each on its own CPU. */
static void rescuer_serves_several_cpus(struct kunit *test)
{
	int cpus[2] = { cpumask_first(cpu_online_mask),
			cpumask_last(cpu_online_mask) };
	struct cmwq_workqueue *reclaim;
	struct rescue_item *r;
	struct blockade *b;
	int i;

	KUNIT_ASSERT_NE(test, cpus[0], cpus[1]);
	r = kunit_kcalloc(test, 2 * NR_RESCUE, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	b = blockade_init(test);
	reclaim = cmwq_kunit_alloc_wq(test, "rescue_multi", CMWQ_MEM_RECLAIM, 0);
	KUNIT_ASSERT_NOT_NULL(test, reclaim);

	block_pool(test, b, cpus[0]);
	block_pool(test, b, cpus[1]);
	for (i = 0; i < 2 * NR_RESCUE; i++) {
		rescue_item_init(&r[i], record_fn);
		cmwq_queue_work_on(cpus[i % 2], reclaim, &r[i].work);
	}
	for (i = 0; i < 2 * NR_RESCUE; i++)
		expect_rescued(test, &r[i], reclaim, cpus[i % 2]);

	blockade_lift(test, b);
	cmwq_kunit_destroy_wq(test, reclaim);
	cmwq_kunit_destroy_wq(test, b->wq);
	KUNIT_EXPECT_TRUE(test, cmwq_poll(no_mayday_timer_armed(),
					  CMWQ_KUNIT_TIMEOUT));
}

struct destroyer {
	struct cmwq_workqueue	*wq;
	struct completion	done;
};

static int destroyer_fn(void *arg)
{
	struct destroyer *d = arg;

	cmwq_destroy_workqueue(d->wq);
	complete_all(&d->done);
	return 0;
}

static unsigned long wq_maydays(struct cmwq_workqueue *wq)
{
	struct cmwq_test_wq_stats ws;

	cmwq_test_wq_stats(wq, &ws);
	return ws.nr_maydays;
}

/*
 * A reclaim queue destroyed while a mayday for its works is pending (its
 * rescuer busy with another of its works, held) waits until the rescuer
 * has run them all, each once, on the pool's CPU.
 */
static void destroy_with_maydays_pending(struct kunit *test)
{
	int cpu = cpumask_last(cpu_online_mask), i;
	struct cmwq_test_pool_stats st;
	unsigned long maydays;
	struct rescue_item *r, *hold;
	struct task_struct *task;
	struct destroyer *d;
	struct blockade *b;

	d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);
	r = kunit_kcalloc(test, NR_RESCUE + 1, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, d);
	KUNIT_ASSERT_NOT_NULL(test, r);
	b = blockade_init(test);
	d->wq = cmwq_kunit_alloc_wq(test, "rescue_dying", CMWQ_MEM_RECLAIM, 0);
	KUNIT_ASSERT_NOT_NULL(test, d->wq);
	init_completion(&d->done);
	hold = &r[NR_RESCUE];

	/* the rescuer comes for a first work and is held in it */
	block_pool(test, b, cpu);
	rescue_item_init(hold, blocker_fn);
	hold->release = &b->release_held;
	hold->started = &b->held_started;
	cmwq_queue_work_on(cpu, d->wq, &hold->work);
	KUNIT_ASSERT_TRUE(test, cmwq_poll(atomic_read(&b->held_started),
					  CMWQ_KUNIT_TIMEOUT));
	maydays = wq_maydays(d->wq);
	KUNIT_EXPECT_GE(test, maydays, 1UL);

	/* the pool calls it again for the next works: that call waits */
	for (i = 0; i < NR_RESCUE; i++) {
		rescue_item_init(&r[i], record_fn);
		cmwq_queue_work_on(cpu, d->wq, &r[i].work);
	}
	KUNIT_EXPECT_TRUE(test, cmwq_poll(wq_maydays(d->wq) > maydays,
					  CMWQ_KUNIT_TIMEOUT));
	cmwq_test_pool_stats(cpu, false, &st);
	KUNIT_EXPECT_TRUE(test, st.mayday_timer_armed);
	for (i = 0; i < NR_RESCUE; i++)
		KUNIT_EXPECT_EQ(test, atomic_read(&r[i].runs), 0);

	/* destroyed with that mayday pending: it waits for the rescue */
	task = kthread_run(destroyer_fn, d, "cmwq_rescue_destroy");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	cmwq_kunit_hand_over_wq(test, d->wq);
	KUNIT_EXPECT_EQ_MSG(test, wait_for_completion_timeout(&d->done, HZ / 5),
			    0UL, "destroyed with works awaiting rescue");
	complete_all(&b->release_held);
	KUNIT_EXPECT_COMPLETES(test, &d->done);
	KUNIT_EXPECT_TRUE(test, hold->released);
	for (i = 0; i <= NR_RESCUE; i++) {
		KUNIT_EXPECT_COMPLETES(test, &r[i].done);
		KUNIT_EXPECT_EQ(test, atomic_read(&r[i].runs), 1);
		KUNIT_EXPECT_EQ(test, r[i].cpu, cpu);
		KUNIT_EXPECT_STREQ(test, r[i].comm, "rescue_dying");
	}
	blockade_lift(test, b);
}

static void release_fn(struct cmwq_work *work)
{
	struct rescue_item *it = container_of(work, struct rescue_item, work);

	complete_all(it->release);
	record_fn(work);
}

/*
 * Every worker of a pool asleep on an event only a reclaim queue's work
 * delivers, and no worker can be created: the rescuer delivers it.
 */
static void blocked_pool_makes_progress(struct kunit *test)
{
	int cpu = cpumask_first(cpu_online_mask), i;
	struct cmwq_workqueue *reclaim;
	struct rescue_item *deliver;
	struct blockade *b;

	deliver = kunit_kzalloc(test, sizeof(*deliver), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, deliver);
	b = blockade_init(test);
	reclaim = cmwq_kunit_alloc_wq(test, "progress_reclaim",
				      CMWQ_MEM_RECLAIM, 0);
	KUNIT_ASSERT_NOT_NULL(test, reclaim);

	/* the blockers wait for b->release: the delivery */
	block_pool(test, b, cpu);
	rescue_item_init(deliver, release_fn);
	deliver->release = &b->release;
	cmwq_queue_work_on(cpu, reclaim, &deliver->work);

	expect_rescued(test, deliver, reclaim, cpu);
	for (i = 0; i < b->nr; i++) {
		KUNIT_EXPECT_COMPLETES(test, &b->blockers[i].done);
		KUNIT_EXPECT_TRUE(test, b->blockers[i].released);
	}
	blockade_lift(test, b);
}

struct queue_pair {
	struct cmwq_workqueue	*wq;
	struct cmwq_work	*first, *second;
};

/* On the pool's CPU, interrupts off: no mayday timer between the two. */
static void queue_pair_fn(void *arg)
{
	struct queue_pair *qp = arg;
	int cpu = smp_processor_id();

	cmwq_queue_work_on(cpu, qp->wq, qp->first);
	cmwq_queue_work_on(cpu, qp->wq, qp->second);
}

/*
 * The rescuer takes one work per call: held in a reclaim work, it leaves
 * the queue's next work on the pool's worklist, where a worker of the
 * pool that frees up runs it, before the held one ends.  (Taking all of
 * the queue's works at once would keep the second behind the first.)
 */
static void rescuer_leaves_the_rest_to_the_pool(struct kunit *test)
{
	int cpu = cpumask_last(cpu_online_mask);
	struct cmwq_test_wq_stats ws;
	struct rescue_item *hold, *next;
	struct queue_pair qp;
	struct blockade *b;

	hold = kunit_kzalloc(test, sizeof(*hold), GFP_KERNEL);
	next = kunit_kzalloc(test, sizeof(*next), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, hold);
	KUNIT_ASSERT_NOT_NULL(test, next);
	b = blockade_init(test);
	qp.wq = cmwq_kunit_alloc_wq(test, "rescue_one", CMWQ_MEM_RECLAIM, 0);
	KUNIT_ASSERT_NOT_NULL(test, qp.wq);

	block_pool(test, b, cpu);
	rescue_item_init(hold, blocker_fn);
	hold->release = &b->release_held;
	hold->started = &b->held_started;
	rescue_item_init(next, record_fn);
	qp.first = &hold->work;
	qp.second = &next->work;
	KUNIT_ASSERT_EQ(test, smp_call_function_single(cpu, queue_pair_fn,
						       &qp, true), 0);
	KUNIT_ASSERT_TRUE(test, cmwq_poll(atomic_read(&b->held_started),
					  CMWQ_KUNIT_TIMEOUT));

	/* the pool's workers free up while creation still fails */
	complete_all(&b->release);
	KUNIT_EXPECT_COMPLETES(test, &next->done);
	KUNIT_EXPECT_EQ(test, atomic_read(&hold->runs), 0);
	KUNIT_EXPECT_STRNEQ(test, next->comm, "rescue_one");
	KUNIT_EXPECT_EQ(test, next->cpu, cpu);

	complete_all(&b->release_held);
	KUNIT_EXPECT_COMPLETES(test, &hold->done);
	KUNIT_EXPECT_STREQ(test, hold->comm, "rescue_one");
	cmwq_test_wq_stats(qp.wq, &ws);
	KUNIT_EXPECT_EQ(test, ws.nr_rescued, 1UL);
	blockade_lift(test, b);
	cmwq_kunit_destroy_wq(test, qp.wq);
	cmwq_kunit_destroy_wq(test, b->wq);
}

/* A reclaim queue has a rescuer named after it; others have none. */
static void rescuer_named_after_queue(struct kunit *test)
{
	struct cmwq_workqueue *wq = cmwq_kunit_alloc_wq(test, "rescue_name%d",
							CMWQ_MEM_RECLAIM, 0,
							7);
	struct cmwq_test_wq_stats ws;

	KUNIT_ASSERT_NOT_NULL(test, wq);
	cmwq_test_wq_stats(wq, &ws);
	KUNIT_ASSERT_NOT_NULL(test, ws.rescuer);
	KUNIT_EXPECT_STREQ(test, ws.rescuer->comm, "rescue_name7");
	cmwq_kunit_destroy_wq(test, wq);
	KUNIT_EXPECT_TRUE(test, no_mayday_timer_armed());
}

static struct kunit_case cmwq_rescuer_cases[] = {
	KUNIT_CASE(rescuer_named_after_queue),
	KUNIT_CASE(reclaim_works_rescued),
	KUNIT_CASE(plain_works_wait_for_creation),
	KUNIT_CASE(rescuer_serves_several_cpus),
	KUNIT_CASE(destroy_with_maydays_pending),
	KUNIT_CASE(blocked_pool_makes_progress),
	KUNIT_CASE(rescuer_leaves_the_rest_to_the_pool),
	{}
};

static struct kunit_suite cmwq_rescuer_suite = {
	.name = "cmwq_rescuer",
	.init = rescuer_test_init,
	.exit = rescuer_test_exit,
	.test_cases = cmwq_rescuer_cases,
};

kunit_test_suites(&cmwq_rescuer_suite);

MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_DESCRIPTION("KUnit tests of cmwq's rescuers and mayday timers");
