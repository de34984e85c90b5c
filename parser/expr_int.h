/*
 * expr_int: what the expression modules share and nobody else sees — the
 * tokens, the AST, the state of one evaluation, the function table and
 * the coercions. The public contract is parser/expr.h.
 */
#ifndef PARSER_EXPR_INT_H
#define PARSER_EXPR_INT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "parser/expr.h"
#include "util/bytecopy.h"
#include "util/utf8.h"

#define EXPR_MAX_ARGS 255

/*
 * Small pieces of the evaluator's inner paths, forced inline: where GCC
 * leaves them out of line (they have several callers), the calls cost
 * more than the pieces.
 */
#define EXPR_INLINE static inline __attribute__((always_inline))

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
struct expr_run;
struct expr_node;

/*
 * A result: where its value is — in the contexts, in the parsed
 * expression, in a constant or in a slot the caller lent — and whether
 * it is a filtered array (made by '*'), which indexes element-wise.
 * Results travel as pointers: values are not copied from node to node.
 */
struct expr_ref {
	const struct val *v;    /* NULL: the evaluation failed (the error is set) */
	int filtered;
};

/*
 * How a node evaluates: chosen when the parse is compiled
 * (expr_eval_compile), a function per shape instead of one switch. A
 * value it computes goes to *slot, which the caller owns.
 */
typedef struct expr_ref expr_eval_fn(struct expr_run *r, const struct expr_node *n,
				     struct val *slot);
/* A function's implementation: its arguments come evaluated; a computed result goes to *slot. */
typedef struct expr_ref expr_call_fn(struct expr_run *r, const struct expr_node *n,
				     const struct expr_ref *args, unsigned nr, struct val *slot);

/*
 * A member name fixed in the text (context.name, ['name']) and where it
 * was last found: a member index, tried first on the next lookup.
 * Contexts hold no keys that differ only in case (see expr_env), so a
 * member there whose key matches is the one a scan would find, in any
 * object: objects of one shape (the items of an array, the same context
 * in another run) hit. The only part of a parsed expression that
 * evaluation writes.
 */
struct expr_key {
	const char *name;       /* ASCII; interned when it could be (util/intern.h) */
	uint32_t len;           /* names are within EXPR_MAX_LENGTH */
	uint32_t index;
	/*
	 * The members array the index was last found in. When the object
	 * looked in still has it, the member's address comes from here, not
	 * from the object: the steps of a path then do not wait on each
	 * other's loads (the object's array is still compared, and the key).
	 */
	const struct val_member *members;
};


/* Where a node is in the source: read only for errors, so kept out of the node. */
struct expr_pos {
	int col, width;         /* what a caret points at (operator, name, token) */
	uint32_t off, len;      /* the node's source text, in bytes (within EXPR_MAX_LENGTH) */
};

/* Kept small (48 bytes): the nodes of many expressions are evaluated over and over from cache. */
struct expr_node {
	enum expr_node_kind kind;
	/* a path's names after the context, a list's operands, a call's arguments */
	unsigned nr;
	const struct expr_pos *pos;
	expr_eval_fn *eval;     /* set by expr_eval_compile */
	union {
		struct val literal;
		struct {
			struct expr_key *key;
		} context;
		struct {
			struct expr_node *obj, *index;
			/* index is an ASCII string literal: its name and lookup cache, else NULL */
			struct expr_key *key;
		} index;
		struct {
			/* the context's name, then the nr names after it, nearby in one array */
			struct expr_key *keys;
			/*
			 * The nodes the names stand for (the parse's EXPR_N_CONTEXT one,
			 * then obj.name ones, whose index is the name's literal): where
			 * errors of those accesses point. Apart from the keys: only
			 * errors read them.
			 */
			const struct expr_node *const *at;
			size_t max_name_len;            /* of the nr names */
		} path;
		struct expr_node *operand;
		struct {
			struct expr_node **args;
			const enum expr_tok *ops;
		} list;
		struct {
			struct expr_node **args;
			/*
			 * The implementation: a fixed function's from the parse, a
			 * built-in's (or a faster one its prepare chose) from
			 * expr_eval_compile; NULL until then.
			 */
			expr_call_fn *call;
			union {
				const struct expr_func *fn;     /* a built-in: which (its param) */
				const struct val *fixed;        /* a fixed function's value */
				const void *prepared;           /* what fn's prepare made */
			} data;
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

struct expr_func {
	const char *name;
	unsigned min_args, max_args;
	unsigned needs;         /* enum expr_fn_flags a location must allow; 0: always there */
	expr_call_fn *call;
	int param;              /* for implementations shared by several entries */
	/*
	 * Optional, at compile time: work out what the call's literal
	 * arguments allow ahead (n->u.call.data.prepared, allocated in a) and
	 * possibly pick a faster n->u.call.call with the same results.
	 */
	void (*prepare)(struct arena *a, struct expr_node *n);
};

/* hashFiles() (expr_hashfiles.c), listed in the table of expr_funcs.c. */
expr_call_fn expr_func_hashfiles;

/* A fixed function's implementation (struct expr_fixed_fn): its value (expr_eval.c). */
expr_call_fn expr_call_fixed;

/* The built-in function called name (case-insensitive) that flags allow, or NULL. */
const struct expr_func *expr_func_find(const char *name, size_t len, unsigned flags);

/*
 * A copy of the tree under root laid out for evaluation in one block of
 * a (expr_layout.c): each node followed by what it reads, then its
 * children. The parser's step before expr_eval_compile.
 */
struct expr_node *expr_layout(struct arena *a, const struct expr_node *root);

/*
 * Choose how each node of the tree under n evaluates, and let calls
 * prepare (expr_eval.c); the parser's last step. Allocates in a.
 */
void expr_eval_compile(struct arena *a, struct expr_node *n);

/*
 * Fail the evaluation at node n with a message; returns -1. Cold: the
 * compiler moves the paths to it out of the way of the ones evaluation takes.
 */
int expr_run_fail(struct expr_run *r, const struct expr_node *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), cold));

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
/* The string built so far, as *slot. */
struct expr_ref expr_sbuf_finish(struct expr_sbuf *b, struct val *slot);
/* 0, or -1 with the memory error when a string of len bytes would not fit. */
int expr_run_check_size(struct expr_run *r, const struct expr_node *n, size_t len);

/* The constant results (expr_eval.c). */
extern const struct val expr_null_value;
extern const struct val expr_bool_values[2];

static inline struct expr_ref expr_ref_to(const struct val *v)
{
	struct expr_ref ref = { v, 0 };

	return ref;
}

static inline struct expr_ref expr_ref_bool(int b)
{
	return expr_ref_to(&expr_bool_values[!!b]);
}

static inline struct expr_ref expr_ref_null(void)
{
	return expr_ref_to(&expr_null_value);
}

static inline struct expr_ref expr_ref_failed(void)
{
	return expr_ref_to(NULL);
}

/* *slot set to the string s (not copied), as a result. */
static inline struct expr_ref expr_ref_string(struct val *slot, const char *s, size_t len)
{
	slot->kind = VAL_STRING;
	slot->u.string.ptr = s;
	slot->u.string.len = len;
	return expr_ref_to(slot);
}

/* GitHub's truthiness (expr_truthy), inline for the evaluator. */
static inline int expr_is_truthy(const struct val *v)
{
	switch (v->kind) {
	case VAL_NULL:
		return 0;
	case VAL_BOOL:
		return v->u.boolean;
	case VAL_NUMBER:
		return v->u.number != 0 && v->u.number == v->u.number;
	case VAL_STRING:
		return v->u.string.len != 0;
	default:
		return 1;
	}
}

static inline unsigned expr_ascii_upper(unsigned c)
{
	return c >= 'a' && c <= 'z' ? c - 32 : c;
}

static inline unsigned expr_ascii_lower(unsigned c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* The eight bytes in v with ASCII capitals made small letters (other bytes kept). */
static inline uint64_t expr_ascii_lower8(uint64_t v)
{
	const uint64_t ones = 0x0101010101010101u, high = ones * 0x80;
	/* Without their high bits the bytes do not carry into each other. */
	uint64_t low = v & ~high, from_a = low + ones * (0x80 - 'A'),
		 past_z = low + ones * (0x80 - 'Z' - 1);

	return v | (((from_a ^ past_z) & ~v & high) >> 2);
}

/*
 * n bytes of a and b agree but for the case of ASCII letters (NULs are
 * bytes like others): eight at a time, the last eight overlapping.
 */
static inline int expr_ascii_equal_ci(const char *a, const char *b, size_t n)
{
	uint64_t x, y;

	if (n < 8) {
		for (size_t i = 0; i < n; i++)
			if (a[i] != b[i] && expr_ascii_upper((unsigned char)a[i]) !=
					    expr_ascii_upper((unsigned char)b[i]))
				return 0;
		return 1;
	}
	for (size_t i = 0; i + 8 < n; i += 8) {
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		if (x != y && expr_ascii_lower8(x) != expr_ascii_lower8(y))
			return 0;
	}
	memcpy(&x, a + n - 8, 8);
	memcpy(&y, b + n - 8, 8);
	return x == y || expr_ascii_lower8(x) == expr_ascii_lower8(y);
}

/* Null, booleans, numbers and strings (GitHub's "primitive" values). */
static inline int expr_is_primitive(const struct val *v)
{
	return v->kind != VAL_ARRAY && v->kind != VAL_OBJECT;
}

/* Coercions and comparisons (expr_coerce.c). */
/* JavaScript's Number(s). */
double expr_string_to_number(const char *s, size_t len);
double expr_to_number(const struct val *v);
/* A number as GitHub prints it into strings; buf holds VAL_NUMBER_MAX bytes. */
size_t expr_number_to_string(char *buf, double n);
/* v as a string without allocating: points into v, a constant or buf (VAL_NUMBER_MAX). */
const char *expr_coerce_chars(const struct val *v, char *buf, size_t *len);

/* expr_coerce_chars with strings, the common case, inline. */
static inline const char *expr_chars(const struct val *v, char *buf, size_t *len)
{
	if (v->kind == VAL_STRING) {
		*len = v->u.string.len;
		return v->u.string.ptr;
	}
	return expr_coerce_chars(v, buf, len);
}
int expr_equals(const struct val *a, const struct val *b);
int expr_greater(const struct val *a, const struct val *b);
int expr_less(const struct val *a, const struct val *b);
/*
 * Keep the first of each group of the nr members whose keys agree under
 * toLowerCase(), in place; returns how many are kept. What
 * expr_fold_keys does to each object (fromJSON() hands it to the parse).
 */
size_t expr_fold_members(struct val_member *members, size_t nr);
/* Case-insensitive member lookup as GitHub's dictionaries do it (toLowerCase). */
struct val *expr_object_get(const struct val_object *o, const char *key, size_t len);
/*
 * expr_key_get past its one-compare hit: another object of the same
 * shape, keys not interned, another spelling, or a search. Updates k.
 */
struct val *expr_key_miss(struct val_object *o, struct expr_key *k);

/* len bytes of a and b are the same: a few word compares for the short keys of contexts. */
static inline int expr_bytes_equal(const char *a, const char *b, size_t len)
{
	uint64_t x, y;
	uint32_t u, w;
	uint16_t h, g;

	if (len >= 8) {
		for (size_t i = 0; i + 8 < len; i += 8) {
			memcpy(&x, a + i, 8);
			memcpy(&y, b + i, 8);
			if (x != y)
				return 0;
		}
		memcpy(&x, a + len - 8, 8);
		memcpy(&y, b + len - 8, 8);
		return x == y;
	}
	if (len >= 4) {
		memcpy(&u, a, 4);
		memcpy(&w, b, 4);
		if (u != w)
			return 0;
		memcpy(&u, a + len - 4, 4);
		memcpy(&w, b + len - 4, 4);
		return u == w;
	}
	if (len >= 2) {
		memcpy(&h, a, 2);
		memcpy(&g, b, 2);
		return h == g && a[len - 1] == b[len - 1];
	}
	return !len || a[0] == b[0];
}

/*
 * expr_equals with the common cases inline: values of one primitive kind,
 * strings spelled the same, told apart by being empty (an empty string
 * maps to an empty one and any other string does not) or by their first
 * letters, and ASCII strings (the mapping is per letter and keeps lengths).
 */
EXPR_INLINE int expr_equals_inline(const struct val *a, const struct val *b)
{
	if (a->kind != b->kind)
		return expr_equals(a, b);
	switch (a->kind) {
	case VAL_STRING: {
		const char *x = a->u.string.ptr, *y = b->u.string.ptr;
		size_t len = a->u.string.len;

		if (len == b->u.string.len && expr_bytes_equal(x, y, len))
			return 1;
		if (!len || !b->u.string.len)
			return 0;
		/* An ASCII character maps to one ASCII character, whatever follows. */
		if (((unsigned char)x[0] | (unsigned char)y[0]) < 0x80 &&
		    expr_ascii_upper((unsigned char)x[0]) != expr_ascii_upper((unsigned char)y[0]))
			return 0;
		if (utf8_is_ascii(x, len) && utf8_is_ascii(y, b->u.string.len))
			return len == b->u.string.len && expr_ascii_equal_ci(x, y, len);
		return expr_equals(a, b);
	}
	case VAL_BOOL:
		return a->u.boolean == b->u.boolean;
	case VAL_NUMBER:
		return a->u.number == b->u.number;
	case VAL_NULL:
		return 1;
	default:
		return expr_equals(a, b);
	}
}

/*
 * The member of o that k names (case-insensitively), or NULL. A hit at
 * the cached index with the same spelling, the common case, costs one
 * pointer compare when the data's keys are interned too, else a length
 * and a few word compares.
 */
static inline struct val *expr_key_get(struct val_object *o, struct expr_key *k)
{
	/*
	 * The address from the cache, taken before knowing it is good (as an
	 * integer: k->members may be NULL): only this keeps it independent
	 * of the object's own loads. It is read only if it is the object's.
	 */
	const struct val_member *m =
		(const struct val_member *)((uintptr_t)k->members + k->index * sizeof(*m));

	if (o->members == k->members && k->index < o->nr && m->key == k->name)
		return (struct val *)&m->value;
	return expr_key_miss(o, k);
}

/*
 * expr_key_get for the items of an array, objects of one shape but each
 * with its own members: the cached index, without the array's identity.
 */
static inline struct val *expr_key_get_item(struct val_object *o, struct expr_key *k)
{
	if (k->index < o->nr && o->members[k->index].key == k->name)
		return &o->members[k->index].value;
	return expr_key_miss(o, k);
}

#endif
