/*
 * Unit tests for util/value and util/json: construction, lookup, JSON
 * round trips and JavaScript-style number formatting.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "util/json.h"
#include "util/value.h"

static const char *fmt(struct strbuf *sb, double n)
{
	strbuf_reset(sb);
	val_format_number(sb, n);
	return sb->buf;
}

static void test_number_format_like_javascript(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	assert_string_equal(fmt(&sb, 1.0), "1");
	assert_string_equal(fmt(&sb, -0.0), "0");
	assert_string_equal(fmt(&sb, 0.1), "0.1");
	assert_string_equal(fmt(&sb, 1.5e-7), "1.5e-7");
	assert_string_equal(fmt(&sb, 0.000001), "0.000001");
	assert_string_equal(fmt(&sb, 1e21), "1e+21");
	assert_string_equal(fmt(&sb, 123456789012345680000.0), "123456789012345680000");
	assert_string_equal(fmt(&sb, 12345678901234567890.0), "12345678901234567000");
	assert_string_equal(fmt(&sb, -2.5), "-2.5");
	assert_string_equal(fmt(&sb, NAN), "NaN");
	assert_string_equal(fmt(&sb, -INFINITY), "-Infinity");
	assert_string_equal(fmt(&sb, 0.1 + 0.2), "0.30000000000000004");
	strbuf_release(&sb);
}

static void test_json_round_trip(void **state)
{
	struct arena a = ARENA_INIT;
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
	struct val v;
	const char *text = "{\"b\":[1,2.5,\"x\\ny\",null,true],\"a\":{},\"c\":[]}";

	(void)state;
	assert_int_equal(json_parse(&v, &a, text, strlen(text), &err), 0);
	json_write(&out, v, 0);
	assert_string_equal(out.buf, text);
	strbuf_reset(&out);
	json_write(&out, v, JSON_PRETTY);
	assert_string_equal(out.buf,
		"{\n  \"b\": [\n    1,\n    2.5,\n    \"x\\ny\",\n    null,\n    true\n  ],\n"
		"  \"a\": {},\n  \"c\": []\n}");
	assert_non_null(val_object_geti(v, "B", 1));
	assert_null(val_object_get(v, "B", 1));
	strbuf_release(&out);
	strbuf_release(&err);
	arena_release(&a);
}

static void test_json_parse_error_position(void **state)
{
	struct arena a = ARENA_INIT;
	struct strbuf err = STRBUF_INIT;
	struct val v;

	(void)state;
	assert_int_equal(json_parse(&v, &a, "{\"a\":\n  tru}", 12, &err), -1);
	assert_non_null(strstr(err.buf, "line 2"));
	strbuf_release(&err);
	arena_release(&a);
}

static void test_object_set_replaces(void **state)
{
	struct arena a = ARENA_INIT;
	struct val o = val_new_object(&a);

	(void)state;
	val_object_setstr(&a, o, "k", val_number(1));
	val_object_setstr(&a, o, "k", val_number(2));
	val_object_setstr(&a, o, "K", val_number(3));
	assert_int_equal(o.u.object->nr, 2);
	assert_true(val_object_getstr(o, "k")->u.number == 2);
	arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_number_format_like_javascript),
		cmocka_unit_test(test_json_round_trip),
		cmocka_unit_test(test_json_parse_error_position),
		cmocka_unit_test(test_object_set_replaces),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
