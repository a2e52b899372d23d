// SPDX-License-Identifier: GPL-2.0
/*
 * eea_af_alg: runs the 3GPP test sets of 128-EEA1 and 128-EEA3 through the
 * kernel's "eea1" and "eea3" skciphers over AF_ALG, in both directions,
 * the message in one piece and in three (odd-sized) pieces. Checks the
 * first LENGTH bits of each result, and that a key of the wrong size is
 * refused. Helper for the pc5sec selftests.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/if_alg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef SOL_ALG
#define SOL_ALG		279
#endif

struct pc5_eea_testvec {
	const char *key;
	uint32_t count;
	uint8_t bearer;
	uint8_t dir;
	unsigned int bits;
	const char *plaintext;
	const char *ciphertext;
};

#include "../kmod/eea/eea_testvec.h"

#define MAX_LEN		512
#define IV_LEN		16

static void usage(int status)
{
	fprintf(status ? stderr : stdout,
		"usage: eea_af_alg ALG\n"
		"  ALG  eea1 or eea3: runs its 3GPP test sets through AF_ALG\n"
		"Prints a line per check; exits 0 only if all passed.\n");
	exit(status);
}

static size_t unhex(const char *h, uint8_t *out, size_t max)
{
	size_t n = 0;
	unsigned int v;

	while (h[0] && h[1] && n < max && sscanf(h, "%2x", &v) == 1) {
		out[n++] = v;
		h += 2;
	}
	return n;
}

static int alg_socket(const char *alg)
{
	struct sockaddr_alg sa = { .salg_family = AF_ALG, .salg_type = "skcipher" };
	int fd;

	snprintf((char *)sa.salg_name, sizeof(sa.salg_name), "%s", alg);
	fd = socket(AF_ALG, SOCK_SEQPACKET, 0);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Sends @len octets in @pieces sendmsg calls (the first with op and IV). */
static int alg_crypt(int tfm, int op, const uint8_t *iv, const uint8_t *in, uint8_t *out,
		     size_t len, unsigned int pieces)
{
	char cbuf[CMSG_SPACE(sizeof(uint32_t)) + CMSG_SPACE(sizeof(struct af_alg_iv) + IV_LEN)] = {};
	size_t cuts[4] = { 0, len, len, len }, done;
	struct af_alg_iv *aiv;
	struct cmsghdr *c;
	struct msghdr msg;
	struct iovec iov;
	unsigned int p;
	ssize_t n;
	int fd;

	if (pieces == 3) {
		cuts[1] = len / 3 | 1;		/* odd: not a multiple of the chunk */
		cuts[2] = cuts[1] + 5;
	}
	fd = accept(tfm, NULL, 0);
	if (fd < 0)
		return -1;
	for (p = 0; p < pieces; p++) {
		memset(&msg, 0, sizeof(msg));
		iov.iov_base = (void *)(in + cuts[p]);
		iov.iov_len = cuts[p + 1] - cuts[p];
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		if (p == 0) {
			msg.msg_control = cbuf;
			msg.msg_controllen = sizeof(cbuf);
			c = CMSG_FIRSTHDR(&msg);
			c->cmsg_level = SOL_ALG;
			c->cmsg_type = ALG_SET_OP;
			c->cmsg_len = CMSG_LEN(sizeof(uint32_t));
			*(uint32_t *)CMSG_DATA(c) = op;
			c = CMSG_NXTHDR(&msg, c);
			c->cmsg_level = SOL_ALG;
			c->cmsg_type = ALG_SET_IV;
			c->cmsg_len = CMSG_LEN(sizeof(*aiv) + IV_LEN);
			aiv = (struct af_alg_iv *)CMSG_DATA(c);
			aiv->ivlen = IV_LEN;
			memcpy(aiv->iv, iv, IV_LEN);
		}
		if (sendmsg(fd, &msg, p + 1 < pieces ? MSG_MORE : 0) != (ssize_t)iov.iov_len)
			goto err;
	}
	for (done = 0; done < len; done += n) {
		n = read(fd, out + done, len - done);
		if (n <= 0)
			goto err;
	}
	close(fd);
	return 0;
err:
	close(fd);
	return -1;
}

int main(int argc, char **argv)
{
	static const char * const dirs[] = { "encrypt", "decrypt" };
	uint8_t key[16], iv[IV_LEN], in[MAX_LEN], want[MAX_LEN], out[MAX_LEN];
	const struct pc5_eea_testvec *vecs;
	unsigned int n, i, d, pieces, fails = 0, checks = 0;
	size_t len;
	int tfm;

	if (argc != 2)
		usage(2);
	if (!strcmp(argv[1], "eea1")) {
		vecs = pc5_eea1_testvecs;
		n = sizeof(pc5_eea1_testvecs) / sizeof(vecs[0]);
	} else if (!strcmp(argv[1], "eea3")) {
		vecs = pc5_eea3_testvecs;
		n = sizeof(pc5_eea3_testvecs) / sizeof(vecs[0]);
	} else {
		usage(2);
	}

	tfm = alg_socket(argv[1]);
	if (tfm < 0) {
		printf("not ok: AF_ALG skcipher %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (setsockopt(tfm, SOL_ALG, ALG_SET_KEY, key, 15) == 0 || errno != EINVAL) {
		printf("not ok: a 15-octet key was not refused with EINVAL\n");
		fails++;
	} else {
		printf("ok: a 15-octet key is refused\n");
	}
	checks++;

	for (i = 0; i < n; i++) {
		const struct pc5_eea_testvec *v = &vecs[i];

		len = (v->bits + 7) / 8;
		if (unhex(v->key, key, sizeof(key)) != sizeof(key) ||
		    setsockopt(tfm, SOL_ALG, ALG_SET_KEY, key, sizeof(key))) {
			printf("not ok: set %u: key\n", i + 1);
			fails++;
			continue;
		}
		memset(iv, 0, sizeof(iv));
		iv[0] = v->count >> 24;
		iv[1] = v->count >> 16;
		iv[2] = v->count >> 8;
		iv[3] = v->count;
		iv[4] = v->bearer << 3 | v->dir << 2;
		for (d = 0; d < 2; d++) {
			unhex(d ? v->ciphertext : v->plaintext, in, len);
			unhex(d ? v->plaintext : v->ciphertext, want, len);
			for (pieces = 1; pieces <= 3; pieces += 2) {
				checks++;
				if (alg_crypt(tfm, d ? ALG_OP_DECRYPT : ALG_OP_ENCRYPT, iv, in, out, len,
					  pieces)) {
					printf("not ok: set %u %s: %s\n", i + 1, dirs[d],
					       strerror(errno));
					fails++;
					continue;
				}
				if (v->bits % 8) {
					out[len - 1] &= 0xff << (8 - v->bits % 8);
					want[len - 1] &= 0xff << (8 - v->bits % 8);
				}
				if (memcmp(out, want, len)) {
					printf("not ok: set %u %s in %u piece(s): wrong output\n",
					       i + 1, dirs[d], pieces);
					fails++;
				} else {
					printf("ok: set %u (%u bits) %s in %u piece(s)\n", i + 1,
					       v->bits, dirs[d], pieces);
				}
			}
		}
	}
	close(tfm);
	printf("%s: %u of %u checks passed\n", argv[1], checks - fails, checks);
	return fails ? 1 : 0;
}
