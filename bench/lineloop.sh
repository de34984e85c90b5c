#!/usr/bin/env bash
# lineloop.sh: what the runner adds per line of step output (workflow
# command parsing and masking) and per step (reading the GITHUB_* files).
set -eu
"${SLIPWAY_BUILD:-build}/bench/lineloop" 20
