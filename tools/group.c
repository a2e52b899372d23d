// SPDX-License-Identifier: GPL-2.0
/*
 * pc5sec group add|set|del, and flush.
 */

#include <stdio.h>
#include <linux/pc5sec.h>

#include "addr.h"
#include "ipc.h"
#include "parse.h"
#include "pc5sec.h"

enum { G_GROUP_ID, G_MEMBER_ID, G_DEV, G_BEARER, G_WINDOW, G_PLAINTEXT };

static const struct opt add_opts[] = {
	[G_GROUP_ID] = { "group-id", OPT_NUM, PC5SEC_GROUP_ID_MAX, PC5SEC_A_GROUP_ID },
	[G_MEMBER_ID] = { "member-id", OPT_NUM, PC5SEC_MEMBER_ID_MAX, PC5SEC_A_MEMBER_ID },
	[G_DEV] = { "dev", OPT_IFNAME, 0, PC5SEC_A_IFINDEX },
	[G_BEARER] = { "bearer", OPT_NUM, PC5SEC_BEARER_MAX, PC5SEC_A_BEARER },
	[G_WINDOW] = { "replay-window", OPT_NUM, PC5SEC_REPLAY_WINDOW_MAX,
		       PC5SEC_A_REPLAY_WINDOW },
	[G_PLAINTEXT] = { "plaintext", OPT_PLAINTEXT, 0, PC5SEC_A_PLAINTEXT },
};

/* group set takes the last two, at the same indexes */
#define SET_OPTS (&add_opts[G_WINDOW])
#define SET_NOPTS (ARRAY_SIZE(add_opts) - G_WINDOW)

/* Hands the group at addr with the options given to the kernel */
static int request(uint8_t cmd, const struct pc5_addr *addr,
		   const union optval *v, unsigned int given, const char *what)
{
	struct group_info g = { 0 };
	size_t i;

	if (addr)
		g.addr = *addr;
	for (i = 0; i < ARRAY_SIZE(add_opts); i++)
		if (given & BIT(i))
			field_set(&group_table, &g, &g.has, add_opts[i].attr,
				  v[i].num);
	return ipc_group(cmd, &g, what) ? 1 : 0;
}

static int group_add(int argc, char *argv[])
{
	union optval v[ARRAY_SIZE(add_opts)];
	struct pc5_addr addr;
	unsigned int given;

	if (argc < 2) {
		fprintf(stderr, "%s: group add needs a group address\n", PROG_NAME);
		return 1;
	}
	if (addr_parse(argv[1], &addr) ||
	    parse_opts("group add", argc - 2, argv + 2, add_opts,
		       ARRAY_SIZE(add_opts), v, &given))
		return 1;
	if (!(given & BIT(G_GROUP_ID)) || !(given & BIT(G_MEMBER_ID))) {
		fprintf(stderr, "%s: group add needs group-id and member-id\n",
			PROG_NAME);
		return 1;
	}
	return request(PC5SEC_CMD_GROUP_NEW, &addr, v, given, "group add");
}

static int group_set(int argc, char *argv[])
{
	union optval v[ARRAY_SIZE(add_opts)];
	struct pc5_addr addr;
	unsigned int given;

	if (argc < 2) {
		fprintf(stderr, "%s: group set needs a group address\n", PROG_NAME);
		return 1;
	}
	if (addr_parse(argv[1], &addr) ||
	    parse_opts("group set", argc - 2, argv + 2, SET_OPTS, SET_NOPTS,
		       &v[G_WINDOW], &given))
		return 1;
	if (!given) {
		fprintf(stderr, "%s: group set needs replay-window or plaintext\n",
			PROG_NAME);
		return 1;
	}
	return request(PC5SEC_CMD_GROUP_SET, &addr, v, given << G_WINDOW,
		       "group set");
}

static int group_del(int argc, char *argv[])
{
	struct pc5_addr addr;

	if (argc != 2) {
		fprintf(stderr, "Usage: %s group del ADDR\n", PROG_NAME);
		return 1;
	}
	if (addr_parse(argv[1], &addr))
		return 1;
	return request(PC5SEC_CMD_GROUP_DEL, &addr, NULL, 0, "group del");
}

int cmd_flush(int argc, char *argv[])
{
	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "Usage: %s flush\n", PROG_NAME);
		return 1;
	}
	return request(PC5SEC_CMD_FLUSH, NULL, NULL, 0, "flush");
}

static const struct cmd group_cmds[] = {
	{ "add", group_add, "Adds a ProSe group",
	  "group add ADDR group-id ID member-id ID [dev IFNAME] [bearer N]\n"
	  "                        [replay-window N] [plaintext drop|accept]",
	  "Protects IP multicast to ADDR (IPv4 or IPv6 multicast) as the ProSe group\n"
	  "with the 24-bit Layer-2 group-id; member-id is this host's 24-bit Group\n"
	  "Member ID in it. dev restricts the group to one interface; bearer (0..31,\n"
	  "default 0) is the ciphers' BEARER input; replay-window (0..4096, default\n"
	  "128) sizes the receiver's replay window; plaintext says whether unprotected\n"
	  "datagrams to the group are dropped (the default) or accepted.\n" },
	{ "set", group_set, "Changes a group's receive options",
	  "group set ADDR [replay-window N] [plaintext drop|accept]",
	  "Changes the replay window or the plaintext policy of the group ADDR.\n" },
	{ "del", group_del, "Removes a group and its keys",
	  "group del ADDR",
	  "Removes the group ADDR with its keys; its traffic is no longer protected.\n" },
};

int cmd_group(int argc, char *argv[])
{
	return dispatch("group ", group_cmds, ARRAY_SIZE(group_cmds), argc, argv);
}
