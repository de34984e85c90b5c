/*
 * stages: the table of built-in stages, in the order `slipway __stage`
 * and --no-builtin look them up. Adding a stage is a file under stages/,
 * its declaration in stages/stages.h and a line here.
 */
#include "stages/stages.h"

#include <stddef.h>

const struct stage *const stages[] = {
	&stage_checkout,
	&stage_upload_artifact,
	&stage_download_artifact,
	&stage_cache,
	&stage_cache_restore,
	&stage_cache_save,
	&stage_setup_python,
	&stage_setup_node,
	&stage_setup_go,
	&stage_setup_java,
	&stage_scan,
	&stage_build,
	&stage_publish,
	&stage_deploy,
	&stage_setup_buildx,
	&stage_build_push,
	&stage_login,
	NULL,
};
