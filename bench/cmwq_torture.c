// SPDX-License-Identifier: GPL-2.0
/*
 * cmwq_torture.c - every entry point at once, CPUs and creations failing
 *
 * For `make torture`, in the manner of rcutorture and locktorture.  For
 * `seconds`, `threads` kthreads pick random operations across cmwq's API
 * while the loading thread takes random CPUs down and up (rcutorture's
 * onoff) and makes worker creation fail at a rate that changes every few
 * seconds.  At the end creation works again, every CPU is back, every
 * queue is destroyed and the accounting must be exact: each work ran once
 * for each successful queueing that was not cancelled.  Loading fails
 * (-EIO) otherwise, or when anything is stuck.
 *
 * Slots.  The works live in TORTURE_SLOTS slots, each with a queue of
 * some flavour (bound, unbound, highpri, CPU-intensive, ordered, reclaim,
 * freezable, now and then with a second flag), re-created with a random
 * flavour from time to time.  A slot's rw_semaphore is taken for read by
 * every operation on its works and queue, and for write to drain it or to
 * destroy and re-create it: cmwq refuses (with a warning) queueing from
 * outside a queue being drained, and a delayed work whose timer is armed
 * must be cancelled before its queue is destroyed.
 *
 * Works.  Each run of a work does nothing, sleeps, spins (up to half a
 * millisecond), queues itself again (while the budget its last queueing
 * gave it lasts: chains are bounded) or waits for a plain work of a
 * higher slot: cmwq_flush_work(), cmwq_flush_work_timeout() with a limit
 * of a few jiffies, or a wait for its next run bounded by a timeout.
 * Only higher slots, so no wait is on itself or in a cycle.  A work of a
 * reclaim queue only waits for a run, never flushes: flushing a work of
 * a queue without a rescuer from it is a bug cmwq warns about.  Works
 * take no slot lock, so their flushes race the destruction of the
 * target's queue.  The threads make timed flushes too, of works, delayed
 * works and queues, and timed drains; their reports are announced,
 * stalls and wait cycles not.
 *
 * Accounting.  Per work: successful queueings, successful cancellations
 * and runs.  cmwq_mod_delayed_work_on() counts as a queueing when it
 * returns false (the work was idle and is queued now, as in mainline);
 * when it returns true, the work was pending and stays pending once, or a
 * sync cancel owned it and it stays cancelled: no new instance either way.
 *
 * Two module parameters take out a combination known to break, for
 * bisecting; both default to on, which is the torture.
 */
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/rwsem.h>
#include <linux/slab.h>
#include <linux/wait.h>

#include "cmwq_onoff.h"
#include "cmwq_test.h"

static unsigned int seconds = 300;
module_param(seconds, uint, 0444);
MODULE_PARM_DESC(seconds, "how long to torture (default 300)");

static unsigned int threads = 4;
module_param(threads, uint, 0444);
MODULE_PARM_DESC(threads, "threads picking random operations (1-16, default 4)");

static unsigned int max_fail_rate = 30;
module_param(max_fail_rate, uint, 0444);
MODULE_PARM_DESC(max_fail_rate, "highest percentage of worker creations made to fail (default 30)");

static bool flush_vs_destroy = true;
module_param(flush_vs_destroy, bool, 0444);
MODULE_PARM_DESC(flush_vs_destroy, "works flush works whose queue may be destroyed meanwhile (default Y)");

static bool mod_vs_cancel = true;
module_param(mod_vs_cancel, bool, 0444);
MODULE_PARM_DESC(mod_vs_cancel, "mod_delayed races cancel_delayed_sync on the same work (default Y)");

enum {
	TORTURE_SLOTS		= 8,
	TORTURE_PLAIN		= 16,	/* plain works per slot */
	TORTURE_DELAYED		= 8,	/* then delayed works */
	TORTURE_WORKS		= TORTURE_PLAIN + TORTURE_DELAYED,
	TORTURE_MAX_THREADS	= 16,
	TORTURE_MAX_CHAIN	= 4,	/* self-requeues a queueing allows */
	TORTURE_MAX_DELAY	= 3,	/* jiffies */
	TORTURE_WAIT_MS		= 20,	/* a work's bounded wait */
	TORTURE_RATE_SECONDS	= 5,	/* the failure rate changes that often */
	TORTURE_REPORT_SECONDS	= 30,
	TORTURE_STOP_SECONDS	= 60,	/* bound on threads stopping */
	TORTURE_SETTLE_SECONDS	= 120,	/* bound on the final destruction */
};

enum {
	/* by the threads */
	OP_QUEUE, OP_QUEUE_ON, OP_QUEUE_OFFLINE, OP_DELAYED, OP_MOD_DELAYED,
	OP_CANCEL, OP_CANCEL_SYNC, OP_CANCEL_DELAYED, OP_CANCEL_DELAYED_SYNC,
	OP_FLUSH, OP_FLUSH_DELAYED, OP_FLUSH_WQ, OP_FLUSH_TIMEOUT,
	OP_FLUSH_DELAYED_TIMEOUT, OP_FLUSH_WQ_TIMEOUT, OP_DRAIN,
	OP_DRAIN_TIMEOUT, OP_RECREATE,
	NR_THREAD_OPS,
	/* by the works */
	OP_REQUEUE = NR_THREAD_OPS, OP_WAIT,
	NR_OPS
};

/* What a hit is: the call queued, cancelled or waited. */
static const struct {
	const char	*name;
	const char	*hit;
	unsigned int	weight;		/* of the threads' random pick */
} ops[NR_OPS] = {
	[OP_QUEUE]		= { "queue",		"queued",	120 },
	/* picks a random CPU: counted as offline if it was */
	[OP_QUEUE_ON]		= { "queue_on",		"queued",	120 },
	[OP_QUEUE_OFFLINE]	= { "queue_on_offline",	"queued",	0 },
	[OP_DELAYED]		= { "queue_delayed_on",	"queued",	120 },
	[OP_MOD_DELAYED]	= { "mod_delayed_on",	"queued",	80 },
	[OP_CANCEL]		= { "cancel",		"cancelled",	40 },
	[OP_CANCEL_SYNC]	= { "cancel_sync",	"cancelled",	40 },
	[OP_CANCEL_DELAYED]	= { "cancel_delayed",	"cancelled",	40 },
	[OP_CANCEL_DELAYED_SYNC] = { "cancel_delayed_sync", "cancelled", 40 },
	[OP_FLUSH]		= { "flush",		"waited",	40 },
	[OP_FLUSH_DELAYED]	= { "flush_delayed",	"waited",	30 },
	[OP_FLUSH_WQ]		= { "flush_workqueue",	"done",		15 },
	/* timed flushes, a few jiffies: they time out now and then */
	[OP_FLUSH_TIMEOUT]	= { "flush_timeout",	"waited",	20 },
	[OP_FLUSH_DELAYED_TIMEOUT] = { "flush_delayed_timeout", "waited", 15 },
	[OP_FLUSH_WQ_TIMEOUT]	= { "flush_workqueue_timeout", "done",	8 },
	[OP_DRAIN]		= { "drain_workqueue",	"done",		3 },
	[OP_DRAIN_TIMEOUT]	= { "drain_workqueue_timeout", "done",	2 },
	[OP_RECREATE]		= { "destroy_and_alloc", "done",	3 },
	[OP_REQUEUE]		= { "requeue_self",	"queued",	0 },
	[OP_WAIT]		= { "wait_other",	"waited",	0 },
};

enum {
	FL_BOUND, FL_UNBOUND, FL_HIGHPRI, FL_CPU_INTENSIVE, FL_ORDERED,
	FL_RECLAIM, FL_FREEZABLE, NR_FLAVOURS
};

static const struct {
	const char	*name;
	unsigned int	flags;
} flavours[NR_FLAVOURS] = {
	[FL_BOUND]		= { "bound",		0 },
	[FL_UNBOUND]		= { "unbound",		CMWQ_UNBOUND },
	[FL_HIGHPRI]		= { "highpri",		CMWQ_HIGHPRI },
	[FL_CPU_INTENSIVE]	= { "cpu_intensive",	CMWQ_CPU_INTENSIVE },
	[FL_ORDERED]		= { "ordered",		0 },
	[FL_RECLAIM]		= { "reclaim",		CMWQ_MEM_RECLAIM },
	[FL_FREEZABLE]		= { "freezable",	CMWQ_FREEZABLE },
};

/* A flag now and then added to a flavour, and the max_active values. */
static const unsigned int extra_flags[] = {
	CMWQ_HIGHPRI, CMWQ_CPU_INTENSIVE, CMWQ_MEM_RECLAIM, CMWQ_FREEZABLE,
};

static const int max_actives[] = { 0, 1, 2, 4, 16 };

struct tslot;

struct tw {
	struct cmwq_delayed_work dw;	/* plain works use only dw.work */
	struct tslot		*slot;
	bool			delayed;
	atomic_t		chain;		/* self-requeues left */
	atomic_t		queued;
	atomic_t		cancelled;
	atomic_t		runs;
	struct mutex		mod_lock;	/* only with mod_vs_cancel=N */
};

struct tslot {
	struct rw_semaphore	lock;	/* write: drain, destroy, alloc */
	struct cmwq_workqueue	*wq;	/* NULL if its allocation failed */
	unsigned int		flags;	/* of @wq */
	int			flavour;
	int			id;
	struct tw		works[TORTURE_WORKS];
};

struct torture {
	struct tslot		slots[TORTURE_SLOTS];
	wait_queue_head_t	runs_wait;	/* works waiting for a run */
	atomic_long_t		tried[NR_OPS];
	atomic_long_t		hit[NR_OPS];
	atomic_t		created[NR_FLAVOURS];
	atomic_t		destroyed[NR_FLAVOURS];
	atomic_t		alloc_failed;
	atomic_t		generation;	/* names the queues */
	struct completion	done[TORTURE_MAX_THREADS];
	struct completion	settled;
	unsigned int		total_weight;	/* of the threads' ops */
	int			nr_bad;		/* set by the settle thread */
	bool			stop;
};

static struct torture *the_torture;

/*
 * One lockdep class per slot: works flush works of higher slots, which
 * one class for all would show as recursion.
 */
static struct lock_class_key torture_work_keys[TORTURE_SLOTS];
static struct lock_class_key torture_timer_key;

static int torture_cpu(void)
{
	return get_random_u32_below(4) ? cmwq_random_cpu() : CMWQ_CPU_UNBOUND;
}

static void torture_count(int op, struct tw *w, bool hit)
{
	struct torture *t = the_torture;

	atomic_long_inc(&t->tried[op]);
	if (!hit)
		return;
	atomic_long_inc(&t->hit[op]);
	switch (op) {
	case OP_QUEUE ... OP_MOD_DELAYED:
	case OP_REQUEUE:
		atomic_inc(&w->queued);
		break;
	case OP_CANCEL ... OP_CANCEL_DELAYED_SYNC:
		atomic_inc(&w->cancelled);
		break;
	}
}

/* Queue itself again while the chain's budget lasts. */
static void torture_requeue(struct tw *w)
{
	struct cmwq_workqueue *wq = READ_ONCE(w->slot->wq);
	bool hit;

	if (atomic_dec_if_positive(&w->chain) < 0)
		return;
	/* delay 0 queues at once: a chain even while the queue drains */
	if (w->delayed)
		hit = cmwq_queue_delayed_work_on(torture_cpu(), wq, &w->dw, 0);
	else
		hit = cmwq_queue_work_on(torture_cpu(), wq, &w->dw.work);
	torture_count(OP_REQUEUE, w, hit);
}

/* A timed flush's limit: 0 to 3 jiffies, so that some run out. */
static unsigned long torture_timeout(void)
{
	return get_random_u32_below(4);
}

/* Wait for a plain work of a higher slot. */
static void torture_wait_other(struct tw *w)
{
	struct torture *t = the_torture;
	int id = w->slot->id, before;
	struct tw *other;
	bool hit;

	if (id == TORTURE_SLOTS - 1)
		return;
	id += 1 + get_random_u32_below(TORTURE_SLOTS - 1 - id);
	other = &t->slots[id].works[get_random_u32_below(TORTURE_PLAIN)];

	if (flush_vs_destroy && !(w->slot->flags & CMWQ_MEM_RECLAIM) &&
	    get_random_u32_below(3)) {
		if (get_random_u32_below(2))
			hit = cmwq_flush_work(&other->dw.work);
		else
			hit = cmwq_flush_work_timeout(&other->dw.work,
						      torture_timeout()) == 1;
	} else {
		before = atomic_read(&other->runs);
		hit = wait_event_timeout(t->runs_wait,
					 atomic_read(&other->runs) != before,
					 msecs_to_jiffies(TORTURE_WAIT_MS));
	}
	torture_count(OP_WAIT, w, hit);
}

static void torture_work_fn(struct cmwq_work *work)
{
	struct tw *w = container_of(work, struct tw, dw.work);

	atomic_inc(&w->runs);
	switch (get_random_u32_below(16)) {
	case 0 ... 2:
		usleep_range(50, 2000);
		break;
	case 3 ... 4:
		udelay(get_random_u32_below(500));
		break;
	case 5 ... 7:
		torture_requeue(w);
		break;
	case 8 ... 9:
		torture_wait_other(w);
		break;
	default:
		break;
	}
	if (wq_has_sleeper(&the_torture->runs_wait))
		wake_up_all(&the_torture->runs_wait);
}

/* Give @s a new queue of a random flavour.  Slot lock held for write. */
static void torture_alloc_wq(struct tslot *s, int flavour)
{
	struct torture *t = the_torture;
	unsigned int flags = flavours[flavour].flags;
	int gen = atomic_inc_return(&t->generation);
	int max_active = max_actives[get_random_u32_below(ARRAY_SIZE(max_actives))];

	if (!get_random_u32_below(4))
		flags |= extra_flags[get_random_u32_below(ARRAY_SIZE(extra_flags))];
	if (flavour == FL_ORDERED)
		s->wq = cmwq_alloc_ordered_workqueue("torture%d.%d", flags,
						     s->id, gen);
	else
		s->wq = cmwq_alloc_workqueue("torture%d.%d", flags, max_active,
					     s->id, gen);
	if (!s->wq) {
		atomic_inc(&t->alloc_failed);
		return;
	}
	s->flags = flags;
	s->flavour = flavour;
	atomic_inc(&t->created[flavour]);
}

/*
 * No timer may fire into a queue being drained or destroyed: each delayed
 * work is cancelled or, before a drain, may be run now instead.
 */
static void torture_settle_delayed(struct tslot *s, bool may_flush)
{
	struct tw *w;
	int i;

	for (i = TORTURE_PLAIN; i < TORTURE_WORKS; i++) {
		w = &s->works[i];
		if (may_flush && get_random_u32_below(2))
			cmwq_flush_delayed_work(&w->dw);
		else if (cmwq_cancel_delayed_work_sync(&w->dw))
			atomic_inc(&w->cancelled);
	}
}

/* Slot lock held for write. */
static void torture_destroy_wq(struct tslot *s)
{
	torture_settle_delayed(s, false);
	cmwq_destroy_workqueue(s->wq);
	atomic_inc(&the_torture->destroyed[s->flavour]);
	s->wq = NULL;
}

static void torture_rebuild(struct tslot *s, int op)
{
	bool hit = true;

	down_write(&s->lock);
	if (op == OP_DRAIN && s->wq) {
		torture_settle_delayed(s, true);
		cmwq_drain_workqueue(s->wq);
	} else if (op == OP_DRAIN_TIMEOUT && s->wq) {
		torture_settle_delayed(s, true);
		hit = !cmwq_drain_workqueue_timeout(s->wq, torture_timeout());
	} else if (op == OP_RECREATE) {
		if (s->wq)
			torture_destroy_wq(s);
		torture_alloc_wq(s, get_random_u32_below(NR_FLAVOURS));
	}
	up_write(&s->lock);
	atomic_long_inc(&the_torture->tried[op]);
	if (hit)
		atomic_long_inc(&the_torture->hit[op]);
}

static int torture_pick_op(void)
{
	unsigned int r = get_random_u32_below(the_torture->total_weight);
	int op;

	for (op = 0; r >= ops[op].weight; op++)
		r -= ops[op].weight;
	return op;
}

/* Under the slot lock, taken for read: its queue stays. */
static bool torture_do(int *op, struct tslot *s, struct tw *w)
{
	int cpu;

	switch (*op) {
	case OP_QUEUE:
		atomic_set(&w->chain, get_random_u32_below(TORTURE_MAX_CHAIN + 1));
		return cmwq_queue_work(s->wq, &w->dw.work);
	case OP_QUEUE_ON:
		cpu = cmwq_random_cpu();
		if (!cpu_online(cpu))
			*op = OP_QUEUE_OFFLINE;
		atomic_set(&w->chain, get_random_u32_below(TORTURE_MAX_CHAIN + 1));
		return cmwq_queue_work_on(cpu, s->wq, &w->dw.work);
	case OP_DELAYED:
		atomic_set(&w->chain, get_random_u32_below(TORTURE_MAX_CHAIN + 1));
		return cmwq_queue_delayed_work_on(torture_cpu(), s->wq, &w->dw,
						  get_random_u32_below(TORTURE_MAX_DELAY + 1));
	case OP_MOD_DELAYED:
		return !cmwq_mod_delayed_work_on(torture_cpu(), s->wq, &w->dw,
						 get_random_u32_below(TORTURE_MAX_DELAY + 1));
	case OP_CANCEL:
		return cmwq_cancel_work(&w->dw.work);
	case OP_CANCEL_SYNC:
		return cmwq_cancel_work_sync(&w->dw.work);
	case OP_CANCEL_DELAYED:
		return cmwq_cancel_delayed_work(&w->dw);
	case OP_CANCEL_DELAYED_SYNC:
		return cmwq_cancel_delayed_work_sync(&w->dw);
	case OP_FLUSH:
		return cmwq_flush_work(&w->dw.work);
	case OP_FLUSH_DELAYED:
		return cmwq_flush_delayed_work(&w->dw);
	case OP_FLUSH_TIMEOUT:
		return cmwq_flush_work_timeout(&w->dw.work,
					       torture_timeout()) == 1;
	case OP_FLUSH_DELAYED_TIMEOUT:
		return cmwq_flush_delayed_work_timeout(&w->dw,
						       torture_timeout()) == 1;
	case OP_FLUSH_WQ_TIMEOUT:
		return !cmwq_flush_workqueue_timeout(s->wq, torture_timeout());
	default:
		cmwq_flush_workqueue(s->wq);
		return true;
	}
}

static void torture_op(struct torture *t)
{
	struct tslot *s = &t->slots[get_random_u32_below(TORTURE_SLOTS)];
	int op = torture_pick_op();
	bool hit, serialise;
	struct tw *w;

	if (op == OP_DRAIN || op == OP_DRAIN_TIMEOUT || op == OP_RECREATE) {
		torture_rebuild(s, op);
		return;
	}
	/* the delayed ops on delayed works, the others on plain ones */
	if (op == OP_DELAYED || op == OP_MOD_DELAYED ||
	    op == OP_CANCEL_DELAYED || op == OP_CANCEL_DELAYED_SYNC ||
	    op == OP_FLUSH_DELAYED || op == OP_FLUSH_DELAYED_TIMEOUT)
		w = &s->works[TORTURE_PLAIN + get_random_u32_below(TORTURE_DELAYED)];
	else
		w = &s->works[get_random_u32_below(TORTURE_PLAIN)];

	/* with mod_vs_cancel=N, the two never meet on a work */
	serialise = !mod_vs_cancel &&
		    (op == OP_MOD_DELAYED || op == OP_CANCEL_DELAYED_SYNC);

	down_read(&s->lock);
	if (s->wq) {
		if (serialise)
			mutex_lock(&w->mod_lock);
		hit = torture_do(&op, s, w);
		if (serialise)
			mutex_unlock(&w->mod_lock);
		torture_count(op, w, hit);
	}
	up_read(&s->lock);
}

static int torture_thread(void *arg)
{
	struct torture *t = the_torture;

	while (!READ_ONCE(t->stop)) {
		torture_op(t);
		cond_resched();
	}
	complete(&t->done[(long)arg]);
	return 0;
}

/* Destroy every queue, lowest slot first: works only wait upwards. */
static int torture_settle_thread(void *arg)
{
	struct torture *t = the_torture;
	struct tslot *s;
	int i;

	for (s = t->slots; s < t->slots + TORTURE_SLOTS; s++) {
		down_write(&s->lock);
		if (s->wq)
			torture_destroy_wq(s);
		up_write(&s->lock);
		for (i = 0; i < TORTURE_WORKS; i++)
			t->nr_bad += !!cmwq_work_busy(&s->works[i].dw.work);
	}
	complete(&t->settled);
	return 0;
}

/* A bounded wait, awake every second for the hung task detector. */
static bool torture_wait(struct completion *done, unsigned int secs)
{
	while (secs--)
		if (wait_for_completion_timeout(done, HZ))
			return true;
	return false;
}

static unsigned long torture_create_failed(void)
{
	struct cmwq_test_pool_stats stats;
	unsigned long sum = 0;
	int cpu, pri;

	for (pri = 0; pri < 2; pri++) {
		for_each_possible_cpu(cpu)
			if (!cmwq_test_pool_stats(cpu, pri, &stats))
				sum += stats.nr_create_failed;
		if (!cmwq_test_pool_stats(CMWQ_CPU_UNBOUND, pri, &stats))
			sum += stats.nr_create_failed;
	}
	return sum;
}

static int torture_init_slots(struct torture *t)
{
	struct tslot *s;
	struct tw *w;
	int i;

	for (s = t->slots; s < t->slots + TORTURE_SLOTS; s++) {
		s->id = s - t->slots;
		init_rwsem(&s->lock);
		for (i = 0; i < TORTURE_WORKS; i++) {
			w = &s->works[i];
			w->slot = s;
			w->delayed = i >= TORTURE_PLAIN;
			mutex_init(&w->mod_lock);
			if (w->delayed)
				__cmwq_init_delayed_work(&w->dw, torture_work_fn,
							 false, "torture_work",
							 &torture_work_keys[s->id],
							 &torture_timer_key);
			else
				__cmwq_init_work(&w->dw.work, torture_work_fn,
						 false, "torture_work",
						 &torture_work_keys[s->id]);
		}
	}
	/* every flavour from the start */
	for (s = t->slots; s < t->slots + TORTURE_SLOTS; s++) {
		torture_alloc_wq(s, s->id % NR_FLAVOURS);
		if (!s->wq)
			return -ENOMEM;
	}
	for (i = 0; i < NR_THREAD_OPS; i++)
		t->total_weight += ops[i].weight;
	return 0;
}

/* Count the works whose runs are not queued - cancelled; show a few. */
static int torture_miscounted(struct torture *t, unsigned long *runs)
{
	int i, bad = 0, r, q, c;
	struct tslot *s;

	*runs = 0;
	for (s = t->slots; s < t->slots + TORTURE_SLOTS; s++) {
		for (i = 0; i < TORTURE_WORKS; i++) {
			r = atomic_read(&s->works[i].runs);
			q = atomic_read(&s->works[i].queued);
			c = atomic_read(&s->works[i].cancelled);
			*runs += r;
			if (r == q - c)
				continue;
			if (bad++ < 10)
				pr_err("cmwq-torture: slot %d %s work %d: %d runs, %d queued, %d cancelled\n",
				       s->id, s->works[i].delayed ? "delayed" : "plain",
				       i, r, q, c);
		}
	}
	return bad;
}

static void torture_report(struct torture *t, unsigned int secs,
			   struct cmwq_onoff *o, unsigned long failed,
			   unsigned long runs)
{
	unsigned long nr_ops = 0;
	int op, fl, created = 0, destroyed = 0;

	for (op = 0; op < NR_THREAD_OPS; op++)
		nr_ops += atomic_long_read(&t->tried[op]);
	for (fl = 0; fl < NR_FLAVOURS; fl++) {
		created += atomic_read(&t->created[fl]);
		destroyed += atomic_read(&t->destroyed[fl]);
	}
	pr_info("cmwq-torture: %u s, %u threads: %lu ops (%lu/s), %lu runs, %d/%d CPU transitions, %lu creation failures, %d/%d queues created/destroyed\n",
		secs, threads, nr_ops, nr_ops / max(secs, 1U), runs,
		o->offlines + o->onlines, o->attempts, failed, created,
		destroyed);
	for (op = 0; op < NR_OPS; op++)
		pr_info("cmwq-torture: op %s: %ld tried, %ld %s\n", ops[op].name,
			atomic_long_read(&t->tried[op]),
			atomic_long_read(&t->hit[op]), ops[op].hit);
	pr_info("cmwq-torture: hotplug: %d attempts, %d offline, %d online, %d busy, %d failed\n",
		o->attempts, o->offlines, o->onlines, o->busy, o->failed);
	for (fl = 0; fl < NR_FLAVOURS; fl++)
		pr_info("cmwq-torture: queues %s: %d created, %d destroyed\n",
			flavours[fl].name, atomic_read(&t->created[fl]),
			atomic_read(&t->destroyed[fl]));
	pr_info("cmwq-torture: %d queue allocations failed\n",
		atomic_read(&t->alloc_failed));
}

/* Hotplug and the failure rate until the deadline. */
static int torture_run(struct torture *t, struct cmwq_onoff *o)
{
	unsigned long start = jiffies, deadline = start + seconds * HZ;
	unsigned long next_rate = start, next_report = start;
	unsigned int rate = 0;
	int changes = 0, ret;

	while (time_before(jiffies, deadline)) {
		if (time_after_eq(jiffies, next_rate)) {
			rate = get_random_u32_below(max_fail_rate + 1);
			ret = cmwq_test_fail_create_worker_rate(rate);
			if (ret)
				return ret;
			changes++;
			next_rate += TORTURE_RATE_SECONDS * HZ;
		}
		if (time_after_eq(jiffies, next_report)) {
			pr_info("cmwq-torture: %lu s: %d CPU transitions, creation failing at %u%%, %d rate changes\n",
				(jiffies - start) / HZ,
				o->offlines + o->onlines, rate, changes);
			next_report += TORTURE_REPORT_SECONDS * HZ;
		}
		cmwq_onoff_step(o);
		/* some operations see the CPUs still for a moment */
		msleep(get_random_u32_below(20));
	}
	return 0;
}

static int __init cmwq_torture_init(void)
{
	struct cmwq_onoff o = { .who = "cmwq-torture" };
	unsigned long failed, runs;
	int refusals, ret, bad = 0;
	struct torture *t;
	long i;

	if (!threads || threads > TORTURE_MAX_THREADS || max_fail_rate > 100)
		return -EINVAL;
	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	the_torture = t;
	init_waitqueue_head(&t->runs_wait);
	init_completion(&t->settled);
	if (torture_init_slots(t)) {
		/* nothing was queued yet */
		torture_settle_thread(NULL);
		kfree(t);
		return -ENOMEM;
	}

	failed = torture_create_failed();
	refusals = cmwq_test_nr_refusals();
	/* the timed flushes' reports; a stall or a wait cycle still fails */
	cmwq_test_expect_flush_reports(true);
	pr_info("cmwq-torture: %u s, %u threads, creation failing at 0-%u%%\n",
		seconds, threads, max_fail_rate);
	for (i = 0; i < threads; i++) {
		init_completion(&t->done[i]);
		if (IS_ERR(kthread_run(torture_thread, (void *)i,
				       "cmwq_torture%ld", i))) {
			pr_err("cmwq-torture: FAIL thread %ld not started\n", i);
			complete(&t->done[i]);
			bad++;
		}
	}
	ret = torture_run(t, &o);
	WRITE_ONCE(t->stop, true);
	cmwq_test_fail_create_worker_rate(0);
	if (ret) {
		pr_err("cmwq-torture: FAIL cannot inject creation failures: %d\n",
		       ret);
		bad++;
	}

	for (i = 0; i < threads; i++) {
		if (torture_wait(&t->done[i], TORTURE_STOP_SECONDS))
			continue;
		/* it still uses @t: leak it rather than free it under it */
		pr_err("cmwq-torture: FAIL thread %ld stuck for %d s\n", i,
		       TORTURE_STOP_SECONDS);
		cmwq_test_expect_flush_reports(false);
		return -EIO;
	}
	if (cmwq_onoff_all_online(&o))
		bad++;
	if (IS_ERR(kthread_run(torture_settle_thread, NULL,
			       "cmwq_torture_settle")))
		torture_settle_thread(NULL);
	if (!torture_wait(&t->settled, TORTURE_SETTLE_SECONDS)) {
		pr_err("cmwq-torture: FAIL destroying the queues took over %d s\n",
		       TORTURE_SETTLE_SECONDS);
		cmwq_test_expect_flush_reports(false);
		return -EIO;
	}

	cmwq_test_expect_flush_reports(false);
	failed = torture_create_failed() - failed;
	refusals = cmwq_test_nr_refusals() - refusals;
	ret = torture_miscounted(t, &runs);
	torture_report(t, seconds, &o, failed, runs);
	if (ret) {
		pr_err("cmwq-torture: FAIL %d works miscounted\n", ret);
		bad++;
	}
	if (t->nr_bad) {
		pr_err("cmwq-torture: FAIL %d works still busy at the end\n",
		       t->nr_bad);
		bad++;
	}
	if (refusals) {
		pr_err("cmwq-torture: FAIL cmwq refused %d calls\n", refusals);
		bad++;
	}
	if (!bad)
		pr_info("cmwq-torture: PASS\n");
	kfree(t);
	return bad ? -EIO : 0;
}

static void __exit cmwq_torture_exit(void)
{
}

module_init(cmwq_torture_init);
module_exit(cmwq_torture_exit);
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_DESCRIPTION("Torture test of every cmwq entry point under CPU hotplug and failing worker creation");
