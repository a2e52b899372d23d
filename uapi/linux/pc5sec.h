/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * pc5sec: 3GPP ProSe one-to-many group security for IP multicast.
 *
 * Generic netlink family "pc5sec" and the wire format of pc5sec v1.
 * The wire format and key schedule are specified in docs/pc5sec-v1.md;
 * the constants below are that document's, not tunables.
 */
#ifndef _UAPI_LINUX_PC5SEC_H
#define _UAPI_LINUX_PC5SEC_H

#include <linux/types.h>

#define PC5SEC_GENL_NAME		"pc5sec"
#define PC5SEC_GENL_VERSION		1
#define PC5SEC_MCGRP_MONITOR		"monitor"

/* Wire format (spec section 2) */
#define PC5SEC_PROTO_DEFAULT		253	/* RFC 3692 experimentation */
#define PC5SEC_WIRE_VERSION		1
#define PC5SEC_HDR_LEN			10
#define PC5SEC_ICV_LEN			16	/* AEAD suites only */

/*
 * Octet 0 is version (high nibble) and suite (low nibble); the Group Member
 * ID is 24 bits big-endian; PTK ID and counter are big-endian. The layout
 * needs no packing: the 16-bit fields fall on even offsets, and the size is
 * PC5SEC_HDR_LEN.
 */
struct pc5sec_hdr {
	__u8	ver_suite;
	__u8	next_hdr;
	__u8	pgk_index;
	__u8	member_id[3];
	__be16	ptk_id;
	__be16	counter;
};

#define PC5SEC_HDR_VERSION(vs)		((vs) >> 4)
#define PC5SEC_HDR_SUITE(vs)		((vs) & 0x0f)
#define PC5SEC_HDR_VER_SUITE(v, s)	((__u8)(((v) << 4) | ((s) & 0x0f)))

/* Key schedule (spec section 3) */
#define PC5SEC_PGK_LEN			32
#define PC5SEC_PTK_LEN			32
#define PC5SEC_PEK_LEN			16
#define PC5SEC_KDF_FC_PTK		0x4a
#define PC5SEC_KDF_FC_PEK		0x4b
#define PC5SEC_KDF_ALG_TYPE_ENC		0x00

/* Identifier ranges and limits (spec sections 2, 4, 5, 6) */
#define PC5SEC_GROUP_ID_MAX		0xffffff
#define PC5SEC_MEMBER_ID_MAX		0xffffff
#define PC5SEC_PTK_ID_MAX		0xffff
#define PC5SEC_COUNTER_MAX		0xffff
#define PC5SEC_BEARER_MAX		31
#define PC5SEC_REPLAY_WINDOW_DEFAULT	128
#define PC5SEC_REPLAY_WINDOW_MAX	4096
#define PC5SEC_MAX_KEYS			16
#define PC5SEC_PGK_INDEX(pgk_id)	((__u8)((pgk_id) & 0xff))

/* Suites (spec section 4): the header's suite field */
enum pc5sec_suite {
	PC5SEC_SUITE_EEA0 = 0,		/* null cipher, allow_null=1 only */
	PC5SEC_SUITE_EEA1 = 1,		/* 128-EEA1, SNOW 3G */
	PC5SEC_SUITE_EEA2 = 2,		/* 128-EEA2, AES-128-CTR */
	PC5SEC_SUITE_EEA3 = 3,		/* 128-EEA3, ZUC */
	PC5SEC_SUITE_AES_GCM_128 = 4,	/* AES-128-GCM, 16-octet ICV */

	__PC5SEC_SUITE_MAX,
	PC5SEC_SUITE_MAX = __PC5SEC_SUITE_MAX - 1
};

/* Algorithm identities, KDF parameter P1 of the PEK derivation */
#define PC5SEC_ALG_ID_EEA0		0x00
#define PC5SEC_ALG_ID_EEA1		0x01
#define PC5SEC_ALG_ID_EEA2		0x02
#define PC5SEC_ALG_ID_EEA3		0x03
#define PC5SEC_ALG_ID_AES_GCM_128	0x84

/*
 * The crypto API stream ciphers "eea1" (128-EEA1, SNOW 3G) and "eea3"
 * (128-EEA3, ZUC) of module pc5sec_eea, also reachable through AF_ALG
 * (type "skcipher"): a 16-octet KEY and a 16-octet IV, laid out as the
 * first counter block of 128-EEA2:
 *
 *   octets 0-3   COUNT, most significant octet first
 *   octet  4     BEARER << 3 | DIRECTION << 2 (the low two bits zero)
 *   octets 5-15  zero
 *
 * The output is the input XORed with the keystream the 3GPP algorithm
 * defines for KEY, COUNT, BEARER and DIRECTION, from its first bit; a
 * LENGTH that is not a multiple of 8 is rounded up to whole octets, and
 * the caller ignores the bits past LENGTH.
 */
#define PC5SEC_EEA_IV_LEN		16

enum pc5sec_plaintext_policy {
	PC5SEC_PLAINTEXT_DROP = 0,
	PC5SEC_PLAINTEXT_ACCEPT = 1,
};

enum pc5sec_key_state {
	PC5SEC_KEY_PENDING = 0,		/* before not-before: rx only */
	PC5SEC_KEY_ACTIVE = 1,
	PC5SEC_KEY_SOFT_EXPIRED = 2,	/* past soft expiry, still usable */
	PC5SEC_KEY_EXHAUSTED = 3,	/* tx PTK IDs used up: rx only */
};

/*
 * Commands. All need CAP_NET_ADMIN over the network namespace, get and dump
 * included. GROUP_NEW, GROUP_DEL, KEY_NEW and KEY_DEL are also sent as
 * events on the "monitor" multicast group, carrying the group address and
 * (for keys) PC5SEC_A_KEY with the PGK ID; *_NTF commands are events only.
 */
enum pc5sec_cmd {
	PC5SEC_CMD_UNSPEC,
	PC5SEC_CMD_GROUP_NEW,		/* ADDR, GROUP_ID, MEMBER_ID, [...] */
	PC5SEC_CMD_GROUP_SET,		/* ADDR, [REPLAY_WINDOW, PLAINTEXT] */
	PC5SEC_CMD_GROUP_DEL,		/* ADDR */
	PC5SEC_CMD_GROUP_GET,		/* ADDR; or dump: every group */
	PC5SEC_CMD_KEY_NEW,		/* ADDR, KEY { PGK_ID, PGK, SUITE, ... } */
	PC5SEC_CMD_KEY_SET,		/* ADDR, KEY { PGK_ID, TX_PTK_ID_LIMIT } */
	PC5SEC_CMD_KEY_DEL,		/* ADDR, KEY { PGK_ID } */
	PC5SEC_CMD_FLUSH,		/* removes every group */
	PC5SEC_CMD_STATS_GET,		/* STATS: the namespace's own counters */
	PC5SEC_CMD_KEY_SOFT_EXPIRED_NTF,
	PC5SEC_CMD_KEY_EXPIRED_NTF,	/* the key is gone */
	PC5SEC_CMD_KEY_TX_LOW_NTF,	/* 90% of the tx reservation used */
	PC5SEC_CMD_KEY_TX_EXHAUSTED_NTF,
	PC5SEC_CMD_UNKNOWN_PGK_NTF,	/* rate-limited: KEY { INDEX }, SENDER_ID */
	PC5SEC_CMD_NO_TX_KEY_NTF,	/* rate-limited */

	__PC5SEC_CMD_MAX,
	PC5SEC_CMD_MAX = __PC5SEC_CMD_MAX - 1
};

/* Top-level attributes: a group, its keys and its statistics */
enum pc5sec_attr {
	PC5SEC_A_UNSPEC,
	PC5SEC_A_PAD,
	PC5SEC_A_GROUP_ADDR4,		/* binary, 4 octets, IPv4 multicast */
	PC5SEC_A_GROUP_ADDR6,		/* binary, 16 octets, IPv6 multicast */
	PC5SEC_A_GROUP_ID,		/* u32, 0..PC5SEC_GROUP_ID_MAX */
	PC5SEC_A_MEMBER_ID,		/* u32, own Group Member ID */
	PC5SEC_A_IFINDEX,		/* u32, optional interface restriction */
	PC5SEC_A_BEARER,		/* u8, 0..PC5SEC_BEARER_MAX, default 0 */
	PC5SEC_A_REPLAY_WINDOW,		/* u32, 0..PC5SEC_REPLAY_WINDOW_MAX */
	PC5SEC_A_PLAINTEXT,		/* u8, enum pc5sec_plaintext_policy */
	PC5SEC_A_STATS,			/* nest, enum pc5sec_stat; read-only */
	PC5SEC_A_KEYS,			/* nest of PC5SEC_A_KEY; read-only */
	PC5SEC_A_KEY,			/* nest, enum pc5sec_key_attr */
	PC5SEC_A_SENDER_ID,		/* u32, a sender's Group Member ID; events */

	__PC5SEC_A_MAX,
	PC5SEC_A_MAX = __PC5SEC_A_MAX - 1
};

/*
 * Key (PGK) attributes. The PGK itself is write-only: no message from the
 * kernel carries it. Times are CLOCK_REALTIME seconds; an absent expiry
 * means none. The tx reservation is the PTK IDs from TX_PTK_ID (default 0)
 * to TX_PTK_ID_LIMIT (default PC5SEC_PTK_ID_MAX), spec section 5.
 */
enum pc5sec_key_attr {
	PC5SEC_KEY_A_UNSPEC,
	PC5SEC_KEY_A_PAD,
	PC5SEC_KEY_A_PGK_ID,		/* u32 */
	PC5SEC_KEY_A_INDEX,		/* u8, read-only: PGK ID & 0xff */
	PC5SEC_KEY_A_PGK,		/* binary, PC5SEC_PGK_LEN, write-only */
	PC5SEC_KEY_A_SUITE,		/* u8, enum pc5sec_suite */
	PC5SEC_KEY_A_NOT_BEFORE,	/* s64, tx starts; default: now */
	PC5SEC_KEY_A_SOFT_EXPIRES,	/* s64, warns */
	PC5SEC_KEY_A_EXPIRES,		/* s64, the key is removed */
	PC5SEC_KEY_A_TX_PTK_ID,		/* u16, first (add) or current (get) */
	PC5SEC_KEY_A_TX_PTK_ID_LIMIT,	/* u16, last reserved; KEY_SET raises */
	PC5SEC_KEY_A_TX_COUNTER,	/* u16, read-only: last counter sent */
	PC5SEC_KEY_A_STATE,		/* u8, read-only: enum pc5sec_key_state */
	PC5SEC_KEY_A_STATS,		/* nest, enum pc5sec_stat; read-only */
	PC5SEC_KEY_A_RX_SENDERS,	/* u32, read-only: senders tracked */
	/*
	 * string, KEY_NEW: the description, starting with "pc5sec:", of a
	 * "logon" key in the caller's keyrings holding the PGK (its 32
	 * octets), instead of PGK; get: the description it came from
	 */
	PC5SEC_KEY_A_KEYRING,
	/*
	 * binary, PC5SEC_KEY_CHECK_LEN, read-only: the key check value, the
	 * first octets of HMAC-SHA-256(PGK, "pc5sec key check value") (the
	 * 22 ASCII octets, no NUL). Not key material: a one-way commitment
	 * to the PGK, for comparing it with a copy; domain-separated from
	 * the key schedule, whose inputs start with FC 0x4a or 0x4b.
	 */
	PC5SEC_KEY_A_CHECK,
	/*
	 * binary, up to PC5SEC_KEY_USERDATA_MAX octets: opaque to the
	 * kernel, stored with the key and echoed in get and dump (as
	 * nftables' *_USERDATA). The pc5sec tool stores where the PGK
	 * came from.
	 */
	PC5SEC_KEY_A_USERDATA,

	__PC5SEC_KEY_A_MAX,
	PC5SEC_KEY_A_MAX = __PC5SEC_KEY_A_MAX - 1
};

#define PC5SEC_KEYRING_DESC_MAX		255	/* KEYRING, without its NUL */
#define PC5SEC_KEY_CHECK_LEN		8
#define PC5SEC_KEY_USERDATA_MAX		256

/*
 * Statistics, u64 each: per group, per key (the counters that can be
 * attributed to a key), and per namespace (STATS_GET: what no group can be
 * charged with). The RX_DROP_* counters are the receiver's drop reasons of
 * spec section 6, TX_DROP_* the sender's of section 5.
 */
enum pc5sec_stat {
	PC5SEC_STAT_UNSPEC,
	PC5SEC_STAT_PAD,
	PC5SEC_STAT_TX_PACKETS,
	PC5SEC_STAT_TX_BYTES,
	PC5SEC_STAT_RX_PACKETS,
	PC5SEC_STAT_RX_BYTES,
	PC5SEC_STAT_RX_PLAINTEXT_ACCEPTED,
	PC5SEC_STAT_TX_DROP_NO_KEY,		/* no usable tx key */
	PC5SEC_STAT_TX_DROP_ERROR,		/* allocation or crypto error */
	PC5SEC_STAT_RX_DROP_NO_GROUP,		/* protected, group not configured */
	PC5SEC_STAT_RX_DROP_BAD_VERSION,
	PC5SEC_STAT_RX_DROP_UNKNOWN_PGK,	/* no key with that index */
	PC5SEC_STAT_RX_DROP_KEY_EXPIRED,
	PC5SEC_STAT_RX_DROP_SUITE_MISMATCH,
	PC5SEC_STAT_RX_DROP_ZERO_COUNTER,
	PC5SEC_STAT_RX_DROP_TOO_SHORT,		/* no ciphertext, or no ICV */
	PC5SEC_STAT_RX_DROP_AUTH_FAILED,	/* ICV mismatch; no ICV: bad UDP */
	PC5SEC_STAT_RX_DROP_REPLAY,
	PC5SEC_STAT_RX_DROP_PLAINTEXT,
	PC5SEC_STAT_RX_DROP_ERROR,		/* allocation or crypto error */
	PC5SEC_STAT_RX_DROP_SENDER_LIMIT,	/* per-key sender table full */
	PC5SEC_STAT_RX_DROP_SA_LIMIT,		/* no SA, and the key could not try it now */
	PC5SEC_STAT_RX_DROP_UNVERIFIABLE,	/* no ICV, and not UDP (spec section 6) */
	PC5SEC_STAT_RX_DROP_JUMP,		/* no ICV: far ahead, not confirmed yet */
	PC5SEC_STAT_FWD_DROP_PLAINTEXT,		/* forwarded in clear to a protected group */

	__PC5SEC_STAT_MAX,
	PC5SEC_STAT_MAX = __PC5SEC_STAT_MAX - 1
};

#endif /* _UAPI_LINUX_PC5SEC_H */
