/*
 * ydoc: YAML text -> a tree of nodes that remember their file, line and
 * column (libyaml's parser is used here and nowhere else). It knows YAML,
 * not workflows: no key is special. Hostile input (invalid UTF-8, deep
 * nesting, alias bombs, huge files) ends in a diagnostic, within bounded
 * time and memory.
 */
#ifndef PARSER_YDOC_H
#define PARSER_YDOC_H

#include <stddef.h>

#include "util/arena.h"
#include "util/diag.h"
#include "util/value.h"

enum ydoc_kind {
	YDOC_SCALAR,
	YDOC_SEQUENCE,
	YDOC_MAPPING,
};

enum ydoc_style {
	YDOC_PLAIN,
	YDOC_SINGLE_QUOTED,
	YDOC_DOUBLE_QUOTED,
	YDOC_LITERAL,       /* | */
	YDOC_FOLDED,        /* > */
};

struct ydoc_node;

struct ydoc_pair {
	struct ydoc_node *key;      /* a scalar for every key workflows use */
	struct ydoc_node *value;
};

struct ydoc_node {
	enum ydoc_kind kind;
	enum ydoc_style style;      /* scalars only */
	int line, col;              /* 1-based position of the node's first character */
	const char *file;           /* the document's file name */
	const char *tag;            /* explicit tag (e.g. "!!str"), or NULL */
	union {
		struct {
			const char *ptr;    /* NUL-terminated */
			size_t len;
		} scalar;
		struct {
			struct ydoc_node **items;
			size_t nr;
		} seq;
		struct {
			struct ydoc_pair *pairs;    /* in document order */
			size_t nr;
		} map;
	} u;
};

struct ydoc {
	struct arena arena;         /* owns every node */
	const char *file;           /* in the arena */
	struct ydoc_node *root;     /* NULL for an empty document */
	const char *text;           /* the source (in the arena), for caret displays */
	size_t len;
};

/*
 * Parse one YAML document. Errors (syntax, duplicate keys, limits) are
 * appended to diags as "file:line:col"; returns 0 when none was added,
 * -1 otherwise (doc->root may still hold what could be read). The doc
 * must be released with ydoc_release() either way.
 */
int ydoc_load(struct ydoc *doc, const char *file, const char *text, size_t len,
	      struct diag_list *diags);
int ydoc_load_file(struct ydoc *doc, const char *path, struct diag_list *diags);
void ydoc_release(struct ydoc *doc);

/* The value of key in a mapping (exact match), or NULL. */
const struct ydoc_node *ydoc_map_get(const struct ydoc_node *map, const char *key);

/* True when n is a scalar equal to s. */
int ydoc_scalar_is(const struct ydoc_node *n, const char *s);

/*
 * A scalar's value as GitHub's workflow reader types it: plain scalars
 * null/~/empty, true/false, integers (decimal, 0x, 0o), floats (.inf, .nan)
 * become null/bool/number; quoted or block scalars, and anything
 * else, are strings.
 */
struct val ydoc_scalar_value(struct arena *a, const struct ydoc_node *n);

/* The whole subtree as a value (no expression evaluation). */
struct val ydoc_to_val(struct arena *a, const struct ydoc_node *n);

#endif
