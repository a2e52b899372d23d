// SPDX-License-Identifier: GPL-2.0
/*
 * pc5sec: configure 3GPP ProSe group security (the pc5sec kernel module).
 * This file: global options, command dispatch and version.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <linux/pc5sec.h>

#include "ipc.h"
#include "pc5sec.h"

const char *state_dir = STATE_DIR_DEFAULT;

static bool is_help(const char *arg)
{
	return !strcmp(arg, "--help") || !strcmp(arg, "-h") ||
	       !strcmp(arg, "help");
}

static int cmd_version(int argc, char *argv[])
{
	struct nl *nl;
	int ret;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "Usage: %s version\n", PROG_NAME);
		return 1;
	}
	printf("pc5sec tool %s, uapi family version %d\n",
	       PC5SEC_TOOL_VERSION, PC5SEC_GENL_VERSION);
	ret = ipc_open(&nl);
	if (ret < 0) {
		fprintf(stderr, "%s: kernel family %s not available: %s%s\n",
			PROG_NAME, PC5SEC_GENL_NAME, strerror(-ret),
			ret == -ENOENT ? " (is the pc5sec module loaded?)" : "");
		return 1;
	}
	printf("kernel family %s version %u, id %u\n",
	       PC5SEC_GENL_NAME, nl->version, nl->family);
	return 0;
}

static const struct cmd commands[] = {
	{ "group", cmd_group, "Adds, changes and removes ProSe groups",
	  NULL, NULL },
	{ "key", cmd_key, "Installs and removes group keys (PGKs)",
	  NULL, NULL },
	{ "show", cmd_show, "Shows the groups, their keys and statistics",
	  "show [ADDR] [-s|--stats] [-j|--json]\n"
	  "       pc5sec show --config",
	  "Shows every group, or the group ADDR, with its keys. -s adds the\n"
	  "statistics of each group and key and of the network namespace; -j prints\n"
	  "one JSON object instead of text (schema in pc5sec(8)). --config prints\n"
	  "the groups and keys as a configuration document for apply, without key\n"
	  "material: each key's source as it was installed, and its check value.\n" },
	{ "apply", cmd_apply, "Makes the groups and keys those of a configuration document",
	  "apply [-n|--dry-run] [--replace] FILE|-",
	  "Reads a configuration document (JSON, format in pc5sec(8)) and makes the\n"
	  "network namespace's groups and keys equal to it: adds what is missing,\n"
	  "changes replay-window and plaintext in place, removes what the document\n"
	  "does not have, and leaves the rest untouched. The whole document is\n"
	  "checked before anything changes; removals and replacements run last,\n"
	  "and if the kernel refuses a step before them, the changes made so far\n"
	  "are undone. Keys past their expiry are not installed. A document that\n"
	  "changes an installed key (same pgk_id) or a group's group_id,\n"
	  "member_id, dev or bearer is refused unless --replace, which removes\n"
	  "and reinstalls them. -n prints the plan\n"
	  "(add, change, replace, remove, skip, unchanged) and changes nothing.\n"
	  "Prints each change made.\n" },
	{ "monitor", cmd_monitor, "Prints group and key events as they happen",
	  "monitor [-j|--json] [--renew] [--exec CMD [--on EVENT[,EVENT]...]]",
	  "Prints one line per event (a JSON object per line with -j) until killed.\n"
	  "--renew extends a key's tx PTK ID reservation from the state directory\n"
	  "by 64 PTK IDs when the kernel reports it running low or exhausted.\n"
	  "--exec runs CMD with /bin/sh -c for each chosen event, one at a time and\n"
	  "waiting for each, after any renewal: the event's JSON line on its stdin,\n"
	  "PC5SEC_EVENT, PC5SEC_GROUP, PC5SEC_PGK_ID, PC5SEC_INDEX, PC5SEC_SENDER_ID...\n"
	  "in its environment, its stdout on the monitor's stderr. --on chooses the\n"
	  "events by name (default: key-soft-expired,key-expired,key-tx-low,\n"
	  "key-tx-exhausted,unknown-pgk); \"lost\" (events were lost) always runs CMD.\n"
	  "A failing CMD is reported on stderr and the monitor goes on.\n" },
	{ "genkey", cmd_genkey, "Generates a random PGK",
	  "genkey",
	  "Prints a random 256-bit PGK as 64 hex digits, for key add's key-file.\n" },
	{ "flush", cmd_flush, "Removes every group",
	  "flush",
	  "Removes every group of the network namespace, with its keys.\n" },
	{ "version", cmd_version, "Shows the tool version and the kernel family it finds",
	  "version",
	  "Shows the tool version and the pc5sec generic netlink family's version.\n" },
};

static void usage(FILE *f, const char *prefix, const struct cmd *cmds,
		  size_t n)
{
	size_t i;

	fprintf(f, "Usage: %s %s%s<command> [<args>]\n",
		PROG_NAME, *prefix ? "" : "[--state-dir DIR] ", prefix);
	if (!*prefix)
		fprintf(f, "       %s [--state-dir DIR] -b FILE|-\n", PROG_NAME);
	fprintf(f, "\nAvailable commands:\n");
	for (i = 0; i < n; i++)
		fprintf(f, "  %-8s %s\n", cmds[i].name, cmds[i].desc);
	fprintf(f, "\n'%s %s<command> --help' describes a command.\n",
		PROG_NAME, prefix);
}

int dispatch(const char *prefix, const struct cmd *cmds, size_t n,
	     int argc, char *argv[])
{
	size_t i;

	if (argc < 2) {
		usage(stderr, prefix, cmds, n);
		return 1;
	}
	if (is_help(argv[1])) {
		usage(stdout, prefix, cmds, n);
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (strcmp(argv[1], cmds[i].name))
			continue;
		if (cmds[i].synopsis && argc > 2 && is_help(argv[2])) {
			printf("Usage: %s %s\n\n%s", PROG_NAME, cmds[i].synopsis,
			       cmds[i].help);
			return 0;
		}
		return cmds[i].fn(argc - 1, argv + 1);
	}
	fprintf(stderr, "%s: unknown command '%s%s'\n", PROG_NAME, prefix,
		argv[1]);
	usage(stderr, prefix, cmds, n);
	return 1;
}

int run_command(int argc, char *argv[])
{
	return dispatch("", commands, ARRAY_SIZE(commands), argc, argv);
}

static void shift(int *argc, char ***argv, int n)
{
	(*argv)[n] = (*argv)[0];
	*argv += n;
	*argc -= n;
}

/* Takes "--state-dir DIR", "--state-dir=DIR" and "-b FILE" */
static int global_options(int *argc, char ***argv, const char **batch)
{
	char **av;

	while (*argc > 1) {
		av = *argv;
		if (!strncmp(av[1], "--state-dir=", 12) && av[1][12]) {
			state_dir = av[1] + 12;
			shift(argc, argv, 1);
		} else if (!strcmp(av[1], "--state-dir") && *argc > 2 && *av[2]) {
			state_dir = av[2];
			shift(argc, argv, 2);
		} else if ((!strcmp(av[1], "-b") || !strcmp(av[1], "--batch")) &&
			   *argc > 2) {
			*batch = av[2];
			shift(argc, argv, 2);
		} else if (!strncmp(av[1], "--state-dir", 11) ||
			   !strcmp(av[1], "-b") || !strcmp(av[1], "--batch")) {
			fprintf(stderr, "%s: %s needs a %s\n", PROG_NAME, av[1],
				av[1][1] == '-' && av[1][2] == 's' ? "directory" : "file");
			return -1;
		} else {
			break;
		}
	}
	return 0;
}

int main(int argc, char *argv[])
{
	const char *batch = NULL;
	int ret;

	if (global_options(&argc, &argv, &batch))
		return 1;
	if (batch && argc > 1) {
		fprintf(stderr, "%s: -b takes its commands from the file only\n",
			PROG_NAME);
		return 1;
	}
	if (argc > 1 && !strcmp(argv[1], "--version"))
		argv[1] = "version";
	ret = batch ? run_batch(batch) : run_command(argc, argv);
	ipc_close();
	return ret;
}
