"""The monthly billing run for 100,000 units: charges posted and statements issued.

Baseline in the same run: saving unit accounts one aggregate per transaction (the
shape of a naive run), measured on a sample. The run saves a chunk of accounts per
transaction and loads each chunk with one query.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from contracts import billing_api as api
from runtime.clock import clock
from services.billing.application import BillingApplication, BillingSettings
from services.billing.domain import UnitAccount, UnitProfile
from services.billing.money import Period

UNITS = 100_000
BASELINE_SAMPLE = 2_000


def measure(infra: Any, units: int = UNITS) -> dict[str, Any]:
    app = BillingApplication(
        BillingSettings(
            database_url=infra.database_url, kafka_bootstrap_servers=infra.kafka,
            concierge_namespace=f"{infra.namespace}bench_billing_",
        )
    )  # fmt: skip
    site, period = uuid4(), Period.parse("2033-01")
    clock.set(datetime(2033, 1, 1, 2, 0, tzinfo=UTC))
    try:
        for fee_type, rate in (("management", "3.80"), ("parking", "350"), ("phone", "25")):
            app.set_rate(site, api.SetRate(fee_type=fee_type, amount_per_unit=rate,
                                           effective_from="2033-01"), None)  # fmt: skip
        started = time.perf_counter()
        specs = [api.UnitSpec(unit=f"U{i:06d}", area_m2=str(60 + i % 140),
                              parking_spaces=i % 2, phone_lines=i % 3 // 2)
                 for i in range(units)]  # fmt: skip
        app.register_units(site, api.RegisterUnits(units=specs), None)
        register_seconds = time.perf_counter() - started

        started = time.perf_counter()
        posted = app.run_month(site, period, None)
        app.approve(site, period, "cs_manager", "manager", None)
        app.approve(site, period, "accountant", "accountant", None)
        issued = app.issue(site, period, None, None)
        run_seconds = time.perf_counter() - started

        baseline_site = uuid4()
        now = clock.now()
        started = time.perf_counter()
        for i in range(BASELINE_SAMPLE):
            account = UnitAccount.open(site_id=baseline_site, unit=f"B{i}", at=now)
            account.set_profile(profile=UnitProfile(area_m2=100), at=now)
            account.post_charge(charge_id=account.charge_id_for(period, "management"),
                                period=period, fee_type="management", amount="380.00",
                                description="management", at=now)  # fmt: skip
            app.save(account)
        baseline_rate = BASELINE_SAMPLE / (time.perf_counter() - started)
    finally:
        clock.reset()
    assert issued["statements_issued"] == units
    return {
        "units": units,
        "charges_posted": posted["charges_posted"],
        "register_units_seconds": round(register_seconds, 1),
        "run_post_approve_issue_seconds": round(run_seconds, 1),
        "run_units_per_s": round(units / run_seconds),
        "one_aggregate_per_transaction_units_per_s": round(baseline_rate),
        "run_vs_one_per_transaction_ratio": round(units / run_seconds / baseline_rate, 1),
    }
