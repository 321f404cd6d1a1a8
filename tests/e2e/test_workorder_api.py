"""Repairs through the gateway: report, dispatch, complete, verify; numbers; reports."""

from __future__ import annotations

import asyncio
import json
import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import httpx
import pytest

from contracts.topics import WORKORDER
from runtime.auth import Role
from tests.conftest import Stack
from tests.helpers import bearer, eventually, problem, stored_events
from tests.infra import read_topic

SITE_A, SITE_B = uuid4(), uuid4()
SHANGHAI = ZoneInfo("Asia/Shanghai")  # the default site zone


def as_role(role: Role, site: UUID = SITE_A) -> dict[str, str]:
    return bearer(role, [site])


DESK, DISPATCHER, TECH, CS = (
    as_role(Role.RECEPTIONIST), as_role(Role.DISPATCHER), as_role(Role.TECHNICIAN),
    as_role(Role.CS_REP),
)  # fmt: skip


def repair(**overrides: object) -> dict:
    return {
        "source": "tenant_phone",
        "category": "plumbing",
        "location": "12F east washroom",
        "unit": "12A",
        "tenant": "Huaxin Trading",
        "content": "tap leaks under the sink",
        "reporter": "Amy (front desk)",
        **overrides,
    }


@pytest.fixture(scope="module")
def api(stack: Stack) -> httpx.Client:
    with httpx.Client(base_url=stack.base_url, timeout=20) as client:
        yield client


def stored(stack: Stack) -> int:
    return stored_events(
        stack.infra.database_url, f"{stack.infra.namespace}workorder", "workorder_events"
    )


def new_order(api: httpx.Client, site: UUID = SITE_A, **overrides: object) -> str:
    response = api.post(
        f"/sites/{site}/repairs", json=repair(**overrides), headers=as_role(Role.RECEPTIONIST, site)
    )
    assert response.status_code == 201, response.text
    return response.json()["work_order_id"]


def order_from_new_complaint(api: httpx.Client, site: UUID) -> str:
    """A (noise) complaint at `site`, and the repair reported from it once work orders
    know the complaint (it reaches them through Kafka)."""
    complaint = api.post(
        f"/sites/{site}/complaints",
        json={"channel": "phone", "complainant": "Zhou Min", "category": "noise",
              "content": "pump hums at night"},
        headers=as_role(Role.RECEPTIONIST, site),
    ).json()["complaint_id"]  # fmt: skip
    response = eventually(
        lambda: api.post(
            f"/sites/{site}/repairs",
            json=repair(source="complaint", complaint_id=complaint),
            headers=as_role(Role.RECEPTIONIST, site),
        ),
        lambda r: r.status_code != 422,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["work_order_id"])


def dispatch(
    api: httpx.Client, order: str, site: UUID = SITE_A, **overrides: object
) -> httpx.Response:
    body = {"team": "engineering", "technician": "Lao Zhang", "urgency": "high", **overrides}
    return api.post(
        f"/sites/{site}/repairs/{order}/dispatch", json=body, headers=as_role(Role.DISPATCHER, site)
    )


def complete(
    api: httpx.Client, order: str, site: UUID = SITE_A, **overrides: object
) -> httpx.Response:
    body = {"result": "washer replaced", "labour_hours": "0.5", "materials": [], **overrides}
    return api.post(
        f"/sites/{site}/repairs/{order}/complete", json=body, headers=as_role(Role.TECHNICIAN, site)
    )


def verify(
    api: httpx.Client, order: str, site: UUID = SITE_A, **overrides: object
) -> httpx.Response:
    body = {"passed": True, "method": "phone", **overrides}
    return api.post(
        f"/sites/{site}/repairs/{order}/verify", json=body, headers=as_role(Role.CS_REP, site)
    )


def test_a_paid_repair_from_report_to_verified(api: httpx.Client) -> None:
    order = new_order(api)
    dispatched = dispatch(api, order, paid=True)
    assert dispatched.status_code == 200, dispatched.text
    number = dispatched.json()["number"]
    assert number.startswith(f"WO-{SITE_A.hex[:6].upper()}-") and number.endswith("-00001")
    # The reporter is told the number: it is on the order for the desk to read out.
    assert api.get(f"/sites/{SITE_A}/repairs/{order}", headers=DESK).json()["number"] == number
    started = api.post(
        f"/sites/{SITE_A}/repairs/{order}/start", json={"technician": "Lao Zhang"}, headers=TECH
    )
    assert started.json()["status"] == "in_progress"
    done = complete(
        api, order, fee="80.00", materials=[{"name": "washer", "quantity": "2", "cost": "3.50"}]
    )
    assert done.status_code == 200, done.text
    assert done.json()["fee"] == "80.00"
    closed = verify(api, order)
    assert closed.json()["status"] == "closed"
    board = eventually(
        lambda: api.get(
            f"/sites/{SITE_A}/work-orders", params={"status": "closed"}, headers=DESK
        ).json(),
        lambda rows: any(r["work_order_id"] == order for r in rows),
    )
    row = next(r for r in board if r["work_order_id"] == order)
    assert (row["number"], row["fee"], row["team"], row["urgency"]) == (
        number,
        "80.00",
        "engineering",
        "high",
    )


def test_failed_verification_reopens(api: httpx.Client) -> None:
    order = new_order(api)
    dispatch(api, order)
    complete(api, order)
    reopened = verify(api, order, passed=False, method="on_site", notes="still drips")
    assert reopened.json()["status"] == "reopened" and reopened.json()["reopen_count"] == 1


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        (["complete"], "only a dispatched order can complete"),
        (["dispatch", "complete", "verify", "verify"], "only a completed order can be verified"),
        (["void", "dispatch"], "only a reported item can be dispatched"),
    ],
    ids=["complete-undispatched", "verify-twice", "dispatch-voided"],
)
def test_illegal_transitions_are_409_and_store_nothing(
    api: httpx.Client, stack: Stack, steps: list[str], expected: str
) -> None:
    order = new_order(api)
    actions = {
        "dispatch": lambda: dispatch(api, order),
        "complete": lambda: complete(api, order),
        "verify": lambda: verify(api, order),
        "void": lambda: api.post(
            f"/sites/{SITE_A}/repairs/{order}/void",
            json={"reason": "duplicate"},
            headers=DISPATCHER,
        ),
    }
    for step in steps[:-1]:
        assert actions[step]().status_code == 200
    before = stored(stack)
    response = actions[steps[-1]]()
    assert response.status_code == 409, response.text
    assert expected in problem(response).detail
    assert stored(stack) == before


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda api: api.post(f"/sites/{SITE_A}/repairs", json=repair(category="plumbingx"), headers=DESK), "category"),
        (lambda api: api.post(f"/sites/{SITE_A}/repairs", json=repair(source="carrier pigeon"), headers=DESK), "source"),
        (lambda api: api.post(f"/sites/{SITE_A}/repairs", json=repair(content=""), headers=DESK), "content"),
        (lambda api: api.post(f"/sites/{SITE_A}/repairs", json=repair(source="complaint"), headers=DESK), "body"),
        (lambda api: dispatch(api, new_order(api), urgency="whenever"), "urgency"),
        (lambda api: complete(api, _dispatched(api), fee="-5.00"), "fee"),
        (lambda api: complete(api, _dispatched(api), fee="eighty"), "fee"),
        (lambda api: complete(api, _dispatched(api), fee="1.234"), "fee"),
        (lambda api: complete(api, _dispatched(api), labour_hours="-1"), "labour_hours"),
        (lambda api: dispatch(api, new_order(api, category="cleaning"), team="engineering"), "team"),
    ],
    ids=["category", "source", "empty-content", "complaint-without-id", "urgency", "negative-fee",
         "non-numeric-fee", "fee-precision", "labour", "cleaning-to-engineering"],
)  # fmt: skip
def test_bad_input_is_422_naming_the_field(
    api: httpx.Client, stack: Stack, call, field: str
) -> None:  # type: ignore[no-untyped-def]
    response = call(api)
    assert response.status_code == 422, response.text
    assert problem(response).names(field), response.text


def _dispatched(api: httpx.Client) -> str:
    order = new_order(api)
    assert dispatch(api, order).status_code == 200
    return order


def test_rejected_commands_store_nothing(api: httpx.Client, stack: Stack) -> None:
    order = _dispatched(api)
    before = stored(stack)
    assert complete(api, order, fee="-1").status_code == 422
    assert (
        api.post(f"/sites/{SITE_A}/repairs", json=repair(category="x"), headers=DESK).status_code
        == 422
    )
    assert stored(stack) == before


def test_only_a_dispatcher_dispatches_and_only_cs_verifies(api: httpx.Client) -> None:
    order = new_order(api)
    for headers in (DESK, TECH, CS, as_role(Role.CS_MANAGER)):
        body = {"team": "engineering", "urgency": "low"}
        assert (
            api.post(
                f"/sites/{SITE_A}/repairs/{order}/dispatch", json=body, headers=headers
            ).status_code
            == 403
        )
    dispatch(api, order)
    complete(api, order)
    for headers in (DESK, TECH, DISPATCHER):
        response = api.post(
            f"/sites/{SITE_A}/repairs/{order}/verify",
            json={"passed": True, "method": "phone"},
            headers=headers,
        )
        assert response.status_code == 403


async def test_concurrent_dispatches_number_continuously_per_site(stack: Stack) -> None:
    sites = [uuid4(), uuid4()]
    async with httpx.AsyncClient(base_url=stack.base_url, timeout=60) as client:

        async def report(site: UUID) -> tuple[UUID, str]:
            r = await client.post(
                f"/sites/{site}/repairs", json=repair(), headers=as_role(Role.RECEPTIONIST, site)
            )
            return site, r.json()["work_order_id"]

        orders = await asyncio.gather(*(report(sites[i % 2]) for i in range(50)))

        async def dispatch_one(site: UUID, order: str) -> tuple[UUID, str]:
            r = await client.post(
                f"/sites/{site}/repairs/{order}/dispatch",
                json={"team": "engineering", "urgency": "normal"},
                headers=as_role(Role.DISPATCHER, site),
            )
            assert r.status_code == 200, r.text
            return site, r.json()["number"]

        numbers = await asyncio.gather(*(dispatch_one(s, o) for s, o in orders))
    for site in sites:
        seqs = sorted(int(n.rsplit("-", 1)[1]) for s, n in numbers if s == site)
        assert seqs == list(range(1, 26)), f"site {site}: {seqs}"


def test_another_sites_token_gets_403_or_404_everywhere(api: httpx.Client, stack: Stack) -> None:
    order = _dispatched(api)
    before = stored(stack)
    for role in (
        Role.RECEPTIONIST,
        Role.DISPATCHER,
        Role.TECHNICIAN,
        Role.CS_REP,
        Role.CS_MANAGER,
        Role.BI,
    ):
        other = bearer(role, [SITE_B])
        attempts = [
            ("GET", f"/sites/{SITE_A}/repairs/{order}", None),
            ("POST", f"/sites/{SITE_A}/repairs", repair()),
            (
                "POST",
                f"/sites/{SITE_A}/repairs/{order}/dispatch",
                {"team": "engineering", "urgency": "low"},
            ),
            ("POST", f"/sites/{SITE_A}/repairs/{order}/start", {"technician": "x"}),
            (
                "POST",
                f"/sites/{SITE_A}/repairs/{order}/complete",
                {"result": "x", "labour_hours": "1"},
            ),
            (
                "POST",
                f"/sites/{SITE_A}/repairs/{order}/verify",
                {"passed": True, "method": "phone"},
            ),
            ("POST", f"/sites/{SITE_A}/repairs/{order}/void", {"reason": "x"}),
            ("PUT", f"/sites/{SITE_A}/work-order-settings", {"site_code": "XX01"}),
            ("GET", f"/sites/{SITE_A}/work-orders", None),
            ("GET", f"/sites/{SITE_A}/work-orders/sla-breaches", None),
            ("GET", f"/sites/{SITE_A}/work-orders/three-equals?period=2026-11", None),
            ("GET", f"/sites/{SITE_A}/work-orders/weekly?week_start=2026-11-16", None),
            # Site B's own path, site A's object: not found.
            ("GET", f"/sites/{SITE_B}/repairs/{order}", None),
        ]
        for method, path, body in attempts:
            response = api.request(method, path, json=body, headers=other)
            assert response.status_code in (403, 404), (role, method, path, response.status_code)
    assert stored(stack) == before


def test_sla_breaches_and_weekly_report(api: httpx.Client, stack: Stack) -> None:
    site = uuid4()
    admin = bearer(Role.GROUP_ADMIN, [])
    manager = as_role(Role.CS_MANAGER, site)
    configured = api.put(
        f"/sites/{site}/work-order-settings",
        json={"site_code": "HZ02", "sla_hours": {"emergency": 2}},
        headers=manager,
    )
    assert configured.status_code == 200 and configured.json()["sla_hours"]["emergency"] == 2
    late, on_time = new_order(api, site), new_order(api, site, category="electrical")
    year = datetime.now(SHANGHAI).year
    assert (
        dispatch(api, late, site, urgency="emergency").json()["number"] == f"WO-HZ02-{year}-00001"
    )
    dispatch(api, on_time, site, urgency="low")
    try:
        assert (
            api.post("/admin/clock", json={"advance_seconds": 3 * 3600}, headers=admin).status_code
            == 200
        )
        breaches = eventually(
            lambda: api.get(f"/sites/{site}/work-orders/sla-breaches", headers=manager).json(),
            lambda b: len(b["open_past_deadline"]) == 1,
        )
        assert breaches["open_past_deadline"][0]["work_order_id"] == late
        assert complete(api, late, site).status_code == 200
        breaches = eventually(
            lambda: api.get(f"/sites/{site}/work-orders/sla-breaches", headers=manager).json(),
            lambda b: len(b["completed_late"]) == 1,
        )
        assert breaches["open_past_deadline"] == []
        today = datetime.fromisoformat(breaches["as_of"]).astimezone(SHANGHAI).date()
        weekly = api.get(
            f"/sites/{site}/work-orders/weekly",
            params={"week_start": (today - timedelta(days=today.weekday())).isoformat()},
            headers=manager,
        ).json()
        assert weekly["reported"] == 2 and weekly["open"] == 1
        assert weekly["open_by_team"] == {"engineering": 1}
    finally:
        api.post("/admin/clock", json={"reset": True}, headers=admin)


def test_three_equals_matches_an_independent_count_from_the_events(
    api: httpx.Client, stack: Stack
) -> None:
    """A generated month of reports, dispatches, voids and returns, reconciled twice."""
    site, rng = uuid4(), random.Random(20261122)
    admin = bearer(Role.GROUP_ADMIN, [])
    start = datetime(2031, 5, 1, 1, 0, tzinfo=UTC)  # 09:00 on 1 May in Shanghai
    try:
        api.post(
            "/admin/clock", json={"set_to": start.isoformat()}, headers=admin
        ).raise_for_status()
        for _ in range(40):
            api.post(
                "/admin/clock", json={"advance_seconds": rng.randint(600, 40000)}, headers=admin
            )
            source = rng.choice(["tenant_phone", "tenant_app", "patrol", "complaint"])
            if source == "complaint":
                order = order_from_new_complaint(api, site)
            else:
                order = new_order(api, site, source=source)
            roll = rng.random()
            if roll < 0.1:
                api.post(
                    f"/sites/{site}/repairs/{order}/void",
                    json={"reason": "duplicate report"},
                    headers=as_role(Role.DISPATCHER, site),
                )
                continue
            if roll < 0.2:
                continue  # reported, never dispatched
            dispatch(api, order, site, urgency=rng.choice(["high", "normal", "low"]))
            roll = rng.random()
            if roll < 0.15:
                api.post(
                    f"/sites/{site}/repairs/{order}/void",
                    json={"reason": "tenant cancelled"},
                    headers=as_role(Role.DISPATCHER, site),
                )
            elif roll < 0.75:
                complete(api, order, site)
                if rng.random() < 0.5:
                    verify(api, order, site)
    finally:
        api.post("/admin/clock", json={"reset": True}, headers=admin)

    # Independent count, from the published events alone.
    topic = f"{stack.infra.namespace}{WORKORDER}"

    def events_of_site() -> list:
        return [
            m
            for m in asyncio.run(read_topic(stack.infra.kafka, topic))
            if dict(m.headers)["site"] == str(site).encode()
        ]

    messages = events_of_site()
    by_order: dict[str, list[str]] = {}
    sources: Counter[str] = Counter()
    for m in messages:
        kind = dict(m.headers)["ce_type"].decode().split(".")[2]
        by_order.setdefault(m.key.decode(), []).append(kind)
        if kind == "RepairReported":
            sources[json.loads(m.value)["source"]] += 1
    dispatched = {o for o, kinds in by_order.items() if "RepairDispatched" in kinds}
    voided = {o for o, kinds in by_order.items() if "WorkOrderVoided" in kinds}
    returned = {
        o for o, kinds in by_order.items() if kinds[-1] in ("RepairCompleted", "RepairVerified")
    }
    expected = {
        "reported": len(by_order),
        "reported_by_source": dict(sources),
        "dispatched": len(dispatched),
        "issued": len(dispatched),
        "returned": len(returned),
        "voided_before_dispatch": len(voided - dispatched),
        "voided_after_dispatch": len(voided & dispatched),
    }
    not_dispatched = set(by_order) - dispatched - voided
    not_returned = dispatched - voided - returned

    def report() -> dict:
        return api.get(
            f"/sites/{site}/work-orders/three-equals",
            params={"period": "2031-05"},
            headers=as_role(Role.CS_MANAGER, site),
        ).json()

    # Wait for every count: the replicas' partitions are applied independently, so one
    # count can still lag when another already agrees.
    actual = eventually(report, lambda r: {k: r.get(k) for k in expected} == expected)
    assert {k: actual[k] for k in expected} == expected
    listed = Counter(m["kind"] for m in actual["mismatches"])
    assert (
        listed
        == Counter(
            {
                "reported_not_dispatched": len(not_dispatched),
                "issued_not_returned": len(not_returned),
            }
        )
        - Counter()
    )
    assert {m["work_order_id"] for m in actual["mismatches"]} == not_dispatched | not_returned
    assert actual["reported_equals_dispatched"] == (not not_dispatched)
    assert actual["issued_equals_returned"] == (not not_returned)
    assert len(by_order) == 40
