"""Kafka clients configured the one way Concierge uses them."""

from __future__ import annotations

import contextlib

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError


def idempotent_producer(bootstrap_servers: str) -> AIOKafkaProducer:
    """acks=all with idempotence: a retried send is written once, in order per partition.

    A send gives up after 10 s (time enough for a partition leader to move): while no
    broker answers, aiokafka's sender retries its metadata request without pause, so the
    sooner a send fails, the sooner its part backs off instead (`runtime.outage`).
    """
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        enable_idempotence=True,
        acks="all",
        linger_ms=5,
        max_batch_size=512 * 1024,
        request_timeout_ms=10000,
    )


async def ensure_topics(bootstrap_servers: str, names: list[str], partitions: int = 3) -> None:
    """Create topics that do not exist yet (replication 1 locally; more in deploy/)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [NewTopic(n, partitions, 1) for n in names if n not in existing]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(missing)
    finally:
        await admin.close()
