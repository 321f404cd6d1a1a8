"""The finance CLI drives the monthly cycle with a progress bar and clear refusals."""

from __future__ import annotations

import os
import subprocess
import sys
from uuid import uuid4

from contracts import billing_api as api
from tests.infra import ROOT
from tests.integration.fixtures import billing_app, this_month


def test_finance_cli_runs_approves_issues_and_closes_a_month(infra) -> None:  # type: ignore[no-untyped-def]
    namespace = f"{infra.namespace}cli_"
    site, period = uuid4(), str(this_month())  # the CLI runs on the real clock
    with billing_app(infra, namespace) as app:
        rate = api.SetRate(fee_type="management", amount_per_unit="5", effective_from=period)
        app.set_rate(site, rate, None)
        units = [api.UnitSpec(unit=f"C{i}", area_m2="100") for i in range(30)]
        app.register_units(site, api.RegisterUnits(units=units), None)
    env = {**os.environ, **infra.env(CONCIERGE_NAMESPACE=namespace)}

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "services.billing.cli", *args, "--site", str(site)],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)  # fmt: skip

    ran = cli("run-month", "--period", period)
    assert ran.returncode == 0, ran.stderr
    assert '"units": 30' in ran.stdout and "30/30" in ran.stderr  # the progress bar
    refused = cli("issue", "--period", period)
    assert refused.returncode == 2 and "cannot issue before approval" in refused.stderr
    cashier = cli("approve", "--period", period, "--role", "cashier", "--approver", "Zhao")
    assert cashier.returncode == 2 and "does not sign" in cashier.stderr
    for role, person in (("cs_manager", "Wang"), ("general_manager", "Li"),
                         ("finance_manager", "Chen")):  # fmt: skip
        signed = cli("approve", "--period", period, "--role", role, "--approver", person)
        assert signed.returncode == 0, signed.stderr
    issued = cli("issue", "--period", period, "--due-date", f"{period}-20")
    assert issued.returncode == 0 and '"statements_issued": 30' in issued.stdout
    assert '"status": "closed"' in cli("close", "--period", period).stdout
    assert cli("run-month", "--period", "2036-13").returncode != 0
    ahead = cli("run-month", "--period", "2099-01")
    assert ahead.returncode == 2 and "too far ahead" in ahead.stderr
