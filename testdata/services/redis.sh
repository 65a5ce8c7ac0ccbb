#!/usr/bin/env bash
# Redis for the tests: redis.sh start|stop|status.
# No persistence; dir .services/run/redis, loopback port $BKJOB_SVC_REDIS_PORT (36379).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

D=$RUN_DIR/redis
PORT=$BKJOB_SVC_REDIS_PORT
PIDF=$D/redis.pid
LOGF=$D/redis.log

ready() { [[ $(redis-cli -h 127.0.0.1 -p "$PORT" ping 2>/dev/null) == PONG ]]; }

start() {
	if live_pid "$PIDF" redis-server >/dev/null && ready; then
		log "redis already running on 127.0.0.1:$PORT"
		return 0
	fi
	stop_pid "$PIDF" redis-server redis
	require_free_port "$PORT" redis
	mkdir -p "$D"
	local pid
	pid=$(start_bg "$LOGF" redis-server --port "$PORT" --bind 127.0.0.1 --dir "$D" \
		--save '' --appendonly no --daemonize no --logfile "$LOGF")
	echo "$pid" >"$PIDF"
	wait_ready redis 30 "$LOGF" "$pid" ready
	log "redis ready on 127.0.0.1:$PORT"
}

stop() { stop_pid "$PIDF" redis-server redis; }

status() {
	live_pid "$PIDF" redis-server >/dev/null && ready && echo "redis running on 127.0.0.1:$PORT" && return 0
	echo "redis not running"
	return 1
}

case ${1:-} in
start | stop | status) "$1" ;;
*) die "usage: $0 start|stop|status" ;;
esac
