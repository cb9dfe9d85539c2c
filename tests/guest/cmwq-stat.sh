# SPDX-License-Identifier: GPL-2.0
#
# Guest script (scripts/vm.sh --guest-script) for `make check`: runs
# scripts/cmwq-stat, which vm.sh puts in the guest's /bin, against the
# known workload of the example driver, loaded with cmwq.ko alone.
#
# The example queues one delayed work on cmwq_events and flushes it early
# (its own queues are destroyed before its init returns), so after each
# load cmwq_events has one more work queued, started and completed, and
# at most one more flush.  The interval mode watches a second load
# happen.  The two system taskqs, idle, have known kstats (cmwq-stat -c
# taskq).
# Prints "cmwq-stat-check: ok" when every check held; exits 1 otherwise.

d=/sys/kernel/debug/cmwq
fail=0
check() { # check WHAT COMMAND...: report, and remember a failure
	what=$1
	shift
	if "$@"; then
		echo "cmwq-stat-check: pass: $what"
	else
		echo "cmwq-stat-check: FAIL: $what"
		fail=1
	fi
}
# field FILE ROW COLUMN: the value in the column headed COLUMN of ROW
field() {
	awk -v row="$2" -v col="$3" '
	    $1 == "QUEUE" { for (i = 1; i <= NF; i++) if ($i == col) c = i; next }
	    $1 == row && c { print $c; exit }' "$1"
}

cmwq-stat >/tmp/table
cat /tmp/table
check "the table has the four system queues" \
	test "$(grep -c '^cmwq_events' /tmp/table)" = 4
check "table: cmwq_events queued 1" test "$(field /tmp/table cmwq_events QUEUED)" = 1
check "table: cmwq_events started 1" test "$(field /tmp/table cmwq_events STARTED)" = 1
check "table: cmwq_events done 1" test "$(field /tmp/table cmwq_events DONE)" = 1
check "table: cmwq_events pending 0" test "$(field /tmp/table cmwq_events PEND)" = 0
check "table: cmwq_events_unbound max_active 512" \
	test "$(field /tmp/table cmwq_events_unbound MAXACT)" = 512

cmwq-stat cmwq_events >/tmp/queue
cat /tmp/queue
check "detail: queued 1" grep -qx 'queued  *1' /tmp/queue
# The example's flush counts only if it found the work still queued: a
# worker may run it first (Documentation/cmwq.rst, "flushes").  So the
# reader must show the kernel's figure, whichever it is.
raw=$(awk '$1 == "flushes" { print $2 }' $d/queues/cmwq_events/stats)
check "detail: flushes as the stats file ($raw), at most 1" \
	sh -c "[ '$raw' -le 1 ] && grep -qx 'flushes  *$raw' /tmp/queue"
check "detail: cancelled 0" grep -qx 'cancelled  *0' /tmp/queue
check "detail: timing off, no average run time" grep -qx 'run_avg_us  *-' /tmp/queue

# a second load of the example while the interval mode watches
echo 1 >$d/queues/cmwq_events/timing
cmwq-stat 3 1 >/tmp/rates &
reader=$!
sleep 1
rmmod cmwq_example && insmod /modules/cmwq_example.ko
wait $reader
cat /tmp/rates
check "interval: a header and a line per queue" test "$(grep -c '^cmwq_events' /tmp/rates)" = 4
# shellcheck disable=SC2016 # awk's own $2
check "interval: cmwq_events queued one work in ~3 s" \
	awk '$1 == "cmwq_events" { exit !($2 > 0.2 && $2 < 1.0) }' /tmp/rates
# shellcheck disable=SC2016 # awk's own $2
check "interval: cmwq_events_long idle" \
	awk '$1 == "cmwq_events_long" { exit !($2 == 0) }' /tmp/rates

cmwq-stat cmwq_events >/tmp/queue
check "detail after a second load: queued 2" grep -qx 'queued  *2' /tmp/queue
check "detail after a second load: one run timed" grep -qx 'runs_timed  *1' /tmp/queue
check "detail after a second load: an average run time" grep -q '^run_avg_us  *[0-9]' /tmp/queue

cmwq-stat -l cmwq_events >/tmp/latency
cat /tmp/latency
check "histograms: timing on for cmwq_events" grep -q '^timing on (queue 1' /tmp/latency
check "histograms: one run counted" grep -q '^run: 1 works, p50' /tmp/latency
check "histograms: the delayed work's function" grep -q '^function delayed_fn' /tmp/latency

# The switches read and write as Y/N files; the global one is also the
# timing parameter, and writing either goes through cmwq, which gives the
# queues their timing areas before it times them.
check "switch: cmwq_events' own timing reads Y" \
	test "$(cat $d/queues/cmwq_events/timing)" = Y
check "switch: the global timing reads N" test "$(cat $d/timing)" = N
echo Y >$d/timing
check "switch: the global timing reads Y once written" test "$(cat $d/timing)" = Y
check "switch: the timing parameter reads it" \
	test "$(cat /sys/module/cmwq/parameters/timing)" = Y
check "switch: cmwq_events_long timed by the global switch" \
	grep -q '^timing on (queue 0, global 1)' $d/queues/cmwq_events_long/latency
echo N >/sys/module/cmwq/parameters/timing
check "switch: the parameter switches it off" test "$(cat $d/timing)" = N
check "switch: a bad value is refused" \
	sh -c "! echo maybe >$d/timing 2>/dev/null"
check "switch: still off after the bad value" test "$(cat $d/timing)" = N

# The Solaris taskqs: only the two system ones exist, and nothing has
# dispatched on them, so each kstat field is known.
# kfield FILE TASKQ FIELD: the value of FIELD in TASKQ's (first) kstat
kfield() {
	awk -v tq="$2" -v f="$3" '
	    $1 == "name:" { cur = $2; next }
	    cur == tq && $1 == f { print $2; exit }' "$1"
}
cmwq-stat -c taskq >/tmp/kstat
cat /tmp/kstat
check "kstat: a module/instance header per system taskq" \
	test "$(grep -c '^module: cmwq  *instance: 0 *$' /tmp/kstat)" = 2
check "kstat: cmwq_system_taskq is of class taskq" \
	grep -q '^name:   cmwq_system_taskq  *class:    taskq$' /tmp/kstat
check "kstat: cmwq_system_delay_taskq is of class taskq" \
	grep -q '^name:   cmwq_system_delay_taskq  *class:    taskq$' /tmp/kstat
check "kstat: ten fields per taskq" test "$(grep -c '^	[a-z]' /tmp/kstat)" = 20
check "kstat: cmwq_system_taskq threads 64" \
	test "$(kfield /tmp/kstat cmwq_system_taskq threads)" = 64
check "kstat: cmwq_system_taskq nalloc 64 (prepopulated)" \
	test "$(kfield /tmp/kstat cmwq_system_taskq nalloc)" = 64
check "kstat: cmwq_system_taskq priority 120" \
	test "$(kfield /tmp/kstat cmwq_system_taskq priority)" = 120
check "kstat: cmwq_system_taskq tasks 0" \
	test "$(kfield /tmp/kstat cmwq_system_taskq tasks)" = 0
check "kstat: cmwq_system_taskq executed 0" \
	test "$(kfield /tmp/kstat cmwq_system_taskq executed)" = 0
check "kstat: cmwq_system_delay_taskq threads 4" \
	test "$(kfield /tmp/kstat cmwq_system_delay_taskq threads)" = 4
check "kstat: crtime in seconds, to the ns" \
	grep -Eq '^	crtime  *(0|[1-9][0-9]*)[.][0-9]{9}$' /tmp/kstat
# the same digits as the file's ns, none lost or misread
raw=$(awk '$1 == "crtime" { print $2 }' $d/taskq/cmwq_system_taskq/kstat)
shown=$(kfield /tmp/kstat cmwq_system_taskq crtime | tr -d . | sed 's/^0*//')
check "kstat: crtime is the file's ns ($raw)" test "$shown" = "$raw"
cmwq-stat -c taskq cmwq_system_delay_taskq 1 3 >/tmp/kstats
cat /tmp/kstats
check "kstat interval: three reports of one taskq" \
	test "$(grep -c '^name:   cmwq_system_delay_taskq ' /tmp/kstats)" = 3
check "kstat interval: only that taskq" test "$(grep -c '^name:' /tmp/kstats)" = 3
# shellcheck disable=SC2016 # awk's own $1 and $2
check "kstat interval: snaptime grows by about a second" \
	awk '$1 == "snaptime" { t[++n] = $2 }
	     END { for (i = 2; i <= n; i++) if (t[i] - t[i - 1] < 0.5) exit 1
		   exit n != 3 }' /tmp/kstats
check "taskq_summary: a line per system taskq" \
	test "$(grep -c '^cmwq_system_' $d/taskq_summary)" = 2
check "-c with another class is an error" sh -c '! cmwq-stat -c queue 2>/dev/null'
check "-c taskq with an unknown taskq is an error" \
	sh -c '! cmwq-stat -c taskq no_such_taskq 2>/dev/null'

check "-h prints the usage" sh -c 'cmwq-stat -h | grep -q "cmwq-stat -l QUEUE"'
check "an unknown queue is an error" sh -c '! cmwq-stat no_such_queue 2>/dev/null'
check "-p shows the pools" sh -c 'cmwq-stat -p | grep -q oldest_wait_us'

[ $fail = 0 ] || exit 1
echo "cmwq-stat-check: ok"
