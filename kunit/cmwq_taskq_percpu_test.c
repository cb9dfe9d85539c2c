// SPDX-License-Identifier: GPL-2.0
/*
 * cmwq_taskq_percpu_test.c - KUnit: bound taskqs (CMWQ_TASKQ_PERCPU)
 *
 * cmwq's own taskq flag, outside the Solaris names: a bound taskq runs a
 * task on the CPU that dispatched it, and its thread count limits each
 * CPU's tasks apart.
 */
#include <kunit/test.h>
#include <linux/sched/prio.h>
#include <linux/smp.h>

#include "cmwq_kunit.h"
#include "cmwq_taskq.h"

struct percpu_task {
	struct cmwq_taskq	*tq;
	struct completion	*release;
	atomic_t		*running;
	struct completion	done;
	unsigned long		id;
	int			cpu;
	bool			released;
};

static void percpu_task_fn(void *arg)
{
	struct percpu_task *t = arg;

	t->cpu = raw_smp_processor_id();
	atomic_inc(t->running);
	t->released = wait_for_completion_timeout(t->release,
						  CMWQ_KUNIT_TIMEOUT);
	atomic_dec(t->running);
	complete(&t->done);
}

/* In the IPI on the task's CPU: dispatch from that CPU. */
static void percpu_dispatch_fn(void *arg)
{
	struct percpu_task *t = arg;

	t->id = cmwq_taskq_dispatch(t->tq, percpu_task_fn, t,
				    CMWQ_TQ_NOSLEEP);
}

/*
 * A one-thread bound taskq: a task dispatched on each of two CPUs runs
 * there, and both run at once (an unbound one-thread taskq would run
 * one, then the other).
 */
static void percpu_taskq_runs_on_dispatching_cpu(struct kunit *test)
{
	int cpus[2] = { cpumask_first(cpu_online_mask),
			cpumask_last(cpu_online_mask) };
	DECLARE_COMPLETION_ONSTACK(release);
	struct percpu_task t[2];
	atomic_t running;
	int i;

	KUNIT_ASSERT_NE(test, cpus[0], cpus[1]);
	atomic_set(&running, 0);
	memset(t, 0, sizeof(t));
	t[0].tq = cmwq_taskq_create("tq_percpu", 1, DEFAULT_PRIO, 2, 8,
				    CMWQ_TASKQ_PERCPU);
	KUNIT_ASSERT_NOT_NULL(test, t[0].tq);
	for (i = 0; i < 2; i++) {
		t[i].tq = t[0].tq;
		t[i].release = &release;
		t[i].running = &running;
		init_completion(&t[i].done);
		KUNIT_EXPECT_EQ(test,
				smp_call_function_single(cpus[i],
							 percpu_dispatch_fn,
							 &t[i], true), 0);
		KUNIT_EXPECT_NE(test, t[i].id, 0UL);
	}

	KUNIT_EXPECT_TRUE(test, cmwq_poll(atomic_read(&running) == 2,
					  CMWQ_KUNIT_TIMEOUT));
	/* released before any assertion: nothing waits on this stack after */
	complete_all(&release);
	for (i = 0; i < 2; i++) {
		if (!t[i].id)
			continue;
		KUNIT_ASSERT_COMPLETES(test, &t[i].done);
		KUNIT_EXPECT_EQ(test, t[i].cpu, cpus[i]);
		KUNIT_EXPECT_TRUE(test, t[i].released);
	}
	cmwq_taskq_destroy(t[0].tq);
}

/*
 * The taskq's one cached entry, taken by a task that sleeps: the next
 * dispatch must not wait behind that task for the entry (cmwq never runs
 * one work twice at once, so an entry reused while its task runs would
 * queue behind it).  Both run at once on a two-thread taskq.
 */
static void reused_entry_does_not_wait(struct kunit *test)
{
	DECLARE_COMPLETION_ONSTACK(release);
	struct percpu_task t[2];
	struct cmwq_taskq *tq;
	atomic_t running;
	int i;

	atomic_set(&running, 0);
	memset(t, 0, sizeof(t));
	tq = cmwq_taskq_create("tq_reuse", 2, DEFAULT_PRIO, 1, 8,
			       CMWQ_TASKQ_PREPOPULATE);
	KUNIT_ASSERT_NOT_NULL(test, tq);
	for (i = 0; i < 2; i++) {
		t[i].release = &release;
		t[i].running = &running;
		init_completion(&t[i].done);
		t[i].id = cmwq_taskq_dispatch(tq, percpu_task_fn, &t[i],
					      CMWQ_TQ_SLEEP);
		KUNIT_EXPECT_NE(test, t[i].id, 0UL);
		/* the first has started (and left its entry) before the second */
		if (!i)
			KUNIT_EXPECT_TRUE(test,
					  cmwq_poll(atomic_read(&running) == 1,
						    CMWQ_KUNIT_TIMEOUT));
	}
	KUNIT_EXPECT_TRUE(test, cmwq_poll(atomic_read(&running) == 2,
					  CMWQ_KUNIT_TIMEOUT));
	/* released before any assertion: nothing waits on this stack after */
	complete_all(&release);
	for (i = 0; i < 2; i++) {
		if (!t[i].id)
			continue;
		KUNIT_ASSERT_COMPLETES(test, &t[i].done);
		KUNIT_EXPECT_TRUE(test, t[i].released);
	}
	cmwq_taskq_destroy(tq);
}

static struct kunit_case cmwq_taskq_percpu_cases[] = {
	KUNIT_CASE(percpu_taskq_runs_on_dispatching_cpu),
	KUNIT_CASE(reused_entry_does_not_wait),
	{}
};

static struct kunit_suite cmwq_taskq_percpu_suite = {
	.name = "cmwq_taskq_percpu",
	.test_cases = cmwq_taskq_percpu_cases,
};

kunit_test_suite(cmwq_taskq_percpu_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit: cmwq bound taskqs");
