"""`rebuild` while the service runs and visits keep coming: nothing lost, nothing doubled."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from uuid import UUID, uuid4

import asyncpg
import httpx
import pytest

from contracts.topics import VISITOR
from runtime.auth import Role
from runtime.errors import Conflict
from runtime.kafka import ensure_topics, idempotent_producer
from runtime.projection import ProjectionRunner, lock_name
from runtime.rebuild import rebuild_online
from runtime.settings import ServiceSettings
from services.visitor.projections import VisitorReadModel
from tests.conftest import Stack
from tests.helpers import bearer
from tests.infra import process, run_until_caught_up
from tests.integration.fixtures import NOW, complete_visits, visitor_app
from tests.integration.test_projection import (
    VISITOR_TABLES,
    arrival,
    assert_same_tables,
    caught_up,
    checked_in,
)


async def test_rebuild_against_a_running_service_keeps_every_visit_exactly_once(
    stack: Stack,
) -> None:
    infra = stack.infra
    topic = f"{infra.namespace}{VISITOR}"
    app = visitor_app(infra, infra.namespace)
    site = uuid4()
    written: list[UUID] = [v.id for v in complete_visits(app, site, 1500)]
    live = await asyncpg.connect(
        infra.database_url, server_settings={"search_path": f"{infra.namespace}visitor_read"}
    )
    try:
        await caught_up(live, infra.kafka, topic)
        # Visits keep arriving before, during and after the rebuild.
        with process(["-m", "services.visitor", "rebuild"], infra.env(), "rebuild") as rebuild:
            while rebuild.poll() is None:
                written += [v.id for v in complete_visits(app, site, 5)]
                await asyncio.sleep(0.01)
        assert rebuild.returncode == 0, "rebuild failed; see .local/logs/tests/rebuild.log"
        written += [v.id for v in complete_visits(app, site, 20)]
        # The running service's relay publishes the last visits in its own time: wait until
        # every written check-in shows (or the deadline passes), then until whatever else
        # reached the topic by then is applied, and compare exactly.
        check_ins = "SELECT sum(check_ins) FROM host_hourly WHERE site_id = $1"
        deadline = time.monotonic() + 120
        while (await live.fetchval(check_ins, site) or 0) < len(written):
            if time.monotonic() > deadline:
                break
            await asyncio.sleep(0.1)
        await caught_up(live, infra.kafka, topic)

        visits = await live.fetch("SELECT visit_id FROM visits WHERE site_id = $1", site)
        assert len(visits) == len(written) and {r["visit_id"] for r in visits} == set(written)
        assert await live.fetchval(check_ins, site) == len(written), "a check-in doubled or lost"

        # The rebuilt live tables equal a rebuild from scratch, row for row.
        scratch = ProjectionRunner(
            VisitorReadModel(), topics=[topic], database_url=infra.database_url,
            bootstrap_servers=infra.kafka, schema=f"{infra.namespace}visitor_scratch",
        )  # fmt: skip
        await run_until_caught_up(scratch, topic, timeout=300)
        filled = {t: order for t, order in VISITOR_TABLES.items() if t != "phone_messages"}
        await assert_same_tables(live, await scratch.connect(), filled)
        await scratch.close()
    finally:
        await live.close()

    # The service's queries read the swapped-in tables.
    async with httpx.AsyncClient(
        base_url=stack.base_url, headers=bearer(Role.GROUP_ADMIN, []), timeout=10
    ) as client:
        shown = []
        for day in (NOW.date(), NOW.date() + timedelta(days=1)):  # check-ins run past midnight
            log = await client.get(f"/sites/{site}/visit-log", params={"date": day.isoformat()})
            assert log.status_code == 200
            shown += [UUID(row["visit_id"]) for row in log.json()]
        assert sorted(shown) == sorted(written)


async def test_two_live_replicas_follow_a_rebuild_swap_without_losing_or_doubling(infra) -> None:  # type: ignore[no-untyped-def]
    """Replicas coordinate through Postgres only: each notices the new generation."""
    topic = f"{infra.namespace}replicas_{VISITOR}"
    schema = f"{infra.namespace}replicas_read"
    await ensure_topics(ServiceSettings(kafka_bootstrap_servers=infra.kafka), [topic])
    site = uuid4()
    producer = idempotent_producer(infra.kafka)
    await producer.start()
    visits: list[UUID] = []

    async def publish(count: int) -> None:
        for _ in range(count):
            visit = uuid4()
            for envelope in (arrival(site, visit), checked_in(site, visit)):
                await producer.send(
                    topic, envelope.value(), envelope.key(), headers=envelope.headers()
                )
            visits.append(visit)
        await producer.flush()

    def replica() -> ProjectionRunner:
        return ProjectionRunner(
            VisitorReadModel(),
            topics=[topic],
            database_url=infra.database_url,
            bootstrap_servers=infra.kafka,
            schema=schema,
            batch_size=200,
        )

    replicas = [replica(), replica()]
    stop = asyncio.Event()
    running = [asyncio.create_task(r.run(stop)) for r in replicas]
    try:
        await publish(1000)
        rebuild = asyncio.create_task(
            rebuild_online(
                VisitorReadModel(),
                topics=[topic],
                database_url=infra.database_url,
                bootstrap_servers=infra.kafka,
                schema=schema,
                batch_size=200,
            )
        )
        while not rebuild.done():
            await publish(10)
        assert (await rebuild)["generation"] == 1
        await publish(50)
        pool = await replicas[0].connect()
        await caught_up(pool, infra.kafka, topic)
        rows = await pool.fetch("SELECT visit_id, status FROM visits WHERE site_id = $1", site)
        assert sorted(r["visit_id"] for r in rows) == sorted(visits)
        assert {r["status"] for r in rows} == {"checked_in"}
        assert await pool.fetchval("SELECT sum(check_ins) FROM host_hourly") == len(visits)
        assert await pool.fetchval("SELECT count(*) FROM projection_dead_letters") == 0
        assert not any(task.done() for task in running), "a replica stopped"
        # A replica applying notices the swap at its next batch, an idle one (no
        # partition left after a rebalance) at its next health check.
        for _ in range(600):
            if all(r.generation == 1 for r in replicas):
                break
            await asyncio.sleep(0.05)
        assert [r.generation for r in replicas] == [1, 1], "a replica did not notice the swap"
    finally:
        stop.set()
        await asyncio.gather(*running)
        await producer.stop()
        for r in replicas:
            await r.close()


async def test_a_second_rebuild_of_the_same_read_model_is_refused(infra) -> None:  # type: ignore[no-untyped-def]
    schema = f"{infra.namespace}refused_read"
    projection = VisitorReadModel()
    holder = await asyncpg.connect(infra.database_url)
    try:  # another rebuild of this read model holds its rebuild lock
        running = f"rebuild:{lock_name(schema, projection.name)}"
        await holder.execute("SELECT pg_advisory_lock(hashtextextended($1, 0))", running)
        with pytest.raises(Conflict, match="already running"):
            await rebuild_online(projection, topics=[f"{infra.namespace}refused_{VISITOR}"],
                                 database_url=infra.database_url, bootstrap_servers=infra.kafka,
                                 schema=schema)  # fmt: skip
    finally:
        await holder.close()


async def test_replicas_starting_together_create_the_read_schema_once(infra) -> None:  # type: ignore[no-untyped-def]
    for attempt in range(5):  # CREATE SCHEMA IF NOT EXISTS alone races between them
        schema = f"{infra.namespace}together{attempt}_read"
        replicas = [
            ProjectionRunner(VisitorReadModel(), topics=["unused"], database_url=infra.database_url,
                             bootstrap_servers=infra.kafka, schema=schema)
            for _ in range(6)
        ]  # fmt: skip
        try:
            await asyncio.gather(*(r.connect() for r in replicas))
        finally:
            for r in replicas:
                await r.close()
