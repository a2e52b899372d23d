// SPDX-License-Identifier: GPL-2.0
/*
 * failnth.so, an LD_PRELOAD shim: fails the Nth kernel allocation of one
 * netlink request of an unchanged program (the pc5sec tool), through the
 * calling thread's /proc/thread-self/fail-nth (CONFIG_FAULT_INJECTION).
 *
 *   PC5SEC_FAIL_NTH=N       the allocation to fail, from 1
 *   PC5SEC_FAIL_ON=CMD      the pc5sec generic netlink command (a number)
 *                           whose request it arms on; "join": the
 *                           monitor's NETLINK_ADD_MEMBERSHIP
 *   PC5SEC_FAIL_REPORT=FILE where it writes "injected" or "not-injected"
 *
 * The countdown starts at the first matching sendto() (or setsockopt())
 * and runs only inside that call and the recvmsg() calls of its reply,
 * until the reply's end (an ack, an error or a dump's done) or a failed
 * send or receive: nothing else the program does can fail, and the count
 * is the kernel's work for the request alone. PC5SEC_FAIL_COUNT set:
 * prints how many allocations it counted.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <sys/socket.h>

static enum { IDLE, ARMED, PAUSED, DONE } state = DONE;
static int nth_fd = -1;
static unsigned int nth, left;
static int cmd = -1;		/* -1: the membership join */
static int req_fd = -1;		/* the socket the request went out on */
static const char *report;

__attribute__((constructor)) static void init(void)
{
	const char *n = getenv("PC5SEC_FAIL_NTH"), *on = getenv("PC5SEC_FAIL_ON");

	report = getenv("PC5SEC_FAIL_REPORT");
	if (!n || !on || !report)
		return;
	nth = strtoul(n, NULL, 0);
	cmd = strcmp(on, "join") ? (int)strtol(on, NULL, 0) : -1;
	/* Opened now: opening allocates, and must not count. */
	nth_fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	if (nth_fd < 0 || !nth) {
		perror("failnth: /proc/thread-self/fail-nth");
		exit(125);
	}
	state = IDLE;
	left = nth;
}

static void set(unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	if (pwrite(nth_fd, buf, len, 0) != len) {
		perror("failnth: fail-nth");
		exit(125);
	}
}

static void finish(bool injected)
{
	const char *what = injected ? "injected\n" : "not-injected\n";
	int saved = errno, fd;

	state = DONE;
	if (getenv("PC5SEC_FAIL_COUNT"))
		fprintf(stderr, "failnth: %u allocations\n", nth - left);
	fd = open(report, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, what, strlen(what)) < 0) {
		perror("failnth: report");
		exit(125);
	}
	close(fd);
	errno = saved;
}

/*
 * Only the kernel's work for the request counts, not what else the
 * program does between its netlink calls (its own memory, its output):
 * the countdown runs inside those calls only. Reading back 0 means the
 * failure was injected; writing 0 stops the countdown.
 */
static void resume(void)
{
	set(left);
	state = ARMED;
}

static void pause_(void)
{
	int saved = errno;
	char buf[16] = "";

	if (pread(nth_fd, buf, sizeof(buf) - 1, 0) < 0) {
		perror("failnth: fail-nth");
		exit(125);
	}
	set(0);
	left = strtoul(buf, NULL, 10);
	state = PAUSED;
	if (!left)
		finish(true);
	errno = saved;
}

__attribute__((destructor)) static void fini(void)
{
	if (state == ARMED)
		pause_();
	if (state == PAUSED)
		finish(false);
}

static int is_request(const void *buf, size_t len)
{
	const struct nlmsghdr *nlh = buf;
	const struct genlmsghdr *g = NLMSG_DATA(nlh);

	return cmd >= 0 && len >= NLMSG_HDRLEN + GENL_HDRLEN &&
	       nlh->nlmsg_type >= NLMSG_MIN_TYPE && nlh->nlmsg_type != GENL_ID_CTRL &&
	       g->cmd == cmd;
}

/* Whether the netlink messages in buf end a request's reply */
static int is_end(const void *buf, ssize_t len)
{
	const struct nlmsghdr *nlh = buf;
	int left = len;

	for (; NLMSG_OK(nlh, left); nlh = NLMSG_NEXT(nlh, left))
		if (nlh->nlmsg_type == NLMSG_ERROR || nlh->nlmsg_type == NLMSG_DONE)
			return 1;
	return 0;
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags,
	       const struct sockaddr *to, socklen_t tolen)
{
	static ssize_t (*real)(int, const void *, size_t, int,
			       const struct sockaddr *, socklen_t);
	ssize_t ret;

	if (!real)
		real = dlsym(RTLD_NEXT, "sendto");
	if (state == IDLE && is_request(buf, len)) {
		req_fd = fd;
		resume();
	}
	ret = real(fd, buf, len, flags, to, tolen);
	if (state == ARMED) {
		pause_();
		if (state == PAUSED && ret < 0)
			finish(false);
	}
	return ret;
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	static ssize_t (*real)(int, struct msghdr *, int);
	ssize_t ret;

	if (!real)
		real = dlsym(RTLD_NEXT, "recvmsg");
	if (state == PAUSED && fd == req_fd)
		resume();
	ret = real(fd, msg, flags);
	if (state == ARMED) {
		pause_();
		if (state == PAUSED &&
		    ((ret < 0 && errno != EINTR && errno != EAGAIN) ||
		     (ret > 0 && msg->msg_iovlen &&
		      is_end(msg->msg_iov[0].iov_base,
			     (size_t)ret < msg->msg_iov[0].iov_len ? ret :
			     (ssize_t)msg->msg_iov[0].iov_len))))
			finish(false);
	}
	return ret;
}

int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	static int (*real)(int, int, int, const void *, socklen_t);
	int ret;

	if (!real)
		real = dlsym(RTLD_NEXT, "setsockopt");
	if (state == IDLE && cmd < 0 && level == SOL_NETLINK &&
	    name == NETLINK_ADD_MEMBERSHIP)
		resume();
	ret = real(fd, level, name, val, len);
	if (state == ARMED) {
		pause_();
		if (state == PAUSED)
			finish(false);
	}
	return ret;
}
