#!/usr/bin/env bash
# podman: the docker backend on Podman's Docker-compatible service. A
# `podman system service` is started here on its own socket and storage,
# and two suites run against it as they run against Docker: the workflow
# fixtures (the same expectations as on the host) and e2e/docker-run.sh
# (services and their health checks, container jobs, volumes, --pull from
# a registry, cancellation, nothing left behind). e2e/docker-action.sh is
# not run here: on Podman it failed once in five runs (two jobs building
# action images at once, under ASan), a cause not found yet.
# Each counts as one assertion here; their failures are shown.
# Podman here has no systemd: its health checks run only when asked
# (Slipway asks, at the check's interval), the file limit it would set is
# over this machine's (so no default ulimits), and a registry on loopback
# is plain HTTP (insecure in registries.conf, as Docker has 127.0.0.0/8).
. "$(dirname "$0")/../lib.sh"
. "$SLIPWAY_TOP/tests/images.sh"

if ! command -v podman >/dev/null; then
	skip "Slipway on Podman" "podman is not installed (apt-get install podman)"
	done_testing
	exit
fi

base=${TMPDIR:-/tmp}/slipway-podman.$$
sock=$base/podman.sock
mkdir -p "$base"
cat >"$base/containers.conf" <<'EOF'
[containers]
default_ulimits = []
EOF
printf '[[registry]]\nlocation = "127.0.0.1"\ninsecure = true\n' >"$base/registries.conf"
export CONTAINERS_CONF=$base/containers.conf CONTAINERS_REGISTRIES_CONF=$base/registries.conf
pod() { podman --root "$base/root" --runroot "$base/run" "$@"; }
pod system service --time=0 "unix://$sock" >"$base/service.log" 2>&1 &
pod_pid=$!
at_exit "kill $pod_pid; wait $pod_pid; pod rm -af -t 0; pod system reset -f; rm -rf $base"
for _ in $(seq 1 100); do
	curl -sf --unix-socket "$sock" http://d/_ping >/dev/null 2>&1 && break
	sleep 0.1
done
# A service that cannot start here is this machine's limit, said as a skip.
version=$(curl -s --unix-socket "$sock" http://d/version)
case $version in
*'"Name":"Podman Engine"'*) ok 0 "podman's service answers on its socket" ;;
*)
	skip "Slipway on Podman" "podman's service did not start here: $(tail -1 "$base/service.log")"
	done_testing
	exit
	;;
esac

# Whether Podman can run a container on this machine at all (not Slipway's
# concern when it cannot: said as a skip, with Podman's words).
if ! out=$(DOCKER_HOST=unix://$sock bash -c ". '$SLIPWAY_TOP/tests/images.sh' && images_busybox" 2>&1 &&
	pod run --rm "$IMAGE_BUSYBOX" true 2>&1); then
	skip "Slipway on Podman" "podman cannot run a container here: $(printf '%s' "$out" | tail -1)"
	done_testing
	exit
fi

# suite NAME: tests/e2e/NAME.sh against Podman, one assertion.
suite() {
	local log=$SCRATCH/$1.log counts
	DOCKER_HOST=unix://$sock SLIPWAY_TEST_REQUIRE_DOCKER=1 "$SLIPWAY_TOP/tests/e2e/$1.sh" \
		>"$log" 2>&1
	local rc=$?
	counts="$(grep -c '^ok' "$log") passed, $(grep -c '^not ok' "$log") failed"
	ok "$rc" "$1.sh on Podman ($counts)" || grep -A8 '^not ok' "$log" | head -60 | sed 's/^/# /'
}
suite fixtures
suite docker-run

# what the runs created is gone from Podman too
left=$(curl -s --unix-socket "$sock" \
	'http://d/v1.41/containers/json?all=1&filters=%7B%22label%22%3A%5B%22slipway.run%22%5D%7D')
is "$left" "[]" "no labelled container is left in Podman"
done_testing
