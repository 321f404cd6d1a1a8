"""The work-order context's reaction to complaints, through Kafka only: every complaint
event keeps `known_complaints` (site, category, status) current, so a repair reported
from a complaint can be checked against it; a complaint in the repair category opens a
work order linked to it (once per complaint)."""

from __future__ import annotations

import asyncio

import asyncpg

from contracts.envelope import Envelope
from contracts.feedback import ComplaintCategory, ComplaintEvent, ComplaintRegistered
from runtime.readmodel import RowSet
from services.workorder.application import WorkOrderApplication
from services.workorder.projections import COMPLAINT_COLUMNS, KNOWN_COMPLAINTS_SQL, know_complaint


class RepairComplaints:
    name = "workorder_repair_complaints"
    tables = ("known_complaints",)

    def __init__(self, app: WorkOrderApplication) -> None:
        self.app = app

    async def setup(self, conn: asyncpg.Connection) -> None:
        await conn.execute(KNOWN_COMPLAINTS_SQL)

    async def apply_batch(self, conn: asyncpg.Connection, envelopes: list[Envelope]) -> None:
        events = [env for env in envelopes if isinstance(env.data, ComplaintEvent)]
        ids = list({env.data.complaint_id for env in events})  # type: ignore[attr-defined]
        complaints = await RowSet.load(conn, "known_complaints", COMPLAINT_COLUMNS, ids)
        for envelope in events:
            e = envelope.data
            assert isinstance(e, ComplaintEvent)
            know_complaint(complaints, e)
            if isinstance(e, ComplaintRegistered) and e.category == ComplaintCategory.REPAIR:
                await asyncio.to_thread(
                    self.app.open_from_complaint, e.site_id, e.complaint_id, e.unit,
                    e.complainant, e.content, envelope.correlation_id,
                )  # fmt: skip
        await complaints.save(conn)
