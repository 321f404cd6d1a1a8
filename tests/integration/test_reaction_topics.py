"""A service started before the contexts it reacts to still hears their first events."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import psycopg

from contracts import feedback as ev
from contracts.envelope import Envelope
from contracts.topics import FEEDBACK
from runtime.kafka import idempotent_producer
from tests.infra import free_port, process


def test_workorder_hears_complaints_published_after_it_started(infra) -> None:  # type: ignore[no-untyped-def]
    namespace = f"{infra.namespace}early_"
    env = infra.env(CONCIERGE_NAMESPACE=namespace, WORKORDER_GRPC_PORT=str(free_port()))
    with process(["-m", "services.workorder", "--only", "complaints"], env, "early-workorder"):
        time.sleep(5)  # the consumer has subscribed; no feedback service has ever run
        now = datetime.now(UTC)
        complaint = ev.ComplaintRegistered(
            site_id=uuid4(), complaint_id=uuid4(), channel=ev.Channel.PHONE, complainant="Zhou",
            unit="15C", company=None, contact_phone=None, category=ev.ComplaintCategory.REPAIR,
            content="ceiling leaks", deadline=now + timedelta(hours=8), occurred_at=now,
        )  # fmt: skip
        envelope = Envelope.wrap(complaint, aggregate_id=complaint.complaint_id, version=1,
                                 time=now, correlation_id="early")  # fmt: skip

        async def publish() -> None:
            producer = idempotent_producer(infra.kafka)
            await producer.start()
            await producer.send_and_wait(f"{namespace}{FEEDBACK}", value=envelope.value(),
                                         key=envelope.key(), headers=envelope.headers())  # fmt: skip
            await producer.stop()

        asyncio.run(publish())
        deadline = time.monotonic() + 20
        while True:
            with psycopg.connect(infra.database_url) as conn:
                try:
                    count = conn.execute(
                        f'SELECT count(*) FROM "{namespace}workorder".workorder_events'
                    ).fetchone()[0]  # type: ignore[index]
                except psycopg.errors.UndefinedTable:
                    count = 0
            if count:
                break
            assert time.monotonic() < deadline, "the complaint never opened a work order"
            time.sleep(0.2)
