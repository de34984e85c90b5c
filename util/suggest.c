/*
 * suggest: edit distance with a bounded table on the stack, and the
 * threshold that decides when a candidate is worth suggesting.
 */
#include "util/suggest.h"

#include <string.h>

#define SUGGEST_MAX 64

static int suggest_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

size_t suggest_distance(const char *a, const char *b)
{
	size_t n = strlen(a), m = strlen(b);
	size_t d[SUGGEST_MAX + 1][SUGGEST_MAX + 1];

	if (n > SUGGEST_MAX)
		n = SUGGEST_MAX;
	if (m > SUGGEST_MAX)
		m = SUGGEST_MAX;
	for (size_t i = 0; i <= n; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= m; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= n; i++) {
		for (size_t j = 1; j <= m; j++) {
			int ca = suggest_lower((unsigned char)a[i - 1]);
			int cb = suggest_lower((unsigned char)b[j - 1]);
			size_t best = d[i - 1][j - 1] + (ca != cb);

			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && ca == suggest_lower((unsigned char)b[j - 2]) &&
			    suggest_lower((unsigned char)a[i - 2]) == cb && d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	}
	return d[n][m];
}

const char *suggest_nearest(const char *word, const char *const *candidates)
{
	size_t len = strlen(word);
	size_t limit = len / 3 < 1 ? 1 : len / 3 > 3 ? 3 : len / 3;
	const char *best = NULL;
	size_t best_d = limit + 1;

	for (; *candidates; candidates++) {
		size_t dist = suggest_distance(word, *candidates);

		if (dist < best_d) {
			best = *candidates;
			best_d = dist;
		}
	}
	return best;
}
