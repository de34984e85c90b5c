/*
 * plan: workflows -> jobs (needs edges, levels, -j selection) -> legs
 * (matrix expansion, --matrix narrowing, display names). It decides what
 * could run, not when: scheduling is runner/sched.c's.
 */
#include "runner/plan.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "parser/template.h"
#include "runner/matrix.h"
#include "util/xalloc.h"

const char *const plan_job_contexts[] = {
	"github", "needs", "strategy", "matrix", "vars", "inputs", NULL,
};
const char *const plan_step_contexts[] = {
	"github", "env", "vars", "secrets", "inputs", "matrix", "strategy", "needs",
	"steps", "job", "runner", NULL,
};

static const char *const plan_result_names[] = {
	[PLAN_RESULT_NONE] = NULL, [PLAN_SUCCESS] = "success", [PLAN_FAILURE] = "failure",
	[PLAN_CANCELLED] = "cancelled", [PLAN_SKIPPED] = "skipped", [PLAN_WAITING] = "waiting",
};
static const char *const plan_status_names[] = {
	[PLAN_PENDING] = "pending", [PLAN_READY] = "pending", [PLAN_WAITING_GATE] = "waiting",
	[PLAN_QUEUED] = "queued", [PLAN_RUNNING] = "running", [PLAN_DONE] = "done",
};
static const char *const plan_wait_names[] = {
	[PLAN_WAIT_NONE] = NULL, [PLAN_WAIT_APPROVAL] = "approval",
	[PLAN_WAIT_TIMER] = "wait-timer", [PLAN_WAIT_CONCURRENCY] = "concurrency",
};

const char *plan_result_name(enum plan_result r)
{
	return plan_result_names[r];
}

int plan_result_parse(const char *s)
{
	for (size_t i = 1; i < sizeof(plan_result_names) / sizeof(plan_result_names[0]); i++)
		if (!strcmp(s, plan_result_names[i]))
			return (int)i;
	return -1;
}

const char *plan_status_name(enum plan_status s)
{
	return plan_status_names[s];
}

const char *plan_wait_name(enum plan_wait w)
{
	return plan_wait_names[w];
}

/* ---------------------------------------------------------------- needs references */

/* Does text (a scalar) name `needs` inside a ${{ }}? */
static int plan_text_names_needs(const char *s)
{
	const char *open = strstr(s, "${{");

	while (open) {
		const char *close = strstr(open, "}}");
		const char *p = open + 3;

		if (!close)
			close = s + strlen(s);
		for (; p + 5 <= close; p++)
			if (!strncasecmp(p, "needs", 5) &&
			    (p == open + 3 || !(isalnum((unsigned char)p[-1]) || p[-1] == '_' ||
						p[-1] == '.' || p[-1] == '-')) &&
			    !(isalnum((unsigned char)p[5]) || p[5] == '_' || p[5] == '-'))
				return 1;
		open = *close ? strstr(close, "${{") : NULL;
	}
	return 0;
}

int plan_refers_to_needs(const struct ydoc_node *n)
{
	if (!n)
		return 0;
	switch (n->kind) {
	case YDOC_SCALAR:
		return plan_text_names_needs(n->u.scalar.ptr);
	case YDOC_SEQUENCE:
		for (size_t i = 0; i < n->u.seq.nr; i++)
			if (plan_refers_to_needs(n->u.seq.items[i]))
				return 1;
		return 0;
	case YDOC_MAPPING:
		for (size_t i = 0; i < n->u.map.nr; i++)
			if (plan_refers_to_needs(n->u.map.pairs[i].key) ||
			    plan_refers_to_needs(n->u.map.pairs[i].value))
				return 1;
		return 0;
	}
	return 0;
}

/* ---------------------------------------------------------------- legs */

/* contexts plus matrix and strategy for one leg (a new object in a). */
static struct val plan_leg_contexts(struct arena *a, struct val contexts, struct val matrix,
				    struct val strategy)
{
	struct val c = val_new_object(a);

	for (size_t i = 0; contexts.kind == VAL_OBJECT && i < contexts.u.object->nr; i++)
		val_object_set(a, c, contexts.u.object->members[i].key,
			       contexts.u.object->members[i].key_len,
			       contexts.u.object->members[i].value);
	val_object_setstr(a, c, "matrix", matrix);
	val_object_setstr(a, c, "strategy", strategy);
	return c;
}

static int plan_eval(struct val *out, struct arena *a, const struct ydoc_node *n,
		     struct val contexts, struct strbuf *err)
{
	struct expr_names names = { plan_job_contexts, 0, NULL, 0 };
	struct expr_env env = { contexts, EXPR_STATUS_SUCCESS, NULL, a };

	return tmpl_eval(out, n, &names, &env, err);
}

/* The strategy context of leg index of total. */
static struct val plan_strategy(struct arena *a, const struct plan_job *job, size_t index,
				size_t total)
{
	struct val s = val_new_object(a);

	val_object_setstr(a, s, "fail-fast", val_bool(job->fail_fast));
	val_object_setstr(a, s, "job-index", val_number((double)index));
	val_object_setstr(a, s, "job-total", val_number((double)total));
	val_object_setstr(a, s, "max-parallel",
			  val_number((double)(job->max_parallel ? job->max_parallel : (int)total)));
	return s;
}

/* Read fail-fast and max-parallel from an evaluated strategy or its nodes. */
static int plan_strategy_opts(struct plan_job *job, struct arena *a, struct val strategy,
			      struct val contexts, struct strbuf *err)
{
	const struct wf_job *j = job->job;
	struct val ff = val_null(), mp = val_null();

	if (strategy.kind == VAL_OBJECT) {
		struct val *v = val_object_getstr(strategy, "fail-fast");

		ff = v ? *v : ff;
		v = val_object_getstr(strategy, "max-parallel");
		mp = v ? *v : mp;
	} else if ((j->fail_fast && plan_eval(&ff, a, j->fail_fast, contexts, err) < 0) ||
		   (j->max_parallel && plan_eval(&mp, a, j->max_parallel, contexts, err) < 0)) {
		return -1;
	}
	job->fail_fast = ff.kind == VAL_BOOL ? ff.u.boolean
			 : ff.kind == VAL_STRING ? strcmp(ff.u.string.ptr, "false") != 0 : 1;
	job->max_parallel = mp.kind == VAL_NUMBER && mp.u.number >= 1 ? (int)mp.u.number
			    : mp.kind == VAL_STRING ? atoi(mp.u.string.ptr) : 0;
	if (job->max_parallel < 0)
		job->max_parallel = 0;
	return 0;
}

/* The evaluated matrix of job (an object), or null without one. */
static int plan_eval_matrix(struct val *out, struct plan_job *job, struct arena *a,
			    struct val contexts, struct strbuf *err)
{
	const struct wf_job *j = job->job;
	struct val strategy = val_null();

	*out = val_null();
	if (j->strategy && j->strategy->kind == YDOC_SCALAR) {
		struct val *m;

		if (plan_eval(&strategy, a, j->strategy, contexts, err) < 0)
			return -1;
		if (strategy.kind != VAL_OBJECT) {
			strbuf_addf(err, "%s:%d:%d: 'strategy' of job '%s' must be a mapping",
				    j->strategy->file, j->strategy->line, j->strategy->col, j->id);
			return -1;
		}
		m = val_object_getstr(strategy, "matrix");
		*out = m ? *m : val_null();
	} else if (j->matrix && plan_eval(out, a, j->matrix, contexts, err) < 0) {
		return -1;
	}
	return plan_strategy_opts(job, a, strategy, contexts, err);
}

static const char *plan_leg_name(struct arena *a, const struct plan_job *job, struct val matrix,
				 struct val contexts, struct strbuf *err)
{
	const struct wf_job *j = job->job;
	struct strbuf sb = STRBUF_INIT;
	const char *name;
	struct val v;

	if (j->name && plan_eval(&v, a, j->name, contexts, err) < 0)
		return NULL;
	strbuf_addstr(&sb, job->prefix ? job->prefix : "");
	if (j->name && v.kind != VAL_NULL)
		expr_coerce_string(&sb, v);
	else
		strbuf_addstr(&sb, j->id);
	if (job->has_matrix && matrix.kind == VAL_OBJECT && !(j->name && wf_is_expression(j->name))) {
		size_t base = sb.len;

		strbuf_addstr(&sb, " (");
		matrix_format_values(&sb, matrix);
		if (sb.len == base + 2)
			strbuf_setlen(&sb, base);
		else
			strbuf_addch(&sb, ')');
	}
	name = arena_strndup(a, sb.buf, sb.len);
	strbuf_release(&sb);
	return name;
}

/* Prefix a message from matrix.c with the position of the job's matrix. */
static void plan_matrix_error(struct strbuf *err, const struct wf_job *j, const char *msg)
{
	const struct ydoc_node *n = j->matrix ? j->matrix : j->strategy ? j->strategy : j->key;

	strbuf_addf(err, "%s:%d:%d: job '%s': %s", n->file, n->line, n->col, j->id, msg);
}

int plan_expand_job(struct plan *p, struct plan_job *job, struct val contexts,
		    const struct strlist *matrix_filters, struct strbuf *err)
{
	struct arena *a = &p->arena;
	struct val matrix, legs;
	struct strbuf msg = STRBUF_INIT;
	size_t total;
	int ret = -1;

	if (job->legs)
		return 0;
	if (plan_eval_matrix(&matrix, job, a, contexts, err) < 0)
		goto out;
	if (job->has_matrix) {
		if (matrix_expand(&legs, a, matrix, &msg) < 0 ||
		    (matrix_filters && matrix_narrow(legs, matrix_filters, &msg) < 0)) {
			plan_matrix_error(err, job->job, msg.buf);
			goto out;
		}
	} else {
		legs = val_new_array(a);
		val_array_push(a, legs, val_null());
	}
	total = legs.u.array->nr;
	job->legs = arena_alloc(a, (total ? total : 1) * sizeof(*job->legs));
	for (size_t i = 0; i < total; i++) {
		struct plan_leg *leg = &job->legs[job->legs_nr];
		struct val m = legs.u.array->items[i];
		struct val strategy = plan_strategy(a, job, i, total);
		struct val lc = plan_leg_contexts(a, contexts, m, strategy);

		leg->job = job;
		leg->index = job->legs_nr++;
		leg->matrix = m;
		leg->key = job->has_matrix ? arena_printf(a, "%s.%zu", job->key, i + 1) : job->key;
		leg->name = plan_leg_name(a, job, m, lc, err);
		leg->outputs = val_new_object(a);
		leg->runs_on = val_null();
		if (!leg->name)
			goto out;
	}
	ret = 0;
out:
	strbuf_release(&msg);
	return ret;
}

/* ---------------------------------------------------------------- jobs and levels */

void plan_init(struct plan *p)
{
	memset(p, 0, sizeof(*p));
	arena_init(&p->arena);
}

struct plan_wf *plan_wf_new(struct plan *p)
{
	struct plan_wf *w = arena_alloc(&p->arena, sizeof(*w));

	w->inputs = val_new_object(&p->arena);
	ALLOC_GROW(p->loaded, p->loaded_nr + 1, p->loaded_alloc);
	p->loaded[p->loaded_nr++] = w;
	return w;
}

static int plan_level(struct plan_job *job);

/* Where job may start: after its needs, and not before its caller does. */
static int plan_entry_level(struct plan_job *job)
{
	int level = job->caller ? plan_entry_level(job->caller) : 0;

	for (size_t i = 0; i < job->needs_nr; i++)
		if (plan_level(job->needs[i]) + 1 > level)
			level = plan_level(job->needs[i]) + 1;
	return level;
}

/* A job's level: where it starts; a calling job's comes after its callees'. */
static int plan_level(struct plan_job *job)
{
	int level;

	if (job->level >= 0)
		return job->level;
	job->level = 0;         /* workflows are validated acyclic; this only stops runaway */
	level = plan_entry_level(job);
	for (size_t i = 0; i < job->callees_nr; i++)
		if (plan_level(job->callees[i]) + 1 > level)
			level = plan_level(job->callees[i]) + 1;
	job->level = level;
	return level;
}

static size_t plan_index(struct plan_job *job, struct plan_job **all)
{
	size_t idx = 0;

	while (all[idx] != job)
		idx++;
	return idx;
}

/* Select job, what it needs, the jobs of what it calls, and what calls it. */
static void plan_select(struct plan_job *job, unsigned char *sel, struct plan_job **all)
{
	size_t idx = plan_index(job, all);

	if (sel[idx])
		return;
	sel[idx] = 1;
	for (size_t i = 0; i < job->needs_nr; i++)
		plan_select(job->needs[i], sel, all);
	for (size_t i = 0; i < job->callees_nr; i++)
		plan_select(job->callees[i], sel, all);
	if (job->caller)
		plan_select(job->caller, sel, all);
}

/* Keep the jobs named by -j and what they need (transitively). */
static int plan_apply_selection(struct plan *p, const struct strlist *ids, struct strbuf *err)
{
	unsigned char *sel;
	size_t keep = 0;

	if (!ids || !ids->nr)
		return 0;
	sel = xcalloc(p->jobs_nr ? p->jobs_nr : 1, 1);
	for (size_t k = 0; k < ids->nr; k++) {
		int found = 0;

		for (size_t i = 0; i < p->jobs_nr; i++) {
			if (strcmp(p->jobs[i]->job->id, ids->items[k]) &&
			    strcmp(p->jobs[i]->key, ids->items[k]))
				continue;
			plan_select(p->jobs[i], sel, p->jobs);
			found = 1;
		}
		if (!found) {
			strbuf_addf(err, "no job '%s' in the selected workflows", ids->items[k]);
			free(sel);
			return -1;
		}
	}
	for (size_t i = 0; i < p->jobs_nr; i++) {
		struct plan_job *job = p->jobs[i];
		size_t nd = 0;

		if (!sel[i])
			continue;
		for (size_t d = 0; d < job->dependents_nr; d++)
			if (sel[plan_index(job->dependents[d], p->jobs)])
				job->dependents[nd++] = job->dependents[d];
		job->dependents_nr = nd;
		p->jobs[keep++] = job;
	}
	p->jobs_nr = keep;
	free(sel);
	return 0;
}

static int plan_job_cmp(const void *a, const void *b)
{
	const struct plan_job *x = *(struct plan_job *const *)a, *y = *(struct plan_job *const *)b;

	if (x->level != y->level)
		return x->level < y->level ? -1 : 1;
	return x->created < y->created ? -1 : x->created > y->created;
}

/* Jobs of def and, recursively, of the workflows its jobs call. */
static size_t plan_count_jobs(const struct wf_workflow *def)
{
	size_t n = def->jobs_nr;

	for (size_t i = 0; i < def->jobs_nr; i++)
		if (def->jobs[i].callee)
			n += plan_count_jobs(def->jobs[i].callee);
	return n;
}

/* A job's name as its callees' names show it: `name:` when static, else its id. */
static const char *plan_call_name(const struct wf_job *j)
{
	const char *name = j->name ? wf_static_string(j->name) : NULL;

	return name ? name : j->id;
}

/*
 * Add the jobs of def (w's own, or a workflow that caller calls) to
 * p->jobs from *at on, with their needs and dependents, then those of
 * the workflows they call. Returns the first of them.
 */
static struct plan_job *plan_add_workflow_jobs(struct plan *p, struct plan_wf *w,
					       const struct wf_workflow *def,
					       struct plan_job *caller, size_t *at)
{
	struct arena *a = &p->arena;
	struct plan_job *jobs = arena_alloc(a, (def->jobs_nr ? def->jobs_nr : 1) * sizeof(*jobs));

	for (size_t i = 0; i < def->jobs_nr; i++) {
		struct plan_job *job = &jobs[i];
		const struct wf_job *j = &def->jobs[i];

		memset(job, 0, sizeof(*job));
		job->wf = w;
		job->job = j;
		job->def = def;
		job->caller = caller;
		job->created = *at;
		job->key = caller ? arena_printf(a, "%s.%s", caller->key, j->id)
			   : arena_printf(a, "%s.%s", w->stem, j->id);
		job->prefix = caller ? arena_printf(a, "%s%s / ", caller->prefix ? caller->prefix : "",
						    plan_call_name(caller->job)) : NULL;
		job->label = job->prefix ? arena_printf(a, "%s%s", job->prefix, j->id) : j->id;
		job->level = -1;
		job->fail_fast = 1;
		job->has_matrix = j->matrix != NULL ||
				  (j->strategy && j->strategy->kind == YDOC_SCALAR);
		/* a called workflow's jobs see the call's inputs, known when it starts */
		job->deferred = caller || plan_refers_to_needs(j->strategy) ||
				plan_refers_to_needs(j->name);
		job->outputs = val_new_object(a);
		job->inputs = val_null();
		job->secrets = val_null();
		p->jobs[(*at)++] = job;
	}
	for (size_t i = 0; i < def->jobs_nr; i++) {
		struct plan_job *job = &jobs[i];
		const struct wf_job *j = job->job;

		job->needs = arena_alloc(a, (j->needs_nr ? j->needs_nr : 1) * sizeof(*job->needs));
		for (size_t n = 0; n < j->needs_nr; n++) {
			for (size_t k = 0; k < def->jobs_nr; k++) {
				struct plan_job *dep = &jobs[k];

				if (strcmp(dep->job->id, j->needs[n].id))
					continue;
				job->needs[job->needs_nr++] = dep;
				dep->dependents = arena_realloc(a, dep->dependents,
								dep->dependents_nr * sizeof(dep),
								(dep->dependents_nr + 1) * sizeof(dep));
				dep->dependents[dep->dependents_nr++] = job;
				break;
			}
		}
	}
	for (size_t i = 0; i < def->jobs_nr; i++) {
		struct plan_job *job = &jobs[i], *first;
		const struct wf_workflow *callee = job->job->callee;

		if (!callee)
			continue;
		first = plan_add_workflow_jobs(p, w, callee, job, at);
		job->callees_nr = callee->jobs_nr;
		job->callees = arena_alloc(a, (callee->jobs_nr ? callee->jobs_nr : 1) *
					   sizeof(*job->callees));
		for (size_t k = 0; k < callee->jobs_nr; k++)
			job->callees[k] = &first[k];
	}
	return jobs;
}

int plan_build(struct plan *p, struct plan_wf **wfs, size_t nr, const struct plan_opts *o,
	       struct strbuf *err)
{
	size_t total = 0, at = 0;

	p->wfs = arena_alloc(&p->arena, (nr ? nr : 1) * sizeof(*p->wfs));
	for (size_t i = 0; i < nr; i++) {
		p->wfs[p->wfs_nr++] = wfs[i];
		total += plan_count_jobs(&wfs[i]->wf);
	}
	p->jobs = arena_alloc(&p->arena, (total ? total : 1) * sizeof(*p->jobs));
	for (size_t i = 0; i < nr; i++)
		plan_add_workflow_jobs(p, wfs[i], &wfs[i]->wf, NULL, &at);
	p->jobs_nr = total;
	if (plan_apply_selection(p, o->jobs, err) < 0)
		return -1;
	for (size_t i = 0; i < p->jobs_nr; i++)
		if (plan_level(p->jobs[i]) + 1 > p->levels)
			p->levels = plan_level(p->jobs[i]) + 1;
	qsort(p->jobs, p->jobs_nr, sizeof(*p->jobs), plan_job_cmp);
	for (size_t i = 0; i < p->jobs_nr; i++) {
		struct plan_job *job = p->jobs[i];
		struct val c = o->contexts;

		job->order = i;

		if (job->deferred || job->job->is_call)
			continue;
		if (c.kind == VAL_OBJECT) {
			c = plan_leg_contexts(&p->arena, c, val_null(), val_null());
			val_object_setstr(&p->arena, c, "inputs", job->wf->inputs);
		}
		if (plan_expand_job(p, job, c, o->matrix, err) < 0)
			return -1;
	}
	return 0;
}

void plan_release(struct plan *p)
{
	for (size_t i = 0; i < p->loaded_nr; i++)
		wf_release(&p->loaded[i]->wf);
	free(p->loaded);
	arena_release(&p->arena);
	memset(p, 0, sizeof(*p));
}

void plan_job_finish(struct plan *p, struct plan_job *job)
{
	static const enum plan_result order[] = {
		PLAN_FAILURE, PLAN_CANCELLED, PLAN_WAITING, PLAN_SUCCESS,
	};

	for (size_t o = 0; !job->result && o < sizeof(order) / sizeof(order[0]); o++)
		for (size_t l = 0; l < job->legs_nr && !job->result; l++)
			if (job->legs[l].result == order[o])
				job->result = order[o];
	if (!job->result)
		job->result = PLAN_SKIPPED;
	for (size_t l = 0; l < job->legs_nr; l++) {
		struct val o = job->legs[l].outputs;

		for (size_t i = 0; o.kind == VAL_OBJECT && i < o.u.object->nr; i++)
			val_object_set(&p->arena, job->outputs, o.u.object->members[i].key,
				       o.u.object->members[i].key_len, o.u.object->members[i].value);
	}
}

struct plan_job *plan_find_job(const struct plan *p, const char *key)
{
	for (size_t i = 0; i < p->jobs_nr; i++)
		if (!strcmp(p->jobs[i]->key, key))
			return p->jobs[i];
	return NULL;
}

struct plan_leg *plan_find_leg(const struct plan *p, const char *key)
{
	for (size_t i = 0; i < p->jobs_nr; i++)
		for (size_t l = 0; l < p->jobs[i]->legs_nr; l++)
			if (!strcmp(p->jobs[i]->legs[l].key, key))
				return &p->jobs[i]->legs[l];
	return NULL;
}
