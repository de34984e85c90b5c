/*
 * stages: the built-in stages, each defined in its own file under
 * stages/, declared here for the table in stages/stages.c. The contract
 * they follow is stages/stage.h.
 */
#ifndef STAGES_STAGES_H
#define STAGES_STAGES_H

#include "stages/stage.h"

extern const struct stage stage_checkout;        /* stages/checkout.c */
extern const struct stage stage_upload_artifact; /* stages/artifact.c */
extern const struct stage stage_download_artifact;
extern const struct stage stage_cache;           /* stages/cache.c */
extern const struct stage stage_cache_restore;
extern const struct stage stage_cache_save;
extern const struct stage stage_setup_python;   /* stages/setup.c */
extern const struct stage stage_setup_node;
extern const struct stage stage_setup_go;
extern const struct stage stage_setup_java;
extern const struct stage stage_scan;            /* stages/scanstep.c */
extern const struct stage stage_build;           /* stages/build.c */
extern const struct stage stage_publish;         /* stages/publish.c */
extern const struct stage stage_deploy;          /* stages/deploy.c */
extern const struct stage stage_setup_buildx;    /* stages/buildx.c */
extern const struct stage stage_build_push;      /* stages/buildpush.c */
extern const struct stage stage_login;           /* stages/login.c */

#endif
