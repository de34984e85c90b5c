/*
 * Unit tests for util/acm: exact spans on small cases, and a differential
 * check against a naive search on random texts, with full transition rows
 * and with the sparse (budget-limited) representation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "util/acm.h"
#include "util/strbuf.h"

/* Row budgets: the root's row only, a few rows, and the default (0). */
static const size_t budgets[] = { 1, 4096, 0 };
#define NBUDGETS (sizeof(budgets) / sizeof(budgets[0]))

/* Render the spans as "start-end,..." for exact comparisons. */
static const char *spans_str(struct strbuf *sb, const struct acm_spans *s)
{
	strbuf_reset(sb);
	for (size_t i = 0; i < s->nr; i++)
		strbuf_addf(sb, "%s%zu-%zu", i ? "," : "", s->items[i].start, s->items[i].end);
	return sb->buf;
}

static void test_acm_exact_spans(void **state)
{
	static const struct {
		const char *patterns[4];
		const char *text;
		const char *spans;
	} cases[] = {
		{ { "abc" }, "xxabcxx", "2-5" },
		{ { "abc" }, "abcabc", "0-6" },                 /* touching spans merge */
		{ { "abc" }, "abcxabc", "0-3,4-7" },
		{ { "abc", "bcd" }, "abcd", "0-4" },            /* overlap merges */
		{ { "abc", "abcxyz" }, "abcxyz", "0-6" },       /* longer one wins */
		{ { "abc", "abcxyz" }, "abcxy", "0-3" },
		{ { "bc", "abcd" }, "abcd", "0-4" },            /* shorter inside longer */
		{ { "he", "she", "his", "hers" }, "ushers", "1-6" },
		{ { "a" }, "banana", "1-2,3-4,5-6" },
		{ { "aa" }, "aaaa", "0-4" },
		{ { "x" }, "", "" },
		{ { "needle" }, "haystack", "" },
	};
	struct strbuf sb = STRBUF_INIT;
	struct acm_spans spans = ACM_SPANS_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct acm_pattern pats[4];
		size_t n = 0;
		struct acm *ac;

		for (; n < 4 && cases[i].patterns[n]; n++) {
			pats[n].ptr = cases[i].patterns[n];
			pats[n].len = strlen(cases[i].patterns[n]);
		}
		for (size_t b = 0; b < NBUDGETS; b++) {
			ac = acm_build(pats, n, budgets[b]);
			acm_cover(ac, cases[i].text, strlen(cases[i].text), &spans);
			assert_string_equal(spans_str(&sb, &spans), cases[i].spans);
			acm_free(ac);
		}
	}
	free(spans.items);
	strbuf_release(&sb);
}

static void test_acm_nul_bytes_and_high_bytes(void **state)
{
	struct acm_pattern pats[] = { { "a\0b", 3 }, { "\xff\xfe", 2 } };
	struct acm_spans spans = ACM_SPANS_INIT;
	struct strbuf sb = STRBUF_INIT;
	struct acm *ac = acm_build(pats, 2, 0);

	(void)state;
	acm_cover(ac, "xa\0bx\xff\xfey", 8, &spans);
	assert_string_equal(spans_str(&sb, &spans), "1-4,5-7");
	acm_cover(ac, "ab\0", 3, &spans);
	assert_int_equal(spans.nr, 0);
	acm_free(ac);
	free(spans.items);
	strbuf_release(&sb);
}

/* Mark every occurrence of every pattern, the slow way. */
static void naive_cover(const struct acm_pattern *pats, size_t n, const char *text,
			size_t len, unsigned char *covered)
{
	memset(covered, 0, len);
	for (size_t p = 0; p < n; p++)
		for (size_t i = 0; pats[p].len && i + pats[p].len <= len; i++)
			if (!memcmp(text + i, pats[p].ptr, pats[p].len))
				memset(covered + i, 1, pats[p].len);
}

static void test_acm_matches_naive_search(void **state)
{
	enum { NPAT = 40, TEXTLEN = 4000, ROUNDS = 30 };
	char patbuf[NPAT][12], text[TEXTLEN];
	unsigned char want[TEXTLEN], got[TEXTLEN];
	struct acm_pattern pats[NPAT];
	struct acm_spans spans = ACM_SPANS_INIT;
	unsigned seed = 12345;

	(void)state;
	for (int round = 0; round < ROUNDS; round++) {
		/* A small alphabet makes overlaps and shared prefixes common. */
		const char *alpha = round % 2 ? "ab" : "abcd";
		size_t alen = strlen(alpha);

		for (int p = 0; p < NPAT; p++) {
			size_t len = 1 + (size_t)(rand_r(&seed) % 11);

			if (round < ROUNDS / 2 && len < 3)
				len = 3;
			for (size_t j = 0; j < len; j++)
				patbuf[p][j] = alpha[rand_r(&seed) % alen];
			pats[p].ptr = patbuf[p];
			pats[p].len = len;
		}
		for (size_t i = 0; i < TEXTLEN; i++)
			text[i] = rand_r(&seed) % 10 ? alpha[rand_r(&seed) % alen] : 'z';
		naive_cover(pats, NPAT, text, TEXTLEN, want);
		for (size_t b = 0; b < NBUDGETS; b++) {
			struct acm *ac = acm_build(pats, NPAT, budgets[b]);
			struct acm_stats st;

			acm_get_stats(ac, &st);
			if (budgets[b] == 1)
				assert_int_equal(st.dense_states, 1);
			acm_cover(ac, text, TEXTLEN, &spans);
			memset(got, 0, sizeof(got));
			for (size_t s = 0; s < spans.nr; s++) {
				assert_true(spans.items[s].start < spans.items[s].end);
				if (s)
					assert_true(spans.items[s - 1].end < spans.items[s].start);
				memset(got + spans.items[s].start, 1,
				       spans.items[s].end - spans.items[s].start);
			}
			assert_memory_equal(got, want, TEXTLEN);
			acm_free(ac);
		}
	}
	free(spans.items);
}

static void test_acm_stats(void **state)
{
	struct acm_pattern pats[] = { { "abc", 3 }, { "abd", 3 }, { "", 0 } };
	struct acm *ac = acm_build(pats, 3, 0);
	struct acm_stats st;

	(void)state;
	acm_get_stats(ac, &st);
	assert_int_equal(st.states, 5);         /* root, a, ab, abc, abd */
	assert_int_equal(st.dense_states, 5);
	assert_int_equal(st.classes, 5);        /* other, a, b, c, d */
	assert_true(st.bytes > 5 * 5 * sizeof(uint32_t));
	acm_free(ac);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_acm_exact_spans),
		cmocka_unit_test(test_acm_nul_bytes_and_high_bytes),
		cmocka_unit_test(test_acm_matches_naive_search),
		cmocka_unit_test(test_acm_stats),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
