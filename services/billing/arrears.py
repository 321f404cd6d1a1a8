"""The arrears table (per unit: what is open, aged by due date, and the credit held), from
a per-account summary the finance read model keeps in the same transactions as its lines.

The summary (`billing_arrears_summary`) holds, for each account, the open amount of its
lines per due date (NULL: not yet on a statement) and its unplaced credit, as they stand
after every event applied; `billing_arrears_sites` holds, per site, the latest business
time of an account event applied. The ageing rule stays in the domain: the buckets
depend on the as-of date, so the summary keeps due dates and `ageing_bucket` maps each
to its bucket at query time.

An arrears table as of an instant after every event applied at the site (today's table,
or a month end once the month's events are in) reads the summary: one row per account
and due date instead of every line and allocation. A table as of an earlier instant
(a past month end with later events applied) needs the history, so it is summed from
the lines as before (`ARREARS`): both give the same table (tests/integration/
test_billing_arrears_summary.py).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import MAX_PREC, Decimal, localcontext
from typing import Any
from uuid import UUID

import asyncpg

from runtime.sites import site_timezone
from services.billing.collection_queries import end_of
from services.billing.domain import AGEING_BUCKETS, ageing_bucket

SUMMARY_SQL = """
CREATE TABLE IF NOT EXISTS billing_arrears_summary (
    account_id uuid NOT NULL,
    site_id uuid NOT NULL,
    unit text COLLATE "C" NOT NULL,
    kind text NOT NULL,
    due_date date,
    amount numeric NOT NULL);
CREATE INDEX IF NOT EXISTS billing_arrears_summary_account ON billing_arrears_summary (account_id);
CREATE INDEX IF NOT EXISTS billing_arrears_summary_unit ON billing_arrears_summary (site_id, unit);
CREATE TABLE IF NOT EXISTS billing_arrears_sites (
    site_id uuid PRIMARY KEY,
    applied_until timestamptz NOT NULL);
"""
SUMMARY_TABLES = ("billing_arrears_summary", "billing_arrears_sites")


# An account's summary rows, from its lines and sources as they stand (`accounts`: a
# condition on an `account_id`): per due date the open amount of its lines still open
# (kind 'open'), and its credit, what its payments and credits hold unplaced (kind
# 'credit', kept when not zero: a unit's credit is its accounts' sum, shown when > 0).
def _summary_rows(accounts: str) -> str:
    return (
        "SELECT l.account_id, l.site_id, l.unit, 'open', l.due_date,"
        " sum(l.amount - coalesce(a.paid, 0))"
        " FROM billing_lines l LEFT JOIN (SELECT account_id, line_id, sum(amount) AS paid"
        f"  FROM billing_allocations WHERE {accounts} GROUP BY account_id, line_id) a"
        " ON a.account_id = l.account_id AND a.line_id = l.line_id"
        f" WHERE l.{accounts} AND l.amount - coalesce(a.paid, 0) > 0"
        " GROUP BY l.account_id, l.site_id, l.unit, l.due_date"
        " UNION ALL SELECT s.account_id, s.site_id, s.unit, 'credit', NULL,"
        " sum(s.amount) - coalesce(sum(a.placed), 0)"
        " FROM billing_sources s LEFT JOIN LATERAL (SELECT sum(amount) AS placed"
        "  FROM billing_allocations WHERE account_id = s.account_id"
        "  AND source_kind = s.kind AND reference = s.reference) a ON true"
        f" WHERE s.{accounts} AND s.reversed_at IS NULL"
        " GROUP BY s.account_id, s.site_id, s.unit"
        " HAVING sum(s.amount) - coalesce(sum(a.placed), 0) <> 0"
    )


REFRESH = (
    "DELETE FROM billing_arrears_summary WHERE account_id = ANY($1::uuid[])",
    f"INSERT INTO billing_arrears_summary {_summary_rows('account_id = ANY($1::uuid[])')}",
)
APPLIED = (
    "INSERT INTO billing_arrears_sites SELECT * FROM unnest($1::uuid[], $2::timestamptz[])"
    " ON CONFLICT (site_id) DO UPDATE SET applied_until ="
    " greatest(billing_arrears_sites.applied_until, EXCLUDED.applied_until)"
)
# A read model from before the summary: summed once from its rows (setup).
BACKFILL = (
    f"INSERT INTO billing_arrears_summary {_summary_rows('account_id IS NOT NULL')}",
    "INSERT INTO billing_arrears_sites SELECT site_id, max(at) FROM ("
    " SELECT site_id, greatest(posted_at, due_set_at) AS at FROM billing_lines"
    " UNION ALL SELECT site_id, at FROM billing_allocations"
    " UNION ALL SELECT site_id, greatest(at, reversed_at) FROM billing_sources) t"
    " GROUP BY site_id",
)


async def refresh_summary(conn: asyncpg.Connection, accounts: set[UUID],
                          applied: dict[UUID, datetime]) -> None:  # fmt: skip
    """After a batch's rows: the summary rows of every account it touched (`accounts`),
    summed again from the account's rows, and each site's latest applied business time
    (`applied`: site -> the latest of its account events in the batch)."""
    if not accounts:
        return
    for statement in REFRESH:
        await conn.execute(statement, list(accounts))
    await conn.execute(APPLIED, list(applied), list(applied.values()))


async def backfill_summary(conn: asyncpg.Connection) -> None:
    """Sum the summary from the rows once, when its tables are new beside old rows."""
    if await conn.fetchval("SELECT EXISTS (SELECT FROM billing_arrears_sites)"):
        return
    for statement in BACKFILL:
        await conn.execute(statement)


def _bucket_sums(amount: str) -> str:
    return ", ".join(
        f"coalesce(sum({amount}) FILTER (WHERE bucket = '{b}'), 0.00) AS \"{b}\""
        for b in AGEING_BUCKETS
    )


# One page of the table from the summary: units after the cursor ($4, NULL: from the
# first) in code-point order ("C"), at most $5 (NULL: all); each account's open amounts
# bucketed by the bucket Python gave their due date ($2 -> $3), a unit's credit its
# accounts' sum when positive. A unit is listed when it owes or holds credit.
SUMMARY_PAGE = (
    "SELECT unit, "
    + _bucket_sums("amount")
    + ", CASE WHEN sum(amount) FILTER (WHERE kind = 'credit') > 0"
    " THEN sum(amount) FILTER (WHERE kind = 'credit') ELSE 0.00 END AS credit,"
    " coalesce(sum(amount) FILTER (WHERE kind = 'open'), 0.00) AS outstanding"
    " FROM (SELECT unit, kind, amount, CASE WHEN kind = 'open'"
    "  THEN ($3::text[])[array_position($2::date[], due_date)] END AS bucket"
    "  FROM billing_arrears_summary WHERE site_id = $1 AND ($4::text IS NULL OR unit > $4)) s"
    " GROUP BY unit HAVING count(*) FILTER (WHERE kind = 'open') > 0"
    " OR sum(amount) FILTER (WHERE kind = 'credit') > 0 ORDER BY unit LIMIT $5"
)
SUMMARY_DUE_DATES = (  # the site's open amount per due date: the buckets and their totals
    "SELECT due_date, sum(amount) AS amount FROM billing_arrears_summary"
    " WHERE site_id = $1 AND kind = 'open' GROUP BY due_date"
)
SUMMARY_CREDIT = (  # the credit held over the site: each unit's when positive
    "SELECT coalesce(sum(credit), 0.00) FROM (SELECT sum(amount) AS credit"
    " FROM billing_arrears_summary WHERE site_id = $1 AND kind = 'credit' GROUP BY unit) u"
    " WHERE credit > 0"
)

# The table summed from the lines, as of any instant ($2): each line's open amount then
# (the whole site's allocations summed once, where collection_queries.OPEN_LINES reads
# one unit's), aged by the bucket Python gave its due date ($3 -> $4), a unit's unplaced
# credit beside it; one row per unit in code-point order (as Python sorts), then totals.
_OPEN_LINES = (
    "SELECT l.unit, l.amount - coalesce(a.paid, 0) AS open,"
    " CASE WHEN l.due_set_at < $2 THEN l.due_date END AS due_date"
    " FROM billing_lines l LEFT JOIN (SELECT account_id, line_id, sum(amount) AS paid"
    "  FROM billing_allocations WHERE site_id = $1 AND at < $2 GROUP BY account_id, line_id) a"
    " ON a.account_id = l.account_id AND a.line_id = l.line_id"
    " WHERE l.site_id = $1 AND l.posted_at < $2"
)
ARREARS_DUE_DATES = (  # every due date a line may age by (more than the open ones: harmless)
    "SELECT DISTINCT CASE WHEN due_set_at < $2 THEN due_date END AS due_date"
    " FROM billing_lines WHERE site_id = $1 AND posted_at < $2"
)
ARREARS = (
    f"WITH open_lines AS ({_OPEN_LINES}),"
    " credits AS (SELECT s.unit, sum(s.amount) - coalesce(sum(a.placed), 0) AS credit"
    "  FROM billing_sources s LEFT JOIN LATERAL (SELECT sum(amount) AS placed"
    "   FROM billing_allocations WHERE account_id = s.account_id"
    "   AND source_kind = s.kind AND reference = s.reference AND at < $2) a ON true"
    "  WHERE s.site_id = $1 AND s.at < $2"
    "  AND (s.reversed_at IS NULL OR s.reversed_at >= $2) GROUP BY s.unit),"
    ' amounts AS (SELECT o.unit COLLATE "C" AS unit, b.bucket, o.open AS amount'
    "  FROM open_lines o JOIN unnest($3::date[], $4::text[]) AS b(due_date, bucket)"
    "  ON b.due_date IS NOT DISTINCT FROM o.due_date WHERE o.open > 0"
    "  UNION ALL SELECT unit COLLATE \"C\", 'credit', credit FROM credits WHERE credit > 0)"
    " SELECT unit, "
    + _bucket_sums("amount")
    + ", coalesce(sum(amount) FILTER (WHERE bucket = 'credit'), 0.00) AS credit"
    ", coalesce(sum(amount) FILTER (WHERE bucket <> 'credit'), 0.00) AS outstanding"
    " FROM amounts GROUP BY GROUPING SETS ((unit), ()) ORDER BY unit NULLS LAST"
)


class ArrearsQueries:
    """Part of `BillingQueries`."""

    pool: asyncpg.Pool

    async def arrears(
        self, site_id: UUID, as_of: date, limit: int | None = None, after: str | None = None
    ) -> dict[str, Any]:
        """Per unit: what is open, aged by due date (current, 0-30, 31-60, 61-90, 90+),
        and the credit held; the totals over every unit. With `limit`, a page: at most
        `limit` units after the unit `after` in code-point order, and `next_after` (the
        cursor of the next page) while more follow."""
        return (await self.arrears_of_sites([site_id], as_of, limit, after))[site_id]

    async def arrears_of_sites(
        self, site_ids: list[UUID], as_of: date, limit: int | None = None,
        after: str | None = None,
    ) -> dict[UUID, Any]:  # fmt: skip
        """Each site's table (`limit` 0: the totals alone)."""
        tables = {}
        for site_id in site_ids:
            cutoff = end_of(as_of, site_timezone(site_id))
            async with (
                self.pool.acquire() as conn,
                conn.transaction(isolation="repeatable_read", readonly=True),
            ):  # the statements see the same rows
                applied = await conn.fetchval(
                    "SELECT applied_until FROM billing_arrears_sites WHERE site_id = $1", site_id
                )
                if applied is not None and applied < cutoff:
                    units, totals = await _from_summary(conn, site_id, as_of, limit, after)
                else:
                    units, totals = await _from_lines(conn, site_id, cutoff, as_of, limit, after)
            table: dict[str, Any] = {"as_of": as_of, "units": units, "totals": totals}
            if limit and len(units) > limit:
                del units[limit:]
                table["next_after"] = units[-1]["unit"]
            tables[site_id] = table
        return tables

    async def arrears_from_lines(self, site_id: UUID, as_of: date) -> dict[str, Any]:
        """The whole table summed from the lines, whatever the summary holds: the table
        as the read model gave it before the summary (the tests and the bench compare
        the two)."""
        cutoff = end_of(as_of, site_timezone(site_id))
        async with (
            self.pool.acquire() as conn,
            conn.transaction(isolation="repeatable_read", readonly=True),
        ):
            units, totals = await _from_lines(conn, site_id, cutoff, as_of, None, None)
        return {"as_of": as_of, "units": units, "totals": totals}


Table = tuple[list[dict[str, Any]], dict[str, Any]]  # the units listed, the totals


async def _from_summary(conn: asyncpg.Connection, site_id: UUID, as_of: date,
                        limit: int | None, after: str | None) -> Table:  # fmt: skip
    """The page (one unit more than `limit`, to tell whether more follow) and the totals,
    from the summary: every applied event is before the cutoff."""
    by_due = await conn.fetch(SUMMARY_DUE_DATES, site_id)
    ages = {row["due_date"]: ageing_bucket(row["due_date"], as_of) for row in by_due}
    per_bucket: dict[str, list[Decimal]] = {b: [] for b in AGEING_BUCKETS}
    for row in by_due:
        per_bucket[ages[row["due_date"]]].append(row["amount"])
    totals = {b: _sum(amounts) for b, amounts in per_bucket.items()}
    totals["credit"] = await conn.fetchval(SUMMARY_CREDIT, site_id)
    totals["outstanding"] = _sum([row["amount"] for row in by_due])
    units: list[dict[str, Any]] = []
    if limit != 0:
        rows = await conn.fetch(SUMMARY_PAGE, site_id, list(ages), list(ages.values()), after,
                                None if limit is None else limit + 1)  # fmt: skip
        units = _as_dicts(rows)
    return units, totals


def _as_dicts(rows: list[asyncpg.Record]) -> list[dict[str, Any]]:
    """The rows as dicts (`dict(record)` looks each column up by name: about
    twice the time for the 100,000 rows of a large site)."""
    if not rows:
        return []
    columns = list(rows[0].keys())
    return [dict(zip(columns, row, strict=True)) for row in rows]


def _sum(amounts: list[Decimal]) -> Decimal:
    """As PostgreSQL sums `numeric` (exact, to the largest scale summed; 0.00 for none)."""
    if not amounts:
        return Decimal("0.00")
    with localcontext(prec=MAX_PREC):
        return sum(amounts[1:], amounts[0])


async def _from_lines(conn: asyncpg.Connection, site_id: UUID, cutoff: datetime, as_of: date,
                      limit: int | None, after: str | None) -> Table:  # fmt: skip
    """The whole table summed from the lines as of `cutoff`, then the page of it."""
    await conn.execute("SET LOCAL work_mem = '64MB'")  # sorts stay in memory
    due_dates = await conn.fetch(ARREARS_DUE_DATES, site_id, cutoff)
    ages = {r["due_date"]: ageing_bucket(r["due_date"], as_of) for r in due_dates}
    rows = await conn.fetch(ARREARS, site_id, cutoff, list(ages), list(ages.values()))
    units = _as_dicts(rows[:-1])  # the last row: the () grouping set, the totals
    if after is not None:
        units = [row for row in units if row["unit"] > after]
    if limit is not None:
        units = units[: limit + 1] if limit else []
    totals = {k: v for k, v in rows[-1].items() if k != "unit"}
    return units, totals
