// SPDX-License-Identifier: GPL-2.0
/*
 * cmwq_trace_test.c - KUnit: the cmwq trace events, field by field
 *
 * Each case attaches probes to cmwq's exported tracepoints, runs a
 * workload whose events are known in advance, detaches the probes
 * (tracepoint_synchronize_unregister(), so no probe still runs) and then
 * checks the recorded events: queue, activate, start and end of a work;
 * a work held back by max_active activated when the one before it ends;
 * the last running worker sleeping and another worker woken, from hard
 * IRQ, for the work left; workers created by the manager and reaped; a mayday and a rescue
 * while creation fails; a CPU's trustee going through its states, with
 * its workers destroyed and recreated.
 *
 * Probes record into a fixed array, in the order the events fire (an
 * atomic index), and keep only events about the case's own queue, works,
 * pool or CPU, so that other activity cannot confuse the checks.  Probes
 * run in any context, the worker_sleep one inside __schedule(): they
 * only copy fields.
 *
 * The probes receive the tracepoints' arguments (cmwq's structures), so
 * this suite reads cmwq's internal.h through trace.h; the fields it
 * checks are the ones trace.h copies into each event.
 */
#include <kunit/test.h>
#include <linux/cpu.h>
#include <linux/kallsyms.h>
#include <linux/sched/clock.h>
#include <linux/string.h>

#include "cmwq_kunit.h"
#include "trace.h"

#define MAX_EVENTS	512
#define SLEEP_MS	20

enum ev_type {
	EV_QUEUE, EV_ACTIVATE, EV_START, EV_END, EV_CREATE, EV_DESTROY,
	EV_SLEEP, EV_WAKE, EV_MAYDAY, EV_RESCUE, EV_TRUSTEE,
};

struct ev {
	enum ev_type		type;
	void			*work;
	void			*func;
	int			req_cpu;
	int			cpu;
	int			pool;
	int			worker;		/* worker id, -1 for none */
	pid_t			pid;		/* the worker's, or current's */
	int			reason;
	int			err;
	int			nr;		/* the trustee's old state */
	int			state;		/* new trustee state */
	unsigned long		caller;
	u64			runtime;
	bool			hardirq;	/* fired in hard IRQ */
};

/* What a case watches, and what its probes recorded. */
struct trace_ctx {
	struct cmwq_workqueue	*wq;
	struct cmwq_workqueue	*reclaim;
	struct cmwq_work	*works[4];	/* the works it follows */
	int			pool;		/* the pool it follows */
	int			cpu;		/* the CPU, for the trustee */
	atomic_t		n;
	struct ev		ev[MAX_EVENTS];
	bool			attached;
	bool			offline;	/* cpu taken down by the case */
	unsigned long		idle_timeout;	/* to restore, if set */
	struct completion	release;	/* lets blocking works go */
	struct completion	blockers_done;
	atomic_t		blockers_left;
};

static struct ev *ev_new(struct trace_ctx *ctx, enum ev_type type)
{
	int i = atomic_inc_return(&ctx->n) - 1;

	if (i >= MAX_EVENTS)
		return NULL;
	ctx->ev[i].type = type;
	return &ctx->ev[i];
}

static bool ours(struct trace_ctx *ctx, struct cmwq_work *work)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(ctx->works); i++)
		if (ctx->works[i] && ctx->works[i] == work)
			return true;
	return false;
}

static bool our_wq(struct trace_ctx *ctx, struct cmwq_workqueue *wq)
{
	return wq && (wq == ctx->wq || wq == ctx->reclaim);
}

static void probe_queue(void *data, int req_cpu, struct cmwq_cwq *cwq,
			struct cmwq_work *work, unsigned long caller)
{
	struct trace_ctx *ctx = data;
	struct ev *e;

	if (!our_wq(ctx, cwq->wq))
		return;
	e = ev_new(ctx, EV_QUEUE);
	if (!e)
		return;
	e->work = work;
	e->func = work->func;
	e->req_cpu = req_cpu;
	e->cpu = cwq->pool->gcwq->cpu;
	e->pool = cwq->pool->id;
	e->caller = caller;
}

static void probe_activate(void *data, struct cmwq_work *work,
			   struct worker_pool *pool)
{
	struct trace_ctx *ctx = data;
	struct ev *e;

	if (!ours(ctx, work))
		return;
	e = ev_new(ctx, EV_ACTIVATE);
	if (!e)
		return;
	e->work = work;
	e->pool = pool->id;
}

static void probe_start(void *data, struct cmwq_work *work,
			cmwq_func_t func)
{
	struct trace_ctx *ctx = data;
	struct ev *e;

	if (!ours(ctx, work))
		return;
	e = ev_new(ctx, EV_START);
	if (!e)
		return;
	e->work = work;
	e->func = func;
	e->pid = current->pid;
}

static void probe_end(void *data, struct cmwq_work *work, cmwq_func_t func,
		      u64 start)
{
	struct trace_ctx *ctx = data;
	struct ev *e;

	if (!ours(ctx, work))
		return;
	e = ev_new(ctx, EV_END);
	if (!e)
		return;
	e->work = work;
	e->func = func;
	e->runtime = start ? local_clock() - start : 0;
	e->pid = current->pid;
}

static void probe_create(void *data, struct worker_pool *pool,
			 struct worker *worker,
			 enum cmwq_worker_reason reason, int err)
{
	struct trace_ctx *ctx = data;
	struct ev *e;

	if (pool->id != ctx->pool && pool->gcwq->cpu != ctx->cpu)
		return;
	e = ev_new(ctx, EV_CREATE);
	if (!e)
		return;
	e->pool = pool->id;
	e->worker = worker ? worker->id : -1;
	e->pid = worker ? worker->task->pid : 0;
	e->reason = reason;
	e->err = err;
}

static void probe_destroy(void *data, struct worker *worker,
			  enum cmwq_worker_reason reason)
{
	struct trace_ctx *ctx = data;
	struct ev *e;

	if (worker->pool->id != ctx->pool &&
	    worker->pool->gcwq->cpu != ctx->cpu)
		return;
	e = ev_new(ctx, EV_DESTROY);
	if (!e)
		return;
	e->pool = worker->pool->id;
	e->worker = worker->id;
	e->reason = reason;
}

/* Inside __schedule(), runqueue lock held: copy and return. */
static void probe_sleep(void *data, struct worker *worker)
{
	struct trace_ctx *ctx = data;
	struct ev *e;

	if (worker->pool->id != ctx->pool)
		return;
	e = ev_new(ctx, EV_SLEEP);
	if (!e)
		return;
	e->pool = worker->pool->id;
	e->worker = worker->id;
	e->pid = worker->task->pid;
}

static void probe_wake(void *data, struct worker_pool *pool,
		       struct worker *worker)
{
	struct trace_ctx *ctx = data;
	struct ev *e;

	if (pool->id != ctx->pool)
		return;
	e = ev_new(ctx, EV_WAKE);
	if (!e)
		return;
	e->pool = pool->id;
	e->worker = worker ? worker->id : -1;
	e->pid = worker ? worker->task->pid : 0;
	e->hardirq = in_hardirq();
}

static void probe_mayday(void *data, struct cmwq_cwq *cwq,
			 struct cmwq_work *work)
{
	struct trace_ctx *ctx = data;
	struct ev *e;

	if (!our_wq(ctx, cwq->wq))
		return;
	e = ev_new(ctx, EV_MAYDAY);
	if (!e)
		return;
	e->pool = cwq->pool->id;
	e->work = work;
	e->func = work->func;
}

static void probe_rescue(void *data, struct cmwq_cwq *cwq,
			 struct cmwq_work *work)
{
	struct trace_ctx *ctx = data;
	struct ev *e;

	if (!our_wq(ctx, cwq->wq))
		return;
	e = ev_new(ctx, EV_RESCUE);
	if (!e)
		return;
	e->pool = cwq->pool->id;
	e->work = work;
	e->func = work->func;
	e->pid = current->pid;
}

static void probe_trustee(void *data, int cpu, enum trustee_state old,
			  enum trustee_state new)
{
	struct trace_ctx *ctx = data;
	struct ev *e;

	if (cpu != ctx->cpu)
		return;
	e = ev_new(ctx, EV_TRUSTEE);
	if (!e)
		return;
	e->cpu = cpu;
	e->nr = old;
	e->state = new;
}

static void probes_attach(struct kunit *test, struct trace_ctx *ctx)
{
	KUNIT_ASSERT_EQ(test, register_trace_cmwq_queue_work(probe_queue, ctx), 0);
	KUNIT_ASSERT_EQ(test, register_trace_cmwq_activate_work(probe_activate, ctx), 0);
	KUNIT_ASSERT_EQ(test, register_trace_cmwq_execute_start(probe_start, ctx), 0);
	KUNIT_ASSERT_EQ(test, register_trace_cmwq_execute_end(probe_end, ctx), 0);
	KUNIT_ASSERT_EQ(test, register_trace_cmwq_worker_create(probe_create, ctx), 0);
	KUNIT_ASSERT_EQ(test, register_trace_cmwq_worker_destroy(probe_destroy, ctx), 0);
	KUNIT_ASSERT_EQ(test, register_trace_cmwq_worker_sleep(probe_sleep, ctx), 0);
	KUNIT_ASSERT_EQ(test, register_trace_cmwq_worker_wake(probe_wake, ctx), 0);
	KUNIT_ASSERT_EQ(test, register_trace_cmwq_mayday(probe_mayday, ctx), 0);
	KUNIT_ASSERT_EQ(test, register_trace_cmwq_rescue(probe_rescue, ctx), 0);
	KUNIT_ASSERT_EQ(test, register_trace_cmwq_trustee_state(probe_trustee, ctx), 0);
	ctx->attached = true;
}

/* Detach every probe and wait until none runs: the events are final. */
static void probes_detach(struct trace_ctx *ctx)
{
	if (!ctx->attached)
		return;
	unregister_trace_cmwq_queue_work(probe_queue, ctx);
	unregister_trace_cmwq_activate_work(probe_activate, ctx);
	unregister_trace_cmwq_execute_start(probe_start, ctx);
	unregister_trace_cmwq_execute_end(probe_end, ctx);
	unregister_trace_cmwq_worker_create(probe_create, ctx);
	unregister_trace_cmwq_worker_destroy(probe_destroy, ctx);
	unregister_trace_cmwq_worker_sleep(probe_sleep, ctx);
	unregister_trace_cmwq_worker_wake(probe_wake, ctx);
	unregister_trace_cmwq_mayday(probe_mayday, ctx);
	unregister_trace_cmwq_rescue(probe_rescue, ctx);
	unregister_trace_cmwq_trustee_state(probe_trustee, ctx);
	tracepoint_synchronize_unregister();
	ctx->attached = false;
}

static int nr_events(struct kunit *test, struct trace_ctx *ctx)
{
	int n = atomic_read(&ctx->n);

	KUNIT_EXPECT_LE_MSG(test, n, MAX_EVENTS, "event buffer overflowed");
	return min(n, MAX_EVENTS);
}

/* The index of the first event of @type about @work from @from on, or -1. */
static int find_ev(struct trace_ctx *ctx, int n, int from, enum ev_type type,
		   void *work)
{
	int i;

	for (i = from; i < n; i++)
		if (ctx->ev[i].type == type && (!work || ctx->ev[i].work == work))
			return i;
	return -1;
}

static int count_ev(struct trace_ctx *ctx, int n, enum ev_type type,
		    void *work)
{
	int i, count = 0;

	for (i = 0; i < n; i++)
		if (ctx->ev[i].type == type && (!work || ctx->ev[i].work == work))
			count++;
	return count;
}

struct item {
	struct cmwq_work	work;
	struct completion	done;
	struct completion	*release;
	bool			released;
	u64			slept;		/* ns, by the work's clock */
};

/* Items live as long as the case: the exit hook's destroy drains them. */
static struct item *item_new(struct kunit *test, cmwq_func_t fn,
			     struct completion *release)
{
	struct item *it = kunit_kzalloc(test, sizeof(*it), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, it);
	CMWQ_INIT_WORK(&it->work, fn);
	init_completion(&it->done);
	it->release = release;
	return it;
}

static void sleep_fn(struct cmwq_work *work)
{
	struct item *it = container_of(work, struct item, work);
	u64 start = local_clock();

	/*
	 * The workload: a run time the end event must cover.  Measured with
	 * the clock the event uses: under TCG the guest's TSC calibration
	 * can make it disagree with the jiffies msleep() counts.
	 */
	msleep(SLEEP_MS);
	it->slept = local_clock() - start;
	complete(&it->done);
}

static void block_fn(struct cmwq_work *work)
{
	struct item *it = container_of(work, struct item, work);

	it->released = wait_for_completion_timeout(it->release,
						   CMWQ_KUNIT_TIMEOUT);
	complete(&it->done);
}

static void record_fn(struct cmwq_work *work)
{
	struct item *it = container_of(work, struct item, work);

	complete(&it->done);
}

static void release_fn(struct cmwq_work *work)
{
	struct item *it = container_of(work, struct item, work);

	complete_all(it->release);
	complete(&it->done);
}

static int pool_id(int cpu, bool highpri)
{
	return cpu * NR_STD_WORKER_POOLS + highpri;
}

/*
 * Queue two works on this CPU's normal pool before any of its workers
 * can run: @first is the first its woken worker takes.
 */
static void queue_two_here(struct cmwq_workqueue *wq,
			   struct cmwq_work *first, struct cmwq_work *second)
{
	int cpu;

	preempt_disable();
	cpu = smp_processor_id();
	cmwq_queue_work_on(cpu, wq, first);
	cmwq_queue_work_on(cpu, wq, second);
	preempt_enable();
}

static int trace_test_init(struct kunit *test)
{
	struct trace_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);

	if (!ctx)
		return -ENOMEM;
	ctx->pool = -1;
	ctx->cpu = -1;
	init_completion(&ctx->release);
	init_completion(&ctx->blockers_done);
	test->priv = ctx;
	return 0;
}

/*
 * Whatever happened in the case: probes off, creation on, the idle
 * timeout back, the CPU up, all released.
 */
static void trace_test_exit(struct kunit *test)
{
	struct trace_ctx *ctx = test->priv;

	probes_detach(ctx);
	cmwq_test_fail_create_worker(false);
	complete_all(&ctx->release);
	if (ctx->idle_timeout)
		cmwq_test_set_idle_timeout(ctx->idle_timeout);
	if (ctx->offline)
		add_cpu(ctx->cpu);
	if (ctx->reclaim)
		cmwq_destroy_workqueue(ctx->reclaim);
	if (ctx->wq)
		cmwq_destroy_workqueue(ctx->wq);
}

/*
 * One work: queue (queue name, requested and chosen CPU and pool, the
 * queueing call), activate at once, start and end, in that order, with a
 * run time at least as long as the work measured its own sleep.
 */
static void queue_execute(struct kunit *test)
{
	struct trace_ctx *ctx = test->priv;
	int cpu = cpumask_last(cpu_online_mask), n, q, a, s, e;
	char *sym, *want;
	struct item *it;

	ctx->wq = cmwq_alloc_workqueue("cmwq_trace_q", 0, 0);
	KUNIT_ASSERT_NOT_NULL(test, ctx->wq);
	it = item_new(test, sleep_fn, NULL);
	ctx->works[0] = &it->work;

	probes_attach(test, ctx);
	KUNIT_ASSERT_TRUE(test, cmwq_queue_work_on(cpu, ctx->wq, &it->work));
	KUNIT_ASSERT_COMPLETES(test, &it->done);
	cmwq_flush_work(&it->work);
	probes_detach(ctx);

	n = nr_events(test, ctx);
	q = find_ev(ctx, n, 0, EV_QUEUE, &it->work);
	KUNIT_ASSERT_GE(test, q, 0);
	KUNIT_EXPECT_PTR_EQ(test, ctx->ev[q].func, (void *)sleep_fn);
	KUNIT_EXPECT_EQ(test, ctx->ev[q].req_cpu, cpu);
	KUNIT_EXPECT_EQ(test, ctx->ev[q].cpu, cpu);
	KUNIT_EXPECT_EQ(test, ctx->ev[q].pool, pool_id(cpu, false));
	/* two symbol names are too much for the stack */
	sym = kunit_kzalloc(test, 2 * KSYM_SYMBOL_LEN, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, sym);
	want = sym + KSYM_SYMBOL_LEN;
	sprint_symbol_no_offset(sym, ctx->ev[q].caller);
	/* the caller is this function, which queued the work */
	snprintf(want, KSYM_SYMBOL_LEN, "%s [%s]", __func__, KBUILD_MODNAME);
	KUNIT_EXPECT_STREQ(test, sym, want);

	a = find_ev(ctx, n, q, EV_ACTIVATE, &it->work);
	KUNIT_ASSERT_GT(test, a, q);
	KUNIT_EXPECT_EQ(test, ctx->ev[a].pool, pool_id(cpu, false));

	s = find_ev(ctx, n, a, EV_START, &it->work);
	KUNIT_ASSERT_GT(test, s, a);
	KUNIT_EXPECT_PTR_EQ(test, ctx->ev[s].func, (void *)sleep_fn);

	e = find_ev(ctx, n, s, EV_END, &it->work);
	KUNIT_ASSERT_GT(test, e, s);
	KUNIT_EXPECT_PTR_EQ(test, ctx->ev[e].func, (void *)sleep_fn);
	KUNIT_EXPECT_GT(test, it->slept, 0ULL);
	KUNIT_EXPECT_GE(test, ctx->ev[e].runtime, it->slept);
	KUNIT_EXPECT_EQ(test, ctx->ev[e].pid, ctx->ev[s].pid);

	KUNIT_EXPECT_EQ(test, count_ev(ctx, n, EV_QUEUE, &it->work), 1);
	KUNIT_EXPECT_EQ(test, count_ev(ctx, n, EV_ACTIVATE, &it->work), 1);
	KUNIT_EXPECT_EQ(test, count_ev(ctx, n, EV_START, &it->work), 1);
	KUNIT_EXPECT_EQ(test, count_ev(ctx, n, EV_END, &it->work), 1);
}

/*
 * An unbound queue: the caller asked for no CPU, and the queue event
 * names the unbound pool.
 */
static void queue_unbound(struct kunit *test)
{
	struct trace_ctx *ctx = test->priv;
	struct item *it;
	int n, q;

	ctx->wq = cmwq_alloc_workqueue("cmwq_trace_u", CMWQ_UNBOUND, 0);
	KUNIT_ASSERT_NOT_NULL(test, ctx->wq);
	it = item_new(test, record_fn, NULL);
	ctx->works[0] = &it->work;

	probes_attach(test, ctx);
	KUNIT_ASSERT_TRUE(test, cmwq_queue_work(ctx->wq, &it->work));
	KUNIT_ASSERT_COMPLETES(test, &it->done);
	cmwq_flush_work(&it->work);
	probes_detach(ctx);

	n = nr_events(test, ctx);
	q = find_ev(ctx, n, 0, EV_QUEUE, &it->work);
	KUNIT_ASSERT_GE(test, q, 0);
	KUNIT_EXPECT_EQ(test, ctx->ev[q].req_cpu, CMWQ_CPU_UNBOUND);
	KUNIT_EXPECT_EQ(test, ctx->ev[q].cpu, CMWQ_CPU_UNBOUND);
	KUNIT_EXPECT_EQ(test, ctx->ev[q].pool, pool_id(nr_cpu_ids, false));
	KUNIT_EXPECT_GT(test, find_ev(ctx, n, q, EV_START, &it->work), q);
}

/*
 * max_active 1, two works: the second is queued but not activated until
 * the first ends, and activated exactly once, then.
 */
static void activate_after_max_active(struct kunit *test)
{
	struct trace_ctx *ctx = test->priv;
	int cpu = cpumask_last(cpu_online_mask), n, end_a, act_b, q_b;
	struct item *a, *b;

	ctx->wq = cmwq_alloc_workqueue("cmwq_trace_ma", 0, 1);
	KUNIT_ASSERT_NOT_NULL(test, ctx->wq);
	a = item_new(test, block_fn, &ctx->release);
	b = item_new(test, record_fn, NULL);
	ctx->works[0] = &a->work;
	ctx->works[1] = &b->work;

	probes_attach(test, ctx);
	KUNIT_ASSERT_TRUE(test, cmwq_queue_work_on(cpu, ctx->wq, &a->work));
	KUNIT_ASSERT_TRUE(test, cmwq_queue_work_on(cpu, ctx->wq, &b->work));
	complete_all(&ctx->release);
	KUNIT_ASSERT_COMPLETES(test, &a->done);
	KUNIT_ASSERT_COMPLETES(test, &b->done);
	cmwq_flush_workqueue(ctx->wq);
	probes_detach(ctx);
	KUNIT_EXPECT_TRUE(test, a->released);

	n = nr_events(test, ctx);
	q_b = find_ev(ctx, n, 0, EV_QUEUE, &b->work);
	end_a = find_ev(ctx, n, 0, EV_END, &a->work);
	act_b = find_ev(ctx, n, 0, EV_ACTIVATE, &b->work);
	KUNIT_ASSERT_GE(test, q_b, 0);
	KUNIT_ASSERT_GE(test, end_a, 0);
	KUNIT_ASSERT_GE(test, act_b, 0);
	KUNIT_EXPECT_GT(test, act_b, end_a);
	KUNIT_EXPECT_EQ(test, ctx->ev[act_b].pool, pool_id(cpu, false));
	KUNIT_EXPECT_EQ(test, count_ev(ctx, n, EV_ACTIVATE, &a->work), 1);
	KUNIT_EXPECT_EQ(test, count_ev(ctx, n, EV_ACTIVATE, &b->work), 1);
	KUNIT_EXPECT_GT(test, find_ev(ctx, n, act_b, EV_START, &b->work), act_b);
}

/*
 * Give this CPU's normal pool two workers that ran at once, so that it
 * has idle workers to spare: a case's worker then does not stop to
 * create one (as the pool's last idle worker would) while its works wait.
 */
static void warm_pool(struct kunit *test, struct cmwq_workqueue *wq)
{
	struct completion *go = kunit_kzalloc(test, sizeof(*go), GFP_KERNEL);
	struct item *a, *b;

	KUNIT_ASSERT_NOT_NULL(test, go);
	init_completion(go);
	a = item_new(test, block_fn, go);
	b = item_new(test, release_fn, go);
	queue_two_here(wq, &a->work, &b->work);
	KUNIT_ASSERT_COMPLETES(test, &b->done);
	KUNIT_ASSERT_COMPLETES(test, &a->done);
	cmwq_flush_workqueue(wq);
}

/*
 * A work blocks while another waits on the same bound pool: its worker
 * is the pool's last running one, so it reports going to sleep, and
 * another worker is woken for the waiting work, which it then runs.
 */
static void sleep_wakes_another(struct kunit *test)
{
	struct trace_ctx *ctx = test->priv;
	int n, cpu = cpumask_last(cpu_online_mask), sl, wk, st;
	struct item *s, *t;

	/* this thread queues from the pool's CPU, preemption off */
	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current, cpumask_of(cpu)),
			0);
	ctx->wq = cmwq_alloc_workqueue("cmwq_trace_sw", 0, 0);
	KUNIT_ASSERT_NOT_NULL(test, ctx->wq);
	warm_pool(test, ctx->wq);
	s = item_new(test, block_fn, &ctx->release);
	t = item_new(test, record_fn, NULL);
	ctx->works[0] = &s->work;
	ctx->works[1] = &t->work;
	ctx->pool = pool_id(cpu, false);

	probes_attach(test, ctx);
	queue_two_here(ctx->wq, &s->work, &t->work);
	KUNIT_ASSERT_COMPLETES(test, &t->done);
	complete_all(&ctx->release);
	KUNIT_ASSERT_COMPLETES(test, &s->done);
	cmwq_flush_workqueue(ctx->wq);
	probes_detach(ctx);

	n = nr_events(test, ctx);
	st = find_ev(ctx, n, 0, EV_START, &s->work);
	KUNIT_ASSERT_GE(test, st, 0);
	sl = find_ev(ctx, n, st, EV_SLEEP, NULL);
	KUNIT_ASSERT_GT(test, sl, st);
	KUNIT_EXPECT_EQ(test, ctx->ev[sl].pool, ctx->pool);
	KUNIT_EXPECT_EQ(test, ctx->ev[sl].pid, ctx->ev[st].pid);

	wk = find_ev(ctx, n, sl, EV_WAKE, NULL);
	KUNIT_ASSERT_GT(test, wk, sl);
	KUNIT_EXPECT_EQ(test, ctx->ev[wk].pool, ctx->pool);
	KUNIT_EXPECT_GE(test, ctx->ev[wk].worker, 0);
	KUNIT_EXPECT_NE(test, ctx->ev[wk].worker, ctx->ev[sl].worker);
	KUNIT_EXPECT_NE(test, ctx->ev[wk].pid, ctx->ev[sl].pid);
	/*
	 * Woken from hard IRQ, right after the switch: also on PREEMPT_RT,
	 * where an irq_work not marked hard runs in a thread, later.
	 */
	KUNIT_EXPECT_TRUE(test, ctx->ev[wk].hardirq);

	/* the woken worker is the one that ran the waiting work */
	st = find_ev(ctx, n, wk, EV_START, &t->work);
	KUNIT_ASSERT_GT(test, st, wk);
	KUNIT_EXPECT_EQ(test, ctx->ev[st].pid, ctx->ev[wk].pid);
}

struct blocker {
	struct cmwq_work	work;
	struct trace_ctx	*ctx;
};

static void blocker_fn(struct cmwq_work *work)
{
	struct trace_ctx *ctx = container_of(work, struct blocker, work)->ctx;

	wait_for_completion_timeout(&ctx->release, CMWQ_KUNIT_TIMEOUT);
	if (atomic_dec_and_test(&ctx->blockers_left))
		complete(&ctx->blockers_done);
}

/* Queue @nr works on @cpu's normal pool that block until released. */
static void block_pool(struct kunit *test, struct trace_ctx *ctx, int cpu,
		       int nr)
{
	struct blocker *b = kunit_kcalloc(test, nr, sizeof(*b), GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, b);
	atomic_set(&ctx->blockers_left, nr);
	for (i = 0; i < nr; i++) {
		CMWQ_INIT_WORK(&b[i].work, blocker_fn);
		b[i].ctx = ctx;
		cmwq_queue_work_on(cpu, ctx->wq, &b[i].work);
	}
}

/*
 * More blocking works than the pool has workers: its manager creates
 * workers, each reported with its pool, id, thread and reason, as many
 * as the pool counts.  Once released, with a short idle timeout, the
 * surplus is reaped, each reported, as many as the pool counts.
 */
static void workers_created_and_reaped(struct kunit *test)
{
	struct trace_ctx *ctx = test->priv;
	struct cmwq_test_pool_stats before, after;
	int cpu = cpumask_last(cpu_online_mask), n, i, created = 0, reaped = 0;

	ctx->wq = cmwq_alloc_workqueue("cmwq_trace_cr", 0, 0);
	KUNIT_ASSERT_NOT_NULL(test, ctx->wq);
	ctx->pool = pool_id(cpu, false);

	cmwq_test_pool_stats(cpu, false, &before);
	probes_attach(test, ctx);
	block_pool(test, ctx, cpu, before.nr_workers + 1);
	KUNIT_EXPECT_TRUE(test, cmwq_poll(({
		cmwq_test_pool_stats(cpu, false, &after);
		after.nr_created > before.nr_created; }), CMWQ_KUNIT_TIMEOUT));
	ctx->idle_timeout = cmwq_test_set_idle_timeout(HZ / 10);
	complete_all(&ctx->release);
	KUNIT_EXPECT_COMPLETES(test, &ctx->blockers_done);
	KUNIT_EXPECT_TRUE(test, cmwq_poll(({
		cmwq_test_pool_stats(cpu, false, &after);
		after.nr_reaped > before.nr_reaped; }), CMWQ_KUNIT_TIMEOUT));
	probes_detach(ctx);
	cmwq_test_pool_stats(cpu, false, &after);

	n = nr_events(test, ctx);
	for (i = 0; i < n; i++) {
		struct ev *e = &ctx->ev[i];

		if (e->pool != ctx->pool)
			continue;
		if (e->type == EV_CREATE) {
			KUNIT_EXPECT_EQ(test, e->reason, CMWQ_WORKER_MANAGER);
			KUNIT_EXPECT_EQ(test, e->err, 0);
			KUNIT_EXPECT_GE(test, e->worker, 0);
			KUNIT_EXPECT_GT(test, e->pid, 0);
			created++;
		} else if (e->type == EV_DESTROY) {
			KUNIT_EXPECT_EQ(test, e->reason, CMWQ_WORKER_REAP);
			reaped++;
		}
	}
	KUNIT_EXPECT_GT(test, created, 0);
	KUNIT_EXPECT_EQ(test, created,
			(int)(after.nr_created - before.nr_created));
	KUNIT_EXPECT_GT(test, reaped, 0);
	KUNIT_EXPECT_EQ(test, reaped,
			(int)(after.nr_reaped - before.nr_reaped));
}

static bool pool_stuck(int cpu, unsigned long failed_before)
{
	struct cmwq_test_pool_stats st;

	cmwq_test_pool_stats(cpu, false, &st);
	return st.managing && st.nr_create_failed > failed_before &&
	       st.nr_running == 0;
}

/*
 * Creation fails and every worker of a pool is blocked: the failures are
 * reported, then a mayday to the reclaim queue's rescuer for its work,
 * then the rescuer running that one work on the pool.
 */
static void mayday_and_rescue(struct kunit *test)
{
	struct trace_ctx *ctx = test->priv;
	struct cmwq_test_pool_stats before;
	int cpu = cpumask_last(cpu_online_mask), n, i, m, r, failed = 0;
	struct item *it;

	if (cmwq_test_fail_create_worker(true))
		kunit_skip(test, "no fault injection in this kernel");
	ctx->wq = cmwq_alloc_workqueue("cmwq_trace_blk", 0, 0);
	KUNIT_ASSERT_NOT_NULL(test, ctx->wq);
	ctx->reclaim = cmwq_alloc_workqueue("cmwq_trace_rsc",
					    CMWQ_MEM_RECLAIM, 0);
	KUNIT_ASSERT_NOT_NULL(test, ctx->reclaim);
	it = item_new(test, record_fn, NULL);
	ctx->works[0] = &it->work;
	ctx->pool = pool_id(cpu, false);

	cmwq_test_pool_stats(cpu, false, &before);
	probes_attach(test, ctx);
	block_pool(test, ctx, cpu, before.nr_workers + 1);
	KUNIT_ASSERT_TRUE(test, cmwq_poll(pool_stuck(cpu,
						     before.nr_create_failed),
					  CMWQ_KUNIT_TIMEOUT));
	KUNIT_ASSERT_TRUE(test, cmwq_queue_work_on(cpu, ctx->reclaim,
						   &it->work));
	KUNIT_ASSERT_COMPLETES(test, &it->done);
	cmwq_test_fail_create_worker(false);
	complete_all(&ctx->release);
	KUNIT_EXPECT_COMPLETES(test, &ctx->blockers_done);
	cmwq_flush_workqueue(ctx->reclaim);
	probes_detach(ctx);

	n = nr_events(test, ctx);
	for (i = 0; i < n; i++)
		if (ctx->ev[i].type == EV_CREATE && ctx->ev[i].err) {
			KUNIT_EXPECT_EQ(test, ctx->ev[i].err, -ENOMEM);
			KUNIT_EXPECT_EQ(test, ctx->ev[i].worker, -1);
			KUNIT_EXPECT_EQ(test, ctx->ev[i].reason,
					CMWQ_WORKER_MANAGER);
			failed++;
		}
	KUNIT_EXPECT_GT(test, failed, 0);

	m = find_ev(ctx, n, 0, EV_MAYDAY, &it->work);
	KUNIT_ASSERT_GE(test, m, 0);
	KUNIT_EXPECT_EQ(test, ctx->ev[m].pool, ctx->pool);
	KUNIT_EXPECT_PTR_EQ(test, ctx->ev[m].func, (void *)record_fn);
	/* only the reclaim queue has a rescuer to call */
	KUNIT_EXPECT_EQ(test, count_ev(ctx, n, EV_MAYDAY, NULL),
			count_ev(ctx, n, EV_MAYDAY, &it->work));

	r = find_ev(ctx, n, m, EV_RESCUE, &it->work);
	KUNIT_ASSERT_GT(test, r, m);
	KUNIT_EXPECT_EQ(test, ctx->ev[r].pool, ctx->pool);
	KUNIT_EXPECT_PTR_EQ(test, ctx->ev[r].func, (void *)record_fn);
	KUNIT_EXPECT_EQ(test, count_ev(ctx, n, EV_RESCUE, NULL), 1);
	/* the rescue is reported as the rescuer takes the work, then runs it */
	i = find_ev(ctx, n, r, EV_START, &it->work);
	KUNIT_ASSERT_GT(test, i, r);
	KUNIT_EXPECT_EQ(test, ctx->ev[i].pid, ctx->ev[r].pid);
}

static bool gcwq_settled(int cpu)
{
	struct cmwq_test_pool_stats st[2];

	cmwq_test_pool_stats(cpu, false, &st[0]);
	cmwq_test_pool_stats(cpu, true, &st[1]);
	return !st[0].trustee_state && !st[0].nr_workers && !st[1].nr_workers;
}

/*
 * A CPU goes down with idle pools and comes back: its trustee goes from
 * done through start, in charge and butcher back to done, each change
 * reported from the state the one before entered; every worker of its
 * pools is destroyed as the CPU died, and each pool gets one new worker
 * as it comes up.
 */
static void trustee_states(struct kunit *test)
{
	static const int expected[][2] = {
		{ TRUSTEE_DONE, TRUSTEE_START },
		{ TRUSTEE_START, TRUSTEE_IN_CHARGE },
		{ TRUSTEE_IN_CHARGE, TRUSTEE_BUTCHER },
		{ TRUSTEE_BUTCHER, TRUSTEE_DONE },
	};
	struct trace_ctx *ctx = test->priv;
	struct cmwq_test_pool_stats st[2];
	int cpu = cpumask_last(cpu_online_mask), n, i, k = 0, died = 0;
	int prepared[2] = { 0, 0 };

	if (cpu <= 0)
		kunit_skip(test, "needs a CPU that can go offline");
	ctx->cpu = cpu;
	cmwq_test_pool_stats(cpu, false, &st[0]);
	cmwq_test_pool_stats(cpu, true, &st[1]);

	probes_attach(test, ctx);
	KUNIT_ASSERT_EQ(test, remove_cpu(cpu), 0);
	ctx->offline = true;
	KUNIT_EXPECT_TRUE(test, cmwq_poll(gcwq_settled(cpu),
					  CMWQ_KUNIT_TIMEOUT));
	KUNIT_ASSERT_EQ(test, add_cpu(cpu), 0);
	ctx->offline = false;
	probes_detach(ctx);

	n = nr_events(test, ctx);
	for (i = 0; i < n; i++) {
		struct ev *e = &ctx->ev[i];

		if (e->type == EV_TRUSTEE) {
			KUNIT_EXPECT_EQ(test, e->cpu, cpu);
			if (k < ARRAY_SIZE(expected)) {
				KUNIT_EXPECT_EQ(test, e->nr, expected[k][0]);
				KUNIT_EXPECT_EQ(test, e->state, expected[k][1]);
			}
			k++;
		} else if (e->type == EV_DESTROY) {
			KUNIT_EXPECT_EQ(test, e->reason, CMWQ_WORKER_CPU_DEAD);
			died++;
		} else if (e->type == EV_CREATE) {
			KUNIT_EXPECT_EQ(test, e->reason, CMWQ_WORKER_PREPARE);
			KUNIT_EXPECT_EQ(test, e->err, 0);
			if (e->pool == pool_id(cpu, false))
				prepared[0]++;
			else if (e->pool == pool_id(cpu, true))
				prepared[1]++;
		}
	}
	KUNIT_EXPECT_EQ(test, k, (int)ARRAY_SIZE(expected));
	KUNIT_EXPECT_EQ(test, died, st[0].nr_workers + st[1].nr_workers);
	KUNIT_EXPECT_EQ(test, prepared[0], 1);
	KUNIT_EXPECT_EQ(test, prepared[1], 1);
}

static struct kunit_case cmwq_trace_cases[] = {
	KUNIT_CASE(queue_execute),
	KUNIT_CASE(queue_unbound),
	KUNIT_CASE(activate_after_max_active),
	KUNIT_CASE(sleep_wakes_another),
	KUNIT_CASE(workers_created_and_reaped),
	KUNIT_CASE(mayday_and_rescue),
	KUNIT_CASE(trustee_states),
	{}
};

static struct kunit_suite cmwq_trace_suite = {
	.name = "cmwq_trace",
	.init = trace_test_init,
	.exit = trace_test_exit,
	.test_cases = cmwq_trace_cases,
};

kunit_test_suites(&cmwq_trace_suite);

MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_DESCRIPTION("KUnit tests of cmwq's trace events");
