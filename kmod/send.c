// SPDX-License-Identifier: GPL-2.0
/*
 * Egress: every datagram this host sends to a protected group is encrypted
 * at LOCAL_OUT, after routing and before fragmentation, or dropped; none
 * leaves in clear (spec sections 2, 4 and 5).
 *
 * pc5_tx_hook() -> pc5_tx_protect() -> pc5_key_tx() (key.c: the key, its
 * PTK ID and counter) -> pc5_tx_wrap() (the header in) -> pc5_sa_crypt()
 * (crypto.c) -> pc5_tx_finish(), at once or from pc5_tx_done().
 */

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <net/dst.h>
#include <net/ip.h>
#include <net/ipv6.h>

#include "compat.h"
#include "crypto.h"
#include "group.h"
#include "key.h"
#include "netlink.h"
#include "proto.h"
#include "send.h"

/* A datagram on its way out. */
struct pc5_tx_dgram {
	struct pc5_crypt_req crypt;	/* first: it goes into the cipher with it */
	struct pc5_group *group;
	struct pc5_key *key;		/* NULL: none chosen yet */
	unsigned int hlen;		/* of the IP header, the pc5sec header's offset */
	unsigned int nhoff;		/* of the octet naming the protocol */
	unsigned int plen;		/* plaintext octets */
	u8 proto;
	bool v6;
};

/*
 * Ends a datagram: counts it as sent, or counts the drop reason @stat (on
 * its key too if it has one) and frees it. Every datagram to a protected
 * group ends here, once. Returns the verdict: NF_ACCEPT to send it on.
 */
static unsigned int pc5_tx_end(struct pc5_tx_dgram *d, enum pc5sec_stat stat)
{
	struct pc5_key *k = d->key;

	if (stat) {
		if (k)
			pc5_stats_add(k->stats, stat, 1);
		pc5_stats_add(d->group->stats, stat, 1);
		kfree_skb(d->crypt.skb);
		return NF_STOLEN;
	}
	pc5_stats_add(k->stats, PC5SEC_STAT_TX_PACKETS, 1);
	pc5_stats_add(k->stats, PC5SEC_STAT_TX_BYTES, d->plen);
	pc5_stats_add(d->group->stats, PC5SEC_STAT_TX_PACKETS, 1);
	pc5_stats_add(d->group->stats, PC5SEC_STAT_TX_BYTES, d->plen);
	return NF_ACCEPT;
}

/* After the cipher, at once or later: the datagram's verdict. */
static unsigned int pc5_tx_finish(struct pc5_tx_dgram *d, int err)
{
	struct sk_buff *skb = d->crypt.skb;

	if (err)
		return pc5_tx_end(d, PC5SEC_STAT_TX_DROP_ERROR);
	if (skb->ip_summed != CHECKSUM_PARTIAL)
		skb->ip_summed = CHECKSUM_NONE;
	return pc5_tx_end(d, 0);
}

/* A datagram's asynchronous cipher is done: send it on, or drop it. */
static void pc5_tx_done(struct pc5_crypt_req *req, int err)
{
	struct pc5_tx_dgram *d = container_of(req, struct pc5_tx_dgram, crypt);
	struct sk_buff *skb = req->skb;

	/* What LOCAL_OUT's okfn does: the hooks after this one are none. */
	if (pc5_tx_finish(d, err) == NF_ACCEPT)
		dst_output(dev_net(skb_dst(skb)->dev), skb->sk, skb);
}

/*
 * Makes room for the header and the ICV, and puts the header in (spec
 * section 2), with the AAD and the rest of the cipher's request: 0 or the
 * drop reason.
 */
static enum pc5sec_stat pc5_tx_wrap(struct pc5_tx_dgram *d, const struct pc5_tx_pos *pos)
{
	struct sk_buff *skb = d->crypt.skb;
	struct pc5_key *k = d->key;
	unsigned int icv = pc5_suite_icv_len(k->suite);
	struct pc5_hdr_fields hf = {
		.version = PC5SEC_WIRE_VERSION,
		.suite = k->suite,
		.next = d->proto,
		.index = k->index,
		.member_id = d->group->member_id,
		.ptk_id = pos->ptk_id,
		.counter = pos->counter,
	};
	int nfrags;

	if (skb->len + PC5SEC_HDR_LEN + icv > IP_MAX_MTU)
		return PC5SEC_STAT_TX_DROP_ERROR;
	/*
	 * The checksum is part of what is encrypted. eea0 encrypts nothing: a
	 * device that can checksum any packet may still do it, as it would
	 * the datagram in clear (csum_start moves with the payload).
	 */
	if (skb->ip_summed == CHECKSUM_PARTIAL &&
	    (k->suite != PC5SEC_SUITE_EEA0 || !(skb_dst(skb)->dev->features & NETIF_F_HW_CSUM)) &&
	    skb_checksum_help(skb))
		return PC5SEC_STAT_TX_DROP_ERROR;
	nfrags = pc5_hdr_insert(skb, d->hlen, icv);
	if (nfrags < 0)
		return PC5SEC_STAT_TX_DROP_ERROR;
	if (d->proto == IPPROTO_UDP && !icv && skb->ip_summed != CHECKSUM_PARTIAL)
		pc5_udp_fill_check(skb, d->v6, d->hlen + PC5SEC_HDR_LEN);
	pc5_hdr_put((struct pc5sec_hdr *)(skb->data + d->hlen), &hf);
	pc5_ip_set_proto(skb, d->v6, d->nhoff, pc5_proto);

	/* The completion may come later: the route goes with the datagram. */
	if (pos->sa->async) {
		skb_dst_force(skb);
		if (!skb_dst(skb))
			return PC5SEC_STAT_TX_DROP_ERROR;
	}
	d->crypt.sa = pos->sa;
	d->crypt.off = d->hlen + PC5SEC_HDR_LEN;
	d->crypt.len = d->plen;
	d->crypt.nfrags = nfrags;
	d->crypt.count = pc5_seq(pos->ptk_id, pos->counter);
	d->crypt.encrypt = true;
	d->crypt.aad_len = pc5_aad(skb, d->v6, d->hlen, d->crypt.aad);
	d->crypt.done = pc5_tx_done;
	d->crypt.ctx_size = sizeof(*d);
	return 0;
}

/*
 * Protects one datagram to group @g, in place: its verdict, NF_ACCEPT to
 * send it on, NF_STOLEN if it is in the cipher or dropped. Under RCU.
 */
static unsigned int pc5_tx_protect(struct pc5_net *pn, struct pc5_group *g,
				   struct sk_buff *skb, bool v6)
{
	struct pc5_tx_dgram d = { .crypt.skb = skb, .group = g, .v6 = v6 };
	struct pc5_tx_pos pos;
	enum pc5sec_stat stat;
	int proto, err;

	proto = pc5_ip_layout(skb, v6, &d.hlen, &d.nhoff);
	if (proto < 0)
		return pc5_tx_end(&d, PC5SEC_STAT_TX_DROP_ERROR);
	if (pc5_is_membership(skb, proto, d.hlen))
		return NF_ACCEPT;
	d.proto = proto;
	d.plen = skb->len - d.hlen;

	d.key = pc5_key_tx(pn, g, &pos);
	if (!d.key) {
		pc5_nl_notify_datapath(pn, g, PC5SEC_CMD_NO_TX_KEY_NTF, -1, 0);
		return pc5_tx_end(&d, PC5SEC_STAT_TX_DROP_NO_KEY);
	}
	if (!pos.sa)		/* the next PTK ID's SA is not made yet */
		return pc5_tx_end(&d, PC5SEC_STAT_TX_DROP_ERROR);
	stat = pc5_tx_wrap(&d, &pos);
	if (stat)
		return pc5_tx_end(&d, stat);
	err = pc5_sa_crypt(&d.crypt);
	if (err == -EINPROGRESS)
		return NF_STOLEN;
	return pc5_tx_finish(&d, err);
}

unsigned int pc5_tx_hook(void *priv, struct sk_buff *skb,
			 const struct nf_hook_state *state)
{
	bool v6 = state->pf == NFPROTO_IPV6;
	struct pc5_net *pn = pc5_net(state->net);
	struct sk_buff *segs, *seg, *next;
	struct pc5_group *g;

	g = pc5_group_out(pn, skb, v6);
	if (!g)
		return NF_ACCEPT;
	if (!skb_is_gso(skb))
		return pc5_tx_protect(pn, g, skb, v6);

	/* Whole datagrams only: a GSO send is segmented first. */
	segs = skb_gso_segment(skb, 0);
	if (IS_ERR_OR_NULL(segs)) {
		struct pc5_tx_dgram d = { .crypt.skb = skb, .group = g };

		return pc5_tx_end(&d, PC5SEC_STAT_TX_DROP_ERROR);
	}
	consume_skb(skb);
	skb_list_walk_safe(segs, seg, next) {
		skb_mark_not_on_list(seg);
		if (pc5_tx_protect(pn, g, seg, v6) == NF_ACCEPT)
			state->okfn(state->net, state->sk, seg);
	}
	return NF_STOLEN;
}
