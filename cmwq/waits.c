// SPDX-License-Identifier: GPL-2.0
/*
 * waits.c - what a flush waits for: blocked-flush reports and wait cycles
 *
 * Blocked flushes.  A work flush (and a sync cancel) waits here, in
 * cmwq_flush_wait(), with a timer for its report; a queue flush waits in
 * flush.c, where one timer per queue (wq->flush_report_timer) times the
 * reports of all its plain flushers, so that they sleep without a timer
 * of their own, and reports through cmwq_flush_report().  A
 * *_timeout() flush that runs out of time, and a plain one that has
 * waited flush_report_secs (default 120, as the hung-task detector; 0
 * disables), prints one report of what holds it: for each work it still
 * waits for, the queue, pool and CPU, the function, who queued it (where
 * works record their origin, CMWQ_WORK_ORIGIN in cmwq.h), its state
 * (running, pending, inactive behind max_active, or a barrier of another
 * flush) and for how long (how long it waited, too, where recorded),
 * and for a running one its worker and the worker's stack.  The plain
 * flush then keeps waiting; the timed one returns -ETIMEDOUT.  The same
 * facts go to the cmwq_flush_blocked and cmwq_blocked_work trace events.
 *
 * Wait cycles.  A worker that begins to flush records what it waits for
 * (worker->waiting_for: a work, by address and pool, or a queue and the
 * colors flushed) and walks the records from there: who runs the work it
 * waits for, what that worker waits for in turn, and so on.  Coming back
 * to itself means the wait cannot end: works A and B flushing each other,
 * directly or through a chain of work and queue flushes; or a work that
 * flushes a work held back by max_active behind itself (an ordered
 * queue), where every running work of that queue leads back to the
 * waiter.  The cycle is reported at once, with each worker's work, queue,
 * what it waits for and its stack, and the wait goes on: only the two
 * waits that can never end and are safe to refuse (a work flushing
 * itself, or its own queue) are refused, by the callers' argument
 * checks.  Lockdep sees most of these, on a lockdep kernel only, and a
 * wait behind max_active not at all (Documentation/cmwq.rst).
 *
 * A flush that no other worker's wait could close into a cycle (nobody
 * else waits, and the work is not held back behind the waiter's) skips
 * the walk.  The walk is bounded (WAIT_DEPTH workers deep, WAIT_WIDTH
 * running works of a queue per step), takes one pool->lock at a time and
 * reads the records under cmwq_waits_lock nested inside it.  A worker found in a
 * busy hash under its pool->lock is alive there; the walk keeps only its
 * address (compared, never followed) and a reference to its task.
 *
 * On a test kernel, a test that provokes these reports announces them
 * (cmwq_report_expected()) and they say "expected" at info level, so
 * that the console verdict keeps failing on any other.
 */
#include <linux/module.h>
#include <linux/sched/debug.h>
#include <linux/sched/task.h>
#include <linux/slab.h>

#include "internal.h"
#include "trace.h"

/* R: seconds a plain flush waits before it reports; 0 disables */
static unsigned int flush_report_secs = 120;
module_param(flush_report_secs, uint, 0644);
MODULE_PARM_DESC(flush_report_secs,
		 "seconds a flush waits before cmwq reports what it waits for (default 120, 0: off)");

/* V: nests inside pool->lock */
static DEFINE_RAW_SPINLOCK(cmwq_waits_lock);
/* R: workers with a wait recorded; the walk needs another one */
static atomic_t cmwq_nr_waiting = ATOMIC_INIT(0);

/* The report's first line, at warning level unless a test expects it. */
static __printf(3, 4) void report_head(const char *kind, bool expected,
				       const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	if (expected)
		pr_info("cmwq: expected %s: %pV", kind, &vaf);
	else
		pr_warn("cmwq: %s: %pV", kind, &vaf);
	va_end(args);
}

static void show_pool_head(struct worker_pool *pool, struct cmwq_workqueue *wq,
			   bool *shown)
{
	if (*shown)
		return;
	*shown = true;
	if (pool->gcwq->cpu == CMWQ_CPU_UNBOUND)
		cmwq_diag_printf(NULL, "  queue %s, pool %d (unbound):\n",
				 wq->name, pool->id);
	else
		cmwq_diag_printf(NULL, "  queue %s, pool %d (CPU %d):\n",
				 wq->name, pool->id, pool->gcwq->cpu);
}

static void show_blocked_worker(struct worker *worker)
{
	struct worker_pool *pool = worker->pool;

	trace_cmwq_blocked_work(pool, worker->current_func,
				worker->current_cwq->wq->name,
				worker->current_queued_by, "running",
				task_pid_nr(worker->task),
				jiffies_to_msecs(jiffies - worker->current_at),
				worker->sleeping);
	cmwq_diag_show_worker(NULL, worker);
	sched_show_task(worker->task);
}

static void show_blocked_work(struct worker_pool *pool,
			      struct cmwq_workqueue *wq,
			      struct cmwq_work *work, const char *state)
{
	trace_cmwq_blocked_work(pool, work->func, wq->name, work_caller(work),
				state, 0, max(work_age_ms(work), 0L), false);
	cmwq_diag_show_work(NULL, work, state);
}

static const char *queued_state(struct cmwq_work *work, bool inactive_list)
{
	if (work->func == cmwq_barrier_func)
		return "barrier";
	return inactive_list ? "inactive" : "pending";
}

/* What holds back an inactive work of @cwq: its running works. */
static void show_held_behind(struct cmwq_cwq *cwq)
{
	struct worker *worker;
	int bkt;

	lockdep_assert_held(&cwq->pool->lock);
	cmwq_diag_printf(NULL, "    held back by max_active %d behind:\n",
			 cwq->max_active);
	hash_for_each(cwq->pool->busy_hash, bkt, worker, hentry)
		if (worker->current_cwq == cwq)
			show_blocked_worker(worker);
}

/* Is @entry on @head?  Compares addresses only. */
static bool list_holds(struct list_head *head, struct list_head *entry)
{
	struct list_head *pos;

	list_for_each(pos, head)
		if (pos == entry)
			return true;
	return false;
}

/*
 * Show the work a work flush waits for.  It is found by address only:
 * running in the pool's busy hash, or on one of the pool's lists, where
 * it is alive; anywhere else it has finished and the barrier is about to
 * complete.
 */
static void report_work(const struct cmwq_flush_wait *fw)
{
	struct worker_pool *pool = fw->pool;
	struct cmwq_work *work = fw->work;
	struct worker *worker;
	struct cmwq_cwq *cwq;
	bool shown = false;
	int bkt;

	raw_spin_lock_irq(&pool->lock);
	hash_for_each(pool->busy_hash, bkt, worker, hentry) {
		if (worker->current_work == work) {
			show_pool_head(pool, worker->current_cwq->wq, &shown);
			show_blocked_worker(worker);
		}
		if (list_holds(&worker->scheduled, &work->entry)) {
			show_pool_head(pool, fw->wq, &shown);
			show_blocked_work(pool, fw->wq, work, "pending");
		}
	}
	if (!shown && list_holds(&pool->worklist, &work->entry)) {
		show_pool_head(pool, fw->wq, &shown);
		show_blocked_work(pool, fw->wq, work,
				  queued_state(work, false));
	}
	for_each_cwq(cwq, fw->wq) {
		if (shown || cwq->pool != pool ||
		    !list_holds(&cwq->inactive_works, &work->entry))
			continue;
		show_pool_head(pool, fw->wq, &shown);
		show_blocked_work(pool, fw->wq, work,
				  queued_state(work, true));
		show_held_behind(cwq);
	}
	raw_spin_unlock_irq(&pool->lock);
	if (!shown)
		cmwq_diag_printf(NULL, "  %ps has just finished\n", fw->func);
}

/* Show what a queue flush (or a drain, every color) waits for. */
static void report_queue(const struct cmwq_flush_wait *fw)
{
	struct cmwq_workqueue *wq = fw->wq;
	struct worker_pool *pool;
	struct cmwq_work *work;
	struct worker *worker;
	struct cmwq_cwq *cwq;
	int bkt;

	for_each_cwq(cwq, wq) {
		bool shown = false;

		pool = cwq->pool;
		raw_spin_lock_irq(&pool->lock);
		hash_for_each(pool->busy_hash, bkt, worker, hentry) {
			if (worker->current_cwq != cwq ||
			    !wq_color_waited(wq, worker->current_color,
					     fw->target))
				continue;
			show_pool_head(pool, wq, &shown);
			show_blocked_worker(worker);
		}
		list_for_each_entry(work, &pool->worklist, entry) {
			if (get_work_cwq(work) != cwq ||
			    !wq_color_waited(wq, get_work_color(work),
					     fw->target))
				continue;
			show_pool_head(pool, wq, &shown);
			show_blocked_work(pool, wq, work,
					  queued_state(work, false));
		}
		list_for_each_entry(work, &cwq->inactive_works, entry) {
			if (!wq_color_waited(wq, get_work_color(work),
					     fw->target))
				continue;
			show_pool_head(pool, wq, &shown);
			show_blocked_work(pool, wq, work,
					  queued_state(work, true));
		}
		raw_spin_unlock_irq(&pool->lock);
	}
}

/**
 * cmwq_flush_report - report what a flush waits for
 * @fw: the flush
 * @timed_out: it gives up, else it goes on waiting
 *
 * Context: Process context.
 */
void cmwq_flush_report(const struct cmwq_flush_wait *fw, bool timed_out)
{
	unsigned int waited = jiffies_to_msecs(jiffies - fw->start);

	trace_cmwq_flush_blocked(fw, waited, timed_out);
	if (fw->work)
		report_head("flush blocked", cmwq_flush_report_expected(),
			    "%s from %pS %s after %u ms, waiting for %ps of %s\n",
			    fw->what, (void *)fw->caller,
			    timed_out ? "timed out" : "still waits", waited,
			    fw->func, fw->wq->name);
	else
		report_head("flush blocked", cmwq_flush_report_expected(),
			    "%s from %pS %s after %u ms, waiting for %s\n",
			    fw->what, (void *)fw->caller,
			    timed_out ? "timed out" : "still waits", waited,
			    fw->wq->name);
	if (fw->work)
		report_work(fw);
	else
		report_queue(fw);
}

/**
 * cmwq_flush_wait - wait for a flush, reporting it when it takes long
 * @done: completed when the flush is over
 * @timeout: jiffies to wait, %MAX_SCHEDULE_TIMEOUT for as long as it takes
 * @fw: the flush, for the report
 *
 * A plain flush (@timeout %MAX_SCHEDULE_TIMEOUT) reports once after
 * flush_report_secs and goes on waiting; a timed one reports when it
 * gives up.
 *
 * Context: Process context; sleeps.
 * Return: %true when @done completed, %false when @timeout ran out.
 */
bool cmwq_flush_wait(struct completion *done, long timeout,
		     const struct cmwq_flush_wait *fw)
{
	unsigned long report = READ_ONCE(flush_report_secs) * HZ;

	if (timeout != MAX_SCHEDULE_TIMEOUT) {
		if (wait_for_completion_timeout(done, timeout))
			return true;
		cmwq_flush_report(fw, true);
		return false;
	}
	if (!report) {
		/* reports off: wait all the same, only without the report */
		wait_for_completion(done);
		return true;
	}
	if (wait_for_completion_timeout(done, report))
		return true;
	cmwq_flush_report(fw, false);
	wait_for_completion(done);
	return true;
}

/**
 * cmwq_flush_report_jiffies - how long a plain flush waits before its report
 *
 * Context: Any context.
 * Return: flush_report_secs in jiffies; 0 when the reports are off.
 */
unsigned long cmwq_flush_report_jiffies(void)
{
	return READ_ONCE(flush_report_secs) * HZ;
}

/**
 * cmwq_flush_set_report_secs - set flush_report_secs
 * @secs: seconds; 0 switches the reports of plain flushes off
 *
 * Context: Any context.  Flushes already waiting keep the old value.
 * Return: the previous value.
 */
unsigned int cmwq_flush_set_report_secs(unsigned int secs)
{
	return xchg(&flush_report_secs, secs);
}

#define WAIT_DEPTH	6	/* workers followed from the waiter */
#define WAIT_WIDTH	8	/* running works of a queue per step */

/* A worker met on the walk, as it was under its pool->lock. */
struct wait_node {
	struct worker		*worker;	/* compared, never followed */
	struct task_struct	*task;		/* referenced */
	cmwq_func_t		func;
	unsigned long		queued_by;
	char			wq[32];
	struct cmwq_wait_for	waits;		/* .wq NULL: not waiting */
};

struct wait_walk {
	struct worker		*me;
	unsigned long		caller;
	bool			behind;		/* held back by max_active */
	int			nr_nodes[WAIT_DEPTH];
	int			path[WAIT_DEPTH]; /* the node taken per step */
	struct wait_node	nodes[WAIT_DEPTH][WAIT_WIDTH];
	int			cycle_len;	/* 0: none found yet */
	bool			cycle_mine;	/* it ends at the waiter */
	struct wait_node	cycle[WAIT_DEPTH]; /* the first found */
};

/* Keep @worker as a node of step @depth.  Context: its pool->lock held. */
static void take_node(struct wait_walk *w, int depth, struct worker *worker)
{
	struct wait_node *n;

	lockdep_assert_held(&worker->pool->lock);
	if (w->nr_nodes[depth] == WAIT_WIDTH)
		return;
	n = &w->nodes[depth][w->nr_nodes[depth]++];
	n->worker = worker;
	n->task = get_task_struct(worker->task);
	n->func = worker->current_func;
	n->queued_by = worker->current_queued_by;
	strscpy(n->wq, worker->current_cwq->wq->name, sizeof(n->wq));
	raw_spin_lock(&cmwq_waits_lock);
	n->waits = worker->waiting_for;
	raw_spin_unlock(&cmwq_waits_lock);
}

/*
 * The workers step @depth waits on for @wf: the one running the work, or
 * those running the queue's works of the colors flushed.  A work held
 * back by max_active waits on every running work of its cwq, and only
 * while no active one is left on the worklist to be started; *@every
 * tells that all of them must lead back for the wait to be hopeless.
 */
static void find_runners(struct wait_walk *w, int depth,
			 const struct cmwq_wait_for *wf, bool *every)
{
	struct worker_pool *pool;
	struct worker *worker;
	int bkt, i, nr_running;

	*every = false;
	if (wf->work) {
		pool = pool_by_id(wf->pool);
		if (!pool)
			return;
		raw_spin_lock_irq(&pool->lock);
		hash_for_each_possible(pool->busy_hash, worker, hentry,
				       (unsigned long)wf->work)
			if (worker->current_work == wf->work)
				take_node(w, depth, worker);
		raw_spin_unlock_irq(&pool->lock);
		if (w->nr_nodes[depth] || !wf->cwq)
			return;

		pool = wf->cwq->pool;
		nr_running = 0;
		raw_spin_lock_irq(&pool->lock);
		hash_for_each(pool->busy_hash, bkt, worker, hentry)
			if (worker->current_cwq == wf->cwq) {
				nr_running++;
				take_node(w, depth, worker);
			}
		/* an active work not running yet will start: no cycle */
		if (nr_running != wf->cwq->nr_active ||
		    nr_running > WAIT_WIDTH) {
			raw_spin_unlock_irq(&pool->lock);
			for (i = 0; i < w->nr_nodes[depth]; i++)
				put_task_struct(w->nodes[depth][i].task);
			w->nr_nodes[depth] = 0;
			return;
		}
		raw_spin_unlock_irq(&pool->lock);
		*every = true;
		return;
	}

	for (i = 0; i < cmwq_nr_pools; i++) {
		pool = pool_by_id(i);
		raw_spin_lock_irq(&pool->lock);
		hash_for_each(pool->busy_hash, bkt, worker, hentry)
			if (worker->current_cwq &&
			    worker->current_cwq->wq == wf->wq &&
			    wq_color_waited(wf->wq, worker->current_color,
					    wf->target))
				take_node(w, depth, worker);
		raw_spin_unlock_irq(&pool->lock);
	}
}

static void show_cycle_node(struct wait_node *n)
{
	struct cmwq_origin o;

	trace_cmwq_wait_cycle_worker(task_pid_nr(n->task), n->func, n->wq,
				     n->waits.func, n->waits.wq->name);
	if (n->waits.func)
		cmwq_diag_printf(NULL,
				 "  %s/%d runs %ps of %s%s, and flushes %ps of %s\n",
				 n->task->comm, task_pid_nr(n->task), n->func,
				 n->wq, cmwq_diag_origin(&o, n->queued_by, -1),
				 n->waits.func, n->waits.wq->name);
	else
		cmwq_diag_printf(NULL,
				 "  %s/%d runs %ps of %s%s, and flushes queue %s\n",
				 n->task->comm, task_pid_nr(n->task), n->func,
				 n->wq, cmwq_diag_origin(&o, n->queued_by, -1),
				 n->waits.wq->name);
	sched_show_task(n->task);
}

/*
 * The cycle runs from the worker running what the waiter waits for to
 * the waiter, whose wait closes it; the report begins with the waiter.
 * A cycle among others that the waiter waits on ends with the worker
 * met twice, and the waiter is printed first all the same.
 */
static void report_cycle(struct wait_walk *w)
{
	bool expected = cmwq_report_expected();
	int i, others = w->cycle_len - 1;

	trace_cmwq_wait_cycle(w->caller, w->cycle_len, w->behind);
	if (w->behind)
		report_head("wait cycle", expected,
			    "%s/%d flushes a work max_active holds back behind running works that all wait (%d other worker%s shown)\n",
			    current->comm, task_pid_nr(current), others,
			    others == 1 ? "" : "s");
	else if (w->cycle_mine)
		report_head("wait cycle", expected,
			    "%s/%d waits for itself through %d other worker%s\n",
			    current->comm, task_pid_nr(current), others,
			    others == 1 ? "" : "s");
	else
		report_head("wait cycle", expected,
			    "%s/%d waits for workers that wait for each other\n",
			    current->comm, task_pid_nr(current));
	if (w->cycle_mine)
		show_cycle_node(&w->cycle[others]);
	for (i = 0; i < (w->cycle_mine ? others : w->cycle_len); i++)
		show_cycle_node(&w->cycle[i]);
}

static void drop_cycle(struct wait_walk *w)
{
	int i;

	for (i = 0; i < w->cycle_len; i++)
		put_task_struct(w->cycle[i].task);
	w->cycle_len = 0;
}

/* Keep the path to the waiter, found at step @depth, as the cycle. */
static void keep_cycle(struct wait_walk *w, int depth)
{
	int i;

	if (w->cycle_len)
		return;
	for (i = 0; i <= depth; i++) {
		w->cycle[i] = w->nodes[i][w->path[i]];
		get_task_struct(w->cycle[i].task);
	}
	w->cycle_len = depth + 1;
	w->cycle_mine = w->cycle[depth].worker == w->me;
}

/* Is @worker on the path to step @depth?  The waiter is at none. */
static bool on_path(struct wait_walk *w, int depth, struct worker *worker)
{
	int i;

	for (i = 0; i < depth; i++)
		if (w->nodes[i][w->path[i]].worker == worker)
			return true;
	return false;
}

/*
 * Can the wait @wf, made at step @depth, never end?  So it is when a
 * worker it waits on is the waiter, or is on the way already (a cycle
 * the waiter waits on), or waits itself for what cannot end; for a work
 * behind max_active, only when every worker it waits on is so.
 */
static bool walk_waits(struct wait_walk *w, int depth,
		       const struct cmwq_wait_for *wf)
{
	bool every, found = false;
	int i, had_cycle = w->cycle_len;
	struct wait_node *n;

	find_runners(w, depth, wf, &every);
	for (i = 0; i < w->nr_nodes[depth]; i++) {
		n = &w->nodes[depth][i];
		w->path[depth] = i;
		if (n->worker == w->me || on_path(w, depth, n->worker)) {
			found = true;
			keep_cycle(w, depth);
		} else {
			found = n->waits.wq && depth + 1 < WAIT_DEPTH &&
				walk_waits(w, depth + 1, &n->waits);
		}
		if (found != every)
			break;
	}
	if (every && found)
		w->behind = true;
	/* a cycle kept on the way to a failed "every" is none */
	if (every && !found && !had_cycle)
		drop_cycle(w);
	for (i = 0; i < w->nr_nodes[depth]; i++)
		put_task_struct(w->nodes[depth][i].task);
	w->nr_nodes[depth] = 0;
	return found;
}

/**
 * cmwq_wait_begin - a worker begins to flush: record it, report a cycle
 * @worker: the current worker
 * @wf: what it waits for
 * @caller: the flush's caller
 *
 * Context: Process context; @worker is current.
 */
void cmwq_wait_begin(struct worker *worker, const struct cmwq_wait_for *wf,
		     unsigned long caller)
{
	struct wait_walk *w;
	bool alone;

	raw_spin_lock_irq(&cmwq_waits_lock);
	worker->waiting_for = *wf;
	raw_spin_unlock_irq(&cmwq_waits_lock);
	alone = atomic_inc_return(&cmwq_nr_waiting) == 1;

	/*
	 * A cycle needs another waiting worker, but for a work held back
	 * behind the waiter's own: the usual flush pays for no walk.
	 */
	if (alone && !wf->cwq)
		return;
	/* a diagnosis, not a need: without memory, no walk */
	w = kmalloc(sizeof(*w), GFP_KERNEL | __GFP_NOWARN);
	if (!w)
		return;
	memset(w->nr_nodes, 0, sizeof(w->nr_nodes));
	w->me = worker;
	w->caller = caller;
	w->behind = false;
	w->cycle_len = 0;
	if (walk_waits(w, 0, wf))
		report_cycle(w);
	drop_cycle(w);
	kfree(w);
}

/**
 * cmwq_wait_end - a worker's flush is over
 * @worker: the current worker
 *
 * Context: Process context; @worker is current.
 */
void cmwq_wait_end(struct worker *worker)
{
	raw_spin_lock_irq(&cmwq_waits_lock);
	worker->waiting_for.wq = NULL;
	worker->waiting_for.work = NULL;
	raw_spin_unlock_irq(&cmwq_waits_lock);
	atomic_dec(&cmwq_nr_waiting);
}
