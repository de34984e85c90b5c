/*
 * cmd_serve: `slipway serve --repo PATH[=NAME]... [--listen HOST:PORT]
 * [--state DIR] ...` parses the options, reads the secret and reviewer
 * files, and runs the daemon (runner/serve.h) until SIGINT or SIGTERM.
 */
#include "runner/commands.h"
#include "runner/exitcode.h"
#include "runner/rundir.h"
#include "runner/serve.h"
#include "util/options.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char serve_usage[] =
	"slipway serve --repo PATH[=NAME]... [--listen HOST:PORT] [--state DIR] [options]";

/* Append the non-empty, non-comment lines of path to out. */
static int serve_read_lines(struct strlist *out, const char *path, struct strbuf *err)
{
	struct strbuf text = STRBUF_INIT;
	char *line, *nl;

	if (strbuf_read_file(&text, path, 1 << 20) < 0) {
		strbuf_addf(err, "cannot read '%s': %m", path);
		strbuf_release(&text);
		return -1;
	}
	for (line = text.buf; *line; line = nl ? nl + 1 : line + strlen(line)) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		while (*line == ' ' || *line == '\t')
			line++;
		line[strcspn(line, "\r")] = '\0';
		if (*line && *line != '#')
			strlist_push(out, line);
		if (!nl)
			break;
	}
	strbuf_release(&text);
	return 0;
}

int cmd_serve(int argc, const char **argv)
{
	struct strlist repos = STRLIST_INIT, reviewers = STRLIST_INIT, secret = STRLIST_INIT;
	struct strbuf err = STRBUF_INIT, state = STRBUF_INIT, runner = STRBUF_INIT;
	const char *listen = HTTP_DEFAULT_LISTEN, *state_opt = NULL, *reviewers_file = NULL,
		   *secret_file = NULL, *runner_opt = NULL,
		   *backend = NULL;
	int poll = 30, concurrency = 2, nargs, ret = EXITCODE_USAGE;
	struct serve *s = NULL;
	struct serve_config cfg;
	const struct option opts[] = {
		{ OPT_LIST, 0, "repo", &repos, "PATH[=NAME]", "a repository to watch (repeatable)" },
		{ OPT_STRING, 0, "listen", &listen, "HOST:PORT",
		  "where the dashboard and API listen (default " HTTP_DEFAULT_LISTEN ")" },
		{ OPT_STRING, 0, "state", &state_opt, "DIR", "history, runs and logs (default: see README)" },
		{ OPT_INT, 0, "poll", &poll, "SECONDS", "look for new commits this often (default 30; 0: only on triggers)" },
		{ OPT_INT, 0, "concurrency", &concurrency, "N", "runs at once (default 2)" },
		{ OPT_LIST, 0, "reviewer", &reviewers, "[ENV=]NAME:TOKEN",
		  "NAME may approve ENV (or where .slipway.yml names them) with TOKEN (repeatable)" },
		{ OPT_STRING, 0, "reviewers", &reviewers_file, "FILE", "[ENV=]NAME:TOKEN lines" },
		{ OPT_STRING, 0, "webhook-secret-file", &secret_file, "FILE",
		  "accept signed push webhooks with the secret in FILE" },
		{ OPT_STRING, 0, "backend", &backend, "auto|docker|host",
		  "where runs put their jobs (default auto: docker when the engine answers)" },
		{ OPT_STRING, 0, "runner", &runner_opt, "PROGRAM", "run runs as 'PROGRAM run ...' (default: this slipway)" },
		{ OPT_END },
	};

	nargs = options_parse(argc, argv, opts, &err);
	if (nargs == OPTIONS_HELP) {
		options_usage(stdout, serve_usage, opts);
		ret = EXITCODE_OK;
		goto out;
	}
	if (nargs > 0)
		strbuf_addf(&err, "unexpected argument '%s'", argv[0]);
	else if (nargs == 0 && !repos.nr)
		strbuf_addstr(&err, "no repository to watch: give --repo PATH");
	else if (nargs == 0 && (concurrency < 1 || concurrency > 64))
		strbuf_addstr(&err, "--concurrency must be 1..64");
	else if (nargs == 0 && (poll < 0 || poll > 86400))
		strbuf_addstr(&err, "--poll must be 0..86400 seconds");
	else if (nargs == 0 && backend && strcmp(backend, "auto") && strcmp(backend, "docker") &&
		 strcmp(backend, "host"))
		strbuf_addf(&err, "unknown --backend '%s' (auto, docker or host)", backend);
	if (err.len) {
		fprintf(stderr, "slipway serve: %s\n", err.buf);
		options_usage(stderr, serve_usage, opts);
		goto out;
	}
	ret = EXITCODE_FAILED;
	if ((reviewers_file && serve_read_lines(&reviewers, reviewers_file, &err) < 0) ||
	    (secret_file && serve_read_lines(&secret, secret_file, &err) < 0) ||
	    rundir_state(&state, state_opt, &err) < 0)
		goto fail;
	if (secret_file && (!secret.nr || strlen(secret.items[0]) < 8)) {
		strbuf_addf(&err, "the webhook secret in '%s' needs at least 8 characters", secret_file);
		goto fail;
	}
	if (runner_opt) {
		strbuf_addstr(&runner, runner_opt);
	} else {
		char self[PATH_MAX];
		ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

		strbuf_add(&runner, self, n > 0 ? (size_t)n : 0);
	}
	if (access(runner.buf, X_OK) < 0) {
		strbuf_addf(&err, "the runner '%s' is not an executable program", runner.buf);
		goto fail;
	}
	cfg.state = state.buf;
	cfg.listen = listen;
	cfg.repos = &repos;
	cfg.reviewers = &reviewers;
	cfg.webhook_secret = secret.nr ? secret.items[0] : NULL;
	cfg.runner = runner.buf;
	cfg.backend = backend;
	cfg.concurrency = concurrency;
	cfg.poll_seconds = poll;
	if (serve_new(&s, &cfg, &err) < 0)
		goto fail;
	ret = serve_run(s) < 0 ? EXITCODE_FAILED : EXITCODE_OK;
	goto out;
fail:
	fprintf(stderr, "slipway serve: %s\n", err.buf);
out:
	serve_free(s);
	strlist_release(&repos);
	strlist_release(&reviewers);
	strlist_release(&secret);
	strbuf_release(&err);
	strbuf_release(&state);
	strbuf_release(&runner);
	return ret;
}
