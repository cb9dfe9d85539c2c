// SPDX-License-Identifier: GPL-2.0
/*
 * cmwq_hotplug_test.c - KUnit: CPUs going down and coming back
 *
 * Takes CPUs down and up with remove_cpu()/add_cpu() while works of every
 * kind are on them, and checks that every work runs exactly once, that
 * works for an offline CPU run elsewhere (each records the CPU it ran
 * on), that a returning CPU gets its pools bound and concurrency-managed
 * again, that a worker still busy when its CPU returns stays unbound
 * until its work is done and rebinds then, that one whose work ends while
 * the pool is being rebound is bound too, that failed and cancelled
 * transitions leave a consistent state (through the kernel's
 * cpuN/hotplug/fail knob), and that a hundred offline/online cycles under
 * a queue/cancel/flush load lose nothing.
 */
#include <kunit/test.h>
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/fs.h>
#include <linux/kthread.h>
#include <linux/random.h>
#include <linux/slab.h>

#include "cmwq_churn.h"
#include "cmwq_kunit.h"

/* A work that records where it ran. */
struct hp_record {
	struct cmwq_work	work;
	struct completion	done;
	atomic_t		runs;
	int			cpu;
};

static void hp_record_fn(struct cmwq_work *work)
{
	struct hp_record *it = container_of(work, struct hp_record, work);

	it->cpu = raw_smp_processor_id();
	atomic_inc(&it->runs);
	complete(&it->done);
}

/* The same, after 20 ms of running without sleeping. */
static void hp_spin_record_fn(struct cmwq_work *work)
{
	cmwq_busy_wait_ms(20);
	hp_record_fn(work);
}

static void hp_record_init(struct hp_record *it, cmwq_func_t fn)
{
	CMWQ_INIT_WORK(&it->work, fn);
	init_completion(&it->done);
	atomic_set(&it->runs, 0);
	it->cpu = -1;
}

/*
 * A work of one of several kinds, for the cases that mix them on a CPU
 * going down: it records where it ran, when (from a shared counter) and
 * whether it was released rather than timed out.
 */
struct hp_item {
	struct cmwq_work	work;
	struct completion	done;
	struct completion	*release;
	atomic_t		*order;
	atomic_t		runs;
	int			cpu;
	int			kind;
	int			seq;		/* when it ran, from *order */
	bool			released;
};

enum { KIND_RECORD, KIND_BLOCK, KIND_SLEEP, KIND_SPIN, KIND_HOLD };

static void hp_fn(struct cmwq_work *work)
{
	struct hp_item *it = container_of(work, struct hp_item, work);
	unsigned long deadline = jiffies + CMWQ_KUNIT_TIMEOUT;

	switch (it->kind) {
	case KIND_BLOCK:
		it->released = wait_for_completion_timeout(it->release,
							   CMWQ_KUNIT_TIMEOUT);
		break;
	case KIND_SLEEP:
		msleep(20);
		break;
	case KIND_SPIN:
		cmwq_busy_wait_ms(20);
		break;
	case KIND_HOLD:
		/* runnable until released: its pool starts nothing else */
		while (!completion_done(it->release) &&
		       time_before(jiffies, deadline))
			cpu_relax();
		it->released = completion_done(it->release);
		break;
	}
	it->cpu = raw_smp_processor_id();
	if (it->order)
		it->seq = atomic_inc_return(it->order);
	atomic_inc(&it->runs);
	complete(&it->done);
}

static void hp_init(struct hp_item *it, int kind, struct completion *release)
{
	memset(it, 0, sizeof(*it));
	CMWQ_INIT_WORK(&it->work, hp_fn);
	init_completion(&it->done);
	it->kind = kind;
	it->release = release;
}

/* The CPU the cases take down: the last online one, never CPU 0. */
static int hp_cpu(void)
{
	return cpumask_last(cpu_online_mask);
}

static int set_hotplug_fail(int cpu, int state)
{
	char path[64], buf[16];
	struct file *f;
	loff_t pos = 0;
	ssize_t n;

	snprintf(path, sizeof(path),
		 "/sys/devices/system/cpu/cpu%d/hotplug/fail", cpu);
	f = filp_open(path, O_WRONLY, 0);
	if (IS_ERR(f))
		return PTR_ERR(f);
	n = scnprintf(buf, sizeof(buf), "%d", state);
	n = kernel_write(f, buf, n, &pos);
	filp_close(f, NULL);
	return n < 0 ? n : 0;
}

/* the CPU whose hotplug/fail knob a case set, or -1 */
static int hp_fail_cpu = -1;

/* Arm @cpu's hotplug/fail knob at @state, for the exit hook to disarm. */
static int hp_arm_fail(int cpu, int state)
{
	int ret = set_hotplug_fail(cpu, state);

	if (!ret)
		hp_fail_cpu = cpu;
	return ret;
}

static void hp_disarm_fail(void)
{
	if (hp_fail_cpu >= 0)
		set_hotplug_fail(hp_fail_cpu, -1);
	hp_fail_cpu = -1;
}

static bool pool_back(int cpu, bool highpri)
{
	struct cmwq_test_pool_stats st;

	cmwq_test_pool_stats(cpu, highpri, &st);
	return !st.disassociated && st.all_bound && !st.trustee_state &&
	       st.nr_workers > 0;
}

/* A CPU that is up again has its pools bound and managed as before. */
static void expect_cpu_back(struct kunit *test, struct cmwq_workqueue *wq,
			    int cpu)
{
	struct hp_record *items;
	int i, n = 6;
	bool back;

	back = cmwq_poll(pool_back(cpu, false) && pool_back(cpu, true),
			 CMWQ_KUNIT_TIMEOUT);
	KUNIT_EXPECT_TRUE_MSG(test, back,
			      "CPU %d's pools not associated, bound and staffed",
			      cpu);
	items = kunit_kcalloc(test, n, sizeof(*items), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, items);
	for (i = 0; i < n; i++) {
		hp_record_init(&items[i], hp_spin_record_fn);
		cmwq_queue_work_on(cpu, wq, &items[i].work);
	}
	/* each checked inside the work: it ran on the CPU it was queued on */
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_COMPLETES(test, &items[i].done);
		KUNIT_EXPECT_EQ(test, items[i].cpu, cpu);
	}
}

struct cc_item {
	struct cmwq_work	work;
	struct cmwq_concurrency	*cc;
	struct completion	done;
};

static void spin_cc_fn(struct cmwq_work *work)
{
	struct cc_item *it = container_of(work, struct cc_item, work);

	cmwq_concurrency_enter(it->cc);
	cmwq_busy_wait_ms(2);
	cmwq_concurrency_exit(it->cc);
	complete(&it->done);
}

/* Concurrency management works there again: runnable works one at a time. */
static void expect_one_at_a_time(struct kunit *test,
				 struct cmwq_workqueue *wq, int cpu)
{
	struct cmwq_concurrency cc = {};
	struct cc_item *items;
	int i, n = 12;

	items = kunit_kcalloc(test, n, sizeof(*items), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, items);
	for (i = 0; i < n; i++) {
		CMWQ_INIT_WORK(&items[i].work, spin_cc_fn);
		items[i].cc = &cc;
		init_completion(&items[i].done);
		cmwq_queue_work_on(cpu, wq, &items[i].work);
	}
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_COMPLETES(test, &items[i].done);
	KUNIT_EXPECT_EQ(test, atomic_read(&cc.max), 1);
}

struct hp_ctx {
	struct cmwq_workqueue	*percpu, *single, *highpri, *reclaim,
				*intensive;
	struct completion	release;
};

/* CPUs online when the suite started: what a failed case must give back */
static struct cpumask hp_online_at_start;

static int hp_case_init(struct kunit *test)
{
	struct hp_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ctx->percpu = cmwq_kunit_alloc_wq(test, "hp_percpu", 0, 0);
	KUNIT_ASSERT_NOT_NULL(test, ctx->percpu);
	ctx->single = cmwq_kunit_alloc_wq(test, "hp_single", 0, 1);
	KUNIT_ASSERT_NOT_NULL(test, ctx->single);
	ctx->highpri = cmwq_kunit_alloc_wq(test, "hp_highpri", CMWQ_HIGHPRI, 0);
	KUNIT_ASSERT_NOT_NULL(test, ctx->highpri);
	ctx->reclaim = cmwq_kunit_alloc_wq(test, "hp_reclaim",
					   CMWQ_MEM_RECLAIM, 0);
	KUNIT_ASSERT_NOT_NULL(test, ctx->reclaim);
	ctx->intensive = cmwq_kunit_alloc_wq(test, "hp_intensive",
					     CMWQ_CPU_INTENSIVE, 0);
	KUNIT_ASSERT_NOT_NULL(test, ctx->intensive);
	init_completion(&ctx->release);
	test->priv = ctx;
	return 0;
}

static void hp_case_exit(struct kunit *test)
{
	struct hp_ctx *ctx = test->priv;
	int cpu;

	complete_all(&ctx->release);
	/* a failed case must leave neither a failing step nor a CPU down */
	hp_disarm_fail();
	for_each_cpu(cpu, &hp_online_at_start)
		if (!cpu_online(cpu))
			add_cpu(cpu);
	/*
	 * The queues outlive the works the case allocated after them: run
	 * what a failed case left before that memory goes.
	 */
	cmwq_flush_workqueue(ctx->percpu);
	cmwq_flush_workqueue(ctx->single);
	cmwq_flush_workqueue(ctx->highpri);
	cmwq_flush_workqueue(ctx->reclaim);
	cmwq_flush_workqueue(ctx->intensive);
}

static bool gcwq_settled(int cpu)
{
	struct cmwq_test_pool_stats st[2];

	cmwq_test_pool_stats(cpu, false, &st[0]);
	cmwq_test_pool_stats(cpu, true, &st[1]);
	return !st[0].trustee_state && st[0].nr_workers == st[0].nr_idle &&
	       st[1].nr_workers == st[1].nr_idle;
}

/*
 * A CPU that is offline with nothing left to drain comes up with bound,
 * working pools: in the boot with a CPU offline at load (maxcpus=3), that
 * CPU, whose pools never had a worker; in the others, one taken down here
 * and left to settle (every worker idle, no trustee left).
 */
static void offline_cpu_comes_up(struct kunit *test)
{
	struct hp_ctx *ctx = test->priv;
	struct cmwq_test_pool_stats st;
	int cpu;

	for_each_present_cpu(cpu)
		if (!cpu_online(cpu))
			break;
	if (cpu < nr_cpu_ids) {
		kunit_info(test, "CPU %d was offline at load\n", cpu);
	} else {
		cpu = hp_cpu();
		KUNIT_ASSERT_GT(test, cpu, 0);
		KUNIT_ASSERT_EQ(test, remove_cpu(cpu), 0);
		KUNIT_EXPECT_TRUE(test, cmwq_poll(gcwq_settled(cpu),
						  CMWQ_KUNIT_TIMEOUT));
		cmwq_test_pool_stats(cpu, false, &st);
		KUNIT_EXPECT_TRUE(test, st.disassociated);
		kunit_info(test, "CPU %d taken down, %d workers left\n", cpu,
			   st.nr_workers);
	}
	KUNIT_ASSERT_EQ(test, add_cpu(cpu), 0);
	expect_cpu_back(test, ctx->percpu, cpu);
	expect_cpu_back(test, ctx->highpri, cpu);
	expect_one_at_a_time(test, ctx->percpu, cpu);
}

/* A CPU taken down or brought up by a thread, while the case looks on. */
struct cpu_switch {
	int			cpu;
	bool			up;
	int			ret;
	struct completion	done;
};

static int cpu_switch_fn(void *arg)
{
	struct cpu_switch *o = arg;

	o->ret = o->up ? add_cpu(o->cpu) : remove_cpu(o->cpu);
	complete(&o->done);
	return 0;
}

static bool pools_disassociated(int cpu)
{
	struct cmwq_test_pool_stats st[2];

	cmwq_test_pool_stats(cpu, false, &st[0]);
	cmwq_test_pool_stats(cpu, true, &st[1]);
	return st[0].disassociated && st[1].disassociated;
}

/* works waiting on the worklist of @cpu's normal pool */
static int nr_pending(int cpu)
{
	struct cmwq_test_pool_stats st;

	cmwq_test_pool_stats(cpu, false, &st);
	return st.nr_pending;
}

/*
 * Offline a CPU whose normal pool is held by a runnable work, with works
 * pending behind it (blocking, sleeping, CPU-bound and plain; on per-CPU,
 * reclaim and CPU-intensive queues), high-priority works asleep on it,
 * and works held back by a bound max_active 1 queue: the works are
 * released only once the offline has begun.  Each runs exactly once, on another CPU,
 * the max_active 1 queue's in order; the CPU comes back bound and
 * concurrency-managed.
 */
static void offline_runs_every_work_once(struct kunit *test)
{
	enum { N = 20, NR_SINGLE = 4, FIRST_SINGLE = N - NR_SINGLE };
	struct hp_ctx *ctx = test->priv;
	int cpu = hp_cpu(), i, active, inactive;
	struct cpu_switch *o;
	atomic_t *order;
	struct hp_item *it;
	struct cmwq_workqueue *wqs[N] = {
		ctx->percpu, ctx->highpri,
		ctx->percpu, ctx->percpu, ctx->percpu, ctx->percpu,
		ctx->percpu, ctx->percpu, ctx->highpri, ctx->highpri,
		ctx->reclaim, ctx->reclaim, ctx->intensive, ctx->intensive,
		ctx->highpri, ctx->percpu,
		ctx->single, ctx->single, ctx->single, ctx->single,
	};
	static const int kinds[N] = {
		KIND_HOLD, KIND_BLOCK,
		KIND_BLOCK, KIND_SLEEP, KIND_SPIN, KIND_RECORD,
		KIND_BLOCK, KIND_RECORD, KIND_BLOCK, KIND_BLOCK,
		KIND_BLOCK, KIND_RECORD, KIND_SPIN, KIND_SLEEP,
		KIND_BLOCK, KIND_SLEEP,
		KIND_BLOCK, KIND_RECORD, KIND_SLEEP, KIND_RECORD,
	};

	KUNIT_ASSERT_GT(test, cpu, 0);
	it = kunit_kcalloc(test, N, sizeof(*it), GFP_KERNEL);
	o = kunit_kzalloc(test, sizeof(*o), GFP_KERNEL);
	/* not on the stack: the exit hook drains the works of a failed case */
	order = kunit_kzalloc(test, sizeof(*order), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, it);
	KUNIT_ASSERT_NOT_NULL(test, o);
	KUNIT_ASSERT_NOT_NULL(test, order);
	for (i = 0; i < N; i++) {
		hp_init(&it[i], kinds[i], &ctx->release);
		if (i >= FIRST_SINGLE)
			it[i].order = order;
	}

	/* a runnable work holds the normal pool: the others stay pending */
	KUNIT_ASSERT_TRUE(test, cmwq_queue_work_on(cpu, wqs[0], &it[0].work));
	KUNIT_ASSERT_TRUE(test, cmwq_poll(cmwq_work_busy(&it[0].work) ==
					  CMWQ_BUSY_RUNNING,
					  CMWQ_KUNIT_TIMEOUT));
	for (i = 1; i < N; i++)
		KUNIT_ASSERT_TRUE(test, cmwq_queue_work_on(cpu, wqs[i],
							   &it[i].work));

	/*
	 * Everything is still on the CPU when it starts going down: pending
	 * behind the runnable work, asleep on the high-priority pool (a
	 * worker each), held back by max_active.
	 */
	KUNIT_EXPECT_EQ(test, nr_pending(cpu), 12);
	for (i = 0; i < N; i++)
		if (wqs[i] == ctx->highpri)
			KUNIT_EXPECT_TRUE(test,
					  cmwq_poll(cmwq_work_busy(&it[i].work) ==
						    CMWQ_BUSY_RUNNING,
						    CMWQ_KUNIT_TIMEOUT));
	cmwq_test_cwq_counts(ctx->single, cpu, &active, &inactive);
	KUNIT_EXPECT_EQ(test, inactive, NR_SINGLE - 1);
	for (i = 0; i < N; i++)
		KUNIT_EXPECT_EQ(test, atomic_read(&it[i].runs), 0);

	o->cpu = cpu;
	init_completion(&o->done);
	KUNIT_ASSERT_FALSE(test, IS_ERR(kthread_run(cpu_switch_fn, o,
						    "cmwq_hp_offline")));
	KUNIT_EXPECT_TRUE(test, cmwq_poll(pools_disassociated(cpu),
					  CMWQ_KUNIT_TIMEOUT));
	complete_all(&ctx->release);
	KUNIT_ASSERT_COMPLETES(test, &o->done);
	KUNIT_ASSERT_EQ(test, o->ret, 0);

	for (i = 0; i < N; i++) {
		KUNIT_EXPECT_COMPLETES(test, &it[i].done);
		KUNIT_EXPECT_EQ(test, atomic_read(&it[i].runs), 1);
		KUNIT_EXPECT_NE_MSG(test, it[i].cpu, cpu,
				    "work %d ran on the CPU going down", i);
		if (it[i].kind == KIND_HOLD || it[i].kind == KIND_BLOCK)
			KUNIT_EXPECT_TRUE(test, it[i].released);
	}
	for (i = FIRST_SINGLE; i < N; i++)
		KUNIT_EXPECT_EQ(test, it[i].seq, i - FIRST_SINGLE + 1);
	cmwq_flush_workqueue(ctx->percpu);
	cmwq_flush_workqueue(ctx->single);
	for (i = 0; i < N; i++)
		KUNIT_EXPECT_EQ(test, atomic_read(&it[i].runs), 1);

	KUNIT_ASSERT_EQ(test, add_cpu(cpu), 0);
	expect_cpu_back(test, ctx->percpu, cpu);
	expect_cpu_back(test, ctx->highpri, cpu);
	expect_one_at_a_time(test, ctx->percpu, cpu);
}

struct hp_ditem {
	struct cmwq_delayed_work dwork;
	struct completion	done;
	atomic_t		runs;
	int			cpu;
};

static void hp_dfn(struct cmwq_work *work)
{
	struct hp_ditem *it = container_of(cmwq_to_delayed_work(work),
					   struct hp_ditem, dwork);

	it->cpu = raw_smp_processor_id();
	atomic_inc(&it->runs);
	complete(&it->done);
}

/* The flavours of bound queue whose works a CPU going down must not strand. */
struct hp_flavour {
	const char	*name;
	unsigned int	flags;
};

static const struct hp_flavour hp_flavours[] = {
	{ "percpu",		0 },
	{ "highpri",		CMWQ_HIGHPRI },
	{ "reclaim",		CMWQ_MEM_RECLAIM },
	{ "cpu_intensive",	CMWQ_CPU_INTENSIVE },
};

static void hp_flavour_desc(const struct hp_flavour *f, char *desc)
{
	strscpy(desc, f->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(hp_flavour, hp_flavours, hp_flavour_desc);

/* A work queued for an offline CPU runs once, on an online CPU. */
static void works_for_offline_cpu_run_elsewhere(struct kunit *test)
{
	const struct hp_flavour *f = test->param_value;
	struct hp_ctx *ctx = test->priv;
	struct cmwq_workqueue *wq;
	struct hp_record *it;
	int cpu = hp_cpu();

	KUNIT_ASSERT_GT(test, cpu, 0);
	it = kunit_kzalloc(test, sizeof(*it), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, it);
	hp_record_init(it, hp_record_fn);
	wq = cmwq_kunit_alloc_wq(test, "hp_%s", f->flags, 0, f->name);
	KUNIT_ASSERT_NOT_NULL(test, wq);

	KUNIT_ASSERT_EQ(test, remove_cpu(cpu), 0);
	KUNIT_EXPECT_TRUE(test, cmwq_queue_work_on(cpu, wq, &it->work));
	KUNIT_EXPECT_COMPLETES(test, &it->done);
	KUNIT_EXPECT_EQ(test, atomic_read(&it->runs), 1);
	KUNIT_EXPECT_NE(test, it->cpu, cpu);
	KUNIT_EXPECT_TRUE(test, cpu_online(it->cpu));

	KUNIT_ASSERT_EQ(test, add_cpu(cpu), 0);
	expect_cpu_back(test, ctx->percpu, cpu);
}

/*
 * A delayed work whose timer was armed on a CPU that then goes down: the
 * timer is still pending once the CPU is gone, and the work runs once,
 * on an online CPU.
 */
static void delayed_work_for_offline_cpu_runs_elsewhere(struct kunit *test)
{
	struct hp_ctx *ctx = test->priv;
	struct hp_ditem *ditem;
	int cpu = hp_cpu();

	KUNIT_ASSERT_GT(test, cpu, 0);
	ditem = kunit_kzalloc(test, sizeof(*ditem), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ditem);
	CMWQ_INIT_DELAYED_WORK(&ditem->dwork, hp_dfn);
	init_completion(&ditem->done);

	/* long enough to outlast the offline on the debug kernel */
	KUNIT_ASSERT_TRUE(test, cmwq_queue_delayed_work_on(cpu, ctx->percpu,
							   &ditem->dwork,
							   3 * HZ));
	KUNIT_ASSERT_EQ(test, remove_cpu(cpu), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&ditem->runs), 0);
	KUNIT_EXPECT_TRUE(test, cmwq_delayed_work_pending(&ditem->dwork));

	/* its timer migrated with the CPU's; it fires and runs elsewhere */
	KUNIT_EXPECT_COMPLETES(test, &ditem->done);
	KUNIT_EXPECT_EQ(test, atomic_read(&ditem->runs), 1);
	KUNIT_EXPECT_NE(test, ditem->cpu, cpu);
	KUNIT_EXPECT_TRUE(test, cpu_online(ditem->cpu));
	KUNIT_EXPECT_FALSE(test, cmwq_delayed_work_pending(&ditem->dwork));

	KUNIT_ASSERT_EQ(test, add_cpu(cpu), 0);
	expect_cpu_back(test, ctx->percpu, cpu);
}

/* A work held until released, noting how many CPUs its worker could use. */
struct hp_rogue {
	struct cmwq_work	work;
	struct completion	done;
	struct completion	*release;
	bool			released;
	atomic_t		runs;
	unsigned int		nr_allowed;
};

static void hp_rogue_fn(struct cmwq_work *work)
{
	struct hp_rogue *it = container_of(work, struct hp_rogue, work);

	it->released = wait_for_completion_timeout(it->release,
						   CMWQ_KUNIT_TIMEOUT);
	it->nr_allowed = cpumask_weight(current->cpus_ptr);
	atomic_inc(&it->runs);
	complete(&it->done);
}

/*
 * A work of @cpu's normal pool held busy until ctx->release, then @cpu
 * taken down under it: its worker goes on as a rogue.
 */
static struct hp_rogue *rogue_across_offline(struct kunit *test, int cpu)
{
	struct hp_ctx *ctx = test->priv;
	struct hp_rogue *it = kunit_kzalloc(test, sizeof(*it), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, it);
	CMWQ_INIT_WORK(&it->work, hp_rogue_fn);
	init_completion(&it->done);
	it->release = &ctx->release;
	cmwq_queue_work_on(cpu, ctx->percpu, &it->work);
	KUNIT_ASSERT_TRUE(test, cmwq_poll(cmwq_work_busy(&it->work) ==
					  CMWQ_BUSY_RUNNING,
					  CMWQ_KUNIT_TIMEOUT));
	KUNIT_ASSERT_EQ(test, remove_cpu(cpu), 0);
	return it;
}

/*
 * The CPU returns while a worker of its pool is still busy with a work
 * that started before the offline: the pool is associated again at once,
 * the busy worker stays unbound as long as its work runs and is bound
 * (no longer rogue) once it is done.
 */
static void online_while_trustee_drains(struct kunit *test)
{
	struct hp_ctx *ctx = test->priv;
	struct cmwq_test_pool_stats st;
	int cpu = hp_cpu();
	struct hp_rogue *it;
	bool back;

	KUNIT_ASSERT_GT(test, cpu, 0);
	it = rogue_across_offline(test, cpu);
	cmwq_test_pool_stats(cpu, false, &st);
	KUNIT_EXPECT_TRUE(test, st.disassociated);
	KUNIT_EXPECT_GT(test, st.nr_rogue, 0);
	KUNIT_ASSERT_EQ(test, add_cpu(cpu), 0);

	/* back, but the busy worker is not bound under its running work */
	cmwq_test_pool_stats(cpu, false, &st);
	KUNIT_EXPECT_FALSE(test, st.disassociated);
	KUNIT_EXPECT_GT(test, st.nr_rogue, 0);
	KUNIT_EXPECT_FALSE(test, st.all_bound);

	complete_all(&ctx->release);
	KUNIT_EXPECT_COMPLETES(test, &it->done);
	KUNIT_EXPECT_TRUE(test, it->released);
	KUNIT_EXPECT_EQ(test, atomic_read(&it->runs), 1);
	KUNIT_EXPECT_GT_MSG(test, it->nr_allowed, 1U,
			    "the busy worker was bound while its work ran");

	/* and rebinds once it is done */
	back = cmwq_poll(pool_back(cpu, false), CMWQ_KUNIT_TIMEOUT);
	KUNIT_EXPECT_TRUE_MSG(test, back,
			      "the busy worker did not rebind after its work");
	cmwq_test_pool_stats(cpu, false, &st);
	KUNIT_EXPECT_EQ(test, st.nr_rogue, 0);
	expect_cpu_back(test, ctx->percpu, cpu);
	expect_one_at_a_time(test, ctx->percpu, cpu);
}

/* every worker of @cpu's normal pool idle */
static bool normal_pool_idle(int cpu)
{
	struct cmwq_test_pool_stats st;

	cmwq_test_pool_stats(cpu, false, &st);
	return st.nr_workers == st.nr_idle;
}

/*
 * A busy worker whose work ends while its CPU comes back, after the
 * online callback moved the idle workers to the CPU and before it
 * reassociated the pool, goes idle rogue and unbound: the pool was still
 * disassociated.  It is bound all the same once the CPU is back, with
 * nothing queued to wake it.  The callback is held between its two
 * passes through the test interface.
 */
static void worker_idle_during_rebind_bound(struct kunit *test)
{
	struct hp_ctx *ctx = test->priv;
	struct cmwq_test_rebind_pause *pause;
	struct cmwq_test_pool_stats st;
	int cpu = hp_cpu();
	struct hp_rogue *it;
	struct cpu_switch *o;
	bool paused, back;

	KUNIT_ASSERT_GT(test, cpu, 0);
	pause = kunit_kzalloc(test, sizeof(*pause), GFP_KERNEL);
	o = kunit_kzalloc(test, sizeof(*o), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pause);
	KUNIT_ASSERT_NOT_NULL(test, o);
	it = rogue_across_offline(test, cpu);

	pause->cpu = cpu;
	init_completion(&pause->paused);
	init_completion(&pause->resume);
	o->cpu = cpu;
	o->up = true;
	init_completion(&o->done);
	cmwq_test_pause_rebind(pause);
	if (IS_ERR(kthread_run(cpu_switch_fn, o, "cmwq_hp_online"))) {
		cmwq_test_pause_rebind(NULL);
		KUNIT_FAIL(test, "no thread to bring CPU %d up", cpu);
		return;
	}

	/* idle workers moved, the busy one not: its work ends now */
	paused = wait_for_completion_timeout(&pause->paused,
					     CMWQ_KUNIT_TIMEOUT);
	KUNIT_EXPECT_TRUE_MSG(test, paused, "the online was not held");
	complete_all(&ctx->release);
	KUNIT_EXPECT_COMPLETES(test, &it->done);
	KUNIT_EXPECT_TRUE(test, cmwq_poll(normal_pool_idle(cpu),
					  CMWQ_KUNIT_TIMEOUT));
	cmwq_test_pool_stats(cpu, false, &st);
	KUNIT_EXPECT_TRUE(test, st.disassociated);
	KUNIT_EXPECT_GT(test, st.nr_rogue, 0);

	/* the online goes on with every worker idle, one of them unbound */
	cmwq_test_pause_rebind(NULL);
	complete(&pause->resume);
	KUNIT_ASSERT_COMPLETES(test, &o->done);
	KUNIT_ASSERT_EQ(test, o->ret, 0);

	back = cmwq_poll(pool_back(cpu, false), CMWQ_KUNIT_TIMEOUT);
	cmwq_test_pool_stats(cpu, false, &st);
	KUNIT_EXPECT_TRUE_MSG(test, back,
			      "a worker gone idle during the rebinding left unbound: %d rogue, all bound %d",
			      st.nr_rogue, st.all_bound);
	KUNIT_EXPECT_EQ(test, st.nr_rogue, 0);
	expect_cpu_back(test, ctx->percpu, cpu);
}

/* An offline that fails half-way (after cmwq's step) rolls back cleanly. */
static void offline_cancelled_half_way(struct kunit *test)
{
	struct hp_ctx *ctx = test->priv;
	int cpu = hp_cpu();

	KUNIT_ASSERT_GT(test, cpu, 0);
	if (hp_arm_fail(cpu, CPUHP_AP_SMPBOOT_THREADS))
		kunit_skip(test, "no cpuN/hotplug/fail knob in this kernel");
	KUNIT_EXPECT_NE(test, remove_cpu(cpu), 0);
	hp_disarm_fail();
	KUNIT_EXPECT_TRUE(test, cpu_online(cpu));
	expect_cpu_back(test, ctx->percpu, cpu);
	expect_one_at_a_time(test, ctx->percpu, cpu);
}

/* An online that fails after cmwq's step leaves the CPU cleanly down. */
static void online_fails(struct kunit *test)
{
	struct hp_ctx *ctx = test->priv;
	int cpu = hp_cpu();
	struct hp_record *it;

	KUNIT_ASSERT_GT(test, cpu, 0);
	it = kunit_kzalloc(test, sizeof(*it), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, it);
	KUNIT_ASSERT_EQ(test, remove_cpu(cpu), 0);
	if (hp_arm_fail(cpu, CPUHP_AP_ACTIVE)) {
		add_cpu(cpu);
		kunit_skip(test, "no cpuN/hotplug/fail knob in this kernel");
	}
	KUNIT_EXPECT_NE(test, add_cpu(cpu), 0);
	hp_disarm_fail();
	KUNIT_EXPECT_FALSE(test, cpu_online(cpu));

	hp_record_init(it, hp_record_fn);
	KUNIT_EXPECT_TRUE(test, cmwq_queue_work_on(cpu, ctx->percpu,
						   &it->work));
	KUNIT_EXPECT_COMPLETES(test, &it->done);
	KUNIT_EXPECT_EQ(test, atomic_read(&it->runs), 1);

	KUNIT_ASSERT_EQ(test, add_cpu(cpu), 0);
	expect_cpu_back(test, ctx->percpu, cpu);
	expect_one_at_a_time(test, ctx->percpu, cpu);
}

enum { CYCLE_WORKS = 32, CYCLE_THREADS = 2, NR_CYCLES = 100 };

struct cycle_load {
	struct cmwq_churn	churn;
	struct completion	done[CYCLE_THREADS + 1];
	atomic_t		wqs_made;
	bool			stop;
};

static struct cycle_load *the_load;

static void cycle_fn(struct cmwq_work *work)
{
	cmwq_churn_ran(&the_load->churn, work);
}

static int cycle_load_thread(void *arg)
{
	struct cycle_load *s = the_load;
	int cpu;

	while (!READ_ONCE(s->stop)) {
		/* online or not: a CPU going down must not strand works */
		cpu = get_random_u32_below(nr_cpu_ids);
		cmwq_churn_step(&s->churn, cpu_possible(cpu) ? cpu : 0);
		cond_resched();
	}
	complete(&s->done[(long)arg]);
	return 0;
}

/* Queues come and go, with works, flushes and drains, during hotplug. */
static int cycle_wq_thread(void *arg)
{
	struct cycle_load *s = the_load;
	struct cmwq_workqueue *wq;
	struct hp_item *it;

	while (!READ_ONCE(s->stop)) {
		it = kmalloc(sizeof(*it), GFP_KERNEL);
		wq = cmwq_alloc_workqueue("hp_cycle%d", 0, 0,
					  atomic_inc_return(&s->wqs_made));
		if (!wq || !it) {
			kfree(it);
			if (wq)
				cmwq_destroy_workqueue(wq);
			continue;
		}
		hp_init(it, KIND_SLEEP, NULL);
		cmwq_queue_work_on(get_random_u32_below(2) ? 0 : hp_cpu(), wq,
				   &it->work);
		if (get_random_u32_below(2))
			cmwq_drain_workqueue(wq);
		else
			cmwq_flush_workqueue(wq);
		cmwq_destroy_workqueue(wq);
		kfree(it);
	}
	complete(&s->done[CYCLE_THREADS]);
	return 0;
}

/* A hundred offline/online cycles under load: exact accounting. */
static void hotplug_cycles_under_load(struct kunit *test)
{
	struct cycle_load *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	struct cmwq_workqueue *wq = cmwq_kunit_alloc_wq(test, "hp_load", 0, 4);
	int cpus[2] = { cpumask_first(cpu_online_mask), hp_cpu() };
	int i, cycles = 0, cpu;
	unsigned long runs;

	/* two CPUs other than the first take turns going down */
	if (num_online_cpus() < 3)
		kunit_skip(test, "needs three online CPUs");
	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_ASSERT_NOT_NULL(test, wq);
	cpus[0] = cpumask_next(cpus[0], cpu_online_mask);
	KUNIT_ASSERT_LT(test, cpus[0], cpus[1]);
	KUNIT_ASSERT_EQ(test, cmwq_churn_init(&s->churn, CYCLE_WORKS, wq,
					      cycle_fn), 0);
	the_load = s;
	for (i = 0; i <= CYCLE_THREADS; i++)
		init_completion(&s->done[i]);
	for (i = 0; i < CYCLE_THREADS; i++)
		KUNIT_ASSERT_FALSE(test,
				   IS_ERR(kthread_run(cycle_load_thread,
						      (void *)(long)i,
						      "cmwq_hp_load%d", i)));
	KUNIT_ASSERT_FALSE(test, IS_ERR(kthread_run(cycle_wq_thread, NULL,
						    "cmwq_hp_wqs")));

	for (i = 0; i < NR_CYCLES; i++) {
		cpu = cpus[i % 2];
		if (remove_cpu(cpu))
			continue;
		cycles += !add_cpu(cpu);
	}
	WRITE_ONCE(s->stop, true);
	for (i = 0; i <= CYCLE_THREADS; i++)
		KUNIT_EXPECT_COMPLETES(test, &s->done[i]);
	for (i = 0; i < 2; i++)
		if (!cpu_online(cpus[i]))
			add_cpu(cpus[i]);

	KUNIT_EXPECT_EQ(test, cmwq_churn_miscounted(&s->churn, &runs), 0);
	KUNIT_EXPECT_EQ(test, cycles, NR_CYCLES);
	kunit_info(test, "%d offline/online cycles, %lu works run, %d queues made\n",
		   cycles, runs, atomic_read(&s->wqs_made));
	/* the works live in the churn's memory */
	cmwq_kunit_destroy_wq(test, wq);
	cmwq_churn_free(&s->churn);
	expect_cpu_back(test, cmwq_system_wq, cpus[0]);
	expect_cpu_back(test, cmwq_system_wq, cpus[1]);
}

static struct kunit_case cmwq_hotplug_cases[] = {
	KUNIT_CASE(offline_cpu_comes_up),
	KUNIT_CASE(offline_runs_every_work_once),
	KUNIT_CASE_PARAM(works_for_offline_cpu_run_elsewhere,
			 hp_flavour_gen_params),
	KUNIT_CASE(delayed_work_for_offline_cpu_runs_elsewhere),
	KUNIT_CASE(online_while_trustee_drains),
	KUNIT_CASE(worker_idle_during_rebind_bound),
	KUNIT_CASE(offline_cancelled_half_way),
	KUNIT_CASE(online_fails),
	KUNIT_CASE(hotplug_cycles_under_load),
	{}
};

static unsigned int hp_saved_hog_thresh;

/*
 * Some cases hold a pool's works back behind a CPU-bound one: CPU-hog
 * detection, which would let them go after 10 ms, is off for the suite.
 */
static int hp_suite_init(struct kunit_suite *suite)
{
	cpumask_copy(&hp_online_at_start, cpu_online_mask);
	hp_saved_hog_thresh = cmwq_test_set_hog_thresh(0);
	return 0;
}

/*
 * Leave a CPU down: the suites after this one, and cmwq's unload at the
 * end of the boot, then run with a CPU offline.
 */
static void hp_leave_cpu_down(struct kunit_suite *suite)
{
	int cpu = hp_cpu();

	cmwq_test_set_hog_thresh(hp_saved_hog_thresh);

	if (cpu > 0 && !remove_cpu(cpu))
		pr_info("cmwq_hotplug: CPU %d left offline for what follows\n",
			cpu);
}

static struct kunit_suite cmwq_hotplug_suite = {
	.name = "cmwq_hotplug",
	.suite_init = hp_suite_init,
	.suite_exit = hp_leave_cpu_down,
	.init = hp_case_init,
	.exit = hp_case_exit,
	.test_cases = cmwq_hotplug_cases,
};

kunit_test_suites(&cmwq_hotplug_suite);

MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_DESCRIPTION("KUnit tests of cmwq under CPU hotplug");
