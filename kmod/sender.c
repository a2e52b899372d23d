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

#include "crypto.h"
#include "key.h"
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
	/* Pairs with pc5_replay_update(): the words it cleared, before the top. */
	u32 top = smp_load_acquire(&s->replay.top);

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
			WRITE_ONCE(r->seen[(from + i) % PC5_REPLAY_WORDS], 0);
		/* Pairs with pc5_sender_fresh(). */
		smp_store_release(&r->top, seq);
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
 * The jump rule of spec section 6, for the suites without an ICV: a
 * datagram that passed the UDP check may still be forged (about once in
 * 2^31 tries), and one that moved its sender's window far would make the
 * sender's real datagrams replays. So a datagram more than PC5_JUMP_MAX
 * above the top moves it only when a second one, above a remembered one
 * and at most PC5_JUMP_MAX further, confirms the jump; the first is
 * dropped and remembered. Two are remembered. A new one takes a free
 * place, or one remembered for longer than PC5_JUMP_TTL, or else the
 * lower one's if it is above it; the same seq again changes nothing. So
 * datagrams of a sender from before its jump, replayed or late, cannot
 * push out the one its next datagram confirms, whatever the window takes
 * meanwhile. A remembered seq is forgotten once the window's top is
 * within PC5_JUMP_MAX of it. No SA is kept for a jump not confirmed: a
 * datagram that would confirm one, when its PTK ID has no SA, is tried on
 * the key's trial budget, which bounds how fast a forger can look for a
 * second datagram that passes the check. Under the sender's lock.
 */
#define PC5_JUMP_MAX	PC5SEC_REPLAY_WINDOW_MAX
#define PC5_JUMP_TTL	(60 * HZ)

static bool pc5_seq_far(u32 top, u32 seq)
{
	return seq > top && seq - top > PC5_JUMP_MAX;
}

static bool pc5_jump_stale(const struct pc5_jump *j)
{
	return time_after64(get_jiffies_64(), j->stamp + PC5_JUMP_TTL);
}

/* Does @seq confirm a remembered jump? If not, it is remembered. */
static bool pc5_sender_jump(struct pc5_sender *s, u32 seq)
{
	struct pc5_jump *j = s->jump, *place;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(s->jump); i++) {
		if (j[i].seq && seq > j[i].seq && seq - j[i].seq <= PC5_JUMP_MAX)
			return true;
	}
	if (j[0].seq == seq || j[1].seq == seq)
		return false;
	if (!j[0].seq || !j[1].seq)
		place = j[0].seq ? &j[1] : &j[0];
	else if (pc5_jump_stale(&j[0]) || pc5_jump_stale(&j[1]))
		place = pc5_jump_stale(&j[0]) ? &j[0] : &j[1];
	else
		place = j[1].seq < j[0].seq ? &j[1] : &j[0];
	if (place->seq && seq < place->seq && !pc5_jump_stale(place))
		return false;
	place->seq = seq;
	place->stamp = get_jiffies_64();
	return false;
}

/*
 * Records the seq of an authenticated datagram: 0, or the statistic to
 * drop it with. Under the sender's lock.
 */
static enum pc5sec_stat pc5_sender_record(struct pc5_key *k, struct pc5_sender *s,
					  u32 seq, u32 window)
{
	struct pc5_replay *r = &s->replay;
	unsigned int i;

	if (pc5_seq_far(r->top, seq) && !pc5_suite_icv_len(k->suite) && !pc5_sender_jump(s, seq))
		return PC5SEC_STAT_RX_DROP_JUMP;
	if (!pc5_replay_update(r, seq, window))
		return PC5SEC_STAT_RX_DROP_REPLAY;
	for (i = 0; i < ARRAY_SIZE(s->jump); i++) {
		if (!pc5_seq_far(r->top, s->jump[i].seq))
			s->jump[i].seq = 0;
	}
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

/* Empties slot @i into @old; under the sender's lock. */
static void pc5_slot_clear(struct pc5_sender *s, enum pc5_sa_slot i, struct pc5_sa ***old)
{
	*(*old)++ = pc5_slot(s, i);
	RCU_INIT_POINTER(s->sa[i], NULL);
}

/* Should the key's worker make the SA after the current one? */
static bool pc5_sender_wants_next(struct pc5_sender *s)
{
	return pc5_slot(s, PC5_SA_CUR) && !pc5_slot(s, PC5_SA_NEXT) &&
	       pc5_seq_ptk(s->replay.top) < PC5SEC_PTK_ID_MAX;
}

/*
 * After a datagram that @sa authenticated was recorded: the slots as the
 * window's top needs them. @sa is one of the slots' SAs, or a new one (a
 * trial's, which this keeps where it belongs, returning true, if
 * @may_keep). An SA of the next PTK ID steps them; a new SA of a jump
 * becomes the current one; a new SA of the PTK ID before the top may fill
 * that slot. The SAs that fall out go to @old (room for PC5_SA_SLOTS).
 * Under the sender's lock.
 */
static bool pc5_sender_settle(struct pc5_sender *s, struct pc5_sa *sa, bool may_keep,
			      struct pc5_sa **old)
{
	struct pc5_sa *cur = pc5_slot(s, PC5_SA_CUR), *next = pc5_slot(s, PC5_SA_NEXT);
	u16 top = pc5_seq_ptk(s->replay.top);
	bool new = sa && sa != cur && sa != next && sa != pc5_slot(s, PC5_SA_PREV);

	/*
	 * One of the slots' SAs that another datagram's settling took out
	 * after this one found it: its slot's reference is being put, after
	 * a grace period. It does not come back.
	 */
	if (new && !may_keep) {
		sa = NULL;
		new = false;
	}

	if (cur && cur->ptk_id == top) {
		if (new && sa->ptk_id + 1 == top && !pc5_slot(s, PC5_SA_PREV)) {
			rcu_assign_pointer(s->sa[PC5_SA_PREV], sa);
			return true;
		}
		return false;
	}
	if (next && next->ptk_id == top) {
		pc5_slot_clear(s, PC5_SA_PREV, &old);
		rcu_assign_pointer(s->sa[PC5_SA_PREV], cur);
		rcu_assign_pointer(s->sa[PC5_SA_CUR], next);
		RCU_INIT_POINTER(s->sa[PC5_SA_NEXT], NULL);
		return false;
	}
	if (!sa || sa->ptk_id != top)
		return false;
	/* A jump: the sender restarted further on, or was silent a while. */
	pc5_slot_clear(s, PC5_SA_PREV, &old);
	if (cur && cur->ptk_id + 1 == top)
		rcu_assign_pointer(s->sa[PC5_SA_PREV], cur);
	else if (cur)
		*old++ = cur;
	pc5_slot_clear(s, PC5_SA_NEXT, &old);
	rcu_assign_pointer(s->sa[PC5_SA_CUR], sa);
	return new;
}

/* Does the sender need the SA of a datagram of @ptk_id it accepts? Lockless. */
bool pc5_sender_keeps(struct pc5_sender *s, u16 ptk_id)
{
	return ptk_id + 1 >= pc5_seq_ptk(READ_ONCE(s->replay.top));
}

/*
 * Records the seq of a datagram that @sa authenticated, and settles the
 * slots; @sa is one of them, or (with @kept) a new SA to keep where it
 * belongs: *@kept then says whether it was kept, with a reference for its
 * slot. 0 or the drop reason. Under RCU.
 */
static enum pc5sec_stat pc5_sender_update(struct pc5_key *k, struct pc5_sender *s,
					  struct pc5_sa *sa, u32 seq, u32 window, bool *kept)
{
	struct pc5_sa *old[PC5_SA_SLOTS] = {};
	enum pc5sec_stat stat;
	bool want = false;
	unsigned int i;

	if (kept)
		*kept = false;
	spin_lock_bh(&s->lock);
	stat = pc5_sender_record(k, s, seq, window);
	/* A dead key's slots are being emptied: leave them be. */
	if (!stat && !READ_ONCE(k->dead)) {
		if (pc5_sender_settle(s, sa, !!kept, old)) {
			refcount_inc(&sa->refs);
			*kept = true;
		}
		want = pc5_sender_wants_next(s);
	}
	spin_unlock_bh(&s->lock);
	for (i = 0; i < ARRAY_SIZE(old); i++)
		pc5_sa_put_rcu(old[i]);
	if (want)
		pc5_sender_want_next(k, s);
	return stat;
}

enum pc5sec_stat pc5_sender_accept(struct pc5_key *k, struct pc5_sender *s, struct pc5_sa *sa,
				   u32 seq, u32 window)
{
	return pc5_sender_update(k, s, sa, seq, window, NULL);
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
 * Records a datagram that the key's trial SA authenticated, from a sender
 * or PTK ID without an SA, and keeps @sa (keyed for its PTK ID, or NULL),
 * with a reference of its own, where it belongs in the slots; makes the
 * sender if it is new. Says in *@kept whether it kept @sa. Returns 0 or
 * the statistic to drop the datagram with. The key's worker only.
 */
enum pc5sec_stat pc5_sender_accept_trial(struct pc5_key *k, u32 member_id, struct pc5_sa *sa,
					 u32 seq, u32 window, bool *kept)
{
	enum pc5sec_stat stat;
	struct pc5_sender *s;

	WARN_ON_ONCE(current_work() != &k->work);
	*kept = false;
	rcu_read_lock();
	s = pc5_sender_find(k, member_id);
	rcu_read_unlock();
	if (!s) {
		if (READ_ONCE(k->nsenders) >= PC5_MAX_SENDERS)
			return PC5SEC_STAT_RX_DROP_SENDER_LIMIT;
		s = pc5_sender_new(member_id, seq);
		if (!s)
			return PC5SEC_STAT_RX_DROP_ERROR;
		if (sa) {
			refcount_inc(&sa->refs);
			RCU_INIT_POINTER(s->sa[PC5_SA_CUR], sa);
			*kept = true;
		}
		spin_lock_bh(&k->rx_lock);
		hash_add_rcu(k->senders, &s->node, member_id);
		WRITE_ONCE(k->nsenders, k->nsenders + 1);
		spin_unlock_bh(&k->rx_lock);
		if (sa && pc5_seq_ptk(seq) < PC5SEC_PTK_ID_MAX)
			pc5_sender_want_next(k, s);
		return 0;
	}

	rcu_read_lock();
	stat = pc5_sender_update(k, s, sa, seq, window, kept);
	rcu_read_unlock();
	return stat;
}

/* Makes the SAs of the next PTK IDs that senders asked for. The key's worker. */
void pc5_senders_make_next(struct pc5_key *k)
{
	struct llist_node *list = llist_del_all(&k->want_next);
	struct pc5_sender *s, *tmp;
	struct pc5_sa *cur, *sa;
	u32 ptk_id;

	WARN_ON_ONCE(current_work() != &k->work);
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
 * Empties the slots of a key that is dead (k->dead, its worker stopped,
 * so no sender is added meanwhile): datagrams still in a cipher keep their
 * SA, and so the key, until done. Process context.
 */
void pc5_senders_kill(struct pc5_key *k)
{
	struct pc5_sa *sa[PC5_SA_SLOTS];
	struct pc5_sender *s;
	unsigned int bkt, i;

	WARN_ON_ONCE(!READ_ONCE(k->dead));
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
