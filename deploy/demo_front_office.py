"""The demo's front-office day (issue 12): what the seed manuals have the desk keep
beside its visits, seeded through the HTTP API by `deploy/demo.py`.

The switchboard's call register (seed 000): ordinary calls, and an important one passed
to engineering, signed for, followed up and done. The desk's day (seeds 000, 002):
yesterday opened, handed from the day to the night shift and closed with an item for
today; today opened with a failed check noted and a handover waiting to be acknowledged.
"""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import httpx

from runtime.clock import clock
from runtime.sites import site_timezone

ALL_GOOD = {"desk_tidy": True, "equipment_working": True, "refreshments_ready": True}


def seed_front_office(api: httpx.Client, site: UUID) -> None:
    seed_call_register(api, site)
    seed_desk_days(api, site)


def seed_call_register(api: httpx.Client, site: UUID) -> None:
    for caller, company, number, reason, category in [
        ("Lin Ping", "Huaxin Trading Co.", "+86 21 6888 1201", "asks for the meeting-room rates",
         "enquiry"),
        ("Ma Qing", "Courier Express", "13900139000", "parcel for 15C, where to leave it",
         "delivery"),
        ("Zhou Min", "Blue Ocean Legal", "+86 21 6888 1501", "transfer to building management",
         "transfer"),
    ]:  # fmt: skip
        api.post(
            f"/sites/{site}/calls",
            json={"caller_name": caller, "caller_company": company, "caller_number": number,
                  "reason": reason, "category": category},
        ).raise_for_status()  # fmt: skip
    important = api.post(
        f"/sites/{site}/calls",
        json={"caller_name": "Han Meimei", "caller_company": "Huaxin Trading Co.",
              "caller_number": "+86 21 6888 1202", "reason": "no water on 12F since 9:00",
              "category": "repair", "important": True, "passed_to": "Engineering"},
    ).json()  # fmt: skip
    path = f"/sites/{site}/calls/{important['call_id']}"
    api.post(f"{path}/signature", json={"signed_by": "Zhao Gang"}).raise_for_status()
    api.post(
        f"{path}/follow-ups", json={"progress": "valve found closed on 12F", "by": "Operator Liu"}
    ).raise_for_status()
    api.post(
        f"{path}/completion",
        json={"result": "water back at 10:15, caller told", "signed_by": "Zhao Gang"},
    ).raise_for_status()
    api.post(
        f"/sites/{site}/calls",
        json={"caller_name": "Qiao Feng", "caller_number": "13700137000",
              "reason": "complains about noise from 20F at night", "category": "complaint",
              "important": True, "passed_to": "Customer service"},
    ).raise_for_status()  # fmt: skip


def seed_desk_days(api: httpx.Client, site: UUID) -> None:
    today = clock.today(site_timezone(site))
    yesterday = f"/sites/{site}/desk-days/{today - timedelta(days=1)}"
    api.post(
        f"{yesterday}/opening", json={"opened_by": "Liu Yang", "checks": ALL_GOOD}
    ).raise_for_status()
    api.post(
        f"{yesterday}/handovers",
        json={"from_shift": "day", "to_shift": "night", "handed_over_by": "Liu Yang",
              "open_items": ["courier to collect the parcel for 21F before 22:00"]},
    ).raise_for_status()  # fmt: skip
    api.post(
        f"{yesterday}/handovers/1/acknowledgement", json={"acknowledged_by": "Zhao Lei"}
    ).raise_for_status()
    api.post(
        f"{yesterday}/closing",
        json={"closed_by": "Zhao Lei",
              "checks": {"offices_secured": True, "public_areas_safe": True},
              "summary": "quiet evening; parcel for 21F collected at 21:10",
              "for_tomorrow": ["prepare meeting room 2 for the Huaxin visit at 10:00"]},
    ).raise_for_status()  # fmt: skip
    day = f"/sites/{site}/desk-days/{today}"
    api.post(
        f"{day}/opening",
        json={"opened_by": "Liu Yang", "checks": {**ALL_GOOD, "equipment_working": False},
              "note": "badge printer jammed; engineering called"},
    ).raise_for_status()  # fmt: skip
    api.post(
        f"{day}/handovers",
        json={"from_shift": "morning", "to_shift": "evening", "handed_over_by": "Liu Yang",
              "open_items": ["badge printer repair pending", "umbrella left by a visitor"]},
    ).raise_for_status()  # fmt: skip
