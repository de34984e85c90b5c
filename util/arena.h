/*
 * arena: a bump allocator for data that dies together (a loaded document,
 * a run, one evaluation). Individual allocations are never freed; the
 * whole arena is released at once or reset to a mark.
 */
#ifndef UTIL_ARENA_H
#define UTIL_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
	struct arena_chunk *head;
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
	size_t used;
	size_t total;
};

#define ARENA_INIT { NULL, 0, NULL }

void arena_init(struct arena *a);
/* Free every chunk; a stays usable (empty). */
void arena_release(struct arena *a);

/* Zeroed, max_align_t-aligned memory valid until the arena is released. */
void *arena_alloc(struct arena *a, size_t size);
/* The same, not zeroed: for memory the caller fills at once. */
void *arena_alloc_uninit(struct arena *a, size_t size);
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
struct arena_mark arena_mark(const struct arena *a);
void arena_reset(struct arena *a, struct arena_mark mark);

#endif
