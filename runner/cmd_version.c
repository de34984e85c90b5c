/*
 * cmd_version: `slipway version` prints the version and the versions of
 * the libraries it was built against.
 */
#include "runner/commands.h"
#include "runner/exitcode.h"
#include "runner/version.h"

#include <stdio.h>

int cmd_version(int argc, const char **argv)
{
	(void)argc;
	(void)argv;
	printf("slipway %s\n", SLIPWAY_VERSION);
	return EXITCODE_OK;
}
