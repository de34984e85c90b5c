/*
 * expr_eval: evaluates a parsed expression over the caller's contexts —
 * operators, short-circuit logic, property access with the '*' filter, and
 * the memory accounting GitHub applies to results — through a function
 * per node shape that expr_eval_compile chose at parse time. Results are
 * pointers to values; what is computed lives in env->arena or in slots on
 * the evaluating functions' stacks; nothing here calls malloc. The
 * function implementations are in expr_funcs.c, coercions in expr_coerce.c.
 */
#include "parser/expr_int.h"
#include "util/utf8.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define MEM_STRING_BASE 26      /* GitHub's per-string overhead */
#define INDEX_ERROR_PREFIX "could not evaluate index for index access: "
/* Arguments whose values a call keeps on its stack. */
#define EVAL_SMALL_ARGS 8

const struct val expr_null_value = { VAL_NULL, { 0 } };
const struct val expr_bool_values[2] = {
	{ VAL_BOOL, { .boolean = 0 } },
	{ VAL_BOOL, { .boolean = 1 } },
};

void expr_error_init(struct expr_error *err)
{
	err->stage = EXPR_LEXING;
	err->pos = 0;
	err->len = 1;
	strbuf_init(&err->message, 0);
}

void expr_error_release(struct expr_error *err)
{
	strbuf_release(&err->message);
}

void expr_error_format(struct strbuf *out, const struct expr_error *err, const char *text,
		       size_t len)
{
	strbuf_add(out, err->message.buf, err->message.len);
	if (err->pos > 0 && err->stage != EXPR_EVALUATION)
		strbuf_addf(out, ". Located at position %d within expression: ", err->pos);
	else
		strbuf_addstr(out, ". Located within expression: ");
	strbuf_add(out, text, len);
}

size_t expr_error_offset(const struct expr_error *err, const char *text, size_t len)
{
	const unsigned char *p = (const unsigned char *)text, *end = p + len;
	int units = 1;

	while (p < end && units < err->pos) {
		const unsigned char *at = p;

		units += utf8_decode(&p, end) >= 0x10000 ? 2 : 1;
		if (units > err->pos)
			p = at;
	}
	return (size_t)(p - (const unsigned char *)text);
}

static int eval_vfail(struct expr_run *r, const struct expr_node *n, const char *fmt, va_list ap)
{
	struct expr_error *err = r->err;

	err->stage = EXPR_EVALUATION;
	err->pos = n ? n->pos->col : 0;
	err->len = n ? n->pos->width : 1;
	strbuf_reset(&err->message);
	strbuf_vaddf(&err->message, fmt, ap);
	return -1;
}

int expr_run_fail(struct expr_run *r, const struct expr_node *n, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = eval_vfail(r, n, fmt, ap);
	va_end(ap);
	return ret;
}

static size_t eval_string_cost(size_t len)
{
	return MEM_STRING_BASE + 2 * len;
}

__attribute__((cold)) static int eval_memory_exceeded(struct expr_run *r,
						      const struct expr_node *n)
{
	return expr_run_fail(r, n,
			     "The maximum allowed memory size was exceeded while evaluating the following expression: %.*s",
			     (int)n->pos->len, r->e->text + n->pos->off);
}

static inline int eval_fits(const struct expr_run *r, size_t len)
{
	return len <= EXPR_MAX_MEMORY && r->mem + eval_string_cost(len) <= EXPR_MAX_MEMORY;
}

int expr_run_check_size(struct expr_run *r, const struct expr_node *n, size_t len)
{
	return eval_fits(r, len) ? 0 : eval_memory_exceeded(r, n);
}

/* Hold a string result of len bytes: count it, or fail at n. */
static inline int eval_hold(struct expr_run *r, const struct expr_node *n, size_t len)
{
	if (!eval_fits(r, len))
		return eval_memory_exceeded(r, n);
	r->mem += eval_string_cost(len);
	return 0;
}

/*
 * After a node whose evaluation began with r->mem at mem: as GitHub's
 * evaluator, memory counts the results that are alive — those of
 * completed siblings on the path from the root, plus this node's, whose
 * operands' results are released when it completes.
 */
static inline struct expr_ref eval_done(struct expr_run *r, const struct expr_node *n,
					size_t mem, struct expr_ref ref)
{
	if (ref.v) {
		r->mem = mem;
		if (ref.v->kind == VAL_STRING && eval_hold(r, n, ref.v->u.string.len) < 0)
			ref.v = NULL;
	}
	return ref;
}

/* Evaluate n; a value it computes goes to *slot. */
static inline struct expr_ref eval_node(struct expr_run *r, const struct expr_node *n,
					struct val *slot)
{
	size_t mem = r->mem;

	return eval_done(r, n, mem, n->eval(r, n, slot));
}

static struct expr_ref ev_path(struct expr_run *r, const struct expr_node *n, struct val *slot);

/*
 * eval_node for an operand: literals and paths, the commonest, without
 * the call through n->eval (a direct call is predicted; one through a
 * pointer that changes from node to node often is not).
 */
static inline struct expr_ref eval_operand(struct expr_run *r, const struct expr_node *n,
					   struct val *slot)
{
	size_t mem = r->mem;
	struct expr_ref ref;

	if (n->kind == EXPR_N_LITERAL)
		ref = expr_ref_to(&n->u.literal);
	else if (n->kind == EXPR_N_PATH)
		ref = ev_path(r, n, slot);
	else
		ref = n->eval(r, n, slot);
	return eval_done(r, n, mem, ref);
}

void expr_sbuf_init(struct expr_sbuf *b, struct expr_run *r, const struct expr_node *n)
{
	b->r = r;
	b->n = n;
	b->buf = NULL;
	b->len = b->cap = 0;
}

int expr_sbuf_add(struct expr_sbuf *b, const char *s, size_t len)
{
	if (!len)
		return 0;
	if (len > EXPR_MAX_MEMORY || expr_run_check_size(b->r, b->n, b->len + len) < 0)
		return -1;
	if (b->len + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;

		while (cap < b->len + len + 1)
			cap *= 2;
		b->buf = arena_realloc(b->r->env->arena, b->buf, b->cap, cap);
		b->cap = cap;
	}
	memcpy(b->buf + b->len, s, len);
	b->len += len;
	b->buf[b->len] = '\0';
	return 0;
}

struct expr_ref expr_sbuf_finish(struct expr_sbuf *b, struct val *slot)
{
	return expr_ref_string(slot, b->buf ? b->buf : "", b->len);
}

static inline struct expr_ref eval_found(const struct val *found)
{
	return expr_ref_to(found ? found : &expr_null_value);
}

/* A new array as the result in *slot: '*' and what indexes its results make filtered arrays. */
static struct expr_ref eval_filtered(struct val *slot, struct val_array *a)
{
	struct expr_ref ref = { slot, 1 };

	slot->kind = VAL_ARRAY;
	slot->u.array = a;
	return ref;
}

/*
 * GitHub's index: '*', a string key (primitives) and a non-negative
 * integer position, each worked out when first needed: property names
 * far outnumber positions, and a position needs no key.
 */
struct eval_index {
	const struct val *idx;  /* NULL: '*' */
	const char *str;        /* NULL: no key (containers) */
	size_t str_len;
	int str_known, pos_known;
	double pos;             /* -1: no position */
	char buf[VAL_NUMBER_MAX];
};

static void eval_index_init(struct eval_index *ix, const struct val *idx)
{
	ix->idx = idx;
	ix->str_known = ix->pos_known = 0;
}

static const char *eval_index_key(struct eval_index *ix, size_t *len)
{
	if (!ix->str_known) {
		ix->str = expr_is_primitive(ix->idx) ?
			  expr_chars(ix->idx, ix->buf, &ix->str_len) : NULL;
		ix->str_known = 1;
	}
	*len = ix->str_len;
	return ix->str;
}

/* The item of arr at the index's position, or NULL. */
EXPR_INLINE const struct val *eval_index_item(struct eval_index *ix, const struct val_array *arr)
{
	if (!ix->pos_known) {
		double f = expr_to_number(ix->idx);

		ix->pos = isfinite(f) && f >= 0 ? floor(f) : -1;
		ix->pos_known = 1;
	}
	if (ix->pos < 0 || ix->pos >= (double)arr->nr)
		return NULL;
	return &arr->items[(size_t)ix->pos];
}

/* An array with room for cap items, filled by eval_append. */
static struct val_array *eval_array(struct expr_run *r, size_t cap)
{
	struct val_array *a = arena_alloc_uninit(r->env->arena,
						 sizeof(*a) + cap * sizeof(*a->items));

	a->items = (struct val *)(a + 1);
	a->nr = 0;
	a->alloc = cap;
	return a;
}

static size_t eval_count(const struct val *c)
{
	return c->kind == VAL_ARRAY ? c->u.array->nr : c->u.object->nr;
}

static void eval_append_all(struct val_array *to, const struct val *from)
{
	if (from->kind == VAL_ARRAY) {
		if (from->u.array->nr)
			memcpy(to->items + to->nr, from->u.array->items,
			       from->u.array->nr * sizeof(struct val));
		to->nr += from->u.array->nr;
	} else {
		for (size_t i = 0; i < from->u.object->nr; i++)
			to->items[to->nr++] = from->u.object->members[i].value;
	}
}

/* The values of a container as a new array. */
static struct val_array *eval_values(struct expr_run *r, const struct val *from)
{
	struct val_array *out = eval_array(r, eval_count(from));

	eval_append_all(out, from);
	return out;
}

static const struct val *eval_member(const struct val *obj, struct eval_index *ix,
				     struct expr_key *key)
{
	const char *s;
	size_t len;

	if (key)
		return expr_key_get_item(obj->u.object, key);
	s = eval_index_key(ix, &len);
	return s ? expr_object_get(obj->u.object, s, len) : NULL;
}

/*
 * item's member key (an object) or the item at the index's position (an
 * array) goes to *to; returns how many values that was (0 or 1). Callers
 * count in a local: a count kept in the array would make each item wait
 * for the store of the one before.
 */
EXPR_INLINE size_t eval_collect(struct val *to, const struct val *item, struct eval_index *ix,
				struct expr_key *key)
{
	const struct val *found;

	if (item->kind == VAL_OBJECT)
		found = expr_key_get_item(item->u.object, key);
	else if (item->kind == VAL_ARRAY)
		found = eval_index_item(ix, item->u.array);
	else
		return 0;
	if (!found)
		return 0;
	/*
	 * Kind and payload stored apart, as they are read: a chained access
	 * (x.*.a.b) reads the payload back at once, which a store starting at
	 * the kind would not hand on.
	 */
	to->kind = found->kind;
	to->u = found->u;
	return 1;
}

/*
 * Index each element of a filtered array; what is found is collected
 * flat. key: the index is that ASCII name, looked up through its cache.
 */
static struct val_array *eval_filtered_access(struct expr_run *r, const struct val_array *fa,
					      struct eval_index *ix, struct expr_key *key)
{
	size_t cap = ix->idx ? fa->nr : 0;
	struct val_array *out;

	if (key) {
		size_t nr = 0;

		out = eval_array(r, cap);
		for (size_t i = 0; i < fa->nr; i++)
			nr += eval_collect(out->items + nr, &fa->items[i], ix, key);
		out->nr = nr;
		return out;
	}
	/* An index finds one value per item at most; '*' takes all of each container's. */
	for (size_t i = 0; !ix->idx && i < fa->nr; i++) {
		const struct val *item = &fa->items[i];

		if (item->kind == VAL_OBJECT || item->kind == VAL_ARRAY)
			cap += eval_count(item);
	}
	out = eval_array(r, cap);
	for (size_t i = 0; i < fa->nr; i++) {
		const struct val *item = &fa->items[i], *found;

		if (item->kind != VAL_OBJECT && item->kind != VAL_ARRAY)
			continue;
		if (!ix->idx) {
			eval_append_all(out, item);
			continue;
		}
		found = item->kind == VAL_ARRAY ? eval_index_item(ix, item->u.array) :
						  eval_member(item, ix, key);
		if (found)
			out->items[out->nr++] = *found;
	}
	return out;
}

/* obj[ix]; obj may be in *slot, which the result may take. */
static struct expr_ref eval_access(struct expr_run *r, struct expr_ref obj, struct eval_index *ix,
				   struct expr_key *key, struct val *slot)
{
	const struct val *v = obj.v;

	switch (v->kind) {
	case VAL_ARRAY:
		if (obj.filtered)
			return eval_filtered(slot, eval_filtered_access(r, v->u.array, ix, key));
		if (!ix->idx)
			return eval_filtered(slot, eval_values(r, v));
		return eval_found(eval_index_item(ix, v->u.array));
	case VAL_OBJECT:
		if (!ix->idx)
			return eval_filtered(slot, eval_values(r, v));
		return eval_found(eval_member(v, ix, key));
	default:
		if (!ix->idx)
			return eval_filtered(slot, eval_array(r, 0));
		return expr_ref_null();
	}
}

static struct expr_ref ev_literal(struct expr_run *r, const struct expr_node *n, struct val *slot)
{
	(void)r;
	(void)slot;
	return expr_ref_to(&n->u.literal);
}

static inline const struct val *eval_context(const struct expr_run *r, struct expr_key *key)
{
	if (r->env->contexts.kind != VAL_OBJECT)
		return NULL;
	return expr_key_get(r->env->contexts.u.object, key);
}

static struct expr_ref ev_context(struct expr_run *r, const struct expr_node *n, struct val *slot)
{
	(void)slot;
	return eval_found(eval_context(r, n->u.context.key));
}

/* obj.name and obj['name'] on anything but a context path. */
static struct expr_ref ev_property(struct expr_run *r, const struct expr_node *n,
				   struct val *slot)
{
	struct expr_key *key = n->u.index.key;
	struct expr_ref obj;
	struct eval_index ix;

	if (expr_run_check_size(r, n->u.index.index, key->len) < 0)
		return expr_ref_failed();
	obj = eval_operand(r, n->u.index.obj, slot);
	if (!obj.v)
		return obj;
	if (obj.v->kind == VAL_OBJECT)
		return eval_found(expr_key_get(obj.v->u.object, key));
	if (obj.v->kind != VAL_ARRAY)
		return expr_ref_null();
	eval_index_init(&ix, &n->u.index.index->u.literal);
	return eval_access(r, obj, &ix, key, slot);
}


/*
 * x.*.name: what '*' then .name would give, without the array of x's
 * values in between (the '*' node has nothing else to do: its result is
 * an array, which memory does not count). A filtered x goes the long way.
 */
static struct expr_ref ev_star_property(struct expr_run *r, const struct expr_node *n,
					struct val *slot)
{
	const struct expr_node *star = n->u.index.obj;
	struct expr_key *key = n->u.index.key;
	struct eval_index ix;
	struct val_array *out;
	struct expr_ref x;
	size_t mem, nr = 0;

	if (expr_run_check_size(r, n->u.index.index, key->len) < 0)
		return expr_ref_failed();
	mem = r->mem;
	x = eval_operand(r, star->u.index.obj, slot);
	if (!x.v)
		return x;
	r->mem = mem;
	eval_index_init(&ix, &n->u.index.index->u.literal);
	if (x.filtered) {
		struct eval_index all;

		eval_index_init(&all, NULL);
		x = eval_access(r, x, &all, NULL, slot);
		return eval_access(r, x, &ix, key, slot);
	}
	if (x.v->kind == VAL_ARRAY) {
		const struct val_array *arr = x.v->u.array;

		out = eval_array(r, arr->nr);
		for (size_t i = 0; i < arr->nr; i++)
			nr += eval_collect(out->items + nr, &arr->items[i], &ix, key);
	} else if (x.v->kind == VAL_OBJECT) {
		const struct val_object *obj = x.v->u.object;

		out = eval_array(r, obj->nr);
		for (size_t i = 0; i < obj->nr; i++)
			nr += eval_collect(out->items + nr, &obj->members[i].value, &ix, key);
	} else {
		out = eval_array(r, 0);
	}
	out->nr = nr;
	return eval_filtered(slot, out);
}

/*
 * A chain of accesses checks each name (a string it holds for a moment)
 * before it evaluates what it indexes, the outermost first: the path's
 * longest name fits whenever any does, and otherwise this finds which.
 */
static struct expr_ref eval_path_names(struct expr_run *r, const struct expr_node *n)
{
	for (unsigned i = n->nr; i > 0; i--)
		if (expr_run_check_size(r, n->u.path.at[i]->u.index.index,
					n->u.path.keys[i].len) < 0)
			return expr_ref_failed();
	return expr_ref_null();
}

/*
 * The rest of a path walk from name i on (i >= 1), where cur, what the
 * names before gave, is no object: what strings and arrays on the way do.
 * Out of line: paths through objects end in eval_path.
 */
static struct expr_ref eval_path_rest(struct expr_run *r, const struct expr_node *n,
				      const struct val *cur, unsigned i)
{
	/* A string on the way was the result of the access before (or the context): it held it. */
	if (cur->kind == VAL_STRING)
		return expr_run_check_size(r, n->u.path.at[i - 1], cur->u.string.len) < 0 ?
			       expr_ref_failed() : expr_ref_null();
	for (; cur && i <= n->nr; i++) {
		struct expr_key *key = &n->u.path.keys[i];
		struct eval_index ix;
		struct val name;

		switch (cur->kind) {
		case VAL_OBJECT:
			cur = expr_key_get(cur->u.object, key);
			break;
		case VAL_STRING:
			return eval_path_rest(r, n, cur, i);
		case VAL_ARRAY:
			name = val_string_ref(key->name, key->len);
			eval_index_init(&ix, &name);
			cur = eval_index_item(&ix, cur->u.array);
			break;
		default:
			cur = NULL;
			break;
		}
	}
	return eval_found(cur);
}

/* context.a.b...: the context, then each name, looked up in turn on pointers into the contexts. */
EXPR_INLINE struct expr_ref eval_path(struct expr_run *r, const struct expr_node *n)
{
	const struct val *cur = &r->env->contexts;
	unsigned i = 0;

	if (!eval_fits(r, n->u.path.max_name_len))
		return eval_path_names(r, n);
	if (cur->kind != VAL_OBJECT)
		return expr_ref_null();
	do
		cur = expr_key_get(cur->u.object, &n->u.path.keys[i++]);
	while (cur && cur->kind == VAL_OBJECT && i <= n->nr);
	if (cur && i <= n->nr)
		return eval_path_rest(r, n, cur, i);
	return eval_found(cur);
}

static struct expr_ref ev_path(struct expr_run *r, const struct expr_node *n, struct val *slot)
{
	(void)slot;
	return eval_path(r, n);
}


/* obj[expr] and obj.*: GitHub evaluates the index first and wraps its errors. */
static struct expr_ref ev_index(struct expr_run *r, const struct expr_node *n, struct val *slot)
{
	struct expr_ref idx = expr_ref_failed(), obj;
	struct val idx_slot;
	struct eval_index ix;

	if (n->u.index.index) {
		idx = eval_operand(r, n->u.index.index, &idx_slot);
		if (!idx.v) {
			struct strbuf *msg = &r->err->message;
			size_t plen = strlen(INDEX_ERROR_PREFIX);

			strbuf_grow(msg, plen);
			memmove(msg->buf + plen, msg->buf, msg->len + 1);
			memcpy(msg->buf, INDEX_ERROR_PREFIX, plen);
			msg->len += plen;
			return idx;
		}
	}
	eval_index_init(&ix, idx.v);
	obj = eval_operand(r, n->u.index.obj, slot);
	if (!obj.v)
		return obj;
	return eval_access(r, obj, &ix, NULL, slot);
}

EXPR_INLINE int eval_compare_op(enum expr_tok op, const struct val *a, const struct val *b)
{
	/* Two numbers, neither NaN: no coercion, no order classes. */
	if (a->kind == VAL_NUMBER && b->kind == VAL_NUMBER && a->u.number == a->u.number &&
	    b->u.number == b->u.number) {
		double x = a->u.number, y = b->u.number;
		int lt = x < y, gt = x > y;

		switch (op) {
		case EXPR_T_EQ:
			return x == y;
		case EXPR_T_NE:
			return x != y;
		case EXPR_T_GT:
			return gt;
		case EXPR_T_GE:
			return !lt;
		case EXPR_T_LT:
			return lt;
		default:
			return !gt;
		}
	}
	switch (op) {
	case EXPR_T_EQ:
		return expr_equals_inline(a, b);
	case EXPR_T_NE:
		return !expr_equals_inline(a, b);
	case EXPR_T_GT:
		return expr_greater(a, b);
	case EXPR_T_GE:
		return expr_equals_inline(a, b) || expr_greater(a, b);
	case EXPR_T_LT:
		return expr_less(a, b);
	default:
		return expr_equals_inline(a, b) || expr_less(a, b);
	}
}

/* A chain of nr comparisons, left to right (a node has two operands at least). */
EXPR_INLINE struct expr_ref eval_compare(struct expr_run *r, const struct expr_node *n,
					 unsigned nr)
{
	struct val left_slot, right_slot;
	struct expr_ref left, right;

	left = eval_operand(r, n->u.list.args[0], &left_slot);
	if (!left.v)
		return left;
	for (unsigned i = 1; i < nr; i++) {
		right = eval_operand(r, n->u.list.args[i], &right_slot);
		if (!right.v)
			return right;
		left = expr_ref_bool(eval_compare_op(n->u.list.ops[i - 1], left.v, right.v));
	}
	return left;
}

static struct expr_ref ev_compare(struct expr_run *r, const struct expr_node *n, struct val *slot)
{
	(void)slot;
	return eval_compare(r, n, n->nr);
}

/*
 * A path compared with a literal, the commonest condition (path_left: in
 * that order, else the literal first), in one function: the path walked
 * in place, the literal taken as it is, and each operand's result held
 * as its node would hold it.
 */
EXPR_INLINE struct expr_ref eval_compare_path_literal(struct expr_run *r,
						      const struct expr_node *n, int path_left)
{
	const struct expr_node *a = n->u.list.args[0], *b = n->u.list.args[1];
	struct expr_ref left, right;
	size_t mem = r->mem;

	left = eval_done(r, a, mem, path_left ? eval_path(r, a) : expr_ref_to(&a->u.literal));
	if (!left.v)
		return left;
	mem = r->mem;
	right = eval_done(r, b, mem, path_left ? expr_ref_to(&b->u.literal) : eval_path(r, b));
	if (!right.v)
		return right;
	return expr_ref_bool(eval_compare_op(n->u.list.ops[0], left.v, right.v));
}

static struct expr_ref ev_compare_path_literal(struct expr_run *r, const struct expr_node *n,
					       struct val *slot)
{
	(void)slot;
	return eval_compare_path_literal(r, n, 1);
}

static struct expr_ref ev_compare_literal_path(struct expr_run *r, const struct expr_node *n,
					       struct val *slot)
{
	(void)slot;
	return eval_compare_path_literal(r, n, 0);
}

/* The commonest comparison: two operands (the loop unrolled). */
static struct expr_ref ev_compare2(struct expr_run *r, const struct expr_node *n,
				   struct val *slot)
{
	(void)slot;
	return eval_compare(r, n, 2);
}

static struct expr_ref ev_not(struct expr_run *r, const struct expr_node *n, struct val *slot)
{
	struct expr_ref ref = eval_operand(r, n->u.operand, slot);

	return ref.v ? expr_ref_bool(!expr_is_truthy(ref.v)) : ref;
}

/* && and ||: the first operand that decides, or the last; not booleans. */
static struct expr_ref ev_and(struct expr_run *r, const struct expr_node *n, struct val *slot)
{
	struct expr_ref ref = expr_ref_failed();

	for (unsigned i = 0; i < n->nr; i++) {
		ref = eval_operand(r, n->u.list.args[i], slot);
		if (!ref.v || !expr_is_truthy(ref.v))
			break;
	}
	return ref;
}

static struct expr_ref ev_or(struct expr_run *r, const struct expr_node *n, struct val *slot)
{
	struct expr_ref ref = expr_ref_failed();

	for (unsigned i = 0; i < n->nr; i++) {
		ref = eval_operand(r, n->u.list.args[i], slot);
		if (!ref.v || expr_is_truthy(ref.v))
			break;
	}
	return ref;
}

static struct expr_ref ev_call(struct expr_run *r, const struct expr_node *n, struct val *slot)
{
	struct val small_slots[EVAL_SMALL_ARGS], *slots = small_slots;
	struct expr_ref small_args[EVAL_SMALL_ARGS], *args = small_args;
	unsigned nr = n->nr;

	if (nr > EVAL_SMALL_ARGS) {
		slots = arena_alloc(r->env->arena, nr * sizeof(*slots));
		args = arena_alloc(r->env->arena, nr * sizeof(*args));
	}
	for (unsigned i = 0; i < nr; i++) {
		args[i] = eval_operand(r, n->u.call.args[i], &slots[i]);
		if (!args[i].v)
			return args[i];
	}
	return n->u.call.call(r, n, args, nr, slot);
}

/* Calls of up to two arguments, the commonest, with their values in the frame and no loop. */
static struct expr_ref ev_call0(struct expr_run *r, const struct expr_node *n, struct val *slot)
{
	return n->u.call.call(r, n, NULL, 0, slot);
}

static struct expr_ref ev_call1(struct expr_run *r, const struct expr_node *n, struct val *slot)
{
	struct val arg_slot;
	struct expr_ref arg = eval_operand(r, n->u.call.args[0], &arg_slot);

	return arg.v ? n->u.call.call(r, n, &arg, 1, slot) : arg;
}

static struct expr_ref ev_call2(struct expr_run *r, const struct expr_node *n, struct val *slot)
{
	struct val arg_slots[2];
	struct expr_ref args[2];

	args[0] = eval_operand(r, n->u.call.args[0], &arg_slots[0]);
	if (!args[0].v)
		return args[0];
	args[1] = eval_operand(r, n->u.call.args[1], &arg_slots[1]);
	if (!args[1].v)
		return args[1];
	return n->u.call.call(r, n, args, 2, slot);
}

/* A fixed function: its arguments are evaluated (and may fail), its value is set. */
struct expr_ref expr_call_fixed(struct expr_run *r, const struct expr_node *n,
				const struct expr_ref *args, unsigned nr, struct val *slot)
{
	(void)r;
	(void)args;
	(void)nr;
	(void)slot;
	return expr_ref_to(n->u.call.data.fixed);
}

/* The function for a call, by its number of arguments. */
static expr_eval_fn *compile_call(unsigned nr)
{
	static expr_eval_fn *const by_count[] = { ev_call0, ev_call1, ev_call2 };

	return nr < sizeof(by_count) / sizeof(by_count[0]) ? by_count[nr] : ev_call;
}

/* The function for a comparison of two operands, by their kinds. */
static expr_eval_fn *compile_compare2(struct expr_node *const *args)
{
	if (args[0]->kind == EXPR_N_PATH && args[1]->kind == EXPR_N_LITERAL)
		return ev_compare_path_literal;
	if (args[0]->kind == EXPR_N_LITERAL && args[1]->kind == EXPR_N_PATH)
		return ev_compare_literal_path;
	return ev_compare2;
}

static void compile_list(struct arena *a, struct expr_node **args, unsigned nr)
{
	for (unsigned i = 0; i < nr; i++)
		expr_eval_compile(a, args[i]);
}

void expr_eval_compile(struct arena *a, struct expr_node *n)
{
	switch (n->kind) {
	case EXPR_N_LITERAL:
		n->eval = ev_literal;
		return;
	case EXPR_N_CONTEXT:
		n->eval = ev_context;
		return;
	case EXPR_N_INDEX:
		expr_eval_compile(a, n->u.index.obj);
		if (n->u.index.index)
			expr_eval_compile(a, n->u.index.index);
		if (!n->u.index.key)
			n->eval = ev_index;
		else if (n->u.index.obj->kind == EXPR_N_INDEX && !n->u.index.obj->u.index.index)
			n->eval = ev_star_property;
		else
			n->eval = ev_property;
		return;
	case EXPR_N_PATH:
		n->eval = ev_path;
		return;
	case EXPR_N_NOT:
		expr_eval_compile(a, n->u.operand);
		n->eval = ev_not;
		return;
	case EXPR_N_AND:
	case EXPR_N_OR:
		compile_list(a, n->u.list.args, n->nr);
		n->eval = n->kind == EXPR_N_AND ? ev_and : ev_or;
		return;
	case EXPR_N_COMPARE:
		compile_list(a, n->u.list.args, n->nr);
		n->eval = n->nr > 2 ? ev_compare : compile_compare2(n->u.list.args);
		return;
	case EXPR_N_CALL:
		compile_list(a, n->u.call.args, n->nr);
		if (!n->u.call.call) {
			const struct expr_func *fn = n->u.call.data.fn;

			n->u.call.call = fn->call;
			if (fn->prepare)
				fn->prepare(a, n);
		}
		n->eval = compile_call(n->nr);
		return;
	}
}

int expr_eval(struct val *out, const struct expr *e, const struct expr_env *env,
	      struct expr_error *err)
{
	struct expr_run r;
	struct expr_ref ref;
	struct val slot;

	if (!e->root) {
		*out = expr_null_value;
		return 0;
	}
	r.e = e;
	r.env = env;
	r.err = err;
	r.mem = 0;
	ref = eval_node(&r, e->root, &slot);
	if (!ref.v)
		return -1;
	*out = *ref.v;
	return 0;
}
