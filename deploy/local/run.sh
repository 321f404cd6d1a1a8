#!/usr/bin/env bash
# `make run`: every service and the gateway (honcho), a demo group seeded through the
# HTTP API, then the URL and a token printed. Ctrl-C stops the services; `make down`
# stops PostgreSQL and Kafka.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source deploy/local/env.sh
export CONCIERGE_NAMESPACE="${CONCIERGE_NAMESPACE:-}"
: "${GATEWAY_PORT:=8000}"
# A local run signs its tokens with the built-in development secret (never in production).
: "${JWT_ALLOW_DEV_SECRET:=true}"
export GATEWAY_PORT JWT_ALLOW_DEV_SECRET

.venv/bin/honcho -f deploy/local/Procfile -d . start &
honcho_pid=$!
trap 'kill $honcho_pid 2>/dev/null; wait $honcho_pid 2>/dev/null' INT TERM EXIT

# The demo waits until every service answers through the gateway, then seeds.
.venv/bin/python -m deploy.demo "http://127.0.0.1:$GATEWAY_PORT"
wait $honcho_pid
