#!/usr/bin/env bash
# Starts the real servers the test suite uses, each on loopback in its own dir
# under .services/run, and writes .services/env (source it before go test).
# Installs missing Debian packages; builds FerretDB and VersityGW once into
# .cache/bin, in the background while the Debian servers start. Idempotent:
# a server already running from an earlier up.sh is reused.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

started=$SECONDS
ensure_packages mariadb-server redis-server rabbitmq-server openssh-server chromium fonts-wqy-microhei curl
command -v go >/dev/null 2>&1 || die "go is not on PATH (needed to build ferretdb and versitygw)"

mkdir -p "$RUN_DIR" "$CACHE_BIN" "$SERVICES_DIR/logs"
cat >"$RUN_DIR/ports.env" <<EOF_PORTS
: "\${BKJOB_SVC_MYSQL_PORT:=$BKJOB_SVC_MYSQL_PORT}"
: "\${BKJOB_SVC_REDIS_PORT:=$BKJOB_SVC_REDIS_PORT}"
: "\${BKJOB_SVC_AMQP_PORT:=$BKJOB_SVC_AMQP_PORT}"
: "\${BKJOB_SVC_MONGO_PORT:=$BKJOB_SVC_MONGO_PORT}"
: "\${BKJOB_SVC_S3_PORT:=$BKJOB_SVC_S3_PORT}"
: "\${BKJOB_SVC_SSH_PORT:=$BKJOB_SVC_SSH_PORT}"
EOF_PORTS

# built SERVICE: builds (or reuses) a Go-built server, then starts it.
built() {
	local build_log=$SERVICES_DIR/logs/$1-build.log
	bash "$SVC_DIR/$1.sh" build >"$build_log" 2>&1 || die_log "$1 build failed" "$build_log"
	bash "$SVC_DIR/$1.sh" start
}

names=(mysql redis rabbitmq sshd ferretdb versitygw)
pids=()
for name in "${names[@]}"; do
	case $name in
	ferretdb | versitygw) built "$name" & ;;
	*) bash "$SVC_DIR/$name.sh" start & ;;
	esac
	pids+=("$!")
done
failed=()
for i in "${!names[@]}"; do
	wait "${pids[$i]}" || failed+=("${names[$i]}")
done
[[ ${#failed[@]} -eq 0 ]] || die "could not start: ${failed[*]} (see above; bash testdata/services/down.sh stops the rest)"

# squote VALUE: VALUE in single quotes, safe to paste into a shell.
squote() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

tmp=$SERVICES_DIR/env.tmp
cat >"$tmp" <<EOF_ENV
# Written by testdata/services/up.sh. Use: source .services/env
export BKJOB_TEST_MYSQL_DSN=$(squote "bkjob:bkjob@tcp(127.0.0.1:$BKJOB_SVC_MYSQL_PORT)/bkjob?parseTime=true")
export BKJOB_TEST_REDIS_URL=$(squote "redis://127.0.0.1:$BKJOB_SVC_REDIS_PORT/0")
export BKJOB_TEST_AMQP_URL=$(squote "amqp://guest:guest@127.0.0.1:$BKJOB_SVC_AMQP_PORT/")
export BKJOB_TEST_AMQP_RESTART=$(squote "bash $SVC_DIR/rabbitmq.sh restart")
export BKJOB_TEST_MONGO_URI=$(squote "mongodb://127.0.0.1:$BKJOB_SVC_MONGO_PORT/")
export BKJOB_TEST_S3_ENDPOINT=$(squote "http://127.0.0.1:$BKJOB_SVC_S3_PORT")
export BKJOB_TEST_S3_ACCESS_KEY=$(squote "$S3_ACCESS_KEY")
export BKJOB_TEST_S3_SECRET_KEY=$(squote "$S3_SECRET_KEY")
export BKJOB_TEST_SSH_ADDR=$(squote "127.0.0.1:$BKJOB_SVC_SSH_PORT")
export BKJOB_TEST_SSH_USER=$(squote "$(id -un)")
export BKJOB_TEST_SSH_KEY=$(squote "$RUN_DIR/sshd/id_ed25519")
export BKJOB_TEST_SSH_HOST_KEY=$(squote "$RUN_DIR/sshd/host_ed25519.pub")
export BKJOB_TEST_CHROMIUM=$(squote "$(command -v chromium || echo /usr/bin/chromium)")
EOF_ENV
mv "$tmp" "$SERVICES_DIR/env"
log "all services ready in $((SECONDS - started))s; env written to $SERVICES_DIR/env"
