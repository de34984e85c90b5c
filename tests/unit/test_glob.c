/*
 * Unit tests for util/glob: filter patterns with the examples of GitHub's
 * "filter pattern cheat sheet" (workflow syntax documentation), and path
 * globs walked over a scratch tree with @actions/glob's rules and order
 * (the expected lists are what @actions/glob 0.4.0, the version GitHub's
 * runner bundles, and 0.7.0 yield for that tree, directories dropped as
 * hashFiles drops them). tests/conformance/glob-diff.sh compares more.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/glob.h"
#include "util/strbuf.h"

struct filter_case {
	const char *pattern;
	const char *matches[4];
	const char *misses[4];
};

/* Branch, tag and path examples of the documentation, and their near misses. */
static const struct filter_case filter_cases[] = {
	{ "feature/*", { "feature/my-branch", "feature/your-branch" }, { "feature/a/b", "feature" } },
	{ "feature/**", { "feature/beta-a/my-branch", "feature/your-branch", "feature/mona/the/octocat" },
	  { "features/x" } },
	{ "main", { "main" }, { "main2", "xmain" } },
	{ "*", { "main", "releases", "README.md", "server.rb" }, { "path/with/slash" } },
	{ "**", { "all/the/branches", "every/tag", "all/the/files.md" }, { NULL } },
	{ "*feature", { "mona-feature", "feature", "ver-10-feature" }, { "feature-x", "a/feature" } },
	{ "v2*", { "v2", "v2.0", "v2.9" }, { "v3", "v2/x" } },
	{ "v[12].[0-9]+.[0-9]+", { "v1.10.1", "v2.0.0" }, { "v3.0.0", "v1.x.1", "v1..1" } },
	{ "*.jsx?", { "page.js", "page.jsx" }, { "page.jsxx", "page.j" } },
	{ "*.js", { "app.js", "index.js" }, { "js/index.js" } },
	{ "**.js", { "index.js", "js/index.js", "src/js/app.js" }, { "index.json" } },
	{ "docs/*", { "docs/README.md", "docs/file.txt" }, { "docs/mona/octocat.txt" } },
	{ "docs/**", { "docs/README.md", "docs/mona/octocat.txt" }, { "doc/x" } },
	{ "docs/**/*.md", { "docs/README.md", "docs/mona/hello-world.md", "docs/a/markdown/file.md" },
	  { "docs/a.txt" } },
	{ "**/docs/**", { "docs/hello.md", "dir/docs/my-file.txt", "space/docs/plan/space.doc" },
	  { "mydocs/x" } },
	{ "**/README.md", { "README.md", "js/README.md" }, { "README.mdx" } },
	{ "**/*src/**", { "a/src/app.js", "my-src/code/js/app.js" }, { "src" } },
	{ "**/*-post.md", { "my-post.md", "path/their-post.md" }, { "post.md" } },
	{ "**/migrate-*.sql", { "migrate-10909.sql", "db/migrate-v1.0.sql", "db/sept/migrate-v1.sql" },
	  { "migrate.sql" } },
	{ "[CB]at", { "Cat", "Bat" }, { "cat", "Hat" } },
	{ "[1-2]00", { "100", "200" }, { "300" } },
	{ "\\!file", { "!file" }, { "file" } },
	{ "escape\\\\backslash", { "escape\\backslash" }, { "escapebackslash" } },
	{ ".yml", { ".yml" }, { "fyml" } },
	{ "a+", { "a", "aaa" }, { "", "b" } },
	{ "+x", { "+x" }, { "x" } },
};

static void test_filter_cheat_sheet(void **state)
{
	struct strbuf err = STRBUF_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof(filter_cases) / sizeof(filter_cases[0]); i++) {
		const struct filter_case *c = &filter_cases[i];
		struct glob_filter *f;

		if (glob_filter_compile(&f, c->pattern, &err) < 0)
			fail_msg("'%s': %s", c->pattern, err.buf);
		for (size_t j = 0; j < 4 && c->matches[j]; j++)
			if (!glob_filter_match(f, c->matches[j], strlen(c->matches[j])))
				fail_msg("'%s' should match '%s'", c->pattern, c->matches[j]);
		for (size_t j = 0; j < 4 && c->misses[j]; j++)
			if (glob_filter_match(f, c->misses[j], strlen(c->misses[j])))
				fail_msg("'%s' should not match '%s'", c->pattern, c->misses[j]);
		glob_filter_free(f);
	}
	strbuf_release(&err);
}

static void test_filter_lists(void **state)
{
	static const struct {
		const char *patterns[3];
		const char *subject;
		int selected;
	} cases[] = {
		{ { "*.md", "!README.md" }, "hello.md", 1 },
		{ { "*.md", "!README.md" }, "README.md", 0 },
		{ { "*.md", "!README.md" }, "docs/hello.md", 0 },
		{ { "*.md", "!README.md", "README*" }, "README.md", 1 },
		{ { "*.md", "!README.md", "README*" }, "README.doc", 1 },
		{ { "!x" }, "x", 0 },
	};
	struct strbuf err = STRBUF_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct glob_filter_list l = GLOB_FILTER_LIST_INIT;

		for (size_t j = 0; j < 3 && cases[i].patterns[j]; j++)
			assert_int_equal(glob_filter_list_add(&l, cases[i].patterns[j], &err), 0);
		if (glob_filter_list_match(&l, cases[i].subject, strlen(cases[i].subject)) !=
		    cases[i].selected)
			fail_msg("case %zu: '%s'", i, cases[i].subject);
		assert_int_equal(glob_filter_is_negative(l.items[0]), cases[i].patterns[0][0] == '!');
		glob_filter_list_release(&l);
	}
	strbuf_release(&err);
}

static void test_filter_errors(void **state)
{
	static const char *const bad[] = { "a[]", "a[b", "[a-9]", "[z-a]", "[.]", "x\\" };
	struct strbuf err = STRBUF_INIT;
	struct glob_filter *f;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		strbuf_reset(&err);
		if (glob_filter_compile(&f, bad[i], &err) == 0)
			fail_msg("'%s' compiled", bad[i]);
		assert_non_null(strstr(err.buf, "invalid pattern"));
	}
	strbuf_release(&err);
}

static void make_file(const char *root, const char *rel)
{
	char path[4096];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (char *s = strchr(path + strlen(root) + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(path, 0755);
		*s = '/';
	}
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(rel, fp);
	fclose(fp);
}

/* The walk's result, relative to root, joined with spaces. */
static void walk(struct strbuf *got, const char *root, const char *patterns, unsigned flags)
{
	struct glob_paths *g;
	struct strlist files = STRLIST_INIT;
	struct strbuf err = STRBUF_INIT;

	strbuf_reset(got);
	if (glob_paths_compile(&g, patterns, strlen(patterns), root, &err) < 0) {
		strbuf_addf(got, "error: %s", err.buf);
	} else {
		if (glob_paths_walk(g, flags, &files, &err) < 0)
			strbuf_addf(got, "error: %s", err.buf);
		for (size_t i = 0; i < files.nr; i++)
			strbuf_addf(got, "%s%s", i ? " " : "", files.items[i] + strlen(root) + 1);
		glob_paths_free(g);
	}
	strlist_release(&files);
	strbuf_release(&err);
}

static void test_path_walk(void **state)
{
	static const char *const tree[] = {
		"a.txt", "a/b.txt", "a/c/d.md", "a-b/e.txt", ".hidden/f.txt", "src/x.c", "src/y.h",
		"src/deep/z.c", "node_modules/m/index.js", "weird[1].txt", "q?.txt",
	};
	static const struct {
		const char *patterns, *want;
	} cases[] = {
		/* depth-first, each directory sorted bytewise (so "a/..." before "a-b" and "a.txt") */
		{ "**", ".hidden/f.txt a/b.txt a/c/d.md a-b/e.txt a.txt node_modules/m/index.js "
			"q?.txt src/deep/z.c src/x.c src/y.h weird[1].txt" },
		{ "*.txt", "a.txt q?.txt weird[1].txt" },
		{ "src", "src/deep/z.c src/x.c src/y.h" },        /* implicit descendants */
		{ "src/*.c", "src/x.c" },
		{ "**/*.c", "src/deep/z.c src/x.c" },
		{ "src/**/*.c\n!src/deep", "src/x.c" },
		{ "**\n!node_modules/**\n# comment\n\n!**/*.txt", "a/c/d.md src/deep/z.c src/x.c src/y.h" },
		{ "!**/*.c\nsrc/**", "src/deep/z.c src/x.c src/y.h" }, /* a later include wins */
		{ "./a/*", "a/b.txt a/c/d.md" },                 /* a/c matches, and so its files */
		{ "a/?.txt", "a/b.txt" },
		{ "[ab].txt", "a.txt" },
		{ "[!b].txt", "a.txt" },
		{ "weird\\[1\\].txt", "weird[1].txt" },
		{ "a/", "a/b.txt a/c/d.md" },                     /* the directory, so its files */
		{ "nosuch/**", "" },
		{ "empty/**", "" },
		{ "../x", "error: invalid pattern '../x': relative pathing '.' and '..' is not allowed" },
		{ "a/./b", "error: invalid pattern 'a/./b': relative pathing '.' and '..' is not allowed" },
	};
	char root[] = "/tmp/slipway-glob-XXXXXX";
	char link[4200], target[4200];
	struct strbuf got = STRBUF_INIT;

	(void)state;
	assert_non_null(mkdtemp(root));
	for (size_t i = 0; i < sizeof(tree) / sizeof(tree[0]); i++)
		make_file(root, tree[i]);
	snprintf(link, sizeof(link), "%s/empty", root);
	assert_int_equal(mkdir(link, 0755), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		walk(&got, root, cases[i].patterns, 0);
		if (strcmp(got.buf, cases[i].want))
			fail_msg("'%s' gave '%s', want '%s'", cases[i].patterns, got.buf, cases[i].want);
	}
	/* A link to a directory is not a file; followed, its files are found. */
	snprintf(link, sizeof(link), "%s/src/link", root);
	snprintf(target, sizeof(target), "%s/a/c", root);
	assert_int_equal(symlink(target, link), 0);
	walk(&got, root, "src/**", 0);
	assert_string_equal(got.buf, "src/deep/z.c src/x.c src/y.h");
	walk(&got, root, "src/**", GLOB_FOLLOW_SYMLINKS);
	assert_string_equal(got.buf, "src/deep/z.c src/link/d.md src/x.c src/y.h");
	/* A link that leads nowhere fails the walk unless links are followed. */
	snprintf(link, sizeof(link), "%s/src/broken", root);
	assert_int_equal(symlink("/nonexistent/slipway", link), 0);
	walk(&got, root, "src/**", 0);
	assert_non_null(strstr(got.buf, "error: cannot follow"));
	walk(&got, root, "src/**", GLOB_FOLLOW_SYMLINKS);
	assert_string_equal(got.buf, "src/deep/z.c src/link/d.md src/x.c src/y.h");
	strbuf_release(&got);
	{
		char cmd[4200];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
		assert_int_equal(system(cmd), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filter_cheat_sheet),
		cmocka_unit_test(test_filter_lists),
		cmocka_unit_test(test_filter_errors),
		cmocka_unit_test(test_path_walk),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
