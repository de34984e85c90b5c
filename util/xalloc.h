/*
 * xalloc: allocation wrappers that never return NULL.
 * Running out of memory is not an error a caller can recover from here,
 * so these abort with a message instead of making every caller check.
 */
#ifndef UTIL_XALLOC_H
#define UTIL_XALLOC_H

#include <stddef.h>

/* malloc/calloc/realloc/strdup that abort on failure. */
void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/*
 * Grow *ptr (an array of elements of size elsize with *alloc slots) so that
 * it holds at least nr elements; growth is geometric.
 */
void xgrow(void **ptr, size_t elsize, size_t nr, size_t *alloc);

#define ALLOC_GROW(ptr, nr, alloc) \
	xgrow((void **)&(ptr), sizeof(*(ptr)), (nr), &(alloc))

#endif
