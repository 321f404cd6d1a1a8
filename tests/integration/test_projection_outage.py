"""A projection or reaction that cannot reach a store it writes to (a reaction's event
store, a read model's database) dead-letters nothing: the batch rolls back, the part
restarts with backoff, and every event is applied once the store answers again."""

from __future__ import annotations

import asyncio
from uuid import uuid4

import asyncpg
from eventsourcing.persistence import OperationalError

from contracts.envelope import Envelope
from contracts.topics import VISITOR, dead_letter
from runtime.kafka import ensure_topics
from runtime.outage import Backoff, kept_running
from runtime.reaction import ReactionSubscriber
from runtime.settings import ServiceSettings
from services.visitor.contract import contract_for
from tests.infra import publish_all, read_topic
from tests.integration.fixtures import complete_visits, visitor_app


class StoreDownAtFirst:
    """A reaction whose event store is unreachable for its first `failures` calls."""

    name = "store_down_at_first"
    tables: tuple[str, ...] = ()

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.applied: list[str] = []

    async def setup(self, conn: asyncpg.Connection) -> None:
        return None

    async def apply_batch(self, conn: asyncpg.Connection, envelopes: list[Envelope]) -> None:
        if self.failures:
            self.failures -= 1
            raise OperationalError("connection failed: server closed the connection")
        self.applied += [envelope.id for envelope in envelopes]


async def test_an_unreachable_store_dead_letters_nothing(infra) -> None:  # type: ignore[no-untyped-def]
    namespace = f"{infra.namespace}storedown_"
    app = visitor_app(infra, namespace)
    visits = complete_visits(app, uuid4(), 5)
    topic = f"{namespace}{VISITOR}"
    await ensure_topics(ServiceSettings(kafka_bootstrap_servers=infra.kafka), [topic])
    await publish_all(app, topic, contract_for, infra)
    reaction = StoreDownAtFirst(failures=3)
    runner = ReactionSubscriber(reaction, topics=[topic], database_url=infra.database_url,
                                bootstrap_servers=infra.kafka, schema=f"{namespace}reaction")  # fmt: skip
    expected = {f"{v.id}:{n}" for v in visits for n in (1, 2, 3, 4)}

    stop = asyncio.Event()
    running = asyncio.create_task(
        kept_running("reaction", runner.run, Backoff(first=0.01, cap=0.1))(stop)
    )
    try:
        async with asyncio.timeout(60):
            while set(reaction.applied) != expected:
                assert not running.done()
                await asyncio.sleep(0.05)
    finally:
        stop.set()
        await running
        await runner.close()

    assert reaction.failures == 0, "the store was down for a while"
    assert runner.dlq_sent == 0, "nothing dead-lettered for an outage"
    assert await read_topic(infra.kafka, dead_letter(topic)) == []
    assert sorted(reaction.applied) == sorted(expected), "each event applied once"
