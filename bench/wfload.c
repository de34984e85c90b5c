/*
 * wfload: times wf_load() in-process over files already read into memory —
 * the same measurement bench/oracle-parse.mjs makes for GitHub's parser —
 * and prints the first pass and the best of the following passes:
 *   wfload PASSES FILE...  ->  files=N cold_ms=... warm_ms=... errors=E
 */
#include "parser/action.h"
#include "parser/workflow.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double wfload_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	int passes = argc > 2 ? atoi(argv[1]) : 0, nfiles = argc - 2;
	struct strbuf *text;
	double cold = 0, warm = 0;
	size_t errors = 0;

	if (passes < 1) {
		fprintf(stderr, "usage: wfload PASSES FILE...\n");
		return 2;
	}
	text = xcalloc((size_t)nfiles + 1, sizeof(*text));
	for (int i = 0; i < nfiles; i++) {
		strbuf_init(&text[i], 0);
		if (strbuf_read_file(&text[i], argv[i + 2], 0) < 0) {
			perror(argv[i + 2]);
			return 2;
		}
	}
	for (int p = 0; p < passes; p++) {
		double start = wfload_now_ms(), ms;

		errors = 0;
		for (int i = 0; i < nfiles; i++) {
			struct diag_list diags = DIAG_LIST_INIT;
			struct wf_workflow wf;

			wf_load(&wf, argv[i + 2], text[i].buf, text[i].len, &diags);
			errors += diags.errors;
			wf_release(&wf);
			diag_list_release(&diags);
		}
		ms = wfload_now_ms() - start;
		if (p == 0)
			cold = ms;
		if (p == 1 || (p > 1 && ms < warm))
			warm = ms;
	}
	printf("files=%d cold_ms=%.1f warm_ms=%.1f errors=%zu\n", nfiles, cold,
	       passes > 1 ? warm : cold, errors);
	for (int i = 0; i < nfiles; i++)
		strbuf_release(&text[i]);
	free(text);
	return 0;
}
