#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
#
# The guest's /init for scripts/vm.sh, run by busybox sh as PID 1 in the
# test initramfs; never run it on the host (it mounts and reboots).
#
# It mounts proc, sysfs, devtmpfs and debugfs, loads the modules, runs the
# guest script, unloads the modules in reverse order and reboots, which ends
# QEMU (vm.sh boots with -no-reboot). The "cmwq-vm: ..." lines it prints are
# the markers scripts/vm-verdict.py judges the run by.
#
# vm.sh passes its parameters as files beside it in the initramfs:
#   /hung_task_timeout_secs  the value for the kernel's knob of that name
#                            (--hung-task)
#   /modules/list            one line per module, in load order: the file
#                            name, then its parameters separated by spaces
#                            (vm.sh has already split "p=1,2,q=3" into
#                            "p=1,2 q=3")
#   /modules/NAME.ko         the modules themselves
#   /guest.sh                the --guest-script, if one was given; run only
#                            if every module loaded
[ $$ = 1 ] || { echo "vm-init.sh: this is the guest's /init, for scripts/vm.sh" >&2; exit 2; }

/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
if [ -w /proc/sys/kernel/hung_task_timeout_secs ]; then
	cat /hung_task_timeout_secs >/proc/sys/kernel/hung_task_timeout_secs
fi
echo "cmwq-vm: init on $(uname -r), $(nproc) cpus"
loaded=""
ok=1
while read -r ko params; do
	echo "cmwq-vm: insmod $ko${params:+ $params}"
	# $params unquoted: each word is one parameter for insmod
	# shellcheck disable=SC2086
	if insmod "/modules/$ko" $params; then
		loaded="${ko%.ko} $loaded"
	else
		echo "cmwq-vm: insmod FAILED: $ko"
		ok=0
		break
	fi
done </modules/list
if [ $ok = 1 ] && [ -f /guest.sh ]; then
	echo "cmwq-vm: guest script start"
	sh /guest.sh
	echo "cmwq-vm: guest script exit $?"
fi
for m in $loaded; do
	echo "cmwq-vm: rmmod $m"
	rmmod "$m" || echo "cmwq-vm: rmmod FAILED: $m"
done
# Let deferred work (RCU callbacks, delayed frees) report before the end.
sleep 1
echo "cmwq-vm: tainted $(cat /proc/sys/kernel/tainted)"
echo "cmwq-vm: done"
reboot -f
