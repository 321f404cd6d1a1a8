# shellcheck shell=bash
# Shared helpers for up.sh / down.sh / kafka-class.sh. Source after env.sh.

# shellcheck disable=SC2034  # used by the scripts that source this file
LOCAL_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

log()  { printf '[local-stack] %s\n' "$*" >&2; }
die()  { printf '[local-stack] ERROR: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------------------
# apt packages: install only what is missing; `apt-get update` at most once.
# ---------------------------------------------------------------------------
_APT_UPDATED=0
apt_install() {
    [ "$(id -u)" = 0 ] || die "need root to apt-get install $*"
    if [ "$_APT_UPDATED" = 0 ]; then
        log "apt-get update"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
        _APT_UPDATED=1
    fi
    log "apt-get install $*"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
}

ensure_java() {
    if ! command -v java >/dev/null 2>&1; then
        # openjdk-17 is Debian 12's default JRE; default-jre-headless elsewhere.
        apt_install openjdk-17-jre-headless || apt_install default-jre-headless
    fi
    command -v java >/dev/null 2>&1 || die "java still not found after install"
    # Kafka 4.x brokers need Java 17+.
    local major
    major="$(java -XshowSettings:properties -version 2>&1 \
             | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p')"
    [ "${major:-0}" -ge 17 ] || die "Kafka $KAFKA_VERSION needs Java 17+, found java ${major:-?} ($(command -v java))"
}

ensure_maven() {
    command -v mvn >/dev/null 2>&1 || apt_install maven
}

# Newest installed PostgreSQL bin dir (/usr/lib/postgresql/<ver>/bin).
pg_bindir() {
    local d
    d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)"
    [ -n "$d" ] && [ -x "$d/pg_ctl" ] && echo "$d"
}

ensure_postgres_pkg() {
    if [ -z "$(pg_bindir)" ] || ! id postgres >/dev/null 2>&1; then
        # Note: Debian's package also creates (and may start) a 'main' cluster
        # on 5432; we never use it, our own cluster runs on $PG_PORT.
        apt_install postgresql
    fi
    [ -n "$(pg_bindir)" ] || die "PostgreSQL binaries not found under /usr/lib/postgresql"
}

# ---------------------------------------------------------------------------
# Kafka jars: resolved once per version with Maven into $KAFKA_CACHE/libs.
# ---------------------------------------------------------------------------
KAFKA_MARKER="$KAFKA_CACHE/.complete"
kafka_jars_present() {
    [ -f "$KAFKA_MARKER" ] && [ "$(cat "$KAFKA_MARKER")" = "$KAFKA_VERSION log4j=$KAFKA_LOG4J_VERSION" ]
}

ensure_kafka_jars() {
    kafka_jars_present && return 0
    ensure_java
    ensure_maven
    mkdir -p "$KAFKA_CACHE"
    # Serialize concurrent fetches (e.g. up.sh and kafka-class.sh at once).
    exec 8>"$KAFKA_CACHE/.fetch.lock"
    flock 8
    if kafka_jars_present; then exec 8>&-; return 0; fi

    log "fetching Kafka $KAFKA_VERSION jars with Maven into $KAFKA_CACHE/libs (one-time)"
    local tmp; tmp="$(mktemp -d)"
    # kafka_2.13 = broker (kafka.Kafka, kafka.tools.StorageTool);
    # kafka-tools = ProducerPerformance, BrokerApiVersionsCommand, ...;
    # log4j-slf4j-impl = slf4j -> log4j2 binding (see KAFKA_LOG4J_VERSION).
    cat >"$tmp/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.concierge</groupId>
  <artifactId>kafka-runtime</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencyManagement><dependencies>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-api</artifactId><version>$KAFKA_LOG4J_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId><version>$KAFKA_LOG4J_VERSION</version></dependency>
  </dependencies></dependencyManagement>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-tools</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>$KAFKA_LOG4J_VERSION</version></dependency>
  </dependencies>
  <build><plugins><plugin>
    <groupId>org.apache.maven.plugins</groupId>
    <artifactId>maven-dependency-plugin</artifactId>
    <version>3.8.1</version>
  </plugin></plugins></build>
</project>
POM
    rm -rf "$KAFKA_CACHE/libs.tmp"
    # Maven output is kept quiet and only shown if the fetch fails.
    if ! (cd "$tmp" && mvn -q -B -Dstyle.color=never dependency:copy-dependencies \
            -DincludeScope=runtime -DoutputDirectory="$KAFKA_CACHE/libs.tmp" \
            >"$tmp/mvn.log" 2>&1); then
        cat "$tmp/mvn.log" >&2
        rm -rf "$tmp"
        die "Maven could not fetch the Kafka $KAFKA_VERSION jars (see above)"
    fi
    rm -rf "$tmp" "$KAFKA_CACHE/libs"
    mv "$KAFKA_CACHE/libs.tmp" "$KAFKA_CACHE/libs"
    echo "$KAFKA_VERSION log4j=$KAFKA_LOG4J_VERSION" >"$KAFKA_MARKER"
    log "Kafka jars ready ($(ls "$KAFKA_CACHE/libs" | wc -l) jars)"
    exec 8>&-
}
