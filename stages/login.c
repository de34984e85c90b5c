/*
 * login: the docker/login-action built-in stage — credentials checked by
 * the engine (POST /auth, as `docker login` does), then kept for the
 * later steps of the same job, and removed by the post step (logout).
 *
 * Where they are kept: a docker CLI config file in the job's RUNNER_TEMP
 * (stages/dockerauth.h), named by DOCKER_CONFIG exported to later steps.
 * Not a variable carrying the password through GITHUB_ENV: that would put
 * it in the environment of every later process of the job, in the `env`
 * context any expression can print, and in the GITHUB_ENV file. The
 * config file is read only by what pushes (the build-push and publish
 * stages, `docker push` in a `run:` step, which reads DOCKER_CONFIG as it
 * would after a real `docker login`), is 0600, is removed at logout and,
 * with logout: false, goes with RUNNER_TEMP when the job ends. The
 * password is masked before anything else is printed and written to no
 * output, state or summary.
 */
#include "stages/stages.h"

#include <string.h>

#include "runner/engine.h"
#include "stages/dockerauth.h"
#include "util/fs.h"

static const struct stage_input login_inputs[] = {
	{ "registry", NULL },           /* default: Docker Hub */
	{ "username", NULL },
	{ "password", NULL, 1 },
	{ "ecr", "auto" },              /* AWS ECR's own login: not supported */
	{ "scope", NULL },              /* buildx-only: not supported */
	{ "logout", "true" },
	{ NULL, NULL },
};

/* What the engine's reason says went wrong: a refusal, or no registry to ask. */
static const char *login_hint(const char *reason)
{
	static const char *const refused[] = { "401", "403", "unauthorized", "denied",
					       "incorrect username or password" };

	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if (strcasestr(reason, refused[i]))
			return "the registry refused these credentials";
	return "the engine cannot reach the registry to check them";
}

static void login_config_dir(const struct stage_ctx *ctx, const char *base, struct strbuf *out)
{
	fs_path_join(out, base ? base : ctx->temp, DOCKERAUTH_DIR);
}

static int login_main(struct stage_ctx *ctx)
{
	const char *registry = stage_input(ctx, "registry"), *user = stage_input(ctx, "username"),
		   *password = stage_input(ctx, "password");
	struct engine_auth auth = { user, password, NULL };
	struct strbuf err = STRBUF_INIT, server = STRBUF_INIT, dir = STRBUF_INIT,
		      view = STRBUF_INIT;
	struct engine *e = NULL;
	int logout = stage_input_bool(ctx, "logout"), ret = 1;

	if (*password)
		stage_mask(ctx, password);
	if (logout < 0)
		goto out;
	dockerauth_server(&server, registry);
	if (!*user || !*password) {
		strbuf_addf(&err, "'username' and 'password' are required to log in to '%s'",
			    server.buf);
		goto fail;
	}
	if (!strcmp(stage_input(ctx, "ecr"), "true") || *stage_input(ctx, "scope"))
		stage_warning(ctx, "docker/login-action: 'ecr' and 'scope' are not supported by "
			      "the built-in stage; logging in with the username and password");
	auth.server = server.buf;
	if (engine_open(&e, stage_getenv(ctx, "DOCKER_HOST"), &err) < 0)
		goto fail;
	stage_log(ctx, "Logging into %s...", server.buf);
	if (engine_registry_login(e, &auth, &err) < 0) {
		strbuf_addf(&err, " (%s)", login_hint(err.buf));
		goto fail;
	}
	login_config_dir(ctx, NULL, &dir);
	login_config_dir(ctx, ctx->step_temp, &view);
	if (dockerauth_store(dir.buf, registry, user, password, &err) < 0)
		goto fail;
	if (stage_save_state(ctx, "registry", server.buf) < 0 ||
	    stage_export_env(ctx, "DOCKER_CONFIG", view.buf) < 0)
		goto out;
	stage_log(ctx, "Login Succeeded! (the credentials serve the later steps of this job%s)",
		  logout ? " until its end" : "");
	ret = 0;
	goto out;
fail:
	ret = stage_fail(ctx, "docker/login-action: %s", err.buf);
out:
	engine_free(e);
	strbuf_release(&err);
	strbuf_release(&server);
	strbuf_release(&dir);
	strbuf_release(&view);
	return ret;
}

static int login_post(struct stage_ctx *ctx)
{
	const char *registry = stage_state(ctx, "registry");
	struct strbuf err = STRBUF_INIT, dir = STRBUF_INIT;
	int logout = stage_input_bool(ctx, "logout"), ret = 0;

	if (!registry || logout < 0)
		goto out;       /* main did not log in, or said why already */
	if (!logout) {
		stage_log(ctx, "logout: false; the credentials for %s go with the job's "
			  "RUNNER_TEMP", registry);
		goto out;
	}
	login_config_dir(ctx, NULL, &dir);
	if (dockerauth_forget(dir.buf, registry, &err) < 0)
		ret = stage_fail(ctx, "docker/login-action: %s", err.buf);
	else
		stage_log(ctx, "Logging out of %s (its credentials are removed)", registry);
out:
	strbuf_release(&err);
	strbuf_release(&dir);
	return ret;
}

const struct stage stage_login = {
	.name = "docker/login-action",
	.inputs = login_inputs,
	.main = login_main,
	.post = login_post,
	.post_if = "always()",
};
