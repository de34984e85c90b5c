/*
 * fs: filesystem helpers shared by every module: directories made and
 * removed whole, trees copied and walked in a stable order, files written
 * atomically and read with a cap, paths joined, and where slipway keeps
 * its cache and state. It knows nothing of workflows or repositories.
 *
 * Functions returning int give 0, or -1 with a message in err such as
 * "cannot create directory 'a/b': Not a directory". An out strbuf has its
 * contents replaced, and is left untouched on failure.
 */
#ifndef UTIL_FS_H
#define UTIL_FS_H

#include <sys/stat.h>
#include <sys/types.h>

#include "util/strbuf.h"

/*
 * Create path and its missing parents with mode (umask applies). An
 * existing directory, or a symlink to one, is fine. Paths longer than
 * PATH_MAX work (the walk goes one component at a time).
 */
int fs_mkdir_p(const char *path, mode_t mode, struct strbuf *err);

/*
 * Remove path and everything below it. Symlinks are removed, never
 * followed. Directories we own but may not write or read (Go's read-only
 * module cache) are made writable first. Depth is bounded by neither the
 * stack nor the descriptor limit (at most 34 descriptors are open). A
 * missing path is not an error; "/", "." and ".." are refused.
 */
int fs_rm_rf(const char *path, struct strbuf *err);
/*
 * Remove everything in dir but dir itself (it may be a mount point), or
 * make dir (with mode) when it does not exist. Returns 0, or -1 with err.
 */
int fs_empty_dir(const char *dir, mode_t mode, struct strbuf *err);

/*
 * Decides what fs_copy_tree copies: return 1 to copy the entry (for a
 * directory, with what the filter lets through below it), 0 to skip it.
 * rel is relative to the source root, '/'-separated; st is from lstat.
 */
typedef int fs_filter_fn(const char *rel, const struct stat *st, void *data);

/*
 * Copy src to dst: a directory recursively (merged into dst if it
 * exists), a file or a symlink as itself. Regular files keep their
 * contents, permission bits and modification time; directories their
 * permission bits (applied after filling them, so read-only ones copy);
 * symlinks are recreated with the same target. An entry already at a
 * destination path is replaced, never written through. Sockets, FIFOs
 * and devices are skipped. filter may be NULL (copy everything).
 */
int fs_copy_tree(const char *dst, const char *src, fs_filter_fn *filter, void *data,
		 struct strbuf *err);

/*
 * Replace path's contents atomically: write a temporary file beside it,
 * set mode (as given, not masked), rename it over path. Readers see the
 * old or the new contents, never a mix; no fsync, so a power loss may
 * lose the update (but not leave a torn file on journalled filesystems).
 */
int fs_write_file(const char *path, const void *data, size_t len, mode_t mode,
		  struct strbuf *err);

/*
 * Write all len bytes of buf to fd, resuming after EINTR and short
 * writes. Returns 0, or -1 with errno set (EPIPE when the reader left).
 */
int fs_write_all(int fd, const void *buf, size_t len);

/* Read the file at path into out; a file larger than max bytes fails (0: no cap). */
int fs_read_file(struct strbuf *out, const char *path, size_t max, struct strbuf *err);

/*
 * Set out to a/b with exactly one '/' between them; b is taken relative
 * to a even when it starts with '/'. An empty a or b yields the other.
 */
void fs_path_join(struct strbuf *out, const char *a, const char *b);

/* Create a fresh directory base/prefixXXXXXX (mode 0700; base is created if missing). */
int fs_mkdtemp(struct strbuf *out, const char *base, const char *prefix, struct strbuf *err);

/* Does path exist (a dangling symlink does)? */
int fs_exists(const char *path);
/* Is path a directory, or a symlink to one? */
int fs_is_dir(const char *path);

/* One entry seen by fs_walk; valid during the callback only. */
struct fs_entry {
	const char *path;       /* the root joined with rel */
	const char *rel;        /* relative to the root, '/'-separated */
	const char *name;       /* the last component */
	struct stat st;         /* lstat; stat for a followed symlink */
	int depth;              /* 1 for the root's own entries */
};

enum fs_walk_flags {
	FS_WALK_FOLLOW = 1 << 0,        /* descend into symlinks to directories */
};

/* Returned by an fs_walk_fn for a directory: do not descend into it. */
#define FS_WALK_SKIP 1

/* Return 0 to go on, FS_WALK_SKIP, or a negative value to stop the walk. */
typedef int fs_walk_fn(const struct fs_entry *e, void *data);

/*
 * Call fn for every entry below root (not root itself), parents before
 * their contents, names in byte order within a directory. Symlinks are
 * reported as links unless FS_WALK_FOLLOW; then a link to a directory is
 * reported with the directory's stat and descended, except a link back
 * into a directory being walked (a loop), which is reported as the link.
 * Entries that vanish during the walk are skipped. Returns 0, fn's
 * negative value, or -1 with err (an unreadable directory, a path
 * longer than PATH_MAX).
 */
int fs_walk(const char *root, unsigned flags, fs_walk_fn *fn, void *data, struct strbuf *err);

/* $HOME, or the password database's home directory for our uid. */
int fs_home_dir(struct strbuf *out, struct strbuf *err);
/* The user's login name: $USER, else the password database's, else "unknown". */
const char *fs_user_name(void);
/* $XDG_CACHE_HOME/slipway, or ~/.cache/slipway (not created). */
int fs_cache_dir(struct strbuf *out, struct strbuf *err);
/* $XDG_STATE_HOME/slipway, or ~/.local/state/slipway (not created). */
int fs_state_dir(struct strbuf *out, struct strbuf *err);

/*
 * Find the nearest directory, start or one of its ancestors (after
 * resolving symlinks in start), that contains an entry called name (e.g.
 * ".git"). Returns 0 with out set to that directory, or -1 when there is
 * none up to "/" or start does not exist.
 */
int fs_find_upwards(struct strbuf *out, const char *start, const char *name);

#endif
