// SPDX-License-Identifier: GPL-2.0
/*
 * pc5sec genkey: a random 256-bit PGK as 64 hex digits. The key goes
 * straight to write(2), not through stdio, so that no copy is left behind.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <linux/pc5sec.h>

#include "pc5sec.h"

static int get_random(unsigned char *buf, size_t len)
{
	ssize_t ret;
	size_t done = 0;

	while (done < len) {
		ret = getrandom(buf + done, len - done, 0);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0)
			return -1;
		done += ret;
	}
	return 0;
}

static int write_all(int fd, const char *buf, size_t len)
{
	ssize_t ret;

	while (len) {
		ret = write(fd, buf, len);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0)
			return -1;
		buf += ret;
		len -= ret;
	}
	return 0;
}

int cmd_genkey(int argc, char *argv[])
{
	static const char hexdigits[] = "0123456789abcdef";
	unsigned char key[PC5SEC_PGK_LEN];
	char hex[2 * PC5SEC_PGK_LEN + 1];
	struct stat st;
	size_t i;
	int ret;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "Usage: %s genkey\n", PROG_NAME);
		return 1;
	}
	if (!fstat(STDOUT_FILENO, &st) && S_ISREG(st.st_mode) &&
	    (st.st_mode & S_IRWXO))
		fputs("Warning: writing to a world accessible file. Consider setting the umask to 077 and trying again.\n",
		      stderr);
	ret = get_random(key, sizeof(key));
	if (!ret) {
		for (i = 0; i < sizeof(key); i++) {
			hex[2 * i] = hexdigits[key[i] >> 4];
			hex[2 * i + 1] = hexdigits[key[i] & 0xf];
		}
		hex[sizeof(hex) - 1] = '\n';
		ret = write_all(STDOUT_FILENO, hex, sizeof(hex));
	}
	if (ret)
		fprintf(stderr, "%s: genkey: %s\n", PROG_NAME, strerror(errno));
	explicit_bzero(key, sizeof(key));
	explicit_bzero(hex, sizeof(hex));
	return ret ? 1 : 0;
}
