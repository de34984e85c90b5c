/*
 * dockerauth: registry credentials handed from docker/login-action to the
 * stages of the same job that push (docker/build-push-action,
 * slipway/publish) through the runner's memory, never a file: login
 * prints them as a Slipway workflow command (runner/wfcmd.h), the runner
 * keeps them and gives them to the job's later stages in
 * STAGE_REGISTRY_AUTHS_VAR (stages/stage.h). Logging in and out are
 * stages/login.c's; checking credentials is the engine's.
 */
#ifndef STAGES_DOCKERAUTH_H
#define STAGES_DOCKERAUTH_H

#include "stages/stage.h"
#include "util/strbuf.h"

/* The key the docker CLI files Docker Hub's credentials under. */
#define DOCKERAUTH_HUB "https://index.docker.io/v1/"

/*
 * The key credentials for registry are filed under, as `docker login`
 * spells it: Docker Hub's names ("", docker.io, index.docker.io,
 * registry-1.docker.io) are DOCKERAUTH_HUB; otherwise a scheme and a
 * path are dropped ("https://ghcr.io/v2/" is "ghcr.io").
 */
void dockerauth_server(struct strbuf *out, const char *registry);

/*
 * The workflow-command lines (no newline) that hand server's credentials
 * to the runner and drop them. The login line carries the password
 * (base64-encoded): mask it first, and wipe out after printing.
 */
void dockerauth_login_command(struct strbuf *out, const char *server, const char *username,
			      const char *password);
void dockerauth_logout_command(struct strbuf *out, const char *server);

struct dockerauth {
	struct strbuf username, password;
	struct strbuf server;           /* the key, as dockerauth_server made it */
};

void dockerauth_init(struct dockerauth *a);
/* Release a; the password is overwritten first. */
void dockerauth_release(struct dockerauth *a);

/*
 * registry's credentials among those the runner gave the running stage
 * (STAGE_REGISTRY_AUTHS_VAR): 1 found, 0 when none, -1 with err when the
 * variable is not what the runner writes.
 */
int dockerauth_job_lookup(struct dockerauth *out, const struct stage_ctx *ctx,
			  const char *registry, struct strbuf *err);

#endif
