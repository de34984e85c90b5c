# lib.sh: TAP helpers for the shell suites (sourced, not run).
# A suite calls ok/is/like/skip for each assertion and done_testing at the end.
# Each suite gets a scratch directory ($SCRATCH) removed when it exits.

: "${SLIPWAY:?run suites through tests/run-tests or make test}"
: "${SLIPWAY_TOP:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
TAP_N=0
TAP_FAILED=0
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/slipway-test.XXXXXX")
TAP_CLEANUPS=()

tap_cleanup() {
	local i
	for ((i = ${#TAP_CLEANUPS[@]} - 1; i >= 0; i--)); do
		eval "${TAP_CLEANUPS[$i]}" >/dev/null 2>&1 || true
	done
	rm -rf "$SCRATCH"
}
trap tap_cleanup EXIT

# at_exit CMD: run CMD (a string) when the suite ends, newest first.
at_exit() { TAP_CLEANUPS+=("$1"); }

# ok STATUS DESCRIPTION: pass when STATUS is 0. It, is, like and unlike
# return non-zero on failure, so `is ... || diag_file LOG` shows why.
ok() {
	TAP_N=$((TAP_N + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $TAP_N - $2"
	else
		echo "not ok $TAP_N - $2"
		TAP_FAILED=$((TAP_FAILED + 1))
		return 1
	fi
}

# is GOT EXPECTED DESCRIPTION
is() {
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		printf '#   got:      %s\n#   expected: %s\n' "$1" "$2"
		return 1
	fi
}

# like TEXT REGEX DESCRIPTION (grep -E)
like() {
	if printf '%s' "$1" | grep -qE -- "$2"; then
		ok 0 "$3"
	else
		ok 1 "$3"
		printf '#   text did not match /%s/:\n' "$2"
		printf '%s\n' "$1" | head -20 | sed 's/^/#     /'
		return 1
	fi
}

# unlike TEXT REGEX DESCRIPTION
unlike() {
	if printf '%s' "$1" | grep -qE -- "$2"; then
		ok 1 "$3"
		printf '#   text matched /%s/:\n' "$2"
		printf '%s\n' "$1" | grep -E -- "$2" | head -5 | sed 's/^/#     /'
		return 1
	else
		ok 0 "$3"
	fi
}

# skip DESCRIPTION REASON: an assertion that could not be checked here.
skip() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $1 # SKIP $2"
}

# diag TEXT...: a comment line in the TAP stream.
diag() { printf '# %s\n' "$*"; }

# diag_file FILE: FILE's last 60 lines as TAP comments.
diag_file() { tail -n 60 "$1" | sed 's/^/#     /'; }

done_testing() {
	echo "1..$TAP_N"
	[ "$TAP_FAILED" -eq 0 ]
}

# docker_available: 0 when a Docker engine answers. With
# SLIPWAY_TEST_REQUIRE_DOCKER=1 (CI), a missing engine is a failure, not a skip.
# The engine asked is the one slipway talks to: DOCKER_HOST (unix:// or
# tcp://) when set, else /var/run/docker.sock.
docker_available() {
	local host=${DOCKER_HOST:-unix://${DOCKER_HOST_SOCKET:-/var/run/docker.sock}}
	local answered=1
	case $host in
	unix://*) curl -sf --unix-socket "${host#unix://}" http://localhost/_ping;;
	/*) curl -sf --unix-socket "$host" http://localhost/_ping;;
	tcp://*) curl -sf "http://${host#tcp://}/_ping";;
	*) false;;
	esac >/dev/null 2>&1 && answered=0
	if [ $answered -eq 0 ]; then
		return 0
	fi
	if [ "${SLIPWAY_TEST_REQUIRE_DOCKER:-0}" = 1 ]; then
		ok 1 "a Docker engine answers (SLIPWAY_TEST_REQUIRE_DOCKER=1)"
	fi
	return 1
}

# shared_dir: 0 when the third-party test data ($SLIPWAY_SHARED) is present.
shared_dir() {
	[ -n "${SLIPWAY_SHARED:-}" ] && [ -d "$SLIPWAY_SHARED/conformance" ]
}

# oracle_ready: installs GitHub's official parser/evaluator (../shared/oracle)
# into $SLIPWAY_BUILD/oracle once and sets ORACLE to that folder. Returns 1
# (the caller skips) when the data, Node.js >= 20.6 or the npm registry is absent.
oracle_ready() {
	shared_dir || return 1
	command -v node >/dev/null || return 1
	node -e 'const [a,b]=process.versions.node.split(".").map(Number);
		process.exit(a>20||(a==20&&b>=6)?0:1)' || return 1
	ORACLE=$SLIPWAY_BUILD/oracle
	if [ ! -d "$ORACLE/node_modules/@actions/expressions" ]; then
		mkdir -p "$ORACLE"
		cp "$SLIPWAY_SHARED"/oracle/package*.json "$SLIPWAY_SHARED"/oracle/*.mjs "$ORACLE"/
		(cd "$ORACLE" && npm ci --silent --no-audit --no-fund) >/dev/null 2>&1 || return 1
	fi
	return 0
}
