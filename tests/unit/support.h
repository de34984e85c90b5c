/*
 * support: small helpers shared by the unit tests (each test is its own
 * binary, so these are static inline): rendering values and diagnostics
 * as strings to compare exactly, and seeded random texts for robustness
 * tests. No assertions live here.
 */
#ifndef TESTS_UNIT_SUPPORT_H
#define TESTS_UNIT_SUPPORT_H

#include <stdlib.h>
#include <string.h>

#include "util/diag.h"
#include "util/strbuf.h"
#include "util/value.h"

/* An object of strings as "KEY=[value],KEY=[value]", in member order. */
static inline const char *support_pairs(struct strbuf *sb, struct val obj)
{
	strbuf_reset(sb);
	for (size_t i = 0; i < obj.u.object->nr; i++) {
		const struct val_member *m = &obj.u.object->members[i];

		strbuf_addf(sb, "%s%s=[", i ? "," : "", m->key);
		strbuf_add(sb, m->value.u.string.ptr, m->value.u.string.len);
		strbuf_addch(sb, ']');
	}
	return sb->buf;
}

/* Diagnostics as "line:col: severity: message\n" each (file and rule left out). */
static inline const char *support_diags(struct strbuf *sb, const struct diag_list *l)
{
	static const char *const sev[] = { "error", "warning", "note" };

	strbuf_reset(sb);
	for (size_t i = 0; i < l->nr; i++)
		strbuf_addf(sb, "%d:%d: %s: %s\n", l->items[i].line, l->items[i].col,
			    sev[l->items[i].severity], l->items[i].message);
	return sb->buf;
}

/*
 * Fill buf with up to 40 tokens picked at random (rand_r on *seed, so runs
 * repeat); the token "" stands for a NUL byte. Returns the length.
 */
static inline size_t support_token_soup(char *buf, size_t cap, unsigned *seed,
					const char *const *tokens, size_t ntokens)
{
	size_t len = 0, n = 1 + (size_t)(rand_r(seed) % 40);

	for (size_t i = 0; i < n; i++) {
		const char *t = tokens[(size_t)rand_r(seed) % ntokens];
		size_t tl = t[0] ? strlen(t) : 1;

		if (len + tl > cap)
			break;
		memcpy(buf + len, t, tl);
		len += tl;
	}
	return len;
}

#endif
