#!/usr/bin/env bash
# Corpus conformance: every real workflow in ../shared/corpus/workflows goes
# through GitHub's official parser (the oracle) and `slipway validate`.
# Oracle-accepted => Slipway accepts; oracle-rejected => Slipway rejects,
# unless corpus-exceptions.tsv says otherwise and why. Composite actions are
# validated as actions and must all be accepted. The oracle's verdicts are
# cached in the build folder.
. "$(dirname "$0")/../lib.sh"

if ! shared_dir || ! oracle_ready; then
	skip "corpus conformance" "shared data, Node.js >= 20.6 or the npm registry unavailable"
	done_testing
	exit
fi
CORPUS=$SLIPWAY_SHARED/corpus
EXCEPT=$SLIPWAY_TOP/tests/conformance/corpus-exceptions.tsv
CACHE=$SLIPWAY_BUILD/oracle-verdicts.tsv
declare -A KIND EXCEPTION
while IFS=$'\t' read -r name _ _ _ _ kind _; do
	KIND[$name]=$kind
done < <(tail -n +2 "$CORPUS/INDEX.tsv")
while IFS=$'\t' read -r name verdict reason; do
	case "$name" in '#'* | '') continue ;; esac
	EXCEPTION[$name]="$verdict: $reason"
done <"$EXCEPT"

# The cache is valid while the corpus and the oracle are unchanged.
stamp=$(cd "$CORPUS/workflows" && cat ./* "$ORACLE/package-lock.json" | sha256sum | cut -c1-16)
if [ ! -s "$CACHE" ] || [ "$(head -1 "$CACHE")" != "# $stamp" ]; then
	files=()
	for f in "$CORPUS"/workflows/*; do
		[ "${KIND[$(basename "$f")]:-}" = composite-action ] || files+=("$f")
	done
	{
		echo "# $stamp"
		node "$SLIPWAY_TOP/tests/conformance/oracle-verdicts.mjs" "$ORACLE" "${files[@]}"
	} >"$CACHE.tmp" && mv "$CACHE.tmp" "$CACHE"
fi
declare -A ORACLE_SAYS ORACLE_WHY
while IFS=$'\t' read -r file verdict why; do
	case "$file" in '#'*) continue ;; esac
	ORACLE_SAYS[$(basename "$file")]=$verdict
	ORACLE_WHY[$(basename "$file")]=$why
done <"$CACHE"

agree=0 excepted=0 actions=0
for f in "$CORPUS"/workflows/*; do
	name=$(basename "$f")
	if [ "${KIND[$name]:-}" = composite-action ]; then
		"$SLIPWAY" validate --action "$f" >"$SCRATCH/out" 2>&1
		rc=$?
		is "$rc" 0 "$name (composite action) is accepted"
		[ "$rc" -ne 0 ] && sed 's/^/#   /' "$SCRATCH/out" | head -5
		actions=$((actions + 1))
		continue
	fi
	"$SLIPWAY" validate "$f" >"$SCRATCH/out" 2>&1
	rc=$?
	oracle=${ORACLE_SAYS[$name]:-missing}
	if [ -n "${EXCEPTION[$name]:-}" ]; then
		is "$rc" 0 "$name: oracle says $oracle; ${EXCEPTION[$name]}"
		excepted=$((excepted + 1))
	elif [ "$oracle" = ok ]; then
		is "$rc" 0 "$name is accepted, as by the oracle"
		[ "$rc" -ne 0 ] && sed 's/^/#   /' "$SCRATCH/out" | head -5
		agree=$((agree + ($rc == 0)))
	elif [ "$oracle" = error ]; then
		is "$rc" 1 "$name is rejected, as by the oracle (${ORACLE_WHY[$name]})"
		agree=$((agree + ($rc == 1)))
	else
		ok 1 "$name has an oracle verdict"
	fi
done
diag "workflows: $agree agree with the oracle, $excepted listed exceptions; composite actions: $actions"
done_testing
