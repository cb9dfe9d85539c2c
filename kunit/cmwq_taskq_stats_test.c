// SPDX-License-Identifier: GPL-2.0
/*
 * cmwq_taskq_stats_test.c - KUnit: the Solaris taskqs' kstats and probes
 *
 * Each case runs a known workload on a taskq of its own and checks, field
 * by field, the kstat debugfs shows for it (the test interface hands over
 * the same snapshot and text as the files print; one case checks that the
 * files themselves appear and go in debugfs), or the cmwq_taskq_* trace
 * events its probes recorded.  The workloads make every field exact:
 * tasks that must stay queued wait behind blockers holding all of the
 * taskq's threads, a delayed task waits for a timer far off and is
 * cancelled, and the entries the taskq allocates are counted through its
 * cache of minalloc.  totaltime, the one field that is a time, is
 * bounded by the tasks' own clocks and the case's.
 *
 * These cases use cmwq's own names (cmwq_taskq_*): the cmwq_taskq suite
 * is the one written against the Solaris names only.  Blockers wait for
 * their release with a timeout, so a failing case still ends and its
 * taskq, a KUnit resource, is destroyed.
 */
#include <kunit/test.h>
#include <linux/dcache.h>
#include <linux/debugfs.h>
#include <linux/sched.h>
#include <linux/sched/prio.h>
#include <linux/string.h>
#include <linux/timekeeping.h>

#include "cmwq_kunit.h"
#include "cmwq_taskq.h"
#include "trace.h"

#define SLEEP_MS	20
#define FAR_AWAY	(20 * HZ)	/* a delayed task that must not run */
#define TEXT_SIZE	4096
#define MAX_EVENTS	64

/* A task's argument: what it did, and what lets it finish. */
struct item {
	struct completion	started;
	struct completion	done;
	struct completion	*go;		/* blockers wait for it */
	bool			released;
	unsigned int		sleep_ms;
	u64			ran_ns;		/* sleep_task's own clock */
	pid_t			pid;		/* the worker that ran it */
};

static void item_init(struct item *it, struct completion *go)
{
	memset(it, 0, sizeof(*it));
	init_completion(&it->started);
	init_completion(&it->done);
	it->go = go;
}

static void count_task(void *arg)
{
	struct item *it = arg;

	it->pid = current->pid;
	complete(&it->done);
}

/* Holds one of the taskq's threads until its go, bounded. */
static void block_task(void *arg)
{
	struct item *it = arg;

	it->pid = current->pid;
	complete(&it->started);
	it->released = wait_for_completion_timeout(it->go, CMWQ_KUNIT_TIMEOUT);
	complete(&it->done);
}

static void sleep_task(void *arg)
{
	struct item *it = arg;
	u64 start = ktime_get_ns();

	msleep(it->sleep_ms);
	it->ran_ns = ktime_get_ns() - start;
	complete(&it->done);
}

/* What a case set and its exit hook puts back, whatever happened. */
struct case_ctx {
	struct completion	go;
	bool			timing_set;
	bool			timing_was;
};

/* Taskqs as KUnit resources, destroyed when the case ends. */
static int tq_res_init(struct kunit_resource *res, void *tq)
{
	res->data = tq;
	return 0;
}

static void tq_res_free(struct kunit_resource *res)
{
	cmwq_taskq_destroy(res->data);
}

static bool tq_res_match(struct kunit *test, struct kunit_resource *res,
			 void *tq)
{
	return res->free == tq_res_free && res->data == tq;
}

static struct cmwq_taskq *tq_create(struct kunit *test, const char *name,
				    int nthreads, int pri, int minalloc,
				    int maxalloc, unsigned int flags)
{
	struct cmwq_taskq *tq = cmwq_taskq_create(name, nthreads, pri,
						  minalloc, maxalloc, flags);

	KUNIT_ASSERT_NOT_NULL(test, tq);
	if (!kunit_alloc_resource(test, tq_res_init, tq_res_free, GFP_KERNEL,
				  tq)) {
		cmwq_taskq_destroy(tq);
		KUNIT_FAIL(test, "no resource for taskq %s", name);
		return NULL;
	}
	return tq;
}

/* Destroy a taskq of tq_create() now; the case's end leaves it alone. */
static void tq_destroy(struct kunit *test, struct cmwq_taskq *tq)
{
	KUNIT_EXPECT_EQ(test, kunit_destroy_resource(test, tq_res_match, tq),
			0);
}

static struct cmwq_taskq_kstat *kstat(struct kunit *test,
				      struct cmwq_taskq *tq)
{
	struct cmwq_taskq_kstat *ks = kunit_kzalloc(test, sizeof(*ks),
						    GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ks);
	cmwq_test_taskq_kstat(tq, ks);
	/* every task dispatched is in exactly one state */
	KUNIT_EXPECT_EQ(test, ks->tasks, ks->executed + ks->cancelled +
			ks->pending + ks->delayed + ks->nactive);
	return ks;
}

static void wait_started(struct kunit *test, struct item *it)
{
	KUNIT_ASSERT_COMPLETES(test, &it->started);
}

/* A new taskq: its settings, nothing counted, created just now. */
static void kstat_fresh(struct kunit *test)
{
	struct cmwq_taskq_kstat *ks;
	struct cmwq_taskq *tq;
	u64 before, after;
	int pct_threads;

	before = ktime_get_ns();
	tq = tq_create(test, "kst_fresh", 3, DEFAULT_PRIO, 4, 8,
		       CMWQ_TASKQ_PREPOPULATE);
	after = ktime_get_ns();
	ks = kstat(test, tq);
	KUNIT_EXPECT_EQ(test, ks->instance, 0);
	KUNIT_EXPECT_GE(test, ks->crtime, before);
	KUNIT_EXPECT_LE(test, ks->crtime, after);
	KUNIT_EXPECT_GE(test, ks->snaptime, after);
	KUNIT_EXPECT_LE(test, ks->snaptime, ktime_get_ns());
	KUNIT_EXPECT_EQ(test, ks->tasks, 0ULL);
	KUNIT_EXPECT_EQ(test, ks->executed, 0ULL);
	KUNIT_EXPECT_EQ(test, ks->maxtasks, 0ULL);
	KUNIT_EXPECT_EQ(test, ks->nactive, 0ULL);
	/* TASKQ_PREPOPULATE: minalloc entries allocated up front */
	KUNIT_EXPECT_EQ(test, ks->nalloc, 4ULL);
	KUNIT_EXPECT_EQ(test, ks->priority, DEFAULT_PRIO);
	KUNIT_EXPECT_EQ(test, ks->threads, 3ULL);
	KUNIT_EXPECT_EQ(test, ks->totaltime, 0ULL);
	KUNIT_EXPECT_EQ(test, ks->minalloc, 4);
	KUNIT_EXPECT_EQ(test, ks->maxalloc, 8);
	KUNIT_EXPECT_EQ(test, ks->flags, (unsigned int)CMWQ_TASKQ_PREPOPULATE);

	/* a percentage of the online CPUs, and a high priority */
	tq = tq_create(test, "kst_pct", 50, MAX_RT_PRIO, 0, 1,
		       CMWQ_TASKQ_THREADS_CPU_PCT);
	pct_threads = max_t(int, 1, DIV_ROUND_UP(50 * num_online_cpus(), 100));
	ks = kstat(test, tq);
	KUNIT_EXPECT_EQ(test, ks->threads, (u64)pct_threads);
	KUNIT_EXPECT_EQ(test, ks->priority, MAX_RT_PRIO);
	KUNIT_EXPECT_EQ(test, ks->nalloc, 0ULL);
}

/*
 * Two blockers hold both threads; three tasks queue behind them, one on
 * the caller's entry, and one is delayed and then cancelled: every field
 * is known at each step.  Entries: the blockers keep theirs while they
 * run (an entry goes back to the cache, minalloc 2, when its task
 * returns), so the next three dispatches and the delayed one allocate
 * four more.
 */
static void kstat_workload(struct kunit *test)
{
	struct case_ctx *ctx = test->priv;
	struct cmwq_taskq_kstat *ks;
	struct cmwq_taskq_ent *ent;
	unsigned long id;
	struct item *it;
	struct cmwq_taskq *tq;
	int i;

	it = kunit_kcalloc(test, 7, sizeof(*it), GFP_KERNEL);
	ent = kunit_kzalloc(test, sizeof(*ent), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, it && ent);
	for (i = 0; i < 7; i++)
		item_init(&it[i], &ctx->go);
	tq = tq_create(test, "kst_work", 2, DEFAULT_PRIO, 2, 100, 0);

	for (i = 0; i < 2; i++)
		KUNIT_ASSERT_EQ(test, cmwq_taskq_dispatch(tq, block_task,
							  &it[i],
							  CMWQ_TQ_SLEEP),
				(unsigned long)i + 1);
	wait_started(test, &it[0]);
	wait_started(test, &it[1]);
	ks = kstat(test, tq);
	KUNIT_EXPECT_EQ(test, ks->tasks, 2ULL);
	KUNIT_EXPECT_EQ(test, ks->nactive, 2ULL);
	KUNIT_EXPECT_EQ(test, ks->executed, 0ULL);
	KUNIT_EXPECT_EQ(test, ks->maxtasks, 2ULL);
	KUNIT_EXPECT_EQ(test, ks->nalloc, 2ULL);

	for (i = 2; i < 5; i++)
		KUNIT_ASSERT_EQ(test, cmwq_taskq_dispatch(tq, count_task,
							  &it[i],
							  CMWQ_TQ_SLEEP),
				(unsigned long)i + 1);
	cmwq_taskq_init_ent(ent);
	cmwq_taskq_dispatch_ent(tq, count_task, &it[5], 0, ent);
	KUNIT_ASSERT_EQ(test, ent->tqent_id, 6UL);
	id = cmwq_taskq_dispatch_delay(tq, count_task, &it[6], CMWQ_TQ_SLEEP,
				       jiffies + FAR_AWAY);
	KUNIT_ASSERT_EQ(test, id, 7UL);
	ks = kstat(test, tq);
	KUNIT_EXPECT_EQ(test, ks->tasks, 7ULL);
	KUNIT_EXPECT_EQ(test, ks->executed, 0ULL);
	KUNIT_EXPECT_EQ(test, ks->maxtasks, 7ULL);
	KUNIT_EXPECT_EQ(test, ks->nactive, 2ULL);
	KUNIT_EXPECT_EQ(test, ks->nalloc, 6ULL);
	KUNIT_EXPECT_EQ(test, ks->pending, 4ULL);
	KUNIT_EXPECT_EQ(test, ks->delayed, 1ULL);
	KUNIT_EXPECT_EQ(test, ks->cancelled, 0ULL);

	/* cancelled: no longer in flight, its entry cached */
	KUNIT_EXPECT_EQ(test, cmwq_taskq_cancel_id(tq, id), 0);
	ks = kstat(test, tq);
	KUNIT_EXPECT_EQ(test, ks->tasks, 7ULL);
	KUNIT_EXPECT_EQ(test, ks->delayed, 0ULL);
	KUNIT_EXPECT_EQ(test, ks->cancelled, 1ULL);
	KUNIT_EXPECT_EQ(test, ks->maxtasks, 7ULL);
	KUNIT_EXPECT_EQ(test, ks->nalloc, 6ULL);

	complete_all(&ctx->go);
	cmwq_taskq_wait(tq);
	KUNIT_EXPECT_TRUE(test, it[0].released && it[1].released);
	ks = kstat(test, tq);
	KUNIT_EXPECT_EQ(test, ks->tasks, 7ULL);
	KUNIT_EXPECT_EQ(test, ks->executed, 6ULL);
	KUNIT_EXPECT_EQ(test, ks->nactive, 0ULL);
	KUNIT_EXPECT_EQ(test, ks->maxtasks, 7ULL);
	/* six of its own came back: two kept (minalloc), four freed */
	KUNIT_EXPECT_EQ(test, ks->nalloc, 2ULL);
	KUNIT_EXPECT_EQ(test, ks->pending, 0ULL);
	/* timing was off: no clock read, no time */
	KUNIT_EXPECT_EQ(test, ks->totaltime, 0ULL);
}

/* totaltime: the time in the functions of tasks run timed, only those. */
static void kstat_totaltime(struct kunit *test)
{
	struct case_ctx *ctx = test->priv;
	struct cmwq_taskq_kstat *ks;
	struct cmwq_taskq *tq;
	u64 t0, t1, slept = 0, total;
	struct item *it;
	int i;

	it = kunit_kcalloc(test, 4, sizeof(*it), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, it);
	tq = tq_create(test, "kst_time", 1, DEFAULT_PRIO, 0, 100, 0);
	ctx->timing_was = cmwq_test_set_timing(NULL, true);
	ctx->timing_set = true;

	t0 = ktime_get_ns();
	for (i = 0; i < 3; i++) {
		item_init(&it[i], NULL);
		it[i].sleep_ms = SLEEP_MS;
		KUNIT_ASSERT_NE(test, cmwq_taskq_dispatch(tq, sleep_task,
							  &it[i],
							  CMWQ_TQ_SLEEP), 0UL);
	}
	cmwq_taskq_wait(tq);
	t1 = ktime_get_ns();
	for (i = 0; i < 3; i++)
		slept += it[i].ran_ns;
	ks = kstat(test, tq);
	/* the clock reads bracket each function; one thread: in sequence */
	KUNIT_EXPECT_GE(test, ks->totaltime, slept);
	KUNIT_EXPECT_LE(test, ks->totaltime, t1 - t0);
	KUNIT_EXPECT_GT(test, slept, 0ULL);
	KUNIT_EXPECT_EQ(test, ks->executed, 3ULL);
	total = ks->totaltime;

	/* untimed again: a task runs, totaltime stays */
	cmwq_test_set_timing(NULL, ctx->timing_was);
	ctx->timing_set = false;
	item_init(&it[3], NULL);
	it[3].sleep_ms = SLEEP_MS;
	KUNIT_ASSERT_NE(test, cmwq_taskq_dispatch(tq, sleep_task, &it[3],
						  CMWQ_TQ_SLEEP), 0UL);
	cmwq_taskq_wait(tq);
	ks = kstat(test, tq);
	KUNIT_EXPECT_EQ(test, ks->executed, 4ULL);
	KUNIT_EXPECT_EQ(test, ks->totaltime, total);
}

/* The value of @key in kstat text @text, or "(missing)". */
static const char *kstat_value(const char *text, const char *key,
			       char *val, size_t size)
{
	const char *line = text;
	size_t len = strlen(key);

	while (line && *line) {
		if (!strncmp(line, key, len) && line[len] == ' ') {
			const char *v = skip_spaces(line + len);
			size_t n = strcspn(v, "\n");

			strscpy(val, v, min(n + 1, size));
			return val;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return "(missing)";
}

static void expect_kv(struct kunit *test, const char *text, const char *key,
		      const char *expected)
{
	char val[64];

	KUNIT_EXPECT_STREQ_MSG(test, kstat_value(text, key, val, sizeof(val)),
			       expected, "key %s", key);
}

/*
 * The file: kstat(1M)'s header, then Solaris' fields in its
 * (alphabetical) order; two taskqs of one name are instances 0 and 1.
 * The summary: a header naming the columns, a line per taskq.
 */
static void kstat_text(struct kunit *test)
{
	static const char * const keys[] = {
		"module", "instance", "name", "class", "crtime", "executed",
		"maxtasks", "nactive", "nalloc", "priority", "snaptime",
		"tasks", "threads", "totaltime",
	};
	struct cmwq_taskq *a, *b;
	char *text, *line, dname[40];
	struct item *it;
	unsigned int act, nthr, mina, maxa, cura, pend, delay, tasks, executed;
	unsigned int maxtasks, cancelled;
	int pri, i, n;

	text = kunit_kzalloc(test, TEXT_SIZE, GFP_KERNEL);
	it = kunit_kzalloc(test, sizeof(*it), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, text && it);
	item_init(it, NULL);
	a = tq_create(test, "kst_dup", 2, DEFAULT_PRIO, 1, 5, 0);
	b = tq_create(test, "kst_dup", 3, MAX_RT_PRIO, 0, 7, 0);
	KUNIT_ASSERT_NE(test, cmwq_taskq_dispatch(b, count_task, it,
						  CMWQ_TQ_SLEEP), 0UL);
	cmwq_taskq_wait(b);

	cmwq_test_taskq_dname(a, dname, sizeof(dname));
	KUNIT_EXPECT_STREQ(test, dname, "kst_dup");
	cmwq_test_taskq_dname(b, dname, sizeof(dname));
	KUNIT_EXPECT_STREQ(test, dname, "kst_dup#2");

	KUNIT_ASSERT_TRUE(test, cmwq_test_show_taskq_kstat(b, text, TEXT_SIZE));
	/* every key, in order, one per line */
	line = text;
	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		KUNIT_ASSERT_NOT_NULL_MSG(test, line, "no line for %s", keys[i]);
		KUNIT_EXPECT_TRUE_MSG(test, !strncmp(line, keys[i],
						     strlen(keys[i])) &&
				      line[strlen(keys[i])] == ' ',
				      "line %d is not %s: %.20s", i, keys[i],
				      line);
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	KUNIT_EXPECT_TRUE(test, line && !*line);
	expect_kv(test, text, "module", "cmwq");
	expect_kv(test, text, "instance", "1");
	expect_kv(test, text, "name", "kst_dup");
	expect_kv(test, text, "class", "taskq");
	expect_kv(test, text, "executed", "1");
	expect_kv(test, text, "maxtasks", "1");
	expect_kv(test, text, "nactive", "0");
	expect_kv(test, text, "nalloc", "0");
	expect_kv(test, text, "priority", "100");
	expect_kv(test, text, "tasks", "1");
	expect_kv(test, text, "threads", "3");
	expect_kv(test, text, "totaltime", "0");
	KUNIT_ASSERT_TRUE(test, cmwq_test_show_taskq_kstat(a, text, TEXT_SIZE));
	expect_kv(test, text, "instance", "0");
	expect_kv(test, text, "threads", "2");

	KUNIT_ASSERT_TRUE(test, cmwq_test_show_taskq_summary(text, TEXT_SIZE));
	KUNIT_EXPECT_TRUE(test, !strncmp(text, "taskq ", 6));
	KUNIT_EXPECT_NOT_NULL(test, strstr(text, " act "));
	KUNIT_EXPECT_NOT_NULL(test, strstr(text, " cancelled "));
	line = strstr(text, "\nkst_dup#2 ");
	KUNIT_ASSERT_NOT_NULL(test, line);
	n = sscanf(line + 1, "kst_dup#2 %u %u %d %u %u %u %u %u %u %u %u %u",
		   &act, &nthr, &pri, &mina, &maxa, &cura, &pend, &delay,
		   &tasks, &executed, &maxtasks, &cancelled);
	KUNIT_ASSERT_EQ(test, n, 12);
	KUNIT_EXPECT_EQ(test, act, 0U);
	KUNIT_EXPECT_EQ(test, nthr, 3U);
	KUNIT_EXPECT_EQ(test, pri, MAX_RT_PRIO);
	KUNIT_EXPECT_EQ(test, mina, 0U);
	KUNIT_EXPECT_EQ(test, maxa, 7U);
	KUNIT_EXPECT_EQ(test, cura, 0U);
	KUNIT_EXPECT_EQ(test, pend, 0U);
	KUNIT_EXPECT_EQ(test, delay, 0U);
	KUNIT_EXPECT_EQ(test, tasks, 1U);
	KUNIT_EXPECT_EQ(test, executed, 1U);
	KUNIT_EXPECT_EQ(test, maxtasks, 1U);
	KUNIT_EXPECT_EQ(test, cancelled, 0U);
	KUNIT_EXPECT_NOT_NULL(test, strstr(text, "\nkst_dup "));
	/* the system taskqs have lines too */
	KUNIT_EXPECT_NOT_NULL(test, strstr(text, "\ncmwq_system_taskq "));
	KUNIT_EXPECT_NOT_NULL(test, strstr(text, "\ncmwq_system_delay_taskq "));

	/* a destroyed taskq's line goes, and its name is free again */
	tq_destroy(test, a);
	KUNIT_ASSERT_TRUE(test, cmwq_test_show_taskq_summary(text, TEXT_SIZE));
	KUNIT_EXPECT_NULL(test, strstr(text, "\nkst_dup "));
	KUNIT_EXPECT_NOT_NULL(test, strstr(text, "\nkst_dup#2 "));
}

/*
 * Does /sys/kernel/debug/cmwq/@path exist?  Looked up in debugfs itself,
 * one component at a time: its files' proxies cannot be read with
 * kernel_read(), and the text they show is what cmwq_test_show_taskq_*()
 * return.
 */
static bool debugfs_has(const char *path)
{
	struct dentry *d = debugfs_lookup("cmwq", NULL), *next;
	char name[64];
	bool found;
	size_t n;

	while (!IS_ERR_OR_NULL(d) && *path) {
		n = strcspn(path, "/");
		strscpy(name, path, min(n + 1, sizeof(name)));
		next = debugfs_lookup(name, d);
		dput(d);
		d = next;
		path += n;
		if (*path)
			path++;
	}
	found = !IS_ERR_OR_NULL(d);
	if (found)
		dput(d);
	return found;
}

/* The files under /sys/kernel/debug/cmwq come and go with the taskq. */
static void kstat_debugfs_files(struct kunit *test)
{
	char *text, dname[40];
	struct cmwq_taskq *tq;

	text = kunit_kzalloc(test, TEXT_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, text);
	KUNIT_EXPECT_TRUE(test, debugfs_has("taskq_summary"));
	tq = tq_create(test, "kst file", 2, DEFAULT_PRIO, 3, 9,
		       CMWQ_TASKQ_PREPOPULATE);
	cmwq_test_taskq_dname(tq, dname, sizeof(dname));
	/* blanks become '_', as in the queues' directory names */
	KUNIT_EXPECT_STREQ(test, dname, "kst_file");
	KUNIT_EXPECT_TRUE(test, debugfs_has("taskq/kst_file/kstat"));
	KUNIT_ASSERT_TRUE(test,
			  cmwq_test_show_taskq_kstat(tq, text, TEXT_SIZE));
	expect_kv(test, text, "name", "kst file");
	expect_kv(test, text, "nalloc", "3");
	expect_kv(test, text, "threads", "2");
	KUNIT_ASSERT_TRUE(test, cmwq_test_show_taskq_summary(text, TEXT_SIZE));
	KUNIT_EXPECT_NOT_NULL(test, strstr(text, "\nkst_file "));

	tq_destroy(test, tq);
	KUNIT_EXPECT_FALSE(test, debugfs_has("taskq/kst_file"));
	KUNIT_EXPECT_TRUE(test, debugfs_has("taskq"));
	KUNIT_ASSERT_TRUE(test, cmwq_test_show_taskq_summary(text, TEXT_SIZE));
	KUNIT_EXPECT_NULL(test, strstr(text, "\nkst_file "));
}

/* The probes: what they recorded, in the order the events fired. */
enum ev_type { EV_ENQUEUE, EV_START, EV_END };

struct ev {
	enum ev_type		type;
	unsigned long		id;
	void			*func;
	void			*arg;
	unsigned long		delay;
	pid_t			pid;
};

struct probe_ctx {
	const char		*name;		/* the case's taskq */
	atomic_t		n;
	struct ev		ev[MAX_EVENTS];
};

static struct ev *ev_new(struct probe_ctx *pc, const char *name,
			 enum ev_type type)
{
	int i;

	if (strcmp(name, pc->name))
		return NULL;
	i = atomic_inc_return(&pc->n) - 1;
	if (i >= MAX_EVENTS)
		return NULL;
	pc->ev[i].type = type;
	pc->ev[i].pid = current->pid;
	return &pc->ev[i];
}

static void probe_enqueue(void *data, const char *name, unsigned long id,
			  cmwq_task_func_t *func, void *arg,
			  unsigned long delay)
{
	struct ev *e = ev_new(data, name, EV_ENQUEUE);

	if (!e)
		return;
	e->id = id;
	e->func = func;
	e->arg = arg;
	e->delay = delay;
}

static void probe_exec(struct probe_ctx *pc, enum ev_type type,
		       const char *name, unsigned long id,
		       cmwq_task_func_t *func, void *arg)
{
	struct ev *e = ev_new(pc, name, type);

	if (!e)
		return;
	e->id = id;
	e->func = func;
	e->arg = arg;
}

static void probe_start(void *data, const char *name, unsigned long id,
			cmwq_task_func_t *func, void *arg)
{
	probe_exec(data, EV_START, name, id, func, arg);
}

static void probe_end(void *data, const char *name, unsigned long id,
		      cmwq_task_func_t *func, void *arg)
{
	probe_exec(data, EV_END, name, id, func, arg);
}

/* The index of the event of @type for @id, -1 if none; counts them. */
static int find_ev(struct probe_ctx *pc, int n, enum ev_type type,
		   unsigned long id, int *count)
{
	int i, found = -1;

	*count = 0;
	for (i = 0; i < n; i++) {
		if (pc->ev[i].type != type || pc->ev[i].id != id)
			continue;
		if (found < 0)
			found = i;
		(*count)++;
	}
	return found;
}

/*
 * Each task dispatched fires enqueue (in the dispatcher, with its delay)
 * then exec-start and exec-end (in the worker that runs it), with the
 * taskq's name, its id, function and argument; a task cancelled before
 * it ran fires only enqueue.
 */
static void probes_fire(struct kunit *test)
{
	struct probe_ctx *pc;
	struct cmwq_taskq_ent *ent;
	struct cmwq_taskq *tq;
	unsigned long ids[4], delay;
	int i, n, q, s, e, count;
	struct item *it;
	pid_t me = current->pid;

	pc = kunit_kzalloc(test, sizeof(*pc), GFP_KERNEL);
	it = kunit_kcalloc(test, 4, sizeof(*it), GFP_KERNEL);
	ent = kunit_kzalloc(test, sizeof(*ent), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, pc && it && ent);
	for (i = 0; i < 4; i++)
		item_init(&it[i], NULL);
	pc->name = "kst_probe";
	tq = tq_create(test, pc->name, 1, DEFAULT_PRIO, 0, 100, 0);

	KUNIT_ASSERT_EQ(test, register_trace_cmwq_taskq_enqueue(probe_enqueue,
								pc), 0);
	KUNIT_ASSERT_EQ(test, register_trace_cmwq_taskq_exec_start(probe_start,
								   pc), 0);
	KUNIT_ASSERT_EQ(test, register_trace_cmwq_taskq_exec_end(probe_end,
								 pc), 0);
	ids[0] = cmwq_taskq_dispatch(tq, count_task, &it[0], CMWQ_TQ_SLEEP);
	cmwq_taskq_init_ent(ent);
	cmwq_taskq_dispatch_ent(tq, count_task, &it[1], 0, ent);
	ids[1] = ent->tqent_id;
	ids[2] = cmwq_taskq_dispatch_delay(tq, count_task, &it[2],
					   CMWQ_TQ_SLEEP, jiffies + 3);
	ids[3] = cmwq_taskq_dispatch_delay(tq, count_task, &it[3],
					   CMWQ_TQ_SLEEP, jiffies + FAR_AWAY);
	KUNIT_EXPECT_EQ(test, cmwq_taskq_cancel_id(tq, ids[3]), 0);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_COMPLETES(test, &it[i].done);
	/* returns once every task has left taskq_run(): exec-end fired */
	cmwq_taskq_wait(tq);
	unregister_trace_cmwq_taskq_enqueue(probe_enqueue, pc);
	unregister_trace_cmwq_taskq_exec_start(probe_start, pc);
	unregister_trace_cmwq_taskq_exec_end(probe_end, pc);
	tracepoint_synchronize_unregister();

	n = atomic_read(&pc->n);
	KUNIT_ASSERT_LE(test, n, MAX_EVENTS);
	KUNIT_EXPECT_EQ(test, n, 3 * 3 + 1);
	for (i = 0; i < 4; i++) {
		KUNIT_EXPECT_EQ(test, ids[i], (unsigned long)i + 1);
		q = find_ev(pc, n, EV_ENQUEUE, ids[i], &count);
		KUNIT_EXPECT_EQ_MSG(test, count, 1, "enqueue of task %d", i);
		s = find_ev(pc, n, EV_START, ids[i], &count);
		KUNIT_EXPECT_EQ_MSG(test, count, i < 3, "start of task %d", i);
		e = find_ev(pc, n, EV_END, ids[i], &count);
		KUNIT_EXPECT_EQ_MSG(test, count, i < 3, "end of task %d", i);
		if (q < 0)
			continue;
		KUNIT_EXPECT_PTR_EQ(test, pc->ev[q].func, (void *)count_task);
		KUNIT_EXPECT_PTR_EQ(test, pc->ev[q].arg, (void *)&it[i]);
		KUNIT_EXPECT_EQ(test, pc->ev[q].pid, me);
		/* the delay as dispatched: ticks may pass meanwhile */
		delay = i == 2 ? 3 : i == 3 ? FAR_AWAY : 0;
		KUNIT_EXPECT_LE(test, pc->ev[q].delay, delay);
		KUNIT_EXPECT_GE(test, pc->ev[q].delay, delay ? delay - 2 : 0);
		if (i == 3 || s < 0 || e < 0)
			continue;
		KUNIT_EXPECT_LT(test, q, s);
		KUNIT_EXPECT_LT(test, s, e);
		KUNIT_EXPECT_PTR_EQ(test, pc->ev[s].func, (void *)count_task);
		KUNIT_EXPECT_PTR_EQ(test, pc->ev[s].arg, (void *)&it[i]);
		KUNIT_EXPECT_PTR_EQ(test, pc->ev[e].func, (void *)count_task);
		KUNIT_EXPECT_PTR_EQ(test, pc->ev[e].arg, (void *)&it[i]);
		/* both in the worker that ran the task */
		KUNIT_EXPECT_EQ(test, pc->ev[s].pid, it[i].pid);
		KUNIT_EXPECT_EQ(test, pc->ev[e].pid, it[i].pid);
	}
}

static int taskq_stats_init(struct kunit *test)
{
	struct case_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);

	if (!ctx)
		return -ENOMEM;
	init_completion(&ctx->go);
	test->priv = ctx;
	return 0;
}

/* Before the taskqs are destroyed: blockers go, timing is put back. */
static void taskq_stats_exit(struct kunit *test)
{
	struct case_ctx *ctx = test->priv;

	complete_all(&ctx->go);
	if (ctx->timing_set)
		cmwq_test_set_timing(NULL, ctx->timing_was);
}

static struct kunit_case cmwq_taskq_stats_cases[] = {
	KUNIT_CASE(kstat_fresh),
	KUNIT_CASE(kstat_workload),
	KUNIT_CASE(kstat_totaltime),
	KUNIT_CASE(kstat_text),
	KUNIT_CASE(kstat_debugfs_files),
	KUNIT_CASE(probes_fire),
	{}
};

static struct kunit_suite cmwq_taskq_stats_suite = {
	.name = "cmwq_taskq_stats",
	.init = taskq_stats_init,
	.exit = taskq_stats_exit,
	.test_cases = cmwq_taskq_stats_cases,
};

kunit_test_suites(&cmwq_taskq_stats_suite);

MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_DESCRIPTION("KUnit tests of cmwq's taskq kstats and probes");
