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


def test_the_months_call_charge_list_is_imported_from_csv(infra, tmp_path) -> None:  # type: ignore[no-untyped-def]
    namespace = f"{infra.namespace}cli_phone_"
    site, period = uuid4(), str(this_month())
    with billing_app(infra, namespace) as app:
        units = [api.UnitSpec(unit=u, area_m2="100") for u in ("12A", "15C")]
        app.register_units(site, api.RegisterUnits(units=units), None)
    env = {**os.environ, **infra.env(CONCIERGE_NAMESPACE=namespace)}
    listed = tmp_path / "calls.csv"

    def imported(rows: str) -> subprocess.CompletedProcess:
        listed.write_text("unit,number,calls,minutes,amount\n" + rows, encoding="utf-8")
        return subprocess.run(
            [sys.executable, "-m", "services.billing.cli", "import-phone-charges", "--site",
             str(site), "--period", period, "--file", str(listed), "--by", "Li Na"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip

    bad = imported("12A,ext. 1,3,10,4.50\n")
    assert bad.returncode == 2 and "units.0.lines.0.number" in bad.stderr
    unknown = imported("99Z,021-6888 0001,3,10,4.50\n")
    assert unknown.returncode == 2 and "not billed at this site" in unknown.stderr
    done = imported("12A,021-6888 0001,35,120,48.60\n12A,021-6888 0002,2,3,1.20\n"
                    "15C,021-6888 0003,0,0,0\n")  # fmt: skip
    assert done.returncode == 0, done.stderr
    with billing_app(infra, namespace) as app:
        charges = app.phone_charges(site, this_month())
        assert (charges.status, charges.entered_by) == ("entered", "Li Na")
        assert [line.number for line in charges.units["12A"]] == ["021-6888 0001",
                                                                  "021-6888 0002"]  # fmt: skip
