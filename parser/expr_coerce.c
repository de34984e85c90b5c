/*
 * expr_coerce: GitHub's value semantics — truthiness, conversion to
 * number (JavaScript's Number()) and to string (numbers with at most 15
 * decimals), loose equality and ordering with case-insensitive strings,
 * and case-insensitive member lookup. No evaluation, no allocation except
 * where a caller hands in an arena or buffer.
 */
#include "parser/expr_int.h"
#include "util/unicase.h"
#include "util/utf8.h"
#include "util/xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Bytes above which a number text is converted through a heap copy. */
#define NUMBER_TEXT_SMALL 64

int expr_truthy(struct val v)
{
	return expr_is_truthy(&v);
}

static double number_strtod(const char *s, size_t len, const char *prefix)
{
	char small[NUMBER_TEXT_SMALL], *buf;
	size_t plen = strlen(prefix);
	double d;

	buf = plen + len < sizeof(small) ? small : xmalloc(plen + len + 1);
	memcpy(buf, prefix, plen);
	memcpy(buf + plen, s, len);
	buf[plen + len] = '\0';
	d = strtod(buf, NULL);
	if (buf != small)
		free(buf);
	return d;
}

static int number_digit(char c, int radix)
{
	int d;

	if (c >= '0' && c <= '9')
		d = c - '0';
	else if (c >= 'a' && c <= 'z')
		d = c - 'a' + 10;
	else if (c >= 'A' && c <= 'Z')
		d = c - 'A' + 10;
	else
		return -1;
	return d < radix ? d : -1;
}

/*
 * 0x / 0o / 0b literals. Binary and octal digits are regrouped into hex so
 * that strtod rounds long ones correctly, as JavaScript does.
 */
static double number_radix(const char *s, size_t len, int radix)
{
	static const char hex[] = "0123456789abcdef";
	int bits = radix == 16 ? 4 : radix == 8 ? 3 : 1;
	size_t nbits = len * (size_t)bits, nhex = (nbits + 3) / 4;
	char *h;
	double d;

	if (!len)
		return NAN;
	for (size_t i = 0; i < len; i++)
		if (number_digit(s[i], radix) < 0)
			return NAN;
	if (radix == 16)
		return number_strtod(s, len, "0x");
	h = xmalloc(nhex);
	for (size_t k = 0; k < nhex; k++) {
		/* Hex digit k (from the right) covers bits 4k .. 4k+3 of the value. */
		int v = 0;

		for (int b = 3; b >= 0; b--) {
			size_t bit = k * 4 + (size_t)b, digit = bit / (size_t)bits;
			int dv = digit < len ? number_digit(s[len - 1 - digit], radix) : 0;

			v = v << 1 | (dv >> (bit % (size_t)bits) & 1);
		}
		h[nhex - 1 - k] = hex[v];
	}
	d = number_strtod(h, nhex, "0x");
	free(h);
	return d;
}

static size_t number_digits(const char *s, size_t i, size_t len)
{
	size_t start = i;

	while (i < len && s[i] >= '0' && s[i] <= '9')
		i++;
	return i - start;
}

double expr_string_to_number(const char *s, size_t len)
{
	size_t i = 0, intd, fracd = 0;

	utf8_js_trim(&s, &len);
	if (!len)
		return 0;
	if (len > 2 && s[0] == '0') {
		static const char marks[] = "xXoObB";
		static const int radix[] = { 16, 16, 8, 8, 2, 2 };
		const char *m = strchr(marks, s[1]);

		if (s[1] && m)
			return number_radix(s + 2, len - 2, radix[m - marks]);
	}
	if (s[0] == '+' || s[0] == '-')
		i++;
	if (len - i == 8 && !memcmp(s + i, "Infinity", 8))
		return s[0] == '-' ? -INFINITY : INFINITY;
	intd = number_digits(s, i, len);
	i += intd;
	if (i < len && s[i] == '.') {
		fracd = number_digits(s, i + 1, len);
		i += 1 + fracd;
	}
	if (!intd && !fracd)
		return NAN;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		size_t j = i + 1, expd;

		if (j < len && (s[j] == '+' || s[j] == '-'))
			j++;
		expd = number_digits(s, j, len);
		if (!expd)
			return NAN;
		i = j + expd;
	}
	if (i != len)
		return NAN;
	return number_strtod(s, len, "");
}

double expr_to_number(const struct val *v)
{
	switch (v->kind) {
	case VAL_NULL:
		return 0;
	case VAL_BOOL:
		return v->u.boolean;
	case VAL_NUMBER:
		return v->u.number;
	case VAL_STRING:
		return expr_string_to_number(v->u.string.ptr, v->u.string.len);
	default:
		return NAN;
	}
}

/*
 * x.toFixed(15) for 0 < x < 1e21 (JavaScript rounds the exact value half
 * up). glibc's printf rounds exact ties to even, and a tie at the 16th
 * decimal happens exactly when x has 16 fractional bits; then the exact
 * 16-decimal text ends in 5 and is rounded up by hand.
 */
static void number_to_fixed15(char *buf, size_t size, double x)
{
	double t = x * 65536.0, h = x * 32768.0;
	size_t n;

	if (t != floor(t) || h == floor(h)) {
		snprintf(buf, size, "%.15f", x);
		return;
	}
	n = (size_t)snprintf(buf, size, "%.16f", x);
	buf[--n] = '\0';
	for (size_t i = n; i-- > 0;) {
		if (buf[i] == '.')
			continue;
		if (buf[i] != '9') {
			buf[i]++;
			return;
		}
		buf[i] = '0';
	}
	memmove(buf + 1, buf, n + 1);
	buf[0] = '1';
}

size_t expr_number_to_string(char *buf, double n)
{
	char fixed[64];
	double ax = fabs(n), y;

	/*
	 * GitHub prints (+n.toFixed(15)).toString(): at most 15 decimals,
	 * without trailing zeros. Integers and huge or non-finite values
	 * print as JavaScript prints them.
	 */
	if (n > -9007199254740992.0 && n < 9007199254740992.0 && (double)(long long)n == n)
		return val_number_to_buf(buf, n);
	if (!isfinite(n) || ax >= 1e21 || ax == floor(ax))
		return val_number_to_buf(buf, n);
	number_to_fixed15(fixed, sizeof(fixed), ax);
	y = strtod(fixed, NULL);
	return val_number_to_buf(buf, n < 0 && y != 0 ? -y : y);
}

const char *expr_coerce_chars(const struct val *v, char *buf, size_t *len)
{
	static const char *const names[] = {
		[VAL_NULL] = "", [VAL_ARRAY] = "Array", [VAL_OBJECT] = "Object",
	};

	switch (v->kind) {
	case VAL_BOOL:
		*len = v->u.boolean ? 4 : 5;
		return v->u.boolean ? "true" : "false";
	case VAL_NUMBER:
		*len = expr_number_to_string(buf, v->u.number);
		return buf;
	case VAL_STRING:
		*len = v->u.string.len;
		return v->u.string.ptr;
	default:
		*len = strlen(names[v->kind]);
		return names[v->kind];
	}
}

void expr_coerce_string(struct strbuf *out, struct val v)
{
	char buf[VAL_NUMBER_MAX];
	size_t len;
	const char *s = expr_coerce_chars(&v, buf, &len);

	strbuf_add(out, s, len);
}

/*
 * GitHub's coercion before comparing values of different kinds (after
 * JavaScript's abstract equality, without converting containers): null
 * and booleans become numbers, and a string meeting a number becomes one.
 * A converted side is repointed at its number in *lt or *rt.
 */
static void coerce_pair(const struct val **l, const struct val **r, struct val *lt,
			struct val *rt)
{
	for (;;) {
		const struct val *a = *l, *b = *r;

		if (a->kind == b->kind)
			return;
		if (a->kind == VAL_NUMBER && b->kind == VAL_STRING) {
			*rt = val_number(expr_to_number(b));
			*r = rt;
			return;
		}
		if (a->kind == VAL_STRING && b->kind == VAL_NUMBER) {
			*lt = val_number(expr_to_number(a));
			*l = lt;
			return;
		}
		if (a->kind == VAL_NULL || a->kind == VAL_BOOL) {
			*lt = val_number(expr_to_number(a));
			*l = lt;
		} else if (b->kind == VAL_NULL || b->kind == VAL_BOOL) {
			*rt = val_number(expr_to_number(b));
			*r = rt;
		} else {
			return;
		}
	}
}

int expr_equals(const struct val *a, const struct val *b)
{
	struct val at, bt;

	/* The same spelling is the common case of string equality. */
	if (a->kind == VAL_STRING && b->kind == VAL_STRING && a->u.string.len == b->u.string.len &&
	    !memcmp(a->u.string.ptr, b->u.string.ptr, a->u.string.len))
		return 1;
	coerce_pair(&a, &b, &at, &bt);
	if (a->kind != b->kind)
		return 0;
	switch (a->kind) {
	case VAL_NULL:
		return 1;
	case VAL_BOOL:
		return a->u.boolean == b->u.boolean;
	case VAL_NUMBER:
		return a->u.number == b->u.number;
	case VAL_STRING:
		return !unicase_compare(a->u.string.ptr, a->u.string.len, b->u.string.ptr,
					b->u.string.len, UNICASE_UPPER_KEEP_I);
	case VAL_ARRAY:
		return a->u.array == b->u.array;
	case VAL_OBJECT:
		return a->u.object == b->u.object;
	}
	return 0;
}

/* <0, 0, >0 for ordered kinds; 2 when the values have no order (NaN, kinds differ, containers). */
static int expr_order(const struct val *a, const struct val *b)
{
	struct val at, bt;

	coerce_pair(&a, &b, &at, &bt);
	if (a->kind != b->kind)
		return 2;
	switch (a->kind) {
	case VAL_NUMBER:
		if (isnan(a->u.number) || isnan(b->u.number))
			return 2;
		return a->u.number < b->u.number ? -1 : a->u.number > b->u.number;
	case VAL_STRING:
		return unicase_compare(a->u.string.ptr, a->u.string.len, b->u.string.ptr,
				       b->u.string.len, UNICASE_UPPER_KEEP_I);
	case VAL_BOOL:
		return a->u.boolean - b->u.boolean;
	default:
		return 2;
	}
}

int expr_greater(const struct val *a, const struct val *b)
{
	return expr_order(a, b) == 1;
}

int expr_less(const struct val *a, const struct val *b)
{
	return expr_order(a, b) < 0;
}

/* The index of the member of o whose key equals the ASCII key under toLowerCase(), or o->nr. */
static size_t object_scan_ascii(const struct val_object *o, const char *key, size_t len)
{
	unsigned k0 = len ? expr_ascii_lower((unsigned char)key[0]) : 0;

	for (size_t i = 0; i < o->nr; i++) {
		const struct val_member *m = &o->members[i];

		/* Most members differ in length, or at the first byte. */
		if (!unicase_lower_ascii_may_equal(m->key, m->key_len, len) ||
		    (m->key_len == len && len && expr_ascii_lower((unsigned char)m->key[0]) != k0))
			continue;
		if (unicase_equal_lower_ascii(m->key, m->key_len, key, len))
			return i;
	}
	return o->nr;
}

struct val *expr_key_miss(struct val_object *o, struct expr_key *k)
{
	size_t i;

	if (k->index < o->nr) {
		const struct val_member *m = &o->members[k->index];

		k->members = o->members;
		if (m->key == k->name ||
		    (m->key_len == k->len && expr_bytes_equal(m->key, k->name, k->len)))
			return (struct val *)&m->value;
	}

	/* Another spelling of the same name at the cached index (the data says "Event_Name"). */
	if (k->index < o->nr &&
	    unicase_equal_lower_ascii(o->members[k->index].key, o->members[k->index].key_len,
				      k->name, k->len))
		return &o->members[k->index].value;
	i = object_scan_ascii(o, k->name, k->len);
	if (i == o->nr)
		return NULL;
	k->index = (uint32_t)i;
	k->members = o->members;
	return &o->members[i].value;
}

struct val *expr_object_get(const struct val_object *o, const char *key, size_t len)
{
	if (utf8_is_ascii(key, len)) {
		size_t i = object_scan_ascii(o, key, len);

		return i < o->nr ? &o->members[i].value : NULL;
	}
	for (size_t i = 0; i < o->nr; i++)
		if (!unicase_compare(o->members[i].key, o->members[i].key_len, key, len,
				     UNICASE_LOWER))
			return &o->members[i].value;
	return NULL;
}

static uint64_t fold_hash(const char *s, size_t len, struct strbuf *tmp)
{
	uint64_t h = 1469598103934665603u;

	strbuf_reset(tmp);
	unicase_apply(tmp, s, len, UNICASE_LOWER);
	for (size_t i = 0; i < tmp->len; i++)
		h = (h ^ (unsigned char)tmp->buf[i]) * 1099511628211u;
	return h;
}

size_t expr_fold_members(struct val_member *members, size_t nr)
{
	size_t kept = 0;

	if (nr < 2)
		return nr;

	if (nr <= 32) {
		/*
		 * Keys that are all ASCII and differ in length, or in their first
		 * letter, cannot agree: most pairs stop there.
		 */
		unsigned char ascii[32];

		for (size_t i = 0; i < nr; i++)
			ascii[i] = (unsigned char)utf8_is_ascii(members[i].key, members[i].key_len);
		for (size_t i = 0; i < nr; i++) {
			struct val_member *m = &members[i];
			size_t j;

			for (j = 0; j < kept; j++) {
				struct val_member *k = &members[j];

				if (ascii[i] && ascii[j] ?
				    k->key_len == m->key_len &&
				    (!m->key_len || expr_ascii_lower((unsigned char)k->key[0]) ==
						    expr_ascii_lower((unsigned char)m->key[0])) &&
				    expr_ascii_equal_ci(k->key, m->key, m->key_len) :
				    !unicase_compare(k->key, k->key_len, m->key, m->key_len, UNICASE_LOWER))
					break;
			}
			if (j == kept) {
				ascii[kept] = ascii[i];
				members[kept++] = *m;
			}
		}
	} else {
		size_t cap = 64, *slots;
		struct strbuf tmp = STRBUF_INIT;

		while (cap < nr * 2)
			cap *= 2;
		slots = xcalloc(cap, sizeof(*slots));
		for (size_t i = 0; i < nr; i++) {
			struct val_member *m = &members[i];
			size_t h = (size_t)fold_hash(m->key, m->key_len, &tmp) & (cap - 1);

			while (slots[h] && unicase_compare(members[slots[h] - 1].key,
							   members[slots[h] - 1].key_len,
							   m->key, m->key_len, UNICASE_LOWER))
				h = (h + 1) & (cap - 1);
			if (slots[h])
				continue;
			members[kept] = *m;
			slots[h] = ++kept;
		}
		free(slots);
		strbuf_release(&tmp);
	}
	return kept;
}

/* Keep the first of each group of members whose keys agree under toLowerCase(). */
static void fold_object(struct val_object *o)
{
	o->nr = expr_fold_members(o->members, o->nr);
}

/* The containers under v, which is one. */
static void fold_container(const struct val *v)
{
	if (v->kind == VAL_ARRAY) {
		for (size_t i = 0; i < v->u.array->nr; i++)
			if (!expr_is_primitive(&v->u.array->items[i]))
				fold_container(&v->u.array->items[i]);
		return;
	}
	fold_object(v->u.object);
	for (size_t i = 0; i < v->u.object->nr; i++)
		if (!expr_is_primitive(&v->u.object->members[i].value))
			fold_container(&v->u.object->members[i].value);
}

void expr_fold_keys(struct val v)
{
	if (!expr_is_primitive(&v))
		fold_container(&v);
}
