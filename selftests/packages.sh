#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Debian packages as a user installed them (make check-packages; not
# in make check's list): the modules pc5sec-dkms had DKMS build in a fresh
# Debian 12 root, in lib/modules/<release>/updates/dkms/, and the tool
# pc5sec-tools put in /usr/sbin. modprobe loads them, then one protected
# group on a veth pair: a datagram from ue1 reaches ue2's socket
# decrypted, and the wire between shows protocol 253, not the plaintext;
# suite eea2 over IPv4, and eea3 over IPv6, whose cipher is pc5sec_eea's,
# loaded on demand. PC5SEC_PKG_VERSION: the version modinfo must show.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ktap_start pc5sec modprobe mcast_send mcast_recv pkt_capture

tmp=$(mktemp -d)
cleanup() {
	topo_destroy
	rm -rf "$tmp"
}
trap cleanup EXIT

PORT=6100
GROUP_ID=0x55
MARKER=PC5SEC-PACKAGED-PLAINTEXT-MARKER-0123456789abcdef

member() {
	printf '0x%06x' $((0x2000 + $1))
}

installed() {
	local tool ko
	tool=$(command -v pc5sec)
	[ "$tool" = /usr/sbin/pc5sec ] || fail "the tool is $tool, not the package's" || return
	modprobe pc5sec || fail "modprobe pc5sec failed" || return
	ko=$(modinfo -n pc5sec)
	echo "pc5sec: $ko, version $(modinfo -F version pc5sec)"
	echo "pc5sec_eea: $(modinfo -n pc5sec_eea)"
	echo "$(pc5sec version 2>&1 | tr '\n' ' ')"
	[[ $ko == /lib/modules/$(uname -r)/updates/dkms/pc5sec.ko* ]] ||
		fail "not DKMS's module" || return
	[[ $(modinfo -n pc5sec_eea) == /lib/modules/$(uname -r)/updates/dkms/pc5sec_eea.ko* ]] ||
		fail "not DKMS's pc5sec_eea" || return
	[ -z "${PC5SEC_PKG_VERSION:-}" ] || [ "$(modinfo -F version pc5sec)" = "$PC5SEC_PKG_VERSION" ] ||
		fail "module version is not $PC5SEC_PKG_VERSION" || return
	module_loaded || fail "pc5sec not loaded"
}

# protected GROUP SUITE: ue1 sends the marker 3 times to GROUP; ue2's socket
# gets it byte-exact, the capture on ue2's eth0 only protocol 253 without it.
protected() {
	local g=$1 suite=$2 i n=0
	for i in 1 2; do
		pc "$i" group add "$g" group-id "$GROUP_ID" member-id "$(member "$i")" || return
		pc "$i" key add "$g" pgk-id 0x101 suite "$suite" key-file "$tmp/pgk" || return
	done
	cap_bg c 2 -d "$g" -n 3 -T 5000 -V || return
	recv_bg r2 2 "$g" -n 3 -x || return
	send 1 "$g" -d "$tmp/marker" -n 3 -r 200 || return
	cap_wait c
	recv_ok r2 || return
	[ "$(grep -c "^$MARKER_HEX$" "$tmp/r2.out")" = 3 ] || fail "ue2 did not get the plaintext" || return
	[ "$(grep -c '^in ' "$tmp/c.cap")" = 3 ] || fail "captured $(grep -c '^in ' "$tmp/c.cap"), not 3" || return
	! grep -qi "${MARKER_HEX:0:32}" "$tmp/c.cap" || fail "plaintext on the wire" || return
	# IPv4's protocol, IPv6's next header (the datagrams have no
	# extension headers): 0xfd. (No <(...): the VM has no /dev/fd.)
	grep '^in ' "$tmp/c.cap" >"$tmp/c.in"
	while read -r _ _ hex; do
		if [ "${hex:0:1}" = 4 ]; then
			[ "${hex:18:2}" = fd ] || fail "IPv4 protocol 0x${hex:18:2}, not 253" || return
		else
			[ "${hex:12:2}" = fd ] || fail "IPv6 next header 0x${hex:12:2}, not 253" || return
		fi
		n=$((n + 1))
	done <"$tmp/c.in"
	[ "$n" = 3 ] || fail "checked $n datagrams' protocol, not 3" || return
	echo "3 datagrams $suite: decrypted at ue2, protocol 253 on the wire, no plaintext"
	for i in 1 2; do
		pc "$i" group del "$g"
	done
}

umask 077
pc5sec genkey >"$tmp/pgk"
printf '%s' "$MARKER" >"$tmp/marker"
MARKER_HEX=$(od -An -tx1 "$tmp/marker" | tr -d ' \n')

ktap_case "modprobe loads DKMS's pc5sec; the tool is the package's" installed
ktap_step topo_create 2
ktap_case "eea2 IPv4: decrypted at the receiver, protocol 253 on the wire" protected 239.55.3.1 eea2
ktap_case "eea3 IPv6 (pc5sec_eea): decrypted at the receiver, protocol 253 on the wire" \
	protected ff0e::55:3 eea3
ktap_run
