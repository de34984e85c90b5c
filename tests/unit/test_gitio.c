/*
 * Unit tests for util/gitio against repositories made here with the git
 * command: refs resolved as GitHub resolves action refs, trees written
 * with modes and links, fetches over file:// (and their failures), and
 * working trees that borrow a repository's objects.
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

#include "util/fs.h"
#include "util/gitio.h"
#include "util/proc.h"
#include "util/strbuf.h"

struct fx {
	char top[64];
	struct strbuf repo, url;
	char first[41], second[41];     /* the commits: v1 (tag), then main's head */
};

/* Run a shell command in dir; its stdout (trimmed) into out when given. */
static void sh(const char *dir, const char *cmd, struct strbuf *out)
{
	struct strbuf full = STRBUF_INIT, got = STRBUF_INIT, err = STRBUF_INIT;
	const char *argv[] = { "sh", "-c", NULL, NULL };

	strbuf_addf(&full, "cd '%s' && %s", dir, cmd);
	argv[2] = full.buf;
	if (proc_run_capture(argv, &got, 1 << 20, &err) != 0)
		fail_msg("'%s' failed: %s", cmd, err.buf);
	strbuf_rtrim(&got);
	if (out)
		strbuf_add(out, got.buf, got.len);
	strbuf_release(&full);
	strbuf_release(&got);
	strbuf_release(&err);
}

static int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct strbuf sha = STRBUF_INIT;

	snprintf(f->top, sizeof(f->top), "/tmp/slipway-gitio.XXXXXX");
	assert_non_null(mkdtemp(f->top));
	strbuf_init(&f->repo, 0);
	strbuf_init(&f->url, 0);
	strbuf_addf(&f->repo, "%s/repo", f->top);
	strbuf_addf(&f->url, "file://%s", f->repo.buf);
	sh(f->top, "git init -q -b main repo && cd repo && git config user.email t@e && "
	   "git config user.name t && mkdir -p bin && printf one > a.txt && "
	   "printf '#!/bin/sh\\n' > bin/run && chmod +x bin/run && ln -s a.txt link && "
	   "git add -A && git commit -qm one && git tag v1", NULL);
	sh(f->repo.buf, "git rev-parse HEAD", &sha);
	memcpy(f->first, sha.buf, 40);
	strbuf_reset(&sha);
	sh(f->repo.buf, "printf two > a.txt && printf new > b.txt && git add -A && "
	   "git commit -qm two && git branch releases/v2 && git rev-parse HEAD", &sha);
	memcpy(f->second, sha.buf, 40);
	strbuf_release(&sha);
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;
	struct strbuf err = STRBUF_INIT;

	fs_rm_rf(f->top, &err);
	strbuf_release(&err);
	strbuf_release(&f->repo);
	strbuf_release(&f->url);
	free(f);
	return 0;
}

static void read_into(struct strbuf *out, const char *dir, const char *rel)
{
	struct strbuf p = STRBUF_INIT, err = STRBUF_INIT;

	strbuf_reset(out);
	fs_path_join(&p, dir, rel);
	if (fs_read_file(out, p.buf, 0, &err) < 0)
		fail_msg("%s", err.buf);
	strbuf_release(&p);
	strbuf_release(&err);
}

static void test_resolve(void **state)
{
	struct fx *f = *state;
	struct gitio_ref r;
	struct strbuf err = STRBUF_INIT;
	char abbrev[9];

	assert_int_equal(gitio_resolve(f->repo.buf, "v1", &r, &err), 0);
	assert_int_equal(r.kind, GITIO_TAG);
	assert_string_equal(r.sha, f->first);
	assert_int_equal(gitio_resolve(f->repo.buf, "releases/v2", &r, &err), 0);
	assert_int_equal(r.kind, GITIO_BRANCH);
	assert_string_equal(r.sha, f->second);
	memcpy(abbrev, f->first, 8);
	abbrev[8] = 0;
	assert_int_equal(gitio_resolve(f->repo.buf, abbrev, &r, &err), 0);
	assert_int_equal(r.kind, GITIO_COMMIT);
	assert_string_equal(r.sha, f->first);
	assert_int_equal(gitio_resolve(f->repo.buf, "v9", &r, &err), -1);
	assert_non_null(strstr(err.buf, "no branch, tag or commit 'v9'"));
	strbuf_reset(&err);
	assert_int_equal(gitio_resolve("/nonexistent-dir", "v1", &r, &err), -1);
	assert_non_null(strstr(err.buf, "cannot open the repository '/nonexistent-dir'"));
	strbuf_release(&err);
}

static void test_write_tree(void **state)
{
	struct fx *f = *state;
	struct strbuf dst = STRBUF_INIT, err = STRBUF_INIT, text = STRBUF_INIT, p = STRBUF_INIT;
	struct stat st;
	char link[64];
	ssize_t n;

	strbuf_addf(&dst, "%s/out", f->top);
	assert_int_equal(fs_mkdir_p(dst.buf, 0755, &err), 0);
	assert_int_equal(gitio_write_tree(f->repo.buf, f->first, dst.buf, &err), 0);
	read_into(&text, dst.buf, "a.txt");
	assert_string_equal(text.buf, "one");
	strbuf_addf(&p, "%s/bin/run", dst.buf);
	assert_int_equal(stat(p.buf, &st), 0);
	assert_true(st.st_mode & S_IXUSR);
	strbuf_reset(&p);
	strbuf_addf(&p, "%s/link", dst.buf);
	n = readlink(p.buf, link, sizeof(link) - 1);
	assert_int_equal(n, 5);
	link[n] = 0;
	assert_string_equal(link, "a.txt");
	strbuf_reset(&p);
	strbuf_addf(&p, "%s/b.txt", dst.buf);
	assert_false(fs_exists(p.buf));
	assert_int_equal(gitio_write_tree(f->repo.buf, "not-a-sha", dst.buf, &err), -1);
	assert_non_null(strstr(err.buf, "'not-a-sha' is not a commit id"));
	strbuf_release(&dst);
	strbuf_release(&err);
	strbuf_release(&text);
	strbuf_release(&p);
}

static void test_fetch(void **state)
{
	struct fx *f = *state;
	struct strbuf dst = STRBUF_INIT, err = STRBUF_INIT, text = STRBUF_INIT, bad = STRBUF_INIT;
	struct gitio_ref r;

	strbuf_addf(&dst, "%s/fetched-tag", f->top);
	assert_int_equal(gitio_fetch_tree(f->url.buf, "v1", dst.buf, f->top, &r, &err), 0);
	assert_int_equal(r.kind, GITIO_TAG);
	assert_string_equal(r.sha, f->first);
	read_into(&text, dst.buf, "a.txt");
	assert_string_equal(text.buf, "one");
	strbuf_reset(&dst);
	strbuf_addf(&dst, "%s/fetched-branch", f->top);
	assert_int_equal(gitio_fetch_tree(f->url.buf, "releases/v2", dst.buf, f->top, &r, &err), 0);
	assert_int_equal(r.kind, GITIO_BRANCH);
	read_into(&text, dst.buf, "b.txt");
	assert_string_equal(text.buf, "new");
	strbuf_reset(&dst);
	strbuf_addf(&dst, "%s/fetched-sha", f->top);
	assert_int_equal(gitio_fetch_tree(f->url.buf, f->first, dst.buf, f->top, &r, &err), 0);
	assert_int_equal(r.kind, GITIO_COMMIT);
	/* failures leave nothing behind */
	strbuf_reset(&dst);
	strbuf_addf(&dst, "%s/missing", f->top);
	assert_int_equal(gitio_fetch_tree(f->url.buf, "v7", dst.buf, f->top, &r, &err), -1);
	assert_non_null(strstr(err.buf, "no branch, tag or commit 'v7' in 'file://"));
	assert_false(fs_exists(dst.buf));
	strbuf_reset(&err);
	strbuf_addf(&bad, "file://%s/none", f->top);
	assert_int_equal(gitio_fetch_tree(bad.buf, "v1", dst.buf, f->top, &r, &err), -1);
	assert_non_null(strstr(err.buf, "cannot fetch 'file://"));
	assert_false(fs_exists(dst.buf));
	/* no scratch repository is left behind (out/ is test_write_tree's) */
	strbuf_reset(&text);
	sh(f->top, "ls | tr '\\n' ' '", &text);
	assert_string_equal(text.buf, "fetched-branch fetched-sha fetched-tag out repo");
	strbuf_release(&dst);
	strbuf_release(&err);
	strbuf_release(&text);
	strbuf_release(&bad);
}

static void test_link_worktree(void **state)
{
	struct fx *f = *state;
	struct strbuf dst = STRBUF_INIT, err = STRBUF_INIT, got = STRBUF_INIT;

	strbuf_addf(&dst, "%s/wt", f->top);
	assert_int_equal(fs_mkdir_p(dst.buf, 0755, &err), 0);
	assert_int_equal(gitio_write_tree(f->repo.buf, f->second, dst.buf, &err), 0);
	assert_int_equal(gitio_link_worktree(f->repo.buf, f->second, "main", dst.buf, &err), 0);
	sh(dst.buf, "git status --porcelain", &got);
	assert_string_equal(got.buf, "");
	strbuf_reset(&got);
	sh(dst.buf, "git rev-parse HEAD && git rev-parse --abbrev-ref HEAD && git log --format=%s "
	   "| tr '\\n' ' '", &got);
	assert_non_null(strstr(got.buf, f->second));
	assert_non_null(strstr(got.buf, "\nmain\ntwo one"));
	strbuf_reset(&got);
	sh(dst.buf, "printf changed > a.txt && git status --porcelain", &got);
	assert_string_equal(got.buf, " M a.txt");
	/* detached, and again over an existing .git */
	assert_int_equal(gitio_link_worktree(f->repo.buf, f->first, NULL, dst.buf, &err), 0);
	strbuf_reset(&got);
	sh(dst.buf, "git rev-parse --abbrev-ref HEAD", &got);
	assert_string_equal(got.buf, "HEAD");
	assert_int_equal(gitio_link_worktree(f->repo.buf, "0123", NULL, dst.buf, &err), -1);
	strbuf_release(&dst);
	strbuf_release(&err);
	strbuf_release(&got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_write_tree),
		cmocka_unit_test(test_fetch),
		cmocka_unit_test(test_link_worktree),
	};

	return cmocka_run_group_tests(tests, fx_setup, fx_teardown);
}
