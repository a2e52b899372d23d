#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# deps.sh [LANE...]: installs from Debian's archive what building, testing
# and the demo need, only what is missing. Without root, prints the command
# to run and fails.
set -euo pipefail

pkgs=(
	# build: module, tool, selftest helpers
	gcc make libc6-dev pkg-config libmnl-dev libjson-c-dev
	linux-headers-cloud-amd64
	# test VM: kernel, QEMU, initramfs contents
	linux-image-cloud-amd64 qemu-system-x86 busybox-static cpio gzip
	iproute2 tcpdump kmod util-linux coreutils jq keyutils
	# make profile: perf in the test VM
	linux-perf
	# style and static checks; make -C tools verify-units (systemd-analyze,
	# which checks the units' man: link with man)
	sparse linux-source-6.1 perl systemd man-db
	# debug kernel lane: building linux-source-6.1
	bc bison flex libelf-dev libssl-dev xz-utils
	# 6.12 lane: a Debian 13 root with its kernel and gcc-14
	mmdebstrap
	# arm64 lane: the cross compiler and QEMU (its kernel and userland are
	# only unpacked, scripts/arm64-root.sh: never install arm64 packages)
	gcc-aarch64-linux-gnu libc6-dev-arm64-cross binutils-aarch64-linux-gnu qemu-system-arm
	# make spec-check and ynl.sh: the kernel's ynl tools (python3, in the
	# test VM too) and the spec's schema validation
	python3 python3-yaml python3-jsonschema
	# make check-dissector: tshark reads the test VM's captures
	tshark
	# make deb: the Debian packages (dh_dkms) and lintian over them;
	# make check-packages makes its Debian 12 root with mmdebstrap (above)
	dpkg-dev debhelper dh-dkms lintian
)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} = 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages; as root, run:" >&2
	echo "  apt-get install --no-install-recommends ${missing[*]}" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
