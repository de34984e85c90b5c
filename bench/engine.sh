#!/usr/bin/env bash
# engine.sh: the engine client against the docker CLI, measured in one run.
#   exec:       N round trips of `true` in a running container
#               (engine_exec_run: create, start with output, inspect)
#               vs `docker exec C true`
#   lifecycle:  N containers of `true` (create, start, wait, remove)
#               vs `docker run --rm IMAGE true`
# Usage: bench/engine.sh [N]  (default 20). Needs a Docker engine and a
# build (make check-build; SLIPWAY_BUILD picks another build folder).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${SLIPWAY_BUILD:-$top/build}
n=${1:-20}
bin=$build/bench/engine_bench
[ -x "$bin" ] || { echo "engine.sh: $bin is missing; run make check-build" >&2; exit 2; }
command -v docker >/dev/null || { echo "engine.sh: the docker CLI is needed to compare" >&2; exit 2; }
# shellcheck source=../tests/images.sh
. "$top/tests/images.sh"
images_busybox || exit 1

c=$(docker run -d --label slipway.run=bench-engine "$IMAGE_BUSYBOX" sleep 3600)
trap 'docker rm -f "$c" >/dev/null 2>&1' EXIT

now_ms() { echo $(($(date +%s%N) / 1000000)); }
time_cli() { # COMMAND...: total ms of n runs after one warm-up
	local start i
	"$@" >/dev/null
	start=$(now_ms)
	for ((i = 0; i < n; i++)); do "$@" >/dev/null; done
	echo $(($(now_ms) - start))
}

ours_exec=$("$bin" exec "$n" "$c")
cli_exec=$(time_cli docker exec "$c" true)
ours_run=$("$bin" run "$n" "$IMAGE_BUSYBOX")
cli_run=$(time_cli docker run --rm --label slipway.run=bench-engine "$IMAGE_BUSYBOX" true)

echo "engine client vs docker CLI, $n iterations each (mean ms per iteration)"
awk -v n="$n" -v oe="$ours_exec" -v ce="$cli_exec" -v orr="$ours_run" -v cr="$cli_run" 'BEGIN {
	printf "%-28s %10s %10s %8s\n", "", "slipway", "docker", "ratio"
	printf "%-28s %10.2f %10.2f %7.1fx\n", "exec round trip", oe / n, ce / n, ce / oe
	printf "%-28s %10.2f %10.2f %7.1fx\n", "create+start+wait+remove", orr / n, cr / n, cr / orr
}'
