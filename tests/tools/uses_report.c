/*
 * uses_report: every `uses:` of the workflow and action files given, one
 * line each — how Slipway would run it:
 *   native <TAB> name <TAB> file     a built-in stage (stages/stages.c)
 *   local-action, remote-action, docker-image, local-workflow,
 *   remote-workflow, invalid
 * name is owner/repo[/path] (the ref dropped), ./path, or the image.
 * tests/conformance/uses-report.sh sums them up over ../shared/corpus.
 */
#include "parser/action.h"
#include "parser/workflow.h"
#include "stages/stage.h"
#include "util/strbuf.h"

#include <stdio.h>
#include <string.h>

static void report(const char *category, const char *name, const char *file)
{
	printf("%s\t%s\t%s\n", category, name, file);
}

static void report_step(const struct wf_step *s, const char *file)
{
	struct strbuf name = STRBUF_INIT;
	const char *text;

	for (size_t i = 0; i < s->parallel_nr; i++)
		report_step(&s->parallel_steps[i], file);
	if (!s->uses_node)
		return;
	text = s->uses_node->kind == YDOC_SCALAR ? s->uses_node->u.scalar.ptr : "";
	if (!s->has_uses) {
		report("invalid", text, file);
		return;
	}
	switch (s->uses.kind) {
	case WF_USES_DOCKER:
		report("docker-image", s->uses.path, file);
		break;
	case WF_USES_LOCAL:
		strbuf_addf(&name, "./%s", s->uses.path);
		report("local-action", name.buf, file);
		break;
	case WF_USES_REMOTE:
		strbuf_addf(&name, "%s/%s%s%s", s->uses.owner, s->uses.repo, *s->uses.path ? "/" : "",
			    s->uses.path);
		report(stage_find(text, NULL) ? "native" : "remote-action", name.buf, file);
		break;
	}
	strbuf_release(&name);
}

static void report_workflow(const char *path)
{
	struct wf_workflow wf;
	struct diag_list d = DIAG_LIST_INIT;

	wf_load_file(&wf, path, &d);
	for (size_t j = 0; j < wf.jobs_nr; j++) {
		const struct wf_job *job = &wf.jobs[j];

		for (size_t i = 0; i < job->steps_nr; i++)
			report_step(&job->steps[i], path);
		if (job->uses_node)
			report(!job->is_call || !job->uses_node->u.scalar.ptr ? "invalid"
			       : job->uses.kind == WF_USES_LOCAL ? "local-workflow"
			       : job->uses.kind == WF_USES_REMOTE ? "remote-workflow" : "invalid",
			       job->uses_node->kind == YDOC_SCALAR ? job->uses_node->u.scalar.ptr : "",
			       path);
	}
	wf_release(&wf);
	diag_list_release(&d);
}

static void report_action(const char *path)
{
	struct action act;
	struct diag_list d = DIAG_LIST_INIT;

	action_load_file(&act, path, &d);
	for (size_t i = 0; i < act.steps_nr; i++)
		report_step(&act.steps[i], path);
	action_release(&act);
	diag_list_release(&d);
}

/* An action file has `runs:` at the top; anything else is read as a workflow. */
static int is_action(const char *path)
{
	struct ydoc doc;
	struct diag_list d = DIAG_LIST_INIT;
	int yes;

	ydoc_load_file(&doc, path, &d);
	yes = doc.root && doc.root->kind == YDOC_MAPPING && ydoc_map_get(doc.root, "runs");
	ydoc_release(&doc);
	diag_list_release(&d);
	return yes;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: uses_report FILE...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		if (is_action(argv[i]))
			report_action(argv[i]);
		else
			report_workflow(argv[i]);
	}
	return 0;
}
