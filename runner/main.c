/*
 * main: the slipway entry point. Finds the subcommand in the command
 * table and hands it argv; global --help/--version are answered here.
 */
#include "runner/commands.h"
#include "runner/exitcode.h"
#include "util/intern.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

static void main_usage(FILE *fp)
{
	fputs("usage: slipway <command> [options] [args]\n\ncommands:\n", fp);
	for (const struct command *c = commands; c->name; c++)
		if (c->summary)
			fprintf(fp, "    %-14s %s\n", c->name, c->summary);
	fputs("\n'slipway <command> --help' describes a command.\n", fp);
}

int main(int argc, const char **argv)
{
	const struct command *cmd;
	int ret;

	setlocale(LC_CTYPE, "C.UTF-8");
	if (argc < 2) {
		main_usage(stderr);
		return EXITCODE_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		if (argc > 2 && (cmd = commands_find(argv[2]))) {
			const char *help_argv[] = { cmd->name, "--help", NULL };
			return cmd->handler(2, help_argv);
		}
		main_usage(stdout);
		return EXITCODE_OK;
	}
	if (!strcmp(argv[1], "--version"))
		argv[1] = "version";
	cmd = commands_find(argv[1]);
	if (!cmd) {
		fprintf(stderr, "slipway: '%s' is not a slipway command\n", argv[1]);
		main_usage(stderr);
		return EXITCODE_USAGE;
	}
	ret = cmd->handler(argc - 1, argv + 1);
	intern_release();
	return ret;
}
