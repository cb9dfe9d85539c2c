/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cmwq_kunit.h - helpers shared by cmwq's KUnit suites
 *
 * Every wait is bounded: a case that would hang fails instead.  Polling
 * helpers exist only for pool state that has no event to wait on; they
 * give up at a deadline.
 */
#ifndef _CMWQ_KUNIT_H
#define _CMWQ_KUNIT_H

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>

#include "cmwq.h"
#include "cmwq_test.h"

/* long enough for the debug kernel under TCG, short enough to fail fast */
#define CMWQ_KUNIT_TIMEOUT	(10 * HZ)

#define KUNIT_EXPECT_COMPLETES(test, done)				\
	KUNIT_EXPECT_GT(test, wait_for_completion_timeout((done),	\
				CMWQ_KUNIT_TIMEOUT), 0UL)

#define KUNIT_ASSERT_COMPLETES(test, done)				\
	KUNIT_ASSERT_GT(test, wait_for_completion_timeout((done),	\
				CMWQ_KUNIT_TIMEOUT), 0UL)

/*
 * Poll @cond every few milliseconds until it holds or @timeout jiffies
 * pass.  Evaluates to the final value of @cond.
 */
#define cmwq_poll(cond, timeout)					\
({									\
	unsigned long __deadline = jiffies + (timeout);			\
	bool __ok;							\
									\
	while (!(__ok = (cond)) && time_before(jiffies, __deadline))	\
		usleep_range(2000, 4000);				\
	__ok;								\
})

/* Track how many functions run at once and the most seen. */
struct cmwq_concurrency {
	atomic_t	now;
	atomic_t	max;
};

static inline void cmwq_concurrency_enter(struct cmwq_concurrency *c)
{
	int now = atomic_inc_return(&c->now);
	int max = atomic_read(&c->max);

	while (now > max && !atomic_try_cmpxchg(&c->max, &max, now))
		;
}

static inline void cmwq_concurrency_exit(struct cmwq_concurrency *c)
{
	atomic_dec(&c->now);
}

/*
 * Stay busy, never sleeping, for @ms milliseconds: the worker remains
 * runnable throughout, as a CPU-bound work's does.
 */
static inline void cmwq_busy_wait_ms(unsigned int ms)
{
	u64 end = ktime_get_ns() + (u64)ms * NSEC_PER_MSEC;

	while (ktime_get_ns() < end)
		cpu_relax();
}

static inline int cmwq_first_other_cpu(int cpu)
{
	int other;

	for_each_online_cpu(other)
		if (other != cpu)
			return other;
	return -1;
}

#endif /* _CMWQ_KUNIT_H */
