/*
 * reader_check: replays GitHub's workflow-parser reader vectors
 * (languageservices/workflow-parser/reader/ files) through wf_load and
 * prints one verdict line per file:
 *   PASS-EXACT|PASS-LINES|FAIL|SKIP <TAB> file <TAB> detail
 * Errors pass on the same (line, col) set (EXACT) or the same lines
 * (LINES: our wording and some columns differ from GitHub's); successes on
 * the same job ids, needs, runs-on, step count, step ids, run and uses.
 * It does not compare `if:` (normalising it needs the expression engine).
 */
#include "parser/schema.h"
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
	{ "max-job-limit", "job count limits are not implemented" },
	{ "max-nested-reusable-workflows-depth", "needs reusable-workflow loading" },
	{ "permissions-policy", "needs reusable-workflow permission checks" },
	{ "skip-reusable-workflows", "needs reusable-workflow loading" },
	{ "is-partial-rerun", "partial re-runs are not modelled" },
	{ "experimental-features", "experimental features are not supported" },
};

/* Phrases of expected errors that come from the expression engine. */
static const char *const expression_phrases[] = {
	"Located at position", "Located within expression", "Unrecognized named-value",
	"Unrecognized function", "Unexpected symbol", "Unexpected end of expression",
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

static void token_pos(struct arena *a, struct val t, const struct ydoc_node *n, int source)
{
	if (!source)
		return;
	val_object_setstr(a, t, "file", val_number(1));
	val_object_setstr(a, t, "line", val_number(n->line));
	val_object_setstr(a, t, "col", val_number(n->col));
}

/* Trimmed text of an expression between ${{ and }}. */
static struct val expr_text(struct arena *a, const char *s, const char *e)
{
	while (s < e && strchr(" \t\r\n", *s))
		s++;
	while (e > s && strchr(" \t\r\n", e[-1]))
		e--;
	return val_string(a, s, (size_t)(e - s));
}

/* GitHub's token for a string holding ${{ }}: one expression, or format(). */
static struct val expression_token(struct arena *a, const struct ydoc_node *n, int source)
{
	const char *s = n->u.scalar.ptr, *p = s;
	struct strbuf fmt = STRBUF_INIT, args = STRBUF_INIT;
	struct val t = val_new_object(a), only = val_null();
	int segments = 0, exprs = 0;

	val_object_setstr(a, t, "type", val_number(3));
	token_pos(a, t, n, source);
	while (*p) {
		const char *open = strstr(p, "${{"), *q, *close = NULL;
		int in_string = 0;

		if (!open)
			open = p + strlen(p);
		for (q = p; q < open; q++) {
			if (*q == '\'')
				strbuf_addstr(&fmt, "''");
			else if (*q == '{' || *q == '}')
				strbuf_addf(&fmt, "%c%c", *q, *q);
			else
				strbuf_addch(&fmt, *q);
		}
		if (open > p)
			segments++;
		if (!*open)
			break;
		for (q = open + 3; *q; q++) {
			if (*q == '\'')
				in_string = !in_string;
			else if (!in_string && *q == '}' && q[-1] == '}' && q - 1 > open + 2) {
				close = q - 1;
				break;
			}
		}
		only = expr_text(a, open + 3, close);
		strbuf_addf(&fmt, "{%d}", exprs++);
		strbuf_addf(&args, ", %s", only.u.string.ptr);
		segments++;
		p = close + 2;
	}
	if (segments == 1 && exprs == 1) {
		val_object_setstr(a, t, "expr", only);
	} else {
		struct strbuf e = STRBUF_INIT;

		strbuf_addf(&e, "format('%s'%s)", fmt.buf, args.buf);
		val_object_setstr(a, t, "expr", val_string(a, e.buf, e.len));
		strbuf_release(&e);
	}
	strbuf_release(&fmt);
	strbuf_release(&args);
	return t;
}

/* "x" for a value that is only ${{ 'x' }} (GitHub's escape), else NULL. */
static const char *quoted_literal(struct arena *a, const char *s)
{
	struct strbuf out = STRBUF_INIT;
	const char *e = s + strlen(s), *p;
	const char *result = NULL;

	if (strncmp(s, "${{", 3) || e - s < 5 || strcmp(e - 2, "}}"))
		return NULL;
	for (p = s + 3; *p == ' '; p++)
		;
	for (e -= 2; e > p && e[-1] == ' '; e--)
		;
	if (*p != '\'' || e - p < 2 || e[-1] != '\'')
		return NULL;
	for (p++, e--; p < e; p++) {
		if (*p == '\'' && (p + 1 >= e || p[1] != '\''))
			goto out;
		strbuf_addch(&out, *p);
		if (*p == '\'')
			p++;
	}
	result = arena_strdup(a, out.buf);
out:
	strbuf_release(&out);
	return result;
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
	const char *lit = quoted_literal(a, n->u.scalar.ptr);

	if (lit)
		v = val_cstring(a, lit);
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
	return 0;
}

static int compare_job(struct arena *a, const struct wf_job *job, struct val want, int source,
		       struct strbuf *why)
{
	struct val *id = val_object_getstr(want, "id"), *needs = val_object_getstr(want, "needs");
	struct val *runs_on = val_object_getstr(want, "runs-on");
	struct val *steps = val_object_getstr(want, "steps");
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
	if (nsteps != job->steps_nr) {
		strbuf_addf(why, "job '%s': %zu steps, want %zu", job->id, job->steps_nr, nsteps);
		return -1;
	}
	for (size_t i = 0; i < nsteps; i++)
		if (compare_step(a, &job->steps[i], steps->u.array->items[i], source, why))
			return -1;
	return 0;
}

/* ---------------------------------------------------------------- errors */

struct expected_error {
	int line, col;      /* 0 when the message has no position */
	const char *text;
};

/* Parse ".github/workflows/x.yml (Line: L, Col: C): text"; 0 when it names another file. */
static int parse_expected(struct expected_error *e, const char *msg, const char *wf_name)
{
	size_t n = strlen(wf_name);

	memset(e, 0, sizeof(*e));
	if (strncmp(msg, wf_name, n))
		return 0;
	if (sscanf(msg + n, " (Line: %d, Col: %d):", &e->line, &e->col) == 2)
		e->text = strstr(msg + n, "): ") + 3;
	else
		e->text = msg + n + (msg[n] == ':' ? 2 : 0);
	return 1;
}

static int cmp_pos(const void *a, const void *b)
{
	const int *x = a, *y = b;

	return x[0] != y[0] ? (x[0] > y[0]) - (x[0] < y[0]) : (x[1] > y[1]) - (x[1] < y[1]);
}

/* Sorted unique (line, col) pairs, col 0 when lines_only; returns the count. */
static size_t unique_positions(int (*pos)[2], size_t nr, int lines_only)
{
	size_t k = 0;

	for (size_t i = 0; i < nr; i++)
		if (lines_only)
			pos[i][1] = 0;
	qsort(pos, nr, sizeof(*pos), cmp_pos);
	for (size_t i = 0; i < nr; i++)
		if (!k || cmp_pos(pos[k - 1], pos[i]))
			memcpy(pos[k++], pos[i], sizeof(*pos));
	return k;
}

static int same_positions(struct val errors, const struct diag_list *diags, const char *wf_name,
			  int lines_only, int *unpositioned)
{
	size_t nw = errors.u.array->nr, ng = diags->nr, kw = 0, kg;
	int (*want)[2] = xcalloc(nw + 1, sizeof(*want));
	int (*got)[2] = xcalloc(ng + 1, sizeof(*got));
	int same;

	*unpositioned = 0;
	for (size_t i = 0; i < nw; i++) {
		struct val *m = val_object_getstr(errors.u.array->items[i], "Message");
		struct expected_error e;

		if (!m || !parse_expected(&e, m->u.string.ptr, wf_name) || !e.line) {
			*unpositioned = 1;
			continue;
		}
		want[kw][0] = e.line;
		want[kw++][1] = e.col;
	}
	for (size_t i = 0; i < ng; i++) {
		got[i][0] = diags->items[i].line;
		got[i][1] = diags->items[i].col;
	}
	kw = unique_positions(want, kw, lines_only);
	kg = unique_positions(got, ng, lines_only);
	if (*unpositioned) {
		/* Positionless expected errors: ours must include every positioned one. */
		size_t j = 0;

		for (size_t i = 0; i < kg && j < kw; i++)
			if (!cmp_pos(got[i], want[j]))
				j++;
		same = j == kw && ng > 0;
	} else {
		same = kw == kg && !memcmp(want, got, kw * sizeof(*want));
	}
	free(want);
	free(got);
	return same;
}

/* ---------------------------------------------------------------- one vector */

static const char *unsupported_reason(const struct ydoc_node *opts)
{
	for (size_t i = 0; i < sizeof(unsupported_options) / sizeof(unsupported_options[0]); i++)
		if (ydoc_map_get(opts, unsupported_options[i].option))
			return unsupported_options[i].reason;
	return NULL;
}

static const char *expression_reason(struct val errors)
{
	for (size_t i = 0; i < errors.u.array->nr; i++) {
		struct val *m = val_object_getstr(errors.u.array->items[i], "Message");

		for (size_t k = 0; m && k < sizeof(expression_phrases) / sizeof(*expression_phrases); k++)
			if (strstr(m->u.string.ptr, expression_phrases[k]))
				return "needs expression engine";
	}
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
	if (strstr(v.name, "reusable") || v.ndocs > 3)
		reason = "needs reusable-workflow loading";
	else if (!(reason = unsupported_reason(opts.root)) && errors)
		reason = expression_reason(*errors);
	if (reason) {
		strbuf_addf(verdict, "SKIP\t%s\t%s", v.name, reason);
		goto out_opts;
	}
	check_limits(&lim, opts.root);
	wf_load_limits(&wf, v.wf_name.buf, v.docs[1], v.doc_len[1], &lim, &diags);
	if (errors) {
		if (!diags.errors)
			strbuf_addf(verdict, "FAIL\t%s\taccepted; GitHub reports %zu error(s)", v.name,
				    errors->u.array->nr);
		else if (same_positions(*errors, &diags, v.wf_name.buf, 0, &unpositioned))
			strbuf_addf(verdict, "PASS-EXACT\t%s\t%zu error(s)", v.name, diags.nr);
		else if (same_positions(*errors, &diags, v.wf_name.buf, 1, &unpositioned))
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
	if (!jobs || jobs->kind != VAL_ARRAY || jobs->u.array->nr != wf.jobs_nr) {
		strbuf_addf(verdict, "FAIL\t%s\t%zu jobs, want %zu", v.name, wf.jobs_nr,
			    jobs && jobs->kind == VAL_ARRAY ? jobs->u.array->nr : 0);
		goto out_wf;
	}
	for (size_t i = 0; i < wf.jobs_nr && !why.len; i++)
		compare_job(&a, &wf.jobs[i], jobs->u.array->items[i], source, &why);
	if (why.len)
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
