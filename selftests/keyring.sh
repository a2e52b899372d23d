#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# PGKs from the kernel's keyrings: a "logon" key loaded with keyctl and
# installed with key add ... key-keyring reaches the datapath, is never
# readable back, reports its description and the same check value as the
# PGK from a file; revoking or expiring the logon key leaves the installed
# key alone but refuses new installs; every bad request is refused with a
# message. On a kernel without keyrings (CONFIG_KEYS: the debug lane's),
# key-keyring must be refused with EOPNOTSUPP, and the rest is skipped.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ktap_start pc5sec keyctl jq mcast_send mcast_recv nl_raw key_check

tmp=$(mktemp -d)
chmod 700 "$tmp"
ALL=$tmp/all-output		# every output of pc5sec, searched for key bytes
PORT=6100
GROUP_ID=0x99
G4=239.6.6.1
G6=ff0e::6:1
DESC=pc5sec:ks-$$
# A fixed PGK, 00 01 .. 1f, and its check value, computed on the host with
# python3 -c 'import hmac; print(hmac.new(bytes(range(32)),
# b"pc5sec key check value", "sha256").hexdigest()[:16])'
PGK_HEX=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
PGK_CHECK=de732d6271244743

# The test's logon keys out of the user keyring (revoked ones cannot be
# described: the kernel collects them).
cleanup() {
	local id
	topo_destroy
	for id in $(keyctl rlist @u 2>/dev/null); do
		keyctl rdescribe "$id" 2>/dev/null | grep -Eq "^logon;.*;($DESC|other:ks-$$)" &&
			keyctl unlink "$id" @u >/dev/null 2>&1
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

member() {
	printf '0x%06x' $((0x2000 + $1))
}

# raw HEX: the octets of HEX on stdout.
raw() {
	local hex=$1 i
	for ((i = 0; i < ${#hex}; i += 2)); do
		printf "\\x${hex:i:2}"
	done
}

# p UE ARGS...: pc5sec in UE, its output kept (for the key bytes check) and printed.
p() {
	kept "$ALL" pc "$@"
}

# refused UE PATTERN ARGS...: pc5sec ARGS in UE fails with a message
# matching PATTERN, and the UE's configuration is what it was.
refused() {
	local i=$1 pat=$2 before after out
	shift 2
	before=$(pc "$i" show -j)
	if out=$(p "$i" "$@"); then
		fail "accepted: pc5sec $*"
		return
	fi
	echo "$out"
	after=$(pc "$i" show -j)
	[ "$before" = "$after" ] || fail "the refused request changed the configuration" || return
	grep -Eq -- "$pat" <<<"$out" || fail "no message matching '$pat'"
}

# traffic FROM TO GROUP: 5 datagrams from UE FROM reach UE TO, decrypted.
traffic() {
	local from=$1 to=$2 g=$3
	recv_bg "r$to" "$to" "$g" -n 5 -V -s 100 || return
	send "$from" "$g" -s 100 -n 5 -r 200 || return
	recv_ok "r$to"
}

# key_json UE GROUP: the group's first key as ue's show -j reports it.
key_json() {
	pc "$1" show "$2" -j | jq -c '.groups[0].keys[0]'
}

module_loaded && module_unload
module_load || ktap_bail_out "cannot load the module"
echo "$PGK_HEX" >"$tmp/pgk"
chmod 600 "$tmp/pgk"
raw "$PGK_HEX" >"$tmp/pgk.bin"
topo_create 2 || ktap_bail_out "cannot build the PC5 link"

# Without keyrings in the kernel (no /proc/keys), key-keyring is refused.
if [ ! -e /proc/keys ] && ! keyctl show @u >/dev/null 2>&1; then
	no_keys() {
		pc 1 group add $G4 group-id $GROUP_ID member-id "$(member 1)" || return
		refused 1 'keyrings|CONFIG_KEYS' key add $G4 pgk-id 0x101 suite eea2 \
			key-keyring "$DESC"
	}
	ktap_case "without CONFIG_KEYS, key-keyring is refused with a message" no_keys
	ktap_case_skip "the keyring cases" "this kernel has no keyrings (CONFIG_KEYS)"
	ktap_run
fi

# The logon key, in the user keyring: the tool's process has no session
# keyring of its own here, so the kernel searches the user session
# keyring, which links the user keyring.
# A step, not a case: the cases run in subshells, and later ones need $kid.
load() {
	kid=$(keyctl padd logon "$DESC" @u <"$tmp/pgk.bin" 2>"$tmp/padd.err")
}
loaded() {
	cat "$tmp/padd.err"
	[ -n "$kid" ] || fail "no key ID" || return
	echo "logon key $kid: $(keyctl rdescribe "$kid")"
}
ktap_step load
ktap_case "keyctl padd logon loads the PGK" loaded

provision_both() {
	local g=$1
	p 1 group add "$g" group-id $GROUP_ID member-id "$(member 1)" || return
	p 2 group add "$g" group-id $GROUP_ID member-id "$(member 2)" || return
	p 1 key add "$g" pgk-id 0x101 suite aes-gcm-128 key-keyring "$DESC" || return
	p 2 key add "$g" pgk-id 0x101 suite aes-gcm-128 key-file "$tmp/pgk" || return
}

datapath() {
	local g=$1
	provision_both "$g" || return
	traffic 1 2 "$g" || return
	traffic 2 1 "$g"
}
ktap_case "key-keyring on ue1, key-file on ue2: traffic decrypts both ways (IPv4)" datapath $G4
ktap_case "key-keyring on ue1, key-file on ue2: traffic decrypts both ways (IPv6)" datapath $G6

reported() {
	local k1 k2 kcv
	k1=$(key_json 1 $G4) && k2=$(key_json 2 $G4) || return
	echo "ue1: $k1"
	echo "ue2: $k2"
	jq -e --arg d "$DESC" --arg c "$PGK_CHECK" '.keyring == $d and .check == $c' <<<"$k1" \
		>/dev/null || fail "ue1 does not report the description and check $PGK_CHECK" || return
	jq -e --arg c "$PGK_CHECK" '.check == $c and (has("keyring") | not)' <<<"$k2" \
		>/dev/null || fail "ue2 does not report check $PGK_CHECK alone" || return
	p 1 show $G4 | grep -Eq "^    keyring $DESC check $PGK_CHECK\$" ||
		fail "the text show lacks 'keyring $DESC check $PGK_CHECK'" || return
	kcv=$(key_check <"$tmp/pgk") || return
	[ "$kcv" = "$PGK_CHECK" ] || fail "the tool's check value is $kcv"
}
ktap_case "show: the description, and the same check value as the file's and the tool's" reported

unreadable() {
	local c
	[ -n "$kid" ] || fail "no logon key" || return
	for c in print read pipe; do
		if keyctl "$c" "$kid" >"$tmp/read.out" 2>&1 && [ -s "$tmp/read.out" ]; then
			fail "keyctl $c read the logon key back"
			return
		fi
		echo "keyctl $c: $(head -c 200 "$tmp/read.out")"
		grep -qi "${PGK_HEX:8:16}" "$tmp/read.out" && fail "keyctl $c printed key bytes" && return
	done
	return 0
}
ktap_case "keyctl print, read and pipe cannot read the logon key back" unreadable

usage() {
	refused 1 'not both' key add $G4 pgk-id 0x202 suite eea2 key-file "$tmp/pgk" \
		key-keyring "$DESC" || return
	refused 1 'key-file or key-keyring' key add $G4 pgk-id 0x202 suite eea2 || return
	refused 1 'description' key add $G4 pgk-id 0x202 suite eea2 key-keyring ""
}
ktap_case "the tool refuses key-file with key-keyring, neither, an empty description" usage

missing() {
	refused 1 "no logon key with that description" key add $G4 pgk-id 0x202 suite eea2 \
		key-keyring "pc5sec:ks-none-$$"
}
ktap_case "a description no logon key has is refused (ENOKEY)" missing

# Another subsystem's logon key (dm-crypt's, say) is not a PGK.
foreign() {
	kid_foreign=$(raw "$PGK_HEX" | keyctl padd logon "other:ks-$$" @u) || return
	refused 1 'must start with "pc5sec:"' key add $G4 pgk-id 0x202 suite eea2 \
		key-keyring "other:ks-$$"
}
ktap_case "a logon key whose description does not start with pc5sec: is refused" foreign

short() {
	kid_short=$(raw "${PGK_HEX:0:62}" | keyctl padd logon "$DESC-short" @u) || return
	refused 1 "must hold 32 octets" key add $G4 pgk-id 0x202 suite eea2 \
		key-keyring "$DESC-short"
}
ktap_case "a logon key of 31 octets is refused" short

raw_nl() {
	local out bad
	out=$(ue 1 nl_raw $G4 pgk-and-keyring no-pgk keyring-empty keyring-long userdata-long \
		check-in)
	echo "$out"
	bad=$(grep -e ': accepted$' -e '(no message)$' <<<"$out")
	[ -z "$bad" ] || fail "accepted or refused without a message: $bad" || return
	[ "$(wc -l <<<"$out")" = 6 ] || fail "not every case ran" || return
	grep -q '^pgk-and-keyring: .*not both' <<<"$out" || fail "both PGK and KEYRING: wrong message"
}
ktap_case "the kernel refuses PGK with KEYRING, neither, bad KEYRING and USERDATA" raw_nl

revoked() {
	local after
	[ -n "$kid" ] || fail "no logon key" || return
	keyctl revoke "$kid" || return
	traffic 1 2 $G4 || return
	traffic 2 1 $G4 || return
	after=$(key_json 1 $G4) || return
	jq -e --arg d "$DESC" --arg c "$PGK_CHECK" '.keyring == $d and .check == $c' <<<"$after" \
		>/dev/null || fail "the installed key changed: $after" || return
	refused 1 "revoked or expired" key add $G4 pgk-id 0x202 suite eea2 key-keyring "$DESC"
}
ktap_case "revoked: the installed key stays and carries traffic, a new add is refused" revoked

expired() {
	local g=$G6
	kid_exp=$(keyctl padd logon "$DESC-exp" @u <"$tmp/pgk.bin") || return
	p 1 key add $g pgk-id 0x303 suite eea2 key-keyring "$DESC-exp" || return
	p 1 key del $g pgk-id 0x101 && p 2 key del $g pgk-id 0x101 || return
	p 2 key add $g pgk-id 0x303 suite eea2 key-file "$tmp/pgk" || return
	keyctl timeout "$kid_exp" 1 || return
	sleep 2
	traffic 1 2 $g || return
	traffic 2 1 $g || return
	pc 1 show $g -j | jq -e --arg d "$DESC-exp" '.groups[0].keys[0].keyring == $d' >/dev/null ||
		fail "the installed key is gone" || return
	# The search passes over expired keys: ENOKEY (or EKEYEXPIRED, had
	# it expired between the search and the check).
	refused 1 "revoked or expired|no logon key" key add $g pgk-id 0x404 suite eea2 \
		key-keyring "$DESC-exp"
}
ktap_case "expired: the installed key stays and carries traffic, a new add is refused" expired

no_key_bytes() {
	local up
	dmesg >>"$ALL"
	up=$(tr a-f A-F <<<"$PGK_HEX")
	if grep -qF -e "$PGK_HEX" -e "$up" -e "${PGK_HEX:16:16}" "$ALL"; then
		fail "key bytes found in the output"
		return
	fi
	echo "searched $(wc -l <"$ALL") lines of output"
}
ktap_case "no output of pc5sec carries the PGK's bytes" no_key_bytes

ktap_run
