/*
 * diag: collected diagnostics ({file, line, col, severity, rule, message}),
 * printed as `path:line:col: error: message [rule]`. Parsers and validators
 * append to a list instead of stopping at the first problem.
 */
#ifndef UTIL_DIAG_H
#define UTIL_DIAG_H

#include <stddef.h>
#include <stdio.h>

enum diag_severity {
	DIAG_ERROR,
	DIAG_WARNING,
	DIAG_NOTE,
};

struct diag {
	char *file;             /* may be NULL (no file) */
	int line, col;          /* 1-based; 0 when unknown */
	enum diag_severity severity;
	const char *rule;       /* static string such as "syntax-check"; may be NULL */
	char *message;          /* lowercase, no trailing period */
	int width;              /* columns of the fault, for a caret under it (0: none) */
};

struct diag_list {
	struct diag *items;
	size_t nr, alloc;
	size_t errors;          /* how many items are DIAG_ERROR */
};

#define DIAG_LIST_INIT { NULL, 0, 0, 0 }

void diag_list_init(struct diag_list *l);
void diag_list_release(struct diag_list *l);

/* Append a diagnostic; file and the formatted message are copied. */
void diag_add(struct diag_list *l, enum diag_severity sev, const char *file,
	      int line, int col, const char *rule, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
void diag_vadd(struct diag_list *l, enum diag_severity sev, const char *file,
	       int line, int col, const char *rule, const char *fmt, va_list ap);

/* Move every diagnostic of from to the end of to; from is left empty. */
void diag_list_move(struct diag_list *to, struct diag_list *from);

/* <0, 0, >0 as position a (file may be NULL) comes before, with, after b. */
int diag_position_cmp(const char *afile, int aline, int acol, const char *bfile, int bline,
		      int bcol);

/* Stable sort by file, line, column. */
void diag_list_sort(struct diag_list *l);

/* `file:line:col: error: message [rule]` (parts that are unknown are left out). */
void diag_print(FILE *fp, const struct diag *d);
void diag_list_print(FILE *fp, const struct diag_list *l);

/*
 * Print a source line with a caret under columns [col, col+width) (1-based),
 * as `   |  text` / `   |  ^~~~`. Tabs in the line are kept so the caret lines up.
 */
void diag_print_caret(FILE *fp, const char *line, size_t line_len, int col, int width);

#endif
