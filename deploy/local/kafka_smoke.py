"""Round-trip smoke check of the local Kafka broker with aiokafka.

    .venv/bin/python deploy/local/kafka_smoke.py

Exercises what the project relies on: an idempotent producer with acks=all,
a consumer group (group_id) with manual commit, committed-offset read-back,
and a transactional producer. Used to pick/verify KAFKA_VERSION in env.sh
(Kafka 4 removed old protocol versions, so the client must still speak the
remaining ones). Exits non-zero on any failure.
"""

import asyncio
import os
import sys
import time
import uuid

import aiokafka
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

BOOTSTRAP = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:59092")
N = 100


async def main() -> None:
    topic = f"smoke-{uuid.uuid4().hex[:8]}"
    group = f"smoke-group-{uuid.uuid4().hex[:8]}"
    t0 = time.monotonic()

    producer = AIOKafkaProducer(bootstrap_servers=BOOTSTRAP, enable_idempotence=True, acks="all")
    await producer.start()
    try:
        for i in range(N):  # first send auto-creates the topic (3 partitions)
            await producer.send_and_wait(topic, f"msg-{i}".encode(), key=str(i).encode())
    finally:
        await producer.stop()

    # Transactional producer (needs the __transaction_state topic).
    txp = AIOKafkaProducer(
        bootstrap_servers=BOOTSTRAP, transactional_id=f"smoke-tx-{uuid.uuid4().hex[:8]}"
    )
    await txp.start()
    try:
        async with txp.transaction():
            await txp.send_and_wait(topic, b"tx-msg", key=b"tx")
    finally:
        await txp.stop()

    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=BOOTSTRAP,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        isolation_level="read_committed",
    )
    await consumer.start()
    seen = set()
    try:
        deadline = time.monotonic() + 30
        while len(seen) < N + 1 and time.monotonic() < deadline:
            batches = await consumer.getmany(timeout_ms=1000)
            for _tp, msgs in batches.items():
                seen.update(m.value for m in msgs)
        await consumer.commit()
        parts = consumer.assignment()
        committed = {tp.partition: await consumer.committed(tp) for tp in parts}
    finally:
        await consumer.stop()

    expected = {f"msg-{i}".encode() for i in range(N)} | {b"tx-msg"}
    if seen != expected:
        sys.exit(f"FAIL: consumed {len(seen)} distinct messages, expected {len(expected)}")
    if sum(v or 0 for v in committed.values()) < N + 1:
        sys.exit(f"FAIL: committed offsets look wrong: {committed}")

    # A fresh consumer in the same group must resume at the committed offsets.
    c2 = AIOKafkaConsumer(
        topic,
        bootstrap_servers=BOOTSTRAP,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await c2.start()
    try:
        leftover = await c2.getmany(timeout_ms=2000)
        n_left = sum(len(v) for v in leftover.values())
        for tp in c2.assignment():
            assert isinstance(tp, TopicPartition)
    finally:
        await c2.stop()
    if n_left:
        sys.exit(f"FAIL: group re-read {n_left} already-committed messages")

    print(
        f"OK: aiokafka {aiokafka.__version__} <-> {BOOTSTRAP}: "
        f"{N} idempotent(acks=all) + 1 transactional msgs, group commit "
        f"{committed}, {time.monotonic() - t0:.1f}s"
    )


if __name__ == "__main__":
    asyncio.run(main())
