// SPDX-License-Identifier: GPL-2.0
/*
 * Tx PTK ID reservations: one small file per (group address, own member
 * ID, PGK ID), replaced atomically (temp file, fsync, rename, fsync of the
 * directory) under an exclusive flock of the directory.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <linux/pc5sec.h>

#include "state.h"

struct resv {
	int dfd;			/* the reservations directory, locked */
	char dir[PATH_MAX];
	char name[96];
	char *why;
	size_t why_len;
};

static int failf(struct resv *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->why, r->why_len, fmt, ap);
	va_end(ap);
	return -1;
}

static int fsync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), ret;

	if (fd < 0)
		return -1;
	ret = fsync(fd);
	close(fd);
	return ret;
}

/* Makes the new directory's entry durable */
static void fsync_parent(char *path)
{
	char *slash = strrchr(path, '/');

	if (!slash) {
		fsync_dir(".");
	} else if (slash == path) {
		fsync_dir("/");
	} else {
		*slash = '\0';
		fsync_dir(path);
		*slash = '/';
	}
}

/* mkdir -p, mode 0700 */
static int mkdir_p(char *path)
{
	char *p = path;

	do {
		p = strchr(p + 1, '/');
		if (p)
			*p = '\0';
		if (!mkdir(path, 0700))
			fsync_parent(path);
		else if (errno != EEXIST)
			return -1;
		if (p)
			*p = '/';
	} while (p);
	return 0;
}

static int resv_begin(struct resv *r, const char *state, const struct resv_id *id,
		      char *why, size_t why_len)
{
	char addr[ADDR_STRLEN], *c;

	r->why = why;
	r->why_len = why_len;
	r->dfd = -1;
	if ((size_t)snprintf(r->dir, sizeof(r->dir), "%s/reservations", state) >=
	    sizeof(r->dir))
		return failf(r, "state directory name too long");
	addr_str(id->addr, addr);
	for (c = addr; *c; c++)
		if (*c == ':')
			*c = '-';
	snprintf(r->name, sizeof(r->name), "%s_%06x_%08x", addr, id->member_id,
		 id->pgk_id);
	if (mkdir_p(r->dir))
		return failf(r, "cannot create %s: %s", r->dir, strerror(errno));
	r->dfd = open(r->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (r->dfd < 0 || flock(r->dfd, LOCK_EX))
		return failf(r, "%s: %s", r->dir, strerror(errno));
	return 0;
}

static void resv_end(struct resv *r)
{
	if (r->dfd >= 0)
		close(r->dfd);
}

/* The next free PTK ID; *exists tells whether the file was there */
static int load(struct resv *r, uint32_t *next, bool *exists)
{
	char buf[16], *end;
	unsigned long v;
	ssize_t len;
	int fd;

	*next = 0;
	*exists = false;
	fd = openat(r->dfd, r->name, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0)
		return failf(r, "%s/%s: %s", r->dir, r->name, strerror(errno));
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len < 0)
		return failf(r, "%s/%s: %s", r->dir, r->name, strerror(errno));
	buf[len] = '\0';
	errno = 0;
	v = strtoul(buf, &end, 10);
	if (buf[0] < '0' || buf[0] > '9' || errno || end == buf ||
	    (*end && strcmp(end, "\n")) || v > PC5SEC_PTK_ID_MAX + 1)
		return failf(r, "%s/%s is corrupt: refusing to guess which PTK IDs were used",
			     r->dir, r->name);
	*next = v;
	*exists = true;
	return 0;
}

static int store(struct resv *r, uint32_t next)
{
	char tmp[sizeof(r->name) + 8], buf[16];
	int fd, len, ret;

	snprintf(tmp, sizeof(tmp), "%s.tmp", r->name);
	len = snprintf(buf, sizeof(buf), "%u\n", next);
	fd = openat(r->dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return failf(r, "%s/%s: %s", r->dir, tmp, strerror(errno));
	errno = 0;
	ret = write(fd, buf, len) == len && !fsync(fd) ? 0 : -1;
	if (ret && !errno)
		errno = EIO;
	if (close(fd) && !ret)
		ret = -1;
	if (!ret && !renameat(r->dfd, tmp, r->dfd, r->name) && !fsync(r->dfd))
		return 0;
	ret = errno;
	unlinkat(r->dfd, tmp, 0);
	return failf(r, "%s/%s: %s", r->dir, r->name, strerror(ret));
}

static uint16_t block_end(uint32_t first)
{
	uint32_t last = first + RESV_BLOCK - 1;

	return last > PC5SEC_PTK_ID_MAX ? PC5SEC_PTK_ID_MAX : last;
}

int resv_reserve(const char *dir, const struct resv_id *id, uint32_t floor,
		 uint16_t *first, uint16_t *last, char *why, size_t why_len)
{
	char addr[ADDR_STRLEN];
	struct resv r;
	uint32_t next;
	bool exists;
	int ret;

	ret = resv_begin(&r, dir, id, why, why_len);
	if (!ret)
		ret = load(&r, &next, &exists);
	if (!ret && next < floor)
		next = floor;
	if (!ret && next > PC5SEC_PTK_ID_MAX)
		ret = failf(&r, "all PTK IDs of PGK ID 0x%08x for member 0x%06x in group %s have been used; a new PGK is needed",
			    id->pgk_id, id->member_id, addr_str(id->addr, addr));
	if (!ret) {
		*first = next;
		*last = block_end(next);
		ret = store(&r, *last + 1);
	}
	resv_end(&r);
	return ret;
}

int resv_extend(const char *dir, const struct resv_id *id, uint16_t limit,
		uint16_t *new_limit, char *why, size_t why_len)
{
	struct resv r;
	uint32_t next;
	bool exists;
	int ret;

	ret = resv_begin(&r, dir, id, why, why_len);
	if (!ret)
		ret = load(&r, &next, &exists);
	if (!ret && !exists)
		ret = failf(&r, "no reservation file %s/%s (was the key added with an explicit tx-ptk-id?)",
			    r.dir, r.name);
	else if (!ret && next != (uint32_t)limit + 1)
		ret = failf(&r, "%s/%s says the next free PTK ID is %u, not %u: the reservation changed elsewhere",
			    r.dir, r.name, next, limit + 1);
	else if (!ret && limit >= PC5SEC_PTK_ID_MAX)
		ret = failf(&r, "PTK ID %u is the last one; a new PGK is needed",
			    PC5SEC_PTK_ID_MAX);
	if (!ret) {
		*new_limit = block_end(limit + 1);
		ret = store(&r, *new_limit + 1);
	}
	resv_end(&r);
	return ret;
}
