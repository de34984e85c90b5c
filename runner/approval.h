/*
 * approval: protected environments as a gate — deployment branches, wait
 * timers, decisions (--approve/--reject, approvals/<env>.json, the
 * terminal) — and environments' own secrets and variables. It tells the
 * scheduler through sched_gate_done and starts no job.
 */
#ifndef RUNNER_APPROVAL_H
#define RUNNER_APPROVAL_H

#include "runner/config.h"
#include "runner/plan.h"
#include "runner/run.h"
#include "util/diag.h"

/* How often approvals/ is read while a leg waits. */
#define APPROVAL_POLL_MS 250

enum approval_answer {
	APPROVAL_PASS,          /* go on (approved, or nothing to ask) */
	APPROVAL_FAIL,          /* rejected, or the ref may not deploy: *message says why */
	APPROVAL_WAIT,          /* sched_gate_done comes later */
};

struct approval;

/* A new gate keeper for run (run->config, run->dir, run->opts are read). */
struct approval *approval_new(struct run *run);
void approval_free(struct approval *ap);

/*
 * Load every environment's secrets-file, vars-file and vars into
 * run->env_secrets / run->env_vars, registering each secret with
 * run->mask now, so no job can print one. File paths are relative to
 * dir (the repository). Problems go to diags. Returns 0 or -1.
 */
int approval_load_env_values(struct run *run, const char *dir, struct diag_list *diags);

/*
 * Leg is ready to run in environment env (protected or not): decide now
 * or wait. On APPROVAL_FAIL *message says why (arena string).
 */
enum approval_answer approval_request(struct approval *ap, struct plan_leg *leg,
				      const struct config_env *env, const char **message);

/* Leg no longer waits (cancelled). */
void approval_forget(struct approval *ap, struct plan_leg *leg);

/*
 * Could a waiting leg still be answered without outside help: a
 * terminal prompt, a wait timer running? When not, the run ends as
 * waiting.
 */
int approval_may_answer(const struct approval *ap);

/*
 * End every wait for an answer: legs still waiting for approval end
 * with result waiting, and the message says how to approve.
 */
void approval_give_up(struct approval *ap);

#endif
