"""Outbox relay: the event store's notification log, published to Kafka.

The notification log is the outbox: events and their notification ids commit
together, so there is no dual write. The relay reads after the last published id,
maps each domain event to its contract, sends with the idempotent producer keyed by
aggregate id (per-aggregate order), waits for the broker's acks, then records the
last published id in Postgres, with the end offset it reached in each partition. It
wakes on the NOTIFY the store issues on every insert, with a poll as a safety net.
While one batch waits for its acks the next is read, mapped and handed to the producer
(`PIPELINE_DEPTH` batches in flight); batches are recorded in the order they were sent,
each only once all its acks are in.
Each batch goes to the producer as one record batch per partition, the relay naming
the partition of each event as the producer's default partitioner would (`KeyPartitions`).

A relay that dies between the broker's acks and that record leaves events on the
topic that the record does not cover. The next relay (after a crash, a restart, or
on another replica taking over) reads the topic from the recorded offsets to its end
first, and does not send again the events it finds there (same `ce_id`): no event is
lost or doubled. Only a relay that is cut off from PostgreSQL while its sends are still
in flight to Kafka (or frozen mid-batch, then woken) can double what it had handed the
producer, at most the batches in flight, after another replica took over; its record never moves
backwards, and consumers deduplicate by `ce_id` all the same.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple
from uuid import UUID

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaTimeoutError
from aiokafka.partitioner import DefaultPartitioner
from prometheus_client import Counter

from contracts.base import ContractEvent
from contracts.envelope import Envelope, Record
from runtime.eventstore import ServiceApplication, store_setup_lock
from runtime.kafka import idempotent_producer

log = logging.getLogger(__name__)

EVENTS_PUBLISHED = Counter(
    "concierge_events_published_total", "Events the outbox relay published", ["topic"]
)

ContractMapper = Callable[[Any], ContractEvent | None]
PIPELINE_DEPTH = 2  # batches handed to the producer before the oldest one's acks are awaited
# The relay hands the producer a whole batch before it yields, so lingering for more
# messages only delays a lone event (a check-in on its way to "in the building now").
LINGER_MS = 0


@dataclass
class _Sent:
    """A batch handed to the producer: its last notification id, how many notifications
    it read, how many events it sent, and the sends (one per partition batch, with the
    number of events in it) whose acks it waits for."""

    last_id: int
    read: int
    events: int
    sends: list[tuple[asyncio.Future[Any], int]]


class _Notification(NamedTuple):
    """A row of the notification log, as eventsourcing's mapper reads a stored event."""

    id: int
    originator_id: UUID
    originator_version: int
    topic: str
    state: bytes


class KeyPartitions:
    """The partition aiokafka's default partitioner gives a key (murmur2 of the key's
    bytes modulo the partition count, as the Java client), memoised per key.

    The relay names the partition of each event itself: the producer's pure-Python
    murmur2 took a seventh of the relay's CPU, once per event, while a backlog repeats
    its aggregates' keys. Same key, same partition as before, so per-aggregate order and
    placement do not change (test_outbox_partitions).
    """

    LIMIT = 100_000  # keys remembered; the memo starts afresh beyond

    def __init__(self) -> None:
        self._partitions: list[int] = []
        self._of: dict[bytes, int] = {}
        self._default = DefaultPartitioner()

    def use(self, partitions: set[int]) -> None:
        """The topic's partitions as the producer's metadata knows them now (the list
        built as aiokafka builds it for its partitioner)."""
        current = list(partitions)
        if current != self._partitions:
            self._partitions, self._of = current, {}

    def __call__(self, key: bytes) -> int:
        partition = self._of.get(key)
        if partition is None:
            if len(self._of) >= self.LIMIT:
                self._of = {}
            partition = self._of[key] = self._default(key, self._partitions, None)
        return partition


class OutboxRelay:
    def __init__(
        self,
        app: ServiceApplication,
        *,
        topic: str,
        contract_for: ContractMapper,
        bootstrap_servers: str,
        database_url: str,
        batch_size: int = 2000,
        poll_seconds: float = 1.0,
    ) -> None:
        self.app = app
        self.topic = topic
        self.contract_for = contract_for
        self.bootstrap_servers = bootstrap_servers
        self.database_url = database_url
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self._table = f'"{app.schema}".outbox_position'
        self._offsets = f'"{app.schema}".outbox_offsets'
        self._wake = asyncio.Event()
        self._sent_unrecorded: set[str] = set()
        self._partition_of = KeyPartitions()
        self._read_statement = app.recorder.notifications_after_statement()  # type: ignore[attr-defined]

    async def run(self, stop: asyncio.Event) -> None:
        """Publish until `stop` is set."""
        conn = await asyncpg.connect(self.database_url)
        producer = idempotent_producer(self.bootstrap_servers, linger_ms=LINGER_MS)
        try:
            await producer.start()
            await self._ensure_tables(conn)
            self._sent_unrecorded = await self._sent_after_record(conn, producer)
            if self._sent_unrecorded:
                log.info("%s: %d events already sent but not recorded; not sending them again",
                         self.topic, len(self._sent_unrecorded))  # fmt: skip
            channel = self.app.recorder.channel_name  # type: ignore[attr-defined]
            await conn.add_listener(channel, lambda *_: self._wake.set())
            in_flight: deque[_Sent] = deque()
            while not stop.is_set():
                sent = await self._send_batch(conn, producer, in_flight)
                if sent is not None:
                    in_flight.append(sent)
                caught_up = sent is None or sent.read < self.batch_size
                while in_flight and (caught_up or len(in_flight) >= PIPELINE_DEPTH):
                    await self._settle(conn, in_flight.popleft())
                if caught_up:
                    await self._sleep_until_woken(stop)
        finally:
            await producer.stop()
            await conn.close()

    async def _sleep_until_woken(self, stop: asyncio.Event) -> None:
        waiters = [asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(stop.wait())]
        await asyncio.wait(waiters, timeout=self.poll_seconds, return_when=asyncio.FIRST_COMPLETED)
        for waiter in waiters:
            waiter.cancel()
        self._wake.clear()

    async def _ensure_tables(self, conn: asyncpg.Connection) -> None:
        async with conn.transaction():  # replicas starting together race on CREATE TABLE
            await conn.execute(store_setup_lock("$1", transaction=True), self.app.schema)
            await conn.execute(
                f"CREATE TABLE IF NOT EXISTS {self._table} ("
                " topic text PRIMARY KEY, last_notification_id bigint NOT NULL);"
                f" CREATE TABLE IF NOT EXISTS {self._offsets} ("
                " topic text, partition int, next_offset bigint NOT NULL,"
                " PRIMARY KEY (topic, partition))"
            )

    async def _sent_after_record(self, conn: asyncpg.Connection, producer: Any) -> set[str]:
        """The `ce_id`s on the topic past the recorded offsets: sent, then not recorded.

        A partition with no recorded offset is read from its beginning.
        """
        rows = await conn.fetch(
            f"SELECT partition, next_offset FROM {self._offsets} WHERE topic = $1", self.topic
        )
        recorded = {row["partition"]: row["next_offset"] for row in rows}
        partitions = await producer.partitions_for(self.topic)
        tps = [TopicPartition(self.topic, p) for p in sorted(partitions)]
        consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap_servers,
                                    enable_auto_commit=False)  # fmt: skip
        await consumer.start()
        try:
            consumer.assign(tps)
            starts = await consumer.beginning_offsets(tps)
            ends = await consumer.end_offsets(tps)
            for tp in tps:
                consumer.seek(tp, max(starts[tp], recorded.get(tp.partition, 0)))
            return await self._ce_ids_until(consumer, ends)
        finally:
            await consumer.stop()

    async def _ce_ids_until(
        self, consumer: AIOKafkaConsumer, ends: dict[TopicPartition, int]
    ) -> set[str]:
        ids: set[str] = set()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        while [tp for tp in ends if await consumer.position(tp) < ends[tp]]:
            batch = await consumer.getmany(timeout_ms=500)
            for messages in batch.values():
                ids.update(v.decode() for m in messages for k, v in m.headers if k == "ce_id")
                deadline = loop.time() + 30
            if loop.time() > deadline:
                raise KafkaTimeoutError(f"could not read {self.topic} to its end")
        return ids

    async def _send_batch(
        self, conn: asyncpg.Connection, producer: Any, in_flight: deque[_Sent]
    ) -> _Sent | None:
        """Hand the next batch to the producer (after the record, or after the batches
        still in flight); None when there is nothing new."""
        recorded = await conn.fetchval(
            f"SELECT last_notification_id FROM {self._table} WHERE topic = $1", self.topic
        )
        after = max(recorded or 0, in_flight[-1].last_id if in_flight else 0)
        notifications = await self._notifications_after(conn, after)
        if not notifications:
            return None
        self._partition_of.use(await producer.partitions_for(self.topic))
        # One producer batch per partition (another when it is full), in the log's order.
        batches: list[tuple[int, Any]] = []
        filling: dict[int, Any] = {}
        events = 0
        for notification in notifications:
            record = self._record_of(notification)
            if record is None:
                continue
            key, value, headers = record.key, record.value, record.headers
            partition = self._partition_of(key)
            batch = filling.get(partition)
            if batch is None or batch.append(timestamp=None, key=key, value=value,
                                             headers=headers) is None:  # fmt: skip
                batch = filling[partition] = producer.create_batch()
                batch.append(
                    timestamp=None, key=key, value=value, headers=headers
                )  # the first fits
                batches.append((partition, batch))
            events += 1
        sends = []
        for partition, batch in batches:
            sent = await producer.send_batch(batch, self.topic, partition=partition)
            sends.append((sent, batch.record_count()))
        return _Sent(notifications[-1].id, len(notifications), events, sends)

    async def _notifications_after(
        self, conn: asyncpg.Connection, after: int
    ) -> list[_Notification]:
        """The next `batch_size` notifications after `after`, read on the relay's own
        connection (the rows as asyncpg decodes them: no thread, no dict per row)."""
        rows = await conn.fetch(self._read_statement, after, self.batch_size)
        return [_Notification(*row) for row in rows]

    async def _settle(self, conn: asyncpg.Connection, sent: _Sent) -> None:
        """Wait for the broker's acks of a batch, then record it (batches settle in the
        order they were sent, so the record only covers acknowledged events)."""
        acked = await self._acknowledged([send for send, _ in sent.sends])
        ends: dict[int, int] = {}
        for metadata, (_, count) in zip(acked, sent.sends, strict=True):
            # a batch's ack carries its first offset; its events follow it
            end = metadata.offset + count
            ends[metadata.partition] = max(ends.get(metadata.partition, 0), end)
        await self._record(conn, sent.last_id, ends)
        EVENTS_PUBLISHED.labels(self.topic).inc(sent.events)

    async def _acknowledged(self, sends: list[asyncio.Future[Any]]) -> list[Any]:
        """The broker's acks of `sends`. While Kafka is down the producer keeps retrying
        them, in order; say so every ten seconds rather than wait in silence."""
        pending = set(sends)
        while pending:
            _, pending = await asyncio.wait(pending, timeout=10)
            if pending:
                log.warning("%s: %d batches not acknowledged by Kafka yet; still trying",
                            self.topic, len(pending))  # fmt: skip
        return [send.result() for send in sends]

    async def _record(self, conn: asyncpg.Connection, last_id: int, ends: dict[int, int]) -> None:
        """Record the last published notification id and the partitions' end offsets."""
        async with conn.transaction():
            # Never backwards: a relay that lost its lock while frozen must not, on waking,
            # move the record behind what the new holder has published since.
            await conn.execute(
                f"INSERT INTO {self._table} AS p (topic, last_notification_id) VALUES ($1, $2)"
                " ON CONFLICT (topic)"
                " DO UPDATE SET last_notification_id = EXCLUDED.last_notification_id"
                " WHERE p.last_notification_id < EXCLUDED.last_notification_id",
                self.topic,
                last_id,
            )
            await conn.executemany(
                f"INSERT INTO {self._offsets} AS o (topic, partition, next_offset)"
                " VALUES ($1, $2, $3) ON CONFLICT (topic, partition)"
                " DO UPDATE SET next_offset = EXCLUDED.next_offset"
                " WHERE o.next_offset < EXCLUDED.next_offset",
                [(self.topic, partition, offset) for partition, offset in ends.items()],
            )

    def _record_of(self, notification: Any) -> Record | None:
        """The Kafka message of a notification, or None for an internal event or one
        already sent before a crash (found on the topic past the record): the message
        of `_envelope`, made without the envelope."""
        mapped = self._mapped(notification)
        if mapped is None:
            return None
        ce_id, record = Envelope.message(mapped[0], **mapped[1])
        return None if ce_id in self._sent_unrecorded else record

    def _envelope(self, notification: Any) -> Envelope | None:
        mapped = self._mapped(notification)
        return None if mapped is None else Envelope.wrap(mapped[0], **mapped[1])

    def _mapped(self, notification: Any) -> tuple[ContractEvent, dict[str, Any]] | None:
        """The contract of a notification's domain event (None for an internal event)
        and what its envelope says about it."""
        event = self.app.mapper.to_domain_event(notification)
        contract = self.contract_for(event)
        if contract is None:
            return None
        return contract, {
            "aggregate_id": notification.originator_id,
            "version": notification.originator_version,
            "time": getattr(event, "at", None) or event.timestamp,  # type: ignore[attr-defined]
            "correlation_id": getattr(event, "correlation_id", "") or "",
        }
