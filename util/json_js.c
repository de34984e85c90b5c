/*
 * json_js: a JSON reader and writer that behave as JavaScript's
 * JSON.parse and JSON.stringify. The reader is iterative (an explicit
 * stack of open containers), builds values straight into the arena and
 * orders object keys as JavaScript objects do. What the values mean is
 * the caller's business.
 */
#include "util/json_js.h"
#include "util/intern.h"
#include "util/utf8.h"
#include "util/xalloc.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Small pieces of the reader's and writer's inner loops, forced inline:
 * where GCC leaves them out of line (they have several callers), the
 * calls cost more than the pieces.
 */
#define JS_INLINE static inline __attribute__((always_inline))

/* An open container while parsing: its items start at base on the scratch stacks. */
struct jp_frame {
	int is_object;
	size_t base;
	const char *key;        /* the member whose value is being parsed */
	size_t key_len;
};

/* Scratch stacks start in the parser's own storage: small documents malloc nothing. */
#define JP_INLINE_VALS 32
#define JP_INLINE_MEMS 32
#define JP_INLINE_FRAMES 16

struct jp {
	const char *begin, *p, *end;
	unsigned flags;         /* enum json_js_parse_flags */
	size_t (*fold)(struct val_member *m, size_t nr);       /* or NULL */
	struct arena *a;
	struct strbuf *err;
	struct val *vals;
	size_t nvals, avals;
	struct val_member *mems;
	size_t nmems, amems;
	struct jp_frame *frames;
	size_t nframes, aframes;
	struct strbuf tmp;
	struct val vals_inline[JP_INLINE_VALS];
	struct val_member mems_inline[JP_INLINE_MEMS];
	struct jp_frame frames_inline[JP_INLINE_FRAMES];
};

/* Double a scratch stack of *alloc items; leaving its inline storage, it moves to the heap. */
static void *jp_stack_grow(void *items, const void *inline_items, size_t elsize, size_t *alloc)
{
	void *p;

	if (items == inline_items) {
		p = xmalloc(*alloc * 2 * elsize);
		memcpy(p, items, *alloc * elsize);
	} else {
		p = xrealloc(items, *alloc * 2 * elsize);
	}
	*alloc *= 2;
	return p;
}

static inline struct val *jp_push_val(struct jp *jp)
{
	if (jp->nvals == jp->avals)
		jp->vals = jp_stack_grow(jp->vals, jp->vals_inline, sizeof(*jp->vals), &jp->avals);
	return &jp->vals[jp->nvals++];
}

static inline struct val_member *jp_push_member(struct jp *jp)
{
	if (jp->nmems == jp->amems)
		jp->mems = jp_stack_grow(jp->mems, jp->mems_inline, sizeof(*jp->mems), &jp->amems);
	return &jp->mems[jp->nmems++];
}

static inline struct jp_frame *jp_push_frame(struct jp *jp)
{
	if (jp->nframes == jp->aframes)
		jp->frames = jp_stack_grow(jp->frames, jp->frames_inline, sizeof(*jp->frames),
					   &jp->aframes);
	return &jp->frames[jp->nframes++];
}

static int jp_error(struct jp *jp, const char *what)
{
	if (jp->p >= jp->end)
		strbuf_addf(jp->err, "unexpected end of JSON input at position %zu",
			    (size_t)(jp->end - jp->begin));
	else
		strbuf_addf(jp->err, "%s at position %zu", what, (size_t)(jp->p - jp->begin));
	return -1;
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

/* The len bytes at s as a key (interned, so that equal keys share one pointer) or a string. */
static const char *jp_copy(struct jp *jp, const char *s, size_t len, int key)
{
	const char *c = key && (jp->flags & JSON_JS_INTERN_KEYS) ? intern(s, len) : NULL;

	return c ? c : arena_strndup(jp->a, s, len);
}

/*
 * Parse the string literal at jp->p (at its opening quote) into arena
 * memory, or for an object key (key) into the interned strings when the
 * parse interns keys and it is short.
 */
static int jp_string_long(struct jp *jp, const char *start, const char **out, size_t *out_len,
			  int key);

static inline int jp_string(struct jp *jp, const char **out, size_t *out_len, int key)
{
	const char *start = ++jp->p;

	/* Keys and short strings end within a few bytes: look at those one by one first. */
	for (int i = 0; i < 8 && jp->p < jp->end; i++, jp->p++) {
		unsigned char c = (unsigned char)*jp->p;

		if (c == '"') {
			*out = jp_copy(jp, start, (size_t)(jp->p - start), key);
			*out_len = (size_t)(jp->p - start);
			jp->p++;
			return 0;
		}
		if (c == '\\' || c < 0x20)
			break;
	}
	return jp_string_long(jp, start, out, out_len, key);
}

/* The rest of a string that did not end in its first bytes (from jp->p). */
static int jp_string_long(struct jp *jp, const char *start, const char **out, size_t *out_len,
			  int key)
{
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
			*out = jp_copy(jp, start, (size_t)(jp->p - start), key);
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
			*out = jp_copy(jp, sb->buf, sb->len, key);
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

/* The end of the run of digits at p. */
static inline const char *jp_digits(const char *p, const char *end)
{
	while (p < end && *p >= '0' && *p <= '9')
		p++;
	return p;
}

static int jp_number(struct jp *jp, struct val *out)
{
	const char *s = jp->p, *p = s, *end = jp->end, *q;
	int simple = 1;
	char small[64], *buf;
	size_t n;
	double d;

	/* A short integer without sign or leading zero, the commonest number, in one pass. */
	if (*p >= '1' && *p <= '9') {
		long long v = 0;

		for (q = p; q < end && q - p < 15 && *q >= '0' && *q <= '9'; q++)
			v = v * 10 + (*q - '0');
		if (q - p < 15 && (q == end || (*q != '.' && *q != 'e' && *q != 'E'))) {
			jp->p = q;
			out->kind = VAL_NUMBER;
			out->u.number = (double)v;
			return 0;
		}
	}
	if (*p == '-')
		p++;
	if (p < end && *p == '0') {
		p++;
	} else if ((q = jp_digits(p, end)) == p) {
		jp->p = p;
		return jp_error(jp, "no number after minus sign");
	} else {
		p = q;
	}
	if (p < end && *p == '.') {
		simple = 0;
		p++;
		if ((q = jp_digits(p, end)) == p) {
			jp->p = p;
			return jp_error(jp, "unterminated fractional number");
		}
		p = q;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		simple = 0;
		if (++p < end && (*p == '+' || *p == '-'))
			p++;
		if ((q = jp_digits(p, end)) == p) {
			jp->p = p;
			return jp_error(jp, "exponent part is missing a number");
		}
		p = q;
	}
	jp->p = p;
	out->kind = VAL_NUMBER;
	n = (size_t)(p - s);
	if (simple && n <= 15) {
		/* Integers below 10^15 are exact in a double, and in an integer on the way. */
		int neg = *s == '-';
		long long v = 0;

		for (q = s + neg; q < p; q++)
			v = v * 10 + (*q - '0');
		out->u.number = (double)(neg ? -v : v);
		if (neg && !v)
			out->u.number = -0.0;
		return 0;
	}
	buf = n < sizeof(small) ? small : xmalloc(n + 1);
	memcpy(buf, s, n);
	buf[n] = '\0';
	d = strtod(buf, NULL);
	if (buf != small)
		free(buf);
	out->u.number = d;
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

			/* Interned keys that agree are one pointer; others differ in length or first byte. */
			for (j = 0; j < kept; j++)
				if (m[j].key == m[i].key ||
				    (m[j].key_len == m[i].key_len && m[i].key_len &&
				     m[j].key[0] == m[i].key[0] &&
				     !memcmp(m[j].key, m[i].key, m[i].key_len)))
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
	size_t nidx = 0, alloc = 0, rest = 0, first = 0;
	uint32_t v;

	/* Index keys start with a digit; most objects have none and stay as they are. */
	while (first < n && !(m[first].key_len && m[first].key[0] >= '0' && m[first].key[0] <= '9'))
		first++;
	rest = first;
	for (size_t i = first; i < n; i++) {
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

/* The container and its items in one allocation. */
JS_INLINE struct val jp_close_array(struct jp *jp, size_t base)
{
	struct val v;
	size_t n = jp->nvals - base;
	struct val_array *arr = arena_alloc_uninit(jp->a, sizeof(*arr) + n * sizeof(struct val));

	arr->items = n ? (struct val *)(arr + 1) : NULL;
	if (n)
		memcpy(arr->items, jp->vals + base, n * sizeof(struct val));
	arr->nr = arr->alloc = n;
	jp->nvals = base;
	v.kind = VAL_ARRAY;
	v.u.array = arr;
	return v;
}

JS_INLINE struct val jp_close_object(struct jp *jp, size_t base)
{
	struct val v;
	size_t n = jp->nmems - base;
	struct val_object *obj;

	if (n > 1) {
		n = jp_fold_duplicates(jp->mems + base, n);
		jp_order_keys(jp->mems + base, n);
		if (jp->fold)
			n = jp->fold(jp->mems + base, n);
	}
	obj = arena_alloc_uninit(jp->a, sizeof(*obj) + n * sizeof(struct val_member));
	obj->members = n ? (struct val_member *)(obj + 1) : NULL;
	if (n)
		memcpy(obj->members, jp->mems + base, n * sizeof(struct val_member));
	obj->nr = obj->alloc = n;
	jp->nmems = base;
	v.kind = VAL_OBJECT;
	v.u.object = obj;
	return v;
}

/* The first byte at or after p that is not JSON white space. */
static inline const char *jp_space(const char *p, const char *end)
{
	/* Anything above ' ' ends the space at once: the common case. */
	while (p < end && (unsigned char)*p <= ' ' &&
	       (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
		p++;
	return p;
}

/* Fail at p. */
static int jp_fail(struct jp *jp, const char *p, const char *what)
{
	jp->p = p;
	return jp_error(jp, what);
}

/* Read `"key" :` of an object member, from *p, into the top frame. */
JS_INLINE int jp_member_key(struct jp *jp, const char **p)
{
	struct jp_frame *f = &jp->frames[jp->nframes - 1];
	const char *q = jp_space(*p, jp->end);

	if (q >= jp->end || *q != '"')
		return jp_fail(jp, q, "expected a property name");
	jp->p = q;
	if (jp_string(jp, &f->key, &f->key_len, 1) < 0)
		return -1;
	q = jp_space(jp->p, jp->end);
	if (q >= jp->end || *q != ':')
		return jp_fail(jp, q, "expected ':' after property name");
	*p = q + 1;
	return 0;
}

/*
 * Where the value about to be read goes: a new item of the innermost
 * open container (a member under its pending key), or *out at the top.
 * Values are written in place: one built aside and copied in would be
 * read back while its stores are still in flight.
 */
JS_INLINE struct val *jp_slot(struct jp *jp, struct val *out)
{
	const struct jp_frame *f;
	struct val_member *m;

	if (!jp->nframes)
		return out;
	f = &jp->frames[jp->nframes - 1];
	if (!f->is_object)
		return jp_push_val(jp);
	m = jp_push_member(jp);
	m->key = f->key;
	m->key_len = f->key_len;
	return &m->value;
}

/*
 * The slot of the container that just closed: its items are off the
 * scratch stacks, so it is the top of the enclosing container's, or *out.
 */
JS_INLINE struct val *jp_closed_slot(struct jp *jp, struct val *out)
{
	if (!jp->nframes)
		return out;
	if (jp->frames[jp->nframes - 1].is_object)
		return &jp->mems[jp->nmems - 1].value;
	return &jp->vals[jp->nvals - 1];
}

/*
 * The parse: values are read at p, kept in a register, into their slots;
 * containers open onto the frame stack and collect their items on the
 * scratch stacks until they close. Helpers that read strings and numbers
 * work on jp->p. *out is written as the parse goes, whether it fails or not.
 */
static int jp_run(struct jp *jp, struct val *out)
{
	const char *p = jp->begin, *end = jp->end;
	struct jp_frame *f;
	struct val *v, closed;

value:
	p = jp_space(p, end);
	if (p >= end)
		return jp_fail(jp, p, "unexpected end");
	v = jp_slot(jp, out);
	switch (*p) {
	case '{':
	case '[':
		if (jp->nframes >= JSON_JS_MAX_DEPTH)
			return jp_fail(jp, p, "nesting too deep");
		f = jp_push_frame(jp);
		f->is_object = *p == '{';
		f->base = f->is_object ? jp->nmems : jp->nvals;
		p = jp_space(p + 1, end);
		if (p < end && *p == (f->is_object ? '}' : ']')) {
			p++;
			*v = f->is_object ? jp_close_object(jp, f->base) : jp_close_array(jp, f->base);
			jp->nframes--;
			break;
		}
		if (f->is_object && jp_member_key(jp, &p) < 0)
			return -1;
		goto value;
	case '"':
		jp->p = p;
		v->kind = VAL_STRING;
		if (jp_string(jp, &v->u.string.ptr, &v->u.string.len, 0) < 0)
			return -1;
		p = jp->p;
		break;
	case 't':
	case 'f':
	case 'n': {
		/* true, false or null by the first letter: four bytes compared at once, and false's 'e'. */
		static const char words[3][4] = { { 't', 'r', 'u', 'e' }, { 'f', 'a', 'l', 's' },
						   { 'n', 'u', 'l', 'l' } };
		int w = *p == 't' ? 0 : *p == 'f' ? 1 : 2;
		size_t n = 4 + (w == 1);

		if ((size_t)(end - p) < n || memcmp(p, words[w], 4) || (w == 1 && p[4] != 'e'))
			return jp_fail(jp, p, "unexpected token");
		p += n;
		v->kind = w == 2 ? VAL_NULL : VAL_BOOL;
		v->u.number = 0;
		v->u.boolean = !w;
		break;
	}
	default:
		if (*p != '-' && (*p < '0' || *p > '9'))
			return jp_fail(jp, p, "unexpected token");
		jp->p = p;
		if (jp_number(jp, v) < 0)
			return -1;
		p = jp->p;
		break;
	}
	/* The value is in place: go on in the enclosing containers, closing those that end here. */
	while (jp->nframes) {
		f = &jp->frames[jp->nframes - 1];
		p = jp_space(p, end);
		if (p < end && *p == ',') {
			p++;
			if (f->is_object && jp_member_key(jp, &p) < 0)
				return -1;
			goto value;
		}
		if (p >= end || *p != (f->is_object ? '}' : ']'))
			return jp_fail(jp, p, f->is_object ? "expected ',' or '}'" : "expected ',' or ']'");
		p++;
		/* Closed first: the enclosing container's slot is on top once its items are off. */
		closed = f->is_object ? jp_close_object(jp, f->base) : jp_close_array(jp, f->base);
		jp->nframes--;
		*jp_closed_slot(jp, out) = closed;
	}
	p = jp_space(p, end);
	if (p < end)
		return jp_fail(jp, p, "unexpected non-whitespace character after JSON");
	return 0;
}

int json_js_parse(struct val *out, struct arena *a, const char *text, size_t len,
		  struct strbuf *err)
{
	return json_js_parse_flags(out, a, text, len, JSON_JS_INTERN_KEYS, err);
}

int json_js_parse_flags(struct val *out, struct arena *a, const char *text, size_t len,
			unsigned flags, struct strbuf *err)
{
	return json_js_parse_fold(out, a, text, len, flags, NULL, err);
}

int json_js_parse_fold(struct val *out, struct arena *a, const char *text, size_t len,
		       unsigned flags, size_t (*fold)(struct val_member *m, size_t nr),
		       struct strbuf *err)
{
	struct jp jp;
	int ret;

	jp.flags = flags;
	jp.fold = fold;
	jp.begin = jp.p = text;
	jp.end = text + len;
	jp.a = a;
	jp.err = err;
	jp.vals = jp.vals_inline;
	jp.mems = jp.mems_inline;
	jp.frames = jp.frames_inline;
	jp.nvals = jp.nmems = jp.nframes = 0;
	jp.avals = JP_INLINE_VALS;
	jp.amems = JP_INLINE_MEMS;
	jp.aframes = JP_INLINE_FRAMES;
	jp.tmp.buf = strbuf_empty;
	jp.tmp.len = jp.tmp.alloc = 0;
	ret = jp_run(&jp, out);
	if (jp.vals != jp.vals_inline)
		free(jp.vals);
	if (jp.mems != jp.mems_inline)
		free(jp.mems);
	if (jp.frames != jp.frames_inline)
		free(jp.frames);
	/* Only strings with escapes use it. */
	if (jp.tmp.alloc)
		strbuf_release(&jp.tmp);
	return ret;
}

/*
 * The writer appends at a pointer kept in registers (to), checking room
 * once per piece; only growing calls out. The buffer is a strbuf's or
 * arena memory; only how it grows differs. Functions return where they
 * stopped writing, NULL (with the place in stopped) when the value nests
 * too deep or the text grew past max.
 */
struct jw {
	char *buf;
	size_t cap;             /* bytes at buf */
	/* As addresses, for the checks each piece makes: buf + cap, and buf + max (or the top). */
	uintptr_t end, limit;
	struct strbuf *sb;      /* the strbuf written to, or NULL for the arena */
	struct arena *a;
	unsigned flags;
	size_t max;             /* length beyond which writing stops; 0: no cap */
	char *stopped;
};

#define JW_ARENA_START 512

/* Write to the cap bytes at buf (the same text, moved or grown). */
static void jw_set_buf(struct jw *w, char *buf, size_t cap)
{
	w->buf = buf;
	w->cap = cap;
	w->end = (uintptr_t)buf + cap;
	w->limit = w->max ? (uintptr_t)buf + w->max : UINTPTR_MAX;
}

/* Room for n more bytes (and a NUL) at to, which may move. */
static char *jw_grow(struct jw *w, char *to, size_t n)
{
	size_t len = (size_t)(to - w->buf), cap;

	if (w->sb) {
		w->sb->len = len;
		strbuf_grow(w->sb, n);
		jw_set_buf(w, w->sb->buf, w->sb->alloc);
		return w->buf + len;
	}
	cap = w->cap * 2;
	while (cap < len + n + 1)
		cap *= 2;
	jw_set_buf(w, arena_realloc(w->a, w->buf, w->cap, cap), cap);
	return w->buf + len;
}

static inline char *jw_room(struct jw *w, char *to, size_t n)
{
	if (w->end - (uintptr_t)to <= n)
		to = jw_grow(w, to, n);
	return to;
}

static inline char *jw_put(struct jw *w, char *to, const char *s, size_t n)
{
	to = jw_room(w, to, n);
	memcpy(to, s, n);
	return to + n;
}

static inline int jw_over(const struct jw *w, const char *to)
{
	return (uintptr_t)to > w->limit;
}

static char *jw_stop(struct jw *w, char *to)
{
	w->stopped = to;
	return NULL;
}

/* Bytes that a JSON string cannot hold as they are (0xED may start a lone surrogate). */
static const unsigned char jw_special[256] = {
	[0x00] = 1, [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1, [0x06] = 1,
	[0x07] = 1, [0x08] = 1, [0x09] = 1, [0x0A] = 1, [0x0B] = 1, [0x0C] = 1, [0x0D] = 1,
	[0x0E] = 1, [0x0F] = 1, [0x10] = 1, [0x11] = 1, [0x12] = 1, [0x13] = 1, [0x14] = 1,
	[0x15] = 1, [0x16] = 1, [0x17] = 1, [0x18] = 1, [0x19] = 1, [0x1A] = 1, [0x1B] = 1,
	[0x1C] = 1, [0x1D] = 1, [0x1E] = 1, [0x1F] = 1, ['"'] = 1, ['\\'] = 1, [0xED] = 1,
};

/* Whether any of the eight bytes at p needs escaping (a control byte, '"', '\\' or 0xED). */
static inline int jw_special8(const unsigned char *p)
{
	uint64_t v, lo = 0x0101010101010101u, hi = 0x8080808080808080u;

	memcpy(&v, p, 8);
	return !!(((v - lo * 0x20) & ~v & hi) |
		  (((v ^ lo * '"') - lo) & ~(v ^ lo * '"') & hi) |
		  (((v ^ lo * '\\') - lo) & ~(v ^ lo * '\\') & hi) |
		  (((v ^ lo * 0xED) - lo) & ~(v ^ lo * 0xED) & hi));
}

/*
 * Whether the eight bytes in v are printable ASCII other than '"' and
 * '\\' (they can be written as they are); 0 may also mean a byte that
 * merely is not ASCII. Cheaper than jw_special8, for the common case.
 */
static inline int jw_plain8(uint64_t v)
{
	const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;

	return !(((v - ones * 0x20) | ((v ^ ones * '"') - ones) | ((v ^ ones * '\\') - ones) | v) &
		 high);
}

/* The first byte of [p, end) that needs escaping, or end. */
static inline const unsigned char *jw_scan(const unsigned char *p, const unsigned char *end)
{
	while (end - p >= 8 && !jw_special8(p))
		p += 8;
	while (p < end && !jw_special[*p])
		p++;
	return p;
}

/* The escape of the special byte at *p (advancing *p past what it covers), at to. */
static char *jw_escape(struct jw *w, char *to, const unsigned char **p, const unsigned char *end)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char c = **p;
	char esc[8];
	size_t n = 2;

	if (c == 0xED) {
		/* An encoded lone surrogate: JavaScript writes it as \uDXXX. */
		const unsigned char *q = *p;

		if (end - q < 3 || q[1] < 0xA0 || q[1] > 0xBF || (q[2] & 0xC0) != 0x80) {
			++*p;
			return jw_put(w, to, (const char *)q, 1);
		}
		n = (size_t)snprintf(esc, sizeof(esc), "\\u%04x",
				     0xD000u | (unsigned)(q[1] & 0x3F) << 6 | (q[2] & 0x3Fu));
		*p += 3;
		return jw_put(w, to, esc, n);
	}
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
	++*p;
	return jw_put(w, to, esc, n);
}

/* Non-ASCII text or escapes, from p on: runs between the bytes to escape. */
static char *jw_string_rest(struct jw *w, char *to, const unsigned char *p,
			    const unsigned char *end)
{
	for (;;) {
		const unsigned char *run = p;

		p = jw_scan(p, end);
		to = jw_put(w, to, (const char *)run, (size_t)(p - run));
		if (p == end)
			break;
		to = jw_escape(w, to, &p, end);
	}
	to = jw_room(w, to, 1);
	*to++ = '"';
	return to;
}

/*
 * The len bytes at s copied to to as they are, when none needs escaping:
 * checked and copied a word at a time (the last word, or the two halves
 * of a short string, overlapping the ones before). Returns the end, or
 * NULL (what was written does not count).
 */
JS_INLINE char *jw_plain_copy(char *to, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	uint64_t v;
	uint32_t x, y;

	if (len >= 8) {
		for (; end - p > 8; p += 8, to += 8) {
			memcpy(&v, p, 8);
			if (!jw_plain8(v))
				return NULL;
			memcpy(to, &v, 8);
		}
		memcpy(&v, end - 8, 8);
		if (!jw_plain8(v))
			return NULL;
		memcpy(to + (end - p) - 8, &v, 8);
		return to + (end - p);
	}
	if (len >= 4) {
		memcpy(&x, p, 4);
		memcpy(&y, end - 4, 4);
		if (!jw_plain8(x | (uint64_t)y << 32))
			return NULL;
		memcpy(to, &x, 4);
		memcpy(to + len - 4, &y, 4);
		return to + len;
	}
	for (; p < end; p++) {
		if (jw_special[*p])
			return NULL;
		*to++ = (char)*p;
	}
	return to;
}

/* A string literal: room for one without escapes, the common case, reserved at once. */
JS_INLINE char *jw_string(struct jw *w, char *to, const char *s, size_t len)
{
	char *end;

	to = jw_room(w, to, len + 2);
	*to++ = '"';
	end = jw_plain_copy(to, s, len);
	if (!end)
		return jw_string_rest(w, to, (const unsigned char *)s,
				      (const unsigned char *)s + len);
	*end++ = '"';
	return end;
}

/* Start writing at the end of sb. */
static char *jw_init_strbuf(struct jw *w, struct strbuf *sb, unsigned flags, size_t max)
{
	w->sb = sb;
	w->a = NULL;
	w->flags = flags;
	w->max = max ? sb->len + max : 0;
	w->stopped = NULL;
	jw_set_buf(w, sb->buf, sb->alloc);
	return sb->buf + sb->len;
}

/* Hand the text up to to back to the strbuf, NUL-terminated. */
static void jw_finish_strbuf(struct jw *w, char *to)
{
	to = jw_room(w, to, 0);
	w->sb->len = (size_t)(to - w->buf);
	*to = '\0';
}

void json_js_write_string(struct strbuf *sb, const char *s, size_t len)
{
	struct jw w;
	char *to = jw_init_strbuf(&w, sb, 0, 0);

	jw_finish_strbuf(&w, jw_string(&w, to, s, len));
}

/* Before an item: a comma (not before the first); in the pretty layout a newline and indent. */
static const char jw_pretty_sep[] = ",\n"
	"                                                                ";
#define JW_SEP_FAST 16          /* depths whose separator is copied in one piece */

JS_INLINE char *jw_separator(struct jw *w, char *to, size_t i, int depth)
{
	const char *sep = jw_pretty_sep + !i;

	if (!(w->flags & JSON_JS_PRETTY)) {
		if (i) {
			to = jw_room(w, to, 1);
			*to++ = ',';
		}
		return to;
	}
	if (depth > JW_SEP_FAST) {
		to = jw_put(w, to, sep, 1 + !!i);
		for (int d = 0; d < depth; d++)
			to = jw_put(w, to, "  ", 2);
		return to;
	}
	to = jw_room(w, to, sizeof(jw_pretty_sep));
	if (depth < 8)
		memcpy(to, sep, 16);
	else
		memcpy(to, sep, 2 * JW_SEP_FAST + 2);
	return to + (size_t)depth * 2 + 1 + !!i;
}

static char *jw_container(struct jw *w, char *to, const struct val *v, int depth);
static char *jw_pretty_array(struct jw *w, char *to, const struct val_array *arr, int depth);
static char *jw_pretty_object(struct jw *w, char *to, const struct val_object *obj, int depth);

/* One value; containers recurse. */
JS_INLINE char *jw_value(struct jw *w, char *to, const struct val *v, int depth)
{
	if (jw_over(w, to))
		return jw_stop(w, to);
	switch (v->kind) {
	case VAL_STRING:
		return jw_string(w, to, v->u.string.ptr, v->u.string.len);
	case VAL_NUMBER:
		if (!isfinite(v->u.number))
			return jw_put(w, to, "null", 4);
		to = jw_room(w, to, VAL_NUMBER_MAX);
		return to + val_number_to_buf(to, v->u.number);
	case VAL_BOOL:
		return jw_put(w, to, v->u.boolean ? "true" : "false", v->u.boolean ? 4 : 5);
	case VAL_NULL:
		return jw_put(w, to, "null", 4);
	default:
		/* The pretty layout at shallow depths, the common case, straight to its writers. */
		if ((w->flags & JSON_JS_PRETTY) && depth < 7)
			return v->kind == VAL_ARRAY ? jw_pretty_array(w, to, v->u.array, depth) :
						      jw_pretty_object(w, to, v->u.object, depth);
		return jw_container(w, to, v, depth);
	}
}

/*
 * A string item of a pretty array with its separator, both plain, where
 * room for JW_ITEM_ROOM(len) bytes is reserved: the separator from its
 * template, the text by jw_plain_copy. NULL when the string needs
 * escapes (nothing written counts).
 */
#define JW_ITEM_ROOM(len) (16 + (len) + 2 + 8)

static inline char *jw_pretty_string_item(char *to, const char *sep, size_t seplen, const char *s,
					  size_t len)
{
	memcpy(to, sep, 16);
	to += seplen;
	*to++ = '"';
	to = jw_plain_copy(to, s, len);
	if (!to)
		return NULL;
	*to++ = '"';
	return to;
}

/*
 * The end of a pretty container at depth (below 7) that had items or
 * not: the newline and indent before close, in one reservation.
 */
static inline char *jw_pretty_close(struct jw *w, char *to, int items, int depth, char close)
{
	to = jw_room(w, to, 16 + 1);
	if (items) {
		memcpy(to, jw_pretty_sep + 1, 16);
		to += (size_t)depth * 2 + 1;
	}
	*to++ = close;
	return jw_over(w, to) ? jw_stop(w, to) : to;
}

/* An array in the pretty layout at a depth whose separators fit one 16-byte copy. */
static char *jw_pretty_array(struct jw *w, char *to, const struct val_array *arr, int depth)
{
	size_t seplen = (size_t)(depth + 1) * 2 + 1, nr = arr->nr;
	/* In locals: any byte written could alias the array, which would be read again. */
	const struct val *items = arr->items;

	to = jw_room(w, to, 1);
	*to++ = '[';
	for (size_t i = 0; i < nr; i++) {
		const struct val *item = &items[i];
		char *end;

		if (jw_over(w, to))
			return jw_stop(w, to);
		if (item->kind == VAL_STRING) {
			/* Room first: growing may move the buffer, and this may fall through. */
			to = jw_room(w, to, JW_ITEM_ROOM(item->u.string.len));
			end = jw_pretty_string_item(to, jw_pretty_sep + !i, seplen + !!i,
						    item->u.string.ptr, item->u.string.len);
			if (end) {
				to = end;
				continue;
			}
		}
		to = jw_separator(w, to, i, depth + 1);
		to = jw_value(w, to, item, depth + 1);
		if (!to)
			return NULL;
	}
	return jw_pretty_close(w, to, nr != 0, depth, ']');
}

/* An object in the pretty layout at a depth whose separators fit one 16-byte copy. */
static char *jw_pretty_object(struct jw *w, char *to, const struct val_object *obj, int depth)
{
	size_t seplen = (size_t)(depth + 1) * 2 + 1;

	to = jw_room(w, to, 1);
	*to++ = '{';
	for (size_t i = 0; i < obj->nr; i++) {
		const struct val_member *m = &obj->members[i];
		char *end;

		if (jw_over(w, to))
			return jw_stop(w, to);
		/* The separator, the key and ": " in one reservation when the key is plain. */
		to = jw_room(w, to, JW_ITEM_ROOM(m->key_len) + 2);
		end = jw_pretty_string_item(to, jw_pretty_sep + !i, seplen + !!i, m->key, m->key_len);
		if (end) {
			to = end;
		} else {
			to = jw_separator(w, to, i, depth + 1);
			to = jw_string(w, to, m->key, m->key_len);
			to = jw_room(w, to, 2);
		}
		*to++ = ':';
		*to++ = ' ';
		to = jw_value(w, to, &m->value, depth + 1);
		if (!to)
			return NULL;
	}
	return jw_pretty_close(w, to, obj->nr != 0, depth, '}');
}

static char *jw_container(struct jw *w, char *to, const struct val *v, int depth)
{
	int is_array = v->kind == VAL_ARRAY;
	size_t n = is_array ? v->u.array->nr : v->u.object->nr;

	if (depth >= JSON_JS_MAX_DEPTH)
		return jw_stop(w, to);
	to = jw_room(w, to, 1);
	*to++ = is_array ? '[' : '{';
	for (size_t i = 0; i < n; i++) {
		const struct val *item;

		to = jw_separator(w, to, i, depth + 1);
		if (is_array) {
			item = &v->u.array->items[i];
		} else {
			const struct val_member *m = &v->u.object->members[i];

			to = jw_string(w, to, m->key, m->key_len);
			if (w->flags & JSON_JS_PRETTY) {
				to = jw_put(w, to, ": ", 2);
			} else {
				to = jw_room(w, to, 1);
				*to++ = ':';
			}
			item = &m->value;
		}
		to = jw_value(w, to, item, depth + 1);
		if (!to)
			return NULL;
	}
	if (n)
		to = jw_separator(w, to, 0, depth);
	to = jw_room(w, to, 1);
	*to++ = is_array ? ']' : '}';
	return jw_over(w, to) ? jw_stop(w, to) : to;
}

int json_js_write(struct strbuf *sb, struct val v, unsigned flags, size_t max)
{
	struct jw w;
	char *to = jw_init_strbuf(&w, sb, flags, max);

	to = jw_value(&w, to, &v, 0);

	jw_finish_strbuf(&w, to ? to : w.stopped);
	return to ? 0 : -1;
}

int json_js_write_arena(const char **out, size_t *len, struct arena *a, struct val v,
			unsigned flags, size_t max)
{
	struct jw w = { NULL, 0, 0, 0, NULL, a, flags, max, NULL };
	char *to, *end;

	jw_set_buf(&w, arena_alloc_uninit(a, JW_ARENA_START), JW_ARENA_START);
	to = jw_value(&w, w.buf, &v, 0);
	end = to ? to : w.stopped;

	end = jw_room(&w, end, 0);
	*end = '\0';
	*out = w.buf;
	*len = (size_t)(end - w.buf);
	return to ? 0 : -1;
}
