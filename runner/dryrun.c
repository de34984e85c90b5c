/*
 * dryrun: `slipway run --dry-run` — the plan as text without running
 * anything: workflows selected (and those the event skips), jobs by level
 * with needs, job-level `if:` evaluated where its inputs are known,
 * matrix legs, runs-on, steps, and the approvals that would be asked.
 */
#include "runner/dryrun.h"

#include <string.h>

#include "parser/template.h"
#include "runner/context.h"

/* The job-level if: as far as it can be known before anything ran. */
static void dryrun_if(FILE *out, struct run *run, struct plan_job *job)
{
	const struct ydoc_node *n = job->job->if_cond;
	struct arena *a = &run->plan.arena;
	struct plan_leg probe;
	struct strbuf err = STRBUF_INIT;
	struct expr_names names = { plan_job_contexts, EXPR_FN_STATUS, NULL, 0 };
	struct expr_env env;
	int go;

	if (!n)
		return;
	fprintf(out, "      if: %s", n->u.scalar.ptr);
	if (plan_refers_to_needs(n) || job->needs_nr) {
		fputs("  (decided when its needs are done)\n", out);
		return;
	}
	memset(&probe, 0, sizeof(probe));
	probe.job = job;
	probe.matrix = val_null();
	env.contexts = context_job_level(a, run, &probe);
	env.status = EXPR_STATUS_SUCCESS;
	env.workspace = NULL;
	env.arena = a;
	go = tmpl_eval_if(n, &names, &env, &err);
	if (go < 0)
		fprintf(out, "  -> error: %s\n", err.buf);
	else
		fprintf(out, "  -> %s\n", go ? "runs" : "skipped");
	strbuf_release(&err);
}

static void dryrun_environment(FILE *out, struct run *run, struct plan_leg *leg)
{
	const struct ydoc_node *n = leg->job->job->environment;
	struct arena *a = &run->plan.arena;
	struct expr_names names = { plan_job_contexts, 0, NULL, 0 };
	struct expr_env env = { context_job_level(a, run, leg), EXPR_STATUS_SUCCESS, NULL, a };
	struct strbuf err = STRBUF_INIT;
	const struct config_env *ce;
	struct val v, *name;

	if (!n)
		return;
	if (plan_refers_to_needs(n) || tmpl_eval(&v, n, &names, &env, &err) < 0) {
		fputs("        environment: decided when its needs are done\n", out);
		strbuf_release(&err);
		return;
	}
	name = v.kind == VAL_OBJECT ? val_object_getstr(v, "name") : &v;
	if (!name || name->kind != VAL_STRING)
		return;
	ce = run->config ? config_env_find(run->config, name->u.string.ptr) : NULL;
	fprintf(out, "        environment: %s", name->u.string.ptr);
	if (ce && !config_env_allows_ref(ce, run->ref ? run->ref : ""))
		fprintf(out, " -- ref '%s' may not deploy there: the job would fail", run->ref);
	else if (ce && ce->approval_required)
		fprintf(out, " -- approval would be asked%s",
			run->opts.approve && strlist_find(run->opts.approve, name->u.string.ptr) >= 0
			? " (--approve given)" : "");
	if (ce && ce->wait_minutes > 0)
		fprintf(out, " -- wait timer %g min", ce->wait_minutes);
	fputc('\n', out);
}

static void dryrun_steps(FILE *out, const struct plan_job *job)
{
	for (size_t i = 0; i < job->job->steps_nr; i++) {
		const struct wf_step *s = &job->job->steps[i];
		const char *name = s->name ? wf_static_string(s->name) : NULL;
		const struct ydoc_node *what = s->run ? s->run : s->uses_node;

		if (name)
			fprintf(out, "        - %s\n", name);
		else if (what && what->kind == YDOC_SCALAR)
			fprintf(out, "        - %s %.*s\n", s->run ? "Run" : "Uses",
				(int)strcspn(what->u.scalar.ptr, "\n"), what->u.scalar.ptr);
		else
			fprintf(out, "        - %s\n", s->id);
	}
}

void dryrun_print(FILE *out, struct run *run, const struct strlist *skipped)
{
	struct plan *p = &run->plan;

	fprintf(out, "plan for '%s' on %s (%.12s)\n", run->event_name, run->ref ? run->ref : "no ref",
		run->sha ? run->sha : "no commit");
	for (size_t w = 0; w < p->wfs_nr; w++) {
		fprintf(out, "\nworkflow %s (%s)\n", p->wfs[w]->name, p->wfs[w]->path);
		for (size_t i = 0; i < p->jobs_nr; i++) {
			struct plan_job *job = p->jobs[i];

			if (job->wf != p->wfs[w])
				continue;
			fprintf(out, "  [%d] %s", job->level + 1, job->label);
			if (job->needs_nr) {
				fputs("  needs:", out);
				for (size_t n = 0; n < job->needs_nr; n++)
					fprintf(out, "%s %s", n ? "," : "", job->needs[n]->label);
			}
			fputc('\n', out);
			dryrun_if(out, run, job);
			if (!job->legs)
				fputs("      legs: decided when its needs are done\n", out);
			else if (job->has_matrix)
				fprintf(out, "      matrix: %zu leg%s\n", job->legs_nr,
					job->legs_nr == 1 ? "" : "s");
			for (size_t l = 0; l < job->legs_nr; l++) {
				fprintf(out, "      %s\n", job->legs[l].name);
				dryrun_environment(out, run, &job->legs[l]);
			}
			dryrun_steps(out, job);
		}
	}
	if (!p->wfs_nr)
		fprintf(out, "\nno workflow is triggered by '%s'\n", run->event_name);
	for (size_t i = 0; skipped && i < skipped->nr; i++)
		fprintf(out, "%snot triggered: %s\n", i ? "" : "\n", skipped->items[i]);
}
