/*
 * strlist: an owned, growable list of NUL-terminated strings (argv
 * vectors, repeated options, path lists).
 */
#ifndef UTIL_STRLIST_H
#define UTIL_STRLIST_H

#include <stddef.h>

struct strlist {
	char **items;       /* items[nr] is NULL, so a strlist is an argv */
	size_t nr, alloc;
};

#define STRLIST_INIT { NULL, 0, 0 }

void strlist_init(struct strlist *l);
void strlist_release(struct strlist *l);
/* Append a copy of s. */
void strlist_push(struct strlist *l, const char *s);
void strlist_pushf(struct strlist *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Take ownership of a malloc'd s. */
void strlist_push_owned(struct strlist *l, char *s);
/* Index of s, or -1. */
long strlist_find(const struct strlist *l, const char *s);

#endif
