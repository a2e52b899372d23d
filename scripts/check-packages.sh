#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-packages.sh: the Debian packages in build/deb/ (make deb), installed
# as a user would (make check-packages):
#  1. a fresh copy of a minimal Debian 12 root (bookworm-root.sh; cached);
#  2. there, apt-get install ./pc5sec-dkms_*.deb ./pc5sec-tools_*.deb and
#     the headers of the test kernel (lane 6.1, scripts/kernel.sh): dkms
#     builds and installs the modules for it (the headers' postinst, or
#     pc5sec-dkms's, whichever apt configures last), which is checked with
#     dkms status; only if it did not does this run `dkms autoinstall -k
#     <release>` as a user would, and says so;
#  3. the test kernel boots with that root's modules and tool (vm.sh -r)
#     and runs selftests/packages.sh: modprobe, one protected group on a
#     veth pair, decrypted at the receiver, protocol 253 on the wire.
# Downloaded .debs are kept in a cache beside the root (apt's archives) so
# that later runs download nothing; everything else happens anew each run.
# The root stays in build/check-packages/ when the run fails (KEEP=1: always).
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[ "$(id -u)" = 0 ] || { echo "check-packages: needs root (chroot, mounts)" >&2; exit 1; }
eval "$("$top/scripts/kernel.sh" 6.1)"
ver=$(cat "$top/VERSION")
arch=$(dpkg --print-architecture)
debs=("$top/build/deb/pc5sec-dkms_${ver}_all.deb" "$top/build/deb/pc5sec-tools_${ver}_${arch}.deb")
for d in "${debs[@]}"; do
	[ -f "$d" ] || { echo "check-packages: $d missing (make deb)" >&2; exit 1; }
done

start=$SECONDS
step() {
	echo "check-packages: [$((SECONDS - start)) s] $*" >&2
}

base=$("$top/scripts/bookworm-root.sh")
cache=${PC5SEC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pc5sec}
archives=$cache/bookworm-apt-archives
mkdir -p "$archives/partial"

work=$top/build/check-packages
root=$work/root
rm -rf "$work"
mkdir -p "$work"
step "a fresh Debian 12 root in $root"
cp -a "$base" "$root"
cp "${debs[@]}" "$root/tmp/"
cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true

# in_root CMD: CMD in the root, with /proc, /sys, /dev and apt's cache
# mounted in a mount namespace of its own (gone when CMD ends).
in_root() {
	unshare --mount --propagation private /bin/bash -euc '
		r=$1 a=$2
		shift 2
		mount -t proc proc "$r/proc"
		mount -t sysfs sysfs "$r/sys"
		mount --bind /dev "$r/dev"
		mount --bind "$a" "$r/var/cache/apt/archives"
		chroot "$r" /usr/bin/env DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 \
			PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"' in_root "$root" "$archives" "$@"
}

log=$work/install.log
step "apt-get install ./pc5sec-dkms_${ver}_all.deb ./pc5sec-tools_${ver}_${arch}.deb linux-headers-$KRELEASE (log: $log)"
# --no-install-recommends: dkms recommends linux-headers-amd64, headers of
# the generic kernel, which would have DKMS build for a kernel not booted.
if ! in_root /bin/sh -ec "
	apt-get update -q
	apt-get install -y -q --no-install-recommends ./tmp/pc5sec-dkms_${ver}_all.deb \
		./tmp/pc5sec-tools_${ver}_${arch}.deb linux-headers-$KRELEASE" >"$log" 2>&1; then
	tail -n 30 "$log" >&2
	echo "check-packages: the installation failed; the root is $root" >&2
	exit 1
fi
status=$(in_root dkms status -m pc5sec -v "$ver" -k "$KRELEASE")
echo "check-packages: dkms status: $status" >&2
if [[ $status == *": installed"* ]]; then
	step "apt-get's run of dkms built and installed the modules for $KRELEASE"
else
	step "dkms did not install for $KRELEASE on apt-get install: dkms autoinstall -k $KRELEASE"
	in_root dkms autoinstall -k "$KRELEASE" >>"$log" 2>&1 || { tail -n 30 "$log" >&2; exit 1; }
	in_root dkms status -m pc5sec -v "$ver" -k "$KRELEASE" | grep -q ': installed' ||
		{ echo "check-packages: dkms did not install pc5sec $ver for $KRELEASE" >&2; exit 1; }
fi
ls -l "$root/lib/modules/$KRELEASE/updates/dkms/" >&2
# The tool runs with the root's libraries alone: the package's Depends
# brought them (the VM below adds the host's where the root lacks one).
# (No module in the chroot: version prints the tool's and fails for the family.)
out=$(in_root /usr/sbin/pc5sec version 2>&1 || true)
if in_root ldd /usr/sbin/pc5sec | grep 'not found' >&2 || [[ $out != *"pc5sec tool $ver,"* ]]; then
	echo "check-packages: the installed pc5sec does not run in the root: $out" >&2
	exit 1
fi

step "booting $KRELEASE with the root's modules and tool (selftests/packages.sh)"
# One VM at a time on this machine: others' runs hold the lock too.
rc=0
flock /tmp/pc5sec-vm.lock /bin/bash -c 'echo "check-packages: the VM lock after $(($(date +%s) - $1)) s of waiting" >&2
	shift; exec "$@"' vm "$(date +%s)" "$top/selftests/qemu/vm.sh" -k 6.1 -r "$root" -m check -T 600 \
	-t packages.sh -e PC5SEC_PKG_VERSION="$ver" || rc=$?
step "done: $([ $rc = 0 ] && echo passed || echo FAILED)"
if [ $rc = 0 ] && [ -z "${KEEP:-}" ]; then
	rm -rf "$root"
fi
exit $rc
