#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install cmwq for one kernel (`make install`), or keep the Module.symvers
# of a DKMS build (dkms.conf's POST_BUILD).
#
#   scripts/install.sh [KDIR]
#   scripts/install.sh --dkms-symvers DIR
#
# The kernel is KDIR, else /lib/modules/$KERNELRELEASE/build, else the
# running kernel's. The modules are built by scripts/build.sh as for any
# other use, then, under $DESTDIR (default: nothing, the live system):
#
#   /lib/modules/<release>/extra/cmwq.ko   kbuild's modules_install, then
#                                           depmod (not into a DESTDIR)
#   /usr/src/cmwq-<version>/cmwq/cmwq.h, cmwq_taskq.h, cmwq_netbsd.h
#   /usr/src/cmwq-<version>/compat/solaris/sys/*.h, compat/netbsd/sys/*.h
#   /usr/src/cmwq-<version>/<release>/Module.symvers
#
# Only cmwq.ko: the test, bench and example modules of the same build stay
# out. The headers keep the tree's layout (compat/ reaches cmwq/ by
# relative paths), so a driver's -I flags are the same against a clone,
# this and the DKMS package, whose source tree is /usr/src/cmwq-<version>
# itself. Module.symvers is per kernel release (symbol CRCs differ);
# DKMS builds keep theirs in /var/lib/dkms/cmwq/<version>/<release>/<arch>/
# (--dkms-symvers, run from the DKMS build directory), which DKMS removes
# with the build. OpenZFS lays out its headers and symvers the same way.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
version=$(cat "$top/VERSION")

# cmwq.ko's lines of BUILD's Module.symvers: drivers need no other.
cmwq_symvers() {
	awk -F '\t' '$3 ~ /(^|\/)cmwq\/cmwq$/' "$1/Module.symvers"
}

if [ "${1:-}" = --dkms-symvers ]; then
	dest=${2:?usage: install.sh --dkms-symvers DIR}
	mkdir -p "$dest"
	cmwq_symvers .build/dkms >"$dest/Module.symvers"
	exit 0
fi

if [ -n "${1:-}" ]; then
	kdir=$1
else
	kdir=/lib/modules/${KERNELRELEASE:-$(uname -r)}/build
fi
# The release modules are installed for is the one their vermagic names,
# UTS_RELEASE; Debian's 6.1 headers say another in kernel.release (which
# kbuild would use for the path, hence KERNELRELEASE= below, as DKMS does).
uts=$kdir/include/generated/utsrelease.h
[ -f "$uts" ] || { echo "install.sh: no kernel build directory (headers) at $kdir" >&2; exit 1; }
release=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$uts")
if [ -n "${KERNELRELEASE:-}" ] && [ "$KERNELRELEASE" != "$release" ]; then
	echo "install.sh: $kdir is kernel $release, not KERNELRELEASE=$KERNELRELEASE" >&2
	exit 1
fi
destdir=${DESTDIR:-}

build=$("$top/scripts/build.sh" "$kdir")

# modules_install installs what MODORDER lists: the build's own list,
# in its kernel's format, cut down to cmwq.ko.
grep -E '(^|/)cmwq/cmwq\.(ko|o)$' "$build/modules.order" >"$build/modules.order.install"
echo ">>> installing cmwq.ko for $release under ${destdir:-/}" >&2
make -C "$kdir" M="$build" KERNELRELEASE="$release" MODORDER="$build/modules.order.install" \
	INSTALL_MOD_PATH="$destdir" INSTALL_MOD_DIR=extra modules_install >&2
# kbuild skips depmod without a System.map (Debian's headers have none).
# Into a DESTDIR, the package's own installation runs depmod instead.
if [ -z "$destdir" ]; then
	depmod -a "$release"
fi

src=$destdir/usr/src/cmwq-$version
install -d "$src/cmwq" "$src/compat/solaris/sys" "$src/compat/netbsd/sys" "$src/$release"
install -m 0644 "$top/cmwq/cmwq.h" "$top/cmwq/cmwq_taskq.h" "$top/cmwq/cmwq_netbsd.h" "$src/cmwq/"
install -m 0644 "$top"/compat/solaris/sys/*.h "$src/compat/solaris/sys/"
install -m 0644 "$top"/compat/netbsd/sys/*.h "$src/compat/netbsd/sys/"
cmwq_symvers "$build" >"$src/$release/Module.symvers"
echo ">>> headers in $src, Module.symvers in $src/$release" >&2
