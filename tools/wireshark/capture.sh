#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# capture.sh: the guest half of tools/wireshark/test.sh (make
# check-dissector), run in the test VM by vm.sh -m run. On a three-UE PC5
# link (lib.sh), ue1 and ue2 send protected datagrams to one group per
# suite and IP version while tcpdump captures on ue3's port; then ue3
# forges malformed protocol-253 datagrams; then the module is loaded again
# with proto=200 and one group per IP version is captured apart.
#
# What each sender used is read from the tool (pc5sec show -j) before and
# after it sent: the ground truth, one JSON object a line, in truth.jsonl.
# The forged datagrams and the expert info each must get are in
# forged.txt. The pcaps and these files go to /dev/ttyS2 as a base64 tar
# between PC5SEC-DISSECTOR-BEGIN and -END lines.
. /selftests/lib.sh

out=/tmp/dissector
tmp=$(mktemp -d)
mkdir -p "$out"
PORT=6018
GROUP_ID=0x18
SUITES="eea0 eea1 eea2 eea3 aes-gcm-128"
# Each sender's payload size: ue2's is fragmented on the 1500-octet link.
size_1=100
size_2=2000

die() {
	echo "capture.sh: $*" >&2
	exit 1
}

# cap_start FILE: tcpdump on ue3's eth0 (both directions), writing FILE.
cap_start() {
	rm -f "$tmp/tcpdump.err"
	ip netns exec "$(ue_ns 3)" /usr/bin/tcpdump -i eth0 --immediate-mode -U -s 0 -Z root -w "$1" \
		2>"$tmp/tcpdump.err" &
	tcpdump_pid=$!
	for _ in $(seq 100); do
		grep -q 'listening on' "$tmp/tcpdump.err" 2>/dev/null && return 0
		sleep 0.1
	done
	cat "$tmp/tcpdump.err" >&2
	die "tcpdump did not start"
}

# Without --immediate-mode (cap_start), tcpdump's ring buffer held the
# last datagram back and SIGINT lost it.
cap_stop() {
	sleep 0.5
	kill -INT "$tcpdump_pid"
	wait "$tcpdump_pid"
	cat "$tmp/tcpdump.err" >&2
}

# group_addr FAM N: the N-th group address of family 4 or 6.
group_addr() {
	if [ "$1" = 4 ]; then echo "239.18.0.$2"; else echo "ff05::18:$2"; fi
}

# sender_case FILE N FAM SUITE: group N with SUITE on ue1 and ue2, each
# with its own Group Member ID; ue1 starts at the PTK ID the tool reserves,
# ue2 at one given in key add. Each sends 4 datagrams; the truth goes to
# FILE.
sender_case() {
	local file=$1 n=$2 fam=$3 suite=$4 g i member pgk_id before after size
	g=$(group_addr "$fam" "$n")
	pgk_id=$((0x18000 + n * 17))
	for i in 1 2; do
		member=$(printf '0x%06x' $((0x180000 + n * 16 + i)))
		pc "$i" group add "$g" group-id "$GROUP_ID" member-id "$member" || return
		if [ "$i" = 1 ]; then
			pc "$i" key add "$g" pgk-id "$pgk_id" suite "$suite" key-file "$tmp/pgk" || return
		else
			pc "$i" key add "$g" pgk-id "$pgk_id" suite "$suite" key-file "$tmp/pgk" \
				tx-ptk-id $((0x1000 + n * 0x101)) || return
		fi
	done
	for i in 1 2; do
		eval "size=\$size_$i"
		before=$(pc "$i" show "$g" -j) || return
		send "$i" "$g" -s "$size" -n 4 -r 200 || return
		after=$(pc "$i" show "$g" -j) || return
		jq -nc --argjson b "$before" --argjson a "$after" --arg fam "$fam" \
			--arg ue "$i" --argjson size "$size" \
			'{fam: $fam, ue: $ue, address: $a.groups[0].address,
			  member_id: $a.groups[0].member_id, suite: $a.groups[0].keys[0].suite,
			  index: $a.groups[0].keys[0].index,
			  ptk_before: $b.groups[0].keys[0].tx_ptk_id,
			  ctr_before: ($b.groups[0].keys[0].tx_counter // 0),
			  ptk_after: $a.groups[0].keys[0].tx_ptk_id,
			  ctr_after: $a.groups[0].keys[0].tx_counter,
			  sent: 4, size: $size}' >>"$file" || return
	done
}

# inject FAM HEX: one raw IP datagram from ue3's port.
inject() {
	echo "$2" | ue 3 pkt_inject -i eth0 -c >/dev/null
}

# forged FAM EXPERT ARGS...: a datagram lib.sh's forge makes (pkt_forge,
# from ue3's port) to the forged group, which must get expert info EXPERT
# (or "none"); ARGS override forge's suite, PGK index and length.
forged() {
	local fam=$1 expert=$2
	shift 2
	forge "$(group_addr "$fam" 99)" eea0 -m 0x18ffff -p 0x1899 "$@" >/dev/null || return
	echo "$fam $expert" >>"$out/forged.txt"
}

module_load allow_null=1 || die "cannot load the module"
topo_create 3 || die "cannot build the PC5 link"
pc5sec genkey >"$tmp/pgk" || die "genkey"

# Phase 1: every suite, both IP versions, default protocol number; then
# the malformed datagrams.
cap_start "$out/main.pcap"
n=0
for fam in 4 6; do
	for suite in $SUITES; do
		n=$((n + 1))
		sender_case "$out/truth.jsonl" "$n" "$fam" "$suite" ||
			die "case $n: IPv$fam $suite failed"
	done
done
: >"$out/forged.txt"
# Shorter than the header: 5 octets after the IP header, IPv4 and IPv6.
inject 4 "4500001900010000 01fd0000 0a370003 ef120063 1211010010" &&
	echo "4 malformed.short" >>"$out/forged.txt" || die "inject"
inject 6 "6000000000 05 fd 01 fd550000000000000000000000000003 ff050000000000000000000000180099 1211010010" &&
	echo "6 malformed.short" >>"$out/forged.txt" || die "inject"
forged 4 malformed.icv -S 4 -l 8 || die "forge"
forged 6 malformed.icv -S 4 -l 15 || die "forge"
forged 4 malformed.version -V 2 -S 2 -l 20 || die "forge"
forged 6 malformed.suite -S 9 -l 20 || die "forge"
forged 4 malformed.ciphertext -S 2 -l 0 || die "forge"
forged 6 malformed.ciphertext -S 4 -l 16 || die "forge"
forged 4 counter_zero -S 2 -l 20 -c 0 || die "forge"
forged 6 none -S 4 -l 17 || die "forge"
cap_stop

# Phase 2: proto=200, one group per IP version.
module_unload || die "rmmod"
module_load proto=200 || die "cannot load the module with proto=200"
cap_start "$out/proto200.pcap"
sender_case "$out/truth200.jsonl" 50 4 eea2 || die "proto=200 IPv4 failed"
sender_case "$out/truth200.jsonl" 51 6 aes-gcm-128 || die "proto=200 IPv6 failed"
cap_stop

topo_destroy
# vm.sh -o: /dev/ttyS2 on x86, a virtio port on arm64.
dev=${PC5SEC_OUTPUT_DEV:-/dev/ttyS2}
[ -c "$dev" ] && stty -F "$dev" raw -echo 2>/dev/null
set -o pipefail
{
	echo "PC5SEC-DISSECTOR-BEGIN"
	tar -czf - -C "$out" . | base64
	echo "PC5SEC-DISSECTOR-END"
} >"$dev" || die "cannot write the captures to $dev"
echo "capture.sh: done: $(wc -l <"$out/truth.jsonl") senders, $(wc -l <"$out/forged.txt") forged"
