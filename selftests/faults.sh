#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every allocation may fail. For each control operation, the 1st, 2nd, ...
# kernel allocation of that one call fails in turn (fail-nth, through the
# failnth.so shim around the unchanged tool, or fail_call for module load
# and netns creation) until the call succeeds without a failure. After
# each failed call: an error message, the state `pc5sec show -s -j`
# shows unchanged, no event, and the same call succeeds at once. Then the
# datapath under allocations failing at random while traffic flows:
# datagrams dropped and counted, never sent in clear, never delivered
# unauthenticated, and traffic recovers when the failures stop.
#
# Needs CONFIG_FAULT_INJECTION, CONFIG_FAILSLAB, CONFIG_FAIL_PAGE_ALLOC and
# CONFIG_FAULT_INJECTION_DEBUG_FS: the debug lane's kernel. Elsewhere it
# skips.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ktap_start pc5sec jq fail_call mcast_send mcast_recv pkt_capture
DBG=/sys/kernel/debug
[ -w /proc/self/fail-nth ] || ktap_skip_all "no fail-nth in this kernel (CONFIG_FAULT_INJECTION)"
[ -d $DBG/failslab ] && [ -d $DBG/fail_page_alloc ] ||
	ktap_skip_all "no failslab and fail_page_alloc in debugfs"
[ -f "$SELFTEST_DIR/failnth.so" ] || ktap_skip_all "failnth.so not built"

# Seconds of traffic per datapath case, and the failure probability (%).
#
# What runs by default, to keep the debug lane short: key add with eea2,
# eea3 (pc5sec_eea's ciphers) and aes-gcm-128, and the datapath with
# aes-gcm-128 over IPv4, eea2 over IPv6 and aes-gcm-128 with
# force_async=1. PC5SEC_FAULT_ALL=1 adds key add with eea0 and eea1, a
# second key while one is in use, flush, and the datapath with every
# suite over one or both IP versions.
DP_SECONDS=${PC5SEC_FAULT_SECONDS:-3}
DP_PERCENT=${PC5SEC_FAULT_PERCENT:-10}
MAX_POINTS=2000

umask 077
tmp=$(mktemp -d)
mkfifo "$tmp/never" && exec 9<>"$tmp/never"
cleanup() {
	fi_off
	stop_monitor
	topo_destroy
	pc5sec flush 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

PORT=6300
GROUP_ID=0x4f
G=239.88.0.1

member() {
	printf '0x%06x' $((0x400 + $1))
}

# Failures silent, for every allocation that may sleep or not. The tool's
# sweeps and netns creation fail slab allocations only: every kmalloc() up
# to 8 KiB, and what the crypto API and netlink allocate (a failed slab
# page is the same NULL). With "pages" (module load), page allocations
# too: kmalloc() above 8 KiB and page tables, but not __GFP_HIGHMEM ones
# (user pages, vmalloc()'s data pages), so that a page fault cannot fail.
# fail-nth overrides probability, interval and times.
fi_base() {
	local a
	for a in failslab fail_page_alloc; do
		echo 0 >$DBG/$a/probability
		echo 0 >$DBG/$a/verbose
		echo -1 >$DBG/$a/times
		echo 1 >$DBG/$a/interval
		echo N >$DBG/$a/task-filter
		echo N >$DBG/$a/ignore-gfp-wait
	done
	echo Y >$DBG/fail_page_alloc/ignore-gfp-highmem
	if [ "${1:-}" = pages ]; then
		echo 0 >$DBG/fail_page_alloc/min-order
	else
		echo 11 >$DBG/fail_page_alloc/min-order
	fi
}

fi_off() {
	local a
	for a in failslab fail_page_alloc; do
		echo 0 >$DBG/$a/probability 2>/dev/null
	done
	for a in /proc/[0-9]*/make-it-fail; do
		echo 0 2>/dev/null >"$a"
	done
}

# The kernel's state as the tool shows it, counters included.
state() {
	pc5sec show -s -j 2>&1
}

# Events the monitor printed, and the lines it wrote to stderr (that
# events were lost). Builtins only: this runs several times a point.
events() {
	local ev err
	mapfile -t ev <"$tmp/ev"
	mapfile -t err <"$tmp/ev.err"
	echo "${#ev[@]} ${#err[@]}"
}

# nap SECONDS: sleep without a process (read times out on a FIFO that
# never has data).
nap() {
	read -r -t "$1" -u 9
}

# Waits until the monitor has printed what it got: no new line for 0.1 s.
settle() {
	local a b
	a=$(events)
	while nap 0.1; b=$(events); [ "$a" != "$b" ]; do
		a=$b
	done
}

# same WHAT A B: A and B are the same state, or the difference is shown.
same() {
	[ "$2" = "$3" ] && return 0
	jq -S . <<<"$2" >"$tmp/a" 2>&1
	jq -S . <<<"$3" >"$tmp/b" 2>&1
	fail "$1:" "$(diff "$tmp/a" "$tmp/b")"
}

# fi_tool N ON CMD...: CMD with the Nth allocation of its request ON (a
# command number, or "join") failed; its output in $tmp/fi.out, .err, and
# the shim's report in $tmp/fi.report.
fi_tool() {
	local n=$1 on=$2
	shift 2
	rm -f "$tmp/fi.report"
	PC5SEC_FAIL_NTH=$n PC5SEC_FAIL_ON=$on PC5SEC_FAIL_REPORT=$tmp/fi.report \
		LD_PRELOAD=$SELFTEST_DIR/failnth.so "$@" >"$tmp/fi.out" 2>"$tmp/fi.err"
}

# sweep ON UNDO CMD...: fails each allocation of CMD's request ON in turn,
# until CMD succeeds without a failure; UNDO reverts a successful CMD.
# A call may fail after the change was made only one way: the kernel had
# no memory for the ack (netlink's, not pc5sec's), and the tool says so.
# EXPECT: set when a successful call makes an event. MSG: set when pc5sec
# itself allocates for the call, so that one failure at least must come
# with the module's own extack message.
sweep() {
	local on=$1 undo=$2 n=0 failed=0 told=0 absorbed=0 lost=0 rc res before done ev err now
	shift 2
	rm -f "$tmp/points"
	before=$(state)
	"$@" >"$tmp/done.out" || fail "the call fails without a failure injected" || return
	done=$(state)
	eval "$undo" || fail "undo failed" || return
	same "undo does not restore the state" "$before" "$(state)" || return
	while [ $n -lt $MAX_POINTS ]; do
		n=$((n + 1))
		settle
		ev=$(events)
		fi_tool $n "$on" "$@"
		rc=$?
		res=$(cat "$tmp/fi.report" 2>/dev/null)
		err=$(head -c 300 "$tmp/fi.err")
		if [ "$res" = not-injected ]; then
			[ $rc = 0 ] || fail "without a failure, the call failed: $err" || return
			eval "$undo" || fail "undo after success failed" || return
			echo "$((n - 1)) failure points: $failed failed the call ($told with the" \
				"module's message, $lost with the ack lost), $absorbed absorbed"
			[ -z "${PC5SEC_FAULT_VERBOSE:-}" ] || cat "$tmp/points"
			rm -f "$tmp/points"
			[ -z "$MSG" ] || [ "$told" -gt 0 ] ||
				fail "no failure came with the module's own message" || return
			return 0
		fi
		[ "$res" = injected ] || fail "point $n: no report from the shim: $err" || return
		echo "point $n: exit $rc${err:+: ${err#*: }}" >>"$tmp/points"
		settle
		now=$(state)
		if [ $rc = 0 ]; then
			# It succeeded all the same (a lost event, or a fallback):
			# what it prints, its state, and its events came, or the
			# monitor was told of a loss.
			absorbed=$((absorbed + 1))
			cmp -s "$tmp/done.out" "$tmp/fi.out" ||
				fail "point $n: success, but not the same output" || return
			same "point $n: success, but not the state it makes" "$done" "$now" || return
			[ "$(events)" != "$ev" ] || [ -z "$EXPECT" ] ||
				fail "point $n: success, but no event and no loss reported" || return
		else
			failed=$((failed + 1))
			[ -n "$err" ] || fail "point $n: the call failed without a message" || return
			if [[ $err == *"reply was lost"* ]] && [ "$now" = "$done" ]; then
				lost=$((lost + 1))
				[ "$(events)" != "$ev" ] || [ -z "$EXPECT" ] ||
					fail "point $n: made, but no event and no loss reported" || return
				eval "$undo" || fail "point $n: undo failed" || return
			elif ! same "point $n ($err): the state changed" "$before" "$now"; then
				rm -f "$tmp/points"
				return 1
			else
				[ "$EXPECT" = own ] || [ "$(events)" = "$ev" ] ||
					fail "point $n ($err): an event for a failed call" || return
				# "what: strerror: extack"
				[[ $err == *:*:*:* ]] && told=$((told + 1))
			fi
			"$@" >"$tmp/fi.out" && cmp -s "$tmp/done.out" "$tmp/fi.out" ||
				fail "point $n ($err): the same call failed next" || return
		fi
		# (Undo restores the state, as checked first; were it not to,
		# the next point would find the state changed.)
		eval "$undo" || fail "point $n: undo failed" || return
	done
	rm -f "$tmp/points"
	fail "still failing after $MAX_POINTS points"
}

# A key with fixed times, so that the state it makes is always the same.
key() {
	pc5sec key add $G pgk-id "$1" suite "$2" key-file "$tmp/pgk" not-before @1000000000 \
		tx-ptk-id 0 tx-ptk-limit 100
}

# Each case starts from no groups.
group() {
	pc5sec flush && pc5sec group add $G group-id $GROUP_ID member-id 7
}

op_group_add() {
	EXPECT=1 MSG=1 sweep 1 "pc5sec group del $G" group
}

op_group_set() {
	group || return
	EXPECT= MSG= sweep 2 "pc5sec group set $G replay-window 128 plaintext drop" \
		pc5sec group set $G replay-window 1024 plaintext accept || return
	pc5sec group del $G
}

op_group_del() {
	group && key 0x101 aes-gcm-128 && key 0x102 eea2 || return
	EXPECT=1 MSG= sweep 3 "group && key 0x101 aes-gcm-128 && key 0x102 eea2" \
		pc5sec group del $G || return
	pc5sec group del $G
}

op_key_add() {
	group || return
	EXPECT=1 MSG=1 sweep 5 "pc5sec key del $G pgk-id 0x101" key 0x101 "$1" || return
	pc5sec group del $G
}

# The next key while one is in use: it becomes the one sent with.
op_rollover() {
	group && key 0x101 aes-gcm-128 || return
	EXPECT=1 MSG=1 sweep 5 "pc5sec key del $G pgk-id 0x102" key 0x102 aes-gcm-128 || return
	pc5sec group del $G
}

op_key_del() {
	group && key 0x101 eea2 || return
	EXPECT=1 MSG= sweep 7 "key 0x101 eea2" pc5sec key del $G pgk-id 0x101 || return
	pc5sec group del $G
}

op_flush() {
	group && key 0x101 eea2 || return
	EXPECT=1 MSG= sweep 8 "group && key 0x101 eea2" pc5sec flush || return
	pc5sec flush
}

# A dump of 1000 groups, in several messages.
op_dump() {
	local i
	for i in $(seq 0 999); do
		echo "group add 239.89.$((i / 250)).$((i % 250 + 1)) group-id $i member-id 1"
	done | pc5sec -b - || return
	EXPECT= MSG= sweep 4 true pc5sec show -j || return
	pc5sec flush
}

# The monitor's subscription: subscribed, it prints the events of a
# group added and removed meanwhile, and ends on SIGTERM with status 0.
# (Those events reach the test's own monitor whether this one subscribed
# or not: EXPECT=own.)
monitor_once() {
	local p
	pc5sec monitor &
	p=$!
	sleep 0.5
	pc5sec group add 239.88.9.9 group-id 9 member-id 9 && pc5sec group del 239.88.9.9
	sleep 0.3
	kill -TERM $p 2>/dev/null
	wait $p
}

op_join() {
	EXPECT=own MSG= sweep join true monitor_once || return
	grep -q '^group-new 239.88.9.9' "$tmp/done.out" || fail "the monitor printed no event"
}

# Module load: fail_call loads it in the end, with allow_null as the
# tests load it.
op_load() {
	local ko=${PC5SEC_KO:-$(modinfo -n pc5sec)}
	stop_monitor
	module_unload || return
	fi_base pages
	own_failures fail_call load "$ko" allow_null=1 || return
	fi_base
	module_loaded && start_monitor
}

# own_failures CMD...: runs CMD, which fails allocations in the kernel's
# own code, which reports some with a stack dump: a sysctl directory or a
# kobject it could not make, vmalloc() or a page allocation that failed.
# Each stack must follow such a report (three lines on: CPU, hardware,
# "Call Trace:"), and nothing else may be in the log; then the log is
# cleared, so that the lane's final check does not count them, but only
# when the whole log (every earlier test's too) was clean before.
own_failures() {
	local new stray
	dmesg | grep -Eq "$DMESG_BAD" && fail "the kernel log shows a problem already" && return 1
	dmesg_mark
	"$@" || return
	new=$(dmesg | tail -n +"$((dmesg_lines + 1))")
	stray=$(awk '/Call Trace:/ { if (l[NR - 3] !~ /sysctl could not get directory|kobject_add_internal failed|vmalloc error:|page allocation failure:/) print }
		     { l[NR] = $0 }' <<<"$new")
	if [ -n "$stray" ] || grep -v 'Call Trace' <<<"$new" | grep -Eq "$DMESG_BAD|KFENCE|refcount_t:|corruption"; then
		printf '%s\n' "$new"
		fail "the kernel log shows more than its own reports of failed allocations"
		return
	fi
	echo "the kernel's own reports: $(grep -c 'Call Trace' <<<"$new") stack dumps, cleared"
	dmesg -c >/dev/null
	dmesg_mark
}

op_netns() {
	own_failures fail_call netns || return
	# The module serves a namespace made after all that.
	ip netns add pc5-fault || return
	ip netns exec pc5-fault pc5sec group add $G group-id 1 member-id 1 || return
	ip netns exec pc5-fault pc5sec show -j | jq -e '.groups | length == 1' >/dev/null
	ip netns del pc5-fault
}

# The test's monitor; its PID in a file, as cases run in subshells.
start_monitor() {
	pc5sec monitor >"$tmp/ev" 2>"$tmp/ev.err" &
	echo $! >"$tmp/mon.pid"
	sleep 0.3
}

stop_monitor() {
	local p
	p=$(cat "$tmp/mon.pid" 2>/dev/null) || return 0
	kill "$p" 2>/dev/null
	rm -f "$tmp/mon.pid"
	while [ -d "/proc/$p" ]; do
		sleep 0.1
	done
}

# --- the datapath ------------------------------------------------------

# fi_softirq PERCENT: allocations that cannot sleep fail at random, in any
# context: the datapath's, in softirq and in the senders' sendmsg().
# Allocations that may sleep (the shell's, the helpers') are left alone.
fi_softirq() {
	local a
	fi_set "$1" Y N
}

# fi_set PERCENT IGNORE_GFP_WAIT TASK_FILTER, for both kinds, page
# allocations of any order; never, not even for a moment, failing
# allocations that may sleep in every task.
fi_set() {
	local a
	for a in failslab fail_page_alloc; do
		echo 0 >$DBG/$a/probability
	done
	echo 0 >$DBG/fail_page_alloc/min-order
	for a in failslab fail_page_alloc; do
		echo "$2" >$DBG/$a/ignore-gfp-wait
		echo "$3" >$DBG/$a/task-filter
		echo "$1" >$DBG/$a/probability
	done
}

# fi_workers PERCENT: every allocation fails at random in the kernel's
# workers (kworker threads: where pc5sec makes senders and SAs, and
# completes asynchronous ciphers), and nowhere else.
fi_workers() {
	local p c
	fi_set "$1" N Y
	for p in /proc/[0-9]*; do
		read -r c 2>/dev/null <"$p/comm" && [[ $c == kworker* ]] &&
			echo 1 2>/dev/null >"$p/make-it-fail"
	done
}

# in_clear CAPTURE: the captured datagrams whose IP protocol is not pc5sec's.
in_clear() {
	awk '{ h = $3; p = substr(h, 1, 1) == "6" ? substr(h, 13, 2) : substr(h, 19, 2);
	       if (tolower(p) != "fd") n++ } END { print n + 0 }' "$1"
}

# all_counters GROUP: ue1's, ue2's and ue3's counters for GROUP, prefixed.
all_counters() {
	local i
	for i in 1 2 3; do
		pc $i show "$1" -s -j | jq -c --arg u "ue${i}_" '.groups[0].stats | with_entries(.key |= $u + .)'
	done | jq -sc add
}

# datapath SUITE GROUP: ue1 and ue3 send to ue2 while allocations fail,
# first in any context that cannot sleep, then in the workers, with ue1
# restarting its key (new PTK IDs, new SAs at both ends) and ue3 a sender
# ue2 has not heard yet. Then without failures: everything arrives.
datapath() {
	local suite=$1 g=$2 half=$((DP_SECONDS * 500)) before after n s1 jumps
	provision "$g" "$suite" || return
	warm "$g" || return
	before=$(all_counters "$g")
	# The capture runs until the traffic is over; the receiver until it
	# has had nothing for 5 s.
	cap_bg c 2 -d "$g" -n 100000000 -T 600000 || return
	recv_bg r2 2 "$g" -n 0 -V -s 300 -T 5000 || return
	dmesg_mark
	fi_softirq "$DP_PERCENT"
	send 1 "$g" -s 300 -n "$half" -r 1000 &
	s1=$!
	send 3 "$g" -s 300 -n "$half" -r 1000
	wait $s1
	fi_workers "$DP_PERCENT"
	restart_ue1 "$g" "$suite" || { fi_off; return 1; }
	send 1 "$g" -s 300 -n "$half" -r 1000 &
	s1=$!
	send 3 "$g" -s 300 -n "$half" -r 1000
	wait $s1
	fi_off
	sleep 0.5
	kill "$pid_c"
	cap_wait c
	recv_ok r2 || fail "ue2 got a datagram that ue1 or ue3 did not send" || return
	after=$(all_counters "$g")
	echo "sent 4 x $half; counters: $(moved "$before" "$after")"
	moved "$before" "$after" | grep -q '_drop_error=' ||
		fail "no datagram dropped for a failed allocation: the failures missed pc5sec" || return
	n=$(in_clear "$tmp/c.cap")
	[ "$n" = 0 ] || fail "$n datagrams to the group went out in clear" || return
	[ "$(wc -l <"$tmp/c.cap")" -gt 0 ] || fail "nothing captured" || return
	dmesg_clean_since_mark || fail "the kernel log shows a problem" || return
	# Recovery: both senders get everything through, nothing reconfigured,
	# but for what the jump rule of the suites without an ICV (spec
	# section 6) drops by design: a sender's first datagram far above
	# what the receiver recorded of it, here ue1's after its restart,
	# when none of its datagrams since got through.
	before=$(all_counters "$g")
	recv_bg r2 2 "$g" -n 0 -V -s 300 -T 2000 || return
	send 1 "$g" -s 300 -n 20 -r 200 && send 3 "$g" -s 300 -n 20 -r 200 || return
	recv_ok r2 || return
	after=$(all_counters "$g")
	echo "after: $(moved "$before" "$after")"
	jumps=$(count "$after" "$before" ue2_rx_drop_jump)
	n=$(awk '{ print $2 }' <<<"$(tail -n 1 "$tmp/r2.out")")
	[ "$jumps" -le 2 ] && [ "$n" = $((40 - jumps)) ] &&
		[ -z "$(moved "$before" "$after" | tr ' ' '\n' | grep -v -e _packets= -e rx_drop_jump=)" ] ||
		fail "traffic did not recover: $n of 40 datagrams arrived" || return
	unprovision "$g"
}

# The same with every cipher completing from a worker (force_async=1).
datapath_async() {
	stop_monitor
	module_unload && module_load force_async=1 allow_null=1 || return
	datapath "$@" || return
	module_unload && module_load allow_null=1 || return
	start_monitor
}

# PC5SEC_FAULT_CASES="WORD...": only the cases whose description holds
# one of the words (e.g. "datapath", "module").
case_() {
	local w
	[ -z "${PC5SEC_FAULT_CASES:-}" ] && { ktap_case "$@"; return; }
	for w in $PC5SEC_FAULT_CASES; do
		[[ $1 == *"$w"* ]] && { ktap_case "$@"; return; }
	done
}

pc5sec genkey >"$tmp/pgk"
module_loaded || module_load allow_null=1 || ktap_bail_out "cannot load the module"
echo 1 >/sys/module/pc5sec/parameters/allow_null
fi_base
start_monitor
dmesg_mark

case_ "group add: each allocation fails in turn" op_group_add
case_ "group set: each allocation fails in turn" op_group_set
case_ "group del: each allocation fails in turn" op_group_del
suites="eea2 eea3 aes-gcm-128"
[ -n "${PC5SEC_FAULT_ALL:-}" ] && suites="eea0 eea1 $suites"
for s in $suites; do
	case_ "key add $s: each allocation fails in turn" op_key_add $s
done
if [ -n "${PC5SEC_FAULT_ALL:-}" ]; then
	case_ "rollover (a second key while one is in use): each allocation fails in turn" \
		op_rollover
	case_ "flush: each allocation fails in turn" op_flush
fi
case_ "key del: each allocation fails in turn" op_key_del
case_ "dump of 1000 groups: each allocation fails in turn" op_dump
case_ "monitor subscription: each allocation fails in turn" op_join
case_ "netns creation: each allocation fails in turn" op_netns
case_ "module load: each allocation fails in turn" op_load
ktap_step topo_create 3
dp_cases=("aes-gcm-128 239.88.1.1" "eea2 ff0e::88:2")
[ -n "${PC5SEC_FAULT_ALL:-}" ] && dp_cases+=("aes-gcm-128 ff0e::88:1" "eea2 239.88.1.2" \
	"eea1 239.88.1.3" "eea3 ff0e::88:4" "eea0 239.88.1.5")
for c in "${dp_cases[@]}"; do
	set -- $c
	case_ "datapath $1 $([ -n "$(fam $2)" ] && echo IPv6 || echo IPv4):\
 ${DP_PERCENT}% of allocations fail, then none" datapath $1 $2
done
case_ "datapath aes-gcm-128 IPv4 with force_async=1: ${DP_PERCENT}% of allocations\
 fail, then none" datapath_async aes-gcm-128 239.88.1.6
ktap_run
