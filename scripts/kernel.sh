#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Resolves a test kernel lane to what building and booting need, as shell
# assignments on stdout:
#   KRELEASE   the kernel release (vermagic, /lib/modules/<release>)
#   KDIR       the tree to build modules against
#   VMLINUZ    the kernel image to boot
#   MODROOT    the root below which lib/modules/<release> lies
#   BUILDROOT  a chroot to run the module build in, or empty for the host
#   KARCH      the kernel's architecture (ARCH=): x86 or arm64
#   CROSS      the cross toolchain's prefix (CROSS_COMPILE=), or empty
#   SYSROOT    the root with the guest's userland and the libraries the
#              tool links, or empty for the host's
#
# Lanes: 6.1 (Debian 12's linux-image-cloud-amd64, the default), 6.12
# (Debian 13's, with its gcc-14, in a cached trixie root: trixie-root.sh),
# debug (a KASAN/lockdep kernel built from linux-source-6.1, see
# selftests/qemu/debug-kernel.sh), arm64 (Debian 12's
# linux-image-cloud-arm64, cross-built, booted in qemu-system-aarch64, its
# userland unpacked in a cached root: arm64-root.sh).
# The Debian kernel is never pinned by name: the archive drops old builds
# at point releases, so the version is read from the installed metapackage.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
lane=${1:-6.1}

die() {
	echo "kernel.sh: $*" >&2
	exit 1
}

# The x86 lanes: the host's toolchain and userland.
x86() {
	echo "KARCH=x86"
	echo "CROSS="
	echo "SYSROOT="
}

case "$lane" in
6.1)
	dep=$(dpkg-query -W -f='${Depends}' linux-image-cloud-amd64 2>/dev/null) ||
		die "linux-image-cloud-amd64 is not installed (make deps)"
	rel=${dep%% *}
	rel=${rel#linux-image-}
	[ -d "/usr/src/linux-headers-$rel" ] || die "linux-headers-$rel is not installed (make deps)"
	echo "KRELEASE=$rel"
	echo "KDIR=/usr/src/linux-headers-$rel"
	echo "VMLINUZ=/boot/vmlinuz-$rel"
	echo "MODROOT=/"
	echo "BUILDROOT="
	x86
	;;
debug)
	out=$("$here/../selftests/qemu/debug-kernel.sh")
	echo "KRELEASE=$(cat "$out/kernelrelease")"
	echo "KDIR=$out/build"
	echo "VMLINUZ=$out/bzImage"
	echo "MODROOT=$out/modroot"
	echo "BUILDROOT="
	x86
	;;
6.12)
	root=$("$here/trixie-root.sh")
	rel=$(ls "$root/usr/lib/modules" | grep -- '-cloud-amd64$' | sort -V | tail -n 1)
	echo "KRELEASE=$rel"
	echo "KDIR=/usr/src/linux-headers-$rel"
	echo "VMLINUZ=$root/boot/vmlinuz-$rel"
	echo "MODROOT=$root"
	echo "BUILDROOT=$root"
	x86
	;;
arm64)
	root=$("$here/arm64-root.sh")
	rel=$(ls "$root/lib/modules" | grep -- '-cloud-arm64$' | sort -V | tail -n 1)
	echo "KRELEASE=$rel"
	echo "KDIR=$root/usr/src/linux-headers-$rel"
	echo "VMLINUZ=$root/boot/vmlinuz-$rel"
	echo "MODROOT=$root"
	echo "BUILDROOT="
	echo "KARCH=arm64"
	echo "CROSS=aarch64-linux-gnu-"
	echo "SYSROOT=$root"
	;;
*)
	die "unknown KERNEL=$lane (6.1, 6.12, debug or arm64)"
	;;
esac
