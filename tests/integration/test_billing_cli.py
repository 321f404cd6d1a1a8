"""The finance CLI drives the monthly cycle with a progress bar and clear refusals."""

from __future__ import annotations

import os
import subprocess
import sys
from uuid import uuid4

from contracts import billing_api as api
from services.billing.application import BillingApplication, BillingSettings
from tests.infra import ROOT


def test_finance_cli_runs_approves_issues_and_closes_a_month(infra) -> None:  # type: ignore[no-untyped-def]
    namespace = f"{infra.namespace}cli_"
    app = BillingApplication(
        BillingSettings(database_url=infra.database_url, concierge_namespace=namespace)
    )
    site = uuid4()
    app.set_rate(
        site,
        api.SetRate(fee_type="management", amount_per_unit="5", effective_from="2036-01"),
        None,
    )
    app.register_units(
        site,
        api.RegisterUnits(units=[api.UnitSpec(unit=f"C{i}", area_m2="100") for i in range(30)]),
        None,
    )
    env = {**os.environ, **infra.env(CONCIERGE_NAMESPACE=namespace)}

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "services.billing.cli", *args, "--site", str(site)],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)  # fmt: skip

    ran = cli("run-month", "--period", "2036-01")
    assert ran.returncode == 0, ran.stderr
    assert '"units": 30' in ran.stdout and "30/30" in ran.stderr  # the progress bar
    refused = cli("issue", "--period", "2036-01")
    assert refused.returncode == 2 and "cannot issue before approval" in refused.stderr
    cashier = cli("approve", "--period", "2036-01", "--role", "cashier", "--approver", "Zhao")
    assert cashier.returncode == 2 and "does not sign" in cashier.stderr
    for role, person in (("cs_manager", "Wang"), ("general_manager", "Li"),
                         ("finance_manager", "Chen")):  # fmt: skip
        signed = cli("approve", "--period", "2036-01", "--role", role, "--approver", person)
        assert signed.returncode == 0, signed.stderr
    issued = cli("issue", "--period", "2036-01", "--due-date", "2036-01-20")
    assert issued.returncode == 0 and '"statements_issued": 30' in issued.stdout
    assert '"status": "closed"' in cli("close", "--period", "2036-01").stdout
    assert cli("run-month", "--period", "2036-13").returncode != 0
