/*
 * dynlib: a shared library opened on first use, its functions found once
 * (see dynlib.h).
 */
#include "util/dynlib.h"

#include <dlfcn.h>
#include <stdio.h>

int dynlib_load(struct dynlib *l, struct strbuf *err)
{
	void *h;

	if (!l->loaded) {
		h = dlopen(l->file, RTLD_NOW | RTLD_LOCAL);
		l->loaded = h ? 1 : -1;
		if (!h)
			snprintf(l->why, sizeof(l->why), "%s", dlerror());
		for (const struct dynlib_sym *s = l->syms; l->loaded > 0 && s->name; s++) {
			if (!(*s->fn = dlsym(h, s->name))) {
				snprintf(l->why, sizeof(l->why), "%s has no %s", l->file, s->name);
				l->loaded = -1;
			}
		}
	}
	if (l->loaded > 0)
		return 0;
	strbuf_addf(err, "cannot load %s (install %s): %s", l->name, l->package, l->why);
	return -1;
}
