/*
 * cmd_validate: `slipway validate [FILE|DIR...]` checks workflow files
 * (and action.yml files) and prints every problem as
 * `file:line:col: error: message [rule]`, with the local reusable
 * workflows that jobs call. Exit 0 when all are valid, 1 when one is not,
 * 2 for a bad command line or a path it cannot read.
 */
#include "parser/action.h"
#include "parser/workflow.h"
#include "runner/commands.h"
#include "runner/exitcode.h"
#include "runner/wfiles.h"
#include "util/options.h"
#include "util/strmap.h"

#include <stdio.h>
#include <string.h>

static const char validate_usage[] = "slipway validate [--action] [--root DIR] [FILE|DIR...]";

/*
 * A workflow and the local workflows it calls: './' references are read
 * under root, or under the repository a .github/workflows file sits in.
 */
static int validate_workflow(const char *path, const char *root, struct diag_list *diags)
{
	struct wf_load_options opts = { NULL, root, NULL, 0, 0, WF_POLICY_UNKNOWN };
	struct strbuf repo = STRBUF_INIT;
	struct wf_workflow wf;
	int ret;

	if (!root && wfiles_repo_root(&repo, path))
		opts.root = repo.buf;
	ret = wf_load_file_opts(&wf, path, &opts, diags);
	wf_release(&wf);
	strbuf_release(&repo);
	return ret;
}

static int validate_action(const char *path, struct diag_list *diags)
{
	struct action act;
	int ret = action_load_file(&act, path, diags);

	action_release(&act);
	return ret;
}

/* The last file read for carets: a file's diagnostics come together. */
struct validate_source {
	struct strbuf name, text;
	int ok;
};

/* Under a diagnostic that has a width (an expression's fault): its line and a caret. */
static void validate_print_caret(struct validate_source *src, const struct diag *d)
{
	const char *line, *end;

	if (d->width <= 0 || !d->file || d->line <= 0)
		return;
	if (strcmp(src->name.buf, d->file)) {
		strbuf_reset(&src->name);
		strbuf_reset(&src->text);
		strbuf_addstr(&src->name, d->file);
		src->ok = strbuf_read_file(&src->text, d->file, ydoc_default_limits.max_size) == 0;
	}
	if (!src->ok)
		return;
	line = src->text.buf;
	for (int n = 1; n < d->line && line; n++)
		if ((line = strchr(line, '\n')))
			line++;
	if (!line)
		return;
	end = strchrnul(line, '\n');
	if (end > line && end[-1] == '\r')
		end--;
	diag_print_caret(stdout, line, (size_t)(end - line), d->col, d->width);
}

/*
 * Print the diagnostics not printed before (a workflow that several of
 * the files call, or that is also given itself, is reported once); the
 * printed ones are remembered in printed/seen. Returns the errors printed.
 */
static size_t validate_print(const struct diag_list *diags, struct strlist *printed,
			     struct strmap *seen, struct validate_source *src)
{
	size_t errors = 0;

	for (size_t i = 0; i < diags->nr; i++) {
		const struct diag *d = &diags->items[i];

		strlist_pushf(printed, "%s:%d:%d:%s", d->file ? d->file : "", d->line, d->col,
			      d->message);
		if (strmap_get(seen, printed->items[printed->nr - 1]))
			continue;
		strmap_put(seen, printed->items[printed->nr - 1], NULL);
		diag_print(stdout, d);
		validate_print_caret(src, d);
		errors += d->severity == DIAG_ERROR;
	}
	return errors;
}

int cmd_validate(int argc, const char **argv)
{
	int as_action = 0, nr;
	const char *root = NULL;
	size_t invalid = 0, errors = 0;
	struct strbuf err = STRBUF_INIT;
	struct strlist files = STRLIST_INIT, printed = STRLIST_INIT;
	struct strmap seen = STRMAP_INIT;
	struct validate_source src = { STRBUF_INIT, STRBUF_INIT, 0 };
	const struct option opts[] = {
		{ OPT_FLAG, 0, "action", &as_action, NULL,
		  "read every file as action metadata (as for action.yml)" },
		{ OPT_STRING, 0, "root", &root, "DIR",
		  "read the workflows that jobs call with './...' under DIR (default: the "
		  "repository of a .github/workflows file)" },
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

		if ((action ? validate_action(files.items[i], &diags) :
		     validate_workflow(files.items[i], root, &diags)) < 0)
			invalid++;
		errors += validate_print(&diags, &printed, &seen, &src);
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
	strlist_release(&printed);
	strmap_release(&seen);
	strbuf_release(&src.name);
	strbuf_release(&src.text);
	strbuf_release(&err);
	return invalid ? EXITCODE_FAILED : EXITCODE_OK;
}
