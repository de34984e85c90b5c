/*
 * Unit tests for util/tarball: round trips in every format, chosen paths,
 * prefixes, pulled reads of any size, and the extraction checks against
 * hand-made hostile archives (built here byte by byte, not with libarchive).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/strbuf.h"
#include "util/strlist.h"
#include "util/tarball.h"

struct fixture {
	char top[64];
	struct strbuf src, dst, tmp;
};

static void put_file(const char *dir, const char *name, const void *data, size_t len, int mode)
{
	struct strbuf p = STRBUF_INIT;
	int fd;

	strbuf_addf(&p, "%s/%s", dir, name);
	fd = open(p.buf, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
	assert_int_equal(chmod(p.buf, (mode_t)mode), 0);
	strbuf_release(&p);
}

static void make_dir(const char *dir, const char *name, int mode)
{
	struct strbuf p = STRBUF_INIT;

	strbuf_addf(&p, "%s/%s", dir, name);
	assert_int_equal(mkdir(p.buf, (mode_t)mode), 0);
	assert_int_equal(chmod(p.buf, (mode_t)mode), 0);
	strbuf_release(&p);
}

static void make_link(const char *dir, const char *name, const char *target)
{
	struct strbuf p = STRBUF_INIT;

	strbuf_addf(&p, "%s/%s", dir, name);
	assert_int_equal(symlink(target, p.buf), 0);
	strbuf_release(&p);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char *big = malloc(1 << 20);
	uint32_t x = 12345;
	struct strbuf p = STRBUF_INIT;
	struct timespec times[2] = { { 1000000000, 0 }, { 1000000000, 0 } };

	snprintf(f->top, sizeof(f->top), "%s/tarball-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(f->top));
	strbuf_init(&f->src, 0);
	strbuf_init(&f->dst, 0);
	strbuf_init(&f->tmp, 0);
	strbuf_addf(&f->src, "%s/src", f->top);
	strbuf_addf(&f->dst, "%s/dst", f->top);
	assert_int_equal(mkdir(f->src.buf, 0755), 0);
	for (size_t i = 0; i < (1 << 20); i++) {
		x = x * 1103515245 + 12345;
		big[i] = (char)(x >> 16);
	}
	put_file(f->src.buf, "a.txt", "hello\n", 6, 0644);
	put_file(f->src.buf, "secret", "s3cr3t", 6, 0600);
	put_file(f->src.buf, "empty", "", 0, 0444);
	put_file(f->src.buf, "big.bin", big, (1 << 20) - 77, 0640);
	make_dir(f->src.buf, "bin", 0750);
	put_file(f->src.buf, "bin/run.sh", "#!/bin/sh\necho hi\n", 18, 0755);
	make_dir(f->src.buf, "sub", 0755);
	make_dir(f->src.buf, "sub/dir", 0700);
	put_file(f->src.buf, "sub/dir/deep.txt", "deep", 4, 0644);
	make_dir(f->src.buf, "emptydir", 0755);
	make_link(f->src.buf, "link", "a.txt");
	make_link(f->src.buf, "dangling", "/nonexistent/target");
	strbuf_addf(&p, "%s/fifo", f->src.buf);
	assert_int_equal(mkfifo(p.buf, 0644), 0);
	strbuf_reset(&p);
	strbuf_addf(&p, "%s/a.txt", f->src.buf);
	assert_int_equal(utimensat(AT_FDCWD, p.buf, times, 0), 0);
	strbuf_release(&p);
	free(big);
	*state = f;
	return 0;
}

static void remove_tree(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *de;

	if (lstat(path, &st) < 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		unlink(path);
		return;
	}
	chmod(path, 0700);
	d = opendir(path);
	while (d && (de = readdir(d))) {
		struct strbuf p = STRBUF_INIT;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		strbuf_addf(&p, "%s/%s", path, de->d_name);
		remove_tree(p.buf);
		strbuf_release(&p);
	}
	if (d)
		closedir(d);
	rmdir(path);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	remove_tree(f->top);
	strbuf_release(&f->src);
	strbuf_release(&f->dst);
	strbuf_release(&f->tmp);
	free(f);
	return 0;
}

/* A fresh, empty destination directory for each test. */
static const char *fresh_dst(struct fixture *f)
{
	remove_tree(f->dst.buf);
	assert_int_equal(mkdir(f->dst.buf, 0755), 0);
	return f->dst.buf;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One line per entry below dir: "name type mode size-or-target content-sum". */
static void list_tree(struct strbuf *out, const char *dir, const char *rel)
{
	struct strlist names = STRLIST_INIT;
	struct strbuf p = STRBUF_INIT;
	struct dirent *de;
	DIR *d;

	strbuf_addf(&p, "%s%s%s", dir, *rel ? "/" : "", rel);
	d = opendir(p.buf);
	assert_non_null(d);
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			strlist_push(&names, de->d_name);
	closedir(d);
	if (names.nr)
		qsort(names.items, names.nr, sizeof(*names.items), cmp_str);
	for (size_t i = 0; i < names.nr; i++) {
		struct strbuf q = STRBUF_INIT, name = STRBUF_INIT, data = STRBUF_INIT;
		struct stat st;
		char target[256];
		unsigned long sum = 0;

		strbuf_addf(&name, "%s%s%s", rel, *rel ? "/" : "", names.items[i]);
		strbuf_addf(&q, "%s/%s", dir, name.buf);
		assert_int_equal(lstat(q.buf, &st), 0);
		if (S_ISFIFO(st.st_mode)) {
			strbuf_addf(out, "%s fifo\n", name.buf);
		} else if (S_ISLNK(st.st_mode)) {
			ssize_t n = readlink(q.buf, target, sizeof(target) - 1);

			assert_true(n > 0);
			target[n] = '\0';
			strbuf_addf(out, "%s link -> %s\n", name.buf, target);
		} else if (S_ISDIR(st.st_mode)) {
			strbuf_addf(out, "%s dir %o\n", name.buf, (unsigned)(st.st_mode & 07777));
			list_tree(out, dir, name.buf);
		} else {
			assert_int_equal(strbuf_read_file(&data, q.buf, 0), 0);
			strbuf_addf(out, "%s file %o ", name.buf, (unsigned)(st.st_mode & 07777));
			if (data.len <= 64) {
				for (size_t j = 0; j < data.len; j++)
					strbuf_addstr(out, data.buf[j] == '\n' ? "\\n" :
						      (char[]){ data.buf[j], 0 });
			} else {
				for (size_t j = 0; j < data.len; j++)
					sum = sum * 31 + (unsigned char)data.buf[j];
				strbuf_addf(out, "%zu bytes, sum %lx", data.len, sum);
			}
			strbuf_addch(out, '\n');
		}
		strbuf_release(&q);
		strbuf_release(&name);
		strbuf_release(&data);
	}
	strlist_release(&names);
	strbuf_release(&p);
}

static int to_strbuf(void *data, const void *buf, size_t len)
{
	strbuf_add(data, buf, len);
	return 0;
}

/* The source tree as listed, minus the fifo an archive leaves out. */
static void expected_listing(struct fixture *f, struct strbuf *out)
{
	struct strbuf all = STRBUF_INIT;
	const char *line = NULL;

	list_tree(&all, f->src.buf, "");
	line = all.buf;
	while (*line) {
		const char *nl = strchr(line, '\n');

		if (strncmp(line, "fifo fifo", 9))
			strbuf_add(out, line, (size_t)(nl - line + 1));
		line = nl + 1;
	}
	strbuf_release(&all);
}

static void round_trip(struct fixture *f, enum tarball_format format, const unsigned char *magic,
		       size_t magic_len, size_t magic_at)
{
	struct tarball_opts opts = { format, NULL, 0 };
	struct strbuf tar = STRBUF_INIT, err = STRBUF_INIT, want = STRBUF_INIT, got = STRBUF_INIT;
	const char *dst = fresh_dst(f);
	struct stat st;

	int ret = tarball_create(f->src.buf, NULL, &opts, to_strbuf, &tar, &err);

	assert_string_equal(err.buf, "");
	assert_int_equal(ret, 0);
	assert_true(tar.len > magic_at + magic_len);
	assert_memory_equal(tar.buf + magic_at, magic, magic_len);
	ret = tarball_extract_buffer(dst, tar.buf, tar.len, &err);
	assert_string_equal(err.buf, "");
	assert_int_equal(ret, 0);
	expected_listing(f, &want);
	list_tree(&got, dst, "");
	assert_string_equal(got.buf, want.buf);
	strbuf_addf(&f->tmp, "%s/a.txt", dst);
	assert_int_equal(stat(f->tmp.buf, &st), 0);
	assert_int_equal(st.st_mtime, 1000000000);
	strbuf_reset(&f->tmp);
	strbuf_release(&tar);
	strbuf_release(&err);
	strbuf_release(&want);
	strbuf_release(&got);
}

static void test_round_trip_tar(void **state)
{
	round_trip(*state, TARBALL_TAR, (const unsigned char *)"ustar", 5, 257);
}

static void test_round_trip_gzip(void **state)
{
	static const unsigned char gz[] = { 0x1f, 0x8b };

	round_trip(*state, TARBALL_TAR_GZIP, gz, sizeof(gz), 0);
}

static void test_round_trip_zstd(void **state)
{
	static const unsigned char zst[] = { 0x28, 0xb5, 0x2f, 0xfd };

	round_trip(*state, TARBALL_TAR_ZSTD, zst, sizeof(zst), 0);
}

/* Reads of any size (even one byte) yield the same stream as big ones. */
static void test_source_small_reads(void **state)
{
	struct fixture *f = *state;
	struct tarball_opts opts = { TARBALL_TAR_ZSTD, NULL, 0 };
	struct strbuf whole = STRBUF_INIT, pieces = STRBUF_INIT, err = STRBUF_INIT;
	struct tarball_source *s;
	char buf[7];
	ssize_t n;
	size_t i = 0;

	assert_int_equal(tarball_create(f->src.buf, NULL, &opts, to_strbuf, &whole, &err), 0);
	s = tarball_source_new(f->src.buf, NULL, &opts, &err);
	assert_non_null(s);
	while ((n = tarball_source_read(s, buf, (i++ % sizeof(buf)) + 1)) > 0)
		strbuf_add(&pieces, buf, (size_t)n);
	assert_int_equal(n, 0);
	assert_int_equal(tarball_source_read(s, buf, sizeof(buf)), 0);
	assert_int_equal(pieces.len, whole.len);
	assert_memory_equal(pieces.buf, whole.buf, whole.len);
	tarball_source_free(s);
	strbuf_release(&whole);
	strbuf_release(&pieces);
	strbuf_release(&err);
}

static void test_chosen_paths_and_prefix(void **state)
{
	struct fixture *f = *state;
	struct tarball_opts opts = { TARBALL_TAR, "workspace/", 1 };
	struct strlist paths = STRLIST_INIT;
	struct strbuf tar = STRBUF_INIT, err = STRBUF_INIT, got = STRBUF_INIT;
	const char *dst = fresh_dst(f);

	strlist_push(&paths, "bin");
	strlist_push(&paths, "./sub/dir/");
	strlist_push(&paths, "a.txt");
	strlist_push(&paths, "bin/run.sh");
	assert_int_equal(tarball_create(f->src.buf, &paths, &opts, to_strbuf, &tar, &err), 0);
	assert_int_equal(tarball_extract_buffer(dst, tar.buf, tar.len, &err), 0);
	list_tree(&got, dst, "");
	assert_string_equal(got.buf,
		"workspace dir 755\n"
		"workspace/a.txt file 644 hello\\n\n"
		"workspace/bin dir 750\n"
		"workspace/bin/run.sh file 755 #!/bin/sh\\necho hi\\n\n"
		"workspace/sub dir 755\n"
		"workspace/sub/dir dir 700\n"
		"workspace/sub/dir/deep.txt file 644 deep\n");
	strlist_release(&paths);
	strbuf_release(&tar);
	strbuf_release(&err);
	strbuf_release(&got);
}

/* Every header's "name uid gid" (ustar fields, octal), one per line. */
static void tar_owners(struct strbuf *out, const struct strbuf *tar)
{
	for (size_t off = 0; off + 512 <= tar->len;) {
		const char *h = tar->buf + off;
		unsigned long size = strtoul(h + 124, NULL, 8);

		if (!h[0])
			break;
		strbuf_addf(out, "%.100s %lo %lo\n", h, strtoul(h + 108, NULL, 8),
			    strtoul(h + 116, NULL, 8));
		off += 512 + (size + 511) / 512 * 512;
	}
}

static void test_owner(void **state)
{
	struct fixture *f = *state;
	struct tarball_opts opts = { TARBALL_TAR, "ws", 1, 1, 1001, 1002 };
	struct strlist paths = STRLIST_INIT;
	struct strbuf tar = STRBUF_INIT, err = STRBUF_INIT, got = STRBUF_INIT;

	strlist_push(&paths, "a.txt");
	assert_int_equal(tarball_create(f->src.buf, &paths, &opts, to_strbuf, &tar, &err), 0);
	tar_owners(&got, &tar);
	assert_string_equal(got.buf, "ws/ 1751 1752\nws/a.txt 1751 1752\n");
	opts.set_owner = 0;
	strbuf_reset(&tar);
	strbuf_reset(&got);
	assert_int_equal(tarball_create(f->src.buf, &paths, &opts, to_strbuf, &tar, &err), 0);
	tar_owners(&got, &tar);
	assert_string_equal(got.buf, "ws/ 0 0\nws/a.txt 0 0\n");
	strlist_release(&paths);
	strbuf_release(&tar);
	strbuf_release(&err);
	strbuf_release(&got);
}

static void test_file_round_trip(void **state)
{
	struct fixture *f = *state;
	struct tarball_opts opts = { TARBALL_TAR_GZIP, NULL, 0 };
	struct strbuf file = STRBUF_INIT, err = STRBUF_INIT, want = STRBUF_INIT, got = STRBUF_INIT;
	const char *dst = fresh_dst(f);

	strbuf_addf(&file, "%s/out.tar.gz", f->top);
	assert_int_equal(tarball_create_file(file.buf, f->src.buf, NULL, &opts, &err), 0);
	assert_int_equal(tarball_extract_file(dst, file.buf, &err), 0);
	assert_string_equal(err.buf, "");
	expected_listing(f, &want);
	list_tree(&got, dst, "");
	assert_string_equal(got.buf, want.buf);
	unlink(file.buf);
	strbuf_release(&file);
	strbuf_release(&err);
	strbuf_release(&want);
	strbuf_release(&got);
}

static void expect_create_error(struct fixture *f, const char *path, const char *message)
{
	struct strlist paths = STRLIST_INIT;
	struct strbuf tar = STRBUF_INIT, err = STRBUF_INIT;

	strlist_push(&paths, path);
	assert_int_equal(tarball_create(f->src.buf, &paths, NULL, to_strbuf, &tar, &err), -1);
	assert_string_equal(err.buf, message);
	assert_int_equal(tar.len, 0);
	strlist_release(&paths);
	strbuf_release(&tar);
	strbuf_release(&err);
}

static void test_create_refuses_bad_paths(void **state)
{
	struct fixture *f = *state;

	expect_create_error(f, "../etc", "cannot archive '../etc': the path leaves the target directory");
	expect_create_error(f, "sub/../../x", "cannot archive 'sub/../../x': the path leaves the target directory");
	expect_create_error(f, "/etc/passwd", "cannot archive '/etc/passwd': the path has an absolute path");
	expect_create_error(f, "nope", "cannot archive 'nope': No such file or directory");
}

static int fail_write(void *data, const void *buf, size_t len)
{
	(void)data;
	(void)buf;
	(void)len;
	return -1;
}

static void test_create_errors(void **state)
{
	struct fixture *f = *state;
	struct strbuf err = STRBUF_INIT, want = STRBUF_INIT, bad = STRBUF_INIT;

	strbuf_addf(&bad, "%s/a.txt", f->src.buf);
	assert_int_equal(tarball_create(bad.buf, NULL, NULL, to_strbuf, &err, &err), -1);
	strbuf_addf(&want, "cannot archive '%s': not a directory", bad.buf);
	assert_string_equal(err.buf, want.buf);
	strbuf_reset(&err);
	strbuf_reset(&want);
	assert_int_equal(tarball_create(f->src.buf, NULL, NULL, fail_write, NULL, &err), -1);
	strbuf_addf(&want, "cannot archive '%s': the archive could not be written", f->src.buf);
	assert_string_equal(err.buf, want.buf);
	strbuf_reset(&err);
	strbuf_reset(&want);
	strbuf_addf(&bad, ".d/x.tar");
	assert_int_equal(tarball_create_file(bad.buf, f->src.buf, NULL, NULL, &err), -1);
	strbuf_addf(&want, "cannot create '%s': No such file or directory", bad.buf);
	assert_string_equal(err.buf, want.buf);
	strbuf_release(&err);
	strbuf_release(&want);
	strbuf_release(&bad);
}

/* A ustar header and its data, by hand. */
static void ustar_add(struct strbuf *tar, const char *name, char type, const char *link,
		      const char *data, int mode)
{
	char h[512];
	size_t len = data ? strlen(data) : 0;
	unsigned sum = 0;

	memset(h, 0, sizeof(h));
	snprintf(h, 100, "%s", name);
	snprintf(h + 100, 8, "%07o", mode);
	snprintf(h + 108, 8, "%07o", 0);
	snprintf(h + 116, 8, "%07o", 0);
	snprintf(h + 124, 12, "%011o", (unsigned)(len & 07777777));
	snprintf(h + 136, 12, "%011o", 0);
	memset(h + 148, ' ', 8);
	h[156] = type;
	if (link)
		snprintf(h + 157, 100, "%s", link);
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	for (size_t i = 0; i < sizeof(h); i++)
		sum += (unsigned char)h[i];
	snprintf(h + 148, 7, "%06o", sum);
	h[155] = ' ';
	strbuf_add(tar, h, sizeof(h));
	if (len) {
		strbuf_add(tar, data, len);
		strbuf_addchars(tar, 0, (512 - len % 512) % 512);
	}
}

static void ustar_end(struct strbuf *tar)
{
	strbuf_addchars(tar, 0, 1024);
}

static int exists(const char *dir, const char *name)
{
	struct strbuf p = STRBUF_INIT;
	struct stat st;
	int ret;

	strbuf_addf(&p, "%s/%s", dir, name);
	ret = lstat(p.buf, &st) == 0;
	strbuf_release(&p);
	return ret;
}

static void expect_refused(struct fixture *f, const struct strbuf *tar, const char *message)
{
	struct strbuf err = STRBUF_INIT;
	const char *dst = fresh_dst(f);

	assert_int_equal(tarball_extract_buffer(dst, tar->buf, tar->len, &err), -1);
	assert_string_equal(err.buf, message);
	assert_false(exists(f->top, "evil"));
	assert_false(exists(f->top, "outside"));
	strbuf_release(&err);
}

static void test_extract_refuses_escapes(void **state)
{
	struct fixture *f = *state;
	struct strbuf tar = STRBUF_INIT;

	ustar_add(&tar, "ok.txt", '0', NULL, "fine", 0644);
	ustar_add(&tar, "../evil", '0', NULL, "gotcha", 0644);
	ustar_end(&tar);
	expect_refused(f, &tar, "archive entry '../evil' leaves the target directory");
	assert_true(exists(f->dst.buf, "ok.txt"));

	strbuf_reset(&tar);
	ustar_add(&tar, "a/b/../../../evil", '0', NULL, "gotcha", 0644);
	ustar_end(&tar);
	expect_refused(f, &tar, "archive entry 'a/b/../../../evil' leaves the target directory");

	strbuf_reset(&tar);
	ustar_add(&tar, "/tmp/evil", '0', NULL, "gotcha", 0644);
	ustar_end(&tar);
	expect_refused(f, &tar, "archive entry '/tmp/evil' has an absolute path");

	strbuf_reset(&tar);
	ustar_add(&tar, "hard", '1', "../outside", NULL, 0644);
	ustar_end(&tar);
	expect_refused(f, &tar, "archive entry 'hard' links to '../outside' outside the target directory");

	strbuf_reset(&tar);
	ustar_add(&tar, "null", '3', NULL, NULL, 0666);
	ustar_end(&tar);
	expect_refused(f, &tar, "archive entry 'null' is a device, fifo or socket");
	strbuf_release(&tar);
}

/* A symlink stays a symlink, but nothing is written through it. */
static void test_extract_refuses_symlink_traversal(void **state)
{
	struct fixture *f = *state;
	struct strbuf tar = STRBUF_INIT, err = STRBUF_INIT, link = STRBUF_INIT, target = STRBUF_INIT;
	const char *dst = fresh_dst(f);
	char buf[256];
	ssize_t n;

	strbuf_addf(&target, "%s", f->top);
	ustar_add(&tar, "l", '2', target.buf, NULL, 0777);
	ustar_add(&tar, "l/evil", '0', NULL, "gotcha", 0644);
	ustar_end(&tar);
	assert_int_equal(tarball_extract_buffer(dst, tar.buf, tar.len, &err), -1);
	assert_non_null(strstr(err.buf, "cannot extract 'l/evil': "));
	assert_false(exists(f->top, "evil"));
	strbuf_addf(&link, "%s/l", dst);
	n = readlink(link.buf, buf, sizeof(buf) - 1);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, target.buf);
	strbuf_release(&tar);
	strbuf_release(&err);
	strbuf_release(&link);
	strbuf_release(&target);
}

/* An existing symlink in the target is replaced, not followed. */
static void test_extract_replaces_existing_symlink(void **state)
{
	struct fixture *f = *state;
	struct strbuf tar = STRBUF_INIT, err = STRBUF_INIT, out = STRBUF_INIT, p = STRBUF_INIT;
	const char *dst = fresh_dst(f);
	struct stat st;

	strbuf_addf(&out, "%s/outside", f->top);
	put_file(f->top, "outside", "original", 8, 0644);
	strbuf_addf(&p, "%s/x", dst);
	assert_int_equal(symlink(out.buf, p.buf), 0);
	ustar_add(&tar, "x", '0', NULL, "replaced", 0644);
	ustar_end(&tar);
	assert_int_equal(tarball_extract_buffer(dst, tar.buf, tar.len, &err), 0);
	assert_int_equal(lstat(p.buf, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	strbuf_reset(&p);
	assert_int_equal(strbuf_read_file(&p, out.buf, 0), 0);
	assert_string_equal(p.buf, "original");
	unlink(out.buf);
	strbuf_release(&tar);
	strbuf_release(&err);
	strbuf_release(&out);
	strbuf_release(&p);
}

static void test_extract_bad_input(void **state)
{
	struct fixture *f = *state;
	struct strbuf tar = STRBUF_INIT, err = STRBUF_INIT, want = STRBUF_INIT, dir = STRBUF_INIT;
	const char *dst = fresh_dst(f);

	assert_int_equal(tarball_extract_buffer(dst, "this is not an archive at all", 29, &err), -1);
	assert_string_equal(err.buf, "cannot read the archive: Unrecognized archive format");
	strbuf_reset(&err);
	ustar_add(&tar, "cut.txt", '0', NULL, "0123456789", 0644);
	strbuf_setlen(&tar, 512 + 4);
	assert_int_equal(tarball_extract_buffer(dst, tar.buf, tar.len, &err), -1);
	assert_non_null(strstr(err.buf, "cannot extract 'cut.txt': "));
	strbuf_reset(&err);
	strbuf_addf(&dir, "%s/missing", f->top);
	assert_int_equal(tarball_extract_buffer(dir.buf, tar.buf, tar.len, &err), -1);
	strbuf_addf(&want, "cannot extract into '%s': No such file or directory", dir.buf);
	assert_string_equal(err.buf, want.buf);
	strbuf_reset(&err);
	strbuf_reset(&want);
	strbuf_addstr(&dir, ".tar");
	assert_int_equal(tarball_extract_file(dst, dir.buf, &err), -1);
	strbuf_addf(&want, "cannot read '%s': Failed to open '%s'", dir.buf, dir.buf);
	assert_string_equal(err.buf, want.buf);
	strbuf_reset(&err);
	assert_int_equal(tarball_extract_buffer(dst, "", 0, &err), 0);
	strbuf_release(&tar);
	strbuf_release(&err);
	strbuf_release(&want);
	strbuf_release(&dir);
}

struct chunks {
	const char *buf;
	size_t len, pos;
	int fail_at;
};

static ssize_t read_chunks(void *data, void *buf, size_t len)
{
	struct chunks *c = data;
	size_t n = c->len - c->pos < 1000 ? c->len - c->pos : 1000;

	if (c->fail_at && c->pos >= (size_t)c->fail_at)
		return -1;
	(void)len;
	memcpy(buf, c->buf + c->pos, n);
	c->pos += n;
	return (ssize_t)n;
}

/* Extraction from a read callback, and a callback that fails midway. */
static void test_extract_from_reader(void **state)
{
	struct fixture *f = *state;
	struct tarball_opts opts = { TARBALL_TAR_GZIP, NULL, 0 };
	struct strbuf tar = STRBUF_INIT, err = STRBUF_INIT, want = STRBUF_INIT, got = STRBUF_INIT;
	struct chunks c = { NULL, 0, 0, 0 };
	const char *dst = fresh_dst(f);

	assert_int_equal(tarball_create(f->src.buf, NULL, &opts, to_strbuf, &tar, &err), 0);
	c.buf = tar.buf;
	c.len = tar.len;
	assert_int_equal(tarball_extract(dst, read_chunks, &c, &err), 0);
	expected_listing(f, &want);
	list_tree(&got, dst, "");
	assert_string_equal(got.buf, want.buf);
	c.pos = 0;
	c.fail_at = 5000;
	dst = fresh_dst(f);
	assert_int_equal(tarball_extract(dst, read_chunks, &c, &err), -1);
	assert_string_equal(err.buf, "cannot read the archive: its source failed");
	strbuf_release(&tar);
	strbuf_release(&err);
	strbuf_release(&want);
	strbuf_release(&got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_tar),
		cmocka_unit_test(test_round_trip_gzip),
		cmocka_unit_test(test_round_trip_zstd),
		cmocka_unit_test(test_source_small_reads),
		cmocka_unit_test(test_chosen_paths_and_prefix),
		cmocka_unit_test(test_owner),
		cmocka_unit_test(test_file_round_trip),
		cmocka_unit_test(test_create_refuses_bad_paths),
		cmocka_unit_test(test_create_errors),
		cmocka_unit_test(test_extract_refuses_escapes),
		cmocka_unit_test(test_extract_refuses_symlink_traversal),
		cmocka_unit_test(test_extract_replaces_existing_symlink),
		cmocka_unit_test(test_extract_bad_input),
		cmocka_unit_test(test_extract_from_reader),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
