/*
 * Unit tests for runner/mask: GitHub's own masking expectations, every
 * encoding, secrets inside base64 blobs at every alignment, overlaps,
 * multi-line secrets, masks added mid-run and whole-buffer masking.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "runner/mask.h"
#include "util/digest.h"

static const char *masked(const struct mask *m, struct strbuf *sb, const char *text, size_t len)
{
	strbuf_reset(sb);
	strbuf_add(sb, text, len);
	mask_apply(m, sb);
	return sb->buf;
}

#define MASKED(m, sb, s) masked((m), (sb), (s), strlen(s))

/*
 * The secrets and expectations of actions/runner's HostContextL0
 * DefaultSecretMaskers test (src/Test/L0/HostContextL0.cs), transcribed
 * from C# string literals.
 */
static void test_mask_github_default_maskers(void **state)
{
	static const char *const secrets[] = {
		"Password123!", "Pass\"word\"123!", "Pass word 123!", "Pass<word>123!",
		"Pass'word'123!", "\"Password123!!\"", "\"short\"",
	};
	static const struct { const char *text, *want; } plain[] = {
		{ "123Password123!123", "123***123" },
		{ "password123", "password123" },
		{ "123Pass\\\"word\\\"123!123", "123***123" },
		{ "123Pass%20word%20123%21123", "123***123" },
		{ "123Pass&lt;word&gt;123!123", "123***123" },
		{ "123Pass''word''123!123", "123***123" },
		{ "123Password123!!123", "123***123" },
		{ "123short123", "123short123" },
		{ "123\"short\"123", "123***123" },
	};
	/* Convert.ToBase64String(prefix + "Password123!") and the masked result. */
	static const struct { const char *prefix, *want; } b64[] = {
		{ ":", "OlBh***" },
		{ "a:", "YTpQ***" },
		{ "ab:", "YWI6***" },
		{ "abc:", "YWJjOlBh***" },
		{ "abcd:", "YWJjZDpQ***" },
		{ "abcde:", "YWJjZGU6***" },
	};
	struct mask m;
	struct strbuf sb = STRBUF_INIT, raw = STRBUF_INIT, enc = STRBUF_INIT;

	(void)state;
	mask_init(&m);
	for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++)
		assert_true(mask_add(&m, secrets[i], strlen(secrets[i])) > 0);
	assert_int_equal(mask_count_secrets(&m), 7);
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		assert_string_equal(MASKED(&m, &sb, plain[i].text), plain[i].want);
	for (size_t i = 0; i < sizeof(b64) / sizeof(b64[0]); i++) {
		strbuf_reset(&raw);
		strbuf_reset(&enc);
		strbuf_addf(&raw, "%sPassword123!", b64[i].prefix);
		digest_base64(&enc, raw.buf, raw.len);
		assert_string_equal(MASKED(&m, &sb, enc.buf), b64[i].want);
	}
	mask_release(&m);
	strbuf_release(&sb);
	strbuf_release(&raw);
	strbuf_release(&enc);
}

/* One secret per case, masked in one text. */
static void test_mask_each_form(void **state)
{
	static const struct {
		const char *secret;
		size_t secret_len;      /* 0: strlen */
		const char *text;
		size_t text_len;        /* 0: strlen */
		const char *want;
	} cases[] = {
		/* the value, trimmed */
		{ "s3cr3t", 0, "token=s3cr3t;", 0, "token=***;" },
		{ "  padded\t", 0, "[padded]", 0, "[***]" },
		/* JSON string escaping, as util/json writes it */
		{ "line1\nli\"ne2\\x", 0, "{\"k\":\"line1\\nli\\\"ne2\\\\x\"}", 0, "{\"k\":\"***\"}" },
		{ "tab\there\x01", 0, "\"tab\\there\\u0001\"", 0, "\"***\"" },
		/* URI data escaping and encodeURIComponent */
		{ "p@ss word/1", 0, "u=p%40ss%20word%2F1&x", 0, "u=***&x" },
		{ "a!b(c)d*e'f g", 0, "q=a%21b%28c%29d%2Ae%27f%20g", 0, "q=***" },
		{ "a!b(c)d*e'f g", 0, "q=a!b(c)d*e'f%20g", 0, "q=***" },
		/* XML and expression-string escaping */
		{ "<a&b>\"'", 0, "<v>&lt;a&amp;b&gt;&quot;&apos;</v>", 0, "<v>***</v>" },
		{ "it's-secret", 0, "'it''s-secret'", 0, "'***'" },
		/* a double-quoted value over 8 bytes also masks its inside */
		{ "\"Password123!!\"", 0, "pw: Password123!!", 0, "pw: ***" },
		{ "\"short\"", 0, "pw: short", 0, "pw: short" },
		/* base64, and base64 of the secret followed by more bytes */
		{ "secret value", 0, "c2VjcmV0IHZhbHVl", 0, "***" },
		{ "1234", 0, "MTIzNA== MTIzNAo=", 0, "*** ***Ao=" },
		{ "YWJjCg==", 0, "YWJjCg==", 0, "***" },
		/* base64url fragments (JWT-style blobs) */
		{ "~~~>>>", 0, "xfn5-Pj4-y xfn5+Pj4+y", 0, "x***y x***y" },
		/* NUL bytes are ordinary bytes */
		{ "a\0b", 3, "xa\0bx", 5, "x***x" },
		/* GitHub masks secrets of any length */
		{ "x", 0, "max x", 0, "ma*** ***" },
		{ "ab", 0, "YWI=", 0, "***" },
	};
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mask m;
		size_t slen = cases[i].secret_len ? cases[i].secret_len : strlen(cases[i].secret);
		size_t tlen = cases[i].text_len ? cases[i].text_len : strlen(cases[i].text);

		mask_init(&m);
		assert_true(mask_add(&m, cases[i].secret, slen) > 0);
		assert_string_equal(masked(&m, &sb, cases[i].text, tlen), cases[i].want);
		mask_release(&m);
	}
	strbuf_release(&sb);
}

/*
 * A secret inside base64(prefix + secret + suffix), for every prefix and
 * suffix length: at most the characters that also depend on neighbouring
 * bytes may stay visible, so no three secret bytes in a row show.
 */
static void test_mask_base64_every_alignment(void **state)
{
	static const char secret[] = "correct horse battery staple";
	struct mask m;
	struct strbuf raw = STRBUF_INIT, enc = STRBUF_INIT, sb = STRBUF_INIT;

	(void)state;
	mask_init(&m);
	mask_add(&m, secret, strlen(secret));
	for (size_t pre = 0; pre < 7; pre++) {
		for (size_t suf = 0; suf < 7; suf++) {
			size_t visible, bound;
			const char *first;

			strbuf_reset(&raw);
			strbuf_addchars(&raw, 'P', pre);
			strbuf_addstr(&raw, secret);
			strbuf_addchars(&raw, 'S', suf);
			strbuf_reset(&enc);
			digest_base64(&enc, raw.buf, raw.len);
			MASKED(&m, &sb, enc.buf);
			first = strstr(sb.buf, "***");
			assert_non_null(first);
			assert_null(strstr(first + 3, "***"));
			visible = sb.len - 3;
			/* prefix bytes + 2 partial secret bytes, suffix + 1 partial, padding */
			bound = (pre + 2 + 2) / 3 * 4 + (suf + 1 + 2) / 3 * 4 + 2;
			assert_true(visible <= bound);
		}
	}
	mask_release(&m);
	strbuf_release(&raw);
	strbuf_release(&enc);
	strbuf_release(&sb);
}

static void test_mask_overlaps_leave_no_piece(void **state)
{
	static const struct { const char *text, *want; } cases[] = {
		{ "abcxyz", "***" },            /* longer secret contains a shorter one */
		{ "abcxy", "***xy" },
		{ "zzabc", "z***" },            /* "zab" overlaps "abc" */
		{ "abcabc", "***" },            /* adjacent occurrences merge */
		{ "bcd", "bcd" },
		{ "1abcdef1", "1***1" },        /* "abcd" and "cdef" overlap */
	};
	static const char *const secrets[] = { "abc", "abcxyz", "zab", "abcd", "cdef" };
	struct mask m;
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	mask_init(&m);
	for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++)
		mask_add(&m, secrets[i], strlen(secrets[i]));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(MASKED(&m, &sb, cases[i].text), cases[i].want);
	assert_int_equal(mask_apply(&m, &sb), 0);
	mask_release(&m);
	strbuf_release(&sb);
}

static void test_mask_multiline_secret(void **state)
{
	static const char key[] =
		"-----BEGIN KEY-----\r\n  MIIEvQIBADAN  \r\nBgkqhkiG9w0B\n\n-----END KEY-----\n";
	static const struct { const char *text, *want; } lines[] = {
		{ "-----BEGIN KEY-----", "***" },
		{ "MIIEvQIBADAN", "***" },
		{ "  MIIEvQIBADAN  ", "  ***  " },
		{ "x BgkqhkiG9w0B x", "x *** x" },
		{ "{\"key\": \"-----BEGIN KEY-----\\r\\n  MIIEvQIBADAN", "{\"key\": \"***\\r\\n  ***" },
	};
	struct mask m;
	struct strbuf sb = STRBUF_INIT, out = STRBUF_INIT;

	(void)state;
	mask_init(&m);
	mask_add(&m, key, strlen(key));
	assert_int_equal(mask_count_secrets(&m), 1);
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		assert_string_equal(MASKED(&m, &sb, lines[i].text), lines[i].want);
	/* A whole file (a step summary) with the key in it, and around it. */
	strbuf_reset(&sb);
	strbuf_addf(&sb, "a\n%sb\n", key);
	assert_int_equal(mask_apply_buf(&m, sb.buf, sb.len, &out), 1);
	assert_string_equal(out.buf, "a\n***\nb\n");
	strbuf_reset(&out);
	assert_int_equal(mask_apply_buf(&m, "MIIEvQIBADAN\nBgkqhkiG9w0B", 25, &out), 2);
	assert_string_equal(out.buf, "***\n***");
	mask_release(&m);
	strbuf_release(&sb);
	strbuf_release(&out);
}

static void test_mask_add_ignores_empty_and_repeats(void **state)
{
	struct mask m;
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	mask_init(&m);
	assert_int_equal(mask_add(&m, "", 0), 0);
	assert_int_equal(mask_add(&m, " \t\r\n", 4), 0);
	assert_string_equal(MASKED(&m, &sb, "nothing to hide"), "nothing to hide");
	assert_true(mask_add(&m, "hunter2", 7) > 0);
	assert_int_equal(mask_add(&m, "hunter2", 7), 0);
	assert_int_equal(mask_add(&m, " hunter2\n", 9), 0);
	assert_int_equal(mask_count_secrets(&m), 1);
	mask_release(&m);
	strbuf_release(&sb);
}

/* ::add-mask:: arrives while output is being masked: the matcher is rebuilt. */
static void test_mask_added_mid_run(void **state)
{
	struct mask m;
	struct strbuf sb = STRBUF_INIT, out = STRBUF_INIT;

	(void)state;
	mask_init(&m);
	mask_add(&m, "first-secret", 12);
	assert_string_equal(MASKED(&m, &sb, "first-secret later-secret"), "*** later-secret");
	mask_add(&m, "later-secret", 12);
	assert_string_equal(MASKED(&m, &sb, "first-secret later-secret"), "*** ***");
	assert_int_equal(mask_apply_buf(&m, "later-secret\n", 13, &out), 1);
	assert_string_equal(out.buf, "***\n");
	mask_release(&m);
	strbuf_release(&sb);
	strbuf_release(&out);
}

/* The masked text the slow way: mark every occurrence of every form. */
static void naive_mask(const struct mask *m, const char *text, size_t len, struct strbuf *out)
{
	unsigned char *cover = calloc(len + 1, 1);

	assert_non_null(cover);
	for (size_t f = 0; f < m->nr; f++) {
		const char *form = m->forms.buf + m->form[f].off;
		size_t flen = m->form[f].len;

		for (size_t i = 0; i + flen <= len; i++)
			if (!memcmp(text + i, form, flen))
				memset(cover + i, 1, flen);
	}
	for (size_t i = 0; i < len; i++) {
		if (!cover[i])
			strbuf_addch(out, text[i]);
		else if (!i || !cover[i - 1])
			strbuf_addstr(out, MASK_REPLACEMENT);
	}
	free(cover);
}

/* Random secrets over a small alphabet (many overlaps), random texts. */
static void test_mask_matches_naive(void **state)
{
	static const char alpha[] = "ab\"'%=\n";
	struct strbuf text = STRBUF_INIT, want = STRBUF_INIT, got = STRBUF_INIT;
	struct strbuf secret = STRBUF_INIT;
	unsigned seed = 99;

	(void)state;
	for (int round = 0; round < 40; round++) {
		struct mask m;

		mask_init(&m);
		for (int s = 0; s < 8; s++) {
			size_t n = 1 + (size_t)rand_r(&seed) % 9;

			strbuf_reset(&secret);
			for (size_t i = 0; i < n; i++)
				strbuf_addch(&secret, alpha[rand_r(&seed) % (sizeof(alpha) - 1)]);
			mask_add(&m, secret.buf, secret.len);
		}
		for (int t = 0; t < 20; t++) {
			strbuf_reset(&text);
			while (text.len < 200) {
				size_t f = (size_t)rand_r(&seed) % (m.nr + 1);

				if (f == m.nr || rand_r(&seed) % 2) {
					strbuf_addch(&text, alpha[rand_r(&seed) % (sizeof(alpha) - 1)]);
				} else {
					strbuf_add(&text, m.forms.buf + m.form[f].off, m.form[f].len);
				}
			}
			strbuf_reset(&want);
			naive_mask(&m, text.buf, text.len, &want);
			strbuf_reset(&got);
			mask_apply_buf(&m, text.buf, text.len, &got);
			assert_string_equal(got.buf, want.buf);
		}
		mask_release(&m);
	}
	strbuf_release(&text);
	strbuf_release(&want);
	strbuf_release(&got);
	strbuf_release(&secret);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mask_github_default_maskers),
		cmocka_unit_test(test_mask_each_form),
		cmocka_unit_test(test_mask_base64_every_alignment),
		cmocka_unit_test(test_mask_overlaps_leave_no_piece),
		cmocka_unit_test(test_mask_multiline_secret),
		cmocka_unit_test(test_mask_add_ignores_empty_and_repeats),
		cmocka_unit_test(test_mask_added_mid_run),
		cmocka_unit_test(test_mask_matches_naive),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
