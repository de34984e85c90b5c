/*
 * Data-driven conformance of the expression engine, reading the files as
 * they are: every case of ../shared/conformance/languageservices/
 * expressions/ (GitHub's cross-implementation suite; one test per .json
 * file) and the act-exprparser cases GitHub's evaluator agrees with.
 * Counts, and our answers where act and GitHub disagree, are printed as
 * TAP comments. Skipped when $SLIPWAY_SHARED is absent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parser/expr.h"
#include "util/digest.h"
#include "util/glob.h"
#include "util/json_js.h"
#include "util/strlist.h"
#include "util/xalloc.h"

struct tally {
	unsigned pass, fail;
};

static int vals_equal(struct val a, struct val b)
{
	if (a.kind != b.kind)
		return 0;
	switch (a.kind) {
	case VAL_NULL:
		return 1;
	case VAL_BOOL:
		return a.u.boolean == b.u.boolean;
	case VAL_NUMBER:
		return a.u.number == b.u.number || (isnan(a.u.number) && isnan(b.u.number));
	case VAL_STRING:
		return a.u.string.len == b.u.string.len &&
		       !memcmp(a.u.string.ptr, b.u.string.ptr, a.u.string.len);
	case VAL_ARRAY:
		if (a.u.array->nr != b.u.array->nr)
			return 0;
		for (size_t i = 0; i < a.u.array->nr; i++)
			if (!vals_equal(a.u.array->items[i], b.u.array->items[i]))
				return 0;
		return 1;
	case VAL_OBJECT:
		if (a.u.object->nr != b.u.object->nr)
			return 0;
		for (size_t i = 0; i < a.u.object->nr; i++) {
			struct val_member *x = &a.u.object->members[i], *y = &b.u.object->members[i];

			if (x->key_len != y->key_len || memcmp(x->key, y->key, x->key_len) ||
			    !vals_equal(x->value, y->value))
				return 0;
		}
		return 1;
	}
	return 0;
}

static const char *const stage_names[] = {
	[EXPR_LEXING] = "lexing",
	[EXPR_PARSING] = "parsing",
	[EXPR_EVALUATION] = "evaluation",
};

/* Outcome of one evaluation: 0 and *out, or -1 and err. */
static int run_expr(struct val *out, struct arena *a, struct val expr, struct val contexts,
		    unsigned functions, const char *workspace, struct expr_error *err)
{
	size_t n = contexts.kind == VAL_OBJECT ? contexts.u.object->nr : 0;
	const char **names = arena_alloc(a, (n + 1) * sizeof(*names));
	struct expr_names nm = { names, functions, NULL, 0 };
	struct expr_env env = { contexts, EXPR_STATUS_SUCCESS, workspace, a };
	struct expr *e;

	for (size_t i = 0; i < n; i++)
		names[i] = contexts.u.object->members[i].key;
	if (contexts.kind == VAL_OBJECT)
		expr_fold_keys(contexts);
	if (expr_parse(&e, a, expr.u.string.ptr, expr.u.string.len, &nm, err) < 0)
		return -1;
	return expr_eval(out, e, &env, err);
}

static void describe(struct strbuf *sb, int ret, struct val v, const struct expr_error *err,
		     struct val expr)
{
	if (ret < 0) {
		strbuf_addf(sb, "%s error: ", stage_names[err->stage]);
		expr_error_format(sb, err, expr.u.string.ptr, expr.u.string.len);
	} else {
		strbuf_addf(sb, "%s ", val_kind_name(v.kind));
		json_js_write(sb, v, 0, 0);
	}
}

/* One languageservices case: {expr, contexts?, result: {kind, value} | err: {kind, value}}. */
static int ls_case(struct arena *a, struct val c, struct strbuf *why)
{
	struct val *expr = val_object_getstr(c, "expr"), *ctx = val_object_getstr(c, "contexts");
	struct val *result = val_object_getstr(c, "result"), *want = val_object_getstr(c, "err");
	struct expr_error err;
	struct val got;
	int ret, ok;

	expr_error_init(&err);
	ret = run_expr(&got, a, *expr, ctx ? *ctx : val_new_object(a), EXPR_FN_CASE, NULL, &err);
	if (result) {
		struct val *kind = val_object_getstr(*result, "kind");
		struct val *value = val_object_getstr(*result, "value");

		ok = ret == 0 && !strcmp(val_kind_name(got.kind), kind->u.string.ptr) &&
		     vals_equal(got, *value);
	} else {
		struct val *kind = val_object_getstr(*want, "kind");
		struct val *text = val_object_getstr(*want, "value");
		struct strbuf located = STRBUF_INIT;

		if (ret < 0)
			expr_error_format(&located, &err, expr->u.string.ptr, expr->u.string.len);
		ok = ret < 0 && !strcmp(stage_names[err.stage], kind->u.string.ptr) &&
		     strstr(located.buf, text->u.string.ptr);
		strbuf_release(&located);
	}
	if (!ok) {
		strbuf_addf(why, "expr %s: got ", expr->u.string.ptr);
		describe(why, ret, got, &err, *expr);
	}
	expr_error_release(&err);
	return ok;
}

static void read_json(struct val *out, struct arena *a, const char *path)
{
	struct strbuf text = STRBUF_INIT, err = STRBUF_INIT;

	if (strbuf_read_file(&text, path, 0) < 0)
		fail_msg("cannot read %s", path);
	if (json_js_parse(out, a, text.buf, text.len, &err) < 0)
		fail_msg("%s: %s", path, err.buf);
	strbuf_release(&text);
	strbuf_release(&err);
}

static void test_languageservices_file(void **state)
{
	const char *path = *state;
	struct arena a = ARENA_INIT;
	struct val doc;
	struct tally t = { 0, 0 };

	read_json(&doc, &a, path);
	for (size_t g = 0; g < doc.u.object->nr; g++) {
		struct val group = doc.u.object->members[g].value;

		for (size_t i = 0; group.kind == VAL_ARRAY && i < group.u.array->nr; i++) {
			struct arena_mark mark = arena_mark(&a);
			struct strbuf why = STRBUF_INIT;

			if (ls_case(&a, group.u.array->items[i], &why)) {
				t.pass++;
			} else {
				t.fail++;
				print_message("# FAIL %s: %s\n", doc.u.object->members[g].key, why.buf);
			}
			strbuf_release(&why);
			arena_reset(&a, mark);
		}
	}
	print_message("# %s: %u cases, %u pass, %u fail\n", strrchr(path, '/') + 1,
		      t.pass + t.fail, t.pass, t.fail);
	arena_release(&a);
	assert_int_equal(t.fail, 0);
}

static double nonfinite(const char *name)
{
	if (!strcmp(name, "NaN"))
		return NAN;
	return name[0] == '-' ? -INFINITY : INFINITY;
}

/*
 * act hashes the matched files' contents as one stream, GitHub (and we)
 * hash the files' digests. Over the files our glob matches (the quoted
 * patterns of expr), compute both: act's must be act's expected value,
 * GitHub's must be what our hashFiles() returned.
 */
static int act_hashfiles(const char *expr, const char *dir, struct val got, struct val expected,
			 struct strbuf *why)
{
	struct strbuf patterns = STRBUF_INIT, text = STRBUF_INIT, act = STRBUF_INIT;
	struct strbuf gh = STRBUF_INIT, err = STRBUF_INIT;
	struct strlist files = STRLIST_INIT;
	struct digest_sha256 *da = digest_sha256_new(), *dg = digest_sha256_new();
	unsigned char sum[DIGEST_SHA256_LEN];
	struct glob_paths *g;
	int ok;

	for (const char *q = strchr(expr, '\''); q; q = strchr(strchr(q + 1, '\'') + 1, '\'')) {
		const char *end = strchr(q + 1, '\'');

		if (patterns.len)
			strbuf_addch(&patterns, '\n');
		strbuf_add(&patterns, q + 1, (size_t)(end - q - 1));
	}
	if (glob_paths_compile(&g, patterns.buf, patterns.len, dir, &err) < 0)
		fail_msg("%s: %s", expr, err.buf);
	if (glob_paths_walk(g, 0, &files, &err) < 0)
		fail_msg("%s: %s", expr, err.buf);
	glob_paths_free(g);
	for (size_t i = 0; i < files.nr; i++) {
		strbuf_reset(&text);
		if (strbuf_read_file(&text, files.items[i], 0) < 0)
			fail_msg("cannot read %s", files.items[i]);
		digest_sha256_update(da, text.buf, text.len);
		digest_sha256(sum, text.buf, text.len);
		digest_sha256_update(dg, sum, sizeof(sum));
	}
	digest_sha256_final(da, sum);
	if (files.nr)
		digest_hex(&act, sum, sizeof(sum));
	digest_sha256_final(dg, sum);
	if (files.nr)
		digest_hex(&gh, sum, sizeof(sum));
	ok = expected.kind == VAL_STRING && !strcmp(act.buf, expected.u.string.ptr) &&
	     got.kind == VAL_STRING && !strcmp(gh.buf, got.u.string.ptr);
	strbuf_addf(why, " over %zu files (act's way: %s, GitHub's way: %s)", files.nr,
		    act.len ? act.buf : "''", gh.len ? gh.buf : "''");
	strlist_release(&files);
	strbuf_release(&patterns);
	strbuf_release(&text);
	strbuf_release(&act);
	strbuf_release(&gh);
	strbuf_release(&err);
	return ok;
}

/* One act case; returns 1 when our result is act's expected one. */
static int act_case(struct arena *a, struct val c, const char *hashfiles_dir, struct strbuf *got_text)
{
	struct val *expr = val_object_getstr(c, "expr"), *ctx = val_object_getstr(c, "contexts");
	struct val *expected = val_object_getstr(c, "expected");
	struct val *nf = val_object_getstr(c, "expected_nonfinite");
	struct val *workdir = val_object_getstr(c, "workdir");
	struct expr_error err;
	struct val got;
	int ret, ok;

	expr_error_init(&err);
	ret = run_expr(&got, a, *expr, ctx ? *ctx : val_new_object(a),
		       EXPR_FN_CASE | (workdir ? EXPR_FN_HASHFILES : 0),
		       workdir ? hashfiles_dir : NULL, &err);
	describe(got_text, ret, got, &err, *expr);
	if (!expected)
		ok = ret < 0;
	else if (workdir)
		ok = ret == 0 && act_hashfiles(expr->u.string.ptr, hashfiles_dir, got, *expected,
					       got_text);
	else if (nf)
		ok = ret == 0 && vals_equal(got, val_number(nonfinite(nf->u.string.ptr)));
	else
		ok = ret == 0 && vals_equal(got, *expected);
	expr_error_release(&err);
	return ok;
}

static void test_act_exprparser(void **state)
{
	const char *shared = *state;
	char *path = NULL, *hashfiles = NULL;
	struct arena a = ARENA_INIT;
	struct val doc, cases;
	struct tally agree = { 0, 0 }, unchecked = { 0, 0 };
	unsigned disagree = 0, like_github = 0;

	if (asprintf(&path, "%s/conformance/act-exprparser/cases.json", shared) < 0 ||
	    asprintf(&hashfiles, "%s/conformance/act-exprparser/hashfiles", shared) < 0)
		fail();
	read_json(&doc, &a, path);
	cases = *val_object_getstr(doc, "cases");
	for (size_t i = 0; i < cases.u.array->nr; i++) {
		struct val c = cases.u.array->items[i];
		struct val *oracle = val_object_getstr(c, "oracle");
		struct val *agrees = oracle ? val_object_getstr(*oracle, "agrees") : NULL;
		struct arena_mark mark = arena_mark(&a);
		struct strbuf got = STRBUF_INIT;
		int ok = act_case(&a, c, hashfiles, &got);

		if (agrees && agrees->u.boolean) {
			ok ? agree.pass++ : agree.fail++;
			if (!ok)
				print_message("# FAIL %s: expr %s: got %s\n",
					      val_object_getstr(c, "name")->u.string.ptr,
					      val_object_getstr(c, "expr")->u.string.ptr, got.buf);
		} else if (agrees) {
			struct val *gh = val_object_getstr(*oracle, "github");
			struct val *act = val_object_getstr(c, "expected");
			struct strbuf ghs = STRBUF_INIT, acts = STRBUF_INIT;

			disagree++;
			json_js_write(&ghs, *val_object_getstr(*gh, "value"), 0, 0);
			if (act)
				json_js_write(&acts, *act, 0, 0);
			else
				strbuf_addf(&acts, "error %s", val_object_getstr(c, "error")->u.string.ptr);
			if (strstr(got.buf, ghs.buf))
				like_github++;
			print_message("# act and GitHub disagree on %s: we give %s (GitHub: %s; act: %s)\n",
				      val_object_getstr(c, "expr")->u.string.ptr, got.buf, ghs.buf,
				      acts.buf);
			strbuf_release(&ghs);
			strbuf_release(&acts);
		} else {
			ok ? unchecked.pass++ : unchecked.fail++;
			print_message("# %s %s: %s\n", ok ? "hashFiles" : "FAIL hashFiles",
				      val_object_getstr(c, "expr")->u.string.ptr, got.buf);
		}
		strbuf_release(&got);
		arena_reset(&a, mark);
	}
	print_message("# act-exprparser: %u agreeing with GitHub: %u pass, %u fail; "
		      "%u hashFiles (same files as act, hashed GitHub's way): %u pass, %u fail; "
		      "%u disagreements: %u answered as GitHub\n",
		      agree.pass + agree.fail, agree.pass, agree.fail,
		      unchecked.pass + unchecked.fail, unchecked.pass, unchecked.fail,
		      disagree, like_github);
	arena_release(&a);
	free(path);
	free(hashfiles);
	assert_int_equal(agree.fail + unchecked.fail, 0);
}

static void test_shared_data_absent(void **state)
{
	(void)state;
	skip();
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
	const char *shared = getenv("SLIPWAY_SHARED");
	char *dir = NULL, **paths = NULL;
	size_t n = 0, alloc = 0;
	struct CMUnitTest *tests;
	DIR *d;
	struct dirent *de;
	int ret;

	if (!shared || !*shared || asprintf(&dir, "%s/conformance/languageservices/expressions",
					    shared) < 0 || !(d = opendir(dir))) {
		const struct CMUnitTest absent[] = { cmocka_unit_test(test_shared_data_absent) };

		free(dir);
		return cmocka_run_group_tests(absent, NULL, NULL);
	}
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (len < 5 || strcmp(de->d_name + len - 5, ".json"))
			continue;
		ALLOC_GROW(paths, n + 1, alloc);
		if (asprintf(&paths[n++], "%s/%s", dir, de->d_name) < 0)
			return 1;
	}
	closedir(d);
	qsort(paths, n, sizeof(*paths), name_cmp);
	tests = xcalloc(n + 1, sizeof(*tests));
	for (size_t i = 0; i < n; i++) {
		tests[i].name = strrchr(paths[i], '/') + 1;
		tests[i].test_func = test_languageservices_file;
		tests[i].initial_state = paths[i];
	}
	tests[n].name = "act-exprparser/cases.json";
	tests[n].test_func = test_act_exprparser;
	tests[n].initial_state = (void *)shared;
	ret = _cmocka_run_group_tests("expr_vectors", tests, n + 1, NULL, NULL);
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	free(tests);
	free(dir);
	return ret;
}
