"""Projection rebuild: events/s from Kafka offset 0 into the visitor read model.

Baseline in the same run, on the same topic: the same runner with one event per
transaction (batch size 1), the slow shape the batched runner exists to beat.
"""

from __future__ import annotations

import time
from typing import Any

from runtime.projection import ProjectionRunner
from services.visitor.projections import VisitorReadModel
from tests.infra import end_offsets, run_until_caught_up


async def rebuild(infra: Any, topic: str, schema: str, batch_size: int) -> float:
    runner = ProjectionRunner(
        VisitorReadModel(), topics=[topic], database_url=infra.database_url,
        bootstrap_servers=infra.kafka, schema=schema, batch_size=batch_size,
    )  # fmt: skip
    await runner.connect()
    started = time.perf_counter()
    await run_until_caught_up(runner, topic, timeout=600)
    seconds = time.perf_counter() - started
    await runner.close()
    return seconds


async def measure(infra: Any, topic: str) -> dict[str, Any]:
    events = sum((await end_offsets(infra.kafka, topic)).values())
    batched = await rebuild(infra, topic, f"{infra.namespace}bench_rebuild_batched", 2000)
    single = await rebuild(infra, topic, f"{infra.namespace}bench_rebuild_single", 1)
    return {
        "events": events,
        "batched_events_per_s": round(events / batched),
        "one_per_transaction_events_per_s": round(events / single),
        "batched_vs_single_ratio": round(single / batched, 2),
    }
