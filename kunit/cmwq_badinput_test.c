// SPDX-License-Identifier: GPL-2.0
/*
 * cmwq_badinput_test.c - KUnit: bad input gets a refusal, never a crash
 *
 * Each case announces the refusal it provokes (so cmwq logs it at info
 * level instead of warning), makes the bad call, and checks both the
 * documented outcome and that exactly one refusal was counted.  That the
 * unannounced refusals do WARN is shown by the runner fixture
 * tests/fixtures/fixture_refusals.c.
 */
#include <kunit/test.h>
#include <linux/kthread.h>

#include "cmwq_kunit.h"

static void expect_refusal(struct kunit *test, int before)
{
	KUNIT_EXPECT_EQ(test, cmwq_test_nr_refusals(), before + 1);
	cmwq_test_expect_refusals(0);
}

#define REFUSED(test, call)						\
({									\
	int __before = cmwq_test_nr_refusals();				\
	typeof(call) __ret;						\
									\
	cmwq_test_expect_refusals(1);					\
	__ret = (call);							\
	expect_refusal(test, __before);					\
	__ret;								\
})

static void noop_fn(struct cmwq_work *work)
{
}

/* A NULL work is refused by every call. */
static void null_work(struct kunit *test)
{
	KUNIT_EXPECT_FALSE(test, REFUSED(test, cmwq_queue_work(cmwq_system_wq,
							       NULL)));
	KUNIT_EXPECT_FALSE(test, REFUSED(test, cmwq_flush_work(NULL)));
	KUNIT_EXPECT_FALSE(test, REFUSED(test, cmwq_cancel_work(NULL)));
	KUNIT_EXPECT_FALSE(test, REFUSED(test,
					 cmwq_queue_delayed_work(cmwq_system_wq,
								 NULL, 1)));
	KUNIT_EXPECT_FALSE(test, REFUSED(test,
					 cmwq_cancel_delayed_work_sync(NULL)));
	KUNIT_EXPECT_EQ(test, REFUSED(test, cmwq_work_busy(NULL)), 0U);
}

/* A never-initialised work is refused and stays idle. */
static void uninitialised_work(struct kunit *test)
{
	struct cmwq_work *zeroed = kunit_kzalloc(test, sizeof(*zeroed),
						 GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, zeroed);
	KUNIT_EXPECT_FALSE(test, REFUSED(test, cmwq_queue_work(cmwq_system_wq,
							       zeroed)));
	KUNIT_EXPECT_FALSE(test, cmwq_work_pending(zeroed));
	KUNIT_EXPECT_FALSE(test, REFUSED(test, cmwq_cancel_work_sync(zeroed)));
}

/* Queueing on a NULL queue is refused; the work stays idle, ready for later. */
static void queue_on_null_workqueue(struct kunit *test)
{
	struct cmwq_work work;

	CMWQ_INIT_WORK_ONSTACK(&work, noop_fn);
	KUNIT_EXPECT_FALSE(test, REFUSED(test, cmwq_queue_work(NULL, &work)));
	KUNIT_EXPECT_FALSE(test, cmwq_work_pending(&work));
	cmwq_destroy_work_on_stack(&work);
}

/* Flushing a NULL queue is refused. */
static void flush_null_workqueue(struct kunit *test)
{
	REFUSED(test, (cmwq_flush_workqueue(NULL), 0));
}

/* Draining a NULL queue is refused. */
static void drain_null_workqueue(struct kunit *test)
{
	REFUSED(test, (cmwq_drain_workqueue(NULL), 0));
}

/* Queueing on impossible CPU numbers is refused; the work stays idle. */
static void queue_on_impossible_cpu(struct kunit *test)
{
	struct cmwq_work work;

	CMWQ_INIT_WORK_ONSTACK(&work, noop_fn);
	KUNIT_EXPECT_FALSE(test, REFUSED(test,
					 cmwq_queue_work_on(nr_cpu_ids + 3,
							    cmwq_system_wq,
							    &work)));
	KUNIT_EXPECT_FALSE(test, REFUSED(test,
					 cmwq_queue_work_on(-2, cmwq_system_wq,
							    &work)));
	KUNIT_EXPECT_FALSE(test, cmwq_work_pending(&work));
	cmwq_destroy_work_on_stack(&work);
}

/* work_on_cpu on an impossible CPU is refused with -EINVAL. */
static void work_on_impossible_cpu(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, REFUSED(test, cmwq_work_on_cpu(-1, NULL, NULL)),
			-EINVAL);
}

/* A max_active too large at allocation is clamped, with a refusal. */
static void alloc_max_active_clamped(struct kunit *test)
{
	struct cmwq_workqueue *wq;

	wq = REFUSED(test, cmwq_kunit_alloc_wq(test, "bad_max", 0, 100000));
	KUNIT_ASSERT_NOT_NULL(test, wq);
	KUNIT_EXPECT_EQ(test, cmwq_test_max_active(wq, 0), CMWQ_MAX_ACTIVE);
}

/* A negative max_active set later is clamped to 1, with a refusal. */
static void set_max_active_clamped(struct kunit *test)
{
	struct cmwq_workqueue *wq = cmwq_kunit_alloc_wq(test, "bad_max", 0, 0);

	KUNIT_ASSERT_NOT_NULL(test, wq);
	REFUSED(test, (cmwq_set_max_active(wq, -5), 0));
	KUNIT_EXPECT_EQ(test, cmwq_test_max_active(wq, 0), 1);
}

/* An ordered queue's max_active stays 1: changing it is refused. */
static void ordered_max_active_fixed(struct kunit *test)
{
	struct cmwq_workqueue *wq;

	wq = cmwq_kunit_alloc_ordered_wq(test, "bad_ordered", 0);
	KUNIT_ASSERT_NOT_NULL(test, wq);
	REFUSED(test, (cmwq_set_max_active(wq, 8), 0));
	KUNIT_EXPECT_EQ(test, cmwq_test_max_active(wq, 0), 1);
}

/* Destroying a queue twice is refused. */
static void destroy_twice(struct kunit *test)
{
	struct cmwq_workqueue *wq = cmwq_kunit_alloc_wq(test, "bad_twice", 0, 0);

	KUNIT_ASSERT_NOT_NULL(test, wq);
	cmwq_kunit_destroy_wq(test, wq);
	REFUSED(test, (cmwq_destroy_workqueue(wq), 0));
}

/* Destroying a system queue is refused. */
static void destroy_system_workqueue(struct kunit *test)
{
	REFUSED(test, (cmwq_destroy_workqueue(cmwq_system_wq), 0));
}

/* Destroying NULL is refused. */
static void destroy_null_workqueue(struct kunit *test)
{
	REFUSED(test, (cmwq_destroy_workqueue(NULL), 0));
}

/* A work that waits for itself and its queue, and what it got. */
struct self_waiter {
	struct cmwq_work	work;
	struct cmwq_workqueue	*wq;
	struct completion	done;
	bool			result;
	int			refusals;
};

static void self_flush_fn(struct cmwq_work *work)
{
	struct self_waiter *it = container_of(work, struct self_waiter, work);
	int before = cmwq_test_nr_refusals();
	bool flushed, cancelled;

	cmwq_test_expect_refusals(4);
	flushed = cmwq_flush_work(work);
	cancelled = cmwq_cancel_work_sync(work);
	cmwq_flush_workqueue(it->wq);
	cmwq_drain_workqueue(it->wq);
	cmwq_test_expect_refusals(0);
	it->refusals = cmwq_test_nr_refusals() - before;
	it->result = flushed || cancelled;
	complete(&it->done);
}

/* A work waiting for itself or for its own queue is refused, not hung. */
static void waiting_for_itself(struct kunit *test)
{
	struct self_waiter *it = kunit_kzalloc(test, sizeof(*it), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, it);
	it->wq = cmwq_kunit_alloc_wq(test, "bad_self", 0, 0);
	KUNIT_ASSERT_NOT_NULL(test, it->wq);
	CMWQ_INIT_WORK(&it->work, self_flush_fn);
	init_completion(&it->done);
	cmwq_queue_work(it->wq, &it->work);
	KUNIT_ASSERT_COMPLETES(test, &it->done);
	KUNIT_EXPECT_FALSE(test, it->result);
	KUNIT_EXPECT_EQ(test, it->refusals, 4);
}

/* A queue a thread destroys while its blocker holds the drain. */
struct dying_queue {
	struct cmwq_work	work;	/* the blocker */
	struct cmwq_workqueue	*wq;
	struct completion	started;
	struct completion	release;
	struct completion	destroyed;
};

static void blocker_fn(struct cmwq_work *work)
{
	struct dying_queue *it = container_of(work, struct dying_queue, work);

	complete(&it->started);
	wait_for_completion_timeout(&it->release, CMWQ_KUNIT_TIMEOUT);
}

static int destroy_thread(void *arg)
{
	struct dying_queue *it = arg;

	cmwq_destroy_workqueue(it->wq);
	complete(&it->destroyed);
	return 0;
}

/* Queueing on a queue being destroyed is refused; the caller keeps it. */
static void queue_while_destroying(struct kunit *test)
{
	struct dying_queue *blocker = kunit_kzalloc(test, sizeof(*blocker),
						    GFP_KERNEL);
	struct task_struct *task;
	struct cmwq_work probe;
	bool refused = false;
	int before;

	KUNIT_ASSERT_NOT_NULL(test, blocker);
	blocker->wq = cmwq_kunit_alloc_wq(test, "bad_dying", 0, 0);
	KUNIT_ASSERT_NOT_NULL(test, blocker->wq);
	CMWQ_INIT_WORK(&blocker->work, blocker_fn);
	CMWQ_INIT_WORK_ONSTACK(&probe, noop_fn);
	init_completion(&blocker->started);
	init_completion(&blocker->release);
	init_completion(&blocker->destroyed);

	cmwq_queue_work(blocker->wq, &blocker->work);
	KUNIT_ASSERT_COMPLETES(test, &blocker->started);
	task = kthread_run(destroy_thread, blocker, "cmwq_bad_destroy");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	cmwq_kunit_hand_over_wq(test, blocker->wq);

	/* until the destroyer marks the queue, the probe is simply run */
	cmwq_poll(({
		before = cmwq_test_nr_refusals();
		cmwq_test_expect_refusals(1);
		if (!cmwq_queue_work(blocker->wq, &probe))
			refused = cmwq_test_nr_refusals() == before + 1;
		cmwq_test_expect_refusals(0);
		cmwq_flush_work(&probe);
		refused;
	}), CMWQ_KUNIT_TIMEOUT);
	KUNIT_EXPECT_TRUE(test, refused);
	KUNIT_EXPECT_FALSE(test, cmwq_work_pending(&probe));

	complete(&blocker->release);
	KUNIT_EXPECT_COMPLETES(test, &blocker->destroyed);
	cmwq_destroy_work_on_stack(&probe);
}

struct done_item {
	struct cmwq_work	work;
	struct completion	done;
};

static void done_fn(struct cmwq_work *work)
{
	complete(&container_of(work, struct done_item, work)->done);
}

#define NR_REUSE_TRIES	16

/* cmwq's keep_destroyed setting before a case changed it */
static bool bad_saved_keep;
static bool bad_keep_changed;

static void bad_keep_destroyed(bool keep)
{
	bool old = cmwq_test_keep_destroyed(keep);

	if (!bad_keep_changed)
		bad_saved_keep = old;
	bad_keep_changed = true;
}

static void bad_restore_keep_destroyed(void)
{
	if (bad_keep_changed)
		cmwq_test_keep_destroyed(bad_saved_keep);
	bad_keep_changed = false;
}

/*
 * A second destroy is refused even when the queue's memory could have gone
 * to a newer queue, and it leaves that newer queue alone.  With the memory
 * freed, the slab hands it to the next queue at once; cmwq must keep it,
 * so no queue allocated here may land at the destroyed one's address.
 */
static void destroy_twice_after_reuse(struct kunit *test)
{
	struct cmwq_workqueue *wqs[NR_REUSE_TRIES], *dead;
	struct done_item *it = kunit_kzalloc(test, sizeof(*it), GFP_KERNEL);
	bool reused = false, refused;
	int i, nr = 0, before;

	KUNIT_ASSERT_NOT_NULL(test, it);
	bad_keep_destroyed(true);
	dead = cmwq_kunit_alloc_wq(test, "bad_reuse_dead", 0, 0);
	KUNIT_ASSERT_NOT_NULL(test, dead);
	cmwq_kunit_destroy_wq(test, dead);
	while (nr < NR_REUSE_TRIES && !reused) {
		wqs[nr] = cmwq_kunit_alloc_wq(test, "bad_reuse_%d", 0, 0, nr);
		if (!wqs[nr])
			break;
		reused = wqs[nr++] == dead;
	}
	bad_restore_keep_destroyed();
	KUNIT_EXPECT_FALSE_MSG(test, reused,
			       "queue %d took the destroyed queue's address",
			       nr - 1);
	KUNIT_EXPECT_EQ(test, nr, NR_REUSE_TRIES);

	before = cmwq_test_nr_refusals();
	cmwq_test_expect_refusals(1);
	cmwq_destroy_workqueue(dead);
	cmwq_test_expect_refusals(0);
	refused = cmwq_test_nr_refusals() == before + 1;
	KUNIT_EXPECT_TRUE(test, refused);

	/* what is kept of it still refuses works */
	CMWQ_INIT_WORK(&it->work, done_fn);
	init_completion(&it->done);
	if (refused)
		KUNIT_EXPECT_FALSE(test, REFUSED(test, cmwq_queue_work(dead,
								       &it->work)));

	/* every newer queue still works, unless the destroy took one */
	for (i = 0; i < nr; i++) {
		if (wqs[i] == dead && !refused)
			continue;
		reinit_completion(&it->done);
		KUNIT_EXPECT_TRUE(test, cmwq_queue_work(wqs[i], &it->work));
		KUNIT_EXPECT_COMPLETES(test, &it->done);
		cmwq_flush_work(&it->work);
	}
}

/* Whatever happened in the case, cmwq's settings are its own again. */
static void bad_exit(struct kunit *test)
{
	bad_restore_keep_destroyed();
}

static struct kunit_case cmwq_badinput_cases[] = {
	KUNIT_CASE(null_work),
	KUNIT_CASE(uninitialised_work),
	KUNIT_CASE(queue_on_null_workqueue),
	KUNIT_CASE(flush_null_workqueue),
	KUNIT_CASE(drain_null_workqueue),
	KUNIT_CASE(queue_on_impossible_cpu),
	KUNIT_CASE(work_on_impossible_cpu),
	KUNIT_CASE(alloc_max_active_clamped),
	KUNIT_CASE(set_max_active_clamped),
	KUNIT_CASE(ordered_max_active_fixed),
	KUNIT_CASE(destroy_twice),
	KUNIT_CASE(destroy_system_workqueue),
	KUNIT_CASE(destroy_null_workqueue),
	KUNIT_CASE(waiting_for_itself),
	KUNIT_CASE(queue_while_destroying),
	KUNIT_CASE(destroy_twice_after_reuse),
	{}
};

static struct kunit_suite cmwq_badinput_suite = {
	.name = "cmwq_badinput",
	.exit = bad_exit,
	.test_cases = cmwq_badinput_cases,
};

kunit_test_suites(&cmwq_badinput_suite);

MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_DESCRIPTION("KUnit tests of cmwq's refusals of bad input");
