# SPDX-License-Identifier: GPL-2.0
#
# guest.sh - guest script of tests/dkms/run.sh: which cmwq the stock
# kernel loaded
#
# Run by scripts/vm-init.sh (busybox sh) once the DKMS-built cmwq.ko and
# the example driver are loaded. Prints "cmwq-dkms: version V" when
# modinfo's version (sysfs) and debugfs' agree; run.sh expects V to be
# the tree's VERSION. Exits non-zero otherwise.

sysfs=$(cat /sys/module/cmwq/version 2>/dev/null)
debugfs=$(cat /sys/kernel/debug/cmwq/version 2>/dev/null)
if [ -z "$sysfs" ] || [ "$sysfs" != "$debugfs" ]; then
	echo "cmwq-dkms: FAIL: version '$sysfs' in sysfs, '$debugfs' in debugfs"
	exit 1
fi
echo "cmwq-dkms: version $sysfs"
