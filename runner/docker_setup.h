/*
 * docker_setup: the blocking halves of a docker leg's life, each run in a
 * forked child (util/proc's proc_start_fn) so that the scheduler's loop
 * never waits on the engine: set-up (images, the leg's network, its
 * services and their health, the job container, the workspace copied
 * in) and teardown (all of it removed). Names, labels and when to do what
 * are exec_docker's; running steps is docker_step's.
 */
#ifndef RUNNER_DOCKER_SETUP_H
#define RUNNER_DOCKER_SETUP_H

#include <sys/types.h>

#include "runner/ctrspec.h"
#include "runner/engine.h"
#include "util/strlist.h"

/* Where steps see things inside a job container (documented in README.md). */
#define DOCKER_WORKSPACE "/github/workspace"
#define DOCKER_TEMP "/github/runner_temp"
#define DOCKER_FILES "/github/files"
#define DOCKER_EVENT "/github/workflow/event.json"
#define DOCKER_TOOL_CACHE "/github/tool_cache"
#define DOCKER_SOCKET_PATH "/var/run/docker.sock"
/* The programs the job container reports as it starts (the shells runner/job.c picks from). */
#define DOCKER_PROBED "bash sh pwsh python python3 node"

/* What to create for one leg. Everything is borrowed from the executor. */
struct docker_plan {
	struct engine *engine;          /* the parent's; the child makes its own connection */
	const char *key;                /* the leg ("ci.test.2"), for labels and messages */
	int pull;                       /* pull missing images instead of failing */
	const char *network;            /* the leg's network to create, or NULL */
	struct ctrspec *services;       /* with their container names in names[] */
	const char *const *service_names;
	size_t services_nr;
	struct ctrspec *job;            /* the job container (binds included), or NULL */
	const char *container;          /* its name */
	const char *snapshot;           /* copied in as DOCKER_WORKSPACE; NULL: mounted */
	const struct strlist *volumes;  /* volumes to create (labelled) before the containers */
	long health_ms;                 /* how long services may take to become healthy */
};

/*
 * The set-up child's body (a proc_start_fn function over a struct
 * docker_plan): progress lines on stdout for the job's log, and on
 * stderr one JSON object for docker_setup_result — {"job": the job
 * context's container and services, "path", "programs", "uid", "gid",
 * "arch" of the job container (without one, only "job")}, or {"error"}.
 * Exits 0, or 1 after an error.
 */
int docker_setup_run(void *plan);

/* What the set-up found out about the job container. */
struct docker_setup_result {
	char *path;                     /* PATH of the container's environment (heap) */
	struct strlist programs;        /* "name=/path" of the DOCKER_PROBED found on PATH */
	char *job;                      /* JSON: the job context's {container, services} */
	uid_t uid;                      /* the user steps run as */
	gid_t gid;
	char arch[16];                  /* RUNNER_ARCH: "X64", "ARM64", ... */
};

/*
 * Decode the set-up child's stderr text (len bytes) and wait status.
 * Returns 0 with *out filled (release with docker_setup_result_release),
 * or -1 with the child's error or why it died in err.
 */
int docker_setup_result(struct docker_setup_result *out, const char *text, size_t len,
			int status, struct strbuf *err);
void docker_setup_result_release(struct docker_setup_result *r);

/* What to remove when a leg ends. Borrowed from the executor. */
struct docker_teardown {
	struct engine *engine;
	const struct strlist *containers;       /* names: the job container, then services */
	const char *network;                    /* or NULL */
	const struct strlist *volumes;          /* the leg's own volumes */
	const struct strlist *dirs;             /* host directories to remove last */
};

/*
 * The teardown child's body (a proc_start_fn function over a struct
 * docker_teardown): containers removed forcibly with their anonymous
 * volumes, then the network and volumes, then the directories. What it
 * cannot remove from the engine is left for the run's final sweep (a
 * directory it cannot remove is said on stderr). Exits 0, or 1 when
 * something was left.
 */
int docker_teardown_run(void *teardown);

#endif
