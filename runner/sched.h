/*
 * sched: the run's state machine. Legs move through a [state][event]
 * table — pending -> ready -> (waiting: approval, wait timer,
 * concurrency) -> queued -> running -> done — on one util/loop without
 * threads or busy waiting: a job becomes ready the moment what it needs
 * is done (no stage barriers), job-level `if:` decides with GitHub's
 * status functions, deferred matrices expand, up to --jobs legs run at
 * once (max-parallel per matrix), fail-fast cancels a matrix's other
 * legs, and SIGINT/SIGTERM cancel the run (a second one kills at once).
 * Running a leg is runner/job.c's; gates are runner/approval.c's and
 * runner/concurrency.c's.
 */
#ifndef RUNNER_SCHED_H
#define RUNNER_SCHED_H

#include "runner/run.h"
#include "util/strbuf.h"

/*
 * Run the plan to its end on run->loop and set run->result (success,
 * failure, cancelled or waiting). Legs already done (restored by
 * --resume) keep their results. Returns 0, or -1 with err when the
 * loop itself failed.
 */
int sched_run(struct run *run, struct strbuf *err);

/*
 * A gate a leg waited at has decided (called by runner/approval.c and
 * runner/concurrency.c): pass lets it go on to the next gate, else it
 * ends with result (failure, or waiting when nobody can answer) and
 * message (a static or arena string, may be NULL).
 */
void sched_gate_done(struct run *run, struct plan_leg *leg, int pass, enum plan_result result,
		     const char *message);

/* Cancel the run as Ctrl-C does (first call: GitHub's sequence; second: kill). */
void sched_cancel(struct run *run);

/* Cancel one leg (concurrency's cancel-in-progress): running legs are stopped. */
void sched_cancel_leg(struct run *run, struct plan_leg *leg);

/* The number of legs now running or waiting at a gate, for the progress line. */
void sched_progress(struct run *run);

#endif
