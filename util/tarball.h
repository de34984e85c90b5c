/*
 * tarball: tar archives (plain, gzip, zstd) made from a directory tree and
 * extracted into one, safely. The only file that includes archive.h. It
 * reads and writes bytes; where they go (a container, a cache, a file) is
 * the caller's business.
 */
#ifndef UTIL_TARBALL_H
#define UTIL_TARBALL_H

#include <stddef.h>
#include <sys/types.h>

#include "util/strbuf.h"
#include "util/strlist.h"

enum tarball_format {
	TARBALL_TAR,
	TARBALL_TAR_GZIP,
	TARBALL_TAR_ZSTD,
};

struct tarball_opts {
	enum tarball_format format;
	const char *prefix;     /* store names as prefix/path (NULL or "": as they are) */
	int root_owner;         /* store uid/gid 0 instead of the files' owners */
	int set_owner;          /* store uid/gid below instead (wins over root_owner) */
	uid_t uid;
	gid_t gid;
};

/* Consumes len bytes; 0, or -1 to stop the archive (the callback says why). */
typedef int tarball_write_fn(void *data, const void *buf, size_t len);
/* Fills up to len bytes; returns the count, 0 at the end, -1 on error. */
typedef ssize_t tarball_read_fn(void *data, void *buf, size_t len);

/*
 * A tar stream pulled on demand: each read produces the next bytes of the
 * archive, so it can be handed to a consumer that reads (an HTTP upload)
 * without a temporary file or a helper thread. Memory stays bounded by one
 * file chunk plus the compressor's window.
 *
 * paths lists the files and directories to store, relative to root
 * (directories recursively); NULL stores everything below root. Paths
 * must be relative and free of `..`. Entries come in byte order of their
 * names; symlinks are stored as links, never followed; sockets, fifos and
 * devices are left out. With a prefix, the prefix directory itself is the
 * first entry (with root's mode).
 */
struct tarball_source;

/* NULL with a message in err when a path is invalid or cannot be listed. */
struct tarball_source *tarball_source_new(const char *root, const struct strlist *paths,
					  const struct tarball_opts *opts, struct strbuf *err);
/* Next bytes: the count, 0 at the end, -1 on error (see tarball_source_error). */
ssize_t tarball_source_read(struct tarball_source *s, void *buf, size_t len);
/* The message of the failure that made a read return -1 ("" before one). */
const char *tarball_source_error(const struct tarball_source *s);
/* A tarball_read_fn over a source (data is the struct tarball_source *). */
ssize_t tarball_source_read_fn(void *data, void *buf, size_t len);
void tarball_source_free(struct tarball_source *s);

/* Write the whole archive to fn; 0, or -1 with a message in err. */
int tarball_create(const char *root, const struct strlist *paths,
		   const struct tarball_opts *opts, tarball_write_fn *fn, void *data,
		   struct strbuf *err);
/* Write the whole archive to the file at path (created or truncated, 0644). */
int tarball_create_file(const char *file, const char *root, const struct strlist *paths,
			const struct tarball_opts *opts, struct strbuf *err);

/*
 * Extract an archive (tar; any compression libarchive reads, detected
 * from the data) into the existing directory dir. Refused, with the
 * entry's name in the message: absolute names, names with `..`, hard
 * links that leave dir, writes through a symlink, devices, fifos and
 * sockets. Modes, times and symlinks are kept; owners are not (files
 * belong to the caller). Entries before a refused one stay extracted.
 * Returns 0 or -1 with a message in err.
 */
int tarball_extract(const char *dir, tarball_read_fn *fn, void *data, struct strbuf *err);
int tarball_extract_file(const char *dir, const char *file, struct strbuf *err);
int tarball_extract_buffer(const char *dir, const void *buf, size_t len, struct strbuf *err);

#endif
