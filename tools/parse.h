/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Command-line values: numbers, times, suites, "keyword value" options
 * and key files. Every parser prints why it fails and returns -1.
 */
#ifndef PC5SEC_PARSE_H
#define PC5SEC_PARSE_H

#include <stddef.h>
#include <stdint.h>
#include <linux/pc5sec.h>

/* Decimal or 0x-hex, 0..max; name is the option, for the message */
int parse_num(const char *s, const char *name, uint64_t max, uint64_t *out);

/* "90", "90s", "30m", "12h", "7d" from now, or "@UNIXTIME" */
int parse_time(const char *s, const char *name, int64_t *out);

enum opt_kind {
	OPT_NUM,	/* .num, 0..max */
	OPT_TIME,	/* .time, absolute seconds */
	OPT_SUITE,	/* .num, enum pc5sec_suite */
	OPT_PLAINTEXT,	/* .num, enum pc5sec_plaintext_policy */
	OPT_IFNAME,	/* .num, an interface index */
	OPT_STR,	/* .str */
};

struct opt {
	const char *name;
	enum opt_kind kind;
	uint64_t max;
	unsigned int attr;	/* the model field it fills; 0: none */
};

union optval {
	uint64_t num;
	int64_t time;
	const char *str;
};

/*
 * Parses "keyword value" pairs into val[] (indexed like opts[]) and sets
 * BIT(i) in *given for each option given. cmd names the command.
 */
int parse_opts(const char *cmd, int argc, char *argv[],
	       const struct opt *opts, unsigned int nopts,
	       union optval *val, unsigned int *given);

/* 2 * len hex digits into len octets at out; -1 (quietly) at a non-digit */
int parse_hex(const char *hex, uint8_t *out, size_t len);

/*
 * Reads a PGK from a file, or stdin for "-": exactly 64 hex digits,
 * whitespace anywhere. Wipes what it read, whatever the outcome.
 */
int read_key_file(const char *path, uint8_t key[PC5SEC_PGK_LEN]);

#endif
