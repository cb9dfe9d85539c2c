// SPDX-License-Identifier: GPL-2.0
/*
 * cmwq_hard_test.c - KUnit: the corners where two features meet
 *
 * Each case is a reproducer of a defect found where flush, cancel and
 * destroy, CPU hotplug, sleeping works, worker creation failing and the
 * freezer cross.  They drive cmwq through its public API plus the
 * documented knobs (fault injection of worker creation, CPU hotplug, the
 * test-only freeze), the way a driver and an administrator would.  Every
 * wait is bounded: a stall fails the case instead of hanging the run.
 */
#include <kunit/test.h>
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/kthread.h>
#include <linux/slab.h>

#include "cmwq_kunit.h"

/* A work that spins, never sleeping, until released or timed out. */
struct hard_spinner {
	struct cmwq_work	work;
	struct completion	started;
	bool			release;
	bool			finished;
};

static void hard_spin_fn(struct cmwq_work *work)
{
	struct hard_spinner *s = container_of(work, struct hard_spinner, work);
	unsigned long deadline = jiffies + 2 * CMWQ_KUNIT_TIMEOUT;

	complete(&s->started);
	while (!READ_ONCE(s->release) && time_before(jiffies, deadline))
		cpu_relax();
	WRITE_ONCE(s->finished, true);
}

static void hard_spinner_init(struct hard_spinner *s)
{
	CMWQ_INIT_WORK(&s->work, hard_spin_fn);
	init_completion(&s->started);
	s->release = false;
	s->finished = false;
}

/* A work that sleeps until released, recording where it ran. */
struct hard_item {
	struct cmwq_work	work;
	struct completion	*release;
	struct completion	started;
	struct completion	done;
	atomic_t		runs;
	int			cpu;
};

static void hard_item_fn(struct cmwq_work *work)
{
	struct hard_item *it = container_of(work, struct hard_item, work);

	complete(&it->started);
	if (it->release)
		wait_for_completion_timeout(it->release,
					    2 * CMWQ_KUNIT_TIMEOUT);
	it->cpu = raw_smp_processor_id();
	atomic_inc(&it->runs);
	complete(&it->done);
}

static void hard_item_init(struct hard_item *it, struct completion *release)
{
	CMWQ_INIT_WORK(&it->work, hard_item_fn);
	it->release = release;
	init_completion(&it->started);
	init_completion(&it->done);
	atomic_set(&it->runs, 0);
	it->cpu = -1;
}

/* The highest online CPU but 0, which can go down; -1 if none. */
static int hard_cpu(void)
{
	int cpu, found = -1;

	for_each_online_cpu(cpu)
		if (cpu > 0)
			found = cpu;
	return found;
}

/* Run @fn(@arg) in a kthread that completes @done when it returns. */
struct hard_call {
	void			(*fn)(struct hard_call *call);
	struct completion	done;
	void			*arg;
	long			ret;
};

static int hard_call_thread(void *data)
{
	struct hard_call *call = data;

	call->fn(call);
	complete(&call->done);
	return 0;
}

static void hard_call_start(struct kunit *test, struct hard_call *call,
			    void (*fn)(struct hard_call *call), void *arg,
			    const char *name)
{
	struct task_struct *task;

	call->fn = fn;
	call->arg = arg;
	call->ret = 0;
	init_completion(&call->done);
	task = kthread_run(hard_call_thread, call, "cmwq_hard/%s", name);
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
}

/*
 * Wait for a call that may be stuck behind the defect under test.  If it
 * does not return in time, @unstick (when given) undoes what keeps it
 * stuck, so the call still ends before the case's memory goes away.
 */
static bool hard_call_wait(struct hard_call *call, unsigned long timeout,
			   void (*unstick)(void))
{
	if (wait_for_completion_timeout(&call->done, timeout))
		return true;
	if (unstick)
		unstick();
	wait_for_completion(&call->done);
	return false;
}

static void call_flush_work(struct hard_call *call)
{
	call->ret = cmwq_flush_work(call->arg);
}

static void call_destroy_wq(struct hard_call *call)
{
	cmwq_destroy_workqueue(call->arg);
}

static void call_remove_cpu(struct hard_call *call)
{
	call->ret = remove_cpu((long)call->arg);
}

static int pool_workers(int cpu)
{
	struct cmwq_test_pool_stats st;

	cmwq_test_pool_stats(cpu, false, &st);
	return st.nr_workers;
}

static int pool_pending(int cpu)
{
	struct cmwq_test_pool_stats st;

	cmwq_test_pool_stats(cpu, false, &st);
	return st.nr_pending;
}

/*
 * A work is pending behind a CPU-bound one; a thread flushes it, which
 * puts a barrier behind it; the work is cancelled and its queue destroyed.
 * The barrier still belongs to the queue: destroy must wait for it to run,
 * or the worker reaches freed memory when it does.
 */
static void flush_cancel_destroy_waits_for_barrier(struct kunit *test)
{
	struct hard_spinner *s;
	struct hard_item *w;
	struct hard_call *flusher, *destroyer;
	struct cmwq_workqueue *wq, *blocker_wq;
	int cpu = hard_cpu();
	bool early;

	if (cpu < 0)
		kunit_skip(test, "needs a second CPU");
	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	flusher = kunit_kzalloc(test, sizeof(*flusher), GFP_KERNEL);
	destroyer = kunit_kzalloc(test, sizeof(*destroyer), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_ASSERT_NOT_NULL(test, w);
	KUNIT_ASSERT_NOT_NULL(test, flusher);
	KUNIT_ASSERT_NOT_NULL(test, destroyer);
	blocker_wq = cmwq_kunit_alloc_wq(test, "hard_blocker", 0, 0);
	KUNIT_ASSERT_NOT_NULL(test, blocker_wq);
	wq = cmwq_kunit_alloc_wq(test, "hard_victim", 0, 0);
	KUNIT_ASSERT_NOT_NULL(test, wq);

	hard_spinner_init(s);
	hard_item_init(w, NULL);
	KUNIT_ASSERT_TRUE(test, cmwq_queue_work_on(cpu, blocker_wq, &s->work));
	KUNIT_ASSERT_COMPLETES(test, &s->started);
	KUNIT_ASSERT_TRUE(test, cmwq_queue_work_on(cpu, wq, &w->work));

	hard_call_start(test, flusher, call_flush_work, &w->work, "flush");
	/* the work and the flusher's barrier behind it */
	KUNIT_EXPECT_TRUE(test, cmwq_poll(pool_pending(cpu) == 2,
					  CMWQ_KUNIT_TIMEOUT));
	KUNIT_EXPECT_TRUE(test, cmwq_cancel_work_sync(&w->work));

	hard_call_start(test, destroyer, call_destroy_wq, wq, "destroy");
	cmwq_kunit_hand_over_wq(test, wq);
	/* the barrier cannot run while the spinner holds the pool */
	early = wait_for_completion_timeout(&destroyer->done, HZ);
	KUNIT_EXPECT_FALSE_MSG(test, early,
			       "destroy returned with a flush barrier queued");

	WRITE_ONCE(s->release, true);
	KUNIT_EXPECT_TRUE(test, hard_call_wait(destroyer, CMWQ_KUNIT_TIMEOUT,
					       NULL));
	KUNIT_EXPECT_TRUE(test, hard_call_wait(flusher, CMWQ_KUNIT_TIMEOUT,
					       NULL));
	KUNIT_EXPECT_EQ(test, atomic_read(&w->runs), 0);
}

enum { HARD_SLEEPERS = 16 };

/*
 * A CPU-bound work and sleeping works keep every worker of a CPU busy
 * while the CPU goes down and comes back: the pool must still have an
 * idle worker for the next work, which runs at once, on that CPU.
 */
static void new_work_runs_after_cpu_returns(struct kunit *test)
{
	struct completion *release;
	struct hard_spinner *s;
	struct hard_item *items, *late;
	struct cmwq_workqueue *wq;
	int cpu = hard_cpu(), i;

	if (cpu < 0)
		kunit_skip(test, "needs a second CPU");
	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	items = kunit_kcalloc(test, HARD_SLEEPERS, sizeof(*items), GFP_KERNEL);
	late = kunit_kzalloc(test, sizeof(*late), GFP_KERNEL);
	release = kunit_kzalloc(test, sizeof(*release), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_ASSERT_NOT_NULL(test, items);
	KUNIT_ASSERT_NOT_NULL(test, late);
	KUNIT_ASSERT_NOT_NULL(test, release);
	init_completion(release);
	wq = cmwq_kunit_alloc_wq(test, "hard_return", 0, 0);
	KUNIT_ASSERT_NOT_NULL(test, wq);

	hard_spinner_init(s);
	KUNIT_ASSERT_TRUE(test, cmwq_queue_work_on(cpu, wq, &s->work));
	KUNIT_ASSERT_COMPLETES(test, &s->started);
	for (i = 0; i < HARD_SLEEPERS; i++) {
		hard_item_init(&items[i], release);
		cmwq_queue_work_on(cpu, wq, &items[i].work);
	}

	KUNIT_ASSERT_EQ(test, remove_cpu(cpu), 0);
	for (i = 0; i < HARD_SLEEPERS; i++)
		KUNIT_EXPECT_COMPLETES(test, &items[i].started);
	KUNIT_ASSERT_EQ(test, add_cpu(cpu), 0);

	hard_item_init(late, NULL);
	KUNIT_EXPECT_TRUE(test, cmwq_queue_work_on(cpu, wq, &late->work));
	KUNIT_EXPECT_COMPLETES(test, &late->done);

	WRITE_ONCE(s->release, true);
	complete_all(release);
	cmwq_kunit_destroy_wq(test, wq);
	KUNIT_EXPECT_EQ(test, late->cpu, cpu);
	for (i = 0; i < HARD_SLEEPERS; i++)
		KUNIT_EXPECT_EQ(test, atomic_read(&items[i].runs), 1);
}

/*
 * A hotplug step above cmwq's.  Its teardown runs once the scheduler has
 * deactivated the CPU and before cmwq's own step: when armed, it fails
 * there, or queues a work on the CPU going down.
 */
static enum cpuhp_state hard_hook_state;
static struct cpumask hard_online_at_start;
static int hard_fail_cpu = -1;
static struct {
	int			cpu;
	struct cmwq_workqueue	*wq;
	struct cmwq_work	*work;
} hard_queue_at_teardown = { .cpu = -1 };

static int hard_hook_teardown(unsigned int cpu)
{
	if ((int)cpu == READ_ONCE(hard_queue_at_teardown.cpu))
		cmwq_queue_work_on(cpu, hard_queue_at_teardown.wq,
				   hard_queue_at_teardown.work);
	return (int)cpu == READ_ONCE(hard_fail_cpu) ? -EBUSY : 0;
}

enum { HARD_ASLEEP = 32 };

static void stop_failing_creation(void)
{
	cmwq_test_fail_create_worker(false);
}

/*
 * Worker creation fails every time and a CPU's workers are all asleep.
 * The CPU must still go offline, and a reclaim queue's work queued on it
 * meanwhile must run (its rescuer), during the offline and after it.
 */
static void offline_completes_while_creation_fails(struct kunit *test)
{
	struct cmwq_workqueue *wq, *reclaim;
	struct hard_item *items, *r1, *r2;
	struct completion *release;
	struct hard_call *offline;
	int cpu = hard_cpu(), i;
	bool offlined;

	if (cpu < 0)
		kunit_skip(test, "needs a second CPU");
	if (cmwq_test_fail_create_worker(false))
		kunit_skip(test, "no fault injection in this kernel");
	items = kunit_kcalloc(test, HARD_ASLEEP, sizeof(*items), GFP_KERNEL);
	r1 = kunit_kzalloc(test, sizeof(*r1), GFP_KERNEL);
	r2 = kunit_kzalloc(test, sizeof(*r2), GFP_KERNEL);
	release = kunit_kzalloc(test, sizeof(*release), GFP_KERNEL);
	offline = kunit_kzalloc(test, sizeof(*offline), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, items);
	KUNIT_ASSERT_NOT_NULL(test, r1);
	KUNIT_ASSERT_NOT_NULL(test, r2);
	KUNIT_ASSERT_NOT_NULL(test, release);
	KUNIT_ASSERT_NOT_NULL(test, offline);
	init_completion(release);
	wq = cmwq_kunit_alloc_wq(test, "hard_asleep", 0, 0);
	KUNIT_ASSERT_NOT_NULL(test, wq);
	reclaim = cmwq_kunit_alloc_wq(test, "hard_reclaim", CMWQ_MEM_RECLAIM, 0);
	KUNIT_ASSERT_NOT_NULL(test, reclaim);

	for (i = 0; i < HARD_ASLEEP; i++) {
		hard_item_init(&items[i], release);
		cmwq_queue_work_on(cpu, wq, &items[i].work);
	}
	for (i = 0; i < HARD_ASLEEP; i++)
		KUNIT_EXPECT_COMPLETES(test, &items[i].started);

	cmwq_test_fail_create_worker(true);
	hard_item_init(r1, NULL);
	KUNIT_EXPECT_TRUE(test, cmwq_queue_work_on(cpu, reclaim, &r1->work));
	KUNIT_EXPECT_COMPLETES(test, &r1->done);

	/* r2 lands on the CPU once it is inactive, before cmwq's step */
	hard_item_init(r2, NULL);
	hard_queue_at_teardown.wq = reclaim;
	hard_queue_at_teardown.work = &r2->work;
	WRITE_ONCE(hard_queue_at_teardown.cpu, cpu);
	hard_call_start(test, offline, call_remove_cpu, (void *)(long)cpu,
			"offline");
	KUNIT_EXPECT_COMPLETES(test, &r2->done);
	offlined = hard_call_wait(offline, CMWQ_KUNIT_TIMEOUT,
				  stop_failing_creation);
	KUNIT_EXPECT_TRUE_MSG(test, offlined,
			      "CPU %d did not go down while creation failed",
			      cpu);
	KUNIT_EXPECT_EQ(test, offline->ret, 0L);
	WRITE_ONCE(hard_queue_at_teardown.cpu, -1);

	cmwq_test_fail_create_worker(false);
	complete_all(release);
	if (!cpu_online(cpu))
		KUNIT_EXPECT_EQ(test, add_cpu(cpu), 0);
	cmwq_kunit_destroy_wq(test, reclaim);
	cmwq_kunit_destroy_wq(test, wq);
	KUNIT_EXPECT_EQ(test, atomic_read(&r1->runs), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&r2->runs), 1);
	for (i = 0; i < HARD_ASLEEP; i++)
		KUNIT_EXPECT_EQ(test, atomic_read(&items[i].runs), 1);
}

enum { HARD_BUSY = 64, HARD_AFTER = 50 };

/* Sleeps in short naps until released, so it keeps running on its CPU. */
struct hard_napper {
	struct cmwq_work	work;
	bool			*release;
	struct completion	done;
};

static void hard_nap_fn(struct cmwq_work *work)
{
	struct hard_napper *n = container_of(work, struct hard_napper, work);
	unsigned long deadline = jiffies + 2 * CMWQ_KUNIT_TIMEOUT;

	while (!READ_ONCE(*n->release) && time_before(jiffies, deadline))
		usleep_range(500, 1000);
	complete(&n->done);
}

/*
 * An offline that fails above cmwq's step, after the scheduler has
 * deactivated the CPU and pushed its running workers elsewhere, rolls
 * back without calling cmwq: the workers must still end up on their CPU.
 */
static void aborted_offline_keeps_workers_bound(struct kunit *test)
{
	struct hard_napper *nappers;
	struct hard_item *after;
	struct cmwq_workqueue *wq;
	int cpu = hard_cpu(), i, elsewhere = 0;
	bool *release;

	if (cpu < 0)
		kunit_skip(test, "needs a second CPU");
	nappers = kunit_kcalloc(test, HARD_BUSY, sizeof(*nappers), GFP_KERNEL);
	after = kunit_kcalloc(test, HARD_AFTER, sizeof(*after), GFP_KERNEL);
	release = kunit_kzalloc(test, sizeof(*release), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, nappers);
	KUNIT_ASSERT_NOT_NULL(test, after);
	KUNIT_ASSERT_NOT_NULL(test, release);
	wq = cmwq_kunit_alloc_wq(test, "hard_abort", 0, 0);
	KUNIT_ASSERT_NOT_NULL(test, wq);

	for (i = 0; i < HARD_BUSY; i++) {
		CMWQ_INIT_WORK(&nappers[i].work, hard_nap_fn);
		nappers[i].release = release;
		init_completion(&nappers[i].done);
		cmwq_queue_work_on(cpu, wq, &nappers[i].work);
	}

	WRITE_ONCE(hard_fail_cpu, cpu);
	KUNIT_EXPECT_NE(test, remove_cpu(cpu), 0);
	WRITE_ONCE(hard_fail_cpu, -1);
	KUNIT_EXPECT_TRUE(test, cpu_online(cpu));

	WRITE_ONCE(*release, true);
	for (i = 0; i < HARD_BUSY; i++)
		KUNIT_EXPECT_COMPLETES(test, &nappers[i].done);

	for (i = 0; i < HARD_AFTER; i++) {
		hard_item_init(&after[i], NULL);
		cmwq_queue_work_on(cpu, wq, &after[i].work);
	}
	for (i = 0; i < HARD_AFTER; i++) {
		KUNIT_EXPECT_COMPLETES(test, &after[i].done);
		elsewhere += after[i].cpu != cpu;
	}
	KUNIT_EXPECT_EQ_MSG(test, elsewhere, 0,
			    "works queued on CPU %d ran elsewhere", cpu);
}

/* set while a case holds the test-only freeze; the exit hook thaws */
static bool hard_frozen;

/*
 * A frozen queue's works wait inactive on their CPU's cwq.  The CPU goes
 * down: its workers must not all be destroyed while such works wait, or
 * they never run once the queue thaws.
 */
static void frozen_work_runs_after_its_cpu_died(struct kunit *test)
{
	struct cmwq_workqueue *wq;
	struct hard_item *it;
	int cpu = hard_cpu();

	if (cpu < 0)
		kunit_skip(test, "needs a second CPU");
	it = kunit_kzalloc(test, sizeof(*it), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, it);
	wq = cmwq_kunit_alloc_wq(test, "hard_frozen", CMWQ_FREEZABLE, 0);
	KUNIT_ASSERT_NOT_NULL(test, wq);

	KUNIT_ASSERT_EQ(test, cmwq_test_freeze(CMWQ_KUNIT_TIMEOUT), 0);
	hard_frozen = true;
	hard_item_init(it, NULL);
	KUNIT_EXPECT_TRUE(test, cmwq_queue_work_on(cpu, wq, &it->work));
	KUNIT_EXPECT_EQ(test, remove_cpu(cpu), 0);
	/* the parked work keeps the dead CPU's workers: none may go */
	KUNIT_EXPECT_FALSE_MSG(test, cmwq_poll(pool_workers(cpu) == 0, HZ),
			       "CPU %d's workers destroyed under a frozen work",
			       cpu);
	cmwq_test_thaw();
	hard_frozen = false;

	KUNIT_EXPECT_COMPLETES(test, &it->done);
	if (!cpu_online(cpu))
		KUNIT_EXPECT_EQ(test, add_cpu(cpu), 0);
	cmwq_kunit_destroy_wq(test, wq);
	KUNIT_EXPECT_EQ(test, atomic_read(&it->runs), 1);
}

static unsigned int hard_saved_hog_thresh;

/*
 * The cases hold works back behind CPU-bound ones: CPU-hog detection,
 * which would let them go after 10 ms, is off for the suite.
 */
static int hard_suite_init(struct kunit_suite *suite)
{
	int ret;

	ret = cpuhp_setup_state_nocalls(CPUHP_AP_ONLINE_DYN, "cmwq_hard:hook",
					NULL, hard_hook_teardown);
	if (ret < 0)
		return ret;
	hard_hook_state = ret;
	cpumask_copy(&hard_online_at_start, cpu_online_mask);
	hard_saved_hog_thresh = cmwq_test_set_hog_thresh(0);
	return 0;
}

static void hard_suite_exit(struct kunit_suite *suite)
{
	cmwq_test_set_hog_thresh(hard_saved_hog_thresh);
	cpuhp_remove_state_nocalls(hard_hook_state);
}

static void hard_case_exit(struct kunit *test)
{
	int cpu;

	/* a failed case must leave neither failures, a freeze nor a CPU down */
	cmwq_test_fail_create_worker(false);
	if (hard_frozen)
		cmwq_test_thaw();
	hard_frozen = false;
	WRITE_ONCE(hard_fail_cpu, -1);
	WRITE_ONCE(hard_queue_at_teardown.cpu, -1);
	for_each_cpu(cpu, &hard_online_at_start)
		if (!cpu_online(cpu))
			add_cpu(cpu);
}

static struct kunit_case cmwq_hard_cases[] = {
	KUNIT_CASE(flush_cancel_destroy_waits_for_barrier),
	KUNIT_CASE(new_work_runs_after_cpu_returns),
	KUNIT_CASE(offline_completes_while_creation_fails),
	KUNIT_CASE(aborted_offline_keeps_workers_bound),
	KUNIT_CASE(frozen_work_runs_after_its_cpu_died),
	{}
};

static struct kunit_suite cmwq_hard_suite = {
	.name = "cmwq_hard",
	.suite_init = hard_suite_init,
	.suite_exit = hard_suite_exit,
	.exit = hard_case_exit,
	.test_cases = cmwq_hard_cases,
};

kunit_test_suites(&cmwq_hard_suite);

MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_DESCRIPTION("KUnit reproducers of cmwq's hard corners");
