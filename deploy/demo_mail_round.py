"""The demo's mail and newspaper round of today (issue 12, item 11), seeded through the
HTTP API by `deploy/demo.py`: a letter for 12A and a magazine for 21F go out with the
units' newspapers; 12A takes them, nobody is in at 21F (its magazine is back at the desk,
awaiting pickup), 15C's papers are still on the way.
"""

from __future__ import annotations

from uuid import UUID

import httpx

from runtime.clock import clock
from runtime.sites import site_timezone


def seed_mail_round(api: httpx.Client, site: UUID, desk: dict[str, str]) -> None:
    base = f"/sites/{site}/mail"

    def receive(unit: str, kind: str) -> str:
        body = {"kind": kind, "recipient_unit": unit}
        response = api.post(f"{base}/items", json=body, headers=desk)
        response.raise_for_status()
        return str(response.json()["item_id"])

    letter, magazine = receive("12A", "letter"), receive("21F", "newspaper")
    today = f"{base}/rounds/{clock.today(site_timezone(site))}"
    stops = [
        {"unit": "12A", "item_ids": [letter], "newspapers": ["China Daily", "Jiefang Daily"]},
        {"unit": "15C", "newspapers": ["Xinmin Evening News"]},
        {"unit": "21F", "item_ids": [magazine], "newspapers": ["China Daily"]},
    ]
    api.post(today, json={"planned_by": "Zhao Lei (concierge)", "stops": stops},
             headers=desk).raise_for_status()  # fmt: skip
    for unit, outcome in (("12A", "delivered"), ("21F", "not_at_home")):
        body = {"unit": unit, "outcome": outcome, "delivered_by": "Zhao Lei (concierge)"}
        api.post(f"{today}/stops", json=body, headers=desk).raise_for_status()
