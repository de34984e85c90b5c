#!/usr/bin/env bash
# run-approval: protected environments end to end — a waiting run
# approved with `slipway approve` and continued with `slipway run
# --resume` (finished jobs keep their results), rejected the same way, a
# decision file picked up while the run still has other work, a terminal
# answer, the wait timer, deployment branches, and approve's errors.
. "$(dirname "$0")/../lib.sh"

repo=$SCRATCH/repo
state=$SCRATCH/state
mkdir -p "$repo/.github/workflows"
cat >"$repo/.github/workflows/cd.yml" <<'YAML'
name: cd
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    outputs:
      version: ${{ steps.v.outputs.version }}
    steps:
      - id: v
        run: echo "built"; echo "version=1.0.$RANDOM" >> "$GITHUB_OUTPUT"
  slow:
    runs-on: ubuntu-latest
    steps:
      - run: sleep ${{ vars.SLOW || 0 }}; echo "slow done"
  production:
    needs: build
    runs-on: ubuntu-latest
    environment: production
    steps:
      - run: echo "deploying ${{ needs.build.outputs.version }}"
  smoke:
    needs: production
    runs-on: ubuntu-latest
    steps:
      - run: echo "smoke test"
YAML
cat >"$repo/.slipway.yml" <<'YAML'
environments:
  production:
    approval: required
YAML
(cd "$repo" && git init -q -b main && git add -A && git -c user.name=t -c user.email=t@t commit -qm t)
run() { (cd "$repo" && "$SLIPWAY" run --backend host --state "$state" "$@"); }
summary() {
	python3 -c "import json, sys; d = json.load(open(sys.argv[1])); \
print(d['result'], *[j['id'] + '=' + str(j['result']) for j in d['jobs']])" "$1"
}

# waiting, approve, resume
run --run-id r1 --summary "$SCRATCH/r1.json" >"$SCRATCH/r1.out" 2>&1
is "$?" 3 "a run waiting for approval exits 3"
is "$(summary "$SCRATCH/r1.json")" "waiting build=success slow=success production=waiting smoke=waiting" \
	"the protected job and its dependents wait"
version=$(python3 -c "import json; print(json.load(open('$state/runs/r1/run.json'))['jobs'][0]['outputs']['version'])")
out=$("$SLIPWAY" approve r1 production --state "$state" --by alice 2>&1)
is "$?" 0 "slipway approve exits 0"
like "$out" "continue it with: slipway run --resume r1" "approve says how to continue"
decision=$(python3 -c "import json; d = json.load(open('$state/runs/r1/approvals/production.json')); print(d['decision'], d['by'])")
is "$decision" "approved alice" "approvals/production.json records the decision"
run --resume r1 --summary "$SCRATCH/r1b.json" >"$SCRATCH/r1b.out" 2>&1
is "$?" 0 "the resumed run succeeds"
is "$(summary "$SCRATCH/r1b.json")" "success build=success slow=success production=success smoke=success" \
	"the approved job and its dependents ran"
like "$(cat "$SCRATCH/r1b.out")" "deploying $version" "outputs of finished jobs are kept across --resume"
unlike "$(cat "$SCRATCH/r1b.out")" "\[cd/build\]" "finished jobs do not run again"
is "$(grep -c '"type":"run_started"' "$state/runs/r1/events.jsonl")" 2 "events are appended to the same run"
like "$(cat "$state/runs/r1/events.jsonl")" '"type":"approval","environment":"production","decision":"approved","by":"alice"' \
	"the approval is an event"

# rejected
run --run-id r2 >/dev/null 2>&1
"$SLIPWAY" reject r2 production --state "$state" --comment "not today" >/dev/null 2>&1
is "$?" 0 "slipway reject exits 0"
run --resume r2 --summary "$SCRATCH/r2.json" >"$SCRATCH/r2.out" 2>&1
is "$?" 1 "a rejected deployment fails the run"
is "$(summary "$SCRATCH/r2.json")" "failure build=success slow=success production=failure smoke=skipped" \
	"the rejected job fails, its dependents are skipped"
like "$(cat "$SCRATCH/r2.out")" "rejected by" "the message says who rejected it"

# a decision while the run still has other work
(run --run-id r3 --var SLOW=3 --summary "$SCRATCH/r3.json" >"$SCRATCH/r3.out" 2>&1; echo $? >"$SCRATCH/r3.rc") &
for _ in $(seq 1 100); do
	grep -q '"type":"job_waiting"' "$state/runs/r3/events.jsonl" 2>/dev/null && break
	sleep 0.05
done
"$SLIPWAY" approve r3 production --state "$state" >/dev/null 2>&1
wait
is "$(cat "$SCRATCH/r3.rc")" 0 "a run that still has work picks up a decision file"
is "$(summary "$SCRATCH/r3.json")" "success build=success slow=success production=success smoke=success" \
	"the approved job ran in the same process"

# an answer on the terminal
if command -v script >/dev/null; then
	printf 'y\n' | (cd "$repo" && NO_COLOR=1 script -qefc "'$SLIPWAY' run --backend host --state '$state' --run-id r4" /dev/null) \
		>"$SCRATCH/r4.out" 2>&1
	out=$(cat "$SCRATCH/r4.out")
	like "$out" "wants to deploy commit [0-9a-f]{12} to environment 'production'" \
		"the terminal prompt names the job, the commit and the environment"
	like "$out" "\[cd/smoke\] smoke test" "answering y on the terminal approves"
	like "$(cat "$state/runs/r4/approvals/production.json")" '"comment": "terminal"' \
		"the terminal's answer is recorded"
else
	skip "terminal prompt" "script(1) is not installed"
fi

# wait timer and deployment branches
cat >"$repo/.slipway.yml" <<'YAML'
environments:
  production:
    wait-timer: 0.02
YAML
run --run-id r5 -j production >/dev/null 2>&1
is "$?" 0 "a wait timer alone needs no answer"
gap=$(python3 - "$state/runs/r5/events.jsonl" <<'PY'
import json, sys, datetime
t = {}
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e.get("job") in ("cd.build", "cd.production") and e["type"] in ("job_finished", "job_started"):
        t[(e["job"], e["type"])] = datetime.datetime.fromisoformat(e["t"].replace("Z", "+00:00"))
print(int((t[("cd.production", "job_started")] - t[("cd.build", "job_finished")]).total_seconds() * 1000))
PY
)
ok $((gap >= 1150 ? 0 : 1)) "the job starts after the 1.2 s wait timer (${gap} ms)"
cat >"$repo/.slipway.yml" <<'YAML'
environments:
  production:
    branches: ['release/*']
YAML
run --run-id r6 --summary "$SCRATCH/r6.json" >"$SCRATCH/r6.out" 2>&1
is "$?" 1 "a ref that may not deploy fails the run"
like "$(cat "$SCRATCH/r6.out")" "ref 'refs/heads/main' may not deploy to environment 'production'" \
	"the message names the ref and the environment"
is "$(summary "$SCRATCH/r6.json")" "failure build=success slow=success production=failure smoke=skipped" \
	"the job fails without running"
cat >"$repo/.slipway.yml" <<'YAML'
environments:
  production:
    aproval: required
YAML
out=$(run 2>&1)
is "$?" 2 "an invalid .slipway.yml is invalid input"
like "$out" "\.slipway\.yml:3:5: error: unexpected key 'aproval' in environment 'production'; did you mean 'approval'\?" \
	"config errors have positions and suggestions"

# reviewers: only they decide, from any door the command line has
cat >"$repo/.slipway.yml" <<'YAML'
environments:
  production:
    reviewers: [alice, bob]
YAML
(cd "$repo" && git add -A && git -c user.name=t -c user.email=t@t commit -qm reviewers)
USER=carol run --run-id r7 --approve production >"$SCRATCH/r7.out" 2>&1
is "$?" 3 "--approve from someone who is not a reviewer leaves the job waiting (exit 3)"
like "$(cat "$SCRATCH/r7.out")" "'carol' is not a reviewer of environment 'production' \(reviewers: alice, bob\)" \
	"and says who may decide"
ok "$([ ! -e "$state/runs/r7/approvals/production.json" ]; echo $?)" "no decision is recorded for them"
is "$(python3 -c 'import json, sys
print(*[j["environment"]["reviewers"] for j in json.load(open(sys.argv[1]))["jobs"] if j["id"] == "production"])' \
	"$state/runs/r7/run.json")" "['alice', 'bob']" "run.json records the environment's reviewers"
out=$(USER=carol "$SLIPWAY" approve r7 production --state "$state" 2>&1)
is "$?:$out" "1:slipway approve: 'carol' is not a reviewer of environment 'production' (reviewers: alice, bob)" \
	"approve refuses \$USER when they are not a reviewer"
out=$("$SLIPWAY" reject r7 production --by mallory --state "$state" 2>&1)
is "$?" 1 "reject refuses --by someone who is not a reviewer"
out=$("$SLIPWAY" approve r7 production --by Alice --state "$state" 2>&1)
is "$?" 0 "a reviewer approves (names compare case-insensitively)"
run --resume r7 --summary "$SCRATCH/r7.json" >/dev/null 2>&1
is "$?" 0 "the approved run continues"
if command -v script >/dev/null; then
	printf 'y\n' | (cd "$repo" && USER=carol NO_COLOR=1 timeout 20 script -qefc \
		"'$SLIPWAY' run --backend host --state '$state' --run-id r8" /dev/null) >"$SCRATCH/r8.out" 2>&1
	rc=$?
	unlike "$(cat "$SCRATCH/r8.out")" "approve\? \[y/N\]" "the terminal does not ask someone who is not a reviewer"
	is "$rc" 3 "the run stops waiting for a reviewer instead"
else
	skip "terminal prompt for a non-reviewer" "script(1) is not installed"
fi

# approve's own errors
out=$("$SLIPWAY" approve nosuchrun production --state "$state" 2>&1)
is "$?:$out" "1:slipway approve: no run 'nosuchrun' in '$state'" "approve: an unknown run"
out=$("$SLIPWAY" approve r1 staging --state "$state" 2>&1)
is "$?:$out" "1:slipway approve: no job of run 'r1' deploys to environment 'staging'" \
	"approve: an environment the run does not use"
"$SLIPWAY" approve r1 >/dev/null 2>&1
is "$?" 2 "approve without an environment is a usage error"
done_testing
