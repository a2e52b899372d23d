// SPDX-License-Identifier: GPL-2.0
/*
 * pc5sec show: the groups, their keys and statistics.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "ipc.h"
#include "pc5sec.h"
#include "print.h"

struct show {
	bool stats, json, config;
	struct pc5_addr addr;		/* family 0: every group */
	struct group_list groups;
	struct stats ns;		/* the namespace's, with stats */
};

static int parse_args(int argc, char *argv[], struct show *s)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-s") || !strcmp(argv[i], "--stats")) {
			s->stats = true;
		} else if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json")) {
			s->json = true;
		} else if (!strcmp(argv[i], "--config")) {
			s->config = true;
		} else if (argv[i][0] == '-' || s->addr.family) {
			fprintf(stderr, "%s: show: unexpected '%s' (see '%s show --help')\n",
				PROG_NAME, argv[i], PROG_NAME);
			return -1;
		} else if (addr_parse(argv[i], &s->addr)) {
			return -1;
		}
	}
	if (s->config && (s->stats || s->json || s->addr.family)) {
		fprintf(stderr, "%s: show: --config takes no address, -s or -j\n",
			PROG_NAME);
		return -1;
	}
	return 0;
}

int cmd_show(int argc, char *argv[])
{
	struct show s = { 0 };
	int ret;

	if (parse_args(argc, argv, &s))
		return 1;
	ret = ipc_groups(s.addr.family ? &s.addr : NULL, &s.groups, "show");
	if (!ret && s.stats)
		ret = ipc_stats(&s.ns, "show");
	if (!ret && s.config)
		ret = config_print(&s.groups);
	else if (!ret)
		print_groups(&s.groups, s.stats ? &s.ns : NULL, s.json);
	group_list_free(&s.groups);
	if (!ret && fflush(stdout)) {
		fprintf(stderr, "%s: show: %s\n", PROG_NAME, strerror(errno));
		ret = -errno;
	}
	return ret ? 1 : 0;
}
