"""Small helpers shared by the end-to-end tests."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar
from uuid import UUID

import psycopg

from runtime.auth import DEV_SECRET, Role, TokenConfig, mint
from services.gateway.settings import GatewaySettings
from tests.infra import free_port

CONFIG = TokenConfig(DEV_SECRET, "concierge-local", "concierge")
T = TypeVar("T")


def token(role: Role, sites: list[UUID], **kw: Any) -> str:
    return mint(CONFIG, subject=f"test-{role.value}", role=role, sites=sites, **kw)


def bearer(role: Role, sites: list[UUID], **kw: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(role, sites, **kw)}"}


def eventually(fetch: Callable[[], T], predicate: Callable[[T], bool], timeout: float = 15) -> T:
    """Poll `fetch` until `predicate` holds (read models are eventually consistent)."""
    deadline = time.monotonic() + timeout
    while True:
        value = fetch()
        if predicate(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met; last value: {value}")
        time.sleep(0.05)


def stored_events(database_url: str, schema: str, table: str) -> int:
    """How many events a service's store holds (to prove a refused command stored nothing)."""
    with psycopg.connect(database_url) as conn:
        row = conn.execute(f'SELECT count(*) FROM "{schema}".{table}').fetchone()
        return int(row[0]) if row else 0


def gateway_settings(**overrides: object) -> GatewaySettings:
    """Gateway settings for an in-process gateway whose services are not running."""
    targets = {
        f"{name}_grpc_target": f"127.0.0.1:{free_port()}"  # nothing listens there
        for name in ("visitor", "workorder", "billing", "feedback", "mail", "tenancy")
    }
    values = {"jwt_allow_dev_secret": True, "grpc_timeout_seconds": 0.5, **targets}
    return GatewaySettings(**{**values, **overrides})  # type: ignore[arg-type]
