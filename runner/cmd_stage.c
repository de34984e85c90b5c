/*
 * cmd_stage: `slipway __stage NAME [--post]`, the child the runner starts
 * for a step whose `uses:` is a built-in stage (stages/stage.h says what
 * its environment carries). Not for people: the command list hides it.
 */
#include "runner/commands.h"
#include "runner/exitcode.h"
#include "stages/stage.h"
#include "util/options.h"
#include "util/strlist.h"

#include <stdio.h>
#include <stdlib.h>

extern char **environ;

static const char stage_usage[] = "slipway __stage NAME [--post]   (run by slipway run)";

int cmd_stage(int argc, const char **argv)
{
	int post = 0, nargs;
	const struct option opts[] = {
		{ OPT_FLAG, 0, "post", &post, NULL, "run the stage's post step" },
		{ OPT_END },
	};
	struct strbuf err = STRBUF_INIT;
	struct strlist env = STRLIST_INIT;
	int ret;

	nargs = options_parse(argc, argv, opts, &err);
	if (nargs == OPTIONS_HELP) {
		options_usage(stdout, stage_usage, opts);
		strbuf_release(&err);
		return EXITCODE_OK;
	}
	if (nargs != 1) {
		fprintf(stderr, "slipway __stage: %s\n", nargs < 0 ? err.buf : "one stage NAME");
		options_usage(stderr, stage_usage, opts);
		strbuf_release(&err);
		return EXITCODE_USAGE;
	}
	strbuf_release(&err);
	fflush(stdout);
	/*
	 * The stage reads the registry credentials from its copy of the
	 * environment; what it starts (setup-* probing a tool) inherits
	 * the process's, without them.
	 */
	for (char **e = environ; e && *e; e++)
		strlist_push(&env, *e);
	unsetenv(STAGE_REGISTRY_AUTHS_VAR);
	ret = stage_main(argv[0], post, env.items);
	strlist_release(&env);
	return ret;
}
