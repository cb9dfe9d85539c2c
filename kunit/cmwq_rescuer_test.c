// SPDX-License-Identifier: GPL-2.0
/*
 * cmwq_rescuer_test.c - KUnit: forward progress through rescuers
 *
 * Worker creation is made to fail through the fail_create_worker fault
 * attribute, and every worker of a pool is blocked; the pool's manager
 * then keeps failing, its mayday timer summons the rescuers, and works of
 * CMWQ_MEM_RECLAIM queues must complete (on the pool's CPU, run by their
 * queue's rescuer) while other works wait until creation works again.
 */
#include <kunit/test.h>
#include <linux/kthread.h>
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
	complete(&it->done);
}

static void blocker_fn(struct cmwq_work *work)
{
	struct rescue_item *it = container_of(work, struct rescue_item, work);

	atomic_inc(it->started);
	wait_for_completion_timeout(it->release, 3 * CMWQ_KUNIT_TIMEOUT);
	record_fn(work);
}

/* The pools a case blocked and the blockers that block them. */
struct blockade {
	struct cmwq_workqueue	*wq;
	struct rescue_item	*blockers;
	int			nr;
	struct completion	release;
	atomic_t		started;
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

static int blockade_init(struct kunit *test, struct blockade *b)
{
	if (cmwq_test_fail_create_worker(true))
		return -EOPNOTSUPP;
	b->wq = cmwq_alloc_workqueue("rescue_block", 0, 0);
	b->blockers = kunit_kcalloc(test, 64, sizeof(*b->blockers), GFP_KERNEL);
	init_completion(&b->release);
	atomic_set(&b->started, 0);
	return b->wq && b->blockers ? 0 : -ENOMEM;
}

static void blockade_lift(struct kunit *test, struct blockade *b)
{
	int i;

	cmwq_test_fail_create_worker(false);
	complete_all(&b->release);
	for (i = 0; i < b->nr; i++)
		KUNIT_EXPECT_COMPLETES(test, &b->blockers[i].done);
	cmwq_destroy_workqueue(b->wq);
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

/*
 * With creation failing and the pool blocked, reclaim works are rescued
 * on the pool's CPU; other works wait and run once creation works again.
 */
static void reclaim_works_rescued(struct kunit *test)
{
	struct cmwq_test_pool_stats before, after;
	struct cmwq_workqueue *reclaim, *plain;
	struct rescue_item *r, *n;
	struct cmwq_test_wq_stats ws;
	struct blockade b = {};
	int cpu = cpumask_last(cpu_online_mask), i;

	if (blockade_init(test, &b) == -EOPNOTSUPP)
		kunit_skip(test, "no fault injection in this kernel");
	KUNIT_ASSERT_NOT_NULL(test, b.wq);
	reclaim = cmwq_alloc_workqueue("rescue_reclaim", CMWQ_MEM_RECLAIM, 0);
	plain = cmwq_alloc_workqueue("rescue_plain", 0, 0);
	r = kunit_kcalloc(test, NR_RESCUE, sizeof(*r), GFP_KERNEL);
	n = kunit_kcalloc(test, NR_RESCUE, sizeof(*n), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, reclaim && plain && r && n);
	cmwq_test_pool_stats(cpu, false, &before);

	block_pool(test, &b, cpu);
	for (i = 0; i < NR_RESCUE; i++) {
		rescue_item_init(&r[i], record_fn);
		rescue_item_init(&n[i], record_fn);
		cmwq_queue_work_on(cpu, plain, &n[i].work);
		cmwq_queue_work_on(cpu, reclaim, &r[i].work);
	}
	for (i = 0; i < NR_RESCUE; i++)
		expect_rescued(test, &r[i], reclaim, cpu);
	for (i = 0; i < NR_RESCUE; i++)
		KUNIT_EXPECT_EQ(test, atomic_read(&n[i].runs), 0);

	cmwq_test_wq_stats(reclaim, &ws);
	KUNIT_EXPECT_EQ(test, ws.nr_rescued, (unsigned long)NR_RESCUE);
	KUNIT_EXPECT_GE(test, ws.nr_maydays, 1UL);
	cmwq_test_pool_stats(cpu, false, &after);
	KUNIT_EXPECT_GE(test, after.nr_maydays - before.nr_maydays,
			ws.nr_maydays);
	KUNIT_EXPECT_GT(test, after.nr_create_failed, before.nr_create_failed);
	cmwq_test_wq_stats(plain, &ws);
	KUNIT_EXPECT_NULL(test, ws.rescuer);
	KUNIT_EXPECT_EQ(test, ws.nr_rescued, 0UL);

	blockade_lift(test, &b);
	for (i = 0; i < NR_RESCUE; i++) {
		KUNIT_EXPECT_COMPLETES(test, &n[i].done);
		KUNIT_EXPECT_EQ(test, atomic_read(&n[i].runs), 1);
	}
	cmwq_destroy_workqueue(plain);
	cmwq_destroy_workqueue(reclaim);
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
	struct blockade b = {};
	int i;

	if (blockade_init(test, &b) == -EOPNOTSUPP)
		kunit_skip(test, "no fault injection in this kernel");
	KUNIT_ASSERT_NE(test, cpus[0], cpus[1]);
	reclaim = cmwq_alloc_workqueue("rescue_multi", CMWQ_MEM_RECLAIM, 0);
	r = kunit_kcalloc(test, 2 * NR_RESCUE, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, reclaim && r);

	block_pool(test, &b, cpus[0]);
	block_pool(test, &b, cpus[1]);
	for (i = 0; i < 2 * NR_RESCUE; i++) {
		rescue_item_init(&r[i], record_fn);
		cmwq_queue_work_on(cpus[i % 2], reclaim, &r[i].work);
	}
	for (i = 0; i < 2 * NR_RESCUE; i++)
		expect_rescued(test, &r[i], reclaim, cpus[i % 2]);

	blockade_lift(test, &b);
	cmwq_destroy_workqueue(reclaim);
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
	complete(&d->done);
	return 0;
}

/* A reclaim queue destroyed while its works await rescue drains first. */
static void destroy_with_maydays_pending(struct kunit *test)
{
	int cpu = cpumask_last(cpu_online_mask), i;
	struct destroyer *d;
	struct rescue_item *r;
	struct blockade b = {};

	if (blockade_init(test, &b) == -EOPNOTSUPP)
		kunit_skip(test, "no fault injection in this kernel");
	d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);
	r = kunit_kcalloc(test, NR_RESCUE, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, d && r);
	d->wq = cmwq_alloc_workqueue("rescue_dying", CMWQ_MEM_RECLAIM, 0);
	KUNIT_ASSERT_NOT_NULL(test, d->wq);
	init_completion(&d->done);

	block_pool(test, &b, cpu);
	for (i = 0; i < NR_RESCUE; i++) {
		rescue_item_init(&r[i], record_fn);
		cmwq_queue_work_on(cpu, d->wq, &r[i].work);
	}
	KUNIT_ASSERT_FALSE(test, IS_ERR(kthread_run(destroyer_fn, d,
						    "cmwq_rescue_destroy")));
	KUNIT_EXPECT_COMPLETES(test, &d->done);
	for (i = 0; i < NR_RESCUE; i++) {
		KUNIT_EXPECT_COMPLETES(test, &r[i].done);
		KUNIT_EXPECT_EQ(test, atomic_read(&r[i].runs), 1);
	}
	blockade_lift(test, &b);
}

struct event_item {
	struct cmwq_work	work;
	struct completion	*event;
	struct completion	done;
	bool			got_event;
};

static void wait_event_fn(struct cmwq_work *work)
{
	struct event_item *it = container_of(work, struct event_item, work);

	it->got_event = wait_for_completion_timeout(it->event,
						    CMWQ_KUNIT_TIMEOUT);
	complete(&it->done);
}

static void deliver_event_fn(struct cmwq_work *work)
{
	struct event_item *it = container_of(work, struct event_item, work);

	complete_all(it->event);
	complete(&it->done);
}

/*
 * Every worker of a pool asleep on an event only a reclaim queue's work
 * delivers, without any fault injected: the delivery still comes.
 */
static void blocked_pool_makes_progress(struct kunit *test)
{
	enum { NR_WAITERS = 8 };
	int cpu = cpumask_first(cpu_online_mask), i;
	struct cmwq_workqueue *wq, *reclaim;
	struct event_item *items;
	struct completion event;

	wq = cmwq_alloc_workqueue("progress_wait", 0, 0);
	reclaim = cmwq_alloc_workqueue("progress_reclaim", CMWQ_MEM_RECLAIM, 0);
	items = kunit_kcalloc(test, NR_WAITERS + 1, sizeof(*items), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, wq && reclaim && items);
	init_completion(&event);

	for (i = 0; i <= NR_WAITERS; i++) {
		CMWQ_INIT_WORK(&items[i].work, i < NR_WAITERS ? wait_event_fn :
							      deliver_event_fn);
		items[i].event = &event;
		init_completion(&items[i].done);
	}
	for (i = 0; i < NR_WAITERS; i++)
		cmwq_queue_work_on(cpu, wq, &items[i].work);
	cmwq_queue_work_on(cpu, reclaim, &items[NR_WAITERS].work);

	for (i = 0; i <= NR_WAITERS; i++)
		KUNIT_EXPECT_COMPLETES(test, &items[i].done);
	for (i = 0; i < NR_WAITERS; i++)
		KUNIT_EXPECT_TRUE(test, items[i].got_event);
	cmwq_destroy_workqueue(reclaim);
	cmwq_destroy_workqueue(wq);
}

/* A reclaim queue has a rescuer named after it; others have none. */
static void rescuer_named_after_queue(struct kunit *test)
{
	struct cmwq_workqueue *wq = cmwq_alloc_workqueue("rescue_name%d",
							 CMWQ_MEM_RECLAIM, 0,
							 7);
	struct cmwq_test_wq_stats ws;

	KUNIT_ASSERT_NOT_NULL(test, wq);
	cmwq_test_wq_stats(wq, &ws);
	KUNIT_ASSERT_NOT_NULL(test, ws.rescuer);
	KUNIT_EXPECT_STREQ(test, ws.rescuer->comm, "rescue_name7");
	cmwq_destroy_workqueue(wq);
	KUNIT_EXPECT_TRUE(test, no_mayday_timer_armed());
}

static struct kunit_case cmwq_rescuer_cases[] = {
	KUNIT_CASE(rescuer_named_after_queue),
	KUNIT_CASE(reclaim_works_rescued),
	KUNIT_CASE(rescuer_serves_several_cpus),
	KUNIT_CASE(destroy_with_maydays_pending),
	KUNIT_CASE(blocked_pool_makes_progress),
	{}
};

static struct kunit_suite cmwq_rescuer_suite = {
	.name = "cmwq_rescuer",
	.test_cases = cmwq_rescuer_cases,
};

kunit_test_suites(&cmwq_rescuer_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests of cmwq's rescuers and mayday timers");
