#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the cmwq-dkms Debian package from the tree as it is (`make dkms`).
#
#   scripts/dkms-deb.sh      prints the path of the .deb it built
#
# The package is the source DKMS builds from, in /usr/src/cmwq-<version>
# (version: ./VERSION), with dkms.conf at its top. Its maintainer scripts
# add it to DKMS and build and install cmwq.ko for every kernel that has
# headers (postinst), and remove it from all of them (prerm). DKMS's own
# kernel hooks (/etc/kernel/{header_,}postinst.d/dkms) build it for each
# kernel installed later, as dkms.conf says AUTOINSTALL. Built with
# dpkg-deb alone, no debhelper.
#
# Shipped: what building cmwq.ko needs and what drivers include (cmwq/,
# compat/, the build scripts and the top Makefile and Kbuild, the feature
# probes); not the tests, benchmarks, example or documentation, so DKMS
# builds cmwq.ko and nothing else (Kbuild skips the missing directories).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
version=$(cat "$top/VERSION")
out="$top/.build/dkms-deb"
stage="$out/cmwq-dkms_${version}_all"
deb="$out/cmwq-dkms_${version}_all.deb"

rm -rf "$stage"
mkdir -p "$stage/DEBIAN" "$stage/usr/src/cmwq-$version"
rsync -a --exclude='/.*' \
	--exclude=/bench/ --exclude=/kunit/ --exclude=/tests/ --exclude=/examples/ \
	--exclude=/Documentation/ \
	--exclude='*.o' --exclude='*.ko' --exclude='*.mod' --exclude='*.mod.c' \
	--exclude='.*.cmd' --exclude='.*.d' --exclude=Module.symvers \
	--exclude=modules.order --exclude='*.a' --exclude=__pycache__/ \
	"$top/" "$stage/usr/src/cmwq-$version/"

maintainer=$(git -C "$top" log -1 --format='%an <%ae>' 2>/dev/null || true)
cat >"$stage/DEBIAN/control" <<EOF
Package: cmwq-dkms
Version: $version
Architecture: all
Section: kernel
Priority: optional
Maintainer: ${maintainer:-cmwq <root@localhost>}
Depends: dkms (>= 3), make, rsync
Installed-Size: $(du -sk "$stage/usr" | cut -f1)
Description: concurrency-managed workqueues for drivers (DKMS source)
 cmwq.ko reimplements concurrency-managed workqueues as a module, with
 Solaris taskq and NetBSD threadpool/task layers on the same pools.
 DKMS builds and installs it for every kernel with headers installed.
 Drivers include /usr/src/cmwq-$version/cmwq/cmwq.h and build with
 KBUILD_EXTRA_SYMBOLS=/var/lib/dkms/cmwq/$version/<kernel>/<arch>/Module.symvers.
EOF

cat >"$stage/DEBIAN/postinst" <<EOF
#!/bin/sh
# cmwq-dkms: add to DKMS, build and install for every kernel with headers.
set -e
[ "\$1" = configure ] || exit 0
dkms status -m cmwq -v $version | grep -q . || dkms add -m cmwq -v $version
for build in /lib/modules/*/build; do
	[ -f "\$build/Makefile" ] || continue
	kernel=\$(basename "\$(dirname "\$build")")
	# 77: the kernel lacks what dkms.conf's BUILD_EXCLUSIVE_CONFIG needs
	rc=0
	dkms install -m cmwq -v $version -k "\$kernel" || rc=\$?
	case \$rc in
	0 | 77) ;;
	*) echo "cmwq-dkms: building cmwq for \$kernel failed (see /var/lib/dkms/cmwq/$version/build/make.log)" >&2 ;;
	esac
done
EOF

cat >"$stage/DEBIAN/prerm" <<EOF
#!/bin/sh
# cmwq-dkms: take cmwq out of DKMS and out of every kernel.
set -e
case "\$1" in
remove | upgrade | deconfigure)
	if dkms status -m cmwq -v $version | grep -q .; then
		dkms remove -m cmwq -v $version --all
	fi
	;;
esac
EOF
chmod 0755 "$stage/DEBIAN/postinst" "$stage/DEBIAN/prerm"

dpkg-deb --root-owner-group --build "$stage" "$deb" >&2
echo "$deb"
