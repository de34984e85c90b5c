/*
 * dryrun: the text `slipway run --dry-run` prints — the plan of a
 * prepared run (runner/prepare.c) with what can be known before anything
 * runs. It executes nothing and writes no run directory.
 */
#ifndef RUNNER_DRYRUN_H
#define RUNNER_DRYRUN_H

#include <stdio.h>

#include "runner/run.h"
#include "util/strlist.h"

/* Print run's plan to out; skipped lists "file: why" for workflows the event skips. */
void dryrun_print(FILE *out, struct run *run, const struct strlist *skipped);

#endif
