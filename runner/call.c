/*
 * call: the two moments of a reusable workflow call a run sees — its
 * arguments when it starts (typed inputs, passed or inherited secrets)
 * and its result and outputs when its jobs are done. Loading and checking
 * the called workflow is parser/wf_reusable.c's.
 */
#include "runner/call.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "parser/template.h"
#include "runner/context.h"

static const char *const call_contexts[] = {
	"github", "needs", "strategy", "matrix", "vars", "inputs", "secrets", "jobs", NULL,
};

static int call_eval(struct val *out, struct arena *a, const struct ydoc_node *n,
		     struct val contexts, struct strbuf *err)
{
	struct expr_names names = { call_contexts, 0, NULL, 0 };
	struct expr_env env = { contexts, EXPR_STATUS_SUCCESS, NULL, a };

	return tmpl_eval(out, n, &names, &env, err);
}

/* A value for an input of type type, as GitHub converts what `with:` gives. */
static int call_type(struct val *out, struct arena *a, const struct wf_input *in, struct val v,
		     struct strbuf *err)
{
	struct strbuf s = STRBUF_INIT;
	char *end;
	int ret = 0;

	expr_coerce_string(&s, v);
	switch (in->type) {
	case WF_INPUT_BOOLEAN:
		if (v.kind == VAL_BOOL)
			*out = v;
		else if (!strcmp(s.buf, "true") || !strcmp(s.buf, "false"))
			*out = val_bool(!strcmp(s.buf, "true"));
		else
			ret = -1;
		break;
	case WF_INPUT_NUMBER:
		if (v.kind == VAL_NUMBER) {
			*out = v;
		} else {
			double d = strtod(s.buf, &end);

			*out = val_number(d);
			ret = s.len && !*end && isfinite(d) ? 0 : -1;
		}
		break;
	default:
		*out = val_string(a, s.buf, s.len);
		break;
	}
	if (ret < 0)
		strbuf_addf(err, "input '%s' of the called workflow is a %s, not '%s'", in->name,
			    in->type == WF_INPUT_BOOLEAN ? "boolean" : "number", s.buf);
	strbuf_release(&s);
	return ret;
}

/* The secrets the calling job has: its own call's, else the run's. */
static struct val call_caller_secrets(const struct run *run, const struct plan_job *job)
{
	return job->secrets.kind == VAL_OBJECT ? job->secrets : run->secrets;
}

int call_arguments(struct run *run, struct plan_job *job, struct val *inputs,
		   struct val *secrets, struct strbuf *err)
{
	struct arena *a = &run->plan.arena;
	const struct wf_job *j = job->job;
	const struct wf_event *e = wf_event_find(j->callee, "workflow_call");
	struct plan_leg probe;
	struct val c, with = val_new_object(a), v;

	memset(&probe, 0, sizeof(probe));
	probe.job = job;
	probe.matrix = val_null();
	c = context_job_level(a, run, &probe);
	*inputs = val_new_object(a);
	if (j->with && call_eval(&with, a, j->with, c, err) < 0)
		return -1;
	for (size_t i = 0; e && i < e->inputs_nr; i++) {
		const struct wf_input *in = &e->inputs[i];
		struct val *given = with.kind == VAL_OBJECT
				    ? val_object_geti(with, in->name, strlen(in->name)) : NULL;

		if (given)
			v = *given;
		else if (in->default_value && call_eval(&v, a, in->default_value, c, err) < 0)
			return -1;
		else if (!in->default_value)
			v = in->type == WF_INPUT_BOOLEAN ? val_bool(0) : in->type == WF_INPUT_NUMBER
			    ? val_number(0) : val_cstring(a, "");
		if (call_type(&v, a, in, v, err) < 0)
			return -1;
		val_object_setstr(a, *inputs, in->name, v);
	}
	if (j->secrets_inherit) {
		*secrets = call_caller_secrets(run, job);
		return 0;
	}
	*secrets = val_new_object(a);
	val_object_setstr(a, c, "secrets", call_caller_secrets(run, job));
	if (j->secrets && call_eval(&v, a, j->secrets, c, err) < 0)
		return -1;
	for (size_t i = 0; j->secrets && v.kind == VAL_OBJECT && i < v.u.object->nr; i++) {
		struct strbuf s = STRBUF_INIT;

		expr_coerce_string(&s, v.u.object->members[i].value);
		val_object_set(a, *secrets, v.u.object->members[i].key,
			       v.u.object->members[i].key_len, val_string(a, s.buf, s.len));
		strbuf_release(&s);
	}
	return 0;
}

int call_finish(struct run *run, struct plan_leg *leg, enum plan_result *result,
		struct strbuf *err)
{
	static const enum plan_result order[] = {
		PLAN_FAILURE, PLAN_CANCELLED, PLAN_WAITING, PLAN_SUCCESS,
	};
	struct arena *a = &run->plan.arena;
	struct plan_job *job = leg->job;
	const struct wf_event *e = wf_event_find(job->job->callee, "workflow_call");
	struct val c = context_job_level(a, run, leg), jobs = val_new_object(a), v;
	struct strbuf s = STRBUF_INIT;
	int ret = 0;

	*result = PLAN_SKIPPED;
	for (size_t o = 0; *result == PLAN_SKIPPED && o < sizeof(order) / sizeof(order[0]); o++)
		for (size_t i = 0; i < job->callees_nr; i++)
			if (job->callees[i]->result == order[o])
				*result = order[o];
	for (size_t i = 0; i < job->callees_nr; i++) {
		const struct plan_job *cj = job->callees[i];
		struct val entry = val_new_object(a);
		const char *r = plan_result_name(cj->result);

		val_object_setstr(a, entry, "result", val_cstring(a, r ? r : ""));
		val_object_setstr(a, entry, "outputs", cj->outputs);
		val_object_setstr(a, jobs, cj->job->id, entry);
	}
	val_object_setstr(a, c, "jobs", jobs);
	if (job->callees_nr)
		val_object_setstr(a, c, "inputs", job->callees[0]->inputs);
	for (size_t i = 0; e && i < e->outputs_nr; i++) {
		const struct wf_output *out = &e->outputs[i];
		struct strbuf masked = STRBUF_INIT;

		if (!out->value)
			continue;
		if (call_eval(&v, a, out->value, c, err) < 0) {
			ret = -1;
			continue;
		}
		strbuf_reset(&s);
		expr_coerce_string(&s, v);
		strbuf_add(&masked, s.buf, s.len);
		if (!mask_apply(run->mask, &masked))
			val_object_setstr(a, leg->outputs, out->name, val_string(a, s.buf, s.len));
		strbuf_release(&masked);
	}
	strbuf_release(&s);
	return ret;
}
