"""A reaction process killed with SIGKILL mid-stream, twice, while events keep coming:
after its restarts every event is applied exactly once (its faststream subscriber
commits only the offsets it applied, per partition, after the batch's transaction; what
it read again after a kill is skipped by the stored versions)."""

from __future__ import annotations

import asyncio
import signal
import time
from typing import Any
from uuid import uuid4

import asyncpg

from contracts.topics import VISITOR
from runtime.kafka import ensure_topics, idempotent_producer
from runtime.settings import ServiceSettings
from tests.infra import end_offsets, process
from tests.integration.test_projection import arrival, checked_in

EVENTS = 600  # 300 visits, two events each, keyed by visit over 3 partitions
AHEAD = 100


async def stream(infra: Any, topic: str, envelopes: list[Any], applied: Any) -> None:
    """Publish in small bursts, as a busy front desk would, at most AHEAD events ahead of
    what the reaction has applied: the stream goes on until after the kills."""
    producer = idempotent_producer(infra.kafka)
    await producer.start()
    try:
        for start in range(0, len(envelopes), 10):
            await within_reach(start, applied)
            for envelope in envelopes[start : start + 10]:
                await producer.send(topic, envelope.value(), envelope.key(),
                                    headers=envelope.headers())  # fmt: skip
            await producer.flush()
            await asyncio.sleep(0.02)
    finally:
        await producer.stop()


async def within_reach(published: int, applied: Any) -> None:
    """Wait until the reaction has applied all but AHEAD of what was published."""
    for _ in range(6000):
        if published - len(await applied()) <= AHEAD:
            return
        await asyncio.sleep(0.02)
    raise TimeoutError("the reaction stopped applying")


async def applied(conn: Any, schema: str) -> list[str]:
    try:
        rows = await conn.fetch(f'SELECT ce_id FROM "{schema}".reaction_applied')
    except asyncpg.UndefinedTableError:
        return []
    return [r["ce_id"] for r in rows]


async def until(conn: Any, schema: str, count: int, reaction: Any) -> None:
    deadline = time.monotonic() + 120
    while len(await applied(conn, schema)) < count:
        assert reaction.poll() is None, "the reaction process ended by itself"
        assert time.monotonic() < deadline, f"fewer than {count} applied"
        await asyncio.sleep(0.02)


async def test_a_reaction_killed_mid_stream_loses_and_doubles_nothing(infra: Any) -> None:
    topic = f"{infra.namespace}killed_{VISITOR}"
    schema = f"{infra.namespace}killed_reaction"
    await ensure_topics(ServiceSettings(kafka_bootstrap_servers=infra.kafka), [topic])
    site = uuid4()
    visits = [uuid4() for _ in range(EVENTS // 2)]
    envelopes = [arrival(site, v) for v in visits] + [checked_in(site, v) for v in visits]
    expected = sorted(e.id for e in envelopes)
    args = ["-m", "tests.integration.counting_reaction", topic, schema]
    conn = await asyncpg.create_pool(infra.database_url, min_size=1, max_size=2)
    publishing = asyncio.create_task(stream(infra, topic, envelopes, lambda: applied(conn, schema)))
    kills = 0
    try:
        for at_least in (60, 240):  # killed twice while the stream goes on
            with process(args, infra.env(), "killed-reaction") as reaction:
                await until(conn, schema, at_least, reaction)
                reaction.send_signal(signal.SIGKILL)
                reaction.wait()
                kills += 1
        assert not publishing.done(), "killed mid-stream"
        with process(args, infra.env(), "killed-reaction") as reaction:
            await publishing
            await until(conn, schema, EVENTS, reaction)
            # Caught up to the topic's end: nothing more is coming, nothing is pending.
            ends = await end_offsets(infra.kafka, topic)
            assert sum(ends.values()) == EVENTS
            await asyncio.sleep(2)  # a doubled delivery would show by now
            got = sorted(await applied(conn, schema))
    finally:
        publishing.cancel()
        await conn.close()
    assert kills == 2
    assert [ce_id for ce_id in set(got) if got.count(ce_id) > 1] == [], "applied twice"
    assert got == expected, "every event applied, once"
