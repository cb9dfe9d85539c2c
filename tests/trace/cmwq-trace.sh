# SPDX-License-Identifier: GPL-2.0
#
# cmwq-trace.sh - guest script: cmwq's trace events, read through tracefs
#
# Run by scripts/vm-init.sh (busybox sh) once cmwq.ko and the example
# driver are loaded (scripts/check.sh passes it with --guest-script).  The
# example driver has already run by then, so this enables the "cmwq"
# events, loads the driver again and reads the trace back.  Every work
# queued on the driver's queue must show queue_work, then execute_start,
# then execute_end, and its sleeping works must make a pool's last
# running worker sleep and wake another.  The clock is "global" so that
# events of different CPUs are in order.  Prints "cmwq-trace: PASS ..." or
# "cmwq-trace: FAIL: why" and exits non-zero on failure.

fail() {
	echo "cmwq-trace: FAIL: $*"
	exit 1
}

t=/sys/kernel/tracing
[ -d "$t/events" ] || mount -t tracefs nodev "$t" 2>/dev/null
[ -d "$t/events" ] || t=/sys/kernel/debug/tracing
[ -d "$t/events/cmwq" ] || fail "no events/cmwq in tracefs"
for e in queue_work activate_work execute_start execute_end \
	 worker_create worker_destroy worker_sleep worker_wake \
	 mayday rescue trustee_state; do
	[ -f "$t/events/cmwq/cmwq_$e/format" ] || fail "no event cmwq_$e"
done

# The works are told apart by their address, which the trace prints
# hashed, and as "(____ptrval____)" until the random pool is ready: a
# blocking read makes 6.1 generate the entropy.  (With nohash-ptr, 6.1
# prints every %s field of an event empty.)
timeout 120 head -c 1 /dev/random >/dev/null || fail "no randomness for %p"

echo 0 >"$t/tracing_on"
echo global >"$t/trace_clock"
echo 2048 >"$t/buffer_size_kb"
echo >"$t/trace"
echo 1 >"$t/events/cmwq/enable"
echo 1 >"$t/tracing_on"
rmmod cmwq_example || fail "could not unload the example driver"
insmod /modules/cmwq_example.ko || fail "the example driver did not load again"
echo 0 >"$t/tracing_on"
echo 0 >"$t/events/cmwq/enable"

# the hashing key is filled by a kernel work polling every 2 s
i=0
while grep -q 'work struct=(____ptrval____)' "$t/trace"; do
	i=$((i + 1))
	[ $i -le 20 ] || fail "the trace still hides every work address after 20 s"
	sleep 1
done

# One state per work address on the example's two queues: q(ueued),
# s(tarted); an end completes it.  A work queued elsewhere leaves the
# watch.
awk '
/ cmwq_[a-z_]+: / {
	match($0, / cmwq_[a-z_]+: /)
	ev = substr($0, RSTART + 6, RLENGTH - 8)
	n[ev]++
	w = ""
	if (match($0, /work struct[= ][0-9a-fx]+/))
		w = substr($0, RSTART + 12, RLENGTH - 12)
	if (ev == "queue_work") {
		if ($0 ~ / workqueue=cmwq_example(_ordered)? /) {
			if (w in st && st[w] != "q")
				bad = bad " requeued-while-running:" w
			st[w] = "q"
			queued++
		} else {
			delete st[w]
		}
	} else if (ev == "execute_start" && (w in st)) {
		if (st[w] != "q")
			bad = bad " start-before-queue:" w
		st[w] = "s"
	} else if (ev == "execute_end" && (w in st)) {
		if (st[w] != "s")
			bad = bad " end-before-start:" w
		else
			done++
		delete st[w]
	}
}
END {
	for (w in st)
		if (st[w] == "s")
			bad = bad " never-ended:" w
	printf "cmwq-trace: events:"
	for (e in n)
		printf " %s=%d", e, n[e]
	printf "\n"
	printf "cmwq-trace: cmwq_example works queued %d, traced in order %d\n", queued, done
	if (bad != "")
		print "cmwq-trace: FAIL: out of order:" bad
	else if (done < 24)
		print "cmwq-trace: FAIL: only " done " works of cmwq_example traced from queue to end"
	else if (!n["worker_sleep"] || !n["worker_wake"])
		print "cmwq-trace: FAIL: no worker_sleep/worker_wake for the sleeping works"
	else
		print "cmwq-trace: PASS: queue_work, execute_start, execute_end in order for " done " works"
}' "$t/trace" >/tmp/cmwq-trace.out
cat /tmp/cmwq-trace.out
if grep -q '^cmwq-trace: PASS' /tmp/cmwq-trace.out; then
	echo "cmwq-trace: the first lines of the trace:"
	grep -m 8 ' cmwq_' "$t/trace" | sed 's/^/cmwq-trace: /'
	exit 0
fi
echo "cmwq-trace: the trace (up to 200 lines):"
grep -m 200 ' cmwq_' "$t/trace" | sed 's/^/cmwq-trace: /'
exit 1
