// SPDX-License-Identifier: GPL-2.0
/* Raw IP packets for the selftest helpers: see pktlib.h. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "pktlib.h"

#define RETRY_MAX	2000		/* x 500us: about one second */
#define WS		" \t\r\n\v\f"

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

size_t pkt_parse_line(char *s, unsigned long lineno, uint8_t *buf)
{
	size_t len = 0, hlen, tok;
	int hi = -1, v;

	s += strspn(s, WS);
	if (!*s || *s == '#')
		return 0;
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
		if (len == PKT_MAX)
			errx(1, "line %lu: packet longer than %d bytes", lineno, PKT_MAX);
		buf[len++] = hi << 4 | v;
		hi = -1;
	}
	if (hi >= 0)
		errx(1, "line %lu: odd number of hex digits", lineno);
	if (!len || (buf[0] >> 4 != 4 && buf[0] >> 4 != 6))
		errx(1, "line %lu: not an IPv4 or IPv6 packet", lineno);
	hlen = buf[0] >> 4 == 4 ? (buf[0] & 15) * 4u : 40;
	if (hlen < 20 || len < hlen)
		errx(1, "line %lu: truncated or bad IP header (%zu bytes)", lineno, len);
	return len;
}

uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += get16(p + i);
	if (len & 1)
		sum += p[len - 1] << 8;
	return sum;
}

uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

void pkt_ip4_csum(uint8_t *p)
{
	put16(p + 10, 0);
	put16(p + 10, csum_fold(csum_add(0, p, (p[0] & 15) * 4)));
}

size_t pkt_upper(const uint8_t *p, size_t len, size_t *proto_off)
{
	size_t off;
	uint8_t nh;

	if (p[0] >> 4 == 4) {
		*proto_off = 9;
		off = (p[0] & 15) * 4;
		return off <= len ? off : 0;
	}
	if (len < 40)
		return 0;
	*proto_off = 6;
	nh = p[6];
	off = 40;
	while (nh == 0 || nh == 43 || nh == 60) {
		if (off + 2 > len)
			return 0;
		*proto_off = off;
		nh = p[off];
		off += (p[off + 1] + 1) * 8;
	}
	return off <= len ? off : 0;
}

int pkt_open(const char *ifname, int *ifindex)
{
	int fd;

	*ifindex = if_nametoindex(ifname);
	if (!*ifindex)
		err(1, "%s", ifname);
	fd = socket(AF_PACKET, SOCK_DGRAM, 0);	/* protocol 0: send only */
	if (fd < 0)
		err(1, "socket AF_PACKET");
	return fd;
}

static void dst_mac(const uint8_t *p, uint8_t *mac)
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

void pkt_sendto(int fd, const void *p, size_t len, const struct sockaddr *sa, socklen_t salen)
{
	const struct timespec pause = { 0, 500000 };
	int tries = 0;
	ssize_t r;

	for (;;) {
		r = sendto(fd, p, len, 0, sa, salen);
		if (r >= 0) {
			if ((size_t)r != len)
				errx(1, "short send: %zd of %zu bytes", r, len);
			return;
		}
		if (errno == EINTR)
			continue;
		if ((errno == ENOBUFS || errno == EAGAIN) && tries++ < RETRY_MAX) {
			nanosleep(&pause, NULL);
			continue;
		}
		err(1, "sendto (%zu bytes)", len);
	}
}

void pkt_send(int fd, int ifindex, const uint8_t *p, size_t len)
{
	struct sockaddr_ll sll = { 0 };

	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = ifindex;
	sll.sll_protocol = htons(p[0] >> 4 == 4 ? ETH_P_IP : ETH_P_IPV6);
	sll.sll_halen = 6;
	dst_mac(p, sll.sll_addr);
	pkt_sendto(fd, p, len, (struct sockaddr *)&sll, sizeof(sll));
}
