// SPDX-License-Identifier: GPL-2.0
/*
 * mcbench: the traffic of `make bench`. A time-bounded UDP multicast
 * sender (unpaced for saturation, or paced to a fixed rate for the CPU
 * cost, which it measures from /proc/stat) and a receiver that counts what
 * reaches its socket.
 *
 *   mcbench send [-6] -g GROUP -p PORT [-i IF] [-s SIZE] -D SECONDS
 *                [-r PPS [-b BURST]] [-A START_MS] [-c]
 *     Sends SIZE-byte datagrams for SECONDS, unpaced (sendmmsg, batches of
 *     BATCH) or at PPS (bursts of BURST datagrams, default 1, every
 *     BURST/PPS s), without multicast loopback. -A waits until
 *     CLOCK_REALTIME reaches START_MS (ms since the epoch) before the first
 *     datagram, so that many senders start and stop together (late_ms: by
 *     how much it missed START_MS). -c measures
 *     the CPU time the whole machine was busy (all CPUs, any context) from
 *     just before the first datagram to SETTLE_MS after the last one:
 *     CPUs x wall time minus idle and iowait time. The idle time of
 *     /proc/stat is not sampled by the tick but measured (NO_HZ), so this
 *     holds for paced traffic, whose wakeups a tick-sampled "busy" would
 *     alias with; its unit is 1/USER_HZ s, so the window must be long.
 *     Prints
 *       sent N errors E elapsed_ns T [late_ms L] [cpu_busy_ns B cpu_window_ns W ncpu C]
 *     (errors: datagrams of a paced burst, or unpaced sendmmsg calls, that
 *     failed with ENOBUFS or EAGAIN).
 *
 *   mcbench send -N NS1,NS2,... [the options above]
 *     The same from one forked sender in each named network namespace
 *     (/run/netns/NAME), all in this process's CPU set: many senders start
 *     far faster than as many `ip netns exec`. One line each, as above.
 *
 *   mcbench recv [-6] -g GROUP -p PORT [-i IF] [-R READYFILE] [-T IDLE_MS]
 *                [-W FIRST_MS]
 *     Joins GROUP, counts the datagrams delivered to its socket, and stops
 *     IDLE_MS (default 500) after the last one, FIRST_MS (default 10000)
 *     if none comes, or on SIGINT/SIGTERM. Prints
 *       received N bytes B
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_SIZE	65000
#define BATCH		16
#define SETTLE_MS	100
#define RCVBUF		(8 << 20)

static uint8_t buf[BATCH][65536];
static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static unsigned long num(const char *s, unsigned long max, const char *what)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v > max)
		errx(2, "invalid %s '%s'", what, s);
	return v;
}

static uint64_t now_ns(clockid_t clk)
{
	struct timespec t;

	clock_gettime(clk, &t);
	return t.tv_sec * 1000000000ull + t.tv_nsec;
}

static void sleep_until(clockid_t clk, uint64_t ns)
{
	struct timespec t = { ns / 1000000000ull, ns % 1000000000ull };

	while (clock_nanosleep(clk, TIMER_ABSTIME, &t, NULL) == EINTR && !stop)
		;
}

/*
 * From /proc/stat: the idle + iowait time of all CPUs (ns, to 1/USER_HZ)
 * and the number of CPUs; with the CLOCK_MONOTONIC time of the read.
 */
static void cpu_idle(uint64_t *idle_ns, int *ncpu, uint64_t *when)
{
	unsigned long long v[5];
	char line[512];
	FILE *f = fopen("/proc/stat", "r");

	if (!f || !fgets(line, sizeof(line), f) ||
	    sscanf(line, "cpu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4]) != 5)
		err(1, "/proc/stat");
	*when = now_ns(CLOCK_MONOTONIC);
	*ncpu = 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "cpu", 3))
			++*ncpu;
	fclose(f);
	/* user nice system idle iowait ... */
	*idle_ns = (v[3] + v[4]) * (1000000000ull / sysconf(_SC_CLK_TCK));
}

struct dest {
	struct sockaddr_storage ss;
	socklen_t len;
	unsigned int ifindex;
	int v6;
};

static void parse_dest(struct dest *d, const char *group, int port, const char *ifname)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&d->ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&d->ss;

	if (!group || port < 0)
		errx(2, "-g GROUP and -p PORT are required");
	if (ifname) {
		d->ifindex = if_nametoindex(ifname);
		if (!d->ifindex)
			err(1, "%s", ifname);
	}
	if (d->v6) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		sin6->sin6_scope_id = d->ifindex;
		if (inet_pton(AF_INET6, group, &sin6->sin6_addr) != 1)
			errx(2, "invalid IPv6 group '%s'", group);
		d->len = sizeof(*sin6);
	} else {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		if (inet_pton(AF_INET, group, &sin->sin_addr) != 1)
			errx(2, "invalid IPv4 group '%s'", group);
		d->len = sizeof(*sin);
	}
}

static int do_send(int argc, char **argv);
static int forked;

/* -N: forks one sender per namespace; the others options go to each. */
static int send_in_namespaces(int argc, char **argv, char *list)
{
	char path[512], *ns, *save = NULL;
	int fd, status, rc = 0;
	pid_t pid;

	fflush(stdout);
	for (ns = strtok_r(list, ",", &save); ns; ns = strtok_r(NULL, ",", &save)) {
		pid = fork();
		if (pid < 0)
			err(1, "fork");
		if (pid)
			continue;
		snprintf(path, sizeof(path), "/run/netns/%s", ns);
		fd = open(path, O_RDONLY);
		if (fd < 0 || setns(fd, CLONE_NEWNET))
			err(1, "netns %s", ns);
		close(fd);
		forked = 1;
		optind = 0;	/* glibc: parse argv afresh */
		exit(do_send(argc, argv));
	}
	while ((pid = wait(&status)) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			rc = 1;
	return rc;
}

static int do_send(int argc, char **argv)
{
	unsigned long size = 64, secs = 0, pps = 0, start_ms = 0, burst = 1;
	uint64_t idle0 = 0, idle1, w0 = 0, w1;
	const char *group = NULL, *ifname = NULL;
	struct mmsghdr msg[BATCH];
	struct iovec iov[BATCH];
	uint64_t sent = 0, errors = 0, t0, end, n, late = 0;
	struct dest d = { 0 };
	int fd, c, val, port = -1, cpu = 0, ncpu = 0, i, r;

	while ((c = getopt(argc, argv, "6g:p:i:s:D:r:b:A:cN:")) != -1) {
		switch (c) {
		case 'N':
			if (!forked)
				return send_in_namespaces(argc, argv, optarg);
			break;
		case '6': d.v6 = 1; break;
		case 'g': group = optarg; break;
		case 'p': port = num(optarg, 65535, "port"); break;
		case 'i': ifname = optarg; break;
		case 's': size = num(optarg, MAX_SIZE, "size"); break;
		case 'D': secs = num(optarg, 86400, "duration"); break;
		case 'r': pps = num(optarg, 100000000, "rate"); break;
		case 'b': burst = num(optarg, BATCH, "burst"); break;
		case 'A': start_ms = num(optarg, ULONG_MAX, "start time"); break;
		case 'c': cpu = 1; break;
		default: exit(2);
		}
	}
	if (!secs)
		errx(2, "-D SECONDS is required");
	parse_dest(&d, group, port, ifname);

	fd = socket(d.v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		err(1, "socket");
	val = 1;
	setsockopt(fd, d.v6 ? IPPROTO_IPV6 : IPPROTO_IP,
		   d.v6 ? IPV6_MULTICAST_HOPS : IP_MULTICAST_TTL, &val, sizeof(val));
	val = 0;
	if (setsockopt(fd, d.v6 ? IPPROTO_IPV6 : IPPROTO_IP,
		       d.v6 ? IPV6_MULTICAST_LOOP : IP_MULTICAST_LOOP, &val, sizeof(val)))
		err(1, "setsockopt multicast loop");
	if (d.ifindex && d.v6) {
		val = d.ifindex;
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &val, sizeof(val)))
			err(1, "IPV6_MULTICAST_IF");
	} else if (d.ifindex) {
		struct ip_mreqn mr = { .imr_ifindex = d.ifindex };

		if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof(mr)))
			err(1, "IP_MULTICAST_IF");
	}

	memset(msg, 0, sizeof(msg));
	for (i = 0; i < BATCH; i++) {
		memset(buf[i], 0xa5, size);
		iov[i].iov_base = buf[i];
		iov[i].iov_len = size;
		msg[i].msg_hdr.msg_name = &d.ss;
		msg[i].msg_hdr.msg_namelen = d.len;
		msg[i].msg_hdr.msg_iov = &iov[i];
		msg[i].msg_hdr.msg_iovlen = 1;
	}

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (start_ms) {
		t0 = now_ns(CLOCK_REALTIME);
		late = t0 > start_ms * 1000000ull ? (t0 - start_ms * 1000000ull) / 1000000 : 0;
		sleep_until(CLOCK_REALTIME, start_ms * 1000000ull);
	}
	if (!burst)
		errx(2, "-b BURST: 1 to %d", BATCH);
	if (cpu)
		cpu_idle(&idle0, &ncpu, &w0);
	t0 = now_ns(CLOCK_MONOTONIC);
	end = t0 + secs * 1000000000ull;
	while (!stop) {
		if (pps) {
			/* Burst number k is due at t0 + k * burst / pps. */
			n = (sent + errors) / burst;
			sleep_until(CLOCK_MONOTONIC, t0 + n * burst * 1000000000ull / pps);
			if (now_ns(CLOCK_MONOTONIC) >= end)
				break;
			r = sendmmsg(fd, msg, burst, 0);
			if (r < 0) {
				if (errno != ENOBUFS && errno != EAGAIN && errno != EINTR)
					err(1, "sendmmsg");
				r = 0;
			}
			/* What was not sent of the burst counts as errors. */
			sent += r;
			errors += burst - r;
			continue;
		}
		if (now_ns(CLOCK_MONOTONIC) >= end)
			break;
		r = sendmmsg(fd, msg, BATCH, 0);
		if (r < 0) {
			if (errno != ENOBUFS && errno != EAGAIN && errno != EINTR)
				err(1, "sendmmsg");
			errors++;
		} else {
			sent += r;
		}
	}
	t0 = now_ns(CLOCK_MONOTONIC) - t0;
	printf("sent %llu errors %llu elapsed_ns %llu", (unsigned long long)sent,
	       (unsigned long long)errors, (unsigned long long)t0);
	if (start_ms)
		printf(" late_ms %llu", (unsigned long long)late);
	if (cpu) {
		usleep(SETTLE_MS * 1000);
		cpu_idle(&idle1, &ncpu, &w1);
		w1 -= w0;
		idle1 -= idle0;
		printf(" cpu_busy_ns %lld cpu_window_ns %llu ncpu %d",
		       (long long)(ncpu * w1 - idle1), (unsigned long long)w1, ncpu);
	}
	printf("\n");
	close(fd);
	return fflush(stdout) ? 1 : 0;
}

static int do_recv(int argc, char **argv)
{
	const char *group = NULL, *ifname = NULL, *ready = NULL;
	unsigned long idle = 500, first = 10000;
	unsigned long long n = 0, bytes = 0;
	struct mmsghdr msg[BATCH];
	struct iovec iov[BATCH];
	struct sigaction sa = { .sa_handler = on_signal };
	struct dest d = { 0 };
	int fd, c, i, r, port = -1, one = 1, rcvbuf = RCVBUF;
	struct pollfd pfd;

	while ((c = getopt(argc, argv, "6g:p:i:R:T:W:")) != -1) {
		switch (c) {
		case '6': d.v6 = 1; break;
		case 'g': group = optarg; break;
		case 'p': port = num(optarg, 65535, "port"); break;
		case 'i': ifname = optarg; break;
		case 'R': ready = optarg; break;
		case 'T': idle = num(optarg, INT_MAX, "idle time"); break;
		case 'W': first = num(optarg, INT_MAX, "first wait"); break;
		default: exit(2);
		}
	}
	parse_dest(&d, group, port, ifname);

	fd = socket(d.v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		err(1, "socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(fd, (struct sockaddr *)&d.ss, d.len))
		err(1, "bind");
	if (d.v6) {
		struct ipv6_mreq mr = { .ipv6mr_interface = d.ifindex };

		mr.ipv6mr_multiaddr = ((struct sockaddr_in6 *)&d.ss)->sin6_addr;
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr, sizeof(mr)))
			err(1, "IPV6_JOIN_GROUP");
	} else {
		struct ip_mreqn mr = { .imr_ifindex = d.ifindex };

		mr.imr_multiaddr = ((struct sockaddr_in *)&d.ss)->sin_addr;
		if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr)))
			err(1, "IP_ADD_MEMBERSHIP");
	}
	/* No SA_RESTART: a signal ends poll() with EINTR. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (ready) {
		i = open(ready, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (i < 0)
			err(1, "%s", ready);
		close(i);
	}

	memset(msg, 0, sizeof(msg));
	for (i = 0; i < BATCH; i++) {
		iov[i].iov_base = buf[i];
		iov[i].iov_len = sizeof(buf[i]);
		msg[i].msg_hdr.msg_iov = &iov[i];
		msg[i].msg_hdr.msg_iovlen = 1;
	}
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (!stop) {
		r = poll(&pfd, 1, n ? idle : first);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			err(1, "poll");
		if (!r)
			break;
		r = recvmmsg(fd, msg, BATCH, MSG_DONTWAIT, NULL);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r < 0)
			err(1, "recvmmsg");
		for (i = 0; i < r; i++)
			bytes += msg[i].msg_len;
		n += r;
	}
	printf("received %llu bytes %llu\n", n, bytes);
	close(fd);
	return fflush(stdout) ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		errx(2, "usage: mcbench send|recv OPTIONS (see the source)");
	if (!strcmp(argv[1], "send"))
		return do_send(argc - 1, argv + 1);
	if (!strcmp(argv[1], "recv"))
		return do_recv(argc - 1, argv + 1);
	errx(2, "unknown command '%s'", argv[1]);
}
