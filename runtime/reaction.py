"""Reactions on faststream: another context's events -> this service's commands.

"Cross-context reactions are consumers (faststream subscribers) that issue commands to
their own application, idempotently, after checking that every referenced id belongs to
the event's site" (ARCHITECTURE.md). Each reaction is a faststream batch subscriber in
its own consumer group; a batch goes through the projections' path
(`ProjectionRunner.process`): parsed, checked (site header against payload), applied in
order in one PostgreSQL transaction with the last applied version of every aggregate,
refusals parked on `<topic>.dlq` and recorded as dead letters, health reported.

Positions: the consumer group's committed offsets, committed by hand once the batch's
transaction has committed, for exactly the partitions and offsets it settled. Never
faststream's `ack()`: that is aiokafka's bare `commit()`, which commits the fetch
position of every assigned partition, including records fetched but not yet applied
(a batch may hold several partitions, and more may wait in the fetcher). So:

- a reaction killed after its transaction but before its commit reads the batch again;
  the stored versions make that a no-op (and the commands themselves are idempotent);
- a batch that fails (PostgreSQL or Kafka away, a deadlock retried out) commits nothing:
  the part ends and `runtime.outage` restarts it with backoff, as a new consumer that
  starts from the committed offsets; the handler applies nothing after a failure;
- a partition revoked mid-batch waits for the batch's transaction (`_Rewind`), and a
  batch fetched before a revocation keeps only the partitions still owned, so two
  replicas never apply the same event at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from typing import Any, Generic, TypeVar

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from faststream.middlewares import AckPolicy

from runtime.kafka import idempotent_producer
from runtime.projection.bookkeeping import Positions
from runtime.projection.runner import FETCH_MAX_WAIT_MS, ProjectionRunner, _Rewind

App = TypeVar("App")

log = logging.getLogger(__name__)

STOP_GRACE_SECONDS = 10.0  # how long a stop waits for the batch in flight


class CommandReaction(Generic[App]):
    """A reaction that turns another context's events into commands on its own
    application. It keeps no tables: what it does is stored as the application's events,
    and the subscriber keeps its versions. Subclasses name it and write `apply_batch`."""

    name: str
    tables: tuple[str, ...] = ()

    def __init__(self, app: App) -> None:
        self.app = app

    async def setup(self, conn: Any) -> None:
        return None


class ReactionSubscriber(ProjectionRunner):
    """A reaction (a `Projection` whose `apply_batch` issues commands) consumed by a
    faststream subscriber; its positions are Kafka's committed offsets."""

    _subscriber: Any = None

    async def run(self, stop: asyncio.Event) -> None:
        """Consume and react until `stop` is set; raise what failed a batch (the part is
        restarted from the committed offsets)."""
        await self.connect()
        producer = idempotent_producer(self.bootstrap_servers)
        # faststream takes a string as ONE host: "kafka-1:9092,kafka-2:9092" must be split.
        brokers = [host.strip() for host in self.bootstrap_servers.split(",") if host.strip()]
        broker = KafkaBroker(brokers, logger=log, log_level=logging.DEBUG)
        failed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        subscriber = broker.subscriber(
            *self.topics,
            batch=True,
            group_id=self.group_id,
            auto_offset_reset="earliest",
            max_records=self.batch_size,
            fetch_max_wait_ms=FETCH_MAX_WAIT_MS,
            ack_policy=AckPolicy.MANUAL,  # offsets are committed below, per partition
            listener=_Rewind(self),
            include_in_schema=False,
        )

        self._subscriber = subscriber
        idle = asyncio.Event()  # no batch between its fetch and its commit
        idle.set()

        @subscriber
        async def react(message: KafkaMessage) -> None:
            if failed.done() or stop.is_set():
                return  # the part is ending: nothing after a failed batch may commit
            idle.clear()
            try:
                await self._react(message.raw_message, producer)
            except Exception as exc:
                failed.set_exception(exc)
            finally:
                idle.set()

        await producer.start()
        try:
            await broker.start()
            self.consumer = subscriber.consumer
            watch = asyncio.create_task(self._watch(stop))
            stopping = asyncio.create_task(stop.wait())
            self.health.running = True
            try:
                ending: set[asyncio.Future[Any]] = {stopping, failed}
                await asyncio.wait(ending, return_when=asyncio.FIRST_COMPLETED)
            finally:
                self.health.running = False
                for task in (watch, stopping):
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
            if failed.done():
                failed.result()  # raises the batch's failure
        finally:
            # A stop lets the batch in flight finish: applied and its offsets committed,
            # so the next start does not fetch it again (a batch that hangs is left to
            # the stored versions after STOP_GRACE_SECONDS).
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(idle.wait(), STOP_GRACE_SECONDS)
            if not failed.done():
                failed.cancel()
            self.consumer = None
            await broker.stop()
            await producer.stop()

    async def _react(self, records: Any, producer: Any) -> None:
        if self._stale:  # positions unknown (assignment failed): re-read, refetch
            await self._resync()
            return
        batch: dict[TopicPartition, list[Any]] = defaultdict(list)
        for record in records if isinstance(records, tuple) else (records,):
            batch[TopicPartition(record.topic, record.partition)].append(record)
        settled = await self.process(batch, producer)
        await self._commit_offsets(settled)

    async def _commit_offsets(self, settled: list[Any]) -> None:
        """Commit, per partition, the offset after the last message settled; only for
        partitions still owned. A commit refused (a rebalance took the partition) is
        left to the next owner, whose stored versions skip what was applied here."""
        consumer = self.consumer
        if consumer is None or not settled:
            return
        owned = consumer.assignment()
        offsets: dict[TopicPartition, int] = {}
        for message in settled:
            tp = TopicPartition(message.topic, message.partition)
            if tp in owned:
                offsets[tp] = max(offsets.get(tp, 0), message.offset + 1)
        if not offsets:
            return
        try:
            await consumer.commit(offsets)
        except KafkaError as exc:
            log.warning("reaction %s could not commit %s: %s; the next owner reads them"
                        " again", self.projection.name, offsets, exc)  # fmt: skip

    async def committed_positions(self) -> Positions:
        """The consumer group's committed offsets (what `kafka-consumer-groups` shows)."""
        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap_servers)
        await admin.start()
        try:
            offsets = await admin.list_consumer_group_offsets(self.group_id)
        finally:
            await admin.close()
        return {(tp.topic, tp.partition): meta.offset for tp, meta in offsets.items()
                if tp.topic in self.topics and meta.offset >= 0}  # fmt: skip

    async def _claim_positions(self, conn: Any, messages: list[Any]) -> bool:
        """A reaction's positions are not in PostgreSQL: its stored versions and the
        commands' own idempotency keep a batch applied twice from acting twice."""
        return True

    def _positions_after(self, messages: list[Any]) -> Positions:
        """A reaction's position is Kafka's committed offset (`_commit_offsets`)."""
        return {}

    async def _seek_to_stored(self, assigned: Any) -> None:
        """Continue each assigned partition from the group's committed offset; without
        one, from the position the hand-written runner kept in PostgreSQL for reactions
        before they ran on faststream, else from the beginning (the stored versions skip
        whatever was applied already)."""
        # The first assignment may come while the broker is still starting.
        consumer: AIOKafkaConsumer | None = self.consumer or self._subscriber.consumer
        if consumer is None:
            raise RuntimeError("assigned before the subscriber's consumer was known")
        earlier = await ProjectionRunner.committed_positions(self)
        async with self.applying:
            for tp in assigned:
                offset = await consumer.committed(tp)
                if offset is None:
                    offset = earlier.get((tp.topic, tp.partition))
                if offset is None:
                    await consumer.seek_to_beginning(tp)
                else:
                    consumer.seek(tp, offset)
                self.positions[(tp.topic, tp.partition)] = offset or 0
            self._stale = False
