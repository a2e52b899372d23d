/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Groups, keys and statistics as the kernel reports them: in replies to
 * GROUP_GET and STATS_GET, and in events.
 */
#ifndef PC5SEC_MODEL_H
#define PC5SEC_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <libmnl/libmnl.h>
#include <linux/pc5sec.h>

#include "addr.h"

/* Room for statistics a newer kernel may add */
#define STAT_SLOTS 64

struct stats {
	uint64_t val[STAT_SLOTS];
	uint64_t present;		/* bit per slot */
};

struct key_info {
	uint32_t has;			/* BIT(PC5SEC_KEY_A_*) */
	uint32_t pgk_id;
	uint8_t index, suite, state;
	int64_t not_before, soft_expires, expires;
	uint16_t tx_ptk_id, tx_ptk_id_limit, tx_counter;
	uint32_t rx_senders;
	struct stats stats;
	char keyring[PC5SEC_KEYRING_DESC_MAX + 1];	/* NUL-terminated */
	uint8_t check[PC5SEC_KEY_CHECK_LEN];
	uint8_t userdata[PC5SEC_KEY_USERDATA_MAX];
	uint16_t userdata_len;
};

struct group_info {
	uint8_t cmd;			/* the genl command it came with */
	uint32_t has;			/* BIT(PC5SEC_A_*) */
	struct pc5_addr addr;
	uint32_t group_id, member_id, ifindex, replay_window, sender_id;
	uint8_t bearer, plaintext;
	struct stats stats;
	struct key_info *keys;		/* PC5SEC_A_KEYS, or an event's KEY */
	size_t nkeys;
};

struct group_list {
	struct group_info *groups;
	size_t n;
};

#define HAS(x, attr) (!!((x)->has & (1u << (attr))))

/* How a field is written: text, and JSON (a number unless said) */
enum fmt {
	FMT_U,		/* decimal */
	FMT_HEX6,	/* text 0x%06x */
	FMT_HEX8,	/* text 0x%08x */
	FMT_TIME,	/* text a UTC date; JSON UNIX seconds */
	FMT_ENUM,	/* the value's name, "unknown-N" if it has none */
	FMT_DEV,	/* an ifindex: its name (text: the number if none) */
	FMT_ADDR,	/* a struct pc5_addr, present if it has a family */
	FMT_FAMILY,	/* of a struct pc5_addr: "ipv4" or "ipv6" */
	FMT_STR,	/* a NUL-terminated string, in a char array */
	FMT_BYTES,	/* octets, the array's size: lowercase hex */
};

/*
 * A field of struct group_info or struct key_info: the attribute it comes
 * in, where it lands, and how the printers write it. The tables list
 * fields in output order; an attribute may feed several fields.
 */
struct field {
	unsigned int attr;
	size_t off, size;
	const char *text, *json;	/* names; NULL: not in that output */
	enum fmt fmt;
	const char *(*name)(unsigned int);	/* FMT_ENUM */
	bool line;			/* show's text starts a line here */
};

struct table {
	const struct field *fields;
	size_t n;
};

extern const struct table group_table, key_table;

/* Whether base (of the table's struct) has the field */
bool field_has(const struct field *f, const void *base, uint32_t has);

/* A number, as field_get() and field_set() handle it */
bool field_numeric(const struct field *f);

/* The field's value, widened; times are signed; numeric fields only */
uint64_t field_get(const struct field *f, const void *base);

/* Sets the field(s) that attr feeds to v and marks them present */
void field_set(const struct table *t, void *base, uint32_t *has,
	       unsigned int attr, uint64_t v);

/* Parses a message; -1 with errno set if it is malformed */
int group_parse(const struct nlmsghdr *nlh, struct group_info *g);
void group_free(struct group_info *g);

/* An mnl_cb_t that appends each message to a struct group_list */
int group_list_cb(const struct nlmsghdr *nlh, void *data);
void group_list_free(struct group_list *l);

#endif
