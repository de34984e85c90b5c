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

# ok STATUS DESCRIPTION: pass when STATUS is 0.
ok() {
	TAP_N=$((TAP_N + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $TAP_N - $2"
	else
		echo "not ok $TAP_N - $2"
		TAP_FAILED=$((TAP_FAILED + 1))
	fi
}

# is GOT EXPECTED DESCRIPTION
is() {
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		printf '#   got:      %s\n#   expected: %s\n' "$1" "$2"
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
	fi
}

# unlike TEXT REGEX DESCRIPTION
unlike() {
	if printf '%s' "$1" | grep -qE -- "$2"; then
		ok 1 "$3"
		printf '#   text matched /%s/:\n' "$2"
		printf '%s\n' "$1" | grep -E -- "$2" | head -5 | sed 's/^/#     /'
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

done_testing() {
	echo "1..$TAP_N"
	[ "$TAP_FAILED" -eq 0 ]
}

# docker_available: 0 when a Docker engine answers. With
# SLIPWAY_TEST_REQUIRE_DOCKER=1 (CI), a missing engine is a failure, not a skip.
docker_available() {
	if curl -sf --unix-socket "${DOCKER_HOST_SOCKET:-/var/run/docker.sock}" \
		http://localhost/_ping >/dev/null 2>&1; then
		return 0
	fi
	if [ "${SLIPWAY_TEST_REQUIRE_DOCKER:-0}" = 1 ]; then
		ok 1 "a Docker engine answers (SLIPWAY_TEST_REQUIRE_DOCKER=1)"
	fi
	return 1
}
