#!/usr/bin/env bash
# prune.sh: `slipway prune` removes the containers, networks and volumes a
# run left behind (labelled slipway.run=ID), one run's at a time here, and
# keeps everything else; --images the docker actions' images. The every-run form is only exercised as a dry run:
# other suites' runs may share this engine.
. "$(dirname "$0")/../lib.sh"
. "$SLIPWAY_TOP/tests/images.sh"

out=$("$SLIPWAY" prune stray 2>&1)
is $? 2 "an argument is a usage error"
like "$out" "slipway prune: unexpected argument 'stray'" "and says which"
out=$("$SLIPWAY" prune --run '' 2>&1)
is $? 2 "an empty run id is a usage error"

dead=$SCRATCH/no-engine.sock
out=$(DOCKER_HOST=unix://$dead "$SLIPWAY" prune 2>&1)
is $? 1 "an unreachable engine is exit 1"
is "$out" "slipway prune: cannot reach the Docker engine at unix://$dead: No such file or directory (start dockerd or podman's service, or set DOCKER_HOST)" \
	"with what to do about it"

if ! docker_available; then
	skip "prune against a Docker engine" "no engine answers"
	done_testing
	exit
fi
images_busybox
ok $? "the busybox test image is there"

A=prune-$$-a B=prune-$$-b K=prune-$$-keep
for x in "$A" "$B" "$K"; do
	at_exit "docker rm -f $x-idle $x-busy; docker network rm $x-net; docker volume rm $x-vol"
done

# two runs' leftovers (one container running, one holding the volume), and
# the same kinds of objects without the label or with another one
make_objects() { # NAME LABEL...
	local name=$1 labels=()
	shift
	for l in "$@"; do labels+=(--label "$l"); done
	docker network create "${labels[@]}" "$name-net" >/dev/null &&
		docker volume create "${labels[@]}" "$name-vol" >/dev/null &&
		docker create "${labels[@]}" --name "$name-idle" "$IMAGE_BUSYBOX" true >/dev/null &&
		docker run -d "${labels[@]}" --name "$name-busy" --network "$name-net" \
			-v "$name-vol:/data" "$IMAGE_BUSYBOX" sleep 600 >/dev/null
}
make_objects "$A" "slipway.run=$A" "org.example=x"
ok $? "run A's containers, network and volume exist"
make_objects "$B" "slipway.run=$B"
ok $? "run B's exist"
make_objects "$K" "slipway.other=$A"
ok $? "unlabelled ones exist"

exists() { # KIND NAME
	docker "$1" inspect "$2" >/dev/null 2>&1
}

out=$("$SLIPWAY" prune --dry-run)
is $? 0 "a dry run over every run succeeds"
for x in "$A" "$B"; do
	like "$out" "would remove container $x-busy \(run $x\)" "it names run ${x##*-}'s running container"
	like "$out" "would remove network $x-net \(run $x\)" "and its network"
	like "$out" "would remove volume $x-vol \(run $x\)" "and its volume"
done
unlike "$out" "$K" "it does not name unlabelled objects"
exists container "$A-busy" && exists network "$A-net" && exists volume "$A-vol"
ok $? "a dry run removes nothing"

out=$("$SLIPWAY" prune --run "$A")
is $? 0 "pruning run A succeeds"
is "$(printf '%s\n' "$out" | sort)" "$(printf '%s\n' "removed container $A-busy (run $A)" \
	"removed container $A-idle (run $A)" "removed network $A-net (run $A)" \
	"removed volume $A-vol (run $A)")" "and says what it removed"
gone=0
for o in "container $A-busy" "container $A-idle" "network $A-net" "volume $A-vol"; do
	# shellcheck disable=SC2086
	exists $o && gone=1
done
is $gone 0 "run A's containers, network and volume are gone"
exists container "$B-busy" && exists container "$B-idle" && exists network "$B-net" && exists volume "$B-vol"
ok $? "run B's are kept"
exists container "$K-busy" && exists container "$K-idle" && exists network "$K-net" && exists volume "$K-vol"
ok $? "unlabelled ones are kept"

out=$("$SLIPWAY" prune --run "$A")
is "$out" "nothing to prune" "a second prune finds nothing"

out=$("$SLIPWAY" prune --run "$B")
is $? 0 "pruning run B succeeds"
exists container "$B-busy" || exists network "$B-net" || exists volume "$B-vol"
is $? 1 "run B's are gone"
exists container "$K-busy" && exists network "$K-net" && exists volume "$K-vol"
ok $? "unlabelled ones are still kept"

# --images: the images built from docker actions' Dockerfiles, a cache; an
# image that has another name too only loses the slipway-action one (this
# removes every action image on the engine: suites run one after another)
act=slipway-action:prune-$$
docker tag "$IMAGE_BUSYBOX" "$act"
at_exit "docker rmi $act"
out=$("$SLIPWAY" prune --run "$A" --images --dry-run)
like "$out" "^would remove image $act$" "--images --dry-run names the action images"
docker image inspect "$act" >/dev/null 2>&1
ok $? "and removes none"
out=$("$SLIPWAY" prune --run "$A" --images)
is $? 0 "--images succeeds"
like "$out" "^removed image $act$" "and says what it removed"
docker image inspect "$act" >/dev/null 2>&1
is $? 1 "the action image is gone"
docker image inspect "$IMAGE_BUSYBOX" >/dev/null 2>&1
ok $? "the image it was also tagged as is kept"
out=$("$SLIPWAY" prune --help)
like "$out" "--images" "--help lists --images"

done_testing
