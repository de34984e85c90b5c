/*
 * deployrec: what is deployed where — one JSON file per environment,
 * <state>/deployments/<env>.json, written by the slipway/deploy stage and
 * `slipway rollback`, read by `slipway deployments`. Starting containers
 * is stages/deployer.c's; this file only keeps the record.
 */
#ifndef STAGES_DEPLOYREC_H
#define STAGES_DEPLOYREC_H

#include "util/arena.h"
#include "util/strbuf.h"
#include "util/strlist.h"
#include "util/value.h"

/* Attempts kept per environment (older ones are dropped). */
#define DEPLOYREC_HISTORY_MAX 50

/*
 * The file:
 *   {"environment": "production",
 *    "current":  ENTRY | null,     the version that serves now
 *    "previous": ENTRY | null,     the one current replaced (rollback's target)
 *    "history":  [ENTRY ...]}      every attempt, newest first
 * ENTRY:
 *   {"image": "127.0.0.1:5000/tasks-app:3f2c1ab",  the exact reference
 *    "image_id": "sha256:...", "sha": "<commit>" | null,
 *    "at": "<ISO-8601 UTC ms>", "run_id": "..." | null, "job": "..." | null,
 *    "by": "<who>", "kind": "deploy" | "rollback",
 *    "result": "success" | "failed" | "rolled-back",
 *    "message": "..." (when not a success), "url": "http://...",
 *    "container": "tasks-app-production",
 *    "spec": {...}}   how it was started (stages/deployer.h), secrets by name only
 */
struct deployrec {
	struct arena arena;     /* doc and everything added */
	struct val doc;
	char *path;
	int lock_fd;            /* -1 when not locked */
};

/* Is name usable as an environment's record name (letters, digits, . _ -)? */
int deployrec_valid_env(const char *name);

/* out = <state>/deployments[/<env>.json] (env may be NULL). */
void deployrec_path(struct strbuf *out, const char *state, const char *env);

/*
 * Read env's record (a missing file is an empty record). With lock, take
 * the environment's lock first (<env>.lock, blocking) and keep it until
 * deployrec_release, so that two deploys to one environment take turns.
 * Returns 0, or -1 with err (unreadable or malformed file, bad name).
 * Release r either way.
 */
int deployrec_open(struct deployrec *r, const char *state, const char *env, int lock,
		   struct strbuf *err);
void deployrec_release(struct deployrec *r);

/* The current / previous entry, or NULL. Valid until deployrec_release. */
const struct val *deployrec_current(const struct deployrec *r);
const struct val *deployrec_previous(const struct deployrec *r);
/* The history array (newest first; possibly empty). */
struct val deployrec_history(const struct deployrec *r);

/*
 * Record an attempt (an object allocated in r->arena): put first in the
 * history; a "success" becomes current and the old current previous.
 * Written at once (atomically). Returns 0 or -1 with err.
 */
int deployrec_add(struct deployrec *r, struct val entry, struct strbuf *err);

/* The environments that have a record under state, sorted. */
int deployrec_environments(struct strlist *out, const char *state, struct strbuf *err);

#endif
