#!/usr/bin/env bash
# expr-diff: differential test of the expression engine against GitHub's own
# evaluator (@actions/expressions, ../shared/oracle). A seeded generator
# (expr-gen.mjs) writes random well- and ill-typed expressions over random
# contexts; `slipway eval --jsonl` and the oracle answer them; expr-diff.mjs
# requires the same answer line by line. make test runs a few thousand;
# `make test-expr-diff` runs 100,000 (SLIPWAY_EXPR_DIFF_COUNT, _SEED).
# Skipped (not passed) without Node.js >= 20.6, the npm registry or the data.
. "$(dirname "$0")/../lib.sh"

count=${SLIPWAY_EXPR_DIFF_COUNT:-3000}
seed=${SLIPWAY_EXPR_DIFF_SEED:-1729}
here=$SLIPWAY_TOP/tests/conformance

if ! oracle_ready; then
	skip "$count random expressions agree with GitHub's evaluator" \
		"needs Node.js >= 20.6, the npm registry and \$SLIPWAY_SHARED"
	done_testing
	exit
fi

node "$here/expr-gen.mjs" --seed "$seed" --count "$count" >"$SCRATCH/requests.jsonl"
ok $? "generated $count requests (seed $seed)"

start=$(date +%s%N)
"$SLIPWAY" eval --jsonl <"$SCRATCH/requests.jsonl" >"$SCRATCH/slipway.jsonl"
ok $? "slipway eval --jsonl answered"
mid=$(date +%s%N)
(cd "$ORACLE" && node eval.mjs) <"$SCRATCH/requests.jsonl" >"$SCRATCH/oracle.jsonl"
ok $? "the oracle answered"
end=$(date +%s%N)
diag "slipway: $(( (mid - start) / 1000000 )) ms, oracle: $(( (end - mid) / 1000000 )) ms for $count requests"

report=$(node "$here/expr-diff.mjs" "$SCRATCH/requests.jsonl" "$SCRATCH/slipway.jsonl" \
	"$SCRATCH/oracle.jsonl" 5)
status=$?
printf '%s\n' "$report" | head -1 | sed 's/^/# /'
ok $status "$count random expressions: slipway and GitHub's evaluator give the same answers"
[ $status -eq 0 ] || printf '%s\n' "$report" | tail -n +2 | cut -c1-2000 | sed 's/^/#   /'
done_testing
