/*
 * bench/lineloop: the cost the runner adds to every line of step output —
 * wfcmd_parse, then mask_apply for what gets printed — on a synthetic log
 * where one line in 100 is a workflow command and one in 50 has "::" in
 * ordinary text; and the cost of the file commands after a step. Prints
 * figures; the parse alone and the whole loop, per line and in MB/s.
 *   usage: lineloop [MB]
 */
#include "runner/envfile.h"
#include "runner/mask.h"
#include "runner/wfcmd.h"
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

static void bench_log(struct strbuf *log, size_t bytes)
{
	static const char *const plain[] = {
		"Compiling src/main.c -> build/main.o",
		"test result: ok. 42 passed; 0 failed; 0 ignored",
		"npm WARN deprecated inflight@1.0.6: This module is not supported",
		"  Downloaded serde v1.0.197 (https://crates.io)",
	};
	static const char *const colons[] = {
		"warning: unused variable `x` in std::collections::HashMap<K, V>::get",
		"Listening on [::1]:8080",
	};
	static const char *const commands[] = {
		"::group::Run tests",
		"::endgroup::",
		"::warning file=src/app.js,line=10,col=5::Unused variable 'token'",
		"::add-mask::generated-password-1234",
		"::debug::cache key is linux-x64-abc123",
		"##[error]legacy form",
	};
	unsigned seed = 1;

	for (unsigned i = 0; log->len < bytes; i++) {
		if (i % 100 == 0)
			strbuf_addstr(log, commands[rand_r(&seed) % 6]);
		else if (i % 50 == 0)
			strbuf_addstr(log, colons[rand_r(&seed) % 2]);
		else
			strbuf_addstr(log, plain[rand_r(&seed) % 4]);
		strbuf_addch(log, '\n');
	}
}

int main(int argc, char **argv)
{
	size_t mb = argc > 1 ? (size_t)atol(argv[1]) : 20, lines = 0, commands = 0;
	struct strbuf log = STRBUF_INIT, line = STRBUF_INIT, files = STRBUF_INIT;
	struct wfcmd_state st;
	struct mask m;
	struct wfcmd c;
	double t0, t_parse, t_loop, t_files;
	char name[32];

	bench_log(&log, mb << 20);
	mask_init(&m);
	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "secret-value-%03d-xyz", i);
		mask_add(&m, name, strlen(name));
	}

	wfcmd_state_init(&st, 0);
	t0 = bench_now();
	for (const char *p = log.buf, *end = log.buf + log.len; p < end; lines++) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));

		commands += wfcmd_parse(&st, p, (size_t)(eol - p), &c) != WFCMD_NONE;
		p = eol + 1;
	}
	t_parse = bench_now() - t0;
	wfcmd_state_release(&st);

	/* The runner's loop: parse, register masks, mask what is printed. */
	wfcmd_state_init(&st, 0);
	t0 = bench_now();
	for (const char *p = log.buf, *end = log.buf + log.len; p < end;) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t len = (size_t)(eol - p);

		wfcmd_parse(&st, p, len, &c);
		if (c.secret)
			mask_add(&m, c.secret, c.secret_len);
		strbuf_reset(&line);
		if (c.kind == WFCMD_NONE)
			strbuf_add(&line, p, len);
		else if (c.echo)
			strbuf_addstr(&line, c.echo);
		mask_apply(&m, &line);
		p = eol + 1;
	}
	t_loop = bench_now() - t0;
	wfcmd_state_release(&st);

	/* After a step: a GITHUB_OUTPUT and a GITHUB_ENV of 50 pairs each. */
	for (int i = 0; i < 50; i++) {
		strbuf_addf(&files, "out_%d=value %d\n", i, i);
		if (i % 10 == 0)
			strbuf_addf(&files, "multi_%d<<EOF\nline one\nline two\nEOF\n", i);
	}
	t0 = bench_now();
	for (int rep = 0; rep < 1000; rep++) {
		struct arena a = ARENA_INIT;
		struct diag_list d = DIAG_LIST_INIT;
		struct val out = val_new_object(&a), env = val_new_object(&a);

		envfile_parse(&a, out, ENVFILE_OUTPUT, "o", files.buf, files.len, &d);
		envfile_parse(&a, env, ENVFILE_ENV, "e", files.buf, files.len, &d);
		diag_list_release(&d);
		arena_release(&a);
	}
	t_files = (bench_now() - t0) / 1000;

	printf("lineloop: %.1f MB, %zu lines, %zu commands\n", (double)log.len / 1048576.0,
	       lines, commands);
	printf("lineloop: wfcmd_parse alone %.1f ns/line (%.0f MB/s)\n",
	       t_parse * 1e9 / (double)lines, (double)log.len / 1048576.0 / t_parse);
	printf("lineloop: parse + mask (%zu secrets) %.1f ns/line (%.0f MB/s); 10k lines "
	       "cost %.2f ms\n", mask_count_secrets(&m), t_loop * 1e9 / (double)lines,
	       (double)log.len / 1048576.0 / t_loop, t_loop * 1e4 / (double)lines * 1e3);
	printf("lineloop: GITHUB_OUTPUT + GITHUB_ENV of %zu bytes each: %.1f us per step\n",
	       files.len, t_files * 1e6);
	mask_release(&m);
	strbuf_release(&log);
	strbuf_release(&line);
	strbuf_release(&files);
	return 0;
}
