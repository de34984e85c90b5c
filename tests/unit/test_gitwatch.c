/*
 * Unit tests for runner/gitwatch against repositories made with git:
 * branch heads of a bare repository, resolving refs, reading a committed
 * file, and a work tree of an older commit (modes and symlinks kept, git
 * sees HEAD and history) that leaves the repository alone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runner/gitwatch.h"
#include "tests/unit/testutil.h"
#include "util/fs.h"

static struct strbuf dir = STRBUF_INIT;

static void sh(const char *script)
{
	const char *argv[] = { "sh", "-ec", script, "sh", dir.buf, NULL };
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;

	if (proc_run_capture(argv, &out, 0, &err) != 0)
		fail_msg("script failed: %s\n%s", script, err.buf);
	strbuf_release(&out);
	strbuf_release(&err);
}

static int setup(void **state)
{
	struct strbuf err = STRBUF_INIT;

	(void)state;
	if (fs_mkdtemp(&dir, "/tmp", "slipway-gitwatch-", &err) < 0)
		fail_msg("%s", err.buf);
	sh("cd \"$1\"; export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@x GIT_COMMITTER_NAME=t "
	   "GIT_COMMITTER_EMAIL=t@x; git init -q --bare -b main repo.git; git init -q -b main work;"
	   "cd work; echo one >file; printf '#!/bin/sh\\n' >run.sh; chmod +x run.sh;"
	   "ln -s file link; mkdir -p sub; echo deep >sub/deep; git add -A; git commit -qm one;"
	   "git rev-parse HEAD >../first; echo two >file; git commit -qam two;"
	   "git checkout -qb feature; echo f >f; git add f; git commit -qm f;"
	   "git push -q ../repo.git main feature");
	strbuf_release(&err);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_remove_tree(dir.buf);
	strbuf_release(&dir);
	return 0;
}

static void read_text(struct strbuf *out, const char *rel)
{
	struct strbuf path = STRBUF_INIT, err = STRBUF_INIT;

	strbuf_reset(out);
	strbuf_addf(&path, "%s/%s", dir.buf, rel);
	if (fs_read_file(out, path.buf, 0, &err) < 0)
		fail_msg("%s", err.buf);
	strbuf_rtrim(out);
	strbuf_release(&path);
	strbuf_release(&err);
}

static void test_heads_resolve_checkout(void **state)
{
	struct strlist heads = STRLIST_INIT;
	struct strbuf err = STRBUF_INIT, repo = STRBUF_INIT, sha = STRBUF_INIT, first = STRBUF_INIT,
		      text = STRBUF_INIT, co = STRBUF_INIT, path = STRBUF_INIT;
	struct stat st;

	(void)state;
	strbuf_addf(&repo, "%s/repo.git", dir.buf);
	if (gitwatch_heads(&heads, repo.buf, &err) < 0)
		fail_msg("%s", err.buf);
	assert_int_equal(heads.nr, 2);
	assert_int_equal(strlen(heads.items[0]), 41 + strlen("refs/heads/feature"));
	assert_non_null(strstr(heads.items[0], " refs/heads/feature"));
	assert_non_null(strstr(heads.items[1], " refs/heads/main"));

	assert_int_equal(gitwatch_resolve(&sha, repo.buf, "refs/heads/main", &err), 0);
	assert_int_equal(strncmp(sha.buf, heads.items[1], 40), 0);
	assert_int_equal(gitwatch_resolve(&sha, repo.buf, "nope", &err), -1);
	assert_non_null(strstr(err.buf, "no ref or commit 'nope' in repository"));

	read_text(&first, "first");
	strbuf_addf(&co, "%s/checkout", dir.buf);
	strbuf_reset(&err);
	if (gitwatch_checkout(repo.buf, "refs/heads/main", first.buf, co.buf, &err) < 0)
		fail_msg("%s", err.buf);
	/* a real work tree of that commit: HEAD on the branch, clean, history through alternates */
	sh("cd \"$1/checkout\"; test \"$(git rev-parse HEAD)\" = \"$(cat ../first)\";"
	   "test \"$(git symbolic-ref HEAD)\" = refs/heads/main;"
	   "test -z \"$(git status --porcelain)\"; test \"$(git log --format=%s)\" = one;"
	   "test \"$(git remote get-url origin)\" = \"$1/repo.git\";"
	   "test -z \"$(find .git/objects -type f -name '[0-9a-f]*' ! -path '*/info/*')\"");
	read_text(&text, "checkout/file");
	assert_string_equal(text.buf, "one");
	read_text(&text, "checkout/sub/deep");
	assert_string_equal(text.buf, "deep");
	strbuf_addf(&path, "%s/run.sh", co.buf);
	assert_int_equal(stat(path.buf, &st), 0);
	assert_true(st.st_mode & S_IXUSR);
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/link", co.buf);
	assert_int_equal(lstat(path.buf, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/index", repo.buf);
	assert_false(fs_exists(path.buf));

	strbuf_reset(&err);
	assert_int_equal(gitwatch_checkout(repo.buf, "refs/heads/main",
					   "0123456789012345678901234567890123456789", co.buf, &err), -1);
	assert_non_null(strstr(err.buf, "commit '0123456789012345678901234567890123456789' is not in repository"));
	assert_int_equal(gitwatch_read_file(&text, repo.buf, "HEAD", "sub/deep", 100, &err), 1);
	assert_string_equal(text.buf, "deep\n");
	assert_int_equal(gitwatch_read_file(&text, repo.buf, first.buf, "file", 100, &err), 1);
	assert_string_equal(text.buf, "one\n");
	assert_int_equal(gitwatch_read_file(&text, repo.buf, "HEAD", "nope", 100, &err), 0);
	assert_int_equal(gitwatch_read_file(&text, repo.buf, "refs/heads/gone", "file", 100, &err), 0);
	assert_int_equal(gitwatch_read_file(&text, repo.buf, "HEAD", "file", 2, &err), -1);
	assert_non_null(strstr(err.buf, "/repo.git' is larger than 2 bytes"));
	strbuf_reset(&err);
	assert_int_equal(gitwatch_heads(&heads, "/nonexistent", &err), -1);
	assert_non_null(strstr(err.buf, "cannot open repository '/nonexistent'"));
	strlist_release(&heads);
	strbuf_release(&err);
	strbuf_release(&repo);
	strbuf_release(&sha);
	strbuf_release(&first);
	strbuf_release(&text);
	strbuf_release(&co);
	strbuf_release(&path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_heads_resolve_checkout),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
