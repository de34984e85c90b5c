/*
 * engine_bench: times round trips through the engine client for
 * bench/engine.sh, which sets them against the docker CLI.
 *   engine_bench exec N CONTAINER   N execs of `true` in a running container
 *   engine_bench run N IMAGE        N lifecycles: create, start, wait, remove
 * Prints the total in milliseconds. No comparison or judgement here.
 */
#include "runner/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double bench_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int bench_exec(struct engine *e, const char *container, struct strbuf *err)
{
	struct strlist cmd = STRLIST_INIT;
	struct engine_exec_spec spec = { 0 };
	struct engine_exec_info info;
	int ret;

	strlist_push(&cmd, "true");
	spec.cmd = &cmd;
	ret = engine_exec_run(&info, e, container, &spec, NULL, NULL, err);
	if (!ret && info.exit_code) {
		strbuf_addf(err, "'true' exited with %d", info.exit_code);
		ret = -1;
	}
	strlist_release(&cmd);
	return ret;
}

static int bench_run(struct engine *e, const char *image, struct strbuf *err)
{
	struct strlist cmd = STRLIST_INIT;
	struct engine_container_spec spec = { 0 };
	struct strbuf id = STRBUF_INIT;
	int code = -1, ret;

	strlist_push(&cmd, "true");
	spec.image = image;
	spec.cmd = &cmd;
	ret = engine_container_create(&id, e, &spec, err);
	if (!ret)
		ret = engine_container_start(e, id.buf, err);
	if (!ret)
		ret = engine_container_wait(&code, e, id.buf, err);
	if (id.len && engine_container_remove(e, id.buf, ENGINE_REMOVE_FORCE, err) < 0)
		ret = -1;
	if (!ret && code) {
		strbuf_addf(err, "'true' exited with %d", code);
		ret = -1;
	}
	strlist_release(&cmd);
	strbuf_release(&id);
	return ret;
}

int main(int argc, char **argv)
{
	struct strbuf err = STRBUF_INIT;
	struct engine *e = NULL;
	int (*fn)(struct engine *e, const char *what, struct strbuf *err);
	int n, ret = 1;
	double start;

	if (argc != 4 || (strcmp(argv[1], "exec") && strcmp(argv[1], "run")) ||
	    (n = atoi(argv[2])) < 1) {
		fprintf(stderr, "usage: engine_bench exec|run N CONTAINER|IMAGE\n");
		return 2;
	}
	fn = !strcmp(argv[1], "exec") ? bench_exec : bench_run;
	if (engine_open(&e, NULL, &err) < 0)
		goto out;
	engine_set_run_id(e, "bench-engine");
	if (fn(e, argv[3], &err) < 0)   /* warm up: connection, image cache */
		goto out;
	start = bench_now_ms();
	for (int i = 0; i < n; i++)
		if (fn(e, argv[3], &err) < 0)
			goto out;
	printf("%.3f\n", bench_now_ms() - start);
	ret = 0;
out:
	if (ret)
		fprintf(stderr, "engine_bench: %s\n", err.buf);
	engine_free(e);
	strbuf_release(&err);
	return ret;
}
