// SPDX-License-Identifier: GPL-2.0
/*
 * cmwq_taskq_cmwq_test.c - KUnit: a taskq's forward progress on cmwq
 *
 * SPL gives each taskq threads of its own, so that its tasks run whatever
 * the rest of the system does.  On cmwq a taskq's tasks run on the shared
 * unbound pool, and what keeps that guarantee is the taskq's rescuer
 * (every taskq is a CMWQ_MEM_RECLAIM queue, see cmwq/taskq.c).  These
 * cases make worker creation fail through cmwq's fault injection and keep
 * every worker of the unbound pool asleep, which only cmwq's test
 * interface can do: hence a suite of its own beside cmwq_taskq, which
 * uses the Solaris names only and runs against other implementations.
 * cmwq's own taskq flag, CMWQ_TASKQ_PERCPU, is checked here too: a bound
 * taskq runs a task on the CPU that dispatched it, and its thread count
 * limits each CPU's tasks apart.
 *
 * The suite's exit hook stops the fault injection and wakes the blockers
 * whatever happened in the case; the taskqs, KUnit resources, are
 * destroyed after it.
 */
#include <kunit/test.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/sched/prio.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <sys/taskq.h>

#include "cmwq_kunit.h"

/* The works that keep every worker of the unbound pool asleep. */
#define MAX_BLOCKERS	CMWQ_MAX_ACTIVE

struct blocker {
	struct cmwq_work	work;
	struct blockade		*b;
	struct completion	done;
};

struct blockade {
	struct cmwq_workqueue	*wq;
	struct blocker		*blockers;
	int			nr;
	atomic_t		started;
	struct completion	release;
};

static void blocker_fn(struct cmwq_work *work)
{
	struct blocker *bl = container_of(work, struct blocker, work);

	atomic_inc(&bl->b->started);
	/* bounded: the exit hook releases it, this is a last resort */
	wait_for_completion_timeout(&bl->b->release, 3 * CMWQ_KUNIT_TIMEOUT);
	complete_all(&bl->done);
}

static void queue_blocker(struct blockade *b)
{
	struct blocker *bl = &b->blockers[b->nr++];

	CMWQ_INIT_WORK(&bl->work, blocker_fn);
	bl->b = b;
	init_completion(&bl->done);
	cmwq_queue_work(b->wq, &bl->work);
}

/* Every worker runs a blocker, and the manager fails to create more. */
static bool unbound_pool_stuck(unsigned long failed_before)
{
	struct cmwq_test_pool_stats st;

	cmwq_test_pool_stats(CMWQ_CPU_UNBOUND, false, &st);
	return st.managing && !st.nr_idle &&
	       st.nr_create_failed > failed_before;
}

/*
 * Occupy every worker of the unbound normal pool, the one defclsyspri
 * taskqs run on, with worker creation failing.  A first blocker is
 * queued while creation still works, so that at least one blocker runs
 * on a worker that is not the manager (which a case lets go to see the
 * pool's own workers come back); then, creation failing, one blocker
 * more than the pool has workers, so that the last worker to wake finds
 * no idle one behind it, manages, and keeps failing.
 */
static struct blockade *block_unbound_pool(struct kunit *test)
{
	struct blockade *b = test->priv;
	struct cmwq_test_pool_stats st;
	int i;

	/* before the queue: freed only once it is destroyed, drained */
	b->blockers = kunit_kcalloc(test, MAX_BLOCKERS, sizeof(*b->blockers),
				    GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b->blockers);
	b->wq = cmwq_kunit_alloc_wq(test, "tq_block", CMWQ_UNBOUND,
				    MAX_BLOCKERS);
	KUNIT_ASSERT_NOT_NULL(test, b->wq);

	queue_blocker(b);
	KUNIT_ASSERT_TRUE(test, cmwq_poll(atomic_read(&b->started) == 1,
					  CMWQ_KUNIT_TIMEOUT));
	if (cmwq_test_fail_create_worker(true))
		kunit_skip(test, "no fault injection in this kernel");

	/* no worker is created from now on: the count only shrinks */
	cmwq_test_pool_stats(CMWQ_CPU_UNBOUND, false, &st);
	KUNIT_ASSERT_LT(test, b->nr + st.nr_workers, MAX_BLOCKERS);
	for (i = 0; i <= st.nr_workers; i++)
		queue_blocker(b);
	KUNIT_ASSERT_TRUE(test,
			  cmwq_poll(unbound_pool_stuck(st.nr_create_failed),
				    CMWQ_KUNIT_TIMEOUT));
	return b;
}

/* Let the pool's workers go; creation stays failing unless @creation. */
static void unblock(struct kunit *test, struct blockade *b, bool creation)
{
	int i;

	if (creation)
		cmwq_test_fail_create_worker(false);
	complete_all(&b->release);
	for (i = 0; i < b->nr; i++)
		KUNIT_EXPECT_COMPLETES(test, &b->blockers[i].done);
}

static int taskq_cmwq_test_init(struct kunit *test)
{
	struct blockade *b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);

	if (!b)
		return -ENOMEM;
	atomic_set(&b->started, 0);
	init_completion(&b->release);
	test->priv = b;
	return 0;
}

/* Whatever happened in the case, worker creation works again after it. */
static void taskq_cmwq_test_exit(struct kunit *test)
{
	unblock(test, test->priv, true);
}

/* Taskqs as KUnit resources, destroyed (bounded) when the case ends. */
struct tq_destroyer {
	struct completion	done;
	taskq_t			*tq;
};

static int tq_destroyer_fn(void *arg)
{
	struct tq_destroyer *d = arg;

	taskq_destroy(d->tq);
	complete(&d->done);
	return 0;
}

static void tq_res_free(struct kunit_resource *res)
{
	struct tq_destroyer *d = kzalloc(sizeof(*d), GFP_KERNEL);
	struct task_struct *task;

	if (!d)
		return;
	init_completion(&d->done);
	d->tq = res->data;
	task = kthread_run(tq_destroyer_fn, d, "tq_cmwq_destroy");
	if (IS_ERR(task)) {
		kfree(d);
		return;
	}
	if (wait_for_completion_timeout(&d->done, CMWQ_KUNIT_TIMEOUT))
		kfree(d);
	else
		pr_err("taskq_cmwq_test: a taskq could not be destroyed in time\n");
}

static int tq_res_init(struct kunit_resource *res, void *tq)
{
	res->data = tq;
	return 0;
}

static taskq_t *tq_create(struct kunit *test, const char *name, int nthreads)
{
	taskq_t *tq = taskq_create(name, nthreads, defclsyspri, nthreads,
				   INT_MAX, TASKQ_PREPOPULATE);

	KUNIT_ASSERT_NOT_NULL(test, tq);
	if (!kunit_alloc_resource(test, tq_res_init, tq_res_free, GFP_KERNEL,
				  tq)) {
		taskq_destroy(tq);
		KUNIT_FAIL(test, "no resource for taskq %s", name);
		return NULL;
	}
	return tq;
}

/*
 * With no worker to be had, a taskq's tasks all run, each once, on its
 * rescuer (the thread named after the taskq).  The tasks do not wait on
 * each other, so this holds whether the rescuer takes a queue's works
 * all at once or one at a time; the taskq has fewer threads than tasks,
 * so the rescuer also runs tasks that became active only as others
 * finished.  Half are dispatched with taskq_dispatch(), half with
 * taskq_dispatch_ent().
 */
#define FWD_THREADS	4
#define FWD_TASKS	(4 * FWD_THREADS)
#define FWD_NAME	"tq_forward"

struct fwd_task {
	taskq_ent_t		ent;
	struct fwd_case		*fc;
	atomic_t		runs;
	char			comm[TASK_COMM_LEN];
};

struct fwd_case {
	atomic_t		ran;
	struct completion	done;
	struct fwd_task		tasks[FWD_TASKS];
};

static void fwd_fn(void *arg)
{
	struct fwd_task *t = arg;

	get_task_comm(t->comm, current);
	atomic_inc(&t->runs);
	if (atomic_inc_return(&t->fc->ran) == FWD_TASKS)
		complete(&t->fc->done);
}

static void tasks_run_without_workers(struct kunit *test)
{
	struct fwd_case *fc = kunit_kzalloc(test, sizeof(*fc), GFP_KERNEL);
	struct fwd_task *t;
	taskq_t *tq;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, fc);
	init_completion(&fc->done);
	block_unbound_pool(test);
	tq = tq_create(test, FWD_NAME, FWD_THREADS);

	for (i = 0; i < FWD_TASKS; i++) {
		t = &fc->tasks[i];
		t->fc = fc;
		if (i % 2) {
			taskq_init_ent(&t->ent);
			taskq_dispatch_ent(tq, fwd_fn, t, TQ_SLEEP, &t->ent);
			KUNIT_EXPECT_EQ(test, t->ent.tqent_id, (taskqid_t)i + 1);
		} else {
			KUNIT_EXPECT_EQ(test, taskq_dispatch(tq, fwd_fn, t,
							     TQ_SLEEP),
					(taskqid_t)i + 1);
		}
	}
	KUNIT_EXPECT_COMPLETES(test, &fc->done);
	for (i = 0; i < FWD_TASKS; i++) {
		t = &fc->tasks[i];
		KUNIT_EXPECT_EQ(test, atomic_read(&t->runs), 1);
		KUNIT_EXPECT_STREQ_MSG(test, t->comm, FWD_NAME,
				       "task %d not run by the rescuer", i);
	}
}

/*
 * EXPECTED TO FAIL with the rescuer that takes all of a queue's works at
 * once (cmwq/rescuer.c before it takes one work at a time): it checks
 * that the rescuer does not hold on to works it is not running.
 *
 * Task A waits (bounded) for task B of the same 2-thread taskq.  With no
 * worker to be had, the rescuer comes and runs A, which waits; then the
 * pool's workers are let go (creation still failing).  B must run on one
 * of them while A waits.  A rescuer that took B along with A keeps it
 * from them until A gives up, and runs it itself after.
 */
#define DEP_NAME	"tq_fwd_dep"
#define DEP_WAIT	(CMWQ_KUNIT_TIMEOUT / 2)

struct dep_case {
	struct completion	a_started;
	struct completion	a_done;
	struct completion	b_done;
	bool			a_saw_b;
	char			a_comm[TASK_COMM_LEN];
	char			b_comm[TASK_COMM_LEN];
};

static void dep_a_fn(void *arg)
{
	struct dep_case *dc = arg;

	get_task_comm(dc->a_comm, current);
	complete(&dc->a_started);
	dc->a_saw_b = wait_for_completion_timeout(&dc->b_done, DEP_WAIT);
	complete(&dc->a_done);
}

static void dep_b_fn(void *arg)
{
	struct dep_case *dc = arg;

	get_task_comm(dc->b_comm, current);
	complete_all(&dc->b_done);
}

static void rescuer_leaves_other_tasks(struct kunit *test)
{
	struct dep_case *dc = kunit_kzalloc(test, sizeof(*dc), GFP_KERNEL);
	struct blockade *b;
	taskq_t *tq;

	KUNIT_ASSERT_NOT_NULL(test, dc);
	init_completion(&dc->a_started);
	init_completion(&dc->a_done);
	init_completion(&dc->b_done);
	b = block_unbound_pool(test);
	tq = tq_create(test, DEP_NAME, 2);

	/* A first: should the rescuer come between the two, A is its one */
	KUNIT_EXPECT_EQ(test, taskq_dispatch(tq, dep_a_fn, dc, TQ_SLEEP), 1UL);
	KUNIT_EXPECT_EQ(test, taskq_dispatch(tq, dep_b_fn, dc, TQ_SLEEP), 2UL);
	KUNIT_ASSERT_COMPLETES(test, &dc->a_started);
	KUNIT_EXPECT_STREQ(test, dc->a_comm, DEP_NAME);
	KUNIT_EXPECT_FALSE(test, completion_done(&dc->b_done));

	/* a worker frees up while the rescuer is stuck in A */
	unblock(test, b, false);
	KUNIT_ASSERT_COMPLETES(test, &dc->a_done);
	KUNIT_EXPECT_TRUE_MSG(test, dc->a_saw_b,
			      "B did not run while A waited for it");
	KUNIT_EXPECT_COMPLETES(test, &dc->b_done);
	KUNIT_EXPECT_STRNEQ_MSG(test, dc->b_comm, DEP_NAME,
				"B ran on the rescuer, not on a pool worker");
}

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

static struct kunit_case cmwq_taskq_cmwq_cases[] = {
	KUNIT_CASE(tasks_run_without_workers),
	KUNIT_CASE(rescuer_leaves_other_tasks),
	KUNIT_CASE(percpu_taskq_runs_on_dispatching_cpu),
	{}
};

static struct kunit_suite cmwq_taskq_cmwq_suite = {
	.name = "cmwq_taskq_cmwq",
	.init = taskq_cmwq_test_init,
	.exit = taskq_cmwq_test_exit,
	.test_cases = cmwq_taskq_cmwq_cases,
};

kunit_test_suites(&cmwq_taskq_cmwq_suite);

MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_DESCRIPTION("KUnit tests of cmwq's Solaris taskqs' forward progress");
