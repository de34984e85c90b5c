#!/usr/bin/env bash
# images.sh (suite): the locally built test images are there after
# tests/images.sh, do what the tests and the CD demo need, and are not
# rebuilt when present.
. "$(dirname "$0")/../lib.sh"
. "$SLIPWAY_TOP/tests/images.sh"

if ! docker_available; then
	skip "test images" "no engine answers"
	done_testing
	exit
fi

"$SLIPWAY_TOP/tests/images.sh" all
ok $? "tests/images.sh all builds (or finds) the three images"
bb_id=$(docker image inspect -f '{{.Id}}' "$IMAGE_BUSYBOX")
py_id=$(docker image inspect -f '{{.Id}}' "$IMAGE_PYTHON")
httpd_id=$(docker image inspect -f '{{.Id}}' "$IMAGE_HTTPD")

run() { docker run --rm --label "slipway.run=images-$$" "$@" 2>&1; }

out=$(run "$IMAGE_BUSYBOX" sh -c 'for a in sh echo cat sleep wget nc httpd seq id stat; do
	command -v $a >/dev/null || echo "missing $a"; done; stat -c %a /tmp; grep ^nobody: /etc/passwd | cut -d: -f3')
is "$out" "$(printf '1777\n65534')" "busybox: the applets the tests use, a sticky /tmp, user nobody"

out=$(run "$IMAGE_PYTHON" python3 -c 'import http.server, json; print("imports")')
is "$out" "imports" "python: python3 -c 'import http.server, json'"

out=$(run "$IMAGE_PYTHON" sh -c 'python3 -m http.server 8000 --bind 127.0.0.1 >/dev/null 2>&1 &
	for i in $(seq 50); do wget -qO- http://127.0.0.1:8000/ 2>/dev/null && exit 0; sleep 0.1; done')
like "$out" "Directory listing for /" "python: the stdlib HTTP server serves a request"

out=$(run "$IMAGE_PYTHON" python3 -c 'import sys, ssl, sqlite3, zlib, hashlib; print(sys.version_info[:2])')
is "$out" "(3, 11)" "python: 3.11 with its extension modules' libraries"

out=$(run "$IMAGE_HTTPD" sh -c 'httpd -p 127.0.0.1:8080 -h /www &&
	for i in $(seq 50); do wget -qO- http://127.0.0.1:8080/ 2>/dev/null && exit 0; sleep 0.1; done')
is "$out" "hello from the service" "httpd: serves its page (the service of the docker tests)"
is "$(docker image inspect -f '{{json .Config.Cmd}}' "$IMAGE_HTTPD")" \
	'["httpd","-f","-p","80","-h","/www"]' "httpd: serves on port 80 in the foreground by default"

"$SLIPWAY_TOP/tests/images.sh" all
is "$(docker image inspect -f '{{.Id}}' "$IMAGE_BUSYBOX") $(docker image inspect -f '{{.Id}}' "$IMAGE_PYTHON") $(docker image inspect -f '{{.Id}}' "$IMAGE_HTTPD")" \
	"$bb_id $py_id $httpd_id" "a second call keeps the images it finds"

out=$("$SLIPWAY_TOP/tests/images.sh" nonsense 2>&1)
is $? 2 "an unknown image name is a usage error"

done_testing
