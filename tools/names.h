/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Names of the uapi enums: suites, key states, plaintext policies,
 * statistics and events. A NULL return means the value is unknown.
 */
#ifndef PC5SEC_NAMES_H
#define PC5SEC_NAMES_H

const char *suite_name(unsigned int suite);
int suite_from_name(const char *name);		/* -1 if unknown */
const char *state_name(unsigned int state);
const char *plaintext_name(unsigned int policy);
int plaintext_from_name(const char *name);	/* -1 if unknown */
const char *stat_name(unsigned int stat);	/* "rx_drop_replay" */
const char *event_name(unsigned int cmd);	/* "key-tx-low" */

#endif
