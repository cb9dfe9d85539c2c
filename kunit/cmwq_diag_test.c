// SPDX-License-Identifier: GPL-2.0
/*
 * cmwq_diag_test.c - KUnit: cmwq saying what its works are doing
 *
 * Who queued a work: each case queues from a function of its own,
 * noinline so that the return address of the queueing call is inside
 * it, and finds that function's name beside the work's state in the
 * dump debugfs' "workqueues" shows (the test interface renders the same
 * dump into a buffer).  Where works do not record their origin
 * (CMWQ_WORK_ORIGIN in cmwq.h: kernels without CONFIG_DEBUG_OBJECTS_WORK)
 * the same cases check that the lines and events name none
 * (cmwq_origin_text(), cmwq_caller_is()).  Works are held where the case wants them: behind
 * a blocked work on a max_active 1 queue (inactive), behind a CPU-bound
 * work on a bound pool (pending on the worklist).  Every wait is a
 * completion or a poll with a deadline.
 *
 * The stall watchdog: a case provokes a stall with its threshold at one
 * second and checks the report through the cmwq_stall* trace events,
 * with probes that keep only the events of the case's pool.  It
 * announces the report (cmwq_test_expect_reports()), which the suite's
 * exit hook withdraws and where it restores the threshold.  Two stalls
 * are provoked: a CPU-bound work holding back the one behind it, and a
 * pool starved of workers.  For the latter, blockers sleeping on
 * completions take the pool's idle workers one by one, while creation
 * still works, until one is left; with creation failing (the
 * fail_create_worker fault attribute), a work queued on a queue without
 * a rescuer wakes that last one, which manages instead of running it and
 * keeps failing to create another.  The exit hook turns creation back on
 * and releases the blockers whatever happened in the case.
 *
 * CPU-hog detection is off but in the case about it, so that a spinning
 * work holds back the works of its CPU as the other cases need.  That
 * case finds its hog in the "cpu_hogs" table of debugfs, which the test
 * interface renders into a buffer; the table lasts as long as cmwq.ko,
 * so it checks that the function's count went up by one.
 *
 * Which cmwq is loaded: its version, as modinfo shows it (sysfs'
 * /sys/module/cmwq/version) and as its debugfs root shows it, read
 * through the files themselves; both must be the tree's ./VERSION,
 * which the top Kbuild hands to this module too.
 */
#include <kunit/test.h>
#include <linux/fs.h>
#include <linux/kthread.h>
#include <linux/string.h>

#include "cmwq_kunit.h"
#include "trace.h"

#define DUMP_SIZE	(64 * 1024)

struct item {
	struct cmwq_delayed_work dwork;	/* its work runs the case's function */
	struct completion	started;
	struct completion	go;
	struct completion	done;
	bool			stop;
	int			queuer;		/* which function queued it */
};

static struct item *work_item(struct cmwq_work *work)
{
	return container_of(work, struct item, dwork.work);
}

static void diag_count_fn(struct cmwq_work *work)
{
	complete(&work_item(work)->done);
}

/* Sleeps until told to go (bounded). */
static void diag_block_fn(struct cmwq_work *work)
{
	struct item *it = work_item(work);

	complete(&it->started);
	wait_for_completion_timeout(&it->go, CMWQ_KUNIT_TIMEOUT);
	complete(&it->done);
}

/* Stays on its CPU, never sleeping, until told to stop (or a deadline). */
static void diag_spin_fn(struct cmwq_work *work)
{
	struct item *it = work_item(work);
	unsigned long deadline = jiffies + CMWQ_KUNIT_TIMEOUT;

	complete(&it->started);
	while (!READ_ONCE(it->stop) && time_before(jiffies, deadline))
		cpu_relax();
	complete(&it->done);
}

static struct item *new_item(struct kunit *test, cmwq_func_t fn)
{
	struct item *it = kunit_kzalloc(test, sizeof(*it), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, it);
	CMWQ_INIT_DELAYED_WORK(&it->dwork, fn);
	init_completion(&it->started);
	init_completion(&it->go);
	init_completion(&it->done);
	return it;
}

/*
 * The queueing functions.  The barrier after each call keeps it from
 * becoming a tail call, which would return to the case directly; each
 * marks its item differently, so that the compiler cannot fold them into
 * one function.
 */
static noinline void diag_queue_first(struct cmwq_workqueue *wq, int cpu,
				      struct item *it)
{
	it->queuer = 1;
	cmwq_queue_work_on(cpu, wq, &it->dwork.work);
	barrier();
}

static noinline void diag_queue_second(struct cmwq_workqueue *wq, int cpu,
				       struct item *it)
{
	it->queuer = 2;
	cmwq_queue_work_on(cpu, wq, &it->dwork.work);
	barrier();
}

static noinline void diag_arm_delayed(struct cmwq_workqueue *wq, int cpu,
				      struct item *it)
{
	it->queuer = 3;
	cmwq_queue_delayed_work_on(cpu, wq, &it->dwork, 1);
	barrier();
}

/* A thread that flushes an item's work, from a function of its own. */
struct flusher {
	struct item		*it;
	struct completion	flushed;
};

static noinline int diag_flush_thread(void *arg)
{
	struct flusher *f = arg;

	cmwq_flush_work(&f->it->dwork.work);
	barrier();
	complete(&f->flushed);
	return 0;
}

/* The dump's section of the queue @name: from its line to the next queue. */
static const char *dump_queue(struct kunit *test, char *dump, const char *name)
{
	char header[64];
	char *start, *end;

	KUNIT_ASSERT_TRUE(test, cmwq_test_show_workqueues(dump, DUMP_SIZE));
	snprintf(header, sizeof(header), "\n%s flags=", name);
	start = strstr(dump, header);
	KUNIT_ASSERT_NOT_NULL_MSG(test, start, "no %s in:\n%s", name, dump);
	start++;
	/* the next line that does not start with a blank begins another queue */
	for (end = strchr(start, '\n'); end && end[1] == ' ';
	     end = strchr(end + 1, '\n'))
		;
	if (end)
		end[1] = '\0';
	return start;
}

/* Does @section have a line holding @what, @by and @how? */
static bool has_line(const char *section, const char *what, const char *by,
		     const char *how)
{
	const char *line = section, *next;
	char buf[256];

	for (; *line; line = next + 1) {
		next = strchrnul(line, '\n');
		strscpy(buf, line, min_t(size_t, next - line + 1, sizeof(buf)));
		if (strstr(buf, what) && strstr(buf, by) && strstr(buf, how))
			return true;
		if (!*next)
			break;
	}
	return false;
}

/*
 * A blocked work (running, sleeping) and one held back behind it by
 * max_active 1: each shows with the function that queued it.
 */
static void who_queued_running_and_inactive(struct kunit *test)
{
	struct item *blocker = new_item(test, diag_block_fn);
	struct item *behind = new_item(test, diag_count_fn);
	char *dump = kunit_kzalloc(test, DUMP_SIZE, GFP_KERNEL);
	int cpu = cpumask_first(cpu_online_mask);
	struct cmwq_workqueue *wq;
	const char *q;

	KUNIT_ASSERT_NOT_NULL(test, dump);
	wq = cmwq_kunit_alloc_wq(test, "diag_who", 0, 1);
	KUNIT_ASSERT_NOT_NULL(test, wq);

	diag_queue_first(wq, cpu, blocker);
	KUNIT_ASSERT_COMPLETES(test, &blocker->started);
	diag_queue_second(wq, cpu, behind);
	KUNIT_EXPECT_TRUE(test,
			  cmwq_poll((q = dump_queue(test, dump, "diag_who"),
				     strstr(q, "sleeping")),
				    CMWQ_KUNIT_TIMEOUT));
	KUNIT_EXPECT_TRUE_MSG(test,
			      has_line(q, "running  diag_block_fn ",
				       cmwq_origin_text("queued by diag_queue_first+"),
				       ", sleeping"), "%s", q);
	KUNIT_EXPECT_TRUE_MSG(test,
			      has_line(q, "inactive diag_count_fn ",
				       cmwq_origin_text("queued by diag_queue_second+"),
				       cmwq_origin_text(" ms ago")), "%s", q);
	/* where works record no origin, no line makes one up */
	if (!CMWQ_WORK_ORIGIN)
		KUNIT_EXPECT_NULL_MSG(test, strstr(q, "queued by"), "%s", q);

	complete(&blocker->go);
	KUNIT_EXPECT_COMPLETES(test, &behind->done);
}

/*
 * A work stuck on the worklist behind a CPU-bound one (concurrency
 * management starts no second worker for it): pending, with who queued
 * it; the spinner shows on its CPU; a flush of the pending work puts a
 * barrier behind it, which names the function that flushed.
 */
static void who_queued_pending(struct kunit *test)
{
	int cpu = cmwq_first_other_cpu(raw_smp_processor_id());
	struct item *spinner = new_item(test, diag_spin_fn);
	struct item *pending = new_item(test, diag_count_fn);
	char *dump = kunit_kzalloc(test, DUMP_SIZE, GFP_KERNEL);
	struct cmwq_workqueue *wq;
	struct flusher *flusher;
	const char *q;

	if (cpu < 0)
		kunit_skip(test, "needs two online CPUs");
	KUNIT_ASSERT_NOT_NULL(test, dump);
	/* before the queue: freed after it, once drained */
	flusher = kunit_kzalloc(test, sizeof(*flusher), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, flusher);
	wq = cmwq_kunit_alloc_wq(test, "diag_pending", 0, 0);
	KUNIT_ASSERT_NOT_NULL(test, wq);

	diag_queue_first(wq, cpu, spinner);
	KUNIT_ASSERT_COMPLETES(test, &spinner->started);
	diag_queue_second(wq, cpu, pending);
	q = dump_queue(test, dump, "diag_pending");
	KUNIT_EXPECT_TRUE_MSG(test,
			      has_line(q, "running  diag_spin_fn ",
				       cmwq_origin_text("queued by diag_queue_first+"),
				       ", on a CPU"), "%s", q);
	KUNIT_EXPECT_TRUE_MSG(test,
			      has_line(q, "pending  diag_count_fn ",
				       cmwq_origin_text("queued by diag_queue_second+"),
				       cmwq_origin_text(" ms ago")), "%s", q);

	flusher->it = pending;
	init_completion(&flusher->flushed);
	KUNIT_ASSERT_FALSE(test, IS_ERR(kthread_run(diag_flush_thread, flusher,
						    "diag_flusher")));
	KUNIT_EXPECT_TRUE(test,
			  cmwq_poll((q = dump_queue(test, dump, "diag_pending"),
				     strstr(q, "barrier  ")),
				    CMWQ_KUNIT_TIMEOUT));
	KUNIT_EXPECT_TRUE_MSG(test,
			      has_line(q, "barrier  ",
				       cmwq_origin_text("queued by diag_flush_thread+"),
				       cmwq_origin_text(" ms ago")), "%s", q);

	WRITE_ONCE(spinner->stop, true);
	KUNIT_EXPECT_COMPLETES(test, &pending->done);
	KUNIT_EXPECT_COMPLETES(test, &flusher->flushed);
}

/*
 * A delayed work is queued by its timer, but who queued it is the
 * function that armed the timer.
 */
static void who_queued_delayed(struct kunit *test)
{
	struct item *blocker = new_item(test, diag_block_fn);
	struct item *delayed = new_item(test, diag_count_fn);
	char *dump = kunit_kzalloc(test, DUMP_SIZE, GFP_KERNEL);
	int cpu = cpumask_first(cpu_online_mask);
	struct cmwq_workqueue *wq;
	const char *q;

	KUNIT_ASSERT_NOT_NULL(test, dump);
	wq = cmwq_kunit_alloc_wq(test, "diag_delayed", 0, 1);
	KUNIT_ASSERT_NOT_NULL(test, wq);

	diag_queue_first(wq, cpu, blocker);
	KUNIT_ASSERT_COMPLETES(test, &blocker->started);
	diag_arm_delayed(wq, cpu, delayed);
	/* held back by max_active once the timer has queued it */
	KUNIT_EXPECT_TRUE(test,
			  cmwq_poll((q = dump_queue(test, dump, "diag_delayed"),
				     strstr(q, "inactive diag_count_fn")),
				    CMWQ_KUNIT_TIMEOUT));
	KUNIT_EXPECT_TRUE_MSG(test,
			      has_line(q, "inactive diag_count_fn ",
				       cmwq_origin_text("queued by diag_arm_delayed+"),
				       cmwq_origin_text(" ms ago")), "%s", q);

	complete(&blocker->go);
	KUNIT_EXPECT_COMPLETES(test, &delayed->done);
}

/* What the stall probes recorded for one pool. */
struct stall_ctx {
	int			pool;		/* the pool watched */
	int			nr_stalls;	/* cmwq_stall events */
	struct completion	reported;	/* the first one */
	unsigned int		stuck_ms;
	int			nr_pending;
	int			nr_busy;
	bool			create_failing;
	/* the pending work and the busy worker seen by the first report */
	void			*work_func;
	unsigned long		work_caller;
	unsigned int		pending_ms;
	void			*worker_func;
	unsigned long		worker_caller;
	unsigned int		running_ms;
	bool			sleeping;
	/* every busy worker of the first report */
	int			nr_workers_shown;
	int			nr_sleeping;
};

static void probe_stall(void *data, struct worker_pool *pool,
			unsigned int stuck_ms, int nr_pending, int nr_busy)
{
	struct stall_ctx *ctx = data;

	if (pool->id != ctx->pool || ctx->nr_stalls++)
		return;
	ctx->stuck_ms = stuck_ms;
	ctx->nr_pending = nr_pending;
	ctx->nr_busy = nr_busy;
	ctx->create_failing = pool->create_failing;
}

static void probe_stall_work(void *data, struct worker_pool *pool,
			     struct cmwq_work *work)
{
	struct stall_ctx *ctx = data;

	/* the first report's first work; the report fires them in order */
	if (pool->id != ctx->pool || ctx->nr_stalls != 1 || ctx->work_func)
		return;
	ctx->work_func = work->func;
	ctx->work_caller = work_caller(work);
	ctx->pending_ms = max(work_age_ms(work), 0L);
}

static void probe_stall_worker(void *data, struct worker_pool *pool,
			       struct worker *worker)
{
	struct stall_ctx *ctx = data;

	if (pool->id != ctx->pool || ctx->nr_stalls != 1)
		return;
	ctx->nr_workers_shown++;
	ctx->nr_sleeping += worker->sleeping;
	if (ctx->worker_func)
		return;
	ctx->worker_func = worker->current_func;
	ctx->worker_caller = worker->current_queued_by;
	ctx->running_ms = jiffies_to_msecs(jiffies - worker->current_at);
	ctx->sleeping = worker->sleeping;
	/*
	 * The report's first worker, after its works; the events of the
	 * others follow in the same timer callback, which unregistering the
	 * probes waits for.
	 */
	complete(&ctx->reported);
}

static void stall_probes(struct kunit *test, struct stall_ctx *ctx, bool on)
{
	if (on) {
		KUNIT_ASSERT_EQ(test, register_trace_cmwq_stall(probe_stall, ctx), 0);
		KUNIT_ASSERT_EQ(test, register_trace_cmwq_stall_work(probe_stall_work, ctx), 0);
		KUNIT_ASSERT_EQ(test, register_trace_cmwq_stall_worker(probe_stall_worker, ctx), 0);
		return;
	}
	unregister_trace_cmwq_stall_worker(probe_stall_worker, ctx);
	unregister_trace_cmwq_stall_work(probe_stall_work, ctx);
	unregister_trace_cmwq_stall(probe_stall, ctx);
	tracepoint_synchronize_unregister();
}

/*
 * A CPU-bound work that never sleeps holds back the work queued behind
 * it on its CPU: one report, after the threshold, naming both and who
 * queued them; no second report while the stall lasts; one stall
 * counted.
 */
static void stall_cpu_bound(struct kunit *test)
{
	int cpu = cmwq_first_other_cpu(raw_smp_processor_id());
	struct item *spinner = new_item(test, diag_spin_fn);
	struct item *pending = new_item(test, diag_count_fn);
	struct stall_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	struct cmwq_test_pool_stats before, after;
	struct cmwq_workqueue *wq;

	if (cpu < 0)
		kunit_skip(test, "needs two online CPUs");
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	wq = cmwq_kunit_alloc_wq(test, "diag_stall", 0, 0);
	KUNIT_ASSERT_NOT_NULL(test, wq);
	ctx->pool = cpu * 2;
	init_completion(&ctx->reported);
	cmwq_test_pool_stats(cpu, false, &before);
	stall_probes(test, ctx, true);
	cmwq_test_expect_reports(true);
	cmwq_test_set_watchdog_thresh(1);

	diag_queue_first(wq, cpu, spinner);
	KUNIT_ASSERT_COMPLETES(test, &spinner->started);
	diag_queue_second(wq, cpu, pending);
	KUNIT_EXPECT_COMPLETES(test, &ctx->reported);
	/* still stuck for two more watchdog periods: no second report */
	KUNIT_EXPECT_EQ(test, wait_for_completion_timeout(&pending->done, HZ),
			0UL);
	WRITE_ONCE(spinner->stop, true);
	KUNIT_EXPECT_COMPLETES(test, &pending->done);
	stall_probes(test, ctx, false);

	KUNIT_EXPECT_EQ(test, ctx->nr_stalls, 1);
	KUNIT_EXPECT_GE(test, ctx->stuck_ms, 1000U);
	KUNIT_EXPECT_EQ(test, ctx->nr_pending, 1);
	KUNIT_EXPECT_EQ(test, ctx->nr_busy, 1);
	/*
	 * No creation was tried for this stall: the report says what the
	 * pool's last one did, which a case of another suite run before
	 * (with creation failing on purpose) may have left failing.
	 */
	KUNIT_EXPECT_EQ(test, ctx->create_failing, before.create_failing);
	KUNIT_EXPECT_PTR_EQ(test, ctx->work_func, (void *)diag_count_fn);
	KUNIT_EXPECT_TRUE(test, cmwq_caller_is(ctx->work_caller, "diag_queue_second"));
	KUNIT_EXPECT_GE(test, ctx->pending_ms,
			CMWQ_WORK_ORIGIN ? 1000U : 0U);
	KUNIT_EXPECT_PTR_EQ(test, ctx->worker_func, (void *)diag_spin_fn);
	KUNIT_EXPECT_TRUE(test, cmwq_caller_is(ctx->worker_caller, "diag_queue_first"));
	KUNIT_EXPECT_GE(test, ctx->running_ms, 1000U);
	KUNIT_EXPECT_FALSE(test, ctx->sleeping);
	cmwq_test_pool_stats(cpu, false, &after);
	KUNIT_EXPECT_EQ(test, after.nr_stalls - before.nr_stalls, 1UL);
}

#define NR_BLOCKERS	32

/*
 * The blockers of a pool starved of workers: released by the case, or
 * by the exit hook whatever happened.
 */
struct starve {
	struct item	*blockers[NR_BLOCKERS];
	int		nr;		/* queued */
};

static void starve_release(struct starve *sv)
{
	int i;

	for (i = 0; i < NR_BLOCKERS; i++)
		complete_all(&sv->blockers[i]->go);
}

/*
 * Its last worker left idle for the work and manages instead, failing to
 * create another, while the others sleep in their works.
 */
static bool pool_starved(int cpu, unsigned long failed_before)
{
	struct cmwq_test_pool_stats st;

	cmwq_test_pool_stats(cpu, false, &st);
	return st.managing && !st.nr_idle && !st.nr_running &&
	       st.nr_pending == 1 && st.create_failing &&
	       st.nr_create_failed > failed_before;
}

/*
 * Every worker of a pool sleeping in a work but the one managing it, and
 * creation failing: a work queued there (on a queue without a rescuer)
 * waits for good.  One report, naming it and who queued it, with every
 * busy worker sleeping and creation failing; none more while the stall
 * lasts; the work runs once creation works again.
 */
static void stall_create_failing(struct kunit *test)
{
	int cpu = cpumask_last(cpu_online_mask);
	struct starve *sv = kunit_kzalloc(test, sizeof(*sv), GFP_KERNEL);
	struct stall_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	struct item *pending = new_item(test, diag_count_fn);
	struct cmwq_test_pool_stats before, st, after;
	struct cmwq_test_wq_stats ws;
	struct cmwq_workqueue *wq;
	int i;

	if (cmwq_test_fail_create_worker(false))
		kunit_skip(test, "no fault injection in this kernel");
	KUNIT_ASSERT_NOT_NULL(test, sv);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	for (i = 0; i < NR_BLOCKERS; i++)
		sv->blockers[i] = new_item(test, diag_block_fn);
	wq = cmwq_kunit_alloc_wq(test, "diag_starved", 0, 0);
	KUNIT_ASSERT_NOT_NULL(test, wq);
	cmwq_test_wq_stats(wq, &ws);
	KUNIT_ASSERT_NULL(test, ws.rescuer);
	test->priv = sv;
	ctx->pool = cpu * 2;
	init_completion(&ctx->reported);

	/*
	 * Creation still works: one busy worker at least, and the idle ones
	 * taken by blockers, one at a time, but the last.  A worker leaves
	 * idle for a blocker only while another stays idle, so none is
	 * created meanwhile; a manager reaping surplus ones is waited for.
	 */
	do {
		KUNIT_ASSERT_LT(test, sv->nr, NR_BLOCKERS);
		diag_queue_first(wq, cpu, sv->blockers[sv->nr]);
		KUNIT_ASSERT_COMPLETES(test, &sv->blockers[sv->nr++]->started);
		KUNIT_ASSERT_TRUE(test,
				  cmwq_poll((cmwq_test_pool_stats(cpu, false, &st),
					     !st.managing), CMWQ_KUNIT_TIMEOUT));
	} while (st.nr_idle > 1);
	KUNIT_ASSERT_EQ(test, st.nr_idle, 1);

	/* no assertion once the probes are on: they must come off */
	KUNIT_ASSERT_EQ(test, cmwq_test_fail_create_worker(true), 0);
	cmwq_test_pool_stats(cpu, false, &before);
	stall_probes(test, ctx, true);
	cmwq_test_expect_reports(true);
	cmwq_test_set_watchdog_thresh(1);

	/* the last idle worker wakes for it and manages, failing, instead */
	diag_queue_second(wq, cpu, pending);
	KUNIT_EXPECT_TRUE(test, cmwq_poll(pool_starved(cpu,
						       before.nr_create_failed),
					  CMWQ_KUNIT_TIMEOUT));
	KUNIT_EXPECT_COMPLETES(test, &ctx->reported);
	/* still stuck for two more watchdog periods: no second report */
	KUNIT_EXPECT_EQ(test, wait_for_completion_timeout(&pending->done, HZ),
			0UL);
	/* the manager's next try, a second later at most, succeeds */
	cmwq_test_fail_create_worker(false);
	KUNIT_EXPECT_COMPLETES(test, &pending->done);
	starve_release(sv);
	for (i = 0; i < sv->nr; i++)
		KUNIT_EXPECT_COMPLETES(test, &sv->blockers[i]->done);
	stall_probes(test, ctx, false);

	KUNIT_EXPECT_EQ(test, ctx->nr_stalls, 1);
	KUNIT_EXPECT_GE(test, ctx->stuck_ms, 1000U);
	KUNIT_EXPECT_EQ(test, ctx->nr_pending, 1);
	KUNIT_EXPECT_EQ(test, ctx->nr_busy, sv->nr);
	KUNIT_EXPECT_TRUE(test, ctx->create_failing);
	KUNIT_EXPECT_PTR_EQ(test, ctx->work_func, (void *)diag_count_fn);
	KUNIT_EXPECT_TRUE(test, cmwq_caller_is(ctx->work_caller, "diag_queue_second"));
	KUNIT_EXPECT_GE(test, ctx->pending_ms,
			CMWQ_WORK_ORIGIN ? 1000U : 0U);
	KUNIT_EXPECT_PTR_EQ(test, ctx->worker_func, (void *)diag_block_fn);
	KUNIT_EXPECT_TRUE(test, cmwq_caller_is(ctx->worker_caller, "diag_queue_first"));
	KUNIT_EXPECT_EQ(test, ctx->nr_workers_shown, sv->nr);
	KUNIT_EXPECT_EQ(test, ctx->nr_sleeping, sv->nr);
	cmwq_test_pool_stats(cpu, false, &after);
	KUNIT_EXPECT_EQ(test, after.nr_stalls - before.nr_stalls, 1UL);
}

#define NR_BUSY		40
#define BUSY_MS		50

/* Stays on its CPU, never sleeping, for BUSY_MS. */
static void diag_busy_fn(struct cmwq_work *work)
{
	unsigned long end = jiffies + msecs_to_jiffies(BUSY_MS);

	while (time_before(jiffies, end))
		cpu_relax();
	complete(&work_item(work)->done);
}

/*
 * Works that keep the worklist busy for twice the threshold, one
 * starting every BUSY_MS: the pool progresses, so no stall.
 */
static void no_stall_while_progressing(struct kunit *test)
{
	int cpu = cmwq_first_other_cpu(raw_smp_processor_id());
	struct stall_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	struct item *busy[NR_BUSY];
	struct cmwq_workqueue *wq;
	int i;

	if (cpu < 0)
		kunit_skip(test, "needs two online CPUs");
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	for (i = 0; i < NR_BUSY; i++)
		busy[i] = new_item(test, diag_busy_fn);
	wq = cmwq_kunit_alloc_wq(test, "diag_busy", 0, 0);
	KUNIT_ASSERT_NOT_NULL(test, wq);
	ctx->pool = cpu * 2;
	init_completion(&ctx->reported);
	stall_probes(test, ctx, true);
	cmwq_test_expect_reports(true);
	cmwq_test_set_watchdog_thresh(1);

	for (i = 0; i < NR_BUSY; i++)
		diag_queue_first(wq, cpu, busy[i]);
	for (i = 0; i < NR_BUSY; i++)
		KUNIT_EXPECT_COMPLETES(test, &busy[i]->done);
	stall_probes(test, ctx, false);
	KUNIT_EXPECT_EQ(test, ctx->nr_stalls, 0);
}

/*
 * The hogs debugfs' "cpu_hogs" counts for the function named @name: 0 if
 * it is not in the table.  Its lines are "<hogs> <function> [module]".
 */
static unsigned long table_hogs(struct kunit *test, char *buf,
				const char *name)
{
	unsigned long hogs;
	char *line, *next;
	int at;

	KUNIT_ASSERT_TRUE(test, cmwq_test_show_cpu_hogs(buf, DUMP_SIZE));
	KUNIT_ASSERT_TRUE_MSG(test, str_has_prefix(buf, "hogs function\n"),
			      "%s", buf);
	for (line = buf; *line; line = next) {
		next = strchrnul(line, '\n');
		if (*next)
			*next++ = '\0';
		if (sscanf(line, "%lu %n", &hogs, &at) == 1 &&
		    str_has_prefix(line + at, name) &&
		    (line[at + strlen(name)] == ' ' || !line[at + strlen(name)]))
			return hogs;
	}
	return 0;
}

/* What the hog probe recorded for one queue. */
struct hog_ctx {
	struct cmwq_workqueue	*wq;
	int			nr_hogs;
	void			*func;
	unsigned long		caller;
	u64			runtime;
};

static void probe_hog(void *data, struct worker_pool *pool,
		      struct worker *worker, u64 runtime)
{
	struct hog_ctx *ctx = data;

	if (worker->current_cwq->wq != ctx->wq || ctx->nr_hogs++)
		return;
	ctx->func = worker->current_func;
	ctx->caller = worker->current_queued_by;
	ctx->runtime = runtime;
}

/*
 * A work spinning without sleeping and a short one queued behind it on
 * the same CPU: after about the threshold (10 ms) the spinner leaves
 * concurrency management, so the short one runs while it still spins;
 * the hog is reported once, named with who queued it, and counted: in
 * its queue's statistics, and by function in debugfs' "cpu_hogs".
 */
static void cpu_hog_leaves_concurrency(struct kunit *test)
{
	int cpu = cmwq_first_other_cpu(raw_smp_processor_id());
	struct item *spinner = new_item(test, diag_spin_fn);
	struct item *behind = new_item(test, diag_count_fn);
	struct hog_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	char *table = kunit_kzalloc(test, DUMP_SIZE, GFP_KERNEL);
	struct cmwq_stats_snapshot s;
	struct cmwq_workqueue *wq;
	unsigned long hogs_before;
	u64 queued, waited;

	if (cpu < 0)
		kunit_skip(test, "needs two online CPUs");
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	KUNIT_ASSERT_NOT_NULL(test, table);
	/* the table lasts as long as cmwq.ko: this suite may have run before */
	hogs_before = table_hogs(test, table, "diag_spin_fn");
	wq = cmwq_kunit_alloc_wq(test, "diag_hog", 0, 0);
	KUNIT_ASSERT_NOT_NULL(test, wq);
	ctx->wq = wq;
	KUNIT_ASSERT_EQ(test, register_trace_cmwq_cpu_hog(probe_hog, ctx), 0);
	cmwq_test_expect_reports(true);
	cmwq_test_set_hog_thresh(10000);

	diag_queue_first(wq, cpu, spinner);
	KUNIT_EXPECT_COMPLETES(test, &spinner->started);
	queued = ktime_get_ns();
	diag_queue_second(wq, cpu, behind);
	KUNIT_EXPECT_COMPLETES(test, &behind->done);
	waited = ktime_get_ns() - queued;
	/* it ran while the spinner still spun, well before its deadline */
	KUNIT_EXPECT_FALSE(test, completion_done(&spinner->done));
	KUNIT_EXPECT_LT(test, waited, (u64)NSEC_PER_SEC);
	WRITE_ONCE(spinner->stop, true);
	KUNIT_EXPECT_COMPLETES(test, &spinner->done);
	unregister_trace_cmwq_cpu_hog(probe_hog, ctx);
	tracepoint_synchronize_unregister();

	KUNIT_EXPECT_EQ(test, ctx->nr_hogs, 1);
	KUNIT_EXPECT_PTR_EQ(test, ctx->func, (void *)diag_spin_fn);
	KUNIT_EXPECT_TRUE(test, cmwq_caller_is(ctx->caller, "diag_queue_first"));
	KUNIT_EXPECT_GE(test, ctx->runtime, 10ULL * NSEC_PER_MSEC);
	cmwq_test_queue_stats(wq, &s);
	KUNIT_EXPECT_EQ(test, s.cpu_hogs, 1ULL);
	KUNIT_EXPECT_EQ(test, table_hogs(test, table, "diag_spin_fn"),
			hogs_before + 1);
	kunit_info(test, "the short work waited %llu us behind the hog",
		   div_u64(waited, NSEC_PER_USEC));
}

static void version_in_modinfo_and_debugfs(struct kunit *test)
{
	char buf[64];

	KUNIT_ASSERT_EQ(test, cmwq_kunit_read_text("/sys/module/cmwq/version",
						   buf, sizeof(buf)), 0);
	KUNIT_EXPECT_STREQ(test, buf, CMWQ_VERSION);
	KUNIT_ASSERT_EQ(test, cmwq_kunit_read_text("/sys/kernel/debug/cmwq/version",
						   buf, sizeof(buf)), 0);
	KUNIT_EXPECT_STREQ(test, buf, CMWQ_VERSION);
}

static struct kunit_case cmwq_diag_cases[] = {
	KUNIT_CASE(who_queued_running_and_inactive),
	KUNIT_CASE(who_queued_pending),
	KUNIT_CASE(who_queued_delayed),
	KUNIT_CASE(stall_cpu_bound),
	KUNIT_CASE(stall_create_failing),
	KUNIT_CASE(no_stall_while_progressing),
	KUNIT_CASE(cpu_hog_leaves_concurrency),
	KUNIT_CASE(version_in_modinfo_and_debugfs),
	{}
};

static unsigned int saved_thresh, saved_hog_thresh;

/*
 * The watchdog and the CPU-hog detection off unless a case sets them: no
 * report by surprise, and a spinning work holds back its CPU's others.
 */
static int cmwq_diag_init(struct kunit *test)
{
	test->priv = NULL;
	saved_thresh = cmwq_test_set_watchdog_thresh(0);
	saved_hog_thresh = cmwq_test_set_hog_thresh(0);
	return 0;
}

/* Whatever happened in the case: creation on, the blockers released. */
static void cmwq_diag_exit(struct kunit *test)
{
	cmwq_test_fail_create_worker(false);
	if (test->priv)
		starve_release(test->priv);
	cmwq_test_set_watchdog_thresh(saved_thresh);
	cmwq_test_set_hog_thresh(saved_hog_thresh);
	cmwq_test_expect_reports(false);
}

static struct kunit_suite cmwq_diag_suite = {
	.name = "cmwq_diag",
	.init = cmwq_diag_init,
	.exit = cmwq_diag_exit,
	.test_cases = cmwq_diag_cases,
};

kunit_test_suites(&cmwq_diag_suite);

MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_DESCRIPTION("KUnit tests of what cmwq reports about its works");
