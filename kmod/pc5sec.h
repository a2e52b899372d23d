/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PC5SEC_H
#define _PC5SEC_H

#include <net/net_namespace.h>
#include <net/netns/generic.h>

/* Per network namespace state; groups and keys arrive with the control plane. */
struct pc5_net {
	struct net *net;
};

extern unsigned int pc5_net_id;

static inline struct pc5_net *pc5_net(const struct net *net)
{
	return net_generic(net, pc5_net_id);
}

int pc5_netlink_init(void);
void pc5_netlink_exit(void);

#endif /* _PC5SEC_H */
