// SPDX-License-Identifier: GPL-2.0
/*
 * The senders of a key (receive side): their table, replay windows and SA
 * slots. What a datagram finds here was made by datagrams that were
 * authenticated before: an unauthenticated one reads this state, and
 * never changes it (receive.c decides what is authenticated).
 *
 * The table changes only in the key's worker (process context), under the
 * key's rx_lock, and is read under RCU. A sender's replay window and its
 * slots change under the sender's lock; the slots are read under RCU, and
 * an SA taken out of a slot is put after a grace period.
 */

#include <linux/hashtable.h>
#include <linux/slab.h>

#include "pc5sec.h"
#include "proto.h"
#include "sender.h"

#define PC5_SENDER_WANT	0	/* bit of pc5_sender.want */

/* Under RCU. */
struct pc5_sender *pc5_sender_find(struct pc5_key *k, u32 member_id)
{
	struct pc5_sender *s;

	hash_for_each_possible_rcu(k->senders, s, node, member_id) {
		if (s->member_id == member_id)
			return s;
	}
	return NULL;
}

/* The SA of the sender's PTK ID @ptk_id, if it has one; under RCU. */
struct pc5_sa *pc5_sender_sa(struct pc5_sender *s, u16 ptk_id)
{
	struct pc5_sa *sa;
	unsigned int i;

	for (i = 0; i < PC5_SA_SLOTS; i++) {
		sa = rcu_dereference(s->sa[i]);
		if (sa && sa->ptk_id == ptk_id)
			return sa;
	}
	return NULL;
}

static unsigned long *pc5_replay_word(struct pc5_replay *r, u32 seq)
{
	return &r->seen[(seq / BITS_PER_LONG) % PC5_REPLAY_WORDS];
}

/*
 * Whether @seq passes the replay check as the window stands (it is above
 * the top, or within @window below it and not seen), without recording
 * it: the early check before a datagram costs a cipher. Lockless; the
 * check that records it is pc5_sender_accept*().
 */
bool pc5_sender_fresh(struct pc5_sender *s, u32 seq, u32 window)
{
	u32 top = READ_ONCE(s->replay.top);

	if (seq > top)
		return true;
	if (top - seq >= window)
		return false;
	return !(READ_ONCE(*pc5_replay_word(&s->replay, seq)) & BIT(seq % BITS_PER_LONG));
}

/* Records @seq if it passes; under the sender's lock. */
static bool pc5_replay_update(struct pc5_replay *r, u32 seq, u32 window)
{
	unsigned long *word, bit = BIT(seq % BITS_PER_LONG);
	u32 from, n, i;

	if (seq > r->top) {
		from = r->top / BITS_PER_LONG;
		n = min_t(u32, seq / BITS_PER_LONG - from, PC5_REPLAY_WORDS);
		for (i = 1; i <= n; i++)
			r->seen[(from + i) % PC5_REPLAY_WORDS] = 0;
		WRITE_ONCE(r->top, seq);
	} else if (r->top - seq >= window) {
		return false;
	}
	word = pc5_replay_word(r, seq);
	if (*word & bit)
		return false;
	WRITE_ONCE(*word, *word | bit);
	return true;
}

/*
 * A datagram of a suite without an ICV that passed the UDP check may still
 * be forged (about once in 2^31 tries; spec section 6). So that such a one
 * cannot move a sender's window far, which would make its real datagrams
 * replays, a datagram more than PC5_JUMP_MAX above the top moves it only
 * when a second one, above it and at most PC5_JUMP_MAX further, confirms
 * it; the first is dropped. A datagram within reach of the window (the
 * sender is where it was) forgets an unconfirmed jump. Returns 0, or the
 * statistic to drop the datagram with. Under the sender's lock.
 */
#define PC5_JUMP_MAX	PC5SEC_REPLAY_WINDOW_MAX

static int pc5_sender_record(struct pc5_key *k, struct pc5_sender *s, u32 seq, u32 window)
{
	struct pc5_replay *r = &s->replay;

	if (seq > r->top && seq - r->top > PC5_JUMP_MAX && !pc5_suite_icv_len(k->suite)) {
		if (!s->jump_pending || seq <= s->jump || seq - s->jump > PC5_JUMP_MAX) {
			s->jump = seq;
			s->jump_pending = true;
			return PC5SEC_STAT_RX_DROP_JUMP;
		}
	}
	if (!pc5_replay_update(r, seq, window))
		return PC5SEC_STAT_RX_DROP_REPLAY;
	s->jump_pending = false;
	return 0;
}

/* Has the key's worker make the SA of the sender's next PTK ID. */
static void pc5_sender_want_next(struct pc5_key *k, struct pc5_sender *s)
{
	if (test_and_set_bit(PC5_SENDER_WANT, &s->want))
		return;
	llist_add(&s->want_node, &k->want_next);
	queue_work(pc5_wq, &k->work);
}

static struct pc5_sa *pc5_slot(struct pc5_sender *s, enum pc5_sa_slot i)
{
	return rcu_dereference_protected(s->sa[i], lockdep_is_held(&s->lock));
}

/*
 * The sender stepped to its next PTK ID: that SA becomes the current one,
 * the current one the previous. Returns the SA that falls out, for the
 * caller to put after a grace period. Under the sender's lock.
 */
static struct pc5_sa *pc5_sender_step(struct pc5_sender *s)
{
	struct pc5_sa *old = pc5_slot(s, PC5_SA_PREV);

	rcu_assign_pointer(s->sa[PC5_SA_PREV], pc5_slot(s, PC5_SA_CUR));
	rcu_assign_pointer(s->sa[PC5_SA_CUR], pc5_slot(s, PC5_SA_NEXT));
	RCU_INIT_POINTER(s->sa[PC5_SA_NEXT], NULL);
	return old;
}

/* Does the sender need the SA of a datagram of @ptk_id it accepts? Lockless. */
bool pc5_sender_keeps(struct pc5_sender *s, u16 ptk_id)
{
	return ptk_id + 1 >= pc5_seq_ptk(READ_ONCE(s->replay.top));
}

/*
 * Records the seq of a datagram that @sa, one of the sender's SAs,
 * authenticated: 0, or the statistic to drop it with. A datagram of the
 * next PTK ID steps the sender's SAs. Any context (BHs off), under RCU.
 */
int pc5_sender_accept(struct pc5_key *k, struct pc5_sender *s, struct pc5_sa *sa,
		      u32 seq, u32 window)
{
	struct pc5_sa *old = NULL;
	bool want = false;
	int stat;

	spin_lock(&s->lock);
	stat = pc5_sender_record(k, s, seq, window);
	/* A dead key's slots are being emptied: leave them be. */
	if (!stat && !READ_ONCE(k->dead)) {
		if (sa == rcu_access_pointer(s->sa[PC5_SA_NEXT]))
			old = pc5_sender_step(s);
		want = rcu_access_pointer(s->sa[PC5_SA_CUR]) &&
		       !rcu_access_pointer(s->sa[PC5_SA_NEXT]) &&
		       pc5_seq_ptk(s->replay.top) < PC5SEC_PTK_ID_MAX;
	}
	spin_unlock(&s->lock);
	pc5_sa_put_rcu(old);
	if (want)
		pc5_sender_want_next(k, s);
	return stat;
}

/* A new sender, whose first accepted datagram has @seq. */
static struct pc5_sender *pc5_sender_new(u32 member_id, u32 seq)
{
	struct pc5_sender *s;

	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return NULL;
	s->member_id = member_id;
	spin_lock_init(&s->lock);
	s->replay.top = seq;
	*pc5_replay_word(&s->replay, seq) = BIT(seq % BITS_PER_LONG);
	return s;
}

/*
 * Puts @sa, which authenticated a datagram of its PTK ID, where it
 * belongs now that the window's top is what it is: as the current SA (a
 * new or restarted sender, or one that stepped before its next SA was
 * made), or as the previous one. Returns the SAs that fall out, in
 * @old, and whether @sa was kept. Under the sender's lock.
 */
static bool pc5_sender_place(struct pc5_sender *s, struct pc5_sa *sa, struct pc5_sa **old)
{
	struct pc5_sa *cur = pc5_slot(s, PC5_SA_CUR), *next = pc5_slot(s, PC5_SA_NEXT);
	u16 top = pc5_seq_ptk(s->replay.top);

	if (sa->ptk_id + 1 == top && !pc5_slot(s, PC5_SA_PREV)) {
		rcu_assign_pointer(s->sa[PC5_SA_PREV], sa);
		return true;
	}
	if (sa->ptk_id != top || (cur && cur->ptk_id == top))
		return false;
	if (next && next->ptk_id == top) {
		old[0] = pc5_sender_step(s);
		return false;
	}
	/* A jump: the sender restarted further on, or was silent a while. */
	old[0] = pc5_slot(s, PC5_SA_PREV);
	old[1] = next;
	if (cur && cur->ptk_id + 1 == top) {
		rcu_assign_pointer(s->sa[PC5_SA_PREV], cur);
	} else {
		RCU_INIT_POINTER(s->sa[PC5_SA_PREV], NULL);
		old[2] = cur;
	}
	rcu_assign_pointer(s->sa[PC5_SA_CUR], sa);
	RCU_INIT_POINTER(s->sa[PC5_SA_NEXT], NULL);
	return true;
}

/*
 * Records a datagram that the key's trial SA authenticated, from a sender
 * or PTK ID without an SA, and keeps @sa (made for its PTK ID, or NULL)
 * where it belongs; makes the sender if it is new. Consumes @sa. Returns
 * 0 or the statistic to drop the datagram with. The key's worker only.
 */
int pc5_sender_accept_trial(struct pc5_key *k, u32 member_id, struct pc5_sa *sa,
			    u32 seq, u32 window)
{
	struct pc5_sa *old[3] = {};
	bool kept = false, want = false;
	struct pc5_sender *s;
	unsigned int i;
	int stat = 0;

	rcu_read_lock();
	s = pc5_sender_find(k, member_id);
	rcu_read_unlock();
	if (!s) {
		if (READ_ONCE(k->nsenders) >= PC5_MAX_SENDERS) {
			pc5_sa_put(sa);
			return PC5SEC_STAT_RX_DROP_SENDER_LIMIT;
		}
		s = pc5_sender_new(member_id, seq);
		if (!s) {
			pc5_sa_put(sa);
			return PC5SEC_STAT_RX_DROP_ERROR;
		}
		RCU_INIT_POINTER(s->sa[PC5_SA_CUR], sa);
		spin_lock_bh(&k->rx_lock);
		hash_add_rcu(k->senders, &s->node, member_id);
		WRITE_ONCE(k->nsenders, k->nsenders + 1);
		spin_unlock_bh(&k->rx_lock);
		if (sa && pc5_seq_ptk(seq) < PC5SEC_PTK_ID_MAX)
			pc5_sender_want_next(k, s);
		return 0;
	}

	spin_lock_bh(&s->lock);
	stat = pc5_sender_record(k, s, seq, window);
	if (!stat && !READ_ONCE(k->dead)) {
		kept = sa && pc5_sender_place(s, sa, old);
		want = pc5_slot(s, PC5_SA_CUR) && !pc5_slot(s, PC5_SA_NEXT) &&
		       pc5_seq_ptk(s->replay.top) < PC5SEC_PTK_ID_MAX;
	}
	spin_unlock_bh(&s->lock);
	if (!kept)
		pc5_sa_put(sa);
	for (i = 0; i < ARRAY_SIZE(old); i++)
		pc5_sa_put_rcu(old[i]);
	if (want)
		pc5_sender_want_next(k, s);
	return stat;
}

/* Makes the SAs of the next PTK IDs that senders asked for. The key's worker. */
void pc5_senders_make_next(struct pc5_key *k)
{
	struct llist_node *list = llist_del_all(&k->want_next);
	struct pc5_sender *s, *tmp;
	struct pc5_sa *cur, *sa;
	u32 ptk_id;

	llist_for_each_entry_safe(s, tmp, list, want_node) {
		clear_bit(PC5_SENDER_WANT, &s->want);
		/*
		 * Cleared before the slots are read: a sender that steps after
		 * this read asks again, and comes back to the list.
		 */
		smp_mb__after_atomic();
		spin_lock_bh(&s->lock);
		cur = pc5_slot(s, PC5_SA_CUR);
		ptk_id = cur && !pc5_slot(s, PC5_SA_NEXT) ? cur->ptk_id + 1 : U32_MAX;
		spin_unlock_bh(&s->lock);
		if (ptk_id > PC5SEC_PTK_ID_MAX)
			continue;
		sa = pc5_sa_create(k, s->member_id, ptk_id);
		if (!sa)
			continue;
		spin_lock_bh(&s->lock);
		cur = pc5_slot(s, PC5_SA_CUR);
		if (!READ_ONCE(k->dead) && cur && cur->ptk_id + 1 == ptk_id &&
		    !pc5_slot(s, PC5_SA_NEXT)) {
			rcu_assign_pointer(s->sa[PC5_SA_NEXT], sa);
			sa = NULL;
		}
		spin_unlock_bh(&s->lock);
		pc5_sa_put(sa);
	}
}

/*
 * Empties the slots of a key that is dead (k->dead, its worker stopped):
 * datagrams still in a cipher keep their SA, and so the key, until done.
 * Process context.
 */
void pc5_senders_kill(struct pc5_key *k)
{
	struct pc5_sa *sa[PC5_SA_SLOTS];
	struct pc5_sender *s;
	unsigned int bkt, i;

	hash_for_each(k->senders, bkt, s, node) {
		spin_lock_bh(&s->lock);
		for (i = 0; i < PC5_SA_SLOTS; i++) {
			sa[i] = pc5_slot(s, i);
			RCU_INIT_POINTER(s->sa[i], NULL);
		}
		spin_unlock_bh(&s->lock);
		for (i = 0; i < PC5_SA_SLOTS; i++)
			pc5_sa_put(sa[i]);
	}
}

/* Frees the senders of a key whose last reference is gone. */
void pc5_senders_free(struct pc5_key *k)
{
	struct hlist_node *tmp;
	struct pc5_sender *s;
	unsigned int bkt;

	hash_for_each_safe(k->senders, bkt, tmp, s, node)
		kfree(s);
}
