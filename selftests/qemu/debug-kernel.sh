#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Builds, once, a KASAN/lockdep/kmemleak kernel from Debian's linux-source-6.1
# with the fragment debug.config, and caches it outside the tree. The cache
# key covers the fragment, this script and the source package version, so a
# change to any of them builds a new kernel. Prints the cache directory:
#   bzImage         the kernel to boot
#   build/          a tree for `make -C build M=...` (headers, scripts, symvers)
#   modroot/        lib/modules/<release>/ as modules_install left it
#   kernelrelease   the release string
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
frag=$here/debug.config
tarball=/usr/src/linux-source-6.1.tar.xz
cache=${PC5SEC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pc5sec}

[ -r "$tarball" ] || { echo "debug-kernel: $tarball missing (apt-get install linux-source-6.1)" >&2; exit 1; }
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1)
key=$(cat "$frag" "${BASH_SOURCE[0]}" | sha256sum | cut -c1-12)
out=$cache/debug-kernel-$srcver-$key
if [ -f "$out/.complete" ]; then
	echo "$out"
	exit 0
fi

work=$cache/debug-kernel-work
rm -rf "$work" "$out"
mkdir -p "$work" "$out"
trap 'rm -rf "$work"' EXIT
log=$out/build.log
echo "debug-kernel: building linux-source $srcver with $frag (about 6-9 min on 2 cores; log: $log)" >&2

tar -xJf "$tarball" -C "$work"
tree=$work/linux-source-6.1
{
	make -C "$tree" ARCH=x86_64 tinyconfig
	(cd "$tree" && scripts/kconfig/merge_config.sh -m .config "$frag")
	make -C "$tree" ARCH=x86_64 olddefconfig
} >"$log" 2>&1

# merge_config only warns when an option does not stick; we want to know.
missing=0
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=*)
		if ! grep -qxF "$line" "$tree/.config"; then
			echo "debug-kernel: $line did not survive olddefconfig" >&2
			missing=1
		fi
		;;
	esac
done <"$frag"
[ "$missing" = 0 ] || exit 1

jobs=$(nproc)
if ! nice -n 10 make -C "$tree" ARCH=x86_64 -j"$jobs" bzImage modules >>"$log" 2>&1; then
	tail -n 40 "$log" >&2
	exit 1
fi
make -C "$tree" ARCH=x86_64 INSTALL_MOD_PATH="$out/modroot" modules_install >>"$log" 2>&1
make -s --no-print-directory -C "$tree" kernelrelease >"$out/kernelrelease"

# Keep what an out-of-tree module build needs, the same selection Debian's
# linux-headers packages make (scripts/package/builddeb).
(
	cd "$tree"
	{
		find . arch/x86 -maxdepth 1 -name 'Makefile*'
		find include scripts -type f -o -type l
		find arch/x86 -name Kbuild.platforms -o -name Platform
		find $(find arch/x86 -name include -o -name scripts -type d) -type f
		echo tools/objtool/objtool
		echo Module.symvers
		echo .config
	} | sort -u | tar -cf - -T -
) | (mkdir -p "$out/build" && tar -xf - -C "$out/build")
cp "$tree/arch/x86/boot/bzImage" "$out/bzImage"
touch "$out/.complete"
echo "debug-kernel: done, $(cat "$out/kernelrelease")" >&2
echo "$out"
