// SPDX-License-Identifier: GPL-2.0
/*
 * pkt_inject: send raw IPv4/IPv6 packets, given as hex lines, onto a link
 * with an AF_PACKET socket, bypassing the local IP stack. Helper for the
 * pc5sec selftests; it accepts the lines pkt_capture prints.
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pktlib.h"

struct pkt {
	uint8_t *data;
	size_t len;
};

static uint8_t buf[PKT_MAX];

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

/* Recompute the IPv4 header checksum and an unfragmented UDP checksum. */
static void fix_csums(uint8_t *p, size_t len, unsigned long idx)
{
	uint8_t pseudo[8];
	size_t hlen, iplen, ulen;
	uint32_t sum;
	uint8_t *udp;

	if (p[0] >> 4 == 4) {
		hlen = (p[0] & 15) * 4;
		pkt_ip4_csum(p);
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
	if (file) {
		in = fopen(file, "r");
		if (!in)
			err(1, "%s", file);
	}

	/* Parse everything first so that bad input sends nothing. */
	while (getline(&line, &cap, in) >= 0) {
		pkt.len = pkt_parse_line(line, ++lineno, buf);
		if (!pkt.len)
			continue;
		pkt.data = malloc(pkt.len);
		if (!pkt.data)
			err(1, "malloc");
		memcpy(pkt.data, buf, pkt.len);
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

	fd = pkt_open(ifname, &ifindex);
	for (r = 0; r < repeat; r++) {
		for (i = 0; i < npkts; i++) {
			pkt_send(fd, ifindex, pkts[i].data, pkts[i].len);
			sent++;
		}
	}
	close(fd);
	printf("injected %llu packets\n", sent);
	return 0;
}
