// SPDX-License-Identifier: GPL-2.0
/*
 * mcast_send: send UDP datagrams with a deterministic, verifiable payload
 * to an IPv4 or IPv6 multicast group. Helper for the pc5sec selftests.
 *
 * Payload layout (shared with mcast_recv): bytes 0..3 hold the big-endian
 * datagram sequence number, bytes 4..7 the big-endian seed, and byte i >= 8
 * is (uint8_t)(seq * 31 + i * 7 + seed). Shorter payloads carry a prefix.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "pktlib.h"

#ifndef SOL_UDP
#define SOL_UDP		17
#endif
#ifndef UDP_SEGMENT
#define UDP_SEGMENT	103
#endif

#define MAX_SIZE	65000
#define DEFAULT_SEED	0x50433553u

static uint8_t buf[MAX_SIZE];

static void usage(FILE *f, int status)
{
	fprintf(f,
		"usage: mcast_send [-6] -g GROUP -p PORT [-i IFNAME] [-s SIZE] [-n COUNT]\n"
		"                  [-G GSO_SIZE] [-t TTL] [-l 0|1] [-r PPS] [-S SEED] [-d DATAFILE] [-E]\n"
		"  -6           GROUP is an IPv6 address\n"
		"  -g GROUP     multicast group to send to\n"
		"  -p PORT      UDP destination port\n"
		"  -i IFNAME    outgoing interface (IP_MULTICAST_IF / IPV6_MULTICAST_IF)\n"
		"  -s SIZE      payload bytes per sendmsg (default 64, max %d)\n"
		"  -n COUNT     datagrams to send (default 1)\n"
		"  -G GSO_SIZE  use UDP_SEGMENT: each SIZE buffer is split into GSO_SIZE\n"
		"               datagrams, each with its own sequence header; COUNT counts\n"
		"               datagrams (the last buffer is shortened as needed)\n"
		"  -t TTL       multicast hop limit (default 1)\n"
		"  -l 0|1       multicast loopback (default 1)\n"
		"  -r PPS       pace to about PPS datagrams/s (default 0: unpaced)\n"
		"  -S SEED      payload seed (default 0x%08x)\n"
		"  -d DATAFILE  send the file's bytes verbatim as every payload\n"
		"               (not with -G)\n"
		"  -E           IPv6: add a Destination Options header (8 octets, PadN)\n"
		"Prints 'sent N datagrams B bytes'.\n", MAX_SIZE, DEFAULT_SEED);
	exit(status);
}

static unsigned long parse_num(const char *s, unsigned long max, int base,
			       const char *what)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, base);
	if (errno || end == s || *end || *s == '-' || v > max)
		errx(2, "invalid %s '%s'", what, s);
	return v;
}

static uint8_t payload_byte(uint32_t seq, uint32_t seed, size_t i)
{
	if (i < 4)
		return (uint8_t)(seq >> (8 * (3 - i)));
	if (i < 8)
		return (uint8_t)(seed >> (8 * (7 - i)));
	return (uint8_t)(seq * 31 + i * 7 + seed);
}

static void fill_payload(uint8_t *p, size_t len, uint32_t seq, uint32_t seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = payload_byte(seq, seed, i);
}

static size_t read_datafile(const char *path)
{
	size_t len = 0;
	ssize_t r;
	uint8_t extra;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		err(1, "%s", path);
	while (len < MAX_SIZE) {
		r = read(fd, buf + len, MAX_SIZE - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			err(1, "read %s", path);
		if (!r)
			break;
		len += r;
	}
	if (len == MAX_SIZE && read(fd, &extra, 1) > 0)
		errx(1, "%s: larger than %d bytes", path, MAX_SIZE);
	close(fd);
	return len;
}

/* Sleep until datagram number n is due at PPS datagrams per second. */
static void pace(const struct timespec *start, uint64_t n, unsigned long pps)
{
	struct timespec t;
	uint64_t ns;

	if (!pps)
		return;
	ns = n * 1000000000ull / pps;
	t.tv_sec = start->tv_sec + ns / 1000000000ull;
	t.tv_nsec = start->tv_nsec + ns % 1000000000ull;
	if (t.tv_nsec >= 1000000000) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000;
	}
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL) == EINTR)
		;
}

int main(int argc, char **argv)
{
	unsigned long size = 64, count = 1, gso = 0, ttl = 1, loop = 1, pps = 0;
	const char *group = NULL, *ifname = NULL, *datafile = NULL;
	uint32_t seed = DEFAULT_SEED;
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	unsigned long seg, nseg, n, k, len, off;
	uint64_t sent = 0, bytes = 0;
	struct timespec start;
	unsigned int ifindex = 0;
	int v6 = 0, port = -1, dstopts = 0;
	socklen_t salen;
	int fd, c, val;

	opterr = 0;
	while ((c = getopt(argc, argv, "6g:p:i:s:n:G:t:l:r:S:d:Eh")) != -1) {
		switch (c) {
		case '6': v6 = 1; break;
		case 'g': group = optarg; break;
		case 'p': port = parse_num(optarg, 65535, 10, "port"); break;
		case 'i': ifname = optarg; break;
		case 's': size = parse_num(optarg, MAX_SIZE, 10, "size"); break;
		case 'n': count = parse_num(optarg, ULONG_MAX, 10, "count"); break;
		case 'G':
			gso = parse_num(optarg, MAX_SIZE, 10, "GSO size");
			if (!gso)
				errx(2, "GSO size must be at least 1");
			break;
		case 't': ttl = parse_num(optarg, 255, 10, "TTL"); break;
		case 'l': loop = parse_num(optarg, 1, 10, "loop flag"); break;
		case 'r': pps = parse_num(optarg, ULONG_MAX, 10, "rate"); break;
		case 'S': seed = parse_num(optarg, UINT32_MAX, 0, "seed"); break;
		case 'd': datafile = optarg; break;
		case 'E': dstopts = 1; break;
		case 'h': usage(stdout, 0); break;
		default:
			warnx("bad option or missing argument: -%c", optopt);
			usage(stderr, 2);
		}
	}
	if (optind != argc || !group || port < 0)
		usage(stderr, 2);
	if (gso && datafile)
		errx(2, "-G and -d are mutually exclusive");

	if (ifname) {
		ifindex = if_nametoindex(ifname);
		if (!ifindex)
			err(1, "%s", ifname);
	}
	if (v6) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		sin6->sin6_scope_id = ifindex;
		if (inet_pton(AF_INET6, group, &sin6->sin6_addr) != 1)
			errx(2, "invalid IPv6 group '%s'", group);
		salen = sizeof(*sin6);
	} else {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		if (inet_pton(AF_INET, group, &sin->sin_addr) != 1)
			errx(2, "invalid IPv4 group '%s'", group);
		salen = sizeof(*sin);
	}

	fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		err(1, "socket");
	val = ttl;
	if (setsockopt(fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP,
		       v6 ? IPV6_MULTICAST_HOPS : IP_MULTICAST_TTL,
		       &val, sizeof(val)))
		err(1, "setsockopt multicast TTL");
	val = loop;
	if (setsockopt(fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP,
		       v6 ? IPV6_MULTICAST_LOOP : IP_MULTICAST_LOOP,
		       &val, sizeof(val)))
		err(1, "setsockopt multicast loop");
	if (ifindex && v6) {
		val = ifindex;
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF,
			       &val, sizeof(val)))
			err(1, "setsockopt IPV6_MULTICAST_IF %s", ifname);
	} else if (ifindex) {
		struct ip_mreqn mr = { .imr_ifindex = ifindex };

		if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof(mr)))
			err(1, "setsockopt IP_MULTICAST_IF %s", ifname);
	}
	if (dstopts) {
		/* next header (set by the kernel), length 0, PadN of 4 octets */
		static const uint8_t opts[8] = { 0, 0, 1, 4, 0, 0, 0, 0 };

		if (!v6)
			errx(2, "-E needs -6");
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_DSTOPTS, opts, sizeof(opts)))
			err(1, "setsockopt IPV6_DSTOPTS");
	}
	if (gso) {
		val = gso;
		if (setsockopt(fd, SOL_UDP, UDP_SEGMENT, &val, sizeof(val)))
			err(1, "setsockopt UDP_SEGMENT %lu", gso);
	}

	if (datafile)
		size = read_datafile(datafile);

	/* Without -G, a "buffer" is a single datagram: one segment of SIZE. */
	seg = gso ? gso : size;
	nseg = seg && size ? (size + seg - 1) / seg : 1;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (sent < count) {
		n = count - sent < nseg ? count - sent : nseg;
		len = n == nseg ? size : n * seg;
		if (!datafile) {
			for (k = 0, off = 0; k < n; k++, off += seg)
				fill_payload(buf + off, len - off < seg ? len - off : seg,
					     sent + k, seed);
		}
		pace(&start, sent, pps);
		pkt_sendto(fd, buf, len, (struct sockaddr *)&ss, salen);
		sent += n;
		bytes += len;
	}
	close(fd);
	printf("sent %llu datagrams %llu bytes\n",
	       (unsigned long long)sent, (unsigned long long)bytes);
	return 0;
}
