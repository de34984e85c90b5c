/*
 * rx: regular expressions (the only file that includes pcre2.h). Patterns
 * are PCRE2 syntax; subjects are byte strings that may contain NULs.
 */
#ifndef UTIL_RX_H
#define UTIL_RX_H

#include <stddef.h>

#include "util/strbuf.h"

struct rx;

enum rx_flags {
	RX_CASELESS = 1 << 0,
	RX_MULTILINE = 1 << 1,  /* ^ and $ match at line breaks */
	RX_DOTALL = 1 << 2,     /* . matches newlines */
	RX_UTF = 1 << 3,        /* pattern and subjects are UTF-8 (checked) */
	RX_ANCHORED = 1 << 4,   /* the whole subject must match */
};

/* Compile pattern (NUL-terminated); NULL with "offset N: reason" in err. */
struct rx *rx_compile(const char *pattern, unsigned flags, struct strbuf *err);
void rx_free(struct rx *rx);

/*
 * Search subject[start..len). Returns 1 and the match's byte span in
 * mstart and mend (either may be NULL), 0 for no match, -1 on a matching
 * error (e.g. the match limit).
 */
int rx_search(const struct rx *rx, const char *subject, size_t len, size_t start,
	      size_t *mstart, size_t *mend);

/*
 * Like rx_search, and also the byte spans of the capture groups: for
 * i < nspans, spans[2*i] and spans[2*i+1] get group i's span (group 0 is
 * the whole match), or RX_UNSET twice for a group that took no part.
 */
#define RX_UNSET ((size_t)-1)
int rx_search_spans(const struct rx *rx, const char *subject, size_t len, size_t start,
		    size_t *spans, size_t nspans);

/* 1 when the whole subject matches (RX_ANCHORED or not), 0 otherwise. */
int rx_matches(const struct rx *rx, const char *subject, size_t len);

#endif
