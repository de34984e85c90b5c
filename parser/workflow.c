/*
 * workflow: wf_load() — YAML, then the schema walk that fills the model,
 * then the decoders for what is static (needs, `uses`, generated step
 * ids), the event decoder (events.c) and the semantic rules (validate.c);
 * finally the diagnostics are sorted and de-duplicated. Nothing here
 * evaluates an expression.
 */
#include "parser/workflow.h"
#include "parser/schema_workflow.h"
#include "parser/wf_phases.h"
#include "util/strbuf.h"
#include "util/strmap.h"
#include "util/xalloc.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define WF_ID_MAX 100

void wf_error(struct diag_list *diags, const struct ydoc_node *n, const char *rule,
	      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(diags, DIAG_ERROR, n->file, n->line, n->col, rule, fmt, ap);
	va_end(ap);
}

int wf_is_expression(const struct ydoc_node *n)
{
	const char *why;

	return n && n->kind == YDOC_SCALAR && schema_scan_expression(n->u.scalar.ptr, &why) == 1;
}

const char *wf_static_string(const struct ydoc_node *n)
{
	if (!n || n->kind != YDOC_SCALAR || wf_is_expression(n))
		return NULL;
	return n->u.scalar.ptr;
}

int wf_id_is_valid(const char *id)
{
	size_t len = strlen(id);

	if (!len || len >= WF_ID_MAX)
		return 0;
	for (size_t i = 0; i < len; i++) {
		int c = (unsigned char)id[i];
		int alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';

		if (!alpha && (i == 0 || !((c >= '0' && c <= '9') || c == '-')))
			return 0;
	}
	return 1;
}

void wf_strings_decode(struct wf_strings *out, struct arena *a, const struct ydoc_node *n)
{
	size_t cap;

	memset(out, 0, sizeof(*out));
	if (!n)
		return;
	out->node = n;
	cap = n->kind == YDOC_SEQUENCE ? n->u.seq.nr : 1;
	out->items = arena_alloc(a, (cap ? cap : 1) * sizeof(*out->items));
	out->nodes = arena_alloc(a, (cap ? cap : 1) * sizeof(*out->nodes));
	for (size_t i = 0; i < cap; i++) {
		const struct ydoc_node *item = n->kind == YDOC_SEQUENCE ? n->u.seq.items[i] : n;

		if (item->kind != YDOC_SCALAR || (item->style == YDOC_PLAIN && !item->u.scalar.len))
			continue;
		out->items[out->nr] = item->u.scalar.ptr;
		out->nodes[out->nr++] = item;
	}
}

static void wf_decode_needs(struct wf_workflow *wf, struct wf_job *job)
{
	struct wf_strings s;

	wf_strings_decode(&s, &wf->doc.arena, job->needs_node);
	job->needs = arena_alloc(&wf->doc.arena, (s.nr ? s.nr : 1) * sizeof(*job->needs));
	for (size_t i = 0; i < s.nr; i++) {
		if (wf_is_expression(s.nodes[i]))
			continue;
		job->needs[job->needs_nr].id = s.items[i];
		job->needs[job->needs_nr++].node = s.nodes[i];
	}
}

int wf_uses_decode(struct wf_uses *out, struct arena *a, const struct ydoc_node *n, int job,
		   struct diag_list *diags)
{
	struct strbuf err = STRBUF_INIT;
	const char *text = wf_static_string(n);

	if (!text)
		return 0;
	if (wf_uses_parse(out, a, text, &err) < 0) {
		wf_error(diags, n, "syntax-check", "invalid %s '%s': %s",
			 job ? "reusable workflow reference" : "action reference", text, err.buf);
		strbuf_release(&err);
		return 0;
	}
	if (job && out->kind == WF_USES_DOCKER) {
		wf_error(diags, n, "syntax-check", "a job's 'uses' must name a reusable workflow "
			 "('owner/repo/path@ref' or './path'), not a Docker image");
		return 0;
	}
	return 1;
}

/* GitHub's id for a step without `id:`: __run, __actions_checkout, __run_2 ... */
static const char *wf_generate_step_id(struct arena *a, const struct wf_step *step,
				       struct strmap *taken)
{
	struct strbuf seed = STRBUF_INIT, id = STRBUF_INIT;
	const char *result;
	size_t base_len;

	strbuf_addstr(&seed, "__");
	if (step->has_uses)
		wf_uses_id_seed(&seed, &step->uses);
	else if (step->parallel)
		strbuf_addstr(&seed, "parallel");
	if (seed.len == 2)
		strbuf_addstr(&seed, "run");
	for (size_t i = 2; i < seed.len; i++) {
		char c = seed.buf[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			seed.buf[i] = '_';
	}
	base_len = seed.len < WF_ID_MAX ? seed.len : WF_ID_MAX;
	strbuf_add(&id, seed.buf, base_len);
	for (int attempt = 2; strmap_get(taken, id.buf); attempt++) {
		char suffix[16];
		int n = snprintf(suffix, sizeof(suffix), "_%d", attempt);

		strbuf_reset(&id);
		strbuf_add(&id, seed.buf, base_len + (size_t)n > WF_ID_MAX ?
			   WF_ID_MAX - (size_t)n : base_len);
		strbuf_addstr(&id, suffix);
	}
	result = arena_strdup(a, id.buf);
	strbuf_release(&seed);
	strbuf_release(&id);
	return result;
}

void wf_steps_decode(struct wf_step *steps, size_t nr, struct arena *a, struct diag_list *diags)
{
	struct strmap taken;

	strmap_init(&taken, 1);
	for (size_t i = 0; i < nr; i++) {
		struct wf_step *step = &steps[i];

		if (step->uses_node)
			step->has_uses = wf_uses_decode(&step->uses, a, step->uses_node, 0, diags);
		wf_steps_decode(step->parallel_steps, step->parallel_nr, a, diags);
		step->id = wf_static_string(step->id_node);
		if (step->id)
			strmap_put(&taken, step->id, step);
	}
	for (size_t i = 0; i < nr; i++) {
		struct wf_step *step = &steps[i];

		if (step->id)
			continue;
		step->id = wf_generate_step_id(a, step, &taken);
		step->id_generated = 1;
		strmap_put(&taken, step->id, step);
	}
	strmap_release(&taken);
}

static void wf_decode_jobs(struct wf_workflow *wf, struct diag_list *diags)
{
	for (size_t j = 0; j < wf->jobs_nr; j++) {
		struct wf_job *job = &wf->jobs[j];

		wf_decode_needs(wf, job);
		if (job->uses_node) {
			job->is_call = 1;
			wf_uses_decode(&job->uses, &wf->doc.arena, job->uses_node, 1, diags);
		}
		job->secrets_inherit = ydoc_scalar_is(job->secrets, "inherit");
		wf_steps_decode(job->steps, job->steps_nr, &wf->doc.arena, diags);
	}
}

struct wf_diag_sort {
	struct diag d;
	size_t index;
};

static int wf_diag_cmp(const void *a, const void *b)
{
	const struct wf_diag_sort *x = a, *y = b;

	if (x->d.line != y->d.line)
		return x->d.line < y->d.line ? -1 : 1;
	if (x->d.col != y->d.col)
		return x->d.col < y->d.col ? -1 : 1;
	return (x->index > y->index) - (x->index < y->index);
}

void wf_diags_tidy(struct diag_list *diags, size_t first)
{
	size_t nr = diags->nr - first, kept = 0;
	struct wf_diag_sort *v;

	if (nr < 2)
		return;
	v = xmalloc(nr * sizeof(*v));
	for (size_t i = 0; i < nr; i++) {
		v[i].d = diags->items[first + i];
		v[i].index = i;
	}
	qsort(v, nr, sizeof(*v), wf_diag_cmp);
	for (size_t i = 0; i < nr; i++) {
		struct diag *prev = kept ? &diags->items[first + kept - 1] : NULL;

		if (prev && prev->line == v[i].d.line && prev->col == v[i].d.col &&
		    !strcmp(prev->message, v[i].d.message)) {
			if (v[i].d.severity == DIAG_ERROR)
				diags->errors--;
			free(v[i].d.file);
			free(v[i].d.message);
			continue;
		}
		diags->items[first + kept++] = v[i].d;
	}
	diags->nr = first + kept;
	free(v);
}

void wf_check(struct wf_workflow *wf, struct wf_calls *calls, struct diag_list *diags,
	      size_t first, size_t errors)
{
	struct schema_walk walk = { diags, &wf->doc.arena, wf, 0 };
	struct diag_list later = DIAG_LIST_INIT;

	wf->file = wf->doc.file;
	if (wf->doc.root) {
		schema_check(&walk, &wf_schema_workflow, wf->doc.root, wf, "workflow");
		wf_decode_jobs(wf, diags);
		wf_events_decode(wf, diags);
		wf_validate(wf, diags);
		if (calls)
			wf_calls_load(calls, wf, diags, &later);
		wf_exprcheck(wf, diags);
	} else if (diags->errors == errors) {
		diag_add(diags, DIAG_ERROR, wf->file, 1, 1, "syntax-check",
			 "the workflow is empty");
	}
	wf_diags_tidy(diags, first);
	diag_list_move(diags, &later);
}

int wf_load_opts(struct wf_workflow *wf, const char *file, const char *text, size_t len,
		 const struct wf_load_options *opts, struct diag_list *diags)
{
	size_t first = diags->nr, errors = diags->errors;

	memset(wf, 0, sizeof(*wf));
	ydoc_load_limits(&wf->doc, file, text, len, opts ? opts->limits : NULL, diags);
	if (opts && (opts->root || opts->resolver || opts->max_jobs))
		wf->calls = wf_calls_new(opts);
	wf_check(wf, wf->calls, diags, first, errors);
	return diags->errors > errors ? -1 : 0;
}

int wf_load_file_opts(struct wf_workflow *wf, const char *path,
		      const struct wf_load_options *opts, struct diag_list *diags)
{
	size_t first = diags->nr, errors = diags->errors;

	memset(wf, 0, sizeof(*wf));
	ydoc_load_file_limits(&wf->doc, path, opts ? opts->limits : NULL, diags);
	if (opts && (opts->root || opts->resolver || opts->max_jobs))
		wf->calls = wf_calls_new(opts);
	wf_check(wf, wf->calls, diags, first, errors);
	return diags->errors > errors ? -1 : 0;
}

int wf_load_limits(struct wf_workflow *wf, const char *file, const char *text, size_t len,
		   const struct ydoc_limits *limits, struct diag_list *diags)
{
	struct wf_load_options opts = { limits, NULL, NULL, 0, 0, WF_POLICY_UNKNOWN };

	return wf_load_opts(wf, file, text, len, &opts, diags);
}

int wf_load(struct wf_workflow *wf, const char *file, const char *text, size_t len,
	    struct diag_list *diags)
{
	return wf_load_opts(wf, file, text, len, NULL, diags);
}

int wf_load_file(struct wf_workflow *wf, const char *path, struct diag_list *diags)
{
	return wf_load_file_opts(wf, path, NULL, diags);
}

void wf_release(struct wf_workflow *wf)
{
	wf_calls_free(wf->calls);
	ydoc_release(&wf->doc);
	memset(wf, 0, sizeof(*wf));
}

const struct wf_job *wf_job_find(const struct wf_workflow *wf, const char *id)
{
	for (size_t i = 0; i < wf->jobs_nr; i++)
		if (!strcmp(wf->jobs[i].id, id))
			return &wf->jobs[i];
	return NULL;
}

const struct wf_event *wf_event_find(const struct wf_workflow *wf, const char *name)
{
	for (size_t i = 0; i < wf->events_nr; i++)
		if (!strcmp(wf->events[i].name, name))
			return &wf->events[i];
	return NULL;
}
