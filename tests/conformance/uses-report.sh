#!/usr/bin/env bash
# uses-report: every `uses:` in ../shared/corpus (workflows, reusable
# workflows, composite actions), classified by how Slipway runs it
# (tests/tools/uses_report): natively as a built-in stage, as a local or
# remote action or workflow, a docker:// image, or not at all. The counts
# are checked against an independent count (PyYAML), then printed with the
# share handled and the most used actions that are not built in.
. "$(dirname "$0")/../lib.sh"

if ! shared_dir; then
	skip "uses report" "the shared corpus is not here"
	done_testing
	exit
fi
CORPUS=$SLIPWAY_SHARED/corpus/workflows
lines=$SCRATCH/uses.tsv
"$SLIPWAY_BUILD/tests/tools/uses_report" "$CORPUS"/* >"$lines"
ok $? "every corpus file was read"

total=$(wc -l <"$lines")
count() { awk -F'\t' -v c="$1" '$1 == c' "$lines" | wc -l; }
native=$(count native)
local_a=$(count local-action)
remote_a=$(count remote-action)
docker=$(count docker-image)
local_w=$(count local-workflow)
remote_w=$(count remote-workflow)
invalid=$(count invalid)
is "$((native + local_a + remote_a + docker + local_w + remote_w + invalid))" "$total" \
	"every uses: falls in one class"

if python3 -c 'import yaml' 2>/dev/null; then
	independent=$(python3 - "$CORPUS" <<'PY'
import os, sys, yaml
n = 0
def steps(seq):
    global n
    for s in seq or []:
        if isinstance(s, dict):
            if "uses" in s:
                n += 1
            steps(s.get("parallel"))
for f in sorted(os.listdir(sys.argv[1])):
    try:
        doc = yaml.load(open(os.path.join(sys.argv[1], f), encoding="utf-8"), Loader=yaml.BaseLoader)
    except Exception:
        continue
    if not isinstance(doc, dict):
        continue
    runs = doc.get("runs")
    if isinstance(runs, dict):
        steps(runs.get("steps"))
    for job in (doc.get("jobs") or {}).values() if isinstance(doc.get("jobs"), dict) else []:
        if isinstance(job, dict):
            n += "uses" in job
            steps(job.get("steps"))
print(n)
PY
)
	is "$total" "$independent" "the count agrees with PyYAML's ($independent uses:)"
else
	skip "independent count" "PyYAML is not installed"
fi
# the stages are chosen by name: the most used ones must be native
for name in actions/checkout actions/upload-artifact actions/download-artifact actions/cache \
	actions/setup-python actions/setup-node actions/setup-go actions/setup-java; do
	n=$(awk -F'\t' -v n="$name" '$2 == n && $1 != "native"' "$lines" | wc -l)
	is "$n" 0 "$name is always handled natively"
done

pct() { awk -v a="$1" -v b="$total" 'BEGIN { printf "%.1f%%", b ? 100 * a / b : 0 }'; }
diag "uses: occurrences in the corpus: $total"
diag "  built-in stages (native, offline):          $native ($(pct "$native"))"
diag "  local actions (./path):                     $local_a ($(pct "$local_a"))"
diag "  local reusable workflows:                   $local_w ($(pct "$local_w"))"
diag "  remote actions (fetched with libgit2):      $remote_a ($(pct "$remote_a"))"
diag "  remote reusable workflows (fetched):        $remote_w ($(pct "$remote_w"))"
diag "  docker:// images (docker backend only):     $docker ($(pct "$docker"))"
diag "  not handled (invalid references):           $invalid ($(pct "$invalid"))"
offline=$((native + local_a + local_w))
handled=$((offline + remote_a + remote_w))
diag "handled with nothing fetched: $(pct "$offline"); handled once remote actions are fetched" \
	"(node and composite ones run on the host, docker ones need --backend docker): $(pct "$handled")"
diag "most used actions that are not built in (each needs a fetch; some need GitHub's API, a" \
	"registry or a Docker engine):"
awk -F'\t' '$1 == "remote-action" || $1 == "docker-image" || $1 == "invalid" { print $2 }' "$lines" |
	sort | uniq -c | sort -k1,1nr -k2 | head -15 | while read -r n name; do
	diag "  $(printf '%4d' "$n")  $name"
done
done_testing
