/*
 * diag: storage, ordering and printing of diagnostics. The wording of the
 * messages belongs to the modules that raise them.
 */
#include "util/diag.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void diag_list_init(struct diag_list *l)
{
	l->items = NULL;
	l->nr = l->alloc = l->errors = 0;
}

void diag_list_release(struct diag_list *l)
{
	for (size_t i = 0; i < l->nr; i++) {
		free(l->items[i].file);
		free(l->items[i].message);
	}
	free(l->items);
	diag_list_init(l);
}

void diag_vadd(struct diag_list *l, enum diag_severity sev, const char *file,
	       int line, int col, const char *rule, const char *fmt, va_list ap)
{
	struct strbuf msg = STRBUF_INIT;
	struct diag *d;

	strbuf_vaddf(&msg, fmt, ap);
	ALLOC_GROW(l->items, l->nr + 1, l->alloc);
	d = &l->items[l->nr++];
	d->file = file ? xstrdup(file) : NULL;
	d->line = line;
	d->col = col;
	d->width = 0;
	d->severity = sev;
	d->rule = rule;
	d->message = strbuf_detach(&msg, NULL);
	if (sev == DIAG_ERROR)
		l->errors++;
}

void diag_add(struct diag_list *l, enum diag_severity sev, const char *file,
	      int line, int col, const char *rule, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(l, sev, file, line, col, rule, fmt, ap);
	va_end(ap);
}

void diag_list_move(struct diag_list *to, struct diag_list *from)
{
	if (!from->nr) {
		diag_list_release(from);
		return;
	}
	if (!to->nr) {
		diag_list_release(to);
		*to = *from;
		diag_list_init(from);
		return;
	}
	ALLOC_GROW(to->items, to->nr + from->nr, to->alloc);
	memcpy(to->items + to->nr, from->items, from->nr * sizeof(*from->items));
	to->nr += from->nr;
	to->errors += from->errors;
	free(from->items);
	diag_list_init(from);
}

int diag_position_cmp(const char *afile, int aline, int acol, const char *bfile, int bline,
		      int bcol)
{
	int c = strcmp(afile ? afile : "", bfile ? bfile : "");

	if (c)
		return c;
	if (aline != bline)
		return aline < bline ? -1 : 1;
	if (acol != bcol)
		return acol < bcol ? -1 : 1;
	return 0;
}

static int diag_cmp(const struct diag *a, const struct diag *b)
{
	return diag_position_cmp(a->file, a->line, a->col, b->file, b->line, b->col);
}

void diag_list_sort(struct diag_list *l)
{
	/* Insertion sort: stable, and lists are short. */
	for (size_t i = 1; i < l->nr; i++) {
		struct diag tmp = l->items[i];
		size_t j = i;

		while (j > 0 && diag_cmp(&l->items[j - 1], &tmp) > 0) {
			l->items[j] = l->items[j - 1];
			j--;
		}
		l->items[j] = tmp;
	}
}

static const char *const diag_severity_names[] = {
	[DIAG_ERROR] = "error",
	[DIAG_WARNING] = "warning",
	[DIAG_NOTE] = "note",
};

void diag_print(FILE *fp, const struct diag *d)
{
	if (d->file) {
		fputs(d->file, fp);
		if (d->line > 0) {
			fprintf(fp, ":%d", d->line);
			if (d->col > 0)
				fprintf(fp, ":%d", d->col);
		}
		fputs(": ", fp);
	}
	fprintf(fp, "%s: %s", diag_severity_names[d->severity], d->message);
	if (d->rule)
		fprintf(fp, " [%s]", d->rule);
	fputc('\n', fp);
}

void diag_list_print(FILE *fp, const struct diag_list *l)
{
	for (size_t i = 0; i < l->nr; i++)
		diag_print(fp, &l->items[i]);
}

void diag_print_caret(FILE *fp, const char *line, size_t line_len, int col, int width)
{
	fputs("    | ", fp);
	fwrite(line, 1, line_len, fp);
	fputs("\n    | ", fp);
	for (int i = 1; i < col; i++)
		fputc((size_t)(i - 1) < line_len && line[i - 1] == '\t' ? '\t' : ' ', fp);
	fputc('^', fp);
	for (int i = 1; i < width; i++)
		fputc('~', fp);
	fputc('\n', fp);
}
