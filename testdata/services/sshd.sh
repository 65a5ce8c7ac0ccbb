#!/usr/bin/env bash
# OpenSSH server for agentless-target tests: sshd.sh start|stop|status.
# Listens on port $BKJOB_SVC_SSH_PORT (32222) of 127.0.0.1 … 127.0.0.$BKJOB_SVC_SSH_HOSTS
# (default 16, the most sshd accepts), so each loopback address acts as one
# host. Public-key login only, as the calling user, with the throwaway key
# .services/run/sshd/id_ed25519; the host key is .services/run/sshd/host_ed25519.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

D=$RUN_DIR/sshd
PORT=$BKJOB_SVC_SSH_PORT
HOSTS=${BKJOB_SVC_SSH_HOSTS:-16}
PIDF=$D/sshd.pid
LOGF=$D/sshd.log
SSHD=$(command -v sshd || echo /usr/sbin/sshd)

ready() { port_open "$PORT"; }

start() {
	if live_pid "$PIDF" "$D" >/dev/null && ready; then
		log "sshd already running on 127.0.0.1:$PORT"
		return 0
	fi
	stop
	require_free_port "$PORT" sshd
	((HOSTS >= 1 && HOSTS <= 16)) || die "sshd: BKJOB_SVC_SSH_HOSTS must be 1..16"
	mkdir -p "$D"
	chmod 700 "$D"
	[[ -f $D/host_ed25519 ]] || ssh-keygen -q -t ed25519 -N '' -C bkjob-test-host -f "$D/host_ed25519"
	[[ -f $D/id_ed25519 ]] || ssh-keygen -q -t ed25519 -N '' -C bkjob-test -f "$D/id_ed25519"
	cp "$D/id_ed25519.pub" "$D/authorized_keys"
	chmod 600 "$D/authorized_keys"
	{
		local i
		for ((i = 1; i <= HOSTS; i++)); do echo "ListenAddress 127.0.0.$i:$PORT"; done
		cat <<CONF
HostKey $D/host_ed25519
PidFile $D/sshd.pid
AuthorizedKeysFile $D/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
MaxStartups 200:30:400
MaxSessions 200
Subsystem sftp internal-sftp
CONF
	} >"$D/sshd_config"
	[[ $(id -u) -ne 0 ]] || mkdir -p /run/sshd
	local pid
	# -D: stay in the foreground so the pid we record is sshd's own.
	pid=$(start_bg "$LOGF" "$SSHD" -D -f "$D/sshd_config" -E "$LOGF")
	echo "$pid" >"$PIDF"
	wait_ready sshd 30 "$LOGF" "$pid" ready
	log "sshd ready on 127.0.0.1-127.0.0.$HOSTS port $PORT"
}

stop() { stop_pid "$PIDF" "$D" sshd; }

status() {
	live_pid "$PIDF" "$D" >/dev/null && ready && echo "sshd running on 127.0.0.1:$PORT" && return 0
	echo "sshd not running"
	return 1
}

case ${1:-} in
start | stop | status) "$1" ;;
*) die "usage: $0 start|stop|status" ;;
esac
