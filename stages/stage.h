/*
 * stage: the contract of Slipway's built-in stages — native versions of
 * well-known actions (actions/checkout, artifacts, caches, setup-*,
 * docker/...) and Slipway's own (slipway/...). The table (stages/stages.c)
 * and the helpers a stage uses live here; the stages are one file each.
 * Choosing and starting a stage is the runner's (runner/job_uses.c).
 */
#ifndef STAGES_STAGE_H
#define STAGES_STAGE_H

#include <stddef.h>

#include "util/strbuf.h"
#include "util/strlist.h"

/*
 * How a stage runs
 * ----------------
 * A step `uses: NAME@REF` whose NAME (owner/repo[/path], compared without
 * case) is a stage's in the table runs that stage, unless
 * `slipway run --no-builtin NAME` asks for the real action. The runner
 * starts it as a child of its own, exactly like a `run:` step:
 *
 *     slipway __stage NAME            (the main step)
 *     slipway __stage NAME --post     (the post step, when the stage has one)
 *
 * so blocking work (libgit2, libarchive, the engine) stays off the
 * runner's loop; the child's stdout and stderr are the step's log (through
 * workflow commands and the masker: `::error::`, `::add-mask::` work), its
 * exit status the step's outcome (0 success).
 *
 * The child's environment carries everything a stage knows:
 *   INPUT_<NAME>            each `with:` input, evaluated, as GitHub passes
 *                           them to actions (upper case, spaces as '_');
 *                           stage_input() applies the table's defaults
 *   GITHUB_*, RUNNER_*, CI  as for any step; paths are the host's view
 *                           (GITHUB_WORKSPACE is a directory this process
 *                           may read and write)
 *   GITHUB_OUTPUT, GITHUB_ENV, GITHUB_PATH, GITHUB_STATE,
 *   GITHUB_STEP_SUMMARY     the file commands (stage_set_output() ...)
 *   STATE_<name>            in the post step: what main saved (stage_state())
 *   SLIPWAY_RUN_DIR         the run's directory (artifacts/ lives there)
 *   SLIPWAY_CACHE_DIR       the cache store shared by runs (actions/cache)
 *   SLIPWAY_REPOSITORY      the user's repository (working tree root)
 *   SLIPWAY_SNAPSHOT        the repository as the run saw it
 *   SLIPWAY_CHECKOUT        "snapshot" (default) or "commit" (--checkout)
 *   SLIPWAY_JOB_KEY         the leg's key ("ci.build.2")
 *   SLIPWAY_ACTION_BASE_URL where repositories are fetched from
 *   SLIPWAY_STATE_DIR       the state directory (deployments/ lives there)
 *   SLIPWAY_REGISTRY        `registry:` of .slipway.yml (unset when none)
 *   SLIPWAY_STEP_WORKSPACE  GITHUB_WORKSPACE as the job's steps see it
 *                           (differs in a job container)
 *   SLIPWAY_JOB_CONTAINER   the job container's id, when the job's steps
 *                           run in one (unset otherwise)
 *   SLIPWAY_STEP_TEMP       RUNNER_TEMP as the job's steps see it
 *   SLIPWAY_REGISTRY_AUTHS  the registry credentials docker/login-action
 *                           handed to the runner earlier in the job (JSON:
 *                           {"SERVER": {"username", "password"}}); given
 *                           to stages only, never to other steps, never
 *                           written to a file (stages/dockerauth.h reads it)
 * A stage reads these through struct stage_ctx, never getenv, so that
 * unit tests hand it an environment of their own.
 */

/*
 * An artifact of the run is <run>/artifacts/<name>/ with its archives and
 * this JSON description: {"name", "job", "files", "size", "digest",
 * "created_at"} (the run's summary lists them).
 */
#define STAGE_ARTIFACT_META ".slipway-artifact.json"

/* The variable carrying the job's registry credentials (see above). */
#define STAGE_REGISTRY_AUTHS_VAR "SLIPWAY_REGISTRY_AUTHS"

/* An input a stage knows, with its default (NULL: none, the input is ""). */
struct stage_input {
	const char *name;
	const char *dflt;
	/*
	 * A password: the runner masks its value before it logs the step's
	 * inputs, even when the workflow gives it literally, not as a secret.
	 */
	int secret;
};

struct stage_ctx;

struct stage {
	/* "actions/checkout": the `uses:` name it stands for, and --no-builtin's NAME */
	const char *name;
	const struct stage_input *inputs;       /* ends with a NULL name */
	/* The main step; returns the exit status (0: success). */
	int (*main)(struct stage_ctx *ctx);
	/*
	 * The post step, run when the job ends (in reverse order of the
	 * steps, as GitHub's runner does) if post_if holds; NULL: none.
	 */
	int (*post)(struct stage_ctx *ctx);
	const char *post_if;                    /* "success()", "always()" ... */
};

/* The table (stages/stages.c), NULL-terminated; each stage is defined in its own file. */
extern const struct stage *const stages[];

/*
 * The stage a `uses:` reference selects: its owner/repo[/path] before
 * '@' is a stage's name (ASCII case-insensitive) and that name is not in
 * disabled (--no-builtin; may be NULL). NULL otherwise.
 */
const struct stage *stage_find(const char *uses, const struct strlist *disabled);
/* The stage called name, or NULL. */
const struct stage *stage_by_name(const char *name);

/* "INPUT_<NAME>" for an input name, as GitHub's runner spells it. */
void stage_input_var(struct strbuf *out, const char *name);

/* What a running stage sees; filled by stage_main from an environment. */
struct stage_ctx {
	const struct stage *stage;
	int post;                       /* running the post step */
	char **env;                     /* "K=V", NULL-terminated (borrowed) */
	const char *workspace, *temp, *run_dir, *cache_dir, *repository, *snapshot;
	const char *checkout, *job_key, *base_url;
	const char *state_dir, *registry;
	const char *step_workspace;     /* the workspace as the job's steps see it */
	const char *job_container;      /* the job container's id, or NULL */
	const char *step_temp;          /* RUNNER_TEMP as the job's steps see it */
};

/*
 * Run stage name's main (or post) step with environment env (borrowed
 * for the call). Returns the process exit status: the stage's, or 2
 * when name is no stage or the environment lacks what every stage
 * needs (GITHUB_WORKSPACE, GITHUB_OUTPUT ...), with the reason printed
 * as a workflow command error.
 */
int stage_main(const char *name, int post, char **env);

/*
 * A path under ctx->workspace as the job's other steps see it (in a job
 * container, /github/workspace/...), for outputs that name files.
 */
void stage_step_path(const struct stage_ctx *ctx, const char *path, struct strbuf *out);

/*
 * The other way: a path as the job's steps see it (an input naming a
 * file, a variable a step exported) as this process reaches it. Paths
 * under neither the workspace nor RUNNER_TEMP are copied as they are.
 */
void stage_host_path(const struct stage_ctx *ctx, const char *path, struct strbuf *out);

/* The value of variable name in ctx->env, or NULL. */
const char *stage_getenv(const struct stage_ctx *ctx, const char *name);
/* Input name: INPUT_<NAME>, else the table's default, else "". Never NULL. */
const char *stage_input(const struct stage_ctx *ctx, const char *name);
/*
 * A boolean input as @actions/core's getBooleanInput reads it: true,
 * True, TRUE, false, False, FALSE; anything else is -1 with a message
 * printed ("input 'x' is not a boolean: ...").
 */
int stage_input_bool(const struct stage_ctx *ctx, const char *name);
/* The input's non-empty lines, trimmed (a multi-line input such as `path`). */
void stage_input_lines(const struct stage_ctx *ctx, const char *name, struct strlist *out);

/*
 * A list input as the docker actions read one (actions-toolkit's
 * Util.getInputList): lines of comma-separated items, where "..." quotes
 * an item (commas and newlines inside it kept, "" a quote), items are
 * trimmed and empty ones dropped. With ignore_comma each line is one item
 * ("build-args", "labels"), its quotes still removed.
 */
void stage_input_list(const struct stage_ctx *ctx, const char *name, int ignore_comma,
		      struct strlist *out);

/*
 * The file commands: outputs, env for later steps, PATH additions, state
 * for the post step, and the step summary. Each returns 0, or -1 after
 * printing why (the stage then fails).
 */
int stage_set_output(const struct stage_ctx *ctx, const char *name, const char *value);
int stage_export_env(const struct stage_ctx *ctx, const char *name, const char *value);
int stage_add_path(const struct stage_ctx *ctx, const char *dir);
int stage_save_state(const struct stage_ctx *ctx, const char *name, const char *value);
int stage_add_summary(const struct stage_ctx *ctx, const char *markdown);
/* The state main saved under name (STATE_<name>), or NULL. */
const char *stage_state(const struct stage_ctx *ctx, const char *name);

/* Log lines on the step's output: plain, and as workflow-command annotations. */
void stage_log(const struct stage_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void stage_warning(const struct stage_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Print ::add-mask:: for value (a password): the log shows *** from here on. */
void stage_mask(const struct stage_ctx *ctx, const char *value);
/* Print an ::error:: line; returns 1, the exit status of a failed stage. */
int stage_fail(const struct stage_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
