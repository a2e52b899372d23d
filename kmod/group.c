// SPDX-License-Identifier: GPL-2.0
/*
 * The group table: one hash table per network namespace, keyed by the
 * group's multicast address. Changes under pc5_net.lock, lookups under RCU.
 */

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/jhash.h>
#include <linux/slab.h>
#include <net/dst.h>
#include <net/ip.h>
#include <net/ipv6.h>

#include "group.h"
#include "key.h"
#include "netlink.h"

static u32 pc5_addr_hash(const struct pc5_addr *addr)
{
	if (addr->family == AF_INET)
		return jhash_1word((__force u32)addr->v4, AF_INET);
	return jhash2((const u32 *)&addr->v6, sizeof(addr->v6) / sizeof(u32), AF_INET6);
}

static bool pc5_addr_equal(const struct pc5_addr *a, const struct pc5_addr *b)
{
	if (a->family != b->family)
		return false;
	if (a->family == AF_INET)
		return a->v4 == b->v4;
	return ipv6_addr_equal(&a->v6, &b->v6);
}

struct pc5_group *pc5_group_lookup(struct pc5_net *pn, const struct pc5_addr *addr)
{
	struct pc5_group *g;

	hash_for_each_possible_rcu(pn->groups, g, node, pc5_addr_hash(addr),
				   lockdep_is_held(&pn->lock)) {
		if (pc5_addr_equal(&g->addr, addr))
			return g;
	}
	return NULL;
}

static struct pc5_group *pc5_group_of(struct pc5_net *pn, struct sk_buff *skb, bool v6)
{
	struct pc5_addr addr = {};

	if (v6) {
		if (!ipv6_addr_is_multicast(&ipv6_hdr(skb)->daddr))
			return NULL;
		addr.family = AF_INET6;
		addr.v6 = ipv6_hdr(skb)->daddr;
	} else {
		if (!ipv4_is_multicast(ip_hdr(skb)->daddr))
			return NULL;
		addr.family = AF_INET;
		addr.v4 = ip_hdr(skb)->daddr;
	}
	return pc5_group_lookup(pn, &addr);
}

struct pc5_group *pc5_group_in(struct pc5_net *pn, struct sk_buff *skb, bool v6)
{
	struct pc5_group *g = pc5_group_of(pn, skb, v6);

	/* The device it came in on, which a VRF does not change. */
	if (g && g->ifindex && g->ifindex != (v6 ? IP6CB(skb)->iif : IPCB(skb)->iif))
		return NULL;
	return g;
}

struct pc5_group *pc5_group_out(struct pc5_net *pn, struct sk_buff *skb, bool v6)
{
	struct pc5_group *g = pc5_group_of(pn, skb, v6);

	if (g && g->ifindex && skb_dst(skb) && skb_dst(skb)->dev->ifindex != g->ifindex)
		return NULL;
	return g;
}

struct pc5_group *pc5_group_create(void)
{
	struct pc5_group *g;

	g = kzalloc(sizeof(*g), GFP_KERNEL);
	if (!g)
		return NULL;
	g->stats = pc5_stats_alloc();
	if (!g->stats) {
		kfree(g);
		return NULL;
	}
	g->replay_window = PC5SEC_REPLAY_WINDOW_DEFAULT;
	refcount_set(&g->refs, 1);
	return g;
}

/*
 * Drops a reference: the table's, once no RCU reader sees the group, or
 * a key's, once the key is freed. Any context.
 */
void pc5_group_put(struct pc5_group *g)
{
	if (!refcount_dec_and_test(&g->refs))
		return;
	free_percpu(g->stats);
	kfree(g);
}

static void pc5_group_put_rcu(struct rcu_head *rcu)
{
	pc5_group_put(container_of(rcu, struct pc5_group, rcu));
}

void pc5_group_insert(struct pc5_net *pn, struct pc5_group *g)
{
	lockdep_assert_held(&pn->lock);
	hash_add_rcu(pn->groups, &g->node, pc5_addr_hash(&g->addr));
	pn->ngroups++;
	pn->gen++;
}

/* Unlinks the group, removes its keys, and frees it after a grace period. */
void pc5_group_remove(struct pc5_net *pn, struct pc5_group *g)
{
	unsigned int i;

	lockdep_assert_held(&pn->lock);
	hash_del_rcu(&g->node);
	pn->ngroups--;
	for (i = 0; i < PC5SEC_MAX_KEYS; i++) {
		if (rcu_access_pointer(g->keys[i]))
			pc5_key_remove(pn, g, i);
	}
	pn->gen++;
	call_rcu(&g->rcu, pc5_group_put_rcu);
}

void pc5_groups_flush(struct pc5_net *pn, bool notify)
{
	struct hlist_node *tmp;
	struct pc5_group *g;
	unsigned int bkt;

	lockdep_assert_held(&pn->lock);
	hash_for_each_safe(pn->groups, bkt, tmp, g, node) {
		if (notify)
			pc5_nl_notify_group(pn, g, PC5SEC_CMD_GROUP_DEL);
		pc5_group_remove(pn, g);
	}
}
