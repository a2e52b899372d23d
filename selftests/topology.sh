#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The emulated PC5 link and the helpers every later test builds on, without
# pc5sec: plain multicast between UEs over IPv4 and IPv6, on a veth pair and
# on a bridge, seen by the capture helper and re-sent by the injector.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ktap_header
require_root
require_cmd ip mcast_send mcast_recv pkt_capture pkt_inject

tmp=$(mktemp -d)
cleanup() {
	topo_destroy
	rm -rf "$tmp"
}
trap cleanup EXIT

G4=239.55.1.1
G6=ff0e::55:1
PORT=5555

# deliver FAMILY GROUP SIZE FROM TO...: COUNT datagrams from UE FROM reach
# every UE in TO byte-exact (the receivers check the payload pattern).
deliver() {
	local fam=$1 group=$2 size=$3 from=$4 to n=50 pids=() rc=0 p
	shift 4
	for to in "$@"; do
		rm -f "$tmp/ready$to"
		ue "$to" mcast_recv $fam -g "$group" -p $PORT -i eth0 -n $n -V -s "$size" \
			-T 3000 -R "$tmp/ready$to" >"$tmp/recv$to" &
		pids+=($!)
	done
	for to in "$@"; do
		wait_file "$tmp/ready$to" || return
	done
	ue "$from" mcast_send $fam -g "$group" -p $PORT -i eth0 -s "$size" -n $n -r 2000 >/dev/null || return
	for p in "${pids[@]}"; do
		wait "$p" || rc=1
	done
	for to in "$@"; do
		echo "ue$to: $(cat "$tmp/recv$to")"
	done
	return $rc
}

# topo N: the link of N UEs, in place of the one before.
topo() {
	topo_destroy
	topo_create "$1" || ktap_bail_out "cannot build a $1-UE link"
}

ktap_step topo 2
ktap_case "veth link: IPv4 multicast delivered byte-exact" deliver "" $G4 1400 1 2
ktap_case "veth link: IPv6 multicast delivered byte-exact" deliver -6 $G6 1400 1 2

loopback() {
	rm -f "$tmp/readyl"
	ue 1 mcast_recv -g $G4 -p $PORT -n 10 -V -s 200 -T 3000 -R "$tmp/readyl" >"$tmp/recvl" &
	local p=$!
	wait_file "$tmp/readyl" || return
	ue 1 mcast_send -g $G4 -p $PORT -i eth0 -s 200 -n 10 -l 1 >/dev/null || return
	wait $p || { cat "$tmp/recvl"; return 1; }
}
ktap_case "listener on the sending UE gets the loopback copy" loopback

# The capture shows the datagrams on the link, the payload in clear; the
# injector puts a captured datagram back on the link, checksum completed.
capture_inject() {
	local cap=$tmp/cap p
	rm -f "$tmp/readyc"
	ue 2 pkt_capture -i eth0 -n 3 -P 17 -d $G4 -T 4000 -R "$tmp/readyc" >"$cap" &
	p=$!
	wait_file "$tmp/readyc" || return
	ue 1 mcast_send -g $G4 -p $PORT -i eth0 -s 64 -n 3 -S 0x11223344 >/dev/null || return
	wait $p
	[ "$(grep -c '^in ' "$cap")" = 3 ] || fail "expected 3 captured datagrams: $(cat "$cap")" || return
	# Bytes 4..7 of each payload carry the seed.
	grep -q 11223344 "$cap" || fail "payload not found in the capture" || return

	# Replayed from the sender's side: a UE drops packets from its own address.
	rm -f "$tmp/readyr"
	ue 2 mcast_recv -g $G4 -p $PORT -n 3 -V -S 0x11223344 -s 64 -T 3000 -R "$tmp/readyr" >"$tmp/recvr" &
	p=$!
	wait_file "$tmp/readyr" || return
	ue 1 pkt_inject -i eth0 -c -f "$cap" || return
	wait $p || fail "injected datagrams not delivered: $(cat "$tmp/recvr")"
}
ktap_case "capture sees the datagrams, injected copies are delivered" capture_inject

ktap_step topo 3
ktap_case "bridged link: IPv4 multicast reaches two UEs" deliver "" $G4 512 1 2 3
ktap_case "bridged link: IPv6 multicast reaches two UEs" deliver -6 $G6 512 3 1 2
ktap_case "bridged link: 4000-byte datagrams (fragmented) arrive intact" deliver "" $G4 4000 2 1 3

ktap_run
