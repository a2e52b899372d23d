/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The suites of spec section 4, security associations (one PEK in a
 * transform of its suite's cipher), and a datagram's trip through the
 * cipher (crypto.c).
 */
#ifndef _PC5SEC_CRYPTO_H
#define _PC5SEC_CRYPTO_H

#include <linux/refcount.h>
#include <linux/skbuff.h>
#include <linux/workqueue.h>
#include <crypto/aead.h>
#include <crypto/skcipher.h>

#include "proto.h"

struct pc5_key;

/* A suite's name, as the tool spells it. */
const char *pc5_suite_name(u8 suite);
/* Its crypto API algorithm, or NULL (eea0). */
const char *pc5_suite_alg(u8 suite);
/* Its ICV's length: PC5SEC_ICV_LEN, or 0 for the suites without one. */
unsigned int pc5_suite_icv_len(u8 suite);

/*
 * A security association: one PEK, in a transform of its suite's cipher.
 * Its key's slots (tx, a sender's) hold one reference, each datagram in
 * the cipher another; an SA holds a reference on its key.
 */
struct pc5_sa {
	u16 ptk_id;
	bool async;			/* the transform may complete later */
	refcount_t refs;
	struct pc5_key *key;
	struct crypto_aead *aead;	/* AEAD suites */
	struct crypto_skcipher *skc;	/* the others but eea0 */
	/*
	 * For a SIMD transform that may pass datagrams to cryptd: a
	 * synchronous one of the same cipher and key, used while the CPU's
	 * vector unit is taken (crypto.c, pc5_sa_crypt()). Set once, maybe
	 * after the SA is in use (pc5_sa_complete()).
	 */
	struct crypto_aead *aead_sync;
	struct crypto_skcipher *skc_sync;
	struct rcu_work put_work;	/* drops the slot's reference */
	struct work_struct free_work;
};

/**
 * pc5_sa_create() - the SA of a sender's PTK ID under a key
 * @k: the key, installed in its group
 * @member_id: the sender's Group Member ID
 * @ptk_id: the PTK ID
 *
 * Derives the PEK and sets up the transforms. Process context.
 *
 * Return: the SA with one reference, or NULL.
 */
struct pc5_sa *pc5_sa_create(struct pc5_key *k, u32 member_id, u16 ptk_id);

/* A key's trial SA, which pc5_sa_rekey() keys for each trial. Process context. */
struct pc5_sa *pc5_sa_create_trial(struct pc5_key *k);

/**
 * pc5_sa_rekey() - keys the trial SA for a sender's PTK ID
 * @sa: the key's trial SA, no datagram in its cipher
 * @member_id: the sender's Group Member ID
 * @ptk_id: the PTK ID
 *
 * The key's worker only.
 *
 * Return: 0 or the cipher's error.
 */
int pc5_sa_rekey(struct pc5_sa *sa, u32 member_id, u16 ptk_id);

/* A trial SA kept for a sender gets what pc5_sa_create() gives. Process context. */
void pc5_sa_complete(struct pc5_sa *sa, u32 member_id);

/* Drops a reference (NULL: none); any context. */
void pc5_sa_put(struct pc5_sa *sa);

/* Drops a slot's reference after an RCU grace period; any context. */
void pc5_sa_put_rcu(struct pc5_sa *sa);

/* Waits until every SA is freed: module unload. */
void pc5_sa_wait_all(void);

/* The per-CPU request buffers: made at load, freed at unload. */
int pc5_crypt_init(void);
void pc5_crypt_exit(void);

/*
 * What pc5_sa_crypt() does to a datagram. It begins each direction's
 * datagram context (struct pc5_tx_dgram, struct pc5_rx_dgram), which the
 * cipher copies to take along: a done() that runs later gets the copy,
 * and with container_of() the whole context, as the hook had it.
 */
struct pc5_crypt_req {
	struct sk_buff *skb;
	struct pc5_sa *sa;
	unsigned int off;		/* of the octets to en- or decrypt */
	unsigned int len;		/* their length; the ICV follows them */
	int nfrags;			/* the skb's, from skb_cow_data() */
	u32 count;			/* COUNT: PTK ID || counter */
	bool encrypt;
	u8 aad_len;
	u8 aad[PC5_AAD_MAX];
	/* Ends the datagram if the cipher completes later; NULL: wait for it. */
	void (*done)(struct pc5_crypt_req *req, int err);
	unsigned int ctx_size;		/* of the context this begins */
};

/**
 * pc5_sa_crypt() - en- or decrypts a datagram in place
 * @r: the request, at the start of its datagram context
 *
 * Encrypts (or decrypts) the @r->len octets at @r->off, and for AEAD
 * suites writes (or checks) the ICV after them, with the AAD given. The
 * skb must be writable (skb_cow_data()), with the ICV room in it. Without
 * @r->done it waits for the cipher (process context: the key's worker).
 *
 * Return: 0, -EBADMSG on a wrong ICV, another error, or -EINPROGRESS:
 * then the cipher owns the skb, and @r->done gets the context's copy and
 * the result once the cipher is done, the SA still valid.
 */
int pc5_sa_crypt(const struct pc5_crypt_req *r);

#endif /* _PC5SEC_CRYPTO_H */
