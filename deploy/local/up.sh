#!/usr/bin/env bash
# Start (or confirm running) a local PostgreSQL and a single-node KRaft Kafka
# as plain background processes -- no Docker. Idempotent: a second run only
# health-checks and returns in well under a second.
#
#   deploy/local/up.sh                   # logs on stderr, env exports on stdout
#   eval "$(deploy/local/up.sh)"         # ... and load the env into this shell
#   deploy/local/up.sh kafka             # only one of them (postgres | kafka)
#
# Installs missing pieces with apt-get (postgresql, a Java 17 JRE, maven) and
# downloads the Kafka jars once with Maven (see _lib.sh / KAFKA_CACHE).
# State: $CONCIERGE_STATE_DIR/{pg,kafka,logs}. Stop with deploy/local/down.sh.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
source "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"

STATE="$CONCIERGE_STATE_DIR"
LOGS="$STATE/logs"

PG_ROOT="$STATE/pg"
PGDATA_DIR="$PG_ROOT/data"
PG_SOCK_DIR="$PG_ROOT/run"          # unix socket dir (kept short: 107-byte limit)
PG_LOG="$LOGS/postgres.log"

KAFKA_DIR="$STATE/kafka"
KAFKA_DATA="$KAFKA_DIR/data"
KAFKA_PROPS="$KAFKA_DIR/server.properties"
KAFKA_PIDFILE="$KAFKA_DIR/kafka.pid"
KAFKA_LOG="$LOGS/kafka.log"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"

mkdir -p "$STATE" "$LOGS" "$KAFKA_DIR"
# Only one up.sh/down.sh at a time. NB: every server we spawn must get
# `9>&-`, or it would inherit this fd and hold the lock for its lifetime.
exec 9>"$STATE/.stack.lock"
flock 9

# ===========================================================================
# PostgreSQL
# ===========================================================================
as_pg() { runuser -u postgres -- "$@"; }

# The postgres user must be able to reach $PG_ROOT through every parent dir.
make_traversable_for_postgres() {
    local d="$1"
    while [ "$d" != "/" ]; do
        if ! as_pg test -x "$d" 2>/dev/null; then
            log "chmod o+x $d (so the postgres user can reach its data dir)"
            chmod o+x "$d"
        fi
        d="$(dirname "$d")"
    done
}

pg_running() {
    [ -f "$PGDATA_DIR/PG_VERSION" ] && as_pg "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" status >/dev/null 2>&1
}

pg_isready_() { "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -t 2; }

pg_init() {
    log "initdb $PGDATA_DIR"
    # Unix socket: trust (used by this script as the postgres superuser);
    # TCP: password (scram), like a real deployment.
    as_pg "$PG_BIN/initdb" -D "$PGDATA_DIR" -U postgres -E UTF8 --locale=C \
        --auth-local=trust --auth-host=scram-sha-256 >>"$PG_LOG" 2>&1 9>&- \
        || { tail -n 30 "$PG_LOG" >&2; die "initdb failed (log: $PG_LOG)"; }
}

pg_write_config() {
    # Settings live in an include file we rewrite on every start; the
    # include line is appended to initdb's postgresql.conf once.
    cat >"$PGDATA_DIR/concierge.conf" <<EOF
# Written by deploy/local/up.sh -- edits are overwritten.
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_SOCK_DIR'
max_connections = 500
shared_buffers = 256MB
# Test/dev only: trade durability for speed.
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
    chown postgres:postgres "$PGDATA_DIR/concierge.conf"
    grep -q "^include_if_exists = 'concierge.conf'" "$PGDATA_DIR/postgresql.conf" \
        || echo "include_if_exists = 'concierge.conf'" >>"$PGDATA_DIR/postgresql.conf"
}

pg_ensure_role_and_db() {
    # Idempotent: (re)assert role attributes/password, create the DB if missing.
    as_pg "$PG_BIN/psql" -X -q -h "$PG_SOCK_DIR" -p "$PG_PORT" -U postgres -d postgres \
        -v ON_ERROR_STOP=1 -v user="$PG_USER" -v pass="$PG_PASSWORD" -v db="$PG_DB" \
        >/dev/null 9>&- <<'SQL'
SELECT format('CREATE ROLE %I', :'user')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'user') \gexec
SELECT format('ALTER ROLE %I LOGIN SUPERUSER PASSWORD %L', :'user', :'pass') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'user')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
SQL
}

start_postgres() {
    ensure_postgres_pkg
    PG_BIN="$(pg_bindir)"

    if pg_running && pg_isready_; then
        log "postgres already running on 127.0.0.1:$PG_PORT"
        pg_ensure_role_and_db
        return 0
    fi

    if ! pg_running && pg_isready_; then
        die "something else is already listening on 127.0.0.1:$PG_PORT (not our cluster in $PGDATA_DIR)"
    fi

    # Directories: $PG_ROOT root-owned & world-traversable; data/run owned by postgres.
    mkdir -p "$PG_ROOT"
    chmod 755 "$STATE" "$PG_ROOT"
    install -d -o postgres -g postgres -m 700 "$PGDATA_DIR"
    install -d -o postgres -g postgres -m 755 "$PG_SOCK_DIR"
    touch "$PG_LOG" && chown postgres:postgres "$PG_LOG"
    make_traversable_for_postgres "$PG_ROOT"

    [ -f "$PGDATA_DIR/PG_VERSION" ] || pg_init
    pg_write_config

    if ! pg_running; then
        log "starting postgres ($PG_BIN) on 127.0.0.1:$PG_PORT"
        # pg_ctl detaches the postmaster (own session, output to -l file);
        # -w waits until it accepts connections.
        as_pg "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -l "$PG_LOG" -w -t 60 start \
            >/dev/null 9>&- \
            || { tail -n 30 "$PG_LOG" >&2; die "postgres failed to start (log: $PG_LOG)"; }
    fi

    local i
    for i in $(seq 1 30); do
        pg_isready_ && break
        [ "$i" = 30 ] && { tail -n 30 "$PG_LOG" >&2; die "postgres not ready after 30s"; }
        sleep 1
    done
    pg_ensure_role_and_db
    log "postgres ready"
}

# ===========================================================================
# Kafka
# ===========================================================================
kafka_pid() { cat "$KAFKA_PIDFILE" 2>/dev/null || true; }

kafka_alive() {
    local pid; pid="$(kafka_pid)"
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null \
        && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "kafka.Kafka $KAFKA_PROPS"
}

# Cheap liveness probe without a JVM: send a raw ApiVersions v0 request over
# bash's /dev/tcp and check that a response with our correlation id (7) comes
# back. Any Kafka version answers this (even if only with an error code).
kafka_probe() {
    (
        exec 3<>"/dev/tcp/127.0.0.1/$KAFKA_PORT" || exit 1
        # size=12 | api_key=18 ApiVersions | api_version=0 | correlation_id=7 | client_id="up"
        printf '\x00\x00\x00\x0c\x00\x12\x00\x00\x00\x00\x00\x07\x00\x02up' >&3
        resp="$(timeout 3 head -c 8 <&3 | od -An -tx1 | tr -d ' \n')"
        # resp = 4-byte size, then 4-byte correlation id
        [ "${resp:8:8}" = "00000007" ]
    ) 2>/dev/null
}

# Thorough readiness check (JVM, ~1-2 s): the broker is in the metadata the
# cluster serves, i.e. it is registered and unfenced.
kafka_registered() {
    timeout 30 "$LOCAL_DIR/kafka-class.sh" org.apache.kafka.tools.BrokerApiVersionsCommand \
        --bootstrap-server "$KAFKA_BOOTSTRAP_SERVERS" 2>/dev/null 9>&- \
        | grep -q "(id: 1 rack"
}

kafka_write_config() {
    cat >"$KAFKA_PROPS" <<EOF
# Written by deploy/local/up.sh -- edits are overwritten on every start.
# Single-node KRaft: this process is both broker and (the only) controller.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
log.dirs=$KAFKA_DATA

num.partitions=3
default.replication.factor=1
min.insync.replicas=1
auto.create.topics.enable=true
delete.topic.enable=true
group.initial.rebalance.delay.ms=0

# Internal topics: single replica; fewer partitions than the defaults (50)
# so the first consumer group / transaction on a fresh broker is quick.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1

num.network.threads=2
num.io.threads=4
log.retention.hours=24
EOF
}

kafka_format_if_needed() {
    [ -f "$KAFKA_DATA/meta.properties" ] && return 0
    local cluster_id
    cluster_id="$("$LOCAL_DIR/kafka-class.sh" kafka.tools.StorageTool random-uuid 9>&-)"
    log "formatting KRaft storage in $KAFKA_DATA (cluster id $cluster_id)"
    "$LOCAL_DIR/kafka-class.sh" kafka.tools.StorageTool format \
        -t "$cluster_id" -c "$KAFKA_PROPS" >>"$KAFKA_LOG" 2>&1 9>&- \
        || { tail -n 30 "$KAFKA_LOG" >&2; die "kafka storage format failed (log: $KAFKA_LOG)"; }
}

kafka_wait_ready() {
    local deadline=$((SECONDS + KAFKA_START_TIMEOUT))
    while [ "$SECONDS" -lt "$deadline" ]; do
        if ! kafka_alive; then
            log "kafka process exited during startup; last log lines:"
            tail -n 40 "$KAFKA_LOG" >&2
            die "kafka failed to start (log: $KAFKA_LOG)"
        fi
        if kafka_probe && kafka_registered; then
            return 0
        fi
        sleep 1
    done
    log "kafka not ready after ${KAFKA_START_TIMEOUT}s; last log lines:"
    tail -n 40 "$KAFKA_LOG" >&2
    die "kafka did not become ready on $KAFKA_BOOTSTRAP_SERVERS (log: $KAFKA_LOG)"
}

start_kafka() {
    if kafka_alive; then
        if kafka_probe; then
            log "kafka already running on $KAFKA_BOOTSTRAP_SERVERS (pid $(kafka_pid))"
            return 0
        fi
        log "kafka process $(kafka_pid) is up but not answering yet; waiting"
        kafka_wait_ready
        log "kafka ready"
        return 0
    fi
    if kafka_probe; then
        die "something else is already serving Kafka on 127.0.0.1:$KAFKA_PORT (not pid-file $KAFKA_PIDFILE)"
    fi

    ensure_java
    ensure_kafka_jars
    mkdir -p "$KAFKA_DATA"
    rm -f "$KAFKA_PIDFILE"
    kafka_write_config
    kafka_format_if_needed

    log "starting kafka $KAFKA_VERSION on $KAFKA_BOOTSTRAP_SERVERS (controller :$KAFKA_CONTROLLER_PORT)"
    # setsid + nohup: own session, immune to the caller's SIGHUP/terminal;
    # the inner bash records its own pid and then execs into the JVM, so
    # the pid file holds the java pid. stdin/stdout/stderr are detached.
    # shellcheck disable=SC2086,SC2016  # word-split heap opts; $$ is for the inner bash
    setsid nohup bash -c 'echo $$ >"$0"; exec "$@"' "$KAFKA_PIDFILE" \
        java $KAFKA_HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
            -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
            -Dlog4j2.configurationFile="$LOCAL_DIR/log4j2-broker.properties" \
            -Dkafka.logs.dir="$LOGS" \
            -cp "$KAFKA_CACHE/libs/*" kafka.Kafka "$KAFKA_PROPS" \
        </dev/null >>"$KAFKA_LOG" 2>&1 9>&- &
    # Wait for the pid file to appear (written by the child right away).
    local i
    for i in $(seq 1 50); do [ -s "$KAFKA_PIDFILE" ] && break; sleep 0.1; done
    kafka_wait_ready
    log "kafka ready (pid $(kafka_pid))"
}

# The stack's ports lie inside Linux's ephemeral range (32768-60999): a busy test run's
# outgoing connections can hold one of them just when a server binds it ("Address
# already in use", seen in CI). Reserve them from ephemeral use where we may (root).
reserve_ports() {
    local file=/proc/sys/net/ipv4/ip_local_reserved_ports current
    [ -w "$file" ] || return 0
    current="$(cat "$file" 2>/dev/null)" || return 0
    echo "${current:+$current,}$PG_PORT,$KAFKA_PORT,$KAFKA_CONTROLLER_PORT" >"$file" 2>/dev/null || true
}
reserve_ports

# ===========================================================================
for component in "${@:-postgres kafka}"; do
    for one in $component; do
        case "$one" in
            postgres) start_postgres ;;
            kafka) start_kafka ;;
            *) die "usage: $0 [postgres] [kafka]" ;;
        esac
    done
done

# Env for the caller, on stdout (everything else went to stderr).
cat <<EOF
export CONCIERGE_STATE_DIR='$CONCIERGE_STATE_DIR'
export DATABASE_URL='$DATABASE_URL'
export PG_PORT='$PG_PORT'
export KAFKA_BOOTSTRAP_SERVERS='$KAFKA_BOOTSTRAP_SERVERS'
export KAFKA_PORT='$KAFKA_PORT'
export KAFKA_CONTROLLER_PORT='$KAFKA_CONTROLLER_PORT'
export KAFKA_VERSION='$KAFKA_VERSION'
export KAFKA_CACHE='$KAFKA_CACHE'
EOF
