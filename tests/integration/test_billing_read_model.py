"""The finance read model keys every row by its owner: ids chosen by people (adjustment
ids) may repeat across sites and units, and each site's tables still agree with its
accounts, with nothing dead-lettered."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import uuid4

import asyncpg

from contracts import billing_api as api
from runtime.clock import clock
from runtime.projection import ProjectionRunner
from services.billing.application import BillingApplication
from services.billing.money import Period
from services.billing.projections import BillingReadModel
from tests.integration.fixtures import billing_app, billing_tables

PERIOD = Period(2038, 3)


async def test_two_sites_and_two_units_may_use_the_same_adjustment_id(infra) -> None:  # type: ignore[no-untyped-def]
    with billing_app(infra, f"{infra.namespace}keys_") as app:
        await same_adjustment_ids_at_two_sites(app, infra)


async def same_adjustment_ids_at_two_sites(app: BillingApplication, infra) -> None:  # type: ignore[no-untyped-def]
    sites = [uuid4(), uuid4()]
    clock.set(datetime(2038, 3, 1, 2, 0, tzinfo=UTC))
    try:
        for n, site in enumerate(sites):
            rate = api.SetRate(fee_type="management", amount_per_unit="2", effective_from="2038-01")
            app.set_rate(site, rate, None)
            units = [api.UnitSpec(unit=u, area_m2=str(100 + n)) for u in ("101", "102")]
            app.register_units(site, api.RegisterUnits(units=units), None)
            app.run_month(site, PERIOD, None)
            for unit in ("101", "102"):
                for adjustment_id, amount in (("FIX-1", "25.00"), ("FIX-2", "-10.00")):
                    fix = api.Adjust(adjustment_id=adjustment_id, amount=amount,
                                     reason="meter misread", period=str(PERIOD))  # fmt: skip
                    assert app.adjust(site, unit, fix, None)
            owed = app.account(site, "101").outstanding()  # pays the adjustment line too
            app.receive_payment(site, "101", api.ReceivePayment(
                reference=f"PAY-{n}", amount=owed, method="cash"), None)  # fmt: skip
    finally:
        clock.reset()
    runner, queries = await billing_tables(app, infra)
    try:
        assert runner.dlq_sent == 0
        for n, site in enumerate(sites):
            management = Decimal(2 * (100 + n)).quantize(Decimal("0.01"))
            receivable = await queries.receivable(site, str(PERIOD), date(2038, 3, 31))
            assert {row["unit"]: row["adjustment"] for row in receivable["units"]} == {
                "101": Decimal("25.00"), "102": Decimal("25.00")
            }  # fmt: skip
            assert receivable["totals"]["total"] == 2 * (management + Decimal("15.00"))
            paid = await queries.paid(site, str(PERIOD), date(2038, 3, 31))
            row_101 = next(row for row in paid["units"] if row["unit"] == "101")
            assert row_101["total"] == management + Decimal("25.00")  # 10.00 of it by FIX-2
            arrears = await queries.arrears(site, date(2038, 3, 31))
            assert [row["unit"] for row in arrears["units"]] == ["102"]  # 101 paid it all
            assert arrears["units"][0]["outstanding"] == app.account(site, "102").outstanding()
            assert app.account(site, "101").outstanding() == 0
    finally:
        await runner.close()


async def test_a_read_model_keyed_by_line_alone_is_rebuilt_under_owner_keys(infra) -> None:  # type: ignore[no-untyped-def]
    schema = f"{infra.namespace}oldkeys_billing_read"
    conn = await asyncpg.connect(infra.database_url)
    try:
        await conn.execute(f'CREATE SCHEMA "{schema}"')
        await conn.execute(f'SET search_path TO "{schema}"')
        await conn.execute(
            "CREATE TABLE billing_lines (line_id text PRIMARY KEY, site_id uuid NOT NULL);"
            "CREATE TABLE projection_positions (projection text, topic text, partition int,"
            " next_offset bigint NOT NULL, PRIMARY KEY (projection, topic, partition));"
            "INSERT INTO projection_positions VALUES ('billing_read_model', 't', 0, 42),"
            " ('billing_paid_repairs', 't', 0, 7)"
        )
        runner = ProjectionRunner(BillingReadModel(), topics=["unused"], schema=schema,
                                  database_url=infra.database_url, bootstrap_servers=infra.kafka)  # fmt: skip
        await runner.connect()
        await runner.close()
        key = await conn.fetch(
            "SELECT column_name FROM information_schema.key_column_usage WHERE table_schema = $1"
            " AND table_name = 'billing_lines' ORDER BY ordinal_position", schema,
        )  # fmt: skip
        assert [row["column_name"] for row in key] == ["account_id", "line_id"]
        positions = await conn.fetch("SELECT projection FROM projection_positions")
        assert [row["projection"] for row in positions] == ["billing_paid_repairs"]  # from 0
    finally:
        await conn.close()
