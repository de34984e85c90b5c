/*
 * schema: checks a ydoc tree against definition tables (one table per
 * mapping type: key, definition, required, where the value goes in the
 * model) in the manner of GitHub's template reader, and fills the model
 * while it walks. Unknown, duplicate and mistyped keys fall out of the
 * tables. Which tables exist (workflow, action) is up to their own files;
 * expressions are only recognised (`${{ }}` well formed), not parsed.
 */
#ifndef PARSER_SCHEMA_H
#define PARSER_SCHEMA_H

#include <stddef.h>

#include "parser/ydoc.h"
#include "util/arena.h"
#include "util/diag.h"

enum schema_kind {
	SCHEMA_STRING,      /* a scalar, read as text (numbers and booleans convert) */
	SCHEMA_BOOLEAN,
	SCHEMA_NUMBER,
	SCHEMA_NULL,
	SCHEMA_SEQUENCE,
	SCHEMA_MAPPING,
	SCHEMA_ONE_OF,      /* the first member that fits */
	SCHEMA_ANY,
};

enum schema_flags {
	SCHEMA_EXPR = 1 << 0,       /* ${{ }} may stand for this value and anything below */
	SCHEMA_NONEMPTY = 1 << 1,   /* SCHEMA_STRING: not "" */
	SCHEMA_REQUIRED = 1 << 2,   /* on a struct schema_key */
};

#define SCHEMA_NO_FIELD (-1)

struct schema_def;
struct schema_walk;

/* One row of a mapping table. */
struct schema_key {
	const char *name;
	const struct schema_def *def;
	unsigned flags;             /* SCHEMA_REQUIRED */
	long field;                 /* offset of a `const struct ydoc_node *` in the
				       model object that receives the value, or
				       SCHEMA_NO_FIELD */
	long sub;                   /* offset of an embedded struct that becomes the
				       model object below this key, or SCHEMA_NO_FIELD */
};

/*
 * Make the model object for one entry of a loose mapping (key set) or of
 * a sequence (key NULL): parent is the current model object, container
 * the mapping/sequence, index the entry's position in it. Returns the
 * object the entry's own keys are stored in (NULL: store nothing).
 */
typedef void *(*schema_open_fn)(struct schema_walk *w, void *parent,
				const struct ydoc_node *container, size_t index,
				const struct ydoc_node *key, const struct ydoc_node *value);

struct schema_def {
	enum schema_kind kind;
	unsigned flags;
	const char *what;                       /* "a boolean", "an event name" ... */
	const char *section;                    /* mappings: "job '%s'" (%s: the key) */
	const char *const *values;              /* STRING: the allowed values, or NULL */
	const struct schema_def *item;          /* SEQUENCE items; MAPPING loose values */
	const struct schema_def *loose_key;     /* MAPPING: other keys allowed (their def) */
	const struct schema_key *keys;          /* MAPPING: known keys ({NULL} ends) */
	const struct schema_def *const *one_of; /* ONE_OF members (NULL ends) */
	schema_open_fn open;                    /* SEQUENCE items / loose MAPPING entries */
};

/* Building blocks for tables; the _x forms may also be ${{ }}. */
extern const struct schema_def schema_any, schema_null, schema_string, schema_nonempty;
extern const struct schema_def schema_boolean, schema_number;
extern const struct schema_def schema_string_x, schema_boolean_x, schema_number_x;

/* What a walk needs and collects. */
struct schema_walk {
	struct diag_list *diags;
	struct arena *arena;                    /* for model objects made by open hooks */
	void *user;                             /* for the hooks */
	int errors;                             /* found; after 1000 they are counted, not added */
};

/*
 * Check node (the document root, or NULL for an empty document) against
 * def, storing values into obj as the tables say. `name` is how the root
 * is called in messages ("workflow"). Returns the number of errors added.
 */
int schema_check(struct schema_walk *w, const struct schema_def *def,
		 const struct ydoc_node *node, void *obj, const char *name);

/*
 * Where `${{` opens an expression in a scalar: 1 when the scalar holds at
 * least one well-formed ${{ }} whose value is not a plain quoted literal
 * (GitHub then treats the value as an expression), 0 when it holds none,
 * -1 when one is not closed or is empty (*why says which).
 */
int schema_scan_expression(const char *s, const char **why);

#endif
