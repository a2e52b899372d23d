#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The module loads and unloads cleanly, and its generic netlink family is
# there in every network namespace while it is loaded, and only then.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ktap_start pc5sec genl

# Listing the families (a dump) is iproute2's view and never loads the
# module; looking one up by name would, through its module alias.
family_listed() {
	genl ctrl list 2>/dev/null | grep -q 'Name: pc5sec$'
}

family_visible() {
	family_listed && pc5sec version >/dev/null 2>&1
}

family_visible_in() {
	ip netns exec "$1" bash -c "$(declare -f family_listed family_visible); family_visible"
}

cleanup() {
	ip netns del pc5-mod-a 2>/dev/null
	ip netns del pc5-mod-b 2>/dev/null
	ip netns del pc5-mod-c 2>/dev/null
	module_loaded && module_unload
}
trap cleanup EXIT

module_loaded && module_unload

load_unload_10() {
	local i
	dmesg_mark
	for i in $(seq 1 10); do
		module_load || fail "load $i failed" || return
		family_visible || fail "family missing after load $i" || return
		module_unload || fail "unload $i failed" || return
		if family_listed; then
			fail "family still there after unload $i"
			return
		fi
	done
	dmesg_clean_since_mark
}
ktap_case "load and unload 10 times without kernel warnings" load_unload_10
ktap_step module_load
ktap_case "family visible in the initial namespace" family_visible

new_netns() {
	ip netns add pc5-mod-a || return
	family_visible_in pc5-mod-a || fail "family not visible in a new namespace"
}
ktap_case "family visible in a namespace created after loading" new_netns

netns_churn() {
	local i
	dmesg_mark
	for i in $(seq 1 5); do
		ip netns add pc5-mod-c || return
		family_visible_in pc5-mod-c || fail "not visible in namespace $i" || return
		ip netns del pc5-mod-c || return
	done
	dmesg_clean_since_mark
}
ktap_case "namespaces come and go while loaded" netns_churn

unload_with_namespaces() {
	module_unload || return
	ip netns add pc5-mod-b || return
	module_load || return
	family_visible_in pc5-mod-a || fail "not visible in a namespace older than the module" || return
	family_visible_in pc5-mod-b || fail "not visible in a newer namespace" || return
	dmesg_mark
	module_unload || fail "rmmod failed with namespaces present" || return
	if ip netns exec pc5-mod-a bash -c "$(declare -f family_listed); family_listed"; then
		fail "family survived rmmod in pc5-mod-a"
		return
	fi
	ip netns del pc5-mod-a && ip netns del pc5-mod-b || return
	dmesg_clean_since_mark
}
ktap_case "unload while namespaces exist, then delete them" unload_with_namespaces

# The tool finds the family by name, which loads the module on demand.
autoload() {
	if module_loaded; then
		fail "module still loaded"
		return
	fi
	pc5sec version || return
	module_loaded || fail "pc5sec version did not load the module"
}
if [ -n "$PC5SEC_KO" ]; then
	ktap_case_skip "the tool loads the module on demand" "module not installed (PC5SEC_KO)"
else
	ktap_case "the tool loads the module on demand" autoload
fi
ktap_run
