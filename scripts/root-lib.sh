# SPDX-License-Identifier: GPL-2.0
#
# Sourced by the scripts that make and cache Debian roots (trixie-root.sh,
# arm64-root.sh): where the cache is, finding a made root, the host's mirror.

cache=${PC5SEC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pc5sec}

# cached_root GLOB KEY: prints the newest root matching GLOB whose .complete
# file holds KEY (what it was made with), and exits; returns if none does.
cached_root() {
	local r
	for r in $(ls -d $1 2>/dev/null | sort -rV); do
		if [ "$(cat "$r/.complete" 2>/dev/null)" = "$2" ]; then
			echo "$r"
			exit 0
		fi
	done
}

# can_make_root NAME: making a root needs root and mmdebstrap.
can_make_root() {
	[ "$(id -u)" = 0 ] || { echo "$1: creating the root needs root" >&2; exit 1; }
	command -v mmdebstrap >/dev/null || { echo "$1: mmdebstrap missing (make deps)" >&2; exit 1; }
}

# host_mirror [security]: the host's Debian mirror, or its security archive.
host_mirror() {
	local sources=/etc/apt/sources.list.d/debian.sources m
	if [ "${1:-}" = security ]; then
		m=$(awk '/^URIs:/ && /security/ { print $2; exit }' "$sources" 2>/dev/null || true)
		echo "${m:-http://deb.debian.org/debian-security}"
	else
		m=$(awk '/^URIs:/ { print $2; exit }' "$sources" 2>/dev/null || true)
		echo "${m:-http://deb.debian.org/debian}"
	fi
}
