/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PC5SEC_H
#define _PC5SEC_H

#include <linux/hashtable.h>
#include <linux/llist.h>
#include <linux/sizes.h>
#include <linux/in6.h>
#include <linux/mutex.h>
#include <linux/netfilter.h>
#include <linux/skbuff.h>
#include <linux/netlink.h>
#include <linux/percpu.h>
#include <linux/spinlock.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>
#include <crypto/sha2.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <uapi/linux/pc5sec.h>

extern bool pc5_allow_null;
extern bool pc5_force_async;
extern struct workqueue_struct *pc5_wq;

/* Per-CPU counters, indexed by enum pc5sec_stat. */
struct pc5_stats {
	u64_stats_t v[__PC5SEC_STAT_MAX];
	struct u64_stats_sync syncp;
};

struct pc5_stats __percpu *pc5_stats_alloc(void);
void pc5_stats_read(struct pc5_stats __percpu *stats, u64 *sum);

/*
 * From process context (send) as well as softirq (receive): a receive
 * that interrupts a send on the same CPU must not lose either's count.
 */
static inline void pc5_stats_add(struct pc5_stats __percpu *stats,
				 enum pc5sec_stat idx, u64 n)
{
	struct pc5_stats *s = get_cpu_ptr(stats);
	unsigned long flags;

	flags = u64_stats_update_begin_irqsave(&s->syncp);
	u64_stats_add(&s->v[idx], n);
	u64_stats_update_end_irqrestore(&s->syncp, flags);
	put_cpu_ptr(stats);
}

/*
 * HMAC-SHA-256 with its key absorbed: the hash states after key ^ ipad and
 * key ^ opad. This is all a key needs to keep of its PGK.
 */
struct pc5_hmac_key {
	struct sha256_state inner;
	struct sha256_state outer;
};

void pc5_hmac_key_init(struct pc5_hmac_key *hk, const u8 *key, unsigned int len);
void pc5_kdf_pek(const struct pc5_hmac_key *pgk, u32 member_id, u16 ptk_id,
		 u32 group_id, u8 alg_id, u8 pek[PC5SEC_PEK_LEN]);
int pc5_kdf_selftest(void);

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
 * PC5_NET_TRIAL_NS_PER_S (struct pc5_trial_budget).
 */
#define PC5_MAX_PENDING		256
#define PC5_PENDING_BYTES	SZ_1M
#define PC5_PENDING_PER_MEMBER	192
#define PC5_TRIAL_NS_PER_S	(100 * NSEC_PER_MSEC)
#define PC5_NET_TRIAL_NS_PER_S	(250 * NSEC_PER_MSEC)

/*
 * CPU time for trials: nanoseconds, credited at a rate, in bursts of a
 * tenth of a second's worth. A datagram reserves what a trial has cost so
 * far (pc5_key.trial_ns), and its trial settles at what it took. A key's
 * is under its rx_lock, a namespace's under its trial_lock; both are read
 * without, for an early drop.
 */
struct pc5_trial_budget {
	s64 ns;
	u64 stamp;			/* jiffies64 of its last credit */
};

/* How many datagrams of one Group Member ID wait: a small hash table. */
#define PC5_PENDING_MEMBERS_BITS 6

struct pc5_pending_member {
	u32 member_id;
	u32 count;			/* 0: a free entry */
};

/*
 * A group key (PGK): its transmit position and the senders received with
 * it. Its group's key slot holds one reference, each of its SAs another;
 * a key holds a reference on its group.
 */
struct pc5_key {
	u32 pgk_id;
	u8 index;
	u8 suite;
	s64 not_before;
	s64 soft_expires;		/* S64_MAX: none */
	s64 expires;			/* S64_MAX: none */
	u64 install_seq;		/* ties in tx key choice: latest wins */
	bool soft_notified;

	/* Of its group, for the key schedule: set when installed. */
	u32 group_id;
	u32 member_id;
	u8 bearer;

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
	bool dead;			/* unlinked: the worker has nothing to do */

	refcount_t refs;
	struct pc5_stats __percpu *stats;
	struct pc5_hmac_key pgk;
	struct rcu_work free_work;
};

struct pc5_addr {
	sa_family_t family;		/* AF_INET or AF_INET6 */
	union {
		__be32 v4;
		struct in6_addr v6;
	};
};

/* A ProSe group: its address, identities and keys. */
struct pc5_group {
	struct hlist_node node;		/* pc5_net.groups, under pc5_net.lock */
	struct pc5_addr addr;
	u32 group_id;
	u32 member_id;
	int ifindex;			/* 0: any interface */
	u8 bearer;
	u32 replay_window;
	u8 plaintext;			/* enum pc5sec_plaintext_policy */

	struct pc5_key __rcu *keys[PC5SEC_MAX_KEYS];
	unsigned int nkeys;
	u64 key_seq;

	refcount_t refs;		/* the table's, and one per key */
	struct pc5_stats __percpu *stats;
	struct rcu_head rcu;
};

#define PC5_GROUP_HASH_BITS 10

/* Per network namespace state. */
struct pc5_net {
	struct net *net;
	struct mutex lock;		/* groups and keys: every change */
	DECLARE_HASHTABLE(groups, PC5_GROUP_HASH_BITS);
	unsigned int ngroups;
	u32 gen;			/* bumped on every change, for dumps */
	struct pc5_stats __percpu *stats;

	struct delayed_work lifetime_work;
	s64 lifetime_next;		/* when lifetime_work is due */
	/* jiffies of the last datapath event, per kind: rx, tx */
	unsigned long event_ratelimit[2];
	spinlock_t trial_lock;		/* trial_budget; inside pc5_key.rx_lock */
	struct pc5_trial_budget trial_budget;	/* all keys' trials together */
};

extern unsigned int pc5_net_id;

static inline struct pc5_net *pc5_net(const struct net *net)
{
	return net_generic(net, pc5_net_id);
}

/* group.c */
struct pc5_group *pc5_group_lookup(struct pc5_net *pn, const struct pc5_addr *addr);
struct pc5_group *pc5_group_create(void);
void pc5_group_insert(struct pc5_net *pn, struct pc5_group *g);
void pc5_group_remove(struct pc5_net *pn, struct pc5_group *g);
void pc5_group_put(struct pc5_group *g);
void pc5_groups_flush(struct pc5_net *pn, bool notify);

/* key.c */
int pc5_suite_check(u8 suite, struct netlink_ext_ack *extack, const struct nlattr *attr);
struct pc5_key *pc5_key_create(void);
void pc5_key_kill(struct pc5_key *k);
void pc5_key_put(struct pc5_key *k);
struct pc5_key *pc5_key_find_id(struct pc5_group *g, u32 pgk_id, unsigned int *slot);
struct pc5_key *pc5_key_find_index(struct pc5_group *g, u8 index);
int pc5_key_install(struct pc5_net *pn, struct pc5_group *g, struct pc5_key *k);
void pc5_key_remove(struct pc5_net *pn, struct pc5_group *g, unsigned int slot);
enum pc5sec_key_state pc5_key_state(struct pc5_key *k, s64 now);
void pc5_lifetime_schedule(struct pc5_net *pn, s64 when);
void pc5_lifetime_work(struct work_struct *work);

/* crypto.c */
const char *pc5_suite_name(u8 suite);
const char *pc5_suite_alg(u8 suite);
unsigned int pc5_suite_icv_len(u8 suite);
struct pc5_sa *pc5_sa_create(struct pc5_key *k, u32 member_id, u16 ptk_id);
struct pc5_sa *pc5_sa_create_trial(struct pc5_key *k);
int pc5_sa_rekey(struct pc5_sa *sa, u32 member_id, u16 ptk_id);
void pc5_sa_complete(struct pc5_sa *sa, u32 member_id);
void pc5_sa_put(struct pc5_sa *sa);
void pc5_sa_put_rcu(struct pc5_sa *sa);
void pc5_sa_wait_all(void);
int pc5_crypt_init(void);
void pc5_crypt_exit(void);
/* Finishes a datagram whose cipher completed later: @len is its crypt length. */
typedef void (*pc5_crypt_done_t)(struct sk_buff *skb, struct pc5_sa *sa, unsigned int len,
				 int err);

/* What pc5_sa_crypt() does to a datagram. */
struct pc5_crypt_req {
	struct sk_buff *skb;
	unsigned int off;		/* of the octets to en- or decrypt */
	unsigned int len;		/* their length; the ICV follows them */
	int nfrags;			/* the skb's, from skb_cow_data() */
	u32 count;			/* COUNT: PTK ID || counter */
	u8 bearer;
	bool encrypt;
	const u8 *aad;
	unsigned int aad_len;
	pc5_crypt_done_t done;		/* NULL: wait (process context) */
};

int pc5_sa_crypt(struct pc5_sa *sa, const struct pc5_crypt_req *r);

/*
 * What a received datagram keeps in skb->cb, after the IP layer's own
 * control block: while it waits for a trial or is in an asynchronous
 * cipher, how its hook would have gone on and where its headers are;
 * once let on at PRE_ROUTING, pc5_rx_cookie, which tells LOCAL_IN (and
 * FORWARD) so, for that pass only.
 */
struct pc5_rx_cb {
	union {
		struct inet_skb_parm h4;
		struct inet6_skb_parm h6;
	} header;
	union {
		struct {
			int (*okfn)(struct net *net, struct sock *sk, struct sk_buff *skb);
			u8 pf;
			u8 hook;
			u16 hlen;	/* at most PC5_MAX_HLEN */
			u16 nhoff;
			u32 reserved;	/* ns of the trial budget, 0: none */
		};
		u64 seen;
	};
};

#define PC5_RX_CB(skb) ((struct pc5_rx_cb *)(skb)->cb)

/* send.c, receive.c */
unsigned int pc5_tx_hook(void *priv, struct sk_buff *skb,
			 const struct nf_hook_state *state);
struct pc5_group *pc5_tx_group(struct pc5_net *pn, struct sk_buff *skb, bool v6);
void pc5_tx_make_next(struct pc5_key *k);
unsigned int pc5_rx_hook(void *priv, struct sk_buff *skb,
			 const struct nf_hook_state *state);
unsigned int pc5_fwd_hook(void *priv, struct sk_buff *skb,
			  const struct nf_hook_state *state);
extern u64 pc5_rx_cookie;
void pc5_rx_resume(struct pc5_key *k);
void pc5_rx_drop_pending(struct sk_buff *skb);

/* netlink.c */
int pc5_netlink_init(void);
void pc5_netlink_exit(void);
void pc5_nl_notify_group(struct pc5_net *pn, struct pc5_group *g, u8 cmd);
void pc5_nl_notify_key(struct pc5_net *pn, struct pc5_group *g,
		       struct pc5_key *k, u8 cmd, gfp_t gfp);
void pc5_nl_notify_datapath(struct pc5_net *pn, struct pc5_group *g, u8 cmd,
			    int index, u32 sender_id);

#endif /* _PC5SEC_H */
