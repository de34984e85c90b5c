#!/usr/bin/env bash
# actionlint conformance: every ok/ workflow is accepted (exceptions listed in
# actionlint-scope.tsv), every err/ and examples/ workflow and every project
# (a small repository calling its own reusable workflows) is checked the way
# actionlint-scope.tsv says (rejected, and where the expected errors are).
# Cases whose faults only actionlint reports SKIP with the reason.
. "$(dirname "$0")/../lib.sh"

if ! shared_dir; then
	skip "actionlint conformance" "shared test data not found"
	done_testing
	exit
fi
AL=$SLIPWAY_SHARED/conformance/actionlint
SCOPE=$SLIPWAY_TOP/tests/conformance/actionlint-scope.tsv
declare -A MODE REASON EXCEPT
while IFS=$'\t' read -r path mode reason except; do
	case "$path" in '#'* | '') continue ;; esac
	MODE[$path]=$mode
	REASON[$path]=$reason
	EXCEPT[$path]=$except
done <"$SCOPE"

# "L:C" of the first line of an actionlint .out file (plain or /regex/ form).
expected_pos() {
	head -1 "$1" | sed -nE 's#^/?test\\?\.yaml:([0-9]+):([0-9]+):.*#\1:\2#p'
}

# "L:C" of every line of an actionlint .out file.
expected_all() {
	sed -nE 's#^/?test\\?\.yaml:([0-9]+):([0-9]+):.*#\1:\2#p' "$1"
}

# "L:C" of each of our diagnostics, in order.
our_positions() {
	sed -nE 's#^[^:]+:([0-9]+):([0-9]+): error: .*#\1:\2#p' "$1"
}

cd "$AL" || exit 1
accepted=0
for f in ok/*.yaml; do
	"$SLIPWAY" validate --root "$(dirname "$f")" "$f" >"$SCRATCH/out" 2>&1
	rc=$?
	if [ "${MODE[$f]:-}" = reject ]; then
		is "$rc" 1 "$f is rejected (${REASON[$f]})"
	else
		is "$rc" 0 "$f is accepted"
		[ "$rc" -ne 0 ] && sed 's/^/#   /' "$SCRATCH/out" | head -5
		[ "$rc" -eq 0 ] && accepted=$((accepted + 1))
	fi
done

declare -A COUNT
for f in err/*.yaml examples/*.yaml; do
	mode=${MODE[$f]:-}
	if [ -z "$mode" ]; then
		ok 1 "$f is listed in actionlint-scope.tsv"
		continue
	fi
	COUNT[$mode]=$((${COUNT[$mode]:-0} + 1))
	if [ "$mode" = out ]; then
		skip "$f" "${REASON[$f]}"
		continue
	fi
	"$SLIPWAY" validate --root "$(dirname "$f")" "$f" >"$SCRATCH/out" 2>/dev/null
	rc=$?
	want=$(expected_pos "${f%.yaml}.out")
	first=$(our_positions "$SCRATCH/out" | head -1)
	case "$mode" in
	exact)
		[ "$rc" -eq 1 ] && [ "$first" = "$want" ]
		ok $? "$f: first error at $want (got ${first:-none})" ;;
	line)
		[ "$rc" -eq 1 ] && [ "${first%%:*}" = "${want%%:*}" ]
		ok $? "$f: first error on line ${want%%:*} (got ${first:-none}; ${REASON[$f]})" ;;
	any)
		[ "$rc" -eq 1 ] && our_positions "$SCRATCH/out" | cut -d: -f1 | grep -qx "${want%%:*}"
		ok $? "$f: an error on line ${want%%:*} (${REASON[$f]})" ;;
	all)
		missing=$(comm -23 <(expected_all "${f%.yaml}.out" | sort -u) \
			<(our_positions "$SCRATCH/out" | sort -u) | tr '\n' ' ')
		[ "$rc" -eq 1 ] && [ -z "$missing" ]
		ok $? "$f: every expected error position is reported${missing:+ (missing $missing)}" ;;
	reject)
		is "$rc" 1 "$f is rejected (${REASON[$f]})" ;;
	*)
		ok 1 "$f: unknown mode '$mode' in actionlint-scope.tsv" ;;
	esac
done
# projects/: small repositories; `./` references are read under the project.
# "file:line:col" of each line of a project's .out (plain or /regex/ form).
project_expected() {
	sed -nE 's#^/?([^: ]+):([0-9]+):([0-9]+):.*#\1:\2:\3#p' "$1" | sed 's#\\##g'
}

for dir in projects/*/; do
	p=${dir%/}
	mode=${MODE[$p]:-}
	if [ -z "$mode" ]; then
		ok 1 "$p is listed in actionlint-scope.tsv"
		continue
	fi
	COUNT[project-$mode]=$((${COUNT[project-$mode]:-0} + 1))
	if [ "$mode" = out ]; then
		skip "$p" "${REASON[$p]}"
		continue
	fi
	(cd "$p" && "$SLIPWAY" validate --root . workflows) >"$SCRATCH/out" 2>/dev/null
	rc=$?
	case "$mode" in
	clean)
		is "$rc" 0 "$p: every workflow is accepted"
		[ "$rc" -ne 0 ] && sed 's/^/#   /' "$SCRATCH/out" | head -5 ;;
	all)
		missing=$(comm -23 <(project_expected "$p.out" | sort -u) \
			<(sed -nE 's#^([^:]+):([0-9]+):([0-9]+): error: .*#\1:\2:\3#p' "$SCRATCH/out" |
				sort -u) | grep -vxF -f <(tr ' ' '\n' <<<"${EXCEPT[$p]:-}" | grep .) |
			tr '\n' ' ')
		[ "$rc" -eq 1 ] && [ -z "$missing" ]
		ok $? "$p: every expected error position is reported${missing:+ (missing $missing)}${REASON[$p]:+ (${REASON[$p]})}" ;;
	reject)
		is "$rc" 1 "$p is rejected (${REASON[$p]})" ;;
	*)
		ok 1 "$p: unknown mode '$mode' in actionlint-scope.tsv" ;;
	esac
done

diag "ok/: $accepted accepted of $(ls ok/*.yaml | wc -l)"
diag "err/+examples/: ${COUNT[all]:-0} all positions, ${COUNT[exact]:-0} exact, ${COUNT[line]:-0} same line," \
	"${COUNT[any]:-0} line found, ${COUNT[reject]:-0} rejected elsewhere," \
	"${COUNT[out]:-0} out of scope"
diag "projects/: ${COUNT[project-all]:-0} all positions, ${COUNT[project-clean]:-0} clean," \
	"${COUNT[project-reject]:-0} rejected, ${COUNT[project-out]:-0} out of scope"
done_testing
