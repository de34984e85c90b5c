#!/usr/bin/env bash
# serve.sh: `slipway serve` under a burst of 200 queued runs of a one-job
# workflow (tests/serve/fake-runner stands in for `slipway run`): the
# queue-to-start latency (queued_at -> the run's process spawned) at
# p50/p95, the throughput, and the response times of GET /api/runs and of
# the runs page with that history, next to the same requests on an empty
# history (ratios from this one run). SERVE_N runs (default 200),
# SERVE_CONCURRENCY (default 4), SERVE_REQUESTS per endpoint (default 100).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
slipway=$top/slipway
[ -x "$slipway" ] || slipway=${SLIPWAY_BUILD:-$top/build}/slipway
n=${SERVE_N:-200}
conc=${SERVE_CONCURRENCY:-4}
reqs=${SERVE_REQUESTS:-100}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/slipway-bench-serve.XXXXXX")
pid=
cleanup() { [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
export GIT_AUTHOR_NAME=b GIT_AUTHOR_EMAIL=b@x GIT_COMMITTER_NAME=b GIT_COMMITTER_EMAIL=b@x
git init -q --bare -b main "$tmp/app.git"
# one commit on main first, so the daemon's first look has something to record
git -C "$tmp/app.git" fast-import --quiet <<EOF
commit refs/heads/main
committer b <b@x> 0 +0000
data 5
main
M 644 inline VERSION
data 2
0

EOF

export FAKE_JOBS=1 FAKE_SLEEP=0
"$slipway" serve --repo "$tmp/app.git=app" --state "$tmp/state" --listen 127.0.0.1:0 --poll 0 \
	--concurrency "$conc" --runner "$top/tests/serve/fake-runner" >"$tmp/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do [ -s "$tmp/state/serve.json" ] && break; sleep 0.1; done
url=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["url"])' "$tmp/state/serve.json")
for _ in $(seq 1 50); do grep -q "recorded its branch heads" "$tmp/serve.log" && break; sleep 0.1; done

# times PATH: curl's total time for each of $reqs requests, in ms, one a line
times() {
	for _ in $(seq 1 "$reqs"); do
		curl -s -o /dev/null -w '%{time_total}\n' "$url$1"
	done | awk '{ printf "%.3f\n", $1 * 1000 }'
}
times api/runs >/dev/null     # warm-up
times api/runs >"$tmp/empty-api"
times "" >"$tmp/empty-page"

# n branches with a commit each, in one fast-import, then one trigger queues them all
{
	for i in $(seq 1 "$n"); do
		printf 'commit refs/heads/b%d\ncommitter b <b@x> %d +0000\ndata 2\nb\nM 644 inline VERSION\ndata %d\n%d\n\n' \
			"$i" "$i" $((${#i} + 1)) "$i"
	done
} | git -C "$tmp/app.git" fast-import --quiet
start=$(date +%s%N)
"$slipway" trigger --state "$tmp/state" app
for _ in $(seq 1 1200); do
	done_n=$(curl -s "${url}api/runs?state=success&limit=1" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')
	[ "$done_n" -ge "$n" ] && break
	sleep 0.25
done
wall_ms=$((($(date +%s%N) - start) / 1000000))
times api/runs >"$tmp/full-api"
times "api/runs?limit=200" >"$tmp/full-api200"
times "" >"$tmp/full-page"
kill -TERM "$pid"
wait "$pid" || true
pid=

python3 - "$tmp" "$n" "$conc" "$wall_ms" "$done_n" <<'PY'
import json, sqlite3, statistics, sys
from datetime import datetime
tmp, n, conc, wall_ms, done = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
db = sqlite3.connect(f"file:{tmp}/state/history.db?mode=ro", uri=True)
rows = db.execute("SELECT queued_at, spawned_at FROM runs WHERE spawned_at IS NOT NULL ORDER BY seq").fetchall()
ts = lambda s: datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").timestamp() * 1000
lat = sorted(ts(s) - ts(q) for q, s in rows)
def pct(v, p):
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]
def load(name):
    return sorted(float(x) for x in open(f"{tmp}/{name}"))
print(f"runs: {done}/{n} succeeded, concurrency {conc}, {wall_ms} ms from trigger to the last one "
      f"({done / (wall_ms / 1000):.1f} runs/s)")
print(f"queue-to-start latency: first {lat[0]:.0f} ms, p50 {pct(lat, 50):.0f} ms, "
      f"p95 {pct(lat, 95):.0f} ms, max {lat[-1]:.0f} ms")
first = sorted(ts(s) for q, s in rows)
gaps = [b - a for a, b in zip(first, first[1:])]
# the daemon's own share: from a run's exit being handled to the next run's start
log = [l.split(" ", 1) for l in open(f"{tmp}/serve.log")]
hand, last_exit = [], None
for t, msg in log:
    if "(exit status" in msg:
        last_exit = ts(t)
    elif msg.rstrip().endswith(")") and ": started (pid" in msg and last_exit is not None:
        hand.append(ts(t) - last_exit)
        last_exit = None
hand.sort()
if hand:
    print(f"slot hand-off (a run's exit handled -> the next one's process started, incl. its "
          f"libgit2 checkout): p50 {pct(hand, 50):.1f} ms, p95 {pct(hand, 95):.1f} ms")
print(f"start-to-start spacing under the burst: median {statistics.median(gaps):.1f} ms "
      f"(with {conc} slots: ~{statistics.median(gaps) * conc:.0f} ms per run through a slot)")
for label, empty, full in (("GET /api/runs (50 newest)", "empty-api", "full-api"),
                           ("runs page GET /", "empty-page", "full-page")):
    e, f = load(empty), load(full)
    print(f"{label}: empty history p50 {pct(e, 50):.2f} ms p95 {pct(e, 95):.2f} ms; "
          f"{n} runs p50 {pct(f, 50):.2f} ms p95 {pct(f, 95):.2f} ms "
          f"(ratio p50 {pct(f, 50) / pct(e, 50):.2f}x)")
f = load("full-api200")
print(f"GET /api/runs?limit=200 with {n} runs: p50 {pct(f, 50):.2f} ms p95 {pct(f, 95):.2f} ms")
PY
