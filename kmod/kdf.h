/* SPDX-License-Identifier: GPL-2.0 */
/* The key schedule of spec section 3: PGK -> PEK, with HMAC-SHA-256. */
#ifndef _PC5SEC_KDF_H
#define _PC5SEC_KDF_H

#include <crypto/sha2.h>
#include <uapi/linux/pc5sec.h>

/*
 * HMAC-SHA-256 with its key absorbed: the hash states after key ^ ipad and
 * key ^ opad. This is all a key needs to keep of its PGK.
 */
struct pc5_hmac_key {
	struct sha256_state inner;
	struct sha256_state outer;
};

/**
 * pc5_hmac_key_init() - absorbs an HMAC key (a PGK)
 * @hk: the states to fill in
 * @key: the key, at most a SHA-256 block long
 * @len: its length
 */
void pc5_hmac_key_init(struct pc5_hmac_key *hk, const u8 *key, unsigned int len);

/**
 * pc5_kdf_pek() - derives a PEK (spec section 3), in any context
 * @pgk: the PGK, absorbed
 * @member_id: the sender's Group Member ID
 * @ptk_id: the sender's PTK ID
 * @group_id: the group's Group ID
 * @alg_id: the suite's algorithm identity
 * @pek: where it goes; the caller wipes it when done
 */
void pc5_kdf_pek(const struct pc5_hmac_key *pgk, u32 member_id, u16 ptk_id,
		 u32 group_id, u8 alg_id, u8 pek[PC5SEC_PEK_LEN]);

/**
 * pc5_kdf_check() - the key check value of a PGK, in any context
 * @pgk: the PGK, absorbed
 * @check: where it goes: the first PC5SEC_KEY_CHECK_LEN octets of
 *	HMAC-SHA-256(PGK, "pc5sec key check value")
 */
void pc5_kdf_check(const struct pc5_hmac_key *pgk, u8 check[PC5SEC_KEY_CHECK_LEN]);

int pc5_kdf_selftest(void);

#endif /* _PC5SEC_KDF_H */
