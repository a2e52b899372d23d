/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pc5sec show: what the text and JSON printers share.
 */
#ifndef PC5SEC_SHOW_H
#define PC5SEC_SHOW_H

#include <stdbool.h>
#include <net/if.h>

#include "model.h"

struct show {
	bool stats, json;
	struct pc5_addr addr;		/* family 0: every group */
	struct group_list groups;
	struct stats ns;		/* the namespace's, with stats */
};

/* The name, or "unknown-N" for a value this tool does not know */
const char *enum_str(const char *name, unsigned int v, char buf[24]);

/* The interface's name, NULL if it has none in this namespace */
const char *dev_name(uint32_t ifindex, char buf[IF_NAMESIZE]);

/* A statistic's name, "stat_N" if unknown, NULL for no statistic */
const char *stat_str(const struct stats *s, unsigned int i, char buf[24]);

void show_json(const struct show *s);

#endif
