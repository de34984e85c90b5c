#!/usr/bin/env bash
# serve-restart.sh: kill -9 the daemon in the middle of a run, start it
# again, and check that the history is consistent (the run is interrupted
# in the API, in run.json and in events.jsonl; the queued run and the run
# waiting for approval survive and go on) and that nothing is left behind:
# no process of the interrupted run, and, with a Docker engine, none of
# its containers. Then SIGTERM with a run going: the run is cancelled.
. "$(dirname "$0")/../lib.sh"
. "$SLIPWAY_TOP/tests/serve/lib.sh"
. "$SLIPWAY_TOP/tests/images.sh"

state=$SCRATCH/state
mkdir -p "$state/runs"
make_repo "$SCRATCH/app"
cp -r "$SLIPWAY_TOP/tests/data/runs/cd-waiting" "$state/runs/"
printf 'production=alice:alice-token-1\n' >"$SCRATCH/reviewers"

with_docker=0
if docker_available && images_busybox; then
	with_docker=1
	export FAKE_CONTAINER=$IMAGE_BUSYBOX
else
	skip "containers of an interrupted run are pruned" "no Docker engine"
fi

# marked PID-LIST: processes carrying the run's marker in their environment
marked() { grep -lzx "SLIPWAY_SERVE_RUN=$1" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3; }
# alive PID: running (a zombie, whose reaper may be anyone since its parent died, is
# dead); its stat is read once, for it may go in between
alive() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	! printf '%s\n' "${stat##*) }" | grep -q '^[ZX]'
}
gone() { ! alive "$1"; }
containers() { docker ps -aq --filter "label=slipway.run=$1" 2>/dev/null; }

export FAKE_SLEEP=60
serve_start "$state" --repo "$SCRATCH/app.git=app" --poll 1 --concurrency 1 \
	--reviewers "$SCRATCH/reviewers"
ok $? "the daemon starts"
wait_until 5 grep -q "recorded its branch heads" "$state.log"
push_version "$SCRATCH/app" 2.0 >/dev/null
wait_until 10 count_is 1 running
ok $? "a push starts a long run"
mid=$(api 'api/runs?state=running' | js 'd["runs"][0]["id"]')
at_exit "docker rm -f slipway-fake-$mid"
push_version "$SCRATCH/app" 3.0 other >/dev/null
wait_until 10 count_is 1 queued
ok $? "another waits in the queue (concurrency 1)"
queued=$(api 'api/runs?state=queued' | js 'd["runs"][0]["id"]')
at_exit "docker rm -f slipway-fake-$queued"
wait_until 10 test -n "$(marked "$mid")"
ok $? "the running run has a process"
runner_pid=$(js 'd["pid"]' <"$state/runs/$mid/run.json")
if [ $with_docker = 1 ]; then
	wait_until 20 test -n "$(containers "$mid")"
	ok $? "and a container labelled with its id"
fi

kill -9 "$SERVE_PID"
wait "$SERVE_PID" 2>/dev/null
alive "$runner_pid"
ok $? "kill -9 of the daemon leaves the run's process behind"
at_exit "kill -9 $runner_pid"

export FAKE_SLEEP=0.3
serve_start "$state" --repo "$SCRATCH/app.git=app" --poll 1 --concurrency 1 \
	--reviewers "$SCRATCH/reviewers"
ok $? "the daemon starts again on the same state"
is "$(run_state "$mid")" interrupted "the run it was following is interrupted"
like "$(api "api/runs/$mid" | js 'd["message"]')" "daemon stopped while the run was going" "and says why"
is "$(api "api/runs/$mid" | js 'sorted(set(j["status"] for j in d["jobs"]))')" "['done']" \
	"none of its jobs is left running"
is "$(js 'd["result"]' <"$state/runs/$mid/run.json")" interrupted "run.json says so too"
tail -1 "$state/runs/$mid/events.jsonl" | grep -q '"type": "run_finished", "result": "interrupted"'
ok $? "and events.jsonl ends with it"
wait_until 5 test -z "$(marked "$mid")"
ok $? "no process of the interrupted run is left"
wait_until 5 gone "$runner_pid"
ok $? "the orphaned runner is gone"
if [ $with_docker = 1 ]; then
	wait_until 20 test -z "$(containers "$mid")"
	ok $? "its container was pruned"
fi

wait_until 20 state_is "$queued" waiting
ok $? "the queued run survived and ran (to the production gate)"
is "$(run_state cd-waiting)" waiting "the run waiting for approval survived"
out=$(curl -s -X POST -H 'Authorization: Bearer alice-token-1' --data '{"environment": "production"}' \
	"${SERVE_URL}api/runs/$queued/approve")
like "$out" '"decision": "approved"' "and can still be approved"
wait_until 20 state_is "$queued" success
ok $? "after which it deploys"
is "$(run_count running)" 0 "no run is left marked running"
like "$("$SLIPWAY" runs --state "$state")" "$mid +interrupted" "slipway runs agrees"

serve_stop
is $? 0 "the daemon stops cleanly"
[ -z "$(marked "$queued")" ]
ok $? "leaving no process behind"

# a graceful stop (SIGTERM) in the middle of a run cancels it
export FAKE_SLEEP=60
serve_start "$state" --repo "$SCRATCH/app.git=app" --poll 1 --concurrency 1 \
	--reviewers "$SCRATCH/reviewers"
push_version "$SCRATCH/app" 4.0 >/dev/null
wait_until 10 count_is 1 running
ok $? "another long run starts"
long=$(api 'api/runs?state=running' | js 'd["runs"][0]["id"]')
at_exit "docker rm -f slipway-fake-$long"
wait_until 10 test -n "$(marked "$long")"
started=$(date +%s)
serve_stop
is $? 0 "SIGTERM stops the daemon with a run going"
[ $(($(date +%s) - started)) -lt 10 ]
ok $? "without waiting for the run to finish"
is "$(js 'd["result"]' <"$state/runs/$long/run.json")" cancelled "the run was cancelled"
[ -z "$(marked "$long")" ]
ok $? "and none of its processes is left"
done_testing
