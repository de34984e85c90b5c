/*
 * expr_eval: in-process throughput of the expression evaluator. Parses
 * every line of an expression file once, builds the contexts once from a
 * JSON file, then evaluates the whole batch over and over for about a
 * second (the arena reset after each evaluation) and prints evaluations
 * per second. bench/expr_eval.sh runs it beside the same batch in
 * GitHub's evaluator (bench/expr_eval.mjs).
 *
 * Usage: expr_eval CONTEXTS.json EXPRESSIONS.txt [SECONDS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "parser/expr.h"
#include "util/json_js.h"

#define BENCH_MAX_EXPRS 256

static double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct arena doc = ARENA_INIT, scratch = ARENA_INIT;
	struct strbuf text = STRBUF_INIT, err = STRBUF_INIT;
	struct expr_names names = { NULL, EXPR_FN_STATUS | EXPR_FN_CASE, NULL, 0 };
	struct expr *exprs[BENCH_MAX_EXPRS];
	struct expr_error xerr;
	struct expr_env env;
	struct arena_mark mark;
	size_t n = 0, evals = 0;
	double seconds = argc > 3 ? atof(argv[3]) : 1.0, start, elapsed;
	char *line, *save = NULL;
	int ret = 1;

	expr_error_init(&xerr);
	if (argc < 3) {
		fprintf(stderr, "usage: expr_eval CONTEXTS.json EXPRESSIONS.txt [SECONDS]\n");
		goto out;
	}
	memset(&env, 0, sizeof(env));
	if (strbuf_read_file(&text, argv[1], 0) < 0 ||
	    json_js_parse(&env.contexts, &doc, text.buf, text.len, &err) < 0) {
		fprintf(stderr, "expr_eval: %s: cannot read contexts %s\n", argv[1], err.buf);
		goto out;
	}
	expr_fold_keys(env.contexts);
	env.status = EXPR_STATUS_SUCCESS;
	env.arena = &scratch;
	strbuf_reset(&text);
	if (strbuf_read_file(&text, argv[2], 0) < 0) {
		fprintf(stderr, "expr_eval: cannot read %s\n", argv[2]);
		goto out;
	}
	for (line = strtok_r(text.buf, "\n", &save); line && n < BENCH_MAX_EXPRS;
	     line = strtok_r(NULL, "\n", &save)) {
		struct val v;

		if (expr_parse(&exprs[n], &doc, line, strlen(line), &names, &xerr) < 0 ||
		    expr_eval(&v, exprs[n], &env, &xerr) < 0) {
			fprintf(stderr, "expr_eval: %s: %s\n", line, xerr.message.buf);
			goto out;
		}
		n++;
	}
	mark = arena_mark(&scratch);
	start = bench_now();
	do {
		/* The clock is read every 64 batches, so that reading it costs nothing. */
		for (int round = 0; round < 64; round++) {
			for (size_t i = 0; i < n; i++) {
				struct val v;

				expr_eval(&v, exprs[i], &env, &xerr);
				arena_reset(&scratch, mark);
			}
		}
		evals += 64 * n;
		elapsed = bench_now() - start;
	} while (elapsed < seconds);
	printf("slipway in-process: %zu expressions, %zu evaluations in %.3f s: %.0f evaluations/s\n",
	       n, evals, elapsed, (double)evals / elapsed);
	ret = 0;
out:
	expr_error_release(&xerr);
	strbuf_release(&text);
	strbuf_release(&err);
	arena_release(&scratch);
	arena_release(&doc);
	return ret;
}
