#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 128-EEA1 and 128-EEA3 in the crypto API (module pc5sec_eea): the
# self-test at load, the algorithms in /proc/crypto, the 3GPP test sets
# again from userspace through AF_ALG, and loading on demand when a key
# of suite eea1 or eea3 is installed.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ktap_start pc5sec eea_af_alg

modinfo pc5sec_eea >/dev/null 2>&1 || ktap_skip_all "pc5sec_eea module not installed"

tmp=$(mktemp -d)
cleanup() {
	pc5sec group del 239.9.9.9 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

load_selftest() {
	local out
	[ -d /sys/module/pc5sec ] && module_unload
	[ -d /sys/module/pc5sec_eea ] && { rmmod pc5sec_eea || return; }
	dmesg_mark
	modprobe pc5sec_eea || fail "modprobe pc5sec_eea failed" || return
	out=$(dmesg | tail -n +"$((dmesg_lines + 1))" | grep 'pc5sec_eea:')
	echo "$out"
	grep -q 'eea1-generic: self-test passed (6 3GPP test sets), registered' <<<"$out" &&
		grep -q 'eea3-generic: self-test passed (5 3GPP test sets), registered' <<<"$out" ||
		fail "no passed self-test in the kernel log"
}
ktap_case "pc5sec_eea: self-tests against the 3GPP test sets pass at load" load_selftest

proc_crypto() {
	local alg
	for alg in eea1 eea3; do
		awk -v a="$alg" '
			/^name/ { name = $3 } /^driver/ { drv = $3 } /^module/ { mod = $3 }
			/^type/ { if (name == a && drv == a "-generic" && mod == "pc5sec_eea" &&
				      $3 == "skcipher") ok = 1 }
			/^ivsize/ { if (ok && $3 == 16) iv = 1 }
			END { exit !(ok && iv) }' /proc/crypto ||
			fail "$alg: no skcipher $alg-generic with a 16-octet IV in /proc/crypto" || return
	done
}
ktap_case "/proc/crypto: skciphers eea1-generic and eea3-generic, 16-octet IV" proc_crypto

ktap_case "AF_ALG: 128-EEA1 test sets 1-6, both directions, bit-exact" eea_af_alg eea1
ktap_case "AF_ALG: 128-EEA3 test sets 1-5, both directions, bit-exact" eea_af_alg eea3

# Installing a key of suite eea3 loads pc5sec_eea through the crypto API.
on_demand() {
	pc5sec genkey >"$tmp/pgk" || return
	rmmod pc5sec_eea || return
	module_load || return
	pc5sec group add 239.9.9.9 group-id 0x99 member-id 0x1 || return
	pc5sec key add 239.9.9.9 pgk-id 1 suite eea3 key-file "$tmp/pgk" tx-ptk-id 1 ||
		fail "key add suite eea3 failed" || return
	[ -d /sys/module/pc5sec_eea ] || fail "pc5sec_eea was not loaded" || return
	pc5sec key add 239.9.9.9 pgk-id 2 suite eea1 key-file "$tmp/pgk" tx-ptk-id 1 ||
		fail "key add suite eea1 failed" || return
	pc5sec show 239.9.9.9
	pc5sec group del 239.9.9.9
}
ktap_case "a key of suite eea3 or eea1 loads pc5sec_eea on demand" on_demand

ktap_run
