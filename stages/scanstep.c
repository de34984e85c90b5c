/*
 * scanstep: the slipway/scan built-in stage — `slipway scan` over the
 * job's workspace as a step: each finding an error annotation on its
 * file and line (never the secret itself), a count output, a summary, and
 * the step failing on findings. The scanner is stages/scan.c.
 */
#include "stages/stages.h"

#include <stdio.h>
#include <string.h>

#include "stages/scan.h"
#include "util/fs.h"

static const struct stage_input scanstep_inputs[] = {
	{ "path", "." },                /* relative to the workspace */
	{ "rules", NULL },              /* a rules file of the workspace to add */
	{ "fail-on-findings", "true" },
	{ NULL, NULL },
};

/* path as shown: relative to the workspace when below it. */
static const char *scanstep_rel(const struct stage_ctx *ctx, const char *path)
{
	size_t n = strlen(ctx->workspace);

	if (!strncmp(path, ctx->workspace, n) && path[n] == '/')
		return path + n + 1;
	return path;
}

static int scanstep_main(struct stage_ctx *ctx)
{
	struct strbuf root = STRBUF_INIT, rules = STRBUF_INIT, md = STRBUF_INIT,
		      count = STRBUF_INIT;
	const char *path = stage_input(ctx, "path");
	int fail = stage_input_bool(ctx, "fail-on-findings"), ret = 1;
	struct scan s;

	scan_init(&s);
	if (fail < 0)
		goto out;
	if (strstr(path, "..")) {
		ret = stage_fail(ctx, "slipway/scan: 'path' must stay inside the workspace, not "
				 "'%s'", path);
		goto out;
	}
	fs_path_join(&root, ctx->workspace, strcmp(path, ".") ? path : "");
	if (*stage_input(ctx, "rules")) {
		fs_path_join(&rules, ctx->workspace, stage_input(ctx, "rules"));
		if (scan_load_rules(&s, rules.buf) < 0)
			goto problems;
	}
	if (scan_path(&s, root.buf) < 0)
		goto problems;
	scan_sort_findings(&s);
	for (size_t i = 0; i < s.findings_nr; i++) {
		const struct scan_finding *f = &s.findings[i];
		const struct scan_rule *r = &s.rules[f->rule];

		printf("::error file=%s,line=%d,col=%d::%s [%s]\n", scanstep_rel(ctx, f->path),
		       f->line, f->col, r->description, r->id);
	}
	fflush(stdout);
	stage_log(ctx, "%zu files scanned, %zu skipped, %zu findings", s.files_scanned,
		  s.files_skipped, s.findings_nr);
	strbuf_addf(&count, "%zu", s.findings_nr);
	stage_set_output(ctx, "findings", count.buf);
	if (s.findings_nr) {
		strbuf_addf(&md, "### Scan: %zu finding%s\n\n| file | line | rule |\n| --- | --- | "
			    "--- |\n", s.findings_nr, s.findings_nr == 1 ? "" : "s");
		for (size_t i = 0; i < s.findings_nr; i++)
			strbuf_addf(&md, "| `%s` | %d | %s |\n",
				    scanstep_rel(ctx, s.findings[i].path), s.findings[i].line,
				    s.rules[s.findings[i].rule].id);
	} else {
		strbuf_addf(&md, "### Scan: no findings in %zu files\n", s.files_scanned);
	}
	stage_add_summary(ctx, md.buf);
	ret = s.findings_nr && fail ? stage_fail(ctx, "slipway/scan: %zu finding%s",
						 s.findings_nr, s.findings_nr == 1 ? "" : "s") : 0;
	goto out;
problems:
	diag_list_print(stdout, &s.diags);
	fflush(stdout);
	ret = stage_fail(ctx, "slipway/scan: the scan could not run");
out:
	scan_release(&s);
	strbuf_release(&root);
	strbuf_release(&rules);
	strbuf_release(&md);
	strbuf_release(&count);
	return ret;
}

const struct stage stage_scan = {
	.name = "slipway/scan",
	.inputs = scanstep_inputs,
	.main = scanstep_main,
};
