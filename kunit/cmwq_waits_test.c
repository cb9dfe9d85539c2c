// SPDX-License-Identifier: GPL-2.0
/*
 * cmwq_waits_test.c - KUnit: flushes that say what they wait for
 *
 * Timed flushes: each *_timeout() call is made while what it waits for
 * is held (a work blocked on a completion, a work held back behind it by
 * max_active 1), must return -ETIMEDOUT, and its report is checked
 * through the cmwq_flush_blocked and cmwq_blocked_work events: which
 * call, that it timed out, and each work's function, state, worker and
 * who queued it.  Then the hold is released and the same call succeeds.
 * A queue flush that timed out leaves its color for the next flush to
 * wait for: a second timed flush must time out too.
 *
 * Plain flushes report once after flush_report_secs (set to one second)
 * and keep waiting: the blocked work ends by itself after two.
 *
 * Wait cycles: works made to flush each other (directly, through a queue
 * flush, on an ordered queue, on a queue at max_active) with timed
 * flushes, so that each wait ends; the cmwq_wait_cycle* events must name
 * the cycle, and waits that end (a work running elsewhere, a slot of
 * max_active that a running work will free) must not be reported.  On a
 * lockdep kernel the cycles lockdep sees too are skipped: its report
 * would fail the run, and runner cases show it instead.
 *
 * Every report is announced (cmwq_test_expect_reports()); the exit hook
 * withdraws the announcement and restores the thresholds.
 */
#include <kunit/test.h>
#include <linux/kthread.h>
#include <linux/string.h>

#include "cmwq_kunit.h"
#include "trace.h"

#define NR_SEEN		8

/* What the probes saw: the last flush report, and the cycle reports. */
struct seen {
	raw_spinlock_t	lock;
	int		nr_flush;
	char		what[48];
	bool		timed_out;
	unsigned int	waited_ms;
	void		*func;
	int		nr_works;
	struct {
		void		*func;
		char		wq[32];
		char		state[12];
		pid_t		pid;
		unsigned long	caller;
		int		cpu;
	} works[NR_SEEN];
	int		nr_cycles;
	struct task_struct *reporter;	/* of the cycle kept */
	int		length;
	bool		behind;
	int		nr_cycle_workers;
	struct {
		void	*func;
		char	wq[32];
		void	*waits_func;
		char	waits_wq[32];
	} cw[NR_SEEN];
};

static void probe_flush(void *data, const struct cmwq_flush_wait *fw,
			unsigned int waited_ms, bool timed_out)
{
	struct seen *s = data;
	unsigned long flags;

	raw_spin_lock_irqsave(&s->lock, flags);
	s->nr_flush++;
	strscpy(s->what, fw->what, sizeof(s->what));
	s->timed_out = timed_out;
	s->waited_ms = waited_ms;
	s->func = fw->func;
	s->nr_works = 0;
	raw_spin_unlock_irqrestore(&s->lock, flags);
}

static void probe_work(void *data, struct worker_pool *pool, cmwq_func_t func,
		       const char *wq_name, unsigned long caller,
		       const char *state, pid_t pid, unsigned int ms,
		       bool sleeping)
{
	struct seen *s = data;
	unsigned long flags;
	int i;

	raw_spin_lock_irqsave(&s->lock, flags);
	if (s->nr_works < NR_SEEN) {
		i = s->nr_works++;
		s->works[i].func = func;
		strscpy(s->works[i].wq, wq_name, sizeof(s->works[i].wq));
		strscpy(s->works[i].state, state, sizeof(s->works[i].state));
		s->works[i].pid = pid;
		s->works[i].caller = caller;
		s->works[i].cpu = pool->gcwq->cpu;
	}
	raw_spin_unlock_irqrestore(&s->lock, flags);
}

static void probe_cycle(void *data, unsigned long caller, int length,
			bool behind)
{
	struct seen *s = data;
	unsigned long flags;

	raw_spin_lock_irqsave(&s->lock, flags);
	/* the first cycle reported is the one kept */
	if (!s->nr_cycles++) {
		s->reporter = current;
		s->length = length;
		s->behind = behind;
	}
	raw_spin_unlock_irqrestore(&s->lock, flags);
}

static void probe_cycle_worker(void *data, pid_t pid, cmwq_func_t func,
			       const char *wq_name, cmwq_func_t waits_func,
			       const char *waits_wq)
{
	struct seen *s = data;
	unsigned long flags;
	int i;

	raw_spin_lock_irqsave(&s->lock, flags);
	/*
	 * Its workers come from the task reporting it, which another task
	 * finding the same cycle at once may interleave with.
	 */
	if (s->reporter == current && s->nr_cycle_workers < NR_SEEN) {
		i = s->nr_cycle_workers++;
		s->cw[i].func = func;
		strscpy(s->cw[i].wq, wq_name, sizeof(s->cw[i].wq));
		s->cw[i].waits_func = waits_func;
		strscpy(s->cw[i].waits_wq, waits_wq, sizeof(s->cw[i].waits_wq));
	}
	raw_spin_unlock_irqrestore(&s->lock, flags);
}

static struct seen *watch(struct kunit *test)
{
	struct seen *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, s);
	raw_spin_lock_init(&s->lock);
	KUNIT_ASSERT_EQ(test, register_trace_cmwq_flush_blocked(probe_flush, s), 0);
	KUNIT_ASSERT_EQ(test, register_trace_cmwq_blocked_work(probe_work, s), 0);
	KUNIT_ASSERT_EQ(test, register_trace_cmwq_wait_cycle(probe_cycle, s), 0);
	KUNIT_ASSERT_EQ(test,
			register_trace_cmwq_wait_cycle_worker(probe_cycle_worker, s),
			0);
	test->priv = s;
	cmwq_test_expect_reports(true);
	return s;
}

/* Also from the exit hook, for a case that failed before it did. */
static void unwatch(struct kunit *test)
{
	struct seen *s = test->priv;

	if (!s)
		return;
	test->priv = NULL;
	unregister_trace_cmwq_wait_cycle_worker(probe_cycle_worker, s);
	unregister_trace_cmwq_wait_cycle(probe_cycle, s);
	unregister_trace_cmwq_blocked_work(probe_work, s);
	unregister_trace_cmwq_flush_blocked(probe_flush, s);
	tracepoint_synchronize_unregister();
}

struct item {
	struct cmwq_delayed_work dwork;
	struct completion	started;
	struct completion	go;
	struct completion	done;
	struct item		*peer;		/* the work it flushes */
	struct item		*other;		/* started before it flushes */
	bool			gated;		/* waits for ->go first */
	struct cmwq_workqueue	*peer_wq;	/* or the queue it flushes */
	unsigned long		timeout;
	int			ret;		/* what its flush returned */
};

static struct item *work_item(struct cmwq_work *work)
{
	return container_of(work, struct item, dwork.work);
}

static void count_fn(struct cmwq_work *work)
{
	complete(&work_item(work)->done);
}

/* Sleeps until told to go (bounded). */
static void block_fn(struct cmwq_work *work)
{
	struct item *it = work_item(work);

	complete(&it->started);
	wait_for_completion_timeout(&it->go, CMWQ_KUNIT_TIMEOUT);
	complete(&it->done);
}

/* Sleeps two seconds, or until told to go. */
static void block_2s_fn(struct cmwq_work *work)
{
	struct item *it = work_item(work);

	complete(&it->started);
	wait_for_completion_timeout(&it->go, 2 * HZ);
	complete(&it->done);
}

/* Once ->other runs, flushes ->peer's work or ->peer_wq, for a while. */
static void flusher_fn(struct cmwq_work *work)
{
	struct item *it = work_item(work);

	complete(&it->started);
	if (it->other)
		wait_for_completion_timeout(&it->other->started,
					    CMWQ_KUNIT_TIMEOUT);
	if (it->gated)
		wait_for_completion_timeout(&it->go, CMWQ_KUNIT_TIMEOUT);
	if (it->peer)
		it->ret = cmwq_flush_work_timeout(&it->peer->dwork.work,
						  it->timeout);
	else
		it->ret = cmwq_flush_workqueue_timeout(it->peer_wq,
						       it->timeout);
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
	it->timeout = 2 * HZ;
	return it;
}

/*
 * The queueing function every report must name; noinline, not a tail
 * call.  One CPU for all, so that max_active, which counts per CPU,
 * holds works back behind each other.
 */
static noinline void waits_queue(struct cmwq_workqueue *wq, struct item *it)
{
	cmwq_queue_work_on(cpumask_first(cpu_online_mask), wq,
			   &it->dwork.work);
	barrier();
}

/* The seen work whose function is @fn, or NULL. */
static int seen_work(struct seen *s, void *fn)
{
	int i;

	for (i = 0; i < s->nr_works; i++)
		if (s->works[i].func == fn)
			return i;
	return -1;
}

/*
 * A running work: the timed flush gives up and reports it running, on a
 * worker, queued by waits_queue(); once released, the flush succeeds.
 */
static void flush_work_timeout_running(struct kunit *test)
{
	struct item *blocker = new_item(test, block_fn);
	struct cmwq_workqueue *wq = cmwq_kunit_alloc_wq(test, "waits_run", 0, 0);
	struct seen *s = watch(test);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, wq);
	waits_queue(wq, blocker);
	KUNIT_ASSERT_COMPLETES(test, &blocker->started);

	KUNIT_EXPECT_EQ(test, cmwq_flush_work_timeout(&blocker->dwork.work,
						      HZ / 2), -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, s->nr_flush, 1);
	KUNIT_EXPECT_STREQ(test, s->what, "cmwq_flush_work_timeout");
	KUNIT_EXPECT_TRUE(test, s->timed_out);
	KUNIT_EXPECT_GE(test, s->waited_ms, 500U);
	KUNIT_EXPECT_PTR_EQ(test, s->func, (void *)block_fn);
	KUNIT_EXPECT_EQ(test, s->nr_works, 1);
	i = seen_work(s, block_fn);
	KUNIT_ASSERT_GE(test, i, 0);
	KUNIT_EXPECT_STREQ(test, s->works[i].state, "running");
	KUNIT_EXPECT_STREQ(test, s->works[i].wq, "waits_run");
	KUNIT_EXPECT_GT(test, s->works[i].pid, 0);
	KUNIT_EXPECT_TRUE(test, cmwq_caller_is(s->works[i].caller, "waits_queue"));

	complete(&blocker->go);
	KUNIT_EXPECT_GE(test, cmwq_flush_work_timeout(&blocker->dwork.work,
						      CMWQ_KUNIT_TIMEOUT), 0);
	KUNIT_EXPECT_TRUE(test, completion_done(&blocker->done));
	/* idle: nothing to wait for */
	KUNIT_EXPECT_EQ(test, cmwq_flush_work_timeout(&blocker->dwork.work,
						      HZ), 0);
	unwatch(test);
	KUNIT_EXPECT_EQ(test, s->nr_flush, 1);
}

/* A work held back by max_active: reported inactive, run once released. */
static void flush_work_timeout_inactive(struct kunit *test)
{
	struct item *blocker = new_item(test, block_fn);
	struct item *held = new_item(test, count_fn);
	struct cmwq_workqueue *wq = cmwq_kunit_alloc_wq(test, "waits_inact", 0, 1);
	struct seen *s = watch(test);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, wq);
	waits_queue(wq, blocker);
	KUNIT_ASSERT_COMPLETES(test, &blocker->started);
	waits_queue(wq, held);

	KUNIT_EXPECT_EQ(test, cmwq_flush_work_timeout(&held->dwork.work,
						      HZ / 2), -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, s->nr_flush, 1);
	KUNIT_EXPECT_PTR_EQ(test, s->func, (void *)count_fn);
	i = seen_work(s, count_fn);
	KUNIT_ASSERT_GE(test, i, 0);
	KUNIT_EXPECT_STREQ(test, s->works[i].state, "inactive");
	KUNIT_EXPECT_EQ(test, s->works[i].pid, 0);
	KUNIT_EXPECT_TRUE(test, cmwq_caller_is(s->works[i].caller, "waits_queue"));
	KUNIT_EXPECT_FALSE(test, completion_done(&held->done));

	complete(&blocker->go);
	KUNIT_EXPECT_GE(test, cmwq_flush_work_timeout(&held->dwork.work,
						      CMWQ_KUNIT_TIMEOUT), 0);
	KUNIT_EXPECT_TRUE(test, completion_done(&held->done));
	unwatch(test);
}

/* A delayed work far in the future runs now; the flush gives up on it. */
static void flush_delayed_work_timeout_runs_it(struct kunit *test)
{
	struct item *it = new_item(test, block_fn);
	struct cmwq_workqueue *wq = cmwq_kunit_alloc_wq(test, "waits_dly", 0, 0);
	struct seen *s = watch(test);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, wq);
	KUNIT_ASSERT_TRUE(test, cmwq_queue_delayed_work(wq, &it->dwork,
							3600 * HZ));
	KUNIT_EXPECT_EQ(test, cmwq_flush_delayed_work_timeout(&it->dwork,
							      HZ / 2),
			-ETIMEDOUT);
	KUNIT_EXPECT_TRUE(test, completion_done(&it->started));
	KUNIT_EXPECT_STREQ(test, s->what, "cmwq_flush_delayed_work_timeout");
	i = seen_work(s, block_fn);
	KUNIT_ASSERT_GE(test, i, 0);
	KUNIT_EXPECT_STREQ(test, s->works[i].state, "running");

	complete(&it->go);
	KUNIT_EXPECT_GE(test, cmwq_flush_delayed_work_timeout(&it->dwork,
							      CMWQ_KUNIT_TIMEOUT),
			0);
	KUNIT_EXPECT_TRUE(test, completion_done(&it->done));
	unwatch(test);
}

/*
 * A queue flush that times out reports every work of the color it
 * flushes, and leaves that color for the next flush, which times out
 * too while the works are held.
 */
static void flush_workqueue_timeout_keeps_color(struct kunit *test)
{
	struct item *blocker = new_item(test, block_fn);
	struct item *held = new_item(test, count_fn);
	struct cmwq_workqueue *wq = cmwq_kunit_alloc_wq(test, "waits_wq", 0, 1);
	struct seen *s = watch(test);
	int run, inact;

	KUNIT_ASSERT_NOT_NULL(test, wq);
	waits_queue(wq, blocker);
	KUNIT_ASSERT_COMPLETES(test, &blocker->started);
	waits_queue(wq, held);

	KUNIT_EXPECT_EQ(test, cmwq_flush_workqueue_timeout(wq, HZ / 2),
			-ETIMEDOUT);
	KUNIT_EXPECT_STREQ(test, s->what, "cmwq_flush_workqueue_timeout");
	KUNIT_EXPECT_TRUE(test, s->timed_out);
	KUNIT_EXPECT_EQ(test, s->nr_works, 2);
	run = seen_work(s, block_fn);
	inact = seen_work(s, count_fn);
	KUNIT_ASSERT_GE(test, run, 0);
	KUNIT_ASSERT_GE(test, inact, 0);
	KUNIT_EXPECT_STREQ(test, s->works[run].state, "running");
	KUNIT_EXPECT_STREQ(test, s->works[inact].state, "inactive");
	KUNIT_EXPECT_STREQ(test, s->works[inact].wq, "waits_wq");

	/* nothing new was queued: the next flush still waits for them */
	KUNIT_EXPECT_EQ(test, cmwq_flush_workqueue_timeout(wq, HZ / 4),
			-ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, s->nr_flush, 2);

	complete(&blocker->go);
	KUNIT_EXPECT_EQ(test, cmwq_flush_workqueue_timeout(wq,
							   CMWQ_KUNIT_TIMEOUT),
			0);
	KUNIT_EXPECT_TRUE(test, completion_done(&blocker->done));
	KUNIT_EXPECT_TRUE(test, completion_done(&held->done));
	unwatch(test);
}

struct plain_flusher {
	struct item		*it;
	struct completion	done;
};

static int plain_flusher_fn(void *arg)
{
	struct plain_flusher *f = arg;

	cmwq_flush_work(&f->it->dwork.work);
	complete_all(&f->done);
	return 0;
}

/*
 * With the reports of plain flushes off (flush_report_secs 0, as this
 * suite runs), a plain flush still waits, as long as it takes.
 */
static void plain_flush_waits_unreported(struct kunit *test)
{
	struct item *blocker = new_item(test, block_fn);
	struct cmwq_workqueue *wq = cmwq_kunit_alloc_wq(test, "waits_quiet",
							0, 0);
	struct task_struct *task;
	struct plain_flusher *f;

	f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, wq && f);
	f->it = blocker;
	init_completion(&f->done);
	waits_queue(wq, blocker);
	KUNIT_ASSERT_COMPLETES(test, &blocker->started);

	task = kthread_run(plain_flusher_fn, f, "cmwq_waits_plain");
	if (IS_ERR(task)) {
		complete(&blocker->go);
		KUNIT_FAIL(test, "no thread: %ld", PTR_ERR(task));
		return;
	}
	KUNIT_EXPECT_FALSE(test, wait_for_completion_timeout(&f->done,
							     HZ / 4));
	complete(&blocker->go);
	KUNIT_EXPECT_COMPLETES(test, &f->done);
	KUNIT_EXPECT_TRUE(test, completion_done(&blocker->done));
}

#define NR_BATCHED	3

struct queue_flusher {
	struct cmwq_workqueue	*wq;
	unsigned long		timeout;	/* 0: an untimed flush */
	bool			drain;		/* a plain drain instead */
	int			ret;
	struct completion	done;
};

static int queue_flusher_fn(void *arg)
{
	struct queue_flusher *f = arg;

	if (f->drain)
		cmwq_drain_workqueue(f->wq);
	else if (f->timeout)
		f->ret = cmwq_flush_workqueue_timeout(f->wq, f->timeout);
	else
		cmwq_flush_workqueue(f->wq);
	complete_all(&f->done);
	return 0;
}

static int nr_flush_waiters(struct cmwq_workqueue *wq)
{
	int waiting;

	cmwq_test_flush_colors(wq, &waiting);
	return waiting;
}

static void start_queue_flusher(struct kunit *test, struct queue_flusher *f,
				struct cmwq_workqueue *wq,
				unsigned long timeout)
{
	struct task_struct *task;

	f->wq = wq;
	f->timeout = timeout;
	init_completion(&f->done);
	task = kthread_run(queue_flusher_fn, f, "cmwq_waits_fl");
	if (IS_ERR(task)) {
		complete_all(&f->done);
		KUNIT_FAIL(test, "no thread: %ld", PTR_ERR(task));
	}
}

/*
 * A timed flush that gives up while other flushers wait with it leaves
 * its color to them: they arrived with nothing queued since it closed
 * that color, so they share it, go on waiting when it gives up, and none
 * returns before the works are done.
 */
static void timed_flush_leaves_color_to_batch(struct kunit *test)
{
	struct item *blocker = new_item(test, block_fn);
	struct cmwq_workqueue *wq = cmwq_kunit_alloc_wq(test, "waits_batch",
							0, 0);
	struct queue_flusher *timed, *f;
	unsigned long colors;
	int i, waiting;

	timed = kunit_kzalloc(test, sizeof(*timed), GFP_KERNEL);
	f = kunit_kcalloc(test, NR_BATCHED, sizeof(*f), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, wq && timed && f);
	watch(test);
	waits_queue(wq, blocker);
	KUNIT_ASSERT_COMPLETES(test, &blocker->started);
	colors = cmwq_test_flush_colors(wq, &waiting);

	start_queue_flusher(test, timed, wq, HZ / 2);
	KUNIT_EXPECT_TRUE(test,
			  cmwq_poll(cmwq_test_flush_colors(wq, &waiting) ==
				    colors + 1, CMWQ_KUNIT_TIMEOUT));
	for (i = 0; i < NR_BATCHED; i++)
		start_queue_flusher(test, &f[i], wq, 0);
	/* they wait with it, for its color */
	KUNIT_EXPECT_TRUE(test, cmwq_poll(nr_flush_waiters(wq) ==
					  NR_BATCHED + 1,
					  CMWQ_KUNIT_TIMEOUT));
	KUNIT_EXPECT_COMPLETES(test, &timed->done);
	KUNIT_EXPECT_EQ(test, timed->ret, -ETIMEDOUT);
	/* it left the list; they still wait for the color */
	KUNIT_EXPECT_TRUE(test,
			  cmwq_poll(nr_flush_waiters(wq) == NR_BATCHED,
				    CMWQ_KUNIT_TIMEOUT));
	for (i = 0; i < NR_BATCHED; i++)
		KUNIT_EXPECT_FALSE(test,
				   wait_for_completion_timeout(&f[i].done,
							       HZ / 10));

	complete(&blocker->go);
	for (i = 0; i < NR_BATCHED; i++)
		KUNIT_EXPECT_COMPLETES(test, &f[i].done);
	KUNIT_EXPECT_TRUE(test, completion_done(&blocker->done));
	KUNIT_EXPECT_EQ(test, cmwq_test_flush_colors(wq, &waiting),
			colors + 1);
	unwatch(test);
}

/*
 * Queue @it, a blocking work, on @wq and see it start, then start @f
 * flushing @wq: back once @f has closed the color of @it.
 */
static void flusher_behind(struct kunit *test, struct cmwq_workqueue *wq,
			   struct item *it, struct queue_flusher *f)
{
	unsigned long colors;
	int waiting;

	waits_queue(wq, it);
	KUNIT_ASSERT_COMPLETES(test, &it->started);
	colors = cmwq_test_flush_colors(wq, &waiting);
	start_queue_flusher(test, f, wq, 0);
	KUNIT_EXPECT_TRUE(test,
			  cmwq_poll(cmwq_test_flush_colors(wq, &waiting) ==
				    colors + 1, CMWQ_KUNIT_TIMEOUT));
}

/*
 * Flushers that share the color closed last take no mutex: arriving while
 * the mutex that closes colors is held (by a flusher closing the next
 * color; here by the test), they join the color at once, and are woken
 * with the flusher that closed it.
 */
static void sharing_flushers_take_no_mutex(struct kunit *test)
{
	struct item *blocker = new_item(test, block_fn);
	struct cmwq_workqueue *wq = cmwq_kunit_alloc_wq(test, "waits_share",
							0, 0);
	struct queue_flusher *f;
	int i;

	f = kunit_kcalloc(test, NR_BATCHED + 1, sizeof(*f), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, wq && f);
	flusher_behind(test, wq, blocker, &f[0]);
	cmwq_test_hold_flushers(wq, true);
	for (i = 1; i <= NR_BATCHED; i++)
		start_queue_flusher(test, &f[i], wq, 0);
	KUNIT_EXPECT_TRUE(test, cmwq_poll(nr_flush_waiters(wq) ==
					  NR_BATCHED + 1,
					  CMWQ_KUNIT_TIMEOUT));
	cmwq_test_hold_flushers(wq, false);
	for (i = 0; i <= NR_BATCHED; i++)
		KUNIT_EXPECT_FALSE(test, completion_done(&f[i].done));

	complete(&blocker->go);
	for (i = 0; i <= NR_BATCHED; i++)
		KUNIT_EXPECT_COMPLETES(test, &f[i].done);
	KUNIT_EXPECT_TRUE(test, completion_done(&blocker->done));
}

/*
 * A flush waits for what was queued before its call, not after: one that
 * arrives while another flushes returns with it, though a work queued
 * after its call still runs.
 */
static void flush_waits_not_for_later_works(struct kunit *test)
{
	struct item *first = new_item(test, block_fn);
	struct item *later = new_item(test, block_fn);
	struct cmwq_workqueue *wq = cmwq_kunit_alloc_wq(test, "waits_later",
							0, 0);
	struct queue_flusher *f;

	f = kunit_kcalloc(test, 2, sizeof(*f), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, wq && f);
	/* one closes the first work's color, the other shares it */
	flusher_behind(test, wq, first, &f[0]);
	start_queue_flusher(test, &f[1], wq, 0);
	KUNIT_EXPECT_TRUE(test, cmwq_poll(nr_flush_waiters(wq) == 2,
					  CMWQ_KUNIT_TIMEOUT));
	waits_queue(wq, later);
	KUNIT_EXPECT_COMPLETES(test, &later->started);

	complete(&first->go);
	KUNIT_EXPECT_COMPLETES(test, &f[0].done);
	KUNIT_EXPECT_TRUE(test, wait_for_completion_timeout(&f[1].done, HZ));
	KUNIT_EXPECT_FALSE(test, completion_done(&later->done));

	complete(&later->go);
	KUNIT_EXPECT_COMPLETES(test, &f[1].done);
	KUNIT_EXPECT_COMPLETES(test, &later->done);
}

/*
 * Colors are flushed in the order they were closed: a flusher whose own
 * color is drained still waits for an older one, which holds works that
 * were queued before its call too.
 */
static void flush_waits_for_older_colors(struct kunit *test)
{
	struct item *older = new_item(test, block_fn);
	struct item *newer = new_item(test, block_fn);
	struct cmwq_workqueue *wq = cmwq_kunit_alloc_wq(test, "waits_order",
							0, 0);
	struct queue_flusher *f;

	f = kunit_kcalloc(test, 2, sizeof(*f), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, wq && f);
	flusher_behind(test, wq, older, &f[0]);
	/* the second flusher closes a color of the newer work alone */
	flusher_behind(test, wq, newer, &f[1]);

	complete(&newer->go);
	KUNIT_EXPECT_COMPLETES(test, &newer->done);
	/* its color drained, the older one not: neither flush returns */
	KUNIT_EXPECT_FALSE(test, wait_for_completion_timeout(&f[1].done,
							     HZ / 5));
	KUNIT_EXPECT_FALSE(test, completion_done(&f[0].done));
	KUNIT_EXPECT_EQ(test, nr_flush_waiters(wq), 2);

	complete(&older->go);
	KUNIT_EXPECT_COMPLETES(test, &f[0].done);
	KUNIT_EXPECT_COMPLETES(test, &f[1].done);
	KUNIT_EXPECT_TRUE(test, completion_done(&older->done));
}

/*
 * The last work of a closed color leaves its cwq by being cancelled, not
 * by running: the cancel counts the color out, and the flush of it
 * returns once the older color it waits behind is flushed too.
 */
static void flush_color_left_by_cancel(struct kunit *test)
{
	struct item *older = new_item(test, block_fn);
	struct item *pending = new_item(test, count_fn);
	struct cmwq_workqueue *wq = cmwq_kunit_alloc_wq(test, "waits_cancel",
							0, 1);
	struct queue_flusher *f;
	unsigned long colors;
	int waiting;

	f = kunit_kcalloc(test, 2, sizeof(*f), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, wq && f);
	flusher_behind(test, wq, older, &f[0]);
	/* held back by max_active behind the older work, in a color alone */
	waits_queue(wq, pending);
	colors = cmwq_test_flush_colors(wq, &waiting);
	start_queue_flusher(test, &f[1], wq, 0);
	KUNIT_EXPECT_TRUE(test,
			  cmwq_poll(cmwq_test_flush_colors(wq, &waiting) ==
				    colors + 1 && waiting == 2,
				    CMWQ_KUNIT_TIMEOUT));

	KUNIT_EXPECT_TRUE(test, cmwq_cancel_work(&pending->dwork.work));
	/* its color is empty now, the older one is not: neither returns */
	KUNIT_EXPECT_FALSE(test, wait_for_completion_timeout(&f[1].done,
							     HZ / 5));
	KUNIT_EXPECT_FALSE(test, completion_done(&f[0].done));

	complete(&older->go);
	KUNIT_EXPECT_COMPLETES(test, &f[0].done);
	KUNIT_EXPECT_COMPLETES(test, &f[1].done);
	KUNIT_EXPECT_EQ(test, nr_flush_waiters(wq), 0);
	KUNIT_EXPECT_FALSE(test, completion_done(&pending->done));
}

#define NR_COLOR_FLUSHERS	20	/* more than the colors */

/*
 * More flushers than colors, each closing its own (a work was queued
 * since the last was closed) while the oldest color is held: once all
 * colors but the work color are closed, the next flusher waits for room
 * rather than reuse a color in use, and every flush returns, after its
 * works ran, once the oldest is let go.
 */
static void flushers_outnumber_colors(struct kunit *test)
{
	struct item *blocker = new_item(test, block_fn);
	struct cmwq_workqueue *wq = cmwq_kunit_alloc_wq(test, "waits_colors",
							0, 0);
	struct queue_flusher *f;
	unsigned long colors;
	struct item *it;
	int i, waiting;

	f = kunit_kcalloc(test, NR_COLOR_FLUSHERS, sizeof(*f), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, wq && f);
	waits_queue(wq, blocker);
	KUNIT_ASSERT_COMPLETES(test, &blocker->started);
	colors = cmwq_test_flush_colors(wq, &waiting);

	for (i = 0; i < NR_COLOR_FLUSHERS; i++) {
		/* a work in flight in the work color as the flusher arrives */
		it = new_item(test, block_fn);
		waits_queue(wq, it);
		KUNIT_ASSERT_COMPLETES(test, &it->started);
		start_queue_flusher(test, &f[i], wq, 0);
		/* one more flusher waits, with a color of its own if any */
		KUNIT_EXPECT_TRUE(test, cmwq_poll(nr_flush_waiters(wq) == i + 1,
						  CMWQ_KUNIT_TIMEOUT));
		complete(&it->go);
		KUNIT_EXPECT_COMPLETES(test, &it->done);
	}
	/* the work color is never closed over the oldest color's works */
	KUNIT_EXPECT_EQ(test, cmwq_test_flush_colors(wq, &waiting),
			colors + CMWQ_TEST_NR_COLORS - 1);

	complete(&blocker->go);
	for (i = 0; i < NR_COLOR_FLUSHERS; i++)
		KUNIT_EXPECT_COMPLETES(test, &f[i].done);
	KUNIT_EXPECT_TRUE(test, completion_done(&blocker->done));
	KUNIT_EXPECT_EQ(test, nr_flush_waiters(wq), 0);
}

/*
 * A drain that times out reports what is left and lets the queue take
 * works again; once released, the drain succeeds.
 */
static void drain_workqueue_timeout_reopens(struct kunit *test)
{
	struct item *blocker = new_item(test, block_fn);
	struct item *later = new_item(test, count_fn);
	struct cmwq_workqueue *wq = cmwq_kunit_alloc_wq(test, "waits_drain", 0, 0);
	struct seen *s = watch(test);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, wq);
	waits_queue(wq, blocker);
	KUNIT_ASSERT_COMPLETES(test, &blocker->started);

	KUNIT_EXPECT_EQ(test, cmwq_drain_workqueue_timeout(wq, HZ / 2),
			-ETIMEDOUT);
	KUNIT_EXPECT_STREQ(test, s->what, "cmwq_drain_workqueue_timeout");
	i = seen_work(s, block_fn);
	KUNIT_ASSERT_GE(test, i, 0);
	KUNIT_EXPECT_STREQ(test, s->works[i].state, "running");
	KUNIT_EXPECT_TRUE(test, cmwq_queue_work(wq, &later->dwork.work));

	complete(&blocker->go);
	KUNIT_EXPECT_EQ(test, cmwq_drain_workqueue_timeout(wq,
							   CMWQ_KUNIT_TIMEOUT),
			0);
	KUNIT_EXPECT_TRUE(test, completion_done(&later->done));
	unwatch(test);
}

/*
 * Plain waits (a work flush, a queue flush, a drain, a sync cancel of a
 * running work) report once, after flush_report_secs, and keep waiting
 * until the work ends (by itself, after two seconds).
 */
static void plain_flush_reports_and_waits(struct kunit *test)
{
	struct item *it = new_item(test, block_2s_fn);
	struct item *it2 = new_item(test, block_2s_fn);
	struct item *it3 = new_item(test, block_2s_fn);
	struct item *it4 = new_item(test, block_2s_fn);
	struct cmwq_workqueue *wq = cmwq_kunit_alloc_wq(test, "waits_plain", 0, 0);
	struct seen *s = watch(test);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, wq);
	cmwq_test_set_flush_report_secs(1);
	waits_queue(wq, it);
	KUNIT_ASSERT_COMPLETES(test, &it->started);
	KUNIT_EXPECT_TRUE(test, cmwq_flush_work(&it->dwork.work));
	KUNIT_EXPECT_TRUE(test, completion_done(&it->done));
	KUNIT_EXPECT_EQ(test, s->nr_flush, 1);
	KUNIT_EXPECT_STREQ(test, s->what, "cmwq_flush_work");
	KUNIT_EXPECT_FALSE(test, s->timed_out);
	KUNIT_EXPECT_GE(test, s->waited_ms, 1000U);
	i = seen_work(s, block_2s_fn);
	KUNIT_ASSERT_GE(test, i, 0);
	KUNIT_EXPECT_STREQ(test, s->works[i].state, "running");
	KUNIT_EXPECT_TRUE(test, cmwq_caller_is(s->works[i].caller, "waits_queue"));

	waits_queue(wq, it2);
	KUNIT_ASSERT_COMPLETES(test, &it2->started);
	cmwq_flush_workqueue(wq);
	KUNIT_EXPECT_TRUE(test, completion_done(&it2->done));
	KUNIT_EXPECT_EQ(test, s->nr_flush, 2);
	KUNIT_EXPECT_STREQ(test, s->what, "cmwq_flush_workqueue");
	KUNIT_EXPECT_FALSE(test, s->timed_out);
	KUNIT_EXPECT_EQ(test, s->nr_works, 1);

	waits_queue(wq, it3);
	KUNIT_ASSERT_COMPLETES(test, &it3->started);
	cmwq_drain_workqueue(wq);
	KUNIT_EXPECT_TRUE(test, completion_done(&it3->done));
	KUNIT_EXPECT_EQ(test, s->nr_flush, 3);
	KUNIT_EXPECT_STREQ(test, s->what, "cmwq_drain_workqueue");

	waits_queue(wq, it4);
	KUNIT_ASSERT_COMPLETES(test, &it4->started);
	KUNIT_EXPECT_FALSE(test, cmwq_cancel_work_sync(&it4->dwork.work));
	KUNIT_EXPECT_TRUE(test, completion_done(&it4->done));
	KUNIT_EXPECT_EQ(test, s->nr_flush, 4);
	KUNIT_EXPECT_STREQ(test, s->what, "cmwq_cancel_work_sync");
	unwatch(test);
}

/*
 * Plain flushes report after a second: @nr flushers for @wq, the first
 * started behind @blocker, a blocking work queued on it.
 */
static struct queue_flusher *reported_flusher_behind(struct kunit *test,
						     struct cmwq_workqueue *wq,
						     struct item *blocker,
						     int nr)
{
	struct queue_flusher *f = kunit_kcalloc(test, nr, sizeof(*f),
						GFP_KERNEL);

	KUNIT_ASSERT_TRUE(test, wq && f);
	cmwq_test_set_flush_report_secs(1);
	flusher_behind(test, wq, blocker, &f[0]);
	return f;
}

/*
 * One timer times the reports of a queue's plain flushes, for all of
 * them: four plain flushers held up together are reported, each once,
 * after flush_report_secs, and go on waiting.
 */
static void plain_flushers_all_reported(struct kunit *test)
{
	struct item *blocker = new_item(test, block_fn);
	struct cmwq_workqueue *wq = cmwq_kunit_alloc_wq(test, "waits_rep", 0,
							0);
	struct seen *s = watch(test);
	struct queue_flusher *f;
	int i;

	f = reported_flusher_behind(test, wq, blocker, NR_BATCHED + 1);
	for (i = 1; i <= NR_BATCHED; i++)
		start_queue_flusher(test, &f[i], wq, 0);
	KUNIT_EXPECT_TRUE(test, cmwq_poll(READ_ONCE(s->nr_flush) ==
					  NR_BATCHED + 1,
					  CMWQ_KUNIT_TIMEOUT));
	for (i = 0; i <= NR_BATCHED; i++)
		KUNIT_EXPECT_FALSE(test, completion_done(&f[i].done));
	KUNIT_EXPECT_STREQ(test, s->what, "cmwq_flush_workqueue");
	KUNIT_EXPECT_FALSE(test, s->timed_out);
	KUNIT_EXPECT_GE(test, s->waited_ms, 1000U);

	complete(&blocker->go);
	for (i = 0; i <= NR_BATCHED; i++)
		KUNIT_EXPECT_COMPLETES(test, &f[i].done);
	KUNIT_EXPECT_EQ(test, READ_ONCE(s->nr_flush), NR_BATCHED + 1);
	unwatch(test);
}

/*
 * A plain flush that arrives after every waiting one was reported is
 * reported in its turn: the report timer, left with nothing to time, is
 * armed again for it.
 */
static void late_flusher_reported(struct kunit *test)
{
	struct item *blocker = new_item(test, block_fn);
	struct cmwq_workqueue *wq = cmwq_kunit_alloc_wq(test, "waits_late", 0,
							0);
	struct seen *s = watch(test);
	struct queue_flusher *f;

	f = reported_flusher_behind(test, wq, blocker, 2);
	KUNIT_EXPECT_TRUE(test, cmwq_poll(READ_ONCE(s->nr_flush) == 1,
					  CMWQ_KUNIT_TIMEOUT));
	start_queue_flusher(test, &f[1], wq, 0);
	KUNIT_EXPECT_TRUE(test, cmwq_poll(READ_ONCE(s->nr_flush) == 2,
					  CMWQ_KUNIT_TIMEOUT));
	KUNIT_EXPECT_FALSE(test, completion_done(&f[1].done));

	complete(&blocker->go);
	KUNIT_EXPECT_COMPLETES(test, &f[0].done);
	KUNIT_EXPECT_COMPLETES(test, &f[1].done);
	unwatch(test);
}

/*
 * A flush that begins after flush_report_secs was lowered is reported
 * on its own time, not on that of the flushes already waiting: the
 * report timer, armed for a report a minute away, fires earlier for it.
 */
static void lowered_report_secs_apply_at_once(struct kunit *test)
{
	struct item *blocker = new_item(test, block_fn);
	struct cmwq_workqueue *wq = cmwq_kunit_alloc_wq(test, "waits_lower",
							0, 0);
	struct queue_flusher *f = kunit_kcalloc(test, 2, sizeof(*f),
						GFP_KERNEL);
	struct seen *s = watch(test);

	KUNIT_ASSERT_TRUE(test, wq && f);
	cmwq_test_set_flush_report_secs(60);
	flusher_behind(test, wq, blocker, &f[0]);
	cmwq_test_set_flush_report_secs(1);
	start_queue_flusher(test, &f[1], wq, 0);
	KUNIT_EXPECT_TRUE(test, cmwq_poll(READ_ONCE(s->nr_flush) == 1,
					  CMWQ_KUNIT_TIMEOUT));
	KUNIT_EXPECT_FALSE(test, completion_done(&f[1].done));

	complete(&blocker->go);
	KUNIT_EXPECT_COMPLETES(test, &f[0].done);
	KUNIT_EXPECT_COMPLETES(test, &f[1].done);
	/* the first one, not due, was not reported */
	KUNIT_EXPECT_EQ(test, READ_ONCE(s->nr_flush), 1);
	unwatch(test);
}

/*
 * The flushers of a busy queue come and go without arming a timer each:
 * the report timer keeps the expiry the first of them set, through the
 * others joining, all of them returning, and a later flush.
 */
static void report_timer_kept_by_flushers(struct kunit *test)
{
	struct item *first = new_item(test, block_fn);
	struct item *later = new_item(test, block_fn);
	struct cmwq_workqueue *wq = cmwq_kunit_alloc_wq(test, "waits_keep",
							0, 0);
	struct queue_flusher *f = kunit_kcalloc(test, NR_BATCHED + 2,
						sizeof(*f), GFP_KERNEL);
	unsigned long armed_for, expires;
	int i;

	KUNIT_ASSERT_TRUE(test, wq && f);
	cmwq_test_set_flush_report_secs(60);
	flusher_behind(test, wq, first, &f[0]);
	KUNIT_ASSERT_TRUE(test, cmwq_test_flush_report_timer(wq, &armed_for));
	for (i = 1; i <= NR_BATCHED; i++)
		start_queue_flusher(test, &f[i], wq, 0);
	KUNIT_EXPECT_TRUE(test, cmwq_poll(nr_flush_waiters(wq) ==
					  NR_BATCHED + 1,
					  CMWQ_KUNIT_TIMEOUT));
	KUNIT_EXPECT_TRUE(test, cmwq_test_flush_report_timer(wq, &expires));
	KUNIT_EXPECT_EQ(test, expires, armed_for);

	complete(&first->go);
	for (i = 0; i <= NR_BATCHED; i++)
		KUNIT_EXPECT_COMPLETES(test, &f[i].done);
	KUNIT_EXPECT_TRUE(test, cmwq_test_flush_report_timer(wq, &expires));
	KUNIT_EXPECT_EQ(test, expires, armed_for);

	flusher_behind(test, wq, later, &f[NR_BATCHED + 1]);
	KUNIT_EXPECT_TRUE(test, cmwq_test_flush_report_timer(wq, &expires));
	KUNIT_EXPECT_EQ(test, expires, armed_for);
	complete(&later->go);
	KUNIT_EXPECT_COMPLETES(test, &f[NR_BATCHED + 1].done);
}

/*
 * A queue destroyed with its report timer armed, by a flush that did
 * not wait long enough to be reported, stops the timer before the queue
 * is freed: a kernel that tracks timers (the debug kernel) reports one
 * freed while armed, and it would fire on freed memory.  The queue is
 * freed, not kept as debug kernels keep destroyed ones.
 */
static void destroy_stops_report_timer(struct kunit *test)
{
	struct item *blocker = new_item(test, block_fn);
	struct queue_flusher *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	struct cmwq_workqueue *wq = cmwq_kunit_alloc_wq(test, "waits_stop",
							0, 0);
	unsigned long expires;
	bool kept;

	KUNIT_ASSERT_TRUE(test, wq && f);
	cmwq_test_set_flush_report_secs(60);
	flusher_behind(test, wq, blocker, f);
	complete(&blocker->go);
	KUNIT_EXPECT_COMPLETES(test, &f->done);
	KUNIT_ASSERT_TRUE(test, cmwq_test_flush_report_timer(wq, &expires));

	kept = cmwq_test_keep_destroyed(false);
	cmwq_kunit_destroy_wq(test, wq);
	cmwq_test_keep_destroyed(kept);
	/* the grace period, and the release it queues where one is needed */
	rcu_barrier();
	cmwq_flush_workqueue(cmwq_system_unbound_wq);
}

/*
 * The first flusher, whose flush armed the report timer, leaves when its
 * color is flushed; the timer stays for the plain flush still waiting:
 * a drain behind a second work is reported all the same.
 */
static void report_outlives_first_flusher(struct kunit *test)
{
	struct item *first = new_item(test, block_fn);
	struct item *second = new_item(test, block_fn);
	struct cmwq_workqueue *wq = cmwq_kunit_alloc_wq(test, "waits_hand",
							0, 0);
	struct seen *s = watch(test);
	struct queue_flusher *f;

	/* the first flusher, which arms the report timer, waits for the first */
	f = reported_flusher_behind(test, wq, first, 2);
	waits_queue(wq, second);
	KUNIT_ASSERT_COMPLETES(test, &second->started);
	f[1].drain = true;
	start_queue_flusher(test, &f[1], wq, 0);
	KUNIT_EXPECT_TRUE(test, cmwq_poll(nr_flush_waiters(wq) == 2,
					  CMWQ_KUNIT_TIMEOUT));
	complete(&first->go);
	KUNIT_EXPECT_COMPLETES(test, &f[0].done);

	/* the drain, still waiting, is reported */
	KUNIT_EXPECT_TRUE(test,
			  cmwq_poll(!strcmp(s->what, "cmwq_drain_workqueue"),
				    CMWQ_KUNIT_TIMEOUT));
	KUNIT_EXPECT_FALSE(test, completion_done(&f[1].done));
	KUNIT_EXPECT_FALSE(test, s->timed_out);
	complete(&second->go);
	KUNIT_EXPECT_COMPLETES(test, &f[1].done);
	unwatch(test);
}

/* The timed calls refuse what the plain ones refuse, with -EINVAL. */
struct self_timed {
	struct cmwq_work	work;
	struct cmwq_workqueue	*wq;
	int			ret_work, ret_wq, ret_drain;
	struct completion	done;
};

static void self_timed_fn(struct cmwq_work *work)
{
	struct self_timed *st = container_of(work, struct self_timed, work);

	cmwq_test_expect_refusals(3);
	st->ret_work = cmwq_flush_work_timeout(work, HZ);
	st->ret_wq = cmwq_flush_workqueue_timeout(st->wq, HZ);
	st->ret_drain = cmwq_drain_workqueue_timeout(st->wq, HZ);
	cmwq_test_expect_refusals(0);
	complete(&st->done);
}

static void timed_flush_refusals(struct kunit *test)
{
	struct self_timed *st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);
	int before;

	KUNIT_ASSERT_NOT_NULL(test, st);
	st->wq = cmwq_kunit_alloc_wq(test, "waits_self", 0, 0);
	KUNIT_ASSERT_NOT_NULL(test, st->wq);
	init_completion(&st->done);
	CMWQ_INIT_WORK(&st->work, self_timed_fn);

	before = cmwq_test_nr_refusals();
	cmwq_test_expect_refusals(4);
	KUNIT_EXPECT_EQ(test, cmwq_flush_work_timeout(NULL, HZ), -EINVAL);
	KUNIT_EXPECT_EQ(test, cmwq_flush_delayed_work_timeout(NULL, HZ),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, cmwq_flush_workqueue_timeout(NULL, HZ), -EINVAL);
	KUNIT_EXPECT_EQ(test, cmwq_drain_workqueue_timeout(NULL, HZ), -EINVAL);
	cmwq_test_expect_refusals(0);
	cmwq_queue_work(st->wq, &st->work);
	KUNIT_ASSERT_COMPLETES(test, &st->done);
	KUNIT_EXPECT_EQ(test, cmwq_test_nr_refusals() - before, 7);
	KUNIT_EXPECT_EQ(test, st->ret_work, -EINVAL);
	KUNIT_EXPECT_EQ(test, st->ret_wq, -EINVAL);
	KUNIT_EXPECT_EQ(test, st->ret_drain, -EINVAL);
}

/*
 * Lockdep sees these cycles too, in the works' and queues' lockdep maps,
 * and its report would fail the run: on a lockdep kernel the runner case
 * of fixture_cmwq_wait_cycle shows it agrees instead.
 */
static void skip_if_lockdep_sees_it(struct kunit *test)
{
	if (IS_ENABLED(CONFIG_PROVE_LOCKING))
		kunit_skip(test,
			   "lockdep reports it too (fixture_cmwq_wait_cycle)");
}

/*
 * A work of a class of its own: works of one init site share a lockdep
 * class, and one flushing another that ends would be taken by lockdep
 * for recursive locking.
 */
static void own_lockdep_class(struct item *it)
{
	static struct lock_class_key key;

	lockdep_init_map(&it->dwork.work.lockdep_map, "waits_peer", &key, 0);
}

/* Which seen cycle worker runs a work of the queue @wq, or -1. */
static int cycle_worker(struct seen *s, const char *wq)
{
	int i;

	for (i = 0; i < s->nr_cycle_workers; i++)
		if (!strcmp(s->cw[i].wq, wq))
			return i;
	return -1;
}

/*
 * Two works flushing each other, on two queues: reported as a cycle of
 * two, each worker named with what it flushes; one flush times out and
 * lets the other finish.
 */
static void cycle_of_two_works(struct kunit *test)
{
	struct item *a = new_item(test, flusher_fn);
	struct item *b = new_item(test, flusher_fn);
	struct cmwq_workqueue *qa = cmwq_kunit_alloc_wq(test, "waits_a", 0, 0);
	struct cmwq_workqueue *qb = cmwq_kunit_alloc_wq(test, "waits_b", 0, 0);
	struct seen *s = watch(test);
	int ia, ib;

	skip_if_lockdep_sees_it(test);
	KUNIT_ASSERT_NOT_NULL(test, qa);
	KUNIT_ASSERT_NOT_NULL(test, qb);
	a->peer = b;
	a->other = b;
	b->peer = a;
	b->other = a;
	waits_queue(qa, a);
	waits_queue(qb, b);
	KUNIT_ASSERT_COMPLETES(test, &a->done);
	KUNIT_ASSERT_COMPLETES(test, &b->done);
	unwatch(test);

	KUNIT_EXPECT_TRUE(test, a->ret == -ETIMEDOUT || b->ret == -ETIMEDOUT);
	KUNIT_EXPECT_GE(test, s->nr_cycles, 1);
	KUNIT_EXPECT_EQ(test, s->length, 2);
	KUNIT_EXPECT_FALSE(test, s->behind);
	KUNIT_EXPECT_EQ(test, s->nr_cycle_workers, 2);
	ia = cycle_worker(s, "waits_a");
	ib = cycle_worker(s, "waits_b");
	KUNIT_ASSERT_GE(test, ia, 0);
	KUNIT_ASSERT_GE(test, ib, 0);
	KUNIT_EXPECT_PTR_EQ(test, s->cw[ia].func, (void *)flusher_fn);
	KUNIT_EXPECT_STREQ(test, s->cw[ia].waits_wq, "waits_b");
	KUNIT_EXPECT_STREQ(test, s->cw[ib].waits_wq, "waits_a");
	KUNIT_EXPECT_PTR_EQ(test, s->cw[ib].waits_func, (void *)flusher_fn);
}

/*
 * A work flushes the queue of a work that flushes it: a cycle through a
 * queue flush, its step named by the queue (no function).
 */
static void cycle_through_queue_flush(struct kunit *test)
{
	struct item *a = new_item(test, flusher_fn);
	struct item *b = new_item(test, flusher_fn);
	struct cmwq_workqueue *qa = cmwq_kunit_alloc_wq(test, "waits_qa", 0, 0);
	struct cmwq_workqueue *qb = cmwq_kunit_alloc_wq(test, "waits_qb", 0, 0);
	struct seen *s = watch(test);
	int ia;

	skip_if_lockdep_sees_it(test);
	KUNIT_ASSERT_NOT_NULL(test, qa);
	KUNIT_ASSERT_NOT_NULL(test, qb);
	a->peer_wq = qb;
	a->other = b;
	b->peer = a;
	b->other = a;
	waits_queue(qa, a);
	waits_queue(qb, b);
	KUNIT_ASSERT_COMPLETES(test, &a->done);
	KUNIT_ASSERT_COMPLETES(test, &b->done);
	unwatch(test);

	KUNIT_EXPECT_TRUE(test, a->ret == -ETIMEDOUT || b->ret == -ETIMEDOUT);
	KUNIT_EXPECT_GE(test, s->nr_cycles, 1);
	KUNIT_EXPECT_EQ(test, s->length, 2);
	ia = cycle_worker(s, "waits_qa");
	KUNIT_ASSERT_GE(test, ia, 0);
	KUNIT_EXPECT_PTR_EQ(test, s->cw[ia].waits_func, NULL);
	KUNIT_EXPECT_STREQ(test, s->cw[ia].waits_wq, "waits_qb");
}

/*
 * On an ordered queue, a work flushing a work queued after it waits for
 * itself: reported at once as a cycle of one, behind max_active.
 */
static void flush_behind_on_ordered_queue(struct kunit *test)
{
	struct item *a = new_item(test, flusher_fn);
	struct item *b = new_item(test, count_fn);
	struct cmwq_workqueue *wq = cmwq_kunit_alloc_ordered_wq(test, "waits_ord", 0);
	struct seen *s = watch(test);

	skip_if_lockdep_sees_it(test);
	KUNIT_ASSERT_NOT_NULL(test, wq);
	a->peer = b;
	a->timeout = HZ;
	a->gated = true;
	waits_queue(wq, a);
	waits_queue(wq, b);
	complete(&a->go);
	KUNIT_ASSERT_COMPLETES(test, &a->done);
	KUNIT_ASSERT_COMPLETES(test, &b->done);
	unwatch(test);

	KUNIT_EXPECT_EQ(test, a->ret, -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, s->nr_cycles, 1);
	KUNIT_EXPECT_EQ(test, s->length, 1);
	KUNIT_EXPECT_TRUE(test, s->behind);
	KUNIT_EXPECT_EQ(test, s->nr_cycle_workers, 1);
	KUNIT_EXPECT_PTR_EQ(test, s->cw[0].func, (void *)flusher_fn);
	KUNIT_EXPECT_PTR_EQ(test, s->cw[0].waits_func, (void *)count_fn);
}

/*
 * max_active 2: both running works flush the third, held back behind
 * them.  Whichever waits second finds every running work waiting.
 */
static void flush_behind_at_max_active(struct kunit *test)
{
	int cpu = raw_smp_processor_id();
	struct item *a = new_item(test, flusher_fn);
	struct item *b = new_item(test, flusher_fn);
	struct item *c = new_item(test, count_fn);
	struct cmwq_workqueue *wq = cmwq_kunit_alloc_wq(test, "waits_max", 0, 2);
	struct seen *s = watch(test);

	KUNIT_ASSERT_NOT_NULL(test, wq);
	own_lockdep_class(c);
	a->peer = c;
	a->gated = true;
	b->peer = c;
	b->gated = true;
	b->timeout = 3 * HZ;
	cmwq_queue_work_on(cpu, wq, &a->dwork.work);
	cmwq_queue_work_on(cpu, wq, &b->dwork.work);
	cmwq_queue_work_on(cpu, wq, &c->dwork.work);
	KUNIT_ASSERT_COMPLETES(test, &a->started);
	KUNIT_ASSERT_COMPLETES(test, &b->started);
	complete(&a->go);
	complete(&b->go);
	KUNIT_ASSERT_COMPLETES(test, &a->done);
	KUNIT_ASSERT_COMPLETES(test, &b->done);
	KUNIT_ASSERT_COMPLETES(test, &c->done);
	unwatch(test);

	KUNIT_EXPECT_EQ(test, a->ret, -ETIMEDOUT);
	KUNIT_EXPECT_GE(test, s->nr_cycles, 1);
	KUNIT_EXPECT_TRUE(test, s->behind);
	KUNIT_EXPECT_PTR_EQ(test, s->cw[0].waits_func, (void *)count_fn);
}

/* Waits that end are not reported: a flush of a running work elsewhere. */
static void no_cycle_for_a_wait_that_ends(struct kunit *test)
{
	struct item *a = new_item(test, flusher_fn);
	struct item *b = new_item(test, block_2s_fn);
	struct cmwq_workqueue *wq = cmwq_kunit_alloc_wq(test, "waits_ok", 0, 0);
	struct seen *s = watch(test);

	KUNIT_ASSERT_NOT_NULL(test, wq);
	own_lockdep_class(b);
	a->peer = b;
	a->other = b;
	a->timeout = CMWQ_KUNIT_TIMEOUT;
	waits_queue(wq, b);
	waits_queue(wq, a);
	KUNIT_ASSERT_COMPLETES(test, &a->done);
	unwatch(test);
	KUNIT_EXPECT_EQ(test, a->ret, 1);
	KUNIT_EXPECT_EQ(test, s->nr_cycles, 0);
	KUNIT_EXPECT_EQ(test, s->nr_flush, 0);
}

/*
 * max_active 2: one running work flushes the third while the other runs
 * on and ends by itself: a slot frees, so nothing is reported.
 */
static void no_cycle_while_a_slot_can_free(struct kunit *test)
{
	int cpu = raw_smp_processor_id();
	struct item *a = new_item(test, flusher_fn);
	struct item *b = new_item(test, block_2s_fn);
	struct item *c = new_item(test, count_fn);
	struct cmwq_workqueue *wq = cmwq_kunit_alloc_wq(test, "waits_slot", 0, 2);
	struct seen *s = watch(test);

	KUNIT_ASSERT_NOT_NULL(test, wq);
	own_lockdep_class(c);
	a->peer = c;
	a->gated = true;
	a->timeout = CMWQ_KUNIT_TIMEOUT;
	cmwq_queue_work_on(cpu, wq, &a->dwork.work);
	cmwq_queue_work_on(cpu, wq, &b->dwork.work);
	cmwq_queue_work_on(cpu, wq, &c->dwork.work);
	KUNIT_ASSERT_COMPLETES(test, &b->started);
	complete(&a->go);
	KUNIT_ASSERT_COMPLETES(test, &a->done);
	unwatch(test);
	KUNIT_EXPECT_EQ(test, a->ret, 1);
	KUNIT_EXPECT_TRUE(test, completion_done(&b->done));
	KUNIT_EXPECT_EQ(test, s->nr_cycles, 0);
}

static struct kunit_case cmwq_waits_cases[] = {
	KUNIT_CASE(flush_work_timeout_running),
	KUNIT_CASE(flush_work_timeout_inactive),
	KUNIT_CASE(flush_delayed_work_timeout_runs_it),
	KUNIT_CASE(flush_workqueue_timeout_keeps_color),
	KUNIT_CASE(plain_flush_waits_unreported),
	KUNIT_CASE(timed_flush_leaves_color_to_batch),
	KUNIT_CASE(sharing_flushers_take_no_mutex),
	KUNIT_CASE(flush_waits_not_for_later_works),
	KUNIT_CASE(flush_waits_for_older_colors),
	KUNIT_CASE(flushers_outnumber_colors),
	KUNIT_CASE(flush_color_left_by_cancel),
	KUNIT_CASE(drain_workqueue_timeout_reopens),
	KUNIT_CASE(plain_flush_reports_and_waits),
	KUNIT_CASE(plain_flushers_all_reported),
	KUNIT_CASE(report_outlives_first_flusher),
	KUNIT_CASE(late_flusher_reported),
	KUNIT_CASE(lowered_report_secs_apply_at_once),
	KUNIT_CASE(report_timer_kept_by_flushers),
	KUNIT_CASE(destroy_stops_report_timer),
	KUNIT_CASE(timed_flush_refusals),
	KUNIT_CASE(cycle_of_two_works),
	KUNIT_CASE(cycle_through_queue_flush),
	KUNIT_CASE(flush_behind_on_ordered_queue),
	KUNIT_CASE(flush_behind_at_max_active),
	KUNIT_CASE(no_cycle_for_a_wait_that_ends),
	KUNIT_CASE(no_cycle_while_a_slot_can_free),
	{}
};

static unsigned int saved_report_secs, saved_hog_thresh;

/*
 * Plain flushes report only in the case about it; and printing a report
 * on the serial console keeps a worker on its CPU long enough to be
 * taken for a CPU hog under emulation: hog detection is off.
 */
static int cmwq_waits_init(struct kunit *test)
{
	saved_report_secs = cmwq_test_set_flush_report_secs(0);
	saved_hog_thresh = cmwq_test_set_hog_thresh(0);
	return 0;
}

static void cmwq_waits_exit(struct kunit *test)
{
	unwatch(test);
	cmwq_test_set_flush_report_secs(saved_report_secs);
	cmwq_test_set_hog_thresh(saved_hog_thresh);
	cmwq_test_expect_reports(false);
}

static struct kunit_suite cmwq_waits_suite = {
	.name = "cmwq_waits",
	.init = cmwq_waits_init,
	.exit = cmwq_waits_exit,
	.test_cases = cmwq_waits_cases,
};

kunit_test_suites(&cmwq_waits_suite);

MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_DESCRIPTION("KUnit tests of what cmwq's flushes report");
