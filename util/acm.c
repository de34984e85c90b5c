/*
 * acm: building and running Aho–Corasick automata. Bytes are folded into
 * equivalence classes (every byte no pattern uses shares class 0); states
 * are numbered in breadth-first order so the shallow, hot ones come first
 * and get full transition rows. Knows nothing of what is being matched.
 */
#include "util/acm.h"
#include "util/xalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * A dense row entry is (next state << 1) | 1 if a pattern ends in the next
 * state: the scan learns of a match without another memory access. Rows
 * are padded to a power of two so that finding one is a shift.
 */
struct acm {
	uint16_t cls[256];      /* byte -> class; 0 for bytes in no pattern */
	size_t ncls;            /* classes, class 0 included */
	unsigned row_shift;     /* log2 of the padded row length */
	size_t nstates;
	size_t ndense;          /* states [0, ndense) have a row in dense */
	uint32_t *dense;        /* ndense rows of entries, as above */
	uint32_t *fail;         /* failure link of each state */
	uint32_t *out;          /* longest pattern ending in this state, or 0 */
	uint32_t *kids;         /* first child (children have consecutive ids) */
	uint16_t *nkids;        /* how many children */
	uint16_t *label;        /* class of the edge into each state */
};

/* The trie while patterns are inserted: linked children, insertion ids. */
struct acm_trie {
	uint32_t *first, *next, *own;
	uint16_t *label, *nkids;
	uint32_t root_kids[257];        /* children of the root by class, 0 = none */
	size_t nr;
};

static uint32_t acm_trie_child(const struct acm_trie *t, uint32_t node, unsigned c)
{
	if (!node)
		return t->root_kids[c];
	for (uint32_t k = t->first[node]; k; k = t->next[k])
		if (t->label[k] == c)
			return k;
	return 0;
}

static void acm_trie_insert(struct acm_trie *t, const struct acm *ac,
			    const unsigned char *p, uint32_t len)
{
	uint32_t node = 0;

	for (uint32_t i = 0; i < len; i++) {
		unsigned c = ac->cls[p[i]];
		uint32_t k = acm_trie_child(t, node, c);

		if (!k) {
			k = (uint32_t)t->nr++;
			t->first[k] = 0;
			t->own[k] = 0;
			t->nkids[k] = 0;
			t->label[k] = (uint16_t)c;
			t->next[k] = t->first[node];
			t->first[node] = k;
			t->nkids[node]++;
			if (!node)
				t->root_kids[c] = k;
		}
		node = k;
	}
	if (t->own[node] < len)
		t->own[node] = len;
}

static void acm_set_classes(struct acm *ac, const struct acm_pattern *pats, size_t n)
{
	unsigned char used[256] = { 0 };

	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < pats[i].len; j++)
			used[(unsigned char)pats[i].ptr[j]] = 1;
	ac->ncls = 1;
	for (unsigned b = 0; b < 256; b++)
		ac->cls[b] = used[b] ? (uint16_t)ac->ncls++ : 0;
}

/* Renumber trie nodes breadth-first; siblings end up with consecutive ids. */
static void acm_number_states(struct acm *ac, const struct acm_trie *t, uint32_t *order)
{
	uint32_t *newid = xmalloc(t->nr * sizeof(*newid));
	size_t head = 0, tail = 1;

	order[0] = 0;
	newid[0] = 0;
	while (head < tail) {
		uint32_t old = order[head++], s = newid[old];

		ac->kids[s] = (uint32_t)tail;
		ac->nkids[s] = t->nkids[old];
		for (uint32_t k = t->first[old]; k; k = t->next[k]) {
			newid[k] = (uint32_t)tail;
			order[tail++] = k;
		}
	}
	for (size_t i = 0; i < t->nr; i++) {
		ac->label[newid[i]] = t->label[i];
		ac->out[newid[i]] = t->own[i];
	}
	free(newid);
}

static uint32_t acm_kid(const struct acm *ac, uint32_t s, unsigned c)
{
	for (uint32_t k = ac->kids[s], end = k + ac->nkids[s]; k < end; k++)
		if (ac->label[k] == c)
			return k;
	return 0;
}

static uint32_t acm_entry(const struct acm *ac, uint32_t s)
{
	return s << 1 | (ac->out[s] != 0);
}

/* The transition from s on class c, for any state, as a row entry. */
__attribute__((noinline))
static uint32_t acm_next(const struct acm *ac, uint32_t s, unsigned c)
{
	if (!c)
		return 0;
	while (s >= ac->ndense) {
		uint32_t k = acm_kid(ac, s, c);

		if (k)
			return acm_entry(ac, k);
		s = ac->fail[s];
	}
	return ac->dense[((size_t)s << ac->row_shift) + c];
}

/*
 * Failure links, inherited match lengths and dense rows, breadth-first: a
 * state's failure target is shallower, so it is complete when needed.
 * Match flags go into the row entries at the end, once every state's match
 * length is known (a row can point at states not yet linked).
 */
static void acm_link(struct acm *ac)
{
	size_t rowlen = (size_t)1 << ac->row_shift;

	ac->fail[0] = 0;
	for (uint32_t s = 0; s < ac->nstates; s++) {
		uint32_t f = ac->fail[s];

		if (s && ac->out[f] > ac->out[s])
			ac->out[s] = ac->out[f];
		for (uint32_t k = ac->kids[s], end = k + ac->nkids[s]; k < end; k++)
			ac->fail[k] = s ? acm_next(ac, f, ac->label[k]) >> 1 : 0;
		if (s < ac->ndense) {
			uint32_t *row = ac->dense + (size_t)s * rowlen;

			if (s)
				memcpy(row, ac->dense + (size_t)f * rowlen, ac->ncls * sizeof(*row));
			else
				memset(row, 0, rowlen * sizeof(*row));
			for (uint32_t k = ac->kids[s], end = k + ac->nkids[s]; k < end; k++)
				row[ac->label[k]] = k << 1;
		}
	}
	/* Every state's match length is final now: flag the entries. */
	for (size_t i = 0; i < ac->ndense * rowlen; i++)
		ac->dense[i] = acm_entry(ac, ac->dense[i] >> 1);
}

struct acm *acm_build(const struct acm_pattern *pats, size_t n, size_t dense_budget)
{
	struct acm *ac = xcalloc(1, sizeof(*ac));
	struct acm_trie t;
	size_t cap = 1;
	uint32_t *order;

	for (size_t i = 0; i < n; i++)
		cap += pats[i].len;
	if (cap > ACM_MAX_BYTES) {
		/* As running out of memory: no caller can go on without its patterns. */
		fputs("fatal: acm: patterns exceed 2 GiB\n", stderr);
		abort();
	}
	acm_set_classes(ac, pats, n);
	memset(&t, 0, sizeof(t));
	t.first = xcalloc(cap, sizeof(*t.first));
	t.next = xcalloc(cap, sizeof(*t.next));
	t.own = xcalloc(cap, sizeof(*t.own));
	t.label = xcalloc(cap, sizeof(*t.label));
	t.nkids = xcalloc(cap, sizeof(*t.nkids));
	t.nr = 1;
	for (size_t i = 0; i < n; i++)
		acm_trie_insert(&t, ac, (const unsigned char *)pats[i].ptr, (uint32_t)pats[i].len);

	ac->nstates = t.nr;
	ac->fail = xcalloc(t.nr, sizeof(*ac->fail));
	ac->out = xcalloc(t.nr, sizeof(*ac->out));
	ac->kids = xcalloc(t.nr, sizeof(*ac->kids));
	ac->nkids = xcalloc(t.nr, sizeof(*ac->nkids));
	ac->label = xcalloc(t.nr, sizeof(*ac->label));
	order = xmalloc(t.nr * sizeof(*order));
	acm_number_states(ac, &t, order);
	free(order);
	free(t.first);
	free(t.next);
	free(t.own);
	free(t.label);
	free(t.nkids);

	if (!dense_budget)
		dense_budget = ACM_DENSE_DEFAULT;
	while (((size_t)1 << ac->row_shift) < ac->ncls)
		ac->row_shift++;
	ac->ndense = dense_budget / (sizeof(*ac->dense) << ac->row_shift);
	if (ac->ndense < 1)
		ac->ndense = 1;     /* the root always has its row */
	if (ac->ndense > ac->nstates)
		ac->ndense = ac->nstates;
	ac->dense = xcalloc(ac->ndense << ac->row_shift, sizeof(*ac->dense));
	acm_link(ac);
	return ac;
}

void acm_free(struct acm *ac)
{
	if (!ac)
		return;
	free(ac->dense);
	free(ac->fail);
	free(ac->out);
	free(ac->kids);
	free(ac->nkids);
	free(ac->label);
	free(ac);
}

/* Off the scan's hot path (noinline keeps the loop's registers free). */
__attribute__((noinline))
static void acm_spans_add(struct acm_spans *out, size_t start, size_t end)
{
	/* Ends arrive in increasing order; a span may swallow earlier ones. */
	while (out->nr && start <= out->items[out->nr - 1].end) {
		if (out->items[out->nr - 1].start < start)
			start = out->items[out->nr - 1].start;
		out->nr--;
	}
	ALLOC_GROW(out->items, out->nr + 1, out->alloc);
	out->items[out->nr].start = start;
	out->items[out->nr].end = end;
	out->nr++;
}

size_t acm_cover(const struct acm *ac, const char *text, size_t len, struct acm_spans *out)
{
	const unsigned char *p = (const unsigned char *)text;
	const uint32_t *dense = ac->dense, *outlen = ac->out;
	const uint16_t *cls = ac->cls;
	const unsigned shift = ac->row_shift;
	const uint32_t ndense = (uint32_t)ac->ndense;
	uint32_t s = 0;

	out->nr = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned c = cls[p[i]];
		uint32_t e = s < ndense ? dense[((size_t)s << shift) + c] : acm_next(ac, s, c);

		s = e >> 1;
		if (e & 1)
			acm_spans_add(out, i + 1 - outlen[s], i + 1);
	}
	return out->nr;
}

void acm_get_stats(const struct acm *ac, struct acm_stats *out)
{
	out->states = ac->nstates;
	out->dense_states = ac->ndense;
	out->classes = ac->ncls;
	out->bytes = sizeof(*ac) + (ac->ndense << ac->row_shift) * sizeof(*ac->dense) +
		ac->nstates * (3 * sizeof(uint32_t) + 2 * sizeof(uint16_t));
}
