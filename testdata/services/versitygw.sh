#!/usr/bin/env bash
# VersityGW (S3 API over a plain folder) for the tests:
# versitygw.sh build|start|stop|status.
# `build` installs VersityGW once into .cache/bin/versitygw-<version>.
# `start` serves http://127.0.0.1:$BKJOB_SVC_S3_PORT (39000) with the posix
# backend over .services/run/versitygw/s3; keys bkjob / bkjob-secret.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

D=$RUN_DIR/versitygw
PORT=$BKJOB_SVC_S3_PORT
PIDF=$D/versitygw.pid
LOGF=$D/versitygw.log
EXE=$CACHE_BIN/versitygw-$VERSITYGW_VERSION

build() {
	mkdir -p "$CACHE_BIN"
	exec 9>"$CACHE_BIN/.versitygw.lock"
	flock 9
	if [[ -x $EXE ]]; then
		log "versitygw $VERSITYGW_VERSION cached at $EXE"
		return 0
	fi
	log "building versitygw $VERSITYGW_VERSION (once per machine)"
	local scratch
	scratch=$(mktemp -d)
	# shellcheck disable=SC2064
	trap "rm -rf '$scratch'" EXIT
	(cd "$scratch" && GOWORK=off GOFLAGS=-buildvcs=false CGO_ENABLED=0 GOBIN="$scratch" \
		go install -trimpath "github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION") ||
		die "go install versitygw $VERSITYGW_VERSION"
	mv "$scratch/versitygw" "$EXE"
	log "versitygw built at $EXE"
}

# ready: any HTTP answer on the S3 port (anonymous requests get 403).
ready() {
	local code
	code=$(curl -s -o /dev/null -m 3 -w '%{http_code}' "http://127.0.0.1:$PORT/") || return 1
	[[ $code != 000 ]]
}

start() {
	if live_pid "$PIDF" "$D" >/dev/null && ready; then
		log "versitygw already running on 127.0.0.1:$PORT"
		return 0
	fi
	[[ -x $EXE ]] || build
	stop
	require_free_port "$PORT" versitygw
	mkdir -p "$D/s3"
	local pid
	pid=$(ROOT_ACCESS_KEY=$S3_ACCESS_KEY ROOT_SECRET_KEY=$S3_SECRET_KEY \
		start_bg "$LOGF" "$EXE" --port "127.0.0.1:$PORT" posix "$D/s3")
	echo "$pid" >"$PIDF"
	wait_ready versitygw 60 "$LOGF" "$pid" ready
	log "versitygw ready on http://127.0.0.1:$PORT"
}

stop() { stop_pid "$PIDF" "$D" versitygw; }

status() {
	live_pid "$PIDF" "$D" >/dev/null && ready && echo "versitygw running on http://127.0.0.1:$PORT" && return 0
	echo "versitygw not running"
	return 1
}

case ${1:-} in
build | start | stop | status) "$1" ;;
*) die "usage: $0 build|start|stop|status" ;;
esac
