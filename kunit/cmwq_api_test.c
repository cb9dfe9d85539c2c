// SPDX-License-Identifier: GPL-2.0
/*
 * cmwq_api_test.c - KUnit: the contract of every exported cmwq call
 *
 * Each case uses a workqueue of its own and waits for works through
 * completions with bounded timeouts.  Works that must stay queued are
 * held back behind a blocker on a max_active == 1 queue, so no case
 * depends on timing.
 */
#include <kunit/test.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/string.h>

#include "cmwq_kunit.h"

struct item {
	struct cmwq_work		work;
	struct cmwq_delayed_work	dwork;
	struct cmwq_workqueue		*wq;
	struct completion		started;
	struct completion		release;
	struct completion		done;
	atomic_t			runs;
	int				cpu;
	int				seq;
	int				nice;
	unsigned long			ran_at;
	struct cmwq_work		*seen_current;
	char				comm[TASK_COMM_LEN];
	int				requeues_left;	/* -1: forever */
	bool				stop;
	struct cmwq_concurrency		*cc;
	int				*order;
	atomic_t			*order_pos;
};

static void item_init(struct item *it, cmwq_func_t fn, struct cmwq_workqueue *wq)
{
	memset(it, 0, sizeof(*it));
	CMWQ_INIT_WORK(&it->work, fn);
	CMWQ_INIT_DELAYED_WORK(&it->dwork, fn);
	it->wq = wq;
	init_completion(&it->started);
	init_completion(&it->release);
	init_completion(&it->done);
}

static struct item *work_item(struct cmwq_work *work)
{
	return container_of(work, struct item, work);
}

static struct item *dwork_item(struct cmwq_work *work)
{
	return container_of(cmwq_to_delayed_work(work), struct item, dwork);
}

static void record(struct item *it, struct cmwq_work *work)
{
	it->cpu = raw_smp_processor_id();
	it->ran_at = jiffies;
	it->seen_current = cmwq_current_work();
	it->nice = task_nice(current);
	get_task_comm(it->comm, current);
	atomic_inc(&it->runs);
	complete(&it->done);
}

static void count_fn(struct cmwq_work *work)
{
	record(work_item(work), work);
}

static void dcount_fn(struct cmwq_work *work)
{
	record(dwork_item(work), work);
}

static void block_fn(struct cmwq_work *work)
{
	struct item *it = work_item(work);

	if (it->cc)
		cmwq_concurrency_enter(it->cc);
	complete(&it->started);
	wait_for_completion_timeout(&it->release, CMWQ_KUNIT_TIMEOUT);
	if (it->cc)
		cmwq_concurrency_exit(it->cc);
	record(it, work);
}

static void slow_fn(struct cmwq_work *work)
{
	struct item *it = work_item(work);

	complete(&it->started);
	msleep(50);
	record(it, work);
}

static void requeue_fn(struct cmwq_work *work)
{
	struct item *it = work_item(work);

	atomic_inc(&it->runs);
	if (READ_ONCE(it->stop))
		return;
	if (it->requeues_left < 0 || it->requeues_left-- > 0)
		cmwq_queue_work(it->wq, work);
}

static void drequeue_fn(struct cmwq_work *work)
{
	struct item *it = dwork_item(work);

	atomic_inc(&it->runs);
	if (!READ_ONCE(it->stop))
		cmwq_queue_delayed_work(it->wq, &it->dwork, 1);
}

static void ordered_fn(struct cmwq_work *work)
{
	struct item *it = work_item(work);

	cmwq_concurrency_enter(it->cc);
	if (it->seq % 3 == 0)
		usleep_range(1000, 2000);
	it->order[atomic_inc_return(it->order_pos) - 1] = it->seq;
	cmwq_concurrency_exit(it->cc);
	complete(&it->done);
}

struct api_ctx {
	struct cmwq_workqueue *wq;	/* max_active 1, bound */
	struct item *items;
};

#define NR_ITEMS 32

static int api_init(struct kunit *test)
{
	struct api_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ctx->items = kunit_kcalloc(test, NR_ITEMS, sizeof(*ctx->items),
				   GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx->items);
	for (i = 0; i < NR_ITEMS; i++)
		item_init(&ctx->items[i], count_fn, NULL);
	ctx->wq = cmwq_kunit_alloc_wq(test, "api_test", 0, 1);
	KUNIT_ASSERT_NOT_NULL(test, ctx->wq);
	test->priv = ctx;
	return 0;
}

static void api_exit(struct kunit *test)
{
	struct api_ctx *ctx = test->priv;
	int i;

	/* a failed case may have left blockers waiting: free them first */
	for (i = 0; i < NR_ITEMS; i++)
		complete_all(&ctx->items[i].release);
}

/* Queueing runs the work once; queueing it while pending says false. */
static void queue_pending_and_busy(struct kunit *test)
{
	struct api_ctx *ctx = test->priv;
	struct item *blocker = &ctx->items[0], *it = &ctx->items[1];
	int cpu = raw_smp_processor_id();

	item_init(blocker, block_fn, ctx->wq);
	item_init(it, count_fn, ctx->wq);

	KUNIT_ASSERT_TRUE(test, cmwq_queue_work_on(cpu, ctx->wq,
						   &blocker->work));
	KUNIT_ASSERT_COMPLETES(test, &blocker->started);
	KUNIT_EXPECT_EQ(test, cmwq_work_busy(&blocker->work),
			(unsigned int)CMWQ_BUSY_RUNNING);

	KUNIT_EXPECT_TRUE(test, cmwq_queue_work_on(cpu, ctx->wq, &it->work));
	KUNIT_EXPECT_TRUE(test, cmwq_work_pending(&it->work));
	KUNIT_EXPECT_FALSE(test, cmwq_queue_work_on(cpu, ctx->wq, &it->work));
	KUNIT_EXPECT_EQ(test, cmwq_work_busy(&it->work),
			(unsigned int)CMWQ_BUSY_PENDING);

	complete(&blocker->release);
	KUNIT_EXPECT_COMPLETES(test, &it->done);
	cmwq_flush_workqueue(ctx->wq);
	KUNIT_EXPECT_EQ(test, atomic_read(&it->runs), 1);
	KUNIT_EXPECT_FALSE(test, cmwq_work_pending(&it->work));
	KUNIT_EXPECT_EQ(test, cmwq_work_busy(&it->work), 0U);
}

/* cmwq_queue_work_on() runs the work on that CPU, on a cmwq/<cpu> worker. */
static void queue_on_each_cpu(struct kunit *test)
{
	struct api_ctx *ctx = test->priv;
	char prefix[16];
	int cpu;

	for_each_online_cpu(cpu) {
		struct item *it = &ctx->items[cpu % NR_ITEMS];

		item_init(it, count_fn, ctx->wq);
		KUNIT_ASSERT_TRUE(test, cmwq_queue_work_on(cpu, ctx->wq,
							   &it->work));
		KUNIT_ASSERT_COMPLETES(test, &it->done);
		KUNIT_EXPECT_EQ(test, it->cpu, cpu);
		snprintf(prefix, sizeof(prefix), "cmwq/%d:", cpu);
		KUNIT_EXPECT_TRUE(test, !strncmp(it->comm, prefix,
						 strlen(prefix)));
		KUNIT_EXPECT_PTR_EQ(test, it->seen_current, &it->work);
	}
	KUNIT_EXPECT_NULL(test, cmwq_current_work());
}

/* A delayed work waits its delay and no less. */
static void delayed_work_waits(struct kunit *test)
{
	struct api_ctx *ctx = test->priv;
	struct item *it = &ctx->items[0];
	unsigned long start;

	item_init(it, dcount_fn, ctx->wq);
	start = jiffies;
	KUNIT_ASSERT_TRUE(test, cmwq_queue_delayed_work(ctx->wq, &it->dwork,
							HZ / 5));
	KUNIT_EXPECT_TRUE(test, cmwq_delayed_work_pending(&it->dwork));
	KUNIT_EXPECT_FALSE(test, cmwq_queue_delayed_work(ctx->wq, &it->dwork,
							 HZ / 5));
	KUNIT_ASSERT_COMPLETES(test, &it->done);
	KUNIT_EXPECT_GE(test, it->ran_at - start, (unsigned long)HZ / 5);
	KUNIT_EXPECT_EQ(test, atomic_read(&it->runs), 1);
}

/* mod_delayed_work queues an idle work and reschedules a pending one. */
static void mod_delayed_work_reschedules(struct kunit *test)
{
	struct api_ctx *ctx = test->priv;
	struct item *it = &ctx->items[0];
	int cpu = raw_smp_processor_id();

	item_init(it, dcount_fn, ctx->wq);
	KUNIT_EXPECT_FALSE(test, cmwq_mod_delayed_work(ctx->wq, &it->dwork,
						       60 * HZ));
	KUNIT_EXPECT_TRUE(test, cmwq_delayed_work_pending(&it->dwork));
	KUNIT_EXPECT_TRUE(test, cmwq_mod_delayed_work_on(cpu, ctx->wq,
							 &it->dwork, 0));
	KUNIT_ASSERT_COMPLETES(test, &it->done);
	KUNIT_EXPECT_EQ(test, it->cpu, cpu);
	KUNIT_EXPECT_EQ(test, atomic_read(&it->runs), 1);
}

/* flush_work waits for a running work; an idle one returns false. */
static void flush_work_waits(struct kunit *test)
{
	struct api_ctx *ctx = test->priv;
	struct item *it = &ctx->items[0];

	item_init(it, slow_fn, ctx->wq);
	KUNIT_ASSERT_TRUE(test, cmwq_queue_work(ctx->wq, &it->work));
	KUNIT_EXPECT_TRUE(test, cmwq_flush_work(&it->work));
	KUNIT_EXPECT_EQ(test, atomic_read(&it->runs), 1);
	KUNIT_EXPECT_FALSE(test, cmwq_flush_work(&it->work));
}

/* flush_delayed_work runs a far-off delayed work now. */
static void flush_delayed_work_runs_now(struct kunit *test)
{
	struct api_ctx *ctx = test->priv;
	struct item *it = &ctx->items[0];

	item_init(it, dcount_fn, ctx->wq);
	KUNIT_ASSERT_TRUE(test, cmwq_queue_delayed_work(ctx->wq, &it->dwork,
							600 * HZ));
	cmwq_flush_delayed_work(&it->dwork);
	KUNIT_EXPECT_EQ(test, atomic_read(&it->runs), 1);
	KUNIT_EXPECT_FALSE(test, cmwq_delayed_work_pending(&it->dwork));
}

/* cancel_work takes a queued work off its queue: it never runs. */
static void cancel_work_dequeues(struct kunit *test)
{
	struct api_ctx *ctx = test->priv;
	struct item *blocker = &ctx->items[0], *it = &ctx->items[1];
	int cpu = raw_smp_processor_id();

	item_init(blocker, block_fn, ctx->wq);
	item_init(it, count_fn, ctx->wq);
	KUNIT_ASSERT_TRUE(test, cmwq_queue_work_on(cpu, ctx->wq,
						   &blocker->work));
	KUNIT_ASSERT_COMPLETES(test, &blocker->started);
	KUNIT_ASSERT_TRUE(test, cmwq_queue_work_on(cpu, ctx->wq, &it->work));

	KUNIT_EXPECT_TRUE(test, cmwq_cancel_work(&it->work));
	KUNIT_EXPECT_FALSE(test, cmwq_work_pending(&it->work));
	KUNIT_EXPECT_FALSE(test, cmwq_cancel_work(&it->work));

	complete(&blocker->release);
	cmwq_flush_workqueue(ctx->wq);
	KUNIT_EXPECT_EQ(test, atomic_read(&it->runs), 0);
	/* and it can be queued again afterwards */
	KUNIT_EXPECT_TRUE(test, cmwq_queue_work(ctx->wq, &it->work));
	KUNIT_EXPECT_COMPLETES(test, &it->done);
}

/* cancel_work_sync waits for the running instance. */
static void cancel_work_sync_waits(struct kunit *test)
{
	struct api_ctx *ctx = test->priv;
	struct item *it = &ctx->items[0];

	item_init(it, slow_fn, ctx->wq);
	KUNIT_ASSERT_TRUE(test, cmwq_queue_work(ctx->wq, &it->work));
	KUNIT_ASSERT_COMPLETES(test, &it->started);
	KUNIT_EXPECT_FALSE(test, cmwq_cancel_work_sync(&it->work));
	KUNIT_EXPECT_EQ(test, atomic_read(&it->runs), 1);
	KUNIT_EXPECT_EQ(test, cmwq_work_busy(&it->work), 0U);
}

/* The sync cancels stop self-requeueing works for good. */
static void cancel_sync_stops_requeueing(struct kunit *test)
{
	struct api_ctx *ctx = test->priv;
	struct item *it = &ctx->items[0], *dit = &ctx->items[1];
	int runs;

	item_init(it, requeue_fn, ctx->wq);
	it->requeues_left = -1;
	item_init(dit, drequeue_fn, ctx->wq);

	KUNIT_ASSERT_TRUE(test, cmwq_queue_work(ctx->wq, &it->work));
	KUNIT_ASSERT_TRUE(test, cmwq_queue_delayed_work(ctx->wq, &dit->dwork,
							1));
	KUNIT_EXPECT_TRUE(test, cmwq_poll(atomic_read(&it->runs) >= 3 &&
					  atomic_read(&dit->runs) >= 3,
					  CMWQ_KUNIT_TIMEOUT));

	cmwq_cancel_work_sync(&it->work);
	cmwq_cancel_delayed_work_sync(&dit->dwork);
	KUNIT_EXPECT_EQ(test, cmwq_work_busy(&it->work), 0U);
	KUNIT_EXPECT_EQ(test, cmwq_work_busy(&dit->dwork.work), 0U);

	runs = atomic_read(&it->runs) + atomic_read(&dit->runs);
	cmwq_flush_workqueue(ctx->wq);
	KUNIT_EXPECT_EQ(test, atomic_read(&it->runs) + atomic_read(&dit->runs),
			runs);
}

/* Cancelling a delayed work stops its timer. */
static void cancel_delayed_work_stops_timer(struct kunit *test)
{
	struct api_ctx *ctx = test->priv;
	struct item *it = &ctx->items[0];

	item_init(it, dcount_fn, ctx->wq);
	KUNIT_ASSERT_TRUE(test, cmwq_queue_delayed_work(ctx->wq, &it->dwork,
							60 * HZ));
	KUNIT_EXPECT_TRUE(test, cmwq_cancel_delayed_work(&it->dwork));
	KUNIT_EXPECT_FALSE(test, cmwq_delayed_work_pending(&it->dwork));
	KUNIT_EXPECT_FALSE(test, cmwq_cancel_delayed_work_sync(&it->dwork));
	KUNIT_EXPECT_EQ(test, atomic_read(&it->runs), 0);
}

struct flush_thread {
	struct cmwq_workqueue	*wq;
	struct completion	done;
};

static int flush_thread_fn(void *arg)
{
	struct flush_thread *ft = arg;

	cmwq_flush_workqueue(ft->wq);
	complete(&ft->done);
	return 0;
}

/* A queue flush waits for earlier works, whatever keeps requeueing. */
static void flush_workqueue_not_livelocked(struct kunit *test)
{
	struct api_ctx *ctx = test->priv;
	struct item *loop = &ctx->items[0];
	struct cmwq_workqueue *wq;
	struct flush_thread *ft;
	struct task_struct *task;
	int i;

	/* before the queue: the flusher uses it until the queue is gone */
	ft = kunit_kzalloc(test, sizeof(*ft), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ft);
	wq = cmwq_kunit_alloc_wq(test, "api_flush", 0, 0);
	KUNIT_ASSERT_NOT_NULL(test, wq);
	ft->wq = wq;
	init_completion(&ft->done);

	item_init(loop, requeue_fn, wq);
	loop->requeues_left = -1;
	KUNIT_ASSERT_TRUE(test, cmwq_queue_work(wq, &loop->work));
	for (i = 1; i < 9; i++) {
		item_init(&ctx->items[i], slow_fn, wq);
		cmwq_queue_work_on(cpumask_first(cpu_online_mask), wq,
				   &ctx->items[i].work);
	}

	task = kthread_run(flush_thread_fn, ft, "cmwq_api_flush");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	KUNIT_EXPECT_COMPLETES(test, &ft->done);
	for (i = 1; i < 9; i++)
		KUNIT_EXPECT_EQ(test, atomic_read(&ctx->items[i].runs), 1);

	WRITE_ONCE(loop->stop, true);
	wait_for_completion_timeout(&ft->done, CMWQ_KUNIT_TIMEOUT);
}

/* Drain lets a work requeue itself until it is done. */
static void drain_allows_chains(struct kunit *test)
{
	struct api_ctx *ctx = test->priv;
	struct item *it = &ctx->items[0];

	item_init(it, requeue_fn, ctx->wq);
	it->requeues_left = 5;
	KUNIT_ASSERT_TRUE(test, cmwq_queue_work(ctx->wq, &it->work));
	cmwq_drain_workqueue(ctx->wq);
	KUNIT_EXPECT_EQ(test, atomic_read(&it->runs), 6);
	KUNIT_EXPECT_FALSE(test, cmwq_work_pending(&it->work));
	/* and the queue takes works again afterwards */
	item_init(it, count_fn, ctx->wq);
	KUNIT_EXPECT_TRUE(test, cmwq_queue_work(ctx->wq, &it->work));
	KUNIT_EXPECT_COMPLETES(test, &it->done);
}

/* Destroying a queue runs what it still holds first. */
static void destroy_drains_first(struct kunit *test)
{
	struct cmwq_workqueue *wq = cmwq_kunit_alloc_wq(test, "api_destroy", 0,
							2);
	struct api_ctx *ctx = test->priv;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, wq);
	for (i = 0; i < 16; i++) {
		item_init(&ctx->items[i], slow_fn, wq);
		KUNIT_ASSERT_TRUE(test, cmwq_queue_work(wq,
							&ctx->items[i].work));
	}
	cmwq_kunit_destroy_wq(test, wq);
	for (i = 0; i < 16; i++)
		KUNIT_EXPECT_EQ(test, atomic_read(&ctx->items[i].runs), 1);
}

/* An ordered queue runs one work at a time, in queueing order. */
static void ordered_queue_in_order(struct kunit *test)
{
	struct cmwq_workqueue *wq = cmwq_kunit_alloc_ordered_wq(test,
								"api_ordered",
								0);
	struct api_ctx *ctx = test->priv;
	struct cmwq_concurrency cc = {};
	atomic_t pos = ATOMIC_INIT(0);
	int order[NR_ITEMS];
	int i, cpu = 0;

	KUNIT_ASSERT_NOT_NULL(test, wq);
	for (i = 0; i < NR_ITEMS; i++) {
		item_init(&ctx->items[i], ordered_fn, wq);
		ctx->items[i].seq = i;
		ctx->items[i].cc = &cc;
		ctx->items[i].order = order;
		ctx->items[i].order_pos = &pos;
		cpu = cpumask_next(cpu, cpu_online_mask);
		if (cpu >= nr_cpu_ids)
			cpu = cpumask_first(cpu_online_mask);
		KUNIT_ASSERT_TRUE(test, cmwq_queue_work_on(cpu, wq,
							   &ctx->items[i].work));
	}
	for (i = 0; i < NR_ITEMS; i++)
		KUNIT_ASSERT_COMPLETES(test, &ctx->items[i].done);
	for (i = 0; i < NR_ITEMS; i++)
		KUNIT_EXPECT_EQ(test, order[i], i);
	KUNIT_EXPECT_EQ(test, atomic_read(&cc.max), 1);
}

/* Works spread over the CPUs: an unbound queue's limit holds in total. */
static void check_max_active(struct kunit *test, struct cmwq_workqueue *wq,
			     int max_active, int nr)
{
	struct api_ctx *ctx = test->priv;
	struct cmwq_concurrency cc = {};
	int cpu = raw_smp_processor_id(), i, active, inactive, started;

	for (i = 0; i < nr; i++) {
		item_init(&ctx->items[i], block_fn, wq);
		ctx->items[i].cc = &cc;
		cpu = cpumask_next(cpu, cpu_online_mask) < nr_cpu_ids ?
		      cpumask_next(cpu, cpu_online_mask) :
		      cpumask_first(cpu_online_mask);
		KUNIT_ASSERT_TRUE(test, cmwq_queue_work_on(cpu, wq,
							   &ctx->items[i].work));
	}
	KUNIT_EXPECT_TRUE(test, cmwq_poll(atomic_read(&cc.now) == max_active,
					  CMWQ_KUNIT_TIMEOUT));
	cmwq_test_cwq_counts(wq, cpu, &active, &inactive);
	KUNIT_EXPECT_EQ(test, active, max_active);
	KUNIT_EXPECT_EQ(test, inactive, nr - max_active);

	/* raising the limit starts held-back works at once */
	cmwq_set_max_active(wq, max_active + 2);
	KUNIT_EXPECT_TRUE(test, cmwq_poll(atomic_read(&cc.now) ==
					  max_active + 2, CMWQ_KUNIT_TIMEOUT));

	for (i = 0; i < nr; i++)
		complete(&ctx->items[i].release);
	for (i = 0, started = 0; i < nr; i++)
		started += wait_for_completion_timeout(&ctx->items[i].done,
						       CMWQ_KUNIT_TIMEOUT) > 0;
	KUNIT_EXPECT_EQ(test, started, nr);
	KUNIT_EXPECT_EQ(test, atomic_read(&cc.max), max_active + 2);
}

/*
 * max_active caps a bound queue's works in flight per CPU, not in total:
 * two CPUs each run max_active of the queue's works at once (a limit for
 * the whole queue would allow max_active in all), and raising the limit
 * starts held-back works on both.
 */
static void max_active_per_cpu(struct kunit *test)
{
	enum { MAX = 2, PER_CPU = 8 };
	struct cmwq_workqueue *wq = cmwq_kunit_alloc_wq(test, "api_max", 0,
							MAX);
	struct cmwq_concurrency cc[2] = {};
	struct api_ctx *ctx = test->priv;
	int cpus[2], c, i, active, inactive;
	bool all_in;

	KUNIT_ASSERT_NOT_NULL(test, wq);
	cpus[0] = cpumask_first(cpu_online_mask);
	cpus[1] = cpumask_last(cpu_online_mask);
	KUNIT_ASSERT_NE(test, cpus[0], cpus[1]);
	KUNIT_EXPECT_EQ(test, cmwq_test_max_active(wq, cpus[0]), MAX);
	KUNIT_EXPECT_EQ(test, cmwq_test_max_active(wq, cpus[1]), MAX);

	for (i = 0; i < 2 * PER_CPU; i++) {
		item_init(&ctx->items[i], block_fn, wq);
		ctx->items[i].cc = &cc[i % 2];
		KUNIT_ASSERT_TRUE(test, cmwq_queue_work_on(cpus[i % 2], wq,
							   &ctx->items[i].work));
	}
	for (c = 0; c < 2; c++) {
		all_in = cmwq_poll(atomic_read(&cc[c].now) == MAX,
				   CMWQ_KUNIT_TIMEOUT);
		KUNIT_EXPECT_TRUE_MSG(test, all_in,
				      "CPU %d: %d of max_active %d in flight",
				      cpus[c], atomic_read(&cc[c].now), MAX);
		cmwq_test_cwq_counts(wq, cpus[c], &active, &inactive);
		KUNIT_EXPECT_EQ(test, active, MAX);
		KUNIT_EXPECT_EQ(test, inactive, PER_CPU - MAX);
	}
	/* both CPUs' works in flight at once: more than max_active in all */
	KUNIT_EXPECT_EQ(test, atomic_read(&cc[0].now) + atomic_read(&cc[1].now),
			2 * MAX);

	/* raising the limit starts held-back works on every CPU at once */
	cmwq_set_max_active(wq, MAX + 2);
	for (c = 0; c < 2; c++)
		KUNIT_EXPECT_TRUE(test, cmwq_poll(atomic_read(&cc[c].now) ==
						  MAX + 2, CMWQ_KUNIT_TIMEOUT));

	for (i = 0; i < 2 * PER_CPU; i++)
		complete(&ctx->items[i].release);
	for (i = 0; i < 2 * PER_CPU; i++) {
		KUNIT_EXPECT_COMPLETES(test, &ctx->items[i].done);
		KUNIT_EXPECT_EQ(test, ctx->items[i].cpu, cpus[i % 2]);
	}
	for (c = 0; c < 2; c++)
		KUNIT_EXPECT_EQ(test, atomic_read(&cc[c].max), MAX + 2);
}

/* An unbound queue's max_active caps its works in flight in total. */
static void max_active_unbound_total(struct kunit *test)
{
	struct cmwq_workqueue *wq = cmwq_kunit_alloc_wq(test, "api_umax",
							CMWQ_UNBOUND, 3);

	KUNIT_ASSERT_NOT_NULL(test, wq);
	check_max_active(test, wq, 3, 10);
}

static struct cpumask each_cpu_seen;

static void each_cpu_fn(struct cmwq_work *work)
{
	cpumask_set_cpu(raw_smp_processor_id(), &each_cpu_seen);
}

/* schedule_on_each_cpu runs the function on every online CPU. */
static void schedule_on_each_cpu_runs_everywhere(struct kunit *test)
{
	cpumask_clear(&each_cpu_seen);
	KUNIT_EXPECT_EQ(test, cmwq_schedule_on_each_cpu(each_cpu_fn), 0);
	KUNIT_EXPECT_TRUE(test, cpumask_equal(&each_cpu_seen, cpu_online_mask));
}

static long cpu_plus_arg(void *arg)
{
	return raw_smp_processor_id() + *(long *)arg;
}

/* work_on_cpu returns the function's result, computed on that CPU. */
static void work_on_cpu_returns_result(struct kunit *test)
{
	long base = 100;
	int cpu;

	for_each_online_cpu(cpu)
		KUNIT_EXPECT_EQ(test, cmwq_work_on_cpu(cpu, cpu_plus_arg, &base),
				cpu + 100L);
}

/* The system queues run works; highpri at nice -20, unbound on u: workers. */
static void system_workqueues(struct kunit *test)
{
	struct cmwq_workqueue *wqs[] = {
		cmwq_system_wq, cmwq_system_highpri_wq,
		cmwq_system_long_wq, cmwq_system_unbound_wq,
	};
	struct api_ctx *ctx = test->priv;
	int i;

	for (i = 0; i < ARRAY_SIZE(wqs); i++) {
		KUNIT_ASSERT_NOT_NULL(test, wqs[i]);
		item_init(&ctx->items[i], count_fn, wqs[i]);
		KUNIT_EXPECT_TRUE(test, cmwq_queue_work(wqs[i],
							&ctx->items[i].work));
		KUNIT_EXPECT_COMPLETES(test, &ctx->items[i].done);
	}
	KUNIT_EXPECT_EQ(test, ctx->items[0].nice, 0);
	KUNIT_EXPECT_EQ(test, ctx->items[1].nice, MIN_NICE);
	KUNIT_EXPECT_NOT_NULL(test, strchr(ctx->items[1].comm, 'H'));
	KUNIT_EXPECT_TRUE(test, !strncmp(ctx->items[3].comm, "cmwq/u:", 7));
}

struct onstack_item {
	struct cmwq_work	work;
	atomic_t		runs;
};

static void onstack_fn(struct cmwq_work *work)
{
	atomic_inc(&container_of(work, struct onstack_item, work)->runs);
}

static void never_fn(struct cmwq_work *work)
{
}

/* On-stack works and delayed works run and are torn down cleanly. */
static void onstack_works(struct kunit *test)
{
	struct api_ctx *ctx = test->priv;
	struct cmwq_delayed_work dwork;
	struct onstack_item w;

	CMWQ_INIT_WORK_ONSTACK(&w.work, onstack_fn);
	atomic_set(&w.runs, 0);
	KUNIT_EXPECT_TRUE(test, cmwq_queue_work(ctx->wq, &w.work));
	cmwq_flush_work(&w.work);
	KUNIT_EXPECT_EQ(test, atomic_read(&w.runs), 1);
	cmwq_destroy_work_on_stack(&w.work);

	CMWQ_INIT_DELAYED_WORK_ONSTACK(&dwork, never_fn);
	KUNIT_EXPECT_TRUE(test, cmwq_queue_delayed_work(ctx->wq, &dwork,
							60 * HZ));
	KUNIT_EXPECT_TRUE(test, cmwq_cancel_delayed_work_sync(&dwork));
	cmwq_destroy_delayed_work_on_stack(&dwork);
}

static struct completion static_done;

static void static_fn(struct cmwq_work *work)
{
	complete(&static_done);
}

static CMWQ_DECLARE_WORK(static_work, static_fn);
static CMWQ_DECLARE_DELAYED_WORK(static_dwork, static_fn);

/* Statically declared works and delayed works queue like others. */
static void static_works(struct kunit *test)
{
	struct api_ctx *ctx = test->priv;

	init_completion(&static_done);
	KUNIT_EXPECT_TRUE(test, cmwq_queue_work(ctx->wq, &static_work));
	KUNIT_EXPECT_COMPLETES(test, &static_done);
	cmwq_flush_work(&static_work);

	reinit_completion(&static_done);
	KUNIT_EXPECT_TRUE(test, cmwq_queue_delayed_work(ctx->wq, &static_dwork,
							1));
	KUNIT_EXPECT_COMPLETES(test, &static_done);
	cmwq_flush_delayed_work(&static_dwork);
}

static void dblock_fn(struct cmwq_work *work)
{
	struct item *it = dwork_item(work);

	complete(&it->started);
	wait_for_completion_timeout(&it->release, CMWQ_KUNIT_TIMEOUT);
	record(it, work);
}

struct dwork_canceler {
	struct item		*it;
	struct completion	done;
};

static int cancel_dwork_thread(void *arg)
{
	struct dwork_canceler *c = arg;

	cmwq_cancel_delayed_work_sync(&c->it->dwork);
	complete(&c->done);
	return 0;
}

/*
 * mod_delayed_work on a work a sync cancel owns says it was pending, as
 * the kernel's does, and leaves it cancelled.
 */
static void mod_delayed_work_while_canceling(struct kunit *test)
{
	struct api_ctx *ctx = test->priv;
	struct item *it = &ctx->items[0];
	struct dwork_canceler *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	struct task_struct *task;

	KUNIT_ASSERT_NOT_NULL(test, c);
	item_init(it, dblock_fn, ctx->wq);
	c->it = it;
	init_completion(&c->done);
	KUNIT_ASSERT_TRUE(test, cmwq_queue_delayed_work(ctx->wq, &it->dwork,
							0));
	KUNIT_ASSERT_COMPLETES(test, &it->started);
	task = kthread_run(cancel_dwork_thread, c, "cmwq_api_cancel");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));

	/* the canceler holds PENDING while it waits for the running work */
	KUNIT_EXPECT_TRUE(test,
			  cmwq_poll(cmwq_delayed_work_pending(&it->dwork),
				    CMWQ_KUNIT_TIMEOUT));
	KUNIT_EXPECT_TRUE(test, cmwq_mod_delayed_work(ctx->wq, &it->dwork, 0));

	complete(&it->release);
	KUNIT_ASSERT_COMPLETES(test, &c->done);
	KUNIT_EXPECT_FALSE(test, cmwq_delayed_work_pending(&it->dwork));
	cmwq_flush_workqueue(ctx->wq);
	KUNIT_EXPECT_EQ(test, atomic_read(&it->runs), 1);
}

#define NR_TIMER_RACES	1000

/*
 * flush_delayed_work called while the timer callback is queueing the work
 * on another CPU waits for that instance too.  The timer leaves the wheel
 * before its callback runs: flushing as soon as timer_pending() turns
 * false lands the flush in that window, often enough in a thousand tries.
 */
static void flush_delayed_work_waits_for_timer(struct kunit *test)
{
	struct api_ctx *ctx = test->priv;
	struct item *it = &ctx->items[0];
	unsigned long deadline = jiffies + CMWQ_KUNIT_TIMEOUT;
	int cpu = raw_smp_processor_id();
	int other = cmwq_first_other_cpu(cpu);
	int i;

	if (other < 0)
		kunit_skip(test, "needs two online CPUs");
	/* this case's own thread: its affinity dies with it */
	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current, cpumask_of(cpu)),
			0);
	item_init(it, dcount_fn, ctx->wq);

	for (i = 0; i < NR_TIMER_RACES && time_before(jiffies, deadline); i++) {
		KUNIT_ASSERT_TRUE(test,
				  cmwq_queue_delayed_work_on(other, ctx->wq,
							     &it->dwork, 1));
		while (timer_pending(&it->dwork.timer) &&
		       time_before(jiffies, deadline))
			cpu_relax();
		cmwq_flush_delayed_work(&it->dwork);
		KUNIT_ASSERT_FALSE_MSG(test,
				       cmwq_delayed_work_pending(&it->dwork),
				       "still pending after flush %d", i);
		KUNIT_ASSERT_EQ_MSG(test, atomic_read(&it->runs), i + 1,
				    "flush %d returned before the run", i);
	}
	kunit_info(test, "%d flushes as the timer fired\n", i);
	KUNIT_EXPECT_GE(test, i, NR_TIMER_RACES / 10);
}

static struct kunit_case cmwq_api_cases[] = {
	KUNIT_CASE(queue_pending_and_busy),
	KUNIT_CASE(queue_on_each_cpu),
	KUNIT_CASE(delayed_work_waits),
	KUNIT_CASE(mod_delayed_work_reschedules),
	KUNIT_CASE(flush_work_waits),
	KUNIT_CASE(flush_delayed_work_runs_now),
	KUNIT_CASE(cancel_work_dequeues),
	KUNIT_CASE(cancel_work_sync_waits),
	KUNIT_CASE(cancel_sync_stops_requeueing),
	KUNIT_CASE(cancel_delayed_work_stops_timer),
	KUNIT_CASE(flush_workqueue_not_livelocked),
	KUNIT_CASE(drain_allows_chains),
	KUNIT_CASE(destroy_drains_first),
	KUNIT_CASE(ordered_queue_in_order),
	KUNIT_CASE(max_active_per_cpu),
	KUNIT_CASE(max_active_unbound_total),
	KUNIT_CASE(schedule_on_each_cpu_runs_everywhere),
	KUNIT_CASE(work_on_cpu_returns_result),
	KUNIT_CASE(system_workqueues),
	KUNIT_CASE(onstack_works),
	KUNIT_CASE(static_works),
	KUNIT_CASE(mod_delayed_work_while_canceling),
	KUNIT_CASE(flush_delayed_work_waits_for_timer),
	{}
};

static struct kunit_suite cmwq_api_suite = {
	.name = "cmwq_api",
	.init = api_init,
	.exit = api_exit,
	.test_cases = cmwq_api_cases,
};

kunit_test_suites(&cmwq_api_suite);

MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_DESCRIPTION("KUnit tests of cmwq's exported API");
