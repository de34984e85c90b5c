#!/usr/bin/env bash
# serve-cd.sh: the daemon end to end with git: a commit pushed to a watched
# bare repository starts a run with no manual step (polling, and at once
# through a post-receive hook calling `slipway trigger`), each run works on
# its own checkout of that exact commit, the CD pipeline waits at
# production, a wrong token is refused and the right one deploys; signed
# `slipway approve`/`reject` from a shell; and the concurrency limit
# holds. (Webhooks are in serve-api.sh, where no polling races them.) Runs use tests/serve/fake-runner for `slipway run`.
. "$(dirname "$0")/../lib.sh"
. "$SLIPWAY_TOP/tests/serve/lib.sh"

state=$SCRATCH/state
make_repo "$SCRATCH/app"
ok $? "a bare repository with one commit"
# reviewers the repository names on its default branch (the runner's .slipway.yml);
# their tokens are the server's
printf 'environments:\n  production:\n    reviewers: [carol]\n  staging:\n    reviewers: [dave]\n' \
	>"$SCRATCH/app.work/.slipway.yml"
(cd "$SCRATCH/app.work" && git add .slipway.yml && git commit -qm reviewers && git push -q origin main)
printf 'production=alice:alice-token-1\ncarol:carol-token-3\ndave:dave-token-44\n' >"$SCRATCH/reviewers"
printf 'webhook-s3cret\n' >"$SCRATCH/secret"
export FAKE_SLEEP=0.3
serve_start "$state" --repo "$SCRATCH/app.git" --poll 1 --concurrency 1 \
	--reviewers "$SCRATCH/reviewers" --webhook-secret-file "$SCRATCH/secret"
ok $? "the daemon watches it"
wait_until 5 grep -q "recorded its branch heads" "$state.log"
ok $? "the first look records the branch heads"
is "$(run_count)" 0 "and starts nothing for commits that were already there"

# --- a push starts a run, on a checkout of that commit ---
sha=$(push_version "$SCRATCH/app" 2.0)
wait_until 10 count_is 1
ok $? "a pushed commit becomes a run without any manual step"
id=$(latest_run)
run=$(api "api/runs/$id")
is "$(js '(d["repo"], d["branch"], d["sha"], d["trigger"])' <<<"$run")" "('app', 'main', '$sha', 'poll')" \
	"of that repository, branch and commit"
wait_until 15 state_is "$id" waiting
ok $? "the CD pipeline stops at production"
like "$(api "api/runs/$id/logs/cd-starter.build")" "version 2\.0" "the build saw the pushed commit's files"
[ ! -e "$SCRATCH/app.git/VERSION" ] && [ ! -e "$SCRATCH/app.git/index" ]
ok $? "the live repository was never a workspace"
[ ! -e "$state/serve/checkouts/$id" ] || [ -e "$state/serve/checkouts/$id/VERSION" ]
ok $? "its private checkout is kept only while the run may resume"

out=$(curl -s -w ' %{http_code}' -X POST -H 'Authorization: Bearer not-the-token' \
	--data '{"environment": "production"}' "${SERVE_URL}api/runs/$id/approve")
like "$out" " 403$" "an invalid token is refused"
sleep 1
is "$(run_state "$id")" waiting "and the run keeps waiting"
out=$(curl -s -w ' %{http_code}' -X POST -H 'Authorization: Bearer alice-token-1' \
	--data '{"environment": "production", "comment": "ship it"}' "${SERVE_URL}api/runs/$id/approve")
like "$out" '"by": "alice"' "the reviewer's token approves"
wait_until 15 state_is "$id" success
ok $? "the approval resumes the run and production is deployed"
is "$(api api/deployments | js '[(e["name"], e["current"]["sha"]) for e in d["environments"] if e["name"] == "production"]')" \
	"[('production', '$sha')]" "the deployments page shows that commit in production"
[ ! -e "$state/serve/checkouts/$id" ]
ok $? "the finished run's checkout is removed"

# --- a post-receive hook with `slipway trigger` starts a run at once ---
# shellcheck disable=SC2016 # $PWD is the hook's, expanded when git runs it
printf '#!/bin/sh\nexec "%s" trigger --state "%s" "$PWD"\n' "$SLIPWAY" "$state" \
	>"$SCRATCH/app.git/hooks/post-receive"
chmod +x "$SCRATCH/app.git/hooks/post-receive"
sha3=$(push_version "$SCRATCH/app" 3.0 feature)
wait_until 3 count_is 2
ok $? "a push to a new branch runs within moments through the hook"
id3=$(latest_run)
is "$(api "api/runs/$id3" | js '(d["branch"], d["sha"], d["trigger"])')" "('feature', '$sha3', 'trigger')" \
	"for that branch and commit"
wait_until 15 state_is "$id3" waiting
"$SLIPWAY" trigger --state "$state" app feature
ok $? "slipway trigger REPO REF builds a ref again"
wait_until 5 count_is 3
ok $? "as a new run"
out=$("$SLIPWAY" trigger --state "$state" elsewhere 2>&1)
is $? 1 "triggering a repository the daemon does not watch fails"
like "$out" "repository 'elsewhere' is not watched by the daemon on '.*' \(it watches: app\)" "and says what it watches"

# --- approve and reject from a shell ---
out=$("$SLIPWAY" reject "$id3" production --by carol --comment "not today" --state "$state")
ok $? "slipway reject writes the decision"
like "$out" "rejected environment 'production' in run $id3 as carol" "and says so"
wait_until 15 state_is "$id3" failure
ok $? "the daemon resumes the run, which fails the rejected deployment"
is "$(api "api/runs/$id3" | js '[(a["decision"], a["by"], a["comment"]) for a in d["approvals"]]')" \
	"[('rejected', 'carol', 'not today')]" "and records who rejected it and why"
id4=$(latest_run)
wait_until 15 state_is "$id4" waiting
is "$(api "api/runs/$id4" | js 'd["reviewers"]')" "{'production': ['alice', 'carol']}" \
	"the reviewers are the server's and those .slipway.yml declares"
decide() { # RUN TOKEN: the HTTP status of approving production
	curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $2" \
		--data '{"environment": "production"}' "${SERVE_URL}api/runs/$1/approve"
}
is "$(decide "$id4" dave-token-44)" 403 "a reviewer .slipway.yml names for another environment is refused"
is "$(decide "$id4" carol-token-3)" 200 "one it names for production approves with their token"
wait_until 15 state_is "$id4" success
ok $? "and the run deploys"
push_version "$SCRATCH/app" 6.0 sixth >/dev/null
wait_until 10 count_is 4
ok $? "a push to another branch starts a fourth run"
id6=$(latest_run)
wait_until 15 state_is "$id6" waiting
"$SLIPWAY" approve "$id6" production --by carol --state "$state" >/dev/null
wait_until 15 state_is "$id6" success
ok $? "slipway approve resumes a run to success"

# --- concurrency 1: one run at a time ---
max=0
for b in c1 c2 c3; do push_version "$SCRATCH/app" "$b" "$b" >/dev/null; done
"$SLIPWAY" trigger --state "$state" app
for _ in $(seq 1 60); do
	n=$(api api/runs | js 'sum(1 for r in d["runs"] if r["status"] == "running")')
	[ "$n" -gt "$max" ] && max=$n
	[ "$(run_count queued)" = 0 ] && [ "$n" = 0 ] && break
	sleep 0.2
done
is "$(run_count queued)" 0 "three pushed branches all ran"
is "$max" 1 "never more than --concurrency at once"

serve_stop
is $? 0 "the daemon stops cleanly"
done_testing
