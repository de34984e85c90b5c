/*
 * commands: the subcommand table (one line per subcommand) and lookup.
 */
#include "runner/commands.h"

#include <string.h>

const struct command commands[] = {
	{ "eval", cmd_eval, "evaluate a ${{ }} expression (or a stream of them)" },
	{ "version", cmd_version, "print the version" },
	{ NULL, NULL, NULL },
};

const struct command *commands_find(const char *name)
{
	for (const struct command *c = commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}
