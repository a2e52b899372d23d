#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build-module.sh LANE|"" [KDIR] -- [kbuild arguments]
# build-module.sh LANE|"" [KDIR] --release: only prints the release
#
# Builds kmod/pc5sec.ko and kmod/pc5sec_eea.ko against KDIR, or the tree
# of test kernel LANE (scripts/kernel.sh), in build/<release>/ so that
# objects built for one kernel are never reused for another: Kbuild writes
# its objects beside the sources, so each release gets its own tree of
# symlinks to them. The results are build/<release>/kmod/*.ko, copied to
# kmod/. A lane of another architecture (arm64) is cross-built.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
lane=$1
kdir=$2
shift 2
print_release=
[ "${1:-}" = --release ] && print_release=1
[ "${1:-}" = "--" ] && shift

buildroot=
cross=()
if [ -z "$kdir" ]; then
	eval "$("$top/scripts/kernel.sh" "$lane")"
	kdir=$KDIR
	buildroot=$BUILDROOT
	# A lane of another architecture: cross-built.
	[ -n "$CROSS" ] && cross=(ARCH="$KARCH" CROSS_COMPILE="$CROSS")
fi
# The release as vermagic has it (Debian's include/config/kernel.release
# holds the upstream version instead).
utsfile=$buildroot$kdir/include/generated/utsrelease.h
[ -r "$utsfile" ] || { echo "build-module: $kdir is not a configured kernel tree" >&2; exit 1; }
rel=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$utsfile")
[ -n "$print_release" ] && { echo "$rel"; exit 0; }

out=$top/build/$rel
mkdir -p "$out/kmod/eea"
ln -sfn "$top/uapi" "$out/uapi"
ln -sf "$top/Kbuild" "$out/Kbuild"
ln -sf "$top/VERSION" "$out/VERSION"
for d in kmod kmod/eea; do
	for f in "$top"/$d/*.[ch] "$top"/$d/Kbuild; do
		ln -sf "$f" "$out/$d/"
	done
	# A source removed from kmod/ must not linger in the build tree.
	for f in "$out"/$d/*.[ch]; do
		[ -e "$f" ] || rm -f "$f"
	done
done

if [ -n "$buildroot" ]; then
	# The kernel's own toolchain lives in a chroot: build a copy there.
	inner=/build/pc5sec-$rel
	rm -rf "$buildroot$inner"
	mkdir -p "$buildroot$inner"
	cp -rL "$out/." "$buildroot$inner/"
	chroot "$buildroot" make -C "$kdir" M="$inner" "$@" modules
	cp "$buildroot$inner"/kmod/*.ko "$out/kmod/"
	cp "$buildroot$inner"/kmod/eea/*.ko "$out/kmod/eea/"
else
	make -C "$kdir" M="$out" "${cross[@]}" "$@" modules
fi
cp "$out"/kmod/eea/pc5sec_eea.ko "$out/kmod/"
cp "$out"/kmod/pc5sec.ko "$out"/kmod/pc5sec_eea.ko "$top/kmod/"
echo "build-module: $out/kmod/pc5sec.ko, pc5sec_eea.ko ($rel)"
