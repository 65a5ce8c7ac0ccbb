#!/usr/bin/env bash
# FerretDB (MongoDB wire protocol over SQLite) for the tests:
# ferretdb.sh build|start|stop|status.
# `build` compiles FerretDB once into .cache/bin/ferretdb-<version>: the module
# as served by the Go proxy lacks build/version/version.txt, so a plain
# `go install` gives a binary that panics at start; we copy the module source,
# write the version file and build that.
# `start` serves 127.0.0.1:$BKJOB_SVC_MONGO_PORT (37017), data in .services/run/ferretdb.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

D=$RUN_DIR/ferretdb
PORT=$BKJOB_SVC_MONGO_PORT
PIDF=$D/ferretdb.pid
LOGF=$D/ferretdb.log
EXE=$CACHE_BIN/ferretdb-$FERRETDB_VERSION
MODULE=github.com/FerretDB/FerretDB

build() {
	mkdir -p "$CACHE_BIN"
	exec 9>"$CACHE_BIN/.ferretdb.lock"
	flock 9
	if [[ -x $EXE ]]; then
		log "ferretdb $FERRETDB_VERSION cached at $EXE"
		return 0
	fi
	log "building ferretdb $FERRETDB_VERSION (once per machine)"
	local scratch src
	scratch=$(mktemp -d)
	# shellcheck disable=SC2064
	trap "chmod -R u+w '$scratch' 2>/dev/null; rm -rf '$scratch'" EXIT
	src=$(cd "$scratch" && GOWORK=off GOFLAGS=-mod=mod go mod download -json "$MODULE@$FERRETDB_VERSION" |
		sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')
	[[ -n $src && -d $src ]] || die "go mod download $MODULE@$FERRETDB_VERSION gave no source dir"
	cp -r "$src" "$scratch/src"
	chmod -R u+w "$scratch/src"
	echo "$FERRETDB_VERSION" >"$scratch/src/build/version/version.txt"
	(cd "$scratch/src" && GOWORK=off CGO_ENABLED=0 GOFLAGS=-buildvcs=false \
		go build -trimpath -o "$scratch/ferretdb" ./cmd/ferretdb) ||
		die "go build ferretdb $FERRETDB_VERSION"
	mv "$scratch/ferretdb" "$EXE"
	log "ferretdb built at $EXE"
}

# ready: an OP_MSG {hello: 1, $db: "admin"} gets an OP_MSG reply (opCode 2013).
ready() {
	local reply
	reply=$(timeout 3 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT
		printf '\x34\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\xdd\x07\x00\x00' >&3
		printf '\x00\x00\x00\x00\x00' >&3
		printf '\x1f\x00\x00\x00\x10hello\x00\x01\x00\x00\x00' >&3
		printf '\x02\$db\x00\x06\x00\x00\x00admin\x00\x00' >&3
		head -c 16 <&3 | od -An -tx1" 2>/dev/null) || return 1
	reply=${reply//[[:space:]]/}
	[[ ${reply:24:8} == dd070000 ]]
}

start() {
	if live_pid "$PIDF" "$D" >/dev/null && ready; then
		log "ferretdb already running on 127.0.0.1:$PORT"
		return 0
	fi
	[[ -x $EXE ]] || build
	stop
	require_free_port "$PORT" ferretdb
	mkdir -p "$D/data" "$D/state"
	local pid
	pid=$(start_bg "$LOGF" "$EXE" --handler=sqlite --sqlite-url="file:$D/data/" \
		--listen-addr="127.0.0.1:$PORT" --state-dir="$D/state" --telemetry=disable \
		--debug-addr=- --log-level=warn)
	echo "$pid" >"$PIDF"
	wait_ready ferretdb 60 "$LOGF" "$pid" ready
	log "ferretdb ready on 127.0.0.1:$PORT"
}

stop() { stop_pid "$PIDF" "$D" ferretdb; }

status() {
	live_pid "$PIDF" "$D" >/dev/null && ready && echo "ferretdb running on 127.0.0.1:$PORT" && return 0
	echo "ferretdb not running"
	return 1
}

case ${1:-} in
build | start | stop | status) "$1" ;;
*) die "usage: $0 build|start|stop|status" ;;
esac
