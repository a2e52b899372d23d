#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build-user.sh LANE DIR... [-- make arguments]
#
# Runs make in each DIR (tools, selftests, bench) for test kernel LANE
# (scripts/kernel.sh): with the host's compiler and libraries for the x86
# lanes, cross-compiled against the lane's root (the arm64 libmnl and
# json-c, unpacked by arm64-root.sh) for the others. The Makefiles record
# the compiler and flags they built with and rebuild everything when those
# change, so that the objects of one architecture are never linked into
# the other's programs.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
lane=$1
shift
dirs=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do
	dirs+=("$1")
	shift
done
[ "${1:-}" = -- ] && shift

eval "$("$top/scripts/kernel.sh" "$lane")"
if [ -n "$CROSS" ]; then
	triplet=${CROSS%-}
	libdirs=$SYSROOT/usr/lib/$triplet:$SYSROOT/lib/$triplet
	export CC=${CROSS}gcc
	export PKG_CONFIG=pkg-config
	export PKG_CONFIG_SYSROOT_DIR=$SYSROOT
	export PKG_CONFIG_LIBDIR=$SYSROOT/usr/lib/$triplet/pkgconfig:$SYSROOT/usr/share/pkgconfig
	# The root's headers after the cross compiler's own C library.
	export CPPFLAGS="-idirafter $SYSROOT/usr/include"
	export LDFLAGS="-L$SYSROOT/usr/lib/$triplet -Wl,-rpath-link,$libdirs"
fi
for d in "${dirs[@]}"; do
	make -s -C "$top/$d" "$@"
done
