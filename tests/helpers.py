"""Small helpers shared by the tests."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
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
