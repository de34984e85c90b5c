/*
 * cmd_eval: `slipway eval` — evaluates one ${{ }} expression for a user
 * debugging it (value printed, errors shown with a caret), or, with
 * --jsonl, a stream of requests in the protocol of GitHub's evaluator
 * wrapped by ../shared/oracle/eval.mjs, so that both can be compared line
 * by line. The language itself is parser/expr.h's.
 */
#include "parser/expr.h"
#include "runner/commands.h"
#include "runner/exitcode.h"
#include "util/diag.h"
#include "util/json_js.h"
#include "util/options.h"
#include "util/utf8.h"
#include "util/xalloc.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

static const char eval_usage[] =
	"slipway eval [--context FILE.json] [--status STATUS] [--raw] 'EXPR'\n"
	"   or: slipway eval --jsonl < requests.jsonl";

/* Contexts a workflow may name; --context adds to them. */
static const char *const eval_known_contexts[] = {
	"github", "env", "vars", "secrets", "inputs", "matrix", "strategy", "needs",
	"steps", "job", "jobs", "runner",
};

static const struct {
	const char *name;
	enum expr_job_status status;
} eval_statuses[] = {
	{ "success", EXPR_STATUS_SUCCESS },
	{ "failure", EXPR_STATUS_FAILURE },
	{ "cancelled", EXPR_STATUS_CANCELLED },
};

/* The names of obj's members plus extra ones, as a NULL-terminated list in a. */
static const char **eval_names(struct arena *a, struct val obj, const char *const *extra,
			       size_t nr_extra)
{
	size_t n = obj.kind == VAL_OBJECT ? obj.u.object->nr : 0;
	const char **names = arena_alloc(a, (n + nr_extra + 1) * sizeof(*names));

	for (size_t i = 0; i < nr_extra; i++)
		names[i] = extra[i];
	for (size_t i = 0; i < n; i++)
		names[nr_extra + i] = obj.u.object->members[i].key;
	names[n + nr_extra] = NULL;
	return names;
}

/*
 * Print the line of text that holds the error's column (UTF-16 units from
 * the start), with a caret under it in terminal columns.
 */
static void eval_print_caret(FILE *fp, const char *text, size_t len, const struct expr_error *err)
{
	const unsigned char *p = (const unsigned char *)text, *end = p + len, *line = p, *at;
	int units = 0, col = 1;

	if (err->pos <= 0)
		return;
	while (p < end && units < err->pos - 1) {
		uint32_t cp = utf8_decode(&p, end);
		int w = wcwidth((wchar_t)cp);

		units += cp >= 0x10000 ? 2 : 1;
		col += cp == '\t' ? 1 : w > 0 ? w : 0;
		if (cp == '\n') {
			line = p;
			col = 1;
		}
	}
	at = p;
	while (at < end && *at != '\n')
		at++;
	diag_print_caret(fp, (const char *)line, (size_t)(at - line), col,
			 err->len > 0 ? err->len : 1);
}

/* The job status named s, or -1. */
static int eval_parse_status(const char *s)
{
	for (size_t i = 0; i < sizeof(eval_statuses) / sizeof(eval_statuses[0]); i++)
		if (!strcmp(s, eval_statuses[i].name))
			return (int)eval_statuses[i].status;
	return -1;
}

/* Read a JSON object of contexts into *out (folded); -1 with a message printed. */
static int eval_load_contexts(struct val *out, struct arena *a, const char *path)
{
	struct strbuf text = STRBUF_INIT, err = STRBUF_INIT;
	int ret = -1;

	if (strbuf_read_file(&text, path, 256u << 20) < 0)
		fprintf(stderr, "slipway eval: cannot read '%s': %s\n", path, strerror(errno));
	else if (json_js_parse(out, a, text.buf, text.len, &err) < 0 || out->kind != VAL_OBJECT)
		fprintf(stderr, "slipway eval: '%s' is not a JSON object of contexts%s%s\n", path,
			err.len ? ": " : "", err.buf);
	else
		ret = 0;
	if (!ret)
		expr_fold_keys(*out);
	strbuf_release(&text);
	strbuf_release(&err);
	return ret;
}

static int eval_one(const char *text, const char *context_file, const char *status, int raw)
{
	struct arena a = ARENA_INIT;
	struct strbuf out = STRBUF_INIT;
	struct expr_error xerr;
	struct val result;
	struct expr *e;
	struct expr_names names = { NULL, EXPR_FN_STATUS | EXPR_FN_HASHFILES | EXPR_FN_CASE, NULL, 0 };
	struct expr_env env;
	char *cwd = getcwd(NULL, 0);
	int ret = EXITCODE_USAGE, st = status ? eval_parse_status(status) : EXPR_STATUS_SUCCESS;

	expr_error_init(&xerr);
	memset(&env, 0, sizeof(env));
	if (st < 0) {
		fprintf(stderr, "slipway eval: unknown status '%s' (success, failure or cancelled)\n",
			status);
		goto out;
	}
	env.status = (enum expr_job_status)st;
	env.contexts = val_new_object(&a);
	if (context_file && eval_load_contexts(&env.contexts, &a, context_file) < 0)
		goto out;
	names.contexts = eval_names(&a, env.contexts, eval_known_contexts,
				    sizeof(eval_known_contexts) / sizeof(eval_known_contexts[0]));
	env.workspace = cwd;
	env.arena = &a;
	if (expr_parse(&e, &a, text, strlen(text), &names, &xerr) < 0 ||
	    expr_eval(&result, e, &env, &xerr) < 0) {
		fprintf(stderr, "slipway eval: error: %s\n", xerr.message.buf);
		eval_print_caret(stderr, text, strlen(text), &xerr);
		ret = EXITCODE_FAILED;
		goto out;
	}
	if (raw)
		expr_coerce_string(&out, result);
	else
		json_js_write(&out, result, JSON_JS_PRETTY, 0);
	strbuf_addch(&out, '\n');
	fwrite(out.buf, 1, out.len, stdout);
	ret = EXITCODE_OK;
out:
	free(cwd);
	expr_error_release(&xerr);
	strbuf_release(&out);
	arena_release(&a);
	return ret;
}

static void eval_write_field(struct strbuf *sb, const char *key, const char *s, size_t len)
{
	strbuf_addf(sb, ",\"%s\":", key);
	json_js_write_string(sb, s, len);
}

static void eval_write_error(struct strbuf *sb, const struct expr_error *err, const char *expr,
			     size_t len)
{
	static const char *const stages[] = {
		[EXPR_LEXING] = "lexing",
		[EXPR_PARSING] = "parsing",
		[EXPR_EVALUATION] = "evaluation",
	};
	struct strbuf located = STRBUF_INIT;

	expr_error_format(&located, err, expr, len);
	strbuf_addf(sb, "\"ok\":false,\"stage\":\"%s\"", stages[err->stage]);
	/* GitHub's lexer puts the position into the message itself. */
	if (err->stage == EXPR_LEXING)
		eval_write_field(sb, "error", located.buf, located.len);
	else
		eval_write_field(sb, "error", err->message.buf, err->message.len);
	eval_write_field(sb, "error_located", located.buf, located.len);
	strbuf_release(&located);
}

static void eval_write_result(struct strbuf *sb, struct val v)
{
	struct strbuf coerced = STRBUF_INIT;

	strbuf_addf(sb, "\"ok\":true,\"kind\":\"%s\",\"value\":", val_kind_name(v.kind));
	json_js_write(sb, v, 0, 0);
	expr_coerce_string(&coerced, v);
	eval_write_field(sb, "coerced", coerced.buf, coerced.len);
	strbuf_release(&coerced);
	if (v.kind == VAL_NUMBER) {
		double d = v.u.number;
		const char *special = isnan(d) ? "NaN" : isinf(d) ? (d < 0 ? "-Infinity" : "Infinity") :
				      d == 0 && signbit(d) ? "-0" : NULL;

		if (special)
			strbuf_addf(sb, ",\"number\":\"%s\"", special);
	}
}

/* Answer one request line (appending the response line to sb). */
static void eval_request(struct strbuf *sb, struct arena *a, const char *line, size_t len)
{
	struct strbuf err = STRBUF_INIT;
	struct expr_error xerr;
	struct val req, *expr, *contexts, *functions, *id, result;
	struct expr_names names = { NULL, EXPR_FN_CASE, NULL, 0 };
	struct expr_env env;
	struct expr_fixed_fn *fixed = NULL;
	struct val empty = val_new_object(a);
	struct expr *e;

	strbuf_addch(sb, '{');
	if (json_js_parse(&req, a, line, len, &err) < 0) {
		struct strbuf msg = STRBUF_INIT;

		strbuf_addf(&msg, "bad JSON line: %s", err.buf);
		strbuf_addstr(sb, "\"ok\":false,\"stage\":\"input\"");
		eval_write_field(sb, "error", msg.buf, msg.len);
		strbuf_release(&msg);
		goto done;
	}
	id = req.kind == VAL_OBJECT ? val_object_getstr(req, "id") : NULL;
	if (id) {
		strbuf_addstr(sb, "\"id\":");
		json_js_write(sb, *id, 0, 0);
		strbuf_addch(sb, ',');
	}
	expr = req.kind == VAL_OBJECT ? val_object_getstr(req, "expr") : NULL;
	if (!expr || expr->kind != VAL_STRING) {
		strbuf_addstr(sb, "\"ok\":false,\"stage\":\"input\",\"error\":\"request must be an "
			      "object with a string field 'expr'\"");
		goto done;
	}
	contexts = val_object_getstr(req, "contexts");
	if (!contexts || contexts->kind != VAL_OBJECT)
		contexts = &empty;
	expr_fold_keys(*contexts);
	functions = val_object_getstr(req, "functions");
	if (functions && functions->kind == VAL_OBJECT && functions->u.object->nr) {
		fixed = arena_alloc(a, functions->u.object->nr * sizeof(*fixed));
		for (size_t i = 0; i < functions->u.object->nr; i++) {
			fixed[i].name = functions->u.object->members[i].key;
			fixed[i].value = functions->u.object->members[i].value;
			expr_fold_keys(fixed[i].value);
		}
		names.fixed = fixed;
		names.nr_fixed = functions->u.object->nr;
	}
	names.contexts = eval_names(a, *contexts, NULL, 0);
	memset(&env, 0, sizeof(env));
	env.contexts = *contexts;
	env.arena = a;
	expr_error_init(&xerr);
	if (expr_parse(&e, a, expr->u.string.ptr, expr->u.string.len, &names, &xerr) < 0 ||
	    expr_eval(&result, e, &env, &xerr) < 0)
		eval_write_error(sb, &xerr, expr->u.string.ptr, expr->u.string.len);
	else
		eval_write_result(sb, result);
	expr_error_release(&xerr);
done:
	strbuf_addstr(sb, "}\n");
	strbuf_release(&err);
}

/* A line that is empty or JavaScript white space only is skipped, as the oracle does. */
static int eval_blank(const char *s, size_t len)
{
	utf8_js_trim(&s, &len);
	return !len;
}

static int eval_jsonl(FILE *in)
{
	struct arena a = ARENA_INIT;
	struct arena_mark mark = arena_mark(&a);
	struct strbuf out = STRBUF_INIT;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	while ((n = getline(&line, &cap, in)) >= 0) {
		size_t len = (size_t)n;

		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			len--;
		if (eval_blank(line, len))
			continue;
		eval_request(&out, &a, line, len);
		arena_reset(&a, mark);
		if (out.len >= 1 << 16) {
			fwrite(out.buf, 1, out.len, stdout);
			strbuf_reset(&out);
		}
	}
	fwrite(out.buf, 1, out.len, stdout);
	free(line);
	strbuf_release(&out);
	arena_release(&a);
	return fflush(stdout) ? EXITCODE_FAILED : EXITCODE_OK;
}

int cmd_eval(int argc, const char **argv)
{
	const char *context_file = NULL, *status = NULL;
	int jsonl = 0, raw = 0, n;
	struct strbuf err = STRBUF_INIT;
	const struct option opts[] = {
		{ OPT_STRING, 'c', "context", &context_file, "FILE",
		  "JSON object of contexts (name -> value), added to the empty defaults" },
		{ OPT_STRING, 0, "status", &status, "STATUS",
		  "job status seen by success()/failure()/cancelled() (default success)" },
		{ OPT_FLAG, 'r', "raw", &raw, NULL,
		  "print the value as string interpolation shows it, not as JSON" },
		{ OPT_FLAG, 0, "jsonl", &jsonl, NULL,
		  "answer JSON requests on stdin, one per line ({\"expr\", \"contexts\", "
		  "\"functions\", \"id\"}), as ../shared/oracle/eval.mjs does" },
		{ OPT_END, 0, NULL, NULL, NULL, NULL },
	};

	n = options_parse(argc, argv, opts, &err);
	if (n == OPTIONS_HELP) {
		options_usage(stdout, eval_usage, opts);
		return EXITCODE_OK;
	}
	if (n < 0 || (jsonl && n != 0) || (!jsonl && n != 1) ||
	    (jsonl && (context_file || status || raw))) {
		fprintf(stderr, "slipway eval: %s\n",
			n < 0 ? err.buf : jsonl ? "--jsonl takes no expression or other options" :
			"expects one expression");
		options_usage(stderr, eval_usage, opts);
		strbuf_release(&err);
		return EXITCODE_USAGE;
	}
	strbuf_release(&err);
	if (jsonl)
		return eval_jsonl(stdin);
	return eval_one(argv[0], context_file, status, raw);
}
