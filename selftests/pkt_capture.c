// SPDX-License-Identifier: GPL-2.0
/*
 * pkt_capture: print the IPv4/IPv6 packets seen on one interface, in both
 * directions, as lines of hex. Helper for the pc5sec selftests.
 *
 * Output, one line per packet: "<in|out> <csum_partial 0|1> <hex>", where
 * csum_partial is 1 when the kernel reports TP_STATUS_CSUMNOTREADY (the
 * transport checksum was left for the device to finish). With -V it is
 * "START/OFFSET" instead, where the checksum to finish begins (counted from
 * the IP header) and where in that it goes (the kernel's csum_start and
 * csum_offset, from a virtio_net_hdr), or 0. -V is for Ethernet links.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <endian.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>
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

static uint8_t buf[256 * 1024];

static void usage(FILE *f, int status)
{
	fprintf(f,
		"usage: pkt_capture -i IFNAME [-n COUNT] [-T TIMEOUT_MS] [-P PROTO]\n"
		"                   [-d DSTADDR] [-R READYFILE] [-V]\n"
		"  -i IFNAME     interface to capture on (both directions)\n"
		"  -n COUNT      stop after COUNT printed packets (default 0: no limit)\n"
		"  -T TIMEOUT_MS total run time (default 5000)\n"
		"  -P PROTO      keep only this IPv4 protocol / IPv6 upper-layer header\n"
		"  -d DSTADDR    keep only packets to this IPv4 or IPv6 address\n"
		"  -R READYFILE  create READYFILE once the socket is bound\n"
		"  -V            print where a checksum left to finish is (START/OFFSET)\n"
		"Prints '<in|out> <csum_partial 0|1> <hex>' per packet to stdout and\n"
		"'# captured N packets' to stderr at the end.\n");
	exit(status);
}

static unsigned long parse_num(const char *s, unsigned long max,
			       const char *what)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v > max)
		errx(2, "invalid %s '%s'", what, s);
	return v;
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

/*
 * Find the destination address and upper-layer protocol of an IP packet.
 * IPv6 hop-by-hop, routing and destination options headers are skipped; for
 * a fragment header the next header inside it is reported. Returns -1 if
 * the packet is too short to be what sll_protocol says it is.
 */
static int ip_info(const uint8_t *p, size_t len, int v6,
		   const uint8_t **dst, int *proto)
{
	size_t off = 40;
	int nh;

	if (!v6) {
		if (len < 20 || p[0] >> 4 != 4)
			return -1;
		*dst = p + 16;
		*proto = p[9];
		return 0;
	}
	if (len < 40 || p[0] >> 4 != 6)
		return -1;
	*dst = p + 24;
	nh = p[6];
	while ((nh == 0 || nh == 43 || nh == 60) && off + 2 <= len) {
		nh = p[off];
		off += (p[off + 1] + 1) * 8;
	}
	if (nh == 44 && off + 1 <= len)
		nh = p[off];
	*proto = nh;
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long count = 0, timeout = 5000;
	const char *ifname = NULL, *ready = NULL, *dstarg = NULL;
	uint8_t want_dst[16];
	int want_proto = -1, want_v6 = 0, vnet = 0, fd, c, one = 1, rcvbuf = 8 << 20;
	char cbuf[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
	struct sockaddr_ll sll = { 0 };
	unsigned long long n = 0;
	long long deadline, left;
	struct cmsghdr *cm;
	struct pollfd pfd;
	struct msghdr msg;
	struct iovec iov;
	struct virtio_net_hdr vh = { 0 };
	const uint8_t *dst, *p;
	int ifindex, v6, proto, partial;
	ssize_t len, i;

	opterr = 0;
	while ((c = getopt(argc, argv, "i:n:T:P:d:R:Vh")) != -1) {
		switch (c) {
		case 'i': ifname = optarg; break;
		case 'n': count = parse_num(optarg, ULONG_MAX, "count"); break;
		case 'T': timeout = parse_num(optarg, INT_MAX, "timeout"); break;
		case 'P': want_proto = parse_num(optarg, 255, "protocol"); break;
		case 'd': dstarg = optarg; break;
		case 'R': ready = optarg; break;
		case 'V': vnet = 1; break;
		case 'h': usage(stdout, 0); break;
		default:
			warnx("bad option or missing argument: -%c", optopt);
			usage(stderr, 2);
		}
	}
	if (optind != argc || !ifname)
		usage(stderr, 2);
	if (dstarg) {
		if (inet_pton(AF_INET6, dstarg, want_dst) == 1)
			want_v6 = 1;
		else if (inet_pton(AF_INET, dstarg, want_dst) != 1)
			errx(2, "invalid address '%s'", dstarg);
	}
	ifindex = if_nametoindex(ifname);
	if (!ifindex)
		err(1, "%s", ifname);

	/* Protocol 0: nothing is queued until bind() picks the interface. */
	fd = socket(AF_PACKET, vnet ? SOCK_RAW : SOCK_DGRAM, 0);
	if (fd < 0)
		err(1, "socket AF_PACKET");
	if (setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one)))
		err(1, "setsockopt PACKET_AUXDATA");
	if (vnet && setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one)))
		err(1, "setsockopt PACKET_VNET_HDR");
	/* Room for bursts; best effort (FORCE needs CAP_NET_ADMIN). */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = ifindex;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)))
		err(1, "bind %s", ifname);
	if (ready)
		touch(ready);

	pfd.fd = fd;
	pfd.events = POLLIN;
	deadline = now_ms() + timeout;
	while (!count || n < count) {
		left = deadline - now_ms();
		if (left <= 0)
			break;
		c = poll(&pfd, 1, left);
		if (c < 0 && errno == EINTR)
			continue;
		if (c < 0)
			err(1, "poll");
		if (!c)
			break;

		iov.iov_base = buf;
		iov.iov_len = sizeof(buf);
		memset(&msg, 0, sizeof(msg));
		msg.msg_name = &sll;
		msg.msg_namelen = sizeof(sll);
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = cbuf;
		msg.msg_controllen = sizeof(cbuf);
		len = recvmsg(fd, &msg, MSG_DONTWAIT | MSG_TRUNC);
		if (len < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (len < 0)
			err(1, "recvmsg");
		if (sll.sll_ifindex != ifindex)
			continue;
		if (sll.sll_protocol == htons(ETH_P_IP))
			v6 = 0;
		else if (sll.sll_protocol == htons(ETH_P_IPV6))
			v6 = 1;
		else
			continue;
		if ((size_t)len > sizeof(buf)) {
			warnx("skipping %zd byte packet (too large)", len);
			continue;
		}
		p = buf;
		if (vnet) {
			/* SOCK_RAW (vnet headers need it): Ethernet header too. */
			if ((size_t)len < sizeof(vh) + ETH_HLEN)
				continue;
			memcpy(&vh, buf, sizeof(vh));
			p += sizeof(vh) + ETH_HLEN;
			len -= sizeof(vh) + ETH_HLEN;
		}
		if (ip_info(p, len, v6, &dst, &proto))
			continue;
		if (want_proto >= 0 && proto != want_proto)
			continue;
		if (dstarg && (v6 != want_v6 ||
			       memcmp(dst, want_dst, v6 ? 16 : 4)))
			continue;

		partial = 0;
		for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
			struct tpacket_auxdata aux;

			if (cm->cmsg_level != SOL_PACKET ||
			    cm->cmsg_type != PACKET_AUXDATA)
				continue;
			memcpy(&aux, CMSG_DATA(cm), sizeof(aux));
			partial = !!(aux.tp_status & TP_STATUS_CSUMNOTREADY);
		}
		printf("%s ", sll.sll_pkttype == PACKET_OUTGOING ? "out" : "in");
		if (vnet && (vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
			printf("%u/%u ", le16toh(vh.csum_start) - ETH_HLEN, le16toh(vh.csum_offset));
		else
			printf("%d ", vnet ? 0 : partial);
		for (i = 0; i < len; i++)
			printf("%02x", p[i]);
		putchar('\n');
		if (fflush(stdout))
			err(1, "stdout");
		n++;
	}
	close(fd);
	fprintf(stderr, "# captured %llu packets\n", n);
	return 0;
}
