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


class TimedRunner(ProjectionRunner):
    """Notes when the first batch arrives, to tell start-up from steady state."""

    first_batch_at: float | None = None

    async def process(self, batch: Any, producer: Any) -> None:
        if self.first_batch_at is None:
            self.first_batch_at = time.perf_counter()
        await super().process(batch, producer)


async def rebuild(infra: Any, topic: str, schema: str, batch_size: int) -> tuple[float, float]:
    """(seconds from start incl. consumer-group join, seconds from the first batch)."""
    runner = TimedRunner(
        VisitorReadModel(), topics=[topic], database_url=infra.database_url,
        bootstrap_servers=infra.kafka, schema=schema, batch_size=batch_size,
    )  # fmt: skip
    await runner.connect()
    started = time.perf_counter()
    await run_until_caught_up(runner, topic, timeout=600)
    finished = time.perf_counter()
    await runner.close()
    assert runner.first_batch_at is not None
    return finished - started, finished - runner.first_batch_at


async def measure(infra: Any, topic: str) -> dict[str, Any]:
    events = sum((await end_offsets(infra.kafka, topic)).values())
    batched, batched_steady = await rebuild(infra, topic, f"{infra.namespace}rebuild_b", 2000)
    single, single_steady = await rebuild(infra, topic, f"{infra.namespace}rebuild_1", 1)
    return {
        "events": events,
        "batched_events_per_s": round(events / batched),
        "batched_events_per_s_after_group_join": round(events / batched_steady),
        "one_per_transaction_events_per_s": round(events / single),
        "one_per_transaction_events_per_s_after_group_join": round(events / single_steady),
        "batched_vs_single_ratio": round(single / batched, 2),
    }
