/*
 * cmd_trigger: `slipway trigger REPO [REF] [--state DIR]` asks the daemon
 * on that state directory to look at REPO now (a git post-receive hook
 * calls it), and to build REF's head even if it was built before. It
 * drops a file into <state>/triggers, which the daemon watches; it does
 * not need the daemon to be up (the file waits for it).
 */
#include "runner/commands.h"
#include "runner/exitcode.h"
#include "runner/rundir.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/options.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char trigger_usage[] = "slipway trigger REPO [REF] [--state DIR]";

/*
 * When a daemon said which repositories it watches (serve.json), is repo
 * one of them (by name or path)? 1 yes or no daemon, 0 no (err lists them).
 */
static int trigger_check_repo(const char *state, const char *repo, const char *real,
			      struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT, perr = STRBUF_INIT, names = STRBUF_INIT;
	struct arena a = ARENA_INIT;
	struct val info, *repos;
	int found = 1;

	strbuf_addf(&path, "%s/serve.json", state);
	if (json_parse_file(&info, &a, path.buf, &perr) < 0) {
		fprintf(stderr, "slipway trigger: no daemon is running on '%s'; the trigger waits "
				"for one\n", state);
		goto out;
	}
	repos = val_object_getstr(info, "repos");
	found = 0;
	for (size_t i = 0; repos && repos->kind == VAL_ARRAY && i < repos->u.array->nr; i++) {
		const char *name = rundir_str(repos->u.array->items[i], "name");
		const char *p = rundir_str(repos->u.array->items[i], "path");

		if ((name && !strcmp(name, repo)) || (p && real && !strcmp(p, real)))
			found = 1;
		strbuf_addf(&names, "%s%s", names.len ? ", " : "", name ? name : "?");
	}
	if (!found)
		strbuf_addf(err, "repository '%s' is not watched by the daemon on '%s' (it watches: %s)",
			    repo, state, names.len ? names.buf : "nothing");
out:
	strbuf_release(&path);
	strbuf_release(&perr);
	strbuf_release(&names);
	arena_release(&a);
	return found;
}

int cmd_trigger(int argc, const char **argv)
{
	const char *state_opt = NULL;
	struct strbuf err = STRBUF_INIT, state = STRBUF_INIT, body = STRBUF_INIT,
		      tmp = STRBUF_INIT, path = STRBUF_INIT;
	const struct option opts[] = {
		{ OPT_STRING, 0, "state", &state_opt, "DIR", "the daemon's state directory" },
		{ OPT_END },
	};
	char real[PATH_MAX], id[RUNDIR_ISO_LEN];
	int nargs, ret = EXITCODE_USAGE;
	const char *repo;

	nargs = options_parse(argc, argv, opts, &err);
	if (nargs == OPTIONS_HELP) {
		options_usage(stdout, trigger_usage, opts);
		ret = EXITCODE_OK;
		goto out;
	}
	if (nargs == 0)
		strbuf_addstr(&err, "which repository? (slipway trigger REPO [REF])");
	else if (nargs > 2)
		strbuf_addf(&err, "unexpected argument '%s'", argv[2]);
	else if (nargs == 2 && (!*argv[1] || strpbrk(argv[1], "\n ")))
		strbuf_addf(&err, "'%s' is not a ref", argv[1]);
	if (err.len) {
		fprintf(stderr, "slipway trigger: %s\n", err.buf);
		options_usage(stderr, trigger_usage, opts);
		goto out;
	}
	ret = EXITCODE_FAILED;
	repo = argv[0];
	if (rundir_state(&state, state_opt, &err) < 0 ||
	    !trigger_check_repo(state.buf, repo, realpath(repo, real) ? real : NULL, &err))
		goto fail;
	strbuf_addf(&body, "%s\n%s\n", realpath(repo, real) ? real : repo, nargs > 1 ? argv[1] : "");
	strbuf_addf(&path, "%s/triggers", state.buf);
	if (fs_mkdir_p(path.buf, 0755, &err) < 0)
		goto fail;
	rundir_new_id(id);
	strbuf_addf(&tmp, "%s/.%s-%ld.tmp", path.buf, id, (long)getpid());
	strbuf_addf(&path, "/%s-%ld.trigger", id, (long)getpid());
	if (fs_write_file(tmp.buf, body.buf, body.len, 0644, &err) < 0)
		goto fail;
	if (rename(tmp.buf, path.buf) < 0) {
		strbuf_addf(&err, "cannot write '%s': %s", path.buf, strerror(errno));
		unlink(tmp.buf);
		goto fail;
	}
	ret = EXITCODE_OK;
	goto out;
fail:
	fprintf(stderr, "slipway trigger: %s\n", err.buf);
out:
	strbuf_release(&err);
	strbuf_release(&state);
	strbuf_release(&body);
	strbuf_release(&tmp);
	strbuf_release(&path);
	return ret;
}
