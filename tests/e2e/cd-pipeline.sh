#!/usr/bin/env bash
# cd-pipeline: the bundled CD pipeline (workflows/cd-starter.yml) on the
# tasks app, end to end with the real engine and a docker-registry started
# here on a free loopback port: a pull request stops after the checks; a
# push deploys staging and waits at production (exit 3); --approve
# production deploys it; a second commit deploys over it; a broken build
# (BREAK=1) fails its health check while the previous version keeps
# serving; `slipway rollback production` restores the previous tag; a
# planted secret fails the scan and nothing after it runs; the API token
# reaches the containers at run time and no log, record or image layer.
. "$(dirname "$0")/../lib.sh"

wf=$SLIPWAY_TOP/workflows/cd-starter.yml
app_wf=$SLIPWAY_TOP/fixtures/tasks-app/.github/workflows/cd-starter.yml
cmp -s "$wf" "$app_wf"
ok $? "the app's workflow is workflows/cd-starter.yml, byte for byte"
out=$("$SLIPWAY" validate "$wf" 2>&1)
is "$?:$out" "0:" "the pipeline validates"


if ! docker_available || ! command -v docker-registry >/dev/null || ! command -v python3 >/dev/null ||
	! command -v git >/dev/null; then
	skip "the CD pipeline end to end" "needs a Docker engine, docker-registry, python3 and git"
	done_testing
	exit
fi

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
health() { curl -s --max-time 2 "http://127.0.0.1:$1/health"; }
short() { git -C "$repo" rev-parse --short=7 HEAD; }
commit() { git -C "$repo" -c user.name=ci -c user.email=ci@example.com commit -qam "$1"; }
job_result() {  # RUN JOB: the job's result in run.json
	python3 -c 'import json, sys
run = json.load(open(sys.argv[1]))
print(*[j["result"] for j in run["jobs"] if j["id"] == sys.argv[2]])' "$state/runs/$1/run.json" "$2"
}
last_run() { ls "$state/runs" | tail -1; }

. "$SLIPWAY_TOP/tests/images.sh"
images_python
ok $? "the python base image is present (tests/images.sh)"

# The registry, on a port of its own.
reg_port=$(free_port)
mkdir -p "$SCRATCH/registry"
cat >"$SCRATCH/registry.yml" <<EOF
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $SCRATCH/registry
http:
  addr: 127.0.0.1:$reg_port
EOF
docker-registry serve "$SCRATCH/registry.yml" >"$SCRATCH/registry.log" 2>&1 &
reg_pid=$!
at_exit "kill $reg_pid; wait $reg_pid"
for _ in $(seq 1 50); do
	curl -sf "http://127.0.0.1:$reg_port/v2/" >/dev/null && break
	sleep 0.1
done
curl -sf "http://127.0.0.1:$reg_port/v2/" >/dev/null
ok $? "docker-registry answers on 127.0.0.1:$reg_port"

# The app as its own repository, configured for this test: its registry,
# names and ports (.vars) and the API token (.secrets), both untracked.
app=slipway-e2e-$$
staging=$(free_port)
production=$(free_port)
token="tok-$$-$RANDOM$RANDOM-never-logged"
registry=127.0.0.1:$reg_port
repo=$SCRATCH/tasks-app
state=$repo/.slipway
cp -r "$SLIPWAY_TOP/fixtures/tasks-app" "$repo"
sed -i "s/^registry: .*/registry: $registry/" "$repo/.slipway.yml"
printf 'APP_NAME=%s\nSTAGING_PORT=%s\nPRODUCTION_PORT=%s\n' "$app" "$staging" "$production" \
	>"$repo/.vars"
printf 'API_TOKEN=%s\n' "$token" >"$repo/.secrets"
printf '.vars\n' >>"$repo/.gitignore"
git -C "$repo" init -q -b main && git -C "$repo" add -A && commit "tasks app"
at_exit "docker rm -f $app-staging $app-staging-candidate $app-staging-previous $app-production $app-production-candidate $app-production-previous"
at_exit "docker images --format '{{.Repository}}:{{.Tag}}' | grep -E '(^|/)$app:' | xargs -r docker rmi -f"
cd "$repo" || exit 1
out=$("$SLIPWAY" run --dry-run 2>&1)
is $? 0 "the app's .slipway.yml is valid (a dry run plans the pipeline)"
like "$out" "environment: production -- approval would be asked" "the dry run shows production behind an approval"

# A pull request: the checks only.
"$SLIPWAY" run pull_request >"$SCRATCH/pr.log" 2>&1
is $? 0 "a pull request runs green" || diag_file "$SCRATCH/pr.log"
run=$(last_run)
is "$(job_result "$run" lint) $(job_result "$run" test) $(job_result "$run" scan)" \
	"success success success" "lint, test and scan run for a pull request"
is "$(job_result "$run" build) $(job_result "$run" publish) $(job_result "$run" deploy-staging)" \
	"skipped skipped skipped" "a pull request stops after the checks"

# First push: staging deployed, production waits for a human.
sha1=$(short)
"$SLIPWAY" run >"$SCRATCH/run1.log" 2>&1
is $? 3 "a push waits for the production approval (exit 3)"
run1=$(last_run)
is "$(job_result "$run1" deploy-staging) $(job_result "$run1" deploy-production)" \
	"success waiting" "staging is deployed, production waits"
is "$(health "$staging")" "{\"status\": \"ok\", \"version\": \"$sha1\"}" \
	"staging answers /health with the commit's short SHA"
like "$(cat "$SCRATCH/run1.log")" "slipway approve $run1 production" "the approve command is printed"
tags=$(curl -s "http://$registry/v2/$app/tags/list")
like "$tags" "\"$sha1\"" "the image is in the registry under the short SHA"
like "$tags" '"latest"' "and under latest"
is "$(docker image inspect -f '{{.Id}}' "$app:$sha1")" \
	"$(docker image inspect -f '{{.Id}}' "$registry/$app:$sha1")" \
	"the published image is the one built (built once)"

"$SLIPWAY" run --resume "$run1" --approve production >"$SCRATCH/run1b.log" 2>&1
is $? 0 "--approve production deploys it"
is "$(health "$production")" "{\"status\": \"ok\", \"version\": \"$sha1\"}" \
	"production answers with the same commit"
is "$(job_result "$run1" build)" success "the resumed run kept the build it had"

# The token reaches the container at run time.
is "$(curl -s -o /dev/null -w '%{http_code}' -X POST -d '{"title": "t"}' \
	"http://127.0.0.1:$production/tasks")" 401 "production refuses a write without the token"
is "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $token" \
	-d '{"title": "t"}' "http://127.0.0.1:$production/tasks")" 201 \
	"and takes one with the token the deploy injected"

# A second commit goes over it.
echo "second" >>"$repo/README.md"
commit "second"
sha2=$(short)
"$SLIPWAY" run --approve production >"$SCRATCH/run2.log" 2>&1
is $? 0 "a second commit deploys through to production"
is "$(health "$staging") $(health "$production")" \
	"{\"status\": \"ok\", \"version\": \"$sha2\"} {\"status\": \"ok\", \"version\": \"$sha2\"}" \
	"both environments answer with the second commit"
out=$("$SLIPWAY" deployments)
like "$out" "^production +$registry/$app:$sha2 +$sha2 " "slipway deployments: production runs the second commit"
like "$out" "^staging +$registry/$app:$sha2 +$sha2 " "and so does staging"
out=$("$SLIPWAY" deployments production)
like "$out" "^previous: +$registry/$app:$sha1 " "the previous version is recorded"

# A build that starts but is broken: /health answers 500.
sed -i 's/^USER 10001/ENV BREAK=1\nUSER 10001/' "$repo/Dockerfile"
commit "broken"
sha3=$(short)
"$SLIPWAY" run --approve production >"$SCRATCH/run3.log" 2>&1
is $? 1 "a broken version fails the run"
run3=$(last_run)
is "$(job_result "$run3" deploy-staging) $(job_result "$run3" deploy-production)" \
	"failure skipped" "its staging deploy fails and production is not touched"
like "$(cat "$SCRATCH/run3.log")" "failed its health check after 20 attempts: GET http://127\.0\.0\.1:[0-9]+/health answered 500, not 200" \
	"the health check says why"
is "$(health "$staging")" "{\"status\": \"ok\", \"version\": \"$sha2\"}" \
	"the previous version still answers on staging"
! docker container inspect "$app-staging-candidate" >/dev/null 2>&1
ok $? "the broken candidate is removed"
out=$("$SLIPWAY" deployments staging --json)
like "$out" "\"result\": \"failed\"" "the failed attempt is recorded"
is "$(python3 -c 'import json, sys; r = json.load(sys.stdin); print(r["current"]["image"], r["history"][0]["image"])' <<<"$out")" \
	"$registry/$app:$sha2 $registry/$app:$sha3" "staging's record still names the second commit as current"

# Rollback: production goes back to the first commit's image, no rebuild.
out=$("$SLIPWAY" rollback production 2>"$SCRATCH/rollback.log")
is $? 0 "slipway rollback production succeeds"
is "$out" "rolled back 'production' to '$registry/$app:$sha1': http://127.0.0.1:$production" \
	"it says what it did"
is "$(health "$production")" "{\"status\": \"ok\", \"version\": \"$sha1\"}" \
	"production answers with the previous commit again"
out=$("$SLIPWAY" deployments production)
like "$out" "^since: .* rollback by " "the record says it was a rollback"
like "$out" "^previous: +$registry/$app:$sha2 " "and what it replaced"
"$SLIPWAY" rollback staging --to "$registry/$app:$sha3" >/dev/null 2>"$SCRATCH/rollback2.log"
is "$?:$(cat "$SCRATCH/rollback2.log")" \
	"1:slipway rollback: image '$registry/$app:$sha3' was never deployed to 'staging' successfully; it runs $registry/$app:$sha2" \
	"rolling back to a version that never deployed is refused"

# A planted secret: the scan fails the pipeline and nothing after it runs.
git -C "$repo" checkout -q Dockerfile 2>/dev/null
sed -i '/^ENV BREAK=1$/d' "$repo/Dockerfile"
printf 'AWS_ACCESS_KEY_ID = "AKIA%s"\n' "IOSFODNN7EXAMPLQ" >"$repo/settings.py"
git -C "$repo" add settings.py
commit "planted"
sha4=$(short)
"$SLIPWAY" run --approve production >"$SCRATCH/run4.log" 2>&1
is $? 1 "a planted secret fails the run"
run4=$(last_run)
is "$(job_result "$run4" scan)" failure "the scan job fails"
like "$(cat "$SCRATCH/run4.log")" "settings\.py.*AWS access key" "it names the file and the kind of secret"
is "$(job_result "$run4" build) $(job_result "$run4" publish) $(job_result "$run4" deploy-staging) $(job_result "$run4" deploy-production)" \
	"skipped skipped skipped skipped" "nothing after the scan runs"
! docker image inspect "$app:$sha4" >/dev/null 2>&1
ok $? "no image was built for that commit"
is "$(health "$staging")" "{\"status\": \"ok\", \"version\": \"$sha2\"}" "staging is untouched"

# The token is in no log, record, run file or image.
leaks=$(grep -rl -- "$token" "$state" "$SCRATCH"/*.log 2>/dev/null)
is "$leaks" "" "the token appears in no log, run file or deployment record"
layers=$(docker images --format '{{.Repository}}:{{.Tag}}' | grep -E "(^|/)$app:" | while read -r i; do
	docker history --no-trunc "$i"
	docker image inspect "$i"
done)
like "$layers" "APP_VERSION" "the images' history was read"
unlike "$layers" "$token|API_TOKEN" "no image layer or config holds the token"

done_testing
