"""Readiness through the gateway, and the operator's dead-letter commands on a live stack."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import httpx

from contracts import visitor as ev
from contracts.envelope import Envelope
from contracts.topics import VISITOR
from runtime.kafka import idempotent_producer
from tests.conftest import Stack
from tests.helpers import eventually
from tests.infra import ROOT

NOW = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)


def readyz(stack: Stack) -> dict[str, Any]:
    response = httpx.get(f"{stack.base_url}/readyz", timeout=10)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def visitor_dead_letters(body: dict[str, Any]) -> int:
    projections = body["services"]["visitor"]["projections"]
    return next(p["dead_letters"] for p in projections if p["name"] == "visitor_read_model")


def operator(stack: Stack, *args: str) -> tuple[int, list[dict[str, Any]]]:
    """`python -m services.visitor <args>` against the stack; its JSON lines."""
    done = subprocess.run(
        [sys.executable, "-m", "services.visitor", *args],
        cwd=ROOT, env={**os.environ, **stack.infra.env()}, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    return done.returncode, [json.loads(line) for line in done.stdout.splitlines()]


async def publish(stack: Stack, envelope: Envelope) -> None:
    producer = idempotent_producer(stack.infra.kafka)
    await producer.start()
    try:
        topic = f"{stack.infra.namespace}{VISITOR}"
        await producer.send_and_wait(
            topic, envelope.value(), envelope.key(), headers=envelope.headers()
        )
    finally:
        await producer.stop()


def test_readyz_answers_every_services_health_parts(stack: Stack) -> None:
    body = eventually(lambda: readyz(stack), lambda b: b["services"]["visitor"]["kafka"] == "ok")
    assert set(body["services"]) == {
        "visitor",
        "workorder",
        "billing",
        "feedback",
        "mail",
        "tenancy",
    }
    visitor = body["services"]["visitor"]
    assert visitor["database"] == "ok"
    read_model = next(p for p in visitor["projections"] if p["name"] == "visitor_read_model")
    assert read_model["running"] and isinstance(read_model["lag"], int)
    mail = {p["name"] for p in body["services"]["mail"]["projections"]}
    assert {"mail_read_model", "mail_tenant_notices", "mail_directory_from_tenancy"} <= mail, (
        "reactions report too"
    )


def test_a_dead_letter_degrades_readiness_until_an_operator_resolves_it(stack: Stack) -> None:
    baseline = visitor_dead_letters(readyz(stack))
    # An event the read model cannot apply (a check-out of a visit it never saw): stands in
    # for a projection bug meeting an event the write side accepted.
    site, visit = uuid4(), uuid4()
    orphan = ev.VisitorCheckedOut(site_id=site, visit_id=visit, occurred_at=NOW)
    asyncio.run(publish(stack, Envelope.wrap(orphan, aggregate_id=visit, version=4, time=NOW,
                                             correlation_id="c")))  # fmt: skip

    body = eventually(lambda: readyz(stack), lambda b: visitor_dead_letters(b) == baseline + 1)
    assert body["status"] == "degraded"
    assert any(p.startswith("visitor: visitor_read_model has ") for p in body["problems"])

    status, listed = operator(stack, "dead-letters", "list", "--projection", "visitor_read_model")
    assert status == 0
    letter = next(d for d in listed if d["ce_id"] == f"{visit}:4")
    assert letter["reason"] == "apply_error" and "ReadModelConflict" in letter["error"]
    assert letter["ce_type"] == "concierge.visitor.VisitorCheckedOut.v1"

    # Replay cannot fix what the code still cannot apply: it stays, with a new attempt.
    status, outcome = operator(
        stack, "dead-letters", "replay", "--projection", "visitor_read_model"
    )
    assert status == 1 and outcome[0]["still_dead"] >= 1

    status, outcome = operator(stack, "dead-letters", "dismiss", "--id", str(letter["id"]))
    assert status == 0 and outcome == [{"dismissed": 1}]
    eventually(lambda: readyz(stack), lambda b: visitor_dead_letters(b) == baseline)
    _, still = operator(stack, "dead-letters", "list", "--projection", "visitor_read_model")
    assert all(d["id"] != letter["id"] for d in still)
