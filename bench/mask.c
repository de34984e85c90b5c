/*
 * bench/mask: throughput of the secret masker on a synthetic 50 MB log with
 * 100 secrets (line by line and as one buffer), against the one-form-at-a-
 * time search GitHub's runner does, plus the cost of (re)compiling after an
 * ::add-mask::. Prints figures; asserts nothing but that both agree.
 *   usage: mask [MB] [SECRETS]
 */
#include "runner/mask.h"
#include "util/acm.h"
#include "util/digest.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned bench_seed = 20240601;

static unsigned bench_rand(unsigned n)
{
	return (unsigned)rand_r(&bench_seed) % n;
}

static const char bench_alpha[] =
	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/=+";

static void bench_secret(struct strbuf *sb)
{
	unsigned len = 8 + bench_rand(57);

	strbuf_reset(sb);
	for (unsigned i = 0; i < len; i++)
		strbuf_addch(sb, bench_alpha[bench_rand(sizeof(bench_alpha) - 1)]);
}

/* Log-like lines; about one in 500 carries a secret, raw or in base64. */
static void bench_log(struct strbuf *log, size_t bytes, const struct strbuf *secrets, size_t n)
{
	static const char *const words[] = {
		"INFO", "DEBUG", "build", "step", "compiling", "src/main.c", "ok", "-", "[12:00:01]",
		"Downloading", "https://example.com/pkg.tar.gz", "100%", "warning:", "unused",
		"variable", "'x'", "test", "passed", "in", "0.42s", "{\"status\":", "\"done\"}",
	};

	while (log->len < bytes) {
		unsigned nwords = 3 + bench_rand(20);

		for (unsigned w = 0; w < nwords; w++) {
			strbuf_addstr(log, words[bench_rand(sizeof(words) / sizeof(words[0]))]);
			strbuf_addch(log, ' ');
		}
		if (!bench_rand(500)) {
			const struct strbuf *s = &secrets[bench_rand((unsigned)n)];

			if (bench_rand(2))
				strbuf_add(log, s->buf, s->len);
			else
				digest_base64(log, s->buf, s->len);
		}
		strbuf_addch(log, '\n');
	}
}

/* GitHub's approach: search every form separately, merge afterwards. */
static size_t bench_naive_hits(const struct mask *m, const char *line, size_t len)
{
	unsigned char *covered = xcalloc(len + 1, 1);
	size_t hits = 0;

	for (size_t f = 0; f < m->nr; f++) {
		const char *form = m->forms.buf + m->form[f].off, *p = line;
		size_t flen = m->form[f].len;

		while ((p = memmem(p, len - (size_t)(p - line), form, flen))) {
			memset(covered + (p - line), 1, flen);
			p++;
		}
	}
	for (size_t i = 0; i < len; i++)
		hits += covered[i] && (!i || !covered[i - 1]);
	free(covered);
	return hits;
}

/* The size of the automaton the masker compiles for m's forms. */
static void bench_automaton(const struct mask *m, struct acm_stats *st)
{
	struct acm_pattern *pats = xmalloc(m->nr * sizeof(*pats));
	struct acm *ac;

	for (size_t i = 0; i < m->nr; i++) {
		pats[i].ptr = m->forms.buf + m->form[i].off;
		pats[i].len = m->form[i].len;
	}
	ac = acm_build(pats, m->nr, 0);
	acm_get_stats(ac, st);
	acm_free(ac);
	free(pats);
}

int main(int argc, char **argv)
{
	size_t mb = argc > 1 ? (size_t)atol(argv[1]) : 50;
	size_t nsecrets = argc > 2 ? (size_t)atol(argv[2]) : 100;
	struct strbuf *secrets = xcalloc(nsecrets, sizeof(*secrets));
	struct strbuf log = STRBUF_INIT, line = STRBUF_INIT, out = STRBUF_INIT, extra = STRBUF_INIT;
	struct mask m;
	struct acm_stats st;
	size_t hits = 0, buf_hits, naive_hits = 0, fast_hits = 0, slice, lines = 0;
	double t0, t_line, t_buf, t_naive, t_fast_slice, t_build, t_rebuild;

	mask_init(&m);
	for (size_t i = 0; i < nsecrets; i++) {
		bench_secret(&secrets[i]);
		mask_add(&m, secrets[i].buf, secrets[i].len);
	}
	bench_log(&log, mb << 20, secrets, nsecrets);

	/* First apply compiles the matcher: that is the per-run setup cost. */
	t0 = bench_now();
	strbuf_addstr(&line, "warm-up");
	mask_apply(&m, &line);
	t_build = bench_now() - t0;

	t0 = bench_now();
	for (const char *p = log.buf, *end = log.buf + log.len; p < end; lines++) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));

		strbuf_reset(&line);
		strbuf_add(&line, p, (size_t)(eol - p));
		hits += mask_apply(&m, &line);
		p = eol + 1;
	}
	t_line = bench_now() - t0;

	t0 = bench_now();
	buf_hits = mask_apply_buf(&m, log.buf, log.len, &out);
	t_buf = bench_now() - t0;

	/* The naive search is slow: time it on a slice, line by line. */
	slice = log.len < ((size_t)2 << 20) ? log.len : ((size_t)2 << 20);
	t0 = bench_now();
	for (const char *p = log.buf, *end = log.buf + slice; p < end;) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));

		if (!eol)
			break;
		naive_hits += bench_naive_hits(&m, p, (size_t)(eol - p));
		p = eol + 1;
	}
	t_naive = bench_now() - t0;
	t0 = bench_now();
	for (const char *p = log.buf, *end = log.buf + slice; p < end;) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));

		if (!eol)
			break;
		strbuf_reset(&line);
		strbuf_add(&line, p, (size_t)(eol - p));
		fast_hits += mask_apply(&m, &line);
		p = eol + 1;
	}
	t_fast_slice = bench_now() - t0;

	/* ::add-mask:: mid-run: one more secret, then the next line recompiles. */
	bench_secret(&extra);
	t0 = bench_now();
	mask_add(&m, extra.buf, extra.len);
	strbuf_reset(&line);
	strbuf_addstr(&line, "after add-mask");
	mask_apply(&m, &line);
	t_rebuild = bench_now() - t0;

	printf("mask: %zu secrets -> %zu forms; log %.1f MB, %zu lines, %zu masked spans\n",
	       nsecrets, m.nr, (double)log.len / 1048576.0, lines, hits);
	bench_automaton(&m, &st);
	printf("mask: automaton %zu states (%zu with full rows), %zu byte classes, %.1f MB\n",
	       st.states, st.dense_states, st.classes, (double)st.bytes / 1048576.0);
	printf("mask: compile %.3f ms, recompile after ::add-mask:: %.3f ms\n",
	       t_build * 1e3, t_rebuild * 1e3);
	printf("mask: line by line %.0f MB/s (%.1f ns/line)\n",
	       (double)log.len / 1048576.0 / t_line, t_line * 1e9 / (double)lines);
	printf("mask: whole buffer %.0f MB/s (%zu spans)\n",
	       (double)log.len / 1048576.0 / t_buf, buf_hits);
	printf("mask: naive per-form search %.1f MB/s on a %.1f MB slice; Aho-Corasick %.0f MB/s "
	       "there: %.0fx faster\n", (double)slice / 1048576.0 / t_naive,
	       (double)slice / 1048576.0, (double)slice / 1048576.0 / t_fast_slice,
	       t_naive / t_fast_slice);
	if (naive_hits != fast_hits || buf_hits != hits) {
		printf("mask: MISMATCH naive %zu vs %zu, buffer %zu vs lines %zu\n",
		       naive_hits, fast_hits, buf_hits, hits);
		return 1;
	}
	for (size_t i = 0; i < nsecrets; i++)
		strbuf_release(&secrets[i]);
	free(secrets);
	strbuf_release(&log);
	strbuf_release(&line);
	strbuf_release(&out);
	strbuf_release(&extra);
	mask_release(&m);
	return 0;
}
