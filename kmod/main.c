// SPDX-License-Identifier: GPL-2.0
/*
 * pc5sec: 3GPP ProSe one-to-many group security for IP multicast.
 *
 * Module entry: per-namespace state and the generic netlink family.
 */

#include <linux/module.h>
#include <net/genetlink.h>
#include <uapi/linux/pc5sec.h>

#include "pc5sec.h"

unsigned int pc5_net_id __read_mostly;

static int __net_init pc5_net_init(struct net *net)
{
	struct pc5_net *pn = pc5_net(net);

	pn->net = net;
	return 0;
}

static void __net_exit pc5_net_exit(struct net *net)
{
}

static struct pernet_operations pc5_net_ops = {
	.init = pc5_net_init,
	.exit = pc5_net_exit,
	.id = &pc5_net_id,
	.size = sizeof(struct pc5_net),
};

static int __init pc5_mod_init(void)
{
	int err;

	BUILD_BUG_ON(sizeof(struct pc5sec_hdr) != PC5SEC_HDR_LEN);

	err = register_pernet_subsys(&pc5_net_ops);
	if (err)
		return err;

	err = pc5_netlink_init();
	if (err)
		goto err_netlink;

	pr_info("pc5sec v%d loaded\n", PC5SEC_GENL_VERSION);
	return 0;

err_netlink:
	unregister_pernet_subsys(&pc5_net_ops);
	return err;
}

static void __exit pc5_mod_exit(void)
{
	pc5_netlink_exit();
	unregister_pernet_subsys(&pc5_net_ops);
}

module_init(pc5_mod_init);
module_exit(pc5_mod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("3GPP ProSe one-to-many group security for IP multicast");
MODULE_ALIAS_GENL_FAMILY(PC5SEC_GENL_NAME);
