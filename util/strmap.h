/*
 * strmap: a hash map from NUL-terminated strings to pointers, exact or
 * ignoring ASCII case. Keys are not copied: they must outlive the map (in
 * practice they live in a document's arena). No ordering, no removal.
 */
#ifndef UTIL_STRMAP_H
#define UTIL_STRMAP_H

#include <stddef.h>

struct strmap_entry {
	const char *key;
	void *value;
};

struct strmap {
	struct strmap_entry *slots;     /* open addressing; key NULL = free */
	size_t nr, alloc;               /* alloc is 0 or a power of two */
	int fold;                       /* compare ignoring ASCII case */
};

#define STRMAP_INIT { NULL, 0, 0, 0 }

void strmap_init(struct strmap *m, int fold);
void strmap_release(struct strmap *m);

/*
 * Insert key -> value unless the key is present. Returns the entry that
 * holds the key: the new one, or the existing one (whose value is kept).
 */
struct strmap_entry *strmap_put(struct strmap *m, const char *key, void *value);
/* The entry for key, or NULL. */
struct strmap_entry *strmap_get(const struct strmap *m, const char *key);

#endif
