#!/usr/bin/env bash
# docker_dag.sh: `slipway run --backend docker` against the limit — the same
# containers and steps driven by a plain script with `docker run -d` /
# `docker exec` / `docker rm -f` — measured in one run:
#   fan-out:  N independent jobs (they should overlap)
#   chain:    N jobs, each needing the one before
# each job a few trivial steps (echo) in the busybox test image. Prints the
# wall times, their ratio (target: slipway within 1.15x of the script) and
# how many jobs ran at once on average in the fan-out.
# Usage: bench/docker_dag.sh [JOBS] [STEPS] [ROUNDS]  (default 8 3 3; the best
# round counts). Needs a Docker engine and a build (make check-build).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
slipway=${SLIPWAY:-$top/slipway}
jobs=${1:-8}
steps=${2:-3}
rounds=${3:-3}
command -v docker >/dev/null || { echo "docker_dag.sh: the docker CLI is needed to compare" >&2; exit 2; }
[ -x "$slipway" ] || { echo "docker_dag.sh: $slipway is missing; run make" >&2; exit 2; }
# shellcheck source=../tests/images.sh
. "$top/tests/images.sh"
images_busybox || exit 1

work=$(mktemp -d "${TMPDIR:-/tmp}/slipway-bench-docker.XXXXXX")
label=bench-docker-dag-$$
trap 'docker rm -f $(docker ps -aq --filter label=slipway.run=$label) >/dev/null 2>&1; rm -rf "$work"' EXIT

# The two workflows.
mkdir -p "$work/repo/.github/workflows"
for shape in fanout chain; do
	{
		printf 'name: %s\non: push\njobs:\n' "$shape"
		for ((j = 1; j <= jobs; j++)); do
			printf '  j%d:\n    runs-on: ubuntu-latest\n' "$j"
			[ "$shape" = chain ] && [ "$j" -gt 1 ] && printf '    needs: j%d\n' $((j - 1))
			printf '    steps:\n'
			for ((s = 1; s <= steps; s++)); do
				printf '      - run: echo step %d of job %d\n' "$s" "$j"
			done
		done
	} >"$work/repo/.github/workflows/$shape.yml"
done
git -C "$work/repo" init -q
git -C "$work/repo" add -A
git -C "$work/repo" -c user.name=b -c user.email=b@e commit -qm bench

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# The limit: one job as a script would run it, removing its container in
# the background as slipway does (the run waits for every removal).
script_job() { # JOB
	local c s
	c=$(docker run -d --label "slipway.run=$label" --entrypoint tail "$IMAGE_BUSYBOX" -f /dev/null)
	for ((s = 1; s <= steps; s++)); do
		docker exec "$c" sh -e -c "echo step $s of job $1" >/dev/null
	done
	docker rm -f "$c" >/dev/null &
}

script_run() { # SHAPE
	local j
	if [ "$1" = fanout ]; then
		for ((j = 1; j <= jobs; j++)); do (script_job "$j"; wait) & done
	else
		for ((j = 1; j <= jobs; j++)); do script_job "$j"; done
	fi
	wait
}

slipway_run() { # SHAPE
	(cd "$work/repo" && "$slipway" run --backend docker -P "ubuntu-latest=$IMAGE_BUSYBOX" \
		--jobs "$jobs" -W ".github/workflows/$1.yml" --state "$work/state" >/dev/null)
}

# Best of rounds (ms), alternating the two so that both see the same machine.
best() { # VAR ms
	if [ -z "${!1:-}" ] || [ "$2" -lt "${!1}" ]; then printf -v "$1" '%s' "$2"; fi
}

for shape in fanout chain; do
	slipway_run "$shape"   # warm-up: the image's layers, the page cache
	for ((r = 0; r < rounds; r++)); do
		t=$(now_ms); script_run "$shape"; best "script_$shape" $(($(now_ms) - t))
		t=$(now_ms); slipway_run "$shape"; best "slipway_$shape" $(($(now_ms) - t))
	done
	[ "$shape" = fanout ] && fanout_run=$(ls -t "$work/state/runs" | head -1)
done

# Overlap in the last fan-out run: the sum of job times over the run's wall time.
overlap=$(python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
print("%.1f" % (sum(j["duration_ms"] for j in r["jobs"]) / max(r["duration_ms"], 1)))' \
	"$work/state/runs/$fanout_run/run.json")

echo "docker executor vs a plain docker run/exec script: $jobs jobs x $steps steps, best of $rounds"
awk -v sf="$script_fanout" -v of="$slipway_fanout" -v sc="$script_chain" -v oc="$slipway_chain" \
	-v n="$jobs" -v ov="$overlap" 'BEGIN {
	printf "%-22s %10s %10s %8s\n", "", "script", "slipway", "ratio"
	printf "%-22s %8d ms %7d ms %7.2fx\n", n " independent jobs", sf, of, of / sf
	printf "%-22s %8d ms %7d ms %7.2fx\n", "chain of " n " jobs", sc, oc, oc / sc
	printf "fan-out overlap: %s jobs running at once on average (1.0: none)\n", ov
	printf "target: within 1.15x of the script\n"
}'
