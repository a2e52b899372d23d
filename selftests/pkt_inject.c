// SPDX-License-Identifier: GPL-2.0
/*
 * pkt_inject: send raw IPv4/IPv6 packets, given as hex lines, onto a link
 * with an AF_PACKET socket, bypassing the local IP stack. Helper for the
 * pc5sec selftests; it accepts the lines pkt_capture prints.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_PKT		65535
#define RETRY_MAX	2000		/* x 500us: about one second */
#define WS		" \t\r\n\v\f"

struct pkt {
	uint8_t *data;
	size_t len;
};

static void usage(FILE *f, int status)
{
	fprintf(f,
		"usage: pkt_inject -i IFNAME [-f FILE] [-c] [-n REPEAT]\n"
		"  -i IFNAME  interface to send on\n"
		"  -f FILE    read packets from FILE (default: stdin)\n"
		"  -c         recompute the IPv4 header and UDP checksums\n"
		"  -n REPEAT  send the list of packets REPEAT times (default 1)\n"
		"Input: one IP packet per line in hex (whitespace ignored, '#' lines\n"
		"skipped), or pkt_capture lines '<in|out> <0|1> <hex>'.\n"
		"Prints 'injected N packets'.\n");
	exit(status);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static uint16_t get16(const uint8_t *p)
{
	return p[0] << 8 | p[1];
}

/* Parse one input line; returns 0 for a packet, 1 for a line to skip. */
static int parse_line(char *s, unsigned long lineno, struct pkt *pkt)
{
	static uint8_t tmp[MAX_PKT];
	size_t len = 0, hlen, tok;
	int hi = -1, v;

	s += strspn(s, WS);
	if (!*s || *s == '#')
		return 1;
	tok = strcspn(s, WS);
	if ((tok == 2 && !strncmp(s, "in", 2)) ||
	    (tok == 3 && !strncmp(s, "out", 3))) {
		s += tok + strspn(s + tok, WS);		/* direction */
		tok = strcspn(s, WS);
		s += tok + strspn(s + tok, WS);		/* csum_partial */
		tok = strcspn(s, WS);
		if (!tok || s[tok + strspn(s + tok, WS)])
			errx(1, "line %lu: malformed pkt_capture line", lineno);
	}
	for (; *s; s++) {
		if (isspace((unsigned char)*s))
			continue;
		v = hexval((unsigned char)*s);
		if (v < 0)
			errx(1, "line %lu: invalid hex character '%c'", lineno, *s);
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (len == MAX_PKT)
			errx(1, "line %lu: packet longer than %d bytes", lineno, MAX_PKT);
		tmp[len++] = hi << 4 | v;
		hi = -1;
	}
	if (hi >= 0)
		errx(1, "line %lu: odd number of hex digits", lineno);
	if (!len || (tmp[0] >> 4 != 4 && tmp[0] >> 4 != 6))
		errx(1, "line %lu: not an IPv4 or IPv6 packet", lineno);
	hlen = tmp[0] >> 4 == 4 ? (tmp[0] & 15) * 4u : 40;
	if (hlen < 20 || len < hlen)
		errx(1, "line %lu: truncated or bad IP header (%zu bytes)",
		     lineno, len);
	pkt->data = malloc(len);
	if (!pkt->data)
		err(1, "malloc");
	memcpy(pkt->data, tmp, len);
	pkt->len = len;
	return 0;
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += get16(p + i);
	if (len & 1)
		sum += p[len - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

/* Recompute the IPv4 header checksum and an unfragmented UDP checksum. */
static void fix_csums(uint8_t *p, size_t len, unsigned long idx)
{
	uint8_t pseudo[8];
	size_t hlen, iplen, ulen;
	uint32_t sum;
	uint8_t *udp;

	if (p[0] >> 4 == 4) {
		hlen = (p[0] & 15) * 4;
		put16(p + 10, 0);
		put16(p + 10, csum_fold(csum_add(0, p, hlen)));
		if (p[9] != IPPROTO_UDP || (get16(p + 6) & 0x3fff))
			return;
		iplen = get16(p + 2);
		sum = csum_add(0, p + 12, 8);
	} else {
		hlen = 40;
		if (p[6] != IPPROTO_UDP)
			return;
		iplen = 40 + get16(p + 4);
		sum = csum_add(0, p + 8, 32);
	}
	udp = p + hlen;
	ulen = iplen >= hlen + 8 && iplen <= len ? get16(udp + 4) : 0;
	if (ulen < 8 || ulen > iplen - hlen) {
		warnx("packet %lu: bad IP/UDP length, UDP checksum left alone", idx);
		return;
	}
	/* The rest of the pseudo-header sums the same for v4 and v6. */
	memset(pseudo, 0, sizeof(pseudo));
	pseudo[3] = IPPROTO_UDP;
	put16(pseudo + 6, ulen);
	sum = csum_add(sum, pseudo, sizeof(pseudo));
	put16(udp + 6, 0);
	sum = csum_fold(csum_add(sum, udp, ulen));
	put16(udp + 6, sum ? sum : 0xffff);
}

static void set_dst_mac(const uint8_t *p, uint8_t *mac)
{
	if (p[0] >> 4 == 4 && (p[16] & 0xf0) == 0xe0) {
		memcpy(mac, "\x01\x00\x5e", 3);
		mac[3] = p[17] & 0x7f;
		memcpy(mac + 4, p + 18, 2);
	} else if (p[0] >> 4 == 6 && p[24] == 0xff) {
		memcpy(mac, "\x33\x33", 2);
		memcpy(mac + 2, p + 36, 4);
	} else {
		memset(mac, 0xff, 6);
	}
}

static void send_retry(int fd, const struct pkt *pkt, int ifindex)
{
	const struct timespec pause = { 0, 500000 };
	struct sockaddr_ll sll = { 0 };
	int tries = 0;
	ssize_t r;

	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = ifindex;
	sll.sll_protocol = htons(pkt->data[0] >> 4 == 4 ? ETH_P_IP : ETH_P_IPV6);
	sll.sll_halen = 6;
	set_dst_mac(pkt->data, sll.sll_addr);
	for (;;) {
		r = sendto(fd, pkt->data, pkt->len, 0,
			   (struct sockaddr *)&sll, sizeof(sll));
		if (r >= 0)
			return;
		if (errno == EINTR)
			continue;
		if ((errno == ENOBUFS || errno == EAGAIN) && tries++ < RETRY_MAX) {
			nanosleep(&pause, NULL);
			continue;
		}
		err(1, "sendto (%zu bytes)", pkt->len);
	}
}

int main(int argc, char **argv)
{
	const char *ifname = NULL, *file = NULL;
	unsigned long repeat = 1, npkts = 0, lineno = 0, r, i;
	unsigned long long sent = 0;
	struct pkt *pkts = NULL, pkt;
	int fix = 0, fd, ifindex, c;
	size_t cap = 0;
	char *line = NULL, *end;
	FILE *in = stdin;

	opterr = 0;
	while ((c = getopt(argc, argv, "i:f:cn:h")) != -1) {
		switch (c) {
		case 'i': ifname = optarg; break;
		case 'f': file = optarg; break;
		case 'c': fix = 1; break;
		case 'n':
			errno = 0;
			repeat = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || *optarg == '-')
				errx(2, "invalid repeat count '%s'", optarg);
			break;
		case 'h': usage(stdout, 0); break;
		default:
			warnx("bad option or missing argument: -%c", optopt);
			usage(stderr, 2);
		}
	}
	if (optind != argc || !ifname)
		usage(stderr, 2);
	ifindex = if_nametoindex(ifname);
	if (!ifindex)
		err(1, "%s", ifname);
	if (file) {
		in = fopen(file, "r");
		if (!in)
			err(1, "%s", file);
	}

	/* Parse everything first so that bad input sends nothing. */
	while (getline(&line, &cap, in) >= 0) {
		if (parse_line(line, ++lineno, &pkt))
			continue;
		pkts = reallocarray(pkts, npkts + 1, sizeof(*pkts));
		if (!pkts)
			err(1, "realloc");
		if (fix)
			fix_csums(pkt.data, pkt.len, npkts);
		pkts[npkts++] = pkt;
	}
	if (ferror(in))
		err(1, "read %s", file ? file : "stdin");
	free(line);

	fd = socket(AF_PACKET, SOCK_DGRAM, 0);	/* protocol 0: send only */
	if (fd < 0)
		err(1, "socket AF_PACKET");
	for (r = 0; r < repeat; r++) {
		for (i = 0; i < npkts; i++) {
			send_retry(fd, &pkts[i], ifindex);
			sent++;
		}
	}
	close(fd);
	printf("injected %llu packets\n", sent);
	return 0;
}
