#!/usr/bin/env bash
# A Docker engine that answers, and Compose: installed from Debian's packages when missing
# (docker.io, docker-compose v1, debootstrap for local base images), dockerd started in the
# background when nothing runs it (no systemd needed). Idempotent; needs root to install.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../local/env.sh"
source "$(dirname "${BASH_SOURCE[0]}")/../local/_lib.sh"

missing=()
[ -x /usr/bin/dockerd ] || missing+=(docker.io)
command -v docker-compose >/dev/null 2>&1 || docker compose version >/dev/null 2>&1 \
    || missing+=(docker-compose)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
[ "${#missing[@]}" -eq 0 ] || apt_install "${missing[@]}"

if ! docker info >/dev/null 2>&1; then
    mkdir -p "$CONCIERGE_STATE_DIR/logs"
    log "starting dockerd (log: $CONCIERGE_STATE_DIR/logs/dockerd.log)"
    setsid nohup dockerd </dev/null >>"$CONCIERGE_STATE_DIR/logs/dockerd.log" 2>&1 &
    for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
    docker info >/dev/null 2>&1 || die "dockerd did not answer within 60 s"
fi
