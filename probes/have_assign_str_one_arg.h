/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The trace event of the have_assign_str_one_arg probe: define_trace.h
 * includes this file again, so it is a header of its own.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM cmwq_probe

#if !defined(_CMWQ_PROBE_ASSIGN_STR_H) || defined(TRACE_HEADER_MULTI_READ)
#define _CMWQ_PROBE_ASSIGN_STR_H

#include <linux/tracepoint.h>

TRACE_EVENT(cmwq_probe_string,
	    TP_PROTO(const char *name),
	    TP_ARGS(name),
	    TP_STRUCT__entry(__string(name, name)),
	    TP_fast_assign(__assign_str(name);),
	    TP_printk("name=%s", __get_str(name))
);

#endif /* _CMWQ_PROBE_ASSIGN_STR_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE have_assign_str_one_arg
#include <trace/define_trace.h>
