// SPDX-License-Identifier: GPL-2.0
/*
 * The one place that talks to the kernel: the process's netlink handle and
 * every request, built from the model's field tables.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "ipc.h"
#include "pc5sec.h"

#define DUMP_TRIES 10

static struct nl handle;
static bool opened;

int ipc_open(struct nl **nl)
{
	int ret = 0;

	if (!opened)
		ret = nl_open(&handle);
	opened = !ret;
	*nl = opened ? &handle : NULL;
	return ret;
}

struct nl *ipc_handle(void)
{
	struct nl *nl;
	int ret = ipc_open(&nl);

	if (ret == -ENOENT)
		fprintf(stderr, "%s: the pc5sec kernel module is not loaded\n",
			PROG_NAME);
	else if (ret)
		fprintf(stderr, "%s: cannot reach the pc5sec generic netlink family: %s\n",
			PROG_NAME, strerror(-ret));
	return nl;
}

void ipc_close(void)
{
	if (opened)
		nl_close(&handle);
	opened = false;
}

/* Each attribute of the fields base has, once: a table may repeat one */
static void put_fields(struct nlmsghdr *nlh, const struct table *t,
		       const void *base, uint32_t has)
{
	const struct field *f;
	uint32_t done = 0;

	for (f = t->fields; f < t->fields + t->n; f++) {
		if (f->fmt == FMT_ADDR || f->fmt == FMT_FAMILY ||
		    !(has & BIT(f->attr)) || (done & BIT(f->attr)))
			continue;
		if (f->fmt == FMT_STR)
			mnl_attr_put_strz(nlh, f->attr, (const char *)base + f->off);
		else
			mnl_attr_put(nlh, f->attr, f->size, (const char *)base + f->off);
		done |= BIT(f->attr);
	}
}

static int request(struct nlmsghdr **nlh, void *buf, uint8_t cmd,
		   uint16_t flags)
{
	struct nl *nl = ipc_handle();

	if (!nl)
		return -ENOTCONN;
	*nlh = nl_msg(nl, buf, cmd, flags);
	return 0;
}

int ipc_group(uint8_t cmd, const struct group_info *g, const char *what)
{
	_Alignas(8) char buf[NL_TX_SIZE];
	struct nlmsghdr *nlh;
	int ret = request(&nlh, buf, cmd, NLM_F_ACK);

	if (ret)
		return ret;
	if (g->addr.family)
		addr_put(nlh, &g->addr);
	put_fields(nlh, &group_table, g, g->has);
	return nl_talk(&handle, nlh, NULL, NULL, what);
}

int ipc_key(uint8_t cmd, const struct pc5_addr *addr, const struct key_info *k,
	    const uint8_t *pgk, const char *what)
{
	_Alignas(8) char buf[NL_TX_SIZE];
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	int ret = request(&nlh, buf, cmd, NLM_F_ACK);

	if (ret)
		return ret;
	addr_put(nlh, addr);
	nest = mnl_attr_nest_start(nlh, PC5SEC_A_KEY);
	put_fields(nlh, &key_table, k, k->has);
	if (k->has & BIT(PC5SEC_KEY_A_USERDATA))
		mnl_attr_put(nlh, PC5SEC_KEY_A_USERDATA, k->userdata_len, k->userdata);
	if (pgk)
		mnl_attr_put(nlh, PC5SEC_KEY_A_PGK, PC5SEC_PGK_LEN, pgk);
	mnl_attr_nest_end(nlh, nest);
	ret = nl_talk(&handle, nlh, NULL, NULL, what);
	explicit_bzero(buf, sizeof(buf));
	return ret;
}

int ipc_groups(const struct pc5_addr *addr, struct group_list *l,
	       const char *what)
{
	_Alignas(8) char buf[NL_TX_SIZE];
	struct nlmsghdr *nlh;
	int tries, ret;

	for (tries = 0; tries < DUMP_TRIES; tries++) {
		group_list_free(l);
		ret = request(&nlh, buf, PC5SEC_CMD_GROUP_GET,
			      addr ? NLM_F_ACK : NLM_F_DUMP);
		if (ret)
			return ret;
		if (addr)
			addr_put(nlh, addr);
		ret = nl_talk(&handle, nlh, group_list_cb, l, what);
		if (ret || !handle.dump_intr)
			return ret;
	}
	fprintf(stderr, "%s: %s: the groups kept changing during the dump; try again\n",
		PROG_NAME, what);
	return -EAGAIN;
}

int ipc_stats(struct stats *s, const char *what)
{
	_Alignas(8) char buf[NL_TX_SIZE];
	struct group_list l = { 0 };
	struct nlmsghdr *nlh;
	int ret = request(&nlh, buf, PC5SEC_CMD_STATS_GET, NLM_F_ACK);

	if (ret)
		return ret;
	ret = nl_talk(&handle, nlh, group_list_cb, &l, what);
	if (!ret && l.n)
		*s = l.groups[0].stats;
	group_list_free(&l);
	return ret;
}
