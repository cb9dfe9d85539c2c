// SPDX-License-Identifier: GPL-2.0
/*
 * cmwq_task_test.c - KUnit: task(9) and taskqueue(9) of NetBSD's 2014
 * proposal, on cmwq
 *
 * Written against the proposal's names only (compat/netbsd), as NetBSD
 * code would be, apart from cmwq's test helpers: bounded waits and the
 * announcement of the refusals a case provokes.  Each case checks one
 * promise of the man pages (a task scheduled several times before its
 * run runs once; scheduled once begun, once more after it returned or
 * called task_done(); task_cancel()'s answer, its wait and its
 * interlock; draining; the queues by priority), then the combinations:
 * cancel against schedules from another CPU, drain against a task
 * scheduled again, schedules from hard interrupts, sleeping tasks.
 *
 * Every wait is bounded: a task blocked by a case waits for it with
 * CMWQ_KUNIT_TIMEOUT, and the case waits for the task as long.  A task
 * is kept from starting by holding a spin mutex (IPL_VM): interrupts and
 * preemption are off, and the task queue's worker for this CPU, where
 * the task was scheduled, cannot run.
 */
#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/cpu.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/slab.h>
#include <linux/smp.h>

#include "cmwq_kunit.h"

#include <sys/mutex.h>
#include <sys/param.h>
#include <sys/task.h>

#define THRASH_COUNT	10000
/* the debug kernel under TCG is slow: insmod waits for every case */
#define REMOTE_ROUNDS	(IS_ENABLED(CONFIG_KASAN) ? 2000 : THRASH_COUNT)
#define ASYNC_ROUNDS	4000
#define SLEEPERS	16
#define SLEEP_MS	50

/* A task and what its action did. */
struct tk {
	struct task		task;
	kmutex_t		lock;		/* the interlock */
	atomic_t		runs;		/* actions begun */
	atomic_t		ends;		/* actions returned */
	atomic_t		now;		/* actions running */
	atomic_t		overlaps;	/* began while another ran */
	struct completion	started;	/* one per action begun */
	struct completion	release;	/* one per blocked action let go */
	struct completion	ended;		/* one per action returned */
	bool			block;		/* wait for release */
	bool			take_lock;	/* take the interlock, after */
	bool			call_done;	/* task_done() first */
	unsigned int		sleep_ms;
	int			cpu;		/* where it last ran */
	bool			timed_out;	/* release never came */
};

static void tk_fn(struct task *task)
{
	struct tk *t = container_of(task, struct tk, task);
	/* decided as it begins: a case may clear it once it has started */
	bool block = READ_ONCE(t->block);

	if (atomic_inc_return(&t->now) > 1)
		atomic_inc(&t->overlaps);
	WRITE_ONCE(t->cpu, raw_smp_processor_id());
	atomic_inc(&t->runs);
	complete(&t->started);
	if (t->call_done) {
		/* running on, not counted: another run may begin */
		atomic_dec(&t->now);
		task_done(task);
	}
	if (block &&
	    !wait_for_completion_timeout(&t->release, CMWQ_KUNIT_TIMEOUT))
		WRITE_ONCE(t->timed_out, true);
	if (t->take_lock) {
		mutex_enter(&t->lock);
		mutex_exit(&t->lock);
	}
	if (t->sleep_ms)
		msleep(t->sleep_ms);
	if (!t->call_done)
		atomic_dec(&t->now);
	atomic_inc(&t->ends);
	complete(&t->ended);
}

static void tk_init(struct tk *t, int ipl)
{
	task_init(&t->task, tk_fn);
	mutex_init(&t->lock, MUTEX_DEFAULT, ipl);
	init_completion(&t->started);
	init_completion(&t->release);
	init_completion(&t->ended);
}

static struct tk *tk_alloc(struct kunit *test, int ipl)
{
	struct tk *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	tk_init(t, ipl);
	return t;
}

/* Let every blocked action go, wait for them, and end the task. */
static void tk_fini(struct kunit *test, struct tk *t)
{
	WRITE_ONCE(t->block, false);
	complete_all(&t->release);
	mutex_enter(&t->lock);
	task_cancel(&t->task, &t->lock);
	mutex_exit(&t->lock);
	task_destroy(&t->task);
	mutex_destroy(&t->lock);
	KUNIT_EXPECT_FALSE(test, t->timed_out);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->overlaps), 0);
}

/* A task scheduled runs once, on the system task queue. */
static void schedule_runs(struct kunit *test)
{
	struct tk *t = tk_alloc(test, IPL_NONE);

	task_schedule(&t->task);
	KUNIT_EXPECT_COMPLETES(test, &t->ended);
	task_drain();
	KUNIT_EXPECT_EQ(test, atomic_read(&t->runs), 1);
	/* and again, once it is done */
	task_schedule(&t->task);
	KUNIT_EXPECT_COMPLETES(test, &t->ended);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->runs), 2);
	tk_fini(test, t);
}

/* Scheduled many times before it runs, it runs once. */
static void schedule_before_run_runs_once(struct kunit *test)
{
	struct tk *t = tk_alloc(test, IPL_VM);
	int i;

	mutex_enter(&t->lock);
	for (i = 0; i < 100; i++)
		task_schedule(&t->task);
	mutex_exit(&t->lock);
	KUNIT_EXPECT_COMPLETES(test, &t->ended);
	task_drain();
	KUNIT_EXPECT_EQ(test, atomic_read(&t->runs), 1);
	tk_fini(test, t);
}

/*
 * Scheduled (several times) once it began, it runs once more, after the
 * action returned: never two at once.
 */
static void schedule_while_running_runs_again(struct kunit *test)
{
	struct tk *t = tk_alloc(test, IPL_NONE);
	int i;

	t->block = true;
	task_schedule(&t->task);
	KUNIT_ASSERT_COMPLETES(test, &t->started);
	for (i = 0; i < 3; i++)
		task_schedule(&t->task);
	/* not before the first returns */
	KUNIT_EXPECT_FALSE(test, cmwq_poll(atomic_read(&t->runs) > 1, HZ / 10));
	WRITE_ONCE(t->block, false);
	complete(&t->release);
	KUNIT_EXPECT_COMPLETES(test, &t->started);
	task_drain();
	KUNIT_EXPECT_EQ(test, atomic_read(&t->runs), 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->ends), 2);
	tk_fini(test, t);
}

/* After task_done(), a schedule runs it again while the first still runs. */
static void task_done_lets_it_run_again(struct kunit *test)
{
	struct tk *t = tk_alloc(test, IPL_NONE);

	t->call_done = true;
	t->block = true;
	task_schedule(&t->task);
	KUNIT_ASSERT_COMPLETES(test, &t->started);
	WRITE_ONCE(t->block, false);
	task_schedule(&t->task);
	/* the second begins, and ends, with the first still blocked */
	KUNIT_EXPECT_COMPLETES(test, &t->started);
	KUNIT_EXPECT_COMPLETES(test, &t->ended);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->ends), 1);
	complete(&t->release);
	KUNIT_EXPECT_COMPLETES(test, &t->ended);
	task_drain();
	KUNIT_EXPECT_EQ(test, atomic_read(&t->runs), 2);
	tk_fini(test, t);
}

/* the two kinds of interlock: adaptive and spin */
static const int tk_ipls[] = { IPL_NONE, IPL_VM };

/*
 * task_cancel() of a task scheduled but not begun: true, and it does not
 * run; of an idle task: false.  The interlock stays held throughout.
 */
static void cancel_pending_one(struct kunit *test, int ipl)
{
	struct tk *t = tk_alloc(test, ipl);

	mutex_enter(&t->lock);
	KUNIT_EXPECT_FALSE(test, task_cancel(&t->task, &t->lock));
	/* an adaptive interlock leaves preemption on: keep the worker off */
	preempt_disable();
	task_schedule(&t->task);
	KUNIT_EXPECT_TRUE(test, task_cancel(&t->task, &t->lock));
	preempt_enable();
	KUNIT_EXPECT_TRUE(test, mutex_owned(&t->lock));
	mutex_exit(&t->lock);
	task_drain();
	KUNIT_EXPECT_EQ(test, atomic_read(&t->runs), 0);
	tk_fini(test, t);
}

static void cancel_pending(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(tk_ipls); i++)
		cancel_pending_one(test, tk_ipls[i]);
}

/*
 * task_cancel() of a running task that needs the interlock: waits for it
 * without the interlock and returns holding it; false, unless the task
 * was scheduled again while it ran: that second run is taken back, true.
 */
static void cancel_running_one(struct kunit *test, int ipl, bool again)
{
	struct tk *t = tk_alloc(test, ipl);

	t->block = true;
	t->take_lock = true;
	/* and goes on after the interlock, which the cancel waits for */
	t->sleep_ms = 20;
	task_schedule(&t->task);
	KUNIT_ASSERT_COMPLETES(test, &t->started);
	if (again)
		task_schedule(&t->task);
	mutex_enter(&t->lock);
	/* it goes on to take the interlock, which only the cancel lets go */
	complete(&t->release);
	KUNIT_EXPECT_EQ(test, task_cancel(&t->task, &t->lock), again);
	KUNIT_EXPECT_TRUE(test, mutex_owned(&t->lock));
	KUNIT_EXPECT_EQ(test, atomic_read(&t->ends), 1);
	mutex_exit(&t->lock);
	task_drain();
	KUNIT_EXPECT_EQ(test, atomic_read(&t->runs), 1);
	tk_fini(test, t);
}

static void cancel_running(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(tk_ipls); i++) {
		cancel_running_one(test, tk_ipls[i], false);
		cancel_running_one(test, tk_ipls[i], true);
	}
}

/*
 * task_cancel_async(): true for a task scheduled and not begun (it does
 * not run), false for a running or an idle one.
 */
static void cancel_async(struct kunit *test)
{
	struct tk *t = tk_alloc(test, IPL_VM);

	KUNIT_EXPECT_FALSE(test, task_cancel_async(&t->task));
	mutex_enter(&t->lock);
	task_schedule(&t->task);
	KUNIT_EXPECT_TRUE(test, task_cancel_async(&t->task));
	mutex_exit(&t->lock);
	task_drain();
	KUNIT_EXPECT_EQ(test, atomic_read(&t->runs), 0);

	t->block = true;
	task_schedule(&t->task);
	KUNIT_ASSERT_COMPLETES(test, &t->started);
	KUNIT_EXPECT_FALSE(test, task_cancel_async(&t->task));
	complete(&t->release);
	KUNIT_EXPECT_COMPLETES(test, &t->ended);
	tk_fini(test, t);
}

/*
 * Over thousands of rounds, a schedule either runs or is taken back by
 * task_cancel_async(), never both or neither.
 */
static void cancel_async_consistent(struct kunit *test)
{
	struct tk *t = tk_alloc(test, IPL_NONE);
	unsigned int i, cancelled = 0;

	for (i = 0; i < ASYNC_ROUNDS; i++) {
		task_schedule(&t->task);
		if (i % 2)
			udelay(i % 50);	/* let it begin, sometimes */
		if (task_cancel_async(&t->task))
			cancelled++;
		/* the next round starts with the task idle */
		task_cancel(&t->task, NULL);
	}
	task_drain();
	kunit_info(test, "%u rounds, %u cancelled", ASYNC_ROUNDS, cancelled);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->runs) + cancelled, ASYNC_ROUNDS);
	tk_fini(test, t);
}

/*
 * rump's cancel thrash, for tasks: schedule and cancel, over and over;
 * no action runs once task_cancel() returned.
 */
static void cancel_thrash(struct kunit *test)
{
	struct tk *t = tk_alloc(test, IPL_NONE);
	unsigned int i, running = 0;

	t->take_lock = true;
	mutex_enter(&t->lock);
	for (i = 0; i < THRASH_COUNT; i++) {
		task_schedule(&t->task);
		if (i % 3 == 0) {
			/* let it start, sometimes */
			mutex_exit(&t->lock);
			mutex_enter(&t->lock);
		}
		task_cancel(&t->task, &t->lock);
		if (atomic_read(&t->now))
			running++;
	}
	mutex_exit(&t->lock);
	KUNIT_EXPECT_EQ(test, running, 0U);
	KUNIT_EXPECT_LE(test, atomic_read(&t->runs), THRASH_COUNT);
	tk_fini(test, t);
}

/* Schedules from another CPU, against cancels here. */
struct tk_remote {
	struct tk		*t;
	unsigned int		rounds;
	struct completion	ready;
	struct completion	done;
};

static int tk_remote_thread(void *arg)
{
	struct tk_remote *r = arg;
	unsigned int i;

	complete(&r->ready);
	for (i = 0; i < r->rounds; i++) {
		task_schedule(&r->t->task);
		/* leave the CPU to the task's worker, sometimes */
		if (i % 8 == 0)
			usleep_range(10, 30);
	}
	complete(&r->done);
	return 0;
}

/*
 * Another CPU schedules a task over and over, which cancels here take
 * back or wait for: it never runs twice at once, and the final cancel
 * leaves it idle.
 */
static void cancel_vs_schedule_other_cpu(struct kunit *test)
{
	struct tk *t = tk_alloc(test, IPL_NONE);
	struct tk_remote r = { .t = t, .rounds = REMOTE_ROUNDS };
	struct task_struct *thread;
	unsigned int cancels = 0, cancelled = 0;
	int here, other;

	t->take_lock = true;
	here = get_cpu();
	other = cmwq_first_other_cpu(here);
	put_cpu();
	if (other < 0)
		kunit_skip(test, "one CPU");
	init_completion(&r.ready);
	init_completion(&r.done);
	thread = kthread_create(tk_remote_thread, &r, "tk_remote");
	KUNIT_ASSERT_FALSE(test, IS_ERR(thread));
	kthread_bind(thread, other);
	wake_up_process(thread);
	KUNIT_ASSERT_COMPLETES(test, &r.ready);

	mutex_enter(&t->lock);
	while (!completion_done(&r.done)) {
		if (cancels++ % 2) {
			if (task_cancel(&t->task, &t->lock))
				cancelled++;
		} else if (task_cancel_async(&t->task)) {
			cancelled++;
		}
		mutex_exit(&t->lock);
		cond_resched();
		mutex_enter(&t->lock);
	}
	mutex_exit(&t->lock);
	KUNIT_EXPECT_COMPLETES(test, &r.done);
	mutex_enter(&t->lock);
	task_cancel(&t->task, &t->lock);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->now), 0);
	mutex_exit(&t->lock);
	kunit_info(test, "%u cancels, %u took a schedule back, %d runs",
		   cancels, cancelled, atomic_read(&t->runs));
	/* both happened: the schedules were taken back or ran */
	KUNIT_EXPECT_GT(test, atomic_read(&t->runs), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->runs), atomic_read(&t->ends));
	KUNIT_EXPECT_LE(test, atomic_read(&t->runs), REMOTE_ROUNDS);
	tk_fini(test, t);
}

/* A drain in a thread of its own, so that the case sees it wait. */
struct tk_drainer {
	struct taskqueue	*tq;
	struct completion	done;
};

static int tk_drain_thread(void *arg)
{
	struct tk_drainer *dr = arg;

	if (dr->tq)
		taskqueue_drain(dr->tq);
	else
		task_drain();
	complete(&dr->done);
	return 0;
}

static void tk_drain_start(struct kunit *test, struct tk_drainer *dr,
			   struct taskqueue *tq)
{
	struct task_struct *thread;

	dr->tq = tq;
	init_completion(&dr->done);
	thread = kthread_run(tk_drain_thread, dr, "tk_drain");
	KUNIT_ASSERT_FALSE(test, IS_ERR(thread));
}

/* task_drain() returns once the tasks scheduled before it completed. */
static void drain_waits(struct kunit *test)
{
	struct tk *t = tk_alloc(test, IPL_NONE);
	struct tk_drainer dr;

	t->block = true;
	task_schedule(&t->task);
	tk_drain_start(test, &dr, NULL);
	KUNIT_EXPECT_FALSE(test, cmwq_poll(completion_done(&dr.done), HZ / 10));
	complete(&t->release);
	KUNIT_EXPECT_COMPLETES(test, &dr.done);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->ends), 1);
	tk_fini(test, t);
}

/*
 * A task running when a drain begins, scheduled again before: the drain
 * waits for its second run too.
 */
static void drain_vs_rescheduled(struct kunit *test)
{
	struct tk *t = tk_alloc(test, IPL_NONE);
	struct taskqueue *tq;
	struct tk_drainer dr;

	KUNIT_ASSERT_EQ(test, taskqueue_create(&tq, "tktest", PRI_NONE,
					       IPL_NONE, 0), 0);
	t->block = true;
	taskqueue_schedule(tq, &t->task);
	KUNIT_ASSERT_COMPLETES(test, &t->started);
	taskqueue_schedule(tq, &t->task);
	tk_drain_start(test, &dr, tq);
	complete(&t->release);
	/* the second run begins, and blocks: the drain goes on waiting */
	KUNIT_EXPECT_COMPLETES(test, &t->started);
	KUNIT_EXPECT_FALSE(test, cmwq_poll(completion_done(&dr.done), HZ / 10));
	complete(&t->release);
	KUNIT_EXPECT_COMPLETES(test, &dr.done);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->ends), 2);
	tk_fini(test, t);
	taskqueue_destroy(tq);
}

/* One shared queue per priority, PRI_NONE's the system one, counted. */
static void queues_by_priority(struct kunit *test)
{
	struct taskqueue *none, *kernel, *kernel2, *rt;

	KUNIT_ASSERT_EQ(test, taskqueue_get(&none, PRI_NONE), 0);
	KUNIT_EXPECT_PTR_EQ(test, none, system_taskqueue);
	KUNIT_ASSERT_EQ(test, taskqueue_get(&kernel, PRI_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, taskqueue_get(&kernel2, PRI_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, taskqueue_get(&rt, PRI_KERNEL_RT), 0);
	KUNIT_EXPECT_PTR_EQ(test, kernel, kernel2);
	KUNIT_EXPECT_PTR_NE(test, kernel, none);
	KUNIT_EXPECT_PTR_NE(test, kernel, rt);
	/* one put of two leaves it to the other reference */
	taskqueue_put(kernel2);
	KUNIT_ASSERT_EQ(test, taskqueue_get(&kernel2, PRI_KERNEL), 0);
	KUNIT_EXPECT_PTR_EQ(test, kernel, kernel2);
	taskqueue_put(kernel2);
	taskqueue_put(kernel);
	taskqueue_put(rt);
	taskqueue_put(none);
}

/* Tasks run on a queue of a priority, and on the CPU scheduling them. */
static void tk_schedule_ipi(void *arg)
{
	struct tk *t = arg;

	task_schedule(&t->task);
}

static void runs_on_scheduling_cpu(struct kunit *test)
{
	struct tk *t = tk_alloc(test, IPL_NONE);
	struct taskqueue *tq;
	int cpu, ran;

	/*
	 * Done before it signals its end: a task scheduled while it is still
	 * running is run again where it is, not on the scheduling CPU.
	 */
	t->call_done = true;
	for_each_online_cpu(cpu) {
		/* from the CPU's hard interrupt (an IPI) */
		KUNIT_ASSERT_EQ(test,
				smp_call_function_single(cpu, tk_schedule_ipi,
							 t, 1), 0);
		KUNIT_ASSERT_COMPLETES(test, &t->ended);
		ran = READ_ONCE(t->cpu);
		KUNIT_EXPECT_EQ_MSG(test, ran, cpu,
				    "scheduled on CPU %d, ran on CPU %d", cpu,
				    ran);
	}
	KUNIT_ASSERT_EQ(test, taskqueue_get(&tq, PRI_KTHREAD), 0);
	taskqueue_schedule(tq, &t->task);
	KUNIT_EXPECT_COMPLETES(test, &t->ended);
	taskqueue_drain(tq);
	taskqueue_put(tq);
	tk_fini(test, t);
}

struct tk_irq {
	struct tk		t;
	struct hrtimer		timer;
	bool			in_hardirq;
};

static enum hrtimer_restart tk_irq_timer_fn(struct hrtimer *timer)
{
	struct tk_irq *ti = container_of(timer, struct tk_irq, timer);

	ti->in_hardirq = in_hardirq();
	mutex_enter(&ti->t.lock);
	task_schedule(&ti->t.task);
	mutex_exit(&ti->t.lock);
	return HRTIMER_NORESTART;
}

/*
 * A hard-IRQ hrtimer schedules a task under a spin interlock (IPL_VM),
 * which then interlocks the cancel of it running.
 */
static void schedule_from_hardirq(struct kunit *test)
{
	struct tk_irq *ti = kunit_kzalloc(test, sizeof(*ti), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ti);
	tk_init(&ti->t, IPL_VM);
	ti->t.take_lock = true;
	hrtimer_init(&ti->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	ti->timer.function = tk_irq_timer_fn;
	hrtimer_start(&ti->timer, ms_to_ktime(5), HRTIMER_MODE_REL_HARD);
	KUNIT_EXPECT_COMPLETES(test, &ti->t.ended);
	KUNIT_EXPECT_TRUE(test, ti->in_hardirq);
	hrtimer_cancel(&ti->timer);

	ti->t.block = true;
	reinit_completion(&ti->t.started);
	hrtimer_start(&ti->timer, ms_to_ktime(5), HRTIMER_MODE_REL_HARD);
	KUNIT_ASSERT_COMPLETES(test, &ti->t.started);
	mutex_enter(&ti->t.lock);
	complete(&ti->t.release);
	KUNIT_EXPECT_FALSE(test, task_cancel(&ti->t.task, &ti->t.lock));
	mutex_exit(&ti->t.lock);
	hrtimer_cancel(&ti->timer);
	KUNIT_EXPECT_EQ(test, atomic_read(&ti->t.ends), 2);
	tk_fini(test, &ti->t);
}

/* Tasks that sleep leave the CPU to the others: 16 x 50 ms in far less. */
static void sleeping_tasks(struct kunit *test)
{
	struct tk *t;
	ktime_t start;
	s64 ms;
	int i;

	t = kunit_kcalloc(test, SLEEPERS, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	for (i = 0; i < SLEEPERS; i++) {
		tk_init(&t[i], IPL_NONE);
		t[i].sleep_ms = SLEEP_MS;
	}
	start = ktime_get();
	/* all from one CPU: on its pool of the system queue */
	preempt_disable();
	for (i = 0; i < SLEEPERS; i++)
		task_schedule(&t[i].task);
	preempt_enable();
	for (i = 0; i < SLEEPERS; i++)
		KUNIT_EXPECT_COMPLETES(test, &t[i].ended);
	ms = ktime_ms_delta(ktime_get(), start);
	kunit_info(test, "%d tasks sleeping %d ms each: %lld ms", SLEEPERS,
		   SLEEP_MS, ms);
	KUNIT_EXPECT_LT(test, ms, (s64)SLEEPERS * SLEEP_MS / 2);
	for (i = 0; i < SLEEPERS; i++)
		tk_fini(test, &t[i]);
}

/*
 * A queue of one's own: tasks on it run; destroying it with tasks still
 * queued runs them first.
 */
static void created_queue_destroy_drains(struct kunit *test)
{
	struct tk *t;
	struct taskqueue *tq;
	int i;

	t = kunit_kcalloc(test, 4, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_ASSERT_EQ(test, taskqueue_create(&tq, "tkown", PRI_KERNEL,
					       IPL_VM, 0), 0);
	for (i = 0; i < 4; i++) {
		tk_init(&t[i], IPL_NONE);
		t[i].sleep_ms = 20;
		taskqueue_schedule(tq, &t[i].task);
	}
	taskqueue_destroy(tq);
	for (i = 0; i < 4; i++) {
		KUNIT_EXPECT_EQ(test, atomic_read(&t[i].ends), 1);
		tk_fini(test, &t[i]);
	}
}

/*
 * A task on the stack, as NetBSD allows: the task and its interlock
 * there, what the case waits on in the heap (a whole struct tk would
 * overflow the debug kernel's frame limit).
 */
struct tk_stack {
	struct task		task;
	kmutex_t		lock;
	struct completion	*ended;
};

static void tk_stack_fn(struct task *task)
{
	struct tk_stack *s = container_of(task, struct tk_stack, task);

	complete(s->ended);
}

static void task_on_stack(struct kunit *test)
{
	struct tk_stack s = {};

	s.ended = kunit_kzalloc(test, sizeof(*s.ended), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s.ended);
	init_completion(s.ended);
	task_init(&s.task, tk_stack_fn);
	mutex_init(&s.lock, MUTEX_DEFAULT, IPL_NONE);
	task_schedule(&s.task);
	KUNIT_EXPECT_COMPLETES(test, s.ended);
	/* waits for the action, should it still be returning */
	mutex_enter(&s.lock);
	task_cancel(&s.task, &s.lock);
	mutex_exit(&s.lock);
	task_destroy(&s.task);
	mutex_destroy(&s.lock);
}

/* Invalid priorities and levels get EINVAL; each refusal counted. */
static void invalid_input(struct kunit *test)
{
	static const pri_t bad[] = { PRI_NONE - 1, PRI_COUNT, 1000 };
	struct taskqueue *tq;
	int before;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		before = cmwq_test_nr_refusals();
		cmwq_test_expect_refusals(2);
		KUNIT_EXPECT_EQ(test, taskqueue_get(&tq, bad[i]), EINVAL);
		KUNIT_EXPECT_EQ(test, taskqueue_create(&tq, "tkbad", bad[i],
						       IPL_NONE, 0), EINVAL);
		KUNIT_EXPECT_EQ(test, cmwq_test_nr_refusals(), before + 2);
		cmwq_test_expect_refusals(0);
	}
	before = cmwq_test_nr_refusals();
	cmwq_test_expect_refusals(3);
	KUNIT_EXPECT_EQ(test, taskqueue_create(&tq, "tkbad", PRI_NONE,
					       IPL_HIGH + 1, 0), EINVAL);
	/* a shared queue is not destroyed, a created one not put */
	taskqueue_destroy(system_taskqueue);
	KUNIT_ASSERT_EQ(test, taskqueue_create(&tq, "tkput", PRI_NONE,
					       IPL_NONE, 0), 0);
	taskqueue_put(tq);
	KUNIT_EXPECT_EQ(test, cmwq_test_nr_refusals(), before + 3);
	cmwq_test_expect_refusals(0);
	taskqueue_destroy(tq);
	/* and the system queue still runs tasks */
	schedule_runs(test);
}

/* Scheduling a destroyed task is refused, and it does not run. */
static void schedule_destroyed_task(struct kunit *test)
{
	struct tk *t = tk_alloc(test, IPL_NONE);
	int before;

	task_destroy(&t->task);
	before = cmwq_test_nr_refusals();
	cmwq_test_expect_refusals(1);
	task_schedule(&t->task);
	KUNIT_EXPECT_EQ(test, cmwq_test_nr_refusals(), before + 1);
	cmwq_test_expect_refusals(0);
	task_drain();
	KUNIT_EXPECT_EQ(test, atomic_read(&t->runs), 0);
	mutex_destroy(&t->lock);
}

/* Cancelling without the interlock held is refused, without waiting. */
static void cancel_without_interlock(struct kunit *test)
{
	struct tk *t = tk_alloc(test, IPL_NONE);
	int before;

	t->block = true;
	task_schedule(&t->task);
	KUNIT_ASSERT_COMPLETES(test, &t->started);
	before = cmwq_test_nr_refusals();
	cmwq_test_expect_refusals(1);
	KUNIT_EXPECT_FALSE(test, task_cancel(&t->task, &t->lock));
	KUNIT_EXPECT_EQ(test, cmwq_test_nr_refusals(), before + 1);
	cmwq_test_expect_refusals(0);
	/* it did not wait: the task still runs */
	KUNIT_EXPECT_EQ(test, atomic_read(&t->ends), 0);
	tk_fini(test, t);
}

static void tk_exit(struct kunit *test)
{
	cmwq_test_expect_refusals(0);
}

static struct kunit_case cmwq_task_cases[] = {
	KUNIT_CASE(schedule_runs),
	KUNIT_CASE(schedule_before_run_runs_once),
	KUNIT_CASE(schedule_while_running_runs_again),
	KUNIT_CASE(task_done_lets_it_run_again),
	KUNIT_CASE(cancel_pending),
	KUNIT_CASE(cancel_running),
	KUNIT_CASE(cancel_async),
	KUNIT_CASE(cancel_async_consistent),
	KUNIT_CASE(cancel_thrash),
	KUNIT_CASE(cancel_vs_schedule_other_cpu),
	KUNIT_CASE(drain_waits),
	KUNIT_CASE(drain_vs_rescheduled),
	KUNIT_CASE(queues_by_priority),
	KUNIT_CASE(runs_on_scheduling_cpu),
	KUNIT_CASE(schedule_from_hardirq),
	KUNIT_CASE(sleeping_tasks),
	KUNIT_CASE(created_queue_destroy_drains),
	KUNIT_CASE(task_on_stack),
	KUNIT_CASE(invalid_input),
	KUNIT_CASE(schedule_destroyed_task),
	KUNIT_CASE(cancel_without_interlock),
	{}
};

static struct kunit_suite cmwq_task_suite = {
	.name = "cmwq_task",
	.exit = tk_exit,
	.test_cases = cmwq_task_cases,
};

kunit_test_suites(&cmwq_task_suite);

MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_DESCRIPTION("KUnit tests of NetBSD's task(9) and taskqueue(9) on cmwq");
