"""Online rebuild of a read model: new tables from offset 0, swapped in when caught up.

"Rebuilds run online: into new tables from offset 0, swapped in when caught up"
(ARCHITECTURE.md). The live projection keeps serving and applying to the old tables
meanwhile, in every replica:

1. One rebuild per projection at a time (a session advisory lock; a second is refused).
2. A shadow runner applies the projection from offset 0 into `<schema>__rebuild`, with
   its own positions, versions and dead letters, until it reaches the topic ends.
3. The projection's advisory lock is taken exclusively: live batches (which take it
   shared) wait. The shadow then applies at least what the live tables hold, and stops.
4. In that same transaction the live tables are dropped, the shadow's moved into the
   live schema, the projection's positions and versions replaced by the shadow's, its
   dead letters carried over, and its generation bumped. Live runners see the new
   generation at their next batch (or health check), drop what they had fetched, seek
   to the new positions and re-open their pooled connections: no event is lost (they
   continue where the new tables end) or doubled (the new tables' positions and
   versions are the ones checked).

Without a live service the same steps run and the service continues from the new
tables when it starts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from runtime import deadletters
from runtime.errors import Conflict
from runtime.projection import EXCLUSIVE_LOCK, Projection, ProjectionRunner
from runtime.projection.bookkeeping import Positions, stored_positions

log = logging.getLogger(__name__)

LOCKED_CATCH_UP_SECONDS = 60.0


def shadow_schema(schema: str) -> str:
    return f"{schema}__rebuild"


async def rebuild_online(
    projection: Projection,
    *,
    topics: list[str],
    database_url: str,
    bootstrap_servers: str,
    schema: str,
    batch_size: int = 2000,
) -> dict[str, Any]:
    """Rebuild `projection`'s tables in `schema` from offset 0 without stopping it."""
    started = time.monotonic()
    live = ProjectionRunner(projection, topics=topics, database_url=database_url,
                            bootstrap_servers=bootstrap_servers, schema=schema)  # fmt: skip
    pool = await live.connect()
    shadow_name = shadow_schema(schema)
    try:
        async with _sole_rebuild(pool, live.lock):
            await _empty_schema(pool, shadow_name)
            shadow = ProjectionRunner(projection, topics=topics, database_url=database_url,
                                      bootstrap_servers=bootstrap_servers, schema=shadow_name,
                                      batch_size=batch_size)  # fmt: skip
            await _check_declared_tables(await shadow.connect(), shadow_name, projection)
            stop = asyncio.Event()
            building = asyncio.create_task(shadow.run(stop))
            try:
                await _reach(shadow, await _end_offsets(bootstrap_servers, topics), building)
                log.info("rebuild of %s caught up; swapping", projection.name)
                async with pool.acquire() as conn, conn.transaction():
                    report = await _swap_when_level(conn, live, shadow, building, stop)
            finally:
                stop.set()
                await asyncio.gather(building, return_exceptions=True)
                await shadow.close()
            await _empty_schema(pool, shadow_name)
    finally:
        await live.close()
    report["seconds"] = round(time.monotonic() - started, 2)
    log.info("rebuilt %s", report)
    return report


async def _empty_schema(pool: asyncpg.Pool, schema: str) -> None:
    """Drop every table of the shadow schema but keep the schema: a deployment's role owns
    `<schema>__rebuild` (made for it in advance) but may not create schemas."""
    tables = await pool.fetch("SELECT tablename FROM pg_tables WHERE schemaname = $1", schema)
    for row in tables:
        await pool.execute(f'DROP TABLE IF EXISTS "{schema}"."{row["tablename"]}" CASCADE')


async def _swap_when_level(
    conn: asyncpg.Connection,
    live: ProjectionRunner,
    shadow: ProjectionRunner,
    building: asyncio.Task[None],
    stop: asyncio.Event,
) -> dict[str, Any]:
    """Under the live projection's exclusive lock (live batches wait, so it is bounded):
    let the shadow apply at least what the live tables hold, stop it, then swap."""
    name = live.projection.name
    await conn.execute(EXCLUSIVE_LOCK, live.lock)
    await _reach(shadow, await stored_positions(conn, name), building,
                 deadline=time.monotonic() + LOCKED_CATCH_UP_SECONDS)  # fmt: skip
    stop.set()
    await building  # its last batch committed; nothing writes to the shadow any more
    offsets = sum((await stored_positions(conn, name, shadow.schema)).values())
    unresolved = await conn.fetchval(
        f'SELECT count(*) FROM "{shadow.schema}".projection_dead_letters'
        " WHERE resolved_at IS NULL AND projection = $1",
        name,
    )
    generation = await _swap(conn, live.schema, shadow.schema, live.projection)
    return {"projection": name, "generation": generation, "offsets": offsets,
            "dead_letters": unresolved}  # fmt: skip


@contextlib.asynccontextmanager
async def _sole_rebuild(pool: asyncpg.Pool, lock: str) -> AsyncIterator[None]:
    """Hold the projection's rebuild lock for the session; refuse if another holds it."""
    async with pool.acquire() as conn:
        name = f"rebuild:{lock}"
        if not await conn.fetchval("SELECT pg_try_advisory_lock(hashtextextended($1, 0))", name):
            raise Conflict(f"a rebuild of {lock} is already running")
        try:
            yield
        finally:
            await conn.execute("SELECT pg_advisory_unlock(hashtextextended($1, 0))", name)


async def _check_declared_tables(pool: asyncpg.Pool, schema: str, projection: Projection) -> None:
    """The swap moves the tables a projection declares (its rows): refuse if its setup
    does not make them. Other tables its setup makes (so queries find them from the
    first start) belong to other consumers and stay as they are."""
    rows = await pool.fetch(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = $1", schema
    )
    if missing := set(projection.tables) - {r["table_name"] for r in rows}:
        raise RuntimeError(
            f"{projection.name} declares tables {sorted(missing)} that its setup does not"
            " create: nothing to swap in"
        )


async def _end_offsets(bootstrap_servers: str, topics: list[str]) -> Positions:
    """Where each partition of `topics` ends now."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        described = await admin.describe_topics(topics)
    finally:
        await admin.close()
    partitions = [TopicPartition(d["topic"], p["partition"])
                  for d in described if d["error_code"] == 0 for p in d["partitions"]]  # fmt: skip
    if not partitions:
        return {}
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, enable_auto_commit=False)
    await consumer.start()
    try:
        ends = await consumer.end_offsets(partitions)
    finally:
        await consumer.stop()
    return {(tp.topic, tp.partition): end for tp, end in ends.items()}


async def _reach(
    shadow: ProjectionRunner,
    target: Positions,
    building: asyncio.Task[None],
    deadline: float = float("inf"),
) -> None:
    """Wait until the shadow has applied every partition up to `target` (while its
    runner makes progress, and until `deadline`)."""
    pool = await shadow.connect()
    while True:
        done = await stored_positions(pool, shadow.projection.name)
        if all(done.get(tp, 0) >= offset for tp, offset in target.items()):
            return
        if building.done():
            building.result()
            raise RuntimeError("the rebuild's runner stopped before it caught up")
        if time.monotonic() > deadline:
            raise TimeoutError(f"the rebuild did not catch up: {done} < {target}")
        await asyncio.sleep(0.05)


async def _swap(conn: asyncpg.Connection, live: str, shadow: str, projection: Projection) -> int:
    """Put the shadow's tables and bookkeeping in place of the live ones; bump the
    generation. Runs under the projection's exclusive lock."""
    name = projection.name
    for table in projection.tables:
        await conn.execute(f'DROP TABLE IF EXISTS "{live}".{table} CASCADE')
        await conn.execute(f'ALTER TABLE "{shadow}".{table} SET SCHEMA "{live}"')
    for table in ("projection_positions", "projection_versions"):
        await conn.execute(f'DELETE FROM "{live}".{table} WHERE projection = $1', name)
        await conn.execute(
            f'INSERT INTO "{live}".{table} SELECT * FROM "{shadow}".{table} WHERE projection = $1',
            name,
        )
    # Dead letters: what the new tables could not apply replaces what the old ones could
    # not; what an operator dismissed (never to apply) stays dismissed.
    await conn.execute(
        f'UPDATE "{live}".projection_dead_letters SET resolved_at = now(), resolution = $2'
        " WHERE projection = $1 AND resolved_at IS NULL",
        name,
        "rebuilt",
    )
    columns = ", ".join(deadletters.COLUMNS)
    await conn.execute(
        f'INSERT INTO "{live}".projection_dead_letters AS d ({columns})'
        f' SELECT {columns} FROM "{shadow}".projection_dead_letters WHERE projection = $1'
        ' ON CONFLICT (projection, topic, partition, "offset") DO UPDATE SET'
        " reason = EXCLUDED.reason, error = EXCLUDED.error, dead_at = EXCLUDED.dead_at,"
        " dlq_partition = EXCLUDED.dlq_partition, dlq_offset = EXCLUDED.dlq_offset,"
        " attempts = d.attempts + 1,"
        " resolved_at = CASE WHEN d.resolution = 'dismissed' THEN d.resolved_at END,"
        " resolution = CASE WHEN d.resolution = 'dismissed' THEN d.resolution END",
        name,
    )
    generation: int = await conn.fetchval(
        f'INSERT INTO "{live}".projection_generations AS g VALUES ($1, 1)'
        " ON CONFLICT (projection) DO UPDATE SET generation = g.generation + 1"
        " RETURNING generation",
        name,
    )
    return generation
