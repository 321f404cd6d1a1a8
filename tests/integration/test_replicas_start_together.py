"""Two replicas of a service starting at once on a fresh database (compose, k8s)."""

from __future__ import annotations

import asyncio
import threading
import uuid

import asyncpg

from runtime.outbox import OutboxRelay
from services.visitor.contract import contract_for
from tests.integration.fixtures import visitor_app


def test_replicas_starting_together_both_create_the_event_store(infra) -> None:  # type: ignore[no-untyped-def]
    failures: list[BaseException] = []

    def start(namespace: str, barrier: threading.Barrier) -> None:
        barrier.wait()
        try:
            visitor_app(infra, namespace).close()
        except BaseException as exc:
            failures.append(exc)

    for _ in range(4):  # a race: give it several fresh schemas to show up on
        namespace = f"{infra.namespace}start_{uuid.uuid4().hex[:6]}_"
        barrier = threading.Barrier(3)
        replicas = [threading.Thread(target=start, args=(namespace, barrier)) for _ in range(3)]
        for replica in replicas:
            replica.start()
        for replica in replicas:
            replica.join()
        assert not failures, failures


async def test_relays_starting_together_both_create_their_position_table(infra) -> None:  # type: ignore[no-untyped-def]
    for _ in range(4):
        app = visitor_app(infra, f"{infra.namespace}relays_{uuid.uuid4().hex[:6]}_")
        relays = [
            OutboxRelay(
                app,
                topic="unused",
                contract_for=contract_for,
                bootstrap_servers=infra.kafka,
                database_url=infra.database_url,
            )
            for _ in range(3)
        ]
        connections = [await asyncpg.connect(infra.database_url) for _ in relays]
        try:
            await asyncio.gather(
                *(
                    relay._ensure_tables(conn)
                    for relay, conn in zip(relays, connections, strict=True)
                )
            )
        finally:
            for conn in connections:
                await conn.close()
            app.close()
