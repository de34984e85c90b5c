/*
 * docker_sweep: removing what runs created in the Docker engine, found by
 * their slipway.run label — every run's (`slipway prune`) or one run's
 * (the docker executor's last act, on every exit path). Containers go
 * first (forcibly, with their anonymous volumes), then networks, then
 * volumes. Images and unlabelled objects are never touched. Blocking.
 */
#ifndef RUNNER_DOCKER_SWEEP_H
#define RUNNER_DOCKER_SWEEP_H

#include "runner/engine.h"
#include "util/strbuf.h"

/*
 * Told about each object found: kind ("container", "network", "volume"),
 * its name, the run that labelled it, and NULL when it was removed (or,
 * in a dry run, would be) or the reason it could not be.
 */
typedef void docker_sweep_fn(void *data, const char *kind, const char *name, const char *run,
			     const char *error);

/*
 * Remove (dry_run: only list) the objects labelled slipway.run, or
 * slipway.run=run_id when run_id is not NULL; fn (may be NULL) hears of
 * each. Returns how many objects were found (>= 0), or -1 when listing
 * failed, with the reason in err; *failed counts the objects that could
 * not be removed.
 */
int docker_sweep(struct engine *e, const char *run_id, int dry_run, docker_sweep_fn *fn,
		 void *data, int *failed, struct strbuf *err);

/*
 * The end of a run: docker_sweep of run_id until nothing is left,
 * retrying for up to timeout_ms while objects are still in use (a
 * container being removed holds its network). Returns 0, or -1 with
 * what is left in err.
 */
int docker_sweep_run(struct engine *e, const char *run_id, long timeout_ms, struct strbuf *err);

#endif
