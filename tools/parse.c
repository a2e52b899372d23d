// SPDX-License-Identifier: GPL-2.0
/*
 * Command-line values: numbers, times, suites, "keyword value" options
 * and key files.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>

#include "names.h"
#include "parse.h"
#include "pc5sec.h"

#define KEY_HEX_LEN (2 * PC5SEC_PGK_LEN)

static int digit(char c, unsigned int base)
{
	int d = -1;

	if (c >= '0' && c <= '9')
		d = c - '0';
	else if (c >= 'a' && c <= 'f')
		d = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		d = c - 'A' + 10;
	return d < (int)base ? d : -1;
}

/* Consumes at least one digit, up to max; *p is left after them */
static int parse_digits(const char **p, unsigned int base, uint64_t max,
			uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;
	int d;

	for (; (d = digit(*s, base)) >= 0; s++) {
		if ((uint64_t)d > max || v > (max - d) / base)
			return -1;
		v = v * base + d;
	}
	if (s == *p)
		return -1;
	*p = s;
	*out = v;
	return 0;
}

int parse_num(const char *s, const char *name, uint64_t max, uint64_t *out)
{
	const char *p = s;
	unsigned int base = 10;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	if (!parse_digits(&p, base, max, out) && !*p)
		return 0;
	if (max >= 0xffffff)
		fprintf(stderr, "%s: %s must be a number in 0..0x%llx (decimal or 0x-hex), not '%s'\n",
			PROG_NAME, name, (unsigned long long)max, s);
	else
		fprintf(stderr, "%s: %s must be a number in 0..%llu (decimal or 0x-hex), not '%s'\n",
			PROG_NAME, name, (unsigned long long)max, s);
	return -1;
}

static int64_t unit_seconds(char unit)
{
	switch (unit) {
	case '\0':
	case 's':
		return 1;
	case 'm':
		return 60;
	case 'h':
		return 3600;
	case 'd':
		return 86400;
	}
	return 0;
}

int parse_time(const char *s, const char *name, int64_t *out)
{
	int64_t now = time(NULL), unit = 0;
	const char *p = s + (*s == '@');
	uint64_t v = 0;

	if (!parse_digits(&p, 10, INT64_MAX, &v) && *s == '@' && !*p) {
		*out = v;
		return 0;
	}
	if (*s != '@' && p != s && (!*p || !p[1]))
		unit = unit_seconds(*p);
	if (unit && v <= (uint64_t)(INT64_MAX - now) / unit) {
		*out = now + (int64_t)v * unit;
		return 0;
	}
	fprintf(stderr, "%s: %s must be seconds from now with an optional unit s, m, h or d (90, 30m, 7d) or @UNIXTIME, not '%s'\n",
		PROG_NAME, name, s);
	return -1;
}

static int parse_value(const struct opt *o, const char *s, union optval *v)
{
	int n;

	switch (o->kind) {
	case OPT_NUM:
		return parse_num(s, o->name, o->max, &v->num);
	case OPT_TIME:
		return parse_time(s, o->name, &v->time);
	case OPT_SUITE:
		n = suite_from_name(s);
		if (n < 0)
			fprintf(stderr, "%s: unknown suite '%s' (eea0, eea1, eea2, eea3 or aes-gcm-128)\n",
				PROG_NAME, s);
		break;
	case OPT_PLAINTEXT:
		n = plaintext_from_name(s);
		if (n < 0)
			fprintf(stderr, "%s: plaintext must be drop or accept, not '%s'\n",
				PROG_NAME, s);
		break;
	case OPT_IFNAME:
		n = if_nametoindex(s);
		if (!n) {
			fprintf(stderr, "%s: dev %s: %s\n", PROG_NAME, s,
				errno == ENODEV ? "no such interface" : strerror(errno));
			n = -1;
		}
		break;
	default:
		v->str = s;
		return 0;
	}
	v->num = n;
	return n < 0 ? -1 : 0;
}

int parse_opts(const char *cmd, int argc, char *argv[],
	       const struct opt *opts, unsigned int nopts,
	       union optval *val, unsigned int *given)
{
	unsigned int i;
	int a;

	*given = 0;
	for (a = 0; a < argc; a += 2) {
		for (i = 0; i < nopts && strcmp(argv[a], opts[i].name); i++)
			;
		if (i == nopts) {
			fprintf(stderr, "%s: %s: unknown option '%s' (see '%s %s --help')\n",
				PROG_NAME, cmd, argv[a], PROG_NAME, cmd);
			return -1;
		}
		if (a + 1 == argc) {
			fprintf(stderr, "%s: %s: %s needs a value\n",
				PROG_NAME, cmd, opts[i].name);
			return -1;
		}
		if (*given & BIT(i)) {
			fprintf(stderr, "%s: %s: %s given twice\n",
				PROG_NAME, cmd, opts[i].name);
			return -1;
		}
		if (parse_value(&opts[i], argv[a + 1], &val[i]))
			return -1;
		*given |= BIT(i);
	}
	return 0;
}

/* Collects hex digits from buf into hex; -1 on anything but whitespace */
static int take_hex(const char *buf, size_t len, char *hex, size_t *n)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (buf[i] && strchr(" \t\n\r\v\f", buf[i]))
			continue;
		if (digit(buf[i], 16) < 0 || *n == KEY_HEX_LEN)
			return -1;
		hex[(*n)++] = buf[i];
	}
	return 0;
}

static int read_hex(int fd, char hex[KEY_HEX_LEN], size_t *n)
{
	char buf[256];
	ssize_t len;
	int ret = 0;

	while (!ret && (len = read(fd, buf, sizeof(buf)))) {
		if (len < 0 && errno == EINTR)
			continue;
		if (len < 0)
			ret = -errno;
		else if (take_hex(buf, len, hex, n))
			ret = 1;
	}
	explicit_bzero(buf, sizeof(buf));
	return ret;
}

int parse_hex(const char *hex, uint8_t *out, size_t len)
{
	int hi, lo;
	size_t i;

	for (i = 0; i < len; i++) {
		hi = digit(hex[2 * i], 16);
		lo = hi < 0 ? -1 : digit(hex[2 * i + 1], 16);
		if (lo < 0)
			return -1;
		out[i] = hi << 4 | lo;
	}
	return 0;
}

int read_key_file(const char *path, uint8_t key[PC5SEC_PGK_LEN])
{
	bool std_in = !strcmp(path, "-");
	char hex[KEY_HEX_LEN];
	size_t n = 0;
	int fd, ret;

	fd = std_in ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "%s: key file %s: %s\n", PROG_NAME, path,
			strerror(errno));
		return -1;
	}
	ret = read_hex(fd, hex, &n);
	if (!std_in)
		close(fd);
	if (ret < 0)
		fprintf(stderr, "%s: key file %s: %s\n", PROG_NAME,
			std_in ? "(stdin)" : path, strerror(-ret));
	else if (ret || n != KEY_HEX_LEN)
		fprintf(stderr, "%s: key file must hold exactly 64 hex digits (a 256-bit PGK)\n",
			PROG_NAME);
	else
		parse_hex(hex, key, PC5SEC_PGK_LEN);
	explicit_bzero(hex, sizeof(hex));
	return ret || n != KEY_HEX_LEN ? -1 : 0;
}
