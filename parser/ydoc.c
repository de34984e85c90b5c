/*
 * ydoc: builds the positioned YAML tree from libyaml's event stream (the
 * only file that includes yaml.h), enforces the size/depth/expansion
 * limits and types scalars the way GitHub's reader does. It knows nothing
 * of workflows; schema checks live in parser/schema.c.
 */
#include "parser/ydoc.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

const struct ydoc_limits ydoc_default_limits = {
	.max_size = 4u << 20,
	.max_depth = 50,
	.max_nodes = 1000000,
};

#define YDOC_RULE "syntax-check"
#define YDOC_TAG_PREFIX "tag:yaml.org,2002:"
#define YDOC_DUP_SMALL 12
#define YDOC_MAX_ERRORS 1000

struct ydoc_anchor {
	char *name;                 /* malloc'd */
	struct ydoc_node *node;
	size_t weight;              /* expanded node count of node */
	size_t start_total;         /* loader total when the node began */
	int open;                   /* the node is still being read */
};

/* An open sequence or mapping; mappings hold keys and values interleaved. */
struct ydoc_frame {
	struct ydoc_node *node;
	struct ydoc_node **items;
	size_t nr, alloc;
	long anchor;                /* index in anchors, or -1 */
};

struct ydoc_loader {
	struct ydoc *doc;
	const struct ydoc_limits *lim;
	struct diag_list *diags;
	int errors;
	int fatal;
	size_t total;               /* nodes read so far, aliases expanded */
	int documents;
	struct ydoc_frame *frames;  /* frames[0..depth) are open; buffers are reused */
	size_t depth, frames_alloc;
	struct ydoc_anchor *anchors;
	size_t anchors_nr, anchors_alloc;
	long *slots;                /* open-addressing hash: anchor name -> index */
	size_t slots_nr;
};

static void ydoc_error(struct ydoc_loader *l, int line, int col, int fatal,
		       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void ydoc_error(struct ydoc_loader *l, int line, int col, int fatal,
		       const char *fmt, ...)
{
	va_list ap;

	if (fatal)
		l->fatal = 1;
	/* Thousands of duplicate keys are reported as the first thousand. */
	if (l->errors++ == YDOC_MAX_ERRORS)
		diag_add(l->diags, DIAG_NOTE, l->doc->file, line, col, YDOC_RULE,
			 "too many errors; the rest of the file is not reported");
	if (l->errors > YDOC_MAX_ERRORS)
		return;
	va_start(ap, fmt);
	diag_vadd(l->diags, DIAG_ERROR, l->doc->file, line, col, YDOC_RULE, fmt, ap);
	va_end(ap);
}

/* ---------------------------------------------------------------- text */

/* Length of the valid UTF-8 sequence at s (1..4), or 0. */
static size_t ydoc_utf8_len(const unsigned char *s, size_t avail)
{
	unsigned c = s[0];
	size_t n;
	unsigned cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	if (avail < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

/* 1-based line and column (in characters) of byte offset off. */
static void ydoc_offset_pos(const char *text, size_t off, int *line, int *col)
{
	int ln = 1, cl = 1;

	for (size_t i = 0; i < off; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c == '\n') {
			ln++;
			cl = 1;
		} else if ((c & 0xc0) != 0x80) {
			cl++;
		}
	}
	*line = ln;
	*col = cl;
}

/* Byte offset of the 0-based (line, column) libyaml reports, or len. */
static size_t ydoc_mark_offset(const char *text, size_t len, size_t line, size_t col)
{
	size_t i = 0;

	while (line > 0 && i < len) {
		if (text[i] == '\n' || (text[i] == '\r' && (i + 1 >= len || text[i + 1] != '\n')))
			line--;
		i++;
	}
	while (col > 0 && i < len) {
		i++;
		while (i < len && ((unsigned char)text[i] & 0xc0) == 0x80)
			i++;
		col--;
	}
	return i;
}

static int ydoc_check_utf8(struct ydoc_loader *l, const char *text, size_t len)
{
	for (size_t i = 0; i < len;) {
		size_t n;
		int line, col;

		if (!((unsigned char)text[i] & 0x80)) {
			i++;
			continue;
		}
		n = ydoc_utf8_len((const unsigned char *)text + i, len - i);
		if (n) {
			i += n;
			continue;
		}
		ydoc_offset_pos(text, i, &line, &col);
		ydoc_error(l, line, col, 1, "invalid UTF-8: byte 0x%02x cannot appear here",
			   (unsigned char)text[i]);
		return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------- scalar types */

enum ydoc_type {
	YDOC_T_NULL,
	YDOC_T_BOOL,
	YDOC_T_NUMBER,
	YDOC_T_STRING,
	YDOC_T_BAD_TAG,     /* a tag we do not support */
	YDOC_T_BAD_STYLE,   /* a typed tag on a quoted or block scalar */
	YDOC_T_BAD_VALUE,   /* text that is not of the tagged type */
};

static int ydoc_is_digits(const char *s, const char *end, int (*isdig)(int))
{
	if (s >= end)
		return 0;
	for (; s < end; s++)
		if (!isdig((unsigned char)*s))
			return 0;
	return 1;
}

static int ydoc_isdec(int c) { return c >= '0' && c <= '9'; }
static int ydoc_isoct(int c) { return c >= '0' && c <= '7'; }
static int ydoc_ishex(int c)
{
	return ydoc_isdec(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static double ydoc_radix_value(const char *s, const char *end, int radix)
{
	double v = 0;

	for (; s < end; s++) {
		int c = (unsigned char)*s;
		int d = ydoc_isdec(c) ? c - '0' : (c | 0x20) - 'a' + 10;

		v = v * radix + d;
	}
	return v;
}

static int ydoc_match_null(const char *s, size_t n)
{
	return n == 0 || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
	       !strcmp(s, "NULL");
}

static int ydoc_match_bool(const char *s, int *out)
{
	static const char *const names[] = { "true", "True", "TRUE", "false", "False", "FALSE" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i])) {
			*out = i < 3;
			return 1;
		}
	return 0;
}

/* [-+]?[0-9]+ | 0o[0-7]+ | 0x[0-9a-fA-F]+ */
static int ydoc_match_int(const char *s, size_t n, double *out)
{
	const char *end = s + n;
	const char *p = s;

	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o')) {
		int hex = s[1] == 'x';

		if (!ydoc_is_digits(s + 2, end, hex ? ydoc_ishex : ydoc_isoct))
			return 0;
		*out = ydoc_radix_value(s + 2, end, hex ? 16 : 8);
		return 1;
	}
	if (p < end && (*p == '-' || *p == '+'))
		p++;
	if (!ydoc_is_digits(p, end, ydoc_isdec))
		return 0;
	*out = strtod(s, NULL);
	return 1;
}

/* [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? | [-+]?\.inf | \.nan */
static int ydoc_match_float(const char *s, size_t n, double *out)
{
	const char *end = s + n;
	const char *p = s;
	int sign = 1, mant = 0;

	if (p < end && (*p == '-' || *p == '+'))
		sign = *p++ == '-' ? -1 : 1;
	if (!strcmp(p, ".inf") || !strcmp(p, ".Inf") || !strcmp(p, ".INF")) {
		*out = sign * HUGE_VAL;
		return 1;
	}
	if (p == s && (!strcmp(p, ".nan") || !strcmp(p, ".NaN") || !strcmp(p, ".NAN"))) {
		*out = NAN;
		return 1;
	}
	while (p < end && ydoc_isdec(*p))
		p++, mant = 1;
	if (p < end && *p == '.') {
		p++;
		while (p < end && ydoc_isdec(*p))
			p++, mant = 1;
	}
	if (!mant)
		return 0;
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '-' || *p == '+'))
			p++;
		if (!ydoc_is_digits(p, end, ydoc_isdec))
			return 0;
		p = end;
	}
	if (p != end)
		return 0;
	*out = strtod(s, NULL);
	return 1;
}

static enum ydoc_type ydoc_implicit(const char *s, size_t n, int *b, double *d)
{
	/* Most scalars are words: only these first characters can start a non-string. */
	if (n && !strchr("nN~tTfF0123456789+-.", s[0]))
		return YDOC_T_STRING;
	if (ydoc_match_null(s, n))
		return YDOC_T_NULL;
	if (ydoc_match_bool(s, b))
		return YDOC_T_BOOL;
	if (ydoc_match_int(s, n, d) || ydoc_match_float(s, n, d))
		return YDOC_T_NUMBER;
	return YDOC_T_STRING;
}

enum ydoc_tag_kind {
	YDOC_TAG_STR,
	YDOC_TAG_NULL,
	YDOC_TAG_BOOL,
	YDOC_TAG_INT,
	YDOC_TAG_FLOAT,
	YDOC_TAG_SEQ,
	YDOC_TAG_MAP,
	YDOC_TAG_UNKNOWN,
};

static const struct {
	const char *name;
	enum ydoc_tag_kind kind;
} ydoc_tags[] = {
	{ "!", YDOC_TAG_STR },
	{ YDOC_TAG_PREFIX "str", YDOC_TAG_STR },
	{ YDOC_TAG_PREFIX "null", YDOC_TAG_NULL },
	{ YDOC_TAG_PREFIX "bool", YDOC_TAG_BOOL },
	{ YDOC_TAG_PREFIX "int", YDOC_TAG_INT },
	{ YDOC_TAG_PREFIX "float", YDOC_TAG_FLOAT },
	{ YDOC_TAG_PREFIX "seq", YDOC_TAG_SEQ },
	{ YDOC_TAG_PREFIX "map", YDOC_TAG_MAP },
};

static enum ydoc_tag_kind ydoc_tag_kind(const char *tag)
{
	for (size_t i = 0; i < sizeof(ydoc_tags) / sizeof(ydoc_tags[0]); i++)
		if (!strcmp(tag, ydoc_tags[i].name))
			return ydoc_tags[i].kind;
	return YDOC_TAG_UNKNOWN;
}

static enum ydoc_type ydoc_resolve(const struct ydoc_node *n, int *b, double *d)
{
	const char *s = n->u.scalar.ptr;
	size_t len = n->u.scalar.len;
	enum ydoc_tag_kind tk;
	int ok;

	if (!n->tag)
		return n->style == YDOC_PLAIN ? ydoc_implicit(s, len, b, d) : YDOC_T_STRING;
	tk = ydoc_tag_kind(n->tag);
	if (tk == YDOC_TAG_STR)
		return YDOC_T_STRING;
	if (tk == YDOC_TAG_UNKNOWN || tk == YDOC_TAG_SEQ || tk == YDOC_TAG_MAP)
		return YDOC_T_BAD_TAG;
	if (n->style != YDOC_PLAIN)
		return YDOC_T_BAD_STYLE;
	switch (tk) {
	case YDOC_TAG_NULL:
		return ydoc_match_null(s, len) ? YDOC_T_NULL : YDOC_T_BAD_VALUE;
	case YDOC_TAG_BOOL:
		return ydoc_match_bool(s, b) ? YDOC_T_BOOL : YDOC_T_BAD_VALUE;
	case YDOC_TAG_INT:
		return ydoc_match_int(s, len, d) ? YDOC_T_NUMBER : YDOC_T_BAD_VALUE;
	default:
		ok = ydoc_match_int(s, len, d) || ydoc_match_float(s, len, d);
		return ok ? YDOC_T_NUMBER : YDOC_T_BAD_VALUE;
	}
}

struct val ydoc_scalar_value(struct arena *a, const struct ydoc_node *n)
{
	int b = 0;
	double d = 0;

	switch (ydoc_resolve(n, &b, &d)) {
	case YDOC_T_NULL:
		return val_null();
	case YDOC_T_BOOL:
		return val_bool(b);
	case YDOC_T_NUMBER:
		return val_number(d);
	default:
		return val_string(a, n->u.scalar.ptr, n->u.scalar.len);
	}
}

enum val_kind ydoc_scalar_kind(const struct ydoc_node *n)
{
	int b;
	double d;

	switch (ydoc_resolve(n, &b, &d)) {
	case YDOC_T_NULL:
		return VAL_NULL;
	case YDOC_T_BOOL:
		return VAL_BOOL;
	case YDOC_T_NUMBER:
		return VAL_NUMBER;
	default:
		return VAL_STRING;
	}
}

/* "!!int" for the core tags, the tag itself otherwise. */
static const char *ydoc_tag_display(struct arena *a, const char *tag)
{
	size_t plen = strlen(YDOC_TAG_PREFIX);

	if (!strncmp(tag, YDOC_TAG_PREFIX, plen))
		return arena_printf(a, "!!%s", tag + plen);
	return tag;
}

static void ydoc_check_tag(struct ydoc_loader *l, const struct ydoc_node *n)
{
	struct arena *a = &l->doc->arena;
	enum ydoc_tag_kind tk;
	int b;
	double d;

	if (!n->tag)
		return;
	if (n->kind != YDOC_SCALAR) {
		tk = ydoc_tag_kind(n->tag);
		if ((n->kind == YDOC_SEQUENCE && tk == YDOC_TAG_SEQ) ||
		    (n->kind == YDOC_MAPPING && tk == YDOC_TAG_MAP) || tk == YDOC_TAG_STR)
			return;
		ydoc_error(l, n->line, n->col, 0, "unsupported tag '%s' on a %s",
			   ydoc_tag_display(a, n->tag),
			   n->kind == YDOC_SEQUENCE ? "sequence" : "mapping");
		return;
	}
	switch (ydoc_resolve(n, &b, &d)) {
	case YDOC_T_BAD_TAG:
		ydoc_error(l, n->line, n->col, 0, "unsupported tag '%s'",
			   ydoc_tag_display(a, n->tag));
		break;
	case YDOC_T_BAD_STYLE:
		ydoc_error(l, n->line, n->col, 0,
			   "the tag '%s' cannot be used on a quoted or block scalar",
			   ydoc_tag_display(a, n->tag));
		break;
	case YDOC_T_BAD_VALUE:
		ydoc_error(l, n->line, n->col, 0, "'%s' is not a valid value for the tag '%s'",
			   n->u.scalar.ptr, ydoc_tag_display(a, n->tag));
		break;
	default:
		break;
	}
}

/* ---------------------------------------------------------------- anchors */

static size_t ydoc_hash(const char *s)
{
	size_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static long *ydoc_anchor_slot(struct ydoc_loader *l, const char *name)
{
	size_t mask = l->slots_nr - 1;
	size_t i = ydoc_hash(name) & mask;

	while (l->slots[i] >= 0 && strcmp(l->anchors[l->slots[i]].name, name))
		i = (i + 1) & mask;
	return &l->slots[i];
}

static void ydoc_anchor_rehash(struct ydoc_loader *l)
{
	size_t nr = l->slots_nr ? l->slots_nr * 2 : 64;

	free(l->slots);
	l->slots = xmalloc(nr * sizeof(*l->slots));
	l->slots_nr = nr;
	for (size_t i = 0; i < nr; i++)
		l->slots[i] = -1;
	for (size_t i = 0; i < l->anchors_nr; i++)
		*ydoc_anchor_slot(l, l->anchors[i].name) = (long)i;
}

/* Define (or redefine: the latest wins) an anchor for node; returns its index. */
static long ydoc_anchor_define(struct ydoc_loader *l, const char *name, struct ydoc_node *node)
{
	struct ydoc_anchor *an;
	long *slot;

	if ((l->anchors_nr + 1) * 2 > l->slots_nr)
		ydoc_anchor_rehash(l);
	ALLOC_GROW(l->anchors, l->anchors_nr + 1, l->anchors_alloc);
	an = &l->anchors[l->anchors_nr];
	an->name = xstrdup(name);
	an->node = node;
	an->weight = 1;
	an->start_total = l->total;
	an->open = node->kind != YDOC_SCALAR;
	slot = ydoc_anchor_slot(l, name);
	*slot = (long)l->anchors_nr;
	return (long)l->anchors_nr++;
}

static struct ydoc_anchor *ydoc_anchor_find(struct ydoc_loader *l, const char *name)
{
	long idx;

	if (!l->slots_nr)
		return NULL;
	idx = *ydoc_anchor_slot(l, name);
	return idx < 0 ? NULL : &l->anchors[idx];
}

/* ---------------------------------------------------------------- tree */

static int ydoc_count(struct ydoc_loader *l, size_t weight, int line, int col)
{
	l->total += weight;
	if (l->total > l->lim->max_nodes) {
		ydoc_error(l, line, col, 1,
			   "document too large: more than %zu nodes once aliases are expanded",
			   l->lim->max_nodes);
		return -1;
	}
	return 0;
}

static void ydoc_frame_push_item(struct ydoc_frame *f, struct ydoc_node *n)
{
	ALLOC_GROW(f->items, f->nr + 1, f->alloc);
	f->items[f->nr++] = n;
}

static void ydoc_attach(struct ydoc_loader *l, struct ydoc_node *n)
{
	struct ydoc_frame *f;

	if (!l->depth) {
		l->doc->root = n;
		return;
	}
	f = &l->frames[l->depth - 1];
	if (f->node->kind == YDOC_MAPPING && !(f->nr & 1) && n->kind != YDOC_SCALAR) {
		ydoc_error(l, n->line, n->col, 1, "a mapping key must be a scalar, not a %s",
			   n->kind == YDOC_SEQUENCE ? "sequence" : "mapping");
		return;
	}
	ydoc_frame_push_item(f, n);
}

static struct ydoc_node *ydoc_node_new(struct ydoc_loader *l, enum ydoc_kind kind,
				       const yaml_mark_t *mark, const yaml_char_t *tag)
{
	struct ydoc_node *n = arena_alloc(&l->doc->arena, sizeof(*n));

	n->kind = kind;
	n->text = l->doc->text;
	n->line = (int)mark->line + 1;
	n->col = (int)mark->column + 1;
	n->file = l->doc->file;
	if (tag)
		n->tag = arena_strdup(&l->doc->arena, (const char *)tag);
	return n;
}

static const enum ydoc_style ydoc_styles[] = {
	[YAML_ANY_SCALAR_STYLE] = YDOC_PLAIN,
	[YAML_PLAIN_SCALAR_STYLE] = YDOC_PLAIN,
	[YAML_SINGLE_QUOTED_SCALAR_STYLE] = YDOC_SINGLE_QUOTED,
	[YAML_DOUBLE_QUOTED_SCALAR_STYLE] = YDOC_DOUBLE_QUOTED,
	[YAML_LITERAL_SCALAR_STYLE] = YDOC_LITERAL,
	[YAML_FOLDED_SCALAR_STYLE] = YDOC_FOLDED,
};

static void ydoc_on_scalar(struct ydoc_loader *l, const yaml_event_t *ev)
{
	struct ydoc_node *n = ydoc_node_new(l, YDOC_SCALAR, &ev->start_mark,
					    ev->data.scalar.tag);
	char *s = arena_alloc(&l->doc->arena, ev->data.scalar.length + 1);

	memcpy(s, ev->data.scalar.value, ev->data.scalar.length);
	n->u.scalar.ptr = s;
	n->u.scalar.len = ev->data.scalar.length;
	n->style = ydoc_styles[ev->data.scalar.style];
	if (ydoc_count(l, 1, n->line, n->col))
		return;
	ydoc_check_tag(l, n);
	if (ev->data.scalar.anchor)
		ydoc_anchor_define(l, (const char *)ev->data.scalar.anchor, n);
	ydoc_attach(l, n);
}

static void ydoc_on_start(struct ydoc_loader *l, const yaml_event_t *ev, enum ydoc_kind kind)
{
	const yaml_char_t *anchor = kind == YDOC_SEQUENCE ? ev->data.sequence_start.anchor
							  : ev->data.mapping_start.anchor;
	const yaml_char_t *tag = kind == YDOC_SEQUENCE ? ev->data.sequence_start.tag
						       : ev->data.mapping_start.tag;
	struct ydoc_node *n = ydoc_node_new(l, kind, &ev->start_mark, tag);
	struct ydoc_frame *f;

	if (l->depth >= (size_t)l->lim->max_depth) {
		ydoc_error(l, n->line, n->col, 1, "maximum nesting depth of %d exceeded",
			   l->lim->max_depth);
		return;
	}
	if (ydoc_count(l, 1, n->line, n->col))
		return;
	ydoc_check_tag(l, n);
	if (l->depth == l->frames_alloc) {
		size_t old = l->frames_alloc;

		ALLOC_GROW(l->frames, l->depth + 1, l->frames_alloc);
		memset(l->frames + old, 0, (l->frames_alloc - old) * sizeof(*l->frames));
	}
	f = &l->frames[l->depth];
	f->node = n;
	f->nr = 0;
	f->anchor = anchor ? ydoc_anchor_define(l, (const char *)anchor, n) : -1;
	l->depth++;
}

struct ydoc_dup_ctx {
	struct ydoc_loader *l;
	const struct ydoc_pair *pairs;
	unsigned char *drop;        /* one flag per pair */
};

static void ydoc_mark_dup(void *ctx, const struct ydoc_pair *first, const struct ydoc_pair *dup)
{
	struct ydoc_dup_ctx *c = ctx;

	ydoc_error(c->l, dup->key->line, dup->key->col, 0,
		   "key '%s' is duplicated (first defined at line %d, column %d)",
		   dup->key->u.scalar.ptr, first->key->line, first->key->col);
	c->drop[dup - c->pairs] = 1;
}

/* Pairs from the frame; a repeated key is reported and its pair dropped. */
static void ydoc_finish_mapping(struct ydoc_loader *l, struct ydoc_node *n,
				const struct ydoc_frame *f)
{
	struct ydoc_pair *pairs;
	struct ydoc_dup_ctx c;
	size_t nr = f->nr / 2, kept = 0;
	int had = l->errors;

	pairs = arena_alloc(&l->doc->arena, (nr ? nr : 1) * sizeof(*pairs));
	for (size_t i = 0; i < nr; i++) {
		pairs[i].key = f->items[2 * i];
		pairs[i].value = f->items[2 * i + 1];
	}
	n->u.map.pairs = pairs;
	n->u.map.nr = nr;
	c.l = l;
	c.pairs = pairs;
	c.drop = xcalloc(nr ? nr : 1, 1);
	for (size_t i = 0; i < nr; i++) {
		const struct ydoc_node *k = pairs[i].key;

		/* YAML 1.1 merge keys: GitHub reads '<<' as no more than a key. */
		if (k->style == YDOC_PLAIN && !strcmp(k->u.scalar.ptr, "<<")) {
			ydoc_error(l, k->line, k->col, 0,
				   "YAML merge keys ('<<') are not supported; repeat the keys instead");
			c.drop[i] = 1;
		}
	}
	ydoc_map_each_dup(n, 0, ydoc_mark_dup, &c);
	if (l->errors != had) {
		for (size_t i = 0; i < nr; i++)
			if (!c.drop[i])
				pairs[kept++] = pairs[i];
		n->u.map.nr = kept;
	}
	free(c.drop);
}

static void ydoc_on_end(struct ydoc_loader *l)
{
	struct ydoc_frame *f = &l->frames[--l->depth];
	struct ydoc_node *n = f->node;

	if (n->kind == YDOC_SEQUENCE) {
		n->u.seq.items = arena_alloc(&l->doc->arena,
					     (f->nr ? f->nr : 1) * sizeof(*n->u.seq.items));
		if (f->nr)
			memcpy(n->u.seq.items, f->items, f->nr * sizeof(*f->items));
		n->u.seq.nr = f->nr;
	} else {
		ydoc_finish_mapping(l, n, f);
	}
	if (f->anchor >= 0) {
		struct ydoc_anchor *an = &l->anchors[f->anchor];

		an->open = 0;
		an->weight = l->total - an->start_total;
	}
	ydoc_attach(l, n);
}

static void ydoc_on_alias(struct ydoc_loader *l, const yaml_event_t *ev)
{
	const char *name = (const char *)ev->data.alias.anchor;
	struct ydoc_anchor *an = ydoc_anchor_find(l, name);
	int line = (int)ev->start_mark.line + 1, col = (int)ev->start_mark.column + 1;

	if (!an) {
		ydoc_error(l, line, col, 1, "unknown anchor '%s'", name);
		return;
	}
	if (an->open) {
		ydoc_error(l, line, col, 1, "alias '%s' refers to the node that contains it",
			   name);
		return;
	}
	if (ydoc_count(l, an->weight, line, col))
		return;
	ydoc_attach(l, an->node);
}

static void ydoc_on_parse_error(struct ydoc_loader *l, const yaml_parser_t *p)
{
	const char *text = l->doc->text;
	size_t len = l->doc->len;
	int line, col;
	size_t off;
	const char *tab = "";

	if (p->error == YAML_READER_ERROR) {
		off = p->problem_offset < len ? p->problem_offset : len;
		ydoc_offset_pos(text, off, &line, &col);
	} else {
		line = (int)p->problem_mark.line + 1;
		col = (int)p->problem_mark.column + 1;
		off = ydoc_mark_offset(text, len, p->problem_mark.line, p->problem_mark.column);
		if (off < len && text[off] == '\t')
			tab = " (tabs cannot be used for indentation)";
	}
	if (p->error == YAML_MEMORY_ERROR)
		ydoc_error(l, 0, 0, 1, "out of memory while parsing YAML");
	else if (p->context)
		ydoc_error(l, line, col, 1, "yaml: %s %s%s", p->problem, p->context, tab);
	else
		ydoc_error(l, line, col, 1, "yaml: %s%s", p->problem ? p->problem : "syntax error",
			   tab);
}

/* Returns 1 to go on reading events, 0 at the end or after a fatal error. */
static int ydoc_on_event(struct ydoc_loader *l, const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (l->documents++)
			ydoc_error(l, (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1,
				   1, "the file holds more than one YAML document");
		break;
	case YAML_SCALAR_EVENT:
		ydoc_on_scalar(l, ev);
		break;
	case YAML_SEQUENCE_START_EVENT:
		ydoc_on_start(l, ev, YDOC_SEQUENCE);
		break;
	case YAML_MAPPING_START_EVENT:
		ydoc_on_start(l, ev, YDOC_MAPPING);
		break;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		ydoc_on_end(l);
		break;
	case YAML_ALIAS_EVENT:
		ydoc_on_alias(l, ev);
		break;
	case YAML_STREAM_END_EVENT:
		return 0;
	default:
		break;
	}
	return !l->fatal;
}

static void ydoc_loader_release(struct ydoc_loader *l)
{
	for (size_t i = 0; i < l->frames_alloc; i++)
		free(l->frames[i].items);
	free(l->frames);
	for (size_t i = 0; i < l->anchors_nr; i++)
		free(l->anchors[i].name);
	free(l->anchors);
	free(l->slots);
}

static void ydoc_parse(struct ydoc_loader *l)
{
	yaml_parser_t p;
	yaml_event_t ev;
	int more = 1;

	if (!yaml_parser_initialize(&p)) {
		ydoc_error(l, 0, 0, 1, "out of memory while parsing YAML");
		return;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)l->doc->text, l->doc->len);
	yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);
	while (more) {
		if (!yaml_parser_parse(&p, &ev)) {
			ydoc_on_parse_error(l, &p);
			break;
		}
		more = ydoc_on_event(l, &ev);
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
}

static void ydoc_init_doc(struct ydoc *doc, const char *file)
{
	memset(doc, 0, sizeof(*doc));
	arena_init(&doc->arena);
	doc->file = arena_strdup(&doc->arena, file ? file : "<input>");
	doc->text = "";
}

static int ydoc_too_large(struct ydoc_loader *l, size_t len)
{
	if (len <= l->lim->max_size)
		return 0;
	ydoc_error(l, 0, 0, 1, "file too large: %zu bytes (the limit is %zu)", len,
		   l->lim->max_size);
	return 1;
}

static int ydoc_load_into(struct ydoc *doc, const char *text, size_t len,
			  const struct ydoc_limits *limits, struct diag_list *diags)
{
	struct ydoc_loader l;
	char *copy;

	memset(&l, 0, sizeof(l));
	l.doc = doc;
	l.lim = limits ? limits : &ydoc_default_limits;
	l.diags = diags;
	if (!ydoc_too_large(&l, len)) {
		copy = arena_alloc(&doc->arena, len + 1);
		memcpy(copy, text, len);
		doc->text = copy;
		doc->len = len;
		if (!ydoc_check_utf8(&l, copy, len))
			ydoc_parse(&l);
	}
	if (l.fatal)
		doc->root = NULL;
	ydoc_loader_release(&l);
	return l.errors ? -1 : 0;
}

int ydoc_load_limits(struct ydoc *doc, const char *file, const char *text, size_t len,
		     const struct ydoc_limits *limits, struct diag_list *diags)
{
	ydoc_init_doc(doc, file);
	return ydoc_load_into(doc, text, len, limits, diags);
}

int ydoc_load(struct ydoc *doc, const char *file, const char *text, size_t len,
	      struct diag_list *diags)
{
	return ydoc_load_limits(doc, file, text, len, NULL, diags);
}

static void ydoc_io_error(struct diag_list *diags, const char *path, const char *what, int err)
{
	struct strbuf msg = STRBUF_INIT;

	strbuf_add_strerror(&msg, err);
	diag_add(diags, DIAG_ERROR, path, 0, 0, NULL, "cannot %s: %s", what, msg.buf);
	strbuf_release(&msg);
}

int ydoc_load_file_limits(struct ydoc *doc, const char *path,
			  const struct ydoc_limits *limits, struct diag_list *diags)
{
	const struct ydoc_limits *lim = limits ? limits : &ydoc_default_limits;
	struct strbuf sb = STRBUF_INIT;
	struct stat st;
	int fd, ret;

	ydoc_init_doc(doc, path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ydoc_io_error(diags, path, "open the file", errno);
		return -1;
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		ydoc_io_error(diags, path, "read the file", EISDIR);
		return -1;
	}
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size > lim->max_size) {
		close(fd);
		diag_add(diags, DIAG_ERROR, path, 0, 0, YDOC_RULE,
			 "file too large: %zu bytes (the limit is %zu)", (size_t)st.st_size,
			 lim->max_size);
		return -1;
	}
	if (strbuf_read_fd(&sb, fd, lim->max_size + 1) < 0 && errno != EFBIG) {
		ydoc_io_error(diags, path, "read the file", errno);
		close(fd);
		strbuf_release(&sb);
		return -1;
	}
	close(fd);
	ret = ydoc_load_into(doc, sb.buf, sb.len, lim, diags);
	strbuf_release(&sb);
	return ret;
}

int ydoc_load_file(struct ydoc *doc, const char *path, struct diag_list *diags)
{
	return ydoc_load_file_limits(doc, path, NULL, diags);
}

void ydoc_release(struct ydoc *doc)
{
	arena_release(&doc->arena);
	doc->file = NULL;
	doc->root = NULL;
	doc->text = NULL;
	doc->len = 0;
}

/* ---------------------------------------------------------------- queries */

const struct ydoc_node *ydoc_map_get(const struct ydoc_node *map, const char *key)
{
	if (!map || map->kind != YDOC_MAPPING)
		return NULL;
	for (size_t i = 0; i < map->u.map.nr; i++)
		if (ydoc_scalar_is(map->u.map.pairs[i].key, key))
			return map->u.map.pairs[i].value;
	return NULL;
}

int ydoc_scalar_is(const struct ydoc_node *n, const char *s)
{
	return n && n->kind == YDOC_SCALAR && !strcmp(n->u.scalar.ptr, s);
}

struct ydoc_dup_sort {
	const struct ydoc_pair *pair;
	size_t index;
};

static int ydoc_dup_cmp_exact(const void *a, const void *b)
{
	const struct ydoc_dup_sort *x = a, *y = b;
	int c = strcmp(x->pair->key->u.scalar.ptr, y->pair->key->u.scalar.ptr);

	return c ? c : (x->index > y->index) - (x->index < y->index);
}

static int ydoc_dup_cmp_fold(const void *a, const void *b)
{
	const struct ydoc_dup_sort *x = a, *y = b;
	int c = strcasecmp(x->pair->key->u.scalar.ptr, y->pair->key->u.scalar.ptr);

	return c ? c : (x->index > y->index) - (x->index < y->index);
}

/* Small maps: pairwise, without allocating (most mappings have a few keys). */
static void ydoc_map_each_dup_small(const struct ydoc_node *map,
				    int (*eq)(const char *, const char *),
				    void (*fn)(void *ctx, const struct ydoc_pair *first,
					       const struct ydoc_pair *dup),
				    void *ctx)
{
	const struct ydoc_pair *p = map->u.map.pairs;

	for (size_t i = 1; i < map->u.map.nr; i++) {
		if (p[i].key->kind != YDOC_SCALAR)
			continue;
		for (size_t j = 0; j < i; j++)
			if (p[j].key->kind == YDOC_SCALAR &&
			    !eq(p[j].key->u.scalar.ptr, p[i].key->u.scalar.ptr)) {
				fn(ctx, &p[j], &p[i]);
				break;
			}
	}
}

void ydoc_map_each_dup(const struct ydoc_node *map, int fold,
		       void (*fn)(void *ctx, const struct ydoc_pair *first,
				  const struct ydoc_pair *dup),
		       void *ctx)
{
	int (*cmp)(const void *, const void *) = fold ? ydoc_dup_cmp_fold : ydoc_dup_cmp_exact;
	int (*eq)(const char *, const char *) = fold ? strcasecmp : strcmp;
	struct ydoc_dup_sort *v;
	size_t nr = 0, first = 0;

	if (!map || map->kind != YDOC_MAPPING || map->u.map.nr < 2)
		return;
	if (map->u.map.nr <= YDOC_DUP_SMALL) {
		ydoc_map_each_dup_small(map, eq, fn, ctx);
		return;
	}
	v = xmalloc(map->u.map.nr * sizeof(*v));
	for (size_t i = 0; i < map->u.map.nr; i++) {
		if (map->u.map.pairs[i].key->kind != YDOC_SCALAR)
			continue;
		v[nr].pair = &map->u.map.pairs[i];
		v[nr].index = i;
		nr++;
	}
	qsort(v, nr, sizeof(*v), cmp);
	for (size_t i = 1; i < nr; i++) {
		if (!eq(v[first].pair->key->u.scalar.ptr, v[i].pair->key->u.scalar.ptr)) {
			fn(ctx, v[first].pair, v[i].pair);
			continue;
		}
		first = i;
	}
	free(v);
}

struct val ydoc_to_val(struct arena *a, const struct ydoc_node *n)
{
	struct val v;

	if (!n)
		return val_null();
	switch (n->kind) {
	case YDOC_SEQUENCE:
		v = val_new_array(a);
		for (size_t i = 0; i < n->u.seq.nr; i++)
			val_array_push(a, v, ydoc_to_val(a, n->u.seq.items[i]));
		return v;
	case YDOC_MAPPING:
		v = val_new_object(a);
		for (size_t i = 0; i < n->u.map.nr; i++) {
			const struct ydoc_node *k = n->u.map.pairs[i].key;

			val_object_set(a, v, k->u.scalar.ptr, k->u.scalar.len,
				       ydoc_to_val(a, n->u.map.pairs[i].value));
		}
		return v;
	default:
		return ydoc_scalar_value(a, n);
	}
}
