/*
 * value: construction and lookup of JSON-shaped values in an arena. How
 * values compare or coerce is the expression language's business, not
 * this file's.
 */
#include "util/value.h"
#include "util/intern.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct val val_null(void)
{
	struct val v;

	memset(&v, 0, sizeof(v));
	v.kind = VAL_NULL;
	return v;
}

struct val val_bool(int b)
{
	struct val v = val_null();

	v.kind = VAL_BOOL;
	v.u.boolean = !!b;
	return v;
}

struct val val_number(double n)
{
	struct val v = val_null();

	v.kind = VAL_NUMBER;
	v.u.number = n;
	return v;
}

struct val val_string_ref(const char *s, size_t len)
{
	struct val v = val_null();

	v.kind = VAL_STRING;
	v.u.string.ptr = s;
	v.u.string.len = len;
	return v;
}

struct val val_string(struct arena *a, const char *s, size_t len)
{
	return val_string_ref(arena_strndup(a, s, len), len);
}

struct val val_cstring(struct arena *a, const char *s)
{
	return val_string(a, s, strlen(s));
}

struct val val_new_array(struct arena *a)
{
	struct val v = val_null();

	v.kind = VAL_ARRAY;
	v.u.array = arena_alloc(a, sizeof(*v.u.array));
	return v;
}

struct val val_new_object(struct arena *a)
{
	struct val v = val_null();

	v.kind = VAL_OBJECT;
	v.u.object = arena_alloc(a, sizeof(*v.u.object));
	return v;
}

static void *val_grow(struct arena *a, void *items, size_t elsize, size_t nr, size_t *alloc)
{
	size_t n;

	if (nr <= *alloc)
		return items;
	n = *alloc ? *alloc * 2 : 4;
	while (n < nr)
		n *= 2;
	items = arena_realloc(a, items, *alloc * elsize, n * elsize);
	*alloc = n;
	return items;
}

void val_array_push(struct arena *a, struct val arr, struct val item)
{
	struct val_array *ar = arr.u.array;

	ar->items = val_grow(a, ar->items, sizeof(*ar->items), ar->nr + 1, &ar->alloc);
	ar->items[ar->nr++] = item;
}

struct val *val_object_get(struct val obj, const char *key, size_t key_len)
{
	struct val_object *o;

	if (obj.kind != VAL_OBJECT)
		return NULL;
	o = obj.u.object;
	for (size_t i = 0; i < o->nr; i++)
		if (o->members[i].key_len == key_len &&
		    !memcmp(o->members[i].key, key, key_len))
			return &o->members[i].value;
	return NULL;
}

struct val *val_object_getstr(struct val obj, const char *key)
{
	return val_object_get(obj, key, strlen(key));
}

struct val *val_object_geti(struct val obj, const char *key, size_t key_len)
{
	struct val_object *o;

	if (obj.kind != VAL_OBJECT)
		return NULL;
	o = obj.u.object;
	for (size_t i = 0; i < o->nr; i++)
		if (o->members[i].key_len == key_len &&
		    !strncasecmp(o->members[i].key, key, key_len))
			return &o->members[i].value;
	return NULL;
}

void val_object_set(struct arena *a, struct val obj, const char *key, size_t key_len,
		    struct val v)
{
	struct val_object *o = obj.u.object;
	struct val *old = val_object_get(obj, key, key_len);
	struct val_member *m;

	if (old) {
		*old = v;
		return;
	}
	o->members = val_grow(a, o->members, sizeof(*o->members), o->nr + 1, &o->alloc);
	m = &o->members[o->nr++];
	m->key = intern(key, key_len);
	if (!m->key)
		m->key = arena_strndup(a, key, key_len);
	m->key_len = key_len;
	m->value = v;
}

void val_object_setstr(struct arena *a, struct val obj, const char *key, struct val v)
{
	val_object_set(a, obj, key, strlen(key), v);
}

struct val val_copy(struct arena *a, struct val v)
{
	struct val out;

	switch (v.kind) {
	case VAL_STRING:
		return val_string(a, v.u.string.ptr, v.u.string.len);
	case VAL_ARRAY:
		out = val_new_array(a);
		for (size_t i = 0; i < v.u.array->nr; i++)
			val_array_push(a, out, val_copy(a, v.u.array->items[i]));
		return out;
	case VAL_OBJECT:
		out = val_new_object(a);
		for (size_t i = 0; i < v.u.object->nr; i++) {
			struct val_member *m = &v.u.object->members[i];
			val_object_set(a, out, m->key, m->key_len, val_copy(a, m->value));
		}
		return out;
	default:
		return v;
	}
}

const char *val_kind_name(enum val_kind k)
{
	static const char *const names[] = {
		[VAL_NULL] = "Null",
		[VAL_BOOL] = "Boolean",
		[VAL_NUMBER] = "Number",
		[VAL_STRING] = "String",
		[VAL_ARRAY] = "Array",
		[VAL_OBJECT] = "Object",
	};
	return names[k];
}

/*
 * Shortest decimal digits that read back as n: digits (no dot, no sign)
 * and the decimal exponent e such that n = 0.d1d2... * 10^e.
 */
static void val_shortest_digits(double n, char *digits, int *exp10)
{
	char buf[40];

	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*e", prec - 1, n);
		if (strtod(buf, NULL) == n)
			break;
	}
	/* buf is d[.ddd]e[+-]XX */
	{
		char *e = strchr(buf, 'e');
		int k = 0;

		for (char *p = buf; p < e; p++)
			if (*p >= '0' && *p <= '9')
				digits[k++] = *p;
		while (k > 1 && digits[k - 1] == '0')
			k--;
		digits[k] = '\0';
		*exp10 = atoi(e + 1) + 1;
	}
}

/* An integer's digits (and sign) into buf, NUL-terminated; returns the length. */
static size_t val_integer_to_buf(char *buf, long long i)
{
	unsigned long long u = i < 0 ? 0 - (unsigned long long)i : (unsigned long long)i, t = u;
	size_t len = (size_t)(i < 0) + 1;
	char *p;

	/* Count the digits, then write them from the last one back. */
	while (t >= 10) {
		t /= 10;
		len++;
	}
	p = buf + len;
	*p = '\0';
	do
		*--p = (char)('0' + u % 10);
	while (u /= 10);
	if (i < 0)
		*--p = '-';
	return len;
}

/*
 * Numbers that are not exact integers: the shortest digits that read
 * back, laid out as JavaScript does. Kept out of line so that the
 * integer path does not pay for this one's frame.
 */
static __attribute__((noinline)) size_t val_fraction_to_buf(char *buf, double n)
{
	char digits[40];
	char *p = buf;
	int e, k;

	if (isnan(n))
		return (size_t)sprintf(buf, "NaN");
	if (isinf(n))
		return (size_t)sprintf(buf, "%s", n < 0 ? "-Infinity" : "Infinity");
	if (n < 0) {
		*p++ = '-';
		n = -n;
	}
	val_shortest_digits(n, digits, &e);
	k = (int)strlen(digits);
	if (k <= e && e <= 21) {
		p += sprintf(p, "%s", digits);
		memset(p, '0', (size_t)(e - k));
		p += e - k;
	} else if (0 < e && e <= 21) {
		p += sprintf(p, "%.*s.%s", e, digits, digits + e);
	} else if (-6 < e && e <= 0) {
		p += sprintf(p, "0.");
		memset(p, '0', (size_t)-e);
		p += -e;
		p += sprintf(p, "%s", digits);
	} else {
		*p++ = digits[0];
		if (k > 1)
			p += sprintf(p, ".%s", digits + 1);
		p += sprintf(p, "e%c%d", e - 1 < 0 ? '-' : '+', abs(e - 1));
	}
	*p = '\0';
	return (size_t)(p - buf);
}

size_t val_number_to_buf(char *buf, double n)
{
	/* Exact integers (the common case, -0 too) print all their digits, no shortest-form search. */
	if (n > -9007199254740992.0 && n < 9007199254740992.0 && (double)(long long)n == n)
		return val_integer_to_buf(buf, (long long)n);
	return val_fraction_to_buf(buf, n);
}

void val_format_number(struct strbuf *sb, double n)
{
	char buf[VAL_NUMBER_MAX];

	strbuf_add(sb, buf, val_number_to_buf(buf, n));
}

int val_equal(struct val a, struct val b)
{
	if (a.kind != b.kind)
		return 0;
	switch (a.kind) {
	case VAL_NULL:
		return 1;
	case VAL_BOOL:
		return !a.u.boolean == !b.u.boolean;
	case VAL_NUMBER:
		return a.u.number == b.u.number || (isnan(a.u.number) && isnan(b.u.number));
	case VAL_STRING:
		return a.u.string.len == b.u.string.len &&
		       !memcmp(a.u.string.ptr, b.u.string.ptr, a.u.string.len);
	case VAL_ARRAY:
		if (a.u.array->nr != b.u.array->nr)
			return 0;
		for (size_t i = 0; i < a.u.array->nr; i++)
			if (!val_equal(a.u.array->items[i], b.u.array->items[i]))
				return 0;
		return 1;
	case VAL_OBJECT:
		if (a.u.object->nr != b.u.object->nr)
			return 0;
		for (size_t i = 0; i < a.u.object->nr; i++) {
			const struct val_member *m = &a.u.object->members[i];
			struct val *o = val_object_get(b, m->key, m->key_len);

			if (!o || !val_equal(m->value, *o))
				return 0;
		}
		return 1;
	}
	return 0;
}
