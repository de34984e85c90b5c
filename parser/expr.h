/*
 * expr: the ${{ }} expression language — lexing, parsing to an AST and
 * evaluation with GitHub's exact semantics (coercions, comparisons,
 * functions). Values are util/value's struct val. It evaluates against
 * contexts and a job status handed in by the caller; it reads no files
 * except under the caller's workspace for hashFiles().
 */
#ifndef PARSER_EXPR_H
#define PARSER_EXPR_H

#include <stddef.h>

#include "util/arena.h"
#include "util/strbuf.h"
#include "util/value.h"

/* A parsed expression (arena-allocated, immutable, reusable). */
struct expr;

enum expr_stage {
	EXPR_LEXING,
	EXPR_PARSING,
	EXPR_EVALUATION,
};

/*
 * What went wrong. message is GitHub's wording without position, e.g.
 * "Unexpected end of expression: '<'"; pos is the 1-based column in the
 * expression text (0 when the error has no position).
 */
struct expr_error {
	enum expr_stage stage;
	int pos;
	int len;                /* width of the fault in columns, for a caret (>= 1) */
	struct strbuf message;
};

void expr_error_init(struct expr_error *err);
void expr_error_release(struct expr_error *err);
/*
 * Append the error as GitHub's test data formats it:
 * "<message>. Located at position <pos> within expression: <text>" or
 * "<message>. Located within expression: <text>".
 */
void expr_error_format(struct strbuf *out, const struct expr_error *err,
		       const char *text, size_t len);

/* Extra functions a location allows (GitHub allows them only in some places). */
enum expr_fn_flags {
	EXPR_FN_STATUS = 1 << 0,    /* success() failure() always() cancelled() */
	EXPR_FN_HASHFILES = 1 << 1, /* hashFiles(...) */
	EXPR_FN_CASE = 1 << 2,      /* case(...) — enabled wherever GitHub enables it */
};

/* The names a parse accepts. */
struct expr_names {
	/*
	 * NULL-terminated list of context names (case-insensitive); any other
	 * named value is the parse error "Unrecognized named-value: 'x'".
	 * NULL accepts every name.
	 */
	const char *const *contexts;
	unsigned functions;         /* enum expr_fn_flags */
};

/*
 * Parse len bytes of expression text (without ${{ }}). On success *out is
 * allocated in a and 0 is returned; otherwise -1 with err filled (stage
 * EXPR_LEXING or EXPR_PARSING). Bounded: too long or too deeply nested
 * input is an error, never a stack overflow.
 */
int expr_parse(struct expr **out, struct arena *a, const char *text, size_t len,
	       const struct expr_names *names, struct expr_error *err);

/* True when the expression calls one of the status functions (for if: rewriting). */
int expr_calls_status(const struct expr *e);

enum expr_job_status {
	EXPR_STATUS_SUCCESS,
	EXPR_STATUS_FAILURE,
	EXPR_STATUS_CANCELLED,
};

/* What an evaluation sees. */
struct expr_env {
	struct val contexts;            /* object: context name -> value */
	enum expr_job_status status;    /* read by success()/failure()/cancelled() */
	const char *workspace;          /* root for hashFiles(); NULL: hashFiles is an error */
	struct arena *arena;            /* where results are allocated */
};

/*
 * Evaluate e. The result (and anything it points to) lives in env->arena
 * or in the contexts. Returns 0, or -1 with err filled (EXPR_EVALUATION).
 */
int expr_eval(struct val *out, const struct expr *e, const struct expr_env *env,
	      struct expr_error *err);

/* GitHub's truthiness: false, 0, -0, NaN, "" and null are false. */
int expr_truthy(struct val v);

/*
 * Append v as it appears when interpolated into a string: null -> "",
 * booleans "true"/"false", numbers as GitHub prints them, strings as
 * they are, "Array" / "Object" for containers.
 */
void expr_coerce_string(struct strbuf *out, struct val v);

#endif
