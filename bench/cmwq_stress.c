// SPDX-License-Identifier: GPL-2.0
/*
 * cmwq_stress.c - CPU hotplug stress under a queueing load
 *
 * For `make stress`: for as many seconds as asked, one thread takes a
 * random CPU (never CPU 0) down if it is up and up if it is down, the way
 * rcutorture's onoff thread does, while load threads queue, cancel and
 * flush works on random CPUs (online or not) and another creates, fills,
 * drains and destroys workqueues.  At the end every CPU is brought back
 * and the accounting must be exact: every successful queueing ran or was
 * cancelled, once.  Loading fails (-EIO) if it is not.
 */
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/slab.h>

#include "cmwq_churn.h"
#include "cmwq_onoff.h"

static unsigned int seconds = 60;
module_param(seconds, uint, 0444);
MODULE_PARM_DESC(seconds, "how long to keep CPUs going down and up");

enum { STRESS_WORKS = 64, STRESS_LOADERS = 2 };

struct stress {
	struct cmwq_churn	churn;
	struct completion	done[STRESS_LOADERS + 1];
	atomic_t		wqs_made;
	bool			stop;
};

static struct stress *the_stress;

static void stress_fn(struct cmwq_work *work)
{
	if (cmwq_churn_ran(&the_stress->churn, work) % 8 == 0)
		usleep_range(100, 500);
}

static int loader_thread(void *arg)
{
	struct stress *s = the_stress;

	while (!READ_ONCE(s->stop)) {
		cmwq_churn_step(&s->churn, cmwq_random_cpu());
		cond_resched();
	}
	complete(&s->done[(long)arg]);
	return 0;
}

static void sleep_fn(struct cmwq_work *work)
{
	usleep_range(5000, 6000);
}

static int queue_churn_thread(void *arg)
{
	struct stress *s = the_stress;
	struct cmwq_workqueue *wq;
	struct cmwq_work *work;

	while (!READ_ONCE(s->stop)) {
		work = kmalloc(sizeof(*work), GFP_KERNEL);
		wq = cmwq_alloc_workqueue("stress%d", 0, 0,
					  atomic_inc_return(&s->wqs_made));
		if (work && wq) {
			CMWQ_INIT_WORK(work, sleep_fn);
			cmwq_queue_work_on(cmwq_random_cpu(), wq, work);
			if (get_random_u32_below(2))
				cmwq_drain_workqueue(wq);
			else
				cmwq_flush_workqueue(wq);
		}
		if (wq)
			cmwq_destroy_workqueue(wq);
		kfree(work);
	}
	complete(&s->done[STRESS_LOADERS]);
	return 0;
}

static int __init cmwq_stress_init(void)
{
	struct cmwq_onoff o = { .who = "cmwq-stress" };
	int bad, stuck = 0, i;
	struct cmwq_workqueue *wq;
	unsigned long runs, deadline;
	struct stress *s;

	s = kzalloc(sizeof(*s), GFP_KERNEL);
	wq = cmwq_alloc_workqueue("cmwq_stress", 0, 4);
	if (!s || !wq || cmwq_churn_init(&s->churn, STRESS_WORKS, wq, stress_fn))
		goto free;
	the_stress = s;
	for (i = 0; i <= STRESS_LOADERS; i++)
		init_completion(&s->done[i]);
	for (i = 0; i < STRESS_LOADERS; i++)
		kthread_run(loader_thread, (void *)(long)i, "cmwq_stress%d", i);
	kthread_run(queue_churn_thread, NULL, "cmwq_stress_wqs");

	pr_info("cmwq-stress: CPUs going down and up for %u s under load\n",
		seconds);
	deadline = jiffies + seconds * HZ;
	while (time_before(jiffies, deadline))
		cmwq_onoff_step(&o);

	WRITE_ONCE(s->stop, true);
	for (i = 0; i <= STRESS_LOADERS; i++)
		stuck += !wait_for_completion_timeout(&s->done[i], 60 * HZ);
	if (stuck) {
		/* they still use @s: leak it rather than free it under them */
		pr_err("cmwq-stress: FAILED: %d threads stuck\n", stuck);
		return -EIO;
	}
	cmwq_onoff_all_online(&o);

	bad = cmwq_churn_miscounted(&s->churn, &runs);
	pr_info("cmwq-stress: %d transitions tried: %d offline, %d online; %lu works run, %d queues made\n",
		o.attempts, o.offlines, o.onlines, runs, atomic_read(&s->wqs_made));
	if (bad)
		pr_err("cmwq-stress: FAILED: %d works miscounted\n", bad);
	else
		pr_info("cmwq-stress: ok: every queued work ran or was cancelled, once\n");

	cmwq_destroy_workqueue(wq);
	cmwq_churn_free(&s->churn);
	kfree(s);
	return bad ? -EIO : 0;

free:
	if (wq)
		cmwq_destroy_workqueue(wq);
	kfree(s);
	return -ENOMEM;
}

static void __exit cmwq_stress_exit(void)
{
}

module_init(cmwq_stress_init);
module_exit(cmwq_stress_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("CPU hotplug stress of cmwq under a queueing load");
