#!/usr/bin/env bash
# RabbitMQ for the tests: rabbitmq.sh start|stop|restart|status.
# Node bkjobtest@localhost, data in .services/run/rabbitmq, AMQP on loopback port
# $BKJOB_SVC_AMQP_PORT (5673), inter-node port AMQP+20000, user guest/guest.
# `restart` stops the node completely and starts it on the same port and data
# dir, returning once it accepts AMQP connections (BKJOB_TEST_AMQP_RESTART).
#
# The broker runs as the calling user with its own HOME (and Erlang cookie)
# under the run dir: the Debian wrapper /usr/sbin/rabbitmq-server would switch
# to the rabbitmq user and share /var/lib/rabbitmq/.erlang.cookie instead.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

D=$RUN_DIR/rabbitmq
PORT=$BKJOB_SVC_AMQP_PORT
DIST_PORT=$((PORT + 20000))
NODE=${BKJOB_SVC_AMQP_NODE:-bkjobtest@localhost}
LAUNCHER_PIDF=$D/launcher.pid
BEAM_PIDF=$D/rabbit.pid
LOGF=$D/server.log
BIN=/usr/lib/rabbitmq/bin
[[ -x $BIN/rabbitmq-server ]] || BIN=$(dirname "$(command -v rabbitmq-server || echo /usr/sbin/x)")

((DIST_PORT + 10 < 65536)) || die "rabbitmq: AMQP port $PORT + 20000 must stay below 65526"

rabbit_env() {
	export HOME=$D/home \
		RABBITMQ_NODENAME=$NODE \
		RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
		RABBITMQ_NODE_PORT=$PORT \
		RABBITMQ_DIST_PORT=$DIST_PORT \
		RABBITMQ_MNESIA_BASE=$D/mnesia \
		RABBITMQ_LOG_BASE=$D/log \
		RABBITMQ_PID_FILE=$BEAM_PIDF \
		RABBITMQ_ENABLED_PLUGINS_FILE=$D/enabled_plugins \
		RABBITMQ_CONFIG_FILE=$D/rabbitmq.conf \
		RABBITMQ_ADVANCED_CONFIG_FILE=$D/advanced.config \
		RABBITMQ_CONF_ENV_FILE=$D/rabbitmq-env.conf \
		RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS='-kernel inet_dist_use_interface {127,0,0,1}' \
		ERL_EPMD_ADDRESS=127.0.0.1
}

# ready: the AMQP 0-9-1 handshake gets a frame back (Connection.Start).
ready() {
	local reply
	reply=$(timeout 3 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT
		printf 'AMQP\x00\x00\x09\x01' >&3
		head -c 1 <&3 | od -An -tx1" 2>/dev/null) || return 1
	[[ ${reply// /} == 01 ]]
}

start() {
	if live_pid "$BEAM_PIDF" "$D" >/dev/null && ready; then
		log "rabbitmq already running on 127.0.0.1:$PORT"
		return 0
	fi
	stop
	require_free_port "$PORT" rabbitmq
	require_free_port "$DIST_PORT" "rabbitmq (inter-node port)"
	mkdir -p "$D/home" "$D/mnesia" "$D/log"
	if [[ ! -s $D/home/.erlang.cookie ]]; then
		printf 'bkjobtest%s' "$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" >"$D/home/.erlang.cookie"
		chmod 400 "$D/home/.erlang.cookie"
	fi
	echo '[].' >"$D/enabled_plugins"
	cat >"$D/rabbitmq.conf" <<CONF
loopback_users.guest = true
disk_free_limit.absolute = 10MB
log.file.level = info
log.console = false
CONF
	: >"$D/rabbitmq-env.conf"
	rabbit_env
	local pid
	pid=$(cd "$D" && start_bg "$LOGF" "$BIN/rabbitmq-server")
	echo "$pid" >"$LAUNCHER_PIDF"
	wait_ready rabbitmq 120 "$LOGF" "$pid" ready
	log "rabbitmq ready on 127.0.0.1:$PORT"
}

stop() {
	stop_pid "$BEAM_PIDF" "$D" "rabbitmq node"
	stop_pid "$LAUNCHER_PIDF" rabbitmq-server "rabbitmq launcher"
}

restart() {
	stop
	start
}

status() {
	rabbit_env
	"$BIN/rabbitmqctl" -n "$NODE" status
}

case ${1:-} in
start | stop | restart | status) "$1" ;;
*) die "usage: $0 start|stop|restart|status" ;;
esac
