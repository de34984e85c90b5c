/*
 * template: evaluation of workflow values that may hold ${{ }} parts, with
 * GitHub's rules for whole-expression values, interpolation and if:
 * conditions. The expression language itself is parser/expr*.c; YAML
 * typing of plain scalars is parser/ydoc.c.
 */
#include "parser/template.h"
#include "util/utf8.h"

#include <string.h>

int tmpl_next_part(const char *s, size_t len, size_t pos, struct tmpl_part *part)
{
	const char *open = s + pos, *end = s + len;
	int in_string = 0;

	while ((open = memchr(open, '$', (size_t)(end - open))) &&
	       (end - open < 3 || open[1] != '{' || open[2] != '{'))
		open++;
	if (!open || end - open < 3)
		return 0;
	part->open = (size_t)(open - s);
	part->start = part->open + 3;
	for (size_t i = part->start; i < len; i++) {
		if (s[i] == '\'')
			in_string = !in_string;
		else if (!in_string && s[i] == '}' && i + 1 < len && s[i + 1] == '}') {
			part->end = i;
			part->close = i + 2;
			return 1;
		}
	}
	return -1;
}

static void tmpl_error(struct strbuf *err, const struct ydoc_node *node, size_t off,
		       const char *message)
{
	int line, col;

	if (!node || !node->file) {
		strbuf_addstr(err, message);
		return;
	}
	ydoc_scalar_position(node, off, &line, &col);
	strbuf_addf(err, "%s:%d:%d: %s", node->file, line, col, message);
}

static void tmpl_expr_error(struct strbuf *err, const struct ydoc_node *node,
			    const char *text, const struct tmpl_part *part,
			    const struct expr_error *xerr)
{
	struct strbuf msg = STRBUF_INIT;
	size_t off = part->start + expr_error_offset(xerr, text + part->start,
						     part->end - part->start);

	expr_error_format(&msg, xerr, text + part->start, part->end - part->start);
	tmpl_error(err, node, off, msg.buf);
	strbuf_release(&msg);
}

static const char tmpl_unclosed[] =
	"The expression is not closed. An unescaped ${{ sequence was found, "
	"but the closing }} sequence was not found.";

/* Parse and evaluate one part. */
static int tmpl_eval_part(struct val *out, const char *text, const struct tmpl_part *part,
			  const struct ydoc_node *node, const struct expr_names *names,
			  const struct expr_env *env, struct strbuf *err)
{
	struct expr_error xerr;
	struct expr *e;
	int ret = -1;

	expr_error_init(&xerr);
	if (expr_parse(&e, env->arena, text + part->start, part->end - part->start, names,
		       &xerr) < 0 ||
	    expr_eval(out, e, env, &xerr) < 0) {
		tmpl_expr_error(err, node, text, part, &xerr);
		goto out;
	}
	ret = 0;
out:
	expr_error_release(&xerr);
	return ret;
}

int tmpl_eval_string(struct strbuf *out, const char *text, size_t len,
		     const struct ydoc_node *node, const struct expr_names *names,
		     const struct expr_env *env, struct strbuf *err)
{
	size_t pos = 0;
	size_t start_len = out->len;

	for (;;) {
		struct tmpl_part part;
		struct val v;
		int found = tmpl_next_part(text, len, pos, &part);

		if (found < 0) {
			tmpl_error(err, node, part.open, tmpl_unclosed);
			strbuf_setlen(out, start_len);
			return -1;
		}
		if (!found)
			break;
		strbuf_add(out, text + pos, part.open - pos);
		if (tmpl_eval_part(&v, text, &part, node, names, env, err) < 0) {
			strbuf_setlen(out, start_len);
			return -1;
		}
		expr_coerce_string(out, v);
		pos = part.close;
	}
	strbuf_add(out, text + pos, len - pos);
	return 0;
}

/* Evaluate one scalar: typed YAML, one whole expression, or interpolation. */
static int tmpl_eval_scalar(struct val *out, const struct ydoc_node *node,
			    const struct expr_names *names, const struct expr_env *env,
			    struct strbuf *err)
{
	const char *text = node->u.scalar.ptr;
	size_t len = node->u.scalar.len;
	struct tmpl_part part;
	struct strbuf sb = STRBUF_INIT;
	int found = tmpl_next_part(text, len, 0, &part);

	if (found < 0) {
		tmpl_error(err, node, part.open, tmpl_unclosed);
		return -1;
	}
	if (!found) {
		*out = ydoc_scalar_value(env->arena, node);
		return 0;
	}
	if (part.open == 0 && part.close == len)
		return tmpl_eval_part(out, text, &part, node, names, env, err);
	if (tmpl_eval_string(&sb, text, len, node, names, env, err) < 0) {
		strbuf_release(&sb);
		return -1;
	}
	*out = val_string(env->arena, sb.buf, sb.len);
	strbuf_release(&sb);
	return 0;
}

int tmpl_eval(struct val *out, const struct ydoc_node *node, const struct expr_names *names,
	      const struct expr_env *env, struct strbuf *err)
{
	struct val v;

	if (!node) {
		*out = val_null();
		return 0;
	}
	switch (node->kind) {
	case YDOC_SCALAR:
		return tmpl_eval_scalar(out, node, names, env, err);
	case YDOC_SEQUENCE:
		*out = val_new_array(env->arena);
		for (size_t i = 0; i < node->u.seq.nr; i++) {
			if (tmpl_eval(&v, node->u.seq.items[i], names, env, err) < 0)
				return -1;
			val_array_push(env->arena, *out, v);
		}
		return 0;
	case YDOC_MAPPING:
		*out = val_new_object(env->arena);
		for (size_t i = 0; i < node->u.map.nr; i++) {
			const struct ydoc_pair *p = &node->u.map.pairs[i];
			struct strbuf key = STRBUF_INIT;
			int ret;

			ret = p->key->kind == YDOC_SCALAR
				? tmpl_eval_string(&key, p->key->u.scalar.ptr, p->key->u.scalar.len,
						   p->key, names, env, err)
				: 0;
			if (!ret)
				ret = tmpl_eval(&v, p->value, names, env, err);
			if (!ret)
				val_object_set(env->arena, *out, key.buf, key.len, v);
			strbuf_release(&key);
			if (ret < 0)
				return -1;
		}
		return 0;
	}
	return -1;
}

/*
 * The condition an if: holds, as a value: a bare string is one expression;
 * "${{ x }}" is x; text mixed with ${{ }} parts is the interpolated string
 * (truthy when not empty — GitHub's rule, a well-known trap).
 */
int tmpl_eval_if(const struct ydoc_node *node, const struct expr_names *names,
		 const struct expr_env *env, struct strbuf *err)
{
	const char *text;
	size_t len;
	struct tmpl_part part;
	struct expr_error xerr;
	struct expr *e = NULL;
	struct val v;
	int found, ret = -1;

	if (!node)
		return env->status == EXPR_STATUS_SUCCESS;
	if (node->kind != YDOC_SCALAR) {
		tmpl_error(err, node, 0, "an if: condition must be a string");
		return -1;
	}
	text = node->u.scalar.ptr;
	len = node->u.scalar.len;
	found = tmpl_next_part(text, len, 0, &part);
	if (found < 0) {
		tmpl_error(err, node, part.open, tmpl_unclosed);
		return -1;
	}
	if (found && !(part.open == 0 && part.close == len)) {
		struct strbuf sb = STRBUF_INIT;

		/* Mixed text: success() && (non-empty string). */
		if (env->status != EXPR_STATUS_SUCCESS)
			return 0;
		if (tmpl_eval_string(&sb, text, len, node, names, env, err) < 0)
			return -1;
		ret = sb.len > 0;
		strbuf_release(&sb);
		return ret;
	}
	if (!found) {
		part.open = 0;
		part.start = 0;
		part.end = len;
		part.close = len;
	}
	expr_error_init(&xerr);
	if (expr_parse(&e, env->arena, text + part.start, part.end - part.start, names,
		       &xerr) < 0) {
		tmpl_expr_error(err, node, text, &part, &xerr);
		goto out;
	}
	/* No status function: GitHub evaluates success() && (cond), short-circuited. */
	if (!expr_calls_status(e) && env->status != EXPR_STATUS_SUCCESS) {
		ret = 0;
		goto out;
	}
	if (expr_eval(&v, e, env, &xerr) < 0) {
		tmpl_expr_error(err, node, text, &part, &xerr);
		goto out;
	}
	ret = expr_truthy(v);
out:
	expr_error_release(&xerr);
	return ret;
}

/* The value of a string literal that is the whole (trimmed) text: 'it''s' gives it's. */
static int tmpl_string_literal(struct strbuf *out, const char *s, size_t len)
{
	size_t start = out->len;

	utf8_js_trim(&s, &len);
	if (len < 2 || s[0] != '\'' || s[len - 1] != '\'')
		return 0;
	for (size_t i = 1; i + 1 < len; i++) {
		if (s[i] == '\'' && (i + 2 >= len || s[++i] != '\'')) {
			strbuf_setlen(out, start);
			return 0;
		}
		strbuf_addch(out, s[i]);
	}
	return 1;
}

/* Append a literal piece of text to a format() string: ' { } doubled. */
static void tmpl_add_format_text(struct strbuf *out, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\'' || s[i] == '{' || s[i] == '}')
			strbuf_addch(out, s[i]);
		strbuf_addch(out, s[i]);
	}
}

int tmpl_to_expression(struct strbuf *out, const char *text, size_t len)
{
	struct strbuf args = STRBUF_INIT;
	struct tmpl_part part;
	size_t pos = 0, start = out->len;
	int found = tmpl_next_part(text, len, 0, &part), nr = 0;

	if (found <= 0)
		return found < 0 ? -1 : TMPL_LITERAL;
	if (part.open == 0 && part.close == len) {
		const char *e = text + part.start;
		size_t elen = part.end - part.start;

		if (tmpl_string_literal(out, e, elen))
			return TMPL_STRING;
		utf8_js_trim(&e, &elen);
		strbuf_add(out, e, elen);
		return TMPL_EXPRESSION;
	}
	strbuf_addstr(out, "format('");
	while (found > 0) {
		const char *e = text + part.start;
		size_t elen = part.end - part.start;

		tmpl_add_format_text(out, text + pos, part.open - pos);
		strbuf_addf(out, "{%d}", nr++);
		utf8_js_trim(&e, &elen);
		strbuf_addstr(&args, ", ");
		strbuf_add(&args, e, elen);
		pos = part.close;
		found = tmpl_next_part(text, len, pos, &part);
	}
	if (found < 0) {
		strbuf_setlen(out, start);
		strbuf_release(&args);
		return -1;
	}
	tmpl_add_format_text(out, text + pos, len - pos);
	strbuf_addch(out, '\'');
	strbuf_add(out, args.buf, args.len);
	strbuf_addch(out, ')');
	strbuf_release(&args);
	return TMPL_EXPRESSION;
}

int tmpl_if_normalize(struct strbuf *out, const struct ydoc_node *node,
		      const struct expr_names *names, struct arena *scratch)
{
	struct strbuf cond = STRBUF_INIT;
	struct arena_mark mark = arena_mark(scratch);
	struct expr_error xerr;
	struct expr *e;
	const char *text;
	size_t len;
	int kind;

	if (node && node->kind != YDOC_SCALAR)
		return -1;
	if (node && ydoc_scalar_kind(node) == VAL_NULL)
		node = NULL;
	text = node ? node->u.scalar.ptr : "";
	len = node ? node->u.scalar.len : 0;
	kind = tmpl_to_expression(&cond, text, len);
	if (kind < 0) {
		strbuf_release(&cond);
		return -1;
	}
	if (kind == TMPL_LITERAL) {
		utf8_js_trim(&text, &len);
		strbuf_add(&cond, text, len);
	}
	if (!cond.len) {
		strbuf_addstr(out, "success()");
		strbuf_release(&cond);
		return 0;
	}
	expr_error_init(&xerr);
	if (expr_parse(&e, scratch, cond.buf, cond.len, names, &xerr) < 0 || expr_calls_status(e))
		strbuf_add(out, cond.buf, cond.len);
	else
		strbuf_addf(out, "success() && (%s)", cond.buf);
	expr_error_release(&xerr);
	arena_reset(scratch, mark);
	strbuf_release(&cond);
	return 0;
}
