// SPDX-License-Identifier: GPL-2.0
/*
 * The pc5sec generic netlink family: configuration and events.
 */

#include <net/genetlink.h>
#include <uapi/linux/pc5sec.h>

#include "pc5sec.h"

static const struct genl_multicast_group pc5_mcgrps[] = {
	{ .name = PC5SEC_MCGRP_MONITOR },
};

static struct genl_family pc5_family __ro_after_init = {
	.name = PC5SEC_GENL_NAME,
	.version = PC5SEC_GENL_VERSION,
	.maxattr = PC5SEC_A_MAX,
	.netnsok = true,
	.module = THIS_MODULE,
	.mcgrps = pc5_mcgrps,
	.n_mcgrps = ARRAY_SIZE(pc5_mcgrps),
};

int __init pc5_netlink_init(void)
{
	return genl_register_family(&pc5_family);
}

void pc5_netlink_exit(void)
{
	genl_unregister_family(&pc5_family);
}
