// SPDX-License-Identifier: GPL-2.0
/*
 * nl_raw: sends the pc5sec family requests the pc5sec tool would never
 * build, to check the kernel's own validation: each named case is one
 * malformed request. Prints "<case>: <errno name> (<n>): <extack message>"
 * and exits 0 if the kernel rejected it, 1 if it accepted it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/pc5sec.h>

static struct mnl_socket *nl;
static unsigned int seq, portid;
static char ext_msg[256];

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID)
			*(unsigned int *)data = mnl_attr_get_u16(a);
	return MNL_CB_OK;
}

/* Keeps the extack message of an error ack. */
static int err_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	unsigned int off = sizeof(*e);
	struct nlattr *a;

	(void)data;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(e->msg);
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
		mnl_attr_for_each(a, nlh, off)
			if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG)
				snprintf(ext_msg, sizeof(ext_msg), "%s", mnl_attr_get_str(a));
	errno = -e->error;
	return e->error ? MNL_CB_ERROR : MNL_CB_STOP;
}

static int transact(struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	static mnl_cb_t ctl[NLMSG_MIN_TYPE] = { [NLMSG_ERROR] = err_cb };
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int ret;

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		ret = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (ret < 0)
			return -errno;
		ret = mnl_cb_run2(buf, ret, nlh->nlmsg_seq, portid, cb, data,
				  ctl, NLMSG_MIN_TYPE);
	} while (ret > 0);
	return ret < 0 ? -errno : 0;
}

static struct nlmsghdr *put_hdr(char *buf, unsigned int type, unsigned char cmd)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = PC5SEC_GENL_VERSION;
	return nlh;
}

static void put_addr(struct nlmsghdr *nlh, const char *addr)
{
	unsigned char a[16];

	if (inet_pton(AF_INET, addr, a) == 1)
		mnl_attr_put(nlh, PC5SEC_A_GROUP_ADDR4, 4, a);
	else if (inet_pton(AF_INET6, addr, a) == 1)
		mnl_attr_put(nlh, PC5SEC_A_GROUP_ADDR6, 16, a);
}

static void put_group(struct nlmsghdr *nlh, const char *addr, unsigned int gid,
		      unsigned int mid)
{
	put_addr(nlh, addr);
	mnl_attr_put_u32(nlh, PC5SEC_A_GROUP_ID, gid);
	mnl_attr_put_u32(nlh, PC5SEC_A_MEMBER_ID, mid);
}

/*
 * A key nest; pgk_len bytes of 0x5a as the PGK (never a real key), and
 * one more attribute of len octets at data if type is not 0.
 */
static void put_key_and(struct nlmsghdr *nlh, unsigned int pgk_id, unsigned char suite,
			unsigned int pgk_len, unsigned int type, size_t len, const void *data)
{
	unsigned char pgk[64];
	struct nlattr *n;

	memset(pgk, 0x5a, sizeof(pgk));
	n = mnl_attr_nest_start(nlh, PC5SEC_A_KEY);
	mnl_attr_put_u32(nlh, PC5SEC_KEY_A_PGK_ID, pgk_id);
	mnl_attr_put(nlh, PC5SEC_KEY_A_PGK, pgk_len, pgk);
	mnl_attr_put_u8(nlh, PC5SEC_KEY_A_SUITE, suite);
	if (type)
		mnl_attr_put(nlh, type, len, data);
	mnl_attr_nest_end(nlh, n);
}

static void put_key(struct nlmsghdr *nlh, unsigned int pgk_id, unsigned char suite,
		    unsigned int pgk_len)
{
	put_key_and(nlh, pgk_id, suite, pgk_len, 0, 0, NULL);
}

/* Builds the request of case @name into @buf; NULL if there is no such case. */
static struct nlmsghdr *build(const char *name, char *buf, unsigned int fam,
			      const char *g)
{
	static const unsigned char zero[PC5SEC_PGK_LEN];
	char text[PC5SEC_KEY_USERDATA_MAX + PC5SEC_KEYRING_DESC_MAX];
	struct nlmsghdr *nlh;
	struct nlattr *n;

	if (!strcmp(name, "unicast4")) {
		nlh = put_hdr(buf, fam, PC5SEC_CMD_GROUP_NEW);
		put_group(nlh, "10.1.2.3", 1, 2);
	} else if (!strcmp(name, "unicast6")) {
		nlh = put_hdr(buf, fam, PC5SEC_CMD_GROUP_NEW);
		put_group(nlh, "fd00::1", 1, 2);
	} else if (!strcmp(name, "addr-len")) {
		nlh = put_hdr(buf, fam, PC5SEC_CMD_GROUP_NEW);
		mnl_attr_put(nlh, PC5SEC_A_GROUP_ADDR4, 3, "\xef\x01\x02");
		mnl_attr_put_u32(nlh, PC5SEC_A_GROUP_ID, 1);
		mnl_attr_put_u32(nlh, PC5SEC_A_MEMBER_ID, 2);
	} else if (!strcmp(name, "two-addrs")) {
		nlh = put_hdr(buf, fam, PC5SEC_CMD_GROUP_NEW);
		put_group(nlh, "239.9.9.9", 1, 2);
		put_group(nlh, "ff0e::9", 1, 2);
	} else if (!strcmp(name, "no-addr")) {
		nlh = put_hdr(buf, fam, PC5SEC_CMD_GROUP_NEW);
		mnl_attr_put_u32(nlh, PC5SEC_A_GROUP_ID, 1);
	} else if (!strcmp(name, "group-id")) {
		nlh = put_hdr(buf, fam, PC5SEC_CMD_GROUP_NEW);
		put_group(nlh, "239.9.9.9", 0x1000000, 2);
	} else if (!strcmp(name, "member-id")) {
		nlh = put_hdr(buf, fam, PC5SEC_CMD_GROUP_NEW);
		put_group(nlh, "239.9.9.9", 1, 0xffffffff);
	} else if (!strcmp(name, "bearer")) {
		nlh = put_hdr(buf, fam, PC5SEC_CMD_GROUP_NEW);
		put_group(nlh, "239.9.9.9", 1, 2);
		mnl_attr_put_u8(nlh, PC5SEC_A_BEARER, 32);
	} else if (!strcmp(name, "window")) {
		nlh = put_hdr(buf, fam, PC5SEC_CMD_GROUP_NEW);
		put_group(nlh, "239.9.9.9", 1, 2);
		mnl_attr_put_u32(nlh, PC5SEC_A_REPLAY_WINDOW, 4097);
	} else if (!strcmp(name, "plaintext")) {
		nlh = put_hdr(buf, fam, PC5SEC_CMD_GROUP_NEW);
		put_group(nlh, "239.9.9.9", 1, 2);
		mnl_attr_put_u8(nlh, PC5SEC_A_PLAINTEXT, 2);
	} else if (!strcmp(name, "stats-in")) {
		nlh = put_hdr(buf, fam, PC5SEC_CMD_GROUP_NEW);
		put_group(nlh, "239.9.9.9", 1, 2);
		n = mnl_attr_nest_start(nlh, PC5SEC_A_STATS);
		mnl_attr_nest_end(nlh, n);
	} else if (!strcmp(name, "key-in-group-cmd")) {
		nlh = put_hdr(buf, fam, PC5SEC_CMD_GROUP_NEW);
		put_group(nlh, "239.9.9.9", 1, 2);
		put_key(nlh, 1, PC5SEC_SUITE_EEA2, 32);
	} else if (!strcmp(name, "set-group-id")) {
		nlh = put_hdr(buf, fam, PC5SEC_CMD_GROUP_SET);
		put_group(nlh, g, 5, 2);
	} else if (!strcmp(name, "pgk-short")) {
		nlh = put_hdr(buf, fam, PC5SEC_CMD_KEY_NEW);
		put_addr(nlh, g);
		put_key(nlh, 9, PC5SEC_SUITE_EEA2, 31);
	} else if (!strcmp(name, "pgk-long")) {
		nlh = put_hdr(buf, fam, PC5SEC_CMD_KEY_NEW);
		put_addr(nlh, g);
		put_key(nlh, 9, PC5SEC_SUITE_EEA2, 33);
	} else if (!strcmp(name, "suite")) {
		nlh = put_hdr(buf, fam, PC5SEC_CMD_KEY_NEW);
		put_addr(nlh, g);
		put_key(nlh, 9, PC5SEC_SUITE_MAX + 1, 32);
	} else if (!strcmp(name, "no-pgk")) {
		nlh = put_hdr(buf, fam, PC5SEC_CMD_KEY_NEW);
		put_addr(nlh, g);
		n = mnl_attr_nest_start(nlh, PC5SEC_A_KEY);
		mnl_attr_put_u32(nlh, PC5SEC_KEY_A_PGK_ID, 9);
		mnl_attr_put_u8(nlh, PC5SEC_KEY_A_SUITE, PC5SEC_SUITE_EEA2);
		mnl_attr_nest_end(nlh, n);
	} else if (!strcmp(name, "pgk-and-keyring")) {
		nlh = put_hdr(buf, fam, PC5SEC_CMD_KEY_NEW);
		put_addr(nlh, g);
		put_key_and(nlh, 9, PC5SEC_SUITE_EEA2, 32, PC5SEC_KEY_A_KEYRING,
			    sizeof("pc5sec:nl_raw"), "pc5sec:nl_raw");
	} else if (!strcmp(name, "keyring-long") || !strcmp(name, "keyring-empty")) {
		memset(text, 'k', sizeof(text));
		text[name[8] == 'l' ? PC5SEC_KEYRING_DESC_MAX + 1 : 0] = '\0';
		nlh = put_hdr(buf, fam, PC5SEC_CMD_KEY_NEW);
		put_addr(nlh, g);
		n = mnl_attr_nest_start(nlh, PC5SEC_A_KEY);
		mnl_attr_put_u32(nlh, PC5SEC_KEY_A_PGK_ID, 9);
		mnl_attr_put_strz(nlh, PC5SEC_KEY_A_KEYRING, text);
		mnl_attr_put_u8(nlh, PC5SEC_KEY_A_SUITE, PC5SEC_SUITE_EEA2);
		mnl_attr_nest_end(nlh, n);
	} else if (!strcmp(name, "userdata-long")) {
		memset(text, 'u', sizeof(text));
		nlh = put_hdr(buf, fam, PC5SEC_CMD_KEY_NEW);
		put_addr(nlh, g);
		put_key_and(nlh, 9, PC5SEC_SUITE_EEA2, 32, PC5SEC_KEY_A_USERDATA,
			    PC5SEC_KEY_USERDATA_MAX + 1, text);
	} else if (!strcmp(name, "check-in")) {
		nlh = put_hdr(buf, fam, PC5SEC_CMD_KEY_NEW);
		put_addr(nlh, g);
		put_key_and(nlh, 9, PC5SEC_SUITE_EEA2, 32, PC5SEC_KEY_A_CHECK,
			    PC5SEC_KEY_CHECK_LEN, zero);
	} else if (!strcmp(name, "index-in")) {
		nlh = put_hdr(buf, fam, PC5SEC_CMD_KEY_NEW);
		put_addr(nlh, g);
		n = mnl_attr_nest_start(nlh, PC5SEC_A_KEY);
		mnl_attr_put_u8(nlh, PC5SEC_KEY_A_INDEX, 9);
		mnl_attr_nest_end(nlh, n);
	} else if (!strcmp(name, "limit-below-first")) {
		nlh = put_hdr(buf, fam, PC5SEC_CMD_KEY_NEW);
		put_addr(nlh, g);
		n = mnl_attr_nest_start(nlh, PC5SEC_A_KEY);
		mnl_attr_put_u32(nlh, PC5SEC_KEY_A_PGK_ID, 9);
		mnl_attr_put(nlh, PC5SEC_KEY_A_PGK, sizeof(zero), zero);
		mnl_attr_put_u8(nlh, PC5SEC_KEY_A_SUITE, PC5SEC_SUITE_EEA2);
		mnl_attr_put_u16(nlh, PC5SEC_KEY_A_TX_PTK_ID, 10);
		mnl_attr_put_u16(nlh, PC5SEC_KEY_A_TX_PTK_ID_LIMIT, 9);
		mnl_attr_nest_end(nlh, n);
	} else if (!strcmp(name, "lower-limit")) {
		nlh = put_hdr(buf, fam, PC5SEC_CMD_KEY_SET);
		put_addr(nlh, g);
		n = mnl_attr_nest_start(nlh, PC5SEC_A_KEY);
		mnl_attr_put_u32(nlh, PC5SEC_KEY_A_PGK_ID, 1);
		mnl_attr_put_u16(nlh, PC5SEC_KEY_A_TX_PTK_ID_LIMIT, 1);
		mnl_attr_nest_end(nlh, n);
	} else if (!strcmp(name, "change-suite") || !strcmp(name, "del-with-suite")) {
		/* KEY_SET or KEY_DEL with a suite: neither takes one */
		nlh = put_hdr(buf, fam, *name == 'c' ? PC5SEC_CMD_KEY_SET : PC5SEC_CMD_KEY_DEL);
		put_addr(nlh, g);
		n = mnl_attr_nest_start(nlh, PC5SEC_A_KEY);
		mnl_attr_put_u32(nlh, PC5SEC_KEY_A_PGK_ID, 1);
		mnl_attr_put_u8(nlh, PC5SEC_KEY_A_SUITE, PC5SEC_SUITE_AES_GCM_128);
		mnl_attr_nest_end(nlh, n);
	} else if (!strcmp(name, "unknown-attr")) {
		nlh = put_hdr(buf, fam, PC5SEC_CMD_GROUP_NEW);
		put_group(nlh, "239.9.9.9", 1, 2);
		mnl_attr_put_u32(nlh, PC5SEC_A_MAX + 1, 0);
	} else {
		return NULL;
	}
	return nlh;
}

int main(int argc, char *argv[])
{
	char buf[8192] = {}, req[8192] = {};
	struct nlmsghdr *nlh;
	unsigned int fam = 0;
	int one = 1, i, ret, accepted = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: nl_raw GROUP CASE...\n"
			"  GROUP is a configured group holding a key with PGK ID 1\n");
		return 2;
	}
	nl = mnl_socket_open(NETLINK_GENERIC);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("nl_raw: netlink");
		return 1;
	}
	mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one));
	portid = mnl_socket_get_portid(nl);
	seq = time(NULL);

	nlh = put_hdr(buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY);
	((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, PC5SEC_GENL_NAME);
	if (transact(nlh, family_cb, &fam) < 0 || !fam) {
		fprintf(stderr, "nl_raw: no pc5sec family\n");
		return 1;
	}

	for (i = 2; i < argc; i++) {
		memset(req, 0, sizeof(req));
		nlh = build(argv[i], req, fam, argv[1]);
		if (!nlh) {
			fprintf(stderr, "nl_raw: unknown case %s\n", argv[i]);
			return 2;
		}
		ext_msg[0] = '\0';
		ret = transact(nlh, NULL, NULL);
		if (!ret) {
			printf("%s: accepted\n", argv[i]);
			accepted = 1;
			continue;
		}
		printf("%s: %s (%d): %s\n", argv[i], strerror(-ret), -ret,
		       ext_msg[0] ? ext_msg : "(no message)");
	}
	mnl_socket_close(nl);
	return accepted;
}
