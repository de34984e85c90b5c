#!/usr/bin/env bash
# expr_eval: benchmark of expression evaluation, Slipway against GitHub's own
# evaluator (@actions/expressions) in the same run.
#  1. in-process: the batch bench/expr_eval_exprs.txt parsed once, the
#     contexts bench/expr_eval_context.json built once, evaluated over and
#     over; throughputs and their ratio (target: at least 20x).
#  2. end to end: N request lines carrying the full contexts through
#     `slipway eval --jsonl` and the oracle's eval.mjs (JSON I/O included).
# Standalone: SLIPWAY (binary), SLIPWAY_BUILD (build folder), SLIPWAY_SHARED
# (../shared) default to this checkout's; SLIPWAY_BENCH_LINES (100000),
# SLIPWAY_BENCH_SECONDS (1 per round), SLIPWAY_BENCH_ROUNDS (3). Without
# Node.js >= 20.6 only Slipway's side runs.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
export SLIPWAY_TOP=$top
export SLIPWAY_BUILD=${SLIPWAY_BUILD:-$top/build}
export SLIPWAY=${SLIPWAY:-$top/slipway}
if [ -z "${SLIPWAY_SHARED:-}" ]; then
	for d in "$top/../shared" "$top/../../shared"; do
		[ -d "$d/conformance" ] && { SLIPWAY_SHARED=$(cd "$d" && pwd); break; }
	done
fi
export SLIPWAY_SHARED=${SLIPWAY_SHARED:-}
. "$top/tests/lib.sh"
lines=${SLIPWAY_BENCH_LINES:-100000}
seconds=${SLIPWAY_BENCH_SECONDS:-1}
ctx=$top/bench/expr_eval_context.json
exprs=$top/bench/expr_eval_exprs.txt

[ -x "$SLIPWAY_BUILD/bench/expr_eval" ] && [ -x "$SLIPWAY" ] || {
	echo "expr_eval: build first (make check-build)" >&2
	exit 2
}
# The machine may be shared: each side runs $rounds times, alternating, and keeps its best.
rounds=${SLIPWAY_BENCH_ROUNDS:-3}
rate() { sed -E 's/.*: ([0-9]+) evaluations\/s$/\1/'; }
have_oracle=0
oracle_ready && have_oracle=1 && cp "$top/bench/expr_eval.mjs" "$ORACLE/"
ours_all="" theirs_all=""
for ((i = 0; i < rounds; i++)); do
	ours_all+=$("$SLIPWAY_BUILD/bench/expr_eval" "$ctx" "$exprs" "$seconds")$'\n' || exit 1
	if [ $have_oracle = 1 ]; then
		theirs_all+=$(cd "$ORACLE" && node expr_eval.mjs "$ctx" "$exprs" "$seconds")$'\n' || exit 1
	fi
done
ours=$(printf '%s' "$ours_all" | awk -F': ' '{ print $NF ": " $0 }' | sort -n | tail -1 | cut -d: -f2- | sed 's/^ //')
echo "$ours (best of $rounds)"
if [ $have_oracle = 1 ]; then
	theirs=$(printf '%s' "$theirs_all" | awk -F': ' '{ print $NF ": " $0 }' | sort -n | tail -1 | cut -d: -f2- | sed 's/^ //')
	echo "$theirs (best of $rounds)"
	awk -v a="$(echo "$ours" | rate)" -v b="$(echo "$theirs" | rate)" \
		'BEGIN { printf "in-process ratio: %.1fx the throughput of @actions/expressions (target 20x)\n", a / b }'
else
	echo "@actions/expressions: not run (needs Node.js >= 20.6, the npm registry and \$SLIPWAY_SHARED)"
fi

# End to end: one request line per evaluation, each with the full contexts.
# (The contexts go through the environment: awk -v would expand their escapes.)
BENCH_CONTEXTS=$(tr -d '\n' <"$ctx") awk -v n="$lines" '
	{ gsub(/\\/, "\\\\"); gsub(/"/, "\\\""); e[m++] = $0 }
	END {
		for (i = 0; i < n; i++)
			printf "{\"id\":%d,\"expr\":\"%s\",\"contexts\":%s,\"functions\":{\"always\":true,\"cancelled\":false}}\n", i, e[i % m], ENVIRON["BENCH_CONTEXTS"]
	}' "$exprs" >"$SCRATCH/requests.jsonl"
size=$(wc -c <"$SCRATCH/requests.jsonl")
t0=$(date +%s%N)
"$SLIPWAY" eval --jsonl <"$SCRATCH/requests.jsonl" >"$SCRATCH/slipway.jsonl" || exit 1
t1=$(date +%s%N)
ms_ours=$(( (t1 - t0) / 1000000 ))
awk -v n="$lines" -v ms="$ms_ours" -v mb="$size" 'BEGIN {
	printf "slipway eval --jsonl: %d lines (%.0f MB) in %.2f s: %.0f lines/s\n", n, mb / 1048576, ms / 1000, n / (ms / 1000) }'
if [ $have_oracle = 1 ]; then
	t0=$(date +%s%N)
	(cd "$ORACLE" && node eval.mjs) <"$SCRATCH/requests.jsonl" >"$SCRATCH/oracle.jsonl" || exit 1
	t1=$(date +%s%N)
	ms_theirs=$(( (t1 - t0) / 1000000 ))
	awk -v n="$lines" -v ms="$ms_theirs" -v ours="$ms_ours" 'BEGIN {
		printf "oracle eval.mjs:      %d lines in %.2f s: %.0f lines/s\n", n, ms / 1000, n / (ms / 1000)
		printf "end-to-end ratio: %.1fx\n", ms / ours }'
	if ! cmp -s "$SCRATCH/slipway.jsonl" "$SCRATCH/oracle.jsonl"; then
		echo "note: the answers differ (see tests/conformance/expr-diff.sh)"
	fi
fi
