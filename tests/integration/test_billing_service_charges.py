"""Billing's reaction to building services signed for at the desk: each signed order is
one charge under its own fee type in the month's run (once, however often delivered); a
late one joins the next month not yet signed; a free rewash charges nothing; another
site's envelope is refused."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from contracts import billing_api as api
from contracts.envelope import Envelope
from contracts.visitor import ServiceOrderSigned
from runtime.clock import clock
from runtime.errors import ForeignSiteReference
from services.billing.application import BillingApplication
from services.billing.domain import UnitAccount
from services.billing.money import Period
from services.billing.service_charges import ServiceOrderCharges
from tests.integration.fixtures import billing_app, sign_off

MARCH, APRIL = Period(2039, 3), Period(2039, 4)
SIGNED = datetime(2039, 3, 10, 4, tzinfo=UTC)  # 12:00 in Shanghai


@pytest.fixture
def app(infra) -> Iterator[BillingApplication]:  # type: ignore[no-untyped-def]
    clock.set(datetime(2039, 3, 1, 2, tzinfo=UTC))
    with billing_app(infra, f"{infra.namespace}services_") as billing:
        yield billing
    clock.reset()


def signed(site: UUID, service: str = "laundry", amount: str = "42.50",
           unit: str = "101", at: datetime = SIGNED) -> Envelope:  # fmt: skip
    order_id = uuid4()
    event = ServiceOrderSigned(site_id=site, order_id=order_id, service=service, unit=unit,
                               amount=Decimal(amount), description=f"{service}, 3 piece(s)",
                               signed_by="Zhou Min", occurred_at=at)  # type: ignore[arg-type]  # fmt: skip
    return Envelope.wrap(event, aggregate_id=order_id, version=3, time=at,
                         correlation_id="desk-1")  # fmt: skip


def site_billed_for_march(app: BillingApplication) -> UUID:
    site = uuid4()
    rate = api.SetRate(fee_type="management", amount_per_unit="2", effective_from="2039-01")
    app.set_rate(site, rate, None)
    app.register_units(site, api.RegisterUnits(units=[api.UnitSpec(unit="101", area_m2="100")]),
                       None)  # fmt: skip
    app.run_month(site, MARCH, None)
    return site


def charges(
    app: BillingApplication, site: UUID, unit: str = "101"
) -> list[tuple[str, Period, Decimal]]:
    return sorted(
        (line.fee_type or "", line.period, line.amount)
        for line in app.account(site, unit).lines()
        if line.kind == "charge" and line.fee_type != "management"
    )


async def test_a_signed_order_is_charged_once_under_its_fee_type_in_the_months_table(
    app: BillingApplication,
) -> None:
    site = site_billed_for_march(app)
    reaction = ServiceOrderCharges(app)
    laundry, slip = signed(site), signed(site, "business_centre", "6.00")
    await reaction.apply_batch(None, [laundry, slip, laundry])  # type: ignore[arg-type]
    await reaction.apply_batch(None, [slip])  # type: ignore[arg-type]
    assert charges(app, site) == [
        ("business_centre", MARCH, Decimal("6.00")), ("laundry", MARCH, Decimal("42.50")),
    ]  # fmt: skip
    receivable = app.billing_run(site, MARCH).receivable
    assert receivable["laundry"] == Decimal("42.50")
    assert receivable["business_centre"] == Decimal("6.00")


async def test_a_free_rewash_charges_nothing_and_a_new_unit_gets_its_account(
    app: BillingApplication,
) -> None:
    site = site_billed_for_march(app)
    reaction = ServiceOrderCharges(app)
    await reaction.apply_batch(None, [signed(site, amount="0.00")])  # type: ignore[arg-type]
    assert charges(app, site) == []
    await reaction.apply_batch(None, [signed(site, "catering", "30.00", unit="7B")])  # type: ignore[arg-type]
    assert charges(app, site, "7B") == [("catering", MARCH, Decimal("30.00"))]
    assert "7B" in app._units(site)


async def test_an_order_signed_in_a_month_already_signed_off_joins_the_next_month(
    app: BillingApplication,
) -> None:
    site = site_billed_for_march(app)
    sign_off(app, site, MARCH)
    clock.set(SIGNED)
    await ServiceOrderCharges(app).apply_batch(None, [signed(site)])  # type: ignore[arg-type]
    assert charges(app, site) == [("laundry", APRIL, Decimal("42.50"))]
    assert app.billing_run(site, APRIL).receivable["laundry"] == Decimal("42.50")
    assert "laundry" not in app.billing_run(site, MARCH).receivable


async def test_an_order_whose_envelope_names_another_site_is_refused(
    app: BillingApplication,
) -> None:
    site = site_billed_for_march(app)
    forged = dataclasses.replace(signed(site), site=uuid4())
    before = len(app.events_of(UnitAccount.create_id(site, "101")))
    with pytest.raises(ForeignSiteReference, match="site"):
        await ServiceOrderCharges(app).apply_batch(None, [forged])  # type: ignore[arg-type]
    assert len(app.events_of(UnitAccount.create_id(site, "101"))) == before
