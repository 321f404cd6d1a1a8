"""A read model's rows saved in bulk (staged by COPY, merged in one statement) end up as
the same rows as saved one upsert at a time: new rows inserted, touched ones updated,
untouched ones left alone, nulls and all column types kept."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import zip_longest
from uuid import UUID

import asyncpg

from runtime.readmodel import STAGED_ROWS, RowSet

COLUMNS = ("row_id", "site_id", "day", "amount", "note", "at", "count")
SCHEMA_SQL = (
    "CREATE TABLE rows (row_id uuid PRIMARY KEY, site_id uuid NOT NULL, day date,"
    " amount numeric NOT NULL, note text, at timestamptz, count int NOT NULL DEFAULT 0)"
)
AT = datetime(2033, 1, 31, 23, 59, tzinfo=UTC)


async def save(conn: asyncpg.Connection, created: list[UUID], updated: list[UUID]) -> None:
    """Update the rows `updated` and create the rows `created`, in one save."""
    rows = await RowSet.load(conn, "rows", COLUMNS, updated)
    for key in updated:
        rows.update(key, note=f"updated {key.int}", count=-key.int)
    site = UUID(int=7)
    for key in created:
        n = key.int
        rows.create(key, site_id=site, day=date(2033, 1, 1) + timedelta(days=n % 40),
                    amount=f"{n}.10", note=None if n % 3 else f"n{n}",
                    at=AT + timedelta(minutes=n), count=n)  # fmt: skip
    async with conn.transaction():
        await rows.save(conn)


def chunks(ids: list[UUID], size: int) -> list[list[UUID]]:
    return [ids[start : start + size] for start in range(0, len(ids), size)]


async def test_bulk_save_equals_one_upsert_at_a_time(infra) -> None:  # type: ignore[no-untyped-def]
    conn = await asyncpg.connect(infra.database_url)
    schemas = [f"{infra.namespace}bulk_a", f"{infra.namespace}bulk_b"]
    first = [UUID(int=n + 1) for n in range(STAGED_ROWS * 3)]
    more = [UUID(int=n + 10_000) for n in range(STAGED_ROWS)]
    try:
        results = []
        # All rows in one save (bulk) in the first schema, in saves of fewer rows than
        # STAGED_ROWS (one upsert each) in the other: the first save creates rows, the
        # second updates some of them and creates more.
        for schema, size in zip(schemas, (len(first), STAGED_ROWS // 2 - 1), strict=True):
            await conn.execute(f'CREATE SCHEMA "{schema}"; SET search_path = "{schema}"')
            await conn.execute(SCHEMA_SQL)
            for part in chunks(first, size):
                await save(conn, part, [])
            for created, updated in zip_longest(
                chunks(more, size), chunks(first[::2], size), fillvalue=[]
            ):
                await save(conn, created, updated)
            results.append([dict(r) for r in await conn.fetch("SELECT * FROM rows ORDER BY 1")])
        staged, one_by_one = results
        assert len(staged) == STAGED_ROWS * 4
        assert staged == one_by_one
        updated = [r for r in staged if r["note"] and r["note"].startswith("updated")]
        assert len(updated) == len(first[::2]) and all(r["count"] < 0 for r in updated)
    finally:
        for schema in schemas:
            await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await conn.close()
