/*
 * login: the docker/login-action built-in stage — credentials checked by
 * the engine (POST /auth, as `docker login` does), then handed to the
 * runner (::slipway-registry-login::, stages/dockerauth.h), which keeps
 * them in the job's memory for the job's later built-in stages
 * (docker/build-push-action with push: true, slipway/publish), and
 * dropped by the post step (logout). They never reach a file, a variable
 * of other steps, an output, state or summary; the password is masked
 * before anything else is printed.
 *
 * The consequence: `docker push` in a `run:` step does not see this
 * login (there is no docker CLI config file for it to read); push with
 * docker/build-push-action or slipway/publish instead.
 */
#include "stages/stages.h"

#include <string.h>

#include "runner/engine.h"
#include "stages/dockerauth.h"

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
	/* asked first: an address may hold "401" (127.0.0.1:37401) */
	static const char *const unreachable[] = { "dial tcp", "connection refused",
						   "no such host", "timeout", "deadline exceeded" };
	static const char *const refused[] = { "401", "403", "unauthorized", "denied",
					       "incorrect username or password" };

	for (size_t i = 0; i < sizeof(unreachable) / sizeof(unreachable[0]); i++)
		if (strcasestr(reason, unreachable[i]))
			return "the engine cannot reach the registry to check them";
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if (strcasestr(reason, refused[i]))
			return "the registry refused these credentials";
	return "the engine cannot reach the registry to check them";
}

static int login_main(struct stage_ctx *ctx)
{
	const char *registry = stage_input(ctx, "registry"), *user = stage_input(ctx, "username"),
		   *password = stage_input(ctx, "password");
	struct engine_auth auth = { user, password, NULL };
	struct strbuf err = STRBUF_INIT, server = STRBUF_INIT, line = STRBUF_INIT;
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
	if (stage_save_state(ctx, "registry", server.buf) < 0)
		goto out;
	dockerauth_login_command(&line, server.buf, user, password);
	stage_log(ctx, "%s", line.buf);
	stage_log(ctx, "Login Succeeded! (the credentials serve this job's later built-in "
		  "steps that push%s)", logout ? "" : ", until it ends");
	ret = 0;
	goto out;
fail:
	ret = stage_fail(ctx, "docker/login-action: %s", err.buf);
out:
	engine_free(e);
	strbuf_release(&err);
	strbuf_release(&server);
	memset(line.buf, 0, line.len);
	strbuf_release(&line);
	return ret;
}

static int login_post(struct stage_ctx *ctx)
{
	const char *registry = stage_state(ctx, "registry");
	struct strbuf line = STRBUF_INIT;
	int logout = stage_input_bool(ctx, "logout");

	if (!registry || logout < 0)
		goto out;       /* main did not log in, or said why already */
	if (!logout) {
		stage_log(ctx, "logout: false; the credentials for %s go when the job ends",
			  registry);
		goto out;
	}
	dockerauth_logout_command(&line, registry);
	stage_log(ctx, "%s", line.buf);
	stage_log(ctx, "Logging out of %s (its credentials are dropped)", registry);
out:
	strbuf_release(&line);
	return 0;
}

const struct stage stage_login = {
	.name = "docker/login-action",
	.inputs = login_inputs,
	.main = login_main,
	.post = login_post,
	.post_if = "always()",
};
