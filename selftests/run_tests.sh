#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run_tests.sh TEST...: runs pc5sec selftests the way kselftest's runner
# does (TAP header, one result line per test program, each program's own
# KTAP indented as "# " comments) and sums the programs' test cases.
# With PC5SEC_RESULTS set, writes "PASS FAIL SKIP" case counts there.
# Exit status: 0 if no test failed.
cd "$(dirname "${BASH_SOURCE[0]}")" || exit 1
timeout=${PC5SEC_TEST_TIMEOUT:-600}
pass=0 fail=0 skip=0 n=0

echo "TAP version 13"
echo "1..$#"
for t in "$@"; do
	n=$((n + 1))
	log=$(mktemp)
	start=$(date +%s)
	echo "# selftests: pc5sec: $t"
	timeout "$timeout" "./$t" 2>&1 </dev/null | tee "$log" |
		while IFS= read -r l; do echo "# $l"; done
	rc=${PIPESTATUS[0]}
	secs=$(($(date +%s) - start))
	p=$(grep -cE '^ok [0-9]+' "$log")
	s=$(grep -cE '^ok [0-9]+.*# (SKIP|skip)' "$log")
	f=$(grep -cE '^not ok [0-9]+' "$log")
	p=$((p - s))
	# A case the plan counts that never reported (the test ended early) fails.
	planned=$(grep -m 1 -oE '^1\.\.[0-9]+' "$log")
	planned=${planned#1..}
	missing=$((${planned:-0} - p - f - s))
	rm -f "$log"
	if [ "$missing" -gt 0 ]; then
		echo "# $t: planned $planned cases, $missing never reported"
		f=$((f + missing))
		[ "$rc" = 0 ] || [ "$rc" = 4 ] && rc=1
	fi
	case "$rc" in
	0)
		[ $((p + f + s)) = 0 ] && p=1
		echo "ok $n selftests: pc5sec: $t (${secs}s)"
		;;
	4)
		[ $((p + f + s)) = 0 ] && s=1
		echo "ok $n selftests: pc5sec: $t # SKIP (${secs}s)"
		;;
	*)
		# A crash, a timeout or a bail-out counts even without a "not ok".
		[ "$f" = 0 ] && f=1
		[ "$rc" = 124 ] && echo "# $t: timed out after ${timeout}s"
		echo "not ok $n selftests: pc5sec: $t # exit=$rc (${secs}s)"
		;;
	esac
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
done
echo "# pc5sec selftests: $pass passed, $fail failed, $skip skipped"
[ -n "${PC5SEC_RESULTS:-}" ] && echo "$pass $fail $skip" >"$PC5SEC_RESULTS"
[ "$fail" = 0 ]
