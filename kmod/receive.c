// SPDX-License-Identifier: GPL-2.0
/*
 * Ingress: a protected datagram to a group is checked, decrypted and
 * delivered as if it had arrived in clear; a plaintext one is dropped
 * unless its group accepts plaintext (spec section 6). This happens at
 * PRE_ROUTING, so that the datagram is routed as the one its sender made,
 * like any other (IPv4 UDP's early demux gives it its socket's route).
 * What PRE_ROUTING lets on is marked so in skb->cb; LOCAL_IN, after
 * reassembly, takes every datagram that is not: fragments, datagrams this
 * host may also forward or bridge (see pc5_rx_late()), and any that did
 * not pass PRE_ROUTING. A marked datagram never leaves by FORWARD.
 *
 * Anyone in radio range can send anything, and every header field is
 * readable and forgeable, so a datagram changes no state that others
 * depend on until it is authenticated: by the ICV (aes-gcm-128), or for
 * the suites without one by its decrypted UDP header (pc5_rx_verify()).
 * A datagram whose sender (Group Member ID) or PTK ID has no SA yet
 * waits, within a budget per key that bounds what forged ones can take,
 * for the key's worker: it derives the PEK into the key's trial SA and
 * tries the datagram with it, and only if it is authentic makes the SA
 * and, for a new Group Member ID, the sender (pc5_rx_trial()).
 *
 * pc5_rx_hook() -> pc5_rx() -> pc5_rx_protected(): pc5_rx_check() (the
 * header, key.c's pc5_key_find(), sender.c's window), then with an SA
 * pc5_rx_start() -> pc5_sa_crypt() (crypto.c) -> pc5_rx_finish(), at once
 * or from pc5_rx_done(), -> pc5_rx_verdict(); without one pc5_rx_defer(),
 * and the key's worker: pc5_rx_resume() -> pc5_rx_trial() -> pc5_rx_end().
 */

#include <linux/hash.h>
#include <linux/igmp.h>
#include <linux/inetdevice.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <linux/netfilter_bridge.h>
#include <linux/random.h>
#include <linux/udp.h>
#include <net/addrconf.h>
#include <net/if_inet6.h>
#include <net/ip.h>
#include <net/ipv6.h>

#include "crypto.h"
#include "group.h"
#include "key.h"
#include "netlink.h"
#include "proto.h"
#include "receive.h"
#include "sender.h"

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

/* Random, so that what a driver left in skb->cb cannot pass for it. */
static u64 pc5_rx_cookie __read_mostly;

void pc5_rx_init(void)
{
	BUILD_BUG_ON(sizeof(struct pc5_rx_cb) > sizeof_field(struct sk_buff, cb));
	pc5_rx_cookie = get_random_u64();
}

/*
 * A datagram this host takes as its own: its verdict. Let on at
 * PRE_ROUTING, it is marked for LOCAL_IN to let be (and FORWARD to drop);
 * taken at LOCAL_IN, it is not, as nothing after needs the mark.
 */
static unsigned int pc5_rx_pass(struct sk_buff *skb, unsigned int hook)
{
	PC5_RX_CB(skb)->seen = hook == NF_INET_PRE_ROUTING ? pc5_rx_cookie : 0;
	return NF_ACCEPT;
}

/*
 * A datagram on its way in: where it is for, and for a protected one,
 * what its header and key say.
 */
struct pc5_rx_dgram {
	struct pc5_crypt_req crypt;	/* first: it goes into the cipher with it */
	struct pc5_net *pn;
	struct pc5_group *group;	/* NULL: none */
	struct pc5_key *key;		/* NULL: none yet */
	struct pc5_sender *sender;	/* NULL: none yet */
	struct pc5_hdr_fields hdr;
	u32 seq;			/* PTK ID || counter */
	unsigned int hlen;		/* of the IP header, the pc5sec header's offset */
	unsigned int nhoff;		/* of the octet naming the protocol */
	unsigned int plen;		/* plaintext octets */
	bool v6;
};

/*
 * A datagram's verdict: let on (@stat 0), or counted as dropped for
 * @stat, on its key and its group if it has them, else its namespace.
 * Every datagram that pc5sec drops on the way in is counted here, once,
 * but for those still waiting when their key is killed
 * (pc5_rx_drop_pending()).
 */
static unsigned int pc5_rx_verdict(const struct pc5_rx_dgram *d, enum pc5sec_stat stat,
				   unsigned int hook)
{
	if (!stat)
		return pc5_rx_pass(d->crypt.skb, hook);
	if (d->key)
		pc5_stats_add(d->key->stats, stat, 1);
	pc5_stats_add(d->group ? d->group->stats : d->pn->stats, stat, 1);
	return NF_DROP;
}

/*
 * Ends a datagram outside its hook (a cipher's completion, the key's
 * worker): delivers it as its hook would have, or drops it. @okfn is what
 * cb held (the mark for the later hooks replaces it). BHs off, under RCU.
 */
static void pc5_rx_end(const struct pc5_rx_dgram *d, enum pc5sec_stat stat,
		       int (*okfn)(struct net *, struct sock *, struct sk_buff *))
{
	struct sk_buff *skb = d->crypt.skb;

	lockdep_assert_in_softirq();
	if (pc5_rx_verdict(d, stat, PC5_RX_CB(skb)->hook) == NF_ACCEPT)
		okfn(dev_net(skb->dev), NULL, skb);
	else
		kfree_skb(skb);
}

/* The pc5sec header, made linear and read into @d; 0 or the drop reason. */
static enum pc5sec_stat pc5_rx_header(struct pc5_rx_dgram *d)
{
	struct sk_buff *skb = d->crypt.skb;

	if (!pskb_may_pull(skb, d->hlen + PC5SEC_HDR_LEN))
		return PC5SEC_STAT_RX_DROP_TOO_SHORT;
	pc5_hdr_get((struct pc5sec_hdr *)(skb->data + d->hlen), &d->hdr);
	d->seq = pc5_seq(d->hdr.ptk_id, d->hdr.counter);
	return 0;
}

/*
 * The checks of spec section 6 that come before the cipher, the replay
 * check against the window as it stands among them; fills in @d. Returns
 * 0 or the drop reason. Under RCU.
 */
static enum pc5sec_stat pc5_rx_check(struct pc5_rx_dgram *d)
{
	struct sk_buff *skb = d->crypt.skb;
	struct pc5_group *g = d->group;
	enum pc5sec_stat stat;
	unsigned int icv;
	struct pc5_key *k;

	stat = pc5_rx_header(d);
	if (stat)
		return stat;
	if (d->hdr.version != PC5SEC_WIRE_VERSION)
		return PC5SEC_STAT_RX_DROP_BAD_VERSION;
	k = pc5_key_find(d->pn, g, d->hdr.index);
	if (!k) {
		pc5_nl_notify_datapath(d->pn, g, PC5SEC_CMD_UNKNOWN_PGK_NTF, d->hdr.index,
				       d->hdr.member_id);
		return PC5SEC_STAT_RX_DROP_UNKNOWN_PGK;
	}
	d->key = k;
	if (ktime_get_real_seconds() >= k->expires)
		return PC5SEC_STAT_RX_DROP_KEY_EXPIRED;
	if (d->hdr.suite != k->suite)
		return PC5SEC_STAT_RX_DROP_SUITE_MISMATCH;
	if (!d->hdr.counter)
		return PC5SEC_STAT_RX_DROP_ZERO_COUNTER;
	icv = pc5_suite_icv_len(k->suite);
	if (skb->len < d->hlen + PC5SEC_HDR_LEN + 1 + icv)
		return PC5SEC_STAT_RX_DROP_TOO_SHORT;
	d->plen = skb->len - d->hlen - PC5SEC_HDR_LEN - icv;
	/* Without an ICV, only UDP can be checked (pc5_rx_verify()). */
	if (!icv && d->hdr.next != IPPROTO_UDP)
		return PC5SEC_STAT_RX_DROP_UNVERIFIABLE;
	if (!icv && d->plen < sizeof(struct udphdr))
		return PC5SEC_STAT_RX_DROP_TOO_SHORT;
	d->sender = pc5_sender_find(k, d->hdr.member_id);
	if (d->sender && !pc5_sender_fresh(d->sender, d->seq, READ_ONCE(g->replay_window)))
		return PC5SEC_STAT_RX_DROP_REPLAY;
	if (!d->sender && READ_ONCE(k->nsenders) >= PC5_MAX_SENDERS)
		return PC5SEC_STAT_RX_DROP_SENDER_LIMIT;
	return 0;
}

/*
 * A datagram about to outlive this RCU section (waiting for a trial, or in
 * an asynchronous cipher) keeps its route, if routed yet, and its device;
 * how to deliver it, and where its headers are, travel in cb. The caller
 * drops the device with dev_put() when done.
 */
static int pc5_rx_keep(const struct pc5_rx_dgram *d, const struct nf_hook_state *state)
{
	struct sk_buff *skb = d->crypt.skb;
	struct pc5_rx_cb *cb = PC5_RX_CB(skb);

	if (skb_dst(skb) && !skb_dst_force(skb))
		return -EINVAL;
	dev_hold(skb->dev);
	cb->okfn = state->okfn;
	cb->pf = state->pf;
	cb->hook = state->hook;
	cb->hlen = d->hlen;
	cb->nhoff = d->nhoff;
	return 0;
}

/* Credits @b for the time gone by, at @per_s nanoseconds a second. */
static void pc5_budget_refill(struct pc5_trial_budget *b, s64 per_s)
{
	u64 now = get_jiffies_64(), elapsed = min_t(u64, now - b->stamp, HZ);

	if (!elapsed)
		return;
	WRITE_ONCE(b->ns, min_t(s64, b->ns + elapsed * (per_s / HZ), PC5_TRIAL_BURST(per_s)));
	WRITE_ONCE(b->stamp, now);
}

/* Is @b spent for this jiffy? Lockless, a hint. */
static bool pc5_budget_spent(const struct pc5_trial_budget *b)
{
	return READ_ONCE(b->ns) <= 0 && !time_after64(get_jiffies_64(), READ_ONCE(b->stamp));
}

static bool pc5_budget_take(struct pc5_trial_budget *b, s64 per_s, u32 ns)
{
	pc5_budget_refill(b, per_s);
	if (b->ns <= 0)
		return false;
	WRITE_ONCE(b->ns, b->ns - ns);
	return true;
}

/*
 * What a trial took (0: there was none) comes off @b instead of what was
 * reserved: it may go below 0 for a while, a burst's worth at most (a
 * trial preempted for long must not stop trials for long).
 */
static void pc5_budget_settle(struct pc5_trial_budget *b, s64 per_s, u32 reserved, u64 took)
{
	s64 ns = b->ns + reserved - (s64)min_t(u64, took, S64_MAX / 2);

	WRITE_ONCE(b->ns, clamp_t(s64, ns, -PC5_TRIAL_BURST(per_s), PC5_TRIAL_BURST(per_s)));
}

/*
 * Reserves what a trial has cost so far from the key's trial budget and
 * its namespace's: returns the nanoseconds reserved, or 0 if either is
 * spent. Under rx_lock.
 */
static u32 pc5_rx_trial_reserve(struct pc5_key *k)
{
	u32 ns = max(READ_ONCE(k->trial_ns), 1u);
	struct pc5_net *pn = k->pn;
	bool taken;

	lockdep_assert_held(&k->rx_lock);
	if (!pc5_budget_take(&k->trial_budget, PC5_TRIAL_NS_PER_S, ns))
		return 0;
	spin_lock(&pn->trial_lock);
	taken = pc5_budget_take(&pn->trial_budget, PC5_NET_TRIAL_NS_PER_S, ns);
	spin_unlock(&pn->trial_lock);
	if (!taken)
		pc5_budget_settle(&k->trial_budget, PC5_TRIAL_NS_PER_S, ns, 0);
	return taken ? ns : 0;
}

/* Settles a reservation at what the trial took; under rx_lock. */
static void pc5_rx_trial_settle(struct pc5_key *k, u32 reserved, u64 took)
{
	struct pc5_net *pn = k->pn;

	lockdep_assert_held(&k->rx_lock);
	pc5_budget_settle(&k->trial_budget, PC5_TRIAL_NS_PER_S, reserved, took);
	spin_lock(&pn->trial_lock);
	pc5_budget_settle(&pn->trial_budget, PC5_NET_TRIAL_NS_PER_S, reserved, took);
	spin_unlock(&pn->trial_lock);
}

/*
 * The entry counting the waiting datagrams of @member_id (count 0 if none
 * waits), or NULL if too many members have datagrams waiting. Entries go
 * only all together, when the worker takes the queue. Under rx_lock, or
 * without it for a hint (pc5_rx_member_waits()).
 */
static struct pc5_pending_member *pc5_rx_pending_member(struct pc5_key *k, u32 member_id)
{
	unsigned int n = ARRAY_SIZE(k->pending_members), i, h;
	struct pc5_pending_member *m;

	h = hash_32(member_id, PC5_PENDING_MEMBERS_BITS);
	for (i = 0; i < n; i++) {
		m = &k->pending_members[(h + i) % n];
		if (!READ_ONCE(m->count) || READ_ONCE(m->member_id) == member_id)
			return m;
	}
	return NULL;
}

/* Does a datagram of @member_id wait? Without the lock: a hint. */
static bool pc5_rx_member_waits(struct pc5_key *k, u32 member_id)
{
	struct pc5_pending_member *m = pc5_rx_pending_member(k, member_id);

	return m && READ_ONCE(m->count);
}

/*
 * Queues a datagram without an SA for the key's worker to try, if the
 * key's bounds allow (key.h, PC5_MAX_PENDING): 0, or the drop reason.
 * The first of its Group Member ID in the queue reserves a trial from the
 * trial budget; the others wait on that one's trial (one authentic
 * datagram makes the SA the others need), and reserve one only if they
 * need a trial of their own. Nothing of a datagram is recorded anywhere
 * else until it is authenticated.
 */
static enum pc5sec_stat pc5_rx_defer(const struct pc5_rx_dgram *d,
				     const struct nf_hook_state *state)
{
	struct sk_buff *skb = d->crypt.skb;
	struct pc5_key *k = d->key;
	struct pc5_pending_member *m;
	enum pc5sec_stat stat = 0;
	u32 reserved = 0;

	/* Under a flood, the budget of this jiffy is spent: no lock for that. */
	if ((pc5_budget_spent(&k->trial_budget) || pc5_budget_spent(&k->pn->trial_budget)) &&
	    !pc5_rx_member_waits(k, d->hdr.member_id))
		return PC5SEC_STAT_RX_DROP_SA_LIMIT;
	spin_lock_bh(&k->rx_lock);
	m = pc5_rx_pending_member(k, d->hdr.member_id);
	if (READ_ONCE(k->dead) || skb_queue_len(&k->pending) >= PC5_MAX_PENDING ||
	    k->pending_bytes + skb->truesize > PC5_PENDING_BYTES || !m ||
	    m->count >= PC5_PENDING_PER_MEMBER) {
		stat = PC5SEC_STAT_RX_DROP_SA_LIMIT;
		goto unlock;
	}
	if (!m->count) {
		reserved = pc5_rx_trial_reserve(k);
		if (!reserved) {
			stat = PC5SEC_STAT_RX_DROP_SA_LIMIT;
			goto unlock;
		}
	}
	if (pc5_rx_keep(d, state)) {
		if (reserved)
			pc5_rx_trial_settle(k, reserved, 0);
		stat = PC5SEC_STAT_RX_DROP_ERROR;
		goto unlock;
	}
	PC5_RX_CB(skb)->reserved = reserved;
	WRITE_ONCE(m->member_id, d->hdr.member_id);
	WRITE_ONCE(m->count, m->count + 1);
	k->pending_bytes += skb->truesize;
	__skb_queue_tail(&k->pending, skb);
unlock:
	spin_unlock_bh(&k->rx_lock);
	if (!stat)
		queue_work(pc5_wq, &k->work);
	return stat;
}

static void pc5_rx_done(struct pc5_crypt_req *req, int err);

/*
 * Starts the cipher on the datagram with @sa, in place: returns its
 * result, or -EINPROGRESS when pc5_rx_done() gets it later; with @wait,
 * waits for it instead (the key's worker).
 */
static int pc5_rx_decrypt(struct pc5_rx_dgram *d, struct pc5_sa *sa, bool wait)
{
	struct sk_buff *skb = d->crypt.skb;
	struct sk_buff *trailer;
	int nfrags;

	nfrags = skb_cow_data(skb, 0, &trailer);
	if (nfrags < 0)
		return nfrags;
	d->crypt.sa = sa;
	d->crypt.off = d->hlen + PC5SEC_HDR_LEN;
	d->crypt.len = d->plen;
	d->crypt.nfrags = nfrags;
	d->crypt.count = d->seq;
	d->crypt.encrypt = false;
	d->crypt.aad_len = pc5_aad(skb, d->v6, d->hlen, d->crypt.aad);
	d->crypt.done = wait ? NULL : pc5_rx_done;
	d->crypt.ctx_size = sizeof(*d);
	return pc5_sa_crypt(&d->crypt);
}

/*
 * Is the decrypted datagram authentic? With an ICV, the cipher said so
 * (@err). Without one, a receiver accepts only UDP (pc5_rx_check()),
 * whose length and checksum must be right (spec section 6): decrypted
 * random bytes pass that about once in 2^31 tries. eea0 from this host's
 * own stack may leave its checksum to the device, as in clear. Returns 0
 * or the drop reason.
 */
static enum pc5sec_stat pc5_rx_verify(const struct pc5_rx_dgram *d, int err)
{
	struct sk_buff *skb = d->crypt.skb;
	u8 suite = d->key->suite;

	if (err)
		return err == -EBADMSG ? PC5SEC_STAT_RX_DROP_AUTH_FAILED :
					 PC5SEC_STAT_RX_DROP_ERROR;
	if (pc5_suite_icv_len(suite))
		return 0;
	if (suite == PC5SEC_SUITE_EEA0 && skb->ip_summed == CHECKSUM_PARTIAL)
		return 0;
	if (pc5_udp_check(skb, d->v6, d->hlen + PC5SEC_HDR_LEN))
		return PC5SEC_STAT_RX_DROP_AUTH_FAILED;
	return 0;
}

/*
 * The authentic datagram as it was sent, in place: the header and ICV
 * out, the protocol and lengths back. 0 or the drop reason.
 */
static enum pc5sec_stat pc5_rx_unwrap(const struct pc5_rx_dgram *d)
{
	struct sk_buff *skb = d->crypt.skb;
	struct pc5_key *k = d->key;
	unsigned int icv = pc5_suite_icv_len(k->suite);

	if (pc5_hdr_strip(skb, d->hlen, icv))
		return PC5SEC_STAT_RX_DROP_ERROR;
	pc5_ip_set_proto(skb, d->v6, d->nhoff, d->hdr.next);
	/*
	 * The ICV covered the datagram as its sender made it, checksum and
	 * all (as in WireGuard); without one, pc5_rx_verify() checked UDP's.
	 * eea0 from this host's stack keeps its checksum to be done.
	 */
	if (skb->ip_summed != CHECKSUM_PARTIAL || k->suite != PC5SEC_SUITE_EEA0) {
		skb->ip_summed = CHECKSUM_UNNECESSARY;
		skb->csum_level = icv ? ~0 : 0;
	}
	pc5_stats_add(k->stats, PC5SEC_STAT_RX_PACKETS, 1);
	pc5_stats_add(k->stats, PC5SEC_STAT_RX_BYTES, d->plen);
	pc5_stats_add(d->group->stats, PC5SEC_STAT_RX_PACKETS, 1);
	pc5_stats_add(d->group->stats, PC5SEC_STAT_RX_BYTES, d->plen);
	return 0;
}

/*
 * After the cipher of one of the sender's SAs, at once or later: checks
 * the datagram, records it with its sender, and unwraps it. 0 or the drop
 * reason. BHs off, under RCU.
 */
static enum pc5sec_stat pc5_rx_finish(const struct pc5_rx_dgram *d, int err)
{
	struct pc5_key *k = d->key;
	enum pc5sec_stat stat;

	stat = pc5_rx_verify(d, err);
	if (!stat)
		stat = pc5_sender_accept(k, d->sender, d->crypt.sa, d->seq,
					 READ_ONCE(d->group->replay_window));
	return stat ?: pc5_rx_unwrap(d);
}

/* A datagram's asynchronous cipher is done: deliver it, or drop it. */
static void pc5_rx_done(struct pc5_crypt_req *req, int err)
{
	struct pc5_rx_dgram *d = container_of(req, struct pc5_rx_dgram, crypt);
	int (*okfn)(struct net *, struct sock *, struct sk_buff *) = PC5_RX_CB(req->skb)->okfn;
	struct net_device *dev = req->skb->dev;

	local_bh_disable();
	rcu_read_lock();
	pc5_rx_end(d, pc5_rx_finish(d, err), okfn);
	rcu_read_unlock();
	local_bh_enable();
	dev_put(dev);
}

/*
 * Starts the cipher on a datagram with one of its sender's SAs: returns
 * its result, or -EINPROGRESS if pc5_rx_done() ends the datagram. BHs
 * off, under RCU.
 */
static int pc5_rx_start(struct pc5_rx_dgram *d, struct pc5_sa *sa,
			const struct nf_hook_state *state)
{
	int err;

	/* The completion may come later. */
	if (sa->async && pc5_rx_keep(d, state))
		return -EINVAL;
	err = pc5_rx_decrypt(d, sa, false);
	if (sa->async && err != -EINPROGRESS)
		dev_put(d->crypt.skb->dev);
	return err;
}

/* A protected datagram to its group at its hook: its netfilter verdict. */
static unsigned int pc5_rx_protected(struct pc5_rx_dgram *d, const struct nf_hook_state *state)
{
	enum pc5sec_stat stat;
	struct pc5_sa *sa;
	int err;

	stat = pc5_rx_check(d);
	if (stat)
		return pc5_rx_verdict(d, stat, state->hook);
	sa = d->sender ? pc5_sender_sa(d->sender, d->hdr.ptk_id) : NULL;
	if (!sa) {
		stat = pc5_rx_defer(d, state);
		return stat ? pc5_rx_verdict(d, stat, state->hook) : NF_STOLEN;
	}
	err = pc5_rx_start(d, sa, state);
	if (err == -EINPROGRESS)
		return NF_STOLEN;
	return pc5_rx_verdict(d, pc5_rx_finish(d, err), state->hook);
}

/*
 * Whether PRE_ROUTING leaves this datagram to group @g (or none), whatever
 * its protocol, to LOCAL_IN: one that is reassembled, by netfilter's
 * defragmentation before this hook, or still a fragment; one that
 * br_netfilter shows PRE_ROUTING on its way through a bridge; and one
 * that this host may forward as well as deliver, as it routes multicast
 * from the device it came in on. Forwarded or bridged copies then leave
 * as they came, and only the local one is unprotected.
 */
static bool pc5_rx_late(struct sk_buff *skb, bool v6, int proto, struct pc5_group *g)
{
	struct in_device *in_dev;

	if (!g || proto < 0 ||
	    (v6 ? IP6CB(skb)->flags & IP6SKB_FRAGMENTED : IPCB(skb)->frag_max_size))
		return true;
#if IS_ENABLED(CONFIG_BRIDGE_NETFILTER)
	if (nf_bridge_info_exists(skb))
		return true;
#endif
	if (v6) {
#if IS_ENABLED(CONFIG_IPV6_MROUTE)
		return atomic_read(&dev_net(skb->dev)->ipv6.devconf_all->mc_forwarding);
#else
		return false;
#endif
	}
	in_dev = __in_dev_get_rcu(skb->dev);
	return in_dev && IN_DEV_MFORWARD(in_dev);
}

/*
 * Whether the host has joined the datagram's group on the device it came
 * in on (ip_check_mc_rcu() and ipv6_chk_mcast_addr() are not exported;
 * source filters are left to routing). Under RCU.
 */
static bool pc5_rx_member(struct sk_buff *skb, bool v6)
{
	struct in_device *in_dev;
	struct inet6_dev *idev;
	struct ifmcaddr6 *mc6;
	struct ip_mc_list *mc;

	if (v6) {
		idev = __in6_dev_get(skb->dev);
		if (!idev)
			return false;
		for (mc6 = rcu_dereference(idev->mc_list); mc6; mc6 = rcu_dereference(mc6->next)) {
			if (ipv6_addr_equal(&mc6->mca_addr, &ipv6_hdr(skb)->daddr))
				return true;
		}
		return false;
	}
	in_dev = __in_dev_get_rcu(skb->dev);
	if (!in_dev)
		return false;
	for (mc = rcu_dereference(in_dev->mc_list); mc; mc = rcu_dereference(mc->next_rcu)) {
		if (mc->multiaddr == ip_hdr(skb)->daddr)
			return true;
	}
	return false;
}

static unsigned int pc5_rx(struct pc5_net *pn, struct sk_buff *skb, bool v6,
			   const struct nf_hook_state *state)
{
	struct pc5_rx_dgram d;
	int proto;

	if (v6 ? !ipv6_addr_is_multicast(&ipv6_hdr(skb)->daddr) :
		 !ipv4_is_multicast(ip_hdr(skb)->daddr))
		return NF_ACCEPT;
	/*
	 * The mark is for this pass from PRE_ROUTING to LOCAL_IN only: a
	 * tunnel's inner datagram comes back through here in the same skb.
	 */
	if (state->hook == NF_INET_PRE_ROUTING) {
		PC5_RX_CB(skb)->seen = 0;
	} else if (PC5_RX_CB(skb)->seen == pc5_rx_cookie) {
		PC5_RX_CB(skb)->seen = 0;
		return NF_ACCEPT;
	}
	/* Made here, not above: every datagram of the host passes this hook. */
	d = (struct pc5_rx_dgram){ .crypt.skb = skb, .pn = pn, .v6 = v6 };
	d.group = pc5_group_in(pn, skb, v6);
	proto = pc5_ip_layout(skb, v6, &d.hlen, &d.nhoff);
	/*
	 * A protected datagram to a group not joined here is left to routing,
	 * which drops it; should the host join meanwhile, LOCAL_IN takes it.
	 */
	if (state->hook == NF_INET_PRE_ROUTING &&
	    (pc5_rx_late(skb, v6, proto, d.group) ||
	     (proto == pc5_proto && !pc5_rx_member(skb, v6))))
		return NF_ACCEPT;

	if (proto != pc5_proto) {
		if (!d.group)
			return NF_ACCEPT;
		if (proto >= 0 && pc5_is_membership(skb, proto, d.hlen))
			return pc5_rx_pass(skb, state->hook);
		if (READ_ONCE(d.group->plaintext) != PC5SEC_PLAINTEXT_ACCEPT)
			return pc5_rx_verdict(&d, PC5SEC_STAT_RX_DROP_PLAINTEXT, state->hook);
		pc5_stats_add(d.group->stats, PC5SEC_STAT_RX_PLAINTEXT_ACCEPTED, 1);
		return pc5_rx_pass(skb, state->hook);
	}
	if (!d.group)
		return pc5_rx_verdict(&d, PC5SEC_STAT_RX_DROP_NO_GROUP, state->hook);
	return pc5_rx_protected(&d, state);
}

unsigned int pc5_rx_hook(void *priv, struct sk_buff *skb,
			 const struct nf_hook_state *state)
{
	return pc5_rx(pc5_net(state->net), skb, state->pf == NFPROTO_IPV6, state);
}

/* A drop at FORWARD, counted as every drop on the way in. */
static unsigned int pc5_fwd_drop(struct pc5_net *pn, struct pc5_group *g, struct sk_buff *skb,
				 enum pc5sec_stat stat)
{
	struct pc5_rx_dgram d = { .crypt.skb = skb, .pn = pn, .group = g };

	return pc5_rx_verdict(&d, stat, NF_INET_FORWARD);
}

/*
 * A datagram this host forwards, which pc5sec passes on as it came: so
 * one let on at PRE_ROUTING that routing forwards after all (multicast
 * routing was switched on while it was in the cipher) is dropped, and so
 * is one that would leave in clear for a protected group, on the group's
 * device: only what this host sends itself is protected here.
 */
unsigned int pc5_fwd_hook(void *priv, struct sk_buff *skb,
			  const struct nf_hook_state *state)
{
	bool v6 = state->pf == NFPROTO_IPV6;
	struct pc5_net *pn = pc5_net(state->net);
	struct pc5_group *g;

	if (unlikely(PC5_RX_CB(skb)->seen == pc5_rx_cookie))
		return pc5_fwd_drop(pn, NULL, skb, PC5SEC_STAT_RX_DROP_ERROR);
	g = pc5_group_out(pn, skb, v6);
	if (likely(!g))
		return NF_ACCEPT;
	/* Anything else is plaintext: IGMP and MLD are never forwarded. */
	if (pc5_ip_proto(skb, v6) == pc5_proto)
		return NF_ACCEPT;
	return pc5_fwd_drop(pn, g, skb, PC5SEC_STAT_FWD_DROP_PLAINTEXT);
}

/*
 * Tries a datagram from a sender or PTK ID without an SA with the key's
 * trial SA, keyed for its Group Member ID and PTK ID. Only if it is
 * authentic (and fresh) is anything kept for it: the trial SA itself, as
 * the SA of its PTK ID where its sender keeps one (at once, so that the
 * sender's next datagrams need no trial), and the sender if it is new.
 * Then unwraps it. 0 or the drop reason; *@took is how long it took, all
 * of it (transforms made for it too), for the trial budget. The key's
 * worker, BHs on.
 */
static enum pc5sec_stat pc5_rx_trial(struct pc5_rx_dgram *d, u64 *took)
{
	struct pc5_key *k = d->key;
	u64 start = ktime_get_ns();
	struct pc5_sa *sa = NULL;
	enum pc5sec_stat stat;
	bool kept = false;

	might_sleep();
	if (!k->trial)
		k->trial = pc5_sa_create_trial(k);
	if (!k->trial || pc5_sa_rekey(k->trial, d->hdr.member_id, d->hdr.ptk_id)) {
		stat = PC5SEC_STAT_RX_DROP_ERROR;
		goto out;
	}
	stat = pc5_rx_verify(d, pc5_rx_decrypt(d, k->trial, true));
	if (stat)
		goto out;
	if (!d->sender || pc5_sender_keeps(d->sender, d->hdr.ptk_id))
		sa = k->trial;
	stat = pc5_sender_accept_trial(k, d->hdr.member_id, sa, d->seq,
				       READ_ONCE(d->group->replay_window), &kept);
	if (!stat) {
		local_bh_disable();
		stat = pc5_rx_unwrap(d);
		local_bh_enable();
	}
	/* Kept, it serves that sender on: the next trial needs another. */
	if (kept) {
		k->trial = NULL;
		pc5_sa_complete(sa, d->hdr.member_id);
		pc5_sa_put(sa);
	}
out:
	*took = ktime_get_ns() - start;
	/* What trials cost sets what a datagram reserves for one. */
	WRITE_ONCE(k->trial_ns, min_t(u64, (7ULL * k->trial_ns + *took) / 8, U32_MAX));
	return stat;
}

/*
 * The context of a datagram that waited, from cb and its header, which
 * pc5_rx_check() read before. Under RCU.
 */
static void pc5_rx_restore(struct pc5_rx_dgram *d, struct sk_buff *skb, struct pc5_key *k)
{
	struct pc5_rx_cb *cb = PC5_RX_CB(skb);

	d->crypt.skb = skb;
	d->pn = k->pn;
	d->group = k->group;
	d->key = k;
	d->v6 = cb->pf == NFPROTO_IPV6;
	d->hlen = cb->hlen;
	d->nhoff = cb->nhoff;
	d->plen = skb->len - d->hlen - PC5SEC_HDR_LEN - pc5_suite_icv_len(k->suite);
	pc5_hdr_get((struct pc5sec_hdr *)(skb->data + d->hlen), &d->hdr);
	d->seq = pc5_seq(d->hdr.ptk_id, d->hdr.counter);
	d->sender = pc5_sender_find(k, d->hdr.member_id);
}

/*
 * A datagram that waited: it may find an SA now (one made for a datagram
 * before it), or it is tried, on what it reserved of the trial budget when
 * queued, or on what it reserves now. Then the reservation is settled at
 * what the trial took, or given back. The key's worker.
 */
static void pc5_rx_resume_one(struct pc5_key *k, struct sk_buff *skb)
{
	struct pc5_rx_cb *cb = PC5_RX_CB(skb);
	struct nf_hook_state state = {
		.hook = cb->hook,
		.pf = cb->pf,
		.net = k->pn->net,
		.okfn = cb->okfn,
	};
	struct net_device *dev = skb->dev;
	u32 reserved = cb->reserved;
	enum pc5sec_stat stat;
	struct pc5_rx_dgram d;
	struct pc5_sa *sa;
	bool trial = false;
	u64 took = 0;
	int err;

	local_bh_disable();
	rcu_read_lock();
	pc5_rx_restore(&d, skb, k);
	sa = d.sender ? pc5_sender_sa(d.sender, d.hdr.ptk_id) : NULL;
	if (d.sender && !pc5_sender_fresh(d.sender, d.seq, READ_ONCE(k->group->replay_window))) {
		pc5_rx_end(&d, PC5SEC_STAT_RX_DROP_REPLAY, state.okfn);
	} else if (sa) {
		err = pc5_rx_start(&d, sa, &state);
		if (err != -EINPROGRESS)
			pc5_rx_end(&d, pc5_rx_finish(&d, err), state.okfn);
	} else {
		trial = true;
	}
	rcu_read_unlock();
	local_bh_enable();

	if (trial) {
		if (!reserved) {
			spin_lock_bh(&k->rx_lock);
			reserved = pc5_rx_trial_reserve(k);
			spin_unlock_bh(&k->rx_lock);
		}
		/* d.sender stays valid: senders live as long as their key. */
		stat = reserved ? pc5_rx_trial(&d, &took) : PC5SEC_STAT_RX_DROP_SA_LIMIT;
		local_bh_disable();
		rcu_read_lock();
		pc5_rx_end(&d, stat, state.okfn);
		rcu_read_unlock();
		local_bh_enable();
	}
	if (reserved) {
		spin_lock_bh(&k->rx_lock);
		pc5_rx_trial_settle(k, reserved, took);
		spin_unlock_bh(&k->rx_lock);
	}
	dev_put(dev);
}

void pc5_rx_resume(struct pc5_key *k)
{
	struct sk_buff_head queue;
	struct sk_buff *skb;
	unsigned int i;

	WARN_ON_ONCE(current_work() != &k->work);
	__skb_queue_head_init(&queue);
	spin_lock_bh(&k->rx_lock);
	skb_queue_splice_init(&k->pending, &queue);
	k->pending_bytes = 0;
	for (i = 0; i < ARRAY_SIZE(k->pending_members); i++)
		WRITE_ONCE(k->pending_members[i].count, 0);
	spin_unlock_bh(&k->rx_lock);
	while ((skb = __skb_dequeue(&queue))) {
		pc5_rx_resume_one(k, skb);
		cond_resched();
	}
}

void pc5_rx_drop_pending(struct pc5_key *k)
{
	struct sk_buff *skb;
	u32 reserved;

	spin_lock_bh(&k->rx_lock);
	while ((skb = __skb_dequeue(&k->pending))) {
		reserved = PC5_RX_CB(skb)->reserved;
		if (reserved)
			pc5_rx_trial_settle(k, reserved, 0);
		/* Its key is gone: for it, as if it never was. */
		pc5_stats_add(k->group->stats, PC5SEC_STAT_RX_DROP_UNKNOWN_PGK, 1);
		dev_put(skb->dev);
		kfree_skb(skb);
	}
	spin_unlock_bh(&k->rx_lock);
}
