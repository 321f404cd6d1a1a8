"""Projection runner: Kafka -> read model, exactly-once in effect.

A projection is a Kafka consumer group writing a read model with asyncpg. Each batch
of messages is applied in ONE transaction together with the consumer's position
(next offset per partition) and the last applied version of every aggregate, so a
crash, a redelivery or a re-published duplicate (same `ce_id`) never applies twice.
A message that cannot be parsed or applied is a dead letter (`runtime.deadletters`):
parked on `<topic>.dlq`, recorded, counted and logged, and the projection moves on.

Positions live in Postgres beside the read model, under a generation number: an online
rebuild (`runtime.rebuild`) swaps in new tables and positions and bumps the generation
while holding the projection's advisory lock exclusively; every batch takes that lock
shared and checks the generation first, so a runner (in any replica) that finds it
changed drops its batch and continues from the new tables' stored positions.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import asyncpg
from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from aiokafka.errors import KafkaError
from prometheus_client import Counter as Metric
from prometheus_client import Gauge

from contracts.envelope import Envelope, MalformedMessage
from contracts.topics import dead_letter
from runtime import deadletters
from runtime.deadletters import CONTENTION, NOT_THE_MESSAGE, OUTAGES, DeadLetter
from runtime.health import OK, UNREACHABLE, ProjectionHealth
from runtime.kafka import idempotent_producer

log = logging.getLogger(__name__)

APPLIED = Metric("concierge_projection_events_total", "Events applied", ["projection"])
LAG = Gauge(
    "concierge_projection_lag",
    "Messages on the topic not yet applied (per partition)",
    ["projection", "topic", "partition"],
)
HEALTH_SECONDS = 2.0  # how often a runner refreshes its health (lag, dead letters, swaps)
CONTENTION_ATTEMPTS = 5  # a batch that deadlocks with another replica's is retried


class Projection(Protocol):
    """A read model: its tables, and how a batch of events (in order) changes them."""

    name: str
    tables: tuple[str, ...]

    async def setup(self, conn: asyncpg.Connection) -> None: ...

    async def apply_batch(self, conn: asyncpg.Connection, envelopes: list[Envelope]) -> None: ...


BOOKKEEPING = f"""
CREATE TABLE IF NOT EXISTS projection_positions (
    projection text, topic text, partition int, next_offset bigint NOT NULL,
    PRIMARY KEY (projection, topic, partition));
CREATE TABLE IF NOT EXISTS projection_versions (
    projection text, subject uuid, version bigint NOT NULL,
    PRIMARY KEY (projection, subject));
CREATE TABLE IF NOT EXISTS projection_generations (
    projection text PRIMARY KEY, generation bigint NOT NULL);
{deadletters.SCHEMA_SQL}
"""
# Batches take the projection's lock shared; a rebuild's swap and a replay exclusively.
SHARED_LOCK = "SELECT pg_advisory_xact_lock_shared(hashtextextended($1, 0))"
EXCLUSIVE_LOCK = "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))"
GENERATION = (
    "SELECT coalesce((SELECT generation FROM projection_generations WHERE projection = $1), 0)"
)


def lock_name(schema: str, projection: str) -> str:
    """The advisory lock of one projection's tables (locks are database-wide)."""
    return f"{schema}.{projection}"


@dataclass
class Delivery:
    """A consumed message and what became of it: applied, a duplicate, or refused."""

    message: Any
    envelope: Envelope | None
    letter: DeadLetter | None = None
    applied: bool = False


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
        conn = await asyncpg.connect(self.database_url)
        try:
            await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
        finally:
            await conn.close()

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

    async def _hold(self, conn: asyncpg.Connection) -> int:
        """Take the projection's lock shared (a swap waits for this batch) and read the
        generation after it: a statement started before a swap committed would not see it."""
        await conn.execute(SHARED_LOCK, self.lock)
        generation: int = await conn.fetchval(GENERATION, self.projection.name)
        return generation

    async def _seek_to_stored(self, assigned: Any) -> None:
        """Continue each assigned partition from the position committed with the read
        model, after the batch in flight (if any) has committed."""
        pool = await self.connect()
        async with self.applying:
            async with pool.acquire() as conn, conn.transaction():
                generation = await self._hold(conn)
                rows = await conn.fetch(
                    "SELECT topic, partition, next_offset FROM projection_positions"
                    " WHERE projection = $1",
                    self.projection.name,
                )
            stored = {(r["topic"], r["partition"]): r["next_offset"] for r in rows}
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

    async def process(self, batch: dict[TopicPartition, list[Any]], producer: Any) -> None:
        """Apply one fetched batch: read model, versions, positions and dead letters in
        one transaction.

        The fast path hands the whole batch to the projection at once; if that fails
        the transaction is rolled back and the batch is replayed event by event, each
        in a savepoint, so only the bad messages become dead letters.
        """
        async with self.applying:
            messages = self._still_ours(batch)
            if not messages:
                return
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
                return
            for message in messages:
                self.positions[(message.topic, message.partition)] = message.offset + 1
        for letter in letters:
            letter.report()

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

    def _assignment(self) -> set[TopicPartition]:
        return set(self.consumer.assignment()) if self.consumer is not None else set()

    async def _process_once(self, messages: list[Any], producer: Any) -> list[DeadLetter] | None:
        assert self.pool is not None
        async with self.pool.acquire() as conn:
            try:
                return await self._commit(conn, messages, producer, isolate=False)
            except _RetryIsolated:
                pass  # retried outside the handler: clean tracebacks
            return await self._commit(conn, messages, producer, isolate=True)

    async def _commit(
        self, conn: asyncpg.Connection, messages: list[Any], producer: Any, *, isolate: bool
    ) -> list[DeadLetter] | None:
        async with conn.transaction():
            if await self._hold(conn) != self.generation:
                return None
            deliveries = await self._apply(conn, messages, isolate=isolate)
            letters = await self._park(producer, deliveries)
            await deadletters.record(conn, letters)
            await self._store_versions(conn, deliveries)
            positions = {(m.topic, m.partition): m.offset + 1 for m in messages}
            await conn.executemany(
                "INSERT INTO projection_positions (projection, topic, partition, next_offset)"
                " VALUES ($1, $2, $3, $4) ON CONFLICT (projection, topic, partition)"
                " DO UPDATE SET next_offset = EXCLUDED.next_offset",
                [(self.projection.name, t, p, offset) for (t, p), offset in positions.items()],
            )
        return letters

    async def _apply(
        self,
        conn: asyncpg.Connection,
        messages: list[Any],
        *,
        isolate: bool,
        blocked: set[Any] | None = None,
    ) -> list[Delivery]:
        """Apply the messages not yet in the read model, in order; refuse the rest.

        `blocked`: aggregates whose events wait behind a dead letter (default: those
        with an unresolved one in Postgres)."""
        name = self.projection.name
        deliveries = [self._receive(message) for message in messages]
        subjects = list({d.envelope.subject for d in deliveries if d.envelope is not None})
        rows = await conn.fetch(
            "SELECT subject, version FROM projection_versions"
            " WHERE projection = $1 AND subject = ANY($2::uuid[])",
            name,
            subjects,
        )
        versions: dict[Any, int] = {r["subject"]: r["version"] for r in rows}
        if blocked is None:
            blocked = await deadletters.blocked_subjects(conn, name, subjects)
        fresh: list[Delivery] = []
        for d in deliveries:
            envelope = d.envelope
            if envelope is None:
                continue
            if d.letter is not None:
                blocked.add(envelope.subject)
            elif envelope.aggregate_version <= versions.get(envelope.subject, 0):
                pass  # a duplicate or a redelivery, already in the read model
            elif envelope.subject in blocked:
                d.letter = self._blocked(d)
            else:
                versions[envelope.subject] = envelope.aggregate_version
                fresh.append(d)
        if not isolate:
            try:
                await self.projection.apply_batch(conn, [d.envelope for d in fresh])  # type: ignore[misc]
            except NOT_THE_MESSAGE:
                raise
            except Exception as exc:
                raise _RetryIsolated from exc
            for d in fresh:
                d.applied = True
            return deliveries
        for d in fresh:
            assert d.envelope is not None
            if d.envelope.subject in blocked:
                d.letter = self._blocked(d)
                continue
            try:
                async with conn.transaction():
                    await self.projection.apply_batch(conn, [d.envelope])
                d.applied = True
            except NOT_THE_MESSAGE:
                raise
            except Exception as exc:
                d.letter = self._letter(d, deadletters.reason_for(exc), exc)
                blocked.add(d.envelope.subject)
        return deliveries

    def _receive(self, message: Any) -> Delivery:
        """Parse a message; refuse it if it is no CloudEvent of ours, or if its `site`
        header names another site than its payload (every projection and reaction)."""
        try:
            envelope = Envelope.parse(message.headers, message.value)
        except MalformedMessage as exc:
            delivery = Delivery(message, None)
            delivery.letter = self._letter(delivery, deadletters.MALFORMED, exc)
            return delivery
        delivery = Delivery(message, envelope)
        if envelope.site != envelope.data.site_id:
            delivery.letter = self._letter(
                delivery, deadletters.SITE_MISMATCH,
                f"envelope site {envelope.site} but payload site_id {envelope.data.site_id}",
            )  # fmt: skip
        return delivery

    def _blocked(self, d: Delivery) -> DeadLetter:
        assert d.envelope is not None
        why = f"an earlier event of {d.envelope.subject} is dead-lettered and unresolved"
        return self._letter(d, deadletters.BLOCKED, why)

    def _letter(self, d: Delivery, reason: str, error: BaseException | str) -> DeadLetter:
        message, envelope = d.message, d.envelope
        headers = dict(message.headers or ())
        raw = {k: headers[k].decode(errors="replace") for k in ("ce_id", "ce_type") if k in headers}
        return DeadLetter(
            projection=self.projection.name, topic=message.topic, partition=message.partition,
            offset=message.offset, reason=reason,
            error=deadletters.describe(error) if isinstance(error, BaseException) else error,
            ce_id=envelope.id if envelope else raw.get("ce_id"),
            ce_type=envelope.type if envelope else raw.get("ce_type"),
            subject=envelope.subject if envelope else None,
            site=envelope.site if envelope else None,
            exception=error if isinstance(error, BaseException) else None,
        )  # fmt: skip

    async def _park(self, producer: Any, deliveries: list[Delivery]) -> list[DeadLetter]:
        """Copy refused messages to `<topic>.dlq` before their positions commit, so none
        is lost, and note where each copy went."""
        refused = [d for d in deliveries if d.letter is not None]
        sends = []
        for d in refused:
            msg, letter = d.message, d.letter
            assert letter is not None
            headers = [
                *(msg.headers or ()),
                ("dlq_error", letter.error.encode()[:4000]),
                ("dlq_reason", letter.reason.encode()),
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
        letters = []
        for d, sent in zip(refused, await asyncio.gather(*sends), strict=True):
            assert d.letter is not None
            d.letter.dlq_partition, d.letter.dlq_offset = sent.partition, sent.offset
            letters.append(d.letter)
        self.dlq_sent += len(letters)
        return letters

    async def _store_versions(self, conn: asyncpg.Connection, deliveries: list[Delivery]) -> None:
        latest = {d.envelope.subject: d.envelope.aggregate_version
                  for d in deliveries if d.applied and d.envelope is not None}  # fmt: skip
        if latest:
            await conn.executemany(
                "INSERT INTO projection_versions (projection, subject, version) VALUES ($1, $2, $3)"
                " ON CONFLICT (projection, subject) DO UPDATE SET version = EXCLUDED.version",
                [(self.projection.name, subject, version) for subject, version in latest.items()],
            )
        count = sum(d.applied for d in deliveries)
        self.applied += count
        APPLIED.labels(self.projection.name).inc(count)

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
            found = [letter for letter in letters if letter["id"] in originals]
            outcome["missing"] = len(letters) - len(found)
            deliveries = await self._apply(
                conn, [originals[letter["id"]] for letter in found], isolate=True, blocked=set()
            )
            await self._store_versions(conn, deliveries)
            for letter, d in zip(found, deliveries, strict=True):
                if d.letter is not None:
                    d.letter.report()
                    await deadletters.failed_again(conn, letter["id"], d.letter.reason,
                                                   d.letter.error)  # fmt: skip
                    outcome["still_dead"] += 1
                else:
                    resolution = "replayed" if d.applied else "duplicate"
                    await deadletters.resolve(conn, [letter["id"]], resolution)
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
                generation = await conn.fetchval(GENERATION, name)
        except (*OUTAGES, asyncpg.PostgresError) as exc:
            self.health.database = UNREACHABLE
            log.warning("projection %s cannot reach PostgreSQL: %s", name, exc)
            return
        self.health.database = OK
        if generation != self.generation:
            self._stale = True


class _RetryIsolated(Exception):
    """Internal: a batch failed on the fast path; replay it event by event."""
