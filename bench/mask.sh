#!/usr/bin/env bash
# mask.sh: the secret masker's throughput (50 MB log, 100 secrets) and its
# compile cost; then a run with 1000 secrets to show how it scales.
set -eu
bin=${SLIPWAY_BUILD:-build}/bench/mask
"$bin" 50 100
"$bin" 20 1000
