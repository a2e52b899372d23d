// SPDX-License-Identifier: GPL-2.0
/*
 * The pc5sec generic netlink family over libmnl: the socket, the family
 * and "monitor" group lookup, requests with extended acks, and dumps.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/pc5sec.h>

#include "nl.h"
#include "pc5sec.h"

/* The kernel sizes dump messages to the reader's buffer, up to 32 KiB */
#define NL_RX_SIZE 32768

static _Alignas(8) char rxbuf[NL_RX_SIZE];

struct talk {
	mnl_cb_t cb;
	void *data;
	int error;		/* positive errno */
	char *extack;
	size_t extack_len;
};

static int extack_cb(const struct nlattr *attr, void *data)
{
	struct talk *t = data;

	if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
	    !mnl_attr_validate(attr, MNL_TYPE_NUL_STRING))
		snprintf(t->extack, t->extack_len, "%s", mnl_attr_get_str(attr));
	return MNL_CB_OK;
}

/* The TLVs of an error or done message start ofs bytes into its payload */
static int fail(const struct nlmsghdr *nlh, struct talk *t, int error,
		size_t ofs)
{
	size_t len = mnl_nlmsg_get_payload_len(nlh);

	t->error = error < 0 ? -error : error;
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) && ofs < len)
		mnl_attr_parse_payload((char *)mnl_nlmsg_get_payload(nlh) + ofs,
				       len - ofs, extack_cb, t);
	return MNL_CB_ERROR;
}

static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	size_t ofs;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*err))
		return fail(nlh, data, EBADMSG, 0);
	if (!err->error)
		return MNL_CB_STOP;
	ofs = sizeof(*err);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		ofs = sizeof(err->error) + NLMSG_ALIGN(err->msg.nlmsg_len);
	return fail(nlh, data, err->error, ofs);
}

static int done_cb(const struct nlmsghdr *nlh, void *data)
{
	int err = 0;

	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(err))
		memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
	return err < 0 ? fail(nlh, data, err, sizeof(err)) : MNL_CB_STOP;
}

static int noop_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return MNL_CB_OK;
}

static int overrun_cb(const struct nlmsghdr *nlh, void *data)
{
	return fail(nlh, data, ENOSPC, 0);
}

static int data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct talk *t = data;

	return t->cb ? t->cb(nlh, t->data) : MNL_CB_OK;
}

/* Notes and clears NLM_F_DUMP_INTR, which libmnl would stop at */
static bool take_dump_intr(char *buf, size_t len)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	int left = len;
	bool intr = false;

	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		intr |= !!(nlh->nlmsg_flags & NLM_F_DUMP_INTR);
		nlh->nlmsg_flags &= ~NLM_F_DUMP_INTR;
	}
	return intr;
}

static int talk_run(struct nl *nl, struct talk *t, uint32_t seq)
{
	static mnl_cb_t ctl[NLMSG_MIN_TYPE] = {
		[NLMSG_NOOP] = noop_cb,
		[NLMSG_ERROR] = error_cb,
		[NLMSG_DONE] = done_cb,
		[NLMSG_OVERRUN] = overrun_cb,
	};
	ssize_t len;
	int ret = MNL_CB_OK;

	do {
		len = mnl_socket_recvfrom(nl->sock, rxbuf, sizeof(rxbuf));
		if (len < 0 && errno == EINTR)
			continue;
		if (len < 0)
			return -errno;
		nl->dump_intr |= take_dump_intr(rxbuf, len);
		errno = 0;
		ret = mnl_cb_run2(rxbuf, len, seq, nl->portid, data_cb, t,
				  ctl, ARRAY_SIZE(ctl));
	} while (ret > 0);
	if (ret < 0 && !t->error)
		return errno ? -errno : -EPROTO;
	return 0;
}

/* Whether a request of the family changes anything (GET requests do not) */
static bool nl_changes(const struct nlmsghdr *nlh)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);

	return g->cmd != PC5SEC_CMD_GROUP_GET && g->cmd != PC5SEC_CMD_STATS_GET;
}

int nl_talk(struct nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data,
	    const char *what)
{
	struct talk t = {
		.cb = cb, .data = data,
		.extack = nl->extack, .extack_len = sizeof(nl->extack),
	};
	int ret = 0;

	nl->extack[0] = '\0';
	nl->dump_intr = false;
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		t.error = -ret;		/* not sent: nothing happened */
	} else {
		ret = talk_run(nl, &t, nlh->nlmsg_seq);
	}
	if (t.error)
		ret = -t.error;
	explicit_bzero(rxbuf, sizeof(rxbuf));
	if (ret == -ENOBUFS && !t.error && what)
		/* The request went, its answer did not come: the kernel had
		 * no memory for it (or the socket's buffer was full). */
		fprintf(stderr, "%s: %s: %s: the kernel's reply was lost; %s\n",
			PROG_NAME, what, strerror(-ret), nl_changes(nlh) ?
			"the request may have taken effect (see '" PROG_NAME " show')" :
			"try again");
	else if (ret && what)
		nl_perror(nl, what, ret);
	return ret;
}

void nl_perror(const struct nl *nl, const char *what, int err)
{
	fprintf(stderr, "%s: %s: %s%s%s\n", PROG_NAME, what, strerror(-err),
		nl->extack[0] ? ": " : "", nl->extack);
}

struct nlmsghdr *nl_msg(struct nl *nl, void *buf, uint8_t cmd,
			uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = nl->family;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++nl->seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = PC5SEC_GENL_VERSION;
	return nlh;
}

static int mcgrp_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr *a;
	const char *name = NULL;
	uint32_t id = 0;

	mnl_attr_for_each_nested(a, attr) {
		if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_NAME &&
		    !mnl_attr_validate(a, MNL_TYPE_NUL_STRING))
			name = mnl_attr_get_str(a);
		else if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_ID &&
			 !mnl_attr_validate(a, MNL_TYPE_U32))
			id = mnl_attr_get_u32(a);
	}
	if (name && !strcmp(name, PC5SEC_MCGRP_MONITOR))
		((struct nl *)data)->mcgrp = id;
	return MNL_CB_OK;
}

static int family_attr_cb(const struct nlattr *attr, void *data)
{
	struct nl *nl = data;

	switch (mnl_attr_get_type(attr)) {
	case CTRL_ATTR_FAMILY_ID:
		if (!mnl_attr_validate(attr, MNL_TYPE_U16))
			nl->family = mnl_attr_get_u16(attr);
		break;
	case CTRL_ATTR_VERSION:
		if (!mnl_attr_validate(attr, MNL_TYPE_U32))
			nl->version = mnl_attr_get_u32(attr);
		break;
	case CTRL_ATTR_MCAST_GROUPS:
		mnl_attr_parse_nested(attr, mcgrp_cb, nl);
		break;
	}
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_attr_cb,
			      data);
}

static int resolve_family(struct nl *nl)
{
	_Alignas(8) char buf[NL_TX_SIZE];
	struct nlmsghdr *nlh;
	int ret;

	nl->family = GENL_ID_CTRL;
	nlh = nl_msg(nl, buf, CTRL_CMD_GETFAMILY, NLM_F_ACK);
	((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, PC5SEC_GENL_NAME);
	nl->family = 0;
	ret = nl_talk(nl, nlh, family_cb, nl, NULL);
	if (!ret && !nl->family)
		ret = -EPROTO;
	return ret;
}

static int nl_socket(struct nl *nl)
{
	int one = 1;

	memset(nl, 0, sizeof(*nl));
	nl->seq = time(NULL);
	/* CLOEXEC: monitor --exec's commands get no netlink socket */
	nl->sock = mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC);
	if (!nl->sock || mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0)
		return -errno;
	nl->portid = mnl_socket_get_portid(nl->sock);
	/* Error acks carry a message, and not the request (nor its key) */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	return 0;
}

int nl_open(struct nl *nl)
{
	int ret = nl_socket(nl);

	if (!ret)
		ret = resolve_family(nl);
	if (ret)
		nl_close(nl);
	return ret;
}

void nl_close(struct nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	nl->sock = NULL;
}

static int nl_subscribe(struct nl *nl)
{
	int grp = nl->mcgrp;

	if (!grp) {
		fprintf(stderr, "%s: the pc5sec family has no \"%s\" multicast group\n",
			PROG_NAME, PC5SEC_MCGRP_MONITOR);
		return -ENOENT;
	}
	if (mnl_socket_setsockopt(nl->sock, NETLINK_ADD_MEMBERSHIP, &grp,
				  sizeof(grp)) < 0) {
		grp = errno;
		fprintf(stderr, "%s: cannot join the \"%s\" multicast group: %s\n",
			PROG_NAME, PC5SEC_MCGRP_MONITOR, strerror(grp));
		return -grp;
	}
	return 0;
}

int nl_listen(struct nl *ev, const struct nl *nl)
{
	int ret = nl_socket(ev);

	if (ret) {
		fprintf(stderr, "%s: cannot open a netlink socket: %s\n",
			PROG_NAME, strerror(-ret));
		nl_close(ev);
		return ret;
	}
	ev->family = nl->family;
	ev->version = nl->version;
	ev->mcgrp = nl->mcgrp;
	ret = nl_subscribe(ev);
	if (ret)
		nl_close(ev);
	return ret;
}
