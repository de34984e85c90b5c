#!/usr/bin/env bash
# run-cli: slipway run and graph from the outside — usage errors and their
# exit statuses, the run directory contract (run.json members, events in
# order, timestamped logs, job keys), --run-id, graph's four formats, and
# workflow-level concurrency across two runs sharing a state directory.
. "$(dirname "$0")/../lib.sh"

repo=$SCRATCH/repo
state=$SCRATCH/state
mkdir -p "$repo/.github/workflows"
cat >"$repo/.github/workflows/ci.yml" <<'YAML'
name: CI
on:
  push:
  workflow_dispatch:
    inputs:
      target:
        type: choice
        options: [staging, production]
        required: true
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo "building"; echo "::debug::a debug line"
  test:
    needs: build
    runs-on: ubuntu-latest
    strategy:
      matrix:
        n: [1, 2]
    steps:
      - run: echo "test ${{ matrix.n }}"
  deploy:
    needs: test
    runs-on: ubuntu-latest
    environment: production
    steps:
      - run: echo deploy
YAML
printf 'environments:\n  production:\n    approval: required\n' >"$repo/.slipway.yml"
(cd "$repo" && git init -q -b main && git add -A && git -c user.name=t -c user.email=t@t commit -qm t)
cd "$repo" || exit 1

# usage errors exit 2 with a message
for args in "--jobs 0" "push pull_request" "--event push pull_request" "--backend podman" \
	"--resume x --dry-run" "--run-id ../x" "-j nosuchjob" "--matrix nocolon" \
	"workflow_dispatch --input target=nowhere" "workflow_dispatch" "--input a=b" \
	"-e $SCRATCH/missing.json"; do
	out=$(eval "\"\$SLIPWAY\" run --state \"\$state\" $args" 2>&1)
	is "$?" 2 "run $args: exit 2"
	like "$out" "^slipway run: " "run $args: says why"
done
out=$("$SLIPWAY" run --backend host --state "$state" workflow_dispatch --input target=nowhere 2>&1)
like "$out" "input 'target' must be one of 'staging', 'production', not 'nowhere'" "choices are checked"
out=$("$SLIPWAY" run --backend host --state "$state" workflow_dispatch 2>&1)
like "$out" "needs input 'target'" "required inputs are required"
"$SLIPWAY" run --help >/dev/null
is "$?" 0 "run --help exits 0"
like "$("$SLIPWAY" run --help)" "--approve ENV" "run --help lists the options"

# the run directory
"$SLIPWAY" run --backend host --state "$state" --run-id cli-1 --approve production --verbose >"$SCRATCH/out" 2>&1
is "$?" 0 "an approved run succeeds"
like "$(cat "$SCRATCH/out")" "\[CI/build\] debug: a debug line" "--verbose shows ::debug:: lines"
dir=$state/runs/cli-1
python3 - "$dir" >"$SCRATCH/contract" <<'PY'
import json, os, re, sys
d = sys.argv[1]
run = json.load(open(os.path.join(d, "run.json")))
need = ["run_id", "state_version", "repository", "event", "ref", "sha", "workflows", "started_at",
        "finished_at", "duration_ms", "result", "pid", "jobs"]
print("members", all(k in run for k in need))
print("keys", " ".join(j["key"] for j in run["jobs"]))
job_need = ["key", "workflow", "id", "name", "matrix", "needs", "status", "result", "environment",
            "waiting_for", "started_at", "finished_at", "duration_ms", "outputs", "steps"]
print("job members", all(all(k in j for k in job_need) for j in run["jobs"]))
print("deploy env", json.dumps(run["jobs"][-1]["environment"]))
print("needs", " ".join(",".join(j["needs"]) for j in run["jobs"]))
iso = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
events = [json.loads(l) for l in open(os.path.join(d, "events.jsonl"))]
print("times", all(iso.match(e["t"]) for e in events))
print("first", events[0]["type"], "last", events[-1]["type"])
order = [e["type"] for e in events if e.get("job") == "ci.deploy"]
print("deploy", " ".join(order))
log = open(os.path.join(d, "jobs", "ci.test.2", "output.log")).read().splitlines()
print("log", all(re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z ", l) for l in log),
      any(l.endswith(" test 2") for l in log))
print("slots", os.path.exists(os.path.join(d, "slots")))
PY
contract=$(cat "$SCRATCH/contract")
like "$contract" "^members True$" "run.json has every member of the contract"
like "$contract" "^keys ci.build ci.test.1 ci.test.2 ci.deploy$" "job keys are <stem>.<id>[.<n>]"
like "$contract" "^job members True$" "each job entry has every member of the contract"
like "$contract" '^deploy env \{"name": "production", "url": null, "protected": true\}$' \
	"the environment is recorded as protected"
like "$contract" "^needs  ci.build ci.build ci.test$" "needs are job keys"
like "$contract" "^times True$" "every event has an ISO-8601 UTC time with milliseconds"
like "$contract" "^first run_started last run_finished$" "events start and end with the run"
like "$contract" "^deploy job_queued job_started step_started step_finished job_finished$" \
	"a job's events come in order"
like "$contract" "^log True True$" "output.log lines are timestamped"
like "$contract" "^slots False$" "slots are removed at the end"
out=$("$SLIPWAY" run --backend host --state "$state" --run-id cli-1 2>&1)
is "$?" 2 "a run id cannot be used twice"
like "$out" "run 'cli-1' already exists" "... and says so"
is "$(cd "$state/runs" && ls -d 2*-*-???? 2>/dev/null | wc -l)" 0 "only named runs so far"
"$SLIPWAY" run --backend host --state "$state" -j build >/dev/null 2>&1
like "$(ls "$state/runs")" "[0-9]{8}-[0-9]{6}-[0-9a-f]{4}" "run ids are YYYYMMDD-HHMMSS-xxxx"

# graph
out=$("$SLIPWAY" graph 2>&1)
is "$?" 0 "graph exits 0"
like "$out" "│ test \[x2\]  ← build" "the text graph shows matrix counts and edges"
like "$out" "│ deploy \(env production, protected\)  ← test" "protected environments are marked"
out=$("$SLIPWAY" graph --format dot)
like "$out" '"ci.test" -> "ci.deploy";' "dot has the edges"
like "$out" 'style=bold, color=red' "dot marks protected environments"
out=$("$SLIPWAY" graph --format mermaid)
like "$out" "ci_build --> ci_test" "mermaid has the edges"
levels=$("$SLIPWAY" graph --format json | python3 -c "import json, sys; d = json.load(sys.stdin); \
print(d['levels'], [(j['id'], j['level'], j['legs']) for j in d['workflows'][0]['jobs']])")
is "$levels" "3 [('build', 1, 1), ('test', 2, 2), ('deploy', 3, 1)]" "json has levels and legs"
out=$("$SLIPWAY" graph --format svg 2>&1)
is "$?" 2 "an unknown format is a usage error"
out=$("$SLIPWAY" graph release 2>&1)
like "$out" "no workflow is triggered by 'release'" "an event nothing listens to"

# workflow-level concurrency across runs sharing the state directory
cat >"$repo/.github/workflows/deploy.yml" <<'YAML'
name: deploy
on: workflow_dispatch
concurrency:
  group: deploy-${{ github.ref }}
  cancel-in-progress: true
jobs:
  ship:
    runs-on: ubuntu-latest
    steps:
      - name: ship slowly
        run: echo "shipping"; sleep 20; echo "shipped"
YAML
"$SLIPWAY" run --backend host --state "$state" workflow_dispatch -W .github/workflows/deploy.yml \
	--run-id old >"$SCRATCH/old.out" 2>&1 &
old=$!
for _ in $(seq 1 100); do grep -q shipping "$SCRATCH/old.out" && break; sleep 0.05; done
"$SLIPWAY" run --backend host --state "$state" workflow_dispatch -W .github/workflows/deploy.yml \
	--run-id new --summary "$SCRATCH/new.json" >"$SCRATCH/new.out" 2>&1 &
new=$!
wait $old
is "$?" 130 "cancel-in-progress cancels the run holding the group"
like "$(cat "$SCRATCH/old.out")" "a newer run cancels this one" "the cancelled run says why"
for _ in $(seq 1 100); do grep -q shipping "$SCRATCH/new.out" && break; sleep 0.05; done
kill -INT $new
wait $new
like "$(cat "$SCRATCH/new.out")" "shipping" "the newer run got the group"
# a directory that is no git repository still runs: no commit, its files as they are
plain=$SCRATCH/plain
mkdir -p "$plain/.github/workflows"
echo "data" >"$plain/data.txt"
printf 'on: push\njobs:\n  j:\n    runs-on: x\n    steps:\n      - run: cat data.txt; echo "sha=[$GITHUB_SHA]"\n' \
	>"$plain/.github/workflows/p.yml"
out=$(cd "$plain" && "$SLIPWAY" run --backend host 2>&1)
is "$?" 0 "a plain directory runs"
like "$out" "\[p/j\] data" "its files are in the workspace"
like "$out" "\[p/j\] sha=\[\]" "without a commit GITHUB_SHA is empty"
is "$(ls "$plain/.slipway/runs"/*/snapshot/.slipway 2>/dev/null | wc -l)" 0 "the state directory is not in the snapshot"

# a run whose process died (kill -9) is continued with --resume: what was
# done keeps its result, what ran is run again
cat >"$repo/.github/workflows/interrupted.yml" <<'YAML'
name: interrupted
on: workflow_dispatch
jobs:
  quick:
    runs-on: ubuntu-latest
    steps:
      - run: echo "quick ran"
  slow:
    runs-on: ubuntu-latest
    steps:
      - run: echo "slow started"; sleep ${{ vars.SLOW || 0 }}
  after:
    needs: [quick, slow]
    runs-on: ubuntu-latest
    steps:
      - run: echo "after ran"
YAML
"$SLIPWAY" run --backend host --state "$state" workflow_dispatch -W .github/workflows/interrupted.yml \
	--run-id int --var SLOW=77.125 >"$SCRATCH/int.out" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
	grep -q '"job":"interrupted.quick","result"' "$state/runs/int/events.jsonl" 2>/dev/null &&
		grep -q "slow started" "$SCRATCH/int.out" && break
	sleep 0.05
done
sleep 0.2
kill -KILL $pid
wait $pid 2>/dev/null
pkill -f "sleep 77.125"
status=$(python3 -c "import json; d = json.load(open('$state/runs/int/run.json')); \
print(d['result'], *[j['id'] + '=' + j['status'] for j in d['jobs']])")
is "$status" "running quick=done slow=running after=pending" "run.json of a killed run still says running"
"$SLIPWAY" run --backend host --state "$state" --resume int --summary "$SCRATCH/int.json" >"$SCRATCH/int2.out" 2>&1
is "$?" 0 "--resume continues an interrupted run"
unlike "$(cat "$SCRATCH/int2.out")" "quick ran" "a job that was done is not run again"
like "$(cat "$SCRATCH/int2.out")" "slow started" "the job that was running runs again"
like "$(cat "$SCRATCH/int2.out")" "after ran" "and what needs it runs"
is "$(grep -c 'Z quick ran$' "$state/runs/int/jobs/interrupted.quick/output.log")" 1 \
	"the finished job's log is kept as it was"
done_testing
