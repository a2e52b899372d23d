#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vm.sh [-k LANE] [-m check|run] [-c CMD] [-s SHAREDIR] [-t "TESTS"] [-T SECONDS]
#       [-o OUTFILE] [-x BINARY]... [-e NAME=VALUE]... [-y] [-r ROOT]
#
# Packs an initramfs (busybox, bash, ip, tcpdump, kmod, keyctl, the pc5sec
# module, tool and selftests, the kernel modules the tests need) and boots test
# kernel LANE (scripts/kernel.sh) in QEMU under TCG. The guest's console is
# streamed to stdout; the guest reports its result on a second serial port,
# so a VM that crashes, hangs or never reports is a failure.
#   check: runs the selftests (all, or TESTS), prints "N passed, N failed"
#          last and exits 0 only if all passed and the kernel log is clean.
#   run:   runs CMD as root with sh -c, module not loaded, SHAREDIR copied to
#          /mnt/share, and exits with CMD's exit status.
# -o OUTFILE: a third serial port, /dev/ttyS2 in the guest, goes to a file;
# what the guest writes there (text: carriage returns are dropped) is saved
# as OUTFILE, even when the run fails. `make bench` gets its results so.
# -x BINARY: one more program in the guest, with its libraries (`make
# profile`: perf). -e NAME=VALUE: an environment variable for the tests or
# CMD (`make fuzz`: its counts). -T SECONDS: the VM's time limit; in check
# mode each test may then take all but a minute of it.
# -y: the kernel's ynl CLI (scripts/ynl.sh) in /selftests/ynl with the spec,
# and python3 with the part of its library the CLI uses (python-files.py);
# implied when the tests include ynl.sh. Without either, ynl.sh skips.
# -r ROOT: the modules and the tool as installed in ROOT (make
# check-packages: DKMS's modules from ROOT/lib/modules/<release>/updates/dkms/,
# placed there in the guest too, and ROOT/usr/sbin/pc5sec with ROOT's
# libraries) instead of this tree's.
# Build the module (build-module.sh), the tool and the selftests first.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
lane=6.1 mode=check cmd= share= tests= timeout= outfile= extra=() env=() ynl= instroot=
while getopts "k:m:c:s:t:T:o:x:e:yr:" opt; do
	case "$opt" in
	k) lane=$OPTARG ;;
	m) mode=$OPTARG ;;
	c) cmd=$OPTARG ;;
	s) share=$OPTARG ;;
	t) tests=$OPTARG ;;
	T) timeout=$OPTARG ;;
	o) outfile=$OPTARG ;;
	x) extra+=("$OPTARG") ;;
	e) env+=("$OPTARG") ;;
	y) ynl=1 ;;
	r) instroot=$(cd "$OPTARG" && pwd) ;;
	*) exit 2 ;;
	esac
done
# The debug kernel (KASAN, lockdep) runs the same tests several times slower.
slow=1
[ "$lane" = debug ] && slow=4
test_timeout=$((600 * slow))
case "$mode" in
check)
	[ -n "$timeout" ] && test_timeout=$((timeout - 60))
	timeout=${timeout:-$((900 * slow))}
	;;
run) timeout=${timeout:-1200} ;;
*) echo "vm.sh: unknown mode $mode" >&2; exit 2 ;;
esac

eval "$("$top/scripts/kernel.sh" "$lane")"
if [ -n "$instroot" ]; then
	kodir=$instroot/lib/modules/$KRELEASE/updates/dkms
	tool=$instroot/usr/sbin/pc5sec
	kos=("$kodir"/pc5sec.ko* "$kodir"/pc5sec_eea.ko*)
	kodst=updates/dkms
else
	kodir=$top/build/$KRELEASE/kmod
	tool=$top/tools/pc5sec
	kos=("$kodir/pc5sec.ko" "$kodir/pc5sec_eea.ko")
	kodst=extra
fi
for f in "${kos[@]}"; do
	[ -f "$f" ] || { echo "vm.sh: $f missing: build the module for KERNEL=$lane first" >&2; exit 1; }
done
[ -x "$tool" ] || { echo "vm.sh: $tool missing" >&2; exit 1; }

# Each run its own directory: runs may overlap.
mkdir -p "$top/build"
work=$(mktemp -d "$top/build/vm-$KRELEASE.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"/{usr/bin,usr/sbin,usr/lib,usr/lib64,etc,dev,proc,sys,tmp,run,root,mnt/share,var}
for d in bin sbin lib lib64; do ln -s "usr/$d" "$root/$d"; done
ln -s ../run "$root/var/run"

# A binary and the shared libraries it needs, at the paths they have here
# (with libroot set: libraries from that root where it has them).
libroot=
copy_bin() {
	local f lib src
	for f in "$@"; do
		f=$(readlink -f "$f")
		install -D -m 0755 "$f" "$root$f"
		for lib in $(ldd "$f" 2>/dev/null | grep -o '/[^ ]*'); do
			[ -e "$root$lib" ] && continue
			src=$lib
			[ -n "$libroot" ] && [ -e "$libroot$lib" ] && src=$libroot$lib
			install -D -m 0755 "$(readlink -f "$src")" "$root$lib"
		done
	done
}

copy_bin /usr/bin/bash /usr/sbin/ip /usr/sbin/genl /usr/bin/tcpdump /usr/bin/kmod /usr/bin/jq \
	/usr/bin/timeout /usr/bin/setpriv /usr/bin/unshare /usr/bin/nsenter /usr/sbin/bridge \
	/usr/bin/keyctl
ln -sf bash "$root/usr/bin/sh"
for t in modprobe insmod rmmod lsmod depmod modinfo; do ln -sf ../bin/kmod "$root/usr/sbin/$t"; done
ln -sf ../bin/tcpdump "$root/usr/sbin/tcpdump"
install -m 0755 /bin/busybox "$root/usr/bin/busybox"
for a in $(/bin/busybox --list); do
	[ -e "$root/usr/bin/$a" ] || [ -e "$root/usr/sbin/$a" ] || ln -s busybox "$root/usr/bin/$a"
done
[ ${#extra[@]} = 0 ] || copy_bin "${extra[@]}"
libroot=$instroot copy_bin "$tool"
mv "$root$(readlink -f "$tool")" "$root/usr/sbin/pc5sec"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"

# Kernel modules: the tests' needs and their dependencies, then pc5sec,
# under lib/modules/<release> with modules.dep so that modprobe works.
kmods="veth bridge dummy macsec nf_defrag_ipv4 nf_defrag_ipv6 ctr gcm ghash-generic
	ghash-clmulni-intel aesni-intel sha256-ssse3 algif_skcipher algif_aead algif_hash
	xfrm_user esp4 esp6 authenc seqiv echainiv crypto_null cryptd crypto_simd drbg
	jitterentropy_rng sha512_generic sha512-ssse3"
msrc=$MODROOT/lib/modules/$KRELEASE
mdst=$root/lib/modules/$KRELEASE
mkdir -p "$mdst/$kodst"
cp "$msrc"/modules.builtin* "$msrc"/modules.order "$mdst/" 2>/dev/null || true
for m in $kmods; do
	# Built-in or absent in this kernel: nothing to copy.
	{ modprobe -d "$MODROOT" -S "$KRELEASE" --show-depends "$m" 2>/dev/null || true; } |
		awk '$1 == "insmod" { print $2 }'
done | sort -u | while read -r f; do
	rel=${f#/lib/modules/$KRELEASE/}
	rel=${rel#"$msrc"/}
	install -D -m 0644 "$msrc/$rel" "$mdst/$rel"
done
cp "${kos[@]}" "$mdst/$kodst/"
depmod -b "$root" "$KRELEASE"

# Selftests: scripts, helpers and the list of tests to run.
mkdir -p "$root/selftests"
cp -a "$top"/selftests/*.sh "$top"/selftests/golden "$root/selftests/"
for p in $(make -s --no-print-directory -C "$top/selftests" print-gen-progs); do
	copy_bin "$top/selftests/$p"
	mv "$root$(readlink -f "$top/selftests/$p")" "$root/selftests/$p"
done
echo "${tests:-$(make -s --no-print-directory -C "$top/selftests" print-tests LANE="$lane")}" >"$root/selftests/tests.list"
[ "$mode" = check ] && grep -qw 'ynl\.sh' "$root/selftests/tests.list" && ynl=1

# The kernel's ynl CLI, its spec and python3 with what the CLI imports. When
# the tools cannot be had (no apt, offline, no cache), ynl.sh skips.
if [ -n "$ynl" ]; then
	if ydir=$("$top/scripts/ynl.sh") &&
		pyfiles=$(/usr/bin/python3 "$top/selftests/qemu/python-files.py" "$ydir/tools/net/ynl"); then
		mkdir -p "$root/selftests/ynl/lib"
		cp "$ydir/tools/net/ynl/cli.py" "$root/selftests/ynl/"
		cp "$ydir"/tools/net/ynl/lib/*.py "$root/selftests/ynl/lib/"
		cp "$top/Documentation/netlink/specs/pc5sec.yaml" "$root/selftests/ynl/"
		# Compiled here: under TCG, compiling them cost the first run seconds.
		/usr/bin/python3 -m compileall -q "$root/selftests/ynl"
		copy_bin /usr/bin/python3
		ln -sf "$(basename "$(readlink -f /usr/bin/python3)")" "$root/usr/bin/python3"
		for f in $pyfiles; do
			case "$f" in
			*.so) copy_bin "$f" ;;
			*) install -D -m 0644 "$f" "$root$f" ;;
			esac
		done
	else
		echo "vm.sh: no ynl tools or no python3 with yaml here (make deps): ynl.sh will skip" >&2
	fi
fi
[ -n "$share" ] && cp -a "$share/." "$root/mnt/share/"

install -m 0755 "$top/selftests/qemu/init.sh" "$root/init"
{
	printf 'MODE=%q\n' "$mode"
	printf 'LANE=%q\n' "$lane"
	printf 'CMD=%q\n' "$cmd"
	printf 'TEST_TIMEOUT=%q\n' "$test_timeout"
	for e in "${env[@]}"; do
		printf 'export %q\n' "$e"
	done
} >"$root/etc/pc5sec-vm.conf"

(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1 >"$work/initramfs.gz"

# QEMU: TCG only (KVM hangs on these machines), -cpu max for AES-NI/AVX.
result=$work/result
mem=1024
[ "$lane" = debug ] && mem=2048
out=()
[ -n "$outfile" ] && out=(-serial "file:$work/out")
boot() {
	: >"$result"
	timeout --foreground "$timeout" qemu-system-x86_64 \
		-machine q35,accel=tcg -cpu max -smp 2 -m "$mem" \
		-nodefaults -display none -no-reboot -monitor none \
		-serial stdio -serial "file:$result" "${out[@]}" \
		-kernel "$VMLINUZ" -initrd "$work/initramfs.gz" \
		-append "console=ttyS0 quiet panic=-1 oops=panic kmemleak=on init=/init" </dev/null
}
set +e
boot
qrc=$?
# A kernel that dies before /init starts (seen once with 6.12 under TCG: an
# int3 oops while booting) gets one more boot; one that dies later fails.
if ! grep -aq '^PC5SEC-STARTED' "$result"; then
	echo "vm.sh: the kernel died before /init started; booting once more" >&2
	boot
	qrc=$?
fi
set -e
[ -n "$outfile" ] && { tr -d '\r' <"$work/out" >"$outfile" 2>/dev/null || : >"$outfile"; }

line=$(tr -d '\r' <"$result" | grep -a '^PC5SEC-RESULT ' | tail -n 1 || true)
if [ -z "$line" ]; then
	if [ "$qrc" = 124 ]; then
		echo "vm.sh: the VM timed out after ${timeout}s without reporting a result" >&2
	else
		echo "vm.sh: the VM exited ($qrc) without reporting a result (crash or panic?)" >&2
	fi
	[ "$mode" = check ] && echo "0 passed, 1 failed"
	exit 1
fi
# PC5SEC-RESULT exit=N [pass=N fail=N skip=N]
declare -A r
for kv in ${line#PC5SEC-RESULT }; do r[${kv%%=*}]=${kv#*=}; done
if [ "$mode" = check ]; then
	summary="${r[pass]} passed, ${r[fail]} failed"
	[ "${r[skip]}" != 0 ] && summary+=", ${r[skip]} skipped"
	echo "$summary"
	[ "${r[exit]}" = 0 ] && [ "${r[fail]}" = 0 ]
	exit
fi
exit "${r[exit]}"
