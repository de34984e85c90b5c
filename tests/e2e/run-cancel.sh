#!/usr/bin/env bash
# run-cancel: Ctrl-C (SIGINT) and SIGTERM cancel a run — exit 130,
# always() and cancelled() steps and jobs still run, no process of the
# run is left (marker processes with a unique argument, daemonised ones
# included) — and a second Ctrl-C stops at once.
. "$(dirname "$0")/../lib.sh"

repo=$SCRATCH/repo
marker="slipway-cancel-marker-$$"
mkdir -p "$repo/.github/workflows"
cat >"$repo/.github/workflows/cancel.yml" <<YAML
name: cancel
on: push
jobs:
  long:
    runs-on: ubuntu-latest
    steps:
      - name: start and wait
        run: |
          nap() { python3 -c 'import sys, time; time.sleep(int(sys.argv[1]))' "\$@"; }
          nap 1001 ${marker} &
          setsid python3 -c 'import time; time.sleep(1002)' ${marker} &
          (trap '' INT; nap 1003 ${marker}) &
          echo started
          nap 1004 ${marker}
      - name: always step
        if: always()
        run: echo "always step ran"
      - name: cancelled step
        if: cancelled()
        run: echo "cancelled step ran"
      - name: plain step
        run: echo "plain step ran"
  stubborn:
    runs-on: ubuntu-latest
    steps:
      - name: ignores SIGINT
        run: |
          trap 'echo got INT' INT
          echo waiting
          for i in \$(seq 1 200); do sleep 0.05 || true; done
      - name: stubborn cleanup
        if: always()
        run: echo "stubborn cleanup ran"
  slowcleanup:
    runs-on: ubuntu-latest
    cancel-timeout-minutes: 0.05
    steps:
      - run: echo "slow waiting"; sleep 100
      - name: hanging cleanup
        if: always()
        run: echo "cleanup begins"; python3 -c 'import time; time.sleep(1005)' ${marker}
  next:
    needs: long
    runs-on: ubuntu-latest
    steps:
      - run: echo "next ran"
  report:
    needs: long
    if: always()
    runs-on: ubuntu-latest
    steps:
      - run: echo "report saw \${{ needs.long.result }}"
YAML
(cd "$repo" && git init -q -b main && git add -A && git -c user.name=t -c user.email=t@t commit -qm t)

# wait_for FILE REGEX: until FILE matches (at most 10 s)
wait_for() {
	for _ in $(seq 1 200); do
		grep -qE "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}
# marker processes: the pythons themselves (a python3 found in PATH may be a
# wrapper script that runs for a moment with the same arguments)
markers() {
	local p n=0
	for p in $(pgrep -f "$marker"); do
		case $(cat "/proc/$p/comm" 2>/dev/null) in python*) n=$((n + 1)) ;; esac
	done
	echo "$n"
}
anything_left() { pgrep -f "$marker" | wc -l; }
# interrupt PID OUT [GAP]: Ctrl-C the run (a second time GAP seconds later,
# when given) and wait for it; sets rc, elapsed (ms since the first) and out.
interrupt() {
	local start
	start=$(date +%s%N)
	kill -INT "$1"
	if [ $# -gt 2 ]; then
		sleep "$3"
		kill -INT "$1"
	fi
	wait "$1"
	rc=$?
	elapsed=$((($(date +%s%N) - start) / 1000000))
	out=$(cat "$2")
}

(cd "$repo" && exec "$SLIPWAY" run --backend host --state "$SCRATCH/state" --summary "$SCRATCH/s1.json" \
	--jobs 4 >"$SCRATCH/out1" 2>&1) &
pid=$!
wait_for "$SCRATCH/out1" "long\] started" && wait_for "$SCRATCH/out1" "stubborn\] waiting"
ok $? "the run started its steps"
for _ in $(seq 1 100); do [ "$(markers)" = 4 ] && break; sleep 0.05; done
is "$(markers)" 4 "four marker processes run (one in its own session)"
interrupt "$pid" "$SCRATCH/out1"
is "$rc" 130 "a cancelled run exits 130"
is "$(anything_left)" 0 "no process of the run is left"
like "$out" "\[cancel/long\] always step ran" "always() steps run after cancellation"
like "$out" "\[cancel/long\] cancelled step ran" "cancelled() steps run after cancellation"
unlike "$out" "plain step ran" "other steps do not run"
unlike "$out" "next ran" "dependent jobs do not run"
like "$out" "\[cancel/report\] report saw cancelled" "an always() job runs and sees the result"
like "$out" "\[cancel/stubborn\] got INT" "steps get SIGINT first"
like "$out" "stubborn cleanup ran" "always() steps run after a step ended by SIGTERM"
ok $((elapsed >= 7000 && elapsed < 11000 ? 0 : 1)) "a step ignoring SIGINT is stopped after 7.5 s (SIGTERM), took ${elapsed} ms"
result=$(python3 -c "import json; d=json.load(open('$SCRATCH/s1.json')); print(d['result'], *[j['id'] + '=' + j['result'] for j in d['jobs']])")
is "$result" "cancelled long=cancelled stubborn=cancelled slowcleanup=cancelled next=cancelled report=success" "--summary: results after a cancellation"
steps=$(python3 -c "import json; d=json.load(open('$SCRATCH/s1.json')); print(*[s['outcome'] for s in d['jobs'][0]['steps']])")
is "$steps" "cancelled success success skipped" "step outcomes of the cancelled job"

# a second Ctrl-C stops at once: no always() step, no 7.5 s wait
(cd "$repo" && exec "$SLIPWAY" run --backend host --state "$SCRATCH/state" --summary "$SCRATCH/s2.json" \
	-j stubborn >"$SCRATCH/out2" 2>&1) &
pid=$!
wait_for "$SCRATCH/out2" "stubborn\] waiting"
interrupt "$pid" "$SCRATCH/out2" 0.2
is "$rc" 130 "twice cancelled exits 130"
ok $((elapsed < 3000 ? 0 : 1)) "the second Ctrl-C stops at once (${elapsed} ms)"
like "$out" "stopping at once" "the second Ctrl-C says so"
unlike "$out" "stubborn cleanup ran" "no always() step runs after the second Ctrl-C"
is "$(anything_left)" 0 "no process is left after the second Ctrl-C"

# an always() step that hangs after a cancellation gets cancel-timeout-minutes (3 s here)
(cd "$repo" && exec "$SLIPWAY" run --backend host --state "$SCRATCH/state" -j slowcleanup \
	>"$SCRATCH/out4" 2>&1) &
pid=$!
wait_for "$SCRATCH/out4" "slowcleanup\] slow waiting"
interrupt "$pid" "$SCRATCH/out4"
is "$rc" 130 "a run whose cleanup outlasts cancel-timeout-minutes still exits 130"
like "$out" "cleanup begins" "the always() step started"
like "$out" "did not end within its cancel-timeout-minutes" "and was stopped, saying why"
ok $((elapsed >= 2500 && elapsed < 9000 ? 0 : 1)) "after about 3 s (${elapsed} ms)"
is "$(anything_left)" 0 "no process of the cleanup is left"

# SIGTERM is a cancellation too
(cd "$repo" && exec "$SLIPWAY" run --backend host --state "$SCRATCH/state" -j long >"$SCRATCH/out3" 2>&1) &
pid=$!
wait_for "$SCRATCH/out3" "long\] started"
kill -TERM "$pid"
wait "$pid"
is "$?" 130 "SIGTERM cancels the run (exit 130)"
like "$(cat "$SCRATCH/out3")" "always step ran" "always() steps run after SIGTERM"
is "$(anything_left)" 0 "no process is left after SIGTERM"
pkill -f "$marker"
done_testing
