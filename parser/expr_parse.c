/*
 * expr_parse: tokens to AST by recursive descent, with GitHub's grammar,
 * error wording and depth accounting (the same operations count against
 * the limit of 50 as in GitHub's parser, so the same inputs are too deep).
 * Chains of same-precedence comparisons become one node each, so no input
 * nests the AST deeper than the depth limit allows. Evaluation is in
 * expr_eval.c.
 */
#include "parser/expr_int.h"
#include "util/intern.h"
#include "util/unicase.h"
#include "util/utf8.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum parse_error {
	PARSE_UNEXPECTED_SYMBOL,
	PARSE_UNEXPECTED_END,
	PARSE_UNRECOGNIZED_NAMED_VALUE,
	PARSE_MAX_DEPTH,
	PARSE_TOO_FEW,
	PARSE_TOO_MANY,
	PARSE_EVEN,
	PARSE_UNRECOGNIZED_FUNCTION,
};

static const char *const parse_error_text[] = {
	[PARSE_UNEXPECTED_SYMBOL] = "Unexpected symbol",
	[PARSE_UNEXPECTED_END] = "Unexpected end of expression",
	[PARSE_UNRECOGNIZED_NAMED_VALUE] = "Unrecognized named-value",
	[PARSE_MAX_DEPTH] = "Exceeded max expression depth 50",
	[PARSE_TOO_FEW] = "Too few parameters supplied",
	[PARSE_TOO_MANY] = "Too many parameters supplied",
	[PARSE_EVEN] = "Even number of parameters supplied, requires an odd number of parameters",
	[PARSE_UNRECOGNIZED_FUNCTION] = "Unrecognized function",
};

static const char *const parse_status_functions[] = {
	"success", "failure", "cancelled", "always",
};

struct parser {
	const struct expr_token *toks;
	size_t pos;
	int depth;
	struct arena *a;
	const char *text;
	const struct expr_names *names;
	struct expr_error *err;
	int failed;
	int calls_status;
};

#define NODE_VEC_INLINE 8

/*
 * A growable list of nodes (and operators) while a chain or argument list
 * is read: short lists stay in the struct, longer ones spill into the
 * arena, so parsing allocates nothing on the heap.
 */
struct node_vec {
	struct expr_node *inline_items[NODE_VEC_INLINE];
	enum expr_tok inline_ops[NODE_VEC_INLINE];
	struct expr_node **items;
	enum expr_tok *ops;         /* ops[i] sits between items[i] and items[i + 1] */
	size_t nr, alloc;
	struct arena *a;
};

static const struct expr_token *parse_peek(const struct parser *p)
{
	return &p->toks[p->pos];
}

static const struct expr_token *parse_previous(const struct parser *p)
{
	return &p->toks[p->pos - 1];
}

static int parse_at_end(const struct parser *p)
{
	return parse_peek(p)->type == EXPR_T_EOF;
}

static int parse_check(const struct parser *p, enum expr_tok t)
{
	return !parse_at_end(p) && parse_peek(p)->type == t;
}

static int parse_match(struct parser *p, enum expr_tok t)
{
	if (!parse_check(p, t))
		return 0;
	p->pos++;
	return 1;
}

static struct expr_node *parse_fail(struct parser *p, enum parse_error type,
				    const struct expr_token *tok)
{
	struct strbuf *msg = &p->err->message;

	p->failed = 1;
	p->err->stage = EXPR_PARSING;
	p->err->pos = tok->col;
	p->err->len = tok->width;
	strbuf_reset(msg);
	strbuf_addf(msg, "%s: '", parse_error_text[type]);
	if (tok->type == EXPR_T_EOF)
		strbuf_addstr(msg, "EOF");
	else if (tok->type == EXPR_T_STRING)
		strbuf_add(msg, tok->str, tok->str_len);
	else
		strbuf_add(msg, p->text + tok->off, tok->len);
	strbuf_addch(msg, '\'');
	return NULL;
}

static int parse_consume(struct parser *p, enum expr_tok t)
{
	if (parse_match(p, t))
		return 0;
	parse_fail(p, PARSE_UNEXPECTED_SYMBOL, parse_peek(p));
	return -1;
}

static int parse_incr_depth(struct parser *p)
{
	if (++p->depth > EXPR_MAX_DEPTH) {
		parse_fail(p, PARSE_MAX_DEPTH, parse_peek(p));
		return -1;
	}
	return 0;
}

/* A node whose source runs from byte off to the end of the last token read. */
static struct expr_node *parse_node(struct parser *p, enum expr_node_kind kind, size_t off,
				    const struct expr_token *at)
{
	struct expr_node *n = arena_alloc(p->a, sizeof(*n));
	struct expr_pos *pos = arena_alloc(p->a, sizeof(*pos));
	const struct expr_token *last = parse_previous(p);

	n->kind = kind;
	n->pos = pos;
	pos->off = (uint32_t)off;
	pos->len = last->off + last->len > off ? (uint32_t)(last->off + last->len - off) : 0;
	pos->col = at->col;
	pos->width = at->width;
	return n;
}

static void node_vec_init(struct node_vec *v, struct arena *a)
{
	v->items = v->inline_items;
	v->ops = v->inline_ops;
	v->nr = 0;
	v->alloc = NODE_VEC_INLINE;
	v->a = a;
}

static void node_vec_push(struct node_vec *v, struct expr_node *n)
{
	if (v->nr == v->alloc) {
		struct expr_node **items = arena_alloc(v->a, 2 * v->alloc * sizeof(*items));
		enum expr_tok *ops = arena_alloc(v->a, 2 * v->alloc * sizeof(*ops));

		memcpy(items, v->items, v->nr * sizeof(*items));
		memcpy(ops, v->ops, v->nr * sizeof(*ops));
		v->items = items;
		v->ops = ops;
		v->alloc *= 2;
	}
	v->items[v->nr++] = n;
}

/* The operator between the last node pushed and the next one. */
static void node_vec_push_op(struct node_vec *v, enum expr_tok op)
{
	v->ops[v->nr - 1] = op;
}

/* Move the collected nodes (and operators) into the arena. */
static void node_vec_finish(struct parser *p, struct node_vec *v, struct expr_node ***items,
			    const enum expr_tok **ops)
{
	*items = arena_alloc(p->a, v->nr * sizeof(**items));
	if (v->nr)
		memcpy(*items, v->items, v->nr * sizeof(**items));
	if (ops) {
		enum expr_tok *o = arena_alloc(p->a, v->nr * sizeof(*o));

		memcpy(o, v->ops, (v->nr - 1) * sizeof(*o));
		*ops = o;
	}
}

static struct expr_node *parse_expression(struct parser *p);

static struct expr_node *parse_literal(struct parser *p, struct val v)
{
	const struct expr_token *t = parse_previous(p);
	struct expr_node *n = parse_node(p, EXPR_N_LITERAL, t->off, t);

	n->u.literal = v;
	return n;
}

static struct expr_node *parse_primary(struct parser *p, int *indexable)
{
	const struct expr_token *t = parse_peek(p);
	struct expr_node *e;

	*indexable = 0;
	switch (parse_at_end(p) ? EXPR_T_EOF : t->type) {
	case EXPR_T_FALSE:
	case EXPR_T_TRUE:
		p->pos++;
		return parse_literal(p, val_bool(t->type == EXPR_T_TRUE));
	case EXPR_T_NULL:
		p->pos++;
		return parse_literal(p, val_null());
	case EXPR_T_NUMBER:
		p->pos++;
		return parse_literal(p, val_number(t->number));
	case EXPR_T_STRING:
		p->pos++;
		return parse_literal(p, val_string_ref(t->str, t->str_len));
	case EXPR_T_LPAREN:
		p->pos++;
		e = parse_expression(p);
		if (!e)
			return NULL;
		if (parse_at_end(p))
			return parse_fail(p, PARSE_UNEXPECTED_END, parse_previous(p));
		if (parse_consume(p, EXPR_T_RPAREN) < 0)
			return NULL;
		*indexable = 1;
		return e;
	case EXPR_T_EOF:
		return parse_fail(p, PARSE_UNEXPECTED_END, parse_previous(p));
	default:
		return parse_fail(p, PARSE_UNEXPECTED_SYMBOL, t);
	}
}

/*
 * A member name to look up, interned when it can be: keys interned too
 * are then one pointer compare away.
 */
static struct expr_key *parse_key(struct parser *p, const char *name, size_t len)
{
	struct expr_key *k = arena_alloc(p->a, sizeof(*k));

	k->name = intern(name, len);
	if (!k->name)
		k->name = name;
	k->len = (uint32_t)len;
	return k;
}

static int parse_is_context(const struct parser *p, const char *name, size_t len)
{
	const char *const *c = p->names ? p->names->contexts : NULL;

	if (!c)
		return 1;
	/* Identifiers are ASCII: a name of another length is another name. */
	for (; *c; c++)
		if (strlen(*c) == len && !unicase_compare(*c, len, name, len, UNICASE_LOWER))
			return 1;
	return 0;
}

/* GitHub's validateFunction: known name, argument count; binds the implementation. */
static struct expr_node *parse_bind_function(struct parser *p, const struct expr_token *ident,
					     struct expr_node *n)
{
	const char *name = p->text + ident->off;
	unsigned flags = p->names ? p->names->functions : 0;
	const struct expr_func *fn = expr_func_find(name, ident->len, flags);
	const struct expr_fixed_fn *fixed = NULL;
	unsigned min = 0, max = EXPR_MAX_ARGS;

	/* Of fixed functions whose names differ only in case, the last is meant (as in the oracle). */
	for (size_t i = p->names ? p->names->nr_fixed : 0; i-- > 0;) {
		const char *fname = p->names->fixed[i].name;

		if (!unicase_compare(fname, strlen(fname), name, ident->len, UNICASE_LOWER)) {
			fixed = &p->names->fixed[i];
			break;
		}
	}
	if (!fn && !fixed)
		return parse_fail(p, PARSE_UNRECOGNIZED_FUNCTION, ident);
	if (fn) {
		min = fn->min_args;
		max = fn->max_args;
	}
	if (n->nr < min)
		return parse_fail(p, PARSE_TOO_FEW, ident);
	if (n->nr > max)
		return parse_fail(p, PARSE_TOO_MANY, ident);
	if (ident->len == 4 && !strncasecmp(name, "case", 4) && n->nr % 2 == 0)
		return parse_fail(p, PARSE_EVEN, ident);
	if (fixed) {
		struct val *v = arena_alloc(p->a, sizeof(*v));

		*v = fixed->value;
		n->u.call.call = expr_call_fixed;
		n->u.call.data.fixed = v;
	} else {
		n->u.call.data.fn = fn;
	}
	for (size_t i = 0; i < sizeof(parse_status_functions) / sizeof(*parse_status_functions); i++)
		if (strlen(parse_status_functions[i]) == ident->len &&
		    !strncasecmp(parse_status_functions[i], name, ident->len))
			p->calls_status = 1;
	return n;
}

static struct expr_node *parse_call(struct parser *p, int *indexable)
{
	const struct expr_token *ident;
	struct node_vec args;
	struct expr_node *n;

	if (!parse_check(p, EXPR_T_IDENT))
		return parse_primary(p, indexable);
	*indexable = 1;
	ident = &p->toks[p->pos++];
	if (!parse_match(p, EXPR_T_LPAREN)) {
		if (!parse_is_context(p, p->text + ident->off, ident->len))
			return parse_fail(p, PARSE_UNRECOGNIZED_NAMED_VALUE, ident);
		n = parse_node(p, EXPR_N_CONTEXT, ident->off, ident);
		n->u.context.key = parse_key(p, p->text + ident->off, ident->len);
		return n;
	}
	node_vec_init(&args, p->a);
	while (!parse_match(p, EXPR_T_RPAREN)) {
		struct expr_node *arg = parse_expression(p);

		if (!arg || (!parse_check(p, EXPR_T_RPAREN) && parse_consume(p, EXPR_T_COMMA) < 0))
			return NULL;
		node_vec_push(&args, arg);
	}
	n = parse_node(p, EXPR_N_CALL, ident->off, ident);
	n->nr = (unsigned)args.nr;
	node_vec_finish(p, &args, &n->u.call.args, NULL);
	return parse_bind_function(p, ident, n);
}

/*
 * A chain of property accesses with literal names on a context (the most
 * common expression, alone or under other accesses) becomes one path
 * node that evaluation walks in a loop. Its meaning is that of the chain,
 * memory checks and where errors point included.
 */
static struct expr_node *parse_path(struct parser *p, struct expr_node *e)
{
	struct expr_node *base = e, *n;
	struct expr_key *keys;
	const struct expr_node **at;
	unsigned nr = 0;

	while (base->kind == EXPR_N_INDEX && base->u.index.key) {
		base = base->u.index.obj;
		nr++;
	}
	if (!nr || base->kind != EXPR_N_CONTEXT)
		return e;
	n = arena_alloc(p->a, sizeof(*n));
	*n = *e;
	n->kind = EXPR_N_PATH;
	n->nr = nr;
	n->u.path.max_name_len = 0;
	/* The context's own name first: the walk looks it up like the others. */
	keys = arena_alloc(p->a, (nr + 1) * sizeof(*keys));
	at = arena_alloc(p->a, (nr + 1) * sizeof(*at));
	keys[0] = *base->u.context.key;
	at[0] = base;
	for (struct expr_node *i = e; i != base; i = i->u.index.obj, nr--) {
		keys[nr] = *i->u.index.key;
		at[nr] = i;
		if (keys[nr].len > n->u.path.max_name_len)
			n->u.path.max_name_len = keys[nr].len;
	}
	n->u.path.keys = keys;
	n->u.path.at = at;
	return n;
}

static struct expr_node *parse_index(struct parser *p)
{
	struct expr_node *e, *idx, *n;
	int indexable, increased = 0;

	e = parse_call(p, &indexable);
	if (!e)
		return NULL;
	while (indexable) {
		const struct expr_token *at = parse_peek(p);

		if (parse_match(p, EXPR_T_LBRACKET)) {
			idx = NULL;
			if (!parse_match(p, EXPR_T_STAR) && !(idx = parse_expression(p)))
				return NULL;
			if (parse_consume(p, EXPR_T_RBRACKET) < 0 || parse_incr_depth(p) < 0)
				return NULL;
		} else if (parse_match(p, EXPR_T_DOT)) {
			if (parse_incr_depth(p) < 0)
				return NULL;
			idx = NULL;
			if (parse_match(p, EXPR_T_IDENT)) {
				const struct expr_token *name = parse_previous(p);

				idx = parse_literal(p, val_string_ref(p->text + name->off, name->len));
			} else if (!parse_match(p, EXPR_T_STAR)) {
				return parse_fail(p, PARSE_UNEXPECTED_SYMBOL, parse_peek(p));
			}
		} else {
			break;
		}
		increased++;
		n = parse_node(p, EXPR_N_INDEX, e->pos->off, at);
		n->u.index.index = idx;
		if (idx && idx->kind == EXPR_N_LITERAL && idx->u.literal.kind == VAL_STRING &&
		    utf8_is_ascii(idx->u.literal.u.string.ptr, idx->u.literal.u.string.len)) {
			n->u.index.key = parse_key(p, idx->u.literal.u.string.ptr,
						   idx->u.literal.u.string.len);
		} else {
			/* The names so far make a path under this access. */
			e = parse_path(p, e);
		}
		n->u.index.obj = e;
		e = n;
	}
	p->depth -= increased;
	return parse_path(p, e);
}

static struct expr_node *parse_unary(struct parser *p)
{
	const struct expr_token *bang = parse_peek(p);
	struct expr_node *operand, *n;

	if (!parse_match(p, EXPR_T_BANG))
		return parse_index(p);
	if (parse_incr_depth(p) < 0 || !(operand = parse_unary(p)))
		return NULL;
	p->depth--;
	n = parse_node(p, EXPR_N_NOT, bang->off, bang);
	n->u.operand = operand;
	return n;
}

static int parse_is_op(enum expr_tok t, const enum expr_tok *ops, size_t nops)
{
	for (size_t i = 0; i < nops; i++)
		if (t == ops[i])
			return 1;
	return 0;
}

/*
 * A left-to-right chain of binary operators of one precedence level:
 * operands come from next, operators are those in ops.
 */
static struct expr_node *parse_chain(struct parser *p, struct expr_node *(*next)(struct parser *),
				     const enum expr_tok *ops, size_t nops)
{
	struct node_vec v;
	const struct expr_token *first_op = NULL;
	struct expr_node *e = next(p), *n;

	if (!e)
		return NULL;
	node_vec_init(&v, p->a);
	while (!parse_at_end(p) && parse_is_op(parse_peek(p)->type, ops, nops)) {
		const struct expr_token *op = &p->toks[p->pos++];
		struct expr_node *right;

		if (!first_op) {
			first_op = op;
			node_vec_push(&v, e);
		}
		node_vec_push_op(&v, op->type);
		node_vec_push(&v, NULL);
		right = next(p);
		if (!right)
			return NULL;
		v.items[v.nr - 1] = right;
	}
	if (!first_op)
		return e;
	n = parse_node(p, EXPR_N_COMPARE, e->pos->off, first_op);
	n->nr = (unsigned)v.nr;
	node_vec_finish(p, &v, &n->u.list.args, &n->u.list.ops);
	return n;
}

static struct expr_node *parse_comparison(struct parser *p)
{
	static const enum expr_tok ops[] = { EXPR_T_GT, EXPR_T_GE, EXPR_T_LT, EXPR_T_LE };

	return parse_chain(p, parse_unary, ops, 4);
}

static struct expr_node *parse_equality(struct parser *p)
{
	static const enum expr_tok ops[] = { EXPR_T_NE, EXPR_T_EQ };

	return parse_chain(p, parse_comparison, ops, 2);
}

/* a && b && ... or a || b || ...: one node, one depth level, as GitHub counts it. */
static struct expr_node *parse_logical(struct parser *p, struct expr_node *(*next)(struct parser *),
				       enum expr_tok op, enum expr_node_kind kind)
{
	struct node_vec v;
	const struct expr_token *at;
	struct expr_node *e = next(p), *n;

	if (!e || !parse_check(p, op))
		return e;
	node_vec_init(&v, p->a);
	at = parse_peek(p);
	if (parse_incr_depth(p) < 0)
		return NULL;
	node_vec_push(&v, e);
	while (parse_match(p, op)) {
		struct expr_node *right = next(p);

		if (!right)
			return NULL;
		node_vec_push(&v, right);
	}
	p->depth--;
	n = parse_node(p, kind, e->pos->off, at);
	n->nr = (unsigned)v.nr;
	node_vec_finish(p, &v, &n->u.list.args, NULL);
	return n;
}

static struct expr_node *parse_and(struct parser *p)
{
	return parse_logical(p, parse_equality, EXPR_T_AND, EXPR_N_AND);
}

static struct expr_node *parse_expression(struct parser *p)
{
	struct expr_node *e;

	if (parse_incr_depth(p) < 0)
		return NULL;
	e = parse_logical(p, parse_and, EXPR_T_OR, EXPR_N_OR);
	p->depth--;
	return e;
}

int expr_parse(struct expr **out, struct arena *a, const char *text, size_t len,
	       const struct expr_names *names, struct expr_error *err)
{
	struct parser p;
	struct expr_token *toks;
	size_t nr;
	struct expr *e;
	struct expr_node *root = NULL;
	char *copy = arena_strndup(a, text, len);

	if (expr_lex(&toks, &nr, a, copy, len, err) < 0)
		return -1;
	memset(&p, 0, sizeof(p));
	p.toks = toks;
	p.a = a;
	p.text = copy;
	p.names = names;
	p.err = err;
	if (!parse_at_end(&p)) {
		root = parse_expression(&p);
		if (root && !parse_at_end(&p))
			parse_fail(&p, PARSE_UNEXPECTED_SYMBOL, parse_peek(&p));
	}
	if (p.failed)
		return -1;
	/* The expression just before its tree's copy, which evaluation reads next. */
	e = arena_alloc(a, sizeof(*e));
	e->text = copy;
	e->len = len;
	e->root = NULL;
	if (root) {
		e->root = expr_layout(a, root);
		expr_eval_compile(a, e->root);
	}
	e->calls_status = p.calls_status;
	*out = e;
	return 0;
}

int expr_calls_status(const struct expr *e)
{
	return e->calls_status;
}
