"""Complaints through the gateway, and the cross-context flow complaint -> work order ->
verification -> paid-repair charge -> complaint resolved, on one correlation id."""

from __future__ import annotations

import asyncio
import json
from uuid import UUID, uuid4

import httpx
import pytest

from contracts import topics
from contracts.envelope import Envelope
from contracts.feedback import ComplaintRegistered
from runtime.auth import Role
from runtime.kafka import idempotent_producer
from tests.conftest import Stack
from tests.helpers import bearer, eventually, problem, stored_events
from tests.infra import read_topic

SITE, OTHER = uuid4(), uuid4()


def as_role(role: Role, site: UUID = SITE) -> dict[str, str]:
    return bearer(role, [site])


DESK, CS, MANAGER = as_role(Role.RECEPTIONIST), as_role(Role.CS_REP), as_role(Role.CS_MANAGER)


def complaint(**overrides: object) -> dict:
    return {"channel": "phone", "complainant": "Zhou Min", "unit": "15C", "company": "Blue Ocean Legal",
            "contact_phone": "+86 21 6000 1234", "category": "noise",
            "content": "drilling next door after 22:00", **overrides}  # fmt: skip


@pytest.fixture(scope="module")
def api(stack: Stack) -> httpx.Client:
    with httpx.Client(base_url=stack.base_url, timeout=30) as client:
        yield client


def stored(stack: Stack) -> int:
    return stored_events(
        stack.infra.database_url, f"{stack.infra.namespace}feedback", "feedback_events"
    )


def new_complaint(api: httpx.Client, **overrides: object) -> dict:
    response = api.post(f"/sites/{SITE}/complaints", json=complaint(**overrides), headers=DESK)
    assert response.status_code == 201, response.text
    return response.json()


def step(api: httpx.Client, complaint_id: str, name: str, body: dict) -> httpx.Response:
    return api.post(f"/sites/{SITE}/complaints/{complaint_id}/{name}", json=body, headers=CS)


def test_a_complaint_from_intake_to_reply_and_reopen(api: httpx.Client) -> None:
    c = new_complaint(api)
    assert c["status"] == "registered" and c["deadline"] > c["registered_at"]
    cid = c["complaint_id"]
    assert (
        step(
            api, cid, "investigation", {"cause": "third_party", "notes": "tenant 15D renovating"}
        ).json()["cause"]
        == "third_party"
    )
    assert (
        step(api, cid, "escalation", {"escalated_to": "CS manager", "reason": "repeat"}).json()[
            "status"
        ]
        == "escalated"
    )
    assert (
        step(api, cid, "resolution", {"resolution": "works limited to 9-18h"}).json()["status"]
        == "resolved"
    )
    assert (
        step(
            api, cid, "reply", {"channel": "phone", "message": "works now limited to 9-18h"}
        ).json()["status"]
        == "replied"
    )
    reopened = step(api, cid, "reopening", {"reason": "still drilling at night"})
    assert reopened.json()["status"] == "reopened" and reopened.json()["reopen_count"] == 1
    # The open-complaints read model catches up in its own time: it may show the
    # complaint as escalated (open then too) before it shows it reopened.
    opened = eventually(
        lambda: api.get(f"/sites/{SITE}/complaints", headers=CS).json(),
        lambda rows: any(r["complaint_id"] == cid and r["status"] == "reopened" for r in rows),
    )
    assert next(r for r in opened if r["complaint_id"] == cid)["reopen_count"] == 1


def test_rejected_complaints_cannot_be_resolved(api: httpx.Client, stack: Stack) -> None:
    cid = new_complaint(api)["complaint_id"]
    assert step(api, cid, "rejection", {"reason": "not our building"}).status_code == 200
    before = stored(stack)
    response = step(api, cid, "resolution", {"resolution": "x"})
    assert response.status_code == 409 and "cannot be resolved" in problem(response).detail
    assert stored(stack) == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [({"content": ""}, "content"), ({"contact_phone": "call me"}, "contact_phone"),
     ({"category": "ghosts"}, "category"), ({"channel": "pigeon"}, "channel"),
     ({"unit": "15C; DROP"}, "unit")],
)  # fmt: skip
def test_bad_complaints_are_422_and_store_nothing(
    api: httpx.Client, stack: Stack, overrides: dict, field: str
) -> None:
    before = stored(stack)
    response = api.post(f"/sites/{SITE}/complaints", json=complaint(**overrides), headers=DESK)
    assert response.status_code == 422
    assert problem(response).names(field)
    assert stored(stack) == before


def test_satisfaction_per_quarter_against_the_target(api: httpx.Client) -> None:
    for scores in ([5, 5, 4], [4, 4, 4], [2, 3, 3], [5, 4, 5]):
        body = {
            "quarter": "2026-Q4",
            "scores": dict(zip(["reception", "repairs", "cleaning"], scores, strict=True)),
        }
        assert api.post(f"/sites/{SITE}/survey-responses", json=body, headers=CS).status_code == 201
    quarters = eventually(
        lambda: api.get(f"/sites/{SITE}/satisfaction", headers=MANAGER).json(),
        lambda q: q and q[0]["responses"] == 4,
    )
    assert quarters[0]["satisfied"] == 3 and quarters[0]["satisfied_share"] == 0.75
    assert quarters[0]["meets_target"] is False
    bad = api.post(
        f"/sites/{SITE}/survey-responses",
        json={"quarter": "2026-Q5", "scores": {"a": 6}},
        headers=CS,
    )
    assert bad.status_code == 422


def test_tenant_visit_follow_ups(api: httpx.Client) -> None:
    body = {"unit": "21F", "visited_by": "Li (CS)", "findings": ["meeting room AC weak"],
            "follow_ups": ["HVAC check in 21F"]}  # fmt: skip
    assert api.post(f"/sites/{SITE}/tenant-visits", json=body, headers=CS).status_code == 201
    rows = eventually(
        lambda: api.get(f"/sites/{SITE}/tenant-visits/follow-ups", headers=CS).json(),
        lambda r: len(r) >= 1,
    )
    assert rows[0]["follow_ups"] == ["HVAC check in 21F"]


def test_one_correlation_id_from_complaint_to_resolution(api: httpx.Client, stack: Stack) -> None:
    """Complaint -> work order -> verification -> paid-repair charge -> complaint resolved."""
    flow = f"flow-{uuid4()}"
    accountant = as_role(Role.ACCOUNTANT)
    api.put(
        f"/sites/{SITE}/billing/units",
        json={"units": [{"unit": "15C", "area_m2": "180"}]},
        headers=accountant,
    ).raise_for_status()
    registered = api.post(f"/sites/{SITE}/complaints", json=complaint(category="repair", content="water leaks from the ceiling"),
                          headers={**DESK, "X-Correlation-ID": flow})  # fmt: skip
    complaint_id = registered.json()["complaint_id"]
    orders = eventually(
        lambda: api.get(f"/sites/{SITE}/work-orders", headers=DESK).json(),
        lambda rows: any(r["complaint_id"] == complaint_id for r in rows),
    )
    order = next(r for r in orders if r["complaint_id"] == complaint_id)["work_order_id"]
    base = f"/sites/{SITE}/repairs/{order}"
    api.post(
        f"{base}/dispatch",
        json={"team": "engineering", "urgency": "high", "paid": True},
        headers=as_role(Role.DISPATCHER),
    ).raise_for_status()
    api.post(
        f"{base}/complete",
        json={"result": "pipe joint resealed", "labour_hours": "2", "fee": "260.00"},
        headers=as_role(Role.TECHNICIAN),
    ).raise_for_status()
    api.post(
        f"{base}/verify", json={"passed": True, "method": "on_site"}, headers=CS
    ).raise_for_status()
    resolved = eventually(
        lambda: api.get(f"/sites/{SITE}/complaints/{complaint_id}", headers=CS).json(),
        lambda c: c["status"] == "resolved",
    )
    assert resolved["work_order_id"] == order and "verified" in resolved["resolution"]
    account = eventually(
        lambda: api.get(f"/sites/{SITE}/billing/units/15C", headers=accountant).json(),
        lambda a: any(line["fee_type"] == "paid_repair" for line in a["lines"]),
    )
    assert [line["amount"] for line in account["lines"] if line["fee_type"] == "paid_repair"] == [
        "260.00"
    ]

    def flow_events(topic: str) -> list[str]:
        messages = asyncio.run(read_topic(stack.infra.kafka, f"{stack.infra.namespace}{topic}"))
        return [dict(m.headers)["ce_type"].decode().split(".")[2] for m in messages
                if dict(m.headers)["correlation_id"] == flow.encode()]  # fmt: skip

    assert flow_events(topics.FEEDBACK) == ["ComplaintRegistered", "ComplaintResolved"]
    assert flow_events(topics.WORKORDER) == [
        "RepairReported",
        "RepairDispatched",
        "RepairCompleted",
        "RepairVerified",
    ]
    assert "ChargePosted" in flow_events(topics.BILLING)


def test_the_same_complaint_event_delivered_twice_opens_one_work_order(
    api: httpx.Client, stack: Stack
) -> None:
    cid = new_complaint(api, category="repair", content="door closer broken")["complaint_id"]
    eventually(
        lambda: api.get(f"/sites/{SITE}/work-orders", headers=DESK).json(),
        lambda rows: any(r["complaint_id"] == cid for r in rows),
    )
    topic = f"{stack.infra.namespace}{topics.FEEDBACK}"
    original = next(m for m in asyncio.run(read_topic(stack.infra.kafka, topic))
                    if json.loads(m.value).get("complaint_id") == cid)  # fmt: skip
    envelope = Envelope.parse(original.headers, original.value)
    assert isinstance(envelope.data, ComplaintRegistered)
    # Re-publish the very same event, as a relay restart would.

    async def republish() -> None:
        producer = idempotent_producer(stack.infra.kafka)
        await producer.start()
        await producer.send_and_wait(
            topic, value=original.value, key=original.key, headers=list(original.headers)
        )
        await producer.stop()

    asyncio.run(republish())
    before = stored_events(
        stack.infra.database_url, f"{stack.infra.namespace}workorder", "workorder_events"
    )
    marker = new_complaint(api, category="repair", content="marker: consumed after the duplicate")[
        "complaint_id"
    ]
    eventually(
        lambda: api.get(f"/sites/{SITE}/work-orders", headers=DESK).json(),
        lambda rows: any(r["complaint_id"] == marker for r in rows),
    )
    rows = api.get(f"/sites/{SITE}/work-orders", headers=DESK).json()
    assert sum(1 for r in rows if r["complaint_id"] == cid) == 1
    after = stored_events(
        stack.infra.database_url, f"{stack.infra.namespace}workorder", "workorder_events"
    )
    assert after == before + 1  # only the marker's work order


def test_another_sites_staff_cannot_reach_complaints(api: httpx.Client, stack: Stack) -> None:
    cid = new_complaint(api)["complaint_id"]
    before = stored(stack)
    for role in (Role.RECEPTIONIST, Role.CS_REP, Role.CS_MANAGER, Role.BI):
        other = bearer(role, [OTHER])
        for method, path, body in [
            ("GET", f"/sites/{SITE}/complaints/{cid}", None),
            ("GET", f"/sites/{SITE}/complaints", None),
            ("POST", f"/sites/{SITE}/complaints", complaint()),
            (
                "POST",
                f"/sites/{SITE}/complaints/{cid}/investigation",
                {"cause": "tenant", "notes": "x"},
            ),
            ("POST", f"/sites/{SITE}/complaints/{cid}/resolution", {"resolution": "x"}),
            ("POST", f"/sites/{SITE}/complaints/{cid}/rejection", {"reason": "x"}),
            ("GET", f"/sites/{SITE}/complaint-statistics", None),
            ("GET", f"/sites/{SITE}/satisfaction", None),
            ("POST", f"/sites/{SITE}/survey-responses", {"quarter": "2026-Q4", "scores": {"a": 5}}),
            ("POST", f"/sites/{SITE}/tenant-visits", {"unit": "1", "visited_by": "x"}),
            ("GET", f"/sites/{OTHER}/complaints/{cid}", None),
        ]:
            response = api.request(method, path, json=body, headers=other)
            assert response.status_code in (403, 404), (role, method, path, response.status_code)
    assert stored(stack) == before
    assert api.get("/group/complaint-statistics", headers=CS).status_code == 403
    stats = api.get("/group/complaint-statistics", headers=bearer(Role.GROUP_ADMIN, [])).json()
    assert any(row["site_id"] == str(SITE) for row in stats)
