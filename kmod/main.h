/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The module's parameters and workqueue, and each network namespace's
 * state (main.c sets both up and tears them down).
 */
#ifndef _PC5SEC_MAIN_H
#define _PC5SEC_MAIN_H

#include <linux/hashtable.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "stats.h"

extern bool pc5_allow_null;
extern bool pc5_force_async;
/* Keys' workers, SA and key teardown, lifetimes, asynchronous completions. */
extern struct workqueue_struct *pc5_wq;

/*
 * CPU time for trials (receive.c): nanoseconds, credited at a rate, in
 * bursts of a tenth of a second's worth. A datagram reserves what a trial
 * has cost so far (pc5_key.trial_ns), and its trial settles at what it
 * took. A key's is under its rx_lock, a namespace's under its trial_lock;
 * both are read without, for an early drop.
 */
struct pc5_trial_budget {
	s64 ns;
	u64 stamp;			/* jiffies64 of its last credit */
};

/* What a budget of @per_s nanoseconds a second may hold at most. */
#define PC5_TRIAL_BURST(per_s)	((per_s) / 10)

/* All keys' trials of a namespace together, at most this much a second. */
#define PC5_NET_TRIAL_NS_PER_S	(250 * NSEC_PER_MSEC)

#define PC5_GROUP_HASH_BITS	10

/* Per network namespace state: docs/design.md, "Lifetimes and locking". */
struct pc5_net {
	struct net *net;
	struct mutex lock;		/* groups and keys: every change */
	DECLARE_HASHTABLE(groups, PC5_GROUP_HASH_BITS);
	unsigned int ngroups;
	u32 gen;			/* bumped on every change, for dumps */
	struct pc5_stats __percpu *stats;

	struct delayed_work lifetime_work;
	s64 lifetime_next;		/* when lifetime_work is due */
	/* jiffies of the last datapath event, per kind: rx, tx */
	unsigned long event_ratelimit[2];
	spinlock_t trial_lock;		/* trial_budget; inside pc5_key.rx_lock */
	struct pc5_trial_budget trial_budget;
};

extern unsigned int pc5_net_id;

static inline struct pc5_net *pc5_net(const struct net *net)
{
	return net_generic(net, pc5_net_id);
}

#endif /* _PC5SEC_MAIN_H */
