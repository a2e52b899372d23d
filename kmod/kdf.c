// SPDX-License-Identifier: GPL-2.0
/*
 * HMAC-SHA-256 and the key derivation of spec section 3 (TS 33.220 Annex B).
 *
 * Keys are kept as precomputed HMAC states, so that no raw key outlives the
 * netlink message that carried it, and deriving needs no crypto transform:
 * it runs with the SHA-256 library in any context.
 */

#include <linux/string.h>

#include "pc5sec.h"

void pc5_hmac_key_init(struct pc5_hmac_key *hk, const u8 *key, unsigned int len)
{
	u8 pad[SHA256_BLOCK_SIZE];
	unsigned int i;

	/* Keys longer than a block would be hashed first; ours never are. */
	WARN_ON_ONCE(len > SHA256_BLOCK_SIZE);
	len = min_t(unsigned int, len, SHA256_BLOCK_SIZE);

	memset(pad, 0x36, sizeof(pad));
	for (i = 0; i < len; i++)
		pad[i] ^= key[i];
	sha256_init(&hk->inner);
	sha256_update(&hk->inner, pad, sizeof(pad));

	for (i = 0; i < sizeof(pad); i++)
		pad[i] ^= 0x36 ^ 0x5c;
	sha256_init(&hk->outer);
	sha256_update(&hk->outer, pad, sizeof(pad));

	memzero_explicit(pad, sizeof(pad));
}
