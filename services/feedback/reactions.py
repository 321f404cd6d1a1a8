"""Feedback's reactions, through Kafka only: a verified work order that came from a
complaint of its own site resolves that complaint (once; a redelivery changes nothing; a
complaint of another site is refused, ForeignSiteReference); and the tenancy roster
gives the complainants: who is, or was, the tenant of each unit of a site."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg

from contracts import tenancy as tenancy_events
from contracts.envelope import Envelope
from contracts.workorder import RepairVerified
from runtime.reaction import CommandReaction
from services.feedback.application import FeedbackApplication
from services.feedback.projections import SITE_TENANTS_SQL


class ComplaintsResolvedByRepairs(CommandReaction[FeedbackApplication]):
    name = "feedback_resolved_by_repairs"

    async def apply_batch(self, conn: asyncpg.Connection, envelopes: list[Envelope]) -> None:
        for envelope in envelopes:
            e: Any = envelope.data
            if isinstance(e, RepairVerified) and e.complaint_id is not None:
                await asyncio.to_thread(
                    self.app.resolve_by_repair, e.site_id, e.complaint_id, e.work_order_id,
                    e.number, e.occurred_at, envelope.correlation_id,
                )  # fmt: skip


UPSERT_TENANT = (
    "INSERT INTO site_tenants VALUES ($1, $2, $3, $4, $5, false)"
    " ON CONFLICT (site_id, unit) DO UPDATE SET tenant = EXCLUDED.tenant,"
    " company = EXCLUDED.company, contact_phone = EXCLUDED.contact_phone, moved_out = false"
)
MOVED_OUT = "UPDATE site_tenants SET moved_out = true WHERE site_id = $1 AND unit = $2"


class ComplainantsFromTenancy:
    """Each site's units and their tenants (`site_tenants`, keyed by site and unit), from
    the tenancy context's move-ins, changes of details and move-outs."""

    name = "feedback_complainants"
    tables = ("site_tenants",)

    async def setup(self, conn: asyncpg.Connection) -> None:
        await conn.execute(SITE_TENANTS_SQL)

    async def apply_batch(self, conn: asyncpg.Connection, envelopes: list[Envelope]) -> None:
        for envelope in envelopes:  # in order: a unit's later event wins
            match e := envelope.data:
                case tenancy_events.TenantMovedIn() | tenancy_events.TenantDetailsChanged():
                    await conn.execute(
                        UPSERT_TENANT, e.site_id, e.unit, e.name_zh,
                        e.kind is tenancy_events.TenantKind.COMPANY, e.contact.phone,
                    )  # fmt: skip
                case tenancy_events.TenantMovedOut():
                    await conn.execute(MOVED_OUT, e.site_id, e.unit)
