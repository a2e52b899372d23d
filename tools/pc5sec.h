/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pc5sec: what the commands share.
 */
#ifndef PC5SEC_TOOL_H
#define PC5SEC_TOOL_H

#include <stddef.h>

#define PROG_NAME		"pc5sec"
#define STATE_DIR_DEFAULT	"/var/lib/pc5sec"

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define BIT(n)			(1u << (n))

/* --state-dir: where tx PTK ID reservations are kept */
extern const char *state_dir;

/*
 * A command table entry. A command with a synopsis is a leaf: the
 * dispatcher answers its --help. One without (group, key) dispatches on.
 */
struct cmd {
	const char *name;
	int (*fn)(int argc, char *argv[]);	/* argv[0] is the name */
	const char *desc;			/* one line */
	const char *synopsis;			/* after "pc5sec " */
	const char *help;			/* what follows the synopsis */
};

/* Runs the command of argv[1..]; argv[0] is the program */
int run_command(int argc, char *argv[]);

/* -b FILE: runs run_command() for each line of FILE */
int run_batch(const char *path);

/* Runs argv[1] from the table; prefix ("group ") names the level */
int dispatch(const char *prefix, const struct cmd *cmds, size_t n,
	     int argc, char *argv[]);

int cmd_group(int argc, char *argv[]);
int cmd_key(int argc, char *argv[]);
int cmd_show(int argc, char *argv[]);
int cmd_monitor(int argc, char *argv[]);
int cmd_genkey(int argc, char *argv[]);
int cmd_flush(int argc, char *argv[]);
int cmd_apply(int argc, char *argv[]);

#endif
