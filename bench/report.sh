#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# report.sh -r RAW.jsonl -o RESULTS.json   aggregates bench/run.sh's raw
#                                          records, then prints the table
# report.sh [RESULTS.json]                 prints the table of a results
#                                          file (default bench/results.json)
#
# The shape of RESULTS.json is in README.md, "Benchmark". Needs jq.
set -euo pipefail

raw= out=
while getopts "r:o:" opt; do
	case "$opt" in
	r) raw=$OPTARG ;;
	o) out=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
results=${1:-$(dirname "$0")/results.json}

if [ -n "$raw" ]; then
	[ -n "$out" ] || { echo "report.sh: -r needs -o" >&2; exit 2; }
	if [ ! -s "$raw" ]; then
		echo "report.sh: no measurements came back from the VM ($raw is empty)" >&2
		exit 1
	fi
	# Lines the guest did not finish writing (a crash) are dropped.
	jq -R -s '
	def stat: sort | if length == 0 then null
		else { median: (if length % 2 == 1 then .[length / 2 | floor]
				else (.[length / 2 - 1] + .[length / 2]) / 2 end),
			min: .[0], max: .[-1] } end;
	def r($n): if . == null then null else (. * $n | round) / $n end;
	def rstat($n): if . == null then null else map_values(r($n)) end;
	def sat: { rx_pps: (.sat.received * 1e9 / .sat.elapsed_ns),
		rx_mbps: (.sat.bytes * 8 * 1e3 / .sat.elapsed_ns),
		loss_pct: (if .sat.sent > 0 then ([0, 100 * (1 - .sat.received / .sat.sent)] | max)
			else null end) };
	def metrics: {
		rx_mbps: (map(.rx_mbps) | stat | rstat(10)),
		rx_pps: (map(.rx_pps) | stat | rstat(1)),
		loss_pct: (map(.loss_pct) | stat | rstat(100)),
		cpu_ns_per_pkt: (map(.cpu_ns_per_pkt) | if any(. == null) then null
			else stat | rstat(1) end) };
	[split("\n")[] | select(length > 0) | (try fromjson catch empty)] as $all |
	($all | map(select(.kind == "info" and .mode == null)) | last // {}) as $info |
	# Throughput: one object per (mode, payload), in the order measured.
	[ $all | map(select(.kind == "throughput")) as $t |
	  ($t | map([.mode, .payload]) | reduce .[] as $k ([]; if index([$k]) then . else . + [$k] end))[] as $k |
	  ($t | map(select(.mode == $k[0] and .payload == $k[1]))) as $rs |
	  ($rs | map(select(.status == "ok") | {round} + sat +
		{ cpu_ns_per_pkt: (if .cpu.received > 0 then .cpu.busy_ns / .cpu.received else null end),
		  cpu_offered_pps: .cpu.pps,
		  cpu_point_loss_pct: (if .cpu.sent > 0 then ([0, 100 * (1 - .cpu.received / .cpu.sent)] | max)
			else null end) })) as $ok |
	  { kind: "throughput", mode: $k[0], payload: $k[1],
	    status: (if ($ok | length) > 0 then "ok"
		elif any($rs[]; .status == "unavailable") then "unavailable" else "failed" end),
	    rounds: ($ok | length), failed_rounds: ($rs | map(select(.status == "failed")) | length) }
	  + ($ok | metrics)
	  + { cpu_point_loss_pct: ($ok | map(.cpu_point_loss_pct) | stat | rstat(100)) }
	  + (if ($ok | length) == 0 then { reason: ($rs | last | .reason) } else {} end)
	  + { samples: ($ok | map(.rx_mbps |= r(10) | .rx_pps |= r(1) | .loss_pct |= r(100) |
		.cpu_ns_per_pkt |= r(1) | .cpu_point_loss_pct |= r(100))) } ]
	+
	# Key install rates.
	[ $all | map(select(.kind == "key_install")) | group_by(.mode)[] |
	  { kind: "key_install", mode: .[0].mode, keys: .[0].keys, rounds: length,
	    keys_per_s: (map(.keys * 1e9 / .elapsed_ns) | stat | rstat(10)),
	    samples: map({ round, keys, keys_per_s: (.keys * 1e9 / .elapsed_ns | r(10)) }) } ]
	+
	# Scale: pc5sec at 1400 B with 1 vs many groups, 1 vs many senders.
	[ $all | map(select(.kind == "scale")) as $s |
	  ($s | map(.mode) | reduce .[] as $k ([]; if index([$k]) then . else . + [$k] end))[] as $m |
	  ($s | map(select(.mode == $m))) as $rs |
	  ($rs | map({ round } + sat)) as $ok |
	  { kind: "scale", mode: $m, suite: $rs[0].suite, payload: $rs[0].payload,
	    senders: ($rs[0].sat.senders // 1), rounds: ($ok | length) }
	  + ($ok | metrics | del(.cpu_ns_per_pkt))
	  + { samples: ($ok | map(.rx_mbps |= r(10) | .rx_pps |= r(1) | .loss_pct |= r(100))) } ]
	+
	# Forged datagrams: the busy time per datagram beyond the idle VM.
	[ $all | map(select(.kind == "forged")) as $f |
	  ($f | map([.mode, .suite]) | reduce .[] as $k ([]; if index([$k]) then . else . + [$k] end))[] as $k |
	  ($f | map(select(.mode == $k[0] and .suite == $k[1]))) as $rs |
	  { kind: "forged", mode: $k[0], suite: $k[1], forged: $rs[0].forged, rounds: ($rs | length),
	    ns_per_forged: ($rs | map((.busy_ns - .idle_busy_ns) / .forged) | stat | rstat(1)),
	    forged_pps: ($rs | map(.forged * 1e9 / (.forge_ns // .elapsed_ns)) | stat | rstat(1)),
	    tried_pct: ($rs | map(100 * .auth_failed / .forged) | stat | rstat(100)),
	    real_delivered_pct: (if $rs[0].real_sent > 0 then
		$rs | map(100 * .real_received / .real_sent) | stat | rstat(100) else null end),
	    samples: $rs | map(del(.kind, .mode, .suite)) } ]
	+
	[ { kind: "info" } + ($info | del(.kind)) +
	  { crypto_in_use: ($all | map(select(.kind == "info" and .mode != null) |
		{ (.mode): (.crypto_in_use | map(.driver)) }) | add) } ]
	' "$raw" >"$out.tmp"
	mv "$out.tmp" "$out"
	results=$out
fi

[ -s "$results" ] || { echo "report.sh: $results: no results" >&2; exit 1; }

jq -r '
def f0: if . == null then "-" else (. | round | tostring) end;
def f1: if . == null then "-" else ((. * 10 | round) / 10 | tostring) end;
def f2: if . == null then "-" else ((. * 100 | round) / 100 | tostring) end;
def pad($n): tostring | if length >= $n then . else (" " * ($n - length)) + . end;
def lpad($n): tostring | if length >= $n then . else . + (" " * ($n - length)) end;
def range3(f): if . == null then "-" else "\(.median | f) [\(.min | f)-\(.max | f)]" end;
def ratio($a; $b): if $a == null or $b == null or $b == 0 then null else $a / $b end;
def fr: if . == null then "-" else (. * 100 | round) as $c |
	"\($c / 100 | floor).\($c % 100 | tostring | if length < 2 then "0" + . else . end)x" end;
. as $all |
(map(select(.kind == "info")) | first // {}) as $info |
[ .[] | select(.kind == "throughput") ] as $t |
def med($m; $p; $k): ($t | map(select(.mode == $m and .payload == $p and .status == "ok"))
	| first | .[$k].median?) // null;
def smed($m): ($all | map(select(.kind == "scale" and .mode == $m)) | first | .rx_pps.median?) // null;
def line($name; $v; $target):
	"  \($name | lpad(44)) \($v | fr | pad(7))  \(if $v == null then "n/a"
		elif $v >= $target then "met" else "MISSED" end)";

"Throughput at saturation (UDP payload Mbit/s and datagrams/s delivered to the",
"receiving socket), loss, and CPU time of the whole VM per delivered datagram at",
"\($info.cpu_pps // "?") datagrams/s offered: median [min-max] of \($info.rounds // "?") rounds.",
"x ESP / x plain: throughput (pps) relative to esp-gcm / plain, higher is better;",
"cpu/ESP, cpu/plain: CPU time per datagram relative to them, lower is better.",
"!: the mode lost over 1% at the fixed load (it is not below its saturation).",
"",
"\("mode" | lpad(12)) \("bytes" | pad(5)) \("Mbit/s" | pad(22)) \("pps" | pad(20)) \("loss%" | pad(6)) \("ns/pkt" | pad(24)) \("x ESP" | pad(6)) \("x plain" | pad(7)) \("cpu/ESP" | pad(7)) \("cpu/plain" | pad(9))",
( $t | map(.payload) | unique[] as $p |
  ( $t | map(select(.payload == $p))[] |
    if .status != "ok" then
      "\(.mode | lpad(12)) \($p | pad(5))  \(.status): \(.reason // "" | .[0:100])"
    else
      "\(.mode | lpad(12)) \($p | pad(5)) \(.rx_mbps | range3(f1) | pad(22)) \(.rx_pps | range3(f0) | pad(20)) \(.loss_pct.median | f2 | pad(6)) \(.cpu_ns_per_pkt | range3(f0) | pad(23))\(if (.cpu_point_loss_pct.median // 0) > 1 then "!" else " " end) \(ratio(.rx_pps.median; med("esp-gcm"; $p; "rx_pps")) | fr | pad(6)) \(ratio(.rx_pps.median; med("plain"; $p; "rx_pps")) | fr | pad(7)) \(ratio(.cpu_ns_per_pkt.median; med("esp-gcm"; $p; "cpu_ns_per_pkt")) | fr | pad(7)) \(ratio(.cpu_ns_per_pkt.median; med("plain"; $p; "cpu_ns_per_pkt")) | fr | pad(9))"
    end ), "" ),
( [ .[] | select(.kind == "key_install") ] | if length > 0 then
  "Key install rate (aes-gcm-128, keys/s, median [min-max]):",
  (.[] | "  \(if .mode == "cli" then "one pc5sec process per key" else "one netlink batch (pc5sec -b)" end | lpad(30)) \(.keys_per_s | range3(f1)) (\(.keys) keys)"), ""
  else empty end ),
( [ .[] | select(.kind == "scale") ] | if length > 0 then
  "Scale (pc5sec \(map(select(.suite != "plain")) | first | .suite), \(.[0].payload) B, saturation; plain-: in clear):",
  (.[] | "  \(.mode | lpad(14)) \(.rx_pps | range3(f0) | pad(22)) pps  \(.rx_mbps.median | f1) Mbit/s  loss \(.loss_pct.median | f2)%"), ""
  else empty end ),
( [ .[] | select(.kind == "forged") ] | if length > 0 then . as $f |
  def fmed($m; $s): ($f | map(select(.mode == $m and .suite == $s)) | first | .ns_per_forged.median?) // null;
  "Forged datagrams (no PGK) at the receiver: busy time of its CPU per datagram (the",
  "whole receive path, softirq and the key worker), median [min-max]; x auth:",
  "relative to forged-auth (the cipher fails); tried: the forged datagrams that got",
  "a trial (the rest were dropped beyond the key budget):",
  (.[] | "  \(.mode | lpad(13)) \(.suite | lpad(12)) \(.ns_per_forged | range3(f0) | pad(22)) ns  \(ratio(.ns_per_forged.median; fmed("forged-auth"; .suite)) | fr | pad(6)) x auth  \(.forged_pps.median | f0) /s\(if .mode == "forged-flood" then "  tried \(.tried_pct.median | f2)%" else "" end)\(if .real_delivered_pct != null then "  real sender: \(.real_delivered_pct.median | f2)% delivered" else "" end)"), ""
  else empty end ),
"Targets (throughput ratios of the medians; reported, not asserted):",
( $t | map(.payload) | unique[] as $p |
  line("eea0 >= 0.9x plain @\($p)"; ratio(med("eea0"; $p; "rx_pps"); med("plain"; $p; "rx_pps")); 0.9) ),
line("aes-gcm-128 >= 1.25x esp-gcm @1400"; ratio(med("aes-gcm-128"; 1400; "rx_pps"); med("esp-gcm"; 1400; "rx_pps")); 1.25),
line("aes-gcm-128 >= 1.5x esp-gcm @64"; ratio(med("aes-gcm-128"; 64; "rx_pps"); med("esp-gcm"; 64; "rx_pps")); 1.5),
( $t | map(.payload) | unique[] as $p |
  line("aes-gcm-128 >= 1x macsec @\($p)"; ratio(med("aes-gcm-128"; $p; "rx_pps"); med("macsec"; $p; "rx_pps")); 1) ),
( $t | map(.payload) | unique[] as $p |
  line("eea2 >= 1.2x esp-ctr @\($p)"; ratio(med("eea2"; $p; "rx_pps"); med("esp-ctr"; $p; "rx_pps")); 1.2) ),
( [ .[] | select(.kind == "scale" and (.mode | startswith("groups-")) and .mode != "groups-1") ][] |
  line("\(.mode) >= 0.95x groups-1"; ratio(.rx_pps.median; smed("groups-1")); 0.95) ),
( [ .[] | select(.kind == "scale" and (.mode | startswith("senders-")) and .mode != "senders-1") ][] |
  line("\(.mode) >= 0.9x senders-1"; ratio(.rx_pps.median; smed("senders-1")); 0.9) ),
( [ .[] | select(.kind == "scale" and (.mode | startswith("plain-senders-")) and .mode != "plain-senders-1") ][] |
  "  \("(in clear: \(.mode) / plain-senders-1" | lpad(44)) \(ratio(.rx_pps.median; smed("plain-senders-1")) | fr | pad(7)))" ),
"",
"Crypto drivers in use per mode (/proc/crypto, refcnt > 1):",
( ($info.crypto_in_use // {}) | to_entries[] | "  \(.key | lpad(12)) \(.value | join(", ") | if . == "" then "-" else . end)" )
' "$results"
