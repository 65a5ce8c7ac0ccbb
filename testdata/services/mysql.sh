#!/usr/bin/env bash
# MariaDB for the tests: mysql.sh start|stop|status.
# Data in .services/run/mysql, loopback port $BKJOB_SVC_MYSQL_PORT (33306),
# database bkjob and user bkjob/bkjob with all privileges.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

D=$RUN_DIR/mysql
PORT=$BKJOB_SVC_MYSQL_PORT
PIDF=$D/mysqld.pid
SOCK=$D/mysqld.sock
LOGF=$D/mysqld.log

ready() {
	mariadb-admin --no-defaults --socket="$SOCK" -uroot --connect-timeout=2 ping >/dev/null 2>&1 &&
		port_open "$PORT"
}

start() {
	if live_pid "$PIDF" "$D" >/dev/null && ready; then
		log "mariadb already running on 127.0.0.1:$PORT"
		return 0
	fi
	stop_pid "$PIDF" "$D" mariadb
	require_free_port "$PORT" mariadb
	mkdir -p "$D"
	local user=()
	[[ $(id -u) -eq 0 ]] && user=(--user=root)
	if [[ ! -d $D/data/mysql ]]; then
		rm -rf "$D/data"
		mariadb-install-db --no-defaults --datadir="$D/data" "${user[@]}" \
			--auth-root-authentication-method=normal --skip-test-db >"$D/install.log" 2>&1 ||
			die_log "mariadb-install-db failed" "$D/install.log"
	fi
	local pid
	pid=$(start_bg "$LOGF" mariadbd --no-defaults --datadir="$D/data" --socket="$SOCK" \
		--port="$PORT" --bind-address=127.0.0.1 --pid-file="$PIDF" --log-error="$LOGF" \
		--skip-name-resolve --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
		--max-connections=1000 --innodb-buffer-pool-size=128M \
		--innodb-flush-log-at-trx-commit=2 --sync-binlog=0 "${user[@]}")
	echo "$pid" >"$PIDF"
	wait_ready mariadb 90 "$LOGF" "$pid" ready
	mariadb --no-defaults --socket="$SOCK" -uroot -e "
		create database if not exists bkjob;
		create user if not exists 'bkjob'@'%' identified by 'bkjob';
		grant all privileges on *.* to 'bkjob'@'%' with grant option;
		flush privileges;" || die "create mariadb user bkjob"
	log "mariadb ready on 127.0.0.1:$PORT"
}

stop() { stop_pid "$PIDF" "$D" mariadb; }

status() {
	live_pid "$PIDF" "$D" >/dev/null && ready && echo "mariadb running on 127.0.0.1:$PORT" && return 0
	echo "mariadb not running"
	return 1
}

case ${1:-} in
start | stop | status) "$1" ;;
*) die "usage: $0 start|stop|status" ;;
esac
