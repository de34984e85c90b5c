/*
 * scan: the secret and risky-pattern scanner behind `slipway scan` and the
 * pipeline's scan job — the rule table, the allowlist (.slipway-scan-ignore
 * and inline "slipway-scan: ignore"), the walk over a tree, and redaction.
 * A matched secret is never stored: a finding keeps a preview of at most
 * SCAN_PREVIEW_MAX bytes. Exit codes and printing belong to runner/cmd_scan.c.
 */
#ifndef STAGES_SCAN_H
#define STAGES_SCAN_H

#include <stddef.h>
#include <stdio.h>

#include "util/arena.h"
#include "util/diag.h"
#include "util/rx.h"
#include "util/strbuf.h"

enum scan_severity {
	SCAN_LOW,
	SCAN_MEDIUM,
	SCAN_HIGH,
};

/* An extra test a rule's match must pass to become a finding. */
enum scan_check {
	SCAN_CHECK_NONE,
	SCAN_CHECK_RANDOM,      /* the secret looks random: scan_looks_random() */
};

struct scan_rule {
	const char *id;           /* "secret/aws-access-key", "risk/curl-pipe-shell" */
	const char *description;  /* "possible AWS access key id" (lowercase) */
	const char *pattern;      /* PCRE2; matched within one line */
	unsigned group;           /* capture group holding the secret; 0 = whole match */
	enum scan_severity severity;
	enum scan_check check;
};

/* The built-in rules, most specific first (an earlier rule wins an overlap). */
extern const struct scan_rule scan_builtin_rules[];
extern const size_t scan_builtin_rules_nr;

#define SCAN_PREVIEW_MAX 4                 /* bytes of a match a preview shows */
#define SCAN_MAX_FILE_SIZE (1024 * 1024)   /* larger files are skipped */
#define SCAN_BINARY_PROBE 8192             /* a NUL in this prefix: binary, skipped */
#define SCAN_IGNORE_FILE ".slipway-scan-ignore"
#define SCAN_IGNORE_MARK "slipway-scan: ignore"

struct scan_finding {
	char *path;               /* owned; the file as it was reached ("root/rel") */
	int line, col;            /* 1-based; col counts bytes */
	size_t rule;              /* index into scan.rules */
	char preview[SCAN_PREVIEW_MAX + 4]; /* e.g. "AKIA…": never the whole secret */
};

struct scan_allow {
	size_t rule;              /* index into scan.rules, or SCAN_ANY_RULE */
	struct rx *glob;          /* matches a path relative to the scanned root */
	int dir_only;             /* the entry ended in '/' */
};
#define SCAN_ANY_RULE ((size_t)-1)

/*
 * A scanner: rules (built-in, then loaded), allowlist, and the findings and
 * problems of every scan so far. Everything in it is owned by it.
 */
struct scan {
	struct scan_rule *rules;
	struct rx **rx;           /* rules[i] compiled; NULL until needed */
	size_t rules_nr, rules_alloc;
	int compiled;             /* every rule compiled: no more may be loaded */

	struct scan_allow *allow;
	size_t allow_nr, allow_alloc;

	struct scan_finding *findings;
	size_t findings_nr, findings_alloc;
	struct diag_list diags;   /* unreadable files, bad rule or allowlist lines */
	size_t files_scanned, files_skipped;

	struct arena arena;       /* strings of loaded rules */
	struct strbuf buf;        /* the file being scanned */
	unsigned char *muted;     /* per rule: allowlisted for the current file */
	size_t *taken;            /* the current file's finding spans, sorted pairs */
	size_t taken_nr, taken_alloc;
	size_t *fresh;            /* spans the current rule found, merged into taken */
	size_t fresh_nr, fresh_alloc;
	size_t *newlines;         /* offsets of the current file's '\n's, built on demand */
	size_t newlines_nr, newlines_alloc;
	int newlines_built;
};

/* Set up a scanner holding the built-in rules (compiled lazily). */
void scan_init(struct scan *s);
void scan_release(struct scan *s);

/*
 * Add the rules of a rules file: one per line, `ID SEVERITY "DESCRIPTION"
 * PATTERN` (severity high, medium or low; the pattern is the rest of the
 * line; '#' starts a comment line). Problems go to s->diags as
 * file:line:col; returns -1 when there was any. Load rules before scanning.
 */
int scan_load_rules(struct scan *s, const char *path);

/* The index of the rule with this id (len bytes), or SCAN_ANY_RULE. */
size_t scan_rule_index(const struct scan *s, const char *id, size_t len);
/* 1 when id[0..len) has the form of a rule id, CATEGORY/NAME of [a-z0-9-]. */
int scan_rule_id_valid(const char *id, size_t len);

/*
 * Add an allowlist entry, in the syntax of .slipway-scan-ignore: a path
 * glob (gitignore-like: '*', '?', '[...]', '**'; no '/' but a trailing
 * one matches at any depth; a trailing '/' matches directories only), or
 * `RULE-ID:GLOB` to mute one rule there. Returns -1 with a message in err
 * (an unknown rule, a bad glob). Entries added here apply to every scan.
 */
int scan_allow_add(struct scan *s, const char *entry, struct strbuf *err);

/*
 * Add the entries of an allowlist file; problems go to s->diags as
 * file:line:col, and make it return -1.
 */
int scan_allow_load(struct scan *s, const char *path);
/* Drop the entries after the first nr (those of a finished root). */
void scan_allow_truncate(struct scan *s, size_t nr);
/* 1 when the entry covers rel (a root-relative path) or a directory above it. */
int scan_allow_matches(const struct scan_allow *a, const char *rel, int is_dir);

/*
 * Scan a file or a directory tree (sorted; .git, .slipway, symlinks,
 * binary files and files over SCAN_MAX_FILE_SIZE are skipped). A
 * directory's own SCAN_IGNORE_FILE applies within it. Findings and
 * problems accumulate in s; returns -1 when the path cannot be read or
 * a problem was recorded, else 0.
 */
int scan_path(struct scan *s, const char *path);

/*
 * Scan len bytes already in memory as the file at path (which is also the
 * path the allowlist sees). Returns the number of findings added, or -1
 * when a pattern could not be compiled or matching gave up (see diags).
 */
int scan_buffer(struct scan *s, const char *path, const char *buf, size_t len);

/* Sort the findings by path, line and column. */
void scan_sort_findings(struct scan *s);

/* Print each finding as `path:line:col: error: description [rule-id]`. */
void scan_print_findings(FILE *fp, const struct scan *s);
/*
 * Append all findings as a JSON object: {"findings": [{path, line, column,
 * rule, severity, description, preview}], "files": N, "skipped": N}.
 */
void scan_write_json(struct strbuf *out, const struct scan *s);

const char *scan_severity_name(enum scan_severity sev);

/* Shannon entropy of the bytes, in bits per byte. */
double scan_entropy(const char *p, size_t len);
/*
 * 1 when a candidate secret looks random rather than like a word or a
 * placeholder: at least 16 bytes, two of lower/upper/digit, and an
 * entropy of at least 3.4 bits per byte.
 */
int scan_looks_random(const char *p, size_t len);

/*
 * Write into out (SCAN_PREVIEW_MAX + 4 bytes) the first min(4, len / 4)
 * printable ASCII bytes of p followed by "…".
 */
void scan_redact(char *out, const char *p, size_t len);

#endif
