#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The spec (Documentation/netlink/specs/pc5sec.yaml) against the module,
# through the kernel's own ynl CLI (tools/net/ynl/cli.py) and nothing of
# ours: it dumps what the pc5sec tool made, makes and removes a group that
# the tool then sees, receives the monitor group's events, and meets the
# policies' checks. In the test VM, vm.sh brings the CLI, the spec and
# python3 (-y, implied by this test); elsewhere set PC5SEC_YNL to a kernel
# tree's tools/net/ynl and PC5SEC_YNL_SPEC to the spec.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

YNL_DIR=${PC5SEC_YNL:-$SELFTEST_DIR/ynl}
SPEC=${PC5SEC_YNL_SPEC:-$YNL_DIR/pc5sec.yaml}
[ -f "$SPEC" ] || SPEC=$SELFTEST_DIR/../Documentation/netlink/specs/pc5sec.yaml

ktap_header
require_root
require_module
require_cmd pc5sec jq genl
command -v python3 >/dev/null || ktap_skip_all "no python3 here"
[ -f "$YNL_DIR/cli.py" ] || ktap_skip_all "no ynl CLI in $YNL_DIR (PC5SEC_YNL)"
[ -f "$SPEC" ] || ktap_skip_all "no spec at $SPEC"

umask 077
tmp=$(mktemp -d)
G4=239.7.7.1
G6=ff0e::7:1
G6_HEX=ff0e0000000000000000000000070001
G_EV=239.7.7.2

cleanup() {
	[ -n "${lpid:-}" ] && kill "$lpid" 2>/dev/null
	module_loaded && pc5sec flush 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# ynl ARGS...: the kernel's CLI with our spec, JSON out. No jsonschema in
# the VM: make spec-check validates the spec on the host.
ynl() {
	python3 "$YNL_DIR/cli.py" --spec "$SPEC" --no-schema --output-json "$@"
}

# jqe FILE FILTER...: the JSON in FILE satisfies the jq FILTER.
jqe() {
	local f=$1
	shift
	jq -e "$@" <"$f" >/dev/null || { echo "not matched by jq $*:"; cat "$f"; return 1; }
}

module_loaded && module_unload
module_load || ktap_bail_out "cannot load the module"

setup() {
	pc5sec genkey >"$tmp/pgk" &&
		pc5sec --state-dir "$tmp/st" group add $G4 group-id 0x123 member-id 0xa1 replay-window 256 &&
		pc5sec --state-dir "$tmp/st" key add $G4 pgk-id 0x1234 suite aes-gcm-128 \
			key-file "$tmp/pgk" expires 1d
}

# The dump decodes, by the spec, into what the tool configured.
dump_groups() {
	ynl --dump group-get >"$tmp/dump" || { cat "$tmp/dump"; return 1; }
	echo "dump: $(head -c 600 "$tmp/dump")"
	jqe "$tmp/dump" 'length == 1 and .[0]["group-addr4"] == "239.7.7.1" and
		.[0]["group-id"] == 291 and .[0]["member-id"] == 161 and
		.[0]["replay-window"] == 256 and .[0].plaintext == "drop" and .[0].bearer == 0'
	jqe "$tmp/dump" '.[0].keys.key | length == 1 and .[0]["pgk-id"] == 4660 and
		.[0].index == 52 and .[0].suite == "aes-gcm-128" and .[0].state == "active" and
		(.[0] | has("expires") and (has("pgk") | not)) and .[0].stats["rx-packets"] == 0'
	jqe "$tmp/dump" '.[0].stats | has("tx-packets") and has("fwd-drop-plaintext")'
}

# GROUP_NEW with attributes, enums by name: the tool sees the group.
group_new() {
	ynl --do group-new --json "{\"group-addr6\": \"$G6_HEX\", \"group-id\": 1110,
		\"member-id\": 178, \"bearer\": 5, \"plaintext\": \"accept\"}" || return
	pc5sec show $G6 -j >"$tmp/show" || return
	jqe "$tmp/show" '.groups | length == 1 and .[0].address == "ff0e::7:1" and
		.[0].group_id == 1110 and .[0].member_id == 178 and .[0].bearer == 5 and
		.[0].plaintext == "accept"'
	ynl --do group-get --json "{\"group-addr6\": \"$G6_HEX\"}" >"$tmp/get" || return
	jqe "$tmp/get" '.["group-addr6"] == "ff0e::7:1" and .["group-id"] == 1110'
}

group_del() {
	ynl --do group-del --json "{\"group-addr6\": \"$G6_HEX\"}" || return
	pc5sec show -j >"$tmp/show" || return
	jqe "$tmp/show" '[.groups[].address] == ["239.7.7.1"]'
}

# Waits until a netlink socket has joined the monitor group (/proc/net/netlink
# shows the first 32 groups), or 10 s; a group ID past 32, 3 s.
wait_subscribed() {
	local id bit t
	id=$(genl ctrl get name pc5sec | sed -n 's/.*ID-\(0x[0-9a-f]*\) *name: monitor.*/\1/p')
	[ -n "$id" ] || { echo "no monitor group in genl ctrl get"; return 1; }
	if [ $((id)) -gt 32 ]; then
		sleep 3
		return 0
	fi
	bit=$((1 << (id - 1)))
	for t in $(seq 100); do
		while read -r _ eth _ groups _; do
			[ "$eth" = 16 ] && (((0x$groups & bit) != 0)) && return 0
		done </proc/net/netlink
		sleep 0.1
	done
	echo "no socket joined the monitor group (ID $id) in 10 s"
	return 1
}

# A listener subscribed to "monitor" gets the events another process causes.
monitor() {
	ynl --subscribe monitor --sleep 3 >"$tmp/events" 2>&1 &
	lpid=$!
	wait_subscribed || return
	pc5sec --state-dir "$tmp/st" group add $G_EV group-id 0x77 member-id 0x7 || return
	pc5sec --state-dir "$tmp/st" key add $G_EV pgk-id 0x99 suite eea2 key-file "$tmp/pgk" ||
		return
	pc5sec group del $G_EV || return
	wait "$lpid" || { cat "$tmp/events"; return 1; }
	lpid=
	echo "events: $(cat "$tmp/events")"
	jqe "$tmp/events" '[.[].name] == ["group-new-ntf", "key-new-ntf", "group-del-ntf"]'
	jqe "$tmp/events" '.[0].msg["group-addr4"] == "239.7.7.2" and .[0].msg["group-id"] == 119 and
		.[0].msg["member-id"] == 7 and (.[0].msg | has("keys") | not)'
	jqe "$tmp/events" '.[1].msg.key[0]["pgk-id"] == 153 and .[1].msg.key[0].index == 153 and
		.[1].msg["member-id"] == 7 and .[2].msg["group-addr4"] == "239.7.7.2"'
}

# The checks the spec states are the kernel's: past them, the policy says no.
policy_checks() {
	local out
	if out=$(ynl --do group-new --json '{"group-addr4": "ef070703", "group-id": 16777216,
		"member-id": 1}' 2>&1); then
		echo "a Group ID past group-id-max accepted: $out"
		return 1
	fi
	echo "$out"
	# The kernel's policy, as its extack reports it, is the spec's check.
	grep -q "'max-value': $((0xffffff)), 'type': 'u32'}, 'bad-attr': '.group-id'" <<<"$out" ||
		{ echo "no extack with group-id's policy (u32, max group-id-max)"; return 1; }
	if out=$(ynl --do key-new --json "{\"group-addr4\": \"ef070701\", \"key\": {\"pgk-id\": 5,
		\"index\": 5, \"suite\": \"eea2\", \"pgk\": \"$(cat "$tmp/pgk")\"}}" 2>&1); then
		echo "a key with the read-only index accepted: $out"
		return 1
	fi
	echo "$out"
	grep -q "PGK index is the PGK ID's low octet\", 'bad-attr': '.key.index'" <<<"$out" ||
		{ echo "not the policy's reject message"; return 1; }
}

ktap_step setup
ktap_case "ynl: group-get dump, decoded by the spec, is what pc5sec configured" dump_groups
ktap_case "ynl: group-new with attributes makes the group pc5sec shows" group_new
ktap_case "ynl: group-del removes it" group_del
ktap_case "ynl: --subscribe monitor receives group-new, key-new, group-del events" monitor
ktap_case "ynl: the spec's checks are the policy's (range, read-only)" policy_checks
ktap_run
