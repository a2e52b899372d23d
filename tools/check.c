// SPDX-License-Identifier: GPL-2.0
/*
 * The key check value through the kernel's "hmac(sha256)" over AF_ALG:
 * the same HMAC the module computes, without a crypto library here.
 */

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/if_alg.h>

#include "check.h"

#ifndef AF_ALG
#define AF_ALG 38
#endif
#ifndef SOL_ALG
#define SOL_ALG 279
#endif

#define CHECK_LABEL "pc5sec key check value"	/* 22 octets, no NUL */
#define SHA256_LEN 32

int key_check_value(const uint8_t pgk[PC5SEC_PGK_LEN],
		    uint8_t out[PC5SEC_KEY_CHECK_LEN])
{
	struct sockaddr_alg sa = {
		.salg_family = AF_ALG,
		.salg_type = "hash",
		.salg_name = "hmac(sha256)",
	};
	uint8_t digest[SHA256_LEN];
	int tfm, op = -1, ret = 0;
	ssize_t n;

	tfm = socket(AF_ALG, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (tfm < 0)
		return -errno;
	if (bind(tfm, (struct sockaddr *)&sa, sizeof(sa)) ||
	    setsockopt(tfm, SOL_ALG, ALG_SET_KEY, pgk, PC5SEC_PGK_LEN)) {
		ret = -errno;
		goto out;
	}
	op = accept4(tfm, NULL, NULL, SOCK_CLOEXEC);
	if (op < 0) {
		ret = -errno;
		goto out;
	}
	n = write(op, CHECK_LABEL, sizeof(CHECK_LABEL) - 1);
	if (n != sizeof(CHECK_LABEL) - 1) {
		ret = n < 0 ? -errno : -EIO;
		goto out;
	}
	n = read(op, digest, sizeof(digest));
	if (n != sizeof(digest)) {
		ret = n < 0 ? -errno : -EIO;
		goto out;
	}
	memcpy(out, digest, PC5SEC_KEY_CHECK_LEN);
out:
	explicit_bzero(digest, sizeof(digest));
	if (op >= 0)
		close(op);
	close(tfm);
	return ret;
}
