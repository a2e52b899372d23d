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
 * not pass PRE_ROUTING. A marked datagram never leaves by FORWARD. A
 * datagram from a sender, or PTK ID, whose SA is not made yet waits for
 * the key's worker, which makes it and delivers the datagram.
 */

#include <linux/igmp.h>
#include <linux/inetdevice.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <linux/netfilter_bridge.h>
#include <net/ip.h>
#include <net/addrconf.h>
#include <net/if_inet6.h>
#include <net/ipv6.h>

#include "pc5sec.h"

/* Random, so that what a driver left in skb->cb cannot pass for it. */
u64 pc5_rx_cookie __read_mostly;

/* A datagram this host takes as its own; PRE_ROUTING's verdict for it. */
static unsigned int pc5_rx_pass(struct sk_buff *skb)
{
	PC5_RX_CB(skb)->seen = pc5_rx_cookie;
	return NF_ACCEPT;
}

/* Datagram-path events are rate-limited per namespace. */
bool pc5_event_allowed(struct pc5_net *pn)
{
	unsigned long last = READ_ONCE(pn->event_ratelimit);

	if (time_before(jiffies, last + HZ))
		return false;
	return cmpxchg(&pn->event_ratelimit, last, jiffies) == last;
}

/* Under RCU. */
static struct pc5_sender *pc5_sender_find(struct pc5_key *k, u32 member_id)
{
	struct pc5_sender *s;

	hash_for_each_possible_rcu(k->senders, s, node, member_id) {
		if (s->member_id == member_id)
			return s;
	}
	return NULL;
}

static struct pc5_sa *pc5_sender_sa(struct pc5_sender *s, u16 ptk_id)
{
	struct pc5_sa *sa;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(s->sa); i++) {
		sa = rcu_dereference(s->sa[i]);
		if (sa && sa->ptk_id == ptk_id)
			return sa;
	}
	return NULL;
}

/*
 * The replay window (spec section 6) over seq = PTK ID || counter: a seq
 * is fresh if above the highest accepted, or within the window below it
 * and not seen yet. A window of 0 takes only increasing sequences.
 */
static bool pc5_replay_check(struct pc5_sender *s, u32 seq, u32 window, bool update)
{
	bool ok = true;
	u32 i, shift;

	spin_lock_bh(&s->lock);
	if (!s->started) {
		if (update) {
			s->started = true;
			s->top = seq;
			bitmap_zero(s->seen, PC5SEC_REPLAY_WINDOW_MAX);
			__set_bit(seq % PC5SEC_REPLAY_WINDOW_MAX, s->seen);
		}
	} else if (seq > s->top) {
		if (update) {
			shift = seq - s->top;
			if (shift >= PC5SEC_REPLAY_WINDOW_MAX) {
				bitmap_zero(s->seen, PC5SEC_REPLAY_WINDOW_MAX);
			} else {
				for (i = 1; i <= shift; i++)
					__clear_bit((s->top + i) % PC5SEC_REPLAY_WINDOW_MAX,
						    s->seen);
			}
			s->top = seq;
			__set_bit(seq % PC5SEC_REPLAY_WINDOW_MAX, s->seen);
		}
	} else if (s->top - seq >= window ||
		   test_bit(seq % PC5SEC_REPLAY_WINDOW_MAX, s->seen)) {
		ok = false;
	} else if (update) {
		__set_bit(seq % PC5SEC_REPLAY_WINDOW_MAX, s->seen);
	}
	spin_unlock_bh(&s->lock);
	return ok;
}

/*
 * A datagram about to outlive this RCU section (waiting for an SA, or in
 * an asynchronous cipher) keeps its route, if routed yet, and its device;
 * how to deliver it travels in cb. The caller drops the device with
 * dev_put() when done.
 */
static int pc5_rx_keep(struct sk_buff *skb, const struct nf_hook_state *state)
{
	if (skb_dst(skb) && !skb_dst_force(skb))
		return -EINVAL;
	dev_hold(skb->dev);
	PC5_RX_CB(skb)->okfn = state->okfn;
	PC5_RX_CB(skb)->pf = state->pf;
	PC5_RX_CB(skb)->hook = state->hook;
	return 0;
}

/* Asks the worker for an SA, keeping the datagram until it is made. */
static int pc5_rx_defer(struct pc5_key *k, struct sk_buff *skb,
			const struct nf_hook_state *state)
{
	int ret = 0;

	spin_lock_bh(&k->rx_lock);
	if (skb_queue_len(&k->pending) >= PC5_MAX_PENDING)
		ret = -ENOBUFS;
	else
		ret = pc5_rx_keep(skb, state);
	if (!ret)
		__skb_queue_tail(&k->pending, skb);
	spin_unlock_bh(&k->rx_lock);
	if (!ret)
		queue_work(pc5_wq, &k->work);
	return ret;
}

enum pc5_rx_verdict {
	PC5_RX_ACCEPT,
	PC5_RX_DROP,
	PC5_RX_STOLEN,		/* waiting for an SA, or in an asynchronous cipher */
};

/*
 * After the cipher: if authentic (or, for the suites without an ICV,
 * decrypted) and fresh, the datagram as it was sent, in place. Returns 0,
 * or the statistic to drop it with (counted on the key). @s is the
 * sender, or NULL for the completion to look it up. Under RCU.
 */
static int pc5_rx_finish(struct sk_buff *skb, struct pc5_sa *sa, struct pc5_sender *s,
			 bool v6, unsigned int hlen, unsigned int nhoff, unsigned int plen, int err)
{
	struct pc5_key *k = sa->key;
	struct pc5_group *g = k->group;
	struct pc5sec_hdr *hdr;
	unsigned int thoff;
	u32 member_id, seq;
	int stat = 0;
	u16 ptk_id;
	u8 next;

	if (err) {
		stat = err == -EBADMSG ? PC5SEC_STAT_RX_DROP_AUTH_FAILED :
			PC5SEC_STAT_RX_DROP_ERROR;
		goto drop;
	}
	hdr = (struct pc5sec_hdr *)(skb->data + hlen);
	member_id = hdr->member_id[0] << 16 | hdr->member_id[1] << 8 | hdr->member_id[2];
	ptk_id = ntohs(hdr->ptk_id);
	seq = (u32)ptk_id << 16 | ntohs(hdr->counter);
	if (!s)
		s = pc5_sender_find(k, member_id);
	if (!s || !pc5_replay_check(s, seq, READ_ONCE(g->replay_window), true)) {
		stat = PC5SEC_STAT_RX_DROP_REPLAY;
		goto drop;
	}
	/* Ask for the SA of the sender's next PTK ID before it is needed. */
	if (ptk_id < PC5SEC_PTK_ID_MAX && !pc5_sender_sa(s, ptk_id + 1) &&
	    READ_ONCE(s->wanted_ptk) != ptk_id + 1u) {
		WRITE_ONCE(s->wanted_ptk, ptk_id + 1u);
		if (!READ_ONCE(k->dead))
			queue_work(pc5_wq, &k->work);
	}

	next = hdr->next_hdr;
	thoff = skb_transport_offset(skb);
	memmove(skb->data + PC5SEC_HDR_LEN, skb->data, hlen);
	__skb_pull(skb, PC5SEC_HDR_LEN);
	skb_reset_network_header(skb);
	skb_set_transport_header(skb, thoff);
	if (skb_mac_header_was_set(skb))
		skb_mac_header_rebuild(skb);
	if (pskb_trim(skb, skb->len - pc5_suite_icv_len(k->suite))) {
		stat = PC5SEC_STAT_RX_DROP_ERROR;
		goto drop;
	}
	skb->data[nhoff] = next;
	if (v6) {
		ipv6_hdr(skb)->payload_len = htons(skb->len - sizeof(struct ipv6hdr));
	} else {
		ip_hdr(skb)->tot_len = htons(skb->len);
		ip_send_check(ip_hdr(skb));
	}
	/*
	 * An ICV covered the datagram as its sender made it, checksum and
	 * all (as in WireGuard); without one, the transport checks it. An
	 * eea0 datagram from this host's stack (veth, loopback) may still
	 * have its checksum to be done: it stays so, as it would in clear
	 * (the payload did not move).
	 */
	if (pc5_suite_icv_len(k->suite)) {
		skb->ip_summed = CHECKSUM_UNNECESSARY;
		skb->csum_level = ~0;
	} else if (skb->ip_summed != CHECKSUM_PARTIAL || k->suite != PC5SEC_SUITE_EEA0) {
		skb->ip_summed = CHECKSUM_NONE;
	}

	pc5_rx_pass(skb);
	pc5_stats_add(k->stats, PC5SEC_STAT_RX_PACKETS, 1);
	pc5_stats_add(k->stats, PC5SEC_STAT_RX_BYTES, plen);
	pc5_stats_add(g->stats, PC5SEC_STAT_RX_PACKETS, 1);
	pc5_stats_add(g->stats, PC5SEC_STAT_RX_BYTES, plen);
	return 0;
drop:
	pc5_stats_add(k->stats, stat, 1);
	return stat;
}

/* A datagram's asynchronous cipher is done: deliver it, or drop it. */
static void pc5_rx_done(struct sk_buff *skb, struct pc5_sa *sa, unsigned int len, int err)
{
	bool v6 = PC5_RX_CB(skb)->pf == NFPROTO_IPV6;
	struct net_device *dev = skb->dev;
	unsigned int hlen, nhoff;
	int stat;

	local_bh_disable();
	rcu_read_lock();
	if (pc5_ip_layout(skb, v6, &hlen, &nhoff) < 0) {
		stat = PC5SEC_STAT_RX_DROP_ERROR;
		pc5_stats_add(sa->key->stats, stat, 1);
	} else {
		stat = pc5_rx_finish(skb, sa, NULL, v6, hlen, nhoff, len, err);
	}
	if (stat) {
		pc5_stats_add(sa->key->group->stats, stat, 1);
		kfree_skb(skb);
	} else {
		PC5_RX_CB(skb)->okfn(dev_net(dev), NULL, skb);
	}
	rcu_read_unlock();
	local_bh_enable();
	dev_put(dev);
}

/*
 * Unprotects a datagram for group @g in place. On PC5_RX_DROP, *stat is
 * the reason; on PC5_RX_STOLEN the key's worker or the cipher owns the skb.
 */
static enum pc5_rx_verdict pc5_rx_unprotect(struct pc5_net *pn, struct pc5_group *g,
					    struct sk_buff *skb, bool v6,
					    unsigned int hlen, unsigned int nhoff,
					    const struct nf_hook_state *state,
					    bool deferred, int *stat)
{
	unsigned int icv, plen, aad_len, i;
	u8 aad[PC5SEC_HDR_LEN + 2 * sizeof(struct in6_addr)];
	struct pc5sec_hdr *hdr, _hdr;
	struct sk_buff *trailer;
	struct pc5_sender *s;
	struct pc5_key *k;
	struct pc5_sa *sa;
	u32 member_id, seq;
	int nfrags, err;

	hdr = skb_header_pointer(skb, hlen, sizeof(_hdr), &_hdr);
	if (!hdr) {
		*stat = PC5SEC_STAT_RX_DROP_TOO_SHORT;
		return PC5_RX_DROP;
	}
	if (PC5SEC_HDR_VERSION(hdr->ver_suite) != PC5SEC_WIRE_VERSION) {
		*stat = PC5SEC_STAT_RX_DROP_BAD_VERSION;
		return PC5_RX_DROP;
	}
	k = NULL;
	for (i = 0; i < PC5SEC_MAX_KEYS && !k; i++) {
		k = rcu_dereference(g->keys[i]);
		if (k && k->index != hdr->pgk_index)
			k = NULL;
	}
	member_id = hdr->member_id[0] << 16 | hdr->member_id[1] << 8 | hdr->member_id[2];
	if (!k) {
		*stat = PC5SEC_STAT_RX_DROP_UNKNOWN_PGK;
		if (pc5_event_allowed(pn))
			pc5_nl_notify_datapath(pn, g, PC5SEC_CMD_UNKNOWN_PGK_NTF,
					       hdr->pgk_index, member_id);
		return PC5_RX_DROP;
	}
	*stat = 0;
	if (ktime_get_real_seconds() >= k->expires)
		*stat = PC5SEC_STAT_RX_DROP_KEY_EXPIRED;
	else if (PC5SEC_HDR_SUITE(hdr->ver_suite) != k->suite)
		*stat = PC5SEC_STAT_RX_DROP_SUITE_MISMATCH;
	else if (!hdr->counter)
		*stat = PC5SEC_STAT_RX_DROP_ZERO_COUNTER;
	icv = pc5_suite_icv_len(k->suite);
	if (!*stat && skb->len < hlen + PC5SEC_HDR_LEN + 1 + icv)
		*stat = PC5SEC_STAT_RX_DROP_TOO_SHORT;
	if (*stat)
		goto drop_key;

	seq = ntohs(hdr->ptk_id) << 16 | ntohs(hdr->counter);
	s = pc5_sender_find(k, member_id);
	sa = s ? pc5_sender_sa(s, ntohs(hdr->ptk_id)) : NULL;
	if (s && !pc5_replay_check(s, seq, READ_ONCE(g->replay_window), false)) {
		*stat = PC5SEC_STAT_RX_DROP_REPLAY;
		goto drop_key;
	}
	if (!sa) {
		if (deferred || (!s && READ_ONCE(k->nsenders) >= PC5_MAX_SENDERS)) {
			*stat = deferred ? PC5SEC_STAT_RX_DROP_ERROR :
				PC5SEC_STAT_RX_DROP_SENDER_LIMIT;
			goto drop_key;
		}
		if (pc5_rx_defer(k, skb, state)) {
			*stat = PC5SEC_STAT_RX_DROP_ERROR;
			goto drop_key;
		}
		return PC5_RX_STOLEN;
	}

	/* Decrypt in place: the header and ICV are then taken out. */
	nfrags = skb_cow_data(skb, 0, &trailer);
	if (nfrags < 0) {
		*stat = PC5SEC_STAT_RX_DROP_ERROR;
		goto drop_key;
	}
	hdr = (struct pc5sec_hdr *)(skb->data + hlen);
	memcpy(aad, hdr, PC5SEC_HDR_LEN);
	if (v6) {
		memcpy(aad + PC5SEC_HDR_LEN, &ipv6_hdr(skb)->saddr, 2 * sizeof(struct in6_addr));
		aad_len = PC5SEC_HDR_LEN + 2 * sizeof(struct in6_addr);
	} else {
		memcpy(aad + PC5SEC_HDR_LEN, &ip_hdr(skb)->saddr, 2 * sizeof(__be32));
		aad_len = PC5SEC_HDR_LEN + 2 * sizeof(__be32);
	}
	plen = skb->len - hlen - PC5SEC_HDR_LEN - icv;
	/* The completion may come later. */
	if (sa->async && pc5_rx_keep(skb, state)) {
		*stat = PC5SEC_STAT_RX_DROP_ERROR;
		goto drop_key;
	}
	err = pc5_sa_crypt(sa, skb, hlen + PC5SEC_HDR_LEN, plen, seq, k->bearer,
			   aad, aad_len, nfrags, false, pc5_rx_done);
	if (err == -EINPROGRESS)
		return PC5_RX_STOLEN;
	if (sa->async)
		dev_put(skb->dev);
	*stat = pc5_rx_finish(skb, sa, s, v6, hlen, nhoff, plen, err);
	return *stat ? PC5_RX_DROP : PC5_RX_ACCEPT;

drop_key:
	pc5_stats_add(k->stats, *stat, 1);
	return PC5_RX_DROP;
}

/* The group @skb is addressed to, if protected here; under RCU. */
static struct pc5_group *pc5_rx_group(struct pc5_net *pn, struct sk_buff *skb, bool v6)
{
	struct pc5_addr addr = {};
	struct pc5_group *g;

	if (v6) {
		addr.family = AF_INET6;
		addr.v6 = ipv6_hdr(skb)->daddr;
	} else {
		addr.family = AF_INET;
		addr.v4 = ip_hdr(skb)->daddr;
	}
	g = pc5_group_lookup(pn, &addr);
	/* The device it came in on, which a VRF does not change. */
	if (g && g->ifindex && g->ifindex != (v6 ? IP6CB(skb)->iif : IPCB(skb)->iif))
		return NULL;
	return g;
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
			   const struct nf_hook_state *state, bool deferred)
{
	unsigned int hlen, nhoff;
	struct pc5_group *g;
	int proto, stat;

	if (v6 ? !ipv6_addr_is_multicast(&ipv6_hdr(skb)->daddr) :
		 !ipv4_is_multicast(ip_hdr(skb)->daddr))
		return NF_ACCEPT;
	if (PC5_RX_CB(skb)->seen == pc5_rx_cookie)
		return NF_ACCEPT;
	g = pc5_rx_group(pn, skb, v6);
	proto = pc5_ip_layout(skb, v6, &hlen, &nhoff);
	/*
	 * A protected datagram to a group not joined here is left to routing,
	 * which drops it; should the host join meanwhile, LOCAL_IN takes it.
	 */
	if (state->hook == NF_INET_PRE_ROUTING &&
	    (pc5_rx_late(skb, v6, proto, g) || (proto == pc5_proto && !pc5_rx_member(skb, v6))))
		return NF_ACCEPT;

	if (proto != pc5_proto) {
		if (!g)
			return NF_ACCEPT;
		if (proto >= 0 && pc5_is_membership(skb, proto, hlen))
			return pc5_rx_pass(skb);
		if (READ_ONCE(g->plaintext) == PC5SEC_PLAINTEXT_ACCEPT) {
			pc5_stats_add(g->stats, PC5SEC_STAT_RX_PLAINTEXT_ACCEPTED, 1);
			return pc5_rx_pass(skb);
		}
		pc5_stats_add(g->stats, PC5SEC_STAT_RX_DROP_PLAINTEXT, 1);
		return NF_DROP;
	}
	if (!g) {
		pc5_stats_add(pn->stats, PC5SEC_STAT_RX_DROP_NO_GROUP, 1);
		return NF_DROP;
	}
	switch (pc5_rx_unprotect(pn, g, skb, v6, hlen, nhoff, state, deferred, &stat)) {
	case PC5_RX_ACCEPT:
		return NF_ACCEPT;
	case PC5_RX_STOLEN:
		return NF_STOLEN;
	case PC5_RX_DROP:
		break;
	}
	pc5_stats_add(g->stats, stat, 1);
	return NF_DROP;
}

unsigned int pc5_rx_hook(void *priv, struct sk_buff *skb,
			 const struct nf_hook_state *state)
{
	return pc5_rx(pc5_net(state->net), skb, state->pf == NFPROTO_IPV6, state, false);
}

/*
 * A datagram let on at PRE_ROUTING that routing forwards after all:
 * multicast routing was switched on while it was in the cipher.
 */
unsigned int pc5_fwd_hook(void *priv, struct sk_buff *skb,
			  const struct nf_hook_state *state)
{
	if (likely(PC5_RX_CB(skb)->seen != pc5_rx_cookie))
		return NF_ACCEPT;
	pc5_stats_add(pc5_net(state->net)->stats, PC5SEC_STAT_RX_DROP_ERROR, 1);
	return NF_DROP;
}

/* A new sender of key @k; under rx_lock. */
static struct pc5_sender *pc5_sender_add(struct pc5_key *k, u32 member_id)
{
	struct pc5_sender *s;

	if (k->nsenders >= PC5_MAX_SENDERS)
		return NULL;
	s = kzalloc(sizeof(*s), GFP_ATOMIC);
	if (!s)
		return NULL;
	s->member_id = member_id;
	s->wanted_ptk = U32_MAX;
	spin_lock_init(&s->lock);
	hash_add_rcu(k->senders, &s->node, member_id);
	WRITE_ONCE(k->nsenders, k->nsenders + 1);
	return s;
}

/* Puts an SA for @ptk_id in the sender's older slot; process context. */
static void pc5_sender_make_sa(struct pc5_key *k, struct pc5_sender *s, u32 ptk_id)
{
	struct pc5_sa *sa, *a, *b, *old;
	unsigned int slot;

	rcu_read_lock();
	sa = pc5_sender_sa(s, ptk_id);
	rcu_read_unlock();
	if (sa || ptk_id > PC5SEC_PTK_ID_MAX)
		return;
	sa = pc5_sa_create(k, s->member_id, ptk_id);
	if (!sa)
		return;
	spin_lock_bh(&k->rx_lock);
	a = rcu_dereference_protected(s->sa[0], lockdep_is_held(&k->rx_lock));
	b = rcu_dereference_protected(s->sa[1], lockdep_is_held(&k->rx_lock));
	slot = !a ? 0 : !b ? 1 : a->ptk_id <= b->ptk_id ? 0 : 1;
	old = slot ? b : a;
	rcu_assign_pointer(s->sa[slot], sa);
	spin_unlock_bh(&k->rx_lock);
	pc5_sa_put_rcu(old);
}

/* Frees a datagram that waited for an SA, and its hold on its device. */
static void pc5_rx_drop_pending(struct sk_buff *skb)
{
	dev_put(skb->dev);
	kfree_skb(skb);
}

/* Makes the SAs @skb needs, then delivers it; process context. */
static void pc5_rx_resume(struct pc5_key *k, struct sk_buff *skb)
{
	struct nf_hook_state state = {};
	bool v6 = PC5_RX_CB(skb)->pf == NFPROTO_IPV6;
	const struct pc5sec_hdr *hdr;
	struct net_device *dev;
	unsigned int hlen, nhoff;
	struct pc5_sender *s;
	u32 member_id;

	if (pc5_ip_layout(skb, v6, &hlen, &nhoff) < 0 ||
	    !pskb_may_pull(skb, hlen + PC5SEC_HDR_LEN)) {
		pc5_rx_drop_pending(skb);
		return;
	}
	hdr = (const struct pc5sec_hdr *)(skb->data + hlen);
	member_id = hdr->member_id[0] << 16 | hdr->member_id[1] << 8 | hdr->member_id[2];

	spin_lock_bh(&k->rx_lock);
	s = pc5_sender_find(k, member_id) ?: pc5_sender_add(k, member_id);
	spin_unlock_bh(&k->rx_lock);
	if (s) {
		pc5_sender_make_sa(k, s, ntohs(hdr->ptk_id));
		pc5_sender_make_sa(k, s, ntohs(hdr->ptk_id) + 1);
	}

	state.net = k->pn->net;
	state.pf = PC5_RX_CB(skb)->pf;
	state.okfn = PC5_RX_CB(skb)->okfn;
	state.hook = PC5_RX_CB(skb)->hook;
	dev = skb->dev;
	local_bh_disable();
	rcu_read_lock();
	switch (pc5_rx(k->pn, skb, v6, &state, true)) {
	case NF_ACCEPT:
		state.okfn(state.net, NULL, skb);
		break;
	case NF_STOLEN:
		break;		/* in the cipher */
	default:
		kfree_skb(skb);
	}
	rcu_read_unlock();
	local_bh_enable();
	dev_put(dev);
}

/*
 * The key's worker: the tx SA of the next PTK ID, the SAs that waiting
 * datagrams need, and those senders' next ones.
 */
void pc5_key_work(struct work_struct *work)
{
	struct pc5_key *k = container_of(work, struct pc5_key, work);
	struct sk_buff_head queue;
	struct pc5_sender *s;
	struct pc5_sa *sa;
	struct sk_buff *skb;
	unsigned int bkt;
	u32 want;
	u16 next;

	/* Unlinked: its SAs are being dropped, and no datagram waits. */
	if (READ_ONCE(k->dead))
		return;
	spin_lock_bh(&k->tx_lock);
	next = k->tx_ptk_id + 1;
	want = !k->tx_next && k->tx_ptk_id < k->tx_ptk_limit;
	spin_unlock_bh(&k->tx_lock);
	if (want) {
		sa = pc5_sa_create(k, k->member_id, next);
		spin_lock_bh(&k->tx_lock);
		if (sa && !k->tx_next && k->tx_ptk_id + 1 == next) {
			k->tx_next = sa;
			sa = NULL;
		}
		spin_unlock_bh(&k->tx_lock);
		pc5_sa_put(sa);
	}

	__skb_queue_head_init(&queue);
	spin_lock_bh(&k->rx_lock);
	skb_queue_splice_init(&k->pending, &queue);
	spin_unlock_bh(&k->rx_lock);
	while ((skb = __skb_dequeue(&queue)))
		pc5_rx_resume(k, skb);

	hash_for_each(k->senders, bkt, s, node) {
		want = READ_ONCE(s->wanted_ptk);
		if (want != U32_MAX) {
			WRITE_ONCE(s->wanted_ptk, U32_MAX);
			pc5_sender_make_sa(k, s, want);
		}
	}
}

/*
 * A key no RCU reader can see: drops its waiting datagrams and its SA
 * slots' references. Datagrams still in a cipher keep their SA, and so
 * the key and its senders, until they are done. Process context.
 */
void pc5_key_drop_sas(struct pc5_key *k)
{
	struct pc5_sender *s;
	struct sk_buff *skb;
	unsigned int bkt, i;

	while ((skb = __skb_dequeue(&k->pending)))
		pc5_rx_drop_pending(skb);
	hash_for_each(k->senders, bkt, s, node) {
		for (i = 0; i < ARRAY_SIZE(s->sa); i++) {
			pc5_sa_put(rcu_dereference_protected(s->sa[i], true));
			RCU_INIT_POINTER(s->sa[i], NULL);
		}
	}
	pc5_sa_put(rcu_dereference_protected(k->tx_sa, true));
	RCU_INIT_POINTER(k->tx_sa, NULL);
	pc5_sa_put(k->tx_next);
	k->tx_next = NULL;
}

/* Frees the senders of a key whose last reference is gone. */
void pc5_key_free_senders(struct pc5_key *k)
{
	struct hlist_node *tmp;
	struct pc5_sender *s;
	unsigned int bkt;

	hash_for_each_safe(k->senders, bkt, tmp, s, node)
		kfree(s);
}
