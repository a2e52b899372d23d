#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Provides, once, a Debian 13 (trixie) root with gcc-14 and the 6.12 cloud
# kernel's headers, which also bring its image and modules: the toolchain
# and the kernel of the 6.12 lane. Cached outside the tree, keyed by the
# kernel release it contains (read from what was installed: trixie drops
# older kernel builds at point releases, so none is pinned). Prints the
# root's path.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/root-lib.sh"

# perl: W=1 builds run kernel-doc.
packages=gcc-14,make,libc6-dev,perl,linux-headers-cloud-amd64

# The newest root made with these packages.
cached_root "$cache/trixie-6.12.*" "$packages"

can_make_root trixie-root
mirror=$(host_mirror)

work=$cache/trixie-work
rm -rf "$work"
mkdir -p "$cache"
echo "trixie-root: creating a trixie root with the 6.12 cloud kernel (about 30 s, 520 MB)" >&2
if ! INITRD=No mmdebstrap --mode=root --variant=minbase \
	--include=$packages \
	--dpkgopt='path-exclude=/usr/share/{doc,man,locale,info}/*' \
	trixie "$work" "$mirror" >"$cache/trixie-mmdebstrap.log" 2>&1; then
	tail -n 20 "$cache/trixie-mmdebstrap.log" >&2
	rm -rf "$work"
	exit 1
fi
rel=$(ls "$work/usr/lib/modules" | grep -- '-cloud-amd64$' | sort -V | tail -n 1)
[ -n "$rel" ] || { echo "trixie-root: no cloud kernel in the new root" >&2; exit 1; }
rm -rf "$cache/trixie-$rel"
mv "$work" "$cache/trixie-$rel"
echo "$packages" >"$cache/trixie-$rel/.complete"
echo "$cache/trixie-$rel"
