"""The demo's complaints answered as seed 001 says (issue 12, item 1), seeded through the
HTTP API by `deploy/demo.py`: a letter from 15C answered by phone the same day,
investigated, fed back to engineering (acknowledged), resolved and closed with a written
reply; an email from 21F answered by email and kept informed; an anonymous note from the
suggestion box emptied today; a phone call from 12A nobody has answered yet (late once
the day ends). The week's tally (`GET /complaint-tally`) counts them by type, cause and
location.
"""

from __future__ import annotations

from uuid import UUID

import httpx

from runtime.clock import clock
from runtime.sites import site_timezone


def seed_complaint_answers(
    api: httpx.Client,
    site: UUID,
    desk: dict[str, str],
    cs: dict[str, str],
    engineering: dict[str, str],
) -> None:
    base = f"/sites/{site}/complaints"

    def register(**body: object) -> str:
        response = api.post(base, json={"category": "noise", **body}, headers=desk)
        response.raise_for_status()
        return str(response.json()["complaint_id"])

    def step(
        complaint: str,
        name: str,
        body: dict[str, object],
        headers: dict[str, str] = cs,
    ) -> None:
        api.post(f"{base}/{complaint}/{name}", json=body, headers=headers).raise_for_status()

    letter = register(
        channel="letter",
        complainant="Zhou Min",
        unit="15C",
        category="repair",
        content="lift 2 grinds between floors 10 and 15",
    )
    step(
        letter,
        "updates",
        {
            "channel": "phone",
            "by": "Li Na (desk)",
            "message": "letter received; engineering will inspect lift 2",
        },
        desk,
    )
    step(letter, "investigation", {"cause": "property", "notes": "worn guide shoe on lift 2"})
    step(
        letter,
        "internal-feedback",
        {
            "department": "engineering",
            "by": "Wang Fang (CS)",
            "content": "lift 2 guide shoes overdue for service",
        },
    )
    step(
        letter,
        "internal-feedback/1/acknowledgement",
        {"acknowledged_by": "Zhang Wei (engineering)"},
        engineering,
    )
    step(letter, "resolution", {"resolution": "guide shoes replaced, lift 2 tested"})
    step(
        letter,
        "reply",
        {
            "channel": "letter",
            "by": "Wang Fang (CS)",
            "message": "lift 2 was serviced; thank you for your letter",
        },
    )

    email = register(
        channel="email",
        complainant="Chen Jie",
        unit="21F",
        category="parking",
        contact_email="21f@tenants.example",
        content="visitors' cars take our reserved spaces on B1",
    )
    step(
        email,
        "updates",
        {
            "channel": "email",
            "by": "Wang Fang (CS)",
            "message": "received; security will check B1 at noon",
        },
    )
    step(
        email,
        "updates",
        {
            "channel": "phone",
            "by": "Wang Fang (CS)",
            "message": "security now tags visitor cars on B1",
        },
    )

    today = clock.today(site_timezone(site))
    register(
        channel="suggestion_box",
        category="security",
        location="B2 car park",
        collected_on=today.isoformat(),
        content="stair lights on B2 are out at night",
    )
    register(
        channel="phone",
        complainant="Han Meimei",
        unit="12A",
        category="cleaning",
        content="the pantry bin on 12 was not emptied",
    )
