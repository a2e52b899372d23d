// SPDX-License-Identifier: GPL-2.0
/*
 * Names of the uapi enums. The tables are indexed by the enums, and the
 * static assertions catch a header that grew without them.
 */

#include <string.h>
#include <linux/pc5sec.h>

#include "names.h"
#include "pc5sec.h"

static const char *const suites[] = {
	[PC5SEC_SUITE_EEA0] = "eea0",
	[PC5SEC_SUITE_EEA1] = "eea1",
	[PC5SEC_SUITE_EEA2] = "eea2",
	[PC5SEC_SUITE_EEA3] = "eea3",
	[PC5SEC_SUITE_AES_GCM_128] = "aes-gcm-128",
};
_Static_assert(ARRAY_SIZE(suites) == __PC5SEC_SUITE_MAX, "suite names");

static const char *const states[] = {
	[PC5SEC_KEY_PENDING] = "pending",
	[PC5SEC_KEY_ACTIVE] = "active",
	[PC5SEC_KEY_SOFT_EXPIRED] = "soft-expired",
	[PC5SEC_KEY_EXHAUSTED] = "exhausted",
};

static const char *const policies[] = {
	[PC5SEC_PLAINTEXT_DROP] = "drop",
	[PC5SEC_PLAINTEXT_ACCEPT] = "accept",
};

static const char *const stats[] = {
	[PC5SEC_STAT_TX_PACKETS] = "tx_packets",
	[PC5SEC_STAT_TX_BYTES] = "tx_bytes",
	[PC5SEC_STAT_RX_PACKETS] = "rx_packets",
	[PC5SEC_STAT_RX_BYTES] = "rx_bytes",
	[PC5SEC_STAT_RX_PLAINTEXT_ACCEPTED] = "rx_plaintext_accepted",
	[PC5SEC_STAT_TX_DROP_NO_KEY] = "tx_drop_no_key",
	[PC5SEC_STAT_TX_DROP_ERROR] = "tx_drop_error",
	[PC5SEC_STAT_RX_DROP_NO_GROUP] = "rx_drop_no_group",
	[PC5SEC_STAT_RX_DROP_BAD_VERSION] = "rx_drop_bad_version",
	[PC5SEC_STAT_RX_DROP_UNKNOWN_PGK] = "rx_drop_unknown_pgk",
	[PC5SEC_STAT_RX_DROP_KEY_EXPIRED] = "rx_drop_key_expired",
	[PC5SEC_STAT_RX_DROP_SUITE_MISMATCH] = "rx_drop_suite_mismatch",
	[PC5SEC_STAT_RX_DROP_ZERO_COUNTER] = "rx_drop_zero_counter",
	[PC5SEC_STAT_RX_DROP_TOO_SHORT] = "rx_drop_too_short",
	[PC5SEC_STAT_RX_DROP_AUTH_FAILED] = "rx_drop_auth_failed",
	[PC5SEC_STAT_RX_DROP_REPLAY] = "rx_drop_replay",
	[PC5SEC_STAT_RX_DROP_PLAINTEXT] = "rx_drop_plaintext",
	[PC5SEC_STAT_RX_DROP_ERROR] = "rx_drop_error",
	[PC5SEC_STAT_RX_DROP_SENDER_LIMIT] = "rx_drop_sender_limit",
	[PC5SEC_STAT_RX_DROP_SA_LIMIT] = "rx_drop_sa_limit",
	[PC5SEC_STAT_RX_DROP_UNVERIFIABLE] = "rx_drop_unverifiable",
	[PC5SEC_STAT_RX_DROP_JUMP] = "rx_drop_jump",
	[PC5SEC_STAT_FWD_DROP_PLAINTEXT] = "fwd_drop_plaintext",
};
_Static_assert(ARRAY_SIZE(stats) == __PC5SEC_STAT_MAX, "stat names");

static const char *const events[] = {
	[PC5SEC_CMD_GROUP_NEW] = "group-new",
	[PC5SEC_CMD_GROUP_SET] = "group-set",
	[PC5SEC_CMD_GROUP_DEL] = "group-del",
	[PC5SEC_CMD_KEY_NEW] = "key-new",
	[PC5SEC_CMD_KEY_SET] = "key-set",
	[PC5SEC_CMD_KEY_DEL] = "key-del",
	[PC5SEC_CMD_KEY_SOFT_EXPIRED_NTF] = "key-soft-expired",
	[PC5SEC_CMD_KEY_EXPIRED_NTF] = "key-expired",
	[PC5SEC_CMD_KEY_TX_LOW_NTF] = "key-tx-low",
	[PC5SEC_CMD_KEY_TX_EXHAUSTED_NTF] = "key-tx-exhausted",
	[PC5SEC_CMD_UNKNOWN_PGK_NTF] = "unknown-pgk",
	[PC5SEC_CMD_NO_TX_KEY_NTF] = "no-tx-key",
};
_Static_assert(ARRAY_SIZE(events) == __PC5SEC_CMD_MAX, "event names");

static const char *lookup(const char *const *names, size_t n, unsigned int v)
{
	return v < n ? names[v] : NULL;
}

static int find(const char *const *names, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (names[i] && !strcmp(names[i], name))
			return i;
	return -1;
}

const char *suite_name(unsigned int suite)
{
	return lookup(suites, ARRAY_SIZE(suites), suite);
}

int suite_from_name(const char *name)
{
	return find(suites, ARRAY_SIZE(suites), name);
}

const char *state_name(unsigned int state)
{
	return lookup(states, ARRAY_SIZE(states), state);
}

const char *plaintext_name(unsigned int policy)
{
	return lookup(policies, ARRAY_SIZE(policies), policy);
}

int plaintext_from_name(const char *name)
{
	return find(policies, ARRAY_SIZE(policies), name);
}

const char *stat_name(unsigned int stat)
{
	return lookup(stats, ARRAY_SIZE(stats), stat);
}

const char *event_name(unsigned int cmd)
{
	return lookup(events, ARRAY_SIZE(events), cmd);
}
