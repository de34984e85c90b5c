/*
 * actctr: what the container of a docker action is made of — the step's
 * environment (this machine's paths, as a built-in stage gets them) turned
 * into the container's, GitHub's /github/... paths and the binds that put
 * the step's directories and files there, and the tag of an image built
 * from an action's Dockerfile. Talking to the engine is runner/actrun.c's.
 */
#ifndef RUNNER_ACTCTR_H
#define RUNNER_ACTCTR_H

#include "util/strbuf.h"
#include "util/strlist.h"

/* Where the container sees the step's places (as GitHub's runner mounts them). */
#define ACTCTR_WORKSPACE "/github/workspace"
#define ACTCTR_TEMP "/github/runner_temp"
#define ACTCTR_FILE_COMMANDS "/github/file_commands"
#define ACTCTR_EVENT "/github/workflow/event.json"

/* Repository of the images built from actions' Dockerfiles (tag: their content's hash). */
#define ACTCTR_IMAGE_REPO "slipway-action"

/* The container's variables and binds. Owned; release with actctr_release. */
struct actctr {
	struct strlist env;             /* "K=V" */
	struct strlist binds;           /* "host:container[:ro]" */
};

#define ACTCTR_INIT { STRLIST_INIT, STRLIST_INIT }

/*
 * From env (the step's "K=V", NULL-terminated, as the action's child gets
 * it), the container's variables: CI and every GITHUB_*, RUNNER_*,
 * INPUT_* and STATE_* variable, and the variables named in pass (the
 * step's `env:` and the action's), in env's order. The places become the
 * container's, each bound there from this machine: GITHUB_WORKSPACE
 * (ACTCTR_WORKSPACE, also the working directory), RUNNER_TEMP,
 * GITHUB_EVENT_PATH (read-only) and the file commands GITHUB_OUTPUT,
 * GITHUB_ENV, GITHUB_PATH, GITHUB_STATE and GITHUB_STEP_SUMMARY (each
 * file under ACTCTR_FILE_COMMANDS, by its own name). Paths that mean
 * nothing inside (GITHUB_ACTION_PATH, RUNNER_TOOL_CACHE) are left out
 * unless pass names them. Returns 0, or -1 with err when GITHUB_WORKSPACE
 * is missing or a place is not an absolute path.
 */
int actctr_build(struct actctr *out, char *const *env, const struct strlist *pass,
		 struct strbuf *err);
void actctr_release(struct actctr *c);

/*
 * "slipway-action:<hash>" for an image built from the files (relative
 * paths, as buildctx_files lists them) of the context directory dir: the
 * hash covers each file's name, kind, executable bit and contents (a
 * symlink's target), so an unchanged action reuses its image and a
 * changed one gets a new one. Appended to out; -1 with err when a file
 * cannot be read.
 */
int actctr_image_tag(struct strbuf *out, const char *dir, const struct strlist *files,
		     struct strbuf *err);

#endif
