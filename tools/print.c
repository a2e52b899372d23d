// SPDX-License-Identifier: GPL-2.0
/*
 * The one printer. Each field is written as its entry in the model's
 * tables says, as text or as JSON (json-c); statistics are written by
 * name, "stat_N" for one this tool does not know.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <net/if.h>
#include <sys/socket.h>
#include <json-c/json.h>
#include <linux/pc5sec.h>

#include "names.h"
#include "pc5sec.h"
#include "print.h"

#define NAME_LEN 24

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

/* A JSON string; json-c passes bytes through, so invalid UTF-8 becomes U+FFFD */
static json_object *json_str(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	char *buf = malloc(3 * strlen(str) + 1), *p = buf;
	json_object *o;
	int n;

	if (!buf)
		return NULL;
	for (; *s; s += n ? n : 1) {
		n = utf8_len(s);
		if (n) {
			memcpy(p, s, n);
			p += n;
		} else {
			memcpy(p, "\xef\xbf\xbd", 3);
			p += 3;
		}
	}
	*p = '\0';
	o = json_object_new_string(buf);
	free(buf);
	return o;
}

static const char *enum_str(const struct field *f, unsigned int v,
			    char buf[NAME_LEN])
{
	if (f->name(v))
		return f->name(v);
	snprintf(buf, NAME_LEN, "unknown-%u", v);
	return buf;
}

static const struct pc5_addr *field_addr(const struct field *f,
					 const void *base)
{
	return (const struct pc5_addr *)((const char *)base + f->off);
}

static const char *family_str(const struct pc5_addr *a)
{
	return a->family == AF_INET ? "ipv4" : "ipv6";
}

/* A statistic's name, "stat_N" if unknown, NULL for no statistic */
static const char *stat_str(const struct stats *s, unsigned int i,
			    char buf[NAME_LEN])
{
	if (i < PC5SEC_STAT_TX_PACKETS || i >= STAT_SLOTS)
		return NULL;
	if (stat_name(i))
		return stat_name(i);
	if (!(s->present & (1ull << i)))
		return NULL;
	snprintf(buf, NAME_LEN, "stat_%u", i);
	return buf;
}

static const char *field_str(const struct field *f, const void *base)
{
	return (const char *)base + f->off;
}

char *hex_str(const uint8_t *p, size_t len, char *buf)
{
	size_t i;

	for (i = 0; i < len; i++)
		sprintf(buf + 2 * i, "%02x", p[i]);
	buf[2 * len] = '\0';
	return buf;
}

/* FMT_BYTES as lowercase hex in buf, of 2 * f->size + 1 */
static char *field_hex(const struct field *f, const void *base, char *buf)
{
	return hex_str((const uint8_t *)base + f->off, f->size, buf);
}

/* Room for any field's text: an address, a name, a date, a check value */
#define VALUE_LEN 64
_Static_assert(ADDR_STRLEN <= VALUE_LEN && NAME_LEN <= VALUE_LEN &&
	       2 * PC5SEC_KEY_CHECK_LEN < VALUE_LEN, "VALUE_LEN");

static const char *text_time(int64_t t, char buf[VALUE_LEN])
{
	time_t tt = t;
	struct tm tm;

	if (tt == t && gmtime_r(&tt, &tm) &&
	    strftime(buf, VALUE_LEN, "%Y-%m-%d %H:%M:%S UTC", &tm))
		return buf;
	snprintf(buf, VALUE_LEN, "@%" PRId64, t);
	return buf;
}

/* The field as text writes it; with secs, a time as UNIX seconds */
static const char *text_value(const struct field *f, const void *base,
			      bool secs, char buf[VALUE_LEN])
{
	uint64_t v;

	if (f->fmt == FMT_ADDR)
		return addr_str(field_addr(f, base), buf);
	if (f->fmt == FMT_FAMILY)
		return family_str(field_addr(f, base));
	if (f->fmt == FMT_STR)
		return field_str(f, base);
	if (f->fmt == FMT_BYTES)
		return f->size <= PC5SEC_KEY_CHECK_LEN ? field_hex(f, base, buf) : "";
	v = field_get(f, base);
	switch (f->fmt) {
	case FMT_HEX6:
		snprintf(buf, VALUE_LEN, "0x%06" PRIx64, v);
		break;
	case FMT_HEX8:
		snprintf(buf, VALUE_LEN, "0x%08" PRIx64, v);
		break;
	case FMT_TIME:
		if (!secs)
			return text_time((int64_t)v, buf);
		snprintf(buf, VALUE_LEN, "%" PRId64, (int64_t)v);
		break;
	case FMT_ENUM:
		return enum_str(f, v, buf);
	case FMT_DEV:
		if (!if_indextoname(v, buf))
			snprintf(buf, VALUE_LEN, "%" PRIu64, v);
		break;
	default:
		snprintf(buf, VALUE_LEN, "%" PRIu64, v);
	}
	return buf;
}

/*
 * The fields of base that have a text name, "name value" after a blank;
 * with indent, a field marked line (present or not) starts a new line.
 */
static void text_fields(const struct table *t, const void *base, uint32_t has,
			const char *indent)
{
	const struct field *f;
	char buf[VALUE_LEN];
	bool brk = false;

	for (f = t->fields; f < t->fields + t->n; f++) {
		brk |= f->line && indent;
		if (!f->text || !field_has(f, base, has))
			continue;
		if (brk)
			printf("\n%s", indent);
		else
			putchar(' ');
		brk = false;
		if (*f->text)
			printf("%s ", f->text);
		fputs(text_value(f, base, false, buf), stdout);
	}
}

static void text_stats(const struct stats *s, const char *indent,
		       const char *title)
{
	char buf[NAME_LEN], name[NAME_LEN], *c;
	unsigned int i;

	printf("%s%s\n", indent, title);
	for (i = 0; i < STAT_SLOTS; i++) {
		if (!stat_str(s, i, buf))
			continue;
		snprintf(name, sizeof(name), "%s", stat_str(s, i, buf));
		for (c = name; *c; c++)
			if (*c == '_')
				*c = '-';
		printf("%s  %s: %" PRIu64 "\n", indent, name, s->val[i]);
	}
}

/* NULL, to be left out, for an interface without a name here */
static json_object *json_value(const struct field *f, const void *base)
{
	char buf[ADDR_STRLEN > NAME_LEN ? ADDR_STRLEN : NAME_LEN];
	char hex[2 * PC5SEC_KEY_CHECK_LEN + 1];
	uint64_t v;

	if (f->fmt == FMT_ADDR)
		return json_str(addr_str(field_addr(f, base), buf));
	if (f->fmt == FMT_FAMILY)
		return json_str(family_str(field_addr(f, base)));
	if (f->fmt == FMT_STR)
		return json_str(field_str(f, base));
	if (f->fmt == FMT_BYTES)
		return f->size <= PC5SEC_KEY_CHECK_LEN ? json_str(field_hex(f, base, hex)) : NULL;
	v = field_get(f, base);
	switch (f->fmt) {
	case FMT_TIME:
		return json_object_new_int64((int64_t)v);
	case FMT_ENUM:
		return json_str(enum_str(f, v, buf));
	case FMT_DEV:
		return if_indextoname(v, buf) ? json_str(buf) : NULL;
	default:
		return json_object_new_uint64(v);
	}
}

static void json_fields(json_object *o, const struct table *t,
			const void *base, uint32_t has)
{
	const struct field *f;
	json_object *v;

	for (f = t->fields; f < t->fields + t->n; f++) {
		if (!f->json || !field_has(f, base, has))
			continue;
		v = json_value(f, base);
		if (v)
			json_object_object_add(o, f->json, v);
	}
}

static void json_stats(json_object *o, const struct stats *s)
{
	json_object *st = json_object_new_object();
	char buf[NAME_LEN];
	unsigned int i;

	for (i = 0; i < STAT_SLOTS; i++)
		if (stat_str(s, i, buf))
			json_object_object_add(st, stat_str(s, i, buf),
					       json_object_new_uint64(s->val[i]));
	json_object_object_add(o, "stats", st);
}

static void json_print(json_object *o)
{
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
					    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

static json_object *json_group(const struct group_info *g, bool stats)
{
	json_object *o = json_object_new_object(), *keys, *k;
	size_t i;

	json_fields(o, &group_table, g, g->has);
	if (stats)
		json_stats(o, &g->stats);
	keys = json_object_new_array();
	for (i = 0; i < g->nkeys; i++) {
		k = json_object_new_object();
		json_fields(k, &key_table, &g->keys[i], g->keys[i].has);
		if (stats)
			json_stats(k, &g->keys[i].stats);
		json_object_array_add(keys, k);
	}
	json_object_object_add(o, "keys", keys);
	return o;
}

static void text_group(const struct group_info *g, bool stats)
{
	const struct key_info *k;

	fputs("group", stdout);
	text_fields(&group_table, g, g->has, "  ");
	putchar('\n');
	if (stats)
		text_stats(&g->stats, "  ", "stats:");
	for (k = g->keys; k < g->keys + g->nkeys; k++) {
		fputs("  key", stdout);
		text_fields(&key_table, k, k->has, "    ");
		putchar('\n');
		if (stats)
			text_stats(&k->stats, "    ", "stats:");
	}
}

void print_groups(const struct group_list *l, const struct stats *ns,
		  bool json)
{
	json_object *o, *groups;
	size_t i;

	if (!json) {
		for (i = 0; i < l->n; i++) {
			if (i)
				putchar('\n');
			text_group(&l->groups[i], ns);
		}
		if (ns && l->n)
			putchar('\n');
		if (ns)
			text_stats(ns, "", "namespace stats:");
		return;
	}
	o = json_object_new_object();
	groups = json_object_new_array();
	for (i = 0; i < l->n; i++)
		json_object_array_add(groups, json_group(&l->groups[i], ns));
	json_object_object_add(o, "groups", groups);
	if (ns)
		json_stats(o, ns);
	json_print(o);
}

static json_object *json_event(const char *event, const struct group_info *g)
{
	const struct key_info *k = g->nkeys ? g->keys : NULL;
	json_object *o = json_object_new_object();

	json_object_object_add(o, "event", json_str(event));
	json_fields(o, &group_table, g, g->has);
	if (k)
		json_fields(o, &key_table, k, k->has);
	return o;
}

void print_event(const char *event, const struct group_info *g, bool json)
{
	const struct key_info *k = g->nkeys ? g->keys : NULL;

	if (!json) {
		fputs(event, stdout);
		text_fields(&group_table, g, g->has, NULL);
		if (k)
			text_fields(&key_table, k, k->has, NULL);
		putchar('\n');
	} else {
		json_print(json_event(event, g));
	}
	fflush(stdout);
}

char *event_json(const char *event, const struct group_info *g)
{
	json_object *o = json_event(event, g);
	const char *line;
	char *s;

	line = o ? json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						  JSON_C_TO_STRING_NOSLASHESCAPE) : NULL;
	s = line ? strdup(line) : NULL;
	json_object_put(o);
	if (!s)
		errno = ENOMEM;
	return s;
}

/* PC5SEC_ and the field's text name, upper case, '-' as '_'; "" is GROUP */
static void env_name(const struct field *f, char buf[NAME_LEN + 8])
{
	char *c;

	snprintf(buf, NAME_LEN + 8, "PC5SEC_%s", *f->text ? f->text : "group");
	for (c = buf; *c; c++)
		*c = *c == '-' ? '_' : (*c >= 'a' && *c <= 'z') ? *c - 'a' + 'A' : *c;
}

static void env_fields(const struct table *t, const void *base, uint32_t has)
{
	char name[NAME_LEN + 8], buf[VALUE_LEN];
	const struct field *f;

	for (f = t->fields; f < t->fields + t->n; f++) {
		if (!f->text)
			continue;
		env_name(f, name);
		if (field_has(f, base, has))
			setenv(name, text_value(f, base, true, buf), 1);
		else
			unsetenv(name);
	}
}

void event_setenv(const char *event, const struct group_info *g)
{
	static const struct key_info none;

	setenv("PC5SEC_EVENT", event, 1);
	env_fields(&group_table, g, g->has);
	/* A group's fields and a key's do not share a name */
	env_fields(&key_table, g->nkeys ? g->keys : &none,
		   g->nkeys ? g->keys->has : 0);
}
