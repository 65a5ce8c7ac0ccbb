#!/usr/bin/env bash
# Stops every server up.sh started (by pid) and removes .services/run and
# .services/env. The FerretDB/VersityGW builds in .cache/bin are kept.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

names=(versitygw ferretdb sshd rabbitmq redis mysql)
pids=()
for name in "${names[@]}"; do
	bash "$SVC_DIR/$name.sh" stop &
	pids+=("$!")
done
failed=()
for i in "${!names[@]}"; do
	wait "${pids[$i]}" || failed+=("${names[$i]}")
done
[[ ${#failed[@]} -eq 0 ]] || die "could not stop: ${failed[*]}; $RUN_DIR kept"
rm -rf "$RUN_DIR" "$SERVICES_DIR/env"
log "services stopped"
