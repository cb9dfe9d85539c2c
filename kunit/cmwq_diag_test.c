// SPDX-License-Identifier: GPL-2.0
/*
 * cmwq_diag_test.c - KUnit: cmwq saying what its works are doing
 *
 * Who queued a work: each case queues from a function of its own,
 * noinline so that the return address of the queueing call is inside
 * it, and finds that function's name beside the work's state in the
 * dump debugfs' "workqueues" shows (the test interface renders the same
 * dump into a buffer).  Works are held where the case wants them: behind
 * a blocked work on a max_active 1 queue (inactive), behind a CPU-bound
 * work on a bound pool (pending on the worklist).  Every wait is a
 * completion or a poll with a deadline.
 */
#include <kunit/test.h>
#include <linux/string.h>

#include "cmwq_kunit.h"

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
				       "queued by diag_queue_first+", ", sleeping"), "%s", q);
	KUNIT_EXPECT_TRUE_MSG(test,
			      has_line(q, "inactive diag_count_fn ",
				       "queued by diag_queue_second+", " ms ago"), "%s", q);

	complete(&blocker->go);
	KUNIT_EXPECT_COMPLETES(test, &behind->done);
}

/*
 * A work stuck on the worklist behind a CPU-bound one (concurrency
 * management starts no second worker for it): pending, with who queued
 * it; the spinner shows on its CPU.
 */
static void who_queued_pending(struct kunit *test)
{
	int cpu = cmwq_first_other_cpu(raw_smp_processor_id());
	struct item *spinner = new_item(test, diag_spin_fn);
	struct item *pending = new_item(test, diag_count_fn);
	char *dump = kunit_kzalloc(test, DUMP_SIZE, GFP_KERNEL);
	struct cmwq_workqueue *wq;
	const char *q;

	if (cpu < 0)
		kunit_skip(test, "needs two online CPUs");
	KUNIT_ASSERT_NOT_NULL(test, dump);
	wq = cmwq_kunit_alloc_wq(test, "diag_pending", 0, 0);
	KUNIT_ASSERT_NOT_NULL(test, wq);

	diag_queue_first(wq, cpu, spinner);
	KUNIT_ASSERT_COMPLETES(test, &spinner->started);
	diag_queue_second(wq, cpu, pending);
	q = dump_queue(test, dump, "diag_pending");
	KUNIT_EXPECT_TRUE_MSG(test,
			      has_line(q, "running  diag_spin_fn ",
				       "queued by diag_queue_first+", ", on a CPU"), "%s", q);
	KUNIT_EXPECT_TRUE_MSG(test,
			      has_line(q, "pending  diag_count_fn ",
				       "queued by diag_queue_second+", " ms ago"), "%s", q);

	WRITE_ONCE(spinner->stop, true);
	KUNIT_EXPECT_COMPLETES(test, &pending->done);
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
				       "queued by diag_arm_delayed+", " ms ago"), "%s", q);

	complete(&blocker->go);
	KUNIT_EXPECT_COMPLETES(test, &delayed->done);
}

static struct kunit_case cmwq_diag_cases[] = {
	KUNIT_CASE(who_queued_running_and_inactive),
	KUNIT_CASE(who_queued_pending),
	KUNIT_CASE(who_queued_delayed),
	{}
};

static struct kunit_suite cmwq_diag_suite = {
	.name = "cmwq_diag",
	.test_cases = cmwq_diag_cases,
};

kunit_test_suites(&cmwq_diag_suite);

MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_DESCRIPTION("KUnit tests of what cmwq reports about its works");
