"""Reading the topics into the store: from the stored position (offset 0 the first time)
to the end of every partition as it was when the sync started.

No consumer group: the kit assigns itself every partition and keeps its positions in
its own file, committed with the rows they produced. A stored position the topic no
longer holds (deleted by retention) stops the sync with an error instead of skipping
money: the billing topics keep their whole history.
"""

from __future__ import annotations

import asyncio
import logging
import time

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from bi.store import Message, Store, Tally

log = logging.getLogger("bi")


class Stalled(RuntimeError):
    """Kafka delivered nothing for too long while the end of a partition was still ahead."""


async def sync(
    store: Store,
    *,
    bootstrap_servers: str,
    topics: list[str],
    stop: asyncio.Event | None = None,
    batch_size: int = 5000,
    stall_seconds: float = 60.0,
) -> Tally:
    """Catch up with `topics`: apply every message up to their current end, then return
    (or earlier, between two batches, once `stop` is set)."""
    tally = Tally()
    partitions = await _partitions(bootstrap_servers, topics)
    if not partitions:
        log.warning("no partitions yet for %s", ", ".join(topics))
        return tally
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        enable_auto_commit=False,
        auto_offset_reset="none",
        isolation_level="read_committed",
        max_partition_fetch_bytes=16 * 1024 * 1024,
    )
    await consumer.start()
    try:
        consumer.assign(partitions)
        stored = store.positions()
        for tp in partitions:
            if (tp.topic, tp.partition) in stored:
                consumer.seek(tp, stored[(tp.topic, tp.partition)])
            else:
                await consumer.seek_to_beginning(tp)
        ends = await consumer.end_offsets(partitions)
        progress_at = time.monotonic()
        stop = stop or asyncio.Event()
        while not stop.is_set() and (
            behind := [tp for tp in partitions if await consumer.position(tp) < ends[tp]]
        ):
            fetched = await consumer.getmany(*behind, timeout_ms=500, max_records=batch_size)
            messages = [
                Message(m.topic, m.partition, m.offset, tuple(m.headers or ()), m.value)
                for records in fetched.values()
                for m in records
            ]
            if messages:
                tally.add(await asyncio.to_thread(store.apply, messages))
                progress_at = time.monotonic()
            elif time.monotonic() - progress_at > stall_seconds:
                raise Stalled(f"nothing from Kafka for {stall_seconds:.0f} s; behind on {behind}")
        return tally
    finally:
        await consumer.stop()


async def _partitions(bootstrap_servers: str, topics: list[str]) -> list[TopicPartition]:
    """Every partition of the topics that exist."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        described = await admin.describe_topics(topics)
    finally:
        await admin.close()
    return [
        TopicPartition(topic["topic"], partition["partition"])
        for topic in described
        if topic["error_code"] == 0
        for partition in sorted(topic["partitions"], key=lambda p: p["partition"])
    ]
