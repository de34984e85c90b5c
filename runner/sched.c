/*
 * sched: the run's state machine as a [state][event] table of legs, the
 * job-level decisions (needs done, `if:`, deferred matrices, fail-fast,
 * results for `needs`), the gates in order (environment, approval,
 * concurrency), slots (--jobs, max-parallel) and cancellation. Running a
 * leg's steps is runner/job.c's.
 */
#include "runner/sched.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "parser/template.h"
#include "runner/approval.h"
#include "runner/call.h"
#include "runner/concurrency.h"
#include "runner/console.h"
#include "runner/context.h"
#include "runner/job.h"
#include "runner/runstate.h"
#include "util/xalloc.h"

enum sched_event {
	EV_NEEDS_DONE,          /* the job's needs are done and its if: said yes */
	EV_GATE_WAIT,           /* a gate asked the leg to wait */
	EV_GATE_PASS,           /* every gate let it through */
	EV_GATE_FAIL,           /* a gate refused (result and message set) */
	EV_START,               /* a slot is free */
	EV_FINISHED,            /* runner/job.c is done with it */
	EV_CANCEL,              /* fail-fast, the run's cancellation, concurrency */
	EV_SKIP,                /* the job's if: said no (or a need kept it from running) */
	EV_NR,
};

typedef void sched_action_fn(struct run *run, struct plan_leg *leg);

static sched_action_fn sched_open_gates, sched_note_waiting, sched_note_queued, sched_do_start;
static sched_action_fn sched_leg_done, sched_do_stop;

/* What an event does in a state: the next state and an action (NULL: none). */
struct sched_transition {
	int valid;
	enum plan_status to;
	sched_action_fn *action;
};

#define T(to, fn) { 1, to, fn }
static const struct sched_transition sched_table[PLAN_STATUS_NR][EV_NR] = {
	[PLAN_PENDING] = {
		[EV_NEEDS_DONE] = T(PLAN_READY, sched_open_gates),
		[EV_CANCEL] = T(PLAN_DONE, sched_leg_done),
		[EV_SKIP] = T(PLAN_DONE, sched_leg_done),
		[EV_GATE_FAIL] = T(PLAN_DONE, sched_leg_done),
	},
	[PLAN_READY] = {
		[EV_GATE_WAIT] = T(PLAN_WAITING_GATE, sched_note_waiting),
		[EV_GATE_PASS] = T(PLAN_QUEUED, sched_note_queued),
		[EV_GATE_FAIL] = T(PLAN_DONE, sched_leg_done),
		[EV_CANCEL] = T(PLAN_DONE, sched_leg_done),
	},
	[PLAN_WAITING_GATE] = {
		[EV_GATE_WAIT] = T(PLAN_WAITING_GATE, sched_note_waiting),
		[EV_GATE_PASS] = T(PLAN_QUEUED, sched_note_queued),
		[EV_GATE_FAIL] = T(PLAN_DONE, sched_leg_done),
		[EV_CANCEL] = T(PLAN_DONE, sched_leg_done),
	},
	[PLAN_QUEUED] = {
		[EV_START] = T(PLAN_RUNNING, sched_do_start),
		[EV_CANCEL] = T(PLAN_DONE, sched_leg_done),
	},
	[PLAN_RUNNING] = {
		[EV_FINISHED] = T(PLAN_DONE, sched_leg_done),
		[EV_CANCEL] = T(PLAN_RUNNING, sched_do_stop),
	},
	[PLAN_DONE] = { [EV_CANCEL] = T(PLAN_DONE, NULL) },
};
#undef T

static void sched_check_end(struct run *run);
static void sched_dispatch(struct run *run);

static void sched_fire(struct run *run, struct plan_leg *leg, enum sched_event ev)
{
	const struct sched_transition *t = &sched_table[leg->status][ev];

	if (!t->valid)
		return;
	leg->status = t->to;
	if (t->action)
		t->action(run, leg);
	runstate_dirty(run->rs);
}

static struct val sched_fields(struct run *run, const struct plan_leg *leg)
{
	struct arena *a = &run->plan.arena;
	struct val f = val_new_object(a);

	val_object_setstr(a, f, "job", val_cstring(a, leg->key));
	return f;
}

/* Redraw the progress line (running and waiting legs). */
static void sched_progress(struct run *run)
{
	if (run->con)
		console_progress(run->con, &run->plan);
}

/* ---------------------------------------------------------------- legs */

static void sched_note_waiting(struct run *run, struct plan_leg *leg)
{
	struct arena *a = &run->plan.arena;
	struct val f = sched_fields(run, leg);

	val_object_setstr(a, f, "environment", leg->env_name ? val_cstring(a, leg->env_name)
				  : val_null());
	val_object_setstr(a, f, "url", leg->env_url ? val_cstring(a, leg->env_url) : val_null());
	val_object_setstr(a, f, "reason", val_cstring(a, plan_wait_name(leg->waiting_for)));
	runstate_event(run->rs, "job_waiting", f);
	sched_progress(run);
}

static void sched_note_queued(struct run *run, struct plan_leg *leg)
{
	leg->waiting_for = PLAN_WAIT_NONE;
	runstate_event(run->rs, "job_queued", sched_fields(run, leg));
	sched_dispatch(run);
}

static void sched_do_start(struct run *run, struct plan_leg *leg)
{
	run->running++;
	leg->job->legs_running++;
	runstate_event(run->rs, "job_started", sched_fields(run, leg));
	job_start(run, leg);
	sched_progress(run);
}

static void sched_do_stop(struct run *run, struct plan_leg *leg)
{
	job_stop(run, leg, JOB_STOP_CANCEL);
}

static void sched_job_check(struct run *run, struct plan_job *job);
static void sched_call_ready(struct run *run, struct plan_job *job);

/* Every leg of job is done: its result and outputs, then its dependents and its caller. */
static void sched_job_done(struct run *run, struct plan_job *job)
{
	plan_job_finish(&run->plan, job);
	for (size_t d = 0; d < job->dependents_nr; d++)
		sched_job_check(run, job->dependents[d]);
	if (job->caller)
		sched_call_ready(run, job->caller);
}

static void sched_fail_fast(struct run *run, struct plan_leg *failed)
{
	struct plan_job *job = failed->job;

	if (!job->fail_fast || job->legs_nr < 2 || job->matrix_cancelled)
		return;
	job->matrix_cancelled = 1;
	for (size_t l = 0; l < job->legs_nr; l++) {
		struct plan_leg *leg = &job->legs[l];

		if (leg == failed || leg->status == PLAN_DONE)
			continue;
		if (leg->status != PLAN_RUNNING)
			leg->result = PLAN_CANCELLED;
		sched_fire(run, leg, EV_CANCEL);
	}
}

/* What the console says when a leg ends (nothing for success and skips: the table says it). */
static const struct {
	enum console_kind kind;
	const char *text;
} sched_done_lines[PLAN_WAITING + 1] = {
	[PLAN_FAILURE] = { CONSOLE_ERROR, "the job failed" },
	[PLAN_CANCELLED] = { CONSOLE_WARNING, "the job was cancelled" },
};

static void sched_leg_done(struct run *run, struct plan_leg *leg)
{
	struct plan_job *job = leg->job;
	struct arena *a = &run->plan.arena;
	struct val f = sched_fields(run, leg);
	const char *r;

	if (!leg->result)
		leg->result = PLAN_CANCELLED;
	r = plan_result_name(leg->result);
	leg->waiting_for = PLAN_WAIT_NONE;
	if (run->approval)
		approval_forget(run->approval, leg);
	if (run->conc)
		concurrency_release(run->conc, leg);
	val_object_setstr(a, f, "result", val_cstring(a, r));
	val_object_setstr(a, f, "duration_ms", leg->started_ms && leg->finished_ms
			  ? val_number((double)(leg->finished_ms - leg->started_ms)) : val_null());
	runstate_event(run->rs, "job_finished", f);
	if (run->con && sched_done_lines[leg->result].text)
		console_line(run->con, leg, sched_done_lines[leg->result].kind,
			     sched_done_lines[leg->result].text,
			     strlen(sched_done_lines[leg->result].text), 0);
	sched_progress(run);
	job->legs_done++;
	if (leg->result == PLAN_FAILURE)
		sched_fail_fast(run, leg);
	if (job->legs_done == job->legs_nr)
		sched_job_done(run, job);
	sched_dispatch(run);
	sched_check_end(run);
}

/* runner/job.c is done with leg. */
static void sched_on_leg_done(struct run *run, struct plan_leg *leg)
{
	run->running--;
	leg->job->legs_running--;
	sched_fire(run, leg, EV_FINISHED);
}

/* ---------------------------------------------------------------- gates */

enum sched_gate_answer { GATE_PASS, GATE_WAIT, GATE_FAIL };

/* The leg's environment: name and url (when static), protection, deployment branches. */
static enum sched_gate_answer sched_gate_environment(struct run *run, struct plan_leg *leg,
						     struct strbuf *err)
{
	const struct ydoc_node *n = leg->job->job->environment;
	struct arena *a = &run->plan.arena;
	struct arena_mark mark = arena_mark(a);
	struct expr_names names = { plan_job_contexts, 0, NULL, 0 };
	struct expr_env env = { context_job_level(a, run, leg), EXPR_STATUS_SUCCESS, NULL, a };
	struct strbuf name = STRBUF_INIT, url = STRBUF_INIT;
	const struct config_env *ce;
	struct val v, *nv = NULL, *uv = NULL;
	int ok;

	if (!n) {
		arena_reset(a, mark);
		return GATE_PASS;
	}
	ok = tmpl_eval(&v, n, &names, &env, err) == 0;
	if (ok && v.kind == VAL_OBJECT) {
		nv = val_object_getstr(v, "name");
		uv = val_object_getstr(v, "url");
	} else if (ok && v.kind == VAL_STRING) {
		nv = &v;
	}
	if (nv && nv->kind == VAL_STRING)
		strbuf_add(&name, nv->u.string.ptr, nv->u.string.len);
	if (uv && uv->kind == VAL_STRING)
		strbuf_add(&url, uv->u.string.ptr, uv->u.string.len);
	arena_reset(a, mark);   /* keep only the strings */
	if (name.len)
		leg->env_name = arena_strndup(a, name.buf, name.len);
	if (url.len)
		leg->env_url = arena_strndup(a, url.buf, url.len);
	strbuf_release(&name);
	strbuf_release(&url);
	if (!ok)
		return GATE_FAIL;
	if (!leg->env_name)
		return GATE_PASS;
	ce = run->config ? config_env_find(run->config, leg->env_name) : NULL;
	leg->env_protected = config_env_gated(ce);
	if (ce) {
		leg->env_reviewers = ce->reviewer_names;
		leg->env_reviewers_nr = ce->reviewers_nr;
	}
	if (ce && !config_env_allows_ref(ce, run->ref ? run->ref : "")) {
		strbuf_addf(err, "ref '%s' may not deploy to environment '%s' (its 'branches' "
			    "do not allow it)", run->ref ? run->ref : "", leg->env_name);
		return GATE_FAIL;
	}
	return GATE_PASS;
}

static enum sched_gate_answer sched_gate_approval(struct run *run, struct plan_leg *leg,
						  struct strbuf *err)
{
	const struct config_env *ce = leg->env_name && run->config
				      ? config_env_find(run->config, leg->env_name) : NULL;
	const char *msg = NULL;

	if (!ce || !run->approval)
		return GATE_PASS;
	switch (approval_request(run->approval, leg, ce, &msg)) {
	case APPROVAL_PASS:
		return GATE_PASS;
	case APPROVAL_WAIT:
		return GATE_WAIT;
	case APPROVAL_FAIL:
		break;
	}
	strbuf_addstr(err, msg ? msg : "the deployment was not approved");
	return GATE_FAIL;
}

static enum sched_gate_answer sched_gate_concurrency(struct run *run, struct plan_leg *leg,
						     struct strbuf *err)
{
	int r;

	if (!run->conc)
		return GATE_PASS;
	r = concurrency_acquire(run->conc, leg, err);
	if (r < 0)
		return GATE_FAIL;
	if (r == CONCURRENCY_WAIT) {
		leg->waiting_for = PLAN_WAIT_CONCURRENCY;
		return GATE_WAIT;
	}
	return GATE_PASS;
}

static enum sched_gate_answer (*const sched_gates[])(struct run *run, struct plan_leg *leg,
						      struct strbuf *err) = {
	sched_gate_environment, sched_gate_approval, sched_gate_concurrency,
};

/* Take the leg through its remaining gates. */
static void sched_next_gate(struct run *run, struct plan_leg *leg)
{
	struct strbuf err = STRBUF_INIT;

	while ((size_t)leg->gate < sizeof(sched_gates) / sizeof(sched_gates[0])) {
		enum sched_gate_answer a = sched_gates[leg->gate++](run, leg, &err);

		if (a == GATE_WAIT) {
			sched_fire(run, leg, EV_GATE_WAIT);
			goto out;
		}
		if (a == GATE_FAIL) {
			leg->result = PLAN_FAILURE;
			leg->message = arena_strdup(&run->plan.arena, err.buf);
			if (run->con)
				console_line(run->con, leg, CONSOLE_ERROR, err.buf, err.len, 0);
			sched_fire(run, leg, EV_GATE_FAIL);
			goto out;
		}
	}
	sched_fire(run, leg, EV_GATE_PASS);
out:
	strbuf_release(&err);
}

static void sched_open_gates(struct run *run, struct plan_leg *leg)
{
	leg->gate = 0;
	sched_next_gate(run, leg);
}

void sched_gate_done(struct run *run, struct plan_leg *leg, int pass, enum plan_result result,
		     const char *message)
{
	if (leg->status != PLAN_WAITING_GATE && leg->status != PLAN_READY)
		return;
	if (pass) {
		sched_next_gate(run, leg);
		return;
	}
	leg->result = result;
	leg->message = message;
	if (result == PLAN_WAITING) {
		runstate_dirty(run->rs);
		return;
	}
	if (run->con && message)
		console_line(run->con, leg, CONSOLE_ERROR, message, strlen(message), 0);
	sched_fire(run, leg, EV_GATE_FAIL);
}

/* ---------------------------------------------------------------- jobs */

/*
 * Over all of job's ancestors: did every one succeed, did any fail? Each
 * ancestor is looked at once (a DAG of diamonds is no exponential walk).
 */
static void sched_ancestors(const struct run *run, const struct plan_job *job, int *all_success,
			    int *any_failure)
{
	size_t n = run->plan.jobs_nr, top = 0;
	unsigned char *seen = xcalloc(n ? n : 1, 1);
	const struct plan_job **stack = xmalloc((n ? n : 1) * sizeof(*stack));

	stack[top++] = job;
	while (top) {
		const struct plan_job *j = stack[--top];

		for (size_t i = 0; i < j->needs_nr; i++) {
			const struct plan_job *dep = j->needs[i];

			if (seen[dep->order])
				continue;
			seen[dep->order] = 1;
			*all_success &= dep->result == PLAN_SUCCESS;
			*any_failure |= dep->result == PLAN_FAILURE;
			stack[top++] = dep;
		}
	}
	free(seen);
	free(stack);
}

/*
 * The job-level if: with GitHub's status functions for jobs (over the
 * ancestors; cancelled() when the run is). 1 run, 0 skip, -1 error.
 */
static int sched_job_if(struct run *run, struct plan_job *job, struct strbuf *err)
{
	struct arena *a = &run->plan.arena;
	struct plan_leg probe;
	int all_success = 1, any_failure = 0, cancelled = run->cancel != RUN_NOT_CANCELLED;
	struct expr_fixed_fn fixed[4];
	struct expr_names names = { plan_job_contexts, EXPR_FN_STATUS, fixed, 4 };
	struct expr_env env;
	struct arena_mark mark;
	int go;

	memset(&probe, 0, sizeof(probe));
	probe.job = job;
	probe.matrix = val_null();
	sched_ancestors(run, job, &all_success, &any_failure);
	fixed[0] = (struct expr_fixed_fn){ "success", val_bool(all_success && !cancelled) };
	fixed[1] = (struct expr_fixed_fn){ "failure", val_bool(any_failure && !cancelled) };
	fixed[2] = (struct expr_fixed_fn){ "cancelled", val_bool(cancelled) };
	fixed[3] = (struct expr_fixed_fn){ "always", val_bool(1) };
	mark = arena_mark(a);
	env.contexts = context_job_level(a, run, &probe);
	env.status = cancelled ? EXPR_STATUS_CANCELLED : all_success ? EXPR_STATUS_SUCCESS
								     : EXPR_STATUS_FAILURE;
	env.workspace = NULL;
	env.arena = a;
	go = tmpl_eval_if(job->job->if_cond, &names, &env, err);
	arena_reset(a, mark);   /* nothing of the evaluation is kept */
	return go;
}

/* End every leg of a job that will not run with result r (the job itself when unexpanded). */
static void sched_job_not_run(struct run *run, struct plan_job *job, enum plan_result r,
			      const char *message)
{
	/* a call that does not happen: nor do the jobs of the workflow it calls */
	for (size_t i = 0; i < job->callees_nr; i++) {
		struct plan_job *c = job->callees[i];

		if (!c->if_decided && !c->result) {
			c->if_decided = 1;
			sched_job_not_run(run, c, r, NULL);
		}
	}
	if (!job->legs_nr) {
		job->result = r;
		if (run->con && message)
			console_note(run->con, "[%s/%s] %s", job->wf->display, job->label, message);
		sched_job_done(run, job);
		sched_check_end(run);
		return;
	}
	for (size_t l = 0; l < job->legs_nr; l++) {
		struct plan_leg *leg = &job->legs[l];

		leg->result = r;
		leg->message = message;
		sched_fire(run, leg, r == PLAN_SKIPPED ? EV_SKIP : EV_GATE_FAIL);
	}
}

/*
 * A calling job's if: held: give the called workflow's jobs the call's
 * inputs and secrets (runner/call.c), then let them be decided. The
 * calling job's own leg starts once they are all done.
 */
static int sched_call_open(struct run *run, struct plan_job *job, struct strbuf *err)
{
	struct plan_leg probe;
	struct val inputs, secrets;

	memset(&probe, 0, sizeof(probe));
	probe.job = job;
	probe.matrix = val_null();
	if (job->has_matrix) {
		strbuf_addf(err, "job '%s': a matrix on a job that calls a reusable workflow is not "
			    "supported", job->job->id);
		return -1;
	}
	if (plan_expand_job(&run->plan, job, context_job_level(&run->plan.arena, run, &probe),
			    NULL, err) < 0 ||
	    call_arguments(run, job, &inputs, &secrets, err) < 0)
		return -1;
	for (size_t i = 0; i < job->callees_nr; i++) {
		job->callees[i]->inputs = inputs;
		job->callees[i]->secrets = secrets;
	}
	job->call_open = 1;
	for (size_t i = 0; i < job->callees_nr; i++)
		sched_job_check(run, job->callees[i]);
	sched_call_ready(run, job);
	return 0;
}

/* The called jobs are all done (none waits): the calling job's leg may start. */
static void sched_call_ready(struct run *run, struct plan_job *job)
{
	if (!job->call_open || job->call_started)
		return;
	for (size_t i = 0; i < job->callees_nr; i++)
		if (!job->callees[i]->result || job->callees[i]->result == PLAN_WAITING)
			return;
	job->call_started = 1;
	for (size_t l = 0; l < job->legs_nr; l++)
		sched_fire(run, &job->legs[l], EV_NEEDS_DONE);
}

/* The needs of job are done (or not yet): decide whether it runs. */
static void sched_job_check(struct run *run, struct plan_job *job)
{
	struct strbuf err = STRBUF_INIT;
	struct plan_leg probe;
	int go;

	if (job->if_decided || job->result)
		return;
	for (size_t i = 0; i < job->needs_nr; i++)
		if (!job->needs[i]->result || job->needs[i]->result == PLAN_WAITING)
			return;
	if (job->caller && !job->caller->call_open)
		return;         /* its caller opens the call, then checks it */
	job->if_decided = 1;
	if (run->cancel == RUN_KILLED) {
		sched_job_not_run(run, job, PLAN_CANCELLED, NULL);
		goto out;
	}
	go = sched_job_if(run, job, &err);
	if (go <= 0) {
		sched_job_not_run(run, job, go < 0 ? PLAN_FAILURE : run->cancel ? PLAN_CANCELLED
				  : PLAN_SKIPPED,
				  go < 0 ? arena_strdup(&run->plan.arena, err.buf) : NULL);
		goto out;
	}
	if (job->callees_nr) {
		if (sched_call_open(run, job, &err) < 0)
			sched_job_not_run(run, job, PLAN_FAILURE, arena_strdup(&run->plan.arena,
										 err.buf));
		goto out;
	}
	if (!job->legs) {
		memset(&probe, 0, sizeof(probe));
		probe.job = job;
		probe.matrix = val_null();
		if (plan_expand_job(&run->plan, job, context_job_level(&run->plan.arena, run, &probe),
				    run->opts.matrix, &err) < 0) {
			sched_job_not_run(run, job, PLAN_FAILURE,
					  arena_strdup(&run->plan.arena, err.buf));
			goto out;
		}
		if (!job->legs_nr) {
			sched_job_not_run(run, job, PLAN_SKIPPED, "--matrix leaves no leg to run");
			goto out;
		}
	}
	for (size_t l = 0; l < job->legs_nr; l++)
		sched_fire(run, &job->legs[l], EV_NEEDS_DONE);
out:
	strbuf_release(&err);
}

/* ---------------------------------------------------------------- slots and the end */

static void sched_dispatch(struct run *run)
{
	if (run->cancel == RUN_KILLED)
		return;
	for (size_t i = 0; i < run->plan.jobs_nr && run->running < (size_t)run->opts.max_jobs; i++) {
		struct plan_job *job = run->plan.jobs[i];

		for (size_t l = 0; l < job->legs_nr; l++) {
			if (run->running >= (size_t)run->opts.max_jobs)
				return;
			if (job->max_parallel && job->legs_running >= (size_t)job->max_parallel)
				break;
			if (job->legs[l].status == PLAN_QUEUED)
				sched_fire(run, &job->legs[l], EV_START);
		}
	}
}

/* The run's result: cancelled by the user, else the worst of the jobs' results. */
static enum plan_result sched_run_result(const struct run *run)
{
	static const enum plan_result worst[] = { PLAN_FAILURE, PLAN_CANCELLED, PLAN_WAITING };

	if (run->cancel != RUN_NOT_CANCELLED)
		return PLAN_CANCELLED;
	for (size_t w = 0; w < sizeof(worst) / sizeof(worst[0]); w++)
		for (size_t i = 0; i < run->plan.jobs_nr; i++)
			if (run->plan.jobs[i]->result == worst[w])
				return worst[w];
	return PLAN_SUCCESS;
}

/* Jobs that never got to decide (a need waits) wait too. */
static void sched_mark_waiting(struct run *run)
{
	for (size_t i = 0; i < run->plan.jobs_nr; i++) {
		struct plan_job *job = run->plan.jobs[i];

		for (size_t l = 0; l < job->legs_nr; l++)
			if (!job->legs[l].result)
				job->legs[l].result = PLAN_WAITING;
		if (!job->result && !job->legs_nr)
			job->result = PLAN_WAITING;
		else if (!job->result)
			plan_job_finish(&run->plan, job);
	}
}

static void sched_check_end(struct run *run)
{
	int approval_wait = 0;

	if (run->finished)
		return;
	for (size_t i = 0; i < run->plan.jobs_nr; i++) {
		const struct plan_job *job = run->plan.jobs[i];
		int ready = !job->if_decided && !job->result &&
			    (!job->caller || job->caller->call_open);

		for (size_t n = 0; ready && n < job->needs_nr; n++)
			ready = job->needs[n]->result && job->needs[n]->result != PLAN_WAITING;
		if (ready)
			return;         /* about to be decided: its need just finished */
		for (size_t l = 0; l < job->legs_nr; l++) {
			const struct plan_leg *leg = &job->legs[l];

			switch (leg->status) {
			case PLAN_READY:
			case PLAN_QUEUED:
			case PLAN_RUNNING:
				return;
			case PLAN_WAITING_GATE:
				if (leg->result)
					break;
				if (leg->waiting_for == PLAN_WAIT_CONCURRENCY)
					return;
				approval_wait = 1;
				break;
			default:
				break;
			}
		}
	}
	if (approval_wait) {
		if (run->approval && approval_may_answer(run->approval))
			return;
		if (run->approval)
			approval_give_up(run->approval);
	}
	sched_mark_waiting(run);
	run->result = sched_run_result(run);
	run->finished = 1;
}

/* ---------------------------------------------------------------- cancellation */

void sched_cancel_leg(struct run *run, struct plan_leg *leg)
{
	if (leg->status != PLAN_RUNNING && leg->status != PLAN_DONE)
		leg->result = PLAN_CANCELLED;
	sched_fire(run, leg, EV_CANCEL);
	sched_check_end(run);
}

/* Does a queued leg's job still run now that the run is cancelled (if: always())? */
static int sched_runs_when_cancelled(struct run *run, struct plan_job *job)
{
	struct strbuf err = STRBUF_INIT;
	int go = run->cancel == RUN_CANCELLING && sched_job_if(run, job, &err) > 0;

	strbuf_release(&err);
	return go;
}

void sched_cancel(struct run *run)
{
	if (run->cancel == RUN_KILLED)
		return;
	run->cancel = run->cancel == RUN_NOT_CANCELLED ? RUN_CANCELLING : RUN_KILLED;
	if (run->con)
		console_note(run->con, run->cancel == RUN_CANCELLING
			     ? "slipway: cancelling the run (again to stop at once)"
			     : "slipway: stopping at once");
	for (size_t i = 0; i < run->plan.jobs_nr; i++) {
		struct plan_job *job = run->plan.jobs[i];
		int keep = -1;

		for (size_t l = 0; l < job->legs_nr; l++) {
			struct plan_leg *leg = &job->legs[l];

			if (leg->status == PLAN_RUNNING) {
				if (run->cancel == RUN_KILLED)
					job_kill(run, leg);
				else
					job_stop(run, leg, JOB_STOP_CANCEL);
				continue;
			}
			if (leg->status == PLAN_DONE || leg->status == PLAN_PENDING)
				continue;
			if (leg->status == PLAN_QUEUED && keep < 0)
				keep = sched_runs_when_cancelled(run, job);
			if (leg->status == PLAN_QUEUED && keep > 0)
				continue;
			leg->result = PLAN_CANCELLED;
			sched_fire(run, leg, EV_CANCEL);
		}
		if (run->cancel == RUN_KILLED && !job->if_decided && !job->result) {
			job->if_decided = 1;
			sched_job_not_run(run, job, PLAN_CANCELLED, NULL);
		}
	}
	sched_check_end(run);
}

static void sched_on_signal(struct loop *l, int sig, void *data)
{
	(void)l;
	(void)sig;
	sched_cancel(data);
}

/* ---------------------------------------------------------------- the run */

/* Legs and jobs restored by --resume count as done. */
static void sched_count_restored(struct run *run)
{
	for (size_t i = 0; i < run->plan.jobs_nr; i++) {
		struct plan_job *job = run->plan.jobs[i];

		for (size_t l = 0; l < job->legs_nr; l++)
			if (job->legs[l].status == PLAN_DONE)
				job->legs_done++;
		if (job->result || (job->legs_nr && job->legs_done == job->legs_nr)) {
			job->if_decided = 1;
			plan_job_finish(&run->plan, job);
		}
	}
}

int sched_run(struct run *run, struct strbuf *err)
{
	static const int sigs[] = { SIGINT, SIGTERM };
	int ret = 0;

	run->leg_done = sched_on_leg_done;
	if (run->opts.max_jobs < 1)
		run->opts.max_jobs = 1;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		loop_watch_signal(run->loop, sigs[i], sched_on_signal, run);
	sched_count_restored(run);
	for (size_t i = 0; i < run->plan.jobs_nr; i++)
		sched_job_check(run, run->plan.jobs[i]);
	sched_check_end(run);
	while (!run->finished) {
		if (loop_run_once(run->loop, -1) < 0) {
			strbuf_addf(err, "the event loop failed: %s", strerror(errno));
			ret = -1;
			break;
		}
	}
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		loop_unwatch_signal(run->loop, sigs[i]);
	return ret;
}
