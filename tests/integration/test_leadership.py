"""Two replicas of a service: one relay and one scheduler run, the other takes over
within seconds when the holder is killed or hangs, and no event is lost or doubled."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from collections import Counter
from uuid import uuid4

import asyncpg
import httpx
import psycopg
import pytest
from prometheus_client.parser import text_string_to_metric_families

from contracts.topics import VISITOR
from runtime.leadership import Leadership, LeadershipLost
from tests.infra import free_port, process, read_topic
from tests.integration.fixtures import complete_visits, visitor_app


def metrics(port: int) -> dict[tuple[str, str], float]:
    """This replica's leadership, running parts and published count: {(name, label): value}."""
    try:
        text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
    except httpx.HTTPError:
        return {}
    values = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "concierge_leader":
                values[("leader", "")] = sample.value
            if sample.name == "concierge_part_up":
                values[("running", sample.labels["part"])] = sample.value
            if sample.name == "concierge_events_published_total":
                values[("published", "")] = sample.value
    return values


def wait_for(predicate, timeout: float, what: str) -> float:  # type: ignore[no-untyped-def]
    """Seconds until `predicate` held."""
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > timeout:
            raise TimeoutError(what)
        time.sleep(0.05)
    return time.monotonic() - started


def published_up_to(db: psycopg.Connection, schema: str) -> int:
    try:
        row = db.execute(f'SELECT last_notification_id FROM "{schema}".outbox_position').fetchone()
    except psycopg.errors.UndefinedTable:
        return 0
    return int(row[0]) if row else 0


@pytest.mark.parametrize("fault", ["killed", "hung"])
def test_one_relay_and_one_scheduler_with_failover(infra, fault: str) -> None:  # type: ignore[no-untyped-def]
    """Killed: SIGKILL, its session ends with its socket. Hung: SIGSTOP, PostgreSQL ends
    its silent session after `idle_session_timeout`; once resumed, it must stop working."""
    namespace = f"{infra.namespace}replicas_{fault}_"
    app = visitor_app(infra, namespace)
    site = uuid4()
    visits: list = []
    writing = threading.Event()

    def write() -> None:  # a steady stream of events while the holder is killed
        while writing.is_set():
            visits.extend(complete_visits(app, site, 25))

    ports = [free_port(), free_port()]
    replicas = [
        process(
            ["-m", "services.visitor", "--only", "relay", "--only", "day_end"],
            infra.env(
                CONCIERGE_NAMESPACE=namespace, OUTBOX_BATCH_SIZE="100", METRICS_PORT=str(port)
            ),
            f"replica-{i}",
        )
        for i, port in enumerate(ports)
    ]
    writer = threading.Thread(target=write)
    db = psycopg.connect(infra.database_url, autocommit=True)  # one, for the whole test
    with db, replicas[0] as first, replicas[1] as second:
        writing.set()
        writer.start()
        try:
            wait_for(lambda: sum(metrics(p).get(("published", ""), 0) for p in ports) >= 2000,
                     60, "a relay publishes")  # fmt: skip
            seen = [metrics(p) for p in ports]
            published = [s.get(("published", ""), 0) for s in seen]
            assert min(published) == 0, f"only one replica publishes: {published}"
            holder = published.index(max(published))
            standby = 1 - holder
            assert [s.get(("leader", "")) for s in (seen[holder], seen[standby])] == [1, 0]
            for part in ("relay", "day_end"):
                running = [s.get(("running", part), 0) for s in (seen[holder], seen[standby])]
                assert running == [1, 0], f"one {part} at a time: {running}"

            holder_pid = (first, second)[holder].pid
            os.kill(holder_pid, signal.SIGKILL if fault == "killed" else signal.SIGSTOP)
            killed_at = published_up_to(db, f"{namespace}visitor")
            failover = wait_for(
                lambda: metrics(ports[standby]).get(("running", "relay")) == 1,
                30,
                "the standby takes the relay over",
            )
            wait_for(lambda: metrics(ports[standby]).get(("running", "day_end")) == 1,
                     30, "the standby takes the day-end scheduler over")  # fmt: skip
            if fault == "hung":
                os.kill(holder_pid, signal.SIGCONT)
                wait_for(lambda: metrics(ports[holder]).get(("leader", "")) == 0,
                         30, "the resumed holder knows it lost the lock")  # fmt: skip
                assert metrics(ports[holder]).get(("running", "relay")) == 0
        finally:
            writing.clear()
            writer.join()
        total = app.recorder.max_notification_id()
        wait_for(lambda: published_up_to(db, f"{namespace}visitor") >= total,
                 120, "the new holder publishes everything")  # fmt: skip

    ids = Counter(
        dict(m.headers)["ce_id"].decode()
        for m in asyncio.run(read_topic(infra.kafka, f"{namespace}{VISITOR}"))
    )
    expected = {f"{v.id}:{n}" for v in visits for n in (1, 2, 3, 4)}
    print(f"\nholder {fault} at notification {killed_at} of {total}; the standby held the "
          f"relay {failover:.1f} s later; {len(ids) - len(set(ids))} published twice")  # fmt: skip
    assert killed_at < total, "the holder was killed while there was still work"
    assert set(ids) == expected, "no event lost"
    doubled = [i for i, n in ids.items() if n > 1]
    if fault == "killed":
        assert doubled == [], "no event published twice"
    else:  # woken mid-batch, it may deliver what it had handed the producer: one batch
        assert len(doubled) <= 100, f"{len(doubled)} events published twice"


async def test_work_stops_when_the_lock_is_lost_even_if_it_swallows_a_cancellation(infra) -> None:  # type: ignore[no-untyped-def]
    """PostgreSQL ends the holder's lock session (a restart, a cut): the work must stop,
    even work that, like some client libraries at times, swallows the cancellation."""
    leadership = Leadership(infra.database_url, scope=f"{infra.namespace}lockloss")
    rounds: list[str] = []
    working = asyncio.Event()

    async def stubborn(stop: asyncio.Event) -> None:
        while not stop.is_set() and len(rounds) < 1000:  # gives up after ~20 s by itself
            try:
                await asyncio.sleep(0.02)
            except asyncio.CancelledError:
                rounds.append("cancellation swallowed")
            rounds.append("working")
            working.set()
        rounds.append("told to stop" if stop.is_set() else "gave up by itself")

    holding = asyncio.create_task(leadership.run_while_held(stubborn, asyncio.Event()))
    await asyncio.wait_for(working.wait(), timeout=30)
    admin = await asyncpg.connect(infra.database_url)
    try:
        ended = await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE application_name = $1", f"concierge lock {leadership.key}",
        )  # fmt: skip
    finally:
        await admin.close()
    assert ended == 1
    with pytest.raises(LeadershipLost):
        await asyncio.wait_for(holding, timeout=60)
    assert "cancellation swallowed" in rounds, "the work was cancelled"
    assert rounds[-1] == "told to stop", "and told to stop, which it did"
