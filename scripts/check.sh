#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check`: everything that decides whether cmwq is good, counted item
# by item. It keeps going after a failure so the count is complete.
#
#   deps        the Debian packages are installed
#   kernels     the test kernels are built (cached): plain and debug, or
#               those CMWQ_KERNELS names (`make check-all` adds the 6.12
#               ones); the build and kunit steps run for each
#   build       the modules build with W=1 and no warning, per test kernel
#   sparse      sparse (C=2) finds nothing
#   checkpatch  checkpatch.pl --strict finds nothing in any .c/.h
#   kunit       one boot per test kernel loads cmwq.ko, the example driver
#               and every kunit/*.ko: each KUnit case is one item, the
#               example's "cmwq-example: ok" one, a clean boot (no kernel
#               report, clean load and unload) one
#   trace       one boot of the plain kernel with the example driver and
#               tests/trace/cmwq-trace.sh: the cmwq events in tracefs, in
#               order (passed if it prints cmwq-trace: PASS)
#   torture     a 30 s bench/cmwq_torture.ko on the debug kernel: one item,
#               passed if the boot is clean and it prints cmwq-torture: PASS
#   reader      scripts/cmwq-stat in the guest against the example
#               driver's known workload (tests/guest/cmwq-stat.sh): one item
#   verdict     each console log of tests/verdict is one item: the
#               console verdict (scripts/vm-verdict.py) judges it as its
#               .expect file says, without booting anything
#   runner      each case of tests/runner/cases is one item (with the
#               6.12 kernels, once more on them: test-runner.sh --map)
#   stock       for each of Debian's stock kernels (6.1, 6.1 PREEMPT_RT,
#               6.12, 6.12 PREEMPT_RT: scripts/kernel.sh --list-stock), three
#               items: cmwq builds against its headers with W=1 and no
#               warning, the production cmwq.ko exports no test interface,
#               and the kernel boots with cmwq.ko, the example driver and
#               the API smoke (tests/smoke/cmwq_smoke.ko)
#   dkms        only with CMWQ_DKMS=1 (`make check-all`), as root: each
#               check of tests/dkms/run.sh is one item (make install into a
#               DESTDIR, the cmwq-dkms package built for every kernel with
#               headers, DKMS's kernel hook, each stock kernel booted with
#               its DKMS-built cmwq.ko, a clean purge); about 4.5 minutes
#
# Ends with the line "N passed, N failed" and exits 1 if anything failed.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
kernels=${CMWQ_KERNELS:-plain debug}
logs="$top/.build/logs"
mkdir -p "$logs"

passed=0
failed=0
skipped=0
failures=()
item() { # item pass|fail|skip NAME
	case "$1" in
	pass) passed=$((passed + 1)) ;;
	fail) failed=$((failed + 1)); failures+=("$2") ;;
	skip) skipped=$((skipped + 1)) ;;
	esac
	echo "check: ${1^^} $2"
}
# each step says when it starts, in minutes and seconds of the run, so
# that a log tells how long a cold run spent building the test kernels
step() { echo; printf '=== %s (at %d:%02d)\n' "$*" $((SECONDS / 60)) $((SECONDS % 60)); }
# check NAME COMMAND...: one item, passed if COMMAND succeeds.
check() {
	local name=$1
	shift
	if "$@"; then item pass "$name"; else item fail "$name"; fi
}
# quiet COMMAND...: COMMAND without its standard output (a directory name).
quiet() { "$@" >/dev/null; }

step "dependencies"
check "deps: Debian packages installed" scripts/deps.sh

step "test kernels (built once, cached in ~/.cache/cmwq)"
for k in $kernels; do
	check "kernel: $k test kernel built" quiet scripts/kernel.sh "$k"
done

step "module builds with W=1"
for k in $kernels; do
	check "build: modules for the $k kernel, W=1, no warnings" quiet scripts/build.sh --check "$k"
done

step "sparse"
sparse_check() {
	local kdir out=.build/plain log=$logs/sparse.log
	kdir=$(scripts/kernel.sh --dir plain)
	[ -f "$out/Module.symvers" ] || { echo "sparse: the plain build failed" >&2; return 1; }
	make -C "$kdir" M="$top/$out" C=2 CHECK=sparse modules >"$log" 2>&1 || { cat "$log"; return 1; }
	if grep -E '(warning|error):' "$log"; then
		echo "sparse: findings above (full log: $log)"
		return 1
	fi
}
check "sparse: no findings (C=2)" sparse_check

step "checkpatch --strict"
checkpatch() {
	local src files=() f out status=0
	src=$(scripts/kernel.sh --src)
	# Sources only: not the *.mod.c kbuild generates next to them.
	while IFS= read -r f; do files+=("$f"); done < <(
		find cmwq kunit examples bench tests compat probes -name '*.[ch]' ! -name '*.mod.c' 2>/dev/null | sort)
	[ ${#files[@]} -gt 0 ] || { echo "checkpatch: no sources found"; return 1; }
	echo "checkpatch: ${#files[@]} files"
	# It exits 1 on any finding (decided below, after the exemption) and
	# with another status only when it could not run.
	out=$("$src/scripts/checkpatch.pl" --strict --no-tree --terse --show-types -f "${files[@]}") ||
		status=$?
	if [ "$status" -gt 1 ]; then
		echo "$out"
		echo "checkpatch: failed to run (exit $status)"
		return 1
	fi
	# One exemption, as narrow as it gets: the static initializers in
	# cmwq.h (CMWQ_DECLARE_WORK() and the ones under it) must name the
	# variable they initialise twice, like the kernel's DECLARE_WORK().
	# Their argument 'n' is a variable name, which has no side effects.
	out=$(grep -v "^cmwq/cmwq.h:[0-9]*: CHECK:MACRO_ARG_REUSE: Macro argument reuse 'n' " <<<"$out" || true)
	# One more for the Solaris taskq interface, which source compatibility
	# fixes: its header's typedefs are the names Solaris code uses.
	out=$(grep -v "^compat/solaris/sys/taskq.h:[0-9]*: WARNING:NEW_TYPEDEFS:" <<<"$out" || true)
	# One more for the NetBSD interface, which source compatibility fixes:
	# its headers' typedefs (kmutex_t, kcondvar_t, pri_t...) are the names
	# NetBSD code uses.
	out=$(grep -v "^compat/netbsd/sys/[a-z]*\.h:[0-9]*: WARNING:NEW_TYPEDEFS:" <<<"$out" || true)
	if grep -E ': (ERROR|WARNING|CHECK):' <<<"$out"; then
		return 1
	fi
}
check "checkpatch: no findings in cmwq/ kunit/ examples/ bench/ tests/ compat/ probes/" checkpatch

step "API reference"
check "api-doc: Documentation/cmwq-api.rst up to date, no kernel-doc warnings" \
	scripts/api-doc.sh --check

# kunit_boot KERNEL [NAME APPEND]: cmwq.ko, the example driver and every
# KUnit module in one boot of that kernel, items named after NAME (default
# the kernel), with APPEND added to the kernel command line.
kunit_boot() {
	local k=$1 name=${2:-$1} append=${3:-}
	local build mods=() log=$logs/check-$name.log kind status rest m
	build=$top/.build/$k
	if [ ! -f "$build/cmwq/cmwq.ko" ]; then
		item fail "kunit: $name: cmwq/cmwq.ko was not built"
		return
	fi
	mods=("$build/cmwq/cmwq.ko")
	for m in "$build"/kunit/*.ko; do
		[ -f "$m" ] && mods+=("$m")
	done
	if [ ${#mods[@]} = 1 ]; then
		item fail "kunit: $name: no KUnit module was built (kunit/*.ko)"
	fi
	[ -f "$build/examples/cmwq_example.ko" ] && mods+=("$build/examples/cmwq_example.ko")
	# A KUnit case runs inside insmod, which the hung task detector sees
	# blocked for as long as the case takes: the hundred hotplug cycles
	# take over 30 s on the debug kernel, so it watches for 120 s here.
	scripts/vm.sh --kernel "$k" --modules "${mods[*]}" --timeout 900 --log "$log" \
		--hung-task 120 \
		--append "$append" || true
	if [ ! -f "$log.results" ]; then
		item fail "kunit: $name: the runner gave no result"
		return
	fi
	while IFS=$'\t' read -r kind status rest; do
		[ "$kind" = case ] && item "$status" "kunit: $name: $rest"
	done <"$log.results"
	if grep -q 'cmwq-example: ok' "$log"; then
		item pass "example: $name: cmwq-example: ok"
	else
		item fail "example: $name: no 'cmwq-example: ok' on the console"
	fi
	if grep -q $'^reason\tother' "$log.results"; then
		item fail "boot: $name: clean (see the vm: FAIL lines above, log $log)"
	else
		item pass "boot: $name: clean load, run and unload, no kernel report"
	fi
}
for k in $kernels; do
	step "KUnit on the $k kernel"
	kunit_boot "$k"
done
# CPU 3 stays offline until the hotplug suite brings it up: cmwq loads
# with a CPU down, and its pools must come up with the CPU.
step "KUnit on the plain kernel, CPU 3 offline at load"
kunit_boot plain plain-cpu3-offline "maxcpus=3"

step "tracing through tracefs on the plain kernel"
# tests/trace/cmwq-trace.sh enables events/cmwq, loads the example driver
# again and checks each of its works is traced queued, started, ended.
check "trace: plain: events/cmwq in tracefs, in order for the example driver" \
	scripts/vm.sh --kernel plain --cpus 2 --show '^cmwq-trace:' \
	--expect 'cmwq-trace: PASS' --log "$logs/check-trace.log" \
	--guest-script tests/trace/cmwq-trace.sh \
	--modules "$top/.build/plain/cmwq/cmwq.ko $top/.build/plain/examples/cmwq_example.ko"

step "torture on the debug kernel (30 s)"
torture=$top/.build/debug/bench/cmwq_torture.ko
if [ -f "$torture" ]; then
	check "torture: debug: 30 s clean, cmwq-torture: PASS" \
		scripts/vm.sh --kernel debug --timeout 600 --show '^cmwq-torture:' \
		--expect 'cmwq-torture: PASS' --log "$logs/check-torture.log" \
		--modules "$top/.build/debug/cmwq/cmwq.ko $torture:seconds=30"
else
	item fail "torture: debug: bench/cmwq_torture.ko was not built"
fi

step "the statistics reader in the guest (scripts/cmwq-stat)"
if [ -f "$top/.build/plain/examples/cmwq_example.ko" ]; then
	check "reader: cmwq-stat shows the example driver's works, cmwq-stat-check: ok" \
		scripts/vm.sh --kernel plain --cpus 2 --show '^cmwq-stat-check:' \
		--expect 'cmwq-stat-check: ok' --log "$logs/check-reader.log" \
		--guest-script tests/guest/cmwq-stat.sh \
		--modules "$top/.build/plain/cmwq/cmwq.ko $top/.build/plain/examples/cmwq_example.ko"
else
	item fail "reader: examples/cmwq_example.ko was not built"
fi

step "verdict self-tests (tests/verdict)"
scripts/test-verdict.sh --results "$logs/verdict.results" || true
while IFS=$'\t' read -r kind status rest; do
	[ "$kind" = case ] && item "$status" "verdict: $rest"
done <"$logs/verdict.results"

step "runner self-tests (tests/runner/cases)"
scripts/test-runner.sh --results "$logs/runner.results" || true
while IFS=$'\t' read -r kind status rest; do
	[ "$kind" = case ] && item "$status" "runner: $rest"
done <"$logs/runner.results"
# With the 6.12 kernels (make check-all), the same cases on them: the
# plain ones on plain-6.12, the debug ones on debug-6.12 and again on
# rtdebug-6.12, each mapping limited to the kernels this run tests.
for m in plain=plain-6.12,debug=debug-6.12 debug=rtdebug-6.12; do
	use=""
	IFS=, read -ra pairs <<<"$m"
	for p in "${pairs[@]}"; do
		case " $kernels " in *" ${p#*=} "*) use=${use:+$use,}$p ;; esac
	done
	[ -n "$use" ] || continue
	step "runner self-tests on ${use//,/ and }"
	scripts/test-runner.sh --map "$use" --results "$logs/runner-${use//[=,]/-}.results" || true
	while IFS=$'\t' read -r kind status rest; do
		[ "$kind" = case ] && item "$status" "runner: $rest"
	done <"$logs/runner-${use//[=,]/-}.results"
done

# stock_check FLAVOUR: one of Debian's kernels, which have no KUnit: cmwq
# builds against its headers, and the kernel runs the example driver and
# the API smoke. Items are named after the flavour and its release.
stock_check() {
	local k=$1 name release build start
	release=$(scripts/kernel.sh --image "$k" 2>/dev/null) || release=
	release=${release#/boot/vmlinuz-}
	name=$k${release:+ ($release)}
	start=$SECONDS
	if ! quiet scripts/build.sh --check "$k"; then
		item fail "stock: $name: cmwq builds against its headers, W=1, no warnings"
		item fail "stock: $name: the production cmwq.ko exports no test interface (not built)"
		item fail "stock: $name: runs the example driver and the API smoke cleanly (not built)"
		return
	fi
	item pass "stock: $name: cmwq builds against its headers, W=1, no warnings"
	echo "stock: $k built in $((SECONDS - start)) s"
	build=$top/.build/$k
	# Debian's kernels have no KUnit: their cmwq.ko is the one drivers
	# get, and must carry no test interface.
	check "stock: $name: the production cmwq.ko exports no test interface" \
		sh -c "! grep -qa __ksymtab_cmwq_test $build/cmwq/cmwq.ko"
	# Two vCPUs: the smoke test needs no more, and Debian's kernel under
	# TCG on a loaded 2-core host once starved into an RCU stall with four.
	# The smoke module takes the public API through its everyday use in
	# place of the KUnit suites, which these kernels cannot run.
	start=$SECONDS
	check "stock: $name: runs the example driver and the API smoke cleanly" \
		scripts/vm.sh --kernel "$k" --cpus 2 --expect 'cmwq-example: ok' \
		--expect 'cmwq-smoke: PASS' --log "$logs/check-$k.log" \
		--modules "$build/cmwq/cmwq.ko $build/examples/cmwq_example.ko $build/tests/smoke/cmwq_smoke.ko"
	echo "stock: $k booted and judged in $((SECONDS - start)) s"
}
for k in $(scripts/kernel.sh --list-stock); do
	step "Debian's $k kernel"
	stock_check "$k"
done

if [ "${CMWQ_DKMS:-0}" = 1 ]; then
	step "make install and the cmwq-dkms package, for real (tests/dkms/run.sh)"
	dkms_status=0
	tests/dkms/run.sh --results "$logs/dkms.results" || dkms_status=$?
	while IFS=$'\t' read -r kind status rest; do
		[ "$kind" = case ] && item "$status" "dkms: $rest"
	done <"$logs/dkms.results"
	# It stops before its checks when it cannot start (not root, no dkms).
	if [ "$dkms_status" != 0 ] && ! grep -q $'^case\tfail' "$logs/dkms.results"; then
		item fail "dkms: tests/dkms/run.sh failed before its checks (exit $dkms_status)"
	fi
fi

echo
printf 'check: finished in %d:%02d\n' $((SECONDS / 60)) $((SECONDS % 60))
if [ ${#failures[@]} -gt 0 ]; then
	echo "=== failed:"
	printf '  %s\n' "${failures[@]}"
fi
# the last line stays the plain "N passed, N failed" CI reads
[ "$skipped" = 0 ] || echo "$skipped skipped (counted in neither)"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
