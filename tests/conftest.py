from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.infra import ROOT, PrivateStack, free_port, process, provided_infra, wait_http

# A running stack to test instead of starting the services here (the compose stack):
# its gateway's URL; CONCIERGE_NAMESPACE and NOTIFY_LOG_PATH then name its namespace and
# where its tenant notices land, DATABASE_URL / KAFKA_BOOTSTRAP_SERVERS its engines.
GATEWAY_URL = os.environ.get("CONCIERGE_GATEWAY_URL")


@dataclass(frozen=True)
class Infra:
    database_url: str
    kafka: str
    namespace: str  # unique per test run: schemas and topics never collide

    @property
    def notify_log(self) -> Path:
        if GATEWAY_URL:
            return Path(os.environ["NOTIFY_LOG_PATH"])
        return ROOT / ".local" / "logs" / "tests" / f"{self.namespace}notifications.jsonl"

    def env(self, **extra: str) -> dict[str, str]:
        return {
            "DATABASE_URL": self.database_url,
            "KAFKA_BOOTSTRAP_SERVERS": self.kafka,
            "CONCIERGE_NAMESPACE": self.namespace,
            # Tests sign their tokens with the built-in development secret.
            "JWT_ALLOW_DEV_SECRET": "true",
            # The staff console's demo users sign in with the demo password.
            "CONSOLE_DEMO_USERS": "true",
            **extra,
        }


@pytest.fixture(scope="session")
def infra() -> Iterator[Infra]:
    with provided_infra() as (database_url, kafka):
        if GATEWAY_URL:
            yield Infra(database_url, kafka, os.environ.get("CONCIERGE_NAMESPACE", ""))
        else:
            yield Infra(database_url, kafka, f"t{uuid.uuid4().hex[:8]}_")


@pytest.fixture
def private_stack() -> Iterator[PrivateStack]:
    """PostgreSQL and Kafka of this test's own (started by the test), to restart under a
    service; removed afterwards."""
    stack = PrivateStack()
    try:
        yield stack
    finally:
        stack.remove()


SERVICES = ("visitor", "workorder", "billing", "feedback", "mail", "tenancy")


@dataclass(frozen=True)
class Stack:
    infra: Infra
    base_url: str


def suite_env(infra: Infra, **extra: str) -> dict[str, str]:
    """The environment of a whole suite on free ports: every service and the gateway."""
    env = infra.env(
        GATEWAY_PORT=str(free_port()),
        CONCIERGE_CLOCK_SETTABLE="1",
        NOTIFY_LOG_PATH=str(infra.notify_log),
        **extra,
    )
    for service in SERVICES:
        port = free_port()
        env[f"{service.upper()}_GRPC_PORT"] = str(port)
        env[f"{service.upper()}_GRPC_TARGET"] = f"127.0.0.1:{port}"
    return env


@pytest.fixture(scope="session")
def stack(infra: Infra) -> Iterator[Stack]:
    """Every service and the gateway, as processes, on the real infrastructure (or the
    running stack at CONCIERGE_GATEWAY_URL)."""
    if GATEWAY_URL:
        wait_http(f"{GATEWAY_URL}/readyz", timeout=120)
        yield Stack(infra, GATEWAY_URL)
        return
    env = suite_env(infra)
    with contextlib.ExitStack() as running:
        for service in SERVICES:
            running.enter_context(process(["-m", f"services.{service}"], env, service))
        running.enter_context(process(["-m", "services.gateway"], env, "gateway"))
        base_url = f"http://127.0.0.1:{env['GATEWAY_PORT']}"
        wait_http(f"{base_url}/readyz", timeout=120)  # a loaded 2-core machine
        yield Stack(infra, base_url)


# The fault tests need the compose stack (make compose-test); elsewhere they are not
# collected at all rather than skipped.
collect_ignore_glob = [] if os.environ.get("CONCIERGE_COMPOSE_PROJECT") else ["compose/*"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/integration/" in str(item.fspath) or "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.integration)
