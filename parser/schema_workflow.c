/*
 * schema_workflow: GitHub's workflow syntax as data — one table per
 * mapping type, where `${{ }}` may stand in (SCHEMA_EXPR, mirroring the
 * contexts of GitHub's workflow schema), and where each value lands in the
 * model. The two hooks at the top create jobs and steps. Semantic rules
 * (ids, needs, cycles, crons) are in validate.c and events.c.
 */
#include "parser/schema_workflow.h"
#include "parser/workflow.h"

#include <stddef.h>

/* ---------------------------------------------------------------- hooks */

static void *wf_open_job(struct schema_walk *w, void *parent, const struct ydoc_node *container,
			 size_t index, const struct ydoc_node *key, const struct ydoc_node *value)
{
	struct wf_workflow *wf = parent;
	struct wf_job *job;

	(void)index;
	if (!wf)
		return NULL;
	if (!wf->jobs)
		wf->jobs = arena_alloc(w->arena, container->u.map.nr * sizeof(*wf->jobs));
	if (wf->jobs_nr == container->u.map.nr)
		return NULL;
	job = &wf->jobs[wf->jobs_nr++];
	job->id = key->u.scalar.ptr;
	job->key = key;
	job->node = value;
	return job;
}

/* The next step of the array *steps (sized for container on first use). */
static struct wf_step *wf_new_step(struct schema_walk *w, struct wf_step **steps, size_t *nr,
				   const struct ydoc_node *container, size_t index,
				   const struct ydoc_node *value)
{
	struct wf_step *step;

	if (!*steps)
		*steps = arena_alloc(w->arena, container->u.seq.nr * sizeof(**steps));
	if (*nr == container->u.seq.nr)
		return NULL;
	step = &(*steps)[(*nr)++];
	step->node = value;
	step->index = index;
	return step;
}

static void *wf_open_step(struct schema_walk *w, void *parent, const struct ydoc_node *container,
			  size_t index, const struct ydoc_node *key, const struct ydoc_node *value)
{
	struct wf_job *job = parent;

	(void)key;
	if (!job || job->steps_node != container)
		return NULL;
	return wf_new_step(w, &job->steps, &job->steps_nr, container, index, value);
}

static void *wf_open_parallel_step(struct schema_walk *w, void *parent,
				   const struct ydoc_node *container, size_t index,
				   const struct ydoc_node *key, const struct ydoc_node *value)
{
	struct wf_step *group = parent;

	(void)key;
	if (!group || group->parallel != container)
		return NULL;
	return wf_new_step(w, &group->parallel_steps, &group->parallel_nr, container, index,
			   value);
}

/* ---------------------------------------------------------------- shorthands */

#define NOF SCHEMA_NO_FIELD
#define K(name, def, flags, field) { name, &def, flags, field, NOF }
#define KS(name, def, flags, field, sub) { name, &def, flags, field, sub }
#define KEND { NULL, NULL, 0, 0, 0 }
#define REQ SCHEMA_REQUIRED
#define EXPR SCHEMA_EXPR
#define WF(f) ((long)offsetof(struct wf_workflow, f))
#define JOB(f) ((long)offsetof(struct wf_job, f))
#define STEP(f) ((long)offsetof(struct wf_step, f))
#define DEF(f) ((long)offsetof(struct wf_defaults, f))
#define ONE_OF(...) ((const struct schema_def *const[]){ __VA_ARGS__, NULL })
#define VALUES(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* ---------------------------------------------------------------- scalars */

static const struct schema_def d_scalar = {
	.kind = SCHEMA_ONE_OF, .one_of = ONE_OF(&schema_string, &schema_boolean, &schema_number),
	.what = "a string, a boolean or a number",
};
static const struct schema_def d_scalar_x = {
	.kind = SCHEMA_ONE_OF, .flags = EXPR, .one_of = ONE_OF(&schema_string, &schema_boolean, &schema_number),
	.what = "a string, a boolean or a number",
};
static const struct schema_def d_seq_any = { .kind = SCHEMA_SEQUENCE, .item = &schema_any };
static const struct schema_def d_seq_string = { .kind = SCHEMA_SEQUENCE, .item = &schema_string };
static const struct schema_def d_seq_nonempty = { .kind = SCHEMA_SEQUENCE, .item = &schema_nonempty };
static const struct schema_def d_nonempty_list = {
	.kind = SCHEMA_ONE_OF, .one_of = ONE_OF(&schema_nonempty, &d_seq_nonempty),
	.what = "a string or a sequence of strings",
};
/* A mapping of names to strings (`env:`); EXPR: the whole map may be ${{ }}. */
static const struct schema_def d_env_x = {
	.kind = SCHEMA_MAPPING, .flags = EXPR, .loose_key = &schema_nonempty, .item = &schema_string,
};
static const struct schema_def d_string_map_x = {
	.kind = SCHEMA_MAPPING, .loose_key = &schema_nonempty, .item = &schema_string_x,
};

/* ---------------------------------------------------------------- on: */

const char *const wf_event_names[] = {
	"branch_protection_rule", "check_run", "check_suite", "create", "delete",
	"deployment", "deployment_status", "discussion", "discussion_comment", "fork",
	"gollum", "image_version", "issue_comment", "issues", "label", "merge_group",
	"milestone", "page_build", "project", "project_card", "project_column", "public",
	"pull_request", "pull_request_comment", "pull_request_review",
	"pull_request_review_comment", "pull_request_target", "push", "registry_package",
	"release", "repository_dispatch", "schedule", "status", "watch", "workflow_call",
	"workflow_dispatch", "workflow_run", NULL,
};

static const char *const pull_request_types[] = {
	"assigned", "unassigned", "labeled", "unlabeled", "opened", "edited", "closed",
	"reopened", "synchronize", "converted_to_draft", "locked", "unlocked", "enqueued",
	"dequeued", "milestoned", "demilestoned", "ready_for_review", "review_requested",
	"review_request_removed", "auto_merge_enabled", "auto_merge_disabled", "stacked", NULL,
};

/*
 * An event whose configuration is `types:` (from a fixed list) plus the
 * given extra keys; the event may also be given with no value.
 */
#define EVENT(id, name, extra, ...) \
	static const struct schema_def d_##id##_type = { \
		.kind = SCHEMA_STRING, .values = __VA_ARGS__, \
		.what = "an activity type of '" name "'", \
	}; \
	static const struct schema_def d_##id##_type_seq = { \
		.kind = SCHEMA_SEQUENCE, .item = &d_##id##_type, \
	}; \
	static const struct schema_def d_##id##_types = { \
		.kind = SCHEMA_ONE_OF, .one_of = ONE_OF(&d_##id##_type, &d_##id##_type_seq), \
		.what = "an activity type of '" name "' or a sequence of them", \
	}; \
	static const struct schema_key k_##id[] = { \
		K("types", d_##id##_types, 0, NOF), extra KEND, \
	}; \
	static const struct schema_def d_##id##_map = { \
		.kind = SCHEMA_MAPPING, .keys = k_##id, .section = "the '" name "' event", \
	}; \
	static const struct schema_def d_##id = { \
		.kind = SCHEMA_ONE_OF, .one_of = ONE_OF(&schema_null, &d_##id##_map), \
		.what = "a mapping or nothing", \
	}

#define NO_EXTRA
#define BRANCHES K("branches", d_nonempty_list, 0, NOF), \
	K("branches-ignore", d_nonempty_list, 0, NOF),
#define PATHS K("paths", d_nonempty_list, 0, NOF), K("paths-ignore", d_nonempty_list, 0, NOF),
#define IMAGE_VERSION K("names", d_nonempty_list, 0, NOF), K("versions", d_nonempty_list, 0, NOF),
#define WORKFLOWS K("workflows", d_nonempty_list, 0, NOF),

EVENT(bpr, "branch_protection_rule", NO_EXTRA, VALUES("created", "edited", "deleted"));
EVENT(check_run, "check_run", NO_EXTRA,
      VALUES("completed", "created", "rerequested", "requested_action"));
EVENT(check_suite, "check_suite", NO_EXTRA, VALUES("completed"));
EVENT(discussion, "discussion", NO_EXTRA,
      VALUES("created", "edited", "deleted", "transferred", "pinned", "unpinned", "labeled",
	     "unlabeled", "locked", "unlocked", "category_changed", "answered", "unanswered"));
EVENT(discussion_comment, "discussion_comment", NO_EXTRA, VALUES("created", "edited", "deleted"));
EVENT(image_version, "image_version", IMAGE_VERSION, VALUES("created", "ready", "deleted"));
EVENT(issue_comment, "issue_comment", NO_EXTRA, VALUES("created", "edited", "deleted"));
EVENT(issues, "issues", NO_EXTRA,
      VALUES("opened", "edited", "deleted", "transferred", "pinned", "unpinned", "closed",
	     "reopened", "assigned", "unassigned", "labeled", "unlabeled", "locked",
	     "unlocked", "milestoned", "demilestoned", "field_added", "field_removed", "typed",
	     "untyped"));
EVENT(label, "label", NO_EXTRA, VALUES("created", "edited", "deleted"));
EVENT(merge_group, "merge_group", BRANCHES, VALUES("checks_requested"));
EVENT(milestone, "milestone", NO_EXTRA,
      VALUES("created", "closed", "opened", "edited", "deleted"));
EVENT(project, "project", NO_EXTRA, VALUES("created", "closed", "reopened", "edited", "deleted"));
EVENT(project_card, "project_card", NO_EXTRA,
      VALUES("created", "moved", "converted", "edited", "deleted"));
EVENT(project_column, "project_column", NO_EXTRA,
      VALUES("created", "updated", "moved", "deleted"));
EVENT(pull_request, "pull_request", BRANCHES PATHS, pull_request_types);
EVENT(pr_comment, "pull_request_comment", NO_EXTRA, VALUES("created", "edited", "deleted"));
EVENT(pr_review, "pull_request_review", NO_EXTRA, VALUES("submitted", "edited", "dismissed"));
EVENT(pr_review_comment, "pull_request_review_comment", NO_EXTRA,
      VALUES("created", "edited", "deleted"));
EVENT(pr_target, "pull_request_target", BRANCHES PATHS, pull_request_types);
EVENT(registry_package, "registry_package", NO_EXTRA, VALUES("published", "updated"));
EVENT(release, "release", NO_EXTRA,
      VALUES("published", "unpublished", "created", "edited", "deleted", "prereleased",
	     "released"));
EVENT(watch, "watch", NO_EXTRA, VALUES("started"));
EVENT(workflow_run, "workflow_run", WORKFLOWS BRANCHES,
      VALUES("requested", "completed", "in_progress"));

static const struct schema_key k_push[] = {
	BRANCHES
	K("tags", d_nonempty_list, 0, NOF),
	K("tags-ignore", d_nonempty_list, 0, NOF),
	PATHS
	KEND,
};
static const struct schema_def d_push_map = {
	.kind = SCHEMA_MAPPING, .keys = k_push, .section = "the 'push' event",
};
static const struct schema_def d_push = {
	.kind = SCHEMA_ONE_OF, .one_of = ONE_OF(&schema_null, &d_push_map), .what = "a mapping or nothing",
};

static const struct schema_key k_repository_dispatch[] = {
	K("types", d_seq_nonempty, 0, NOF),
	KEND,
};
static const struct schema_def d_repository_dispatch_map = {
	.kind = SCHEMA_MAPPING, .keys = k_repository_dispatch,
	.section = "the 'repository_dispatch' event",
};
static const struct schema_def d_repository_dispatch = {
	.kind = SCHEMA_ONE_OF, .one_of = ONE_OF(&schema_null, &d_repository_dispatch_map),
	.what = "a mapping or nothing",
};

static const struct schema_key k_cron[] = {
	K("cron", schema_nonempty, REQ, NOF),
	K("timezone", schema_nonempty, 0, NOF),
	KEND,
};
static const struct schema_def d_cron = {
	.kind = SCHEMA_MAPPING, .keys = k_cron, .section = "a 'schedule' entry",
};
static const struct schema_def d_schedule = {
	.kind = SCHEMA_SEQUENCE, .item = &d_cron, .what = "a sequence of cron entries",
};

/* workflow_call */
static const struct schema_def d_input_default_x = {
	.kind = SCHEMA_ONE_OF, .flags = EXPR, .one_of = ONE_OF(&schema_string, &schema_boolean, &schema_number),
	.what = "a string, a boolean or a number",
};
static const struct schema_def d_call_input_type = {
	.kind = SCHEMA_STRING, .values = VALUES("boolean", "number", "string"),
};
static const struct schema_key k_call_input[] = {
	K("description", schema_string, 0, NOF),
	K("type", d_call_input_type, REQ, NOF),
	K("required", schema_boolean, 0, NOF),
	K("default", d_input_default_x, 0, NOF),
	KEND,
};
static const struct schema_def d_call_input = {
	.kind = SCHEMA_MAPPING, .keys = k_call_input, .section = "input '%s'",
};
static const struct schema_def d_call_inputs = {
	.kind = SCHEMA_MAPPING, .loose_key = &schema_nonempty, .item = &d_call_input,
};
static const struct schema_key k_call_secret[] = {
	K("description", schema_string, 0, NOF),
	K("required", schema_boolean, 0, NOF),
	KEND,
};
static const struct schema_def d_call_secret_map = {
	.kind = SCHEMA_MAPPING, .keys = k_call_secret, .section = "secret '%s'",
};
static const struct schema_def d_call_secret = {
	.kind = SCHEMA_ONE_OF, .one_of = ONE_OF(&schema_null, &d_call_secret_map),
	.what = "a mapping or nothing",
};
static const struct schema_def d_call_secrets = {
	.kind = SCHEMA_MAPPING, .loose_key = &schema_nonempty, .item = &d_call_secret,
};
static const struct schema_key k_call_output[] = {
	K("description", schema_string, 0, NOF),
	K("value", schema_string_x, REQ, NOF),
	KEND,
};
static const struct schema_def d_call_output = {
	.kind = SCHEMA_MAPPING, .keys = k_call_output, .section = "output '%s'",
};
static const struct schema_def d_call_outputs = {
	.kind = SCHEMA_MAPPING, .loose_key = &schema_nonempty, .item = &d_call_output,
};
static const struct schema_key k_workflow_call[] = {
	K("inputs", d_call_inputs, 0, NOF),
	K("secrets", d_call_secrets, 0, NOF),
	K("outputs", d_call_outputs, 0, NOF),
	KEND,
};
static const struct schema_def d_workflow_call_map = {
	.kind = SCHEMA_MAPPING, .keys = k_workflow_call, .section = "the 'workflow_call' event",
};
static const struct schema_def d_workflow_call = {
	.kind = SCHEMA_ONE_OF, .one_of = ONE_OF(&schema_null, &d_workflow_call_map),
	.what = "a mapping or nothing",
};

/* workflow_dispatch */
static const struct schema_def d_dispatch_input_type = {
	.kind = SCHEMA_STRING,
	.values = VALUES("string", "boolean", "number", "environment", "choice"),
};
static const struct schema_key k_dispatch_input[] = {
	K("description", schema_string, 0, NOF),
	K("type", d_dispatch_input_type, 0, NOF),
	K("required", schema_boolean, 0, NOF),
	K("default", d_scalar, 0, NOF),
	K("options", d_seq_string, 0, NOF),
	KEND,
};
static const struct schema_def d_dispatch_input = {
	.kind = SCHEMA_MAPPING, .keys = k_dispatch_input, .section = "input '%s'",
};
/* An input with no definition at all is a string input (GitHub's Go reader). */
static const struct schema_def d_dispatch_input_or_null = {
	.kind = SCHEMA_ONE_OF, .one_of = ONE_OF(&schema_null, &d_dispatch_input),
	.what = "a mapping or nothing",
};
static const struct schema_def d_dispatch_inputs = {
	.kind = SCHEMA_MAPPING, .loose_key = &schema_nonempty, .item = &d_dispatch_input_or_null,
};
/* `inputs:` left empty is accepted by GitHub's Go reader. */
static const struct schema_def d_dispatch_inputs_or_null = {
	.kind = SCHEMA_ONE_OF, .one_of = ONE_OF(&schema_null, &d_dispatch_inputs),
	.what = "a mapping or nothing",
};
static const struct schema_key k_workflow_dispatch[] = {
	K("inputs", d_dispatch_inputs_or_null, 0, NOF),
	KEND,
};
static const struct schema_def d_workflow_dispatch_map = {
	.kind = SCHEMA_MAPPING, .keys = k_workflow_dispatch,
	.section = "the 'workflow_dispatch' event",
};
static const struct schema_def d_workflow_dispatch = {
	.kind = SCHEMA_ONE_OF, .one_of = ONE_OF(&schema_null, &d_workflow_dispatch_map),
	.what = "a mapping or nothing",
};

static const struct schema_key k_on[] = {
	K("branch_protection_rule", d_bpr, 0, NOF),
	K("check_run", d_check_run, 0, NOF),
	K("check_suite", d_check_suite, 0, NOF),
	K("create", schema_null, 0, NOF),
	K("delete", schema_null, 0, NOF),
	K("deployment", schema_null, 0, NOF),
	K("deployment_status", schema_null, 0, NOF),
	K("discussion", d_discussion, 0, NOF),
	K("discussion_comment", d_discussion_comment, 0, NOF),
	K("fork", schema_null, 0, NOF),
	K("gollum", schema_null, 0, NOF),
	K("image_version", d_image_version, 0, NOF),
	K("issue_comment", d_issue_comment, 0, NOF),
	K("issues", d_issues, 0, NOF),
	K("label", d_label, 0, NOF),
	K("merge_group", d_merge_group, 0, NOF),
	K("milestone", d_milestone, 0, NOF),
	K("page_build", schema_null, 0, NOF),
	K("project", d_project, 0, NOF),
	K("project_card", d_project_card, 0, NOF),
	K("project_column", d_project_column, 0, NOF),
	K("public", schema_null, 0, NOF),
	K("pull_request", d_pull_request, 0, NOF),
	K("pull_request_comment", d_pr_comment, 0, NOF),
	K("pull_request_review", d_pr_review, 0, NOF),
	K("pull_request_review_comment", d_pr_review_comment, 0, NOF),
	K("pull_request_target", d_pr_target, 0, NOF),
	K("push", d_push, 0, NOF),
	K("registry_package", d_registry_package, 0, NOF),
	K("release", d_release, 0, NOF),
	K("repository_dispatch", d_repository_dispatch, 0, NOF),
	K("schedule", d_schedule, 0, NOF),
	K("status", schema_null, 0, NOF),
	K("watch", d_watch, 0, NOF),
	K("workflow_call", d_workflow_call, 0, NOF),
	K("workflow_dispatch", d_workflow_dispatch, 0, NOF),
	K("workflow_run", d_workflow_run, 0, NOF),
	KEND,
};
static const struct schema_def d_on_map = { .kind = SCHEMA_MAPPING, .keys = k_on, .section = "'on'" };
static const struct schema_def d_event_name = {
	.kind = SCHEMA_STRING, .values = wf_event_names, .what = "an event name",
};
static const struct schema_def d_event_names = {
	.kind = SCHEMA_SEQUENCE, .item = &d_event_name, .what = "a sequence of event names",
};
static const struct schema_def d_on = {
	.kind = SCHEMA_ONE_OF, .one_of = ONE_OF(&d_event_name, &d_event_names, &d_on_map),
};

/* ---------------------------------------------------------------- shared */

static const struct schema_def d_perm_any = {
	.kind = SCHEMA_STRING, .values = VALUES("read", "write", "none"),
};
static const struct schema_def d_perm_write = {
	.kind = SCHEMA_STRING, .values = VALUES("write", "none"),
};
static const struct schema_def d_perm_read = {
	.kind = SCHEMA_STRING, .values = VALUES("read", "none"),
};
static const struct schema_key k_permissions[] = {
	K("actions", d_perm_any, 0, NOF),
	K("artifact-metadata", d_perm_any, 0, NOF),
	K("attestations", d_perm_any, 0, NOF),
	K("checks", d_perm_any, 0, NOF),
	K("code-quality", d_perm_any, 0, NOF),
	K("contents", d_perm_any, 0, NOF),
	K("copilot-requests", d_perm_write, 0, NOF),
	K("deployments", d_perm_any, 0, NOF),
	K("discussions", d_perm_any, 0, NOF),
	K("drives", d_perm_any, 0, NOF),
	K("id-token", d_perm_write, 0, NOF),
	K("issues", d_perm_any, 0, NOF),
	K("models", d_perm_read, 0, NOF),
	K("packages", d_perm_any, 0, NOF),
	K("pages", d_perm_any, 0, NOF),
	K("pull-requests", d_perm_any, 0, NOF),
	K("repository-projects", d_perm_any, 0, NOF),
	K("security-events", d_perm_any, 0, NOF),
	K("statuses", d_perm_any, 0, NOF),
	K("vulnerability-alerts", d_perm_read, 0, NOF),
	KEND,
};
static const struct schema_def d_permissions_map = {
	.kind = SCHEMA_MAPPING, .keys = k_permissions, .section = "'permissions'",
};
static const struct schema_def d_permissions_all = {
	.kind = SCHEMA_STRING, .values = VALUES("read-all", "write-all"),
};
static const struct schema_def d_permissions = {
	.kind = SCHEMA_ONE_OF, .one_of = ONE_OF(&d_permissions_map, &d_permissions_all),
};

static const struct schema_def d_concurrency_queue = {
	.kind = SCHEMA_STRING, .values = VALUES("single", "max"),
};
static const struct schema_key k_concurrency[] = {
	K("group", schema_nonempty, REQ, NOF),
	K("cancel-in-progress", schema_boolean, 0, NOF),
	K("queue", d_concurrency_queue, 0, NOF),
	KEND,
};
static const struct schema_def d_concurrency_map = {
	.kind = SCHEMA_MAPPING, .keys = k_concurrency, .section = "'concurrency'",
};
static const struct schema_def d_wf_concurrency = {
	.kind = SCHEMA_ONE_OF, .flags = EXPR, .one_of = ONE_OF(&schema_string, &d_concurrency_map),
};
static const struct schema_def d_job_concurrency = {
	.kind = SCHEMA_ONE_OF, .flags = EXPR, .one_of = ONE_OF(&schema_nonempty, &d_concurrency_map),
};

static const struct schema_key k_defaults_run[] = {
	K("shell", schema_nonempty, 0, DEF(shell)),
	K("working-directory", schema_nonempty, 0, DEF(working_directory)),
	KEND,
};
static const struct schema_def d_wf_defaults_run = {
	.kind = SCHEMA_MAPPING, .keys = k_defaults_run, .section = "'defaults.run'",
};
static const struct schema_def d_job_defaults_run = {
	.kind = SCHEMA_MAPPING, .flags = EXPR, .keys = k_defaults_run, .section = "'defaults.run'",
};
static const struct schema_key k_wf_defaults[] = {
	K("run", d_wf_defaults_run, 0, DEF(node)),
	KEND,
};
static const struct schema_key k_job_defaults[] = {
	K("run", d_job_defaults_run, 0, DEF(node)),
	KEND,
};
static const struct schema_def d_wf_defaults = {
	.kind = SCHEMA_MAPPING, .keys = k_wf_defaults, .section = "'defaults'",
};
static const struct schema_def d_job_defaults = {
	.kind = SCHEMA_MAPPING, .keys = k_job_defaults, .section = "'defaults'",
};

/* ---------------------------------------------------------------- jobs */

static const struct schema_def d_needs = {
	.kind = SCHEMA_ONE_OF, .one_of = ONE_OF(&d_seq_nonempty, &schema_nonempty),
	.what = "a job id or a sequence of job ids",
};

static const struct schema_def d_matrix_filter_item = {
	.kind = SCHEMA_MAPPING, .loose_key = &schema_nonempty, .item = &schema_any,
};
static const struct schema_def d_matrix_filter = {
	.kind = SCHEMA_SEQUENCE, .item = &d_matrix_filter_item,
	.what = "a sequence of mappings",
};
static const struct schema_key k_matrix[] = {
	K("include", d_matrix_filter, 0, NOF),
	K("exclude", d_matrix_filter, 0, NOF),
	KEND,
};
static const struct schema_def d_matrix = {
	.kind = SCHEMA_MAPPING, .keys = k_matrix, .loose_key = &schema_nonempty, .item = &d_seq_any,
	.section = "'matrix'",
};
static const struct schema_key k_strategy[] = {
	K("fail-fast", schema_boolean, 0, JOB(fail_fast)),
	K("max-parallel", schema_number, 0, JOB(max_parallel)),
	K("matrix", d_matrix, 0, JOB(matrix)),
	KEND,
};
static const struct schema_def d_strategy = {
	.kind = SCHEMA_MAPPING, .flags = EXPR, .keys = k_strategy, .section = "'strategy'",
};

static const struct schema_key k_runs_on[] = {
	K("group", schema_nonempty, 0, NOF),
	K("labels", d_nonempty_list, 0, NOF),
	KEND,
};
static const struct schema_def d_runs_on_map = {
	.kind = SCHEMA_MAPPING, .keys = k_runs_on, .section = "'runs-on'",
};
static const struct schema_def d_runs_on = {
	.kind = SCHEMA_ONE_OF, .flags = EXPR,
	.one_of = ONE_OF(&schema_nonempty, &d_seq_nonempty, &d_runs_on_map),
	.what = "a runner label, a sequence of labels or a mapping with 'group'/'labels'",
};

static const struct schema_key k_environment[] = {
	K("name", schema_string, REQ, NOF),
	K("url", schema_string, 0, NOF),
	K("deployment", schema_boolean, 0, NOF),
	KEND,
};
static const struct schema_def d_environment_map = {
	.kind = SCHEMA_MAPPING, .keys = k_environment, .section = "'environment'",
};
static const struct schema_def d_environment = {
	.kind = SCHEMA_ONE_OF, .flags = EXPR, .one_of = ONE_OF(&schema_string, &d_environment_map),
};

static const struct schema_key k_credentials[] = {
	K("username", schema_nonempty, 0, NOF),
	K("password", schema_nonempty, 0, NOF),
	KEND,
};
static const struct schema_def d_credentials = {
	.kind = SCHEMA_MAPPING, .flags = EXPR, .keys = k_credentials, .section = "'credentials'",
};
#define CONTAINER_KEYS \
	K("image", schema_nonempty, 0, NOF), \
	K("options", schema_string, 0, NOF), \
	K("env", d_string_map_x, 0, NOF), \
	K("ports", d_seq_nonempty, 0, NOF), \
	K("volumes", d_seq_nonempty, 0, NOF), \
	K("credentials", d_credentials, 0, NOF)
static const struct schema_key k_container[] = {
	CONTAINER_KEYS,
	KEND,
};
static const struct schema_def d_container_map = {
	.kind = SCHEMA_MAPPING, .keys = k_container, .section = "'container'",
};
static const struct schema_def d_container = {
	.kind = SCHEMA_ONE_OF, .flags = EXPR, .one_of = ONE_OF(&schema_string, &d_container_map),
};
static const struct schema_key k_service[] = {
	CONTAINER_KEYS,
	K("entrypoint", schema_string, 0, NOF),
	K("command", schema_string, 0, NOF),
	KEND,
};
static const struct schema_def d_service_map = {
	.kind = SCHEMA_MAPPING, .keys = k_service, .section = "service '%s'",
};
static const struct schema_def d_service = {
	.kind = SCHEMA_ONE_OF, .flags = EXPR, .one_of = ONE_OF(&schema_nonempty, &d_service_map),
};
static const struct schema_def d_services = {
	.kind = SCHEMA_MAPPING, .flags = EXPR, .loose_key = &schema_nonempty, .item = &d_service,
};

static const struct schema_key k_snapshot[] = {
	K("image-name", schema_nonempty, REQ, NOF),
	K("if", schema_string_x, 0, NOF),
	K("version", schema_nonempty, 0, NOF),
	KEND,
};
static const struct schema_def d_snapshot_map = {
	.kind = SCHEMA_MAPPING, .keys = k_snapshot, .section = "'snapshot'",
};
static const struct schema_def d_snapshot = {
	.kind = SCHEMA_ONE_OF, .one_of = ONE_OF(&schema_nonempty, &d_snapshot_map),
};

/* steps */
static const struct schema_def d_step_with = {
	.kind = SCHEMA_MAPPING, .flags = EXPR, .loose_key = &schema_nonempty, .item = &schema_string,
};
#define STEP_COMMON_KEYS \
	K("name", schema_string_x, 0, STEP(name)), \
	K("id", schema_nonempty, 0, STEP(id_node)), \
	K("if", schema_string_x, 0, STEP(if_cond)), \
	K("continue-on-error", schema_boolean_x, 0, STEP(continue_on_error)), \
	K("timeout-minutes", schema_number_x, 0, STEP(timeout_minutes)), \
	K("env", d_env_x, 0, STEP(env))
static const struct schema_key k_run_step[] = {
	STEP_COMMON_KEYS,
	K("run", schema_string_x, REQ, STEP(run)),
	K("working-directory", schema_string_x, 0, STEP(working_directory)),
	K("shell", schema_nonempty, 0, STEP(shell)),
	KEND,
};
static const struct schema_key k_uses_step[] = {
	STEP_COMMON_KEYS,
	K("uses", schema_nonempty, REQ, STEP(uses_node)),
	K("with", d_step_with, 0, STEP(with)),
	KEND,
};
static const struct schema_def d_run_step = {
	.kind = SCHEMA_MAPPING, .keys = k_run_step, .section = "step",
};
static const struct schema_def d_uses_step = {
	.kind = SCHEMA_MAPPING, .keys = k_uses_step, .section = "step",
};
static const struct schema_def d_step;
static const struct schema_def d_parallel_steps = {
	.kind = SCHEMA_SEQUENCE, .item = &d_step, .open = wf_open_parallel_step,
	.what = "a sequence of steps",
};
static const struct schema_key k_parallel_step[] = {
	K("parallel", d_parallel_steps, REQ, STEP(parallel)),
	KEND,
};
static const struct schema_def d_parallel_step = {
	.kind = SCHEMA_MAPPING, .keys = k_parallel_step, .section = "step",
};
static const struct schema_def d_step = {
	.kind = SCHEMA_ONE_OF, .one_of = ONE_OF(&d_run_step, &d_uses_step, &d_parallel_step),
	.section = "step", .what = "a mapping",
};
static const struct schema_def d_steps = {
	.kind = SCHEMA_SEQUENCE, .item = &d_step, .open = wf_open_step,
	.what = "a sequence of steps",
};

#define JOB_COMMON_KEYS \
	K("name", schema_string_x, 0, JOB(name)), \
	K("needs", d_needs, 0, JOB(needs_node)), \
	K("if", schema_string_x, 0, JOB(if_cond)), \
	K("strategy", d_strategy, 0, JOB(strategy)), \
	K("permissions", d_permissions, 0, JOB(permissions)), \
	K("concurrency", d_job_concurrency, 0, JOB(concurrency))
static const struct schema_key k_job[] = {
	JOB_COMMON_KEYS,
	K("runs-on", d_runs_on, REQ, JOB(runs_on)),
	K("timeout-minutes", schema_number_x, 0, JOB(timeout_minutes)),
	K("cancel-timeout-minutes", schema_number_x, 0, JOB(cancel_timeout_minutes)),
	K("continue-on-error", schema_boolean_x, 0, JOB(continue_on_error)),
	K("container", d_container, 0, JOB(container)),
	K("services", d_services, 0, JOB(services)),
	K("env", d_env_x, 0, JOB(env)),
	K("environment", d_environment, 0, JOB(environment)),
	K("outputs", d_string_map_x, 0, JOB(outputs)),
	KS("defaults", d_job_defaults, 0, JOB(defaults), JOB(defaults_run)),
	K("steps", d_steps, 0, JOB(steps_node)),
	K("snapshot", d_snapshot, 0, JOB(snapshot)),
	KEND,
};
static const struct schema_def d_call_with = {
	.kind = SCHEMA_MAPPING, .loose_key = &schema_nonempty, .item = &d_scalar_x,
};
static const struct schema_def d_call_secret_values = {
	.kind = SCHEMA_MAPPING, .loose_key = &schema_nonempty, .item = &d_scalar_x,
};
static const struct schema_def d_secrets_inherit = {
	.kind = SCHEMA_STRING, .values = VALUES("inherit"),
};
static const struct schema_def d_job_secrets = {
	.kind = SCHEMA_ONE_OF, .one_of = ONE_OF(&d_call_secret_values, &d_secrets_inherit),
};
static const struct schema_key k_call_job[] = {
	JOB_COMMON_KEYS,
	K("uses", schema_nonempty, REQ, JOB(uses_node)),
	K("with", d_call_with, 0, JOB(with)),
	K("secrets", d_job_secrets, 0, JOB(secrets)),
	KEND,
};
static const struct schema_def d_job_run = {
	.kind = SCHEMA_MAPPING, .keys = k_job, .section = "job '%s'",
};
static const struct schema_def d_job_call = {
	.kind = SCHEMA_MAPPING, .keys = k_call_job, .section = "job '%s'",
};
static const struct schema_def d_job = {
	.kind = SCHEMA_ONE_OF, .one_of = ONE_OF(&d_job_run, &d_job_call), .section = "job '%s'",
	.what = "a mapping",
};
static const struct schema_def d_job_id = { .kind = SCHEMA_STRING, .flags = SCHEMA_NONEMPTY };
static const struct schema_def d_jobs = {
	.kind = SCHEMA_MAPPING, .loose_key = &d_job_id, .item = &d_job, .open = wf_open_job,
	.what = "a mapping of jobs",
};

/* ---------------------------------------------------------------- the root */

static const struct schema_key k_workflow[] = {
	K("on", d_on, REQ, WF(on)),
	K("name", schema_string, 0, WF(name)),
	K("description", schema_string, 0, WF(description)),
	K("run-name", schema_string_x, 0, WF(run_name)),
	KS("defaults", d_wf_defaults, 0, WF(defaults), WF(defaults_run)),
	K("env", d_env_x, 0, WF(env)),
	K("permissions", d_permissions, 0, WF(permissions)),
	K("concurrency", d_wf_concurrency, 0, WF(concurrency)),
	K("jobs", d_jobs, REQ, WF(jobs_node)),
	KEND,
};

const struct schema_def wf_schema_workflow = {
	.kind = SCHEMA_MAPPING, .keys = k_workflow, .section = "the workflow",
	.what = "a mapping",
};
