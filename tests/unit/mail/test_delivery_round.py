"""The day's mail and newspaper round (issue 12, item 11): items go out to their unit,
are delivered or come back to the desk awaiting pickup; each stop is recorded once."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from contracts import mail as published
from runtime.errors import Conflict, Invalid
from services.mail.contract import contract_for
from services.mail.delivery_round import DeliveryRound
from services.mail.domain import ItemStatus, MailItem

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
DAY = date(2026, 11, 2)


def item(unit: str = "12A") -> MailItem:
    return MailItem.receive(site_id=uuid4(), kind="letter", carrier=None, tracking_number=None,
                            recipient_unit=unit, recipient_company=None, recipient_person=None,
                            urgent=False, pages=None, at=NOW, addressed_to=None)  # fmt: skip


def a_round(*stops: dict) -> DeliveryRound:
    return DeliveryRound(site_id=uuid4(), business_date=DAY, planned_by="Li", at=NOW,
                         stops=list(stops))  # fmt: skip


def test_an_item_on_the_round_is_delivered_or_back_at_the_desk() -> None:
    delivered, back = item(), item()
    for i in (delivered, back):
        i.take_on_round(round_id=uuid4(), at=NOW)
        assert i.status == ItemStatus.OUT_FOR_DELIVERY
        with pytest.raises(Conflict):
            i.collect(signed_by="Han", on_behalf_of=None, at=NOW)  # not at the desk
    delivered.deliver_on_round(round_id=uuid4(), delivered_by="Zhao", at=NOW)
    back.leave_at_desk(round_id=uuid4(), at=NOW)
    assert delivered.status == ItemStatus.DELIVERED
    assert back.status == ItemStatus.AWAITING_PICKUP
    back.collect(signed_by="Han", on_behalf_of=None, at=NOW)
    with pytest.raises(Conflict):
        delivered.archive(reason="moved_out", forwarded_to=None, at=NOW)
    assert [type(contract_for(e)).__name__ for e in delivered.collect_events()][-2:] == [
        "MailOutForDelivery", "MailDeliveredToUnit"
    ]  # fmt: skip


def test_only_an_item_awaiting_pickup_goes_out() -> None:
    collected = item()
    collected.collect(signed_by="Han", on_behalf_of=None, at=NOW)
    with pytest.raises(Conflict, match="awaiting pickup"):
        collected.take_on_round(round_id=uuid4(), at=NOW)


def test_each_stop_is_recorded_once_and_only_a_stop_of_the_round() -> None:
    r = a_round({"unit": "12A", "item_ids": [], "newspapers": ["China Daily"]})
    r.record(unit="12A", outcome="not_at_home", delivered_by="Zhao", at=NOW)
    with pytest.raises(Conflict, match="recorded"):
        r.record(unit="12A", outcome="delivered", delivered_by="Zhao", at=NOW)
    with pytest.raises(Invalid) as refused:
        r.record(unit="15C", outcome="delivered", delivered_by="Zhao", at=NOW)
    assert refused.value.field == "unit"
    planned, recorded = (contract_for(e) for e in r.collect_events())
    assert isinstance(planned, published.DeliveryRoundPlanned)
    assert planned.stops[0].newspapers == ["China Daily"]
    assert isinstance(recorded, published.DeliveryRoundStopRecorded)
    assert (recorded.outcome, recorded.delivered_by, recorded.business_date) == (
        "not_at_home", "Zhao", DAY
    )  # fmt: skip


def test_one_round_per_site_and_day() -> None:
    site = uuid4()
    assert DeliveryRound.create_id(site, DAY) == DeliveryRound.create_id(site, DAY)
    assert DeliveryRound.create_id(site, DAY) != DeliveryRound.create_id(uuid4(), DAY)
