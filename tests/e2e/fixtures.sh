#!/usr/bin/env bash
# fixtures: every fixtures/NNNN-slug/ run with `slipway run` on the host
# backend and checked against its `expect` file (format: fixtures/README.md)
# by tests/fixture_check.py — exit status, job and step results from
# --summary, outputs, order, output patterns, secrets that must not appear.
. "$(dirname "$0")/../lib.sh"

if ! command -v python3 >/dev/null; then
	skip "workflow fixtures" "python3 is not installed"
	done_testing
	exit
fi
# fetched actions and caches stay in the suite's scratch directory
export XDG_CACHE_HOME=$SCRATCH/cache
for dir in "$SLIPWAY_TOP"/fixtures/[0-9][0-9][0-9][0-9]-*/; do
	name=$(basename "$dir")
	expect=$dir/expect
	work=$SCRATCH/$name
	state=$SCRATCH/state-$name
	cp -r "$dir" "$work" && rm -f "$work/expect"
	(cd "$work" && git init -q -b main && git add -A &&
		git -c user.name=fixture -c user.email=fixture@example.com commit -qm fixture) ||
		{ ok 1 "$name: make the repository"; continue; }
	while IFS= read -r cmd; do
		(cd "$work" && eval "$cmd") >/dev/null 2>&1 || ok 1 "$name: setup '$cmd'"
	done < <(sed -n 's/^setup: *//p' "$expect")
	args=$(sed -n 's/^args: *//p' "$expect")
	envs=$(sed -n 's/^env: *//p' "$expect")
	(cd "$work" && eval "env $envs \"\$SLIPWAY\" run --state \"\$state\" \
		--summary \"\$SCRATCH/$name.json\" $args") >"$SCRATCH/$name.out" 2>"$SCRATCH/$name.err" </dev/null
	rc=$?
	while IFS=$'\t' read -r status desc detail; do
		ok "$status" "$name: $desc"
		[ "$status" = 0 ] || diag "$detail"
	done < <(python3 "$SLIPWAY_TOP/tests/fixture_check.py" "$expect" "$rc" "$SCRATCH/$name.out" \
		"$SCRATCH/$name.err" "$SCRATCH/$name.json" "$state")
done
done_testing
