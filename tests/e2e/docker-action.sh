#!/usr/bin/env bash
# docker-action: `using: docker` actions and `docker://` steps end to end,
# on the host backend and on the docker backend (the job in a container) —
# a local action built from its Dockerfile (inputs, args with ${{ inputs }},
# env, the step's env, /github/workspace, GITHUB_OUTPUT and GITHUB_ENV, a
# file the next step reads), a remote one with entrypoint, pre-entrypoint
# and post-entrypoint (state from pre to post), `image: docker://`, a
# `docker://` step, exit 3 failing the step, a missing Dockerfile, Ctrl-C
# — and no container of the run left. Images come from tests/images.sh.
. "$(dirname "$0")/../lib.sh"
. "$SLIPWAY_TOP/tests/images.sh"

if ! docker_available; then
	skip "docker actions" "no Docker engine answers"
	done_testing
	exit
fi
images_busybox
ok $? "the busybox test image is there (tests/images.sh)"

export XDG_CACHE_HOME=$SCRATCH/cache
remotes=$SCRATCH/remotes
repo=$SCRATCH/repo
commit() { git -c user.name=t -c user.email=t@t commit -qm "$1"; }

# remotes/acme/dock: a Dockerfile action whose image's entrypoint fails, so
# that only action.yml's entrypoints make it work; pre saves state for post.
mkdir -p "$remotes/acme/dock" "$remotes/acme/img"
cat >"$remotes/acme/dock/action.yml" <<'YAML'
name: dock
inputs:
  word: {default: remote-default}
runs:
  using: docker
  image: Dockerfile
  entrypoint: /main.sh
  pre-entrypoint: /pre.sh
  post-entrypoint: /post.sh
  args: ["${{ inputs.word }}"]
YAML
printf '%s\n' "FROM $IMAGE_BUSYBOX" 'COPY *.sh /' 'ENTRYPOINT ["false"]' \
	>"$remotes/acme/dock/Dockerfile"
printf '#!/bin/sh\necho "dock pre $1"\necho "phase=from-pre" >>"$GITHUB_STATE"\n' \
	>"$remotes/acme/dock/pre.sh"
printf '#!/bin/sh\necho "dock main $1 state=${STATE_phase:-none}"\n' >"$remotes/acme/dock/main.sh"
printf '#!/bin/sh\necho "dock post $1 state=$STATE_phase"\n' >"$remotes/acme/dock/post.sh"
chmod +x "$remotes"/acme/dock/*.sh
cat >"$remotes/acme/img/action.yml" <<YAML
name: img
inputs:
  word: {required: true}
runs:
  using: docker
  image: docker://$IMAGE_BUSYBOX
  entrypoint: sh
  args: ["-c", "echo img says \$1 in \$(pwd)", "sh", "\${{ inputs.word }}"]
YAML
for r in acme/dock acme/img; do
	(cd "$remotes/$r" && git init -q -b main && git add -A && commit v1 && git tag v1)
done

# The repository: a local action, then the workflows using them.
mkdir -p "$repo/.github/workflows" "$repo/greet" "$repo/broken"
cat >"$repo/greet/action.yml" <<'YAML'
name: greet
inputs:
  who: {default: world}
  code: {default: "0"}
outputs:
  said: {description: what it said}
runs:
  using: docker
  image: Dockerfile
  args: ["hello", "${{ inputs.who }}"]
  env:
    FROM_ACTION: "action-${{ inputs.who }}"
YAML
printf '%s\n' "FROM $IMAGE_BUSYBOX" 'COPY entry.sh /entry.sh' 'ENTRYPOINT ["sh", "/entry.sh"]' \
	>"$repo/greet/Dockerfile"
cat >"$repo/greet/entry.sh" <<'SH'
echo "greet args: $*"
echo "greet input=$INPUT_WHO action-env=$FROM_ACTION step-env=$STEP_VAR"
echo "greet pwd=$(pwd) workspace=$GITHUB_WORKSPACE temp=$RUNNER_TEMP"
echo "greet event=$GITHUB_EVENT_PATH $(grep -c '"ref"' "$GITHUB_EVENT_PATH")"
echo "greet host-path=${SLIPWAY_RUN_DIR:-unset}"
echo "said=$1-$INPUT_WHO" >>"$GITHUB_OUTPUT"
echo "FROM_DOCKER=yes" >>"$GITHUB_ENV"
echo "made by the action" >made.txt
exit "$INPUT_CODE"
SH
printf 'name: broken\nruns:\n  using: docker\n  image: Dockerfile\n' >"$repo/broken/action.yml"

cat >"$repo/.github/workflows/ok.yml" <<YAML
name: ok
on: push
jobs:
  local:
    runs-on: ubuntu-latest
    steps:
      - uses: ./greet
        id: g
        with: {who: e2e}
        env: {STEP_VAR: from-step}
      - run: |
          echo "next sees said=\${{ steps.g.outputs.said }} env=\$FROM_DOCKER"
          echo "next reads \$(cat made.txt)"
  remote:
    runs-on: ubuntu-latest
    steps:
      - uses: acme/dock@v1
        with: {word: w1}
      - uses: acme/img@v1
        with: {word: w2}
      - uses: docker://$IMAGE_BUSYBOX
        with:
          entrypoint: echo
          args: step says "two words"
YAML
cat >"$repo/.github/workflows/fail.yml" <<'YAML'
name: fail
on: push
jobs:
  fails:
    runs-on: ubuntu-latest
    steps:
      - uses: ./greet
        id: g
        with: {code: "3"}
      - if: failure()
        run: echo "after the failure outcome=${{ steps.g.outcome }}"
  broken:
    runs-on: ubuntu-latest
    steps:
      - uses: ./broken
YAML
cat >"$repo/.github/workflows/long.yml" <<'YAML'
name: long
on: push
jobs:
  long:
    runs-on: ubuntu-latest
    steps:
      - uses: ./greet-long
YAML
mkdir -p "$repo/greet-long"
cat >"$repo/greet-long/action.yml" <<YAML
name: long
runs:
  using: docker
  image: docker://$IMAGE_BUSYBOX
  entrypoint: sh
  args: ["-c", "echo sleeping; sleep 60"]
YAML
(cd "$repo" && git init -q -b main && git add -A && commit repo)

# left ID: the containers the engine still has labelled slipway.run=ID.
left() { docker ps -aq --filter "label=slipway.run=$1" | wc -l; }

# run_wf BACKEND WORKFLOW ID: slipway run; output in $OUT, status in $RC.
run_wf() {
	local args=(--backend "$1")
	[ "$1" = docker ] && args+=(-P "ubuntu-latest=$IMAGE_BUSYBOX")
	OUT=$(cd "$repo" && "$SLIPWAY" run "${args[@]}" --action-base-url "file://$remotes" \
		--run-id "$3" -W ".github/workflows/$2.yml" 2>&1)
	RC=$?
}

for backend in host docker; do
	id=da-$backend-ok-$$
	run_wf "$backend" ok "$id"
	is "$RC" 0 "$backend: the docker actions succeed"
	[ "$RC" = 0 ] || diag "$OUT"
	like "$OUT" "greet args: hello e2e" "$backend: args evaluated with the inputs"
	like "$OUT" "greet input=e2e action-env=action-e2e step-env=from-step" \
		"$backend: INPUT_*, the action's env and the step's env"
	like "$OUT" "greet pwd=/github/workspace workspace=/github/workspace temp=/github/runner_temp" \
		"$backend: the workspace is the working directory, at GitHub's paths"
	like "$OUT" "greet event=/github/workflow/event.json 1" "$backend: the event file is there"
	like "$OUT" "greet host-path=unset" "$backend: slipway's own variables stay outside"
	like "$OUT" "next sees said=hello-e2e env=yes" "$backend: GITHUB_OUTPUT and GITHUB_ENV work"
	like "$OUT" "next reads made by the action" "$backend: the next step sees the action's file"
	like "$OUT" "dock pre w1" "$backend: pre-entrypoint runs before the job's steps"
	like "$OUT" "dock main w1 state=from-pre" "$backend: entrypoint, with pre's state"
	like "$OUT" "dock post w1 state=from-pre" "$backend: post-entrypoint runs at the end"
	like "$OUT" "img says w2 in /github/workspace" "$backend: image: docker://"
	like "$OUT" "step says two words" "$backend: a docker:// step with entrypoint and args"
	is "$(left "$id")" 0 "$backend: no container of the run is left"

	id=da-$backend-fail-$$
	run_wf "$backend" fail "$id"
	is "$RC" 1 "$backend: a failing docker action fails the run"
	like "$OUT" "Process completed with exit code 3" "$backend: its exit code is the step's"
	like "$OUT" "after the failure outcome=failure" "$backend: the step's outcome is failure"
	like "$OUT" "error: the action.s Dockerfile .*/broken/Dockerfile. does not exist" "$backend: a missing Dockerfile is named"
	is "$(left "$id")" 0 "$backend: no container is left after failures"
done

# The second run finds the image it built in the first: no build, same tag.
run_wf host ok da-again-$$
unlike "$OUT" "Build container for action use" "an unchanged action's image is reused"

# Ctrl-C while the action's container runs: the container goes too.
id=da-cancel-$$
log=$SCRATCH/cancel.log
(cd "$repo" && exec "$SLIPWAY" run --backend host --run-id "$id" -W .github/workflows/long.yml \
	>"$log" 2>&1) &
pid=$!
for _ in $(seq 300); do grep -q sleeping "$log" && break; sleep 0.1; done
like "$(cat "$log")" "sleeping" "the long action started"
kill -INT "$pid"
wait "$pid"
is "$?" 130 "Ctrl-C cancels the run"
is "$(left "$id")" 0 "and removes the action's container"

done_testing
