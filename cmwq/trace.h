/* SPDX-License-Identifier: GPL-2.0 */
/*
 * trace.h - the cmwq trace system: what the engine does, as it does it
 *
 * The first four events mirror the kernel's workqueue:* events (same
 * names after the prefix, same leading fields), so that a script written
 * for them reads cmwq's after a rename.  The others show what only a
 * concurrency-managed pool does: workers come and go, the last running
 * worker of a pool sleeps and another is woken for it, maydays summon
 * rescuers, and a trustee takes a dying CPU's pools through its states.
 * The last three are Solaris' taskq probes, for the taskqs of taskq.c.
 *
 * The tracepoints take cmwq's own structures and copy fields out of them
 * only in TP_fast_assign(), which runs only when the event is enabled:
 * a disabled tracepoint is a static branch that never loads an argument.
 * cmwq_worker_sleep fires inside __schedule() with the runqueue lock
 * held, so its assignment only copies integers.
 *
 * The events are created in trace.c; every tracepoint is exported, so
 * that tests and other modules can attach probes (register_trace_*()).
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM cmwq

#if !defined(_CMWQ_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _CMWQ_TRACE_H

#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/tracepoint.h>

#ifndef _CMWQ_TRACE_DECLS
#define _CMWQ_TRACE_DECLS
/*
 * R: probes attached to cmwq_execute_start and cmwq_execute_end, kept by
 * their register and unregister callbacks, so that running a work tests
 * one word for both events (trace.c)
 */
extern atomic_t cmwq_exec_traced;
int cmwq_exec_trace_reg(void);
void cmwq_exec_trace_unreg(void);
#endif

#include "cmwq_taskq.h"
#include "compat.h"
#include "internal.h"

TRACE_DEFINE_ENUM(CMWQ_WORKER_MANAGER);
TRACE_DEFINE_ENUM(CMWQ_WORKER_STARTUP);
TRACE_DEFINE_ENUM(CMWQ_WORKER_PREPARE);
TRACE_DEFINE_ENUM(CMWQ_WORKER_REAP);
TRACE_DEFINE_ENUM(CMWQ_WORKER_CPU_DEAD);
TRACE_DEFINE_ENUM(CMWQ_WORKER_UNLOAD);

#define show_worker_reason(reason)					\
	__print_symbolic(reason,					\
			 { CMWQ_WORKER_MANAGER,		"manager" },	\
			 { CMWQ_WORKER_STARTUP,		"startup" },	\
			 { CMWQ_WORKER_PREPARE,		"prepare" },	\
			 { CMWQ_WORKER_REAP,		"reap" },	\
			 { CMWQ_WORKER_CPU_DEAD,	"cpu_dead" },	\
			 { CMWQ_WORKER_UNLOAD,		"unload" })

TRACE_DEFINE_ENUM(TRUSTEE_DONE);
TRACE_DEFINE_ENUM(TRUSTEE_START);
TRACE_DEFINE_ENUM(TRUSTEE_IN_CHARGE);
TRACE_DEFINE_ENUM(TRUSTEE_BUTCHER);
TRACE_DEFINE_ENUM(TRUSTEE_RELEASE);

#define show_trustee_state(state)					\
	__print_symbolic(state,						\
			 { TRUSTEE_DONE,	"done" },		\
			 { TRUSTEE_START,	"start" },		\
			 { TRUSTEE_IN_CHARGE,	"in_charge" },		\
			 { TRUSTEE_BUTCHER,	"butcher" },		\
			 { TRUSTEE_RELEASE,	"release" })

/**
 * cmwq_queue_work - a work is queued on a cwq
 * @req_cpu: the CPU the caller asked for, %CMWQ_CPU_UNBOUND if none
 * @cwq: the cwq chosen (its pool is where the work will run)
 * @work: the work
 * @caller: the return address of the queueing call (for a delayed work,
 *	    of the call that armed its timer where works record their
 *	    origin, CMWQ_WORK_ORIGIN in cmwq.h; else 0)
 *
 * Fires once the work is on the pool's worklist or held back on the cwq
 * by max_active; a delayed work fires it when its timer expires.  cpu is
 * -1 for the unbound pools, as the kernel's pool->cpu.
 */
TRACE_EVENT(cmwq_queue_work,
	    TP_PROTO(int req_cpu, struct cmwq_cwq *cwq, struct cmwq_work *work,
		     unsigned long caller),
	    TP_ARGS(req_cpu, cwq, work, caller),
	    TP_STRUCT__entry(__field(void *, work)
			     __field(void *, function)
			     __string(workqueue, cwq->wq->name)
			     __field(int, req_cpu)
			     __field(int, cpu)
			     __field(int, pool)
			     __field(unsigned long, caller)),
	    TP_fast_assign(__entry->work = work;
			   __entry->function = work->func;
			   cmwq_assign_str(workqueue, cwq->wq->name);
			   __entry->req_cpu = req_cpu;
			   __entry->cpu = cwq->pool->gcwq->cpu == CMWQ_CPU_UNBOUND ?
					  -1 : cwq->pool->gcwq->cpu;
			   __entry->pool = cwq->pool->id;
			   __entry->caller = caller;),
	    TP_printk("work struct=%p function=%ps workqueue=%s req_cpu=%d cpu=%d pool=%d caller=%pS",
		      __entry->work, __entry->function, __get_str(workqueue),
		      __entry->req_cpu, __entry->cpu, __entry->pool,
		      (void *)__entry->caller)
);

/**
 * cmwq_activate_work - a work goes on its pool's worklist
 * @work: the work
 * @pool: the pool
 *
 * Right after cmwq_queue_work, or later, when max_active lets a work
 * held back by it start.
 */
TRACE_EVENT(cmwq_activate_work,
	    TP_PROTO(struct cmwq_work *work, struct worker_pool *pool),
	    TP_ARGS(work, pool),
	    TP_STRUCT__entry(__field(void *, work)
			     __field(int, pool)),
	    TP_fast_assign(__entry->work = work;
			   __entry->pool = pool->id;),
	    TP_printk("work struct %p pool=%d", __entry->work, __entry->pool)
);

/*
 * cmwq_execute_start - a worker calls a work's function
 * @work: the work
 * @function: its function
 *
 * Not kernel-doc: scripts/kernel-doc does not parse TRACE_EVENT_FN,
 * which this event and cmwq_execute_end use for their register
 * callbacks (cmwq_exec_traced).
 */
TRACE_EVENT_FN(cmwq_execute_start,
	       TP_PROTO(struct cmwq_work *work, cmwq_func_t function),
	       TP_ARGS(work, function),
	       TP_STRUCT__entry(__field(void *, work)
				__field(void *, function)),
	       TP_fast_assign(__entry->work = work;
			      __entry->function = function;),
	       TP_printk("work struct %p: function %ps",
			 __entry->work, __entry->function),
	       cmwq_exec_trace_reg, cmwq_exec_trace_unreg
);

/*
 * cmwq_execute_end - a work's function returned
 * @work: the work, which may have been freed: only its address is kept
 * @function: its function
 * @start: local_clock() when the function was called, or 0 if the event
 *	   was enabled while it ran
 *
 * The run time is taken here, only while the event is enabled; it is 0
 * when @start is.
 */
TRACE_EVENT_FN(cmwq_execute_end,
	       TP_PROTO(struct cmwq_work *work, cmwq_func_t function,
			u64 start),
	       TP_ARGS(work, function, start),
	       TP_STRUCT__entry(__field(void *, work)
				__field(void *, function)
				__field(u64, runtime)),
	       TP_fast_assign(__entry->work = work;
			      __entry->function = function;
			      __entry->runtime =
				start ? local_clock() - start : 0;),
	       TP_printk("work struct %p: function %ps runtime_ns=%llu",
			 __entry->work, __entry->function, __entry->runtime),
	       cmwq_exec_trace_reg, cmwq_exec_trace_unreg
);

/**
 * cmwq_worker_create - a pool worker was created, or could not be
 * @pool: the pool
 * @worker: the new worker, or %NULL if creation failed
 * @reason: who created it and why
 * @err: 0, or the negative errno creation failed with
 */
TRACE_EVENT(cmwq_worker_create,
	    TP_PROTO(struct worker_pool *pool, struct worker *worker,
		     enum cmwq_worker_reason reason, int err),
	    TP_ARGS(pool, worker, reason, err),
	    TP_STRUCT__entry(__field(int, pool)
			     __field(int, worker)
			     __field(pid_t, pid)
			     __field(int, reason)
			     __field(int, err)),
	    TP_fast_assign(__entry->pool = pool->id;
			   __entry->worker = worker ? worker->id : -1;
			   __entry->pid = worker ? worker->task->pid : 0;
			   __entry->reason = reason;
			   __entry->err = err;),
	    TP_printk("pool=%d worker=%d pid=%d reason=%s err=%d",
		      __entry->pool, __entry->worker, __entry->pid,
		      show_worker_reason(__entry->reason), __entry->err)
);

/**
 * cmwq_worker_destroy - an idle pool worker is stopped
 * @worker: the worker
 * @reason: why
 */
TRACE_EVENT(cmwq_worker_destroy,
	    TP_PROTO(struct worker *worker, enum cmwq_worker_reason reason),
	    TP_ARGS(worker, reason),
	    TP_STRUCT__entry(__field(int, pool)
			     __field(int, worker)
			     __field(pid_t, pid)
			     __field(int, reason)),
	    TP_fast_assign(__entry->pool = worker->pool->id;
			   __entry->worker = worker->id;
			   __entry->pid = worker->task->pid;
			   __entry->reason = reason;),
	    TP_printk("pool=%d worker=%d pid=%d reason=%s",
		      __entry->pool, __entry->worker, __entry->pid,
		      show_worker_reason(__entry->reason))
);

/**
 * cmwq_worker_sleep - a pool's last running worker sleeps with works left
 * @worker: the worker going to sleep
 *
 * Fired inside __schedule(), runqueue lock held: it only copies ids.
 * cmwq_worker_wake follows, from the pool's irq_work.
 */
TRACE_EVENT(cmwq_worker_sleep,
	    TP_PROTO(struct worker *worker),
	    TP_ARGS(worker),
	    TP_STRUCT__entry(__field(int, pool)
			     __field(int, worker)
			     __field(pid_t, pid)),
	    TP_fast_assign(__entry->pool = worker->pool->id;
			   __entry->worker = worker->id;
			   __entry->pid = worker->task->pid;),
	    TP_printk("pool=%d worker=%d pid=%d",
		      __entry->pool, __entry->worker, __entry->pid)
);

/**
 * cmwq_worker_wake - a worker is woken for a pool whose workers sleep
 * @pool: the pool
 * @worker: the idle worker woken, or woken before and still on its way,
 *	    or %NULL if none was idle (the pool's manager is then creating
 *	    one)
 */
TRACE_EVENT(cmwq_worker_wake,
	    TP_PROTO(struct worker_pool *pool, struct worker *worker),
	    TP_ARGS(pool, worker),
	    TP_STRUCT__entry(__field(int, pool)
			     __field(int, worker)
			     __field(pid_t, pid)),
	    TP_fast_assign(__entry->pool = pool->id;
			   __entry->worker = worker ? worker->id : -1;
			   __entry->pid = worker ? worker->task->pid : 0;),
	    TP_printk("pool=%d worker=%d pid=%d",
		      __entry->pool, __entry->worker, __entry->pid)
);

/**
 * cmwq_mayday - a pool that cannot create workers calls a rescuer
 * @cwq: the cwq whose queue's rescuer is called
 * @work: the work on the pool's worklist it is called for
 */
TRACE_EVENT(cmwq_mayday,
	    TP_PROTO(struct cmwq_cwq *cwq, struct cmwq_work *work),
	    TP_ARGS(cwq, work),
	    TP_STRUCT__entry(__field(int, pool)
			     __string(workqueue, cwq->wq->name)
			     __field(void *, work)
			     __field(void *, function)),
	    TP_fast_assign(__entry->pool = cwq->pool->id;
			   cmwq_assign_str(workqueue, cwq->wq->name);
			   __entry->work = work;
			   __entry->function = work->func;),
	    TP_printk("pool=%d workqueue=%s work struct=%p function=%ps",
		      __entry->pool, __get_str(workqueue), __entry->work,
		      __entry->function)
);

/**
 * cmwq_rescue - a rescuer takes one of its queue's works to run it
 * @cwq: the cwq it serves
 * @work: the work it took off the pool's worklist, about to run
 */
TRACE_EVENT(cmwq_rescue,
	    TP_PROTO(struct cmwq_cwq *cwq, struct cmwq_work *work),
	    TP_ARGS(cwq, work),
	    TP_STRUCT__entry(__string(workqueue, cwq->wq->name)
			     __field(int, pool)
			     __field(void *, work)
			     __field(void *, function)),
	    TP_fast_assign(cmwq_assign_str(workqueue, cwq->wq->name);
			   __entry->pool = cwq->pool->id;
			   __entry->work = work;
			   __entry->function = work->func;),
	    TP_printk("workqueue=%s pool=%d work=%p function=%ps",
		      __get_str(workqueue), __entry->pool, __entry->work,
		      __entry->function)
);

/**
 * cmwq_trustee_state - a CPU's trustee changes state
 * @cpu: the CPU
 * @old: the state it leaves
 * @new: the state it enters
 */
TRACE_EVENT(cmwq_trustee_state,
	    TP_PROTO(int cpu, enum trustee_state old, enum trustee_state new),
	    TP_ARGS(cpu, old, new),
	    TP_STRUCT__entry(__field(int, cpu)
			     __field(int, old)
			     __field(int, new)),
	    TP_fast_assign(__entry->cpu = cpu;
			   __entry->old = old;
			   __entry->new = new;),
	    TP_printk("cpu=%d %s -> %s", __entry->cpu,
		      show_trustee_state(__entry->old),
		      show_trustee_state(__entry->new))
);

/**
 * cmwq_stall - the watchdog reports a pool whose works stopped starting
 * @pool: the pool
 * @stuck_ms: since its last progress
 * @nr_pending: works on its worklist
 * @nr_busy: its workers running a work
 *
 * Followed by one cmwq_stall_work per pending work and one
 * cmwq_stall_worker per busy worker.
 */
TRACE_EVENT(cmwq_stall,
	    TP_PROTO(struct worker_pool *pool, unsigned int stuck_ms,
		     int nr_pending, int nr_busy),
	    TP_ARGS(pool, stuck_ms, nr_pending, nr_busy),
	    TP_STRUCT__entry(__field(int, pool)
			     __field(unsigned int, stuck_ms)
			     __field(int, nr_pending)
			     __field(int, nr_busy)
			     __field(int, nr_idle)
			     __field(int, nr_workers)
			     __field(bool, create_failing)),
	    TP_fast_assign(__entry->pool = pool->id;
			   __entry->stuck_ms = stuck_ms;
			   __entry->nr_pending = nr_pending;
			   __entry->nr_busy = nr_busy;
			   __entry->nr_idle = pool->nr_idle;
			   __entry->nr_workers = pool->nr_workers;
			   __entry->create_failing = pool->create_failing;),
	    TP_printk("pool=%d stuck_ms=%u pending=%d busy=%d idle=%d workers=%d create_failing=%d",
		      __entry->pool, __entry->stuck_ms, __entry->nr_pending,
		      __entry->nr_busy, __entry->nr_idle, __entry->nr_workers,
		      __entry->create_failing)
);

/**
 * cmwq_stall_work - a work pending on a stalled pool
 * @pool: the pool
 * @work: the work, on its worklist
 *
 * caller and pending_ms are 0 where works do not record their origin
 * (CMWQ_WORK_ORIGIN in cmwq.h).
 */
TRACE_EVENT(cmwq_stall_work,
	    TP_PROTO(struct worker_pool *pool, struct cmwq_work *work),
	    TP_ARGS(pool, work),
	    TP_STRUCT__entry(__field(int, pool)
			     __field(void *, work)
			     __field(void *, function)
			     __string(workqueue, get_work_cwq(work)->wq->name)
			     __field(unsigned long, caller)
			     __field(unsigned int, pending_ms)),
	    TP_fast_assign(__entry->pool = pool->id;
			   __entry->work = work;
			   __entry->function = work->func;
			   cmwq_assign_str(workqueue, get_work_cwq(work)->wq->name);
			   __entry->caller = work_caller(work);
			   __entry->pending_ms = max(work_age_ms(work), 0L);),
	    TP_printk("pool=%d work struct=%p function=%ps workqueue=%s caller=%pS pending_ms=%u",
		      __entry->pool, __entry->work, __entry->function,
		      __get_str(workqueue), (void *)__entry->caller,
		      __entry->pending_ms)
);

/**
 * cmwq_stall_worker - a busy worker of a stalled pool
 * @pool: the pool
 * @worker: the worker, running a work
 *
 * caller is 0 where works do not record their origin.
 */
TRACE_EVENT(cmwq_stall_worker,
	    TP_PROTO(struct worker_pool *pool, struct worker *worker),
	    TP_ARGS(pool, worker),
	    TP_STRUCT__entry(__field(int, pool)
			     __field(int, worker)
			     __field(pid_t, pid)
			     __field(void *, function)
			     __field(unsigned long, caller)
			     __field(unsigned int, running_ms)
			     __field(bool, sleeping)),
	    TP_fast_assign(__entry->pool = pool->id;
			   __entry->worker = worker->id;
			   __entry->pid = worker->task->pid;
			   __entry->function = worker->current_func;
			   __entry->caller = worker->current_queued_by;
			   __entry->running_ms =
				jiffies_to_msecs(jiffies - worker->current_at);
			   __entry->sleeping = worker->sleeping;),
	    TP_printk("pool=%d worker=%d pid=%d function=%ps caller=%pS running_ms=%u sleeping=%d",
		      __entry->pool, __entry->worker, __entry->pid,
		      __entry->function, (void *)__entry->caller,
		      __entry->running_ms, __entry->sleeping)
);

/**
 * cmwq_cpu_hog - a work was found on its CPU too long without sleeping
 * @pool: its pool
 * @worker: its worker, current
 * @runtime: ns on the CPU since it took the work or last woke
 *
 * From then to its return the work runs as CMWQ_CPU_INTENSIVE would.
 * caller is 0 where works do not record their origin.
 */
TRACE_EVENT(cmwq_cpu_hog,
	    TP_PROTO(struct worker_pool *pool, struct worker *worker,
		     u64 runtime),
	    TP_ARGS(pool, worker, runtime),
	    TP_STRUCT__entry(__field(int, pool)
			     __field(int, worker)
			     __field(void *, function)
			     __string(workqueue, worker->current_cwq->wq->name)
			     __field(unsigned long, caller)
			     __field(u64, runtime)),
	    TP_fast_assign(__entry->pool = pool->id;
			   __entry->worker = worker->id;
			   __entry->function = worker->current_func;
			   cmwq_assign_str(workqueue, worker->current_cwq->wq->name);
			   __entry->caller = worker->current_queued_by;
			   __entry->runtime = runtime;),
	    TP_printk("pool=%d worker=%d function=%ps workqueue=%s caller=%pS runtime=%llu",
		      __entry->pool, __entry->worker, __entry->function,
		      __get_str(workqueue), (void *)__entry->caller,
		      __entry->runtime)
);

/**
 * cmwq_flush_blocked - a flush waited long or timed out (waits.c)
 * @fw: the flush
 * @waited_ms: how long it has waited
 * @timed_out: a *_timeout() flush giving up, else a plain one waiting on
 *
 * Followed by one cmwq_blocked_work for each work it waits for.
 */
TRACE_EVENT(cmwq_flush_blocked,
	    TP_PROTO(const struct cmwq_flush_wait *fw, unsigned int waited_ms,
		     bool timed_out),
	    TP_ARGS(fw, waited_ms, timed_out),
	    TP_STRUCT__entry(__string(what, fw->what)
			     __field(unsigned long, caller)
			     __string(workqueue, fw->wq->name)
			     __field(void *, function)
			     __field(unsigned int, waited_ms)
			     __field(bool, timed_out)),
	    TP_fast_assign(cmwq_assign_str(what, fw->what);
			   __entry->caller = fw->caller;
			   cmwq_assign_str(workqueue, fw->wq->name);
			   __entry->function = fw->func;
			   __entry->waited_ms = waited_ms;
			   __entry->timed_out = timed_out;),
	    TP_printk("%s caller=%pS workqueue=%s function=%ps waited_ms=%u timed_out=%d",
		      __get_str(what), (void *)__entry->caller,
		      __get_str(workqueue), __entry->function,
		      __entry->waited_ms, __entry->timed_out)
);

/**
 * cmwq_blocked_work - a work a blocked flush waits for (waits.c)
 * @pool: the pool it is on
 * @func: its function
 * @wq_name: its queue
 * @caller: who queued it, 0 where works do not record it
 * @state: "running", "pending", "inactive" or "barrier"
 * @pid: the worker running it, 0 if none
 * @ms: how long it has run, or waited (0 where works do not record it)
 * @sleeping: its worker sleeps
 */
TRACE_EVENT(cmwq_blocked_work,
	    TP_PROTO(struct worker_pool *pool, cmwq_func_t func,
		     const char *wq_name, unsigned long caller,
		     const char *state, pid_t pid, unsigned int ms,
		     bool sleeping),
	    TP_ARGS(pool, func, wq_name, caller, state, pid, ms, sleeping),
	    TP_STRUCT__entry(__field(int, pool)
			     __field(int, cpu)
			     __field(void *, function)
			     __string(workqueue, wq_name)
			     __field(unsigned long, caller)
			     __string(state, state)
			     __field(pid_t, pid)
			     __field(unsigned int, ms)
			     __field(bool, sleeping)),
	    TP_fast_assign(__entry->pool = pool->id;
			   __entry->cpu = pool->gcwq->cpu;
			   __entry->function = func;
			   cmwq_assign_str(workqueue, wq_name);
			   __entry->caller = caller;
			   cmwq_assign_str(state, state);
			   __entry->pid = pid;
			   __entry->ms = ms;
			   __entry->sleeping = sleeping;),
	    TP_printk("pool=%d cpu=%d function=%ps workqueue=%s caller=%pS state=%s pid=%d ms=%u sleeping=%d",
		      __entry->pool, __entry->cpu, __entry->function,
		      __get_str(workqueue), (void *)__entry->caller,
		      __get_str(state), __entry->pid, __entry->ms,
		      __entry->sleeping)
);

/**
 * cmwq_wait_cycle - a worker began a wait that cannot finish (waits.c)
 * @caller: its flush's caller
 * @length: the workers in the cycle, the waiter included
 * @behind: the flushed work is held back by max_active behind them
 *
 * Followed by one cmwq_wait_cycle_worker per worker, the waiter first.
 */
TRACE_EVENT(cmwq_wait_cycle,
	    TP_PROTO(unsigned long caller, int length, bool behind),
	    TP_ARGS(caller, length, behind),
	    TP_STRUCT__entry(__field(unsigned long, caller)
			     __field(int, length)
			     __field(bool, behind)),
	    TP_fast_assign(__entry->caller = caller;
			   __entry->length = length;
			   __entry->behind = behind;),
	    TP_printk("caller=%pS length=%d behind=%d",
		      (void *)__entry->caller, __entry->length,
		      __entry->behind)
);

/**
 * cmwq_wait_cycle_worker - one worker of a wait-for cycle (waits.c)
 * @pid: the worker's task
 * @func: the work it runs
 * @wq_name: that work's queue
 * @waits_func: the work it flushes, %NULL for a queue flush
 * @waits_wq: the queue of that work, or the queue it flushes
 */
TRACE_EVENT(cmwq_wait_cycle_worker,
	    TP_PROTO(pid_t pid, cmwq_func_t func, const char *wq_name,
		     cmwq_func_t waits_func, const char *waits_wq),
	    TP_ARGS(pid, func, wq_name, waits_func, waits_wq),
	    TP_STRUCT__entry(__field(pid_t, pid)
			     __field(void *, function)
			     __string(workqueue, wq_name)
			     __field(void *, waits_function)
			     __string(waits_workqueue, waits_wq)),
	    TP_fast_assign(__entry->pid = pid;
			   __entry->function = func;
			   cmwq_assign_str(workqueue, wq_name);
			   __entry->waits_function = waits_func;
			   cmwq_assign_str(waits_workqueue, waits_wq);),
	    TP_printk("pid=%d function=%ps workqueue=%s waits_function=%ps waits_workqueue=%s",
		      __entry->pid, __entry->function, __get_str(workqueue),
		      __entry->waits_function, __get_str(waits_workqueue))
);

/**
 * cmwq_taskq_enqueue - a task is dispatched on a Solaris taskq (taskq.c)
 * @name: the taskq's name
 * @id: the id its dispatch returns
 * @func: its function
 * @arg: its argument
 * @delay: jiffies until it is queued, 0 if queued at once
 *
 * Solaris' taskq-enqueue probe.  Fires under the taskq's lock, once the
 * task has its id, so always before the task's cmwq_taskq_exec_start.
 */
TRACE_EVENT(cmwq_taskq_enqueue,
	    TP_PROTO(const char *name, unsigned long id, cmwq_task_func_t *func,
		     void *arg, unsigned long delay),
	    TP_ARGS(name, id, func, arg, delay),
	    TP_STRUCT__entry(__string(taskq, name)
			     __field(unsigned long, id)
			     __field(void *, function)
			     __field(void *, arg)
			     __field(unsigned long, delay)),
	    TP_fast_assign(cmwq_assign_str(taskq, name);
			   __entry->id = id;
			   __entry->function = func;
			   __entry->arg = arg;
			   __entry->delay = delay;),
	    TP_printk("taskq=%s id=%lu function=%ps arg=%p delay=%lu",
		      __get_str(taskq), __entry->id, __entry->function,
		      __entry->arg, __entry->delay)
);

/*
 * cmwq_taskq_exec - a taskq task's function is called or has returned:
 * the taskq's name, the task's id, its function and argument (only the
 * argument's value: the task may have freed it by its end).
 */
DECLARE_EVENT_CLASS(cmwq_taskq_exec,
		    TP_PROTO(const char *name, unsigned long id,
			     cmwq_task_func_t *func, void *arg),
		    TP_ARGS(name, id, func, arg),
		    TP_STRUCT__entry(__string(taskq, name)
				     __field(unsigned long, id)
				     __field(void *, function)
				     __field(void *, arg)),
		    TP_fast_assign(cmwq_assign_str(taskq, name);
				   __entry->id = id;
				   __entry->function = func;
				   __entry->arg = arg;),
		    TP_printk("taskq=%s id=%lu function=%ps arg=%p",
			      __get_str(taskq), __entry->id, __entry->function,
			      __entry->arg)
);

/*
 * cmwq_taskq_exec_start - Solaris' taskq-exec-start probe, in the worker
 * running the task, before it calls the function.
 */
DEFINE_EVENT(cmwq_taskq_exec, cmwq_taskq_exec_start,
	     TP_PROTO(const char *name, unsigned long id,
		      cmwq_task_func_t *func, void *arg),
	     TP_ARGS(name, id, func, arg));

/*
 * cmwq_taskq_exec_end - Solaris' taskq-exec-end probe, in the same worker
 * after the function returned, before the task counts as executed (a
 * waiter for its id is still waiting).
 */
DEFINE_EVENT(cmwq_taskq_exec, cmwq_taskq_exec_end,
	     TP_PROTO(const char *name, unsigned long id,
		      cmwq_task_func_t *func, void *arg),
	     TP_ARGS(name, id, func, arg));

#endif /* _CMWQ_TRACE_H */

/* define_trace.h includes this file again, by this path and name */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
