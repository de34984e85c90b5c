#!/usr/bin/env bash
# docker-stages: docker/setup-buildx-action, docker/login-action and
# docker/build-push-action as built-in stages, end to end on the docker
# backend against two docker-registry instances started here on free
# loopback ports (one open, one with htpasswd): the engine checks the
# login, build-push-action pushes under both with the job's credentials,
# the registries list the tag, the outputs match the registry's digest
# and the engine's image; a run step sees no credentials and cannot hand
# any to the runner; the password and its base64 forms are in no file of
# the run, the job's directory or its RUNNER_TEMP; a wrong password, an unreachable registry and a push without login fail and
# say why; --no-builtin runs the real action.
. "$(dirname "$0")/../lib.sh"

if ! docker_available || ! command -v docker-registry >/dev/null || ! command -v python3 >/dev/null ||
	! command -v git >/dev/null; then
	skip "the docker stages end to end" "needs a Docker engine, docker-registry, python3 and git"
	done_testing
	exit
fi
. "$SLIPWAY_TOP/tests/images.sh"
images_busybox
ok $? "the busybox image is present (tests/images.sh)"

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# registry NAME [AUTH-YAML]: a docker-registry on a free port; prints host:port.
registry() {
	local port
	port=$(free_port)
	mkdir -p "$SCRATCH/$1"
	printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n%s' \
		"$SCRATCH/$1/data" "$port" "$2" >"$SCRATCH/$1/config.yml"
	docker-registry serve "$SCRATCH/$1/config.yml" >"$SCRATCH/$1/log" 2>&1 &
	echo "$!" >"$SCRATCH/$1/pid"
	for _ in $(seq 1 50); do
		curl -s -o /dev/null "http://127.0.0.1:$port/v2/" && break
		sleep 0.1
	done
	echo "127.0.0.1:$port"
}

password="pw-$$-$RANDOM$RANDOM-never-written"
python3 -W ignore -c 'import crypt, sys; print("ci:" + crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH)))' \
	"$password" >"$SCRATCH/htpasswd"
open=$(registry open "")
at_exit "kill $(cat "$SCRATCH/open/pid"); wait $(cat "$SCRATCH/open/pid") 2>/dev/null"
locked=$(registry locked "$(printf 'auth:\n  htpasswd:\n    realm: slipway\n    path: %s\n' "$SCRATCH/htpasswd")")
at_exit "kill $(cat "$SCRATCH/locked/pid"); wait $(cat "$SCRATCH/locked/pid") 2>/dev/null"
is "$(curl -s -o /dev/null -w '%{http_code}' "http://$open/v2/") $(curl -s -o /dev/null -w '%{http_code}' "http://$locked/v2/")" \
	"200 401" "an open and a locked docker-registry answer"

app=slipway-ds-$$
at_exit "docker images --format '{{.Repository}}:{{.Tag}}' | grep -E '(^|/)$app(-[a-z]+)?:' | xargs -r docker rmi -f >/dev/null"
repo=$SCRATCH/repo
state=$repo/.slipway
mkdir -p "$repo/.github/workflows" "$repo/docker"
cat >"$repo/docker/Dockerfile" <<EOF
FROM $IMAGE_BUSYBOX
ARG GREETING
COPY . /ctx
RUN echo "\$GREETING" >/greeting && ls /ctx >/listing
EOF
printf 'left-out.txt\n' >"$repo/docker/.dockerignore"
echo kept >"$repo/docker/kept.txt"
echo "not in the context" >"$repo/docker/left-out.txt"
cat >"$repo/.github/workflows/image.yml" <<'EOF'
name: image
on: push
jobs:
  image:
    runs-on: ubuntu-latest
    steps:
      - id: buildx
        uses: docker/setup-buildx-action@v3
      - uses: docker/login-action@v3
        with:
          registry: ${{ vars.LOCKED }}
          username: ci
          password: ${{ secrets.REGISTRY_PASSWORD }}
      - id: build
        uses: docker/build-push-action@v6
        with:
          context: docker
          builder: ${{ steps.buildx.outputs.name }}
          push: true
          tags: ${{ vars.OPEN }}/${{ vars.APP }}:1.0,${{ vars.LOCKED }}/${{ vars.APP }}:1.0
          build-args: |
            GREETING=hello, world
          labels: org.example.stage=build-push
          platforms: linux/amd64,linux/s390x
          cache-from: type=gha
      - name: outputs
        shell: sh
        env:
          METADATA: ${{ steps.build.outputs.metadata }}
        run: |
          echo "buildx: ${{ steps.buildx.outputs.name }} ${{ steps.buildx.outputs.driver }} ${{ steps.buildx.outputs.platforms }} ${{ steps.buildx.outputs.endpoint }}"
          echo "imageid=${{ steps.build.outputs.imageid }}"
          echo "digest=${{ steps.build.outputs.digest }}"
          echo "metadata: $(echo "$METADATA" | tr -d ' \n')"
      - name: a run step sees no credentials
        shell: sh
        env:
          PW: ${{ secrets.REGISTRY_PASSWORD }}
        run: |
          echo "run step: DOCKER_CONFIG=${DOCKER_CONFIG-unset} SLIPWAY_REGISTRY_AUTHS=${SLIPWAY_REGISTRY_AUTHS-unset}"
          echo "run step env holds the password: $(env | grep -v '^PW=' | grep -c -- "$PW")"
          pair=$(printf 'ci:%s' "$PW" | base64 | tr -d '\n')
          blob=$(printf '{"username":"ci","password":"%s"}' "$PW" | base64 | tr -d '\n')
          status=0
          grep -rl -e "$PW" -e "$pair" -e "$blob" "$RUNNER_TEMP" || status=$?
          echo "grep of RUNNER_TEMP for the password: status $status"
EOF
cat >"$repo/.github/workflows/fails.yml" <<'EOF'
name: fails
on: workflow_dispatch
jobs:
  login:
    runs-on: ubuntu-latest
    steps:
      - uses: docker/login-action@v3
        with:
          registry: ${{ vars.REGISTRY }}
          username: ci
          password: ${{ secrets.REGISTRY_PASSWORD }}
  literal:
    runs-on: ubuntu-latest
    steps:
      - uses: docker/login-action@v3
        with:
          registry: ${{ vars.REGISTRY }}
          username: ci
          password: literal-pw-in-the-workflow
  push:
    runs-on: ubuntu-latest
    steps:
      - name: a run step tries to hand credentials to the runner
        shell: sh
        env:
          PW: ${{ secrets.REGISTRY_PASSWORD }}
          REGISTRY: ${{ vars.REGISTRY }}
        run: |
          blob=$(printf '{"username":"ci","password":"%s"}' "$PW" | base64 | tr -d '\n')
          echo "::slipway-registry-login registry=$(echo "$REGISTRY" | sed 's/:/%3A/g')::$blob"
      - uses: docker/build-push-action@v5
        with:
          context: docker
          push: true
          tags: ${{ vars.REGISTRY }}/${{ vars.APP }}-nologin:1.0
EOF
git -C "$repo" init -q -b main && git -C "$repo" add -A &&
	git -C "$repo" -c user.name=ci -c user.email=ci@example.com commit -qm "docker stages"
ok $? "the repository is committed"

cd "$repo" || exit 1
out=$("$SLIPWAY" validate .github/workflows/image.yml .github/workflows/fails.yml 2>&1)
is "$?:$out" "0:" "the workflows validate"

run() {  # ARGS...: slipway run on the docker backend in busybox
	REGISTRY_PASSWORD=$password "$SLIPWAY" run --backend docker -P "ubuntu-latest=$IMAGE_BUSYBOX" \
		--secret REGISTRY_PASSWORD --var "OPEN=$open" --var "LOCKED=$locked" --var "APP=$app" "$@" 2>&1
}

out=$(run -W .github/workflows/image.yml)
is $? 0 "the image workflow succeeds" || diag "$out"
printf '%s\n' "$out" >"$SCRATCH/image.log"
like "$out" "no buildx here: docker/build-push-action builds through the classic builder of the Docker engine" \
	"setup-buildx says that builds go through the engine's classic builder"
like "$out" "buildx: default docker linux/amd64 unix://" "its outputs: name, driver, platforms, endpoint"
like "$out" "Login Succeeded!" "the engine checked the login"
like "$out" "'cache-from' is ignored by the built-in stage" "a buildx-only input is accepted with a warning"
like "$out" "platform 'linux/s390x' is not built: the engine builds for its own, linux/amd64" \
	"a foreign platform is warned about"
unlike "$out" "platform 'linux/amd64' is not built" "the engine's own platform is not"
like "$out" "run step: DOCKER_CONFIG=unset SLIPWAY_REGISTRY_AUTHS=unset" \
	"a run step gets no docker config and not the stages' credentials"
like "$out" "run step env holds the password: 0" "nor the password in any variable"
like "$out" "grep of RUNNER_TEMP for the password: status 1" \
	"while logged in, no file in RUNNER_TEMP holds the password or its base64 forms"
like "$out" "Logging out of $locked" "the post step logs out"

tags=$(curl -s "http://$open/v2/$app/tags/list")
is "$tags" "{\"name\":\"$app\",\"tags\":[\"1.0\"]}" "the open registry lists the tag"
tags=$(curl -s -u "ci:$password" "http://$locked/v2/$app/tags/list")
is "$tags" "{\"name\":\"$app\",\"tags\":[\"1.0\"]}" "the locked registry too: the push used the login's credentials"
digest=$(curl -s -o /dev/null -D - -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
	"http://$open/v2/$app/manifests/1.0" | tr -d '\r' | sed -n 's/^Docker-Content-Digest: //Ip')
like "$digest" "^sha256:[0-9a-f]{64}$" "the registry has a manifest digest"
like "$out" "digest=$digest" "the digest output is the registry's"
id=$(docker image inspect -f '{{.Id}}' "$open/$app:1.0")
like "$out" "imageid=$id" "the imageid output is the engine's image"
like "$out" "metadata: \{\"containerimage.config.digest\":\"$id\",\"containerimage.digest\":\"$digest\",\"image.name\":\"$open/$app:1.0,$locked/$app:1.0\"\}" \
	"the metadata output names the image, its digest and its tags"
is "$(docker run --rm "$open/$app:1.0" cat /greeting /listing | tr '\n' ' ')" "hello, world Dockerfile kept.txt " \
	"the build saw the build-arg with its comma, and the context less .dockerignore"
is "$(docker image inspect -f '{{index .Config.Labels "org.example.stage"}}' "$id")" "build-push" "the label is set"
at_exit "docker ps -aq --filter ancestor=$id | xargs -r docker rm -f >/dev/null"

leaks=$(grep -rl -- "$password" "$state" "$SCRATCH/image.log" 2>/dev/null)
is "$leaks" "" "the password is in no file of the run or the log"
b64=$(printf 'ci:%s' "$password" | base64 -w0)
blob=$(printf '{"username":"ci","password":"%s"}' "$password" | base64 -w0)
leaks=$(grep -rl -e "$b64" -e "$blob" "$state" "$SCRATCH/image.log" 2>/dev/null)
is "$leaks" "" "nor its base64 forms (docker's user:password, the login command's)"
jobdir=$(ls -d "$state"/runs/*/jobs/image.image | tail -n 1)
leaks=$(grep -rl -e "$password" -e "$b64" -e "$blob" "$jobdir")
is "$?:$leaks" "1:" "the job's directory tree (with what is left of its RUNNER_TEMP) holds none of them"
like "$(find "$jobdir" -type f | wc -l)" "^ *[1-9]" "the job's directory has files to search"

# Failures say why.
out=$(run workflow_dispatch -W .github/workflows/fails.yml -j login --var "REGISTRY=$locked" \
	--secret REGISTRY_PASSWORD=wrong)
is $? 1 "a wrong password fails the login"
like "$out" "docker/login-action: cannot log in to '$locked': .*401 Unauthorized.* \(the registry refused these credentials\)" \
	"and names the registry and the refusal"
dead=127.0.0.1:$(free_port)
out=$(run workflow_dispatch -W .github/workflows/fails.yml -j login --var "REGISTRY=$dead")
is $? 1 "an unreachable registry fails the login"
like "$out" "docker/login-action: cannot log in to '$dead': .*\(the engine cannot reach the registry to check them\)" \
	"and says the registry cannot be reached"
out=$(run workflow_dispatch -W .github/workflows/fails.yml -j push --var "REGISTRY=$locked")
is $? 1 "a push to the locked registry without a login fails"
like "$out" "docker/build-push-action: cannot push image '$locked/$app-nologin:1.0'" "and says which push"
like "$out" "the '::slipway-registry-login::' command is for Slipway's built-in stages only; ignored in this step" \
	"a run step's ::slipway-registry-login:: is refused: it gave the push no credentials"
unlike "$out" "slipway-registry-login registry=" "and its line is not echoed"

out=$(run workflow_dispatch -W .github/workflows/fails.yml -j literal --var "REGISTRY=$open")
is $? 0 "a login with a password written in the workflow succeeds"
literal_log=$(cat "$state"/runs/*/jobs/fails.literal/output.log)
like "$literal_log" "password: \*\*\*" "the job's log shows it masked among the step's inputs"
leaks=$(grep -rl --exclude-dir=snapshot literal-pw "$state/runs"; printf '%s\n' "$out" | grep -c literal-pw)
is "$leaks" "0" "it is in no log and no file of the runs but the repository's snapshot"

# --no-builtin: the real action (a stand-in given with --action-path) runs instead.
mkdir -p "$SCRATCH/fake-buildx"
printf 'name: fake\nruns:\n  using: composite\n  steps:\n    - shell: sh\n      run: echo "the real action ran"\n' \
	>"$SCRATCH/fake-buildx/action.yml"
out=$(run -W .github/workflows/image.yml --no-builtin docker/setup-buildx-action --offline \
	--action-path "docker/setup-buildx-action@v3=$SCRATCH/fake-buildx")
like "$out" "the real action ran" "--no-builtin docker/setup-buildx-action runs the action, not the stage"
unlike "$out" "no buildx here" "and not the stage"

done_testing
