#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian 12 packages that building and testing cmwq need.
# Does nothing (and needs no root) when they are all installed already.
set -euo pipefail

pkgs=(
	build-essential bc flex bison libelf-dev libssl-dev cpio xz-utils rsync perl
	python3 sparse qemu-system-x86 busybox-static linux-source-6.1
	linux-image-amd64 linux-headers-amd64
	linux-source-6.12
)

missing=()
for p in "${pkgs[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	[ "${status:0:2}" = ii ] || missing+=("$p")
done
[ ${#missing[@]} -gt 0 ] || exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: missing packages: ${missing[*]}" >&2
	echo "deps.sh: run as root, or: sudo apt-get install ${missing[*]}" >&2
	exit 1
fi
echo ">>> installing ${missing[*]} (the stock kernel takes a few minutes)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2
apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
