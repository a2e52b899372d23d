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
#include "pc5sec.h"

/* A fixed-size attribute that lands in a struct member of its size */
struct field {
	size_t off, size;
};

#define FIELD(s, m) { offsetof(struct s, m), sizeof(((struct s *)0)->m) }

static const struct field group_fields[__PC5SEC_A_MAX] = {
	[PC5SEC_A_GROUP_ID] = FIELD(group_info, group_id),
	[PC5SEC_A_MEMBER_ID] = FIELD(group_info, member_id),
	[PC5SEC_A_IFINDEX] = FIELD(group_info, ifindex),
	[PC5SEC_A_BEARER] = FIELD(group_info, bearer),
	[PC5SEC_A_REPLAY_WINDOW] = FIELD(group_info, replay_window),
	[PC5SEC_A_PLAINTEXT] = FIELD(group_info, plaintext),
	[PC5SEC_A_SENDER_ID] = FIELD(group_info, sender_id),
};

static const struct field key_fields[__PC5SEC_KEY_A_MAX] = {
	[PC5SEC_KEY_A_PGK_ID] = FIELD(key_info, pgk_id),
	[PC5SEC_KEY_A_INDEX] = FIELD(key_info, index),
	[PC5SEC_KEY_A_SUITE] = FIELD(key_info, suite),
	[PC5SEC_KEY_A_NOT_BEFORE] = FIELD(key_info, not_before),
	[PC5SEC_KEY_A_SOFT_EXPIRES] = FIELD(key_info, soft_expires),
	[PC5SEC_KEY_A_EXPIRES] = FIELD(key_info, expires),
	[PC5SEC_KEY_A_TX_PTK_ID] = FIELD(key_info, tx_ptk_id),
	[PC5SEC_KEY_A_TX_PTK_ID_LIMIT] = FIELD(key_info, tx_ptk_id_limit),
	[PC5SEC_KEY_A_TX_COUNTER] = FIELD(key_info, tx_counter),
	[PC5SEC_KEY_A_STATE] = FIELD(key_info, state),
	[PC5SEC_KEY_A_RX_SENDERS] = FIELD(key_info, rx_senders),
};

/* 1 if attr was a field of the table, 0 if not, -1 if malformed */
static int set_field(const struct nlattr *attr, const struct field *fields,
		     size_t n, void *base, uint32_t *has)
{
	unsigned int type = mnl_attr_get_type(attr);

	if (type >= n || !fields[type].size)
		return 0;
	if (mnl_attr_validate2(attr, MNL_TYPE_BINARY, fields[type].size) < 0)
		return -1;
	memcpy((char *)base + fields[type].off, mnl_attr_get_payload(attr),
	       fields[type].size);
	*has |= BIT(type);
	return 1;
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
	int ret = set_field(attr, key_fields, ARRAY_SIZE(key_fields), k,
			    &k->has);

	if (!ret && mnl_attr_get_type(attr) == PC5SEC_KEY_A_STATS) {
		ret = parse_stats(attr, &k->stats);
		k->has |= BIT(PC5SEC_KEY_A_STATS);
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
	int ret = set_field(attr, group_fields, ARRAY_SIZE(group_fields), g,
			    &g->has);

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
