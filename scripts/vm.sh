#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a test kernel in QEMU, load modules, unload them, judge the console.
# The options are in usage() below; scripts/vm.sh --help prints them.
#
# The guest is a busybox initramfs whose /init is scripts/vm-init.sh: it
# mounts proc, sysfs, devtmpfs and debugfs, loads the modules, runs the guest
# script, unloads the modules in reverse order and reboots, which ends QEMU.
# It prints "cmwq-vm: ..." markers the verdict relies on, and its header
# lists the files beside it through which this script passes the modules and
# parameters. A hung task, soft lockup or oops panics the guest (and so ends
# QEMU) instead of waiting for the wall-clock bound.
# A boot whose kernel reports a problem before /init starts (nothing of
# ours loaded yet) is kept as LOG.early and run once more.
# scripts/vm-verdict.py then decides; see it for what fails a run. The last
# lines are "vm: N passed, N failed" (KUnit cases) and "vm: PASS" or one
# "vm: FAIL: <reason>" per reason; LOG.results has them machine-readable.
# Exits 0 if the run passed, 1 if it failed, 2 on bad usage.
set -euo pipefail

# Also the reply to --help or any other bad usage.
usage() {
	cat >&2 <<'EOF'
Boot a test kernel in QEMU, load modules, unload them, judge the console.

  scripts/vm.sh [options]
    --kernel FLAVOUR             kernel to boot (default plain): plain, debug,
                                 plain-6.12, debug-6.12, rtdebug-6.12, or
                                 Debian's stock, stock-6.1-rt, stock-6.12 or
                                 stock-6.12-rt
    --modules "A.ko B.ko:p=1,q=2" modules to insmod in this order, each with
                                 optional parameters after a colon (a
                                 value may hold commas: p=1,2,q=3)
    --cpus N                     virtual CPUs (default 4)
    --mem MB                     memory (default 1024, debug kernels 2048)
    --append "ARGS"              extra kernel command line
    --timeout SECONDS            wall-clock bound, qemu is killed (default 900)
    --hung-task SECONDS          guest hung_task_timeout_secs (default 30)
    --guest-script FILE          shell snippet run in the guest once all
                                 modules are loaded; non-zero exit fails
    --expect TEXT                a console line must contain TEXT (repeatable)
    --show REGEX                 echo matching console lines while it runs
    --log FILE                   full console (default .build/logs/...)

EOF
	exit 2
}

top=$(cd "$(dirname "$0")/.." && pwd)

kernel=plain
modules=""
cpus=4
mem=""
append=""
timeout=900
hung_task=30
guest_script=""
expects=()
show=""
log=""
while [ $# -gt 0 ]; do
	[ $# -ge 2 ] || usage
	case "$1" in
	--kernel) kernel=$2 ;;
	--modules) modules=$2 ;;
	--cpus) cpus=$2 ;;
	--mem) mem=$2 ;;
	--append) append=$2 ;;
	--timeout) timeout=$2 ;;
	--hung-task) hung_task=$2 ;;
	--guest-script) guest_script=$2 ;;
	--expect) expects+=(--expect "$2") ;;
	--show) show=$2 ;;
	--log) log=$2 ;;
	*) usage ;;
	esac
	shift 2
done
case " $("$top/scripts/kernel.sh" --list) $("$top/scripts/kernel.sh" --list-stock) " in
*" $kernel "*) ;;
*) echo "vm.sh: unknown kernel '$kernel'" >&2; usage ;;
esac
case "$kernel" in
*debug*) mem=${mem:-2048} ;;
*) mem=${mem:-1024} ;;
esac

"$top/scripts/kernel.sh" "$kernel" >/dev/null
image=$("$top/scripts/kernel.sh" --image "$kernel")
[ -f "$image" ] || { echo "vm.sh: no kernel image $image" >&2; exit 1; }
kunit_py="$("$top/scripts/kernel.sh" --src)/tools/testing/kunit/kunit.py"

if [ -z "$log" ]; then
	mkdir -p "$top/.build/logs"
	log="$top/.build/logs/$kernel-$(date +%Y%m%d-%H%M%S)-$$.log"
fi
mkdir -p "$(dirname "$log")"
log=$(cd "$(dirname "$log")" && pwd)/$(basename "$log")

work=$(mktemp -d)
qemu_pid=""
cleanup() {
	[ -z "$qemu_pid" ] || kill "$qemu_pid" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
trap "exit 143" INT TERM

# The initramfs.
root="$work/root"
mkdir -p "$root/bin" "$root/dev" "$root/proc" "$root/sys" "$root/tmp" "$root/modules"
cp /bin/busybox "$root/bin/busybox"
# the statistics reader, for guest scripts (busybox sh and awk run it)
cp "$top/scripts/cmwq-stat" "$root/bin/cmwq-stat"
: >"$root/modules/list"
names=""
for spec in $modules; do
	path=${spec%%:*}
	params=""
	[ "$path" = "$spec" ] || params=${spec#*:}
	[ -f "$path" ] || { echo "vm.sh: no module $path" >&2; exit 1; }
	name=$(basename "$path")
	[ ! -e "$root/modules/$name" ] || { echo "vm.sh: module $name given twice" >&2; exit 1; }
	cp "$path" "$root/modules/$name"
	# a comma starts a new parameter only before "name=", so values
	# may hold commas (fail_create_worker=1,100,5,-1)
	echo "$name $(sed -E 's/,([A-Za-z_][A-Za-z0-9_]*=)/ \1/g' <<<"$params")" >>"$root/modules/list"
	names="$names ${name%.ko}"
done
if [ -n "$guest_script" ]; then
	cp "$guest_script" "$root/guest.sh"
fi
# /init and its parameters; see the header of scripts/vm-init.sh
echo "$hung_task" >"$root/hung_task_timeout_secs"
cp "$top/scripts/vm-init.sh" "$root/init"
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initramfs.cpio.gz"

cmdline="console=ttyS0 panic=-1 loglevel=7 clocksource=tsc tsc=reliable"
cmdline="$cmdline oops=panic softlockup_panic=1 hung_task_panic=1 $append"

echo "vm: booting the $kernel kernel ($cpus cpus, $mem MB) with:${names:- no modules}"
echo "vm: console log: $log"
# boot_once: one QEMU run, its console in $log; sets timed_out.
boot_once() {
	start=$SECONDS
	# exists before --show's tail opens it, whenever the shell gets to qemu
	: >"$log"
	qemu-system-x86_64 -M q35 -cpu max -smp "$cpus" -m "$mem" -nographic -no-reboot -nic none \
		-kernel "$image" -initrd "$work/initramfs.cpio.gz" -append "$cmdline" \
		</dev/null >"$log" 2>&1 &
	qemu_pid=$!

	shower=""
	if [ -n "$show" ]; then
		tail --pid="$qemu_pid" -n +1 -f "$log" |
			sed -u -E 's/\r//g; s/^\[ *[0-9]+\.[0-9]+\] //' |
			{ grep --line-buffered -E -- "$show" || true; } |
			sed -u 's/^/guest: /' &
		shower=$!
	fi

	timed_out=0
	while kill -0 "$qemu_pid" 2>/dev/null; do
		if [ $((SECONDS - start)) -ge "$timeout" ]; then
			kill "$qemu_pid"
			timed_out=$timeout
			break
		fi
		sleep 1
	done
	wait "$qemu_pid" || true
	qemu_pid=""
	[ -z "$shower" ] || wait "$shower" || true
	echo "vm: qemu ran for $((SECONDS - start)) s"
}

# A kernel report printed before /init starts comes from the test kernel
# itself (no module of ours is loaded yet): the debug kernel under TCG now
# and then reports an early interrupt (KASAN in handle_edge_irq while the
# boot CPU is identified). Such a boot is kept as LOG.early and run again,
# once; a report from the second boot fails the run as any other does.
early_report() {
	sed '/cmwq-vm: init/q' "$log" |
		grep -qE 'BUG:|WARNING:|Oops|Kernel panic|KASAN|INFO: task|Call Trace'
}

boot_once
if early_report; then
	echo "vm: the kernel reported a problem before /init; kept as $log.early, booting again"
	mv "$log" "$log.early"
	boot_once
fi

python3 "$top/scripts/vm-verdict.py" --log "$log" --kunit-py "$kunit_py" \
	--timed-out "$timed_out" "${expects[@]}"
