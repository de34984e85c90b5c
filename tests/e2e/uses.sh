#!/usr/bin/env bash
# uses: `uses:` steps end to end on the host backend — remote actions
# served from local git repositories over file:// (fetched into the cache
# once, reused with --offline, a branch fetched again, --action-path,
# failures naming the remedy), a node action's pre/main/post with state,
# actions/cache hitting on the second run, checkout of the working tree vs
# --checkout=commit, --no-builtin, and secrets given to stages masked.
. "$(dirname "$0")/../lib.sh"

export XDG_CACHE_HOME=$SCRATCH/cache
remotes=$SCRATCH/remotes
repo=$SCRATCH/repo
state=$SCRATCH/state
have_node=0
command -v node >/dev/null && have_node=1

commit() { git -c user.name=t -c user.email=t@t commit -qm "$1"; }

# remotes/acme/tools: a composite action at the root (using a node action
# of another repository) and a node action in a subdirectory, tagged v1.
mkdir -p "$remotes/acme/tools/hello" "$remotes/acme/noder"
cat >"$remotes/acme/tools/action.yml" <<'YAML'
name: tools
inputs:
  who: {default: remote}
outputs:
  said: {value: "${{ steps.s.outputs.said }}"}
runs:
  using: composite
  steps:
    - id: s
      shell: bash
      run: echo "said=tools v1 greets ${{ inputs.who }}" >> "$GITHUB_OUTPUT"
    - uses: acme/noder@v1
      with: {msg: from-composite}
YAML
cat >"$remotes/acme/tools/hello/action.yml" <<'YAML'
name: hello
runs:
  using: composite
  steps:
    - shell: sh
      run: echo "hello from the subdirectory at $GITHUB_ACTION_PATH"
YAML
cat >"$remotes/acme/noder/action.yml" <<'YAML'
name: noder
inputs:
  msg: {required: true}
  with space: {default: spaced}
outputs:
  echoed: {description: the message}
runs:
  using: node20
  pre: pre.js
  main: main.js
  post: post.js
  post-if: always()
YAML
cat >"$remotes/acme/noder/pre.js" <<'JS'
const fs = require('fs');
console.log('noder pre', process.env.INPUT_MSG);
fs.appendFileSync(process.env.GITHUB_STATE, 'from_pre=yes\n');
JS
cat >"$remotes/acme/noder/main.js" <<'JS'
const fs = require('fs');
console.log('noder main', process.env.INPUT_MSG, process.env.INPUT_WITH_SPACE,
	'state', process.env.STATE_from_pre || 'none');
fs.appendFileSync(process.env.GITHUB_OUTPUT, 'echoed=' + process.env.INPUT_MSG + '\n');
fs.appendFileSync(process.env.GITHUB_STATE, 'from_main=' + process.env.INPUT_MSG + '\n');
JS
cat >"$remotes/acme/noder/post.js" <<'JS'
console.log('noder post', process.env.STATE_from_main || 'none');
JS
# remotes/acme/scripted: a composite action whose step runs a file of its own
mkdir -p "$remotes/acme/scripted"
cat >"$remotes/acme/scripted/action.yml" <<'YAML'
name: scripted
runs:
  using: composite
  steps:
    - shell: sh
      run: sh "$GITHUB_ACTION_PATH/say.sh"
YAML
printf 'echo "scripted says hello from $(uname -s)"\n' >"$remotes/acme/scripted/say.sh"
for r in acme/tools acme/noder acme/scripted; do
	(cd "$remotes/$r" && git init -q -b main && git add -A && commit v1 && git tag v1)
done

mkdir -p "$repo/.github/workflows"
cat >"$repo/.github/workflows/remote.yml" <<'YAML'
name: remote
on: push
jobs:
  use:
    runs-on: ubuntu-latest
    steps:
      - id: t
        uses: acme/tools@v1
        with: {who: e2e}
      - run: echo "tools said '${{ steps.t.outputs.said }}'"
      - uses: acme/tools/hello@main
      - id: n
        uses: acme/noder@v1
        with: {msg: direct}
      - run: echo "noder echoed ${{ steps.n.outputs.echoed }}"
YAML
(cd "$repo" && git init -q -b main && git add -A && commit init)
cd "$repo" || exit 1
base="--action-base-url file://$remotes"
run() { "$SLIPWAY" run --backend host --state "$state" --summary "$SCRATCH/summary.json" "$@" 2>&1; }

# A remote action's files are where its steps look in a job container too
# (the action cache is mounted there, read-only, at the same path).
if docker_available; then
	. "$SLIPWAY_TOP/tests/images.sh"
	images_busybox
	mkdir -p "$SCRATCH/incontainer/.github/workflows"
	printf 'on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: acme/scripted@v1\n' \
		>"$SCRATCH/incontainer/.github/workflows/c.yml"
	out=$(cd "$SCRATCH/incontainer" && "$SLIPWAY" run --backend docker -P ubuntu-latest=$IMAGE_BUSYBOX \
		--state "$SCRATCH/cstate" $base 2>&1)
	is "$?" 0 "a remote composite action runs in a job container"
	like "$out" "scripted says hello from Linux" "its step runs the action's own file there"
	# --checkout=commit in a job container: exactly the commit there too (what the
	# stage removed on this side is removed in the container)
	mkdir -p "$SCRATCH/exact/.github/workflows"
	cat >"$SCRATCH/exact/.github/workflows/x.yml" <<'YAML'
on: push
jobs:
  j:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: cat tracked.txt; ls untracked.txt extra/file 2>&1 || true
YAML
	echo committed >"$SCRATCH/exact/tracked.txt"
	(cd "$SCRATCH/exact" && git init -q -b main && git add -A &&
		git -c user.name=t -c user.email=t@t commit -qm exact)
	echo changed >"$SCRATCH/exact/tracked.txt"
	mkdir -p "$SCRATCH/exact/extra" && touch "$SCRATCH/exact/untracked.txt" "$SCRATCH/exact/extra/file"
	out=$(cd "$SCRATCH/exact" && "$SLIPWAY" run --backend docker -P ubuntu-latest=$IMAGE_BUSYBOX \
		--state "$SCRATCH/xstate" 2>&1)
	like "$out" "\[x/j\] changed" "a job container starts with the working tree"
	like "$out" "\[x/j\] untracked.txt" "untracked files included"
	out=$(cd "$SCRATCH/exact" && "$SLIPWAY" run --backend docker -P ubuntu-latest=$IMAGE_BUSYBOX \
		--state "$SCRATCH/xstate" --checkout=commit 2>&1)
	like "$out" "\[x/j\] committed" "--checkout=commit in a job container: the commit's files"
	like "$out" "untracked.txt: No such file" "the untracked file is gone from the container"
	like "$out" "extra/file: No such file" "and the untracked directory"
	# setup-* look where the steps run: this machine has python3, the busybox image has not
	mkdir -p "$SCRATCH/nopython/.github/workflows"
	printf 'on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/setup-python@v5\n' \
		>"$SCRATCH/nopython/.github/workflows/p.yml"
	out=$(cd "$SCRATCH/nopython" && "$SLIPWAY" run --backend docker -P ubuntu-latest=$IMAGE_BUSYBOX \
		--state "$SCRATCH/pstate" 2>&1)
	is "$?" 1 "setup-python fails in a job container without python"
	like "$out" "python is not installed in the job's container" "and says it looked in the container"
	images_python
	cat >"$SCRATCH/nopython/.github/workflows/p.yml" <<'YAML'
on: push
jobs:
  j:
    runs-on: ubuntu-latest
    steps:
      - id: p
        uses: actions/setup-python@v5
      - run: test -x "${{ steps.p.outputs.python-path }}" && echo "found python ${{ steps.p.outputs.python-version }}"
YAML
	out=$(cd "$SCRATCH/nopython" && "$SLIPWAY" run --backend docker -P ubuntu-latest=$IMAGE_PYTHON \
		--state "$SCRATCH/pstate" 2>&1)
	is "$?" 0 "setup-python finds the python of a python image"
	like "$out" "found python 3\.[0-9]+\.[0-9]+" "and its version and path, as the container has them"
else
	skip "remote actions in a job container" "no Docker engine answers"
fi

if [ $have_node = 1 ]; then
	out=$(run $base)
	is "$?" 0 "remote actions over file:// run"
	like "$out" "\[remote/use\] tools said 'tools v1 greets e2e'" "a remote composite's outputs"
	like "$out" "hello from the subdirectory at $XDG_CACHE_HOME/slipway/actions/acme/tools/main/hello" \
		"an action in a subdirectory of a remote repository, from the cache"
	like "$out" "noder main direct spaced state yes" "node: inputs (spaces as _), pre's state"
	like "$out" "noder echoed direct" "node: outputs"
	like "$out" "noder main from-composite" "a remote action inside a remote composite"
	# pre before everything, posts last first at the end
	order=$(printf '%s\n' "$out" | grep -oE 'noder (pre|main|post) [a-z-]+' | tr '\n' ',')
	is "$order" "noder pre direct,noder main from-composite,noder main direct,noder post direct,noder post from-composite," \
		"pre runs first; posts run at the end, last registered first, with main's state"
	steps=$(python3 -c 'import json,sys; print(" ".join(s["id"]+":"+s["outcome"] for s in json.load(open(sys.argv[1]))["jobs"][0]["steps"]))' "$SCRATCH/summary.json")
	like "$steps" "^pre-n:success t:success " "the pre step comes first in the summary"
	like "$steps" "post-n:success post-__acme_noder:success$" "post steps come last (a composite's by the nested step's id)"
	test -d "$XDG_CACHE_HOME/slipway/actions/acme/tools/v1" && test -f "$XDG_CACHE_HOME/slipway/actions/acme/tools/v1.ref"
	ok $? "the fetched tree is in the cache, with what its ref was"
	like "$(cat "$XDG_CACHE_HOME/slipway/actions/acme/tools/v1.ref")" "^tag [0-9a-f]{40}$" "v1 was a tag"

	# the cache is enough offline; the remote may even be gone
	mv "$remotes" "$remotes.away"
	out=$(run --offline)
	is "$?" 0 "--offline runs from the cache"
	like "$out" "tools said 'tools v1 greets e2e'" "the cached tree is used"
	out=$(XDG_CACHE_HOME=$SCRATCH/empty run --offline)
	is "$?" 1 "--offline with an empty cache fails the job"
	like "$out" "remote.yml:[0-9]+:[0-9]+: action 'acme/tools@v1' is not in the action cache \(.*\) and --offline forbids fetching it: run once without --offline, or give a local checkout with --action-path acme/tools@v1=DIR" \
		"the message names the action and the remedies"
	out=$(XDG_CACHE_HOME=$SCRATCH/empty2 run $base)
	is "$?" 1 "a fetch that fails fails the step"
	like "$out" "cannot fetch action 'acme/tools@v1' from file://$remotes/acme/tools: .*--action-path acme/tools@v1=DIR" \
		"the fetch error names the action, the URL and the remedy"
	mv "$remotes.away" "$remotes"
	# --action-path substitutes a checkout, for one ref or every ref
	out=$(XDG_CACHE_HOME=$SCRATCH/empty3 run --offline --action-path "acme/tools@v1=$remotes/acme/tools" \
		--action-path "acme/tools=$remotes/acme/tools" --action-path "acme/noder=$remotes/acme/noder")
	is "$?" 0 "--action-path needs no fetch"
	test ! -e "$SCRATCH/empty3/slipway/actions"
	ok $? "nothing was fetched"

	# a branch is fetched again when online; a tag is kept
	(cd "$remotes/acme/tools" && sed -i 's/subdirectory/updated branch/' hello/action.yml &&
		sed -i 's/tools v1/tools v2/' action.yml && git commit -qam v2)
	out=$(run $base)
	like "$out" "hello from the updated branch" "@main is fetched again"
	like "$out" "tools said 'tools v1 greets e2e'" "@v1 (a tag) is not"
else
	skip "remote and node actions" "node is not installed"
fi

# a remote reusable workflow (through the same cache), which calls another of its repository
mkdir -p "$remotes/acme/flows/.github/workflows"
cat >"$remotes/acme/flows/.github/workflows/shared.yml" <<'YAML'
name: shared
on:
  workflow_call:
    inputs:
      target: {type: string, required: true}
    outputs:
      where: {value: "${{ jobs.deploy.outputs.where }}"}
jobs:
  deploy:
    runs-on: ubuntu-latest
    outputs:
      where: ${{ steps.d.outputs.where }}
    steps:
      - id: d
        run: echo "where=deployed to ${{ inputs.target }}" >> "$GITHUB_OUTPUT"
  notify:
    uses: ./.github/workflows/notify.yml
YAML
cat >"$remotes/acme/flows/.github/workflows/notify.yml" <<'YAML'
on: workflow_call
jobs:
  ping:
    runs-on: ubuntu-latest
    steps:
      - run: echo "notified from the remote repository"
YAML
(cd "$remotes/acme/flows" && git init -q -b main && git add -A && commit v1 && git tag v1)
cat >"$repo/.github/workflows/remote.yml" <<'YAML'
name: remote
on: push
jobs:
  call:
    uses: acme/flows/.github/workflows/shared.yml@v1
    with: {target: staging}
  after:
    needs: call
    runs-on: ubuntu-latest
    steps:
      - run: echo "call says '${{ needs.call.outputs.where }}'"
YAML
(cd "$repo" && git add -A && git commit -qm reusable)
out=$(run $base)
is "$?" 0 "a remote reusable workflow runs"
like "$out" "\[remote/call / notify / ping\] notified from the remote repository" \
	"a './' call inside it is read from its repository"
like "$out" "\[remote/after\] call says 'deployed to staging'" "its outputs reach needs"
like "$("$SLIPWAY" graph 2>&1)" "call / deploy" "slipway graph shows the called jobs"
out=$(XDG_CACHE_HOME=$SCRATCH/empty4 run --offline)
is "$?" 2 "offline without the workflow in the cache: invalid input (exit 2)"
like "$out" "cannot read reusable workflow 'acme/flows/.github/workflows/shared.yml@v1': action 'acme/flows@v1' is not in the action cache" \
	"the error names the workflow and the remedy"

# a remote action that is missing, and usage errors
cat >"$repo/.github/workflows/remote.yml" <<'YAML'
name: remote
on: push
jobs:
  use:
    runs-on: ubuntu-latest
    steps:
      - uses: acme/nothing@v1
      - uses: acme/tools@v9
YAML
(cd "$repo" && git commit -qam missing)
out=$(run $base)
is "$?" 1 "missing actions fail the job"
like "$out" "cannot fetch action 'acme/nothing@v1'" "a repository that is not there"
like "$out" "no branch, tag or commit 'v9' in 'file://$remotes/acme/tools'" "a ref that is not there"
out=$(run --action-path nothing 2>&1)
is "$?" 2 "a malformed --action-path is a usage error"
like "$out" "expected OWNER/REPO@REF=DIR" "it says what is expected"
out=$(run --no-builtin actions/nothing 2>&1)
is "$?" 2 "--no-builtin names a built-in stage"
out=$(run --checkout sometimes 2>&1)
is "$?" 2 "--checkout is snapshot or commit"

# actions/cache: a miss saves at the end of the job, the second run hits
cat >"$repo/.github/workflows/remote.yml" <<'YAML'
name: cache
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - id: c
        uses: actions/cache@v4
        with:
          path: deps
          key: deps-${{ hashFiles('lock.txt') }}
          restore-keys: deps-
      - if: steps.c.outputs.cache-hit != 'true'
        run: mkdir -p deps && echo "built $(cat lock.txt)" > deps/out && echo "expensive build"
      - run: echo "hit=${{ steps.c.outputs.cache-hit }} deps=$(cat deps/out)"
YAML
echo one >"$repo/lock.txt"
(cd "$repo" && git add -A && git commit -qm cache)
out=$(run)
like "$out" "Cache not found for input keys: deps-[0-9a-f]{64}, deps-" "first run: a miss"
like "$out" "expensive build" "first run: the work is done"
like "$out" "Cache saved with key: deps-" "the post step saves"
out=$(run)
like "$out" "hit=true deps=built one" "second run: a hit restores the files"
unlike "$out" "expensive build" "second run: the work is skipped"
like "$out" "Cache hit occurred on the primary key" "a hit is not saved again"
echo two >"$repo/lock.txt"
out=$(run)
like "$out" "hit=false deps=built two" "a new key restores the prefix match, then rebuilds"
ls "$XDG_CACHE_HOME/slipway/cache" | wc -l | grep -qx 2
ok $? "two entries in the cache store"

# checkout: the working tree (uncommitted changes), or the commit
cat >"$repo/.github/workflows/remote.yml" <<'YAML'
name: co
on: push
jobs:
  co:
    runs-on: ubuntu-latest
    steps:
      - id: c
        uses: actions/checkout@v4
      - run: cat lock.txt; git status --porcelain; git log -1 --format=%s; test "${{ steps.c.outputs.commit }}" = "$(git rev-parse HEAD)" && echo "commit output agrees"
YAML
(cd "$repo" && git add -A && git commit -qm co)
echo uncommitted >"$repo/lock.txt"
out=$(run)
like "$out" "\[co/co\] uncommitted" "default: the working tree as it is"
like "$out" "\[co/co\]  M lock.txt" "git sees the uncommitted change"
like "$out" "\[co/co\] co$" "HEAD is the commit"
like "$out" "commit output agrees" "the commit output"
out=$(run --checkout=commit)
like "$out" "\[co/co\] two" "--checkout=commit: exactly the commit"
unlike "$out" "M lock.txt" "nothing is changed against it"
# --no-builtin runs the action itself (here a local stand-in given with --action-path)
mkdir -p "$SCRATCH/fake-checkout"
printf 'name: fake\nruns:\n  using: composite\n  steps:\n    - shell: sh\n      run: echo "the real action ran"\n' \
	>"$SCRATCH/fake-checkout/action.yml"
out=$(run --no-builtin actions/checkout --offline --action-path "actions/checkout@v4=$SCRATCH/fake-checkout")
like "$out" "the real action ran" "--no-builtin: the action, not the stage"
git -C "$repo" checkout -q lock.txt

# a secret given to a stage is masked in the log of its inputs and everywhere else
cat >"$repo/.github/workflows/remote.yml" <<'YAML'
name: secret
on: push
jobs:
  s:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/setup-python@v5
        with:
          token: ${{ secrets.TOKEN }}
          python-version: ${{ secrets.TOKEN }}
YAML
(cd "$repo" && git commit -qam secret)
out=$(TOKEN=S3cr3tStageValue run --secret TOKEN)
like "$(cat "$state"/runs/*/jobs/remote.s/output.log)" "  token: \*\*\*" "the input is masked in the step's log"
unlike "$out" "S3cr3tStageValue" "the console never shows it"
grep -rl "S3cr3tStageValue" "$state" >/dev/null
ok $(( ! $? )) "no file of the state directory holds it"
done_testing
