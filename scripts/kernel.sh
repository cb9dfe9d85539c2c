#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (once) and locate a cmwq test kernel.
#
#   scripts/kernel.sh FLAVOUR             build if missing, print the build directory
#   scripts/kernel.sh --dir FLAVOUR       print the build directory, build nothing
#   scripts/kernel.sh --image FLAVOUR     print the kernel image to boot, build nothing
#   scripts/kernel.sh --src [SERIES]      unpack a kernel source (default 6.1) if
#                                         missing, print it
#   scripts/kernel.sh --list              print the flavours built from source
#   scripts/kernel.sh --list-stock        print Debian's stock kernel flavours
#   scripts/kernel.sh --packages FLAVOUR  print the Debian packages a stock
#                                         flavour comes from (image, headers)
#
# FLAVOUR is one of the test kernels below or a stock one. The test kernels are
# built from one of Debian's linux-source-<series> packages with `make
# tinyconfig` plus fragments from configs/, applied in order (a later
# fragment's line for an option replaces an earlier one's):
#
#   plain          6.1:  plain.config
#   debug          6.1:  plain.config debug.config
#   plain-6.12     6.12: plain.config 6.12.config
#   debug-6.12     6.12: plain.config 6.12.config debug.config
#   rtdebug-6.12   6.12: plain.config 6.12.config debug.config rtdebug.config
#
# They are built out of tree, in a cache outside the repository keyed by the
# source package version and the fragments' text, so any clone on this
# machine reuses a kernel another clone built.
#
# The stock flavours are Debian 12's own kernels, each installed with a
# pair of meta-packages, linux-image-<suffix> and linux-headers-<suffix>:
#
#   stock          6.1           amd64
#   stock-6.1-rt   6.1 PREEMPT_RT  rt-amd64
#   stock-6.12     6.12          6.12-amd64
#   stock-6.12-rt  6.12 PREEMPT_RT 6.12-rt-amd64
#
# The image meta-package depends on exactly one linux-image-<release>,
# which names the flavour's release: its image is /boot/vmlinuz-<release>
# and its headers /lib/modules/<release>/build. So each flavour finds its
# own kernel, however many others are installed, and whatever kernel the
# host itself runs.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${CMWQ_CACHE:-$HOME/.cache/cmwq}
flavours="plain debug plain-6.12 debug-6.12 rtdebug-6.12"
stock_flavours="stock stock-6.1-rt stock-6.12 stock-6.12-rt"
usage="usage: kernel.sh [--dir|--image] ${flavours// /|}|${stock_flavours// /|},"
usage="$usage kernel.sh --packages ${stock_flavours// /|}, kernel.sh --src [6.1|6.12],"
usage="$usage kernel.sh --list or kernel.sh --list-stock"

mode=build
case "${1:-}" in
--dir) mode=dir; shift ;;
--image) mode=image; shift ;;
--src) mode=src; shift ;;
--packages) mode=packages; shift ;;
--list) echo "$flavours"; exit 0 ;;
--list-stock) echo "$stock_flavours"; exit 0 ;;
esac
flavour=${1:-}
[ "$mode" = src ] || [ -n "$flavour" ] || { echo "$usage" >&2; exit 2; }

# The source series a flavour is built from, and its fragments in order;
# for a stock flavour, its meta-packages' suffix.
series=6.1
fragments=
suffix=
case "$mode:$flavour" in
src:) ;;
src:6.1 | src:6.12) series=$flavour ;;
src:*) echo "kernel.sh: unknown source series '$flavour'" >&2; echo "$usage" >&2; exit 2 ;;
*:stock) suffix=amd64 ;;
*:stock-6.1-rt) suffix=rt-amd64 ;;
*:stock-6.12) suffix=6.12-amd64 ;;
*:stock-6.12-rt) suffix=6.12-rt-amd64 ;;
packages:*) echo "kernel.sh: '$flavour' is not a stock flavour" >&2; echo "$usage" >&2; exit 2 ;;
*:plain) fragments="plain.config" ;;
*:debug) fragments="plain.config debug.config" ;;
*:plain-6.12) series=6.12; fragments="plain.config 6.12.config" ;;
*:debug-6.12) series=6.12; fragments="plain.config 6.12.config debug.config" ;;
*:rtdebug-6.12) series=6.12; fragments="plain.config 6.12.config debug.config rtdebug.config" ;;
*) echo "kernel.sh: unknown flavour '$flavour'" >&2; echo "$usage" >&2; exit 2 ;;
esac
fragments=$(for f in $fragments; do printf '%s ' "$top/configs/$f"; done)

tarball=/usr/src/linux-source-$series.tar.xz
srcver=$(dpkg-query -W -f='${Version}' "linux-source-$series" 2>/dev/null || echo none)
src="$cache/src/linux-source-$series-$srcver"

# Unpack the source once; concurrent callers wait for the first.
unpack_src() {
	[ -f "$src/.cmwq-unpacked" ] && return
	[ -f "$tarball" ] || { echo "kernel.sh: $tarball missing (apt-get install linux-source-$series)" >&2; exit 1; }
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

if [ -n "$suffix" ]; then
	packages="linux-image-$suffix linux-headers-$suffix"
	if [ "$mode" = packages ]; then
		echo "$packages"
		exit 0
	fi
	# The one linux-image-<release> the installed meta-package depends on.
	dep=$(dpkg-query -W -f='${db:Status-Abbrev}${Depends}' "linux-image-$suffix" 2>/dev/null || true)
	release=
	[ "${dep:0:2}" != ii ] || release=$(sed -n 's/^ii *linux-image-\([^ ,]*\).*/\1/p' <<<"$dep")
	if [ -z "$release" ]; then
		echo "kernel.sh: Debian's $flavour kernel is not installed (apt-get install $packages)" >&2
		exit 1
	fi
	case "$mode" in
	image) echo "/boot/vmlinuz-$release" ;;
	*)
		dir="/lib/modules/$release/build"
		if [ "$mode" = build ] && [ ! -f "$dir/Makefile" ]; then
			echo "kernel.sh: no headers in $dir (apt-get install $packages)" >&2
			exit 1
		fi
		echo "$dir"
		;;
	esac
	exit 0
fi

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
echo ">>> this happens once per machine and takes 8 to 20 minutes on 2 cores (README.md: Test kernels)" >&2

{
	make -C "$src" O="$objdir" tinyconfig
	# shellcheck disable=SC2086
	"$src/scripts/kconfig/merge_config.sh" -m -O "$objdir" "$objdir/.config" $fragments
	make -C "$src" O="$objdir" olddefconfig
} >"$log" 2>&1

# Every option the fragments ask for (the last fragment's line for it, when
# several have one) must have survived dependency resolution. An option this
# kernel's Kconfig does not have cannot be set: asking for it is an error,
# asking for it to be off is met and noted.
declared() { grep -rqE "^[[:space:]]*(menu)?config $1\$" --include='Kconfig*' "$src"; }
missing=0
# shellcheck disable=SC2086
while read -r line; do
	case "$line" in
	CONFIG_*=*)
		grep -qx "$line" "$objdir/.config" && continue
		missing=1
		opt=${line%%=*}
		if declared "${opt#CONFIG_}"; then
			echo "kernel.sh: not set: $line" >&2
		else
			echo "kernel.sh: not set: $line (linux-$series has no such option)" >&2
		fi
		;;
	"# CONFIG_"*" is not set")
		opt=${line#\# }; opt=${opt%% *}
		if grep -q "^$opt=" "$objdir/.config"; then
			echo "kernel.sh: still set: $opt" >&2
			missing=1
		elif ! grep -q "^# $opt is not set" "$objdir/.config" && ! declared "${opt#CONFIG_}"; then
			echo ">>> $flavour: $opt is not an option of linux-$series (off, as asked)" >&2
		fi
		;;
	esac
done < <(awk '/^CONFIG_[A-Za-z0-9_]+=/ { o = $0; sub(/=.*/, "", o) }
	/^# CONFIG_[A-Za-z0-9_]+ is not set$/ { o = $2 }
	o != "" { if (!(o in want)) order[n++] = o; want[o] = $0; o = "" }
	END { for (i = 0; i < n; i++) print want[order[i]] }' $fragments)
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
# The CPU time the build took (children's user and system time, from
# `times`) does not depend on what else the machine was running meanwhile.
cpu=$(times | awk 'NR == 2 { for (i = 1; i <= 2; i++) { split($i, t, /[ms]/); s += t[1] * 60 + t[2] } print int(s / 60) }')
echo ">>> $flavour kernel built in $(( ($(date +%s) - start) / 60 )) min ($cpu min of CPU time)" | tee -a "$log" >&2
echo "$objdir"
