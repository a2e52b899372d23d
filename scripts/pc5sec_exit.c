// SPDX-License-Identifier: GPL-2.0
/*
 * A GNU make extension with one function, $(pc5sec-exit N), which ends make
 * with status N. GNU make itself only exits 0, 1 or 2, and `make vm-run`
 * promises the guest command's own exit status.
 */
#include <stdio.h>
#include <stdlib.h>
#include <gnumake.h>

int plugin_is_GPL_compatible;

static char *do_exit(const char *name, unsigned int argc, char **argv)
{
	(void)name;
	(void)argc;
	fflush(NULL);
	exit(atoi(argv[0]));
}

int pc5sec_exit_gmk_setup(const gmk_floc *floc)
{
	(void)floc;
	gmk_add_function("pc5sec-exit", do_exit, 1, 1, GMK_FUNC_DEFAULT);
	return 1;
}
