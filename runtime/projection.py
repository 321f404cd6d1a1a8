"""Projection runner: Kafka -> read model, exactly-once in effect.

A projection is a Kafka consumer group writing a read model with asyncpg. Each batch
of messages is applied in ONE transaction together with the consumer's position
(next offset per partition) and the last applied version of every aggregate, so a
crash, a redelivery or a re-published duplicate (same `ce_id`) never applies twice.
A message that cannot be parsed or applied goes to `<topic>.dlq` with error headers
and the projection moves on; a store that cannot be reached (an outage) is not the
message's fault: the batch rolls back and the part is restarted with backoff.
Positions live in Postgres, so dropping a read model and its positions rebuilds it
from offset 0.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from typing import Any, Protocol

import asyncpg
from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from prometheus_client import Counter, Gauge

from contracts.envelope import Envelope, MalformedMessage
from contracts.topics import dead_letter
from runtime.kafka import idempotent_producer
from runtime.outage import is_outage

log = logging.getLogger(__name__)

DEAD_LETTERS = Counter(
    "concierge_dlq_total", "Messages a projection sent to the dead-letter topic", ["projection"]
)
APPLIED = Counter("concierge_projection_events_total", "Events applied", ["projection"])
LAG = Gauge(
    "concierge_projection_lag",
    "Messages on the topic not yet applied (per partition)",
    ["projection", "topic", "partition"],
)


class Projection(Protocol):
    """A read model: its tables, and how a batch of events (in order) changes them."""

    name: str
    tables: tuple[str, ...]

    async def setup(self, conn: asyncpg.Connection) -> None: ...

    async def apply_batch(self, conn: asyncpg.Connection, envelopes: list[Envelope]) -> None: ...


BOOKKEEPING = """
CREATE TABLE IF NOT EXISTS projection_positions (
    projection text, topic text, partition int, next_offset bigint NOT NULL,
    PRIMARY KEY (projection, topic, partition));
CREATE TABLE IF NOT EXISTS projection_versions (
    projection text, subject uuid, version bigint NOT NULL,
    PRIMARY KEY (projection, subject));
"""


class _Rewind(ConsumerRebalanceListener):
    """On assignment, continue from the position committed with the read model."""

    def __init__(self, runner: ProjectionRunner) -> None:
        self.runner = runner

    async def on_partitions_revoked(self, revoked: Any) -> None:
        return None

    async def on_partitions_assigned(self, assigned: Any) -> None:
        await self.runner._seek_to_stored(assigned)


class ProjectionRunner:
    def __init__(
        self,
        projection: Projection,
        *,
        topics: list[str],
        database_url: str,
        bootstrap_servers: str,
        schema: str,
        group_id: str | None = None,
        batch_size: int = 2000,
    ) -> None:
        self.projection = projection
        self.topics = topics
        self.database_url = database_url
        self.bootstrap_servers = bootstrap_servers
        self.schema = schema
        self.group_id = group_id or f"{schema}.{projection.name}"
        self.batch_size = batch_size
        self.pool: asyncpg.Pool | None = None
        self._connecting = asyncio.Lock()
        self.consumer: AIOKafkaConsumer | None = None
        self.dlq_sent = 0
        self.applied = 0

    async def connect(self) -> asyncpg.Pool:
        async with self._connecting:
            if self.pool is None:
                await self._setup()
        assert self.pool is not None
        return self.pool

    async def _setup(self) -> None:
        await self._create_schema()
        pool = await asyncpg.create_pool(
            self.database_url,
            min_size=1,
            max_size=4,
            server_settings={"search_path": self.schema},
        )
        try:
            async with pool.acquire() as conn, conn.transaction():
                # Replicas starting together would race on CREATE TABLE IF NOT EXISTS.
                await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", self.schema)
                await conn.execute(BOOKKEEPING)
                await self.projection.setup(conn)
        except BaseException:
            await pool.close()  # a retried start-up sets the tables up again
            raise
        self.pool = pool

    async def _create_schema(self) -> None:
        conn = await asyncpg.connect(self.database_url)
        try:
            await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
        finally:
            await conn.close()

    async def reset(self) -> None:
        """Drop the read model and its positions so the next run rebuilds from offset 0."""
        pool = await self.connect()
        async with pool.acquire() as conn, conn.transaction():
            for table in self.projection.tables:
                await conn.execute(f"DROP TABLE IF EXISTS {table} CASCADE")
            name = self.projection.name
            await conn.execute("DELETE FROM projection_positions WHERE projection = $1", name)
            await conn.execute("DELETE FROM projection_versions WHERE projection = $1", name)
            await self.projection.setup(conn)

    async def run(self, stop: asyncio.Event) -> None:
        """Consume and apply until `stop` is set."""
        await self.connect()
        producer = idempotent_producer(self.bootstrap_servers)
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap_servers,
            group_id=self.group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=self.batch_size,
            fetch_max_bytes=64 * 1024 * 1024,
            max_partition_fetch_bytes=16 * 1024 * 1024,
        )
        consumer.subscribe(self.topics, listener=_Rewind(self))
        self.consumer = consumer
        await producer.start()
        await consumer.start()
        try:
            while not stop.is_set():
                batch = await consumer.getmany(timeout_ms=200, max_records=self.batch_size)
                if batch:
                    await self.process(batch, producer)
                    self._record_lag(consumer, batch)
        finally:
            await consumer.stop()
            await producer.stop()

    def _record_lag(
        self, consumer: AIOKafkaConsumer, batch: dict[TopicPartition, list[Any]]
    ) -> None:
        for tp, messages in batch.items():
            end = consumer.highwater(tp)
            if end is not None:
                LAG.labels(self.projection.name, tp.topic, tp.partition).set(
                    max(0, end - messages[-1].offset - 1)
                )

    async def close(self) -> None:
        if self.pool is not None:
            await self.pool.close()
            self.pool = None

    async def _seek_to_stored(self, assigned: Any) -> None:
        pool = await self.connect()
        rows = await pool.fetch(
            "SELECT topic, partition, next_offset FROM projection_positions WHERE projection = $1",
            self.projection.name,
        )
        stored = {(r["topic"], r["partition"]): r["next_offset"] for r in rows}
        assert self.consumer is not None
        for tp in assigned:
            offset = stored.get((tp.topic, tp.partition))
            if offset is None:
                await self.consumer.seek_to_beginning(tp)
            else:
                self.consumer.seek(tp, offset)

    async def process(self, batch: dict[TopicPartition, list[Any]], producer: Any) -> None:
        """Apply one fetched batch: read model, versions and positions in one transaction.

        The fast path hands the whole batch to the projection at once; if that fails
        the transaction is rolled back and the batch is replayed event by event, each
        in a savepoint, so only the bad messages go to the dead-letter topic.
        """
        assert self.pool is not None
        async with self.pool.acquire() as conn:
            try:
                async with conn.transaction():
                    dead = await self._apply(conn, batch, isolate=False)
                    await self._send_dead_letters(producer, dead)
            except _RetryIsolated:
                async with conn.transaction():
                    dead = await self._apply(conn, batch, isolate=True)
                    await self._send_dead_letters(producer, dead)

    async def _apply(
        self, conn: asyncpg.Connection, batch: dict[TopicPartition, list[Any]], *, isolate: bool
    ) -> list[tuple[Any, str]]:
        name = self.projection.name
        parsed: list[tuple[Any, Envelope | None, str]] = []
        for messages in batch.values():
            for msg in messages:
                try:
                    parsed.append((msg, Envelope.parse(msg.headers, msg.value), ""))
                except MalformedMessage as exc:
                    parsed.append((msg, None, str(exc)))
        subjects = list({env.subject for _, env, _ in parsed if env is not None})
        rows = await conn.fetch(
            "SELECT subject, version FROM projection_versions"
            " WHERE projection = $1 AND subject = ANY($2::uuid[])",
            name,
            subjects,
        )
        versions: dict[Any, int] = {r["subject"]: r["version"] for r in rows}
        dead: list[tuple[Any, str]] = []
        fresh: list[tuple[Any, Envelope]] = []
        for msg, envelope, error in parsed:
            if envelope is None:
                dead.append((msg, error))
            elif envelope.aggregate_version > versions.get(envelope.subject, 0):
                fresh.append((msg, envelope))
                versions[envelope.subject] = envelope.aggregate_version
            # else: a duplicate or a redelivery, already in the read model
        applied: list[Envelope] = []
        if not isolate:
            try:
                await self.projection.apply_batch(conn, [envelope for _, envelope in fresh])
            except Exception as exc:
                if is_outage(exc):
                    raise  # roll back; the part restarts and tries the batch again
                raise _RetryIsolated from exc
            applied = [envelope for _, envelope in fresh]
        else:
            for msg, envelope in fresh:
                try:
                    async with conn.transaction():
                        await self.projection.apply_batch(conn, [envelope])
                    applied.append(envelope)
                except Exception as exc:
                    if is_outage(exc):
                        raise  # a store it writes to is down: not the event's fault
                    log.warning("projection %s cannot apply %s: %s", name, envelope.id, exc)
                    dead.append((msg, f"{type(exc).__name__}: {exc}"))
        latest = {e.subject: e.aggregate_version for e in applied}
        if latest:
            await conn.executemany(
                "INSERT INTO projection_versions (projection, subject, version) VALUES ($1, $2, $3)"
                " ON CONFLICT (projection, subject) DO UPDATE SET version = EXCLUDED.version",
                [(name, subject, version) for subject, version in latest.items()],
            )
        positions = defaultdict(int)
        for tp, messages in batch.items():
            positions[(tp.topic, tp.partition)] = messages[-1].offset + 1
        await conn.executemany(
            "INSERT INTO projection_positions (projection, topic, partition, next_offset)"
            " VALUES ($1, $2, $3, $4) ON CONFLICT (projection, topic, partition)"
            " DO UPDATE SET next_offset = EXCLUDED.next_offset",
            [(name, topic, part, offset) for (topic, part), offset in positions.items()],
        )
        self.applied += len(applied)
        APPLIED.labels(name).inc(len(applied))
        return dead

    async def _send_dead_letters(self, producer: Any, dead: list[tuple[Any, str]]) -> None:
        """Park unusable messages before their positions commit, so none is lost."""
        sends = []
        for msg, error in dead:
            headers = [
                *(msg.headers or ()),
                ("dlq_error", error.encode()[:4000]),
                ("dlq_projection", self.projection.name.encode()),
                ("dlq_topic", msg.topic.encode()),
                ("dlq_partition", str(msg.partition).encode()),
                ("dlq_offset", str(msg.offset).encode()),
            ]
            sends.append(
                await producer.send(
                    dead_letter(msg.topic), value=msg.value, key=msg.key, headers=headers
                )
            )
        await asyncio.gather(*sends)
        self.dlq_sent += len(dead)
        DEAD_LETTERS.labels(self.projection.name).inc(len(dead))


class _RetryIsolated(Exception):
    """Internal: a batch failed on the fast path; replay it event by event."""
