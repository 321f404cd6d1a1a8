"""The arrears table read from the per-account summary equals the table summed from the
lines, month after month of random postings, payments (short, whole, over), reversals,
credit and debit adjustments and late fees, for random as-of dates (and before the last events, where the table comes from the
lines); paging it gives the
same units and the same totals; a read model from before the summary gets it at setup."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from contracts import billing_api as api
from contracts.topics import BILLING
from runtime.clock import clock
from runtime.projection import ProjectionRunner
from services.billing.application import BillingApplication
from services.billing.contract import contract_for
from services.billing.money import Period
from services.billing.projections import BillingQueries, BillingReadModel
from tests.infra import publish_all, run_until_caught_up
from tests.integration.fixtures import billing_app, sign_off

YEAR = 2039
UNITS = [f"{c}{i}" for c in ("A", "b", "Z") for i in (1, 2, 10)]  # code-point order differs


def month(app: BillingApplication, site: UUID, period: Period, rng: random.Random) -> None:
    """One month: the run and the statements, then random payments, reversals,
    adjustments and the overdue sweep (late fees), at random times of the month."""
    first = date(period.year, period.month, 1)
    clock.set(datetime.combine(first, time(8), tzinfo=UTC))
    app.run_month(site, period, None)
    sign_off(app, site, period)
    app.issue(site, period, None, None)
    for day in sorted(rng.sample(range(2, 28), 5)):
        clock.set(datetime.combine(first + timedelta(days=day), time(rng.randint(9, 17)),
                                   tzinfo=UTC))  # fmt: skip
        for unit in rng.sample(UNITS, 4):
            owed = app.account(site, unit).outstanding()
            amount = rng.choice([owed, owed / 3, owed + 40, Decimal(rng.randint(1, 700))])
            ref = f"P{period}-{day}-{unit}"
            app.receive_payment(site, unit, api.ReceivePayment(
                reference=ref, amount=max(Decimal("1.00"), amount.quantize(Decimal("0.01"))),
                method="cash"), None)  # fmt: skip
            if rng.random() < 0.2:
                app.reverse_payment(site, unit, ref, api.ReversePayment(reason="bounced"), None)
            if rng.random() < 0.2:
                app.adjust(site, unit, api.Adjust(
                    adjustment_id=f"A{period}-{day}-{unit}", amount=rng.choice(["-35.50", "20"]),
                    reason="meter", period=str(period)), None)  # fmt: skip
        if day > 15:
            app.sweep_overdue(site, None, None)


async def pages(queries: BillingQueries, site: UUID, as_of: date, limit: int) -> dict[str, Any]:
    """Every page, `limit` units each, joined; the totals of each page."""
    units, totals, after = [], [], None
    while True:
        page = await queries.arrears(site, as_of, limit, after)
        assert len(page["units"]) <= limit
        units += page["units"]
        totals.append(page["totals"])
        if (after := page.get("next_after")) is None:
            return {"units": units, "totals": totals}
        assert after == page["units"][-1]["unit"]


async def test_the_summary_gives_the_table_the_lines_give(infra) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(14)
    site = uuid4()
    with billing_app(infra, f"{infra.namespace}summary_") as app:
        topic = f"{app.settings.concierge_namespace}{BILLING}"
        runner = ProjectionRunner(
            BillingReadModel(), topics=[topic], database_url=infra.database_url,
            bootstrap_servers=infra.kafka, schema=f"{app.settings.concierge_namespace}billing_read",
        )  # fmt: skip
        clock.set(datetime(YEAR, 1, 1, 8, tzinfo=UTC))
        try:
            late_fee = {"kind": "percent", "value": "2", "cap": "30"}
            app.configure(site, api.ConfigureBilling(days_to_pay=10, grace_days=2,
                                                     late_fee=late_fee), None)  # fmt: skip
            app.set_rate(site, api.SetRate(fee_type="management", amount_per_unit="3.30",
                                           effective_from=f"{YEAR}-01"), None)  # fmt: skip
            app.register_units(site, api.RegisterUnits(units=[
                api.UnitSpec(unit=u, area_m2=str(rng.randint(40, 200))) for u in UNITS
            ]), None)  # fmt: skip
            checked, buckets_seen = 0, set()
            for m in range(1, 6):
                period = Period(YEAR, m)
                month(app, site, period, rng)
                clock.reset()
                await publish_all(app, topic, contract_for, infra)
                await run_until_caught_up(runner, topic)
                queries = BillingQueries(await runner.connect())
                last = period.last_day
                for as_of in [
                    last,
                    *(last + timedelta(days=rng.randint(1, 150)) for _ in range(4)),
                ]:
                    expected = await queries.arrears_from_lines(site, as_of)
                    assert await queries.arrears(site, as_of) == expected, as_of
                    paged = await pages(queries, site, as_of, rng.randint(1, 4))
                    assert paged["units"] == expected["units"]
                    assert all(t == expected["totals"] for t in paged["totals"])
                    buckets_seen |= {k for row in expected["units"] for k, v in row.items()
                                     if k != "unit" and v}  # fmt: skip
                    checked += 1
                for day in rng.sample(range(1, 27), 3):  # events after it: from the lines
                    as_of = date(YEAR, m, day)
                    assert await queries.arrears(site, as_of) == await queries.arrears_from_lines(
                        site, as_of
                    ), as_of
            assert checked == 25
            assert {"current", "0-30", "31-60", "90+", "credit"} <= buckets_seen, buckets_seen
            for as_of in (last, date(YEAR, 5, 3)):  # the group roll-up: the totals alone
                (totals,) = (await queries.arrears_of_sites([site], as_of, limit=0)).values()
                whole = await queries.arrears_from_lines(site, as_of)
                assert (totals["units"], totals["totals"]) == ([], whole["totals"])
            units = [row["unit"] for row in (await queries.arrears(site, last))["units"]]
            assert units == sorted(units)  # code point: "Z1" before "b1"
            # The summary was read: it is the only place a row changed here shows up.
            async with queries.pool.acquire() as conn:
                await conn.execute("UPDATE billing_arrears_summary SET amount = amount + 1"
                                   " WHERE site_id = $1 AND kind = 'open'", site)  # fmt: skip
            assert await queries.arrears(site, last) != await queries.arrears_from_lines(site, last)
        finally:
            clock.reset()
            await runner.close()


async def test_a_read_model_from_before_the_summary_gets_it_at_setup(infra) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(15)
    site = uuid4()
    with billing_app(infra, f"{infra.namespace}backfill_") as app:
        topic = f"{app.settings.concierge_namespace}{BILLING}"
        schema = f"{app.settings.concierge_namespace}billing_read"
        clock.set(datetime(YEAR, 1, 1, 8, tzinfo=UTC))
        try:
            app.set_rate(site, api.SetRate(fee_type="management", amount_per_unit="2",
                                           effective_from=f"{YEAR}-01"), None)  # fmt: skip
            app.register_units(site, api.RegisterUnits(units=[
                api.UnitSpec(unit=u, area_m2="100") for u in UNITS
            ]), None)  # fmt: skip
            for m in (1, 2):
                month(app, site, Period(YEAR, m), rng)
        finally:
            clock.reset()
        await publish_all(app, topic, contract_for, infra)
        runner = ProjectionRunner(BillingReadModel(), topics=[topic], schema=schema,
                                  database_url=infra.database_url, bootstrap_servers=infra.kafka)  # fmt: skip
        await run_until_caught_up(runner, topic)
        pool = await runner.connect()
        as_of = date(YEAR, 4, 30)
        built = await BillingQueries(pool).arrears(site, as_of)
        async with pool.acquire() as conn:  # as a read model from before the summary
            await conn.execute("DROP TABLE billing_arrears_summary, billing_arrears_sites")
        await runner.close()
        runner = ProjectionRunner(BillingReadModel(), topics=[topic], schema=schema,
                                  database_url=infra.database_url, bootstrap_servers=infra.kafka)  # fmt: skip
        try:
            queries = BillingQueries(await runner.connect())
            assert await queries.arrears(site, as_of) == built
            assert await queries.arrears(site, as_of) == await queries.arrears_from_lines(
                site, as_of
            )
            async with queries.pool.acquire() as conn:
                assert await conn.fetchval("SELECT count(*) FROM billing_arrears_summary") > 0
        finally:
            await runner.close()
