// SPDX-License-Identifier: GPL-2.0
/*
 * pc5sec show -j: one JSON object, {"groups": [...], "stats": {...}}.
 * Absent attributes are null; the schema is in pc5sec.8.
 */

#include <stdio.h>
#include <sys/socket.h>
#include <linux/pc5sec.h>

#include "json.h"
#include "names.h"
#include "show.h"

static void num_or_null(struct json *j, const char *key, bool has, uint64_t v)
{
	if (has)
		json_u64(j, key, v);
	else
		json_null(j, key);
}

static void time_or_null(struct json *j, const char *key, bool has, int64_t v)
{
	if (has)
		json_s64(j, key, v);
	else
		json_null(j, key);
}

static void enum_or_null(struct json *j, const char *key, bool has,
			 const char *name, unsigned int v)
{
	char buf[24];

	json_str(j, key, has ? enum_str(name, v, buf) : NULL);
}

static void json_stats(struct json *j, const char *key, const struct stats *s)
{
	unsigned int i;
	char buf[24];

	json_obj(j, key);
	for (i = 0; i < STAT_SLOTS; i++)
		if (stat_str(s, i, buf))
			json_u64(j, stat_str(s, i, buf), s->val[i]);
	json_end_obj(j);
}

static void json_key(struct json *j, const struct key_info *k, bool stats)
{
	json_obj(j, NULL);
	num_or_null(j, "pgk_id", HAS(k, PC5SEC_KEY_A_PGK_ID), k->pgk_id);
	num_or_null(j, "index", HAS(k, PC5SEC_KEY_A_INDEX), k->index);
	enum_or_null(j, "suite", HAS(k, PC5SEC_KEY_A_SUITE),
		     suite_name(k->suite), k->suite);
	enum_or_null(j, "state", HAS(k, PC5SEC_KEY_A_STATE),
		     state_name(k->state), k->state);
	time_or_null(j, "not_before", HAS(k, PC5SEC_KEY_A_NOT_BEFORE),
		     k->not_before);
	time_or_null(j, "soft_expires", HAS(k, PC5SEC_KEY_A_SOFT_EXPIRES),
		     k->soft_expires);
	time_or_null(j, "expires", HAS(k, PC5SEC_KEY_A_EXPIRES), k->expires);
	num_or_null(j, "tx_ptk_id", HAS(k, PC5SEC_KEY_A_TX_PTK_ID),
		    k->tx_ptk_id);
	num_or_null(j, "tx_counter", HAS(k, PC5SEC_KEY_A_TX_COUNTER),
		    k->tx_counter);
	num_or_null(j, "tx_ptk_id_limit", HAS(k, PC5SEC_KEY_A_TX_PTK_ID_LIMIT),
		    k->tx_ptk_id_limit);
	num_or_null(j, "rx_senders", HAS(k, PC5SEC_KEY_A_RX_SENDERS),
		    k->rx_senders);
	if (stats)
		json_stats(j, "stats", &k->stats);
	json_end_obj(j);
}

static void json_group(struct json *j, const struct group_info *g, bool stats)
{
	bool has_dev = HAS(g, PC5SEC_A_IFINDEX);
	char buf[ADDR_STRLEN > IF_NAMESIZE ? ADDR_STRLEN : IF_NAMESIZE];
	size_t i;

	json_obj(j, NULL);
	json_str(j, "address", g->addr.family ? addr_str(&g->addr, buf) : NULL);
	json_str(j, "family", !g->addr.family ? NULL :
		 g->addr.family == AF_INET ? "ipv4" : "ipv6");
	num_or_null(j, "group_id", HAS(g, PC5SEC_A_GROUP_ID), g->group_id);
	num_or_null(j, "member_id", HAS(g, PC5SEC_A_MEMBER_ID), g->member_id);
	json_str(j, "dev", has_dev ? dev_name(g->ifindex, buf) : NULL);
	num_or_null(j, "ifindex", has_dev, g->ifindex);
	num_or_null(j, "bearer", HAS(g, PC5SEC_A_BEARER), g->bearer);
	num_or_null(j, "replay_window", HAS(g, PC5SEC_A_REPLAY_WINDOW),
		    g->replay_window);
	enum_or_null(j, "plaintext", HAS(g, PC5SEC_A_PLAINTEXT),
		     plaintext_name(g->plaintext), g->plaintext);
	if (stats)
		json_stats(j, "stats", &g->stats);
	json_arr(j, "keys");
	for (i = 0; i < g->nkeys; i++)
		json_key(j, &g->keys[i], stats);
	json_end_arr(j);
	json_end_obj(j);
}

void show_json(const struct show *s)
{
	struct json j;
	size_t i;

	json_init(&j, stdout);
	json_obj(&j, NULL);
	json_arr(&j, "groups");
	for (i = 0; i < s->groups.n; i++)
		json_group(&j, &s->groups.groups[i], s->stats);
	json_end_arr(&j);
	if (s->stats)
		json_stats(&j, "stats", &s->ns);
	json_end_obj(&j);
}
