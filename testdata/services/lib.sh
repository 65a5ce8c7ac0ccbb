# shellcheck shell=bash
# Helpers shared by the test service scripts. Sourced, never run.
#
# Settings (environment, then .services/run/ports.env, then these defaults):
#   BKJOB_SVC_MYSQL_PORT  33306   BKJOB_SVC_REDIS_PORT 36379   BKJOB_SVC_AMQP_PORT 5673
#   BKJOB_SVC_MONGO_PORT  37017   BKJOB_SVC_S3_PORT    39000   BKJOB_SVC_SSH_PORT  32222

SVC_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SVC_DIR/../.." && pwd)
SERVICES_DIR=$REPO_ROOT/.services
RUN_DIR=$SERVICES_DIR/run
CACHE_BIN=$REPO_ROOT/.cache/bin
export PATH=$PATH:/usr/sbin:/sbin

FERRETDB_VERSION=v1.24.2
VERSITYGW_VERSION=v1.8.0
S3_ACCESS_KEY=bkjob
S3_SECRET_KEY=bkjob-secret

if [[ -f $RUN_DIR/ports.env ]]; then
	# shellcheck source=/dev/null
	source "$RUN_DIR/ports.env"
fi
: "${BKJOB_SVC_MYSQL_PORT:=33306}"
: "${BKJOB_SVC_REDIS_PORT:=36379}"
: "${BKJOB_SVC_AMQP_PORT:=5673}"
: "${BKJOB_SVC_MONGO_PORT:=37017}"
: "${BKJOB_SVC_S3_PORT:=39000}"
: "${BKJOB_SVC_SSH_PORT:=32222}"

log() { printf '[services] %s\n' "$*" >&2; }

die() {
	printf '[services] error: %s\n' "$*" >&2
	exit 1
}

# die_log MESSAGE LOGFILE: fails showing the end of a log.
die_log() {
	printf '[services] error: %s\n' "$1" >&2
	if [[ -f $2 ]]; then
		printf '[services] last lines of %s:\n' "$2" >&2
		tail -n 40 "$2" | sed 's/^/    /' >&2
	fi
	exit 1
}

# as_root CMD...: runs a command as root, through sudo when needed.
as_root() {
	if [[ $(id -u) -eq 0 ]]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo "$@"
	else
		die "need root to run '$*' (not root and no sudo); install it by hand"
	fi
}

# ensure_packages PKG...: installs the Debian packages that are missing.
# Service start-up during install is blocked (policy-rc.d): the scripts start
# their own isolated servers.
ensure_packages() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	[[ ${#missing[@]} -eq 0 ]] && return 0
	command -v apt-get >/dev/null 2>&1 || die "missing packages ${missing[*]} and no apt-get to install them"
	log "installing ${missing[*]}"
	local policy=/usr/sbin/policy-rc.d added=0
	if [[ ! -e $policy ]]; then
		printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null
		as_root chmod 755 "$policy"
		added=1
	fi
	local rc=0
	as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q || rc=$?
	if [[ $rc -eq 0 ]]; then
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" || rc=$?
	fi
	[[ $added -eq 1 ]] && as_root rm -f "$policy"
	[[ $rc -eq 0 ]] || die "apt-get install ${missing[*]} exited with $rc"
}

# port_open PORT: true when something accepts TCP connections on 127.0.0.1:PORT.
port_open() {
	timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

# require_free_port PORT NAME: fails when a foreign process holds the port.
require_free_port() {
	if port_open "$1"; then
		die "$2: port $1 is already in use by a process these scripts did not start; stop it or set another port (see testdata/services/lib.sh)"
	fi
}

# alive PID: true while the process exists and is not a zombie.
alive() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[[ ${stat:0:1} != Z ]]
}

# live_pid PIDFILE PATTERN: prints the pid from PIDFILE when that process is
# alive and its command line contains PATTERN (guards against recycled pids).
live_pid() {
	local pid
	[[ -s $1 ]] || return 1
	pid=$(<"$1")
	pid=${pid//[^0-9]/}
	[[ -n $pid ]] || return 1
	alive "$pid" || return 1
	[[ $(tr '\0' ' ' <"/proc/$pid/cmdline") == *"$2"* ]] || return 1
	printf '%s\n' "$pid"
}

# stop_pid PIDFILE PATTERN NAME: stops the process (TERM, then KILL after 60 s).
stop_pid() {
	local pid i
	if pid=$(live_pid "$1" "$2"); then
		log "stopping $3 (pid $pid)"
		kill -TERM "$pid" 2>/dev/null || true
		for ((i = 0; i < 600; i++)); do
			alive "$pid" || break
			sleep 0.1
		done
		if alive "$pid"; then
			log "$3 ignored TERM for 60 s, killing it"
			kill -KILL "$pid" 2>/dev/null || true
			sleep 0.2
		fi
	fi
	rm -f "$1"
}

# start_bg LOGFILE CMD...: starts CMD detached from this shell (own session, so
# an interrupted task does not kill it) and prints its pid.
start_bg() {
	local logf=$1
	shift
	setsid "$@" >>"$logf" 2>&1 </dev/null &
	printf '%s\n' "$!"
}

# wait_ready NAME TIMEOUT LOGFILE PID CHECK...: polls CHECK until it succeeds;
# fails with the log tail on timeout or when process PID died.
wait_ready() {
	local name=$1 timeout=$2 logf=$3 pid=$4
	shift 4
	local deadline=$((SECONDS + timeout))
	while ! "$@" >/dev/null 2>&1; do
		alive "$pid" || die_log "$name exited during start-up" "$logf"
		((SECONDS < deadline)) || die_log "$name not ready after ${timeout}s" "$logf"
		sleep 0.3
	done
}
