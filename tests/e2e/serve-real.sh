#!/usr/bin/env bash
# serve-real.sh: the daemon with the real `slipway run` (no stand-in): a
# pushed commit's CD workflow runs on its private checkout, waits at the
# protected production environment (.slipway.yml), an approval through the
# API with a reviewer's token resumes it, and production is deployed.
# Skipped while this build has no `slipway run`; SERVE_REAL_RUNNER may
# name another slipway binary that has it.
. "$(dirname "$0")/../lib.sh"
. "$SLIPWAY_TOP/tests/serve/lib.sh"

runner=${SERVE_REAL_RUNNER:-$SLIPWAY}
if ! "$runner" run --help >/dev/null 2>&1; then
	skip "serve with the real slipway run" "'$runner' has no 'run' command yet"
	done_testing
	exit
fi
SERVE_RUNNER=$runner

state=$SCRATCH/state
make_repo "$SCRATCH/app"
mkdir -p "$SCRATCH/app.work/.github/workflows"
cat >"$SCRATCH/app.work/.github/workflows/cd.yml" <<'YAML'
name: cd
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo "building $(cat VERSION)"; echo "<script>alert(1)</script>"
  deploy-staging:
    needs: build
    runs-on: ubuntu-latest
    environment: staging
    steps:
      - run: echo "deploying $(cat VERSION) to staging"
  deploy-production:
    needs: deploy-staging
    runs-on: ubuntu-latest
    environment:
      name: production
      url: http://127.0.0.1:18081
    steps:
      - run: echo "deploying $(cat VERSION) to production"
YAML
printf 'environments:\n  production:\n    reviewers: [alice]\n' >"$SCRATCH/app.work/.slipway.yml"
(cd "$SCRATCH/app.work" && git add -A && git commit -qm workflow && git push -q origin main)
ok $? "a repository with a CD workflow and a protected production"
printf 'alice:alice-token-1\n' >"$SCRATCH/reviewers"
serve_start "$state" --repo "$SCRATCH/app.git=app" --poll 1 --backend host --reviewers "$SCRATCH/reviewers"
ok $? "the daemon starts with the real runner"
wait_until 5 grep -q "recorded its branch heads" "$state.log"
sha=$(push_version "$SCRATCH/app" 2.0)
wait_until 10 count_is 1
ok $? "a push starts a run"
id=$(latest_run)
wait_until 30 state_is "$id" waiting
ok $? "the run waits for production"
run=$(api "api/runs/$id")
is "$(js '[(j["key"], j["status"], j["result"]) for j in d["jobs"]]' <<<"$run")" \
	"[('cd.build', 'done', 'success'), ('cd.deploy-staging', 'done', 'success'), ('cd.deploy-production', 'waiting', 'waiting')]" \
	"build and staging ran, production waits"
is "$(js '(d["waiting"][0]["environment"], d["reviewers"])' <<<"$run")" "('production', {'production': ['alice']})" \
	"for the environment .slipway.yml protects, with its reviewer"
is "$(js 'd["sha"]' <<<"$run")" "$sha" "of the pushed commit"
like "$(api "api/runs/$id/logs/cd.build")" "building 2\.0" "the build ran on that commit's files"
is "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Authorization: Bearer wrong-token-x' \
	--data '{"environment": "production"}' "${SERVE_URL}api/runs/$id/approve")" 403 "a wrong token is refused"
is "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Authorization: Bearer alice-token-1' \
	--data '{"environment": "production"}' "${SERVE_URL}api/runs/$id/approve")" 200 "alice's token approves"
wait_until 30 state_is "$id" success
ok $? "the run resumes and succeeds"
like "$(api "api/runs/$id/logs/cd.deploy-production")" "deploying 2\.0 to production" "production was deployed"
is "$(api api/deployments | js '[(e["name"], e["current"]["sha"]) for e in d["environments"]]')" \
	"[('production', '$sha'), ('staging', '$sha')]" "the deployments page shows the commit in both environments"
serve_stop
is $? 0 "the daemon stops cleanly"
done_testing
