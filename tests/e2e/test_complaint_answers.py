"""Complaints answered the way seed 001 says (issue 12, item 1), through the gateway: the
first answer the same local day (late otherwise), progress reports with channel and
who, a written reply before a letter complaint closes, internal feedback acknowledged
by the department at fault, deadlines per channel, the email and suggestion-box
channels, and the week's tally by type, cause and location."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta
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
DESK, CS = bearer(Role.RECEPTIONIST, [SITE]), bearer(Role.CS_REP, [SITE])
MANAGER, DISPATCHER = bearer(Role.CS_MANAGER, [SITE]), bearer(Role.DISPATCHER, [SITE])
MONDAY = "2031-06-02"  # 09:00 in Shanghai, the site's zone
BASE = f"/sites/{SITE}"


@pytest.fixture(scope="module")
def api(stack: Stack) -> httpx.Client:
    with httpx.Client(base_url=stack.base_url, timeout=30) as client:
        client.post(
            "/admin/clock", json={"set_to": f"{MONDAY}T01:00:00+00:00"}, headers=ADMIN
        ).raise_for_status()
        yield client
        client.post("/admin/clock", json={"reset": True}, headers=ADMIN)


def stored(stack: Stack) -> int:
    return stored_events(
        stack.infra.database_url, f"{stack.infra.namespace}feedback", "feedback_events"
    )


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


def register(api: httpx.Client, **overrides: object) -> dict:
    body = {"channel": "phone", "complainant": "Zhou Min", "unit": "15C", "category": "noise",
            "content": "drilling after 22:00", **overrides}  # fmt: skip
    response = api.post(f"{BASE}/complaints", json=body, headers=DESK)
    assert response.status_code == 201, response.text
    return response.json()


def post(api: httpx.Client, path: str, body: dict, headers: dict = CS) -> httpx.Response:
    return api.post(f"{BASE}/complaints/{path}", json=body, headers=headers)


def test_the_first_answer_is_due_the_same_day_and_a_complaint_without_one_is_late(
    api: httpx.Client, stack: Stack
) -> None:
    answered = register(api, content="answered today")
    silent = register(api, content="nobody called back")
    # Due by the local midnight ending Monday.
    assert instant(answered["deadline"]) == instant(f"{MONDAY}T16:00:00Z")
    update = {"channel": "phone", "message": "engineer booked for tomorrow", "by": "Li (desk)"}
    first = post(api, f"{answered['complaint_id']}/updates", update, DESK)
    assert first.status_code == 200, first.text
    second = post(api, f"{answered['complaint_id']}/updates",
                  {**update, "message": "engineer on site", "channel": "in_person"})  # fmt: skip
    view = second.json()
    assert view["status"] == "registered" and view["late"] is False
    assert [(u["channel"], u["by"]) for u in view["updates"]] == [
        ("phone", "Li (desk)"), ("in_person", "Li (desk)")
    ]  # fmt: skip
    eventually(  # the read model has both answers before the day ends
        lambda: api.get(f"{BASE}/complaints", headers=CS).json(),
        lambda rows: any(
            r["complaint_id"] == answered["complaint_id"] and r["updates"] == 2 for r in rows
        ),
    )
    try:
        api.post("/admin/clock", json={"advance_seconds": 86400}, headers=ADMIN).raise_for_status()
        late = eventually(
            lambda: api.get(f"{BASE}/complaints-late", params={"date": MONDAY}, headers=CS).json(),
            lambda rows: len(rows) >= 1,
        )
        assert [r["complaint_id"] for r in late] == [silent["complaint_id"]]
        assert late[0]["answered_at"] is None
        rows = {r["complaint_id"]: r for r in api.get(f"{BASE}/complaints", headers=CS).json()}
        assert rows[silent["complaint_id"]]["overdue"] and rows[silent["complaint_id"]]["late"]
        shown = rows[answered["complaint_id"]]
        assert not shown["overdue"] and not shown["late"] and shown["updates"] == 2
        # An answer the next day is still late, and the day's list keeps it.
        post(api, f"{silent['complaint_id']}/updates", update).raise_for_status()
        eventually(
            lambda: api.get(f"{BASE}/complaints-late", params={"date": MONDAY}, headers=CS).json(),
            lambda rows: rows and rows[0]["answered_at"] is not None,
        )
    finally:
        api.post("/admin/clock", json={"set_to": f"{MONDAY}T01:00:00+00:00"}, headers=ADMIN)

    def published(kind: str) -> list[dict]:
        topic = f"{stack.infra.namespace}{topics.FEEDBACK}"
        return [json.loads(m.value) for m in asyncio.run(read_topic(stack.infra.kafka, topic))
                if dict(m.headers)["ce_type"].decode().split(".")[2] == kind]  # fmt: skip

    informed = [e for e in published("ComplainantInformed")
                if e["complaint_id"] == answered["complaint_id"]]  # fmt: skip
    assert [(e["first"], e["informed_by"]) for e in informed] == [
        (True, "Li (desk)"), (False, "Li (desk)")
    ]  # fmt: skip


def test_a_letter_complaint_closes_only_with_a_written_reply(
    api: httpx.Client, stack: Stack
) -> None:
    letter = register(api, channel="letter", content="a letter about the lift")["complaint_id"]
    post(
        api, f"{letter}/investigation", {"cause": "property", "notes": "lift 2"}
    ).raise_for_status()
    post(api, f"{letter}/resolution", {"resolution": "lift 2 serviced"}).raise_for_status()
    before = stored(stack)
    refused = post(api, f"{letter}/reply", {"channel": "phone", "message": "fixed"})
    assert refused.status_code == 409 and "written reply" in problem(refused).detail
    assert stored(stack) == before
    replied = post(api, f"{letter}/reply", {"channel": "letter", "message": "fixed", "by": "Li"})
    assert replied.status_code == 200, replied.text
    assert replied.json()["status"] == "replied" and replied.json()["written_reply"] is True
    # A written answer sent earlier lets the closing reply be a call.
    other = register(api, channel="letter", content="second letter")["complaint_id"]
    post(api, f"{other}/updates", {"channel": "email", "message": "we are on it", "by": "Li"})
    post(api, f"{other}/rejection", {"reason": "not our building"}).raise_for_status()
    closing = post(api, f"{other}/reply", {"channel": "phone", "message": "not ours"})
    assert closing.status_code == 200, closing.text


def test_internal_feedback_goes_to_the_department_at_fault_and_is_acknowledged(
    api: httpx.Client, stack: Stack
) -> None:
    cid = register(api, category="cleaning", content="lobby floor wet")["complaint_id"]
    feedback = {"department": "housekeeping", "content": "mop signs missing", "by": "Li (CS)"}
    before = stored(stack)
    early = post(api, f"{cid}/internal-feedback", feedback)
    assert early.status_code == 409 and "investigate" in problem(early).detail
    assert stored(stack) == before
    post(api, f"{cid}/investigation", {"cause": "property", "notes": "no sign"}).raise_for_status()
    given = post(api, f"{cid}/internal-feedback", feedback)
    assert given.status_code == 200, given.text
    assert given.json()["internal_feedback"][0]["number"] == 1
    pending = eventually(
        lambda: api.get(
            f"{BASE}/complaint-internal-feedback",
            params={"unacknowledged_only": True},
            headers=DISPATCHER,
        ).json(),
        lambda rows: any(r["complaint_id"] == cid for r in rows),
    )
    assert next(r for r in pending if r["complaint_id"] == cid)["department"] == "housekeeping"
    ack = f"{cid}/internal-feedback/1/acknowledgement"
    done = post(api, ack, {"acknowledged_by": "Chen (housekeeping)"}, DISPATCHER)
    assert done.json()["internal_feedback"][0]["acknowledged_by"] == "Chen (housekeeping)"
    again = post(api, ack, {"acknowledged_by": "Chen"}, DISPATCHER)
    assert again.status_code == 409
    assert post(api, f"{cid}/internal-feedback/2/acknowledgement",
                {"acknowledged_by": "x"}).status_code == 409  # fmt: skip
    bad = post(api, f"{cid}/internal-feedback/0/acknowledgement", {"acknowledged_by": "x"})
    assert bad.status_code == 422


def test_email_and_suggestion_box_channels(api: httpx.Client, stack: Stack) -> None:
    mail = register(api, channel="email", contact_email="zhou@example.com", content="by email")
    assert mail["channel"] == "email"
    note = register(api, channel="suggestion_box", complainant=None, unit=None,
                    location="B2 car park", collected_on="2031-05-30", content="dark stairs")  # fmt: skip
    assert note["anonymous"] is True and note["received_on"] == "2031-05-30"
    assert note["late"] is False  # nobody to answer
    before = stored(stack)
    refused = post(api, f"{note['complaint_id']}/updates",
                   {"channel": "phone", "message": "x", "by": "Li"})  # fmt: skip
    assert refused.status_code == 409 and "anonymous" in problem(refused).detail
    for overrides, field in [
        ({"channel": "suggestion_box"}, "collected_on"),
        ({"collected_on": "2031-05-30"}, "collected_on"),
        ({"complainant": None}, "complainant"),
        ({"channel": "suggestion_box", "collected_on": "2031-06-03"}, "collected_on"),
        ({"channel": "email", "contact_email": "not an address"}, "contact_email"),
        ({"channel": "fax"}, "channel"),
    ]:
        body = {"channel": "phone", "complainant": "Zhou", "category": "noise", "content": "x",
                **overrides}  # fmt: skip
        response = api.post(f"{BASE}/complaints", json=body, headers=DESK)
        assert response.status_code == 422, (overrides, response.text)
        assert problem(response).names(field), (overrides, problem(response).fields)
    assert stored(stack) == before


def test_deadlines_per_channel(api: httpx.Client) -> None:
    body = {"answer_within_hours": {"letter": 48}}
    assert api.put(f"{BASE}/feedback-settings", json=body, headers=MANAGER).status_code == 200
    try:
        letter = register(api, channel="letter", content="per-channel deadline")
        registered = instant(letter["registered_at"])
        assert instant(letter["deadline"]) - registered == timedelta(hours=48)
        assert instant(register(api)["deadline"]) == instant(f"{MONDAY}T16:00:00Z")  # same day
        bad = api.put(f"{BASE}/feedback-settings", json={"answer_within_hours": {"fax": 2}},
                      headers=MANAGER)  # fmt: skip
        assert bad.status_code == 422 and problem(bad).names("answer_within_hours")
    finally:
        api.put(f"{BASE}/feedback-settings", json={}, headers=MANAGER).raise_for_status()


def test_the_weekly_tally_by_type_cause_and_location(api: httpx.Client) -> None:
    site = uuid4()
    desk, cs = bearer(Role.RECEPTIONIST, [site]), bearer(Role.CS_REP, [site])
    base = f"/sites/{site}"
    for category, location, unit in [("noise", None, "15C"), ("noise", None, "15C"),
                                     ("cleaning", "lobby", None)]:  # fmt: skip
        body = {"channel": "phone", "complainant": "Zhou", "category": category,
                "content": "x", "unit": unit, "location": location}  # fmt: skip
        created = api.post(f"{base}/complaints", json=body, headers=desk).json()
    api.post(f"{base}/complaints/{created['complaint_id']}/investigation",
             json={"cause": "property", "notes": "x"}, headers=cs).raise_for_status()  # fmt: skip
    tally = eventually(
        lambda: api.get(
            f"{base}/complaint-tally", params={"week_start": MONDAY}, headers=cs
        ).json(),
        lambda t: t["complaints"] == 3 and any(r["cause"] == "property" for r in t["rows"]),
    )
    assert tally["week_end"] == "2031-06-08"
    assert {(r["category"], r["cause"], r["location"]): r["complaints"] for r in tally["rows"]} == {
        ("cleaning", "property", "lobby"): 1, ("noise", "undetermined", "15C"): 2,
    }  # fmt: skip
    before = api.get(f"{base}/complaint-tally", params={"week_start": "2031-05-26"}, headers=cs)
    assert before.json()["complaints"] == 0
    bad = api.get(f"{base}/complaint-tally", params={"week_start": "June"}, headers=cs)
    assert bad.status_code == 422 and problem(bad).names("week_start")


def test_another_sites_staff_reach_none_of_it(api: httpx.Client, stack: Stack) -> None:
    cid = register(api)["complaint_id"]
    before = stored(stack)
    for role in (Role.RECEPTIONIST, Role.CS_REP, Role.DISPATCHER, Role.BI):
        other = bearer(role, [OTHER])
        for method, path, body in [
            ("POST", f"{BASE}/complaints/{cid}/updates",
             {"channel": "phone", "message": "x", "by": "x"}),
            ("POST", f"{BASE}/complaints/{cid}/internal-feedback",
             {"department": "x", "content": "x", "by": "x"}),
            ("POST", f"{BASE}/complaints/{cid}/internal-feedback/1/acknowledgement",
             {"acknowledged_by": "x"}),
            ("GET", f"{BASE}/complaints-late?date={MONDAY}", None),
            ("GET", f"{BASE}/complaint-tally?week_start={MONDAY}", None),
            ("GET", f"{BASE}/complaint-internal-feedback", None),
            ("POST", f"/sites/{OTHER}/complaints/{cid}/updates",
             {"channel": "phone", "message": "x", "by": "x"}),
        ]:  # fmt: skip
            response = api.request(method, path, json=body, headers=other)
            assert response.status_code in (403, 404), (role, method, path, response.status_code)
    assert stored(stack) == before
