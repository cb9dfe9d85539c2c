// SPDX-License-Identifier: GPL-2.0
/*
 * cmwq_example.c - a small driver using cmwq the way drivers use it
 *
 * At load it exercises the everyday API and reports on the console:
 * per-CPU works, works that sleep (which cmwq serves with more workers
 * only while they block), a delayed work, an ordered queue and a
 * cancelled work.  It prints "cmwq-example: ok" when every check held,
 * which `make run` and the stock-kernel smoke test of `make check` look
 * for, and refuses to load otherwise.
 */
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "cmwq.h"

#define NR_SLEEPERS	8
#define NR_ORDERED	16

struct example_item {
	struct cmwq_work	work;
	int			cpu_wanted;
	int			cpu_seen;
	struct task_struct	*task;
	int			seq;
};

static struct cmwq_workqueue *example_wq;
static struct cmwq_workqueue *example_ordered_wq;
static atomic_t example_executed = ATOMIC_INIT(0);
static int example_order[NR_ORDERED];
static atomic_t example_order_pos = ATOMIC_INIT(0);

static void per_cpu_fn(struct cmwq_work *work)
{
	struct example_item *it = container_of(work, struct example_item,
					       work);

	it->cpu_seen = raw_smp_processor_id();
	atomic_inc(&example_executed);
}

static void sleeper_fn(struct cmwq_work *work)
{
	struct example_item *it = container_of(work, struct example_item,
					       work);

	it->task = current;
	msleep(20);
	atomic_inc(&example_executed);
}

static void ordered_fn(struct cmwq_work *work)
{
	struct example_item *it = container_of(work, struct example_item,
					       work);

	example_order[atomic_inc_return(&example_order_pos) - 1] = it->seq;
	atomic_inc(&example_executed);
}

static void delayed_fn(struct cmwq_work *work)
{
	atomic_inc(&example_executed);
}

static CMWQ_DECLARE_DELAYED_WORK(example_dwork, delayed_fn);

static int check_per_cpu(struct example_item *items)
{
	int cpu, bad = 0;

	for_each_online_cpu(cpu) {
		items[cpu].cpu_wanted = cpu;
		CMWQ_INIT_WORK(&items[cpu].work, per_cpu_fn);
		cmwq_queue_work_on(cpu, example_wq, &items[cpu].work);
	}
	cmwq_flush_workqueue(example_wq);
	for_each_online_cpu(cpu)
		bad += items[cpu].cpu_seen != cpu;
	pr_info("cmwq-example: %d per-CPU works ran on their CPUs, %d elsewhere\n",
		num_online_cpus() - bad, bad);
	return bad ? -EIO : 0;
}

static int check_sleepers(struct example_item *items)
{
	int i, j, distinct = 0;
	ktime_t start = ktime_get();

	for (i = 0; i < NR_SLEEPERS; i++) {
		CMWQ_INIT_WORK(&items[i].work, sleeper_fn);
		cmwq_queue_work_on(cpumask_first(cpu_online_mask), example_wq,
				   &items[i].work);
	}
	cmwq_flush_workqueue(example_wq);
	for (i = 0; i < NR_SLEEPERS; i++) {
		for (j = 0; j < i && items[j].task != items[i].task; j++)
			;
		distinct += j == i;
	}
	pr_info("cmwq-example: %d works sleeping 20 ms on one CPU took %lld ms with %d workers\n",
		NR_SLEEPERS, ktime_ms_delta(ktime_get(), start), distinct);
	return distinct > 1 ? 0 : -EIO;
}

static int check_ordered(struct example_item *items)
{
	int i;

	for (i = 0; i < NR_ORDERED; i++) {
		items[i].seq = i;
		CMWQ_INIT_WORK(&items[i].work, ordered_fn);
		cmwq_queue_work(example_ordered_wq, &items[i].work);
	}
	cmwq_flush_workqueue(example_ordered_wq);
	for (i = 0; i < NR_ORDERED; i++)
		if (example_order[i] != i)
			break;
	pr_info("cmwq-example: ordered queue ran %d of %d works in order\n", i,
		NR_ORDERED);
	return i == NR_ORDERED ? 0 : -EIO;
}

static int check_delayed_and_cancel(void)
{
	int before = atomic_read(&example_executed);
	bool cancelled;

	/* flushing cuts the delay short and waits for the work */
	cmwq_queue_delayed_work(cmwq_system_wq, &example_dwork, 60 * HZ);
	cmwq_flush_delayed_work(&example_dwork);
	if (atomic_read(&example_executed) != before + 1)
		return -EIO;

	cmwq_queue_delayed_work(example_wq, &example_dwork, 60 * HZ);
	cancelled = cmwq_cancel_delayed_work_sync(&example_dwork);
	pr_info("cmwq-example: delayed work flushed early, a 60 s one %s\n",
		cancelled ? "cancelled" : "NOT cancelled");
	return cancelled ? 0 : -EIO;
}

static int __init cmwq_example_init(void)
{
	struct example_item *items;
	int ret = -ENOMEM;

	items = kcalloc(max_t(int, nr_cpu_ids, NR_ORDERED), sizeof(*items),
			GFP_KERNEL);
	if (!items)
		return -ENOMEM;
	example_wq = cmwq_alloc_workqueue("cmwq_example", 0, 0);
	if (!example_wq)
		goto free_items;
	example_ordered_wq = cmwq_alloc_ordered_workqueue("cmwq_example_ordered",
							  0);
	if (!example_ordered_wq)
		goto destroy_wq;

	ret = check_per_cpu(items);
	ret = ret ?: check_sleepers(items);
	ret = ret ?: check_ordered(items);
	ret = ret ?: check_delayed_and_cancel();

	pr_info("cmwq-example: %d works executed\n",
		atomic_read(&example_executed));
	if (ret)
		pr_err("cmwq-example: FAILED\n");
	else
		pr_info("cmwq-example: ok\n");

	cmwq_destroy_workqueue(example_ordered_wq);
destroy_wq:
	cmwq_destroy_workqueue(example_wq);
free_items:
	kfree(items);
	return ret;
}

static void __exit cmwq_example_exit(void)
{
}

module_init(cmwq_example_init);
module_exit(cmwq_example_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Example driver using cmwq");
