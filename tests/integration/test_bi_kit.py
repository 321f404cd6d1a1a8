"""The BI kit (bi/) rebuilds the billing read model's receivable and arrears tables from
the topic and the published schemas alone, to the cent, and never counts an event twice."""

from __future__ import annotations

import asyncio
import json
import random
import sys
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import duckdb
import pytest
from aiokafka import AIOKafkaProducer

from bi.consumer import sync
from bi.ledger import SiteCalendar
from bi.messages import EventSchemas
from bi.store import SettingsChanged, Store
from contracts import billing as ev
from contracts import billing_api as api
from contracts.envelope import Envelope
from contracts.schema_check import SCHEMA_DIR
from contracts.topics import BILLING
from runtime.clock import clock
from runtime.kafka import ensure_topics
from runtime.projection import ProjectionRunner
from runtime.settings import ServiceSettings
from services.billing.application import BillingApplication, BillingSettings
from services.billing.contract import contract_for
from services.billing.money import Period
from services.billing.projections import BillingQueries, BillingReadModel
from tests.infra import ROOT, publish_all, read_topic, run_until_caught_up
from tests.integration.test_billing_oracle import SHANGHAI, YEAR, generate_year

BUCKETS = {
    "current": "current",
    "0-30": "days_0_30",
    "31-60": "days_31_60",
    "61-90": "days_61_90",
    "90+": "days_over_90",
    "credit": "credit",
    "outstanding": "outstanding",
}
LONDON = "Europe/London"


def bi_arrears(bi: duckdb.DuckDBPyConnection, site: UUID, as_of: date) -> dict[str, tuple]:
    columns = ", ".join(BUCKETS.values())
    rows = bi.execute(f"SELECT unit, {columns} FROM arrears(?) WHERE site_id = ?", [as_of, site])
    return {unit: tuple(amounts) for unit, *amounts in rows.fetchall()}


def read_model_arrears(table: dict[str, Any]) -> dict[str, tuple]:
    return {row["unit"]: tuple(row[bucket] for bucket in BUCKETS) for row in table["units"]}


def bi_receivable(bi: duckdb.DuckDBPyConnection, site: UUID, period: str, as_of: date) -> dict:
    fees = bi.execute(
        "SELECT unit, fee_type, amount FROM receivable(?)"
        " WHERE site_id = ? AND period = ? AND amount <> 0",
        [as_of, site, period],
    ).fetchall()
    totals = bi.execute(
        "SELECT unit, total FROM receivable_totals(?) WHERE site_id = ? AND period = ?",
        [as_of, site, period],
    ).fetchall()
    table: dict[str, dict[str, Decimal]] = {unit: {"total": total} for unit, total in totals}
    for unit, fee_type, amount in fees:
        table[unit][fee_type] = amount
    return table


def read_model_receivable(table: dict[str, Any]) -> dict:
    return {
        row["unit"]: {k: v for k, v in row.items() if k != "unit" and (v or k == "total")}
        for row in table["units"]
    }


def ledger(bi: duckdb.DuckDBPyConnection) -> list[list[tuple]]:
    """Everything the kit has booked, to show that a sync changed nothing."""
    tables = ("billing_lines", "billing_sources", "billing_allocations")
    return [bi.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall() for table in tables]


async def run_kit(*arguments: str) -> None:
    """The kit as a BI engineer runs it: its own process, given Kafka, a topic, a file."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bi", *arguments, cwd=ROOT, stderr=asyncio.subprocess.PIPE
    )
    _, stderr = await process.communicate()
    assert process.returncode == 0, stderr.decode()


async def test_bi_kit_tables_equal_the_billing_read_model_at_every_month_end(
    infra, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    namespace = f"{infra.namespace}bikit_"
    sites = [uuid4(), uuid4()]
    zones = {str(sites[1]): LONDON}  # the first site keeps the default zone, Asia/Shanghai
    monkeypatch.setenv("CONCIERGE_SITE_TIMEZONES", json.dumps(zones))
    app = BillingApplication(BillingSettings(database_url=infra.database_url, kafka_bootstrap_servers=infra.kafka,
                                             concierge_namespace=namespace))  # fmt: skip
    try:
        generate_year(app, sites, random.Random(2035))
        # 07:00 on New Year's Day in Shanghai is still 31 December (23:00) in London:
        # each site's own zone decides which day (and year) a payment belongs to.
        clock.set(datetime(YEAR + 1, 1, 1, 7, tzinfo=SHANGHAI))
        for n, site in enumerate(sites):
            payment = api.ReceivePayment(reference="NEW-YEAR", amount="100.00", method="cash")
            app.receive_payment(site, f"{n}07", payment, None)
    finally:
        clock.reset()
    topic = f"{namespace}{BILLING}"
    await publish_all(app, topic, contract_for, infra)
    runner = ProjectionRunner(BillingReadModel(), topics=[topic], database_url=infra.database_url,
                              bootstrap_servers=infra.kafka, schema=f"{namespace}billing_read")  # fmt: skip
    await run_until_caught_up(runner, topic)
    queries = BillingQueries(await runner.connect())

    database = tmp_path / "bi.duckdb"
    await run_kit("--database", str(database), "sync", "--bootstrap-servers", infra.kafka,
                  "--topic", topic, "--site-timezones", json.dumps(zones))  # fmt: skip

    month_ends = [Period(YEAR, month).last_day for month in range(1, 13)]
    january_due = date(YEAR, 1, 15)
    boundaries = [january_due + timedelta(days=d) for d in (-1, 0, 30, 31, 60, 61, 90, 91)]
    compared = 0
    with duckdb.connect(str(database), read_only=True) as bi:
        for site in sites:
            for as_of in [*month_ends, *boundaries]:
                expected = read_model_arrears(await queries.arrears(site, as_of))
                assert bi_arrears(bi, site, as_of) == expected, f"arrears {site} as of {as_of}"
                compared += 1
            # Each month's receivable table at its month end, and as it stands at year end
            # (late fees and adjustments booked into open months after their run).
            for month, month_end in enumerate(month_ends, start=1):
                period = str(Period(YEAR, month))
                for as_of in (month_end, month_ends[-1]):
                    expected = read_model_receivable(await queries.receivable(site, period, as_of))
                    actual = bi_receivable(bi, site, period, as_of)
                    assert actual == expected, f"receivable {site} {period} as of {as_of}"
                    compared += 1
        year_end = bi_arrears(bi, sites[0], date(YEAR, 12, 31))
        booked = ledger(bi)
        new_year = dict(
            bi.execute(
                "SELECT site_id, received_on FROM billing_sources WHERE reference = 'NEW-YEAR'"
            ).fetchall()
        )
        kinds = {
            row[0]
            for row in bi.execute(
                "SELECT kind FROM billing_lines UNION SELECT 'reversal' FROM billing_sources"
                " WHERE reversed_on IS NOT NULL UNION SELECT 'credit adjustment'"
                " FROM billing_sources WHERE kind = 'adjustment'"
            ).fetchall()
        }
    await runner.close()
    assert compared == 2 * (12 + len(boundaries) + 2 * 12)
    # The year exercised what the tables must show: 90+ debts, credit, late fees, positive
    # and credit adjustments, reversals, and a day cut differently by two zones.
    assert {"charge", "late_fee", "adjustment", "reversal", "credit adjustment"} <= kinds, kinds
    column = list(BUCKETS)
    assert any(r[column.index("90+")] for r in year_end.values()), year_end
    assert any(r[column.index("credit")] for r in year_end.values()), year_end
    assert new_year == {sites[0]: date(YEAR + 1, 1, 1), sites[1]: date(YEAR, 12, 31)}

    # Redelivery and re-published duplicates change nothing; the position is kept with the
    # tables, so a sync that is caught up reads nothing.
    messages = await read_topic(infra.kafka, topic)
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka)
    await producer.start()
    try:
        for m in messages[::7]:
            await producer.send(
                topic, m.value, key=m.key, headers=list(m.headers), partition=m.partition
            )
        await producer.flush()
    finally:
        await producer.stop()
    store = Store(database, EventSchemas(SCHEMA_DIR), SiteCalendar(zones))
    try:
        republished = await sync(store, bootstrap_servers=infra.kafka, topics=[topic])
        assert (republished.applied, republished.duplicates, republished.rejected) == (
            0,
            len(messages[::7]),
            0,
        )
        store.db.execute("UPDATE bi_positions SET next_offset = 0")  # a lost position
        redelivered = await sync(store, bootstrap_servers=infra.kafka, topics=[topic])
        assert redelivered.applied == 0
        assert redelivered.duplicates == len(messages) + len(messages[::7])
        caught_up = await sync(store, bootstrap_servers=infra.kafka, topics=[topic])
        assert (caught_up.applied, caught_up.duplicates) == (0, 0)
        assert ledger(store.db) == booked
    finally:
        store.close()


def message(event: ev.BillingEvent, aggregate: UUID, version: int) -> Envelope:
    return Envelope.wrap(
        event,
        aggregate_id=aggregate,
        version=version,
        time=event.occurred_at,
        correlation_id="bi-kit",
    )


async def test_bi_kit_keys_rows_by_account_and_keeps_what_it_cannot_read(
    infra, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """Adjustment ids are chosen by people, so two sites may use the same one: both are
    booked. A message that is not valid against its published schema, or books an id its
    account already used, is kept in bi_rejected with the field, and the kit moves on."""
    topic = f"{infra.namespace}bikit_keys_{BILLING}"
    await ensure_topics(
        ServiceSettings(kafka_bootstrap_servers=infra.kafka, kafka_topic_partitions=1), [topic]
    )
    at = datetime(2035, 3, 10, 9, tzinfo=SHANGHAI)
    accounts = [(uuid4(), uuid4()), (uuid4(), uuid4())]  # (site, account)
    good: list[Envelope] = []
    for n, (site, account) in enumerate(accounts):
        good.append(
            message(
                ev.ChargeAdjusted(
                    site_id=site,
                    account_id=account,
                    unit=f"{n}01",
                    adjustment_id="FIX-1",
                    amount=Decimal("25.00"),
                    reason="meter",
                    period="2035-03",
                    charge_id=None,
                    fee_type=None,
                    due_date=None,
                    occurred_at=at,
                ),
                account,
                1,
            )
        )
    site, account = accounts[0]
    again = ev.ChargeAdjusted(
        site_id=site,
        account_id=account,
        unit="001",
        adjustment_id="FIX-1",
        amount=Decimal("30.00"),
        reason="twice",
        period="2035-03",
        charge_id=None,
        fee_type=None,
        due_date=None,
        occurred_at=at,
    )
    payment = ev.PaymentReceived(
        site_id=site,
        account_id=account,
        unit="001",
        reference="P-1",
        amount=Decimal("10.00"),
        method="cash",
        occurred_at=at,
    )
    valid = message(payment, account, 3)
    records: list[tuple[list[tuple[str, bytes]], bytes, str]] = [
        *((e.headers(), e.value(), "") for e in good),
        (message(again, account, 2).headers(), message(again, account, 2).value(), "billing_lines"),
        (valid.headers(), valid.value().replace(b'"10.00"', b'"10.005"'), "amount"),
        (valid.headers(), valid.value().replace(b',"method":"cash"', b""), "'method'"),
        (valid.headers(), valid.value().replace(b'"unit":"001"', b'"unit":1'), "unit"),
        (
            [(k, b"x") if k == "ce_id" else (k, v) for k, v in valid.headers()],
            valid.value(),
            "ce_id",
        ),
        (
            [
                (k, b"concierge.billing.Unknown.v1") if k == "ce_type" else (k, v)
                for k, v in valid.headers()
            ],
            valid.value(),
            "ce_type",
        ),
        (valid.headers(), b"{not json", "value"),
        (valid.headers(), valid.value(), ""),
    ]
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka)
    await producer.start()
    try:
        for headers, value, _ in records:
            await producer.send(topic, value, key=b"k", headers=headers)
        await producer.flush()
    finally:
        await producer.stop()

    database = tmp_path / "bi.duckdb"
    store = Store(database, EventSchemas(SCHEMA_DIR), SiteCalendar())
    try:
        tally = await sync(store, bootstrap_servers=infra.kafka, topics=[topic])
        rejected = store.db.execute(
            "SELECT kafka_offset, error FROM bi_rejected ORDER BY kafka_offset"
        ).fetchall()
        receivable = store.db.execute(
            "SELECT site_id, unit, fee_type, amount FROM receivable(DATE '2035-03-31')"
            " ORDER BY unit"
        ).fetchall()
        credit = store.db.execute(
            "SELECT site_id, credit FROM arrears(DATE '2035-03-31') WHERE credit > 0"
        ).fetchall()
    finally:
        store.close()
    expected_rejections = [(offset, field) for offset, (_, _, field) in enumerate(records) if field]
    assert (tally.applied, tally.rejected) == (3, len(expected_rejections))
    assert [offset for offset, _ in rejected] == [offset for offset, _ in expected_rejections]
    for (_, error), (_, field) in zip(rejected, expected_rejections, strict=True):
        assert field in error, error
    assert receivable == [
        (accounts[0][0], "001", "adjustment", Decimal("25.00")),
        (accounts[1][0], "101", "adjustment", Decimal("25.00")),
    ]
    assert credit == [(accounts[0][0], Decimal("10.00"))]

    with pytest.raises(SettingsChanged):  # days cut in other zones need a rebuild
        Store(database, EventSchemas(SCHEMA_DIR), SiteCalendar({str(site): "Europe/London"}))
    rebuilt = Store(
        database, EventSchemas(SCHEMA_DIR), SiteCalendar({str(site): "Europe/London"}), rebuild=True
    )
    try:
        again_tally = await sync(rebuilt, bootstrap_servers=infra.kafka, topics=[topic])
    finally:
        rebuilt.close()
    assert (again_tally.applied, again_tally.rejected) == (3, len(expected_rejections))
