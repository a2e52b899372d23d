#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# pc5sec monitor --exec: the command runs for the chosen events with the
# event in its environment and as JSON on its stdin, one at a time, without
# the monitor's sockets; a failing one does not stop the monitor; and a
# hook that applies the next key on a soft expiry keeps traffic between
# two UEs going, without a loss, across the old key's expiry.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ktap_start pc5sec jq mcast_send mcast_recv

tmp=$(mktemp -d)
chmod 700 "$tmp"
G4=239.5.6.1
PORT=6100
GROUP_ID=0x66
mons=()
# What --exec sets or unsets (the environment may hold others: PC5SEC_KO...)
EVENT_VARS='EVENT|GROUP|GROUP_ID|MEMBER_ID|SENDER_ID|DEV|BEARER|REPLAY_WINDOW|PLAINTEXT'
EVENT_VARS+='|PGK_ID|INDEX|SUITE|STATE|NOT_BEFORE|SOFT_EXPIRES|EXPIRES|TX_PTK_ID|TX_COUNTER'
EVENT_VARS+='|TX_PTK_LIMIT|RX_SENDERS'

cleanup() {
	local p
	for p in "${mons[@]}"; do
		kill "$p" 2>/dev/null
	done
	topo_destroy
	[ -n "${rmem:-}" ] && sysctl -qw net.core.rmem_default="$rmem"
	module_loaded && pc5sec flush 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

member() {
	printf '0x%06x' $((0x2000 + $1))
}

# mon NAME ARGS...: pc5sec monitor ARGS in the background, its stdout in
# $tmp/NAME.out and stderr in $tmp/NAME.err, its pid in mon_NAME.
mon() {
	local name=$1
	shift
	pc5sec monitor "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
	eval "mon_$name=$!"
	mons+=($!)
}

# mon_stop NAME: ends the monitor; fails if it had already ended.
mon_stop() {
	local pid
	eval "pid=\$mon_$1"
	kill -0 "$pid" 2>/dev/null || { echo "monitor $1 had ended:"; cat "$tmp/$1.err"; return 1; }
	kill "$pid"
	wait "$pid" 2>/dev/null
	return 0
}

# wait_lines FILE N [TENTHS]: waits until FILE has N lines (default 8 s).
wait_lines() {
	local i
	for i in $(seq 1 "${3:-80}"); do
		[ -e "$1" ] && [ "$(wc -l <"$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	echo "timed out waiting for $2 lines in ${1##*/}:"
	cat "$1" 2>/dev/null
	return 1
}

# The recording hook: record.sh DIR keeps, for run N, its environment's
# PC5SEC_ variables (env.N), its stdin (in.N) and the targets of its open
# file descriptors (fds.N), and appends the event's name to DIR/events.
cat >"$tmp/record.sh" <<'EOF'
#!/bin/bash
d=$1
n=$(($(cat "$d/n" 2>/dev/null || echo 0) + 1))
echo "$n" >"$d/n"
env | grep '^PC5SEC_' | sort >"$d/env.$n"
cat >"$d/in.$n"
for f in /proc/$$/fd/*; do readlink "$f"; done >"$d/fds.$n"
echo "$PC5SEC_EVENT" >>"$d/events"
EOF
chmod +x "$tmp/record.sh"
(umask 077 && pc5sec genkey >"$tmp/pgk" && pc5sec genkey >"$tmp/pgk2") ||
	ktap_bail_out "genkey failed"
mkdir "$tmp/a" "$tmp/b"

# Two monitors: a with --exec's default events, b with --on group-new,key-new;
# a key that soft-expires in 2 s. PC5SEC_SENDER_ID, set in the monitor's
# environment, must not reach a command whose event has no sender.
soft_expiry() {
	local n want
	pc5sec flush
	PC5SEC_SENDER_ID=stale mon a -j --exec "$tmp/record.sh $tmp/a"
	mon b -j --exec "$tmp/record.sh $tmp/b" --on group-new,key-new
	sleep 0.5
	pc5sec group add $G4 group-id 0x66 member-id 0x2001 || return
	pc5sec key add $G4 pgk-id 0x55 suite aes-gcm-128 key-file "$tmp/pgk" tx-ptk-id 0 \
		soft-expires 2s expires 6s || return
	wait_lines "$tmp/a/events" 1 || return
	sleep 0.5
	mon_stop a && mon_stop b || return
	n=$(cat "$tmp/a/n")
	[ "$n" = 1 ] || fail "the hook ran $n times: $(cat "$tmp/a/events")" || return
	echo "stdin: $(cat "$tmp/a/in.1")"
	jq -e --arg g $G4 '.event == "key-soft-expired" and .address == $g and
		.pgk_id == 85 and .member_id == 8193 and (.index | type) == "number"' \
		"$tmp/a/in.1" >/dev/null || fail "stdin's JSON does not match the event" || return
	# The environment: the same fields, as text writes them.
	want=$(jq -r '"PC5SEC_EVENT=\(.event)", "PC5SEC_GROUP=\(.address)",
		"PC5SEC_INDEX=\(.index)", "PC5SEC_MEMBER_ID=0x002001",
		"PC5SEC_PGK_ID=0x00000055",
		(.tx_ptk_id // empty | "PC5SEC_TX_PTK_ID=\(.)"),
		(.tx_ptk_id_limit // empty | "PC5SEC_TX_PTK_LIMIT=\(.)")' "$tmp/a/in.1" | sort)
	echo "$want" >"$tmp/want"
	grep -E "^PC5SEC_($EVENT_VARS)=" "$tmp/a/env.1" | diff -u "$tmp/want" - ||
		fail "wrong environment" || return
	[ "$(wc -l <"$tmp/a/in.1")" = 1 ] || fail "stdin is not one line" || return
	grep -Fxq -f "$tmp/a/in.1" "$tmp/a.out" ||
		fail "stdin's line is not the line monitor -j printed" || return
	grep -q socket: "$tmp/a/fds.1" && fail "the hook got sockets: $(cat "$tmp/a/fds.1")"
	return 0
}
ktap_case "--exec: a soft expiry runs the hook with the event in its environment and as JSON on stdin" \
	soft_expiry

# What monitor b (--on group-new,key-new) saw, and what it ran for.
on_filter() {
	echo "b printed: $(jq -r .event "$tmp/b.out" | tr '\n' ' ')"
	echo "b ran for: $(tr '\n' ' ' <"$tmp/b/events")"
	grep -q '"key-soft-expired"' "$tmp/b.out" || fail "b did not print the soft expiry" || return
	[ "$(cat "$tmp/b/events")" = "group-new
key-new" ] || fail "b's hook ran for other events than group-new, key-new" || return
	grep -q -e group-new -e key-new "$tmp/a/events" &&
		fail "a's hook ran for an event not in the default set"
	return 0
}
ktap_case "--on: only the chosen events run the hook" on_filter

# A hook that fails each time: reported, and the monitor goes on.
failing() {
	pc5sec flush
	mon f --exec "echo \"\$PC5SEC_EVENT\" >>$tmp/f.log; exit 3" --on group-new,group-del
	sleep 0.5
	pc5sec group add $G4 group-id 0x66 member-id 0x2001 || return
	wait_lines "$tmp/f.log" 1 || return
	pc5sec group del $G4 || return
	wait_lines "$tmp/f.log" 2 || return
	sleep 0.2
	cat "$tmp/f.err"
	mon_stop f || return
	[ "$(grep -c 'exited with status 3' "$tmp/f.err")" = 2 ] ||
		fail "the failures were not both reported" || return
	[ "$(awk '{ print $1 }' "$tmp/f.out" | tr '\n' ' ')" = "group-new group-del " ] ||
		fail "the monitor's own lines: $(cat "$tmp/f.out")"
}
ktap_case "a failing hook is reported and does not stop the monitor" failing

# Four groups at once; each hook run takes 0.3 s.
serialized() {
	local i want=
	pc5sec flush
	mon s --on group-new \
		--exec "echo start \$PC5SEC_GROUP >>$tmp/s.log; sleep 0.3; echo end \$PC5SEC_GROUP >>$tmp/s.log"
	sleep 0.5
	for i in 1 2 3 4; do
		echo "group add 239.5.7.$i group-id $i member-id 1"
	done | pc5sec -b - || return
	for i in 1 2 3 4; do
		want+="start 239.5.7.$i
end 239.5.7.$i
"
	done
	wait_lines "$tmp/s.log" 8 || return
	sleep 0.4
	mon_stop s || return
	printf '%s' "$want" | diff -u - "$tmp/s.log" || fail "the hook's runs overlapped or were out of order"
}
ktap_case "hooks run one at a time, in the order of the events" serialized

# While the first hook runs (1 s), 100 group-new events overflow the
# monitor's receive buffer (16 KiB: rmem_default, while it starts): the
# hook then runs as "lost".
lost() {
	local i start=$SECONDS
	pc5sec flush
	rmem=$(sysctl -n net.core.rmem_default) || return
	sysctl -qw net.core.rmem_default=16384 || return
	mon l --on group-new --exec "[ -e $tmp/slept ] || { touch $tmp/slept; sleep 1; }
		[ \"\$PC5SEC_EVENT\" = lost ] && cat >$tmp/lost.json; echo \"\$PC5SEC_EVENT\" >>$tmp/l.log"
	sleep 0.5
	sysctl -qw net.core.rmem_default="$rmem" && rmem= || return
	for i in $(seq 1 100); do
		echo "group add 239.9.9.$i group-id $i member-id 1"
	done | pc5sec -b - || return
	echo "100 groups added after $((SECONDS - start)) s"
	for i in $(seq 1 100); do
		grep -qx lost "$tmp/l.log" 2>/dev/null && break
		sleep 0.1
	done
	sleep 0.2
	cat "$tmp/l.err"
	echo "the hook ran $(wc -l <"$tmp/l.log") times in $((SECONDS - start)) s"
	mon_stop l || return
	pc5sec flush
	grep -q 'events were lost' "$tmp/l.err" || fail "no lost events reported" || return
	grep -qx lost "$tmp/l.log" || fail "the hook did not run for lost events" || return
	jq -e '. == {"event": "lost"}' "$tmp/lost.json" >/dev/null ||
		fail "lost's stdin: $(cat "$tmp/lost.json")"
}
ktap_case "events lost while a hook runs run it as \"lost\"" lost

# The renewal hook: on its key's soft expiry, each UE applies a document
# with the next PGK ID (the same new PGK on both, as a key management
# function would hand it out) to be used for sending 3 s later: the
# running configuration and the new key. The old key expires 5 s after
# its soft expiry. ue1 sends to ue2 throughout, 200 datagrams a second for
# 9 s.
cat >"$tmp/rollover.sh" <<'EOF'
#!/bin/bash
# rollover.sh STATEDIR PGKFILE LOG
[ "$PC5SEC_EVENT" = key-soft-expired ] || exit 0
pc5sec show --config |
	jq --arg g "$PC5SEC_GROUP" --argjson id $((PC5SEC_PGK_ID + 1)) --arg f "$2" \
		--argjson nb $(($(date +%s) + 3)) '(.groups[] | select(.address == $g) | .keys) +=
		[{"pgk_id": $id, "suite": "aes-gcm-128", "not_before": $nb, "key_file": $f}]' |
	pc5sec --state-dir "$1" apply - >>"$3" || exit
echo "$PC5SEC_EVENT $PC5SEC_PGK_ID" >>"$3"
EOF
chmod +x "$tmp/rollover.sh"

rollover() {
	local g=239.5.8.1 i s keys
	topo_create 2 || return
	for i in 1 2; do
		ip netns exec "$(ue_ns $i)" pc5sec monitor \
			--exec "$tmp/rollover.sh $tmp/st$i $tmp/pgk2 $tmp/r$i.log" \
			>"$tmp/r$i.out" 2>"$tmp/r$i.err" &
		eval "mon_r$i=$!"
		mons+=($!)
	done
	sleep 0.5
	# The receiver's key first: its soft expiry, and so its next key, come
	# first too.
	for i in 2 1; do
		pc $i group add $g group-id $GROUP_ID member-id "$(member $i)" || return
		pc $i key add $g pgk-id 0x101 suite aes-gcm-128 key-file "$tmp/pgk" \
			soft-expires 2s expires 7s || return
	done
	recv_bg r 2 $g -n 1800 -V -s 100 -T 3000 || return
	send 1 $g -s 100 -n 1800 -r 200 &
	s=$!
	wait_lines "$tmp/r1.log" 2 50 && wait_lines "$tmp/r2.log" 2 20 || return
	for i in 1 2; do
		keys=$(pc $i show $g -j | jq -c '[.groups[0].keys[].pgk_id] | sort')
		echo "ue$i: hook ran: $(cat "$tmp/r$i.log"); keys $keys"
		[ "$keys" = "[257,258]" ] ||
			fail "ue$i: the next key is not installed beside the old one" || return
	done
	wait $s
	recv_ok r || fail "datagrams lost across the rollover" || return
	for i in 1 2; do
		cat "$tmp/r$i.err"
		mon_stop r$i || return
	done
	cat "$tmp/r1.out"
	grep -q '^key-expired .* pgk-id 0x00000101' "$tmp/r1.out" ||
		fail "ue1: the old key did not expire while the traffic ran" || return
	keys=$(pc 1 show $g -s -j | jq -c '[.groups[0].keys[] | {pgk_id, tx: .stats.tx_packets}]')
	echo "ue1 after: $keys"
	jq -e 'length == 1 and .[0].pgk_id == 258 and .[0].tx > 0' <<<"$keys" >/dev/null ||
		fail "ue1 does not send with the next key alone"
}
ktap_case "a hook applying the next key on soft expiry keeps traffic lossless across the expiry" \
	rollover

ktap_run
