/*
 * context: the expression contexts a job and its steps see — github,
 * runner, strategy, matrix, needs, job, steps, env, vars, secrets,
 * inputs — and the GITHUB_* / RUNNER_* variables GitHub sets on Linux
 * runners, built from the run and a leg. Values go into the caller's
 * arena; nothing here evaluates a workflow value.
 */
#ifndef RUNNER_CONTEXT_H
#define RUNNER_CONTEXT_H

#include "runner/executor.h"
#include "runner/plan.h"
#include "runner/run.h"
#include "util/arena.h"
#include "util/strlist.h"
#include "util/value.h"

/* The run-level `github` context (event, ref, sha, repository, run ids ...). */
struct val context_github(struct arena *a, const struct run *run, struct val payload,
			  const char *owner, const char *name);

/*
 * The contexts a job-level value of leg sees before it runs: github (with
 * job), needs, strategy, matrix, vars, inputs (secrets and env are not
 * job-level contexts on GitHub). A new object in a.
 */
struct val context_job_level(struct arena *a, const struct run *run, const struct plan_leg *leg);

/* `runner` for a prepared job. */
struct val context_runner(struct arena *a, const struct exec_job *ej, int debug);

/*
 * The variables GitHub sets for every step of leg (CI, GITHUB_*,
 * RUNNER_*), appended to out as "K=V". files gives GITHUB_OUTPUT, _ENV,
 * _PATH, _STATE and _STEP_SUMMARY (step view), action the step's id.
 */
struct context_files {
	const char *output, *env, *path, *state, *summary;
};
void context_step_vars(struct strlist *out, const struct run *run, const struct plan_leg *leg,
		       const struct exec_job *ej, const char *action,
		       const struct context_files *files, int debug);

/* A shallow copy of object o (members shared) in a. */
struct val context_copy_object(struct arena *a, struct val o);

#endif
