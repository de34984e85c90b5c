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

/*
 * A parsed expression (arena-allocated, reusable). Immutable but for
 * lookup caches that evaluation updates: one evaluation of a given
 * expression at a time (no two threads evaluating it at once).
 */
struct expr;

enum expr_stage {
	EXPR_LEXING,
	EXPR_PARSING,
	EXPR_EVALUATION,
};

/*
 * What went wrong. message is GitHub's wording without position, e.g.
 * "Unexpected end of expression: '<'"; pos is the 1-based column in the
 * expression text (0 when the error has no position). Columns count
 * UTF-16 units from the start of the text, newlines included, as GitHub
 * reports them. Evaluation errors carry the position of the failing
 * operation for a caret, but GitHub formats them without it.
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
 * "<message>. Located within expression: <text>" (evaluation errors).
 */
void expr_error_format(struct strbuf *out, const struct expr_error *err,
		       const char *text, size_t len);
/*
 * The byte offset in text (the len bytes the error came from) where
 * err->pos points (err->pos counts UTF-16 units); 0 when it has no position.
 */
size_t expr_error_offset(const struct expr_error *err, const char *text, size_t len);

/* Extra functions a location allows (GitHub allows them only in some places). */
enum expr_fn_flags {
	EXPR_FN_STATUS = 1 << 0,    /* success() failure() always() cancelled() */
	EXPR_FN_HASHFILES = 1 << 1, /* hashFiles(...) */
	EXPR_FN_CASE = 1 << 2,      /* case(...) — enabled wherever GitHub enables it */
	/*
	 * success(...) and failure(...) naming jobs, as jobs.<id>.if allows
	 * (the status they read is still expr_env's, which the caller
	 * computes over the jobs); always() and cancelled() come with
	 * EXPR_FN_STATUS.
	 */
	EXPR_FN_JOB_STATUS = 1 << 3,
};

/*
 * A function that evaluates its arguments, ignores them and returns value
 * (any number of arguments): how the oracle (../shared/oracle/eval.mjs)
 * defines the functions a request names. Outside the built-in table.
 */
struct expr_fixed_fn {
	const char *name;           /* case-insensitive */
	struct val value;
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
	/*
	 * Extra fixed functions (nr_fixed of them; may be NULL). A call copies
	 * the entry's value handle at parse time, so what the value points to
	 * must outlive the parsed expression. Where a name is also built in,
	 * the parse checks the built-in's argument count and evaluation calls
	 * the fixed one, as the oracle does; of entries whose names differ
	 * only in case the last counts.
	 */
	const struct expr_fixed_fn *fixed;
	size_t nr_fixed;
};

/* GitHub's limits: expression length (UTF-16 units), parser depth, result memory. */
#define EXPR_MAX_LENGTH 21000
#define EXPR_MAX_DEPTH 50
/*
 * Bytes of results an evaluation may hold at once, counted as GitHub's
 * evaluator counts them (26 + 2 per character of each live string).
 * Exceeding it is the evaluation error "The maximum allowed memory size
 * was exceeded ...".
 */
#define EXPR_MAX_MEMORY (1024 * 1024)

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

/* A name as written in an expression (not NUL-terminated). */
struct expr_name {
	const char *ptr;
	size_t len;
};

#define EXPR_PATH_NAMES 4

/*
 * Call fn for each context an expression reads, with the literal property
 * names that follow it: needs.build.outputs['x'] gives needs, build,
 * outputs, x (at most EXPR_PATH_NAMES names, fewer when an index is not a
 * literal); the paths inside a computed index come before the path it
 * indexes. off is the context's byte offset in the expression's text.
 * The names point into the parsed expression. For static checks.
 */
void expr_each_path(const struct expr *e,
		    void (*fn)(void *data, const struct expr_name *names, unsigned nr, size_t off),
		    void *data);

enum expr_job_status {
	EXPR_STATUS_SUCCESS,
	EXPR_STATUS_FAILURE,
	EXPR_STATUS_CANCELLED,
};

/* What an evaluation sees. */
struct expr_env {
	/*
	 * object: context name -> value. As in GitHub's dictionaries, no
	 * object in it may hold two keys that differ only in case (names are
	 * case-insensitive); expr_fold_keys() makes it so for data from JSON.
	 */
	struct val contexts;
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

/*
 * Drop, in place and recursively, object members whose key equals an
 * earlier key of the same object under toLowerCase(): GitHub's
 * dictionaries are case-insensitive and keep the first. Call it once on
 * contexts read from JSON; fromJSON() results get it already.
 */
void expr_fold_keys(struct val v);

/* GitHub's truthiness: false, 0, -0, NaN, "" and null are false. */
int expr_truthy(struct val v);

/*
 * Append v as it appears when interpolated into a string: null -> "",
 * booleans "true"/"false", numbers as GitHub prints them (at most 15
 * decimals: 0.1 + 0.2 prints 0.3, 1e21 prints 1e+21), strings as they
 * are, "Array" / "Object" for containers.
 */
void expr_coerce_string(struct strbuf *out, struct val v);

#endif
