/*
 * deployspec: how a version of an app is run in an environment — image,
 * container name, ports, runtime configuration, the names of its secrets,
 * the health check and the cut-over strategy — parsed from text (the
 * slipway/deploy stage's inputs) and kept in records as JSON. Running it
 * is stages/deployer.c's.
 */
#ifndef STAGES_DEPLOYSPEC_H
#define STAGES_DEPLOYSPEC_H

#include "stages/stage.h"
#include "util/arena.h"
#include "util/strbuf.h"
#include "util/strlist.h"
#include "util/value.h"

enum deploy_strategy {
	/*
	 * Start the new version as "<name>-candidate" on a loopback port the
	 * engine picks while the live one keeps serving; only when it is
	 * healthy replace the live container (which a container's fixed host
	 * port makes a stop and a start: the old one is kept, stopped, until
	 * the new one is healthy on the live port, and restarted if not).
	 */
	DEPLOY_CANDIDATE,
	/* Replace the live container directly (apps that cannot run twice). */
	DEPLOY_RECREATE,
};

struct deploy_health {
	const char *path;       /* "/health" */
	int status;             /* the answer expected: 200 */
	long timeout_ms;        /* one probe */
	long interval_ms;       /* between probes */
	int retries;            /* probes before giving up */
};

/*
 * How to run a version. Every string lives in the spec's arena. Set with
 * deploy_spec_set (keys as the stage's inputs), checked with
 * deploy_spec_check.
 */
struct deploy_spec {
	struct arena arena;
	const char *environment;        /* required */
	const char *image;              /* the exact reference: never rebuilt */
	const char *name;               /* the live container ("<repo>-<environment>") */
	const char *address;            /* host address the live port is published on */
	int port;                       /* host port of the live container (required) */
	int container_port;             /* the app's port inside (default: port) */
	struct strlist env;             /* "K=V": runtime configuration, recorded */
	struct strlist secrets;         /* names of secrets given at start, never their values */
	struct deploy_health health;
	enum deploy_strategy strategy;
};

/*
 * The settings, with their defaults, as the slipway/deploy stage's inputs
 * (NULL-terminated); deploy_spec_set takes the same names.
 */
extern const struct stage_input deploy_spec_inputs[];

/* Defaults applied; release with deploy_spec_release. */
void deploy_spec_init(struct deploy_spec *s);
void deploy_spec_release(struct deploy_spec *s);

/*
 * Set key ("image", "port", "env", "health-timeout" ...) from its text
 * form: numbers as digits (seconds may have a fraction), "env" as K=V
 * lines, "secrets" as names separated by newlines, commas or blanks.
 * An empty value keeps the default. -1 with err for an unknown key or a
 * malformed value ("'port' must be a port number (1-65535), not 'x'").
 */
int deploy_spec_set(struct deploy_spec *s, const char *key, const char *value,
		    struct strbuf *err);
/* Required keys present; defaults derived (name, container port). -1 with err. */
int deploy_spec_check(struct deploy_spec *s, struct strbuf *err);

/* The spec as records keep it (secrets by name), in arena a. */
struct val deploy_spec_to_val(struct arena *a, const struct deploy_spec *s);
/* A recorded spec back (then checked); -1 with err when malformed. */
int deploy_spec_from_val(struct deploy_spec *s, struct val v, struct strbuf *err);

#endif
