/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place that talks to the kernel. Commands fill the model
 * (model.h) and hand it over; each message is built here and only here,
 * on one netlink handle per process, opened at the first request and kept
 * for the rest (every line of -b).
 *
 * Requests print "pc5sec: what: <error>[: <extack>]" on failure (unless
 * what is NULL) and return -errno.
 */
#ifndef PC5SEC_IPC_H
#define PC5SEC_IPC_H

#include <stdint.h>
#include <linux/pc5sec.h>

#include "model.h"
#include "nl.h"

/* The handle, opened if it is not yet; NULL with the reason printed */
struct nl *ipc_handle(void);

/* As ipc_handle(), printing nothing; -errno */
int ipc_open(struct nl **nl);

void ipc_close(void);

/* GROUP_NEW, GROUP_SET, GROUP_DEL or FLUSH: the address and fields g has */
int ipc_group(uint8_t cmd, const struct group_info *g, const char *what);

/*
 * KEY_NEW, KEY_SET or KEY_DEL for the group at addr: a KEY nest with the
 * fields k has (KEYRING and USERDATA among them), and the PGK if pgk is
 * not NULL. The request is wiped.
 */
int ipc_key(uint8_t cmd, const struct pc5_addr *addr, const struct key_info *k,
	    const uint8_t *pgk, const char *what);

/*
 * The group at addr, or every group (addr NULL) in a dump that is redone
 * while a change makes it inconsistent.
 */
int ipc_groups(const struct pc5_addr *addr, struct group_list *l,
	       const char *what);

/* The network namespace's statistics */
int ipc_stats(struct stats *s, const char *what);

#endif
