// SPDX-License-Identifier: GPL-2.0
/*
 * pc5sec: configure 3GPP ProSe group security (the pc5sec kernel module).
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/pc5sec.h>

#define PROG_NAME "pc5sec"
#define PC5SEC_TOOL_VERSION "0.1"

struct family_info {
	unsigned int id;
	unsigned int version;
};

static int family_attr_cb(const struct nlattr *attr, void *data)
{
	struct family_info *fi = data;

	switch (mnl_attr_get_type(attr)) {
	case CTRL_ATTR_FAMILY_ID:
		if (mnl_attr_validate(attr, MNL_TYPE_U16) < 0)
			return MNL_CB_ERROR;
		fi->id = mnl_attr_get_u16(attr);
		break;
	case CTRL_ATTR_VERSION:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		fi->version = mnl_attr_get_u32(attr);
		break;
	}
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_attr_cb, data);
}

/* Resolves the pc5sec family in the caller's network namespace. */
static int resolve_family(struct family_info *fi)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	struct genlmsghdr *genl;
	struct nlmsghdr *nlh;
	unsigned int seq = time(NULL), portid;
	int ret;

	nl = mnl_socket_open(NETLINK_GENERIC);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto out;
	}
	portid = mnl_socket_get_portid(nl);

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = CTRL_CMD_GETFAMILY;
	genl->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, PC5SEC_GENL_NAME);

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		goto out;
	}
	memset(fi, 0, sizeof(*fi));
	do {
		ret = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (ret <= 0) {
			ret = -errno;
			break;
		}
		ret = mnl_cb_run(buf, ret, seq, portid, family_cb, fi);
	} while (ret > 0);
	if (ret < 0)
		ret = -errno;
out:
	if (nl)
		mnl_socket_close(nl);
	return ret;
}

static int cmd_version(int argc, char *argv[])
{
	struct family_info fi;
	int ret;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "Usage: %s version\n", PROG_NAME);
		return 1;
	}
	printf("pc5sec tool %s, uapi family version %d\n",
	       PC5SEC_TOOL_VERSION, PC5SEC_GENL_VERSION);
	ret = resolve_family(&fi);
	if (ret < 0) {
		fprintf(stderr, "%s: kernel family %s not available: %s%s\n",
			PROG_NAME, PC5SEC_GENL_NAME, strerror(-ret),
			ret == -ENOENT ? " (is the pc5sec module loaded?)" : "");
		return 1;
	}
	printf("kernel family %s version %u, id %u\n",
	       PC5SEC_GENL_NAME, fi.version, fi.id);
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(int argc, char *argv[]);
	const char *description;
} subcommands[] = {
	{ "version", cmd_version, "Shows the tool version and the kernel family it finds" },
};

static void show_usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: %s <cmd> [<args>]\n\nAvailable subcommands:\n", PROG_NAME);
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		fprintf(f, "  %-10s %s\n", subcommands[i].name, subcommands[i].description);
	fprintf(f, "\n'%s <cmd> --help' describes a subcommand.\n", PROG_NAME);
}

int main(int argc, char *argv[])
{
	size_t i;

	if (argc < 2) {
		show_usage(stderr);
		return 1;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "-h")) {
		show_usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version"))
		argv[1] = "version";
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++) {
		if (strcmp(argv[1], subcommands[i].name))
			continue;
		if (argc > 2 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"))) {
			printf("Usage: %s %s\n  %s\n", PROG_NAME, subcommands[i].name,
			       subcommands[i].description);
			return 0;
		}
		return subcommands[i].fn(argc - 1, argv + 1);
	}
	fprintf(stderr, "%s: invalid subcommand '%s'\n", PROG_NAME, argv[1]);
	show_usage(stderr);
	return 1;
}
