"""Billing follows the tenancy: charges from the billing start to the move-out, prorated
by day; deposits held as a liability; the final settlement."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import uuid4

from hypothesis import given
from hypothesis import strategies as st

from services.billing.domain import (
    FeeType,
    UnitAccount,
    UnitProfile,
    days_occupied,
    monthly_charges,
    prorated,
)
from services.billing.money import Period

NOW = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
NOV, DEC, JAN = Period(2026, 11), Period(2026, 12), Period(2027, 1)
RATES = {FeeType.MANAGEMENT: Decimal("30.00"), FeeType.PARKING: Decimal("500.00"),
         FeeType.WATER: Decimal("5.00")}  # fmt: skip
PROFILE = UnitProfile(area_m2=Decimal("100"), parking_spaces=1, water_m3=Decimal("10"))
D = Decimal


def test_days_occupied_from_billing_start_to_move_out_both_included() -> None:
    assert days_occupied([(date(2026, 11, 10), None)], NOV) == 21
    assert days_occupied([(date(2026, 11, 10), None)], DEC) == 31
    assert days_occupied([(date(2026, 11, 10), date(2027, 1, 20))], JAN) == 20
    assert days_occupied([(date(2026, 11, 10), date(2026, 11, 20))], DEC) == 0
    # Two tenants the same day (one leaves, the next arrives): the day counts once.
    assert days_occupied([(date(2026, 10, 1), date(2026, 11, 15)),
                          (date(2026, 11, 15), None)], NOV) == 30  # fmt: skip


def test_a_partial_month_is_prorated_half_up_and_water_is_as_measured() -> None:
    lines = {line.fee_type: line for line in monthly_charges(RATES, PROFILE, NOV, 21)}
    # 3000 x 21 / 30 = 2100.00; 500 x 21 / 30 = 350.00; water 10 m3 x 5 in full
    assert lines[FeeType.MANAGEMENT].amount == D("2100.00")
    assert lines[FeeType.PARKING].amount == D("350.00")
    assert lines[FeeType.WATER].amount == D("50.00")
    assert "21/30 days" in lines[FeeType.MANAGEMENT].description
    # 500 x 20 / 31 = 322.580645... -> 322.58; 0.005 goes up: 1 x 1 / 8 of 0.04 = 0.005
    assert prorated(D("500.00"), 20, 31) == D("322.58")
    assert prorated(D("0.04"), 1, 8) == D("0.01")
    assert monthly_charges(RATES, PROFILE, NOV, 0) == []
    assert monthly_charges(RATES, PROFILE, NOV, 30) == monthly_charges(RATES, PROFILE, NOV)


@given(st.decimals(min_value=0, max_value=100_000_000, places=2), st.integers(1, 31))
def test_a_prorated_fee_is_never_more_than_the_month(amount: Decimal, days: int) -> None:
    share = prorated(amount, min(days, 31), 31)
    assert D("0") <= share <= amount
    assert share.as_tuple().exponent == -2


def test_a_move_out_after_a_full_month_was_charged_credits_the_days_after_it() -> None:
    acct = UnitAccount.open(site_id=uuid4(), unit="12A", at=NOW)
    tenancy = uuid4()
    acct.set_profile(profile=PROFILE, at=NOW)
    acct.begin_tenancy(tenancy_id=tenancy, billing_starts_on=date(2026, 11, 10), at=NOW)
    assert not acct.begin_tenancy(tenancy_id=tenancy, billing_starts_on=date(2026, 11, 10), at=NOW)
    full = monthly_charges(RATES, acct.billing_profile(JAN), JAN, acct.occupied_days(JAN))  # type: ignore[arg-type]
    acct.post_monthly_charges(lines=full, period=JAN, at=NOW)
    assert acct.outstanding() == D("3500.00")
    acct.end_tenancy(tenancy_id=tenancy, moved_out_on=date(2027, 1, 20), at=NOW)
    assert acct.occupied_days(JAN) == 20
    days = monthly_charges(RATES, acct.billing_profile(JAN), JAN, 20)  # type: ignore[arg-type]
    assert acct.stop_charges(tenancy_id=tenancy, period=JAN, lines=days, at=NOW) == 2
    assert acct.stop_charges(tenancy_id=tenancy, period=JAN, lines=days, at=NOW) == 0
    # 3000 x 20/31 = 1935.48, 500 x 20/31 = 322.58
    assert acct.outstanding() == D("2258.06")


def test_deposits_are_held_apart_and_netted_in_the_final_settlement() -> None:
    acct = UnitAccount.open(site_id=uuid4(), unit="12A", at=NOW)
    tenancy, permit, other = uuid4(), uuid4(), uuid4()
    acct.begin_tenancy(tenancy_id=tenancy, billing_starts_on=date(2026, 11, 10), at=NOW)
    acct.post_charge(charge_id="c1", period=NOV, fee_type=FeeType.MANAGEMENT, amount="2100.00",
                     description="m", at=NOW)  # fmt: skip
    assert acct.hold_deposit(permit_id=permit, amount=D("5000.00"), at=NOW)
    assert acct.hold_deposit(permit_id=other, amount=D("1000.00"), at=NOW)
    assert not acct.hold_deposit(permit_id=permit, amount=D("5000.00"), at=NOW)
    # A deposit is no charge: nothing more is owed, nothing is receivable.
    assert (acct.outstanding(), acct.total_charged, acct.deposits_held) == (
        D("2100.00"), D("2100.00"), D("6000.00"))  # fmt: skip
    acct.release_deposit(permit_id=other, refunded=D("800.00"), deducted=D("200.00"), at=NOW)
    acct.end_tenancy(tenancy_id=tenancy, moved_out_on=date(2026, 11, 30), at=NOW)
    assert acct.draw_final_settlement(tenancy_id=tenancy, reference="FS-1",
                                      moved_out_on=date(2026, 11, 30), at=NOW)  # fmt: skip
    assert not acct.draw_final_settlement(tenancy_id=tenancy, reference="FS-1",
                                          moved_out_on=date(2026, 11, 30), at=NOW)  # fmt: skip
    statement = acct.final_settlements[str(tenancy)]
    assert (statement["outstanding"], statement["deposits_held"], statement["balance"]) == (
        D("2100.00"), D("5000.00"), D("-2900.00"))  # fmt: skip


def test_a_unit_billed_without_any_tenancy_is_billed_the_whole_month() -> None:
    acct = UnitAccount.open(site_id=uuid4(), unit="12A", at=NOW)
    assert acct.occupied_days(NOV) is None


def test_deposits_settlements_and_receipts_are_published_for_bi() -> None:
    """Issue 11: each step of the tenant's finance life leaves as a published event
    (they were billing-internal): deposits held and released, the final settlement,
    receipts issued and voided, each valid against its contract."""
    from contracts import billing as published
    from services.billing.contract import contract_for
    from services.billing.domain import ReceiptBook

    acct = UnitAccount.open(site_id=uuid4(), unit="12A", at=NOW)
    tenancy, permit = uuid4(), uuid4()
    acct.begin_tenancy(tenancy_id=tenancy, billing_starts_on=date(2026, 11, 10), at=NOW)
    acct.hold_deposit(permit_id=permit, amount=D("5000.00"), at=NOW)
    acct.release_deposit(permit_id=permit, refunded=D("4800.00"), deducted=D("200.00"), at=NOW)
    acct.end_tenancy(tenancy_id=tenancy, moved_out_on=date(2026, 11, 30), at=NOW)
    acct.draw_final_settlement(tenancy_id=tenancy, reference="FS-1",
                               moved_out_on=date(2026, 11, 30), at=NOW)  # fmt: skip
    book = ReceiptBook(site_id=acct.site_id, at=NOW)
    book.issue(unit="12A", reference="BT-1", amount=D("1000.00"), method="bank_transfer",
               at=NOW, cashier="Wang Fang")  # fmt: skip
    book.void(unit="12A", reference="BT-1", reason="cheque bounced", at=NOW)

    out = [contract_for(e) for e in [*acct.collect_events(), *book.collect_events()]]
    by_type = {type(e): e for e in out if e is not None}
    held = by_type[published.DepositHeld]
    assert (held.account_id, held.unit, held.permit_id, held.amount) == (
        acct.id, "12A", str(permit), D("5000.00"))  # fmt: skip
    released = by_type[published.DepositReleased]
    assert (released.refunded, released.deducted) == (D("4800.00"), D("200.00"))
    settled = by_type[published.FinalSettlementDrawn]
    assert (settled.reference, settled.deposits_held, settled.moved_out_on) == (
        "FS-1", D("0.00"), date(2026, 11, 30))  # fmt: skip
    issued = by_type[published.ReceiptIssued]
    assert (issued.site_id, issued.number, issued.amount, issued.cashier) == (
        acct.site_id, 1, D("1000.00"), "Wang Fang")  # fmt: skip
    assert by_type[published.ReceiptVoided].reason == "cheque bounced"
    # The account's copy of its tenancies stays inside (tenancy publishes those).
    assert not {"TenancyBegan", "TenancyEnded"} & {type(e).__name__ for e in out if e}
