/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The key check value of a PGK, as the kernel reports it
 * (PC5SEC_KEY_A_CHECK): the first PC5SEC_KEY_CHECK_LEN octets of
 * HMAC-SHA-256(PGK, "pc5sec key check value"), computed through AF_ALG.
 */
#ifndef PC5SEC_CHECK_H
#define PC5SEC_CHECK_H

#include <stdint.h>
#include <linux/pc5sec.h>

/* 0 or -errno; what held the PGK or the digest is wiped */
int key_check_value(const uint8_t pgk[PC5SEC_PGK_LEN],
		    uint8_t out[PC5SEC_KEY_CHECK_LEN]);

#endif
