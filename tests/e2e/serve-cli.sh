#!/usr/bin/env bash
# serve-cli.sh: what a user can get wrong when starting `slipway serve` or
# calling its CLI readers, each answered with a clear message and the
# documented exit status (2: usage, 1: cannot do it), never a crash.
. "$(dirname "$0")/../lib.sh"
. "$SLIPWAY_TOP/tests/serve/lib.sh"

state=$SCRATCH/state
make_repo "$SCRATCH/app"

check() { # STATUS PATTERN DESCRIPTION ARGS...
	local want=$1 pattern=$2 what=$3 out
	shift 3
	out=$(timeout 10 "$SLIPWAY" "$@" 2>&1 </dev/null)
	is $? "$want" "$what: exit $want"
	like "$out" "$pattern" "$what: says so"
}

check 2 "no repository to watch: give --repo PATH" "serve without a repository" serve --state "$state"
check 2 "unexpected argument 'extra'" "serve with a stray argument" serve extra --repo "$SCRATCH/app.git"
check 2 "unknown --backend 'vm'" "an unknown backend" serve --repo "$SCRATCH/app.git" --backend vm
check 2 "--concurrency must be 1..64" "a concurrency of 0" serve --repo "$SCRATCH/app.git" --concurrency 0
check 2 "--poll must be 0..86400 seconds" "a negative poll interval" serve --repo "$SCRATCH/app.git" --poll -1
check 1 "repository '$SCRATCH/missing.git': No such file or directory" "a repository that is not there" \
	serve --repo "$SCRATCH/missing.git" --state "$state" --runner "$SERVE_RUNNER"
check 1 "repository name 'bad name' may only have" "a repository name with a space" \
	serve --repo "$SCRATCH/app.git=bad name" --state "$state" --runner "$SERVE_RUNNER"
check 1 "two repositories are called 'app'" "two repositories with one name" \
	serve --repo "$SCRATCH/app.git" --repo "$SCRATCH/app.work=app" --state "$state" --runner "$SERVE_RUNNER"
check 1 "reviewer 'production…' is not \[ENV=\]NAME:TOKEN" "a malformed reviewer" \
	serve --repo "$SCRATCH/app.git" --reviewer production --state "$state" --runner "$SERVE_RUNNER"
check 1 "reviewer 'alice': a token needs at least 8 characters" "a short token" \
	serve --repo "$SCRATCH/app.git" --reviewer production=alice:short --state "$state" --runner "$SERVE_RUNNER"
check 1 "cannot read '$SCRATCH/nope'" "a reviewers file that is not there" \
	serve --repo "$SCRATCH/app.git" --reviewers "$SCRATCH/nope" --state "$state" --runner "$SERVE_RUNNER"
printf 'short\n' >"$SCRATCH/secret"
check 1 "the webhook secret in '$SCRATCH/secret' needs at least 8 characters" "a short webhook secret" \
	serve --repo "$SCRATCH/app.git" --webhook-secret-file "$SCRATCH/secret" --state "$state" --runner "$SERVE_RUNNER"
check 1 "the runner '$SCRATCH/nope' is not an executable program" "a runner that is not there" \
	serve --repo "$SCRATCH/app.git" --state "$state" --runner "$SCRATCH/nope"
check 1 "cannot listen on 'nowhere': expected HOST:PORT" "a listen address without a port" \
	serve --repo "$SCRATCH/app.git" --state "$state" --runner "$SERVE_RUNNER" --listen nowhere

serve_start "$state" --repo "$SCRATCH/app.git" --poll 0
ok $? "a daemon starts"
check 1 "another slipway serve \(pid $SERVE_PID\) is using the state directory '$state'" \
	"a second daemon on the same state" serve --repo "$SCRATCH/app.git" --state "$state" --runner "$SERVE_RUNNER"
addr=${SERVE_URL#http://}
addr=${addr%/}
check 1 "cannot listen on '$addr': Address already in use" "a port that is taken" \
	serve --repo "$SCRATCH/app.git" --state "$SCRATCH/other" --runner "$SERVE_RUNNER" --listen "$addr"
serve_stop

check 2 "which repository\?" "trigger without a repository" trigger --state "$state"
check 2 "unexpected argument 'c'" "trigger with three arguments" trigger a b c --state "$state"
check 2 "which run\?" "logs without a run" logs --state "$state"
check 2 "'\.\./x' is not a run id" "logs of a path" logs ../x --state "$state"
check 1 "no run 'nope' in '$state'" "logs of an unknown run" logs nope --state "$state"
check 2 "'a/b' is not an environment name" "approve with a bad environment" approve r a/b --state "$state"
check 2 "--limit must be at least 1" "runs with a zero limit" runs --limit 0 --state "$state"
out=$("$SLIPWAY" runs --state "$state")
is "$(echo "$out" | head -1 | tr -s ' ')" "RUN RESULT REF COMMIT STARTED DURATION WAITING FOR" \
	"slipway runs on a state without runs prints only the header"
"$SLIPWAY" trigger --state "$SCRATCH/fresh" app 2>"$SCRATCH/err"
is $? 0 "a trigger with no daemon up is kept for later"
like "$(cat "$SCRATCH/err")" "no daemon is running on '$SCRATCH/fresh'; the trigger waits for one" "and says so"
triggers=("$SCRATCH"/fresh/triggers/*.trigger)
is "${#triggers[@]}" 1 "in the trigger directory"
done_testing
