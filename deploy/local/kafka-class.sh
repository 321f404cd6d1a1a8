#!/usr/bin/env bash
# Run any Java main class from the cached Kafka jars, e.g.
#
#   deploy/local/kafka-class.sh org.apache.kafka.tools.ProducerPerformance \
#       --topic perf --num-records 10000 --record-size 200 --throughput -1 \
#       --producer-props bootstrap.servers=127.0.0.1:59092
#   deploy/local/kafka-class.sh org.apache.kafka.tools.TopicCommand \
#       --bootstrap-server 127.0.0.1:59092 --list
#
# Fetches the jars first if this Kafka version is not cached yet.
# Tool logging goes to stderr at WARN (log4j2-tools.properties).
# Override the heap / JVM flags with KAFKA_CLASS_OPTS (default -Xmx512m).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
source "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"

[ $# -ge 1 ] || die "usage: $0 <main.Class> [args...]"

ensure_java
ensure_kafka_jars

# shellcheck disable=SC2086  # KAFKA_CLASS_OPTS is a list of flags
exec java ${KAFKA_CLASS_OPTS:--Xmx512m} \
    -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$LOCAL_DIR/log4j2-tools.properties" \
    -cp "$KAFKA_CACHE/libs/*" "$@"
