/*
 * arena: a bump allocator for data that dies together (a loaded document,
 * a run, one evaluation). Individual allocations are never freed; the
 * whole arena is released at once or reset to a mark.
 */
#ifndef UTIL_ARENA_H
#define UTIL_ARENA_H

#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>

struct arena_chunk;

struct arena {
	struct arena_chunk *head;
	unsigned char *next;   /* the head chunk's free bytes: [next, limit) */
	unsigned char *limit;
	size_t total;          /* bytes handed out, for memory caps */
	/*
	 * One chunk a reset dropped, kept for the next allocation that needs
	 * a chunk: an arena reset after each evaluation mallocs nothing in
	 * the steady state. At most one; released with the arena.
	 */
	struct arena_chunk *spare;
};

struct arena_mark {
	struct arena_chunk *chunk;
	unsigned char *next;
	size_t total;
};

#define ARENA_INIT { NULL, NULL, NULL, 0, NULL }

/* Every allocation's alignment; sizes are rounded up to it. */
#define ARENA_ALIGN (alignof(max_align_t))

void arena_init(struct arena *a);
/* Free every chunk; a stays usable (empty). */
void arena_release(struct arena *a);

/* Zeroed, max_align_t-aligned memory valid until the arena is released. */
void *arena_alloc(struct arena *a, size_t size);
/* The same, not zeroed (arena_alloc_uninit, below). */
void *arena_alloc_grow(struct arena *a, size_t size);
/* Grow the block ptr (of old_size bytes) to new_size, copying if needed. */
void *arena_realloc(struct arena *a, void *ptr, size_t old_size, size_t new_size);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Remember the current position; arena_reset frees everything after it
 * (keeping one dropped chunk as the spare).
 */
void arena_reset_chunks(struct arena *a, struct arena_mark mark);

/*
 * Not zeroed: for memory the caller fills at once. Inline while the head
 * chunk has room (size - 1 < room, room a multiple of ARENA_ALIGN, also
 * sends size 0 to arena_alloc_grow); arena_alloc_grow otherwise.
 */
static inline void *arena_alloc_uninit(struct arena *a, size_t size)
{
	size_t room = (size_t)((uintptr_t)a->limit - (uintptr_t)a->next);

	if (size - 1 < room) {
		void *p = a->next;

		size = (size + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
		a->next += size;
		a->total += size;
		return p;
	}
	return arena_alloc_grow(a, size);
}

static inline struct arena_mark arena_mark(const struct arena *a)
{
	struct arena_mark m = { a->head, a->next, a->total };

	return m;
}

/* Inline when nothing since the mark needed a new chunk. */
static inline void arena_reset(struct arena *a, struct arena_mark mark)
{
	if (a->head != mark.chunk) {
		arena_reset_chunks(a, mark);
		return;
	}
	a->next = mark.next;
	a->total = mark.total;
}

#endif
