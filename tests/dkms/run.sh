#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The packaging test, for real on this machine (root; installs packages):
#
#   tests/dkms/run.sh [--results FILE]
#
#  1. `make install DESTDIR=<tmp>` for the stock kernel installs cmwq.ko
#     alone, the driver headers and cmwq's Module.symvers, and the example
#     driver builds against those alone;
#  2. `make dkms` builds cmwq-dkms; installing it makes DKMS build and
#     install cmwq.ko for every kernel with headers that has
#     CONFIG_PREEMPT_NOTIFIERS (or only $DKMS_KERNELS, if set), as
#     `dkms status` must say;
#  3. a kernel upgrade rebuilds it: with the stock kernel's build removed,
#     DKMS's kernel postinst hook (what a linux-image upgrade runs) builds
#     and installs it again;
#  4. each of Debian's stock kernels DKMS built for (scripts/kernel.sh
#     --list-stock: 6.1, 6.1-rt, 6.12, 6.12-rt) boots in QEMU with its
#     DKMS-built cmwq.ko and the example driver built against the
#     installed headers and that kernel's Module.symvers from DKMS:
#     `cmwq-example: ok`, a clean run, and the version in sysfs and
#     debugfs is ./VERSION (tests/dkms/guest.sh);
#  5. purging the package leaves nothing: no dkms status line, no
#     /usr/src/cmwq-*, /var/lib/dkms/cmwq, or cmwq.ko in any kernel.
#
# Prints "dkms: PASS: ..." or "dkms: FAIL: ..." per check with the seconds
# it took, then "dkms: PASS" or "dkms: FAIL" last; exits 0 only on PASS.
# --results writes "case<TAB>pass|fail<TAB>name" lines for scripts/check.sh
# (`make check-all` runs it). A cmwq-dkms left installed by an earlier run
# is purged first. The boots are scripts/vm.sh's, as in scripts/check.sh:
# where boots must not overlap, hold the lock that serialises them around
# the whole run, not only around the boots.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
results=/dev/null
if [ "${1:-}" = --results ]; then
	results=${2:?--results needs a file}
fi
: >"$results"
version=$(cat "$top/VERSION")
apt=(apt-get -o DPkg::Lock::Timeout=900 -y)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0

# result PASS|FAIL NAME [SECONDS]
result() {
	echo "dkms: $1: $2${3:+ ($3 s)}"
	[ "$1" = PASS ] && printf 'case\tpass\t%s\n' "$2" >>"$results"
	[ "$1" = FAIL ] && { printf 'case\tfail\t%s\n' "$2" >>"$results"; failed=1; }
}

# check NAME CMD...: one check, its output kept in $work/log on failure.
check() {
	local name=$1
	shift
	local start=$SECONDS
	if "$@" >"$work/log" 2>&1; then
		result PASS "$name" $((SECONDS - start))
	else
		tail -n 30 "$work/log" | sed 's/^/  | /'
		result FAIL "$name" $((SECONDS - start))
	fi
}

[ "$(id -u)" = 0 ] || { echo "dkms: FAIL: needs root (installs packages)"; exit 1; }
command -v dkms >/dev/null || "${apt[@]}" install --no-install-recommends dkms >"$work/apt.log" 2>&1 ||
	{ cat "$work/apt.log"; echo "dkms: FAIL: cannot install dkms"; exit 1; }
if dpkg-query -W -f='${Status}' cmwq-dkms 2>/dev/null | grep -q installed; then
	echo "dkms: purging the cmwq-dkms an earlier run left"
	"${apt[@]}" purge cmwq-dkms >/dev/null 2>&1
fi

stock_kdir=$("$top/scripts/kernel.sh" stock) || { echo "dkms: FAIL: no stock kernel"; exit 1; }
stock=$(basename "$("$top/scripts/kernel.sh" --image stock)")
stock=${stock#vmlinuz-}

# The example driver, built out of a directory of its own against INC
# (headers) and SYMVERS only, for the kernel KDIR (default the stock one),
# in $work/example-RELEASE.
build_example() {
	local inc=$1 symvers=$2 kdir=${3:-$stock_kdir} dir
	dir=$work/example-$(basename "$(dirname "$kdir")")
	rm -rf "$dir"
	mkdir -p "$dir"
	cp "$top/examples/cmwq_example.c" "$dir/"
	printf 'ccflags-y += -I%s/cmwq\nobj-m += cmwq_example.o\n' "$inc" >"$dir/Kbuild"
	make -C "$kdir" M="$dir" KBUILD_EXTRA_SYMBOLS="$symvers" modules &&
		[ -f "$dir/cmwq_example.ko" ]
}

# 1. make install into a DESTDIR
dest=$work/dest
destdir_install() {
	make -C "$top" install KDIR="$stock_kdir" DESTDIR="$dest" || return 1
	local kos
	kos=$(cd "$dest" && find . -name '*.ko' | sort)
	echo "installed modules: $kos"
	[ "$kos" = "./lib/modules/$stock/extra/cmwq/cmwq.ko" ] || return 1
	local f
	for f in cmwq/cmwq.h cmwq/cmwq_taskq.h cmwq/cmwq_netbsd.h \
		 compat/solaris/sys/taskq.h compat/netbsd/sys/threadpool.h \
		 compat/netbsd/sys/task.h "$stock/Module.symvers"; do
		[ -f "$dest/usr/src/cmwq-$version/$f" ] || { echo "missing $f"; return 1; }
	done
	grep -q "	cmwq_queue_work_on	" "$dest/usr/src/cmwq-$version/$stock/Module.symvers" &&
		! grep -q "cmwq_test_" "$dest/usr/src/cmwq-$version/$stock/Module.symvers"
}
check "make install DESTDIR: cmwq.ko alone in extra/, headers, Module.symvers" destdir_install
check "make install DESTDIR: the example driver builds against what it installed" \
	build_example "$dest/usr/src/cmwq-$version" "$dest/usr/src/cmwq-$version/$stock/Module.symvers"

# 2. the package, DKMS building for every kernel
deb=$(make -s -C "$top" dkms 2>"$work/deb.log")
check "make dkms builds the cmwq-dkms package" test -f "$deb"
check "the package installs (DKMS builds while it does)" \
	"${apt[@]}" install --no-install-recommends "$deb"
kernels=${DKMS_KERNELS:-}
if [ -z "$kernels" ]; then
	for b in /lib/modules/*/build; do
		grep -qs '^CONFIG_PREEMPT_NOTIFIERS=y' "$b/.config" || continue
		kernels="$kernels $(basename "$(dirname "$b")")"
	done
fi
dkms status -m cmwq | sed 's/^/  dkms status: /'
arch=$(uname -m)
for k in $kernels; do
	check "dkms status: cmwq $version installed for $k" \
		grep -qx "cmwq/$version, $k, $arch: installed" <(dkms status -m cmwq -v "$version" -k "$k")
done

# 3. a kernel upgrade: DKMS's hook rebuilds
rebuild() {
	dkms remove -m cmwq -v "$version" -k "$stock" || return 1
	[ ! -e "/lib/modules/$stock/updates/dkms/cmwq.ko" ] || return 1
	/etc/kernel/postinst.d/dkms "$stock" || return 1
	dkms status -m cmwq -v "$version" -k "$stock" | grep -qx "cmwq/$version, $stock, $arch: installed" &&
		[ -f "/lib/modules/$stock/updates/dkms/cmwq.ko" ]
}
check "the kernel postinst hook rebuilds and installs cmwq for $stock" rebuild

# 4. each stock kernel DKMS built for runs its DKMS-built module
# boot_dkms FLAVOUR RELEASE: the kernel with DKMS's cmwq.ko for it and the
# example driver. DKMS compresses the module as the kernel's own modules
# are (6.12's: cmwq.ko.xz); the guest's busybox insmod takes it
# uncompressed, so it gets the module decompressed.
boot_dkms() {
	local flavour=$1 release=$2 ko dir=$work/dkms-$2
	ko=$(find "/lib/modules/$release/updates/dkms" -name 'cmwq.ko*' 2>/dev/null)
	mkdir -p "$dir"
	case "$ko" in
	*.ko) cp "$ko" "$dir/cmwq.ko" ;;
	*.ko.xz) xz -dc "$ko" >"$dir/cmwq.ko" ;;
	*.ko.zst) zstd -dc "$ko" >"$dir/cmwq.ko" ;;
	*.ko.gz) gzip -dc "$ko" >"$dir/cmwq.ko" ;;
	*) echo "not one cmwq.ko in /lib/modules/$release/updates/dkms: '$ko'"; return 1 ;;
	esac
	echo "DKMS installed $ko"
	"$top/scripts/vm.sh" --kernel "$flavour" --cpus 2 \
		--expect 'cmwq-example: ok' --expect "cmwq-dkms: version $version" \
		--guest-script "$top/tests/dkms/guest.sh" --log "$top/.build/logs/dkms-$flavour.log" \
		--modules "$dir/cmwq.ko $work/example-$release/cmwq_example.ko"
}
mkdir -p "$top/.build/logs"
for flavour in $("$top/scripts/kernel.sh" --list-stock); do
	kdir=$("$top/scripts/kernel.sh" --dir "$flavour" 2>/dev/null) || continue
	release=$(basename "$(dirname "$kdir")")
	case " $kernels " in *" $release "*) ;; *) continue ;; esac
	symvers=/var/lib/dkms/cmwq/$version/$release/$arch/Module.symvers
	check "$release: the example driver builds against /usr/src/cmwq-$version and DKMS's Module.symvers" \
		build_example "/usr/src/cmwq-$version" "$symvers" "$kdir"
	check "$release: Debian's $flavour kernel runs the DKMS-built cmwq.ko and the example driver" \
		boot_dkms "$flavour" "$release"
done

# 5. removal
check "the package purges" "${apt[@]}" purge cmwq-dkms
gone() {
	local left
	left=$(dkms status -m cmwq; ls -d /usr/src/cmwq-* /var/lib/dkms/cmwq 2>/dev/null;
	       find /lib/modules -name 'cmwq.ko*' 2>/dev/null)
	[ -z "$left" ] || { echo "left behind: $left"; return 1; }
	! modinfo -k "$stock" cmwq
}
check "nothing of cmwq is left: dkms status, /usr/src, /var/lib/dkms, /lib/modules" gone

if [ "$failed" = 0 ]; then
	echo "dkms: PASS"
else
	echo "dkms: FAIL"
fi
[ "$failed" = 0 ]
