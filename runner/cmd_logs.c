/*
 * cmd_logs: `slipway logs RUN [JOB] [--follow]` prints a run's job logs
 * from its run directory (jobs/<key>/output.log): one job's as they are,
 * or every job's with the job's key before each line. --follow keeps
 * printing what arrives until the run stops running. No daemon needed.
 */
#include "runner/commands.h"
#include "runner/exitcode.h"
#include "runner/rundir.h"
#include "util/options.h"
#include "util/xalloc.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char logs_usage[] = "slipway logs RUN [JOB] [--follow] [--state DIR]";

struct logs_job {
	const char *key;
	off_t off;
	struct strbuf partial;
};

/* Print the complete lines added to one job's log since the last call. */
static void logs_drain(const char *state, const char *id, struct logs_job *j, int prefix,
		       int final)
{
	struct strbuf path = STRBUF_INIT, rel = STRBUF_INIT;
	char buf[65536];
	ssize_t n;
	int fd;

	strbuf_addf(&rel, "jobs/%s/output.log", j->key);
	rundir_path(&path, state, id, rel.buf);
	fd = open(path.buf, O_RDONLY | O_CLOEXEC);
	while (fd >= 0 && (n = pread(fd, buf, sizeof(buf), j->off)) > 0) {
		char *line, *nl;

		j->off += n;
		strbuf_add(&j->partial, buf, (size_t)n);
		for (line = j->partial.buf; (nl = strchr(line, '\n')); line = nl + 1) {
			*nl = '\0';
			printf("%s%s%s\n", prefix ? j->key : "", prefix ? " | " : "", line);
		}
		memmove(j->partial.buf, line, strlen(line) + 1);
		strbuf_setlen(&j->partial, strlen(j->partial.buf));
	}
	if (final && j->partial.len) {
		printf("%s%s%s\n", prefix ? j->key : "", prefix ? " | " : "", j->partial.buf);
		strbuf_reset(&j->partial);
	}
	if (fd >= 0)
		close(fd);
	fflush(stdout);
	strbuf_release(&path);
	strbuf_release(&rel);
}

/*
 * Add the jobs to show that are not there yet: JOB as a key or an id, or
 * all of them (a running run may add matrix legs). -1 when JOB matches
 * no job or several.
 */
static int logs_select(struct logs_job **items, size_t *nr, size_t *alloc, struct arena *a,
		       struct val run, const char *want, struct strbuf *err)
{
	struct val *jobs = val_object_getstr(run, "jobs");
	size_t n = jobs && jobs->kind == VAL_ARRAY ? jobs->u.array->nr : 0, matched = 0;
	struct strbuf keys = STRBUF_INIT;

	for (size_t i = 0; i < n; i++) {
		struct val job = jobs->u.array->items[i];
		const char *key = rundir_str(job, "key"), *jid = rundir_str(job, "id");
		int known = 0;

		if (!key || !rundir_valid_name(key))
			continue;
		strbuf_addf(&keys, "%s%s", keys.len ? ", " : "", key);
		if (want && strcmp(key, want) && (!jid || strcmp(jid, want)))
			continue;
		matched++;
		for (size_t k = 0; k < *nr; k++)
			known |= !strcmp((*items)[k].key, key);
		if (known)
			continue;
		ALLOC_GROW(*items, *nr + 1, *alloc);
		(*items)[*nr].key = arena_strdup(a, key);
		(*items)[*nr].off = 0;
		strbuf_init(&(*items)[*nr].partial, 0);
		++*nr;
	}
	if (want && matched != 1)
		strbuf_addf(err, "%s job '%s' in run '%s' (jobs: %s)", matched ? "more than one" : "no",
			    want, rundir_str(run, "run_id") ? rundir_str(run, "run_id") : "?",
			    keys.len ? keys.buf : "none");
	strbuf_release(&keys);
	return want && matched != 1 ? -1 : 0;
}

int cmd_logs(int argc, const char **argv)
{
	const char *state_opt = NULL;
	int follow = 0, nargs, ret = EXITCODE_USAGE;
	struct strbuf err = STRBUF_INIT, state = STRBUF_INIT;
	struct arena a = ARENA_INIT;
	struct logs_job *jobs = NULL;
	size_t nr = 0, alloc = 0;
	struct arena runs = ARENA_INIT;
	struct val run;
	const struct option opts[] = {
		{ OPT_FLAG, 'f', "follow", &follow, NULL, "keep printing until the run stops running" },
		{ OPT_STRING, 0, "state", &state_opt, "DIR", "the state directory" },
		{ OPT_END },
	};

	nargs = options_parse(argc, argv, opts, &err);
	if (nargs == OPTIONS_HELP) {
		options_usage(stdout, logs_usage, opts);
		ret = EXITCODE_OK;
		goto out;
	}
	if (nargs == 0)
		strbuf_addstr(&err, "which run? (slipway logs RUN [JOB])");
	else if (nargs > 2)
		strbuf_addf(&err, "unexpected argument '%s'", argv[2]);
	else if (nargs > 0 && !rundir_valid_name(argv[0]))
		strbuf_addf(&err, "'%s' is not a run id", argv[0]);
	if (err.len) {
		fprintf(stderr, "slipway logs: %s\n", err.buf);
		options_usage(stderr, logs_usage, opts);
		goto out;
	}
	ret = EXITCODE_FAILED;
	if (rundir_open(&run, &a, &state, state_opt, argv[0], &err) < 0)
		goto fail;
	if (logs_select(&jobs, &nr, &alloc, &a, run, nargs > 1 ? argv[1] : NULL, &err) < 0)
		goto fail;
	for (;;) {
		int running;

		/* look first, then read: output written before the run ended is not missed */
		arena_release(&runs);
		running = follow && rundir_read(&run, &runs, state.buf, argv[0], &err) == 0 &&
			  !strcmp(rundir_result(run), "running");
		if (running)
			logs_select(&jobs, &nr, &alloc, &a, run, nargs > 1 ? argv[1] : NULL, &err);
		strbuf_reset(&err);
		for (size_t i = 0; i < nr; i++)
			logs_drain(state.buf, argv[0], &jobs[i], nargs < 2, !running);
		if (!running)
			break;
		nanosleep(&(struct timespec){ 0, 200 * 1000000 }, NULL);
	}
	ret = EXITCODE_OK;
	goto out;
fail:
	fprintf(stderr, "slipway logs: %s\n", err.buf);
out:
	for (size_t i = 0; i < nr; i++)
		strbuf_release(&jobs[i].partial);
	free(jobs);
	strbuf_release(&err);
	strbuf_release(&state);
	arena_release(&a);
	arena_release(&runs);
	return ret;
}
