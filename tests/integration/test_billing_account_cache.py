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


def test_issuing_on_remembered_accounts_a_stale_chunk_is_read_again(infra) -> None:  # type: ignore[no-untyped-def]
    """Issuing trusts the accounts the run left in memory (a statement, once stored, is
    never undone); a payment another replica saved in between makes one copy stale:
    the chunk's save (one COPY of 250 events) is refused and the chunk is read again.
    The statements issued again carry the command's correlation id."""
    namespace = f"{infra.namespace}cache_bulk_"
    units = [f"U{i:03d}" for i in range(250)]
    with billing_app(infra, namespace) as first, billing_app(infra, namespace) as other:
        site, period = uuid4(), this_month()
        rate = api.SetRate(fee_type="management", amount_per_unit="2", effective_from=str(period))
        first.set_rate(site, rate, None)
        specs = [api.UnitSpec(unit=u, area_m2="100") for u in units]
        first.register_units(site, api.RegisterUnits(units=specs), None)
        first.run_month(site, period, None)
        payment = api.ReceivePayment(reference="R7", amount="150.00", method="cash")
        other.receive_payment(site, "U117", payment, None)
        sign_off(first, site, period)
        answer = first.issue(site, period, period.last_day, "issue-after-payment")
        assert answer["statements_issued"] == 250
        issued = {
            unit: [
                e
                for e in first.events_of(UnitAccount.create_id(site, unit))
                if type(e).__name__ == "StatementIssued"
            ]
            for unit in units
        }
        assert all(len(events) == 1 for events in issued.values())
        assert {e.correlation_id for events in issued.values() for e in events} == {
            "issue-after-payment"
        }
        assert issued["U117"][0].amount_due == 50 and issued["U000"][0].amount_due == 200


def test_two_jobs_at_once_never_share_a_remembered_account(infra) -> None:  # type: ignore[no-untyped-def]
    """A remembered account is lent to one job at a time: a second job (another gRPC
    call, the scheduler's sweep) that asks for it meanwhile reads its own copy from the
    store, so the two never change one object (the save's version check then decides),
    and the account is remembered again once its job has saved it."""
    namespace = f"{infra.namespace}cache_lent_"
    with billing_app(infra, namespace) as app:
        site, units = uuid4(), ["A", "B", "C"]
        specs = [api.UnitSpec(unit=u, area_m2="100") for u in units]
        app.register_units(site, api.RegisterUnits(units=specs), None)  # remembers them
        first = app._accounts(site, units)
        second = app._accounts(site, units)
        assert all(first[u] is not second[u] for u in units)
        assert [second[u].version for u in units] == [first[u].version for u in units]
        app._save_accounts(list(first.values()))  # nothing pending: remembered again
        third = app._accounts(site, units)
        assert all(third[u] is first[u] for u in units)
