/*
 * cmd_graph: `slipway graph [-W FILE] [EVENT]` — the job DAG the event
 * would run, drawn in the terminal or as dot, Mermaid or JSON, without
 * running or writing anything. Planning is runner/prepare.c's, drawing
 * runner/graph.c's.
 */
#include "runner/commands.h"
#include "runner/exitcode.h"
#include "runner/graph.h"
#include "runner/prepare.h"
#include "runner/rundir.h"
#include "runner/runstate.h"
#include "util/fs.h"
#include "util/options.h"
#include "util/term.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char graph_usage[] =
	"slipway graph [-W FILE] [--format text|dot|mermaid|json] [EVENT]";

int cmd_graph(int argc, const char **argv)
{
	const char *format = "text", *event_file = NULL;
	struct strlist workflows = STRLIST_INIT, inputs = STRLIST_INIT, jobs = STRLIST_INIT;
	const struct option opts[] = {
		{ OPT_LIST, 'W', "workflow", &workflows, "FILE", "this workflow only" },
		{ OPT_LIST, 'j', "job", &jobs, "ID", "this job and what it needs" },
		{ OPT_STRING, 'e', "event-file", &event_file, "FILE.json", "the event payload" },
		{ OPT_LIST, 0, "input", &inputs, "K=V", "a workflow_dispatch input" },
		{ OPT_STRING, 0, "format", &format, "FORMAT", "text (default), dot, mermaid, json" },
		{ OPT_END },
	};
	struct run run;
	struct prepared pr;
	struct prepare_opts po;
	struct diag_list diags = DIAG_LIST_INIT;
	struct strbuf err = STRBUF_INIT, state = STRBUF_INIT, cache = STRBUF_INIT;
	struct actions_opts ao;
	int nargs, f = -1, rc, prepared = 0, ret = EXITCODE_USAGE;

	memset(&run, 0, sizeof(run));
	memset(&po, 0, sizeof(po));
	memset(&ao, 0, sizeof(ao));
	plan_init(&run.plan);
	nargs = options_parse(argc, argv, opts, &err);
	if (nargs == OPTIONS_HELP) {
		options_usage(stdout, graph_usage, opts);
		ret = EXITCODE_OK;
		goto out;
	}
	if (nargs > 1)
		strbuf_addf(&err, "unexpected argument '%s'", argv[1]);
	else if (nargs >= 0 && (f = graph_format_parse(format)) < 0)
		strbuf_addf(&err, "unknown format '%s' (text, dot, mermaid or json)", format);
	if (nargs < 0 || err.len) {
		fprintf(stderr, "slipway graph: %s\n", err.buf);
		if (nargs >= 0)
			options_usage(stderr, graph_usage, opts);
		goto out;
	}
	if (rundir_state(&state, NULL, &err) < 0)
		goto fail;
	run.id = "graph";
	run.dir = run.snapshot = run.event_path = "";
	run.state_dir = state.buf;
	po.state = state.buf;
	po.event = nargs == 1 ? argv[0] : NULL;
	po.event_file = event_file;
	po.workflows = &workflows;
	po.jobs = &jobs;
	po.inputs = &inputs;
	/* called workflows of other repositories come from the action cache, as for run */
	if (fs_cache_dir(&cache, &err) < 0)
		goto fail;
	strbuf_addstr(&cache, "/actions");
	ao.cache_dir = cache.buf;
	po.actions = &ao;
	rc = prepare_run(&run, &pr, &po, &diags, &err);
	prepared = 1;
	if (rc == PREPARE_INVALID) {
		diag_list_print(stderr, &diags);
		goto out;
	}
	if (rc < 0)
		goto fail;
	graph_print(stdout, &run, (enum graph_format)f, term_use_color(STDOUT_FILENO));
	ret = EXITCODE_OK;
	goto out;
fail:
	fprintf(stderr, "slipway graph: %s\n", err.buf);
out:
	if (prepared)
		prepare_release(&pr);
	plan_release(&run.plan);
	strlist_release(&workflows);
	strlist_release(&inputs);
	strlist_release(&jobs);
	diag_list_release(&diags);
	strbuf_release(&err);
	strbuf_release(&state);
	strbuf_release(&cache);
	return ret;
}
