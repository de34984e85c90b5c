/*
 * bytecopy: copies of short byte runs inline. For the few to few dozen
 * bytes of keys, names and pieces of results, a call to memcpy with a
 * length known only at run time costs more than the copy; fixed-size
 * moves the compiler inlines do not. Nothing else lives here.
 */
#ifndef UTIL_BYTECOPY_H
#define UTIL_BYTECOPY_H

#include <stddef.h>
#include <string.h>

/*
 * Copy n bytes from s to to (which do not overlap): up to 128 bytes in two
 * overlapping runs of fixed-size moves, longer ones through memcpy.
 */
static inline __attribute__((always_inline)) void bytecopy_short(void *to, const void *s,
								size_t n)
{
	char *d = to;
	const char *p = s;

	if (n > 128) {
		memcpy(d, p, n);
	} else if (n > 64) {
		memcpy(d, p, 64);
		memcpy(d + n - 64, p + n - 64, 64);
	} else if (n > 32) {
		memcpy(d, p, 32);
		memcpy(d + n - 32, p + n - 32, 32);
	} else if (n > 16) {
		memcpy(d, p, 16);
		memcpy(d + n - 16, p + n - 16, 16);
	} else if (n >= 8) {
		memcpy(d, p, 8);
		memcpy(d + n - 8, p + n - 8, 8);
	} else if (n >= 4) {
		memcpy(d, p, 4);
		memcpy(d + n - 4, p + n - 4, 4);
	} else if (n) {
		d[0] = p[0];
		d[n / 2] = p[n / 2];
		d[n - 1] = p[n - 1];
	}
}

#endif
