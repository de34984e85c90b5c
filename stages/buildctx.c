/*
 * buildctx: `.dockerignore` rules (parsed, cleaned, matched segment-aware
 * with `**`) and the walk that lists a build context's files. It makes no
 * archive and talks to no engine.
 */
#include "stages/buildctx.h"

#include <stdlib.h>
#include <string.h>

#include "util/fs.h"
#include "util/xalloc.h"

/* .dockerignore files larger than this are refused (a context's rules, not data). */
#define BUILDCTX_RULES_MAX (1024 * 1024)

struct buildctx_rule {
	char *pattern;          /* cleaned, no leading '!' or '/' */
	int exception;          /* a '!' rule: re-include */
};

struct buildctx_rules {
	struct buildctx_rule *items;
	size_t nr, alloc;
	int exceptions;         /* any '!' rule: excluded directories must be walked */
};

/* Does the class at p ("[...]") hold c? *end is set past the class. */
static int buildctx_class(const char *p, char c, const char **end)
{
	int negate = 0, found = 0;

	p++;
	if (*p == '^' || *p == '!') {
		negate = 1;
		p++;
	}
	while (*p && *p != ']') {
		char lo = *p == '\\' && p[1] ? *++p : *p, hi = lo;

		p++;
		if (*p == '-' && p[1] && p[1] != ']') {
			p++;
			hi = *p == '\\' && p[1] ? *++p : *p;
			p++;
		}
		if (c >= lo && c <= hi)
			found = 1;
	}
	*end = *p == ']' ? p + 1 : p;
	return found != negate;
}

/* Glob match of all of s against p; '/' is only crossed by '**'. */
static int buildctx_match(const char *p, const char *s)
{
	while (*p) {
		if (p[0] == '*' && p[1] == '*') {
			while (*p == '*')
				p++;
			if (*p == '/' && buildctx_match(p + 1, s))
				return 1;       /* "**" + "/" standing for no directory at all */
			for (const char *t = s;; t++) {
				if (buildctx_match(p, t))
					return 1;
				if (!*t)
					return 0;
			}
		}
		if (*p == '*') {
			p++;
			for (const char *t = s;; t++) {
				if (buildctx_match(p, t))
					return 1;
				if (!*t || *t == '/')
					return 0;
			}
		}
		if (!*s)
			return 0;
		if (*p == '?') {
			if (*s == '/')
				return 0;
		} else if (*p == '[') {
			const char *end;

			if (*s == '/' || !buildctx_class(p, *s, &end))
				return 0;
			p = end;
			s++;
			continue;
		} else {
			if (*p == '\\' && p[1])
				p++;
			if (*p != *s)
				return 0;
		}
		p++;
		s++;
	}
	return !*s;
}

/* Go's filepath.Clean of a relative pattern, without a leading '/'. */
static void buildctx_clean(struct strbuf *out, const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t n = 0;

		while (i + n < len && s[i + n] != '/')
			n++;
		if (n == 2 && !strncmp(s + i, "..", 2) && out->len &&
		    strcmp(out->buf + (out->len >= 2 ? out->len - 2 : 0), "..")) {
			char *slash = memrchr(out->buf, '/', out->len);

			strbuf_setlen(out, slash ? (size_t)(slash - out->buf) : 0);
		} else if (n && !(n == 1 && s[i] == '.')) {
			if (out->len)
				strbuf_addch(out, '/');
			strbuf_add(out, s + i, n);
		}
		i += n + 1;
	}
}

/* Is the pattern well formed (every class closed)? */
static int buildctx_valid(const char *p)
{
	for (; *p; p++) {
		if (*p == '\\' && p[1]) {
			p++;
		} else if (*p == '[') {
			p++;
			if (*p == '^' || *p == '!')
				p++;
			if (*p == ']')
				return 0;
			while (*p && *p != ']')
				p += *p == '\\' && p[1] ? 2 : 1;
			if (!*p)
				return 0;
		}
	}
	return 1;
}

int buildctx_rules_parse(struct buildctx_rules **out, const char *text, size_t len,
			 struct strbuf *err)
{
	struct buildctx_rules *r = xcalloc(1, sizeof(*r));
	struct strbuf pat = STRBUF_INIT;
	size_t line = 0, i = 0;

	while (i < len) {
		size_t n = 0, s, e;
		int exception = 0;

		while (i + n < len && text[i + n] != '\n')
			n++;
		line++;
		s = i;
		e = i + n;
		i += n + 1;
		while (s < e && (text[s] == ' ' || text[s] == '\t' || text[s] == '\r'))
			s++;
		while (e > s && (text[e - 1] == ' ' || text[e - 1] == '\t' || text[e - 1] == '\r'))
			e--;
		if (s == e || text[s] == '#')
			continue;
		if (text[s] == '!') {
			exception = 1;
			s++;
			while (s < e && (text[s] == ' ' || text[s] == '\t'))
				s++;
		}
		strbuf_reset(&pat);
		buildctx_clean(&pat, text + s, e - s);
		if (!buildctx_valid(pat.buf)) {
			strbuf_addf(err, ".dockerignore:%zu: invalid pattern '%.*s'", line,
				    (int)(e - s), text + s);
			strbuf_release(&pat);
			buildctx_rules_free(r);
			return -1;
		}
		ALLOC_GROW(r->items, r->nr + 1, r->alloc);
		r->items[r->nr].pattern = xstrdup(pat.buf);
		r->items[r->nr++].exception = exception;
		r->exceptions |= exception;
	}
	strbuf_release(&pat);
	*out = r;
	return 0;
}

void buildctx_rules_free(struct buildctx_rules *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nr; i++)
		free(r->items[i].pattern);
	free(r->items);
	free(r);
}

/* Does the rule match rel or one of its parent directories? */
static int buildctx_rule_matches(const struct buildctx_rule *rule, const char *rel)
{
	struct strbuf parent = STRBUF_INIT;
	int hit = buildctx_match(rule->pattern, rel);

	for (const char *slash = strchr(rel, '/'); !hit && slash; slash = strchr(slash + 1, '/')) {
		strbuf_reset(&parent);
		strbuf_add(&parent, rel, (size_t)(slash - rel));
		hit = buildctx_match(rule->pattern, parent.buf);
	}
	strbuf_release(&parent);
	return hit;
}

int buildctx_excluded(const struct buildctx_rules *r, const char *rel)
{
	int excluded = 0;

	for (size_t i = 0; r && i < r->nr; i++)
		if (buildctx_rule_matches(&r->items[i], rel))
			excluded = !r->items[i].exception;
	return excluded;
}

struct buildctx_walk {
	const struct buildctx_rules *rules;
	struct strlist *out;
	const char *dockerfile;
};

static int buildctx_visit(const struct fs_entry *e, void *data)
{
	struct buildctx_walk *w = data;
	int keep = !strcmp(e->rel, w->dockerfile) || !strcmp(e->rel, ".dockerignore") ||
		   !buildctx_excluded(w->rules, e->rel);

	size_t n = strlen(e->rel);

	if (S_ISDIR(e->st.st_mode))
		return keep || (w->rules && w->rules->exceptions) ||
		       (!strncmp(w->dockerfile, e->rel, n) && w->dockerfile[n] == '/') ?
		       0 : FS_WALK_SKIP;
	if (keep)
		strlist_push(w->out, e->rel);
	return 0;
}

int buildctx_files(struct strlist *out, const char *root, const char *dockerfile,
		   struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT, df = STRBUF_INIT;
	struct buildctx_rules *rules = NULL;
	struct buildctx_walk w = { NULL, out, NULL };
	int ret = -1;

	buildctx_clean(&df, dockerfile, strlen(dockerfile));
	w.dockerfile = df.buf;
	fs_path_join(&path, root, ".dockerignore");
	if (fs_exists(path.buf)) {
		if (fs_read_file(&text, path.buf, BUILDCTX_RULES_MAX, err) < 0 ||
		    buildctx_rules_parse(&rules, text.buf, text.len, err) < 0)
			goto out;
	}
	w.rules = rules;
	ret = fs_walk(root, 0, buildctx_visit, &w, err);
out:
	buildctx_rules_free(rules);
	strbuf_release(&path);
	strbuf_release(&text);
	strbuf_release(&df);
	return ret;
}
