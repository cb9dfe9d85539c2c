/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cmwq_kunit.h - helpers shared by cmwq's KUnit suites
 *
 * Every wait is bounded: a case that would hang fails instead.  Polling
 * helpers exist only for pool state that has no event to wait on; they
 * give up at a deadline.
 *
 * A queue a case allocates with cmwq_kunit_alloc_wq() is a KUnit resource:
 * it is destroyed when the case ends, after the suite's exit hook, even
 * if an assertion ended the case half-way.  Resources are released in
 * the reverse order of their allocation, so a case allocates the memory
 * of its works (kunit_kzalloc()) before the queue that runs them: the
 * queue is drained and gone before that memory is freed.  A case that
 * checks what a destroy does at a given point calls
 * cmwq_kunit_destroy_wq(); one whose own thread destroys the queue hands
 * it over with cmwq_kunit_hand_over_wq().  Neither queue is destroyed
 * twice.
 */
#ifndef _CMWQ_KUNIT_H
#define _CMWQ_KUNIT_H

#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/fs.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/kallsyms.h>
#include <linux/ktime.h>
#include <linux/string.h>

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

static inline int cmwq_kunit_wq_init(struct kunit_resource *res, void *wq)
{
	res->data = wq;
	return 0;
}

/* NULL once the queue was handed over to a destroyer of the case's own */
static inline void cmwq_kunit_wq_free(struct kunit_resource *res)
{
	if (res->data)
		cmwq_destroy_workqueue(res->data);
}

/* Make @wq a resource of @test, destroyed when the case ends.  NULL stays NULL. */
static inline struct cmwq_workqueue *
cmwq_kunit_adopt_wq(struct kunit *test, struct cmwq_workqueue *wq)
{
	if (!wq)
		return NULL;
	if (!kunit_alloc_resource(test, cmwq_kunit_wq_init, cmwq_kunit_wq_free,
				  GFP_KERNEL, wq)) {
		cmwq_destroy_workqueue(wq);
		return NULL;
	}
	return wq;
}

/* cmwq_alloc_workqueue(), the queue destroyed when the case ends */
#define cmwq_kunit_alloc_wq(test, fmt, flags, max_active, args...)	\
	cmwq_kunit_adopt_wq((test), cmwq_alloc_workqueue((fmt), (flags), \
							 (max_active), ##args))

#define cmwq_kunit_alloc_ordered_wq(test, fmt, flags, args...)		\
	cmwq_kunit_adopt_wq((test),					\
			    cmwq_alloc_ordered_workqueue((fmt), (flags), ##args))

static inline bool cmwq_kunit_wq_match(struct kunit *test,
				       struct kunit_resource *res, void *wq)
{
	return res->free == cmwq_kunit_wq_free && res->data == wq;
}

/*
 * Destroy a queue of cmwq_kunit_alloc_wq() now, for a case that checks
 * what happens at that point; the case's end then leaves it alone.
 */
static inline void cmwq_kunit_destroy_wq(struct kunit *test,
					 struct cmwq_workqueue *wq)
{
	KUNIT_EXPECT_EQ(test, kunit_destroy_resource(test, cmwq_kunit_wq_match,
						     wq), 0);
}

/*
 * Hand a queue of cmwq_kunit_alloc_wq() over to a thread of the case that
 * destroys it (a destroy raced against something else): from now on the
 * case's end leaves it alone.  Call it once that thread runs, so that a
 * case failing before still has the queue destroyed.
 */
static inline void cmwq_kunit_hand_over_wq(struct kunit *test,
					   struct cmwq_workqueue *wq)
{
	struct kunit_resource *res;

	res = kunit_find_resource(test, cmwq_kunit_wq_match, wq);
	if (!res)
		return;
	res->data = NULL;
	kunit_put_resource(res);
}

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

/*
 * Is @addr inside the function named @name?  How the cases check who
 * queued a work: the return address a report or a dump names.
 */
static inline bool cmwq_symbol_is(unsigned long addr, const char *name)
{
	char sym[KSYM_SYMBOL_LEN];

	sprint_symbol_no_offset(sym, addr);
	return !strncmp(sym, name, strlen(name)) &&
	       (sym[strlen(name)] == '\0' || sym[strlen(name)] == ' ');
}

/*
 * Does @caller, a work's origin as a report gave it, name the function
 * @name?  Where works do not record their origin (CMWQ_WORK_ORIGIN in
 * cmwq.h) every report gives 0.
 */
static inline bool cmwq_caller_is(unsigned long caller, const char *name)
{
	if (!CMWQ_WORK_ORIGIN)
		return caller == 0;
	return cmwq_symbol_is(caller, name);
}

/* @text, which a line says of a work's origin, or "" where it says none */
static inline const char *cmwq_origin_text(const char *text)
{
	return CMWQ_WORK_ORIGIN ? text : "";
}

/*
 * Read the start of the sysfs or debugfs file at @path into @buf, as
 * text without its surrounding white space (a value and its newline).
 * Return: 0, or the negative errno of the open or the read.
 */
static inline int cmwq_kunit_read_text(const char *path, char *buf,
				       size_t len)
{
	struct file *f = filp_open(path, O_RDONLY, 0);
	loff_t pos = 0;
	ssize_t ret;

	if (IS_ERR(f))
		return PTR_ERR(f);
	ret = kernel_read(f, buf, len - 1, &pos);
	filp_close(f, NULL);
	if (ret < 0)
		return ret;
	buf[ret] = '\0';
	strim(buf);
	return 0;
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
