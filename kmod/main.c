// SPDX-License-Identifier: GPL-2.0
/*
 * pc5sec: 3GPP ProSe one-to-many group security for IP multicast.
 *
 * Module entry: parameters, per-namespace state and the generic netlink
 * family.
 */

#include <linux/module.h>
#include <linux/random.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/genetlink.h>
#include <net/netfilter/ipv6/nf_defrag_ipv6.h>

#include "crypto.h"
#include "kdf.h"
#include "key.h"
#include "main.h"
#include "netlink.h"
#include "proto.h"
#include "receive.h"
#include "send.h"

bool pc5_allow_null;
module_param_named(allow_null, pc5_allow_null, bool, 0644);
MODULE_PARM_DESC(allow_null, "Allow keys with suite eea0, which sends in clear (testing only)");

bool pc5_force_async;
module_param_named(force_async, pc5_force_async, bool, 0444);
MODULE_PARM_DESC(force_async,
		 "Complete every datagram's cipher later, from a worker (testing only)");

unsigned int pc5_proto __read_mostly = PC5SEC_PROTO_DEFAULT;
module_param_named(proto, pc5_proto, uint, 0444);
MODULE_PARM_DESC(proto, "IP protocol number of protected datagrams (default 253)");

unsigned int pc5_net_id __read_mostly;

/*
 * Egress last, after every other LOCAL_OUT hook, before routing's output
 * and fragmentation. Ingress last at PRE_ROUTING, so that routing sees the
 * datagram as sent; and last at LOCAL_IN, after reassembly, for what
 * PRE_ROUTING leaves (receive.c). Being last, a hook that delivers a
 * datagram itself (GSO segments, datagrams that waited for an SA) skips no
 * other hook. First at FORWARD, where no datagram unprotected here may go.
 */
static const struct nf_hook_ops pc5_hooks[] = {
	{ .hook = pc5_tx_hook, .pf = NFPROTO_IPV4, .hooknum = NF_INET_LOCAL_OUT,
	  .priority = NF_IP_PRI_LAST },
	{ .hook = pc5_rx_hook, .pf = NFPROTO_IPV4, .hooknum = NF_INET_PRE_ROUTING,
	  .priority = NF_IP_PRI_LAST },
	{ .hook = pc5_rx_hook, .pf = NFPROTO_IPV4, .hooknum = NF_INET_LOCAL_IN,
	  .priority = NF_IP_PRI_LAST },
	{ .hook = pc5_fwd_hook, .pf = NFPROTO_IPV4, .hooknum = NF_INET_FORWARD,
	  .priority = NF_IP_PRI_FIRST },
	{ .hook = pc5_tx_hook, .pf = NFPROTO_IPV6, .hooknum = NF_INET_LOCAL_OUT,
	  .priority = NF_IP6_PRI_LAST },
	{ .hook = pc5_rx_hook, .pf = NFPROTO_IPV6, .hooknum = NF_INET_PRE_ROUTING,
	  .priority = NF_IP6_PRI_LAST },
	{ .hook = pc5_rx_hook, .pf = NFPROTO_IPV6, .hooknum = NF_INET_LOCAL_IN,
	  .priority = NF_IP6_PRI_LAST },
	{ .hook = pc5_fwd_hook, .pf = NFPROTO_IPV6, .hooknum = NF_INET_FORWARD,
	  .priority = NF_IP6_PRI_FIRST },
};

struct workqueue_struct *pc5_wq;

static int __net_init pc5_net_init(struct net *net)
{
	struct pc5_net *pn = pc5_net(net);
	int err;

	pn->stats = pc5_stats_alloc();
	if (!pn->stats)
		return -ENOMEM;
	pn->net = net;
	pn->event_ratelimit[0] = jiffies - HZ;
	pn->event_ratelimit[1] = jiffies - HZ;
	spin_lock_init(&pn->trial_lock);
	pn->trial_budget.ns = PC5_TRIAL_BURST(PC5_NET_TRIAL_NS_PER_S);
	pn->trial_budget.stamp = get_jiffies_64();
	mutex_init(&pn->lock);
	hash_init(pn->groups);
	INIT_DELAYED_WORK(&pn->lifetime_work, pc5_lifetime_work);
	pn->lifetime_next = S64_MAX;

	/* IPv6 reaches LOCAL_IN before its reassembly: have it done earlier. */
	err = nf_defrag_ipv6_enable(net);
	if (err)
		goto err_defrag;
	err = nf_register_net_hooks(net, pc5_hooks, ARRAY_SIZE(pc5_hooks));
	if (err)
		goto err_hooks;
	return 0;

err_hooks:
	nf_defrag_ipv6_disable(net);
err_defrag:
	free_percpu(pn->stats);
	return err;
}

static void __net_exit pc5_net_exit(struct net *net)
{
	struct pc5_net *pn = pc5_net(net);

	nf_unregister_net_hooks(net, pc5_hooks, ARRAY_SIZE(pc5_hooks));
	nf_defrag_ipv6_disable(net);
	mutex_lock(&pn->lock);
	pc5_groups_flush(pn, false);
	mutex_unlock(&pn->lock);
	cancel_delayed_work_sync(&pn->lifetime_work);
	/* The keys' workers use pn until their keys are freed: wait for that. */
	rcu_barrier();
	flush_workqueue(pc5_wq);
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

	if (!pc5_proto || pc5_proto > 255) {
		pr_err("proto=%u is not an IP protocol number\n", pc5_proto);
		return -EINVAL;
	}

	err = pc5_kdf_selftest();
	if (err)
		return err;
	pc5_rx_init();

	err = pc5_crypt_init();
	if (err)
		return err;

	pc5_wq = alloc_workqueue("pc5sec", 0, 0);
	if (!pc5_wq) {
		err = -ENOMEM;
		goto err_wq;
	}

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
err_wq:
	pc5_crypt_exit();
	return err;
}

static void __exit pc5_mod_exit(void)
{
	pc5_netlink_exit();
	unregister_pernet_subsys(&pc5_net_ops);
	/* Keys go through RCU callbacks onto pc5_wq: let both drain. */
	rcu_barrier();
	/* And datagrams still in an asynchronous cipher come back to us. */
	pc5_sa_wait_all();
	destroy_workqueue(pc5_wq);
	pc5_crypt_exit();
}

module_init(pc5_mod_init);
module_exit(pc5_mod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("3GPP ProSe one-to-many group security for IP multicast");
MODULE_ALIAS_GENL_FAMILY(PC5SEC_GENL_NAME);
#ifdef PC5SEC_VERSION
MODULE_VERSION(PC5SEC_VERSION);
#endif
