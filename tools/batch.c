// SPDX-License-Identifier: GPL-2.0
/*
 * pc5sec -b FILE: runs the commands of FILE (or stdin for -), one a line,
 * words separated by blanks; empty lines and #-comments are skipped. Stops
 * at the first command that fails, as ip -b does.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pc5sec.h"

#define BATCH_MAX_ARGS 64

/* Splits line into argv[1..]; returns argc, or -1 if too many words */
static int split(char *line, char *argv[BATCH_MAX_ARGS])
{
	char *save = NULL, *word;
	int argc = 1;

	argv[0] = PROG_NAME;
	for (word = strtok_r(line, " \t\r\n", &save); word;
	     word = strtok_r(NULL, " \t\r\n", &save)) {
		if (argc == BATCH_MAX_ARGS - 1)
			return -1;
		argv[argc++] = word;
	}
	argv[argc] = NULL;
	return argc;
}

int run_batch(const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "re") : stdin;
	char *line = NULL, *argv[BATCH_MAX_ARGS];
	unsigned int lineno = 0;
	size_t size = 0;
	int argc, ret = 0;

	if (!f) {
		fprintf(stderr, "%s: %s: %s\n", PROG_NAME, path, strerror(errno));
		return 1;
	}
	while (!ret && getline(&line, &size, f) >= 0) {
		lineno++;
		argc = split(line, argv);
		if (argc == 1 || (argc > 1 && argv[1][0] == '#'))
			continue;
		if (argc < 0)
			fprintf(stderr, "%s: too many words\n", PROG_NAME);
		ret = argc < 0 ? 1 : run_command(argc, argv);
		fflush(stdout);
		if (ret)
			fprintf(stderr, "%s: %s:%u: command failed\n", PROG_NAME,
				path, lineno);
	}
	if (!ret && ferror(f)) {
		fprintf(stderr, "%s: %s: %s\n", PROG_NAME, path, strerror(errno));
		ret = 1;
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return ret;
}
