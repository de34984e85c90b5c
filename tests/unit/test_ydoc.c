/*
 * Unit tests for parser/ydoc: positions, GitHub's scalar typing, duplicate
 * keys, anchors and aliases, and hostile input (alias bombs, deep nesting,
 * invalid UTF-8, tabs, huge files).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "parser/ydoc.h"
#include "util/strbuf.h"
#include "tests/unit/timing.h"

/* Load text; return the number of errors and leave the first message in *msg. */
static int load(struct ydoc *doc, const char *text, struct diag_list *diags)
{
	diag_list_init(diags);
	ydoc_load(doc, "t.yml", text, strlen(text), diags);
	return (int)diags->errors;
}

static void assert_first_error(const struct diag_list *d, int line, int col, const char *needle)
{
	assert_true(d->nr > 0);
	if (!strstr(d->items[0].message, needle))
		fail_msg("message '%s' lacks '%s'", d->items[0].message, needle);
	assert_int_equal(d->items[0].line, line);
	assert_int_equal(d->items[0].col, col);
	assert_string_equal(d->items[0].file, "t.yml");
}

static void test_positions(void **state)
{
	struct ydoc doc;
	struct diag_list d;
	const struct ydoc_node *jobs, *build, *steps, *run;

	(void)state;
	assert_int_equal(load(&doc, "on: push\njobs:\n  build:\n    steps:\n"
				    "      - run: \"echo hi\"\n        name: |\n          x\n", &d), 0);
	assert_int_equal(doc.root->kind, YDOC_MAPPING);
	assert_int_equal(doc.root->line, 1);
	assert_int_equal(doc.root->col, 1);
	jobs = ydoc_map_get(doc.root, "jobs");
	assert_non_null(jobs);
	assert_int_equal(jobs->line, 3);
	assert_int_equal(jobs->col, 3);
	build = ydoc_map_get(jobs, "build");
	steps = ydoc_map_get(build, "steps");
	assert_int_equal(steps->kind, YDOC_SEQUENCE);
	assert_int_equal(steps->u.seq.nr, 1);
	assert_int_equal(steps->u.seq.items[0]->line, 5);
	assert_int_equal(steps->u.seq.items[0]->col, 9);
	run = ydoc_map_get(steps->u.seq.items[0], "run");
	assert_int_equal(run->style, YDOC_DOUBLE_QUOTED);
	assert_int_equal(run->line, 5);
	assert_int_equal(run->col, 14);
	assert_string_equal(run->u.scalar.ptr, "echo hi");
	assert_int_equal(ydoc_map_get(steps->u.seq.items[0], "name")->style, YDOC_LITERAL);
	assert_string_equal(ydoc_map_get(steps->u.seq.items[0], "name")->u.scalar.ptr, "x\n");
	assert_string_equal(run->file, "t.yml");
	assert_int_equal(doc.root->u.map.pairs[1].key->line, 2);
	assert_true(ydoc_scalar_is(doc.root->u.map.pairs[0].value, "push"));
	assert_null(ydoc_map_get(doc.root, "nope"));
	ydoc_release(&doc);
	diag_list_release(&d);
}

/* One case per line: YAML scalar text, then the expected value as JSON-ish text. */
static const struct {
	const char *yaml;
	enum val_kind kind;
	double number;      /* numbers; 1/0 for booleans */
	const char *string;
} typing_cases[] = {
	{ "null", VAL_NULL, 0, NULL },
	{ "Null", VAL_NULL, 0, NULL },
	{ "NULL", VAL_NULL, 0, NULL },
	{ "~", VAL_NULL, 0, NULL },
	{ "", VAL_NULL, 0, NULL },
	{ "nULL", VAL_STRING, 0, "nULL" },
	{ "true", VAL_BOOL, 1, NULL },
	{ "True", VAL_BOOL, 1, NULL },
	{ "FALSE", VAL_BOOL, 0, NULL },
	{ "yes", VAL_STRING, 0, "yes" },
	{ "on", VAL_STRING, 0, "on" },
	{ "off", VAL_STRING, 0, "off" },
	{ "y", VAL_STRING, 0, "y" },
	{ "010", VAL_NUMBER, 10, NULL },
	{ "0755", VAL_NUMBER, 755, NULL },
	{ "-00755", VAL_NUMBER, -755, NULL },
	{ "+1", VAL_NUMBER, 1, NULL },
	{ "0x1F", VAL_NUMBER, 31, NULL },
	{ "0xff", VAL_NUMBER, 255, NULL },
	{ "0o10", VAL_NUMBER, 8, NULL },
	{ "0o18", VAL_STRING, 0, "0o18" },
	{ "-0x1F", VAL_STRING, 0, "-0x1F" },
	{ "12_345", VAL_STRING, 0, "12_345" },
	{ "1.5", VAL_NUMBER, 1.5, NULL },
	{ ".5", VAL_NUMBER, 0.5, NULL },
	{ "-.5", VAL_NUMBER, -0.5, NULL },
	{ "1.", VAL_NUMBER, 1, NULL },
	{ "1.2e2", VAL_NUMBER, 120, NULL },
	{ "+1.2E-2", VAL_NUMBER, 0.012, NULL },
	{ "1e3", VAL_NUMBER, 1000, NULL },
	{ "1e", VAL_STRING, 0, "1e" },
	{ ".", VAL_STRING, 0, "." },
	{ "3.10", VAL_NUMBER, 3.1, NULL },
	{ "'3.10'", VAL_STRING, 0, "3.10" },
	{ "\"true\"", VAL_STRING, 0, "true" },
	{ "!!str 10", VAL_STRING, 0, "10" },
	{ "!!int 0xff", VAL_NUMBER, 255, NULL },
	{ "!!float 1", VAL_NUMBER, 1, NULL },
	{ "!!bool FALSE", VAL_BOOL, 0, NULL },
	{ "!!null", VAL_NULL, 0, NULL },
	{ "!<tag:yaml.org,2002:int> -1", VAL_NUMBER, -1, NULL },
	{ "2001-12-14", VAL_STRING, 0, "2001-12-14" },
	{ "ubuntu-latest", VAL_STRING, 0, "ubuntu-latest" },
};

/*
 * ydoc_scalar_position: the file position of the first occurrence of
 * `mark` in the value of key `k`, in every scalar style.
 */
static void test_scalar_positions(void **state)
{
	static const struct {
		const char *yaml, *key, *mark;
		int line, col;
	} cases[] = {
		{ "k: abc XYZ\n", "k", "XYZ", 1, 8 },
		{ "k: abc\n  def\n   XYZ\n", "k", "XYZ", 3, 4 },
		{ "k: abc\n\n  XYZ\n", "k", "XYZ", 3, 3 },
		{ "k: 'it''s XYZ'\n", "k", "XYZ", 1, 11 },
		{ "k: 'a\n   b XYZ'\n", "k", "XYZ", 2, 6 },
		{ "k: \"a\\tb\\u00e9 XYZ\"\n", "k", "XYZ", 1, 16 },
		{ "k: \"a\\\n    b XYZ\"\n", "k", "XYZ", 2, 7 },
		{ "k: \"\\U0001F600 XYZ\"\n", "k", "XYZ", 1, 16 },
		{ "k: \u00e9\u00e9 XYZ\n", "k", "XYZ", 1, 7 },
		{ "k: |\n  one\n\n  two XYZ\n", "k", "XYZ", 4, 7 },
		{ "k: |  # comment\n    one\n      XYZ\n", "k", "XYZ", 3, 7 },
		{ "k: >\n  one\n  two\n\n  three XYZ\n", "k", "XYZ", 5, 9 },
		{ "k: >-\n  one\n    more\n  XYZ\n", "k", "XYZ", 4, 3 },
		{ "k: &a !!str XYZ\n", "k", "XYZ", 1, 13 },
		{ "a: 1\r\nk: \"x\r\n  XYZ\"\r\n", "k", "XYZ", 3, 3 },
		{ "\xef\xbb\xbfk: XYZ\n", "k", "XYZ", 1, 5 },
		{ "list:\n  - run: |\n      echo ${{ XYZ }}\n", "list", "XYZ", 3, 16 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ydoc doc;
		struct diag_list d;
		const struct ydoc_node *n;
		const char *at;
		int line, col;

		assert_int_equal(load(&doc, cases[i].yaml, &d), 0);
		n = ydoc_map_get(doc.root, cases[i].key);
		if (n->kind == YDOC_SEQUENCE)
			n = ydoc_map_get(n->u.seq.items[0], "run");
		at = strstr(n->u.scalar.ptr, cases[i].mark);
		assert_non_null(at);
		ydoc_scalar_position(n, (size_t)(at - n->u.scalar.ptr), &line, &col);
		if (line != cases[i].line || col != cases[i].col)
			fail_msg("case %zu: %d:%d, want %d:%d", i, line, col, cases[i].line,
				 cases[i].col);
		ydoc_release(&doc);
		diag_list_release(&d);
	}
}

static void test_scalar_typing(void **state)
{
	struct arena a = ARENA_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof(typing_cases) / sizeof(typing_cases[0]); i++) {
		struct ydoc doc;
		struct diag_list d;
		struct strbuf text = STRBUF_INIT;
		struct val v;

		strbuf_addf(&text, "k: %s\n", typing_cases[i].yaml);
		if (load(&doc, text.buf, &d))
			fail_msg("'%s': %s", typing_cases[i].yaml, d.items[0].message);
		v = ydoc_scalar_value(&a, ydoc_map_get(doc.root, "k"));
		if (v.kind != typing_cases[i].kind)
			fail_msg("'%s': kind %s, expected %s", typing_cases[i].yaml,
				 val_kind_name(v.kind), val_kind_name(typing_cases[i].kind));
		if (v.kind == VAL_NUMBER)
			assert_true(fabs(v.u.number - typing_cases[i].number) < 1e-12);
		if (v.kind == VAL_BOOL)
			assert_int_equal(v.u.boolean, (int)typing_cases[i].number);
		if (v.kind == VAL_STRING)
			assert_string_equal(v.u.string.ptr, typing_cases[i].string);
		strbuf_release(&text);
		ydoc_release(&doc);
		diag_list_release(&d);
	}
	arena_release(&a);
}

static void test_special_floats(void **state)
{
	struct arena a = ARENA_INIT;
	struct ydoc doc;
	struct diag_list d;
	const struct ydoc_node *s;

	(void)state;
	assert_int_equal(load(&doc, "[.inf, -.Inf, .NaN, 1e400, +.nan]\n", &d), 0);
	s = doc.root;
	assert_true(isinf(ydoc_scalar_value(&a, s->u.seq.items[0]).u.number));
	assert_true(ydoc_scalar_value(&a, s->u.seq.items[1]).u.number < 0);
	assert_true(isnan(ydoc_scalar_value(&a, s->u.seq.items[2]).u.number));
	assert_true(isinf(ydoc_scalar_value(&a, s->u.seq.items[3]).u.number));
	assert_int_equal(ydoc_scalar_value(&a, s->u.seq.items[4]).kind, VAL_STRING);
	ydoc_release(&doc);
	diag_list_release(&d);
	arena_release(&a);
}

static const struct {
	const char *yaml;
	int line, col;
	const char *message;
} error_cases[] = {
	{ "a: 1\nb: 2\na: 3\n", 3, 1, "key 'a' is duplicated (first defined at line 1, column 1)" },
	{ "k: !!bool test\n", 1, 4, "'test' is not a valid value for the tag '!!bool'" },
	{ "k: !!int x1\n", 1, 4, "not a valid value for the tag '!!int'" },
	{ "k: !!int \"1\"\n", 1, 4, "the tag '!!int' cannot be used on a quoted or block scalar" },
	{ "k: !!timestamp 2001-12-14\n", 1, 4, "unsupported tag '!!timestamp'" },
	{ "k: !custom x\n", 1, 4, "unsupported tag '!custom'" },
	{ "k: *nope\n", 1, 4, "unknown anchor 'nope'" },
	{ "k: &a [1, *a]\n", 1, 11, "alias 'a' refers to the node that contains it" },
	{ "a: 1\n---\nb: 2\n", 2, 1, "more than one YAML document" },
	{ "a:\n\t- b\n", 2, 1, "tabs cannot be used for indentation" },
	{ "a: [1, 2\n", 2, 1, "yaml: did not find expected ',' or ']'" },
	{ "? [a]\n: b\n", 1, 3, "a mapping key must be a scalar" },
	{ "a: b\n  c: d\n", 2, 4, "yaml: mapping values are not allowed" },
	{ "a: \"x\x01\"\n", 1, 6, "control characters are not allowed" },
};

static void test_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(error_cases) / sizeof(error_cases[0]); i++) {
		struct ydoc doc;
		struct diag_list d;

		if (!load(&doc, error_cases[i].yaml, &d))
			fail_msg("no error for case %zu", i);
		if (!strstr(d.items[0].message, error_cases[i].message) ||
		    d.items[0].line != error_cases[i].line || d.items[0].col != error_cases[i].col)
			fail_msg("case %zu: got %d:%d: %s", i, d.items[0].line, d.items[0].col,
				 d.items[0].message);
		assert_string_equal(d.items[0].rule, "syntax-check");
		ydoc_release(&doc);
		diag_list_release(&d);
	}
}

static void test_duplicate_key_keeps_tree(void **state)
{
	struct ydoc doc;
	struct diag_list d;

	(void)state;
	assert_int_equal(load(&doc, "a: 1\nA: 2\nb: [x]\na: 3\na: 4\n", &d), 2);
	assert_non_null(doc.root);
	assert_int_equal(doc.root->u.map.nr, 3);
	assert_true(ydoc_scalar_is(ydoc_map_get(doc.root, "a"), "1"));
	assert_true(ydoc_scalar_is(ydoc_map_get(doc.root, "A"), "2"));
	assert_int_equal(d.items[1].line, 5);
	ydoc_release(&doc);
	diag_list_release(&d);
}

static void count_dup(void *ctx, const struct ydoc_pair *first, const struct ydoc_pair *dup)
{
	int *n = ctx;

	assert_true(first->key->line < dup->key->line);
	(*n)++;
}

static void test_each_dup_folds_case(void **state)
{
	struct ydoc doc;
	struct diag_list d;
	int n = 0;

	(void)state;
	assert_int_equal(load(&doc, "FOO: 1\nbar: 2\nfoo: 3\nFoo: 4\nBAR: 5\n", &d), 0);
	ydoc_map_each_dup(doc.root, 0, count_dup, &n);
	assert_int_equal(n, 0);
	ydoc_map_each_dup(doc.root, 1, count_dup, &n);
	assert_int_equal(n, 3);
	ydoc_release(&doc);
	diag_list_release(&d);
}

static void test_aliases_share_nodes(void **state)
{
	struct ydoc doc;
	struct diag_list d;
	struct arena a = ARENA_INIT;
	const struct ydoc_node *x, *y;
	struct val v;

	(void)state;
	assert_int_equal(load(&doc, "x: &env {A: 1, B: two}\ny: *env\nz: &s hi\nw: *s\n", &d), 0);
	x = ydoc_map_get(doc.root, "x");
	y = ydoc_map_get(doc.root, "y");
	assert_ptr_equal(x, y);
	assert_ptr_equal(ydoc_map_get(doc.root, "z"), ydoc_map_get(doc.root, "w"));
	v = ydoc_to_val(&a, doc.root);
	assert_int_equal(val_object_getstr(*val_object_getstr(v, "y"), "A")->u.number, 1);
	assert_string_equal(val_object_getstr(*val_object_getstr(v, "y"), "B")->u.string.ptr,
			    "two");
	ydoc_release(&doc);
	diag_list_release(&d);
	arena_release(&a);
}

static void test_alias_bomb(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct ydoc doc;
	struct diag_list d;
	double t;

	(void)state;
	/* Nine levels of ten aliases each: 10^9 nodes once expanded. */
	strbuf_addstr(&sb, "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
	for (int i = 1; i < 10; i++) {
		strbuf_addf(&sb, "a%d: &a%d [", i, i);
		for (int j = 0; j < 10; j++)
			strbuf_addf(&sb, "%s*a%d", j ? ", " : "", i - 1);
		strbuf_addstr(&sb, "]\n");
	}
	t = now_s();
	assert_true(load(&doc, sb.buf, &d) > 0);
	assert_true(now_s() - t < budget_s(1.0));
	assert_non_null(strstr(d.items[0].message, "more than 1000000 nodes once aliases"));
	assert_null(doc.root);
	ydoc_release(&doc);
	diag_list_release(&d);
	strbuf_release(&sb);
}

static void test_deep_nesting(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct ydoc doc;
	struct diag_list d;

	(void)state;
	strbuf_addchars(&sb, '[', 10000);
	strbuf_addchars(&sb, ']', 10000);
	assert_int_equal(load(&doc, sb.buf, &d), 1);
	assert_first_error(&d, 1, 51, "maximum nesting depth of 50 exceeded");
	ydoc_release(&doc);
	diag_list_release(&d);
	/* Exactly at the limit is fine. */
	strbuf_reset(&sb);
	strbuf_addchars(&sb, '[', 50);
	strbuf_addchars(&sb, ']', 50);
	assert_int_equal(load(&doc, sb.buf, &d), 0);
	ydoc_release(&doc);
	diag_list_release(&d);
	strbuf_release(&sb);
}

static void test_invalid_utf8(void **state)
{
	struct ydoc doc;
	struct diag_list d;

	(void)state;
	assert_int_equal(load(&doc, "a: b\nname: caf\xc3\xa9 \xff\n", &d), 1);
	assert_first_error(&d, 2, 12, "invalid UTF-8: byte 0xff");
	ydoc_release(&doc);
	diag_list_release(&d);
	/* Overlong encodings and surrogates are invalid too. */
	assert_int_equal(load(&doc, "a: \xc0\xaf\n", &d), 1);
	ydoc_release(&doc);
	diag_list_release(&d);
	assert_int_equal(load(&doc, "a: \xed\xa0\x80\n", &d), 1);
	ydoc_release(&doc);
	diag_list_release(&d);
	/* A byte order mark and real multi-byte text are fine. */
	assert_int_equal(load(&doc, "\xef\xbb\xbf" "a: \xf0\x9f\x98\x80\n", &d), 0);
	assert_string_equal(ydoc_map_get(doc.root, "a")->u.scalar.ptr, "\xf0\x9f\x98\x80");
	ydoc_release(&doc);
	diag_list_release(&d);
}

static void test_huge_file_refused(void **state)
{
	char path[] = "/tmp/ydoc-huge.XXXXXX";
	int fd = mkstemp(path);
	struct ydoc doc;
	struct diag_list d = DIAG_LIST_INIT;
	double t;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 50 << 20), 0);
	close(fd);
	t = now_s();
	assert_int_equal(ydoc_load_file(&doc, path, &d), -1);
	assert_true(now_s() - t < budget_s(1.0));
	assert_non_null(strstr(d.items[0].message, "file too large: 52428800 bytes"));
	assert_int_equal(d.items[0].line, 0);
	ydoc_release(&doc);
	diag_list_release(&d);
	unlink(path);
	/* In-memory text is checked against the same limit. */
	{
		struct ydoc_limits lim = ydoc_default_limits;

		lim.max_size = 4;
		assert_int_equal(ydoc_load_limits(&doc, "t.yml", "a: 12", 5, &lim, &d), -1);
		assert_non_null(strstr(d.items[0].message, "file too large: 5 bytes (the limit is 4)"));
		ydoc_release(&doc);
		diag_list_release(&d);
	}
}

static void test_missing_file(void **state)
{
	struct ydoc doc;
	struct diag_list d = DIAG_LIST_INIT;

	(void)state;
	assert_int_equal(ydoc_load_file(&doc, "/nonexistent/x.yml", &d), -1);
	assert_string_equal(d.items[0].message, "cannot open the file: no such file or directory");
	ydoc_release(&doc);
	diag_list_release(&d);
	assert_int_equal(ydoc_load_file(&doc, "/tmp", &d), -1);
	assert_non_null(strstr(d.items[0].message, "is a directory"));
	ydoc_release(&doc);
	diag_list_release(&d);
}

static void test_empty_document(void **state)
{
	struct ydoc doc;
	struct diag_list d;

	(void)state;
	assert_int_equal(load(&doc, "# only a comment\n", &d), 0);
	assert_null(doc.root);
	ydoc_release(&doc);
	diag_list_release(&d);
	assert_int_equal(load(&doc, "", &d), 0);
	assert_null(doc.root);
	ydoc_release(&doc);
	diag_list_release(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_positions),
		cmocka_unit_test(test_scalar_positions),
		cmocka_unit_test(test_scalar_typing),
		cmocka_unit_test(test_special_floats),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_duplicate_key_keeps_tree),
		cmocka_unit_test(test_each_dup_folds_case),
		cmocka_unit_test(test_aliases_share_nodes),
		cmocka_unit_test(test_alias_bomb),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_huge_file_refused),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_empty_document),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
