"""Projection rebuild: events/s from Kafka offset 0 into the visitor read model.

Baselines in the same run, on the same topic:
- raw: the same consumer settings reading the topic from offset 0 and COPYing one row
  per message (its partition, offset, key and value) into a table, one transaction per
  fetched batch: no parsing, no versions, no logic. The floor of consume + write; the
  ratio is what parsing, the version checks and the fold cost on top of it.
- one event per transaction (batch size 1), the slow shape the batched runner exists to
  beat, on a sample of SINGLE_SAMPLE events (it runs at a few hundred events/s).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer

from runtime.collector import freeze_long_lived_objects
from runtime.projection import ProjectionRunner
from services.visitor.projections import VisitorReadModel
from tests.infra import end_offsets, run_until_caught_up

BATCH = 2000
SINGLE_SAMPLE = 500


class TimedRunner(ProjectionRunner):
    """Notes when the first batch arrives, to tell start-up from steady state."""

    first_batch_at: float | None = None

    async def process(self, batch: Any, producer: Any) -> Any:
        if self.first_batch_at is None:
            self.first_batch_at = time.perf_counter()
        return await super().process(batch, producer)


def runner(infra: Any, topic: str, schema: str, batch_size: int) -> TimedRunner:
    return TimedRunner(
        VisitorReadModel(), topics=[topic], database_url=infra.database_url,
        bootstrap_servers=infra.kafka, schema=schema, batch_size=batch_size,
    )  # fmt: skip


async def rebuild(infra: Any, topic: str, schema: str) -> tuple[float, float]:
    """(seconds from start incl. consumer-group join, seconds from the first batch)."""
    batched = runner(infra, topic, schema, BATCH)
    await batched.connect()
    started = time.perf_counter()
    await run_until_caught_up(batched, topic, timeout=1800)
    finished = time.perf_counter()
    await batched.close()
    assert batched.first_batch_at is not None
    return finished - started, finished - batched.first_batch_at


async def one_per_transaction(infra: Any, topic: str, schema: str) -> float:
    """Events/s of the runner applying one event per transaction, from its first batch
    until SINGLE_SAMPLE events are applied."""
    single = runner(infra, topic, schema, 1)
    await single.connect()
    stop = asyncio.Event()
    task = asyncio.create_task(single.run(stop))
    try:
        while single.applied < SINGLE_SAMPLE and not task.done():  # noqa: ASYNC110
            await asyncio.sleep(0.02)
        finished = time.perf_counter()
    finally:
        stop.set()
        await task
        await single.close()
    assert single.first_batch_at is not None
    return single.applied / (finished - single.first_batch_at)


async def raw_copy(infra: Any, topic: str, schema: str, events: int) -> tuple[float, float]:
    """(seconds from start, seconds from the first batch) to consume `events` messages
    and COPY one row each, one transaction per fetched batch."""
    conn = await asyncpg.connect(infra.database_url)
    await conn.execute(
        f'CREATE SCHEMA IF NOT EXISTS "{schema}"; CREATE TABLE "{schema}".raw_events'
        ' (topic text, partition int, "offset" bigint, key bytea, value bytea)'
    )
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=infra.kafka, group_id=f"{schema}.raw",
        enable_auto_commit=False, auto_offset_reset="earliest", max_poll_records=BATCH,
        fetch_max_bytes=64 * 1024 * 1024, max_partition_fetch_bytes=16 * 1024 * 1024,
    )  # fmt: skip
    started, first, copied = time.perf_counter(), None, 0
    await consumer.start()
    try:
        while copied < events:
            batch = await consumer.getmany(timeout_ms=200, max_records=BATCH)
            rows = [(m.topic, m.partition, m.offset, m.key, m.value)
                    for messages in batch.values() for m in messages]  # fmt: skip
            if not rows:
                continue
            first = first or time.perf_counter()
            async with conn.transaction():
                await conn.copy_records_to_table("raw_events", schema_name=schema, records=rows)
            copied += len(rows)
        finished = time.perf_counter()
    finally:
        await consumer.stop()
        await conn.close()
    assert first is not None
    return finished - started, finished - first


async def measure(infra: Any, topic: str) -> dict[str, Any]:
    events = sum((await end_offsets(infra.kafka, topic)).values())
    freeze_long_lived_objects()  # as the runner does when it starts: the same for the raw loop
    cpu = time.process_time()
    raw, raw_steady = await raw_copy(infra, topic, f"{infra.namespace}rebuild_raw", events)
    raw_cpu, cpu = time.process_time() - cpu, time.process_time()
    batched, batched_steady = await rebuild(infra, topic, f"{infra.namespace}rebuild_b")
    batched_cpu = time.process_time() - cpu
    single = await one_per_transaction(infra, topic, f"{infra.namespace}rebuild_1")
    return {
        "events": events,
        "batched_events_per_s": round(events / batched),
        "batched_events_per_s_after_group_join": round(events / batched_steady),
        "raw_consume_copy_events_per_s": round(events / raw),
        "raw_consume_copy_events_per_s_after_group_join": round(events / raw_steady),
        "batched_vs_raw_ratio": round(raw_steady / batched_steady, 3),
        # CPU time of this process per event: holds better than rates on a loaded machine
        "batched_cpu_us_per_event": round(batched_cpu / events * 1e6, 1),
        "raw_consume_copy_cpu_us_per_event": round(raw_cpu / events * 1e6, 1),
        "batched_vs_raw_cpu_ratio": round(raw_cpu / batched_cpu, 3),
        "one_per_transaction_events_per_s": round(single),
        "batched_vs_single_ratio": round(events / batched_steady / single, 1),
    }
