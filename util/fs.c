/*
 * fs: directory creation and removal, tree walking and copying, atomic
 * writes, capped reads, path joining and the home/XDG directories. Plain
 * POSIX calls on paths and directory descriptors; no knowledge of what
 * the files mean, and no processes (util/proc).
 */
#include "util/fs.h"
#include "util/strlist.h"
#include "util/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Record a failure on what: "cannot VERB 'WHAT': strerror(errno)". */
static int fs_fail(struct strbuf *err, const char *verb, const char *what)
{
	strbuf_addf(err, "cannot %s '%s': %s", verb, what, strerror(errno));
	return -1;
}

int fs_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

int fs_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

void fs_path_join(struct strbuf *out, const char *a, const char *b)
{
	size_t alen = strlen(a);
	struct strbuf joined = STRBUF_INIT;

	while (alen > 1 && a[alen - 1] == '/')
		alen--;
	while (*a && *b == '/')
		b++;
	strbuf_add(&joined, a, alen);
	if (alen && *b && a[alen - 1] != '/')
		strbuf_addch(&joined, '/');
	strbuf_addstr(&joined, b);
	strbuf_release(out);
	*out = joined;
}

/* --- creating directories --- */

/* Component by component from "/" or ".", so no path length limit applies. */
static int fs_mkdir_walk(const char *path, mode_t mode, struct strbuf *err)
{
	struct strbuf prefix = STRBUF_INIT;
	const char *p = path;
	int fd = open(*path == '/' ? "/" : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int ret = -1;

	if (fd < 0)
		return fs_fail(err, "create directory", path);
	if (*path == '/')
		strbuf_addch(&prefix, '/');
	while (*p) {
		size_t len = strcspn(p, "/");
		char *comp = xstrndup(p, len);
		int next;

		if (len && strcmp(comp, ".")) {
			if (prefix.len && prefix.buf[prefix.len - 1] != '/')
				strbuf_addch(&prefix, '/');
			strbuf_addstr(&prefix, comp);
			if (mkdirat(fd, comp, mode) < 0 && errno != EEXIST) {
				fs_fail(err, "create directory", prefix.buf);
				free(comp);
				goto out;
			}
			next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (next < 0) {
				fs_fail(err, "create directory", prefix.buf);
				free(comp);
				goto out;
			}
			close(fd);
			fd = next;
		}
		free(comp);
		p += len;
		while (*p == '/')
			p++;
	}
	ret = 0;
out:
	close(fd);
	strbuf_release(&prefix);
	return ret;
}

int fs_mkdir_p(const char *path, mode_t mode, struct strbuf *err)
{
	if (!*path) {
		errno = ENOENT;
		return fs_fail(err, "create directory", path);
	}
	if (mkdir(path, mode) == 0)
		return 0;
	if (errno == EEXIST) {
		if (fs_is_dir(path))
			return 0;
		return fs_fail(err, "create directory", path);
	}
	if (errno != ENOENT && errno != ENAMETOOLONG)
		return fs_fail(err, "create directory", path);
	return fs_mkdir_walk(path, mode, err);
}

/* --- removing trees --- */

/*
 * One directory on the way down. Streams stay open for the first
 * FS_RM_OPEN_DIRS levels; deeper ones are closed on descent and reopened
 * through ".." (checked against dev/ino, so a directory moved meanwhile
 * is an error rather than a removal elsewhere) and read from the start.
 */
struct fs_rm_frame {
	DIR *dir;
	char *name;             /* in the parent; NULL for the root */
	dev_t dev;
	ino_t ino;
};

enum { FS_RM_OPEN_DIRS = 32 };

struct fs_rm {
	struct fs_rm_frame *frames;
	size_t nr, alloc;
	const char *root;
	struct strbuf *err;
};

/* The path of the current directory (and name in it), for messages only. */
static int fs_rm_fail(struct fs_rm *rm, const char *verb, const char *name)
{
	struct strbuf path = STRBUF_INIT;
	int saved = errno;

	strbuf_addstr(&path, rm->root);
	for (size_t i = 1; i < rm->nr; i++)
		strbuf_addf(&path, "/%s", rm->frames[i].name);
	if (name)
		strbuf_addf(&path, "/%s", name);
	errno = saved;
	fs_fail(rm->err, verb, path.buf);
	strbuf_release(&path);
	return -1;
}

/* Give ourselves rwx on the directory open as fd, so its entries can go. */
static int fs_rm_make_writable(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0 || (st.st_mode & S_IRWXU) == S_IRWXU)
		return -1;
	return fchmod(fd, st.st_mode | S_IRWXU);
}

/* name may point into the parent's stream, which is closed here: copy it first. */
static int fs_rm_push(struct fs_rm *rm, int fd, const char *name)
{
	struct fs_rm_frame *f;
	struct stat st;
	DIR *dir;

	if (fstat(fd, &st) < 0 || !(dir = fdopendir(fd))) {
		close(fd);
		return -1;
	}
	ALLOC_GROW(rm->frames, rm->nr + 1, rm->alloc);
	f = &rm->frames[rm->nr];
	f->name = name ? xstrdup(name) : NULL;
	if (rm->nr > FS_RM_OPEN_DIRS) {
		closedir(f[-1].dir);
		f[-1].dir = NULL;
	}
	rm->nr++;
	f->dir = dir;
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	return 0;
}

/* Open subdirectory name of the directory fd, granting ourselves access if needed. */
static int fs_rm_open_child(int fd, const char *name)
{
	const int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	int child = openat(fd, name, flags);

	if (child < 0 && errno == EACCES && fchmodat(fd, name, S_IRWXU, 0) == 0)
		child = openat(fd, name, flags);
	return child;
}

/*
 * Remove one entry of the top directory: unlink it, or descend into it.
 * Returns 0 (removed or gone), 1 (descended), -1 (failed).
 */
static int fs_rm_entry(struct fs_rm *rm, const char *name, unsigned char type)
{
	int fd = dirfd(rm->frames[rm->nr - 1].dir), child;

	if (type != DT_DIR) {
		if (unlinkat(fd, name, 0) == 0 || errno == ENOENT)
			return 0;
		if ((errno == EACCES || errno == EPERM) && fs_rm_make_writable(fd) == 0 &&
		    (unlinkat(fd, name, 0) == 0 || errno == ENOENT))
			return 0;
		if (errno != EISDIR)
			return fs_rm_fail(rm, "remove", name);
	}
	child = fs_rm_open_child(fd, name);
	if (child < 0 && errno == ENOENT)
		return 0;
	if (child < 0 && (errno == ENOTDIR || errno == ELOOP)) {
		/* became a file or symlink since it was listed */
		if (unlinkat(fd, name, 0) == 0 || errno == ENOENT)
			return 0;
	}
	if (child < 0 || fs_rm_push(rm, child, name) < 0)
		return fs_rm_fail(rm, "open directory", name);
	return 1;
}

/* The top directory is empty: remove it from its parent (reopened if closed). */
static int fs_rm_pop(struct fs_rm *rm)
{
	struct fs_rm_frame *top = &rm->frames[rm->nr - 1], *parent = top - 1;
	struct stat st;
	int fd, rc;

	if (!parent->dir) {
		fd = openat(dirfd(top->dir), "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0 && (fstat(fd, &st) < 0 || st.st_dev != parent->dev ||
				st.st_ino != parent->ino)) {
			close(fd);
			fd = -1;
			errno = ESTALE;
		}
		if (fd < 0 || !(parent->dir = fdopendir(fd))) {
			if (fd >= 0)
				close(fd);
			return fs_rm_fail(rm, "return to the parent of", NULL);
		}
	}
	closedir(top->dir);
	rm->nr--;
	fd = dirfd(parent->dir);
	rc = unlinkat(fd, top->name, AT_REMOVEDIR);
	if (rc < 0 && (errno == EACCES || errno == EPERM) && fs_rm_make_writable(fd) == 0)
		rc = unlinkat(fd, top->name, AT_REMOVEDIR);
	if (rc < 0 && errno != ENOENT) {
		fs_rm_fail(rm, "remove directory", top->name);
		free(top->name);
		return -1;
	}
	free(top->name);
	return 0;
}

static int fs_rm_tree(struct fs_rm *rm)
{
	const int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	int fd = open(rm->root, flags);

	if (fd < 0 && errno == EACCES && chmod(rm->root, S_IRWXU) == 0)
		fd = open(rm->root, flags);
	if (fd < 0 || fs_rm_push(rm, fd, NULL) < 0)
		return fs_fail(rm->err, "open directory", rm->root);
	while (rm->nr) {
		struct fs_rm_frame *top = &rm->frames[rm->nr - 1];
		struct dirent *de;
		int rc = 0;

		for (;;) {
			errno = 0;
			de = readdir(top->dir);
			if (!de)
				break;
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			rc = fs_rm_entry(rm, de->d_name, de->d_type);
			if (rc)
				break;
		}
		if (rc < 0)
			return -1;
		if (rc > 0)
			continue;
		if (errno)
			return fs_rm_fail(rm, "read directory", NULL);
		if (rm->nr == 1) {
			closedir(top->dir);
			rm->nr = 0;
			if (rmdir(rm->root) < 0 && errno != ENOENT)
				return fs_fail(rm->err, "remove directory", rm->root);
			return 0;
		}
		if (fs_rm_pop(rm) < 0)
			return -1;
	}
	return 0;
}

/* "", "/" and paths ending in "." or ".." are never removed. */
static int fs_rm_refused(const char *path)
{
	size_t len = strlen(path), start;

	while (len > 1 && path[len - 1] == '/')
		len--;
	if (!len || (len == 1 && path[0] == '/'))
		return 1;
	start = len;
	while (start && path[start - 1] != '/')
		start--;
	return (len - start == 1 && path[start] == '.') ||
	       (len - start == 2 && path[start] == '.' && path[start + 1] == '.');
}

int fs_rm_rf(const char *path, struct strbuf *err)
{
	struct fs_rm rm = { NULL, 0, 0, path, err };
	struct stat st;
	int ret;

	if (fs_rm_refused(path)) {
		strbuf_addf(err, "refusing to remove '%s'", path);
		return -1;
	}
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : fs_fail(err, "remove", path);
	if (!S_ISDIR(st.st_mode))
		return unlink(path) < 0 && errno != ENOENT ? fs_fail(err, "remove", path) : 0;
	ret = fs_rm_tree(&rm);
	for (size_t i = rm.nr; i-- > 0;) {
		if (rm.frames[i].dir)
			closedir(rm.frames[i].dir);
		free(rm.frames[i].name);
	}
	free(rm.frames);
	return ret;
}

int fs_empty_dir(const char *dir, mode_t mode, struct strbuf *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct strbuf path = STRBUF_INIT;
	int ret = 0;

	if (!d)
		return fs_mkdir_p(dir, mode, err);
	while (!ret && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		strbuf_reset(&path);
		fs_path_join(&path, dir, de->d_name);
		ret = fs_rm_rf(path.buf, err);
	}
	closedir(d);
	strbuf_release(&path);
	return ret;
}

/* --- walking trees --- */

struct fs_walk_level {
	struct strlist names;   /* sorted */
	size_t next;
	size_t path_len;        /* of this directory's path in the walk's buffer */
	dev_t dev;
	ino_t ino;
};

static int fs_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Push the directory at path (st describes it) with its sorted names. */
static int fs_walk_push(struct fs_walk_level **levels, size_t *nr, size_t *alloc,
			const char *path, size_t path_len, const struct stat *st,
			struct strbuf *err)
{
	struct fs_walk_level *lv;
	DIR *d = opendir(path);
	struct dirent *de;

	if (!d)
		return errno == ENOENT ? 0 : fs_fail(err, "read directory", path);
	ALLOC_GROW(*levels, *nr + 1, *alloc);
	lv = &(*levels)[(*nr)++];
	strlist_init(&lv->names);
	lv->next = 0;
	lv->path_len = path_len;
	lv->dev = st->st_dev;
	lv->ino = st->st_ino;
	while ((errno = 0, de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			strlist_push(&lv->names, de->d_name);
	if (errno) {
		fs_fail(err, "read directory", path);
		closedir(d);
		return -1;
	}
	closedir(d);
	if (lv->names.nr)
		qsort(lv->names.items, lv->names.nr, sizeof(char *), fs_name_cmp);
	return 0;
}

static int fs_walk_on_stack(const struct fs_walk_level *levels, size_t nr, const struct stat *st)
{
	for (size_t i = 0; i < nr; i++)
		if (levels[i].dev == st->st_dev && levels[i].ino == st->st_ino)
			return 1;
	return 0;
}

int fs_walk(const char *root, unsigned flags, fs_walk_fn *fn, void *data, struct strbuf *err)
{
	struct fs_walk_level *levels = NULL;
	size_t nr = 0, alloc = 0, root_len;
	struct strbuf path = STRBUF_INIT;
	struct stat st;
	int ret = 0;

	fs_path_join(&path, root, "");
	root_len = path.len;
	if (stat(path.buf, &st) < 0) {
		ret = fs_fail(err, "read directory", root);
		goto out;
	}
	if (fs_walk_push(&levels, &nr, &alloc, path.buf, path.len, &st, err) < 0) {
		ret = -1;
		goto out;
	}
	while (nr) {
		struct fs_walk_level *lv = &levels[nr - 1];
		struct fs_entry e;
		const char *name;
		size_t name_at;

		if (lv->next == lv->names.nr) {
			strlist_release(&lv->names);
			nr--;
			continue;
		}
		name = lv->names.items[lv->next++];
		strbuf_setlen(&path, lv->path_len);
		if (path.len && path.buf[path.len - 1] != '/')
			strbuf_addch(&path, '/');
		name_at = path.len;
		strbuf_addstr(&path, name);
		if (path.len >= PATH_MAX) {
			errno = ENAMETOOLONG;
			ret = fs_fail(err, "read", path.buf);
			goto out;
		}
		if (lstat(path.buf, &e.st) < 0) {
			if (errno == ENOENT)
				continue;
			ret = fs_fail(err, "read", path.buf);
			goto out;
		}
		if ((flags & FS_WALK_FOLLOW) && S_ISLNK(e.st.st_mode) && stat(path.buf, &st) == 0 &&
		    !(S_ISDIR(st.st_mode) && fs_walk_on_stack(levels, nr, &st)))
			e.st = st;
		e.path = path.buf;
		e.rel = path.buf + root_len + (path.buf[root_len] == '/');
		e.name = path.buf + name_at;
		e.depth = (int)nr;
		ret = fn(&e, data);
		if (ret < 0)
			goto out;
		if (S_ISDIR(e.st.st_mode) && ret != FS_WALK_SKIP &&
		    fs_walk_push(&levels, &nr, &alloc, path.buf, path.len, &e.st, err) < 0) {
			ret = -1;
			goto out;
		}
		ret = 0;
	}
out:
	while (nr)
		strlist_release(&levels[--nr].names);
	free(levels);
	strbuf_release(&path);
	return ret;
}

/* --- copying trees --- */

struct fs_copy_dir {
	char *path;
	mode_t mode;
};

struct fs_copy {
	const char *dst;
	fs_filter_fn *filter;
	void *data;
	struct strbuf target;   /* scratch: the destination path */
	struct fs_copy_dir *dirs;       /* copied so far, to get their modes at the end */
	size_t dirs_nr, dirs_alloc;
	struct strbuf *err;
};

/* Remove a non-directory in the way at path, so nothing is written through a link. */
static int fs_copy_clear(const char *path, struct strbuf *err)
{
	if (unlink(path) == 0 || errno == ENOENT)
		return 0;
	return fs_fail(err, "replace", path);
}

static int fs_copy_file(const char *dst, const char *src, const struct stat *st,
			struct strbuf *err)
{
	int in, out, ret = -1;
	struct timespec times[2] = { { 0, UTIME_OMIT }, st->st_mtim };
	char buf[65536];

	if (fs_copy_clear(dst, err) < 0)
		return -1;
	in = open(src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return fs_fail(err, "read", src);
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0) {
		fs_fail(err, "create", dst);
		close(in);
		return -1;
	}
	for (;;) {
		ssize_t n = copy_file_range(in, NULL, out, NULL, 1 << 30, 0);

		if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS ||
			      errno == EOPNOTSUPP)) {
			/* no in-kernel copy between these files: plain reads and writes */
			while ((n = read(in, buf, sizeof(buf))) > 0)
				for (ssize_t done = 0, w; done < n; done += w)
					if ((w = write(out, buf + done, (size_t)(n - done))) < 0)
						goto write_failed;
		}
		if (n < 0) {
			fs_fail(err, "copy", src);
			goto out;
		}
		if (n == 0)
			break;
	}
	if (fchmod(out, st->st_mode & 07777) < 0 || futimens(out, times) < 0)
		goto write_failed;
	ret = 0;
	goto out;
write_failed:
	fs_fail(err, "write", dst);
out:
	close(in);
	if (close(out) < 0 && !ret)
		ret = fs_fail(err, "write", dst);
	return ret;
}

static int fs_copy_symlink(const char *dst, const char *src, const struct stat *st,
			   struct strbuf *err)
{
	/* some filesystems report 0 as a link's size */
	size_t size = st->st_size > 0 ? (size_t)st->st_size + 1 : PATH_MAX;
	char *target = xmalloc(size);
	ssize_t n = readlink(src, target, size);
	int ret = 0;

	if (n < 0 || (size_t)n >= size) {
		if (n >= 0)
			errno = EAGAIN;         /* the link changed between lstat and readlink */
		ret = fs_fail(err, "read link", src);
	} else {
		target[n] = '\0';
		if (fs_copy_clear(dst, err) < 0)
			ret = -1;
		else if (symlink(target, dst) < 0)
			ret = fs_fail(err, "create link", dst);
	}
	free(target);
	return ret;
}

static int fs_copy_dir(struct fs_copy *c, const char *dst, const struct stat *st)
{
	if (mkdir(dst, 0700) < 0) {
		struct stat have;

		if (errno != EEXIST || lstat(dst, &have) < 0)
			return fs_fail(c->err, "create directory", dst);
		if (!S_ISDIR(have.st_mode)) {
			if (fs_copy_clear(dst, c->err) < 0)
				return -1;
			if (mkdir(dst, 0700) < 0)
				return fs_fail(c->err, "create directory", dst);
		} else if (chmod(dst, have.st_mode | S_IRWXU) < 0) {
			return fs_fail(c->err, "create directory", dst);
		}
	}
	ALLOC_GROW(c->dirs, c->dirs_nr + 1, c->dirs_alloc);
	c->dirs[c->dirs_nr].path = xstrdup(dst);
	c->dirs[c->dirs_nr++].mode = st->st_mode & 07777;
	return 0;
}

static int fs_copy_one(struct fs_copy *c, const char *dst, const char *src,
		       const struct stat *st)
{
	if (S_ISDIR(st->st_mode))
		return fs_copy_dir(c, dst, st);
	if (S_ISREG(st->st_mode))
		return fs_copy_file(dst, src, st, c->err);
	if (S_ISLNK(st->st_mode))
		return fs_copy_symlink(dst, src, st, c->err);
	return 0;
}

static int fs_copy_entry(const struct fs_entry *e, void *data)
{
	struct fs_copy *c = data;

	if (c->filter && !c->filter(e->rel, &e->st, c->data))
		return FS_WALK_SKIP;
	fs_path_join(&c->target, c->dst, e->rel);
	return fs_copy_one(c, c->target.buf, e->path, &e->st) < 0 ? -1 : 0;
}

/* Directory modes last and deepest first, so read-only ones could be filled. */
static int fs_copy_finish_dirs(struct fs_copy *c)
{
	for (size_t i = c->dirs_nr; i-- > 0;)
		if (chmod(c->dirs[i].path, c->dirs[i].mode) < 0)
			return fs_fail(c->err, "set the mode of", c->dirs[i].path);
	return 0;
}

int fs_copy_tree(const char *dst, const char *src, fs_filter_fn *filter, void *data,
		 struct strbuf *err)
{
	struct fs_copy c = { dst, filter, data, STRBUF_INIT, NULL, 0, 0, err };
	struct stat st;
	int ret;

	if (lstat(src, &st) < 0)
		return fs_fail(err, "copy", src);
	ret = fs_copy_one(&c, dst, src, &st);
	if (!ret && S_ISDIR(st.st_mode))
		ret = fs_walk(src, 0, fs_copy_entry, &c, err);
	if (!ret)
		ret = fs_copy_finish_dirs(&c);
	else
		ret = -1;
	strbuf_release(&c.target);
	for (size_t i = 0; i < c.dirs_nr; i++)
		free(c.dirs[i].path);
	free(c.dirs);
	return ret;
}

/* --- files --- */

int fs_write_file(const char *path, const void *data, size_t len, mode_t mode,
		  struct strbuf *err)
{
	struct strbuf tmp = STRBUF_INIT;
	const char *slash = strrchr(path, '/');
	const char *p = data;
	int fd, ret = -1;

	if (slash)
		strbuf_add(&tmp, path, (size_t)(slash - path + 1));
	strbuf_addf(&tmp, ".%s.tmp-XXXXXX", slash ? slash + 1 : path);
	fd = mkostemp(tmp.buf, O_CLOEXEC);
	if (fd < 0) {
		fs_fail(err, "write", path);
		goto out;
	}
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		p += n;
		len -= (size_t)n;
	}
	if (len || fchmod(fd, mode) < 0) {
		fs_fail(err, "write", path);
		close(fd);
	} else if (close(fd) < 0 || rename(tmp.buf, path) < 0) {
		fs_fail(err, "write", path);
	} else {
		ret = 0;
	}
	if (ret)
		unlink(tmp.buf);
out:
	strbuf_release(&tmp);
	return ret;
}

int fs_read_file(struct strbuf *out, const char *path, size_t max, struct strbuf *err)
{
	struct strbuf got = STRBUF_INIT;

	if (strbuf_read_file(&got, path, max) < 0) {
		if (errno == EFBIG)
			strbuf_addf(err, "'%s' is larger than %zu bytes", path, max);
		else
			fs_fail(err, "read", path);
		strbuf_release(&got);
		return -1;
	}
	strbuf_release(out);
	*out = got;
	return 0;
}

int fs_mkdtemp(struct strbuf *out, const char *base, const char *prefix, struct strbuf *err)
{
	struct strbuf tmpl = STRBUF_INIT;

	if (fs_mkdir_p(base, 0777, err) < 0)
		return -1;
	fs_path_join(&tmpl, base, "");
	if (tmpl.buf[tmpl.len - 1] != '/')
		strbuf_addch(&tmpl, '/');
	strbuf_addf(&tmpl, "%sXXXXXX", prefix);
	if (!mkdtemp(tmpl.buf)) {
		fs_fail(err, "create a directory in", base);
		strbuf_release(&tmpl);
		return -1;
	}
	strbuf_release(out);
	*out = tmpl;
	return 0;
}

/* --- where things live --- */

const char *fs_user_name(void)
{
	const char *user = getenv("USER");
	struct passwd *pw;

	if (user && *user)
		return user;
	pw = getpwuid(getuid());
	return pw ? pw->pw_name : "unknown";
}

int fs_home_dir(struct strbuf *out, struct strbuf *err)
{
	const char *home = getenv("HOME");
	struct passwd pw, *found = NULL;
	char buf[4096];

	if (home && home[0] == '/') {
		fs_path_join(out, home, "");
		return 0;
	}
	getpwuid_r(getuid(), &pw, buf, sizeof(buf), &found);
	if (!found || !found->pw_dir || found->pw_dir[0] != '/') {
		strbuf_addstr(err, "cannot find the home directory: HOME is not set");
		return -1;
	}
	fs_path_join(out, found->pw_dir, "");
	return 0;
}

/* The XDG base directory spec: an absolute $VAR wins, else a path under home. */
static int fs_xdg_dir(struct strbuf *out, const char *var, const char *under_home,
		      struct strbuf *err)
{
	const char *xdg = getenv(var);
	struct strbuf dir = STRBUF_INIT;

	if (xdg && xdg[0] == '/') {
		fs_path_join(&dir, xdg, "slipway");
	} else {
		if (fs_home_dir(&dir, err) < 0)
			return -1;
		fs_path_join(&dir, dir.buf, under_home);
	}
	strbuf_release(out);
	*out = dir;
	return 0;
}

int fs_cache_dir(struct strbuf *out, struct strbuf *err)
{
	return fs_xdg_dir(out, "XDG_CACHE_HOME", ".cache/slipway", err);
}

int fs_state_dir(struct strbuf *out, struct strbuf *err)
{
	return fs_xdg_dir(out, "XDG_STATE_HOME", ".local/state/slipway", err);
}

int fs_find_upwards(struct strbuf *out, const char *start, const char *name)
{
	char *dir = realpath(start, NULL);
	struct strbuf candidate = STRBUF_INIT;
	int ret = -1;

	if (!dir)
		return -1;
	for (;;) {
		char *slash;

		fs_path_join(&candidate, dir, name);
		if (fs_exists(candidate.buf)) {
			fs_path_join(out, dir, "");
			ret = 0;
			break;
		}
		slash = strrchr(dir, '/');
		if (!slash || !slash[1])
			break;
		slash[slash == dir] = '\0';
	}
	strbuf_release(&candidate);
	free(dir);
	return ret;
}

int fs_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = EIO;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}
