/*
 * json_js: a JSON reader and writer that behave as JavaScript's
 * JSON.parse and JSON.stringify. The reader is iterative (an explicit
 * stack of open containers), builds values straight into the arena and
 * orders object keys as JavaScript objects do. What the values mean is
 * the caller's business.
 */
#include "util/json_js.h"
#include "util/utf8.h"
#include "util/xalloc.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An open container while parsing: its items start at base on the scratch stacks. */
struct jp_frame {
	int is_object;
	size_t base;
	const char *key;        /* the member whose value is being parsed */
	size_t key_len;
};

struct jp {
	const char *begin, *p, *end;
	struct arena *a;
	struct strbuf *err;
	struct val *vals;
	size_t nvals, avals;
	struct val_member *mems;
	size_t nmems, amems;
	struct jp_frame *frames;
	size_t nframes, aframes;
	struct strbuf tmp;
};

static int jp_error(struct jp *jp, const char *what)
{
	if (jp->p >= jp->end)
		strbuf_addf(jp->err, "unexpected end of JSON input at position %zu",
			    (size_t)(jp->end - jp->begin));
	else
		strbuf_addf(jp->err, "%s at position %zu", what, (size_t)(jp->p - jp->begin));
	return -1;
}

static void jp_skip_space(struct jp *jp)
{
	while (jp->p < jp->end &&
	       (*jp->p == ' ' || *jp->p == '\n' || *jp->p == '\r' || *jp->p == '\t'))
		jp->p++;
}

static int jp_hex4(const char *p, uint32_t *out)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++) {
		int c = (unsigned char)p[i], d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		v = v << 4 | (uint32_t)d;
	}
	*out = v;
	return 0;
}

/* Append the code point of the escape \uXXXX at jp->p (after the 'u'), pairing surrogates. */
static int jp_unicode_escape(struct jp *jp, struct strbuf *sb)
{
	uint32_t cp, lo;
	char buf[UTF8_MAX_BYTES];

	if (jp->end - jp->p < 4 || jp_hex4(jp->p, &cp) < 0)
		return jp_error(jp, "bad Unicode escape");
	jp->p += 4;
	if (cp >= 0xD800 && cp <= 0xDBFF && jp->end - jp->p >= 6 && jp->p[0] == '\\' &&
	    jp->p[1] == 'u' && !jp_hex4(jp->p + 2, &lo) && lo >= 0xDC00 && lo <= 0xDFFF) {
		cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
		jp->p += 6;
	}
	strbuf_add(sb, buf, utf8_encode(buf, cp));
	return 0;
}

/* Parse the string literal at jp->p (at its opening quote) into arena memory. */
static int jp_string(struct jp *jp, const char **out, size_t *out_len)
{
	const char *start = ++jp->p;
	struct strbuf *sb = &jp->tmp;

	while (jp->p < jp->end) {
		unsigned char c;

		/* Eight bytes at a time while none is '"', '\\' or a control character. */
		while (jp->end - jp->p >= 8) {
			uint64_t w, lo = 0x0101010101010101u, hi = 0x8080808080808080u;

			memcpy(&w, jp->p, 8);
			if (((w - lo * 0x20) & ~w & hi) |
			    (((w ^ lo * '"') - lo) & ~(w ^ lo * '"') & hi) |
			    (((w ^ lo * '\\') - lo) & ~(w ^ lo * '\\') & hi))
				break;
			jp->p += 8;
		}
		if (jp->p >= jp->end)
			break;
		c = (unsigned char)*jp->p;
		if (c == '"') {
			*out = arena_strndup(jp->a, start, (size_t)(jp->p - start));
			*out_len = (size_t)(jp->p - start);
			jp->p++;
			return 0;
		}
		if (c == '\\' || c < 0x20)
			break;
		jp->p++;
	}
	strbuf_reset(sb);
	strbuf_add(sb, start, (size_t)(jp->p - start));
	while (jp->p < jp->end) {
		unsigned char c = (unsigned char)*jp->p;
		static const char plain[] = "\"\\/bfnrt", meant[] = "\"\\/\b\f\n\r\t";
		const char *e;

		if (c == '"') {
			jp->p++;
			*out = arena_strndup(jp->a, sb->buf, sb->len);
			*out_len = sb->len;
			return 0;
		}
		if (c < 0x20)
			return jp_error(jp, "bad control character in string literal");
		if (c != '\\') {
			strbuf_addch(sb, c);
			jp->p++;
			continue;
		}
		if (++jp->p >= jp->end)
			break;
		if (*jp->p == 'u') {
			jp->p++;
			if (jp_unicode_escape(jp, sb) < 0)
				return -1;
			continue;
		}
		e = *jp->p ? strchr(plain, *jp->p) : NULL;
		if (!e)
			return jp_error(jp, "bad escaped character");
		strbuf_addch(sb, meant[e - plain]);
		jp->p++;
	}
	return jp_error(jp, "unterminated string");
}

static int jp_digits(struct jp *jp)
{
	const char *s = jp->p;

	while (jp->p < jp->end && *jp->p >= '0' && *jp->p <= '9')
		jp->p++;
	return jp->p > s;
}

static int jp_number(struct jp *jp, struct val *out)
{
	const char *s = jp->p;
	int simple = 1;
	char small[64], *buf;
	size_t n;
	double d;

	if (*jp->p == '-')
		jp->p++;
	if (jp->p < jp->end && *jp->p == '0')
		jp->p++;
	else if (!jp_digits(jp))
		return jp_error(jp, "no number after minus sign");
	if (jp->p < jp->end && *jp->p == '.') {
		jp->p++;
		simple = 0;
		if (!jp_digits(jp))
			return jp_error(jp, "unterminated fractional number");
	}
	if (jp->p < jp->end && (*jp->p == 'e' || *jp->p == 'E')) {
		jp->p++;
		simple = 0;
		if (jp->p < jp->end && (*jp->p == '+' || *jp->p == '-'))
			jp->p++;
		if (!jp_digits(jp))
			return jp_error(jp, "exponent part is missing a number");
	}
	n = (size_t)(jp->p - s);
	if (simple && n <= 15) {
		/* Integers below 10^15 are exact in a double. */
		int neg = *s == '-';
		double v = 0;

		for (const char *q = s + neg; q < jp->p; q++)
			v = v * 10 + (*q - '0');
		*out = val_number(neg ? -v : v);
		return 0;
	}
	buf = n < sizeof(small) ? small : xmalloc(n + 1);
	memcpy(buf, s, n);
	buf[n] = '\0';
	d = strtod(buf, NULL);
	if (buf != small)
		free(buf);
	*out = val_number(d);
	return 0;
}

/* Canonical array-index key ("0", "17", ... up to 2^32 - 2): JavaScript lists these first. */
static int jp_index_key(const char *k, size_t len, uint32_t *out)
{
	uint64_t v = 0;

	if (!len || len > 10 || (k[0] == '0' && len > 1))
		return 0;
	for (size_t i = 0; i < len; i++) {
		if (k[i] < '0' || k[i] > '9')
			return 0;
		v = v * 10 + (uint64_t)(k[i] - '0');
	}
	if (v > 0xFFFFFFFEu)
		return 0;
	*out = (uint32_t)v;
	return 1;
}

static uint64_t jp_hash(const char *k, size_t len)
{
	uint64_t h = 1469598103934665603u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)k[i]) * 1099511628211u;
	return h;
}

/*
 * Fold duplicate keys of m[0..n) in place (JavaScript keeps the first
 * position and the last value); returns the new count. Small objects
 * compare pairwise, larger ones through a temporary hash table.
 */
static size_t jp_fold_duplicates(struct val_member *m, size_t n)
{
	size_t kept = 0;

	if (n <= 16) {
		for (size_t i = 0; i < n; i++) {
			size_t j;

			for (j = 0; j < kept; j++)
				if (m[j].key_len == m[i].key_len &&
				    !memcmp(m[j].key, m[i].key, m[i].key_len))
					break;
			if (j < kept)
				m[j].value = m[i].value;
			else
				m[kept++] = m[i];
		}
		return kept;
	}
	{
		size_t cap = 32, *slots;

		while (cap < n * 2)
			cap *= 2;
		slots = xcalloc(cap, sizeof(*slots));
		for (size_t i = 0; i < n; i++) {
			size_t h = (size_t)jp_hash(m[i].key, m[i].key_len) & (cap - 1);

			while (slots[h]) {
				struct val_member *o = &m[slots[h] - 1];

				if (o->key_len == m[i].key_len && !memcmp(o->key, m[i].key, m[i].key_len))
					break;
				h = (h + 1) & (cap - 1);
			}
			if (slots[h]) {
				m[slots[h] - 1].value = m[i].value;
			} else {
				m[kept] = m[i];
				slots[h] = ++kept;
			}
		}
		free(slots);
	}
	return kept;
}

struct jp_indexed {
	uint32_t index;
	struct val_member m;
};

static int jp_indexed_cmp(const void *a, const void *b)
{
	uint32_t x = ((const struct jp_indexed *)a)->index, y = ((const struct jp_indexed *)b)->index;

	return x < y ? -1 : x > y;
}

/* Move array-index keys to the front in ascending order; others keep their order. */
static void jp_order_keys(struct val_member *m, size_t n)
{
	struct jp_indexed *idx = NULL;
	size_t nidx = 0, alloc = 0, rest = 0;
	uint32_t v;

	for (size_t i = 0; i < n; i++) {
		if (!jp_index_key(m[i].key, m[i].key_len, &v)) {
			m[rest++] = m[i];
			continue;
		}
		ALLOC_GROW(idx, nidx + 1, alloc);
		idx[nidx].index = v;
		idx[nidx++].m = m[i];
	}
	if (!nidx)
		return;
	qsort(idx, nidx, sizeof(*idx), jp_indexed_cmp);
	memmove(m + nidx, m, rest * sizeof(*m));
	for (size_t i = 0; i < nidx; i++)
		m[i] = idx[i].m;
	free(idx);
}

static struct val jp_close_array(struct jp *jp, size_t base)
{
	struct val v = val_new_array(jp->a);
	size_t n = jp->nvals - base;

	if (n) {
		v.u.array->items = arena_alloc(jp->a, n * sizeof(struct val));
		memcpy(v.u.array->items, jp->vals + base, n * sizeof(struct val));
		v.u.array->nr = v.u.array->alloc = n;
	}
	jp->nvals = base;
	return v;
}

static struct val jp_close_object(struct jp *jp, size_t base)
{
	struct val v = val_new_object(jp->a);
	size_t n = jp->nmems - base;

	if (n) {
		n = jp_fold_duplicates(jp->mems + base, n);
		jp_order_keys(jp->mems + base, n);
		v.u.object->members = arena_alloc(jp->a, n * sizeof(struct val_member));
		memcpy(v.u.object->members, jp->mems + base, n * sizeof(struct val_member));
		v.u.object->nr = v.u.object->alloc = n;
	}
	jp->nmems = base;
	return v;
}

/* Read `"key" :` of an object member into the top frame. */
static int jp_member_key(struct jp *jp)
{
	struct jp_frame *f = &jp->frames[jp->nframes - 1];

	jp_skip_space(jp);
	if (jp->p >= jp->end || *jp->p != '"')
		return jp_error(jp, "expected a property name");
	if (jp_string(jp, &f->key, &f->key_len) < 0)
		return -1;
	jp_skip_space(jp);
	if (jp->p >= jp->end || *jp->p != ':')
		return jp_error(jp, "expected ':' after property name");
	jp->p++;
	return 0;
}

static int jp_literal(struct jp *jp, const char *word, struct val v, struct val *out)
{
	size_t n = strlen(word);

	if ((size_t)(jp->end - jp->p) < n || memcmp(jp->p, word, n))
		return jp_error(jp, "unexpected token");
	jp->p += n;
	*out = v;
	return 0;
}

/* Parse one scalar, or open a container (*opened = 1, possibly closing it at once). */
static int jp_start_value(struct jp *jp, struct val *out, int *opened)
{
	struct jp_frame *f;
	char c;

	*opened = 0;
	jp_skip_space(jp);
	if (jp->p >= jp->end)
		return jp_error(jp, "unexpected end");
	c = *jp->p;
	if (c == '{' || c == '[') {
		if (jp->nframes >= JSON_JS_MAX_DEPTH)
			return jp_error(jp, "nesting too deep");
		ALLOC_GROW(jp->frames, jp->nframes + 1, jp->aframes);
		f = &jp->frames[jp->nframes++];
		f->is_object = c == '{';
		f->base = f->is_object ? jp->nmems : jp->nvals;
		jp->p++;
		jp_skip_space(jp);
		if (jp->p < jp->end && *jp->p == (f->is_object ? '}' : ']')) {
			jp->p++;
			*out = f->is_object ? jp_close_object(jp, f->base) : jp_close_array(jp, f->base);
			jp->nframes--;
			return 0;
		}
		*opened = 1;
		return f->is_object ? jp_member_key(jp) : 0;
	}
	if (c == '"') {
		const char *s;
		size_t n;

		if (jp_string(jp, &s, &n) < 0)
			return -1;
		out->kind = VAL_STRING;
		out->u.string.ptr = s;
		out->u.string.len = n;
		return 0;
	}
	if (c == '-' || (c >= '0' && c <= '9'))
		return jp_number(jp, out);
	if (c == 't')
		return jp_literal(jp, "true", val_bool(1), out);
	if (c == 'f')
		return jp_literal(jp, "false", val_bool(0), out);
	if (c == 'n')
		return jp_literal(jp, "null", val_null(), out);
	return jp_error(jp, "unexpected token");
}

static int jp_run(struct jp *jp, struct val *out)
{
	struct val v;
	int opened;

next_value:
	if (jp_start_value(jp, &v, &opened) < 0)
		return -1;
	if (opened)
		goto next_value;
	/* Hand v to the enclosing containers, closing those that end here. */
	while (jp->nframes) {
		struct jp_frame *f = &jp->frames[jp->nframes - 1];

		if (f->is_object) {
			struct val_member *m;

			ALLOC_GROW(jp->mems, jp->nmems + 1, jp->amems);
			m = &jp->mems[jp->nmems++];
			m->key = f->key;
			m->key_len = f->key_len;
			m->value = v;
		} else {
			ALLOC_GROW(jp->vals, jp->nvals + 1, jp->avals);
			jp->vals[jp->nvals++] = v;
		}
		jp_skip_space(jp);
		if (jp->p < jp->end && *jp->p == ',') {
			jp->p++;
			if (f->is_object && jp_member_key(jp) < 0)
				return -1;
			goto next_value;
		}
		if (jp->p >= jp->end || *jp->p != (f->is_object ? '}' : ']'))
			return jp_error(jp, f->is_object ? "expected ',' or '}'" : "expected ',' or ']'");
		jp->p++;
		v = f->is_object ? jp_close_object(jp, f->base) : jp_close_array(jp, f->base);
		jp->nframes--;
	}
	jp_skip_space(jp);
	if (jp->p < jp->end)
		return jp_error(jp, "unexpected non-whitespace character after JSON");
	*out = v;
	return 0;
}

int json_js_parse(struct val *out, struct arena *a, const char *text, size_t len,
		  struct strbuf *err)
{
	struct jp jp;
	int ret;

	memset(&jp, 0, sizeof(jp));
	jp.begin = jp.p = text;
	jp.end = text + len;
	jp.a = a;
	jp.err = err;
	strbuf_init(&jp.tmp, 0);
	ret = jp_run(&jp, out);
	free(jp.vals);
	free(jp.mems);
	free(jp.frames);
	strbuf_release(&jp.tmp);
	return ret;
}

/*
 * Appending to the strbuf in place, with the capacity check inlined: the
 * writer appends a few bytes at a time and strbuf_add's call per piece
 * would dominate. The NUL terminator is restored once at the end.
 */
static inline void jw_put(struct strbuf *sb, const char *s, size_t n)
{
	if (sb->len + n + 1 > sb->alloc)
		strbuf_grow(sb, n);
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
}

static inline void jw_ch(struct strbuf *sb, char c)
{
	if (sb->len + 2 > sb->alloc)
		strbuf_grow(sb, 1);
	sb->buf[sb->len++] = c;
}

/* Bytes that a JSON string cannot hold as they are (0xED may start a lone surrogate). */
static const unsigned char jw_special[256] = {
	[0x00] = 1, [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1, [0x06] = 1,
	[0x07] = 1, [0x08] = 1, [0x09] = 1, [0x0A] = 1, [0x0B] = 1, [0x0C] = 1, [0x0D] = 1,
	[0x0E] = 1, [0x0F] = 1, [0x10] = 1, [0x11] = 1, [0x12] = 1, [0x13] = 1, [0x14] = 1,
	[0x15] = 1, [0x16] = 1, [0x17] = 1, [0x18] = 1, [0x19] = 1, [0x1A] = 1, [0x1B] = 1,
	[0x1C] = 1, [0x1D] = 1, [0x1E] = 1, [0x1F] = 1, ['"'] = 1, ['\\'] = 1, [0xED] = 1,
};

static void jw_string(struct strbuf *sb, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s, *end = p + len, *run = p;

	jw_ch(sb, '"');
	while (p < end) {
		unsigned char c;
		char esc[8];
		size_t n = 2;

		/* Skip eight plain bytes at a time (no control, '"', '\\' or 0xED among them). */
		while (end - p >= 8) {
			uint64_t w, lo = 0x0101010101010101u, hi = 0x8080808080808080u;

			memcpy(&w, p, 8);
			if (((w - lo * 0x20) & ~w & hi) |
			    (((w ^ lo * '"') - lo) & ~(w ^ lo * '"') & hi) |
			    (((w ^ lo * '\\') - lo) & ~(w ^ lo * '\\') & hi) |
			    (((w ^ lo * 0xED) - lo) & ~(w ^ lo * 0xED) & hi))
				break;
			p += 8;
		}
		if (p >= end)
			break;
		c = *p;
		if (!jw_special[c]) {
			p++;
			continue;
		}
		if (c == 0xED) {
			/* An encoded lone surrogate: JavaScript writes it as \uDXXX. */
			uint32_t sur;

			if (end - p < 3 || p[1] < 0xA0 || p[1] > 0xBF || (p[2] & 0xC0) != 0x80) {
				p++;
				continue;
			}
			sur = 0xD000u | (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3Fu);
			jw_put(sb, (const char *)run, (size_t)(p - run));
			n = (size_t)snprintf(esc, sizeof(esc), "\\u%04x", (unsigned)sur);
			jw_put(sb, esc, n);
			p += 3;
			run = p;
			continue;
		}
		jw_put(sb, (const char *)run, (size_t)(p - run));
		esc[0] = '\\';
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			n = 6;
		}
		jw_put(sb, esc, n);
		run = ++p;
	}
	jw_put(sb, (const char *)run, (size_t)(p - run));
	jw_ch(sb, '"');
}

void json_js_write_string(struct strbuf *sb, const char *s, size_t len)
{
	jw_string(sb, s, len);
	sb->buf[sb->len] = '\0';
}

struct jw {
	struct strbuf *sb;
	unsigned flags;
	size_t max;
};

static void jw_newline(struct jw *w, int depth)
{
	size_t n = (size_t)depth * 2;

	if (!(w->flags & JSON_JS_PRETTY))
		return;
	if (w->sb->len + n + 2 > w->sb->alloc)
		strbuf_grow(w->sb, n + 1);
	w->sb->buf[w->sb->len++] = '\n';
	memset(w->sb->buf + w->sb->len, ' ', n);
	w->sb->len += n;
}

static int jw_value(struct jw *w, struct val v, int depth)
{
	char num[VAL_NUMBER_MAX];
	size_t n;

	if (w->max && w->sb->len > w->max)
		return -1;
	switch (v.kind) {
	case VAL_NULL:
		jw_put(w->sb, "null", 4);
		return 0;
	case VAL_BOOL:
		jw_put(w->sb, v.u.boolean ? "true" : "false", v.u.boolean ? 4 : 5);
		return 0;
	case VAL_NUMBER:
		if (isfinite(v.u.number))
			jw_put(w->sb, num, val_number_to_buf(num, v.u.number));
		else
			jw_put(w->sb, "null", 4);
		return 0;
	case VAL_STRING:
		jw_string(w->sb, v.u.string.ptr, v.u.string.len);
		return 0;
	default:
		break;
	}
	if (depth >= JSON_JS_MAX_DEPTH)
		return -1;
	n = v.kind == VAL_ARRAY ? v.u.array->nr : v.u.object->nr;
	jw_ch(w->sb, v.kind == VAL_ARRAY ? '[' : '{');
	for (size_t i = 0; i < n; i++) {
		struct val item;

		if (i)
			jw_ch(w->sb, ',');
		jw_newline(w, depth + 1);
		if (v.kind == VAL_ARRAY) {
			item = v.u.array->items[i];
		} else {
			struct val_member *m = &v.u.object->members[i];

			jw_string(w->sb, m->key, m->key_len);
			if (w->flags & JSON_JS_PRETTY)
				jw_put(w->sb, ": ", 2);
			else
				jw_ch(w->sb, ':');
			item = m->value;
		}
		if (jw_value(w, item, depth + 1) < 0)
			return -1;
	}
	if (n)
		jw_newline(w, depth);
	jw_ch(w->sb, v.kind == VAL_ARRAY ? ']' : '}');
	return w->max && w->sb->len > w->max ? -1 : 0;
}

int json_js_write(struct strbuf *sb, struct val v, unsigned flags, size_t max)
{
	struct jw w = { sb, flags, max ? sb->len + max : 0 };
	int ret = jw_value(&w, v, 0);

	strbuf_grow(sb, 0);
	sb->buf[sb->len] = '\0';
	return ret;
}
