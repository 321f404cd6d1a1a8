#!/usr/bin/env bash
# Wait until every running container of the compose project with a health check is
# healthy (Compose v1 has no `up --wait`). WAIT_SECONDS, default 300.
set -euo pipefail
project="${COMPOSE_PROJECT_NAME:-concierge}"
deadline=$((SECONDS + ${WAIT_SECONDS:-300}))
while :; do
    pending="$(docker ps -q --filter "label=com.docker.compose.project=$project" \
        | xargs -r docker inspect --format '{{.Name}} {{if .State.Health}}{{.State.Health.Status}}{{else}}healthy{{end}}' \
        | awk '$2 != "healthy" {print $1}')"
    [ -z "$pending" ] && exit 0
    if [ "$SECONDS" -ge "$deadline" ]; then
        echo "not healthy after ${WAIT_SECONDS:-300}s: $pending" >&2
        exit 1
    fi
    sleep 2
done
