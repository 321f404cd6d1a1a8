"""The demo's front-office day (issue 12): what the seed manuals have the desk keep
beside its visits, seeded through the HTTP API by `deploy/demo.py`.

The switchboard's call register (seed 000): ordinary calls, and an important one passed
to engineering, signed for, followed up and done. The desk's day (seeds 000, 002):
yesterday opened, handed from the day to the night shift and closed with an item for
today; today opened with a failed check noted and a handover waiting to be acknowledged.
VIP reception (seed 002): one guest due within the hour, confirmed, with a pick-up; one
due tomorrow, on the list still to confirm. Luggage at the desk (seed 002): two guests'
bags held under tags, one collected. (The front desk's watchlist refusal in `demo.py`
leaves an open alert on the supervisors' list.) The site's standard reception time
(seed 004), which the month's statistic holds the desk's walk-ins to. A building notice
(seed 001): 12A told by phone, 15C by letter, posted in the lobby; 21F not told yet.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

import httpx

from runtime.clock import clock
from runtime.sites import site_timezone

ALL_GOOD = {"desk_tidy": True, "equipment_working": True, "refreshments_ready": True}


def seed_front_office(api: httpx.Client, site: UUID) -> None:
    api.put(
        f"/sites/{site}/reception-standard", json={"standard_minutes": 8, "set_by": "Manager Ma"}
    ).raise_for_status()
    seed_call_register(api, site)
    seed_desk_days(api, site)
    seed_vip_receptions(api, site)
    seed_luggage(api, site)
    seed_building_notice(api, site)


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


def seed_vip_receptions(api: httpx.Client, site: UUID) -> None:
    soon = datetime.now(UTC) + timedelta(hours=1)
    today = api.post(
        f"/sites/{site}/vip-receptions",
        json={"visitor_name": "Huang Rong", "visitor_company": "Peach Island Catering",
              "host_unit": "12A", "host_name": "Han Meimei", "purpose": "contract signing",
              "party_size": 3, "expected_from": soon.isoformat(),
              "expected_until": (soon + timedelta(hours=2)).isoformat(), "level": "executive",
              "escorts": ["Liu Yang", "Zhao Lei"], "meeting_room": "Meeting room 2",
              "room_setup": ["tea", "seasonal_fruit", "bottled_water", "seating_plan"],
              "pickup": {"place": "Hongqiao station, exit 3",
                         "at": (soon - timedelta(minutes=45)).isoformat()}},
    ).json()  # fmt: skip
    api.post(
        f"/sites/{site}/vip-receptions/{today['visit_id']}/confirmation",
        json={"confirmed_by": "Liu Yang", "confirmed_with": "Ms Huang's assistant"},
    ).raise_for_status()
    tomorrow = soon + timedelta(days=1)
    api.post(
        f"/sites/{site}/vip-receptions",
        json={"visitor_name": "Guo Jing", "visitor_company": "City Water Bureau",
              "host_unit": "15C", "host_name": "Zhou Min", "purpose": "inspection briefing",
              "party_size": 2, "expected_from": tomorrow.isoformat(),
              "expected_until": (tomorrow + timedelta(hours=1)).isoformat(), "level": "senior",
              "escorts": ["Zhao Lei"], "meeting_room": "Meeting room 1",
              "room_setup": ["tea", "name_cards"]},
    ).raise_for_status()  # fmt: skip


def seed_luggage(api: httpx.Client, site: UUID) -> None:
    for tag, owner, pieces, description in [
        ("L-001", "Huang Rong", 2, "black suitcase, garment bag"),
        ("L-002", "Qiao Feng", 1, "sports bag"),
    ]:
        api.post(
            f"/sites/{site}/luggage",
            json={"tag": tag, "owner_name": owner, "pieces": pieces, "description": description,
                  "deposited_by": "Concierge Wu"},
        ).raise_for_status()  # fmt: skip
    api.post(
        f"/sites/{site}/luggage/L-002/collection", json={"collected_by": "Qiao Feng"}
    ).raise_for_status()


def seed_building_notice(api: httpx.Client, site: UUID) -> None:
    notice = api.post(
        f"/sites/{site}/building-notices",
        json={"subject": "Water off on 12F on Saturday",
              "content": "Pipe repair on Saturday 9:00-12:00; please keep taps closed.",
              "issued_by": "CS Chen"},
    ).json()  # fmt: skip
    for channel, unit, recipient in [
        ("phone", "12A", "Han Meimei"),
        ("letter", "15C", "Blue Ocean Legal, reception"),
        ("posting", None, "lobby notice board"),
    ]:
        api.post(
            f"/sites/{site}/building-notices/{notice['notice_id']}/deliveries",
            json={"channel": channel, "unit": unit, "recipient": recipient, "by": "Liu Yang"},
        ).raise_for_status()
