#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the project's modules against one kernel, out of the source tree.
#
#   scripts/build.sh [--check] FLAVOUR|KDIR
#
# FLAVOUR is a test kernel (plain, debug, plain-6.12, debug-6.12,
# rtdebug-6.12) or one of Debian's stock kernels (stock, stock-6.1-rt,
# stock-6.12, stock-6.12-rt): scripts/kernel.sh lists both. The sources are
# copied to .build/<name>/ (name: the flavour, or kdir-<hash> for any other
# kernel build directory) and built there with
# `make -C KDIR M=.build/<name> modules`, so builds for different kernels
# never share objects. A test kernel is built first if it is not cached
# yet. Prints the build directory on stdout; the modules are
# under it at the same relative paths as their sources (cmwq/cmwq.ko, ...).
#
# --check rebuilds from scratch with W=1 and fails if the compiler or
# modpost printed any warning.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
check=0
if [ "${1:-}" = --check ]; then
	check=1
	shift
fi
flavours="$("$top/scripts/kernel.sh" --list) $("$top/scripts/kernel.sh" --list-stock)"
target=${1:?usage: build.sh [--check] ${flavours// /|}|KDIR}

case " $flavours " in
*" $target "*)
	name=$target
	kdir=$("$top/scripts/kernel.sh" "$target")
	;;
*)
	kdir=$(cd "$target" && pwd)
	name=
	for f in $flavours; do
		if [ "$kdir" = "$("$top/scripts/kernel.sh" --dir "$f" 2>/dev/null)" ]; then
			name=$f
			kdir=$("$top/scripts/kernel.sh" "$f")
		fi
	done
	[ -n "$name" ] || name=kdir-$(sha256sum <<<"$kdir" | cut -c1-8)
	;;
esac
[ -f "$kdir/Makefile" ] || { echo "build.sh: $kdir is not a kernel build directory" >&2; exit 1; }

out="$top/.build/$name"
# Objects built against another kernel (a flavour whose config changed
# lands in a new cache directory) are not always rebuilt by kbuild: start
# over whenever the kernel directory changes.
if [ -d "$out" ] && [ "$(cat "$out/.kdir" 2>/dev/null)" != "$kdir" ]; then
	rm -rf "$out"
fi
mkdir -p "$out"
echo "$kdir" >"$out/.kdir"
# Copy sources only: objects someone built in the source tree stay there, and
# the objects and feature probe verdicts (.probes/) already in $out
# survive (excluded files are not deleted).
rsync -a --delete --exclude=/.build/ --exclude=/.git/ --exclude=/.kdir --exclude=/.probes/ \
	--exclude='*.o' --exclude='*.ko' --exclude='*.mod' --exclude='*.mod.c' \
	--exclude='.*.cmd' --exclude='.*.d' --exclude=Module.symvers \
	--exclude=modules.order --exclude='*.a' \
	"$top/" "$out/"

log="$out/build.log"
if [ "$check" = 1 ]; then
	make -C "$kdir" M="$out" clean >/dev/null
	echo ">>> building modules for $name with W=1" >&2
	if ! make -C "$kdir" M="$out" W=1 modules >"$log" 2>&1; then
		cat "$log" >&2
		echo "build.sh: module build for $name failed" >&2
		exit 1
	fi
	if grep -Ei 'warning:' "$log" >&2; then
		echo "build.sh: module build for $name printed warnings (full log: $log)" >&2
		exit 1
	fi
else
	echo ">>> building modules for $name" >&2
	if ! make -C "$kdir" M="$out" modules >"$log" 2>&1; then
		cat "$log" >&2
		echo "build.sh: module build for $name failed" >&2
		exit 1
	fi
fi
echo "$out"
