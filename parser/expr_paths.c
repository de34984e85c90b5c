/*
 * expr_paths: the context property paths a parsed expression reads, for
 * static checks of workflows (does needs.x.outputs.y exist?). It walks
 * the AST; it evaluates nothing.
 */
#include "parser/expr_int.h"

struct paths_walk {
	void (*fn)(void *data, const struct expr_name *names, unsigned nr, size_t off);
	void *data;
};

static void paths_node(struct paths_walk *w, const struct expr_node *n);

/* The literal name an index node reads, or NULL (a computed index or '*'). */
static const struct expr_node *paths_literal_index(const struct expr_node *n)
{
	const struct expr_node *idx = n->u.index.index;

	return idx && idx->kind == EXPR_N_LITERAL && idx->u.literal.kind == VAL_STRING ? idx : NULL;
}

/*
 * A chain of index nodes: report its context and the literal names up to
 * the first that is not, and walk the computed indexes.
 */
static void paths_chain(struct paths_walk *w, const struct expr_node *n)
{
	const struct expr_node *chain[64], *base = n;
	struct expr_name names[EXPR_PATH_NAMES];
	unsigned depth = 0, nr = 1;

	while (base->kind == EXPR_N_INDEX) {
		if (base->u.index.index && !paths_literal_index(base))
			paths_node(w, base->u.index.index);
		if (depth < sizeof(chain) / sizeof(chain[0]))
			chain[depth++] = base;
		base = base->u.index.obj;
	}
	if (base->kind == EXPR_N_PATH) {
		paths_node(w, base);
		return;
	}
	if (base->kind != EXPR_N_CONTEXT) {
		paths_node(w, base);
		return;
	}
	names[0].ptr = base->u.context.key->name;
	names[0].len = base->u.context.key->len;
	while (depth-- > 0 && nr < EXPR_PATH_NAMES) {
		const struct expr_node *lit = paths_literal_index(chain[depth]);

		if (!lit)
			break;
		names[nr].ptr = lit->u.literal.u.string.ptr;
		names[nr++].len = lit->u.literal.u.string.len;
	}
	w->fn(w->data, names, nr, base->pos->off);
}

static void paths_node(struct paths_walk *w, const struct expr_node *n)
{
	struct expr_name names[EXPR_PATH_NAMES];
	unsigned nr = 1;

	switch (n->kind) {
	case EXPR_N_LITERAL:
		return;
	case EXPR_N_CONTEXT:
		names[0].ptr = n->u.context.key->name;
		names[0].len = n->u.context.key->len;
		w->fn(w->data, names, 1, n->pos->off);
		return;
	case EXPR_N_PATH:
		/* keys[0] is the context's name; at[0] its node, which has its offset. */
		for (nr = 0; nr <= n->nr && nr < EXPR_PATH_NAMES; nr++) {
			names[nr].ptr = n->u.path.keys[nr].name;
			names[nr].len = n->u.path.keys[nr].len;
		}
		w->fn(w->data, names, nr, n->u.path.at[0]->pos->off);
		return;
	case EXPR_N_INDEX:
		paths_chain(w, n);
		return;
	case EXPR_N_NOT:
		paths_node(w, n->u.operand);
		return;
	case EXPR_N_AND:
	case EXPR_N_OR:
	case EXPR_N_COMPARE:
		for (unsigned i = 0; i < n->nr; i++)
			paths_node(w, n->u.list.args[i]);
		return;
	case EXPR_N_CALL:
		for (unsigned i = 0; i < n->nr; i++)
			paths_node(w, n->u.call.args[i]);
		return;
	}
}

void expr_each_path(const struct expr *e,
		    void (*fn)(void *data, const struct expr_name *names, unsigned nr, size_t off),
		    void *data)
{
	struct paths_walk w = { fn, data };

	if (e->root)
		paths_node(&w, e->root);
}
