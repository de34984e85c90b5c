/*
 * deployer: putting one exact image live in an environment with the
 * Docker engine — a candidate beside the live container, a health check,
 * the cut-over, or the new one stopped and the old one kept or restored —
 * and recording every attempt (stages/deployrec). Shared by the
 * slipway/deploy stage and `slipway rollback`; it never builds an image.
 */
#ifndef STAGES_DEPLOYER_H
#define STAGES_DEPLOYER_H

#include <stdio.h>

#include "runner/engine.h"
#include "stages/deployspec.h"
#include "util/strbuf.h"
#include "util/strlist.h"

/* Who deploys, for the record (any member may be NULL). */
struct deploy_origin {
	const char *kind;               /* "deploy" or "rollback" */
	const char *sha, *run_id, *job, *by;
};

struct deploy_result {
	/*
	 * "deployed"; or, when the new version failed: "kept" (the old
	 * container never stopped), "restored" (it was stopped and is back),
	 * "failed" (nothing of this environment runs).
	 */
	const char *outcome;
	struct strbuf image_id;         /* of the image deployed (or attempted) */
	struct strbuf url;              /* where the live container answers */
	struct strbuf previous;         /* the image that served before ("" if none) */
};

void deploy_result_init(struct deploy_result *r);
void deploy_result_release(struct deploy_result *r);

/*
 * Deploy spec (checked) through engine e: secret_env ("K=V", may be NULL)
 * is added to the container's environment and never written anywhere;
 * progress lines go to log. Holds the environment's record lock
 * throughout and records the attempt under state. An image missing from
 * the engine is pulled. Returns 0 when the new version serves, -1 with
 * err saying why not (out->outcome says what serves instead).
 */
int deploy_run(struct deploy_result *out, struct engine *e, const struct deploy_spec *spec,
	       const struct strlist *secret_env, const struct deploy_origin *origin,
	       const char *state, FILE *log, struct strbuf *err);

#endif
