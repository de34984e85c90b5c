/*
 * xalloc: abort-on-failure wrappers around the libc allocator.
 */
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void xalloc_die(size_t size)
{
	fprintf(stderr, "slipway: out of memory (allocating %zu bytes)\n", size);
	abort();
}

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);
	if (!p)
		xalloc_die(size);
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
	if (!p)
		xalloc_die(nmemb * size);
	return p;
}

void *xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);
	if (!p)
		xalloc_die(size);
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void xgrow(void **ptr, size_t elsize, size_t nr, size_t *alloc)
{
	size_t n;

	if (nr <= *alloc)
		return;
	n = *alloc ? *alloc : 8;
	while (n < nr) {
		if (n > ((size_t)-1) / 2 / elsize)
			xalloc_die(nr * elsize);
		n *= 2;
	}
	*ptr = xrealloc(*ptr, n * elsize);
	*alloc = n;
}
