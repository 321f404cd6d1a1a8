"""What a projection keeps beside its read model, in the same transactions: the next
offset per partition, the last applied version per aggregate, and the generation of its
tables (bumped by an online rebuild's swap); and the advisory lock that orders batches
(shared) against swaps and replays (exclusive)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg

from runtime import deadletters

BOOKKEEPING = f"""
CREATE TABLE IF NOT EXISTS projection_positions (
    projection text, topic text, partition int, next_offset bigint NOT NULL,
    PRIMARY KEY (projection, topic, partition));
CREATE TABLE IF NOT EXISTS projection_versions (
    projection text, subject uuid, version bigint NOT NULL,
    PRIMARY KEY (projection, subject));
CREATE TABLE IF NOT EXISTS projection_generations (
    projection text PRIMARY KEY, generation bigint NOT NULL);
{deadletters.SCHEMA_SQL}
"""
SHARED_LOCK = "SELECT pg_advisory_xact_lock_shared(hashtextextended($1, 0))"
EXCLUSIVE_LOCK = "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))"
GENERATION = (
    "SELECT coalesce((SELECT generation FROM projection_generations WHERE projection = $1), 0)"
)
Positions = dict[tuple[str, int], int]


def lock_name(schema: str, projection: str) -> str:
    """The advisory lock of one projection's tables (locks are database-wide)."""
    return f"{schema}.{projection}"


async def hold(conn: asyncpg.Connection, lock: str, projection: str) -> int:
    """Take the projection's lock shared for this transaction (a swap waits for it),
    then read the generation: a statement begun before a swap committed would not see it."""
    await conn.execute(SHARED_LOCK, lock)
    return await generation(conn, projection)


async def generation(conn: Any, projection: str) -> int:
    found: int = await conn.fetchval(GENERATION, projection)
    return found


async def stored_positions(conn: Any, projection: str, schema: str | None = None) -> Positions:
    table = f'"{schema}".projection_positions' if schema else "projection_positions"
    rows = await conn.fetch(
        f"SELECT topic, partition, next_offset FROM {table} WHERE projection = $1", projection
    )
    return {(r["topic"], r["partition"]): r["next_offset"] for r in rows}


def positions_after(messages: list[Any]) -> Positions:
    """The next offset of each partition after `messages` (in order per partition)."""
    return {(m.topic, m.partition): m.offset + 1 for m in messages}


async def claim_positions(
    conn: asyncpg.Connection, projection: str, expected: dict[tuple[str, int], int]
) -> bool:
    """Lock the position rows of a batch's partitions (created at 0 when missing) and tell
    whether they still hold what this runner expects.

    A replica that lost a partition in a rebalance while its batch was in flight, and
    the partition's new owner, would otherwise both apply the same events: neither
    transaction sees the other's uncommitted version rows. The row lock orders them;
    the second finds the position moved and writes nothing.
    """
    keys = sorted(expected)
    rows = await conn.fetch(CLAIM, projection, [t for t, _ in keys], [p for _, p in keys])
    stored = {(r["topic"], r["partition"]): r["next_offset"] for r in rows}
    return all(stored.get(key) == offset for key, offset in expected.items())


# One statement: a missing row is created at 0, an existing one is "updated" to its own
# value, which locks it as FOR UPDATE would (waiting for a concurrent claim, then reading
# its committed value), and either way the row comes back. In key order (no deadlock).
CLAIM = (
    "INSERT INTO projection_positions (projection, topic, partition, next_offset)"
    " SELECT $1, topic, partition, 0 FROM unnest($2::text[], $3::int[]) AS c(topic, partition)"
    " ON CONFLICT (projection, topic, partition)"
    " DO UPDATE SET next_offset = projection_positions.next_offset"
    " RETURNING topic, partition, next_offset"
)


async def stored_versions(
    conn: asyncpg.Connection, projection: str, subjects: list[UUID], *, blocked: bool
) -> tuple[dict[UUID, int], set[UUID]]:
    """The last applied version of each of `subjects` that has one and, if `blocked`,
    those whose later events wait behind a dead letter (`deadletters.BLOCKED_SUBJECTS`):
    one statement."""
    if not blocked:
        rows = await conn.fetch(VERSIONS, projection, subjects)
        return {r["subject"]: r["version"] for r in rows}, set()
    rows = await conn.fetch(
        f"{VERSIONS} UNION ALL SELECT subject, NULL FROM ({deadletters.BLOCKED_SUBJECTS}) AS b",
        projection, subjects, list(deadletters.HOLDS_BACK),
    )  # fmt: skip
    versions = {r["subject"]: r["version"] for r in rows if r["version"] is not None}
    return versions, {r["subject"] for r in rows if r["version"] is None}


VERSIONS = (
    "SELECT subject, version FROM projection_versions"
    " WHERE projection = $1 AND subject = ANY($2::uuid[])"
)


async def store(
    conn: asyncpg.Connection, projection: str, latest: dict[UUID, int], positions: Positions
) -> None:
    """The last applied version of each aggregate and the next offset of each partition,
    with one statement over arrays whatever the batch's size (a rebuild's batch touches
    thousands of aggregates; one upsert each cost the server a round of work per row, and
    a live batch of one event a round trip per table)."""
    await conn.execute(
        "WITH versions AS (INSERT INTO projection_versions (projection, subject, version)"
        " SELECT $1, * FROM unnest($2::uuid[], $3::bigint[])"
        " ON CONFLICT (projection, subject) DO UPDATE SET version = EXCLUDED.version)"
        " INSERT INTO projection_positions (projection, topic, partition, next_offset)"
        " SELECT $1, * FROM unnest($4::text[], $5::int[], $6::bigint[])"
        " ON CONFLICT (projection, topic, partition)"
        " DO UPDATE SET next_offset = EXCLUDED.next_offset",
        projection, list(latest), list(latest.values()),
        [t for t, _ in positions], [p for _, p in positions], list(positions.values()),
    )  # fmt: skip
