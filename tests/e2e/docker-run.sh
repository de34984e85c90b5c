#!/usr/bin/env bash
# docker-run.sh: `slipway run --backend docker` end to end over the
# workflows in fixtures/docker — services reached by name and awaited
# healthy, container jobs (env, --user), volumes, platforms mapped and
# skipped, --bind, the engine's socket, services for a job on the host,
# a missing image, an unreachable engine (and auto's fallback), Ctrl-C and
# SIGTERM leaving no labelled container, network or volume, and prune
# after SIGKILL. Images are built here (tests/images.sh); nothing is pulled.
. "$(dirname "$0")/../lib.sh"
. "$SLIPWAY_TOP/tests/images.sh"

FIX=$SLIPWAY_TOP/fixtures/docker
BB="ubuntu-latest=$IMAGE_BUSYBOX"

# repo CASE: a scratch git repository with the fixture's files; prints its path.
repo() {
	local dir=$SCRATCH/$1-$RANDOM
	cp -r "$FIX/$1" "$dir" &&
		git -C "$dir" init -q && git -C "$dir" add -A &&
		git -C "$dir" -c user.name=t -c user.email=t@e commit -qm fixture && echo "$dir"
}

# run_in DIR ARGS...: slipway run there; output in $OUT, exit status in $RC.
run_in() {
	local dir=$1
	shift
	OUT=$(cd "$dir" && "$SLIPWAY" run --backend docker --summary "$dir/summary.json" "$@" 2>&1)
	RC=$?
}

# results DIR: "job=result" for every job of the summary, in order.
results() {
	python3 -c 'import json, sys
s = json.load(open(sys.argv[1]))
print(" ".join("%s=%s" % (j["id"], j["result"]) for j in s["jobs"]))' "$1/summary.json"
}

# left ID: what the engine still has with label slipway.run=ID.
left() {
	{
		docker ps -aq --filter "label=slipway.run=$1"
		docker network ls -q --filter "label=slipway.run=$1"
		docker volume ls -q --filter "label=slipway.run=$1"
	} | wc -l
}

# wait_for FILE TEXT: until the file holds TEXT (up to 30 s).
wait_for() {
	for _ in $(seq 300); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# An engine that is not there: a clear error, or (auto) the host with a notice.
dead=unix://$SCRATCH/no-engine.sock
d=$(repo bind)
OUT=$(cd "$d" && DOCKER_HOST=$dead "$SLIPWAY" run --backend docker 2>&1)
is $? 1 "--backend docker without an engine fails"
like "$OUT" "slipway run: cannot reach the Docker engine at $dead: .*\(start dockerd or podman's service, or set DOCKER_HOST\)" \
	"and says what to do"
OUT=$(cd "$d" && DOCKER_HOST=$dead "$SLIPWAY" run 2>&1)
is $? 0 "auto without an engine runs the jobs on this machine"
like "$OUT" "slipway run: cannot reach the Docker engine at $dead: .*; jobs run on this machine \(--backend host\)" \
	"with a one-line notice"
OUT=$(cd "$d" && "$SLIPWAY" run --backend podman 2>&1)
is $? 2 "an unknown backend is a usage error"
like "$OUT" "backend 'podman' is not one of auto, docker, host" "and says which exist"
OUT=$(cd "$d" && "$SLIPWAY" run -P ubuntu-latest 2>&1)
is $? 2 "a -P without '=' is a usage error"
like "$OUT" "invalid platform 'ubuntu-latest': expected LABEL=IMAGE or LABEL=-self-hosted" "and says why"

if ! docker_available; then
	skip "slipway run --backend docker" "no Docker engine answers"
	done_testing
	exit
fi
images_busybox && images_python && images_httpd
ok $? "the test images are there (tests/images.sh)"

# Services by name, container env and --user, outputs through needs.
d=$(repo services)
run_in "$d" -P "$BB"
is "$RC" 0 "a job with a service and a job container succeeds"
is "$(results "$d")" "web=success after=success" "both jobs succeed"
like "$OUT" "\[services/web\] Waiting for service 'www' to be healthy" "the service's health check is awaited"
like "$OUT" "\[services/web\] uid 65534 gid 65534" "steps run as the container's --user"
like "$OUT" "\[services/web\] hello from the job container" "with the container's env"
like "$OUT" "\[services/web\] ids true network true hostname ([0-9a-f]{12}) is \1" \
	"job.container and job.services give ids and the network, as on GitHub"
like "$OUT" "written-by-nobody" "and may write the workspace"
like "$OUT" "the service said 'hello from the service'" "the service answered by its key, through needs"

# Volumes: anonymous ones die with the job, named ones live through the run.
d=$(repo volumes)
run_in "$d" -P "$BB" --run-id "vol-$$"
is "$RC" 0 "jobs with volumes succeed"
like "$OUT" "\[volumes/first\] 2" "both volumes are mounted"
like "$OUT" "\[volumes/second\] cache says kept" "a named volume carries data to the next job"
is "$(left "vol-$$")" 0 "no container, network or volume of the run is left"

# Platforms: mapped, skipped with the reason, or this machine.
d=$(repo platforms)
run_in "$d" -P "$BB"
is "$RC" 0 "skipped jobs do not fail the run"
is "$(results "$d")" "linux=success windows=skipped here=success mac=skipped" \
	"windows and macOS jobs are skipped, the others run"
like "$OUT" "\[platforms/linux\] on Linux X64 github-hosted in /github/workspace" \
	"a container job sees GitHub's variables with the container's paths"
like "$OUT" "notice: runs-on 'windows-latest' needs a Windows runner, which this machine is not; the job is skipped \(map the label with -P windows-latest=IMAGE, or -P windows-latest=-self-hosted to run it on this machine\)" \
	"the log says why a job is skipped"
like "$OUT" "platforms/mac +skipped .*needs a macOS runner" "and so does the table"
like "$OUT" "\[platforms/here\] on the host in $d/.slipway/runs/.*/workspace self-hosted" \
	"self-hosted runs on this machine"
run_in "$d" -P "$BB" -P "windows-latest=$IMAGE_BUSYBOX" -P "macos-14=-self-hosted"
is "$(results "$d")" "linux=success windows=success here=success mac=success" \
	"-P maps any label, to an image or to this machine"
printf 'platforms:\n  ubuntu-latest: %s\n' "$IMAGE_BUSYBOX" >"$d/.slipway.yml"
run_in "$d"
is "$(results "$d")" "linux=success windows=skipped here=success mac=skipped" \
	".slipway.yml's platforms: maps labels too"
rm "$d/.slipway.yml"

# A missing image: a clear error, the job fails.
run_in "$d" -P "ubuntu-latest=slipway-test/absent:$$" -j linux
is "$RC" 1 "a job whose image is missing fails"
like "$OUT" "job container: image 'slipway-test/absent:$$' not present: build or pull it, or map the label with -P \(--pull fetches missing images\)" \
	"with what to do about it"

# --pull: a missing image is pulled (from a registry started here).
if command -v docker-registry >/dev/null; then
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' \
		"$SCRATCH/registry" "$port" >"$SCRATCH/registry.yml"
	docker-registry serve "$SCRATCH/registry.yml" >/dev/null 2>&1 &
	at_exit "kill $!"
	for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/v2/" >/dev/null && break; sleep 0.1; done
	img=127.0.0.1:$port/slipway-test/pulled:$$
	at_exit "docker rmi -f $img"
	docker tag "$IMAGE_BUSYBOX" "$img" && docker push -q "$img" >/dev/null && docker rmi -f "$img" >/dev/null
	ok $? "an image is in a registry started here, not on this machine"
	run_in "$d" -P "ubuntu-latest=$img" -j linux
	is "$RC" 1 "without --pull it is missing"
	run_in "$d" -P "ubuntu-latest=$img" -j linux --pull
	is "$RC" 0 "with --pull the job runs"
	like "$OUT" "\[platforms/linux\] Pulling image '$img'" "after pulling the image"
else
	skip "--pull" "no docker-registry on this machine"
fi

# --bind: the repository itself is the workspace.
d=$(repo bind)
run_in "$d" -P "$BB" --bind
is "$RC" 0 "a run with --bind succeeds"
is "$(cat "$d/made-by-step.txt" 2>/dev/null)" "from the container" "what a step writes lands in the repository"
run_in "$d" -P "$BB"
like "$OUT" "\[bind/write\] made-by-step\.txt" \
	"without --bind the workspace is a copy of the repository as it is"
rm "$d/made-by-step.txt"
run_in "$d" -P "$BB"
is "$(ls "$d")" "README
summary.json" "and a copy is all a step changes"

# The engine's socket, when allowed.
d=$(repo socket)
run_in "$d" --docker-socket
is "$RC" 0 "with --docker-socket a step reaches the engine"
like "$OUT" "DOCKER_HOST=unix:///var/run/docker.sock" "DOCKER_HOST points at the mounted socket"
like "$OUT" "engine says OK" "and the engine answers"
run_in "$d"
is "$RC" 1 "without it the socket is not there"
printf 'docker-socket: true\n' >"$d/.slipway.yml"
run_in "$d"
is "$RC" 0 ".slipway.yml's docker-socket: true allows it too"
printf 'docker-socket: yes please\n' >"$d/.slipway.yml"
run_in "$d"
is "$RC" 2 "an invalid docker-socket: is an error"
like "$OUT" "\.slipway\.yml:1:16: error: " "with where it is"
rm "$d/.slipway.yml"

# Services of a job on this machine: reached through the port they publish.
d=$(repo host-services)
run_in "$d"
is "$RC" 0 "a self-hosted job with a service succeeds"
like "$OUT" "\[host-services/probe\] hello from the service" \
	"and reaches it on the port job.services.www.ports['80'] names"

# Ctrl-C: always() steps run, exit 130, nothing labelled is left.
for sig in INT TERM; do
	d=$(repo cancel)
	id=cancel-$sig-$$
	(cd "$d" && exec "$SLIPWAY" run --backend docker -P "$BB" --run-id "$id" >"$d/out" 2>&1) &
	pid=$!
	wait_for "$d/out" "\[cancel/long\] ready"
	ok $? "SIG$sig: the long step runs (with its service)"
	is "$(docker ps -q --filter "label=slipway.run=$id" | wc -l)" 2 "SIG$sig: the job and service containers run"
	kill -"$sig" "$pid"
	wait "$pid"
	is $? 130 "SIG$sig: the run ends as cancelled"
	like "$(cat "$d/out")" "always ran, status cancelled" "SIG$sig: the always() step still runs"
	is "$(left "$id")" 0 "SIG$sig: no container, network or volume of the run is left"
done

# A service that turns unhealthy fails its job, with the check's verdict.
d=$(repo unhealthy)
run_in "$d" -P "$BB" -j sick --run-id "sick-$$"
is "$RC" 1 "a job whose service turns unhealthy fails"
like "$OUT" "\[unhealthy/sick\] error: service 'www': container 'slipway-sick-$$-unhealthy.sick-www' is unhealthy" \
	"and says which service"
unlike "$OUT" "never runs" "its steps do not run"
is "$(left "sick-$$")" 0 "nothing of the run is left"

# timeout-minutes counts the set-up: a service that never turns healthy times the job out.
run_in "$d" -P "$BB" -j timed --run-id "timed-$$"
is "$RC" 1 "a job whose set-up outlasts timeout-minutes fails"
like "$OUT" "\[unhealthy/timed\] error: the job 'timed' has exceeded its maximum execution time" \
	"as timed out"
is "$(left "timed-$$")" 0 "nothing of the run is left"

# Ctrl-C while a service is still starting: the set-up stops, nothing is left.
id=setup-int-$$
(cd "$d" && exec "$SLIPWAY" run --backend docker -P "$BB" -j slow --run-id "$id" >"$d/out" 2>&1) &
pid=$!
wait_for "$d/out" "Waiting for service 'www' to be healthy"
ok $? "the job waits for its service to be healthy"
kill -INT "$pid"
wait "$pid"
is $? 130 "Ctrl-C during the set-up cancels the run"
is "$(left "$id")" 0 "and no container, network or volume of the run is left"

# SIGKILL leaves containers behind; slipway prune removes them.
d=$(repo cancel)
id=killed-$$
(cd "$d" && exec "$SLIPWAY" run --backend docker -P "$BB" --run-id "$id" >"$d/out" 2>&1) &
pid=$!
wait_for "$d/out" "\[cancel/long\] ready"
kill -KILL "$pid"
wait "$pid" 2>/dev/null
ok $(($(left "$id") > 0 ? 0 : 1)) "SIGKILL leaves the run's objects behind"
out=$("$SLIPWAY" prune --run "$id")
is $? 0 "slipway prune --run removes them"
like "$out" "removed container slipway-$id-cancel.long " "the job container"
like "$out" "removed network slipway-$id-cancel.long-net " "and the job's network"
is "$(left "$id")" 0 "nothing of the run is left"

done_testing
