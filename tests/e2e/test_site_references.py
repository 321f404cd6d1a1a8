"""Every id that crosses an aggregate or context boundary belongs to the same site.

Two sites, A and B, for each path: checked at the command (a 4xx naming the field,
nothing stored) and again in the reaction (a message naming the other site's object is
dead-lettered and never applied). The forged messages name objects of site A that exist,
so only the reaction under test has anything to refuse.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import httpx
import psycopg
import pytest

from contracts import mail, topics, visitor, workorder
from contracts.base import ContractEvent
from contracts.envelope import Envelope
from contracts.topics import dead_letter
from runtime.auth import Role
from runtime.kafka import idempotent_producer
from tests.conftest import Stack
from tests.helpers import bearer, eventually, problem, stored_events
from tests.infra import read_topic

SITE_A, SITE_B = uuid4(), uuid4()
UNITS = {SITE_A: ["12A", "15C"], SITE_B: ["B-7", "B-9"]}
MOVED_OUT = {SITE_A: "8B", SITE_B: "B-1"}


def as_role(role: Role, site: UUID) -> dict[str, str]:
    return bearer(role, [site])


@pytest.fixture(scope="module")
def api(stack: Stack) -> httpx.Client:
    """Both sites with a mail directory, known to the front desk."""
    with httpx.Client(base_url=stack.base_url, timeout=30) as client:
        for site, units in UNITS.items():
            entries = [{"unit": u, "contact_email": f"{u.lower()}@tenants.example"} for u in units]
            entries.append({"unit": MOVED_OUT[site], "moved_out": True})
            client.put(
                f"/sites/{site}/mail/directory",
                json={"entries": entries},
                headers=as_role(Role.CS_MANAGER, site),
            ).raise_for_status()
        for site in UNITS:  # the roster has reached the desk once it refuses a stranger
            eventually(
                lambda site=site: visit(client, site, "no-such-unit").status_code,
                lambda status: status == 422,
            )
        yield client


def stored(stack: Stack, context: str) -> int:
    return stored_events(
        stack.infra.database_url, f"{stack.infra.namespace}{context}", f"{context}_events"
    )


def forge(stack: Stack, topic: str, data: ContractEvent, aggregate_id: UUID, version: int) -> str:
    """Publish `data` as the aggregate's event `version`, as if its context had, once the
    aggregate's earlier events are on the topic (so consumers meet them first): returns
    the message's ce_id."""
    name = f"{stack.infra.namespace}{topic}"
    eventually(
        lambda: {
            dict(m.headers)["ce_id"] for m in asyncio.run(read_topic(stack.infra.kafka, name))
        },
        lambda ids: f"{aggregate_id}:{version - 1}".encode() in ids,
    )
    envelope = Envelope.wrap(
        data, aggregate_id=aggregate_id, version=version, time=datetime.now(UTC),
        correlation_id=f"forged-{uuid4()}",
    )  # fmt: skip

    async def send() -> None:
        producer = idempotent_producer(stack.infra.kafka)
        await producer.start()
        try:
            await producer.send_and_wait(
                name, value=envelope.value(), key=envelope.key(), headers=envelope.headers()
            )
        finally:
            await producer.stop()

    asyncio.run(send())
    return envelope.id


def refused_as_foreign(stack: Stack, topic: str, ce_id: str, projection: str) -> None:
    """The message lands on the dead-letter topic, refused by `projection` as naming
    another site's object."""

    def dead() -> list[dict[str, bytes]]:
        messages = asyncio.run(
            read_topic(stack.infra.kafka, dead_letter(f"{stack.infra.namespace}{topic}"))
        )
        return [h for h in (dict(m.headers) for m in messages) if h["ce_id"] == ce_id.encode()]

    letters = eventually(dead, lambda found: len(found) > 0, timeout=30)
    assert {h["dlq_projection"] for h in letters} == {projection.encode()}
    refusal = b" ".join(letters[0].values())
    assert b"ForeignSiteReference" in refusal or b"foreign_site_reference" in refusal, letters


# -- work order -> complaint ------------------------------------------------------------


def register_complaint(api: httpx.Client, site: UUID, category: str = "noise") -> str:
    body = {"channel": "phone", "complainant": "Zhou Min", "unit": "15C", "category": category,
            "content": f"{category} complaint"}  # fmt: skip
    response = api.post(
        f"/sites/{site}/complaints", json=body, headers=as_role(Role.RECEPTIONIST, site)
    )
    assert response.status_code == 201, response.text
    return str(response.json()["complaint_id"])


def report_from_complaint(api: httpx.Client, site: UUID, complaint_id: str) -> httpx.Response:
    body = {"source": "complaint", "complaint_id": complaint_id, "category": "plumbing",
            "location": "15F", "unit": "15C", "content": "ceiling leaks", "reporter": "desk"}  # fmt: skip
    return api.post(f"/sites/{site}/repairs", json=body, headers=as_role(Role.RECEPTIONIST, site))


def first_report(api: httpx.Client, site: UUID, complaint_id: str) -> httpx.Response:
    """Report from a complaint once work orders know it (it travels through Kafka)."""
    return eventually(
        lambda: report_from_complaint(api, site, complaint_id), lambda r: r.status_code != 422
    )


def test_a_repair_cannot_name_another_sites_complaint(api: httpx.Client, stack: Stack) -> None:
    complaint_b = register_complaint(api, SITE_B)
    assert first_report(api, SITE_B, complaint_b).status_code == 201  # known to work orders
    before = stored(stack, "workorder")
    foreign = report_from_complaint(api, SITE_A, complaint_b)
    assert foreign.status_code == 422, foreign.text
    assert problem(foreign).fields[0] == "complaint_id"
    # Another site's complaint answers exactly like one that does not exist (no probing).
    nobody = str(uuid4())
    unknown = report_from_complaint(api, SITE_A, nobody)
    assert unknown.status_code == 422
    assert problem(foreign).detail.replace(complaint_b, "?") == problem(unknown).detail.replace(
        nobody, "?"
    )
    assert stored(stack, "workorder") == before


def test_a_second_report_for_one_complaint_names_the_work_order(
    api: httpx.Client, stack: Stack
) -> None:
    complaint = register_complaint(api, SITE_A)
    first = first_report(api, SITE_A, complaint)
    assert first.status_code == 201, first.text
    before = stored(stack, "workorder")
    second = report_from_complaint(api, SITE_A, complaint)
    assert second.status_code == 409, second.text
    error = problem(second)
    assert error.kind == "conflict"
    assert f"already has work order {first.json()['work_order_id']}" in error.detail, error
    assert stored(stack, "workorder") == before


def test_a_repair_complaint_opens_its_own_sites_work_order_and_no_second(
    api: httpx.Client,
) -> None:
    complaint = register_complaint(api, SITE_A, category="repair")
    board = eventually(
        lambda: api.get(
            f"/sites/{SITE_A}/work-orders", headers=as_role(Role.RECEPTIONIST, SITE_A)
        ).json(),
        lambda rows: any(r["complaint_id"] == complaint for r in rows),
    )
    opened = next(r for r in board if r["complaint_id"] == complaint)
    again = first_report(api, SITE_A, complaint)
    assert again.status_code == 409, again.text
    assert opened["work_order_id"] in problem(again).detail


def known_to_work_orders(stack: Stack, complaint_id: str) -> str | None:
    """The complaint's status as work orders know it (the feedback events reach them
    through Kafka), read from their table without reporting anything."""
    schema = f"{stack.infra.namespace}workorder_read"
    with psycopg.connect(stack.infra.database_url) as conn:
        row = conn.execute(
            f'SELECT status FROM "{schema}".known_complaints WHERE complaint_id = %s',
            (complaint_id,),
        ).fetchone()
    return str(row[0]) if row else None


def test_a_rejected_complaint_opens_no_repair(api: httpx.Client, stack: Stack) -> None:
    complaint = register_complaint(api, SITE_A)
    api.post(
        f"/sites/{SITE_A}/complaints/{complaint}/rejection",
        json={"reason": "not the property's matter"},
        headers=as_role(Role.CS_REP, SITE_A),
    ).raise_for_status()
    # Wait for the rejection itself: a report made while work orders only know the
    # registration would rightly open a repair.
    eventually(lambda: known_to_work_orders(stack, complaint), lambda s: s == "rejected")
    refused = report_from_complaint(api, SITE_A, complaint)
    assert refused.status_code == 409
    assert "rejected" in problem(refused).detail


def test_a_verified_repair_resolves_no_complaint_of_another_site(
    api: httpx.Client, stack: Stack
) -> None:
    """The reported attack: site A's verified repair naming site B's complaint."""
    complaint_b = register_complaint(api, SITE_B)
    order_a = api.post(
        f"/sites/{SITE_A}/repairs",
        json={"source": "patrol", "category": "civil", "location": "lobby", "content": "tile",
              "reporter": "patrol"},
        headers=as_role(Role.RECEPTIONIST, SITE_A),
    ).json()["work_order_id"]  # fmt: skip
    before = stored(stack, "feedback")
    verified = workorder.RepairVerified(
        site_id=SITE_A, work_order_id=UUID(order_a), occurred_at=datetime.now(UTC),
        number="WO-A-2026-00001", verifier="cs", method="phone", unit=None, tenant=None,
        paid=False, fee=Decimal("0.00"), complaint_id=UUID(complaint_b),
    )  # fmt: skip
    ce_id = forge(stack, topics.WORKORDER, verified, UUID(order_a), version=2)
    refused_as_foreign(stack, topics.WORKORDER, ce_id, "feedback_resolved_by_repairs")
    complaint = api.get(
        f"/sites/{SITE_B}/complaints/{complaint_b}", headers=as_role(Role.CS_REP, SITE_B)
    ).json()
    assert complaint["status"] == "registered" and complaint["work_order_id"] is None
    assert stored(stack, "feedback") == before


# -- visitor hosts and switchboard messages -> the site's units (mail directory) ------------


def visit(api: httpx.Client, site: UUID, unit: str, walk_in: bool = False) -> httpx.Response:
    now = datetime.now(UTC)
    body: dict[str, Any] = {"visitor_name": "Guo Jing", "host_unit": unit, "host_name": "Han",
                            "purpose": "meeting"}  # fmt: skip
    if walk_in:
        return api.post(
            f"/sites/{site}/visits", json=body, headers=as_role(Role.RECEPTIONIST, site)
        )
    body |= {"expected_from": now.isoformat(), "expected_until": (now + timedelta(hours=2)).isoformat()}  # fmt: skip
    return api.post(
        f"/sites/{site}/visits/pre-registrations",
        json=body,
        headers=as_role(Role.RECEPTIONIST, site),
    )


def phone_message(api: httpx.Client, site: UUID, unit: str) -> httpx.Response:
    body = {"caller_name": "Xu Zhu", "caller_phone": "13800138000", "reason": "call back",
            "for_unit": unit, "for_person": "Han"}  # fmt: skip
    return api.post(
        f"/sites/{site}/phone-messages", json=body, headers=as_role(Role.RECEPTIONIST, site)
    )


@pytest.mark.parametrize(
    ("call", "field", "message"),
    [
        (lambda api: visit(api, SITE_A, "B-7"), "host_unit", "not a unit of this site"),
        (lambda api: visit(api, SITE_A, "B-7", walk_in=True), "host_unit", "not a unit"),
        (lambda api: visit(api, SITE_A, "8B"), "host_unit", "moved out"),
        (lambda api: phone_message(api, SITE_A, "B-9"), "for_unit", "not a unit of this site"),
    ],
    ids=["pre-registration", "walk-in", "moved-out-host", "phone-message"],
)
def test_the_desk_names_only_its_own_sites_units(
    api: httpx.Client, stack: Stack, call: Any, field: str, message: str
) -> None:
    assert visit(api, SITE_B, "B-7").status_code == 201  # B's unit, at B
    before = stored(stack, "visitor")
    response = call(api)
    assert response.status_code == 422, response.text
    error = problem(response)
    assert error.fields == [field] and message in error.detail, error
    assert stored(stack, "visitor") == before


def test_mail_is_received_only_for_the_sites_own_units(api: httpx.Client, stack: Stack) -> None:
    before = stored(stack, "mail")
    response = api.post(
        f"/sites/{SITE_A}/mail/items", json={"kind": "letter", "recipient_unit": "B-7"},
        headers=as_role(Role.RECEPTIONIST, SITE_A),
    )  # fmt: skip
    assert response.status_code == 422, response.text
    assert problem(response).fields[0] == "recipient_unit"
    assert stored(stack, "mail") == before


def notices(stack: Stack) -> list[dict[str, Any]]:
    path = stack.infra.notify_log
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_a_visitor_notice_never_reaches_another_sites_unit(api: httpx.Client, stack: Stack) -> None:
    arrived = visit(api, SITE_A, "12A", walk_in=True)
    assert arrived.status_code == 201, arrived.text
    visit_id = UUID(arrived.json()["visit_id"])
    notified = visitor.HostNotified(
        site_id=SITE_A, visit_id=visit_id, host_unit="B-7", host_name="Han",
        reason="arrival", occurred_at=datetime.now(UTC),
    )  # fmt: skip
    ce_id = forge(stack, topics.VISITOR, notified, visit_id, version=3)
    refused_as_foreign(stack, topics.VISITOR, ce_id, "mail_tenant_notices")
    assert not [n for n in notices(stack) if n["unit"] == "B-7"]


def test_a_mail_notice_never_reaches_another_sites_unit(api: httpx.Client, stack: Stack) -> None:
    item = api.post(
        f"/sites/{SITE_A}/mail/items", json={"kind": "letter", "recipient_unit": "15C"},
        headers=as_role(Role.RECEPTIONIST, SITE_A),
    )  # fmt: skip
    assert item.status_code == 201, item.text
    item_id = UUID(item.json()["item_id"])
    notified = mail.RecipientNotified(
        site_id=SITE_A, item_id=item_id, recipient_unit="B-9", recipient_person=None,
        urgent=True, kind=mail.MailKind.LETTER, occurred_at=datetime.now(UTC),
    )  # fmt: skip
    ce_id = forge(stack, topics.MAIL, notified, item_id, version=3)
    refused_as_foreign(stack, topics.MAIL, ce_id, "mail_tenant_notices")
    assert not [n for n in notices(stack) if n["unit"] == "B-9"]
