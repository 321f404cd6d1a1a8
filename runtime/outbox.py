"""Outbox relay: the event store's notification log, published to Kafka.

The notification log is the outbox: events and their notification ids commit
together, so there is no dual write. The relay reads after the last published id,
maps each domain event to its contract, sends with the idempotent producer keyed by
aggregate id (per-aggregate order), waits for the broker's acks, then records the
last published id in Postgres. A crash between send and record re-publishes a few
events with the same deterministic `ce_id`; consumers deduplicate. It wakes on the
NOTIFY the store issues on every insert, with a poll as a safety net.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import asyncpg
from prometheus_client import Counter

from contracts.base import ContractEvent
from contracts.envelope import Envelope
from runtime.eventstore import ServiceApplication, store_setup_lock
from runtime.kafka import idempotent_producer

log = logging.getLogger(__name__)

EVENTS_PUBLISHED = Counter(
    "concierge_events_published_total", "Events the outbox relay published", ["topic"]
)

ContractMapper = Callable[[Any], ContractEvent | None]


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
        self._wake = asyncio.Event()

    async def run(self, stop: asyncio.Event) -> None:
        """Publish until `stop` is set."""
        conn = await asyncpg.connect(self.database_url)
        producer = idempotent_producer(self.bootstrap_servers)
        await producer.start()
        try:
            await self._ensure_table(conn)
            channel = self.app.recorder.channel_name  # type: ignore[attr-defined]
            await conn.add_listener(channel, lambda *_: self._wake.set())
            while not stop.is_set():
                published = await self._publish_batch(conn, producer)
                if published < self.batch_size:
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

    async def _ensure_table(self, conn: asyncpg.Connection) -> None:
        async with conn.transaction():
            await conn.execute(store_setup_lock("$1", transaction=True), self.app.schema)
            await conn.execute(
                f"CREATE TABLE IF NOT EXISTS {self._table} ("
                " topic text PRIMARY KEY, last_notification_id bigint NOT NULL)"
            )

    async def _publish_batch(self, conn: asyncpg.Connection, producer: Any) -> int:
        last = await conn.fetchval(
            f"SELECT last_notification_id FROM {self._table} WHERE topic = $1", self.topic
        )
        notifications = await asyncio.to_thread(
            self.app.recorder.select_notifications,
            last or 0,
            self.batch_size,
            inclusive_of_start=False,
        )
        if not notifications:
            return 0
        sends = []
        for notification in notifications:
            envelope = self._envelope(notification)
            if envelope is not None:
                sends.append(
                    await producer.send(
                        self.topic,
                        value=envelope.value(),
                        key=envelope.key(),
                        headers=envelope.headers(),
                    )
                )
        await asyncio.gather(*sends)
        await conn.execute(
            f"INSERT INTO {self._table} (topic, last_notification_id) VALUES ($1, $2)"
            " ON CONFLICT (topic)"
            " DO UPDATE SET last_notification_id = EXCLUDED.last_notification_id",
            self.topic,
            notifications[-1].id,
        )
        EVENTS_PUBLISHED.labels(self.topic).inc(len(sends))
        return len(notifications)

    def _envelope(self, notification: Any) -> Envelope | None:
        event = self.app.mapper.to_domain_event(notification)
        contract = self.contract_for(event)
        if contract is None:
            return None
        return Envelope.wrap(
            contract,
            aggregate_id=notification.originator_id,
            version=notification.originator_version,
            time=getattr(event, "at", None) or event.timestamp,  # type: ignore[attr-defined]
            correlation_id=getattr(event, "correlation_id", "") or "",
        )
