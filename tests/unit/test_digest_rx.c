/*
 * Unit tests for util/digest (SHA-256, HMAC, base64) and util/rx.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "util/digest.h"
#include "util/rx.h"

static void test_sha256_known_vector(void **state)
{
	unsigned char out[32];
	struct strbuf hex = STRBUF_INIT;

	(void)state;
	digest_sha256(out, "abc", 3);
	digest_hex(&hex, out, 32);
	assert_string_equal(hex.buf,
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	strbuf_release(&hex);
}

static void test_hmac_sha256_rfc4231(void **state)
{
	unsigned char out[32];
	struct strbuf hex = STRBUF_INIT;

	(void)state;
	digest_hmac_sha256(out, "Jefe", 4, "what do ya want for nothing?", 28);
	digest_hex(&hex, out, 32);
	assert_string_equal(hex.buf,
		"5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	strbuf_release(&hex);
}

static void test_unhex(void **state)
{
	unsigned char out[4];
	struct strbuf hex = STRBUF_INIT;

	(void)state;
	assert_int_equal(digest_unhex(out, "00fFa17E", 4), 0);
	digest_hex(&hex, out, 4);
	assert_string_equal(hex.buf, "00ffa17e");
	assert_int_equal(digest_unhex(out, "0g", 1), -1);
	assert_int_equal(digest_unhex(out, "g0", 1), -1);
	strbuf_release(&hex);
}

static void test_base64_round_trip(void **state)
{
	struct strbuf enc = STRBUF_INIT, dec = STRBUF_INIT;

	(void)state;
	digest_base64(&enc, "s3cr3t!", 7);
	assert_string_equal(enc.buf, "czNjcjN0IQ==");
	assert_int_equal(digest_base64_decode(&dec, enc.buf, enc.len), 0);
	assert_string_equal(dec.buf, "s3cr3t!");
	assert_int_equal(digest_base64_decode(&dec, "a$b", 3), -1);
	strbuf_release(&enc);
	strbuf_release(&dec);
}

static void test_rx_search_and_anchored(void **state)
{
	struct strbuf err = STRBUF_INIT;
	struct rx *rx = rx_compile("AKIA[0-9A-Z]{16}", 0, &err);
	const char *text = "key = AKIAABCDEFGHIJKLMNOP;";
	size_t s, e;

	(void)state;
	assert_non_null(rx);
	assert_int_equal(rx_search(rx, text, strlen(text), 0, &s, &e), 1);
	assert_int_equal(s, 6);
	assert_int_equal(e, 26);
	assert_int_equal(rx_matches(rx, text, strlen(text)), 0);
	rx_free(rx);
	assert_null(rx_compile("(", 0, &err));
	assert_non_null(strstr(err.buf, "offset 1"));
	strbuf_release(&err);
}

static void test_rx_search_spans_groups(void **state)
{
	struct strbuf err = STRBUF_INIT;
	struct rx *rx = rx_compile("(a+)(x)?(b+)", 0, &err);
	size_t sp[8];

	(void)state;
	assert_non_null(rx);
	assert_int_equal(rx_search_spans(rx, "--aabbb", 7, 0, sp, 4), 1);
	assert_int_equal(sp[0], 2);
	assert_int_equal(sp[1], 7);
	assert_int_equal(sp[2], 2);
	assert_int_equal(sp[3], 4);
	assert_true(sp[4] == RX_UNSET && sp[5] == RX_UNSET);
	assert_int_equal(sp[6], 4);
	assert_int_equal(sp[7], 7);
	assert_int_equal(rx_search_spans(rx, "--aabbb", 7, 5, sp, 4), 0);
	rx_free(rx);
	strbuf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_known_vector),
		cmocka_unit_test(test_hmac_sha256_rfc4231),
		cmocka_unit_test(test_unhex),
		cmocka_unit_test(test_base64_round_trip),
		cmocka_unit_test(test_rx_search_and_anchored),
		cmocka_unit_test(test_rx_search_spans_groups),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
