// SPDX-License-Identifier: GPL-2.0
/*
 * pc5sec key add|del. The PGK is read from a file or stdin, never from
 * argv, and every buffer that held it is wiped.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/pc5sec.h>

#include "addr.h"
#include "model.h"
#include "nl.h"
#include "parse.h"
#include "pc5sec.h"
#include "state.h"

enum {
	K_PGK_ID, K_SUITE, K_KEY_FILE, K_NOT_BEFORE, K_SOFT_EXPIRES,
	K_EXPIRES, K_TX_PTK_ID, K_TX_PTK_LIMIT,
};

static const struct opt key_opts[] = {
	[K_PGK_ID] = { "pgk-id", OPT_NUM, UINT32_MAX },
	[K_SUITE] = { "suite", OPT_SUITE, 0 },
	[K_KEY_FILE] = { "key-file", OPT_STR, 0 },
	[K_NOT_BEFORE] = { "not-before", OPT_TIME, 0 },
	[K_SOFT_EXPIRES] = { "soft-expires", OPT_TIME, 0 },
	[K_EXPIRES] = { "expires", OPT_TIME, 0 },
	[K_TX_PTK_ID] = { "tx-ptk-id", OPT_NUM, PC5SEC_PTK_ID_MAX },
	[K_TX_PTK_LIMIT] = { "tx-ptk-limit", OPT_NUM, PC5SEC_PTK_ID_MAX },
};

struct key_req {
	struct pc5_addr addr;
	union optval v[ARRAY_SIZE(key_opts)];
	unsigned int given;
	uint8_t pgk[PC5SEC_PGK_LEN];
	uint16_t first, last;		/* the tx reservation */
};

static int check_args(const struct key_req *r)
{
	static const unsigned int needed[] = { K_PGK_ID, K_SUITE, K_KEY_FILE };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(needed); i++) {
		if (r->given & BIT(needed[i]))
			continue;
		fprintf(stderr, "%s: key add needs %s\n", PROG_NAME,
			key_opts[needed[i]].name);
		return -1;
	}
	if ((r->given & BIT(K_TX_PTK_LIMIT)) && !(r->given & BIT(K_TX_PTK_ID))) {
		fprintf(stderr, "%s: tx-ptk-limit needs tx-ptk-id\n", PROG_NAME);
		return -1;
	}
	if ((r->given & BIT(K_TX_PTK_LIMIT)) &&
	    r->v[K_TX_PTK_LIMIT].num < r->v[K_TX_PTK_ID].num) {
		fprintf(stderr, "%s: tx-ptk-limit must not be below tx-ptk-id\n",
			PROG_NAME);
		return -1;
	}
	return 0;
}

/* The group's own member ID, which a reservation is for */
static int get_member_id(struct nl *nl, const struct pc5_addr *addr,
			 uint32_t *member_id)
{
	_Alignas(8) char buf[NL_TX_SIZE];
	struct group_list l = { 0 };
	char a[ADDR_STRLEN];
	struct nlmsghdr *nlh;
	int ret;

	nlh = nl_msg(nl, buf, PC5SEC_CMD_GROUP_GET, NLM_F_ACK);
	addr_put(nlh, addr);
	ret = nl_talk(nl, nlh, group_list_cb, &l, NULL);
	if (!ret && (l.n != 1 || !HAS(&l.groups[0], PC5SEC_A_MEMBER_ID)))
		ret = -EBADMSG;
	if (!ret)
		*member_id = l.groups[0].member_id;
	else
		fprintf(stderr, "%s: key add: cannot look up group %s: %s%s%s\n",
			PROG_NAME, addr_str(addr, a), strerror(-ret),
			nl->extack[0] ? ": " : "", nl->extack);
	group_list_free(&l);
	return ret;
}

/* Takes the explicit reservation, or the next block of the state file */
static int reserve(struct nl *nl, struct key_req *r)
{
	struct resv_id id = { &r->addr, 0, r->v[K_PGK_ID].num };
	char why[512];

	if (r->given & BIT(K_TX_PTK_ID)) {
		r->first = r->v[K_TX_PTK_ID].num;
		r->last = r->given & BIT(K_TX_PTK_LIMIT) ?
			  r->v[K_TX_PTK_LIMIT].num : PC5SEC_PTK_ID_MAX;
		return 0;
	}
	if (get_member_id(nl, &r->addr, &id.member_id))
		return -1;
	if (resv_reserve(state_dir, &id, &r->first, &r->last, why, sizeof(why))) {
		fprintf(stderr, "%s: key add: %s\n", PROG_NAME, why);
		return -1;
	}
	return 0;
}

static void put_key(struct nlmsghdr *nlh, const struct key_req *r)
{
	static const unsigned int times[][2] = {
		{ K_NOT_BEFORE, PC5SEC_KEY_A_NOT_BEFORE },
		{ K_SOFT_EXPIRES, PC5SEC_KEY_A_SOFT_EXPIRES },
		{ K_EXPIRES, PC5SEC_KEY_A_EXPIRES },
	};
	struct nlattr *nest = mnl_attr_nest_start(nlh, PC5SEC_A_KEY);
	size_t i;

	mnl_attr_put_u32(nlh, PC5SEC_KEY_A_PGK_ID, r->v[K_PGK_ID].num);
	mnl_attr_put(nlh, PC5SEC_KEY_A_PGK, sizeof(r->pgk), r->pgk);
	mnl_attr_put_u8(nlh, PC5SEC_KEY_A_SUITE, r->v[K_SUITE].num);
	for (i = 0; i < ARRAY_SIZE(times); i++)
		if (r->given & BIT(times[i][0]))
			mnl_attr_put_u64(nlh, times[i][1], r->v[times[i][0]].time);
	mnl_attr_put_u16(nlh, PC5SEC_KEY_A_TX_PTK_ID, r->first);
	mnl_attr_put_u16(nlh, PC5SEC_KEY_A_TX_PTK_ID_LIMIT, r->last);
	mnl_attr_nest_end(nlh, nest);
}

static int install(struct key_req *r)
{
	_Alignas(8) char buf[NL_TX_SIZE];
	struct nlmsghdr *nlh;
	struct nl nl;
	int ret;

	if (nl_connect(&nl))
		return -1;
	ret = reserve(&nl, r);
	if (!ret) {
		nlh = nl_msg(&nl, buf, PC5SEC_CMD_KEY_NEW, NLM_F_ACK);
		addr_put(nlh, &r->addr);
		put_key(nlh, r);
		ret = nl_talk(&nl, nlh, NULL, NULL, "key add");
		explicit_bzero(buf, sizeof(buf));
	}
	nl_close(&nl);
	return ret;
}

static int key_add(int argc, char *argv[])
{
	struct key_req r = { 0 };
	int ret;

	if (argc < 2) {
		fprintf(stderr, "%s: key add needs a group address\n", PROG_NAME);
		return 1;
	}
	if (addr_parse(argv[1], &r.addr) ||
	    parse_opts("key add", argc - 2, argv + 2, key_opts,
		       ARRAY_SIZE(key_opts), r.v, &r.given) ||
	    check_args(&r) || read_key_file(r.v[K_KEY_FILE].str, r.pgk))
		return 1;
	ret = install(&r);
	explicit_bzero(r.pgk, sizeof(r.pgk));
	return ret ? 1 : 0;
}

static int key_del(int argc, char *argv[])
{
	_Alignas(8) char buf[NL_TX_SIZE];
	union optval v[1];
	struct pc5_addr addr;
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	unsigned int given;
	struct nl nl;
	int ret;

	if (argc < 2) {
		fprintf(stderr, "%s: key del needs a group address\n", PROG_NAME);
		return 1;
	}
	if (addr_parse(argv[1], &addr) ||
	    parse_opts("key del", argc - 2, argv + 2, key_opts, 1, v, &given))
		return 1;
	if (!given) {
		fprintf(stderr, "%s: key del needs pgk-id\n", PROG_NAME);
		return 1;
	}
	if (nl_connect(&nl))
		return 1;
	nlh = nl_msg(&nl, buf, PC5SEC_CMD_KEY_DEL, NLM_F_ACK);
	addr_put(nlh, &addr);
	nest = mnl_attr_nest_start(nlh, PC5SEC_A_KEY);
	mnl_attr_put_u32(nlh, PC5SEC_KEY_A_PGK_ID, v[0].num);
	mnl_attr_nest_end(nlh, nest);
	ret = nl_talk(&nl, nlh, NULL, NULL, "key del");
	nl_close(&nl);
	return ret ? 1 : 0;
}

static const struct cmd key_cmds[] = {
	{ "add", key_add, "Installs a PGK in a group",
	  "key add ADDR pgk-id ID suite SUITE key-file FILE|- [not-before T]\n"
	  "                      [soft-expires T] [expires T] [tx-ptk-id N [tx-ptk-limit N]]",
	  "Installs the PGK read from FILE (- for stdin: 64 hex digits, whitespace\n"
	  "ignored) in the group ADDR under the 32-bit pgk-id. SUITE is eea0, eea1,\n"
	  "eea2, eea3 or aes-gcm-128. Times T are seconds from now with an optional\n"
	  "unit (90, 90s, 30m, 12h, 7d) or @UNIXTIME. Without tx-ptk-id the next 64\n"
	  "tx PTK IDs are reserved from the state directory before the key is sent;\n"
	  "with it, PTK IDs tx-ptk-id to tx-ptk-limit (default 65535) are used and\n"
	  "never reusing them is the caller's job.\n" },
	{ "del", key_del, "Removes a PGK from a group",
	  "key del ADDR pgk-id ID",
	  "Removes the PGK with that pgk-id from the group ADDR. Its reservation\n"
	  "file stays: those PTK IDs must never be used again with this PGK.\n" },
};

int cmd_key(int argc, char *argv[])
{
	return dispatch("key ", key_cmds, ARRAY_SIZE(key_cmds), argc, argv);
}
