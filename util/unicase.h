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

/* 1 when s mapped by m starts with prefix mapped by m. */
int unicase_starts_with(const char *s, size_t len, const char *prefix, size_t plen,
			enum unicase_map m);

#endif
