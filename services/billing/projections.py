"""Billing read models: the receivable, paid and arrears tables, collection rate, roll-up.

The projection keeps the ledger as it happened (lines, allocations, payments and
credits, statements, notices), each row stamped with the business time of its event.
Every table is then a query "as of" an instant: the arrears table as it stood at any
past month end comes from the rows up to then, with no snapshot to keep.

Every row is keyed by what owns it (the account, or the site): line ids and payment
references are chosen per account, and adjustment ids by people, so the same id may
name lines of two units or two sites. Amounts are unbounded `numeric`: a statement
sums any number of postings, each at most `contracts.fields.MAX_AMOUNT`.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg

from contracts import billing as ev
from contracts.envelope import Envelope
from runtime.sites import site_timezone
from services.billing.arrears import (
    SUMMARY_SQL,
    SUMMARY_TABLES,
    ArrearsQueries,
    backfill_summary,
    refresh_summary,
)
from services.billing.collection_queries import (
    CollectionQueries,
    collection_row,
    end_of,
)

SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS billing_lines (
    account_id uuid NOT NULL,
    line_id text NOT NULL,
    site_id uuid NOT NULL,
    unit text NOT NULL,
    period text NOT NULL,
    kind text NOT NULL,
    fee_type text NOT NULL,
    amount numeric NOT NULL,
    description text NOT NULL,
    posted_at timestamptz NOT NULL,
    due_date date,
    due_set_at timestamptz,
    PRIMARY KEY (account_id, line_id));
CREATE INDEX IF NOT EXISTS billing_lines_site_period ON billing_lines (site_id, period);
CREATE TABLE IF NOT EXISTS billing_allocations (
    allocation_id text PRIMARY KEY,
    site_id uuid NOT NULL,
    account_id uuid NOT NULL,
    unit text NOT NULL,
    line_id text NOT NULL,
    source_kind text NOT NULL,
    reference text NOT NULL,
    amount numeric NOT NULL,
    at timestamptz NOT NULL);
CREATE INDEX IF NOT EXISTS billing_allocations_line ON billing_allocations (account_id, line_id);
CREATE INDEX IF NOT EXISTS billing_allocations_site ON billing_allocations (site_id, at);
CREATE TABLE IF NOT EXISTS billing_sources (
    account_id uuid NOT NULL,
    kind text NOT NULL,
    reference text NOT NULL,
    site_id uuid NOT NULL,
    unit text NOT NULL,
    period text,
    method text,
    amount numeric NOT NULL,
    at timestamptz NOT NULL,
    reversed_at timestamptz,
    reversal_reason text,
    PRIMARY KEY (account_id, kind, reference));
CREATE INDEX IF NOT EXISTS billing_sources_site ON billing_sources (site_id, at);
CREATE TABLE IF NOT EXISTS billing_statements (
    account_id uuid NOT NULL,
    period text NOT NULL,
    site_id uuid NOT NULL,
    unit text NOT NULL,
    due_date date NOT NULL,
    amount_due numeric NOT NULL,
    issued_at timestamptz NOT NULL,
    PRIMARY KEY (account_id, period));
CREATE INDEX IF NOT EXISTS billing_statements_site ON billing_statements (site_id, period);
CREATE TABLE IF NOT EXISTS billing_notices (
    notice_id text PRIMARY KEY,
    site_id uuid NOT NULL,
    unit text NOT NULL,
    period text NOT NULL,
    kind text NOT NULL,
    level int,
    amount numeric NOT NULL,
    at timestamptz NOT NULL);
CREATE TABLE IF NOT EXISTS billing_collection_log (
    entry_id text PRIMARY KEY,
    site_id uuid NOT NULL,
    unit text NOT NULL,
    action text NOT NULL,
    at timestamptz NOT NULL,
    business_date date NOT NULL,
    by text NOT NULL,
    outcome text,
    promised_on date,
    note text,
    amount numeric NOT NULL);
CREATE INDEX IF NOT EXISTS billing_collection_log_unit ON billing_collection_log (site_id, unit);
CREATE TABLE IF NOT EXISTS billing_closed_periods (
    site_id uuid NOT NULL, period text NOT NULL, closed_at timestamptz NOT NULL,
    PRIMARY KEY (site_id, period));
"""

INSERTS = {
    "lines": "INSERT INTO billing_lines (line_id, site_id, account_id, unit, period, kind,"
    " fee_type, amount, description, posted_at, due_date, due_set_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    "allocations": "INSERT INTO billing_allocations VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    "sources": "INSERT INTO billing_sources VALUES"
    " ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, NULL)",
    "statements": "INSERT INTO billing_statements VALUES ($1, $2, $3, $4, $5, $6, $7)",
    "notices": "INSERT INTO billing_notices VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    "closed": "INSERT INTO billing_closed_periods VALUES ($1, $2, $3)",
    "collection": "INSERT INTO billing_collection_log VALUES"
    " ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
}
UPDATES = {
    "due": "UPDATE billing_lines SET due_date = $3, due_set_at = $4"
    " WHERE account_id = $1 AND line_id = $2",
    "reversed": "UPDATE billing_sources SET reversed_at = $4, reversal_reason = $5"
    " WHERE account_id = $1 AND kind = $2 AND reference = $3",
}


class BillingReadModel:
    name = "billing_read_model"
    tables = (
        "billing_lines", "billing_allocations", "billing_sources", "billing_statements",
        "billing_notices", "billing_closed_periods", "billing_collection_log", *SUMMARY_TABLES,
    )  # fmt: skip

    async def setup(self, conn: asyncpg.Connection) -> None:
        if await _keyed_by_line_alone(conn):
            await self._start_over(conn)
        await conn.execute(SCHEMA_SQL)
        await conn.execute(SUMMARY_SQL)
        await backfill_summary(conn)

    async def _start_over(self, conn: asyncpg.Connection) -> None:
        """A read model from before rows were keyed by their owner lost every line whose
        id another account had used (dead-lettered): drop it, and rebuild it from offset
        0 under the new keys."""
        for table in self.tables:
            await conn.execute(f"DROP TABLE IF EXISTS {table} CASCADE")
        for bookkeeping in ("projection_positions", "projection_versions"):
            await conn.execute(f"DELETE FROM {bookkeeping} WHERE projection = $1", self.name)

    async def apply_batch(self, conn: asyncpg.Connection, envelopes: list[Envelope]) -> None:
        """Rows are appended in event order; updates (due dates, reversals) run after the
        inserts of the batch, since they only ever name rows created before them. The
        arrears summary of every account the batch touched follows its rows, in the
        same transaction (`services.billing.arrears`)."""
        inserts: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
        updates: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
        accounts: set[UUID] = set()
        applied: dict[UUID, datetime] = {}
        for envelope in envelopes:
            _rows_of(envelope, inserts, updates)
            if isinstance(e := envelope.data, ev.AccountEvent):
                accounts.add(e.account_id)
                if e.site_id not in applied or applied[e.site_id] < e.occurred_at:
                    applied[e.site_id] = e.occurred_at
        for table, rows in inserts.items():
            await conn.executemany(INSERTS[table], rows)
        for kind, rows in updates.items():
            await conn.executemany(UPDATES[kind], rows)
        await refresh_summary(conn, accounts, applied)


async def _keyed_by_line_alone(conn: asyncpg.Connection) -> bool:
    keys = await conn.fetchval(
        "SELECT count(*) FROM information_schema.key_column_usage WHERE table_schema ="
        " current_schema() AND table_name = 'billing_lines' AND constraint_name LIKE '%pkey'"
    )
    return bool(keys == 1)


def _rows_of(envelope: Envelope, inserts: dict[str, list], updates: dict[str, list]) -> None:
    e: Any = envelope.data
    at = e.occurred_at
    if isinstance(e, ev.PeriodClosed):
        inserts["closed"].append((e.site_id, e.period, at))
        return
    if not isinstance(e, ev.AccountEvent):  # a site's receipt book: no table row here
        return
    who = (e.site_id, e.account_id, e.unit)
    match e:
        case ev.ChargePosted():
            inserts["lines"].append(
                (
                    e.charge_id,
                    *who,
                    e.period,
                    "charge",
                    e.fee_type,
                    e.amount,
                    e.description,
                    at,
                    e.due_date,
                    at if e.due_date else None,
                )
            )
        case ev.ChargeAdjusted() if e.amount > 0:
            inserts["lines"].append(
                (
                    e.adjustment_id,
                    *who,
                    e.period,
                    "adjustment",
                    e.fee_type or "adjustment",
                    e.amount,
                    e.reason,
                    at,
                    e.due_date,
                    at if e.due_date else None,
                )
            )
        case ev.ChargeAdjusted():
            inserts["sources"].append(
                (
                    e.account_id,
                    "adjustment",
                    e.adjustment_id,
                    e.site_id,
                    e.unit,
                    e.period,
                    None,
                    -e.amount,
                    at,
                )
            )
        case ev.LateFeeAssessed():
            inserts["lines"].append(
                (
                    e.charge_id,
                    *who,
                    e.booked_in,
                    "late_fee",
                    "late_fee",
                    e.amount,
                    f"late fee on {e.period}",
                    at,
                    e.due_date,
                    at if e.due_date else None,
                )
            )
        case ev.StatementIssued():
            inserts["statements"].append(
                (e.account_id, e.period, e.site_id, e.unit, e.due_date, e.amount_due, at)
            )
            updates["due"].extend(
                (e.account_id, line_id, e.due_date, at) for line_id in e.charge_ids
            )
        case ev.PaymentReceived():
            inserts["sources"].append(
                (
                    e.account_id,
                    "payment",
                    e.reference,
                    e.site_id,
                    e.unit,
                    None,
                    e.method,
                    e.amount,
                    at,
                )
            )
        case ev.PaymentAllocated():
            inserts["allocations"].append(
                (envelope.id, *who, e.charge_id, e.source_kind, e.reference, e.amount, at)
            )
        case ev.PaymentReversed():
            inserts["allocations"].extend(
                (
                    f"{envelope.id}:{i}",
                    *who,
                    item.charge_id,
                    "payment",
                    e.reference,
                    -item.amount,
                    at,
                )
                for i, item in enumerate(e.released)
            )
            updates["reversed"].append((e.account_id, "payment", e.reference, at, e.reason))
        case ev.FeeOverdue():
            inserts["notices"].append(
                (envelope.id, e.site_id, e.unit, e.period, "overdue", None, e.amount_overdue, at)
            )
        case ev.DunningNoticeSent():
            inserts["notices"].append(
                (envelope.id, e.site_id, e.unit, e.period, "dunning", e.level, e.amount_due, at)
            )
        case ev.PhoneReminderRecorded() | ev.FinalLetterSent() | ev.CollectionEscalated():
            inserts["collection"].append(collection_row(envelope.id, e))


class BillingQueries(CollectionQueries, ArrearsQueries):
    """The finance tables, each for one site and as of an instant."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def receivable(self, site_id: UUID, period: str, as_of: date) -> dict[str, Any]:
        """Per unit and fee type: what the period bills (charges, late fees, adjustments)."""
        cutoff = end_of(as_of, site_timezone(site_id))
        rows = await self.pool.fetch(
            "SELECT unit, fee_type, sum(amount) AS amount FROM billing_lines"
            " WHERE site_id = $1 AND period = $2 AND posted_at < $3 GROUP BY unit, fee_type"
            " UNION ALL SELECT unit, 'credit_adjustment', -sum(amount) FROM billing_sources"
            " WHERE site_id = $1 AND kind = 'adjustment' AND period = $2 AND at < $3"
            " GROUP BY unit",
            site_id, period, cutoff,
        )  # fmt: skip
        return _pivot("receivable", period, as_of, rows)

    async def paid(self, site_id: UUID, period: str, as_of: date) -> dict[str, Any]:
        """Per unit and fee type: what has been paid (or credited) on the period's lines."""
        cutoff = end_of(as_of, site_timezone(site_id))
        rows = await self.pool.fetch(
            "SELECT l.unit, l.fee_type, sum(a.amount) AS amount FROM billing_allocations a"
            " JOIN billing_lines l ON l.account_id = a.account_id AND l.line_id = a.line_id"
            " WHERE l.site_id = $1 AND l.period = $2 AND a.at < $3 GROUP BY l.unit, l.fee_type",
            site_id, period, cutoff,
        )  # fmt: skip
        return _pivot("paid", period, as_of, rows)

    async def collection_rate(self, site_id: UUID, period: str, as_of: date) -> dict[str, Any]:
        """Collected / receivable for the period, day by day from the notice date."""
        zone = site_timezone(site_id)
        issued = await self.pool.fetchval(
            "SELECT min(issued_at) FROM billing_statements WHERE site_id = $1 AND period = $2",
            site_id, period,
        )  # fmt: skip
        if issued is None:
            return {"period": period, "notice_date": None, "days": []}
        first = issued.astimezone(ZoneInfo(zone)).date()
        days = []
        for offset in range(max(0, (as_of - first).days) + 1):
            day = first + timedelta(days=offset)
            cutoff = end_of(day, zone)
            receivable = await self.pool.fetchval(
                "SELECT coalesce(sum(amount), 0) FROM billing_lines"
                " WHERE site_id = $1 AND period = $2 AND posted_at < $3",
                site_id, period, cutoff,
            )  # fmt: skip
            collected = await self.pool.fetchval(
                "SELECT coalesce(sum(a.amount), 0) FROM billing_allocations a"
                " JOIN billing_lines l ON l.account_id = a.account_id AND l.line_id = a.line_id"
                " WHERE l.site_id = $1 AND l.period = $2 AND a.at < $3",
                site_id, period, cutoff,
            )  # fmt: skip
            rate = (collected / receivable).quantize(Decimal("0.0001")) if receivable else None
            days.append({"date": day, "receivable": receivable, "collected": collected,
                         "rate": rate})  # fmt: skip
        return {"period": period, "notice_date": first, "days": days}

    async def sites(self) -> list[UUID]:
        rows = await self.pool.fetch("SELECT DISTINCT site_id FROM billing_lines")
        return [r["site_id"] for r in rows]


def _pivot(name: str, period: str, as_of: date, rows: list[Any]) -> dict[str, Any]:
    units: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for row in rows:
        units[row["unit"]][row["fee_type"]] = row["amount"]
    fee_types = sorted({row["fee_type"] for row in rows})
    table = [
        {"unit": unit, **{f: fees.get(f, Decimal("0.00")) for f in fee_types},
         "total": sum(fees.values(), Decimal("0.00"))}
        for unit, fees in sorted(units.items())
    ]  # fmt: skip
    totals = {f: sum((row[f] for row in table), Decimal("0.00")) for f in [*fee_types, "total"]}
    return {"table": name, "period": period, "as_of": as_of, "fee_types": fee_types,
            "units": table, "totals": totals}  # fmt: skip
