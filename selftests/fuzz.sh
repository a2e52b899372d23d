#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Random input, then real traffic: mutated and forged datagrams at a
# receiver (pkt_forge), random requests to the netlink family as root and
# as a user without CAP_NET_ADMIN (nl_fuzz), and keys added, rolled over
# and deleted while two members send at full rate. Each stage ends with
# its counts (sent, dropped by reason, delivered) and fails on a kernel
# report; real traffic must still be delivered after it.
#
# The counts are knobs: PC5SEC_FUZZ_PACKETS (datagrams, over the four
# suite and IP version combinations), PC5SEC_FUZZ_MESSAGES (netlink
# requests as root; a tenth as the user), PC5SEC_CHURN_SECONDS and
# PC5SEC_CHURN_RATE (key operations per second). make check runs it short;
# make fuzz with a million datagrams, a hundred thousand requests and
# 60 s of churn.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ktap_start pc5sec jq mcast_send mcast_recv pkt_capture pkt_forge nl_fuzz setpriv

PACKETS=${PC5SEC_FUZZ_PACKETS:-20000}
MESSAGES=${PC5SEC_FUZZ_MESSAGES:-5000}
CHURN_SECONDS=${PC5SEC_CHURN_SECONDS:-10}
CHURN_RATE=${PC5SEC_CHURN_RATE:-10}
SEED=${PC5SEC_FUZZ_SEED:-$RANDOM}

umask 077
tmp=$(mktemp -d)
cleanup() {
	topo_destroy
	rm -rf "$tmp"
}
trap cleanup EXIT

PORT=6200
GROUP_ID=0x3e

member() {
	printf '0x%06x' $((0x300 + $1))
}

# One suite and IP version: mutated copies of 20 datagrams ue2 got, and as
# many forged ones from random members at random PTK IDs and counters;
# none is delivered, and ue1's next 5 are.
packets() {
	local g=$1 suite=$2 n=$3 before after
	provision "$g" "$suite" || return
	cap_bg c 2 -P 253 -d "$g" -n 20 -T 6000 || return
	recv_bg r2 2 "$g" -n 20 -V -s 200 || return
	send 1 "$g" -s 200 -n 20 -r 500 || return
	cap_wait c
	recv_ok r2 >/dev/null || return
	recv_bg r2 2 "$g" -n 5 -V -s 200 -T 600000 || return
	sleep 0.3
	before=$(counters "$g")
	dmesg_mark
	ue 3 pkt_forge -i eth0 -F "$tmp/c.cap" -n $((n / 2)) -x "$SEED" | sed 's/^/mutated: /' ||
		return
	forge "$g" "$suite" -m rand -p rand -c rand -l 216 -n $((n / 2)) -x "$SEED" |
		sed 's/^/forged: /' || return
	sleep 1
	after=$(counters "$g")
	echo "dropped and delivered: $(moved "$before" "$after")"
	[ "$(count "$after" "$before" rx_packets)" = 0 ] || fail "a fuzzed datagram was delivered" || return
	dmesg_clean_since_mark || fail "the kernel log shows a problem" || return
	send 1 "$g" -s 200 -n 5 -r 200 || return
	recv_ok r2 || fail "ue1's datagrams after the fuzzing did not all arrive" || return
	[ "$(senders "$g")" = 1 ] || fail "ue2 tracks senders that never authenticated"
}

# Random requests as root; then the family still works, and a flush
# leaves nothing.
netlink_root() {
	dmesg_mark
	nl_fuzz -n "$MESSAGES" -x "$SEED" || return
	dmesg_clean_since_mark || fail "the kernel log shows a problem" || return
	pc5sec flush || return
	pc5sec group add 239.77.9.9 group-id 1 member-id 1 || return
	pc5sec show -j | jq -e '.groups | length == 1' >/dev/null || fail "show after the fuzzing" ||
		return
	pc5sec flush
}

# As a user without CAP_NET_ADMIN: every request refused, nothing changed.
netlink_user() {
	local before after
	pc5sec group add 239.77.9.8 group-id 2 member-id 2 || return
	pc5sec key add 239.77.9.8 pgk-id 7 suite aes-gcm-128 key-file "$tmp/pgk" tx-ptk-id 0 ||
		return
	before=$(pc5sec show -j)
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all \
		nl_fuzz -u -n $((MESSAGES / 10)) -x "$SEED" || return
	after=$(pc5sec show -j)
	[ "$before" = "$after" ] || fail "the state changed: $before -> $after" || return
	pc5sec flush
}

# Rollovers while ue1 and ue3 send unpaced to ue2: each new key on the
# receiver first, then on the senders (which take it at once: the newest
# of equal not-before), the senders' old key deleted, and the receiver's
# one rollover later. Nothing pc5sec drops, and no tx error. The window
# is the largest: a sender's first datagrams with a new key wait for a
# trial, up to PC5_PENDING_PER_MEMBER (192) of them, and those that came
# after the trial may be delivered first; on a slow (debug) kernel, more
# than the default 128 apart.
churn() {
	local g=239.77.5.5 n=1 ops=0 pace start i s1 s3 id rx tx1 tx3 drops
	pc5sec genkey >"$tmp/churn1"
	for i in 1 2 3; do
		pc $i group add $g group-id $GROUP_ID member-id "$(member $i)" \
			replay-window 4096 || return
		pc $i key add $g pgk-id 0x201 suite aes-gcm-128 key-file "$tmp/churn1" || return
	done
	recv_bg r2 2 $g -n 0 -T 3000 || return
	ue 1 timeout $((CHURN_SECONDS + 1)) mcast_send -g $g -p $PORT -i eth0 -s 200 -n 999999999 \
		>/dev/null 2>&1 &
	s1=$!
	ue 3 timeout $((CHURN_SECONDS + 1)) mcast_send -g $g -p $PORT -i eth0 -s 200 -n 999999999 \
		>/dev/null 2>&1 &
	s3=$!
	start=${EPOCHREALTIME/./}
	dmesg_mark
	# Key operations: 3 adds and 3 deletions per rollover.
	while [ $((${EPOCHREALTIME/./} - start)) -lt $((CHURN_SECONDS * 1000000)) ]; do
		n=$((n + 1))
		id=$(printf '0x%x' $((0x200 + n)))
		pc5sec genkey >"$tmp/churn$n"
		for i in 2 1 3; do
			pc $i key add $g pgk-id "$id" suite aes-gcm-128 key-file "$tmp/churn$n" || return
		done
		sleep 0.1
		for i in 1 3; do
			pc $i key del $g pgk-id "$(printf '0x%x' $((0x200 + n - 1)))" || return
		done
		if [ $n -gt 2 ]; then
			pc 2 key del $g pgk-id "$(printf '0x%x' $((0x200 + n - 2)))" || return
		fi
		ops=$((ops + 6))
		pace=$((ops * 1000000 / CHURN_RATE - (${EPOCHREALTIME/./} - start)))
		[ $pace -gt 0 ] && sleep "$((pace / 1000000)).$(printf '%06d' $((pace % 1000000)))"
	done
	wait $s1 $s3
	recv_ok r2
	tx1=$(pc 1 show $g -s -j | jq '.groups[0].stats')
	tx3=$(pc 3 show $g -s -j | jq '.groups[0].stats')
	rx=$(pc 2 show $g -s -j | jq '.groups[0].stats')
	echo "$((n - 1)) rollovers, $ops key operations in ${CHURN_SECONDS} s"
	echo "sent $(jq -n --argjson a "$tx1" --argjson b "$tx3" '$a.tx_packets + $b.tx_packets')," \
		"decrypted $(jq .rx_packets <<<"$rx")"
	drops=$(jq -r 'to_entries[] | select((.key | test("drop")) and .value != 0) | "\(.key)=\(.value)"' \
		<<<"$rx"$'\n'"$tx1"$'\n'"$tx3")
	pc 1 group del $g && pc 2 group del $g && pc 3 group del $g
	dmesg_clean_since_mark || fail "the kernel log shows a problem" || return
	[ -z "$drops" ] || fail "pc5sec dropped real datagrams:" $drops
}

pc5sec genkey >"$tmp/pgk"
topo_create 3 || ktap_bail_out "cannot build the PC5 link"
echo "# seed $SEED (PC5SEC_FUZZ_SEED replays it)"

for suite in aes-gcm-128 eea2; do
	for g in 239.66.1.1 ff0e::66:1; do
		v=IPv4
		[ -n "$(fam $g)" ] && v=IPv6
		ktap_case "$suite $v: $((PACKETS / 4)) mutated and forged datagrams, none delivered; real ones after" \
			packets $g $suite $((PACKETS / 4))
		ktap_step unprovision $g
	done
done
ktap_case "$MESSAGES random netlink requests as root; the family works after" netlink_root
ktap_case "$((MESSAGES / 10)) random netlink requests without CAP_NET_ADMIN: all refused" \
	netlink_user
ktap_case "key churn at $CHURN_RATE/s for $CHURN_SECONDS s under full-rate traffic: nothing lost" \
	churn

ktap_run
