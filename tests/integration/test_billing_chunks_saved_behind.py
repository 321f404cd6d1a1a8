"""Chunks saved behind the run (`services.billing.saved_behind`): a chunk whose save
loses a race fails the run, no chunk after it is saved, and running the month again
charges every unit exactly once."""

from __future__ import annotations

from collections import Counter
from typing import Any
from uuid import uuid4

import pytest

from contracts import billing_api as api
from runtime.errors import Conflict
from services.billing.application import BillingApplication
from services.billing.domain import UnitAccount
from tests.integration.fixtures import billing_app, this_month

UNITS = [f"U{i:02d}" for i in range(12)]


def charged(app: BillingApplication, site: Any) -> Counter[str]:
    return Counter(
        {
            unit: sum(
                type(e).__name__ == "ChargePosted"
                for e in app.events_of(UnitAccount.create_id(site, unit))
            )
            for unit in UNITS
        }
    )


def test_a_chunk_that_loses_a_race_stops_the_run_and_the_rerun_charges_once(infra) -> None:  # type: ignore[no-untyped-def]
    namespace = f"{infra.namespace}behind_"
    with billing_app(infra, namespace) as first, billing_app(infra, namespace) as other:
        site, period = uuid4(), this_month()
        rate = api.SetRate(fee_type="management", amount_per_unit="2", effective_from=str(period))
        first.set_rate(site, rate, None)
        specs = [api.UnitSpec(unit=unit, area_m2="100") for unit in UNITS]
        first.register_units(site, api.RegisterUnits(units=specs), None)
        first.chunk_size = 4
        save_accounts = first._save_accounts

        def racing(accounts: list[UnitAccount], *with_them: Any) -> None:
            if accounts[0].unit == "U04":  # another replica pays into the second chunk first
                payment = api.ReceivePayment(reference="R1", amount="50", method="cash")
                other.receive_payment(site, "U05", payment, None)
            save_accounts(accounts, *with_them)

        first._save_accounts = racing  # type: ignore[method-assign]
        with pytest.raises(Conflict):
            first.run_month(site, period, None)
        after_failure = charged(first, site)
        assert [after_failure[u] for u in UNITS] == [1] * 4 + [0] * 8  # nothing after it

        first._save_accounts = save_accounts  # type: ignore[method-assign]
        first.run_month(site, period, None)
        assert charged(first, site) == Counter(dict.fromkeys(UNITS, 1))
        paid = first.account(site, "U05")
        assert paid.total_paid == 50 and paid.outstanding() == 150
