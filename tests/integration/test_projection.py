"""Projection runner: dead letters, duplicates, and a rebuild identical to the live tables."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from uuid import UUID, uuid4

import asyncpg
import httpx
import pytest

from contracts import visitor as ev
from contracts.envelope import Envelope
from contracts.topics import VISITOR, WORKORDER, dead_letter
from runtime.auth import Role
from runtime.kafka import idempotent_producer
from runtime.projection import ProjectionRunner
from runtime.rebuild import rebuild_online
from services.visitor.projections import VisitorReadModel
from services.workorder.projections import WorkOrderReadModel
from tests.conftest import Stack
from tests.e2e.test_visitor_api import preregistration, walk_in
from tests.helpers import bearer
from tests.infra import end_offsets, read_topic, run_until_caught_up

NOW = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)


def runner(infra, topic: str, schema: str) -> ProjectionRunner:  # type: ignore[no-untyped-def]
    return ProjectionRunner(
        VisitorReadModel(),
        topics=[topic],
        database_url=infra.database_url,
        bootstrap_servers=infra.kafka,
        schema=schema,
        batch_size=500,
    )


def arrival(site, visit_id) -> Envelope:  # type: ignore[no-untyped-def]
    data = ev.VisitorArrived(
        site_id=site, visit_id=visit_id, visitor_name="V", visitor_company=None,
        host_unit="1A", host_name="H", purpose="p", party_size=1, occurred_at=NOW,
    )  # fmt: skip
    return Envelope.wrap(data, aggregate_id=visit_id, version=1, time=NOW, correlation_id="c")


def checked_in(site, visit_id) -> Envelope:  # type: ignore[no-untyped-def]
    data = ev.VisitorCheckedIn(
        site_id=site, visit_id=visit_id, visitor_name="V", visitor_company=None,
        host_unit="1A", host_name="H", purpose="p", party_size=1, id_checked=False,
        id_type=None, pre_registered=False, occurred_at=NOW,
    )  # fmt: skip
    return Envelope.wrap(data, aggregate_id=visit_id, version=3, time=NOW, correlation_id="c")


def message_taken(site, subject, message_id) -> Envelope:  # type: ignore[no-untyped-def]
    data = ev.PhoneMessageTaken(
        site_id=site, message_id=message_id, caller_name="C", caller_company=None,
        caller_phone="13800138000", reason="r", for_unit="1A", for_person="H", occurred_at=NOW,
    )  # fmt: skip
    return Envelope.wrap(data, aggregate_id=subject, version=1, time=NOW, correlation_id="c")


async def test_bad_messages_go_to_the_dlq_and_duplicates_apply_once(infra) -> None:  # type: ignore[no-untyped-def]
    topic = f"{infra.namespace}dlq_{VISITOR}"
    site, visit_a, visit_b, message_id = uuid4(), uuid4(), uuid4(), uuid4()
    producer = idempotent_producer(infra.kafka)
    await producer.start()
    sends = [
        (arrival(site, visit_a).key(), arrival(site, visit_a).value(), arrival(site, visit_a).headers()),
        (b"x", b"{not json", [("ce_specversion", b"1.0"), ("ce_type", b"concierge.visitor.VisitorArrived.v1")]),
        (checked_in(site, visit_a).key(), checked_in(site, visit_a).value(), checked_in(site, visit_a).headers()),
        # The same event re-published (same ce_id): must not count a second check-in.
        (checked_in(site, visit_a).key(), checked_in(site, visit_a).value(), checked_in(site, visit_a).headers()),
        (b"y", b"{}", [("ce_specversion", b"1.0"), ("ce_type", b"concierge.visitor.Unknown.v1")]),
        (message_taken(site, message_id, message_id).key(), message_taken(site, message_id, message_id).value(),
         message_taken(site, message_id, message_id).headers()),
        # Parses, but applying it breaks the read model's key: dead-lettered on apply.
        (message_taken(site, uuid4(), message_id).key(), message_taken(site, uuid4(), message_id).value(),
         message_taken(site, uuid4(), message_id).headers()),
        (arrival(site, visit_b).key(), arrival(site, visit_b).value(), arrival(site, visit_b).headers()),
    ]  # fmt: skip
    for _key, value, headers in sends:
        # One partition key for all, so the order above is the order consumed.
        await producer.send_and_wait(topic, value=value, key=b"same", headers=headers)
    await producer.stop()

    projection = runner(infra, topic, f"{infra.namespace}dlq_read")
    await run_until_caught_up(projection, topic)
    pool = await projection.connect()
    visits = {r["visit_id"]: r["status"] for r in await pool.fetch("SELECT * FROM visits")}
    assert visits == {visit_a: "checked_in", visit_b: "awaiting_host"}, "kept going past bad ones"
    assert await pool.fetchval("SELECT sum(check_ins) FROM host_hourly") == 1
    assert await pool.fetchval("SELECT count(*) FROM phone_messages") == 1
    await projection.close()

    dead = await read_topic(infra.kafka, dead_letter(topic))
    assert len(dead) == 3 and projection.dlq_sent == 3
    errors = [dict(m.headers)["dlq_error"].decode() for m in dead]
    assert "ValidationError" in errors[0] or "JSON" in errors[0]
    assert "KeyError" in errors[1]
    assert "ReadModelConflict" in errors[2]
    assert all(dict(m.headers)["dlq_topic"] == topic.encode() for m in dead)


async def test_a_message_with_a_null_header_is_a_dead_letter(infra) -> None:  # type: ignore[no-untyped-def]
    """Kafka headers may be null; such a message is refused like any malformed one and the
    projection goes on (the parse and the dead letter's description read every header)."""
    topic = f"{infra.namespace}null_{VISITOR}"
    site, visit_a, visit_b = uuid4(), uuid4(), uuid4()
    producer = idempotent_producer(infra.kafka)
    await producer.start()
    broken = arrival(site, visit_a)
    headers = [(k, None if k == "ce_id" else v) for k, v in broken.headers()]
    await producer.send_and_wait(topic, value=broken.value(), key=b"same", headers=headers)
    fine = arrival(site, visit_b)
    await producer.send_and_wait(topic, value=fine.value(), key=b"same", headers=fine.headers())
    await producer.stop()

    projection = runner(infra, topic, f"{infra.namespace}null_read")
    await run_until_caught_up(projection, topic)
    pool = await projection.connect()
    assert [r["visit_id"] for r in await pool.fetch("SELECT visit_id FROM visits")] == [visit_b]
    await projection.close()
    dead = await read_topic(infra.kafka, dead_letter(topic))
    assert len(dead) == 1 and projection.dlq_sent == 1
    assert b"a header without a value" in dict(dead[0].headers)["dlq_error"]


async def visitor_traffic(client: httpx.AsyncClient, site: UUID) -> None:
    message = {
        "caller_name": "C",
        "caller_phone": "13800138000",
        "reason": "call back",
        "for_unit": "1A",
        "for_person": "P",
    }
    taken = (await client.post(f"/sites/{site}/phone-messages", json=message)).json()
    await client.post(
        f"/sites/{site}/phone-messages/{taken['message_id']}/delivery",
        json={"acknowledged_by": "P"},
    )
    for i in range(20):
        v = (
            await client.post(f"/sites/{site}/visits/pre-registrations", json=preregistration())
        ).json()
        await client.post(f"/sites/{site}/visits/{v['visit_id']}/check-in", json={})
        if i % 3 == 0:
            await client.post(f"/sites/{site}/visits/{v['visit_id']}/check-out")
        w = (await client.post(f"/sites/{site}/visits", json=walk_in(visitor_name=f"W {i}"))).json()
        await client.post(
            f"/sites/{site}/visits/{w['visit_id']}/host-decision", json={"approve": i % 2 == 0}
        )


async def workorder_traffic(client: httpx.AsyncClient, site: UUID) -> None:
    as_ = {
        r: bearer(r, [site])
        for r in (Role.RECEPTIONIST, Role.DISPATCHER, Role.TECHNICIAN, Role.CS_REP)
    }
    for i in range(12):
        body = {
            "source": "patrol",
            "category": "hvac",
            "location": "B2 plant room",
            "content": "noisy fan",
            "reporter": "patrol",
        }
        order = (
            await client.post(f"/sites/{site}/repairs", json=body, headers=as_[Role.RECEPTIONIST])
        ).json()["work_order_id"]
        base = f"/sites/{site}/repairs/{order}"
        if i % 4 == 0:
            continue
        await client.post(
            f"{base}/dispatch",
            json={"team": "engineering", "urgency": "normal"},
            headers=as_[Role.DISPATCHER],
        )
        if i % 4 == 1:
            await client.post(
                f"{base}/void", json={"reason": "duplicate"}, headers=as_[Role.DISPATCHER]
            )
            continue
        await client.post(
            f"{base}/complete",
            json={"result": "bearing replaced", "labour_hours": "2"},
            headers=as_[Role.TECHNICIAN],
        )
        await client.post(
            f"{base}/verify",
            json={"passed": i % 2 == 0, "method": "phone", "notes": "still noisy"},
            headers=as_[Role.CS_REP],
        )


VISITOR_TABLES = {
    "visits": "visit_id",
    "host_hourly": "site_id, business_date, host_unit, host_name, hour",
    "phone_messages": "message_id",
}
REBUILDS = {
    "visitor": (VISITOR, VisitorReadModel, visitor_traffic, VISITOR_TABLES),
    "workorder": (WORKORDER, WorkOrderReadModel, workorder_traffic, {"work_orders": "work_order_id"}),
}  # fmt: skip


@pytest.mark.parametrize("context", sorted(REBUILDS))
async def test_rebuild_from_offset_zero_equals_the_live_read_model(
    stack: Stack, context: str
) -> None:
    infra = stack.infra
    published, read_model, traffic, tables = REBUILDS[context]
    topic = f"{infra.namespace}{published}"
    async with httpx.AsyncClient(
        base_url=stack.base_url, headers=bearer(Role.GROUP_ADMIN, []), timeout=10
    ) as client:
        await traffic(client, uuid4())
    live_schema = f"{infra.namespace}{context}_read"
    live = await asyncpg.connect(infra.database_url, server_settings={"search_path": live_schema})
    try:
        await caught_up(live, infra.kafka, topic)
        rebuilt = ProjectionRunner(
            read_model(),
            topics=[topic],
            database_url=infra.database_url,
            bootstrap_servers=infra.kafka,
            schema=f"{infra.namespace}{context}_rebuilt",
            batch_size=500,
        )
        await run_until_caught_up(rebuilt, topic)
        pool = await rebuilt.connect()
        await assert_same_tables(live, pool, tables)
        refused = await pool.fetchval("SELECT count(*) FROM projection_dead_letters")
        # Rebuild it again, online, into new tables swapped in: still identical, and
        # refusing the same messages (other tests publish a few bad ones on purpose).
        report = await rebuild_online(
            read_model(), topics=[topic], database_url=infra.database_url,
            bootstrap_servers=infra.kafka, schema=rebuilt.schema,
        )  # fmt: skip
        assert report["generation"] == 1 and report["dead_letters"] == refused
        await assert_same_tables(live, pool, tables)  # statements it cached see new tables
        await rebuilt.close()
    finally:
        await live.close()


async def assert_same_tables(live, rebuilt_pool, tables: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    for table, order in tables.items():
        expected = [tuple(r) for r in await live.fetch(f"SELECT * FROM {table} ORDER BY {order}")]
        actual = [
            tuple(r) for r in await rebuilt_pool.fetch(f"SELECT * FROM {table} ORDER BY {order}")
        ]
        assert len(expected) > 0
        assert actual == expected, f"{table} differs after rebuild"


async def caught_up(live, kafka: str, topic: str, timeout: float = 180) -> None:  # type: ignore[no-untyped-def]
    """Wait until the live projection's stored positions reach the topic's end."""
    ends = await end_offsets(kafka, topic)
    deadline = time.monotonic() + timeout
    while True:
        rows = await live.fetch(
            "SELECT partition, next_offset FROM projection_positions WHERE topic = $1", topic
        )
        done = {r["partition"]: r["next_offset"] for r in rows}
        if all(done.get(p, 0) >= end for p, end in ends.items() if end):
            return
        assert time.monotonic() < deadline, f"the live projection stopped at {done} < {ends}"
        await asyncio.sleep(0.05)
