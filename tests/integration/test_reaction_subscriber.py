"""A reaction that ran on the hand-written runner (its position in PostgreSQL) continues,
on its faststream subscriber, from that position rather than from the beginning, and
from then on keeps its position as the consumer group's committed offsets."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import uuid4

from contracts.topics import VISITOR
from runtime.kafka import ensure_topics
from runtime.projection import ProjectionRunner
from runtime.reaction import ReactionSubscriber
from runtime.settings import ServiceSettings
from tests.infra import end_offsets, run_until_caught_up
from tests.integration.test_dead_letters import RecordingReaction, publish
from tests.integration.test_projection import arrival


async def until(condition: Any) -> None:
    for _ in range(1200):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise TimeoutError("not within a minute")


async def test_a_reaction_moved_to_faststream_continues_from_its_stored_position(
    infra: Any,
) -> None:
    topic = f"{infra.namespace}moved_{VISITOR}"
    schema = f"{infra.namespace}moved_reaction"
    await ensure_topics(ServiceSettings(kafka_bootstrap_servers=infra.kafka), [topic])
    site, first, later = uuid4(), uuid4(), uuid4()
    await publish(infra, topic, arrival(site, first), arrival(site, uuid4()))
    where = {"topics": [topic], "database_url": infra.database_url,
             "bootstrap_servers": infra.kafka, "schema": schema}  # fmt: skip
    before = ProjectionRunner(RecordingReaction(set()), **where)  # type: ignore[arg-type]
    await run_until_caught_up(before, topic)
    stored = await before.committed_positions()
    await before.close()
    assert sum(stored.values()) == 2

    reaction = RecordingReaction(set())
    # A deployment names its brokers as a list: "kafka-1:9092,kafka-2:9092,kafka-3:9092"
    # (faststream once took that whole string for one host name, in compose).
    brokers = {**where, "bootstrap_servers": f"{infra.kafka},{infra.kafka}"}
    after = ReactionSubscriber(reaction, **brokers)  # type: ignore[arg-type]
    assert await after.committed_positions() == {}, "no offsets in Kafka yet"
    stop = asyncio.Event()
    running = asyncio.create_task(after.run(stop))
    try:
        # Every stored partition sought (positions fill in one partition at a time).
        await until(lambda: all(key in after.positions for key in stored))
        assert {k: v for k, v in after.positions.items() if v} == stored
        await publish(infra, topic, arrival(site, later))
        await until(lambda: bool(reaction.acted_on))
    finally:
        stop.set()
        await running
    assert reaction.acted_on == {f"{later}:1"}, "only what came after the move"
    ends = await end_offsets(infra.kafka, topic)
    committed = await after.committed_positions()
    assert {p: committed[(topic, p)] for p in ends if (topic, p) in committed} == {
        p: end for p, end in ends.items() if (topic, p) in committed
    }
    assert (topic, next(p for p, end in ends.items() if end == 3)) in committed
    await after.close()


class SlowReaction(RecordingReaction):
    """Notes an event, then takes a while to finish its batch."""

    name = "slow_reaction"

    async def apply_batch(self, conn: Any, envelopes: list[Any]) -> None:
        await super().apply_batch(conn, envelopes)
        await asyncio.sleep(1.0)


async def test_a_stop_lets_the_batch_in_flight_finish_and_commit(infra: Any) -> None:
    """Stopped while a batch is being applied, the subscriber finishes that batch and
    commits its offsets before it stops: the next start does not fetch it again."""
    topic = f"{infra.namespace}stopping_{VISITOR}"
    await ensure_topics(ServiceSettings(kafka_bootstrap_servers=infra.kafka), [topic])
    site, visit = uuid4(), uuid4()
    reaction = SlowReaction(set())
    subscriber = ReactionSubscriber(
        reaction,  # type: ignore[arg-type]
        topics=[topic], database_url=infra.database_url, bootstrap_servers=infra.kafka,
        schema=f"{infra.namespace}stopping_reaction",
    )  # fmt: skip
    stop = asyncio.Event()
    running = asyncio.create_task(subscriber.run(stop))
    try:
        await publish(infra, topic, arrival(site, visit))
        await until(lambda: bool(reaction.acted_on))  # the batch is still being applied
    finally:
        stop.set()
        await running
    ends = {p: end for p, end in (await end_offsets(infra.kafka, topic)).items() if end}
    committed = await subscriber.committed_positions()
    assert {p: committed.get((topic, p)) for p in ends} == ends
    await subscriber.close()
