#!/usr/bin/env bash
# tasks-app: the sample app's own checks with the host's python3 — its
# unittest suite, the lint job's commands, and that the linter catches what
# it claims to. Runs on a scratch copy of fixtures/tasks-app.
. "$(dirname "$0")/../lib.sh"

if ! command -v python3 >/dev/null; then
	skip "tasks-app checks" "python3 is not installed"
	done_testing
	exit
fi
app=$SCRATCH/tasks-app
cp -r "$SLIPWAY_TOP/fixtures/tasks-app" "$app"
cd "$app" || exit 1

out=$(python3 -m unittest -v 2>&1)
ok $? "python3 -m unittest passes"
like "$out" "Ran [1-9][0-9]* tests" "the unittest suite ran its tests"
unlike "$out" "skipped" "no unit test of the app is skipped"
for t in test_task_lifecycle test_health_is_500 test_writes_need_the_token \
	test_token_never_logged test_malformed_requests_are_refused_without_leaking \
	test_sigterm_stops_quickly_and_cleanly; do
	like "$out" "^$t .* ok$" "unit test $t ran and passed"
done

out=$(python3 -m py_compile app.py healthcheck.py lint.py test_app.py 2>&1)
ok $? "py_compile accepts every module"
out=$(python3 -m tabnanny . 2>&1)
is "$?:$out" "0:" "tabnanny finds nothing"
out=$(python3 lint.py 2>&1)
is "$?:$out" "0:" "lint.py finds nothing in the app"

mkdir "$SCRATCH/bad"
printf 'import os\nimport sys\n\nx = 1  \nif x:\n\tprint(sys.argv)\ny = "%s"\n' \
	"$(printf 'a%.0s' $(seq 1 100))" >"$SCRATCH/bad/bad.py"
printf 'def f(:\n' >"$SCRATCH/bad/broken.py"
out=$(python3 lint.py "$SCRATCH/bad" 2>&1)
ok $(($? == 1 ? 0 : 1)) "lint.py exits 1 on problems"
bad=$SCRATCH/bad/bad.py
like "$out" "^$bad:1:1: 'os' imported but unused$" "lint.py reports an unused import"
unlike "$out" "'sys' imported but unused" "lint.py sees a used import as used"
like "$out" "^$bad:4:6: trailing whitespace$" "lint.py reports trailing whitespace"
like "$out" "^$bad:6:1: tab character$" "lint.py reports a tab"
like "$out" "^$bad:7:100: line is 106 characters long \(max 99\)$" "lint.py reports a long line"
like "$out" "^$SCRATCH/bad/broken.py:1:7: syntax error" "lint.py reports a syntax error"

done_testing
