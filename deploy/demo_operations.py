"""The demo's building operations (issue 12 items 7-9), seeded through the HTTP API by
`deploy/demo.py`.

Patrols (seed 001 内部巡检程序): the manager's plans for the lobby and basement and for the
roof; today's two rounds, one finding in the pump room that opened a patrol repair, one
checkpoint missed on the roof, and the manager's sign-off of the day's review.
"""

from __future__ import annotations

from uuid import UUID

import httpx

from runtime.auth import Role

ROLES = (Role.CS_MANAGER, Role.CS_REP)  # the staff whose headers the demo passes in

PLANS = {
    "Lobby and B1": [("Lobby doors", "08:30"), ("B1 pump room", "09:00"),
                     ("B1 car park exits", "09:30")],
    "Roof and plant": [("Roof water tanks", "14:00"), ("Lift machine room", "14:20"),
                       ("Fire exit stairs B", "14:40")],
}  # fmt: skip


def seed_operations(api: httpx.Client, site: UUID, staff: dict[Role, dict[str, str]]) -> None:
    """`staff`: Authorization headers of the site's staff in each of `ROLES`."""
    seed_patrols(api, site, staff)


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
