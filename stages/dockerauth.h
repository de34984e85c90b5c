/*
 * dockerauth: registry credentials handed from docker/login-action to the
 * steps of the same job that push (docker/build-push-action,
 * slipway/publish, and `docker` itself in a `run:` step), kept in a docker
 * CLI config file in the job's RUNNER_TEMP. Logging in and out are
 * stages/login.c's; checking credentials is the engine's.
 */
#ifndef STAGES_DOCKERAUTH_H
#define STAGES_DOCKERAUTH_H

#include "stages/stage.h"
#include "util/strbuf.h"

/* The directory under RUNNER_TEMP that DOCKER_CONFIG names after a login. */
#define DOCKERAUTH_DIR "docker-config"
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
 * Add (or replace) registry's credentials in dir/config.json as
 * {"auths": {"SERVER": {"auth": base64("username:password")}}}, keeping
 * what else the file holds; dir is made 0700, the file written 0600.
 * -1 with err.
 */
int dockerauth_store(const char *dir, const char *registry, const char *username,
		     const char *password, struct strbuf *err);

/*
 * Remove registry's credentials from dir/config.json; the file and dir
 * go when nothing else is left. 1 when there were some, 0 when not, -1
 * with err.
 */
int dockerauth_forget(const char *dir, const char *registry, struct strbuf *err);

struct dockerauth {
	struct strbuf username, password;
	struct strbuf server;           /* the key, as dockerauth_server made it */
};

void dockerauth_init(struct dockerauth *a);
void dockerauth_release(struct dockerauth *a);

/*
 * registry's credentials in dir/config.json: 1 found (plain "auth"
 * entries; credential helpers are not run), 0 when none or no file,
 * -1 with err when the file is not a config file.
 */
int dockerauth_lookup(struct dockerauth *out, const char *dir, const char *registry,
		      struct strbuf *err);

/*
 * The same for a running stage: the config directory DOCKER_CONFIG names
 * (a step's view of it mapped to this process's), 0 when unset.
 */
int dockerauth_job_lookup(struct dockerauth *out, const struct stage_ctx *ctx,
			  const char *registry, struct strbuf *err);

#endif
