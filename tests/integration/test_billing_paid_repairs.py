"""Billing's reaction to verified paid repairs: a repair of another site's envelope is
refused loudly, one for a unit billing does not know is parked for finance (never a
dead letter) and charged once finance names the unit."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from contracts import billing_api as api
from contracts.envelope import Envelope
from contracts.workorder import RepairVerified
from runtime.clock import clock
from runtime.errors import Conflict, ForeignSiteReference, NotFound
from services.billing.application import BillingApplication
from services.billing.domain import UnbilledRepairs, UnitAccount
from services.billing.money import Period
from services.billing.reactions import PaidRepairCharges
from tests.integration.fixtures import billing_app

VERIFIED = datetime(2040, 6, 3, 2, 0, tzinfo=UTC)


@pytest.fixture
def app(infra) -> Iterator[BillingApplication]:  # type: ignore[no-untyped-def]
    clock.set(VERIFIED)
    with billing_app(infra, f"{infra.namespace}repairs_") as billing:
        yield billing
    clock.reset()


def verified(site: UUID, unit: str | None, fee: str = "180.00") -> Envelope:
    work_order_id = uuid4()
    event = RepairVerified(
        site_id=site, work_order_id=work_order_id, number="WO-SHA-2040-0007", verifier="cs",
        method="phone", unit=unit, tenant=None, paid=True, fee=Decimal(fee),
        complaint_id=None, occurred_at=VERIFIED,
    )  # fmt: skip
    return Envelope.wrap(event, aggregate_id=work_order_id, version=5, time=VERIFIED,
                         correlation_id="flow-7")  # fmt: skip


def site_with_unit(app: BillingApplication) -> UUID:
    site = uuid4()
    app.register_units(site, api.RegisterUnits(units=[api.UnitSpec(unit="101", area_m2="80")]),
                       None)  # fmt: skip
    return site


def stored(app: BillingApplication, site: UUID) -> int:
    ids = (UnitAccount.create_id(site, "101"), UnbilledRepairs.create_id(site))
    return sum(len(app.events_of(i)) for i in ids)


async def test_a_repair_whose_envelope_names_another_site_is_refused(
    app: BillingApplication,
) -> None:
    site, other = site_with_unit(app), uuid4()
    forged = dataclasses.replace(verified(site, "101"), site=other)
    before = stored(app, site)
    with pytest.raises(ForeignSiteReference, match="site"):
        await PaidRepairCharges(app).apply_batch(None, [forged])  # type: ignore[arg-type]
    assert stored(app, site) == before


async def test_a_repair_for_a_unit_billing_does_not_know_waits_for_finance(
    app: BillingApplication,
) -> None:
    site = site_with_unit(app)
    reaction = PaidRepairCharges(app)
    unknown, nameless, known = (
        verified(site, "999"),
        verified(site, None, "60.00"),
        verified(site, "101", "25.00"),
    )
    await reaction.apply_batch(None, [unknown, nameless, known])  # type: ignore[arg-type]
    before = stored(app, site)
    await reaction.apply_batch(None, [unknown, nameless, known])  # type: ignore[arg-type]
    assert stored(app, site) == before  # redelivered: nothing twice
    waiting = app.unbilled_repairs(site)
    assert [(r.unit, r.fee) for r in waiting] == [("999", Decimal("180.00")), (None, 60)]
    account = app.account(site, "101")
    assert [(line.fee_type, line.amount) for line in account.lines()] == [("paid_repair", 25)]

    app.assign_paid_repair(site, waiting[0].work_order_id, api.AssignPaidRepair(unit="101"), None)
    charged = [line for line in app.account(site, "101").lines() if line.amount == 180]
    assert [(line.period, line.fee_type) for line in charged] == [(Period(2040, 6), "paid_repair")]
    assert app.billing_run(site, Period(2040, 6)).receivable == {"paid_repair": 205}
    with pytest.raises(Conflict, match="already charged to unit 101"):
        app.assign_paid_repair(site, waiting[0].work_order_id, api.AssignPaidRepair(unit="101"),
                               None)  # fmt: skip
    with pytest.raises(NotFound):
        app.assign_paid_repair(site, waiting[1].work_order_id, api.AssignPaidRepair(unit="998"),
                               None)  # fmt: skip
    await reaction.apply_batch(None, [unknown])  # type: ignore[arg-type]  # once more, late
    assert [r.unit for r in app.unbilled_repairs(site)] == [None]
    assert len([line for line in app.account(site, "101").lines() if line.amount == 180]) == 1
