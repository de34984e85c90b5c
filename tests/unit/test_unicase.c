/*
 * Unit tests for util/unicase (JavaScript's case mapping and comparisons)
 * and util/utf8 (decoding, UTF-16 lengths, JavaScript white space).
 * Expected values are what Node.js prints for the same strings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "util/unicase.h"
#include "util/utf8.h"

static void test_apply(void **state)
{
	static const struct {
		enum unicase_map map;
		const char *in, *want;
	} cases[] = {
		{ UNICASE_UPPER, "abc-XYZ_09", "ABC-XYZ_09" },
		{ UNICASE_UPPER, "straße", "STRASSE" },          /* one to two */
		{ UNICASE_UPPER, "ﬀ", "FF" },
		{ UNICASE_UPPER, "ǆ", "Ǆ" },
		{ UNICASE_UPPER, "ı", "I" },
		{ UNICASE_UPPER_KEEP_I, "ıi", "ıI" },          /* GitHub keeps the dotless i */
		{ UNICASE_UPPER, "ŉ", "ʼN" },
		{ UNICASE_UPPER, "\xCE\x90", "\xCE\x99\xCC\x88\xCC\x81" }, /* one to three */
		{ UNICASE_UPPER, "\xF0\x90\x90\xA8", "\xF0\x90\x90\x80" }, /* Deseret, astral */
		{ UNICASE_LOWER, "İ", "i̇" },                   /* one to two */
		{ UNICASE_LOWER, "KELVIN \xE2\x84\xAA", "kelvin k" },
		{ UNICASE_LOWER, "ΑΣ", "ας" },                  /* final sigma */
		{ UNICASE_LOWER, "ΑΣΑ", "ασα" },
		{ UNICASE_LOWER, "Σ", "σ" },                    /* no letter before */
		{ UNICASE_LOWER, "Α.Σ", "α.ς" },                /* '.' is case-ignorable */
		{ UNICASE_LOWER, "ΑΣ.Α", "ασ.α" },
		{ UNICASE_LOWER, "ΟΔΟΣ ΟΔΟΣ", "οδος οδος" },
		{ UNICASE_LOWER, "\xff\xfe", "\xEF\xBF\xBD\xEF\xBF\xBD" }, /* invalid bytes */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct strbuf sb = STRBUF_INIT;

		unicase_apply(&sb, cases[i].in, strlen(cases[i].in), cases[i].map);
		if (strcmp(sb.buf, cases[i].want))
			fail_msg("case %zu: '%s' gave '%s', want '%s'", i, cases[i].in, sb.buf,
				 cases[i].want);
		strbuf_release(&sb);
	}
}

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

static void test_compare(void **state)
{
	static const struct {
		enum unicase_map map;
		const char *a, *b;
		int want;
	} cases[] = {
		{ UNICASE_UPPER, "abc", "ABC", 0 },
		{ UNICASE_UPPER, "abc", "abd", -1 },
		{ UNICASE_UPPER, "ab", "abc", -1 },
		{ UNICASE_UPPER, "_", "a", 1 },                   /* '_' > 'A' after upper-casing */
		{ UNICASE_UPPER, "straße", "STRASSE", 0 },
		{ UNICASE_UPPER, "ſ", "s", 0 },                   /* long s */
		{ UNICASE_UPPER_KEEP_I, "ı", "i", 1 },
		{ UNICASE_UPPER, "ı", "i", 0 },
		{ UNICASE_UPPER, "\xEE\x80\x80", "\xF0\x9F\x98\x80", 1 }, /* U+E000 > U+1F600 in UTF-16 */
		{ UNICASE_LOWER, "K", "\xE2\x84\xAA", 0 },       /* Kelvin sign */
		{ UNICASE_LOWER, "ΑΣ", "ας", 0 },
		{ UNICASE_LOWER, "ΑΣ", "ασ", -1 },            /* ς < σ */
		{ UNICASE_LOWER, "", "", 0 },
		{ UNICASE_LOWER, "a", "", 1 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int got = unicase_compare(cases[i].a, strlen(cases[i].a), cases[i].b,
					  strlen(cases[i].b), cases[i].map);

		if (sign(got) != cases[i].want)
			fail_msg("case %zu: compare('%s', '%s') = %d, want %d", i, cases[i].a,
				 cases[i].b, got, cases[i].want);
	}
}

static void test_starts_with(void **state)
{
	(void)state;
	assert_true(unicase_starts_with("straße", 7, "STRAS", 5, UNICASE_UPPER));
	assert_true(unicase_starts_with("abc", 3, "", 0, UNICASE_UPPER));
	assert_false(unicase_starts_with("ab", 2, "abc", 3, UNICASE_UPPER));
	assert_false(unicase_starts_with("ıx", 3, "I", 1, UNICASE_UPPER_KEEP_I));
}

static void test_utf8(void **state)
{
	const char *s = " \t\xC2\xA0 x y\xE2\x80\xA8\xEF\xBB\xBF ";
	size_t len = strlen(s);
	const unsigned char *p = (const unsigned char *)"\xF0\x9F\x98\x80", *q;

	(void)state;
	utf8_js_trim(&s, &len);
	assert_int_equal(len, 3);
	assert_memory_equal(s, "x y", 3);
	assert_int_equal(utf8_utf16_len("a\xF0\x9F\x98\x80\xC3\xA9", 7), 4);
	q = p;
	assert_int_equal(utf8_decode(&q, p + 4), 0x1F600);
	q = p + 4;
	assert_int_equal(utf8_decode_back(&q, p), 0x1F600);
	assert_ptr_equal(q, p);
	q = p;
	assert_int_equal(utf8_decode(&q, p + 2), 0xFFFD);  /* truncated */
	assert_ptr_equal(q, p + 1);
	assert_true(utf8_is_js_space(0x3000));
	assert_false(utf8_is_js_space(0x180E));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_apply),
		cmocka_unit_test(test_compare),
		cmocka_unit_test(test_starts_with),
		cmocka_unit_test(test_utf8),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
