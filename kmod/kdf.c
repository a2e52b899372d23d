// SPDX-License-Identifier: GPL-2.0
/*
 * HMAC-SHA-256 and the key derivation of spec section 3 (TS 33.220 Annex B).
 *
 * Keys are kept as precomputed HMAC states, so that no raw key outlives the
 * netlink message that carried it, and deriving needs no crypto transform:
 * it runs with the SHA-256 library in any context.
 */

#include <linux/kernel.h>
#include <linux/string.h>

#include "kdf.h"

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

/* HMAC-SHA-256(key, msg) with the key's precomputed states. */
static void pc5_hmac(const struct pc5_hmac_key *hk, const u8 *msg, unsigned int len,
		     u8 out[SHA256_DIGEST_SIZE])
{
	struct sha256_state st = hk->inner;

	sha256_update(&st, msg, len);
	sha256_final(&st, out);
	st = hk->outer;
	sha256_update(&st, out, SHA256_DIGEST_SIZE);
	sha256_final(&st, out);
	memzero_explicit(&st, sizeof(st));
}

/*
 * PTK = KDF(PGK, 0x4A, GroupMemberID (3), PTK_ID (2), GroupID (3)) and
 * PEK = the last 16 octets of KDF(PTK, 0x4B, 0x00, AlgorithmIdentity (1)),
 * each P followed by its 16-bit length (spec section 3).
 */
void pc5_kdf_pek(const struct pc5_hmac_key *pgk, u32 member_id, u16 ptk_id,
		 u32 group_id, u8 alg_id, u8 pek[PC5SEC_PEK_LEN])
{
	u8 s[] = {
		PC5SEC_KDF_FC_PTK,
		member_id >> 16, member_id >> 8, member_id, 0, 3,
		ptk_id >> 8, ptk_id, 0, 2,
		group_id >> 16, group_id >> 8, group_id, 0, 3,
	};
	u8 s2[] = { PC5SEC_KDF_FC_PEK, PC5SEC_KDF_ALG_TYPE_ENC, 0, 1, alg_id, 0, 1 };
	struct pc5_hmac_key ptk_key;
	u8 out[SHA256_DIGEST_SIZE];

	pc5_hmac(pgk, s, sizeof(s), out);		/* out = PTK */
	pc5_hmac_key_init(&ptk_key, out, PC5SEC_PTK_LEN);
	pc5_hmac(&ptk_key, s2, sizeof(s2), out);
	memcpy(pek, out + SHA256_DIGEST_SIZE - PC5SEC_PEK_LEN, PC5SEC_PEK_LEN);
	memzero_explicit(out, sizeof(out));
	memzero_explicit(&ptk_key, sizeof(ptk_key));
}

/*
 * The key check value: the first octets of HMAC-SHA-256(PGK, "pc5sec key
 * check value"), the 22 ASCII octets without a NUL. A one-way commitment
 * to the PGK, for comparing it with a copy; its input cannot be one of
 * the key schedule's, which start with FC 0x4a or 0x4b.
 */
void pc5_kdf_check(const struct pc5_hmac_key *pgk, u8 check[PC5SEC_KEY_CHECK_LEN])
{
	static const char label[] = "pc5sec key check value";
	u8 out[SHA256_DIGEST_SIZE];

	pc5_hmac(pgk, (const u8 *)label, sizeof(label) - 1, out);
	memcpy(check, out, PC5SEC_KEY_CHECK_LEN);
	memzero_explicit(out, sizeof(out));
}

/*
 * Checked at module load: the spec's key schedule on a fixed input (PGK
 * 00..1f, member 0x123456, PTK ID 1, Group ID 0xabcdef), and the key check
 * value of that PGK, computed independently with Python's hmac module.
 */
int __init pc5_kdf_selftest(void)
{
	static const u8 want[][PC5SEC_PEK_LEN] __initconst = {
		{ 0xd5, 0x9b, 0x47, 0x04, 0x5d, 0x62, 0xe0, 0x87,	/* eea2 */
		  0x30, 0xdc, 0x9e, 0xce, 0x9d, 0x87, 0xd6, 0xee },
		{ 0x5c, 0x97, 0xb0, 0x4e, 0xea, 0x64, 0xc3, 0x22,	/* aes-gcm-128 */
		  0x12, 0x82, 0x67, 0xae, 0xe2, 0x97, 0xa2, 0x34 },
	};
	static const u8 alg[] __initconst = { PC5SEC_ALG_ID_EEA2, PC5SEC_ALG_ID_AES_GCM_128 };
	static const u8 want_check[PC5SEC_KEY_CHECK_LEN] __initconst = {
		0xde, 0x73, 0x2d, 0x62, 0x71, 0x24, 0x47, 0x43,
	};
	u8 key[PC5SEC_PGK_LEN], pek[PC5SEC_PEK_LEN], check[PC5SEC_KEY_CHECK_LEN];
	struct pc5_hmac_key pgk;
	unsigned int i;
	int ret = 0;

	for (i = 0; i < sizeof(key); i++)
		key[i] = i;
	pc5_hmac_key_init(&pgk, key, sizeof(key));
	for (i = 0; i < ARRAY_SIZE(alg); i++) {
		pc5_kdf_pek(&pgk, 0x123456, 1, 0xabcdef, alg[i], pek);
		if (memcmp(pek, want[i], sizeof(pek))) {
			pr_err("key schedule self-test %u failed\n", i);
			ret = -ENOTRECOVERABLE;
		}
	}
	pc5_kdf_check(&pgk, check);
	if (memcmp(check, want_check, sizeof(check))) {
		pr_err("key check value self-test failed\n");
		ret = -ENOTRECOVERABLE;
	}
	memzero_explicit(&pgk, sizeof(pgk));
	return ret;
}
