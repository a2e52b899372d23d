// SPDX-License-Identifier: GPL-2.0
/*
 * A compact JSON writer.
 */

#include <inttypes.h>

#include "json.h"

/* Length of the valid UTF-8 sequence at s, 0 if invalid */
static int utf8_len(const unsigned char *s)
{
	int n, i;
	uint32_t c;

	if (*s < 0x80)
		return 1;
	if (*s >= 0xc2 && *s <= 0xdf)
		n = 2, c = *s & 0x1f;
	else if (*s >= 0xe0 && *s <= 0xef)
		n = 3, c = *s & 0x0f;
	else if (*s >= 0xf0 && *s <= 0xf4)
		n = 4, c = *s & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	return n;
}

void json_quote(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	int n;

	fputc('"', f);
	for (; *s; s += n ? n : 1) {
		n = utf8_len(s);
		if (!n)
			fputs("\\ufffd", f);
		else if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else if (*s == '\t')
			fputs("\\t", f);
		else if (*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fwrite(s, 1, n, f);
	}
	fputc('"', f);
}

void json_init(struct json *j, FILE *f)
{
	j->f = f;
	j->depth = 0;
	j->more[0] = false;
}

/* The comma and key before a value */
static void member(struct json *j, const char *key)
{
	if (j->more[j->depth])
		fputc(',', j->f);
	j->more[j->depth] = true;
	if (key) {
		json_quote(j->f, key);
		fputc(':', j->f);
	}
}

static void begin(struct json *j, const char *key, char c)
{
	member(j, key);
	fputc(c, j->f);
	if (j->depth + 1 < JSON_MAX_DEPTH)
		j->more[++j->depth] = false;
}

static void finish(struct json *j, char c)
{
	fputc(c, j->f);
	if (j->depth)
		j->depth--;
	if (!j->depth) {
		fputc('\n', j->f);
		j->more[0] = false;	/* the next value is a new document */
	}
}

void json_obj(struct json *j, const char *key)
{
	begin(j, key, '{');
}

void json_arr(struct json *j, const char *key)
{
	begin(j, key, '[');
}

void json_end_obj(struct json *j)
{
	finish(j, '}');
}

void json_end_arr(struct json *j)
{
	finish(j, ']');
}

void json_str(struct json *j, const char *key, const char *s)
{
	member(j, key);
	if (s)
		json_quote(j->f, s);
	else
		fputs("null", j->f);
}

void json_u64(struct json *j, const char *key, uint64_t v)
{
	member(j, key);
	fprintf(j->f, "%" PRIu64, v);
}

void json_s64(struct json *j, const char *key, int64_t v)
{
	member(j, key);
	fprintf(j->f, "%" PRId64, v);
}

void json_null(struct json *j, const char *key)
{
	json_str(j, key, NULL);
}
