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
	const char *text;           /* the whole document's text (struct ydoc's copy) */
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

/*
 * Bounds on what a document may cost. A node reached through n aliases
 * counts n times towards max_nodes, so alias bombs stop early.
 */
struct ydoc_limits {
	size_t max_size;            /* bytes of YAML text */
	int max_depth;              /* nested sequences/mappings (GitHub: 50) */
	size_t max_nodes;           /* nodes after alias expansion */
};

/* 4 MiB, depth 50, 1,000,000 nodes. */
extern const struct ydoc_limits ydoc_default_limits;

struct ydoc {
	struct arena arena;         /* owns every node */
	const char *file;           /* in the arena */
	struct ydoc_node *root;     /* NULL for an empty document */
	const char *text;           /* the source (in the arena), for caret displays */
	size_t len;
};

/*
 * Parse one YAML document. Errors (syntax, duplicate keys, limits) are
 * appended to diags as "file:line:col" with the rule "syntax-check";
 * returns 0 when none was added, -1 otherwise. After a duplicate key the
 * tree is complete (the later pair is dropped); after any other error
 * doc->root is NULL. The doc must be released with ydoc_release() either
 * way. text need not be NUL-terminated; it is copied.
 */
int ydoc_load(struct ydoc *doc, const char *file, const char *text, size_t len,
	      struct diag_list *diags);
int ydoc_load_file(struct ydoc *doc, const char *path, struct diag_list *diags);
/* The same with explicit limits (NULL: ydoc_default_limits). */
int ydoc_load_limits(struct ydoc *doc, const char *file, const char *text, size_t len,
		     const struct ydoc_limits *limits, struct diag_list *diags);
int ydoc_load_file_limits(struct ydoc *doc, const char *path,
			  const struct ydoc_limits *limits, struct diag_list *diags);
void ydoc_release(struct ydoc *doc);

/*
 * The file position of byte off (0 <= off <= len) of scalar n's value:
 * exact for every style, so escapes of double-quoted scalars, '' of
 * single-quoted ones, folded line breaks and the indentation of block
 * scalars are accounted for. Columns count characters, as node columns
 * do. An offset inside a folded line break or an escape gives where that
 * starts.
 */
void ydoc_scalar_position(const struct ydoc_node *n, size_t off, int *line, int *col);

/* The value of key in a mapping (exact match), or NULL. */
const struct ydoc_node *ydoc_map_get(const struct ydoc_node *map, const char *key);

/* True when n is a scalar equal to s. */
int ydoc_scalar_is(const struct ydoc_node *n, const char *s);

/*
 * Call fn for every pair of map whose key repeats an earlier key: exactly,
 * or ignoring ASCII case when fold is set. first is the earliest pair
 * with that key. O(n log n); non-scalar keys are ignored.
 */
void ydoc_map_each_dup(const struct ydoc_node *map, int fold,
		       void (*fn)(void *ctx, const struct ydoc_pair *first,
				  const struct ydoc_pair *dup),
		       void *ctx);

/*
 * A scalar's value as GitHub's workflow reader types it (YAML 1.2 core
 * schema): plain null/Null/NULL/~/empty, true/True/TRUE/false/..., integers
 * ([-+]digits, 0x.., 0o..), floats (1.5, 1e3, .inf, .nan) become
 * null/bool/number; "yes", "on", "010" stay what the core schema says
 * (string, string, 10). Quoted and block scalars, and a !!str tag, give
 * strings; !!int, !!float, !!bool, !!null force that type. Strings are
 * copied into a.
 */
struct val ydoc_scalar_value(struct arena *a, const struct ydoc_node *n);

/* The kind ydoc_scalar_value() would give (VAL_NULL..VAL_STRING), without allocating. */
enum val_kind ydoc_scalar_kind(const struct ydoc_node *n);

/*
 * The whole subtree as a value (no expression evaluation), allocated in a.
 * Mapping keys are the keys' text.
 */
struct val ydoc_to_val(struct arena *a, const struct ydoc_node *n);

#endif
