#!/usr/bin/env bash
# scan-corpus: `slipway scan` over the third-party workflow corpus, against
# the hand-reviewed findings in scan-corpus.expect — each expected finding
# must still be reported (no lost true positives) and nothing else may be
# (no new false positives), and the run stays well under a second.
. "$(dirname "$0")/../lib.sh"

if ! shared_dir || [ ! -d "$SLIPWAY_SHARED/corpus/workflows" ]; then
	skip "scan of the workflow corpus" "the third-party test data is not here"
	done_testing
	exit
fi
expect=$SLIPWAY_TOP/tests/conformance/scan-corpus.expect
cd "$SLIPWAY_SHARED/corpus" || exit 1
start=$(date +%s%N)
"$SLIPWAY" scan workflows >"$SCRATCH/out" 2>"$SCRATCH/err"
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
is "$rc" 1 "the corpus has findings (exit 1)"
like "$(cat "$SCRATCH/err")" "^slipway scan: [1-9][0-9]* files scanned" "the whole corpus is read"
ok $((ms < 1000 ? 0 : 1)) "the corpus scans in ${ms}ms (under a second)"
sed -E 's/^([^:]+:[0-9]+:[0-9]+): error: .* \[([^]]+)\]$/\1 \2/' "$SCRATCH/out" >"$SCRATCH/got"
while read -r finding; do
	grep -qxF -- "$finding" "$SCRATCH/got"
	ok $? "found: $finding"
done < <(grep -v '^#' "$expect")
extra=$(grep -vxF -f <(grep -v '^#' "$expect") "$SCRATCH/got")
is "$extra" "" "no finding beyond the reviewed ones"
done_testing
