// SPDX-License-Identifier: GPL-2.0
/*
 * cmwq_taskq_test.c - KUnit: the Solaris taskq interface
 *
 * Written against the Solaris names of <sys/taskq.h> only, so that the
 * same cases can run against another implementation of them; only the
 * refusal accounting of the bad-input case is cmwq's own.  The cases
 * follow the ones of SPL's test suite (SPLAT), scaled to a 2-CPU TCG
 * guest, plus what a Linux port must keep (dispatch from hard IRQ and
 * atomic context, the dispatch flags, dynamic thread use, destroy with
 * delayed tasks pending, bad input).  Each case that has an entry form
 * runs twice: with taskq_dispatch() and with taskq_dispatch_ent().
 * What only cmwq can be made to do (fail worker creation) is in
 * cmwq_taskq_cmwq_test.c.
 *
 * The taskq calls that wait (taskq_wait*, taskq_cancel_id, taskq_destroy)
 * have no timeout, so each case makes them from a thread of its own
 * (run_bounded()) and gives up on it after CMWQ_KUNIT_TIMEOUT: a case
 * that would hang fails instead, leaking what the stuck thread uses.
 */
#include <kunit/test.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <sys/taskq.h>

#include "cmwq_kunit.h"

/* The two ways of dispatching, for the cases that have both. */
static const bool use_ents[] = { false, true };

static void mode_desc(const bool *ent, char *desc)
{
	strscpy(desc, *ent ? "taskq_dispatch_ent" : "taskq_dispatch",
		KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(mode, use_ents, mode_desc);

static bool ent_mode(struct kunit *test)
{
	return test->param_value && *(const bool *)test->param_value;
}

/*
 * Dispatch @func(@arg) the case's way: with taskq_dispatch(), or with
 * taskq_dispatch_ent() on @ent when the case runs with entries.
 */
static taskqid_t dispatch(struct kunit *test, taskq_t *tq, task_func_t func,
			  void *arg, unsigned int flags, taskq_ent_t *ent)
{
	if (!ent_mode(test))
		return taskq_dispatch(tq, func, arg, flags);
	taskq_init_ent(ent);
	taskq_dispatch_ent(tq, func, arg, flags, ent);
	return ent->tqent_id;
}

/* Run @fn(@arg) on a thread of its own and wait for it, bounded. */
struct bounded_call {
	struct completion	done;
	void			(*fn)(void *arg);
	void			*arg;
};

static int bounded_thread(void *data)
{
	struct bounded_call *call = data;

	call->fn(call->arg);
	complete(&call->done);
	return 0;
}

static bool run_bounded_for(struct kunit *test, void (*fn)(void *arg),
			    void *arg, unsigned long timeout)
{
	struct bounded_call *call = kzalloc(sizeof(*call), GFP_KERNEL);
	struct task_struct *task;

	KUNIT_ASSERT_NOT_NULL(test, call);
	init_completion(&call->done);
	call->fn = fn;
	call->arg = arg;
	task = kthread_run(bounded_thread, call, "taskq_test_call");
	if (IS_ERR(task)) {
		kfree(call);
		KUNIT_FAIL(test, "no thread for a bounded call");
		return false;
	}
	if (!wait_for_completion_timeout(&call->done, timeout)) {
		/* the thread still uses @call: leave it to it */
		KUNIT_FAIL(test, "%ps did not return in time", fn);
		return false;
	}
	kfree(call);
	return true;
}

static bool run_bounded(struct kunit *test, void (*fn)(void *arg), void *arg)
{
	return run_bounded_for(test, fn, arg, CMWQ_KUNIT_TIMEOUT);
}

static void wait_fn(void *tq)
{
	taskq_wait(tq);
}

static void destroy_fn(void *tq)
{
	taskq_destroy(tq);
}

/*
 * Taskqs as KUnit resources: destroyed, bounded, when the case ends,
 * after the memory its tasks use (allocated first, freed last).
 */
static void tq_res_free(struct kunit_resource *res)
{
	struct bounded_call *call;
	struct task_struct *task;

	if (!res->data)
		return;
	call = kzalloc(sizeof(*call), GFP_KERNEL);
	if (!call)
		return;
	init_completion(&call->done);
	call->fn = destroy_fn;
	call->arg = res->data;
	task = kthread_run(bounded_thread, call, "taskq_test_destroy");
	if (IS_ERR(task)) {
		kfree(call);
		return;
	}
	if (wait_for_completion_timeout(&call->done, CMWQ_KUNIT_TIMEOUT))
		kfree(call);
	else
		pr_err("taskq_test: a taskq could not be destroyed in time\n");
}

static int tq_res_init(struct kunit_resource *res, void *tq)
{
	res->data = tq;
	return 0;
}

static taskq_t *tq_create(struct kunit *test, const char *name, int nthreads,
			  pri_t pri, int minalloc, int maxalloc, uint32_t flags)
{
	taskq_t *tq = taskq_create(name, nthreads, pri, minalloc, maxalloc,
				   flags);

	KUNIT_ASSERT_NOT_NULL(test, tq);
	if (!kunit_alloc_resource(test, tq_res_init, tq_res_free, GFP_KERNEL,
				  tq)) {
		taskq_destroy(tq);
		KUNIT_FAIL(test, "no resource for taskq %s", name);
		return NULL;
	}
	return tq;
}

static bool tq_res_match(struct kunit *test, struct kunit_resource *res,
			 void *tq)
{
	return res->free == tq_res_free && res->data == tq;
}

/* Destroy a taskq of tq_create() now, bounded; the case's end leaves it. */
static bool tq_destroy(struct kunit *test, taskq_t *tq)
{
	struct kunit_resource *res = kunit_find_resource(test, tq_res_match,
							 tq);

	if (res) {
		res->data = NULL;
		kunit_put_resource(res);
	}
	return run_bounded(test, destroy_fn, tq);
}

/* One task that counts its run and signals the case. */
struct counted {
	atomic_t		ran;
	int			expected;
	struct completion	all_ran;
	taskq_t			*tq;
	atomic_t		not_member;	/* runs outside its taskq */
};

static void counted_init(struct counted *c, taskq_t *tq, int expected)
{
	atomic_set(&c->ran, 0);
	atomic_set(&c->not_member, 0);
	c->expected = expected;
	c->tq = tq;
	init_completion(&c->all_ran);
}

static void counted_fn(void *arg)
{
	struct counted *c = arg;

	if (!taskq_member(c->tq, current) || taskq_of_curthread() != c->tq)
		atomic_inc(&c->not_member);
	if (atomic_inc_return(&c->ran) == c->expected)
		complete(&c->all_ran);
}

/* One task runs, with id 1, on its taskq's thread; taskq_wait returns. */
static void single_task(struct kunit *test)
{
	taskq_ent_t *ent = kunit_kzalloc(test, sizeof(*ent), GFP_KERNEL);
	struct counted *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	taskq_t *tq;

	KUNIT_ASSERT_NOT_NULL(test, ent);
	KUNIT_ASSERT_NOT_NULL(test, c);
	tq = tq_create(test, "taskq_single", 1, defclsyspri, 50, INT_MAX,
		       TASKQ_PREPOPULATE);
	counted_init(c, tq, 1);

	KUNIT_EXPECT_EQ(test, dispatch(test, tq, counted_fn, c, TQ_SLEEP, ent),
			1UL);
	KUNIT_ASSERT_COMPLETES(test, &c->all_ran);
	KUNIT_EXPECT_TRUE(test, run_bounded(test, wait_fn, tq));
	KUNIT_EXPECT_EQ(test, atomic_read(&c->ran), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->not_member), 0);
	KUNIT_EXPECT_FALSE(test, taskq_member(tq, current));
	KUNIT_EXPECT_NULL(test, taskq_of_curthread());
	if (ent_mode(test))
		KUNIT_EXPECT_TRUE(test, taskq_empty_ent(ent));
	KUNIT_EXPECT_TRUE(test, tq_destroy(test, tq));
}

/* Tasks recording the order they ran in. */
#define ORDER_TASKQS	4
#define ORDER_TASKS	64

struct order_task {
	taskq_ent_t		ent;
	struct order_q		*q;
	int			index;
};

struct order_q {
	taskq_t			*tq;
	spinlock_t		lock;	/* nr_ran and order[] */
	int			nr_ran;
	int			order[ORDER_TASKS];
	struct cmwq_concurrency	conc;
	struct completion	done;
	struct order_task	tasks[ORDER_TASKS];
};

static void order_fn(void *arg)
{
	struct order_task *t = arg;
	struct order_q *q = t->q;
	bool last;

	cmwq_concurrency_enter(&q->conc);
	/* a sleeping task must still hold up the next one */
	if (t->index % 8 == 0)
		usleep_range(500, 1000);
	spin_lock(&q->lock);
	q->order[q->nr_ran++] = t->index;
	last = q->nr_ran == ORDER_TASKS;
	spin_unlock(&q->lock);
	cmwq_concurrency_exit(&q->conc);
	if (last)
		complete(&q->done);
}

static void order_q_init(struct order_q *q, taskq_t *tq)
{
	int i;

	q->tq = tq;
	spin_lock_init(&q->lock);
	init_completion(&q->done);
	for (i = 0; i < ORDER_TASKS; i++) {
		q->tasks[i].q = q;
		q->tasks[i].index = i;
	}
}

/*
 * Several one-thread taskqs at once: each runs its tasks one at a time,
 * in dispatch order, with ids 1, 2, 3...
 */
static void ordered_taskqs(struct kunit *test)
{
	struct order_q *qs = kunit_kcalloc(test, ORDER_TASKQS, sizeof(*qs),
					   GFP_KERNEL);
	int i, j;

	KUNIT_ASSERT_NOT_NULL(test, qs);
	for (i = 0; i < ORDER_TASKQS; i++)
		order_q_init(&qs[i], tq_create(test, "taskq_order", 1,
					       defclsyspri, 1, INT_MAX, 0));
	for (j = 0; j < ORDER_TASKS; j++)
		for (i = 0; i < ORDER_TASKQS; i++)
			KUNIT_EXPECT_EQ(test,
					dispatch(test, qs[i].tq, order_fn,
						 &qs[i].tasks[j], TQ_SLEEP,
						 &qs[i].tasks[j].ent),
					(taskqid_t)j + 1);
	for (i = 0; i < ORDER_TASKQS; i++) {
		KUNIT_ASSERT_COMPLETES(test, &qs[i].done);
		KUNIT_EXPECT_EQ(test, atomic_read(&qs[i].conc.max), 1);
		for (j = 0; j < ORDER_TASKS; j++)
			KUNIT_EXPECT_EQ(test, qs[i].order[j], j);
	}
}

static void delay_fn(void *arg)
{
	struct counted *c = arg;

	if (atomic_inc_return(&c->ran) == c->expected)
		complete(&c->all_ran);
}

/* The system taskqs run tasks, immediate and delayed. */
static void system_taskqs(struct kunit *test)
{
	taskq_ent_t *ent = kunit_kzalloc(test, sizeof(*ent), GFP_KERNEL);
	struct counted *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	struct counted *d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ent);
	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_ASSERT_NOT_NULL(test, d);
	counted_init(c, system_taskq, 1);
	counted_init(d, system_delay_taskq, 1);

	KUNIT_EXPECT_NE(test, dispatch(test, system_taskq, counted_fn, c,
				       TQ_SLEEP, ent), TASKQID_INVALID);
	KUNIT_EXPECT_NE(test, taskq_dispatch_delay(system_delay_taskq,
						   delay_fn, d, TQ_SLEEP,
						   jiffies + 1),
			TASKQID_INVALID);
	KUNIT_EXPECT_COMPLETES(test, &c->all_ran);
	KUNIT_EXPECT_COMPLETES(test, &d->all_ran);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->not_member), 0);
}

/*
 * SPLAT's wait case: taskq_wait() returns with every task dispatched
 * before it done, for 1, 2, 4 ... 1024 tasks on a one-thread taskq, with
 * 50 entries prepopulated and maxalloc unlimited, and with a maxalloc of
 * 1, past which TQ_SLEEP dispatches throttle and are never dropped.
 */
#define WAIT_MAX_TASKS	1024

struct wait_case {
	atomic_t	ran;
	taskq_ent_t	ents[WAIT_MAX_TASKS];
};

static void wait_count_fn(void *arg)
{
	atomic_inc(arg);
}

static void wait_tasks(struct kunit *test)
{
	struct wait_case *wc = kunit_kzalloc(test, sizeof(*wc), GFP_KERNEL);
	static const struct {
		int	minalloc;
		int	maxalloc;
	} allocs[] = { { 50, INT_MAX }, { 1, 1 } };
	taskq_t *tq;
	int m, n, i;

	KUNIT_ASSERT_NOT_NULL(test, wc);
	for (m = 0; m < ARRAY_SIZE(allocs); m++) {
		tq = tq_create(test, "taskq_wait", 1, maxclsyspri,
			       allocs[m].minalloc, allocs[m].maxalloc,
			       TASKQ_PREPOPULATE);
		for (n = 1; n <= WAIT_MAX_TASKS; n *= 2) {
			atomic_set(&wc->ran, 0);
			for (i = 0; i < n; i++)
				KUNIT_ASSERT_NE_MSG(test,
						    dispatch(test, tq,
							     wait_count_fn,
							     &wc->ran, TQ_SLEEP,
							     &wc->ents[i]),
						    TASKQID_INVALID,
						    "task %d of %d dropped", i,
						    n);
			KUNIT_ASSERT_TRUE(test, run_bounded(test, wait_fn, tq));
			KUNIT_EXPECT_EQ_MSG(test, atomic_read(&wc->ran), n,
					    "maxalloc %d", allocs[m].maxalloc);
		}
		KUNIT_EXPECT_TRUE(test, tq_destroy(test, tq));
	}
}

/*
 * SPLAT's order case: on a 3-thread taskq, tasks sleeping crafted times
 * finish out of dispatch order; taskq_wait_outstanding(id) returns only
 * once every task up to id has finished, whatever those after it do.
 */
#define OUT_TASKS	8

struct out_task {
	taskq_ent_t		ent;
	struct out_case		*oc;
	int			index;
};

struct out_case {
	taskq_t			*tq;
	struct cmwq_concurrency	conc;
	taskqid_t		ids[OUT_TASKS];
	atomic_t		finished[OUT_TASKS];
	int			bad;	/* waits that returned early */
	struct out_task		tasks[OUT_TASKS];
};

static const unsigned int out_sleep_ms[OUT_TASKS] = {
	60, 10, 40, 5, 30, 1, 20, 2,
};

static void out_fn(void *arg)
{
	struct out_task *t = arg;
	struct out_case *oc = t->oc;

	cmwq_concurrency_enter(&oc->conc);
	msleep(out_sleep_ms[t->index]);
	cmwq_concurrency_exit(&oc->conc);
	atomic_set(&oc->finished[t->index], 1);
}

static void out_waits(void *arg)
{
	struct out_case *oc = arg;
	int i, j;

	for (i = OUT_TASKS - 1; i >= 0; i -= 3) {
		taskq_wait_outstanding(oc->tq, oc->ids[i]);
		for (j = 0; j <= i; j++)
			if (!atomic_read(&oc->finished[j]))
				oc->bad++;
	}
}

static void wait_outstanding_order(struct kunit *test)
{
	struct out_case *oc = kunit_kzalloc(test, sizeof(*oc), GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, oc);
	oc->tq = tq_create(test, "taskq_outstanding", 3, defclsyspri, 1,
			   INT_MAX, 0);
	for (i = 0; i < OUT_TASKS; i++) {
		oc->tasks[i].oc = oc;
		oc->tasks[i].index = i;
		oc->ids[i] = dispatch(test, oc->tq, out_fn, &oc->tasks[i],
				      TQ_SLEEP, &oc->tasks[i].ent);
		KUNIT_EXPECT_EQ(test, oc->ids[i], (taskqid_t)i + 1);
	}
	/* the first wait is for the middle ids: later ones may still run */
	KUNIT_ASSERT_TRUE(test, run_bounded(test, out_waits, oc));
	KUNIT_EXPECT_EQ(test, oc->bad, 0);
	KUNIT_ASSERT_TRUE(test, run_bounded(test, wait_fn, oc->tq));
	for (i = 0; i < OUT_TASKS; i++)
		KUNIT_EXPECT_EQ(test, atomic_read(&oc->finished[i]), 1);
	KUNIT_EXPECT_LE(test, atomic_read(&oc->conc.max), 3);
	KUNIT_EXPECT_GE(test, atomic_read(&oc->conc.max), 2);
}

/*
 * TQ_FRONT: on a one-thread taskq held by a first task, a task dispatched
 * with TQ_FRONT runs before the ones pending, which keep their order.
 */
#define FRONT_TASKS	5

struct front_task {
	taskq_ent_t		ent;
	struct front_case	*fc;
	int			index;
};

struct front_case {
	struct completion	gate;
	struct completion	started;
	spinlock_t		lock;	/* nr and order[] */
	int			nr;
	int			order[FRONT_TASKS + 1];
	struct front_task	tasks[FRONT_TASKS + 1];
};

static void front_fn(void *arg)
{
	struct front_task *t = arg;
	struct front_case *fc = t->fc;

	if (!t->index) {
		complete(&fc->started);
		/* bounded: a case that fails still lets the taskq go */
		wait_for_completion_timeout(&fc->gate, CMWQ_KUNIT_TIMEOUT);
	}
	spin_lock(&fc->lock);
	fc->order[fc->nr++] = t->index;
	spin_unlock(&fc->lock);
}

static void front(struct kunit *test)
{
	struct front_case *fc = kunit_kzalloc(test, sizeof(*fc), GFP_KERNEL);
	/* the front task is the last dispatched, and runs first after 0 */
	static const int expected[FRONT_TASKS + 1] = { 0, 5, 1, 2, 3, 4 };
	taskq_t *tq;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, fc);
	init_completion(&fc->gate);
	init_completion(&fc->started);
	spin_lock_init(&fc->lock);
	tq = tq_create(test, "taskq_front", 1, defclsyspri, 1, INT_MAX, 0);
	for (i = 0; i <= FRONT_TASKS; i++) {
		fc->tasks[i].fc = fc;
		fc->tasks[i].index = i;
		KUNIT_EXPECT_NE(test, dispatch(test, tq, front_fn,
					       &fc->tasks[i],
					       i == FRONT_TASKS ? TQ_FRONT :
					       TQ_SLEEP, &fc->tasks[i].ent),
				TASKQID_INVALID);
		if (!i)
			KUNIT_ASSERT_COMPLETES(test, &fc->started);
	}
	complete(&fc->gate);
	KUNIT_ASSERT_TRUE(test, run_bounded(test, wait_fn, tq));
	KUNIT_ASSERT_EQ(test, fc->nr, FRONT_TASKS + 1);
	for (i = 0; i <= FRONT_TASKS; i++)
		KUNIT_EXPECT_EQ(test, fc->order[i], expected[i]);
}

/* A task dispatches the next from inside the taskq, 16 deep. */
#define RECURSE_DEPTH	16

struct recurse_case {
	struct kunit		*test;
	taskq_t			*tq;
	atomic_t		depth;
	atomic_t		failed;
	struct completion	done;
	taskq_ent_t		ents[RECURSE_DEPTH];
};

static void recurse_fn(void *arg)
{
	struct recurse_case *rc = arg;
	int depth = atomic_inc_return(&rc->depth);

	if (!taskq_member(rc->tq, current) || taskq_of_curthread() != rc->tq)
		atomic_inc(&rc->failed);
	if (depth == RECURSE_DEPTH) {
		complete(&rc->done);
		return;
	}
	if (!dispatch(rc->test, rc->tq, recurse_fn, rc, TQ_SLEEP,
		      &rc->ents[depth]))
		atomic_inc(&rc->failed);
}

static void recursive_dispatch(struct kunit *test)
{
	struct recurse_case *rc = kunit_kzalloc(test, sizeof(*rc), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, rc);
	rc->test = test;
	init_completion(&rc->done);
	rc->tq = tq_create(test, "taskq_recurse", 1, defclsyspri, 1, INT_MAX,
			   0);
	KUNIT_ASSERT_NE(test, dispatch(test, rc->tq, recurse_fn, rc, TQ_SLEEP,
				       &rc->ents[0]), TASKQID_INVALID);
	KUNIT_ASSERT_COMPLETES(test, &rc->done);
	KUNIT_EXPECT_EQ(test, atomic_read(&rc->depth), RECURSE_DEPTH);
	KUNIT_EXPECT_EQ(test, atomic_read(&rc->failed), 0);
}

/*
 * SPLAT's contention case: one taskq of 100 threads, 131072 trivial
 * tasks dispatched as fast as one thread can, every one of them run
 * exactly once.  SPLAT's maxalloc of 100 would make nearly every
 * taskq_dispatch() throttle, waiting for a task to finish, which under
 * TCG takes 14 s instead of 5; the throttle has cases of its own
 * (wait_tasks, sleep_throttles), so here 100 entries stay cached and
 * maxalloc does not bind.
 */
#define CONTENTION_THREADS	100
/*
 * A kernel with lockdep or KASAN runs each task ten times slower: there
 * an eighth of the tasks, so that one case stays well inside the hung
 * task detector's 30 s (the case runs inside insmod); the plain kernel
 * runs SPLAT's full shape.
 */
#define CONTENTION_TASKS	(IS_ENABLED(CONFIG_PROVE_LOCKING) ||	\
				 IS_ENABLED(CONFIG_KASAN) ? 16384 : 131072)

static void kv_res_free(struct kunit_resource *res)
{
	kvfree(res->data);
}

static int kv_res_init(struct kunit_resource *res, void *data)
{
	res->data = data;
	return 0;
}

/* Too big for kmalloc: a vmalloc'ed array, freed when the case ends. */
static void *kunit_kvcalloc(struct kunit *test, size_t n, size_t size)
{
	void *p = kvcalloc(n, size, GFP_KERNEL);

	if (p && !kunit_alloc_resource(test, kv_res_init, kv_res_free,
				       GFP_KERNEL, p)) {
		kvfree(p);
		return NULL;
	}
	return p;
}

static void contention(struct kunit *test)
{
	atomic_t *ran = kunit_kzalloc(test, sizeof(*ran), GFP_KERNEL);
	taskq_ent_t *ents = NULL;
	u64 start, ns;
	taskq_t *tq;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, ran);
	if (ent_mode(test)) {
		ents = kunit_kvcalloc(test, CONTENTION_TASKS, sizeof(*ents));
		KUNIT_ASSERT_NOT_NULL(test, ents);
	}
	tq = tq_create(test, "taskq_contention", CONTENTION_THREADS,
		       maxclsyspri, 100, INT_MAX, TASKQ_PREPOPULATE);

	start = ktime_get_ns();
	for (i = 0; i < CONTENTION_TASKS; i++)
		KUNIT_ASSERT_EQ(test,
				dispatch(test, tq, wait_count_fn, ran, TQ_SLEEP,
					 ents ? &ents[i] : NULL),
				(taskqid_t)i + 1);
	KUNIT_ASSERT_TRUE(test, run_bounded(test, wait_fn, tq));
	ns = ktime_get_ns() - start;
	KUNIT_EXPECT_EQ(test, atomic_read(ran), CONTENTION_TASKS);
	kunit_info(test, "%d tasks in %llu ms, %llu ns per task",
		   CONTENTION_TASKS, ns / NSEC_PER_MSEC,
		   ns / CONTENTION_TASKS);
}

/* Delayed tasks: never before their time, and all of them run. */
#define DELAY_TASKS	100

struct delay_task {
	struct delay_case	*dc;
	unsigned long		expire;
};

struct delay_case {
	atomic_t		ran;
	atomic_t		early;
	struct completion	done;
	struct delay_task	tasks[DELAY_TASKS];
};

static void delayed_fn(void *arg)
{
	struct delay_task *t = arg;
	struct delay_case *dc = t->dc;

	if (time_before(jiffies, t->expire))
		atomic_inc(&dc->early);
	if (atomic_inc_return(&dc->ran) == DELAY_TASKS)
		complete(&dc->done);
}

static void delayed_never_early(struct kunit *test)
{
	struct delay_case *dc = kunit_kzalloc(test, sizeof(*dc), GFP_KERNEL);
	taskq_t *tq;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, dc);
	init_completion(&dc->done);
	tq = tq_create(test, "taskq_delay", 4, defclsyspri, 1, INT_MAX, 0);
	for (i = 0; i < DELAY_TASKS; i++) {
		dc->tasks[i].dc = dc;
		/*
		 * Long enough that a timer firing at half its delay shows
		 * through the guest's late ticks under TCG.
		 */
		dc->tasks[i].expire = jiffies + HZ / 10 +
				      get_random_u32_below(HZ / 4);
		KUNIT_EXPECT_EQ(test,
				taskq_dispatch_delay(tq, delayed_fn,
						     &dc->tasks[i], TQ_SLEEP,
						     dc->tasks[i].expire),
				(taskqid_t)i + 1);
	}
	KUNIT_ASSERT_COMPLETES(test, &dc->done);
	KUNIT_EXPECT_EQ(test, atomic_read(&dc->early), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&dc->ran), DELAY_TASKS);
}

/*
 * SPLAT's cancel case, for 5 s: tasks are dispatched all along, one in
 * three at once and the others delayed by up to half a second, on a
 * 3-thread taskq whose tasks sleep 1-9 ms, while random ids are
 * cancelled.  Exact accounting: a cancel that returns 0 stops a task that
 * never runs, every other task runs once, and cancelled + ran =
 * dispatched.
 *
 * A cancel that does not meet its task running must not wait.  SPLAT
 * bounds every cancel at 10 ms; here a clock bound would measure the
 * emulator as much as the taskq, so the check that bites is structural:
 * such a cancel never sleeps (its thread's count of voluntary context
 * switches does not move).  Cancels over SPLAT's 10 ms are counted and
 * shown; one over 100 ms fails the case: ten times SPLAT's bound, which
 * absorbs a vCPU losing its host core to the other guests for a few
 * scheduler periods, while a cancel that waited for a task (1-9 ms of
 * sleep, or a delay of up to 500 ms) would still show.
 */
#define CANCEL_TASKS		512
#define CANCEL_SECS		5
#define CANCEL_SLOW_NS		(10 * NSEC_PER_MSEC)
#define CANCEL_MAX_NS		(100 * NSEC_PER_MSEC)

struct cancel_task {
	taskq_ent_t		ent;
	struct cancel_case	*cc;
	taskqid_t		id;
	atomic_t		ran;
	int			nr_cancelled;	/* cancels that returned 0 */
};

struct cancel_case {
	struct kunit		*test;
	taskq_t			*tq;
	atomic_t		ran;
	int			dispatched;
	int			attempts;
	int			cancelled;
	int			busy;
	int			gone;		/* ENOENT */
	int			bad_ret;
	int			slept;		/* cancels of no running task */
	int			slow;		/* over CANCEL_SLOW_NS */
	u64			slowest_ns;	/* of cancels of no running task */
	struct cancel_task	tasks[CANCEL_TASKS];
};

static void cancel_fn(void *arg)
{
	struct cancel_task *t = arg;

	atomic_inc(&t->ran);
	atomic_inc(&t->cc->ran);
	/* SPLAT's perturbation: a cancel now and then meets a running task */
	msleep(1 + get_random_u32_below(9));
}

static void cancel_dispatch(struct cancel_case *cc, int i)
{
	struct cancel_task *t = &cc->tasks[i];

	t->cc = cc;
	if (i % 3 == 0)
		t->id = dispatch(cc->test, cc->tq, cancel_fn, t, TQ_SLEEP,
				 &t->ent);
	else
		t->id = taskq_dispatch_delay(cc->tq, cancel_fn, t, TQ_SLEEP,
					     jiffies +
					     get_random_u32_below(HZ / 2));
	if (t->id == (taskqid_t)i + 1)
		cc->dispatched++;
}

static void cancel_one(struct cancel_case *cc, struct cancel_task *t)
{
	unsigned long nvcsw = current->nvcsw;
	u64 start = ktime_get_ns(), took;
	int ret;

	/* not dispatched: the case fails on cc->dispatched */
	if (!t->id)
		return;
	ret = taskq_cancel_id(cc->tq, t->id);
	took = ktime_get_ns() - start;
	cc->attempts++;
	switch (ret) {
	case 0:
		cc->cancelled++;
		t->nr_cancelled++;
		break;
	case ENOENT:
		cc->gone++;
		break;
	case EBUSY:
		/* it met the task running, and waited for it: as it should */
		cc->busy++;
		return;
	default:
		cc->bad_ret++;
		return;
	}
	if (current->nvcsw != nvcsw)
		cc->slept++;
	if (took > CANCEL_SLOW_NS)
		cc->slow++;
	cc->slowest_ns = max(cc->slowest_ns, took);
}

static void cancel_body(void *arg)
{
	struct cancel_case *cc = arg;
	unsigned long start = jiffies, span = CANCEL_SECS * HZ;
	int n = 0;

	while (time_before(jiffies, start + span)) {
		/* the dispatches spread over the whole span */
		while (n < CANCEL_TASKS &&
		       n <= (u64)CANCEL_TASKS * (jiffies - start) / span)
			cancel_dispatch(cc, n++);
		if (n)
			cancel_one(cc, &cc->tasks[get_random_u32_below(n)]);
		/* pacing, so that tasks run between the cancels */
		usleep_range(500, 2000);
	}
	while (n < CANCEL_TASKS)
		cancel_dispatch(cc, n++);
	taskq_wait(cc->tq);
}

static void cancel_accounting(struct kunit *test)
{
	struct cancel_case *cc = kunit_kzalloc(test, sizeof(*cc), GFP_KERNEL);
	struct cancel_task *t;
	int i, nr_ran = 0;

	KUNIT_ASSERT_NOT_NULL(test, cc);
	cc->test = test;
	cc->tq = tq_create(test, "taskq_cancel", 3, maxclsyspri, 1, 10,
			   TASKQ_PREPOPULATE);
	KUNIT_ASSERT_TRUE(test, run_bounded_for(test, cancel_body, cc,
						CANCEL_SECS * HZ +
						CMWQ_KUNIT_TIMEOUT));

	KUNIT_EXPECT_EQ(test, cc->dispatched, CANCEL_TASKS);
	KUNIT_EXPECT_GT(test, cc->cancelled, 0);
	KUNIT_EXPECT_EQ(test, cc->bad_ret, 0);
	KUNIT_EXPECT_EQ(test, cc->cancelled + atomic_read(&cc->ran),
			cc->dispatched);
	for (i = 0; i < CANCEL_TASKS; i++) {
		t = &cc->tasks[i];
		KUNIT_EXPECT_LE_MSG(test, t->nr_cancelled, 1,
				    "task %lu cancelled twice", t->id);
		KUNIT_EXPECT_EQ_MSG(test, atomic_read(&t->ran),
				    t->nr_cancelled ? 0 : 1,
				    "task %lu, cancelled %d times", t->id,
				    t->nr_cancelled);
		nr_ran += atomic_read(&t->ran);
	}
	KUNIT_EXPECT_EQ(test, nr_ran, atomic_read(&cc->ran));
	KUNIT_EXPECT_EQ_MSG(test, cc->slept, 0,
			    "cancels of tasks not running slept");
	KUNIT_EXPECT_LT(test, cc->slowest_ns, (u64)CANCEL_MAX_NS);
	kunit_info(test,
		   "%d cancels: %d cancelled, %d not found, %d running; %d over 10 ms, slowest %llu us",
		   cc->attempts, cc->cancelled, cc->gone, cc->busy, cc->slow,
		   cc->slowest_ns / NSEC_PER_USEC);
}

/*
 * Cancel of a running task waits for it and says EBUSY; of a finished or
 * unknown one, ENOENT.  TQ_NOQUEUE fails while every thread is busy.
 */
struct busy_case {
	taskq_t			*tq;
	taskq_ent_t		ent;
	taskqid_t		id;
	struct completion	started;
	atomic_t		finished;
	int			ret;
	int			finished_at_return;
};

static void busy_fn(void *arg)
{
	struct busy_case *bc = arg;

	complete(&bc->started);
	msleep(100);
	atomic_set(&bc->finished, 1);
}

static void busy_cancel(void *arg)
{
	struct busy_case *bc = arg;

	bc->ret = taskq_cancel_id(bc->tq, bc->id);
	bc->finished_at_return = atomic_read(&bc->finished);
}

static void cancel_running(struct kunit *test)
{
	struct busy_case *bc = kunit_kzalloc(test, sizeof(*bc), GFP_KERNEL);
	struct counted *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, bc);
	KUNIT_ASSERT_NOT_NULL(test, c);
	init_completion(&bc->started);
	bc->tq = tq_create(test, "taskq_busy", 1, defclsyspri, 1, INT_MAX, 0);
	counted_init(c, bc->tq, 1);

	bc->id = dispatch(test, bc->tq, busy_fn, bc, TQ_SLEEP, &bc->ent);
	KUNIT_ASSERT_NE(test, bc->id, TASKQID_INVALID);
	KUNIT_ASSERT_COMPLETES(test, &bc->started);
	KUNIT_EXPECT_EQ(test, taskq_dispatch(bc->tq, counted_fn, c,
					     TQ_NOSLEEP | TQ_NOQUEUE),
			TASKQID_INVALID);
	KUNIT_ASSERT_TRUE(test, run_bounded(test, busy_cancel, bc));
	KUNIT_EXPECT_EQ(test, bc->ret, EBUSY);
	KUNIT_EXPECT_EQ(test, bc->finished_at_return, 1);

	KUNIT_ASSERT_TRUE(test, run_bounded(test, busy_cancel, bc));
	KUNIT_EXPECT_EQ(test, bc->ret, ENOENT);
	bc->id = 1000;
	KUNIT_ASSERT_TRUE(test, run_bounded(test, busy_cancel, bc));
	KUNIT_EXPECT_EQ(test, bc->ret, ENOENT);

	/* and with the thread free, TQ_NOQUEUE dispatches */
	KUNIT_EXPECT_NE(test, taskq_dispatch(bc->tq, counted_fn, c,
					     TQ_NOSLEEP | TQ_NOQUEUE),
			TASKQID_INVALID);
	KUNIT_EXPECT_COMPLETES(test, &c->all_ran);
}

/* Dispatch from a hard IRQ (an hrtimer callback) with TQ_NOSLEEP. */
struct irq_case {
	struct kunit		*test;
	struct hrtimer		timer;
	taskq_t			*tq;
	taskq_ent_t		ent;
	taskqid_t		id;
	bool			hardirq;
	struct completion	fired;
	struct counted		c;
};

static enum hrtimer_restart irq_dispatch_fn(struct hrtimer *timer)
{
	struct irq_case *ic = container_of(timer, struct irq_case, timer);

	ic->hardirq = in_hardirq();
	ic->id = dispatch(ic->test, ic->tq, counted_fn, &ic->c, TQ_NOSLEEP,
			  &ic->ent);
	complete(&ic->fired);
	return HRTIMER_NORESTART;
}

/* Fire @ic's hrtimer, in hard IRQ, and wait for its dispatch. */
static void irq_dispatch(struct kunit *test, struct irq_case *ic)
{
	ic->test = test;
	init_completion(&ic->fired);
	hrtimer_init(&ic->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	ic->timer.function = irq_dispatch_fn;
	hrtimer_start(&ic->timer, ms_to_ktime(5), HRTIMER_MODE_REL_HARD);
	KUNIT_EXPECT_COMPLETES(test, &ic->fired);
	hrtimer_cancel(&ic->timer);
	KUNIT_EXPECT_TRUE(test, ic->hardirq);
}

/*
 * On PREEMPT_RT the allocator cannot be called in hard IRQ, so there a
 * taskq_dispatch() takes a cached entry: this taskq prepopulates one.
 */
static void dispatch_from_irq(struct kunit *test)
{
	struct irq_case *ic = kunit_kzalloc(test, sizeof(*ic), GFP_KERNEL);
	int minalloc = IS_ENABLED(CONFIG_PREEMPT_RT);

	KUNIT_ASSERT_NOT_NULL(test, ic);
	ic->tq = tq_create(test, "taskq_irq", 1, maxclsyspri, minalloc,
			   INT_MAX, minalloc ? TASKQ_PREPOPULATE : 0);
	counted_init(&ic->c, ic->tq, 1);
	irq_dispatch(test, ic);
	KUNIT_EXPECT_EQ(test, ic->id, 1UL);
	KUNIT_EXPECT_COMPLETES(test, &ic->c.all_ran);
	KUNIT_EXPECT_EQ(test, atomic_read(&ic->c.not_member), 0);
}

/*
 * A taskq_dispatch() in hard IRQ with no entry cached allocates one, but
 * not on PREEMPT_RT, where the allocator's locks sleep: there it fails,
 * cleanly (lockdep's wait-context check sees any allocation), and a
 * dispatch from a thread still allocates.
 */
static void dispatch_from_irq_uncached(struct kunit *test)
{
	struct irq_case *ic = kunit_kzalloc(test, sizeof(*ic), GFP_KERNEL);
	bool rt = IS_ENABLED(CONFIG_PREEMPT_RT);

	KUNIT_ASSERT_NOT_NULL(test, ic);
	ic->tq = tq_create(test, "taskq_irq_uncached", 1, maxclsyspri, 0,
			   INT_MAX, 0);
	counted_init(&ic->c, ic->tq, rt ? 1 : 2);
	irq_dispatch(test, ic);
	KUNIT_EXPECT_EQ(test, ic->id, rt ? 0UL : 1UL);
	KUNIT_EXPECT_EQ(test, taskq_dispatch(ic->tq, counted_fn, &ic->c,
					     TQ_NOSLEEP),
			rt ? 1UL : 2UL);
	KUNIT_EXPECT_COMPLETES(test, &ic->c.all_ran);
}

/* taskq_destroy() waits for delayed tasks, which still run on time. */
#define DESTROY_DELAYED	10

static void destroy_with_delayed(struct kunit *test)
{
	struct delay_case *dc = kunit_kzalloc(test, sizeof(*dc), GFP_KERNEL);
	taskq_t *tq;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, dc);
	init_completion(&dc->done);
	tq = tq_create(test, "taskq_destroy", 2, defclsyspri, 1, INT_MAX, 0);
	for (i = 0; i < DESTROY_DELAYED; i++) {
		dc->tasks[i].dc = dc;
		dc->tasks[i].expire = jiffies + HZ / 20 + i * (HZ / 50);
		KUNIT_EXPECT_NE(test,
				taskq_dispatch_delay(tq, delayed_fn,
						     &dc->tasks[i], TQ_SLEEP,
						     dc->tasks[i].expire),
				TASKQID_INVALID);
	}
	KUNIT_ASSERT_TRUE(test, tq_destroy(test, tq));
	KUNIT_EXPECT_EQ(test, atomic_read(&dc->ran), DESTROY_DELAYED);
	KUNIT_EXPECT_EQ(test, atomic_read(&dc->early), 0);
}

/*
 * Tasks that sleep: a one-thread taskq whose task waits does not hold up
 * another taskq's tasks, and TASKQ_THREADS_CPU_PCT at 100 runs as many at
 * once as there are online CPUs, no more.
 */
struct gated {
	struct completion	gate;
	atomic_t		started;
	struct cmwq_concurrency	conc;
	taskq_ent_t		ents[16];
};

static void gated_fn(void *arg)
{
	struct gated *g = arg;

	cmwq_concurrency_enter(&g->conc);
	atomic_inc(&g->started);
	/* bounded: a case that fails still lets the taskq go */
	wait_for_completion_timeout(&g->gate, CMWQ_KUNIT_TIMEOUT);
	cmwq_concurrency_exit(&g->conc);
}

static void sleeping_tasks(struct kunit *test)
{
	struct gated *g = kunit_kzalloc(test, sizeof(*g), GFP_KERNEL);
	struct counted *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	taskq_ent_t *ent = kunit_kzalloc(test, sizeof(*ent), GFP_KERNEL);
	int ncpus = num_online_cpus(), i;
	taskq_t *held, *other, *pct;

	KUNIT_ASSERT_NOT_NULL(test, g);
	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_ASSERT_NOT_NULL(test, ent);
	KUNIT_ASSERT_LE(test, 2 * ncpus, (int)ARRAY_SIZE(g->ents));
	init_completion(&g->gate);
	held = tq_create(test, "taskq_held", 1, defclsyspri, 1, INT_MAX, 0);
	other = tq_create(test, "taskq_other", 1, defclsyspri, 1, INT_MAX, 0);
	pct = tq_create(test, "taskq_pct", 100, defclsyspri, 1, INT_MAX,
			TASKQ_THREADS_CPU_PCT);
	counted_init(c, other, 1);

	KUNIT_ASSERT_NE(test, dispatch(test, held, gated_fn, g, TQ_SLEEP,
				       &g->ents[0]), TASKQID_INVALID);
	KUNIT_ASSERT_TRUE(test, cmwq_poll(atomic_read(&g->started) == 1,
					  CMWQ_KUNIT_TIMEOUT));
	KUNIT_EXPECT_NE(test, dispatch(test, other, counted_fn, c, TQ_SLEEP,
				       ent), TASKQID_INVALID);
	KUNIT_EXPECT_COMPLETES(test, &c->all_ran);

	for (i = 0; i < 2 * ncpus; i++)
		KUNIT_EXPECT_NE(test, dispatch(test, pct, gated_fn, g, TQ_SLEEP,
					       &g->ents[i + 1]),
				TASKQID_INVALID);
	KUNIT_EXPECT_TRUE(test, cmwq_poll(atomic_read(&g->started) ==
					  1 + ncpus, CMWQ_KUNIT_TIMEOUT));
	/* and no more start while those sleep */
	msleep(50);
	KUNIT_EXPECT_EQ(test, atomic_read(&g->started), 1 + ncpus);
	complete_all(&g->gate);
	KUNIT_EXPECT_TRUE(test, cmwq_poll(atomic_read(&g->started) ==
					  1 + 2 * ncpus, CMWQ_KUNIT_TIMEOUT));
	/* ncpus of pct's and held's one */
	KUNIT_EXPECT_EQ(test, atomic_read(&g->conc.max), 1 + ncpus);
}

/*
 * A task holding a thread of its taskq until the case lets it go; it is
 * dispatched with an entry of the case's own, so that it takes nothing
 * of the taskq's entries.
 */
struct holder {
	taskq_ent_t		ent;
	taskqid_t		id;
	struct completion	go;
	atomic_t		started;
};

static void hold_fn(void *arg)
{
	struct holder *h = arg;

	atomic_inc(&h->started);
	/* bounded: a case that fails still lets the taskq go */
	wait_for_completion_timeout(&h->go, CMWQ_KUNIT_TIMEOUT);
}

static void hold_tq_thread(struct kunit *test, taskq_t *tq, struct holder *h)
{
	init_completion(&h->go);
	atomic_set(&h->started, 0);
	taskq_init_ent(&h->ent);
	taskq_dispatch_ent(tq, hold_fn, h, TQ_SLEEP, &h->ent);
	h->id = h->ent.tqent_id;
	KUNIT_ASSERT_NE(test, h->id, TASKQID_INVALID);
	KUNIT_ASSERT_TRUE(test, cmwq_poll(atomic_read(&h->started),
					  CMWQ_KUNIT_TIMEOUT));
}

struct tq_id {
	taskq_t		*tq;
	taskqid_t	id;
};

static void wait_id_fn(void *arg)
{
	struct tq_id *w = arg;

	taskq_wait_id(w->tq, w->id);
}

/* Let a holder go and wait, bounded, until its task has finished. */
static void release_tq_thread(struct kunit *test, taskq_t *tq, struct holder *h)
{
	struct tq_id w = { .tq = tq, .id = h->id };

	complete(&h->go);
	KUNIT_EXPECT_TRUE(test, run_bounded(test, wait_id_fn, &w));
}

/*
 * Dynamic thread use: a taskq of 4 threads whose tasks sleep runs 4 of
 * them at once, more than the guest's 2 CPUs (the pools give it a worker
 * for each task that sleeps), and never 5.  The tasks are let go one by
 * one, each once the next has started, so that a fifth one running at
 * once would have every chance to show.
 */
#define DYN_THREADS	4
#define DYN_TASKS	(3 * DYN_THREADS)

struct dyn_task {
	taskq_ent_t		ent;
	struct dyn_case		*dc;
	struct completion	go;
};

struct dyn_case {
	struct cmwq_concurrency	conc;
	atomic_t		started;
	struct dyn_task		tasks[DYN_TASKS];
};

static void dyn_fn(void *arg)
{
	struct dyn_task *t = arg;
	struct dyn_case *dc = t->dc;

	cmwq_concurrency_enter(&dc->conc);
	atomic_inc(&dc->started);
	/* bounded: a case that fails still lets the taskq go */
	wait_for_completion_timeout(&t->go, CMWQ_KUNIT_TIMEOUT);
	cmwq_concurrency_exit(&dc->conc);
}

static void dynamic_threads(struct kunit *test)
{
	struct dyn_case *dc = kunit_kzalloc(test, sizeof(*dc), GFP_KERNEL);
	taskq_t *tq;
	int i, expected;

	KUNIT_ASSERT_NOT_NULL(test, dc);
	tq = tq_create(test, "taskq_dynamic", DYN_THREADS, defclsyspri, 1,
		       INT_MAX, TASKQ_DYNAMIC);
	for (i = 0; i < DYN_TASKS; i++) {
		dc->tasks[i].dc = dc;
		init_completion(&dc->tasks[i].go);
		KUNIT_EXPECT_EQ(test, dispatch(test, tq, dyn_fn, &dc->tasks[i],
					       TQ_SLEEP, &dc->tasks[i].ent),
				(taskqid_t)i + 1);
	}
	for (i = 0; i < DYN_TASKS; i++) {
		expected = min(DYN_THREADS + i, DYN_TASKS);
		KUNIT_ASSERT_TRUE_MSG(test,
				      cmwq_poll(atomic_read(&dc->started) >=
						expected, CMWQ_KUNIT_TIMEOUT),
				      "%d tasks started, %d expected",
				      atomic_read(&dc->started), expected);
		KUNIT_EXPECT_EQ(test, atomic_read(&dc->started), expected);
		/* the tasks start in dispatch order: this one has started */
		complete(&dc->tasks[i].go);
	}
	KUNIT_ASSERT_TRUE(test, run_bounded(test, wait_fn, tq));
	KUNIT_EXPECT_EQ(test, atomic_read(&dc->conc.max), DYN_THREADS);
}

/*
 * A task that waits for a task dispatched after it, on a 2-thread taskq:
 * the second runs on the other thread meanwhile.  With one entry cached
 * (minalloc 1), a taskq that gave the first task's entry back as the task
 * started hands it to the second; cmwq keeps a work from running twice at
 * once by its address, and would queue the second behind the first.
 */
struct pair_case {
	struct completion	a_started;
	struct completion	b_done;
	bool			a_saw_b;
	taskq_ent_t		ents[2];
};

static void pair_a_fn(void *arg)
{
	struct pair_case *pc = arg;

	complete(&pc->a_started);
	pc->a_saw_b = wait_for_completion_timeout(&pc->b_done,
						  CMWQ_KUNIT_TIMEOUT / 2);
}

static void pair_b_fn(void *arg)
{
	struct pair_case *pc = arg;

	complete(&pc->b_done);
}

static void waits_for_next_task(struct kunit *test)
{
	struct pair_case *pc = kunit_kzalloc(test, sizeof(*pc), GFP_KERNEL);
	taskq_t *tq;

	KUNIT_ASSERT_NOT_NULL(test, pc);
	init_completion(&pc->a_started);
	init_completion(&pc->b_done);
	tq = tq_create(test, "taskq_pair", 2, defclsyspri, 1, INT_MAX, 0);
	KUNIT_EXPECT_EQ(test, dispatch(test, tq, pair_a_fn, pc, TQ_SLEEP,
				       &pc->ents[0]), 1UL);
	KUNIT_ASSERT_COMPLETES(test, &pc->a_started);
	KUNIT_EXPECT_EQ(test, dispatch(test, tq, pair_b_fn, pc, TQ_SLEEP,
				       &pc->ents[1]), 2UL);
	KUNIT_ASSERT_TRUE(test, run_bounded(test, wait_fn, tq));
	KUNIT_EXPECT_TRUE_MSG(test, pc->a_saw_b,
			      "the second task waited behind the first");
}

/*
 * TASKQ_PREPOPULATE preallocates minalloc entries, and TQ_NOALLOC takes
 * only cached ones: with the thread held, minalloc TQ_NOALLOC dispatches
 * succeed and the next fails, though maxalloc has room.  Without
 * TASKQ_PREPOPULATE the first fails; the entry of a task that has run is
 * cached (up to minalloc), and serves TQ_NOALLOC then.
 */
#define PREPOP_ENTS	4

static void prepopulate_noalloc(struct kunit *test)
{
	struct holder *h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);
	struct counted *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	taskq_t *tq, *lazy;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, h);
	KUNIT_ASSERT_NOT_NULL(test, c);
	tq = tq_create(test, "taskq_prepop", 1, defclsyspri, PREPOP_ENTS,
		       INT_MAX, TASKQ_PREPOPULATE);
	lazy = tq_create(test, "taskq_lazy", 1, defclsyspri, PREPOP_ENTS,
			 INT_MAX, 0);

	counted_init(c, tq, PREPOP_ENTS);
	hold_tq_thread(test, tq, h);
	for (i = 0; i < PREPOP_ENTS; i++)
		KUNIT_EXPECT_EQ(test, taskq_dispatch(tq, counted_fn, c,
						     TQ_NOALLOC),
				(taskqid_t)i + 2);
	KUNIT_EXPECT_EQ(test, taskq_dispatch(tq, counted_fn, c, TQ_NOALLOC),
			TASKQID_INVALID);
	complete(&h->go);
	KUNIT_EXPECT_COMPLETES(test, &c->all_ran);
	KUNIT_ASSERT_TRUE(test, run_bounded(test, wait_fn, tq));
	KUNIT_EXPECT_EQ(test, atomic_read(&c->ran), PREPOP_ENTS);

	counted_init(c, lazy, 1);
	KUNIT_EXPECT_EQ(test, taskq_dispatch(lazy, counted_fn, c, TQ_NOALLOC),
			TASKQID_INVALID);
	KUNIT_EXPECT_EQ(test, taskq_dispatch(lazy, counted_fn, c, TQ_SLEEP),
			1UL);
	KUNIT_ASSERT_TRUE(test, run_bounded(test, wait_fn, lazy));
	KUNIT_EXPECT_EQ(test, atomic_read(&c->ran), 1);
	counted_init(c, lazy, 1);
	KUNIT_EXPECT_EQ(test, taskq_dispatch(lazy, counted_fn, c, TQ_NOALLOC),
			2UL);
	KUNIT_EXPECT_COMPLETES(test, &c->all_ran);
}

/*
 * TQ_SLEEP never drops a task, even past maxalloc: with the thread held
 * and maxalloc entries out, the next dispatch throttles (waits for an
 * entry to come back), then goes ahead anyway.  TQ_PUSHPAGE, dispatched
 * where no I/O may start (memalloc_noio, as in a writeback path), does
 * the same.  Throttled is told by the clock, by a bound a slow machine
 * only makes easier to meet: each of three such dispatches took a
 * millisecond at least (the fastest is checked, so that one stall of the
 * guest does not pass for a throttle), where one that allocates at once
 * takes microseconds.
 */
#define THROTTLE_MAX	2
#define THROTTLE_PAST	3

static void sleep_throttles(struct kunit *test)
{
	static const unsigned int flags[] = { TQ_SLEEP, TQ_PUSHPAGE };
	struct holder *h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);
	struct counted *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	unsigned int noio;
	taskqid_t id;
	u64 took, fastest;
	taskq_t *tq;
	int f, i;

	KUNIT_ASSERT_NOT_NULL(test, h);
	KUNIT_ASSERT_NOT_NULL(test, c);
	for (f = 0; f < ARRAY_SIZE(flags); f++) {
		tq = tq_create(test, "taskq_throttle", 1, defclsyspri, 0,
			       THROTTLE_MAX, 0);
		counted_init(c, tq, THROTTLE_MAX + THROTTLE_PAST);
		hold_tq_thread(test, tq, h);
		for (i = 0; i < THROTTLE_MAX; i++)
			KUNIT_EXPECT_NE(test, taskq_dispatch(tq, counted_fn, c,
							     flags[f]),
					TASKQID_INVALID);

		fastest = U64_MAX;
		for (i = 0; i < THROTTLE_PAST; i++) {
			noio = memalloc_noio_save();
			took = ktime_get_ns();
			id = taskq_dispatch(tq, counted_fn, c, flags[f]);
			took = ktime_get_ns() - took;
			memalloc_noio_restore(noio);
			fastest = min(fastest, took);
			KUNIT_EXPECT_EQ_MSG(test, id,
					    (taskqid_t)THROTTLE_MAX + i + 2,
					    "flags %#x", flags[f]);
		}
		KUNIT_EXPECT_GE_MSG(test, fastest, (u64)NSEC_PER_MSEC,
				    "flags %#x: not throttled", flags[f]);
		complete(&h->go);
		KUNIT_EXPECT_COMPLETES(test, &c->all_ran);
		KUNIT_EXPECT_TRUE(test, tq_destroy(test, tq));
		KUNIT_EXPECT_EQ(test, atomic_read(&c->ran),
				THROTTLE_MAX + THROTTLE_PAST);
	}
}

/*
 * TQ_NOSLEEP from atomic context (a spinlock held, interrupts off), with
 * the thread held: taskq_dispatch() allocates up to maxalloc entries,
 * then fails at once rather than sleep or throttle (a sleep would be
 * "scheduling while atomic"); taskq_dispatch_ent() allocates nothing and
 * never fails.  Every task dispatched runs.
 */
#define NOSLEEP_MAX	4
#define NOSLEEP_TRIES	(NOSLEEP_MAX + 2)

struct nosleep_case {
	spinlock_t		lock;	/* held around the dispatches */
	struct holder		h;
	struct counted		c;
	taskqid_t		ids[NOSLEEP_TRIES];
	taskq_ent_t		ents[NOSLEEP_TRIES];
};

static void nosleep_atomic(struct kunit *test)
{
	struct nosleep_case *nc = kunit_kzalloc(test, sizeof(*nc), GFP_KERNEL);
	int i, expected = ent_mode(test) ? NOSLEEP_TRIES : NOSLEEP_MAX;
	unsigned long flags;
	taskq_t *tq;

	KUNIT_ASSERT_NOT_NULL(test, nc);
	spin_lock_init(&nc->lock);
	tq = tq_create(test, "taskq_nosleep", 1, defclsyspri, 0, NOSLEEP_MAX,
		       0);
	counted_init(&nc->c, tq, expected);
	hold_tq_thread(test, tq, &nc->h);

	spin_lock_irqsave(&nc->lock, flags);
	for (i = 0; i < NOSLEEP_TRIES; i++)
		nc->ids[i] = dispatch(test, tq, counted_fn, &nc->c, TQ_NOSLEEP,
				      &nc->ents[i]);
	spin_unlock_irqrestore(&nc->lock, flags);

	for (i = 0; i < NOSLEEP_TRIES; i++)
		KUNIT_EXPECT_EQ_MSG(test, nc->ids[i],
				    i < expected ? (taskqid_t)i + 2 :
				    TASKQID_INVALID, "dispatch %d", i);
	complete(&nc->h.go);
	KUNIT_EXPECT_COMPLETES(test, &nc->c.all_ran);
	KUNIT_ASSERT_TRUE(test, run_bounded(test, wait_fn, tq));
	KUNIT_EXPECT_EQ(test, atomic_read(&nc->c.ran), expected);
	KUNIT_EXPECT_EQ(test, atomic_read(&nc->c.not_member), 0);
}

/*
 * TQ_NOQUEUE fails rather than queue behind busy threads: on a 2-thread
 * taskq it dispatches while a thread is free; with both running tasks it
 * fails, with TQ_SLEEP as with TQ_NOSLEEP; with one free again it
 * dispatches again.
 */
static void noqueue(struct kunit *test)
{
	struct holder *h = kunit_kcalloc(test, 2, sizeof(*h), GFP_KERNEL);
	struct counted *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	taskq_t *tq;

	KUNIT_ASSERT_NOT_NULL(test, h);
	KUNIT_ASSERT_NOT_NULL(test, c);
	tq = tq_create(test, "taskq_noqueue", 2, defclsyspri, 1, INT_MAX, 0);

	counted_init(c, tq, 1);
	hold_tq_thread(test, tq, &h[0]);
	KUNIT_EXPECT_NE(test, taskq_dispatch(tq, counted_fn, c,
					     TQ_SLEEP | TQ_NOQUEUE),
			TASKQID_INVALID);
	KUNIT_ASSERT_COMPLETES(test, &c->all_ran);

	hold_tq_thread(test, tq, &h[1]);
	KUNIT_EXPECT_EQ(test, taskq_dispatch(tq, counted_fn, c,
					     TQ_SLEEP | TQ_NOQUEUE),
			TASKQID_INVALID);
	KUNIT_EXPECT_EQ(test, taskq_dispatch(tq, counted_fn, c,
					     TQ_NOSLEEP | TQ_NOQUEUE),
			TASKQID_INVALID);

	release_tq_thread(test, tq, &h[1]);
	counted_init(c, tq, 1);
	KUNIT_EXPECT_NE(test, taskq_dispatch(tq, counted_fn, c,
					     TQ_NOSLEEP | TQ_NOQUEUE),
			TASKQID_INVALID);
	KUNIT_EXPECT_COMPLETES(test, &c->all_ran);
	release_tq_thread(test, tq, &h[0]);
}

/* maxclsyspri runs on the nice -20 pools, defclsyspri and below at 0. */
struct prio_case {
	struct completion	done;
	int			nice;
};

static void prio_fn(void *arg)
{
	struct prio_case *pc = arg;

	pc->nice = task_nice(current);
	complete(&pc->done);
}

static void priority(struct kunit *test)
{
	static const struct {
		pri_t	pri;
		int	nice;
	} prios[] = {
		{ maxclsyspri, -20 }, { defclsyspri, 0 }, { minclsyspri, 0 },
	};
	struct prio_case *pc = kunit_kzalloc(test, sizeof(*pc), GFP_KERNEL);
	taskq_ent_t *ent = kunit_kzalloc(test, sizeof(*ent), GFP_KERNEL);
	taskq_t *tq;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, pc);
	KUNIT_ASSERT_NOT_NULL(test, ent);
	for (i = 0; i < ARRAY_SIZE(prios); i++) {
		init_completion(&pc->done);
		tq = tq_create(test, "taskq_prio", 1, prios[i].pri, 1, INT_MAX,
			       0);
		KUNIT_ASSERT_NE(test, dispatch(test, tq, prio_fn, pc, TQ_SLEEP,
					       ent), TASKQID_INVALID);
		KUNIT_ASSERT_COMPLETES(test, &pc->done);
		KUNIT_EXPECT_EQ_MSG(test, pc->nice, prios[i].nice, "pri %d",
				    prios[i].pri);
		KUNIT_EXPECT_TRUE(test, tq_destroy(test, tq));
	}
}

/* Bad input: refused with one refusal counted, never a crash. */
static bool saved_keep_destroyed;

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

#define REFUSED_VOID(test, call)					\
do {									\
	int __before = cmwq_test_nr_refusals();				\
									\
	cmwq_test_expect_refusals(1);					\
	call;								\
	expect_refusal(test, __before);					\
} while (0)

static void noop_fn(void *arg)
{
}

static void bad_input(struct kunit *test)
{
	taskq_ent_t *ent = kunit_kzalloc(test, sizeof(*ent), GFP_KERNEL);
	taskq_t *tq, *dead;

	KUNIT_ASSERT_NOT_NULL(test, ent);
	tq = tq_create(test, "taskq_bad", 1, defclsyspri, 1, INT_MAX, 0);

	KUNIT_EXPECT_EQ(test, REFUSED(test, taskq_dispatch(NULL, noop_fn, NULL,
							   TQ_SLEEP)), 0UL);
	KUNIT_EXPECT_EQ(test, REFUSED(test,
				      taskq_dispatch_delay(NULL, noop_fn, NULL,
							   TQ_SLEEP, jiffies)),
			0UL);
	taskq_init_ent(ent);
	REFUSED_VOID(test, taskq_dispatch_ent(NULL, noop_fn, NULL, 0, ent));
	KUNIT_EXPECT_EQ(test, ent->tqent_id, 0UL);
	KUNIT_EXPECT_EQ(test, REFUSED(test, taskq_dispatch(tq, NULL, NULL,
							   TQ_SLEEP)), 0UL);
	KUNIT_EXPECT_EQ(test, REFUSED(test, taskq_cancel_id(NULL, 1)), EINVAL);
	KUNIT_EXPECT_EQ(test, REFUSED(test, taskq_cancel_id(tq, 0)), ENOENT);
	REFUSED_VOID(test, taskq_wait_id(tq, 0));
	REFUSED_VOID(test, taskq_wait_id(NULL, 1));
	REFUSED_VOID(test, taskq_wait(NULL));
	REFUSED_VOID(test, taskq_wait_outstanding(NULL, 0));
	KUNIT_EXPECT_EQ(test, REFUSED(test, taskq_member(NULL, current)), 0);
	REFUSED_VOID(test, taskq_destroy(NULL));
	REFUSED_VOID(test, taskq_destroy(system_taskq));
	KUNIT_EXPECT_NULL(test, REFUSED(test, taskq_create(NULL, 1, defclsyspri,
							   1, 1, 0)));

	/* a destroyed taskq, its memory kept so that it can be recognised */
	saved_keep_destroyed = cmwq_test_keep_destroyed(true);
	dead = taskq_create("taskq_dead", 1, defclsyspri, 1, INT_MAX, 0);
	KUNIT_ASSERT_NOT_NULL(test, dead);
	KUNIT_ASSERT_TRUE(test, run_bounded(test, destroy_fn, dead));
	KUNIT_EXPECT_EQ(test, REFUSED(test, taskq_dispatch(dead, noop_fn, NULL,
							   TQ_SLEEP)), 0UL);
	KUNIT_EXPECT_EQ(test, REFUSED(test,
				      taskq_dispatch_delay(dead, noop_fn, NULL,
							   TQ_SLEEP, jiffies)),
			0UL);
	taskq_init_ent(ent);
	REFUSED_VOID(test, taskq_dispatch_ent(dead, noop_fn, NULL, 0, ent));
	KUNIT_EXPECT_EQ(test, ent->tqent_id, 0UL);
	KUNIT_EXPECT_EQ(test, REFUSED(test, taskq_cancel_id(dead, 1)), EINVAL);
	REFUSED_VOID(test, taskq_wait(dead));
	REFUSED_VOID(test, taskq_wait_id(dead, 1));
	KUNIT_EXPECT_EQ(test, REFUSED(test, taskq_member(dead, current)), 0);
	REFUSED_VOID(test, taskq_destroy(dead));
	cmwq_test_keep_destroyed(saved_keep_destroyed);
}

static int taskq_test_init(struct kunit *test)
{
	saved_keep_destroyed = cmwq_test_keep_destroyed(false);
	cmwq_test_keep_destroyed(saved_keep_destroyed);
	return 0;
}

/* Whatever happened in the case, cmwq's settings are its own again. */
static void taskq_test_exit(struct kunit *test)
{
	cmwq_test_expect_refusals(0);
	cmwq_test_keep_destroyed(saved_keep_destroyed);
}

static struct kunit_case cmwq_taskq_cases[] = {
	KUNIT_CASE_PARAM(single_task, mode_gen_params),
	KUNIT_CASE_PARAM(ordered_taskqs, mode_gen_params),
	KUNIT_CASE_PARAM(system_taskqs, mode_gen_params),
	KUNIT_CASE_PARAM(wait_tasks, mode_gen_params),
	KUNIT_CASE_PARAM(wait_outstanding_order, mode_gen_params),
	KUNIT_CASE_PARAM(front, mode_gen_params),
	KUNIT_CASE_PARAM(recursive_dispatch, mode_gen_params),
	KUNIT_CASE_PARAM(contention, mode_gen_params),
	KUNIT_CASE(delayed_never_early),
	KUNIT_CASE_PARAM(cancel_accounting, mode_gen_params),
	KUNIT_CASE_PARAM(cancel_running, mode_gen_params),
	KUNIT_CASE_PARAM(dispatch_from_irq, mode_gen_params),
	KUNIT_CASE(dispatch_from_irq_uncached),
	KUNIT_CASE(destroy_with_delayed),
	KUNIT_CASE_PARAM(sleeping_tasks, mode_gen_params),
	KUNIT_CASE_PARAM(dynamic_threads, mode_gen_params),
	KUNIT_CASE_PARAM(waits_for_next_task, mode_gen_params),
	KUNIT_CASE(prepopulate_noalloc),
	KUNIT_CASE(sleep_throttles),
	KUNIT_CASE_PARAM(nosleep_atomic, mode_gen_params),
	KUNIT_CASE(noqueue),
	KUNIT_CASE_PARAM(priority, mode_gen_params),
	KUNIT_CASE(bad_input),
	{}
};

static struct kunit_suite cmwq_taskq_suite = {
	.name = "cmwq_taskq",
	.init = taskq_test_init,
	.exit = taskq_test_exit,
	.test_cases = cmwq_taskq_cases,
};

kunit_test_suites(&cmwq_taskq_suite);

MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_DESCRIPTION("KUnit tests of cmwq's Solaris taskq interface");
