// SPDX-License-Identifier: GPL-2.0
/*
 * Security associations: one PEK, derived once for a (key, sender, PTK ID),
 * in a transform of the suite's cipher; and the encryption and decryption
 * of a datagram's protected part with it, in place in the skb.
 *
 * Transforms are synchronous (as MACsec's): a hook then finishes with its
 * packet before it returns, and keeps datagrams in order. They are made in
 * process context only: setting a key may allocate.
 */

#include <crypto/aead.h>
#include <crypto/skcipher.h>
#include <linux/scatterlist.h>
#include <linux/skbuff.h>
#include <linux/slab.h>

#include "pc5sec.h"

/* The suites of spec section 4: name, KDF algorithm identity, cipher. */
static const struct {
	const char *name;
	u8 alg_id;
	const char *alg;	/* the crypto API algorithm; NULL: none */
	bool aead;
} pc5_ciphers[] = {
	[PC5SEC_SUITE_EEA0] = { "eea0", PC5SEC_ALG_ID_EEA0, NULL, false },
	[PC5SEC_SUITE_EEA1] = { "eea1", PC5SEC_ALG_ID_EEA1, "eea1", false },
	[PC5SEC_SUITE_EEA2] = { "eea2", PC5SEC_ALG_ID_EEA2, "ctr(aes)", false },
	[PC5SEC_SUITE_EEA3] = { "eea3", PC5SEC_ALG_ID_EEA3, "eea3", false },
	[PC5SEC_SUITE_AES_GCM_128] = { "aes-gcm-128", PC5SEC_ALG_ID_AES_GCM_128, "gcm(aes)",
				       true },
};

const char *pc5_suite_name(u8 suite)
{
	return suite < ARRAY_SIZE(pc5_ciphers) ? pc5_ciphers[suite].name : "unknown";
}

const char *pc5_suite_alg(u8 suite)
{
	return suite < ARRAY_SIZE(pc5_ciphers) ? pc5_ciphers[suite].alg : NULL;
}

unsigned int pc5_suite_icv_len(u8 suite)
{
	return pc5_ciphers[suite].aead ? PC5SEC_ICV_LEN : 0;
}

/* The SA of (key, sender member_id, ptk_id); process context. */
struct pc5_sa *pc5_sa_create(const struct pc5_key *k, u32 member_id, u16 ptk_id)
{
	u8 pek[PC5SEC_PEK_LEN];
	struct pc5_sa *sa;
	int err = 0;

	might_sleep();
	sa = kzalloc(sizeof(*sa), GFP_KERNEL);
	if (!sa)
		return NULL;
	sa->suite = k->suite;
	sa->ptk_id = ptk_id;
	pc5_kdf_pek(&k->pgk, member_id, ptk_id, k->group_id,
		    pc5_ciphers[k->suite].alg_id, pek);

	if (pc5_ciphers[k->suite].aead) {
		sa->aead = crypto_alloc_aead(pc5_ciphers[k->suite].alg, 0, CRYPTO_ALG_ASYNC);
		if (IS_ERR(sa->aead)) {
			err = PTR_ERR(sa->aead);
			sa->aead = NULL;
		} else {
			err = crypto_aead_setauthsize(sa->aead, PC5SEC_ICV_LEN) ?:
			      crypto_aead_setkey(sa->aead, pek, sizeof(pek));
		}
	} else if (pc5_ciphers[k->suite].alg) {
		sa->skc = crypto_alloc_skcipher(pc5_ciphers[k->suite].alg, 0,
						CRYPTO_ALG_ASYNC);
		if (IS_ERR(sa->skc)) {
			err = PTR_ERR(sa->skc);
			sa->skc = NULL;
		} else {
			err = crypto_skcipher_setkey(sa->skc, pek, sizeof(pek));
		}
	}
	memzero_explicit(pek, sizeof(pek));
	if (err) {
		pr_warn_ratelimited("cannot set up %s: %d\n", pc5_suite_name(k->suite), err);
		pc5_sa_free(sa);
		return NULL;
	}
	return sa;
}

/* Frees an SA no RCU reader can see; process context. */
void pc5_sa_free(struct pc5_sa *sa)
{
	if (!sa)
		return;
	crypto_free_aead(sa->aead);
	crypto_free_skcipher(sa->skc);
	kfree_sensitive(sa);
}

static void pc5_sa_free_work(struct work_struct *work)
{
	pc5_sa_free(container_of(to_rcu_work(work), struct pc5_sa, free_work));
}

/* Frees an SA after the readers that may hold it are gone. */
void pc5_sa_put_rcu(struct pc5_sa *sa)
{
	if (!sa)
		return;
	INIT_RCU_WORK(&sa->free_work, pc5_sa_free_work);
	queue_rcu_work(pc5_wq, &sa->free_work);
}

/*
 * The IV: for EEA1/2/3 their first counter block, COUNT (32) || BEARER (5)
 * || DIRECTION (1) || 0 (26) || 0 (64); for GCM the 12-octet nonce COUNT ||
 * (BEARER << 3 | DIRECTION << 2) || 0 (56) (spec section 4). Both begin
 * alike, and DIRECTION is 0.
 */
static void pc5_iv(u8 *iv, u32 count, u8 bearer)
{
	memset(iv, 0, 16);
	iv[0] = count >> 24;
	iv[1] = count >> 16;
	iv[2] = count >> 8;
	iv[3] = count;
	iv[4] = bearer << 3;
}

/*
 * Encrypts (or decrypts) the @len octets at @off in the skb in place, and
 * for AEAD suites writes (or checks) the ICV after them, with @aad as the
 * associated data. The skb must be writable (skb_cow_data()), with the ICV
 * room in it. Returns 0, -EBADMSG on a wrong ICV, or another error.
 */
int pc5_sa_crypt(struct pc5_sa *sa, struct sk_buff *skb, unsigned int off,
		 unsigned int len, u32 count, u8 bearer, const u8 *aad,
		 unsigned int aad_len, int nfrags, bool encrypt)
{
	unsigned int icv = sa->aead ? PC5SEC_ICV_LEN : 0, reqsize;
	struct scatterlist *sg;
	u8 *tmp, *iv;
	int err;

	if (!sa->aead && !sa->skc)
		return 0;				/* eea0 */

	reqsize = sa->aead ? sizeof(struct aead_request) + crypto_aead_reqsize(sa->aead) :
			     sizeof(struct skcipher_request) + crypto_skcipher_reqsize(sa->skc);
	reqsize = ALIGN(reqsize, __alignof__(struct scatterlist));
	/* One allocation per datagram: request, IV, AAD, scatterlist. */
	tmp = kmalloc(reqsize + 16 + 64 + (nfrags + 1) * sizeof(*sg), GFP_ATOMIC);
	if (!tmp)
		return -ENOMEM;
	iv = tmp + reqsize;
	sg = (struct scatterlist *)(iv + 16 + 64);
	pc5_iv(iv, count, bearer);

	sg_init_table(sg, nfrags + 1);
	if (sa->aead) {
		memcpy(iv + 16, aad, aad_len);
		sg_set_buf(sg, iv + 16, aad_len);
		err = skb_to_sgvec(skb, sg + 1, off, len + icv);
	} else {
		err = skb_to_sgvec(skb, sg, off, len);
	}
	if (unlikely(err < 0))
		goto out;

	if (sa->aead) {
		struct aead_request *req = (struct aead_request *)tmp;

		aead_request_set_tfm(req, sa->aead);
		aead_request_set_callback(req, 0, NULL, NULL);
		aead_request_set_ad(req, aad_len);
		if (encrypt) {
			aead_request_set_crypt(req, sg, sg, len, iv);
			err = crypto_aead_encrypt(req);
		} else {
			aead_request_set_crypt(req, sg, sg, len + icv, iv);
			err = crypto_aead_decrypt(req);
		}
	} else {
		struct skcipher_request *req = (struct skcipher_request *)tmp;

		skcipher_request_set_tfm(req, sa->skc);
		skcipher_request_set_callback(req, 0, NULL, NULL);
		skcipher_request_set_crypt(req, sg, sg, len, iv);
		err = encrypt ? crypto_skcipher_encrypt(req) : crypto_skcipher_decrypt(req);
	}
out:
	kfree_sensitive(tmp);
	return err;
}
