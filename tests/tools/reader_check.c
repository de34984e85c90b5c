/*
 * reader_check: replays GitHub's workflow-parser reader vectors
 * (languageservices/workflow-parser/reader/ files) through wf_load and
 * prints one verdict line per file:
 *   PASS-EXACT|PASS-LINES|FAIL|SKIP <TAB> file <TAB> detail
 * Errors pass on the same (line, col) set (EXACT) or the same lines
 * (LINES: our wording and some columns differ from GitHub's); successes on
 * the same job ids, needs, normalised if:, runs-on, step count, step ids,
 * run and uses.
 */
#include "parser/schema.h"
#include "parser/template.h"
#include "parser/workflow.h"
#include "util/json.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Options of a vector this harness cannot honour, and why. */
static const struct {
	const char *option;
	const char *reason;
} unsupported_options[] = {
	{ "max-result-size", "result size limits are not implemented" },
	{ "is-partial-rerun", "partial re-runs are not modelled" },
	{ "experimental-features", "experimental features are not supported" },
};

struct vector {
	const char *name;               /* the test file's base name */
	struct strbuf wf_name;          /* .github/workflows/<name> */
	const char *docs[64];
	size_t doc_len[64];
	size_t ndocs;
};

/* Split on \r?\n---\r?\n as GitHub's harness does. */
static void split_docs(struct vector *v, const char *text, size_t len)
{
	size_t start = 0;

	v->ndocs = 0;
	for (size_t i = 0; i < len && v->ndocs < 63; i++) {
		size_t nl = text[i] == '\r' && i + 1 < len && text[i + 1] == '\n' ? 2 :
			    text[i] == '\n' ? 1 : 0;
		size_t j = i + nl, end;

		if (!nl || len - j < 3 || strncmp(text + j, "---", 3))
			continue;
		end = j + 3;
		if (end < len && text[end] == '\r')
			end++;
		if (end >= len || text[end] != '\n')
			continue;
		v->docs[v->ndocs] = text + start;
		v->doc_len[v->ndocs++] = i - start;
		start = end + 1;
		i = end;
	}
	v->docs[v->ndocs] = text + start;
	v->doc_len[v->ndocs++] = len - start;
}

/* ---------------------------------------------------------------- our model as tokens */

static struct val token_of(struct arena *a, const struct ydoc_node *n, int source);

/*
 * GitHub numbers the files of a load from 1 in the order it reads them:
 * the workflow, then the workflows it calls (the order our jobs are
 * compared in). Reset for each vector.
 */
static const char *file_ids[64];
static size_t file_ids_nr;

static int file_id(const char *file)
{
	for (size_t i = 0; i < file_ids_nr; i++)
		if (!strcmp(file_ids[i], file))
			return (int)i + 1;
	if (file_ids_nr == sizeof(file_ids) / sizeof(file_ids[0]))
		return 0;
	file_ids[file_ids_nr++] = file;
	return (int)file_ids_nr;
}

static void token_pos(struct arena *a, struct val t, const struct ydoc_node *n, int source)
{
	if (!source)
		return;
	val_object_setstr(a, t, "file", val_number(file_id(n->file)));
	val_object_setstr(a, t, "line", val_number(n->line));
	val_object_setstr(a, t, "col", val_number(n->col));
}

/* GitHub's token for a string holding ${{ }}: one expression, or format(). */
static struct val expression_token(struct arena *a, const struct ydoc_node *n, int source)
{
	struct strbuf e = STRBUF_INIT;
	struct val t = val_new_object(a);

	tmpl_to_expression(&e, n->u.scalar.ptr, n->u.scalar.len);
	val_object_setstr(a, t, "type", val_number(3));
	token_pos(a, t, n, source);
	val_object_setstr(a, t, "expr", val_string(a, e.buf, e.len));
	strbuf_release(&e);
	return t;
}

static struct val literal_token(struct arena *a, const struct ydoc_node *n, int source)
{
	static const struct {
		enum val_kind kind;
		int type;
		const char *field;
	} kinds[] = {
		{ VAL_STRING, 0, "lit" },
		{ VAL_BOOL, 5, "bool" },
		{ VAL_NUMBER, 6, "num" },
		{ VAL_NULL, 7, NULL },
	};
	struct val v = ydoc_scalar_value(a, n), t;
	struct strbuf lit = STRBUF_INIT;

	if (tmpl_to_expression(&lit, n->u.scalar.ptr, n->u.scalar.len) == TMPL_STRING)
		v = val_string(a, lit.buf, lit.len);
	strbuf_release(&lit);
	if (!source)
		return v.kind == VAL_NULL ? token_of(a, NULL, 0) : v;
	t = val_new_object(a);
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (kinds[i].kind != v.kind)
			continue;
		val_object_setstr(a, t, "type", val_number(kinds[i].type));
		token_pos(a, t, n, source);
		if (kinds[i].field)
			val_object_setstr(a, t, kinds[i].field, v);
	}
	return t;
}

static struct val token_of(struct arena *a, const struct ydoc_node *n, int source)
{
	struct val t, items;

	if (!n) {
		t = val_new_object(a);
		val_object_setstr(a, t, "type", val_number(7));
		return t;
	}
	if (n->kind == YDOC_SCALAR)
		return wf_is_expression(n) ? expression_token(a, n, source) :
		       literal_token(a, n, source);
	t = val_new_object(a);
	items = val_new_array(a);
	val_object_setstr(a, t, "type", val_number(n->kind == YDOC_SEQUENCE ? 1 : 2));
	token_pos(a, t, n, source);
	if (n->kind == YDOC_SEQUENCE) {
		for (size_t i = 0; i < n->u.seq.nr; i++)
			val_array_push(a, items, token_of(a, n->u.seq.items[i], source));
		val_object_setstr(a, t, "seq", items);
	} else {
		for (size_t i = 0; i < n->u.map.nr; i++) {
			struct val kv = val_new_object(a);

			val_object_setstr(a, kv, "Key", token_of(a, n->u.map.pairs[i].key, source));
			val_object_setstr(a, kv, "Value",
					  token_of(a, n->u.map.pairs[i].value, source));
			val_array_push(a, items, kv);
		}
		val_object_setstr(a, t, "map", items);
	}
	return t;
}

/* ---------------------------------------------------------------- comparison */

/* The text of a string or of a literal token {"lit": ...}. */
static const char *plain_text(struct val v)
{
	struct val *lit;

	if (v.kind == VAL_STRING)
		return v.u.string.ptr;
	lit = val_object_getstr(v, "lit");
	return lit && lit->kind == VAL_STRING ? lit->u.string.ptr : NULL;
}

static int compare_field(struct strbuf *why, const char *what, struct val want, struct val got)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;

	if (val_equal(want, got))
		return 0;
	json_write(&a, want, 0);
	json_write(&b, got, 0);
	strbuf_addf(why, "%s: want %.200s got %.200s", what, a.buf, b.buf);
	strbuf_release(&a);
	strbuf_release(&b);
	return -1;
}

/* A job's or step's if: against the expected normalised condition {"expr": ...}. */
static int compare_if(struct arena *a, const char *what, struct val *want,
		      const struct ydoc_node *cond, struct strbuf *why)
{
	static const struct expr_names any = { NULL, EXPR_FN_STATUS | EXPR_FN_JOB_STATUS |
						   EXPR_FN_HASHFILES | EXPR_FN_CASE, NULL, 0 };
	struct strbuf got = STRBUF_INIT;
	struct val *expr = want ? val_object_getstr(*want, "expr") : NULL;
	int ret = 0;

	if (!expr || expr->kind != VAL_STRING)
		return 0;
	if (tmpl_if_normalize(&got, cond, &any, a) < 0 || strcmp(got.buf, expr->u.string.ptr)) {
		strbuf_addf(why, "%s if: want '%s' got '%s'", what, expr->u.string.ptr, got.buf);
		ret = -1;
	}
	strbuf_release(&got);
	return ret;
}

static int compare_step(struct arena *a, const struct wf_step *step, struct val want, int source,
			struct strbuf *why)
{
	struct val *id = val_object_getstr(want, "id");
	struct val *run = val_object_getstr(want, "run");
	struct val *uses = val_object_getstr(want, "uses");
	const char *want_id = id ? plain_text(*id) : NULL;

	if (!want_id || strcmp(want_id, step->id)) {
		strbuf_addf(why, "step %zu id: want '%s' got '%s'", step->index,
			    want_id ? want_id : "?", step->id);
		return -1;
	}
	if ((run != NULL) != (step->run != NULL) || (uses != NULL) != (step->uses_node != NULL)) {
		strbuf_addf(why, "step '%s': run/uses differ", step->id);
		return -1;
	}
	if (run && compare_field(why, "run", *run, token_of(a, step->run, source)))
		return -1;
	if (uses && compare_field(why, "uses", *uses, token_of(a, step->uses_node, source)))
		return -1;
	return compare_if(a, "step", val_object_getstr(want, "if"), step->if_cond, why);
}

static int compare_jobs(struct arena *a, const struct wf_workflow *wf, struct val want, int source,
			struct strbuf *why);

static int compare_job(struct arena *a, const struct wf_job *job, struct val want, int source,
		       struct strbuf *why)
{
	struct val *id = val_object_getstr(want, "id"), *needs = val_object_getstr(want, "needs");
	struct val *runs_on = val_object_getstr(want, "runs-on");
	struct val *steps = val_object_getstr(want, "steps");
	struct val *callee_jobs = val_object_getstr(want, "jobs");
	const char *want_id = id ? plain_text(*id) : NULL;
	size_t nsteps = steps && steps->kind == VAL_ARRAY ? steps->u.array->nr : 0;

	if (!want_id || strcmp(want_id, job->id)) {
		strbuf_addf(why, "job id: want '%s' got '%s'", want_id ? want_id : "?", job->id);
		return -1;
	}
	if ((needs ? needs->u.array->nr : 0) != job->needs_nr) {
		strbuf_addf(why, "job '%s': %zu needs, want %zu", job->id, job->needs_nr,
			    needs ? needs->u.array->nr : 0);
		return -1;
	}
	for (size_t i = 0; i < job->needs_nr; i++) {
		const char *n = plain_text(needs->u.array->items[i]);

		if (!n || strcmp(n, job->needs[i].id)) {
			strbuf_addf(why, "job '%s': needs[%zu] differs", job->id, i);
			return -1;
		}
	}
	if ((runs_on != NULL) != (job->runs_on != NULL) ||
	    (runs_on && compare_field(why, "runs-on", *runs_on, token_of(a, job->runs_on, source))))
		return why->len ? -1 : (strbuf_addf(why, "job '%s': runs-on presence", job->id), -1);
	if (compare_if(a, "job", val_object_getstr(want, "if"), job->if_cond, why))
		return -1;
	if (callee_jobs && compare_jobs(a, job->callee, *callee_jobs, source, why))
		return -1;
	if (nsteps != job->steps_nr) {
		strbuf_addf(why, "job '%s': %zu steps, want %zu", job->id, job->steps_nr, nsteps);
		return -1;
	}
	for (size_t i = 0; i < nsteps; i++)
		if (compare_step(a, &job->steps[i], steps->u.array->items[i], source, why))
			return -1;
	return 0;
}

/* The jobs of wf (a called workflow: NULL when it was not loaded) against want. */
static int compare_jobs(struct arena *a, const struct wf_workflow *wf, struct val want, int source,
			struct strbuf *why)
{
	size_t nr = want.kind == VAL_ARRAY ? want.u.array->nr : 0;

	if (!wf && !nr)
		return 0;
	if (!wf || wf->jobs_nr != nr) {
		strbuf_addf(why, "%zu jobs, want %zu", wf ? wf->jobs_nr : 0, nr);
		return -1;
	}
	for (size_t i = 0; i < nr; i++)
		if (compare_job(a, &wf->jobs[i], want.u.array->items[i], source, why))
			return -1;
	return 0;
}

/* ---------------------------------------------------------------- errors */

/* Where an error is: "file (Line: L, Col: C): ..." of GitHub's, or one of ours. */
struct position {
	char file[256];
	int line, col;
};

/* Parse "<file> (Line: L, Col: C): text"; 0 when the message has no position. */
static int parse_expected(struct position *e, const char *msg)
{
	const char *at = strstr(msg, " (Line: ");
	size_t n = at ? (size_t)(at - msg) : 0;

	memset(e, 0, sizeof(*e));
	if (!at || n >= sizeof(e->file) ||
	    sscanf(at, " (Line: %d, Col: %d):", &e->line, &e->col) != 2)
		return 0;
	memcpy(e->file, msg, n);
	return 1;
}

static int cmp_pos(const void *a, const void *b)
{
	const struct position *x = a, *y = b;
	int c = strcmp(x->file, y->file);

	if (c)
		return c;
	return x->line != y->line ? (x->line > y->line) - (x->line < y->line) :
	       (x->col > y->col) - (x->col < y->col);
}

/* Sorted unique positions, col 0 when lines_only; returns the count. */
static size_t unique_positions(struct position *pos, size_t nr, int lines_only)
{
	size_t k = 0;

	for (size_t i = 0; i < nr; i++)
		if (lines_only)
			pos[i].col = 0;
	qsort(pos, nr, sizeof(*pos), cmp_pos);
	for (size_t i = 0; i < nr; i++)
		if (!k || cmp_pos(&pos[k - 1], &pos[i]))
			pos[k++] = pos[i];
	return k;
}

static int same_positions(struct val errors, const struct diag_list *diags, int lines_only,
			  int *unpositioned)
{
	size_t nw = errors.u.array->nr, ng = diags->nr, kw = 0, kg;
	struct position *want = xcalloc(nw + 1, sizeof(*want));
	struct position *got = xcalloc(ng + 1, sizeof(*got));
	int same;

	*unpositioned = 0;
	for (size_t i = 0; i < nw; i++) {
		struct val *m = val_object_getstr(errors.u.array->items[i], "Message");

		if (!m || !parse_expected(&want[kw], m->u.string.ptr)) {
			*unpositioned = 1;
			continue;
		}
		kw++;
	}
	for (size_t i = 0; i < ng; i++) {
		snprintf(got[i].file, sizeof(got[i].file), "%s", diags->items[i].file);
		got[i].line = diags->items[i].line;
		got[i].col = diags->items[i].col;
	}
	kw = unique_positions(want, kw, lines_only);
	kg = unique_positions(got, ng, lines_only);
	if (*unpositioned) {
		/* Positionless expected errors: ours must include every positioned one. */
		size_t j = 0;

		for (size_t i = 0; i < kg && j < kw; i++)
			if (!cmp_pos(&got[i], &want[j]))
				j++;
		same = j == kw && ng > 0;
	} else {
		same = kw == kg;
		for (size_t i = 0; same && i < kw; i++)
			same = !cmp_pos(&want[i], &got[i]);
	}
	free(want);
	free(got);
	return same;
}

/* ---------------------------------------------------------------- reusable workflows */

/* The vector's documents after the workflow: reference, content, reference, content... */
static int vector_resolve(void *data, const char *ref, const struct wf_uses *uses,
			  struct strbuf *name, struct strbuf *text, struct strbuf *err)
{
	const struct vector *v = data;

	(void)uses;
	(void)err;
	for (size_t i = 2; i + 2 < v->ndocs; i += 2) {
		const char *r = v->docs[i];
		size_t n = v->doc_len[i];

		while (n && strchr(" \t\r\n", r[n - 1]))
			n--;
		if (strlen(ref) == n && !strncmp(ref, r, n)) {
			strbuf_addstr(name, ref);
			strbuf_add(text, v->docs[i + 1], v->doc_len[i + 1]);
			return 0;
		}
	}
	return 1;
}

/* The options of a vector for reusable workflows: limits, permission policy, skipping. */
static void vector_load_options(struct wf_load_options *lo, const struct ydoc_node *opts)
{
	static const struct {
		const char *name;
		enum wf_permissions_policy policy;
	} policies[] = {
		{ "LimitedRead", WF_POLICY_LIMITED_READ },
		{ "Write", WF_POLICY_WRITE },
	};
	const struct ydoc_node *depth = ydoc_map_get(opts, "max-nested-reusable-workflows-depth");
	const struct ydoc_node *policy = ydoc_map_get(opts, "permissions-policy");
	const struct ydoc_node *jobs = ydoc_map_get(opts, "max-job-limit");

	if (ydoc_scalar_is(ydoc_map_get(opts, "skip-reusable-workflows"), "true"))
		lo->resolver = NULL;
	if (depth && depth->kind == YDOC_SCALAR)
		lo->max_depth = atoi(depth->u.scalar.ptr);
	if (jobs && jobs->kind == YDOC_SCALAR)
		lo->max_jobs = (size_t)atol(jobs->u.scalar.ptr);
	for (size_t i = 0; i < sizeof(policies) / sizeof(policies[0]); i++)
		if (ydoc_scalar_is(policy, policies[i].name))
			lo->policy = policies[i].policy;
}

/* ---------------------------------------------------------------- one vector */

static const char *unsupported_reason(const struct ydoc_node *opts)
{
	for (size_t i = 0; i < sizeof(unsupported_options) / sizeof(unsupported_options[0]); i++)
		if (ydoc_map_get(opts, unsupported_options[i].option))
			return unsupported_options[i].reason;
	return NULL;
}

static void check_limits(struct ydoc_limits *lim, const struct ydoc_node *opts)
{
	const struct ydoc_node *d = ydoc_map_get(opts, "max-depth");
	const struct ydoc_node *s = ydoc_map_get(opts, "max-file-size");

	*lim = ydoc_default_limits;
	if (d && d->kind == YDOC_SCALAR)
		lim->max_depth = atoi(d->u.scalar.ptr);
	if (s && s->kind == YDOC_SCALAR)
		lim->max_size = (size_t)atol(s->u.scalar.ptr);
}

static void run_vector(const char *path, struct strbuf *verdict)
{
	struct strbuf text = STRBUF_INIT, why = STRBUF_INIT, err = STRBUF_INIT;
	struct arena a = ARENA_INIT;
	struct vector v;
	struct ydoc opts;
	struct diag_list diags = DIAG_LIST_INIT, odiags = DIAG_LIST_INIT;
	struct wf_workflow wf;
	struct ydoc_limits lim;
	struct wf_resolver resolver = { vector_resolve, &v };
	struct wf_load_options lo = { NULL, NULL, &resolver, 0, 0, WF_POLICY_UNKNOWN };
	struct val expect, *errors, *jobs;
	const char *slash = strrchr(path, '/'), *reason;
	int source, unpositioned;

	memset(&v, 0, sizeof(v));
	memset(&wf, 0, sizeof(wf));
	v.name = slash ? slash + 1 : path;
	strbuf_init(&v.wf_name, 0);
	strbuf_addf(&v.wf_name, ".github/workflows/%s", v.name);
	if (strbuf_read_file(&text, path, 0) < 0) {
		strbuf_addf(verdict, "FAIL\t%s\tcannot read the file", v.name);
		goto out;
	}
	split_docs(&v, text.buf, text.len);
	ydoc_load(&opts, "options", v.docs[0], v.doc_len[0], &odiags);
	if (v.ndocs < 3 || json_parse(&expect, &a, v.docs[v.ndocs - 1], v.doc_len[v.ndocs - 1],
				      &err) < 0) {
		strbuf_addf(verdict, "FAIL\t%s\tcannot split the vector: %s", v.name, err.buf);
		goto out_opts;
	}
	errors = val_object_getstr(expect, "errors");
	jobs = val_object_getstr(expect, "jobs");
	source = ydoc_scalar_is(ydoc_map_get(opts.root, "include-source"), "true");
	reason = unsupported_reason(opts.root);
	if (reason) {
		strbuf_addf(verdict, "SKIP\t%s\t%s", v.name, reason);
		goto out_opts;
	}
	check_limits(&lim, opts.root);
	file_ids_nr = 0;
	lo.limits = &lim;
	vector_load_options(&lo, opts.root);
	wf_load_opts(&wf, v.wf_name.buf, v.docs[1], v.doc_len[1], &lo, &diags);
	file_id(wf.file);
	if (errors) {
		if (!diags.errors)
			strbuf_addf(verdict, "FAIL\t%s\taccepted; GitHub reports %zu error(s)", v.name,
				    errors->u.array->nr);
		else if (same_positions(*errors, &diags, 0, &unpositioned))
			strbuf_addf(verdict, "PASS-EXACT\t%s\t%zu error(s)", v.name, diags.nr);
		else if (same_positions(*errors, &diags, 1, &unpositioned))
			strbuf_addf(verdict, "PASS-LINES\t%s\tsame lines, other columns", v.name);
		else
			strbuf_addf(verdict, "FAIL\t%s\tother positions: ours start %d:%d %s", v.name,
				    diags.items[0].line, diags.items[0].col, diags.items[0].message);
		goto out_wf;
	}
	if (diags.errors) {
		strbuf_addf(verdict, "FAIL\t%s\trejected: %d:%d %s", v.name, diags.items[0].line,
			    diags.items[0].col, diags.items[0].message);
		goto out_wf;
	}
	if (!jobs || compare_jobs(&a, &wf, *jobs, source, &why))
		strbuf_addf(verdict, "FAIL\t%s\t%s", v.name, why.buf);
	else
		strbuf_addf(verdict, "PASS-EXACT\t%s\t%zu job(s) match", v.name, wf.jobs_nr);
out_wf:
	wf_release(&wf);
out_opts:
	ydoc_release(&opts);
out:
	diag_list_release(&diags);
	diag_list_release(&odiags);
	strbuf_release(&v.wf_name);
	strbuf_release(&text);
	strbuf_release(&why);
	strbuf_release(&err);
	arena_release(&a);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: reader_check VECTOR.yml...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		struct strbuf verdict = STRBUF_INIT;

		run_vector(argv[i], &verdict);
		puts(verdict.buf);
		strbuf_release(&verdict);
	}
	return 0;
}
