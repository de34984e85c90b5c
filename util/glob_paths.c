/*
 * glob_paths: @actions/glob's path patterns (minimatch with dot files,
 * no braces, no extglobs) matched segment by segment, and the depth-first
 * walk that mirrors @actions/glob's search: literal search roots,
 * implicit descendants, '!' lines clearing earlier matches, entries in
 * sorted order. Filter patterns are util/glob.c's.
 */
#include "util/glob.h"
#include "util/rx.h"
#include "util/utf8.h"
#include "util/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* c as a literal in a PCRE: anything but a letter or digit can be escaped. */
static void glob_rx_literal(struct strbuf *re, char c)
{
	if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
		strbuf_addch(re, '\\');
	strbuf_addch(re, c);
}

enum seg_kind {
	SEG_LITERAL,
	SEG_GLOBSTAR,
	SEG_REGEX,
};

struct seg {
	enum seg_kind kind;
	char *literal;          /* SEG_LITERAL: the unescaped name */
	struct rx *rx;          /* SEG_REGEX */
};

enum match_kind {
	MATCH_NONE = 0,
	MATCH_DIRECTORY = 1,
	MATCH_FILE = 2,
	MATCH_ALL = 3,
};

struct path_pattern {
	int negate;
	int trailing_sep;       /* matches directories only */
	int implicit;           /* the implicit-descendants twin of a pattern */
	struct seg *segs;       /* "/a/b*" -> "", "a", "b*" */
	size_t nr;
	char *search_path;      /* the literal directory before the first glob segment */
};

struct glob_paths {
	struct path_pattern *pats;
	size_t nr, alloc;
};

/*
 * The literal a segment stands for, or NULL when it holds a wildcard
 * (minimatch's escapes and one-character classes such as "[*]" are
 * literal), as @actions/glob's getLiteral decides it.
 */
static char *seg_literal(const char *s, size_t len)
{
	struct strbuf lit = STRBUF_INIT;

	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (c == '\\' && i + 1 < len) {
			strbuf_addch(&lit, s[++i]);
			continue;
		}
		if (c == '*' || c == '?') {
			strbuf_release(&lit);
			return NULL;
		}
		if (c == '[' && i + 1 < len) {
			struct strbuf set = STRBUF_INIT;
			size_t j, closed = 0;

			for (j = i + 1; j < len; j++) {
				if (s[j] == '\\' && j + 1 < len) {
					strbuf_addch(&set, s[++j]);
				} else if (s[j] == ']') {
					closed = j;
					break;
				} else {
					strbuf_addch(&set, s[j]);
				}
			}
			if (closed && set.len > 1) {
				strbuf_release(&set);
				strbuf_release(&lit);
				return NULL;
			}
			if (closed && set.len == 1) {
				strbuf_addch(&lit, set.buf[0]);
				strbuf_release(&set);
				i = closed;
				continue;
			}
			strbuf_release(&set);
		}
		strbuf_addch(&lit, c);
	}
	return strbuf_detach(&lit, NULL);
}

/*
 * The end (index of the closing ']') of the class opening at s[i], or 0
 * when it does not close (the '[' is then literal). After the opening and
 * an optional '!' or '^', a ']' is a member.
 */
static size_t seg_class_end(const char *s, size_t len, size_t i, int *negated)
{
	size_t j = i + 1;

	*negated = j < len && (s[j] == '!' || s[j] == '^');
	j += (size_t)*negated;
	for (size_t k = j + 1; k < len; k++) {
		if (s[k] == '\\')
			k++;
		else if (s[k] == ']')
			return k;
	}
	return 0;
}

/* A minimatch segment with wildcards as an anchored PCRE (dot files match, as with dot:true). */
static struct rx *seg_regex(const char *s, size_t len, struct strbuf *err)
{
	struct strbuf re = STRBUF_INIT;
	struct rx *rx;

	/* A segment with wildcards never matches an empty name. */
	strbuf_addstr(&re, "(?=.)");
	for (size_t i = 0; i < len; i++) {
		size_t end;
		int negated;

		if (s[i] == '*') {
			strbuf_addstr(&re, "[^/]*");
		} else if (s[i] == '?') {
			strbuf_addstr(&re, "[^/]");
		} else if (s[i] == '\\' && i + 1 < len) {
			glob_rx_literal(&re, s[++i]);
		} else if (s[i] == '[' && (end = seg_class_end(s, len, i, &negated))) {
			size_t first = i + 1 + (size_t)negated;

			strbuf_addstr(&re, negated ? "[^" : "[");
			for (size_t m = first; m < end; m++) {
				if (s[m] == '\\' && m + 1 < end)
					glob_rx_literal(&re, s[++m]);
				else if (s[m] == '-' && m > first && m + 1 < end)
					strbuf_addch(&re, '-');
				else
					glob_rx_literal(&re, s[m]);
			}
			strbuf_addch(&re, ']');
			i = end;
		} else {
			glob_rx_literal(&re, s[i]);
		}
	}
	rx = rx_compile(re.buf, RX_ANCHORED | RX_DOTALL, err);
	strbuf_release(&re);
	return rx;
}

static void path_pattern_release(struct path_pattern *p)
{
	for (size_t i = 0; i < p->nr; i++) {
		free(p->segs[i].literal);
		rx_free(p->segs[i].rx);
	}
	free(p->segs);
	free(p->search_path);
}

/* @actions/glob's globEscape: a directory name made literal inside a pattern. */
static void glob_escape(struct strbuf *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			strbuf_addstr(out, "\\\\");
		else if (*s == '[' && strchr(s + 1, ']') &&
			 (!strchr(s + 1, '/') || strchr(s + 1, ']') < strchr(s + 1, '/')))
			strbuf_addstr(out, "[[]");
		else if (*s == '?')
			strbuf_addstr(out, "[?]");
		else if (*s == '*')
			strbuf_addstr(out, "[*]");
		else
			strbuf_addch(out, *s);
	}
}

/* Collapse runs of '/' in place. */
static void glob_squeeze_slashes(struct strbuf *sb)
{
	size_t j = 0;

	for (size_t i = 0; i < sb->len; i++)
		if (sb->buf[i] != '/' || !j || sb->buf[j - 1] != '/')
			sb->buf[j++] = sb->buf[i];
	strbuf_setlen(sb, j);
}

/* Make the pattern absolute as @actions/glob's fixupPattern does; -1 on '.'/'..' segments. */
static int glob_fixup(struct strbuf *abs, const char *pat, size_t len, const char *workdir,
		      struct strbuf *err)
{
	const char *home = getenv("HOME");
	size_t i = 0, nseg = 0;

	while (i < len) {
		size_t j = i;
		char *lit;

		while (j < len && pat[j] != '/')
			j++;
		if (j > i) {
			lit = seg_literal(pat + i, j - i);
			if (lit && ((!strcmp(lit, ".") && nseg) || !strcmp(lit, ".."))) {
				strbuf_addf(err, "invalid pattern '%.*s': relative pathing '.' and '..' is not allowed",
					    (int)len, pat);
				free(lit);
				return -1;
			}
			free(lit);
			nseg++;
		}
		i = j + 1;
	}
	if ((len == 1 && pat[0] == '.') || (len > 1 && pat[0] == '.' && pat[1] == '/')) {
		glob_escape(abs, workdir);
		strbuf_add(abs, pat + 1, len - 1);
	} else if (home && ((len == 1 && pat[0] == '~') || (len > 1 && pat[0] == '~' && pat[1] == '/'))) {
		glob_escape(abs, home);
		strbuf_add(abs, pat + 1, len - 1);
	} else if (pat[0] == '/') {
		strbuf_add(abs, pat, len);
	} else {
		glob_escape(abs, workdir);
		strbuf_addch(abs, '/');
		strbuf_add(abs, pat, len);
	}
	glob_squeeze_slashes(abs);
	return 0;
}

/* Split an absolute pattern into segments and find its search root. */
static int path_pattern_build(struct path_pattern *p, const char *abs, struct strbuf *err)
{
	size_t len = strlen(abs), i = 0, alloc = 0;
	struct strbuf search = STRBUF_INIT;
	int literal_prefix = 1;

	while (len > 1 && abs[len - 1] == '/')
		len--;
	for (;;) {
		size_t j = i;
		struct seg *s;

		while (j < len && abs[j] != '/')
			j++;
		ALLOC_GROW(p->segs, p->nr + 1, alloc);
		s = &p->segs[p->nr++];
		memset(s, 0, sizeof(*s));
		if (j - i == 2 && abs[i] == '*' && abs[i + 1] == '*') {
			s->kind = SEG_GLOBSTAR;
			literal_prefix = 0;
		} else if ((s->literal = seg_literal(abs + i, j - i))) {
			s->kind = SEG_LITERAL;
			if (literal_prefix) {
				if (search.len > 1 || (search.len == 1 && search.buf[0] != '/'))
					strbuf_addch(&search, '/');
				strbuf_addstr(&search, p->nr == 1 ? "/" : s->literal);
			}
		} else {
			s->kind = SEG_REGEX;
			literal_prefix = 0;
			if (!(s->rx = seg_regex(abs + i, j - i, err))) {
				strbuf_release(&search);
				return -1;
			}
		}
		if (j >= len)
			break;
		i = j + 1;
	}
	p->search_path = strbuf_detach(&search, NULL);
	return 0;
}

/* One pattern line, and its implicit-descendants twin: the same with a globstar segment appended. */
static int glob_paths_add_line(struct glob_paths *g, const char *line, size_t len,
			       const char *workdir, struct strbuf *err)
{
	struct strbuf abs = STRBUF_INIT;
	int negate = 0, trailing;
	struct path_pattern *p;

	while (len && line[0] == '!') {
		negate = !negate;
		line++;
		len--;
		utf8_js_trim(&line, &len);
	}
	if (!len) {
		strbuf_addstr(err, "invalid pattern '!': nothing after the '!'");
		return -1;
	}
	if (glob_fixup(&abs, line, len, workdir, err) < 0) {
		strbuf_release(&abs);
		return -1;
	}
	trailing = abs.len > 1 && abs.buf[abs.len - 1] == '/';
	for (int twin = 0; twin < 2; twin++) {
		ALLOC_GROW(g->pats, g->nr + 1, g->alloc);
		p = &g->pats[g->nr];
		memset(p, 0, sizeof(*p));
		p->negate = negate;
		p->trailing_sep = !twin && trailing;
		p->implicit = twin;
		if (path_pattern_build(p, abs.buf, err) < 0) {
			path_pattern_release(p);
			strbuf_release(&abs);
			return -1;
		}
		g->nr++;
		if (!twin && !trailing && p->segs[p->nr - 1].kind == SEG_GLOBSTAR)
			break;
		while (abs.len > 1 && abs.buf[abs.len - 1] == '/')
			strbuf_setlen(&abs, abs.len - 1);
		strbuf_addstr(&abs, abs.len == 1 ? "**" : "/**");
	}
	strbuf_release(&abs);
	return 0;
}

int glob_paths_compile(struct glob_paths **out, const char *patterns, size_t len,
		       const char *workdir, struct strbuf *err)
{
	struct glob_paths *g = xcalloc(1, sizeof(*g));
	size_t i = 0;

	while (i <= len) {
		const char *nl = memchr(patterns + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - patterns) : len;
		const char *line = patterns + i;
		size_t llen = end - i;

		utf8_js_trim(&line, &llen);
		if (llen && line[0] != '#' &&
		    glob_paths_add_line(g, line, llen, workdir, err) < 0) {
			glob_paths_free(g);
			return -1;
		}
		i = end + 1;
	}
	*out = g;
	return 0;
}

void glob_paths_free(struct glob_paths *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->nr; i++)
		path_pattern_release(&g->pats[i]);
	free(g->pats);
	free(g);
}

struct path_segs {
	const char **s;
	size_t *len;
	size_t nr;
};

static int seg_hit(const struct seg *p, const char *f, size_t flen)
{
	if (p->kind == SEG_LITERAL)
		return strlen(p->literal) == flen && !memcmp(p->literal, f, flen);
	return rx_matches(p->rx, f, flen) == 1;
}

/* What segs_match has found for (pattern index, path index): 0 unknown, 1 no, 2 yes. */
struct seg_memo {
	unsigned char *seen;
	size_t width;
};

/*
 * minimatch's matchOne, pattern segments pat[pi..] against path segments
 * [fi..], optionally as a prefix (partial). Each globstar tries every
 * split; the memo keeps that polynomial however many globstars there are.
 */
static int segs_match(const struct seg *pat, size_t pl, size_t pi, const struct path_segs *file,
		      size_t fi, int partial, struct seg_memo *memo)
{
	unsigned char *seen = &memo->seen[pi * memo->width + fi];
	size_t fl = file->nr;
	int hit;

	if (*seen)
		return *seen == 2;
	if (pi == pl)
		hit = fi == fl || (fi == fl - 1 && file->len[fi] == 0);
	else if (fi == fl)
		hit = partial;
	else if (pat[pi].kind == SEG_GLOBSTAR) {
		hit = pi + 1 == pl;
		for (size_t fr = fi; fr < fl && !hit; fr++)
			hit = segs_match(pat, pl, pi + 1, file, fr, partial, memo);
		hit = hit || partial;
	} else {
		hit = seg_hit(&pat[pi], file->s[fi], file->len[fi]) &&
		      segs_match(pat, pl, pi + 1, file, fi + 1, partial, memo);
	}
	*seen = hit ? 2 : 1;
	return hit;
}

static int segs_match_all(const struct seg *pat, size_t pl, const struct path_segs *file,
			  int partial)
{
	struct seg_memo memo = { xcalloc((pl + 1) * (file->nr + 1), 1), file->nr + 1 };
	int hit = segs_match(pat, pl, 0, file, 0, partial, &memo);

	free(memo.seen);
	return hit;
}

static void path_split(struct path_segs *ps, const char *path)
{
	size_t n = 1, i = 0;

	for (const char *c = path; *c; c++)
		n += *c == '/';
	ps->s = xmalloc(n * sizeof(*ps->s));
	ps->len = xmalloc(n * sizeof(*ps->len));
	ps->nr = 0;
	for (;;) {
		const char *slash = strchr(path + i, '/');
		size_t end = slash ? (size_t)(slash - path) : strlen(path);

		ps->s[ps->nr] = path + i;
		ps->len[ps->nr++] = end - i;
		if (!slash)
			break;
		i = end + 1;
	}
}

static void path_segs_release(struct path_segs *ps)
{
	free(ps->s);
	free(ps->len);
}

static enum match_kind path_pattern_match(const struct path_pattern *p, const char *path)
{
	struct strbuf item = STRBUF_INIT;
	struct path_segs ps;
	int hit;

	strbuf_addstr(&item, path);
	/*
	 * minimatch lets a final '**' match the directory itself only with a
	 * trailing slash, which @actions/glob adds, except for an implicit
	 * twin (0.4, the version GitHub's runner bundles for hashFiles).
	 */
	if (p->segs[p->nr - 1].kind == SEG_GLOBSTAR && !p->implicit) {
		if (item.len && item.buf[item.len - 1] != '/')
			strbuf_addch(&item, '/');
	} else {
		while (item.len > 1 && item.buf[item.len - 1] == '/')
			strbuf_setlen(&item, item.len - 1);
	}
	path_split(&ps, item.buf);
	hit = segs_match_all(p->segs, p->nr, &ps, 0);
	path_segs_release(&ps);
	strbuf_release(&item);
	if (!hit)
		return MATCH_NONE;
	return p->trailing_sep ? MATCH_DIRECTORY : MATCH_ALL;
}

static int path_pattern_partial(const struct path_pattern *p, const char *path)
{
	struct path_segs ps;
	int hit;

	if (!strcmp(path, "/"))
		return 1;
	path_split(&ps, path);
	hit = segs_match_all(p->segs, p->nr, &ps, 1);
	path_segs_release(&ps);
	return hit;
}

static unsigned glob_match_all(const struct glob_paths *g, const char *path)
{
	unsigned kind = MATCH_NONE;

	for (size_t i = 0; i < g->nr; i++) {
		if (g->pats[i].negate)
			kind &= ~(unsigned)path_pattern_match(&g->pats[i], path);
		else
			kind |= path_pattern_match(&g->pats[i], path);
	}
	return kind;
}

static int glob_partial_any(const struct glob_paths *g, const char *path)
{
	for (size_t i = 0; i < g->nr; i++)
		if (!g->pats[i].negate && path_pattern_partial(&g->pats[i], path))
			return 1;
	return 0;
}

void glob_paths_search_roots(const struct glob_paths *g, struct strlist *roots)
{
	for (size_t i = 0; i < g->nr; i++) {
		const char *sp = g->pats[i].search_path;
		int covered = 0;

		if (g->pats[i].negate)
			continue;
		for (size_t j = 0; j < g->nr && !covered; j++) {
			const char *other = g->pats[j].search_path;
			size_t olen = strlen(other);

			if (g->pats[j].negate || j == i)
				continue;
			if (!strcmp(other, sp))
				covered = j < i;
			else if (!strncmp(sp, other, olen) &&
				 (sp[olen] == '/' || (olen == 1 && other[0] == '/')))
				covered = 1;
		}
		if (!covered && strlist_find(roots, sp) < 0)
			strlist_push(roots, sp);
	}
}

static int glob_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct walk_item {
	char *path;
	size_t level;
};

struct walk {
	const struct glob_paths *g;
	unsigned flags;
	struct walk_item *stack;
	size_t nr, alloc;
	struct strlist chain;   /* real paths of the directories being descended (cycles) */
	struct strlist *out;
	struct strbuf *err;
};

static void walk_push(struct walk *w, char *path, size_t level)
{
	ALLOC_GROW(w->stack, w->nr + 1, w->alloc);
	w->stack[w->nr].path = path;
	w->stack[w->nr++].level = level;
}

/* Push the entries of dir, sorted, so that they pop in order. */
static int walk_children(struct walk *w, const char *dir, size_t level)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, alloc = 0;

	if (!d) {
		strbuf_addf(w->err, "cannot read directory '%s': %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		ALLOC_GROW(names, n + 1, alloc);
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), glob_name_cmp);
	for (size_t i = n; i-- > 0;) {
		struct strbuf child = STRBUF_INIT;

		strbuf_addstr(&child, dir);
		if (child.len && child.buf[child.len - 1] != '/')
			strbuf_addch(&child, '/');
		strbuf_addstr(&child, names[i]);
		free(names[i]);
		walk_push(w, strbuf_detach(&child, NULL), level + 1);
	}
	free(names);
	return 0;
}

/* stat as @actions/glob does: lstat, or stat with cycle detection when following links. */
static int walk_stat(struct walk *w, const struct walk_item *it, struct stat *st, int *skip)
{
	char *real;

	*skip = 0;
	if (!(w->flags & GLOB_FOLLOW_SYMLINKS))
		return lstat(it->path, st);
	if (stat(it->path, st) < 0) {
		/* A broken link is left out when links are followed. */
		*skip = errno == ENOENT;
		return *skip ? 0 : -1;
	}
	if (!S_ISDIR(st->st_mode))
		return 0;
	real = realpath(it->path, NULL);
	if (!real)
		return -1;
	while (w->chain.nr >= it->level) {
		free(w->chain.items[--w->chain.nr]);
		w->chain.items[w->chain.nr] = NULL;
	}
	if (strlist_find(&w->chain, real) >= 0) {
		free(real);
		*skip = 1;
		return 0;
	}
	strlist_push_owned(&w->chain, real);
	return 0;
}

/* A matched non-directory: kept when, links followed, it is not a directory. */
static int walk_emit(struct walk *w, const char *path, const struct stat *lst)
{
	struct stat st;

	if (S_ISLNK(lst->st_mode)) {
		if (stat(path, &st) < 0) {
			strbuf_addf(w->err, "cannot follow '%s': %s", path, strerror(errno));
			return -1;
		}
		if (S_ISDIR(st.st_mode))
			return 0;
	}
	strlist_push(w->out, path);
	return 0;
}

static int walk_run(struct walk *w)
{
	while (w->nr) {
		struct walk_item it = w->stack[--w->nr];
		unsigned match = glob_match_all(w->g, it.path);
		int partial = match || glob_partial_any(w->g, it.path), skip, ret = 0;
		struct stat st;

		if (!match && !partial) {
			free(it.path);
			continue;
		}
		if (walk_stat(w, &it, &st, &skip) < 0) {
			strbuf_addf(w->err, "cannot stat '%s': %s", it.path, strerror(errno));
			ret = -1;
		} else if (skip) {
			ret = 0;
		} else if (S_ISDIR(st.st_mode)) {
			if ((match & MATCH_DIRECTORY) || partial)
				ret = walk_children(w, it.path, it.level);
		} else if (match & MATCH_FILE) {
			ret = walk_emit(w, it.path, &st);
		}
		free(it.path);
		if (ret < 0)
			return -1;
	}
	return 0;
}

int glob_paths_walk(const struct glob_paths *g, unsigned flags, struct strlist *out,
		    struct strbuf *err)
{
	struct strlist roots = STRLIST_INIT;
	struct walk w;
	struct stat st;
	int ret;

	memset(&w, 0, sizeof(w));
	w.g = g;
	w.flags = flags;
	w.out = out;
	w.err = err;
	strlist_init(&w.chain);
	glob_paths_search_roots(g, &roots);
	ret = 0;
	for (size_t i = roots.nr; i-- > 0 && !ret;) {
		if (!lstat(roots.items[i], &st)) {
			walk_push(&w, xstrdup(roots.items[i]), 1);
		} else if (errno != ENOENT) {
			strbuf_addf(err, "cannot stat '%s': %s", roots.items[i], strerror(errno));
			ret = -1;
		}
	}
	if (!ret)
		ret = walk_run(&w);
	while (w.nr)
		free(w.stack[--w.nr].path);
	free(w.stack);
	strlist_release(&w.chain);
	strlist_release(&roots);
	return ret;
}
