#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (once) and locate a cmwq test kernel.
#
#   scripts/kernel.sh plain|debug|stock   build if missing, print the build directory
#   scripts/kernel.sh --dir FLAVOUR       print the build directory, build nothing
#   scripts/kernel.sh --image FLAVOUR     print the kernel image to boot, build nothing
#   scripts/kernel.sh --src               unpack the kernel source if missing, print it
#
# plain and debug kernels are built from Debian's linux-source-6.1 with
# `make tinyconfig` plus the fragments in configs/, out of tree, in a cache
# outside the repository keyed by the source package version and the
# fragments' text, so any clone on this machine reuses a kernel another
# clone built. stock is Debian's own kernel (linux-image-amd64 and
# linux-headers-amd64), whatever kernel the host itself runs.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${CMWQ_CACHE:-$HOME/.cache/cmwq}
tarball=/usr/src/linux-source-6.1.tar.xz
usage="usage: kernel.sh [--dir|--image] plain|debug|stock, or kernel.sh --src"

mode=build
case "${1:-}" in
--dir) mode=dir; shift ;;
--image) mode=image; shift ;;
--src) mode=src; shift ;;
esac
flavour=${1:-}
[ "$mode" = src ] || [ -n "$flavour" ] || { echo "$usage" >&2; exit 2; }

srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null || echo none)
src="$cache/src/linux-source-6.1-$srcver"

# Unpack the source once; concurrent callers wait for the first.
unpack_src() {
	[ -f "$src/.cmwq-unpacked" ] && return
	[ -f "$tarball" ] || { echo "kernel.sh: $tarball missing (apt-get install linux-source-6.1)" >&2; exit 1; }
	mkdir -p "$cache/src"
	(
		flock 8
		[ -f "$src/.cmwq-unpacked" ] && exit 0
		echo ">>> unpacking $tarball" >&2
		rm -rf "$src" "$src.tmp"
		mkdir -p "$src.tmp"
		tar -C "$src.tmp" --strip-components=1 -xf "$tarball"
		touch "$src.tmp/.cmwq-unpacked"
		mv "$src.tmp" "$src"
	) 8>"$src.lock"
}

if [ "$mode" = src ]; then
	unpack_src
	echo "$src"
	exit 0
fi

if [ "$flavour" = stock ]; then
	# linux-image-amd64 depends on exactly one linux-image-<version>.
	dep=$(dpkg-query -W -f='${Depends}' linux-image-amd64 2>/dev/null || true)
	version=$(sed -n 's/^linux-image-\([^ ,]*\).*/\1/p' <<<"$dep")
	if [ -z "$version" ]; then
		echo "kernel.sh: Debian's stock kernel is not installed (apt-get install linux-image-amd64 linux-headers-amd64)" >&2
		exit 1
	fi
	case "$mode" in
	image) echo "/boot/vmlinuz-$version" ;;
	*)
		dir="/lib/modules/$version/build"
		if [ "$mode" = build ] && [ ! -f "$dir/Makefile" ]; then
			echo "kernel.sh: no headers in $dir (apt-get install linux-headers-amd64)" >&2
			exit 1
		fi
		echo "$dir"
		;;
	esac
	exit 0
fi

case "$flavour" in
plain) fragments="$top/configs/plain.config" ;;
debug) fragments="$top/configs/plain.config $top/configs/debug.config" ;;
*) echo "kernel.sh: unknown flavour '$flavour'" >&2; echo "$usage" >&2; exit 2 ;;
esac

# shellcheck disable=SC2086
key=$( (echo "$srcver"; cat $fragments) | sha256sum | cut -c1-12)
objdir="$cache/kernels/$flavour-$key"

case "$mode" in
dir) echo "$objdir"; exit 0 ;;
image) echo "$objdir/arch/x86/boot/bzImage"; exit 0 ;;
esac

if [ -f "$objdir/.cmwq-built" ]; then
	echo "$objdir"
	exit 0
fi

unpack_src
mkdir -p "$cache/kernels"
exec 9>"$objdir.lock"
flock 9
# Another run may have finished it while we waited for the lock.
if [ -f "$objdir/.cmwq-built" ]; then
	echo "$objdir"
	exit 0
fi

mkdir -p "$objdir"
log="$objdir/build.log"
jobs=$(( $(nproc) + 1 ))
echo ">>> building the $flavour test kernel in $objdir" >&2
echo ">>> this happens once per machine and takes about 8 (plain) or 12 (debug) minutes on 2 cores" >&2

{
	make -C "$src" O="$objdir" tinyconfig
	# shellcheck disable=SC2086
	"$src/scripts/kconfig/merge_config.sh" -m -O "$objdir" "$objdir/.config" $fragments
	make -C "$src" O="$objdir" olddefconfig
} >"$log" 2>&1

# Every option a fragment asks for must have survived dependency resolution.
missing=0
# shellcheck disable=SC2086
while read -r line; do
	case "$line" in
	CONFIG_*=*) grep -qx "$line" "$objdir/.config" || { echo "kernel.sh: not set: $line" >&2; missing=1; } ;;
	"# CONFIG_"*" is not set") opt=${line#\# }; opt=${opt%% *}
		! grep -q "^$opt=" "$objdir/.config" || { echo "kernel.sh: still set: $opt" >&2; missing=1; } ;;
	esac
done < <(cat $fragments)
[ "$missing" = 0 ] || { echo "kernel.sh: config fragment not honoured, see $objdir/.config" >&2; exit 1; }

start=$(date +%s)
make -C "$src" O="$objdir" -j"$jobs" bzImage modules >>"$log" 2>&1 &
pid=$!
while kill -0 "$pid" 2>/dev/null; do
	sleep 30
	kill -0 "$pid" 2>/dev/null || break
	n=$(find "$objdir" -name '*.o' 2>/dev/null | wc -l)
	echo ">>> $flavour kernel: $(( ($(date +%s) - start) / 60 )) min, $n objects compiled" >&2
done
if ! wait "$pid"; then
	tail -30 "$log" >&2
	echo "kernel.sh: build failed, full log in $log" >&2
	exit 1
fi
touch "$objdir/.cmwq-built"
echo ">>> $flavour kernel built in $(( ($(date +%s) - start) / 60 )) min" >&2
echo "$objdir"
