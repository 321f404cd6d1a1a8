"""The demo's building operations (issue 12 items 7-9), seeded through the HTTP API by
`deploy/demo.py`.

Patrols (seed 001 内部巡检程序): the manager's plans for the lobby and basement and for the
roof; today's two rounds, one finding in the pump room that opened a patrol repair, one
checkpoint missed on the roof, and the manager's sign-off of the day's review.
Emergencies (seed 001 紧急事故; seed 003 應急演練): this morning's lift entrapment, handled,
followed up and closed; a power cut on 15F still open (its evacuation list is the
visitors in the building now); last week's evacuation drill.
Hygiene (seed 001 客服部卫生检验制度): three cleaning areas and their two vendors; today's
team inspection of the lobby, area inspection of the car park and department inspection
of the 12F washrooms, scored per item (the vendors' scores for the month follow).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

import httpx

from runtime.auth import Role
from runtime.clock import clock
from runtime.sites import site_timezone

ROLES = (
    Role.CS_MANAGER,
    Role.CS_REP,
    Role.CS_SUPERVISOR,
    Role.RECEPTIONIST,
)  # the staff whose headers the demo passes in

PLANS = {
    "Lobby and B1": [("Lobby doors", "08:30"), ("B1 pump room", "09:00"),
                     ("B1 car park exits", "09:30")],
    "Roof and plant": [("Roof water tanks", "14:00"), ("Lift machine room", "14:20"),
                       ("Fire exit stairs B", "14:40")],
}  # fmt: skip


def seed_operations(api: httpx.Client, site: UUID, staff: dict[Role, dict[str, str]]) -> None:
    """`staff`: Authorization headers of the site's staff in each of `ROLES`."""
    seed_patrols(api, site, staff)
    seed_emergencies(api, site, staff)
    seed_hygiene(api, site, staff)


def seed_patrols(api: httpx.Client, site: UUID, staff: dict[Role, dict[str, str]]) -> None:
    manager, patroller = staff[Role.CS_MANAGER], staff[Role.CS_REP]
    plans = {}
    for zone, checkpoints in PLANS.items():
        plans[zone] = api.post(
            f"/sites/{site}/patrol-plans", headers=manager,
            json={"zone": zone, "drawn_by": "Zhou Min (CS manager)", "checkpoints": [
                {"checkpoint": c, "scheduled_at": t} for c, t in checkpoints]},
        ).raise_for_status().json()  # fmt: skip
    rounds = {  # zone -> the checkpoints recorded: (checkpoint, position, found, category)
        "Lobby and B1": [
            ("Lobby doors", "east revolving door", None, None),
            ("B1 pump room", "pump 2", "pump 2 leaks at the seal", "plumbing"),
            ("B1 car park exits", None, None, None),
        ],
        "Roof and plant": [
            ("Roof water tanks", "tank 1 lid", None, None),
            ("Lift machine room", None, "oil drip under lift 3's motor", None),
        ],  # Fire exit stairs B missed
    }
    day = None
    for zone, records in rounds.items():
        patrol_round = api.post(
            f"/sites/{site}/patrol-rounds", headers=patroller,
            json={"plan_id": plans[zone]["plan_id"], "patroller": "Li Na (CS)"},
        ).raise_for_status().json()  # fmt: skip
        day = patrol_round["business_date"]
        path = f"/sites/{site}/patrol-rounds/{patrol_round['round_id']}"
        for checkpoint, position, found, category in records:
            api.post(
                f"{path}/checkpoints", headers=patroller,
                json={"checkpoint": checkpoint, "position": position, "found": found,
                      "repair": {"category": category} if category else None},
            ).raise_for_status()  # fmt: skip
        api.post(f"{path}/finish", json={}, headers=patroller).raise_for_status()
    api.post(
        f"/sites/{site}/patrol-days/{day}/sign-off",
        headers=manager,
        json={"note": "Fire exit stairs B missed on the roof round: put it first tomorrow"},
    ).raise_for_status()


def seed_emergencies(api: httpx.Client, site: UUID, staff: dict[Role, dict[str, str]]) -> None:
    desk, supervisor = staff[Role.RECEPTIONIST], staff[Role.CS_SUPERVISOR]
    now = datetime.now(UTC)
    lift = api.post(
        f"/sites/{site}/incidents", headers=desk,
        json={"kind": "lift_entrapment", "place": "Lift 3, between 9F and 10F",
              "description": "two people trapped; intercom working",
              "happened_at": (now - timedelta(hours=2)).isoformat(),
              "reported_by": "Amy (front desk)"},
    ).raise_for_status().json()  # fmt: skip
    path = f"/sites/{site}/incidents/{lift['incident_id']}"
    for action, by in [("lift company called; ETA 15 minutes", "Amy (front desk)"),
                       ("both released unhurt", "Lao Zhang (engineering)")]:  # fmt: skip
        api.post(f"{path}/actions", headers=desk,
                 json={"action": action, "by": by}).raise_for_status()  # fmt: skip
    api.post(f"{path}/follow-ups", headers=supervisor,
             json={"follow_up": "lift 3 out of service until the lift company's inspection",
                   "by": "Supervisor Wu"}).raise_for_status()  # fmt: skip
    api.post(f"{path}/closure", headers=supervisor,
             json={"summary": "released after 17 minutes; inspection booked",
                   "by": "Supervisor Wu"}).raise_for_status()  # fmt: skip
    power = api.post(
        f"/sites/{site}/incidents", headers=desk,
        json={"kind": "power_cut", "place": "15F east", "description": "no power on 15F east",
              "happened_at": (now - timedelta(minutes=20)).isoformat(),
              "reported_by": "Amy (front desk)"},
    ).raise_for_status().json()  # fmt: skip
    api.post(f"/sites/{site}/incidents/{power['incident_id']}/actions", headers=desk,
             json={"action": "engineering on the way to the 15F switch room",
                   "by": "Amy (front desk)"}).raise_for_status()  # fmt: skip
    api.post(
        f"/sites/{site}/drills", headers=supervisor,
        json={"kind": "evacuation", "held_on": (now - timedelta(days=7)).date().isoformat(),
              "participants": ["Li Na", "Wang Wu", "Lao Zhang", "Amy"],
              "duration_minutes": 25, "findings": "stair B's door sticks; B1 alarm hard to hear",
              "recorded_by": "Supervisor Wu"},
    ).raise_for_status()  # fmt: skip


INSPECTIONS = [  # area, vendor, level, items scored
    ("Lobby", "Bright Clean Co.", "team",
     [("floor", 92), ("glass doors", 85), ("bins emptied", 70)]),
    ("B1 car park", "Spotless Ltd.", "area", [("floor", 64), ("drains", 58), ("lighting", 90)]),
    ("12F washrooms", "Bright Clean Co.", "department",
     [("basins", 88), ("floor", 90), ("supplies stocked", 95)]),
]  # fmt: skip


def seed_hygiene(api: httpx.Client, site: UUID, staff: dict[Role, dict[str, str]]) -> None:
    supervisor, inspector = staff[Role.CS_SUPERVISOR], staff[Role.CS_REP]
    today = clock.today(site_timezone(site)).isoformat()
    for name, vendor, level, items in INSPECTIONS:
        area = api.post(
            f"/sites/{site}/cleaning-areas", headers=supervisor,
            json={"name": name, "vendor": vendor},
        ).raise_for_status().json()  # fmt: skip
        api.post(
            f"/sites/{site}/hygiene-inspections", headers=inspector,
            json={"area_id": area["area_id"], "level": level, "inspected_on": today,
                  "inspector": "Li Na (CS)",
                  "items": [{"item": item, "score": score} for item, score in items]},
        ).raise_for_status()  # fmt: skip
