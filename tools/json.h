/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A compact JSON writer. key is NULL for array elements and the top level.
 */
#ifndef PC5SEC_JSON_H
#define PC5SEC_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 8

struct json {
	FILE *f;
	unsigned int depth;
	bool more[JSON_MAX_DEPTH];	/* a member was written at this depth */
};

void json_init(struct json *j, FILE *f);
void json_obj(struct json *j, const char *key);
void json_arr(struct json *j, const char *key);
void json_end_obj(struct json *j);
void json_end_arr(struct json *j);
void json_str(struct json *j, const char *key, const char *s); /* NULL: null */
void json_u64(struct json *j, const char *key, uint64_t v);
void json_s64(struct json *j, const char *key, int64_t v);
void json_null(struct json *j, const char *key);

/* A string, escaped and quoted; invalid UTF-8 becomes U+FFFD */
void json_quote(FILE *f, const char *s);

#endif
