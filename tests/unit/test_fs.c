/*
 * Unit tests for util/fs: path joining, mkdir -p, rm -rf (symlinks, loops,
 * read-only and very deep trees), copying with filters and modes, atomic
 * writes, capped reads, temporary directories, walking order, the
 * home/XDG directories, searching upwards, and descriptor hygiene.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/unit/testutil.h"
#include "util/fs.h"
#include "util/proc.h"

static char scratch[] = "/tmp/slipway-test-fs.XXXXXX";

static int setup_scratch(void **state)
{
	(void)state;
	if (!mkdtemp(scratch))
		return -1;
	return chmod(scratch, 0777);    /* the unprivileged child writes here too */
}

static int teardown_scratch(void **state)
{
	(void)state;
	return test_remove_tree(scratch);
}

/* scratch/rel, in a buffer that lives until the next call with the same slot. */
static const char *at(int slot, const char *rel)
{
	static struct strbuf bufs[4] = { STRBUF_INIT, STRBUF_INIT, STRBUF_INIT, STRBUF_INIT };

	fs_path_join(&bufs[slot], scratch, rel);
	return bufs[slot].buf;
}

/* Fixture files are made with plain libc so fs is not tested by itself. */
static void put(const char *path, const char *content, mode_t mode)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(content, fp);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static void make_dir(const char *path, mode_t mode)
{
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(chmod(path, mode), 0);
}

/* fs_write_all: a pipe takes everything in pieces; a pipe nobody reads is EPIPE. */
static void test_write_all(void **state)
{
	static char big[200000];
	struct strbuf got = STRBUF_INIT;
	int fds[2];
	pid_t pid;

	(void)state;
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)('a' + i % 26);
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		close(fds[0]);
		_exit(fs_write_all(fds[1], big, sizeof(big)) ? 1 : 0);
	}
	close(fds[1]);
	assert_int_equal(strbuf_read_fd(&got, fds[0], 0), 0);
	close(fds[0]);
	assert_int_equal(got.len, sizeof(big));
	assert_memory_equal(got.buf, big, sizeof(big));
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	assert_int_equal(pipe(fds), 0);
	close(fds[0]);
	signal(SIGPIPE, SIG_IGN);
	errno = 0;
	assert_int_equal(fs_write_all(fds[1], "x", 1), -1);
	assert_int_equal(errno, EPIPE);
	signal(SIGPIPE, SIG_DFL);
	close(fds[1]);
	strbuf_release(&got);
}

static void test_path_join(void **state)
{
	static const char *const cases[][3] = {
		{ "a", "b", "a/b" },
		{ "a/", "b", "a/b" },
		{ "a//", "//b", "a/b" },
		{ "a", "/b", "a/b" },
		{ "/", "b", "/b" },
		{ "/", "/", "/" },
		{ "", "b", "b" },
		{ "", "/b", "/b" },
		{ "a", "", "a" },
		{ "a/b/", "", "a/b" },
		{ "a", "b/c/", "a/b/c/" },
	};
	struct strbuf out = STRBUF_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		strbuf_addstr(&out, "junk");
		fs_path_join(&out, cases[i][0], cases[i][1]);
		assert_string_equal(out.buf, cases[i][2]);
	}
	strbuf_release(&out);
}

static void test_mkdir_p(void **state)
{
	struct strbuf err = STRBUF_INIT, want = STRBUF_INIT;

	(void)state;
	assert_int_equal(fs_mkdir_p(at(0, "m/a/b/c"), 0755, &err), 0);
	assert_true(fs_is_dir(at(0, "m/a/b/c")));
	assert_int_equal(fs_mkdir_p(at(0, "m/a/b/c"), 0755, &err), 0);
	assert_int_equal(fs_mkdir_p(at(0, "m/./a//b/../b/d/"), 0755, &err), 0);
	assert_true(fs_is_dir(at(0, "m/a/b/d")));
	assert_int_equal(symlink("a", at(0, "m/link")), 0);
	assert_int_equal(fs_mkdir_p(at(0, "m/link/b/e"), 0755, &err), 0);
	assert_true(fs_is_dir(at(0, "m/a/b/e")));
	assert_string_equal(err.buf, "");

	put(at(0, "m/file"), "x", 0644);
	assert_int_equal(fs_mkdir_p(at(0, "m/file"), 0755, &err), -1);
	strbuf_addf(&want, "cannot create directory '%s': File exists", at(0, "m/file"));
	assert_string_equal(err.buf, want.buf);
	strbuf_reset(&err);
	strbuf_reset(&want);
	assert_int_equal(fs_mkdir_p(at(0, "m/file/sub"), 0755, &err), -1);
	strbuf_addf(&want, "cannot create directory '%s': Not a directory", at(0, "m/file/sub"));
	assert_string_equal(err.buf, want.buf);
	strbuf_reset(&err);
	assert_int_equal(fs_mkdir_p("", 0755, &err), -1);
	assert_string_equal(err.buf, "cannot create directory '': No such file or directory");
	strbuf_release(&err);
	strbuf_release(&want);
}

static int walk_nothing(const struct fs_entry *e, void *data)
{
	(void)e;
	(void)data;
	return 0;
}

/* How many levels of name/name/... exist under dir, counted with openat. */
static int depth_of(const char *dir, const char *name)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY), depth = 0, next;

	while (fd >= 0 && (next = openat(fd, name, O_RDONLY | O_DIRECTORY)) >= 0) {
		close(fd);
		fd = next;
		depth++;
	}
	if (fd >= 0)
		close(fd);
	return depth;
}

static void test_deep_tree_beyond_path_max(void **state)
{
	enum { DEPTH = 600 };
	const char *comp = "deep-component";
	struct strbuf path = STRBUF_INIT, err = STRBUF_INIT;
	struct rlimit old, low;
	int before = test_count_fds();

	(void)state;
	strbuf_addstr(&path, at(0, "deep"));
	for (int i = 0; i < DEPTH; i++)
		strbuf_addf(&path, "/%s", comp);
	assert_true(path.len > 2 * 4096);
	assert_int_equal(fs_mkdir_p(path.buf, 0755, &err), 0);
	assert_string_equal(err.buf, "");
	assert_int_equal(depth_of(at(0, "deep"), comp), DEPTH);

	/* a walk cannot name what lies beyond PATH_MAX, and says so */
	assert_int_equal(fs_walk(at(0, "deep"), 0, walk_nothing, NULL, &err), -1);
	assert_non_null(strstr(err.buf, "File name too long"));
	strbuf_reset(&err);

	/* removal needs neither long paths nor a descriptor per level */
	getrlimit(RLIMIT_NOFILE, &old);
	low = old;
	low.rlim_cur = 64;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	assert_int_equal(fs_rm_rf(at(0, "deep"), &err), 0);
	setrlimit(RLIMIT_NOFILE, &old);
	assert_string_equal(err.buf, "");
	assert_false(fs_exists(at(0, "deep")));
	assert_int_equal(test_count_fds(), before);
	strbuf_release(&path);
	strbuf_release(&err);
}

static void test_rm_rf_wide_and_deep_with_files(void **state)
{
	struct strbuf p = STRBUF_INIT, err = STRBUF_INIT;

	(void)state;
	/* 40 levels (more than the streams kept open) with siblings at each */
	strbuf_addstr(&p, at(0, "wide"));
	for (int i = 0; i < 40; i++) {
		assert_int_equal(fs_mkdir_p(p.buf, 0755, &err), 0);
		for (int j = 0; j < 5; j++) {
			struct strbuf f = STRBUF_INIT;

			strbuf_addf(&f, "%s/f%d", p.buf, j);
			put(f.buf, "x", 0644);
			strbuf_reset(&f);
			strbuf_addf(&f, "%s/d%d", p.buf, j);
			assert_int_equal(mkdir(f.buf, 0755), 0);
			strbuf_addstr(&f, "/inner");
			put(f.buf, "y", 0644);
			strbuf_release(&f);
		}
		strbuf_addstr(&p, "/z");
	}
	assert_int_equal(fs_walk(at(0, "wide"), 0, walk_nothing, NULL, &err), 0);
	assert_int_equal(fs_rm_rf(at(0, "wide"), &err), 0);
	assert_string_equal(err.buf, "");
	assert_false(fs_exists(at(0, "wide")));
	strbuf_release(&p);
	strbuf_release(&err);
}

static void test_rm_rf_never_follows_symlinks(void **state)
{
	struct strbuf err = STRBUF_INIT;

	(void)state;
	make_dir(at(0, "outside"), 0755);
	put(at(0, "outside/keep.txt"), "keep", 0644);
	make_dir(at(0, "victim"), 0755);
	make_dir(at(0, "victim/sub"), 0755);
	assert_int_equal(symlink(at(1, "outside"), at(0, "victim/to-outside")), 0);
	assert_int_equal(symlink(at(1, "outside/keep.txt"), at(0, "victim/sub/to-file")), 0);
	assert_int_equal(symlink("..", at(0, "victim/sub/loop")), 0);
	assert_int_equal(symlink("loop-a", at(0, "victim/loop-b")), 0);
	assert_int_equal(symlink("loop-b", at(0, "victim/loop-a")), 0);
	assert_int_equal(symlink("/nonexistent", at(0, "victim/dangling")), 0);
	assert_int_equal(fs_rm_rf(at(0, "victim"), &err), 0);
	assert_string_equal(err.buf, "");
	assert_false(fs_exists(at(0, "victim")));
	assert_true(fs_exists(at(0, "outside/keep.txt")));

	/* a root that is itself a link loses the link, not the target */
	assert_int_equal(symlink(at(1, "outside"), at(0, "root-link")), 0);
	assert_int_equal(fs_rm_rf(at(0, "root-link"), &err), 0);
	assert_false(fs_exists(at(0, "root-link")));
	assert_true(fs_exists(at(0, "outside/keep.txt")));

	/* a missing path is already removed */
	assert_int_equal(fs_rm_rf(at(0, "never-there"), &err), 0);
	assert_string_equal(err.buf, "");
	strbuf_release(&err);
}

static void test_rm_rf_refuses(void **state)
{
	static const char *const refused[] = { "/", "//", "", ".", "..", "./", "a/..", "a/../",
					       "/tmp/." };
	struct strbuf err = STRBUF_INIT, want = STRBUF_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		strbuf_reset(&err);
		strbuf_reset(&want);
		assert_int_equal(fs_rm_rf(refused[i], &err), -1);
		strbuf_addf(&want, "refusing to remove '%s'", refused[i]);
		assert_string_equal(err.buf, want.buf);
	}
	assert_true(fs_is_dir("/tmp"));
	strbuf_release(&err);
	strbuf_release(&want);
}

/* Build a tree with read-only and unreadable directories, then remove it. */
static int fn_rm_read_only(void *data)
{
	const char *base = data;
	struct strbuf p = STRBUF_INIT, err = STRBUF_INIT;
	static const char *const dirs[] = { "ro", "ro/sub", "locked" };
	static const mode_t modes[] = { 0555, 0555, 0000 };
	int rc = 0;

	if (getuid() == 0 && setuid(65534) < 0)
		return 10;
	fs_path_join(&p, base, "rotree");
	if (mkdir(p.buf, 0755) < 0)
		return 11;
	for (size_t i = 0; i < 3; i++) {
		fs_path_join(&p, base, "rotree");
		strbuf_addf(&p, "/%s", dirs[i]);
		if (mkdir(p.buf, 0755) < 0)
			return 12;
		strbuf_addstr(&p, "/file");
		if (fs_write_file(p.buf, "x", 1, 0444, &err) < 0)
			return 13;
	}
	for (size_t i = 3; i-- > 0;) {
		fs_path_join(&p, base, "rotree");
		strbuf_addf(&p, "/%s", dirs[i]);
		if (chmod(p.buf, modes[i]) < 0)
			return 14;
	}
	fs_path_join(&p, base, "rotree");
	if (fs_rm_rf(p.buf, &err) < 0) {
		fprintf(stderr, "%s\n", err.buf);
		rc = 2;
	} else if (fs_exists(p.buf)) {
		rc = 3;
	}
	strbuf_release(&p);
	strbuf_release(&err);
	return rc;
}

static void test_rm_rf_read_only_dirs(void **state)
{
	struct proc p = PROC_INIT;
	struct strbuf err = STRBUF_INIT;

	(void)state;
	/* run unprivileged (root ignores permissions), in a child that can drop them */
	assert_int_equal(proc_start_fn(&p, fn_rm_read_only, scratch, &err), 0);
	assert_int_equal(proc_exit_code(proc_finish(&p)), 0);
	assert_false(fs_exists(at(0, "rotree")));
	proc_release(&p);
	strbuf_release(&err);
}

/* "rel type mode [link target | contents]" per entry, one line each. */
static int list_entry(const struct fs_entry *e, void *data)
{
	struct strbuf *out = data;
	char buf[256];
	ssize_t n;

	strbuf_addf(out, "%s %c %o", e->rel,
		    S_ISDIR(e->st.st_mode) ? 'd' : S_ISLNK(e->st.st_mode) ? 'l' : 'f',
		    (unsigned)(e->st.st_mode & 07777));
	if (S_ISLNK(e->st.st_mode)) {
		n = readlink(e->path, buf, sizeof(buf) - 1);
		strbuf_addf(out, " -> %.*s", (int)(n > 0 ? n : 0), buf);
		strbuf_rtrim(out);
		strbuf_addch(out, '\n');
		return 0;
	}
	if (S_ISREG(e->st.st_mode)) {
		strbuf_addch(out, ' ');
		strbuf_read_file(out, e->path, 0);
	}
	strbuf_addch(out, '\n');
	return 0;
}

static void list_tree(struct strbuf *out, const char *root)
{
	struct strbuf err = STRBUF_INIT;

	strbuf_reset(out);
	if (fs_walk(root, 0, list_entry, out, &err) < 0)
		fail_msg("%s", err.buf);
	strbuf_release(&err);
}

static int skip_git_and_tmp(const char *rel, const struct stat *st, void *data)
{
	size_t len = strlen(rel);

	(*(int *)data)++;
	if (S_ISDIR(st->st_mode) && !strcmp(rel, ".git"))
		return 0;
	return !(len > 4 && !strcmp(rel + len - 4, ".tmp"));
}

static void test_copy_tree(void **state)
{
	struct strbuf src = STRBUF_INIT, dst = STRBUF_INIT, err = STRBUF_INIT, want = STRBUF_INIT;
	struct timespec old[2] = { { 978307200, 0 }, { 978307200, 0 } };
	struct stat st;
	int calls = 0;

	(void)state;
	make_dir(at(0, "src"), 0755);
	put(at(0, "src/a.txt"), "alpha", 0644);
	assert_int_equal(utimensat(AT_FDCWD, at(0, "src/a.txt"), old, 0), 0);
	make_dir(at(0, "src/bin"), 0755);
	put(at(0, "src/bin/run.sh"), "#!/bin/sh\n", 0755);
	put(at(0, "src/secret"), "s", 0600);
	make_dir(at(0, "src/ro"), 0755);
	put(at(0, "src/ro/inner.txt"), "inner", 0444);
	assert_int_equal(chmod(at(0, "src/ro"), 0555), 0);
	assert_int_equal(symlink("a.txt", at(0, "src/link")), 0);
	assert_int_equal(symlink("/nonexistent/target", at(0, "src/dangling")), 0);
	make_dir(at(0, "src/.git"), 0755);
	put(at(0, "src/.git/HEAD"), "ref", 0644);
	put(at(0, "src/skip.tmp"), "tmp", 0644);
	assert_int_equal(mkfifo(at(0, "src/fifo"), 0644), 0);

	/* the destination exists: a.txt there is a link to a file that must survive */
	make_dir(at(0, "dst"), 0700);
	put(at(0, "precious"), "do not overwrite", 0644);
	assert_int_equal(symlink(at(1, "precious"), at(0, "dst/a.txt")), 0);
	put(at(0, "dst/extra"), "kept", 0644);

	assert_int_equal(fs_copy_tree(at(0, "dst"), at(1, "src"), skip_git_and_tmp, &calls, &err),
			 0);
	assert_string_equal(err.buf, "");
	assert_int_equal(calls, 11);    /* .git's contents were never offered */

	list_tree(&dst, at(0, "dst"));
	assert_string_equal(dst.buf,
			    "a.txt f 644 alpha\n"
			    "bin d 755\n"
			    "bin/run.sh f 755 #!/bin/sh\n\n"
			    "dangling l 777 -> /nonexistent/target\n"
			    "extra f 644 kept\n"
			    "link l 777 -> a.txt\n"
			    "ro d 555\n"
			    "ro/inner.txt f 444 inner\n"
			    "secret f 600 s\n");
	assert_int_equal(stat(at(0, "dst"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	assert_int_equal(stat(at(0, "dst/a.txt"), &st), 0);
	assert_int_equal(st.st_mtim.tv_sec, 978307200);
	assert_int_equal(fs_read_file(&want, at(0, "precious"), 0, &err), 0);
	assert_string_equal(want.buf, "do not overwrite");

	/* without a filter everything but the FIFO comes across, the same as the source */
	assert_int_equal(fs_copy_tree(at(0, "full"), at(1, "src"), NULL, NULL, &err), 0);
	list_tree(&src, at(0, "src"));
	list_tree(&dst, at(0, "full"));
	assert_non_null(strstr(src.buf, "fifo"));
	assert_null(strstr(dst.buf, "fifo"));
	assert_non_null(strstr(dst.buf, ".git/HEAD f 644 ref\n"));
	assert_int_equal(strlen(dst.buf), strlen(src.buf) - strlen("fifo f 644\n"));

	/* single files and links copy as themselves */
	assert_int_equal(fs_copy_tree(at(0, "one.txt"), at(1, "src/secret"), NULL, NULL, &err), 0);
	assert_int_equal(stat(at(0, "one.txt"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(fs_copy_tree(at(0, "one-link"), at(1, "src/link"), NULL, NULL, &err), 0);
	assert_int_equal(lstat(at(0, "one-link"), &st), 0);
	assert_true(S_ISLNK(st.st_mode));

	strbuf_reset(&want);
	strbuf_addf(&want, "cannot copy '%s': No such file or directory", at(0, "missing"));
	assert_int_equal(fs_copy_tree(at(0, "x"), at(1, "missing"), NULL, NULL, &err), -1);
	assert_string_equal(err.buf, want.buf);
	strbuf_release(&src);
	strbuf_release(&dst);
	strbuf_release(&err);
	strbuf_release(&want);
}

static int count_entries(const struct fs_entry *e, void *data)
{
	(void)e;
	(*(int *)data)++;
	return 0;
}

static void test_write_and_read_file(void **state)
{
	struct strbuf got = STRBUF_INIT, err = STRBUF_INIT, want = STRBUF_INIT;
	struct stat st;
	int old_fd, entries = 0;
	char old[8] = { 0 };

	(void)state;
	make_dir(at(0, "w"), 0755);
	assert_int_equal(fs_write_file(at(0, "w/state.json"), "{\"v\":1}", 7, 0640, &err), 0);
	assert_int_equal(stat(at(0, "w/state.json"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	old_fd = open(at(0, "w/state.json"), O_RDONLY);
	assert_true(old_fd >= 0);
	assert_int_equal(fs_write_file(at(0, "w/state.json"), "{\"v\":22}", 8, 0644, &err), 0);
	/* a reader of the old file still sees it whole: the new one replaced it */
	assert_int_equal(read(old_fd, old, sizeof(old) - 1), 7);
	assert_string_equal(old, "{\"v\":1}");
	close(old_fd);
	assert_int_equal(fs_read_file(&got, at(0, "w/state.json"), 8, &err), 0);
	assert_string_equal(got.buf, "{\"v\":22}");
	assert_int_equal(fs_write_file(at(0, "w/empty"), "", 0, 0600, &err), 0);
	assert_int_equal(fs_read_file(&got, at(0, "w/empty"), 0, &err), 0);
	assert_string_equal(got.buf, "");
	/* no temporary files are left behind */
	assert_int_equal(fs_walk(at(0, "w"), 0, count_entries, &entries, &err), 0);
	assert_int_equal(entries, 2);
	assert_string_equal(err.buf, "");

	strbuf_addstr(&got, "unchanged");
	assert_int_equal(fs_read_file(&got, at(0, "w/state.json"), 7, &err), -1);
	strbuf_addf(&want, "'%s' is larger than 7 bytes", at(0, "w/state.json"));
	assert_string_equal(err.buf, want.buf);
	assert_string_equal(got.buf, "unchanged");
	strbuf_reset(&err);
	strbuf_reset(&want);
	assert_int_equal(fs_read_file(&got, at(0, "w"), 0, &err), -1);
	strbuf_addf(&want, "cannot read '%s': Is a directory", at(0, "w"));
	assert_string_equal(err.buf, want.buf);
	strbuf_reset(&err);
	strbuf_reset(&want);
	assert_int_equal(fs_read_file(&got, at(0, "w/none"), 0, &err), -1);
	strbuf_addf(&want, "cannot read '%s': No such file or directory", at(0, "w/none"));
	assert_string_equal(err.buf, want.buf);
	strbuf_reset(&err);
	strbuf_reset(&want);
	assert_int_equal(fs_write_file(at(0, "no-dir/file"), "x", 1, 0644, &err), -1);
	strbuf_addf(&want, "cannot write '%s': No such file or directory", at(0, "no-dir/file"));
	assert_string_equal(err.buf, want.buf);
	strbuf_release(&got);
	strbuf_release(&err);
	strbuf_release(&want);
}

static void test_mkdtemp_and_predicates(void **state)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT, err = STRBUF_INIT;
	struct stat st;

	(void)state;
	assert_int_equal(fs_mkdtemp(&a, at(0, "tmp/base"), "job-", &err), 0);
	assert_int_equal(fs_mkdtemp(&b, at(0, "tmp/base"), "", &err), 0);
	assert_string_not_equal(a.buf, b.buf);
	assert_int_equal(strncmp(a.buf, at(0, "tmp/base/job-"), strlen(at(0, "tmp/base/job-"))), 0);
	assert_int_equal(strlen(a.buf), strlen(at(0, "tmp/base/job-")) + 6);
	assert_int_equal(strlen(b.buf), strlen(at(0, "tmp/base/")) + 6);
	assert_int_equal(stat(a.buf, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0700);

	put(at(0, "tmp/file"), "", 0644);
	assert_int_equal(fs_mkdtemp(&a, at(0, "tmp/file"), "x", &err), -1);
	assert_non_null(strstr(err.buf, "File exists"));

	assert_int_equal(symlink("/nonexistent", at(0, "tmp/dangling")), 0);
	assert_int_equal(symlink("base", at(0, "tmp/dirlink")), 0);
	assert_true(fs_exists(at(0, "tmp/dangling")));
	assert_false(fs_is_dir(at(0, "tmp/dangling")));
	assert_true(fs_is_dir(at(0, "tmp/dirlink")));
	assert_false(fs_is_dir(at(0, "tmp/file")));
	assert_false(fs_exists(at(0, "tmp/none")));
	strbuf_release(&a);
	strbuf_release(&b);
	strbuf_release(&err);
}

struct walk_log {
	struct strbuf seen;
	const char *skip, *stop;
};

static int log_entry(const struct fs_entry *e, void *data)
{
	struct walk_log *log = data;

	strbuf_addf(&log->seen, "%s:%d%s ", e->rel, e->depth,
		    S_ISLNK(e->st.st_mode) ? "@" : S_ISDIR(e->st.st_mode) ? "/" : "");
	assert_string_equal(e->name, strrchr(e->path, '/') + 1);
	if (log->stop && !strcmp(e->rel, log->stop))
		return -7;
	return log->skip && !strcmp(e->rel, log->skip) ? FS_WALK_SKIP : 0;
}

static void test_walk(void **state)
{
	struct walk_log log = { STRBUF_INIT, NULL, NULL };
	struct strbuf err = STRBUF_INIT, want = STRBUF_INIT;

	(void)state;
	make_dir(at(0, "walk"), 0755);
	make_dir(at(0, "walk/b"), 0755);
	put(at(0, "walk/a"), "", 0644);
	put(at(0, "walk/B"), "", 0644);
	make_dir(at(0, "walk/c"), 0755);
	put(at(0, "walk/c/z"), "", 0644);
	put(at(0, "walk/c/a"), "", 0644);
	assert_int_equal(symlink("c", at(0, "walk/l")), 0);
	assert_int_equal(symlink("..", at(0, "walk/c/up")), 0);
	assert_int_equal(symlink("nowhere", at(0, "walk/c/broken")), 0);

	assert_int_equal(fs_walk(at(0, "walk/"), 0, log_entry, &log, &err), 0);
	assert_string_equal(log.seen.buf, "B:1 a:1 b:1/ c:1/ c/a:2 c/broken:2@ c/up:2@ c/z:2 l:1@ ");

	strbuf_reset(&log.seen);
	log.skip = "c";
	assert_int_equal(fs_walk(at(0, "walk"), 0, log_entry, &log, &err), 0);
	assert_string_equal(log.seen.buf, "B:1 a:1 b:1/ c:1/ l:1@ ");

	strbuf_reset(&log.seen);
	log.skip = NULL;
	log.stop = "c/broken";
	assert_int_equal(fs_walk(at(0, "walk"), 0, log_entry, &log, &err), -7);
	assert_string_equal(log.seen.buf, "B:1 a:1 b:1/ c:1/ c/a:2 c/broken:2@ ");

	/* following links: l is walked as a directory; c/up and l/up lead back up (a loop) */
	strbuf_reset(&log.seen);
	log.stop = NULL;
	assert_int_equal(fs_walk(at(0, "walk"), FS_WALK_FOLLOW, log_entry, &log, &err), 0);
	assert_string_equal(log.seen.buf,
			    "B:1 a:1 b:1/ c:1/ c/a:2 c/broken:2@ c/up:2@ c/z:2 "
			    "l:1/ l/a:2 l/broken:2@ l/up:2@ l/z:2 ");
	assert_string_equal(err.buf, "");

	assert_int_equal(fs_walk(at(0, "walk/none"), 0, log_entry, &log, &err), -1);
	strbuf_addf(&want, "cannot read directory '%s': No such file or directory",
		    at(0, "walk/none"));
	assert_string_equal(err.buf, want.buf);
	strbuf_release(&log.seen);
	strbuf_release(&err);
	strbuf_release(&want);
}

struct env_case {
	const char *home, *xdg_cache, *xdg_state;
	const char *cache, *state;
};

static void set_or_unset(const char *name, const char *value)
{
	if (value)
		setenv(name, value, 1);
	else
		unsetenv(name);
}

static void test_home_cache_state_dirs(void **state)
{
	static const struct env_case cases[] = {
		{ "/home/x", NULL, NULL, "/home/x/.cache/slipway", "/home/x/.local/state/slipway" },
		{ "/home/x/", "/xdg/c/", "/xdg/s", "/xdg/c/slipway", "/xdg/s/slipway" },
		{ "/home/x", "relative", "", "/home/x/.cache/slipway", "/home/x/.local/state/slipway" },
	};
	char *saved[3];
	const char *names[3] = { "HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME" };
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;

	(void)state;
	for (int i = 0; i < 3; i++)
		saved[i] = getenv(names[i]) ? strdup(getenv(names[i])) : NULL;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		set_or_unset("HOME", cases[i].home);
		set_or_unset("XDG_CACHE_HOME", cases[i].xdg_cache);
		set_or_unset("XDG_STATE_HOME", cases[i].xdg_state);
		assert_int_equal(fs_cache_dir(&out, &err), 0);
		assert_string_equal(out.buf, cases[i].cache);
		assert_int_equal(fs_state_dir(&out, &err), 0);
		assert_string_equal(out.buf, cases[i].state);
	}
	/* without HOME the password database answers */
	unsetenv("HOME");
	assert_int_equal(fs_home_dir(&out, &err), 0);
	assert_true(out.buf[0] == '/');
	setenv("HOME", "not/absolute", 1);
	assert_int_equal(fs_home_dir(&out, &err), 0);
	assert_true(out.buf[0] == '/');
	assert_string_equal(err.buf, "");
	for (int i = 0; i < 3; i++) {
		set_or_unset(names[i], saved[i]);
		free(saved[i]);
	}
	strbuf_release(&out);
	strbuf_release(&err);
}

static void test_find_upwards(void **state)
{
	struct strbuf out = STRBUF_INIT;

	(void)state;
	make_dir(at(0, "repo"), 0755);
	make_dir(at(0, "repo/.git"), 0755);
	make_dir(at(0, "repo/a"), 0755);
	make_dir(at(0, "repo/a/b"), 0755);
	put(at(0, "repo/a/marker"), "", 0644);
	assert_int_equal(symlink(at(1, "repo/a/b"), at(0, "shortcut")), 0);

	assert_int_equal(fs_find_upwards(&out, at(0, "repo/a/b"), ".git"), 0);
	assert_string_equal(out.buf, at(0, "repo"));
	assert_int_equal(fs_find_upwards(&out, at(0, "repo/a/b/"), "marker"), 0);
	assert_string_equal(out.buf, at(0, "repo/a"));
	assert_int_equal(fs_find_upwards(&out, at(0, "repo"), ".git"), 0);
	assert_string_equal(out.buf, at(0, "repo"));
	/* through a symlink the real ancestors count */
	assert_int_equal(fs_find_upwards(&out, at(0, "shortcut"), ".git"), 0);
	assert_string_equal(out.buf, at(0, "repo"));

	strbuf_reset(&out);
	strbuf_addstr(&out, "untouched");
	assert_int_equal(fs_find_upwards(&out, at(0, "repo/a/b"), "slipway-no-such-entry"), -1);
	assert_int_equal(fs_find_upwards(&out, at(0, "missing"), ".git"), -1);
	assert_string_equal(out.buf, "untouched");
	assert_int_equal(fs_find_upwards(&out, "/", "tmp"), 0);
	assert_string_equal(out.buf, "/");
	strbuf_release(&out);
}

static void test_no_descriptor_leaks(void **state)
{
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
	int before = test_count_fds(), n = 0;

	(void)state;
	for (int i = 0; i < 10; i++) {
		assert_int_equal(fs_mkdir_p(at(0, "leak/a/b"), 0755, &err), 0);
		put(at(0, "leak/a/f"), "x", 0644);
		assert_int_equal(fs_copy_tree(at(0, "leak2"), at(1, "leak"), NULL, NULL, &err), 0);
		assert_int_equal(fs_walk(at(0, "leak2"), 0, count_entries, &n, &err), 0);
		assert_int_equal(fs_walk(at(0, "leak2/none"), 0, count_entries, &n, &err), -1);
		assert_int_equal(fs_copy_tree(at(0, "leak3"), at(1, "none"), NULL, NULL, &err), -1);
		assert_int_equal(fs_read_file(&out, at(0, "leak/a/f"), 0, &err), 0);
		assert_int_equal(fs_read_file(&out, at(0, "leak/a"), 0, &err), -1);
		assert_int_equal(fs_write_file(at(0, "leak/w"), "x", 1, 0644, &err), 0);
		assert_int_equal(fs_write_file(at(0, "none/w"), "x", 1, 0644, &err), -1);
		assert_int_equal(fs_find_upwards(&out, at(0, "leak/a/b"), "f"), 0);
		assert_int_equal(fs_find_upwards(&out, at(0, "leak/a/b"), "slipway-none"), -1);
		assert_int_equal(fs_rm_rf(at(0, "leak"), &err), 0);
		assert_int_equal(fs_rm_rf(at(0, "leak2"), &err), 0);
	}
	assert_int_equal(n, 30);
	assert_int_equal(test_count_fds(), before);
	strbuf_release(&err);
	strbuf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_all),
		cmocka_unit_test(test_path_join),
		cmocka_unit_test(test_mkdir_p),
		cmocka_unit_test(test_deep_tree_beyond_path_max),
		cmocka_unit_test(test_rm_rf_wide_and_deep_with_files),
		cmocka_unit_test(test_rm_rf_never_follows_symlinks),
		cmocka_unit_test(test_rm_rf_refuses),
		cmocka_unit_test(test_rm_rf_read_only_dirs),
		cmocka_unit_test(test_copy_tree),
		cmocka_unit_test(test_write_and_read_file),
		cmocka_unit_test(test_mkdtemp_and_predicates),
		cmocka_unit_test(test_walk),
		cmocka_unit_test(test_home_cache_state_dirs),
		cmocka_unit_test(test_find_upwards),
		cmocka_unit_test(test_no_descriptor_leaks),
	};
	return cmocka_run_group_tests(tests, setup_scratch, teardown_scratch);
}
