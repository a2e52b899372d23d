// SPDX-License-Identifier: GPL-2.0
/*
 * The key store: a group's PGKs in up to PC5SEC_MAX_KEYS RCU slots, the
 * suites they may use, and their lifetimes: a per-namespace worker warns at
 * a key's soft expiry and removes it at its expiry.
 */

#include <linux/crypto.h>
#include <linux/hashtable.h>
#include <linux/netlink.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>

#include "pc5sec.h"
#include "sender.h"

/* May a key with this suite be installed? If not, extack says why. */
int pc5_suite_check(u8 suite, struct netlink_ext_ack *extack, const struct nlattr *attr)
{
	if (suite > PC5SEC_SUITE_MAX) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "unknown suite");
		return -EINVAL;
	}
	if (suite == PC5SEC_SUITE_EEA0 && !READ_ONCE(pc5_allow_null)) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "suite eea0 sends in clear: it needs the module parameter allow_null=1");
		return -EPERM;
	}
	if (pc5_suite_alg(suite) && !crypto_has_alg(pc5_suite_alg(suite), 0, 0)) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "the cipher of this suite is not available in this kernel");
		return -EOPNOTSUPP;
	}
	return 0;
}

static void pc5_key_work(struct work_struct *work);
static void pc5_key_free_work(struct work_struct *work);

/* A key without its PGK yet: pc5_hmac_key_init() takes it. */
struct pc5_key *pc5_key_create(void)
{
	struct pc5_key *k;

	k = kzalloc(sizeof(*k), GFP_KERNEL);
	if (!k)
		return NULL;
	k->stats = pc5_stats_alloc();
	if (!k->stats) {
		kfree(k);
		return NULL;
	}
	refcount_set(&k->refs, 1);
	spin_lock_init(&k->tx_lock);
	spin_lock_init(&k->rx_lock);
	hash_init(k->senders);
	init_llist_head(&k->want_next);
	skb_queue_head_init(&k->pending);
	k->trial_budget.ns = PC5_TRIAL_NS_PER_S / 10;
	k->trial_budget.stamp = get_jiffies_64();
	k->trial_ns = 20 * NSEC_PER_USEC;
	INIT_WORK(&k->work, pc5_key_work);
	INIT_RCU_WORK(&k->free_work, pc5_key_free_work);
	return k;
}

/*
 * The key's worker, in process context (making a transform may sleep),
 * never on two CPUs at once: the SA of the tx PTK ID after the current
 * one, then those of the senders' next PTK IDs, then the datagrams that
 * wait for a trial, in that order, so that no flood of those delays SAs
 * that real traffic needs.
 */
static void pc5_key_work(struct work_struct *work)
{
	struct pc5_key *k = container_of(work, struct pc5_key, work);

	/* Unlinked: its SAs are being dropped, and no datagram waits. */
	if (READ_ONCE(k->dead))
		return;
	pc5_tx_make_next(k);
	pc5_senders_make_next(k);
	pc5_rx_resume(k);
}

/*
 * Kills a key no RCU reader can see any more (or that was never
 * installed): stops its worker, drops the datagrams waiting for it and its
 * SAs, and puts the table's reference. Datagrams still in a cipher keep
 * their SA, and so the key, until they are done. Process context.
 */
void pc5_key_kill(struct pc5_key *k)
{
	struct sk_buff *skb;

	WRITE_ONCE(k->dead, true);
	cancel_work_sync(&k->work);
	while ((skb = __skb_dequeue(&k->pending)))
		pc5_rx_drop_pending(skb);
	pc5_senders_kill(k);
	pc5_sa_put(rcu_dereference_protected(k->tx_sa, READ_ONCE(k->dead)));
	RCU_INIT_POINTER(k->tx_sa, NULL);
	pc5_sa_put(k->tx_next);
	k->tx_next = NULL;
	pc5_sa_put(k->trial);
	k->trial = NULL;
	pc5_key_put(k);
}

/*
 * The last reference is gone, the last datagram out of the cipher: frees
 * the key, wiping what it kept of its PGK. Process context.
 */
void pc5_key_put(struct pc5_key *k)
{
	if (!refcount_dec_and_test(&k->refs))
		return;
	/* A datagram's completion may have queued the (idle) worker. */
	cancel_work_sync(&k->work);
	pc5_senders_free(k);
	if (k->group)
		pc5_group_put(k->group);
	free_percpu(k->stats);
	kfree_sensitive(k);
}

static void pc5_key_free_work(struct work_struct *work)
{
	pc5_key_kill(container_of(to_rcu_work(work), struct pc5_key, free_work));
}

/* The group's key with this PGK ID, and its slot; under pc5_net.lock. */
struct pc5_key *pc5_key_find_id(struct pc5_group *g, u32 pgk_id, unsigned int *slot)
{
	struct pc5_key *k;
	unsigned int i;

	for (i = 0; i < PC5SEC_MAX_KEYS; i++) {
		k = rcu_dereference_protected(g->keys[i], true);
		if (k && k->pgk_id == pgk_id) {
			if (slot)
				*slot = i;
			return k;
		}
	}
	return NULL;
}

/* The group's key with this PGK index; under pc5_net.lock. */
struct pc5_key *pc5_key_find_index(struct pc5_group *g, u8 index)
{
	struct pc5_key *k;
	unsigned int i;

	for (i = 0; i < PC5SEC_MAX_KEYS; i++) {
		k = rcu_dereference_protected(g->keys[i], true);
		if (k && k->index == index)
			return k;
	}
	return NULL;
}

static s64 pc5_key_next_event(const struct pc5_key *k)
{
	return k->soft_notified ? k->expires : min(k->soft_expires, k->expires);
}

/*
 * Installs a key, with the SA of its first tx PTK ID made now; the next
 * one is made by its worker. Under pc5_net.lock.
 */
int pc5_key_install(struct pc5_net *pn, struct pc5_group *g, struct pc5_key *k)
{
	struct pc5_sa *sa;
	unsigned int i;

	lockdep_assert_held(&pn->lock);
	for (i = 0; i < PC5SEC_MAX_KEYS; i++) {
		if (!rcu_access_pointer(g->keys[i]))
			break;
	}
	if (i == PC5SEC_MAX_KEYS)
		return -ENOSPC;

	k->pn = pn;
	k->group_id = g->group_id;
	k->member_id = g->member_id;
	k->bearer = g->bearer;
	k->tx_ptk_first = k->tx_ptk_id;
	sa = pc5_sa_create(k, k->member_id, k->tx_ptk_id);
	if (!sa)
		return -ENOMEM;
	k->trial = pc5_sa_create_trial(k);
	if (!k->trial) {
		pc5_sa_put(sa);
		return -ENOMEM;
	}
	RCU_INIT_POINTER(k->tx_sa, sa);
	refcount_inc(&g->refs);
	k->group = g;
	k->install_seq = ++g->key_seq;
	rcu_assign_pointer(g->keys[i], k);
	g->nkeys++;
	pn->gen++;
	pc5_lifetime_schedule(pn, pc5_key_next_event(k));
	queue_work(pc5_wq, &k->work);
	return 0;
}

void pc5_key_remove(struct pc5_net *pn, struct pc5_group *g, unsigned int slot)
{
	struct pc5_key *k;

	k = rcu_dereference_protected(g->keys[slot], lockdep_is_held(&pn->lock));
	RCU_INIT_POINTER(g->keys[slot], NULL);
	g->nkeys--;
	pn->gen++;
	queue_rcu_work(pc5_wq, &k->free_work);
}

enum pc5sec_key_state pc5_key_state(struct pc5_key *k, s64 now)
{
	if (READ_ONCE(k->tx_exhausted))
		return PC5SEC_KEY_EXHAUSTED;
	if (now < k->not_before)
		return PC5SEC_KEY_PENDING;
	if (now >= k->soft_expires)
		return PC5SEC_KEY_SOFT_EXPIRED;
	return PC5SEC_KEY_ACTIVE;
}

/* Makes the lifetime worker run at @when (CLOCK_REALTIME s) or earlier. */
void pc5_lifetime_schedule(struct pc5_net *pn, s64 when)
{
	s64 delta;

	lockdep_assert_held(&pn->lock);
	if (when >= pn->lifetime_next)
		return;
	pn->lifetime_next = when;
	delta = clamp_t(s64, when - ktime_get_real_seconds(), 0, 24 * 3600);
	/* One jiffy more: waking before the second turns would spin. */
	mod_delayed_work(pc5_wq, &pn->lifetime_work, delta * HZ + 1);
}

void pc5_lifetime_work(struct work_struct *work)
{
	struct pc5_net *pn = container_of(to_delayed_work(work), struct pc5_net,
					  lifetime_work);
	s64 now = ktime_get_real_seconds(), next = S64_MAX;
	struct pc5_group *g;
	struct pc5_key *k;
	unsigned int bkt, i;

	mutex_lock(&pn->lock);
	pn->lifetime_next = S64_MAX;
	hash_for_each(pn->groups, bkt, g, node) {
		for (i = 0; i < PC5SEC_MAX_KEYS; i++) {
			k = rcu_dereference_protected(g->keys[i],
						      lockdep_is_held(&pn->lock));
			if (!k)
				continue;
			/* Both may be due: the soft expiry is announced first. */
			if (!k->soft_notified && k->soft_expires <= now) {
				k->soft_notified = true;
				pc5_nl_notify_key(pn, g, k, PC5SEC_CMD_KEY_SOFT_EXPIRED_NTF,
						  GFP_KERNEL);
			}
			if (k->expires <= now) {
				pc5_nl_notify_key(pn, g, k, PC5SEC_CMD_KEY_EXPIRED_NTF,
						  GFP_KERNEL);
				pc5_key_remove(pn, g, i);
				continue;
			}
			next = min(next, pc5_key_next_event(k));
		}
	}
	if (next != S64_MAX)
		pc5_lifetime_schedule(pn, next);
	mutex_unlock(&pn->lock);
}
