"""Collection follow-up (催缴): the site's levels, a unit's chase, its log (no I/O)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from uuid import uuid4

import pytest

from runtime.errors import Conflict, Invalid
from services.billing.collection import (
    DEFAULT_DAYS,
    Action,
    CollectionLog,
    CollectionPolicy,
    Overdue,
    chase_of,
    chase_view,
    log_view,
    notice_due,
    overdue_of,
    to_chase,
)

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
DUE = date(2026, 11, 5)
D = Decimal


def test_overdue_is_past_due_date_plus_grace_and_dates_from_the_oldest_due_date() -> None:
    lines = [(date(2026, 10, 5), D("10.00")), (DUE, D("5.00")), (None, D("7.00")),
             (date(2026, 9, 5), D("0.00"))]  # fmt: skip
    assert overdue_of(lines, 5, date(2026, 11, 10)) == Overdue(D("10.00"), date(2026, 10, 5))
    assert overdue_of(lines, 5, date(2026, 11, 11)) == Overdue(D("15.00"), date(2026, 10, 5))
    assert overdue_of([(DUE, D("5"))], 5, date(2026, 11, 10)).since is None
    assert Overdue(D("1"), DUE).days(date(2026, 11, 20)) == 15


def test_the_levels_come_in_order_by_the_policys_days() -> None:
    overdue = Overdue(D("100.00"), DUE)
    day = lambda n: date.fromordinal(DUE.toordinal() + n)  # noqa: E731
    assert chase_of(DEFAULT_DAYS, overdue, [], day(6)).next_level == "notice"
    notice = [Action("notice", day(6))]
    assert chase_of(DEFAULT_DAYS, overdue, notice, day(6)).next_level is None
    assert chase_of(DEFAULT_DAYS, overdue, notice, day(7)).next_level == "phone_reminder"
    called = [*notice, Action("phone_reminder", day(7), "refused")]
    assert chase_of(DEFAULT_DAYS, overdue, called, day(14)).next_level is None
    assert chase_of(DEFAULT_DAYS, overdue, called, day(15)).next_level == "final_letter"
    lettered = [*called, Action("final_letter", day(15))]
    chase = chase_of(DEFAULT_DAYS, overdue, lettered, day(30))
    assert (chase.next_level, chase.done) == ("escalation", ("notice", "phone_reminder",
                                                             "final_letter"))  # fmt: skip


def test_steps_before_the_oldest_overdue_due_date_belong_to_an_earlier_chase() -> None:
    earlier = [Action("notice", date(2026, 9, 20)), Action("phone_reminder", date(2026, 9, 28))]
    chase = chase_of(DEFAULT_DAYS, Overdue(D("50"), DUE), earlier, date(2026, 11, 12))
    assert chase.done == ()
    assert chase.next_level == "notice"


def logged(actions: list[Action]) -> list[dict]:
    """Log entries of `actions`, each made at 10:00 in Shanghai on its day."""
    return [{**a._asdict(), "at": datetime.combine(a.on, time(2), UTC)} for a in actions]


def test_a_promise_still_to_come_is_not_chased_a_broken_one_is_a_kept_one_is_done() -> None:
    overdue = Overdue(D("80.00"), DUE)
    call = [Action("notice", date(2026, 11, 11)),
            Action("phone_reminder", date(2026, 11, 12), "promised", date(2026, 11, 20))]  # fmt: skip
    pending = chase_view("12A", DEFAULT_DAYS, overdue, logged(call),
                         date(2026, 11, 20))  # fmt: skip
    assert (pending["promise"], to_chase(pending)) == ("pending", False)
    broken = chase_view("12A", DEFAULT_DAYS, overdue, logged(call),
                        date(2026, 11, 21))  # fmt: skip
    assert (broken["promise"], broken["next_level"], to_chase(broken)) == (
        "broken", "final_letter", True)  # fmt: skip
    kept = chase_view("12A", DEFAULT_DAYS, Overdue(D("0.00"), None),
                      logged(call), date(2026, 11, 21))  # fmt: skip
    assert (kept["promise"], to_chase(kept)) == ("kept", False)
    # A later call that was refused replaces the promise; the chase goes on.
    refused = [*call, Action("phone_reminder", date(2026, 11, 22), "refused")]
    later = chase_view("12A", DEFAULT_DAYS, overdue, logged(refused),
                       date(2026, 11, 22))  # fmt: skip
    assert (later["promise"], later["next_level"], to_chase(later)) == (None, "final_letter", True)


def test_the_policy_keeps_every_level_in_order_within_a_year() -> None:
    policy = CollectionPolicy.defaults(uuid4(), NOW)
    assert (policy.days, policy.set_by) == (DEFAULT_DAYS, None)
    assert policy.change(days=dict(DEFAULT_DAYS), by="fm", at=NOW)  # now set by someone
    assert not policy.change(days=dict(DEFAULT_DAYS), by="fm", at=NOW)
    with pytest.raises(Invalid) as late:
        policy.change(days={**DEFAULT_DAYS, "final_letter": 3}, by="fm", at=NOW)
    assert late.value.field == "final_letter"
    with pytest.raises(Invalid):
        policy.change(days={**DEFAULT_DAYS, "escalation": 366}, by="fm", at=NOW)
    with pytest.raises(Invalid):
        policy.change(days={"notice": 0}, by="fm", at=NOW)
    assert notice_due({**DEFAULT_DAYS, "notice": 3}, DUE, date(2026, 11, 8))
    assert not notice_due({**DEFAULT_DAYS, "notice": 3}, DUE, date(2026, 11, 7))


def call(log: CollectionLog, overdue: Overdue, outcome: str, promised: date | None = None,
         on: date = date(2026, 11, 20)) -> None:  # fmt: skip
    log.record_call(overdue=overdue, called_at=NOW, called_on=on, outcome=outcome,
                    promised_on=promised, note=None, by="cs-rep", at=NOW)  # fmt: skip


def test_a_call_names_a_promised_date_only_with_a_promise_and_only_while_owing() -> None:
    log = CollectionLog(site_id=uuid4(), unit="12A", at=NOW)
    owing = Overdue(D("80.00"), DUE)
    with pytest.raises(Invalid) as no_date:
        call(log, owing, "promised")
    assert no_date.value.field == "promised_on"
    with pytest.raises(Invalid):
        call(log, owing, "refused", date(2026, 11, 25))
    with pytest.raises(Invalid):  # before the call
        call(log, owing, "promised", date(2026, 11, 19))
    with pytest.raises(Invalid):  # more than a quarter ahead
        call(log, owing, "promised", date(2027, 3, 1))
    with pytest.raises(Invalid):
        call(log, owing, "voicemail")
    with pytest.raises(Conflict):
        call(log, Overdue(D("0.00"), None), "unreachable")
    call(log, owing, "promised", date(2026, 11, 25))
    (entry,) = log.entries
    assert (entry["action"], entry["by"], entry["promised_on"], entry["amount"]) == (
        "phone_reminder", "cs-rep", date(2026, 11, 25), D("80.00"))  # fmt: skip


def test_one_final_letter_and_one_escalation_per_chase() -> None:
    log = CollectionLog(site_id=uuid4(), unit="12A", at=NOW)
    owing = Overdue(D("80.00"), DUE)
    log.send_final_letter(overdue=owing, sent_at=NOW, sent_on=date(2026, 11, 20), note=None,
                          by="cs-sup", at=NOW)  # fmt: skip
    with pytest.raises(Conflict):
        log.send_final_letter(overdue=owing, sent_at=NOW, sent_on=date(2026, 11, 21),
                              note=None, by="cs-sup", at=NOW)  # fmt: skip
    assert not log.escalate(days=DEFAULT_DAYS, overdue=owing, today=date(2026, 12, 4),
                            by="sweep", at=NOW)  # fmt: skip
    assert log.escalate(days=DEFAULT_DAYS, overdue=owing, today=date(2026, 12, 5), by="sweep",
                        at=NOW)  # fmt: skip
    assert not log.escalate(days=DEFAULT_DAYS, overdue=owing, today=date(2026, 12, 6),
                            by="sweep", at=NOW)  # fmt: skip
    # Paid, then overdue again from a later due date: a new chase, a new letter.
    again = Overdue(D("30.00"), date(2027, 1, 5))
    log.send_final_letter(overdue=again, sent_at=NOW, sent_on=date(2027, 1, 25), note=None,
                          by="cs-sup", at=NOW)  # fmt: skip
    view = log_view("12A", DEFAULT_DAYS, again, log.entries, date(2027, 1, 25))
    assert [e["action"] for e in view["entries"]] == ["final_letter", "escalation",
                                                      "final_letter"]  # fmt: skip
    assert view["levels_done"] == ["final_letter"]
    assert not view["escalated"]


def test_the_last_call_is_the_latest_made_in_whatever_order_the_log_is_read() -> None:
    """Two calls on one day: the read model returns rows in no set order; the later
    call's outcome counts (it failed before the entries were put in time order)."""
    day = date(2026, 11, 18)
    morning = {**Action("phone_reminder", day, "promised", date(2026, 11, 25))._asdict(),
               "at": datetime(2026, 11, 18, 1, 0, tzinfo=UTC)}  # fmt: skip
    afternoon = {**Action("phone_reminder", day, "refused")._asdict(),
                 "at": datetime(2026, 11, 18, 7, 0, tzinfo=UTC)}  # fmt: skip
    for entries in ([morning, afternoon], [afternoon, morning]):
        view = chase_view("12A", DEFAULT_DAYS, Overdue(D("80.00"), DUE), entries, day)
        assert (view["promise"], view["promised_on"]) == (None, None)
