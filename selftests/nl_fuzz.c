// SPDX-License-Identifier: GPL-2.0
/*
 * nl_fuzz: random requests to the pc5sec generic netlink family: random
 * commands and flags (dumps among them), attributes of random types,
 * lengths and nesting, mostly near what the family expects so that they
 * get past its first checks, and lying lengths. Helper for the pc5sec
 * selftests. Group addresses come from a small pool, so that groups and
 * keys are made, changed and deleted again and again.
 *
 * As root, it then dumps every group and fails if a dump carries a PGK.
 * With -u (as a user without CAP_NET_ADMIN) it fails if any request is
 * accepted, or if one the family has (well formed) is refused for any
 * reason but EPERM.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/pc5sec.h>

#define BUF_SIZE	8192

static struct mnl_socket *nl;
static unsigned int portid, seq, family;
static unsigned long long rng = 1;
static unsigned long errors[512], accepted, pgk_seen;

static void usage(FILE *f, int status)
{
	fprintf(f,
		"usage: nl_fuzz [-n COUNT] [-x SEED] [-u]\n"
		"  -n COUNT  requests to send (default 10000)\n"
		"  -x SEED   random seed (default 1)\n"
		"  -u        unprivileged: every request must be refused, those\n"
		"            of the family's commands with EPERM\n"
		"Prints the requests sent, accepted, and refused by errno.\n");
	exit(status);
}

static unsigned long long rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

static unsigned int below(unsigned int n)
{
	return rnd() % n;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID)
			*(unsigned int *)data = mnl_attr_get_u16(a);
	return MNL_CB_OK;
}

/* Does this nest (of a reply) carry a PGK, at any depth? */
static int has_pgk(const struct nlattr *nest, int in_key)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest) {
		if (in_key && mnl_attr_get_type(a) == PC5SEC_KEY_A_PGK)
			return 1;
		if (mnl_attr_get_payload_len(a) >= sizeof(*a) &&
		    (mnl_attr_get_type(a) == PC5SEC_A_KEY || mnl_attr_get_type(a) == PC5SEC_A_KEYS) &&
		    has_pgk(a, mnl_attr_get_type(a) == PC5SEC_A_KEY))
			return 1;
	}
	return 0;
}

static void check_reply(const struct nlmsghdr *nlh)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
		if ((mnl_attr_get_type(a) == PC5SEC_A_KEY || mnl_attr_get_type(a) == PC5SEC_A_KEYS) &&
		    has_pgk(a, mnl_attr_get_type(a) == PC5SEC_A_KEY))
			pgk_seen++;
}

/*
 * Sends @len octets at @buf and reads until the request's ack, error or
 * end of dump (every request asks for an ack): 0 or the negative errno.
 * Replies to an earlier request (an ack after a dump's end) are skipped.
 */
static int transact(void *buf, size_t len, unsigned int sent_seq)
{
	char rbuf[16384];
	struct nlmsghdr *nlh;
	int ret;

	if (mnl_socket_sendto(nl, buf, len) < 0)
		return -errno;
	for (;;) {
		ret = mnl_socket_recvfrom(nl, rbuf, sizeof(rbuf));
		if (ret < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		for (nlh = (struct nlmsghdr *)rbuf; mnl_nlmsg_ok(nlh, ret);
		     nlh = mnl_nlmsg_next(nlh, &ret)) {
			if (nlh->nlmsg_seq != sent_seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR || nlh->nlmsg_type == NLMSG_DONE)
				return nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(int) ?
				       *(int *)mnl_nlmsg_get_payload(nlh) : -EPROTO;
			if (nlh->nlmsg_type == family)
				check_reply(nlh);
		}
	}
}

static void put_addr(struct nlmsghdr *nlh)
{
	unsigned char a[16] = { 0xff, 0x0e };

	if (below(2)) {
		a[0] = 239;
		a[1] = 77;
		a[3] = below(8);
		mnl_attr_put(nlh, PC5SEC_A_GROUP_ADDR4, 4, a);
	} else {
		a[13] = 0x77;
		a[15] = below(8);
		mnl_attr_put(nlh, PC5SEC_A_GROUP_ADDR6, 16, a);
	}
}

/* A number near the edges of a field's range, or anything. */
static unsigned long long edgy(unsigned long long max)
{
	switch (below(6)) {
	case 0:
		return 0;
	case 1:
		return max;
	case 2:
		return max + 1;
	case 3:
		return below(4);
	default:
		return rnd();
	}
}

/* An attribute of type @type: usually of the right size, sometimes not. */
static void put_attr(struct nlmsghdr *nlh, unsigned int type, unsigned int size,
		     unsigned long long max)
{
	unsigned char junk[64];
	unsigned long long v = edgy(max);
	unsigned int len = size;

	if (below(8) == 0)
		len = below(sizeof(junk) + 1);
	if (len == size && size <= 8) {
		memcpy(junk, &v, size);
	} else {
		for (unsigned int i = 0; i < len; i++)
			junk[i] = rnd();
	}
	mnl_attr_put(nlh, type, len, junk);
}

static void put_key(struct nlmsghdr *nlh, int depth);

/* Random attributes of the family's top level or its KEY nest. */
static void put_attrs(struct nlmsghdr *nlh, int key, int depth)
{
	unsigned int n = below(7), type, i;

	for (i = 0; i < n && nlh->nlmsg_len < BUF_SIZE - 512; i++) {
		type = below(key ? PC5SEC_KEY_A_MAX + 3 : PC5SEC_A_MAX + 3);
		if (key) {
			switch (type) {
			case PC5SEC_KEY_A_PGK_ID: put_attr(nlh, type, 4, 0xffffffff); break;
			case PC5SEC_KEY_A_PGK: put_attr(nlh, type, PC5SEC_PGK_LEN, 0); break;
			case PC5SEC_KEY_A_SUITE: put_attr(nlh, type, 1, PC5SEC_SUITE_MAX); break;
			case PC5SEC_KEY_A_NOT_BEFORE:
			case PC5SEC_KEY_A_SOFT_EXPIRES:
			case PC5SEC_KEY_A_EXPIRES: put_attr(nlh, type, 8, 1ULL << 40); break;
			case PC5SEC_KEY_A_TX_PTK_ID:
			case PC5SEC_KEY_A_TX_PTK_ID_LIMIT: put_attr(nlh, type, 2, 0xffff); break;
			default: put_attr(nlh, type, 4, 0xffffffff);
			}
			continue;
		}
		switch (type) {
		case PC5SEC_A_GROUP_ADDR4:
		case PC5SEC_A_GROUP_ADDR6: put_addr(nlh); break;
		case PC5SEC_A_GROUP_ID:
		case PC5SEC_A_MEMBER_ID: put_attr(nlh, type, 4, PC5SEC_GROUP_ID_MAX); break;
		case PC5SEC_A_IFINDEX: put_attr(nlh, type, 4, 3); break;
		case PC5SEC_A_BEARER: put_attr(nlh, type, 1, PC5SEC_BEARER_MAX); break;
		case PC5SEC_A_REPLAY_WINDOW: put_attr(nlh, type, 4, PC5SEC_REPLAY_WINDOW_MAX); break;
		case PC5SEC_A_PLAINTEXT: put_attr(nlh, type, 1, 1); break;
		case PC5SEC_A_KEY: put_key(nlh, depth); break;
		default: put_attr(nlh, type, 4, 0xffffffff);
		}
	}
}

static void put_key(struct nlmsghdr *nlh, int depth)
{
	struct nlattr *nest;

	if (depth > 3)
		return;
	nest = mnl_attr_nest_start(nlh, PC5SEC_A_KEY);
	if (below(4) == 0)
		nest->nla_type &= ~NLA_F_NESTED;
	if (below(2)) {
		/* Mostly a key that could be installed. */
		unsigned char pgk[PC5SEC_PGK_LEN];

		for (unsigned int i = 0; i < sizeof(pgk); i++)
			pgk[i] = rnd();
		mnl_attr_put_u32(nlh, PC5SEC_KEY_A_PGK_ID, below(64));
		mnl_attr_put(nlh, PC5SEC_KEY_A_PGK, sizeof(pgk), pgk);
		mnl_attr_put_u8(nlh, PC5SEC_KEY_A_SUITE, below(PC5SEC_SUITE_MAX + 2));
	}
	put_attrs(nlh, 1, depth + 1);
	if (below(8) == 0)
		put_key(nlh, depth + 1);
	mnl_attr_nest_end(nlh, nest);
}

/* Makes the lengths lie: of one attribute, or of the message. */
static void lie(struct nlmsghdr *nlh)
{
	unsigned int off = NLMSG_HDRLEN + GENL_HDRLEN;
	struct nlattr *a;

	/* Shorter than a netlink header, it would be ignored without a reply. */
	if (below(3) == 0) {
		nlh->nlmsg_len = NLMSG_HDRLEN + below(nlh->nlmsg_len - NLMSG_HDRLEN + 1);
		return;
	}
	if (nlh->nlmsg_len <= off + sizeof(*a))
		return;
	a = (struct nlattr *)((char *)nlh + off + 4 * below((nlh->nlmsg_len - off) / 4));
	if ((char *)a + sizeof(*a) <= (char *)nlh + nlh->nlmsg_len)
		a->nla_len = rnd();
}

/* One random request; returns whether the family would know its command. */
static int build(char *buf, size_t *len)
{
	static const unsigned int flag_bits[] = {
		NLM_F_ACK, NLM_F_DUMP, NLM_F_ECHO, NLM_F_EXCL, NLM_F_CREATE, NLM_F_REPLACE,
	};
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;
	int wellformed = 1;
	unsigned int i;

	nlh->nlmsg_type = family;
	/* Mostly flags generic netlink lets through, so that attributes are parsed. */
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	if (below(6) == 0)
		nlh->nlmsg_flags |= NLM_F_DUMP;
	for (i = 0; below(8) == 0 && i < sizeof(flag_bits) / sizeof(flag_bits[0]); i++)
		nlh->nlmsg_flags |= flag_bits[below(sizeof(flag_bits) / sizeof(flag_bits[0]))];
	nlh->nlmsg_seq = ++seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = below(4) ? 1 + below(PC5SEC_CMD_STATS_GET) : below(2) ? below(PC5SEC_CMD_MAX + 2) :
		 below(256);
	g->version = below(16) ? PC5SEC_GENL_VERSION : rnd();
	if (below(32) == 0) {
		g->reserved = rnd();
		wellformed = 0;
	}
	put_attrs(nlh, 0, 0);
	if (below(10) == 0) {
		lie(nlh);
		wellformed = 0;
	}
	*len = nlh->nlmsg_len;
	if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
		wellformed = 0;
	/*
	 * Generic netlink refuses other flags, and a half dump, first; and
	 * (6.12) a dump of a command that has none, as one it does not know.
	 */
	i = nlh->nlmsg_flags;
	if ((i & NLM_F_DUMP) == NLM_F_DUMP) {
		i &= ~NLM_F_DUMP;
		if (g->cmd != PC5SEC_CMD_GROUP_GET)
			wellformed = 0;
	}
	if (i & ~(NLM_F_REQUEST | NLM_F_ACK | NLM_F_ECHO))
		wellformed = 0;
	return wellformed && g->cmd >= PC5SEC_CMD_GROUP_NEW && g->cmd <= PC5SEC_CMD_STATS_GET;
}

static int dump_all(void)
{
	char buf[BUF_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = ++seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = PC5SEC_CMD_GROUP_GET;
	g->version = PC5SEC_GENL_VERSION;
	return transact(buf, nlh->nlmsg_len, seq);
}

int main(int argc, char **argv)
{
	unsigned long count = 10000, n, bad = 0;
	char buf[BUF_SIZE];
	struct timeval tv = { .tv_sec = 2 };
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	int unpriv = 0, c, known, err, one = 1;
	size_t len;

	while ((c = getopt(argc, argv, "n:x:uh")) != -1) {
		switch (c) {
		case 'n': count = strtoul(optarg, NULL, 0); break;
		case 'x': rng = strtoull(optarg, NULL, 0) ?: 1; break;
		case 'u': unpriv = 1; break;
		case 'h': usage(stdout, 0); break;
		default: usage(stderr, 2);
		}
	}
	nl = mnl_socket_open(NETLINK_GENERIC);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("netlink");
		return 1;
	}
	portid = mnl_socket_get_portid(nl);
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one));

	/* The family's ID; looking it up needs no privilege. */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, PC5SEC_GENL_NAME);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0 ||
	    (c = mnl_socket_recvfrom(nl, buf, sizeof(buf))) < 0 ||
	    mnl_cb_run(buf, c, seq, portid, family_cb, &family) < 0 || !family) {
		fprintf(stderr, "nl_fuzz: no family %s\n", PC5SEC_GENL_NAME);
		return 1;
	}

	for (n = 0; n < count; n++) {
		known = build(buf, &len);
		err = transact(buf, len, seq);
		if (!err) {
			accepted++;
			if (unpriv) {
				bad++;
				fprintf(stderr, "request %lu (cmd %u) accepted\n", n,
					((struct genlmsghdr *)(buf + NLMSG_HDRLEN))->cmd);
			}
			continue;
		}
		errors[-err < 512 ? -err : 0]++;
		if (unpriv && known && err != -EPERM) {
			bad++;
			fprintf(stderr, "request %lu (cmd %u): %s, not EPERM\n", n,
				((struct genlmsghdr *)(buf + NLMSG_HDRLEN))->cmd, strerror(-err));
		}
	}
	if (!unpriv) {
		err = dump_all();
		if (err) {
			fprintf(stderr, "dump: %s\n", strerror(-err));
			bad++;
		}
		if (pgk_seen) {
			fprintf(stderr, "%lu messages carried a PGK\n", pgk_seen);
			bad++;
		}
	}
	printf("sent %lu accepted %lu refused", count, accepted);
	for (c = 1; c < 512; c++)
		if (errors[c])
			printf(" %s=%lu", strerrorname_np(c) ?: "?", errors[c]);
	if (errors[0])
		printf(" other=%lu", errors[0]);
	printf("\n");
	mnl_socket_close(nl);
	return bad ? 1 : 0;
}
