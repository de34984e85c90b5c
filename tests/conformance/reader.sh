#!/usr/bin/env bash
# GitHub's workflow-parser reader vectors through wf_load_opts (tests/tools/reader_check),
# with the vectors' reusable workflows supplied by a resolver: errors must come at the
# same positions (or at least the same lines), successes must give the same job ids,
# needs, normalised if:, runs-on and steps, those of called workflows too. Vectors
# with options we do not model SKIP with the reason; deliberate differences are
# listed in reader-known.tsv. Counts are reported separately for
# the files upstream's skipped-tests.txt lists and for the rest.
. "$(dirname "$0")/../lib.sh"

if ! shared_dir; then
	skip "reader vectors" "shared test data not found"
	done_testing
	exit
fi
WP=$SLIPWAY_SHARED/conformance/languageservices/workflow-parser
KNOWN=$SLIPWAY_TOP/tests/conformance/reader-known.tsv
declare -A KNOWN_WHY TS_SKIPPED
while IFS=$'\t' read -r name why; do
	case "$name" in '#'* | '') continue ;; esac
	KNOWN_WHY[$name]=$why
done <"$KNOWN"
while read -r name; do
	[ -n "$name" ] && TS_SKIPPED[$name]=1
done <"$WP/skipped-tests.txt"

declare -A N
"$SLIPWAY_BUILD/tests/tools/reader_check" "$WP"/reader/*.yml >"$SCRATCH/verdicts"
while IFS=$'\t' read -r verdict name detail; do
	group=rest
	[ -n "${TS_SKIPPED[$name]:-}" ] && group=listed
	if [ -n "${KNOWN_WHY[$name]:-}" ]; then
		if [ "$verdict" = FAIL ]; then
			skip "$name" "known difference: ${KNOWN_WHY[$name]}"
			verdict=KNOWN
		else
			ok 1 "$name is listed in reader-known.tsv but now gives $verdict"
		fi
	else
		case "$verdict" in
		PASS-EXACT | PASS-LINES) ok 0 "$name ($verdict: $detail)" ;;
		SKIP) skip "$name" "$detail" ;;
		*) ok 1 "$name: $detail" ;;
		esac
	fi
	N[$group.$verdict]=$((${N[$group.$verdict]:-0} + 1))
done <"$SCRATCH/verdicts"
for group in rest listed; do
	label="not in skipped-tests.txt"
	[ $group = listed ] && label="in skipped-tests.txt"
	diag "$label: ${N[$group.PASS-EXACT]:-0} exact, ${N[$group.PASS-LINES]:-0} same lines," \
		"${N[$group.FAIL]:-0} failed, ${N[$group.KNOWN]:-0} known differences," \
		"${N[$group.SKIP]:-0} skipped"
done
done_testing
