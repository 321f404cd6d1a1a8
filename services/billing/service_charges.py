"""Building services charged through billing: a laundry return, catering receipt or
business-centre slip a tenant signed for at the desk (`concierge.visitor.v1`
ServiceOrderSigned) becomes a one-off charge on the unit's account in the month's run
(`BillingApplication.post_service_charge`), under its own fee type (`laundry`,
`catering`, `business_centre`).

Seed 001: "每个月月底依据洗衣服务确定单,向用户收取洗衣费" (laundry), "每个月月底依据送餐服务
确定单向用户收取餐费" (catering), and the business centre's "开据帐单,请客人署名" (the signed
slip is the bill). DOMAIN.md: "laundry, catering and business-centre orders become one-off
charges". Idempotent: the charge id comes from the order's id, so a redelivered event
posts nothing twice; a free order (a rewash) charges nothing. A message whose envelope
names another site than its data is refused (`ForeignSiteReference`, dead letter).
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg

from contracts.envelope import Envelope
from contracts.visitor import ServiceOrderSigned
from runtime.reaction import CommandReaction
from services.billing.application import BillingApplication
from services.billing.domain import FeeType
from services.billing.reactions import require_own_site

SERVICE_FEES = {
    "laundry": FeeType.LAUNDRY,
    "catering": FeeType.CATERING,
    "business_centre": FeeType.BUSINESS_CENTRE,
}


class ServiceOrderCharges(CommandReaction[BillingApplication]):
    name = "billing_service_orders"

    async def apply_batch(self, conn: asyncpg.Connection, envelopes: list[Envelope]) -> None:
        for envelope in envelopes:
            e: Any = envelope.data
            if isinstance(e, ServiceOrderSigned) and e.amount > 0:
                require_own_site(envelope)
                await asyncio.to_thread(
                    self.app.post_service_charge, e.site_id, e.unit, e.order_id,
                    SERVICE_FEES[e.service], e.amount, e.description, e.occurred_at,
                    envelope.correlation_id,
                )  # fmt: skip
