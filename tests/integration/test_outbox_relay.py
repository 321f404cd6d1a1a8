"""The outbox relay survives SIGKILL mid-publish without losing, doubling or reordering events."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections import defaultdict
from uuid import uuid4

import asyncpg
import psycopg
from aiokafka.partitioner import DefaultPartitioner

from contracts.topics import VISITOR
from runtime.kafka import ensure_topics, idempotent_producer
from runtime.outbox import OutboxRelay
from runtime.projection import ProjectionRunner
from runtime.settings import ServiceSettings
from services.visitor.contract import contract_for
from services.visitor.projections import VisitorReadModel
from tests.infra import (
    end_offsets,
    process,
    publish_all,
    read_topic,
    run_until_caught_up,
    topic_partitions,
)
from tests.integration.fixtures import complete_visits, visitor_app
from tests.integration.pipeline import message_as_built_before

VISITS = 1250  # x 4 events = 5,000


def published_up_to(database_url: str, schema: str) -> int:
    with psycopg.connect(database_url) as conn:
        try:
            row = conn.execute(
                f'SELECT last_notification_id FROM "{schema}".outbox_position'
            ).fetchone()
        except psycopg.errors.UndefinedTable:
            return 0
        return int(row[0]) if row else 0


def wait_for(predicate, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        time.sleep(0.005)


def test_relay_killed_mid_publish_loses_nothing_and_keeps_order(infra) -> None:  # type: ignore[no-untyped-def]
    namespace = f"{infra.namespace}relay_"
    app = visitor_app(infra, namespace)
    visits = complete_visits(app, uuid4(), VISITS)
    total = app.recorder.max_notification_id()
    assert total is not None and total >= VISITS * 4
    schema = f"{namespace}visitor"
    env = infra.env(CONCIERGE_NAMESPACE=namespace, OUTBOX_BATCH_SIZE="100")

    with process(["-m", "services.visitor", "--only", "relay"], env, "relay-kill") as relay:
        wait_for(lambda: published_up_to(infra.database_url, schema) >= 1000, 60, "relay started")
        os.kill(relay.pid, signal.SIGKILL)
        relay.wait()
    killed_at = published_up_to(infra.database_url, schema)
    assert killed_at < total, "the relay finished before it was killed; the test proved nothing"

    with process(["-m", "services.visitor", "--only", "relay"], env, "relay-restart"):
        wait_for(lambda: published_up_to(infra.database_url, schema) >= total, 60, "caught up")

    topic = f"{namespace}{VISITOR}"
    messages = asyncio.run(read_topic(infra.kafka, topic))
    ids = [dict(m.headers)["ce_id"].decode() for m in messages]
    expected = {f"{v.id}:{n}" for v in visits for n in (1, 2, 3, 4)}
    assert set(ids) == expected, "every event is in Kafka"

    versions_by_visit = defaultdict(list)
    for message in messages:
        visit_id, version = dict(message.headers)["ce_id"].decode().split(":")
        assert message.key == visit_id.encode(), "keyed by aggregate id"
        versions_by_visit[visit_id].append(int(version))
    for versions in versions_by_visit.values():
        first_seen = list(dict.fromkeys(versions))
        assert first_seen == [1, 2, 3, 4], "per-aggregate order kept"

    duplicates = len(ids) - len(set(ids))
    print(f"relay killed at notification {killed_at}/{total}; {duplicates} duplicates re-published")
    assert duplicates == 0, "no event sent twice"

    async def project() -> dict:
        runner = ProjectionRunner(
            VisitorReadModel(),
            topics=[topic],
            database_url=infra.database_url,
            bootstrap_servers=infra.kafka,
            schema=f"{namespace}visitor_read",
        )
        await run_until_caught_up(runner, topic)
        pool = await runner.connect()
        result = {
            "visits": await pool.fetchval("SELECT count(*) FROM visits"),
            "out": await pool.fetchval("SELECT count(*) FROM visits WHERE status = 'checked_out'"),
            "check_ins": await pool.fetchval("SELECT sum(check_ins) FROM host_hourly"),
        }
        await runner.close()
        return result

    # Every visit counted exactly once in the read model.
    assert asyncio.run(project()) == {"visits": VISITS, "out": VISITS, "check_ins": VISITS}


def test_events_sent_but_not_recorded_are_not_sent_again(infra) -> None:  # type: ignore[no-untyped-def]
    """A relay killed between the broker's acks and its record leaves events on the topic
    that the record does not cover; the next relay must not send them a second time."""
    namespace = f"{infra.namespace}unrecorded_"
    app = visitor_app(infra, namespace)
    topic = f"{namespace}{VISITOR}"
    first = complete_visits(app, uuid4(), 50)  # 200 events, published and recorded
    asyncio.run(ensure_topics(ServiceSettings(kafka_bootstrap_servers=infra.kafka), [topic]))
    asyncio.run(publish_all(app, topic, contract_for, infra))
    second = complete_visits(app, uuid4(), 50)  # 200 more, of which 120 get sent, unrecorded
    asyncio.run(send_unrecorded(app, topic, infra, after=200, count=120))

    asyncio.run(publish_all(app, topic, contract_for, infra))

    ids = [dict(m.headers)["ce_id"].decode() for m in asyncio.run(read_topic(infra.kafka, topic))]
    expected = {f"{v.id}:{n}" for v in first + second for n in (1, 2, 3, 4)}
    assert set(ids) == expected, "every event is on the topic"
    assert len(ids) == len(expected), f"{len(ids) - len(expected)} events sent twice"


def test_each_event_is_sent_byte_for_byte_where_the_producer_would_put_it(infra) -> None:  # type: ignore[no-untyped-def]
    """The relay builds its messages on a fast path and names their partitions itself:
    on the topic each is the message built the slow way, in the partition aiokafka's
    producer picks for its key, in per-aggregate order; the recorded end offsets are the
    topic's (a batch's ack gives its first offset, the relay adds its events)."""
    namespace = f"{infra.namespace}bytes_"
    app = visitor_app(infra, namespace)
    topic = f"{namespace}{VISITOR}"
    visits = complete_visits(app, uuid4(), 120) + complete_visits(app, uuid4(), 80)
    asyncio.run(ensure_topics(ServiceSettings(kafka_bootstrap_servers=infra.kafka), [topic]))
    asyncio.run(publish_all(app, topic, contract_for, infra, batch_size=150))  # pipelined batches
    # 6,000 events in one batch: over 512 KiB a partition, so each partition's producer
    # batch fills and others follow it
    visits += complete_visits(app, uuid4(), 1500, per_save=500)
    asyncio.run(publish_all(app, topic, contract_for, infra, batch_size=6000))

    messages = asyncio.run(read_topic(infra.kafka, topic))
    partitions = asyncio.run(topic_partitions(infra.kafka, topic))
    assert len(partitions) > 1, "one partition would prove nothing about placement"
    expected = {}
    for notification in app.recorder.select_notifications(1, 10_000):
        message = message_as_built_before(app, contract_for, notification)
        assert message is not None
        expected[dict(message.headers)["ce_id"]] = message
    assert len(messages) == len(expected) == len(visits) * 4
    versions = defaultdict(list)
    for m in messages:
        sent = expected[dict(m.headers)["ce_id"]]
        assert (m.key, m.value, list(m.headers)) == (sent.key, sent.value, sent.headers)
        assert m.partition == DefaultPartitioner()(m.key, partitions, partitions)
        versions[m.key].append(int(dict(m.headers)["ce_id"].decode().rsplit(":", 1)[1]))
    assert all(v == [1, 2, 3, 4] for v in versions.values()), "per-aggregate order kept"
    with psycopg.connect(infra.database_url) as conn:
        recorded = dict(conn.execute(f'SELECT partition, next_offset FROM "{app.schema}".outbox_offsets').fetchall())  # fmt: skip
    ends = asyncio.run(end_offsets(infra.kafka, topic))
    assert recorded == {p: end for p, end in ends.items() if end > 0}


async def send_unrecorded(app, topic: str, infra, *, after: int, count: int) -> None:  # type: ignore[no-untyped-def]
    """Send `count` notifications after `after` exactly as the relay does, recording nothing:
    the state a relay leaves when it dies between the broker's acks and its record."""
    relay = OutboxRelay(app, topic=topic, contract_for=contract_for,
                        bootstrap_servers=infra.kafka, database_url=infra.database_url)  # fmt: skip
    producer = idempotent_producer(infra.kafka)
    await producer.start()
    try:
        for notification in app.recorder.select_notifications(
            after, count, inclusive_of_start=False
        ):
            envelope = relay._envelope(notification)
            assert envelope is not None
            await producer.send_and_wait(topic, value=envelope.value(), key=envelope.key(),
                                         headers=envelope.headers())  # fmt: skip
    finally:
        await producer.stop()


async def test_the_record_never_moves_backwards(infra) -> None:  # type: ignore[no-untyped-def]
    """A relay frozen past losing its lock must not, on waking, record less than the new
    holder has published since (the next batches would then be sent again)."""
    namespace = f"{infra.namespace}backwards_"
    app = visitor_app(infra, namespace)
    relay = OutboxRelay(app, topic=f"{namespace}{VISITOR}", contract_for=contract_for,
                        bootstrap_servers=infra.kafka, database_url=infra.database_url)  # fmt: skip
    conn = await asyncpg.connect(infra.database_url)
    try:
        await relay._ensure_tables(conn)
        await relay._record(conn, 500, {0: 50, 1: 40})  # the new holder
        await relay._record(conn, 300, {0: 30, 2: 20})  # the old one, woken late
        last = await conn.fetchval(
            f'SELECT last_notification_id FROM "{app.schema}".outbox_position'
        )
        offsets = dict(
            await conn.fetch(f'SELECT partition, next_offset FROM "{app.schema}".outbox_offsets')
        )
    finally:
        await conn.close()
    assert (last, offsets) == (500, {0: 50, 1: 40, 2: 20})
