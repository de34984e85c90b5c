/*
 * json: JSON text <-> struct val. Parsing goes through jansson (the only
 * file that includes it); writing is ours, so that every JSON we print
 * (summaries, API bodies, toJSON) formats numbers and indentation one way.
 */
#ifndef UTIL_JSON_H
#define UTIL_JSON_H

#include <stddef.h>

#include "util/arena.h"
#include "util/strbuf.h"
#include "util/value.h"

/*
 * Parse len bytes of JSON text (any value at top level; integers become
 * doubles; duplicate keys: the last wins) into *out, allocated in a.
 * Returns 0, or -1 with "line L, column C: reason" in err.
 */
int json_parse(struct val *out, struct arena *a, const char *text, size_t len,
	       struct strbuf *err);

/* Read and parse a whole file; errors are prefixed with the path. */
int json_parse_file(struct val *out, struct arena *a, const char *path, struct strbuf *err);

enum json_write_flags {
	JSON_PRETTY = 1 << 0,   /* JSON.stringify(v, null, 2) layout */
};

/*
 * Append v as JSON. Numbers print as JavaScript does; NaN and infinities,
 * which JSON cannot hold, print as null.
 */
void json_write(struct strbuf *sb, struct val v, unsigned flags);
/* Append s as a quoted JSON string. */
void json_write_string(struct strbuf *sb, const char *s, size_t len);

#endif
