#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# /init of the pc5sec test VM (see vm.sh). Runs the selftests or a command,
# checks the kernel log, and reports on $RESULT_DEV (/etc/pc5sec-vm.conf,
# written by vm.sh: /dev/ttyS1 on x86, a virtio-serial port on arm64):
#   PC5SEC-RESULT exit=N [pass=N fail=N skip=N]
export PATH=/usr/sbin:/usr/bin HOME=/root TERM=dumb LANG=C

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mount -t debugfs debugfs /sys/kernel/debug
hostname pc5sec-vm
. /etc/pc5sec-vm.conf
# The drivers of the result and output ports, when they are modules.
[ -n "$PRELOAD" ] && modprobe -a $PRELOAD
# As udev does at boot: the modules for this CPU's features (AES-NI,
# PCLMULQDQ, SHA extensions; the ARMv8 Crypto Extensions), so that the
# crypto API picks the ciphers a real machine would, not only the generic
# C ones built in. Then the same by name (vm.sh's list): the arm64 guest
# shows no CPU modalias, and modalias may miss one elsewhere.
modprobe -q -a "$(cat /sys/devices/system/cpu/modalias)"
modprobe -q -a $PC5SEC_ACCEL
ip link set lo up
echo 0 >/proc/sys/kernel/printk_ratelimit 2>/dev/null

# A virtio-serial port appears once its driver has heard of it from QEMU.
for i in $(seq 100); do
	[ -c "$RESULT_DEV" ] && break
	sleep 0.1
done
# The host tells a kernel that died booting from one that died in a test.
echo "PC5SEC-STARTED" >"$RESULT_DEV"

report() {
	echo "PC5SEC-RESULT $*" >"$RESULT_DEV"
	sync
	poweroff -f
	sleep 10
}

kmemleak=/sys/kernel/debug/kmemleak
# Objects allocated while booting are not ours to report.
[ -w "$kmemleak" ] && echo clear >"$kmemleak"

# What in the kernel log fails a run: warnings, oopses, sanitizer,
# lockdep and kmemleak reports.
BAD='WARNING:|BUG:|Oops|kernel BUG|Call Trace|general protection|UBSAN|KASAN|KFENCE|'
BAD+='possible circular locking|possible recursive locking|inconsistent lock state|'
BAD+='suspicious RCU usage|sleeping function called|new suspected memory leak|'
BAD+='list_add corruption|list_del corruption|refcount_t:|stack-protector'

# Returns 1, after printing the log, if it shows anything in BAD.
kernel_log_clean() {
	if [ -w "$kmemleak" ]; then
		# Only objects older than 5 s are reported, and only from the
		# second scan on.
		sleep 6
		echo scan >"$kmemleak"
		echo scan >"$kmemleak"
		cat "$kmemleak" >/tmp/kmemleak
		if [ -s /tmp/kmemleak ]; then
			echo "# kmemleak:"
			sed 's/^/# /' /tmp/kmemleak
			return 1
		fi
	fi
	if dmesg | grep -Eq "$BAD"; then
		echo "# the kernel log shows a problem:"
		dmesg | sed 's/^/# /'
		return 1
	fi
	return 0
}

if [ "$MODE" = run ]; then
	cd /root
	sh -c "$CMD"
	rc=$?
	if ! kernel_log_clean >&2; then
		echo "vm: warning: the kernel log shows problems (above)" >&2
		# vm.sh -e PC5SEC_CLEAN_LOG=1: a run that must leave it clean.
		[ -n "${PC5SEC_CLEAN_LOG:-}" ] && [ "$rc" = 0 ] && rc=1
	fi
	report "exit=$rc"
fi

cd /selftests
PC5SEC_RESULTS=/tmp/results PC5SEC_TEST_TIMEOUT=$TEST_TIMEOUT PC5SEC_LANE=$LANE ./run_tests.sh $(cat tests.list) </dev/null
rc=$?
read -r pass fail skip </tmp/results || { pass=0 fail=1 skip=0; }
if kernel_log_clean; then
	echo "ok - kernel log clean (lane $LANE)"
	pass=$((pass + 1))
else
	echo "not ok - kernel log clean (lane $LANE)"
	fail=$((fail + 1))
	rc=1
fi
report "exit=$rc pass=$pass fail=$fail skip=$skip"
