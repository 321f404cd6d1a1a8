"""The monthly billing run for 100,000 units: charges posted and statements issued.

Baseline in the same run: saving unit accounts one aggregate per transaction (the
shape of a naive run), measured on a sample. The run saves a chunk of accounts per
transaction and loads each chunk with one query. Beside the rates, the bench process's
CPU time per unit (run and baseline): on a loaded machine the rates follow the share
of a core the run gets, the CPU figures follow the code.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from datetime import UTC, date, datetime
from typing import Any
from uuid import uuid4

from contracts import billing_api as api
from contracts.topics import BILLING
from runtime.clock import clock
from runtime.projection import ProjectionRunner
from services.billing.application import BillingApplication, BillingSettings
from services.billing.contract import contract_for
from services.billing.domain import SEED_APPROVAL_CHAIN, UnitAccount, UnitProfile
from services.billing.money import Period
from services.billing.projections import BillingQueries, BillingReadModel
from tests.infra import end_offsets, publish_all, run_until_caught_up

UNITS = 100_000
BASELINE_SAMPLE = 2_000
QUERY_RUNS = 3
ARREARS_PAGE = 100  # units in a page of the arrears table


async def rebuild_arrears(app: BillingApplication, site: Any, infra: Any) -> dict[str, Any]:
    """Publish the run's events, rebuild the finance read model from offset 0, then time
    the arrears table: whole and its first page (read from the summary), and summed from
    the lines as before the summary (the baseline in the same run; the tables must agree)."""
    topic = f"{app.settings.concierge_namespace}{BILLING}"
    started = time.perf_counter()
    await publish_all(app, topic, contract_for, infra, timeout=1800)
    relay_seconds = time.perf_counter() - started
    events = sum((await end_offsets(infra.kafka, topic)).values())
    runner = ProjectionRunner(
        BillingReadModel(), topics=[topic], database_url=infra.database_url,
        bootstrap_servers=infra.kafka, schema=f"{app.settings.concierge_namespace}billing_read",
    )  # fmt: skip
    await runner.connect()
    started = time.perf_counter()
    await run_until_caught_up(runner, topic, timeout=1800)
    rebuild_seconds = time.perf_counter() - started
    queries = BillingQueries(await runner.connect())
    as_of, seconds = date(2033, 2, 28), defaultdict(list)
    tables = {  # the whole table from the summary, its first page, and from the lines
        "all_units": lambda: queries.arrears(site, as_of),
        "page": lambda: queries.arrears(site, as_of, ARREARS_PAGE),
        "lines": lambda: queries.arrears_from_lines(site, as_of),
    }
    answers = {}
    for _ in range(QUERY_RUNS):  # the first right after the rebuild, then warm
        for name, query in tables.items():
            started = time.perf_counter()
            answers[name] = await query()
            seconds[name].append(time.perf_counter() - started)
    await runner.close()
    table = answers["all_units"]
    assert table == answers["lines"], "the summary's arrears differ from the lines'"
    assert answers["page"]["units"] == table["units"][:ARREARS_PAGE]
    return {
        "billing_events_published": events,
        "relay_events_per_s": round(events / relay_seconds),
        "arrears_rebuild_events_per_s": round(events / rebuild_seconds),
        "arrears_query_seconds_all_units": round(min(seconds["all_units"]), 2),
        "arrears_query_seconds_first": round(seconds["all_units"][0], 2),
        "arrears_query_seconds_first_page": round(min(seconds["page"]), 3),
        "arrears_page_units": ARREARS_PAGE,
        "arrears_query_seconds_from_lines": round(min(seconds["lines"]), 2),
        "arrears_units": len(table["units"]),
    }


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

        started, cpu = time.perf_counter(), time.process_time()
        posted = app.run_month(site, period, None)
        for role in SEED_APPROVAL_CHAIN:
            app.approve(site, period, role, role, None)
        issued = app.issue(site, period, None, None)
        run_seconds, run_cpu = time.perf_counter() - started, time.process_time() - cpu

        baseline_site = uuid4()
        now = clock.now()
        started, cpu = time.perf_counter(), time.process_time()
        for i in range(BASELINE_SAMPLE):
            account = UnitAccount.open(site_id=baseline_site, unit=f"B{i}", at=now)
            account.set_profile(profile=UnitProfile(area_m2=100), at=now)
            account.post_charge(charge_id=account.charge_id_for(period, "management"),
                                period=period, fee_type="management", amount="380.00",
                                description="management", at=now)  # fmt: skip
            app.save(account)
        baseline_rate = BASELINE_SAMPLE / (time.perf_counter() - started)
        baseline_cpu = (time.process_time() - cpu) / BASELINE_SAMPLE
    finally:
        clock.reset()
    assert issued["statements_issued"] == units
    rebuild = asyncio.run(rebuild_arrears(app, site, infra))
    return {
        **rebuild,
        "units": units,
        "charges_posted": posted["charges_posted"],
        "register_units_seconds": round(register_seconds, 1),
        "run_post_approve_issue_seconds": round(run_seconds, 1),
        "run_units_per_s": round(units / run_seconds),
        "one_aggregate_per_transaction_units_per_s": round(baseline_rate),
        "run_vs_one_per_transaction_ratio": round(units / run_seconds / baseline_rate, 1),
        "run_cpu_us_per_unit": round(run_cpu / units * 1e6),
        "one_aggregate_per_transaction_cpu_us_per_unit": round(baseline_cpu * 1e6),
        "run_vs_one_per_transaction_cpu_ratio": round(baseline_cpu / (run_cpu / units), 1),
    }


if __name__ == "__main__":  # run by bench/__main__.py in a process of its own (peak RSS)
    import json
    import os

    from tests.conftest import Infra

    own = Infra(os.environ["DATABASE_URL"], os.environ["KAFKA_BOOTSTRAP_SERVERS"],
                os.environ["CONCIERGE_NAMESPACE"])  # fmt: skip
    print(json.dumps(measure(own, int(os.environ.get("BENCH_UNITS", UNITS)))))
