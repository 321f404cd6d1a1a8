#!/usr/bin/env bash
# Stop the local Kafka and PostgreSQL started by up.sh. Idempotent: fine if
# either (or both) is not running. Data is kept; the next up.sh restarts from it.
# To wipe all state:  deploy/local/down.sh && rm -rf "$CONCIERGE_STATE_DIR"
# Only one of them:   deploy/local/down.sh kafka   (postgres | kafka)
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
source "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"

STATE="$CONCIERGE_STATE_DIR"
PGDATA_DIR="$STATE/pg/data"
KAFKA_PROPS="$STATE/kafka/server.properties"
KAFKA_PIDFILE="$STATE/kafka/kafka.pid"

[ -d "$STATE" ] || { log "nothing to stop ($STATE does not exist)"; exit 0; }
exec 9>"$STATE/.stack.lock"
flock 9

# --- Kafka: SIGTERM = controlled shutdown; SIGKILL after 60 s ----------------
stop_kafka() {
    local pid; pid="$(cat "$KAFKA_PIDFILE" 2>/dev/null || true)"
    # Only signal the pid if it still is our broker (pids get recycled).
    if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null \
        || ! tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "kafka.Kafka $KAFKA_PROPS"; then
        log "kafka not running"
        rm -f "$KAFKA_PIDFILE"
        return 0
    fi
    log "stopping kafka (pid $pid)"
    kill -TERM "$pid"
    local _
    for _ in $(seq 1 600); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "kafka did not stop within 60s; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        sleep 0.5
    fi
    rm -f "$KAFKA_PIDFILE"
    log "kafka stopped"
}

# --- PostgreSQL: pg_ctl fast shutdown (disconnects clients) ------------------
stop_postgres() {
    local bindir; bindir="$(pg_bindir || true)"
    if [ -z "$bindir" ] || [ ! -f "$PGDATA_DIR/PG_VERSION" ] \
        || ! runuser -u postgres -- "$bindir/pg_ctl" -D "$PGDATA_DIR" status >/dev/null 2>&1; then
        log "postgres not running"
        return 0
    fi
    log "stopping postgres"
    runuser -u postgres -- "$bindir/pg_ctl" -D "$PGDATA_DIR" -m fast -w -t 60 stop >/dev/null
    log "postgres stopped"
}

for component in "${@:-kafka postgres}"; do
    for one in $component; do
        case "$one" in
            kafka) stop_kafka ;;
            postgres) stop_postgres ;;
            *) die "usage: $0 [kafka] [postgres]" ;;
        esac
    done
done
