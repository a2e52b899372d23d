/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Group addresses: IPv4 or IPv6 multicast.
 */
#ifndef PC5SEC_ADDR_H
#define PC5SEC_ADDR_H

#include <netinet/in.h>
#include <arpa/inet.h>
#include <libmnl/libmnl.h>

struct pc5_addr {
	int family;			/* AF_INET, AF_INET6; 0: none */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	};
};

#define ADDR_STRLEN INET6_ADDRSTRLEN

/* Parses a multicast address; prints why not and returns -1 */
int addr_parse(const char *s, struct pc5_addr *a);

/* The canonical text form, or "-" for none */
const char *addr_str(const struct pc5_addr *a, char buf[ADDR_STRLEN]);

/* Puts PC5SEC_A_GROUP_ADDR4 or PC5SEC_A_GROUP_ADDR6 */
void addr_put(struct nlmsghdr *nlh, const struct pc5_addr *a);

/* Takes a group address attribute; -1 if it is malformed */
int addr_get(const struct nlattr *attr, struct pc5_addr *a);

#endif
