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

#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <string.h>
#include <strings.h>

static void func_bool(struct expr_ev *out, int b)
{
	out->v = expr_val_bool(b);
	out->filtered = 0;
}

static int func_string(struct expr_run *r, const struct expr_node *n, struct expr_ev *out,
		       const char *s, size_t len)
{
	if (expr_run_check_size(r, n, len) < 0)
		return -1;
	out->v = val_string(r->env->arena, s, len);
	out->filtered = 0;
	return 0;
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
	lo = tolower((unsigned char)needle[0]);
	up = toupper((unsigned char)needle[0]);
	for (const char *p = hay, *end = hay + hl; (size_t)(end - p) >= nl;) {
		const char *a = memchr(p, lo, (size_t)(end - p) - nl + 1);
		const char *b = up != lo ? memchr(p, up, (size_t)(end - p) - nl + 1) : NULL;
		const char *c = !a ? b : !b ? a : a < b ? a : b;

		if (!c)
			return 0;
		if (!strncasecmp(c + 1, needle + 1, nl - 1))
			return 1;
		p = c + 1;
	}
	return 0;
}

static int func_contains(struct expr_run *r, const struct expr_node *n, struct expr_ev *args,
			 unsigned nr, struct expr_ev *out)
{
	struct val hay = args[0].v, needle = args[1].v;
	char hbuf[VAL_NUMBER_MAX], nbuf[VAL_NUMBER_MAX];

	(void)n;
	(void)nr;
	if (expr_is_primitive(hay)) {
		const char *hs, *ns;
		size_t hl, nl;

		if (!expr_is_primitive(needle)) {
			func_bool(out, 0);
			return 0;
		}
		hs = expr_coerce_chars(hay, hbuf, &hl);
		ns = expr_coerce_chars(needle, nbuf, &nl);
		if (utf8_is_ascii(hs, hl) && utf8_is_ascii(ns, nl)) {
			func_bool(out, func_ascii_contains(r, hs, hl, ns, nl));
			return 0;
		}
		func_lower(r, hs, hl, &hs, &hl);
		func_lower(r, ns, nl, &ns, &nl);
		func_bool(out, memmem(hs, hl, ns, nl) != NULL);
		return 0;
	}
	if (hay.kind == VAL_ARRAY) {
		for (size_t i = 0; i < hay.u.array->nr; i++) {
			if (expr_equals(needle, hay.u.array->items[i])) {
				func_bool(out, 1);
				return 0;
			}
		}
	}
	func_bool(out, 0);
	return 0;
}

/* startsWith() (param 0) and endsWith() (param 1), under GitHub's upper-casing. */
static int func_affix(struct expr_run *r, const struct expr_node *n, struct expr_ev *args,
		      unsigned nr, struct expr_ev *out)
{
	char abuf[VAL_NUMBER_MAX], bbuf[VAL_NUMBER_MAX];
	const char *a, *b;
	size_t al, bl;
	struct strbuf ua = STRBUF_INIT, ub = STRBUF_INIT;

	(void)r;
	(void)nr;
	if (!expr_is_primitive(args[0].v) || !expr_is_primitive(args[1].v)) {
		func_bool(out, 0);
		return 0;
	}
	a = expr_coerce_chars(args[0].v, abuf, &al);
	b = expr_coerce_chars(args[1].v, bbuf, &bl);
	if (!n->u.call.fn->param) {
		func_bool(out, unicase_starts_with(a, al, b, bl, UNICASE_UPPER_KEEP_I));
	} else if (utf8_is_ascii(a, al) && utf8_is_ascii(b, bl)) {
		func_bool(out, bl <= al && !strncasecmp(a + al - bl, b, bl));
	} else {
		unicase_apply(&ua, a, al, UNICASE_UPPER_KEEP_I);
		unicase_apply(&ub, b, bl, UNICASE_UPPER_KEEP_I);
		func_bool(out, ub.len <= ua.len &&
			  !memcmp(ua.buf + ua.len - ub.len, ub.buf, ub.len));
		strbuf_release(&ua);
		strbuf_release(&ub);
	}
	return 0;
}

static int func_format_invalid(struct expr_run *r, const struct expr_node *n, const char *fs,
			       size_t len)
{
	return expr_run_fail(r, n, "The following format string is invalid: %.*s", (int)len, fs);
}

/* GitHub's format(): {N} placeholders (anything after the digits up to '}' ignored), {{ and }}. */
static int func_format(struct expr_run *r, const struct expr_node *n, struct expr_ev *args,
		       unsigned nr, struct expr_ev *out)
{
	char fbuf[VAL_NUMBER_MAX], abuf[VAL_NUMBER_MAX];
	size_t len, i = 0;
	const char *fs = expr_coerce_chars(args[0].v, fbuf, &len);
	struct expr_sbuf sb;

	expr_sbuf_init(&sb, r, n);
	while (i < len) {
		const char *lb = memchr(fs + i, '{', len - i), *rb = memchr(fs + i, '}', len - i);

		if (lb && (!rb || rb > lb)) {
			size_t digits = 0, at = (size_t)(lb - fs) + 1;
			double index = 0;
			const char *arg;
			size_t alen;

			if (at < len && fs[at] == '{') {
				if (expr_sbuf_add(&sb, fs + i, at - i) < 0)
					return -1;
				i = at + 1;
				continue;
			}
			while (at + digits < len && fs[at + digits] >= '0' && fs[at + digits] <= '9')
				index = index * 10 + (fs[at + digits++] - '0');
			if (!rb || rb <= lb + 1 || !digits)
				return func_format_invalid(r, n, fs, len);
			if (1 + index > nr - 1)
				return expr_run_fail(r, n,
						     "The following format string references more arguments than were supplied: %.*s",
						     (int)len, fs);
			arg = expr_coerce_chars(args[1 + (size_t)index].v, abuf, &alen);
			if (expr_sbuf_add(&sb, fs + i, (size_t)(lb - fs) - i) < 0 ||
			    expr_sbuf_add(&sb, arg, alen) < 0)
				return -1;
			i = (size_t)(rb - fs) + 1;
		} else if (rb) {
			size_t at = (size_t)(rb - fs) + 1;

			if (at >= len || fs[at] != '}')
				return func_format_invalid(r, n, fs, len);
			if (expr_sbuf_add(&sb, fs + i, at - i) < 0)
				return -1;
			i = at + 1;
		} else {
			if (expr_sbuf_add(&sb, fs + i, len - i) < 0)
				return -1;
			break;
		}
	}
	out->v = expr_sbuf_value(&sb);
	out->filtered = 0;
	return 0;
}

static int func_join(struct expr_run *r, const struct expr_node *n, struct expr_ev *args,
		     unsigned nr, struct expr_ev *out)
{
	char buf[VAL_NUMBER_MAX], sepbuf[VAL_NUMBER_MAX];
	const char *s, *sep = ",";
	size_t len, seplen = 1;
	struct expr_sbuf sb;
	struct val arr = args[0].v;

	if (expr_is_primitive(arr)) {
		s = expr_coerce_chars(arr, buf, &len);
		return func_string(r, n, out, s, len);
	}
	expr_sbuf_init(&sb, r, n);
	if (arr.kind == VAL_ARRAY) {
		if (nr > 1 && expr_is_primitive(args[1].v))
			sep = expr_coerce_chars(args[1].v, sepbuf, &seplen);
		for (size_t i = 0; i < arr.u.array->nr; i++) {
			s = expr_coerce_chars(arr.u.array->items[i], buf, &len);
			if ((i && expr_sbuf_add(&sb, sep, seplen) < 0) || expr_sbuf_add(&sb, s, len) < 0)
				return -1;
		}
	}
	out->v = expr_sbuf_value(&sb);
	out->filtered = 0;
	return 0;
}

static int func_to_json(struct expr_run *r, const struct expr_node *n, struct expr_ev *args,
			unsigned nr, struct expr_ev *out)
{
	struct strbuf sb;
	int ret;

	(void)nr;
	strbuf_init(&sb, 1024);
	if (json_js_write(&sb, args[0].v, JSON_JS_PRETTY, EXPR_MAX_MEMORY) < 0 &&
	    sb.len <= EXPR_MAX_MEMORY)
		ret = expr_run_fail(r, n, "toJSON: the value nests deeper than %d levels",
				    JSON_JS_MAX_DEPTH);
	else
		ret = func_string(r, n, out, sb.buf, sb.len);
	strbuf_release(&sb);
	return ret;
}

static int func_from_json(struct expr_run *r, const struct expr_node *n, struct expr_ev *args,
			  unsigned nr, struct expr_ev *out)
{
	char buf[VAL_NUMBER_MAX];
	size_t len, tlen;
	const char *s = expr_coerce_chars(args[0].v, buf, &len), *t = s;
	struct strbuf err = STRBUF_INIT;
	int ret;

	(void)nr;
	tlen = len;
	utf8_js_trim(&t, &tlen);
	if (!tlen)
		return expr_run_fail(r, n, "empty input");
	ret = json_js_parse(&out->v, r->env->arena, s, len, &err);
	strbuf_release(&err);
	if (ret < 0)
		return expr_run_fail(r, n, "Error parsing JSON when evaluating fromJson");
	expr_fold_keys(out->v);
	out->filtered = 0;
	return 0;
}

static int func_case(struct expr_run *r, const struct expr_node *n, struct expr_ev *args,
		     unsigned nr, struct expr_ev *out)
{
	for (unsigned i = 0; i + 1 < nr; i += 2) {
		if (args[i].v.kind != VAL_BOOL)
			return expr_run_fail(r, n, "case predicate must evaluate to a boolean value");
		if (args[i].v.u.boolean) {
			*out = args[i + 1];
			return 0;
		}
	}
	*out = args[nr - 1];
	return 0;
}

/* success() failure() cancelled() compare the job's status with their entry's param; always() has -1. */
static int func_status(struct expr_run *r, const struct expr_node *n, struct expr_ev *args,
		       unsigned nr, struct expr_ev *out)
{
	int want = n->u.call.fn->param;

	(void)args;
	(void)nr;
	func_bool(out, want < 0 || (int)r->env->status == want);
	return 0;
}

static const struct expr_func expr_funcs[] = {
	{ "contains", 2, 2, 0, func_contains, 0 },
	{ "startsWith", 2, 2, 0, func_affix, 0 },
	{ "endsWith", 2, 2, 0, func_affix, 1 },
	{ "format", 1, EXPR_MAX_ARGS, 0, func_format, 0 },
	{ "join", 1, 2, 0, func_join, 0 },
	{ "toJSON", 1, 1, 0, func_to_json, 0 },
	{ "fromJSON", 1, 1, 0, func_from_json, 0 },
	{ "case", 3, UINT_MAX, EXPR_FN_CASE, func_case, 0 },
	/* First: where a job's if: allows them, they take job ids. */
	{ "success", 0, UINT_MAX, EXPR_FN_JOB_STATUS, func_status, EXPR_STATUS_SUCCESS },
	{ "failure", 0, UINT_MAX, EXPR_FN_JOB_STATUS, func_status, EXPR_STATUS_FAILURE },
	{ "success", 0, 0, EXPR_FN_STATUS, func_status, EXPR_STATUS_SUCCESS },
	{ "failure", 0, 0, EXPR_FN_STATUS, func_status, EXPR_STATUS_FAILURE },
	{ "cancelled", 0, 0, EXPR_FN_STATUS, func_status, EXPR_STATUS_CANCELLED },
	{ "always", 0, 0, EXPR_FN_STATUS, func_status, -1 },
	{ "hashFiles", 1, EXPR_MAX_ARGS, EXPR_FN_HASHFILES, expr_func_hashfiles, 0 },
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
