// SPDX-License-Identifier: GPL-2.0
/*
 * pkt_forge: what an attacker in radio range sends, without the PGK, onto
 * a link with an AF_PACKET socket. Helper for the pc5sec selftests.
 *
 * Forging: pc5sec datagrams with the header fields given (each fixed,
 * random, or stepping) and random octets as ciphertext and ICV.
 * Fuzzing (-F): mutated copies of captured protected datagrams: bit flips,
 * truncation, growth, every header field, IPv4 options, IPv6 extension
 * headers, fragments, lying lengths, other protocols, plain replays.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pktlib.h"

static void usage(FILE *f, int status)
{
	fprintf(f,
		"usage: pkt_forge -i IFNAME -s SRC -d GROUP [-V VER] [-S SUITE] [-k INDEX]\n"
		"                 [-m MEMBER] [-p PTK_ID] [-c COUNTER] [-N NEXT] [-l LEN]\n"
		"                 [-P PROTO] [-n COUNT] [-r PPS [-b BURST]] [-x SEED]\n"
		"       pkt_forge -i IFNAME -F TEMPLATES [-n COUNT] [-r PPS [-b BURST]] [-x SEED]\n"
		"  -i IFNAME     interface to send on\n"
		"  -s SRC        IPv4 or IPv6 source address\n"
		"  -d GROUP      destination (the group address, same family)\n"
		"  -V VER        header version (default 1)\n"
		"  -S SUITE      header suite (default 4, aes-gcm-128)\n"
		"  -k INDEX      PGK index (default 1)\n"
		"  -m MEMBER     Group Member ID (default 1)\n"
		"  -p PTK_ID     PTK ID (default 0)\n"
		"  -c COUNTER    counter (default 1:1)\n"
		"                each of -m, -p, -c: N, \"rand\", or START:STEP (wraps)\n"
		"  -N NEXT       next header (default 17)\n"
		"  -l LEN        random octets after the header (default 64)\n"
		"  -P PROTO      IP protocol / next header naming pc5sec (default 253)\n"
		"  -F TEMPLATES  fuzz: mutate the packets of this file (hex or\n"
		"                pkt_capture lines), a random one each time\n"
		"  -n COUNT      packets to send (default 1)\n"
		"  -r PPS        pace to about PPS packets/s (default 0: unpaced)\n"
		"  -b BURST      ... in bursts of BURST packets (default 1)\n"
		"  -x SEED       random seed (default 1)\n"
		"Prints 'sent N packets'; with -F, also how often each mutation was made.\n");
	exit(status);
}

static uint64_t rng_state = 1;

static uint64_t rnd(void)
{
	/* xorshift64*: fast, and a seed replays a run. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static uint32_t rnd_below(uint32_t n)
{
	return n ? rnd() % n : 0;
}

static void rnd_fill(uint8_t *p, size_t len)
{
	while (len--)
		*p++ = rnd();
}

static unsigned long parse_num(const char *s, unsigned long max, const char *what)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || *s == '-' || v > max)
		errx(2, "invalid %s '%s'", what, s);
	return v;
}

/* A header field: fixed, random, or START + i * STEP, within its width. */
struct field {
	uint32_t start, step, mask;
	int random;
};

static void parse_field(struct field *f, const char *s, uint32_t mask, const char *what)
{
	char *colon, buf[64];

	f->mask = mask;
	f->random = !strcmp(s, "rand");
	f->step = 0;
	if (f->random)
		return;
	snprintf(buf, sizeof(buf), "%s", s);
	colon = strchr(buf, ':');
	if (colon) {
		*colon = '\0';
		f->step = parse_num(colon + 1, mask, what);
	}
	f->start = parse_num(buf, mask, what);
}

static uint32_t field_value(const struct field *f, unsigned long i)
{
	if (f->random)
		return rnd() & f->mask;
	return (f->start + i * f->step) & f->mask;
}

/* The IP layer's lengths (and the IPv4 header checksum) for @len octets. */
static void fix_ip(uint8_t *p, size_t len)
{
	if (p[0] >> 4 == 4) {
		put16(p + 2, len);
		pkt_ip4_csum(p);
	} else {
		put16(p + 4, len - 40);
	}
}

/* --- forging ----------------------------------------------------------- */

struct forge {
	uint8_t ip[40];
	size_t iplen;
	uint8_t ver, suite, index, next;
	struct field member, ptk, counter;
	size_t body;
};

static void forge_ip(struct forge *fg, const char *src, const char *dst, uint8_t proto)
{
	uint8_t *p = fg->ip;

	memset(p, 0, sizeof(fg->ip));
	if (inet_pton(AF_INET, src, p + 12) == 1) {
		if (inet_pton(AF_INET, dst, p + 16) != 1)
			errx(2, "-d %s: not an IPv4 address", dst);
		p[0] = 0x45;
		p[8] = 1;			/* TTL */
		p[9] = proto;
		fg->iplen = 20;
	} else if (inet_pton(AF_INET6, src, p + 8) == 1) {
		if (inet_pton(AF_INET6, dst, p + 24) != 1)
			errx(2, "-d %s: not an IPv6 address", dst);
		p[0] = 0x60;
		p[6] = proto;
		p[7] = 1;			/* hop limit */
		fg->iplen = 40;
	} else {
		errx(2, "-s %s: not an IPv4 or IPv6 address", src);
	}
}

static size_t forge_one(const struct forge *fg, unsigned long i, uint8_t *p)
{
	uint8_t *h = p + fg->iplen;
	uint32_t member = field_value(&fg->member, i);
	size_t len = fg->iplen + PC5_HDR_LEN + fg->body;

	memcpy(p, fg->ip, fg->iplen);
	h[0] = fg->ver << 4 | (fg->suite & 15);
	h[1] = fg->next;
	h[2] = fg->index;
	h[3] = member >> 16;
	h[4] = member >> 8;
	h[5] = member;
	put16(h + 6, field_value(&fg->ptk, i));
	put16(h + 8, field_value(&fg->counter, i));
	rnd_fill(h + PC5_HDR_LEN, fg->body);
	fix_ip(p, len);
	return len;
}

/* --- fuzzing ----------------------------------------------------------- */

enum mutation {
	M_FLIP, M_FLIP_IP, M_TRUNC, M_GROW, M_VERSUITE, M_NEXT, M_INDEX, M_MEMBER,
	M_PTK, M_COUNTER, M_OPTIONS, M_FRAG, M_LEN_LIE, M_PROTO, M_BODY, M_REPLAY,
	M_MAX
};

static const char *const mutation_names[M_MAX] = {
	"flip", "flip-ip", "truncate", "grow", "version-suite", "next-header",
	"index", "member", "ptk-id", "counter", "options", "fragment", "length-lie",
	"protocol", "body", "replay",
};

struct tmpl {
	uint8_t *data;
	size_t len;
};

/* Inserts @n octets at @off (room permitting); returns the new length. */
static size_t insert(uint8_t *p, size_t len, size_t off, const uint8_t *what, size_t n)
{
	if (len + n > PKT_MAX)
		return len;
	memmove(p + off + n, p + off, len - off);
	memcpy(p + off, what, n);
	return len + n;
}

/* IPv4 options, or an IPv6 hop-by-hop or destination options header. */
static size_t add_options(uint8_t *p, size_t len)
{
	uint8_t opt[40];
	size_t n, hl;

	if (p[0] >> 4 == 4) {
		hl = (p[0] & 15) * 4;
		n = 4 * (1 + rnd_below((60 - hl) / 4 + 1));
		if (hl + n > 60)
			return len;
		switch (rnd_below(3)) {
		case 0:
			memset(opt, 1, n);		/* NOP */
			break;
		case 1:
			memset(opt, 0, n);		/* EOL */
			memcpy(opt, "\x94\x04\x00\x00", 4);	/* router alert */
			break;
		default:
			rnd_fill(opt, n);
		}
		len = insert(p, len, hl, opt, n);
		p[0] = 0x40 | (hl + n) / 4;
		return len;
	}
	n = 8 * (1 + rnd_below(3));
	memset(opt, 0, n);
	opt[0] = p[6];
	opt[1] = n / 8 - 1;
	opt[2] = 1;				/* PadN */
	opt[3] = n - 4;
	if (rnd_below(4) == 0)
		rnd_fill(opt + 2, n - 2);
	p[6] = rnd_below(2) ? 0 : 60;
	return insert(p, len, 40, opt, n);
}

static size_t add_fragment(uint8_t *p, size_t len)
{
	uint8_t fh[8];
	size_t proto_off, up;

	if (p[0] >> 4 == 4) {
		put16(p + 6, (rnd_below(2) ? 0x2000 : 0) | rnd_below(0x2000));
		return len;
	}
	up = pkt_upper(p, len, &proto_off);
	if (!up)
		return len;
	fh[0] = p[proto_off];
	fh[1] = 0;
	put16(fh + 2, rnd_below(0x10000) & 0xfff9);
	rnd_fill(fh + 4, 4);
	p[proto_off] = 44;
	return insert(p, len, up, fh, sizeof(fh));
}

static size_t mutate(uint8_t *p, size_t len, enum mutation m, int *lie)
{
	size_t proto_off, up = pkt_upper(p, len, &proto_off);
	uint8_t *h = p + up, grow[256];
	size_t n;

	/* Header fields need a header: the later mutations make do without. */
	if (!up || up + PC5_HDR_LEN > len)
		m = M_FLIP;
	switch (m) {
	case M_FLIP:
		for (n = 1 + rnd_below(8); n; n--)
			p[rnd_below(len)] ^= 1 << rnd_below(8);
		break;
	case M_FLIP_IP:
		p[rnd_below(up ? up : len)] ^= 1 << rnd_below(8);
		break;
	case M_TRUNC:
		len = up + rnd_below(len - up);
		*lie |= rnd_below(8) == 0;
		break;
	case M_GROW:
		n = 1 + rnd_below(sizeof(grow));
		rnd_fill(grow, n);
		len = insert(p, len, len, grow, n);
		break;
	case M_VERSUITE:
		h[0] = rnd_below(2) ? rnd() : (h[0] & 0xf0) | rnd_below(16);
		break;
	case M_NEXT:
		h[1] = rnd();
		break;
	case M_INDEX:
		h[2] = rnd_below(2) ? (uint8_t)rnd() : h[2] + 1u;
		break;
	case M_MEMBER:
		n = rnd_below(3);
		memset(h + 3, n == 0 ? 0 : 0xff, 3);
		if (n == 2)
			rnd_fill(h + 3, 3);
		break;
	case M_PTK:
	case M_COUNTER:
		n = rnd_below(4);
		put16(h + (m == M_PTK ? 6 : 8), n == 0 ? 0 : n == 1 ? 0xffff :
		      n == 2 ? get16(h + (m == M_PTK ? 6 : 8)) + 1u : (uint16_t)rnd());
		break;
	case M_OPTIONS:
		len = add_options(p, len);
		break;
	case M_FRAG:
		len = add_fragment(p, len);
		break;
	case M_LEN_LIE:
		put16(p + (p[0] >> 4 == 4 ? 2 : 4), rnd());
		*lie = 1;
		break;
	case M_PROTO:
		n = rnd_below(4);
		p[proto_off] = n == 0 ? 17 : n == 1 ? 2 : n == 2 ? 58 : rnd();
		break;
	case M_BODY:
		if (rnd_below(2))
			memset(h + PC5_HDR_LEN, 0, len - up - PC5_HDR_LEN);
		else
			rnd_fill(h + PC5_HDR_LEN, len - up - PC5_HDR_LEN);
		break;
	case M_REPLAY:
	case M_MAX:
		break;
	}
	return len;
}

static size_t fuzz_one(const struct tmpl *t, size_t nt, uint8_t *p, unsigned long *counts)
{
	const struct tmpl *src = &t[rnd_below(nt)];
	size_t len = src->len, k;
	int lie = 0;
	enum mutation m;

	memcpy(p, src->data, len);
	for (k = 1 + rnd_below(3); k; k--) {
		m = rnd_below(M_MAX);
		counts[m]++;
		len = mutate(p, len, m, &lie);
		if (m == M_REPLAY)
			break;
	}
	if (len < 20)
		len = 20;
	if (!lie)
		fix_ip(p, len);
	else if (p[0] >> 4 == 4)
		pkt_ip4_csum(p);
	return len;
}

static size_t load_templates(const char *file, struct tmpl **t)
{
	static uint8_t buf[PKT_MAX];
	unsigned long lineno = 0;
	size_t n = 0, cap = 0, len;
	char *line = NULL;
	FILE *in;

	in = fopen(file, "r");
	if (!in)
		err(1, "%s", file);
	while (getline(&line, &cap, in) >= 0) {
		len = pkt_parse_line(line, ++lineno, buf);
		if (!len)
			continue;
		*t = reallocarray(*t, n + 1, sizeof(**t));
		if (!*t)
			err(1, "realloc");
		(*t)[n].data = malloc(len);
		if (!(*t)[n].data)
			err(1, "malloc");
		memcpy((*t)[n].data, buf, len);
		(*t)[n++].len = len;
	}
	free(line);
	fclose(in);
	if (!n)
		errx(1, "%s: no packets", file);
	return n;
}

/* --- sending ----------------------------------------------------------- */

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* Sleeps until packet @i is due at @pps from @start, a burst at a time. */
static void pace(double start, unsigned long i, unsigned long pps, unsigned long burst)
{
	double ahead;
	struct timespec ts;

	if (!pps || i % burst)
		return;
	ahead = start + (double)i / pps - now_s();
	if (ahead <= 0)
		return;
	ts.tv_sec = ahead;
	ts.tv_nsec = (ahead - ts.tv_sec) * 1e9;
	nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
	const char *ifname = NULL, *src = NULL, *dst = NULL, *tfile = NULL;
	unsigned long count = 1, pps = 0, burst = 1, i, counts[M_MAX] = { 0 };
	static uint8_t pkt[PKT_MAX];
	struct forge fg = { .ver = 1, .suite = 4, .index = 1, .next = 17, .body = 64 };
	struct tmpl *t = NULL;
	uint8_t proto = 253;
	int fd, ifindex, c;
	size_t nt = 0, len;
	double start;

	parse_field(&fg.member, "1", 0xffffff, "member ID");
	parse_field(&fg.ptk, "0", 0xffff, "PTK ID");
	parse_field(&fg.counter, "1:1", 0xffff, "counter");
	opterr = 0;
	while ((c = getopt(argc, argv, "i:s:d:V:S:k:m:p:c:N:l:P:F:n:r:b:x:h")) != -1) {
		switch (c) {
		case 'i': ifname = optarg; break;
		case 's': src = optarg; break;
		case 'd': dst = optarg; break;
		case 'V': fg.ver = parse_num(optarg, 15, "version"); break;
		case 'S': fg.suite = parse_num(optarg, 15, "suite"); break;
		case 'k': fg.index = parse_num(optarg, 255, "index"); break;
		case 'm': parse_field(&fg.member, optarg, 0xffffff, "member ID"); break;
		case 'p': parse_field(&fg.ptk, optarg, 0xffff, "PTK ID"); break;
		case 'c': parse_field(&fg.counter, optarg, 0xffff, "counter"); break;
		case 'N': fg.next = parse_num(optarg, 255, "next header"); break;
		case 'l': fg.body = parse_num(optarg, 60000, "length"); break;
		case 'P': proto = parse_num(optarg, 255, "protocol"); break;
		case 'F': tfile = optarg; break;
		case 'n': count = parse_num(optarg, ~0UL, "count"); break;
		case 'r': pps = parse_num(optarg, ~0UL, "rate"); break;
		case 'b': burst = parse_num(optarg, 1 << 20, "burst") ?: 1; break;
		case 'x': rng_state = parse_num(optarg, ~0UL, "seed") ?: 1; break;
		case 'h': usage(stdout, 0); break;
		default:
			warnx("bad option or missing argument: -%c", optopt);
			usage(stderr, 2);
		}
	}
	if (optind != argc || !ifname || (!tfile && (!src || !dst)))
		usage(stderr, 2);
	if (tfile)
		nt = load_templates(tfile, &t);
	else
		forge_ip(&fg, src, dst, proto);

	fd = pkt_open(ifname, &ifindex);
	start = now_s();
	for (i = 0; i < count; i++) {
		len = tfile ? fuzz_one(t, nt, pkt, counts) : forge_one(&fg, i, pkt);
		pace(start, i, pps, burst);
		pkt_send(fd, ifindex, pkt, len);
	}
	printf("sent %lu packets\n", count);
	if (tfile) {
		for (i = 0; i < M_MAX; i++)
			printf("%s%s=%lu", i ? " " : "mutations: ", mutation_names[i], counts[i]);
		putchar('\n');
	}
	return 0;
}
