#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ynl.sh: provides, once, the kernel's ynl tools (tools/net/ynl/) and its
# netlink spec schemas (Documentation/netlink/) from Debian's
# linux-source-6.12 and prints the directory that holds both, as in the
# kernel tree. Cached outside the tree, keyed by the package version, which
# is read from apt (the archive drops old builds at point releases, so none
# is pinned). The package is fetched with apt-get download, never
# installed; only those two directories are kept.
#
# linux-source-6.12 is Debian 13's kernel source; Debian 12 carries the same
# source as its 6.12 backport (bookworm-security), which is what apt offers
# on the Debian 12 hosts this project builds on.
set -euo pipefail

cache=${PC5SEC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pc5sec}
pkg=linux-source-6.12

die() {
	echo "ynl.sh: $*" >&2
	exit 1
}

ver=$(apt-cache policy "$pkg" 2>/dev/null | sed -n 's/^ *Candidate: //p')
if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then
	# A cached copy serves when apt cannot answer (no lists, offline).
	for d in $(ls -d "$cache"/ynl-* 2>/dev/null | sort -rV); do
		[ -f "$d/.complete" ] && { echo "$d"; exit 0; }
	done
	die "apt knows no $pkg (apt-get update?)"
fi
dir=$cache/ynl-$ver
[ -f "$dir/.complete" ] && { echo "$dir"; exit 0; }

command -v xz >/dev/null || die "xz missing (make deps)"
mkdir -p "$cache"
work=$(mktemp -d "$cache/ynl-work.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "ynl.sh: fetching $pkg $ver (about 150 MB) for its ynl tools and schemas" >&2
# apt-get download fetches into the current directory, as the caller (not
# as _apt, who may not enter it).
mkdir "$work/deb"
(cd "$work/deb" && apt-get download -q -o APT::Sandbox::User="$(id -un)" "$pkg=$ver" >&2) ||
	die "apt-get download $pkg=$ver failed"
deb=$(ls "$work"/deb/*.deb)
tarball=$(dpkg-deb -c "$deb" | awk '{ print $NF }' | grep -m 1 '/linux-source-6\.12\.tar\.xz$') ||
	die "no source tarball in $deb"
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work" "$tarball"
rm -rf "$work/deb"
mkdir -p "$work/src"
tar -xJf "$work/$tarball" -C "$work/src" --strip-components=1 \
	linux-source-6.12/tools/net/ynl linux-source-6.12/Documentation/netlink
[ -f "$work/src/tools/net/ynl/cli.py" ] && [ -f "$work/src/Documentation/netlink/genetlink-legacy.yaml" ] ||
	die "the tarball lacks tools/net/ynl/cli.py or the schemas"
echo "$ver" >"$work/src/.complete"
rm -rf "$dir"
mv "$work/src" "$dir"
echo "$dir"
