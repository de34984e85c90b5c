#!/usr/bin/env bash
# tasks-app-docker: the sample app's Dockerfile and deploy.sh against the
# real Docker engine — the image builds with its version, runs as non-root,
# turns healthy, stops fast and holds no secret; deploy.sh replaces a
# healthy version and refuses a broken one (BREAK=1) while the old one
# keeps serving. Nothing is pulled: the base image comes from tests/images.sh.
. "$(dirname "$0")/../lib.sh"

if ! docker_available || ! command -v python3 >/dev/null; then
	skip "tasks-app image and deploy" "no Docker engine or no python3"
	done_testing
	exit
fi
export DOCKER_BUILDKIT=0  # the engine's own builder: no buildx needed
run=e2e-$$
app=$SCRATCH/tasks-app
cp -r "$SLIPWAY_TOP/fixtures/tasks-app" "$app"

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

. "$SLIPWAY_TOP/tests/images.sh"
images_python
ok $? "the python base image is present (tests/images.sh)"
base=$IMAGE_PYTHON

image=slipway-$run/tasks-app
docker build -q --build-arg BASE_IMAGE="$base" --build-arg APP_VERSION=1a2b3c4 \
	-t "$image:1a2b3c4" -t "$image:latest" "$app" >"$SCRATCH/build.log" 2>&1
ok $? "the Dockerfile builds"
at_exit "docker rmi -f $image:1a2b3c4 $image:latest $image:broken"
is "$(docker image inspect -f '{{.Config.User}}' "$image:1a2b3c4")" 10001 "the image runs as user 10001"
is "$(docker run --rm "$image:1a2b3c4" python3 -c 'import os; print(*sorted(os.listdir()))')" \
	"app.py healthcheck.py" "the image holds only app.py and healthcheck.py"
meta=$(docker image inspect "$image:1a2b3c4"; docker history --no-trunc "$image:1a2b3c4")
unlike "$meta" "API_TOKEN|test_app|deploy\.sh" "no secret or tooling in the image's config or layers"

port=$(free_port)
token="runtime-only-""$run"
cid=$(docker run -d --name "slipway-$run-run" -p "127.0.0.1:$port:8000" \
	-e API_TOKEN="$token" "$image:1a2b3c4")
at_exit "docker rm -f slipway-$run-run"
for _ in $(seq 1 50); do
	health=$(curl -s --max-time 1 "http://127.0.0.1:$port/health") && break
	sleep 0.1
done
is "$health" '{"status": "ok", "version": "1a2b3c4"}' "the container answers /health with its version"
for _ in $(seq 1 40); do
	state=$(docker inspect -f '{{.State.Health.Status}}' "$cid")
	[ "$state" = healthy ] && break
	sleep 0.25
done
is "$state" healthy "the image's HEALTHCHECK reports healthy"
start=$(date +%s%N)
docker stop -t 10 "$cid" >/dev/null
ms=$((($(date +%s%N) - start) / 1000000))
ok $((ms < 3000 ? 0 : 1)) "docker stop takes ${ms}ms (SIGTERM is honoured)"
is "$(docker inspect -f '{{.State.ExitCode}}' "$cid")" 0 "the app exits 0 on SIGTERM"
logs=$(docker logs "$cid" 2>&1)
like "$logs" "GET /health 200" "the access log goes to stdout"
unlike "$logs" "$token" "the runtime token is not logged"

# deploy.sh: a first version, a second one, then a broken one.
printf 'FROM %s\nENV BREAK=1\n' "$image:1a2b3c4" | docker build -q -t "$image:broken" - >/dev/null
live=$(free_port)
cand=$(free_port)
export LIVE_PORT=$live CANDIDATE_PORT=$cand HEALTH_INTERVAL=0.2 HEALTH_RETRIES=10 \
	NAME=slipway-$run STATE_DIR=$SCRATCH/state
at_exit "docker rm -f slipway-$run-staging slipway-$run-staging-candidate slipway-$run-staging-previous"
docker tag "$image:1a2b3c4" "$image:v1"
docker tag "$image:latest" "$image:v2"
at_exit "docker rmi -f $image:v1 $image:v2"
"$app/deploy.sh" "$image:v1" staging 2>"$SCRATCH/deploy1.log"
ok $? "deploy.sh deploys a first version"
is "$(curl -s "http://127.0.0.1:$live/health")" '{"status": "ok", "version": "1a2b3c4"}' \
	"the first version serves on the live port"
first=$(docker inspect -f '{{.Id}}' "slipway-$run-staging")
"$app/deploy.sh" "$image:v2" staging 2>"$SCRATCH/deploy2.log"
ok $? "deploy.sh deploys a second version over it"
second=$(docker inspect -f '{{.Id}}' "slipway-$run-staging")
[ "$first" != "$second" ]
ok $? "the live container was replaced"
like "$(cat "$STATE_DIR/staging.deployed")" "^image=$image:v2$" "the deployed image is recorded"

"$app/deploy.sh" "$image:broken" staging 2>"$SCRATCH/deploy3.log"
is $? 1 "deploy.sh fails on a version whose /health answers 500"
like "$(cat "$SCRATCH/deploy3.log")" "did not become healthy" "it says why"
is "$(docker inspect -f '{{.Id}}' "slipway-$run-staging")" "$second" "the old container is untouched"
is "$(curl -s "http://127.0.0.1:$live/health")" '{"status": "ok", "version": "1a2b3c4"}' \
	"the old version keeps serving"
! docker container inspect "slipway-$run-staging-candidate" >/dev/null 2>&1
ok $? "the broken candidate is removed"
like "$(cat "$STATE_DIR/staging.deployed")" "^image=$image:v2$" "the record still names the old version"
like "$(tail -1 "$STATE_DIR/history.log")" " staging $image:broken failed-health-check$" \
	"the history records the failed attempt"

"$app/deploy.sh" "$image:nope" staging 2>"$SCRATCH/deploy4.log"
is "$?:$(cat "$SCRATCH/deploy4.log")" \
	"2:deploy: error: image '$image:nope' is not on this machine (build or pull it first)" \
	"deploy.sh refuses an unknown image"

done_testing
