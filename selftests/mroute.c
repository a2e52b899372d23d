// SPDX-License-Identifier: GPL-2.0
/*
 * mroute: a minimal multicast router for the pc5sec selftests. Turns on
 * multicast forwarding (MRT_INIT, MRT6_INIT), makes IN and OUT virtual
 * interfaces and forwards (SOURCE, GROUP) from IN to OUT until killed, as
 * a routing daemon would with one static route.
 */
#include <arpa/inet.h>
#include <err.h>
#include <linux/mroute.h>
#include <linux/mroute6.h>
#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void usage(FILE *f, int status)
{
	fprintf(f,
		"usage: mroute [-6] -i IN -o OUT -s SOURCE -g GROUP [-R READYFILE]\n"
		"  forwards multicast from SOURCE to GROUP arriving on interface IN\n"
		"  out of interface OUT, until killed; -6: IPv6 addresses;\n"
		"  -R: create READYFILE once it does\n");
	exit(status);
}

static unsigned int ifindex(const char *ifname)
{
	unsigned int i = if_nametoindex(ifname);

	if (!i)
		err(1, "%s", ifname);
	return i;
}

/* Virtual interface 0 is IN (the parent), 1 is OUT. */
static void route4(int fd, const char *ifs[2], const char *src, const char *grp)
{
	struct mfcctl mc = { .mfcc_parent = 0 };
	struct vifctl vc = { .vifc_flags = VIFF_USE_IFINDEX, .vifc_threshold = 1 };

	if (inet_pton(AF_INET, src, &mc.mfcc_origin) != 1 ||
	    inet_pton(AF_INET, grp, &mc.mfcc_mcastgrp) != 1)
		errx(2, "SOURCE and GROUP must be IPv4 addresses");
	for (vc.vifc_vifi = 0; vc.vifc_vifi < 2; vc.vifc_vifi++) {
		vc.vifc_lcl_ifindex = ifindex(ifs[vc.vifc_vifi]);
		if (setsockopt(fd, IPPROTO_IP, MRT_ADD_VIF, &vc, sizeof(vc)))
			err(1, "MRT_ADD_VIF %s", ifs[vc.vifc_vifi]);
	}
	mc.mfcc_ttls[1] = 1;
	if (setsockopt(fd, IPPROTO_IP, MRT_ADD_MFC, &mc, sizeof(mc)))
		err(1, "MRT_ADD_MFC");
}

static void route6(int fd, const char *ifs[2], const char *src, const char *grp)
{
	struct mf6cctl mc = { .mf6cc_parent = 0 };
	struct mif6ctl vc = { .vifc_threshold = 1 };

	mc.mf6cc_origin.sin6_family = AF_INET6;
	mc.mf6cc_mcastgrp.sin6_family = AF_INET6;
	if (inet_pton(AF_INET6, src, &mc.mf6cc_origin.sin6_addr) != 1 ||
	    inet_pton(AF_INET6, grp, &mc.mf6cc_mcastgrp.sin6_addr) != 1)
		errx(2, "SOURCE and GROUP must be IPv6 addresses");
	for (vc.mif6c_mifi = 0; vc.mif6c_mifi < 2; vc.mif6c_mifi++) {
		vc.mif6c_pifi = ifindex(ifs[vc.mif6c_mifi]);
		if (setsockopt(fd, IPPROTO_IPV6, MRT6_ADD_MIF, &vc, sizeof(vc)))
			err(1, "MRT6_ADD_MIF %s", ifs[vc.mif6c_mifi]);
	}
	IF_SET(1, &mc.mf6cc_ifset);
	if (setsockopt(fd, IPPROTO_IPV6, MRT6_ADD_MFC, &mc, sizeof(mc)))
		err(1, "MRT6_ADD_MFC");
}

int main(int argc, char **argv)
{
	const char *ifs[2] = { NULL, NULL }, *src = NULL, *grp = NULL, *ready = NULL;
	int fd, one = 1, v6 = 0, c;
	FILE *f;

	while ((c = getopt(argc, argv, "6i:o:s:g:R:h")) != -1) {
		switch (c) {
		case '6': v6 = 1; break;
		case 'i': ifs[0] = optarg; break;
		case 'o': ifs[1] = optarg; break;
		case 's': src = optarg; break;
		case 'g': grp = optarg; break;
		case 'R': ready = optarg; break;
		case 'h': usage(stdout, 0); break;
		default: usage(stderr, 2);
		}
	}
	if (!ifs[0] || !ifs[1] || !src || !grp || optind != argc)
		usage(stderr, 2);

	fd = v6 ? socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6) : socket(AF_INET, SOCK_RAW, IPPROTO_IGMP);
	if (fd < 0)
		err(1, "socket");
	if (setsockopt(fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? MRT6_INIT : MRT_INIT, &one,
		       sizeof(one)))
		err(1, "MRT_INIT");
	if (v6)
		route6(fd, ifs, src, grp);
	else
		route4(fd, ifs, src, grp);
	if (ready) {
		f = fopen(ready, "w");
		if (!f)
			err(1, "%s", ready);
		fclose(f);
	}
	pause();
	return 0;
}
