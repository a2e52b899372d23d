/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A namespace's groups and keys as one JSON document (pc5sec(8),
 * CONFIGURATION): pc5sec apply and pc5sec show --config.
 */
#ifndef PC5SEC_CONFIG_H
#define PC5SEC_CONFIG_H

#define CONFIG_VERSION 1

/* The prefix of a key's userdata that names the key file it came from */
#define USERDATA_FILE "file:"


struct group_list;
struct key_info;

/* show --config: the groups of l as a document */
int config_print(const struct group_list *l);

/*
 * Records in k's userdata that its PGK came from the key file at the
 * absolute path (left out if it does not fit), for show --config.
 */
void key_source_file_set(struct key_info *k, const char *path);

#endif
