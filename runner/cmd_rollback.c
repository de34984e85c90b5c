/*
 * cmd_rollback: `slipway rollback ENV [--to IMAGE]` puts the previous
 * known-good version of an environment back — the exact image recorded,
 * never rebuilt — with the settings and health check it was deployed
 * with, its secrets read as `slipway run` reads them (.secrets, the
 * environment's secrets-file, --secret). The deploy itself is stages/deployer.c's.
 */
#include "runner/commands.h"
#include "runner/config.h"
#include "runner/dotenv.h"
#include "runner/exitcode.h"
#include "runner/rundir.h"
#include "runner/secrets.h"
#include "stages/deployer.h"
#include "stages/deployrec.h"
#include "util/fs.h"
#include "util/options.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char rollback_usage[] =
	"slipway rollback ENV [--to IMAGE] [--secret NAME[=VALUE]] [--secret-file FILE] "
	"[--state DIR]";

struct rollback_opts {
	const char *to, *state;
	struct strlist secret_args, secret_files;
};

/*
 * The entry to go back to: the newest successful one deploying image to
 * (when given), else the record's previous one. NULL with err.
 */
static const struct val *rollback_target(const struct deployrec *r, const char *env,
					 const char *to, struct strbuf *err)
{
	struct val h = deployrec_history(r);
	const struct val *cur = deployrec_current(r), *prev = deployrec_previous(r);

	if (!to) {
		if (!prev)
			strbuf_addf(err, "environment '%s' has no previous version to roll back to",
				    env);
		return prev;
	}
	for (size_t i = 0; i < h.u.array->nr; i++) {
		const char *img = rundir_str(h.u.array->items[i], "image");
		const char *res = rundir_str(h.u.array->items[i], "result");

		if (img && res && !strcmp(img, to) && !strcmp(res, "success"))
			return &h.u.array->items[i];
	}
	strbuf_addf(err, "image '%s' was never deployed to '%s' successfully%s%s", to, env,
		    cur ? "; it runs " : "", cur ? rundir_str(*cur, "image") : "");
	return NULL;
}

/*
 * The target's recorded settings, placed where the environment lives now:
 * the current entry's container name, address and port replace its own,
 * so that the rollback replaces what serves rather than starting beside it.
 */
static struct val rollback_placement(struct deployrec *r, struct val target_spec)
{
	static const char *const placement[] = { "name", "address", "port" };
	const struct val *cur = deployrec_current(r);
	const struct val *now = cur ? val_object_getstr(*cur, "spec") : NULL;
	struct val spec = val_copy(&r->arena, target_spec);

	for (size_t i = 0; now && now->kind == VAL_OBJECT && i < 3; i++) {
		const struct val *v = val_object_getstr(*now, placement[i]);

		if (v)
			val_object_setstr(&r->arena, spec, placement[i], *v);
	}
	return spec;
}

/* The value of secret name (case-insensitive): the environment's file, else the run-wide ones. */
static const char *rollback_secret(struct val env_secrets, struct val secrets, const char *name)
{
	const struct val *v = val_object_geti(env_secrets, name, strlen(name));

	if (!v)
		v = val_object_geti(secrets, name, strlen(name));
	return v && v->kind == VAL_STRING ? v->u.string.ptr : NULL;
}

/*
 * "NAME=value" for each secret the spec names, read from the repository
 * around the current directory as `slipway run` reads them.
 */
static int rollback_secrets(struct strlist *out, const struct deploy_spec *spec,
			    const struct rollback_opts *o, struct strbuf *err)
{
	struct strbuf top = STRBUF_INIT, cwd = STRBUF_INIT, path = STRBUF_INIT;
	struct diag_list diags = DIAG_LIST_INIT;
	struct config cfg;
	struct secrets sec;
	struct mask mask;
	struct arena a = ARENA_INIT;
	struct val env_secrets = val_new_object(&a);
	struct secrets_opts so;
	const struct config_env *ce;
	char buf[4096];
	int ret = -1;

	memset(&cfg, 0, sizeof(cfg));
	memset(&sec, 0, sizeof(sec));
	mask_init(&mask);
	strbuf_addstr(&cwd, getcwd(buf, sizeof(buf)) ? buf : ".");
	if (fs_find_upwards(&top, cwd.buf, ".git") < 0)
		strbuf_addstr(&top, cwd.buf);
	fs_path_join(&path, top.buf, CONFIG_FILE);
	memset(&so, 0, sizeof(so));
	so.dir = top.buf;
	so.secret_args = &o->secret_args;
	so.secret_files = &o->secret_files;
	if (config_load(&cfg, path.buf, &diags) < 0 || secrets_collect(&sec, &so, &mask, &diags) < 0)
		goto diags;
	ce = config_env_find(&cfg, spec->environment);
	if (ce && ce->secrets_file) {
		strbuf_reset(&path);
		fs_path_join(&path, top.buf, ce->secrets_file->u.scalar.ptr);
		if (dotenv_load(&a, env_secrets, path.buf, &diags) < 0)
			goto diags;
	}
	for (size_t i = 0; i < spec->secrets.nr; i++) {
		const char *v = rollback_secret(env_secrets, sec.secrets, spec->secrets.items[i]);

		if (!v || !*v) {
			strbuf_addf(err, "secret '%s' of environment '%s' is not set: give it with "
				    "--secret %s, --secret-file or .secrets in '%s'",
				    spec->secrets.items[i], spec->environment,
				    spec->secrets.items[i], top.buf);
			goto out;
		}
		strlist_pushf(out, "%s=%s", spec->secrets.items[i], v);
	}
	ret = 0;
	goto out;
diags:
	diag_list_print(stderr, &diags);
	strbuf_addstr(err, "cannot read the secrets");
out:
	config_release(&cfg);
	secrets_release(&sec);
	mask_release(&mask);
	diag_list_release(&diags);
	arena_release(&a);
	strbuf_release(&top);
	strbuf_release(&cwd);
	strbuf_release(&path);
	return ret;
}

int cmd_rollback(int argc, const char **argv)
{
	struct rollback_opts o = { NULL, NULL, STRLIST_INIT, STRLIST_INIT };
	const struct option opts[] = {
		{ OPT_STRING, 0, "to", &o.to, "IMAGE", "go back to this image (default: the "
		  "previous one)" },
		{ OPT_LIST, 0, "secret", &o.secret_args, "NAME[=VALUE]", "a secret (the value "
		  "from the environment when omitted)" },
		{ OPT_LIST, 0, "secret-file", &o.secret_files, "FILE", "secrets (dotenv)" },
		{ OPT_STRING, 0, "state", &o.state, "DIR", "the state directory" },
		{ OPT_END },
	};
	struct strbuf err = STRBUF_INIT, state = STRBUF_INIT;
	struct strlist secret_env = STRLIST_INIT;
	struct deploy_spec spec;
	struct deploy_result res;
	struct deployrec rec;
	struct deploy_origin origin = { "rollback", NULL, NULL, NULL, fs_user_name() };
	struct engine *e = NULL;
	const struct val *target, *spec_val;
	int nargs, ret = EXITCODE_USAGE;

	deploy_spec_init(&spec);
	deploy_result_init(&res);
	memset(&rec, 0, sizeof(rec));
	rec.lock_fd = -1;
	nargs = options_parse(argc, argv, opts, &err);
	if (nargs == OPTIONS_HELP) {
		options_usage(stdout, rollback_usage, opts);
		ret = EXITCODE_OK;
		goto out;
	}
	if (nargs >= 0 && nargs != 1)
		strbuf_addstr(&err, nargs ? "one environment at a time" : "roll back which "
			      "environment?");
	else if (nargs == 1 && !deployrec_valid_env(argv[0]))
		strbuf_addf(&err, "'%s' is not an environment name", argv[0]);
	if (err.len) {
		fprintf(stderr, "slipway rollback: %s\n", err.buf);
		options_usage(stderr, rollback_usage, opts);
		goto out;
	}
	ret = EXITCODE_FAILED;
	if (rundir_state(&state, o.state, &err) < 0 ||
	    deployrec_open(&rec, state.buf, argv[0], 0, &err) < 0)
		goto fail;
	if (!deployrec_history(&rec).u.array->nr) {
		strbuf_addf(&err, "no deployments to environment '%s' in '%s'", argv[0], state.buf);
		goto fail;
	}
	target = rollback_target(&rec, argv[0], o.to, &err);
	if (!target)
		goto fail;
	spec_val = val_object_getstr(*target, "spec");
	origin.sha = rundir_str(*target, "sha");
	if (!spec_val) {
		strbuf_addf(&err, "the record of '%s' holds no deploy settings",
			    rundir_str(*target, "image"));
		goto fail;
	}
	if (deploy_spec_from_val(&spec, rollback_placement(&rec, *spec_val), &err) < 0) {
		strbuf_addstr(&err, " (in the record of that deployment)");
		goto fail;
	}
	if ((spec.secrets.nr && rollback_secrets(&secret_env, &spec, &o, &err) < 0) ||
	    engine_open(&e, NULL, &err) < 0)
		goto fail;
	fprintf(stderr, "rolling '%s' back to '%s' (commit %.7s)\n", argv[0], spec.image,
		origin.sha ? origin.sha : "unknown");
	if (deploy_run(&res, e, &spec, &secret_env, &origin, state.buf, stderr, &err) < 0)
		goto fail;
	printf("rolled back '%s' to '%s': %s\n", argv[0], spec.image, res.url.buf);
	ret = EXITCODE_OK;
	goto out;
fail:
	fprintf(stderr, "slipway rollback: %s\n", err.buf);
out:
	engine_free(e);
	deployrec_release(&rec);
	deploy_spec_release(&spec);
	deploy_result_release(&res);
	strlist_release(&secret_env);
	strlist_release(&o.secret_args);
	strlist_release(&o.secret_files);
	strbuf_release(&err);
	strbuf_release(&state);
	return ret;
}
