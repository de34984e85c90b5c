/*
 * expr_int: what the expression modules share and nobody else sees — the
 * tokens, the AST, the state of one evaluation, the function table and
 * the coercions. The public contract is parser/expr.h.
 */
#ifndef PARSER_EXPR_INT_H
#define PARSER_EXPR_INT_H

#include <stdarg.h>
#include <stddef.h>

#include "parser/expr.h"

#define EXPR_MAX_ARGS 255

enum expr_tok {
	EXPR_T_LPAREN,
	EXPR_T_RPAREN,
	EXPR_T_LBRACKET,
	EXPR_T_RBRACKET,
	EXPR_T_COMMA,
	EXPR_T_DOT,
	EXPR_T_BANG,
	EXPR_T_NE,
	EXPR_T_EQ,
	EXPR_T_GT,
	EXPR_T_GE,
	EXPR_T_LT,
	EXPR_T_LE,
	EXPR_T_AND,
	EXPR_T_OR,
	EXPR_T_STAR,
	EXPR_T_NUMBER,
	EXPR_T_STRING,
	EXPR_T_IDENT,
	EXPR_T_TRUE,
	EXPR_T_FALSE,
	EXPR_T_NULL,
	EXPR_T_EOF,
};

struct expr_token {
	enum expr_tok type;
	size_t off, len;        /* the lexeme: bytes of the text */
	int col;                /* 1-based UTF-16 column of off */
	int width;              /* UTF-16 units of the lexeme (>= 1) */
	double number;          /* EXPR_T_NUMBER */
	const char *str;        /* EXPR_T_STRING: the value (arena) */
	size_t str_len;
};

/*
 * Split text into tokens (arena array ending with EXPR_T_EOF). Returns
 * 0, or -1 with err filled (stage EXPR_LEXING).
 */
int expr_lex(struct expr_token **out, size_t *nr, struct arena *a, const char *text,
	     size_t len, struct expr_error *err);

enum expr_node_kind {
	EXPR_N_LITERAL,
	EXPR_N_CONTEXT,
	EXPR_N_INDEX,           /* obj[index], obj.name; index NULL for '*' */
	EXPR_N_PATH,            /* context.name['name']...: only literal names, walked in a loop */
	EXPR_N_NOT,
	EXPR_N_AND,             /* args[0] && args[1] && ... */
	EXPR_N_OR,
	EXPR_N_COMPARE,         /* args[0] ops[0] args[1] ops[1] ... left to right */
	EXPR_N_CALL,
};

struct expr_func;

/*
 * Where a fixed name was last found: a member index, tried first on the
 * next lookup. Contexts hold no keys that differ only in case (see
 * expr_env), so a member there whose key matches is the one a scan would
 * find, in any object: objects of one shape (the items of an array, the
 * same context in another run) hit. The only part of a parsed expression
 * that evaluation writes.
 */
struct expr_lookup_cache {
	size_t index;
};

/* One name of a path, with its own lookup cache. */
struct expr_path_step {
	const char *name;       /* ASCII */
	size_t len;
	struct expr_lookup_cache cache;
};

struct expr_node {
	enum expr_node_kind kind;
	int col, width;         /* what a caret points at (operator, name, token) */
	size_t off, len;        /* the node's source text, in bytes */
	union {
		struct val literal;
		struct {
			const char *name;       /* an identifier: ASCII */
			size_t len;
			struct expr_lookup_cache *cache;
		} context;
		struct {
			struct expr_node *obj, *index;
			/* index is an ASCII string literal: the lookup cache for it, else NULL */
			struct expr_lookup_cache *cache;
		} index;
		struct {
			struct expr_node *context;      /* an EXPR_N_CONTEXT node */
			struct expr_path_step *steps;
			unsigned nr;
		} path;
		struct expr_node *operand;
		struct {
			struct expr_node **args;
			const enum expr_tok *ops;
			unsigned nr;
		} list;
		struct {
			const struct expr_func *fn;     /* NULL: a fixed function */
			struct val fixed;
			struct expr_node **args;
			unsigned nr;
		} call;
	} u;
};

struct expr {
	struct expr_node *root; /* NULL for an empty expression */
	const char *text;       /* arena copy of the source */
	size_t len;
	int calls_status;
};

/* One evaluation in progress. */
struct expr_run {
	const struct expr *e;
	const struct expr_env *env;
	struct expr_error *err;
	size_t mem;             /* bytes of live results, as GitHub counts them */
};

/* A value, and whether it is a filtered array (made by '*'), which indexes element-wise. */
struct expr_ev {
	struct val v;
	int filtered;
};

struct expr_func {
	const char *name;
	unsigned min_args, max_args;
	unsigned needs;         /* enum expr_fn_flags a location must allow; 0: always there */
	int (*call)(struct expr_run *r, const struct expr_node *n, struct expr_ev *args,
		    unsigned nr, struct expr_ev *out);
	int param;              /* for implementations shared by several entries */
};

/* hashFiles() (expr_hashfiles.c), listed in the table of expr_funcs.c. */
int expr_func_hashfiles(struct expr_run *r, const struct expr_node *n, struct expr_ev *args,
			unsigned nr, struct expr_ev *out);

/* The built-in function called name (case-insensitive) that flags allow, or NULL. */
const struct expr_func *expr_func_find(const char *name, size_t len, unsigned flags);

/* Evaluate n (expr_eval.c); the functions evaluate nothing themselves. */
int expr_eval_node(struct expr_run *r, const struct expr_node *n, struct expr_ev *out);

/* Fail the evaluation at node n with a message; returns -1. */
int expr_run_fail(struct expr_run *r, const struct expr_node *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * A string under construction in the evaluation's arena, charged against
 * the memory limit as it grows.
 */
struct expr_sbuf {
	struct expr_run *r;
	const struct expr_node *n;
	char *buf;
	size_t len, cap;
};

void expr_sbuf_init(struct expr_sbuf *b, struct expr_run *r, const struct expr_node *n);
/* Returns 0, or -1 (memory error raised) when the string would exceed the limit. */
int expr_sbuf_add(struct expr_sbuf *b, const char *s, size_t len);
struct val expr_sbuf_value(struct expr_sbuf *b);
/* 0, or -1 with the memory error when a string of len bytes would not fit. */
int expr_run_check_size(struct expr_run *r, const struct expr_node *n, size_t len);

/* Value constructors the evaluator inlines (util/value's are out of line). */
static inline struct val expr_val_bool(int b)
{
	struct val v;

	v.kind = VAL_BOOL;
	v.u.boolean = !!b;
	return v;
}

static inline struct val expr_val_null(void)
{
	struct val v;

	v.kind = VAL_NULL;
	v.u.number = 0;
	return v;
}

/* Null, booleans, numbers and strings (GitHub's "primitive" values). */
static inline int expr_is_primitive(struct val v)
{
	return v.kind != VAL_ARRAY && v.kind != VAL_OBJECT;
}

/* Coercions and comparisons (expr_coerce.c). */
/* JavaScript's Number(s). */
double expr_string_to_number(const char *s, size_t len);
double expr_to_number(struct val v);
/* A number as GitHub prints it into strings; buf holds VAL_NUMBER_MAX bytes. */
size_t expr_number_to_string(char *buf, double n);
/* v as a string without allocating: points into v, a constant or buf (VAL_NUMBER_MAX). */
const char *expr_coerce_chars(struct val v, char *buf, size_t *len);
int expr_equals(struct val a, struct val b);
int expr_greater(struct val a, struct val b);
int expr_less(struct val a, struct val b);
/* Case-insensitive member lookup as GitHub's dictionaries do it (toLowerCase). */
struct val *expr_object_get(struct val obj, const char *key, size_t len);
/* The same for a key known to be ASCII, remembering where it was found in cache (may be NULL). */
struct val *expr_object_get_ascii(struct val obj, const char *key, size_t len,
				  struct expr_lookup_cache *cache);

#endif
