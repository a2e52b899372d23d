// SPDX-License-Identifier: GPL-2.0
/*
 * pc5sec key add|del. The PGK is read from a file or stdin, never from
 * argv, and every buffer that held it is wiped; or the kernel takes it
 * from a logon key in the caller's keyrings, and the tool never sees it.
 */

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/pc5sec.h>

#include "addr.h"
#include "config.h"
#include "ipc.h"
#include "model.h"
#include "parse.h"
#include "pc5sec.h"
#include "state.h"

enum {
	K_PGK_ID, K_SUITE, K_KEY_FILE, K_NOT_BEFORE, K_SOFT_EXPIRES,
	K_EXPIRES, K_TX_PTK_ID, K_TX_PTK_LIMIT, K_KEY_KEYRING,
};

static const struct opt key_opts[] = {
	[K_PGK_ID] = { "pgk-id", OPT_NUM, UINT32_MAX, PC5SEC_KEY_A_PGK_ID },
	[K_SUITE] = { "suite", OPT_SUITE, 0, PC5SEC_KEY_A_SUITE },
	[K_KEY_FILE] = { "key-file", OPT_STR, 0, 0 },
	[K_NOT_BEFORE] = { "not-before", OPT_TIME, 0, PC5SEC_KEY_A_NOT_BEFORE },
	[K_SOFT_EXPIRES] = { "soft-expires", OPT_TIME, 0, PC5SEC_KEY_A_SOFT_EXPIRES },
	[K_EXPIRES] = { "expires", OPT_TIME, 0, PC5SEC_KEY_A_EXPIRES },
	[K_TX_PTK_ID] = { "tx-ptk-id", OPT_NUM, PC5SEC_PTK_ID_MAX, PC5SEC_KEY_A_TX_PTK_ID },
	[K_TX_PTK_LIMIT] = { "tx-ptk-limit", OPT_NUM, PC5SEC_PTK_ID_MAX,
			     PC5SEC_KEY_A_TX_PTK_ID_LIMIT },
	[K_KEY_KEYRING] = { "key-keyring", OPT_STR, 0, 0 },
};

struct key_req {
	struct pc5_addr addr;
	union optval v[ARRAY_SIZE(key_opts)];
	unsigned int given;
	uint8_t pgk[PC5SEC_PGK_LEN];
	struct key_info key;		/* what is sent */
};

/* The model fields of the options given */
static void fill_key(struct key_info *k, const union optval *v,
		     unsigned int given, size_t nopts)
{
	size_t i;

	for (i = 0; i < nopts; i++)
		if ((given & BIT(i)) && key_opts[i].attr)
			field_set(&key_table, k, &k->has, key_opts[i].attr,
				  v[i].num);
}

static int check_args(const struct key_req *r)
{
	static const unsigned int needed[] = { K_PGK_ID, K_SUITE };
	const char *desc = r->v[K_KEY_KEYRING].str;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(needed); i++) {
		if (r->given & BIT(needed[i]))
			continue;
		fprintf(stderr, "%s: key add needs %s\n", PROG_NAME,
			key_opts[needed[i]].name);
		return -1;
	}
	if (!(r->given & (BIT(K_KEY_FILE) | BIT(K_KEY_KEYRING)))) {
		fprintf(stderr, "%s: key add needs key-file or key-keyring\n", PROG_NAME);
		return -1;
	}
	if ((r->given & BIT(K_KEY_FILE)) && (r->given & BIT(K_KEY_KEYRING))) {
		fprintf(stderr, "%s: key add takes key-file or key-keyring, not both\n",
			PROG_NAME);
		return -1;
	}
	if ((r->given & BIT(K_KEY_KEYRING)) &&
	    (!*desc || strlen(desc) > PC5SEC_KEYRING_DESC_MAX)) {
		fprintf(stderr, "%s: key-keyring: a description of 1 to %d characters, such as pc5sec:NAME\n",
			PROG_NAME, PC5SEC_KEYRING_DESC_MAX);
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
static int get_member_id(const struct pc5_addr *addr, uint32_t *member_id)
{
	struct group_list l = { 0 };
	char a[ADDR_STRLEN], what[96];
	int ret;

	snprintf(what, sizeof(what), "key add: cannot look up group %s",
		 addr_str(addr, a));
	ret = ipc_groups(addr, &l, what);
	if (!ret && (l.n != 1 || !HAS(&l.groups[0], PC5SEC_A_MEMBER_ID))) {
		fprintf(stderr, "%s: %s: %s\n", PROG_NAME, what, strerror(EBADMSG));
		ret = -EBADMSG;
	}
	if (!ret)
		*member_id = l.groups[0].member_id;
	group_list_free(&l);
	return ret;
}

/* Takes the explicit reservation, or the next block of the state file */
static int reserve(struct key_req *r)
{
	struct resv_id id = { &r->addr, 0, r->v[K_PGK_ID].num };
	uint16_t first, last = PC5SEC_PTK_ID_MAX;
	char why[512];

	if (r->given & BIT(K_TX_PTK_ID)) {
		first = r->v[K_TX_PTK_ID].num;
		if (r->given & BIT(K_TX_PTK_LIMIT))
			last = r->v[K_TX_PTK_LIMIT].num;
	} else if (get_member_id(&r->addr, &id.member_id)) {
		return -1;
	} else if (resv_reserve(state_dir, &id, 0, &first, &last, why,
				sizeof(why))) {
		fprintf(stderr, "%s: key add: %s\n", PROG_NAME, why);
		return -1;
	}
	field_set(&key_table, &r->key, &r->key.has, PC5SEC_KEY_A_TX_PTK_ID, first);
	field_set(&key_table, &r->key, &r->key.has, PC5SEC_KEY_A_TX_PTK_ID_LIMIT,
		  last);
	return 0;
}

static int key_add(int argc, char *argv[])
{
	struct key_req r = { 0 };
	char path[PATH_MAX];
	int ret;

	if (argc < 2) {
		fprintf(stderr, "%s: key add needs a group address\n", PROG_NAME);
		return 1;
	}
	if (addr_parse(argv[1], &r.addr) ||
	    parse_opts("key add", argc - 2, argv + 2, key_opts,
		       ARRAY_SIZE(key_opts), r.v, &r.given) ||
	    check_args(&r))
		return 1;
	if ((r.given & BIT(K_KEY_FILE)) && read_key_file(r.v[K_KEY_FILE].str, r.pgk))
		return 1;
	fill_key(&r.key, r.v, r.given, ARRAY_SIZE(key_opts));
	if (r.given & BIT(K_KEY_KEYRING)) {
		snprintf(r.key.keyring, sizeof(r.key.keyring), "%s", r.v[K_KEY_KEYRING].str);
		r.key.has |= BIT(PC5SEC_KEY_A_KEYRING);
	}
	if ((r.given & BIT(K_KEY_FILE)) && strcmp(r.v[K_KEY_FILE].str, "-") &&
	    realpath(r.v[K_KEY_FILE].str, path))
		key_source_file_set(&r.key, path);
	ret = reserve(&r);
	if (!ret)
		ret = ipc_key(PC5SEC_CMD_KEY_NEW, &r.addr, &r.key,
			      (r.given & BIT(K_KEY_FILE)) ? r.pgk : NULL, "key add");
	explicit_bzero(r.pgk, sizeof(r.pgk));
	return ret ? 1 : 0;
}

static int key_del(int argc, char *argv[])
{
	struct key_info k = { 0 };
	struct pc5_addr addr;
	union optval v[1];
	unsigned int given;

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
	fill_key(&k, v, given, 1);
	return ipc_key(PC5SEC_CMD_KEY_DEL, &addr, &k, NULL, "key del") ? 1 : 0;
}

static const struct cmd key_cmds[] = {
	{ "add", key_add, "Installs a PGK in a group",
	  "key add ADDR pgk-id ID suite SUITE {key-file FILE|- | key-keyring DESC}\n"
	  "                      [not-before T] [soft-expires T] [expires T]\n"
	  "                      [tx-ptk-id N [tx-ptk-limit N]]",
	  "Installs the PGK read from FILE (- for stdin: 64 hex digits, whitespace\n"
	  "ignored) in the group ADDR under the 32-bit pgk-id. With key-keyring, the\n"
	  "kernel takes the PGK from the logon key DESC in the caller's keyrings\n"
	  "(keyctl padd logon pc5sec:NAME @u <32-octet file) and copies it: revoking\n"
	  "the logon key later does not remove the installed key. SUITE is eea0,\n"
	  "eea1, eea2, eea3 or aes-gcm-128. Times T are seconds from now with an\n"
	  "optional unit (90, 90s, 30m, 12h, 7d) or @UNIXTIME. Without tx-ptk-id the\n"
	  "next 64 tx PTK IDs are reserved from the state directory before the key\n"
	  "is sent; with it, PTK IDs tx-ptk-id to tx-ptk-limit (default 65535) are\n"
	  "used and never reusing them is the caller's job.\n" },
	{ "del", key_del, "Removes a PGK from a group",
	  "key del ADDR pgk-id ID",
	  "Removes the PGK with that pgk-id from the group ADDR. Its reservation\n"
	  "file stays: those PTK IDs must never be used again with this PGK.\n" },
};

int cmd_key(int argc, char *argv[])
{
	return dispatch("key ", key_cmds, ARRAY_SIZE(key_cmds), argc, argv);
}
