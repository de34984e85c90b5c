/*
 * docker_stage: a step of Slipway's own (a built-in stage) for a leg in a
 * container. The stage runs on this machine, so the container's workspace
 * comes out into <job_dir>/workspace before it and goes back after, each
 * way one tar stream through the Engine's archive API. The body of a
 * forked child, like docker_step's.
 */
#ifndef RUNNER_DOCKER_STAGE_H
#define RUNNER_DOCKER_STAGE_H

#include <sys/types.h>

#include "runner/engine.h"

struct docker_stage {
	struct engine *engine;          /* the parent's; the child makes its own connection */
	const char *container;          /* NULL: the workspace is bind-mounted, nothing moves */
	const char *job_dir;            /* the workspace comes out as <job_dir>/workspace */
	const char *const *argv;        /* the stage's command line, NULL-terminated */
	const char *const *env;         /* "K=V" over this process's environment */
	const char *dir;
	uid_t uid;                      /* the owner of the files put back */
	gid_t gid;
};

/*
 * The child's body: bring the workspace out (replacing what an earlier
 * stage left), run the stage with its output on fd 1, put the workspace
 * back, and exit with the stage's exit code. What the stage removed is
 * removed in the container first (with the image's rm: the archive API
 * adds and replaces, it never deletes; without rm, a warning). A failure
 * to move the workspace is printed as an ::error:: line and exits 1.
 */
int docker_stage_run(void *stage);

#endif
