#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: three UEs on one PC5 link, one ProSe group, UDP multicast
# from one to the others; the bytes on the wire beside what each
# receiver's socket got; statistics; then a UE with the wrong PGK.
# Runs as root in the test VM (or on any machine with pc5sec installed).
. /selftests/lib.sh

G=239.5.5.5
PORT=5000
tmp=$(mktemp -d)
trap 'topo_destroy; rm -rf "$tmp"' EXIT

say() {
	printf '\n\033[1m%s\033[0m\n' "$*"
}

run() {
	printf '  ue%s$ pc5sec %s\n' "$1" "${*:2}"
	ue "$1" pc5sec --state-dir "$tmp/st$1" "${@:2}"
}

umask 077
modprobe pc5sec || exit 1
topo_create 3 || exit 1

say "pc5sec: 3GPP ProSe one-to-many security (TS 33.303 6.2) for IP multicast"
echo "Three UEs (network namespaces ue1..ue3) share one PC5 link (a bridge)."
echo "The ProSe Function gives each the group 239.5.5.5, Group ID 0x000123, its"
echo "own Group Member ID, and a 256-bit PGK for the suite aes-gcm-128:"
pc5sec genkey >"$tmp/pgk"
for i in 1 2 3; do
	run $i group add $G group-id 0x123 member-id 0x00000$i
	run $i key add $G pgk-id 0x101 suite aes-gcm-128 key-file "$tmp/pgk" expires 1d
done

say "ue1 sends 5 plain UDP datagrams to $G:$PORT; pc5sec encrypts them"
for i in 2 3; do
	ue $i mcast_recv -g $G -p $PORT -i eth0 -n 5 -x -R "$tmp/ready$i" >"$tmp/recv$i" &
done
ue 2 pkt_capture -i eth0 -P 253 -d $G -n 5 -T 5000 -R "$tmp/readyc" >"$tmp/wire" 2>/dev/null &
for f in "$tmp/ready2" "$tmp/ready3" "$tmp/readyc"; do
	wait_file "$f" >/dev/null
done
for n in 1 2 3 4 5; do
	printf 'hello from ue1, #%d' "$n" >"$tmp/msg"
	ue 1 mcast_send -g $G -p $PORT -i eth0 -d "$tmp/msg" >/dev/null
	sleep 0.1
done
wait

unhex() {
	printf '%b' "$(sed 's/../\\x&/g' <<<"$1")"
}

echo
printf '%-76s | %-21s | %s\n' "on the wire (captured at ue2): IPv4 protocol, pc5sec header, ciphertext" \
	"ue2's socket got" "ue3's socket got"
exec 3<"$tmp/recv2" 4<"$tmp/recv3"
while read -r _ _ hex; do
	off=$((0x${hex:1:1} * 8))
	read -r p2 <&3
	read -r p3 <&4
	printf 'proto %d v%d suite %d index %d member 0x%s ptk %d ctr %d  %s.. | %-21s | %s\n' \
		$((0x${hex:18:2})) $((0x${hex:off:1})) $((0x${hex:off+1:1})) \
		$((0x${hex:off+4:2})) "${hex:off+6:6}" $((0x${hex:off+12:4})) \
		$((0x${hex:off+16:4})) "${hex:off+20:16}" "$(unhex "$p2")" "$(unhex "$p3")"
done <"$tmp/wire"
echo "(253: the pc5sec protocol; the 16-octet GCM tag follows each ciphertext)"

say "Statistics (pc5sec show -s), trimmed to what moved:"
for i in 1 2 3; do
	printf '  ue%s: %s\n' $i "$(ue $i pc5sec show $G -s -j |
		jq -c '.groups[0].stats | with_entries(select(.value != 0))')"
done

say "ue3 is given a wrong PGK (same PGK ID): it gets nothing"
run 3 key del $G pgk-id 0x101
pc5sec genkey >"$tmp/wrong"
run 3 key add $G pgk-id 0x101 suite aes-gcm-128 key-file "$tmp/wrong"
ue 3 mcast_recv -g $G -p $PORT -i eth0 -n 0 -T 1500 -R "$tmp/ready3" >"$tmp/recv3" &
wait_file "$tmp/ready3" >/dev/null
ue 1 mcast_send -g $G -p $PORT -i eth0 -s 64 -n 5 >/dev/null
wait
printf '  ue3 socket: %s\n' "$(tail -n 1 "$tmp/recv3")"
printf '  ue3 key: %s\n' "$(ue 3 pc5sec show $G -s -j |
	jq -c '.groups[0].keys[0].stats | {rx_packets, rx_drop_auth_failed}')"
echo
echo "Every datagram to the group left ue1 encrypted; members with the PGK got the"
echo "plaintext, a UE without it got nothing and counted authentication failures."
