"""A payment reference is used once per site: never on two units (the cash would count
twice), however the requests race; the same payment again on its unit records nothing."""

from __future__ import annotations

import threading
from uuid import UUID, uuid4

import pytest

from contracts import billing_api as api
from runtime.errors import Conflict
from services.billing.application import BillingApplication
from services.billing.domain import UnitAccount
from tests.integration.fixtures import billing_app

UNITS = ("101", "102")


def site_with_units(app: BillingApplication) -> UUID:
    site = uuid4()
    specs = [api.UnitSpec(unit=unit, area_m2="100") for unit in UNITS]
    app.register_units(site, api.RegisterUnits(units=specs), None)
    return site


def payment(reference: str, amount: str = "100.00") -> api.ReceivePayment:
    return api.ReceivePayment(reference=reference, amount=amount, method="bank_transfer")


def payments_of(app: BillingApplication, site: UUID, unit: str) -> int:
    events = app.events_of(UnitAccount.create_id(site, unit))
    return sum(type(e).__name__ == "PaymentReceived" for e in events)


def test_a_reference_pays_one_unit_and_is_refused_on_another(infra) -> None:  # type: ignore[no-untyped-def]
    with billing_app(infra, f"{infra.namespace}refs_") as app:
        one_reference_per_site(app)


def one_reference_per_site(app: BillingApplication) -> None:
    site = site_with_units(app)
    assert app.receive_payment(site, "101", payment("BT-7781"), None) is True
    assert app.receive_payment(site, "101", payment("BT-7781"), None) is False  # replayed
    with pytest.raises(Conflict, match="unit 101"):
        app.receive_payment(site, "102", payment("BT-7781"), None)
    with pytest.raises(Conflict, match="unit 101"):  # whatever the amount
        app.receive_payment(site, "102", payment("BT-7781", "5.00"), None)
    assert (payments_of(app, site, "101"), payments_of(app, site, "102")) == (1, 0)
    # Another site has its own references.
    other = site_with_units(app)
    assert app.receive_payment(other, "102", payment("BT-7781"), None) is True


def test_two_units_racing_with_one_reference_record_it_once(infra) -> None:  # type: ignore[no-untyped-def]
    namespace = f"{infra.namespace}refrace_"
    with billing_app(infra, namespace) as one, billing_app(infra, namespace) as other:
        race_for_references([one, other])  # as two service replicas


def race_for_references(replicas: list[BillingApplication]) -> None:
    site = site_with_units(replicas[0])
    rounds = 8
    outcomes: list[str] = []

    def pay(app: BillingApplication, unit: str, reference: str, start: threading.Barrier) -> None:
        start.wait()
        try:
            app.receive_payment(site, unit, payment(reference), None)
            outcomes.append(f"{reference}:{unit}")
        except Conflict:
            outcomes.append(f"{reference}:refused")

    for n in range(rounds):
        start = threading.Barrier(len(UNITS))
        threads = [
            threading.Thread(target=pay, args=(app, unit, f"RACE-{n}", start))
            for app, unit in zip(replicas, UNITS, strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    for n in range(rounds):
        results = sorted(o.split(":")[1] for o in outcomes if o.startswith(f"RACE-{n}:"))
        assert results in (["101", "refused"], ["102", "refused"]), results
    assert sum(payments_of(replicas[0], site, unit) for unit in UNITS) == rounds
