from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import uuid4

import pytest

from runtime.aggregate import correlated
from runtime.errors import Conflict, Invalid, NotFound
from services.billing.domain import (
    FeeSchedule,
    FeeType,
    LateFeePolicy,
    UnitAccount,
    UnitProfile,
    monthly_charges,
)
from services.billing.money import Period

NOW = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
SITE = uuid4()
SEP, OCT, NOV, DEC = Period(2026, 9), Period(2026, 10), Period(2026, 11), Period(2026, 12)
D = Decimal


def event_names(aggregate: object) -> list[str]:
    return [type(e).__name__ for e in aggregate.collect_events()]  # type: ignore[attr-defined]


def account() -> UnitAccount:
    return UnitAccount.open(site_id=SITE, unit="12A", at=NOW)


def charge(
    acct: UnitAccount,
    charge_id: str,
    amount: str,
    period: Period = OCT,
    due_date: date | None = None,
    fee_type: str = "management",
) -> bool:
    return acct.post_charge(
        charge_id=charge_id, period=period, fee_type=fee_type, amount=amount,
        description=f"{fee_type} {period}", due_date=due_date, at=NOW,
    )  # fmt: skip


def pay(acct: UnitAccount, reference: str, amount: str, method: str = "bank_transfer") -> bool:
    return acct.receive_payment(reference=reference, amount=amount, method=method, at=NOW)


def paid(acct: UnitAccount) -> dict[str, Decimal]:
    return {line.charge_id: line.paid for line in acct.lines()}


def allocations(events: Sequence[object]) -> list[tuple[str, str, Decimal]]:
    return [
        (e.reference, e.charge_id, e.amount)  # type: ignore[attr-defined]
        for e in events
        if type(e).__name__ == "PaymentAllocated"
    ]


def assert_balanced(acct: UnitAccount) -> None:
    charged = acct.total_charged + acct.total_late_fees + acct.total_adjustments
    assert acct.total_paid + acct.outstanding() - acct.credit == charged


# ------------------------------------------------------------------------------ charges


def test_one_account_per_site_and_unit() -> None:
    acct = account()
    assert acct.id == UnitAccount.create_id(SITE, "12A")
    assert acct.id != UnitAccount.create_id(SITE, "12B")
    assert acct.id != UnitAccount.create_id(uuid4(), "12A")
    assert (acct.unit, acct.currency) == ("12A", "CNY")


def test_a_charge_posted_twice_is_posted_once() -> None:
    acct = account()
    assert charge(acct, "c1", "100") is True
    assert charge(acct, "c1", "100.00") is False
    assert event_names(acct) == ["Opened", "ChargePosted"]
    assert acct.outstanding() == D("100.00")


def test_the_same_charge_id_with_another_amount_is_a_conflict() -> None:
    acct = account()
    charge(acct, "c1", "100")
    with pytest.raises(Conflict, match="adjust"):
        charge(acct, "c1", "120")


def test_rerunning_the_month_posts_nothing_twice() -> None:
    fees = FeeSchedule.open(site_id=SITE, at=NOW)
    fees.set_rate(fee_type="management", amount_per_unit="3.5", effective_from=OCT, at=NOW)
    fees.set_rate(fee_type="parking", amount_per_unit="300", effective_from=OCT, at=NOW)
    unit = UnitProfile(area_m2=D("100"), parking_spaces=1, other_services={"laundry": D(30)})
    lines = monthly_charges(fees.rates_for(NOV), unit, NOV)
    acct = account()
    assert acct.post_monthly_charges(lines=lines, period=NOV, at=NOW) == 3
    acct.collect_events()
    assert acct.post_monthly_charges(lines=lines, period=NOV, at=NOW) == 0
    assert acct.collect_events() == []
    assert acct.charged_in(NOV) == D("680.00")
    # a paid repair from a verified work order is one more charge, once
    repair = acct.charge_id_for(NOV, FeeType.PAID_REPAIR, "WO-17")
    assert charge(acct, repair, "80", NOV, fee_type="paid_repair")
    assert not charge(acct, repair, "80", NOV, fee_type="paid_repair")
    assert acct.charged_in(NOV) == D("760.00")


def test_charge_ids_are_deterministic_per_account_period_fee_and_source() -> None:
    acct = account()
    same = UnitAccount.open(site_id=SITE, unit="12A", at=NOW)
    other = UnitAccount.open(site_id=SITE, unit="12B", at=NOW)
    assert acct.charge_id_for(OCT, "water") == same.charge_id_for(OCT, FeeType.WATER)
    ids = {
        acct.charge_id_for(OCT, "water"),
        acct.charge_id_for(NOV, "water"),
        acct.charge_id_for(OCT, "phone"),
        acct.charge_id_for(OCT, "paid_repair", "WO-1"),
        acct.charge_id_for(OCT, "paid_repair", "WO-2"),
        other.charge_id_for(OCT, "water"),
    }
    assert len(ids) == 6


@pytest.mark.parametrize(
    ("amount", "fee_type", "field"),
    [("0", "water", "amount"), ("-5", "water", "amount"), ("5", "late_fee", "fee_type"),
     ("5", "rent", "fee_type")],
)  # fmt: skip
def test_bad_charges_are_refused(amount: str, fee_type: str, field: str) -> None:
    with pytest.raises(Invalid) as err:
        charge(account(), "c1", amount, fee_type=fee_type)
    assert err.value.field == field


# ------------------------------------------------------------------------ period close


def test_closed_periods_accept_no_postings() -> None:
    acct = account()
    charge(acct, "c1", "100", OCT)
    assert acct.close_period(period=OCT, at=NOW) is True
    assert acct.close_period(period=OCT, at=NOW) is False
    with pytest.raises(Conflict, match="closed"):
        charge(acct, "c2", "50", OCT)
    with pytest.raises(Conflict, match="closed"):
        acct.adjust(adjustment_id="a1", amount="-10", reason="r", period=OCT, at=NOW)
    with pytest.raises(Conflict, match="closed"):
        acct.issue_statement(period=OCT, due_date=date(2026, 10, 31), at=NOW)
    assert charge(acct, "c1", "100", OCT) is False  # a replay is still harmless


def test_corrections_are_adjustments_in_an_open_period() -> None:
    acct = account()
    charge(acct, "c1", "100", OCT)
    acct.close_period(period=OCT, at=NOW)
    assert acct.adjust(
        adjustment_id="a1",
        amount="-30",
        reason="area was wrong",
        period=NOV,
        charge_id="c1",
        at=NOW,
    )
    assert acct.outstanding() == D("70.00")
    assert acct.total_adjustments == D("-30.00")
    assert_balanced(acct)


# -------------------------------------------------------------------------- statements


def test_a_statement_makes_its_period_due() -> None:
    acct = account()
    charge(acct, "oct", "100", OCT)
    charge(acct, "nov", "60", NOV)
    assert acct.issue_statement(period=OCT, due_date=date(2026, 10, 31), at=NOW)
    assert not acct.issue_statement(period=OCT, due_date=date(2026, 11, 30), at=NOW)
    due = {item.charge_id: item.due_date for item in acct.outstanding_items()}
    assert due == {"oct": date(2026, 10, 31), "nov": None}
    issued = [e for e in acct.collect_events() if type(e).__name__ == "StatementIssued"]
    assert [(e.period, e.amount_due, e.charge_ids) for e in issued] == [  # type: ignore[attr-defined]
        ("2026-10", D("100.00"), ["oct"])
    ]


def test_an_issued_statement_takes_no_new_charge_or_late_fee_only_adjustments() -> None:
    """DOMAIN.md: a charge that arrives for a month already issued joins the next month
    not yet issued; the issued notice changes only through adjustments."""
    acct = account()
    charge(acct, "oct", "100", OCT)
    acct.issue_statement(period=OCT, due_date=date(2026, 10, 31), at=NOW)
    acct.collect_events()
    with pytest.raises(Conflict, match="next month not yet issued"):
        charge(acct, "oct-late", "20", OCT)
    with pytest.raises(Conflict, match="next month not yet issued"):
        acct.assess_late_fee(period=OCT, as_of=date(2026, 12, 1), book_in=OCT, grace_days=0,
                             policy=LateFeePolicy(kind="fixed", value=D(5)), at=NOW)  # fmt: skip
    with pytest.raises(Conflict, match="next month not yet issued"):
        acct.record_water(period=OCT, water_m3=D(12), at=NOW)
    assert acct.collect_events() == []
    assert charge(acct, "oct", "100", OCT) is False  # a replay is still harmless
    assert charge(acct, "oct-late", "20", NOV)
    assert acct.adjust(adjustment_id="fix", amount="7", reason="r", period=OCT, at=NOW)
    assert acct.line("fix").due_date == date(2026, 10, 31)  # type: ignore[union-attr]
    assert acct.line("nope") is None


def test_a_statement_cannot_fall_due_before_its_period() -> None:
    with pytest.raises(Invalid) as err:
        account().issue_statement(period=NOV, due_date=date(2026, 10, 31), at=NOW)
    assert err.value.field == "due_date"


# ---------------------------------------------------------------------------- payments


def test_payments_go_to_the_oldest_charge_first() -> None:
    acct = account()
    charge(acct, "nov", "60", NOV, due_date=date(2026, 11, 30))
    charge(acct, "oct-b", "40", OCT, due_date=date(2026, 10, 31))
    charge(acct, "oct-a", "100", OCT, due_date=date(2026, 10, 31))
    charge(acct, "unbilled", "10", DEC)
    acct.collect_events()
    assert pay(acct, "BANK-1", "120") is True
    events = acct.collect_events()
    assert [type(e).__name__ for e in events] == ["PaymentReceived"] + ["PaymentAllocated"] * 2
    assert allocations(events) == [("BANK-1", "oct-b", D("40.00")), ("BANK-1", "oct-a", D("80.00"))]
    assert acct.outstanding() == D("90.00")
    assert [(i.charge_id, i.open_amount) for i in acct.outstanding_items()] == [
        ("oct-a", D("20.00")), ("nov", D("60.00")), ("unbilled", D("10.00")),
    ]  # fmt: skip
    assert acct.credit == 0


def test_overpayment_is_credit_applied_to_the_next_charges() -> None:
    acct = account()
    charge(acct, "oct", "100", OCT, due_date=date(2026, 10, 31))
    pay(acct, "P1", "250")
    assert (acct.outstanding(), acct.credit, acct.balance()) == (D(0), D(150), D(-150))
    acct.collect_events()
    charge(acct, "nov", "100", NOV)
    charge(acct, "dec", "100", DEC)
    assert allocations(acct.collect_events()) == [
        ("P1", "nov", D("100.00")), ("P1", "dec", D("50.00")),
    ]  # fmt: skip
    assert (acct.outstanding(), acct.credit) == (D(50), D(0))
    assert acct.issue_statement(period=DEC, due_date=date(2026, 12, 31), at=NOW)
    due = {line.charge_id: line.due_date for line in acct.lines()}
    assert due == {"oct": date(2026, 10, 31), "dec": date(2026, 12, 31), "nov": None}
    assert_balanced(acct)


def test_a_payment_reference_is_recorded_once() -> None:
    acct = account()
    charge(acct, "oct", "100", OCT)
    assert pay(acct, "WX-9", "30", "wechat_pay")
    acct.collect_events()
    assert pay(acct, "WX-9", "30.00", "wechat_pay") is False
    assert acct.collect_events() == []
    assert (acct.total_paid, acct.outstanding()) == (D(30), D(70))
    with pytest.raises(Conflict):
        pay(acct, "WX-9", "31", "wechat_pay")
    with pytest.raises(Conflict):
        pay(acct, "WX-9", "30", "cash")


@pytest.mark.parametrize(
    ("reference", "amount", "method", "field"),
    [("R", "0", "cash", "amount"), ("R", "-10", "cash", "amount"), ("R", "10", "barter", "method"),
     (" ", "10", "cash", "reference")],
)  # fmt: skip
def test_bad_payments_are_refused(reference: str, amount: str, method: str, field: str) -> None:
    with pytest.raises(Invalid) as err:
        pay(account(), reference, amount, method)
    assert err.value.field == field


def test_reversal_reopens_the_charges_and_takes_back_the_credit() -> None:
    acct = account()
    charge(acct, "oct", "100", OCT, due_date=date(2026, 10, 31))
    charge(acct, "nov", "100", NOV, due_date=date(2026, 11, 30))
    pay(acct, "CHQ-1", "150", "cheque")
    pay(acct, "CASH-1", "80", "cash")  # nov gets 50, 30 is credit
    assert acct.credit == D(30)
    acct.collect_events()
    acct.reverse_payment(reference="CHQ-1", reason="cheque bounced", at=NOW)
    events = acct.collect_events()
    reversed_event = events[0]
    assert type(reversed_event).__name__ == "PaymentReversed"
    assert reversed_event.released == [  # type: ignore[attr-defined]
        {"charge_id": "oct", "amount": D("100.00")}, {"charge_id": "nov", "amount": D("50.00")},
    ]  # fmt: skip
    # the remaining credit of CASH-1 goes to the oldest reopened charge
    assert allocations(events) == [("CASH-1", "oct", D("30.00"))]
    assert paid(acct) == {"oct": D(30), "nov": D(50)}
    assert (acct.total_paid, acct.outstanding(), acct.credit) == (D(80), D(120), D(0))
    assert_balanced(acct)


def test_reversal_errors_and_replays() -> None:
    acct = account()
    charge(acct, "oct", "100", OCT)
    with pytest.raises(NotFound):
        acct.reverse_payment(reference="nope", reason="r", at=NOW)
    pay(acct, "P1", "100")
    with pytest.raises(Invalid) as err:
        acct.reverse_payment(reference="P1", reason=" ", at=NOW)
    assert err.value.field == "reason"
    acct.reverse_payment(reference="P1", reason="wrong unit", at=NOW)
    with pytest.raises(Conflict, match="already reversed"):
        acct.reverse_payment(reference="P1", reason="again", at=NOW)
    assert pay(acct, "P1", "100") is False  # the bank re-sending it records nothing
    assert (acct.total_paid, acct.outstanding()) == (D(0), D(100))


# ------------------------------------------------------------------------- adjustments


def test_a_positive_adjustment_is_owed_like_a_charge() -> None:
    acct = account()
    assert acct.adjust(
        adjustment_id="a1", amount="25", reason="meter misread", period=NOV,
        due_date=date(2026, 11, 30), at=NOW,
    )  # fmt: skip
    assert event_names(acct) == ["Opened", "ChargeAdjusted"]
    item = acct.outstanding_items()[0]
    assert (item.charge_id, item.open_amount, item.due_date) == ("a1", D(25), date(2026, 11, 30))
    assert acct.total_adjustments == D(25)


def test_a_credit_adjustment_pays_the_corrected_charge_first_then_credit() -> None:
    acct = account()
    charge(acct, "old", "100", OCT, due_date=date(2026, 10, 31))
    charge(acct, "fixme", "40", NOV, due_date=date(2026, 11, 30))
    acct.collect_events()
    acct.adjust(
        adjustment_id="a1", amount="-50", reason="overbilled", period=NOV, charge_id="fixme", at=NOW
    )
    assert allocations(acct.collect_events()) == [
        ("a1", "fixme", D("40.00")), ("a1", "old", D("10.00")),
    ]  # fmt: skip
    assert acct.outstanding() == D(90)
    assert_balanced(acct)


def test_an_adjustment_is_made_once() -> None:
    acct = account()
    charge(acct, "c1", "100")
    assert acct.adjust(adjustment_id="a1", amount="-10", reason="r", period=NOV, at=NOW)
    assert not acct.adjust(adjustment_id="a1", amount="-10", reason="r", period=NOV, at=NOW)
    with pytest.raises(Conflict):
        acct.adjust(adjustment_id="a1", amount="10", reason="r", period=NOV, at=NOW)
    with pytest.raises(Conflict):
        acct.adjust(adjustment_id="c1", amount="100", reason="r", period=NOV, at=NOW)
    assert acct.outstanding() == D(90)


@pytest.mark.parametrize(
    ("amount", "reason", "charge_id", "field"),
    [("0", "r", None, "amount"), ("5", "", None, "reason"), ("-5", "r", "nope", "charge_id")],
)
def test_bad_adjustments_are_refused(
    amount: str, reason: str, charge_id: str | None, field: str
) -> None:
    with pytest.raises(Invalid) as err:
        account().adjust(
            adjustment_id="a1",
            amount=amount,
            reason=reason,
            period=NOV,
            charge_id=charge_id,
            at=NOW,
        )
    assert err.value.field == field


# ------------------------------------------------------------ overdue, dunning, late fee


def overdue_account() -> UnitAccount:
    acct = account()
    charge(acct, "oct", "200", OCT)
    acct.issue_statement(period=OCT, due_date=date(2026, 10, 31), at=NOW)
    return acct


def test_an_unpaid_statement_is_overdue_after_the_grace_days_once() -> None:
    acct = overdue_account()
    assert not acct.mark_overdue(period=OCT, as_of=date(2026, 11, 5), grace_days=5, at=NOW)
    assert acct.mark_overdue(period=OCT, as_of=date(2026, 11, 6), grace_days=5, at=NOW)
    assert not acct.mark_overdue(period=OCT, as_of=date(2026, 11, 7), grace_days=5, at=NOW)
    overdue = [e for e in acct.collect_events() if type(e).__name__ == "FeeOverdue"]
    assert [
        (e.period, e.due_date, e.amount_overdue, e.days_overdue)  # type: ignore[attr-defined]
        for e in overdue
    ] == [("2026-10", date(2026, 10, 31), D(200), 6)]


def test_a_paid_or_unissued_statement_is_never_overdue() -> None:
    acct = overdue_account()
    pay(acct, "P", "200")
    assert not acct.mark_overdue(period=OCT, as_of=date(2027, 1, 1), grace_days=0, at=NOW)
    unissued = account()
    charge(unissued, "nov", "10", NOV)
    assert not unissued.mark_overdue(period=NOV, as_of=date(2027, 1, 1), grace_days=0, at=NOW)


def test_dunning_follows_an_overdue_statement_each_level_once() -> None:
    acct = overdue_account()
    with pytest.raises(Conflict, match="not overdue"):
        acct.send_dunning_notice(period=OCT, level=1, at=NOW)
    acct.mark_overdue(period=OCT, as_of=date(2026, 11, 10), grace_days=0, at=NOW)
    with pytest.raises(Invalid):
        acct.send_dunning_notice(period=OCT, level=0, at=NOW)
    assert acct.send_dunning_notice(period=OCT, level=1, channel="sms", at=NOW)
    assert not acct.send_dunning_notice(period=OCT, level=1, at=NOW)
    pay(acct, "P", "200")
    assert not acct.send_dunning_notice(period=OCT, level=2, at=NOW)  # paid meanwhile
    notices = [e for e in acct.collect_events() if type(e).__name__ == "DunningNoticeSent"]
    assert [(e.level, e.channel, e.amount_due) for e in notices] == [(1, "sms", D(200))]  # type: ignore[attr-defined]


def test_late_fee_per_policy_capped_and_once_per_period() -> None:
    acct = overdue_account()
    pay(acct, "P", "50")  # 150 still open
    policy = LateFeePolicy(kind="percent", value=D(5), cap=D("5.00"))
    assert not acct.assess_late_fee(
        period=OCT, as_of=date(2026, 11, 3), policy=policy, grace_days=5, at=NOW
    )
    assert acct.assess_late_fee(
        period=OCT, as_of=date(2026, 11, 20), policy=policy, grace_days=5, at=NOW
    )
    assert not acct.assess_late_fee(
        period=OCT, as_of=date(2026, 11, 21), policy=policy, grace_days=5, at=NOW
    )
    fees = [e for e in acct.collect_events() if type(e).__name__ == "LateFeeAssessed"]
    assert [(e.period, e.booked_in, e.overdue_amount, e.amount) for e in fees] == [  # type: ignore[attr-defined]
        ("2026-10", "2026-11", D(150), D("5.00"))
    ]
    fee_line = acct.lines()[-1]
    assert (fee_line.kind, fee_line.fee_type, fee_line.period) == ("late_fee", "late_fee", NOV)
    assert fee_line.charge_id == acct.charge_id_for(OCT, FeeType.LATE_FEE)
    assert acct.total_late_fees == D(5)
    # the fee is billed with November's statement and is no base for another fee
    acct.issue_statement(period=NOV, due_date=date(2026, 11, 30), at=NOW)
    assert acct.lines()[-1].due_date == date(2026, 11, 30)
    assert acct.overdue_amount(NOV, date(2027, 1, 1), 0) == 0
    assert_balanced(acct)


def test_late_fee_is_paid_from_credit_and_needs_an_open_period() -> None:
    acct = overdue_account()
    fixed = LateFeePolicy(kind="fixed", value=D(30))
    acct.close_period(period=NOV, at=NOW)
    with pytest.raises(Conflict, match="closed"):
        acct.assess_late_fee(
            period=OCT, as_of=date(2026, 11, 20), policy=fixed, grace_days=0, at=NOW
        )
    assert acct.assess_late_fee(
        period=OCT, as_of=date(2026, 11, 20), policy=fixed, grace_days=0, book_in=DEC, at=NOW
    )
    assert acct.outstanding() == D(230)
    nothing_due = account()
    assert not nothing_due.assess_late_fee(
        period=OCT, as_of=date(2026, 12, 1), policy=fixed, grace_days=0, at=NOW
    )


# ----------------------------------------------------------------------- arrears, events


def test_arrears_row_buckets_by_days_past_due() -> None:
    acct = account()
    charge(acct, "a", "1", SEP, due_date=date(2026, 7, 1))  # 153 days
    charge(acct, "b", "2", SEP, due_date=date(2026, 9, 30))  # 62 days
    charge(acct, "c", "4", OCT, due_date=date(2026, 10, 31))  # 31 days
    charge(acct, "d", "8", NOV, due_date=date(2026, 12, 1))  # due today: day 0
    charge(acct, "e", "16", DEC)  # not yet billed
    row = acct.arrears(date(2026, 12, 1))
    assert row == {"current": D(16), "0-30": D(8), "31-60": D(4), "61-90": D(2), "90+": D(1)}
    assert sum(row.values()) == acct.outstanding()


def test_every_event_carries_site_and_correlation_id() -> None:
    with correlated("corr-7"):
        acct = overdue_account()
        pay(acct, "P", "10")
    events = acct.collect_events()
    assert {e.site_id for e in events} == {SITE}  # type: ignore[attr-defined]
    assert {e.correlation_id for e in events} == {"corr-7"}  # type: ignore[attr-defined]
