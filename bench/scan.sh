#!/usr/bin/env bash
# scan: throughput of the secret/risk scanner over this tree and, when
# present, the third-party workflow corpus (bench/scan.c does the timing).
set -u
cd "$(dirname "$0")/.."
build=${SLIPWAY_BUILD:-build}
args=(.)
[ -n "${SLIPWAY_SHARED:-}" ] && [ -d "$SLIPWAY_SHARED/corpus" ] && args+=("$SLIPWAY_SHARED/corpus")
exec "$build/bench/scan" "${args[@]}"
