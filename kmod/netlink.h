/* SPDX-License-Identifier: GPL-2.0 */
/* The pc5sec generic netlink family: commands and events (netlink.c). */
#ifndef _PC5SEC_NETLINK_H
#define _PC5SEC_NETLINK_H

#include <linux/gfp.h>
#include <linux/types.h>

struct pc5_net;
struct pc5_group;
struct pc5_key;

/* Registers and unregisters the family: module load and unload. */
int pc5_netlink_init(void);
void pc5_netlink_exit(void);

/* GROUP_NEW or GROUP_DEL, to the monitor group; under pc5_net.lock. */
void pc5_nl_notify_group(struct pc5_net *pn, struct pc5_group *g, u8 cmd);

/**
 * pc5_nl_notify_key() - a key event, to the monitor group
 * @pn: the namespace
 * @g: the key's group
 * @k: the key
 * @cmd: KEY_NEW, KEY_DEL or a KEY_*_NTF
 * @gfp: GFP_ATOMIC from the datapath
 */
void pc5_nl_notify_key(struct pc5_net *pn, struct pc5_group *g,
		       struct pc5_key *k, u8 cmd, gfp_t gfp);

/**
 * pc5_nl_notify_datapath() - a datapath event, at most one a second per kind
 * @pn: the namespace
 * @g: the group
 * @cmd: UNKNOWN_PGK_NTF (received) or NO_TX_KEY_NTF (sent)
 * @index: the PGK index it names, or -1
 * @sender_id: the sender's Group Member ID, with @index
 *
 * Any context.
 */
void pc5_nl_notify_datapath(struct pc5_net *pn, struct pc5_group *g, u8 cmd,
			    int index, u32 sender_id);

#endif /* _PC5SEC_NETLINK_H */
