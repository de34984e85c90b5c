/*
 * rundir: reading (and the few writes readers make in) the run directory
 * of the runstate contract: <state>/runs/<id>/run.json, events.jsonl,
 * jobs/<key>/output.log and approvals/<env>.json. Shared by serve and the
 * CLI readers (runs, logs, approve); executing runs is not here.
 */
#ifndef RUNNER_RUNDIR_H
#define RUNNER_RUNDIR_H

#include <stddef.h>

#include "util/arena.h"
#include "util/strbuf.h"
#include "util/strlist.h"
#include "util/value.h"

#define RUNDIR_ISO_LEN 64

/* Now as ISO-8601 UTC with milliseconds: "2026-11-26T07:00:00.123Z". */
void rundir_now_iso(char out[RUNDIR_ISO_LEN]);
/* A fresh run id, "YYYYMMDD-HHMMSS-xxxx" (UTC and 4 random hex digits). */
void rundir_new_id(char out[RUNDIR_ISO_LEN]);

/*
 * Is s usable as one path component (a run id, job key or environment)?
 * 1..128 bytes of letters, digits, '.', '_', '-', not starting with '.'.
 */
int rundir_valid_name(const char *s);

/*
 * The state directory: given (made absolute), else $SLIPWAY_STATE, else
 * <project>/.slipway for the git repository around the current directory
 * (or, outside one, the directory holding .github/), else
 * $XDG_STATE_HOME/slipway. Every command finds it this way, so `run`,
 * `runs`, `serve` and `approve` agree. Returns 0, or -1 with err.
 */
int rundir_state(struct strbuf *out, const char *given, struct strbuf *err);

/* out = <state>/runs/<id>[/<rel>]. */
void rundir_path(struct strbuf *out, const char *state, const char *id, const char *rel);

/* Parse <state>/runs/<id>/run.json into *out (in a). Returns 0, or -1 with err. */
int rundir_read(struct val *out, struct arena *a, const char *state, const char *id,
		struct strbuf *err);

/*
 * The CLI readers' first step: resolve the state directory (as
 * rundir_state, into state) and read run id's run.json. A run that is not
 * there gives "no run 'ID' in 'STATE'".
 */
int rundir_open(struct val *out, struct arena *a, struct strbuf *state, const char *given,
		const char *id, struct strbuf *err);

/* A string member of an object, or NULL when absent or not a string. */
const char *rundir_str(struct val obj, const char *key);

/*
 * The result a reader shows for run.json's object: its "result", except
 * "interrupted" for a run that says "running" while its pid is gone.
 */
const char *rundir_result(struct val run);

/* Is pid a live process (zombies count)? */
int rundir_pid_alive(long pid);

/* The run ids under <state>/runs, sorted (oldest first). */
int rundir_list(struct strlist *out, const char *state, struct strbuf *err);

/*
 * Write approvals/<env>.json for run id: {"decision", "by", "at",
 * "comment"}. Returns 0; -2 when a decision is already there (err says
 * whose); -1 on other errors.
 */
int rundir_write_decision(const char *state, const char *id, const char *env,
			  const char *decision, const char *by, const char *comment,
			  struct strbuf *err);

#endif
