/*
 * options: command-line option parsing from one table per command, which
 * also produces the command's --help text. GNU style: options and
 * arguments may be mixed; "--" ends options.
 */
#ifndef UTIL_OPTIONS_H
#define UTIL_OPTIONS_H

#include <stdio.h>

#include "util/strbuf.h"

enum opt_type {
	OPT_END,
	OPT_FLAG,       /* int *: set to 1 */
	OPT_STRING,     /* const char **: the argument (points into argv) */
	OPT_INT,        /* int *: a decimal integer */
	OPT_LIST,       /* struct strlist *: every occurrence appended */
};

struct option {
	enum opt_type type;
	int short_name;         /* 0 for none */
	const char *long_name;  /* NULL for none */
	void *value;
	const char *argh;       /* argument placeholder for help, e.g. "FILE" */
	const char *help;
};

#define OPTIONS_HELP (-2)

/*
 * Parse argv[1..argc) against opts. Positional arguments are moved to the
 * front of argv (argv[0..n)) and n is returned. Returns -1 with a message
 * in err for an unknown option or a missing/invalid argument, and
 * OPTIONS_HELP when -h/--help was given.
 */
int options_parse(int argc, const char **argv, const struct option *opts, struct strbuf *err);

/* Print "usage: <usage>" and the option table. */
void options_usage(FILE *fp, const char *usage, const struct option *opts);

#endif
