/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pc5sec generic netlink family over libmnl.
 */
#ifndef PC5SEC_NL_H
#define PC5SEC_NL_H

#include <stdbool.h>
#include <stdint.h>
#include <libmnl/libmnl.h>

/*
 * Requests are small: a key add is under 200 bytes, or under 800 with the
 * longest keyring description and user data
 */
#define NL_TX_SIZE 2048

struct nl {
	struct mnl_socket *sock;
	uint32_t portid;
	uint32_t seq;
	uint16_t family;		/* generic netlink family id */
	uint32_t version;		/* the kernel family's version */
	uint32_t mcgrp;			/* "monitor" group id, 0 if none */
	bool dump_intr;			/* last dump was inconsistent */
	char extack[256];		/* last error's extack message */
};

/* Opens a socket and resolves the family; -errno, prints nothing */
int nl_open(struct nl *nl);

void nl_close(struct nl *nl);

/* Starts a request in buf (NL_TX_SIZE, aligned) */
struct nlmsghdr *nl_msg(struct nl *nl, void *buf, uint8_t cmd,
			uint16_t flags);

/*
 * Sends nlh and hands each reply to cb until the ack or the end of the
 * dump. On an error prints "pc5sec: what: <error>[: <extack>]" (unless
 * what is NULL) and returns -errno. Sets nl->dump_intr when any reply was
 * flagged NLM_F_DUMP_INTR. The receive buffer is wiped afterwards.
 */
int nl_talk(struct nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data,
	    const char *what);

/* Prints "pc5sec: what: <error>[: <extack>]" for err, nl_talk()'s -errno */
void nl_perror(const struct nl *nl, const char *what, int err);

/*
 * Opens ev, a second socket for the family nl has resolved, joined to the
 * "monitor" multicast group; says why it failed.
 */
int nl_listen(struct nl *ev, const struct nl *nl);

#endif
