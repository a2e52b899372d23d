// SPDX-License-Identifier: GPL-2.0
/*
 * mcast_recv: join an IPv4 or IPv6 multicast group, receive UDP datagrams
 * and optionally verify them against the deterministic payload layout of
 * mcast_send. Helper for the pc5sec selftests.
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
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_SEED	0x50433553u
#define MAX_TRACK	(1u << 26)	/* sequence numbers tracked for "lost" */
#define MAX_REPORT	10		/* bad datagrams described on stderr */
#define RCVBUF		(8 << 20)

static uint8_t buf[65536];
static uint8_t *seen;			/* bitmap of verified sequence numbers */
static size_t seen_bits;

static void usage(FILE *f, int status)
{
	fprintf(f,
		"usage: mcast_recv [-6] -g GROUP -p PORT [-i IFNAME] [-n COUNT] [-T TIMEOUT_MS]\n"
		"                  [-s SIZE] [-S SEED] [-V] [-x] [-o OUTFILE] [-R READYFILE]\n"
		"  -6            GROUP is an IPv6 address\n"
		"  -g GROUP      group to join; the socket is bound to it\n"
		"  -p PORT       UDP port\n"
		"  -i IFNAME     interface to join on (default: chosen by routing)\n"
		"  -n COUNT      stop after COUNT datagrams (default 1, 0: until timeout)\n"
		"  -T TIMEOUT_MS stop after this long without a datagram (default 5000)\n"
		"  -s SIZE       with -V, expected payload size\n"
		"  -S SEED       with -V, expected seed (default 0x%08x)\n"
		"  -V            verify payloads against the mcast_send layout\n"
		"  -x            print each payload as a line of hex\n"
		"  -o OUTFILE    append each raw payload to OUTFILE\n"
		"  -R READYFILE  create READYFILE once joined and bound\n"
		"Prints 'received N datagrams B bytes bad K lost L first F': with -V, L\n"
		"counts the sequence numbers below the highest that did not arrive, and\n"
		"F is the sequence number of the first good datagram.\n", DEFAULT_SEED);
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

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

static void touch(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		err(1, "%s", path);
	close(fd);
}

/* Record a verified sequence number; returns 1 if it was not seen before. */
static int seq_mark(uint32_t seq)
{
	size_t nbits;

	if (seq >= MAX_TRACK)
		return 0;
	if (seq >= seen_bits) {
		nbits = seen_bits ? seen_bits : 4096;
		while (nbits <= seq)
			nbits *= 2;
		seen = realloc(seen, nbits / 8);
		if (!seen)
			err(1, "realloc");
		memset(seen + seen_bits / 8, 0, (nbits - seen_bits) / 8);
		seen_bits = nbits;
	}
	if (seen[seq / 8] & (1u << (seq % 8)))
		return 0;
	seen[seq / 8] |= 1u << (seq % 8);
	return 1;
}

/*
 * Check a payload against the layout; its sequence number comes from its
 * first four bytes (a datagram shorter than that can only be checked
 * against its arrival index). Returns 0 if good, else the mismatch offset+1.
 */
static size_t verify(const uint8_t *p, size_t len, uint32_t index,
		     uint32_t seed, uint32_t *seqp)
{
	uint32_t seq = index;
	size_t i;

	if (len >= 4)
		seq = (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
	*seqp = seq;
	for (i = 0; i < len; i++)
		if (p[i] != payload_byte(seq, seed, i))
			return i + 1;
	return 0;
}

static void write_all(int fd, const uint8_t *p, size_t len, const char *path)
{
	ssize_t r;

	while (len) {
		r = write(fd, p, len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			err(1, "write %s", path);
		p += r;
		len -= r;
	}
}

int main(int argc, char **argv)
{
	const char *group = NULL, *ifname = NULL, *outfile = NULL, *ready = NULL;
	unsigned long count = 1, timeout = 5000, size = ULONG_MAX;
	unsigned long long n = 0, bytes = 0, bad = 0, distinct = 0;
	uint32_t seed = DEFAULT_SEED, seq, max_seq = 0, first = 0;
	int v6 = 0, check = 0, hex = 0, port = -1, outfd = -1;
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	unsigned int ifindex = 0;
	long long last, left;
	struct pollfd pfd;
	size_t mis, i;
	ssize_t len;
	int fd, c, one = 1, rcvbuf = RCVBUF;

	opterr = 0;
	while ((c = getopt(argc, argv, "6g:p:i:n:T:s:S:Vxo:R:h")) != -1) {
		switch (c) {
		case '6': v6 = 1; break;
		case 'g': group = optarg; break;
		case 'p': port = parse_num(optarg, 65535, 10, "port"); break;
		case 'i': ifname = optarg; break;
		case 'n': count = parse_num(optarg, ULONG_MAX, 10, "count"); break;
		case 'T': timeout = parse_num(optarg, INT_MAX, 10, "timeout"); break;
		case 's': size = parse_num(optarg, 65535, 10, "size"); break;
		case 'S': seed = parse_num(optarg, UINT32_MAX, 0, "seed"); break;
		case 'V': check = 1; break;
		case 'x': hex = 1; break;
		case 'o': outfile = optarg; break;
		case 'R': ready = optarg; break;
		case 'h': usage(stdout, 0); break;
		default:
			warnx("bad option or missing argument: -%c", optopt);
			usage(stderr, 2);
		}
	}
	if (optind != argc || !group || port < 0)
		usage(stderr, 2);

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
	} else {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		if (inet_pton(AF_INET, group, &sin->sin_addr) != 1)
			errx(2, "invalid IPv4 group '%s'", group);
	}
	if (outfile) {
		outfd = open(outfile, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (outfd < 0)
			err(1, "%s", outfile);
	}

	fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		err(1, "socket");
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		err(1, "setsockopt SO_REUSEADDR");
	/* Room for unpaced bursts; best effort (FORCE needs CAP_NET_ADMIN). */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(fd, (struct sockaddr *)&ss, v6 ? sizeof(*sin6) : sizeof(*sin)))
		err(1, "bind %s port %d", group, port);
	if (v6) {
		struct ipv6_mreq mr = { .ipv6mr_interface = ifindex };

		mr.ipv6mr_multiaddr = sin6->sin6_addr;
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr, sizeof(mr)))
			err(1, "IPV6_JOIN_GROUP %s", group);
	} else {
		struct ip_mreqn mr = { .imr_ifindex = ifindex };

		mr.imr_multiaddr = sin->sin_addr;
		if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr)))
			err(1, "IP_ADD_MEMBERSHIP %s", group);
	}
	if (ready)
		touch(ready);

	pfd.fd = fd;
	pfd.events = POLLIN;
	last = now_ms();
	while (!count || n < count) {
		left = (long long)timeout - (now_ms() - last);
		if (left <= 0)
			break;
		c = poll(&pfd, 1, left);
		if (c < 0 && errno == EINTR)
			continue;
		if (c < 0)
			err(1, "poll");
		if (!c)
			break;
		len = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (len < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (len < 0)
			err(1, "recv");
		last = now_ms();

		if (check) {
			mis = verify(buf, len, n, seed, &seq);
			if (mis || (size != ULONG_MAX && (size_t)len != size)) {
				if (bad++ < MAX_REPORT)
					warnx("bad datagram #%llu: %zd bytes, seq %u, %s at %zu",
					      n, len, seq,
					      mis ? "mismatch" : "unexpected size",
					      mis ? mis - 1 : (size_t)len);
			} else if (len >= 4 && seq_mark(seq)) {
				if (!distinct)
					first = seq;
				distinct++;
				if (seq > max_seq)
					max_seq = seq;
			}
		}
		if (hex) {
			for (i = 0; i < (size_t)len; i++)
				printf("%02x", buf[i]);
			putchar('\n');
			fflush(stdout);
		}
		if (outfd >= 0)
			write_all(outfd, buf, len, outfile);
		n++;
		bytes += len;
	}
	close(fd);
	if (outfd >= 0 && close(outfd))
		err(1, "close %s", outfile);

	printf("received %llu datagrams %llu bytes bad %llu lost %llu first %u\n",
	       n, bytes, bad, distinct ? max_seq + 1ULL - distinct : 0ULL, first);
	if (fflush(stdout))
		err(1, "stdout");
	if (bad || (count && n < count))
		return 1;
	return 0;
}
