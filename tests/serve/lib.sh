# shellcheck shell=bash
# serve/lib.sh: helpers for the `slipway serve` suites (sourced after
# tests/lib.sh): a scratch git repository, starting and stopping a daemon
# on a free port, JSON through python3, and waiting for conditions.

SERVE_RUNNER=$SLIPWAY_TOP/tests/serve/fake-runner
export GIT_AUTHOR_NAME=tester GIT_AUTHOR_EMAIL=tester@example.com
export GIT_COMMITTER_NAME=tester GIT_COMMITTER_EMAIL=tester@example.com

# js EXPR: evaluate a Python expression over the JSON on stdin (bound to d).
js() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

# wait_until SECONDS CMD...: run CMD every 0.1 s until it succeeds; 1 on time-out.
wait_until() {
	local limit=$1 i
	shift
	for ((i = 0; i < limit * 10; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# make_repo DIR: a bare repository DIR.git with one commit (VERSION 1.0)
# on main, and a clone of it in DIR.work to push from.
make_repo() {
	local d=$1
	git init -q --bare -b main "$d.git" &&
		git clone -q "$d.git" "$d.work" 2>/dev/null &&
		(cd "$d.work" && git checkout -q -b main 2>/dev/null; echo 1.0 >VERSION &&
			git add VERSION && git commit -qm "version 1.0" && git push -q origin main)
}

# push_version DIR VERSION [BRANCH]: commit VERSION and push it; prints the sha.
push_version() {
	(cd "$1.work" || exit 1
	 git checkout -q "${3:-main}" 2>/dev/null || git checkout -q -b "${3:-main}"
	 echo "$2" >VERSION && git commit -qam "version $2" && git push -q origin "${3:-main}" &&
	 git rev-parse HEAD)
}

# serve_start STATE ARGS...: start the daemon (log: STATE.log) and wait for
# its serve.json; sets SERVE_PID and SERVE_URL ("http://127.0.0.1:PORT/").
serve_start() {
	local state=$1
	shift
	rm -f "$state/serve.json"
	"$SLIPWAY" serve --state "$state" --listen 127.0.0.1:0 --runner "$SERVE_RUNNER" "$@" \
		>>"$state.log" 2>&1 &
	SERVE_PID=$!
	at_exit "kill -9 $SERVE_PID"
	if ! wait_until 10 test -s "$state/serve.json"; then
		diag "the daemon did not start:"
		sed 's/^/#   /' "$state.log"
		return 1
	fi
	SERVE_URL=$(js 'd["url"]' <"$state/serve.json")
}

# serve_stop: SIGTERM the daemon and wait for it; returns its exit status.
serve_stop() {
	kill -TERM "$SERVE_PID" 2>/dev/null
	wait "$SERVE_PID"
}

# api PATH [CURL ARGS...]: GET (or what the args say) PATH; prints the body.
api() {
	local path=$1
	shift
	curl -s --max-time 10 "$@" "$SERVE_URL${path#/}"
}

# status PATH [CURL ARGS...]: the HTTP status of a request.
status() {
	local path=$1
	shift
	curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$@" "$SERVE_URL${path#/}"
}

# run_state ID: the run's state from the API.
run_state() { api "api/runs/$1" | js 'd["state"]' 2>/dev/null; }

# state_is ID STATE: for wait_until.
state_is() { [ "$(run_state "$1")" = "$2" ]; }

# run_count [STATE]: how many runs the API lists.
run_count() { api "api/runs${1:+?state=$1}" | js 'd["total"]'; }

# count_is N [STATE]: for wait_until.
count_is() { [ "$(run_count "${2:-}")" = "$1" ]; }

# latest_run: the newest run's id.
latest_run() { api api/runs | js 'd["runs"][0]["id"] if d["runs"] else ""'; }
