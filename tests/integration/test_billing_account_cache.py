"""Accounts remembered between bulk jobs are never used stale: a change by another
replica in between is seen by the next job."""

from __future__ import annotations

from uuid import uuid4

from contracts import billing_api as api
from services.billing.application import BillingApplication
from services.billing.domain import UnitAccount
from tests.integration.fixtures import billing_app, sign_off, this_month


def test_a_payment_saved_by_another_replica_is_seen_by_the_next_bulk_job(infra) -> None:  # type: ignore[no-untyped-def]
    namespace = f"{infra.namespace}cache_"
    with billing_app(infra, namespace) as first, billing_app(infra, namespace) as other:
        a_change_between_bulk_jobs(first, other)


def a_change_between_bulk_jobs(first: BillingApplication, other: BillingApplication) -> None:
    site, period = uuid4(), this_month()
    first.set_rate(
        site,
        api.SetRate(fee_type="management", amount_per_unit="2", effective_from=str(period)),
        None,
    )
    first.register_units(
        site,
        api.RegisterUnits(units=[api.UnitSpec(unit=u, area_m2="100") for u in ("A", "B")]),
        None,
    )
    first.run_month(site, period, None)  # the run leaves both accounts in `first`'s memory
    other.receive_payment(
        site, "A", api.ReceivePayment(reference="R1", amount="150.00", method="cash"), None
    )
    sign_off(first, site, period)
    first.issue(site, period, period.last_day, None)
    stored = {
        unit: [type(e).__name__ for e in first.events_of(UnitAccount.create_id(site, unit))]
        for unit in ("A", "B")
    }
    assert stored["A"].count("PaymentReceived") == 1 and stored["A"].count("StatementIssued") == 1
    account_a = first.account(site, "A")
    assert account_a.outstanding() == 50 and account_a.statements[period] is not None
    issued = [
        e
        for e in first.events_of(UnitAccount.create_id(site, "A"))
        if type(e).__name__ == "StatementIssued"
    ]
    assert issued[0].amount_due == 50  # the statement knew of the payment made in between
