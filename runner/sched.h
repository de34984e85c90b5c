/*
 * sched: the run's state machine — legs through pending, ready, waiting
 * (gates), queued, running, done — on one util/loop: needs, job-level if:,
 * slots, fail-fast, cancellation. Running a leg is runner/job.c's; gates
 * are runner/approval.c's and runner/concurrency.c's.
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


#endif
