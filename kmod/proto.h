/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pc5sec v1 wire format (docs/pc5sec-v1.md), for both directions: where
 * the header goes in an IP datagram, its fields, and the associated data.
 */
#ifndef _PC5SEC_PROTO_H
#define _PC5SEC_PROTO_H

#include <linux/in6.h>
#include <linux/skbuff.h>
#include <uapi/linux/pc5sec.h>

extern unsigned int pc5_proto;

/*
 * The IP header with the extension headers kept in clear (spec section 1)
 * is at most this long here: longer ones are refused as malformed. It
 * bounds the walk over them, and an offset kept for a datagram.
 */
#define PC5_MAX_HLEN	1024

/* The AAD (spec section 4): the header, then the source and destination. */
#define PC5_AAD_MAX	(PC5SEC_HDR_LEN + 2 * sizeof(struct in6_addr))

/*
 * The IV (spec section 4): for EEA1/2/3 their first counter block, COUNT
 * (32) || BEARER (5) || DIRECTION (1) || 0 (26) || 0 (64); for GCM the
 * 12-octet nonce COUNT || (BEARER << 3 | DIRECTION << 2) || 0 (56). Both
 * begin alike, and DIRECTION is 0.
 */
#define PC5_IV_LEN	16

static inline void pc5_iv(u8 iv[PC5_IV_LEN], u32 count, u8 bearer)
{
	memset(iv, 0, PC5_IV_LEN);
	iv[0] = count >> 24;
	iv[1] = count >> 16;
	iv[2] = count >> 8;
	iv[3] = count;
	iv[4] = bearer << 3;
}

/* The header's fields, host order. */
struct pc5_hdr_fields {
	u8 version;
	u8 suite;
	u8 next;
	u8 index;
	u32 member_id;
	u16 ptk_id;
	u16 counter;
};

/* Sequence number of the replay check (spec section 6): PTK ID || counter. */
static inline u32 pc5_seq(u16 ptk_id, u16 counter)
{
	return (u32)ptk_id << 16 | counter;
}

static inline u16 pc5_seq_ptk(u32 seq)
{
	return seq >> 16;
}

/* The header's fields (spec section 2), from and to the wire. */
void pc5_hdr_get(const struct pc5sec_hdr *hdr, struct pc5_hdr_fields *f);
void pc5_hdr_put(struct pc5sec_hdr *hdr, const struct pc5_hdr_fields *f);

/**
 * pc5_ip_layout() - where a datagram's IP header ends (spec section 1)
 * @skb: the datagram, its fixed IP header linear
 * @v6: whether it is IPv6
 * @hlen: the IP header's length, with the extension headers kept in clear
 * @nhoff: the offset of the octet naming the next protocol
 *
 * Return: the next protocol, or -1 for a fragment or a malformed header.
 */
int pc5_ip_layout(struct sk_buff *skb, bool v6, unsigned int *hlen, unsigned int *nhoff);

/* The protocol a datagram carries, a fragment's too; -1 if malformed. */
int pc5_ip_proto(struct sk_buff *skb, bool v6);

/* Is the datagram IGMP or MLD, which passes in clear? @off: its payload. */
bool pc5_is_membership(struct sk_buff *skb, u8 proto, unsigned int off);

/**
 * pc5_aad() - the AAD of aes-gcm-128 (spec section 4)
 * @skb: the datagram, its headers linear
 * @v6: whether it is IPv6
 * @hlen: the pc5sec header's offset
 * @aad: PC5_AAD_MAX octets
 *
 * Return: the AAD's length.
 */
unsigned int pc5_aad(struct sk_buff *skb, bool v6, unsigned int hlen, u8 *aad);

/**
 * pc5_hdr_insert() - makes room for the pc5sec header and the ICV
 * @skb: the datagram being sent
 * @hlen: the IP header's length: the header goes there
 * @icv: the ICV's length, room for it at the end
 *
 * Return: the skb's number of fragments, for a scatterlist, or an error.
 */
int pc5_hdr_insert(struct sk_buff *skb, unsigned int hlen, unsigned int icv);

/**
 * pc5_hdr_strip() - takes the pc5sec header and the ICV out
 * @skb: the decrypted datagram
 * @hlen: the IP header's length
 * @icv: the ICV's length
 *
 * Return: 0 or an error.
 */
int pc5_hdr_strip(struct sk_buff *skb, unsigned int hlen, unsigned int icv);

/**
 * pc5_ip_set_proto() - the IP header after the pc5sec header went in or out
 * @skb: the datagram
 * @v6: whether it is IPv6
 * @nhoff: the offset of the octet naming the next protocol
 * @proto: the protocol to name there
 *
 * Sets the length, and IPv4's header checksum, too.
 */
void pc5_ip_set_proto(struct sk_buff *skb, bool v6, unsigned int nhoff, u8 proto);

/**
 * pc5_udp_check() - the check that stands in for an ICV (spec section 6)
 * @skb: the decrypted datagram
 * @v6: whether it is IPv6
 * @off: the UDP header's offset
 *
 * Return: 0 if the UDP length is the rest of the datagram and the
 * checksum is there and right, else -EBADMSG.
 */
int pc5_udp_check(struct sk_buff *skb, bool v6, unsigned int off);

/* Fills in a UDP checksum left out, before a no-ICV suite encrypts (spec section 5). */
void pc5_udp_fill_check(struct sk_buff *skb, bool v6, unsigned int off);

#endif /* _PC5SEC_PROTO_H */
