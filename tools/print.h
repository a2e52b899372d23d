/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one printer: text or JSON, driven by the model's field tables. A
 * field the kernel did not report is left out of both.
 */
#ifndef PC5SEC_PRINT_H
#define PC5SEC_PRINT_H

#include <stdbool.h>

#include "model.h"

/*
 * pc5sec show: every group of l with its keys; with ns, the statistics of
 * each and of the namespace. JSON is one object, {"groups": [...]}.
 */
void print_groups(const struct group_list *l, const struct stats *ns,
		  bool json);

/* One line for an event (or "renewed"): the fields of g and its key */
void print_event(const char *event, const struct group_info *g, bool json);

/* len octets at p as lowercase hex in buf, of 2 * len + 1; returns buf */
char *hex_str(const uint8_t *p, size_t len, char *buf);

/* The line print_event() writes with JSON, without the newline; malloc'd */
char *event_json(const char *event, const struct group_info *g);

/*
 * For monitor --exec's command: PC5SEC_EVENT, and each field of g and its
 * key that text writes as PC5SEC_NAME (the text name in upper case, '-' as
 * '_', the address as PC5SEC_GROUP), valued as text writes it but times as
 * UNIX seconds. Each such variable that g lacks is unset.
 */
void event_setenv(const char *event, const struct group_info *g);

#endif
