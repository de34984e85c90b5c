#!/usr/bin/env bash
# `slipway validate` on what wf_exprcheck and wf_reusable add: expression
# errors with the source line and a caret, reusable workflows called with
# './' read from the repository (or --root), checked, and reported once.
. "$(dirname "$0")/../lib.sh"

repo=$SCRATCH/repo
mkdir -p "$repo/.git" "$repo/.github/workflows"
cat >"$repo/.github/workflows/ci.yml" <<'YAML'
on: push
jobs:
  build:
    uses: ./.github/workflows/build.yml
    with:
      target: release
  remote:
    uses: octo/tools/.github/workflows/lint.yml@v2
  after:
    needs: build
    runs-on: ubuntu-latest
    steps:
      - run: echo ${{ needs.build.outputs.artifact }} ${{ needs.build.outputs.artefact }}
YAML
cat >"$repo/.github/workflows/build.yml" <<'YAML'
on:
  workflow_call:
    inputs:
      target: {type: string, required: true}
      debug: {type: boolean, required: true}
    outputs:
      artifact: {value: '${{ jobs.make.outputs.path }}'}
jobs:
  make:
    runs-on: ubuntu-latest
    outputs:
      path: ${{ steps.m.outputs.path }}
    steps:
      - id: m
        run: make ${{ inputs.target }} ${{ env.X }} ${{ nope.y }}
YAML

out=$("$SLIPWAY" validate "$repo/.github/workflows/ci.yml" 2>"$SCRATCH/err"); rc=$?
is "$rc" 1 "a workflow whose call is wrong is invalid"
like "$out" "^$repo/.github/workflows/ci.yml:4:11: error: reusable workflow '\./\.github/workflows/build\.yml' requires input 'debug', which 'with' does not give \[workflow-call\]" \
	"the missing input is reported at the caller's uses:"
like "$out" "ci.yml:13:59: error: job 'build' calls reusable workflow '\./\.github/workflows/build\.yml', which has no output 'artefact' \[expression\]" \
	"an output the called workflow does not declare is reported"
like "$out" "$repo/.github/workflows/build.yml:15:57: error: Unrecognized named-value: 'nope'\. Located at position 1 within expression: nope\.y \[expression\]" \
	"the called workflow's own errors follow, in its file"
is "$(printf '%s\n' "$out" | grep -A2 -F 'build.yml:15:57: error:' | tail -2)" \
"    |         run: make \${{ inputs.target }} \${{ env.X }} \${{ nope.y }}
$(printf '    | %56s^~~~' '')" "with the line and a caret under the fault"
unlike "$out" "octo/tools" "a remote workflow is not fetched, and that is no error"

out=$("$SLIPWAY" validate "$repo/.github/workflows" 2>/dev/null)
is "$(printf '%s\n' "$out" | grep -c "Unrecognized named-value: 'nope'")" 1 \
	"a workflow both given and called is reported once"

cp "$repo/.github/workflows/ci.yml" "$SCRATCH/elsewhere.yml"
out=$("$SLIPWAY" validate "$SCRATCH/elsewhere.yml" 2>/dev/null); rc=$?
is "$rc" 0 "outside .github/workflows, './' calls are not read without --root"
out=$("$SLIPWAY" validate --root "$repo" "$SCRATCH/elsewhere.yml" 2>/dev/null); rc=$?
is "$rc" 1 "--root names where they are read"
like "$out" "elsewhere.yml:4:11: error: reusable workflow '\./\.github/workflows/build\.yml' requires input 'debug'" \
	"and the call is checked"

cat >"$repo/.github/workflows/loop.yml" <<'YAML'
on: workflow_call
jobs:
  again: {uses: ./.github/workflows/loop.yml}
YAML
out=$(timeout 5 "$SLIPWAY" validate "$repo/.github/workflows/loop.yml" 2>/dev/null); rc=$?
is "$rc" 1 "a workflow that calls itself is refused, and quickly"
like "$out" "loop.yml:3:17: error: reusable workflow '\./\.github/workflows/loop\.yml' calls itself" \
	"naming the cycle"
out=$("$SLIPWAY" validate --root "$SCRATCH/none" "$SCRATCH/elsewhere.yml" 2>/dev/null); rc=$?
like "$out" "elsewhere.yml:4:11: error: cannot read reusable workflow '\./\.github/workflows/build\.yml': no such file or directory" \
	"a call that cannot be read is an error at its uses:"
done_testing
