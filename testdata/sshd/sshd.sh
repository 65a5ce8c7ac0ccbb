#!/usr/bin/env bash
# Start or stop a throwaway OpenSSH server for bkjob's SSH transport tests.
#
#   bash testdata/sshd/sshd.sh start          # prints `export BKJOB_TEST_SSH_...=...` lines
#   eval "$(bash testdata/sshd/sshd.sh start)"
#   bash testdata/sshd/sshd.sh stop [DIR]     # DIR defaults to $BKJOB_SSHD_DIR
#
# Everything lives in a temp dir (or $BKJOB_SSHD_DIR when set and empty): its
# own host keys, a generated client key pair, authorized_keys, known_hosts,
# sshd_config, pid files and logs. The server listens on 127.0.0.1..127.0.0.N
# (N = $BKJOB_SSHD_HOSTS, default 11) on port $BKJOB_SSHD_PORT (default 22222):
# every address in 127.0.0.0/8 is this machine, so one key pair stands for N
# hosts. OpenSSH accepts at most 16 listen sockets per process
# (MAX_LISTEN_SOCKS), so for N > 16 the script starts one sshd per 16
# addresses, all sharing the same keys and config.
#
# Exports: BKJOB_TEST_SSH_ADDR (first host:port), BKJOB_TEST_SSH_ADDRS
# (comma-separated host:port of every address), BKJOB_TEST_SSH_USER,
# BKJOB_TEST_SSH_KEY (private key path), BKJOB_TEST_SSH_KNOWN_HOSTS,
# BKJOB_SSHD_DIR.
set -euo pipefail

SSHD=${BKJOB_SSHD_BIN:-/usr/sbin/sshd}
PER_PROC=16

die() { echo "sshd.sh: $*" >&2; exit 1; }

start() {
	[ -x "$SSHD" ] || die "$SSHD not found: apt-get install -y openssh-server"
	command -v ssh-keygen >/dev/null || die "ssh-keygen not found: apt-get install -y openssh-client"
	local port=${BKJOB_SSHD_PORT:-22222}
	local hosts=${BKJOB_SSHD_HOSTS:-11}
	[ "$hosts" -ge 1 ] && [ "$hosts" -le 254 ] || die "BKJOB_SSHD_HOSTS must be 1..254, got $hosts"
	local dir=${BKJOB_SSHD_DIR:-}
	if [ -z "$dir" ]; then
		dir=$(mktemp -d /tmp/bkjob-sshd.XXXXXX)
	fi
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	chmod 755 "$dir"
	# sshd needs its privilege separation directory.
	if [ "$(id -u)" = 0 ] && [ ! -d /run/sshd ]; then
		mkdir -p /run/sshd && chmod 755 /run/sshd
	fi

	ssh-keygen -q -t ed25519 -N '' -C bkjob-test-host -f "$dir/host_ed25519" >/dev/null
	ssh-keygen -q -t ed25519 -N '' -C bkjob-test-client -f "$dir/client_ed25519" >/dev/null
	cp "$dir/client_ed25519.pub" "$dir/authorized_keys"
	chmod 600 "$dir/host_ed25519" "$dir/client_ed25519"

	local user
	user=$(id -un)
	local hostkey
	hostkey=$(cut -d' ' -f1,2 "$dir/host_ed25519.pub")
	: >"$dir/known_hosts"
	local addrs=""
	local i
	for i in $(seq 1 "$hosts"); do
		echo "[127.0.0.$i]:$port $hostkey" >>"$dir/known_hosts"
		addrs="${addrs:+$addrs,}127.0.0.$i:$port"
	done

	local procs=$(((hosts + PER_PROC - 1) / PER_PROC))
	local p first last
	for p in $(seq 0 $((procs - 1))); do
		first=$((p * PER_PROC + 1))
		last=$((first + PER_PROC - 1))
		[ "$last" -le "$hosts" ] || last=$hosts
		{
			for i in $(seq "$first" "$last"); do
				echo "ListenAddress 127.0.0.$i:$port"
			done
			cat <<EOF
HostKey $dir/host_ed25519
PidFile $dir/sshd.$p.pid
AuthorizedKeysFile $dir/authorized_keys
UsePAM no
StrictModes no
PermitRootLogin yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
MaxStartups 1000:30:2000
MaxSessions 64
MaxAuthTries 6
LoginGraceTime 30
ClientAliveInterval 0
UseDNS no
PrintMotd no
PrintLastLog no
LogLevel ERROR
Subsystem sftp internal-sftp
AcceptEnv LANG LC_*
EOF
		} >"$dir/sshd_config.$p"
		"$SSHD" -f "$dir/sshd_config.$p" -E "$dir/sshd.$p.log" || die "sshd $p did not start: $(cat "$dir/sshd.$p.log" 2>/dev/null)"
	done

	# sshd daemonises after binding; wait until every pid file is written.
	local n
	for n in $(seq 1 100); do
		local ok=1
		for p in $(seq 0 $((procs - 1))); do
			[ -s "$dir/sshd.$p.pid" ] || ok=0
		done
		[ "$ok" = 1 ] && break
		sleep 0.05
	done
	[ "$ok" = 1 ] || die "sshd did not write its pid files in $dir"

	cat >"$dir/env" <<EOF
export BKJOB_SSHD_DIR=$dir
export BKJOB_TEST_SSH_ADDR=127.0.0.1:$port
export BKJOB_TEST_SSH_ADDRS=$addrs
export BKJOB_TEST_SSH_USER=$user
export BKJOB_TEST_SSH_KEY=$dir/client_ed25519
export BKJOB_TEST_SSH_KNOWN_HOSTS=$dir/known_hosts
EOF
	cat "$dir/env"
}

stop() {
	local dir=${1:-${BKJOB_SSHD_DIR:-}}
	[ -n "$dir" ] || die "usage: sshd.sh stop DIR (or set BKJOB_SSHD_DIR)"
	[ -d "$dir" ] || return 0
	local f pid
	for f in "$dir"/sshd.*.pid; do
		[ -s "$f" ] || continue
		pid=$(cat "$f")
		kill "$pid" 2>/dev/null || true
	done
	case "$dir" in
	/tmp/bkjob-sshd.*) rm -rf "$dir" ;;
	esac
}

case "${1:-}" in
start) start ;;
stop) stop "${2:-}" ;;
*) die "usage: sshd.sh start|stop [DIR]" ;;
esac
