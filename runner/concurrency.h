/*
 * concurrency: `concurrency` groups of jobs and workflows, shared by the
 * runs of a state directory through lock files in <state>/concurrency,
 * with GitHub's one-running-one-pending rule and cancel-in-progress
 * (request files, polled).
 */
#ifndef RUNNER_CONCURRENCY_H
#define RUNNER_CONCURRENCY_H

#include "runner/plan.h"
#include "runner/run.h"
#include "util/strbuf.h"

/* How often waiting groups and cancel requests are looked at. */
#define CONCURRENCY_POLL_MS 200

enum concurrency_answer {
	CONCURRENCY_PASS,       /* the group is ours (or there is none) */
	CONCURRENCY_WAIT,       /* sched_gate_done comes later */
};

struct concurrency;

struct concurrency *concurrency_new(struct run *run);
/* Release every group still held and free. */
void concurrency_free(struct concurrency *c);

/*
 * Leg wants to start: evaluate its job's `concurrency` (and its
 * workflow's) and take the groups, or wait for them. Returns
 * CONCURRENCY_PASS or CONCURRENCY_WAIT; -1 with err for a concurrency
 * value that cannot be evaluated.
 */
int concurrency_acquire(struct concurrency *c, struct plan_leg *leg, struct strbuf *err);

/* Leg is done (or cancelled while waiting): give its groups up. */
void concurrency_release(struct concurrency *c, struct plan_leg *leg);

#endif
