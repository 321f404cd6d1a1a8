"""Building services through the gateway (issue 12 item 10, seed 001): laundry picked up
and signed for, charged on the unit's billing account (issue 11 item 6b); catering
orders refused after the day's cut-off; business-centre slips voided only by a
supervisor who did not write them; each read back per site, refused on bad input and
across sites, with nothing stored."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from decimal import Decimal
from uuid import UUID, uuid4

import httpx
import pytest

from runtime.auth import Role, mint
from tests.conftest import Stack
from tests.helpers import CONFIG, bearer, eventually, problem, stored_events
from tests.infra import read_topic

ADMIN = bearer(Role.GROUP_ADMIN, [])
MONDAY_9AM = "2033-03-14T01:00:00+00:00"  # 09:00 in Shanghai, a Monday


def staff(role: Role, site: UUID, subject: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint(CONFIG, subject=subject, role=role, sites=[site])}"}


@pytest.fixture(scope="module")
def api(stack: Stack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.base_url, timeout=30) as client:
        client.post("/admin/clock", json={"set_to": MONDAY_9AM}, headers=ADMIN).raise_for_status()
        yield client
        client.post("/admin/clock", json={"reset": True}, headers=ADMIN)


def advance(api: httpx.Client, minutes: int) -> None:
    api.post("/admin/clock", json={"advance_seconds": minutes * 60},
             headers=ADMIN).raise_for_status()  # fmt: skip


def stored(stack: Stack) -> int:
    return stored_events(
        stack.infra.database_url, f"{stack.infra.namespace}visitor", "visitor_events"
    )


def test_a_signed_laundry_order_becomes_a_charge_on_the_units_account(
    api: httpx.Client, stack: Stack
) -> None:
    site = uuid4()
    desk = staff(Role.RECEPTIONIST, site, "desk-li")
    supervisor = staff(Role.CS_SUPERVISOR, site, "sup-qian")
    prices = api.put(f"/sites/{site}/laundry/prices", headers=supervisor, json={
        "prices": [{"item": "shirt", "price": "12.00"}, {"item": "suit", "price": "45.00"}],
        "set_by": "Supervisor Qian"})  # fmt: skip
    assert prices.status_code == 200, prices.text
    requested = api.post(f"/sites/{site}/laundry/orders", headers=desk, json={
        "unit": "12A", "customer_name": "Zhou Min", "taken_by": "Receptionist Li",
        "items": [{"item": "shirt", "quantity": 3}, {"item": "suit", "quantity": 1}]})  # fmt: skip
    assert requested.status_code == 201, requested.text
    order = requested.json()
    assert (order["service"], order["status"], order["amount"]) == ("laundry", "requested", "81.00")
    path = f"/sites/{site}/laundry/orders/{order['order_id']}"
    early = api.post(f"{path}/return", json={"signed_by": "Zhou Min"}, headers=desk)
    assert early.status_code == 409 and "not been picked up" in problem(early).detail
    advance(api, 20)
    picked = api.post(f"{path}/pickup", json={"picked_up_by": "Laundry Wang"}, headers=desk)
    assert picked.status_code == 200 and picked.json()["picked_up_in_time"] is True
    signed = api.post(f"{path}/return", json={"signed_by": "Zhou Min"}, headers=desk)
    assert signed.status_code == 200 and signed.json()["status"] == "signed"
    shown = f"/sites/{site}/service-orders/{order['order_id']}"
    assert api.get(shown, headers=desk).json() == signed.json()
    rewash = api.post(f"{path}/rewash", json={"taken_by": "Receptionist Li"}, headers=desk)
    assert rewash.status_code == 201, rewash.text
    assert rewash.json()["rewash_of"] == order["order_id"] and rewash.json()["amount"] == "0.00"

    # The unit's account shows the charge (billing's reaction to ServiceOrderSigned).
    accountant = staff(Role.ACCOUNTANT, site, "acc-zhao")
    account = eventually(
        lambda: api.get(f"/sites/{site}/billing/units/12A", headers=accountant),
        lambda r: r.status_code == 200 and any(
            line["fee_type"] == "laundry" for line in r.json()["lines"]),
        timeout=30,
    )  # fmt: skip
    [charge] = [line for line in account.json()["lines"] if line["fee_type"] == "laundry"]
    assert Decimal(charge["amount"]) == Decimal("81.00")
    assert charge["period"] == {"year": 2033, "month": 3}

    day = eventually(
        lambda: api.get(f"/sites/{site}/service-orders", params={"date": "2033-03-14"},
                        headers=desk).json(),
        lambda rows: len(rows) == 2,
    )  # fmt: skip
    assert day[0] == signed.json()
    times = api.get(f"/sites/{site}/laundry/pickup-times", params={"period": "2033-03"},
                    headers=desk).json()  # fmt: skip
    assert times["requested"] == 2 and times["picked_up"] == 1
    assert times["within_30_minutes"] == 1 and times["share_within_30_minutes"] == "1.0000"

    # Another site's staff: 403 on this site's path, 404 for this order on their own.
    other = uuid4()
    foreign = staff(Role.RECEPTIONIST, other, "desk-other")
    assert api.get(shown, headers=foreign).status_code == 403
    own_path = f"/sites/{other}/service-orders/{order['order_id']}"
    assert api.get(own_path, headers=foreign).status_code == 404
    crossed = api.post(f"/sites/{other}/laundry/orders/{order['order_id']}/pickup",
                       json={"picked_up_by": "x"}, headers=foreign)  # fmt: skip
    assert crossed.status_code == 404

    topic = f"{stack.infra.namespace}concierge.visitor.v1"
    key = order["order_id"].encode()  # the order's own events, in order (its Kafka key)
    messages = eventually(
        lambda: [m for m in asyncio.run(read_topic(stack.infra.kafka, topic)) if m.key == key],
        lambda ms: len(ms) >= 3,
    )
    assert [dict(m.headers)["ce_type"].decode() for m in messages] == [
        "concierge.visitor.LaundryRequested.v1",
        "concierge.visitor.LaundryPickedUp.v1",
        "concierge.visitor.ServiceOrderSigned.v1",
    ]


def test_catering_orders_close_at_the_days_cut_off_and_are_signed_for(
    api: httpx.Client, stack: Stack
) -> None:
    site = uuid4()
    desk = staff(Role.RECEPTIONIST, site, "desk-li")
    supervisor = staff(Role.CS_SUPERVISOR, site, "sup-qian")
    api.post("/admin/clock", json={"set_to": MONDAY_9AM}, headers=ADMIN).raise_for_status()
    week = f"/sites/{site}/catering/menus/2033-03-14"
    menu = api.put(week, headers=supervisor, json={
        "dishes": [{"item": "set lunch A", "price": "28.00"}, {"item": "noodles", "price": "18.50"}],
        "published_by": "Supervisor Qian"})  # fmt: skip
    assert menu.status_code == 200 and menu.json()["cut_off"] == "10:00", menu.text
    tuesday = api.put(
        f"/sites/{site}/catering/menus/2033-03-15",
        headers=supervisor,
        json={"dishes": [{"item": "x", "price": "1.00"}], "published_by": "Qian"},
    )
    assert tuesday.status_code == 422 and problem(tuesday).fields == ["week_start"]

    def order(day: str) -> httpx.Response:
        return api.post(f"/sites/{site}/catering/orders", headers=desk, json={
            "unit": "12A", "customer_name": "Zhou Min", "delivery_date": day,
            "taken_by": "Receptionist Li",
            "items": [{"item": "set lunch A", "quantity": 2}, {"item": "noodles", "quantity": 1}],
        })  # fmt: skip

    taken = order("2033-03-14")
    assert taken.status_code == 201, taken.text
    assert taken.json()["amount"] == "74.50" and taken.json()["delivery_date"] == "2033-03-14"
    advance(api, 65)  # 10:05 at the site
    before = stored(stack)
    late = order("2033-03-14")
    assert late.status_code == 409 and "closed at 10:00" in problem(late).detail
    assert stored(stack) == before
    assert order("2033-03-15").status_code == 201  # tomorrow's still open
    unplanned = order("2033-03-21")  # next week: no menu yet
    assert unplanned.status_code == 422 and problem(unplanned).fields == ["delivery_date"]

    path = f"/sites/{site}/catering/orders/{taken.json()['order_id']}"
    unsigned = api.post(f"{path}/receipt", json={"signed_by": "Zhou Min"}, headers=desk)
    assert unsigned.status_code == 409
    assert api.post(f"{path}/delivery", json={"delivered_by": "Caterer Sun"},
                    headers=desk).status_code == 200  # fmt: skip
    receipt = api.post(f"{path}/receipt", json={"signed_by": "Zhou Min"}, headers=desk)
    assert receipt.status_code == 200 and receipt.json()["status"] == "signed"

    feedback = api.post(f"{week}/feedback", headers=desk, json={
        "unit": "12A", "rating": 4, "comment": "the soup was cold", "recorded_by": "Li"})  # fmt: skip
    assert feedback.status_code == 200, feedback.text
    shown = api.get(week, headers=desk).json()
    assert shown["average_rating"] == "4.0" and shown["feedback"][0]["unit"] == "12A"


def test_a_voided_slip_needs_a_supervisor_who_did_not_write_it(
    api: httpx.Client, stack: Stack
) -> None:
    site = uuid4()
    desk = staff(Role.RECEPTIONIST, site, "clerk-hu")
    slip_body = {"unit": "12A", "customer_name": "Zhou Min", "service": "copying",
                 "quantity": 40, "unit_price": "0.50", "description": "A4 double-sided",
                 "served_by": "Clerk Hu"}  # fmt: skip
    opened = api.post(f"/sites/{site}/business-centre/slips", json=slip_body, headers=desk)
    assert opened.status_code == 201, opened.text
    assert opened.json()["amount"] == "20.00" and opened.json()["status"] == "open"
    path = f"/sites/{site}/business-centre/slips/{opened.json()['order_id']}"
    assert api.post(f"{path}/void", json={"reason": "spoiled"}, headers=desk).status_code == 403
    voided = api.post(f"{path}/void", json={"reason": "paper jam, spoiled"},
                      headers=staff(Role.CS_SUPERVISOR, site, "sup-qian"))  # fmt: skip
    assert voided.status_code == 200, voided.text
    assert (voided.json()["status"], voided.json()["voided_by"]) == ("voided", "sup-qian")
    assert api.post(f"{path}/signature", json={"signed_by": "Zhou Min"},
                    headers=desk).status_code == 409  # fmt: skip

    writer = staff(Role.CS_SUPERVISOR, site, "sup-wu")
    own = api.post(f"/sites/{site}/business-centre/slips", json=slip_body, headers=writer).json()
    self_void = api.post(f"/sites/{site}/business-centre/slips/{own['order_id']}/void",
                         json={"reason": "spoiled"}, headers=writer)  # fmt: skip
    assert self_void.status_code == 403 and "who wrote" in problem(self_void).detail


LAUNDRY = {"unit": "12A", "customer_name": "Zhou Min", "taken_by": "Receptionist Li",
           "items": [{"item": "shirt", "quantity": 1}]}  # fmt: skip
SLIP = {"unit": "12A", "customer_name": "Zhou Min", "service": "fax", "quantity": 3,
        "unit_price": "8.00", "served_by": "Clerk Hu"}  # fmt: skip


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("laundry/orders", {**LAUNDRY, "items": [{"item": "shirt", "quantity": 0}]},
         "items.0.quantity"),
        ("laundry/orders", {**LAUNDRY, "items": [{"item": "fur coat", "quantity": 1}]},
         "items.0.item"),
        ("laundry/orders", {**LAUNDRY, "items": []}, "items"),
        ("laundry/orders", {**LAUNDRY, "unit": "12/A"}, "unit"),
        ("business-centre/slips", {**SLIP, "service": "telex"}, "service"),
        ("business-centre/slips", {**SLIP, "unit_price": "0"}, "unit_price"),
        ("business-centre/slips", {**SLIP, "quantity": "3"}, "quantity"),
        ("business-centre/slips", {**SLIP, "customer_name": "\u202eevil"}, "customer_name"),
    ],
)  # fmt: skip
def test_bad_input_is_422_naming_the_field_and_nothing_is_stored(
    api: httpx.Client, stack: Stack, path: str, body: dict, field: str
) -> None:
    site = uuid4()
    supervisor = staff(Role.CS_SUPERVISOR, site, "sup-qian")
    api.put(f"/sites/{site}/laundry/prices", headers=supervisor, json={
        "prices": [{"item": "shirt", "price": "12.00"}], "set_by": "Qian"}).raise_for_status()  # fmt: skip
    before = stored(stack)
    refused = api.post(f"/sites/{site}/{path}", json=body, headers=supervisor)
    assert refused.status_code == 422, refused.text
    assert problem(refused).fields == [field]
    assert stored(stack) == before
