/*
 * cmd_action: `slipway __action-container`, the child the runner starts
 * for a step whose action runs `using: docker` (runner/actrun.h does the
 * work). The action's args come in the environment, never on the command
 * line: an input they carry may be a secret. Hidden from the command list.
 */
#include "runner/commands.h"
#include "runner/actrun.h"
#include "runner/exitcode.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/options.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

static const char action_usage[] =
	"slipway __action-container (--image IMAGE | --dockerfile FILE) [OPTIONS]   "
	"(run by slipway run)";

static volatile sig_atomic_t action_cancel;

static void action_on_signal(int sig)
{
	action_cancel = sig;
}

/* SIGINT and SIGTERM end the container (actrun's cancel flag), not this process at once. */
static void action_catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = action_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* The args from the environment into *out (NULL when not given); -1 with err. */
static int action_args(struct strlist *list, const struct strlist **out, struct strbuf *err)
{
	const char *text = getenv(ACTRUN_ARGS_VAR);
	struct arena a = ARENA_INIT;
	struct val v;
	int ret = -1;

	*out = NULL;
	if (!text)
		return 0;
	if (json_parse(&v, &a, text, strlen(text), err) < 0)
		goto out;
	if (v.kind != VAL_ARRAY) {
		strbuf_addstr(err, "not an array");
		goto out;
	}
	for (size_t i = 0; i < v.u.array->nr; i++) {
		if (v.u.array->items[i].kind != VAL_STRING) {
			strbuf_addstr(err, "not an array of strings");
			goto out;
		}
		strlist_push(list, v.u.array->items[i].u.string.ptr);
	}
	*out = list;
	ret = 0;
out:
	arena_release(&a);
	return ret;
}

int cmd_action(int argc, const char **argv)
{
	struct actrun_opts o;
	struct strlist pass = STRLIST_INIT, args = STRLIST_INIT;
	const struct option opts[] = {
		{ OPT_STRING, 0, "image", &o.image, "IMAGE", "run this image (docker://IMAGE)" },
		{ OPT_STRING, 0, "dockerfile", &o.dockerfile, "FILE",
		  "build the image from FILE, its directory the context" },
		{ OPT_STRING, 0, "entrypoint", &o.entrypoint, "PROGRAM",
		  "instead of the image's entrypoint" },
		{ OPT_LIST, 0, "env", &pass, "NAME", "pass the step's variable NAME on" },
		{ OPT_STRING, 0, "network", &o.network, "NETWORK", "the job's network to join" },
		{ OPT_STRING, 0, "run-id", &o.run_id, "ID", "label the container slipway.run=ID" },
		{ OPT_END },
	};
	struct strbuf err = STRBUF_INIT;
	int nargs, code;

	memset(&o, 0, sizeof(o));
	nargs = options_parse(argc, argv, opts, &err);
	if (nargs == OPTIONS_HELP) {
		options_usage(stdout, action_usage, opts);
		code = EXITCODE_OK;
		goto out;
	}
	if (nargs < 0 || nargs > 0 || !o.image == !o.dockerfile) {
		fprintf(stderr, "slipway __action-container: %s\n",
			nargs < 0 ? err.buf : nargs ? "unexpected arguments"
			: "one of --image and --dockerfile");
		options_usage(stderr, action_usage, opts);
		code = EXITCODE_USAGE;
		goto out;
	}
	if (action_args(&args, &o.args, &err) < 0) {
		printf("::error::%s: %s\n", ACTRUN_ARGS_VAR, err.buf);
		code = EXITCODE_FAILED;
		goto out;
	}
	o.pass = &pass;
	o.host = getenv("DOCKER_HOST");
	o.cancel = &action_cancel;
	action_catch_signals();
	code = actrun_main(&o, environ);
out:
	strlist_release(&pass);
	strlist_release(&args);
	strbuf_release(&err);
	return code;
}
