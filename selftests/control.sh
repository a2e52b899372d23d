#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The control plane: every pc5sec command against the kernel's generic
# netlink family, bad input of every class, large dumps, lifetimes and
# their events, namespaces, and tx PTK ID reservations.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ktap_start pc5sec jq setpriv unshare

tmp=$(mktemp -d)
chmod 700 "$tmp"
STATE=$tmp/state
ALL=$tmp/all-output		# every output of the suite, searched for key bytes
G4=239.5.5.1
G6=ff0e::5:1

cleanup() {
	[ -n "${monpid:-}" ] && kill "$monpid" 2>/dev/null
	[ -n "${gmon1:-}" ] && kill "$gmon1" "$gmon2" 2>/dev/null
	ip netns del pc5-ctl-a 2>/dev/null
	ip netns del pc5-ctl-b 2>/dev/null
	module_loaded && pc5sec flush 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# p ARGS...: runs pc5sec, keeps its output, and prints it.
p() {
	kept "$ALL" pc5sec --state-dir "$STATE" "$@"
}

# pj ARGS... -- FILTER: pc5sec ARGS -j must satisfy the jq FILTER.
pj() {
	local args=() out
	while [ "$1" != -- ]; do
		args+=("$1")
		shift
	done
	shift
	out=$(p "${args[@]}" -j) || { echo "pc5sec ${args[*]} -j failed: $out"; return 1; }
	jq -e "$@" <<<"$out" >/dev/null || { echo "not matched by jq $*: $out"; return 1; }
}

# tcase DESC FUNC ARGS...: a case, on a configuration emptied first.
tcase() {
	local desc=$1
	shift
	ktap_case "$desc" flushed "$@"
}

flushed() {
	pc5sec flush >/dev/null 2>&1
	"$@"
}

# rejected WHAT ARGS...: pc5sec ARGS fails with a message and the
# configuration is what it was.
rejected() {
	local what=$1 before after out
	shift
	before=$(pc5sec show -j)
	if out=$(p "$@"); then
		echo "accepted $what: pc5sec $*"
		return 1
	fi
	after=$(pc5sec show -j)
	[ "$before" = "$after" ] || { echo "$what changed the configuration"; return 1; }
	grep -q . <<<"$out" || { echo "$what rejected without a message"; return 1; }
	echo "$what: $out"
}

module_loaded && module_unload
module_load || ktap_bail_out "cannot load the module"

pc5sec genkey >"$tmp/k1"
pc5sec genkey >"$tmp/k2"
KEY1=$(cat "$tmp/k1")
KEY2=$(cat "$tmp/k2")

genkey() {
	[[ $KEY1 =~ ^[0-9a-f]{64}$ ]] || fail "genkey printed '$KEY1'" || return
	[ "$KEY1" != "$KEY2" ] || fail "two genkeys gave the same key" || return
	(umask 022; pc5sec genkey >"$tmp/wr" 2>"$tmp/wr.err")
	grep -qi "world" "$tmp/wr.err" || fail "no warning for a world-readable key file"
}
tcase "genkey: 64 random hex digits, warns on a world-readable file" genkey

group_roundtrip() {
	local g=$1 fam=$2
	p group add "$g" group-id 0x123 member-id 0xa1 dev lo bearer 5 replay-window 64 \
		plaintext accept || return
	pj show -- ".groups | length == 1" || return
	pj show "$g" -- ".groups[0] | .address == \"$g\" and .family == \"$fam\" and
		.group_id == 291 and .member_id == 161 and .dev == \"lo\" and .bearer == 5 and
		.replay_window == 64 and .plaintext == \"accept\" and .keys == []" || return
	p show | grep -q "group $g" || fail "human show lacks the group" || return
	p show | grep -q "group-id 0x000123 member-id 0x0000a1" || fail "human show lacks the IDs" || return
	p group set "$g" replay-window 4096 plaintext drop || return
	pj show "$g" -- '.groups[0] | .replay_window == 4096 and .plaintext == "drop"' || return
	rejected "a second add of $g" group add "$g" group-id 1 member-id 2 || return
	p group del "$g" || return
	pj show -- '.groups == []' || return
	if p show "$g"; then
		fail "show of a deleted group succeeded"
	fi
}
tcase "group add, show, set, del round-trip (IPv4)" group_roundtrip $G4 ipv4
tcase "group add, show, set, del round-trip (IPv6)" group_roundtrip $G6 ipv6

key_roundtrip() {
	local g=$1 now
	now=$(date +%s)
	p group add "$g" group-id 7 member-id 9 || return
	p key add "$g" pgk-id 0x101 suite aes-gcm-128 key-file "$tmp/k1" \
		not-before @"$now" soft-expires @$((now + 1800)) expires @$((now + 3600)) || return
	p key add "$g" pgk-id 0x202 suite eea2 key-file - <"$tmp/k2" tx-ptk-id 100 tx-ptk-limit 200 ||
		return
	pj show "$g" -- ".groups[0].keys | length == 2 and
		(.[0] | .pgk_id == 257 and .index == 1 and .suite == \"aes-gcm-128\" and
			.state == \"active\" and .not_before == $now and
			.soft_expires == $now + 1800 and .expires == $now + 3600 and
			.tx_ptk_id == 0 and .tx_ptk_id_limit == 63 and .tx_counter == 0) and
		(.[1] | .pgk_id == 514 and .index == 2 and .suite == \"eea2\" and
			.soft_expires == null and .expires == null and
			.tx_ptk_id == 100 and .tx_ptk_id_limit == 200)" || return
	p show "$g" | grep -q "pgk-id 0x00000101" || fail "human show lacks the key" || return
	pj show -s -- ".groups[0].stats.rx_drop_replay == 0 and
		.groups[0].keys[0].stats.tx_packets == 0 and .stats.rx_drop_no_group == 0" || return
	p key del "$g" pgk-id 0x101 || return
	pj show "$g" -- '.groups[0].keys | length == 1 and .[0].pgk_id == 514' || return
	p group del "$g"
}
tcase "key add, show (human, JSON, stats), del round-trip (IPv4)" key_roundtrip $G4
tcase "key add, show (human, JSON, stats), del round-trip (IPv6)" key_roundtrip $G6

flush() {
	p group add 239.5.5.10 group-id 1 member-id 1 &&
		p group add 239.5.5.11 group-id 2 member-id 1 &&
		p group add ff02::5:10 group-id 3 member-id 1 &&
		p key add 239.5.5.10 pgk-id 1 suite eea2 key-file "$tmp/k1" || return
	pj show -- '.groups | length == 3' || return
	p flush || return
	pj show -- '.groups == []'
}
tcase "flush removes every group" flush

bad_input() {
	local r=0
	head -c 63 "$tmp/k1" >"$tmp/k63"
	{ cat "$tmp/k1"; echo 0; } | tr -d '\n' >"$tmp/k65"
	sed 's/^../zz/' "$tmp/k1" >"$tmp/khex"
	p group add $G4 group-id 1 member-id 2 || return
	p key add $G4 pgk-id 0x101 suite eea2 key-file "$tmp/k1" || return
	rejected "a unicast address" group add 10.5.5.1 group-id 1 member-id 2 || r=1
	rejected "a unicast IPv6 address" group add fd55::1 group-id 1 member-id 2 || r=1
	rejected "a malformed address" group add 239.5.5 group-id 1 member-id 2 || r=1
	rejected "a Group ID over 24 bits" group add 239.5.5.2 group-id 0x1000000 member-id 2 || r=1
	rejected "a member ID over 24 bits" group add 239.5.5.2 group-id 1 member-id 16777216 || r=1
	rejected "a bearer over 31" group add 239.5.5.2 group-id 1 member-id 2 bearer 32 || r=1
	rejected "a replay window over 4096" group set $G4 replay-window 4097 || r=1
	rejected "an unknown interface" group add 239.5.5.2 group-id 1 member-id 2 dev nonexist0 || r=1
	rejected "a key of 63 hex digits" key add $G4 pgk-id 0x102 suite eea2 key-file "$tmp/k63" || r=1
	rejected "a key of 65 hex digits" key add $G4 pgk-id 0x102 suite eea2 key-file "$tmp/k65" || r=1
	rejected "a key with non-hex digits" key add $G4 pgk-id 0x102 suite eea2 key-file "$tmp/khex" || r=1
	rejected "a duplicate PGK index" key add $G4 pgk-id 0x301 suite eea2 key-file "$tmp/k2" || r=1
	rejected "a duplicate PGK ID" key add $G4 pgk-id 0x101 suite eea2 key-file "$tmp/k2" || r=1
	rejected "an unknown suite" key add $G4 pgk-id 0x102 suite eea9 key-file "$tmp/k1" || r=1
	rejected "eea0 without allow_null" key add $G4 pgk-id 0x102 suite eea0 key-file "$tmp/k1" || r=1
	rejected "not-before after the expiry" key add $G4 pgk-id 0x102 suite eea2 \
		key-file "$tmp/k1" not-before 2h expires 1h || r=1
	rejected "an expiry in the past" key add $G4 pgk-id 0x102 suite eea2 \
		key-file "$tmp/k1" expires @1000 || r=1
	rejected "a key for a missing group" key add 239.5.5.3 pgk-id 0x102 suite eea2 \
		key-file "$tmp/k1" || r=1
	rejected "deleting a missing group" group del 239.5.5.99 || r=1
	rejected "deleting a missing key" key del $G4 pgk-id 0x999 || r=1
	p group del $G4
	return $r
}
tcase "bad input is rejected with a message and changes nothing" bad_input

# Requests the tool never sends, straight to the kernel's validation.
kernel_checks() {
	local out before after bad
	p group add $G4 group-id 1 member-id 2 &&
		p key add $G4 pgk-id 1 suite eea2 key-file "$tmp/k1" || return
	before=$(pc5sec show -j)
	out=$(nl_raw $G4 unicast4 unicast6 addr-len two-addrs no-addr group-id member-id \
		bearer window plaintext stats-in key-in-group-cmd set-group-id pgk-short \
		pgk-long suite no-pgk pgk-and-keyring keyring-long keyring-empty userdata-long \
		check-in index-in limit-below-first lower-limit change-suite del-with-suite \
		unknown-attr)
	echo "$out"
	after=$(pc5sec show -j)
	[ "$before" = "$after" ] || fail "a rejected request changed the configuration" || return
	bad=$(grep -e ': accepted$' -e '(no message)$' <<<"$out")
	[ -z "$bad" ] || fail "accepted or rejected without a message: $bad" || return
	[ "$(wc -l <<<"$out")" = 28 ] || fail "not every case ran"
}
tcase "the kernel rejects malformed requests with a message, changing nothing" kernel_checks

seventeen() {
	local i
	p group add $G4 group-id 1 member-id 2 || return
	for i in $(seq 1 16); do
		p key add $G4 pgk-id "$i" suite eea2 key-file "$tmp/k1" >/dev/null || return
	done
	pj show $G4 -- '.groups[0].keys | length == 16' || return
	rejected "a 17th key" key add $G4 pgk-id 17 suite eea2 key-file "$tmp/k1" || return
	p group del $G4
}
tcase "a group holds 16 keys, not 17" seventeen

unprivileged() {
	p group add $G4 group-id 1 member-id 2 || return
	if setpriv --reuid=65534 --regid=65534 --clear-groups pc5sec show >"$tmp/u" 2>&1; then
		fail "an unprivileged user could show: $(cat "$tmp/u")"
		return
	fi
	cat "$tmp/u" >>"$ALL"
	grep -qi "not permitted" "$tmp/u" || fail "no permission error: $(cat "$tmp/u")" || return
	# Root in a user namespace has no CAP_NET_ADMIN over this netns.
	if unshare -U -r pc5sec group del $G4 >"$tmp/u" 2>&1; then
		fail "a user namespace's root could delete a group"
		return
	fi
	grep -qi "not permitted" "$tmp/u" || fail "no permission error: $(cat "$tmp/u")" || return
	pj show -- '.groups | length == 1' || return
	if unshare -U -r pc5sec show >/dev/null 2>&1; then
		fail "a user namespace's root could show"
		return
	fi
	p group del $G4
}
tcase "users without CAP_NET_ADMIN over the namespace get EPERM" unprivileged

big_dump() {
	local i j a
	for i in $(seq 0 999); do
		a="239.6.$((i / 250)).$((i % 250 + 1))"
		echo "group add $a group-id $i member-id 1"
		for j in 1 2 3 4; do
			echo "key add $a pgk-id $((i * 256 + j)) suite eea2 key-file $tmp/k1 tx-ptk-id 0"
		done
	done >"$tmp/batch"
	pc5sec -b "$tmp/batch" >>"$ALL" 2>&1 || fail "batch failed" || return
	pj show -- '(.groups | length == 1000) and
		([.groups[].keys | length == 4] | all) and
		([.groups[].address] | unique | length == 1000) and
		([.groups[].keys[].pgk_id] | length == 4000)' || return
	p flush
}
tcase "a dump of 1000 groups x 4 keys is complete" big_dump

lifetimes() {
	local ev=$tmp/events
	pc5sec monitor -j >"$ev" 2>&1 &
	monpid=$!
	sleep 0.5
	p group add $G6 group-id 1 member-id 2 || return
	p key add $G6 pgk-id 0x55 suite aes-gcm-128 key-file "$tmp/k2" soft-expires 2s expires 3s ||
		return
	pj show $G6 -- '.groups[0].keys | length == 1' || return
	sleep 4.5
	pj show $G6 -- '.groups[0].keys == []' || return
	p group del $G6 || return
	sleep 0.5
	kill $monpid
	wait $monpid 2>/dev/null
	monpid=
	cat "$ev" >>"$ALL"
	cat "$ev"
	jq -se "map(.event) == [\"group-new\", \"key-new\", \"key-soft-expired\",
		\"key-expired\", \"group-del\"]" "$ev" >/dev/null || fail "wrong events" || return
	jq -se '.[1:4] | map(.address == "ff0e::5:1" and .pgk_id == 85) | all' "$ev" >/dev/null ||
		fail "key events lack the address or PGK ID"
}
tcase "monitor sees add, soft expiry, expiry (key gone), delete" lifetimes

namespaces() {
	ip netns add pc5-ctl-a && ip netns add pc5-ctl-b || return
	ip netns exec pc5-ctl-a pc5sec group add $G4 group-id 1 member-id 1 || return
	ip netns exec pc5-ctl-a pc5sec key add $G4 pgk-id 1 suite eea2 key-file "$tmp/k1" \
		tx-ptk-id 0 || return
	ip netns exec pc5-ctl-b pc5sec show -j | jq -e '.groups == []' >/dev/null ||
		fail "namespace b sees a's group" || return
	pj show -- '.groups == []' || fail "the initial namespace sees a's group" || return
	ip netns exec pc5-ctl-b pc5sec group add $G4 group-id 2 member-id 2 || return
	ip netns exec pc5-ctl-a pc5sec show -j | jq -e '.groups[0].group_id == 1' >/dev/null ||
		fail "b's add changed a's group" || return
	p group add $G6 group-id 3 member-id 3 || return
	p key add $G6 pgk-id 2 suite aes-gcm-128 key-file "$tmp/k2" tx-ptk-id 0 || return
	dmesg_mark
	module_unload || fail "rmmod with groups in three namespaces failed" || return
	dmesg_clean_since_mark || return
	ip netns del pc5-ctl-a && ip netns del pc5-ctl-b || return
	module_load
}
tcase "namespaces are isolated; rmmod frees groups in all of them" namespaces

reservation() {
	local first1 limit1 first2
	p group add $G4 group-id 1 member-id 0x42 || return
	p key add $G4 pgk-id 0x77 suite eea2 key-file "$tmp/k1" || return
	first1=$(p show $G4 -j | jq '.groups[0].keys[0].tx_ptk_id')
	limit1=$(p show $G4 -j | jq '.groups[0].keys[0].tx_ptk_id_limit')
	p key del $G4 pgk-id 0x77 || return
	module_unload && module_load || return
	p group add $G4 group-id 1 member-id 0x42 || return
	p key add $G4 pgk-id 0x77 suite eea2 key-file "$tmp/k1" || return
	first2=$(p show $G4 -j | jq '.groups[0].keys[0].tx_ptk_id')
	echo "first reservation $first1-$limit1, after reload from $first2"
	[ "$first2" -gt "$limit1" ] || fail "the new reservation does not start past the old one"
	p group del $G4
}
tcase "a re-added key's tx PTK IDs start past the earlier reservation" reservation

# The output of show and monitor, text and JSON, for a fixed configuration:
# groups on IPv4 and IPv6 (one restricted to an interface whose name is not
# UTF-8), keys pending, active, soft-expired and expiring, and the events
# of their changes. Volatile values are normalised: counters to "N", times
# within a day of now to "T", the random keys' check values to "C"; monitor
# lines are sorted, the key worker's events racing the commands. The golden
# is selftests/golden/output.txt.
golden_output() {
	local dev=$'pc5\xff' g4=239.5.5.7 g6=ff0e::5:7 now norm c
	now=$(date +%s)
	# Counters, times near now and interface indexes (a kernel's own
	# devices come first) vary from run to run.
	norm='walk(if type == "object" then
		(if (.stats | type) == "object" then .stats |= map_values("N") else . end) |
		(if has("ifindex") then .ifindex = "I" else . end) |
		(if has("check") then .check = "C" else . end)
	elif type == "number" and . > $now - 86400 and . < $now + 86400 then "T"
	else . end)'
	pc5sec monitor -j >"$tmp/golden-ev.json" 2>&1 &
	gmon1=$!
	pc5sec monitor >"$tmp/golden-ev.txt" 2>&1 &
	gmon2=$!
	sleep 0.5
	ip link add name "$dev" type dummy || return
	{
		p group add $g4 group-id 0x123 member-id 0xa1 dev "$dev" bearer 5 \
			replay-window 64 plaintext accept &&
		p group add $g6 group-id 0xfffffe member-id 2 &&
		p group set $g4 replay-window 4096 &&
		p key add $g4 pgk-id 0x101 suite aes-gcm-128 key-file "$tmp/k1" \
			not-before @1000000000 expires @4102444800 &&
		p key add $g4 pgk-id 0x202 suite eea2 key-file "$tmp/k2" \
			not-before @4102444800 tx-ptk-id 100 tx-ptk-limit 200 &&
		p key add $g4 pgk-id 0x303 suite eea2 key-file "$tmp/k1" \
			not-before @1000000000 soft-expires @1000000000 expires @4102444800 tx-ptk-id 7 &&
		p key add $g6 pgk-id 0x55 suite aes-gcm-128 key-file "$tmp/k2" \
			soft-expires 2s expires 3s &&
		sleep 4.5
	} >/dev/null || return
	for c in "show" "show -s" "show $g6"; do
		echo "## $c -j"
		pc5sec $c -j | jq -c --argjson now "$now" "$norm" || return
	done
	for c in "show" "show -s"; do
		echo "## $c"
		pc5sec $c | sed -E -e 's/^( +[a-z0-9_-]+): [0-9]+$/\1: N/' \
			-e 's/^( +check) [0-9a-f]{16}$/\1 C/' || return
	done
	{
		p key del $g4 pgk-id 0x202 && p group del $g6 && p group del $g4 && sleep 0.5
	} >/dev/null || return
	kill $gmon1 $gmon2
	wait $gmon1 $gmon2 2>/dev/null
	gmon1= gmon2=
	echo "## monitor -j"
	jq -c --argjson now "$now" "$norm" "$tmp/golden-ev.json" | sort
	echo "## monitor"
	sort "$tmp/golden-ev.txt"
	ip link del "$dev"
}

golden() {
	golden_output >"$tmp/golden" || fail "setting up the configuration failed" || return
	cat "$tmp/golden" >>"$ALL"
	diff -u "$SELFTEST_DIR/golden/output.txt" "$tmp/golden"
}
tcase "show and monitor print what selftests/golden/output.txt says" golden

no_key_bytes() {
	local k up
	dmesg >>"$ALL"
	for k in "$KEY1" "$KEY2"; do
		up=$(tr a-f A-F <<<"$k")
		if grep -qF -e "$k" -e "$up" -e "${k:0:16}" "$ALL"; then
			fail "key bytes found in the output"
			return
		fi
	done
	echo "searched $(wc -l <"$ALL") lines of output"
}
tcase "no output of the suite carries key bytes" no_key_bytes

ktap_run
