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

void pc5_hdr_get(const struct pc5sec_hdr *hdr, struct pc5_hdr_fields *f);
void pc5_hdr_put(struct pc5sec_hdr *hdr, const struct pc5_hdr_fields *f);

int pc5_ip_layout(struct sk_buff *skb, bool v6, unsigned int *hlen, unsigned int *nhoff);
int pc5_ip_proto(struct sk_buff *skb, bool v6);
bool pc5_is_membership(struct sk_buff *skb, u8 proto, unsigned int off);
unsigned int pc5_aad(struct sk_buff *skb, bool v6, unsigned int hlen, u8 *aad);
int pc5_udp_check(struct sk_buff *skb, bool v6, unsigned int off);
void pc5_udp_fill_check(struct sk_buff *skb, bool v6, unsigned int off);

#endif /* _PC5SEC_PROTO_H */
