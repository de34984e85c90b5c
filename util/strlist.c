/*
 * strlist: owned string vectors, always NULL-terminated.
 */
#include "util/strlist.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void strlist_init(struct strlist *l)
{
	l->items = NULL;
	l->nr = l->alloc = 0;
}

void strlist_release(struct strlist *l)
{
	for (size_t i = 0; i < l->nr; i++)
		free(l->items[i]);
	free(l->items);
	strlist_init(l);
}

void strlist_push_owned(struct strlist *l, char *s)
{
	ALLOC_GROW(l->items, l->nr + 2, l->alloc);
	l->items[l->nr++] = s;
	l->items[l->nr] = NULL;
}

void strlist_push(struct strlist *l, const char *s)
{
	strlist_push_owned(l, xstrdup(s));
}

void strlist_pushf(struct strlist *l, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	strlist_push_owned(l, strbuf_detach(&sb, NULL));
}

long strlist_find(const struct strlist *l, const char *s)
{
	for (size_t i = 0; i < l->nr; i++)
		if (!strcmp(l->items[i], s))
			return (long)i;
	return -1;
}
