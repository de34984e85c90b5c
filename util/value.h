/*
 * value: the JSON-shaped values every module passes around — expression
 * results and contexts, event payloads, run summaries, Docker API bodies.
 * Values live in an arena; a struct val is a small handle copied by value.
 * Arrays and objects are shared by reference (as in JavaScript).
 */
#ifndef UTIL_VALUE_H
#define UTIL_VALUE_H

#include <stddef.h>

#include "util/arena.h"
#include "util/strbuf.h"

enum val_kind {
	VAL_NULL,
	VAL_BOOL,
	VAL_NUMBER,
	VAL_STRING,
	VAL_ARRAY,
	VAL_OBJECT,
};

struct val_array;
struct val_object;

struct val {
	enum val_kind kind;
	union {
		int boolean;
		double number;
		struct {
			const char *ptr;    /* NUL-terminated; may contain NULs */
			size_t len;
		} string;
		struct val_array *array;
		struct val_object *object;
	} u;
};

struct val_array {
	size_t nr, alloc;
	struct val *items;
};

struct val_member {
	const char *key;            /* NUL-terminated; short keys are interned (util/intern.h) */
	size_t key_len;
	struct val value;
};

/* Members keep insertion order; keys are unique (exact, case-sensitive). */
struct val_object {
	size_t nr, alloc;
	struct val_member *members;
};

struct val val_null(void);
struct val val_bool(int b);
struct val val_number(double n);
/* Copy len bytes of s into the arena. */
struct val val_string(struct arena *a, const char *s, size_t len);
struct val val_cstring(struct arena *a, const char *s);
/* Refer to s without copying; s must outlive every use of the value. */
struct val val_string_ref(const char *s, size_t len);
struct val val_new_array(struct arena *a);
struct val val_new_object(struct arena *a);

void val_array_push(struct arena *a, struct val arr, struct val item);
/* Set key (copied) to v, replacing an existing member with the same key. */
void val_object_set(struct arena *a, struct val obj, const char *key, size_t key_len,
		    struct val v);
void val_object_setstr(struct arena *a, struct val obj, const char *key, struct val v);
/* Exact lookup; NULL when absent or obj is not an object. */
struct val *val_object_get(struct val obj, const char *key, size_t key_len);
struct val *val_object_getstr(struct val obj, const char *key);
/* ASCII case-insensitive lookup (GitHub's rule for contexts): first match wins. */
struct val *val_object_geti(struct val obj, const char *key, size_t key_len);

/* Deep copy into arena a. */
struct val val_copy(struct arena *a, struct val v);

/*
 * Deep equality: same kind, numbers equal as doubles (NaN equals NaN),
 * strings byte for byte, arrays item by item, objects with the same keys
 * (exact) holding equal values, in any order.
 */
int val_equal(struct val a, struct val b);

const char *val_kind_name(enum val_kind k);

/*
 * Append a number as JavaScript's Number.prototype.toString() prints it:
 * shortest round-trip digits, "1" for 1.0, exponent form outside
 * [1e-7, 1e21), "NaN", "Infinity", "-Infinity", "0" for -0.
 */
void val_format_number(struct strbuf *sb, double n);

/* Room for any number val_number_to_buf writes, with its NUL. */
#define VAL_NUMBER_MAX 32
/* val_format_number into buf (NUL-terminated); returns the length. */
size_t val_number_to_buf(char *buf, double n);

#endif
