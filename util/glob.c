/*
 * glob: GitHub's filter patterns (branches, tags, paths) compiled to
 * anchored regular expressions, and ordered include/exclude lists of them.
 * Path globs and the directory walk are in util/glob_paths.c.
 */
#include "util/glob.h"
#include "util/rx.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

struct glob_filter {
	struct rx *rx;
	int negative;
};

static int glob_is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* c as a literal in a PCRE: anything but a letter or digit can be escaped. */
static void glob_rx_literal(struct strbuf *re, char c)
{
	if (!glob_is_alnum(c))
		strbuf_addch(re, '\\');
	strbuf_addch(re, c);
}

/* [...] of a filter pattern: alphanumerics and ranges within a-z, A-Z, 0-9. */
static int glob_filter_class(struct strbuf *re, const char *p, size_t *i, struct strbuf *err)
{
	size_t j = *i + 1;

	if (p[j] == ']') {
		strbuf_addf(err, "empty brackets '[]' at position %zu", j);
		return -1;
	}
	strbuf_addch(re, '[');
	for (; p[j] && p[j] != ']'; j++) {
		if (!glob_is_alnum(p[j])) {
			strbuf_addf(err, "'%c' at position %zu: brackets only hold a-z, A-Z, 0-9 and ranges of them",
				    p[j], j);
			return -1;
		}
		if (p[j + 1] == '-' && p[j + 2] && p[j + 2] != ']') {
			char lo = p[j], hi = p[j + 2];
			int same = ((lo >= 'a' && lo <= 'z') && (hi >= 'a' && hi <= 'z')) ||
				   ((lo >= 'A' && lo <= 'Z') && (hi >= 'A' && hi <= 'Z')) ||
				   ((lo >= '0' && lo <= '9') && (hi >= '0' && hi <= '9'));

			if (!same || lo > hi) {
				strbuf_addf(err, "invalid range '%c-%c' at position %zu", lo, hi, j);
				return -1;
			}
			strbuf_addf(re, "%c-%c", lo, hi);
			j += 2;
			continue;
		}
		strbuf_addch(re, p[j]);
	}
	if (p[j] != ']') {
		strbuf_addf(err, "missing ']' after '[' at position %zu", *i);
		return -1;
	}
	strbuf_addch(re, ']');
	*i = j;
	return 0;
}

/* Translate a filter pattern (without its '!') to an anchored PCRE. */
static int glob_filter_regex(struct strbuf *re, const char *p, struct strbuf *err)
{
	/* What the last atom was: a quantifier after a star or a quantifier adds nothing. */
	enum { ATOM_NONE, ATOM_CHAR, ATOM_STAR, ATOM_QUANT } last = ATOM_NONE;

	for (size_t i = 0; p[i]; i++) {
		char c = p[i];

		if (c == '*') {
			if (p[i + 1] == '*' && p[i + 2] == '/') {
				strbuf_addstr(re, "(?:.+/)?");
				i += 2;
			} else if (p[i + 1] == '*') {
				strbuf_addstr(re, ".*");
				i++;
			} else {
				strbuf_addstr(re, "[^/]*");
			}
			last = ATOM_STAR;
		} else if (c == '?' || c == '+') {
			if (last == ATOM_CHAR) {
				strbuf_addch(re, c);
				last = ATOM_QUANT;
			} else if (last == ATOM_NONE) {
				glob_rx_literal(re, c);
				last = ATOM_CHAR;
			}
		} else if (c == '[') {
			if (glob_filter_class(re, p, &i, err) < 0)
				return -1;
			last = ATOM_CHAR;
		} else if (c == '\\') {
			if (!p[i + 1]) {
				strbuf_addf(err, "nothing to escape after '\\' at position %zu", i);
				return -1;
			}
			glob_rx_literal(re, p[++i]);
			last = ATOM_CHAR;
		} else {
			glob_rx_literal(re, c);
			last = ATOM_CHAR;
		}
	}
	return 0;
}

int glob_filter_compile(struct glob_filter **out, const char *pattern, struct strbuf *err)
{
	struct strbuf re = STRBUF_INIT, why = STRBUF_INIT;
	int negative = pattern[0] == '!';
	struct rx *rx = NULL;

	if (glob_filter_regex(&re, pattern + negative, &why) == 0)
		rx = rx_compile(re.buf, RX_ANCHORED | RX_DOTALL, &why);
	strbuf_release(&re);
	if (!rx) {
		strbuf_addf(err, "invalid pattern '%s': %s", pattern, why.buf);
		strbuf_release(&why);
		return -1;
	}
	strbuf_release(&why);
	*out = xmalloc(sizeof(**out));
	(*out)->rx = rx;
	(*out)->negative = negative;
	return 0;
}

void glob_filter_free(struct glob_filter *f)
{
	if (!f)
		return;
	rx_free(f->rx);
	free(f);
}

int glob_filter_match(const struct glob_filter *f, const char *s, size_t len)
{
	return rx_matches(f->rx, s, len) == 1;
}

int glob_filter_is_negative(const struct glob_filter *f)
{
	return f->negative;
}

int glob_filter_list_add(struct glob_filter_list *l, const char *pattern, struct strbuf *err)
{
	struct glob_filter *f;

	if (glob_filter_compile(&f, pattern, err) < 0)
		return -1;
	ALLOC_GROW(l->items, l->nr + 1, l->alloc);
	l->items[l->nr++] = f;
	return 0;
}

int glob_filter_list_match(const struct glob_filter_list *l, const char *s, size_t len)
{
	for (size_t i = l->nr; i-- > 0;)
		if (glob_filter_match(l->items[i], s, len))
			return !l->items[i]->negative;
	return 0;
}

void glob_filter_list_release(struct glob_filter_list *l)
{
	for (size_t i = 0; i < l->nr; i++)
		glob_filter_free(l->items[i]);
	free(l->items);
	l->items = NULL;
	l->nr = l->alloc = 0;
}
