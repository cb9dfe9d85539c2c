// SPDX-License-Identifier: GPL-2.0
/*
 * cmwq_engine_test.c - KUnit: the concurrency-managed engine itself
 *
 * These cases check behaviour against pool state (through cmwq_test.h):
 * one runnable worker at a time per CPU, new workers the moment running
 * ones sleep, one wake-up for works queued on an idle pool until the
 * worker woken runs, nr_running back to zero at idle, workers created by the
 * manager and reaped after the idle timeout (their threads stopped outside
 * the manager role), CPU-intensive and high-priority works not held back,
 * non-reentrancy across CPUs, queueing from hard IRQ, many queues sharing
 * a pool's workers (works of different queues run by the same few
 * workers), and a random queue/cancel/flush stress with exact accounting.
 * What concurrency management promises (one runnable work at a time,
 * every sleeping work in flight, a work waiting for a later one) is
 * checked on both of a CPU's pools, normal and high-priority.
 */
#include <kunit/test.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/string.h>

#include "cmwq_churn.h"
#include "cmwq_kunit.h"

#define NR_SLEEPERS	12
#define SPIN_LIMIT	(5 * HZ)

static int test_cpu(void)
{
	return cpumask_last(cpu_online_mask);
}

/* The concurrency-managed pools: a CPU's normal and high-priority one. */
struct eng_pool {
	const char	*name;
	unsigned int	flags;
};

static const struct eng_pool eng_pools[] = {
	{ "normal",	0 },
	{ "highpri",	CMWQ_HIGHPRI },
};

static void eng_pool_desc(const struct eng_pool *p, char *desc)
{
	strscpy(desc, p->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(eng_pool, eng_pools, eng_pool_desc);

static bool eng_pool_highpri(struct kunit *test)
{
	const struct eng_pool *p = test->param_value;

	return p->flags & CMWQ_HIGHPRI;
}

/* A queue served by the case's pool, destroyed when the case ends. */
static struct cmwq_workqueue *eng_pool_wq(struct kunit *test)
{
	const struct eng_pool *p = test->param_value;
	struct cmwq_workqueue *wq;

	wq = cmwq_kunit_alloc_wq(test, "eng_%s", p->flags, 0, p->name);
	KUNIT_ASSERT_NOT_NULL(test, wq);
	return wq;
}

/* A work that never sleeps, counted while it runs. */
struct spin_item {
	struct cmwq_work	work;
	struct completion	done;
	struct cmwq_concurrency	*cc;
};

static void spin_fn(struct cmwq_work *work)
{
	struct spin_item *it = container_of(work, struct spin_item, work);

	cmwq_concurrency_enter(it->cc);
	cmwq_busy_wait_ms(2);
	cmwq_concurrency_exit(it->cc);
	complete(&it->done);
}

/* Works that never sleep are run by one worker at a time on a CPU. */
static void runnable_works_one_at_a_time(struct kunit *test)
{
	struct cmwq_concurrency *cc;
	struct cmwq_workqueue *wq;
	struct spin_item *items;
	int i, n = 16;

	cc = kunit_kzalloc(test, sizeof(*cc), GFP_KERNEL);
	items = kunit_kcalloc(test, n, sizeof(*items), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, cc);
	KUNIT_ASSERT_NOT_NULL(test, items);
	wq = eng_pool_wq(test);
	for (i = 0; i < n; i++) {
		CMWQ_INIT_WORK(&items[i].work, spin_fn);
		init_completion(&items[i].done);
		items[i].cc = cc;
		cmwq_queue_work_on(test_cpu(), wq, &items[i].work);
	}
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_COMPLETES(test, &items[i].done);
	KUNIT_EXPECT_EQ(test, atomic_read(&cc->max), 1);
}

/* A work that counts itself in, then sleeps until @go. */
struct sleeper {
	struct cmwq_work	work;
	struct completion	done;
	struct completion	*go;
	atomic_t		*in_flight;
	bool			got_go;
};

static void sleeper_fn(struct cmwq_work *work)
{
	struct sleeper *it = container_of(work, struct sleeper, work);

	atomic_inc(it->in_flight);
	it->got_go = wait_for_completion_timeout(it->go, CMWQ_KUNIT_TIMEOUT);
	complete(&it->done);
}

/*
 * Run @n works on one CPU that each block until all of them have started:
 * they only can if a new worker is woken each time one blocks.
 */
static bool run_sleepers(struct kunit *test, struct cmwq_workqueue *wq,
			 int cpu, int n)
{
	struct sleeper *items;
	struct completion go;
	atomic_t in_flight = ATOMIC_INIT(0);
	bool all_in_flight;
	int i;

	items = kunit_kcalloc(test, n, sizeof(*items), GFP_KERNEL);
	if (!items)
		return false;
	init_completion(&go);
	for (i = 0; i < n; i++) {
		CMWQ_INIT_WORK(&items[i].work, sleeper_fn);
		init_completion(&items[i].done);
		items[i].go = &go;
		items[i].in_flight = &in_flight;
		cmwq_queue_work_on(cpu, wq, &items[i].work);
	}
	all_in_flight = cmwq_poll(atomic_read(&in_flight) == n,
				  CMWQ_KUNIT_TIMEOUT);
	complete_all(&go);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_COMPLETES(test, &items[i].done);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_TRUE(test, items[i].got_go);
	return all_in_flight;
}

/* Works that sleep are all in flight together: workers are woken for them. */
static void sleeping_works_all_in_flight(struct kunit *test)
{
	struct cmwq_workqueue *wq = eng_pool_wq(test);
	struct cmwq_test_pool_stats st;

	KUNIT_EXPECT_TRUE(test, run_sleepers(test, wq, test_cpu(),
					     NR_SLEEPERS));
	cmwq_test_pool_stats(test_cpu(), eng_pool_highpri(test), &st);
	KUNIT_EXPECT_GE(test, st.nr_workers, NR_SLEEPERS);
}

#define NR_WAKE_BATCH	16

/* A batch of works queued on the test CPU's pool from a hard IRQ there. */
struct wake_batch;

struct wake_item {
	struct cmwq_work	work;
	struct wake_batch	*batch;
};

struct wake_batch {
	struct cmwq_workqueue	*wq;
	bool			highpri;
	struct wake_item	items[NR_WAKE_BATCH];
	atomic_t		left;
	struct completion	done;
	int			ret;		/* -EAGAIN: the pool was busy */
	unsigned long		wakeups;	/* issued while queueing */
};

static void wake_item_fn(struct cmwq_work *work)
{
	struct wake_batch *b = container_of(work, struct wake_item,
					    work)->batch;

	if (atomic_dec_and_test(&b->left))
		complete(&b->done);
}

/*
 * On the pool's CPU with interrupts off, so that none of its workers can
 * run before the last work is queued: each work finds nobody running.
 */
static void wake_batch_queue(void *arg)
{
	struct wake_batch *b = arg;
	struct cmwq_test_pool_stats before, after;
	int cpu = smp_processor_id(), i;

	cmwq_test_pool_stats(cpu, b->highpri, &before);
	/* a worker running or already woken takes the works without one */
	if (before.nr_running || before.waking || !before.nr_idle) {
		b->ret = -EAGAIN;
		return;
	}
	for (i = 0; i < NR_WAKE_BATCH; i++)
		cmwq_queue_work_on(cpu, b->wq, &b->items[i].work);
	cmwq_test_pool_stats(cpu, b->highpri, &after);
	b->wakeups = after.nr_wakeups - before.nr_wakeups;
	b->ret = 0;
}

/* Queue a batch on @cpu's pool: false if it was busy, to try again. */
static bool wake_batch_queued(struct kunit *test, int cpu,
			      struct wake_batch *b)
{
	KUNIT_ASSERT_EQ(test, smp_call_function_single(cpu, wake_batch_queue,
						       b, 1), 0);
	return b->ret != -EAGAIN;
}

/*
 * Works queued on a pool with nobody running wake one idle worker, once:
 * until it runs, the wake-ups the later works ask for are left to it.
 * Twice: once it has run, the next batch wakes a worker again.
 */
static void idle_pool_woken_once(struct kunit *test)
{
	struct wake_batch *b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	int cpu = test_cpu(), round, i;

	KUNIT_ASSERT_NOT_NULL(test, b);
	b->wq = eng_pool_wq(test);
	b->highpri = eng_pool_highpri(test);
	for (i = 0; i < NR_WAKE_BATCH; i++) {
		CMWQ_INIT_WORK(&b->items[i].work, wake_item_fn);
		b->items[i].batch = b;
	}
	init_completion(&b->done);
	for (round = 0; round < 2; round++) {
		atomic_set(&b->left, NR_WAKE_BATCH);
		reinit_completion(&b->done);
		/* wait out whatever else runs on the pool */
		KUNIT_ASSERT_TRUE(test, cmwq_poll(wake_batch_queued(test, cpu, b),
						  CMWQ_KUNIT_TIMEOUT));
		KUNIT_ASSERT_EQ(test, b->ret, 0);
		KUNIT_ASSERT_COMPLETES(test, &b->done);
		KUNIT_EXPECT_EQ(test, b->wakeups, 1UL);
	}
}

static bool all_pools_idle(void)
{
	struct cmwq_test_pool_stats st;
	int cpu, pri;

	for (pri = 0; pri < 2; pri++) {
		for_each_online_cpu(cpu) {
			cmwq_test_pool_stats(cpu, pri, &st);
			if (st.nr_running || st.nr_pending)
				return false;
		}
		cmwq_test_pool_stats(CMWQ_CPU_UNBOUND, pri, &st);
		if (st.nr_running || st.nr_pending)
			return false;
	}
	return true;
}

/* nr_running is back to zero on every pool once the works are done. */
static void nr_running_zero_at_idle(struct kunit *test)
{
	struct cmwq_workqueue *wq = cmwq_kunit_alloc_wq(test, "eng_idle", 0, 0);
	int cpu;

	KUNIT_ASSERT_NOT_NULL(test, wq);
	for_each_online_cpu(cpu)
		KUNIT_EXPECT_TRUE(test, run_sleepers(test, wq, cpu, 4));
	cmwq_kunit_destroy_wq(test, wq);
	KUNIT_EXPECT_TRUE(test, cmwq_poll(all_pools_idle(),
					  CMWQ_KUNIT_TIMEOUT));
}

/* the idle timeout a case changed, put back by the exit hook */
static unsigned long eng_saved_idle_timeout;
static bool eng_idle_timeout_changed;

static void eng_set_idle_timeout(unsigned long timeout)
{
	unsigned long old = cmwq_test_set_idle_timeout(timeout);

	if (!eng_idle_timeout_changed)
		eng_saved_idle_timeout = old;
	eng_idle_timeout_changed = true;
}

/* Whatever happened in the case, the idle timeout is cmwq's own again. */
static void eng_exit(struct kunit *test)
{
	if (eng_idle_timeout_changed)
		cmwq_test_set_idle_timeout(eng_saved_idle_timeout);
	eng_idle_timeout_changed = false;
}

/* every worker idle (none busy or managing) and no more than two of them */
static bool pool_reaped(int cpu, struct cmwq_test_pool_stats *st)
{
	return !cmwq_test_pool_stats(cpu, false, st) && st->nr_idle <= 2 &&
	       st->nr_workers == st->nr_idle;
}

/*
 * With a short idle timeout, bring the test CPU's normal pool down to
 * the ratio, then run NR_SLEEPERS sleeping works on it; @before is the
 * pool at the ratio, @busy the pool once they are done.
 */
static void grow_pool(struct kunit *test, struct cmwq_test_pool_stats *before,
		      struct cmwq_test_pool_stats *busy)
{
	struct cmwq_workqueue *wq = cmwq_kunit_alloc_wq(test, "eng_reap", 0, 0);
	int cpu = test_cpu();

	KUNIT_ASSERT_NOT_NULL(test, wq);
	eng_set_idle_timeout(HZ / 2);
	/* earlier cases may have left surplus workers: start from the ratio */
	KUNIT_EXPECT_TRUE(test, cmwq_poll(pool_reaped(cpu, before),
					  4 * CMWQ_KUNIT_TIMEOUT));
	KUNIT_EXPECT_TRUE(test, run_sleepers(test, wq, cpu, NR_SLEEPERS));
	cmwq_test_pool_stats(cpu, false, busy);
}

/* The manager creates the workers that sleeping works need. */
static void manager_creates_workers(struct kunit *test)
{
	struct cmwq_test_pool_stats before, busy;

	grow_pool(test, &before, &busy);
	KUNIT_EXPECT_GE(test, busy.nr_created - before.nr_created,
			(unsigned long)NR_SLEEPERS - 2);
	KUNIT_EXPECT_EQ(test, busy.nr_created - before.nr_created,
			busy.nr_created_by_manager -
			before.nr_created_by_manager);
}

/* Workers idle for longer than the idle timeout are reaped to the ratio. */
static void idle_workers_reaped(struct kunit *test)
{
	struct cmwq_test_pool_stats before, busy, after;
	int cpu = test_cpu();

	grow_pool(test, &before, &busy);
	KUNIT_EXPECT_TRUE(test, cmwq_poll(pool_reaped(cpu, &after),
					  4 * CMWQ_KUNIT_TIMEOUT));
	KUNIT_EXPECT_EQ(test, after.nr_idle, 2);
	KUNIT_EXPECT_EQ(test, after.nr_workers, 2);
	KUNIT_EXPECT_GE(test, after.nr_reaped - before.nr_reaped,
			(unsigned long)NR_SLEEPERS - 2);
}

/* enough workers that stopping the surplus takes milliseconds */
#define NR_BURST	64

/*
 * A reaping manager takes the expired workers out of the pool, gives the
 * role back and only then stops their threads: the pool is seen with
 * workers out of its count but still attached (not yet stopped) while
 * nobody manages it, so a burst meanwhile could create workers.  Holding
 * the role through the stops, the pool is never seen so.
 */
static void reaped_workers_stopped_outside_manager(struct kunit *test)
{
	struct cmwq_workqueue *wq = cmwq_kunit_alloc_wq(test, "eng_reap_out",
							0, 0);
	struct cmwq_test_pool_stats st;
	int cpu = test_cpu();
	int other = cmwq_first_other_cpu(cpu);
	unsigned long deadline;
	bool seen = false;

	KUNIT_ASSERT_NOT_NULL(test, wq);
	if (other < 0)
		kunit_skip(test, "needs two online CPUs");
	/*
	 * Sampling on the pool's CPU, this thread would wait behind the
	 * freshly woken reaper and dying threads for the whole window.  It
	 * is the case's own thread: its affinity dies with it.
	 */
	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current, cpumask_of(other)),
			0);
	eng_set_idle_timeout(HZ / 2);
	KUNIT_EXPECT_TRUE(test, cmwq_poll(pool_reaped(cpu, &st),
					  4 * CMWQ_KUNIT_TIMEOUT));
	KUNIT_ASSERT_TRUE(test, run_sleepers(test, wq, cpu, NR_BURST));

	/* the stops last milliseconds: sample without sleeping */
	deadline = jiffies + 4 * CMWQ_KUNIT_TIMEOUT;
	while (time_before(jiffies, deadline)) {
		cmwq_test_pool_stats(cpu, false, &st);
		if (!st.managing && st.nr_attached > st.nr_workers) {
			seen = true;
			break;
		}
		/* reaped to the ratio and every thread stopped: missed it */
		if (st.nr_workers <= 2 && st.nr_attached == st.nr_workers)
			break;
		cond_resched();
	}
	if (seen)
		kunit_info(test, "unmanaged with %d workers, %d attached\n",
			   st.nr_workers, st.nr_attached);
	KUNIT_EXPECT_TRUE_MSG(test, seen,
			      "reaped workers stopped in the manager role: %d workers, %d attached, managing %d",
			      st.nr_workers, st.nr_attached, st.managing);
	/* and the reaping ends at the ratio as before */
	KUNIT_EXPECT_TRUE(test, cmwq_poll(pool_reaped(cpu, &st) &&
					  st.nr_attached == st.nr_workers,
					  4 * CMWQ_KUNIT_TIMEOUT));
}

/* A work spinning until another sets the flag, and that other work. */
struct flag_pair {
	bool			flag;
	struct cmwq_work	spinner;
	struct completion	spinner_started;
	struct completion	spinner_done;
	bool			spinner_saw_flag;
	struct cmwq_work	setter;
	struct completion	setter_done;
};

static void spin_until_flag_fn(struct cmwq_work *work)
{
	struct flag_pair *p = container_of(work, struct flag_pair, spinner);
	unsigned long deadline = jiffies + SPIN_LIMIT;

	complete(&p->spinner_started);
	while (!READ_ONCE(p->flag) && time_before(jiffies, deadline))
		cpu_relax();
	p->spinner_saw_flag = READ_ONCE(p->flag);
	complete(&p->spinner_done);
}

static void set_flag_fn(struct cmwq_work *work)
{
	struct flag_pair *p = container_of(work, struct flag_pair, setter);

	WRITE_ONCE(p->flag, true);
	complete(&p->setter_done);
}

/*
 * A work spinning on a queue with @spin_flags must not keep a work of a
 * queue with @other_flags on that CPU from running.
 */
static void check_not_held_back(struct kunit *test, unsigned int spin_flags,
				unsigned int other_flags)
{
	struct cmwq_workqueue *spin_wq, *other_wq;
	struct flag_pair *p;
	int cpu = test_cpu();

	p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	spin_wq = cmwq_kunit_alloc_wq(test, "eng_spin%x", spin_flags, 0,
				      spin_flags);
	other_wq = cmwq_kunit_alloc_wq(test, "eng_other%x", other_flags, 0,
				       other_flags);
	KUNIT_ASSERT_NOT_NULL(test, spin_wq);
	KUNIT_ASSERT_NOT_NULL(test, other_wq);
	CMWQ_INIT_WORK(&p->spinner, spin_until_flag_fn);
	init_completion(&p->spinner_started);
	init_completion(&p->spinner_done);
	CMWQ_INIT_WORK(&p->setter, set_flag_fn);
	init_completion(&p->setter_done);

	cmwq_queue_work_on(cpu, spin_wq, &p->spinner);
	KUNIT_ASSERT_COMPLETES(test, &p->spinner_started);
	cmwq_queue_work_on(cpu, other_wq, &p->setter);
	KUNIT_EXPECT_COMPLETES(test, &p->spinner_done);
	KUNIT_EXPECT_TRUE(test, p->spinner_saw_flag);
	KUNIT_EXPECT_COMPLETES(test, &p->setter_done);
}

/* A CPU-intensive work leaves concurrency management while it runs. */
static void cpu_intensive_not_holding_back(struct kunit *test)
{
	check_not_held_back(test, CMWQ_CPU_INTENSIVE, 0);
}

/* High-priority works have their own pool: a busy normal one is no bar. */
static void highpri_not_stuck_behind_normal(struct kunit *test)
{
	check_not_held_back(test, 0, CMWQ_HIGHPRI);
}

/* A work run twice, each run held until released, counted in flight. */
struct reentry_item {
	struct cmwq_work	work;
	struct cmwq_concurrency	cc;
	int			runs;
	int			cpus[2];
	struct completion	starts[2];
	struct completion	release[2];
};

static void reentry_fn(struct cmwq_work *work)
{
	struct reentry_item *it = container_of(work, struct reentry_item,
					       work);
	int run = it->runs++;

	cmwq_concurrency_enter(&it->cc);
	it->cpus[run] = raw_smp_processor_id();
	complete(&it->starts[run]);
	wait_for_completion_timeout(&it->release[run], CMWQ_KUNIT_TIMEOUT);
	cmwq_concurrency_exit(&it->cc);
}

/* A work queued on CPU B while it runs on CPU A runs after it, on A. */
static void non_reentrant_across_cpus(struct kunit *test)
{
	int a = cpumask_first(cpu_online_mask), b = cmwq_first_other_cpu(a);
	struct reentry_item *it;
	struct cmwq_workqueue *wq;
	int i;

	KUNIT_ASSERT_GE(test, b, 0);
	it = kunit_kzalloc(test, sizeof(*it), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, it);
	wq = cmwq_kunit_alloc_wq(test, "eng_reent", 0, 0);
	KUNIT_ASSERT_NOT_NULL(test, wq);
	CMWQ_INIT_WORK(&it->work, reentry_fn);
	for (i = 0; i < 2; i++) {
		init_completion(&it->starts[i]);
		init_completion(&it->release[i]);
	}

	KUNIT_ASSERT_TRUE(test, cmwq_queue_work_on(a, wq, &it->work));
	KUNIT_ASSERT_COMPLETES(test, &it->starts[0]);
	KUNIT_EXPECT_TRUE(test, cmwq_queue_work_on(b, wq, &it->work));
	KUNIT_EXPECT_EQ(test, cmwq_work_busy(&it->work),
			(unsigned int)(CMWQ_BUSY_PENDING | CMWQ_BUSY_RUNNING));
	complete(&it->release[0]);
	KUNIT_ASSERT_COMPLETES(test, &it->starts[1]);
	complete(&it->release[1]);
	cmwq_flush_work(&it->work);

	KUNIT_EXPECT_EQ(test, it->cpus[0], a);
	KUNIT_EXPECT_EQ(test, it->cpus[1], a);
	KUNIT_EXPECT_EQ(test, atomic_read(&it->cc.max), 1);
}

struct irq_queuer {
	struct hrtimer		timer;
	struct cmwq_workqueue	*wq;
	struct cmwq_work	work;
	struct completion	done;
	bool			in_hardirq;
	bool			queued;
};

static enum hrtimer_restart irq_queue_fn(struct hrtimer *timer)
{
	struct irq_queuer *q = container_of(timer, struct irq_queuer, timer);

	q->in_hardirq = in_hardirq();
	q->queued = cmwq_queue_work(q->wq, &q->work);
	return HRTIMER_NORESTART;
}

static void irq_queued_fn(struct cmwq_work *work)
{
	complete(&container_of(work, struct irq_queuer, work)->done);
}

/* Works can be queued from hard IRQ context. */
static void queue_from_hardirq(struct kunit *test)
{
	struct irq_queuer *q = kunit_kzalloc(test, sizeof(*q), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, q);
	q->wq = cmwq_kunit_alloc_wq(test, "eng_irq", 0, 0);
	KUNIT_ASSERT_NOT_NULL(test, q->wq);
	CMWQ_INIT_WORK(&q->work, irq_queued_fn);
	init_completion(&q->done);
	hrtimer_init(&q->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	q->timer.function = irq_queue_fn;
	hrtimer_start(&q->timer, ms_to_ktime(10), HRTIMER_MODE_REL_HARD);

	KUNIT_EXPECT_COMPLETES(test, &q->done);
	hrtimer_cancel(&q->timer);
	KUNIT_EXPECT_TRUE(test, q->in_hardirq);
	KUNIT_EXPECT_TRUE(test, q->queued);
}

/* A work waiting for an event, and a work queued after it delivering it. */
struct event_pair {
	struct completion	event;
	struct cmwq_work	waiter;
	struct completion	waiter_done;
	bool			waiter_got_event;
	struct cmwq_work	completer;
	struct completion	completer_done;
};

static void waiter_fn(struct cmwq_work *work)
{
	struct event_pair *p = container_of(work, struct event_pair, waiter);

	p->waiter_got_event = wait_for_completion_timeout(&p->event,
							  CMWQ_KUNIT_TIMEOUT);
	complete(&p->waiter_done);
}

static void completer_fn(struct cmwq_work *work)
{
	struct event_pair *p = container_of(work, struct event_pair,
					    completer);

	complete(&p->event);
	complete(&p->completer_done);
}

/* A work waiting for one queued after it on the same CPU completes. */
static void waits_for_later_work(struct kunit *test)
{
	struct cmwq_workqueue *wq;
	struct event_pair *p;

	p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	wq = eng_pool_wq(test);
	init_completion(&p->event);
	CMWQ_INIT_WORK(&p->waiter, waiter_fn);
	init_completion(&p->waiter_done);
	CMWQ_INIT_WORK(&p->completer, completer_fn);
	init_completion(&p->completer_done);

	cmwq_queue_work_on(test_cpu(), wq, &p->waiter);
	cmwq_queue_work_on(test_cpu(), wq, &p->completer);
	KUNIT_EXPECT_COMPLETES(test, &p->waiter_done);
	KUNIT_EXPECT_COMPLETES(test, &p->completer_done);
	KUNIT_EXPECT_TRUE(test, p->waiter_got_event);
}

struct share_item {
	struct cmwq_work	work;
	struct completion	done;
	struct completion	*go;
	atomic_t		*in_flight;
	pid_t			pid;
	char			comm[TASK_COMM_LEN];
	int			cpu;
	bool			got_go;
};

/* Record who runs the work, then sleep until the whole burst is in. */
static void share_fn(struct cmwq_work *work)
{
	struct share_item *it = container_of(work, struct share_item, work);

	it->pid = task_pid_nr(current);
	get_task_comm(it->comm, current);
	it->cpu = raw_smp_processor_id();
	atomic_inc(it->in_flight);
	it->got_go = wait_for_completion_timeout(it->go, CMWQ_KUNIT_TIMEOUT);
	complete(&it->done);
}

/*
 * Many queues share the pools instead of bringing threads of their own.
 * Bursts of works, each from a different queue, sleep until the whole
 * burst is in flight: the pool must give every burst as many workers,
 * and then reuse them for the next queues' works.  With a thread per
 * queue, every queue's works would run on a thread of their own.
 */
static void many_queues_share_pools(struct kunit *test)
{
	enum { NR_WQS = 32, PER_WQ = 4, BURST = 4, NR = NR_WQS * PER_WQ };
	struct cmwq_test_pool_stats before, after;
	struct cmwq_workqueue **wqs;
	pid_t *pids;
	struct share_item *items;
	int cpu = test_cpu(), i, j, nr_tasks = 0, nr_bursts_in = 0;
	struct share_item *elsewhere = NULL;
	char prefix[16];
	int nr_stuck = 0;

	wqs = kunit_kcalloc(test, NR_WQS, sizeof(*wqs), GFP_KERNEL);
	items = kunit_kcalloc(test, NR, sizeof(*items), GFP_KERNEL);
	pids = kunit_kcalloc(test, NR, sizeof(*pids), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, wqs);
	KUNIT_ASSERT_NOT_NULL(test, items);
	KUNIT_ASSERT_NOT_NULL(test, pids);
	cmwq_test_pool_stats(cpu, false, &before);
	for (i = 0; i < NR_WQS; i++) {
		wqs[i] = cmwq_kunit_alloc_wq(test, "eng_many%d", 0, 0, i);
		KUNIT_ASSERT_NOT_NULL(test, wqs[i]);
	}

	/* work i belongs to queue i % NR_WQS: a burst spans BURST queues */
	for (i = 0; i < NR; i += BURST) {
		struct completion go;
		atomic_t in_flight = ATOMIC_INIT(0);

		init_completion(&go);
		for (j = i; j < i + BURST; j++) {
			CMWQ_INIT_WORK(&items[j].work, share_fn);
			init_completion(&items[j].done);
			items[j].go = &go;
			items[j].in_flight = &in_flight;
			cmwq_queue_work_on(cpu, wqs[j % NR_WQS], &items[j].work);
		}
		nr_bursts_in += cmwq_poll(atomic_read(&in_flight) == BURST,
					  CMWQ_KUNIT_TIMEOUT);
		complete_all(&go);
		/* the burst's go and count live here: wait them out */
		for (j = i; j < i + BURST; j++)
			KUNIT_EXPECT_COMPLETES(test, &items[j].done);
	}
	cmwq_test_pool_stats(cpu, false, &after);
	for (i = 0; i < NR_WQS; i++)
		cmwq_kunit_destroy_wq(test, wqs[i]);

	KUNIT_EXPECT_EQ(test, nr_bursts_in, NR / BURST);
	snprintf(prefix, sizeof(prefix), "cmwq/%d:", cpu);
	for (i = 0; i < NR; i++) {
		nr_stuck += !items[i].got_go;
		if (items[i].cpu != cpu || !str_has_prefix(items[i].comm, prefix))
			elsewhere = &items[i];
		for (j = 0; j < nr_tasks && pids[j] != items[i].pid; j++)
			;
		if (j == nr_tasks)
			pids[nr_tasks++] = items[i].pid;
	}
	KUNIT_EXPECT_EQ(test, nr_stuck, 0);
	KUNIT_EXPECT_PTR_EQ_MSG(test, elsewhere, NULL,
				"a work ran on %s, CPU %d: not a worker of %s",
				elsewhere ? elsewhere->comm : "",
				elsewhere ? elsewhere->cpu : -1, prefix);
	kunit_info(test, "%d works of %d queues ran on %d workers\n",
		   NR, NR_WQS, nr_tasks);
	/* a burst's worth of workers and a few spare, far below a queue's */
	KUNIT_EXPECT_GE(test, nr_tasks, BURST);
	KUNIT_EXPECT_LE(test, nr_tasks, NR_WQS / 2);
	KUNIT_EXPECT_LE(test, after.nr_workers - before.nr_workers, BURST + 2);
}

/* bounded in operations and in time, so a slow host shortens it instead */
enum { STRESS_WORKS = 48, STRESS_THREADS = 3, STRESS_OPS = 3000 };
#define STRESS_TIME	(4 * HZ)

struct stress {
	struct cmwq_churn	churn;
	struct completion	done[STRESS_THREADS];
	unsigned long		deadline;
};

/* the stress works find their counters through the one running stress */
static struct stress *the_stress;

static void stress_fn(struct cmwq_work *work)
{
	if (cmwq_churn_ran(&the_stress->churn, work) % 5 == 0)
		usleep_range(50, 200);
}

static int stress_thread(void *arg)
{
	struct stress *s = the_stress;
	int op;

	for (op = 0; op < STRESS_OPS && time_before(jiffies, s->deadline);
	     op++)
		cmwq_churn_step(&s->churn,
				cpumask_nth(get_random_u32_below(num_online_cpus()),
					    cpu_online_mask));
	complete(&s->done[(long)arg]);
	return 0;
}

/* Random queue/cancel/flush: every successful queue runs or is cancelled. */
static void stress_exact_accounting(struct kunit *test)
{
	struct stress *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	struct cmwq_workqueue *wq = cmwq_kunit_alloc_wq(test, "eng_stress", 0,
							4);
	unsigned long runs;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_ASSERT_NOT_NULL(test, wq);
	KUNIT_ASSERT_EQ(test, cmwq_churn_init(&s->churn, STRESS_WORKS, wq,
					      stress_fn), 0);
	the_stress = s;
	s->deadline = jiffies + STRESS_TIME;
	for (i = 0; i < STRESS_THREADS; i++) {
		init_completion(&s->done[i]);
		KUNIT_ASSERT_FALSE(test, IS_ERR(kthread_run(stress_thread,
							    (void *)(long)i,
							    "cmwq_stress%d",
							    i)));
	}
	for (i = 0; i < STRESS_THREADS; i++)
		KUNIT_ASSERT_GT(test,
				wait_for_completion_timeout(&s->done[i],
							    CMWQ_KUNIT_TIMEOUT),
				0UL);
	KUNIT_EXPECT_EQ(test, cmwq_churn_miscounted(&s->churn, &runs), 0);
	KUNIT_EXPECT_GT(test, runs, 0UL);
	/* the works live in the churn's memory */
	cmwq_kunit_destroy_wq(test, wq);
	cmwq_churn_free(&s->churn);
}

static struct kunit_case cmwq_engine_cases[] = {
	KUNIT_CASE_PARAM(runnable_works_one_at_a_time, eng_pool_gen_params),
	KUNIT_CASE_PARAM(sleeping_works_all_in_flight, eng_pool_gen_params),
	KUNIT_CASE_PARAM(idle_pool_woken_once, eng_pool_gen_params),
	KUNIT_CASE(nr_running_zero_at_idle),
	KUNIT_CASE(manager_creates_workers),
	KUNIT_CASE(idle_workers_reaped),
	KUNIT_CASE(reaped_workers_stopped_outside_manager),
	KUNIT_CASE(cpu_intensive_not_holding_back),
	KUNIT_CASE(highpri_not_stuck_behind_normal),
	KUNIT_CASE(non_reentrant_across_cpus),
	KUNIT_CASE(queue_from_hardirq),
	KUNIT_CASE_PARAM(waits_for_later_work, eng_pool_gen_params),
	KUNIT_CASE(many_queues_share_pools),
	KUNIT_CASE(stress_exact_accounting),
	{}
};

static unsigned int eng_saved_hog_thresh;

/*
 * The cases count runnable works behind CPU-bound ones: CPU-hog
 * detection, which lets a spinner out of concurrency management after
 * 10 ms (12 ms of spinning under emulation is enough), is off for the
 * suite.
 */
static int eng_suite_init(struct kunit_suite *suite)
{
	eng_saved_hog_thresh = cmwq_test_set_hog_thresh(0);
	return 0;
}

static void eng_suite_exit(struct kunit_suite *suite)
{
	cmwq_test_set_hog_thresh(eng_saved_hog_thresh);
}

static struct kunit_suite cmwq_engine_suite = {
	.name = "cmwq_engine",
	.suite_init = eng_suite_init,
	.suite_exit = eng_suite_exit,
	.exit = eng_exit,
	.test_cases = cmwq_engine_cases,
};

kunit_test_suites(&cmwq_engine_suite);

MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_DESCRIPTION("KUnit tests of cmwq's concurrency-managed engine");
