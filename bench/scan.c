/*
 * bench/scan: how fast the scanner goes, measured in one run. Loads every
 * text file of the given trees (default: the current one) into memory and
 * times (a) the scanner (each rule over each file, then line attribution,
 * overlaps, redaction), (b) the bare rule-by-rule searches it is built on,
 * (c) one alternation of all rules in a single pass — the design it did
 * not take, slower because PCRE2 loses each rule's literal start — and
 * (d) a full scan_path walk of the first tree with its I/O. Prints figures
 * and ratios; it asserts nothing.
 */
#include "stages/scan.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static struct strbuf *bench_files;
static char **bench_names;
static size_t bench_nr, bench_alloc, bench_bytes;

static double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int bench_collect(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	struct strbuf sb = STRBUF_INIT;

	if (type == FTW_D && (!strcmp(path + ftw->base, ".git") ||
			      !strcmp(path + ftw->base, "build-asan")))
		return FTW_SKIP_SUBTREE;
	if (type != FTW_F || st->st_size > SCAN_MAX_FILE_SIZE)
		return FTW_CONTINUE;
	if (strbuf_read_file(&sb, path, SCAN_MAX_FILE_SIZE) < 0 ||
	    memchr(sb.buf, '\0', sb.len < SCAN_BINARY_PROBE ? sb.len : SCAN_BINARY_PROBE)) {
		strbuf_release(&sb);
		return FTW_CONTINUE;
	}
	if (bench_nr == bench_alloc) {
		bench_alloc = bench_alloc ? 2 * bench_alloc : 256;
		bench_files = xrealloc(bench_files, bench_alloc * sizeof(*bench_files));
		bench_names = xrealloc(bench_names, bench_alloc * sizeof(*bench_names));
	}
	bench_bytes += sb.len;
	bench_names[bench_nr] = xstrdup(path);
	bench_files[bench_nr++] = sb;
	return FTW_CONTINUE;
}

/* (a) the scanner as `slipway scan` runs it, on the files in memory. */
static size_t bench_scanner(void)
{
	struct scan s;
	size_t found;

	scan_init(&s);
	for (size_t i = 0; i < bench_nr; i++)
		scan_buffer(&s, bench_names[i], bench_files[i].buf, bench_files[i].len);
	found = s.findings_nr;
	scan_release(&s);
	return found;
}

static size_t bench_count_matches(const struct rx *rx, const struct strbuf *file)
{
	size_t matches = 0, pos = 0, ms, me;

	while (pos <= file->len && rx_search(rx, file->buf, file->len, pos, &ms, &me) == 1) {
		matches++;
		pos = me > ms ? me : ms + 1;
	}
	return matches;
}

/* (b) each rule searched over each whole file, nothing else. */
static size_t bench_rule_by_rule(struct rx **rx)
{
	size_t matches = 0;

	for (size_t i = 0; i < bench_nr; i++)
		for (size_t r = 0; r < scan_builtin_rules_nr; r++)
			matches += bench_count_matches(rx[r], &bench_files[i]);
	return matches;
}

/* (c) one alternation of every rule, one search pass per file. */
static size_t bench_alternation(const struct rx *all)
{
	size_t matches = 0;

	for (size_t i = 0; i < bench_nr; i++)
		matches += bench_count_matches(all, &bench_files[i]);
	return matches;
}

/* (c) the whole command's work on a tree: walk, read, scan. */
static size_t bench_walk(const char *root)
{
	struct scan s;
	size_t n;

	scan_init(&s);
	scan_path(&s, root);
	n = s.files_scanned;
	scan_release(&s);
	return n;
}

/* Seconds per evaluation of call, repeated for at least half a second. */
#define BENCH_TIME(out_secs, out_result, call) do { \
		double t0 = bench_now(), t; \
		int rounds = 0; \
		do { \
			(out_result) = (call); \
			rounds++; \
		} while ((t = bench_now() - t0) < 0.5); \
		(out_secs) = t / rounds; \
	} while (0)

int main(int argc, char **argv)
{
	struct rx *rx[64], *all;
	struct strbuf err = STRBUF_INIT, alt = STRBUF_INIT;
	double scanner, naive, joined, walk;
	size_t found, matches, joined_matches, walked;
	const char *const here[] = { "." };
	const char *const *roots = argc > 1 ? (const char *const *)argv + 1 : here;
	int nroots = argc > 1 ? argc - 1 : 1;

	for (int i = 0; i < nroots; i++)
		if (nftw(roots[i], bench_collect, 32, FTW_PHYS | FTW_ACTIONRETVAL) < 0) {
			fprintf(stderr, "bench/scan: cannot walk '%s'\n", roots[i]);
			return 1;
		}
	if (scan_builtin_rules_nr > 64)
		return 1;
	for (size_t r = 0; r < scan_builtin_rules_nr; r++) {
		rx[r] = rx_compile(scan_builtin_rules[r].pattern, RX_MULTILINE, &err);
		strbuf_addf(&alt, "%s(?:%s)", r ? "|" : "", scan_builtin_rules[r].pattern);
	}
	all = rx_compile(alt.buf, RX_MULTILINE, &err);

	BENCH_TIME(scanner, found, bench_scanner());
	BENCH_TIME(naive, matches, bench_rule_by_rule(rx));
	BENCH_TIME(joined, joined_matches, bench_alternation(all));
	BENCH_TIME(walk, walked, bench_walk(roots[0]));

	printf("scan: %zu files, %.2f MB in memory, %zu rules, %zu findings "
	       "(%zu raw matches, %zu by the alternation)\n", bench_nr,
	       (double)bench_bytes / 1e6, scan_builtin_rules_nr, found, matches, joined_matches);
	printf("scan: (a) scanner          %8.2f ms  %8.1f MB/s\n", scanner * 1e3,
	       (double)bench_bytes / 1e6 / scanner);
	printf("scan: (b) bare rule passes %8.2f ms  %8.1f MB/s\n", naive * 1e3,
	       (double)bench_bytes / 1e6 / naive);
	printf("scan: (c) one alternation  %8.2f ms  %8.1f MB/s\n", joined * 1e3,
	       (double)bench_bytes / 1e6 / joined);
	printf("scan: scanner overhead over bare passes %.2fx; alternation is %.1fx slower "
	       "than the scanner\n", scanner / naive, joined / scanner);
	printf("scan: (d) scan_path('%s') with I/O: %.2f ms for %zu files\n", roots[0],
	       walk * 1e3, walked);
	for (size_t r = 0; r < scan_builtin_rules_nr; r++)
		rx_free(rx[r]);
	rx_free(all);
	strbuf_release(&alt);
	for (size_t i = 0; i < bench_nr; i++) {
		strbuf_release(&bench_files[i]);
		free(bench_names[i]);
	}
	free(bench_files);
	free(bench_names);
	strbuf_release(&err);
	return 0;
}
