/*
 * Unit tests for util/json_js: JSON.parse and JSON.stringify behaviour
 * (round trips through our writer, compared with what Node.js prints).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "util/intern.h"
#include "util/json_js.h"
#include "util/strbuf.h"

/*
 * Parse in and write it back compactly; NULL when parsing fails. Writing
 * into the arena must give the same text as into a strbuf.
 */
static char *round_trip(struct arena *a, const char *in, unsigned flags)
{
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	struct val v;
	char *s = NULL;
	const char *t;
	size_t len;

	if (json_js_parse(&v, a, in, strlen(in), &err) == 0) {
		assert_int_equal(json_js_write(&out, v, flags, 0), 0);
		assert_int_equal(json_js_write_arena(&t, &len, a, v, flags, 0), 0);
		assert_int_equal(len, out.len);
		assert_memory_equal(t, out.buf, len + 1);
		s = arena_strdup(a, out.buf);
	}
	strbuf_release(&out);
	strbuf_release(&err);
	return s;
}

static void test_parse_like_javascript(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "{\"b\":1,\"a\":2}", "{\"b\":1,\"a\":2}" },
		/* array-index keys first, ascending; others in insertion order */
		{ "{\"b\":1,\"10\":2,\"a\":3,\"9\":4,\"01\":5,\"-1\":6}",
		  "{\"9\":4,\"10\":2,\"b\":1,\"a\":3,\"01\":5,\"-1\":6}" },
		{ "{\"4294967294\":1,\"4294967295\":2,\"0\":3}",
		  "{\"0\":3,\"4294967294\":1,\"4294967295\":2}" },
		/* duplicate keys: last value, first place */
		{ "{\"a\":1,\"b\":2,\"a\":3}", "{\"a\":3,\"b\":2}" },
		{ "[1e400,-1e400,1e-400,-0,0.1,1.5e300,123456789012345678901234567890]",
		  "[null,null,0,0,0.1,1.5e+300,1.2345678901234568e+29]" },
		{ " [ true , false , null ] ", "[true,false,null]" },
		{ "\"\\u00e9\\ud83d\\ude00\\n\\t\\\"\\\\\\/\"", "\"é😀\\n\\t\\\"\\\\/\"" },
		{ "\"\\ud800x\"", "\"\\ud800x\"" },           /* a lone surrogate survives */
		{ "\"\\u001f\\u007f\"", "\"\\u001f\x7f\"" },
		{ "{}", "{}" },
		{ "[]", "[]" },
	};
	struct arena a = ARENA_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = round_trip(&a, cases[i].in, 0);

		if (!got || strcmp(got, cases[i].want))
			fail_msg("case %zu: %s gave %s, want %s", i, cases[i].in, got ? got : "(error)",
				 cases[i].want);
	}
	arena_release(&a);
}

static void test_parse_errors(void **state)
{
	static const char *const bad[] = {
		"", " ", "{", "[1,]", "{\"a\":1,}", "{a:1}", "'x'", "01", "1.", ".5", "+1", "1e",
		"-", "NaN", "Infinity", "tru", "nul", "\"abc", "\"\t\"", "\"\\x\"", "\"\\u12\"",
		"[1] 2", "{\"a\" 1}", "[1 2]",
	};
	struct arena a = ARENA_INIT;
	struct strbuf err = STRBUF_INIT;
	struct val v;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		strbuf_reset(&err);
		if (json_js_parse(&v, &a, bad[i], strlen(bad[i]), &err) == 0)
			fail_msg("'%s' parsed", bad[i]);
		assert_non_null(strstr(err.buf, "position"));
	}
	strbuf_release(&err);
	arena_release(&a);
}

static void test_depth_is_bounded(void **state)
{
	struct arena a = ARENA_INIT;
	struct strbuf text = STRBUF_INIT, err = STRBUF_INIT;
	struct val v;

	(void)state;
	strbuf_addchars(&text, '[', JSON_JS_MAX_DEPTH);
	strbuf_addchars(&text, ']', JSON_JS_MAX_DEPTH);
	assert_int_equal(json_js_parse(&v, &a, text.buf, text.len, &err), 0);
	strbuf_reset(&text);
	strbuf_addchars(&text, '[', 100000);
	assert_int_equal(json_js_parse(&v, &a, text.buf, text.len, &err), -1);
	assert_non_null(strstr(err.buf, "nesting too deep"));
	strbuf_release(&text);
	strbuf_release(&err);
	arena_release(&a);
}

/* The pretty layout as Node.js prints JSON.stringify(v, null, 2): escapes, other text, deep levels. */
static void test_write_pretty_like_javascript(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "[\"a\\\"b\",\"\xc3\xa9\",\"plain string longer than 8\",\"tab\\there\",[[\"x\"]],\"\",\"1234567\",\"12345678\",\"123456789\",\"\\u0001\x7f\"]",
		  "[\n  \"a\\\"b\",\n  \"\xc3\xa9\",\n  \"plain string longer than 8\",\n  \"tab\\there\",\n  [\n    [\n      \"x\"\n    ]\n  ],\n  \"\",\n  \"1234567\",\n  \"12345678\",\n  \"123456789\",\n  \"\\u0001\x7f\"\n]" },
		{ "[[[[[[[[[\"deep \\\"q\\\"\",\"plain\"]]]]]]]]]",
		  "[\n  [\n    [\n      [\n        [\n          [\n            [\n              [\n                [\n                  \"deep \\\"q\\\"\",\n                  \"plain\"\n                ]\n              ]\n            ]\n          ]\n        ]\n      ]\n    ]\n  ]\n]" },
		{ "{\"a\\\"b\":1,\"\xc3\xa9\":{\"x y\":[true,null,{\"\":\"v\"}]},\"k\\tz\":{},\"plainkey\":\"with \\\"quote\\\"\"}",
		  "{\n  \"a\\\"b\": 1,\n  \"\xc3\xa9\": {\n    \"x y\": [\n      true,\n      null,\n      {\n        \"\": \"v\"\n      }\n    ]\n  },\n  \"k\\tz\": {},\n  \"plainkey\": \"with \\\"quote\\\"\"\n}" },
		{ "{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":{\"h\\\"\":{\"i\":1}}}}}}}}}",
		  "{\n  \"a\": {\n    \"b\": {\n      \"c\": {\n        \"d\": {\n          \"e\": {\n            \"f\": {\n              \"g\": {\n                \"h\\\"\": {\n                  \"i\": 1\n                }\n              }\n            }\n          }\n        }\n      }\n    }\n  }\n}" },
	};
	struct arena a = ARENA_INIT;
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct val v;
		const char *t;
		size_t len;

		assert_int_equal(json_js_parse(&v, &a, cases[i].in, strlen(cases[i].in), &err), 0);
		strbuf_reset(&out);
		assert_int_equal(json_js_write(&out, v, JSON_JS_PRETTY, 0), 0);
		assert_string_equal(out.buf, cases[i].want);
		assert_int_equal(json_js_write_arena(&t, &len, &a, v, JSON_JS_PRETTY, 0), 0);
		assert_string_equal(t, cases[i].want);
	}
	strbuf_release(&out);
	strbuf_release(&err);
	arena_release(&a);
}

/* Keys are interned by default (contexts), copied when asked (data seen once). */
static void test_parse_interns_keys(void **state)
{
	static const char text[] = "{\"event_name\": 1, \"a-long-key-that-is-still-short\": 2}";
	struct arena a = ARENA_INIT;
	struct strbuf err = STRBUF_INIT;
	struct val v;

	(void)state;
	assert_int_equal(json_js_parse(&v, &a, text, strlen(text), &err), 0);
	assert_ptr_equal(v.u.object->members[0].key, intern("event_name", 10));
	assert_ptr_equal(v.u.object->members[1].key, intern("a-long-key-that-is-still-short", 30));
	assert_int_equal(json_js_parse_flags(&v, &a, text, strlen(text), 0, &err), 0);
	assert_string_equal(v.u.object->members[0].key, "event_name");
	assert_ptr_not_equal(v.u.object->members[0].key, intern("event_name", 10));
	strbuf_release(&err);
	arena_release(&a);
}

/* A fold for the test: drops the members after the first two. */
static size_t keep_two(struct val_member *m, size_t nr)
{
	(void)m;
	return nr < 2 ? nr : 2;
}

/*
 * The fold sees each object's members after JSON.parse's rules (the last
 * duplicate's value in the first one's place, index keys first), nested
 * objects before their parent, and its count is the object's.
 */
static void test_parse_fold_sees_each_object(void **state)
{
	static const char text[] =
		"{\"b\": 1, \"2\": {\"x\": 1, \"y\": 2, \"z\": 3}, \"b\": 4, \"c\": 5}";
	struct arena a = ARENA_INIT;
	struct strbuf err = STRBUF_INIT;
	struct val v;
	const struct val_member *m;

	(void)state;
	assert_int_equal(json_js_parse_fold(&v, &a, text, strlen(text), 0, keep_two, &err), 0);
	assert_int_equal(v.u.object->nr, 2);
	m = v.u.object->members;
	assert_string_equal(m[0].key, "2");
	assert_int_equal(m[0].value.u.object->nr, 2);
	assert_string_equal(m[0].value.u.object->members[1].key, "y");
	assert_string_equal(m[1].key, "b");
	assert_true(m[1].value.u.number == 4);
	strbuf_release(&err);
	arena_release(&a);
}

static void test_write_pretty_and_capped(void **state)
{
	struct arena a = ARENA_INIT;
	struct strbuf out = STRBUF_INIT;
	struct val v = val_new_object(&a), arr = val_new_array(&a);
	const char *s;
	size_t len;

	(void)state;
	val_array_push(&a, arr, val_number(1));
	val_array_push(&a, arr, val_number(NAN));
	val_array_push(&a, arr, val_new_array(&a));
	val_object_setstr(&a, v, "k", arr);
	val_object_setstr(&a, v, "e", val_new_object(&a));
	assert_int_equal(json_js_write(&out, v, JSON_JS_PRETTY, 0), 0);
	assert_string_equal(out.buf, "{\n  \"k\": [\n    1,\n    null,\n    []\n  ],\n  \"e\": {}\n}");
	assert_int_equal(json_js_write_arena(&s, &len, &a, v, JSON_JS_PRETTY, 0), 0);
	assert_string_equal(s, out.buf);
	strbuf_reset(&out);
	assert_int_equal(json_js_write(&out, v, JSON_JS_PRETTY, 10), -1);
	assert_int_equal(json_js_write_arena(&s, &len, &a, v, JSON_JS_PRETTY, 10), -1);
	assert_true(len > 10);
	strbuf_release(&out);
	arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_like_javascript),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_depth_is_bounded),
		cmocka_unit_test(test_write_pretty_like_javascript),
		cmocka_unit_test(test_parse_interns_keys),
		cmocka_unit_test(test_parse_fold_sees_each_object),
		cmocka_unit_test(test_write_pretty_and_capped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
