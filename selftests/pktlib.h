/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Raw IP packets for the pc5sec selftest helpers (pkt_inject, pkt_forge):
 * hex lines in and out, checksums, and sending onto a link with an
 * AF_PACKET socket, below the local IP stack, as a radio in range would;
 * and a send that retries while buffers are full (mcast_send's too).
 */
#ifndef PKTLIB_H
#define PKTLIB_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define PKT_MAX		65535
#define PC5_HDR_LEN	10

static inline uint16_t get16(const uint8_t *p)
{
	return p[0] << 8 | p[1];
}

static inline void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

/*
 * One input line: an IP packet in hex (whitespace ignored), or a
 * pkt_capture line "<in|out> <csum> <hex>". Returns the packet's length,
 * 0 for a line to skip ('#' or empty); exits on malformed input.
 */
size_t pkt_parse_line(char *s, unsigned long lineno, uint8_t *buf);

uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len);
uint16_t csum_fold(uint32_t sum);

/* The IPv4 header checksum of @p (an IPv4 packet), computed anew. */
void pkt_ip4_csum(uint8_t *p);

/*
 * The offset of the upper-layer header of IP packet @p: after the IPv4
 * header, or the IPv6 header with the extension headers pc5sec keeps in
 * clear (hop-by-hop, routing, destination options). *proto_off is the
 * octet naming that layer. Returns 0 if the packet is too short.
 */
size_t pkt_upper(const uint8_t *p, size_t len, size_t *proto_off);

/* An AF_PACKET socket to send with, and the index of interface @ifname. */
int pkt_open(const char *ifname, int *ifindex);

/* sendto() of the whole of @p, retrying for about a second while buffers are full. */
void pkt_sendto(int fd, const void *p, size_t len, const struct sockaddr *sa, socklen_t salen);

/*
 * Sends one IP packet to the link-layer multicast address of its
 * destination (broadcast for a unicast one), retrying for about a second
 * while the device's queue is full. Exits on other errors.
 */
void pkt_send(int fd, int ifindex, const uint8_t *p, size_t len);

#endif
