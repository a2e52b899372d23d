/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Groups, keys and statistics as the kernel reports them: in replies to
 * GROUP_GET and STATS_GET, and in events.
 */
#ifndef PC5SEC_MODEL_H
#define PC5SEC_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include <libmnl/libmnl.h>

#include "addr.h"

/* Room for statistics a newer kernel may add */
#define STAT_SLOTS 64

struct stats {
	uint64_t val[STAT_SLOTS];
	uint64_t present;		/* bit per slot */
};

struct key_info {
	uint32_t has;			/* BIT(PC5SEC_KEY_A_*) */
	uint32_t pgk_id;
	uint8_t index, suite, state;
	int64_t not_before, soft_expires, expires;
	uint16_t tx_ptk_id, tx_ptk_id_limit, tx_counter;
	uint32_t rx_senders;
	struct stats stats;
};

struct group_info {
	uint8_t cmd;			/* the genl command it came with */
	uint32_t has;			/* BIT(PC5SEC_A_*) */
	struct pc5_addr addr;
	uint32_t group_id, member_id, ifindex, replay_window, sender_id;
	uint8_t bearer, plaintext;
	struct stats stats;
	struct key_info *keys;		/* PC5SEC_A_KEYS, or an event's KEY */
	size_t nkeys;
};

struct group_list {
	struct group_info *groups;
	size_t n;
};

#define HAS(x, attr) (!!((x)->has & (1u << (attr))))

/* Parses a message; -1 with errno set if it is malformed */
int group_parse(const struct nlmsghdr *nlh, struct group_info *g);
void group_free(struct group_info *g);

/* An mnl_cb_t that appends each message to a struct group_list */
int group_list_cb(const struct nlmsghdr *nlh, void *data);
void group_list_free(struct group_list *l);

#endif
