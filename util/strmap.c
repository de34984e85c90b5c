/*
 * strmap: linear probing over a power-of-two table kept at most half
 * full; FNV-1a hashing of the (case-folded) key.
 */
#include "util/strmap.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

void strmap_init(struct strmap *m, int fold)
{
	m->slots = NULL;
	m->nr = m->alloc = 0;
	m->fold = fold;
}

void strmap_release(struct strmap *m)
{
	free(m->slots);
	strmap_init(m, m->fold);
}

static size_t strmap_hash(const char *s, int fold)
{
	size_t h = 2166136261u;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (fold && c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		h = (h ^ c) * 16777619u;
	}
	return h;
}

static struct strmap_entry *strmap_slot(const struct strmap *m, const char *key)
{
	size_t mask = m->alloc - 1;
	size_t i = strmap_hash(key, m->fold) & mask;

	while (m->slots[i].key &&
	       (m->fold ? strcasecmp(m->slots[i].key, key) : strcmp(m->slots[i].key, key)))
		i = (i + 1) & mask;
	return &m->slots[i];
}

static void strmap_grow(struct strmap *m)
{
	struct strmap_entry *old = m->slots;
	size_t old_alloc = m->alloc;

	m->alloc = m->alloc ? m->alloc * 2 : 16;
	m->slots = xcalloc(m->alloc, sizeof(*m->slots));
	for (size_t i = 0; i < old_alloc; i++)
		if (old[i].key)
			*strmap_slot(m, old[i].key) = old[i];
	free(old);
}

struct strmap_entry *strmap_put(struct strmap *m, const char *key, void *value)
{
	struct strmap_entry *e;

	if ((m->nr + 1) * 2 > m->alloc)
		strmap_grow(m);
	e = strmap_slot(m, key);
	if (!e->key) {
		e->key = key;
		e->value = value;
		m->nr++;
	}
	return e;
}

struct strmap_entry *strmap_get(const struct strmap *m, const char *key)
{
	struct strmap_entry *e;

	if (!m->alloc)
		return NULL;
	e = strmap_slot(m, key);
	return e->key ? e : NULL;
}
