"""The day's mail and newspaper round (issue 12, item 11) through the gateway: each
unit's register items and newspapers taken up on today's round, delivered or, with
nobody in, left at the desk where the register shows them awaiting pickup again."""

from __future__ import annotations

import asyncio
import json
from uuid import uuid4

import httpx
import pytest

from contracts import topics
from runtime.auth import Role
from tests.conftest import Stack
from tests.helpers import bearer, eventually, problem, stored_events
from tests.infra import read_topic

SITE, OTHER = uuid4(), uuid4()
ADMIN = bearer(Role.GROUP_ADMIN, [])
DESK, MANAGER = bearer(Role.CONCIERGE, [SITE]), bearer(Role.CS_MANAGER, [SITE])
TODAY = "2031-07-01"  # 10:00 in Shanghai, the site's zone
BASE = f"/sites/{SITE}/mail"
ROUND = f"{BASE}/rounds/{TODAY}"


@pytest.fixture(scope="module")
def api(stack: Stack) -> httpx.Client:
    with httpx.Client(base_url=stack.base_url, timeout=30) as client:
        client.post(
            "/admin/clock", json={"set_to": f"{TODAY}T02:00:00+00:00"}, headers=ADMIN
        ).raise_for_status()
        entries = [{"unit": unit, "company": f"Tenant {unit}"} for unit in ("12A", "15C", "21F")]
        client.put(f"{BASE}/directory", json={"entries": entries},
                   headers=MANAGER).raise_for_status()  # fmt: skip
        yield client
        client.post("/admin/clock", json={"reset": True}, headers=ADMIN)


def stored(stack: Stack) -> int:
    return stored_events(stack.infra.database_url, f"{stack.infra.namespace}mail", "mail_events")


def receive(api: httpx.Client, unit: str, kind: str = "letter") -> str:
    response = api.post(f"{BASE}/items", json={"kind": kind, "recipient_unit": unit}, headers=DESK)
    assert response.status_code == 201, response.text
    return str(response.json()["item_id"])


def test_the_round_delivers_or_leaves_the_items_at_the_desk(
    api: httpx.Client, stack: Stack
) -> None:
    letters, parcel = [receive(api, "12A"), receive(api, "12A")], receive(api, "15C", "parcel")
    plan = {"planned_by": "Zhao (concierge)", "stops": [
        {"unit": "12A", "item_ids": letters, "newspapers": ["China Daily", "Jiefang Daily"]},
        {"unit": "15C", "item_ids": [parcel], "newspapers": ["Xinmin Evening News"]},
        {"unit": "21F", "newspapers": ["China Daily"]},
    ]}  # fmt: skip
    planned = api.post(ROUND, json=plan, headers=DESK)
    assert planned.status_code == 201, planned.text
    assert [s["outcome"] for s in planned.json()["stops"]] == [None, None, None]
    assert api.get(f"{BASE}/items/{parcel}", headers=DESK).json()["status"] == "out_for_delivery"
    stop = f"{ROUND}/stops"
    done = api.post(stop, json={"unit": "12A", "outcome": "delivered", "delivered_by": "Zhao"},
                    headers=DESK)  # fmt: skip
    assert done.status_code == 200, done.text
    out = api.post(stop, json={"unit": "15C", "outcome": "not_at_home", "delivered_by": "Zhao"},
                   headers=DESK)  # fmt: skip
    assert out.status_code == 200, out.text
    assert {i: api.get(f"{BASE}/items/{i}", headers=DESK).json()["status"]
            for i in [*letters, parcel]} == {
        letters[0]: "delivered", letters[1]: "delivered", parcel: "awaiting_pickup"
    }  # fmt: skip
    stops = eventually(
        lambda: api.get(ROUND, headers=DESK).json(),
        lambda rows: sum(r["outcome"] is not None for r in rows) == 2,
    )
    assert [(r["unit"], r["outcome"], r["delivered_by"], r["newspapers"]) for r in stops] == [
        ("12A", "delivered", "Zhao", ["China Daily", "Jiefang Daily"]),
        ("15C", "not_at_home", "Zhao", ["Xinmin Evening News"]),
        ("21F", None, None, ["China Daily"]),
    ]  # fmt: skip
    awaiting = eventually(
        lambda: api.get(f"{BASE}/awaiting-pickup", headers=DESK).json(),
        lambda units: any(i["item_id"] == parcel for u in units for i in u["items"]),
    )
    waiting = [i["item_id"] for u in awaiting for i in u["items"]]
    assert parcel in waiting and not set(letters) & set(waiting)
    register = {r["item_id"]: r for r in api.get(f"{BASE}/register", params={"date": TODAY},
                                                 headers=DESK).json()}  # fmt: skip
    assert register[letters[0]]["delivered_by"] == "Zhao"
    assert register[parcel]["left_at_desk_at"] is not None
    assert register[parcel]["round_id"] == planned.json()["round_id"]
    # The parcel is collected at the desk as any other; a stop is recorded once.
    api.post(f"{BASE}/items/{parcel}/pickup", json={"signed_by": "Zhou Min"},
             headers=DESK).raise_for_status()  # fmt: skip
    before = stored(stack)
    again = api.post(stop, json={"unit": "12A", "outcome": "not_at_home", "delivered_by": "Li"},
                     headers=DESK)  # fmt: skip
    assert again.status_code == 409
    assert api.post(ROUND, json=plan, headers=DESK).status_code == 409  # one round a day
    assert stored(stack) == before

    topic = f"{stack.infra.namespace}{topics.MAIL}"
    kinds = [dict(m.headers)["ce_type"].decode().split(".")[2]
             for m in asyncio.run(read_topic(stack.infra.kafka, topic))
             if json.loads(m.value)["site_id"] == str(SITE)]  # fmt: skip
    assert kinds.count("DeliveryRoundPlanned") == 1
    assert kinds.count("DeliveryRoundStopRecorded") == 2
    assert kinds.count("MailLeftAtDesk") == 1 and kinds.count("MailDeliveredToUnit") == 2


def test_bad_rounds_are_refused_and_store_nothing(api: httpx.Client, stack: Stack) -> None:
    site = uuid4()
    desk, manager = bearer(Role.CONCIERGE, [site]), bearer(Role.CS_MANAGER, [site])
    base = f"/sites/{site}/mail"
    entries = [{"unit": "12A"}, {"unit": "15C"}]
    api.put(f"{base}/directory", json={"entries": entries}, headers=manager).raise_for_status()
    for12a = api.post(f"{base}/items", json={"kind": "letter", "recipient_unit": "12A"},
                      headers=desk).json()["item_id"]  # fmt: skip
    before = stored(stack)
    url = f"{base}/rounds/{TODAY}"
    for stops, field in [
        ([{"unit": "15C", "item_ids": [for12a]}], "stops.0.item_ids"),
        ([{"unit": "12A", "item_ids": [str(uuid4())]}], "stops.0.item_ids"),
        ([{"unit": "99Z", "newspapers": ["China Daily"]}], "stops.0.unit"),
        ([{"unit": "12A"}], "stops.0"),
        ([{"unit": "12A", "newspapers": ["a"]}, {"unit": "12A", "newspapers": ["b"]}], "stops"),
        ([], "stops"),
        ([{"unit": "12A", "newspapers": [""]}], "stops.0.newspapers.0"),
    ]:
        response = api.post(url, json={"planned_by": "Zhao", "stops": stops}, headers=desk)
        assert response.status_code == 422, (stops, response.text)
        assert problem(response).names(field), (stops, problem(response).fields)
    body = {"planned_by": "Zhao", "stops": [{"unit": "12A", "newspapers": ["China Daily"]}]}
    tomorrow = api.post(f"{base}/rounds/2031-07-02", json=body, headers=desk)
    assert tomorrow.status_code == 409 and "today" in problem(tomorrow).detail
    no_round = api.post(f"{url}/stops", headers=desk,
                        json={"unit": "12A", "outcome": "delivered", "delivered_by": "Zhao"})  # fmt: skip
    assert no_round.status_code == 404
    bad_outcome = api.post(f"{url}/stops", headers=desk,
                           json={"unit": "12A", "outcome": "lost", "delivered_by": "Zhao"})  # fmt: skip
    assert bad_outcome.status_code == 422 and problem(bad_outcome).names("outcome")
    assert stored(stack) == before
    assert api.post(url, json=body, headers=desk).status_code == 201
    off = api.post(f"{url}/stops", headers=desk,
                   json={"unit": "15C", "outcome": "delivered", "delivered_by": "Zhao"})  # fmt: skip
    assert off.status_code == 422 and problem(off).names("unit")


def test_another_sites_staff_reach_no_round(api: httpx.Client, stack: Stack) -> None:
    before = stored(stack)
    for role in (Role.CONCIERGE, Role.RECEPTIONIST, Role.CS_MANAGER):
        other = bearer(role, [OTHER])
        for method, path, body in [
            ("POST", ROUND, {"planned_by": "x", "stops": [{"unit": "12A", "newspapers": ["a"]}]}),
            ("POST", f"{ROUND}/stops", {"unit": "12A", "outcome": "delivered",
                                        "delivered_by": "x"}),
            ("GET", ROUND, None),
        ]:  # fmt: skip
            response = api.request(method, path, json=body, headers=other)
            assert response.status_code in (403, 404), (role, method, path, response.status_code)
    assert api.get(ROUND, headers=bearer(Role.BI, [SITE])).status_code == 403
    assert stored(stack) == before
