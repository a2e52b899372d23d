// SPDX-License-Identifier: GPL-2.0
/*
 * Security associations: one PEK, derived once for a (key, sender, PTK ID),
 * in a transform of the suite's cipher; and the encryption and decryption
 * of a datagram's protected part with it, in place in the skb.
 *
 * Transforms may be asynchronous (as ESP's and MACsec's): the SIMD ciphers
 * (AES-NI's GCM and CTR) finish at once where the CPU's vector registers
 * are usable and otherwise hand the datagram to cryptd. An SA with such a
 * transform also has a synchronous one for those moments, so that cryptd
 * stays out of the datapath; a transform that is asynchronous for other
 * reasons (an offload engine) completes later: the caller then gets
 * -EINPROGRESS and its done() runs from the completion. Transforms are made
 * in process context only: setting a key may allocate.
 */

#include <crypto/aead.h>
#include <crypto/internal/simd.h>
#include <crypto/skcipher.h>
#include <linux/scatterlist.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/wait_bit.h>
#include <asm/simd.h>

#include "compat.h"
#include "crypto.h"
#include "group.h"
#include "key.h"

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

static void pc5_sa_free_work(struct work_struct *work);

/* SAs not freed yet: module unload waits for the ciphers to finish with them. */
static atomic_t pc5_nsas = ATOMIC_INIT(0);

void pc5_sa_wait_all(void)
{
	wait_var_event(&pc5_nsas, !atomic_read(&pc5_nsas));
}

/* A transform of @alg keyed with @pek, in *aead or *skc; 0 or an error. */
static int pc5_tfm_new(const char *alg, bool is_aead, u32 mask, const u8 *pek,
		       struct crypto_aead **aead, struct crypto_skcipher **skc)
{
	int err;

	if (is_aead) {
		*aead = crypto_alloc_aead(alg, 0, mask);
		if (IS_ERR(*aead)) {
			err = PTR_ERR(*aead);
			*aead = NULL;
			return err;
		}
		return crypto_aead_setauthsize(*aead, PC5SEC_ICV_LEN) ?:
		       crypto_aead_setkey(*aead, pek, PC5SEC_PEK_LEN);
	}
	*skc = crypto_alloc_skcipher(alg, 0, mask);
	if (IS_ERR(*skc)) {
		err = PTR_ERR(*skc);
		*skc = NULL;
		return err;
	}
	return crypto_skcipher_setkey(*skc, pek, PC5SEC_PEK_LEN);
}

static void pc5_sa_pek(struct pc5_key *k, u32 member_id, u16 ptk_id, u8 *pek)
{
	pc5_kdf_pek(&k->pgk, member_id, ptk_id, k->group->group_id,
		    pc5_ciphers[k->suite].alg_id, pek);
}

/*
 * For an SA whose transform is SIMD's, which may pass datagrams to cryptd:
 * a synchronous one of the same cipher and key, for the moments the CPU's
 * vector unit is taken (pc5_sa_crypt()). Published last, as the SA may be
 * in use already. Without it, the SIMD transform does it all.
 */
static void pc5_sa_new_fallback(struct pc5_sa *sa, const u8 *pek)
{
	u8 suite = sa->key->suite;
	struct crypto_skcipher *skc = NULL;
	struct crypto_aead *aead = NULL;

	if (!sa->async || pc5_force_async)
		return;
	if (pc5_tfm_new(pc5_ciphers[suite].alg, pc5_ciphers[suite].aead, CRYPTO_ALG_ASYNC, pek,
			&aead, &skc)) {
		crypto_free_aead(aead);
		crypto_free_skcipher(skc);
		return;
	}
	/* Pairs with pc5_sa_crypt(): the transform, set up, before its pointer. */
	smp_store_release(&sa->aead_sync, aead);
	smp_store_release(&sa->skc_sync, skc);	/* the same */
}

/*
 * An SA of key @k with one reference. A trial SA has only the best
 * transform, which pc5_sa_rekey() keys anew for each datagram the key's
 * worker tries (in process context, where SIMD is usable).
 */
static struct pc5_sa *pc5_sa_new(struct pc5_key *k, u32 member_id, u16 ptk_id, bool trial)
{
	const char *alg = pc5_ciphers[k->suite].alg;
	bool is_aead = pc5_ciphers[k->suite].aead;
	u8 pek[PC5SEC_PEK_LEN];
	struct crypto_tfm *tfm;
	struct pc5_sa *sa;
	int err = 0;

	might_sleep();
	sa = kzalloc(sizeof(*sa), GFP_KERNEL);
	if (!sa)
		return NULL;
	sa->ptk_id = ptk_id;
	refcount_set(&sa->refs, 1);
	INIT_WORK(&sa->free_work, pc5_sa_free_work);
	atomic_inc(&pc5_nsas);
	refcount_inc(&k->refs);
	sa->key = k;
	pc5_sa_pek(k, member_id, ptk_id, pek);

	if (alg)
		err = pc5_tfm_new(alg, is_aead, 0, pek, &sa->aead, &sa->skc);
	if (alg && !err) {
		tfm = is_aead ? crypto_aead_tfm(sa->aead) : crypto_skcipher_tfm(sa->skc);
		sa->async = (tfm->__crt_alg->cra_flags & CRYPTO_ALG_ASYNC) || pc5_force_async;
	}
	if (!err && !trial)
		pc5_sa_new_fallback(sa, pek);
	memzero_explicit(pek, sizeof(pek));
	if (err) {
		pr_warn_ratelimited("cannot set up %s: %d\n", pc5_suite_name(k->suite), err);
		pc5_sa_put(sa);
		return NULL;
	}
	return sa;
}

/* The SA of (key, sender member_id, ptk_id), with one reference; process context. */
struct pc5_sa *pc5_sa_create(struct pc5_key *k, u32 member_id, u16 ptk_id)
{
	return pc5_sa_new(k, member_id, ptk_id, false);
}

/* A key's trial SA: see pc5_sa_new(). Process context. */
struct pc5_sa *pc5_sa_create_trial(struct pc5_key *k)
{
	return pc5_sa_new(k, 0, 0, true);
}

/*
 * Keys trial SA @sa for (@member_id, @ptk_id): the key schedule, then the
 * cipher's setkey, which may allocate. Only the key's worker does this,
 * and only while no datagram is in the SA's cipher. Process context.
 */
int pc5_sa_rekey(struct pc5_sa *sa, u32 member_id, u16 ptk_id)
{
	u8 pek[PC5SEC_PEK_LEN];
	int err = 0;

	WARN_ON_ONCE(current_work() != &sa->key->work);
	pc5_sa_pek(sa->key, member_id, ptk_id, pek);
	if (sa->aead)
		err = crypto_aead_setkey(sa->aead, pek, PC5SEC_PEK_LEN);
	else if (sa->skc)
		err = crypto_skcipher_setkey(sa->skc, pek, PC5SEC_PEK_LEN);
	memzero_explicit(pek, sizeof(pek));
	sa->ptk_id = ptk_id;
	return err;
}

/*
 * A trial SA that authenticated a datagram serves on as that sender's SA
 * of its PTK ID: this gives it, once it is in use, what pc5_sa_create()
 * gives an SA from the start. Process context.
 */
void pc5_sa_complete(struct pc5_sa *sa, u32 member_id)
{
	u8 pek[PC5SEC_PEK_LEN];

	pc5_sa_pek(sa->key, member_id, sa->ptk_id, pek);
	pc5_sa_new_fallback(sa, pek);
	memzero_explicit(pek, sizeof(pek));
}

/* The last reference is gone: no reader, no datagram in the cipher. */
static void pc5_sa_free_work(struct work_struct *work)
{
	struct pc5_sa *sa = container_of(work, struct pc5_sa, free_work);

	crypto_free_aead(sa->aead);
	crypto_free_skcipher(sa->skc);
	crypto_free_aead(sa->aead_sync);
	crypto_free_skcipher(sa->skc_sync);
	pc5_key_put(sa->key);
	kfree_sensitive(sa);
	if (atomic_dec_and_test(&pc5_nsas))
		wake_up_var(&pc5_nsas);
}

/* Drops a reference; the transform is freed in process context. Any context. */
void pc5_sa_put(struct pc5_sa *sa)
{
	if (sa && refcount_dec_and_test(&sa->refs))
		queue_work(pc5_wq, &sa->free_work);
}

static void pc5_sa_put_work(struct work_struct *work)
{
	pc5_sa_put(container_of(to_rcu_work(work), struct pc5_sa, put_work));
}

/* Drops the reference of a slot the SA was just taken out of, after RCU readers. */
void pc5_sa_put_rcu(struct pc5_sa *sa)
{
	if (!sa)
		return;
	INIT_RCU_WORK(&sa->put_work, pc5_sa_put_work);
	queue_rcu_work(pc5_wq, &sa->put_work);
}

/*
 * A datagram in the cipher: what its completion needs, then the copy of
 * its context (beginning with its request), the cipher's request, the IV
 * and the scatterlist.
 */
struct pc5_crypt {
	struct pc5_crypt_buf *buf;	/* the CPU buffer it is in; NULL: kmalloc() */
	u8 *req;
	unsigned int reqsize;
	int err;			/* force_async: the result, for the worker */
	struct work_struct work;
	struct pc5_crypt_req *ctx;	/* the copy */
};

/*
 * Almost every datagram is through the cipher before pc5_sa_crypt()
 * returns, so each CPU keeps a buffer for its pc5_crypt, rather than
 * allocating and zeroing one per datagram (kmalloc() under init_on_alloc,
 * and kfree_sensitive()). A datagram finds it taken while another one it
 * interrupted, or one still in an asynchronous cipher, holds it: it then
 * allocates its own.
 */
#define PC5_CRYPT_BUF_SIZE 2048

struct pc5_crypt_buf {
	unsigned long busy;		/* bit 0: owned by a datagram */
	u64 data[(PC5_CRYPT_BUF_SIZE - sizeof(unsigned long)) / sizeof(u64)];
};

/*
 * Pointers to kmalloc() memory: a scatterlist needs the linear map, which
 * per-CPU memory need not be in.
 */
static struct pc5_crypt_buf * __percpu *pc5_crypt_bufs;

/* On unload, after pc5_sa_wait_all(), or a failed load: none is in use. */
void pc5_crypt_exit(void)
{
	int cpu;

	if (!pc5_crypt_bufs)
		return;
	for_each_possible_cpu(cpu)
		kfree_sensitive(*per_cpu_ptr(pc5_crypt_bufs, cpu));
	free_percpu(pc5_crypt_bufs);
	pc5_crypt_bufs = NULL;
}

int pc5_crypt_init(void)
{
	struct pc5_crypt_buf *b;
	int cpu;

	pc5_crypt_bufs = alloc_percpu(struct pc5_crypt_buf *);
	if (!pc5_crypt_bufs)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		b = kzalloc_node(sizeof(*b), GFP_KERNEL, cpu_to_node(cpu));
		if (!b) {
			pc5_crypt_exit();
			return -ENOMEM;
		}
		*per_cpu_ptr(pc5_crypt_bufs, cpu) = b;
	}
	return 0;
}

/* A datagram's request; @own: not in the CPU's buffer (it may sleep). */
static struct pc5_crypt *pc5_crypt_alloc(size_t size, bool own)
{
	/* Any CPU's buffer will do: the bit, not the CPU, makes it ours. */
	struct pc5_crypt_buf *b = raw_cpu_read(*pc5_crypt_bufs);
	struct pc5_crypt *c;

	if (!own && size <= sizeof(b->data) && !test_and_set_bit_lock(0, &b->busy)) {
		c = (struct pc5_crypt *)b->data;
		c->buf = b;
		return c;
	}
	c = kmalloc(size, own ? GFP_KERNEL : GFP_ATOMIC);
	if (c)
		c->buf = NULL;
	return c;
}

/*
 * The request's context may hold cipher state (a software GCM keeps its
 * tag mask there): it is zeroed before the buffer is used again.
 */
static void pc5_crypt_free(struct pc5_crypt *c)
{
	struct pc5_crypt_buf *b = c->buf;
	struct pc5_sa *sa = c->ctx->sa;

	if (b) {
		memzero_explicit(c->req, c->reqsize);
		clear_bit_unlock(0, &b->busy);
	} else {
		kfree_sensitive(c);
	}
	pc5_sa_put(sa);
}

static void pc5_crypt_complete(PC5_CRYPTO_DONE_ARG arg, int err)
{
	struct pc5_crypt *c = pc5_crypto_done_data(arg);

	/* A request out of the backlog is only now in the queue. */
	if (err == -EINPROGRESS)
		return;
	c->ctx->done(c->ctx, err);
	pc5_crypt_free(c);
}

/* force_async: a completion as cryptd gives it, from a worker with BHs off. */
static void pc5_crypt_deferred(struct work_struct *work)
{
	struct pc5_crypt *c = container_of(work, struct pc5_crypt, work);

	local_bh_disable();
	c->ctx->done(c->ctx, c->err);
	local_bh_enable();
	pc5_crypt_free(c);
}

/* Starts the cipher on a request set up by pc5_sa_crypt(). */
static int pc5_crypt_start(void *req, bool aead, bool encrypt)
{
	if (aead)
		return encrypt ? crypto_aead_encrypt(req) : crypto_aead_decrypt(req);
	return encrypt ? crypto_skcipher_encrypt(req) : crypto_skcipher_decrypt(req);
}

/* See crypto.h. */
int pc5_sa_crypt(const struct pc5_crypt_req *r)
{
	struct pc5_sa *sa = r->sa;
	struct crypto_skcipher *skc = sa->skc, *skc_sync;
	struct crypto_aead *aead = sa->aead, *aead_sync;
	unsigned int icv, reqsize, ctxsize, size;
	DECLARE_CRYPTO_WAIT(wait);
	struct scatterlist *sg;
	struct pc5_crypt *c;
	u8 *req, *iv;
	u32 flags = 0;
	int err;

	if (!aead && !skc)
		return 0;				/* eea0 */
	/*
	 * A SIMD transform called while the vector unit is taken (softirq
	 * on top of a kernel FPU section) queues the datagram to cryptd, and
	 * then every later datagram behind it until the queue is empty: under
	 * load, never. The synchronous transform keeps the SIMD one's queue
	 * empty, so it always finishes at once. It may come after the SA is
	 * in use (pc5_sa_complete()): loaded with acquire.
	 */
	aead_sync = smp_load_acquire(&sa->aead_sync);
	skc_sync = smp_load_acquire(&sa->skc_sync);	/* the same */
	if ((aead_sync || skc_sync) && !crypto_simd_usable()) {
		aead = aead_sync;
		skc = skc_sync;
	}

	icv = aead ? PC5SEC_ICV_LEN : 0;
	reqsize = aead ? sizeof(struct aead_request) + crypto_aead_reqsize(aead) :
			 sizeof(struct skcipher_request) + crypto_skcipher_reqsize(skc);
	reqsize = ALIGN(reqsize, __alignof__(struct scatterlist));
	ctxsize = ALIGN(r->ctx_size, __alignof__(u64));
	size = sizeof(*c) + ctxsize + reqsize + PC5_IV_LEN + (r->nfrags + 1) * sizeof(*sg);
	c = pc5_crypt_alloc(size, !r->done);
	if (!c)
		return -ENOMEM;
	c->reqsize = reqsize;
	c->ctx = (struct pc5_crypt_req *)(c + 1);
	req = (u8 *)c->ctx + ctxsize;
	c->req = req;
	iv = req + reqsize;
	sg = (struct scatterlist *)(iv + PC5_IV_LEN);
	/* Taken along: done() may run before this returns. */
	memcpy(c->ctx, r, r->ctx_size);
	pc5_iv(iv, r->count, sa->key->group->bearer);
	refcount_inc(&sa->refs);

	sg_init_table(sg, r->nfrags + 1);
	if (aead) {
		sg_set_buf(sg, c->ctx->aad, r->aad_len);
		err = skb_to_sgvec(r->skb, sg + 1, r->off, r->len + icv);
	} else {
		err = skb_to_sgvec(r->skb, sg, r->off, r->len);
	}
	if (unlikely(err < 0))
		goto out;

	if (!r->done)
		flags = CRYPTO_TFM_REQ_MAY_SLEEP | CRYPTO_TFM_REQ_MAY_BACKLOG;
	if (aead) {
		struct aead_request *areq = (struct aead_request *)req;

		aead_request_set_tfm(areq, aead);
		if (r->done)
			aead_request_set_callback(areq, 0, pc5_crypt_complete, c);
		else
			aead_request_set_callback(areq, flags, crypto_req_done, &wait);
		aead_request_set_ad(areq, r->aad_len);
		aead_request_set_crypt(areq, sg, sg, r->len + (r->encrypt ? 0 : icv), iv);
	} else {
		struct skcipher_request *sreq = (struct skcipher_request *)req;

		skcipher_request_set_tfm(sreq, skc);
		if (r->done)
			skcipher_request_set_callback(sreq, 0, pc5_crypt_complete, c);
		else
			skcipher_request_set_callback(sreq, flags, crypto_req_done, &wait);
		skcipher_request_set_crypt(sreq, sg, sg, r->len, iv);
	}
	err = pc5_crypt_start(req, aead, r->encrypt);
	if (!r->done) {
		err = crypto_wait_req(err, &wait);
		goto out;
	}
	if (err == -EINPROGRESS || err == -EBUSY)
		return -EINPROGRESS;
	if (pc5_force_async && sa->async) {
		c->err = err;
		INIT_WORK(&c->work, pc5_crypt_deferred);
		queue_work(pc5_wq, &c->work);
		return -EINPROGRESS;
	}
out:
	pc5_crypt_free(c);
	return err;
}
