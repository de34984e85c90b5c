/*
 * scan: the scanner's engine — each file is read once and every rule
 * searches it (PCRE2 JIT; a match is then held to its line); overlaps,
 * muting, redaction, the walk over a tree (util/fs) and the text and JSON
 * forms of the findings. The rule
 * table is in scan_rules.c, the allowlist in scan_allow.c.
 */
#include "stages/scan.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/value.h"
#include "util/xalloc.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The highest capture group a rule may name as its secret. */
#define SCAN_GROUP_MAX 9

/* Directory names never descended into. */
static const char *const scan_skip_dirs[] = { ".git", ".slipway" };

void scan_init(struct scan *s)
{
	memset(s, 0, sizeof(*s));
	diag_list_init(&s->diags);
	arena_init(&s->arena);
	strbuf_init(&s->buf, 0);
	ALLOC_GROW(s->rules, scan_builtin_rules_nr, s->rules_alloc);
	s->rx = xcalloc(s->rules_alloc, sizeof(*s->rx));
	memcpy(s->rules, scan_builtin_rules, scan_builtin_rules_nr * sizeof(*s->rules));
	s->rules_nr = scan_builtin_rules_nr;
}

void scan_release(struct scan *s)
{
	for (size_t i = 0; i < s->findings_nr; i++)
		free(s->findings[i].path);
	free(s->findings);
	for (size_t i = 0; i < s->rules_nr; i++)
		rx_free(s->rx[i]);
	free(s->rx);
	free(s->rules);
	scan_allow_truncate(s, 0);
	free(s->allow);
	diag_list_release(&s->diags);
	arena_release(&s->arena);
	strbuf_release(&s->buf);
	free(s->muted);
	free(s->taken);
	free(s->fresh);
	free(s->newlines);
	memset(s, 0, sizeof(*s));
}

/* Compile every rule, once. */
static int scan_compile(struct scan *s)
{
	struct strbuf err = STRBUF_INIT;
	int ret = 0;

	if (s->compiled)
		return 0;
	for (size_t i = 0; i < s->rules_nr; i++) {
		const struct scan_rule *r = &s->rules[i];

		if (!s->rx[i] && r->group <= SCAN_GROUP_MAX)
			s->rx[i] = rx_compile(r->pattern, RX_MULTILINE, &err);
		if (!s->rx[i]) {
			diag_add(&s->diags, DIAG_ERROR, NULL, 0, 0, "scan-rules",
				 "rule '%s' cannot be compiled: %s", r->id,
				 err.len ? err.buf : "its secret group is too high");
			strbuf_reset(&err);
			ret = -1;
		}
	}
	strbuf_release(&err);
	if (ret)
		return ret;
	s->muted = xcalloc(s->rules_nr, 1);
	s->compiled = 1;
	return 0;
}

double scan_entropy(const char *p, size_t len)
{
	size_t count[256] = { 0 };
	double h = 0;

	for (size_t i = 0; i < len; i++)
		count[(unsigned char)p[i]]++;
	for (size_t c = 0; c < 256; c++) {
		double q = (double)count[c] / (double)len;

		if (count[c])
			h -= q * log2(q);
	}
	return h;
}

int scan_looks_random(const char *p, size_t len)
{
	int lower = 0, upper = 0, digit = 0;

	if (len < 16)
		return 0;
	for (size_t i = 0; i < len; i++) {
		lower |= p[i] >= 'a' && p[i] <= 'z';
		upper |= p[i] >= 'A' && p[i] <= 'Z';
		digit |= p[i] >= '0' && p[i] <= '9';
	}
	return lower + upper + digit >= 2 && scan_entropy(p, len) >= 3.4;
}

void scan_redact(char *out, const char *p, size_t len)
{
	size_t n = len / 4 < SCAN_PREVIEW_MAX ? len / 4 : SCAN_PREVIEW_MAX;
	size_t i;

	for (i = 0; i < n && p[i] > ' ' && p[i] < 0x7f; i++)
		out[i] = p[i];
	memcpy(out + i, "\xe2\x80\xa6", 4);
}

/* 1 when [start, end) overlaps a finding of an earlier rule (taken is sorted). */
static int scan_overlaps(const struct scan *s, size_t start, size_t end)
{
	size_t lo = 0, hi = s->taken_nr / 2;

	/* The last span that starts before end; spans are disjoint, so ends are sorted too. */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (s->taken[2 * mid] < end)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 && s->taken[2 * (lo - 1) + 1] > start;
}

/* Merge the current rule's spans (ascending, disjoint) into taken. */
static void scan_merge_fresh(struct scan *s)
{
	size_t i = s->taken_nr, j = s->fresh_nr, k = s->taken_nr + s->fresh_nr;

	if (!s->fresh_nr)
		return;
	ALLOC_GROW(s->taken, k, s->taken_alloc);
	while (j > 0) {
		if (i > 0 && s->taken[i - 2] > s->fresh[j - 2]) {
			s->taken[--k] = s->taken[--i];
			s->taken[--k] = s->taken[--i];
		} else {
			s->taken[--k] = s->fresh[--j];
			s->taken[--k] = s->fresh[--j];
		}
	}
	s->taken_nr += s->fresh_nr;
	s->fresh_nr = 0;
}

/* The 1-based line of offset pos; the index of newlines is built on first use. */
static int scan_line_of(struct scan *s, const char *buf, size_t len, size_t pos)
{
	size_t lo = 0, hi;

	if (!s->newlines_built) {
		const char *p = buf, *end = buf + len;

		s->newlines_nr = 0;
		while ((p = memchr(p, '\n', (size_t)(end - p)))) {
			ALLOC_GROW(s->newlines, s->newlines_nr + 1, s->newlines_alloc);
			s->newlines[s->newlines_nr++] = (size_t)(p - buf);
			p++;
		}
		s->newlines_built = 1;
	}
	hi = s->newlines_nr;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (s->newlines[mid] < pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (int)lo + 1;
}

/* A finding of the secret at [secret, secret + len), at byte col0 of its line. */
static void scan_add_finding(struct scan *s, const char *path, int lineno, size_t rule,
			     const char *secret, size_t col0, size_t len)
{
	struct scan_finding *f;

	ALLOC_GROW(s->findings, s->findings_nr + 1, s->findings_alloc);
	f = &s->findings[s->findings_nr++];
	f->path = xstrdup(path);
	f->line = lineno;
	f->col = (int)col0 + 1;
	f->rule = rule;
	scan_redact(f->preview, secret, len);
}

/*
 * One rule over the whole text. A match must lie within one line: one
 * that crosses a newline is searched for again within its first line.
 */
static int scan_rule_pass(struct scan *s, const char *path, const char *buf, size_t len,
			  size_t rule)
{
	const struct scan_rule *r = &s->rules[rule];
	size_t spans[2 * (SCAN_GROUP_MAX + 1)];
	size_t pos = 0;
	int rc;

	while (pos <= len && (rc = rx_search_spans(s->rx[rule], buf, len, pos, spans,
						    r->group + 1)) != 0) {
		const char *nl;
		size_t ls, le, gs, ge;

		if (rc < 0)
			return -1;
		nl = memrchr(buf, '\n', spans[0]);
		ls = nl ? (size_t)(nl - buf) + 1 : 0;
		nl = memchr(buf + spans[0], '\n', len - spans[0]);
		le = nl ? (size_t)(nl - buf) : len;
		if (spans[1] > le) {
			rc = rx_search_spans(s->rx[rule], buf + ls, le - ls, spans[0] - ls, spans,
					     r->group + 1);
			if (rc < 0)
				return -1;
			pos = le + 1;
			if (!rc)
				continue;
			for (unsigned g = 0; g <= r->group; g++)
				if (spans[2 * g] != RX_UNSET) {
					spans[2 * g] += ls;
					spans[2 * g + 1] += ls;
				}
		}
		pos = spans[1] > spans[0] ? spans[1] : spans[0] + 1;
		gs = spans[2 * r->group];
		ge = spans[2 * r->group + 1];
		if (gs == RX_UNSET || gs == ge || scan_overlaps(s, spans[0], spans[1]))
			continue;
		if (r->check == SCAN_CHECK_RANDOM && !scan_looks_random(buf + gs, ge - gs))
			continue;
		if (memmem(buf + ls, le - ls, SCAN_IGNORE_MARK, strlen(SCAN_IGNORE_MARK)))
			continue;
		ALLOC_GROW(s->fresh, s->fresh_nr + 2, s->fresh_alloc);
		s->fresh[s->fresh_nr++] = spans[0];
		s->fresh[s->fresh_nr++] = spans[1];
		scan_add_finding(s, path, scan_line_of(s, buf, len, gs), rule,
				 buf + gs, gs - ls, ge - gs);
	}
	return 0;
}

/* Every rule that is not muted, in table order: an earlier rule wins an overlap. */
static int scan_text(struct scan *s, const char *path, const char *buf, size_t len)
{
	int ret = 0;

	s->taken_nr = s->fresh_nr = 0;
	s->newlines_built = 0;
	for (size_t i = 0; i < s->rules_nr; i++) {
		if (s->muted[i])
			continue;
		if (scan_rule_pass(s, path, buf, len, i) < 0) {
			diag_add(&s->diags, DIAG_ERROR, path, 0, 0, "scan-limit",
				 "matching rule '%s' gave up on this file", s->rules[i].id);
			ret = -1;
		}
		scan_merge_fresh(s);
	}
	return ret;
}

/*
 * Scan a file's contents as path, with rel the path the allowlist sees.
 * Returns the number of findings added, or -1.
 */
static int scan_contents(struct scan *s, const char *path, const char *rel, const char *buf,
			 size_t len)
{
	size_t before = s->findings_nr;

	if (scan_compile(s) < 0)
		return -1;
	if (memchr(buf, '\0', len < SCAN_BINARY_PROBE ? len : SCAN_BINARY_PROBE)) {
		s->files_skipped++;
		return 0;
	}
	memset(s->muted, 0, s->rules_nr);
	for (size_t i = 0; i < s->allow_nr; i++) {
		if (!scan_allow_matches(&s->allow[i], rel, 0))
			continue;
		if (s->allow[i].rule == SCAN_ANY_RULE) {
			s->files_skipped++;
			return 0;
		}
		s->muted[s->allow[i].rule] = 1;
	}
	s->files_scanned++;
	if (scan_text(s, path, buf, len) < 0)
		return -1;
	return (int)(s->findings_nr - before);
}

int scan_buffer(struct scan *s, const char *path, const char *buf, size_t len)
{
	return scan_contents(s, path, path, buf, len);
}

/* 1 when an entry for every rule covers rel: the walk leaves it out. */
static int scan_allowed_away(const struct scan *s, const char *rel, int is_dir)
{
	for (size_t i = 0; i < s->allow_nr; i++)
		if (s->allow[i].rule == SCAN_ANY_RULE && scan_allow_matches(&s->allow[i], rel, is_dir))
			return 1;
	return 0;
}

static int scan_file(struct scan *s, const char *path, const char *rel, const struct stat *st)
{
	if (st->st_size > SCAN_MAX_FILE_SIZE) {
		s->files_skipped++;
		return 0;
	}
	strbuf_reset(&s->buf);
	if (strbuf_read_file(&s->buf, path, SCAN_MAX_FILE_SIZE) < 0) {
		if (errno == EFBIG) {
			s->files_skipped++;
			return 0;
		}
		diag_add(&s->diags, DIAG_ERROR, path, 0, 0, "scan-read", "cannot read file: %s",
			 strerror(errno));
		return -1;
	}
	/* PCRE2's JIT reads whole words past a subject's end: keep them defined. */
	memset(s->buf.buf + s->buf.len, 0, s->buf.alloc - s->buf.len);
	return scan_contents(s, path, rel, s->buf.buf, s->buf.len) < 0 ? -1 : 0;
}

struct scan_walk {
	struct scan *s;
	int whole_path;         /* name findings by the full path, not root-relative */
	int failed;
};

static int scan_skip_dir(const char *name)
{
	for (size_t i = 0; i < sizeof(scan_skip_dirs) / sizeof(*scan_skip_dirs); i++)
		if (!strcmp(name, scan_skip_dirs[i]))
			return 1;
	return 0;
}

/* One entry of the tree: symlinks and special files are neither followed nor read. */
static int scan_walk_entry(const struct fs_entry *e, void *data)
{
	struct scan_walk *w = data;
	const char *name = w->whole_path ? e->path : e->rel;

	if (S_ISDIR(e->st.st_mode))
		return scan_skip_dir(e->name) || scan_allowed_away(w->s, e->rel, 1)
			? FS_WALK_SKIP : 0;
	if (!S_ISREG(e->st.st_mode))
		return 0;
	if (scan_allowed_away(w->s, e->rel, 0))
		w->s->files_skipped++;
	else if (scan_file(w->s, name, e->rel, &e->st) < 0)
		w->failed = 1;
	return 0;
}

int scan_path(struct scan *s, const char *root)
{
	struct strbuf path = STRBUF_INIT, err = STRBUF_INIT;
	struct scan_walk walk;
	size_t allow_base = s->allow_nr;
	struct stat st;
	int ret = 0;

	if (stat(root, &st) < 0) {
		diag_add(&s->diags, DIAG_ERROR, root, 0, 0, "scan-read", "cannot read: %s",
			 strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		if (!S_ISREG(st.st_mode)) {
			diag_add(&s->diags, DIAG_ERROR, root, 0, 0, "scan-read",
				 "not a regular file or directory");
			return -1;
		}
		return scan_file(s, root, root, &st);
	}
	if (scan_compile(s) < 0)
		return -1;
	fs_path_join(&path, root, SCAN_IGNORE_FILE);
	if (!access(path.buf, F_OK) && scan_allow_load(s, path.buf) < 0)
		ret = -1;
	/* Findings below "." are named "sub/file", not "./sub/file". */
	walk.s = s;
	walk.whole_path = strcmp(root, ".") && strcmp(root, "./");
	walk.failed = 0;
	strbuf_reset(&err);
	if (fs_walk(root, 0, scan_walk_entry, &walk, &err) < 0) {
		diag_add(&s->diags, DIAG_ERROR, root, 0, 0, "scan-read", "%s", err.buf);
		ret = -1;
	}
	if (walk.failed)
		ret = -1;
	scan_allow_truncate(s, allow_base);
	strbuf_release(&path);
	strbuf_release(&err);
	return ret;
}

static int scan_finding_cmp(const void *pa, const void *pb)
{
	const struct scan_finding *a = pa, *b = pb;
	int c = diag_position_cmp(a->path, a->line, a->col, b->path, b->line, b->col);

	return c ? c : (a->rule > b->rule) - (a->rule < b->rule);
}

void scan_sort_findings(struct scan *s)
{
	if (s->findings_nr)
		qsort(s->findings, s->findings_nr, sizeof(*s->findings), scan_finding_cmp);
}

void scan_print_findings(FILE *fp, const struct scan *s)
{
	for (size_t i = 0; i < s->findings_nr; i++) {
		const struct scan_finding *f = &s->findings[i];
		const struct scan_rule *r = &s->rules[f->rule];
		struct diag d = { f->path, f->line, f->col, DIAG_ERROR, r->id,
				  (char *)r->description };

		diag_print(fp, &d);
	}
}

void scan_write_json(struct strbuf *out, const struct scan *s)
{
	struct arena a = ARENA_INIT;
	struct val top = val_new_object(&a), list = val_new_array(&a);

	for (size_t i = 0; i < s->findings_nr; i++) {
		const struct scan_finding *f = &s->findings[i];
		const struct scan_rule *r = &s->rules[f->rule];
		struct val o = val_new_object(&a);

		val_object_setstr(&a, o, "path", val_string_ref(f->path, strlen(f->path)));
		val_object_setstr(&a, o, "line", val_number(f->line));
		val_object_setstr(&a, o, "column", val_number(f->col));
		val_object_setstr(&a, o, "rule", val_string_ref(r->id, strlen(r->id)));
		val_object_setstr(&a, o, "severity", val_cstring(&a, scan_severity_name(r->severity)));
		val_object_setstr(&a, o, "description",
				  val_string_ref(r->description, strlen(r->description)));
		val_object_setstr(&a, o, "preview", val_string_ref(f->preview, strlen(f->preview)));
		val_array_push(&a, list, o);
	}
	val_object_setstr(&a, top, "findings", list);
	val_object_setstr(&a, top, "files", val_number((double)s->files_scanned));
	val_object_setstr(&a, top, "skipped", val_number((double)s->files_skipped));
	json_write(out, top, JSON_PRETTY);
	arena_release(&a);
}
