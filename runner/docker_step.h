/*
 * docker_step: the blocking halves of a step in a job container, each the
 * body of a forked child (util/proc's proc_start_fn): running the step as
 * an exec with its output relayed to the child's stdout and its exit code
 * as the child's, and delivering a signal to that exec's processes. Which
 * step runs when is exec_docker's and runner/job.c's business.
 */
#ifndef RUNNER_DOCKER_STEP_H
#define RUNNER_DOCKER_STEP_H

#include <sys/types.h>

#include "runner/engine.h"

/* One step to run. Borrowed from the executor for the fork. */
struct docker_step {
	struct engine *engine;          /* the parent's; the child makes its own connection */
	const char *container;
	const char *const *argv;        /* NULL-terminated */
	const char *const *env;         /* "K=V", NULL-terminated */
	const char *dir;
	const char *exec_file;          /* the exec's id is written here before it starts */
};

/*
 * The step child's body: create the exec (recording its id in
 * exec_file) — argv run through the container's sh with stderr joined to
 * stdout there, so that lines keep their order — relay its output to fd
 * 1, and exit with its exit code. An engine failure is printed as an
 * ::error:: line and exits 1.
 */
int docker_step_run(void *step);

/* A signal for a step. Borrowed from the executor for the fork. */
struct docker_signal {
	struct engine *engine;
	const char *container;
	const char *exec_file;          /* the step's, as above */
	pid_t step;                     /* the step's child: while it lives, its exec may come */
	int sig;
};

/*
 * The signal child's body: find the step's exec (waiting a moment for
 * it to start), and send sig to its process group — directly when the
 * engine runs on this machine and the process is in the container's
 * cgroup, else with `kill` run inside the container (with the group's
 * id there, or -1 — every process of the container but its init — when
 * the engine is remote). Exits 0, or 1 when the signal could not be
 * delivered.
 */
int docker_signal_run(void *signal);

#endif
