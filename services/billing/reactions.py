"""Billing's reaction to other contexts, through Kafka only.

A verified paid repair (`concierge.workorder.v1` RepairVerified with a fee) becomes a
charge on the tenant's account for the monthly run. Idempotent: the charge id comes
from the work order, so a redelivered event posts nothing twice. A repair for a unit
billing does not know is parked for finance to assign (see `UnbilledRepairs`).

DOMAIN.md: every id a flow carries belongs to the same site. A message whose envelope
names another site than its data is refused loudly (`ForeignSiteReference`: dead
letter, metric, error log by the consumer runner), never applied.
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg

from contracts.envelope import Envelope
from contracts.workorder import RepairVerified
from runtime.errors import ForeignSiteReference
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
                if envelope.site != e.site_id:
                    raise ForeignSiteReference(
                        f"work order {e.work_order_id} of site {e.site_id} came as site"
                        f" {envelope.site}'s ({envelope.id})"
                    )
                await asyncio.to_thread(
                    self.app.post_paid_repair, e.site_id, e.unit, e.work_order_id, e.number,
                    e.fee, e.occurred_at, envelope.correlation_id,
                )  # fmt: skip
