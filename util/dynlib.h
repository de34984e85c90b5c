/*
 * dynlib: a shared library opened when it is first needed (dlopen), its
 * functions found by name into the caller's pointers, once per process;
 * a failure is remembered and said again on every later call. Used for
 * libraries most commands never need (libcurl, libarchive), whose own
 * dependencies would otherwise load into every process.
 */
#ifndef UTIL_DYNLIB_H
#define UTIL_DYNLIB_H

#include "util/strbuf.h"

/* A function to find: its name, and the pointer that receives its address. */
struct dynlib_sym {
	const char *name;
	void **fn;
};

struct dynlib {
	const char *file;                   /* "libcurl.so.4" */
	const char *name;                   /* "libcurl", for messages */
	const char *package;                /* "libcurl4": what to install */
	const struct dynlib_sym *syms;      /* ending with a NULL name */
	int loaded;                         /* 0 not yet, 1 loaded, -1 failed */
	char why[256];
};

/*
 * Open l and find its functions, the first time; 0, or -1 with
 * "cannot load NAME (install PACKAGE): why" in err.
 */
int dynlib_load(struct dynlib *l, struct strbuf *err);

#endif
