// SPDX-License-Identifier: GPL-2.0
/*
 * SNOW 3G (ETSI/SAGE UEA2 & UIA2 Document 2) and its use in 128-EEA1, the
 * f8 confidentiality function of UEA2 with a 5-bit BEARER (TS 33.401 B.1.2).
 *
 * The S-boxes and the alpha multiplications are computed once at load from
 * their definitions (Document 2, sections 2.4 and 3.4), instead of being
 * typed in; the self-test in eea.c then checks the whole cipher against the
 * 3GPP test sets.
 */

#include <linux/bitops.h>
#include <linux/cache.h>
#include <linux/string.h>

#include "eea.h"

static u32 snow3g_s1[4][256] __ro_after_init;
static u32 snow3g_s2[4][256] __ro_after_init;
static u32 snow3g_mul_alpha[256] __ro_after_init;
static u32 snow3g_div_alpha[256] __ro_after_init;

/* MULx(V, c): V times x in GF(2^8) with reduction constant @c. */
static u8 mulx(u8 v, u8 c)
{
	return v & 0x80 ? (v << 1) ^ c : v << 1;
}

static u8 mulx_pow(u8 v, unsigned int i, u8 c)
{
	while (i--)
		v = mulx(v, c);
	return v;
}

/* a * b in GF(2^8) with the reduction constant @c of its polynomial */
static u8 gf_mul(u8 a, u8 b, u8 c)
{
	u8 r = 0;

	for (; b; b >>= 1, a = mulx(a, c))
		if (b & 1)
			r ^= a;
	return r;
}

/* The AES S-box SR: the inverse in GF(2^8) mod x^8+x^4+x^3+x+1, then affine. */
static u8 snow3g_sr(u8 x)
{
	u8 inv = 0, b;
	unsigned int i;

	/* x^254 is the inverse of x, and 0 for 0. */
	for (b = x, i = 0; i < 7; i++) {
		b = gf_mul(b, b, 0x1b);
		inv = i ? gf_mul(inv, b, 0x1b) : b;
	}
	return inv ^ rol8(inv, 1) ^ rol8(inv, 2) ^ rol8(inv, 3) ^ rol8(inv, 4) ^ 0x63;
}

/*
 * SQ: the Dickson polynomial g49(x) = x + x^9 + x^13 + x^15 + x^33 + x^41 +
 * x^45 + x^47 + x^49 in GF(2^8) mod x^8+x^6+x^5+x^3+1, plus 0x25.
 */
static u8 snow3g_sq(u8 x)
{
	u8 p = 1, r = 0;
	unsigned int e;

	for (e = 1; e <= 49; e++) {
		p = gf_mul(p, x, 0x69);
		if (e == 1 || e == 9 || e == 13 || e == 15 || e == 33 || e == 41 ||
		    e == 45 || e == 47 || e == 49)
			r ^= p;
	}
	return r ^ 0x25;
}

/*
 * S1 and S2 as four tables each: the S-box, then the column mixing of
 * Document 2 section 3.3 with MULx constant @c. Octet i of the input word
 * (i = 0 the most significant) contributes to output octets r0..r3.
 */
static void snow3g_mix_tables(u32 t[4][256], u8 (*sbox)(u8), u8 c)
{
	unsigned int x;
	u32 s, s2, s3;

	for (x = 0; x < 256; x++) {
		s = sbox(x);
		s2 = mulx(s, c);
		s3 = s2 ^ s;
		t[0][x] = s2 << 24 | s3 << 16 | s << 8 | s;
		t[1][x] = s << 24 | s2 << 16 | s3 << 8 | s;
		t[2][x] = s << 24 | s << 16 | s2 << 8 | s3;
		t[3][x] = s3 << 24 | s << 16 | s << 8 | s2;
	}
}

void pc5_snow3g_tables_init(void)
{
	unsigned int c;

	snow3g_mix_tables(snow3g_s1, snow3g_sr, 0x1b);
	snow3g_mix_tables(snow3g_s2, snow3g_sq, 0x69);
	for (c = 0; c < 256; c++) {
		snow3g_mul_alpha[c] = mulx_pow(c, 23, 0xa9) << 24 | mulx_pow(c, 245, 0xa9) << 16 |
				      mulx_pow(c, 48, 0xa9) << 8 | mulx_pow(c, 239, 0xa9);
		snow3g_div_alpha[c] = mulx_pow(c, 16, 0xa9) << 24 | mulx_pow(c, 39, 0xa9) << 16 |
				      mulx_pow(c, 6, 0xa9) << 8 | mulx_pow(c, 64, 0xa9);
	}
}

static u32 snow3g_mix(const u32 t[4][256], u32 w)
{
	return t[0][w >> 24] ^ t[1][(w >> 16) & 0xff] ^ t[2][(w >> 8) & 0xff] ^ t[3][w & 0xff];
}

/* s_i of the LFSR */
static inline u32 S(const struct pc5_eea_state *st, unsigned int i)
{
	return st->s[(st->pos + i) & 15];
}

/* Clocks the FSM; returns its output F. */
static u32 snow3g_clock_fsm(struct pc5_eea_state *st)
{
	u32 f = (S(st, 15) + st->r1) ^ st->r2;
	u32 r = st->r2 + (st->r3 ^ S(st, 5));

	st->r3 = snow3g_mix(snow3g_s2, st->r2);
	st->r2 = snow3g_mix(snow3g_s1, st->r1);
	st->r1 = r;
	return f;
}

/* Clocks the LFSR; @f is the FSM's output in initialisation mode, else 0. */
static void snow3g_clock_lfsr(struct pc5_eea_state *st, u32 f)
{
	u32 s0 = S(st, 0), s11 = S(st, 11);
	u32 v = (s0 << 8) ^ snow3g_mul_alpha[s0 >> 24] ^ S(st, 2) ^
		(s11 >> 8) ^ snow3g_div_alpha[s11 & 0xff] ^ f;

	/* s0 leaves, v becomes s15 in its cell. */
	st->s[st->pos] = v;
	st->pos = (st->pos + 1) & 15;
}

static u32 snow3g_next(struct pc5_eea_state *st)
{
	u32 z = snow3g_clock_fsm(st) ^ S(st, 0);

	snow3g_clock_lfsr(st, 0);
	return z;
}

/* Loads KEY and the f8 IV made of COUNT, BEARER, DIRECTION; clocks 33 times. */
void pc5_snow3g_init(struct pc5_eea_state *st, const u8 *key, const u8 *iv)
{
	u32 k0, k1, k2, k3, iv0, iv1, iv2, iv3, count;
	unsigned int i;
	u8 bearer, dir;

	k3 = get_unaligned_be32(key);
	k2 = get_unaligned_be32(key + 4);
	k1 = get_unaligned_be32(key + 8);
	k0 = get_unaligned_be32(key + 12);
	pc5_eea_iv_parse(iv, &count, &bearer, &dir);
	iv3 = count;
	iv2 = (u32)bearer << 27 | (u32)dir << 26;
	iv1 = iv3;
	iv0 = iv2;

	st->pos = 0;
	st->s[15] = k3 ^ iv0;
	st->s[14] = k2;
	st->s[13] = k1;
	st->s[12] = k0 ^ iv1;
	st->s[11] = ~k3;
	st->s[10] = ~k2 ^ iv2;
	st->s[9] = ~k1 ^ iv3;
	st->s[8] = ~k0;
	st->s[7] = k3;
	st->s[6] = k2;
	st->s[5] = k1;
	st->s[4] = k0;
	st->s[3] = ~k3;
	st->s[2] = ~k2;
	st->s[1] = ~k1;
	st->s[0] = ~k0;
	st->r1 = 0;
	st->r2 = 0;
	st->r3 = 0;

	for (i = 0; i < 32; i++)
		snow3g_clock_lfsr(st, snow3g_clock_fsm(st));
	/* The first output of the FSM is discarded. */
	snow3g_clock_fsm(st);
	snow3g_clock_lfsr(st, 0);
}

void pc5_snow3g_xor(struct pc5_eea_state *st, u8 *dst, const u8 *src, unsigned int len)
{
	pc5_eea_xor(st, snow3g_next, dst, src, len);
}
