# SPDX-License-Identifier: GPL-2.0
#
# make                  the modules (kmod/pc5sec.ko, kmod/pc5sec_eea.ko) and
#                       the tool (tools/pc5sec); with KERNEL=arm64,
#                       cross-built for Debian 12's arm64 cloud kernel, and
#                       the selftest helpers with them
# make check            all selftests in QEMU on the test kernel (KERNEL=6.1,
#                       KERNEL=6.12 or KERNEL=arm64)
# make check-debug      the same on a KASAN/lockdep/kmemleak kernel
#                       [SUBSET=ci: what .ci/run runs on the slow lanes,
#                       the long cases left out, README]
# make vm-run CMD=...   a command in the test VM [SHARE=dir] [KERNEL=...]
#                       [YNL=1: the kernel's ynl CLI in /selftests/ynl]
# make check-dissector  the Wireshark dissector (tools/wireshark/pc5sec.lua):
#                       traffic of every suite over IPv4 and IPv6, malformed
#                       datagrams and proto=200 captured in the test VM,
#                       dissected here with tshark (tools/wireshark/test.sh)
# make demo             three UEs, one protected group, in the test VM
# make bench            throughput, CPU cost, key install rate and scale of
#                       pc5sec beside plaintext, ESP and MACsec, in the test
#                       VM: a table, and bench/results.json
#                       (docs/benchmark.md); knobs ROUNDS, DURATION, CPU_DURATION,
#                       CPU_PPS, MODES, PAYLOADS, SCALE, KEYS
# make fuzz             selftests/fuzz.sh alone in the test VM with its full
#                       counts: FUZZ_PACKETS datagrams, FUZZ_MESSAGES
#                       netlink requests, CHURN_SECONDS of key churn
#                       [KERNEL=debug for KASAN, lockdep and kmemleak]
# make faults           selftests/faults.sh alone on the debug kernel, with
#                       every case (PC5SEC_FAULT_ALL=1): each allocation of
#                       each control operation failing in turn, then the
#                       datapath with allocations failing at random
# make profile          perf in the test VM while modes run unpaced: busy
#                       CPUs and hottest symbols; MODES, PAYLOAD, DURATION,
#                       TOP, CALLERS
# make spec-check       Documentation/netlink/specs/pc5sec.yaml against the
#                       kernel's genetlink-legacy schema, and against
#                       uapi/linux/pc5sec.h (ynl-gen-c.py --mode uapi) and
#                       kmod/netlink.c's policies, ops and events; on the
#                       host, with the ynl tools of Debian's linux-source-6.12
#                       (scripts/ynl.sh)
# make deps             install what is missing (Debian packages)
# make install          the modules make built into /lib/modules/<release>/updates/
#                       (the release built against; then depmod), the tool,
#                       its man page, bash completion, systemd units and
#                       examples (modules-load.d, modprobe.d), the Wireshark
#                       dissector; DESTDIR, PREFIX. install-modules and
#                       install-tools do each half
# make dkms-source      the module's sources and dkms.conf into
#                       /usr/src/pc5sec-<VERSION>/ (DESTDIR), for dkms add
# make deb              pc5sec-dkms and pc5sec-tools (Debian packages) with
#                       dpkg-buildpackage, checked by lintian, in build/deb/
# make check-packages   installs those packages in a fresh Debian 12 root
#                       with the test kernel's headers (DKMS builds the
#                       module there), boots the test kernel with that
#                       root's module and tool and runs a datapath case
# make style | sparse   checkpatch --strict, sparse
#
# KDIR=... builds against that kernel tree. Otherwise the running kernel's
# /lib/modules/$(uname -r)/build when it exists, else the test kernel's
# headers. KERNEL selects the test kernel: 6.1 (Debian 12, the default), 6.12
# (Debian 13, built with its own gcc-14 in a cached trixie root), debug, or
# arm64 (Debian 12's arm64 cloud kernel: the modules, tool and selftest
# helpers cross-built with aarch64-linux-gnu-gcc against Debian's arm64
# packages unpacked in a cached root, scripts/arm64-root.sh; the tests in
# qemu-system-aarch64 -M virt -cpu max under TCG, on that root's programs).
# KDIR=... ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- cross-builds the
# modules against another arm64 tree.

KERNEL ?= 6.1
TESTS ?=
SUBSET ?=
CMD ?=
SHARE ?=

ifeq ($(KDIR),)
ifeq ($(origin KERNEL),file)
HOST_KDIR := /lib/modules/$(shell uname -r)/build
KDIR := $(if $(wildcard $(HOST_KDIR)/Makefile),$(HOST_KDIR))
endif
endif

VM = selftests/qemu/vm.sh -k $(KERNEL)
# What the VM lanes build: the module for the lane's kernel with W=1,
# warnings as errors, then the tool and the selftest helpers.
# The tool and the helpers are cross-built on a lane of another architecture
# (scripts/build-user.sh).
VM_BUILD = scripts/build-module.sh $(KERNEL) "" -- W=1 KCFLAGS=-Werror && \
	scripts/build-user.sh $(KERNEL) tools selftests

# The lanes whose tool is cross-built, with the selftest helpers.
CROSS_LANES := arm64

all: module tool

module:
	@scripts/build-module.sh "$(KERNEL)" "$(KDIR)"

tool:
ifneq ($(filter $(KERNEL),$(CROSS_LANES)),)
	@scripts/build-user.sh $(KERNEL) tools selftests
else
	$(MAKE) -C tools
endif

deps:
	@scripts/deps.sh

# --- installing ------------------------------------------------------------
# VERSION is the release: the tool's, MODULE_VERSION, DKMS's and the
# packages' (debian/changelog must agree; make deb checks).
VERSION := $(shell cat VERSION)
PREFIX ?= /usr
DOCDIR ?= $(PREFIX)/share/doc/pc5sec
MODDIR ?= /lib/modules
DKMS_SRCDIR ?= /usr/src/pc5sec-$(VERSION)
# What DKMS builds the modules from, as make -C <kdir> M=<dir> does here
DKMS_FILES = Kbuild VERSION kmod/Kbuild $(wildcard kmod/*.[ch]) kmod/eea/Kbuild \
	$(wildcard kmod/eea/*.[ch]) uapi/linux/pc5sec.h

install: install-modules install-tools

# What make built (not built again: make install often runs as root).
# depmod: on this system without DESTDIR, for a kernel installed here;
# with one, only when it holds that kernel's modules (an image's root),
# else it is left for the target.
install-modules:
	@rel=$$(scripts/build-module.sh "$(KERNEL)" "$(KDIR)" --release) && \
	for m in pc5sec pc5sec_eea; do \
		[ -f build/$$rel/kmod/$$m.ko ] || \
			{ echo "install: build/$$rel/kmod/$$m.ko missing: run make first" >&2; exit 1; }; \
	done && \
	if [ -z "$(DESTDIR)" ] && [ ! -d "$(MODDIR)/$$rel/kernel" ]; then \
		echo "install: kernel $$rel is not installed here: DESTDIR=<its root>, or KDIR=" >&2; \
		exit 1; \
	fi && \
	dir=$(DESTDIR)$(MODDIR)/$$rel/updates && \
	install -D -m 0644 build/$$rel/kmod/pc5sec.ko "$$dir/pc5sec.ko" && \
	install -D -m 0644 build/$$rel/kmod/pc5sec_eea.ko "$$dir/pc5sec_eea.ko" && \
	echo "install: pc5sec.ko, pc5sec_eea.ko in $$dir" && \
	if [ -z "$(DESTDIR)" ]; then \
		depmod -a "$$rel"; \
	elif [ "$(MODDIR)" = /lib/modules ] && [ -f "$(DESTDIR)/lib/modules/$$rel/modules.builtin" ]; then \
		depmod -b "$(DESTDIR)" "$$rel"; \
	else \
		echo "install: no depmod for $(DESTDIR), which holds no kernel $$rel: run depmod $$rel there"; \
	fi

# A cross lane's tool is installed as it was built (scripts/build-user.sh).
install-tools:
	$(if $(filter $(KERNEL),$(CROSS_LANES)),scripts/build-user.sh $(KERNEL) tools --,$(MAKE) -C tools) \
		install DOCDIR=$(DOCDIR)
	install -D -m 0644 dist/modules-load.conf $(DESTDIR)$(DOCDIR)/examples/modules-load.d/pc5sec.conf
	install -D -m 0644 dist/modprobe.conf $(DESTDIR)$(DOCDIR)/examples/modprobe.d/pc5sec.conf

dkms-source:
	@for f in $(DKMS_FILES); do \
		install -D -m 0644 $$f $(DESTDIR)$(DKMS_SRCDIR)/$$f || exit; \
	done
	sed 's/#MODULE_VERSION#/$(VERSION)/' dkms.conf >$(DESTDIR)$(DKMS_SRCDIR)/dkms.conf
	@echo "dkms-source: $(DESTDIR)$(DKMS_SRCDIR)"

deb:
	@scripts/deb.sh

# The test kernel's lane (6.1) only: Debian 12's packages on Debian 12.
check-packages: deps deb
	@scripts/build-user.sh 6.1 selftests
	@scripts/check-packages.sh

spec-check: deps
	@scripts/spec-check.py "$$(scripts/ynl.sh)"

# The VM targets fail the ordinary way when the tests or the command fail:
# vm.sh's status is the recipe's. vm.sh itself returns the command's exact
# status (run mode), and check's "N passed, N failed" is the last line the
# recipe prints (make's own error line, on stderr, may follow it).
check check-debug: deps
	@$(VM_BUILD)
	@$(VM) -m check $(if $(TESTS),-t "$(TESTS)") $(if $(SUBSET),-e PC5SEC_SUBSET=$(SUBSET))

check-debug: KERNEL = debug

vm-run: deps
	@$(VM_BUILD)
	@$(VM) -m run -c '$(subst ','\'',$(CMD))' $(if $(SHARE),-s "$(SHARE)") $(if $(YNL),-y)

# make check-dissector: captures in the VM, tshark on the host.
check-dissector: deps
	@$(VM_BUILD)
	@tools/wireshark/test.sh -k $(KERNEL)

demo: deps
	@$(VM_BUILD)
	@$(VM) -m run -s demo -c "bash /mnt/share/demo.sh"

# make bench: the knobs bench/run.sh reads, passed only when set.
BENCH_VARS = ROUNDS DURATION CPU_DURATION CPU_PPS CPU_BURST MODES PAYLOADS SCALE SCALE_SUITE \
	SCALE_GROUPS SCALE_SENDERS KEYS KEYS_CLI KEYS_BATCH FORGED FORGED_SUITES FORGED_SECS \
	FLOOD_COUNT REAL_PPS
BENCH_ENV = $(foreach v,$(BENCH_VARS),$(if $($(v)),$(v)='$($(v))'))
BENCH_TIMEOUT ?= 3600

bench: deps
	@$(VM_BUILD) && scripts/build-user.sh $(KERNEL) bench
	@rm -rf build/bench-share build/bench-raw.jsonl && mkdir -p build/bench-share && \
		cp bench/run.sh bench/mcbench build/bench-share/
	@$(VM) -m run -T $(BENCH_TIMEOUT) -s build/bench-share -o build/bench-raw.jsonl \
		-c "$(BENCH_ENV) bash /mnt/share/run.sh"; rc=$$?; \
		bench/report.sh -r build/bench-raw.jsonl -o bench/results.json || rc=1; exit $$rc

# make fuzz: what make check runs short, long.
FUZZ_PACKETS ?= 1000000
FUZZ_MESSAGES ?= 100000
CHURN_SECONDS ?= 60
FUZZ_TIMEOUT ?= 7200

fuzz: deps
	@$(VM_BUILD)
	@$(VM) -m check -t fuzz.sh -T $(FUZZ_TIMEOUT) -e PC5SEC_FUZZ_PACKETS=$(FUZZ_PACKETS) \
		-e PC5SEC_FUZZ_MESSAGES=$(FUZZ_MESSAGES) -e PC5SEC_CHURN_SECONDS=$(CHURN_SECONDS) \
		$(if $(FUZZ_SEED),-e PC5SEC_FUZZ_SEED=$(FUZZ_SEED))

# make faults: what make check-debug runs of faults.sh, and the rest.
faults: KERNEL = debug
faults: deps
	@$(VM_BUILD)
	@$(VM) -m check -t faults.sh -T 7200 -e PC5SEC_FAULT_ALL=1

# make profile: perf in the VM while one mode runs unpaced (bench/profile.sh).
PROFILE_VARS = MODES PAYLOAD DURATION TOP CALLERS
PROFILE_ENV = $(foreach v,$(PROFILE_VARS),$(if $($(v)),$(v)='$($(v))'))

profile: deps
ifneq ($(filter $(KERNEL),$(CROSS_LANES)),)
	@echo "make profile: on the x86 lanes only (the arm64 root has no perf)" >&2; exit 1
endif
	@$(VM_BUILD) && scripts/build-user.sh $(KERNEL) bench
	@rm -rf build/profile-share && mkdir -p build/profile-share && \
		cp bench/run.sh bench/profile.sh bench/mcbench build/profile-share/
	@$(VM) -m run -x /usr/bin/perf -s build/profile-share -c "$(PROFILE_ENV) bash /mnt/share/profile.sh"

CHECKPATCH_DIR := $(or $(PC5SEC_CACHE),$(or $(XDG_CACHE_HOME),$(HOME)/.cache)/pc5sec)/checkpatch
$(CHECKPATCH_DIR)/checkpatch.pl $(CHECKPATCH_DIR)/kernel-doc:
	@mkdir -p $(CHECKPATCH_DIR)
	tar -xJf /usr/src/linux-source-6.1.tar.xz -C $(CHECKPATCH_DIR) --strip-components=2 \
		linux-source-6.1/scripts/checkpatch.pl linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch linux-source-6.1/scripts/kernel-doc

# checkpatch --strict, and kernel-doc comments that say what they should.
style: $(CHECKPATCH_DIR)/checkpatch.pl $(CHECKPATCH_DIR)/kernel-doc
	$(CHECKPATCH_DIR)/checkpatch.pl --strict --no-tree --terse --show-types \
		-f kmod/*.[ch] kmod/eea/*.[ch] uapi/linux/*.h
	$(CHECKPATCH_DIR)/kernel-doc -none -Werror kmod/*.[ch] kmod/eea/*.[ch]

sparse:
	@scripts/build-module.sh $(KERNEL) "" -- C=2 2>&1 | tee build/sparse.log; \
		! grep -E '(warning|error):' build/sparse.log

clean:
	rm -rf build kmod/*.ko
	$(MAKE) -C tools clean
	$(MAKE) -C selftests clean
	$(MAKE) -C bench clean

.PHONY: all module tool deps install install-modules install-tools dkms-source deb \
	check-packages spec-check check check-debug check-dissector vm-run demo bench fuzz faults \
	profile style sparse clean
