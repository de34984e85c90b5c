/*
 * arena: chunked bump allocation. Chunks grow geometrically up to 1 MiB;
 * allocations larger than a chunk get a chunk of their own. A reset keeps
 * one dropped chunk for reuse, so reset-per-evaluation loops stay off malloc.
 */
#include "util/arena.h"
#include "util/bytecopy.h"
#include "util/xalloc.h"

#include <stdalign.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct arena_chunk {
	struct arena_chunk *prev;
	size_t size;
	alignas(max_align_t) unsigned char data[];
};
#define ARENA_MIN_CHUNK 4096
#define ARENA_MAX_CHUNK (1u << 20)

void arena_init(struct arena *a)
{
	a->head = NULL;
	a->next = a->limit = NULL;
	a->total = 0;
	a->spare = NULL;
}

void arena_release(struct arena *a)
{
	struct arena_chunk *c = a->head;

	while (c) {
		struct arena_chunk *prev = c->prev;
		free(c);
		c = prev;
	}
	free(a->spare);
	arena_init(a);
}

static size_t arena_round(size_t n)
{
	return (n + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
}

/* Make c the head chunk, all of it free. */
static void arena_enter(struct arena *a, struct arena_chunk *c)
{
	a->head = c;
	a->next = c ? c->data : NULL;
	a->limit = c ? c->data + c->size : NULL;
}

void *arena_alloc_grow(struct arena *a, size_t size)
{
	struct arena_chunk *c = a->head;

	size = arena_round(size ? size : 1);
	if (!c || (size_t)(a->limit - a->next) < size) {
		size_t want = c ? c->size * 2 : ARENA_MIN_CHUNK;

		if (want > ARENA_MAX_CHUNK)
			want = ARENA_MAX_CHUNK;
		if (want < size)
			want = size;
		if (a->spare && a->spare->size >= size) {
			c = a->spare;
			a->spare = NULL;
		} else {
			c = xmalloc(sizeof(*c) + want);
			c->size = want;
		}
		c->prev = a->head;
		arena_enter(a, c);
	}
	return arena_alloc_uninit(a, size);
}

void *arena_alloc(struct arena *a, size_t size)
{
	void *p = arena_alloc_uninit(a, size);

	memset(p, 0, arena_round(size ? size : 1));
	return p;
}

void *arena_realloc(struct arena *a, void *ptr, size_t old_size, size_t new_size)
{
	struct arena_chunk *c = a->head;
	void *p;

	if (!ptr)
		return arena_alloc(a, new_size);
	old_size = arena_round(old_size ? old_size : 1);
	/* The last allocation of the head chunk can grow in place. */
	if (c && (unsigned char *)ptr + old_size == a->next) {
		size_t need = arena_round(new_size);

		if (need <= old_size)
			return ptr;
		if (need - old_size <= (size_t)(a->limit - a->next)) {
			memset((unsigned char *)ptr + old_size, 0, need - old_size);
			a->next += need - old_size;
			a->total += need - old_size;
			return ptr;
		}
	}
	if (new_size <= old_size)
		return ptr;
	p = arena_alloc(a, new_size);
	memcpy(p, ptr, old_size);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	/* Every byte is written: no zeroing first. */
	char *p = arena_alloc_uninit(a, n + 1);

	bytecopy_short(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return arena_alloc(a, 1);      /* "" */
	p = arena_alloc(a, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void arena_reset_chunks(struct arena *a, struct arena_mark mark)
{
	while (a->head && a->head != mark.chunk) {
		struct arena_chunk *prev = a->head->prev;

		/* The chunk nearest the mark is the one the next allocations need. */
		free(a->spare);
		a->spare = a->head;
		a->head = prev;
	}
	arena_enter(a, a->head);
	if (a->head)
		a->next = mark.next;
	a->total = mark.total;
}
