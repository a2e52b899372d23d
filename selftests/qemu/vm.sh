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
# so a VM that crashes, hangs or never reports is a failure. The arm64 lane
# boots qemu-system-aarch64 with the userland of the lane's root (Debian's
# arm64 packages, arm64-root.sh) in place of the host's programs, and its
# result and output ports are virtio-serial ports.
#   check: runs the selftests (all, or TESTS), prints "N passed, N failed"
#          last and exits 0 only if all passed and the kernel log is clean.
#   run:   runs CMD as root with sh -c, module not loaded, SHAREDIR copied to
#          /mnt/share, and exits with CMD's exit status.
# -o OUTFILE: a third serial port, /dev/ttyS2 in the guest ($PC5SEC_OUTPUT_DEV
# on every lane), goes to a file;
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
# The debug kernel (KASAN, lockdep) runs the same tests several times slower,
# and an emulated arm64 machine about twice.
slow=1
[ "$lane" = debug ] && slow=4
[ "$lane" = arm64 ] && slow=2
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
	[ -z "$CROSS" ] || { echo "vm.sh: -r is for the x86 lanes" >&2; exit 1; }
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

# What the architecture decides: the ELF machine of the tool and helpers;
# the accelerated ciphers and hashes the guest loads (AES-NI, PCLMULQDQ and
# SSSE3 on x86, the ARMv8 Crypto Extensions and NEON on arm64); the drivers
# its result and output ports need first, and where init.sh finds them;
# QEMU's machine, its console and the kind of those ports. TCG only (KVM
# hangs on these machines), -cpu max for AES-NI/AVX or the Crypto
# Extensions. On x86 the console, the result and the output are three
# serial ports; the arm64 virt machine has one UART, so its result and
# output are virtio-serial ports, and pointer authentication uses QEMU's
# own cheap algorithm (pauth-impdef), not the architected QARMA one that
# costs TCG much time at every function return.
case "$KARCH" in
arm64)
	machine=AArch64
	accel="aes-ce-cipher aes-ce-blk aes-neon-blk aes-neon-bs aes-ce-ccm ghash-ce polyval-ce
		sha1-ce sha2-ce sha256-arm64 sha512-ce sha512-arm64"
	preload="virtio_mmio virtio_console"
	result_dev=/dev/vport0p1 output_dev=/dev/vport0p2
	qemu=(qemu-system-aarch64 -machine virt,accel=tcg -cpu max,pauth-impdef=on
		-device virtio-serial-device)
	console=ttyAMA0 ports=virtio
	;;
*)
	machine=X86-64
	accel="ghash-clmulni-intel aesni-intel sha256-ssse3 sha512-ssse3"
	preload=
	result_dev=/dev/ttyS1 output_dev=/dev/ttyS2
	qemu=(qemu-system-x86_64 -machine q35,accel=tcg -cpu max)
	console=ttyS0 ports=serial
	;;
esac

# The tool and helpers are built in the tree for one architecture at a time.
for f in "$tool" "$top/selftests/mcast_send"; do
	[ -e "$f" ] || continue
	LC_ALL=C readelf -h "$f" | grep -q "Machine: *Advanced Micro Devices $machine\|Machine: *$machine" ||
		{ echo "vm.sh: $f is not built for $KARCH: make KERNEL=$lane" >&2; exit 1; }
done

# Each run its own directory: runs may overlap.
mkdir -p "$top/build"
work=$(mktemp -d "$top/build/vm-$KRELEASE.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"/{usr/bin,usr/sbin,usr/lib,usr/lib64,etc,dev,proc,sys,tmp,run,root,mnt/share,var}
for d in bin sbin lib lib64; do ln -s "usr/$d" "$root/$d"; done
ln -s ../run "$root/var/run"

# A path in the lane's root ($SYSROOT) with its symbolic links followed
# there, without the root's prefix.
sysroot_path() {
	local p=$1 t n=0
	while [ -L "$SYSROOT$p" ] && [ $((n += 1)) -lt 40 ]; do
		t=$(readlink "$SYSROOT$p")
		case "$t" in
		/*) p=$t ;;
		*) p=$(dirname "$p")/$t ;;
		esac
	done
	realpath -m -s "$p"
}

# An arm64 ELF file's libraries (NEEDED, recursively, and the interpreter),
# found in the lane's root: ldd cannot run it here.
copy_libs_cross() {
	local f=$1 lib d p interp
	interp=$(LC_ALL=C "${CROSS}readelf" -l "$f" 2>/dev/null |
		sed -n 's/.*Requesting program interpreter: \(.*\)]$/\1/p')
	if [ -n "$interp" ] && [ ! -e "$root$interp" ]; then
		install -D -m 0755 "$SYSROOT$(sysroot_path "$interp")" "$root$interp"
	fi
	for lib in $(LC_ALL=C "${CROSS}readelf" -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'); do
		for d in /lib/$triplet /usr/lib/$triplet; do
			[ -e "$SYSROOT$d/$lib" ] || continue
			[ -e "$root$d/$lib" ] && continue 2
			p=$SYSROOT$(sysroot_path "$d/$lib")
			install -D -m 0755 "$p" "$root$d/$lib"
			copy_libs_cross "$p"
			continue 2
		done
		echo "vm.sh: $lib (for $f) is not in $SYSROOT" >&2
		exit 1
	done
}

# A binary and the shared libraries it needs, at the paths they have here
# (with libroot set: libraries from that root where it has them); on a
# cross lane, the lane root's binary of that path (what is built in the
# tree is taken as it is).
libroot=
copy_bin() {
	local f lib src
	for f in "$@"; do
		if [ -n "$CROSS" ]; then
			f=$(readlink -f "$f")
			src=$f
			case "$f" in
			"$top"/*) ;;
			"$SYSROOT"/*)
				f=${f#"$SYSROOT"}
				src=$SYSROOT$f
				;;
			*)
				f=$(cross_bin "$f") || exit 1
				f=$(sysroot_path "$f")
				src=$SYSROOT$f
				;;
			esac
			install -D -m 0755 "$src" "$root$f"
			copy_libs_cross "$src"
			continue
		fi
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

# A program's path in the lane's root: Debian 12 has not merged /usr there.
cross_bin() {
	local d n=${1##*/}
	for d in /usr/sbin /usr/bin /sbin /bin; do
		[ -e "$SYSROOT$d/$n" ] && { echo "$d/$n"; return; }
	done
	echo "vm.sh: no $n in $SYSROOT" >&2
	exit 1
}
triplet=${CROSS%-}

copy_bin /usr/bin/bash /usr/sbin/ip /usr/sbin/genl /usr/bin/tcpdump /usr/bin/kmod /usr/bin/jq \
	/usr/bin/timeout /usr/bin/setpriv /usr/bin/unshare /usr/bin/nsenter /usr/sbin/bridge \
	/usr/bin/keyctl
ln -sf bash "$root/usr/bin/sh"
for t in modprobe insmod rmmod lsmod depmod modinfo; do ln -sf ../bin/kmod "$root/usr/sbin/$t"; done
ln -sf ../bin/tcpdump "$root/usr/sbin/tcpdump"
install -m 0755 "$SYSROOT/bin/busybox" "$root/usr/bin/busybox"
# The applets of the host's busybox-static: the lane root's is the same
# Debian package, for another architecture.
for a in $(/bin/busybox --list); do
	[ -e "$root/usr/bin/$a" ] || [ -e "$root/usr/sbin/$a" ] || ln -s busybox "$root/usr/bin/$a"
done
[ ${#extra[@]} = 0 ] || copy_bin "${extra[@]}"
libroot=$instroot copy_bin "$tool"
mv "$root$(readlink -f "$tool")" "$root/usr/sbin/pc5sec"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"

# Kernel modules: the tests' needs, the architecture's accelerated ciphers
# and port drivers, and their dependencies, then pc5sec, under
# lib/modules/<release> with modules.dep so that modprobe works.
kmods="veth bridge dummy macsec nf_defrag_ipv4 nf_defrag_ipv6 ctr gcm ghash-generic
	algif_skcipher algif_aead algif_hash xfrm_user esp4 esp6 authenc seqiv echainiv
	crypto_null cryptd crypto_simd drbg jitterentropy_rng sha512_generic $accel $preload"
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
			if [ -n "$CROSS" ]; then
				# The lane root's files of the same python3.11,
				# compiled below (the root has no .pyc).
				f=${f//x86_64-linux-gnu/$triplet}
				# What only the host has (setuptools' hook)
				# the guest's python3 does not import.
				[ -e "$SYSROOT$f" ] || continue
				case "$f" in
				*.pyc) ;;
				*.so) copy_bin "$SYSROOT$f" ;;
				*) install -D -m 0644 "$SYSROOT$f" "$root$f" ;;
				esac
				continue
			fi
			case "$f" in
			*.so) copy_bin "$f" ;;
			*) install -D -m 0644 "$f" "$root$f" ;;
			esac
		done
		if [ -n "$CROSS" ]; then
			/usr/bin/python3 -m compileall -q -s "$root" -p / "$root/usr/lib/python3"*
		fi
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
	printf 'PRELOAD=%q\n' "$preload"
	printf 'RESULT_DEV=%q\n' "$result_dev"
	printf 'export PC5SEC_OUTPUT_DEV=%q\n' "$output_dev"
	printf 'export PC5SEC_ACCEL=%q\n' "$(echo $accel)"
	for e in "${env[@]}"; do
		printf 'export %q\n' "$e"
	done
} >"$root/etc/pc5sec-vm.conf"

(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1 >"$work/initramfs.gz"

# QEMU (the machine chosen above): the console on stdio, the result port
# (1) and the output port (2) to files.
result=$work/result
mem=1024
[ "$lane" = debug ] && mem=2048
port() {
	case "$ports" in
	virtio) qemu+=(-chardev "file,id=port$2,path=$1" -device "virtserialport,chardev=port$2,nr=$2") ;;
	*) qemu+=(-serial "file:$1") ;;
	esac
}
qemu+=(-serial stdio)
port "$result" 1
[ -n "$outfile" ] && port "$work/out" 2
boot() {
	: >"$result"
	timeout --foreground "$timeout" "${qemu[@]}" -smp 2 -m "$mem" \
		-nodefaults -display none -no-reboot -monitor none \
		-kernel "$VMLINUZ" -initrd "$work/initramfs.gz" \
		-append "console=$console quiet panic=-1 oops=panic kmemleak=on init=/init" </dev/null
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
