# SPDX-License-Identifier: GPL-2.0
#
# Included by the Makefiles of tools/, selftests/ and bench/, after their
# flags: .build-flags holds the compiler and flags of the last build, and
# what they build depends on it, so that what another compiler or other
# flags built (another architecture's: make KERNEL=arm64) is rebuilt.
BUILD_FLAGS := $(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $(LDLIBS)
.build-flags: FORCE
	@echo '$(BUILD_FLAGS)' | cmp -s - $@ || echo '$(BUILD_FLAGS)' >$@

.PHONY: FORCE
