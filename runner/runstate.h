/*
 * runstate: the run directory's records, per the runstate contract
 * (see README "Run directory"): run.json rewritten atomically (coalesced
 * to one write per 100 ms, always at the end), events.jsonl appended as
 * things happen, the --summary file, and reading run.json back for
 * --resume. It writes what the plan says; it decides nothing.
 */
#ifndef RUNNER_RUNSTATE_H
#define RUNNER_RUNSTATE_H

#include "runner/run.h"
#include "util/strbuf.h"
#include "util/value.h"

#define RUNSTATE_VERSION 1
/* run.json is rewritten at most this often while the run goes on. */
#define RUNSTATE_COALESCE_MS 100

struct runstate;

/*
 * Open the records of run (run->dir must exist): events.jsonl for
 * appending. extra (an object, may be null) is kept in run.json as
 * "slipway": what --resume needs to plan the run again. Returns 0 and
 * *out, or -1 with err.
 */
int runstate_open(struct runstate **out, struct run *run, struct val extra, struct strbuf *err);
/* Write run.json one last time and close. NULL does nothing. */
void runstate_close(struct runstate *rs);

/*
 * Append an event line {"t", "type", fields...} to events.jsonl and
 * flush it. fields is an object (or null). NULL rs does nothing.
 */
void runstate_event(struct runstate *rs, const char *type, struct val fields);

/* run.json is out of date: rewrite it within RUNSTATE_COALESCE_MS. */
void runstate_dirty(struct runstate *rs);

/* Rewrite run.json now. Returns 0, or -1 with err. */
int runstate_write(struct runstate *rs, struct strbuf *err);

/*
 * The --summary document: {"run_id", "result", "jobs": [{"id", "name",
 * "matrix", "result", "outputs", "duration_ms", "steps": [{"id", "name",
 * "outcome", "conclusion", "outputs"}]}]}, written to path. Returns 0, or
 * -1 with err.
 */
int runstate_write_summary(const struct run *run, const char *path, struct strbuf *err);

/*
 * --resume: give the plan's legs what run.json (state) says of them. Legs
 * that were done (success, failure, cancelled, skipped) keep their
 * result, outputs, steps and times; legs that waited or ran when the
 * process ended are planned again. Deferred matrices expand once their
 * needs are restored.
 */
void runstate_restore(struct run *run, struct val state);

/* Read <dir>/run.json into *out (in a). Returns 0, or -1 with err. */
int runstate_load(struct val *out, struct arena *a, const char *dir, struct strbuf *err);

#endif
