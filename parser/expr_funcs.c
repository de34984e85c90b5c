/*
 * expr_funcs: the built-in functions — one table of name, argument counts,
 * where a location must allow them, and implementation — with GitHub's
 * semantics and error wording. Arguments arrive evaluated (GitHub
 * evaluates all of them, left to right, before calling). Parsing binds
 * calls to entries; nothing here evaluates nodes.
 */
#include "parser/expr_int.h"
#include "util/json_js.h"
#include "util/unicase.h"
#include "util/utf8.h"

#include <limits.h>
#include <math.h>
#include <string.h>
#include <strings.h>

/* A copy of s in the arena, as the result. */
static struct expr_ref func_string(struct expr_run *r, const struct expr_node *n,
				   struct val *slot, const char *s, size_t len)
{
	if (expr_run_check_size(r, n, len) < 0)
		return expr_ref_failed();
	return expr_ref_string(slot, arena_strndup(r->env->arena, s, len), len);
}

/*
 * Room for a computed string of total bytes (and a NUL, written) in the
 * arena, once the memory limit allows it; NULL (the evaluation failed) if not.
 */
static char *func_result(struct expr_run *r, const struct expr_node *n, size_t total)
{
	char *to;

	if (expr_run_check_size(r, n, total) < 0)
		return NULL;
	to = arena_alloc_uninit(r->env->arena, total + 1);
	to[total] = '\0';
	return to;
}

/* toLowerCase(s) into the arena. */
static void func_lower(struct expr_run *r, const char *s, size_t len, const char **out,
		       size_t *out_len)
{
	struct strbuf sb = STRBUF_INIT;

	unicase_apply(&sb, s, len, UNICASE_LOWER);
	*out = arena_strndup(r->env->arena, sb.buf, sb.len);
	*out_len = sb.len;
	strbuf_release(&sb);
}

/*
 * Whether hay contains needle, ASCII case-insensitively, compared in
 * place: candidates are found by memchr on the needle's first letter in
 * either case. For long needles the folded copies and memmem keep the
 * search linear.
 */
static int func_ascii_contains(struct expr_run *r, const char *hay, size_t hl,
			       const char *needle, size_t nl)
{
	int lo, up;

	if (!nl)
		return 1;
	if (nl > 32) {
		func_lower(r, hay, hl, &hay, &hl);
		func_lower(r, needle, nl, &needle, &nl);
		return memmem(hay, hl, needle, nl) != NULL;
	}
	lo = (int)expr_ascii_lower((unsigned char)needle[0]);
	up = (int)expr_ascii_upper((unsigned char)needle[0]);
	for (const char *p = hay, *end = hay + hl; (size_t)(end - p) >= nl;) {
		const char *a = memchr(p, lo, (size_t)(end - p) - nl + 1);
		const char *b = up != lo ? memchr(p, up, (size_t)(end - p) - nl + 1) : NULL;
		const char *c = !a ? b : !b ? a : a < b ? a : b;

		if (!c)
			return 0;
		if (expr_ascii_equal_ci(c + 1, needle + 1, nl - 1))
			return 1;
		p = c + 1;
	}
	return 0;
}

static struct expr_ref func_contains(struct expr_run *r, const struct expr_node *n,
				     const struct expr_ref *args, unsigned nr, struct val *slot)
{
	const struct val *hay = args[0].v, *needle = args[1].v;
	char hbuf[VAL_NUMBER_MAX], nbuf[VAL_NUMBER_MAX];
	const char *hs, *ns;
	size_t hl, nl;

	(void)n;
	(void)nr;
	(void)slot;
	if (hay->kind == VAL_ARRAY) {
		for (size_t i = 0; i < hay->u.array->nr; i++)
			if (expr_equals_inline(needle, &hay->u.array->items[i]))
				return expr_ref_bool(1);
		return expr_ref_bool(0);
	}
	if (!expr_is_primitive(hay) || !expr_is_primitive(needle))
		return expr_ref_bool(0);
	hs = expr_chars(hay, hbuf, &hl);
	ns = expr_chars(needle, nbuf, &nl);
	/*
	 * An ASCII needle found among ASCII bytes is found under
	 * toLowerCase() whatever surrounds it (no ASCII letter's case
	 * depends on its neighbours): only a miss in a haystack with other
	 * characters needs the full mapping.
	 */
	if (utf8_is_ascii(ns, nl)) {
		if (func_ascii_contains(r, hs, hl, ns, nl))
			return expr_ref_bool(1);
		if (utf8_is_ascii(hs, hl))
			return expr_ref_bool(0);
	}
	func_lower(r, hs, hl, &hs, &hl);
	func_lower(r, ns, nl, &ns, &nl);
	return expr_ref_bool(memmem(hs, hl, ns, nl) != NULL);
}

/* startsWith() (param 0) and endsWith() (param 1), under GitHub's upper-casing. */
static struct expr_ref func_affix(struct expr_run *r, const struct expr_node *n,
				  const struct expr_ref *args, unsigned nr, struct val *slot)
{
	char abuf[VAL_NUMBER_MAX], bbuf[VAL_NUMBER_MAX];
	const char *a, *b;
	size_t al, bl;
	struct strbuf ua = STRBUF_INIT, ub = STRBUF_INIT;
	int ends;

	(void)r;
	(void)nr;
	(void)slot;
	if (!expr_is_primitive(args[0].v) || !expr_is_primitive(args[1].v))
		return expr_ref_bool(0);
	a = expr_chars(args[0].v, abuf, &al);
	b = expr_chars(args[1].v, bbuf, &bl);
	ends = n->u.call.data.fn->param;
	/*
	 * The same spelling, the common case: an ASCII affix found as it is
	 * is found after the mapping (ASCII maps to ASCII, and no other byte
	 * sequence takes an ASCII byte into its character).
	 */
	if (bl <= al && expr_bytes_equal(ends ? a + al - bl : a, b, bl) && utf8_is_ascii(b, bl))
		return expr_ref_bool(1);
	if (!ends)
		return expr_ref_bool(unicase_starts_with(a, al, b, bl, UNICASE_UPPER_KEEP_I));
	if (utf8_is_ascii(a, al) && utf8_is_ascii(b, bl))
		return expr_ref_bool(bl <= al && expr_ascii_equal_ci(a + al - bl, b, bl));
	unicase_apply(&ua, a, al, UNICASE_UPPER_KEEP_I);
	unicase_apply(&ub, b, bl, UNICASE_UPPER_KEEP_I);
	ends = ub.len <= ua.len && !memcmp(ua.buf + ua.len - ub.len, ub.buf, ub.len);
	strbuf_release(&ua);
	strbuf_release(&ub);
	return expr_ref_bool(ends);
}

/*
 * A piece of a format string: text to copy as it is, then the argument
 * to insert (arg > 0, an index into the call's arguments) or none.
 */
struct fmt_piece {
	const char *text;
	size_t len;
	size_t arg;
};

enum fmt_step {
	FMT_PIECE,
	FMT_END,
	FMT_INVALID,
	FMT_TOO_FEW,            /* a placeholder beyond the arguments */
};

/*
 * The piece of GitHub's format string fs that starts at *i, for a call
 * with nr arguments: {N} placeholders (anything after the digits up to
 * '}' ignored), {{ and }}.
 */
static enum fmt_step fmt_next(const char *fs, size_t len, size_t *i, unsigned nr,
			      struct fmt_piece *p)
{
	const char *lb, *rb;

	if (*i >= len)
		return FMT_END;
	lb = memchr(fs + *i, '{', len - *i);
	rb = memchr(fs + *i, '}', len - *i);
	p->text = fs + *i;
	p->arg = 0;
	if (lb && (!rb || rb > lb)) {
		size_t digits = 0, at = (size_t)(lb - fs) + 1;
		double index = 0;

		if (at < len && fs[at] == '{') {
			p->len = at - *i;
			*i = at + 1;
			return FMT_PIECE;
		}
		while (at + digits < len && fs[at + digits] >= '0' && fs[at + digits] <= '9')
			index = index * 10 + (fs[at + digits++] - '0');
		if (!rb || rb <= lb + 1 || !digits)
			return FMT_INVALID;
		if (1 + index > nr - 1)
			return FMT_TOO_FEW;
		p->len = (size_t)(lb - fs) - *i;
		p->arg = 1 + (size_t)index;
		*i = (size_t)(rb - fs) + 1;
		return FMT_PIECE;
	}
	if (rb) {
		size_t at = (size_t)(rb - fs) + 1;

		if (at >= len || fs[at] != '}')
			return FMT_INVALID;
		p->len = at - *i;
		*i = at + 1;
		return FMT_PIECE;
	}
	p->len = len - *i;
	*i = len;
	return FMT_PIECE;
}

static struct expr_ref func_format(struct expr_run *r, const struct expr_node *n,
				   const struct expr_ref *args, unsigned nr, struct val *slot)
{
	char fbuf[VAL_NUMBER_MAX], abuf[VAL_NUMBER_MAX];
	size_t len, i = 0;
	const char *fs = expr_chars(args[0].v, fbuf, &len);
	struct expr_sbuf sb;
	struct fmt_piece p;
	enum fmt_step step;

	expr_sbuf_init(&sb, r, n);
	while ((step = fmt_next(fs, len, &i, nr, &p)) == FMT_PIECE) {
		size_t alen;
		const char *arg;

		if (expr_sbuf_add(&sb, p.text, p.len) < 0)
			return expr_ref_failed();
		if (!p.arg)
			continue;
		arg = expr_chars(args[p.arg].v, abuf, &alen);
		if (expr_sbuf_add(&sb, arg, alen) < 0)
			return expr_ref_failed();
	}
	if (step == FMT_INVALID) {
		expr_run_fail(r, n, "The following format string is invalid: %.*s", (int)len, fs);
		return expr_ref_failed();
	}
	if (step == FMT_TOO_FEW) {
		expr_run_fail(r, n,
			      "The following format string references more arguments than were supplied: %.*s",
			      (int)len, fs);
		return expr_ref_failed();
	}
	return expr_sbuf_finish(&sb, slot);
}

/* Arguments a prepared format() coerces on the stack. */
#define FMT_PREPARED_MAX_ARGS 16

/* A literal format string, split at compile time. */
struct fmt_prepared {
	size_t nr;
	struct fmt_piece pieces[];
};

/*
 * format() over a valid literal format string: can fail only on memory,
 * and a string too large at the end was too large at some step, so its
 * size is checked once and it is written in one go.
 */
static struct expr_ref func_format_prepared(struct expr_run *r, const struct expr_node *n,
					    const struct expr_ref *args, unsigned nr,
					    struct val *slot)
{
	const struct fmt_prepared *fp = n->u.call.data.prepared;
	char bufs[FMT_PREPARED_MAX_ARGS][VAL_NUMBER_MAX], *to;
	const char *arg[FMT_PREPARED_MAX_ARGS];
	size_t alen[FMT_PREPARED_MAX_ARGS] = { 0 }, total = 0;

	for (unsigned i = 1; i < nr; i++)
		arg[i] = expr_chars(args[i].v, bufs[i], &alen[i]);
	for (size_t i = 0; i < fp->nr; i++)
		total += fp->pieces[i].len + (fp->pieces[i].arg ? alen[fp->pieces[i].arg] : 0);
	if (!total)
		return expr_ref_string(slot, "", 0);
	to = func_result(r, n, total);
	if (!to)
		return expr_ref_failed();
	expr_ref_string(slot, to, total);
	for (size_t i = 0; i < fp->nr; i++) {
		const struct fmt_piece *p = &fp->pieces[i];

		bytecopy_short(to, p->text, p->len);
		to += p->len;
		if (p->arg) {
			bytecopy_short(to, arg[p->arg], alen[p->arg]);
			to += alen[p->arg];
		}
	}
	return expr_ref_to(slot);
}

static void func_format_prepare(struct arena *a, struct expr_node *n)
{
	const struct expr_node *f = n->u.call.args[0];
	struct fmt_prepared *fp;
	struct fmt_piece p;
	size_t i = 0, count = 0;
	enum fmt_step step;
	const char *fs;
	size_t len;

	if (f->kind != EXPR_N_LITERAL || f->u.literal.kind != VAL_STRING ||
	    n->nr > FMT_PREPARED_MAX_ARGS)
		return;
	fs = f->u.literal.u.string.ptr;
	len = f->u.literal.u.string.len;
	while ((step = fmt_next(fs, len, &i, n->nr, &p)) == FMT_PIECE)
		count++;
	if (step != FMT_END)
		return;
	fp = arena_alloc(a, sizeof(*fp) + count * sizeof(fp->pieces[0]));
	for (i = 0; fmt_next(fs, len, &i, n->nr, &fp->pieces[fp->nr]) == FMT_PIECE;)
		fp->nr++;
	n->u.call.data.prepared = fp;
	n->u.call.call = func_format_prepared;
}

/* The length of arr's items as strings with sep between them. */
static size_t func_join_size(const struct val_array *arr, size_t seplen)
{
	char buf[VAL_NUMBER_MAX];
	size_t total = arr->nr ? seplen * (arr->nr - 1) : 0, len;

	for (size_t i = 0; i < arr->nr; i++) {
		expr_chars(&arr->items[i], buf, &len);
		total += len;
	}
	return total;
}

/* join(): sized first, written once (a string too large at the end was too large at some step). */
static struct expr_ref func_join(struct expr_run *r, const struct expr_node *n,
				 const struct expr_ref *args, unsigned nr, struct val *slot)
{
	char buf[VAL_NUMBER_MAX], sepbuf[VAL_NUMBER_MAX], *to;
	const char *s, *sep = ",";
	size_t len, seplen = 1, total;
	const struct val *arr = args[0].v;
	const struct val_array *items;

	if (arr->kind == VAL_STRING) {
		if (expr_run_check_size(r, n, arr->u.string.len) < 0)
			return expr_ref_failed();
		return expr_ref_string(slot, arr->u.string.ptr, arr->u.string.len);
	}
	if (expr_is_primitive(arr)) {
		s = expr_chars(arr, buf, &len);
		return func_string(r, n, slot, s, len);
	}
	if (arr->kind != VAL_ARRAY)
		return expr_ref_string(slot, "", 0);
	items = arr->u.array;
	if (nr > 1 && expr_is_primitive(args[1].v))
		sep = expr_chars(args[1].v, sepbuf, &seplen);
	total = func_join_size(items, seplen);
	if (!total)
		return expr_ref_string(slot, "", 0);
	to = func_result(r, n, total);
	if (!to)
		return expr_ref_failed();
	for (size_t i = 0; i < items->nr; i++) {
		if (i) {
			bytecopy_short(to, sep, seplen);
			to += seplen;
		}
		s = expr_chars(&items->items[i], buf, &len);
		bytecopy_short(to, s, len);
		to += len;
	}
	return expr_ref_string(slot, to - total, total);
}

static struct expr_ref func_to_json(struct expr_run *r, const struct expr_node *n,
				    const struct expr_ref *args, unsigned nr, struct val *slot)
{
	const char *s;
	size_t len;

	(void)nr;
	if (json_js_write_arena(&s, &len, r->env->arena, *args[0].v, JSON_JS_PRETTY,
				EXPR_MAX_MEMORY) < 0 && len <= EXPR_MAX_MEMORY) {
		expr_run_fail(r, n, "toJSON: the value nests deeper than %d levels",
			      JSON_JS_MAX_DEPTH);
		return expr_ref_failed();
	}
	if (expr_run_check_size(r, n, len) < 0)
		return expr_ref_failed();
	return expr_ref_string(slot, s, len);
}

static struct expr_ref func_from_json(struct expr_run *r, const struct expr_node *n,
				      const struct expr_ref *args, unsigned nr, struct val *slot)
{
	char buf[VAL_NUMBER_MAX];
	size_t len, tlen;
	const char *s = expr_chars(args[0].v, buf, &len), *t = s;
	struct strbuf err = STRBUF_INIT;
	int ret;

	(void)nr;
	tlen = len;
	/* Text that starts with a printable ASCII character is not blank. */
	if (!len || (unsigned char)s[0] <= ' ' || (unsigned char)s[0] >= 0x80)
		utf8_js_trim(&t, &tlen);
	if (!tlen) {
		expr_run_fail(r, n, "empty input");
		return expr_ref_failed();
	}
	/*
	 * Data seen once: its keys are copied, not interned (that table is for
	 * context keys). Each object is folded as it closes, as expr_fold_keys
	 * would fold it after.
	 */
	ret = json_js_parse_fold(slot, r->env->arena, s, len, 0, expr_fold_members, &err);
	strbuf_release(&err);
	if (ret < 0) {
		expr_run_fail(r, n, "Error parsing JSON when evaluating fromJson");
		return expr_ref_failed();
	}
	return expr_ref_to(slot);
}

/* case(): the value after the first true predicate, or the last; a filtered array stays one. */
static struct expr_ref func_case(struct expr_run *r, const struct expr_node *n,
				 const struct expr_ref *args, unsigned nr, struct val *slot)
{
	struct expr_ref pick = args[nr - 1];

	for (unsigned i = 0; i + 1 < nr; i += 2) {
		if (args[i].v->kind != VAL_BOOL) {
			expr_run_fail(r, n, "case predicate must evaluate to a boolean value");
			return expr_ref_failed();
		}
		if (args[i].v->u.boolean) {
			pick = args[i + 1];
			break;
		}
	}
	/* The arguments' own slots end with the call. */
	*slot = *pick.v;
	pick.v = slot;
	return pick;
}

/* success() failure() cancelled() compare the job's status with their entry's param; always() has -1. */
static struct expr_ref func_status(struct expr_run *r, const struct expr_node *n,
				   const struct expr_ref *args, unsigned nr, struct val *slot)
{
	int want = n->u.call.data.fn->param;

	(void)args;
	(void)nr;
	(void)slot;
	return expr_ref_bool(want < 0 || (int)r->env->status == want);
}

static const struct expr_func expr_funcs[] = {
	{ "contains", 2, 2, 0, func_contains, 0, NULL },
	{ "startsWith", 2, 2, 0, func_affix, 0, NULL },
	{ "endsWith", 2, 2, 0, func_affix, 1, NULL },
	{ "format", 1, EXPR_MAX_ARGS, 0, func_format, 0, func_format_prepare },
	{ "join", 1, 2, 0, func_join, 0, NULL },
	{ "toJSON", 1, 1, 0, func_to_json, 0, NULL },
	{ "fromJSON", 1, 1, 0, func_from_json, 0, NULL },
	{ "case", 3, UINT_MAX, EXPR_FN_CASE, func_case, 0, NULL },
	/* First: where a job's if: allows them, they take job ids. */
	{ "success", 0, UINT_MAX, EXPR_FN_JOB_STATUS, func_status, EXPR_STATUS_SUCCESS, NULL },
	{ "failure", 0, UINT_MAX, EXPR_FN_JOB_STATUS, func_status, EXPR_STATUS_FAILURE, NULL },
	{ "success", 0, 0, EXPR_FN_STATUS, func_status, EXPR_STATUS_SUCCESS, NULL },
	{ "failure", 0, 0, EXPR_FN_STATUS, func_status, EXPR_STATUS_FAILURE, NULL },
	{ "cancelled", 0, 0, EXPR_FN_STATUS, func_status, EXPR_STATUS_CANCELLED, NULL },
	{ "always", 0, 0, EXPR_FN_STATUS, func_status, -1, NULL },
	{ "hashFiles", 1, EXPR_MAX_ARGS, EXPR_FN_HASHFILES, expr_func_hashfiles, 0, NULL },
};

const struct expr_func *expr_func_find(const char *name, size_t len, unsigned flags)
{
	for (size_t i = 0; i < sizeof(expr_funcs) / sizeof(expr_funcs[0]); i++) {
		const struct expr_func *f = &expr_funcs[i];

		if (strlen(f->name) == len && !strncasecmp(f->name, name, len) &&
		    (!f->needs || (flags & f->needs)))
			return f;
	}
	return NULL;
}
