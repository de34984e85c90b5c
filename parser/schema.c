/*
 * schema: the table-driven walk of a ydoc tree. It follows GitHub's
 * template reader (one-of resolution by the keys present, case-insensitive
 * duplicate keys, where `${{ }}` may replace a value) but words its
 * messages for people and suggests near keys. The tables themselves live
 * in schema_workflow.c and action.c.
 */
#include "parser/schema.h"
#include "util/strbuf.h"
#include "util/suggest.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SCHEMA_RULE "syntax-check"
#define SCHEMA_MAX_MEMBERS 16
#define SCHEMA_MAX_EXPRESSION 21000
#define SCHEMA_SMALL_MAP 32
#define SCHEMA_MAX_ERRORS 1000

const struct schema_def schema_any = { .kind = SCHEMA_ANY };
const struct schema_def schema_null = { .kind = SCHEMA_NULL };
const struct schema_def schema_string = { .kind = SCHEMA_STRING };
const struct schema_def schema_nonempty = { .kind = SCHEMA_STRING, .flags = SCHEMA_NONEMPTY };
const struct schema_def schema_boolean = { .kind = SCHEMA_BOOLEAN };
const struct schema_def schema_number = { .kind = SCHEMA_NUMBER };
const struct schema_def schema_string_x = { .kind = SCHEMA_STRING, .flags = SCHEMA_EXPR };
const struct schema_def schema_boolean_x = { .kind = SCHEMA_BOOLEAN, .flags = SCHEMA_EXPR };
const struct schema_def schema_number_x = { .kind = SCHEMA_NUMBER, .flags = SCHEMA_EXPR };

/* Where the walk is: the key the value sits under, and whether ${{ }} may appear. */
struct schema_at {
	const char *name;
	int expr;
};

static void schema_error(struct schema_walk *w, const struct ydoc_node *n, const char *rule,
			 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void schema_error(struct schema_walk *w, const struct ydoc_node *n, const char *rule,
			 const char *fmt, ...)
{
	va_list ap;

	/* A runaway file (thousands of unknown keys) reports the first errors only. */
	if (w->errors++ == SCHEMA_MAX_ERRORS) {
		diag_add(w->diags, DIAG_NOTE, n->file, n->line, n->col, rule,
			 "too many errors; the rest of the file is not reported");
		return;
	}
	if (w->errors > SCHEMA_MAX_ERRORS)
		return;
	va_start(ap, fmt);
	diag_vadd(w->diags, DIAG_ERROR, n->file, n->line, n->col, rule, fmt, ap);
	va_end(ap);
}

static void schema_walk_value(struct schema_walk *w, const struct schema_def *def,
			      const struct ydoc_node *n, void *obj, struct schema_at at);

/* ---------------------------------------------------------------- expressions */

static int schema_is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* True when [s, e) (trimmed) is nothing but single-quoted strings: a literal. */
static int schema_is_literal(const char *s, const char *e)
{
	int in_string = 0;

	while (s < e && schema_is_space(*s))
		s++;
	while (e > s && schema_is_space(e[-1]))
		e--;
	if (s == e || *s != '\'')
		return 0;
	for (; s < e; s++) {
		if (*s == '\'')
			in_string = !in_string;
		else if (!in_string)
			return 0;
	}
	return !in_string;
}

int schema_scan_expression(const char *s, const char **why)
{
	const char *open = strstr(s, "${{");
	int segments = 0, literal = 0, insert = 0, whole = 0;

	if (!open)
		return 0;
	while (open) {
		const char *p = open + 3, *close = NULL, *q = open + 3;
		int in_string = 0;

		for (; *p; p++) {
			if (*p == '\'')
				in_string = !in_string;
			else if (!in_string && *p == '}' && p[-1] == '}' && p - 1 > open + 2) {
				close = p - 1;
				break;
			}
		}
		if (!close) {
			*why = "the expression is not closed: '${{' has no matching '}}'";
			return -1;
		}
		while (q < close && schema_is_space(*q))
			q++;
		if (q == close) {
			*why = "an expression was expected inside '${{ }}'";
			return -1;
		}
		if (!strncmp(q, "insert", 6) && (q + 6 == close || schema_is_space(q[6])))
			insert = 1;
		/* ${{ 'text' }} as the whole value is GitHub's way of writing a literal. */
		literal = open == s && close[2] == '\0' && schema_is_literal(open + 3, close);
		segments++;
		whole = open == s && close[2] == '\0';
		open = strstr(close + 2, "${{");
	}
	/* GitHub turns the whole value into one expression (format() when mixed). */
	if (strlen(s) > SCHEMA_MAX_EXPRESSION) {
		*why = "a value holding ${{ }} may be at most 21000 characters long";
		return -1;
	}
	if (insert && (segments > 1 || !whole)) {
		*why = "the directive 'insert' must be the whole value, not part of a string";
		return -1;
	}
	return !(segments == 1 && literal);
}

/* ---------------------------------------------------------------- descriptions */

static void schema_describe(struct strbuf *sb, const struct schema_def *def);

static void schema_describe_values(struct strbuf *sb, const char *const *values)
{
	size_t nr = 0;

	while (values[nr])
		nr++;
	for (size_t i = 0; i < nr; i++)
		strbuf_addf(sb, "%s'%s'", i == 0 ? "" : i + 1 == nr ? " or " : ", ", values[i]);
}

static void schema_describe(struct strbuf *sb, const struct schema_def *def)
{
	static const char *const names[] = {
		[SCHEMA_STRING] = "a string",
		[SCHEMA_BOOLEAN] = "a boolean",
		[SCHEMA_NUMBER] = "a number",
		[SCHEMA_NULL] = "nothing",
		[SCHEMA_SEQUENCE] = "a sequence",
		[SCHEMA_MAPPING] = "a mapping",
		[SCHEMA_ANY] = "any value",
	};
	size_t nr = 0;

	if (def->what) {
		strbuf_addstr(sb, def->what);
		return;
	}
	if (def->kind == SCHEMA_STRING && def->values) {
		schema_describe_values(sb, def->values);
		return;
	}
	if (def->kind == SCHEMA_STRING && (def->flags & SCHEMA_NONEMPTY)) {
		strbuf_addstr(sb, "a non-empty string");
		return;
	}
	if (def->kind != SCHEMA_ONE_OF) {
		strbuf_addstr(sb, names[def->kind]);
		return;
	}
	while (def->one_of[nr])
		nr++;
	for (size_t i = 0; i < nr; i++) {
		strbuf_addstr(sb, i == 0 ? "" : i + 1 == nr ? " or " : ", ");
		schema_describe(sb, def->one_of[i]);
	}
}

/* "'x'" for a scalar, "a sequence"/"a mapping" for collections. */
static void schema_describe_node(struct strbuf *sb, const struct ydoc_node *n)
{
	if (n->kind == YDOC_SEQUENCE)
		strbuf_addstr(sb, "a sequence");
	else if (n->kind == YDOC_MAPPING)
		strbuf_addstr(sb, "a mapping");
	else if (n->style == YDOC_PLAIN && !n->u.scalar.len)
		strbuf_addstr(sb, "an empty value");
	else
		strbuf_addf(sb, "'%s'", n->u.scalar.ptr);
}

/* Every allowed value of the string members of def, for suggestions. */
static void schema_collect_values(const struct schema_def *def, const char **out, size_t *nr,
				  size_t max)
{
	if (def->kind == SCHEMA_STRING && def->values) {
		for (const char *const *v = def->values; *v && *nr < max; v++)
			out[(*nr)++] = *v;
	} else if (def->kind == SCHEMA_ONE_OF) {
		for (const struct schema_def *const *m = def->one_of; *m; m++)
			schema_collect_values(*m, out, nr, max);
	}
}

static void schema_mismatch(struct schema_walk *w, const struct schema_def *def,
			    const struct ydoc_node *n, struct schema_at at)
{
	struct strbuf want = STRBUF_INIT, got = STRBUF_INIT;
	const char *values[128];
	size_t nr = 0;
	const char *near = NULL;

	schema_describe(&want, def);
	schema_describe_node(&got, n);
	if (n->kind == YDOC_SCALAR) {
		schema_collect_values(def, values, &nr, sizeof(values) / sizeof(values[0]) - 1);
		values[nr] = NULL;
		near = nr ? suggest_nearest(n->u.scalar.ptr, values) : NULL;
	}
	if (near)
		schema_error(w, n, SCHEMA_RULE, "expected %s for '%s', got %s; did you mean '%s'?",
			     want.buf, at.name, got.buf, near);
	else
		schema_error(w, n, SCHEMA_RULE, "expected %s for '%s', got %s", want.buf,
			     at.name, got.buf);
	strbuf_release(&want);
	strbuf_release(&got);
}

/* ---------------------------------------------------------------- scalars */

static int schema_in_values(const char *const *values, const char *s)
{
	for (; *values; values++)
		if (!strcmp(*values, s))
			return 1;
	return 0;
}

/* The text GitHub compares a non-string scalar by ("" for null). */
static void schema_scalar_text(struct strbuf *sb, const struct ydoc_node *n, enum val_kind kind)
{
	struct arena a = ARENA_INIT;
	struct val v;

	if (kind == VAL_STRING) {
		strbuf_add(sb, n->u.scalar.ptr, n->u.scalar.len);
		return;
	}
	v = ydoc_scalar_value(&a, n);
	if (v.kind == VAL_BOOL)
		strbuf_addstr(sb, v.u.boolean ? "true" : "false");
	else if (v.kind == VAL_NUMBER)
		val_format_number(sb, v.u.number);
	arena_release(&a);
}

static int schema_scalar_fits(const struct schema_def *def, const struct ydoc_node *n,
			      enum val_kind kind)
{
	struct strbuf text = STRBUF_INIT;
	int ok;

	switch (def->kind) {
	case SCHEMA_ANY:
		return 1;
	case SCHEMA_BOOLEAN:
		return kind == VAL_BOOL;
	case SCHEMA_NUMBER:
		return kind == VAL_NUMBER;
	case SCHEMA_NULL:
		return kind == VAL_NULL;
	case SCHEMA_STRING:
		if (!def->values && !(def->flags & SCHEMA_NONEMPTY))
			return 1;
		schema_scalar_text(&text, n, kind);
		ok = def->values ? schema_in_values(def->values, text.buf) : text.len > 0;
		strbuf_release(&text);
		return ok;
	case SCHEMA_ONE_OF:
		for (const struct schema_def *const *m = def->one_of; *m; m++)
			if (schema_scalar_fits(*m, n, kind))
				return 1;
		return 0;
	default:
		return 0;
	}
}

/* 1 when the scalar is an expression GitHub accepts here; errors are reported. */
static int schema_check_expression(struct schema_walk *w, const struct ydoc_node *n,
				   struct schema_at at)
{
	const char *why = NULL;
	int e = schema_scan_expression(n->u.scalar.ptr, &why);

	if (e < 0) {
		schema_error(w, n, "expression", "%s", why);
		return 1;
	}
	if (e > 0 && !at.expr) {
		schema_error(w, n, "expression", "an expression is not allowed in '%s'", at.name);
		return 1;
	}
	return e;
}

static void schema_walk_scalar(struct schema_walk *w, const struct schema_def *def,
			       const struct ydoc_node *n, struct schema_at at)
{
	if (schema_check_expression(w, n, at))
		return;
	if (!schema_scalar_fits(def, n, ydoc_scalar_kind(n)))
		schema_mismatch(w, def, n, at);
}

/* ---------------------------------------------------------------- collections */

static const struct schema_def *schema_member(const struct schema_def *def, enum schema_kind kind)
{
	if (def->kind == kind)
		return def;
	if (def->kind == SCHEMA_ONE_OF)
		for (const struct schema_def *const *m = def->one_of; *m; m++)
			if ((*m)->kind == kind)
				return *m;
	return NULL;
}

static int schema_member_expr(const struct schema_def *def, const struct schema_def *member,
			      int expr)
{
	return expr || (def->flags & SCHEMA_EXPR) || (member->flags & SCHEMA_EXPR);
}

static void schema_walk_any(struct schema_walk *w, const struct ydoc_node *n, struct schema_at at);

static void schema_walk_sequence(struct schema_walk *w, const struct schema_def *def,
				 const struct ydoc_node *n, void *obj, struct schema_at at)
{
	const struct schema_def *seq = schema_member(def, SCHEMA_SEQUENCE);

	if (def->kind == SCHEMA_ANY) {
		schema_walk_any(w, n, at);
		return;
	}
	if (!seq) {
		schema_mismatch(w, def, n, at);
		return;
	}
	at.expr = schema_member_expr(def, seq, at.expr);
	for (size_t i = 0; i < n->u.seq.nr; i++) {
		const struct ydoc_node *item = n->u.seq.items[i];
		void *child = seq->open ? seq->open(w, obj, n, i, NULL, item) : obj;

		schema_walk_value(w, seq->item, item, child, at);
	}
}

static const struct schema_key *schema_find_key(const struct schema_def *m, const char *name)
{
	if (!m->keys)
		return NULL;
	for (const struct schema_key *k = m->keys; k->name; k++)
		if (k->name[0] == name[0] && !strcmp(k->name, name))
			return k;
	return NULL;
}

/* The section name for messages: the member's, the def's, or the key quoted. */
static void schema_section(struct strbuf *sb, const struct schema_def *def,
			   const struct schema_def *member, const char *name)
{
	const char *fmt = member && member->section ? member->section : def->section;

	if (fmt)
		strbuf_addf(sb, fmt, name);
	else
		strbuf_addf(sb, "'%s'", name);
}

struct schema_dups {
	struct schema_walk *w;
	const struct ydoc_node *map;
	unsigned char *skip;
};

static void schema_on_dup(void *ctx, const struct ydoc_pair *first, const struct ydoc_pair *dup)
{
	struct schema_dups *d = ctx;

	schema_error(d->w, dup->key, SCHEMA_RULE,
		     "key '%s' is already defined as '%s' at line %d, column %d "
		     "(keys are case-insensitive)",
		     dup->key->u.scalar.ptr, first->key->u.scalar.ptr, first->key->line,
		     first->key->col);
	d->skip[dup - d->map->u.map.pairs] = 1;
}

/*
 * Flags, one per pair, of keys that repeat an earlier one (reported): in
 * buf when the mapping is small, else allocated (schema_free_dups frees it).
 */
static unsigned char *schema_mark_dups(struct schema_walk *w, const struct ydoc_node *n,
				       unsigned char *buf, size_t buf_size)
{
	struct schema_dups d;

	d.w = w;
	d.map = n;
	if (n->u.map.nr <= buf_size) {
		memset(buf, 0, buf_size);
		d.skip = buf;
	} else {
		d.skip = xcalloc(n->u.map.nr, 1);
	}
	ydoc_map_each_dup(n, 1, schema_on_dup, &d);
	return d.skip;
}

static void schema_free_dups(unsigned char *skip, const unsigned char *buf)
{
	if (skip != buf)
		free(skip);
}

static void schema_store(void *obj, long field, const struct ydoc_node *value)
{
	if (obj && field != SCHEMA_NO_FIELD)
		*(const struct ydoc_node **)((char *)obj + field) = value;
}

/* A key of a mapping that accepts any key of its loose_key type. */
static void schema_walk_loose(struct schema_walk *w, const struct schema_def *member,
			      const struct ydoc_node *n, size_t i, void *obj,
			      struct schema_at at)
{
	const struct ydoc_node *key = n->u.map.pairs[i].key;
	const struct ydoc_node *value = n->u.map.pairs[i].value;
	struct schema_at kat = at;
	void *child;

	kat.name = key->u.scalar.ptr;
	if (!schema_scalar_fits(member->loose_key, key, VAL_STRING)) {
		struct strbuf want = STRBUF_INIT;

		schema_describe(&want, member->loose_key);
		schema_error(w, key, SCHEMA_RULE, "invalid key '%s' in '%s': expected %s",
			     key->u.scalar.ptr, at.name, want.buf);
		strbuf_release(&want);
	}
	child = member->open ? member->open(w, obj, n, i, key, value) : obj;
	schema_walk_value(w, member->item, value, child, kat);
}

/*
 * The key of map, before index end, that a live member knows and member m
 * does not: what ruled m out. NULL when there is none.
 */
static const char *schema_excluding_key(const struct ydoc_node *map, size_t end,
					const struct schema_def *live_member,
					const struct schema_def *m)
{
	for (size_t i = 0; i < end; i++) {
		const char *k = map->u.map.pairs[i].key->u.scalar.ptr;

		if (schema_find_key(live_member, k) && !schema_find_key(m, k))
			return k;
	}
	return NULL;
}

/*
 * An unknown key: known to a member ruled out by an earlier key (returns 1:
 * a conflict), or a typo (returns 0).
 */
static int schema_unknown_key(struct schema_walk *w, const struct schema_def *def,
			       const struct schema_def **members, size_t nr, unsigned live,
			       const struct ydoc_node *map, size_t index, const char *name)
{
	const struct ydoc_node *key = map->u.map.pairs[index].key;
	struct strbuf section = STRBUF_INIT;
	const char *cands[128];
	size_t nc = 0;
	const char *k = key->u.scalar.ptr;
	const char *near;
	const struct schema_def *first_live = NULL;

	for (size_t m = 0; m < nr; m++)
		if (live & (1u << m)) {
			first_live = members[m];
			break;
		}
	schema_section(&section, def, first_live, name);
	for (size_t m = 0; m < nr; m++) {
		const char *by;

		if ((live & (1u << m)) || !schema_find_key(members[m], k))
			continue;
		by = schema_excluding_key(map, index, first_live, members[m]);
		if (by) {
			schema_error(w, key, SCHEMA_RULE, "'%s' cannot be used together with '%s' in %s",
				     k, by, section.buf);
			strbuf_release(&section);
			return 1;
		}
	}
	for (size_t m = 0; m < nr; m++)
		if (live & (1u << m))
			for (const struct schema_key *r = members[m]->keys;
			     r->name && nc < sizeof(cands) / sizeof(cands[0]) - 1; r++)
				cands[nc++] = r->name;
	cands[nc] = NULL;
	near = suggest_nearest(k, cands);
	if (near)
		schema_error(w, key, SCHEMA_RULE, "unexpected key '%s' in %s; did you mean '%s'?",
			     k, section.buf, near);
	else
		schema_error(w, key, SCHEMA_RULE, "unexpected key '%s' in %s", k, section.buf);
	strbuf_release(&section);
	return 0;
}

/* After the keys: one member must be left, with its required keys present. */
static void schema_check_required(struct schema_walk *w, const struct schema_def *def,
				  const struct schema_def **members, size_t nr, unsigned live,
				  const struct ydoc_node *map, const char *name)
{
	struct strbuf section = STRBUF_INIT, keys = STRBUF_INIT;
	size_t left = 0;

	for (size_t m = 0; m < nr; m++)
		left += !!(live & (1u << m));
	if (left > 1) {
		size_t n = 0, total = 0;

		for (size_t m = 0; m < nr; m++)
			if (live & (1u << m))
				for (const struct schema_key *k = members[m]->keys; k->name; k++)
					total += !!(k->flags & SCHEMA_REQUIRED);
		for (size_t m = 0; m < nr; m++) {
			if (!(live & (1u << m)))
				continue;
			for (const struct schema_key *k = members[m]->keys; k->name; k++)
				if (k->flags & SCHEMA_REQUIRED)
					strbuf_addf(&keys, "%s'%s'", !n++ ? "" : n == total ?
						    " or " : ", ", k->name);
		}
		schema_section(&section, def, NULL, name);
		schema_error(w, map, SCHEMA_RULE, "%s needs one of %s", section.buf, keys.buf);
	} else {
		for (size_t m = 0; m < nr; m++) {
			if (!(live & (1u << m)))
				continue;
			schema_section(&section, def, members[m], name);
			for (const struct schema_key *k = members[m]->keys; k->name; k++)
				if ((k->flags & SCHEMA_REQUIRED) && !ydoc_map_get(map, k->name))
					schema_error(w, map, SCHEMA_RULE,
						     "%s is missing the required key '%s'",
						     section.buf, k->name);
		}
	}
	strbuf_release(&section);
	strbuf_release(&keys);
}

static void schema_walk_mapping(struct schema_walk *w, const struct schema_def *def,
				const struct ydoc_node *n, void *obj, struct schema_at at)
{
	const struct schema_def *members[SCHEMA_MAX_MEMBERS];
	size_t nr = 0;
	unsigned live;
	int expr_key = 0, conflict = 0;
	unsigned char *skip, buf[SCHEMA_SMALL_MAP];

	if (def->kind == SCHEMA_ANY) {
		schema_walk_any(w, n, at);
		return;
	}
	if (def->kind == SCHEMA_MAPPING) {
		members[nr++] = def;
	} else if (def->kind == SCHEMA_ONE_OF) {
		for (const struct schema_def *const *m = def->one_of; *m; m++)
			if ((*m)->kind == SCHEMA_MAPPING && nr < SCHEMA_MAX_MEMBERS)
				members[nr++] = *m;
	}
	if (!nr) {
		schema_mismatch(w, def, n, at);
		return;
	}
	at.expr = schema_member_expr(def, members[0], at.expr);
	live = (1u << nr) - 1;
	skip = schema_mark_dups(w, n, buf, sizeof(buf));
	for (size_t i = 0; i < n->u.map.nr; i++) {
		const struct ydoc_node *key = n->u.map.pairs[i].key;
		const struct ydoc_node *value = n->u.map.pairs[i].value;
		const struct schema_key *found = NULL;
		const struct schema_def *loose = NULL;
		unsigned having = 0;
		struct schema_at kat = at;

		if (skip[i])
			continue;
		if (schema_check_expression(w, key, at)) {
			expr_key = 1;
			schema_walk_any(w, value, at);
			continue;
		}
		for (size_t m = 0; m < nr; m++) {
			const struct schema_key *k;

			if (!(live & (1u << m)))
				continue;
			k = schema_find_key(members[m], key->u.scalar.ptr);
			if (k) {
				having |= 1u << m;
				found = found ? found : k;
			} else if (!loose && members[m]->loose_key) {
				loose = members[m];
			}
		}
		if (found) {
			live = having;
			kat.name = found->name;
			schema_store(obj, found->field, value);
			schema_walk_value(w, found->def, value,
					  obj && found->sub != SCHEMA_NO_FIELD ?
					  (char *)obj + found->sub : obj, kat);
		} else if (loose) {
			schema_walk_loose(w, loose, n, i, obj, at);
		} else {
			conflict |= schema_unknown_key(w, def, members, nr, live, n, i, at.name);
		}
	}
	schema_free_dups(skip, buf);
	/* After a conflict, which member was meant is unclear: no "missing key" noise. */
	if (!expr_key && !conflict && (nr > 1 || members[0]->keys))
		schema_check_required(w, def, members, nr, live, n, at.name);
}

/* Any value: only duplicate keys and the form of ${{ }} are checked. */
static void schema_walk_any(struct schema_walk *w, const struct ydoc_node *n, struct schema_at at)
{
	unsigned char *skip, buf[SCHEMA_SMALL_MAP];

	switch (n->kind) {
	case YDOC_SCALAR:
		schema_check_expression(w, n, at);
		break;
	case YDOC_SEQUENCE:
		for (size_t i = 0; i < n->u.seq.nr; i++)
			schema_walk_any(w, n->u.seq.items[i], at);
		break;
	case YDOC_MAPPING:
		skip = schema_mark_dups(w, n, buf, sizeof(buf));
		for (size_t i = 0; i < n->u.map.nr; i++) {
			if (skip[i])
				continue;
			schema_check_expression(w, n->u.map.pairs[i].key, at);
			schema_walk_any(w, n->u.map.pairs[i].value, at);
		}
		schema_free_dups(skip, buf);
		break;
	}
}

static void schema_walk_value(struct schema_walk *w, const struct schema_def *def,
			      const struct ydoc_node *n, void *obj, struct schema_at at)
{
	if (def->flags & SCHEMA_EXPR)
		at.expr = 1;
	switch (n->kind) {
	case YDOC_SCALAR:
		schema_walk_scalar(w, def, n, at);
		break;
	case YDOC_SEQUENCE:
		schema_walk_sequence(w, def, n, obj, at);
		break;
	case YDOC_MAPPING:
		schema_walk_mapping(w, def, n, obj, at);
		break;
	}
}

int schema_check(struct schema_walk *w, const struct schema_def *def,
		 const struct ydoc_node *node, void *obj, const char *name)
{
	struct schema_at at = { name, 0 };
	int before = w->errors;

	if (node)
		schema_walk_value(w, def, node, obj, at);
	return w->errors - before;
}
