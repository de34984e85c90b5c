/*
 * expr_eval: walks a parsed expression over the caller's contexts —
 * operators, short-circuit logic, property access with the '*' filter, and
 * the memory accounting GitHub applies to results. Results live in
 * env->arena or in the contexts; nothing here calls malloc. The function
 * implementations are in expr_funcs.c, coercions in expr_coerce.c.
 */
#include "parser/expr_int.h"

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

/* GitHub's index: '*', a string key (primitives), a non-negative integer position. */
struct eval_index {
	int star;
	const char *str;        /* NULL: no key (containers) */
	size_t str_len;
	double pos;             /* -1: no position */
	char buf[VAL_NUMBER_MAX];
};

static void eval_index_from(struct eval_index *ix, const struct expr_ev *idx)
{
	double f;

	ix->star = !idx;
	ix->str = NULL;
	ix->pos = -1;
	if (!idx)
		return;
	if (expr_is_primitive(idx->v))
		ix->str = expr_coerce_chars(idx->v, ix->buf, &ix->str_len);
	f = expr_to_number(idx->v);
	if (isfinite(f) && f >= 0)
		ix->pos = floor(f);
}

static void eval_push(struct expr_run *r, struct val arr, struct val item)
{
	val_array_push(r->env->arena, arr, item);
}

static void eval_push_all(struct expr_run *r, struct val arr, struct val from)
{
	if (from.kind == VAL_ARRAY) {
		for (size_t i = 0; i < from.u.array->nr; i++)
			eval_push(r, arr, from.u.array->items[i]);
	} else {
		for (size_t i = 0; i < from.u.object->nr; i++)
			eval_push(r, arr, from.u.object->members[i].value);
	}
}

/* Index each element of a filtered array; what is found is collected flat. */
static struct val eval_filtered_access(struct expr_run *r, struct val fa,
				       const struct eval_index *ix)
{
	struct val out = val_new_array(r->env->arena);

	for (size_t i = 0; i < fa.u.array->nr; i++) {
		struct val item = fa.u.array->items[i];
		struct val *found;

		if (item.kind != VAL_OBJECT && item.kind != VAL_ARRAY)
			continue;
		if (ix->star) {
			eval_push_all(r, out, item);
		} else if (item.kind == VAL_OBJECT) {
			if (ix->str && (found = expr_object_get(item, ix->str, ix->str_len)))
				eval_push(r, out, *found);
		} else if (ix->pos >= 0 && ix->pos < (double)item.u.array->nr) {
			eval_push(r, out, item.u.array->items[(size_t)ix->pos]);
		}
	}
	return out;
}

static void eval_access(struct expr_run *r, const struct expr_ev *obj,
			const struct eval_index *ix, struct expr_ev *out)
{
	struct val *found;

	out->filtered = ix->star;
	switch (obj->v.kind) {
	case VAL_ARRAY:
		if (obj->filtered) {
			out->v = eval_filtered_access(r, obj->v, ix);
			out->filtered = 1;
		} else if (ix->star) {
			out->v = val_new_array(r->env->arena);
			eval_push_all(r, out->v, obj->v);
		} else if (ix->pos >= 0 && ix->pos < (double)obj->v.u.array->nr) {
			out->v = obj->v.u.array->items[(size_t)ix->pos];
		} else {
			out->v = val_null();
		}
		return;
	case VAL_OBJECT:
		if (ix->star) {
			out->v = val_new_array(r->env->arena);
			eval_push_all(r, out->v, obj->v);
		} else if (ix->str && (found = expr_object_get(obj->v, ix->str, ix->str_len))) {
			out->v = *found;
		} else {
			out->v = val_null();
		}
		return;
	default:
		out->v = ix->star ? val_new_array(r->env->arena) : val_null();
		return;
	}
}

static int eval_index(struct expr_run *r, const struct expr_node *n, struct expr_ev *out)
{
	struct expr_ev idx, obj;
	struct eval_index ix;

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
	eval_access(r, &obj, &ix, out);
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
		left.v = val_bool(eval_compare_op(n->u.list.ops[i - 1], left.v, right.v));
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
			expr_object_get(r->env->contexts, n->u.context.name, n->u.context.len) :
			NULL;
		out->v = found ? *found : val_null();
		return 0;
	case EXPR_N_INDEX:
		return eval_index(r, n, out);
	case EXPR_N_NOT:
		if (expr_eval_node(r, n->u.operand, out) < 0)
			return -1;
		out->v = val_bool(!expr_truthy(out->v));
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
		*out = val_null();
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
