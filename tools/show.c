// SPDX-License-Identifier: GPL-2.0
/*
 * pc5sec show: the groups, their keys and statistics, as text.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <linux/pc5sec.h>

#include "names.h"
#include "nl.h"
#include "pc5sec.h"
#include "show.h"

#define DUMP_TRIES 10

const char *enum_str(const char *name, unsigned int v, char buf[24])
{
	if (name)
		return name;
	snprintf(buf, 24, "unknown-%u", v);
	return buf;
}

const char *dev_name(uint32_t ifindex, char buf[IF_NAMESIZE])
{
	return if_indextoname(ifindex, buf);
}

const char *stat_str(const struct stats *s, unsigned int i, char buf[24])
{
	if (i < PC5SEC_STAT_TX_PACKETS || i >= STAT_SLOTS)
		return NULL;
	if (stat_name(i))
		return stat_name(i);
	if (!(s->present & (1ull << i)))
		return NULL;
	snprintf(buf, 24, "stat_%u", i);
	return buf;
}

static void print_stats(const struct stats *s, const char *indent,
			const char *title)
{
	char buf[24], name[24], *c;
	unsigned int i;

	printf("%s%s\n", indent, title);
	for (i = 0; i < STAT_SLOTS; i++) {
		if (!stat_str(s, i, buf))
			continue;
		snprintf(name, sizeof(name), "%s", stat_str(s, i, buf));
		for (c = name; *c; c++)
			if (*c == '_')
				*c = '-';
		printf("%s  %s: %" PRIu64 "\n", indent, name, s->val[i]);
	}
}

/* "label time", after sep */
static void print_time(const char *sep, const char *label, bool has, int64_t t)
{
	char buf[32];
	time_t tt = t;
	struct tm tm;

	printf("%s%s ", sep, label);
	if (!has)
		printf("never");
	else if (tt == t && gmtime_r(&tt, &tm) &&
		 strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S UTC", &tm))
		printf("%s", buf);
	else
		printf("@%" PRId64, t);
}

static void print_key(const struct key_info *k, bool stats)
{
	const char *sep = "    ";
	char buf[24];

	printf("  key pgk-id 0x%08x", k->pgk_id);
	if (HAS(k, PC5SEC_KEY_A_INDEX))
		printf(" index %u", k->index);
	if (HAS(k, PC5SEC_KEY_A_SUITE))
		printf(" suite %s", enum_str(suite_name(k->suite), k->suite, buf));
	if (HAS(k, PC5SEC_KEY_A_STATE))
		printf(" state %s", enum_str(state_name(k->state), k->state, buf));
	printf("\n");
	if (HAS(k, PC5SEC_KEY_A_NOT_BEFORE)) {
		print_time(sep, "not-before", true, k->not_before);
		sep = "  ";
	}
	print_time(sep, "soft-expires", HAS(k, PC5SEC_KEY_A_SOFT_EXPIRES),
		   k->soft_expires);
	print_time("  ", "expires", HAS(k, PC5SEC_KEY_A_EXPIRES), k->expires);
	printf("\n    tx ptk-id %u counter %u limit %u", k->tx_ptk_id,
	       k->tx_counter, k->tx_ptk_id_limit);
	if (HAS(k, PC5SEC_KEY_A_RX_SENDERS))
		printf("  rx senders %u", k->rx_senders);
	printf("\n");
	if (stats)
		print_stats(&k->stats, "    ", "stats:");
}

static void print_group(const struct group_info *g, bool stats)
{
	char buf[ADDR_STRLEN > 24 ? ADDR_STRLEN : 24];
	size_t i;

	printf("group %s\n ", addr_str(&g->addr, buf));
	if (HAS(g, PC5SEC_A_GROUP_ID))
		printf(" group-id 0x%06x", g->group_id);
	if (HAS(g, PC5SEC_A_MEMBER_ID))
		printf(" member-id 0x%06x", g->member_id);
	if (HAS(g, PC5SEC_A_IFINDEX) && dev_name(g->ifindex, buf))
		printf(" dev %s", buf);
	else if (HAS(g, PC5SEC_A_IFINDEX))
		printf(" dev %u", g->ifindex);
	if (HAS(g, PC5SEC_A_BEARER))
		printf(" bearer %u", g->bearer);
	if (HAS(g, PC5SEC_A_REPLAY_WINDOW))
		printf(" replay-window %u", g->replay_window);
	if (HAS(g, PC5SEC_A_PLAINTEXT))
		printf(" plaintext %s",
		       enum_str(plaintext_name(g->plaintext), g->plaintext, buf));
	printf("\n");
	if (stats)
		print_stats(&g->stats, "  ", "stats:");
	for (i = 0; i < g->nkeys; i++)
		print_key(&g->keys[i], stats);
}

static void show_text(const struct show *s)
{
	size_t i;

	for (i = 0; i < s->groups.n; i++) {
		if (i)
			printf("\n");
		print_group(&s->groups.groups[i], s->stats);
	}
	if (s->stats) {
		if (s->groups.n)
			printf("\n");
		print_stats(&s->ns, "", "namespace stats:");
	}
}

/* A dump is redone when a change made it inconsistent */
static int fetch_groups(struct nl *nl, struct show *s)
{
	_Alignas(8) char buf[NL_TX_SIZE];
	struct nlmsghdr *nlh;
	int tries, ret;

	for (tries = 0; tries < DUMP_TRIES; tries++) {
		group_list_free(&s->groups);
		nlh = nl_msg(nl, buf, PC5SEC_CMD_GROUP_GET,
			     s->addr.family ? NLM_F_ACK : NLM_F_DUMP);
		if (s->addr.family)
			addr_put(nlh, &s->addr);
		ret = nl_talk(nl, nlh, group_list_cb, &s->groups, "show");
		if (ret || !nl->dump_intr)
			return ret;
	}
	fprintf(stderr, "%s: show: the groups kept changing during the dump; try again\n",
		PROG_NAME);
	return -EAGAIN;
}

static int fetch_ns_stats(struct nl *nl, struct show *s)
{
	_Alignas(8) char buf[NL_TX_SIZE];
	struct group_list l = { 0 };
	struct nlmsghdr *nlh;
	int ret;

	nlh = nl_msg(nl, buf, PC5SEC_CMD_STATS_GET, NLM_F_ACK);
	ret = nl_talk(nl, nlh, group_list_cb, &l, "show");
	if (!ret && l.n)
		s->ns = l.groups[0].stats;
	group_list_free(&l);
	return ret;
}

static int parse_args(int argc, char *argv[], struct show *s)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-s") || !strcmp(argv[i], "--stats")) {
			s->stats = true;
		} else if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json")) {
			s->json = true;
		} else if (argv[i][0] == '-' || s->addr.family) {
			fprintf(stderr, "%s: show: unexpected '%s' (see '%s show --help')\n",
				PROG_NAME, argv[i], PROG_NAME);
			return -1;
		} else if (addr_parse(argv[i], &s->addr)) {
			return -1;
		}
	}
	return 0;
}

int cmd_show(int argc, char *argv[])
{
	struct show s = { 0 };
	struct nl nl;
	int ret;

	if (parse_args(argc, argv, &s) || nl_connect(&nl))
		return 1;
	ret = fetch_groups(&nl, &s);
	if (!ret && s.stats)
		ret = fetch_ns_stats(&nl, &s);
	nl_close(&nl);
	if (!ret && s.json)
		show_json(&s);
	else if (!ret)
		show_text(&s);
	group_list_free(&s.groups);
	if (!ret && fflush(stdout)) {
		fprintf(stderr, "%s: show: %s\n", PROG_NAME, strerror(errno));
		ret = -errno;
	}
	return ret ? 1 : 0;
}
