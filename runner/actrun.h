/*
 * actrun: a docker action's step — its image had (pulled, or built from
 * the action's Dockerfile through the engine and reused while the action
 * does not change), its container created with the step's places bound
 * (runner/actctr.h), run, its output relayed, and removed. The body of
 * `slipway __action-container` (runner/cmd_action.c); when and with what
 * it runs is runner/job_uses.c's.
 */
#ifndef RUNNER_ACTRUN_H
#define RUNNER_ACTRUN_H

#include <signal.h>

#include "util/strlist.h"

/*
 * The variable `slipway __action-container` reads the action's args from:
 * a JSON array of strings (absent: the image's command). Not its command
 * line, which anyone on the machine may read: an input may be a secret.
 */
#define ACTRUN_ARGS_VAR "SLIPWAY_ACTION_ARGS"

/* One docker action step. Borrowed for the call. */
struct actrun_opts {
	const char *image;              /* `docker://`'s image, or NULL */
	const char *dockerfile;         /* the action's Dockerfile (its directory the
					   build context), or NULL */
	const char *entrypoint;         /* NULL: the image's */
	const struct strlist *args;     /* the command; NULL: the image's */
	const struct strlist *pass;     /* names of the step's own variables to pass on */
	const char *network;            /* the job's network to join, or NULL */
	const char *run_id;             /* the slipway.run label of the container, or NULL */
	const char *host;               /* the engine; NULL: DOCKER_HOST or the default */
	/* the signal that asks to stop (0 until one came): the container is removed */
	const volatile sig_atomic_t *cancel;
};

/*
 * Run the step with env the step's environment ("K=V", NULL-terminated):
 * the image's build or pull progress and the container's output (stdout
 * and stderr as they come) on fd 1. Returns the process exit status: the
 * container's exit code; 1 after an engine error, printed as an
 * ::error:: line; 128 + the signal when cancelled. The container is
 * removed on every path once it was created.
 */
int actrun_main(const struct actrun_opts *o, char *const *env);

#endif
