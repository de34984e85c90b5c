/*
 * job_int: what runner/job.c (a leg's steps) shares with runner/job_uses.c
 * (the `uses:` step kind: built-in stages, actions, their pre and post
 * steps): the leg's running state, its step frames and how a step's child
 * is started. Private to those two files.
 */
#ifndef RUNNER_JOB_INT_H
#define RUNNER_JOB_INT_H

#include "runner/executor.h"
#include "runner/job.h"
#include "runner/joblog.h"
#include "runner/regauth.h"
#include "runner/wfcmd.h"
#include "util/strlist.h"

struct action_src;

enum job_files { JF_OUTPUT, JF_ENV, JF_PATH, JF_STATE, JF_SUMMARY, JF_NR };

/* GitHub's limit on composite actions within composite actions. */
#define JOB_MAX_ACTION_DEPTH 9

/*
 * A list of steps being run: the job's own (frame 0), or a composite
 * action's nested steps with their own `steps` and `inputs` contexts.
 * Nested frames live in the job's arena.
 */
struct job_frame {
	struct plan_step *steps;
	size_t nr, next;
	struct val contexts;            /* what its steps see (frame 0: the job's) */
	struct val steps_ctx;           /* its `steps` context */
	struct val env_over;            /* env of the `uses:` steps that led here, laid over
					   the job's env (object) */
	enum expr_job_status status;    /* of its steps (frame 0 reads the job's) */
	struct plan_step *owner;        /* the composite's step in the frame below */
	const struct action_src *action;        /* the composite running (NULL: frame 0) */
	const char *action_path;        /* github.action_path / GITHUB_ACTION_PATH, or NULL */
	const char *action_repository, *action_ref;
	int owner_coe;                  /* the owner step's continue-on-error */
};

enum job_hook_kind { JOB_HOOK_PRE, JOB_HOOK_POST };

/*
 * A pre or post step of an action or stage: started like any step when
 * its turn comes (pres before the job's steps, posts after them, last
 * registered first) and its condition holds. Its plan_step is moved into
 * leg->steps (for run.json) when its phase begins.
 */
struct job_hook {
	enum job_hook_kind kind;
	struct plan_step own;           /* the plan_step until it is placed */
	struct plan_step *st;           /* where it is now */
	const struct ydoc_node *cond;   /* pre-if / post-if (a scalar) */
	struct strlist argv;            /* the command */
	struct strlist env;             /* K=V laid over the step's (inputs ...) */
	struct val step_env;            /* the env context it runs with */
	struct val *state;              /* GITHUB_STATE of the action instance */
	int host_files;                 /* a stage: host view of the file commands */
	int stage;                      /* a built-in stage's (see job_launch.stage) */
};

/* How to start one step's child (built by the step's kind). */
struct job_launch {
	struct strlist argv;            /* argv[0] is looked up in the step's PATH */
	struct strlist env;             /* K=V laid over the step's variables */
	const char *dir;                /* working directory (step view); NULL: workspace */
	struct val step_env;            /* the env context (user variables) */
	uint64_t timeout_ms;            /* 0: none */
	int host_files;                 /* give the file commands' host paths (stages) */
	/*
	 * A built-in stage (Slipway's own code; host_files alone also holds
	 * for docker actions): its output may use Slipway's own workflow
	 * commands, and it gets the job's registry credentials.
	 */
	int stage;
	struct val *state;              /* where GITHUB_STATE goes after the step (or NULL) */
};

#define JOB_LAUNCH_INIT { STRLIST_INIT, STRLIST_INIT, NULL, { VAL_NULL, { 0 } }, 0, 0, 0, NULL }

void job_launch_release(struct job_launch *l);

struct job_run {
	struct run *run;
	struct plan_leg *leg;
	struct arena arena;             /* contexts and evaluations of this leg */
	struct strbuf dir;              /* <run>/jobs/<key> */
	struct exec_job ej;
	int prepared;
	int setting_up;                 /* the executor's set-up child runs (ej.setup) */
	int skipped;                    /* the executor cannot run the leg here */
	struct joblog log;
	struct val contexts;            /* what the job's steps see */
	struct val env;                 /* env context of the job (GITHUB_ENV included) */
	struct val steps;               /* steps context of the job's steps */
	struct val job_ctx;             /* job context */
	struct strlist path_add;        /* GITHUB_PATH, rising precedence */
	struct strlist shells;          /* "name=path" of shells looked up */
	struct regauth registry_auths;  /* what its stages logged in to, for its later stages */
	enum expr_job_status status;
	enum plan_result call_result;   /* a calling job's, from the jobs it called */
	int stopped, timed_out, killed;
	uint64_t job_timer;
	uint64_t cancel_timer;          /* cancel-timeout-minutes, once stopped */
	/* the frames: [0] is the job's steps, the last the one running */
	struct job_frame *frames;
	size_t frames_nr, frames_alloc;
	/* pre and post steps, in registration order (posts run last first) */
	struct job_hook **hooks;
	size_t hooks_nr, hooks_alloc;
	enum { JOB_PHASE_PRE, JOB_PHASE_MAIN, JOB_PHASE_POST } phase;
	size_t hook_next;               /* the next hook to consider in the phase */
	struct action_src **actions;    /* loaded for this leg (released at its end) */
	struct val action_states;       /* step id -> GITHUB_STATE of its action (pre to main) */
	size_t actions_nr, actions_alloc;
	/* the running step */
	struct plan_step *cur;
	struct job_hook *cur_hook;      /* when it is a pre or post step */
	struct val *cur_state;          /* where its GITHUB_STATE goes, or NULL */
	struct exec_step es;
	int child_done, step_timed_out, cmd_failed, coe;
	int exit_status;
	int kill_stage;
	uint64_t step_timer, kill_timer;
	struct strbuf pending;          /* an incomplete line */
	struct wfcmd_state wfcmd;
	struct val cmd_outputs;         /* ::set-output:: */
	struct strbuf files[JF_NR];     /* this step's file-command files (host view) */
	struct strbuf views[JF_NR];     /* the same as the step sees them */
	int *linger;                    /* pipes of finished steps still open */
	size_t linger_nr, linger_alloc;
};

/* The frame running now. */
struct job_frame *job_top(struct job_run *jr);

/*
 * Set the running frame's `env` context to what its steps see between
 * steps: the job's env (GITHUB_ENV included) with the frame's over it.
 */
void job_env_context(struct job_run *jr);

/* Evaluate n against the running frame's contexts (arena: the job's). */
int job_eval(struct job_run *jr, struct val *out, const struct ydoc_node *n, struct strbuf *err);
/* Evaluate an `env:` mapping (may be NULL) into obj, values as strings. */
int job_eval_env(struct job_run *jr, struct val obj, const struct ydoc_node *n,
		 struct strbuf *err);
/* A truthy node (continue-on-error) into *out. */
int job_truthy_node(struct job_run *jr, const struct ydoc_node *n, int *out, struct strbuf *err);

/* An error line in the job's log. */
void job_error(struct job_run *jr, const char *msg);

/* Where program is in the job's environment (cached per job); NULL when absent. */
const char *job_find_program(struct job_run *jr, const char *name, const char *path);

/*
 * What every step kind does before starting its child: the step's env
 * context (job env, the frame's, the step's `env:`), continue-on-error
 * and timeout-minutes, into l and jr.
 */
int job_step_setup(struct job_run *jr, struct plan_step *st, struct job_launch *l,
		   struct strbuf *err);

/*
 * Start l as the running step jr->cur (fresh file-command files, the
 * step's variables, workflow-command state, the child watched on the
 * loop). Returns 0, or -1 with err (the step then fails without running).
 */
int job_launch(struct job_run *jr, const struct job_launch *l, struct strbuf *err);

/*
 * Step st of the running frame is over with outcome (outputs: the real
 * values, an object): its conclusion (continue-on-error coe), the
 * frame's status, the steps context, run.json and the events.
 */
void job_step_done(struct job_run *jr, struct plan_step *st, enum plan_result outcome, int coe,
		   struct val outputs);

/* Push a frame for a composite's steps; the new frame is returned, zeroed but for steps. */
struct job_frame *job_push_frame(struct job_run *jr);

/* A synthetic scalar (an if: written by the runner, "always()") in the job's arena. */
const struct ydoc_node *job_condition(struct job_run *jr, const char *text);

/*
 * Register a pre or post step called name (id: the running step's);
 * returns it, owned by jr, for the caller to fill (argv, env, cond ...).
 */
struct job_hook *job_add_hook(struct job_run *jr, enum job_hook_kind kind, const char *id,
			      const char *name);

/* ---- runner/job_uses.c ---- */

/*
 * Start a `uses:` step (jr->cur is st): a built-in stage, a node or
 * docker action (a child is started: returns 0), or a composite action (a
 * frame is pushed: returns 1). -1 with err: the step fails.
 */
int job_uses_start(struct job_run *jr, struct plan_step *st, struct strbuf *err);

/* The top frame's steps are over: its composite step finishes, the frame is popped. */
void job_uses_frame_done(struct job_run *jr);

/*
 * Before the job's steps run (contexts are built): register the pre
 * steps of the actions its steps use (remote node actions with `pre:`,
 * remote docker actions with `pre-entrypoint:`).
 */
void job_uses_pre(struct job_run *jr);

/* Release what the uses kind loaded for the leg. */
void job_uses_release(struct job_run *jr);

#endif
