"""Small helpers shared by the tests."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from uuid import UUID

import psycopg

from runtime.auth import DEV_SECRET, Role, TokenConfig, mint
from services.gateway.settings import GatewaySettings
from tests.infra import free_port, reactions_behind

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


def relay_behind(database_url: str, schema: str, table: str) -> int:
    """How many stored events the service's outbox relay has not yet passed."""
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            f'SELECT (SELECT coalesce(max(notification_id), 0) FROM "{schema}".{table}),'
            f' (SELECT coalesce(max(last_notification_id), 0) FROM "{schema}".outbox_position)'
        ).fetchone()
    return max(int(row[0]) - int(row[1]), 0) if row else 0


def settled(database_url: str, bootstrap: str, namespace: str, services: list[str],
            timeout: float = 120) -> dict[str, int]:  # fmt: skip
    """Wait until what the stores hold has stopped flowing: every relay has published its
    store, every reaction has committed what it read, and the stores held the same number
    of events on three looks in a row. Answers how many each store holds."""
    deadline, previous, still = time.monotonic() + timeout, None, 0

    def counts() -> dict[str, int]:
        return {s: stored_events(database_url, f"{namespace}{s}", f"{s}_events") for s in services}

    while still < 3:
        now = counts()
        quiet = not asyncio.run(reactions_behind(bootstrap, namespace)) and not any(
            relay_behind(database_url, f"{namespace}{s}", f"{s}_events") for s in services
        )
        still = still + 1 if quiet and now == previous else 0
        previous = now
        if time.monotonic() > deadline:
            raise AssertionError(f"the stores did not settle; last counts {now}")
        time.sleep(0.3)
    return previous


def gateway_settings(**overrides: object) -> GatewaySettings:
    """Gateway settings for an in-process gateway whose services are not running."""
    targets = {
        f"{name}_grpc_target": f"127.0.0.1:{free_port()}"  # nothing listens there
        for name in ("visitor", "workorder", "billing", "feedback", "mail", "tenancy")
    }
    values = {"jwt_allow_dev_secret": True, "grpc_timeout_seconds": 0.5, **targets}
    return GatewaySettings(**{**values, **overrides})  # type: ignore[arg-type]


@dataclass(frozen=True)
class Problem:
    """An error response as the tests read it (the one place that knows its shape:
    RFC 9457 problem details, services.gateway.errors)."""

    status: int
    kind: str  # the `type` without its `urn:concierge:problem:` prefix
    detail: str
    fields: list[str | None]  # each field named (422 only), dotted paths
    messages: list[str]
    body: dict[str, Any]

    def names(self, field: str) -> bool:
        """Whether `field` (a name or a dotted path) is among the fields named; `body`
        stands for a rule across the body's fields (`field: null`)."""
        if field == "body":
            return None in self.fields
        return any(f == field or (f and field in f.split(".")) for f in self.fields)


def problem(response: Any) -> Problem:
    """The problem details of an error response (asserting their shape)."""
    assert response.headers["content-type"] == "application/problem+json", response.text[:300]
    body = json.loads(response.content)  # valid JSON, valid UTF-8
    assert body["status"] == response.status_code, body
    assert body["type"].startswith("urn:concierge:problem:"), body
    assert {"title", "detail", "instance", "correlation_id"} <= set(body), body
    errors = body.get("errors") or []
    return Problem(
        status=body["status"],
        kind=body["type"].removeprefix("urn:concierge:problem:"),
        detail=body["detail"],
        fields=[e["field"] for e in errors],
        messages=[e["message"] for e in errors],
        body=body,
    )
