"""Dates that book money: nothing is booked after the business clock's today, a charge
for a month already signed off joins the next month not yet signed, and a signed table
changes only through adjustments."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from contracts import billing_api as api
from runtime.clock import clock
from runtime.errors import Conflict, Invalid
from services.billing.application import BillingApplication
from services.billing.domain import BillingRunStatus, UnitAccount
from services.billing.money import Period
from tests.integration.fixtures import billing_app, sign_off

MARCH, APRIL, MAY = Period(2039, 3), Period(2039, 4), Period(2039, 5)


def on(day: date, hour: int = 2) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)  # 10:00 in Shanghai


@pytest.fixture
def app(infra) -> Iterator[BillingApplication]:  # type: ignore[no-untyped-def]
    with billing_app(infra, f"{infra.namespace}late_") as billing:
        yield billing
    clock.reset()


def site_billed_for_march(app: BillingApplication) -> UUID:
    """Unit 101 billed 200.00 for March 2039, due 15 March; 3% late fee after 5 days."""
    site = uuid4()
    clock.set(on(date(2039, 3, 1)))
    app.configure(site, api.ConfigureBilling(
        grace_days=5, late_fee=api.LateFeeTerms(kind="percent", value="3")), None)  # fmt: skip
    rate = api.SetRate(fee_type="management", amount_per_unit="2", effective_from="2039-01")
    app.set_rate(site, rate, None)
    app.register_units(site, api.RegisterUnits(units=[api.UnitSpec(unit="101", area_m2="100")]),
                       None)  # fmt: skip
    app.run_month(site, MARCH, None)
    return site


def repair(app: BillingApplication, site: UUID, verified: datetime, fee: str = "180.00") -> bool:
    clock.set(verified)
    return app.post_paid_repair(site, "101", uuid4(), "WO-1", Decimal(fee), verified, None)


def lines_of(app: BillingApplication, site: UUID) -> dict[str, tuple[Period, Decimal]]:
    return {
        line.fee_type or line.kind: (line.period, line.amount)
        for line in app.account(site, "101").lines()
    }


def test_a_tenant_who_paid_the_notice_on_time_is_never_charged_a_late_fee_for_a_later_repair(
    app: BillingApplication,
) -> None:
    """The seed story: the March notice is paid in full on time; a paid repair verified
    after the notice was issued goes on April's notice, so March never falls overdue."""
    site = site_billed_for_march(app)
    sign_off(app, site, MARCH)
    app.issue(site, MARCH, date(2039, 3, 15), None)
    clock.set(on(date(2039, 3, 10)))
    app.receive_payment(site, "101", api.ReceivePayment(
        reference="BT-0310", amount="200.00", method="bank_transfer"), None)  # fmt: skip
    assert repair(app, site, on(date(2039, 3, 12)))
    assert lines_of(app, site)["paid_repair"] == (APRIL, Decimal("180.00"))
    march = app.billing_run(site, MARCH)
    assert (march.status, march.receivable) == (BillingRunStatus.ISSUED, {"management": 200})
    assert app.billing_run(site, APRIL).receivable == {"paid_repair": 180}  # open, waiting
    clock.set(on(date(2039, 3, 31)))
    assert app.sweep_overdue(site, None, None) == {}
    assert "late_fee" not in lines_of(app, site)
    april = app.run_month(site, APRIL, None)
    assert april["receivable"] == {
        "management": Decimal("200.00"),
        "paid_repair": Decimal("180.00"),
    }


def test_a_drafted_table_takes_a_late_charge_and_a_signed_one_passes_it_on(
    app: BillingApplication,
) -> None:
    site = site_billed_for_march(app)
    app.approve(site, MARCH, "cs_manager", "mgr", None)
    assert repair(app, site, on(date(2039, 3, 2)), "50.00")
    march = app.billing_run(site, MARCH)
    assert march.receivable == {"management": 200, "paid_repair": 50}
    assert march.approvals == {}  # the table the CS manager signed has changed
    sign_off(app, site, MARCH)  # approved, not yet issued: the table is signed
    assert repair(app, site, on(date(2039, 3, 3)), "70.00")
    assert app.billing_run(site, MARCH).receivable == {"management": 200, "paid_repair": 50}
    april = app.billing_run(site, APRIL)
    assert (april.status, april.receivable) == (BillingRunStatus.OPEN, {"paid_repair": 70})
    repairs = [line for line in app.account(site, "101").lines() if line.kind == "charge"]
    assert [(line.period, line.amount) for line in repairs] == [
        (MARCH, 200), (MARCH, 50), (APRIL, 70)
    ]  # fmt: skip


def test_a_reading_for_a_signed_month_is_refused_it_would_never_be_billed(
    app: BillingApplication,
) -> None:
    site = site_billed_for_march(app)
    reading = api.RecordWater(period=str(MARCH), readings={"101": "12"})
    assert app.record_water(site, reading, None) == 1  # drafted: a re-run bills it
    sign_off(app, site, MARCH)
    late = api.RecordWater(period=str(MARCH), readings={"101": "14"})
    with pytest.raises(Conflict, match="approved"):
        app.record_water(site, late, None)


def test_a_late_fee_skips_a_signed_month_and_joins_the_next_open_table(
    app: BillingApplication,
) -> None:
    site = site_billed_for_march(app)
    sign_off(app, site, MARCH)
    app.issue(site, MARCH, date(2039, 3, 15), None)
    clock.set(on(date(2039, 4, 1)))
    app.run_month(site, APRIL, None)
    sign_off(app, site, APRIL)  # April's table is signed, its notices not yet issued
    clock.set(on(date(2039, 4, 2)))
    assert app.sweep_overdue(site, None, None) == {"overdue": 1, "dunning_notices": 1,
                                                   "late_fees": 1}  # fmt: skip
    assert lines_of(app, site)["late_fee"] == (MAY, Decimal("6.00"))  # 3% of 200.00
    assert app.billing_run(site, APRIL).receivable == {"management": 200}
    assert app.billing_run(site, MAY).receivable == {"late_fee": 6}


def test_nothing_books_money_after_the_business_clocks_today(app: BillingApplication) -> None:
    site = site_billed_for_march(app)
    sign_off(app, site, MARCH)
    app.issue(site, MARCH, date(2039, 3, 15), None)
    clock.set(on(date(2039, 3, 20)))
    before = len(app.events_of(UnitAccount.create_id(site, "101")))
    with pytest.raises(Invalid) as err:
        app.sweep_overdue(site, date(2039, 12, 31), None)  # charges not yet that overdue
    assert err.value.field == "as_of"
    with pytest.raises(Invalid) as err:
        app.run_month(site, MAY, None)  # next month (April) may be prepared, not May
    assert err.value.field == "period"
    fix = api.Adjust(adjustment_id="A1", amount="5.00", reason="meter", period=str(MAY))
    with pytest.raises(Invalid) as err:
        app.adjust(site, "101", fix, None)
    assert err.value.field == "period"
    assert len(app.events_of(UnitAccount.create_id(site, "101"))) == before
    assert app.sweep_overdue(site, date(2039, 3, 20), None) == {}  # today itself is fine
    assert app.run_month(site, APRIL, None)["status"] == "drafted"
