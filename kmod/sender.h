/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The senders of a key, on the receive side: the Group Member IDs heard
 * with it, each with its replay window and the SAs of its PTK IDs.
 */
#ifndef _PC5SEC_SENDER_H
#define _PC5SEC_SENDER_H

#include <linux/llist.h>
#include <linux/spinlock.h>
#include <uapi/linux/pc5sec.h>

struct pc5_key;
struct pc5_sa;

/* Senders a key tracks at most; datagrams from more are dropped and counted. */
#define PC5_MAX_SENDERS 256

/*
 * The SAs a sender keeps, named by their PTK ID's place beside the PTK ID
 * of its replay window's top: that one, the one after it (made before the
 * sender steps there) and the one before it (for late datagrams).
 */
enum pc5_sa_slot {
	PC5_SA_CUR,
	PC5_SA_NEXT,
	PC5_SA_PREV,
	PC5_SA_SLOTS
};

/*
 * The replay window (spec section 6) over seq = PTK ID || counter, a bit
 * per seq in a ring of words one word longer than the largest window, so
 * that clearing whole words as the top moves never forgets a seq still in
 * the window. Moving the top clears each word at most once, however far
 * it jumps.
 */
#define PC5_REPLAY_WORDS (PC5SEC_REPLAY_WINDOW_MAX / BITS_PER_LONG + 1)

struct pc5_replay {
	u32 top;			/* the highest seq accepted */
	unsigned long seen[PC5_REPLAY_WORDS];
};

/* A seq far above a sender's window, and when it came (sender.c). */
struct pc5_jump {
	u32 seq;			/* 0: none */
	u64 stamp;			/* jiffies64 */
};

/*
 * Only a datagram that passed the ICV (or, for the suites without one,
 * the check that stands in for it) and the replay check makes a sender
 * or changes one. A sender lives as long as its key: the key's worker
 * adds it, under the key's rx_lock, and the key's release frees it.
 */
struct pc5_sender {
	struct hlist_node node;		/* pc5_key.senders */
	struct llist_node want_node;	/* pc5_key.want_next */
	unsigned long want;		/* bit 0: on pc5_key.want_next */
	u32 member_id;
	spinlock_t lock;		/* replay, jump, and changes of sa[] */
	struct pc5_replay replay;
	struct pc5_jump jump[2];	/* no ICV: far seqs not confirmed yet */
	struct pc5_sa __rcu *sa[PC5_SA_SLOTS];
};

struct pc5_sender *pc5_sender_find(struct pc5_key *k, u32 member_id);
struct pc5_sa *pc5_sender_sa(struct pc5_sender *s, u16 ptk_id);
bool pc5_sender_fresh(struct pc5_sender *s, u32 seq, u32 window);
bool pc5_sender_keeps(struct pc5_sender *s, u16 ptk_id);
int pc5_sender_accept(struct pc5_key *k, struct pc5_sender *s, struct pc5_sa *sa,
		      u32 seq, u32 window);
int pc5_sender_accept_trial(struct pc5_key *k, u32 member_id, struct pc5_sa *sa,
			    u32 seq, u32 window, bool *kept);
void pc5_senders_make_next(struct pc5_key *k);
void pc5_senders_kill(struct pc5_key *k);
void pc5_senders_free(struct pc5_key *k);

#endif /* _PC5SEC_SENDER_H */
