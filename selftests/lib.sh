# SPDX-License-Identifier: GPL-2.0
#
# Shared by the pc5sec selftests: KTAP output, prerequisites, the module,
# the PC5 link topology (UEs as network namespaces), traffic, forged
# datagrams and the counters they move.
#
# Exit codes as kselftest: 0 pass, 1 fail, 4 skip.

KSFT_PASS=0
KSFT_FAIL=1
KSFT_SKIP=4

SELFTEST_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# The helpers, and in a source tree the tool built beside them.
PATH=$SELFTEST_DIR:$PATH
[ -x "$SELFTEST_DIR/../tools/pc5sec" ] && PATH=$SELFTEST_DIR/../tools:$PATH

ktap_pass=0
ktap_fail=0
ktap_skip=0
ktap_n=0
ktap_planned=0

ktap_header() {
	echo "TAP version 13"
}

ktap_ok() {
	ktap_n=$((ktap_n + 1)) ktap_pass=$((ktap_pass + 1))
	echo "ok $ktap_n $*"
}

ktap_not_ok() {
	ktap_n=$((ktap_n + 1)) ktap_fail=$((ktap_fail + 1))
	echo "not ok $ktap_n $*"
}

ktap_skip() {
	local desc=$1
	shift
	ktap_n=$((ktap_n + 1)) ktap_skip=$((ktap_skip + 1))
	echo "ok $ktap_n $desc # SKIP $*"
}

# A script lists its cases in the order they run, then ktap_run prints the
# plan, counted from that list, and runs them:
#   ktap_case DESC CMD...       a case: CMD's status is its result (ktap_result)
#   ktap_case_skip DESC WHY     a case that cannot run here: ok, # SKIP WHY
#   ktap_step CMD...            no case: what runs between two cases (setup)
ktap_kinds=()
ktap_descs=()
ktap_cmds=()

ktap_case() {
	local desc=$1
	shift
	ktap_kinds+=(case) ktap_descs+=("$desc") ktap_cmds+=("$(printf '%q ' "$@")")
}

ktap_case_skip() {
	ktap_kinds+=(skip) ktap_descs+=("$1") ktap_cmds+=("$2")
}

ktap_step() {
	ktap_kinds+=(step) ktap_descs+=("") ktap_cmds+=("$(printf '%q ' "$@")")
}

# Prints "1..N" for the N cases listed, runs the list and ends the test.
ktap_run() {
	local ktap_i ktap_kind
	for ktap_kind in "${ktap_kinds[@]}"; do
		[ "$ktap_kind" = step ] || ktap_planned=$((ktap_planned + 1))
	done
	echo "1..$ktap_planned"
	for ktap_i in "${!ktap_kinds[@]}"; do
		case ${ktap_kinds[$ktap_i]} in
		case) eval "ktap_result \"\${ktap_descs[$ktap_i]}\" ${ktap_cmds[$ktap_i]}" ;;
		skip) ktap_skip "${ktap_descs[$ktap_i]}" "${ktap_cmds[$ktap_i]}" ;;
		step) eval "${ktap_cmds[$ktap_i]}" ;;
		esac
	done
	ktap_finished
}

# ktap_result DESC CMD...: runs CMD, reports ok or not ok. CMD's output is
# kept as "# " comments so that a failure explains itself.
ktap_result() {
	local desc=$1 out rc start=$SECONDS
	shift
	out=$("$@" 2>&1)
	rc=$?
	[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/# /'
	[ $((SECONDS - start)) -ge 5 ] && echo "# ($((SECONDS - start)) s)"
	if [ "$rc" = 0 ]; then
		ktap_ok "$desc"
	else
		ktap_not_ok "$desc"
	fi
	return 0
}

# Ends the test: exit 0 only when every planned case reported and none
# failed. (run_tests.sh checks the plan too, for a test that ends early.)
ktap_finished() {
	echo "# Totals: pass:$ktap_pass fail:$ktap_fail skip:$ktap_skip"
	if [ "$ktap_fail" != 0 ] || [ "$ktap_n" != "$ktap_planned" ]; then
		[ "$ktap_n" != "$ktap_planned" ] && echo "# planned $ktap_planned cases, ran $ktap_n"
		exit $KSFT_FAIL
	fi
	[ "$ktap_pass" = 0 ] && [ "$ktap_skip" != 0 ] && exit $KSFT_SKIP
	exit $KSFT_PASS
}

ktap_skip_all() {
	echo "1..0 # SKIP $*"
	exit $KSFT_SKIP
}

ktap_bail_out() {
	echo "Bail out! $*"
	exit $KSFT_FAIL
}

require_root() {
	[ "$(id -u)" = 0 ] || ktap_skip_all "must be run as root"
}

require_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null || ktap_skip_all "$c not found"
	done
}

# fail MSG: prints why a check failed and returns 1 (for ktap_result bodies).
fail() {
	echo "$*"
	return 1
}

# --- the module ---------------------------------------------------------

# The module under test: installed (modprobe) or given as PC5SEC_KO, or the
# one built in this tree.
PC5SEC_KO=${PC5SEC_KO:-}
if [ -z "$PC5SEC_KO" ] && ! modinfo pc5sec >/dev/null 2>&1 &&
	[ -f "$SELFTEST_DIR/../kmod/pc5sec.ko" ]; then
	PC5SEC_KO=$SELFTEST_DIR/../kmod/pc5sec.ko
fi

module_loaded() {
	[ -d /sys/module/pc5sec ]
}

module_load() {
	if [ -n "$PC5SEC_KO" ]; then
		insmod "$PC5SEC_KO" "$@"
	else
		modprobe pc5sec "$@"
	fi
}

module_unload() {
	rmmod pc5sec
}

require_module() {
	module_loaded && return 0
	if [ -z "$PC5SEC_KO" ] && ! modinfo pc5sec >/dev/null 2>&1; then
		ktap_skip_all "pc5sec module not installed and PC5SEC_KO not set"
	fi
}

# ktap_start CMD...: the KTAP header of a test of the module; it skips
# unless run as root, with the module at hand and CMD... on PATH.
ktap_start() {
	ktap_header
	require_root
	require_module
	require_cmd "$@"
}

# The kernel log since the last dmesg_mark, for "no warnings" checks.
DMESG_BAD='WARNING:|BUG:|Oops|Call Trace|KASAN|possible circular locking|suspicious RCU usage|sleeping function called'
dmesg_mark() {
	dmesg_lines=$(dmesg | wc -l)
}

dmesg_clean_since_mark() {
	local new
	new=$(dmesg | tail -n +"$((dmesg_lines + 1))")
	if printf '%s\n' "$new" | grep -Eq "$DMESG_BAD"; then
		printf '%s\n' "$new"
		return 1
	fi
	return 0
}

# --- the PC5 link -------------------------------------------------------
#
# topo_create N builds N UEs on one emulated PC5 link:
#
#   N = 2:  [ue1] eth0 <---- veth ----> eth0 [ue2]
#   N > 2:  [ueI] eth0 <-- veth --> pI [bridge pc5br in namespace "link"]
#
# UE i has 10.55.0.i/24 and fd55::i/64 on eth0, a route for IPv4 multicast
# (224.0.0.0/4) and IPv6's per-interface ff00::/8, and its namespace is
# $PC5_NS_PREFIX-ue$i. ue I CMD... runs CMD in UE I.

PC5_NS_PREFIX=pc5-$$
PC5_UES=0

ue_ns() {
	echo "$PC5_NS_PREFIX-ue$1"
}

ue() {
	local i=$1
	shift
	ip netns exec "$(ue_ns "$i")" "$@"
}

ue_ip4() {
	echo "10.55.0.$1"
}

ue_ip6() {
	echo "fd55::$1"
}

topo_create() {
	local n=$1 i ns
	PC5_UES=$n
	for i in $(seq 1 "$n"); do
		ns=$(ue_ns "$i")
		ip netns add "$ns" || return 1
		ip -n "$ns" link set lo up
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0
	done
	if [ "$n" = 2 ]; then
		ip link add eth0 netns "$(ue_ns 1)" type veth peer name eth0 netns "$(ue_ns 2)" || return 1
	else
		ip netns add "$PC5_NS_PREFIX-link" || return 1
		ip -n "$PC5_NS_PREFIX-link" link add pc5br type bridge mcast_snooping 0 || return 1
		ip -n "$PC5_NS_PREFIX-link" link set pc5br up
		for i in $(seq 1 "$n"); do
			ip link add eth0 netns "$(ue_ns "$i")" type veth \
				peer name "p$i" netns "$PC5_NS_PREFIX-link" || return 1
			ip -n "$PC5_NS_PREFIX-link" link set "p$i" master pc5br up
		done
	fi
	for i in $(seq 1 "$n"); do
		ns=$(ue_ns "$i")
		ip -n "$ns" addr add "$(ue_ip4 "$i")/24" dev eth0
		ip -n "$ns" addr add "$(ue_ip6 "$i")/64" dev eth0 nodad
		ip -n "$ns" link set eth0 up
		ip -n "$ns" route add 224.0.0.0/4 dev eth0
	done
	for i in $(seq 1 "$n"); do
		wait_mroute6 "$i" || return 1
	done
}

# wait_mroute6 UE: waits until IPv6 multicast can be received on the UE's
# eth0. The kernel adds its route (ff00::/8; in table local where there
# are several) once the link is up; 6.1.192 added it up to half a second
# later on the second UE of a veth pair, and until then every datagram to
# a group is dropped there (Ip6InNoRoutes).
wait_mroute6() {
	local t
	for t in $(seq 100); do
		ip -n "$(ue_ns "$1")" -6 route show table all 2>/dev/null |
			grep -q '^multicast ff00::/8 dev eth0 ' && return 0
		sleep 0.1
	done
	echo "ue$1: no IPv6 multicast route on eth0 after 10 s"
	return 1
}

topo_destroy() {
	local i
	for i in $(seq 1 "$PC5_UES"); do
		ip netns del "$(ue_ns "$i")" 2>/dev/null
	done
	ip netns del "$PC5_NS_PREFIX-link" 2>/dev/null
	PC5_UES=0
	return 0
}

# wait_file FILE [TENTHS]: waits for a helper's ready file (default 5 s).
wait_file() {
	local i
	for i in $(seq 1 "${2:-50}"); do
		[ -e "$1" ] && return 0
		sleep 0.1
	done
	echo "timed out waiting for $1"
	return 1
}

# --- traffic ------------------------------------------------------------
#
# For the datapath tests. They use the test's scratch directory $tmp,
# where each UE's CLI keeps its state, and the UDP port $PORT.

# kept FILE CMD...: runs CMD, appends what it printed (both streams) to
# FILE, for a test that searches every output for key bytes, and prints it.
kept() {
	local file=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	[ -n "$out" ] || return $rc
	printf '%s\n' "$out" >>"$file"
	printf '%s\n' "$out"
	return $rc
}

# pc UE ARGS...: the CLI in UE, with that UE's state directory.
pc() {
	local i=$1
	shift
	ue "$i" pc5sec --state-dir "$tmp/st$i" "$@"
}

# provision GROUP SUITE [UE...]: the group, with the PGK in $PGK (default
# $tmp/pgk) as PGK ID 0x101, on the UEs (default 1 2 3), each with its
# member() ID and the script's GROUP_ID.
provision() {
	local g=$1 suite=$2 ues i
	shift 2
	ues=${*:-1 2 3}
	for i in $ues; do
		pc "$i" group add "$g" group-id "$GROUP_ID" member-id "$(member "$i")" || return
		pc "$i" key add "$g" pgk-id 0x101 suite "$suite" key-file "${PGK:-$tmp/pgk}" ||
			return
	done
}

unprovision() {
	local i
	for i in 1 2 3; do
		pc "$i" group del "$1" 2>/dev/null
	done
	return 0
}

fam() {
	[[ $1 == *:* ]] && echo -6
}

# recv_bg NAME UE GROUP ARGS...: a receiver in UE, ready when this returns.
recv_bg() {
	local name=$1 i=$2 g=$3
	shift 3
	rm -f "$tmp/$name.ready"
	# Not through ue(): $! must be the helper itself, to wait for or kill.
	ip netns exec "$(ue_ns "$i")" mcast_recv $(fam "$g") -g "$g" -p $PORT \
		-R "$tmp/$name.ready" "$@" >"$tmp/$name.out" 2>&1 &
	eval "pid_$name=$!"
	wait_file "$tmp/$name.ready"
}

# recv_ok NAME: the receiver NAME exited 0; prints what it said.
recv_ok() {
	local pid
	eval "pid=\$pid_$1"
	wait "$pid"
	local rc=$?
	echo "$1: $(tail -n 1 "$tmp/$1.out")"
	return $rc
}

# cap_bg NAME UE ARGS...: a capture on UE's eth0.
cap_bg() {
	local name=$1 i=$2
	shift 2
	rm -f "$tmp/$name.ready"
	ip netns exec "$(ue_ns "$i")" pkt_capture -i eth0 -R "$tmp/$name.ready" "$@" \
		>"$tmp/$name.cap" 2>/dev/null &
	eval "pid_$name=$!"
	wait_file "$tmp/$name.ready"
}

cap_wait() {
	local pid
	eval "pid=\$pid_$1"
	wait "$pid"
}

send() {
	local i=$1 g=$2
	shift 2
	ue "$i" mcast_send $(fam "$g") -g "$g" -p $PORT -i eth0 "$@" >/dev/null
}

# --- forged datagrams and counters ---------------------------------------
#
# For the tests where ue1 sends, ue2 receives and an attacker forges from
# ue3's port, as from the air.

# suite_no SUITE: the suite's number in the header (spec section 4).
suite_no() {
	case $1 in
	eea0) echo 0 ;;
	eea1) echo 1 ;;
	eea2) echo 2 ;;
	eea3) echo 3 ;;
	aes-gcm-128) echo 4 ;;
	esac
}

# forge GROUP SUITE ARGS...: pkt_forge from ue3's port with ue1's address,
# header suite SUITE, PGK index 1 and 80 octets after the header (64 and
# an ICV); ARGS add to or override these.
forge() {
	local g=$1 suite=$2 src
	shift 2
	src=$(ue_ip4 1)
	[ -n "$(fam "$g")" ] && src=$(ue_ip6 1)
	ue 3 pkt_forge -i eth0 -s "$src" -d "$g" -S "$(suite_no "$suite")" -k 1 \
		-l $((64 + 16)) "$@"
}

# counters GROUP: the group's counters at ue2, as one JSON object.
counters() {
	pc 2 show "$1" -s -j | jq -c '.groups[0].stats'
}

# senders GROUP: the senders ue2 tracks for the group's first key.
senders() {
	pc 2 show "$1" -s -j | jq '.groups[0].keys[0].rx_senders'
}

# moved BEFORE AFTER: the counters of two JSON objects that moved,
# "name=+delta" sorted and space-separated, bytes aside.
moved() {
	jq -nr --argjson a "$1" --argjson b "$2" \
		'[$b | to_entries[] | select(.key | endswith("_bytes") | not) |
		  select(.value != $a[.key]) | "\(.key)=+\(.value - $a[.key])"] | sort | join(" ")'
}

# count AFTER BEFORE NAME: how far counter NAME moved.
count() {
	jq -nr --argjson a "$2" --argjson b "$1" "\$b.$3 - \$a.$3"
}

# warm GROUP [SUITE]: ue1 is a sender ue2 knows, with its SAs made; with
# SUITE, the group is provisioned first (provision).
warm() {
	[ -z "${2:-}" ] || provision "$1" "$2" || return
	recv_bg r2 2 "$1" -n 5 -V -s 100 || return
	send 1 "$1" -s 100 -n 5 -r 200 || return
	recv_ok r2
}

# restart_ue1 GROUP SUITE: ue1's key deleted and added again, as after a
# reboot: it sends from its next reservation of PTK IDs, 64 on.
restart_ue1() {
	pc 1 key del "$1" pgk-id 0x101 &&
		pc 1 key add "$1" pgk-id 0x101 suite "$2" key-file "${PGK:-$tmp/pgk}"
}
