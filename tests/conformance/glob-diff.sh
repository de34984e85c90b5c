#!/usr/bin/env bash
# glob-diff: differential test of hashFiles() (util/glob_paths + the engine)
# against GitHub's runner algorithm over @actions/glob 0.4.0, the version
# the runner bundles: a seeded random tree and random pattern sets
# (wildcards, globstars, classes, '!' lines, comments, trailing '/', './',
# absolute paths, links), the same hash or the same failure for each.
# Skipped (not passed) without Node.js >= 20.6 and the npm registry.
# SLIPWAY_GLOB_DIFF_COUNT (300) and SLIPWAY_GLOB_DIFF_SEED choose the run.
. "$(dirname "$0")/../lib.sh"

count=${SLIPWAY_GLOB_DIFF_COUNT:-300}
seed=${SLIPWAY_GLOB_DIFF_SEED:-2718}
dir=$SLIPWAY_BUILD/glob-oracle

glob_oracle_ready() {
	command -v node >/dev/null && command -v npm >/dev/null || return 1
	node -e 'const [a,b]=process.versions.node.split(".").map(Number);
		process.exit(a>20||(a==20&&b>=6)?0:1)' || return 1
	[ -d "$dir/node_modules/@actions/glob" ] && return 0
	mkdir -p "$dir" &&
		printf '{"name": "glob-oracle", "private": true, "type": "module"}\n' >"$dir/package.json" &&
		(cd "$dir" && npm install --silent --no-audit --no-fund @actions/glob@0.4.0) >/dev/null 2>&1
}

if ! glob_oracle_ready; then
	skip "$count random hashFiles() pattern sets agree with GitHub's runner" \
		"needs Node.js >= 20.6 and the npm registry for @actions/glob"
	done_testing
	exit
fi
cp "$SLIPWAY_TOP"/tests/conformance/{glob-diff,seeded}.mjs "$dir/"
(cd "$dir" && node glob-diff.mjs --seed "$seed" --count "$count" --tree "$SCRATCH/tree" \
	--slipway "$SLIPWAY") >"$SCRATCH/report" 2>"$SCRATCH/stderr"
status=$?
# @actions/core writes its debug lines ("::debug::...") to stdout.
report=$(grep -v '^::' "$SCRATCH/report")
diag "@actions/glob $(cd "$dir" && node -p 'require("./node_modules/@actions/glob/package.json").version' 2>/dev/null), seed $seed"
printf '%s\n' "$report" | head -1 | sed 's/^/# /'
ok $status "$count random hashFiles() pattern sets: slipway and GitHub's runner give the same hash"
[ $status -eq 0 ] || printf '%s\n' "$report" | tail -n +2 | cut -c1-2000 | sed 's/^/#   /'
[ $status -eq 0 ] || tail -20 "$SCRATCH/stderr" | sed 's/^/#   stderr: /'
done_testing
