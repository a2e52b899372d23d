// SPDX-License-Identifier: GPL-2.0
/*
 * Group addresses: IPv4 or IPv6 multicast.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <linux/pc5sec.h>

#include "addr.h"
#include "pc5sec.h"

int addr_parse(const char *s, struct pc5_addr *a)
{
	char buf[ADDR_STRLEN];

	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, &a->v4) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, s, &a->v6) == 1)
		a->family = AF_INET6;
	if (!a->family) {
		fprintf(stderr, "%s: '%s' is not an IPv4 or IPv6 address\n",
			PROG_NAME, s);
		return -1;
	}
	if (a->family == AF_INET ? IN_MULTICAST(ntohl(a->v4.s_addr)) :
	    IN6_IS_ADDR_MULTICAST(&a->v6))
		return 0;
	fprintf(stderr, "%s: %s is not a multicast address (a ProSe group address is IPv4 224.0.0.0/4 or IPv6 ff00::/8)\n",
		PROG_NAME, addr_str(a, buf));
	return -1;
}

const char *addr_str(const struct pc5_addr *a, char buf[ADDR_STRLEN])
{
	if (!a->family || !inet_ntop(a->family, (const void *)&a->v4, buf, ADDR_STRLEN))
		return "-";
	return buf;
}

void addr_put(struct nlmsghdr *nlh, const struct pc5_addr *a)
{
	if (a->family == AF_INET)
		mnl_attr_put(nlh, PC5SEC_A_GROUP_ADDR4, sizeof(a->v4), &a->v4);
	else
		mnl_attr_put(nlh, PC5SEC_A_GROUP_ADDR6, sizeof(a->v6), &a->v6);
}

int addr_get(const struct nlattr *attr, struct pc5_addr *a)
{
	bool v4 = mnl_attr_get_type(attr) == PC5SEC_A_GROUP_ADDR4;
	size_t len = v4 ? sizeof(a->v4) : sizeof(a->v6);

	if (mnl_attr_get_payload_len(attr) != len) {
		errno = EBADMSG;
		return -1;
	}
	memset(a, 0, sizeof(*a));
	a->family = v4 ? AF_INET : AF_INET6;
	memcpy(&a->v6, mnl_attr_get_payload(attr), len);
	return 0;
}
