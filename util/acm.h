/*
 * acm: Aho–Corasick multi-pattern matching over bytes. An automaton is
 * built once from a set of patterns and is immutable afterwards; a scan
 * reports the regions of a text that any pattern covers, in O(length).
 * What the patterns mean (secrets, keywords) is the caller's business.
 */
#ifndef UTIL_ACM_H
#define UTIL_ACM_H

#include <stddef.h>

struct acm;

struct acm_pattern {
	const char *ptr;        /* bytes, may contain NULs; copied by acm_build */
	size_t len;             /* 0 is ignored */
};

/* A half-open byte range [start, end) of a scanned text. */
struct acm_span {
	size_t start, end;
};

/* A caller-owned, reusable list of spans (free items with free()). */
struct acm_spans {
	struct acm_span *items;
	size_t nr, alloc;
};

#define ACM_SPANS_INIT { NULL, 0, 0 }

/* State ids carry a flag bit, so all patterns together stay below 2 GiB. */
#define ACM_MAX_BYTES (((size_t)1 << 31) - 2)

/* The default memory for full transition rows: see acm_build. */
#define ACM_DENSE_DEFAULT ((size_t)256 << 10)

/*
 * Build the automaton for n patterns (duplicates are fine). States near the
 * root get full transition rows (one table lookup per byte) as long as the
 * rows fit in dense_budget bytes (0 means ACM_DENSE_DEFAULT); deeper states
 * keep sparse edges and failure links, which keeps memory linear in the
 * total pattern length. Patterns longer than ACM_MAX_BYTES in total abort
 * the process, as running out of memory does. Returns a heap object for
 * acm_free.
 */
struct acm *acm_build(const struct acm_pattern *patterns, size_t n, size_t dense_budget);
void acm_free(struct acm *ac);

/*
 * Scan text and set *out (reset first) to the union of every pattern
 * occurrence, as sorted, disjoint spans; spans that overlap or touch are
 * merged into one. Returns out->nr.
 */
size_t acm_cover(const struct acm *ac, const char *text, size_t len, struct acm_spans *out);

/* Figures for benchmarks and tests. */
struct acm_stats {
	size_t states;          /* trie nodes, root included */
	size_t dense_states;    /* states with a full transition row */
	size_t classes;         /* byte equivalence classes */
	size_t bytes;           /* memory held by the automaton */
};

void acm_get_stats(const struct acm *ac, struct acm_stats *out);

#endif
