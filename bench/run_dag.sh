#!/usr/bin/env bash
# run_dag.sh: what `slipway run` costs per job, against the limit — the
# same step commands run by a plain shell script — in one run:
#   fan:    1 job -> 198 parallel jobs -> 1 job (fan-out/fan-in, 200 jobs)
#   chain:  100 jobs, each needing the one before
# Every job has one trivial step (`echo`). Both sides run the step as
# GitHub's default shell does (bash -e on a script file), with the same
# parallelism (--jobs J, xargs -P J). Prints the wall times (median of
# RUNS), Slipway's overhead per job and its peak RSS. Targets: under 3 ms
# per job, under 16 MB. Usage: bench/run_dag.sh [RUNS] (default 3).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${SLIPWAY_BUILD:-$top/build}
case $build in /*) ;; *) build=$top/$build ;; esac
slipway=${SLIPWAY:-$top/slipway}
runs=${1:-3}
jobs=$(nproc)
runstat=$build/bench/runstat
[ -x "$runstat" ] && [ -x "$slipway" ] || { echo "run_dag.sh: build first (make check-build)" >&2; exit 2; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/slipway-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

repo=$tmp/repo
mkdir -p "$repo/.github/workflows"
{
	echo "name: fan"
	echo "on: push"
	echo "jobs:"
	echo "  start: {runs-on: x, steps: [{run: echo start}]}"
	for i in $(seq -w 1 198); do
		echo "  w$i: {runs-on: x, needs: start, steps: [{run: echo w$i}]}"
	done
	printf '  end:\n    runs-on: x\n    needs: [%s]\n    steps: [{run: echo end}]\n' \
		"$(seq -w 1 198 | sed 's/^/w/' | paste -sd, -)"
} >"$repo/.github/workflows/fan.yml"
{
	echo "name: chain"
	echo "on: workflow_dispatch"
	echo "jobs:"
	echo "  c001: {runs-on: x, steps: [{run: echo c001}]}"
	for i in $(seq -w 2 100); do
		printf '  c%s: {runs-on: x, needs: c%03d, steps: [{run: echo c%s}]}\n' "$i" $((10#$i - 1)) "$i"
	done
} >"$repo/.github/workflows/chain.yml"
echo "a small repository" >"$repo/README.md"
(cd "$repo" && git init -q -b main && git add -A && git -c user.name=b -c user.email=b@b commit -qm bench)

# The limit: each step's script, in a file written beforehand, run with
# bash -e (GitHub's default shell, as slipway runs it) — one process per job.
mkdir -p "$tmp/steps"
for name in start end $(seq -w 1 198 | sed 's/^/w/') $(seq -w 1 100 | sed 's/^/c/'); do
	printf 'echo %s\n' "$name" >"$tmp/steps/$name"
done
cat >"$tmp/fan-shell.sh" <<SH
#!/bin/bash
cd $tmp/steps
bash -e start >/dev/null
seq -w 1 198 | sed 's/^/w/' | xargs -P $jobs -n 1 bash -e >/dev/null
bash -e end >/dev/null
SH
cat >"$tmp/chain-shell.sh" <<SH
#!/bin/bash
cd $tmp/steps
for i in \$(seq -w 1 100); do bash -e c\$i >/dev/null; done
SH
chmod +x "$tmp/fan-shell.sh" "$tmp/chain-shell.sh"

field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }
measure() { # NAME JOBS EVENT SHELL-SCRIPT
	local name=$1 n=$2 event=$3 shell=$4 s b ms_s ms_b rss
	s=$(cd "$repo" && "$runstat" "$runs" "$slipway" run --backend host "$event" --jobs "$jobs" \
		--state "$tmp/state")
	b=$("$runstat" "$runs" "$shell")
	ms_s=$(echo "$s" | field median_ms)
	ms_b=$(echo "$b" | field median_ms)
	rss=$(echo "$s" | field max_rss_kb)
	if ! echo "$s" | grep -q 'status=0'; then
		echo "run_dag.sh: slipway failed: $s" >&2
		exit 1
	fi
	awk -v name="$name" -v n="$n" -v s="$ms_s" -v b="$ms_b" -v rss="$rss" -v j="$jobs" 'BEGIN {
		printf "%-6s %3d jobs, --jobs %d: slipway %7.1f ms  shell %7.1f ms  ratio %.2fx  overhead %.2f ms/job  peak RSS %.1f MB\n",
			name, n, j, s, b, s / b, (s - b) / n, rss / 1024 }'
}
measure fan 200 push "$tmp/fan-shell.sh"
measure chain 100 workflow_dispatch "$tmp/chain-shell.sh"
echo "targets: under 3 ms overhead per job, under 16 MB peak RSS"
