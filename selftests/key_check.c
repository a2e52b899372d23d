// SPDX-License-Identifier: GPL-2.0
/*
 * key_check: prints the key check value the pc5sec tool computes
 * (tools/check.c, through AF_ALG) for the PGK in 64 hex digits on stdin,
 * to compare with the kernel's PC5SEC_KEY_A_CHECK.
 */
#include <stdio.h>
#include <string.h>

#include "../tools/check.h"

int main(void)
{
	uint8_t pgk[PC5SEC_PGK_LEN], out[PC5SEC_KEY_CHECK_LEN];
	unsigned int i, b;
	int ret;

	for (i = 0; i < sizeof(pgk); i++) {
		if (scanf("%2x", &b) != 1) {
			fprintf(stderr, "key_check: give 64 hex digits on stdin\n");
			return 2;
		}
		pgk[i] = b;
	}
	ret = key_check_value(pgk, out);
	memset(pgk, 0, sizeof(pgk));
	if (ret) {
		fprintf(stderr, "key_check: %s\n", strerror(-ret));
		return 1;
	}
	for (i = 0; i < sizeof(out); i++)
		printf("%02x", out[i]);
	putchar('\n');
	return 0;
}
