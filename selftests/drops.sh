#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Each receive drop reason that a datagram can provoke, alone: for each,
# the datagram (forged, crafted, replayed or real), then the counters that
# moved at the receiver, in the namespace, on each group and on each key.
# Its own counter must have moved by the expected amount, where it is
# charged (the namespace, the group, or the group and the key), and no
# other counter at all.
#
# Not provoked here: rx_drop_error (an allocation or crypto error),
# rx_drop_sa_limit (a trial budget used up: only a flood does it, and the
# flood's trials count as auth failures too; attack.sh), rx_drop_sender_limit
# (a full sender table: 256 senders that authenticate), fwd_drop_plaintext
# (a UE routing multicast: datapath.sh).
#
# The link: ue1 sends, ue2 receives, ue3 forges as ue1 (lib.sh forge).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ktap_start pc5sec jq mcast_send mcast_recv pkt_capture pkt_inject pkt_forge

tmp=$(mktemp -d)
cleanup() {
	local p
	for p in $(jobs -p); do
		kill "$p" 2>/dev/null
	done
	topo_destroy
	rm -rf "$tmp"
}
trap cleanup EXIT

PORT=6300
JOIN_PORT=6399
GROUP_ID=0x88
G=239.8.20.1	# aes-gcm-128
E=239.8.20.2	# eea2
X=239.8.20.3	# aes-gcm-128, a key that expires in an hour (ue2 only)
N=239.8.20.4	# ue2 joined, no group

member() {
	printf '0x%06x' $((0x2000 + $1))
}

# all_counters: every counter of ue2, as one flat JSON object: "NAME" for
# the namespace's, "GROUP/NAME" for a group's, "GROUP/keyINDEX/NAME" for a
# key's.
all_counters() {
	pc 2 show -s -j | jq -c '[(.stats | to_entries[]),
		(.groups[] | .address as $g | (.stats | to_entries[] | .key |= "\($g)/\(.)"),
		 (.keys[] | .index as $i | .stats | to_entries[] | .key |= "\($g)/key\($i)/\(.)"))] |
		from_entries'
}

# drop WANT CMD...: CMD sends what is to be dropped; then exactly the
# counters in WANT ("NAME=+N" as all_counters names them, space-separated)
# moved at ue2, bytes aside.
drop() {
	local want=$1 before after m
	shift
	before=$(all_counters) || return
	"$@" || return
	# The key's worker is done with it.
	sleep 0.5
	after=$(all_counters) || return
	m=$(moved "$before" "$after")
	want=$(tr ' ' '\n' <<<"$want" | LC_ALL=C sort | tr '\n' ' ')
	echo "moved: $m"
	[ "$m" = "${want% }" ] || fail "expected: $want"
}

# one GROUP SUITE ARGS...: one forged datagram (lib.sh forge), quietly.
one() {
	forge "$@" >/dev/null
}

# The reason charged to the group, or to the group and its key.
on_group() {
	echo "$1/rx_drop_$2=+${3:-1}"
}

on_key() {
	echo "$1/key1/rx_drop_$2=+${3:-1} $1/rx_drop_$2=+${3:-1}"
}

# A pc5sec header cut short: 5 of its 10 octets after an IPv4 header
# (pkt_inject -c writes its checksum).
short_header() {
	printf '4500%04x00004000%02xfd0000%s%s%s\n' 25 1 "$(printf '%02x' ${1//./ })" \
		"$(printf '%02x' ${2//./ })" 1401000101 | ue 3 pkt_inject -i eth0 -c >/dev/null
}

# The key on X expires in an hour: an hour and a minute on, it is still
# installed (its removal is timed by the jiffies), and expired. The clock
# is set forward for one datagram and back.
expired() {
	local rc
	date -s "@$(($(date +%s) + 3660))" >/dev/null || return
	one "$@"
	rc=$?
	date -s "@$(($(date +%s) - 3660))" >/dev/null
	return $rc
}

# A datagram ue2 had, again (from ue3's port).
replayed() {
	local g=$1
	cap_bg c 2 -P 253 -d "$g" -n 1 -T 4000 || return
	send 1 "$g" -s 64 -n 1 || return
	cap_wait c
	[ -s "$tmp/c.cap" ] || fail "nothing captured" || return
	# ue2 is done with it (a trial, in the key's worker).
	sleep 0.5
	drop "$(on_key "$g" replay)" ue 3 pkt_inject -i eth0 -f "$tmp/c.cap"
}

# eea2: ue1 restarts further on (64 PTK IDs); its first datagram is a
# jump (spec section 6), held back until a second confirms it.
jumped() {
	warm "$E" || return
	restart_ue1 "$E" eea2 || return
	drop "$(on_key "$E" jump)" send 1 "$E" -s 100 -n 1
}

pc5sec genkey >"$tmp/pgk"
topo_create 3 || ktap_bail_out "cannot build the PC5 link"
provision $G aes-gcm-128 1 2 && provision $E eea2 1 2 ||
	ktap_bail_out "cannot provision the groups"
pc 2 group add $X group-id $GROUP_ID member-id "$(member 2)" &&
	pc 2 key add $X pgk-id 0x101 suite aes-gcm-128 key-file "$tmp/pgk" expires 1h ||
	ktap_bail_out "cannot provision $X"
# ue2 stays joined to every group: a protected datagram to a group not
# joined is left to routing.
for g in $G $E $X $N; do
	recv_bg "join${g##*.}" 2 $g -n 0 -T 3600000 -p $JOIN_PORT ||
		ktap_bail_out "ue2 cannot join $g"
done

ktap_case "no group: rx_drop_no_group in the namespace" \
	drop "rx_drop_no_group=+1" one $N aes-gcm-128
ktap_case "version 2: rx_drop_bad_version on the group" \
	drop "$(on_group $G bad_version)" one $G aes-gcm-128 -V 2
ktap_case "an unknown PGK index: rx_drop_unknown_pgk on the group" \
	drop "$(on_group $G unknown_pgk)" one $G aes-gcm-128 -k 0x99
ktap_case "a header cut short: rx_drop_too_short on the group" \
	drop "$(on_group $G too_short)" short_header "$(ue_ip4 1)" $G
if [ -n "${PC5SEC_LANE:-}" ]; then
	ktap_case "an expired key still installed: rx_drop_key_expired on group and key" \
		drop "$(on_key $X key_expired)" expired $X aes-gcm-128
else
	ktap_case_skip "an expired key still installed: rx_drop_key_expired on group and key" \
		"sets the clock: in the test VM only"
fi
ktap_case "suite eea2 to an aes-gcm-128 key: rx_drop_suite_mismatch on group and key" \
	drop "$(on_key $G suite_mismatch)" one $G aes-gcm-128 -S 2
ktap_case "counter 0: rx_drop_zero_counter on group and key" \
	drop "$(on_key $G zero_counter)" one $G aes-gcm-128 -c 0
ktap_case "aes-gcm-128, an ICV and no ciphertext: rx_drop_too_short on group and key" \
	drop "$(on_key $G too_short)" one $G aes-gcm-128 -l 16
ktap_case "eea2, less than a UDP header: rx_drop_too_short on group and key" \
	drop "$(on_key $E too_short)" one $E eea2 -l 7
ktap_case "eea2, next header TCP: rx_drop_unverifiable on group and key" \
	drop "$(on_key $E unverifiable)" one $E eea2 -N 6
ktap_case "aes-gcm-128, a forged ICV: rx_drop_auth_failed on group and key" \
	drop "$(on_key $G auth_failed)" one $G aes-gcm-128 -m "$(member 1)" -c 100
ktap_case "eea2, forged ciphertext fails the UDP check: rx_drop_auth_failed on group and key" \
	drop "$(on_key $E auth_failed)" one $E eea2 -m "$(member 1)" -c 100
ktap_case "aes-gcm-128, a datagram again: rx_drop_replay on group and key" replayed $G
ktap_case "eea2, a datagram again: rx_drop_replay on group and key" replayed $E
ktap_case "eea2, a sender 64 PTK IDs on: rx_drop_jump on group and key" jumped
ktap_case "plaintext to a protected group: rx_drop_plaintext on the group" \
	drop "$(on_group $G plaintext)" send 3 $G -s 64 -n 1

ktap_run
