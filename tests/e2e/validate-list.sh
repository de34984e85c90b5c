#!/usr/bin/env bash
# `slipway validate` and `slipway list` from the outside: exit statuses,
# messages, file discovery (arguments, directories, the repository's
# .github/workflows), action.yml files, and list's table and JSON.
. "$(dirname "$0")/../lib.sh"

repo=$SCRATCH/repo
mkdir -p "$repo/.git" "$repo/.github/workflows" "$repo/src/deep" "$repo/.github/actions/setup"
cat >"$repo/.github/workflows/ci.yml" <<'YAML'
name: CI
on: [push, pull_request]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
  test:
    name: Unit tests
    needs: build
    runs-on: ubuntu-latest
    steps:
      - run: make test
  deploy:
    needs: [build, test]
    runs-on: ubuntu-latest
    steps:
      - run: ./deploy
YAML
cat >"$repo/.github/workflows/lint.yaml" <<'YAML'
on: pull_request
jobs:
  lint: {runs-on: ubuntu-latest, steps: [{run: make lint}]}
YAML
echo "not a workflow" >"$repo/.github/workflows/README.md"
cat >"$repo/.github/actions/setup/action.yml" <<'YAML'
name: Setup
runs:
  using: composite
  steps:
    - run: echo setting up
YAML
cat >"$SCRATCH/bad.yml" <<'YAML'
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    stepz: []
  deploy:
    needs: biuld
    runs-on: ubuntu-latest
    steps: [{run: x}]
YAML

# validate: exit statuses and messages
out=$("$SLIPWAY" validate "$repo/.github/workflows/ci.yml" 2>&1); rc=$?
is "$rc" 0 "a valid workflow exits 0"
is "$out" "" "a valid workflow prints nothing"
out=$("$SLIPWAY" validate "$SCRATCH/bad.yml" 2>"$SCRATCH/err"); rc=$?
is "$rc" 1 "an invalid workflow exits 1"
like "$out" "^$SCRATCH/bad.yml:5:5: error: unexpected key 'stepz' in job 'build'; did you mean 'steps'\? \[syntax-check\]$" \
	"errors are file:line:col: error: message [rule]"
like "$out" "bad.yml:7:12: error: job 'deploy' needs unknown job 'biuld'; did you mean 'build'\? \[job-needs\]" \
	"every error of the file is reported"
is "$(printf '%s\n' "$out" | wc -l)" 2 "two errors, two lines"
like "$(cat "$SCRATCH/err")" "1 of 1 file is invalid \(2 errors\)" "a summary goes to stderr"
"$SLIPWAY" validate "$repo/.github/workflows/ci.yml" "$SCRATCH/bad.yml" >/dev/null 2>&1
is "$?" 1 "one invalid file among valid ones exits 1"
"$SLIPWAY" validate "$SCRATCH/nonexistent.yml" >/dev/null 2>"$SCRATCH/err"
is "$?" 2 "a missing file exits 2"
like "$(cat "$SCRATCH/err")" "cannot read '.*nonexistent.yml': no such file or directory" \
	"and says why"
"$SLIPWAY" validate --bogus >/dev/null 2>&1
is "$?" 2 "an unknown option exits 2"
out=$("$SLIPWAY" validate --help); rc=$?
is "$rc" 0 "--help exits 0"
like "$out" "usage: slipway validate" "--help prints the usage"

# discovery
out=$("$SLIPWAY" validate "$repo/.github/workflows" 2>&1)
is "$?" 0 "a directory: its .yml and .yaml files (README.md ignored)"
out=$(cd "$repo/src/deep" && "$SLIPWAY" validate 2>&1); rc=$?
is "$rc" 0 "no arguments: the repository's .github/workflows, found from a subdirectory"
cp "$SCRATCH/bad.yml" "$repo/.github/workflows/bad.yml"
out=$(cd "$repo/src/deep" && "$SLIPWAY" validate 2>/dev/null)
like "$out" "^\.\./\.\./\.github/workflows/bad\.yml:5:5: error" "paths stay relative to the current directory"
rm "$repo/.github/workflows/bad.yml"
mkdir -p "$SCRATCH/norepo"
(cd "$SCRATCH/norepo" && "$SLIPWAY" validate >/dev/null 2>"$SCRATCH/err")
is "$?" 2 "no arguments outside a repository exits 2"
like "$(cat "$SCRATCH/err")" "not inside a git repository" "and says so"

# actions
"$SLIPWAY" validate "$repo/.github/actions/setup/action.yml" >"$SCRATCH/out" 2>&1
rc=$?
is "$rc" 1 "action.yml is validated as an action (a composite run step needs shell)"
like "$(cat "$SCRATCH/out")" "action.yml:5:7: error: step is missing the required key 'shell'" \
	"with the action's rules"
printf '    - run: echo\n      shell: bash\n' >>"$repo/.github/actions/setup/action.yml"
sed -i '5d' "$repo/.github/actions/setup/action.yml"
"$SLIPWAY" validate "$repo/.github/actions/setup/action.yml" >/dev/null 2>&1
is "$?" 0 "a valid action exits 0"
"$SLIPWAY" validate --action "$repo/.github/workflows/ci.yml" >/dev/null 2>&1
is "$?" 1 "--action reads any file as an action"

# hostile input ends in an error, quickly
head -c 300000 /dev/urandom >"$SCRATCH/random.yml"
timeout 5 "$SLIPWAY" validate "$SCRATCH/random.yml" >/dev/null 2>&1
is "$?" 1 "random bytes are an invalid file, not a crash"
truncate -s 50M "$SCRATCH/huge.yml"
out=$(timeout 5 "$SLIPWAY" validate "$SCRATCH/huge.yml" 2>/dev/null); rc=$?
is "$rc" 1 "a 50 MB file is refused"
like "$out" "huge.yml: error: file too large: 52428800 bytes \(the limit is 4194304\)" "clearly"

# list
out=$(cd "$repo" && "$SLIPWAY" list); rc=$?
is "$rc" 0 "list exits 0"
expected="Stage  Job ID  Job name    Workflow name                Workflow file  Events             Needs
0      build   build       CI                           ci.yml         push,pull_request
0      lint    lint        .github/workflows/lint.yaml  lint.yaml      pull_request
1      test    Unit tests  CI                           ci.yml         push,pull_request  build
2      deploy  deploy      CI                           ci.yml         push,pull_request  build,test"
is "$out" "$expected" "list: act's columns plus needs, aligned, rows by stage"
out=$(cd "$repo" && "$SLIPWAY" list --json | tr -d ' \n')
like "$out" '"job_id":"deploy","job_name":"deploy","workflow_name":"CI","workflow_file":"\.github/workflows/ci\.yml","events":\["push","pull_request"\],"needs":\["build","test"\]' \
	"--json: one object per job with events and needs as arrays"
like "$out" '"stage":2,"job_id":"deploy"' "--json has stages"
cp "$SCRATCH/bad.yml" "$repo/.github/workflows/bad.yml"
out=$(cd "$repo" && "$SLIPWAY" list 2>"$SCRATCH/err"); rc=$?
is "$rc" 1 "list exits 1 when a workflow is invalid"
like "$(cat "$SCRATCH/err")" "bad.yml:5:5: error: unexpected key 'stepz'" "and reports it on stderr"
like "$out" "deploy  deploy" "but lists the valid ones"

# the pipelines Slipway ships, its own CI among them, are valid
out=$("$SLIPWAY" validate "$SLIPWAY_TOP/workflows" 2>&1)
is "$?:$out" "0:" "workflows/ (cd-starter.yml, ci.yml) validates"
out=$(cd "$SLIPWAY_TOP" && "$SLIPWAY" graph -W workflows/ci.yml 2>&1)
like "$out" "scan" "Slipway's own CI pipeline is drawn"
done_testing
