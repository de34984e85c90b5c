/*
 * tarball: the one place that speaks to libarchive. Creates tar streams
 * from a directory tree (pulled chunk by chunk, see tarball_source) and
 * extracts them with the path checks that keep an archive inside its
 * target directory. It does not decide which files belong in an archive.
 */
#include "util/tarball.h"
#include "util/dynlib.h"
#include "util/xalloc.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TARBALL_CHUNK (64 * 1024)

/*
 * libarchive is opened when the first archive is made or read, not when
 * slipway starts: loading it (with the libxml2 and ICU it brings) costs
 * every process about 2.5 MB of memory, and most never touch an archive.
 * Every function this file calls goes through ar.
 */
#define TARBALL_LIBARCHIVE "libarchive.so.13"
#define TARBALL_FUNCS(X) \
	X(archive_entry_copy_hardlink) \
	X(archive_entry_copy_pathname) \
	X(archive_entry_copy_stat) \
	X(archive_entry_filetype) \
	X(archive_entry_free) \
	X(archive_entry_hardlink) \
	X(archive_entry_new) \
	X(archive_entry_pathname) \
	X(archive_entry_set_gid) \
	X(archive_entry_set_nlink) \
	X(archive_entry_set_pathname) \
	X(archive_entry_set_size) \
	X(archive_entry_set_symlink) \
	X(archive_entry_set_uid) \
	X(archive_error_string) \
	X(archive_read_data_block) \
	X(archive_read_free) \
	X(archive_read_new) \
	X(archive_read_next_header) \
	X(archive_read_open) \
	X(archive_read_open_filename) \
	X(archive_read_open_memory) \
	X(archive_read_support_filter_all) \
	X(archive_read_support_format_empty) \
	X(archive_read_support_format_tar) \
	X(archive_set_error) \
	X(archive_write_add_filter_gzip) \
	X(archive_write_add_filter_none) \
	X(archive_write_add_filter_zstd) \
	X(archive_write_close) \
	X(archive_write_data) \
	X(archive_write_data_block) \
	X(archive_write_disk_new) \
	X(archive_write_disk_set_options) \
	X(archive_write_finish_entry) \
	X(archive_write_free) \
	X(archive_write_header) \
	X(archive_write_new) \
	X(archive_write_open) \
	X(archive_write_set_bytes_in_last_block) \
	X(archive_write_set_format_pax_restricted)

static struct {
#define TARBALL_DECLARE(name) __typeof__(name) *name;
	TARBALL_FUNCS(TARBALL_DECLARE)
#undef TARBALL_DECLARE
} ar;

#define TARBALL_SYM(name) { #name, (void **)&ar.name },
static const struct dynlib_sym tarball_syms[] = {
	TARBALL_FUNCS(TARBALL_SYM)
	{ NULL, NULL },
};
#undef TARBALL_SYM

static struct dynlib tarball_lib = {
	TARBALL_LIBARCHIVE, "libarchive", "libarchive13", tarball_syms, 0, "",
};

enum tarball_state {
	TARBALL_RUNNING,
	TARBALL_DONE,
	TARBALL_FAILED,
};

struct tarball_source {
	struct archive *a;
	struct strbuf root;         /* the directory, no trailing slash */
	struct strbuf prefix;       /* "" or "prefix/" */
	int set_owner;              /* store uid/gid instead of the files' owners */
	uid_t uid;
	gid_t gid;
	struct strlist names;       /* relative names, sorted, unique */
	size_t next;                /* index into names of the next entry */
	int prefix_pending;         /* the prefix directory entry is still to come */
	int fd;                     /* file whose data is being copied, or -1 */
	int64_t remaining;          /* bytes of fd still to copy */
	const char *cur;            /* name of the entry in progress */
	struct strbuf out;          /* archive bytes produced, not yet read */
	size_t out_pos;
	enum tarball_state state;
	struct strbuf err;
	char chunk[TARBALL_CHUNK];
};

/*
 * NULL when name is a safe relative name, else why not. "" and "." stand
 * for the root itself and are accepted.
 */
static const char *tarball_name_problem(const char *name)
{
	const char *p = name;

	if (*name == '/')
		return "has an absolute path";
	while (*p) {
		size_t n = strcspn(p, "/");

		if (n == 2 && p[0] == '.' && p[1] == '.')
			return "leaves the target directory";
		p += n;
		while (*p == '/')
			p++;
	}
	return NULL;
}

/* Drop leading "./" and trailing slashes; the result points into sb. */
static const char *tarball_normalize(struct strbuf *sb, const char *name)
{
	strbuf_reset(sb);
	while (name[0] == '.' && name[1] == '/') {
		name += 2;
		while (*name == '/')
			name++;
	}
	strbuf_addstr(sb, name);
	while (sb->len > 1 && sb->buf[sb->len - 1] == '/')
		strbuf_setlen(sb, sb->len - 1);
	if (!strcmp(sb->buf, "."))
		strbuf_reset(sb);
	return sb->buf;
}

static int tarball_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void tarball_sort_unique(struct strlist *l)
{
	size_t j = 0;

	if (!l->nr)
		return;
	qsort(l->items, l->nr, sizeof(*l->items), tarball_cmp);
	for (size_t i = 1; i < l->nr; i++) {
		if (!strcmp(l->items[i], l->items[j]))
			free(l->items[i]);
		else
			l->items[++j] = l->items[i];
	}
	l->nr = j + 1;
	l->items[l->nr] = NULL;
}

/*
 * Append every name below rel (path holds root/rel, restored on return)
 * to names, descending into directories but not through symlinks.
 */
static int tarball_walk(struct strlist *names, struct strbuf *path, size_t root_len,
			struct strbuf *err)
{
	struct strlist here = STRLIST_INIT;
	size_t base = path->len;
	struct dirent *de;
	DIR *d = opendir(path->buf);
	int ret = -1;

	if (!d) {
		strbuf_addf(err, "cannot list '%s': %s", path->buf, strerror(errno));
		return -1;
	}
	while ((errno = 0, de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			strlist_push(&here, de->d_name);
	if (errno) {
		strbuf_addf(err, "cannot list '%s': %s", path->buf, strerror(errno));
		goto out;
	}
	if (here.nr)
		qsort(here.items, here.nr, sizeof(*here.items), tarball_cmp);
	for (size_t i = 0; i < here.nr; i++) {
		struct stat st;

		strbuf_setlen(path, base);
		strbuf_addf(path, "/%s", here.items[i]);
		strlist_push(names, path->buf + root_len + 1);
		if (lstat(path->buf, &st) < 0) {
			strbuf_addf(err, "cannot archive '%s': %s", path->buf, strerror(errno));
			goto out;
		}
		if (S_ISDIR(st.st_mode) && tarball_walk(names, path, root_len, err) < 0)
			goto out;
	}
	ret = 0;
out:
	strbuf_setlen(path, base);
	closedir(d);
	strlist_release(&here);
	return ret;
}

/* Fill s->names from the caller's list (NULL: everything below root). */
static int tarball_collect(struct tarball_source *s, const struct strlist *paths,
			   struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT, norm = STRBUF_INIT;
	int ret = -1;

	strbuf_addstr(&path, s->root.buf);
	if (!paths) {
		ret = tarball_walk(&s->names, &path, s->root.len, err);
		goto out;
	}
	for (size_t i = 0; i < paths->nr; i++) {
		const char *rel = tarball_normalize(&norm, paths->items[i]);
		const char *problem = tarball_name_problem(rel);
		struct stat st;

		if (problem) {
			strbuf_addf(err, "cannot archive '%s': the path %s", paths->items[i],
				    problem);
			goto out;
		}
		strbuf_setlen(&path, s->root.len);
		if (*rel) {
			strbuf_addf(&path, "/%s", rel);
			if (lstat(path.buf, &st) < 0) {
				strbuf_addf(err, "cannot archive '%s': %s", rel, strerror(errno));
				goto out;
			}
			strlist_push(&s->names, rel);
			if (!S_ISDIR(st.st_mode))
				continue;
		}
		if (tarball_walk(&s->names, &path, s->root.len, err) < 0)
			goto out;
	}
	ret = 0;
out:
	tarball_sort_unique(&s->names);
	strbuf_release(&path);
	strbuf_release(&norm);
	return ret;
}

static la_ssize_t tarball_source_sink(struct archive *a, void *data, const void *buf,
				      size_t len)
{
	struct tarball_source *s = data;

	(void)a;
	strbuf_add(&s->out, buf, len);
	return (la_ssize_t)len;
}

/* The compression filter of format, or -1 for none such. */
static int tarball_add_filter(struct archive *a, enum tarball_format format)
{
	switch (format) {
	case TARBALL_TAR:
		return ar.archive_write_add_filter_none(a);
	case TARBALL_TAR_GZIP:
		return ar.archive_write_add_filter_gzip(a);
	case TARBALL_TAR_ZSTD:
		return ar.archive_write_add_filter_zstd(a);
	}
	return -1;
}

struct tarball_source *tarball_source_new(const char *root, const struct strlist *paths,
					  const struct tarball_opts *opts, struct strbuf *err)
{
	struct tarball_source *s;
	struct strbuf norm = STRBUF_INIT;
	const char *prefix = opts && opts->prefix ? opts->prefix : "";
	enum tarball_format format = opts ? opts->format : TARBALL_TAR;
	struct stat st;

	if (dynlib_load(&tarball_lib, err) < 0)
		return NULL;
	s = xcalloc(1, sizeof(*s));

	strbuf_init(&s->root, 0);
	strbuf_init(&s->prefix, 0);
	strbuf_init(&s->out, 0);
	strbuf_init(&s->err, 0);
	strlist_init(&s->names);
	s->fd = -1;
	s->set_owner = opts && (opts->set_owner || opts->root_owner);
	s->uid = opts && opts->set_owner ? opts->uid : 0;
	s->gid = opts && opts->set_owner ? opts->gid : 0;
	strbuf_addstr(&s->root, root);
	while (s->root.len > 1 && s->root.buf[s->root.len - 1] == '/')
		strbuf_setlen(&s->root, s->root.len - 1);
	if (stat(s->root.buf, &st) < 0) {
		strbuf_addf(err, "cannot archive '%s': %s", root, strerror(errno));
		goto fail;
	}
	if (!S_ISDIR(st.st_mode)) {
		strbuf_addf(err, "cannot archive '%s': not a directory", root);
		goto fail;
	}
	prefix = tarball_normalize(&norm, prefix);
	if (tarball_name_problem(prefix)) {
		strbuf_addf(err, "archive prefix '%s' %s", opts->prefix,
			    tarball_name_problem(prefix));
		goto fail;
	}
	if (*prefix) {
		strbuf_addf(&s->prefix, "%s/", prefix);
		s->prefix_pending = 1;
	}
	if (format != TARBALL_TAR && format != TARBALL_TAR_GZIP && format != TARBALL_TAR_ZSTD) {
		strbuf_addf(err, "unknown archive format %d", (int)format);
		goto fail;
	}
	if (tarball_collect(s, paths, err) < 0)
		goto fail;
	s->a = ar.archive_write_new();
	/* No zero padding after the end: zstd readers take it for a broken frame. */
	ar.archive_write_set_bytes_in_last_block(s->a, 1);
	if (tarball_add_filter(s->a, format) != ARCHIVE_OK ||
	    ar.archive_write_set_format_pax_restricted(s->a) != ARCHIVE_OK ||
	    ar.archive_write_open(s->a, s, NULL, tarball_source_sink, NULL) != ARCHIVE_OK) {
		strbuf_addf(err, "cannot start an archive: %s", ar.archive_error_string(s->a));
		goto fail;
	}
	strbuf_release(&norm);
	return s;
fail:
	strbuf_release(&norm);
	tarball_source_free(s);
	return NULL;
}

void tarball_source_free(struct tarball_source *s)
{
	if (!s)
		return;
	if (s->fd >= 0)
		close(s->fd);
	if (s->a)
		ar.archive_write_free(s->a);
	strbuf_release(&s->root);
	strbuf_release(&s->prefix);
	strbuf_release(&s->out);
	strbuf_release(&s->err);
	strlist_release(&s->names);
	free(s);
}

const char *tarball_source_error(const struct tarball_source *s)
{
	return s->err.buf;
}

static int tarball_source_fail(struct tarball_source *s, const char *what, const char *why)
{
	strbuf_addf(&s->err, "cannot archive '%s': %s", what, why);
	s->state = TARBALL_FAILED;
	return -1;
}

/* Write the header of rel (NULL: the prefix directory, from root). */
static int tarball_source_header(struct tarball_source *s, const char *rel)
{
	struct strbuf path = STRBUF_INIT, name = STRBUF_INIT;
	struct archive_entry *entry = NULL;
	char target[PATH_MAX];
	struct stat st;
	int fd = -1, ret = -1;

	s->cur = rel ? rel : s->root.buf;
	strbuf_addstr(&path, s->root.buf);
	if (rel)
		strbuf_addf(&path, "/%s", rel);
	strbuf_addstr(&name, s->prefix.buf);
	if (rel)
		strbuf_addstr(&name, rel);
	else
		strbuf_setlen(&name, name.len - 1);
	if (lstat(path.buf, &st) < 0) {
		tarball_source_fail(s, s->cur, strerror(errno));
		goto out;
	}
	if (S_ISREG(st.st_mode)) {
		fd = open(path.buf, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st) < 0) {
			tarball_source_fail(s, s->cur, strerror(errno));
			goto out;
		}
	} else if (!S_ISDIR(st.st_mode) && !S_ISLNK(st.st_mode)) {
		ret = 0;        /* sockets, fifos and devices have no place in an archive */
		goto out;
	}
	entry = ar.archive_entry_new();
	ar.archive_entry_copy_stat(entry, &st);
	ar.archive_entry_set_pathname(entry, name.buf);
	ar.archive_entry_set_nlink(entry, S_ISDIR(st.st_mode) ? 2 : 1);
	if (!S_ISREG(st.st_mode))
		ar.archive_entry_set_size(entry, 0);
	if (S_ISLNK(st.st_mode)) {
		ssize_t n = readlink(path.buf, target, sizeof(target) - 1);

		if (n < 0) {
			tarball_source_fail(s, s->cur, strerror(errno));
			goto out;
		}
		target[n] = '\0';
		ar.archive_entry_set_symlink(entry, target);
	}
	if (s->set_owner) {
		ar.archive_entry_set_uid(entry, s->uid);
		ar.archive_entry_set_gid(entry, s->gid);
	}
	if (ar.archive_write_header(s->a, entry) < ARCHIVE_WARN) {
		tarball_source_fail(s, s->cur, ar.archive_error_string(s->a));
		goto out;
	}
	if (fd >= 0 && st.st_size > 0) {
		s->fd = fd;
		s->remaining = st.st_size;
		fd = -1;
	}
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	ar.archive_entry_free(entry);
	strbuf_release(&path);
	strbuf_release(&name);
	return ret;
}

/* Copy the next chunk of the current file into the archive. */
static int tarball_source_copy(struct tarball_source *s)
{
	size_t want = s->remaining < TARBALL_CHUNK ? (size_t)s->remaining : TARBALL_CHUNK;
	ssize_t n = read(s->fd, s->chunk, want);

	if (n < 0 && errno == EINTR)
		return 0;
	if (n < 0)
		return tarball_source_fail(s, s->cur, strerror(errno));
	if (n == 0)
		return tarball_source_fail(s, s->cur, "the file shrank while being archived");
	if (ar.archive_write_data(s->a, s->chunk, (size_t)n) < 0)
		return tarball_source_fail(s, s->cur, ar.archive_error_string(s->a));
	s->remaining -= n;
	if (!s->remaining) {
		close(s->fd);
		s->fd = -1;
	}
	return 0;
}

/* Advance by one step: a chunk of data, a header, or the end. */
static int tarball_source_step(struct tarball_source *s)
{
	if (s->fd >= 0)
		return tarball_source_copy(s);
	if (s->prefix_pending) {
		s->prefix_pending = 0;
		return tarball_source_header(s, NULL);
	}
	if (s->next < s->names.nr)
		return tarball_source_header(s, s->names.items[s->next++]);
	if (ar.archive_write_close(s->a) != ARCHIVE_OK)
		return tarball_source_fail(s, s->root.buf, ar.archive_error_string(s->a));
	s->state = TARBALL_DONE;
	return 0;
}

ssize_t tarball_source_read(struct tarball_source *s, void *buf, size_t len)
{
	while (s->out_pos == s->out.len) {
		strbuf_reset(&s->out);
		s->out_pos = 0;
		if (s->state == TARBALL_FAILED)
			return -1;
		if (s->state == TARBALL_DONE || !len)
			return 0;
		if (tarball_source_step(s) < 0)
			return -1;
	}
	if (len > s->out.len - s->out_pos)
		len = s->out.len - s->out_pos;
	memcpy(buf, s->out.buf + s->out_pos, len);
	s->out_pos += len;
	return (ssize_t)len;
}

ssize_t tarball_source_read_fn(void *data, void *buf, size_t len)
{
	return tarball_source_read(data, buf, len);
}

/* -1: the source failed (message in err); -2: fn refused the bytes. */
static int tarball_pump(struct tarball_source *s, tarball_write_fn *fn, void *data,
			struct strbuf *err)
{
	for (;;) {
		ssize_t n = tarball_source_read(s, s->chunk, sizeof(s->chunk));

		if (n < 0) {
			strbuf_addstr(err, tarball_source_error(s));
			return -1;
		}
		if (n == 0)
			return 0;
		if (fn(data, s->chunk, (size_t)n) < 0)
			return -2;
	}
}

int tarball_create(const char *root, const struct strlist *paths,
		   const struct tarball_opts *opts, tarball_write_fn *fn, void *data,
		   struct strbuf *err)
{
	struct tarball_source *s = tarball_source_new(root, paths, opts, err);
	int ret;

	if (!s)
		return -1;
	ret = tarball_pump(s, fn, data, err);
	if (ret == -2)
		strbuf_addf(err, "cannot archive '%s': the archive could not be written", root);
	tarball_source_free(s);
	return ret < 0 ? -1 : 0;
}

struct tarball_file {
	int fd;
	int errnum;
};

static int tarball_file_write(void *data, const void *buf, size_t len)
{
	struct tarball_file *f = data;
	const char *p = buf;

	while (len) {
		ssize_t n = write(f->fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			f->errnum = errno;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int tarball_create_file(const char *file, const char *root, const struct strlist *paths,
			const struct tarball_opts *opts, struct strbuf *err)
{
	struct tarball_file f = { -1, 0 };
	struct tarball_source *s = tarball_source_new(root, paths, opts, err);
	int ret = -1;

	if (!s)
		return -1;
	f.fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (f.fd < 0) {
		strbuf_addf(err, "cannot create '%s': %s", file, strerror(errno));
		goto out;
	}
	ret = tarball_pump(s, tarball_file_write, &f, err);
	if (ret == -2)
		strbuf_addf(err, "cannot write '%s': %s", file, strerror(f.errnum));
	if (close(f.fd) < 0 && !ret) {
		strbuf_addf(err, "cannot write '%s': %s", file, strerror(errno));
		ret = -1;
	}
	if (ret < 0)
		unlink(file);
out:
	tarball_source_free(s);
	return ret < 0 ? -1 : 0;
}

struct tarball_reader {
	tarball_read_fn *fn;
	void *data;
	int failed;             /* fn returned -1: say so rather than what a filter makes of it */
	char buf[TARBALL_CHUNK];
};

static la_ssize_t tarball_reader_fill(struct archive *a, void *data, const void **buf)
{
	struct tarball_reader *r = data;
	ssize_t n = r->fn(r->data, r->buf, sizeof(r->buf));

	if (n < 0) {
		r->failed = 1;
		ar.archive_set_error(a, EIO, "its source failed");
		return -1;
	}
	*buf = r->buf;
	return n;
}

/* full = dir/name, with name normalized; returns name ("" for the root). */
static const char *tarball_join(struct strbuf *full, struct strbuf *scratch, const char *dir,
				const char *name)
{
	name = tarball_normalize(scratch, name);
	strbuf_reset(full);
	strbuf_addf(full, "%s/%s", dir, name);
	return name;
}

/*
 * Check one entry and point it (and a hard link's target) into dir, which
 * is real and symlink-free. 1 when the entry is dir itself, to be skipped.
 */
static int tarball_place(struct archive_entry *entry, const char *dir, struct strbuf *full,
			 struct strbuf *scratch, struct strbuf *err)
{
	const char *orig = ar.archive_entry_pathname(entry);
	const char *link = ar.archive_entry_hardlink(entry);
	const char *problem;
	mode_t type = ar.archive_entry_filetype(entry);

	if (!orig) {
		strbuf_addstr(err, "cannot extract an archive entry without a name");
		return -1;
	}
	problem = tarball_name_problem(orig);
	if (problem) {
		strbuf_addf(err, "archive entry '%s' %s", orig, problem);
		return -1;
	}
	if (!link && type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK) {
		strbuf_addf(err, "archive entry '%s' is a device, fifo or socket", orig);
		return -1;
	}
	if (link) {
		if (tarball_name_problem(link) || !*tarball_join(full, scratch, dir, link)) {
			strbuf_addf(err, "archive entry '%s' links to '%s' outside the target directory",
				    orig, link);
			return -1;
		}
		ar.archive_entry_copy_hardlink(entry, full->buf);
	}
	if (!*tarball_join(full, scratch, dir, orig))
		return 1;       /* dir exists and keeps its own mode */
	ar.archive_entry_copy_pathname(entry, full->buf);
	return 0;
}

static int tarball_copy_data(struct archive *in, struct archive *out)
{
	for (;;) {
		const void *buf;
		size_t len;
		la_int64_t off;
		int r = ar.archive_read_data_block(in, &buf, &len, &off);

		if (r == ARCHIVE_EOF)
			return 0;
		if (r < ARCHIVE_WARN)
			return -1;
		if (ar.archive_write_data_block(out, buf, len, off) < ARCHIVE_WARN)
			return -2;
	}
}

static const char *tarball_read_error(struct archive *in, const struct tarball_reader *r)
{
	return r && r->failed ? "its source failed" : ar.archive_error_string(in);
}

static int tarball_extract_entries(struct archive *in, const struct tarball_reader *reader,
				   const char *dir, struct strbuf *err)
{
	const int flags = ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
		ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME;
	struct archive *out = ar.archive_write_disk_new();
	struct strbuf scratch = STRBUF_INIT, orig = STRBUF_INIT, full = STRBUF_INIT;
	char *real = realpath(dir, NULL);
	int ret = -1;

	if (!real) {
		strbuf_addf(err, "cannot extract into '%s': %s", dir, strerror(errno));
		goto out;
	}
	ar.archive_write_disk_set_options(out, flags);
	for (;;) {
		struct archive_entry *entry;
		int r = ar.archive_read_next_header(in, &entry);
		int placed, copied;

		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN) {
			strbuf_addf(err, "cannot read the archive: %s", tarball_read_error(in, reader));
			goto out;
		}
		strbuf_reset(&orig);
		strbuf_addstr(&orig, ar.archive_entry_pathname(entry) ? ar.archive_entry_pathname(entry) : "");
		placed = tarball_place(entry, real, &full, &scratch, err);
		if (placed < 0)
			goto out;
		if (placed > 0)
			continue;
		if (ar.archive_write_header(out, entry) < ARCHIVE_WARN) {
			strbuf_addf(err, "cannot extract '%s': %s", orig.buf,
				    ar.archive_error_string(out));
			goto out;
		}
		copied = tarball_copy_data(in, out);
		if (copied < 0) {
			strbuf_addf(err, "cannot extract '%s': %s", orig.buf, copied == -1 ?
				    tarball_read_error(in, reader) : ar.archive_error_string(out));
			goto out;
		}
		if (ar.archive_write_finish_entry(out) < ARCHIVE_WARN) {
			strbuf_addf(err, "cannot extract '%s': %s", orig.buf,
				    ar.archive_error_string(out));
			goto out;
		}
	}
	if (ar.archive_write_close(out) != ARCHIVE_OK) {
		strbuf_addf(err, "cannot finish extracting into '%s': %s", dir,
			    ar.archive_error_string(out));
		goto out;
	}
	ret = 0;
out:
	ar.archive_write_free(out);
	free(real);
	strbuf_release(&scratch);
	strbuf_release(&orig);
	strbuf_release(&full);
	return ret;
}

static struct archive *tarball_reader_new(void)
{
	struct archive *in = ar.archive_read_new();

	ar.archive_read_support_filter_all(in);
	ar.archive_read_support_format_tar(in);
	ar.archive_read_support_format_empty(in);
	return in;
}

static int tarball_extract_opened(struct archive *in, const struct tarball_reader *r,
				  int opened, const char *dir, struct strbuf *err)
{
	int ret;

	if (opened != ARCHIVE_OK) {
		strbuf_addf(err, "cannot read the archive: %s", tarball_read_error(in, r));
		ar.archive_read_free(in);
		return -1;
	}
	ret = tarball_extract_entries(in, r, dir, err);
	ar.archive_read_free(in);
	return ret;
}

int tarball_extract(const char *dir, tarball_read_fn *fn, void *data, struct strbuf *err)
{
	struct tarball_reader *r;
	struct archive *in;
	int ret;

	if (dynlib_load(&tarball_lib, err) < 0)
		return -1;
	r = xmalloc(sizeof(*r));
	in = tarball_reader_new();
	r->fn = fn;
	r->data = data;
	r->failed = 0;
	ret = tarball_extract_opened(in, r, ar.archive_read_open(in, r, NULL, tarball_reader_fill, NULL),
				     dir, err);
	free(r);
	return ret;
}

int tarball_extract_file(const char *dir, const char *file, struct strbuf *err)
{
	struct archive *in;
	int opened;

	if (dynlib_load(&tarball_lib, err) < 0)
		return -1;
	in = tarball_reader_new();
	opened = ar.archive_read_open_filename(in, file, TARBALL_CHUNK);

	if (opened != ARCHIVE_OK) {
		strbuf_addf(err, "cannot read '%s': %s", file, ar.archive_error_string(in));
		ar.archive_read_free(in);
		return -1;
	}
	return tarball_extract_opened(in, NULL, opened, dir, err);
}

int tarball_extract_buffer(const char *dir, const void *buf, size_t len, struct strbuf *err)
{
	struct archive *in;

	if (dynlib_load(&tarball_lib, err) < 0)
		return -1;
	in = tarball_reader_new();
	return tarball_extract_opened(in, NULL, ar.archive_read_open_memory(in, buf, len), dir, err);
}
