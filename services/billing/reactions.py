"""Billing's reaction to other contexts, through Kafka only.

A verified paid repair (`concierge.workorder.v1` RepairVerified with a fee) becomes a
charge on the tenant's account for the monthly run. Idempotent: the charge id comes
from the work order, so a redelivered event posts nothing twice.
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg

from contracts.envelope import Envelope
from contracts.workorder import RepairVerified
from services.billing.application import BillingApplication


class PaidRepairCharges:
    name = "billing_paid_repairs"
    tables: tuple[str, ...] = ()

    def __init__(self, app: BillingApplication) -> None:
        self.app = app

    async def setup(self, conn: asyncpg.Connection) -> None:
        return None

    async def apply_batch(self, conn: asyncpg.Connection, envelopes: list[Envelope]) -> None:
        for envelope in envelopes:
            e: Any = envelope.data
            if isinstance(e, RepairVerified) and e.paid and e.fee > 0:
                await asyncio.to_thread(
                    self.app.post_paid_repair, e.site_id, e.unit, e.work_order_id, e.number,
                    e.fee, e.occurred_at, envelope.correlation_id,
                )  # fmt: skip
