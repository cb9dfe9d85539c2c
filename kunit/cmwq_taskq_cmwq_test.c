// SPDX-License-Identifier: GPL-2.0
/*
 * cmwq_taskq_cmwq_test.c - KUnit: a taskq's forward progress on cmwq
 *
 * SPL gives each taskq threads of its own, so that its tasks run whatever
 * the rest of the system does.  On cmwq a taskq's tasks run on the shared
 * per-CPU pools, and what keeps that guarantee is the taskq's rescuer
 * (every taskq is a CMWQ_MEM_RECLAIM queue, see cmwq/taskq.c).  These
 * cases make worker creation fail through cmwq's fault injection and keep
 * every worker of every CPU's normal pool asleep, which only cmwq's test
 * interface can do: hence a suite of its own beside cmwq_taskq, which
 * uses the Solaris names only and runs against other implementations.
 * Where cmwq puts a taskq's runners is checked here too (the CPU they
 * run on is cmwq's choice, not Solaris'): an idle taskq's first task
 * runs on the dispatching CPU, and tasks that keep their CPUs busy
 * spread over the CPUs.
 *
 * The suite's exit hook stops the fault injection and wakes the blockers
 * whatever happened in the case; the taskqs, KUnit resources, are
 * destroyed after it.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/sched/prio.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <sys/taskq.h>

#include "cmwq_kunit.h"

/* The works that keep every worker of the normal pools asleep. */
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

static void queue_blocker(struct blockade *b, int cpu)
{
	struct blocker *bl = &b->blockers[b->nr++];

	CMWQ_INIT_WORK(&bl->work, blocker_fn);
	bl->b = b;
	init_completion(&bl->done);
	cmwq_queue_work_on(cpu, b->wq, &bl->work);
}

/* Every worker runs a blocker, and the manager fails to create more. */
static bool pool_stuck(int cpu, unsigned long failed_before)
{
	struct cmwq_test_pool_stats st;

	cmwq_test_pool_stats(cpu, false, &st);
	return st.managing && !st.nr_idle &&
	       st.nr_create_failed > failed_before;
}

/*
 * Occupy every worker of each online CPU's normal pool, the ones
 * defclsyspri taskqs run on, with worker creation failing.  A first
 * blocker per CPU is queued while creation still works, so that at least
 * one blocker runs on a worker that is not the manager (which a case lets
 * go to see the pools' own workers come back); then, creation failing,
 * one blocker more than the pool has workers, so that the last worker to
 * wake finds no idle one behind it, manages, and keeps failing.  The
 * blockers sleep: each pool's concurrency management wakes the next
 * worker for the next.
 */
static struct blockade *block_pools(struct kunit *test)
{
	struct blockade *b = test->priv;
	struct cmwq_test_pool_stats st;
	int cpu, i, nr_cpus = 0;
	unsigned long *failed;

	/* before the queue: freed only once it is destroyed, drained */
	b->blockers = kunit_kcalloc(test, MAX_BLOCKERS, sizeof(*b->blockers),
				    GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b->blockers);
	failed = kunit_kcalloc(test, nr_cpu_ids, sizeof(*failed), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, failed);
	b->wq = cmwq_kunit_alloc_wq(test, "tq_block", 0, MAX_BLOCKERS);
	KUNIT_ASSERT_NOT_NULL(test, b->wq);

	/* no CPU comes or goes in these cases: the test kernel has none */
	for_each_online_cpu(cpu) {
		queue_blocker(b, cpu);
		nr_cpus++;
	}
	KUNIT_ASSERT_TRUE(test, cmwq_poll(atomic_read(&b->started) == nr_cpus,
					  CMWQ_KUNIT_TIMEOUT));
	if (cmwq_test_fail_create_worker(true))
		kunit_skip(test, "no fault injection in this kernel");

	/* no worker is created from now on: the counts only shrink */
	for_each_online_cpu(cpu) {
		cmwq_test_pool_stats(cpu, false, &st);
		failed[cpu] = st.nr_create_failed;
		KUNIT_ASSERT_LT(test, b->nr + st.nr_workers, MAX_BLOCKERS);
		for (i = 0; i <= st.nr_workers; i++)
			queue_blocker(b, cpu);
	}
	for_each_online_cpu(cpu)
		KUNIT_ASSERT_TRUE(test,
				  cmwq_poll(pool_stuck(cpu, failed[cpu]),
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

/* A taskq with @minalloc entries prepopulated, destroyed at the end. */
static taskq_t *tq_create_pri(struct kunit *test, const char *name,
			      int nthreads, pri_t pri, int minalloc)
{
	taskq_t *tq = taskq_create(name, nthreads, pri, minalloc, INT_MAX,
				   TASKQ_PREPOPULATE);

	KUNIT_ASSERT_NOT_NULL(test, tq);
	if (!kunit_alloc_resource(test, tq_res_init, tq_res_free, GFP_KERNEL,
				  tq)) {
		taskq_destroy(tq);
		KUNIT_FAIL(test, "no resource for taskq %s", name);
		return NULL;
	}
	return tq;
}

static taskq_t *tq_create(struct kunit *test, const char *name, int nthreads)
{
	return tq_create_pri(test, name, nthreads, defclsyspri, nthreads);
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
	block_pools(test);
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
 * Task A waits (bounded) for task B of the same 2-thread taskq.  With no
 * worker to be had, the rescuer comes and runs A, which waits; then the
 * pools' workers are let go (creation still failing).  B must run on one
 * of them while A waits: neither the rescuer, stuck in A, nor A's runner
 * may hold on to it.
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
	b = block_pools(test);
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

/* Where a task ran, in the IPI that dispatches it on a chosen CPU. */
struct where_task {
	taskq_t			*tq;
	struct completion	done;
	taskqid_t		id;
	int			cpu;
};

static void where_fn(void *arg)
{
	struct where_task *t = arg;

	t->cpu = raw_smp_processor_id();
	complete(&t->done);
}

static void where_dispatch_fn(void *arg)
{
	struct where_task *t = arg;

	t->id = taskq_dispatch(t->tq, where_fn, t, TQ_NOSLEEP);
}

/* Dispatch a task from @cpu on @tq, idle, and return where it ran. */
static int run_from(struct kunit *test, taskq_t *tq, int cpu)
{
	struct where_task t = { .tq = tq, .cpu = -1 };

	init_completion(&t.done);
	KUNIT_EXPECT_EQ(test, smp_call_function_single(cpu, where_dispatch_fn,
						       &t, true), 0);
	KUNIT_EXPECT_NE(test, t.id, TASKQID_INVALID);
	if (t.id)
		KUNIT_EXPECT_COMPLETES(test, &t.done);
	/* its runner returns too, so that the next task finds none */
	taskq_wait(tq);
	return t.cpu;
}

/*
 * An idle taskq's first task runs on the CPU that dispatched it, with no
 * other CPU woken, unless the taskq is high-priority: a nice -20 worker
 * there would preempt the dispatcher, so it runs on another CPU.
 */
static void first_task_placement(struct kunit *test)
{
	taskq_t *tq = tq_create(test, "tq_where", 4);
	taskq_t *hi = tq_create_pri(test, "tq_where_hi", 4, maxclsyspri, 4);
	int cpu;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two CPUs");
	for_each_online_cpu(cpu) {
		KUNIT_EXPECT_EQ(test, run_from(test, tq, cpu), cpu);
		KUNIT_EXPECT_NE(test, run_from(test, hi, cpu), cpu);
	}
}

/*
 * Tasks that keep their CPU busy, dispatched from one CPU, run on
 * several at once: the runner that starts while tasks wait queues the
 * next on another CPU's pool.  Two tasks of a 2-thread taskq, dispatched
 * together, spin without sleeping until both run (or a bound passes),
 * and note their CPU.  Runners sharing a CPU would run them one after
 * the other (concurrency management starts the second only when the
 * first sleeps, or, past cmwq's CPU hog threshold, side by side on that
 * one CPU): the CPUs would be the same.
 */
#define SPIN_BOUND	(2 * HZ)

struct spin_case {
	atomic_t		running;
	atomic_t		met;
	struct completion	done;
	int			cpu[2];
};

struct spin_task {
	struct spin_case	*sc;
	int			index;
};

static void spin_fn(void *arg)
{
	struct spin_task *t = arg;
	struct spin_case *sc = t->sc;
	unsigned long end = jiffies + SPIN_BOUND;

	sc->cpu[t->index] = raw_smp_processor_id();
	atomic_inc(&sc->running);
	while (atomic_read(&sc->running) < 2 && time_before(jiffies, end))
		cpu_relax();
	if (atomic_read(&sc->running) == 2)
		atomic_inc(&sc->met);
	complete(&sc->done);
}

static void busy_tasks_spread(struct kunit *test)
{
	struct spin_case *sc = kunit_kzalloc(test, sizeof(*sc), GFP_KERNEL);
	struct spin_task *t = kunit_kcalloc(test, 2, sizeof(*t), GFP_KERNEL);
	taskq_t *tq = tq_create(test, "tq_spread", 2);
	taskqid_t id[2];
	int i;

	KUNIT_ASSERT_NOT_NULL(test, sc);
	KUNIT_ASSERT_NOT_NULL(test, t);
	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two CPUs");
	init_completion(&sc->done);
	/* both queued before either starts: the first runner finds both */
	preempt_disable();
	for (i = 0; i < 2; i++) {
		t[i].sc = sc;
		t[i].index = i;
		id[i] = taskq_dispatch(tq, spin_fn, &t[i], TQ_NOSLEEP);
	}
	preempt_enable();
	for (i = 0; i < 2; i++) {
		KUNIT_EXPECT_NE(test, id[i], TASKQID_INVALID);
		if (id[i])
			KUNIT_EXPECT_COMPLETES(test, &sc->done);
	}
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&sc->met), 2,
			    "the two busy tasks did not run at once");
	KUNIT_EXPECT_NE(test, sc->cpu[0], sc->cpu[1]);
}

/*
 * A thread that dispatches a stream of tasks to a high-priority taskq
 * keeps its CPU: no runner goes there, where its nice -20 worker would
 * preempt the dispatcher at once.  The tasks, dispatched from one CPU
 * that cannot be left meanwhile, note where they run; none may run
 * there, the first runner going to another CPU and the next ones round
 * the CPUs past the dispatcher's.  Each task keeps its CPU busy a while
 * (far below cmwq's CPU hog threshold), so that tasks still wait when
 * the dispatcher is done and a runner queued on its CPU would run there.
 */
#define STREAM_TASKS	16
#define STREAM_BUSY_US	200

struct stream_case {
	atomic_t		ran;
	struct completion	done;
	int			cpu[STREAM_TASKS];
};

struct stream_task {
	struct stream_case	*sc;
	int			index;
};

static void stream_fn(void *arg)
{
	struct stream_task *t = arg;

	t->sc->cpu[t->index] = raw_smp_processor_id();
	udelay(STREAM_BUSY_US);
	if (atomic_inc_return(&t->sc->ran) == STREAM_TASKS)
		complete(&t->sc->done);
}

static void highpri_stream_keeps_cpu(struct kunit *test)
{
	struct stream_case *sc = kunit_kzalloc(test, sizeof(*sc), GFP_KERNEL);
	struct stream_task *t = kunit_kcalloc(test, STREAM_TASKS, sizeof(*t),
					      GFP_KERNEL);
	/*
	 * The dispatches keep the CPU (preemption off), where PREEMPT_RT
	 * cannot allocate: every entry is cached.
	 */
	taskq_t *tq = tq_create_pri(test, "tq_stream", 4, maxclsyspri,
				    STREAM_TASKS);
	int cpu, i;

	KUNIT_ASSERT_NOT_NULL(test, sc);
	KUNIT_ASSERT_NOT_NULL(test, t);
	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two CPUs");
	init_completion(&sc->done);
	cpu = get_cpu();
	for (i = 0; i < STREAM_TASKS; i++) {
		t[i].sc = sc;
		t[i].index = i;
		KUNIT_EXPECT_NE(test, taskq_dispatch(tq, stream_fn, &t[i],
						     TQ_NOSLEEP),
				TASKQID_INVALID);
	}
	put_cpu();
	KUNIT_ASSERT_COMPLETES(test, &sc->done);
	for (i = 0; i < STREAM_TASKS; i++)
		KUNIT_EXPECT_NE_MSG(test, sc->cpu[i], cpu,
				    "task %d ran on the dispatcher's CPU", i);
}

static struct kunit_case cmwq_taskq_cmwq_cases[] = {
	KUNIT_CASE(tasks_run_without_workers),
	KUNIT_CASE(rescuer_leaves_other_tasks),
	KUNIT_CASE(first_task_placement),
	KUNIT_CASE(busy_tasks_spread),
	KUNIT_CASE(highpri_stream_keeps_cpu),
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
