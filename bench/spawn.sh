#!/usr/bin/env bash
# spawn.sh: cost of spawning and reaping processes through util/proc +
# util/loop against fork+exec and a shell loop (see bench/spawn.c).
# SPAWN_N sets the number of processes per method (default 2000).
set -eu
build=${SLIPWAY_BUILD:-build}
exec "$build/bench/spawn" "${SPAWN_N:-2000}"
