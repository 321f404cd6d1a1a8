#!/usr/bin/env bash
# `make compose-test`: images built or found, a fresh compose stack (project
# concierge-test, its own host ports), the e2e suite run against it by configuration,
# then the fault tests (each prints accepted / refused / lost / doubled / republished),
# and the stack removed with its volumes (KEEP_STACK=1 keeps it).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
deploy/images/ensure-docker.sh
eval "$(deploy/images/build.sh)"

export COMPOSE_PROJECT_NAME="${COMPOSE_PROJECT_NAME:-concierge-test}"
export POSTGRES_HOST_PORT="${POSTGRES_HOST_PORT:-25432}" GATEWAY_HOST_PORT="${GATEWAY_HOST_PORT:-28000}"
export KAFKA_1_HOST_PORT="${KAFKA_1_HOST_PORT:-29092}" KAFKA_2_HOST_PORT="${KAFKA_2_HOST_PORT:-29093}"
export KAFKA_3_HOST_PORT="${KAFKA_3_HOST_PORT:-29094}"
export CONCIERGE_CLOCK_SETTABLE=true CONCIERGE_NAMESPACE=""
export CONCIERGE_NOTICES_DIR="${CONCIERGE_STATE_DIR:-$PWD/.local}/compose/$COMPOSE_PROJECT_NAME/notices"
compose=deploy/compose/compose.sh

$compose down -v --remove-orphans >/dev/null 2>&1 || true
[ -n "${KEEP_STACK:-}" ] || trap '$compose down -v --remove-orphans >/dev/null 2>&1' EXIT
$compose up -d
deploy/compose/wait-healthy.sh

# The tests find the stack through the same variables a developer would set.
export CONCIERGE_COMPOSE_PROJECT="$COMPOSE_PROJECT_NAME"
export CONCIERGE_GATEWAY_URL="http://127.0.0.1:$GATEWAY_HOST_PORT"
export DATABASE_URL="postgresql://postgres:${POSTGRES_PASSWORD:-concierge-admin}@127.0.0.1:$POSTGRES_HOST_PORT/concierge"
export KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:$KAFKA_1_HOST_PORT,127.0.0.1:$KAFKA_2_HOST_PORT,127.0.0.1:$KAFKA_3_HOST_PORT"
export NOTIFY_LOG_PATH="$CONCIERGE_NOTICES_DIR/notifications.jsonl"
status=0
# shellcheck disable=SC2086  # PYTEST_ARGS is a list of flags
.venv/bin/python -m pytest -p no:cacheprovider tests/e2e ${PYTEST_ARGS:-} || status=$?
# shellcheck disable=SC2086
.venv/bin/python -m pytest -p no:cacheprovider -s tests/compose ${PYTEST_ARGS:-} || status=$?
# What one durable PostgreSQL primary takes (docs/scaling.md).
.venv/bin/python -m bench.durable_writes || status=$?
exit "$status"
