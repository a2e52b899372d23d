// SPDX-License-Identifier: GPL-2.0
/*
 * pc5sec_eea: 128-EEA1 (SNOW 3G) and 128-EEA3 (ZUC) as crypto API stream
 * ciphers "eea1" and "eea3" (drivers eea1-generic, eea3-generic), for the
 * pc5sec datapath and for AF_ALG. The key is the 128-bit KEY; the 16-octet
 * IV carries COUNT, BEARER and DIRECTION as uapi/linux/pc5sec.h describes.
 *
 * Each algorithm is registered only after it reproduced the 3GPP test sets
 * (eea_testvec.h) bit for bit.
 */

#include <crypto/internal/skcipher.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "eea.h"

struct pc5_eea_testvec {
	const char *key;
	u32 count;
	u8 bearer;
	u8 dir;
	unsigned int bits;
	const char *plaintext;
	const char *ciphertext;
};

#include "eea_testvec.h"

struct pc5_eea_ctx {
	u8 key[PC5_EEA_KEY_LEN];
};

static int pc5_eea_setkey(struct crypto_skcipher *tfm, const u8 *key, unsigned int len)
{
	struct pc5_eea_ctx *ctx = crypto_skcipher_ctx(tfm);

	if (len != PC5_EEA_KEY_LEN)
		return -EINVAL;
	memcpy(ctx->key, key, len);
	return 0;
}

/*
 * The walk hands out multiples of the 4-octet chunk size, except at the
 * end: the keystream words then line up across steps.
 */
static __always_inline int
pc5_eea_crypt(struct skcipher_request *req,
	      void (*init)(struct pc5_eea_state *st, const u8 *key, const u8 *iv),
	      void (*xor)(struct pc5_eea_state *st, u8 *dst, const u8 *src, unsigned int len))
{
	struct pc5_eea_ctx *ctx = crypto_skcipher_ctx(crypto_skcipher_reqtfm(req));
	struct skcipher_walk walk;
	struct pc5_eea_state st;
	unsigned int n;
	int err;

	err = skcipher_walk_virt(&walk, req, false);
	if (!walk.nbytes)
		return err;
	init(&st, ctx->key, req->iv);
	while (walk.nbytes) {
		n = walk.nbytes;
		if (n < walk.total)
			n = round_down(n, walk.stride);
		xor(&st, walk.dst.virt.addr, walk.src.virt.addr, n);
		err = skcipher_walk_done(&walk, walk.nbytes - n);
	}
	memzero_explicit(&st, sizeof(st));
	return err;
}

static int pc5_eea1_crypt(struct skcipher_request *req)
{
	return pc5_eea_crypt(req, pc5_snow3g_init, pc5_snow3g_xor);
}

static int pc5_eea3_crypt(struct skcipher_request *req)
{
	return pc5_eea_crypt(req, pc5_zuc_init, pc5_zuc_xor);
}

/* Stream ciphers: encryption and decryption are one XOR with the keystream. */
static struct skcipher_alg pc5_eea_algs[] = {
	{
		.base.cra_name		= "eea1",
		.base.cra_driver_name	= "eea1-generic",
		.encrypt		= pc5_eea1_crypt,
		.decrypt		= pc5_eea1_crypt,
	}, {
		.base.cra_name		= "eea3",
		.base.cra_driver_name	= "eea3-generic",
		.encrypt		= pc5_eea3_crypt,
		.decrypt		= pc5_eea3_crypt,
	},
};

/* What the algorithms share, filled in at load. */
static void pc5_eea_alg_init(struct skcipher_alg *alg)
{
	alg->base.cra_priority = 100;
	alg->base.cra_blocksize = 1;
	alg->base.cra_ctxsize = sizeof(struct pc5_eea_ctx);
	alg->base.cra_module = THIS_MODULE;
	alg->min_keysize = PC5_EEA_KEY_LEN;
	alg->max_keysize = PC5_EEA_KEY_LEN;
	alg->ivsize = PC5SEC_EEA_IV_LEN;
	alg->chunksize = 4;		/* a keystream word: see pc5_eea_crypt() */
	alg->setkey = pc5_eea_setkey;
}

/* The longest test set's message, in octets. */
#define PC5_EEA_TEST_MAX	512

static const struct {
	void (*init)(struct pc5_eea_state *st, const u8 *key, const u8 *iv);
	void (*xor)(struct pc5_eea_state *st, u8 *dst, const u8 *src, unsigned int len);
	const struct pc5_eea_testvec *vecs;
	unsigned int nvecs;
} pc5_eea_tests[] = {
	{ pc5_snow3g_init, pc5_snow3g_xor, pc5_eea1_testvecs, ARRAY_SIZE(pc5_eea1_testvecs) },
	{ pc5_zuc_init, pc5_zuc_xor, pc5_eea3_testvecs, ARRAY_SIZE(pc5_eea3_testvecs) },
};

/* A test set in one direction: key, IV, and a message of @bits. */
struct pc5_eea_run {
	u8 key[PC5_EEA_KEY_LEN];
	u8 iv[PC5SEC_EEA_IV_LEN];
	unsigned int bits;
	u8 *in, *want, *out;
};

/*
 * The run's @bits of @in, through the cipher of test @t, to @out; the rest
 * of the last octet is cleared. The message goes in two parts, the first
 * @split octets (a multiple of 4) and the rest, as the skcipher walk may do.
 */
static void pc5_eea_crypt_bits(unsigned int t, const struct pc5_eea_run *r, unsigned int split)
{
	unsigned int len = DIV_ROUND_UP(r->bits, 8);
	struct pc5_eea_state st;

	pc5_eea_tests[t].init(&st, r->key, r->iv);
	pc5_eea_tests[t].xor(&st, r->out, r->in, split);
	pc5_eea_tests[t].xor(&st, r->out + split, r->in + split, len - split);
	if (r->bits % 8)
		r->out[len - 1] &= 0xff << (8 - r->bits % 8);
	memzero_explicit(&st, sizeof(st));
}

/* Both directions of every test set, in one piece and in two; bit-exact. */
static int pc5_eea_selftest(unsigned int t)
{
	const struct pc5_eea_testvec *v;
	unsigned int i, len, split, dir, s;
	struct pc5_eea_run r = {};
	u8 *buf;
	int err = 0;

	buf = kmalloc(3 * PC5_EEA_TEST_MAX, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	r.in = buf;
	r.want = buf + PC5_EEA_TEST_MAX;
	r.out = buf + 2 * PC5_EEA_TEST_MAX;
	for (i = 0; i < pc5_eea_tests[t].nvecs && !err; i++) {
		v = &pc5_eea_tests[t].vecs[i];
		len = DIV_ROUND_UP(v->bits, 8);
		if (len > PC5_EEA_TEST_MAX || strlen(v->plaintext) != 2 * len ||
		    strlen(v->ciphertext) != 2 * len || hex2bin(r.key, v->key, sizeof(r.key))) {
			err = -EINVAL;
			break;
		}
		put_unaligned_be32(v->count, r.iv);
		r.iv[4] = v->bearer << 3 | v->dir << 2;
		r.bits = v->bits;
		for (dir = 0; dir < 2 && !err; dir++) {
			if (hex2bin(r.in, dir ? v->ciphertext : v->plaintext, len) ||
			    hex2bin(r.want, dir ? v->plaintext : v->ciphertext, len)) {
				err = -EINVAL;
				break;
			}
			if (v->bits % 8)
				r.want[len - 1] &= 0xff << (8 - v->bits % 8);
			for (s = 0; s < 2 && !err; s++) {
				split = s ? round_down(len / 2, 4) : 0;
				pc5_eea_crypt_bits(t, &r, split);
				if (memcmp(r.out, r.want, len)) {
					pr_err("%s: test set %u (%s) does not match\n",
					       pc5_eea_algs[t].base.cra_driver_name, i + 1,
					       dir ? "decrypt" : "encrypt");
					err = -EBADMSG;
				}
			}
		}
	}
	kfree_sensitive(buf);
	memzero_explicit(&r, sizeof(r));
	return err;
}

static bool pc5_eea_registered[ARRAY_SIZE(pc5_eea_algs)];

static int __init pc5_eea_init(void)
{
	unsigned int t, n = 0;
	int err = -ENODEV;

	pc5_snow3g_tables_init();
	for (t = 0; t < ARRAY_SIZE(pc5_eea_algs); t++) {
		const char *name = pc5_eea_algs[t].base.cra_driver_name;

		err = pc5_eea_selftest(t);
		if (err) {
			pr_err("%s: self-test failed (%d): not registered\n", name, err);
			continue;
		}
		pc5_eea_alg_init(&pc5_eea_algs[t]);
		err = crypto_register_skcipher(&pc5_eea_algs[t]);
		if (err) {
			pr_err("%s: cannot register: %d\n", name, err);
			continue;
		}
		pc5_eea_registered[t] = true;
		n++;
		pr_info("%s: self-test passed (%u 3GPP test sets), registered\n", name,
			pc5_eea_tests[t].nvecs);
	}
	return n ? 0 : err;
}

static void __exit pc5_eea_exit(void)
{
	unsigned int t;

	for (t = 0; t < ARRAY_SIZE(pc5_eea_algs); t++)
		if (pc5_eea_registered[t])
			crypto_unregister_skcipher(&pc5_eea_algs[t]);
}

module_init(pc5_eea_init);
module_exit(pc5_eea_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("128-EEA1 (SNOW 3G) and 128-EEA3 (ZUC) stream ciphers for pc5sec");
MODULE_ALIAS_CRYPTO("eea1");
MODULE_ALIAS_CRYPTO("eea1-generic");
MODULE_ALIAS_CRYPTO("eea3");
MODULE_ALIAS_CRYPTO("eea3-generic");
