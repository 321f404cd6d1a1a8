"""The projection runner: a Kafka consumer group applying batches to a read model,
following rebalances and swaps, and reporting its health.

Projections keep this hand-written loop rather than a faststream subscriber: their
position is committed in PostgreSQL with the read model, in one transaction per batch
(and swapped with the tables by an online rebuild), so Kafka's committed offsets play no
part and a framework's acknowledgement would only add a second, weaker position. The
reactions, whose position is the consumer group's committed offsets, run on faststream
(`runtime.reaction`), through the same batch path (`process`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from aiokafka.errors import KafkaError
from prometheus_client import Counter as Metric
from prometheus_client import Gauge

from runtime import deadletters
from runtime.collector import freeze_long_lived_objects
from runtime.deadletters import CONTENTION, DeadLetter
from runtime.health import OK, UNREACHABLE, ProjectionHealth
from runtime.kafka import idempotent_producer
from runtime.outage import is_outage
from runtime.projection import bookkeeping
from runtime.projection.bookkeeping import BOOKKEEPING, EXCLUSIVE_LOCK, lock_name
from runtime.projection.delivery import (
    Delivery,
    Projection,
    RetryIsolated,
    apply,
    latest_versions,
    park,
)

log = logging.getLogger(__name__)

APPLIED = Metric("concierge_projection_events_total", "Events applied", ["projection"])
LAG = Gauge(
    "concierge_projection_lag",
    "Messages on the topic not yet applied (per partition)",
    ["projection", "topic", "partition"],
)
HEALTH_SECONDS = 2.0  # how often a runner refreshes its health (lag, dead letters, swaps)
# How long the broker may hold an empty fetch. aiokafka sends no fetch to a broker while
# one is in flight there, and leaves out of it a partition whose records wait unconsumed
# (past `prefetch_backoff`, 100 ms: a slow batch); that partition's next event then waits
# for the held fetch to end: up to 500 ms by default, a spike in "check-in -> visible".
FETCH_MAX_WAIT_MS = 100
CONTENTION_ATTEMPTS = 5  # a batch that deadlocks with another replica's is retried


class _Rewind(ConsumerRebalanceListener):
    """On assignment, continue from the position committed with the read model."""

    def __init__(self, runner: ProjectionRunner) -> None:
        self.runner = runner

    async def on_partitions_revoked(self, revoked: Any) -> None:
        # The rebalance runs beside the batch being applied: let it commit first, so the
        # next owner starts from its committed positions.
        async with self.runner.applying:
            for tp in revoked:
                self.runner.positions.pop((tp.topic, tp.partition), None)
                with contextlib.suppress(KeyError):  # another replica reports its lag now
                    LAG.remove(self.runner.projection.name, tp.topic, str(tp.partition))

    async def on_partitions_assigned(self, assigned: Any) -> None:
        try:
            await self.runner._seek_to_stored(assigned)
        except Exception:  # aiokafka would only log it and consume from unknown offsets
            log.exception("projection %s could not read its positions; retrying",
                          self.runner.projection.name)  # fmt: skip
            self.runner._stale = True


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
        self.lock = lock_name(schema, projection.name)
        self.pool: asyncpg.Pool | None = None
        self._connecting = asyncio.Lock()
        self.consumer: AIOKafkaConsumer | None = None
        self.health = ProjectionHealth(projection.name)
        # The generation of the tables this runner's positions came from, and the next
        # offset committed per (topic, partition) it owns.
        self.generation = 0
        self.positions: dict[tuple[str, int], int] = {}
        self._stale = False
        self.applying = asyncio.Lock()  # a batch being applied, or positions being sought
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
        self.pool = await asyncpg.create_pool(
            self.database_url,
            min_size=1,
            max_size=4,
            server_settings={"search_path": self.schema},
        )
        async with self.pool.acquire() as conn, conn.transaction():
            # Replicas starting together would race on CREATE TABLE IF NOT EXISTS.
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", self.schema)
            await conn.execute(BOOKKEEPING)
            await self.projection.setup(conn)

    async def _create_schema(self) -> None:
        """Create the read schema when it is missing (see `runtime.eventstore.ensure_schema`:
        a deployment's role owns its schemas but may not create any)."""
        conn = await asyncpg.connect(self.database_url)
        try:  # IF NOT EXISTS still races (unique violation) between replicas starting
            async with conn.transaction():
                await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", self.schema)
                if not await conn.fetchval(
                    "SELECT 1 FROM pg_namespace WHERE nspname = $1", self.schema
                ):
                    await conn.execute(f'CREATE SCHEMA "{self.schema}"')
        finally:
            await conn.close()

    async def run(self, stop: asyncio.Event) -> None:
        """Consume and apply until `stop` is set."""
        await self.connect()
        freeze_long_lived_objects()
        producer = idempotent_producer(self.bootstrap_servers)
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap_servers,
            group_id=self.group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=self.batch_size,
            fetch_max_bytes=64 * 1024 * 1024,
            max_partition_fetch_bytes=16 * 1024 * 1024,
            fetch_max_wait_ms=FETCH_MAX_WAIT_MS,
        )
        consumer.subscribe(self.topics, listener=_Rewind(self))
        self.consumer = consumer
        await producer.start()
        await consumer.start()
        watch = asyncio.create_task(self._watch(stop))
        self.health.running = True
        try:
            while not stop.is_set():
                if self._stale:
                    await self._resync()
                batch = await consumer.getmany(timeout_ms=200, max_records=self.batch_size)
                if batch:
                    await self.process(batch, producer)
        finally:
            self.health.running = False
            watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watch
            self.consumer = None
            await consumer.stop()
            await producer.stop()

    async def close(self) -> None:
        if self.pool is not None:
            await self.pool.close()
            self.pool = None

    async def _seek_to_stored(self, assigned: Any) -> None:
        """Continue each assigned partition from the position committed with the read
        model, after the batch in flight (if any) has committed."""
        pool = await self.connect()
        name = self.projection.name
        async with self.applying:
            async with pool.acquire() as conn, conn.transaction():
                generation = await bookkeeping.hold(conn, self.lock, name)
                stored = await bookkeeping.stored_positions(conn, name)
            self.generation, self._stale = generation, False
            assert self.consumer is not None
            for tp in assigned:
                offset = stored.get((tp.topic, tp.partition))
                if offset is None:
                    await self.consumer.seek_to_beginning(tp)
                else:
                    self.consumer.seek(tp, offset)
                self.positions[(tp.topic, tp.partition)] = offset or 0

    async def _resync(self) -> None:
        """Continue from the stored positions (the tables were swapped by a rebuild, or
        they could not be read at assignment), and re-open pooled connections so no
        cached statement reads tables swapped out."""
        assert self.pool is not None
        await self._seek_to_stored(self._assignment())
        await self.pool.expire_connections()
        log.info("projection %s: continuing from the stored positions of generation %s",
                 self.projection.name, self.generation)  # fmt: skip

    def _assignment(self) -> set[TopicPartition]:
        return set(self.consumer.assignment()) if self.consumer is not None else set()

    async def process(self, batch: dict[TopicPartition, list[Any]], producer: Any) -> list[Any]:
        """Apply one fetched batch: read model, versions, positions and dead letters in
        one transaction (retried if it deadlocks with another replica's). Answers the
        messages it settled (applied, found duplicates or dead-lettered)."""
        async with self.applying:
            messages = self._still_ours(batch)
            if not messages:
                return []
            for attempt in range(1, CONTENTION_ATTEMPTS + 1):
                try:
                    letters = await self._process_once(messages, producer)
                    break
                except CONTENTION as exc:
                    if attempt == CONTENTION_ATTEMPTS:
                        raise
                    log.warning("projection %s: %s; retrying", self.projection.name, exc)
                    await asyncio.sleep(0.05 * attempt)
            if letters is None:  # the tables were swapped under us: nothing was written
                self._stale = True
                return []
            for message in messages:
                self.positions[(message.topic, message.partition)] = message.offset + 1
        for refused in letters:
            refused.report()
        return messages

    def _still_ours(self, batch: dict[TopicPartition, list[Any]]) -> list[Any]:
        """The batch's messages this runner still owns and has not committed: a rebalance
        (or a swap) may have revoked a partition or sought back while it was fetched."""
        ours = []
        for tp, messages in batch.items():
            committed = self.positions.get((tp.topic, tp.partition))
            if committed is None:  # revoked, or assigned without its position read
                self._stale = self._stale or tp in self._assignment()
                continue
            ours += [message for message in messages if message.offset >= committed]
        return ours

    async def _process_once(self, messages: list[Any], producer: Any) -> list[DeadLetter] | None:
        assert self.pool is not None
        async with self.pool.acquire() as conn:
            try:
                return await self._commit(conn, messages, producer, isolate=False)
            except RetryIsolated:
                pass  # retried outside the handler: clean tracebacks
            return await self._commit(conn, messages, producer, isolate=True)

    async def _commit(
        self, conn: asyncpg.Connection, messages: list[Any], producer: Any, *, isolate: bool
    ) -> list[DeadLetter] | None:
        name = self.projection.name
        async with conn.transaction():
            if await bookkeeping.hold(conn, self.lock, name) != self.generation:
                return None
            if not await self._claim_positions(conn, messages):
                log.warning("projection %s: another replica moved a partition of this batch;"
                            " continuing from the stored positions", name)  # fmt: skip
                return None
            deliveries = await apply(conn, self.projection, messages, isolate=isolate)
            letters = await park(producer, name, deliveries)
            self.dlq_sent += len(letters)
            await deadletters.record(conn, letters)
            await self._store(conn, deliveries, messages)
        return letters

    async def committed_positions(self) -> bookkeeping.Positions:
        """The next offset per (topic, partition) as committed (with the read model)."""
        pool = await self.connect()
        return await bookkeeping.stored_positions(pool, self.projection.name)

    async def _claim_positions(self, conn: asyncpg.Connection, messages: list[Any]) -> bool:
        """Whether the stored positions of the batch's partitions are still this runner's
        (locked until the batch commits; see `bookkeeping.claim_positions`)."""
        expected = {(m.topic, m.partition): self.positions[(m.topic, m.partition)]
                    for m in messages}  # fmt: skip
        return await bookkeeping.claim_positions(conn, self.projection.name, expected)

    def _positions_after(self, messages: list[Any]) -> bookkeeping.Positions:
        """The read model's position after `messages`, stored in its transaction."""
        return bookkeeping.positions_after(messages)

    async def _store(
        self, conn: asyncpg.Connection, deliveries: list[Delivery], messages: list[Any]
    ) -> None:
        """The versions of the aggregates applied and the positions after `messages`."""
        name = self.projection.name
        await bookkeeping.store(conn, name, latest_versions(deliveries),
                                self._positions_after(messages))  # fmt: skip
        count = sum(d.applied for d in deliveries)
        self.applied += count
        APPLIED.labels(name).inc(count)

    async def replay_dead_letters(self) -> dict[str, int]:
        """Apply this projection's unresolved dead letters again, after a fix.

        The original messages are re-read from their source offsets (or their copies on
        the DLQ topic) and go through the normal path in their published order: the
        version check makes it idempotent, a letter applied or found a duplicate is
        resolved, one that fails again stays with its new error. Holds the projection's
        lock exclusively, so live batches and swaps wait."""
        pool = await self.connect()
        outcome: Counter[str] = Counter()
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute(EXCLUSIVE_LOCK, self.lock)
            letters = await deadletters.listing(conn, self.projection.name)
            originals = await deadletters.fetch_originals(self.bootstrap_servers, letters)
            found = [d for d in letters if d["id"] in originals]
            outcome["missing"] = len(letters) - len(found)
            deliveries = await apply(conn, self.projection, [originals[d["id"]] for d in found],
                                     isolate=True, blocked=set())  # fmt: skip
            await self._store(conn, deliveries, [])  # where they came from is not moved
            for recorded, d in zip(found, deliveries, strict=True):
                if d.letter is not None:
                    d.letter.report()
                    await deadletters.failed_again(conn, recorded["id"], d.letter.reason,
                                                   d.letter.error)  # fmt: skip
                    outcome["still_dead"] += 1
                else:
                    resolution = "replayed" if d.applied else "duplicate"
                    await deadletters.resolve(conn, [recorded["id"]], resolution)
                    outcome[resolution] += 1
        return dict(outcome)

    async def _watch(self, stop: asyncio.Event) -> None:
        """Refresh this runner's health every few seconds until stopped."""
        while not stop.is_set():
            await self.check_health()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), HEALTH_SECONDS)

    async def check_health(self) -> None:
        """Lag from Kafka's end offsets (the consumer's distance from the topic end) while
        consuming; unresolved dead letters and the generation from Postgres (an idle
        runner notices a swap here, not only at its next batch)."""
        if self.consumer is not None:
            await self._check_kafka(self.consumer)
        await self._check_database()
        self.health.checked_at = datetime.now(UTC)

    async def _check_kafka(self, consumer: AIOKafkaConsumer) -> None:
        name = self.projection.name
        try:
            assigned = list(consumer.assignment())
            if assigned:
                ends = await asyncio.wait_for(consumer.end_offsets(assigned), HEALTH_SECONDS)
            else:
                ends = {}
                await asyncio.wait_for(consumer.topics(), HEALTH_SECONDS)
        except (KafkaError, TimeoutError, OSError) as exc:
            self.health.kafka = UNREACHABLE
            log.warning("projection %s cannot reach Kafka: %s", name, exc)
            return
        lag = {tp: max(0, end - self.positions.get((tp.topic, tp.partition), 0))
               for tp, end in ends.items()}  # fmt: skip
        for tp, behind in lag.items():
            LAG.labels(name, tp.topic, tp.partition).set(behind)
        self.health.lag = {f"{tp.topic}/{tp.partition}": behind for tp, behind in lag.items()}
        self.health.kafka = OK

    async def _check_database(self) -> None:
        name = self.projection.name
        try:
            pool = await self.connect()
            async with pool.acquire(timeout=HEALTH_SECONDS) as conn:
                self.health.dead_letters = await deadletters.unresolved_by_reason(conn, name)
                generation = await bookkeeping.generation(conn, name)
        except Exception as exc:
            if not (is_outage(exc) or isinstance(exc, asyncpg.PostgresError)):
                raise
            self.health.database = UNREACHABLE
            log.warning("projection %s cannot reach PostgreSQL: %s", name, exc)
            return
        self.health.database = OK
        if generation != self.generation:
            self._stale = True
