/*
 * intern: the table of interned strings, open addressing with linear
 * probing over a power-of-two array that doubles at half full; the text
 * lives in an arena. What callers do with equal pointers is theirs.
 */
#include "util/intern.h"
#include "util/arena.h"
#include "util/xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define INTERN_MIN_SLOTS 256

struct intern_entry {
	const char *s;          /* NULL: an empty slot */
	size_t len;
	uint64_t hash;
};

struct intern_table {
	struct intern_entry *slots;
	size_t cap, nr;
	size_t text;            /* bytes interned */
	struct arena a;
};

static struct intern_table intern_table = { NULL, 0, 0, 0, ARENA_INIT };

/* A multiply-and-mix hash, eight bytes at a time (keys are short). */
static uint64_t intern_hash(const char *s, size_t len)
{
	uint64_t h = 0x9E3779B97F4A7C15u ^ len, w;

	for (; len >= 8; s += 8, len -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xFF51AFD7ED558CCDu;
		h ^= h >> 32;
	}
	for (w = 0; len; len--)
		w = w << 8 | (unsigned char)s[len - 1];
	h = (h ^ w) * 0xC4CEB9FE1A85EC53u;
	return h ^ h >> 29;
}

/* len bytes of a and b agree; a byte loop, for the short strings interned. */
static int intern_equal(const char *a, const char *b, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

static void intern_grow(struct intern_table *t)
{
	size_t cap = t->cap ? t->cap * 2 : INTERN_MIN_SLOTS;
	struct intern_entry *slots = xcalloc(cap, sizeof(*slots));

	for (size_t i = 0; i < t->cap; i++) {
		struct intern_entry *e = &t->slots[i];
		size_t j = (size_t)e->hash & (cap - 1);

		if (!e->s)
			continue;
		while (slots[j].s)
			j = (j + 1) & (cap - 1);
		slots[j] = *e;
	}
	free(t->slots);
	t->slots = slots;
	t->cap = cap;
}

const char *intern(const char *s, size_t len)
{
	struct intern_table *t = &intern_table;
	uint64_t hash;
	size_t i;

	if (len > INTERN_MAX_LEN)
		return NULL;
	if (!t->cap)
		intern_grow(t);
	hash = intern_hash(s, len);
	for (i = (size_t)hash & (t->cap - 1); t->slots[i].s; i = (i + 1) & (t->cap - 1)) {
		struct intern_entry *e = &t->slots[i];

		if (e->hash == hash && e->len == len && intern_equal(e->s, s, len))
			return e->s;
	}
	if (t->text + len + 1 > INTERN_MAX_TEXT)
		return NULL;
	s = arena_strndup(&t->a, s, len);
	t->slots[i].s = s;
	t->slots[i].len = len;
	t->slots[i].hash = hash;
	t->text += len + 1;
	if (++t->nr * 2 > t->cap)
		intern_grow(t);
	return s;
}

void intern_release(void)
{
	struct intern_table *t = &intern_table;

	free(t->slots);
	arena_release(&t->a);
	t->slots = NULL;
	t->cap = t->nr = t->text = 0;
}
