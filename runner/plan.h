/*
 * plan: selected workflows as jobs (needs, levels, -j) and legs (matrix
 * combinations, display names); deferred matrices expand once their needs
 * are known. The structs also carry run-time state that runner/sched.c and
 * runner/job.c own and runner/runstate.c reads; all in the plan's arena.
 */
#ifndef RUNNER_PLAN_H
#define RUNNER_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "parser/expr.h"
#include "parser/workflow.h"
#include "util/arena.h"
#include "util/strbuf.h"
#include "util/strlist.h"
#include "util/value.h"

enum plan_result {
	PLAN_RESULT_NONE,       /* not decided yet */
	PLAN_SUCCESS,
	PLAN_FAILURE,
	PLAN_CANCELLED,
	PLAN_SKIPPED,
	PLAN_WAITING,           /* waits for an approval nobody could give */
};

/* Where a leg is (the scheduler's states; run.json's "status"). */
enum plan_status {
	PLAN_PENDING,           /* its needs are not done */
	PLAN_READY,             /* needs done, gates not yet asked */
	PLAN_WAITING_GATE,      /* approval, wait timer or concurrency group */
	PLAN_QUEUED,            /* may run: waits for a free slot */
	PLAN_RUNNING,
	PLAN_DONE,
	PLAN_STATUS_NR,
};

enum plan_wait {
	PLAN_WAIT_NONE,
	PLAN_WAIT_APPROVAL,
	PLAN_WAIT_TIMER,
	PLAN_WAIT_CONCURRENCY,
};

/* "success", "failure", ... or NULL for PLAN_RESULT_NONE. */
const char *plan_result_name(enum plan_result r);
/* The result named s, or -1. */
int plan_result_parse(const char *s);
/* "pending", "queued", "waiting", "running", "done" (READY reads as pending). */
const char *plan_status_name(enum plan_status s);
/* "approval", "wait-timer", "concurrency", or NULL. */
const char *plan_wait_name(enum plan_wait w);

struct plan_job;

/* One step of a leg, as run (or skipped). */
struct plan_step {
	const struct wf_step *step;
	const char *id;
	const char *name;               /* display name (evaluated when the step starts) */
	enum plan_status status;        /* PENDING, RUNNING, DONE */
	enum plan_result outcome, conclusion;
	struct val outputs;             /* object */
	uint64_t started_ms, duration_ms;
};

/* One matrix combination of a job (or the job itself without a matrix). */
struct plan_leg {
	struct plan_job *job;
	size_t index;                   /* 0-based among the job's legs */
	const char *key;                /* "ci.test" or "ci.test.3" */
	const char *name;               /* display name: "test (ubuntu, 16)" */
	struct val matrix;              /* object, or null without a matrix */
	/* run time (runner/sched.c, runner/job.c) */
	enum plan_status status;
	enum plan_result result;
	enum plan_wait waiting_for;
	const char *env_name;           /* the evaluated `environment` name, or NULL */
	const char *env_url;            /* environment url, once known */
	int env_protected;
	const char **env_reviewers;     /* its `reviewers:` (the config's strings), or NULL */
	size_t env_reviewers_nr;
	struct val runs_on;
	struct val outputs;             /* object */
	struct plan_step *steps;
	size_t steps_nr;
	uint64_t started_ms, finished_ms;       /* wall clock (ms since the epoch), 0: not yet */
	const char *message;            /* why it failed/waits, shown at the end; NULL */
	int restored;                   /* finished in an earlier process (--resume) */
	int gate;                       /* runner/sched.c: the next gate to pass */
	void *run;                      /* runner/job.c's state while it runs */
};

struct plan_wf {
	struct wf_workflow wf;
	const char *path;               /* as the user sees it: ".github/workflows/ci.yml" */
	const char *stem;               /* "ci" */
	const char *name;               /* `name:` or the path (github.workflow) */
	const char *display;            /* `name:` or the stem: what the console shows */
	struct val inputs;              /* the `inputs` context (workflow_dispatch), object */
};

struct plan_job {
	struct plan_wf *wf;             /* the selected workflow it belongs to (github.workflow) */
	const struct wf_job *job;
	/*
	 * The workflow that defines the job: wf's own, or for a job of a
	 * called (reusable) workflow that workflow — its env and defaults.
	 */
	const struct wf_workflow *def;
	const char *key;                /* "<stem>.<id>", "<stem>.<caller>.<id>" when called */
	struct plan_job **needs;
	size_t needs_nr;
	struct plan_job **dependents;
	size_t dependents_nr;
	int level;                      /* 0 for jobs without needs */
	size_t order;                   /* position in plan.jobs */
	/*
	 * Reusable workflows, expanded when planned: a job whose `uses:`
	 * calls one has the called workflow's jobs as callees (each with
	 * caller set back); it starts them once its needs are done and its
	 * if: holds, and ends when they all have (its result and outputs
	 * come from them). prefix is what called jobs' names start with
	 * ("call / ").
	 */
	struct plan_job *caller;
	struct plan_job **callees;
	size_t callees_nr;
	const char *prefix;
	const char *label;              /* prefix and id: "call / build" (the id when not called) */
	struct val inputs, secrets;     /* called jobs: the call's `with:`, `secrets:` (once open) */
	int call_open, call_started;    /* run time (runner/sched.c) */
	size_t created;                 /* creation order, for a stable sort */
	int has_matrix;                 /* `strategy.matrix` is given */
	int deferred;                   /* legs wait for the needs' outputs */
	int fail_fast;                  /* strategy.fail-fast (default true) */
	int max_parallel;               /* 0: no limit */
	struct plan_leg *legs;          /* NULL until expanded */
	size_t legs_nr;
	/* run time */
	enum plan_result result;        /* of all legs (needs.<id>.result) */
	struct val outputs;             /* merged outputs of the legs */
	size_t legs_done, legs_running;
	int if_decided;                 /* the job-level if: was evaluated */
	int matrix_cancelled;           /* fail-fast fired */
};

struct plan {
	struct arena arena;             /* every plan_* struct and value */
	struct plan_wf **loaded;        /* every workflow read (wf_released with the plan) */
	size_t loaded_nr, loaded_alloc;
	struct plan_wf **wfs;           /* the selected ones, planned */
	size_t wfs_nr;
	struct plan_job **jobs;         /* by level, then workflow, then job order */
	size_t jobs_nr;
	int levels;
};

/* What plan_build needs; the pointers are borrowed for the call. */
struct plan_opts {
	const struct strlist *jobs;             /* -j ids (empty: all) */
	const struct strlist *matrix;           /* --matrix KEY:VALUE */
	/*
	 * Contexts known before any job ran (github, inputs, vars), for the
	 * static evaluation of matrices and names; inputs is per workflow
	 * and set by plan_build from plan_wf.inputs.
	 */
	struct val contexts;
};

void plan_init(struct plan *p);

/*
 * A fresh plan_wf for a workflow about to be loaded into its wf (and
 * released by plan_release), in p->loaded.
 */
struct plan_wf *plan_wf_new(struct plan *p);

/*
 * Build the plan from the selected workflows (loaded and valid, in
 * order). Returns 0, or -1 with err: a -j naming no job, a matrix that
 * cannot expand, a --matrix filter without ':'.
 */
int plan_build(struct plan *p, struct plan_wf **selected, size_t nr, const struct plan_opts *o,
	       struct strbuf *err);
void plan_release(struct plan *p);

/*
 * Expand job's legs now that contexts (github, inputs, vars, needs, ...)
 * are known: evaluate the matrix, apply --matrix filters, name the legs.
 * Returns 0, or -1 with err ("file:line:col: ..."). Calling it again does
 * nothing.
 */
int plan_expand_job(struct plan *p, struct plan_job *job, struct val contexts,
		    const struct strlist *matrix_filters, struct strbuf *err);

/*
 * The job-level names a context may use, for job-level values (matrix,
 * name, runs-on, environment, if) and for steps.
 */
extern const char *const plan_job_contexts[];
extern const char *const plan_step_contexts[];

/* Does any ${{ }} under n name the `needs` context? */
int plan_refers_to_needs(const struct ydoc_node *n);

/*
 * Every leg of job is done: set job->result from theirs as `needs` shows
 * it (any failure, else any cancellation, else any waiting, else
 * success, skipped when all were skipped) unless it is already set, and
 * merge the legs' outputs into job->outputs (later legs win).
 */
void plan_job_finish(struct plan *p, struct plan_job *job);

/* The job with this key ("ci.build"), or NULL. */
struct plan_job *plan_find_job(const struct plan *p, const char *key);
/* The leg with this key, or NULL. */
struct plan_leg *plan_find_leg(const struct plan *p, const char *key);

#endif
