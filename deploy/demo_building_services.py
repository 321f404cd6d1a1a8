"""The demo's building services (issue 12 item 10, seed 001), seeded through the HTTP API
by `deploy/demo.py`: the laundry price list, 12A's laundry picked up and signed for (a
charge on 12A's billing account) and 15C's waiting for the laundry; this week's and next
week's menus, 12A's lunch for tomorrow ordered and a tenant's feedback on the week; a
fax slip signed by 15C and a spoiled copying slip voided by the CS supervisor.
"""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import httpx

from runtime.auth import Role, TokenConfig, mint
from runtime.clock import clock
from runtime.sites import site_timezone


def seed_building_services(api: httpx.Client, site: UUID, config: TokenConfig) -> None:
    seed_laundry(api, site)
    seed_catering(api, site)
    seed_business_centre(api, site, config)


def seed_laundry(api: httpx.Client, site: UUID) -> None:
    api.put(f"/sites/{site}/laundry/prices", json={
        "prices": [{"item": "shirt", "price": "12.00"}, {"item": "suit", "price": "45.00"},
                   {"item": "dress", "price": "30.00"}],
        "set_by": "Supervisor Qian"}).raise_for_status()  # fmt: skip
    orders = [
        api.post(f"/sites/{site}/laundry/orders", json={
            "unit": unit, "customer_name": name, "taken_by": "Receptionist Li",
            "items": items}).json()
        for unit, name, items in [
            ("12A", "Han Meimei",
             [{"item": "shirt", "quantity": 3}, {"item": "suit", "quantity": 1}]),
            ("15C", "Blue Ocean Legal", [{"item": "dress", "quantity": 2}]),
        ]
    ]  # fmt: skip
    done = f"/sites/{site}/laundry/orders/{orders[0]['order_id']}"
    api.post(f"{done}/pickup", json={"picked_up_by": "Laundry Wang"}).raise_for_status()
    api.post(f"{done}/return", json={"signed_by": "Han Meimei"}).raise_for_status()


def seed_catering(api: httpx.Client, site: UUID) -> None:
    today = clock.today(site_timezone(site))
    monday = today - timedelta(days=today.weekday())
    for week in (monday, monday + timedelta(days=7)):
        api.put(f"/sites/{site}/catering/menus/{week}", json={
            "dishes": [{"item": "set lunch A", "price": "28.00"},
                       {"item": "beef noodles", "price": "18.50"}],
            "published_by": "Supervisor Qian"}).raise_for_status()  # fmt: skip
    api.post(f"/sites/{site}/catering/orders", json={
        "unit": "12A", "customer_name": "Han Meimei", "taken_by": "Receptionist Li",
        "delivery_date": str(today + timedelta(days=1)),
        "items": [{"item": "set lunch A", "quantity": 2}]}).raise_for_status()  # fmt: skip
    api.post(f"/sites/{site}/catering/menus/{monday}/feedback", json={
        "unit": "15C", "rating": 4, "comment": "more vegetarian dishes, please",
        "recorded_by": "Receptionist Li"}).raise_for_status()  # fmt: skip


def seed_business_centre(api: httpx.Client, site: UUID, config: TokenConfig) -> None:
    slips = [
        api.post(f"/sites/{site}/business-centre/slips", json={
            "unit": "15C", "customer_name": "Blue Ocean Legal", "service": service,
            "quantity": quantity, "unit_price": price, "served_by": "Clerk Hu"}).json()
        for service, quantity, price in [("fax", 4, "8.00"), ("copying", 120, "0.50")]
    ]  # fmt: skip
    api.post(f"/sites/{site}/business-centre/slips/{slips[0]['order_id']}/signature",
             json={"signed_by": "Lawyer Gao"}).raise_for_status()  # fmt: skip
    supervisor = mint(config, subject="cs-supervisor-qian", role=Role.CS_SUPERVISOR, sites=[site])
    api.post(f"/sites/{site}/business-centre/slips/{slips[1]['order_id']}/void",
             json={"reason": "copier jammed: the run was spoiled"},
             headers={"Authorization": f"Bearer {supervisor}"}).raise_for_status()  # fmt: skip
