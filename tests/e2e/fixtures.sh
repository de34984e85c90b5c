#!/usr/bin/env bash
# fixtures: every fixtures/NNNN-slug/ run with `slipway run` on the host
# backend, then again on the docker backend (ubuntu-latest in an image with
# the shells they use) when an engine answers, and checked against its
# `expect` file (format: fixtures/README.md) by tests/fixture_check.py —
# exit status, job and step results from --summary, outputs, order, output
# patterns, secrets that must not appear. The same expectations hold on
# both backends; `host-only: REASON` keeps a fixture off the docker run.
. "$(dirname "$0")/../lib.sh"
. "$SLIPWAY_TOP/tests/images.sh"

if ! command -v python3 >/dev/null; then
	skip "workflow fixtures" "python3 is not installed"
	done_testing
	exit
fi
# fetched actions and caches stay in the suite's scratch directory
export XDG_CACHE_HOME=$SCRATCH/cache
backends=(host)
if docker_available; then
	if images_runner; then
		backends+=(docker)
	else
		ok 1 "the docker backend's image builds (tests/images.sh runner)"
	fi
else
	skip "workflow fixtures on the docker backend" "no Docker engine answers"
fi
for backend in "${backends[@]}"; do
for dir in "$SLIPWAY_TOP"/fixtures/[0-9][0-9][0-9][0-9]-*/; do
	name=$(basename "$dir")
	expect=$dir/expect
	backend_args="--backend host"
	if [ "$backend" = docker ]; then
		reason=$(sed -n 's/^host-only: *//p' "$expect")
		if [ -n "$reason" ]; then
			skip "$name (docker)" "$reason"
			continue
		fi
		backend_args="--backend docker -P ubuntu-latest=$IMAGE_RUNNER"
		name="$name (docker)"
	fi
	work=$SCRATCH/$backend/$(basename "$dir")
	state=$SCRATCH/$backend/state-$(basename "$dir")
	mkdir -p "$SCRATCH/$backend" && cp -r "$dir" "$work" && rm -f "$work/expect"
	(cd "$work" && git init -q -b main && git add -A &&
		git -c user.name=fixture -c user.email=fixture@example.com commit -qm fixture) ||
		{ ok 1 "$name: make the repository"; continue; }
	while IFS= read -r cmd; do
		(cd "$work" && eval "$cmd") >/dev/null 2>&1 || ok 1 "$name: setup '$cmd'"
	done < <(sed -n 's/^setup: *//p' "$expect")
	args=$(sed -n 's/^args: *//p' "$expect")
	envs=$(sed -n 's/^env: *//p' "$expect")
	(cd "$work" && eval "env $envs \"\$SLIPWAY\" run $backend_args --state \"\$state\" \
		--summary \"\$work.json\" $args") >"$work.out" 2>"$work.err" </dev/null
	rc=$?
	while IFS=$'\t' read -r status desc detail; do
		ok "$status" "$name: $desc"
		[ "$status" = 0 ] || diag "$detail"
	done < <(python3 "$SLIPWAY_TOP/tests/fixture_check.py" "$expect" "$rc" "$work.out" \
		"$work.err" "$work.json" "$state")
done
done
done_testing
