/*
 * workflow: the typed model of a GitHub Actions workflow file, loaded and
 * validated by wf_load(). Values that GitHub evaluates at run time (or
 * that may hold ${{ }}) are kept as ydoc nodes, unevaluated and with their
 * positions, for the template evaluator; what is static (job ids, needs,
 * step ids, `uses`, events and their filters) is decoded here. Running,
 * planning and evaluating expressions belong elsewhere.
 */
#ifndef PARSER_WORKFLOW_H
#define PARSER_WORKFLOW_H

#include <stddef.h>

#include "parser/uses.h"
#include "parser/ydoc.h"
#include "util/diag.h"
#include "util/strbuf.h"

/*
 * Every pointer below points into the workflow's ydoc arena and lives as
 * long as the struct wf_workflow it came from. A `const struct ydoc_node *`
 * is NULL when the key is absent.
 */

/* A string, or a sequence of strings, decoded (e.g. `branches:`, `types:`). */
struct wf_strings {
	const struct ydoc_node *node;           /* the value as written, or NULL */
	const char **items;                     /* scalar items in order */
	const struct ydoc_node **nodes;         /* the node of each item */
	size_t nr;
};

/* `needs:` entries and similar references by id. */
struct wf_ref {
	const char *id;
	const struct ydoc_node *node;
};

enum wf_input_type {
	WF_INPUT_STRING,        /* also the default when `type:` is absent */
	WF_INPUT_BOOLEAN,
	WF_INPUT_NUMBER,
	WF_INPUT_CHOICE,
	WF_INPUT_ENVIRONMENT,
};

/* A workflow_dispatch or workflow_call input. */
struct wf_input {
	const char *name;
	const struct ydoc_node *key;
	enum wf_input_type type;
	int required;                           /* `required: true` */
	const struct ydoc_node *description, *default_value;
	struct wf_strings options;              /* choice inputs */
};

/* A workflow_call output (`value:` is evaluated by the caller's run). */
struct wf_output {
	const char *name;
	const struct ydoc_node *key, *description, *value;
};

/* A workflow_call secret. */
struct wf_secret {
	const char *name;
	const struct ydoc_node *key, *description;
	int required;
};

/* A `schedule:` entry. */
struct wf_cron {
	const char *cron;
	const char *timezone;                   /* NULL when not given */
	const struct ydoc_node *node;           /* the cron string */
};

/* One event of `on:`; lists that were not given have nr == 0 and node NULL. */
struct wf_event {
	const char *name;                       /* "push", "pull_request", ... */
	const struct ydoc_node *node;           /* where the name is written */
	const struct ydoc_node *config;         /* its mapping/sequence, or NULL */
	struct wf_strings branches, branches_ignore, tags, tags_ignore, paths, paths_ignore;
	struct wf_strings types, workflows, names, versions;
	struct wf_input *inputs;                /* workflow_dispatch, workflow_call */
	size_t inputs_nr;
	struct wf_output *outputs;              /* workflow_call */
	size_t outputs_nr;
	struct wf_secret *secrets;              /* workflow_call */
	size_t secrets_nr;
	struct wf_cron *crons;                  /* schedule */
	size_t crons_nr;
};

/* `defaults: run:` of the workflow or of a job. */
struct wf_defaults {
	const struct ydoc_node *node;           /* the `run:` mapping */
	const struct ydoc_node *shell, *working_directory;
};

struct wf_step {
	const struct ydoc_node *node;           /* the step's mapping */
	size_t index;                           /* 0-based position in steps */
	const char *id;                         /* as written, or generated (__run, ...) */
	int id_generated;
	const struct ydoc_node *id_node, *name, *if_cond, *run, *shell, *with, *env;
	const struct ydoc_node *working_directory, *continue_on_error, *timeout_minutes;
	const struct ydoc_node *uses_node;      /* the `uses:` string */
	struct wf_uses uses;                    /* parsed, when has_uses */
	int has_uses;
	/* `parallel:` — a group of steps run side by side (their ids are their own scope) */
	const struct ydoc_node *parallel;
	struct wf_step *parallel_steps;
	size_t parallel_nr;
};

struct wf_job {
	const char *id;
	const struct ydoc_node *key;            /* the id as written (for positions) */
	const struct ydoc_node *node;           /* the job's mapping */
	const struct ydoc_node *name, *needs_node, *if_cond, *runs_on, *environment;
	const struct ydoc_node *concurrency, *outputs, *env, *timeout_minutes;
	const struct ydoc_node *cancel_timeout_minutes, *continue_on_error;
	const struct ydoc_node *strategy, *matrix, *fail_fast, *max_parallel;
	const struct ydoc_node *container, *services, *permissions, *snapshot, *defaults;
	const struct ydoc_node *steps_node;
	struct wf_defaults defaults_run;
	struct wf_ref *needs;                   /* in the order written */
	size_t needs_nr;
	struct wf_step *steps;
	size_t steps_nr;
	/* A job that calls a reusable workflow (`uses:` instead of `runs-on:`). */
	int is_call;
	const struct ydoc_node *uses_node, *with, *secrets;
	struct wf_uses uses;                    /* parsed, when is_call and valid */
	int secrets_inherit;                    /* `secrets: inherit` */
	/*
	 * The called workflow once loaded (see struct wf_load_options), else
	 * NULL. Owned by the workflow that wf_load_opts() loaded; a workflow
	 * called from several jobs is loaded once and shared.
	 */
	const struct wf_workflow *callee;
};

struct wf_calls;

struct wf_workflow {
	struct ydoc doc;                        /* owns every node and string below */
	const char *file;
	const struct ydoc_node *name, *description, *run_name, *on, *permissions;
	const struct ydoc_node *env, *concurrency, *defaults, *jobs_node;
	struct wf_defaults defaults_run;
	struct wf_event *events;                /* in the order written */
	size_t events_nr;
	struct wf_job *jobs;                    /* in the order written */
	size_t jobs_nr;
	struct wf_calls *calls;                 /* the workflows it calls, loaded (owned) */
};

/*
 * Where the text of a called workflow comes from. resolve() is asked for
 * every job's `uses:`: ref is the reference as written (a './' one inside
 * a remote workflow is first made remote: owner/repo/path@ref of that
 * workflow). It fills name (how files are called in messages) and text
 * and returns 0; 1 when it does not know ref (a remote one then stays
 * unloaded, a './' one is read under root); -1 with a message in err.
 */
struct wf_resolver {
	int (*resolve)(void *data, const char *ref, const struct wf_uses *uses,
		       struct strbuf *name, struct strbuf *text, struct strbuf *err);
	void *data;
};

/* The permissions a repository gives GITHUB_TOKEN when a workflow names none. */
enum wf_permissions_policy {
	WF_POLICY_UNKNOWN,              /* not known: what callees ask for is not checked */
	WF_POLICY_LIMITED_READ,         /* contents and packages read, the rest none */
	WF_POLICY_WRITE,                /* everything write */
};

/* GitHub's limit: the caller and nine levels of called workflows. */
#define WF_MAX_CALL_DEPTH 9

/* How wf_load_opts() reads a workflow and the workflows it calls. */
struct wf_load_options {
	const struct ydoc_limits *limits;       /* NULL: ydoc_default_limits */
	const char *root;                       /* './' references are files under it; NULL:
						   they are not loaded */
	const struct wf_resolver *resolver;     /* NULL: only './' references are loaded */
	int max_depth;                          /* levels of called workflows; 0:
						   WF_MAX_CALL_DEPTH */
	size_t max_jobs;                        /* jobs, those of called workflows
						   included; 0: no limit */
	enum wf_permissions_policy policy;
};

/*
 * Load and validate a workflow: YAML, the schema (unknown, duplicate and
 * mistyped keys), then the semantic rules (ids, needs, cycles, events ...).
 * Every problem is appended to diags (sorted, duplicates removed) as
 * `file:line:col: error: message [rule]`. Returns 0 when the file is
 * valid, -1 otherwise; the model is filled as far as it could be read
 * either way and must be released with wf_release().
 */
int wf_load(struct wf_workflow *wf, const char *file, const char *text, size_t len,
	    struct diag_list *diags);
int wf_load_file(struct wf_workflow *wf, const char *path, struct diag_list *diags);
/* The same with explicit YAML limits (NULL: the defaults). */
int wf_load_limits(struct wf_workflow *wf, const char *file, const char *text, size_t len,
		   const struct ydoc_limits *limits, struct diag_list *diags);
/*
 * The same, and load the workflows its jobs call (and theirs, to
 * max_depth levels) as GitHub does before a run: each job's `callee` is
 * set, and the call is checked against the callee — it has on:
 * workflow_call, `with:` and `secrets:` name what it declares (values of
 * the declared type), required inputs and secrets are given, the callee
 * asks for no permission the caller does not grant, no call cycle, and
 * needs.<job>.outputs.<name> exists. Errors about a call are positioned
 * at the caller's keys; a callee's own errors follow the caller's, under
 * the callee's name. opts may be NULL (nothing is loaded).
 */
int wf_load_opts(struct wf_workflow *wf, const char *file, const char *text, size_t len,
		 const struct wf_load_options *opts, struct diag_list *diags);
int wf_load_file_opts(struct wf_workflow *wf, const char *path,
		      const struct wf_load_options *opts, struct diag_list *diags);
void wf_release(struct wf_workflow *wf);

/* The job with this id, or NULL. */
const struct wf_job *wf_job_find(const struct wf_workflow *wf, const char *id);
/* The event with this name, or NULL. */
const struct wf_event *wf_event_find(const struct wf_workflow *wf, const char *name);

/*
 * The text of a scalar node that is not an expression, or NULL (absent,
 * not a scalar, or containing ${{ }}). For names, `shell:`, ids ...
 */
const char *wf_static_string(const struct ydoc_node *n);

/* True when the scalar n contains a ${{ }} expression. */
int wf_is_expression(const struct ydoc_node *n);

#endif
