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

/**
 * pc5_sender_find() - a key's sender, by Group Member ID
 * @k: the key
 * @member_id: the Group Member ID
 *
 * Under RCU. A sender lives as long as its key.
 *
 * Return: the sender, or NULL.
 */
struct pc5_sender *pc5_sender_find(struct pc5_key *k, u32 member_id);

/**
 * pc5_sender_sa() - the sender's SA of a PTK ID, if it keeps one
 * @s: the sender
 * @ptk_id: the PTK ID
 *
 * Under RCU.
 *
 * Return: the SA, or NULL.
 */
struct pc5_sa *pc5_sender_sa(struct pc5_sender *s, u16 ptk_id);

/**
 * pc5_sender_fresh() - would @seq pass the replay check now?
 * @s: the sender
 * @seq: PTK ID || counter
 * @window: the group's replay window
 *
 * Lockless, records nothing: the check before a datagram costs a cipher.
 *
 * Return: whether it is above the top, or in the window and not seen.
 */
bool pc5_sender_fresh(struct pc5_sender *s, u32 seq, u32 window);

/**
 * pc5_sender_keeps() - would the sender keep an SA of this PTK ID?
 * @s: the sender
 * @ptk_id: the PTK ID of a datagram it accepts
 *
 * Lockless.
 *
 * Return: whether @ptk_id is at or above the one before its window's top.
 */
bool pc5_sender_keeps(struct pc5_sender *s, u16 ptk_id);

/**
 * pc5_sender_accept() - records an authenticated datagram
 * @k: the sender's key
 * @s: the sender
 * @sa: the sender's SA that authenticated it
 * @seq: its PTK ID || counter
 * @window: the group's replay window
 *
 * Moves the window and steps the SA slots. BHs off, under RCU.
 *
 * Return: 0, or the drop reason: a replay, or (no-ICV suites) a jump not
 * confirmed yet.
 */
enum pc5sec_stat pc5_sender_accept(struct pc5_key *k, struct pc5_sender *s, struct pc5_sa *sa,
				   u32 seq, u32 window);

/**
 * pc5_sender_accept_trial() - records a datagram a trial authenticated
 * @k: the key
 * @member_id: its sender's Group Member ID
 * @sa: the trial SA, to keep for its PTK ID, or NULL
 * @seq: its PTK ID || counter
 * @window: the group's replay window
 * @kept: whether @sa was kept (with a reference of its own)
 *
 * Makes the sender if it is new. The key's worker only.
 *
 * Return: 0, or the drop reason.
 */
enum pc5sec_stat pc5_sender_accept_trial(struct pc5_key *k, u32 member_id, struct pc5_sa *sa,
					 u32 seq, u32 window, bool *kept);

/* The SAs of the next PTK IDs that senders asked for; the key's worker. */
void pc5_senders_make_next(struct pc5_key *k);

/* Empties the SA slots of a killed key's senders. */
void pc5_senders_kill(struct pc5_key *k);

/* Frees the senders of a key being released. */
void pc5_senders_free(struct pc5_key *k);

#endif /* _PC5SEC_SENDER_H */
