# shellcheck shell=bash
# Sourceable environment for the local PostgreSQL + Kafka dev/test stack.
#
#   source deploy/local/env.sh
#
# Every variable only gets a default when it is not already set, so callers
# (CI, a developer's shell) can override anything by exporting it first.

# Repo root = two levels above this file (deploy/local/env.sh).
_concierge_local_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
_concierge_repo_root="$(cd "$_concierge_local_dir/../.." && pwd)"

# All mutable state (data dirs, logs, pid files) lives here; git-ignored.
: "${CONCIERGE_STATE_DIR:=$_concierge_repo_root/.local}"

# --- PostgreSQL -------------------------------------------------------------
: "${PG_PORT:=55432}"
: "${PG_USER:=concierge}"
: "${PG_PASSWORD:=concierge}"
: "${PG_DB:=concierge}"
: "${DATABASE_URL:=postgresql://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/$PG_DB}"

# --- Kafka (single-node KRaft) ----------------------------------------------
# Pinned broker version; verified against aiokafka 0.14.0 with
# kafka_smoke.py (see README.md before bumping).
: "${KAFKA_VERSION:=4.3.1}"
# Kafka 4.x logs through slf4j 1.7 -> log4j2. Its Maven poms pull log4j-api/core
# but not the slf4j binding the release tarball ships, so the fetch adds
# log4j-slf4j-impl and forces all log4j artifacts to this version -- the one
# the pinned Kafka's poms use (`mvn dependency:tree` to re-check on a bump).
: "${KAFKA_LOG4J_VERSION:=2.25.4}"
: "${KAFKA_PORT:=59092}"
: "${KAFKA_CONTROLLER_PORT:=59093}"
: "${KAFKA_BOOTSTRAP_SERVERS:=127.0.0.1:$KAFKA_PORT}"
# Broker jars are downloaded once per version, outside the repo.
: "${KAFKA_CACHE:=${XDG_CACHE_HOME:-$HOME/.cache}/concierge/kafka-$KAFKA_VERSION}"
# Broker heap; 1G is plenty for tests on a 2-core box.
: "${KAFKA_HEAP_OPTS:=-Xmx1G -Xms256m}"

export CONCIERGE_STATE_DIR PG_PORT PG_USER PG_PASSWORD PG_DB DATABASE_URL \
       KAFKA_VERSION KAFKA_LOG4J_VERSION KAFKA_PORT KAFKA_CONTROLLER_PORT KAFKA_BOOTSTRAP_SERVERS \
       KAFKA_CACHE KAFKA_HEAP_OPTS

unset _concierge_local_dir _concierge_repo_root
