#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Provides, once, a directory with Debian 12's arm64 cloud kernel (image,
# modules, headers), the arm64 userland the test VM runs (bash, iproute2,
# tcpdump, kmod, jq, util-linux, keyutils, busybox, python3) and the arm64
# libmnl and json-c to cross-link the tool and the selftest helpers
# against: the arm64 lane. The packages are only unpacked (mmdebstrap
# --variant=extract: no maintainer scripts, so no arm64 emulation, and
# nothing is installed on the host: installing arm64 packages here would
# replace the host's compiler). The headers' scripts come from the amd64
# linux-kbuild-6.1 of the same version, unpacked beside them.
# Cached outside the tree, keyed by the kernel release it contains (read
# from what was unpacked: bookworm drops older kernel builds at point
# releases, so none is pinned). Prints the root's path.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/root-lib.sh"

packages=linux-image-cloud-arm64,linux-headers-cloud-arm64,linux-kbuild-6.1:amd64,bash,iproute2
packages+=,tcpdump,kmod,jq,coreutils,util-linux,keyutils,busybox-static,python3,python3-yaml
packages+=,libmnl-dev,libjson-c-dev
# What a root is checked for: its packages, and that its headers include
# their own common Makefile (below).
key="$packages; headers in the root"

# The newest root made with these packages (bookworm's kernel series is 6.1).
cached_root "$cache/arm64-6.1.*" "$key"

can_make_root arm64-root
# The host's mirrors, the security archive's included: bookworm's newest
# kernel comes from there.
mirror=$(host_mirror)
security=$(host_mirror security)

work=$cache/arm64-work
rm -rf "$work"
mkdir -p "$cache"
trap 'rm -rf "$work"' EXIT
echo "arm64-root: unpacking Debian 12's arm64 cloud kernel and userland (about 30 s, 530 MB)" >&2
if ! mmdebstrap --mode=root --variant=extract --architectures=arm64,amd64 \
	--include=$packages \
	--dpkgopt='path-exclude=/usr/share/{doc,man,locale,info}/*' \
	bookworm "$work" "deb $mirror bookworm main" "deb $mirror bookworm-updates main" \
	"deb $security bookworm-security main" >"$cache/arm64-mmdebstrap.log" 2>&1; then
	tail -n 20 "$cache/arm64-mmdebstrap.log" >&2
	exit 1
fi
rel=$(ls "$work/lib/modules" | grep -- '-cloud-arm64$' | sort -V | tail -n 1)
[ -n "$rel" ] || { echo "arm64-root: no cloud kernel in the new root" >&2; exit 1; }
[ -x "$work/usr/lib/linux-kbuild-6.1/scripts/basic/fixdep" ] ||
	{ echo "arm64-root: no amd64 linux-kbuild-6.1 in the new root" >&2; exit 1; }
# What the kernel's postinst would have done: modules.dep for modprobe.
depmod -b "$work" "$rel"
rm -rf "$cache/arm64-$rel"
mv "$work" "$cache/arm64-$rel"
# The headers' Makefile includes /usr/src/linux-headers-<version>-common/Makefile,
# which here is the host's amd64 headers (or nothing): this root's instead.
mk=$cache/arm64-$rel/usr/src/linux-headers-$rel/Makefile
sed -i "s|^include /usr/src/|include $cache/arm64-$rel/usr/src/|" "$mk"
grep -q "^include $cache/arm64-$rel/usr/src/linux-headers-.*-common/Makefile\$" "$mk" ||
	{ echo "arm64-root: $mk does not include its common Makefile as expected" >&2; exit 1; }
echo "$key" >"$cache/arm64-$rel/.complete"
echo "$cache/arm64-$rel"
