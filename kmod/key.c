// SPDX-License-Identifier: GPL-2.0
/*
 * A group key's whole life. A group keeps its PGKs in up to
 * PC5SEC_MAX_KEYS RCU slots. A key is
 *
 *   created    pc5_key_create(), by KEY_NEW (netlink.c), with its PGK
 *              (pc5_key_set_pgk(), or from a logon key,
 *              pc5_key_set_pgk_keyring());
 *   installed  pc5_key_install(): its tx SA and trial SA made, in a slot;
 *   used       pc5_key_tx() picks it and steps its tx position for each
 *              datagram sent (send.c), and its worker, pc5_key_work(),
 *              makes the SAs the datagrams will need next: its own next
 *              tx PTK ID's, its senders' (sender.c), and tries the
 *              datagrams that wait for one (receive.c);
 *   expired    pc5_lifetime_work() announces its soft expiry, and at its
 *              expiry removes it, as KEY_DEL and a group's removal do;
 *   removed    pc5_key_remove(): out of its slot, then after a grace
 *              period
 *   killed     pc5_key_kill(): its worker stopped, its waiting datagrams
 *              dropped, its SAs put, the slot's reference put;
 *   released   pc5_key_release(), from pc5_key_put() when the last SA
 *              (the last datagram in a cipher) has let go of it: its
 *              senders freed, its PGK wiped, its keyring description
 *              and user data freed.
 *
 * docs/design.md, "Lifetimes and locking", has who holds what.
 */

#include <linux/crypto.h>
#include <linux/hashtable.h>
#include <linux/key.h>
#include <linux/netlink.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <keys/user-type.h>
#include <net/netlink.h>

#include "crypto.h"
#include "key.h"
#include "netlink.h"
#include "receive.h"
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
static void pc5_key_kill_work(struct work_struct *work);

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
	k->trial_budget.ns = PC5_TRIAL_BURST(PC5_TRIAL_NS_PER_S);
	k->trial_budget.stamp = get_jiffies_64();
	k->trial_ns = PC5_TRIAL_NS_FIRST;
	INIT_WORK(&k->work, pc5_key_work);
	INIT_RCU_WORK(&k->kill_work, pc5_key_kill_work);
	return k;
}

void pc5_key_set_pgk(struct pc5_key *k, const u8 *pgk)
{
	pc5_hmac_key_init(&k->pgk, pgk, PC5SEC_PGK_LEN);
	pc5_kdf_check(&k->pgk, k->check);
}

#if IS_ENABLED(CONFIG_KEYS)
/*
 * As dm-crypt's crypt_set_keyring_key(): the logon key's payload is read
 * under its semaphore, absorbed in place and never copied elsewhere. A
 * logon key cannot be read back from user space.
 */
int pc5_key_set_pgk_keyring(struct pc5_key *k, const struct nlattr *attr,
			    struct netlink_ext_ack *extack)
{
	const struct user_key_payload *ukp;
	const char *desc = nla_data(attr);
	struct key *key;
	int err;

	if (!*desc) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "the keyring key's description is empty");
		return -EINVAL;
	}
	/* Not another subsystem's logon keys (dm-crypt's, say) as PGKs */
	if (strncmp(desc, PC5_KEYRING_PREFIX, strlen(PC5_KEYRING_PREFIX))) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "the keyring key's description must start with \""
				    PC5_KEYRING_PREFIX "\"");
		return -EINVAL;
	}
	k->keyring = nla_strdup(attr, GFP_KERNEL);
	if (!k->keyring) {
		NL_SET_ERR_MSG(extack, "out of memory for the keyring key's description");
		return -ENOMEM;
	}
	key = request_key(&key_type_logon, k->keyring, NULL);
	if (IS_ERR(key)) {
		err = PTR_ERR(key);
		goto fail;
	}
	down_read(&key->sem);
	err = key_validate(key);
	ukp = err ? NULL : user_key_payload_locked(key);
	if (!err && !ukp)
		err = -EKEYREVOKED;
	if (!err && ukp->datalen != PC5SEC_PGK_LEN) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "the keyring key must hold 32 octets");
		err = -EINVAL;
	}
	if (!err)
		pc5_key_set_pgk(k, ukp->data);
	up_read(&key->sem);
	key_put(key);
	if (!err)
		return 0;
fail:
	switch (err) {
	case -EINVAL:
		break;
	case -ENOKEY:
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "no logon key with that description in the caller's keyrings");
		break;
	case -EKEYREVOKED:
	case -EKEYEXPIRED:
		NL_SET_ERR_MSG_ATTR(extack, attr, "the keyring key is revoked or expired");
		break;
	case -EACCES:
		NL_SET_ERR_MSG_ATTR(extack, attr, "the caller may not search for the keyring key");
		break;
	default:
		NL_SET_ERR_MSG_ATTR(extack, attr, "cannot get the keyring key");
	}
	kfree(k->keyring);
	k->keyring = NULL;
	return err;
}
#else
int pc5_key_set_pgk_keyring(struct pc5_key *k, const struct nlattr *attr,
			    struct netlink_ext_ack *extack)
{
	NL_SET_ERR_MSG_ATTR(extack, attr, "this kernel has no keyrings (CONFIG_KEYS)");
	return -EOPNOTSUPP;
}
#endif

/*
 * Makes the SA of the key's tx PTK ID after the current one, so that the
 * sender steps there without waiting. The key's worker.
 */
static void pc5_key_make_tx_next(struct pc5_key *k)
{
	struct pc5_sa *sa;
	bool want;
	u16 next;

	spin_lock_bh(&k->tx_lock);
	next = k->tx_ptk_id + 1;
	want = !k->tx_next && k->tx_ptk_id < k->tx_ptk_limit;
	spin_unlock_bh(&k->tx_lock);
	if (!want)
		return;
	sa = pc5_sa_create(k, k->group->member_id, next);
	spin_lock_bh(&k->tx_lock);
	if (sa && !k->tx_next && k->tx_ptk_id + 1 == next) {
		k->tx_next = sa;
		sa = NULL;
	}
	spin_unlock_bh(&k->tx_lock);
	pc5_sa_put(sa);
}

/*
 * The key's worker, in process context (making a transform may sleep),
 * never on two CPUs at once: the SA of the tx PTK ID after the current
 * one, then those of the senders' next PTK IDs, then the datagrams that
 * wait for a trial, in that order, so that no flood of those delays SAs
 * that real traffic needs. Being the only one to add senders and to use
 * the trial SA, it needs no lock to read either.
 */
static void pc5_key_work(struct work_struct *work)
{
	struct pc5_key *k = container_of(work, struct pc5_key, work);

	/* Killed: its SAs are being dropped, and no datagram waits. */
	if (READ_ONCE(k->dead))
		return;
	pc5_key_make_tx_next(k);
	pc5_senders_make_next(k);
	pc5_rx_resume(k);
}

/*
 * Spec section 5: among the keys active now and not exhausted, the one with
 * the latest not-before; on a tie, the most recently installed. Under RCU.
 */
static struct pc5_key *pc5_key_tx_choose(struct pc5_net *pn, struct pc5_group *g, s64 now)
{
	struct pc5_key *k, *best = NULL;
	unsigned int i;

	for (i = 0; i < PC5SEC_MAX_KEYS; i++) {
		k = pc5_group_key(pn, g, i);
		if (!k || now < k->not_before || now >= k->expires ||
		    READ_ONCE(k->tx_exhausted))
			continue;
		if (!best || k->not_before > best->not_before ||
		    (k->not_before == best->not_before && k->install_seq > best->install_seq))
			best = k;
	}
	return best;
}

/* KEY_TX_LOW_NTF comes when a key has used this share of its PTK IDs. */
#define PC5_TX_LOW_PERCENT	90

/* Has the key used PC5_TX_LOW_PERCENT of its reserved PTK IDs? Under tx_lock. */
static bool pc5_key_tx_low(struct pc5_key *k)
{
	u32 used = k->tx_ptk_id - k->tx_ptk_first + 1;
	u32 all = k->tx_ptk_limit - k->tx_ptk_first + 1;

	return used * 100 >= all * PC5_TX_LOW_PERCENT;
}

/*
 * Takes the key's next (PTK ID, counter): the counter runs 1..0xffff, then
 * the PTK ID steps, to the SA its worker made for it, up to the reserved
 * limit (spec section 5). Returns false if the key is exhausted; *@pos.sa
 * is NULL if the next PTK ID's SA is not made yet.
 */
static bool pc5_key_tx_step(struct pc5_key *k, struct pc5_tx_pos *pos)
{
	struct pc5_sa *old = NULL;
	bool low = false;

	pos->sa = NULL;
	spin_lock_bh(&k->tx_lock);
	if (k->tx_counter == PC5SEC_COUNTER_MAX) {
		if (k->tx_ptk_id >= k->tx_ptk_limit) {
			WRITE_ONCE(k->tx_exhausted, true);
			spin_unlock_bh(&k->tx_lock);
			pc5_nl_notify_key(k->pn, k->group, k, PC5SEC_CMD_KEY_TX_EXHAUSTED_NTF,
					  GFP_ATOMIC);
			return false;
		}
		if (!k->tx_next) {
			spin_unlock_bh(&k->tx_lock);
			queue_work(pc5_wq, &k->work);
			return true;
		}
		old = rcu_replace_pointer(k->tx_sa, k->tx_next, lockdep_is_held(&k->tx_lock));
		k->tx_next = NULL;
		k->tx_ptk_id++;
		k->tx_counter = 0;
		if (!k->tx_low_notified && pc5_key_tx_low(k)) {
			k->tx_low_notified = true;
			low = true;
		}
	}
	k->tx_counter++;
	pos->ptk_id = k->tx_ptk_id;
	pos->counter = k->tx_counter;
	pos->sa = rcu_dereference_protected(k->tx_sa, lockdep_is_held(&k->tx_lock));
	spin_unlock_bh(&k->tx_lock);

	if (old) {
		pc5_sa_put_rcu(old);
		queue_work(pc5_wq, &k->work);	/* the SA after this one */
	}
	if (low)
		pc5_nl_notify_key(k->pn, k->group, k, PC5SEC_CMD_KEY_TX_LOW_NTF, GFP_ATOMIC);
	return true;
}

int pc5_key_tx_raise(struct pc5_key *k, u16 limit)
{
	int err = 0;

	spin_lock_bh(&k->tx_lock);
	if (limit < k->tx_ptk_limit) {
		err = -EINVAL;
	} else if (limit > k->tx_ptk_limit) {
		k->tx_ptk_limit = limit;
		k->tx_low_notified = false;
		WRITE_ONCE(k->tx_exhausted, false);
	}
	spin_unlock_bh(&k->tx_lock);
	if (!err)
		queue_work(pc5_wq, &k->work);	/* the SA of the next PTK ID */
	return err;
}

struct pc5_key *pc5_key_tx(struct pc5_net *pn, struct pc5_group *g, struct pc5_tx_pos *pos)
{
	s64 now = ktime_get_real_seconds();
	struct pc5_key *k;
	unsigned int i;

	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "the tx key choice needs RCU");
	/* An exhausted key is passed over the next time round. */
	for (i = 0; i < PC5SEC_MAX_KEYS; i++) {
		k = pc5_key_tx_choose(pn, g, now);
		if (!k || pc5_key_tx_step(k, pos))
			return k;
	}
	return NULL;
}

/*
 * Kills a key no RCU reader can see any more (or that was never
 * installed): stops its worker, drops the datagrams waiting for it and its
 * SAs, and puts the slot's reference. Datagrams still in a cipher keep
 * their SA, and so the key, until they are done.
 */
void pc5_key_kill(struct pc5_key *k)
{
	struct pc5_sa *sa, *next;

	might_sleep();
	WRITE_ONCE(k->dead, true);
	cancel_work_sync(&k->work);
	pc5_rx_drop_pending(k);
	pc5_senders_kill(k);
	spin_lock_bh(&k->tx_lock);
	sa = rcu_replace_pointer(k->tx_sa, NULL, lockdep_is_held(&k->tx_lock));
	next = k->tx_next;
	k->tx_next = NULL;
	spin_unlock_bh(&k->tx_lock);
	pc5_sa_put(sa);
	pc5_sa_put(next);
	pc5_sa_put(k->trial);
	k->trial = NULL;
	pc5_key_put(k);
}

static void pc5_key_kill_work(struct work_struct *work)
{
	pc5_key_kill(container_of(to_rcu_work(work), struct pc5_key, kill_work));
}

/*
 * The last reference is gone, the last datagram out of the cipher: frees
 * the key and its senders, wiping what it kept of its PGK. Process context
 * (an SA's release).
 */
static void pc5_key_release(struct pc5_key *k)
{
	might_sleep();
	/* A datagram's completion may have queued the (idle) worker. */
	cancel_work_sync(&k->work);
	pc5_senders_free(k);
	if (k->group)
		pc5_group_put(k->group);
	free_percpu(k->stats);
	kfree(k->keyring);
	kfree(k->userdata);
	kfree_sensitive(k);
}

void pc5_key_put(struct pc5_key *k)
{
	if (refcount_dec_and_test(&k->refs))
		pc5_key_release(k);
}

struct pc5_key *pc5_key_find_id(struct pc5_net *pn, struct pc5_group *g, u32 pgk_id,
				unsigned int *slot)
{
	struct pc5_key *k;
	unsigned int i;

	lockdep_assert_held(&pn->lock);
	for (i = 0; i < PC5SEC_MAX_KEYS; i++) {
		k = pc5_group_key(pn, g, i);
		if (k && k->pgk_id == pgk_id) {
			if (slot)
				*slot = i;
			return k;
		}
	}
	return NULL;
}

struct pc5_key *pc5_key_find(struct pc5_net *pn, struct pc5_group *g, u8 index)
{
	struct pc5_key *k;
	unsigned int i;

	for (i = 0; i < PC5SEC_MAX_KEYS; i++) {
		k = pc5_group_key(pn, g, i);
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

	/* The SAs' key schedule needs the group's identities. */
	refcount_inc(&g->refs);
	k->group = g;
	k->pn = pn;
	k->tx_ptk_first = k->tx_ptk_id;
	sa = pc5_sa_create(k, g->member_id, k->tx_ptk_id);
	if (!sa)
		return -ENOMEM;
	k->trial = pc5_sa_create_trial(k);
	if (!k->trial) {
		pc5_sa_put(sa);
		return -ENOMEM;
	}
	RCU_INIT_POINTER(k->tx_sa, sa);
	k->install_seq = ++g->key_seq;
	rcu_assign_pointer(g->keys[i], k);
	pn->gen++;
	pc5_lifetime_schedule(pn, pc5_key_next_event(k));
	queue_work(pc5_wq, &k->work);
	return 0;
}

void pc5_key_remove(struct pc5_net *pn, struct pc5_group *g, unsigned int slot)
{
	struct pc5_key *k;

	lockdep_assert_held(&pn->lock);
	k = pc5_group_key(pn, g, slot);
	RCU_INIT_POINTER(g->keys[slot], NULL);
	pn->gen++;
	queue_rcu_work(pc5_wq, &k->kill_work);
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

/* The lifetime worker looks again at least this often (s): clocks may step. */
#define PC5_LIFETIME_MAX_WAIT	(24 * 60 * 60)

/* Makes the lifetime worker run at @when (CLOCK_REALTIME s) or earlier. */
void pc5_lifetime_schedule(struct pc5_net *pn, s64 when)
{
	s64 delta;

	lockdep_assert_held(&pn->lock);
	if (when >= pn->lifetime_next)
		return;
	pn->lifetime_next = when;
	delta = clamp_t(s64, when - ktime_get_real_seconds(), 0, PC5_LIFETIME_MAX_WAIT);
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
			k = pc5_group_key(pn, g, i);
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
