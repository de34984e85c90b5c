/*
 * json_js: JSON text <-> struct val with JavaScript's exact semantics, for
 * everything that must agree with JavaScript line for line (fromJSON(),
 * toJSON(), eval --jsonl): JSON.parse's numbers (correctly rounded,
 * overflow to Infinity), duplicate keys (the last value wins, in the first
 * one's place), object key order (array-index keys first, ascending) and
 * lone surrogates; JSON.stringify's escapes and layout. Our own parser
 * (no jansson), allocating only in the caller's arena; bounded in depth
 * and output size. General JSON I/O stays with util/json.h.
 */
#ifndef UTIL_JSON_JS_H
#define UTIL_JSON_JS_H

#include <stddef.h>

#include "util/arena.h"
#include "util/strbuf.h"
#include "util/value.h"

/* Containers nested deeper than this are an error (JavaScript would overflow its stack). */
#define JSON_JS_MAX_DEPTH 5000

/*
 * Parse len bytes as JSON.parse would (JSON white space only: space, tab,
 * CR, LF) into *out, allocated in a; object keys are interned (util/intern.h),
 * which suits data looked up often, such as contexts. Returns 0, or -1 with
 * "<reason> at position N" (0-based byte offset) appended to err.
 */
int json_js_parse(struct val *out, struct arena *a, const char *text, size_t len,
		  struct strbuf *err);

enum json_js_parse_flags {
	JSON_JS_INTERN_KEYS = 1 << 0,   /* short object keys are interned, not copied */
};

/* json_js_parse with its choices spelled out: flags 0 copies every key into a. */
int json_js_parse_flags(struct val *out, struct arena *a, const char *text, size_t len,
			unsigned flags, struct strbuf *err);

/*
 * json_js_parse_flags, each object's members handed to fold (if not NULL)
 * once JSON.parse's own rules have made them (duplicate keys folded, keys
 * ordered), while they are fresh: fold may drop some, in place, and
 * returns how many it kept. For a caller's own rules on keys.
 */
int json_js_parse_fold(struct val *out, struct arena *a, const char *text, size_t len,
		       unsigned flags, size_t (*fold)(struct val_member *m, size_t nr),
		       struct strbuf *err);

enum json_js_flags {
	JSON_JS_PRETTY = 1 << 0,        /* JSON.stringify(v, null, 2) layout */
};

/*
 * Append v as JSON.stringify writes it (NaN and infinities as null).
 * Returns 0, or -1 when sb would grow past max bytes (0: no cap) or v
 * nests deeper than JSON_JS_MAX_DEPTH; sb then holds a partial text.
 */
int json_js_write(struct strbuf *sb, struct val v, unsigned flags, size_t max);

/*
 * json_js_write into arena memory: *out (NUL-terminated, *len bytes)
 * lives in a. Returns 0, or -1 as json_js_write does, *out then holding
 * the partial text (*len > max tells a cap from too deep a value).
 */
int json_js_write_arena(const char **out, size_t *len, struct arena *a, struct val v,
			unsigned flags, size_t max);

/* Append s as a JSON string literal, escaped as JSON.stringify does. */
void json_js_write_string(struct strbuf *sb, const char *s, size_t len);

#endif
