#!/usr/bin/env bash
# parse_corpus: validates the whole corpus (../shared/corpus/workflows) with
# Slipway and, in the same run, parses the same files with GitHub's official
# @actions/workflow-parser in one Node process. Both are timed in-process over
# files already in memory (first pass, then the best of the next passes); the
# `slipway validate` command is also timed end to end, with its peak RSS.
# Target: >= 20x faster than the official parser, < 10 MB.
set -u
. "$SLIPWAY_TOP/tests/lib.sh"

if ! shared_dir || ! oracle_ready; then
	echo "parse_corpus: SKIP (shared data, Node.js >= 20.6 or the npm registry unavailable)"
	exit 0
fi
files=("$SLIPWAY_SHARED"/corpus/workflows/*)
bytes=$(cat "${files[@]}" | wc -c)
runs=${PARSE_CORPUS_RUNS:-15}
passes=${PARSE_CORPUS_PASSES:-5}

cli=$("$SLIPWAY_BUILD/bench/runstat" "$runs" "$SLIPWAY" validate "${files[@]}")
ours=$("$SLIPWAY_BUILD/bench/wfload" "$passes" "${files[@]}")
theirs=$(node "$SLIPWAY_TOP/bench/oracle-parse.mjs" "$ORACLE" "$passes" "${files[@]}")

field() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
s_cold=$(field "$ours" cold_ms)
s_warm=$(field "$ours" warm_ms)
o_cold=$(field "$theirs" cold_ms)
o_warm=$(field "$theirs" warm_ms)
rss=$(field "$cli" max_rss_kb)

printf 'corpus: %d files, %d bytes\n' "${#files[@]}" "$bytes"
printf 'slipway wf_load, in-process: first pass %s ms, best of %d passes %s ms\n' \
	"$s_cold" "$((passes - 1))" "$s_warm"
printf '@actions/workflow-parser, one Node process: first pass %s ms, best of %d passes %s ms\n' \
	"$o_cold" "$((passes - 1))" "$o_warm"
awk -v sc="$s_cold" -v sw="$s_warm" -v oc="$o_cold" -v ow="$o_warm" 'BEGIN {
	printf "ratio: %.1fx faster on the first pass, %.1fx faster warm\n", oc / sc, ow / sw }'
printf 'slipway validate (the command, all files, start-up and reading included): median %s ms over %s runs\n' \
	"$(field "$cli" median_ms)" "$runs"
printf 'slipway validate peak RSS: %.1f MB\n' "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')"
