// SPDX-License-Identifier: GPL-2.0
/*
 * pc5sec apply and show --config: a network namespace's groups and keys as
 * one JSON document (format in pc5sec(8), CONFIGURATION).
 *
 * apply reads and checks the whole document, compares it with a dump of
 * the kernel's state and makes a plan. The steps that can be undone run
 * first: new groups with their keys, group settings, new keys. If the
 * kernel refuses one of them, those already made are undone in reverse.
 * Removals and replacements run last: a removed key cannot be put back,
 * since no PGK is ever read back from the kernel.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <json-c/json.h>
#include <linux/pc5sec.h>

#include "addr.h"
#include "check.h"
#include "config.h"
#include "ipc.h"
#include "model.h"
#include "names.h"
#include "parse.h"
#include "pc5sec.h"
#include "print.h"
#include "state.h"

#define WHERE_LEN 128
#define TIME_MAX (INT64_MAX - 1)	/* INT64_MAX: "never" to the kernel */
#define GROUPS_MAX 16384		/* the kernel's limit per namespace */
#define CONFIG_MAX (16 << 20)
#define CONFIG_MAX_TEXT "16 MiB"

struct want_key {
	struct key_info k;		/* pgk_id, suite, times, keyring */
	char *file;			/* key_file as given; or NULL */
	char *abs;			/* key_file, absolute, once loaded */
	uint8_t pgk[PC5SEC_PGK_LEN];	/* read from file, once loaded */
	bool has_check;			/* check: the document's or the file's */
	bool doc_check;			/* the document gave check */
	uint8_t check[PC5SEC_KEY_CHECK_LEN];
	char where[WHERE_LEN];
};

struct want_group {
	struct group_info g;		/* every field set: defaults filled */
	struct want_key *keys;
	size_t nkeys;
	char where[WHERE_LEN];
};

struct doc {
	struct want_group *groups;
	size_t n;
};

enum op {
	ADD_GROUP, SET_GROUP, ADD_KEY,		/* can be undone */
	REPLACE_KEY, REPLACE_GROUP, DEL_KEY, DEL_GROUP,
	KEEP_GROUP, KEEP_KEY, EXPIRED_KEY,	/* listed by --dry-run */
};

static const char *const op_verb[] = {
	[ADD_GROUP] = "add", [SET_GROUP] = "change", [ADD_KEY] = "add",
	[REPLACE_KEY] = "replace", [REPLACE_GROUP] = "replace",
	[DEL_KEY] = "remove", [DEL_GROUP] = "remove",
	[KEEP_GROUP] = "unchanged", [KEEP_KEY] = "unchanged",
	[EXPIRED_KEY] = "skip",
};

struct step {
	enum op op;
	struct want_group *wg;		/* NULL: DEL_GROUP */
	struct want_key *wk;		/* key steps but DEL_KEY */
	const struct group_info *cur;	/* what the kernel has */
	const struct key_info *ck;
	char why[96];			/* SET, REPLACE: what differs */
};

struct plan {
	struct step *steps;
	size_t n, changes;
	bool replace, conflicts, oom;
};

static int bad(const char *where, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: apply: %s: ", PROG_NAME, where);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

/* The document */

static int get_int(json_object *v, const char *where, const char *name,
		   int64_t min, int64_t max, int64_t *out)
{
	if (!json_object_is_type(v, json_type_int))
		return bad(where, "%s must be an integer", name);
	errno = 0;
	*out = json_object_get_int64(v);
	if (errno || *out < min || *out > max)
		return bad(where, "%s must be %lld to %lld", name,
			   (long long)min, (long long)max);
	return 0;
}

static const char *get_str(json_object *v, const char *where,
			   const char *name)
{
	if (!json_object_is_type(v, json_type_string) ||
	    !json_object_get_string_len(v) ||
	    (size_t)json_object_get_string_len(v) != strlen(json_object_get_string(v))) {
		bad(where, "%s must be a non-empty string without NUL", name);
		return NULL;
	}
	return json_object_get_string(v);
}

static int get_hex(json_object *v, const char *where, const char *name,
		   uint8_t *out, size_t len)
{
	const char *s = get_str(v, where, name);

	if (!s)
		return -1;
	if (strlen(s) != 2 * len || parse_hex(s, out, len))
		return bad(where, "%s must be %zu hex digits", name, 2 * len);
	return 0;
}

static int key_time(struct want_key *wk, json_object *v, const char *name,
		    unsigned int attr)
{
	int64_t t;

	if (get_int(v, wk->where, name, 0, TIME_MAX, &t))
		return -1;
	field_set(&key_table, &wk->k, &wk->k.has, attr, t);
	return 0;
}

/* A value for a message: not one that looks like a PGK pasted by mistake */
static const char *shown(const char *v)
{
	return strlen(v) >= 32 && strspn(v, "0123456789abcdefABCDEF") == strlen(v) ?
	       "(a value that looks like key material, not shown)" : v;
}

/*
 * Reads key_file: the PGK, and its check value, verified against the
 * document's. Only for a key to be installed or compared: a key file may
 * be gone once its key is in. Without AF_ALG's hmac(sha256) there is no
 * check value: key files are then told apart by their names.
 */
static int load_key_file(struct want_key *wk)
{
	static bool warned;
	uint8_t check[PC5SEC_KEY_CHECK_LEN];
	char abs[PATH_MAX];
	struct stat st;
	int ret;

	if (wk->abs)
		return 0;
	if (!realpath(wk->file, abs) || stat(abs, &st))
		return bad(wk->where, "key_file %s: %s", shown(wk->file), strerror(errno));
	if (!S_ISREG(st.st_mode))
		return bad(wk->where, "key_file %s: not a regular file", abs);
	if (read_key_file(abs, wk->pgk))
		return bad(wk->where, "key_file %s: cannot be used", abs);
	wk->abs = strdup(abs);
	if (!wk->abs)
		return bad(wk->where, "%s", strerror(ENOMEM));
	ret = key_check_value(wk->pgk, check);
	if (ret) {
		if (!warned)
			fprintf(stderr, "%s: apply: no check values here (AF_ALG hmac(sha256): %s): key files are compared by name\n",
				PROG_NAME, strerror(-ret));
		warned = true;
		return 0;
	}
	if (wk->doc_check && memcmp(check, wk->check, sizeof(check)))
		return bad(wk->where, "key_file %s does not hold the PGK of the check value given",
			   abs);
	memcpy(wk->check, check, sizeof(check));
	wk->has_check = true;
	return 0;
}

/* not_before, soft_expires and expires in the order the kernel requires */
static int key_times(const struct want_key *wk)
{
	const struct key_info *k = &wk->k;

	if (!HAS(k, PC5SEC_KEY_A_EXPIRES))
		return 0;
	if (HAS(k, PC5SEC_KEY_A_NOT_BEFORE) && k->not_before >= k->expires)
		return bad(wk->where, "not_before must be before expires");
	if (HAS(k, PC5SEC_KEY_A_SOFT_EXPIRES) && k->soft_expires > k->expires)
		return bad(wk->where, "soft_expires must not be after expires");
	return 0;
}

static int parse_key(json_object *o, struct want_key *wk, const char *gwhere,
		     size_t i)
{
	const char *file = NULL, *ring = NULL;
	json_object *v;
	int64_t n;
	int suite;

	snprintf(wk->where, sizeof(wk->where), "%s.keys[%zu]", gwhere, i);
	if (!json_object_is_type(o, json_type_object))
		return bad(wk->where, "must be an object");
	if (!json_object_object_get_ex(o, "pgk_id", &v))
		return bad(wk->where, "pgk_id is missing");
	if (get_int(v, wk->where, "pgk_id", 0, UINT32_MAX, &n))
		return -1;
	field_set(&key_table, &wk->k, &wk->k.has, PC5SEC_KEY_A_PGK_ID, n);
	snprintf(wk->where, sizeof(wk->where), "%s.keys[%zu] (pgk_id 0x%08llx)",
		 gwhere, i, (unsigned long long)n);
	if (!json_object_object_get_ex(o, "suite", &v))
		return bad(wk->where, "suite is missing");

	json_object_object_foreach(o, name, val) {
		if (!strcmp(name, "pgk_id")) {
			continue;
		} else if (!strcmp(name, "suite")) {
			const char *s = get_str(val, wk->where, name);

			suite = s ? suite_from_name(s) : -1;
			if (s && suite < 0)
				return bad(wk->where, "unknown suite \"%s\" (eea0, eea1, eea2, eea3 or aes-gcm-128)", s);
			if (suite < 0)
				return -1;
			field_set(&key_table, &wk->k, &wk->k.has,
				  PC5SEC_KEY_A_SUITE, suite);
		} else if (!strcmp(name, "not_before")) {
			if (key_time(wk, val, name, PC5SEC_KEY_A_NOT_BEFORE))
				return -1;
		} else if (!strcmp(name, "soft_expires")) {
			if (key_time(wk, val, name, PC5SEC_KEY_A_SOFT_EXPIRES))
				return -1;
		} else if (!strcmp(name, "expires")) {
			if (key_time(wk, val, name, PC5SEC_KEY_A_EXPIRES))
				return -1;
		} else if (!strcmp(name, "key_file")) {
			file = get_str(val, wk->where, name);
			if (!file)
				return -1;
		} else if (!strcmp(name, "key_keyring")) {
			ring = get_str(val, wk->where, name);
			if (!ring)
				return -1;
			if (strlen(ring) > PC5SEC_KEYRING_DESC_MAX)
				return bad(wk->where, "key_keyring is longer than %d octets",
					   PC5SEC_KEYRING_DESC_MAX);
			if (strncmp(ring, "pc5sec:", 7))
				return bad(wk->where, "key_keyring must start with \"pc5sec:\"");
			strcpy(wk->k.keyring, ring);
			wk->k.has |= BIT(PC5SEC_KEY_A_KEYRING);
		} else if (!strcmp(name, "check")) {
			if (get_hex(val, wk->where, name, wk->check,
				    sizeof(wk->check)))
				return -1;
			wk->has_check = wk->doc_check = true;
		} else {
			return bad(wk->where, "unknown member \"%s\"", name);
		}
	}
	if (file && ring)
		return bad(wk->where, "key_file and key_keyring exclude each other");
	if (file) {
		wk->file = strdup(file);
		if (!wk->file)
			return bad(wk->where, "%s", strerror(ENOMEM));
	}
	return key_times(wk);
}

static void group_num(struct want_group *wg, unsigned int attr, uint64_t v)
{
	field_set(&group_table, &wg->g, &wg->g.has, attr, v);
}

/* A group member other than address and keys */
static int group_setting(struct want_group *wg, const char *name,
			json_object *v)
{
	static const struct { const char *name; unsigned int attr; int64_t max; } nums[] = {
		{ "group_id", PC5SEC_A_GROUP_ID, PC5SEC_GROUP_ID_MAX },
		{ "member_id", PC5SEC_A_MEMBER_ID, PC5SEC_MEMBER_ID_MAX },
		{ "bearer", PC5SEC_A_BEARER, PC5SEC_BEARER_MAX },
		{ "replay_window", PC5SEC_A_REPLAY_WINDOW, PC5SEC_REPLAY_WINDOW_MAX },
	};
	const char *s;
	unsigned int ifindex;
	size_t i;
	int64_t n;
	int p;

	for (i = 0; i < ARRAY_SIZE(nums); i++) {
		if (strcmp(name, nums[i].name))
			continue;
		if (get_int(v, wg->where, name, 0, nums[i].max, &n))
			return -1;
		group_num(wg, nums[i].attr, n);
		return 0;
	}
	if (!strcmp(name, "dev")) {
		s = get_str(v, wg->where, name);
		if (!s)
			return -1;
		ifindex = if_nametoindex(s);
		if (!ifindex)
			return bad(wg->where, "dev %s: no such interface", s);
		group_num(wg, PC5SEC_A_IFINDEX, ifindex);
	} else if (!strcmp(name, "plaintext")) {
		s = get_str(v, wg->where, name);
		p = s ? plaintext_from_name(s) : -1;
		if (s && p < 0)
			return bad(wg->where, "plaintext must be \"drop\" or \"accept\"");
		if (p < 0)
			return -1;
		group_num(wg, PC5SEC_A_PLAINTEXT, p);
	} else if (strcmp(name, "keys") && strcmp(name, "address")) {
		return bad(wg->where, "unknown member \"%s\"", name);
	}
	return 0;
}

static int parse_keys(json_object *o, struct want_group *wg)
{
	json_object *keys;
	size_t i, j, n;

	if (!json_object_object_get_ex(o, "keys", &keys))
		return 0;
	if (!json_object_is_type(keys, json_type_array))
		return bad(wg->where, "keys must be an array");
	n = json_object_array_length(keys);
	if (n > PC5SEC_MAX_KEYS)
		return bad(wg->where, "a group holds at most %d keys", PC5SEC_MAX_KEYS);
	wg->keys = calloc(n ? n : 1, sizeof(*wg->keys));
	if (!wg->keys)
		return bad(wg->where, "%s", strerror(ENOMEM));
	for (i = 0; i < n; i++) {
		wg->nkeys++;
		if (parse_key(json_object_array_get_idx(keys, i), &wg->keys[i],
			      wg->where, i))
			return -1;
		for (j = 0; j < i; j++) {
			if (wg->keys[j].k.pgk_id == wg->keys[i].k.pgk_id)
				return bad(wg->keys[i].where, "pgk_id also in keys[%zu]", j);
			if (PC5SEC_PGK_INDEX(wg->keys[j].k.pgk_id) ==
			    PC5SEC_PGK_INDEX(wg->keys[i].k.pgk_id))
				return bad(wg->keys[i].where, "keys[%zu] has the same PGK index (the PGK ID's low octet)",
					   j);
		}
	}
	return 0;
}

static int parse_group(json_object *o, struct want_group *wg, size_t i)
{
	char a[ADDR_STRLEN];
	json_object *v;
	const char *s;

	snprintf(wg->where, sizeof(wg->where), "groups[%zu]", i);
	if (!json_object_is_type(o, json_type_object))
		return bad(wg->where, "must be an object");
	if (!json_object_object_get_ex(o, "address", &v))
		return bad(wg->where, "address is missing");
	s = get_str(v, wg->where, "address");
	if (!s || addr_parse(s, &wg->g.addr))
		return bad(wg->where, "no group address");
	snprintf(wg->where, sizeof(wg->where), "groups[%zu] (%s)", i,
		 addr_str(&wg->g.addr, a));

	/* What the kernel assumes when a request leaves them out */
	group_num(wg, PC5SEC_A_BEARER, 0);
	group_num(wg, PC5SEC_A_REPLAY_WINDOW, PC5SEC_REPLAY_WINDOW_DEFAULT);
	group_num(wg, PC5SEC_A_PLAINTEXT, PC5SEC_PLAINTEXT_DROP);

	json_object_object_foreach(o, name, val)
		if (group_setting(wg, name, val))
			return -1;
	if (!HAS(&wg->g, PC5SEC_A_GROUP_ID) || !HAS(&wg->g, PC5SEC_A_MEMBER_ID))
		return bad(wg->where, "group_id and member_id are required");
	return parse_keys(o, wg);
}

static bool same_addr(const struct pc5_addr *a, const struct pc5_addr *b)
{
	return a->family == b->family &&
	       !memcmp(&a->v6, &b->v6, a->family == AF_INET ? 4 : 16);
}

/* The whole document, and nothing after it */
static json_object *read_doc(const char *path)
{
	enum json_tokener_error jerr;
	struct json_tokener *tok;
	json_object *root = NULL;
	size_t len = 0, cap = 0, end;
	char *buf = NULL, *p;
	ssize_t n = 1;
	int fd;

	fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
	if (fd < 0) {
		bad(path, "%s", strerror(errno));
		return NULL;
	}
	while (n > 0 && len < CONFIG_MAX) {
		if (len == cap) {
			cap = cap ? 2 * cap : 65536;
			p = realloc(buf, cap);
			if (!p)
				break;
			buf = p;
		}
		n = read(fd, buf + len, cap - len);
		if (n > 0)
			len += n;
	}
	if (fd != STDIN_FILENO)
		close(fd);
	if (n < 0 || n > 0) {
		bad(path, "%s", n < 0 ? strerror(errno) : len < CONFIG_MAX ?
		    strerror(ENOMEM) : "larger than " CONFIG_MAX_TEXT);
		free(buf);
		return NULL;
	}
	tok = json_tokener_new();
	if (!tok) {
		bad(path, "%s", strerror(ENOMEM));
		free(buf);
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	root = json_tokener_parse_ex(tok, buf ? buf : "", len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (!root && jerr == json_tokener_continue) {
		/* The end of the input ends a number, or the document early */
		root = json_tokener_parse_ex(tok, "", 1);
		jerr = json_tokener_get_error(tok);
	}
	while (root && end < len && strchr(" \t\r\n", buf[end]) && buf[end])
		end++;
	if (!root && jerr == json_tokener_continue)
		bad(path, "the document ends early");
	else if (!root)
		bad(path, "not JSON: %s (at octet %zu)", json_tokener_error_desc(jerr), end);
	else if (end < len)
		bad(path, "something follows the document (at octet %zu)", end);
	if (root && end < len) {
		json_object_put(root);
		root = NULL;
	}
	json_tokener_free(tok);
	free(buf);
	return root;
}

static int parse_doc(json_object *root, struct doc *d)
{
	json_object *groups = NULL, *v;
	size_t i, j, n;
	int64_t ver;

	if (!json_object_is_type(root, json_type_object))
		return bad("document", "must be a JSON object");
	if (!json_object_object_get_ex(root, "version", &v) ||
	    !json_object_is_type(v, json_type_int) ||
	    (ver = json_object_get_int64(v)) != CONFIG_VERSION)
		return bad("document", "needs \"version\": %d (this format)", CONFIG_VERSION);
	json_object_object_foreach(root, name, val) {
		if (!strcmp(name, "groups"))
			groups = val;
		else if (strcmp(name, "version"))
			return bad("document", "unknown member \"%s\"", name);
	}
	if (groups && !json_object_is_type(groups, json_type_array))
		return bad("document", "groups must be an array");
	n = groups ? json_object_array_length(groups) : 0;
	if (n > GROUPS_MAX)
		return bad("document", "a network namespace holds at most %d groups", GROUPS_MAX);
	d->groups = calloc(n ? n : 1, sizeof(*d->groups));
	if (!d->groups)
		return bad("document", "%s", strerror(ENOMEM));
	for (i = 0; i < n; i++) {
		d->n++;
		if (parse_group(json_object_array_get_idx(groups, i),
				&d->groups[i], i))
			return -1;
		for (j = 0; j < i; j++)
			if (same_addr(&d->groups[j].g.addr, &d->groups[i].g.addr))
				return bad(d->groups[i].where, "address also in groups[%zu]", j);
	}
	return 0;
}

static void doc_free(struct doc *d)
{
	size_t i, j;

	for (i = 0; i < d->n; i++) {
		for (j = 0; j < d->groups[i].nkeys; j++) {
			explicit_bzero(d->groups[i].keys[j].pgk, PC5SEC_PGK_LEN);
			free(d->groups[i].keys[j].file);
			free(d->groups[i].keys[j].abs);
		}
		free(d->groups[i].keys);
	}
	free(d->groups);
}

/* The plan */

static void add_step(struct plan *p, enum op op, struct want_group *wg,
		     struct want_key *wk, const struct group_info *cur,
		     const struct key_info *ck, const char *why)
{
	struct step *s;

	if (p->oom)
		return;
	s = realloc(p->steps, (p->n + 1) * sizeof(*s));
	if (!s) {
		p->oom = true;
		return;
	}
	p->steps = s;
	s = &p->steps[p->n++];
	*s = (struct step){ op, wg, wk, cur, ck, "" };
	snprintf(s->why, sizeof(s->why), "%s", why ? why : "");
	p->changes += op < KEEP_GROUP;
}

static void differs(char *why, size_t len, const char *name)
{
	size_t n = strlen(why);

	snprintf(why + n, len - n, "%s%s", n ? ", " : "", name);
}

static bool key_same_time(const struct key_info *want, const struct key_info *cur,
			  unsigned int attr, bool absent_ok)
{
	const struct field *f;

	for (f = key_table.fields; f->attr != attr; f++)
		;
	if (!field_has(f, want, want->has))
		return absent_ok || !field_has(f, cur, cur->has);
	return field_has(f, cur, cur->has) && field_get(f, want) == field_get(f, cur);
}

/* The key file an installed key came from (not NUL-terminated), or NULL */
static const char *key_file_of(const struct key_info *k, size_t *len)
{
	size_t n = strlen(USERDATA_FILE);

	if (!HAS(k, PC5SEC_KEY_A_USERDATA) || k->userdata_len <= n ||
	    memcmp(k->userdata, USERDATA_FILE, n))
		return NULL;
	*len = k->userdata_len - n;
	return (const char *)k->userdata + n;
}

/* Whether the installed key came from the key file path */
static bool same_file(const char *path, const struct key_info *ck)
{
	size_t len;
	const char *file = key_file_of(ck, &len);

	return file && len == strlen(path) && !memcmp(file, path, len);
}

/* What of the installed key ck the document's wk changes; "" if nothing */
static void key_diff(const struct want_key *wk, const struct key_info *ck,
		     char *why, size_t len)
{
	const struct key_info *k = &wk->k;

	if (k->suite != ck->suite)
		differs(why, len, "suite");
	if (!key_same_time(k, ck, PC5SEC_KEY_A_NOT_BEFORE, true))
		differs(why, len, "not_before");
	if (!key_same_time(k, ck, PC5SEC_KEY_A_SOFT_EXPIRES, false))
		differs(why, len, "soft_expires");
	if (!key_same_time(k, ck, PC5SEC_KEY_A_EXPIRES, false))
		differs(why, len, "expires");
	if (HAS(k, PC5SEC_KEY_A_KEYRING) &&
	    (!HAS(ck, PC5SEC_KEY_A_KEYRING) || strcmp(k->keyring, ck->keyring)))
		differs(why, len, "key_keyring");
	if (wk->has_check &&
	    (!HAS(ck, PC5SEC_KEY_A_CHECK) || memcmp(wk->check, ck->check, sizeof(wk->check))))
		differs(why, len, wk->file ? "the PGK in key_file" : "check");
	else if (wk->abs && !wk->has_check && !same_file(wk->abs, ck))
		differs(why, len, "key_file");
}

/* What of the group cur the document's wg changes: immutable first */
static bool group_diff(const struct want_group *wg, const struct group_info *cur,
		       char *why, size_t len)
{
	const struct group_info *g = &wg->g;
	bool replace;

	if (g->group_id != cur->group_id)
		differs(why, len, "group_id");
	if (g->member_id != cur->member_id)
		differs(why, len, "member_id");
	if (HAS(g, PC5SEC_A_IFINDEX) != HAS(cur, PC5SEC_A_IFINDEX) ||
	    (HAS(g, PC5SEC_A_IFINDEX) && g->ifindex != cur->ifindex))
		differs(why, len, "dev");
	if (g->bearer != cur->bearer)
		differs(why, len, "bearer");
	replace = *why;
	if (g->replay_window != cur->replay_window)
		differs(why, len, "replay_window");
	if (g->plaintext != cur->plaintext)
		differs(why, len, "plaintext");
	return replace;
}

static const struct group_info *find_group(const struct group_list *l,
					   const struct pc5_addr *a)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (same_addr(&l->groups[i].addr, a))
			return &l->groups[i];
	return NULL;
}

static const struct key_info *find_key(const struct group_info *g, uint32_t pgk_id)
{
	size_t i;

	for (i = 0; g && i < g->nkeys; i++)
		if (g->keys[i].pgk_id == pgk_id)
			return &g->keys[i];
	return NULL;
}

static bool in_doc_key(const struct want_group *wg, uint32_t pgk_id)
{
	size_t i;

	for (i = 0; i < wg->nkeys; i++)
		if (wg->keys[i].k.pgk_id == pgk_id)
			return true;
	return false;
}

/*
 * A key past its expiry that is not installed is left out: the kernel
 * refuses it, and a document kept on a device outlives its oldest keys.
 */
static bool expired(const struct want_key *wk)
{
	return HAS(&wk->k, PC5SEC_KEY_A_EXPIRES) && wk->k.expires <= time(NULL);
}

/* Adds a key that is not installed, unless it is past its expiry */
static void plan_new_key(struct plan *p, struct want_group *wg,
			 struct want_key *wk, const struct group_info *cur)
{
	if (expired(wk))
		add_step(p, EXPIRED_KEY, wg, wk, cur, NULL, "past its expiry");
	else
		add_step(p, ADD_KEY, wg, wk, cur, NULL, NULL);
}

/* A change apply makes only with --replace */
static void conflict(struct plan *p, const char *where, const char *what,
		     const char *why)
{
	if (p->replace)
		return;
	bad(where, "the document changes the installed %s (%s); --replace removes and reinstalls it",
	    what, why);
	p->conflicts = true;
}

/*
 * The steps for one group in the pass's order: new groups with their keys,
 * settings, new keys, replaced keys, replaced groups, removed keys.
 */
/*
 * Whether the group's new keys must wait for its removals: a new key's PGK
 * index is held by a key the document drops, or the group would hold more
 * keys than the kernel allows. They then run after the point of no return.
 */
static bool adds_late(const struct want_group *wg, const struct group_info *cur)
{
	size_t i, j, kept = 0, added = 0;

	for (i = 0; i < cur->nkeys; i++)
		kept += in_doc_key(wg, cur->keys[i].pgk_id);
	for (i = 0; i < wg->nkeys; i++) {
		if (find_key(cur, wg->keys[i].k.pgk_id) || expired(&wg->keys[i]))
			continue;
		added++;
		for (j = 0; j < cur->nkeys; j++)
			if (cur->keys[j].index == PC5SEC_PGK_INDEX(wg->keys[i].k.pgk_id) &&
			    !in_doc_key(wg, cur->keys[j].pgk_id))
				return true;
	}
	return cur->nkeys + added > PC5SEC_MAX_KEYS && kept + added <= PC5SEC_MAX_KEYS;
}

/* The steps for a key of the document that is installed */
static void plan_key(struct plan *p, struct want_group *wg, struct want_key *wk,
		     const struct group_info *cur, const struct key_info *ck, int pass)
{
	char why[96] = "";

	key_diff(wk, ck, why, sizeof(why));
	if (!*why) {
		if (pass == 1)
			add_step(p, KEEP_KEY, wg, wk, cur, ck, NULL);
	} else if (expired(wk)) {
		/* The kernel would refuse it, and is about to remove it */
		if (pass == 5)
			add_step(p, DEL_KEY, wg, NULL, cur, ck, "past its expiry");
	} else if (pass == 3) {
		conflict(p, wk->where, "key", why);
		add_step(p, REPLACE_KEY, wg, wk, cur, ck, why);
	}
}

/*
 * The steps for one group in the pass's order: new groups with their keys,
 * settings, new keys, replaced keys, replaced groups, removed keys (and
 * the new keys that wait for them).
 */
static void plan_group(struct plan *p, struct want_group *wg,
		       const struct group_info *cur, int pass)
{
	char why[96] = "";
	const struct key_info *ck;
	size_t i;
	bool late;

	if (!cur) {
		if (pass == 0) {
			add_step(p, ADD_GROUP, wg, NULL, NULL, NULL, NULL);
			for (i = 0; i < wg->nkeys; i++)
				plan_new_key(p, wg, &wg->keys[i], NULL);
		}
		return;
	}
	if (group_diff(wg, cur, why, sizeof(why))) {
		if (pass == 4) {
			conflict(p, wg->where, "group", why);
			add_step(p, REPLACE_GROUP, wg, NULL, cur, NULL, why);
		}
		return;
	}
	if (pass == 1)
		add_step(p, *why ? SET_GROUP : KEEP_GROUP, wg, NULL, cur, NULL, why);
	late = adds_late(wg, cur);
	for (i = 0; i < wg->nkeys; i++) {
		ck = find_key(cur, wg->keys[i].k.pgk_id);
		if (ck)
			plan_key(p, wg, &wg->keys[i], cur, ck, pass);
	}
	for (i = 0; pass == 5 && i < cur->nkeys; i++)
		if (!in_doc_key(wg, cur->keys[i].pgk_id))
			add_step(p, DEL_KEY, wg, NULL, cur, &cur->keys[i], NULL);
	for (i = 0; pass == (late ? 5 : 2) && i < wg->nkeys; i++)
		if (!find_key(cur, wg->keys[i].k.pgk_id))
			plan_new_key(p, wg, &wg->keys[i], cur);
}

/* Whether the logon key a step installs is there: the kernel takes it */
static int check_keyring(const struct want_key *wk)
{
	if (syscall(SYS_request_key, "logon", wk->k.keyring, NULL, 0) >= 0)
		return 0;
	return bad(wk->where, "key_keyring %s: %s", wk->k.keyring,
		   errno == ENOKEY ? "no logon key with that description in this process's keyrings" :
		   strerror(errno));
}

/* Each key a step installs has a source, and a keyring key is there */
static int check_sources(const struct plan *p)
{
	const struct step *s;
	struct want_group *wg;
	size_t i, from, to;
	int ret = 0;

	for (s = p->steps; s < p->steps + p->n; s++) {
		wg = s->wg;
		from = to = 0;
		if (s->op == ADD_KEY || s->op == REPLACE_KEY) {
			from = s->wk - wg->keys;
			to = from + 1;
		} else if (s->op == REPLACE_GROUP) {
			to = wg->nkeys;
		}
		for (i = from; i < to; i++) {
			struct want_key *wk = &wg->keys[i];
			bool ring = HAS(&wk->k, PC5SEC_KEY_A_KEYRING);

			if (expired(wk))
				continue;
			if (!wk->file && !ring)
				ret |= bad(wk->where, "%s and has no key_file or key_keyring",
					   s->op == ADD_KEY ? "is not installed" :
					   "must be installed again");
			else if (ring)
				ret |= check_keyring(wk);
			else
				ret |= load_key_file(wk);
		}
	}
	return ret;
}

/* The check values of the installed keys' key files, to compare them */
static int load_installed(struct doc *d, const struct group_list *l)
{
	const struct group_info *cur;
	struct want_key *wk;
	size_t i, j;
	int ret = 0;

	for (i = 0; i < d->n; i++) {
		cur = find_group(l, &d->groups[i].g.addr);
		for (j = 0; cur && j < d->groups[i].nkeys; j++) {
			wk = &d->groups[i].keys[j];
			if (wk->file && !wk->doc_check && find_key(cur, wk->k.pgk_id))
				ret |= load_key_file(wk);
		}
	}
	return ret;
}

static int make_plan(struct plan *p, struct doc *d, const struct group_list *l)
{
	size_t i;
	int pass;

	if (load_installed(d, l))
		return -1;
	for (pass = 0; pass <= 5; pass++)
		for (i = 0; i < d->n; i++)
			plan_group(p, &d->groups[i], find_group(l, &d->groups[i].g.addr), pass);
	for (i = 0; i < l->n; i++) {
		bool kept = false;
		size_t j;

		for (j = 0; j < d->n && !kept; j++)
			kept = same_addr(&d->groups[j].g.addr, &l->groups[i].addr);
		if (!kept)
			add_step(p, DEL_GROUP, NULL, NULL, &l->groups[i], NULL, NULL);
	}
	if (p->oom)
		return bad("apply", "%s", strerror(ENOMEM));
	if (p->conflicts)
		return -1;
	return check_sources(p);
}

/* Doing it */

static bool key_op(enum op op)
{
	return op == ADD_KEY || op == REPLACE_KEY || op == DEL_KEY ||
	       op == KEEP_KEY || op == EXPIRED_KEY;
}

static void step_line(FILE *f, const char *prefix, const struct step *s)
{
	const struct group_info *g = s->wg ? &s->wg->g : s->cur;
	char a[ADDR_STRLEN];

	fprintf(f, "%s%s %s %s", prefix, op_verb[s->op],
		key_op(s->op) ? "key" : "group", addr_str(&g->addr, a));
	if (key_op(s->op))
		fprintf(f, " pgk-id 0x%08x", s->wk ? s->wk->k.pgk_id : s->ck->pgk_id);
	if (*s->why)
		fprintf(f, " (%s)", s->why);
	fputc('\n', f);
}

/*
 * A key ready to be sent: its tx PTK IDs reserved from the state
 * directory (above those of the key it replaces, ck, if any: a reservation
 * file may be behind a key added with an explicit tx-ptk-id), and its
 * source recorded.
 */
static int prepare_key(const struct want_group *wg, const struct want_key *wk,
		       const struct key_info *ck, struct key_info *k)
{
	struct resv_id id = { &wg->g.addr, wg->g.member_id, wk->k.pgk_id };
	uint32_t floor = ck ? ck->tx_ptk_id_limit + 1u : 0;
	uint16_t first, last;
	char why[512];

	if (resv_reserve(state_dir, &id, floor, &first, &last, why, sizeof(why))) {
		fprintf(stderr, "%s: apply: %s: %s\n", PROG_NAME, wk->where, why);
		return -1;
	}
	*k = wk->k;
	field_set(&key_table, k, &k->has, PC5SEC_KEY_A_TX_PTK_ID, first);
	field_set(&key_table, k, &k->has, PC5SEC_KEY_A_TX_PTK_ID_LIMIT, last);
	if (wk->abs)
		key_source_file_set(k, wk->abs);
	return 0;
}

/*
 * The check value the document gives is compared with the kernel's once
 * the key is in: a logon key's PGK cannot be read here, nor a key file's
 * check value computed without AF_ALG. A key that is not the one meant is
 * removed again.
 */
static int verify_check(const struct want_group *wg, const struct want_key *wk)
{
	struct group_list l = { 0 };
	const struct key_info *ck;
	bool same;

	if (!wk->doc_check)
		return 0;
	if (ipc_groups(&wg->g.addr, &l, "apply: cannot read the key back"))
		return -1;
	ck = l.n ? find_key(&l.groups[0], wk->k.pgk_id) : NULL;
	same = ck && HAS(ck, PC5SEC_KEY_A_CHECK) &&
	       !memcmp(ck->check, wk->check, sizeof(wk->check));
	group_list_free(&l);
	if (same)
		return 0;
	if (HAS(&wk->k, PC5SEC_KEY_A_KEYRING))
		bad(wk->where, "the logon key %s does not hold the PGK of the check value given",
		    wk->k.keyring);
	else
		bad(wk->where, "key_file %s does not hold the PGK of the check value given",
		    wk->abs);
	return -EKEYREJECTED;
}

static int send_key(const struct want_group *wg, const struct want_key *wk,
		    struct key_info *k)
{
	char what[WHERE_LEN + 16];
	int ret;

	snprintf(what, sizeof(what), "apply: %s: add key", wk->where);
	ret = ipc_key(PC5SEC_CMD_KEY_NEW, &wg->g.addr, k, wk->abs ? wk->pgk : NULL, what);
	explicit_bzero(k, sizeof(*k));
	if (ret)
		return ret;
	ret = verify_check(wg, wk);
	if (ret) {
		k->pgk_id = wk->k.pgk_id;
		k->has = BIT(PC5SEC_KEY_A_PGK_ID);
		ipc_key(PC5SEC_CMD_KEY_DEL, &wg->g.addr, k, NULL, what);
	}
	return ret;
}

static int install_key(const struct want_group *wg, const struct want_key *wk,
		       const struct key_info *ck)
{
	struct key_info k;

	return prepare_key(wg, wk, ck, &k) ?: send_key(wg, wk, &k);
}

void key_source_file_set(struct key_info *k, const char *path)
{
	int n = snprintf((char *)k->userdata, sizeof(k->userdata), "%s%s",
			 USERDATA_FILE, path);

	if (n > 0 && (size_t)n < sizeof(k->userdata)) {
		k->userdata_len = n;
		k->has |= BIT(PC5SEC_KEY_A_USERDATA);
	}
}

/* A removal: what is gone already is done */
static int remove_one(const struct pc5_addr *addr, const struct key_info *ck,
		      const char *what)
{
	struct group_info g = { .addr = *addr };
	struct key_info k = { 0 };
	int ret;

	if (ck) {
		field_set(&key_table, &k, &k.has, PC5SEC_KEY_A_PGK_ID, ck->pgk_id);
		ret = ipc_key(PC5SEC_CMD_KEY_DEL, addr, &k, NULL, NULL);
	} else {
		ret = ipc_group(PC5SEC_CMD_GROUP_DEL, &g, NULL);
	}
	if (ret == -ENOENT)
		return 0;
	if (ret)
		nl_perror(ipc_handle(), what, ret);
	return ret;
}

static int add_group(const struct want_group *wg, const char *what)
{
	return ipc_group(PC5SEC_CMD_GROUP_NEW, &wg->g, what);
}

static int set_group(const struct group_info *from, const char *what)
{
	struct group_info g = { .addr = from->addr };

	field_set(&group_table, &g, &g.has, PC5SEC_A_REPLAY_WINDOW, from->replay_window);
	field_set(&group_table, &g, &g.has, PC5SEC_A_PLAINTEXT, from->plaintext);
	return ipc_group(PC5SEC_CMD_GROUP_SET, &g, what);
}

/* Removes, then installs again: reserved first, so that little can fail */
static int replace_key(const struct step *s, const char *what)
{
	struct key_info k;
	int ret;

	if (prepare_key(s->wg, s->wk, s->ck, &k))
		return -1;
	ret = remove_one(&s->wg->g.addr, s->ck, what);
	if (ret) {
		explicit_bzero(&k, sizeof(k));
		return ret;
	}
	ret = send_key(s->wg, s->wk, &k);
	if (ret)
		fprintf(stderr, "%s: %s: the key was removed and is not installed again\n",
			PROG_NAME, what);
	return ret;
}

/*
 * Removes the group, then adds it again with its keys, reserved first,
 * each above the installed key of its PGK ID: with the same member ID, the
 * same PGK gives the same PEKs.
 */
static int replace_group(const struct step *s, const char *what)
{
	const struct want_group *wg = s->wg;
	struct key_info *k;
	size_t i;
	int ret = 0;

	k = calloc(wg->nkeys + 1, sizeof(*k));
	if (!k)
		return bad(wg->where, "%s", strerror(ENOMEM));
	for (i = 0; !ret && i < wg->nkeys; i++)
		if (!expired(&wg->keys[i]))
			ret = prepare_key(wg, &wg->keys[i],
					  find_key(s->cur, wg->keys[i].k.pgk_id), &k[i]);
	if (!ret) {
		ret = remove_one(&wg->g.addr, NULL, what) ?: add_group(wg, what);
		for (i = 0; !ret && i < wg->nkeys; i++)
			if (!expired(&wg->keys[i]))
				ret = send_key(wg, &wg->keys[i], &k[i]);
		if (ret)
			fprintf(stderr, "%s: %s: the group was removed and is not complete again\n",
				PROG_NAME, what);
	}
	explicit_bzero(k, (wg->nkeys + 1) * sizeof(*k));
	free(k);
	return ret;
}

static int do_step(const struct step *s, const char *what)
{
	const struct group_info *g = s->wg ? &s->wg->g : s->cur;

	switch (s->op) {
	case ADD_GROUP:
		return add_group(s->wg, what);
	case SET_GROUP:
		return set_group(&s->wg->g, what);
	case ADD_KEY:
		return install_key(s->wg, s->wk, NULL);
	case REPLACE_KEY:
		return replace_key(s, what);
	case REPLACE_GROUP:
		return replace_group(s, what);
	case DEL_KEY:
		return remove_one(&g->addr, s->ck, what);
	case DEL_GROUP:
		return remove_one(&g->addr, NULL, what);
	default:
		return 0;
	}
}

static int undo_step(const struct step *s, const char *what)
{
	struct key_info k = { .pgk_id = s->wk ? s->wk->k.pgk_id : 0 };

	switch (s->op) {
	case ADD_GROUP:
		return remove_one(&s->wg->g.addr, NULL, what);
	case SET_GROUP:
		return set_group(s->cur, what);
	case ADD_KEY:
		return remove_one(&s->wg->g.addr, &k, what);
	default:
		return 0;
	}
}

/* What a failed step's message starts with: the entry, or the address */
static void step_what(const struct step *s, char *buf, size_t len)
{
	const char *what = key_op(s->op) ? "key" : "group";
	char a[ADDR_STRLEN];

	if (s->wk)
		snprintf(buf, len, "apply: %s: %s key", s->wk->where, op_verb[s->op]);
	else if (s->op == DEL_KEY)
		snprintf(buf, len, "apply: %s: remove key 0x%08x", s->wg->where,
			 s->ck->pgk_id);
	else if (s->wg)
		snprintf(buf, len, "apply: %s: %s group", s->wg->where, op_verb[s->op]);
	else
		snprintf(buf, len, "apply: %s: remove %s", addr_str(&s->cur->addr, a), what);
}

/* Undoes steps[0..n) in reverse: all of them can be undone */
static void undo_steps(const struct plan *p, size_t n)
{
	char what[WHERE_LEN + 32];
	int undo = 0;

	while (n-- > 0) {
		if (p->steps[n].op >= KEEP_GROUP)
			continue;
		step_what(&p->steps[n], what, sizeof(what));
		if (undo_step(&p->steps[n], what))
			undo = -1;
		else
			step_line(stderr, PROG_NAME ": apply: undone: ", &p->steps[n]);
	}
	fprintf(stderr, "%s: apply: %s\n", PROG_NAME, undo ?
		"could not undo every change made; see 'pc5sec show'" :
		"nothing changed: every change made was undone");
}

/*
 * Runs the steps. A failure before any step that cannot be undone undoes
 * the steps made; after one, it stops there.
 */
static int run_plan(const struct plan *p)
{
	char what[WHERE_LEN + 32];
	bool committed = false;
	size_t i;
	int ret;

	for (i = 0; i < p->n; i++) {
		if (p->steps[i].op >= KEEP_GROUP)
			continue;
		step_what(&p->steps[i], what, sizeof(what));
		ret = do_step(&p->steps[i], what);
		if (ret && (committed || p->steps[i].op > ADD_KEY)) {
			fprintf(stderr, "%s: apply: stopped; the changes above were made, and removals cannot be undone\n",
				PROG_NAME);
			return ret;
		}
		if (ret) {
			undo_steps(p, i);
			return ret;
		}
		committed |= p->steps[i].op > ADD_KEY;
		step_line(stdout, "", &p->steps[i]);
	}
	return 0;
}

static void print_plan(const struct plan *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		step_line(stdout, "", &p->steps[i]);
	if (!p->changes)
		puts("nothing to do");
}

int cmd_apply(int argc, char *argv[])
{
	struct group_list l = { 0 };
	struct plan p = { 0 };
	struct doc d = { 0 };
	const char *path = NULL;
	bool dry_run = false;
	json_object *root;
	int i, ret = -1;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-n") || !strcmp(argv[i], "--dry-run")) {
			dry_run = true;
		} else if (!strcmp(argv[i], "--replace")) {
			p.replace = true;
		} else if (!path && (argv[i][0] != '-' || !strcmp(argv[i], "-"))) {
			path = argv[i];
		} else {
			fprintf(stderr, "%s: apply: unexpected '%s' (see '%s apply --help')\n",
				PROG_NAME, argv[i], PROG_NAME);
			return 1;
		}
	}
	if (!path) {
		fprintf(stderr, "%s: apply needs a file (- for stdin)\n", PROG_NAME);
		return 1;
	}
	root = read_doc(path);
	if (root && !parse_doc(root, &d) &&
	    !ipc_groups(NULL, &l, "apply: cannot read the kernel's state") &&
	    !make_plan(&p, &d, &l)) {
		if (dry_run)
			print_plan(&p);
		ret = dry_run ? 0 : run_plan(&p);
	}
	json_object_put(root);
	free(p.steps);
	group_list_free(&l);
	doc_free(&d);
	if (!ret && fflush(stdout))
		ret = -1;
	return ret ? 1 : 0;
}

/* show --config */

static int cmp_group(const void *a, const void *b)
{
	const struct group_info *x = *(const struct group_info *const *)a;
	const struct group_info *y = *(const struct group_info *const *)b;

	if (x->addr.family != y->addr.family)
		return x->addr.family == AF_INET ? -1 : 1;
	return memcmp(&x->addr.v6, &y->addr.v6, x->addr.family == AF_INET ? 4 : 16);
}

static int cmp_key(const void *a, const void *b)
{
	const struct key_info *x = a, *y = b;

	return x->pgk_id < y->pgk_id ? -1 : x->pgk_id > y->pgk_id;
}

static void put_int(json_object *o, const char *name, int64_t v)
{
	json_object_object_add(o, name, json_object_new_int64(v));
}

static json_object *config_key(const struct key_info *k)
{
	json_object *o = json_object_new_object();
	char hex[2 * PC5SEC_KEY_CHECK_LEN + 1];
	const char *suite = suite_name(k->suite), *file;
	size_t len;

	put_int(o, "pgk_id", k->pgk_id);
	json_object_object_add(o, "suite", json_object_new_string(suite ? suite : "unknown"));
	if (HAS(k, PC5SEC_KEY_A_NOT_BEFORE))
		put_int(o, "not_before", k->not_before);
	if (HAS(k, PC5SEC_KEY_A_SOFT_EXPIRES))
		put_int(o, "soft_expires", k->soft_expires);
	if (HAS(k, PC5SEC_KEY_A_EXPIRES))
		put_int(o, "expires", k->expires);
	if (HAS(k, PC5SEC_KEY_A_KEYRING))
		json_object_object_add(o, "key_keyring", json_object_new_string(k->keyring));
	else if ((file = key_file_of(k, &len)))
		json_object_object_add(o, "key_file", json_object_new_string_len(file, len));
	if (HAS(k, PC5SEC_KEY_A_CHECK))
		json_object_object_add(o, "check", json_object_new_string(
			hex_str(k->check, sizeof(k->check), hex)));
	return o;
}

static json_object *config_group(const struct group_info *g)
{
	json_object *o = json_object_new_object(), *keys;
	const char *plain = plaintext_name(g->plaintext);
	char a[ADDR_STRLEN], dev[IF_NAMESIZE];
	size_t i;

	json_object_object_add(o, "address", json_object_new_string(addr_str(&g->addr, a)));
	put_int(o, "group_id", g->group_id);
	put_int(o, "member_id", g->member_id);
	if (HAS(g, PC5SEC_A_IFINDEX)) {
		/* Left out, the document would mean any interface */
		if (!if_indextoname(g->ifindex, dev)) {
			fprintf(stderr, "%s: show: group %s is bound to interface %u, which has no name here: no document can say so\n",
				PROG_NAME, a, g->ifindex);
			json_object_put(o);
			return NULL;
		}
		json_object_object_add(o, "dev", json_object_new_string(dev));
	}
	put_int(o, "bearer", g->bearer);
	put_int(o, "replay_window", g->replay_window);
	json_object_object_add(o, "plaintext", json_object_new_string(plain ? plain : "unknown"));
	keys = json_object_new_array();
	for (i = 0; i < g->nkeys; i++)
		json_object_array_add(keys, config_key(&g->keys[i]));
	json_object_object_add(o, "keys", keys);
	return o;
}

int config_print(const struct group_list *l)
{
	const struct group_info **sorted = calloc(l->n + 1, sizeof(*sorted));
	json_object *root, *groups, *g;
	size_t i;

	if (!sorted)
		return -ENOMEM;
	for (i = 0; i < l->n; i++) {
		sorted[i] = &l->groups[i];
		qsort(l->groups[i].keys, l->groups[i].nkeys, sizeof(struct key_info), cmp_key);
	}
	qsort(sorted, l->n, sizeof(*sorted), cmp_group);
	root = json_object_new_object();
	put_int(root, "version", CONFIG_VERSION);
	groups = json_object_new_array();
	json_object_object_add(root, "groups", groups);
	for (i = 0; i < l->n && (g = config_group(sorted[i])); i++)
		json_object_array_add(groups, g);
	if (i == l->n)
		puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
						    JSON_C_TO_STRING_SPACED |
						    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
	free(sorted);
	return i == l->n ? 0 : -ENODEV;
}
