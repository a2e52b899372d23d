/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A group key (PGK) and its whole life (key.c): creation, install, the tx
 * position and its rollover, the key's worker, expiry, kill and release.
 */
#ifndef _PC5SEC_KEY_H
#define _PC5SEC_KEY_H

#include <linux/hashtable.h>
#include <linux/llist.h>
#include <linux/netlink.h>
#include <linux/refcount.h>
#include <linux/sizes.h>
#include <linux/skbuff.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <uapi/linux/pc5sec.h>

#include "group.h"
#include "kdf.h"
#include "main.h"
#include "stats.h"

struct pc5_sa;

/*
 * Datagrams from a sender or PTK ID without an SA wait for the key's
 * worker, which tries each with the key's trial SA before anything is
 * made for it (receive.c). What an attacker's datagrams can take of that
 * is bounded per key: PC5_MAX_PENDING datagrams waiting, of
 * PC5_PENDING_BYTES (truesize) at most, PC5_PENDING_PER_MEMBER of them
 * with one Group Member ID (what a real member sends at full rate until
 * its first datagram is tried, when it starts or takes a new key; the
 * rest are for others); and trials taking PC5_TRIAL_NS_PER_S of the
 * worker's time a second, and all keys' of a namespace together
 * PC5_NET_TRIAL_NS_PER_S (main.h).
 */
#define PC5_MAX_PENDING		256
#define PC5_PENDING_BYTES	SZ_1M
#define PC5_PENDING_PER_MEMBER	192
#define PC5_TRIAL_NS_PER_S	(100 * NSEC_PER_MSEC)
/* What a datagram reserves for its trial until the worker has measured one. */
#define PC5_TRIAL_NS_FIRST	(20 * NSEC_PER_USEC)

/* How many datagrams of one Group Member ID wait: a small hash table. */
#define PC5_PENDING_MEMBERS_BITS 6

struct pc5_pending_member {
	u32 member_id;
	u32 count;			/* 0: a free entry */
};

/*
 * Its group's key slot holds one reference, each of its SAs another; a key
 * holds a reference on its group. docs/design.md, "Lifetimes and locking".
 */
struct pc5_key {
	u32 pgk_id;
	u8 index;
	u8 suite;
	s64 not_before;
	s64 soft_expires;		/* S64_MAX: none */
	s64 expires;			/* S64_MAX: none */
	u64 install_seq;		/* ties in tx key choice: latest wins */
	bool soft_notified;		/* under pc5_net.lock */

	spinlock_t tx_lock;		/* the tx position below */
	u16 tx_ptk_first;
	u16 tx_ptk_id;
	u16 tx_counter;			/* last counter sent, 0: none yet */
	u16 tx_ptk_limit;
	bool tx_exhausted;
	bool tx_low_notified;
	struct pc5_sa __rcu *tx_sa;	/* of tx_ptk_id */
	struct pc5_sa *tx_next;		/* of tx_ptk_id + 1, once made */

	spinlock_t rx_lock;		/* senders (changes), pending, trial budget */
	DECLARE_HASHTABLE(senders, 5);	/* struct pc5_sender, sender.c */
	unsigned int nsenders;
	struct llist_head want_next;	/* senders whose next SA to make */
	struct sk_buff_head pending;	/* datagrams waiting for a trial */
	unsigned int pending_bytes;	/* their truesize */
	struct pc5_pending_member pending_members[1 << PC5_PENDING_MEMBERS_BITS];
	struct pc5_trial_budget trial_budget;
	u32 trial_ns;			/* what a trial costs: the worker's average */
	struct pc5_sa *trial;		/* the worker's, keyed anew per trial */
	struct work_struct work;	/* makes SAs: tx next, senders', trials */
	struct pc5_net *pn;
	struct pc5_group *group;	/* set when installed */
	bool dead;			/* killed: the worker has nothing to do */

	refcount_t refs;
	struct pc5_stats __percpu *stats;
	struct pc5_hmac_key pgk;
	u8 check[PC5SEC_KEY_CHECK_LEN];	/* the PGK's key check value */
	char *keyring;			/* the logon key's description, or NULL */
	u8 *userdata;			/* the caller's, opaque, or NULL */
	u16 userdata_len;
	struct rcu_work kill_work;
};

/**
 * pc5_suite_check() - may a key of this suite be installed?
 * @suite: the suite
 * @extack: says why not
 * @attr: the attribute that named it
 *
 * Return: 0, -EINVAL, -EPERM (eea0 without allow_null) or -EOPNOTSUPP.
 */
int pc5_suite_check(u8 suite, struct netlink_ext_ack *extack, const struct nlattr *attr);

/**
 * pc5_key_create() - a key without its PGK or group yet
 *
 * Context: process context. pc5_hmac_key_init() takes its PGK,
 * pc5_key_install() puts it in its group; pc5_key_kill() ends one that
 * was never installed.
 *
 * Return: the key, with one reference, or NULL without memory.
 */
struct pc5_key *pc5_key_create(void);

/**
 * pc5_key_set_pgk() - absorbs a key's PGK and computes its check value
 * @k: the key, from pc5_key_create()
 * @pgk: the PGK, PC5SEC_PGK_LEN octets; the caller wipes it
 */
void pc5_key_set_pgk(struct pc5_key *k, const u8 *pgk);

/* What the description of a logon key that holds a PGK starts with */
#define PC5_KEYRING_PREFIX "pc5sec:"

/**
 * pc5_key_set_pgk_keyring() - takes a key's PGK from a "logon" key
 * @k: the key, from pc5_key_create()
 * @attr: PC5SEC_KEY_A_KEYRING, the logon key's description
 * @extack: says why it failed
 *
 * Looks the logon key, whose description must start with
 * PC5_KEYRING_PREFIX, up in the calling process's keyrings (no upcall),
 * absorbs its payload as pc5_key_set_pgk() does and keeps the
 * description. The PGK is copied: what later happens to the logon key
 * does not touch @k. Process context, in the caller's.
 *
 * Return: 0; -ENOKEY, -EKEYREVOKED, -EKEYEXPIRED, -EACCES (the lookup);
 * -EINVAL (not PC5SEC_PGK_LEN octets); -ENOMEM; -EOPNOTSUPP without
 * CONFIG_KEYS.
 */
int pc5_key_set_pgk_keyring(struct pc5_key *k, const struct nlattr *attr,
			    struct netlink_ext_ack *extack);

/**
 * pc5_key_install() - puts a key in a free slot of its group
 * @pn: the namespace, its lock held
 * @g: the group
 * @k: the key, from pc5_key_create()
 *
 * Makes the SA of its first tx PTK ID and its trial SA; its worker makes
 * the next one.
 *
 * Return: 0, -ENOSPC (no free slot) or -ENOMEM.
 */
int pc5_key_install(struct pc5_net *pn, struct pc5_group *g, struct pc5_key *k);

/**
 * pc5_key_remove() - takes a key out of its group's slot
 * @pn: the namespace, its lock held
 * @g: the group
 * @slot: the key's slot
 *
 * pc5_key_kill() follows after an RCU grace period.
 */
void pc5_key_remove(struct pc5_net *pn, struct pc5_group *g, unsigned int slot);

/**
 * pc5_key_kill() - ends a key no datapath reader can see
 * @k: the key, out of its slot a grace period ago, or never installed
 *
 * Stops its worker, drops the datagrams waiting for it, empties its SA
 * slots and puts the slot's reference. Process context.
 */
void pc5_key_kill(struct pc5_key *k);

/* Drops a reference; the last releases the key. Process context. */
void pc5_key_put(struct pc5_key *k);

/**
 * pc5_key_find() - the group's key with a PGK index
 * @pn: the namespace
 * @g: the group
 * @index: the PGK index (the PGK ID's low octet)
 *
 * Under RCU or pc5_net.lock.
 *
 * Return: the key, or NULL.
 */
struct pc5_key *pc5_key_find(struct pc5_net *pn, struct pc5_group *g, u8 index);

/**
 * pc5_key_find_id() - the group's key with a PGK ID, and its slot
 * @pn: the namespace, its lock held
 * @g: the group
 * @pgk_id: the PGK ID
 * @slot: where its slot goes, if not NULL
 *
 * Return: the key, or NULL.
 */
struct pc5_key *pc5_key_find_id(struct pc5_net *pn, struct pc5_group *g, u32 pgk_id,
				unsigned int *slot);

/* The key's state at @now (CLOCK_REALTIME s), as netlink reports it. */
enum pc5sec_key_state pc5_key_state(struct pc5_key *k, s64 now);

/* Where the next datagram a key protects goes: its PTK ID, counter and SA. */
struct pc5_tx_pos {
	u16 ptk_id;
	u16 counter;
	struct pc5_sa *sa;		/* valid under RCU */
};

/**
 * pc5_key_tx() - the key for a datagram to a group, and its next position
 * @pn: the namespace
 * @g: the group
 * @pos: the position taken
 *
 * Spec section 5: the key active now with the latest not-before, not
 * exhausted. Under RCU.
 *
 * Return: the key, or NULL if none can send. *@pos.sa is NULL if the
 * key's next PTK ID's SA is not made yet: its worker is on it.
 */
struct pc5_key *pc5_key_tx(struct pc5_net *pn, struct pc5_group *g, struct pc5_tx_pos *pos);

/**
 * pc5_key_tx_raise() - raises a key's tx PTK ID limit (KEY_SET)
 * @k: the key
 * @limit: the new limit
 *
 * An exhausted key can send again, up to it.
 *
 * Return: 0, or -EINVAL if @limit is below the current one.
 */
int pc5_key_tx_raise(struct pc5_key *k, u16 limit);

/* Makes the lifetime worker run at @when (CLOCK_REALTIME s) or earlier; under pc5_net.lock. */
void pc5_lifetime_schedule(struct pc5_net *pn, s64 when);

/* Announces soft expiries and removes expired keys: pc5_net.lifetime_work. */
void pc5_lifetime_work(struct work_struct *work);

#endif /* _PC5SEC_KEY_H */
