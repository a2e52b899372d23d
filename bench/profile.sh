#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest side of `make profile` (see README.md, "Benchmark"): each mode
# of MODES at PAYLOAD, unpaced as in a saturation point of the bench, with
# perf sampling both CPUs meanwhile. Prints per mode the datagrams sent
# and received, each CPU's busy time from /proc/stat, the hottest symbols
# per CPU, and what the pc5sec hooks spend their time in.
#
# The VM runs under TCG: perf has no hardware events and samples on
# cpu-clock, whose idle share is not to be trusted (/proc/stat's is).
# Compare symbols within one CPU: CPU0 sends, CPU1 receives.
#
# Settings (environment; `make profile` passes its variables):
#   MODES     modes, as in bench/run.sh (plain eea0 aes-gcm-128 macsec)
#   PAYLOAD   UDP payload size (1400)
#   DURATION  seconds of traffic (16); perf samples 4 of them, from the 2nd
#             on, once it has started, which under TCG can take seconds
#   TOP       symbols listed per CPU (25)
#   CALLERS   symbols whose callers to list per CPU, e.g. memset_erms
MODES=${MODES:-plain eea0 aes-gcm-128 macsec}
PAYLOAD=${PAYLOAD:-1400}
DURATION=${DURATION:-16}
TOP=${TOP:-25}
CALLERS=${CALLERS:-}
# Inclusive time (with what they call) of these, where sampled.
FUNCS='^(pc5_[a-z_]+|udp_sendmsg|udp_recvmsg|ip_finish_output2|__dev_queue_xmit|veth_xmit|process_backlog|ip_local_deliver|nf_hook_slow|skb_checksum_help|memmove|csum_partial|csum_partial_copy_generic|__kmalloc|kfree|kfree_sensitive|kmem_cache_alloc_node|memset_erms|skb_to_sgvec|ip_route_input_noref|ip_route_input_mc|udp_v4_early_demux|ip_rcv_finish_core.constprop.0|rt_dst_alloc|call_rcu|skb_cow_data|crypto_aead_encrypt|crypto_aead_decrypt|crypto_skcipher_encrypt|crypto_skcipher_decrypt|simd_aead_encrypt|macsec_start_xmit|macsec_handle_frame|esp_output|esp_input|xfrm_output|xfrm_input)$'

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/run.sh
. "$HERE/run.sh"
trap 'teardown; rm -rf "$tmp"' EXIT

# cpu_ticks <STAT: "cpuN busy idle" per CPU of a copy of /proc/stat, in ticks.
cpu_ticks() {
	awk '/^cpu[0-9]/ { print $1, $2 + $3 + $4 + $7 + $8, $5 + $6 }'
}

bench_init
for mode in $MODES; do
	IF='' PROTO='' UNAVAILABLE=''
	if ! declare -F "setup_$mode" >/dev/null || ! "setup_$mode" || [ -n "$UNAVAILABLE" ]; then
		log "$mode: cannot be set up here ${UNAVAILABLE:+($UNAVAILABLE)}"
		teardown
		continue
	fi
	recv_start || { teardown; continue; }
	send_in 1 -s "$PAYLOAD" -D "$DURATION" &
	sender=$!
	sleep 2
	perf record -q -a -g -e cpu-clock -F 999 -o "$tmp/perf.data" -- \
		sh -c "cat /proc/stat >$tmp/s0; sleep 4; cat /proc/stat >$tmp/s1" 2>/dev/null
	cpu_ticks <"$tmp/s0" >"$tmp/t0"
	cpu_ticks <"$tmp/s1" >"$tmp/t1"
	wait $sender
	recv_wait
	echo "=== $mode ${PAYLOAD}B: $(cat "$tmp/send.out"), received $RECEIVED"
	paste "$tmp/t0" "$tmp/t1" | awk '{ b = $5 - $2; i = $6 - $3
		printf "%s busy %.0f%%\n", $1, b + i ? 100 * b / (b + i) : 0 }'
	for c in 0 1; do
		perf report -i "$tmp/perf.data" --stdio --children --cpu $c --sort sym -g none \
			2>/dev/null >"$tmp/rep"
		# Shares of the samples that were not idle.
		awk -v top="$TOP" -v funcs="$FUNCS" -v cpu=$c '
			/^ *[0-9.]+%/ { sub("%", "", $1); sub("%", "", $2)
				if ($NF ~ /safe_halt|_idle|do_idle|cpu_startup_entry|start_secondary|secondary_startup|rest_init|start_kernel/) next
				n++; self[n] = $2 + 0; incl[n] = $1 + 0; sym[n] = $NF; total += self[n] }
			END {
				if (!total) { print "--- cpu" cpu ": no samples"; exit }
				print "--- cpu" cpu ": self time, share of the busy samples"
				for (k = 0; k < top; k++) {
					b = 0
					for (i = 1; i <= n; i++) if (!done[i] && (!b || self[i] > self[b])) b = i
					if (!b || self[b] <= 0) break
					done[b] = 1
					printf "%6.2f%%  %s\n", 100 * self[b] / total, sym[b]
				}
				print "--- cpu" cpu ": inclusive time of the datapath functions"
				for (i = 1; i <= n; i++) if (sym[i] ~ funcs && incl[i] > 0)
					printf "%6.2f%%  %s\n", 100 * incl[i] / total, sym[i]
			}' "$tmp/rep"
		for sym in $CALLERS; do
			echo "--- cpu$c: callers of $sym"
			perf report -i "$tmp/perf.data" --stdio --no-children --cpu $c -S "$sym" \
				-g caller,2,callee,function,percent 2>/dev/null | grep -v '^#' | grep . | head -40
		done
	done
	teardown
done
