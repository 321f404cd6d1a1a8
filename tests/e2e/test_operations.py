"""Building operations of the seed manuals through the gateway (issue 12 items 7-9):
patrols (seed 001 内部巡检程序), emergencies (seed 001 紧急事故 ... 疏导用户撤离; seed
003 應急演練), hygiene (seed 001 客服部卫生检验制度); each published, read back per site, refused on bad input
and across sites."""

from __future__ import annotations

import asyncio
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
MANAGER = bearer(Role.CS_MANAGER, [SITE_A])
PATROLLER = bearer(Role.CS_REP, [SITE_A])
OTHER_MANAGER = bearer(Role.CS_MANAGER, [SITE_B])
OTHER_PATROLLER = bearer(Role.CS_REP, [SITE_B])
# A site of its own for the day that is signed off (no round may start there after).
SITE_C = uuid4()
C_MANAGER = bearer(Role.CS_MANAGER, [SITE_C])
C_PATROLLER = bearer(Role.CS_REP, [SITE_C])
DESK = bearer(Role.RECEPTIONIST, [SITE_A])
SUPERVISOR = bearer(Role.CS_SUPERVISOR, [SITE_A])
OTHER_DESK = bearer(Role.RECEPTIONIST, [SITE_B])


@pytest.fixture(scope="module")
def api(stack: Stack) -> httpx.Client:
    with httpx.Client(base_url=stack.base_url, timeout=20) as client:
        yield client


def stored(stack: Stack) -> int:
    return stored_events(
        stack.infra.database_url, f"{stack.infra.namespace}workorder", "workorder_events"
    )


def published(stack: Stack, key: str) -> list[str]:
    topic = f"{stack.infra.namespace}{WORKORDER}"
    messages = asyncio.run(read_topic(stack.infra.kafka, topic))
    return [dict(m.headers)["ce_type"].decode() for m in messages if m.key == key.encode()]


# -- patrols ------------------------------------------------------------------------------

PLAN = {
    "zone": "Lobby and B1",
    "drawn_by": "Zhou Min (CS manager)",
    "checkpoints": [
        {"checkpoint": "Lobby doors", "scheduled_at": "09:00"},
        {"checkpoint": "B1 pump room", "scheduled_at": "09:30"},
        {"checkpoint": "Fire exit B", "scheduled_at": "10:00"},
    ],
}


def a_plan(api: httpx.Client, site: UUID = SITE_A, headers: dict | None = None) -> dict:
    drawn = api.post(f"/sites/{site}/patrol-plans", json=PLAN, headers=headers or MANAGER)
    assert drawn.status_code == 201, drawn.text
    return drawn.json()


def test_a_round_records_checkpoints_a_finding_opens_a_patrol_repair_and_the_manager_signs_off(
    api: httpx.Client, stack: Stack
) -> None:
    plan = a_plan(api, SITE_C, C_MANAGER)
    assert [c["checkpoint"] for c in plan["checkpoints"]] == [
        "Lobby doors", "B1 pump room", "Fire exit B",
    ]  # fmt: skip
    started = api.post(f"/sites/{SITE_C}/patrol-rounds", headers=C_PATROLLER,
                       json={"plan_id": plan["plan_id"], "patroller": "Li Na"})  # fmt: skip
    assert started.status_code == 201, started.text
    patrol_round = started.json()
    day = patrol_round["business_date"]
    path = f"/sites/{SITE_C}/patrol-rounds/{patrol_round['round_id']}"
    fine = api.post(f"{path}/checkpoints", headers=C_PATROLLER,
                    json={"checkpoint": "Lobby doors", "position": "east revolving door"})  # fmt: skip
    assert fine.status_code == 200, fine.text
    finding = api.post(f"{path}/checkpoints", headers=C_PATROLLER, json={
        "checkpoint": "B1 pump room", "position": "pump 2", "found": "pump 2 leaks at the seal",
        "repair": {"category": "plumbing"},
    })  # fmt: skip
    assert finding.status_code == 200, finding.text
    order_id = finding.json()["records"][1]["work_order_id"]
    order = api.get(f"/sites/{SITE_C}/repairs/{order_id}", headers=C_PATROLLER).json()
    assert (order["source"], order["patrol_round_id"], order["content"], order["reporter"]) == (
        "patrol", patrol_round["round_id"], "pump 2 leaks at the seal", "Li Na",
    )  # fmt: skip
    assert finding.json()["not_visited"] == ["Fire exit B"]

    early = api.post(f"/sites/{SITE_C}/patrol-days/{day}/sign-off", json={}, headers=C_MANAGER)
    assert early.status_code == 409, early.text
    not_a_manager = api.post(f"/sites/{SITE_C}/patrol-days/{day}/sign-off", json={},
                             headers=C_PATROLLER)  # fmt: skip
    assert not_a_manager.status_code == 403

    finished = api.post(f"{path}/finish", json={}, headers=C_PATROLLER)
    assert finished.status_code == 200, finished.text
    assert finished.json()["missed"] == ["Fire exit B"]
    assert api.get(path, headers=C_PATROLLER).json() == finished.json()

    signed = api.post(f"/sites/{SITE_C}/patrol-days/{day}/sign-off", headers=C_MANAGER,
                      json={"note": "Fire exit B missed: check the rota"})  # fmt: skip
    assert signed.status_code == 200, signed.text
    assert signed.json()["rounds"] == 1 and signed.json()["signed_off_by"]
    again = api.post(f"/sites/{SITE_C}/patrol-days/{day}/sign-off", json={}, headers=C_MANAGER)
    assert again.status_code == 409

    review = eventually(
        lambda: api.get(f"/sites/{SITE_C}/patrol-days/{day}", headers=C_MANAGER).json(),
        lambda r: r["signed_off_by"] is not None,
    )
    assert review["rounds"] == [finished.json()]
    assert (review["findings"], review["repairs_opened"], review["missed_checkpoints"]) == (
        1, [order_id], 1,
    )  # fmt: skip
    board = eventually(
        lambda: api.get(f"/sites/{SITE_C}/work-orders", headers=C_PATROLLER).json(),
        lambda rows: any(r["work_order_id"] == order_id for r in rows),
    )
    assert [r["patrol_round_id"] for r in board if r["work_order_id"] == order_id] == [
        patrol_round["round_id"]
    ]
    plans = api.get(f"/sites/{SITE_C}/patrol-plans", headers=C_PATROLLER).json()
    assert plan in plans
    assert eventually(
        lambda: published(stack, patrol_round["round_id"]),
        lambda types: len(types) == 4,
    ) == [
        "concierge.workorder.PatrolRoundStarted.v1",
        "concierge.workorder.PatrolCheckpointRecorded.v1",
        "concierge.workorder.PatrolCheckpointRecorded.v1",
        "concierge.workorder.PatrolRoundFinished.v1",
    ]


@pytest.mark.parametrize(
    ("step", "body", "field"),
    [
        ("plan", {**PLAN, "zone": ""}, "zone"),
        ("plan", {**PLAN, "checkpoints": []}, "checkpoints"),
        ("plan", {**PLAN, "checkpoints": [{"checkpoint": "A", "scheduled_at": "25:00"}]},
         "scheduled_at"),
        ("plan", {**PLAN, "checkpoints": [{"checkpoint": "A", "scheduled_at": "09:00"},
                                          {"checkpoint": "a", "scheduled_at": "10:00"}]},
         "checkpoints"),
        ("round", {"plan_id": "not-a-uuid", "patroller": "Li"}, "plan_id"),
        ("checkpoint", {"checkpoint": "Roof"}, "checkpoint"),
        ("checkpoint", {"checkpoint": "Lobby doors", "repair": {"category": "plumbing"}},
         "found"),
        ("checkpoint", {"checkpoint": "Lobby doors", "found": "x",
                        "repair": {"category": "roof"}}, "category"),
    ],
)  # fmt: skip
def test_a_bad_patrol_step_is_422_naming_the_field_and_nothing_is_stored(
    api: httpx.Client, stack: Stack, step: str, body: dict, field: str
) -> None:
    plan = a_plan(api)
    started = api.post(f"/sites/{SITE_A}/patrol-rounds", headers=PATROLLER,
                       json={"plan_id": plan["plan_id"], "patroller": "Li Na"}).json()  # fmt: skip
    paths = {
        "plan": ("/patrol-plans", MANAGER),
        "round": ("/patrol-rounds", PATROLLER),
        "checkpoint": (f"/patrol-rounds/{started['round_id']}/checkpoints", PATROLLER),
    }
    path, headers = paths[step]
    before = stored(stack)
    refused = api.post(f"/sites/{SITE_A}{path}", json=body, headers=headers)
    assert refused.status_code == 422, refused.text
    assert problem(refused).names(field), refused.text
    assert stored(stack) == before


def test_another_sites_staff_cannot_see_or_use_a_sites_patrols(api: httpx.Client) -> None:
    plan = a_plan(api)
    started = api.post(f"/sites/{SITE_A}/patrol-rounds", headers=PATROLLER,
                       json={"plan_id": plan["plan_id"], "patroller": "Li Na"}).json()  # fmt: skip
    round_path = f"/patrol-rounds/{started['round_id']}"
    # Their token does not cover site A ...
    assert api.get(f"/sites/{SITE_A}{round_path}", headers=OTHER_PATROLLER).status_code == 403
    assert api.get(f"/sites/{SITE_A}/patrol-plans", headers=OTHER_PATROLLER).status_code == 403
    # ... and under their own site, site A's round and plan are not found.
    assert api.get(f"/sites/{SITE_B}{round_path}", headers=OTHER_PATROLLER).status_code == 404
    recorded = api.post(f"/sites/{SITE_B}{round_path}/checkpoints", headers=OTHER_PATROLLER,
                        json={"checkpoint": "Lobby doors"})  # fmt: skip
    assert recorded.status_code == 404
    borrowed = api.post(f"/sites/{SITE_B}/patrol-rounds", headers=OTHER_PATROLLER,
                        json={"plan_id": plan["plan_id"], "patroller": "Wang"})  # fmt: skip
    assert borrowed.status_code == 404


# -- emergencies ------------------------------------------------------------------------


def an_incident(**overrides: object) -> dict:
    return {
        "kind": "lift_entrapment",
        "place": "Lift 3, between 9F and 10F",
        "description": "two people trapped, intercom working",
        "happened_at": (datetime.now(UTC) - timedelta(minutes=3)).isoformat(),
        "reported_by": "Amy (front desk)",
        **overrides,
    }


def a_drill(**overrides: object) -> dict:
    return {
        "kind": "evacuation",
        "held_on": datetime.now(UTC).date().isoformat(),
        "participants": ["Li Na", "Wang Wu", "Lao Zhang"],
        "duration_minutes": 25,
        "findings": "stair B's door sticks; the B1 alarm is hard to hear",
        "recorded_by": "Supervisor Wu",
        **overrides,
    }


def test_an_incident_is_logged_with_its_actions_the_evacuation_list_and_its_closure(
    api: httpx.Client, stack: Stack
) -> None:
    visit = api.post(f"/sites/{SITE_A}/visits/pre-registrations", headers=DESK, json={
        "visitor_name": "Li Lei", "host_unit": "12A", "host_name": "Han Meimei",
        "purpose": "review", "party_size": 3,
        "expected_from": datetime.now(UTC).isoformat(),
        "expected_until": (datetime.now(UTC) + timedelta(hours=2)).isoformat(),
    })  # fmt: skip
    assert visit.status_code == 201, visit.text
    visit_id = visit.json()["visit_id"]
    api.post(f"/sites/{SITE_A}/visits/{visit_id}/check-in", headers=DESK,
             json={"id_checked": True, "id_type": "passport"}).raise_for_status()  # fmt: skip

    reported = api.post(f"/sites/{SITE_A}/incidents", json=an_incident(), headers=DESK)
    assert reported.status_code == 201, reported.text
    incident = reported.json()
    path = f"/sites/{SITE_A}/incidents/{incident['incident_id']}"
    evacuation = eventually(
        lambda: api.get(f"{path}/evacuation-list", headers=DESK).json(),
        lambda e: any(v["visit_id"] == visit_id for v in e["in_building"]),
    )
    assert evacuation["incident"] == incident and evacuation["people"] >= 3

    early = api.post(f"{path}/closure", json={"summary": "x", "by": "Wu"}, headers=SUPERVISOR)
    assert early.status_code == 409
    for action in ("lift company called", "people out at 09:20, unhurt"):
        taken = api.post(f"{path}/actions", json={"action": action, "by": "Amy"}, headers=DESK)
        assert taken.status_code == 200, taken.text
    assert api.post(f"{path}/follow-ups", headers=DESK,
                    json={"follow_up": "x", "by": "Amy"}).status_code == 403  # fmt: skip
    api.post(f"{path}/follow-ups", headers=SUPERVISOR,
             json={"follow_up": "lift 3 out of service until inspected", "by": "Wu"},
             ).raise_for_status()  # fmt: skip
    closed = api.post(f"{path}/closure", headers=SUPERVISOR,
                      json={"summary": "released after 15 minutes", "by": "Supervisor Wu"})  # fmt: skip
    assert closed.status_code == 200, closed.text
    assert [a["action"] for a in closed.json()["actions"]] == [
        "lift company called", "people out at 09:20, unhurt",
    ]  # fmt: skip
    assert api.post(f"{path}/actions", json={"action": "x", "by": "y"},
                    headers=DESK).status_code == 409  # fmt: skip
    assert api.get(f"{path}/evacuation-list", headers=DESK).status_code == 409
    assert api.get(path, headers=DESK).json() == closed.json()
    log = eventually(
        lambda: api.get(f"/sites/{SITE_A}/incidents", headers=DESK).json(),
        lambda rows: any(r == closed.json() for r in rows),
    )
    assert incident["incident_id"] not in [
        r["incident_id"]
        for r in api.get(f"/sites/{SITE_A}/incidents", params={"open_only": True},
                         headers=DESK).json()
    ]  # fmt: skip
    assert len(log) >= 1
    assert eventually(
        lambda: published(stack, incident["incident_id"]), lambda types: len(types) == 5
    ) == [
        "concierge.workorder.IncidentReported.v1",
        "concierge.workorder.IncidentActionTaken.v1",
        "concierge.workorder.IncidentActionTaken.v1",
        "concierge.workorder.IncidentFollowUpRecorded.v1",
        "concierge.workorder.IncidentClosed.v1",
    ]


def test_a_drill_is_recorded_and_listed(api: httpx.Client, stack: Stack) -> None:
    recorded = api.post(f"/sites/{SITE_A}/drills", json=a_drill(), headers=SUPERVISOR)
    assert recorded.status_code == 201, recorded.text
    assert api.post(f"/sites/{SITE_A}/drills", json=a_drill(), headers=DESK).status_code == 403
    drills = eventually(
        lambda: api.get(f"/sites/{SITE_A}/drills", headers=DESK).json(),
        lambda rows: recorded.json() in rows,
    )
    assert recorded.json()["participants"] == ["Li Na", "Wang Wu", "Lao Zhang"]
    assert eventually(
        lambda: published(stack, recorded.json()["drill_id"]), lambda types: len(types) == 1
    ) == ["concierge.workorder.DrillRecorded.v1"]
    assert drills


TOMORROW = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/incidents", an_incident(kind="earthquake"), "kind"),
        ("/incidents", an_incident(place=""), "place"),
        ("/incidents", an_incident(happened_at="2026-11-02T09:00:00"), "happened_at"),
        ("/incidents", an_incident(happened_at=(datetime.now(UTC) + timedelta(hours=1))
                                   .isoformat()), "happened_at"),
        ("/drills", a_drill(participants=[]), "participants"),
        ("/drills", a_drill(participants=["Li", "li"]), "participants"),
        ("/drills", a_drill(duration_minutes=0), "duration_minutes"),
        ("/drills", a_drill(held_on=TOMORROW), "held_on"),
        ("/drills", a_drill(kind="party"), "kind"),
    ],
)  # fmt: skip
def test_a_bad_incident_or_drill_is_422_naming_the_field_and_nothing_is_stored(
    api: httpx.Client, stack: Stack, path: str, body: dict, field: str
) -> None:
    before = stored(stack)
    refused = api.post(f"/sites/{SITE_A}{path}", json=body, headers=SUPERVISOR)
    assert refused.status_code == 422, refused.text
    assert problem(refused).names(field), refused.text
    assert stored(stack) == before


def test_another_sites_staff_cannot_see_or_use_a_sites_incidents(api: httpx.Client) -> None:
    incident = api.post(f"/sites/{SITE_A}/incidents", json=an_incident(), headers=DESK).json()
    path = f"/incidents/{incident['incident_id']}"
    assert api.get(f"/sites/{SITE_A}{path}", headers=OTHER_DESK).status_code == 403
    assert api.get(f"/sites/{SITE_A}/drills", headers=OTHER_DESK).status_code == 403
    for method, suffix, body in [
        ("GET", "", None),
        ("GET", "/evacuation-list", None),
        ("POST", "/actions", {"action": "x", "by": "y"}),
    ]:
        response = api.request(method, f"/sites/{SITE_B}{path}{suffix}", json=body,
                               headers=OTHER_DESK)  # fmt: skip
        assert response.status_code == 404, (suffix, response.text)


# -- hygiene ----------------------------------------------------------------------------

SITE_H = uuid4()  # a site of its own: its overdue list is exactly what this test made
H_SUPERVISOR = bearer(Role.CS_SUPERVISOR, [SITE_H])
H_INSPECTOR = bearer(Role.CS_REP, [SITE_H])
ADMIN = bearer(Role.GROUP_ADMIN, [])


def business_today(api: httpx.Client) -> str:
    now = api.post("/admin/clock", json={"advance_seconds": 0}, headers=ADMIN).json()["now"]
    return datetime.fromisoformat(now).astimezone(SHANGHAI).date().isoformat()


def an_inspection(area_id: str, on: str, **overrides: object) -> dict:
    return {
        "area_id": area_id,
        "level": "team",
        "inspected_on": on,
        "inspector": "Li Na (CS)",
        "items": [{"item": "floor", "score": 90}, {"item": "bins emptied", "score": 75}],
        **overrides,
    }


def test_inspections_at_the_manuals_intervals_the_overdue_ones_and_the_vendors_scores(
    api: httpx.Client, stack: Stack
) -> None:
    today = business_today(api)
    areas = {}
    for name, vendor in [("Lobby", "Bright Clean Co."), ("B1 car park", "Spotless Ltd.")]:
        registered = api.post(f"/sites/{SITE_H}/cleaning-areas", headers=H_SUPERVISOR,
                              json={"name": name, "vendor": vendor})  # fmt: skip
        assert registered.status_code == 201, registered.text
        areas[name] = registered.json()
    lobby, car_park = areas["Lobby"]["area_id"], areas["B1 car park"]["area_id"]
    team = api.post(f"/sites/{SITE_H}/hygiene-inspections", headers=H_INSPECTOR,
                    json=an_inspection(lobby, today))  # fmt: skip
    assert team.status_code == 201, team.text
    assert (team.json()["overall_score"], team.json()["vendor"]) == ("82.5", "Bright Clean Co.")
    api.post(f"/sites/{SITE_H}/hygiene-inspections", headers=H_INSPECTOR, json=an_inspection(
        car_park, today, level="area", items=[{"item": "floor", "score": 60}],
    )).raise_for_status()  # fmt: skip

    assert (
        eventually(
            lambda: api.get(
                f"/sites/{SITE_H}/hygiene-inspections/overdue", headers=H_INSPECTOR
            ).json()["overdue"],
            lambda overdue: overdue == [],
        )
        == []
    )
    try:
        api.post("/admin/clock", json={"advance_seconds": 20 * 86400}, headers=ADMIN)
        overdue = api.get(f"/sites/{SITE_H}/hygiene-inspections/overdue", headers=H_INSPECTOR)
        assert overdue.status_code == 200, overdue.text
        assert sorted((o["area"], o["level"], o["days_overdue"])
                      for o in overdue.json()["overdue"]) == [
            ("B1 car park", "area", 5), ("B1 car park", "team", 13),
            ("Lobby", "area", 5), ("Lobby", "team", 13),
        ]  # fmt: skip
    finally:
        api.post("/admin/clock", json={"reset": True}, headers=ADMIN)

    scores = eventually(
        lambda: api.get(
            f"/sites/{SITE_H}/cleaning-vendors/scores",
            params={"period": today[:7]},
            headers=H_INSPECTOR,
        ).json(),
        lambda s: len(s["vendors"]) == 2,
    )
    assert [(v["vendor"], v["average_score"], v["inspections"]) for v in scores["vendors"]] == [
        ("Spotless Ltd.", "60.0", 1), ("Bright Clean Co.", "82.5", 1),
    ]  # fmt: skip
    listed = api.get(f"/sites/{SITE_H}/hygiene-inspections", params={"area_id": lobby},
                     headers=H_INSPECTOR).json()  # fmt: skip
    assert listed == [team.json()]
    assert api.get(f"/sites/{SITE_H}/cleaning-areas", headers=H_INSPECTOR).json() == sorted(
        areas.values(), key=lambda a: a["name"]
    )
    changed = api.put(f"/sites/{SITE_H}/cleaning-areas/{lobby}/vendor", headers=H_SUPERVISOR,
                      json={"vendor": "Spotless Ltd."})  # fmt: skip
    assert changed.status_code == 200 and changed.json()["vendor"] == "Spotless Ltd."
    assert eventually(
        lambda: published(stack, team.json()["inspection_id"]), lambda types: len(types) == 1
    ) == ["concierge.workorder.HygieneInspected.v1"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"level": "weekly"}, "level"),
        ({"items": []}, "items"),
        ({"items": [{"item": "floor", "score": 101}]}, "score"),
        ({"items": [{"item": "floor", "score": 9}, {"item": "Floor", "score": 8}]}, "items"),
        ({"inspected_on": "2099-12-31"}, "inspected_on"),
        ({"inspector": ""}, "inspector"),
    ],
)
def test_a_bad_inspection_is_422_naming_the_field_and_nothing_is_stored(
    api: httpx.Client, stack: Stack, overrides: dict, field: str
) -> None:
    area = api.post(f"/sites/{SITE_H}/cleaning-areas", headers=H_SUPERVISOR,
                    json={"name": "Roof garden", "vendor": "Green Co."}).json()  # fmt: skip
    before = stored(stack)
    body = an_inspection(area["area_id"], business_today(api), **overrides)
    refused = api.post(f"/sites/{SITE_H}/hygiene-inspections", json=body, headers=H_INSPECTOR)
    assert refused.status_code == 422, refused.text
    assert problem(refused).names(field), refused.text
    assert stored(stack) == before


def test_another_sites_staff_cannot_inspect_or_see_a_sites_areas(api: httpx.Client) -> None:
    area = api.post(f"/sites/{SITE_H}/cleaning-areas", headers=H_SUPERVISOR,
                    json={"name": "Lobby", "vendor": "Green Co."}).json()  # fmt: skip
    other = bearer(Role.CS_REP, [SITE_B])
    assert api.get(f"/sites/{SITE_H}/cleaning-areas", headers=other).status_code == 403
    inspected = api.post(f"/sites/{SITE_B}/hygiene-inspections", headers=other,
                         json=an_inspection(area["area_id"], business_today(api)))  # fmt: skip
    assert inspected.status_code == 404, inspected.text
    moved = api.put(f"/sites/{SITE_B}/cleaning-areas/{area['area_id']}/vendor",
                    headers=bearer(Role.CS_SUPERVISOR, [SITE_B]), json={"vendor": "Mine"})  # fmt: skip
    assert moved.status_code == 404
