// SPDX-License-Identifier: GPL-2.0
/*
 * have_assign_str_one_arg - __assign_str() takes the field only
 *
 * A trace event's string field is declared with __string(field, src) and
 * filled in TP_fast_assign(). Up to 6.9, __assign_str(field, src) names
 * the source again; from 6.10 __string() keeps it and __assign_str(field)
 * takes one argument. This file defines one event the new way, so it
 * compiles on the newer kernels only (a macro given too many or too few
 * arguments is an error). cmwq/compat.h maps cmwq_assign_str() to the
 * form this kernel has.
 */
#define CREATE_TRACE_POINTS
#include "have_assign_str_one_arg.h"
