"""Two replicas holding the same partition for a moment (a rebalance while a batch was in
flight) never apply its events twice: the position rows fence the second one off."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import uuid4

import asyncpg
from aiokafka import TopicPartition

from contracts.envelope import Envelope
from contracts.topics import VISITOR
from runtime.kafka import ensure_topics
from runtime.projection import ProjectionRunner
from runtime.settings import ServiceSettings
from tests.infra import read_topic
from tests.integration.test_dead_letters import publish
from tests.integration.test_projection import arrival


class SlowCounting:
    """A read model that counts every event it applies (no key of its own: a second
    application shows as a second row), slowly enough for two batches to overlap."""

    name = "slow_counting"
    tables = ("applied",)

    async def setup(self, conn: asyncpg.Connection) -> None:
        await conn.execute("CREATE TABLE IF NOT EXISTS applied (event_id text NOT NULL)")

    async def apply_batch(self, conn: asyncpg.Connection, envelopes: list[Envelope]) -> None:
        await conn.execute("SELECT pg_sleep(0.5)")
        await conn.executemany("INSERT INTO applied VALUES ($1)", [(e.id,) for e in envelopes])


async def test_two_owners_of_one_partition_apply_its_batch_once(infra: Any) -> None:
    topic = f"{infra.namespace}fence_{VISITOR}"
    schema = f"{infra.namespace}fence_read"
    await ensure_topics(ServiceSettings(kafka_bootstrap_servers=infra.kafka), [topic])
    site = uuid4()
    await publish(infra, topic, *(arrival(site, uuid4()) for _ in range(5)))
    messages = await read_topic(infra.kafka, topic)
    assert len(messages) == 5
    batch = {TopicPartition(topic, messages[0].partition): messages}

    def replica() -> ProjectionRunner:
        runner = ProjectionRunner(SlowCounting(), topics=[topic], database_url=infra.database_url,
                                  bootstrap_servers=infra.kafka, schema=schema)  # type: ignore[arg-type]  # fmt: skip
        # Both were assigned the partition at its stored position (none yet: 0).
        runner.positions[(topic, messages[0].partition)] = 0
        return runner

    old_owner, new_owner = replica(), replica()
    await old_owner.connect()
    await new_owner.connect()
    try:
        settled = await asyncio.gather(
            old_owner.process(batch, producer=None), new_owner.process(batch, producer=None)
        )
        pool = await old_owner.connect()
        applied = await pool.fetchval("SELECT count(*) FROM applied")
        assert applied == 5, f"the batch was applied {applied / 5:g} times"
        assert sorted(len(s) for s in settled) == [0, 5], "one owner applied, the other nothing"
    finally:
        await old_owner.close()
        await new_owner.close()
