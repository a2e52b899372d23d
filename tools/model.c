// SPDX-License-Identifier: GPL-2.0
/*
 * Groups, keys and statistics as the kernel reports them. Attributes this
 * tool does not know are skipped: a newer kernel may add some.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>
#include <linux/pc5sec.h>

#include "model.h"
#include "names.h"
#include "pc5sec.h"

/* One line a field: FIELD(struct, member, attr, text, json, fmt[, .name = ...][, .line = true]) */
#define FIELD(s, m, a, txt, js, f, ...)					\
	{ .attr = (a), .off = offsetof(struct s, m),			\
	  .size = sizeof(((struct s *)0)->m), .text = (txt), .json = (js),	\
	  .fmt = (f), __VA_ARGS__ }

static const struct field group_fields[] = {
	FIELD(group_info, addr, PC5SEC_A_GROUP_ADDR4, "", "address", FMT_ADDR),
	FIELD(group_info, addr, PC5SEC_A_GROUP_ADDR4, NULL, "family", FMT_FAMILY),
	FIELD(group_info, group_id, PC5SEC_A_GROUP_ID, "group-id", "group_id", FMT_HEX6, .line = true),
	FIELD(group_info, member_id, PC5SEC_A_MEMBER_ID, "member-id", "member_id", FMT_HEX6),
	FIELD(group_info, sender_id, PC5SEC_A_SENDER_ID, "sender-id", "sender_id", FMT_HEX6),
	FIELD(group_info, ifindex, PC5SEC_A_IFINDEX, "dev", "dev", FMT_DEV),
	FIELD(group_info, ifindex, PC5SEC_A_IFINDEX, NULL, "ifindex", FMT_U),
	FIELD(group_info, bearer, PC5SEC_A_BEARER, "bearer", "bearer", FMT_U),
	FIELD(group_info, replay_window, PC5SEC_A_REPLAY_WINDOW, "replay-window", "replay_window", FMT_U),
	FIELD(group_info, plaintext, PC5SEC_A_PLAINTEXT, "plaintext", "plaintext", FMT_ENUM, .name = plaintext_name),
};

static const struct field key_fields[] = {
	FIELD(key_info, pgk_id, PC5SEC_KEY_A_PGK_ID, "pgk-id", "pgk_id", FMT_HEX8),
	FIELD(key_info, index, PC5SEC_KEY_A_INDEX, "index", "index", FMT_U),
	FIELD(key_info, suite, PC5SEC_KEY_A_SUITE, "suite", "suite", FMT_ENUM, .name = suite_name),
	FIELD(key_info, state, PC5SEC_KEY_A_STATE, "state", "state", FMT_ENUM, .name = state_name),
	FIELD(key_info, not_before, PC5SEC_KEY_A_NOT_BEFORE, "not-before", "not_before", FMT_TIME, .line = true),
	FIELD(key_info, soft_expires, PC5SEC_KEY_A_SOFT_EXPIRES, "soft-expires", "soft_expires", FMT_TIME),
	FIELD(key_info, expires, PC5SEC_KEY_A_EXPIRES, "expires", "expires", FMT_TIME),
	FIELD(key_info, tx_ptk_id, PC5SEC_KEY_A_TX_PTK_ID, "tx-ptk-id", "tx_ptk_id", FMT_U, .line = true),
	FIELD(key_info, tx_counter, PC5SEC_KEY_A_TX_COUNTER, "tx-counter", "tx_counter", FMT_U),
	FIELD(key_info, tx_ptk_id_limit, PC5SEC_KEY_A_TX_PTK_ID_LIMIT, "tx-ptk-limit", "tx_ptk_id_limit", FMT_U),
	FIELD(key_info, rx_senders, PC5SEC_KEY_A_RX_SENDERS, "rx-senders", "rx_senders", FMT_U),
	FIELD(key_info, keyring, PC5SEC_KEY_A_KEYRING, "keyring", "keyring", FMT_STR, .line = true),
	FIELD(key_info, check, PC5SEC_KEY_A_CHECK, "check", "check", FMT_BYTES),
};

const struct table group_table = { group_fields, ARRAY_SIZE(group_fields) };
const struct table key_table = { key_fields, ARRAY_SIZE(key_fields) };

/* A field carried in an attribute of its own, not a nest or address */
static bool scalar(const struct field *f)
{
	return f->fmt != FMT_ADDR && f->fmt != FMT_FAMILY;
}

bool field_numeric(const struct field *f)
{
	return scalar(f) && f->fmt != FMT_STR && f->fmt != FMT_BYTES;
}

bool field_has(const struct field *f, const void *base, uint32_t has)
{
	if (!scalar(f))
		return ((const struct pc5_addr *)((const char *)base + f->off))->family;
	return has & BIT(f->attr);
}

uint64_t field_get(const struct field *f, const void *base)
{
	const char *p = (const char *)base + f->off;
	union { uint8_t u8; uint16_t u16; uint32_t u32; uint64_t u64; } v;

	memcpy(&v, p, f->size);
	switch (f->size) {
	case 1: return v.u8;
	case 2: return v.u16;
	case 4: return v.u32;
	default: return v.u64;
	}
}

void field_set(const struct table *t, void *base, uint32_t *has,
	       unsigned int attr, uint64_t v)
{
	union { uint8_t u8; uint16_t u16; uint32_t u32; uint64_t u64; } u;
	const struct field *f;

	for (f = t->fields; f < t->fields + t->n; f++) {
		if (f->attr != attr || !field_numeric(f))
			continue;
		switch (f->size) {
		case 1: u.u8 = v; break;
		case 2: u.u16 = v; break;
		case 4: u.u32 = v; break;
		default: u.u64 = v; break;
		}
		memcpy((char *)base + f->off, &u, f->size);
		*has |= BIT(attr);
	}
}

/* 1 if attr feeds a field of the table, 0 if not, -1 if malformed */
static int set_field(const struct nlattr *attr, const struct table *t,
		     void *base, uint32_t *has)
{
	unsigned int type = mnl_attr_get_type(attr);
	const struct field *f;

	const char *p = mnl_attr_get_payload(attr);
	uint16_t len = mnl_attr_get_payload_len(attr);

	for (f = t->fields; f < t->fields + t->n; f++) {
		if (f->attr != type || !scalar(f))
			continue;
		if (f->fmt == FMT_STR) {
			/* Up to the array's size with the NUL, which ends it */
			if (!len || len > f->size || p[len - 1] || strlen(p) != len - 1U)
				return -1;
			memset((char *)base + f->off, 0, f->size);
		} else if (mnl_attr_validate2(attr, MNL_TYPE_BINARY, f->size) < 0) {
			return -1;
		} else {
			len = f->size;
		}
		memcpy((char *)base + f->off, p, len);
		*has |= BIT(type);
		return 1;
	}
	return 0;
}

static int stat_cb(const struct nlattr *attr, void *data)
{
	struct stats *s = data;
	unsigned int type = mnl_attr_get_type(attr);

	if (type < PC5SEC_STAT_TX_PACKETS || type >= STAT_SLOTS)
		return MNL_CB_OK;
	if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
		return type <= PC5SEC_STAT_MAX ? MNL_CB_ERROR : MNL_CB_OK;
	s->val[type] = mnl_attr_get_u64(attr);
	s->present |= 1ull << type;
	return MNL_CB_OK;
}

static int parse_stats(const struct nlattr *attr, struct stats *s)
{
	if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
		return -1;
	return mnl_attr_parse_nested(attr, stat_cb, s) < 0 ? -1 : 0;
}

static int key_attr_cb(const struct nlattr *attr, void *data)
{
	struct key_info *k = data;
	int ret = set_field(attr, &key_table, k, &k->has);

	if (!ret && mnl_attr_get_type(attr) == PC5SEC_KEY_A_STATS) {
		ret = parse_stats(attr, &k->stats);
		k->has |= BIT(PC5SEC_KEY_A_STATS);
	} else if (!ret && mnl_attr_get_type(attr) == PC5SEC_KEY_A_USERDATA) {
		ret = -1;
		if (mnl_attr_get_payload_len(attr) <= sizeof(k->userdata)) {
			k->userdata_len = mnl_attr_get_payload_len(attr);
			memcpy(k->userdata, mnl_attr_get_payload(attr), k->userdata_len);
			k->has |= BIT(PC5SEC_KEY_A_USERDATA);
			ret = 0;
		}
	}
	return ret < 0 ? MNL_CB_ERROR : MNL_CB_OK;
}

static int add_key(const struct nlattr *attr, struct group_info *g)
{
	struct key_info *keys, *k;

	if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
		return -1;
	keys = realloc(g->keys, (g->nkeys + 1) * sizeof(*keys));
	if (!keys)
		return -1;
	g->keys = keys;
	k = memset(&keys[g->nkeys++], 0, sizeof(*k));
	return mnl_attr_parse_nested(attr, key_attr_cb, k) < 0 ? -1 : 0;
}

static int add_keys(const struct nlattr *nest, struct group_info *g)
{
	const struct nlattr *attr;

	if (mnl_attr_validate(nest, MNL_TYPE_NESTED) < 0)
		return -1;
	mnl_attr_for_each_nested(attr, nest)
		if (mnl_attr_get_type(attr) == PC5SEC_A_KEY && add_key(attr, g))
			return -1;
	return 0;
}

static int group_attr_cb(const struct nlattr *attr, void *data)
{
	struct group_info *g = data;
	unsigned int type = mnl_attr_get_type(attr);
	int ret = set_field(attr, &group_table, g, &g->has);

	if (ret)
		return ret < 0 ? MNL_CB_ERROR : MNL_CB_OK;
	switch (type) {
	case PC5SEC_A_GROUP_ADDR4:
	case PC5SEC_A_GROUP_ADDR6:
		ret = addr_get(attr, &g->addr);
		break;
	case PC5SEC_A_STATS:
		ret = parse_stats(attr, &g->stats);
		break;
	case PC5SEC_A_KEYS:
		ret = add_keys(attr, g);
		break;
	case PC5SEC_A_KEY:
		ret = add_key(attr, g);
		break;
	default:
		return MNL_CB_OK;
	}
	g->has |= BIT(type);
	return ret < 0 ? MNL_CB_ERROR : MNL_CB_OK;
}

int group_parse(const struct nlmsghdr *nlh, struct group_info *g)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);

	memset(g, 0, sizeof(*g));
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*genl)) {
		errno = EBADMSG;
		return -1;
	}
	g->cmd = genl->cmd;
	if (mnl_attr_parse(nlh, sizeof(*genl), group_attr_cb, g) < 0) {
		if (errno != ENOMEM)
			errno = EBADMSG;
		group_free(g);
		return -1;
	}
	return 0;
}

void group_free(struct group_info *g)
{
	free(g->keys);
	g->keys = NULL;
	g->nkeys = 0;
}

int group_list_cb(const struct nlmsghdr *nlh, void *data)
{
	struct group_list *l = data;
	struct group_info *groups;

	groups = realloc(l->groups, (l->n + 1) * sizeof(*groups));
	if (!groups)
		return MNL_CB_ERROR;
	l->groups = groups;
	if (group_parse(nlh, &groups[l->n]))
		return MNL_CB_ERROR;
	l->n++;
	return MNL_CB_OK;
}

void group_list_free(struct group_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		group_free(&l->groups[i]);
	free(l->groups);
	l->groups = NULL;
	l->n = 0;
}
