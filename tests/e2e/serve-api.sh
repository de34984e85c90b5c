#!/usr/bin/env bash
# serve-api.sh: the daemon's JSON API, pages and limits over run directories
# written by hand (tests/data/runs, following the run-directory contract):
# runs found in the state directory are adopted, filters and errors,
# logs served as text and streamed live over server-sent events, approvals
# with no, wrong, other-environment and right tokens, a duplicate refused,
# the resumed run deploying production, signed webhooks from GitHub and
# Gitea (unsigned, mis-signed and malformed ones start nothing), and the
# CLI readers on that state.
. "$(dirname "$0")/../lib.sh"
. "$SLIPWAY_TOP/tests/serve/lib.sh"

state=$SCRATCH/state
mkdir -p "$state/runs"
make_repo "$SCRATCH/app"
ok $? "a scratch repository"
cp -r "$SLIPWAY_TOP/tests/data/runs/cd-waiting" "$state/runs/"
# the same run, crashed: run.json says running, its pid is gone
cp -r "$SLIPWAY_TOP/tests/data/runs/cd-waiting" "$state/runs/cd-crashed"
python3 - "$state/runs/cd-crashed/run.json" <<'PY'
import json, sys
p = sys.argv[1]; r = json.load(open(p))
r.update(run_id="cd-crashed", result="running", pid=999999999, finished_at=None)
r["jobs"][2].update(status="running", result=None, waiting_for=None)
json.dump(r, open(p, "w"))
PY
mkdir -p "$state/runs/cd-waiting/artifacts/dist"
printf 'coverage 91%%\n' >"$state/runs/cd-waiting/artifacts/report.txt"
printf 'binary' >"$state/runs/cd-waiting/artifacts/dist/app.bin"
printf 'x' >"$state/runs/cd-waiting/artifacts/dist/app.sig"
printf '# reviewers\nproduction=alice:alice-token-1\n\nstaging=bob:bob-token-22\n' >"$SCRATCH/reviewers"
printf 'webhook-s3cret\n' >"$SCRATCH/secret"

export FAKE_SLEEP=3
serve_start "$state" --repo "$SCRATCH/app.git=app" --poll 0 --reviewers "$SCRATCH/reviewers" \
	--webhook-secret-file "$SCRATCH/secret"
ok $? "the daemon starts on a free loopback port"
like "$SERVE_URL" '^http://127\.0\.0\.1:[0-9]+/$' "and says where in serve.json"

# --- runs found in the state directory ---
is "$(run_count)" 2 "both run directories are adopted into the history"
is "$(run_count waiting)" 1 "one is waiting"
is "$(run_count interrupted)" 1 "the one whose process is gone is interrupted"
is "$(api api/runs/cd-crashed | js '[j["status"] + "/" + str(j["result"]) for j in d["jobs"]]')" \
	"['done/success', 'done/success', 'done/cancelled']" "its unfinished job is not left running"
detail=$(api api/runs/cd-waiting)
is "$(js 'd["waiting"]' <<<"$detail")" \
	"[{'job': 'cd-starter.deploy-production', 'environment': 'production', 'url': 'http://127.0.0.1:18081'}]" \
	"the run says which environment it waits for"
is "$(js 'd["reviewers"]' <<<"$detail")" "{'production': ['alice']}" "and who may approve it"
is "$(js '[ (j["key"], j["protected"]) for j in d["jobs"]]' <<<"$detail")" \
	"[('cd-starter.build', None), ('cd-starter.deploy-staging', 0), ('cd-starter.deploy-production', 1)]" \
	"jobs come in order with the protected environment marked"
is "$(js '[s["name"] for s in d["jobs"][0]["steps"]]' <<<"$detail")" "['Check out', 'Run tests']" \
	"with their steps"

is "$(js '[(x["name"], x["files"], x["size"]) for x in d["artifacts"]]' <<<"$detail")" \
	"[('dist', 2, 7), ('report.txt', 1, 13)]" "and its artifacts"
is "$(api api/runs/cd-waiting/artifacts/report.txt)" "coverage 91%" "an artifact file downloads"
like "$(curl -si "${SERVE_URL}api/runs/cd-waiting/artifacts/dist/app.bin")" \
	'Content-Disposition: attachment; filename="app.bin"' "one in an artifact folder too, as an attachment"
is "$(status api/runs/cd-waiting/artifacts/nope)" 404 "an unknown artifact is 404"
is "$(status api/runs/cd-waiting/artifacts/dist)" 404 "a folder is not a file"
is "$(status api/runs/cd-waiting/artifacts/..%2Frun.json)" 404 "nor is a path out of the artifacts"

# --- errors ---
body=$(api api/runs/nope)
is "$(status api/runs/nope)" 404 "an unknown run is 404"
is "$body" '{"error": "no such run", "status": 404}' "with a JSON error"
is "$(status 'api/runs?state=bogus')" 400 "an unknown state filter is 400"
like "$(api 'api/runs?state=bogus')" "unknown state 'bogus'" "and says which"
is "$(status 'api/runs?limit=0')" 400 "a zero limit is 400"
is "$(status api/runs -X DELETE)" 405 "a wrong method is 405"
like "$(curl -si -X DELETE "${SERVE_URL}api/runs")" "Allow: GET, HEAD" "with Allow"
is "$(status nope)" 404 "an unknown page is 404"
is "$(status api/runs/cd-waiting/logs/nojob)" 404 "an unknown job's log is 404"
is "$(status assets/nope.js)" 404 "an unknown asset is 404"
head -c 1100000 /dev/zero >"$SCRATCH/big"
is "$(status api/runs/cd-waiting/approve -X POST --data-binary @"$SCRATCH/big")" 413 "a body over 1 MiB is 413"
raw() { # REQUEST: send it as is, print the status line
	exec 3<>"/dev/tcp/127.0.0.1/${SERVE_URL##*:}" 2>/dev/null || return 1
	printf '%b' "$1" >&3
	timeout 5 head -1 <&3 | tr -d '\r'
	exec 3>&-
}
SERVE_URL=${SERVE_URL%/}
is "$(raw 'POST /api/webhook HTTP/1.1\r\nHost: x\r\n\r\n')" "HTTP/1.1 411 Length Required" "a POST without a length is 411"
is "$(raw "GET /$(head -c 9000 /dev/zero | tr '\0' a) HTTP/1.1\r\n\r\n")" "HTTP/1.1 414 URI Too Long" "a long request line is 414"
is "$(raw "GET / HTTP/1.1\r\nX-Big: $(head -c 17000 /dev/zero | tr '\0' a)\r\n\r\n")" \
	"HTTP/1.1 431 Request Header Fields Too Large" "huge headers are 431"
is "$(raw 'GARBAGE\r\n\r\n')" "HTTP/1.1 400 Bad Request" "a malformed request is 400"
SERVE_URL=$SERVE_URL/

# --- pages and logs: data is never markup ---
page=$(curl -si "$SERVE_URL")
like "$page" "Content-Type: text/html" "the dashboard is served"
like "$page" "Content-Security-Policy: default-src 'self';.*script-src 'self'" \
	"with a policy that forbids inline scripts"
unlike "$page" "cd-waiting" "the page itself carries no run data (the API does)"
like "$(curl -si "${SERVE_URL}runs/cd-waiting")" "200 OK" "a run's page is served"
like "$(api assets/app.js)" "textContent" "the script writes data as text"
unlike "$(api assets/app.js)" "innerHTML" "and never as HTML"
log=$(curl -si "${SERVE_URL}api/runs/cd-waiting/logs/cd-starter.build")
like "$log" "Content-Type: text/plain" "a log is plain text"
like "$log" "X-Content-Type-Options: nosniff" "that browsers may not sniff as HTML"
like "$log" "<script>alert\(1\)</script>" "with the job's output as it was"

# --- approvals ---
approve() { # TOKEN [BODY]
	curl -s -w '\n%{http_code}' -X POST ${1:+-H "Authorization: Bearer $1"} \
		--data "${2:-{\"environment\": \"production\"\}}" "${SERVE_URL}api/runs/cd-waiting/approve"
}
out=$(approve "")
is "$(tail -1 <<<"$out")" 401 "approving without a token is 401"
like "$out" "needs a reviewer token" "and says what is missing"
out=$(approve wrong-token-xyz)
is "$(tail -1 <<<"$out")" 403 "a wrong token is 403"
out=$(approve bob-token-22)
is "$(tail -1 <<<"$out")" 403 "another environment's reviewer is 403"
like "$out" "reviewer 'bob' may not decide for environment 'production'" "and says why"
out=$(approve bob-token-22 '{"environment": "staging"}')
is "$(tail -1 <<<"$out")" 409 "an environment the run is not waiting for is 409"
is "$(tail -1 <<<"$(approve alice-token-1 '[1]')")" 400 "a body that is not an object is 400"
is "$(tail -1 <<<"$(approve alice-token-1 '{"environment": "../x"}')")" 400 "a bad environment name is 400"
[ ! -e "$state/runs/cd-waiting/approvals/production.json" ]
ok $? "no refused attempt wrote a decision"
is "$(state_is cd-waiting waiting && echo waiting)" waiting "and the run still waits"

curl -sN "${SERVE_URL}api/runs/cd-waiting/events" >"$SCRATCH/events.txt" &
events_pid=$!
out=$(approve alice-token-1)
is "$(tail -1 <<<"$out")" 200 "the reviewer's token approves"
is "$(head -n -1 <<<"$out" | js '(d["decision"], d["by"])')" "('approved', 'alice')" "as alice"
is "$(js '(d["decision"], d["by"])' <"$state/runs/cd-waiting/approvals/production.json")" \
	"('approved', 'alice')" "the decision is where the run looks for it"
out=$(approve alice-token-1)
is "$(tail -1 <<<"$out")" 409 "the same reviewer cannot approve twice"
like "$out" "reviewer 'alice' already approved environment 'production'" "and is told so"

# the resumed run's production log, streamed while it grows
wait_until 10 state_is cd-waiting running
ok $? "the approval resumes the run"
curl -sN "${SERVE_URL}api/runs/cd-waiting/logs/cd-starter.deploy-production" \
	-H 'Accept: text/event-stream' >"$SCRATCH/sse.txt" &
sse_pid=$!
"$SLIPWAY" logs cd-waiting cd-starter.deploy-production --follow --state "$state" >"$SCRATCH/follow.txt" &
follow_pid=$!
wait_until 10 grep -q "step 1 of 3" "$SCRATCH/sse.txt"
ok $? "log lines arrive over server-sent events"
state_is cd-waiting running
ok $? "while the job is still running"
grep -q "done" "$SCRATCH/sse.txt"
is $? 1 "before its last line was written"
wait_until 15 grep -q "event: end" "$SCRATCH/sse.txt"
ok $? "the stream ends when the run does"
like "$(cat "$SCRATCH/sse.txt")" "data: [0-9T:.Z-]+ deploying|data: [0-9T:.Z-]+ production: step 3 of 3" \
	"with every line as a data event"
wait "$sse_pid"
ok $? "and the server closes it"
wait_until 5 grep -q '"type": "run_finished", "result": "success"' "$SCRATCH/events.txt"
ok $? "the run's events stream too"
kill "$events_pid" 2>/dev/null

wait "$follow_pid"
is $? 0 "slipway logs --follow ends when the run does"
like "$(tail -1 "$SCRATCH/follow.txt")" "done$" "having printed the job's log to its last line"
like "$(head -1 "$SCRATCH/follow.txt")" "Run cd-starter.deploy-production" "from its first"

is "$(run_state cd-waiting)" success "the run deployed production"
deps=$(api api/deployments)
is "$(js '[(e["name"], e["current"]["run"]) for e in d["environments"]]' <<<"$deps")" \
	"[('production', 'cd-waiting'), ('staging', 'cd-waiting')]" "the deployments page shows both environments"
is "$(js '[e["release"] for e in d["environments"]]' <<<"$deps")" "[None, None]" \
	"no deploy record: no image to show"
# what slipway/deploy and `slipway rollback` record (stages/deployrec.h) is shown beside it
mkdir -p "$state/deployments"
cat >"$state/deployments/production.json" <<'JSON'
{"environment": "production",
 "current": {"image": "reg/app:bbb", "sha": "bbb", "at": "2026-11-26T10:00:00.000Z", "by": "alice",
             "kind": "rollback", "result": "success", "run_id": null},
 "previous": {"image": "reg/app:ccc", "sha": "ccc", "at": "2026-11-26T09:00:00.000Z", "by": "ci",
              "kind": "deploy", "result": "success", "run_id": "r2"},
 "history": []}
JSON
is "$(api api/deployments | js '[(e["name"], e["release"] and (e["release"]["image"], e["release"]["kind"]), e["previous_release"] and e["previous_release"]["image"]) for e in d["environments"]]')" \
	"[('production', ('reg/app:bbb', 'rollback'), 'reg/app:ccc'), ('staging', None, None)]" \
	"the deploy records' images: production rolled back to bbb, ccc before"
is "$(api api/runs/cd-waiting | js '[(a["environment"], a["by"]) for a in d["approvals"]]')" \
	"[('production', 'alice')]" "the approval is on record"

# --- webhooks ---
hook() { # SOURCE EVENT BODY [SIGNATURE]: prints "BODY STATUS"
	local sig=${4-$(printf '%s' "$3" | python3 -c 'import hmac,sys; print(hmac.new(b"webhook-s3cret", sys.stdin.buffer.read(), "sha256").hexdigest())')}
	if [ "$1" = github ]; then
		curl -s -w ' %{http_code}' -H "X-GitHub-Event: $2" -H "X-GitHub-Delivery: d-$RANDOM" \
			${sig:+-H "X-Hub-Signature-256: sha256=$sig"} --data-binary "$3" "${SERVE_URL}api/webhook"
	else
		curl -s -w ' %{http_code}' -H "X-Gitea-Event: $2" ${sig:+-H "X-Gitea-Signature: $sig"} \
			--data-binary "$3" "${SERVE_URL}webhook"
	fi
}
sha5=$(push_version "$SCRATCH/app" 5.0 hooked)
payload() { # BRANCH SHA
	printf '{"ref": "refs/heads/%s", "before": "%040d", "after": "%s", "repository": {"name": "app", "full_name": "someone/app", "clone_url": "https://example.invalid/someone/app.git"}}' "$1" 0 "$2"
}
before=$(run_count)
out=$(hook github push "$(payload hooked "$sha5")" "0000000000000000000000000000000000000000000000000000000000000000")
like "$out" " 401$" "a webhook with a bad signature is refused"
like "$out" "does not match the configured secret" "and says why"
out=$(hook github push "$(payload hooked "$sha5")" "")
like "$out" " 401$" "an unsigned webhook is refused"
out=$(hook github push "not json")
like "$out" " 400$" "a signed but malformed payload is 400"
out=$(curl -s -w ' %{http_code}' --data-binary '{}' "${SERVE_URL}api/webhook")
like "$out" " 400$" "a request from neither forge is 400"
is "$(run_count)" "$before" "none of them started anything"
out=$(hook github ping '{"zen": "Design for failure."}')
like "$out" " 200$" "a ping is answered"
out=$(hook gitea push "$(payload hooked "$sha5" | sed 's/"app"/"other"/; s/someone\/app/someone\/other/; s/app.git/other.git/')")
like "$out" " 404$" "a push for a repository that is not watched is 404"
out=$(hook github push "$(payload hooked "$sha5")")
like "$out" " 202$" "a signed GitHub push is accepted"
hooked=$(js 'd["queued"]' <<<"${out% *}")
is "$(api "api/runs/$hooked" | js '(d["branch"], d["sha"], d["trigger"])')" "('hooked', '$sha5', 'webhook')" \
	"and queues a run of that commit"
out=$(hook gitea push "$(payload hooked "$sha5")")
like "$out" '"queued": null' "the same commit again from Gitea is not queued twice"
"$SLIPWAY" trigger --state "$state" app
sleep 1
is "$(run_count)" $((before + 1)) "and a poll does not add it again either"
ghost=0123456789abcdef0123456789abcdef01234567
out=$(hook github push "$(payload ghost "$ghost")")
like "$out" " 202$" "a push of a commit this repository does not have is queued"
ghost_run=$(js 'd["queued"]' <<<"${out% *}")
wait_until 10 state_is "$ghost_run" failure
ok $? "and fails"
like "$(api "api/runs/$ghost_run" | js 'd["message"]')" "cannot check out: commit '$ghost' is not in repository" \
	"saying the commit is missing"
is "$(api api/webhooks | js '[x["status"] for x in d["deliveries"]][1:9]')" \
	"[200, 202, 404, 200, 400, 400, 401, 401]" "every delivery is recorded with its answer"

# --- the CLI readers of the same state ---
out=$("$SLIPWAY" runs --state "$state")
like "$out" "cd-waiting +success" "slipway runs lists the run"
like "$out" "cd-crashed +interrupted" "and the crashed one as interrupted"
out=$("$SLIPWAY" runs --state "$state" --json --filter success)
is "$(js '[r["id"] for r in d]' <<<"$out")" "['cd-waiting']" "with --json and --filter"
out=$("$SLIPWAY" logs cd-waiting deploy-production --state "$state")
like "$out" "production: step 3 of 3" "slipway logs prints one job by id"
out=$("$SLIPWAY" logs cd-waiting --state "$state")
like "$out" "^cd-starter.build \| .*Run tests" "and every job with its key"
out=$("$SLIPWAY" logs cd-waiting nojob --state "$state" 2>&1)
is $? 1 "an unknown job is an error"
like "$out" "no job 'nojob' in run 'cd-waiting' \(jobs: cd-starter.build, " "that lists the jobs"
out=$("$SLIPWAY" approve cd-waiting production --state "$state" 2>&1)
is $? 1 "approving a run that no longer waits fails"
like "$out" "run 'cd-waiting' is not waiting for environment 'production'" "and says so"
out=$("$SLIPWAY" approve nope production --state "$state" 2>&1)
like "$out" "no run 'nope' in" "an unknown run is named"
"$SLIPWAY" approve onlyone --state "$state" >/dev/null 2>&1
is $? 2 "a missing environment is a usage error"

serve_stop
is $? 0 "SIGTERM stops the daemon cleanly"
[ ! -e "$state/serve.json" ]
ok $? "and it removes serve.json"
done_testing
