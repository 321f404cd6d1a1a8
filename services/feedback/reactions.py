"""Feedback's reaction to repairs, through Kafka only: a verified work order that came
from a complaint of its own site resolves that complaint (once; a redelivery changes
nothing). A complaint of another site is refused (ForeignSiteReference)."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg

from contracts.envelope import Envelope
from contracts.workorder import RepairVerified
from services.feedback.application import FeedbackApplication


class ComplaintsResolvedByRepairs:
    name = "feedback_resolved_by_repairs"
    tables: tuple[str, ...] = ()

    def __init__(self, app: FeedbackApplication) -> None:
        self.app = app

    async def setup(self, conn: asyncpg.Connection) -> None:
        return None

    async def apply_batch(self, conn: asyncpg.Connection, envelopes: list[Envelope]) -> None:
        for envelope in envelopes:
            e: Any = envelope.data
            if isinstance(e, RepairVerified) and e.complaint_id is not None:
                await asyncio.to_thread(
                    self.app.resolve_by_repair, e.site_id, e.complaint_id, e.work_order_id,
                    e.number, e.occurred_at, envelope.correlation_id,
                )  # fmt: skip
