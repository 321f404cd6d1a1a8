"""Outbox relay throughput: events/s from the event store to Kafka.

Baseline in the same run: a raw aiokafka producer (same idempotent settings) sending
the very same key/value/headers, already in memory, one `send` each (its partitioner
places them; the relay names the same partitions itself and hands the producer one
record batch per partition). The ratio is what reading the notification log, mapping to
contracts and recording the position costs.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, NamedTuple
from uuid import uuid4

import asyncpg

from contracts.topics import VISITOR
from runtime.kafka import ensure_topics, idempotent_producer
from runtime.outbox import LINGER_MS, OutboxRelay
from runtime.settings import ServiceSettings
from services.visitor.contract import contract_for
from tests.integration.fixtures import complete_visits, visitor_app

VISITS = 5000  # x 4 events
WARM_UP_VISITS = 500  # x 4 events, relayed and sent raw before the clock starts


class TimedRelay(OutboxRelay):
    """Notes when the first batch is read, to tell start-up (the producer's connection,
    reading the topic past the record) from steady state: the raw baseline's clock
    starts after its producer has started too."""

    first_batch_at: float | None = None

    async def _send_batch(self, *args: Any) -> Any:
        if self.first_batch_at is None:
            self.first_batch_at = time.perf_counter()
        return await super()._send_batch(*args)


async def relay_until_done(relay: TimedRelay, total: int) -> tuple[float, float]:
    """(seconds from start, seconds from the first batch) for the relay to publish
    everything up to notification `total`."""
    stop = asyncio.Event()
    conn = await asyncpg.connect(relay.database_url)
    started = time.perf_counter()
    task = asyncio.create_task(relay.run(stop))
    try:
        while True:
            try:
                done = await conn.fetchval(
                    f'SELECT last_notification_id FROM "{relay.app.schema}".outbox_position'
                )
            except asyncpg.UndefinedTableError:
                done = None
            if done is not None and done >= total:
                finished = time.perf_counter()
                assert relay.first_batch_at is not None
                return finished - started, finished - relay.first_batch_at
            await asyncio.sleep(0.005)
    finally:
        stop.set()
        await task
        await conn.close()


async def raw_producer(bootstrap: str, topic: str, records: list[tuple[Any, Any, Any]]) -> float:
    producer = idempotent_producer(bootstrap, linger_ms=LINGER_MS)  # the relay's settings
    await producer.start()
    try:
        started = time.perf_counter()
        futures = [await producer.send(topic, value=v, key=k, headers=h) for k, v, h in records]
        await asyncio.gather(*futures)
        return time.perf_counter() - started
    finally:
        await producer.stop()


class Run(NamedTuple):
    """One relay run and the raw producer's on the same messages (seconds, CPU seconds)."""

    events: int
    records: int
    relay_seconds: float
    steady_seconds: float
    relay_cpu: float
    raw_seconds: float
    raw_cpu: float


async def relay_and_raw(infra: Any, namespace: str, visits: int) -> Run:
    """Relay `visits` completed visits' events, then send the same messages raw."""
    app = visitor_app(infra, namespace)
    complete_visits(app, uuid4(), visits, per_save=500)
    total = app.recorder.max_notification_id() or 0
    topic, raw_topic = f"{namespace}{VISITOR}", f"{namespace}raw"
    await ensure_topics(ServiceSettings(kafka_bootstrap_servers=infra.kafka), [topic, raw_topic])

    relay = TimedRelay(
        app, topic=topic, contract_for=contract_for, bootstrap_servers=infra.kafka,
        database_url=infra.database_url,
    )  # fmt: skip
    cpu = time.process_time()
    relay_seconds, steady_seconds = await relay_until_done(relay, total)
    relay_cpu = time.process_time() - cpu

    records = [
        (env.key(), env.value(), env.headers())
        for env in (relay._envelope(n) for n in app.recorder.select_notifications(1, total))
        if env is not None
    ]
    cpu = time.process_time()
    raw_seconds = await raw_producer(infra.kafka, raw_topic, records)
    raw_cpu = time.process_time() - cpu
    return Run(total, len(records), relay_seconds, steady_seconds, relay_cpu, raw_seconds,
               raw_cpu)  # fmt: skip


async def measure(infra: Any) -> dict[str, Any]:
    # Both paths once, untimed, first: the broker may have just started and this process
    # makes its first calls; the first profile's relay paid for that, its raw baseline not.
    await relay_and_raw(infra, f"{infra.namespace}bench_relay_warm_", WARM_UP_VISITS)
    namespace = f"{infra.namespace}bench_relay_"
    (
        total,
        records,
        relay_seconds,
        steady_seconds,
        relay_cpu,
        raw_seconds,
        raw_cpu,
    ) = await relay_and_raw(infra, namespace, VISITS)
    topic = f"{namespace}{VISITOR}"
    relay_rate, raw_rate = total / steady_seconds, records / raw_seconds
    return {
        "events": total,
        "relay_events_per_s": round(relay_rate),
        "relay_events_per_s_incl_start": round(total / relay_seconds),
        "raw_producer_events_per_s": round(raw_rate),
        "relay_vs_raw_ratio": round(relay_rate / raw_rate, 3),
        # CPU time of this process per event: holds better than rates on a loaded machine
        "relay_cpu_us_per_event": round(relay_cpu / total * 1e6, 1),
        "raw_producer_cpu_us_per_event": round(raw_cpu / records * 1e6, 1),
        "relay_vs_raw_cpu_ratio": round(raw_cpu / records / (relay_cpu / total), 3),
        "topic": topic,
    }
