#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# deb.sh: the Debian packages pc5sec-dkms and pc5sec-tools, and the source
# package, into build/deb/, then lintian over them (make deb).
# dpkg-buildpackage writes beside the source tree, so it builds a copy of
# the tree in build/deb/pc5sec-<VERSION>/ (what git tracks and what it
# would add, as it is now: uncommitted changes included), which then goes.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ver=$(cat "$top/VERSION")
out=$top/build/deb
src=$out/pc5sec-$ver

for c in dpkg-buildpackage dh dh_dkms lintian; do
	command -v "$c" >/dev/null || { echo "deb: $c missing (make deps)" >&2; exit 1; }
done
# Only the released version is built: the changelog's must be VERSION's.
chver=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
[ "$chver" = "$ver" ] || {
	echo "deb: debian/changelog is at $chver, VERSION at $ver: add a changelog entry (dch -v $ver)" >&2
	exit 1
}

rm -rf "$out"
mkdir -p "$src"
if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$top" && git ls-files -z -co --exclude-standard |
		tar -c --null -T - --ignore-failed-read 2>/dev/null) | tar -x -C "$src"
else
	(cd "$top" && tar -c --exclude=./build --exclude=./.git .) | tar -x -C "$src"
fi

echo "deb: building pc5sec $ver in $src" >&2
(cd "$src" && dpkg-buildpackage --build=full -us -uc) >"$out/build.log" 2>&1 || {
	tail -n 30 "$out/build.log" >&2
	echo "deb: dpkg-buildpackage failed; the log is $out/build.log" >&2
	exit 1
}
rm -rf "$src"
ls -1 "$out"/*.deb "$out"/*.dsc

# Errors and warnings fail; each tag kept is overridden, with its reason,
# in debian/*lintian-overrides.
echo "deb: lintian" >&2
lintian --fail-on error,warning --info "$out"/pc5sec_"${ver}"_*.changes
echo "deb: lintian clean"
