/*
 * unicase: case mapping as JavaScript's root locale does it, streamed one
 * code point at a time so that comparisons need no copies. ASCII takes a
 * fast path; everything else goes through the generated tables.
 */
#include "util/unicase.h"
#include "util/unicase_tab.h"
#include "util/utf8.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define UNICASE_END UINT32_MAX
#define SIGMA_CAPITAL 0x03A3
#define SIGMA_SMALL 0x03C3
#define SIGMA_FINAL 0x03C2
#define DOTLESS_I 0x0131

/* A cursor over the case-mapped code points of a string. */
struct unicase_iter {
	const unsigned char *begin, *p, *end;
	enum unicase_map map;
	uint32_t pend[3];
	unsigned npend, ipend;
};

static void unicase_iter_init(struct unicase_iter *it, const char *s, size_t len, size_t start,
			      enum unicase_map map)
{
	it->begin = (const unsigned char *)s;
	it->p = it->begin + start;
	it->end = it->begin + len;
	it->map = map;
	it->npend = it->ipend = 0;
}

static int unicase_ascii_fold(int c, int lower)
{
	if (lower)
		return c >= 'A' && c <= 'Z' ? c + 32 : c;
	return c >= 'a' && c <= 'z' ? c - 32 : c;
}

static int unicase_range_cmp(const void *key, const void *elem)
{
	uint32_t cp = *(const uint32_t *)key;
	const struct unicase_range *r = elem;

	return cp < r->first ? -1 : cp > r->last;
}

static int unicase_in_ranges(const struct unicase_range *r, size_t nr, uint32_t cp)
{
	return bsearch(&cp, r, nr, sizeof(*r), unicase_range_cmp) != NULL;
}

static int unicase_multi_cmp(const void *key, const void *elem)
{
	uint32_t cp = *(const uint32_t *)key, at = ((const struct unicase_multi *)elem)->cp;

	return cp < at ? -1 : cp > at;
}

static const struct unicase_multi *unicase_find_multi(const struct unicase_multi *m, size_t nr,
						      uint32_t cp)
{
	return bsearch(&cp, m, nr, sizeof(*m), unicase_multi_cmp);
}

static int unicase_run_cmp(const void *key, const void *elem)
{
	uint32_t cp = *(const uint32_t *)key;
	const struct unicase_run *r = elem;

	return cp < r->first ? -1 : cp > r->last;
}

static uint32_t unicase_map_run(const struct unicase_run *runs, size_t nr, uint32_t cp)
{
	const struct unicase_run *r = bsearch(&cp, runs, nr, sizeof(*runs), unicase_run_cmp);

	if (!r || (cp - r->first) % r->step)
		return cp;
	return (uint32_t)((int32_t)cp + r->delta);
}

/*
 * Unicode's Final_Sigma condition for the capital sigma occupying
 * [at, after): a cased letter before it and none after it, skipping
 * case-ignorable characters on both sides (as ICU checks it).
 */
static int unicase_final_sigma(const unsigned char *begin, const unsigned char *at,
			       const unsigned char *after, const unsigned char *end)
{
	const unsigned char *q = at;
	int cased_before = 0;

	while (q > begin) {
		uint32_t c = utf8_decode_back(&q, begin);

		if (unicase_in_ranges(unicase_case_ignorable, unicase_case_ignorable_nr, c))
			continue;
		cased_before = unicase_in_ranges(unicase_cased, unicase_cased_nr, c);
		break;
	}
	if (!cased_before)
		return 0;
	q = after;
	while (q < end) {
		uint32_t c = utf8_decode(&q, end);

		if (unicase_in_ranges(unicase_case_ignorable, unicase_case_ignorable_nr, c))
			continue;
		return !unicase_in_ranges(unicase_cased, unicase_cased_nr, c);
	}
	return 1;
}

static uint32_t unicase_next(struct unicase_iter *it)
{
	const unsigned char *at;
	const struct unicase_multi *m;
	uint32_t cp;
	int lower = it->map == UNICASE_LOWER;

	if (it->ipend < it->npend)
		return it->pend[it->ipend++];
	if (it->p >= it->end)
		return UNICASE_END;
	cp = *it->p;
	if (cp < 0x80) {
		it->p++;
		return (uint32_t)unicase_ascii_fold((int)cp, lower);
	}
	at = it->p;
	cp = utf8_decode(&it->p, it->end);
	if (lower && cp == SIGMA_CAPITAL)
		return unicase_final_sigma(it->begin, at, it->p, it->end) ? SIGMA_FINAL : SIGMA_SMALL;
	if (it->map == UNICASE_UPPER_KEEP_I && cp == DOTLESS_I)
		return cp;
	if (lower)
		m = unicase_find_multi(unicase_lower_multi, unicase_lower_multi_nr, cp);
	else
		m = unicase_find_multi(unicase_upper_multi, unicase_upper_multi_nr, cp);
	if (m) {
		memcpy(it->pend, m->to, sizeof(it->pend));
		it->npend = m->len;
		it->ipend = 1;
		return m->to[0];
	}
	if (lower)
		return unicase_map_run(unicase_lower_runs, unicase_lower_runs_nr, cp);
	return unicase_map_run(unicase_upper_runs, unicase_upper_runs_nr, cp);
}

void unicase_apply(struct strbuf *out, const char *s, size_t len, enum unicase_map map)
{
	struct unicase_iter it;
	uint32_t cp;
	char buf[UTF8_MAX_BYTES];

	strbuf_grow(out, len);
	unicase_iter_init(&it, s, len, 0, map);
	while ((cp = unicase_next(&it)) != UNICASE_END) {
		if (cp < 0x80)
			strbuf_addch(out, (int)cp);
		else
			strbuf_add(out, buf, utf8_encode(buf, cp));
	}
}

/*
 * The ASCII prefix is compared in place; from the first non-ASCII byte
 * on, both sides are streamed through the tables (ASCII maps to one ASCII
 * character, so the offsets still agree there).
 */
int unicase_compare(const char *a, size_t alen, const char *b, size_t blen, enum unicase_map map)
{
	size_t n = alen < blen ? alen : blen, i;
	int lower = map == UNICASE_LOWER;
	struct unicase_iter ia, ib;

	for (i = 0; i < n; i++) {
		int ca = (unsigned char)a[i], cb = (unsigned char)b[i];

		if ((ca | cb) & 0x80)
			break;
		ca = unicase_ascii_fold(ca, lower);
		cb = unicase_ascii_fold(cb, lower);
		if (ca != cb)
			return ca < cb ? -1 : 1;
	}
	if (i == n && !(i < alen && (unsigned char)a[i] >= 0x80) &&
	    !(i < blen && (unsigned char)b[i] >= 0x80))
		return alen == blen ? 0 : alen < blen ? -1 : 1;
	unicase_iter_init(&ia, a, alen, i, map);
	unicase_iter_init(&ib, b, blen, i, map);
	for (;;) {
		uint32_t ca = unicase_next(&ia), cb = unicase_next(&ib);

		if (ca == cb) {
			if (ca == UNICASE_END)
				return 0;
			continue;
		}
		if (ca == UNICASE_END)
			return -1;
		if (cb == UNICASE_END)
			return 1;
		return utf8_utf16_order(ca) < utf8_utf16_order(cb) ? -1 : 1;
	}
}

/*
 * Under toLowerCase() a non-ASCII character never becomes ASCII, except
 * the 3-byte Kelvin sign, which becomes "k" (util/unicase_gen.mjs checks
 * this). So with equal byte lengths only an all-ASCII s can match, and a
 * shorter s never does.
 */
int unicase_equal_lower_ascii(const char *s, size_t len, const char *key, size_t klen)
{
	if (len == klen && !memcmp(s, key, len))
		return 1;
	if (len == klen) {
		for (size_t i = 0; i < len; i++) {
			int a = (unsigned char)s[i], b = (unsigned char)key[i];

			if (a & 0x80)
				return 0;
			if (a != b && unicase_ascii_fold(a, 1) != unicase_ascii_fold(b, 1))
				return 0;
		}
		return 1;
	}
	if (!unicase_lower_ascii_may_equal(s, len, klen))
		return 0;
	return !unicase_compare(s, len, key, klen, UNICASE_LOWER);
}

int unicase_starts_with(const char *s, size_t len, const char *prefix, size_t plen,
			enum unicase_map map)
{
	struct unicase_iter is, ip;
	int lower = map == UNICASE_LOWER;
	size_t i;
	uint32_t cp;

	/* ASCII maps to one ASCII character: compare in place up to the first other byte. */
	for (i = 0; i < plen && i < len; i++) {
		int a = (unsigned char)s[i], b = (unsigned char)prefix[i];

		if ((a | b) & 0x80)
			break;
		if (unicase_ascii_fold(a, lower) != unicase_ascii_fold(b, lower))
			return 0;
	}
	if (i == plen)
		return 1;
	unicase_iter_init(&is, s, len, i, map);
	unicase_iter_init(&ip, prefix, plen, i, map);
	while ((cp = unicase_next(&ip)) != UNICASE_END)
		if (unicase_next(&is) != cp)
			return 0;
	return 1;
}
