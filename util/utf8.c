/*
 * utf8: UTF-8 decoding/encoding and JavaScript's notions of string length
 * and white space. Case mapping lives in util/unicase.c.
 */
#include "util/utf8.h"

#include <string.h>

uint32_t utf8_decode(const unsigned char **p, const unsigned char *end)
{
	const unsigned char *s = *p;
	uint32_t cp, min;
	int n;

	if (s[0] < 0x80) {
		*p = s + 1;
		return s[0];
	}
	if ((s[0] & 0xE0) == 0xC0) {
		n = 1, cp = s[0] & 0x1F, min = 0x80;
	} else if ((s[0] & 0xF0) == 0xE0) {
		n = 2, cp = s[0] & 0x0F, min = 0x800;
	} else if ((s[0] & 0xF8) == 0xF0) {
		n = 3, cp = s[0] & 0x07, min = 0x10000;
	} else {
		*p = s + 1;
		return 0xFFFD;
	}
	if (end - s <= n)
		goto invalid;
	for (int i = 1; i <= n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			goto invalid;
		cp = cp << 6 | (s[i] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF)
		goto invalid;
	*p = s + n + 1;
	return cp;
invalid:
	*p = s + 1;
	return 0xFFFD;
}

uint32_t utf8_decode_back(const unsigned char **p, const unsigned char *begin)
{
	const unsigned char *s = *p - 1, *q;
	uint32_t cp;
	int back = 0;

	while (s > begin && back < 3 && (*s & 0xC0) == 0x80)
		s--, back++;
	q = s;
	cp = utf8_decode(&q, *p);
	if (q != *p) {
		/* Not a sequence that ends here: step back over one byte. */
		*p = *p - 1;
		return 0xFFFD;
	}
	*p = s;
	return cp;
}

size_t utf8_encode(char *buf, uint32_t cp)
{
	if (cp < 0x80) {
		buf[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		buf[0] = (char)(0xC0 | cp >> 6);
		buf[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		buf[0] = (char)(0xE0 | cp >> 12);
		buf[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		buf[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	buf[0] = (char)(0xF0 | cp >> 18);
	buf[1] = (char)(0x80 | (cp >> 12 & 0x3F));
	buf[2] = (char)(0x80 | (cp >> 6 & 0x3F));
	buf[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

size_t utf8_utf16_len(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	size_t n = 0;

	while (p < end) {
		if (*p < 0x80) {
			p++, n++;
			continue;
		}
		n += utf8_decode(&p, end) >= 0x10000 ? 2 : 1;
	}
	return n;
}

int utf8_is_js_space(uint32_t cp)
{
	if (cp < 0x80)
		return cp == ' ' || (cp >= 0x09 && cp <= 0x0D);
	switch (cp) {
	case 0x00A0: case 0x1680: case 0x2028: case 0x2029: case 0x202F:
	case 0x205F: case 0x3000: case 0xFEFF:
		return 1;
	default:
		return cp >= 0x2000 && cp <= 0x200A;
	}
}

void utf8_js_trim(const char **s, size_t *len)
{
	const unsigned char *begin = (const unsigned char *)*s, *end = begin + *len;
	const unsigned char *p = begin, *q;

	while (p < end) {
		q = p;
		if (!utf8_is_js_space(utf8_decode(&q, end)))
			break;
		p = q;
	}
	while (end > p) {
		q = end;
		if (!utf8_is_js_space(utf8_decode_back(&q, p)))
			break;
		end = q;
	}
	*s = (const char *)p;
	*len = (size_t)(end - p);
}
