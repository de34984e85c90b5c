#!/usr/bin/env bash
# images.sh: the images the Docker tests and demos run, built here from
# files on this machine (nothing is ever pulled), each only when missing.
#   sourced:   images_busybox / images_python build when missing and return
#              non-zero (with a message on stderr) when they cannot
#   run:       tests/images.sh busybox|python|all [--rebuild]
# slipway-test/busybox:latest   /bin/busybox (package busybox-static), its
#                               applet links, /tmp, /etc/passwd with nobody
# slipway/python:3              that rootfs plus Debian's python3.11 (see
#                               images_python for the two ways to get it)
# slipway-test/httpd:latest     the busybox image serving /www/index.html
#                               ("hello from the service") on port 80
# slipway-test/runner:latest    slipway/python:3 plus this machine's bash: the
#                               shells the workflow fixtures use, for the
#                               docker backend's run of them

IMAGE_BUSYBOX=slipway-test/busybox:latest
IMAGE_PYTHON=slipway/python:3
IMAGE_HTTPD=slipway-test/httpd:latest
IMAGE_RUNNER=slipway-test/runner:latest
IMAGES_LOCK=${TMPDIR:-/tmp}/slipway-images.lock

images_log() { printf 'images.sh: %s\n' "$*" >&2; }

images_present() { docker image inspect "$1" >/dev/null 2>&1; }

# images_rootfs_busybox DIR: a minimal root file system with busybox's applets.
images_rootfs_busybox() {
	local root=$1 bb applet
	bb=$(command -v busybox) || { images_log "busybox is missing (apt-get install busybox-static)"; return 1; }
	if ldd "$bb" >/dev/null 2>&1; then
		images_log "$bb is dynamically linked; install busybox-static"
		return 1
	fi
	mkdir -p "$root"/{bin,etc,root,tmp,var/tmp,www} || return 1
	chmod 1777 "$root/tmp" "$root/var/tmp"
	cp "$bb" "$root/bin/busybox" || return 1
	for applet in $("$bb" --list); do
		[ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' \
		>"$root/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
}

# images_import DIR IMAGE CHANGE...: the tree as one layer (reproducible order,
# times and owners), with Dockerfile-style changes (ENV, CMD, LABEL).
images_import() {
	local root=$1 image=$2 c
	shift 2
	local changes=()
	for c in "$@"; do changes+=(-c "$c"); done
	tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$root" -c . |
		docker import "${changes[@]}" - "$image" >/dev/null
}

# images_locked FUNCTION: run it under a lock, so concurrent suites build once.
images_locked() {
	(
		flock 9 || exit 1
		"$@"
	) 9>"$IMAGES_LOCK"
}

images_build_busybox() {
	local root
	images_present "$IMAGE_BUSYBOX" && return 0
	root=$(mktemp -d "${TMPDIR:-/tmp}/slipway-rootfs.XXXXXX") || return 1
	images_rootfs_busybox "$root/fs" &&
		images_import "$root/fs" "$IMAGE_BUSYBOX" 'ENV PATH=/bin' 'CMD ["sh"]' \
			'LABEL slipway.test-image=busybox'
	local rc=$?
	rm -rf "$root"
	[ $rc -eq 0 ] || images_log "cannot build $IMAGE_BUSYBOX"
	return $rc
}

# Debian's python3.11 as installed on this machine: its packages' files plus
# every shared library that the interpreter and its extension modules load.
IMAGES_PY_PACKAGES="python3.11-minimal libpython3.11-minimal libpython3.11-stdlib"

images_python_from_host() {
	local root=$1 pkg lib
	for pkg in $IMAGES_PY_PACKAGES; do
		dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || return 2
	done
	images_rootfs_busybox "$root" || return 1
	# merged /usr, as Debian 12 lays it out
	mkdir -p "$root/usr/bin" "$root/usr/lib/x86_64-linux-gnu" "$root/usr/lib64"
	ln -s usr/lib "$root/lib"
	ln -s usr/lib64 "$root/lib64"
	# shellcheck disable=SC2086
	dpkg -L $IMAGES_PY_PACKAGES | grep -vE '^/usr/share/(doc|man|lintian)/|^/\.$' |
		sort -u | while read -r f; do [ -f "$f" ] || [ -L "$f" ] && printf '%s\n' "${f#/}"; done |
		tar -C / --no-recursion -cf - -T - | tar -C "$root" -xf - || return 1
	ln -sf python3.11 "$root/usr/bin/python3"
	ldd /usr/bin/python3.11 /usr/lib/python3.11/lib-dynload/*.so 2>/dev/null |
		awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\/.*ld-linux/ { print $1 }' |
		sort -u | while read -r lib; do
			mkdir -p "$root/usr$(dirname "${lib#/usr}")"
			cp -L "$lib" "$root/usr${lib#/usr}" || exit 1
		done
}

images_python_debootstrap() {
	local root=$1 mirror
	command -v debootstrap >/dev/null || { images_log "debootstrap is missing"; return 1; }
	mirror=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null |
		grep -v security | head -1)
	[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" { print $2; exit }' /etc/apt/sources.list 2>/dev/null)
	[ -n "$mirror" ] || { images_log "no Debian mirror in /etc/apt"; return 1; }
	local log
	log="$(dirname "$root")/debootstrap.log"
	debootstrap --variant=minbase --include=python3 bookworm "$root" "$mirror" >"$log" 2>&1 ||
		{ tail -20 "$log" >&2; return 1; }
}

# Two ways to the same interpreter. The host's Debian packages (default when
# installed): ~3 s, ~75 MB. debootstrap (SLIPWAY_PYTHON_IMAGE=debootstrap, or
# when the packages are missing): a full minbase system, ~45 s, ~260 MB.
images_build_python() {
	local root method=${SLIPWAY_PYTHON_IMAGE:-host} rc=1
	case $method in
	host|debootstrap) ;;
	*) images_log "SLIPWAY_PYTHON_IMAGE must be host or debootstrap, not '$method'"; return 1;;
	esac
	images_present "$IMAGE_PYTHON" && return 0
	root=$(mktemp -d "${TMPDIR:-/tmp}/slipway-rootfs.XXXXXX") || return 1
	if [ "$method" = host ]; then
		images_python_from_host "$root/fs"
		rc=$?
		if [ $rc -eq 2 ]; then
			images_log "$IMAGES_PY_PACKAGES not all installed; using debootstrap"
			rm -rf "$root/fs"
			method=debootstrap
		fi
	fi
	[ "$method" = debootstrap ] && { images_python_debootstrap "$root/fs"; rc=$?; }
	if [ "$rc" -eq 0 ]; then
		images_import "$root/fs" "$IMAGE_PYTHON" \
			'ENV PATH=/usr/local/bin:/usr/bin:/bin' 'ENV LANG=C.UTF-8' 'CMD ["python3"]' \
			"LABEL slipway.test-image=python slipway.image-method=$method"
		rc=$?
	fi
	rm -rf "$root"
	[ "$rc" -eq 0 ] || images_log "cannot build $IMAGE_PYTHON"
	return "$rc"
}

# images_docker_build DIR IMAGE: docker build with the engine's own builder,
# quiet unless it fails.
images_docker_build() {
	local out
	out=$(DOCKER_BUILDKIT=0 docker build -q -t "$2" "$1" 2>&1) && return 0
	printf '%s\n' "$out" >&2
	return 1
}

# A service image for the Docker executor's tests: docker build on busybox.
images_build_httpd() {
	local ctx
	images_present "$IMAGE_HTTPD" && return 0
	images_build_busybox || return 1
	ctx=$(mktemp -d "${TMPDIR:-/tmp}/slipway-httpd.XXXXXX") || return 1
	printf 'hello from the service\n' >"$ctx/index.html"
	printf '%s\n' "FROM $IMAGE_BUSYBOX" 'COPY index.html /www/index.html' \
		'CMD ["httpd", "-f", "-p", "80", "-h", "/www"]' 'LABEL slipway.test-image=httpd' \
		>"$ctx/Dockerfile"
	images_docker_build "$ctx" "$IMAGE_HTTPD"
	local rc=$?
	rm -rf "$ctx"
	[ $rc -eq 0 ] || images_log "cannot build $IMAGE_HTTPD"
	return $rc
}

# bash and the libraries it loads, copied from this machine onto the python image.
images_build_runner() {
	local ctx bash lib
	images_present "$IMAGE_RUNNER" && return 0
	images_present "$IMAGE_PYTHON" || images_build_python || return 1
	bash=$(command -v bash) || return 1
	ctx=$(mktemp -d "${TMPDIR:-/tmp}/slipway-runner.XXXXXX") || return 1
	mkdir -p "$ctx/root/usr/bin"
	cp -L "$bash" "$ctx/root/usr/bin/bash" &&
		ldd "$bash" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | while read -r lib; do
			mkdir -p "$ctx/root/usr$(dirname "${lib#/usr}")"
			cp -L "$lib" "$ctx/root/usr${lib#/usr}" || exit 1
		done &&
		printf '%s\n' "FROM $IMAGE_PYTHON" 'COPY root/ /' 'LABEL slipway.test-image=runner' \
			>"$ctx/Dockerfile" &&
		images_docker_build "$ctx" "$IMAGE_RUNNER"
	local rc=$?
	rm -rf "$ctx"
	[ $rc -eq 0 ] || images_log "cannot build $IMAGE_RUNNER"
	return $rc
}

images_busybox() { images_present "$IMAGE_BUSYBOX" || images_locked images_build_busybox; }
images_runner() { images_present "$IMAGE_RUNNER" || images_locked images_build_runner; }
images_httpd() { images_present "$IMAGE_HTTPD" || images_locked images_build_httpd; }
images_python() { images_present "$IMAGE_PYTHON" || images_locked images_build_python; }

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -u
	what=${1:-all}
	if [ "${2:-}" = --rebuild ]; then
		case $what in
		busybox) docker rmi -f "$IMAGE_BUSYBOX" >/dev/null 2>&1;;
		python) docker rmi -f "$IMAGE_PYTHON" >/dev/null 2>&1;;
		httpd) docker rmi -f "$IMAGE_HTTPD" >/dev/null 2>&1;;
		runner) docker rmi -f "$IMAGE_RUNNER" >/dev/null 2>&1;;
		all) docker rmi -f "$IMAGE_HTTPD" "$IMAGE_RUNNER" "$IMAGE_BUSYBOX" "$IMAGE_PYTHON" \
			>/dev/null 2>&1;;
		esac
	fi
	case $what in
	busybox) images_busybox;;
	python) images_python;;
	httpd) images_httpd;;
	runner) images_runner;;
	all) images_busybox && images_python && images_httpd && images_runner;;
	*) echo "usage: tests/images.sh busybox|python|httpd|runner|all [--rebuild]" >&2; exit 2;;
	esac
fi
