/*
 * version: the release string, set by the Makefile from git when possible.
 */
#ifndef RUNNER_VERSION_H
#define RUNNER_VERSION_H

#ifndef SLIPWAY_VERSION
#define SLIPWAY_VERSION "0.1.0"
#endif

#endif
