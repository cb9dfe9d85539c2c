#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the project's modules for a test kernel and boot it with cmwq.ko
# followed by the given modules (their KUnit suites are parsed too).
#
#   scripts/vm-test.sh [--kernel FLAVOUR] [vm.sh options] [MODULE...]
#
# FLAVOUR is plain (the default), debug, plain-6.12, debug-6.12, rtdebug-6.12
# or one of Debian's stock kernels (stock, stock-6.1-rt, stock-6.12,
# stock-6.12-rt): see scripts/kernel.sh.
#
# MODULE is a .ko path relative to the build directory .build/<kernel>/
# (examples/cmwq_example.ko) or any other path (your own driver, built
# against the same kernel), optionally followed by ":param=value,...".
# cmwq/cmwq.ko:param=value,... gives parameters to the cmwq.ko loaded
# first instead of loading it twice (cmwq/cmwq.ko:timing=1).
# Other options (--show, --expect, --timeout, --guest-script, --cpus, --mem,
# --append, --log, --hung-task) go to scripts/vm.sh unchanged.  The hung
# task detector watches for 120 s, as in make check, unless --hung-task
# says otherwise: a KUnit case runs inside insmod, which it sees blocked
# for as long as the case takes (over 30 s for the hotplug cycles on the
# debug kernel).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
kernel=plain
opts=(--hung-task 120)
mods=()
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) kernel=${2:?}; shift 2 ;;
	--*) opts+=("$1" "${2:?$1 needs a value}"); shift 2 ;;
	*) mods+=("$1"); shift ;;
	esac
done

"$top/scripts/deps.sh"
build=$("$top/scripts/build.sh" "$kernel")
[ -f "$build/cmwq/cmwq.ko" ] || { echo "vm-test.sh: $build/cmwq/cmwq.ko was not built" >&2; exit 1; }

specs="$build/cmwq/cmwq.ko"
for spec in "${mods[@]}"; do
	path=${spec%%:*}
	params=""
	[ "$path" = "$spec" ] || params=:${spec#*:}
	if [ "$path" = cmwq/cmwq.ko ]; then
		specs="${specs%% *}$params${specs#"${specs%% *}"}"
		continue
	fi
	if [ -f "$build/$path" ]; then
		path=$build/$path
	elif [ -f "$path" ]; then
		path=$(cd "$(dirname "$path")" && pwd)/$(basename "$path")
	else
		echo "vm-test.sh: no module $path (neither in $build nor in $PWD)" >&2
		exit 1
	fi
	specs="$specs $path$params"
done
exec "$top/scripts/vm.sh" --kernel "$kernel" --modules "$specs" "${opts[@]}"
