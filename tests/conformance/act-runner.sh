#!/usr/bin/env bash
# act-runner: nektos/act's runner fixtures (../shared/conformance/act-runner)
# through slipway, row by row of expected.tsv (see act-runner.py): same
# ok/error outcome for the load, plan, dryrun and host rows we can run; the
# others are skipped with their reason.
. "$(dirname "$0")/../lib.sh"

if ! shared_dir || ! command -v python3 >/dev/null; then
	skip "act runner fixtures" "needs ../shared and python3"
	done_testing
	exit
fi
while IFS=$'\t' read -r status desc detail; do
	case $status in
	skip) skip "$desc" "$detail" ;;
	*) ok "$status" "$desc"; [ "$status" = 0 ] || diag "$detail" ;;
	esac
done < <(python3 "$SLIPWAY_TOP/tests/conformance/act-runner.py" "$SLIPWAY" "$SLIPWAY_SHARED" "$SCRATCH")
done_testing
