// SPDX-License-Identifier: GPL-2.0
/*
 * fail_call: fails the 1st, 2nd, ... allocation of one system call in
 * turn, through /proc/thread-self/fail-nth, until the call succeeds
 * without a failure; prints how many failure points it went through.
 *
 *   fail_call netns               unshare(CLONE_NEWNET); back to the
 *                                 caller's namespace after each success
 *   fail_call load MODULE.ko ...  finit_module() with the parameters
 *                                 given; after each failure the module
 *                                 must not be in /sys/module
 *
 * -f FIRST starts at FIRST. Exits 0 when the call succeeded in the end
 * and every failure before it returned an error and left nothing behind.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#define MAX_POINTS 100000

static int nth_fd;

static void set_nth(unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	if (pwrite(nth_fd, buf, len, 0) != len) {
		perror("fail-nth");
		exit(2);
	}
}

/* Disarms; returns whether the failure was injected (fail-nth read 0) */
static int injected(void)
{
	char buf[16] = "";

	if (pread(nth_fd, buf, sizeof(buf) - 1, 0) < 0) {
		perror("fail-nth");
		exit(2);
	}
	set_nth(0);
	return !strtoul(buf, NULL, 10);
}

static int do_netns(void)
{
	return unshare(CLONE_NEWNET) ? -errno : 0;
}

static int do_load(int fd, const char *params)
{
	return syscall(SYS_finit_module, fd, params, 0) ? -errno : 0;
}

/* The module's name: its file's, without .ko, '-' as '_' */
static void module_dir(const char *path, char *dir, size_t size)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	char *p;

	snprintf(dir, size, "/sys/module/%.*s", (int)strcspn(base, "."), base);
	for (p = dir + strlen("/sys/module/"); *p; p++)
		if (*p == '-')
			*p = '_';
}

int main(int argc, char *argv[])
{
	char params[4096] = "", dir[256] = "";
	unsigned int n, first = 1, absorbed = 0;
	int opt, home = -1, fd = -1, ret, inj, i;
	struct stat st;

	while ((opt = getopt(argc, argv, "+f:")) != -1) {
		if (opt != 'f')
			return 2;
		first = strtoul(optarg, NULL, 0);
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 || (strcmp(argv[0], "netns") && (strcmp(argv[0], "load") || argc < 2))) {
		fprintf(stderr, "usage: fail_call [-f FIRST] netns | load MODULE.ko [PARAM...]\n");
		return 2;
	}
	if (!strcmp(argv[0], "netns")) {
		home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	} else {
		fd = open(argv[1], O_RDONLY | O_CLOEXEC);
		module_dir(argv[1], dir, sizeof(dir));
		for (i = 2; i < argc; i++)
			snprintf(params + strlen(params), sizeof(params) - strlen(params),
				 "%s%s", i > 2 ? " " : "", argv[i]);
	}
	nth_fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	if (home < 0 && fd < 0) {
		perror(*dir ? argv[1] : "/proc/self/ns/net");
		return 2;
	}
	if (nth_fd < 0) {
		perror("/proc/thread-self/fail-nth");
		return 2;
	}
	for (n = first; n < MAX_POINTS; n++) {
		set_nth(n);
		ret = *dir ? do_load(fd, params) : do_netns();
		inj = injected();
		/* Back home, with the countdown stopped. */
		if (!ret && !*dir && setns(home, CLONE_NEWNET)) {
			perror("setns");
			return 2;
		}
		if (!inj) {
			if (ret) {
				fprintf(stderr, "%s failed without a failure injected: %s\n",
					argv[0], strerror(-ret));
				return 1;
			}
			printf("%u failure points (%u absorbed by the kernel), then success\n",
			       n - first, absorbed);
			return 0;
		}
		if (!ret) {
			/* A failure the kernel absorbed: undo, go on with the next. */
			absorbed++;
			if (*dir) {
				if (syscall(SYS_delete_module, strrchr(dir, '/') + 1, 0)) {
					perror("delete_module");
					return 1;
				}
			}
			continue;
		}
		if (*dir && !stat(dir, &st)) {
			fprintf(stderr, "failure %u (%s): the module stayed in %s\n", n,
				strerror(-ret), dir);
			return 1;
		}
	}
	fprintf(stderr, "no success after %u failure points\n", MAX_POINTS);
	return 1;
}
