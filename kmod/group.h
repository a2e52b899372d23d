/* SPDX-License-Identifier: GPL-2.0 */
/* The groups of a namespace: a hash table by multicast address (group.c). */
#ifndef _PC5SEC_GROUP_H
#define _PC5SEC_GROUP_H

#include <linux/in6.h>
#include <linux/lockdep.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/skbuff.h>
#include <uapi/linux/pc5sec.h>

#include "main.h"

struct pc5_key;

struct pc5_addr {
	sa_family_t family;		/* AF_INET or AF_INET6 */
	union {
		__be32 v4;
		struct in6_addr v6;
	};
};

/*
 * A ProSe group: its address, identities and keys. The identities and
 * the bearer never change; the replay window and the plaintext policy
 * may (read with READ_ONCE()).
 */
struct pc5_group {
	struct hlist_node node;		/* pc5_net.groups, under pc5_net.lock */
	struct pc5_addr addr;
	u32 group_id;
	u32 member_id;
	int ifindex;			/* 0: any interface */
	u8 bearer;
	u32 replay_window;
	u8 plaintext;			/* enum pc5sec_plaintext_policy */

	struct pc5_key __rcu *keys[PC5SEC_MAX_KEYS];
	u64 key_seq;			/* install order, for ties in tx key choice */

	refcount_t refs;		/* the table's, and one per key */
	struct pc5_stats __percpu *stats;
	struct rcu_head rcu;
};

/* Slot @i of @g's keys, under RCU or pc5_net.lock. */
#define pc5_group_key(pn, g, i) \
	rcu_dereference_check((g)->keys[i], lockdep_is_held(&(pn)->lock))

/**
 * pc5_group_lookup() - the group of a multicast address
 * @pn: the namespace
 * @addr: the address
 *
 * Under RCU or pc5_net.lock.
 *
 * Return: the group, or NULL.
 */
struct pc5_group *pc5_group_lookup(struct pc5_net *pn, const struct pc5_addr *addr);

/**
 * pc5_group_in() - the protected group a received datagram is addressed to
 * @pn: the namespace
 * @skb: the datagram, its IP header linear
 * @v6: whether it is IPv6
 *
 * Under RCU.
 *
 * Return: the group, if its address is the datagram's destination and it
 * is bound to the device the datagram came in on, or to none; or NULL.
 */
struct pc5_group *pc5_group_in(struct pc5_net *pn, struct sk_buff *skb, bool v6);

/* The same for a datagram leaving by its route's device. */
struct pc5_group *pc5_group_out(struct pc5_net *pn, struct sk_buff *skb, bool v6);

/* A group with defaults and one reference, or NULL. Process context. */
struct pc5_group *pc5_group_create(void);

/* Puts a group in the table, which takes its reference; under pc5_net.lock. */
void pc5_group_insert(struct pc5_net *pn, struct pc5_group *g);

/**
 * pc5_group_remove() - takes a group out of the table
 * @pn: the namespace, its lock held
 * @g: the group
 *
 * Removes its keys; the table's reference is put after a grace period.
 */
void pc5_group_remove(struct pc5_net *pn, struct pc5_group *g);

/* Drops a reference; the last frees the group. Any context. */
void pc5_group_put(struct pc5_group *g);

/* Removes every group, with GROUP_DEL events if @notify; under pc5_net.lock. */
void pc5_groups_flush(struct pc5_net *pn, bool notify);

#endif /* _PC5SEC_GROUP_H */
