#!/usr/bin/env bash
# Compose on this stack: `docker compose` (v2) when present, else Debian's docker-compose
# (v1), with the project name, the file and the images deploy/images/build.sh chose.
#   deploy/compose/compose.sh ps | logs -f gateway | down -v | ...
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
state="${CONCIERGE_STATE_DIR:-$root/.local}"
if [ -f "$state/images.env" ]; then
    while IFS='=' read -r name value; do
        # Names exported by the caller win over the ones build.sh recorded.
        [ -n "${!name:-}" ] || export "$name=$value"
    done <"$state/images.env"
fi
# Tenant notices (log notifier) land here, readable by the tests; the services run as
# uid 10001, so the directory is world-writable (sticky).
project="${COMPOSE_PROJECT_NAME:-concierge}"
export CONCIERGE_NOTICES_DIR="${CONCIERGE_NOTICES_DIR:-$state/compose/$project/notices}"
install -d -m 1777 "$CONCIERGE_NOTICES_DIR"
# Tokens: a deployment sets JWT_SECRET (>= 32 bytes) or JWT_JWKS_URL. Without either the
# stack is a local one and the gateway may verify with the built-in development secret
# (it refuses to start on it otherwise).
if [ -z "${JWT_SECRET:-}" ] && [ -z "${JWT_JWKS_URL:-}" ]; then
    export JWT_ALLOW_DEV_SECRET="${JWT_ALLOW_DEV_SECRET:-true}"
    export CONSOLE_DEMO_USERS="${CONSOLE_DEMO_USERS:-true}"  # the console's demo sign-in
fi
if docker compose version >/dev/null 2>&1; then
    exec docker compose -p "$project" -f "$here/docker-compose.yml" "$@"
fi
exec docker-compose -p "$project" -f "$here/docker-compose.yml" "$@"
