#!/usr/bin/env bash
# `make run`: every service and the gateway under supervisord (deploy/local/supervisord.conf:
# a process that exits is started again), the demo group seeded through the HTTP API unless
# the system already holds it, then the URL and a token printed. Ctrl-C stops the services;
# `make down` stops PostgreSQL and Kafka; deploy/local/ctl.sh acts on one service.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source deploy/local/env.sh
export CONCIERGE_NAMESPACE="${CONCIERGE_NAMESPACE:-}"
export CONCIERGE_PYTHON="${CONCIERGE_PYTHON:-$PWD/.venv/bin/python}"
: "${GATEWAY_PORT:=8000}"
# A local run signs its tokens with the built-in development secret (never in production).
: "${JWT_ALLOW_DEV_SECRET:=true}"
# ... and lets the staff console's demo users sign in with the demo password.
: "${CONSOLE_DEMO_USERS:=true}"
export GATEWAY_PORT JWT_ALLOW_DEV_SECRET CONSOLE_DEMO_USERS
mkdir -p "$CONCIERGE_STATE_DIR/run" "$CONCIERGE_STATE_DIR/logs/services"

.venv/bin/supervisord -c deploy/local/supervisord.conf &
supervisor_pid=$!
trap 'kill $supervisor_pid 2>/dev/null; wait $supervisor_pid 2>/dev/null' INT TERM EXIT

# The demo waits until every service answers through the gateway, then seeds.
.venv/bin/python -m deploy.demo "http://127.0.0.1:$GATEWAY_PORT"
wait $supervisor_pid
