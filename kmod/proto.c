// SPDX-License-Identifier: GPL-2.0
/*
 * The pc5sec v1 wire format, for both directions (docs/pc5sec-v1.md).
 */

#include <linux/icmpv6.h>
#include <linux/igmp.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/ipv6.h>

#include "proto.h"

/* Spec section 2: version and suite share octet 0; the rest big-endian. */
void pc5_hdr_get(const struct pc5sec_hdr *hdr, struct pc5_hdr_fields *f)
{
	f->version = PC5SEC_HDR_VERSION(hdr->ver_suite);
	f->suite = PC5SEC_HDR_SUITE(hdr->ver_suite);
	f->next = hdr->next_hdr;
	f->index = hdr->pgk_index;
	f->member_id = hdr->member_id[0] << 16 | hdr->member_id[1] << 8 | hdr->member_id[2];
	f->ptk_id = ntohs(hdr->ptk_id);
	f->counter = ntohs(hdr->counter);
}

void pc5_hdr_put(struct pc5sec_hdr *hdr, const struct pc5_hdr_fields *f)
{
	hdr->ver_suite = PC5SEC_HDR_VER_SUITE(f->version, f->suite);
	hdr->next_hdr = f->next;
	hdr->pgk_index = f->index;
	hdr->member_id[0] = f->member_id >> 16;
	hdr->member_id[1] = f->member_id >> 8;
	hdr->member_id[2] = f->member_id;
	hdr->ptk_id = htons(f->ptk_id);
	hdr->counter = htons(f->counter);
}

/*
 * Where the IP header, with the IPv6 extension headers kept in clear (spec
 * section 1), ends (*hlen; for an IPv6 fragment, where its fragment header
 * starts), and the offset of the octet naming the next protocol (*nhoff).
 * Returns that protocol, or -1 for a fragment or a malformed header (one
 * longer than PC5_MAX_HLEN among them).
 */
int pc5_ip_layout(struct sk_buff *skb, bool v6, unsigned int *hlen, unsigned int *nhoff)
{
	struct ipv6_opt_hdr _oh, *oh;
	unsigned int off;
	u8 nexthdr;

	if (!v6) {
		*hlen = ip_hdrlen(skb);
		*nhoff = offsetof(struct iphdr, protocol);
		if (ip_is_fragment(ip_hdr(skb)))
			return -1;
		return ip_hdr(skb)->protocol;
	}
	nexthdr = ipv6_hdr(skb)->nexthdr;
	*nhoff = offsetof(struct ipv6hdr, nexthdr);
	off = sizeof(struct ipv6hdr);
	while (nexthdr == NEXTHDR_HOP || nexthdr == NEXTHDR_ROUTING ||
	       nexthdr == NEXTHDR_DEST) {
		oh = skb_header_pointer(skb, off, sizeof(_oh), &_oh);
		if (!oh || off > PC5_MAX_HLEN)
			return -1;
		*nhoff = off;
		nexthdr = oh->nexthdr;
		off += ipv6_optlen(oh);
	}
	if (off > skb->len || off > PC5_MAX_HLEN)
		return -1;
	*hlen = off;
	return nexthdr == NEXTHDR_FRAGMENT ? -1 : nexthdr;
}

/*
 * The protocol a datagram carries, a fragment's too (in its IPv4 header,
 * or its IPv6 fragment header), or -1 for a malformed header.
 */
int pc5_ip_proto(struct sk_buff *skb, bool v6)
{
	unsigned int hlen = 0, nhoff;
	struct frag_hdr _fh, *fh;
	int proto;
	u8 _nh, *nh;

	if (!v6)
		return ip_hdr(skb)->protocol;
	proto = pc5_ip_layout(skb, v6, &hlen, &nhoff);
	if (proto >= 0)
		return proto;
	/* A malformed header leaves hlen as it was. */
	nh = skb_header_pointer(skb, nhoff, sizeof(_nh), &_nh);
	if (!hlen || !nh || *nh != NEXTHDR_FRAGMENT)
		return -1;
	fh = skb_header_pointer(skb, hlen, sizeof(_fh), &_fh);
	return fh ? fh->nexthdr : -1;
}

/*
 * The group-membership protocols pass in clear (spec section 1): IGMP, and
 * MLD (ICMPv6 130, 131, 132, 143). @off is the upper-layer header's offset.
 */
bool pc5_is_membership(struct sk_buff *skb, u8 proto, unsigned int off)
{
	u8 type, *tp;

	if (proto == IPPROTO_IGMP)
		return true;
	if (proto != IPPROTO_ICMPV6)
		return false;
	tp = skb_header_pointer(skb, off, sizeof(type), &type);
	return tp && (*tp == ICMPV6_MGM_QUERY || *tp == ICMPV6_MGM_REPORT ||
		      *tp == ICMPV6_MGM_REDUCTION || *tp == ICMPV6_MLD2_REPORT);
}

/*
 * The AAD of aes-gcm-128 (spec section 4) into @aad (PC5_AAD_MAX octets):
 * the pc5sec header at @hlen, then the IP source and destination address.
 * The header must be in the linear part. Returns its length.
 */
unsigned int pc5_aad(struct sk_buff *skb, bool v6, unsigned int hlen, u8 *aad)
{
	memcpy(aad, skb->data + hlen, PC5SEC_HDR_LEN);
	if (v6) {
		memcpy(aad + PC5SEC_HDR_LEN, &ipv6_hdr(skb)->saddr, 2 * sizeof(struct in6_addr));
		return PC5SEC_HDR_LEN + 2 * sizeof(struct in6_addr);
	}
	memcpy(aad + PC5SEC_HDR_LEN, &ip_hdr(skb)->saddr, 2 * sizeof(__be32));
	return PC5SEC_HDR_LEN + 2 * sizeof(__be32);
}

/* The UDP checksum of the @len octets at @off, with the IP pseudo-header. */
static __sum16 pc5_udp_csum(struct sk_buff *skb, bool v6, unsigned int off, unsigned int len)
{
	__wsum csum = skb_checksum(skb, off, len, 0);

	if (v6)
		return csum_ipv6_magic(&ipv6_hdr(skb)->saddr, &ipv6_hdr(skb)->daddr, len,
				       IPPROTO_UDP, csum);
	return csum_tcpudp_magic(ip_hdr(skb)->saddr, ip_hdr(skb)->daddr, len, IPPROTO_UDP, csum);
}

/*
 * The receiver's check of a datagram decrypted with a suite that has no
 * ICV (spec section 6): the UDP header at @off, its length that of the
 * rest of the datagram, and its checksum there and right. Returns 0 or
 * -EBADMSG.
 */
int pc5_udp_check(struct sk_buff *skb, bool v6, unsigned int off)
{
	struct udphdr _uh, *uh;
	unsigned int len = skb->len - off;

	uh = skb_header_pointer(skb, off, sizeof(_uh), &_uh);
	if (!uh || len < sizeof(*uh) || ntohs(uh->len) != len || !uh->check)
		return -EBADMSG;
	return pc5_udp_csum(skb, v6, off, len) ? -EBADMSG : 0;
}

/*
 * Spec section 5: with a suite without an ICV, a UDP datagram carries its
 * checksum, which the receiver checks in place of one. One sent without
 * (0, over IPv4) gets it here, at @off in a writable skb whose checksum is
 * complete.
 */
void pc5_udp_fill_check(struct sk_buff *skb, bool v6, unsigned int off)
{
	unsigned int len = skb->len - off;
	struct udphdr _uh, *uh;
	__sum16 check;

	uh = skb_header_pointer(skb, off, sizeof(_uh), &_uh);
	if (!uh || uh->check || len < sizeof(*uh))
		return;
	check = pc5_udp_csum(skb, v6, off, len) ?: CSUM_MANGLED_0;
	skb_store_bits(skb, off + offsetof(struct udphdr, check), &check, sizeof(check));
}

/*
 * Makes room for the pc5sec header after the IP header (@hlen octets) and
 * for an ICV of @icv octets after the payload, and moves the IP header or
 * the payload so that the header goes between them (spec section 2).
 * Returns the number of the skb's fragments, for a scatterlist, or an
 * error.
 */
int pc5_hdr_insert(struct sk_buff *skb, unsigned int hlen, unsigned int icv)
{
	unsigned int plen = skb->len - hlen;
	struct sk_buff *trailer;
	int nfrags;

	/*
	 * A socket leaves just the link layer's headroom (16 octets on
	 * Ethernet): moving the IP header into it would make the IP layer
	 * copy the datagram into a new buffer. A linear payload moves into
	 * the tailroom instead, where there is room.
	 */
	if (!skb_is_nonlinear(skb) && !skb_cloned(skb) &&
	    skb_tailroom(skb) >= PC5SEC_HDR_LEN + icv) {
		__skb_put(skb, PC5SEC_HDR_LEN + icv);
		memmove(skb->data + hlen + PC5SEC_HDR_LEN, skb->data + hlen, plen);
		if (skb->ip_summed == CHECKSUM_PARTIAL)
			skb->csum_start += PC5SEC_HDR_LEN;
		nfrags = 1;
	} else {
		if (skb_cow_head(skb, PC5SEC_HDR_LEN))
			return -ENOMEM;
		nfrags = skb_cow_data(skb, icv, &trailer);
		if (nfrags < 0)
			return nfrags;
		if (icv)
			pskb_put(skb, trailer, icv);
		__skb_push(skb, PC5SEC_HDR_LEN);
		memmove(skb->data, skb->data + PC5SEC_HDR_LEN, hlen);
		skb_reset_network_header(skb);
	}
	skb_set_transport_header(skb, hlen);
	return nfrags;
}

/*
 * Takes the pc5sec header after the IP header (@hlen octets) and the ICV
 * (@icv octets) out of a received datagram: 0 or an error.
 */
int pc5_hdr_strip(struct sk_buff *skb, unsigned int hlen, unsigned int icv)
{
	unsigned int thoff = skb_transport_offset(skb);

	memmove(skb->data + PC5SEC_HDR_LEN, skb->data, hlen);
	__skb_pull(skb, PC5SEC_HDR_LEN);
	skb_reset_network_header(skb);
	skb_set_transport_header(skb, thoff);
	if (skb_mac_header_was_set(skb))
		skb_mac_header_rebuild(skb);
	return pskb_trim(skb, skb->len - icv);
}

/*
 * Names @proto as the datagram's next protocol, in the octet at @nhoff,
 * and sets the IP header's length (and IPv4's checksum) after the pc5sec
 * header went in or out.
 */
void pc5_ip_set_proto(struct sk_buff *skb, bool v6, unsigned int nhoff, u8 proto)
{
	skb->data[nhoff] = proto;
	if (v6) {
		ipv6_hdr(skb)->payload_len = htons(skb->len - sizeof(struct ipv6hdr));
	} else {
		ip_hdr(skb)->tot_len = htons(skb->len);
		ip_send_check(ip_hdr(skb));
	}
}
