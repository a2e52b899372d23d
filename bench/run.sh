#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest side of `make bench` (see README.md, "Benchmark"). Runs as root
# in the test VM, from /mnt/share (this directory and mcbench). Measures UDP
# multicast from ue1 to ue2 (two namespaces on a veth pair) in each mode,
# ROUNDS times, every mode once per round; then the key install rate and the
# pc5sec scale cases. Writes one JSON object per measurement, raw counts, to
# $RAW and, at the end, to $PC5SEC_OUTPUT_DEV (vm.sh -o: /dev/ttyS2 on
# x86); bench/report.sh turns them into bench/results.json and the table.
#
# Settings (environment; `make bench` passes its variables):
#   ROUNDS        rounds of every mode (5)
#   DURATION      seconds per saturation point (3)
#   CPU_DURATION  seconds per CPU-cost point (2)
#   CPU_PPS       offered datagrams/s for the CPU cost, every mode (2000)
#   CPU_BURST     ... sent in bursts of this many datagrams (8)
#   MODES         modes, in order (plain esp-gcm esp-ctr macsec eea0 eea2
#                 aes-gcm-128 eea1 eea3)
#   PAYLOADS      UDP payload sizes (64 512 1400)
#   SCALE         1: also the 1000-group and 100-sender cases (1)
#   SCALE_SUITE   their suite (aes-gcm-128); SCALE_GROUPS (1000),
#                 SCALE_SENDERS (100)
#   KEYS          1: also the key install rate (1); KEYS_CLI (50),
#                 KEYS_BATCH (1000) keys per measurement
#   FORGED        1: also what forged datagrams cost the receiver (1), for
#                 FORGED_SUITES (aes-gcm-128 eea2): floods of FLOOD_COUNT
#                 (200000), the last beside a real sender at REAL_PPS (500)
#                 for FORGED_SECS (10)
. /selftests/lib.sh

ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-3}
CPU_DURATION=${CPU_DURATION:-2}
CPU_PPS=${CPU_PPS:-2000}
CPU_BURST=${CPU_BURST:-8}
MODES=${MODES:-plain esp-gcm esp-ctr macsec eea0 eea2 aes-gcm-128 eea1 eea3}
PAYLOADS=${PAYLOADS:-64 512 1400}
SCALE=${SCALE:-1}
SCALE_SUITE=${SCALE_SUITE:-aes-gcm-128}
SCALE_GROUPS=${SCALE_GROUPS:-1000}
SCALE_SENDERS=${SCALE_SENDERS:-100}
KEYS=${KEYS:-1}
KEYS_CLI=${KEYS_CLI:-50}
KEYS_BATCH=${KEYS_BATCH:-1000}
FORGED=${FORGED:-1}
FORGED_SUITES=${FORGED_SUITES:-aes-gcm-128 eea2}
FORGED_SECS=${FORGED_SECS:-10}
FLOOD_COUNT=${FLOOD_COUNT:-200000}
REAL_PPS=${REAL_PPS:-500}

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MCBENCH=$HERE/mcbench
RAW=${RAW:-/tmp/bench-raw.jsonl}
G=239.1.1.1
PORT=7000
SENDER_CPU=1	# taskset masks: the sender on CPU0,
RECV_CPU=2	# the receiver and ue2's receive softirq (RPS) on CPU1
tmp=$(mktemp -d)
: >"$RAW"
t_start=$SECONDS

log() {
	printf '[bench %4ds] %s\n' $((SECONDS - t_start)) "$*"
}

# object [--arg NAME STRING | --argjson NAME JSON]...: a JSON object of
# these fields, in this order, on one line.
object() {
	jq -nc "$@" '$ARGS.named'
}

# record KIND [--arg NAME STRING | --argjson NAME JSON]...: one raw record,
# {"kind": KIND, NAME: value...}. Every record is written so.
record() {
	local kind=$1
	shift
	object --arg kind "$kind" "$@" >>"$RAW"
}

teardown() {
	topo_destroy
	module_loaded && { rmmod pc5sec 2>/dev/null || log "warning: rmmod pc5sec failed"; }
	return 0
}

finish() {
	teardown
	local dev=${PC5SEC_OUTPUT_DEV:-/dev/ttyS2}
	if [ -c "$dev" ]; then
		stty -F "$dev" raw -echo 2>/dev/null
		cat "$RAW" >"$dev"
	fi
	rm -rf "$tmp"
}
trap finish EXIT

# --- the modes ----------------------------------------------------------
#
# setup_MODE: builds the two-UE link (lib.sh: ue1 10.55.0.1, ue2 10.55.0.2
# on eth0, a veth pair) and protects G with the mode; sets IF (the interface
# the traffic uses), PROTO (what must be on the wire: an IP protocol, or
# macsec) and, when the mode cannot run here, UNAVAILABLE (why).

base_topo() {
	topo_create 2 || return 1
	# ue2's receive softirq on CPU1 (RPS), as the receiver.
	ue 2 sh -c "echo 2 >/sys/class/net/eth0/queues/rx-0/rps_cpus" || return 1
	IF=eth0
}

setup_plain() {
	base_topo || return 1
	PROTO=17
}

# esp AEAD|ENC ALG KEYBYTES: a manually keyed transport-mode SA and policies
# for ue1 -> G in both UEs (the sender's "out", the receiver's "in").
setup_esp() {
	local kind=$1 alg=$2 key i dir
	key=0x$(head -c "$3" /dev/urandom | od -An -tx1 | tr -d ' \n')
	base_topo || return 1
	for i in 1 2; do
		if [ "$kind" = aead ]; then
			ue $i ip xfrm state add src "$(ue_ip4 1)" dst $G proto esp spi 0x1000 \
				mode transport replay-window 32 aead "$alg" "$key" 128 || return 1
		else
			ue $i ip xfrm state add src "$(ue_ip4 1)" dst $G proto esp spi 0x1000 \
				mode transport replay-window 32 enc "$alg" "$key" || return 1
		fi
		dir=out
		[ $i = 2 ] && dir=in
		# (no /etc/protocols in the VM: UDP by number)
		ue $i ip xfrm policy add src "$(ue_ip4 1)" dst $G proto 17 dir $dir \
			tmpl proto esp mode transport || return 1
	done
	PROTO=50
}

setup_esp-gcm() {
	setup_esp aead 'rfc4106(gcm(aes))' 20
}

# No authentication: the closest ESP gets to 128-EEA2 (kernel: digest_null).
setup_esp-ctr() {
	setup_esp enc 'rfc3686(ctr(aes))' 20
}

setup_macsec() {
	local i peer mac k=()
	base_topo || return 1
	for i in 1 2; do
		k[i]=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
	done
	for i in 1 2; do
		ue $i ip link add link eth0 macsec0 type macsec port 1 encrypt on \
			cipher gcm-aes-128 replay on window 32 || return 1
	done
	for i in 1 2; do
		peer=$((3 - i))
		mac=$(ue $peer cat /sys/class/net/eth0/address)
		ue $i ip macsec add macsec0 tx sa 0 pn 1 on key 0$i "${k[i]}" || return 1
		ue $i ip macsec add macsec0 rx port 1 address "$mac" || return 1
		ue $i ip macsec add macsec0 rx port 1 address "$mac" sa 0 pn 1 on \
			key 0$peer "${k[peer]}" || return 1
		ue $i ip link set macsec0 up
		ue $i ip addr add "10.56.0.$i/24" dev macsec0
		ue $i ip route replace 224.0.0.0/4 dev macsec0
	done
	IF=macsec0
	PROTO=macsec
}

# pc UE ARGS...: the CLI in a UE, with that UE's state directory.
pc() {
	local i=$1
	shift
	ue "$i" pc5sec --state-dir "$tmp/st$i" "$@"
}

setup_pc5sec() {
	local suite=$1 i out
	module_loaded || module_load allow_null=1 || return 1
	base_topo || return 1
	[ -f "$tmp/pgk" ] || pc5sec genkey >"$tmp/pgk"
	for i in 1 2; do
		pc $i group add $G group-id 0x77 member-id "0x00100$i" || return 1
		if ! out=$(pc $i key add $G pgk-id 0x101 suite "$suite" key-file "$tmp/pgk" 2>&1); then
			UNAVAILABLE="pc5sec key add suite $suite: $out"
			return 0
		fi
	done
	PROTO=253
}

for s in eea0 eea1 eea2 eea3 aes-gcm-128; do
	eval "setup_$s() { setup_pc5sec $s; }"
done

# --- measuring ----------------------------------------------------------

# recv_start: mcbench recv in ue2 on CPU1; RECV_PID.
recv_start() {
	rm -f "$tmp/ready"
	ip netns exec "$(ue_ns 2)" taskset $RECV_CPU "$MCBENCH" recv -g $G -p $PORT -i "$IF" \
		-R "$tmp/ready" -T 500 -W 20000 >"$tmp/recv.out" 2>&1 &
	RECV_PID=$!
	wait_file "$tmp/ready" 100 >/dev/null || { log "receiver did not start"; return 1; }
}

# recv_wait: the receiver's count once the sender has stopped; RECEIVED, BYTES.
recv_wait() {
	wait "$RECV_PID"
	read -r _ RECEIVED _ BYTES <"$tmp/recv.out"
	[[ $RECEIVED =~ ^[0-9]+$ ]] || { cat "$tmp/recv.out"; RECEIVED=0 BYTES=0; return 1; }
}

# kv FILE KEY: the value after KEY in mcbench's "key value ..." line.
kv() {
	awk -v k="$2" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }' "$1"
}

# send_in UE ARGS...: mcbench send from UE on CPU0, output in $tmp/send.out.
send_in() {
	local i=$1
	shift
	ip netns exec "$(ue_ns "$i")" taskset $SENDER_CPU "$MCBENCH" send -g $G -p $PORT \
		-i "$IF" "$@" >"$tmp/send.out" 2>&1
}

# wire_check: a short burst, captured on ue2's eth0: the mode's protocol
# must be there and no UDP to G in clear (for MACsec: no IP to G at all,
# and MACsec frames). A mode that would measure cleartext fails here.
wire_check() {
	local pos neg
	rm -f "$tmp/c1.ready" "$tmp/c2.ready" "$tmp/c1.err"
	if [ "$PROTO" = macsec ]; then
		ue 2 timeout 8 tcpdump -Z root -i eth0 -nn -c 3 'ether proto 0x88e5' >"$tmp/c1" 2>"$tmp/c1.err" &
		pos=$!
		ue 2 pkt_capture -i eth0 -d $G -T 2500 -R "$tmp/c2.ready" >"$tmp/c2" 2>/dev/null &
		neg=$!
		# tcpdump is ready once it says that it listens.
		for _ in $(seq 50); do
			grep -q listening "$tmp/c1.err" && break
			sleep 0.1
		done
	else
		ue 2 pkt_capture -i eth0 -P "$PROTO" -d $G -n 3 -T 4000 -R "$tmp/c1.ready" \
			>"$tmp/c1" 2>/dev/null &
		pos=$!
		ue 2 pkt_capture -i eth0 -P 17 -d $G -T 2500 -R "$tmp/c2.ready" >"$tmp/c2" 2>/dev/null &
		neg=$!
		wait_file "$tmp/c1.ready" >/dev/null
	fi
	wait_file "$tmp/c2.ready" >/dev/null
	recv_start || return 1
	send_in 1 -s 64 -D 1 -r 50
	recv_wait
	wait $pos $neg
	if [ "$(grep -c . "$tmp/c1")" -lt 3 ]; then
		log "WIRE CHECK FAILED: no $PROTO packets to $G on the wire"
		[ -s "$tmp/c1.err" ] && cat "$tmp/c1.err"
		return 1
	fi
	if [ "$PROTO" != 17 ] && [ -s "$tmp/c2" ]; then
		log "WIRE CHECK FAILED: $(grep -c . "$tmp/c2") packets to $G in clear on the wire"
		return 1
	fi
	if [ "$RECEIVED" -lt 40 ]; then
		log "WIRE CHECK FAILED: the receiver got $RECEIVED of 50 datagrams"
		return 1
	fi
	if [ "$PROTO" = 17 ]; then
		log "wire check: UDP to $G in clear; $RECEIVED of 50 delivered"
	else
		log "wire check: $PROTO on the wire, no UDP to $G in clear; $RECEIVED of 50 delivered"
	fi
	return 0
}

# sat_point SIZE: unpaced for DURATION s; SAT (JSON).
sat_point() {
	recv_start || return 1
	send_in 1 -s "$1" -D "$DURATION" || { cat "$tmp/send.out"; return 1; }
	recv_wait || return 1
	SAT=$(object --argjson sent "$(kv "$tmp/send.out" sent)" \
		--argjson errors "$(kv "$tmp/send.out" errors)" \
		--argjson elapsed_ns "$(kv "$tmp/send.out" elapsed_ns)" \
		--argjson received "$RECEIVED" --argjson bytes "$BYTES")
	SAT_PPS=$(awk -v r="$RECEIVED" -v t="$(kv "$tmp/send.out" elapsed_ns)" \
		'BEGIN { printf "%.0f", r * 1e9 / t }')
	SAT_LOSS=$(awk -v r="$RECEIVED" -v s="$(kv "$tmp/send.out" sent)" \
		'BEGIN { printf "%.1f", s ? 100 * (1 - r / s) : 0 }')
}

# cpu_point SIZE: CPU_PPS for CPU_DURATION s; CPU (JSON). The busy time of
# both CPUs (sender, receiver, softirqs, everything) per delivered datagram.
cpu_point() {
	recv_start || return 1
	send_in 1 -s "$1" -D "$CPU_DURATION" -r "$CPU_PPS" -b "$CPU_BURST" -c ||
		{ cat "$tmp/send.out"; return 1; }
	recv_wait || return 1
	local busy
	busy=$(kv "$tmp/send.out" cpu_busy_ns)
	CPU=$(object --argjson pps "$CPU_PPS" --argjson burst "$CPU_BURST" \
		--argjson sent "$(kv "$tmp/send.out" sent)" \
		--argjson elapsed_ns "$(kv "$tmp/send.out" elapsed_ns)" --argjson received "$RECEIVED" \
		--argjson busy_ns "$busy" --argjson window_ns "$(kv "$tmp/send.out" cpu_window_ns)" \
		--argjson ncpu "$(kv "$tmp/send.out" ncpu)")
	CPU_NS=$(awk -v b="$busy" -v r="$RECEIVED" 'BEGIN { printf "%.0f", r ? b / r : 0 }')
}

# crypto_in_use MODE: which crypto drivers are in use (refcnt > 1) while
# MODE is set up and has sent: what the kernel picked for it.
crypto_in_use() {
	local list
	list=$(awk -F' *: ' '/^name/ { n = $2 } /^driver/ { d = $2 } /^refcnt/ { r = $2 }
		/^$/ { if (r > 1 && n ~ /aes|gcm|ghash|eea|snow|zuc|null/) print n "\t" d "\t" r }' /proc/crypto |
		sort -u | jq -R -s -c 'split("\n") | map(select(length > 0) | split("\t") |
			{name: .[0], driver: .[1], refcnt: (.[2] | tonumber)})')
	log "$mode: crypto in use: $(jq -r 'map(.driver) | join(", ")' <<<"$list")"
	record info --arg mode "$1" --argjson crypto_in_use "$list"
}

run_mode() {
	local mode=$1 round=$2 size
	IF='' PROTO='' UNAVAILABLE=''
	if ! "setup_$mode" || ! { [ -n "$UNAVAILABLE" ] || wire_check; }; then
		log "$mode: setup or wire check FAILED; not measured this round"
		for size in $PAYLOADS; do
			record throughput --arg mode "$mode" --argjson payload "$size" \
				--argjson round "$round" --arg status failed \
				--arg reason "setup or wire check failed (see the console)"
		done
		teardown
		return 1
	fi
	if [ -n "$UNAVAILABLE" ]; then
		log "$mode: unavailable: $UNAVAILABLE"
		for size in $PAYLOADS; do
			record throughput --arg mode "$mode" --argjson payload "$size" \
				--argjson round "$round" --arg status unavailable --arg reason "$UNAVAILABLE"
		done
		teardown
		return 0
	fi
	[ "$round" = 1 ] && crypto_in_use "$mode"
	for size in $PAYLOADS; do
		if ! sat_point "$size" || ! cpu_point "$size"; then
			log "$mode $size: measurement failed"
			record throughput --arg mode "$mode" --argjson payload "$size" \
				--argjson round "$round" --arg status failed \
				--arg reason "measurement failed (see the console)"
			continue
		fi
		log "round $round $mode ${size}B: $SAT_PPS pps, loss $SAT_LOSS%, $CPU_NS ns/pkt at $CPU_PPS pps"
		record throughput --arg mode "$mode" --argjson payload "$size" --argjson round "$round" \
			--arg status ok --argjson sat "$SAT" --argjson cpu "$CPU"
	done
	teardown
}

# --- key install rate ---------------------------------------------------

# Groups 239.2.x.y in the VM's own namespace, one aes-gcm-128 key each:
# through one pc5sec process per key (KEYS_CLI keys), then one netlink
# batch (KEYS_BATCH keys). Only the key adds are timed; the groups exist
# before. The tool reserves tx PTK IDs in its state directory (a tmpfs) as
# in real use.
key_rates() {
	local round=$1 n t0 t1 line
	module_loaded || module_load allow_null=1 || return 1
	for n in cli batch; do
		local count=$KEYS_CLI
		[ $n = batch ] && count=$KEYS_BATCH
		rm -rf "$tmp/kst"
		awk -v n="$count" 'BEGIN { for (i = 0; i < n; i++)
			printf "group add 239.2.%d.%d group-id %d member-id 1\n", i / 250, i % 250 + 1, 100 + i }' \
			>"$tmp/groups"
		awk -v n="$count" -v k="$tmp/pgk" 'BEGIN { for (i = 0; i < n; i++)
			printf "key add 239.2.%d.%d pgk-id 0x101 suite aes-gcm-128 key-file %s\n", i / 250, i % 250 + 1, k }' \
			>"$tmp/keys"
		pc5sec flush
		pc5sec -b "$tmp/groups" || return 1
		t0=${EPOCHREALTIME/./}
		if [ $n = cli ]; then
			while read -r line; do
				# shellcheck disable=SC2086
				pc5sec --state-dir "$tmp/kst" $line || return 1
			done <"$tmp/keys"
		else
			pc5sec --state-dir "$tmp/kst" -b "$tmp/keys" || return 1
		fi
		t1=${EPOCHREALTIME/./}
		log "round $round key install $n: $count keys in $(((t1 - t0) / 1000)) ms"
		record key_install --arg mode "$n" --argjson round "$round" --argjson keys "$count" \
			--argjson elapsed_ns $(((t1 - t0) * 1000))
	done
	pc5sec flush
	teardown
}

# --- scale --------------------------------------------------------------

# groups-1 vs groups-N: the two-UE link with SCALE_SUITE on G, alone and
# with SCALE_GROUPS - 1 more groups (239.3.x.y, a key each) in both UEs;
# odd rounds measure G alone first, even rounds the other way round.
scale_groups() {
	local round=$1 j c many=0
	IF='' PROTO='' UNAVAILABLE=''
	if ! setup_pc5sec "$SCALE_SUITE" || [ -n "$UNAVAILABLE" ] || ! wire_check; then
		log "scale groups: setup failed ${UNAVAILABLE:+($UNAVAILABLE)}"
		teardown
		return 1
	fi
	for j in 1 2; do
		awk -v n="$SCALE_GROUPS" -v m=$((0x1000 + j)) -v s="$SCALE_SUITE" -v k="$tmp/pgk" \
			-v add="$tmp/many$j" -v del="$tmp/del$j" \
			'BEGIN { for (i = 1; i < n; i++) {
				a = sprintf("239.3.%d.%d", i / 250, i % 250 + 1)
				printf "group add %s group-id %d member-id %d\n", a, 1000 + i, m >add
				printf "key add %s pgk-id 0x101 suite %s key-file %s tx-ptk-id 0\n", a, s, k >add
				printf "group del %s\n", a >del } }'
	done
	c=1
	[ $((round % 2)) = 0 ] && c=$SCALE_GROUPS
	for _ in 1 2; do
		for j in 1 2; do
			if [ "$c" = 1 ] && [ "$many" = 1 ]; then
				pc $j -b "$tmp/del$j" || { teardown; return 1; }
			elif [ "$c" != 1 ] && [ "$many" = 0 ]; then
				pc $j -b "$tmp/many$j" || { teardown; return 1; }
			fi
		done
		many=0
		[ "$c" != 1 ] && many=1
		sat_point 1400 || { teardown; return 1; }
		log "round $round groups-$c: $SAT_PPS pps, loss $SAT_LOSS%"
		record scale --arg mode "groups-$c" --arg suite "$SCALE_SUITE" --argjson payload 1400 \
			--argjson round "$round" --argjson sat "$SAT"
		if [ "$c" = 1 ]; then c=$SCALE_GROUPS; else c=1; fi
	done
	teardown
}

# senders-1 vs senders-N: N+1 UEs on a bridge with multicast snooping (the
# bridge is the querier and the receiver's port is a static member of G,
# so the traffic is not flooded to every UE); UE N+1 receives. In each
# round, UE 1 alone sends, and UEs 1..N together (odd rounds in this
# order, even rounds the other way round), for DURATION s. The same in
# clear first (plain-senders-1, plain-senders-N), before the UEs get
# their keys: what the link and the receiver take without pc5sec.
scale_senders_setup() {
	local n=$((SCALE_SENDERS + 1)) t0=$SECONDS
	module_loaded || module_load allow_null=1 || return 1
	topo_create $n || return 1
	ip -n "$PC5_NS_PREFIX-link" link set pc5br type bridge mcast_snooping 1 mcast_querier 1 || return 1
	bridge -n "$PC5_NS_PREFIX-link" mdb add dev pc5br port p$n grp $G permanent || return 1
	ue $n sh -c "echo 2 >/sys/class/net/eth0/queues/rx-0/rps_cpus" || return 1
	# The bridge forwards on CPU1 too. Left on CPU0, its softirq work
	# would compete with 100 sender processes there (ksoftirqd gets
	# 1/101 of the CPU) and drop most datagrams, in clear as well.
	ip netns exec "$PC5_NS_PREFIX-link" sh -c \
		'for f in /sys/class/net/p*/queues/rx-0/rps_cpus; do echo 2 >"$f"; done' || return 1
	log "scale senders: $n UEs set up in $((SECONDS - t0)) s"
}

scale_senders_provision() {
	local n=$((SCALE_SENDERS + 1)) i
	for i in $(seq 1 $n); do
		printf 'group add %s group-id 0x77 member-id 0x%06x\nkey add %s pgk-id 0x101 suite %s key-file %s tx-ptk-id 0\n' \
			$G $((0x1000 + i)) $G "$SCALE_SUITE" "$tmp/pgk" >"$tmp/ue$i.batch"
		ue $i pc5sec -b "$tmp/ue$i.batch" || return 1
	done
}

# senders_run COUNT RATE SECS: UEs 1..COUNT send to UE N+1 (at RATE pps, 0:
# unpaced), from one mcbench forking a sender into each namespace, all
# starting at the same instant; SAT (JSON) with the sums.
senders_run() {
	local count=$1 rate=$2 secs=$3 n=$((SCALE_SENDERS + 1)) i start list=
	rm -f "$tmp/ready"
	ip netns exec "$(ue_ns $n)" taskset $RECV_CPU "$MCBENCH" recv -g $G -p $PORT -i eth0 \
		-R "$tmp/ready" -T 1000 -W 60000 >"$tmp/recv.out" 2>&1 &
	RECV_PID=$!
	wait_file "$tmp/ready" 100 >/dev/null || return 1
	for i in $(seq 1 "$count"); do
		list+=${list:+,}$(ue_ns "$i")
	done
	start=$(( ${EPOCHREALTIME/./} / 1000 + 1000 + count * 10 ))
	taskset $SENDER_CPU "$MCBENCH" send -N "$list" -g $G -p $PORT -i eth0 -s 1400 \
		-D "$secs" -r "$rate" -A $start >"$tmp/send.out" 2>&1 || { cat "$tmp/send.out"; return 1; }
	recv_wait || return 1
	# (no /dev/fd in the VM: no process substitution)
	read -r sent el late <<<"$(awk '{ s += $2; if ($6 > e) e = $6; if ($8 > l) l = $8 }
		END { print s + 0, e + 0, l + 0 }' "$tmp/send.out")"
	[ "$(grep -c ^sent "$tmp/send.out")" = "$count" ] || { cat "$tmp/send.out"; return 1; }
	[ "$late" -gt 50 ] && log "warning: a sender started $late ms late"
	SAT=$(object --argjson sent "$sent" --argjson errors 0 --argjson elapsed_ns "$el" \
		--argjson received "$RECEIVED" --argjson bytes "$BYTES" --argjson senders "$count")
	SAT_PPS=$(awk -v r="$RECEIVED" -v t="$el" 'BEGIN { printf "%.0f", r * 1e9 / t }')
	SAT_LOSS=$(awk -v r="$RECEIVED" -v s="$sent" 'BEGIN { printf "%.1f", s ? 100 * (1 - r / s) : 0 }')
}

# scale_senders_rounds PREFIX SUITE: ROUNDS rounds of senders-1 and -N.
scale_senders_rounds() {
	local prefix=$1 suite=$2 r c order
	for r in $(seq 1 "$ROUNDS"); do
		order="1 $SCALE_SENDERS"
		[ $((r % 2)) = 0 ] && order="$SCALE_SENDERS 1"
		for c in $order; do
			senders_run "$c" 0 "$DURATION" || return 1
			log "round $r ${prefix}senders-$c: $SAT_PPS pps, loss $SAT_LOSS%"
			record scale --arg mode "${prefix}senders-$c" --arg suite "$suite" \
				--argjson payload 1400 --argjson round "$r" --argjson sat "$SAT"
		done
	done
}

scale_senders() {
	scale_senders_setup || { log "scale senders: setup failed"; teardown; return 1; }
	# Warm-up: 101 UEs have just joined G (IGMP, MLD, the bridge's
	# querier); the first unpaced second after that lost most datagrams.
	senders_run "$SCALE_SENDERS" 5 1 && senders_run 1 0 1 || { teardown; return 1; }
	scale_senders_rounds plain- plain || { teardown; return 1; }
	scale_senders_provision || { log "scale senders: keys failed"; teardown; return 1; }
	# Warm-up: the receiver derives one SA per sender on its first datagram.
	senders_run "$SCALE_SENDERS" 5 1 || { teardown; return 1; }
	log "scale senders warm-up: $RECEIVED of $(jq -r .sent <<<"$SAT") datagrams"
	scale_senders_rounds "" "$SCALE_SUITE"
	teardown
}

# --- forged traffic -----------------------------------------------------
#
# What datagrams forged without the PGK cost ue2: pkt_forge in ue1's
# namespace, on CPU0, sends them onto the link; ue2 receives them on CPU1
# (RPS), where the key's worker runs too. CPU1's busy time (beyond what it
# spends idle-running) is divided by their number. Unpaced, FLOOD_COUNT of
# each:
#   forged-index   an unknown PGK index: dropped before any cipher
#   forged-auth    ue1's member ID and PTK ID, fresh counters: the cipher
#                  runs with ue1's SA and fails (for eea2: the UDP check)
#   forged-flood   random member and PTK IDs (each needs a trial: as many
#                  as the key's budget allows get one, the rest are dropped),
#                  while ue1 sends at REAL_PPS for FORGED_SECS: its delivery
# ue2 runs a receiver throughout (it decrypts only for a joined group). The
# records also have how many forged datagrams were tried (their failures)
# and dropped beyond the budget, from ue2's counters.

# busy_ns: the time CPU1, the receiver's, was busy since boot (ns;
# /proc/stat is in USER_HZ, 100 here), measured (NO_HZ) rather than sampled.
busy_ns() {
	awk '/^cpu1 / { printf "%.0f", ($2 + $3 + $4 + $7 + $8 + $9) * 1e7 }' /proc/stat
}

# wait_idle: until a second of CPU1's own busy time is under 2%
# (the last mode's namespaces are cleaned up in the background for
# seconds); IDLE_BUSY_PER_S is that second's.
wait_idle() {
	local b0 i
	for i in $(seq 20); do
		b0=$(busy_ns)
		sleep 1
		IDLE_BUSY_PER_S=$(($(busy_ns) - b0))
		[ "$IDLE_BUSY_PER_S" -lt 20000000 ] && return 0
	done
	log "warning: the VM did not settle ($((IDLE_BUSY_PER_S / 1000000)) ms busy per s)"
}

# forged_run MODE SUITE COUNT [PKT_FORGE ARGS...]: one measurement, recorded.
forged_run() {
	local mode=$1 suite=$2 count=$3 b0 b1 t0 t1 tf sent=0 got=0 idle real= c0 c1
	shift 3
	wait_idle
	c0=$(counters $G)
	recv_start || return 1
	if [ "$mode" = forged-flood ]; then
		send_in 1 -s 64 -D "$FORGED_SECS" -r "$REAL_PPS" &
		real=$!
	fi
	t0=${EPOCHREALTIME/./}
	b0=$(busy_ns)
	ue 1 taskset $SENDER_CPU pkt_forge -i eth0 -s "$(ue_ip4 1)" -d $G -n "$count" "$@" \
		>/dev/null || return 1
	tf=${EPOCHREALTIME/./}
	[ -n "$real" ] && wait "$real"
	# The key's worker finishes what is queued.
	sleep 0.5
	b1=$(busy_ns)
	t1=${EPOCHREALTIME/./}
	[ -z "$real" ] && kill "$RECV_PID"
	recv_wait
	c1=$(counters $G)
	if [ "$mode" = forged-flood ]; then
		sent=$(kv "$tmp/send.out" sent)
		got=$RECEIVED
	fi
	idle=$(awk -v r="$IDLE_BUSY_PER_S" -v t=$((t1 - t0)) 'BEGIN { printf "%.0f", r * t / 1e6 }')
	log "round $round $mode $suite: $count forged, $(((b1 - b0 - idle) / count)) ns each" \
		"$([ "$mode" = forged-flood ] && echo "; ue1 $got of $sent delivered")"
	record forged --arg mode "$mode" --arg suite "$suite" --argjson round "$round" \
		--argjson forged "$count" --argjson elapsed_ns $(((t1 - t0) * 1000)) \
		--argjson forge_ns $(((tf - t0) * 1000)) --argjson busy_ns $((b1 - b0)) \
		--argjson idle_busy_ns "$idle" --argjson real_sent "$sent" --argjson real_received "$got" \
		--argjson auth_failed "$(count "$c1" "$c0" rx_drop_auth_failed)" \
		--argjson sa_limit "$(count "$c1" "$c0" rx_drop_sa_limit)"
}

forged() {
	local round=$1 suite no ptk
	for suite in $FORGED_SUITES; do
		IF='' PROTO='' UNAVAILABLE=''
		if ! setup_pc5sec "$suite" || [ -n "$UNAVAILABLE" ] || ! wire_check; then
			log "forged $suite: setup failed ${UNAVAILABLE:+($UNAVAILABLE)}"
			teardown
			continue
		fi
		no=$(suite_no "$suite")
		ptk=$(pc 1 show $G -j | jq '.groups[0].keys[0].tx_ptk_id')
		forged_run forged-index "$suite" "$FLOOD_COUNT" -S $no -l 80 -k 99 &&
		forged_run forged-auth "$suite" "$FLOOD_COUNT" -S $no -l 80 -k 1 -m 0x001001 \
			-p "$ptk" -c 1000:1 &&
		forged_run forged-flood "$suite" "$FLOOD_COUNT" -S $no -l 80 -k 1 -m rand -p rand \
			-c 1:1 || log "forged $suite: measurement failed"
		log "forged $suite: ue2 counted $(pc 2 show $G -s -j | jq -c '.groups[0].stats |
			with_entries(select(.value != 0 and (.key | test("drop"))))')"
		teardown
	done
}

# bench_init: the modes' kernel modules, and the PGK of the pc5sec modes.
bench_init() {
	# The architecture's accelerated ciphers (vm.sh: AES-NI, or the ARMv8
	# Crypto Extensions).
	modprobe -a veth bridge macsec xfrm_user esp4 authenc seqiv gcm ctr \
		${PC5SEC_ACCEL:-aesni-intel ghash-clmulni-intel} 2>/dev/null
	pc5sec genkey >"$tmp/pgk"
}

# --- main ---------------------------------------------------------------

# Sourced (bench/profile.sh): the functions only.
[[ ${BASH_SOURCE[0]} != "$0" ]] && return 0

bench_init
log "rounds $ROUNDS, ${DURATION}s saturation, ${CPU_DURATION}s at $CPU_PPS pps for the CPU cost"
log "modes: $MODES; payloads: $PAYLOADS"
for r in $(seq 1 "$ROUNDS"); do
	for m in $MODES; do
		if ! declare -F "setup_$m" >/dev/null; then
			log "unknown mode $m"
			exit 2
		fi
		run_mode "$m" "$r"
	done
	[ "$KEYS" = 1 ] && key_rates "$r"
	[ "$SCALE" = 1 ] && scale_groups "$r"
	[ "$FORGED" = 1 ] && forged "$r"
done
[ "$SCALE" = 1 ] && scale_senders

record info --arg kernel "$(uname -r)" --argjson cpu_pps "$CPU_PPS" --argjson duration "$DURATION" \
	--argjson cpu_duration "$CPU_DURATION" --argjson cpu_burst "$CPU_BURST" --argjson rounds "$ROUNDS"
log "done in $((SECONDS - t_start)) s"
