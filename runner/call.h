/*
 * call: a job that calls a reusable workflow, at run time — the inputs
 * and secrets the called jobs get when the call starts, and the call's
 * result and outputs (`on.workflow_call.outputs`) once they are done.
 * Expanding the called workflow's jobs into the plan is runner/plan.c's,
 * ordering them runner/sched.c's.
 */
#ifndef RUNNER_CALL_H
#define RUNNER_CALL_H

#include "runner/plan.h"
#include "runner/run.h"
#include "util/strbuf.h"

/*
 * The `inputs` and `secrets` contexts of the jobs job calls: `with:`
 * evaluated against job's contexts, typed by the called workflow's
 * workflow_call inputs (defaults filled in), and `secrets:` evaluated
 * (or the caller's own for `secrets: inherit`). Objects in the plan's
 * arena. Returns 0, or -1 with err (a value of the wrong type, an
 * expression that fails).
 */
int call_arguments(struct run *run, struct plan_job *job, struct val *inputs,
		   struct val *secrets, struct strbuf *err);

/*
 * leg (of a calling job) is over when the called jobs are: its result
 * (the worst of theirs: failure, cancelled, waiting, success; skipped
 * when all were) into *result and its outputs, the called workflow's
 * `on.workflow_call.outputs` evaluated over their `jobs` context, into
 * leg->outputs. Values that would carry a secret are dropped. Returns 0,
 * or -1 with err (the outputs could not be evaluated).
 */
int call_finish(struct run *run, struct plan_leg *leg, enum plan_result *result,
		struct strbuf *err);

#endif
