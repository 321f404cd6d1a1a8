"""The mail room through the gateway, and notices to tenants from mail and visitors."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import httpx
import pytest

from runtime.auth import Role
from tests.conftest import Stack
from tests.helpers import bearer, eventually, problem, stored_events

SITE, OTHER = uuid4(), uuid4()
ADMIN = bearer(Role.GROUP_ADMIN, [])


def as_role(role: Role, site: UUID = SITE) -> dict[str, str]:
    return bearer(role, [site])


DESK, CS, MANAGER = as_role(Role.RECEPTIONIST), as_role(Role.CS_REP), as_role(Role.CS_MANAGER)
BASE = f"/sites/{SITE}/mail"


@pytest.fixture(scope="module")
def api(stack: Stack) -> httpx.Client:
    with httpx.Client(base_url=stack.base_url, timeout=30) as client:
        entries = [
            {"unit": "12A", "company": "Huaxin Trading", "contact_name": "Han Meimei", "contact_email": "han@huaxin.example"},
            {"unit": "15C", "company": "Blue Ocean Legal", "contact_email": "desk@blueocean.example"},
            {"unit": "8B", "moved_out": True},
        ]  # fmt: skip
        client.put(
            f"{BASE}/directory", json={"entries": entries}, headers=MANAGER
        ).raise_for_status()
        yield client


def stored(stack: Stack) -> int:
    return stored_events(stack.infra.database_url, f"{stack.infra.namespace}mail", "mail_events")


def receive(api: httpx.Client, **fields: object) -> httpx.Response:
    body = {"kind": "letter", "recipient_unit": "12A", "recipient_person": "Han Meimei", **fields}
    return api.post(f"{BASE}/items", json=body, headers=DESK)


def notices(stack: Stack) -> list[dict]:
    """This module's site's notices (other tests on the same stack, and other sites with
    units of the same names, send theirs too)."""
    path = stack.infra.notify_log
    lines = path.read_text().splitlines() if path.exists() else []
    return [n for n in map(json.loads, lines) if n["site_id"] == str(SITE)]


def test_an_urgent_parcel_is_notified_at_once_and_collected_by_proxy(
    api: httpx.Client, stack: Stack
) -> None:
    item = receive(
        api, kind="express", carrier="SF Express", tracking_number="SF1234567890", urgent=True
    )
    assert item.status_code == 201, item.text
    item_id = item.json()["item_id"]
    assert item.json()["status"] == "awaiting_pickup"
    notice = eventually(
        lambda: notices(stack), lambda ns: any(n["unit"] == "12A" and n["urgent"] for n in ns)
    )
    urgent = next(n for n in notice if n["unit"] == "12A" and n["urgent"])
    assert urgent["to_email"] == "han@huaxin.example" and "express item" in urgent["subject"]
    awaiting = eventually(
        lambda: api.get(f"{BASE}/awaiting-pickup", headers=DESK).json(),
        lambda units: any(i["item_id"] == item_id for u in units for i in u["items"]),
    )
    assert awaiting[0]["unit"] == "12A"
    collected = api.post(
        f"{BASE}/items/{item_id}/pickup",
        json={"signed_by": "Li (assistant)", "on_behalf_of": "Han Meimei"},
        headers=DESK,
    )
    assert collected.json()["status"] == "collected"
    before = stored(stack)
    twice = api.post(f"{BASE}/items/{item_id}/pickup", json={"signed_by": "Li"}, headers=DESK)
    assert twice.status_code == 409 and "already collected" in problem(twice).detail
    archived = api.post(f"{BASE}/items/{item_id}/archive", json={"reason": "moved_out"}, headers=CS)
    assert archived.status_code == 409
    assert stored(stack) == before


def test_unknown_recipient_is_looked_up_then_notified(api: httpx.Client, stack: Stack) -> None:
    item = receive(
        api,
        recipient_unit=None,
        recipient_person=None,
        addressed_to="Mr. Zhao, 'the law firm', floor 15",
    )
    assert item.json()["status"] == "pending_lookup"
    item_id = item.json()["item_id"]
    early = api.post(f"{BASE}/items/{item_id}/pickup", json={"signed_by": "someone"}, headers=DESK)
    assert early.status_code == 409
    resolved = api.post(
        f"{BASE}/items/{item_id}/recipient",
        json={"recipient_unit": "15C", "recipient_person": "Zhao"},
        headers=CS,
    )
    assert (
        resolved.json()["status"] == "awaiting_pickup"
        and resolved.json()["recipient_unit"] == "15C"
    )
    eventually(lambda: notices(stack), lambda ns: any(n["unit"] == "15C" for n in ns))


def test_moved_out_tenants_mail_is_forwarded(api: httpx.Client) -> None:
    item_id = receive(api, recipient_unit="8B", recipient_person="former tenant").json()["item_id"]
    forwarded = api.post(
        f"{BASE}/items/{item_id}/archive",
        json={"reason": "forwarded", "forwarded_to": "Room 301, 88 Nanjing Rd"},
        headers=CS,
    )
    assert forwarded.json()["status"] == "archived"


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"recipient_unit": "99Z"}, "recipient_unit"), ({"kind": "pigeon"}, "kind"),
     ({"tracking_number": "no spaces allowed"}, "tracking_number"), ({"kind": "fax"}, "body"),
     ({"recipient_unit": None}, "body")],
    ids=["unknown-unit", "kind", "tracking", "fax-without-pages", "no-recipient-no-address"],
)  # fmt: skip
def test_bad_intake_is_422_and_stores_nothing(
    api: httpx.Client, stack: Stack, fields: dict, field: str
) -> None:
    before = stored(stack)
    response = receive(api, **fields)
    assert response.status_code == 422, response.text
    assert problem(response).names(field)
    assert stored(stack) == before


def test_reminders_and_unresolved_items_archived_after_the_lookup_days(api: httpx.Client) -> None:
    site = uuid4()
    base, manager, cs = (
        f"/sites/{site}/mail",
        as_role(Role.CS_MANAGER, site),
        as_role(Role.CS_REP, site),
    )
    api.put(
        f"{base}/directory", json={"entries": [{"unit": "1A"}]}, headers=manager
    ).raise_for_status()
    api.put(
        f"{base}/settings", json={"reminder_hours": 24, "lookup_days": 3}, headers=manager
    ).raise_for_status()
    waiting = api.post(
        f"{base}/items", json={"kind": "parcel", "recipient_unit": "1A"}, headers=cs
    ).json()["item_id"]
    unknown = api.post(
        f"{base}/items", json={"kind": "letter", "addressed_to": "no such person"}, headers=cs
    ).json()["item_id"]
    eventually(
        lambda: api.get(f"{base}/ageing", headers=cs).json(), lambda a: a["uncollected"] == 2
    )
    try:
        api.post(
            "/admin/clock", json={"advance_seconds": 25 * 3600}, headers=ADMIN
        ).raise_for_status()
        assert api.post(f"{base}/sweep", headers=cs).json() == {"reminders": 1, "archived": 0}
        api.post(
            "/admin/clock", json={"advance_seconds": 3 * 86400}, headers=ADMIN
        ).raise_for_status()
        eventually(
            lambda: api.get(f"{base}/items/{waiting}", headers=cs).json(),
            lambda i: i["reminders"] == 1,
        )
        swept = eventually(
            lambda: api.post(f"{base}/sweep", headers=cs).json(), lambda s: s.get("archived") == 1
        )
        assert swept["reminders"] == 1
        assert api.get(f"{base}/items/{unknown}", headers=cs).json()["status"] == "archived"
        ageing = eventually(
            lambda: api.get(f"{base}/ageing", headers=cs).json(), lambda a: a["uncollected"] == 1
        )
        assert ageing["buckets"]["3-7 days"] == 1
    finally:
        api.post("/admin/clock", json={"reset": True}, headers=ADMIN)


def test_daily_register_exports(api: httpx.Client) -> None:
    item_id = receive(api, kind="newspaper").json()["item_id"]
    today = datetime.now(UTC).astimezone(ZoneInfo("Asia/Shanghai")).date()
    rows = eventually(
        lambda: api.get(
            f"{BASE}/register", params={"date": today.isoformat()}, headers=DESK
        ).json(),
        lambda r: any(i["item_id"] == item_id for i in r),
    )
    assert rows
    csv = api.get(
        f"{BASE}/register", params={"date": today.isoformat(), "format": "csv"}, headers=DESK
    )
    assert (
        csv.text.lstrip("\ufeff").startswith("business_date,received_at,kind")
        and "newspaper" in csv.text
    )


def test_a_visitors_arrival_notifies_the_host(api: httpx.Client, stack: Stack) -> None:
    now = datetime.now(UTC)
    visit = api.post(f"/sites/{SITE}/visits/pre-registrations", headers=DESK, json={
        "visitor_name": "Guo Jing", "host_unit": "12A", "host_name": "Han Meimei", "purpose": "contract",
        "expected_from": now.isoformat(), "expected_until": (now + timedelta(hours=2)).isoformat()}).json()  # fmt: skip
    api.post(
        f"/sites/{SITE}/visits/{visit['visit_id']}/check-in", json={}, headers=DESK
    ).raise_for_status()
    arrived = eventually(
        lambda: notices(stack),
        lambda ns: any(
            n["subject"] == "Your visitor has arrived" and n["unit"] == "12A" for n in ns
        ),
    )
    assert any(
        n["to_email"] == "han@huaxin.example"
        for n in arrived
        if n["subject"] == "Your visitor has arrived"
    )


def test_another_sites_staff_cannot_reach_the_mail_room(api: httpx.Client, stack: Stack) -> None:
    item_id = receive(api).json()["item_id"]
    before = stored(stack)
    for role in (Role.RECEPTIONIST, Role.CS_REP, Role.CS_MANAGER):
        other = bearer(role, [OTHER])
        for method, path, body in [
            ("GET", f"{BASE}/items/{item_id}", None),
            ("POST", f"{BASE}/items", {"kind": "letter", "recipient_unit": "12A"}),
            ("POST", f"{BASE}/items/{item_id}/pickup", {"signed_by": "x"}),
            ("POST", f"{BASE}/items/{item_id}/archive", {"reason": "moved_out"}),
            ("POST", f"{BASE}/items/{item_id}/recipient", {"recipient_unit": "12A"}),
            ("GET", f"{BASE}/awaiting-pickup", None),
            ("GET", f"{BASE}/register", None),
            ("GET", f"{BASE}/ageing", None),
            ("POST", f"{BASE}/sweep", None),
            ("PUT", f"{BASE}/directory", {"entries": [{"unit": "X"}]}),
            ("GET", f"/sites/{OTHER}/mail/items/{item_id}", None),
        ]:
            response = api.request(method, path, json=body, headers=other)
            assert response.status_code in (403, 404), (role, method, path, response.status_code)
    assert stored(stack) == before
