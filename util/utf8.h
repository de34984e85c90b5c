/*
 * utf8: decoding and encoding of UTF-8 byte strings, and the few
 * JavaScript string notions other modules need to agree with JavaScript
 * (UTF-16 lengths and order, the white-space set of trim() and \s).
 * Invalid bytes decode as U+FFFD; nothing here allocates.
 */
#ifndef UTIL_UTF8_H
#define UTIL_UTF8_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define UTF8_MAX_BYTES 4

/*
 * Decode the code point at *p (p < end) and advance *p past it. A byte
 * that does not start a valid sequence decodes as U+FFFD and is skipped
 * alone. Encoded surrogates (ED A0..BF ..) decode as themselves, so that
 * strings carrying JavaScript's lone surrogates survive a round trip.
 */
uint32_t utf8_decode(const unsigned char **p, const unsigned char *end);

/* Decode the code point that ends just before *p (begin < *p) and move *p to its start. */
uint32_t utf8_decode_back(const unsigned char **p, const unsigned char *begin);

/* Write cp as UTF-8 into buf (UTF8_MAX_BYTES bytes); returns the length. */
size_t utf8_encode(char *buf, uint32_t cp);

/* Number of UTF-16 code units of the string (JavaScript's length). */
size_t utf8_utf16_len(const char *s, size_t len);

/* 1 when s holds only bytes below 0x80 (inline: it guards fast paths on short strings). */
static inline int utf8_is_ascii(const char *s, size_t len)
{
	size_t i = 0;

	/* Eight bytes at a time: any high bit set means a non-ASCII byte. */
	for (; i + 8 <= len; i += 8) {
		uint64_t w;

		memcpy(&w, s + i, 8);
		if (w & 0x8080808080808080u)
			return 0;
	}
	for (; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 0;
	return 1;
}

/* JavaScript's WhiteSpace and LineTerminator (what trim() removes and \s matches). */
int utf8_is_js_space(uint32_t cp);

/* Narrow [*s, *s + *len) to the string without leading and trailing JavaScript white space. */
void utf8_js_trim(const char **s, size_t *len);

/*
 * Order of code points as JavaScript compares strings: by UTF-16 code
 * units, which puts U+E000..U+FFFF after the supplementary planes.
 */
static inline uint32_t utf8_utf16_order(uint32_t cp)
{
	return cp >= 0xE000 && cp <= 0xFFFF ? cp + 0x110000 : cp;
}

#endif
