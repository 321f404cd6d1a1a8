#!/usr/bin/env bash
# The images the compose stack and the testcontainers fixtures run, found or built:
#
#   deploy/images/build.sh           # logs on stderr; `export NAME=image` lines on stdout
#   deploy/images/build.sh engines   # only Kafka and PostgreSQL (the test fixtures' images)
#
# KAFKA_IMAGE (default apache/kafka:$KAFKA_VERSION) and POSTGRES_IMAGE (default
# postgres:15) are used when present locally or pullable; when no registry answers,
# equivalents are built from Debian packages (kafka/, postgres/ here, on a debootstrap
# base) and the pinned Kafka jars. The suite image CONCIERGE_IMAGE (default
# concierge:dev) is built on PYTHON_BASE_IMAGE (default python:3.11-slim, or its local
# stand-in python/). The chosen names are also written to .local/images.env.
# BUILD_CA_BUNDLE: a CA bundle pip trusts while building (default: the system one, so a
# TLS-inspecting package proxy works); empty to use none.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source deploy/local/env.sh
source deploy/local/_lib.sh
IMAGES=deploy/images

: "${CONCIERGE_IMAGE:=concierge:dev}"
: "${PYTHON_BASE_IMAGE:=python:3.11-slim}"
: "${KAFKA_IMAGE:=apache/kafka:$KAFKA_VERSION}"
: "${POSTGRES_IMAGE:=postgres:15}"
: "${BUILD_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt}"
DEBIAN_IMAGE=concierge-local/debian:bookworm
DEBIAN_MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

have() { docker image inspect "$1" >/dev/null 2>&1; }
pull() { timeout "${PULL_TIMEOUT:-120}" docker pull -q "$1" >/dev/null 2>&1; }
build() {  # build <tag> <context> [docker build args...]
    local tag=$1 context=$2; shift 2
    log "building $tag"
    docker build -q --network host -t "$tag" "$@" "$context" >/dev/null
}

debian_base() {
    have "$DEBIAN_IMAGE" && return 0
    command -v debootstrap >/dev/null 2>&1 || apt_install debootstrap
    local root; root="$(mktemp -d)"
    log "debootstrap bookworm (minbase) from $DEBIAN_MIRROR"
    debootstrap --variant=minbase bookworm "$root" "$DEBIAN_MIRROR" >/dev/null
    tar -C "$root" -c . | docker import - "$DEBIAN_IMAGE" >/dev/null
    rm -rf "$root"
}

# Use <image> if it is here or pullable, else (re)build the local stand-in (Docker's
# layer cache makes an unchanged one quick); print the name.
resolve() {  # resolve <image> <local tag> <builder function>
    if have "$1" || pull "$1"; then echo "$1"; return; fi
    log "$1 is not available (no registry answers): using $2"
    debian_base
    "$3" "$2"
    echo "$2"
}

local_python() { build "$1" "$IMAGES/python" --build-arg "DEBIAN_IMAGE=$DEBIAN_IMAGE"; }
local_postgres() { build "$1" "$IMAGES/postgres" --build-arg "DEBIAN_IMAGE=$DEBIAN_IMAGE"; }
local_kafka() {
    ensure_kafka_jars
    local context; context="$(mktemp -d)"
    cp -r "$IMAGES/kafka/." "$context/"
    cp -r "$KAFKA_CACHE/libs" "$context/libs"
    cp deploy/local/log4j2-broker.properties deploy/local/log4j2-tools.properties "$context/"
    build "$1" "$context" --build-arg "DEBIAN_IMAGE=$DEBIAN_IMAGE"
    rm -rf "$context"
}

KAFKA_IMAGE="$(resolve "$KAFKA_IMAGE" "concierge-local/kafka:$KAFKA_VERSION" local_kafka)"
POSTGRES_IMAGE="$(resolve "$POSTGRES_IMAGE" concierge-local/postgres:15 local_postgres)"
if [ "${1:-all}" != engines ]; then
    PYTHON_BASE_IMAGE="$(resolve "$PYTHON_BASE_IMAGE" concierge-local/python:3.11-slim local_python)"
    rm -f "$IMAGES"/build-ca/*.pem
    [ -n "$BUILD_CA_BUNDLE" ] && [ -f "$BUILD_CA_BUNDLE" ] && cp "$BUILD_CA_BUNDLE" "$IMAGES/build-ca/host.pem"
    build "$CONCIERGE_IMAGE" . -f "$IMAGES/Dockerfile" --build-arg "BASE_IMAGE=$PYTHON_BASE_IMAGE"
    rm -f "$IMAGES"/build-ca/*.pem
fi

mkdir -p "$CONCIERGE_STATE_DIR"
cat >"$CONCIERGE_STATE_DIR/images.env" <<ENV
CONCIERGE_IMAGE=$CONCIERGE_IMAGE
KAFKA_IMAGE=$KAFKA_IMAGE
POSTGRES_IMAGE=$POSTGRES_IMAGE
ENV
sed 's/^/export /' "$CONCIERGE_STATE_DIR/images.env"
