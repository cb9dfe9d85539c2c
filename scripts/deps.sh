#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian 12 packages that building and testing cmwq need,
# Debian's four stock kernels among them (images and headers, the packages
# scripts/kernel.sh names). Does nothing (and needs no root) when they are
# all installed already.
#
# The tests boot these images in QEMU only. Installing them leaves the
# kernel a host boots alone where no boot loader is installed (a VM or
# container started from outside, as the machines measured in README.md);
# on a host that boots through GRUB, update-grub makes the newest image
# (6.12) the default entry: set GRUB_DEFAULT if that matters there.
# Debian also points /vmlinuz and /initrd.img at the image installed last.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
pkgs=(
	build-essential bc flex bison libelf-dev libssl-dev cpio xz-utils rsync perl
	python3 sparse qemu-system-x86 busybox-static linux-source-6.1
	linux-source-6.12
)
for k in $("$top/scripts/kernel.sh" --list-stock); do
	# shellcheck disable=SC2207
	pkgs+=($("$top/scripts/kernel.sh" --packages "$k"))
done

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
echo ">>> installing ${missing[*]} (each stock kernel takes a few minutes)" >&2
export DEBIAN_FRONTEND=noninteractive
# Others may hold the dpkg lock (another apt-get, unattended upgrades): wait.
apt=(apt-get -o DPkg::Lock::Timeout=900)
"${apt[@]}" update -q >&2
"${apt[@]}" install -y -q --no-install-recommends "${missing[@]}" >&2
