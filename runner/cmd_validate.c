/*
 * cmd_validate: `slipway validate [FILE|DIR...]` checks workflow files
 * (and action.yml files) and prints every problem as
 * `file:line:col: error: message [rule]`. Exit 0 when all are valid, 1
 * when one is not, 2 for a bad command line or a path it cannot read.
 */
#include "parser/action.h"
#include "parser/workflow.h"
#include "runner/commands.h"
#include "runner/exitcode.h"
#include "runner/wfiles.h"
#include "util/options.h"

#include <stdio.h>

static const char validate_usage[] = "slipway validate [--action] [FILE|DIR...]";

static int validate_workflow(const char *path, struct diag_list *diags)
{
	struct wf_workflow wf;
	int ret = wf_load_file(&wf, path, diags);

	wf_release(&wf);
	return ret;
}

static int validate_action(const char *path, struct diag_list *diags)
{
	struct action act;
	int ret = action_load_file(&act, path, diags);

	action_release(&act);
	return ret;
}

int cmd_validate(int argc, const char **argv)
{
	int as_action = 0, nr;
	size_t invalid = 0, errors = 0;
	struct strbuf err = STRBUF_INIT;
	struct strlist files = STRLIST_INIT;
	const struct option opts[] = {
		{ OPT_FLAG, 0, "action", &as_action, NULL,
		  "read every file as action metadata (as for action.yml)" },
		{ OPT_END },
	};

	nr = options_parse(argc, argv, opts, &err);
	if (nr == OPTIONS_HELP) {
		options_usage(stdout, validate_usage, opts);
		return EXITCODE_OK;
	}
	if (nr < 0 || wfiles_collect(&files, argv, nr, &err) < 0) {
		fprintf(stderr, "slipway validate: %s\n", err.buf);
		strbuf_release(&err);
		strlist_release(&files);
		return EXITCODE_USAGE;
	}
	for (size_t i = 0; i < files.nr; i++) {
		struct diag_list diags = DIAG_LIST_INIT;
		int action = as_action || wfiles_is_action(files.items[i]);

		if ((action ? validate_action : validate_workflow)(files.items[i], &diags) < 0)
			invalid++;
		errors += diags.errors;
		diag_list_print(stdout, &diags);
		diag_list_release(&diags);
	}
	fflush(stdout);
	if (!files.nr)
		fprintf(stderr, "slipway validate: no workflow files found\n");
	else if (invalid)
		fprintf(stderr, "slipway validate: %zu of %zu file%s invalid (%zu error%s)\n",
			invalid, files.nr, files.nr == 1 ? " is" : "s are", errors,
			errors == 1 ? "" : "s");
	strlist_release(&files);
	strbuf_release(&err);
	return invalid ? EXITCODE_FAILED : EXITCODE_OK;
}
