// SPDX-License-Identifier: GPL-2.0
/*
 * Egress: every datagram this host sends to a protected group is encrypted
 * at LOCAL_OUT, after routing and before fragmentation, or dropped; none
 * leaves in clear (spec sections 2, 4 and 5).
 */

#include <linux/icmpv6.h>
#include <linux/igmp.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <net/ip.h>
#include <net/ipv6.h>

#include "pc5sec.h"
#include "compat.h"
#include "proto.h"

/* The protected group @skb is sent to, if any; under RCU. */
struct pc5_group *pc5_tx_group(struct pc5_net *pn, struct sk_buff *skb, bool v6)
{
	struct pc5_addr addr = {};
	struct pc5_group *g;

	if (v6) {
		if (!ipv6_addr_is_multicast(&ipv6_hdr(skb)->daddr))
			return NULL;
		addr.family = AF_INET6;
		addr.v6 = ipv6_hdr(skb)->daddr;
	} else {
		if (!ipv4_is_multicast(ip_hdr(skb)->daddr))
			return NULL;
		addr.family = AF_INET;
		addr.v4 = ip_hdr(skb)->daddr;
	}
	g = pc5_group_lookup(pn, &addr);
	if (g && g->ifindex && skb_dst(skb) && skb_dst(skb)->dev->ifindex != g->ifindex)
		return NULL;
	return g;
}

/*
 * Spec section 5: among the keys active now and not exhausted, the one with
 * the latest not-before; on a tie, the most recently installed.
 */
static struct pc5_key *pc5_tx_key(struct pc5_group *g, s64 now)
{
	struct pc5_key *k, *best = NULL;
	unsigned int i;

	for (i = 0; i < PC5SEC_MAX_KEYS; i++) {
		k = rcu_dereference(g->keys[i]);
		if (!k || now < k->not_before || now >= k->expires ||
		    READ_ONCE(k->tx_exhausted))
			continue;
		if (!best || k->not_before > best->not_before ||
		    (k->not_before == best->not_before && k->install_seq > best->install_seq))
			best = k;
	}
	return best;
}

/* Has the key used 90% of its reserved PTK IDs? Under tx_lock. */
static bool pc5_tx_low(struct pc5_key *k)
{
	u32 used = k->tx_ptk_id - k->tx_ptk_first + 1;
	u32 all = k->tx_ptk_limit - k->tx_ptk_first + 1;

	return used * 10 >= all * 9;
}

enum pc5_tx_seq {
	PC5_TX_OK,
	PC5_TX_EXHAUSTED,	/* the key cannot send any more */
	PC5_TX_NOT_READY,	/* the next PTK ID's SA is not made yet */
};

/*
 * Takes the key's next (PTK ID, counter): the counter runs 1..0xffff, then
 * the PTK ID steps, up to the reserved limit (spec section 5). *sa is the
 * SA to encrypt with, valid under RCU.
 */
static enum pc5_tx_seq pc5_tx_seq(struct pc5_group *g, struct pc5_key *k, u16 *ptk_id,
				  u16 *counter, struct pc5_sa **sa)
{
	struct pc5_net *pn = k->pn;
	struct pc5_sa *old = NULL;
	bool low = false;

	spin_lock_bh(&k->tx_lock);
	if (k->tx_counter == PC5SEC_COUNTER_MAX) {
		if (k->tx_ptk_id >= k->tx_ptk_limit) {
			WRITE_ONCE(k->tx_exhausted, true);
			spin_unlock_bh(&k->tx_lock);
			pc5_nl_notify_key(pn, g, k, PC5SEC_CMD_KEY_TX_EXHAUSTED_NTF, GFP_ATOMIC);
			return PC5_TX_EXHAUSTED;
		}
		if (!k->tx_next) {
			spin_unlock_bh(&k->tx_lock);
			queue_work(pc5_wq, &k->work);
			return PC5_TX_NOT_READY;
		}
		old = rcu_dereference_protected(k->tx_sa, lockdep_is_held(&k->tx_lock));
		rcu_assign_pointer(k->tx_sa, k->tx_next);
		k->tx_next = NULL;
		k->tx_ptk_id++;
		k->tx_counter = 0;
		if (!k->tx_low_notified && pc5_tx_low(k)) {
			k->tx_low_notified = true;
			low = true;
		}
	}
	k->tx_counter++;
	*ptk_id = k->tx_ptk_id;
	*counter = k->tx_counter;
	*sa = rcu_dereference_protected(k->tx_sa, lockdep_is_held(&k->tx_lock));
	spin_unlock_bh(&k->tx_lock);

	if (old) {
		pc5_sa_put_rcu(old);
		queue_work(pc5_wq, &k->work);	/* the SA after this one */
	}
	if (low)
		pc5_nl_notify_key(pn, g, k, PC5SEC_CMD_KEY_TX_LOW_NTF, GFP_ATOMIC);
	return PC5_TX_OK;
}

/* After the cipher: 0, or the statistic to drop the datagram with (counted on the key). */
static int pc5_tx_finish(struct sk_buff *skb, struct pc5_sa *sa, unsigned int plen, int err)
{
	struct pc5_key *k = sa->key;

	if (err) {
		pc5_stats_add(k->stats, PC5SEC_STAT_TX_DROP_ERROR, 1);
		return PC5SEC_STAT_TX_DROP_ERROR;
	}
	if (skb->ip_summed != CHECKSUM_PARTIAL)
		skb->ip_summed = CHECKSUM_NONE;
	pc5_stats_add(k->stats, PC5SEC_STAT_TX_PACKETS, 1);
	pc5_stats_add(k->stats, PC5SEC_STAT_TX_BYTES, plen);
	pc5_stats_add(k->group->stats, PC5SEC_STAT_TX_PACKETS, 1);
	pc5_stats_add(k->group->stats, PC5SEC_STAT_TX_BYTES, plen);
	return 0;
}

/* A datagram's asynchronous cipher is done: send it on, or drop it. */
static void pc5_tx_done(struct sk_buff *skb, struct pc5_sa *sa, unsigned int len, int err)
{
	int drop = pc5_tx_finish(skb, sa, len, err);

	if (drop) {
		pc5_stats_add(sa->key->group->stats, drop, 1);
		kfree_skb(skb);
		return;
	}
	/* What LOCAL_OUT's okfn does: the hooks after this one are none. */
	dst_output(dev_net(skb_dst(skb)->dev), skb->sk, skb);
}

/*
 * Protects one datagram in place; returns 0, the statistic to drop it
 * with, or -EINPROGRESS when the cipher finishes it later (pc5_tx_done).
 */
static int pc5_tx_protect(struct pc5_net *pn, struct pc5_group *g, struct sk_buff *skb,
			  bool v6)
{
	struct pc5_crypt_req req = {};
	unsigned int hlen, nhoff, icv, plen, i;
	struct pc5_hdr_fields hf;
	struct sk_buff *trailer;
	u8 aad[PC5_AAD_MAX];
	struct pc5_key *k;
	struct pc5_sa *sa;
	u16 ptk_id, counter;
	int proto, err;
	s64 now;

	proto = pc5_ip_layout(skb, v6, &hlen, &nhoff);
	if (proto < 0)
		return PC5SEC_STAT_TX_DROP_ERROR;
	if (pc5_is_membership(skb, proto, hlen))
		return 0;

	now = ktime_get_real_seconds();
	for (i = 0; i < PC5SEC_MAX_KEYS; i++) {
		k = pc5_tx_key(g, now);
		if (!k) {
			pc5_nl_notify_datapath(pn, g, PC5SEC_CMD_NO_TX_KEY_NTF, -1, 0);
			return PC5SEC_STAT_TX_DROP_NO_KEY;
		}
		switch (pc5_tx_seq(g, k, &ptk_id, &counter, &sa)) {
		case PC5_TX_OK:
			goto protect;
		case PC5_TX_NOT_READY:
			pc5_stats_add(k->stats, PC5SEC_STAT_TX_DROP_ERROR, 1);
			return PC5SEC_STAT_TX_DROP_ERROR;
		case PC5_TX_EXHAUSTED:
			break;		/* another key may do */
		}
	}
	return PC5SEC_STAT_TX_DROP_NO_KEY;

protect:
	icv = pc5_suite_icv_len(k->suite);
	plen = skb->len - hlen;
	if (skb->len + PC5SEC_HDR_LEN + icv > IP_MAX_MTU)
		goto err;
	/*
	 * The checksum is part of what is encrypted. eea0 encrypts nothing: a
	 * device that can checksum any packet may still do it, as it would
	 * the datagram in clear (csum_start moves with the payload).
	 */
	if (skb->ip_summed == CHECKSUM_PARTIAL &&
	    (k->suite != PC5SEC_SUITE_EEA0 || !(skb_dst(skb)->dev->features & NETIF_F_HW_CSUM)) &&
	    skb_checksum_help(skb))
		goto err;
	/*
	 * The header goes between the IP header and the payload. A socket
	 * leaves just the link layer's headroom (16 octets on Ethernet):
	 * moving the IP header into it would make the IP layer copy the
	 * datagram into a new buffer. A linear payload moves into the
	 * tailroom instead, where there is room.
	 */
	if (!skb_is_nonlinear(skb) && !skb_cloned(skb) &&
	    skb_tailroom(skb) >= PC5SEC_HDR_LEN + icv) {
		__skb_put(skb, PC5SEC_HDR_LEN + icv);
		memmove(skb->data + hlen + PC5SEC_HDR_LEN, skb->data + hlen, plen);
		if (skb->ip_summed == CHECKSUM_PARTIAL)
			skb->csum_start += PC5SEC_HDR_LEN;
		req.nfrags = 1;
	} else {
		if (skb_cow_head(skb, PC5SEC_HDR_LEN))
			goto err;
		req.nfrags = skb_cow_data(skb, icv, &trailer);
		if (req.nfrags < 0)
			goto err;
		if (icv)
			pskb_put(skb, trailer, icv);
		__skb_push(skb, PC5SEC_HDR_LEN);
		memmove(skb->data, skb->data + PC5SEC_HDR_LEN, hlen);
		skb_reset_network_header(skb);
	}
	skb_set_transport_header(skb, hlen);
	if (proto == IPPROTO_UDP && !icv && skb->ip_summed != CHECKSUM_PARTIAL)
		pc5_udp_fill_check(skb, v6, hlen + PC5SEC_HDR_LEN);
	hf.version = PC5SEC_WIRE_VERSION;
	hf.suite = k->suite;
	hf.next = proto;
	hf.index = k->index;
	hf.member_id = g->member_id;
	hf.ptk_id = ptk_id;
	hf.counter = counter;
	pc5_hdr_put((struct pc5sec_hdr *)(skb->data + hlen), &hf);
	skb->data[nhoff] = pc5_proto;
	if (v6) {
		ipv6_hdr(skb)->payload_len = htons(skb->len - sizeof(struct ipv6hdr));
	} else {
		ip_hdr(skb)->tot_len = htons(skb->len);
		ip_send_check(ip_hdr(skb));
	}

	/* The completion may come later: the route goes with the datagram. */
	if (sa->async) {
		skb_dst_force(skb);
		if (!skb_dst(skb))
			goto err;
	}
	req.skb = skb;
	req.off = hlen + PC5SEC_HDR_LEN;
	req.len = plen;
	req.count = pc5_seq(ptk_id, counter);
	req.bearer = k->bearer;
	req.encrypt = true;
	req.aad = aad;
	req.aad_len = pc5_aad(skb, v6, hlen, aad);
	req.done = pc5_tx_done;
	err = pc5_sa_crypt(sa, &req);
	if (err == -EINPROGRESS)
		return err;
	return pc5_tx_finish(skb, sa, plen, err);
err:
	pc5_stats_add(k->stats, PC5SEC_STAT_TX_DROP_ERROR, 1);
	return PC5SEC_STAT_TX_DROP_ERROR;
}

/* Sends @skb on, protected, or drops it. Consumes it. */
static void pc5_tx_one(struct pc5_net *pn, struct pc5_group *g, struct sk_buff *skb,
		       bool v6, const struct nf_hook_state *state)
{
	int drop = pc5_tx_protect(pn, g, skb, v6);

	if (drop == -EINPROGRESS)
		return;
	if (drop) {
		pc5_stats_add(g->stats, drop, 1);
		kfree_skb(skb);
		return;
	}
	state->okfn(state->net, state->sk, skb);
}

unsigned int pc5_tx_hook(void *priv, struct sk_buff *skb,
			 const struct nf_hook_state *state)
{
	bool v6 = state->pf == NFPROTO_IPV6;
	struct pc5_net *pn = pc5_net(state->net);
	struct sk_buff *segs, *seg, *next;
	struct pc5_group *g;
	int drop;

	g = pc5_tx_group(pn, skb, v6);
	if (!g)
		return NF_ACCEPT;

	if (!skb_is_gso(skb)) {
		drop = pc5_tx_protect(pn, g, skb, v6);
		if (!drop)
			return NF_ACCEPT;
		if (drop == -EINPROGRESS)
			return NF_STOLEN;
		pc5_stats_add(g->stats, drop, 1);
		kfree_skb(skb);
		return NF_STOLEN;
	}

	/* Whole datagrams only: a GSO send is segmented first. */
	segs = skb_gso_segment(skb, 0);
	if (IS_ERR_OR_NULL(segs)) {
		pc5_stats_add(g->stats, PC5SEC_STAT_TX_DROP_ERROR, 1);
		kfree_skb(skb);
		return NF_STOLEN;
	}
	consume_skb(skb);
	skb_list_walk_safe(segs, seg, next) {
		skb_mark_not_on_list(seg);
		pc5_tx_one(pn, g, seg, v6, state);
	}
	return NF_STOLEN;
}

/*
 * Makes the SA of the key's tx PTK ID after the current one, so that the
 * sender steps there without waiting. The key's worker.
 */
void pc5_tx_make_next(struct pc5_key *k)
{
	struct pc5_sa *sa;
	bool want;
	u16 next;

	spin_lock_bh(&k->tx_lock);
	next = k->tx_ptk_id + 1;
	want = !k->tx_next && k->tx_ptk_id < k->tx_ptk_limit;
	spin_unlock_bh(&k->tx_lock);
	if (!want)
		return;
	sa = pc5_sa_create(k, k->member_id, next);
	spin_lock_bh(&k->tx_lock);
	if (sa && !k->tx_next && k->tx_ptk_id + 1 == next) {
		k->tx_next = sa;
		sa = NULL;
	}
	spin_unlock_bh(&k->tx_lock);
	pc5_sa_put(sa);
}
