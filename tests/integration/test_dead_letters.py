"""Dead letters are loud: counted, logged, recorded in Postgres, shown by readiness, and
replayed after a fix; foreign-site references and forged site headers are refused."""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from prometheus_client import REGISTRY

from contracts import visitor as ev
from contracts.envelope import Envelope
from contracts.topics import VISITOR
from runtime import deadletters
from runtime.errors import ForeignSiteReference
from runtime.health import ServiceHealth
from runtime.kafka import idempotent_producer
from runtime.projection import ProjectionRunner
from runtime.reaction import ReactionSubscriber
from runtime.rebuild import rebuild_online
from services.visitor.projections import VisitorReadModel
from tests.infra import run_until_caught_up
from tests.integration.test_projection import NOW, arrival, checked_in


class FlawedVisitorReadModel(VisitorReadModel):
    """The visitor read model with a bug: it cannot show a visitor named 'Poison'."""

    name = "flawed_visitor_read_model"
    fixed = False

    async def apply_batch(self, conn: asyncpg.Connection, envelopes: list[Envelope]) -> None:
        if not self.fixed and any(
            getattr(e.data, "visitor_name", "") == "Poison" for e in envelopes
        ):
            raise ValueError("cannot show this visitor")
        await super().apply_batch(conn, envelopes)


class RecordingReaction:
    """A reaction that refuses events naming another site's object, and notes the rest."""

    name = "recording_reaction"
    tables: tuple[str, ...] = ()

    def __init__(self, foreign_hosts: set[str]) -> None:
        self.foreign_hosts = foreign_hosts
        self.acted_on: set[str] = set()

    async def setup(self, conn: asyncpg.Connection) -> None:
        return None

    async def apply_batch(self, conn: asyncpg.Connection, envelopes: list[Envelope]) -> None:
        for envelope in envelopes:
            if getattr(envelope.data, "host_unit", None) in self.foreign_hosts:
                raise ForeignSiteReference(f"unit {envelope.data.host_unit} is another site's")  # type: ignore[attr-defined]
            self.acted_on.add(envelope.id)


def named(site: UUID, visit: UUID, name: str, version: int = 1) -> Envelope:
    data = arrival(site, visit).data.model_copy(update={"visitor_name": name})
    return Envelope.wrap(data, aggregate_id=visit, version=version, time=NOW, correlation_id="c")


def checked_out(site: UUID, visit: UUID) -> Envelope:
    data = ev.VisitorCheckedOut(site_id=site, visit_id=visit, occurred_at=NOW)
    return Envelope.wrap(data, aggregate_id=visit, version=4, time=NOW, correlation_id="c")


def forged(envelope: Envelope, site: UUID) -> list[tuple[str, bytes]]:
    """The envelope's headers with another `site` than its payload's."""
    return [(k, str(site).encode() if k == "site" else v) for k, v in envelope.headers()]


async def publish(infra: Any, topic: str, *items: Envelope | tuple[Envelope, list]) -> None:  # type: ignore[type-arg]
    producer = idempotent_producer(infra.kafka)
    await producer.start()
    try:
        for item in items:
            envelope, headers = item if isinstance(item, tuple) else (item, item.headers())
            # One key for all, so they are consumed in the order given.
            await producer.send_and_wait(topic, envelope.value(), b"same", headers=headers)
    finally:
        await producer.stop()


def runner(infra: Any, projection: Any, topic: str, schema: str) -> ProjectionRunner:
    """A read model's runner, or a reaction's faststream subscriber (as services run them)."""
    kind = ReactionSubscriber if isinstance(projection, RecordingReaction) else ProjectionRunner
    return kind(projection, topics=[topic], database_url=infra.database_url,
                bootstrap_servers=infra.kafka, schema=schema, batch_size=500)  # fmt: skip


def metric(name: str, projection: str, reason: str) -> float:
    return REGISTRY.get_sample_value(name, {"projection": projection, "reason": reason}) or 0.0


async def letters(pool: asyncpg.Pool) -> list[dict[str, Any]]:
    rows = await pool.fetch('SELECT * FROM projection_dead_letters ORDER BY "offset"')
    return [dict(r) for r in rows]


async def test_a_dead_letter_is_counted_logged_recorded_blocks_its_aggregate_and_replays_after_a_fix(
    infra: Any, caplog: pytest.LogCaptureFixture
) -> None:
    topic = f"{infra.namespace}flawed_{VISITOR}"
    schema = f"{infra.namespace}flawed_read"
    site, good, poison, other = uuid4(), uuid4(), uuid4(), uuid4()
    await publish(infra, topic, arrival(site, good), named(site, poison, "Poison"),
                  checked_in(site, poison), arrival(site, other), checked_in(site, good))  # fmt: skip
    read_model = FlawedVisitorReadModel()
    name = read_model.name
    before = {r: metric("concierge_dlq_total", name, r) for r in ("apply_error", "blocked")}
    first = runner(infra, read_model, topic, schema)
    with caplog.at_level(logging.ERROR, logger="runtime.deadletters"):
        await run_until_caught_up(first, topic)
    pool = await first.connect()
    statuses = dict(await pool.fetch("SELECT visit_id, status FROM visits"))
    assert statuses == {good: "checked_in", other: "awaiting_host"}, "the rest still applied"

    # Counted by reason, and logged as errors naming the message.
    assert metric("concierge_dlq_total", name, "apply_error") == before["apply_error"] + 1
    assert metric("concierge_dlq_total", name, "blocked") == before["blocked"] + 1
    errors = [r for r in caplog.records if r.name == "runtime.deadletters"]
    assert len(errors) == 2 and errors[0].exc_info is not None
    message = errors[0].getMessage()
    for part in (f"ce_id={poison}:1", "type=concierge.visitor.VisitorArrived.v1",
                 f"topic={topic}", "partition=", "offset=1", "ValueError: cannot show this visitor"):  # fmt: skip
        assert part in message

    # Recorded in Postgres with where it came from and where its copy went.
    recorded = await letters(pool)
    assert [(d["ce_id"], d["reason"], d["offset"]) for d in recorded] == [
        (f"{poison}:1", "apply_error", 1), (f"{poison}:3", "blocked", 2),
    ]  # fmt: skip
    assert all(d["resolved_at"] is None and d["dlq_offset"] is not None for d in recorded)
    assert recorded[0]["subject"] == poison and recorded[0]["site"] == site
    await first.close()

    # After a restart (a new runner), the record is still there and still holds back the
    # poisoned visit's later events.
    await publish(infra, topic, checked_out(site, poison))
    second = runner(infra, read_model, topic, schema)
    await run_until_caught_up(second, topic)
    pool = await second.connect()
    assert [d["reason"] for d in await letters(pool)] == ["apply_error", "blocked", "blocked"]

    # Readiness sees them (the runner's health check reads Postgres).
    await second.check_health()
    health = ServiceHealth("visitor", [second.health], lag_threshold=1000).report()
    assert f"{name} has 3 unresolved dead letter(s): 1 apply_error, 2 blocked" in health["problems"]

    # Replaying before the fix changes nothing; after it, all three apply, in order, once.
    assert await second.replay_dead_letters() == {"missing": 0, "still_dead": 3}
    assert [d["attempts"] for d in await letters(pool)] == [2, 2, 2]
    read_model.fixed = True
    assert await second.replay_dead_letters() == {"missing": 0, "replayed": 3}
    assert (await pool.fetchrow("SELECT status FROM visits WHERE visit_id = $1", poison))[
        0
    ] == "checked_out"
    assert await pool.fetchval("SELECT sum(check_ins) FROM host_hourly") == 2
    assert {d["resolution"] for d in await letters(pool)} == {"replayed"}
    assert await second.replay_dead_letters() == {"missing": 0}, "nothing left to replay"
    await run_until_caught_up(second, topic)
    assert await pool.fetchval("SELECT sum(check_ins) FROM host_hourly") == 2, "applied once"
    await second.close()


async def test_a_reaction_meeting_another_sites_object_dead_letters_it_and_never_acts(
    infra: Any, caplog: pytest.LogCaptureFixture
) -> None:
    topic = f"{infra.namespace}foreign_{VISITOR}"
    site, ours, theirs = uuid4(), uuid4(), uuid4()
    foreign = arrival(site, theirs).data.model_copy(update={"host_unit": "B-9"})
    foreign_envelope = Envelope.wrap(foreign, aggregate_id=theirs, version=1, time=NOW, correlation_id="c")  # fmt: skip
    # A refusal by rule holds nothing back: the aggregate's next event still applies.
    later = Envelope.wrap(arrival(site, theirs).data, aggregate_id=theirs, version=2, time=NOW, correlation_id="c")  # fmt: skip
    await publish(infra, topic, arrival(site, ours), foreign_envelope, later)
    reaction = RecordingReaction(foreign_hosts={"B-9"})
    before = metric("concierge_foreign_references_total", reaction.name, "foreign_site_reference")
    consumer = runner(infra, reaction, topic, f"{infra.namespace}foreign_read")
    with caplog.at_level(logging.ERROR, logger="runtime.deadletters"):
        await run_until_caught_up(consumer, topic)
    assert reaction.acted_on == {f"{ours}:1", f"{theirs}:2"}, "the foreign one never acted on"
    after = metric("concierge_foreign_references_total", reaction.name, "foreign_site_reference")
    assert after == before + 1
    assert metric("concierge_dlq_total", reaction.name, "foreign_site_reference") >= 1
    assert any(f"reason=foreign_site_reference ce_id={theirs}:1" in r.getMessage()
               for r in caplog.records if r.levelno == logging.ERROR)  # fmt: skip
    pool = await consumer.connect()
    assert [(d["ce_id"], d["reason"]) for d in await letters(pool)] == [
        (f"{theirs}:1", "foreign_site_reference")
    ]
    await consumer.close()


@pytest.mark.parametrize("kind", ["projection", "reaction"])
async def test_a_message_whose_site_header_differs_from_its_payload_is_refused(
    infra: Any, kind: str
) -> None:
    topic = f"{infra.namespace}forged_{kind}_{VISITOR}"
    site, ours, forged_visit = uuid4(), uuid4(), uuid4()
    envelope = arrival(site, forged_visit)
    # The forged copy is refused; the genuine one after it still applies.
    await publish(
        infra, topic, arrival(site, ours), (envelope, forged(envelope, uuid4())), envelope
    )
    projection: Any = VisitorReadModel() if kind == "projection" else RecordingReaction(set())
    before = metric("concierge_foreign_references_total", projection.name, "site_mismatch")
    consumer = runner(infra, projection, topic, f"{infra.namespace}forged_{kind}_read")
    await run_until_caught_up(consumer, topic)
    pool = await consumer.connect()
    if kind == "projection":
        assert {r[0] for r in await pool.fetch("SELECT visit_id FROM visits")} == {
            ours,
            forged_visit,
        }
    else:
        assert projection.acted_on == {f"{ours}:1", f"{forged_visit}:1"}
    assert [(d["ce_id"], d["reason"]) for d in await letters(pool)] == [
        (f"{forged_visit}:1", "site_mismatch")
    ]
    assert "payload site_id" in (await letters(pool))[0]["error"]
    assert (
        metric("concierge_foreign_references_total", projection.name, "site_mismatch") == before + 1
    )
    await consumer.close()


class FlakyDatabase(VisitorReadModel):
    """A read model whose database connection is lost while `down`."""

    name = "outage_visitor_read_model"
    down = True

    async def apply_batch(self, conn: asyncpg.Connection, envelopes: list[Envelope]) -> None:
        if self.down:
            raise ConnectionResetError("connection to the server was lost")
        await super().apply_batch(conn, envelopes)


async def test_an_outage_while_applying_fails_the_batch_for_a_retry_and_is_no_dead_letter(
    infra: Any,
) -> None:
    topic = f"{infra.namespace}outage_{VISITOR}"
    schema = f"{infra.namespace}outage_read"
    site, visit = uuid4(), uuid4()
    await publish(infra, topic, arrival(site, visit), checked_in(site, visit))
    read_model = FlakyDatabase()
    first = runner(infra, read_model, topic, schema)
    with pytest.raises(ConnectionResetError):
        await run_until_caught_up(first, topic)
    pool = await first.connect()
    assert await pool.fetchval("SELECT count(*) FROM projection_positions") == 0, "not committed"
    assert await letters(pool) == []
    await first.close()
    read_model.down = False
    second = runner(infra, read_model, topic, schema)  # restarted, e.g. by the supervisor
    await run_until_caught_up(second, topic)
    pool = await second.connect()
    assert (
        await pool.fetchval("SELECT status FROM visits WHERE visit_id = $1", visit) == "checked_in"
    )
    assert await letters(pool) == []
    await second.close()


class DeadlockOnce(VisitorReadModel):
    """A read model whose batch deadlocks twice with another replica's."""

    name = "deadlock_visitor_read_model"
    failures = 2

    async def apply_batch(self, conn: asyncpg.Connection, envelopes: list[Envelope]) -> None:
        if self.failures:
            self.failures -= 1
            raise asyncpg.DeadlockDetectedError("deadlock detected")
        await super().apply_batch(conn, envelopes)


async def test_a_deadlock_with_another_replica_retries_the_batch_and_is_no_dead_letter(
    infra: Any,
) -> None:
    topic = f"{infra.namespace}deadlock_{VISITOR}"
    site, visit = uuid4(), uuid4()
    await publish(infra, topic, arrival(site, visit), checked_in(site, visit))
    consumer = runner(infra, DeadlockOnce(), topic, f"{infra.namespace}deadlock_read")
    await run_until_caught_up(consumer, topic)
    pool = await consumer.connect()
    assert (
        await pool.fetchval("SELECT status FROM visits WHERE visit_id = $1", visit) == "checked_in"
    )
    assert await letters(pool) == []
    await consumer.close()


async def test_lag_is_the_distance_from_the_topic_end_and_past_the_threshold_degrades(
    infra: Any,
) -> None:
    topic = f"{infra.namespace}lag_{VISITOR}"
    site = uuid4()
    await publish(infra, topic, *(arrival(site, uuid4()) for _ in range(12)))
    gate = asyncio.Event()

    class Stuck(VisitorReadModel):
        name = "stuck_visitor_read_model"

        async def apply_batch(self, conn: asyncpg.Connection, envelopes: list[Envelope]) -> None:
            await gate.wait()
            await super().apply_batch(conn, envelopes)

    consumer = runner(infra, Stuck(), topic, f"{infra.namespace}lag_read")
    stop = asyncio.Event()
    running = asyncio.create_task(consumer.run(stop))
    try:
        for _ in range(200):  # until the consumer holds its partitions and has checked once
            if consumer.health.checked_at is not None and consumer.health.lag:
                break
            await asyncio.sleep(0.05)
        assert consumer.health.kafka == "ok" and sum(consumer.health.lag.values()) == 12
        service = ServiceHealth("visitor", [consumer.health], lag_threshold=10).report()
        assert service["status"] == "degraded"
        assert (
            "stuck_visitor_read_model is 12 messages behind (threshold 10)" in service["problems"]
        )
        gate.set()
        for _ in range(200):  # until it has applied everything
            await consumer.check_health()
            if not sum(consumer.health.lag.values()):
                break
            await asyncio.sleep(0.05)
        assert sum(consumer.health.lag.values()) == 0
        assert ServiceHealth("visitor", [consumer.health], 10).report()["status"] == "ready"
    finally:
        gate.set()
        stop.set()
        await running
        await consumer.close()


async def test_a_rebuild_after_a_fix_resolves_dead_letters_and_keeps_dismissals(infra: Any) -> None:
    topic = f"{infra.namespace}fixed_{VISITOR}"
    schema = f"{infra.namespace}fixed_read"
    site, poison, orphan = uuid4(), uuid4(), uuid4()
    await publish(infra, topic, named(site, poison, "Poison"), checked_in(site, poison),
                  checked_out(site, orphan))  # fmt: skip
    read_model = FlawedVisitorReadModel()
    live = runner(infra, read_model, topic, schema)
    await run_until_caught_up(live, topic)
    pool = await live.connect()
    recorded = await letters(pool)
    assert [(d["ce_id"], d["reason"]) for d in recorded] == [
        (f"{poison}:1", "apply_error"), (f"{poison}:3", "blocked"), (f"{orphan}:4", "apply_error"),
    ]  # fmt: skip
    async with pool.acquire() as conn:  # the operator decides the orphan must never apply
        assert await deadletters.resolve(conn, [recorded[2]["id"]], "dismissed") == 1

    read_model.fixed = True
    report = await rebuild_online(read_model, topics=[topic], database_url=infra.database_url,
                                  bootstrap_servers=infra.kafka, schema=schema)  # fmt: skip
    assert report["dead_letters"] == 1, "the orphan fails again in the new tables"
    assert [(d["ce_id"], d["resolution"]) for d in await letters(pool)] == [
        (f"{poison}:1", "rebuilt"), (f"{poison}:3", "rebuilt"), (f"{orphan}:4", "dismissed"),
    ]  # fmt: skip
    assert (
        await pool.fetchval("SELECT status FROM visits WHERE visit_id = $1", poison) == "checked_in"
    )
    await live.close()


async def test_a_rebalance_during_a_batch_neither_rewinds_nor_repeats_it(infra: Any) -> None:
    """The rebalance callback runs beside the batch being applied: it waits for the
    commit, and a batch fetched before a seek is not applied (or dead-lettered) twice."""
    topic = f"{infra.namespace}rebalance_{VISITOR}"
    site, visit, forged_visit = uuid4(), uuid4(), uuid4()
    envelope = arrival(site, forged_visit)
    await publish(infra, topic, arrival(site, visit), (envelope, forged(envelope, uuid4())))
    entered, gate = asyncio.Event(), asyncio.Event()

    class Slow(VisitorReadModel):
        name = "slow_visitor_read_model"

        async def apply_batch(self, conn: asyncpg.Connection, envelopes: list[Envelope]) -> None:
            entered.set()
            await gate.wait()
            await super().apply_batch(conn, envelopes)

    consumer = runner(infra, Slow(), topic, f"{infra.namespace}rebalance_read")
    kafka = AIOKafkaConsumer(bootstrap_servers=infra.kafka, enable_auto_commit=False)
    producer = idempotent_producer(infra.kafka)
    await kafka.start()
    await producer.start()
    try:
        tps = [TopicPartition(topic, p) for p in kafka.partitions_for_topic(topic) or {0, 1, 2}]
        kafka.assign(tps)
        consumer.consumer = kafka
        await consumer._seek_to_stored(tps)
        batch: dict[Any, list[Any]] = {}
        while sum(len(m) for m in batch.values()) < 2:
            for tp, messages in (await kafka.getmany(timeout_ms=500)).items():
                batch.setdefault(tp, []).extend(messages)
        applying = asyncio.create_task(consumer.process(batch, producer))
        await entered.wait()
        rebalance = asyncio.create_task(consumer._seek_to_stored(tps))  # mid-batch
        await asyncio.sleep(0)
        gate.set()
        await applying
        await rebalance
        (tp,) = batch
        assert await kafka.position(tp) == 2, "the rebalance sought back to before the batch"
        await consumer.process(batch, producer)  # the same batch delivered again
        assert consumer.dlq_sent == 1 and consumer.applied == 1
    finally:
        await producer.stop()
        await kafka.stop()
        await consumer.close()


async def test_positions_that_cannot_be_read_at_assignment_are_read_again_and_nothing_is_skipped(
    infra: Any,
) -> None:
    topic = f"{infra.namespace}unassigned_{VISITOR}"
    site, visits = uuid4(), [uuid4() for _ in range(5)]
    await publish(infra, topic, *(arrival(site, v) for v in visits))

    class PostgresBlipAtAssignment(ProjectionRunner):
        blips = 1

        async def _seek_to_stored(self, assigned: Any) -> None:
            if self.blips:
                self.blips -= 1
                raise ConnectionResetError("connection to the server was lost")
            await super()._seek_to_stored(assigned)

    consumer = PostgresBlipAtAssignment(
        VisitorReadModel(), topics=[topic], database_url=infra.database_url,
        bootstrap_servers=infra.kafka, schema=f"{infra.namespace}unassigned_read",
    )  # fmt: skip
    await run_until_caught_up(consumer, topic)
    pool = await consumer.connect()
    assert sorted(r[0] for r in await pool.fetch("SELECT visit_id FROM visits")) == sorted(visits)
    await consumer.close()
