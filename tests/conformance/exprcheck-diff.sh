#!/usr/bin/env bash
# exprcheck-diff: the context-availability table of wf_exprcheck against
# GitHub's own parser (the oracle). Every named value and special function
# is put at every kind of location of a workflow; GitHub's parser and
# `slipway validate` must accept and refuse the same files.
. "$(dirname "$0")/../lib.sh"

if ! oracle_ready; then
	skip "expression checks against the oracle" "Node.js >= 20.6 or the npm registry unavailable"
	done_testing
	exit
fi

# name <TAB> workflow, where @X@ stands for the probe (with ${{ }} where written).
LOCATIONS=$(cat <<'EOF'
run-name	run-name: ${{ @X@ }}|on: push|jobs:|  a: {runs-on: x, steps: [{run: x}]}
env	on: push|env: {A: '${{ @X@ }}'}|jobs:|  a: {runs-on: x, steps: [{run: x}]}
concurrency	on: push|concurrency: ${{ @X@ }}|jobs:|  a: {runs-on: x, steps: [{run: x}]}
call-input-default	on:|  workflow_call:|    inputs:|      i: {type: string, default: '${{ @X@ }}'}|jobs:|  a: {runs-on: x, steps: [{run: x}]}
call-output-value	on:|  workflow_call:|    outputs:|      o: {value: '${{ @X@ }}'}|jobs:|  a: {runs-on: x, steps: [{run: x}]}
job-name	on: push|jobs:|  a: {name: '${{ @X@ }}', runs-on: x, steps: [{run: x}]}
job-if	on: push|jobs:|  a: {if: "@X@", runs-on: x, steps: [{run: x}]}
job-if-expr	on: push|jobs:|  a: {if: '${{ @X@ }}', runs-on: x, steps: [{run: x}]}
runs-on	on: push|jobs:|  a: {runs-on: '${{ @X@ }}', steps: [{run: x}]}
environment	on: push|jobs:|  a: {runs-on: x, environment: '${{ @X@ }}', steps: [{run: x}]}
environment-url	on: push|jobs:|  a: {runs-on: x, environment: {name: p, url: '${{ @X@ }}'}, steps: [{run: x}]}
job-concurrency	on: push|jobs:|  a: {runs-on: x, concurrency: '${{ @X@ }}', steps: [{run: x}]}
job-outputs	on: push|jobs:|  a: {runs-on: x, outputs: {o: '${{ @X@ }}'}, steps: [{run: x}]}
job-env	on: push|jobs:|  a: {runs-on: x, env: {A: '${{ @X@ }}'}, steps: [{run: x}]}
timeout-minutes	on: push|jobs:|  a: {runs-on: x, timeout-minutes: '${{ @X@ }}', steps: [{run: x}]}
continue-on-error	on: push|jobs:|  a: {runs-on: x, continue-on-error: '${{ @X@ }}', steps: [{run: x}]}
strategy	on: push|jobs:|  a: {runs-on: x, strategy: {matrix: {v: ['${{ @X@ }}']}}, steps: [{run: x}]}
container	on: push|jobs:|  a: {runs-on: x, container: {image: '${{ @X@ }}'}, steps: [{run: x}]}
credentials	on: push|jobs:|  a: {runs-on: x, container: {image: i, credentials: {username: '${{ @X@ }}', password: p}}, steps: [{run: x}]}
container-env	on: push|jobs:|  a: {runs-on: x, container: {image: i, env: {A: '${{ @X@ }}'}}, steps: [{run: x}]}
services	on: push|jobs:|  a: {runs-on: x, services: {db: {image: '${{ @X@ }}'}}, steps: [{run: x}]}
service-env	on: push|jobs:|  a: {runs-on: x, services: {db: {image: i, env: {A: '${{ @X@ }}'}}}, steps: [{run: x}]}
defaults-run	on: push|jobs:|  a: {runs-on: x, defaults: {run: {shell: '${{ @X@ }}'}}, steps: [{run: x}]}
snapshot-if	on: push|jobs:|  a: {runs-on: x, snapshot: {image-name: i, if: '${{ @X@ }}'}, steps: [{run: x}]}
step-name	on: push|jobs:|  a: {runs-on: x, steps: [{name: '${{ @X@ }}', run: x}]}
step-if	on: push|jobs:|  a: {runs-on: x, steps: [{if: "@X@", run: x}]}
step-run	on: push|jobs:|  a: {runs-on: x, steps: [{run: 'echo ${{ @X@ }}'}]}
step-env	on: push|jobs:|  a: {runs-on: x, steps: [{run: x, env: {A: '${{ @X@ }}'}}]}
step-with	on: push|jobs:|  a: {runs-on: x, steps: [{uses: a/b@v1, with: {a: '${{ @X@ }}'}}]}
step-working-directory	on: push|jobs:|  a: {runs-on: x, steps: [{run: x, working-directory: '${{ @X@ }}'}]}
step-continue-on-error	on: push|jobs:|  a: {runs-on: x, steps: [{run: x, continue-on-error: '${{ @X@ }}'}]}
step-timeout-minutes	on: push|jobs:|  a: {runs-on: x, steps: [{run: x, timeout-minutes: '${{ @X@ }}'}]}
call-name	on: push|jobs:|  a: {name: '${{ @X@ }}', uses: o/r/.github/workflows/w.yml@v1}
call-with	on: push|jobs:|  a: {uses: o/r/.github/workflows/w.yml@v1, with: {a: '${{ @X@ }}'}}
call-secrets	on: push|jobs:|  a: {uses: o/r/.github/workflows/w.yml@v1, secrets: {a: '${{ @X@ }}'}}
EOF
)
PROBES="github.x inputs.x vars.x needs.x strategy.x matrix.x secrets.x steps.x job.x runner.x
env.x jobs.x nope.x success() always() failure() cancelled() hashFiles('a') success('a')
case(true,'a','b')"

mkdir -p "$SCRATCH/wf"
files=()
while IFS=$'\t' read -r where template; do
	i=0
	for probe in $PROBES; do
		f=$SCRATCH/wf/$where--$i.yml
		x=${probe//\'/\'\'}
		case "$template" in *'"@X@"'*) x=$probe ;; esac
		printf '%s\n' "${template//@X@/$x}" | tr '|' '\n' >"$f"
		files+=("$f")
		i=$((i + 1))
	done
done <<<"$LOCATIONS"

node "$SLIPWAY_TOP/tests/conformance/oracle-verdicts.mjs" "$ORACLE" "${files[@]}" >"$SCRATCH/oracle"
"$SLIPWAY" validate "${files[@]}" >"$SCRATCH/ours" 2>/dev/null
declare -A THEIRS OURS
while IFS=$'\t' read -r file verdict _; do
	THEIRS[$file]=$verdict
done <"$SCRATCH/oracle"
while IFS= read -r line; do
	OURS[${line%%:*}]=error
done < <(grep -E '^[^ ].*: error: ' "$SCRATCH/ours")

refused=$(grep -c $'\terror\t' "$SCRATCH/oracle")
[ "$refused" -gt 100 ] && [ "$refused" -lt $((${#files[@]} - 100)) ]
ok $? "GitHub's parser refuses some of the ${#files[@]} workflows and accepts others ($refused refused)"

agree=0
while IFS=$'\t' read -r where _; do
	i=0 diff=""
	for probe in $PROBES; do
		f=$SCRATCH/wf/$where--$i.yml
		if [ "${THEIRS[$f]:-missing}" != "${OURS[$f]:-ok}" ]; then
			diff+=" $probe (GitHub: ${THEIRS[$f]:-missing}, ours: ${OURS[$f]:-ok})"
		else
			agree=$((agree + 1))
		fi
		i=$((i + 1))
	done
	[ -z "$diff" ]
	ok $? "$where: GitHub's parser and ours accept the same names${diff:+:$diff}"
done <<<"$LOCATIONS"
diag "$agree of ${#files[@]} workflows get the same verdict from GitHub's parser and from validate"
done_testing
