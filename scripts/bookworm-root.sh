#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Provides, once, a minimal Debian 12 (bookworm) root as a fresh device
# would have it: mmdebstrap's minbase with apt, and this host's APT sources
# (bookworm, -updates and -security, where the cloud kernel's headers are).
# check-packages.sh installs the packages into a copy of it. Cached outside
# the tree, keyed by the sources and this script (its package list and
# options); a root is never modified once made. Prints the root's path.
set -euo pipefail

cache=${PC5SEC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pc5sec}
sources=/etc/apt/sources.list.d/debian.sources
[ -r "$sources" ] || { echo "bookworm-root: no $sources" >&2; exit 1; }
key=$(cat "${BASH_SOURCE[0]}" "$sources" | sha256sum | cut -c1-12)
root=$cache/bookworm-base-$key
if [ -f "$root/.complete" ]; then
	echo "$root"
	exit 0
fi

[ "$(id -u)" = 0 ] || { echo "bookworm-root: creating the root needs root" >&2; exit 1; }
command -v mmdebstrap >/dev/null || { echo "bookworm-root: mmdebstrap missing (make deps)" >&2; exit 1; }
mirror=$(awk '/^URIs:/ { print $2; exit }' "$sources")

work=$cache/bookworm-work
rm -rf "$work" "$cache"/bookworm-base-*
mkdir -p "$cache"
echo "bookworm-root: creating a minimal bookworm root (about 15 s, 180 MB)" >&2
# The device's sources replace mmdebstrap's single one before its apt
# update, so the root starts with all three suites' lists.
if ! mmdebstrap --mode=root --variant=minbase \
	--setup-hook='rm -f "$1"/etc/apt/sources.list; mkdir -p "$1"/etc/apt/sources.list.d' \
	--setup-hook="cp $sources \"\$1\"/etc/apt/sources.list.d/" \
	bookworm "$work" "deb $mirror bookworm main" >"$cache/bookworm-mmdebstrap.log" 2>&1; then
	tail -n 20 "$cache/bookworm-mmdebstrap.log" >&2
	rm -rf "$work"
	exit 1
fi
mv "$work" "$root"
touch "$root/.complete"
echo "$root"
