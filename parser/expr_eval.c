/*
 * expr_eval: walks a parsed expression over the caller's contexts —
 * operators, short-circuit logic, property access with the '*' filter, and
 * the memory accounting GitHub applies to results. Results live in
 * env->arena or in the contexts; nothing here calls malloc. The function
 * implementations are in expr_funcs.c, coercions in expr_coerce.c.
 */
#include "parser/expr_int.h"
#include "util/utf8.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define MEM_STRING_BASE 26      /* GitHub's per-string overhead */
#define INDEX_ERROR_PREFIX "could not evaluate index for index access: "

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
	err->pos = n ? n->col : 0;
	err->len = n ? n->width : 1;
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

int expr_run_check_size(struct expr_run *r, const struct expr_node *n, size_t len)
{
	if (len <= EXPR_MAX_MEMORY && r->mem + eval_string_cost(len) <= EXPR_MAX_MEMORY)
		return 0;
	return expr_run_fail(r, n,
			     "The maximum allowed memory size was exceeded while evaluating the following expression: %.*s",
			     (int)n->len, r->e->text + n->off);
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

struct val expr_sbuf_value(struct expr_sbuf *b)
{
	if (!b->buf)
		return val_string_ref("", 0);
	return val_string_ref(b->buf, b->len);
}

/*
 * GitHub's index: '*', a string key (primitives) and a non-negative
 * integer position. The position is worked out only when an array needs
 * it, since property names far outnumber positions.
 */
struct eval_index {
	int star;
	struct val idx;
	const char *str;        /* NULL: no key (containers) */
	size_t str_len;
	int pos_known;
	double pos;             /* -1: no position */
	char buf[VAL_NUMBER_MAX];
};

static void eval_index_from(struct eval_index *ix, const struct expr_ev *idx)
{
	ix->star = !idx;
	ix->str = NULL;
	ix->pos_known = 0;
	if (!idx)
		return;
	ix->idx = idx->v;
	if (expr_is_primitive(idx->v))
		ix->str = expr_coerce_chars(idx->v, ix->buf, &ix->str_len);
}

/* The item of arr at the index's position, or NULL. */
static struct val *eval_index_item(struct eval_index *ix, struct val arr)
{
	if (!ix->pos_known) {
		double f = expr_to_number(ix->idx);

		ix->pos = isfinite(f) && f >= 0 ? floor(f) : -1;
		ix->pos_known = 1;
	}
	if (ix->pos < 0 || ix->pos >= (double)arr.u.array->nr)
		return NULL;
	return &arr.u.array->items[(size_t)ix->pos];
}

/* An array with room for cap items, filled by eval_append. */
static struct val eval_array(struct expr_run *r, size_t cap)
{
	struct val v;
	struct val_array *a = arena_alloc(r->env->arena, sizeof(*a));

	a->items = cap ? arena_alloc(r->env->arena, cap * sizeof(*a->items)) : NULL;
	a->alloc = cap;
	v.kind = VAL_ARRAY;
	v.u.array = a;
	return v;
}

static void eval_append(struct val arr, struct val item)
{
	arr.u.array->items[arr.u.array->nr++] = item;
}

static size_t eval_count(struct val c)
{
	return c.kind == VAL_ARRAY ? c.u.array->nr : c.u.object->nr;
}

static void eval_append_all(struct val arr, struct val from)
{
	if (from.kind == VAL_ARRAY) {
		for (size_t i = 0; i < from.u.array->nr; i++)
			eval_append(arr, from.u.array->items[i]);
	} else {
		for (size_t i = 0; i < from.u.object->nr; i++)
			eval_append(arr, from.u.object->members[i].value);
	}
}

/* The values of a container as a new (filtered) array. */
static struct val eval_values(struct expr_run *r, struct val from)
{
	struct val out = eval_array(r, eval_count(from));

	eval_append_all(out, from);
	return out;
}

/* Index each element of a filtered array; what is found is collected flat. */
static struct val eval_filtered_access(struct expr_run *r, struct val fa,
				       struct eval_index *ix, struct expr_lookup_cache *cache)
{
	size_t cap = 0;
	int ascii = ix->str && utf8_is_ascii(ix->str, ix->str_len);
	struct val out;

	for (size_t i = 0; i < fa.u.array->nr; i++) {
		struct val item = fa.u.array->items[i];

		if (item.kind == VAL_OBJECT || item.kind == VAL_ARRAY)
			cap += ix->star ? eval_count(item) : 1;
	}
	out = eval_array(r, cap);
	for (size_t i = 0; i < fa.u.array->nr; i++) {
		struct val item = fa.u.array->items[i];
		struct val *found = NULL;

		if (item.kind != VAL_OBJECT && item.kind != VAL_ARRAY)
			continue;
		if (ix->star)
			eval_append_all(out, item);
		else if (item.kind == VAL_ARRAY)
			found = eval_index_item(ix, item);
		else if (ix->str)
			found = ascii ? expr_object_get_ascii(item, ix->str, ix->str_len, cache) :
					expr_object_get(item, ix->str, ix->str_len);
		if (found)
			eval_append(out, *found);
	}
	return out;
}

static void eval_access(struct expr_run *r, const struct expr_ev *obj, struct eval_index *ix,
			struct expr_lookup_cache *cache, struct expr_ev *out)
{
	struct val *found;

	out->filtered = ix->star;
	switch (obj->v.kind) {
	case VAL_ARRAY:
		if (obj->filtered) {
			out->v = eval_filtered_access(r, obj->v, ix, cache);
			out->filtered = 1;
		} else if (ix->star) {
			out->v = eval_values(r, obj->v);
		} else if ((found = eval_index_item(ix, obj->v))) {
			out->v = *found;
		} else {
			out->v = expr_val_null();
		}
		return;
	case VAL_OBJECT:
		if (ix->star) {
			out->v = eval_values(r, obj->v);
		} else if (ix->str && (found = expr_object_get(obj->v, ix->str, ix->str_len))) {
			out->v = *found;
		} else {
			out->v = expr_val_null();
		}
		return;
	default:
		out->v = ix->star ? eval_array(r, 0) : expr_val_null();
		return;
	}
}

/* obj.name and obj['name']: the commonest access, without the generic index machinery. */
static int eval_property(struct expr_run *r, const struct expr_node *n, struct expr_ev *out)
{
	struct val name = n->u.index.index->u.literal, *found;
	struct expr_ev obj;

	if (expr_run_check_size(r, n->u.index.index, name.u.string.len) < 0 ||
	    expr_eval_node(r, n->u.index.obj, &obj) < 0)
		return -1;
	out->filtered = 0;
	if (obj.v.kind == VAL_OBJECT) {
		found = expr_object_get_ascii(obj.v, name.u.string.ptr, name.u.string.len,
					      n->u.index.cache);
		out->v = found ? *found : expr_val_null();
		return 0;
	}
	if (obj.v.kind == VAL_ARRAY) {
		struct eval_index ix;

		eval_index_from(&ix, &(struct expr_ev){ name, 0 });
		eval_access(r, &obj, &ix, n->u.index.cache, out);
		return 0;
	}
	out->v = expr_val_null();
	return 0;
}

/* context.a.b...: each name looked up in turn, as the chain of accesses would. */
static int eval_path(struct expr_run *r, const struct expr_node *n, struct expr_ev *out)
{
	struct val cur, *found;

	if (expr_eval_node(r, n->u.path.context, out) < 0)
		return -1;
	cur = out->v;
	for (unsigned i = 0; i < n->u.path.nr; i++) {
		struct expr_path_step *step = &n->u.path.steps[i];

		/* A string on the way is a result GitHub holds for a moment. */
		if (cur.kind == VAL_STRING && expr_run_check_size(r, n, cur.u.string.len) < 0)
			return -1;
		if (cur.kind == VAL_OBJECT) {
			found = expr_object_get_ascii(cur, step->name, step->len, &step->cache);
			cur = found ? *found : expr_val_null();
		} else if (cur.kind == VAL_ARRAY) {
			struct eval_index ix;

			eval_index_from(&ix, &(struct expr_ev){ val_string_ref(step->name, step->len), 0 });
			found = eval_index_item(&ix, cur);
			cur = found ? *found : expr_val_null();
		} else {
			cur = expr_val_null();
		}
	}
	out->v = cur;
	return 0;
}

static int eval_index(struct expr_run *r, const struct expr_node *n, struct expr_ev *out)
{
	struct expr_ev idx, obj;
	struct eval_index ix;

	if (n->u.index.cache)
		return eval_property(r, n, out);

	/* GitHub evaluates the index first and wraps its errors. */
	if (n->u.index.index) {
		if (expr_eval_node(r, n->u.index.index, &idx) < 0) {
			struct strbuf *msg = &r->err->message;
			size_t plen = strlen(INDEX_ERROR_PREFIX);

			strbuf_grow(msg, plen);
			memmove(msg->buf + plen, msg->buf, msg->len + 1);
			memcpy(msg->buf, INDEX_ERROR_PREFIX, plen);
			msg->len += plen;
			return -1;
		}
		eval_index_from(&ix, &idx);
	} else {
		eval_index_from(&ix, NULL);
	}
	if (expr_eval_node(r, n->u.index.obj, &obj) < 0)
		return -1;
	eval_access(r, &obj, &ix, NULL, out);
	return 0;
}

static int eval_compare_op(enum expr_tok op, struct val a, struct val b)
{
	switch (op) {
	case EXPR_T_EQ:
		return expr_equals(a, b);
	case EXPR_T_NE:
		return !expr_equals(a, b);
	case EXPR_T_GT:
		return expr_greater(a, b);
	case EXPR_T_GE:
		return expr_equals(a, b) || expr_greater(a, b);
	case EXPR_T_LT:
		return expr_less(a, b);
	default:
		return expr_equals(a, b) || expr_less(a, b);
	}
}

static int eval_compare(struct expr_run *r, const struct expr_node *n, struct expr_ev *out)
{
	struct expr_ev left, right;

	if (expr_eval_node(r, n->u.list.args[0], &left) < 0)
		return -1;
	for (unsigned i = 1; i < n->u.list.nr; i++) {
		if (expr_eval_node(r, n->u.list.args[i], &right) < 0)
			return -1;
		left.v = expr_val_bool(eval_compare_op(n->u.list.ops[i - 1], left.v, right.v));
		left.filtered = 0;
	}
	*out = left;
	return 0;
}

/* && and ||: the first operand that decides, or the last; not booleans. */
static int eval_logical(struct expr_run *r, const struct expr_node *n, struct expr_ev *out)
{
	int stop_on = n->kind == EXPR_N_OR;

	for (unsigned i = 0; i < n->u.list.nr; i++) {
		if (expr_eval_node(r, n->u.list.args[i], out) < 0)
			return -1;
		if (expr_truthy(out->v) == stop_on)
			break;
	}
	return 0;
}

static int eval_call(struct expr_run *r, const struct expr_node *n, struct expr_ev *out)
{
	struct expr_ev small[8], *args = small;
	unsigned nr = n->u.call.nr;

	if (nr > sizeof(small) / sizeof(small[0]))
		args = arena_alloc(r->env->arena, nr * sizeof(*args));
	for (unsigned i = 0; i < nr; i++)
		if (expr_eval_node(r, n->u.call.args[i], &args[i]) < 0)
			return -1;
	if (!n->u.call.fn) {
		out->v = n->u.call.fixed;
		out->filtered = 0;
		return 0;
	}
	return n->u.call.fn->call(r, n, args, nr, out);
}

static int eval_dispatch(struct expr_run *r, const struct expr_node *n, struct expr_ev *out)
{
	struct val *found;

	out->filtered = 0;
	switch (n->kind) {
	case EXPR_N_LITERAL:
		out->v = n->u.literal;
		return 0;
	case EXPR_N_CONTEXT:
		found = r->env->contexts.kind == VAL_OBJECT ?
			expr_object_get_ascii(r->env->contexts, n->u.context.name,
					      n->u.context.len, n->u.context.cache) :
			NULL;
		out->v = found ? *found : expr_val_null();
		return 0;
	case EXPR_N_INDEX:
		return eval_index(r, n, out);
	case EXPR_N_PATH:
		return eval_path(r, n, out);
	case EXPR_N_NOT:
		if (expr_eval_node(r, n->u.operand, out) < 0)
			return -1;
		out->v = expr_val_bool(!expr_truthy(out->v));
		out->filtered = 0;
		return 0;
	case EXPR_N_AND:
	case EXPR_N_OR:
		return eval_logical(r, n, out);
	case EXPR_N_COMPARE:
		return eval_compare(r, n, out);
	case EXPR_N_CALL:
		return eval_call(r, n, out);
	}
	return 0;
}

/*
 * Evaluate n. As GitHub's evaluator, memory counts the results that are
 * alive: those of completed siblings on the path from the root, plus this
 * node's, whose operands' results are released when it completes.
 */
int expr_eval_node(struct expr_run *r, const struct expr_node *n, struct expr_ev *out)
{
	size_t mem = r->mem;

	if (eval_dispatch(r, n, out) < 0)
		return -1;
	r->mem = mem;
	if (out->v.kind == VAL_STRING) {
		if (expr_run_check_size(r, n, out->v.u.string.len) < 0)
			return -1;
		r->mem += eval_string_cost(out->v.u.string.len);
	}
	return 0;
}

int expr_eval(struct val *out, const struct expr *e, const struct expr_env *env,
	      struct expr_error *err)
{
	struct expr_run r;
	struct expr_ev ev;

	if (!e->root) {
		*out = expr_val_null();
		return 0;
	}
	r.e = e;
	r.env = env;
	r.err = err;
	r.mem = 0;
	if (expr_eval_node(&r, e->root, &ev) < 0)
		return -1;
	*out = ev.v;
	return 0;
}
