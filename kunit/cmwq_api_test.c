// SPDX-License-Identifier: GPL-2.0
/*
 * cmwq_api_test.c - KUnit: the contract of every exported cmwq call
 *
 * One case per behaviour, each with a work type of its own: a work that
 * records where and how it ran, a blocker that holds its worker until
 * released, a slow work, a self-requeueing work, and so on.  Works wait
 * through completions with bounded timeouts.  Works that must stay
 * queued are held back behind a blocker on the suite's bound
 * max_active == 1 queue, so no case depends on timing.
 *
 * The behaviours every queue must have (queueing runs the work once,
 * flushing and cancelling wait for it, delayed works wait their delay,
 * a queue flush or destroy runs what is queued) are checked on each
 * flavour of queue: bound, unbound, high-priority (bound and unbound),
 * CPU-intensive, reclaim, freezable and ordered.
 */
#include <kunit/test.h>
#include <linux/kthread.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/string.h>

#include "cmwq_kunit.h"

/* A work that records where, by whom and how it ran. */
struct run_item {
	struct cmwq_work	work;
	struct completion	done;
	atomic_t		runs;
	int			cpu;
	int			nice;
	struct cmwq_work	*seen_current;
	char			comm[TASK_COMM_LEN];
};

static void run_fn(struct cmwq_work *work)
{
	struct run_item *it = container_of(work, struct run_item, work);

	it->cpu = raw_smp_processor_id();
	it->seen_current = cmwq_current_work();
	it->nice = task_nice(current);
	get_task_comm(it->comm, current);
	atomic_inc(&it->runs);
	complete(&it->done);
}

static struct run_item *new_run_item(struct kunit *test)
{
	struct run_item *it = kunit_kzalloc(test, sizeof(*it), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, it);
	CMWQ_INIT_WORK(&it->work, run_fn);
	init_completion(&it->done);
	return it;
}

/* A work that holds its worker until released. */
struct blocker {
	struct cmwq_work	work;
	struct completion	started;
	struct completion	release;
	struct completion	done;
	struct cmwq_concurrency	*cc;	/* counts it in flight, if set */
	int			cpu;
};

static void block_fn(struct cmwq_work *work)
{
	struct blocker *b = container_of(work, struct blocker, work);

	if (b->cc)
		cmwq_concurrency_enter(b->cc);
	complete(&b->started);
	wait_for_completion_timeout(&b->release, CMWQ_KUNIT_TIMEOUT);
	if (b->cc)
		cmwq_concurrency_exit(b->cc);
	b->cpu = raw_smp_processor_id();
	complete(&b->done);
}

/* A delayed work that records when and where it ran. */
struct delayed_item {
	struct cmwq_delayed_work dwork;
	struct completion	done;
	atomic_t		runs;
	int			cpu;
	unsigned long		ran_at;
};

static void delayed_fn(struct cmwq_work *work)
{
	struct delayed_item *it = container_of(cmwq_to_delayed_work(work),
					       struct delayed_item, dwork);

	it->cpu = raw_smp_processor_id();
	it->ran_at = jiffies;
	atomic_inc(&it->runs);
	complete(&it->done);
}

static struct delayed_item *new_delayed_item(struct kunit *test)
{
	struct delayed_item *it = kunit_kzalloc(test, sizeof(*it), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, it);
	CMWQ_INIT_DELAYED_WORK(&it->dwork, delayed_fn);
	init_completion(&it->done);
	return it;
}

/* A work that sleeps a while once it has started. */
struct slow_item {
	struct cmwq_work	work;
	struct completion	started;
	atomic_t		runs;
};

static void slow_fn(struct cmwq_work *work)
{
	struct slow_item *it = container_of(work, struct slow_item, work);

	complete(&it->started);
	msleep(50);
	atomic_inc(&it->runs);
}

static struct slow_item *new_slow_items(struct kunit *test, int n)
{
	struct slow_item *items = kunit_kcalloc(test, n, sizeof(*items),
						GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, items);
	for (i = 0; i < n; i++) {
		CMWQ_INIT_WORK(&items[i].work, slow_fn);
		init_completion(&items[i].started);
	}
	return items;
}

/* A work that queues itself again, @left more times or (-1) until stopped. */
struct requeue_item {
	struct cmwq_work	work;
	struct cmwq_workqueue	*wq;
	atomic_t		runs;
	int			left;
	bool			stop;
};

static void requeue_fn(struct cmwq_work *work)
{
	struct requeue_item *it = container_of(work, struct requeue_item, work);

	atomic_inc(&it->runs);
	if (READ_ONCE(it->stop))
		return;
	if (it->left < 0 || it->left-- > 0)
		cmwq_queue_work(it->wq, work);
}

static struct requeue_item *new_requeue_item(struct kunit *test, int left)
{
	struct requeue_item *it = kunit_kzalloc(test, sizeof(*it), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, it);
	CMWQ_INIT_WORK(&it->work, requeue_fn);
	it->left = left;
	return it;
}

/* A delayed work that queues itself again a jiffy later until stopped. */
struct drequeue_item {
	struct cmwq_delayed_work dwork;
	struct cmwq_workqueue	*wq;
	atomic_t		runs;
	bool			stop;
};

static void drequeue_fn(struct cmwq_work *work)
{
	struct drequeue_item *it = container_of(cmwq_to_delayed_work(work),
						struct drequeue_item, dwork);

	atomic_inc(&it->runs);
	if (!READ_ONCE(it->stop))
		cmwq_queue_delayed_work(it->wq, &it->dwork, 1);
}

/* The suite's queue: bound, max_active 1, and the blockers that hold it. */
struct api_ctx {
	struct cmwq_workqueue	*wq;
	struct blocker		*blockers;
	int			nr_blockers;
};

static int api_init(struct kunit *test)
{
	struct api_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ctx);
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
	for (i = 0; i < ctx->nr_blockers; i++)
		complete_all(&ctx->blockers[i].release);
	/*
	 * The suite's queue outlives the works the case allocated after
	 * it: run what a failed case left before that memory goes.
	 */
	cmwq_flush_workqueue(ctx->wq);
}

/* The case's @n blockers, released by the exit hook at the latest. */
static struct blocker *new_blockers(struct kunit *test, int n,
				    struct cmwq_concurrency *cc)
{
	struct api_ctx *ctx = test->priv;
	int i;

	KUNIT_ASSERT_NULL(test, ctx->blockers);
	ctx->blockers = kunit_kcalloc(test, n, sizeof(*ctx->blockers),
				      GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx->blockers);
	for (i = 0; i < n; i++) {
		CMWQ_INIT_WORK(&ctx->blockers[i].work, block_fn);
		init_completion(&ctx->blockers[i].started);
		init_completion(&ctx->blockers[i].release);
		init_completion(&ctx->blockers[i].done);
		ctx->blockers[i].cc = cc;
	}
	ctx->nr_blockers = n;
	return ctx->blockers;
}

/* Hold the suite's queue on @cpu: its one active work is a blocker. */
static struct blocker *hold_queue(struct kunit *test, int cpu)
{
	struct api_ctx *ctx = test->priv;
	struct blocker *b = new_blockers(test, 1, NULL);

	KUNIT_ASSERT_TRUE(test, cmwq_queue_work_on(cpu, ctx->wq, &b->work));
	KUNIT_ASSERT_COMPLETES(test, &b->started);
	return b;
}

/* The flavours of queue the basic behaviours must hold for. */
struct api_flavour {
	const char	*name;
	unsigned int	flags;
	bool		ordered;
};

static const struct api_flavour api_flavours[] = {
	{ "bound",		0 },
	{ "unbound",		CMWQ_UNBOUND },
	{ "highpri",		CMWQ_HIGHPRI },
	{ "unbound_highpri",	CMWQ_UNBOUND | CMWQ_HIGHPRI },
	{ "cpu_intensive",	CMWQ_CPU_INTENSIVE },
	{ "mem_reclaim",	CMWQ_MEM_RECLAIM },
	{ "freezable",		CMWQ_FREEZABLE },
	{ "ordered",		0, true },
};

static void api_flavour_desc(const struct api_flavour *f, char *desc)
{
	strscpy(desc, f->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(api_flavour, api_flavours, api_flavour_desc);

/*
 * A queue of the case's flavour with @max_active (0: the default; an
 * ordered queue has 1), destroyed when the case ends: allocate it after
 * the works it runs.
 */
static struct cmwq_workqueue *flavour_wq(struct kunit *test, int max_active)
{
	const struct api_flavour *f = test->param_value;
	struct cmwq_workqueue *wq;

	if (f->ordered)
		wq = cmwq_kunit_alloc_ordered_wq(test, "api_%s", f->flags,
						 f->name);
	else
		wq = cmwq_kunit_alloc_wq(test, "api_%s", f->flags, max_active,
					 f->name);
	KUNIT_ASSERT_NOT_NULL(test, wq);
	return wq;
}

/* Queueing runs the work once; it is idle afterwards. */
static void queue_runs_once(struct kunit *test)
{
	struct run_item *it = new_run_item(test);
	struct cmwq_workqueue *wq = flavour_wq(test, 0);

	KUNIT_ASSERT_TRUE(test, cmwq_queue_work(wq, &it->work));
	KUNIT_ASSERT_COMPLETES(test, &it->done);
	cmwq_flush_work(&it->work);
	KUNIT_EXPECT_EQ(test, atomic_read(&it->runs), 1);
	KUNIT_EXPECT_FALSE(test, cmwq_work_pending(&it->work));
	KUNIT_EXPECT_EQ(test, cmwq_work_busy(&it->work), 0U);
}

/* A running work is its own worker's current work, and nobody else's. */
static void current_work_is_the_running_one(struct kunit *test)
{
	struct run_item *it = new_run_item(test);
	struct cmwq_workqueue *wq = flavour_wq(test, 0);

	KUNIT_ASSERT_TRUE(test, cmwq_queue_work(wq, &it->work));
	KUNIT_ASSERT_COMPLETES(test, &it->done);
	KUNIT_EXPECT_PTR_EQ(test, it->seen_current, &it->work);
	KUNIT_EXPECT_NULL(test, cmwq_current_work());
}

/* A running work is busy RUNNING, not PENDING. */
static void running_work_is_busy_running(struct kunit *test)
{
	struct blocker *b = hold_queue(test, raw_smp_processor_id());

	KUNIT_EXPECT_EQ(test, cmwq_work_busy(&b->work),
			(unsigned int)CMWQ_BUSY_RUNNING);
}

/* Queueing a pending work says false; the work is busy PENDING. */
static void queue_pending_returns_false(struct kunit *test)
{
	struct api_ctx *ctx = test->priv;
	int cpu = raw_smp_processor_id();
	struct run_item *it = new_run_item(test);

	hold_queue(test, cpu);
	KUNIT_EXPECT_TRUE(test, cmwq_queue_work_on(cpu, ctx->wq, &it->work));
	KUNIT_EXPECT_TRUE(test, cmwq_work_pending(&it->work));
	KUNIT_EXPECT_FALSE(test, cmwq_queue_work_on(cpu, ctx->wq, &it->work));
	KUNIT_EXPECT_EQ(test, cmwq_work_busy(&it->work),
			(unsigned int)CMWQ_BUSY_PENDING);
}

/* A work queued twice while pending runs once, and is idle afterwards. */
static void pending_work_runs_once(struct kunit *test)
{
	struct api_ctx *ctx = test->priv;
	int cpu = raw_smp_processor_id();
	struct run_item *it = new_run_item(test);
	struct blocker *b = hold_queue(test, cpu);

	KUNIT_ASSERT_TRUE(test, cmwq_queue_work_on(cpu, ctx->wq, &it->work));
	KUNIT_ASSERT_FALSE(test, cmwq_queue_work_on(cpu, ctx->wq, &it->work));
	complete(&b->release);
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
	struct run_item *it;
	char prefix[16];
	int cpu;

	for_each_online_cpu(cpu) {
		it = new_run_item(test);
		KUNIT_ASSERT_TRUE(test, cmwq_queue_work_on(cpu, ctx->wq,
							   &it->work));
		KUNIT_ASSERT_COMPLETES(test, &it->done);
		KUNIT_EXPECT_EQ(test, it->cpu, cpu);
		snprintf(prefix, sizeof(prefix), "cmwq/%d:", cpu);
		KUNIT_EXPECT_TRUE(test, str_has_prefix(it->comm, prefix));
	}
}

/* A delayed work waits its delay and no less, and runs once. */
static void delayed_work_waits(struct kunit *test)
{
	struct delayed_item *it = new_delayed_item(test);
	struct cmwq_workqueue *wq = flavour_wq(test, 0);
	unsigned long start = jiffies;

	KUNIT_ASSERT_TRUE(test, cmwq_queue_delayed_work(wq, &it->dwork,
							HZ / 5));
	KUNIT_ASSERT_COMPLETES(test, &it->done);
	KUNIT_EXPECT_GE(test, it->ran_at - start, (unsigned long)HZ / 5);
	cmwq_flush_delayed_work(&it->dwork);
	KUNIT_EXPECT_EQ(test, atomic_read(&it->runs), 1);
}

/* A delayed work is pending until it runs: queueing it again says false. */
static void delayed_work_pending_until_run(struct kunit *test)
{
	struct delayed_item *it = new_delayed_item(test);
	struct cmwq_workqueue *wq = flavour_wq(test, 0);

	KUNIT_ASSERT_TRUE(test, cmwq_queue_delayed_work(wq, &it->dwork,
							HZ / 5));
	KUNIT_EXPECT_TRUE(test, cmwq_delayed_work_pending(&it->dwork));
	KUNIT_EXPECT_FALSE(test, cmwq_queue_delayed_work(wq, &it->dwork,
							 HZ / 5));
	KUNIT_ASSERT_COMPLETES(test, &it->done);
	cmwq_flush_delayed_work(&it->dwork);
	KUNIT_EXPECT_FALSE(test, cmwq_delayed_work_pending(&it->dwork));
	KUNIT_EXPECT_EQ(test, atomic_read(&it->runs), 1);
}

/* mod_delayed_work on an idle work queues it and says it was idle. */
static void mod_delayed_work_queues_idle(struct kunit *test)
{
	struct api_ctx *ctx = test->priv;
	struct delayed_item *it = new_delayed_item(test);

	KUNIT_EXPECT_FALSE(test, cmwq_mod_delayed_work(ctx->wq, &it->dwork,
						       60 * HZ));
	KUNIT_EXPECT_TRUE(test, cmwq_delayed_work_pending(&it->dwork));
	KUNIT_EXPECT_TRUE(test, cmwq_cancel_delayed_work_sync(&it->dwork));
}

/* mod_delayed_work reschedules a pending work, here to now on a CPU. */
static void mod_delayed_work_reschedules(struct kunit *test)
{
	struct api_ctx *ctx = test->priv;
	struct delayed_item *it = new_delayed_item(test);
	int cpu = raw_smp_processor_id();

	KUNIT_ASSERT_TRUE(test, cmwq_queue_delayed_work(ctx->wq, &it->dwork,
							60 * HZ));
	KUNIT_EXPECT_TRUE(test, cmwq_mod_delayed_work_on(cpu, ctx->wq,
							 &it->dwork, 0));
	KUNIT_ASSERT_COMPLETES(test, &it->done);
	KUNIT_EXPECT_EQ(test, it->cpu, cpu);
	KUNIT_EXPECT_EQ(test, atomic_read(&it->runs), 1);
}

/* flush_work waits for a running work and says it waited. */
static void flush_work_waits(struct kunit *test)
{
	struct slow_item *it = new_slow_items(test, 1);
	struct cmwq_workqueue *wq = flavour_wq(test, 0);

	KUNIT_ASSERT_TRUE(test, cmwq_queue_work(wq, &it->work));
	KUNIT_EXPECT_TRUE(test, cmwq_flush_work(&it->work));
	KUNIT_EXPECT_EQ(test, atomic_read(&it->runs), 1);
}

/* flush_work on an idle work returns false at once. */
static void flush_idle_work_returns_false(struct kunit *test)
{
	struct slow_item *it = new_slow_items(test, 1);

	KUNIT_EXPECT_FALSE(test, cmwq_flush_work(&it->work));
	KUNIT_EXPECT_EQ(test, atomic_read(&it->runs), 0);
}

/* flush_delayed_work runs a far-off delayed work now. */
static void flush_delayed_work_runs_now(struct kunit *test)
{
	struct delayed_item *it = new_delayed_item(test);
	struct cmwq_workqueue *wq = flavour_wq(test, 0);

	KUNIT_ASSERT_TRUE(test, cmwq_queue_delayed_work(wq, &it->dwork,
							600 * HZ));
	cmwq_flush_delayed_work(&it->dwork);
	KUNIT_EXPECT_EQ(test, atomic_read(&it->runs), 1);
	KUNIT_EXPECT_FALSE(test, cmwq_delayed_work_pending(&it->dwork));
}

/* cancel_work takes a queued work off its queue: it never runs. */
static void cancel_work_dequeues(struct kunit *test)
{
	struct api_ctx *ctx = test->priv;
	int cpu = raw_smp_processor_id();
	struct run_item *it = new_run_item(test);
	struct blocker *b = hold_queue(test, cpu);

	KUNIT_ASSERT_TRUE(test, cmwq_queue_work_on(cpu, ctx->wq, &it->work));
	KUNIT_EXPECT_TRUE(test, cmwq_cancel_work(&it->work));
	KUNIT_EXPECT_FALSE(test, cmwq_work_pending(&it->work));

	complete(&b->release);
	cmwq_flush_workqueue(ctx->wq);
	KUNIT_EXPECT_EQ(test, atomic_read(&it->runs), 0);
}

/* cancel_work on a work that is not pending says false. */
static void cancel_idle_work_returns_false(struct kunit *test)
{
	struct api_ctx *ctx = test->priv;
	int cpu = raw_smp_processor_id();
	struct run_item *it = new_run_item(test);

	hold_queue(test, cpu);
	KUNIT_ASSERT_TRUE(test, cmwq_queue_work_on(cpu, ctx->wq, &it->work));
	KUNIT_ASSERT_TRUE(test, cmwq_cancel_work(&it->work));
	KUNIT_EXPECT_FALSE(test, cmwq_cancel_work(&it->work));
}

/* A cancelled work can be queued again and runs. */
static void cancelled_work_queues_again(struct kunit *test)
{
	struct api_ctx *ctx = test->priv;
	int cpu = raw_smp_processor_id();
	struct run_item *it = new_run_item(test);
	struct blocker *b = hold_queue(test, cpu);

	KUNIT_ASSERT_TRUE(test, cmwq_queue_work_on(cpu, ctx->wq, &it->work));
	KUNIT_ASSERT_TRUE(test, cmwq_cancel_work(&it->work));
	complete(&b->release);
	KUNIT_EXPECT_TRUE(test, cmwq_queue_work(ctx->wq, &it->work));
	KUNIT_EXPECT_COMPLETES(test, &it->done);
	cmwq_flush_work(&it->work);
	KUNIT_EXPECT_EQ(test, atomic_read(&it->runs), 1);
}

/*
 * A sync cancel of a work that was never queued, or not since its last
 * sync cancel, finds nothing (and returns at once); one of the same work
 * once queued again still takes it off its queue.
 */
static void sync_cancel_idle_then_pending(struct kunit *test)
{
	struct api_ctx *ctx = test->priv;
	int cpu = raw_smp_processor_id();
	struct run_item *it = new_run_item(test);
	struct blocker *b;

	KUNIT_EXPECT_FALSE(test, cmwq_cancel_work_sync(&it->work));
	b = hold_queue(test, cpu);
	KUNIT_ASSERT_TRUE(test, cmwq_queue_work_on(cpu, ctx->wq, &it->work));
	KUNIT_EXPECT_TRUE(test, cmwq_cancel_work_sync(&it->work));
	KUNIT_EXPECT_FALSE(test, cmwq_cancel_work_sync(&it->work));
	KUNIT_ASSERT_TRUE(test, cmwq_queue_work_on(cpu, ctx->wq, &it->work));
	KUNIT_EXPECT_TRUE(test, cmwq_cancel_work_sync(&it->work));
	complete(&b->release);
	cmwq_flush_workqueue(ctx->wq);
	KUNIT_EXPECT_EQ(test, atomic_read(&it->runs), 0);
	KUNIT_EXPECT_EQ(test, cmwq_work_busy(&it->work), 0U);
}

/* cancel_work_sync waits for the running instance. */
static void cancel_work_sync_waits(struct kunit *test)
{
	struct slow_item *it = new_slow_items(test, 1);
	struct cmwq_workqueue *wq = flavour_wq(test, 0);

	KUNIT_ASSERT_TRUE(test, cmwq_queue_work(wq, &it->work));
	KUNIT_ASSERT_COMPLETES(test, &it->started);
	KUNIT_EXPECT_FALSE(test, cmwq_cancel_work_sync(&it->work));
	KUNIT_EXPECT_EQ(test, atomic_read(&it->runs), 1);
	KUNIT_EXPECT_EQ(test, cmwq_work_busy(&it->work), 0U);
}

/* cancel_work_sync stops a self-requeueing work for good. */
static void cancel_work_sync_stops_requeueing(struct kunit *test)
{
	struct requeue_item *it = new_requeue_item(test, -1);
	struct cmwq_workqueue *wq = cmwq_kunit_alloc_wq(test, "api_requeue",
							0, 1);
	int runs;

	KUNIT_ASSERT_NOT_NULL(test, wq);
	it->wq = wq;
	KUNIT_ASSERT_TRUE(test, cmwq_queue_work(wq, &it->work));
	KUNIT_EXPECT_TRUE(test, cmwq_poll(atomic_read(&it->runs) >= 3,
					  CMWQ_KUNIT_TIMEOUT));
	cmwq_cancel_work_sync(&it->work);
	KUNIT_EXPECT_EQ(test, cmwq_work_busy(&it->work), 0U);

	runs = atomic_read(&it->runs);
	cmwq_flush_workqueue(wq);
	KUNIT_EXPECT_EQ(test, atomic_read(&it->runs), runs);
	/* should the cancel not have held, the queue's destroy must end */
	WRITE_ONCE(it->stop, true);
}

/* cancel_delayed_work_sync stops a self-requeueing delayed work for good. */
static void cancel_delayed_work_sync_stops_requeueing(struct kunit *test)
{
	struct drequeue_item *it = kunit_kzalloc(test, sizeof(*it),
						 GFP_KERNEL);
	struct cmwq_workqueue *wq;
	int runs;

	KUNIT_ASSERT_NOT_NULL(test, it);
	CMWQ_INIT_DELAYED_WORK(&it->dwork, drequeue_fn);
	wq = cmwq_kunit_alloc_wq(test, "api_drequeue", 0, 1);
	KUNIT_ASSERT_NOT_NULL(test, wq);
	it->wq = wq;
	KUNIT_ASSERT_TRUE(test, cmwq_queue_delayed_work(wq, &it->dwork, 1));
	KUNIT_EXPECT_TRUE(test, cmwq_poll(atomic_read(&it->runs) >= 3,
					  CMWQ_KUNIT_TIMEOUT));
	cmwq_cancel_delayed_work_sync(&it->dwork);
	KUNIT_EXPECT_EQ(test, cmwq_work_busy(&it->dwork.work), 0U);

	runs = atomic_read(&it->runs);
	cmwq_flush_workqueue(wq);
	KUNIT_EXPECT_EQ(test, atomic_read(&it->runs), runs);
	WRITE_ONCE(it->stop, true);
	cmwq_cancel_delayed_work_sync(&it->dwork);
}

/* Cancelling a delayed work stops its timer: it never runs. */
static void cancel_delayed_work_stops_timer(struct kunit *test)
{
	struct delayed_item *it = new_delayed_item(test);
	struct cmwq_workqueue *wq = flavour_wq(test, 0);

	KUNIT_ASSERT_TRUE(test, cmwq_queue_delayed_work(wq, &it->dwork,
							60 * HZ));
	KUNIT_EXPECT_TRUE(test, cmwq_cancel_delayed_work(&it->dwork));
	KUNIT_EXPECT_FALSE(test, cmwq_delayed_work_pending(&it->dwork));
	KUNIT_EXPECT_FALSE(test, cmwq_cancel_delayed_work_sync(&it->dwork));
	KUNIT_EXPECT_EQ(test, atomic_read(&it->runs), 0);
}

#define NR_FLUSHED	8

/* flush_workqueue waits for every work queued before it. */
static void flush_workqueue_waits_for_all(struct kunit *test)
{
	struct slow_item *items = new_slow_items(test, NR_FLUSHED);
	struct cmwq_workqueue *wq = flavour_wq(test, 0);
	int i;

	for (i = 0; i < NR_FLUSHED; i++)
		KUNIT_ASSERT_TRUE(test, cmwq_queue_work(wq, &items[i].work));
	cmwq_flush_workqueue(wq);
	for (i = 0; i < NR_FLUSHED; i++)
		KUNIT_EXPECT_EQ(test, atomic_read(&items[i].runs), 1);
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
	struct requeue_item *loop = new_requeue_item(test, -1);
	struct slow_item *items = new_slow_items(test, NR_FLUSHED);
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

	loop->wq = wq;
	KUNIT_ASSERT_TRUE(test, cmwq_queue_work(wq, &loop->work));
	for (i = 0; i < NR_FLUSHED; i++)
		cmwq_queue_work_on(cpumask_first(cpu_online_mask), wq,
				   &items[i].work);

	task = kthread_run(flush_thread_fn, ft, "cmwq_api_flush");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	KUNIT_EXPECT_COMPLETES(test, &ft->done);
	for (i = 0; i < NR_FLUSHED; i++)
		KUNIT_EXPECT_EQ(test, atomic_read(&items[i].runs), 1);

	WRITE_ONCE(loop->stop, true);
	wait_for_completion_timeout(&ft->done, CMWQ_KUNIT_TIMEOUT);
}

struct idle_flusher {
	struct cmwq_workqueue	*wq;
	struct completion	flushed;
	struct completion	drained;
};

static int idle_flusher_fn(void *arg)
{
	struct idle_flusher *f = arg;

	/* complete_all(): the case waits for each twice */
	cmwq_flush_workqueue(f->wq);
	complete_all(&f->flushed);
	cmwq_drain_workqueue(f->wq);
	complete_all(&f->drained);
	return 0;
}

/*
 * Flushing or draining a queue with nothing in flight returns at once: it
 * takes neither the mutex that closes the queue's colors nor the queue's
 * mutex, which a drainer of the queue may hold for long.
 */
static void idle_flush_waits_for_nobody(struct kunit *test)
{
	struct run_item *it = new_run_item(test);
	struct cmwq_workqueue *wq = flavour_wq(test, 0);
	struct task_struct *task;
	struct idle_flusher *f;

	/* before the queue: the thread may use it until the queue is gone */
	f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f);
	f->wq = wq;
	init_completion(&f->flushed);
	init_completion(&f->drained);

	/* a queue that has run a work and flushed it, as a driver's would */
	KUNIT_ASSERT_TRUE(test, cmwq_queue_work(wq, &it->work));
	cmwq_flush_workqueue(wq);
	KUNIT_ASSERT_EQ(test, atomic_read(&it->runs), 1);

	cmwq_test_hold_flushers(wq, true);
	task = kthread_run(idle_flusher_fn, f, "cmwq_api_idle");
	if (IS_ERR(task)) {
		cmwq_test_hold_flushers(wq, false);
		KUNIT_FAIL(test, "no thread: %ld", PTR_ERR(task));
		return;
	}
	KUNIT_EXPECT_TRUE(test, wait_for_completion_timeout(&f->flushed, HZ));
	KUNIT_EXPECT_TRUE(test, wait_for_completion_timeout(&f->drained, HZ));
	cmwq_test_hold_flushers(wq, false);
	/* a thread that did wait is done once the mutexes are back */
	KUNIT_EXPECT_COMPLETES(test, &f->drained);
}

#define NR_BATCHED	8

/* Have @colors flush colors been started, with @waiting flushers waiting? */
static bool flushers_batched(struct cmwq_workqueue *wq, unsigned long colors,
			     int waiting)
{
	int nr;

	return cmwq_test_flush_colors(wq, &nr) == colors && nr == waiting;
}

/*
 * Flushers of a busy queue that arrive while one flushes are batched:
 * nothing was queued since the first closed its color, so they share it
 * and return when it is flushed: eight flushers close one color, not one
 * each, and all eight wait for it.
 */
static void concurrent_flushers_batched(struct kunit *test)
{
	struct api_ctx *ctx = test->priv;
	int cpu = cpumask_first(cpu_online_mask);
	struct task_struct *task;
	struct flush_thread *ft;
	unsigned long colors;
	struct blocker *b;
	int i, waiting;

	ft = kunit_kcalloc(test, NR_BATCHED, sizeof(*ft), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ft);
	b = hold_queue(test, cpu);
	colors = cmwq_test_flush_colors(ctx->wq, &waiting);

	for (i = 0; i < NR_BATCHED; i++) {
		ft[i].wq = ctx->wq;
		init_completion(&ft[i].done);
		task = kthread_run(flush_thread_fn, &ft[i], "cmwq_api_fl%d", i);
		if (IS_ERR(task)) {
			complete(&ft[i].done);
			KUNIT_FAIL(test, "no thread: %ld", PTR_ERR(task));
		}
	}
	/* one closes the blocker's color, and all wait for it */
	KUNIT_EXPECT_TRUE(test, cmwq_poll(flushers_batched(ctx->wq, colors + 1,
							   NR_BATCHED),
					  CMWQ_KUNIT_TIMEOUT));
	complete(&b->release);
	for (i = 0; i < NR_BATCHED; i++)
		KUNIT_EXPECT_COMPLETES(test, &ft[i].done);
	KUNIT_EXPECT_EQ(test, cmwq_test_flush_colors(ctx->wq, &waiting),
			colors + 1);
}

/* Drain lets a work requeue itself until it is done. */
static void drain_allows_chains(struct kunit *test)
{
	struct api_ctx *ctx = test->priv;
	struct requeue_item *it = new_requeue_item(test, 5);

	it->wq = ctx->wq;
	KUNIT_ASSERT_TRUE(test, cmwq_queue_work(ctx->wq, &it->work));
	cmwq_drain_workqueue(ctx->wq);
	KUNIT_EXPECT_EQ(test, atomic_read(&it->runs), 6);
	KUNIT_EXPECT_FALSE(test, cmwq_work_pending(&it->work));
}

/* A drained queue takes works again. */
static void queue_after_drain(struct kunit *test)
{
	struct api_ctx *ctx = test->priv;
	struct run_item *it = new_run_item(test);

	cmwq_drain_workqueue(ctx->wq);
	KUNIT_EXPECT_TRUE(test, cmwq_queue_work(ctx->wq, &it->work));
	KUNIT_EXPECT_COMPLETES(test, &it->done);
}

#define NR_DESTROYED	16

/* Destroying a queue runs what it still holds first. */
static void destroy_drains_first(struct kunit *test)
{
	struct slow_item *items = new_slow_items(test, NR_DESTROYED);
	/* two at a time: the destroy finds works held back too */
	struct cmwq_workqueue *wq = flavour_wq(test, 2);
	int i;

	for (i = 0; i < NR_DESTROYED; i++)
		KUNIT_ASSERT_TRUE(test, cmwq_queue_work(wq, &items[i].work));
	cmwq_kunit_destroy_wq(test, wq);
	for (i = 0; i < NR_DESTROYED; i++)
		KUNIT_EXPECT_EQ(test, atomic_read(&items[i].runs), 1);
}

#define NR_QUICK_DESTROYS	10

/*
 * A destroy frees the queue a grace period later, without waiting for it:
 * a driver that makes a queue per device or per request must not pay
 * milliseconds per destroy.  Of ten destroys, most return before a grace
 * period has passed (one may end meanwhile on its own); a destroy that
 * waited for one would see it pass every time.
 */
static void destroy_does_not_wait_for_rcu(struct kunit *test)
{
	struct cmwq_workqueue *wq;
	unsigned long cookie;
	int i, quick = 0;

	for (i = 0; i < NR_QUICK_DESTROYS; i++) {
		wq = cmwq_alloc_workqueue("api_quick", 0, 0);
		KUNIT_ASSERT_NOT_NULL(test, wq);
		cookie = get_state_synchronize_rcu();
		cmwq_destroy_workqueue(wq);
		if (!poll_state_synchronize_rcu(cookie))
			quick++;
	}
	KUNIT_EXPECT_GE_MSG(test, quick, NR_QUICK_DESTROYS / 2,
			    "%d of %d destroys returned before a grace period",
			    quick, NR_QUICK_DESTROYS);
}

#define NR_ORDERED	32

/* One ordered run: how many of its works were in flight, and their order. */
struct ordered_run {
	struct cmwq_concurrency	cc;
	atomic_t		pos;
	int			order[NR_ORDERED];
};

struct ordered_item {
	struct cmwq_work	work;
	struct completion	done;
	struct ordered_run	*run;
	int			seq;
};

static void ordered_fn(struct cmwq_work *work)
{
	struct ordered_item *it = container_of(work, struct ordered_item, work);
	struct ordered_run *run = it->run;

	cmwq_concurrency_enter(&run->cc);
	if (it->seq % 3 == 0)
		usleep_range(1000, 2000);
	run->order[atomic_inc_return(&run->pos) - 1] = it->seq;
	cmwq_concurrency_exit(&run->cc);
	complete(&it->done);
}

/* Queue NR_ORDERED works on an ordered queue, over every CPU; wait them out. */
static struct ordered_run *run_ordered(struct kunit *test)
{
	struct ordered_run *run = kunit_kzalloc(test, sizeof(*run), GFP_KERNEL);
	struct ordered_item *items;
	struct cmwq_workqueue *wq;
	int i, cpu = 0;

	items = kunit_kcalloc(test, NR_ORDERED, sizeof(*items), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, run);
	KUNIT_ASSERT_NOT_NULL(test, items);
	wq = cmwq_kunit_alloc_ordered_wq(test, "api_ordered", 0);
	KUNIT_ASSERT_NOT_NULL(test, wq);
	for (i = 0; i < NR_ORDERED; i++) {
		CMWQ_INIT_WORK(&items[i].work, ordered_fn);
		init_completion(&items[i].done);
		items[i].run = run;
		items[i].seq = i;
		cpu = cpumask_next(cpu, cpu_online_mask);
		if (cpu >= nr_cpu_ids)
			cpu = cpumask_first(cpu_online_mask);
		KUNIT_ASSERT_TRUE(test, cmwq_queue_work_on(cpu, wq,
							   &items[i].work));
	}
	for (i = 0; i < NR_ORDERED; i++)
		KUNIT_ASSERT_COMPLETES(test, &items[i].done);
	return run;
}

/* An ordered queue runs its works in queueing order. */
static void ordered_queue_in_order(struct kunit *test)
{
	struct ordered_run *run = run_ordered(test);
	int i;

	for (i = 0; i < NR_ORDERED; i++)
		KUNIT_EXPECT_EQ(test, run->order[i], i);
}

/* An ordered queue runs one work at a time, whatever CPU they came from. */
static void ordered_queue_one_at_a_time(struct kunit *test)
{
	struct ordered_run *run = run_ordered(test);

	KUNIT_EXPECT_EQ(test, atomic_read(&run->cc.max), 1);
}

enum { MAX = 2, PER_CPU = 8, NR_MAX = 2 * PER_CPU };

/* Blockers over two CPUs on a queue with max_active MAX. */
struct max_setup {
	struct cmwq_workqueue	*wq;
	struct blocker		*b;
	struct cmwq_concurrency	*cc;	/* one per CPU if bound, else one */
	int			cpus[2];
};

/*
 * Queue NR_MAX blockers alternately on the first and last online CPU of
 * a queue with @flags and max_active MAX.
 */
static struct max_setup *max_setup(struct kunit *test, unsigned int flags)
{
	struct max_setup *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	bool bound = !(flags & CMWQ_UNBOUND);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, m);
	m->cc = kunit_kcalloc(test, 2, sizeof(*m->cc), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m->cc);
	m->cpus[0] = cpumask_first(cpu_online_mask);
	m->cpus[1] = cpumask_last(cpu_online_mask);
	KUNIT_ASSERT_NE(test, m->cpus[0], m->cpus[1]);
	m->b = new_blockers(test, NR_MAX, NULL);
	m->wq = cmwq_kunit_alloc_wq(test, "api_max", flags, MAX);
	KUNIT_ASSERT_NOT_NULL(test, m->wq);
	for (i = 0; i < NR_MAX; i++) {
		m->b[i].cc = &m->cc[bound ? i % 2 : 0];
		KUNIT_ASSERT_TRUE(test, cmwq_queue_work_on(m->cpus[i % 2], m->wq,
							   &m->b[i].work));
	}
	return m;
}

/* Release the blockers: each ends, if @bound on the CPU it was queued on. */
static void max_release(struct kunit *test, struct max_setup *m, bool bound)
{
	int i;

	for (i = 0; i < NR_MAX; i++)
		complete(&m->b[i].release);
	for (i = 0; i < NR_MAX; i++) {
		KUNIT_EXPECT_COMPLETES(test, &m->b[i].done);
		if (bound)
			KUNIT_EXPECT_EQ(test, m->b[i].cpu, m->cpus[i % 2]);
	}
}

/*
 * max_active caps a bound queue's works in flight per CPU, not in total:
 * two CPUs each run max_active of the queue's works at once (a limit for
 * the whole queue would allow max_active in all).
 */
static void max_active_per_cpu(struct kunit *test)
{
	struct max_setup *m = max_setup(test, 0);
	int c, active, inactive;
	bool all_in;

	for (c = 0; c < 2; c++) {
		KUNIT_EXPECT_EQ(test, cmwq_test_max_active(m->wq, m->cpus[c]),
				MAX);
		all_in = cmwq_poll(atomic_read(&m->cc[c].now) == MAX,
				   CMWQ_KUNIT_TIMEOUT);
		KUNIT_EXPECT_TRUE_MSG(test, all_in,
				      "CPU %d: %d of max_active %d in flight",
				      m->cpus[c], atomic_read(&m->cc[c].now),
				      MAX);
		cmwq_test_cwq_counts(m->wq, m->cpus[c], &active, &inactive);
		KUNIT_EXPECT_EQ(test, active, MAX);
		KUNIT_EXPECT_EQ(test, inactive, PER_CPU - MAX);
	}
	/* both CPUs' works in flight at once: more than max_active in all */
	KUNIT_EXPECT_EQ(test, atomic_read(&m->cc[0].now) +
			atomic_read(&m->cc[1].now), 2 * MAX);
	max_release(test, m, true);
	for (c = 0; c < 2; c++)
		KUNIT_EXPECT_EQ(test, atomic_read(&m->cc[c].max), MAX);
}

/* Raising a bound queue's limit starts held-back works on every CPU. */
static void max_active_raised_per_cpu(struct kunit *test)
{
	struct max_setup *m = max_setup(test, 0);
	int c;

	for (c = 0; c < 2; c++)
		KUNIT_ASSERT_TRUE(test, cmwq_poll(atomic_read(&m->cc[c].now) ==
						  MAX, CMWQ_KUNIT_TIMEOUT));
	cmwq_set_max_active(m->wq, MAX + 2);
	for (c = 0; c < 2; c++)
		KUNIT_EXPECT_TRUE(test, cmwq_poll(atomic_read(&m->cc[c].now) ==
						  MAX + 2, CMWQ_KUNIT_TIMEOUT));
	max_release(test, m, true);
	for (c = 0; c < 2; c++)
		KUNIT_EXPECT_EQ(test, atomic_read(&m->cc[c].max), MAX + 2);
}

/* An unbound queue's max_active caps its works in flight in total. */
static void max_active_unbound_total(struct kunit *test)
{
	struct max_setup *m = max_setup(test, CMWQ_UNBOUND);
	int active, inactive;

	KUNIT_EXPECT_TRUE(test, cmwq_poll(atomic_read(&m->cc[0].now) == MAX,
					  CMWQ_KUNIT_TIMEOUT));
	cmwq_test_cwq_counts(m->wq, m->cpus[0], &active, &inactive);
	KUNIT_EXPECT_EQ(test, active, MAX);
	KUNIT_EXPECT_EQ(test, inactive, NR_MAX - MAX);
	max_release(test, m, false);
	KUNIT_EXPECT_EQ(test, atomic_read(&m->cc[0].max), MAX);
}

/* Raising an unbound queue's limit starts held-back works at once. */
static void max_active_raised_unbound(struct kunit *test)
{
	struct max_setup *m = max_setup(test, CMWQ_UNBOUND);

	KUNIT_ASSERT_TRUE(test, cmwq_poll(atomic_read(&m->cc[0].now) == MAX,
					  CMWQ_KUNIT_TIMEOUT));
	cmwq_set_max_active(m->wq, MAX + 2);
	KUNIT_EXPECT_TRUE(test, cmwq_poll(atomic_read(&m->cc[0].now) ==
					  MAX + 2, CMWQ_KUNIT_TIMEOUT));
	max_release(test, m, false);
	KUNIT_EXPECT_EQ(test, atomic_read(&m->cc[0].max), MAX + 2);
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

/* A system queue, the nice level of its workers and a mark in their name. */
struct api_system_wq {
	const char		*name;
	struct cmwq_workqueue	**wq;
	int			nice;
	const char		*comm_prefix;	/* NULL: any */
	char			comm_mark;	/* 0: none */
};

static const struct api_system_wq api_system_wqs[] = {
	{ "system", &cmwq_system_wq, 0, NULL, 0 },
	{ "system_highpri", &cmwq_system_highpri_wq, MIN_NICE, NULL, 'H' },
	{ "system_long", &cmwq_system_long_wq, 0, NULL, 0 },
	{ "system_unbound", &cmwq_system_unbound_wq, 0, "cmwq/u:", 0 },
};

static void api_system_wq_desc(const struct api_system_wq *s, char *desc)
{
	strscpy(desc, s->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(api_system_wq, api_system_wqs, api_system_wq_desc);

/* The system queues run works: highpri at nice -20, unbound on u: workers. */
static void system_workqueue_runs(struct kunit *test)
{
	const struct api_system_wq *s = test->param_value;
	struct run_item *it = new_run_item(test);

	KUNIT_ASSERT_NOT_NULL(test, *s->wq);
	KUNIT_EXPECT_TRUE(test, cmwq_queue_work(*s->wq, &it->work));
	KUNIT_ASSERT_COMPLETES(test, &it->done);
	/* a system queue is not the case's: the work must be off it now */
	cmwq_flush_work(&it->work);
	KUNIT_EXPECT_EQ(test, it->nice, s->nice);
	if (s->comm_mark)
		KUNIT_EXPECT_NOT_NULL(test, strchr(it->comm, s->comm_mark));
	if (s->comm_prefix)
		KUNIT_EXPECT_TRUE(test, str_has_prefix(it->comm,
						       s->comm_prefix));
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

/* An on-stack work runs and is torn down cleanly. */
static void onstack_work_runs(struct kunit *test)
{
	struct api_ctx *ctx = test->priv;
	struct onstack_item w;

	CMWQ_INIT_WORK_ONSTACK(&w.work, onstack_fn);
	atomic_set(&w.runs, 0);
	KUNIT_EXPECT_TRUE(test, cmwq_queue_work(ctx->wq, &w.work));
	cmwq_flush_work(&w.work);
	KUNIT_EXPECT_EQ(test, atomic_read(&w.runs), 1);
	cmwq_destroy_work_on_stack(&w.work);
}

/* An on-stack delayed work cancels and is torn down cleanly. */
static void onstack_delayed_work_cancels(struct kunit *test)
{
	struct api_ctx *ctx = test->priv;
	struct cmwq_delayed_work dwork;

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

/* A statically declared work queues like others. */
static void static_work_runs(struct kunit *test)
{
	struct api_ctx *ctx = test->priv;

	init_completion(&static_done);
	KUNIT_EXPECT_TRUE(test, cmwq_queue_work(ctx->wq, &static_work));
	KUNIT_EXPECT_COMPLETES(test, &static_done);
	cmwq_flush_work(&static_work);
}

/* A statically declared delayed work queues like others. */
static void static_delayed_work_runs(struct kunit *test)
{
	struct api_ctx *ctx = test->priv;

	init_completion(&static_done);
	KUNIT_EXPECT_TRUE(test, cmwq_queue_delayed_work(ctx->wq, &static_dwork,
							1));
	KUNIT_EXPECT_COMPLETES(test, &static_done);
	cmwq_flush_delayed_work(&static_dwork);
}

/* A delayed work that holds its worker until released. */
struct held_dwork {
	struct cmwq_delayed_work dwork;
	struct completion	started;
	struct completion	release;
	struct completion	canceled;	/* the canceler returned */
	struct completion	canceled_again;	/* a second canceler returned */
	atomic_t		runs;
	struct cmwq_workqueue	*wq;		/* its own, max_active 1 */
};

static void held_dwork_fn(struct cmwq_work *work)
{
	struct held_dwork *h = container_of(cmwq_to_delayed_work(work),
					    struct held_dwork, dwork);

	complete(&h->started);
	wait_for_completion_timeout(&h->release, CMWQ_KUNIT_TIMEOUT);
	atomic_inc(&h->runs);
}

static int cancel_dwork_thread(void *arg)
{
	struct held_dwork *h = arg;

	cmwq_cancel_delayed_work_sync(&h->dwork);
	complete(&h->canceled);
	return 0;
}

static int cancel_dwork_again_thread(void *arg)
{
	struct held_dwork *h = arg;

	cmwq_cancel_delayed_work_sync(&h->dwork);
	complete(&h->canceled_again);
	return 0;
}

/*
 * A held delayed work running on a queue of its own, and a thread in a
 * sync cancel of it: on return the canceler owns the work (it holds
 * PENDING) and waits for the run, which lasts until @h->release.
 */
static struct held_dwork *held_dwork_canceling(struct kunit *test,
					       const char *name)
{
	struct held_dwork *h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);
	struct task_struct *task;

	KUNIT_ASSERT_NOT_NULL(test, h);
	CMWQ_INIT_DELAYED_WORK(&h->dwork, held_dwork_fn);
	init_completion(&h->started);
	init_completion(&h->release);
	init_completion(&h->canceled);
	init_completion(&h->canceled_again);
	h->wq = cmwq_kunit_alloc_wq(test, name, 0, 1);
	KUNIT_ASSERT_NOT_NULL(test, h->wq);
	KUNIT_ASSERT_TRUE(test, cmwq_queue_delayed_work(h->wq, &h->dwork, 0));
	KUNIT_ASSERT_COMPLETES(test, &h->started);
	task = kthread_run(cancel_dwork_thread, h, "cmwq_api_cancel");
	if (IS_ERR(task))
		complete(&h->release);
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	KUNIT_EXPECT_TRUE(test,
			  cmwq_poll(cmwq_delayed_work_pending(&h->dwork),
				    CMWQ_KUNIT_TIMEOUT));
	return h;
}

/*
 * mod_delayed_work on a work a sync cancel owns says it was pending, as
 * the kernel's does, and leaves it cancelled.
 */
static void mod_delayed_work_while_canceling(struct kunit *test)
{
	struct held_dwork *h = held_dwork_canceling(test, "api_canceling");

	KUNIT_EXPECT_TRUE(test, cmwq_mod_delayed_work(h->wq, &h->dwork, 0));

	complete(&h->release);
	KUNIT_ASSERT_COMPLETES(test, &h->canceled);
	KUNIT_EXPECT_FALSE(test, cmwq_delayed_work_pending(&h->dwork));
	cmwq_flush_workqueue(h->wq);
	KUNIT_EXPECT_EQ(test, atomic_read(&h->runs), 1);
}

/*
 * A sync cancel of a work another sync cancel owns waits until that one
 * is done: both return with the work neither pending nor running, and it
 * can be queued again.  The second one sleeps meanwhile; one that
 * returned at once would leave the work running, one that spun would
 * keep its CPU busy (mainline once hung that way without preemption).
 */
static void second_sync_cancel_waits_for_first(struct kunit *test)
{
	struct held_dwork *h = held_dwork_canceling(test, "api_cancel_twice");
	struct task_struct *second;

	second = kthread_create(cancel_dwork_again_thread, h,
				"cmwq_api_cancel2");
	if (IS_ERR(second)) {
		complete(&h->release);
		wait_for_completion_timeout(&h->canceled, CMWQ_KUNIT_TIMEOUT);
	}
	KUNIT_ASSERT_FALSE(test, IS_ERR(second));
	/* its state is read below: keep it after the thread exits */
	get_task_struct(second);
	wake_up_process(second);
	KUNIT_EXPECT_TRUE(test,
			  cmwq_poll(completion_done(&h->canceled_again) ||
				    READ_ONCE(second->__state) ==
				    TASK_UNINTERRUPTIBLE,
				    CMWQ_KUNIT_TIMEOUT));
	KUNIT_EXPECT_FALSE_MSG(test, completion_done(&h->canceled_again),
			       "returned while the first cancel waits for the run");

	complete(&h->release);
	KUNIT_EXPECT_COMPLETES(test, &h->canceled);
	KUNIT_EXPECT_COMPLETES(test, &h->canceled_again);
	put_task_struct(second);
	KUNIT_EXPECT_EQ(test, atomic_read(&h->runs), 1);
	KUNIT_EXPECT_EQ(test, cmwq_work_busy(&h->dwork.work), 0U);

	/* neither left it owned: it queues and runs again */
	reinit_completion(&h->started);
	KUNIT_EXPECT_TRUE(test, cmwq_queue_delayed_work(h->wq, &h->dwork, 0));
	KUNIT_EXPECT_COMPLETES(test, &h->started);
	cmwq_flush_workqueue(h->wq);
	KUNIT_EXPECT_EQ(test, atomic_read(&h->runs), 2);
}

/*
 * A flush of a work a sync cancel owns still finds its running instance
 * and waits for it: the cancel leaves the pool the work last ran on in
 * the work, as the kernel's does, so that it can be looked for there.
 */
static void flush_waits_while_sync_cancel_owns(struct kunit *test)
{
	struct held_dwork *h = held_dwork_canceling(test,
						    "api_flush_canceling");
	bool expected;
	int ret;

	/* running: the timed flush waits for it and gives up, reporting it */
	expected = cmwq_test_expect_flush_reports(true);
	ret = cmwq_flush_work_timeout(&h->dwork.work, HZ / 10);
	cmwq_test_expect_flush_reports(expected);
	KUNIT_EXPECT_EQ(test, ret, -ETIMEDOUT);
	KUNIT_EXPECT_FALSE(test, completion_done(&h->canceled));

	complete(&h->release);
	KUNIT_ASSERT_COMPLETES(test, &h->canceled);
	KUNIT_EXPECT_EQ(test, atomic_read(&h->runs), 1);
	/* idle now: nothing to wait for */
	KUNIT_EXPECT_EQ(test, cmwq_flush_work_timeout(&h->dwork.work, HZ), 0);
}

#define NR_TIMER_RACES	1000

/*
 * The timer races below need the case's thread on one CPU and the timer
 * on another: pin the thread (its affinity dies with it) and return the
 * other CPU, or skip the case.
 */
static int timer_race_cpu(struct kunit *test)
{
	int cpu = raw_smp_processor_id();
	int other = cmwq_first_other_cpu(cpu);

	if (other < 0)
		kunit_skip(test, "needs two online CPUs");
	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current, cpumask_of(cpu)),
			0);
	return other;
}

/*
 * Arm @it's timer on @other for the next tick and return as soon as it
 * left the wheel: its callback is queueing the work there, or has just
 * done so.  Entering that window this way is often enough, in a thousand
 * tries, to hit it.
 */
static void fire_timer_on(struct kunit *test, struct cmwq_workqueue *wq,
			  struct delayed_item *it, int other,
			  unsigned long deadline)
{
	KUNIT_ASSERT_TRUE(test,
			  cmwq_queue_delayed_work_on(other, wq, &it->dwork, 1));
	while (timer_pending(&it->dwork.timer) &&
	       time_before(jiffies, deadline))
		cpu_relax();
}

/*
 * flush_delayed_work called while the timer callback is queueing the work
 * on another CPU waits for that instance too.
 */
static void flush_delayed_work_waits_for_timer(struct kunit *test)
{
	struct api_ctx *ctx = test->priv;
	struct delayed_item *it = new_delayed_item(test);
	unsigned long deadline = jiffies + CMWQ_KUNIT_TIMEOUT;
	int other = timer_race_cpu(test);
	int i;

	for (i = 0; i < NR_TIMER_RACES && time_before(jiffies, deadline); i++) {
		fire_timer_on(test, ctx->wq, it, other, deadline);
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

/*
 * cancel_delayed_work_sync called while the timer callback is queueing
 * the work on another CPU takes that instance too: either it cancels it
 * before it runs and says it was pending, or it waits for its run and
 * says it was not; it never returns with the work still to run.
 */
static void cancel_delayed_work_sync_as_timer_fires(struct kunit *test)
{
	struct api_ctx *ctx = test->priv;
	struct delayed_item *it = new_delayed_item(test);
	unsigned long deadline = jiffies + CMWQ_KUNIT_TIMEOUT;
	int other = timer_race_cpu(test);
	int i, runs, cancelled = 0;
	bool pending;

	for (i = 0; i < NR_TIMER_RACES && time_before(jiffies, deadline); i++) {
		runs = atomic_read(&it->runs);
		fire_timer_on(test, ctx->wq, it, other, deadline);
		pending = cmwq_cancel_delayed_work_sync(&it->dwork);
		cancelled += pending;
		KUNIT_ASSERT_EQ_MSG(test, cmwq_work_busy(&it->dwork.work), 0U,
				    "busy after cancel %d", i);
		KUNIT_ASSERT_EQ_MSG(test, atomic_read(&it->runs),
				    runs + !pending,
				    "cancel %d said %d with the run not done",
				    i, pending);
	}
	cmwq_flush_workqueue(ctx->wq);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&it->runs), i - cancelled,
			    "a cancelled instance ran later");
	kunit_info(test, "%d cancels as the timer fired, %d before the run\n",
		   i, cancelled);
	KUNIT_EXPECT_GE(test, i, NR_TIMER_RACES / 10);
}

/*
 * mod_delayed_work_on called while the timer callback is queueing the
 * work on another CPU: it takes that instance off and queues it anew (it
 * was pending), or finds it already run and queues a new one (it was
 * not).  Either way exactly one more run follows, none is lost.
 */
static void mod_delayed_work_as_timer_fires(struct kunit *test)
{
	struct api_ctx *ctx = test->priv;
	struct delayed_item *it = new_delayed_item(test);
	unsigned long deadline = jiffies + CMWQ_KUNIT_TIMEOUT;
	int other = timer_race_cpu(test);
	int i, runs, moved = 0;
	bool pending;

	for (i = 0; i < NR_TIMER_RACES && time_before(jiffies, deadline); i++) {
		runs = atomic_read(&it->runs);
		fire_timer_on(test, ctx->wq, it, other, deadline);
		pending = cmwq_mod_delayed_work_on(other, ctx->wq, &it->dwork,
						   0);
		moved += pending;
		cmwq_flush_delayed_work(&it->dwork);
		KUNIT_ASSERT_EQ_MSG(test, atomic_read(&it->runs),
				    runs + 1 + !pending,
				    "mod %d said %d", i, pending);
	}
	kunit_info(test, "%d mods as the timer fired, %d before the run\n",
		   i, moved);
	KUNIT_EXPECT_GE(test, i, NR_TIMER_RACES / 10);
}

static struct kunit_case cmwq_api_cases[] = {
	KUNIT_CASE_PARAM(queue_runs_once, api_flavour_gen_params),
	KUNIT_CASE_PARAM(current_work_is_the_running_one,
			 api_flavour_gen_params),
	KUNIT_CASE(running_work_is_busy_running),
	KUNIT_CASE(queue_pending_returns_false),
	KUNIT_CASE(pending_work_runs_once),
	KUNIT_CASE(queue_on_each_cpu),
	KUNIT_CASE_PARAM(delayed_work_waits, api_flavour_gen_params),
	KUNIT_CASE_PARAM(delayed_work_pending_until_run,
			 api_flavour_gen_params),
	KUNIT_CASE(mod_delayed_work_queues_idle),
	KUNIT_CASE(mod_delayed_work_reschedules),
	KUNIT_CASE_PARAM(flush_work_waits, api_flavour_gen_params),
	KUNIT_CASE(flush_idle_work_returns_false),
	KUNIT_CASE_PARAM(flush_delayed_work_runs_now, api_flavour_gen_params),
	KUNIT_CASE(cancel_work_dequeues),
	KUNIT_CASE(cancel_idle_work_returns_false),
	KUNIT_CASE(cancelled_work_queues_again),
	KUNIT_CASE(sync_cancel_idle_then_pending),
	KUNIT_CASE_PARAM(cancel_work_sync_waits, api_flavour_gen_params),
	KUNIT_CASE(cancel_work_sync_stops_requeueing),
	KUNIT_CASE(cancel_delayed_work_sync_stops_requeueing),
	KUNIT_CASE_PARAM(cancel_delayed_work_stops_timer,
			 api_flavour_gen_params),
	KUNIT_CASE_PARAM(flush_workqueue_waits_for_all,
			 api_flavour_gen_params),
	KUNIT_CASE(flush_workqueue_not_livelocked),
	KUNIT_CASE_PARAM(idle_flush_waits_for_nobody, api_flavour_gen_params),
	KUNIT_CASE(concurrent_flushers_batched),
	KUNIT_CASE(drain_allows_chains),
	KUNIT_CASE(queue_after_drain),
	KUNIT_CASE_PARAM(destroy_drains_first, api_flavour_gen_params),
	KUNIT_CASE(destroy_does_not_wait_for_rcu),
	KUNIT_CASE(ordered_queue_in_order),
	KUNIT_CASE(ordered_queue_one_at_a_time),
	KUNIT_CASE(max_active_per_cpu),
	KUNIT_CASE(max_active_raised_per_cpu),
	KUNIT_CASE(max_active_unbound_total),
	KUNIT_CASE(max_active_raised_unbound),
	KUNIT_CASE(schedule_on_each_cpu_runs_everywhere),
	KUNIT_CASE(work_on_cpu_returns_result),
	KUNIT_CASE_PARAM(system_workqueue_runs, api_system_wq_gen_params),
	KUNIT_CASE(onstack_work_runs),
	KUNIT_CASE(onstack_delayed_work_cancels),
	KUNIT_CASE(static_work_runs),
	KUNIT_CASE(static_delayed_work_runs),
	KUNIT_CASE(mod_delayed_work_while_canceling),
	KUNIT_CASE(second_sync_cancel_waits_for_first),
	KUNIT_CASE(flush_waits_while_sync_cancel_owns),
	KUNIT_CASE(flush_delayed_work_waits_for_timer),
	KUNIT_CASE(cancel_delayed_work_sync_as_timer_fires),
	KUNIT_CASE(mod_delayed_work_as_timer_fires),
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
