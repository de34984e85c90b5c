/*
 * suggest: "did you mean ...?" — the candidate nearest to a misspelt word
 * by edit distance (insertions, deletions, substitutions and swaps of
 * neighbours, ignoring ASCII case). It knows no vocabulary of its own.
 */
#ifndef UTIL_SUGGEST_H
#define UTIL_SUGGEST_H

#include <stddef.h>

/*
 * Optimal-string-alignment distance between a and b, ignoring ASCII case.
 * Words longer than 64 bytes are compared on their first 64 bytes.
 */
size_t suggest_distance(const char *a, const char *b);

/*
 * The candidate (NULL-terminated list) closest to word, or NULL when none
 * is close enough to be a plausible typo (distance at most 1 for short
 * words, up to 3 for long ones). Ties go to the earlier candidate. The
 * result is one of the candidates.
 */
const char *suggest_nearest(const char *word, const char *const *candidates);

#endif
