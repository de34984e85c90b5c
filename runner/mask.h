/*
 * mask: the secret masker. Every secret is registered with the forms in
 * which it can show up in output (GitHub's runner's set of encodings, and
 * a few more), and every masked text has each occurrence of any form
 * replaced by "***". Where secrets come from is secrets.c's business.
 */
#ifndef RUNNER_MASK_H
#define RUNNER_MASK_H

#include <stddef.h>

#include "util/strbuf.h"

#define MASK_REPLACEMENT "***"

/*
 * Derived base64 fragments (see mask_add) shorter than this are not
 * registered: a two-character fragment would mask ordinary text.
 */
#define MASK_MIN_BASE64_FRAGMENT 4

struct mask_form {
	size_t off, len;        /* bytes in mask.forms */
	int original;           /* 1 for a value as registered (trimmed) */
};

struct mask_matcher;

struct mask {
	struct strbuf forms;            /* every form's bytes, concatenated */
	struct mask_form *form;
	size_t nr, alloc;
	struct mask_matcher *matcher;   /* compiled lazily; see mask_apply */
};

/* Prepare m (allocates the matcher's small state); mask_release frees it. */
void mask_init(struct mask *m);
void mask_release(struct mask *m);

/*
 * Register a secret (len bytes; NULs allowed). Surrounding whitespace is
 * trimmed first, as GitHub does; an empty or already registered value is
 * ignored. Registered are:
 *   - the value, and each non-empty line of a multi-line value (split at
 *     CR and LF, each line trimmed) — the runner masks line by line;
 *   - for the value and for each line, the forms GitHub's runner masks
 *     (ValueEncoders): JSON string escaping (as util/json writes strings),
 *     URI data escaping (RFC 3986, upper-case hex), XML escaping,
 *     expression-string escaping (' doubled), the inside of a value that
 *     is wrapped in double quotes (9 bytes or more), and base64 of the
 *     value with its first 0, 1 and 2 bytes dropped (so that a secret
 *     inside a longer base64 blob is caught at every byte alignment);
 *   - beyond GitHub: encodeURIComponent escaping (!'()* kept), and the
 *     base64 and base64url forms at each alignment trimmed to the
 *     characters that depend on the secret alone (GitHub's ADR 0297), so
 *     base64(secret + suffix) is masked too; these fragments are dropped
 *     below MASK_MIN_BASE64_FRAGMENT characters.
 * Like GitHub, any non-empty secret is masked however short: a
 * one-character secret masks that character everywhere. Secrecy wins
 * over readable logs; short secrets are the user's trade-off.
 * Returns how many new forms were registered.
 */
size_t mask_add(struct mask *m, const char *value, size_t len);

/* How many distinct values were registered with mask_add. */
size_t mask_count_secrets(const struct mask *m);

/*
 * Replace, in place, every occurrence of every registered form in line by
 * MASK_REPLACEMENT. Overlapping and adjacent occurrences merge into one
 * replacement, so no piece of a longer secret survives next to a shorter
 * one. Returns the number of replacements.
 *
 * m is logically const: the first call after mask_add rebuilds the
 * compiled matcher (held behind m->matcher). Not thread-safe. The caller
 * masks whole lines: a secret split across two calls is not found, except
 * that each line of a multi-line secret is a form of its own.
 */
size_t mask_apply(const struct mask *m, struct strbuf *line);

/* Mask len bytes of buf (any number of lines) and append them to out. */
size_t mask_apply_buf(const struct mask *m, const char *buf, size_t len, struct strbuf *out);

#endif
