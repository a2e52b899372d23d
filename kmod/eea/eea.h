/* SPDX-License-Identifier: GPL-2.0 */
/*
 * 128-EEA1 (SNOW 3G) and 128-EEA3 (ZUC) keystream generators, for the
 * pc5sec_eea module's skciphers "eea1" and "eea3".
 */
#ifndef PC5SEC_EEA_H
#define PC5SEC_EEA_H

#include <linux/types.h>
#include <uapi/linux/pc5sec.h>

#include "../compat.h"

#define PC5_EEA_KEY_LEN		16

/*
 * A keystream generator: 16 LFSR cells in a ring (@pos is s0), and the
 * FSM registers (ZUC uses R1 and R2).
 */
struct pc5_eea_state {
	u32 s[16];
	u32 r1, r2, r3;
	unsigned int pos;
};

/* The IV of uapi/linux/pc5sec.h: COUNT, BEARER, DIRECTION. */
static inline void pc5_eea_iv_parse(const u8 *iv, u32 *count, u8 *bearer, u8 *dir)
{
	*count = get_unaligned_be32(iv);
	*bearer = iv[4] >> 3;
	*dir = (iv[4] >> 2) & 1;
}

void pc5_snow3g_tables_init(void);
void pc5_snow3g_init(struct pc5_eea_state *st, const u8 *key, const u8 *iv);
void pc5_snow3g_xor(struct pc5_eea_state *st, u8 *dst, const u8 *src, unsigned int len);

void pc5_zuc_init(struct pc5_eea_state *st, const u8 *key, const u8 *iv);
void pc5_zuc_xor(struct pc5_eea_state *st, u8 *dst, const u8 *src, unsigned int len);

/*
 * XORs @len octets of keystream into @src, to @dst: whole 32-bit keystream
 * words, the last one cut short. Only the last call of a message may have
 * a @len that is not a multiple of 4.
 */
static __always_inline void pc5_eea_xor(struct pc5_eea_state *st,
					u32 (*next)(struct pc5_eea_state *st),
					u8 *dst, const u8 *src, unsigned int len)
{
	u32 ks;

	for (; len >= 4; len -= 4, src += 4, dst += 4)
		put_unaligned_be32(get_unaligned_be32(src) ^ next(st), dst);
	if (len) {
		ks = next(st);
		while (len--) {
			*dst++ = *src++ ^ (ks >> 24);
			ks <<= 8;
		}
	}
}

#endif /* PC5SEC_EEA_H */
