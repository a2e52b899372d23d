#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# test.sh [-k LANE] [-c DIR]: the dissector against real traffic (make
# check-dissector). In the test VM (vm.sh -m run, under the VM lock),
# capture.sh captures every suite over IPv4 and IPv6 from two senders,
# malformed datagrams, and traffic with the module's proto=200; here,
# tshark with pc5sec.lua must show for each datagram exactly what its
# sender used, as the tool reported it in the guest (pc5sec show -j before
# and after sending), and the expert info each malformed datagram calls
# for, and none elsewhere.
#   -k LANE  the test kernel (default 6.1); build the module, tool and
#            selftests for it first (make check-dissector does)
#   -c DIR   no VM: dissect the captures kept in DIR (a run's
#            build/dissector/cap) again
# Output is KTAP; exit 0 only if every case passed. The captures and what
# tshark printed are kept in build/dissector.
set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
lua=$top/tools/wireshark/pc5sec.lua
lane=6.1 cap=
while getopts "k:c:" opt; do
	case "$opt" in
	k) lane=$OPTARG ;;
	c) cap=$(cd "$OPTARG" && pwd) ;;
	*) exit 2 ;;
	esac
done
command -v tshark >/dev/null || { echo "test.sh: tshark not found (make deps)" >&2; exit 1; }

work=$top/build/dissector
if [ -z "$cap" ]; then
	rm -rf "$work"
	mkdir -p "$work/share" "$work/cap"
	cp "$top/tools/wireshark/capture.sh" "$work/share/"
	# One VM at a time on this machine: others' runs take the same lock.
	flock /tmp/pc5sec-vm.lock "$top/selftests/qemu/vm.sh" -k "$lane" -m run \
		-s "$work/share" -o "$work/serial.txt" -e PC5SEC_CLEAN_LOG=1 -c "bash /mnt/share/capture.sh"
	rc=$?
	[ "$rc" = 0 ] || { echo "test.sh: the guest's capture failed ($rc)" >&2; exit 1; }
	sed -n '/^PC5SEC-DISSECTOR-BEGIN$/,/^PC5SEC-DISSECTOR-END$/{//!p}' "$work/serial.txt" |
		base64 -d | tar -xzf - -C "$work/cap" ||
		{ echo "test.sh: no captures from the guest" >&2; exit 1; }
	cap=$work/cap
fi
mkdir -p "$work"

# The suites' numbers, from the uapi header (enum pc5sec_suite): the name
# the tool prints (eea2, aes-gcm-128) is the constant's, lower case, with
# dashes. The ICV is PC5SEC_ICV_LEN for the AEAD suite, none for the rest
# (spec section 4).
uapi=$top/uapi/linux/pc5sec.h
suites=$(sed -n 's/^\tPC5SEC_SUITE_\([A-Z0-9_]*\) = \([0-9]*\),.*/\1 \2/p' "$uapi" |
	tr 'A-Z_' 'a-z-')
icv_aead=$(sed -n 's/^#define PC5SEC_ICV_LEN[[:space:]]*\([0-9]*\).*/\1/p' "$uapi")
suites_json=$(printf '%s\n' "$suites" | jq -Rn '[inputs | split(" ") | {(.[0]): (.[1] | tonumber)}] | add')

n=0 failed=0
ok() {
	n=$((n + 1))
	echo "ok $n $*"
}
not_ok() {
	n=$((n + 1)) failed=$((failed + 1))
	echo "not ok $n $*"
}
# check DESC CMD...: a case; CMD's output as "# " lines.
check() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/# /'
		ok "$desc"
	else
		[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/# /'
		not_ok "$desc"
	fi
}

# tshark with the tree's dissector, and an empty home: no personal
# preferences or plugins of whoever runs the test.
ts() {
	HOME=$work/home tshark -n -X "lua_script:$lua" "$@" 2>>"$work/tshark.err"
}

HDR_FIELDS=(-e ip.dst -e ipv6.dst -e pc5sec.version -e pc5sec.suite -e pc5sec.next_header
	-e pc5sec.pgk_index -e pc5sec.member_id -e pc5sec.ptk_id -e pc5sec.counter
	-e pc5sec.ciphertext_len -e pc5sec.icv_len)
EXPERTS="malformed.short malformed.version malformed.suite malformed.icv malformed.ciphertext counter_zero"
EXPERT_FIELDS=()
for x in $EXPERTS; do EXPERT_FIELDS+=(-e "pc5sec.$x"); done

# dissect PCAP OUT [TSHARK ARGS...]: one line a pc5sec datagram: its
# destination, the header fields, the lengths, then the expert infos it got
# ("none" if none), tab-separated.
dissect() {
	local pcap=$1 out=$2
	shift 2
	ts "$@" -r "$pcap" -Y pc5sec -T fields -E separator=/t -E occurrence=f \
		"${HDR_FIELDS[@]}" "${EXPERT_FIELDS[@]}" |
		awk -F'\t' -v OFS='\t' -v names="$EXPERTS" '
			BEGIN { k = split(names, x, " ") }
			{
				e = ""
				for (i = 1; i <= k; i++)
					if ($(11 + i) != "") e = e (e == "" ? "" : ",") x[i]
				print $1 $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, (e == "" ? "none" : e)
			}' >"$out"
}

# expected TRUTH: the lines dissect must print for the senders in TRUTH,
# in the order they sent: each sender's counters from the one after what
# the tool reported before it sent to the one it reported after, with the
# PTK ID it reported; the ciphertext as long as the plaintext (UDP header
# and payload). A sender whose reports do not add up fails here.
expected() {
	jq -r --argjson suites "$suites_json" --argjson icv "$icv_aead" '
		if .ptk_before != .ptk_after or .ctr_after - .ctr_before != .sent then
			error("ue\(.ue) \(.address): the tool reported PTK ID \(.ptk_before) counter \(.ctr_before) before, \(.ptk_after) \(.ctr_after) after sending \(.sent)")
		else . end |
		. as $s | range($s.ctr_before + 1; $s.ctr_after + 1) |
		[$s.address, "1", ($suites[$s.suite] | tostring), "17", ($s.index | tostring),
		 ($s.member_id | tostring), ($s.ptk_after | tostring), tostring,
		 ($s.size + 8 | tostring), (if $s.suite == "aes-gcm-128" then $icv else 0 end | tostring),
		 "none"] | join("\t")' "$1" |
		awk -F'\t' -v OFS='\t' '{ $6 = sprintf("0x%06x", $6); $7 = sprintf("0x%04x", $7); print }'
}

# same WANT GOT: the two files are equal; else their diff.
same() {
	[ -s "$1" ] || { echo "nothing expected: no ground truth"; return 1; }
	diff -u --label expected --label dissected "$1" "$2" && echo "$(wc -l <"$2") datagrams"
}

echo "TAP version 13"
# An installed pc5sec.lua (make -C tools install) would load first, and
# Wireshark refuses a second protocol pc5sec: this tests the tree's file.
mkdir -p "$work/home"
installed=$(HOME=$work/home tshark -G plugins 2>/dev/null | awk -F'\t' '$1 == "pc5sec.lua" { print $NF }')
[ -z "$installed" ] || { echo "Bail out! $installed is installed: remove it to test $lua"; exit 1; }
[ -s "$cap/truth.jsonl" ] && [ -s "$cap/truth200.jsonl" ] && [ -s "$cap/main.pcap" ] && [ -s "$cap/proto200.pcap" ] ||
	{ echo "Bail out! no captures in $cap"; exit 1; }
: >"$work/tshark.err"

dissect "$cap/main.pcap" "$work/main.txt"
grep -Ev $'^(239\\.18\\.0\\.99|ff05::18:99)\t' "$work/main.txt" >"$work/main-senders.txt"
grep -E $'^(239\\.18\\.0\\.99|ff05::18:99)\t' "$work/main.txt" >"$work/main-forged.txt"
expected "$cap/truth.jsonl" >"$work/main-expected.txt"

# Per suite and IP version: the senders' datagrams, field by field.
for fam in 4 6; do
	for suite in $(printf '%s\n' "$suites" | cut -d' ' -f1); do
		jq -c --arg f "$fam" --arg s "$suite" 'select(.fam == $f and .suite == $s)' \
			"$cap/truth.jsonl" >"$work/truth-$fam-$suite.jsonl"
		if [ ! -s "$work/truth-$fam-$suite.jsonl" ]; then
			not_ok "IPv$fam $suite: no sender in the capture's ground truth"
			continue
		fi
		addr=$(jq -r .address "$work/truth-$fam-$suite.jsonl" | head -n 1)
		expected "$work/truth-$fam-$suite.jsonl" >"$work/want-$fam-$suite.txt"
		grep -F "$addr"$'\t' "$work/main-senders.txt" >"$work/got-$fam-$suite.txt"
		check "IPv$fam $suite: two senders' member ID, PTK ID, counters, suite, PGK index, lengths as the tool reported" \
			same "$work/want-$fam-$suite.txt" "$work/got-$fam-$suite.txt"
	done
done

check "every sender's datagram, in the order sent, and nothing else" \
	same "$work/main-expected.txt" "$work/main-senders.txt"

# The forged datagrams: the expert info each must get, in the order sent.
forged_check() {
	awk -F'\t' '{ print ($1 ~ /:/ ? 6 : 4), $11 }' "$work/main-forged.txt" >"$work/forged-got.txt"
	diff -u --label expected --label dissected "$cap/forged.txt" "$work/forged-got.txt" &&
		echo "$(wc -l <"$work/forged-got.txt") forged datagrams"
}
check "malformed and truncated datagrams: an expert warning each, of the right kind" forged_check

# Expert infos counted over the whole capture: malformed ones only on the
# malformed datagrams, and none anywhere else.
expert_count() {
	local want got all
	want=$(grep -c ' malformed\.' "$cap/forged.txt")
	got=$(ts -r "$cap/main.pcap" -Y '_ws.expert.group == 0x07000000 && pc5sec' | wc -l)
	all=$(ts -r "$cap/main.pcap" -Y '_ws.expert' | wc -l)
	echo "malformed: $got (want $want); any expert info: $all (want $((want + 1)), with counter 0)"
	[ "$got" = "$want" ] && [ "$all" = $((want + 1)) ]
}
check "expert warnings (Malformed) counted: exactly one per malformed datagram" expert_count

# Without reassembly, each of ue2's fragmented datagrams shows its header
# on its first fragment, marked partial, with no ICV and no expert info.
unreassembled() {
	local frags partial all
	frags=$(ts -r "$cap/main.pcap" -Y '(ip.flags.mf == 1 && ip.frag_offset == 0) ||
		(ipv6.fraghdr.more == 1 && ipv6.fraghdr.offset == 0)' | wc -l)
	partial=$(ts -o ip.defragment:FALSE -o ipv6.defragment:FALSE -r "$cap/main.pcap" \
		-Y 'pc5sec && !pc5sec.icv_len && !_ws.expert' | grep -c '\[partial\]')
	all=$(ts -o ip.defragment:FALSE -o ipv6.defragment:FALSE -r "$cap/main.pcap" -Y '_ws.expert' | wc -l)
	echo "first fragments: $frags; shown partial, no ICV, no expert info: $partial; expert infos: $all"
	[ "$frags" -gt 0 ] && [ "$partial" = "$frags" ] &&
		[ "$all" = "$(ts -r "$cap/main.pcap" -Y '_ws.expert' | wc -l)" ]
}
check "without reassembly, first fragments show the header only, marked partial, not malformed" unreassembled

# The text tshark prints: the info column, no Lua error, nothing
# malformed beyond what pc5sec reports.
summary_check() {
	local first want
	ts -r "$cap/main.pcap" >"$work/main-summary.txt"
	first=$(head -n 1 "$work/main-expected.txt")
	want=$(awk -F'\t' '{ printf "pc5sec member %s ptk %s ctr %s (", $6, $7, $8 }' <<<"$first")
	grep -F "$want" "$work/main-summary.txt" | head -n 1
	grep -qF "$want" "$work/main-summary.txt" || fail_msg "no info column '$want...'" || return
	! grep -E 'Lua Error|Malformed Packet' "$work/main-summary.txt" ||
		fail_msg "tshark reported a Lua error or a malformed packet" || return
	! grep -v 'Running as user "root"' "$work/tshark.err" || fail_msg "tshark wrote to stderr"
}
fail_msg() {
	echo "$*"
	return 1
}
check "info column 'pc5sec member ... ptk ... ctr N', no Lua errors" summary_check

# proto=200: the datagrams under the preference, none without it; and
# with the preference, nothing on 253.
dissect "$cap/proto200.pcap" "$work/proto200.txt" -o pc5sec.proto:200
expected "$cap/truth200.jsonl" >"$work/proto200-expected.txt"
check "proto=200 with -o pc5sec.proto:200: each datagram as the tool reported" \
	same "$work/proto200-expected.txt" "$work/proto200.txt"
pref_moves() {
	local a b c
	a=$(ts -r "$cap/proto200.pcap" -Y pc5sec | wc -l)
	b=$(ts -r "$cap/proto200.pcap" -Y 'ip.proto == 200 || ipv6.nxt == 200' | wc -l)
	c=$(ts -o pc5sec.proto:200 -r "$cap/main.pcap" -Y pc5sec | wc -l)
	echo "default preference: $a pc5sec of $b protocol-200 frames; proto:200 on the 253 capture: $c"
	[ "$a" = 0 ] && [ "$b" -gt 0 ] && [ "$c" = 0 ]
}
check "the preference moves the dissector: not on 200 by default, not on 253 with proto:200" pref_moves

echo "1..$n"
echo "# Totals: pass:$((n - failed)) fail:$failed"
# The last line, as make check's: .ci/run sums them.
echo "$((n - failed)) passed, $failed failed"
[ "$failed" = 0 ]
