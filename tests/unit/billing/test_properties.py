"""Property tests of a unit account under any sequence of billing commands."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import uuid4

from hypothesis import given, settings
from hypothesis import strategies as st

from runtime.errors import ConciergeError
from services.billing.domain import LateFeePolicy, UnitAccount, ageing
from services.billing.money import Period
from tests.unit.billing import InMemoryApp

NOW = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
SITE = uuid4()
PERIODS = [Period(2026, month) for month in (9, 10, 11, 12)]
AS_OF = date(2027, 2, 1)
POLICIES = [
    LateFeePolicy(kind="percent", value=Decimal(5), cap=Decimal(20)),
    LateFeePolicy(kind="fixed", value=Decimal("15.50")),
]

cents = st.integers(min_value=1, max_value=50_000).map(lambda c: Decimal(c) / 100)
period_index = st.integers(min_value=0, max_value=len(PERIODS) - 1)
due_dates = st.one_of(
    st.none(),
    st.integers(min_value=0, max_value=200).map(lambda d: date(2026, 9, 1) + timedelta(d)),
)
references = st.sampled_from(["P1", "P2", "P3", "P4", "P5"])

commands = st.one_of(
    st.tuples(st.just("charge"), st.integers(0, 30), period_index, cents, due_dates),
    st.tuples(st.just("pay"), references, cents, st.sampled_from(["cash", "card"])),
    st.tuples(st.just("reverse"), references),
    st.tuples(st.just("adjust"), st.integers(0, 5), period_index, cents, st.booleans()),
    st.tuples(st.just("statement"), period_index, st.integers(0, 45)),
    st.tuples(st.just("late_fee"), period_index, st.integers(0, 3), st.sampled_from(POLICIES)),
    st.tuples(st.just("close"), period_index),
)


def run(account: UnitAccount, command: tuple[Any, ...]) -> None:
    """One command; a refused command (replay with other amount, closed period) is fine."""
    kind, *args = command
    try:
        if kind == "charge":
            number, index, amount, due = args
            account.post_charge(
                charge_id=f"c{number}", period=PERIODS[index], fee_type="management",
                amount=amount, description="d", due_date=due, at=NOW,
            )  # fmt: skip
        elif kind == "pay":
            reference, amount, method = args
            account.receive_payment(reference=reference, amount=amount, method=method, at=NOW)
        elif kind == "reverse":
            account.reverse_payment(reference=args[0], reason="bounced", at=NOW)
        elif kind == "adjust":
            number, index, amount, credit = args
            account.adjust(
                adjustment_id=f"a{number}", amount=-amount if credit else amount,
                reason="correction", period=PERIODS[index], at=NOW,
            )  # fmt: skip
        elif kind == "statement":
            period = PERIODS[args[0]]
            due = period.first_day + timedelta(days=args[1])
            account.issue_statement(period=period, due_date=due, at=NOW)
        elif kind == "late_fee":
            index, book_in, policy = args
            account.assess_late_fee(
                period=PERIODS[index], as_of=AS_OF, policy=policy, grace_days=5,
                book_in=PERIODS[book_in], at=NOW,
            )  # fmt: skip
        else:
            account.close_period(period=PERIODS[args[0]], at=NOW)
    except ConciergeError:
        pass


def fresh() -> UnitAccount:
    return UnitAccount.open(site_id=SITE, unit="12A", at=NOW)


def snapshot(account: UnitAccount) -> tuple[object, ...]:
    return (
        account.lines(),
        account.credit,
        account.total_paid,
        account.total_charged,
        account.total_late_fees,
        account.total_adjustments,
        account.statements,
        account.closed_periods,
        account.late_fee_periods,
    )


POSTINGS = {
    "ChargePosted": "charge_id",
    "ChargeAdjusted": "adjustment_id",
    "LateFeeAssessed": "charge_id",
}


@settings(max_examples=300)
@given(st.lists(commands, max_size=40))
def test_ledger_invariants_hold_after_every_command(script: list[tuple[Any, ...]]) -> None:
    account = fresh()
    posted: dict[str, int] = {}  # line id -> posting order, as the events tell it
    for command in script:
        run(account, command)
        events = account.collect_events()
        for e in events:
            if type(e).__name__ in POSTINGS and getattr(e, "amount", 0) > 0:
                posted[getattr(e, POSTINGS[type(e).__name__])] = len(posted)
        outstanding = account.outstanding()
        # (a) the ageing buckets sum to the total outstanding
        assert sum(ageing(account.outstanding_items(), AS_OF).values()) == outstanding
        # (c) paid + outstanding (credit counted negative) = charged + late fees + adjustments
        charged = account.total_charged + account.total_late_fees + account.total_adjustments
        assert account.total_paid + outstanding - account.credit == charged
        # credit is never held while something is open; nothing is overpaid
        assert account.credit >= 0
        assert account.credit == 0 or outstanding == 0
        assert all(0 <= line.paid <= line.amount for line in account.lines())
        # (b) oldest first (due date, then posting order; unbilled last): the lines this
        # command put money on come before every line still open, bar the last one filled
        age = {
            line.charge_id: (
                line.due_date is None,
                line.due_date or date.max,
                posted[line.charge_id],
            )
            for line in account.lines()
        }
        placed = [age[e.charge_id] for e in events if type(e).__name__ == "PaymentAllocated"]  # type: ignore[attr-defined]
        if placed:
            still_open = sorted(age[item.charge_id] for item in account.outstanding_items())
            assert all(key >= max(placed) for key in still_open), "a later line got money first"


@given(st.lists(commands, max_size=30), references, st.data())
def test_replaying_a_payment_reference_changes_nothing(
    script: list[tuple[Any, ...]], reference: str, data: st.DataObject
) -> None:
    account = fresh()
    for command in script:
        run(account, command)
    run(account, ("pay", reference, data.draw(cents), "cash"))
    received: list[Any] = [
        e for e in account.collect_events() if type(e).__name__ == "PaymentReceived"
    ]
    sent = next(e for e in received if e.reference == reference)  # what the bank first sent
    before = snapshot(account)
    # (d) the same message again: no event, no change
    assert not account.receive_payment(
        reference=reference, amount=sent.amount, method=sent.method, at=NOW
    )
    assert account.collect_events() == []
    assert snapshot(account) == before


@settings(max_examples=50)
@given(st.lists(commands, max_size=30))
def test_an_account_rebuilt_from_its_stored_events_is_the_same(
    script: list[tuple[Any, ...]],
) -> None:
    account = fresh()
    for command in script:
        run(account, command)
    app = InMemoryApp()
    app.save(account)
    rebuilt: UnitAccount = app.repository.get(account.id)
    assert snapshot(rebuilt) == snapshot(account)
    assert rebuilt.overdue_periods == account.overdue_periods
