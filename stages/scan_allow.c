/*
 * scan_allow: the scanner's allowlist — entries from .slipway-scan-ignore
 * files and from callers, their gitignore-like globs (translated to
 * anchored regular expressions) and path matching. Which files are walked
 * and muted is decided in scan.c.
 */
#include "stages/scan.h"
#include "util/xalloc.h"

#include <errno.h>
#include <string.h>

/* Append the regex for glob[0..len) (already without a leading or trailing '/'). */
static void scan_glob_translate(struct strbuf *out, const char *glob, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char c = glob[i];
		const char *close;

		if (c == '*' && i + 1 < len && glob[i + 1] == '*') {
			if (i + 2 < len && glob[i + 2] == '/') {
				strbuf_addstr(out, "(?:.*/)?");
				i += 2;
			} else {
				strbuf_addstr(out, ".*");
				i++;
			}
		} else if (c == '*') {
			strbuf_addstr(out, "[^/]*");
		} else if (c == '?') {
			strbuf_addstr(out, "[^/]");
		} else if (c == '[' && (close = memchr(glob + i + 2, ']', len > i + 2 ? len - i - 2 : 0))) {
			size_t j = i + 1;

			strbuf_addch(out, '[');
			if (glob[j] == '!') {
				strbuf_addch(out, '^');
				j++;
			}
			for (; glob + j < close; j++) {
				if (glob[j] == '\\' || glob[j] == '[')
					strbuf_addch(out, '\\');
				strbuf_addch(out, glob[j]);
			}
			strbuf_addch(out, ']');
			i = (size_t)(close - glob);
		} else {
			if (c == '\\' && i + 1 < len)
				c = glob[++i];
			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			      (c >= '0' && c <= '9') || c == '/' || (unsigned char)c >= 0x80))
				strbuf_addch(out, '\\');
			strbuf_addch(out, c);
		}
	}
}

int scan_allow_add(struct scan *s, const char *entry, struct strbuf *err)
{
	const char *colon = strchr(entry, ':');
	const char *glob = entry;
	size_t rule = SCAN_ANY_RULE, len;
	struct strbuf re = STRBUF_INIT;
	struct strbuf rxerr = STRBUF_INIT;
	struct scan_allow a = { SCAN_ANY_RULE, NULL, 0 };

	if (colon && scan_rule_id_valid(entry, (size_t)(colon - entry))) {
		rule = scan_rule_index(s, entry, (size_t)(colon - entry));
		if (rule == SCAN_ANY_RULE) {
			strbuf_addf(err, "unknown rule '%.*s'", (int)(colon - entry), entry);
			return -1;
		}
		glob = colon + 1;
	}
	len = strlen(glob);
	if (len && glob[len - 1] == '/') {
		a.dir_only = 1;
		len--;
	}
	if (!len) {
		strbuf_addf(err, "entry '%s' has no path", entry);
		return -1;
	}
	if (glob[0] == '/') {
		glob++;
		len--;
	} else if (!memchr(glob, '/', len)) {
		strbuf_addstr(&re, "(?:.*/)?");
	}
	scan_glob_translate(&re, glob, len);
	a.rule = rule;
	a.glob = rx_compile(re.buf, RX_ANCHORED, &rxerr);
	strbuf_release(&re);
	if (!a.glob) {
		strbuf_addf(err, "invalid glob '%.*s': %s", (int)len, glob, rxerr.buf);
		strbuf_release(&rxerr);
		return -1;
	}
	ALLOC_GROW(s->allow, s->allow_nr + 1, s->allow_alloc);
	s->allow[s->allow_nr++] = a;
	return 0;
}

int scan_allow_load(struct scan *s, const char *path)
{
	struct strbuf text = STRBUF_INIT, err = STRBUF_INIT;
	int ret = 0, lineno = 0;
	char *line, *next;

	if (strbuf_read_file(&text, path, SCAN_MAX_FILE_SIZE) < 0) {
		diag_add(&s->diags, DIAG_ERROR, path, 0, 0, "scan-ignore",
			 "cannot read allowlist: %s", strerror(errno));
		return -1;
	}
	for (line = text.buf; line && *line; line = next) {
		size_t start, end;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		start = strspn(line, " \t");
		end = strlen(line);
		while (end > start && strchr(" \t\r", line[end - 1]))
			end--;
		line[end] = '\0';
		if (start == end || line[start] == '#')
			continue;
		if (scan_allow_add(s, line + start, &err) < 0) {
			diag_add(&s->diags, DIAG_ERROR, path, lineno, (int)start + 1, "scan-ignore",
				 "%s", err.buf);
			strbuf_reset(&err);
			ret = -1;
		}
	}
	strbuf_release(&err);
	strbuf_release(&text);
	return ret;
}

void scan_allow_truncate(struct scan *s, size_t nr)
{
	while (s->allow_nr > nr)
		rx_free(s->allow[--s->allow_nr].glob);
}

int scan_allow_matches(const struct scan_allow *a, const char *rel, int is_dir)
{
	size_t len = strlen(rel);

	if ((is_dir || !a->dir_only) && rx_matches(a->glob, rel, len))
		return 1;
	/* An entry that matches a parent directory covers everything below it. */
	for (size_t i = 0; i < len; i++)
		if (rel[i] == '/' && rx_matches(a->glob, rel, i))
			return 1;
	return 0;
}
