from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest

from runtime.aggregate import correlated
from runtime.errors import Conflict, Invalid
from services.visitor.domain import (
    PhoneMessage,
    UnitStanding,
    Visit,
    VisitStatus,
    Watchlist,
    name_key,
    require_unit_of_site,
)

NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
SITE = uuid4()


def expected_visit() -> Visit:
    return Visit.pre_register(
        site_id=SITE,
        visitor_name="Li Lei",
        visitor_company="ACME",
        host_unit="12A",
        host_name="Han Meimei",
        purpose="meeting",
        party_size=2,
        expected_from=NOW,
        expected_until=NOW + timedelta(hours=4),
        at=NOW - timedelta(days=1),
    )


def walk_in() -> Visit:
    return Visit.arrive_unannounced(
        site_id=SITE,
        visitor_name="Zhang San",
        visitor_company=None,
        host_unit="8B",
        host_name="Wang Wu",
        purpose="delivery",
        party_size=1,
        id_checked=True,
        id_type="id_card",
        at=NOW,
    )


def event_names(aggregate: object) -> list[str]:
    return [type(e).__name__ for e in aggregate.collect_events()]  # type: ignore[attr-defined]


def test_pre_registered_visitor_checks_in_and_the_host_is_notified() -> None:
    visit = expected_visit()
    visit.check_in(id_checked=True, id_type="passport", at=NOW)
    assert visit.status == VisitStatus.CHECKED_IN
    assert event_names(visit) == ["Registered", "CheckedIn", "HostNotified"]


def test_expected_window_must_be_a_window() -> None:
    with pytest.raises(Invalid) as err:
        Visit.pre_register(
            site_id=SITE, visitor_name="A", visitor_company=None, host_unit="1", host_name="B",
            purpose="p", party_size=1, expected_from=NOW, expected_until=NOW, at=NOW,
        )  # fmt: skip
    assert err.value.field == "expected_until"


def test_unannounced_visitor_waits_for_the_host() -> None:
    visit = walk_in()
    assert visit.status == VisitStatus.AWAITING_HOST
    assert event_names(visit) == ["Registered", "HostNotified"]
    with pytest.raises(Conflict):
        visit.check_in(id_checked=True, id_type="id_card", at=NOW)


def test_host_approval_checks_in_and_keeps_the_id_seen_at_the_desk() -> None:
    visit = walk_in()
    visit.host_decides(approve=True, reason=None, at=NOW)
    assert visit.status == VisitStatus.CHECKED_IN
    assert (visit.id_checked, visit.id_type) == (True, "id_card")


def test_host_decline_denies_the_visit() -> None:
    visit = walk_in()
    visit.host_decides(approve=False, reason="not expecting anyone", at=NOW)
    assert visit.status == VisitStatus.DENIED
    assert visit.denial_reason == "host declined: not expecting anyone"
    with pytest.raises(Conflict):
        visit.host_decides(approve=True, reason=None, at=NOW)


def test_check_out_needs_a_checked_in_visitor() -> None:
    visit = expected_visit()
    with pytest.raises(Conflict, match="only a checked-in visitor"):
        visit.check_out(at=NOW)
    visit.check_in(id_checked=False, id_type=None, at=NOW)
    visit.check_out(at=NOW + timedelta(hours=1))
    assert visit.status == VisitStatus.CHECKED_OUT
    with pytest.raises(Conflict):
        visit.check_out(at=NOW)


def test_deny_only_before_entry() -> None:
    visit = expected_visit()
    visit.check_in(id_checked=False, id_type=None, at=NOW)
    with pytest.raises(Conflict):
        visit.deny(reason="no ID", at=NOW)


def test_overstay_is_flagged_once_per_day_and_only_while_in() -> None:
    visit = expected_visit()
    assert visit.flag_overstay(business_date=date(2026, 11, 2), at=NOW) is False
    visit.check_in(id_checked=False, id_type=None, at=NOW)
    assert visit.flag_overstay(business_date=date(2026, 11, 2), at=NOW) is True
    assert visit.flag_overstay(business_date=date(2026, 11, 2), at=NOW) is False
    assert visit.flag_overstay(business_date=date(2026, 11, 3), at=NOW) is True
    assert visit.overstayed_on == [date(2026, 11, 2), date(2026, 11, 3)]


def test_every_event_carries_site_and_correlation_id() -> None:
    with correlated("corr-42"):
        visit = walk_in()
        visit.host_decides(approve=True, reason=None, at=NOW)
    events = visit.collect_events()
    assert {e.site_id for e in events} == {SITE}  # type: ignore[attr-defined]
    assert {e.correlation_id for e in events} == {"corr-42"}  # type: ignore[attr-defined]


def test_watchlist_matches_name_regardless_of_case_width_and_spacing() -> None:
    watchlist = Watchlist(scope=str(SITE))
    watchlist.add_entry(entry_id="e1", name="Zhang  San", id_hash=None, reason="banned", at=NOW)
    assert watchlist.match("zhang san", None) == "banned"
    assert watchlist.match("ＺＨＡＮＧ ＳＡＮ", None) == "banned"
    assert watchlist.match("Zhang Si", None) is None


def test_watchlist_matches_id_hash_under_another_name() -> None:
    watchlist = Watchlist(scope="group")
    watchlist.add_entry(entry_id="e1", name="Alias", id_hash="abc", reason="fraud", at=NOW)
    assert watchlist.match("Someone Else", "abc") == "fraud"
    watchlist.remove_entry("e1", at=NOW)
    assert watchlist.match("Alias", "abc") is None
    with pytest.raises(Conflict):
        watchlist.remove_entry("e1", at=NOW)


def test_watchlist_id_is_derived_from_its_scope() -> None:
    assert Watchlist(scope="group").id == Watchlist.create_id("group")


def test_phone_message_is_delivered_once() -> None:
    message = PhoneMessage(
        site_id=SITE, caller_name="Chen", caller_company=None, caller_phone="+86 21 5555 0101",
        reason="call back", for_unit="12A", for_person="Han Meimei", at=NOW,
    )  # fmt: skip
    message.deliver(acknowledged_by="Han Meimei", at=NOW)
    with pytest.raises(Conflict):
        message.deliver(acknowledged_by="Han Meimei", at=NOW)


def test_name_key() -> None:
    assert name_key(" Li  Lei ") == name_key("li lei") == "lilei"


def test_the_desk_names_only_units_of_its_site_with_a_tenant() -> None:
    require_unit_of_site("12A", UnitStanding.LISTED, "host_unit")
    require_unit_of_site("12A", UnitStanding.NO_ROSTER, "host_unit")  # nothing to check yet
    with pytest.raises(Invalid, match="not a unit of this site") as refused:
        require_unit_of_site("B-7", UnitStanding.NOT_LISTED, "host_unit")
    assert refused.value.field == "host_unit"
    with pytest.raises(Invalid, match="moved out") as refused:
        require_unit_of_site("8B", UnitStanding.MOVED_OUT, "for_unit")
    assert refused.value.field == "for_unit"
