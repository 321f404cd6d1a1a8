#!/bin/bash
# Run a Java main class from the Kafka jars, like the distribution's script of that name.
# Tools log warnings to stderr; the broker sets its own log4j2 file.
exec java ${KAFKA_HEAP_OPTS:--Xmx256m} \
    ${KAFKA_JVM_PERFORMANCE_OPTS:--XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true} \
    ${KAFKA_LOG4J_OPTS:--Dlog4j2.configurationFile=/opt/kafka/config/tools-log4j2.properties} \
    ${KAFKA_OPTS:-} -cp "/opt/kafka/libs/*" "$@"
