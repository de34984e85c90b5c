/*
 * backend: `slipway run --backend auto|docker|host` and the docker
 * executor's options (-P, --bind, --pull, --docker-socket, and
 * `.slipway.yml`'s `platforms:` and `docker-socket:`) turned into the
 * run's executor. Which leg runs where is runner/platform's; running
 * them is the executors'.
 */
#ifndef RUNNER_BACKEND_H
#define RUNNER_BACKEND_H

#include "runner/config.h"
#include "runner/executor.h"
#include "util/strbuf.h"
#include "util/strlist.h"

struct backend_opts {
	const char *name;               /* "auto" (also NULL), "docker" or "host" */
	const struct strlist *platforms;        /* -P LABEL=IMAGE|-self-hosted */
	int bind, pull, docker_socket;  /* --bind, --pull, --docker-socket */
	const char *repository;         /* mounted as the workspace with --bind */
	const char *run_id;
	const char *tool_cache;
	const char *slots_dir;          /* where the host executor keeps its legs' directories */
	const struct config *config;    /* platforms:, docker-socket: (may be NULL) */
};

/*
 * Is name a backend (for option checking)? Returns 0, or -1 with
 * "backend 'x' is not one of auto, docker, host" in err. Also checks the
 * -P specs, so that a bad one is a usage error before anything runs.
 */
int backend_check(const struct backend_opts *o, struct strbuf *err);

/*
 * The executor for o: host, or docker when it is asked for or (auto)
 * when the engine answers; auto without an engine is host, and notice
 * gets the one line that says so. Returns 0 with *out (free with
 * ops->free), or -1 with err (--backend docker and no engine: "cannot
 * reach the Docker engine at ...").
 */
int backend_open(struct executor **out, const struct backend_opts *o, struct strbuf *notice,
		 struct strbuf *err);

#endif
