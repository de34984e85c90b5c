/*
 * context: github/runner/needs/strategy contexts and the GITHUB_* and
 * RUNNER_* step variables, as GitHub's Linux runners set them. It builds
 * values; evaluating workflow values against them is the caller's.
 */
#include "runner/context.h"

#include <string.h>

#include "util/strbuf.h"

static void context_set(struct arena *a, struct val obj, const char *key, const char *s)
{
	val_object_setstr(a, obj, key, val_cstring(a, s ? s : ""));
}

struct val context_copy_object(struct arena *a, struct val o)
{
	struct val c = val_new_object(a);
	struct val_object *co = c.u.object;
	size_t n = o.kind == VAL_OBJECT ? o.u.object->nr : 0;

	/* one allocation of the right size: contexts are copied per job and per step */
	if (n) {
		co->members = arena_alloc(a, (n + 2) * sizeof(*co->members));
		co->alloc = n + 2;
		memcpy(co->members, o.u.object->members, n * sizeof(*co->members));
		co->nr = n;
	}
	return c;
}

/* "main" for refs/heads/main, "v1" for refs/tags/v1, "1/merge" for refs/pull/1/merge. */
static const char *context_ref_name(const char *ref)
{
	static const char *const prefixes[] = { "refs/heads/", "refs/tags/", "refs/pull/" };

	for (size_t i = 0; ref && i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(ref, prefixes[i], strlen(prefixes[i])))
			return ref + strlen(prefixes[i]);
	return ref ? ref : "";
}

static const char *context_ref_type(const char *ref)
{
	return ref && !strncmp(ref, "refs/tags/", 10) ? "tag" : "branch";
}

/* payload.pull_request.<side>.ref, or "". */
static const char *context_pr_ref(struct val payload, const char *side)
{
	struct val *pr = val_object_getstr(payload, "pull_request"), *s, *ref;

	if (!pr || !(s = val_object_getstr(*pr, side)) || !(ref = val_object_getstr(*s, "ref")) ||
	    ref->kind != VAL_STRING)
		return "";
	return ref->u.string.ptr;
}

/* github members with fixed values (those set per job start out empty). */
static const struct {
	const char *member, *value;
} context_github_fixed[] = {
	{ "run_attempt", "1" }, { "retention_days", "90" }, { "server_url", "https://github.com" },
	{ "api_url", "https://api.github.com" }, { "graphql_url", "https://api.github.com/graphql" },
	{ "token", "" }, { "workspace", "" }, { "action", "" }, { "action_path", "" },
	{ "action_ref", "" }, { "action_repository", "" }, { "job", "" }, { "workflow", "" },
	{ "workflow_ref", "" },
};

struct val context_github(struct arena *a, const struct run *run, struct val payload,
			  const char *owner, const char *name)
{
	struct val g = val_new_object(a);
	char *repo = arena_printf(a, "%s/%s", owner, name);

	val_object_setstr(a, g, "event", payload);
	context_set(a, g, "event_name", run->event_name);
	context_set(a, g, "event_path", run->event_path);
	context_set(a, g, "sha", run->sha);
	context_set(a, g, "ref", run->ref);
	context_set(a, g, "ref_name", context_ref_name(run->ref));
	context_set(a, g, "ref_type", context_ref_type(run->ref));
	val_object_setstr(a, g, "ref_protected", val_bool(0));
	context_set(a, g, "base_ref", context_pr_ref(payload, "base"));
	context_set(a, g, "head_ref", context_pr_ref(payload, "head"));
	context_set(a, g, "repository", repo);
	context_set(a, g, "repository_owner", owner);
	context_set(a, g, "repositoryUrl", arena_printf(a, "file://%s", run->repository));
	context_set(a, g, "run_id", run->id);
	context_set(a, g, "run_number", arena_printf(a, "%d", run->run_number));
	context_set(a, g, "actor", owner);
	context_set(a, g, "triggering_actor", owner);
	context_set(a, g, "workflow_sha", run->sha);
	for (size_t i = 0; i < sizeof(context_github_fixed) / sizeof(context_github_fixed[0]); i++)
		context_set(a, g, context_github_fixed[i].member, context_github_fixed[i].value);
	return g;
}

/* github with the leg's workflow and job filled in. */
static struct val context_github_leg(struct arena *a, const struct run *run,
				     const struct plan_leg *leg)
{
	struct val g = context_copy_object(a, run->github);
	const struct plan_wf *w = leg->job->wf;
	struct val *repo = val_object_getstr(g, "repository");

	context_set(a, g, "job", leg->job->job->id);
	context_set(a, g, "workflow", w->name);
	context_set(a, g, "workflow_ref", arena_printf(a, "%s/%s@%s",
						       repo ? repo->u.string.ptr : "", w->path,
						       run->ref ? run->ref : ""));
	return g;
}

/* `needs` for job: each needed job's result and outputs. */
static struct val context_needs(struct arena *a, const struct plan_job *job)
{
	struct val needs = val_new_object(a);

	for (size_t i = 0; i < job->needs_nr; i++) {
		const struct plan_job *dep = job->needs[i];
		struct val n = val_new_object(a);
		const char *r = plan_result_name(dep->result);

		context_set(a, n, "result", r ? r : "");
		val_object_setstr(a, n, "outputs", dep->outputs);
		val_object_setstr(a, needs, dep->job->id, n);
	}
	return needs;
}

struct val context_job_level(struct arena *a, const struct run *run, const struct plan_leg *leg)
{
	struct val c = val_new_object(a);
	struct val strategy = val_new_object(a);
	const struct plan_job *job = leg->job;

	val_object_setstr(a, strategy, "fail-fast", val_bool(job->fail_fast));
	val_object_setstr(a, strategy, "job-index", val_number((double)leg->index));
	val_object_setstr(a, strategy, "job-total", val_number((double)job->legs_nr));
	val_object_setstr(a, strategy, "max-parallel",
			  val_number((double)(job->max_parallel ? (size_t)job->max_parallel
					      : job->legs_nr)));
	val_object_setstr(a, c, "github", context_github_leg(a, run, leg));
	val_object_setstr(a, c, "needs", context_needs(a, job));
	val_object_setstr(a, c, "strategy", strategy);
	val_object_setstr(a, c, "matrix", leg->matrix.kind == VAL_OBJECT ? leg->matrix
				  : val_new_object(a));
	val_object_setstr(a, c, "vars", run->vars);
	val_object_setstr(a, c, "inputs", job->inputs.kind == VAL_OBJECT ? job->inputs
				  : job->wf->inputs);
	return c;
}

struct val context_runner(struct arena *a, const struct exec_job *ej, int debug)
{
	struct val r = val_new_object(a);

	context_set(a, r, "name", "slipway");
	context_set(a, r, "os", ej->os);
	context_set(a, r, "arch", ej->arch);
	context_set(a, r, "temp", ej->temp);
	context_set(a, r, "tool_cache", ej->tool_cache);
	context_set(a, r, "workspace", ej->workspace);
	context_set(a, r, "environment", ej->environment);
	context_set(a, r, "debug", debug ? "1" : "");
	return r;
}

/* GITHUB_<NAME> from the leg's github context member name, in table order. */
static const struct {
	const char *var, *member;
} context_github_vars[] = {
	{ "GITHUB_SHA", "sha" }, { "GITHUB_REF", "ref" }, { "GITHUB_REF_NAME", "ref_name" },
	{ "GITHUB_REF_TYPE", "ref_type" }, { "GITHUB_REF_PROTECTED", NULL },
	{ "GITHUB_BASE_REF", "base_ref" }, { "GITHUB_HEAD_REF", "head_ref" },
	{ "GITHUB_REPOSITORY", "repository" }, { "GITHUB_REPOSITORY_OWNER", "repository_owner" },
	{ "GITHUB_RUN_ID", "run_id" }, { "GITHUB_RUN_NUMBER", "run_number" },
	{ "GITHUB_RUN_ATTEMPT", "run_attempt" }, { "GITHUB_RETENTION_DAYS", "retention_days" },
	{ "GITHUB_ACTOR", "actor" }, { "GITHUB_TRIGGERING_ACTOR", "triggering_actor" },
	{ "GITHUB_EVENT_NAME", "event_name" }, { "GITHUB_EVENT_PATH", "event_path" },
	{ "GITHUB_SERVER_URL", "server_url" }, { "GITHUB_API_URL", "api_url" },
	{ "GITHUB_GRAPHQL_URL", "graphql_url" }, { "GITHUB_WORKFLOW_SHA", "workflow_sha" },
};

void context_step_vars(struct strlist *out, const struct run *run, const struct plan_leg *leg,
		       const struct exec_job *ej, const char *action,
		       const struct context_files *files, int debug)
{
	const struct plan_wf *w = leg->job->wf;
	struct val *repo = val_object_getstr(run->github, "repository");

	strlist_push(out, "CI=true");
	strlist_push(out, "GITHUB_ACTIONS=true");
	for (size_t i = 0; i < sizeof(context_github_vars) / sizeof(context_github_vars[0]); i++) {
		const char *m = context_github_vars[i].member;
		struct val *v = m ? val_object_getstr(run->github, m) : NULL;
		const char *s = v && v->kind == VAL_STRING ? v->u.string.ptr : m ? "" : "false";

		/* the one path of the run a container sees elsewhere */
		if (m && !strcmp(m, "event_path") && ej->event_path)
			s = ej->event_path;
		strlist_pushf(out, "%s=%s", context_github_vars[i].var, s);
	}
	strlist_pushf(out, "GITHUB_WORKFLOW=%s", w->name);
	strlist_pushf(out, "GITHUB_WORKFLOW_REF=%s/%s@%s", repo ? repo->u.string.ptr : "", w->path,
		      run->ref ? run->ref : "");
	strlist_pushf(out, "GITHUB_JOB=%s", leg->job->job->id);
	strlist_pushf(out, "GITHUB_ACTION=%s", action);
	strlist_push(out, "GITHUB_ACTION_REPOSITORY=");
	strlist_push(out, "GITHUB_ACTION_REF=");
	strlist_pushf(out, "GITHUB_WORKSPACE=%s", ej->workspace);
	strlist_pushf(out, "GITHUB_OUTPUT=%s", files->output);
	strlist_pushf(out, "GITHUB_ENV=%s", files->env);
	strlist_pushf(out, "GITHUB_PATH=%s", files->path);
	strlist_pushf(out, "GITHUB_STATE=%s", files->state);
	strlist_pushf(out, "GITHUB_STEP_SUMMARY=%s", files->summary);
	strlist_pushf(out, "RUNNER_OS=%s", ej->os);
	strlist_pushf(out, "RUNNER_ARCH=%s", ej->arch);
	strlist_push(out, "RUNNER_NAME=slipway");
	strlist_pushf(out, "RUNNER_ENVIRONMENT=%s", ej->environment);
	strlist_pushf(out, "RUNNER_TEMP=%s", ej->temp);
	strlist_pushf(out, "RUNNER_TOOL_CACHE=%s", ej->tool_cache);
	if (debug)
		strlist_push(out, "RUNNER_DEBUG=1");
}
