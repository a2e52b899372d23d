/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tx PTK ID reservations (spec section 5): a (PGK, Group Member ID, PTK
 * ID) is never used twice, across reboots. Each (group address, own
 * member ID, PGK ID) has a file under <state dir>/reservations holding the
 * next PTK ID never handed out. It is made durable before the kernel may
 * use what it hands out.
 */
#ifndef PC5SEC_STATE_H
#define PC5SEC_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"

/* PTK IDs reserved at a time */
#define RESV_BLOCK 64

struct resv_id {
	const struct pc5_addr *addr;
	uint32_t member_id;
	uint32_t pgk_id;
};

/*
 * Reserves the next block, PTK IDs *first to *last, from floor at least.
 * On failure returns -1 with the reason in why.
 */
int resv_reserve(const char *dir, const struct resv_id *id, uint32_t floor,
		 uint16_t *first, uint16_t *last, char *why, size_t why_len);

/*
 * Extends the reservation whose last PTK ID is limit by a block, to
 * *new_limit; only if it is still the last one handed out.
 */
int resv_extend(const char *dir, const struct resv_id *id, uint16_t limit,
		uint16_t *new_limit, char *why, size_t why_len);

#endif
