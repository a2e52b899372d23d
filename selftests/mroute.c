// SPDX-License-Identifier: GPL-2.0
/*
 * mroute: a minimal IPv4 multicast router for the pc5sec selftests. Turns
 * on multicast forwarding (MRT_INIT), makes IN and OUT virtual interfaces
 * and forwards (SOURCE, GROUP) from IN to OUT until killed, as a routing
 * daemon would with one static route.
 */
#include <arpa/inet.h>
#include <err.h>
#include <linux/mroute.h>
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
		"usage: mroute -i IN -o OUT -s SOURCE -g GROUP [-R READYFILE]\n"
		"  forwards IPv4 multicast from SOURCE to GROUP arriving on interface IN\n"
		"  out of interface OUT, until killed; -R: create READYFILE once it does\n");
	exit(status);
}

static void add_vif(int fd, vifi_t vifi, const char *ifname)
{
	struct vifctl vc = {
		.vifc_vifi = vifi,
		.vifc_flags = VIFF_USE_IFINDEX,
		.vifc_threshold = 1,
	};

	vc.vifc_lcl_ifindex = if_nametoindex(ifname);
	if (!vc.vifc_lcl_ifindex)
		err(1, "%s", ifname);
	if (setsockopt(fd, IPPROTO_IP, MRT_ADD_VIF, &vc, sizeof(vc)))
		err(1, "MRT_ADD_VIF %s", ifname);
}

int main(int argc, char **argv)
{
	const char *in = NULL, *out = NULL, *src = NULL, *grp = NULL, *ready = NULL;
	struct mfcctl mc = { .mfcc_parent = 0 };
	int fd, one = 1, c;
	FILE *f;

	while ((c = getopt(argc, argv, "i:o:s:g:R:h")) != -1) {
		switch (c) {
		case 'i': in = optarg; break;
		case 'o': out = optarg; break;
		case 's': src = optarg; break;
		case 'g': grp = optarg; break;
		case 'R': ready = optarg; break;
		case 'h': usage(stdout, 0); break;
		default: usage(stderr, 2);
		}
	}
	if (!in || !out || !src || !grp || optind != argc)
		usage(stderr, 2);
	if (inet_pton(AF_INET, src, &mc.mfcc_origin) != 1 ||
	    inet_pton(AF_INET, grp, &mc.mfcc_mcastgrp) != 1)
		errx(2, "SOURCE and GROUP must be IPv4 addresses");

	fd = socket(AF_INET, SOCK_RAW, IPPROTO_IGMP);
	if (fd < 0)
		err(1, "socket");
	if (setsockopt(fd, IPPROTO_IP, MRT_INIT, &one, sizeof(one)))
		err(1, "MRT_INIT");
	add_vif(fd, 0, in);
	add_vif(fd, 1, out);
	mc.mfcc_ttls[1] = 1;
	if (setsockopt(fd, IPPROTO_IP, MRT_ADD_MFC, &mc, sizeof(mc)))
		err(1, "MRT_ADD_MFC");
	if (ready) {
		f = fopen(ready, "w");
		if (!f)
			err(1, "%s", ready);
		fclose(f);
	}
	pause();
	return 0;
}
