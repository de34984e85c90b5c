/*
 * intern: one canonical copy of each short string for the life of the
 * process, so that equal strings are equal pointers — object keys, which
 * the same few names make up. Immortal but bounded: past INTERN_MAX_TEXT
 * bytes of text nothing new is interned and callers keep their own copy.
 * Not thread-safe (Slipway runs one thread).
 */
#ifndef UTIL_INTERN_H
#define UTIL_INTERN_H

#include <stddef.h>

#define INTERN_MAX_LEN 64               /* longer strings are not interned */
#define INTERN_MAX_TEXT (4u << 20)      /* bytes of interned text, at most */

/*
 * The canonical copy of the len bytes at s (NUL-terminated, valid until
 * intern_release), made on first use; NULL when s is longer than
 * INTERN_MAX_LEN or the table is full.
 */
const char *intern(const char *s, size_t len);

/* Free every interned string (at exit: the pointers handed out die with them). */
void intern_release(void);

#endif
