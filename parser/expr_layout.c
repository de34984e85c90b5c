/*
 * expr_layout: lays a parsed tree out for evaluation — one contiguous
 * copy, each node followed by what it reads (its keys, a path's names,
 * argument and operator arrays, literal text) and then its children —
 * so that evaluating a batch of expressions over and over touches few
 * lines of cache. The parse's own nodes stay behind, cold: a path still
 * points at them for where its errors point, and its context node, which
 * its first name stands for, is not copied. Choosing how
 * nodes evaluate is expr_eval.c's.
 */
#include "parser/expr_int.h"

#include <string.h>

/* Every piece of the block starts 8-byte aligned. */
static size_t layout_align(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

static size_t layout_size(const struct expr_node *n);

static size_t layout_list_size(struct expr_node *const *args, unsigned nr)
{
	size_t size = layout_align(nr * sizeof(*args));

	for (unsigned i = 0; i < nr; i++)
		size += layout_size(args[i]);
	return size;
}

/* Bytes of the copy of the tree under n. */
static size_t layout_size(const struct expr_node *n)
{
	size_t size = layout_align(sizeof(*n));

	switch (n->kind) {
	case EXPR_N_LITERAL:
		if (n->u.literal.kind == VAL_STRING)
			size += layout_align(n->u.literal.u.string.len + 1);
		return size;
	case EXPR_N_CONTEXT:
		return size + layout_align(sizeof(struct expr_key));
	case EXPR_N_INDEX:
		if (n->u.index.key)
			size += layout_align(sizeof(struct expr_key));
		if (n->u.index.index)
			size += layout_size(n->u.index.index);
		return size + layout_size(n->u.index.obj);
	case EXPR_N_PATH:
		return size + layout_align((n->nr + 1) * sizeof(struct expr_key));
	case EXPR_N_NOT:
		return size + layout_size(n->u.operand);
	case EXPR_N_AND:
	case EXPR_N_OR:
		return size + layout_list_size(n->u.list.args, n->nr);
	case EXPR_N_COMPARE:
		return size + layout_align((n->nr - 1) * sizeof(*n->u.list.ops)) +
		       layout_list_size(n->u.list.args, n->nr);
	case EXPR_N_CALL:
		return size + layout_list_size(n->u.call.args, n->nr);
	}
	return size;
}

/* size bytes of the block at *at, which moves past them. */
static void *layout_take(char **at, size_t size)
{
	void *p = *at;

	*at += layout_align(size);
	return p;
}

static struct expr_node *layout_copy(const struct expr_node *n, char **at);

static struct expr_node **layout_list(struct expr_node *const *args, unsigned nr, char **at)
{
	struct expr_node **copy = layout_take(at, nr * sizeof(*copy));

	for (unsigned i = 0; i < nr; i++)
		copy[i] = layout_copy(args[i], at);
	return copy;
}

static struct expr_node *layout_copy(const struct expr_node *n, char **at)
{
	struct expr_node *c = layout_take(at, sizeof(*c));
	char *text;

	*c = *n;
	switch (n->kind) {
	case EXPR_N_LITERAL:
		if (n->u.literal.kind == VAL_STRING) {
			text = layout_take(at, n->u.literal.u.string.len + 1);
			memcpy(text, n->u.literal.u.string.ptr, n->u.literal.u.string.len + 1);
			c->u.literal.u.string.ptr = text;
		}
		break;
	case EXPR_N_CONTEXT:
		c->u.context.key = layout_take(at, sizeof(*c->u.context.key));
		*c->u.context.key = *n->u.context.key;
		break;
	case EXPR_N_INDEX:
		if (n->u.index.key) {
			c->u.index.key = layout_take(at, sizeof(*c->u.index.key));
			*c->u.index.key = *n->u.index.key;
		}
		if (n->u.index.index)
			c->u.index.index = layout_copy(n->u.index.index, at);
		c->u.index.obj = layout_copy(n->u.index.obj, at);
		break;
	case EXPR_N_PATH:
		c->u.path.keys = layout_take(at, (n->nr + 1) * sizeof(*c->u.path.keys));
		memcpy(c->u.path.keys, n->u.path.keys, (n->nr + 1) * sizeof(*c->u.path.keys));
		/* Its context is keys[0], its nodes only errors read: those stay behind. */
		break;
	case EXPR_N_NOT:
		c->u.operand = layout_copy(n->u.operand, at);
		break;
	case EXPR_N_AND:
	case EXPR_N_OR:
		c->u.list.args = layout_list(n->u.list.args, n->nr, at);
		break;
	case EXPR_N_COMPARE: {
		enum expr_tok *ops = layout_take(at, (n->nr - 1) * sizeof(*ops));

		memcpy(ops, n->u.list.ops, (n->nr - 1) * sizeof(*ops));
		c->u.list.ops = ops;
		c->u.list.args = layout_list(n->u.list.args, n->nr, at);
		break;
	}
	case EXPR_N_CALL:
		c->u.call.args = layout_list(n->u.call.args, n->nr, at);
		break;
	}
	return c;
}

struct expr_node *expr_layout(struct arena *a, const struct expr_node *root)
{
	size_t size = layout_size(root);
	char *block = arena_alloc_uninit(a, size), *at = block;
	struct expr_node *copy = layout_copy(root, &at);

	return copy;
}
