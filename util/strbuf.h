/*
 * strbuf: a growable, always NUL-terminated byte buffer (in the shape of
 * git's strbuf). It owns its memory; it knows nothing of encodings.
 */
#ifndef UTIL_STRBUF_H
#define UTIL_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct strbuf {
	char *buf;      /* never NULL; "" until something is added */
	size_t len;
	size_t alloc;   /* 0 while buf points at the shared empty string */
};

#define STRBUF_INIT { strbuf_empty, 0, 0 }
extern char strbuf_empty[];

void strbuf_init(struct strbuf *sb, size_t hint);
/* Free the contents and reset to empty. */
void strbuf_release(struct strbuf *sb);
/* Hand the buffer to the caller (free() it); sb becomes empty. */
char *strbuf_detach(struct strbuf *sb, size_t *len);
void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_reset(struct strbuf *sb);
void strbuf_setlen(struct strbuf *sb, size_t len);

void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, int c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
/* Append n copies of c. */
void strbuf_addchars(struct strbuf *sb, int c, size_t n);

/* Append strerror(err) in lower case, as messages are written ("no such file ..."). */
void strbuf_add_strerror(struct strbuf *sb, int err);

/* Remove trailing whitespace / a trailing newline. */
void strbuf_rtrim(struct strbuf *sb);

/*
 * Read the whole file at path into sb (appending). Returns 0, or -1 with
 * errno set. max caps the size read (0 = no cap); a larger file fails
 * with errno EFBIG.
 */
int strbuf_read_file(struct strbuf *sb, const char *path, size_t max);
/* Read all of fd until EOF (appending); same conventions. */
int strbuf_read_fd(struct strbuf *sb, int fd, size_t max);

#endif
