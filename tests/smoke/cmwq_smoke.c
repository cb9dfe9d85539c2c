// SPDX-License-Identifier: GPL-2.0
/*
 * cmwq_smoke.c - a short pass over cmwq's public API, for kernels
 * without KUnit
 *
 * Debian's stock kernels have no KUnit, so the suites cannot run there;
 * this module is what `make check` loads on them instead, next to the
 * example driver.  At load it takes each family of the exported API
 * once through its everyday use: work items queued on every CPU, on an
 * unbound, an ordered and a reclaim queue; delayed works modified and
 * cancelled; cancel of a pending work; works that sleep together;
 * cmwq_schedule_on_each_cpu() and cmwq_work_on_cpu(); a Solaris taskq
 * (dispatch, a delayed dispatch cancelled, waits by id); a NetBSD task on
 * the system taskqueue.  It prints one "cmwq-smoke: ok <what>" line per
 * step, "cmwq-smoke: PASS" at the end, and refuses to load (after
 * printing "FAIL <what>") on the first step that does not hold.
 *
 * It checks results, never times: every wait is bounded, so a hang fails
 * the load instead of stalling the boot.
 */
#define pr_fmt(fmt) "cmwq-smoke: " fmt

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/cpu.h>
#include <linux/delay.h>
#include <linux/module.h>
#include <linux/sched/prio.h>
#include <linux/slab.h>

#include "cmwq.h"
#include "cmwq_netbsd.h"
#include "cmwq_taskq.h"

#define SMOKE_TIMEOUT	(10 * HZ)
#define SMOKE_SLEEPERS	8
#define SMOKE_ORDERED	16

struct smoke_item {
	struct cmwq_work	work;
	int			cpu_seen;
	int			seq;
	struct completion	done;
};

static atomic_t smoke_count;
static int smoke_order[SMOKE_ORDERED];
static atomic_t smoke_order_pos;

static void smoke_record_fn(struct cmwq_work *work)
{
	struct smoke_item *it = container_of(work, struct smoke_item, work);

	it->cpu_seen = raw_smp_processor_id();
	atomic_inc(&smoke_count);
	complete(&it->done);
}

static void smoke_sleep_fn(struct cmwq_work *work)
{
	struct smoke_item *it = container_of(work, struct smoke_item, work);

	msleep(20);
	complete(&it->done);
}

static void smoke_order_fn(struct cmwq_work *work)
{
	struct smoke_item *it = container_of(work, struct smoke_item, work);
	int pos = atomic_inc_return(&smoke_order_pos) - 1;

	if (pos < SMOKE_ORDERED)
		smoke_order[pos] = it->seq;
	complete(&it->done);
}

static void smoke_count_fn(struct cmwq_work *work)
{
	atomic_inc(&smoke_count);
}

static bool smoke_wait(struct completion *done)
{
	return wait_for_completion_timeout(done, SMOKE_TIMEOUT);
}

/* Report a step; true if it failed (*ret then says how, never 0). */
static bool smoke_step(int *ret, const char *what)
{
	if (!*ret) {
		pr_info("ok %s\n", what);
		return false;
	}
	pr_err("FAIL %s (%d)\n", what, *ret);
	return true;
}

/* One work per online CPU on a bound queue, each run on its own CPU. */
static int smoke_per_cpu(struct cmwq_workqueue *wq, struct smoke_item *items)
{
	int cpu, ret = 0;

	cpus_read_lock();
	for_each_online_cpu(cpu) {
		CMWQ_INIT_WORK(&items[cpu].work, smoke_record_fn);
		init_completion(&items[cpu].done);
		items[cpu].cpu_seen = -1;
		cmwq_queue_work_on(cpu, wq, &items[cpu].work);
	}
	for_each_online_cpu(cpu) {
		if (!smoke_wait(&items[cpu].done) || items[cpu].cpu_seen != cpu)
			ret = -EIO;
	}
	cpus_read_unlock();
	return ret;
}

/* Works that sleep at once all finish: sleeping hands the CPU on. */
static int smoke_sleepers(struct cmwq_workqueue *wq)
{
	struct smoke_item *items;
	int i, ret = 0;

	items = kcalloc(SMOKE_SLEEPERS, sizeof(*items), GFP_KERNEL);
	if (!items)
		return -ENOMEM;
	for (i = 0; i < SMOKE_SLEEPERS; i++) {
		CMWQ_INIT_WORK(&items[i].work, smoke_sleep_fn);
		init_completion(&items[i].done);
		cmwq_queue_work(wq, &items[i].work);
	}
	for (i = 0; i < SMOKE_SLEEPERS; i++)
		if (!smoke_wait(&items[i].done))
			ret = -EIO;
	cmwq_flush_workqueue(wq);
	kfree(items);
	return ret;
}

/* An ordered queue runs its works one at a time, in queueing order. */
static int smoke_ordered(void)
{
	struct cmwq_workqueue *wq;
	struct smoke_item *items;
	int i, ret = 0;

	wq = cmwq_alloc_ordered_workqueue("cmwq_smoke_ordered", 0);
	if (!wq)
		return -ENOMEM;
	items = kcalloc(SMOKE_ORDERED, sizeof(*items), GFP_KERNEL);
	if (!items) {
		ret = -ENOMEM;
		goto destroy_wq;
	}
	atomic_set(&smoke_order_pos, 0);
	for (i = 0; i < SMOKE_ORDERED; i++) {
		CMWQ_INIT_WORK(&items[i].work, smoke_order_fn);
		init_completion(&items[i].done);
		items[i].seq = i;
		cmwq_queue_work(wq, &items[i].work);
	}
	for (i = 0; i < SMOKE_ORDERED; i++) {
		if (!smoke_wait(&items[i].done) || smoke_order[i] != i)
			ret = -EIO;
	}
	kfree(items);
destroy_wq:
	cmwq_destroy_workqueue(wq);
	return ret;
}

/* What smoke_delayed_and_cancel() works on: on the heap, for its size. */
struct smoke_cancel {
	struct cmwq_delayed_work	soon, never;
	struct smoke_item		blocker, pending;
};

/*
 * Delayed works: one modified to run at once runs; one cancelled before
 * its timer fires never does; a work cancelled while still pending (its
 * queue held back by a sleeping work on an ordered queue) never runs.
 */
static int smoke_delayed_and_cancel(struct cmwq_workqueue *wq)
{
	struct cmwq_workqueue *ordered;
	struct smoke_cancel *c;
	int ret = 0;

	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	atomic_set(&smoke_count, 0);
	CMWQ_INIT_DELAYED_WORK(&c->soon, smoke_count_fn);
	CMWQ_INIT_DELAYED_WORK(&c->never, smoke_count_fn);
	cmwq_queue_delayed_work(wq, &c->soon, 3600 * HZ);
	cmwq_queue_delayed_work(wq, &c->never, 3600 * HZ);
	if (!cmwq_mod_delayed_work(wq, &c->soon, 0))
		ret = -EIO;
	/* it may have run already: the count, not the return, tells */
	cmwq_flush_delayed_work(&c->soon);
	if (!cmwq_cancel_delayed_work_sync(&c->never))
		ret = -EIO;
	if (ret || atomic_read(&smoke_count) != 1) {
		ret = -EIO;
		goto free_c;
	}

	ordered = cmwq_alloc_ordered_workqueue("cmwq_smoke_cancel", 0);
	if (!ordered) {
		ret = -ENOMEM;
		goto free_c;
	}
	CMWQ_INIT_WORK(&c->blocker.work, smoke_sleep_fn);
	init_completion(&c->blocker.done);
	CMWQ_INIT_WORK(&c->pending.work, smoke_record_fn);
	init_completion(&c->pending.done);
	cmwq_queue_work(ordered, &c->blocker.work);
	cmwq_queue_work(ordered, &c->pending.work);
	if (!cmwq_cancel_work_sync(&c->pending.work))
		ret = -EIO;
	if (!smoke_wait(&c->blocker.done))
		ret = -EIO;
	cmwq_flush_workqueue(ordered);
	if (completion_done(&c->pending.done))
		ret = -EIO;
	cmwq_destroy_workqueue(ordered);
free_c:
	kfree(c);
	return ret;
}

static long smoke_cpu_fn(void *arg)
{
	return raw_smp_processor_id();
}

/* cmwq_schedule_on_each_cpu() and cmwq_work_on_cpu(). */
static int smoke_each_cpu(void)
{
	int cpu, ret;

	/* no CPU comes or goes while the smoke runs */
	atomic_set(&smoke_count, 0);
	ret = cmwq_schedule_on_each_cpu(smoke_count_fn);
	if (!ret && atomic_read(&smoke_count) != num_online_cpus())
		ret = -EIO;
	if (ret)
		return ret;
	cpu = cpumask_last(cpu_online_mask);
	return cmwq_work_on_cpu(cpu, smoke_cpu_fn, NULL) == cpu ? 0 : -EIO;
}

static void smoke_task_fn(void *arg)
{
	atomic_inc(arg);
}

/*
 * A Solaris taskq: ids from 1, a delayed task cancelled before it runs
 * (0, as SPL answers), waits by id and for everything.
 */
static int smoke_taskq(void)
{
	struct cmwq_taskq *tq;
	unsigned long first, id, delayed;
	atomic_t ran = ATOMIC_INIT(0);
	int i, ret = 0;

	tq = cmwq_taskq_create("cmwq_smoke_tq", 4, MAX_RT_PRIO, 4, 64,
			       CMWQ_TASKQ_PREPOPULATE);
	if (!tq)
		return -ENOMEM;
	first = cmwq_taskq_dispatch(tq, smoke_task_fn, &ran, CMWQ_TQ_SLEEP);
	if (first != 1)
		ret = -EIO;
	for (i = 0; i < 63; i++) {
		id = cmwq_taskq_dispatch(tq, smoke_task_fn, &ran,
					 CMWQ_TQ_SLEEP);
		if (!id)
			ret = -EIO;
	}
	delayed = cmwq_taskq_dispatch_delay(tq, smoke_task_fn, &ran,
					    CMWQ_TQ_SLEEP, jiffies + 3600 * HZ);
	if (!delayed || cmwq_taskq_cancel_id(tq, delayed) != 0)
		ret = -EIO;
	cmwq_taskq_wait_id(tq, first);
	cmwq_taskq_wait(tq);
	if (atomic_read(&ran) != 64)
		ret = -EIO;
	cmwq_taskq_destroy(tq);
	return ret;
}

struct smoke_nbtask {
	struct cmwq_task	task;
	struct completion	done;
};

static void smoke_nbtask_fn(struct cmwq_task *task)
{
	struct smoke_nbtask *t = container_of(task, struct smoke_nbtask,
					      task);

	complete(&t->done);
}

/* A NetBSD task(9) task on the system taskqueue, then drained. */
static int smoke_netbsd_task(void)
{
	struct smoke_nbtask *t;
	int ret = 0;

	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	init_completion(&t->done);
	cmwq_task_init(&t->task, smoke_nbtask_fn);
	cmwq_task_schedule(&t->task);
	if (!smoke_wait(&t->done))
		ret = -EIO;
	/* the task must be out of cmwq before its memory goes */
	cmwq_task_drain();
	cmwq_task_destroy(&t->task);
	kfree(t);
	return ret;
}

static int __init cmwq_smoke_init(void)
{
	struct cmwq_workqueue *bound, *unbound, *reclaim;
	struct smoke_item *items;
	int ret = -ENOMEM;

	items = kcalloc(nr_cpu_ids, sizeof(*items), GFP_KERNEL);
	if (!items)
		return -ENOMEM;
	bound = cmwq_alloc_workqueue("cmwq_smoke", 0, 0);
	if (!bound)
		goto free_items;
	unbound = cmwq_alloc_workqueue("cmwq_smoke_unbound", CMWQ_UNBOUND, 0);
	if (!unbound)
		goto destroy_bound;
	reclaim = cmwq_alloc_workqueue("cmwq_smoke_reclaim",
				       CMWQ_MEM_RECLAIM, 1);
	if (!reclaim)
		goto destroy_unbound;

	ret = smoke_per_cpu(bound, items);
	if (smoke_step(&ret, "per-CPU works on their CPUs"))
		goto destroy_reclaim;
	ret = smoke_sleepers(bound) ?: smoke_sleepers(unbound) ?:
	      smoke_sleepers(reclaim);
	if (smoke_step(&ret, "sleeping works on bound, unbound and reclaim queues"))
		goto destroy_reclaim;
	ret = smoke_ordered();
	if (smoke_step(&ret, "an ordered queue runs in order"))
		goto destroy_reclaim;
	ret = smoke_delayed_and_cancel(bound);
	if (smoke_step(&ret, "delayed works, cancel of a pending work"))
		goto destroy_reclaim;
	ret = smoke_each_cpu();
	if (smoke_step(&ret, "schedule_on_each_cpu, work_on_cpu"))
		goto destroy_reclaim;
	ret = smoke_taskq();
	if (smoke_step(&ret, "a Solaris taskq"))
		goto destroy_reclaim;
	ret = smoke_netbsd_task();
	if (smoke_step(&ret, "a NetBSD task"))
		goto destroy_reclaim;
	pr_info("PASS\n");
destroy_reclaim:
	cmwq_destroy_workqueue(reclaim);
destroy_unbound:
	cmwq_destroy_workqueue(unbound);
destroy_bound:
	cmwq_destroy_workqueue(bound);
free_items:
	kfree(items);
	return ret;
}

static void __exit cmwq_smoke_exit(void)
{
}

module_init(cmwq_smoke_init);
module_exit(cmwq_smoke_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("cmwq: a short pass over the public API, without KUnit");
