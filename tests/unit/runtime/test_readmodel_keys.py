"""`Keys`: the ids a batch of events names, by field, read in one pass."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from contracts import visitor as ev
from runtime.readmodel import Keys

NOW = datetime(2026, 11, 2, 9, tzinfo=UTC)


def test_keys_are_the_distinct_set_values_of_each_field_over_the_events_that_carry_it() -> None:
    site, visit, reception, message = uuid4(), uuid4(), uuid4(), uuid4()
    events = [
        ev.VisitorCheckedOut(site_id=site, visit_id=visit, occurred_at=NOW),
        ev.VisitorCheckedOut(site_id=site, visit_id=visit, occurred_at=NOW),  # named twice
        ev.VipReceptionPlanned(
            site_id=site, reception_id=reception, visit_id=(other := uuid4()),
            guest_name="G", guest_company=None, host_unit="1A", host_name="H",
            expected_from=NOW, level="gold", escorts=[], meeting_room=None, room_setup=[],
            pickup_place=None, pickup_at=None, occurred_at=NOW,
        ),
        ev.PhoneMessageDelivered(site_id=site, message_id=message, acknowledged_by="H",
                                 occurred_at=NOW),
    ]  # fmt: skip
    keys = Keys(events, ("visit_id", "reception_id", "message_id", "call_id"))
    assert sorted(keys["visit_id"]) == sorted([visit, other])
    assert keys["reception_id"] == [reception]
    assert keys["message_id"] == [message]
    assert keys["call_id"] == []


def test_a_field_left_unset_names_no_row() -> None:
    site = uuid4()
    events = [ev.VisitorArrived(
        site_id=site, visit_id=uuid4(), visitor_name="V", visitor_company=None,
        host_unit="1A", host_name="H", purpose="p", party_size=1, occurred_at=NOW,
    )]  # fmt: skip
    assert Keys(events, ("visitor_company",))["visitor_company"] == []
