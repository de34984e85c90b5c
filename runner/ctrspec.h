/*
 * ctrspec: a job's `container:` and its `services:` (already evaluated)
 * decoded into what the engine creates — image, credentials, env, ports,
 * volumes, and the `options:` string's docker-create flags that map to the
 * API (--user, --cpus, --health-cmd, ...). Creating, naming and labelling
 * the containers is exec_docker's business.
 */
#ifndef RUNNER_CTRSPEC_H
#define RUNNER_CTRSPEC_H

#include <stddef.h>

#include "runner/engine.h"
#include "util/strbuf.h"
#include "util/strlist.h"
#include "util/value.h"

/* One container to create. Every string and list is owned (ctrspec_release). */
struct ctrspec {
	char *key;                  /* a service's key (its hostname); NULL: the job container */
	char *image;
	char *username, *password;  /* `credentials:`, NULL when absent */
	struct strlist env;         /* "K=V", `env:` then -e options */
	struct strlist ports;       /* "[ip:][host:]container[/proto]" */
	struct strlist binds;       /* "source:dest[:mode]": host paths and named volumes */
	struct strlist named;       /* the named volumes binds refers to (made if missing) */
	struct strlist anonymous;   /* container paths that want a fresh volume */
	struct strlist tmpfs, labels, extra_hosts, cap_add, cap_drop, security_opt;
	struct strlist entrypoint, health_test;
	int has_entrypoint;         /* --entrypoint given ("" clears the image's) */
	char *user, *hostname, *workdir;
	struct engine_healthcheck health;   /* used when health_test has items */
	long long memory, nano_cpus, shm_size;
	int privileged, init, read_only;
};

void ctrspec_init(struct ctrspec *c);
void ctrspec_release(struct ctrspec *c);

/*
 * Decode `container:` (an image string or a mapping with image,
 * credentials, env, ports, volumes, options). An empty image means no
 * job container, as on GitHub: returns 0 with c->image NULL. Returns 0,
 * or -1 with a message in err ("container: option '--net' is not
 * supported: slipway puts the job on its own network").
 */
int ctrspec_from_container(struct ctrspec *c, struct val container, struct strbuf *err);

/*
 * Decode `services:` (a mapping of key -> image string or mapping) into
 * *out, a heap array of *nr specs (services with an empty image are left
 * out, as on GitHub); ctrspec_free_list frees it. Returns 0, or -1 with
 * a message in err naming the service.
 */
int ctrspec_from_services(struct ctrspec **out, size_t *nr, struct val services,
			  struct strbuf *err);
void ctrspec_free_list(struct ctrspec *list, size_t nr);

/*
 * The engine's view of c (pointers into c, valid while c is neither
 * changed nor moved); the caller fills in name, network and the like.
 */
void ctrspec_engine_spec(struct engine_container_spec *out, struct ctrspec *c);

/*
 * Split a docker-style option string into words: blanks separate, single
 * quotes keep everything, double quotes and backslashes work as in sh.
 * Returns 0, or -1 with err for an unterminated quote.
 */
int ctrspec_split_words(struct strlist *out, const char *s, struct strbuf *err);

#endif
