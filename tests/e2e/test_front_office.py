"""Front-office procedures of the seed manuals through the gateway: the switchboard's
call register (seed 000), the desk's day with its shift handovers (seeds 000, 002), VIP
reception (seed 002), watchlist alerts, luggage held at the desk, the monthly reception-time statistic (seed 004), building notices (seed 001); each
published, read back per site, refused on bad input
and across sites."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from uuid import uuid4
from zoneinfo import ZoneInfo

import httpx
import pytest

from runtime.auth import Role
from tests.conftest import Stack
from tests.helpers import bearer, eventually, problem, stored_events
from tests.infra import read_topic

SITE_A, SITE_B = uuid4(), uuid4()
DESK = bearer(Role.RECEPTIONIST, [SITE_A])
OTHER_SITE = bearer(Role.RECEPTIONIST, [SITE_B])


@pytest.fixture(scope="module")
def desk(stack: Stack) -> httpx.Client:
    with httpx.Client(base_url=stack.base_url, headers=DESK, timeout=10) as client:
        yield client


def store_count(stack: Stack) -> int:
    return stored_events(
        stack.infra.database_url, f"{stack.infra.namespace}visitor", "visitor_events"
    )


def a_call(**overrides: object) -> dict:
    return {
        "caller_name": "Chen Jie",
        "caller_company": "Bank of Pudong",
        "caller_number": "+86 21 5555 0101",
        "reason": "the lift on 12F is stuck",
        "category": "repair",
        **overrides,
    }


# -- the switchboard's call register ----------------------------------------------------


def test_an_important_call_is_followed_up_until_done_and_signed(
    desk: httpx.Client, stack: Stack
) -> None:
    recorded = desk.post(
        f"/sites/{SITE_A}/calls", json=a_call(important=True, passed_to="Engineering")
    )
    assert recorded.status_code == 201, recorded.text
    call = recorded.json()
    assert call["status"] == "awaiting_signature"
    path = f"/sites/{SITE_A}/calls/{call['call_id']}"
    early = desk.post(f"{path}/completion", json={"result": "x", "signed_by": "Wang"})
    assert early.status_code == 409
    assert desk.post(f"{path}/signature", json={"signed_by": "Wang Wu"}).status_code == 200
    desk.post(f"{path}/follow-ups", json={"progress": "technician on the way", "by": "Li"})
    done = desk.post(f"{path}/completion", json={"result": "running again", "signed_by": "Wang"})
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "done" and done.json()["follow_ups"] == 1
    assert desk.get(path).json() == done.json()
    register = eventually(
        lambda: desk.get(f"/sites/{SITE_A}/calls", params={"date": call["business_date"]}).json(),
        lambda rows: any(r["call_id"] == call["call_id"] and r["status"] == "done" for r in rows),
    )
    assert [r for r in register if r["call_id"] == call["call_id"]] == [done.json()]

    topic = f"{stack.infra.namespace}concierge.visitor.v1"
    messages = eventually(
        lambda: [m for m in asyncio.run(read_topic(stack.infra.kafka, topic))
                 if m.key == call["call_id"].encode()],
        lambda ms: len(ms) >= 4,
    )  # fmt: skip
    assert [dict(m.headers)["ce_type"].decode() for m in messages] == [
        f"concierge.visitor.{name}.v1"
        for name in ("CallRecorded", "CallSignedFor", "CallFollowedUp", "CallCompleted")
    ]


def test_the_weekly_summary_files_calls_by_date_and_category(desk: httpx.Client) -> None:
    site = uuid4()
    desk_b = bearer(Role.RECEPTIONIST, [site])
    days = [
        desk.post(f"/sites/{site}/calls", json=body, headers=desk_b).json()["business_date"]
        for body in (a_call(), a_call(category="enquiry"), a_call(important=True, passed_to="CS"))
    ]
    day = date.fromisoformat(days[0])
    monday = day - timedelta(days=day.weekday())
    summary = eventually(
        lambda: desk.get(
            f"/sites/{site}/calls-weekly", params={"week_start": monday}, headers=desk_b
        ).json(),
        lambda s: s["calls"] == 3,
    )
    assert summary["week_end"] == (monday + timedelta(days=6)).isoformat()
    assert set(days) == {day.isoformat()}  # the same day, short of running over midnight
    assert summary["by_date_and_category"] == [
        {"business_date": days[0], "category": "enquiry", "calls": 1, "important": 0,
         "important_open": 0},
        {"business_date": days[0], "category": "repair", "calls": 2, "important": 1,
         "important_open": 1},
    ]  # fmt: skip
    assert summary["important_open"] == 1
    open_calls = desk.get(f"/sites/{site}/calls", params={"open_only": True}, headers=desk_b)
    assert [c["category"] for c in open_calls.json()] == ["repair"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (a_call(caller_number="call me"), "caller_number"),
        (a_call(category="gossip"), "category"),
        (a_call(important=True), "passed_to"),
        (a_call(reason=""), "reason"),
        ({k: v for k, v in a_call().items() if k != "caller_name"}, "caller_name"),
    ],
)
def test_a_bad_call_is_422_naming_the_field_and_nothing_is_stored(
    desk: httpx.Client, stack: Stack, body: dict, field: str
) -> None:
    before = store_count(stack)
    response = desk.post(f"/sites/{SITE_A}/calls", json=body)
    assert response.status_code == 422, response.text
    assert problem(response).names(field)
    assert store_count(stack) == before


def test_an_ordinary_call_cannot_be_followed_up(desk: httpx.Client, stack: Stack) -> None:
    call_id = desk.post(f"/sites/{SITE_A}/calls", json=a_call()).json()["call_id"]
    before = store_count(stack)
    response = desk.post(
        f"/sites/{SITE_A}/calls/{call_id}/follow-ups", json={"progress": "x", "by": "Li"}
    )
    assert response.status_code == 409
    assert store_count(stack) == before


def test_another_sites_staff_can_neither_read_nor_change_a_call(
    desk: httpx.Client, stack: Stack
) -> None:
    call_id = desk.post(
        f"/sites/{SITE_A}/calls", json=a_call(important=True, passed_to="CS")
    ).json()["call_id"]
    before = store_count(stack)
    for method, path, body in [
        ("POST", f"/sites/{SITE_A}/calls", a_call()),
        ("GET", f"/sites/{SITE_A}/calls/{call_id}", None),
        ("GET", f"/sites/{SITE_A}/calls", None),
        ("GET", f"/sites/{SITE_A}/calls-weekly?week_start=2026-11-30", None),
        ("POST", f"/sites/{SITE_A}/calls/{call_id}/signature", {"signed_by": "x"}),
    ]:
        response = desk.request(method, path, json=body, headers=OTHER_SITE)
        assert response.status_code == 403, (method, path, response.status_code)
    for method, path, body in [
        ("GET", f"/sites/{SITE_B}/calls/{call_id}", None),
        ("POST", f"/sites/{SITE_B}/calls/{call_id}/signature", {"signed_by": "x"}),
        ("POST", f"/sites/{SITE_B}/calls/{call_id}/follow-ups", {"progress": "x", "by": "y"}),
    ]:
        response = desk.request(method, path, json=body, headers=OTHER_SITE)
        assert response.status_code == 404, (method, path, response.status_code)
    assert store_count(stack) == before
    assert all(r["call_id"] != call_id for r in
               httpx.get(f"{stack.base_url}/sites/{SITE_B}/calls", headers=OTHER_SITE).json())  # fmt: skip


# -- the desk's day: opening checks, shift handovers, closing checks -------------------

ALL_GOOD = {"desk_tidy": True, "equipment_working": True, "refreshments_ready": True}
CLOSED_UP = {"offices_secured": True, "public_areas_safe": True}
DAY, NEXT_DAY = "2026-03-02", "2026-03-03"


def opening(**overrides: object) -> dict:
    return {"opened_by": "Liu Yang", "checks": ALL_GOOD, **overrides}


def handover(**overrides: object) -> dict:
    return {"from_shift": "morning", "to_shift": "evening", "handed_over_by": "Liu Yang",
            "open_items": ["parcel for 15C at the desk", "lift 3 technician due 18:00"],
            **overrides}  # fmt: skip


def closing(**overrides: object) -> dict:
    return {"closed_by": "Zhao Lei", "checks": CLOSED_UP, "summary": "quiet day, 23 visitors",
            "for_tomorrow": ["VIP from Huaxin at 9:00, meeting room 2"], **overrides}  # fmt: skip


def test_a_desk_day_from_opening_checks_through_handovers_to_closing(
    desk: httpx.Client, stack: Stack
) -> None:
    site = uuid4()
    own = bearer(Role.RECEPTIONIST, [site])
    days = f"/sites/{site}/desk-days"
    opened = desk.post(f"{days}/{DAY}/opening", json=opening(), headers=own)
    assert opened.status_code == 201, opened.text
    assert opened.json()["opening_checks"] == ALL_GOOD and opened.json()["handovers"] == []
    again = desk.post(f"{days}/{DAY}/opening", json=opening(), headers=own)
    assert again.status_code == 409
    handed = desk.post(f"{days}/{DAY}/handovers", json=handover(), headers=own)
    assert handed.status_code == 201, handed.text
    (first,) = handed.json()["handovers"]
    assert first["number"] == 1 and first["acknowledged_by"] is None
    assert first["open_items"] == handover()["open_items"]
    unacknowledged = desk.post(
        f"{days}/{DAY}/handovers", json=handover(from_shift="evening", to_shift="night"),
        headers=own,
    )  # fmt: skip
    assert unacknowledged.status_code == 409
    acknowledged = desk.post(
        f"{days}/{DAY}/handovers/1/acknowledgement", json={"acknowledged_by": "Zhao Lei"},
        headers=own,
    )  # fmt: skip
    assert acknowledged.json()["handovers"][0]["acknowledged_by"] == "Zhao Lei"
    closed = desk.post(f"{days}/{DAY}/closing", json=closing(), headers=own)
    assert closed.status_code == 200, closed.text
    assert desk.get(f"{days}/{DAY}", headers=own).json() == closed.json()

    next_day = desk.post(f"{days}/{NEXT_DAY}/opening", json=opening(), headers=own).json()
    assert next_day["carried_over"] == closing()["for_tomorrow"]
    listed = eventually(
        lambda: desk.get(days, params={"from": DAY, "to": NEXT_DAY}, headers=own).json(),
        lambda rows: len(rows) == 2 and rows[0]["closed_by"] is not None,
    )
    assert listed == [closed.json(), next_day]

    desk_day_id = closed.json()["desk_day_id"]
    topic = f"{stack.infra.namespace}concierge.visitor.v1"
    messages = eventually(
        lambda: [m for m in asyncio.run(read_topic(stack.infra.kafka, topic))
                 if m.key == desk_day_id.encode()],
        lambda ms: len(ms) >= 4,
    )  # fmt: skip
    assert [dict(m.headers)["ce_type"].decode() for m in messages] == [
        f"concierge.visitor.{name}.v1"
        for name in ("DeskOpened", "ShiftHandedOver", "HandoverAcknowledged", "DeskClosed")
    ]


@pytest.mark.parametrize(
    ("step", "body", "status", "field"),
    [
        ("opening", opening(checks={"desk_tidy": True, "equipment_working": True}), 422,
         "refreshments_ready"),
        ("opening", opening(checks={**ALL_GOOD, "desk_tidy": False}), 422, "note"),
        ("opening", opening(checks={**ALL_GOOD, "desk_tidy": "yes"}), 422, "desk_tidy"),
        ("opening", opening(opened_by=""), 422, "opened_by"),
        ("handovers", handover(), 409, None),  # the day is not opened
        ("handovers", handover(to_shift="graveyard"), 422, "to_shift"),
        ("handovers", handover(open_items=["x"] * 51), 422, "open_items"),
        ("closing", closing(), 409, None),
        ("closing", closing(summary=""), 422, "summary"),
    ],
)  # fmt: skip
def test_a_bad_desk_day_step_is_refused_naming_the_field_and_nothing_is_stored(
    desk: httpx.Client, stack: Stack, step: str, body: dict, status: int, field: str | None
) -> None:
    site = uuid4()  # a day not opened yet
    before = store_count(stack)
    response = desk.post(
        f"/sites/{site}/desk-days/{DAY}/{step}", json=body, headers=bearer(Role.CS_REP, [site])
    )
    assert response.status_code == status, response.text
    if field:
        assert problem(response).names(field)
    assert store_count(stack) == before


def test_a_day_not_begun_cannot_be_opened_and_a_range_is_bounded(
    desk: httpx.Client, stack: Stack
) -> None:
    before = store_count(stack)
    ahead = desk.post(f"/sites/{SITE_A}/desk-days/2099-12-31/opening", json=opening())
    assert ahead.status_code == 409 and "has not begun" in ahead.text
    too_long = desk.get(f"/sites/{SITE_A}/desk-days", params={"from": DAY, "to": "2026-09-01"})
    assert too_long.status_code == 422 and problem(too_long).names("to")
    backwards = desk.get(f"/sites/{SITE_A}/desk-days", params={"from": NEXT_DAY, "to": DAY})
    assert backwards.status_code == 422
    site = uuid4()
    own = bearer(Role.RECEPTIONIST, [site])
    opened = desk.post(f"/sites/{site}/desk-days/{DAY}/opening", json=opening(), headers=own)
    assert opened.status_code == 201
    refused = desk.post(
        f"/sites/{site}/desk-days/{DAY}/handovers", json=handover(to_shift="morning"), headers=own
    )
    assert refused.status_code == 422 and problem(refused).names("to_shift")
    assert store_count(stack) == before + 1


def test_another_sites_staff_can_neither_read_nor_change_a_desk_day(
    desk: httpx.Client, stack: Stack
) -> None:
    site = uuid4()
    own = bearer(Role.RECEPTIONIST, [site])
    desk.post(f"/sites/{site}/desk-days/{DAY}/opening", json=opening(), headers=own)
    desk.post(f"/sites/{site}/desk-days/{DAY}/handovers", json=handover(), headers=own)
    before = store_count(stack)
    for method, path, body in [
        ("GET", f"/sites/{site}/desk-days/{DAY}", None),
        ("GET", f"/sites/{site}/desk-days?from={DAY}&to={DAY}", None),
        ("POST", f"/sites/{site}/desk-days/{DAY}/handovers/1/acknowledgement",
         {"acknowledged_by": "x"}),
        ("POST", f"/sites/{site}/desk-days/{DAY}/closing", closing()),
    ]:  # fmt: skip
        response = desk.request(method, path, json=body, headers=OTHER_SITE)
        assert response.status_code == 403, (method, path, response.status_code)
    # Site B's own day of the same date is another desk day: not opened there.
    assert desk.get(f"/sites/{SITE_B}/desk-days/{DAY}", headers=OTHER_SITE).status_code == 404
    response = desk.post(
        f"/sites/{SITE_B}/desk-days/{DAY}/handovers/1/acknowledgement",
        json={"acknowledged_by": "x"}, headers=OTHER_SITE,
    )  # fmt: skip
    assert response.status_code == 409
    assert store_count(stack) == before


# -- VIP reception ---------------------------------------------------------------------


def vip(**overrides: object) -> dict:
    due = datetime.now(UTC) + timedelta(days=1)  # tomorrow at the site, in any zone's day
    return {
        "visitor_name": "Huang Rong", "visitor_company": "Peach Island Catering",
        "host_unit": "12A", "host_name": "Han Meimei", "purpose": "contract signing",
        "party_size": 3, "expected_from": due.isoformat(),
        "expected_until": (due + timedelta(hours=2)).isoformat(), "level": "executive",
        "escorts": ["Liu Yang", "Zhao Lei"], "meeting_room": "Meeting room 2",
        "room_setup": ["tea", "seasonal_fruit", "seating_plan"],
        "pickup": {"place": "Hongqiao station", "at": (due - timedelta(hours=1)).isoformat()},
        **overrides,
    }  # fmt: skip


def test_a_vip_is_planned_confirmed_the_day_before_and_received_at_the_desk(
    desk: httpx.Client, stack: Stack
) -> None:
    site = uuid4()
    own = bearer(Role.RECEPTIONIST, [site])
    planned = desk.post(f"/sites/{site}/vip-receptions", json=vip(), headers=own)
    assert planned.status_code == 201, planned.text
    reception = planned.json()
    assert reception["visit_status"] == "expected" and reception["level"] == "executive"
    assert reception["pickup"]["place"] == "Hongqiao station"
    visit_id = reception["visit_id"]
    assert desk.get(f"/sites/{site}/visits/{visit_id}", headers=own).json()["status"] == "expected"
    to_confirm = eventually(
        lambda: desk.get(f"/sites/{site}/vip-receptions/to-confirm", headers=own).json(),
        lambda rows: len(rows) == 1,
    )
    assert to_confirm == [reception]

    confirmed = desk.post(
        f"/sites/{site}/vip-receptions/{visit_id}/confirmation",
        json={"confirmed_by": "Liu Yang", "confirmed_with": "Ms Huang's assistant"}, headers=own,
    )  # fmt: skip
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["confirmed_by"] == "Liu Yang"
    again = desk.post(
        f"/sites/{site}/vip-receptions/{visit_id}/confirmation",
        json={"confirmed_by": "Liu Yang", "confirmed_with": "x"}, headers=own,
    )  # fmt: skip
    assert again.status_code == 409
    eventually(
        lambda: desk.get(f"/sites/{site}/vip-receptions/to-confirm", headers=own).json(),
        lambda rows: rows == [],
    )
    # The guest arrives: an ordinary check-in of the pre-registered visit.
    checked_in = desk.post(
        f"/sites/{site}/visits/{visit_id}/check-in",
        json={"id_checked": True, "id_type": "passport"}, headers=own,
    )  # fmt: skip
    assert checked_in.status_code == 200
    day_view = eventually(
        lambda: desk.get(f"/sites/{site}/vip-receptions",
                         params={"date": reception["business_date"]}, headers=own).json(),
        lambda rows: rows and rows[0]["visit_status"] == "checked_in",
    )  # fmt: skip
    assert day_view == [desk.get(f"/sites/{site}/vip-receptions/{visit_id}", headers=own).json()]

    topic = f"{stack.infra.namespace}concierge.visitor.v1"
    messages = eventually(
        lambda: [m for m in asyncio.run(read_topic(stack.infra.kafka, topic))
                 if m.key == reception["reception_id"].encode()],
        lambda ms: len(ms) >= 2,
    )  # fmt: skip
    assert [dict(m.headers)["ce_type"].decode() for m in messages] == [
        "concierge.visitor.VipReceptionPlanned.v1",
        "concierge.visitor.VipReceptionConfirmed.v1",
    ]


def test_the_days_vips_appear_on_the_desks_day(desk: httpx.Client) -> None:
    """Item 5: the VIP reception "appears on the front desk's day" (seed 002)."""
    site, admin = uuid4(), bearer(Role.GROUP_ADMIN, [])
    own = bearer(Role.RECEPTIONIST, [site])
    desk.post("/admin/clock", json={"set_to": "2033-03-01T01:00:00+00:00"}, headers=admin)
    try:  # 09:00 in Shanghai; the guest is due at 14:00, picked up at 13:00
        due = datetime(2033, 3, 1, 6, tzinfo=UTC)
        planned = desk.post(f"/sites/{site}/vip-receptions", headers=own, json=vip(
            expected_from=due.isoformat(), expected_until=(due + timedelta(hours=2)).isoformat(),
            pickup={"place": "Hongqiao station", "at": (due - timedelta(hours=1)).isoformat()},
        ))  # fmt: skip
        assert planned.status_code == 201, planned.text
        reception = planned.json()
        assert reception["business_date"] == "2033-03-01"
        # The desk's day reads the VIPs from the read model: wait until it has this one.
        eventually(
            lambda: desk.get(f"/sites/{site}/vip-receptions", params={"date": "2033-03-01"},
                             headers=own).json(),
            lambda rows: len(rows) == 1,
        )  # fmt: skip
        days = f"/sites/{site}/desk-days"
        opened = desk.post(f"{days}/2033-03-01/opening", json=opening(), headers=own)
        assert opened.status_code == 201, opened.text
        assert opened.json()["vips"] == [reception]
        listed = eventually(
            lambda: desk.get(days, params={"from": "2033-02-28", "to": "2033-03-02"},
                             headers=own).json(),
            lambda rows: len(rows) == 1 and rows[0]["vips"],
        )  # fmt: skip
        assert listed[0]["vips"] == [reception]
        assert desk.get(f"{days}/2033-03-01", headers=own).json()["vips"] == [reception]
    finally:
        desk.post("/admin/clock", json={"reset": True}, headers=admin)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (vip(escorts=[]), "escorts"),
        (vip(level="royal"), "level"),
        (vip(room_setup=["karaoke"]), "room_setup"),
        (vip(meeting_room=None), "meeting_room"),
        (vip(pickup={"place": "Pudong airport", "at": "2099-12-31T09:00:00Z"}), "pickup"),
        (vip(pickup={"place": "Pudong airport"}), "at"),
        (vip(host_unit="12A; DROP TABLE"), "host_unit"),
    ],
)
def test_a_bad_vip_plan_is_422_naming_the_field_and_nothing_is_stored(
    desk: httpx.Client, stack: Stack, body: dict, field: str
) -> None:
    before = store_count(stack)
    response = desk.post(f"/sites/{SITE_A}/vip-receptions", json=body)
    assert response.status_code == 422, response.text
    assert problem(response).names(field)
    assert store_count(stack) == before


def test_another_sites_staff_can_neither_read_nor_confirm_a_vip(
    desk: httpx.Client, stack: Stack
) -> None:
    visit_id = desk.post(f"/sites/{SITE_A}/vip-receptions", json=vip()).json()["visit_id"]
    before = store_count(stack)
    confirm = {"confirmed_by": "x", "confirmed_with": "y"}
    for method, path, body in [
        ("POST", f"/sites/{SITE_A}/vip-receptions", vip()),
        ("GET", f"/sites/{SITE_A}/vip-receptions/{visit_id}", None),
        ("GET", f"/sites/{SITE_A}/vip-receptions/to-confirm", None),
        ("GET", f"/sites/{SITE_A}/vip-receptions?date=2026-11-30", None),
        ("POST", f"/sites/{SITE_A}/vip-receptions/{visit_id}/confirmation", confirm),
    ]:
        response = desk.request(method, path, json=body, headers=OTHER_SITE)
        assert response.status_code == 403, (method, path, response.status_code)
    for method, path, body in [
        ("GET", f"/sites/{SITE_B}/vip-receptions/{visit_id}", None),
        ("POST", f"/sites/{SITE_B}/vip-receptions/{visit_id}/confirmation", confirm),
    ]:
        response = desk.request(method, path, json=body, headers=OTHER_SITE)
        assert response.status_code == 404, (method, path, response.status_code)
    assert store_count(stack) == before


# -- watchlist alerts --------------------------------------------------------------------


def walk_in(name: str) -> dict:
    return {"visitor_name": name, "host_unit": "8B", "host_name": "Wang Wu",
            "purpose": "interview", "id_checked": True, "id_type": "id_card",
            "id_number": "G12345678"}  # fmt: skip


def test_a_watchlist_match_alerts_the_sites_supervisor_and_blocks_the_check_in(
    desk: httpx.Client, stack: Stack
) -> None:
    site = uuid4()
    own, supervisor = bearer(Role.RECEPTIONIST, [site]), bearer(Role.CS_SUPERVISOR, [site])
    desk.post(
        f"/sites/{site}/watchlist", json={"name": "Mallory Black", "reason": "trespass"},
        headers=supervisor,
    ).raise_for_status()  # fmt: skip
    blocked = desk.post(f"/sites/{site}/visits", json=walk_in("mallory  black"), headers=own)
    assert blocked.status_code == 409 and "supervisor is alerted" in blocked.text
    (alert,) = eventually(
        lambda: desk.get(f"/sites/{site}/watchlist-alerts", headers=supervisor).json(),
        lambda rows: len(rows) == 1,
    )
    assert alert["visitor_name"] == "mallory  black" and alert["host_unit"] == "8B"
    assert alert["notify"] == ["site_supervisor"] and alert["visit_id"] is None
    assert not alert["group_wide"] and alert["acknowledged_by"] is None
    assert desk.get(f"/sites/{site}/in-building", headers=own).json() == []
    # The front desk is refused the alerts: they are the supervisors'.
    assert desk.get(f"/sites/{site}/watchlist-alerts", headers=own).status_code == 403

    path = f"/sites/{site}/watchlist-alerts/{alert['alert_id']}"
    taken = desk.post(
        f"{path}/acknowledgement", headers=supervisor,
        json={"acknowledged_by": "Sun Supervisor", "action": "escorted out, police informed"},
    )  # fmt: skip
    assert taken.status_code == 200, taken.text
    twice = desk.post(f"{path}/acknowledgement", headers=supervisor,
                      json={"acknowledged_by": "x", "action": "y"})  # fmt: skip
    assert twice.status_code == 409
    eventually(
        lambda: desk.get(f"/sites/{site}/watchlist-alerts", params={"open_only": True},
                         headers=supervisor).json(),
        lambda rows: rows == [],
    )  # fmt: skip
    assert desk.get(path, headers=supervisor).json() == taken.json()

    topic = f"{stack.infra.namespace}concierge.visitor.v1"
    messages = eventually(
        lambda: [m for m in asyncio.run(read_topic(stack.infra.kafka, topic))
                 if m.key == alert["alert_id"].encode()],
        lambda ms: len(ms) >= 2,
    )  # fmt: skip
    assert [dict(m.headers)["ce_type"].decode() for m in messages] == [
        "concierge.visitor.WatchlistAlertRaised.v1",
        "concierge.visitor.WatchlistAlertAcknowledged.v1",
    ]
    assert b"trespass" not in b"".join(m.value for m in messages)  # the entry stays inside


def test_a_group_wide_match_alerts_the_groups_supervisor_too(desk: httpx.Client) -> None:
    site = uuid4()
    admin = bearer(Role.GROUP_ADMIN, [])
    name = f"Oscar {uuid4().hex[:8]}"
    desk.post(
        f"/sites/{site}/watchlist", json={"name": name, "reason": "group ban", "scope": "group"},
        headers=admin,
    ).raise_for_status()  # fmt: skip
    visit_id = desk.post(
        f"/sites/{site}/visits/pre-registrations", headers=bearer(Role.RECEPTIONIST, [site]),
        json={"visitor_name": name, "host_unit": "12A", "host_name": "Han Meimei",
              "purpose": "meeting", "expected_from": "2026-11-30T09:00:00+08:00",
              "expected_until": "2026-11-30T12:00:00+08:00"},
    ).json()["visit_id"]  # fmt: skip
    blocked = desk.post(
        f"/sites/{site}/visits/{visit_id}/check-in", json={},
        headers=bearer(Role.RECEPTIONIST, [site]),
    )  # fmt: skip
    assert blocked.status_code == 409
    group = eventually(
        lambda: desk.get("/group/watchlist-alerts", headers=admin).json(),
        lambda rows: any(r["visitor_name"] == name for r in rows),
    )
    (alert,) = [r for r in group if r["visitor_name"] == name]
    assert alert["group_wide"] and alert["site_id"] == str(site)
    assert alert["notify"] == ["site_supervisor", "group_supervisor"]
    assert alert["visit_id"] == visit_id
    site_token = bearer(Role.CS_SUPERVISOR, [site])
    assert desk.get("/group/watchlist-alerts", headers=site_token).status_code == 403


def test_another_sites_supervisor_can_neither_read_nor_acknowledge_an_alert(
    desk: httpx.Client, stack: Stack
) -> None:
    site = uuid4()
    supervisor = bearer(Role.CS_SUPERVISOR, [site])
    desk.post(f"/sites/{site}/watchlist", json={"name": "Eve Spy", "reason": "r"},
              headers=supervisor).raise_for_status()  # fmt: skip
    desk.post(f"/sites/{site}/visits", json=walk_in("Eve Spy"),
              headers=bearer(Role.RECEPTIONIST, [site]))  # fmt: skip
    (alert,) = eventually(
        lambda: desk.get(f"/sites/{site}/watchlist-alerts", headers=supervisor).json(),
        lambda rows: len(rows) == 1,
    )
    other = bearer(Role.CS_SUPERVISOR, [SITE_B])
    ack = {"acknowledged_by": "x", "action": "y"}
    before = store_count(stack)
    for method, path, body in [
        ("GET", f"/sites/{site}/watchlist-alerts", None),
        ("GET", f"/sites/{site}/watchlist-alerts/{alert['alert_id']}", None),
        ("POST", f"/sites/{site}/watchlist-alerts/{alert['alert_id']}/acknowledgement", ack),
    ]:
        response = desk.request(method, path, json=body, headers=other)
        assert response.status_code == 403, (method, path, response.status_code)
    for method, path, body in [
        ("GET", f"/sites/{SITE_B}/watchlist-alerts/{alert['alert_id']}", None),
        ("POST", f"/sites/{SITE_B}/watchlist-alerts/{alert['alert_id']}/acknowledgement", ack),
    ]:
        response = desk.request(method, path, json=body, headers=other)
        assert response.status_code == 404, (method, path, response.status_code)
    bad = desk.post(f"/sites/{site}/watchlist-alerts/{alert['alert_id']}/acknowledgement",
                    json={"acknowledged_by": "Sun"}, headers=supervisor)  # fmt: skip
    assert bad.status_code == 422 and problem(bad).names("action")
    assert store_count(stack) == before


# -- luggage held at the desk ------------------------------------------------------------


def luggage(**overrides: object) -> dict:
    return {"tag": "L-012", "owner_name": "Huang Rong", "pieces": 2,
            "description": "black suitcase, garment bag", "deposited_by": "Concierge Wu",
            **overrides}  # fmt: skip


def test_luggage_is_held_under_a_tag_and_goes_back_against_it(
    desk: httpx.Client, stack: Stack
) -> None:
    site = uuid4()
    own = bearer(Role.RECEPTIONIST, [site])
    held = desk.post(f"/sites/{site}/luggage", json=luggage(), headers=own)
    assert held.status_code == 201, held.text
    desk.post(f"/sites/{site}/luggage", json=luggage(tag="L-013", owner_name="Guo Jing"),
              headers=own).raise_for_status()  # fmt: skip
    taken = desk.post(f"/sites/{site}/luggage", json=luggage(owner_name="Guo Jing"), headers=own)
    assert taken.status_code == 409 and "holds Huang Rong's luggage" in taken.text
    listed = eventually(
        lambda: desk.get(f"/sites/{site}/luggage", headers=own).json(),
        lambda rows: len(rows) == 2,
    )
    assert [r["tag"] for r in listed] == ["L-012", "L-013"] and listed[0] == held.json()

    back = desk.post(f"/sites/{site}/luggage/L-012/collection", json={"collected_by": "Huang Rong"},
                     headers=own)  # fmt: skip
    assert back.status_code == 200 and back.json()["collected_by"] == "Huang Rong"
    again = desk.post(f"/sites/{site}/luggage/L-012/collection", json={"collected_by": "x"},
                      headers=own)  # fmt: skip
    assert again.status_code == 409
    assert desk.get(f"/sites/{site}/luggage/L-012", headers=own).json() == back.json()
    eventually(
        lambda: desk.get(f"/sites/{site}/luggage", headers=own).json(),
        lambda rows: [r["tag"] for r in rows] == ["L-013"],
    )
    history = desk.get(f"/sites/{site}/luggage", params={"held_only": False}, headers=own).json()
    assert back.json() in history and len(history) == 2
    reused = desk.post(f"/sites/{site}/luggage", json=luggage(owner_name="Sun Li"), headers=own)
    assert reused.status_code == 201 and reused.json()["deposit_id"] != held.json()["deposit_id"]

    topic = f"{stack.infra.namespace}concierge.visitor.v1"
    deposit_id = held.json()["deposit_id"].encode()
    messages = eventually(
        lambda: [m for m in asyncio.run(read_topic(stack.infra.kafka, topic))
                 if deposit_id in m.value],
        lambda ms: len(ms) >= 2,
    )  # fmt: skip
    assert [dict(m.headers)["ce_type"].decode() for m in messages] == [
        "concierge.visitor.LuggageDeposited.v1",
        "concierge.visitor.LuggageCollected.v1",
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (luggage(tag="L 012"), "tag"),
        (luggage(tag=""), "tag"),
        (luggage(pieces=0), "pieces"),
        (luggage(pieces=51), "pieces"),
        (luggage(pieces="2"), "pieces"),
        (luggage(owner_name="\u202eevil"), "owner_name"),
        ({k: v for k, v in luggage().items() if k != "description"}, "description"),
    ],
)
def test_bad_luggage_is_422_naming_the_field_and_nothing_is_stored(
    desk: httpx.Client, stack: Stack, body: dict, field: str
) -> None:
    before = store_count(stack)
    response = desk.post(f"/sites/{SITE_A}/luggage", json=body)
    assert response.status_code == 422, response.text
    assert problem(response).names(field)
    assert store_count(stack) == before


def test_another_sites_staff_can_neither_see_nor_take_the_luggage(
    desk: httpx.Client, stack: Stack
) -> None:
    desk.post(f"/sites/{SITE_A}/luggage", json=luggage(tag="ISO-1")).raise_for_status()
    before = store_count(stack)
    for method, path, body in [
        ("POST", f"/sites/{SITE_A}/luggage", luggage(tag="ISO-2")),
        ("GET", f"/sites/{SITE_A}/luggage", None),
        ("GET", f"/sites/{SITE_A}/luggage/ISO-1", None),
        ("POST", f"/sites/{SITE_A}/luggage/ISO-1/collection", {"collected_by": "x"}),
    ]:
        response = desk.request(method, path, json=body, headers=OTHER_SITE)
        assert response.status_code == 403, (method, path, response.status_code)
    # The same tag number at site B is site B's own tag: it holds nothing.
    assert desk.get(f"/sites/{SITE_B}/luggage/ISO-1", headers=OTHER_SITE).status_code == 404
    response = desk.post(f"/sites/{SITE_B}/luggage/ISO-1/collection",
                         json={"collected_by": "x"}, headers=OTHER_SITE)  # fmt: skip
    assert response.status_code == 404
    assert store_count(stack) == before
    assert desk.get(f"/sites/{SITE_A}/luggage/ISO-1").json()["collected_by"] is None


# -- the monthly reception-time statistic -------------------------------------------------


def test_the_months_reception_time_is_held_to_the_sites_standard(
    desk: httpx.Client, stack: Stack
) -> None:
    site = uuid4()
    own, supervisor = bearer(Role.RECEPTIONIST, [site]), bearer(Role.CS_SUPERVISOR, [site])
    assert desk.get(f"/sites/{site}/reception-standard", headers=own).json() == {
        "site_id": str(site), "standard_minutes": 10,
    }  # fmt: skip
    assert desk.put(f"/sites/{site}/reception-standard", headers=own,
                    json={"standard_minutes": 5, "set_by": "x"}).status_code == 403  # fmt: skip
    standard = desk.put(f"/sites/{site}/reception-standard", headers=supervisor,
                        json={"standard_minutes": 5, "set_by": "Manager Ma"})  # fmt: skip
    assert standard.status_code == 200 and standard.json()["standard_minutes"] == 5
    visit = desk.post(f"/sites/{site}/visits", json=walk_in("Quick Qian"), headers=own).json()
    desk.post(f"/sites/{site}/visits/{visit['visit_id']}/host-decision", json={"approve": True},
              headers=own).raise_for_status()  # fmt: skip
    arrived = datetime.fromisoformat(visit["registered_at"])
    period = arrived.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")  # the site's zone
    month = eventually(
        lambda: desk.get(
            f"/sites/{site}/reception-times", params={"period": period}, headers=own
        ).json(),
        lambda m: m["served"] == 1 and m["standard_minutes"] == 5,
    )
    assert month["within_standard"] == 1 and month["meets_standard"] is True


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("GET", "/reception-times?period=2026-13", None, "period"),
        ("GET", "/reception-times", None, "period"),
        ("PUT", "/reception-standard", {"standard_minutes": 0, "set_by": "x"}, "standard_minutes"),
        ("PUT", "/reception-standard", {"standard_minutes": "5", "set_by": "x"},
         "standard_minutes"),
        ("PUT", "/reception-standard", {"standard_minutes": 5}, "set_by"),
    ],
)  # fmt: skip
def test_a_bad_reception_time_request_is_422_naming_the_field(
    desk: httpx.Client, stack: Stack, method: str, path: str, body: dict | None, field: str
) -> None:
    before = store_count(stack)
    supervisor = bearer(Role.CS_SUPERVISOR, [SITE_A])
    response = desk.request(method, f"/sites/{SITE_A}{path}", json=body, headers=supervisor)
    assert response.status_code == 422, response.text
    assert problem(response).names(field)
    assert store_count(stack) == before


def test_another_sites_staff_can_neither_read_nor_set_the_reception_time(
    desk: httpx.Client, stack: Stack
) -> None:
    before = store_count(stack)
    other = bearer(Role.CS_SUPERVISOR, [SITE_B])
    for method, path, body in [
        ("GET", f"/sites/{SITE_A}/reception-times?period=2026-11", None),
        ("GET", f"/sites/{SITE_A}/reception-standard", None),
        ("PUT", f"/sites/{SITE_A}/reception-standard", {"standard_minutes": 1, "set_by": "x"}),
    ]:
        response = desk.request(method, path, json=body, headers=other)
        assert response.status_code == 403, (method, path, response.status_code)
    assert store_count(stack) == before


# -- building notices ------------------------------------------------------------------------


def test_a_notice_records_who_was_told_how_and_when_and_who_is_left(
    desk: httpx.Client, stack: Stack
) -> None:
    site = uuid4()
    own, manager = bearer(Role.RECEPTIONIST, [site]), bearer(Role.CS_MANAGER, [site])
    directory = {"entries": [{"unit": "12A"}, {"unit": "15C"}, {"unit": "21F"},
                             {"unit": "8B", "moved_out": True}]}  # fmt: skip
    desk.put(f"/sites/{site}/mail/directory", json=directory, headers=manager).raise_for_status()
    issued = desk.post(f"/sites/{site}/building-notices", headers=own, json={
        "subject": "Water off on 12F", "content": "Saturday 9:00-12:00, pipe repair",
        "issued_by": "CS Chen"})  # fmt: skip
    assert issued.status_code == 201, issued.text
    path = f"/sites/{site}/building-notices/{issued.json()['notice_id']}"
    eventually(  # the roster reaches the desk (the mail directory's units, through Kafka)
        lambda: desk.get(f"{path}/untold-units", headers=own).json()["units"],
        lambda units: units == ["12A", "15C", "21F"],
    )
    told = desk.post(f"{path}/deliveries", headers=own, json={
        "channel": "phone", "unit": "12A", "recipient": "Han Meimei", "by": "Liu Yang"})  # fmt: skip
    assert told.status_code == 200, told.text
    posted = desk.post(f"{path}/deliveries", headers=own, json={
        "channel": "posting", "recipient": "lobby notice board", "by": "Liu Yang"})  # fmt: skip
    assert [d["channel"] for d in posted.json()["deliveries"]] == ["phone", "posting"]
    unknown = desk.post(f"{path}/deliveries", headers=own, json={
        "channel": "letter", "unit": "99Z", "recipient": "x", "by": "y"})  # fmt: skip
    assert unknown.status_code == 422 and problem(unknown).names("unit")
    moved = desk.post(f"{path}/deliveries", headers=own, json={
        "channel": "visit", "unit": "8B", "recipient": "x", "by": "y"})  # fmt: skip
    assert moved.status_code == 422 and problem(moved).names("unit")
    assert desk.get(f"{path}/untold-units", headers=own).json()["units"] == ["15C", "21F"]
    listed = eventually(
        lambda: desk.get(f"/sites/{site}/building-notices", headers=own).json(),
        lambda rows: rows and len(rows[0]["deliveries"]) == 2,
    )
    assert listed == [desk.get(path, headers=own).json()] == [posted.json()]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"channel": "phone", "recipient": "Han", "by": "Liu"}, "unit"),
        ({"channel": "posting", "unit": "12A", "recipient": "lobby", "by": "Liu"}, "unit"),
        ({"channel": "email", "unit": "12A", "recipient": "Han", "by": "Liu"}, "channel"),
        ({"channel": "letter", "unit": "12A", "by": "Liu"}, "recipient"),
    ],
)
def test_a_bad_delivery_is_422_naming_the_field_and_nothing_is_stored(
    desk: httpx.Client, stack: Stack, body: dict, field: str
) -> None:
    notice_id = desk.post(f"/sites/{SITE_A}/building-notices", json={
        "subject": "Lift 3 maintenance", "content": "Tuesday", "issued_by": "CS"}).json()["notice_id"]  # fmt: skip
    before = store_count(stack)
    response = desk.post(f"/sites/{SITE_A}/building-notices/{notice_id}/deliveries", json=body)
    assert response.status_code == 422, response.text
    assert problem(response).names(field)
    assert store_count(stack) == before


def test_another_sites_staff_can_neither_read_nor_add_to_a_notice(
    desk: httpx.Client, stack: Stack
) -> None:
    notice_id = desk.post(f"/sites/{SITE_A}/building-notices", json={
        "subject": "Fire drill", "content": "Friday 15:00", "issued_by": "CS"}).json()["notice_id"]  # fmt: skip
    posting = {"channel": "posting", "recipient": "lobby", "by": "x"}
    before = store_count(stack)
    for method, path, body in [
        ("POST", f"/sites/{SITE_A}/building-notices",
         {"subject": "x", "content": "y", "issued_by": "z"}),
        ("GET", f"/sites/{SITE_A}/building-notices", None),
        ("GET", f"/sites/{SITE_A}/building-notices/{notice_id}", None),
        ("GET", f"/sites/{SITE_A}/building-notices/{notice_id}/untold-units", None),
        ("POST", f"/sites/{SITE_A}/building-notices/{notice_id}/deliveries", posting),
    ]:  # fmt: skip
        response = desk.request(method, path, json=body, headers=OTHER_SITE)
        assert response.status_code == 403, (method, path, response.status_code)
    for method, path, body in [
        ("GET", f"/sites/{SITE_B}/building-notices/{notice_id}", None),
        ("POST", f"/sites/{SITE_B}/building-notices/{notice_id}/deliveries", posting),
    ]:
        response = desk.request(method, path, json=body, headers=OTHER_SITE)
        assert response.status_code == 404, (method, path, response.status_code)
    assert store_count(stack) == before
