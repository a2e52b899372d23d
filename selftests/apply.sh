#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# pc5sec apply and show --config: a whole configuration document made the
# kernel's state, changes while traffic flows, refusals that change
# nothing, rollback of a kernel refusal half-way, and no key bytes out.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ktap_start pc5sec jq mcast_send mcast_recv

tmp=$(mktemp -d)
chmod 700 "$tmp"
ALL=$tmp/all-output		# every output of pc5sec, searched for key bytes
PORT=6100
GA=239.7.1.1			# traffic flows here, never changed
GB=239.7.1.2			# removed by the second document
GR=ff0e::7:3			# its key rolled by the second document
GC=239.7.1.4			# added by the second document

cleanup() {
	[ -n "${monpid:-}" ] && kill "$monpid" 2>/dev/null
	topo_destroy
	rm -rf "$tmp"
}
trap cleanup EXIT

for k in ka kb kr1 kr2 kc kx; do
	pc5sec genkey >"$tmp/$k" || ktap_bail_out "genkey failed"
done

# ap UE ARGS...: pc5sec ARGS in UE with its state directory, its output
# kept and printed.
ap() {
	kept "$ALL" pc "$@"
}

# doc1 UE / doc2 UE: the two documents, for UE's member ID. Times are
# absolute: the same document means the same keys.
EXP=$(($(date +%s) + 86400))
member() {
	printf '%d' $((0x100 + $1))
}

doc1() {
	cat <<EOF
{
  "version": 1,
  "groups": [
    { "address": "$GA", "group_id": 17, "member_id": $(member "$1"), "dev": "eth0",
      "keys": [ { "pgk_id": 1, "suite": "aes-gcm-128", "not_before": 1000000000,
                  "expires": $EXP, "key_file": "$tmp/ka" } ] },
    { "address": "$GB", "group_id": 18, "member_id": $(member "$1"), "replay_window": 256,
      "keys": [ { "pgk_id": 2, "suite": "eea2", "not_before": 1000000000,
                  "key_file": "$tmp/kb" } ] },
    { "address": "$GR", "group_id": 19, "member_id": $(member "$1"), "plaintext": "accept",
      "keys": [ { "pgk_id": 3, "suite": "aes-gcm-128", "not_before": 1000000000,
                  "soft_expires": $((EXP - 60)), "expires": $EXP, "key_file": "$tmp/kr1" } ] }
  ]
}
EOF
}

# doc2 UE: doc1 with GB removed, GR's setting changed and its key rolled,
# and GC added.
doc2() {
	doc1 "$1" | jq --arg gb $GB --arg gr $GR --arg gc $GC --arg k "$tmp/kr2" \
		--arg kc "$tmp/kc" --argjson m "$(member "$1")" --argjson exp $EXP '
		del(.groups[] | select(.address == $gb)) |
		(.groups[] | select(.address == $gr)) |= (.replay_window = 64 | .keys =
			[{"pgk_id": 4, "suite": "aes-gcm-128", "not_before": 1000000000,
			  "expires": $exp, "key_file": $k}]) |
		.groups += [{"address": $gc, "group_id": 20, "member_id": $m,
			"keys": [{"pgk_id": 5, "suite": "eea2", "not_before": 1000000000,
				  "key_file": $kc}]}]'
}

# state UE: the kernel's groups and keys, without what traffic moves.
state() {
	ue "$1" pc5sec show -j | jq -S 'del(.groups[].keys[].tx_counter, .groups[].keys[].rx_senders)'
}

# mon_start UE / mon_events: a monitor in UE, and what it printed.
mon_start() {
	ip netns exec "$(ue_ns "$1")" pc5sec monitor -j >"$tmp/mon" 2>&1 &
	monpid=$!
	sleep 0.5
}

mon_events() {
	sleep 0.5
	kill "$monpid" 2>/dev/null
	wait "$monpid" 2>/dev/null
	monpid=
	cat "$tmp/mon"
}

from_empty() {
	local out
	doc1 1 >"$tmp/d1-1"
	out=$(ap 1 apply "$tmp/d1-1") || return
	[ "$(grep -c '^add group ' <<<"$out")" = 3 ] || { echo "not 3 groups added"; return 1; }
	[ "$(grep -c '^add key ' <<<"$out")" = 3 ] || { echo "not 3 keys added"; return 1; }
	# What the document says is what the kernel has.
	ue 1 pc5sec show -j | jq -e --arg ga $GA --arg gb $GB --arg gr $GR '
		(.groups | length) == 3 and
		(.groups[] | select(.address == $ga) | .dev == "eth0" and .group_id == 17 and
			.member_id == 257 and .replay_window == 128 and .plaintext == "drop" and
			(.keys | length) == 1 and .keys[0].pgk_id == 1 and .keys[0].suite == "aes-gcm-128" and
			.keys[0].not_before == 1000000000 and .soft_expires == null) and
		(.groups[] | select(.address == $gb) | .replay_window == 256 and .keys[0].suite == "eea2" and
			.keys[0].expires == null) and
		(.groups[] | select(.address == $gr) | .plaintext == "accept" and .keys[0].soft_expires != null)
	' >/dev/null || { ue 1 pc5sec show; return 1; }
	# The key went in through the reservation, as key add's does.
	[ "$(ue 1 pc5sec show $GA -j | jq '.groups[0].keys[0].tx_ptk_id_limit')" = 63 ] ||
		{ echo "no 64-PTK-ID reservation"; return 1; }
	doc1 2 >"$tmp/d1-2"
	ap 2 apply "$tmp/d1-2" >/dev/null
}

twice() {
	local before out ev
	before=$(state 1)
	mon_start 1
	out=$(ap 1 apply "$tmp/d1-1") || return
	ev=$(mon_events)
	[ -z "$out" ] || { echo "the second apply did something: $out"; return 1; }
	[ -z "$ev" ] || { echo "the second apply made events: $ev"; return 1; }
	[ "$before" = "$(state 1)" ] || { echo "the state changed"; return 1; }
}

config_roundtrip() {
	local out
	ap 1 show --config >"$tmp/c1" || return
	jq -e --arg f "$tmp/ka" '.version == 1 and (.groups | length) == 3 and
		(.groups[0].keys[0] | .key_file == $f and (.check | test("^[0-9a-f]{16}$")))' \
		"$tmp/c1" >/dev/null || { cat "$tmp/c1"; return 1; }
	out=$(ue 1 pc5sec --state-dir "$tmp/st1" apply --dry-run - <"$tmp/c1" 2>&1) || { echo "$out"; return 1; }
	printf '%s\n' "$out" >>"$ALL"
	echo "$out"
	[ "$(tail -n 1 <<<"$out")" = "nothing to do" ] || return 1
	! grep -v -e '^unchanged ' -e '^nothing to do$' <<<"$out" || return 1
	[ "$(grep -c '^unchanged ' <<<"$out")" = 6 ] || return 1
	# Key files may go once their keys are in: the check values compare.
	mv "$tmp/ka" "$tmp/ka.away"
	out=$(ue 1 pc5sec --state-dir "$tmp/st1" apply - <"$tmp/c1" 2>&1)
	local rc=$?
	mv "$tmp/ka.away" "$tmp/ka"
	[ $rc = 0 ] || { echo "$out"; return 1; }
	[ -z "$out" ] || { echo "apply of show --config did something: $out"; return 1; }
}

changed_under_traffic() {
	local out ev
	recv_bg r2 2 $GA -n 1000 -V -s 100 -T 3000 || return
	send 1 $GA -s 100 -n 1000 -r 200 &
	local s=$!
	sleep 1
	doc2 1 >"$tmp/d2-1"
	doc2 2 >"$tmp/d2-2"
	ue 1 pc5sec --state-dir "$tmp/st1" apply --dry-run "$tmp/d2-1" >"$tmp/plan" || return
	cat "$tmp/plan"
	grep -qx "unchanged group $GA" "$tmp/plan" || return 1
	mon_start 1
	out=$(ap 2 apply "$tmp/d2-2") || return
	out=$(ap 1 apply "$tmp/d2-1") || return
	ev=$(mon_events)
	echo "$out"
	wait $s
	recv_ok r2 || fail "datagrams lost on the unchanged group" || return
	cat >"$tmp/want" <<EOF
add group $GC
add key $GC pgk-id 0x00000005
change group $GR (replay_window)
add key $GR pgk-id 0x00000004
remove key $GR pgk-id 0x00000003
remove group $GB
EOF
	# The order: what can be undone first, removals last.
	[ "$out" = "$(cat "$tmp/want")" ] || { echo "not the changes in this order:"; cat "$tmp/want"; return 1; }
	grep -q "\"address\": \"$GA\"" <<<"$ev" && { echo "events on $GA: $ev"; return 1; }
	ue 1 pc5sec show -j | jq -e --arg gr $GR '(.groups | length) == 3 and
		(.groups[] | select(.address == $gr) | .replay_window == 64 and [.keys[].pgk_id] == [4])' \
		>/dev/null || return 1
	# The new group carries traffic.
	recv_bg r3 2 $GC -n 5 -V -s 100 -T 3000 || return
	send 1 $GC -s 100 -n 5 -r 100 || return
	recv_ok r3
}

# refused ARGS...: apply ARGS fails, names what is wrong (matching the
# grep pattern in $want), and the state is what it was.
refused() {
	local before out
	before=$(state 1)
	if out=$(ap 1 apply "$@"); then
		echo "accepted: $out"
		return 1
	fi
	echo "$out"
	grep -q -e "$want" <<<"$out" || { echo "no message matching '$want'"; return 1; }
	[ "$before" = "$(state 1)" ] || { echo "the state changed"; return 1; }
}

# quiet FUNC: FUNC succeeds, and no event is sent while it runs.
quiet() {
	local ev
	mon_start 1
	"$@" || { mon_events >/dev/null; return 1; }
	ev=$(mon_events)
	[ -z "$ev" ] || { echo "events: $ev"; return 1; }
}

bad_entries() {
	jq '.groups[2].keys[0].suite = "eea9" | .groups += [{"address": "239.7.1.9",
		"group_id": 1, "member_id": 1}]' "$tmp/d2-1" >"$tmp/bad1"
	want='groups\[2\] (239.7.1.4).keys\[0\] (pgk_id 0x00000005): unknown suite "eea9"' \
		refused "$tmp/bad1" || return
	jq '.groups[1].member_id = 16777216' "$tmp/d2-1" >"$tmp/bad2"
	want='groups\[1\] (ff0e::7:3): member_id must be 0 to 16777215' refused "$tmp/bad2" || return
	jq '.groups[0].keys[0].key_file = "/nonexistent"' "$tmp/d2-1" >"$tmp/bad3"
	want='groups\[0\] (239.7.1.1).keys\[0\] (pgk_id 0x00000001): key_file /nonexistent' \
		refused "$tmp/bad3" || return
	jq '.groups[0].colour = "blue"' "$tmp/d2-1" >"$tmp/bad4"
	want='groups\[0\] (239.7.1.1): unknown member "colour"' refused "$tmp/bad4" || return
	{ cat "$tmp/d2-1"; echo '{}'; } >"$tmp/bad5"
	want='not JSON: unexpected character' refused "$tmp/bad5" || return
	head -c 100 "$tmp/d2-1" >"$tmp/bad6"
	want='not JSON: unexpected end of data' refused "$tmp/bad6" || return
	jq '.groups[1] = .groups[0]' "$tmp/d2-1" >"$tmp/bad7"
	want='groups\[1\] (239.7.1.1): address also in groups\[0\]' refused "$tmp/bad7" || return
	jq '.groups[2].keys += [{"pgk_id": 6, "suite": "eea2"}]' "$tmp/d2-1" >"$tmp/bad8"
	want='keys\[1\] (pgk_id 0x00000006): is not installed and has no key_file' \
		refused "$tmp/bad8"
}

bad_entry() {
	quiet bad_entries
}

# A change to an installed key or group needs --replace; with it, the key
# or group is new.
changes_refused() {
	jq '.groups[2].keys[0].suite = "aes-gcm-128"' "$tmp/d2-1" >"$tmp/d3"
	want='keys\[0\] (pgk_id 0x00000005): the document changes the installed key (suite); --replace' \
		refused "$tmp/d3" || return
	jq --arg f "$tmp/kx" '.groups[2].keys[0].key_file = $f' "$tmp/d2-1" >"$tmp/d4"
	want='the document changes the installed key (the PGK in key_file)' refused "$tmp/d4" ||
		return
	jq '.groups[2].member_id = 999' "$tmp/d2-1" >"$tmp/d5"
	want='groups\[2\] (239.7.1.4): the document changes the installed group (member_id)' \
		refused "$tmp/d5"
}

replace() {
	local check
	quiet changes_refused || return
	check=$(ue 1 pc5sec show --config | jq -r --arg g $GC '.groups[] | select(.address == $g) | .keys[0].check')
	ap 1 apply --replace "$tmp/d3" | grep -qx "replace key $GC pgk-id 0x00000005 (suite)" ||
		return 1
	ue 1 pc5sec show --config | jq -e --arg g $GC --arg c "$check" \
		'.groups[] | select(.address == $g) | .keys[0] | .suite == "aes-gcm-128" and .check == $c' \
		>/dev/null || return 1
	ap 1 apply --replace "$tmp/d5" | grep -qx "replace group $GC (member_id)" || return 1
	[ "$(ue 1 pc5sec show $GC -j | jq '.groups[0] | .member_id, (.keys | length)' | paste -sd' ')" = "999 1" ]
}

# The kernel refuses a key of suite eea0 without allow_null=1, which the
# tool cannot know; the apply is then past a new group and a changed
# setting, and undoes both.
rollback() {
	ap 1 apply --replace "$tmp/d2-1" >/dev/null || return
	echo 0 >/sys/module/pc5sec/parameters/allow_null
	jq --arg f "$tmp/kx" '.groups += [
		{"address": "239.7.1.5", "group_id": 21, "member_id": 1,
		 "keys": [{"pgk_id": 7, "suite": "eea2", "key_file": $f}]}] |
		.groups[1].replay_window = 512 |
		.groups[0].keys += [{"pgk_id": 2, "suite": "eea0", "key_file": $f}]' \
		"$tmp/d2-1" >"$tmp/d6"
	want='groups\[0\] (239.7.1.1).keys\[1\] (pgk_id 0x00000002): add key: .*allow_null=1' \
		refused "$tmp/d6" || return
	grep -qx "pc5sec: apply: undone: change group $GR (replay_window)" "$ALL" &&
		grep -qx "pc5sec: apply: undone: add group 239.7.1.5" "$ALL" &&
		grep -qx "pc5sec: apply: nothing changed: every change made was undone" "$ALL"
}

# A new key whose PGK index a dropped key holds: the removal goes first.
index_reuse() {
	local out
	jq '.groups[2].keys[0].pgk_id = 261' "$tmp/d2-1" >"$tmp/d10"
	out=$(ap 1 apply "$tmp/d10") || return
	[ "$out" = "remove key $GC pgk-id 0x00000005
add key $GC pgk-id 0x00000105" ] || return 1
	out=$(ap 1 apply "$tmp/d2-1") || return
	[ "$out" = "remove key $GC pgk-id 0x00000105
add key $GC pgk-id 0x00000005" ]
}

# A key past its expiry is not installed (the kernel refuses it), and a
# document that still lists one applies.
expired_key() {
	local out
	jq --arg f "$tmp/kx" '.groups[2].keys += [{"pgk_id": 11, "suite": "eea2",
		"not_before": 1000000000, "expires": 1000000001, "key_file": $f}]' \
		"$tmp/d2-1" >"$tmp/d9"
	out=$(ap 1 apply -n "$tmp/d9") || return
	grep -qx "skip key $GC pgk-id 0x0000000b (past its expiry)" <<<"$out" || return 1
	[ "$(tail -n 1 <<<"$out")" = "nothing to do" ] || return 1
	out=$(ap 1 apply "$tmp/d9") || return
	[ -z "$out" ]
}

keyring() {
	local out
	printf "$(tr -d '[:space:]' <"$tmp/kx" | sed 's/../\\x&/g')" >"$tmp/kx.bin"
	[ "$(wc -c <"$tmp/kx.bin")" = 32 ] || return 1
	ue 1 keyctl padd logon pc5sec:apply @u <"$tmp/kx.bin" >/dev/null || return
	jq '.groups[2].keys += [{"pgk_id": 9, "suite": "eea2", "key_keyring": "pc5sec:apply"}]' \
		"$tmp/d2-1" >"$tmp/d7"
	out=$(ap 1 apply "$tmp/d7") || return
	[ "$out" = "add key $GC pgk-id 0x00000009" ] || return 1
	ue 1 pc5sec show --config >"$tmp/c7" || return
	jq -e --arg g $GC '.groups[] | select(.address == $g) |
		.keys[] | select(.pgk_id == 9) | .key_keyring == "pc5sec:apply" and .key_file == null' \
		"$tmp/c7" >/dev/null || return 1
	out=$(ap 1 apply -n - <"$tmp/c7") || return
	[ "$(tail -n 1 <<<"$out")" = "nothing to do" ] || return 1
	jq '.groups[2].keys += [{"pgk_id": 10, "suite": "eea2", "key_keyring": "pc5sec:missing"}]' \
		"$tmp/d7" >"$tmp/d8"
	want='(pgk_id 0x0000000a): key_keyring pc5sec:missing: no logon key' refused "$tmp/d8" ||
		return
	# The logon key's PGK is not the one the check value names: taken out again.
	jq '.groups[2].keys += [{"pgk_id": 10, "suite": "eea2", "key_keyring": "pc5sec:apply",
		"check": "0000000000000000"}]' "$tmp/d7" >"$tmp/d11"
	want='(pgk_id 0x0000000a): the logon key pc5sec:apply does not hold the PGK of the check value given' \
		refused "$tmp/d11"
}

no_key_bytes() {
	local k hex
	for k in ka kb kr1 kr2 kc kx; do
		hex=$(tr -d '[:space:]' <"$tmp/$k")
		if grep -qi "$hex" "$ALL" "$tmp/c1"; then
			echo "the PGK of $k is in the output"
			return 1
		fi
	done
	[ -s "$ALL" ]
}

ktap_step topo_create 2
ktap_case "apply from empty: groups, settings, keys as the document says" from_empty
ktap_case "apply twice: nothing done, no event, state unchanged" twice
ktap_case "show --config | apply --dry-run -: nothing to do" config_roundtrip
ktap_case "a changed document while traffic flows: no loss on the unchanged group" changed_under_traffic
ktap_case "a document with one bad entry: refused, entry named, nothing changed" bad_entry
ktap_case "a changed key or group needs --replace" replace
ktap_case "a kernel refusal half-way: every change undone" rollback
ktap_case "a key past its expiry is skipped, not refused" expired_key
ktap_case "a new key reusing a dropped key's PGK index" index_reuse
if command -v keyctl >/dev/null; then
	ktap_case "a PGK from a logon key in the document" keyring
else
	ktap_case_skip "a PGK from a logon key in the document" "no keyctl"
fi
ktap_case "no key bytes in any output" no_key_bytes
ktap_run
