/*
 * unicase: JavaScript's case mapping of UTF-8 strings — what
 * String.prototype.toUpperCase() and toLowerCase() give in the root
 * locale (full mappings such as "ß" -> "SS", and the Final_Sigma rule) —
 * and comparisons under it that allocate nothing. Tables come from
 * util/unicase_tab.c; this module knows no other locale.
 */
#ifndef UTIL_UNICASE_H
#define UTIL_UNICASE_H

#include <stddef.h>
#include <string.h>

#include "util/strbuf.h"

enum unicase_map {
	UNICASE_UPPER,          /* toUpperCase() */
	UNICASE_LOWER,          /* toLowerCase() */
	UNICASE_UPPER_KEEP_I,   /* toUpperCase(), except that U+0131 'ı' stays as it is */
};

/* Append s mapped by m to out. */
void unicase_apply(struct strbuf *out, const char *s, size_t len, enum unicase_map m);

/*
 * Compare a and b after mapping both by m, as JavaScript's < compares
 * strings (by UTF-16 code units): negative, 0 or positive.
 */
int unicase_compare(const char *a, size_t alen, const char *b, size_t blen, enum unicase_map m);

/*
 * 1 when toLowerCase(s) equals toLowerCase(key), for an ASCII key: the
 * fast form of a case-insensitive lookup.
 */
int unicase_equal_lower_ascii(const char *s, size_t len, const char *key, size_t klen);

/*
 * 0 when s (len bytes) cannot equal an ASCII key of klen bytes under
 * toLowerCase(), decided without reading much of s: lengths must agree,
 * except that each Kelvin sign (E2 84 AA, the only non-ASCII character
 * that lowers to ASCII) adds two bytes.
 */
static inline int unicase_lower_ascii_may_equal(const char *s, size_t len, size_t klen)
{
	return len == klen || (len > klen && !((len - klen) & 1) && memchr(s, 0xE2, len));
}

/* 1 when s mapped by m starts with prefix mapped by m. */
int unicase_starts_with(const char *s, size_t len, const char *prefix, size_t plen,
			enum unicase_map m);

#endif
