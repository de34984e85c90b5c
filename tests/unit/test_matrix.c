/*
 * Unit tests for runner/matrix: GitHub's documented matrix examples
 * ("Using a matrix for your jobs") as a table of matrix -> legs in order,
 * the errors, --matrix narrowing and the display values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "runner/matrix.h"
#include "util/json.h"

static const struct {
	const char *what, *matrix;
	const char *legs;       /* JSON, "#N" for a count, or NULL: an error containing err */
	const char *err;
} matrix_cases[] = {
	{ "docs: a single-dimension matrix",
	  "{\"version\":[10,12,14]}",
	  "[{\"version\":10},{\"version\":12},{\"version\":14}]" },
	{ "docs: a multi-dimension matrix, the first key varies slowest",
	  "{\"os\":[\"ubuntu-22.04\",\"ubuntu-20.04\"],\"version\":[10,12,14]}",
	  "[{\"os\":\"ubuntu-22.04\",\"version\":10},{\"os\":\"ubuntu-22.04\",\"version\":12},"
	  "{\"os\":\"ubuntu-22.04\",\"version\":14},{\"os\":\"ubuntu-20.04\",\"version\":10},"
	  "{\"os\":\"ubuntu-20.04\",\"version\":12},{\"os\":\"ubuntu-20.04\",\"version\":14}]" },
	{ "docs: expanding or adding matrix configurations (fruit/animal)",
	  "{\"fruit\":[\"apple\",\"pear\"],\"animal\":[\"cat\",\"dog\"],\"include\":["
	  "{\"color\":\"green\"},{\"color\":\"pink\",\"animal\":\"cat\"},"
	  "{\"fruit\":\"apple\",\"shape\":\"circle\"},{\"fruit\":\"banana\"},"
	  "{\"fruit\":\"banana\",\"animal\":\"cat\"}]}",
	  "[{\"fruit\":\"apple\",\"animal\":\"cat\",\"color\":\"pink\",\"shape\":\"circle\"},"
	  "{\"fruit\":\"apple\",\"animal\":\"dog\",\"color\":\"green\",\"shape\":\"circle\"},"
	  "{\"fruit\":\"pear\",\"animal\":\"cat\",\"color\":\"pink\"},"
	  "{\"fruit\":\"pear\",\"animal\":\"dog\",\"color\":\"green\"},"
	  "{\"fruit\":\"banana\"},{\"fruit\":\"banana\",\"animal\":\"cat\"}]" },
	{ "docs: expanding a configuration (npm for windows/16)",
	  "{\"os\":[\"windows-latest\",\"ubuntu-latest\"],\"node\":[14,16],\"include\":["
	  "{\"os\":\"windows-latest\",\"node\":16,\"npm\":6}]}",
	  "[{\"os\":\"windows-latest\",\"node\":14},"
	  "{\"os\":\"windows-latest\",\"node\":16,\"npm\":6},"
	  "{\"os\":\"ubuntu-latest\",\"node\":14},{\"os\":\"ubuntu-latest\",\"node\":16}]" },
	{ "docs: adding configurations (an include matching nothing is appended)",
	  "{\"os\":[\"windows-latest\",\"ubuntu-latest\"],\"node\":[14,16],\"include\":["
	  "{\"os\":\"windows-latest\",\"node\":17}]}",
	  "[{\"os\":\"windows-latest\",\"node\":14},{\"os\":\"windows-latest\",\"node\":16},"
	  "{\"os\":\"ubuntu-latest\",\"node\":14},{\"os\":\"ubuntu-latest\",\"node\":16},"
	  "{\"os\":\"windows-latest\",\"node\":17}]" },
	{ "docs: include-only matrix",
	  "{\"include\":[{\"site\":\"production\",\"datacenter\":\"site-a\"},"
	  "{\"site\":\"staging\",\"datacenter\":\"site-b\"}]}",
	  "[{\"site\":\"production\",\"datacenter\":\"site-a\"},"
	  "{\"site\":\"staging\",\"datacenter\":\"site-b\"}]" },
	{ "docs: excluding (partial matches remove several legs)",
	  "{\"os\":[\"macos-latest\",\"windows-latest\"],\"version\":[12,14,16],"
	  "\"environment\":[\"staging\",\"production\"],\"exclude\":["
	  "{\"os\":\"macos-latest\",\"version\":12,\"environment\":\"production\"},"
	  "{\"os\":\"windows-latest\",\"version\":16}]}",
	  "[{\"os\":\"macos-latest\",\"version\":12,\"environment\":\"staging\"},"
	  "{\"os\":\"macos-latest\",\"version\":14,\"environment\":\"staging\"},"
	  "{\"os\":\"macos-latest\",\"version\":14,\"environment\":\"production\"},"
	  "{\"os\":\"macos-latest\",\"version\":16,\"environment\":\"staging\"},"
	  "{\"os\":\"macos-latest\",\"version\":16,\"environment\":\"production\"},"
	  "{\"os\":\"windows-latest\",\"version\":12,\"environment\":\"staging\"},"
	  "{\"os\":\"windows-latest\",\"version\":12,\"environment\":\"production\"},"
	  "{\"os\":\"windows-latest\",\"version\":14,\"environment\":\"staging\"},"
	  "{\"os\":\"windows-latest\",\"version\":14,\"environment\":\"production\"}]" },
	{ "exclude runs before include, which may add an excluded leg back",
	  "{\"a\":[1,2],\"exclude\":[{\"a\":2}],\"include\":[{\"a\":2,\"b\":true}]}",
	  "[{\"a\":1},{\"a\":2,\"b\":true}]" },
	{ "values of any JSON type, compared deeply",
	  "{\"cfg\":[{\"x\":[1,2]},{\"x\":[3]}],\"exclude\":[{\"cfg\":{\"x\":[3]}}],"
	  "\"include\":[{\"cfg\":{\"x\":[1,2]},\"n\":null}]}",
	  "[{\"cfg\":{\"x\":[1,2]},\"n\":null}]" },
	{ "a later include overwrites what an earlier one added",
	  "{\"a\":[1],\"include\":[{\"c\":\"x\"},{\"c\":\"y\"}]}",
	  "[{\"a\":1,\"c\":\"y\"}]" },
	{ "an empty vector", "{\"a\":[]}", NULL, "matrix vector 'a' has no values" },
	{ "a vector that is not a sequence", "{\"a\":\"x\"}", NULL,
	  "matrix vector 'a' must be a sequence, not a string" },
	{ "everything excluded", "{\"a\":[1],\"exclude\":[{\"a\":1}]}", NULL,
	  "matrix has no combination left after 'exclude'" },
	{ "nothing at all", "{}", NULL, "matrix has no vector and no 'include' entry" },
	{ "include entries must be mappings", "{\"include\":[1]}", NULL,
	  "matrix 'include' entry 1 must be a mapping, not a number" },
	{ "not a mapping", "[1]", NULL, "a matrix must be a mapping, not a sequence" },
	{ "255 legs", "{\"a\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17],"
	  "\"b\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]}", "#255", NULL },
	{ "more than 256 legs", "{\"a\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17],"
	  "\"b\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]}", NULL,
	  "matrix has 272 combinations, more than the 256 allowed" },
	{ "256 legs are allowed", "{\"a\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16],"
	  "\"b\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]}", "#256", NULL },
};

static void test_matrix_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(matrix_cases) / sizeof(matrix_cases[0]); i++) {
		struct arena a = ARENA_INIT;
		struct strbuf err = STRBUF_INIT, got = STRBUF_INIT;
		struct val m, legs;
		int ret;

		assert_int_equal(json_parse(&m, &a, matrix_cases[i].matrix,
					    strlen(matrix_cases[i].matrix), &err), 0);
		ret = matrix_expand(&legs, &a, m, &err);
		if (!ret && matrix_cases[i].legs && matrix_cases[i].legs[0] == '#')
			strbuf_addf(&got, "#%zu", legs.u.array->nr);
		else if (!ret)
			json_write(&got, legs, 0);
		if (matrix_cases[i].legs && strcmp(got.buf, matrix_cases[i].legs))
			fail_msg("%s:\n got  %s\n want %s", matrix_cases[i].what, got.buf,
				 matrix_cases[i].legs);
		if (!matrix_cases[i].legs && (!ret || !strstr(err.buf, matrix_cases[i].err)))
			fail_msg("%s: got error '%s', want '%s'", matrix_cases[i].what, err.buf,
				 matrix_cases[i].err);
		strbuf_release(&err);
		strbuf_release(&got);
		arena_release(&a);
	}
}

static void test_matrix_narrow(void **state)
{
	static const struct {
		const char *filters, *want;     /* filters separated by spaces */
	} cases[] = {
		{ "os:linux", "[{\"os\":\"linux\",\"v\":1},{\"os\":\"linux\",\"v\":2}]" },
		{ "os:linux v:2", "[{\"os\":\"linux\",\"v\":2}]" },
		{ "v:1 v:2", "[{\"os\":\"linux\",\"v\":1},{\"os\":\"linux\",\"v\":2},"
			     "{\"os\":\"mac\",\"v\":1},{\"os\":\"mac\",\"v\":2}]" },
		{ "other:x", "[{\"os\":\"linux\",\"v\":1},{\"os\":\"linux\",\"v\":2},"
			     "{\"os\":\"mac\",\"v\":1},{\"os\":\"mac\",\"v\":2}]" },
		{ "os:windows", "[]" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		static const char m_text[] = "{\"os\":[\"linux\",\"mac\"],\"v\":[1,2]}";
		struct arena a = ARENA_INIT;
		struct strbuf err = STRBUF_INIT, got = STRBUF_INIT;
		struct strlist filters = STRLIST_INIT;
		char buf[64], *save = NULL;
		struct val m, legs;

		snprintf(buf, sizeof(buf), "%s", cases[i].filters);
		for (char *tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
			strlist_push(&filters, tok);
		assert_int_equal(json_parse(&m, &a, m_text, strlen(m_text), &err), 0);
		assert_int_equal(matrix_expand(&legs, &a, m, &err), 0);
		assert_int_equal(matrix_narrow(legs, &filters, &err), 0);
		json_write(&got, legs, 0);
		assert_string_equal(got.buf, cases[i].want);
		strlist_release(&filters);
		strbuf_release(&err);
		strbuf_release(&got);
		arena_release(&a);
	}
}

static void test_matrix_narrow_error(void **state)
{
	struct arena a = ARENA_INIT;
	struct strbuf err = STRBUF_INIT;
	struct strlist filters = STRLIST_INIT;
	struct val legs = val_new_array(&a);

	(void)state;
	strlist_push(&filters, "novalue");
	assert_int_equal(matrix_narrow(legs, &filters, &err), -1);
	assert_string_equal(err.buf, "--matrix 'novalue' is not KEY:VALUE");
	strlist_release(&filters);
	strbuf_release(&err);
	arena_release(&a);
}

static void test_matrix_format_values(void **state)
{
	static const char text[] = "{\"os\":\"ubuntu\",\"node\":16,\"x\":true,\"o\":{\"k\":[1]}}";
	struct arena a = ARENA_INIT;
	struct strbuf err = STRBUF_INIT, got = STRBUF_INIT;
	struct val v;

	(void)state;
	assert_int_equal(json_parse(&v, &a, text, strlen(text), &err), 0);
	matrix_format_values(&got, v);
	assert_string_equal(got.buf, "ubuntu, 16, true, {\"k\":[1]}");
	strbuf_release(&err);
	strbuf_release(&got);
	arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matrix_table),
		cmocka_unit_test(test_matrix_narrow),
		cmocka_unit_test(test_matrix_narrow_error),
		cmocka_unit_test(test_matrix_format_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
