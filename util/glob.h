/*
 * glob: the two pattern languages of GitHub workflows, domain-free.
 *
 * Filter patterns (on.push.branches/tags/paths): '*' any run without '/',
 * '**' anything, '?' zero or one and '+' one or more of the preceding
 * character, [a-z0-9] classes, '\' escapes, a leading '!' negates; in a
 * list the last matching pattern decides.
 *
 * Path globs as @actions/glob reads them (hashFiles(), artifact paths):
 * newline-separated lines, '#' comments, '!' excludes, '*' '?' '[...]'
 * within a segment and '**' across segments, relative to a working
 * directory; a directory walk in the order @actions/glob yields matches.
 *
 * Matching goes through util/rx (PCRE2).
 */
#ifndef UTIL_GLOB_H
#define UTIL_GLOB_H

#include <stddef.h>

#include "util/strbuf.h"
#include "util/strlist.h"

struct glob_filter;

/*
 * Compile one filter pattern (a leading '!' makes it negative). Returns 0
 * and *out (free with glob_filter_free), or -1 with the reason in err.
 */
int glob_filter_compile(struct glob_filter **out, const char *pattern, struct strbuf *err);
void glob_filter_free(struct glob_filter *f);
/* 1 when the whole of s matches the pattern (ignoring its negation). */
int glob_filter_match(const struct glob_filter *f, const char *s, size_t len);
int glob_filter_is_negative(const struct glob_filter *f);

/* An ordered list of filter patterns, as a workflow lists them. */
struct glob_filter_list {
	struct glob_filter **items;
	size_t nr, alloc;
};

#define GLOB_FILTER_LIST_INIT { NULL, 0, 0 }

/* Compile and append a pattern; -1 with the reason in err. */
int glob_filter_list_add(struct glob_filter_list *l, const char *pattern, struct strbuf *err);
/*
 * GitHub's rule: s is selected when the last pattern that matches it is
 * positive (a later '!pattern' excludes, a later positive one re-includes).
 */
int glob_filter_list_match(const struct glob_filter_list *l, const char *s, size_t len);
void glob_filter_list_release(struct glob_filter_list *l);

struct glob_paths;

enum glob_walk_flags {
	GLOB_FOLLOW_SYMLINKS = 1 << 0,  /* descend into linked directories */
};

/*
 * Compile newline-separated @actions/glob pattern lines; relative ones are
 * rooted at workdir (absolute). Returns 0 and *out (free with
 * glob_paths_free), or -1 with the reason in err (e.g. a '..' segment).
 */
int glob_paths_compile(struct glob_paths **out, const char *patterns, size_t len,
		       const char *workdir, struct strbuf *err);
void glob_paths_free(struct glob_paths *g);

/*
 * Walk the file system and append to out the absolute path of every
 * matched entry that is not a directory (symbolic links are followed to
 * decide), in @actions/glob's order: depth-first from each search root,
 * the entries of a directory sorted bytewise. Returns 0, or -1 with the
 * reason in err (an unreadable directory, a link that leads nowhere).
 */
int glob_paths_walk(const struct glob_paths *g, unsigned flags, struct strlist *out,
		    struct strbuf *err);

/*
 * The literal directories the walk starts from (@actions/glob's
 * getSearchPaths): those of positive patterns, absolute, without
 * duplicates or paths inside another, in pattern order; appended to out.
 */
void glob_paths_search_roots(const struct glob_paths *g, struct strlist *out);

#endif
