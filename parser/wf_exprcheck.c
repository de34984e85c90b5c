/*
 * wf_exprcheck: parses every ${{ }} of a loaded workflow or action, and
 * every if: (an expression even without ${{ }}), with the contexts and
 * functions GitHub allows at that place — GitHub's context-availability
 * table, one row per location below — and reports what does not parse,
 * in GitHub's words, at the fault's file position. It also checks that
 * needs.<job>.outputs.<name> of a called workflow exists. Evaluating is
 * template.c's business; malformed ${{ (unclosed, empty) the schema's.
 */
#include "parser/action.h"
#include "parser/template.h"
#include "parser/wf_phases.h"
#include "util/strbuf.h"
#include "util/utf8.h"
#include "util/xalloc.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define XC_RULE "expression"
#define XC_MAX_ERRORS 1000

/* The named values of expressions; a row's contexts are a set of these bits. */
enum xc_context {
	XC_GITHUB = 1 << 0,
	XC_INPUTS = 1 << 1,
	XC_VARS = 1 << 2,
	XC_NEEDS = 1 << 3,
	XC_STRATEGY = 1 << 4,
	XC_MATRIX = 1 << 5,
	XC_SECRETS = 1 << 6,
	XC_STEPS = 1 << 7,
	XC_JOB = 1 << 8,
	XC_RUNNER = 1 << 9,
	XC_ENV = 1 << 10,
	XC_JOBS = 1 << 11,
};

static const char *const xc_context_names[] = {
	"github", "inputs", "vars", "needs", "strategy", "matrix", "secrets", "steps", "job",
	"runner", "env", "jobs",
};

#define XC_CONTEXTS_MAX (sizeof(xc_context_names) / sizeof(xc_context_names[0]))

enum xc_flags {
	XC_IF = 1 << 0,         /* a condition: the bare text is an expression too */
};

/*
 * One location. Top rows name a field (a `const struct ydoc_node *`) of
 * the model object they belong to; child rows a key below their parent's
 * node ("*": any key). Everything below a row's node that no child row
 * claims is checked with the row's contexts and functions.
 */
struct xc_row {
	const char *where;              /* as GitHub's docs name the location */
	long field;                     /* top rows */
	const char *key;                /* child rows */
	unsigned contexts;
	unsigned functions;             /* enum expr_fn_flags */
	unsigned flags;                 /* enum xc_flags */
	const struct xc_row *children;  /* ended by a row without where */
};

#define FIELD(type, f) ((long)offsetof(type, f))
#define TOP(where, type, f, ctx, fn, flags) { where, FIELD(type, f), NULL, ctx, fn, flags, NULL }
#define TOPC(where, type, f, ctx, fn, children) { where, FIELD(type, f), NULL, ctx, fn, 0, children }
#define SUB(where, key, ctx, fn, children) { where, -1, key, ctx, fn, 0, children }
#define XC_END { NULL, -1, NULL, 0, 0, 0, NULL }

/* Context sets that many rows share. */
#define C_BASE (XC_GITHUB | XC_INPUTS | XC_VARS)
#define C_JOB (C_BASE | XC_NEEDS | XC_STRATEGY | XC_MATRIX)
#define C_RUNNER (C_JOB | XC_SECRETS | XC_STEPS | XC_JOB | XC_RUNNER | XC_ENV)
#define C_STEP_IF (C_RUNNER & ~XC_SECRETS)
#define C_ACTION (XC_GITHUB | XC_INPUTS | XC_STRATEGY | XC_MATRIX | XC_STEPS | XC_JOB | \
		  XC_RUNNER | XC_ENV)

#define F_ANY EXPR_FN_CASE
#define F_HASH (EXPR_FN_CASE | EXPR_FN_HASHFILES)
#define F_STEP_IF (EXPR_FN_CASE | EXPR_FN_HASHFILES | EXPR_FN_STATUS)
#define F_JOB_IF (EXPR_FN_CASE | EXPR_FN_STATUS | EXPR_FN_JOB_STATUS)

/* ---------------------------------------------------------------- the table */

static const struct xc_row xc_container_rows[] = {
	SUB("jobs.<job_id>.container.credentials", "credentials", C_JOB | XC_SECRETS | XC_ENV,
	    F_ANY, NULL),
	SUB("jobs.<job_id>.container.env.<env_id>", "env", C_RUNNER, F_ANY, NULL),
	XC_END,
};

static const struct xc_row xc_service_rows[] = {
	SUB("jobs.<job_id>.services.<service_id>.credentials", "credentials",
	    C_JOB | XC_SECRETS | XC_ENV, F_ANY, NULL),
	SUB("jobs.<job_id>.services.<service_id>.env.<env_id>", "env", C_RUNNER, F_ANY, NULL),
	XC_END,
};

static const struct xc_row xc_services_rows[] = {
	SUB("jobs.<job_id>.services.<service_id>", "*", C_JOB, F_ANY, xc_service_rows),
	XC_END,
};

static const struct xc_row xc_environment_rows[] = {
	SUB("jobs.<job_id>.environment.url", "url", C_RUNNER & ~XC_SECRETS, F_ANY, NULL),
	XC_END,
};

static const struct xc_row xc_snapshot_rows[] = {
	SUB("jobs.<job_id>.snapshot.if", "if", C_JOB, F_ANY, NULL),
	XC_END,
};

static const struct xc_row xc_workflow_rows[] = {
	TOP("run-name", struct wf_workflow, run_name, C_BASE, F_ANY, 0),
	TOP("env", struct wf_workflow, env, C_BASE | XC_SECRETS, F_ANY, 0),
	TOP("concurrency", struct wf_workflow, concurrency, C_BASE, F_ANY, 0),
	XC_END,
};

static const struct xc_row xc_call_input_rows[] = {
	TOP("on.workflow_call.inputs.<inputs_id>.default", struct wf_input, default_value,
	    C_BASE, F_ANY, 0),
	XC_END,
};

static const struct xc_row xc_call_output_rows[] = {
	TOP("on.workflow_call.outputs.<output_id>.value", struct wf_output, value,
	    C_BASE | XC_JOBS, F_ANY, 0),
	XC_END,
};

static const struct xc_row xc_job_rows[] = {
	TOP("jobs.<job_id>.name", struct wf_job, name, C_JOB, F_ANY, 0),
	TOP("jobs.<job_id>.if", struct wf_job, if_cond, C_BASE | XC_NEEDS, F_JOB_IF, XC_IF),
	TOP("jobs.<job_id>.runs-on", struct wf_job, runs_on, C_JOB, F_ANY, 0),
	TOPC("jobs.<job_id>.environment", struct wf_job, environment, C_JOB, F_ANY,
	     xc_environment_rows),
	TOP("jobs.<job_id>.concurrency", struct wf_job, concurrency, C_JOB, F_ANY, 0),
	TOP("jobs.<job_id>.outputs.<output_id>", struct wf_job, outputs, C_RUNNER, F_ANY, 0),
	TOP("jobs.<job_id>.env", struct wf_job, env, C_JOB | XC_SECRETS, F_ANY, 0),
	TOP("jobs.<job_id>.timeout-minutes", struct wf_job, timeout_minutes, C_JOB, F_ANY, 0),
	TOP("jobs.<job_id>.cancel-timeout-minutes", struct wf_job, cancel_timeout_minutes, C_JOB,
	    F_ANY, 0),
	TOP("jobs.<job_id>.continue-on-error", struct wf_job, continue_on_error, C_JOB, F_ANY, 0),
	TOP("jobs.<job_id>.strategy", struct wf_job, strategy, C_BASE | XC_NEEDS, F_ANY, 0),
	TOPC("jobs.<job_id>.container", struct wf_job, container, C_JOB, F_ANY,
	     xc_container_rows),
	TOPC("jobs.<job_id>.services", struct wf_job, services, C_JOB, F_ANY, xc_services_rows),
	TOP("jobs.<job_id>.defaults.run", struct wf_job, defaults, C_JOB | XC_ENV, F_ANY, 0),
	TOPC("jobs.<job_id>.snapshot", struct wf_job, snapshot, 0, F_ANY, xc_snapshot_rows),
	TOP("jobs.<job_id>.with.<with_id>", struct wf_job, with, C_JOB, F_ANY, 0),
	TOP("jobs.<job_id>.secrets.<secrets_id>", struct wf_job, secrets, C_JOB | XC_SECRETS,
	    F_ANY, 0),
	XC_END,
};

static const struct xc_row xc_step_rows[] = {
	TOP("jobs.<job_id>.steps.name", struct wf_step, name, C_RUNNER, F_HASH, 0),
	TOP("jobs.<job_id>.steps.if", struct wf_step, if_cond, C_STEP_IF, F_STEP_IF, XC_IF),
	TOP("jobs.<job_id>.steps.run", struct wf_step, run, C_RUNNER, F_HASH, 0),
	TOP("jobs.<job_id>.steps.working-directory", struct wf_step, working_directory, C_RUNNER,
	    F_HASH, 0),
	TOP("jobs.<job_id>.steps.env", struct wf_step, env, C_RUNNER, F_HASH, 0),
	TOP("jobs.<job_id>.steps.with", struct wf_step, with, C_RUNNER, F_HASH, 0),
	TOP("jobs.<job_id>.steps.continue-on-error", struct wf_step, continue_on_error, C_RUNNER,
	    F_HASH, 0),
	TOP("jobs.<job_id>.steps.timeout-minutes", struct wf_step, timeout_minutes, C_RUNNER,
	    F_HASH, 0),
	XC_END,
};

static const struct xc_row xc_action_input_rows[] = {
	TOP("inputs.<input_id>.default", struct action_input, default_value,
	    XC_GITHUB | XC_STRATEGY | XC_MATRIX | XC_JOB | XC_RUNNER, F_HASH, 0),
	XC_END,
};

static const struct xc_row xc_action_output_rows[] = {
	TOP("outputs.<output_id>.value", struct wf_output, value, C_ACTION, F_ANY, 0),
	XC_END,
};

static const struct xc_row xc_action_rows[] = {
	TOP("runs.pre-if", struct action, pre_if, C_ACTION & ~XC_STEPS, F_STEP_IF, XC_IF),
	TOP("runs.post-if", struct action, post_if, C_ACTION & ~XC_STEPS, F_STEP_IF, XC_IF),
	TOP("runs.env", struct action, env, XC_INPUTS, F_ANY, 0),
	TOP("runs.args", struct action, args, XC_INPUTS, F_ANY, 0),
	XC_END,
};

static const struct xc_row xc_action_step_rows[] = {
	TOP("runs.steps.name", struct wf_step, name, C_ACTION, F_HASH, 0),
	TOP("runs.steps.if", struct wf_step, if_cond, C_ACTION, F_STEP_IF, XC_IF),
	TOP("runs.steps.run", struct wf_step, run, C_ACTION, F_HASH, 0),
	TOP("runs.steps.shell", struct wf_step, shell, C_ACTION, F_HASH, 0),
	TOP("runs.steps.working-directory", struct wf_step, working_directory, C_ACTION, F_HASH, 0),
	TOP("runs.steps.env", struct wf_step, env, C_ACTION, F_HASH, 0),
	TOP("runs.steps.with", struct wf_step, with, C_ACTION, F_HASH, 0),
	TOP("runs.steps.continue-on-error", struct wf_step, continue_on_error, C_ACTION, F_HASH, 0),
	XC_END,
};

/* ---------------------------------------------------------------- the walk */

/*
 * Expressions already parsed fine with the same contexts and functions:
 * workflows repeat ${{ matrix.os }} and the like, and a hit costs a hash
 * instead of a parse. An open-addressing set of slices of the document.
 */
struct xc_seen_entry {
	uint64_t hash;                  /* 0: empty */
	const char *text;
	size_t len;
	const struct xc_row *row;       /* rows with the same names hash alike */
};

struct xc_seen {
	struct xc_seen_entry *slots;
	size_t nr, alloc;               /* alloc: 0 or a power of two */
};

struct xc_state {
	const struct wf_workflow *wf;   /* for needs.<job>.outputs; NULL for actions */
	int callees;                    /* a job of wf calls a loaded workflow */
	struct xc_seen seen;
	struct diag_list *diags;
	struct arena scratch;           /* parse trees, reset after each expression */
	struct expr_error err;
	struct strbuf msg;
	int errors;
	/* What names_row's expressions may name: its contexts as a NULL-terminated list. */
	const struct xc_row *names_row;
	const char *contexts[XC_CONTEXTS_MAX + 1];
	struct expr_names names;
};

/* The names row allows (built when a row's first expression is met). */
static const struct expr_names *xc_names(struct xc_state *xc, const struct xc_row *row)
{
	size_t nr = 0;

	if (xc->names_row == row)
		return &xc->names;
	for (size_t i = 0; i < XC_CONTEXTS_MAX; i++)
		if (row->contexts & (1u << i))
			xc->contexts[nr++] = xc_context_names[i];
	xc->contexts[nr] = NULL;
	memset(&xc->names, 0, sizeof(xc->names));
	xc->names.contexts = xc->contexts;
	xc->names.functions = row->functions;
	xc->names_row = row;
	return &xc->names;
}

static void xc_error(struct xc_state *xc, const struct ydoc_node *n, size_t off, int width,
		     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* An error at byte off of n's value, width columns wide. */
static void xc_error(struct xc_state *xc, const struct ydoc_node *n, size_t off, int width,
		     const char *fmt, ...)
{
	va_list ap;
	int line, col;

	if (xc->errors++ == XC_MAX_ERRORS)
		diag_add(xc->diags, DIAG_NOTE, n->file, n->line, n->col, XC_RULE,
			 "too many expression errors; the rest are not reported");
	if (xc->errors > XC_MAX_ERRORS)
		return;
	ydoc_scalar_position(n, off, &line, &col);
	va_start(ap, fmt);
	diag_vadd(xc->diags, DIAG_ERROR, n->file, line, col, XC_RULE, fmt, ap);
	va_end(ap);
	xc->diags->items[xc->diags->nr - 1].width = width;
}

static uint64_t xc_hash(const char *s, size_t len, unsigned contexts, unsigned functions)
{
	uint64_t h = 1469598103934665603ull ^ ((uint64_t)contexts << 32 | functions);

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h ? h : 1;
}

static int xc_seen_same(const struct xc_seen_entry *e, uint64_t hash, const char *text,
			size_t len, const struct xc_row *row)
{
	return e->hash == hash && e->len == len && e->row->contexts == row->contexts &&
	       e->row->functions == row->functions && !memcmp(e->text, text, len);
}

/* 1 when text parsed fine before with row's names. */
static int xc_seen_has(const struct xc_seen *set, uint64_t hash, const char *text, size_t len,
		       const struct xc_row *row)
{
	for (size_t i = hash & (set->alloc - 1); set->alloc && set->slots[i].hash;
	     i = (i + 1) & (set->alloc - 1))
		if (xc_seen_same(&set->slots[i], hash, text, len, row))
			return 1;
	return 0;
}

static void xc_seen_put(struct xc_seen *set, uint64_t hash, const char *text, size_t len,
			const struct xc_row *row)
{
	size_t i;

	if (2 * (set->nr + 1) > set->alloc) {
		struct xc_seen old = *set;

		set->alloc = old.alloc ? 2 * old.alloc : 64;
		set->slots = xcalloc(set->alloc, sizeof(*set->slots));
		set->nr = 0;
		for (size_t k = 0; k < old.alloc; k++)
			if (old.slots[k].hash)
				xc_seen_put(set, old.slots[k].hash, old.slots[k].text, old.slots[k].len,
					    old.slots[k].row);
		free(old.slots);
	}
	for (i = hash & (set->alloc - 1); set->slots[i].hash; i = (i + 1) & (set->alloc - 1))
		;
	set->slots[i].hash = hash;
	set->slots[i].text = text;
	set->slots[i].len = len;
	set->slots[i].row = row;
	set->nr++;
}

/* The job of wf called id (GitHub's contexts ignore case), or NULL. */
static const struct wf_job *xc_job_named(const struct wf_workflow *wf, const char *id, size_t len)
{
	for (size_t j = 0; j < wf->jobs_nr; j++)
		if (strlen(wf->jobs[j].id) == len && !strncasecmp(wf->jobs[j].id, id, len))
			return &wf->jobs[j];
	return NULL;
}

static int xc_name_is(const struct expr_name *n, const char *s)
{
	return n->len == strlen(s) && !strncasecmp(n->ptr, s, n->len);
}

struct xc_outputs_ref {
	struct xc_state *xc;
	const struct ydoc_node *node;
	size_t off;                     /* of the expression in node's value */
};

/* needs.<job>.outputs.<name>: a called workflow must declare the output. */
static void xc_check_outputs_ref(void *data, const struct expr_name *names, unsigned nr,
				 size_t off)
{
	struct xc_outputs_ref *ref = data;
	const struct wf_job *job;
	const struct wf_event *call;

	if (nr < 4 || !xc_name_is(&names[0], "needs") || !xc_name_is(&names[2], "outputs"))
		return;
	job = xc_job_named(ref->xc->wf, names[1].ptr, names[1].len);
	if (!job || !job->callee)
		return;
	call = wf_event_find(job->callee, "workflow_call");
	for (size_t i = 0; call && i < call->outputs_nr; i++)
		if (strlen(call->outputs[i].name) == names[3].len &&
		    !strncasecmp(call->outputs[i].name, names[3].ptr, names[3].len))
			return;
	xc_error(ref->xc, ref->node, ref->off + off, (int)names[0].len,
		 "job '%s' calls reusable workflow '%s', which has no output '%.*s'", job->id,
		 job->uses_node->u.scalar.ptr, (int)names[3].len, names[3].ptr);
}

/* Parse the expression at [start, end) of n's value; report what does not parse. */
static void xc_check_expression(struct xc_state *xc, const struct xc_row *row,
				const struct ydoc_node *n, size_t start, size_t end)
{
	const char *text = n->u.scalar.ptr + start;
	size_t len = end - start;
	struct arena_mark mark;
	struct expr *e;
	uint64_t hash;
	int paths;

	utf8_js_trim(&text, &len);
	if (!len || (len == 6 && !memcmp(text, "insert", 6)))
		return;
	start = (size_t)(text - n->u.scalar.ptr);
	paths = xc->callees && (row->contexts & XC_NEEDS);
	hash = xc_hash(text, len, row->contexts, row->functions);
	if (!paths && xc_seen_has(&xc->seen, hash, text, len, row))
		return;
	mark = arena_mark(&xc->scratch);
	if (expr_parse(&e, &xc->scratch, text, len, xc_names(xc, row), &xc->err) < 0) {
		strbuf_reset(&xc->msg);
		expr_error_format(&xc->msg, &xc->err, text, len);
		xc_error(xc, n, start + expr_error_offset(&xc->err, text, len), xc->err.len, "%s",
			 xc->msg.buf);
	} else if (!paths) {
		/* Only what parsed fine is remembered: every fault is reported where it is. */
		xc_seen_put(&xc->seen, hash, text, len, row);
	} else {
		struct xc_outputs_ref ref = { xc, n, start };

		expr_each_path(e, xc_check_outputs_ref, &ref);
	}
	arena_reset(&xc->scratch, mark);
}

/* 1 when s holds "${{" (memchr is much faster than memmem on short strings). */
static int xc_has_open(const char *s, size_t len)
{
	const char *end = s + len, *p = s;

	while ((p = memchr(p, '$', (size_t)(end - p))) && end - p >= 3) {
		if (p[1] == '{' && p[2] == '{')
			return 1;
		p++;
	}
	return 0;
}

static void xc_check_scalar(struct xc_state *xc, const struct xc_row *row,
			    const struct ydoc_node *n)
{
	const char *s = n->u.scalar.ptr;
	size_t len = n->u.scalar.len, pos = 0;
	struct tmpl_part part;

	if (!xc_has_open(s, len)) {
		if (row->flags & XC_IF)
			xc_check_expression(xc, row, n, 0, len);
		return;
	}
	while (tmpl_next_part(s, len, pos, &part) > 0) {
		xc_check_expression(xc, row, n, part.start, part.end);
		pos = part.close;
	}
}

static const struct xc_row *xc_child(const struct xc_row *row, const struct ydoc_node *key)
{
	for (const struct xc_row *c = row->children; c && c->where; c++)
		if (!strcmp(c->key, "*") || ydoc_scalar_is(key, c->key))
			return c;
	return NULL;
}

static void xc_check_node(struct xc_state *xc, const struct xc_row *row,
			  const struct ydoc_node *n)
{
	switch (n->kind) {
	case YDOC_SCALAR:
		if (row->contexts || row->flags)
			xc_check_scalar(xc, row, n);
		return;
	case YDOC_SEQUENCE:
		for (size_t i = 0; i < n->u.seq.nr; i++)
			xc_check_node(xc, row, n->u.seq.items[i]);
		return;
	case YDOC_MAPPING:
		for (size_t i = 0; i < n->u.map.nr; i++) {
			const struct ydoc_pair *p = &n->u.map.pairs[i];
			const struct xc_row *child = xc_child(row, p->key);

			xc_check_node(xc, row, p->key);
			xc_check_node(xc, child ? child : row, p->value);
		}
		return;
	}
}

/* Check every row of rows against the model object obj. */
static void xc_check_rows(struct xc_state *xc, const struct xc_row *rows, const void *obj)
{
	for (const struct xc_row *row = rows; row->where; row++) {
		const struct ydoc_node *n =
			*(const struct ydoc_node *const *)((const char *)obj + row->field);

		if (n)
			xc_check_node(xc, row, n);
	}
}

static void xc_check_steps(struct xc_state *xc, const struct xc_row *rows,
			   const struct wf_step *steps, size_t nr)
{
	for (size_t i = 0; i < nr; i++) {
		xc_check_rows(xc, rows, &steps[i]);
		xc_check_steps(xc, rows, steps[i].parallel_steps, steps[i].parallel_nr);
	}
}

static void xc_init(struct xc_state *xc, const struct wf_workflow *wf, struct diag_list *diags)
{
	memset(xc, 0, sizeof(*xc));
	xc->wf = wf;
	xc->diags = diags;
	arena_init(&xc->scratch);
	/*
	 * A chunk before the first mark: resetting to a mark frees the chunks
	 * made after it, so without one every expression would malloc one.
	 */
	arena_alloc(&xc->scratch, 1);
	expr_error_init(&xc->err);
	strbuf_init(&xc->msg, 0);
}

static void xc_release(struct xc_state *xc)
{
	free(xc->seen.slots);
	arena_release(&xc->scratch);
	expr_error_release(&xc->err);
	strbuf_release(&xc->msg);
}

void wf_exprcheck(const struct wf_workflow *wf, struct diag_list *diags)
{
	struct xc_state xc;

	xc_init(&xc, wf, diags);
	for (size_t j = 0; j < wf->jobs_nr; j++)
		xc.callees |= wf->jobs[j].callee != NULL;
	xc_check_rows(&xc, xc_workflow_rows, wf);
	for (size_t i = 0; i < wf->events_nr; i++) {
		const struct wf_event *ev = &wf->events[i];

		if (strcmp(ev->name, "workflow_call"))
			continue;
		for (size_t k = 0; k < ev->inputs_nr; k++)
			xc_check_rows(&xc, xc_call_input_rows, &ev->inputs[k]);
		for (size_t k = 0; k < ev->outputs_nr; k++)
			xc_check_rows(&xc, xc_call_output_rows, &ev->outputs[k]);
	}
	for (size_t j = 0; j < wf->jobs_nr; j++) {
		xc_check_rows(&xc, xc_job_rows, &wf->jobs[j]);
		xc_check_steps(&xc, xc_step_rows, wf->jobs[j].steps, wf->jobs[j].steps_nr);
	}
	xc_release(&xc);
}

void wf_exprcheck_action(const struct action *act, struct diag_list *diags)
{
	struct xc_state xc;

	xc_init(&xc, NULL, diags);
	for (size_t i = 0; i < act->inputs_nr; i++)
		xc_check_rows(&xc, xc_action_input_rows, &act->inputs[i]);
	for (size_t i = 0; i < act->outputs_nr; i++)
		xc_check_rows(&xc, xc_action_output_rows, &act->outputs[i]);
	xc_check_rows(&xc, xc_action_rows, act);
	xc_check_steps(&xc, xc_action_step_rows, act->steps, act->steps_nr);
	xc_release(&xc);
}
