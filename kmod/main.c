// SPDX-License-Identifier: GPL-2.0
/*
 * pc5sec: 3GPP ProSe one-to-many group security for IP multicast.
 *
 * Module entry: parameters, per-namespace state and the generic netlink
 * family.
 */

#include <linux/module.h>
#include <net/genetlink.h>

#include "pc5sec.h"

bool pc5_allow_null;
module_param_named(allow_null, pc5_allow_null, bool, 0644);
MODULE_PARM_DESC(allow_null, "Allow keys with suite eea0, which sends in clear (testing only)");

unsigned int pc5_net_id __read_mostly;
struct workqueue_struct *pc5_wq;

static int __net_init pc5_net_init(struct net *net)
{
	struct pc5_net *pn = pc5_net(net);

	pn->stats = pc5_stats_alloc();
	if (!pn->stats)
		return -ENOMEM;
	pn->net = net;
	mutex_init(&pn->lock);
	hash_init(pn->groups);
	INIT_DELAYED_WORK(&pn->lifetime_work, pc5_lifetime_work);
	pn->lifetime_next = S64_MAX;
	return 0;
}

static void __net_exit pc5_net_exit(struct net *net)
{
	struct pc5_net *pn = pc5_net(net);

	mutex_lock(&pn->lock);
	pc5_groups_flush(pn, false);
	mutex_unlock(&pn->lock);
	cancel_delayed_work_sync(&pn->lifetime_work);
	free_percpu(pn->stats);
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

	err = pc5_kdf_selftest();
	if (err)
		return err;

	pc5_wq = alloc_workqueue("pc5sec", 0, 0);
	if (!pc5_wq)
		return -ENOMEM;

	err = register_pernet_subsys(&pc5_net_ops);
	if (err)
		goto err_pernet;

	err = pc5_netlink_init();
	if (err)
		goto err_netlink;

	pr_info("pc5sec v%d loaded\n", PC5SEC_GENL_VERSION);
	return 0;

err_netlink:
	unregister_pernet_subsys(&pc5_net_ops);
err_pernet:
	destroy_workqueue(pc5_wq);
	return err;
}

static void __exit pc5_mod_exit(void)
{
	pc5_netlink_exit();
	unregister_pernet_subsys(&pc5_net_ops);
	/* Keys go through RCU callbacks onto pc5_wq: let both drain. */
	rcu_barrier();
	destroy_workqueue(pc5_wq);
}

module_init(pc5_mod_init);
module_exit(pc5_mod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("3GPP ProSe one-to-many group security for IP multicast");
MODULE_ALIAS_GENL_FAMILY(PC5SEC_GENL_NAME);
