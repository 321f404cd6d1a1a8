"""The work-order context's reaction to complaints, through Kafka only: a complaint in
the repair category opens a work order linked to it (once per complaint)."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg

from contracts.envelope import Envelope
from contracts.feedback import ComplaintCategory, ComplaintRegistered
from services.workorder.application import WorkOrderApplication


class RepairComplaints:
    name = "workorder_repair_complaints"
    tables: tuple[str, ...] = ()

    def __init__(self, app: WorkOrderApplication) -> None:
        self.app = app

    async def setup(self, conn: asyncpg.Connection) -> None:
        return None

    async def apply_batch(self, conn: asyncpg.Connection, envelopes: list[Envelope]) -> None:
        for envelope in envelopes:
            e: Any = envelope.data
            if isinstance(e, ComplaintRegistered) and e.category == ComplaintCategory.REPAIR:
                await asyncio.to_thread(
                    self.app.open_from_complaint, e.site_id, e.complaint_id, e.unit,
                    e.complainant, e.content, envelope.correlation_id,
                )  # fmt: skip
