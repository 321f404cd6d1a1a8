"""Whatever finance accepts, the receivable, paid and arrears tables show (issue 8.2).

Valid commands drawn from `contracts.billing_api` (rates, units and water readings up to
their bounds, a month run, signed off and issued, payments, reversals, adjustments of
any period, an overdue sweep weeks later, a period close) go through the service, the
published contract and the ledger projection; then the month's receivable and paid
tables and the arrears must agree unit by unit with the accounts the write side holds
(their downloads have the gateway's own tests: tests/e2e/test_billing_api.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts import billing_api as api
from runtime.clock import clock
from runtime.sites import site_timezone
from services.billing.api import build_api
from services.billing.application import BillingApplication, BillingSettings
from services.billing.contract import contract_for
from services.billing.projections import BillingQueries, BillingReadModel
from tests.command_strategies import clock_moments, command, zones
from tests.integration.pipeline import PROPERTY, Pipeline, business_day, unless_refused

# Tried in rounds until the run is signed off: whatever chain the site has, each step
# is a different person.
APPROVERS = ("cs_manager", "general_manager", "finance_manager", "accountant")


@pytest.fixture(scope="module")
async def billing(infra) -> AsyncIterator[Pipeline]:  # type: ignore[no-untyped-def]
    app = BillingApplication(BillingSettings(
        database_url=infra.database_url, kafka_bootstrap_servers=infra.kafka,
        concierge_namespace=f"{infra.namespace}accept_",
    ))  # fmt: skip
    async with Pipeline.open(app, contract_for, [BillingReadModel()], infra.database_url) as pipe:
        pipe.service = build_api(app, BillingQueries(pipe.pool))
        yield pipe


def drawn_month(data: st.DataObject) -> dict[str, Any]:
    """Every command of one site's month, drawn before any runs (what is drawn never
    depends on what is refused)."""
    units = data.draw(command(api.RegisterUnits), label="units")
    names = list(dict.fromkeys(spec.unit for spec in units.units))
    on_unit = st.sampled_from(names)
    water = data.draw(command(api.RecordWater), label="water")
    readings = dict(zip(names, water.readings.values(), strict=False))
    payments = st.lists(st.tuples(on_unit, command(api.ReceivePayment)), max_size=3)
    adjustments = st.lists(st.tuples(on_unit, command(api.Adjust)), max_size=2)
    return {
        "settings": data.draw(st.none() | command(api.ConfigureBilling), label="settings"),
        "rates": data.draw(st.lists(command(api.SetRate), min_size=1, max_size=5)),
        "units": units,
        # The readings of the drawn command, given to the site's units.
        "water": water.model_copy(update={"readings": readings}),
        "due": data.draw(command(api.IssueStatements), label="due"),
        "payments": data.draw(payments, label="payments"),
        "reversal": data.draw(st.none() | command(api.ReversePayment), label="reversal"),
        "adjustments": data.draw(adjustments, label="adjustments"),
        "days later": data.draw(st.integers(0, 120), label="days later"),
        "sweep": data.draw(command(api.SweepOverdue), label="sweep"),
        "close": data.draw(st.booleans(), label="close"),
    }


async def run_month(pipe: Pipeline, site: UUID, month: dict[str, Any]) -> dict[str, Any]:
    """The month as finance runs it; the commands accepted (refusals are fine)."""
    if month["settings"]:
        await pipe.call(api.CONFIGURE, site, month["settings"])
    for rate in month["rates"]:
        await pipe.call(api.SET_RATE, site, rate)
    await pipe.call(api.REGISTER_UNITS, site, month["units"])
    await unless_refused(pipe.call(api.RECORD_WATER, site, month["water"]))
    period = f"{clock.today(site_timezone(site)):%Y-%m}"
    on_period = {"period": period}
    await pipe.call(api.RUN_MONTH, site, **on_period)
    for _ in APPROVERS:
        for role in APPROVERS:
            await unless_refused(pipe.call(api.APPROVE, site, role=role, actor=role, **on_period))
    await unless_refused(pipe.call(api.ISSUE, site, month["due"], **on_period))
    paid = []
    for unit, payment in month["payments"]:
        if await unless_refused(pipe.call(api.RECEIVE_PAYMENT, site, payment, unit=unit)):
            paid.append((unit, payment.reference))
    if paid and month["reversal"]:
        unit, reference = paid[0]
        await unless_refused(pipe.call(api.REVERSE_PAYMENT, site, month["reversal"], unit=unit,
                                       reference=reference))  # fmt: skip
    credits: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for unit, adjustment in month["adjustments"]:
        done = await unless_refused(pipe.call(api.ADJUST, site, adjustment, unit=unit))
        if done and done["recorded"] and adjustment.amount < 0:
            credits[(unit, adjustment.period)] += adjustment.amount
    clock.advance(timedelta(days=month["days later"]))
    await unless_refused(pipe.call(api.SWEEP_OVERDUE, site, month["sweep"]))
    if month["close"]:
        await unless_refused(pipe.call(api.CLOSE, site, **on_period))
    return {"period": period, "credits": credits}


@PROPERTY
@given(data=st.data(), zone=zones, now=clock_moments)
async def test_every_accepted_posting_is_in_the_tables(
    billing: Pipeline, data: st.DataObject, zone: str, now: datetime
) -> None:
    pipe, site = billing, uuid4()
    with business_day(site, zone, now):
        month = drawn_month(data)
        start = pipe.mark()
        done = await run_month(pipe, site, month)
        await pipe.project(
            await pipe.published(start), data.draw(st.integers(1, 50), label="batch")
        )

        accounts = {
            spec.unit: await pipe.call(api.GET_ACCOUNT, site, unit=spec.unit)
            for spec in month["units"].units
        }
        arrears = await pipe.call(api.ARREARS, site)
        shown = {row["unit"]: row for row in arrears["units"]}
        owing = {
            u for u, a in accounts.items() if Decimal(a["outstanding"]) or Decimal(a["credit"])
        }
        assert set(shown) == owing, "every unit that owes or holds credit is in the arrears"
        for unit in owing:
            row, account = shown[unit], accounts[unit]
            assert Decimal(row["outstanding"]) == Decimal(account["outstanding"]), unit
            assert Decimal(row["credit"]) == Decimal(account["credit"]), unit

        periods = {done["period"]} | {p for _, p in done["credits"]} | {
            _period(line) for a in accounts.values() for line in a["lines"]
        }  # fmt: skip
        for period in periods:
            receivable = await pipe.call(api.RECEIVABLE, site, period=period)
            paid = await pipe.call(api.PAID, site, period=period)
            for unit, account in accounts.items():
                lines = [line for line in account["lines"] if _period(line) == period]
                billed = sum((Decimal(line["amount"]) for line in lines), Decimal(0))
                assert _total(receivable, unit) == billed + done["credits"][(unit, period)], unit
                assert _total(paid, unit) == sum((Decimal(line["paid"]) for line in lines),
                                                 Decimal(0)), unit  # fmt: skip


def _period(line: dict[str, Any]) -> str:
    """A ledger line's period, which the account view shows as year and month."""
    return f"{line['period']['year']}-{line['period']['month']:02d}"


def _total(table: dict[str, Any], unit: str) -> Decimal:
    rows = [row for row in table["units"] if row["unit"] == unit]
    return Decimal(rows[0]["total"]) if rows else Decimal(0)
