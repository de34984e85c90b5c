#!/usr/bin/env bash
# serve-browser.sh: the dashboard in headless Chromium (Debian's chromium,
# driven by tests/serve/browser.mjs over the DevTools protocol): a pushed
# commit's run waits at production, a reviewer approves it on the run page
# with a token, and production shows as deployed. The run page's screenshot
# is saved as $SLIPWAY_BUILD/serve-run-page.png.
. "$(dirname "$0")/../lib.sh"
. "$SLIPWAY_TOP/tests/serve/lib.sh"

chromium=$(command -v chromium || command -v chromium-browser)
if [ -z "$chromium" ] || ! node --experimental-websocket -e 'new WebSocket("ws://127.0.0.1:1").onerror=()=>{}' 2>/dev/null; then
	if [ "${CI:-}" = true ]; then
		ok 1 "chromium and Node.js >= 20 with WebSocket are installed (./setup deps)"
	else
		skip "the dashboard in a browser" "chromium or Node.js with WebSocket is missing"
	fi
	done_testing
	exit
fi

state=$SCRATCH/state
make_repo "$SCRATCH/app"
printf 'production=alice:alice-token-1\n' >"$SCRATCH/reviewers"
export FAKE_SLEEP=0.5
serve_start "$state" --repo "$SCRATCH/app.git=app" --poll 1 --reviewers "$SCRATCH/reviewers"
ok $? "the daemon starts"
wait_until 5 grep -q "recorded its branch heads" "$state.log"
sha=$(push_version "$SCRATCH/app" 2.0)
wait_until 10 count_is 1
id=$(latest_run)
wait_until 20 state_is "$id" waiting
ok $? "a pushed commit's run waits at production"

png=$SLIPWAY_BUILD/serve-run-page.png
rm -f "$png"
node --experimental-websocket --no-warnings "$SLIPWAY_TOP/tests/serve/browser.mjs" "$chromium" \
	"$SERVE_URL" "$id" "$sha" alice-token-1 "$png" "$SCRATCH/profile" >"$SCRATCH/browser.txt" 2>&1
rc=$?
while IFS= read -r line; do
	case $line in
	PASS\ *) ok 0 "${line#PASS }";;
	FAIL\ *) ok 1 "${line#FAIL }";;
	*) diag "$line";;
	esac
done <"$SCRATCH/browser.txt"
is $rc 0 "the browser session passed as a whole"
[ -s "$png" ] && head -c 8 "$png" | od -An -c | grep -q 'P   N   G'
ok $? "the screenshot is a PNG"
is "$(run_state "$id")" success "the API agrees that production is deployed"
serve_stop
done_testing
