"""Building services at the desk (seed 001): laundry picked up within 30 minutes and
signed for on return, rewashes free and linked; catering orders by the day's cut-off,
delivered and signed for; business-centre slips quantity x price, voided only with a
supervisor's signature; every signed order published as one ServiceOrderSigned."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest

from contracts import visitor as published
from runtime.errors import Conflict, Forbidden, Invalid
from services.visitor.business_centre import ServiceSlip
from services.visitor.catering import CateringOrder, WeeklyMenu
from services.visitor.contract import contract_for
from services.visitor.laundry import LaundryOrder, LaundryPriceList

SITE = uuid4()
NOW = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)  # Monday 09:00 in Shanghai
SHANGHAI = ZoneInfo("Asia/Shanghai")
D = Decimal


def signed_events(aggregate: object) -> list[published.ServiceOrderSigned]:
    events = [contract_for(e) for e in aggregate.collect_events()]  # type: ignore[attr-defined]
    return [e for e in events if isinstance(e, published.ServiceOrderSigned)]


def laundry_order() -> LaundryOrder:
    prices = LaundryPriceList(site_id=SITE)
    prices.set_prices(prices={"shirt": D("12.00"), "suit": D("45.00")}, set_by="Supervisor Qian",
                      at=NOW)  # fmt: skip
    lines = prices.priced([("shirt", 3), ("suit", 1)])
    return LaundryOrder(site_id=SITE, unit="12A", customer_name="Zhou Min", items=lines,
                        amount=sum((line["amount"] for line in lines), D("0")),
                        taken_by="Receptionist Li", rewash_of=None, at=NOW)  # fmt: skip


def test_laundry_is_priced_from_the_sites_list_and_an_unlisted_item_names_its_line() -> None:
    prices = LaundryPriceList(site_id=SITE)
    prices.set_prices(prices={"shirt": D("12.00")}, set_by="Supervisor Qian", at=NOW)
    with pytest.raises(Invalid) as refused:
        prices.priced([("shirt", 1), ("fur coat", 1)])
    assert refused.value.field == "items.1.item"
    assert laundry_order().amount == D("81.00")


def test_the_pickup_is_measured_against_30_minutes_and_the_return_signed_once() -> None:
    order = laundry_order()
    with pytest.raises(Conflict, match="not been picked up"):
        order.sign_return(signed_by="Zhou Min", at=NOW)
    order.pick_up(picked_up_by="Laundry Wang", at=NOW + timedelta(minutes=30))
    assert order.picked_up_in_time is True
    late = laundry_order()
    late.pick_up(picked_up_by="Laundry Wang", at=NOW + timedelta(minutes=31))
    assert late.picked_up_in_time is False
    with pytest.raises(Conflict, match="picked up at"):
        order.pick_up(picked_up_by="Laundry Wang", at=NOW)
    order.sign_return(signed_by="Zhou Min", at=NOW + timedelta(hours=20))
    with pytest.raises(Conflict, match="signed for this laundry already"):
        order.sign_return(signed_by="Zhou Min", at=NOW + timedelta(hours=20))
    [charge] = signed_events(order)
    assert (charge.service, charge.unit, charge.amount) == ("laundry", "12A", D("81.00"))
    assert charge.order_id == order.id


def test_a_rewash_is_free_linked_to_the_original_and_only_after_its_return() -> None:
    order = laundry_order()
    with pytest.raises(Conflict, match="returned and signed"):
        LaundryOrder.rewash(order, taken_by="Receptionist Li", at=NOW)
    order.pick_up(picked_up_by="Laundry Wang", at=NOW)
    order.sign_return(signed_by="Zhou Min", at=NOW)
    rewash = LaundryOrder.rewash(order, taken_by="Receptionist Li", at=NOW)
    assert rewash.rewash_of == order.id and rewash.amount == D("0.00")
    assert [line["quantity"] for line in rewash.items] == [3, 1]


def menu() -> WeeklyMenu:
    return WeeklyMenu.publish(site_id=SITE, week_start=date(2026, 11, 2),
                              dishes={"set lunch A": D("28.00"), "noodles": D("18.50")},
                              cut_off=time(10, 0), published_by="Supervisor Qian",
                              at=NOW)  # fmt: skip


def order(local_now: datetime, day: date = date(2026, 11, 2)) -> CateringOrder:
    return CateringOrder.take(menu(), unit="12A", customer_name="Zhou Min", delivery_date=day,
                              items=[("set lunch A", 2), ("noodles", 1)],
                              taken_by="Receptionist Li", at=NOW,
                              local_now=local_now)  # fmt: skip


def test_a_menu_is_for_a_week_from_monday() -> None:
    with pytest.raises(Invalid) as refused:
        WeeklyMenu.publish(site_id=SITE, week_start=date(2026, 11, 3), dishes={"x": D("1")},
                           cut_off=time(10, 0), published_by="Qian", at=NOW)  # fmt: skip
    assert refused.value.field == "week_start"


def test_orders_close_at_the_days_cut_off_site_time() -> None:
    taken = order(datetime(2026, 11, 2, 9, 59, tzinfo=SHANGHAI))
    assert taken.amount == D("74.50")
    with pytest.raises(Conflict, match="closed at 10:00"):
        order(datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI))
    # Tomorrow's lunch can still be ordered after today's cut-off.
    order(datetime(2026, 11, 2, 15, 0, tzinfo=SHANGHAI), date(2026, 11, 3))
    with pytest.raises(Invalid) as refused:
        order(datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI), date(2026, 11, 9))
    assert refused.value.field == "delivery_date"


def test_a_catering_order_is_signed_for_after_delivery_and_charged() -> None:
    taken = order(datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI))
    with pytest.raises(Conflict, match="not been delivered"):
        taken.sign_receipt(signed_by="Zhou Min", at=NOW)
    taken.deliver(delivered_by="Caterer Sun", at=NOW)
    taken.sign_receipt(signed_by="Zhou Min", at=NOW)
    [charge] = signed_events(taken)
    assert (charge.service, charge.amount) == ("catering", D("74.50"))


def test_weekly_feedback_is_kept_on_the_weeks_menu() -> None:
    week = menu()
    week.give_feedback(unit="12A", rating=4, comment="soup was cold", recorded_by="Li", at=NOW)
    assert [entry["rating"] for entry in week.feedback] == [4]
    kinds = [type(contract_for(e)).__name__ for e in week.collect_events()]
    assert kinds == ["CateringMenuPublished", "CateringFeedbackGiven"]


def slip() -> ServiceSlip:
    return ServiceSlip(site_id=SITE, unit="12A", customer_name="Zhou Min", service="copying",
                       quantity=40, unit_price=D("0.50"), description="A4 double-sided",
                       served_by="Clerk Hu", issued_by="clerk-hu", at=NOW)  # fmt: skip


def test_a_slip_is_quantity_times_price_and_charged_once_signed() -> None:
    charged = slip()
    assert charged.amount == D("20.00")
    charged.sign(signed_by="Zhou Min", at=NOW)
    with pytest.raises(Conflict, match="signed"):
        charged.void(reason="spoiled", supervisor="sup-qian", role="cs_supervisor", at=NOW)
    [charge] = signed_events(charged)
    assert (charge.service, charge.amount) == ("business_centre", D("20.00"))


def test_a_voided_slip_needs_a_supervisors_signature_not_the_writers() -> None:
    voided = slip()
    with pytest.raises(Forbidden, match="supervisor"):
        voided.void(reason="spoiled", supervisor="desk-li", role="receptionist", at=NOW)
    with pytest.raises(Forbidden, match="cannot be who wrote"):
        voided.void(reason="spoiled", supervisor="clerk-hu", role="cs_supervisor", at=NOW)
    voided.void(reason="spoiled", supervisor="sup-qian", role="cs_supervisor", at=NOW)
    assert voided.status == "voided"
    with pytest.raises(Conflict, match="voided"):
        voided.sign(signed_by="Zhou Min", at=NOW)
    assert signed_events(voided) == []
