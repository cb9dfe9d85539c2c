/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cmwq_churn.h - a random queue/cancel/flush load with exact accounting
 *
 * Shared by the engine and hotplug KUnit suites and the stress module.
 * Each step picks a random work of a fixed set and does to it what
 * drivers do: queue it on a given CPU, cancel it (sync or not), flush it,
 * now and then flush the whole queue.  Every successful queueing and
 * cancellation is counted, and the work function counts runs, so once
 * the load stops and the queue is flushed, runs == queued - cancelled
 * must hold for every work: nothing lost, nothing run twice.
 */
#ifndef _CMWQ_CHURN_H
#define _CMWQ_CHURN_H

#include <linux/atomic.h>
#include <linux/random.h>
#include <linux/slab.h>

#include "cmwq.h"

struct cmwq_churn {
	struct cmwq_workqueue	*wq;
	int			nr;
	struct cmwq_work	*works;
	atomic_t		*runs;
	atomic_t		*queued;
	atomic_t		*cancelled;
};

static inline void cmwq_churn_free(struct cmwq_churn *c)
{
	kfree(c->works);
	kfree(c->runs);
	kfree(c->queued);
	kfree(c->cancelled);
}

/* @fn must call cmwq_churn_ran() for its work. */
static inline int cmwq_churn_init(struct cmwq_churn *c, int nr,
				  struct cmwq_workqueue *wq, cmwq_func_t fn)
{
	int i;

	c->wq = wq;
	c->nr = nr;
	c->works = kcalloc(nr, sizeof(*c->works), GFP_KERNEL);
	c->runs = kcalloc(nr, sizeof(*c->runs), GFP_KERNEL);
	c->queued = kcalloc(nr, sizeof(*c->queued), GFP_KERNEL);
	c->cancelled = kcalloc(nr, sizeof(*c->cancelled), GFP_KERNEL);
	if (!c->works || !c->runs || !c->queued || !c->cancelled) {
		cmwq_churn_free(c);
		return -ENOMEM;
	}
	for (i = 0; i < nr; i++)
		CMWQ_INIT_WORK(&c->works[i], fn);
	return 0;
}

/* Count a run; returns the work's index. */
static inline int cmwq_churn_ran(struct cmwq_churn *c, struct cmwq_work *work)
{
	int i = work - c->works;

	atomic_inc(&c->runs[i]);
	return i;
}

/* One random step on a random work, queueing on @cpu if it queues. */
static inline void cmwq_churn_step(struct cmwq_churn *c, int cpu)
{
	int i = get_random_u32_below(c->nr);

	switch (get_random_u32_below(8)) {
	case 0 ... 3:
		if (cmwq_queue_work_on(cpu, c->wq, &c->works[i]))
			atomic_inc(&c->queued[i]);
		break;
	case 4:
		if (cmwq_cancel_work(&c->works[i]))
			atomic_inc(&c->cancelled[i]);
		break;
	case 5:
		if (cmwq_cancel_work_sync(&c->works[i]))
			atomic_inc(&c->cancelled[i]);
		break;
	case 6:
		cmwq_flush_work(&c->works[i]);
		break;
	default:
		if (!get_random_u32_below(32))
			cmwq_flush_workqueue(c->wq);
		break;
	}
}

/* After the load stopped: flush, then count the works miscounted. */
static inline int cmwq_churn_miscounted(struct cmwq_churn *c,
					unsigned long *runs)
{
	int i, bad = 0;

	cmwq_flush_workqueue(c->wq);
	*runs = 0;
	for (i = 0; i < c->nr; i++) {
		*runs += atomic_read(&c->runs[i]);
		bad += atomic_read(&c->runs[i]) !=
		       atomic_read(&c->queued[i]) -
		       atomic_read(&c->cancelled[i]);
	}
	return bad;
}

#endif /* _CMWQ_CHURN_H */
